/* rollsim — shared types of the public API: status codes, errors with a place, simulated time.
 * Every public function that can fail returns an rs_status and fills a caller-supplied rs_error. */
#ifndef ROLLSIM_COMMON_H
#define ROLLSIM_COMMON_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t rs_time; /* simulated time in milliseconds */

#define RS_MS(x) ((rs_time)(x))
#define RS_SEC(x) ((rs_time)(x) * 1000)
#define RS_MIN(x) ((rs_time)(x) * 60000)
#define RS_TIME_NEVER INT64_MAX

/* Also the process exit codes of the CLI (DESIGN §8). */
typedef enum {
    RS_OK = 0,
    RS_EXPECT_FAILED = 1, /* an expectation of the scenario failed */
    RS_BAD_INPUT = 2,     /* a scenario, policy or option is invalid */
    RS_INTERNAL = 3       /* a bug or the system failed (out of memory, I/O) */
} rs_status;

typedef struct {
    rs_status code;
    char where[256];   /* "file:line:col", "file: $.path.to.key" or "" */
    char message[768]; /* what was expected, in plain words */
} rs_error;

void rs_error_clear(rs_error *err);
/* Sets err (if not NULL) and returns code. */
rs_status rs_error_set(rs_error *err, rs_status code, const char *where, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Parses "250ms", "30s", "5m", "2h", "7d", or a bare number of seconds ("1.5"). Returns 0 on success. */
int rs_parse_duration(const char *text, rs_time *out);
/* Formats a duration for people: "45s", "4m10s", "1h02m", "2d03h". buf should hold 24 bytes. */
const char *rs_format_duration(rs_time ms, char *buf, size_t size);
/* Formats a clock time since the start of the run: "T+05:12". buf should hold 24 bytes. */
const char *rs_format_clock(rs_time ms, char *buf, size_t size);

#endif
