/* Geometry of the timeline picture, without SDL: a fake text measure (width 0.6 × size per character)
 * stands in for the font. Time ticks are nice and monotonic from 30 s to 7 days; marker labels, and all
 * texts, never overlap and stay inside the picture; lanes do not overlap; at 1280×720 and 3840×2160. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "rollsim/io.h"
#include "rollsim/sim.h"
#include "test_util.h"

static const int sizes[][2] = {{1280, 720}, {3840, 2160}};

static void fake_measure(void *ctx, rs_face face, int px, const char *text, int *w, int *h)
{
    (void)ctx, (void)face;
    int chars = 0;
    for (const char *p = text; *p; p++)
        chars += ((unsigned char)*p & 0xc0) != 0x80;
    *w = (int)ceil(0.6 * px * chars);
    *h = (int)ceil(1.2 * px);
}

/* ---- a synthetic run: two versions, an incident at fixed fractions of the range ---- */

typedef struct {
    rs_scenario sc;
    rs_result r;
    rs_layout L;
} fixture;

static void add_event(fixture *f, double frac, rs_event_kind kind, const char *detail)
{
    rs_result *r = &f->r;
    rs_timeline_entry *e = &r->timeline[r->n_timeline++];
    e->t_ms = (rs_time)(frac * (double)r->outcome.end_ms);
    e->kind = kind;
    snprintf(e->detail, sizeof e->detail, "%s", detail);
}

static int cmp_entry(const void *a, const void *b)
{
    const rs_timeline_entry *x = a, *y = b;
    return x->t_ms < y->t_ms ? -1 : x->t_ms > y->t_ms;
}

static void fill_series(fixture *f, int n)
{
    rs_result *r = &f->r;
    r->n_series = (size_t)n;
    r->series = calloc((size_t)n, sizeof *r->series);
    for (int i = 0; i < n; i++) {
        rs_sample *s = &r->series[i];
        double frac = (double)(i + 1) / n, bad = frac > 0.12 && frac < 0.5 ? 1 : 0;
        s->t_ms = (rs_time)(frac * (double)r->outcome.end_ms);
        s->rpm = 10000;
        s->error_rate = bad ? 0.15 : 0.001;
        s->latency_p95_ms = bad ? 3000 : 150;
        s->latency_p99_ms = bad ? 5000 : 210;
        s->cpu = 0.4;
        s->memory = 0.6;
        int v = frac > 0.1 && frac < 0.45 ? 1 : 0;
        s->ready_by_version[v] = s->total_by_version[v] = 5;
        s->share_by_version[v] = 1;
        s->pods_ready = s->pods_total = 5;
    }
}

/* A run of `range` ms; dense adds bursts of OOM kills, canary steps and decisions. */
static fixture *synthetic(rs_time range, bool dense)
{
    fixture *f = calloc(1, sizeof *f);
    rs_scenario_defaults(&f->sc);
    snprintf(f->sc.name, sizeof f->sc.name, "synthetic");
    snprintf(f->sc.description, sizeof f->sc.description, "A synthetic incident for layout tests.");
    f->sc.n_versions = 2;
    snprintf(f->sc.versions[0].name, sizeof f->sc.versions[0].name, "v2.4");
    snprintf(f->sc.versions[1].name, sizeof f->sc.versions[1].name, "v2.5");
    rs_scenario_default_alerts(&f->sc);
    rs_result *r = &f->r;
    r->scenario = &f->sc;
    r->seed = 42;
    r->outcome.end_ms = range;
    snprintf(r->outcome.final_version, sizeof r->outcome.final_version, "v2.4");
    r->scores.mttd_s = r->scores.mtta_s = r->scores.mttm_s = r->scores.mttr_s = NAN;
    r->scores.score = 95;
    r->timeline = calloc(200, sizeof *r->timeline);
    add_event(f, 0.10, RS_EV_DEPLOY_START, "deploy v2.4 → v2.5 (revision 10): rolling update");
    add_event(f, 0.12, RS_EV_FAULT_ONSET, "v2.5: redis_connection_bug: requests fail");
    add_event(f, 0.13, RS_EV_IMPACT_START, "users impacted");
    add_event(f, 0.15, RS_EV_ALERT_PENDING, "HighErrorRate [critical]: error_rate = 6% > 5%");
    add_event(f, 0.18, RS_EV_ALERT_FIRING, "HighErrorRate [critical]: error_rate = 9% > 5%");
    add_event(f, 0.19, RS_EV_PAGE, "on-call paged");
    add_event(f, 0.21, RS_EV_ACK, "acknowledged");
    add_event(f, 0.30, RS_EV_DECISION, "operator: rollback to v2.4 (revision 9) — correct: impact too high");
    add_event(f, 0.30, RS_EV_ROLLBACK_START, "kubectl rollout undo: v2.5 (revision 10) → v2.4 (revision 11): rolling");
    add_event(f, 0.36, RS_EV_ROLLBACK_COMPLETE, "rolled back");
    add_event(f, 0.40, RS_EV_ALERT_RESOLVED, "HighErrorRate [critical]: back to 1%");
    add_event(f, 0.45, RS_EV_RECOVERED, "recovered");
    add_event(f, 0.47, RS_EV_RESOLVED, "resolved");
    if (dense) {
        unsigned x = 12345;
        static const rs_event_kind kinds[] = {RS_EV_POD_OOMKILLED, RS_EV_POD_CRASHLOOP, RS_EV_TRAFFIC,
                                              RS_EV_DECISION, RS_EV_SCALE, RS_EV_ACK, RS_EV_ALERT_FIRING};
        for (int i = 0; i < 120; i++) {
            x = x * 1103515245u + 12345u;
            double frac = (double)(x >> 8 & 0xffff) / 65536.0;
            rs_event_kind k = kinds[(x >> 4) % (sizeof kinds / sizeof kinds[0])];
            add_event(f, frac, k, k == RS_EV_TRAFFIC ? "canary weight 30%: 30% of requests"
                                  : k == RS_EV_ALERT_FIRING ? "HighLatency [warning]: p95 = 900 ms > 300 ms"
                                                            : "policy: pause the rollout because the error rate climbs");
        }
    }
    qsort(r->timeline, r->n_timeline, sizeof *r->timeline, cmp_entry);
    fill_series(f, 400);
    return f;
}

static void free_fixture(fixture *f)
{
    free(f->r.timeline);
    free(f->r.series);
    free(f);
}

static void layout(rs_layout *L, const rs_result *r, int w, int h)
{
    rs_layout_opts o = {w, h, 0, 0, fake_measure, NULL};
    rs_layout_compute(L, r, &o);
}

/* ---- checks shared by the tests ---- */

static bool inside(rs_box b, int w, int h)
{
    return b.x >= 0 && b.y >= 0 && b.x + b.w <= w && b.y + b.h <= h;
}

static void check_texts(const rs_layout *L, const char *what)
{
    for (int i = 0; i < L->n_texts; i++) {
        const rs_text *a = &L->texts[i];
        ck_assert_msg(inside(a->box, L->w, L->h), "%s %dx%d: text '%s' at (%g,%g %gx%g) leaves the picture", what,
                      L->w, L->h, a->text, a->box.x, a->box.y, a->box.w, a->box.h);
        for (int j = i + 1; j < L->n_texts; j++)
            ck_assert_msg(!rs_box_overlap(a->box, L->texts[j].box), "%s %dx%d: texts '%s' and '%s' overlap", what,
                          L->w, L->h, a->text, L->texts[j].text);
    }
}

static void check_markers(const rs_layout *L, const char *what)
{
    for (int i = 0; i < L->n_markers; i++) {
        const rs_marker *m = &L->markers[i];
        ck_assert(m->x >= L->x0 - 1 && m->x <= L->x1 + 1);
        if (m->text < 0)
            continue;
        rs_box a = L->texts[m->text].box;
        ck_assert_msg(inside(a, L->w, L->h) && a.y >= L->marker_rows.y - 0.5f &&
                          a.y + a.h <= L->marker_rows.y + L->marker_rows.h + 0.5f,
                      "%s: marker label '%s' outside its rows", what, L->texts[m->text].text);
        for (int j = 0; j < L->n_markers; j++) {
            const rs_marker *o = &L->markers[j];
            if (j == i || o->text < 0)
                continue;
            rs_box b = L->texts[o->text].box;
            ck_assert_msg(!rs_box_overlap(a, b), "%s: marker labels '%s' and '%s' overlap", what,
                          L->texts[m->text].text, L->texts[o->text].text);
            /* o's stem runs from its label down to the lanes: it must not cross a lower label */
            if (o->row > m->row)
                ck_assert_msg(!(o->x > a.x && o->x < a.x + a.w), "%s: stem of '%s' crosses label '%s'", what,
                              L->texts[o->text].text, L->texts[m->text].text);
        }
    }
}

static void check_lanes(const rs_layout *L)
{
    ck_assert(!rs_box_overlap(L->lanes_box, L->board));
    ck_assert(inside(L->board, L->w, L->h) && inside(L->lanes_box, L->w, L->h));
    for (int i = 0; i < L->n_lanes; i++) {
        const rs_lane *a = &L->lanes[i];
        ck_assert(inside(a->box, L->w, L->h));
        ck_assert(a->plot.x == L->x0 && a->plot.x + a->plot.w == L->x1); /* one time axis */
        ck_assert(a->plot.y >= a->box.y && a->plot.y + a->plot.h <= a->box.y + a->box.h + 0.5f);
        ck_assert(a->plot.h >= 20 * L->unit);
        ck_assert(a->box.y >= L->marker_rows.y + L->marker_rows.h);
        for (int j = i + 1; j < L->n_lanes; j++)
            ck_assert_msg(!rs_box_overlap(a->box, L->lanes[j].box), "lanes %d and %d overlap", i, j);
        for (int k = 1; k < a->left.n_ticks; k++)
            ck_assert(a->left.ticks[k] > a->left.ticks[k - 1] &&
                      rs_lane_y(a, &a->left, a->left.ticks[k]) < rs_lane_y(a, &a->left, a->left.ticks[k - 1]));
    }
}

static bool nice_time_step(rs_time step)
{
    static const rs_time nice[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
                                   21600, 43200, 86400, 172800, 604800};
    for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
        if (step == nice[i] * 1000)
            return true;
    return false;
}

/* ---- tests ---- */

START_TEST(time_ticks_are_nice_and_monotonic_from_30_seconds_to_7_days)
{
    rs_layout *L = malloc(sizeof *L);
    for (int s = 0; s < 2; s++)
        for (double range = 30e3; range <= 7 * 86400e3 * 1.0001; range *= 1.07) {
            fixture *f = synthetic((rs_time)range, false);
            layout(L, &f->r, sizes[s][0], sizes[s][1]);
            ck_assert_msg(nice_time_step(L->tstep), "range %.0f s: step %lld ms is not nice", range / 1e3,
                          (long long)L->tstep);
            ck_assert_msg(L->n_tticks >= 5 && L->n_tticks <= 12, "range %.0f s at %dx%d: %d ticks", range / 1e3,
                          sizes[s][0], sizes[s][1], L->n_tticks);
            for (int i = 0; i < L->n_tticks; i++) {
                ck_assert(L->tticks[i].t % L->tstep == 0);
                ck_assert(L->tticks[i].x >= L->x0 - 0.5f && L->tticks[i].x <= L->x1 + 0.5f);
                if (i > 0)
                    ck_assert(L->tticks[i].t > L->tticks[i - 1].t && L->tticks[i].x > L->tticks[i - 1].x);
            }
            check_texts(L, "synthetic");
            free_fixture(f);
        }
    free(L);
}
END_TEST

START_TEST(time_labels_read_as_a_clock_since_the_start)
{
    char buf[32];
    ck_assert_str_eq(rs_layout_time_label(300000, 60000, buf, sizeof buf), "T+05:00");
    ck_assert_str_eq(rs_layout_time_label(0, 60000, buf, sizeof buf), "T+00:00");
    ck_assert_str_eq(rs_layout_time_label(5400000, 1800000, buf, sizeof buf), "T+1:30:00");
    ck_assert_str_eq(rs_layout_time_label(2 * 86400000LL, 86400000LL, buf, sizeof buf), "T+2d");
    ck_assert_str_eq(rs_layout_time_label(36 * 3600000LL, 12 * 3600000LL, buf, sizeof buf), "T+1d12h");
    ck_assert_str_eq(rs_layout_time_label(6 * 3600000LL, 6 * 3600000LL, buf, sizeof buf), "T+6h");
    ck_assert_int_eq(rs_layout_time_step(30000, 12), 5000);
    ck_assert_int_eq(rs_layout_time_step(20 * 60000, 12), 2 * 60000);
    ck_assert_int_eq(rs_layout_time_step(7 * 86400000LL, 12), 86400000LL);
}
END_TEST

START_TEST(value_steps_are_one_two_or_five_times_a_power_of_ten)
{
    ck_assert_double_eq_tol(rs_layout_nice_step(0.166, 5), 0.05, 1e-12);
    ck_assert_double_eq_tol(rs_layout_nice_step(6, 4), 2, 1e-12);
    ck_assert_double_eq_tol(rs_layout_nice_step(15000, 4), 5000, 1e-9);
    ck_assert_double_eq_tol(rs_layout_nice_step(1, 3), 0.5, 1e-12);
}
END_TEST

START_TEST(dense_marker_labels_never_overlap_nor_cross_stems)
{
    rs_layout *L = malloc(sizeof *L);
    for (int s = 0; s < 2; s++) {
        static const rs_time ranges[] = {60000, 1800000, 6 * 3600000LL, 7 * 86400000LL};
        for (size_t k = 0; k < sizeof ranges / sizeof ranges[0]; k++) {
            fixture *f = synthetic(ranges[k], true);
            layout(L, &f->r, sizes[s][0], sizes[s][1]);
            ck_assert_int_gt(L->n_markers, 10);
            ck_assert_int_le(L->n_marker_rows, RS_LAYOUT_MARKER_ROWS);
            check_markers(L, "dense");
            check_texts(L, "dense");
            check_lanes(L);
            free_fixture(f);
        }
    }
    free(L);
}
END_TEST

static const char *const shipped[] = {"seed-incident", "memory-leak",   "healthy-release",   "data-corruption",
                                      "traffic-drop",  "external-outage", "latency-regression"};

START_TEST(shipped_scenarios_lay_out_without_overlaps)
{
    rs_layout *L = malloc(sizeof *L);
    tu_played *x = tu_play(shipped[_i]);
    for (int s = 0; s < 2; s++) {
        layout(L, rs_sim_result(x->sim), sizes[s][0], sizes[s][1]);
        check_texts(L, shipped[_i]);
        check_markers(L, shipped[_i]);
        check_lanes(L);
        ck_assert_int_ge(L->n_lanes, 5);
    }
    tu_played_free(x);
    free(L);
}
END_TEST

START_TEST(seed_incident_labels_its_story_and_bands_its_alerts)
{
    rs_layout *L = malloc(sizeof *L);
    tu_played *x = tu_play("seed-incident");
    layout(L, rs_sim_result(x->sim), 1280, 720);
    const char *want[] = {"deploy v2.5", "FIRING HighErrorRate", "page", "ack", "undo → v2.4", "recovered",
                          "resolved"};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        bool found = false;
        for (int i = 0; i < L->n_markers; i++)
            if (L->markers[i].text >= 0 && strstr(L->texts[L->markers[i].text].text, want[k]))
                found = true;
        ck_assert_msg(found, "no marker label '%s'", want[k]);
    }
    int errors = -1;
    for (int i = 0; i < L->n_lanes; i++)
        if (L->lanes[i].kind == RS_LANE_ERRORS)
            errors = i;
    bool pending = false, firing = false;
    for (int i = 0; i < L->n_bands; i++) {
        const rs_band *b = &L->bands[i];
        if (b->lane != errors)
            continue;
        if (!b->firing && b->t0 == RS_SEC(375) && b->t1 == RS_SEC(435))
            pending = true; /* T+06:15 to firing at T+07:15 */
        if (b->firing && b->t0 == RS_SEC(435) && b->t1 == RS_SEC(960))
            firing = true;  /* to resolved at T+16:00 */
    }
    ck_assert(pending && firing);
    ck_assert_int_ge(L->lanes[errors].n_thresholds, 1);
    ck_assert_double_eq_tol(L->lanes[errors].thresholds[0].value, 0.05, 1e-12);
    tu_played_free(x);
    free(L);
}
END_TEST

START_TEST(a_version_keeps_its_colour_in_every_lane)
{
    rs_layout *L = malloc(sizeof *L);
    tu_played *x = tu_play("seed-incident");
    layout(L, rs_sim_result(x->sim), 1280, 720);
    ck_assert_int_eq(L->n_versions, 2);
    ck_assert_uint_ne(L->version_color[L->versions[0]], L->version_color[L->versions[1]]);
    for (int v = 0; v < L->n_versions; v++) {
        const char *name = x->sc.versions[L->versions[v]].name;
        int legends = 0;
        for (int i = 0; i < L->n_texts; i++)
            if (L->texts[i].role == RS_TEXT_LEGEND && strcmp(L->texts[i].text, name) == 0)
                legends++;
        ck_assert_int_eq(legends, 2); /* pods and traffic */
        int swatches = 0;
        for (int i = 0; i < L->n_swatches; i++)
            swatches += L->swatches[i].color == L->version_color[L->versions[v]];
        ck_assert_int_eq(swatches, 2);
    }
    tu_played_free(x);
    free(L);
}
END_TEST

START_TEST(the_same_result_gives_the_same_layout)
{
    rs_layout *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    fixture *f = synthetic(3600000, true);
    layout(a, &f->r, 1920, 1080);
    layout(b, &f->r, 1920, 1080);
    ck_assert_int_eq(memcmp(a, b, sizeof *a), 0);
    free_fixture(f);
    free(a);
    free(b);
}
END_TEST

START_TEST(an_empty_run_still_lays_out)
{
    rs_layout *L = malloc(sizeof *L);
    fixture *f = synthetic(60000, false);
    f->r.n_timeline = 0;
    f->r.n_series = 0;
    layout(L, &f->r, 1280, 720);
    ck_assert_int_eq(L->n_markers, 0);
    check_texts(L, "empty");
    check_lanes(L);
    free_fixture(f);
    free(L);
}
END_TEST

static Suite *layout_suite(void)
{
    Suite *s = suite_create("layout");
    TCase *axes = tcase_create("axes");
    tcase_add_test(axes, time_ticks_are_nice_and_monotonic_from_30_seconds_to_7_days);
    tcase_add_test(axes, time_labels_read_as_a_clock_since_the_start);
    tcase_add_test(axes, value_steps_are_one_two_or_five_times_a_power_of_ten);
    suite_add_tcase(s, axes);
    TCase *markers = tcase_create("markers");
    tcase_add_test(markers, dense_marker_labels_never_overlap_nor_cross_stems);
    tcase_add_test(markers, seed_incident_labels_its_story_and_bands_its_alerts);
    suite_add_tcase(s, markers);
    TCase *frame = tcase_create("frame");
    tcase_add_loop_test(frame, shipped_scenarios_lay_out_without_overlaps, 0,
                        (int)(sizeof shipped / sizeof shipped[0]));
    tcase_add_test(frame, a_version_keeps_its_colour_in_every_lane);
    tcase_add_test(frame, the_same_result_gives_the_same_layout);
    tcase_add_test(frame, an_empty_run_still_lays_out);
    suite_add_tcase(s, frame);
    return s;
}

int main(void)
{
    return tu_run(layout_suite());
}
