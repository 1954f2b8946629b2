/* Training window benchmark: the live window at 1920×1080 with 500 pods (the seed incident with
 * deployment.replicas=500) at 60×, under Xvfb: the work time of each frame (drain events, update — the
 * simulation included —, draw, present) over 600 frames, median, p95 and max. 60 frames a second needs
 * under 16.7 ms. Run it under a display:
 *     xvfb-run -a -s "-screen 0 1920x1080x24" build/tests/bench/bench_train [FRAMES] [WxH] [SPEED] [auto]
 * The last argument "auto" lets SDL pick its renderer; by default it is SDL's software renderer. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rollsim/io.h"
#include "rollsim/render.h"
#include "rollsim/train.h"

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
    int frames = argc > 1 ? atoi(argv[1]) : 600, w = 1920, h = 1080;
    double speed = argc > 3 ? atof(argv[3]) : 60;
    bool accelerated = argc > 4 && strcmp(argv[4], "auto") == 0;
    if (frames < 10 || frames > 100000 || (argc > 2 && rs_render_parse_size(argv[2], &w, &h) != 0)) {
        fprintf(stderr, "usage: bench_train [FRAMES] [WxH] [SPEED] [auto]\n");
        return 2;
    }
    rs_train_record rec;
    rs_train_record_init(&rec);
    snprintf(rec.scenario, sizeof rec.scenario, "%s", RS_TRAIN_BUILTIN);
    rec.scenario_text = malloc(strlen(rs_default_scenario_json) + 1);
    memcpy(rec.scenario_text, rs_default_scenario_json, strlen(rs_default_scenario_json) + 1);
    snprintf(rec.sets[rec.n_sets++], sizeof rec.sets[0], "deployment.replicas=500");
    /* 500 pods from the start and through the whole rollout: a 25% surge keeps the rollout going */
    snprintf(rec.sets[rec.n_sets++], sizeof rec.sets[0], "deployment.strategy.rollingUpdate.maxSurge=\"25%%\"");
    rec.seed = 42;
    rs_scenario *sc = malloc(sizeof *sc);
    rs_diagnostics *diag = malloc(sizeof *diag);
    if (rs_train_record_scenario(&rec, sc, diag) != RS_OK) {
        rs_diagnostics_print(diag, stderr);
        return 2;
    }
    rs_error err;
    rs_train_session *s = rs_train_session_new(sc, &rec, NULL, &err);
    if (!s) {
        fprintf(stderr, "bench_train: %s\n", err.message);
        return 3;
    }
    double *ms = calloc((size_t)frames, sizeof *ms);
    char renderer[32] = "?";
    rs_train_window_opts o = {.w = w, .h = h, .speed = speed, .accelerated = accelerated, .bench_frames = frames,
                              .frame_ms = ms, .renderer_name = renderer};
    double t0 = now_s();
    if (rs_train_window_run(s, &o, &err) != RS_OK) {
        fprintf(stderr, "bench_train: %s\n", err.message);
        return 3;
    }
    double wall = now_s() - t0;
    int pods = rs_sim_pods(rs_train_session_sim(s), NULL, 0);
    char clock[24];
    rs_format_clock(rs_sim_now(rs_train_session_sim(s)), clock, sizeof clock);
    double sum = 0;
    for (int i = 0; i < frames; i++)
        sum += ms[i];
    qsort(ms, (size_t)frames, sizeof *ms, cmp);
    printf("bench_train: %d frames at %dx%d, %d pods at the end (%s simulated), %g×, renderer %s\n", frames, w, h,
           pods, clock, speed, renderer);
    printf("frame work time: median %.2f ms, p95 %.2f ms, max %.2f ms, mean %.2f ms (60 fps needs < 16.7 ms)\n",
           ms[frames / 2], ms[(int)(frames * 0.95)], ms[frames - 1], sum / frames);
    printf("frames shown: %.1f per second over %.1f s (paced at 60, window creation included)\n", frames / wall, wall);
    int code = ms[frames / 2] < 16.7 ? 0 : 1;
    rs_train_session_free(s);
    rs_train_record_fini(&rec);
    free(ms);
    free(sc);
    free(diag);
    return code;
}
