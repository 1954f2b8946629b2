/* rollsim — a growing string for the writers of reports, test results and session files.
 * Appends and printf-style pieces of any length; after the first allocation failure the builder frees
 * what it had and ignores every later call, so a writer checks once, at rs_strbuf_take(). */
#ifndef ROLLSIM_STRBUF_H
#define ROLLSIM_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

/* Zero-initialise to start: rs_strbuf b = {0}. After any successful append p is NUL-terminated. */
typedef struct {
    char *p;     /* the text so far, or NULL before the first append and after a failure */
    size_t n;    /* its length, without the terminating NUL */
    size_t cap;  /* bytes allocated at p */
    bool failed; /* memory ran out (or formatting failed): p was freed, further calls do nothing */
} rs_strbuf;

void rs_strbuf_put(rs_strbuf *b, const char *s, size_t n);
void rs_strbuf_puts(rs_strbuf *b, const char *s);

/* Formats without a length limit: the whole piece is appended, however long. */
void rs_strbuf_printf(rs_strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Marks the builder failed, for a writer whose own allocation failed midway: frees the text. */
void rs_strbuf_fail(rs_strbuf *b);

/* The text ("" if nothing was appended), or NULL if the builder failed at any point; resets b to empty.
 * Caller owns the result; free with free(). */
char *rs_strbuf_take(rs_strbuf *b);

/* Frees the text and resets b to empty; a zeroed builder is a no-op. */
void rs_strbuf_free(rs_strbuf *b);

#endif
