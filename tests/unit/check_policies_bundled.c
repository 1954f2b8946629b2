/* The bundled analysis policies (docs/policies.md) against their references: Flagger's scheduler
 * arithmetic (promotion on the ceil(maxWeight/stepWeight)-th passing check, the overshoot, failed checks
 * counted for the whole analysis, no data is a failure, the minimum-request guard), Argo Rollouts'
 * AnalysisRun (failureLimit 0 aborts at once, Inconclusive pauses, consecutiveErrorLimit), the SRE
 * Workbook's burn-rate page; every shipped scenario of these policies meets its expectations, and one
 * seed gives one report. */
#include <check.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rollsim/io.h"
#include "rollsim/policy.h"
#include "rollsim/sim.h"
#include "test_util.h"

#define POLICY(f) RS_SOURCE_DIR "/scenarios/policies/" f

typedef struct {
    rs_scenario sc;
    rs_sim *sim;
    rs_policy_set *ps;
    const rs_result *r;
} run;

/* The scenario's own policies, as `rollsim run` loads them: the file relative to the scenario's
 * folder unless the loader already resolved it. */
static void load_scenario_policies(run *x, const char *scenario_path)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", scenario_path);
    dirname(dir);
    for (int i = 0; i < x->sc.n_policies; i++) {
        const rs_policy_ref *ref = &x->sc.policies[i];
        char path[1024];
        if (ref->file[0] == '/' || access(ref->file, R_OK) == 0)
            snprintf(path, sizeof path, "%s", ref->file);
        else
            snprintf(path, sizeof path, "%s/%s", dir, ref->file);
        char buf[RS_MAX_PARAMS][2 * RS_NAME_MAX + 2];
        const char *params[RS_MAX_PARAMS];
        for (int k = 0; k < ref->n_params; k++) {
            snprintf(buf[k], sizeof buf[k], "%s=%s", ref->param_name[k], ref->param_value[k]);
            params[k] = buf[k];
        }
        rs_error err = {0};
        rs_status st = rs_policy_load(x->ps, path, ref->role, params, ref->n_params, NULL, &err);
        if (st != RS_OK)
            fprintf(stderr, "%s: %s\n", err.where, err.message);
        ck_assert_int_eq(st, RS_OK);
    }
}

/* Plays scenarios/NAME with `sets` overrides, and either `policy` with `params` or, when policy is NULL,
 * the scenario's own policies. seed 0 = the scenario's. */
static run *play(const char *name, const char *const *sets, int n_sets, const char *policy,
                 const char *const *params, int n_params, uint64_t seed)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/%s", RS_SOURCE_DIR, name);
    run *x = calloc(1, sizeof *x);
    tu_load(path, sets, n_sets, &x->sc);
    uint64_t s = seed ? seed : x->sc.seed;
    rs_error err = {0};
    x->sim = rs_sim_new(&x->sc, s, &err);
    ck_assert_ptr_nonnull(x->sim);
    x->ps = rs_policy_set_new(x->sim, &x->sc, s, &err);
    ck_assert_ptr_nonnull(x->ps);
    if (policy) {
        rs_status st = rs_policy_load(x->ps, policy, NULL, params, n_params, NULL, &err);
        if (st != RS_OK)
            fprintf(stderr, "%s: %s\n", err.where, err.message);
        ck_assert_int_eq(st, RS_OK);
    } else {
        load_scenario_policies(x, path);
    }
    rs_sim_run(x->sim);
    x->r = rs_sim_result(x->sim);
    if (x->r->outcome.error_code != RS_OK)
        fprintf(stderr, "%s: %s\n", name, x->r->outcome.error);
    ck_assert_int_eq(x->r->outcome.error_code, RS_OK);
    return x;
}

static void done(run *x)
{
    rs_policy_set_free(x->ps);
    rs_sim_free(x->sim);
    free(x);
}

/* The time of the nth (0-based) timeline entry of kind k whose detail contains `text` (NULL: any). */
static rs_time when(const rs_result *r, rs_event_kind k, const char *text, int nth)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == k && (!text || strstr(r->timeline[i].detail, text)) && nth-- == 0)
            return r->timeline[i].t_ms;
    return -1;
}

static int count(const rs_result *r, rs_event_kind k, const char *text)
{
    int n = 0;
    for (size_t i = 0; i < r->n_timeline; i++)
        n += r->timeline[i].kind == k && (!text || strstr(r->timeline[i].detail, text));
    return n;
}

/* Trace entries of a policy that carry checks, or whose verdict starts with `verdict`. */
static bool all_checks_pass(const rs_trace_entry *e)
{
    for (int i = 0; i < e->n_checks; i++)
        if (e->checks[i].verdict != RS_CHECK_PASS)
            return false;
    return e->n_checks > 0;
}

static int failed_checks(const rs_trace_entry *e)
{
    const char *c = strstr(e->counters, "failed_checks=");
    return c ? atoi(c + strlen("failed_checks=")) : -1;
}

static int verdicts(const rs_result *r, const char *policy, const char *prefix)
{
    int n = 0;
    for (size_t i = 0; i < r->n_trace; i++)
        n += strcmp(r->trace[i].policy, policy) == 0 && strncmp(r->trace[i].verdict, prefix, strlen(prefix)) == 0;
    return n;
}

/* ---------------- Flagger ---------------- */

/* Promotion comes on the interval of the ceil(maxWeight/stepWeight)-th passing check, that many
 * intervals after the interval that set the first weight; the weights it went through. */
static void check_flagger_promotion(const char *set, int n_steps, const int *weights)
{
    const char *sets[] = {set};
    run *x = play("canary-healthy.json", sets, set ? 1 : 0, POLICY("flagger.lua"), NULL, 0, 0);
    const rs_result *r = x->r;
    char first[32];
    snprintf(first, sizeof first, "canary weight %d%%", weights[0]);
    rs_time t0 = when(r, RS_EV_TRAFFIC, first, 0), tp = when(r, RS_EV_PROMOTE, NULL, 0);
    ck_assert_int_ge(t0, 0);
    ck_assert_int_eq(tp - t0, (rs_time)n_steps * RS_SEC(30));
    for (int i = 0; i < n_steps; i++) {
        char w[32];
        snprintf(w, sizeof w, "canary weight %d%%", weights[i]);
        ck_assert_int_eq(count(r, RS_EV_TRAFFIC, w), 1);
    }
    int passing = 0;
    for (size_t i = 0; i < r->n_trace; i++)
        if (strcmp(r->trace[i].policy, "flagger") == 0 && r->trace[i].n_checks > 0) {
            ck_assert(all_checks_pass(&r->trace[i]));
            passing++;
        }
    ck_assert_int_eq(passing, n_steps); /* the promoting interval runs its checks too */
    ck_assert(r->outcome.promoted);
    ck_assert(!r->outcome.rolled_back);
    ck_assert_str_eq(r->outcome.final_version, "v1.1");
    done(x);
}

START_TEST(flagger_promotes_on_the_fifth_passing_check_with_steps_of_10_up_to_50)
{
    static const int w[] = {10, 20, 30, 40, 50};
    check_flagger_promotion(NULL, 5, w); /* ceil(50/10) = 5 */
}
END_TEST

START_TEST(flagger_overshoots_max_weight_with_steps_of_20_and_promotes_on_the_third_check)
{
    static const int w[] = {20, 40, 60}; /* 60 > maxWeight 50, as Flagger's docs show */
    check_flagger_promotion("deployment.strategy.canary.stepWeight=20", 3, w); /* ceil(50/20) = 3 */
}
END_TEST

START_TEST(flagger_counts_failed_checks_for_the_whole_analysis_and_passes_never_reset_them)
{
    /* the low-traffic canary: passing and empty windows interleave */
    run *x = play("canary-low-traffic.json", NULL, 0, POLICY("flagger.lua"), NULL, 0, 0);
    const rs_result *r = x->r;
    int last = 0, fails = 0, passes_after_a_failure = 0;
    rs_time fifth = -1;
    for (size_t i = 0; i < r->n_trace; i++) {
        const rs_trace_entry *e = &r->trace[i];
        if (strcmp(e->policy, "flagger") != 0 || e->n_checks == 0)
            continue;
        int n = failed_checks(e);
        ck_assert_int_ge(n, last); /* never reset */
        if (all_checks_pass(e)) {
            ck_assert_int_eq(n, last);
            passes_after_a_failure += last > 0;
        } else {
            ck_assert_int_eq(n, last + 1); /* one failed check per interval */
            if (++fails == 5)
                fifth = e->t_ms;
        }
        last = n;
    }
    ck_assert_int_eq(fails, 5);
    ck_assert_int_ge(passes_after_a_failure, 1);
    /* the threshold is checked at the start of the next interval, before any check */
    rs_time rb = when(r, RS_EV_ROLLBACK_START, NULL, 0);
    ck_assert_int_eq(rb, fifth + RS_SEC(30));
    ck_assert_int_eq(verdicts(r, "flagger", "rollback: failed checks threshold reached 5"), 1);
    ck_assert_str_eq(r->outcome.final_version, "v4.0");
    done(x);
}
END_TEST

START_TEST(flagger_counts_no_data_as_a_failed_check)
{
    run *x = play("canary-low-traffic.json", NULL, 0, POLICY("flagger.lua"), NULL, 0, 0);
    const rs_result *r = x->r;
    int no_data = 0, last = 0;
    for (size_t i = 0; i < r->n_trace; i++) {
        const rs_trace_entry *e = &r->trace[i];
        if (strcmp(e->policy, "flagger") != 0 || e->n_checks == 0)
            continue;
        bool empty = true;
        for (int k = 0; k < e->n_checks; k++)
            empty = empty && e->checks[k].verdict == RS_CHECK_NO_DATA;
        if (empty) {
            no_data++;
            ck_assert_int_eq(failed_checks(e), last + 1);
        }
        last = failed_checks(e);
    }
    ck_assert_int_eq(no_data, 5); /* every failure of this healthy canary is a window without requests */
    ck_assert(r->outcome.rolled_back);
    done(x);
}
END_TEST

START_TEST(flagger_min_requests_guard_skips_empty_windows_and_promotes)
{
    run *x = play("canary-low-traffic.json", NULL, 0, POLICY("flagger.lua"), (const char *[]){"min_requests=1"}, 1, 0);
    const rs_result *r = x->r;
    ck_assert_int_ge(verdicts(r, "flagger", "skip:"), 3);
    for (size_t i = 0; i < r->n_trace; i++)
        if (strcmp(r->trace[i].policy, "flagger") == 0 && r->trace[i].counters[0])
            ck_assert_int_eq(failed_checks(&r->trace[i]), 0);
    ck_assert(r->outcome.promoted);
    ck_assert(!r->outcome.rolled_back);
    ck_assert_str_eq(r->outcome.final_version, "v4.1");
    done(x);
}
END_TEST

START_TEST(flagger_ignores_a_release_that_is_not_a_canary)
{
    run *x = play("healthy-release.json", NULL, 0, POLICY("flagger.lua"), NULL, 0, 0);
    int n = 0;
    for (size_t i = 0; i < x->r->n_trace; i++)
        n += strcmp(x->r->trace[i].policy, "flagger") == 0;
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(verdicts(x->r, "flagger", "not a canary"), 1);
    ck_assert_str_eq(x->r->outcome.final_version, "v1.1"); /* the rolling update went on */
    done(x);
}
END_TEST

/* ---------------- Argo Rollouts ---------------- */

START_TEST(argo_aborts_on_the_first_failed_measurement_with_failure_limit_0)
{
    run *x = play("canary-redis.json", NULL, 0, POLICY("argo-analysis.lua"), NULL, 0, 0);
    const rs_result *r = x->r;
    int failed = 0;
    rs_time t_failed = -1;
    for (size_t i = 0; i < r->n_trace; i++)
        if (strstr(r->trace[i].verdict, "measurement Failed")) {
            failed++;
            t_failed = r->trace[i].t_ms;
            ck_assert_ptr_nonnull(strstr(r->trace[i].verdict, "failed (1) > failureLimit (0)"));
        }
    ck_assert_int_eq(failed, 1);
    ck_assert_int_eq(when(r, RS_EV_ROLLBACK_START, NULL, 0), t_failed);
    ck_assert_str_eq(r->outcome.final_version, "v2.4");
    done(x);
}
END_TEST

START_TEST(argo_pauses_the_rollout_on_an_inconclusive_run)
{
    /* 99.9% is neither >= 99.95 (success) nor < 90 (failure) */
    run *x = play("canary-healthy.json", NULL, 0, POLICY("argo-analysis.lua"),
                  (const char *[]){"success_condition=success_rate >= 99.95", "failure_condition=success_rate < 90"}, 2,
                  0);
    const rs_result *r = x->r;
    ck_assert_int_eq(count(r, RS_EV_PAUSE, NULL), 1);
    ck_assert_int_eq(verdicts(r, "argo-analysis", "measurement Inconclusive; run Inconclusive"), 1);
    ck_assert(!r->outcome.rolled_back);
    ck_assert(!r->outcome.promoted);
    ck_assert_int_eq(count(r, RS_EV_TRAFFIC, NULL), 1); /* held at the first step */
    done(x);
}
END_TEST

START_TEST(argo_fails_the_run_after_more_consecutive_errors_than_the_limit)
{
    /* the low-traffic canary has windows without requests: after an error Argo retries in 10 s, and two
     * errors in a row exceed a limit of 1 */
    run *x = play("canary-low-traffic.json", (const char *[]){"traffic.rpm=30"}, 1, POLICY("argo-analysis.lua"),
                  (const char *[]){"metric_window=30s", "consecutive_error_limit=1"}, 2, 0);
    ck_assert_int_eq(verdicts(x->r, "argo-analysis", "measurement Error (no data); run Error: consecutiveErrors (2) > "
                                                     "consecutiveErrorLimit (1)"),
                     1);
    ck_assert(x->r->outcome.rolled_back);
    done(x);
    /* the default limit of 4 tolerates them: the errors reset at each measurement with data */
    x = play("canary-low-traffic.json", (const char *[]){"traffic.rpm=30"}, 1, POLICY("argo-analysis.lua"),
             (const char *[]){"metric_window=30s"}, 1, 0);
    ck_assert(x->r->outcome.promoted);
    ck_assert(!x->r->outcome.rolled_back);
    done(x);
}
END_TEST

/* ---------------- burn rate ---------------- */

static const char *const only_the_deploy[] = {"timeline=[{\"at\": \"2m\", \"do\": \"deploy\", \"version\": \"v2.5\"}]"};

START_TEST(burn_rate_pages_on_the_seed_incident_and_rolls_back_during_the_soak)
{
    run *x = play("seed-incident.json", only_the_deploy, 1, POLICY("burn-rate.lua"), NULL, 0, 0);
    const rs_result *r = x->r;
    rs_time page = when(r, RS_EV_DECISION, "burn-rate: page burn 1h/5m", 0);
    ck_assert_int_ge(page, 0);
    ck_assert_int_eq(when(r, RS_EV_ROLLBACK_START, NULL, 0), page);
    ck_assert_int_le(page, RS_MIN(12)); /* 2% of the budget in an hour: minutes of a 16% error rate */
    ck_assert_int_eq(verdicts(r, "burn-rate", "rollback:"), 1);
    ck_assert_str_eq(r->outcome.final_version, "v2.4");
    done(x);
}
END_TEST

START_TEST(burn_rate_stays_quiet_on_the_baseline)
{
    run *x = play("healthy-release.json", NULL, 0, POLICY("burn-rate.lua"), NULL, 0, 0);
    const rs_result *r = x->r;
    ck_assert_int_eq(count(r, RS_EV_DECISION, "burn-rate"), 0);
    ck_assert_int_eq(count(r, RS_EV_NOTE, "burn-rate"), 0);
    ck_assert_int_gt(verdicts(r, "burn-rate", "within budget"), 50);
    ck_assert_int_eq(verdicts(r, "burn-rate", "within budget"), verdicts(r, "burn-rate", ""));
    ck_assert(!r->outcome.rolled_back);
    done(x);
}
END_TEST

/* ---------------- shipped scenarios, determinism ---------------- */

static const char *const shipped[] = {
    "canary-redis.json", "canary-healthy.json", "canary-oom.json", "canary-low-traffic.json",
    "canary-low-traffic-guard.json", "bluegreen-redis.json", "bluegreen-latency.json",
};

START_TEST(every_shipped_scenario_of_these_policies_meets_its_expectations)
{
    const char *name = shipped[_i];
    run *x = play(name, NULL, 0, NULL, NULL, 0, 0);
    ck_assert_int_gt(x->sc.n_policies, 0);
    const rs_outcome *o = &x->r->outcome;
    for (int i = 0; i < o->n_expect; i++)
        if (!o->expect[i].passed)
            fprintf(stderr, "%s: expected %s, got %s\n", name, o->expect[i].expected, o->expect[i].actual);
    ck_assert_int_gt(o->n_expect, 0);
    ck_assert_msg(o->all_passed, "%s does not meet its expectations", name);
    done(x);
}
END_TEST

START_TEST(canary_redis_fails_far_fewer_requests_than_the_rolling_seed_incident)
{
    run *c = play("canary-redis.json", NULL, 0, NULL, NULL, 0, 0);
    run *s = play("seed-incident.json", NULL, 0, NULL, NULL, 0, 0);
    ck_assert_double_lt(c->r->scores.failed_requests * 4, s->r->scores.failed_requests);
    ck_assert_int_eq(verdicts(c->r, "flagger", "rollback: failed checks threshold reached 5"), 1);
    done(c);
    done(s);
}
END_TEST

static char *report(const char *name, const char *const *sets, int n_sets, const char *policy)
{
    run *x = play(name, sets, n_sets, policy, NULL, 0, 0);
    char *j = rs_report_json(x->r);
    ck_assert_ptr_nonnull(j);
    done(x);
    return j;
}

START_TEST(the_same_seed_gives_the_same_report_with_each_policy)
{
    static const struct {
        const char *scenario;
        const char *policy;
        bool only_deploy;
    } cases[] = {
        {"canary-redis.json", POLICY("flagger.lua"), false},
        {"canary-redis.json", POLICY("argo-analysis.lua"), false},
        {"seed-incident.json", POLICY("burn-rate.lua"), true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = cases[i].only_deploy ? 1 : 0;
        char *a = report(cases[i].scenario, only_the_deploy, n, cases[i].policy);
        char *b = report(cases[i].scenario, only_the_deploy, n, cases[i].policy);
        ck_assert_msg(strcmp(a, b) == 0, "%s with %s: reports differ", cases[i].scenario, cases[i].policy);
        ck_assert_ptr_nonnull(strstr(a, "\"policy_trace\""));
        free(a);
        free(b);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("policies_bundled");
    TCase *t = tcase_create("flagger");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, flagger_promotes_on_the_fifth_passing_check_with_steps_of_10_up_to_50);
    tcase_add_test(t, flagger_overshoots_max_weight_with_steps_of_20_and_promotes_on_the_third_check);
    tcase_add_test(t, flagger_counts_failed_checks_for_the_whole_analysis_and_passes_never_reset_them);
    tcase_add_test(t, flagger_counts_no_data_as_a_failed_check);
    tcase_add_test(t, flagger_min_requests_guard_skips_empty_windows_and_promotes);
    tcase_add_test(t, flagger_ignores_a_release_that_is_not_a_canary);
    suite_add_tcase(s, t);
    t = tcase_create("argo");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, argo_aborts_on_the_first_failed_measurement_with_failure_limit_0);
    tcase_add_test(t, argo_pauses_the_rollout_on_an_inconclusive_run);
    tcase_add_test(t, argo_fails_the_run_after_more_consecutive_errors_than_the_limit);
    suite_add_tcase(s, t);
    t = tcase_create("burn_rate");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, burn_rate_pages_on_the_seed_incident_and_rolls_back_during_the_soak);
    tcase_add_test(t, burn_rate_stays_quiet_on_the_baseline);
    suite_add_tcase(s, t);
    t = tcase_create("scenarios");
    tcase_set_timeout(t, 300);
    tcase_add_loop_test(t, every_shipped_scenario_of_these_policies_meets_its_expectations, 0,
                        (int)(sizeof shipped / sizeof shipped[0]));
    tcase_add_test(t, canary_redis_fails_far_fewer_requests_than_the_rolling_seed_incident);
    tcase_add_test(t, the_same_seed_gives_the_same_report_with_each_policy);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
