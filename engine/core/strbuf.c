/* The growing string of include/rollsim/strbuf.h: one builder for every text the engine writes (JUnit XML,
 * CSV, post-mortems, session files), so that none of them truncates a long formatted piece in a fixed
 * stack buffer. Capacity doubles; a failure frees the text and latches. */
#include "rollsim/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CAP 256

/* Makes room for `more` bytes after the text plus its NUL; false (and the builder failed) if it cannot. */
static bool reserve(rs_strbuf *b, size_t more)
{
    if (b->failed)
        return false;
    if (more > SIZE_MAX - b->n - 1) {
        rs_strbuf_fail(b);
        return false;
    }
    size_t need = b->n + more + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : FIRST_CAP;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        rs_strbuf_fail(b);
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void rs_strbuf_put(rs_strbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    if (n)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void rs_strbuf_puts(rs_strbuf *b, const char *s)
{
    rs_strbuf_put(b, s, strlen(s));
}

/* The first vsnprintf writes into the room there is and measures; only a piece that did not fit is
 * formatted a second time, into a buffer grown to its length. */
void rs_strbuf_printf(rs_strbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    size_t room = b->p ? b->cap - b->n : 0;
    int k = vsnprintf(b->p ? b->p + b->n : NULL, room, fmt, ap);
    va_end(ap);
    if (k < 0) {
        rs_strbuf_fail(b); /* an encoding error or a piece over INT_MAX: the text would be wrong */
    } else if ((size_t)k < room) {
        b->n += (size_t)k;
    } else if (reserve(b, (size_t)k)) {
        vsnprintf(b->p + b->n, b->cap - b->n, fmt, again);
        b->n += (size_t)k;
    }
    va_end(again);
}

void rs_strbuf_fail(rs_strbuf *b)
{
    free(b->p);
    *b = (rs_strbuf){.failed = true};
}

char *rs_strbuf_take(rs_strbuf *b)
{
    if (!b->failed && !b->p)
        rs_strbuf_put(b, "", 0);
    char *p = b->failed ? NULL : b->p;
    *b = (rs_strbuf){0};
    return p;
}

void rs_strbuf_free(rs_strbuf *b)
{
    free(b->p);
    *b = (rs_strbuf){0};
}
