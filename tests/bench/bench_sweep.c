/* rollsim — how many scenario runs a second a sweep gets, per core and on all cores.
 *
 * The default canary scenario (scenarios/canary-healthy.json: a healthy v1.1 through the seed's Flagger
 * canary, with flagger.lua), set to 30 simulated minutes, is run RUNS times with seeds 0, 1, 2, ... by 1
 * thread and then by every processor, each run prepared, run to its end and freed through the shared
 * runner, lean (no dashboard series) and with the policy compiled once, as `rollsim sweep` does. The
 * heap is kept between runs as the sweep command keeps it (mallopt).
 * Each repetition prints one line, then the medians:
 *
 *   sweep jobs=<j> rep=<r> runs=<N> seconds=<s> runs_per_s=<x> per_core=<x/j>
 *   sweep jobs=<j> median_runs_per_s=<x> per_core=<x/j> runs=<N> reps=<R>
 *
 * Usage: bench_sweep [RUNS [REPS [SCENARIO]]]   (defaults 4000 5 scenarios/canary-healthy.json) */
#define _POSIX_C_SOURCE 200809L

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rollsim/io.h"
#include "runner.h"

#ifndef RS_SOURCE_DIR
#define RS_SOURCE_DIR "."
#endif

typedef struct {
    const rs_scenario *sc;
    const rs_policy_cache *cache;
    long runs;
    atomic_long next;
    atomic_int failed;
} job;

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

static void *worker(void *arg)
{
    job *j = arg;
    for (long i; (i = atomic_fetch_add(&j->next, 1)) < j->runs;) {
        rs_run run;
        rs_error err;
        rs_error_clear(&err);
        rs_run_opts o = {.cache = j->cache};
        if (rs_run_prepare(j->sc, (uint64_t)i, &o, &run, &err) != RS_OK) {
            fprintf(stderr, "bench_sweep: %s: %s\n", err.where, err.message);
            atomic_store(&j->failed, 1);
            break;
        }
        rs_sim_set_lean(run.sim, true); /* as rs_sweep_run_one: no dashboard series */
        rs_sim_run(run.sim);
        if (rs_sim_result(run.sim)->outcome.error_code != RS_OK)
            atomic_store(&j->failed, 1);
        rs_run_free(&run);
    }
    return NULL;
}

/* Runs per second of `runs` runs over `jobs` threads, or a negative number on failure. */
static double run_once(const rs_scenario *sc, const rs_policy_cache *cache, long runs, int jobs)
{
    job j = {sc, cache, runs, 0, 0};
    pthread_t t[64];
    double t0 = now_seconds();
    int started = 0;
    for (; started < jobs; started++)
        if (pthread_create(&t[started], NULL, worker, &j) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    double s = now_seconds() - t0;
    return atomic_load(&j.failed) || started == 0 ? -1 : (double)runs / s;
}

int main(int argc, char **argv)
{
    long runs = argc > 1 ? atol(argv[1]) : 4000, reps = argc > 2 ? atol(argv[2]) : 5;
    const char *path = argc > 3 ? argv[3] : RS_SOURCE_DIR "/scenarios/canary-healthy.json";
    if (runs <= 0 || reps <= 0 || reps > 99) {
        fprintf(stderr, "usage: bench_sweep [RUNS [REPS [SCENARIO]]]\n");
        return 2;
    }
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    rs_scenario *sc = malloc(sizeof *sc);
    rs_diagnostics *diag = malloc(sizeof *diag);
    const char *sets[] = {"duration=30m"};
    if (!sc || !diag || rs_scenario_load_file(path, sets, 1, sc, diag) != RS_OK) {
        if (diag)
            rs_diagnostics_print(diag, stderr);
        return 1;
    }
    rs_policy_cache *cache = rs_policy_cache_new(); /* as the sweep: each policy file compiled once */
    for (int i = 0; cache && i < sc->n_policies; i++) {
        rs_error err;
        rs_error_clear(&err);
        if (rs_policy_cache_add(cache, sc->policies[i].file, &err) != RS_OK) {
            fprintf(stderr, "bench_sweep: %s: %s\n", err.where, err.message);
            return 1;
        }
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int all = cores > 1 ? (int)(cores < 64 ? cores : 64) : 1;
    int code = 0;
    for (int jobs = 1; jobs <= all && code == 0; jobs = jobs == all ? all + 1 : all) {
        double rate[100];
        for (long r = 0; r < reps; r++) {
            rate[r] = run_once(sc, cache, runs, jobs);
            if (rate[r] < 0) {
                code = 1;
                break;
            }
            printf("sweep jobs=%d rep=%ld runs=%ld seconds=%.3f runs_per_s=%.0f per_core=%.0f\n", jobs, r, runs,
                   (double)runs / rate[r], rate[r], rate[r] / jobs);
            fflush(stdout);
        }
        if (code == 0) {
            qsort(rate, (size_t)reps, sizeof *rate, cmp_double);
            printf("sweep jobs=%d median_runs_per_s=%.0f per_core=%.0f runs=%ld reps=%ld\n", jobs, rate[reps / 2],
                   rate[reps / 2] / jobs, runs, reps);
        }
    }
    rs_policy_cache_free(cache);
    free(sc);
    free(diag);
    return code;
}
