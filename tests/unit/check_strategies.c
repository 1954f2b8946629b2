/* Blue-green (Argo Rollouts) and canary (Flagger) mechanics without any policy: the switch, its
 * speed and scale-down delay; canary weight steps including Flagger's overshoot of maxWeight, explicit
 * stepWeights, the replica ratio without a mesh, promotion, abort, and the progress deadline. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollsim/sim.h"
#include "test_util.h"

static rs_scenario *scenario(rs_strategy_kind kind, int replicas)
{
    rs_scenario *s = malloc(sizeof *s);
    rs_scenario_defaults(s);
    s->deployment.replicas = replicas;
    s->deployment.strategy.kind = kind;
    s->traffic.rpm = 2000.0 * replicas;
    s->n_versions = 2;
    strcpy(s->versions[0].name, "v1");
    strcpy(s->versions[1].name, "v2");
    s->versions[0].startup_s = 20;
    s->versions[1].startup_s = 20;
    s->deployment.startup_jitter = 0;
    s->duration = RS_MIN(30);
    rs_scenario_default_alerts(s);
    return s;
}

static rs_time first(const rs_result *r, rs_event_kind k, int nth)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == k && nth-- == 0)
            return r->timeline[i].t_ms;
    return -1;
}

static int count(const rs_result *r, rs_event_kind k)
{
    int n = 0;
    for (size_t i = 0; i < r->n_timeline; i++)
        n += r->timeline[i].kind == k;
    return n;
}

static int pods_of(rs_sim *sim, int version)
{
    rs_pod_info p[64];
    int n = rs_sim_pods(sim, p, 64), c = 0;
    for (int i = 0; i < n && i < 64; i++)
        c += p[i].version == version && strcmp(p[i].phase, "Terminating") != 0;
    return c;
}

START_TEST(blue_green_switches_every_user_at_once_and_rolls_back_in_seconds)
{
    rs_scenario *sc = scenario(RS_STRATEGY_BLUE_GREEN, 4);
    sc->deployment.strategy.scale_down_delay = RS_MIN(10);
    rs_sim *sim = rs_sim_new(sc, 3, NULL);
    rs_sim_run_until(sim, RS_SEC(10));
    ck_assert_int_eq(rs_action_deploy(sim, "v2", NULL), RS_OK);
    rs_sim_run_until(sim, RS_SEC(30));
    ck_assert_int_eq(pods_of(sim, 0), 4); /* both full sets side by side */
    ck_assert_int_eq(pods_of(sim, 1), 4);
    rs_rollout_status st;
    rs_sim_rollout(sim, &st);
    ck_assert_int_eq(st.stable_version, 0);
    rs_sim_run_until(sim, RS_MIN(3));
    rs_sim_rollout(sim, &st);
    ck_assert_int_eq(st.stable_version, 1);
    ck_assert_int_eq(pods_of(sim, 0), 4); /* kept for scaleDownDelay */
    ck_assert_int_eq(rs_action_undo(sim, 0, NULL), RS_OK);
    rs_sim_run_until(sim, RS_MIN(4));
    const rs_result *r = rs_sim_result(sim);
    rs_time rb = first(r, RS_EV_ROLLBACK_START, 0), done = first(r, RS_EV_ROLLBACK_COMPLETE, 0);
    ck_assert_int_ge(done - rb, RS_SEC(1)); /* the seed: rollback 1–2 s */
    ck_assert_int_le(done - rb, RS_SEC(2));
    ck_assert_int_eq(count(r, RS_EV_TRAFFIC), 2); /* switch, switch back */
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(blue_green_switch_fails_about_one_second_of_requests)
{
    rs_scenario *sc = scenario(RS_STRATEGY_BLUE_GREEN, 4);
    rs_sim *a = rs_sim_new(sc, 3, NULL);
    rs_action_deploy(a, "v2", NULL);
    rs_sim_run(a);
    const rs_result *r = rs_sim_result(a);
    double expected_base = r->scores.total_requests * sc->baseline.error_rate;
    double blip = r->scores.failed_requests - expected_base;
    double per_second = sc->traffic.rpm / 60.0;
    ck_assert_double_ge(blip, 0.7 * per_second);
    ck_assert_double_le(blip, 1.5 * per_second);
    ck_assert_int_eq(first(r, RS_EV_IMPACT_START, 0), -1); /* a blip, not an incident */
    ck_assert(r->outcome.promoted);
    rs_sim_free(a);
    free(sc);
}
END_TEST

START_TEST(blue_green_old_set_scales_down_after_the_delay_and_rollback_then_waits_for_pods)
{
    rs_scenario *sc = scenario(RS_STRATEGY_BLUE_GREEN, 4);
    rs_sim *sim = rs_sim_new(sc, 3, NULL);
    rs_action_deploy(sim, "v2", NULL);
    rs_sim_run_until(sim, RS_MIN(5));
    ck_assert_int_eq(pods_of(sim, 0), 0); /* 30 s scaleDownDelay long passed */
    rs_action_undo(sim, 0, NULL);
    rs_sim_run_until(sim, RS_MIN(9));
    const rs_result *r = rs_sim_result(sim);
    rs_time took = first(r, RS_EV_ROLLBACK_COMPLETE, 0) - first(r, RS_EV_ROLLBACK_START, 0);
    ck_assert_int_ge(took, RS_SEC(20)); /* pods must start again first */
    rs_sim_free(sim);
    free(sc);
}
END_TEST

static void weights(const rs_result *r, double *out, int *n)
{
    *n = 0;
    for (size_t i = 0; i < r->n_timeline && *n < 16; i++)
        if (r->timeline[i].kind == RS_EV_TRAFFIC)
            out[(*n)++] = atof(strstr(r->timeline[i].detail, "weight ") + 7);
}

START_TEST(canary_weight_overshoots_max_weight_then_promotes_like_flagger)
{
    rs_scenario *sc = scenario(RS_STRATEGY_CANARY, 5);
    sc->deployment.strategy.step_weight = 20;
    sc->deployment.strategy.max_weight = 50;
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_action_deploy(sim, "v2", NULL);
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    double w[16];
    int n;
    weights(r, w, &n);
    ck_assert_int_eq(n, 3);
    ck_assert_double_eq(w[0], 20);
    ck_assert_double_eq(w[1], 40);
    ck_assert_double_eq(w[2], 60);
    rs_time promote = first(r, RS_EV_PROMOTE, 0), last_step = 0;
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == RS_EV_TRAFFIC)
            last_step = r->timeline[i].t_ms;
    ck_assert_int_eq(promote - last_step, sc->deployment.strategy.interval);
    ck_assert(r->outcome.promoted);
    ck_assert_str_eq(r->outcome.final_version, "v2");
    ck_assert_int_gt(first(r, RS_EV_DEPLOY_COMPLETE, 0), promote);
    ck_assert_int_eq(pods_of(sim, 1), 5);
    ck_assert_int_eq(pods_of(sim, 0), 0);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(canary_follows_explicit_step_weights)
{
    rs_scenario *sc = scenario(RS_STRATEGY_CANARY, 5);
    double steps[] = {5, 10, 25, 50};
    sc->deployment.strategy.n_step_weights = 4;
    memcpy(sc->deployment.strategy.step_weights, steps, sizeof steps);
    sc->deployment.strategy.max_weight = 50;
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_action_deploy(sim, "v2", NULL);
    rs_sim_run(sim);
    double w[16];
    int n;
    weights(rs_sim_result(sim), w, &n);
    ck_assert_int_eq(n, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq(w[i], steps[i]);
    ck_assert(rs_sim_result(sim)->outcome.promoted);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(canary_without_mesh_uses_the_nearest_replica_count)
{
    rs_scenario *sc = scenario(RS_STRATEGY_CANARY, 10);
    sc->deployment.strategy.mesh = false;
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_sim_canary_manual(sim, true);
    rs_action_deploy(sim, "v2", NULL);
    ck_assert_int_eq(rs_action_set_weight(sim, 24, NULL), RS_OK);
    rs_sim_run_until(sim, RS_SEC(5));
    ck_assert_int_eq(pods_of(sim, 1), 2);
    ck_assert_int_eq(rs_action_set_weight(sim, 26, NULL), RS_OK);
    rs_sim_run_until(sim, RS_MIN(2));
    ck_assert_int_eq(pods_of(sim, 1), 3);
    ck_assert_int_eq(pods_of(sim, 0), 7);
    rs_error err;
    ck_assert_int_eq(rs_action_set_weight(sim, 120, &err), RS_BAD_INPUT);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(canary_rollback_sends_all_traffic_to_the_primary_and_scales_the_canary_to_zero)
{
    rs_scenario *sc = scenario(RS_STRATEGY_CANARY, 5);
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_sim_canary_manual(sim, true);
    rs_action_deploy(sim, "v2", NULL);
    rs_sim_run_until(sim, RS_MIN(1));
    rs_action_set_weight(sim, 30, NULL);
    rs_sim_run_until(sim, RS_MIN(2));
    rs_rollout_status st;
    rs_sim_rollout(sim, &st);
    ck_assert_str_eq(st.phase, "progressing");
    ck_assert_double_eq(st.weight, 30);
    ck_assert_int_eq(rs_action_undo(sim, 0, NULL), RS_OK);
    rs_sim_rollout(sim, &st);
    ck_assert_double_eq(st.weight, 0);
    rs_sim_run_until(sim, RS_MIN(3));
    ck_assert_int_eq(pods_of(sim, 1), 0);
    ck_assert_int_eq(pods_of(sim, 0), 5);
    const rs_result *r = rs_sim_result(sim);
    ck_assert(r->outcome.rolled_back);
    ck_assert_str_eq(r->outcome.final_version, "v1");
    ck_assert_int_le(first(r, RS_EV_ROLLBACK_COMPLETE, 0) - first(r, RS_EV_ROLLBACK_START, 0), RS_SEC(5));
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(canary_rollback_without_mesh_waits_for_the_primary_to_scale_back_up)
{
    rs_scenario *sc = scenario(RS_STRATEGY_CANARY, 5);
    sc->deployment.strategy.mesh = false;
    sc->versions[0].startup_s = 60; /* the old version must start again: the seed's canary rollback */
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_sim_canary_manual(sim, true);
    rs_action_deploy(sim, "v2", NULL);
    rs_action_set_weight(sim, 60, NULL);
    rs_sim_run_until(sim, RS_MIN(3));
    ck_assert_int_eq(pods_of(sim, 0), 2);
    rs_action_undo(sim, 0, NULL);
    rs_sim_run_until(sim, RS_MIN(8));
    const rs_result *r = rs_sim_result(sim);
    rs_time took = first(r, RS_EV_ROLLBACK_COMPLETE, 0) - first(r, RS_EV_ROLLBACK_START, 0);
    ck_assert_int_ge(took, RS_MIN(1)); /* the seed: canary rollback 1–3 minutes */
    ck_assert_int_le(took, RS_MIN(3));
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(canary_not_ready_by_the_progress_deadline_is_rolled_back)
{
    rs_scenario *sc = scenario(RS_STRATEGY_CANARY, 3);
    rs_fault *f = &sc->versions[1].faults[sc->versions[1].n_faults++];
    rs_fault_defaults(f, RS_FAULT_MEMORY_LEAK);
    f->leak_mb_per_min = 1e6; /* never Ready */
    sc->deployment.progress_deadline = RS_SEC(120);
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_action_deploy(sim, "v2", NULL);
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    ck_assert_int_eq(first(r, RS_EV_ROLLOUT_FAILED, 0), RS_SEC(120));
    ck_assert(r->outcome.rolled_back);
    ck_assert_str_eq(r->outcome.final_version, "v1");
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(promote_and_set_weight_are_refused_where_they_mean_nothing)
{
    rs_scenario *sc = scenario(RS_STRATEGY_ROLLING, 3);
    rs_sim *sim = rs_sim_new(sc, 1, NULL);
    rs_error err;
    ck_assert_int_eq(rs_action_promote(sim, &err), RS_BAD_INPUT);
    ck_assert_int_eq(rs_action_set_weight(sim, 10, &err), RS_BAD_INPUT);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("strategies");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, blue_green_switches_every_user_at_once_and_rolls_back_in_seconds);
    tcase_add_test(tc, blue_green_switch_fails_about_one_second_of_requests);
    tcase_add_test(tc, blue_green_old_set_scales_down_after_the_delay_and_rollback_then_waits_for_pods);
    tcase_add_test(tc, canary_weight_overshoots_max_weight_then_promotes_like_flagger);
    tcase_add_test(tc, canary_follows_explicit_step_weights);
    tcase_add_test(tc, canary_without_mesh_uses_the_nearest_replica_count);
    tcase_add_test(tc, canary_rollback_sends_all_traffic_to_the_primary_and_scales_the_canary_to_zero);
    tcase_add_test(tc, canary_rollback_without_mesh_waits_for_the_primary_to_scale_back_up);
    tcase_add_test(tc, canary_not_ready_by_the_progress_deadline_is_rolled_back);
    tcase_add_test(tc, promote_and_set_weight_are_refused_where_they_mean_nothing);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
