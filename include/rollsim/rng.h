/* rollsim — the seeded random number generator.
 * xoshiro256** (Blackman & Vigna, 2018) seeded through SplitMix64. Each run derives independent streams
 * from (seed, purpose) so that, e.g., the traffic noise does not change when a policy draws numbers. */
#ifndef ROLLSIM_RNG_H
#define ROLLSIM_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} rs_rng;

/* Stream purposes. Adding one never changes the numbers of the others. */
enum {
    RS_STREAM_TRAFFIC = 1,
    RS_STREAM_PODS = 2,
    RS_STREAM_FAULTS = 3,
    RS_STREAM_OPERATOR = 4,
    RS_STREAM_POLICY = 5,
    RS_STREAM_LOGS = 6,
    RS_STREAM_BENCH = 99
};

void rs_rng_seed(rs_rng *r, uint64_t seed, uint64_t stream);
uint64_t rs_rng_next(rs_rng *r);
double rs_rng_uniform(rs_rng *r);               /* [0, 1) with 53 random bits */
double rs_rng_exp(rs_rng *r, double mean);      /* exponential with the given mean */
double rs_rng_normal(rs_rng *r);                /* standard normal (Box–Muller, no cached pair) */
uint64_t rs_rng_below(rs_rng *r, uint64_t n);   /* uniform integer in [0, n), unbiased (Lemire) */

#endif
