/* Kubernetes Deployment semantics: rolling update arithmetic, the rollout's steps and stalls, undo as a
 * new revision, revisionHistoryLimit, progressDeadlineSeconds, CrashLoopBackOff and OOMKilled. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rollsim/sim.h"
#include "test_util.h"

static rs_scenario *two_versions(int replicas)
{
    rs_scenario *s = malloc(sizeof *s);
    rs_scenario_defaults(s);
    s->deployment.replicas = replicas;
    s->traffic.rpm = 2000.0 * replicas;
    s->n_versions = 2;
    strcpy(s->versions[0].name, "v1");
    strcpy(s->versions[1].name, "v2");
    s->versions[0].startup_s = 15;
    s->versions[1].startup_s = 15;
    s->deployment.startup_jitter = 0;
    s->initial_revision = 1;
    s->tail_after_resolve = 0;
    rs_scenario_default_alerts(s);
    return s;
}

static void crashloop(rs_scenario *s, int version)
{
    rs_fault *f = &s->versions[version].faults[s->versions[version].n_faults++];
    rs_fault_defaults(f, RS_FAULT_MEMORY_LEAK);
    f->leak_mb_per_min = 1e6; /* OOMKilled within ~20 ms of every start, long before Ready */
}

static int count_pods(rs_sim *sim, int version, bool live_only)
{
    rs_pod_info pods[64];
    int n = rs_sim_pods(sim, pods, 64), c = 0;
    for (int i = 0; i < n && i < 64; i++)
        if ((version < 0 || pods[i].version == version) &&
            (!live_only || strcmp(pods[i].phase, "Terminating") != 0))
            c++;
    return c;
}

START_TEST(surge_rounds_up_and_unavailable_rounds_down)
{
    int s, u;
    rs_intorpct p25 = {true, 25};
    rs_rolling_bounds(4, p25, p25, &s, &u);
    ck_assert_int_eq(s, 1);
    ck_assert_int_eq(u, 1);
    rs_rolling_bounds(3, p25, p25, &s, &u);
    ck_assert_int_eq(s, 1);
    ck_assert_int_eq(u, 0);
    rs_rolling_bounds(5, p25, p25, &s, &u);
    ck_assert_int_eq(s, 2);
    ck_assert_int_eq(u, 1);
    rs_rolling_bounds(10, p25, p25, &s, &u);
    ck_assert_int_eq(s, 3);
    ck_assert_int_eq(u, 2);
}
END_TEST

START_TEST(both_zero_means_one_unavailable)
{
    int s, u;
    rs_rolling_bounds(10, (rs_intorpct){false, 0}, (rs_intorpct){false, 0}, &s, &u);
    ck_assert_int_eq(s, 0);
    ck_assert_int_eq(u, 1);
    rs_rolling_bounds(3, (rs_intorpct){true, 10}, (rs_intorpct){true, 10}, &s, &u);
    ck_assert_int_eq(s, 1); /* 0.3 rounds up */
    ck_assert_int_eq(u, 0);
}
END_TEST

START_TEST(crashlooping_new_pods_stall_the_rollout_at_thirteen_pods)
{
    rs_scenario *sc = two_versions(10);
    sc->deployment.max_surge = (rs_intorpct){false, 3};
    sc->deployment.max_unavailable = (rs_intorpct){false, 2};
    crashloop(sc, 1);
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    ck_assert_ptr_nonnull(sim);
    rs_sim_run_until(sim, RS_SEC(1));
    ck_assert_int_eq(rs_action_deploy(sim, "v2", NULL), RS_OK);
    rs_sim_run_until(sim, RS_MIN(8));
    ck_assert_int_eq(count_pods(sim, -1, true), 13);
    ck_assert_int_eq(count_pods(sim, 0, true), 8);
    ck_assert_int_eq(count_pods(sim, 1, true), 5);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(rolling_update_never_drops_below_min_available)
{
    rs_scenario *sc = two_versions(10);
    sc->deployment.max_surge = (rs_intorpct){false, 3};
    sc->deployment.max_unavailable = (rs_intorpct){false, 2};
    rs_sim *sim = rs_sim_new(sc, 7, NULL);
    rs_sim_run_until(sim, RS_SEC(1));
    rs_action_deploy(sim, "v2", NULL);
    int max_total = 0;
    for (rs_time t = RS_SEC(1); t < RS_MIN(6); t += 500) {
        rs_sim_run_until(sim, t);
        rs_pod_info pods[64];
        int n = rs_sim_pods(sim, pods, 64), ready = 0, live = 0;
        for (int i = 0; i < n; i++) {
            if (strcmp(pods[i].phase, "Terminating") == 0)
                continue;
            live++;
            ready += pods[i].ready;
        }
        ck_assert_int_ge(ready, 8);
        if (live > max_total)
            max_total = live;
    }
    ck_assert_int_le(max_total, 13);
    ck_assert_int_eq(count_pods(sim, 1, true), 10);
    ck_assert_int_eq(count_pods(sim, 0, false), 0);
    const rs_result *r = rs_sim_result(sim);
    bool complete = false;
    for (size_t i = 0; i < r->n_timeline; i++)
        complete |= r->timeline[i].kind == RS_EV_DEPLOY_COMPLETE;
    ck_assert(complete);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(undo_makes_a_new_higher_revision_of_the_old_template)
{
    rs_scenario *sc = two_versions(4);
    sc->initial_revision = 9;
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_sim_run_until(sim, RS_SEC(1));
    rs_action_deploy(sim, "v2", NULL);
    ck_assert_int_eq(rs_sim_current_revision(sim), 10);
    rs_sim_run_until(sim, RS_MIN(3));
    ck_assert_int_eq(rs_action_undo(sim, 0, NULL), RS_OK);
    ck_assert_int_eq(rs_sim_current_revision(sim), 11);
    ck_assert_int_eq(rs_sim_current_version(sim), 0);
    rs_history_entry h[8];
    int n = rs_sim_history(sim, h, 8);
    ck_assert_int_eq(n, 2); /* revision 9 became 11: kubectl shows 10 and 11 */
    ck_assert_int_eq(h[0].revision, 10);
    ck_assert_str_eq(h[0].version, "v2");
    ck_assert_int_eq(h[1].revision, 11);
    ck_assert_str_eq(h[1].version, "v1");
    rs_sim_run_until(sim, RS_MIN(8));
    ck_assert_int_eq(count_pods(sim, 0, true), 4);
    ck_assert_int_eq(count_pods(sim, 1, false), 0);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(undo_to_a_missing_revision_is_refused)
{
    rs_scenario *sc = two_versions(4);
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_error err;
    ck_assert_int_eq(rs_action_undo(sim, 0, &err), RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "no rollout history"));
    rs_action_deploy(sim, "v2", NULL);
    ck_assert_int_eq(rs_action_undo(sim, 7, &err), RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "unable to find specified revision 7"));
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(revision_history_limit_zero_leaves_nothing_to_undo)
{
    rs_scenario *sc = two_versions(4);
    sc->deployment.revision_history_limit = 0;
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_action_deploy(sim, "v2", NULL);
    rs_sim_run_until(sim, RS_MIN(5));
    rs_history_entry h[8];
    ck_assert_int_eq(rs_sim_history(sim, h, 8), 1);
    rs_error err;
    ck_assert_int_eq(rs_action_undo(sim, 0, &err), RS_BAD_INPUT);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(progress_deadline_fails_the_rollout_without_rolling_back)
{
    rs_scenario *sc = two_versions(4);
    crashloop(sc, 1);
    sc->deployment.progress_deadline = RS_SEC(120);
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_action_deploy(sim, "v2", NULL);
    rs_sim_run_until(sim, RS_MIN(10));
    ck_assert_int_eq(rs_sim_current_version(sim), 1); /* still the broken template */
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    rs_time failed_at = -1;
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == RS_EV_ROLLOUT_FAILED && failed_at < 0)
            failed_at = r->timeline[i].t_ms;
    ck_assert_int_ge(failed_at, RS_SEC(120));
    ck_assert_int_le(failed_at, RS_SEC(135));
    ck_assert(r->outcome.rollout_failed);
    ck_assert(!r->outcome.rolled_back);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(crashloop_backoff_doubles_from_ten_seconds_to_five_minutes)
{
    rs_scenario *sc = two_versions(1);
    crashloop(sc, 1);
    sc->deployment.max_unavailable = (rs_intorpct){false, 0};
    sc->deployment.max_surge = (rs_intorpct){false, 1};
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_action_deploy(sim, "v2", NULL);
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    rs_time kills[32];
    int n = 0;
    for (size_t i = 0; i < r->n_timeline && n < 32; i++)
        if (r->timeline[i].kind == RS_EV_POD_OOMKILLED)
            kills[n++] = r->timeline[i].t_ms;
    ck_assert_int_ge(n, 8);
    /* between two kills: the back-off, then a few milliseconds of running until the next OOM */
    rs_time expect[] = {10, 20, 40, 80, 160, 300, 300};
    for (int i = 0; i < 7 && i + 1 < n; i++) {
        rs_time extra = kills[i + 1] - kills[i] - RS_SEC(expect[i]);
        ck_assert_msg(extra >= 0 && extra < 50, "restart %d: %lld ms after the back-off", i + 1, (long long)extra);
    }
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(oomkilled_pods_are_not_ready_and_restart)
{
    rs_scenario *sc = two_versions(2);
    rs_fault *f = &sc->versions[1].faults[sc->versions[1].n_faults++];
    rs_fault_defaults(f, RS_FAULT_MEMORY_LEAK); /* 20 MiB/min: ~10 min to the limit */
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_action_deploy(sim, "v2", NULL);
    rs_sim_run_until(sim, RS_MIN(3));
    rs_pod_info pods[16];
    int n = rs_sim_pods(sim, pods, 16), ready = 0;
    for (int i = 0; i < n; i++)
        ready += pods[i].version == 1 && pods[i].ready;
    ck_assert_int_eq(ready, 2);
    rs_sim_run_until(sim, RS_MIN(13) + RS_SEC(5));
    n = rs_sim_pods(sim, pods, 16);
    int restarted = 0;
    for (int i = 0; i < n; i++)
        if (pods[i].restarts > 0) {
            restarted++;
            ck_assert_str_eq(pods[i].last_state, "OOMKilled");
        }
    ck_assert_int_ge(restarted, 1);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(same_seed_same_timeline)
{
    rs_scenario *sc = two_versions(5);
    rs_fault *f = &sc->versions[1].faults[sc->versions[1].n_faults++];
    rs_fault_defaults(f, RS_FAULT_REDIS_CONNECTION_BUG);
    rs_sim *a = rs_sim_new(sc, 99, NULL), *b = rs_sim_new(sc, 99, NULL);
    rs_action_deploy(a, "v2", NULL);
    rs_action_deploy(b, "v2", NULL);
    rs_sim_run(a);
    rs_sim_run(b);
    const rs_result *ra = rs_sim_result(a), *rb = rs_sim_result(b);
    ck_assert_uint_eq(ra->n_timeline, rb->n_timeline);
    ck_assert_uint_eq(ra->n_series, rb->n_series);
    ck_assert_int_eq(memcmp(ra->series, rb->series, ra->n_series * sizeof *ra->series), 0);
    for (size_t i = 0; i < ra->n_timeline; i++)
        ck_assert_str_eq(ra->timeline[i].detail, rb->timeline[i].detail);
    rs_sim_free(a);
    rs_sim_free(b);
    free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rolling");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, surge_rounds_up_and_unavailable_rounds_down);
    tcase_add_test(tc, both_zero_means_one_unavailable);
    tcase_add_test(tc, crashlooping_new_pods_stall_the_rollout_at_thirteen_pods);
    tcase_add_test(tc, rolling_update_never_drops_below_min_available);
    tcase_add_test(tc, undo_makes_a_new_higher_revision_of_the_old_template);
    tcase_add_test(tc, undo_to_a_missing_revision_is_refused);
    tcase_add_test(tc, revision_history_limit_zero_leaves_nothing_to_undo);
    tcase_add_test(tc, progress_deadline_fails_the_rollout_without_rolling_back);
    tcase_add_test(tc, crashloop_backoff_doubles_from_ten_seconds_to_five_minutes);
    tcase_add_test(tc, oomkilled_pods_are_not_ready_and_restart);
    tcase_add_test(tc, same_seed_same_timeline);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
