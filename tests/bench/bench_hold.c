/* rollsim — the hold-model benchmark of the event queue.
 *
 * The classic hold model: N events are pending; each step pops the earliest one and pushes a new one at
 * its time plus an exponential delay (mean 1,000,000 ms, so ties are rare but happen). The queue size
 * stays N. One "event" is one pop plus its push. Each repetition times M events and prints one line:
 *
 *   hold impl=rollsim rep=<r> n=<N> events=<M> seconds=<s> events_per_sec=<rate> checksum=<x>
 *
 * and the run ends with
 *
 *   hold impl=rollsim median_events_per_sec=<rate> n=<N> events=<M> reps=<R>
 *
 * Usage: bench_hold [N [M [R]]]   (defaults 1000 50000000 7) */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rollsim/queue.h"
#include "rollsim/rng.h"

#define MEAN_DELAY_MS 1000000.0

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static int parse_count(const char *text, unsigned long long *out)
{
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end != '\0' || v == 0)
        return -1;
    *out = v;
    return 0;
}

/* Runs one repetition; returns the seconds spent in the timed loop, or a negative number on failure. */
static double run_once(size_t n, uint64_t events, uint64_t seed, uint64_t *checksum)
{
    rs_queue q;
    rs_rng rng;
    if (rs_queue_init(&q, n) != 0)
        return -1.0;
    rs_rng_seed(&rng, seed, RS_STREAM_BENCH);
    for (size_t i = 0; i < n; i++) {
        if (rs_queue_push(&q, (rs_time)rs_rng_exp(&rng, MEAN_DELAY_MS), 1, (uint32_t)i, 0) != 0) {
            rs_queue_fini(&q);
            return -1.0;
        }
    }

    uint64_t sum = 0, disorder = 0;
    rs_time last = 0;
    rs_event e;
    double t0 = now_seconds();
    for (uint64_t j = 0; j < events; j++) {
        rs_queue_pop(&q, &e);
        disorder += (uint64_t)(e.t < last);
        last = e.t;
        sum += e.a;
        rs_queue_push(&q, e.t + (rs_time)rs_rng_exp(&rng, MEAN_DELAY_MS), e.kind, e.a, e.b + 1);
    }
    double t1 = now_seconds();

    rs_queue_fini(&q);
    if (disorder) {
        fprintf(stderr, "bench_hold: %" PRIu64 " events popped out of time order\n", disorder);
        return -1.0;
    }
    *checksum = sum ^ (uint64_t)last;
    return t1 - t0;
}

int main(int argc, char **argv)
{
    unsigned long long n = 1000, m = 50000000, reps = 7;
    if (argc > 4 || (argc > 1 && parse_count(argv[1], &n) != 0) || (argc > 2 && parse_count(argv[2], &m) != 0) ||
        (argc > 3 && parse_count(argv[3], &reps) != 0)) {
        fprintf(stderr, "usage: bench_hold [pending (1000) [events (50000000) [repetitions (7)]]]\n");
        return 2;
    }
    double *rates = malloc(reps * sizeof *rates);
    if (!rates)
        return 3;
    for (unsigned long long r = 0; r < reps; r++) {
        uint64_t checksum = 0;
        double secs = run_once((size_t)n, m, 12345 + r, &checksum);
        if (secs < 0) {
            fprintf(stderr, "bench_hold: repetition %llu failed\n", r + 1);
            free(rates);
            return 3;
        }
        double rate = (double)m / secs;
        rates[r] = rate;
        printf("hold impl=rollsim rep=%llu n=%llu events=%llu seconds=%.3f events_per_sec=%.0f checksum=%016" PRIx64
               "\n",
               r + 1, n, m, secs, rate, checksum);
        fflush(stdout);
    }
    qsort(rates, reps, sizeof *rates, cmp_double);
    double median = reps % 2 ? rates[reps / 2] : 0.5 * (rates[reps / 2 - 1] + rates[reps / 2]);
    printf("hold impl=rollsim median_events_per_sec=%.0f n=%llu events=%llu reps=%llu\n", median, n, m, reps);
    free(rates);
    return 0;
}
