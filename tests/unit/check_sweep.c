/* Sweeps: the statistics against known values, the Pareto front on hand-made points, common random
 * numbers (every point meets the same releases), shards that merge into exactly the unsharded summary,
 * resume after an interruption, the file's diagnostics and the trade-off picture. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_image.h>

#include "rollsim/render.h"
#include "rollsim/sweep.h"
#include "runner.h"
#include "test_util.h"

#ifndef RS_SOURCE_DIR
#define RS_SOURCE_DIR "."
#endif

static char tmp[64];
static rs_sweep *sw;
static rs_diagnostics *diag;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static bool same_file(const char *a, const char *b)
{
    char *x = read_all(a), *y = read_all(b);
    bool same = strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

static long count_lines(const char *path)
{
    char *t = read_all(path);
    long n = 0;
    for (char *p = t; *p; p++)
        n += *p == '\n';
    free(t);
    return n;
}

/* A small sweep of the canary scenario: 2 × 2 settings of flagger, 6 releases, half of them faulty. */
static const char *small_sweep(const char *name, uint64_t seed)
{
    static char path[128];
    char text[2048];
    snprintf(path, sizeof path, "%s/%s.json", tmp, name);
    snprintf(text, sizeof text,
             "{\"sweep\": {\"name\": \"%s\", \"scenario\": \"%s/scenarios/canary-healthy.json\",\n"
             " \"policy\": \"%s/scenarios/policies/flagger.lua\", \"duration\": \"12m\",\n"
             " \"params\": {\"threshold\": [1, 5], \"interval\": [\"30s\", \"1m\"]},\n"
             " \"noise\": {\"error_blip\": {\"probability\": 0.5, \"error_rate\": [\"4%%\", \"12%%\"], "
             "\"duration\": [\"30s\", \"90s\"]}, \"blip_start\": [\"0s\", \"4m\"]},\n"
             " \"mix\": [{\"kind\": \"healthy\", \"weight\": 1},\n"
             "         {\"kind\": \"redis_connection_bug\", \"weight\": 1, \"onset\": [\"0s\", \"2m\"], "
             "\"severity\": [0.5, 1]}],\n"
             " \"seeds\": 6, \"seed\": %llu, \"current\": {\"threshold\": 5, \"interval\": \"30s\"}}}\n",
             name, RS_SOURCE_DIR, RS_SOURCE_DIR, (unsigned long long)seed);
    write_file(path, text);
    return path;
}

static void load(const char *path)
{
    rs_status st = rs_sweep_load(path, sw, diag);
    if (st != RS_OK)
        rs_diagnostics_print(diag, stderr);
    ck_assert_int_eq(st, RS_OK);
}

static void exec(const char *out, int shard, int shards, bool resume, rs_sweep_exec_stats *stats)
{
    rs_sweep_exec_opts o = {.jobs = 2, .shard = shard, .shards = shards, .resume = resume};
    rs_error err;
    rs_error_clear(&err);
    rs_status st = rs_sweep_exec(sw, out, &o, stats, &err);
    ck_assert_msg(st == RS_OK, "%s: %s", err.where, err.message);
}

static void finish(const char *out)
{
    rs_sweep_summary *s = NULL;
    rs_error err;
    rs_error_clear(&err);
    rs_status st = rs_sweep_finish(sw, out, false, &s, &err);
    ck_assert_msg(st == RS_OK, "%s: %s", err.where, err.message);
    rs_sweep_summary_free(s);
}

static void setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/rollsim-check-sweep-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    sw = calloc(1, sizeof *sw);
    diag = calloc(1, sizeof *diag);
}

static void teardown(void)
{
    rs_sweep_fini(sw);
    free(sw);
    free(diag);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    ck_assert_int_eq(system(cmd), 0);
}

/* ---- statistics ---- */

START_TEST(wilson_interval_matches_known_values)
{
    const struct {
        long k, n;
        double lo, hi;
    } cases[] = {{5, 10, 0.236593, 0.763407}, {0, 10, 0.0, 0.277533}, {10, 10, 0.722467, 1.0},
                 {81, 263, 0.255289, 0.366210}, {1, 50, 0.003539, 0.104954}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rs_estimate e = rs_sweep_wilson(cases[i].k, cases[i].n);
        ck_assert_double_eq_tol(e.est, (double)cases[i].k / (double)cases[i].n, 1e-12);
        ck_assert_double_eq_tol(e.lo, cases[i].lo, 1e-6);
        ck_assert_double_eq_tol(e.hi, cases[i].hi, 1e-6);
    }
    ck_assert(isnan(rs_sweep_wilson(0, 0).est));
}
END_TEST

START_TEST(quantile_interval_comes_from_order_statistics)
{
    double x[1000];
    for (int i = 0; i < 1000; i++)
        x[i] = i + 1; /* x(i) = i */
    rs_estimate m = rs_sweep_quantile(x, 100, 0.5);
    ck_assert_double_eq(m.est, 50);
    ck_assert_double_eq(m.lo, 40); /* the textbook interval of the median for n = 100: x(40), x(61) */
    ck_assert_double_eq(m.hi, 61);
    m = rs_sweep_quantile(x, 10, 0.5);
    ck_assert_double_eq(m.lo, 2);
    ck_assert_double_eq(m.hi, 9);
    m = rs_sweep_quantile(x, 5, 0.5); /* too few values for a 95% interval: P(all 5 below) = 1/32 */
    ck_assert_double_eq(m.est, 3);
    ck_assert(isnan(m.lo) && isnan(m.hi));
    rs_estimate p = rs_sweep_quantile(x, 100, 0.95);
    ck_assert_double_eq(p.est, 95);
    ck_assert_double_eq(p.lo, 90);
    ck_assert_double_eq(p.hi, 100);
    p = rs_sweep_quantile(x, 1000, 0.95);
    ck_assert_double_eq(p.lo, 936);
    ck_assert_double_eq(p.hi, 964);
    p = rs_sweep_quantile(x, 30, 0.95); /* the upper bound would need x(31) */
    ck_assert_double_eq(p.lo, 26);
    ck_assert(isnan(p.hi));
    ck_assert(isnan(rs_sweep_quantile(x, 0, 0.5).est));
}
END_TEST

START_TEST(mean_interval_is_normal)
{
    const double x[] = {1, 2, 3, 4, 5};
    rs_estimate e = rs_sweep_mean(x, 5);
    double half = 1.959963984540054 * sqrt(2.5 / 5);
    ck_assert_double_eq_tol(e.est, 3, 1e-12);
    ck_assert_double_eq_tol(e.lo, 3 - half, 1e-12);
    ck_assert_double_eq_tol(e.hi, 3 + half, 1e-12);
    ck_assert(isnan(rs_sweep_mean(x, 1).lo));
}
END_TEST

START_TEST(pareto_front_keeps_only_the_undominated_points)
{
    /* 0: front; 1: front; 2 dominated by 0; 3 dominated by 1; 4: front (fewest false rollbacks);
     * 5 equals 1: both stay; 6 has no time to detect: never on the front */
    const double x[] = {0.10, 0.20, 0.15, 0.30, 0.05, 0.20, 0.0};
    const double y[] = {100, 50, 120, 50, 200, 50, NAN};
    bool front[7];
    rs_sweep_pareto(x, y, 7, front);
    const bool want[] = {true, true, false, false, true, true, false};
    for (int i = 0; i < 7; i++)
        ck_assert_msg(front[i] == want[i], "point %d", i);
}
END_TEST

/* ---- releases and runs ---- */

START_TEST(every_point_meets_the_same_releases)
{
    load(small_sweep("crn", 3));
    rs_scenario *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    for (int k = 0; k < sw->seeds; k++) {
        rs_sweep_release ra, rb;
        rs_sweep_draw(sw, k, &ra);
        rs_sweep_draw(sw, k, &rb);
        ck_assert_int_eq(memcmp(&ra, &rb, sizeof ra), 0);
        memcpy(a, sw->base, sizeof *a);
        memcpy(b, sw->base, sizeof *b);
        rs_sweep_apply(sw, &ra, a);
        rs_sweep_apply(sw, &ra, b);
        ck_assert_int_eq(memcmp(a, b, sizeof *a), 0);
        /* two settings, one release: the traffic before the deploy is the same to the request */
        double rpm[2];
        for (int point = 0; point < 2; point++) {
            char t1[64], t2[64];
            snprintf(t1, sizeof t1, "threshold=%s", sw->params[0].values[point]);
            snprintf(t2, sizeof t2, "interval=%s", sw->params[1].values[point]);
            const char *params[] = {t1, t2}, *files[] = {sw->policy_path};
            rs_run_opts o = {.policy_files = files, .n_policy_files = 1, .params = params, .n_params = 2};
            rs_run run;
            rs_error err;
            ck_assert_int_eq(rs_run_prepare(a, ra.seed, &o, &run, &err), RS_OK);
            rs_sim_run_until(run.sim, sw->deploy_at - 1);
            rpm[point] = rs_sim_query(run.sim, RS_METRIC_REQUEST_RATE, 0, -1, RS_MIN(1));
            rs_run_free(&run);
        }
        ck_assert_double_eq(rpm[0], rpm[1]);
    }
    /* releases differ from one another, and a different sweep seed draws other releases */
    rs_sweep_release r0, r1;
    rs_sweep_draw(sw, 0, &r0);
    rs_sweep_draw(sw, 1, &r1);
    ck_assert(r0.seed != r1.seed);
    free(a);
    free(b);
}
END_TEST

START_TEST(a_run_line_reads_back_as_the_same_run)
{
    load(small_sweep("line", 1));
    rs_scenario *sc = malloc(sizeof *sc);
    memcpy(sc, sw->base, sizeof *sc);
    for (int k = 0; k < sw->seeds; k++) {
        rs_sweep_run run, back;
        rs_error err;
        ck_assert_int_eq(rs_sweep_run_one(sw, 1, k, sc, &run, &err), RS_OK);
        char line[1024];
        int n = rs_sweep_run_line(sw, &run, line, sizeof line);
        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(rs_sweep_run_parse(sw, line, (size_t)n - 1, &back, &err), RS_OK);
        ck_assert_int_eq(back.point, 1);
        ck_assert_int_eq(back.seed, k);
        ck_assert_int_eq(back.rolled_back, run.rolled_back);
        ck_assert(isnan(run.ttd_s) ? isnan(back.ttd_s) : fabs(back.ttd_s - run.ttd_s) < 1e-3);
        ck_assert(fabs(back.failed - run.failed) < 1e-3);
        if (sw->mix[run.mix].fault < 0)
            ck_assert(isnan(run.ttd_s)); /* a healthy release has nothing to detect */
    }
    free(sc);
}
END_TEST

/* ---- shards, merge, resume ---- */

START_TEST(merged_shards_give_the_unsharded_summary_byte_for_byte)
{
    load(small_sweep("shards", 1));
    char one[128], shard[3][128], merged[128];
    snprintf(one, sizeof one, "%s/one", tmp);
    snprintf(merged, sizeof merged, "%s/merged", tmp);
    rs_sweep_exec_stats st;
    exec(one, 0, 1, false, &st);
    ck_assert_int_eq(st.total, 24);
    ck_assert_int_eq(st.done, 24);
    finish(one);
    const char *dirs[3];
    long sum = 0;
    for (int i = 0; i < 3; i++) {
        snprintf(shard[i], sizeof shard[i], "%s/shard%d", tmp, i);
        exec(shard[i], i, 3, false, &st);
        ck_assert_int_eq(st.total, 8);
        sum += st.done;
        dirs[i] = shard[i];
    }
    ck_assert_int_eq(sum, 24);
    rs_sweep *m = calloc(1, sizeof *m);
    rs_sweep_summary *s = NULL;
    rs_error err;
    rs_error_clear(&err);
    ck_assert_msg(rs_sweep_merge(merged, dirs, 3, false, m, &s, &err) == RS_OK, "%s", err.message);
    ck_assert_int_eq(s->runs, 24);
    rs_sweep_summary_free(s);
    rs_sweep_fini(m);
    free(m);
    char a[160], b[160];
    const char *files[] = {"points.csv", "points.jsonl"};
    for (int i = 0; i < 2; i++) {
        snprintf(a, sizeof a, "%s/%s", one, files[i]);
        snprintf(b, sizeof b, "%s/%s", merged, files[i]);
        ck_assert_msg(same_file(a, b), "%s differs between the unsharded sweep and the merged shards", files[i]);
    }
    /* two shards only: runs are missing, and merge says so */
    m = calloc(1, sizeof *m);
    snprintf(merged, sizeof merged, "%s/partial", tmp);
    ck_assert_int_eq(rs_sweep_merge(merged, dirs, 2, false, m, &s, &err), RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "missing"));
    rs_sweep_fini(m);
    free(m);
}
END_TEST

START_TEST(resume_skips_the_finished_runs_and_gives_the_same_summary)
{
    load(small_sweep("resume", 1));
    char full[128], cut[128], path[160], csv_full[160], csv_cut[160];
    snprintf(full, sizeof full, "%s/full", tmp);
    snprintf(cut, sizeof cut, "%s/cut", tmp);
    rs_sweep_exec_stats st;
    exec(full, 0, 1, false, &st);
    finish(full);
    /* an interrupted sweep: 10 finished runs and a line cut short by a crash */
    snprintf(path, sizeof path, "%s/runs.jsonl", full);
    char *text = read_all(path), *p = text;
    for (int i = 0; i < 10; i++)
        p = strchr(p, '\n') + 1;
    char keep[64];
    snprintf(keep, sizeof keep, "%.20s", p); /* half of the 11th line, without its newline */
    *p = '\0';
    char cmd[256];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", cut);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/runs.jsonl", cut);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fputs(keep, f);
    fclose(f);
    free(text);
    rs_error err;
    rs_error_clear(&err);
    rs_sweep_exec_opts o = {.jobs = 2};
    ck_assert_int_eq(rs_sweep_exec(sw, cut, &o, &st, &err), RS_BAD_INPUT); /* not without --resume */
    exec(cut, 0, 1, true, &st);
    ck_assert_int_eq(st.skipped, 10);
    ck_assert_int_eq(st.done, 14);
    ck_assert_int_eq(count_lines(path), 24); /* the cut line is gone */
    finish(cut);
    snprintf(csv_full, sizeof csv_full, "%s/points.csv", full);
    snprintf(csv_cut, sizeof csv_cut, "%s/points.csv", cut);
    ck_assert(same_file(csv_full, csv_cut));
    /* nothing left to do */
    exec(cut, 0, 1, true, &st);
    ck_assert_int_eq(st.skipped, 24);
    ck_assert_int_eq(st.done, 0);
    /* a changed sweep file refuses to resume */
    rs_sweep_fini(sw);
    load(small_sweep("resume", 2));
    ck_assert_int_eq(rs_sweep_exec(sw, cut, &o, &st, &err), RS_BAD_INPUT);
    o.resume = true;
    ck_assert_int_eq(rs_sweep_exec(sw, cut, &o, &st, &err), RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "another sweep"));
}
END_TEST

/* ---- the file ---- */

START_TEST(a_bad_sweep_file_is_reported_with_json_paths)
{
    char path[128], text[1024];
    snprintf(path, sizeof path, "%s/bad.json", tmp);
    snprintf(text, sizeof text,
             "{\"sweep\": {\"scenario\": \"%s/scenarios/canary-healthy.json\", \"policy\": \"flagger\",\n"
             " \"params\": {\"threshold\": [1, 2, 2], \"interval\": {\"from\": \"30s\", \"to\": \"10s\", \"step\": \"10s\"}},\n"
             " \"mix\": [{\"kind\": \"redis_bug\", \"weight\": 1}, {\"kind\": \"healthy\", \"weight\": 0}],\n"
             " \"current\": {\"threshold\": 7}, \"seedz\": 3}}\n",
             RS_SOURCE_DIR);
    write_file(path, text);
    ck_assert_int_eq(rs_sweep_load(path, sw, diag), RS_BAD_INPUT);
    /* every problem, each at its place */
    const char *want[] = {"($.sweep.params.threshold[2]): error: the value 2 is listed twice",
                          "($.sweep.params.interval): error: a range needs step > 0 and to >= from",
                          "($.sweep.mix[0].kind): error: unknown kind 'redis_bug'",
                          "($.sweep.mix[1].weight): error: a weight must be above 0",
                          "($.sweep.current.threshold): error: 7 is not among the values",
                          "($.sweep): error: unknown key 'seedz'"};
    char all[8192] = "";
    for (int i = 0; i < diag->count; i++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s: error: %s\n", diag->items[i].where,
                 diag->items[i].message);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(strstr(all, want[i]) != NULL, "'%s' not in:\n%s", want[i], all);
}
END_TEST

START_TEST(an_unknown_parameter_of_the_policy_is_refused_when_loading)
{
    char path[128], text[1024];
    snprintf(path, sizeof path, "%s/param.json", tmp);
    snprintf(text, sizeof text,
             "{\"sweep\": {\"scenario\": \"%s/scenarios/canary-healthy.json\", \"policy\": \"flagger\",\n"
             " \"params\": {\"treshold\": [1, 2]}, \"mix\": [{\"kind\": \"healthy\", \"weight\": 1}]}}\n",
             RS_SOURCE_DIR);
    write_file(path, text);
    ck_assert_int_eq(rs_sweep_load(path, sw, diag), RS_BAD_INPUT);
    ck_assert_int_ge(diag->count, 1);
    ck_assert_msg(strstr(diag->items[0].message, "treshold") != NULL, "%s", diag->items[0].message);
}
END_TEST

START_TEST(the_trade_off_picture_is_a_png_of_the_asked_size)
{
    load(small_sweep("png", 1));
    char out[128], png[160];
    snprintf(out, sizeof out, "%s/png", tmp);
    rs_sweep_exec_stats st;
    exec(out, 0, 1, false, &st);
    rs_sweep_summary *s = NULL;
    rs_error err;
    rs_error_clear(&err);
    ck_assert_int_eq(rs_sweep_finish(sw, out, false, &s, &err), RS_OK);
    ck_assert_int_eq(s->n_points, 4);
    ck_assert(s->points[sw->current].current);
    snprintf(png, sizeof png, "%s/tradeoff.png", tmp);
    ck_assert_msg(rs_render_sweep_png(s, png, 960, 540, &err) == RS_OK, "%s", err.message);
    SDL_Surface *img = IMG_Load(png);
    ck_assert_ptr_nonnull(img);
    ck_assert_int_eq(img->w, 960);
    ck_assert_int_eq(img->h, 540);
    SDL_FreeSurface(img);
    ck_assert_int_eq(rs_render_sweep_png(s, png, 100, 100, &err), RS_BAD_INPUT);
    rs_sweep_summary_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sweep");
    TCase *stats = tcase_create("statistics");
    tcase_add_test(stats, wilson_interval_matches_known_values);
    tcase_add_test(stats, quantile_interval_comes_from_order_statistics);
    tcase_add_test(stats, mean_interval_is_normal);
    tcase_add_test(stats, pareto_front_keeps_only_the_undominated_points);
    suite_add_tcase(s, stats);
    TCase *runs = tcase_create("runs");
    tcase_add_checked_fixture(runs, setup, teardown);
    tcase_set_timeout(runs, 300);
    tcase_add_test(runs, every_point_meets_the_same_releases);
    tcase_add_test(runs, a_run_line_reads_back_as_the_same_run);
    tcase_add_test(runs, merged_shards_give_the_unsharded_summary_byte_for_byte);
    tcase_add_test(runs, resume_skips_the_finished_runs_and_gives_the_same_summary);
    tcase_add_test(runs, a_bad_sweep_file_is_reported_with_json_paths);
    tcase_add_test(runs, an_unknown_parameter_of_the_policy_is_refused_when_loading);
    tcase_add_test(runs, the_trade_off_picture_is_a_png_of_the_asked_size);
    suite_add_tcase(s, runs);
    return tu_run(s);
}
