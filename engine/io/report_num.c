/* Deterministic number printing for the reports (see report_num.h). */
#include "report_num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_EXACT_INT 9007199254740992.0 /* 2^53: larger integers are not exact in a double */

bool rs__format_number(char *buf, size_t size, double v, num_style style)
{
    buf[0] = '\0';
    if (!isfinite(v))
        return false;
    if (fabs(v) < 1e15) {
        if (style == NUM_INT)
            v = round(v);
        else if (style == NUM_SEC)
            v = round(v * 10.0) / 10.0;
        else if (style == NUM_PCT)
            v = round(v * 1e4) / 1e4;
    }
    if (style == NUM_SIG) {
        snprintf(buf, size, "%.6g", v);
        v = strtod(buf, NULL);
    }
    if (v == 0)
        v = 0; /* never "-0" */
    if (v == trunc(v) && fabs(v) < MAX_EXACT_INT) {
        snprintf(buf, size, "%.0f", v);
    } else {
        snprintf(buf, size, "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, size, "%.17g", v);
    }
    return true;
}
