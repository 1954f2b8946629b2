/* Scale benchmark: a steady service of P pods at R requests/s for D simulated days (no faults, the
 * default alert rules evaluated all along). Prints wall time, events/s and peak memory, so that
 * docs/performance.md can show the cost flat in the request rate.
 * usage: bench_scale PODS DAYS RPS [REPEATS] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "rollsim/sim.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int pods = argc > 1 ? atoi(argv[1]) : 10000;
    double days = argc > 2 ? atof(argv[2]) : 7;
    double rps = argc > 3 ? atof(argv[3]) : 1e6;
    int repeats = argc > 4 ? atoi(argv[4]) : 3;
    if (pods < 1 || days <= 0 || rps <= 0 || repeats < 1 || repeats > 99) {
        fprintf(stderr, "usage: bench_scale PODS DAYS RPS [REPEATS]\n");
        return 2;
    }
    rs_scenario *sc = malloc(sizeof *sc);
    rs_scenario_defaults(sc);
    sc->deployment.replicas = pods;
    sc->traffic.rpm = rps * 60.0;
    sc->traffic.daily_amplitude = 0.3;
    sc->duration = (rs_time)(days * 86400000.0);
    rs_scenario_default_alerts(sc);
    double times[99];
    double total_requests = 0;
    size_t samples = 0;
    for (int i = 0; i < repeats; i++) {
        double t0 = now_s();
        rs_sim *sim = rs_sim_new(sc, 1, NULL);
        if (!sim)
            return 3;
        rs_sim_run(sim);
        const rs_result *r = rs_sim_result(sim);
        total_requests = r->scores.total_requests;
        samples = r->n_series;
        rs_sim_free(sim);
        times[i] = now_s() - t0;
    }
    qsort(times, (size_t)repeats, sizeof *times, cmp);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("pods=%d days=%g rps=%g median_s=%.3f min_s=%.3f requests=%.3g samples=%zu maxrss_mib=%.1f\n", pods, days,
           rps, times[repeats / 2], times[0], total_requests, samples, ru.ru_maxrss / 1024.0);
    free(sc);
    return 0;
}
