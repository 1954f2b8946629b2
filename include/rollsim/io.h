/* rollsim — files in and out: scenario loading from JSON, reports (JSON, CSV), atomic writes.
 * This layer owns cJSON; no cJSON type appears in this header. */
#ifndef ROLLSIM_IO_H
#define ROLLSIM_IO_H

#include <stdio.h>

#include "rollsim/common.h"
#include "rollsim/result.h"
#include "rollsim/scenario.h"

#define RS_DIAG_MAX 64

/* All the problems found in one file, in the order of the file. */
typedef struct {
    int count;     /* number stored (at most RS_DIAG_MAX) */
    int dropped;   /* problems found beyond RS_DIAG_MAX */
    rs_error items[RS_DIAG_MAX];
} rs_diagnostics;

/* The built-in default scenario (the seed's Part 5 incident), NUL-terminated JSON. */
extern const char rs_default_scenario_json[];

/* Loads a scenario. `sets` are "PATH=VALUE" overrides (e.g. "deployment.replicas=10",
 * "versions[1].faults[0].error_rate=0.2"); VALUE is parsed as JSON, or taken as a string when it is not
 * valid JSON. Returns RS_OK, or RS_BAD_INPUT with every problem in diag (file:line:col and JSON path),
 * or RS_INTERNAL (out of memory, unreadable file: also in diag). */
rs_status rs_scenario_load_file(const char *path, const char *const *sets, int n_sets, rs_scenario *out,
                                rs_diagnostics *diag);
/* Same from a string; `origin` names it in messages (e.g. "<built-in default>"). */
rs_status rs_scenario_load_string(const char *text, const char *origin, const char *const *sets,
                                  int n_sets, rs_scenario *out, rs_diagnostics *diag);
/* Prints each diagnostic as "where: error: message" on f. */
void rs_diagnostics_print(const rs_diagnostics *diag, FILE *f);
/* Adds a problem (printf-style message); beyond RS_DIAG_MAX it is only counted in `dropped`. */
void rs_diagnostics_add(rs_diagnostics *diag, rs_status code, const char *where, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Writes `size` bytes to `path` atomically: a temporary file in the same folder, fsync, rename.
 * An interrupted run never leaves a half-written file. Returns RS_OK or RS_INTERNAL with err set. */
rs_status rs_write_file_atomic(const char *path, const void *data, size_t size, rs_error *err);

/* The JSON report, schema "rollsim.report/1" (docs/report-format.md). Caller owns the returned string;
 * free with free(). Returns NULL when out of memory. Same result → byte-identical text. */
char *rs_report_json(const rs_result *r);
/* The metric series as CSV, one row per scrape (docs/report-format.md). Caller frees with free(). */
char *rs_report_csv(const rs_result *r);
/* The blameless post-incident report in Markdown (docs/postmortem.md): summary, impact, timeline,
 * decisions, root-cause category and its action items. Caller frees with free(); NULL when out of
 * memory. Same result -> byte-identical text. rs_write_postmortem writes it atomically to `path`. */
char *rs_report_postmortem(const rs_result *r);
rs_status rs_write_postmortem(const rs_result *r, const char *path, rs_error *err);

#endif
