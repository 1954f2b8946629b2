/* Errors with a place, and the parsing and printing of simulated durations. */
#include "rollsim/common.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rs_error_clear(rs_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

rs_status rs_error_set(rs_error *err, rs_status code, const char *where, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

int rs_parse_duration(const char *text, rs_time *out)
{
    if (!text)
        return -1;
    while (isspace((unsigned char)*text))
        text++;
    if (!*text)
        return -1;
    double total = 0;
    const char *p = text;
    /* Accepts compound forms as Go's time.ParseDuration does ("1m30s"). */
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || v < 0)
            return -1;
        p = end;
        double unit = 1000; /* bare number: seconds */
        if (strncmp(p, "ms", 2) == 0) {
            unit = 1;
            p += 2;
        } else if (*p == 's') {
            unit = 1000;
            p++;
        } else if (*p == 'm') {
            unit = 60000;
            p++;
        } else if (*p == 'h') {
            unit = 3600000;
            p++;
        } else if (*p == 'd') {
            unit = 86400000;
            p++;
        } else if (*p && !isspace((unsigned char)*p)) {
            return -1;
        } else if (p != end || total != 0) {
            /* bare number only allowed alone */
        }
        total += v * unit;
        while (isspace((unsigned char)*p))
            p++;
    }
    if (total > 9.0e15)
        return -1;
    *out = (rs_time)llround(total);
    return 0;
}

const char *rs_format_duration(rs_time ms, char *buf, size_t size)
{
    const char *sign = "";
    if (ms < 0) {
        sign = "-";
        ms = -ms;
    }
    long long s = (long long)((ms + 500) / 1000);
    if (ms < 10000 && ms % 1000 != 0)
        snprintf(buf, size, "%s%.1fs", sign, (double)ms / 1000.0);
    else if (s < 60)
        snprintf(buf, size, "%s%llds", sign, s);
    else if (s < 3600)
        snprintf(buf, size, "%s%lldm%02llds", sign, s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, size, "%s%lldh%02lldm", sign, s / 3600, (s % 3600) / 60);
    else
        snprintf(buf, size, "%s%lldd%02lldh", sign, s / 86400, (s % 86400) / 3600);
    return buf;
}

const char *rs_format_clock(rs_time ms, char *buf, size_t size)
{
    long long s = (long long)(ms / 1000);
    if (s >= 3600)
        snprintf(buf, size, "T+%lld:%02lld:%02lld", s / 3600, (s % 3600) / 60, s % 60);
    else
        snprintf(buf, size, "T+%02lld:%02lld", s / 60, s % 60);
    return buf;
}
