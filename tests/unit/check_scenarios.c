/* End to end through the engine: the shipped scenarios load, run and meet their expectations; the
 * seed's Part 5 incident reproduces the seed's figures; reports are byte-identical for one seed. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollsim/io.h"
#include "rollsim/policy.h"
#include "rollsim/sim.h"
#include "test_util.h"

typedef struct {
    rs_scenario sc;
    rs_sim *sim;
    rs_policy_set *ps;
    const rs_result *r;
} run;

/* The scenario's own policies, as `rollsim run` loads them. */
static rs_policy_set *load_policies(rs_sim *sim, const rs_scenario *sc, uint64_t seed)
{
    if (sc->n_policies == 0)
        return NULL;
    rs_error err;
    rs_policy_set *ps = rs_policy_set_new(sim, sc, seed, &err);
    ck_assert_ptr_nonnull(ps);
    for (int i = 0; i < sc->n_policies; i++) {
        const rs_policy_ref *ref = &sc->policies[i];
        char texts[RS_MAX_PARAMS][2 * RS_NAME_MAX + 2];
        const char *params[RS_MAX_PARAMS];
        for (int j = 0; j < ref->n_params; j++) {
            snprintf(texts[j], sizeof texts[j], "%s=%s", ref->param_name[j], ref->param_value[j]);
            params[j] = texts[j];
        }
        rs_status st = rs_policy_load(ps, ref->file, ref->role, params, ref->n_params, NULL, &err);
        ck_assert_msg(st == RS_OK, "%s: %s", ref->file, err.message);
    }
    return ps;
}

static run *play(const char *name, uint64_t seed, bool use_seed)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/%s", RS_SOURCE_DIR, name);
    run *x = calloc(1, sizeof *x);
    tu_load(path, NULL, 0, &x->sc);
    uint64_t s = use_seed ? seed : x->sc.seed;
    x->sim = rs_sim_new(&x->sc, s, NULL);
    ck_assert_ptr_nonnull(x->sim);
    x->ps = load_policies(x->sim, &x->sc, s);
    rs_sim_run(x->sim);
    x->r = rs_sim_result(x->sim);
    return x;
}

static void done(run *x)
{
    rs_policy_set_free(x->ps);
    rs_sim_free(x->sim);
    free(x);
}

static rs_time first(const rs_result *r, rs_event_kind k)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == k)
            return r->timeline[i].t_ms;
    return -1;
}

START_TEST(every_shipped_scenario_meets_its_expectations)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/scenarios", RS_SOURCE_DIR);
    DIR *dp = opendir(dir);
    ck_assert_ptr_nonnull(dp);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(dp))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        run *x = play(e->d_name, 0, false);
        for (int i = 0; i < x->r->outcome.n_expect; i++) {
            const rs_expect_result *ex = &x->r->outcome.expect[i];
            ck_assert_msg(ex->passed, "%s: %s expected %s, got %s", e->d_name, rs_expect_kind_name(ex->kind),
                          ex->expected, ex->actual);
        }
        ck_assert_msg(x->r->outcome.n_expect > 0, "%s has no expectations", e->d_name);
        done(x);
        n++;
    }
    closedir(dp);
    ck_assert_int_ge(n, 20);
}
END_TEST

/* The seed's story, for several seeds: alert about 5 minutes after the deploy, errors peaking at 15–18%,
 * p95 near 3 s, a rolling undo of 5 pods in 2–5 minutes, an incident of about 12 minutes. */
START_TEST(seed_incident_reproduces_the_seeds_figures)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run *x = play("seed-incident.json", seed * 7919, true);
        const rs_result *r = x->r;
        rs_time deploy = first(r, RS_EV_DEPLOY_START);
        rs_time firing = first(r, RS_EV_ALERT_FIRING);
        ck_assert_int_ge(deploy, 0);
        ck_assert_msg(firing - deploy >= RS_SEC(270) && firing - deploy <= RS_SEC(360),
                      "alert fired %lld ms after the deploy", (long long)(firing - deploy));
        ck_assert_msg(r->scores.peak_error_rate >= 0.15 && r->scores.peak_error_rate <= 0.18,
                      "peak error rate %.4f", r->scores.peak_error_rate);
        ck_assert_msg(r->scores.peak_latency_p95_ms >= 2500 && r->scores.peak_latency_p95_ms <= 3300,
                      "peak p95 %.0f", r->scores.peak_latency_p95_ms);
        rs_time rb = first(r, RS_EV_ROLLBACK_START), rbc = first(r, RS_EV_ROLLBACK_COMPLETE);
        ck_assert_msg(rb > 0 && rbc - rb >= RS_MIN(2) && rbc - rb <= RS_MIN(5), "rollback took %lld ms",
                      (long long)(rbc - rb));
        ck_assert_msg(r->scores.incident_s >= 600 && r->scores.incident_s <= 840, "incident %.0f s",
                      r->scores.incident_s);
        ck_assert(r->outcome.recovered);
        ck_assert_str_eq(r->outcome.final_version, "v2.4");
        ck_assert_int_eq(r->outcome.final_revision, 11);
        /* back to the baseline after the rollback */
        const rs_sample *last = &r->series[r->n_series - 1];
        ck_assert_double_le(last->error_rate, 0.002);
        ck_assert_double_le(last->latency_p95_ms, 170);
        done(x);
    }
}
END_TEST

START_TEST(the_built_in_default_is_the_seed_incident)
{
    rs_scenario *a = malloc(sizeof *a);
    rs_diagnostics *d = malloc(sizeof *d);
    ck_assert_int_eq(rs_scenario_load_string(rs_default_scenario_json, "<built-in>", NULL, 0, a, d), RS_OK);
    ck_assert_str_eq(a->name, "seed-incident");
    free(a);
    free(d);
}
END_TEST

START_TEST(same_seed_gives_a_byte_identical_report)
{
    run *a = play("seed-incident.json", 1234, true);
    run *b = play("seed-incident.json", 1234, true);
    run *c = play("seed-incident.json", 1235, true);
    char *ja = rs_report_json(a->r), *jb = rs_report_json(b->r), *jc = rs_report_json(c->r);
    ck_assert_str_eq(ja, jb);
    ck_assert_str_ne(ja, jc);
    char *ca = rs_report_csv(a->r), *cb = rs_report_csv(b->r);
    ck_assert_str_eq(ca, cb);
    free(ja);
    free(jb);
    free(jc);
    free(ca);
    free(cb);
    done(a);
    done(b);
    done(c);
}
END_TEST

START_TEST(healthy_release_pages_nobody)
{
    run *x = play("healthy-release.json", 0, false);
    ck_assert_int_eq(first(x->r, RS_EV_PAGE), -1);
    ck_assert_int_eq(first(x->r, RS_EV_IMPACT_START), -1);
    ck_assert(isnan(x->r->scores.mttd_s));
    ck_assert_double_ge(x->r->scores.score, 99.0);
    done(x);
}
END_TEST

START_TEST(external_outage_is_still_broken_after_the_rollback)
{
    run *x = play("external-outage.json", 0, false);
    rs_time rbc = first(x->r, RS_EV_ROLLBACK_COMPLETE), rec = first(x->r, RS_EV_RECOVERED);
    ck_assert_int_gt(rbc, 0);
    /* the outage lasts 25 minutes from T+5m: recovery comes after it ends, not after the rollback */
    ck_assert_int_ge(rec, RS_MIN(30));
    ck_assert_int_ge(rec - rbc, RS_MIN(10));
    done(x);
}
END_TEST

START_TEST(traffic_drop_is_invisible_to_the_error_rate)
{
    run *x = play("traffic-drop.json", 0, false);
    double min_rpm = 1e9, max_err = 0;
    for (size_t i = 0; i < x->r->n_series; i++) {
        const rs_sample *s = &x->r->series[i];
        if (s->rpm < min_rpm)
            min_rpm = s->rpm;
        if (!isnan(s->error_rate) && s->error_rate > max_err)
            max_err = s->error_rate;
    }
    ck_assert_double_le(min_rpm, 1500); /* 10k -> about 1k req/min */
    ck_assert_double_le(max_err, 0.01);
    ck_assert_double_gt(x->r->scores.failed_requests, 10000); /* users who could not reach us */
    done(x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scenarios");
    TCase *tc = tcase_create("e2e");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_shipped_scenario_meets_its_expectations);
    tcase_add_test(tc, seed_incident_reproduces_the_seeds_figures);
    tcase_add_test(tc, the_built_in_default_is_the_seed_incident);
    tcase_add_test(tc, same_seed_gives_a_byte_identical_report);
    tcase_add_test(tc, healthy_release_pages_nobody);
    tcase_add_test(tc, external_outage_is_still_broken_after_the_rollback);
    tcase_add_test(tc, traffic_drop_is_invisible_to_the_error_rate);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
