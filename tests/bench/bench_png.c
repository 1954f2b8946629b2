/* PNG benchmark: renders the timeline of a run (the built-in seed incident, or a scenario file) N times
 * and prints the median wall time of rs_render_png_buffer; with OUT it also writes the picture.
 * usage: bench_png [N] [WxH] [OUT.png] [SCENARIO.json] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rollsim/io.h"
#include "rollsim/render.h"
#include "rollsim/sim.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 9, w = RS_RENDER_DEFAULT_W, h = RS_RENDER_DEFAULT_H;
    if (n < 1 || n > 999 || (argc > 2 && rs_render_parse_size(argv[2], &w, &h) != 0)) {
        fprintf(stderr, "usage: bench_png [N] [WxH] [OUT.png] [SCENARIO.json]\n");
        return 2;
    }
    rs_scenario *sc = malloc(sizeof *sc);
    rs_diagnostics *diag = malloc(sizeof *diag);
    rs_status st = argc > 4 ? rs_scenario_load_file(argv[4], NULL, 0, sc, diag)
                            : rs_scenario_load_string(rs_default_scenario_json, "<built-in default>", NULL, 0, sc, diag);
    if (st != RS_OK) {
        rs_diagnostics_print(diag, stderr);
        return 2;
    }
    rs_sim *sim = rs_sim_new(sc, sc->seed, NULL);
    if (!sim)
        return 3;
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    double times[999];
    for (int i = 0; i < n; i++) {
        void *png;
        size_t size;
        rs_error err;
        double t0 = now_ms();
        if (rs_render_png_buffer(r, w, h, &png, &size, &err) != RS_OK) {
            fprintf(stderr, "bench_png: %s\n", err.message);
            return 3;
        }
        times[i] = now_ms() - t0;
        if (i == 0 && argc > 3 && rs_write_file_atomic(argv[3], png, size, &err) != RS_OK) {
            fprintf(stderr, "bench_png: %s\n", err.message);
            return 3;
        }
        if (i == 0)
            printf("%dx%d: %zu bytes\n", w, h, size);
        free(png);
    }
    qsort(times, (size_t)n, sizeof *times, cmp);
    printf("render to PNG %dx%d: median %.1f ms over %d runs (min %.1f, max %.1f)\n", w, h, times[n / 2], n,
           times[0], times[n - 1]);
    rs_sim_free(sim);
    free(diag);
    free(sc);
    return 0;
}
