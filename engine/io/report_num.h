/* How the report writers print numbers: rounded first, then the shortest text that reads back as the
 * rounded value, never "-0", integers without a decimal point. Shared by report_json.c and report_csv.c
 * so that the JSON and the CSV show the same text for the same value. */
#ifndef ROLLSIM_REPORT_NUM_H
#define ROLLSIM_REPORT_NUM_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    NUM_INT,  /* request counts: nearest integer */
    NUM_SEC,  /* durations in seconds: 1 decimal */
    NUM_SIG,  /* rates, fractions, latencies, resource use, business metrics: 6 significant digits */
    NUM_PCT,  /* percentages and score points: 4 decimals */
    NUM_EXACT /* already exact (times from integer milliseconds): no rounding */
} num_style;

/* Writes v into buf (32 bytes are enough). Returns false, leaving buf empty, for NaN and infinities. */
bool rs__format_number(char *buf, size_t size, double v, num_style style);

#endif
