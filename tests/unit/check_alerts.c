/* Alert rules as Prometheus evaluates them, pages and escalation, and the pod logs an on-call reads. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rollsim/host.h"
#include "rollsim/sim.h"
#include "test_util.h"

static rs_scenario *redis_release(void)
{
    rs_scenario *s = malloc(sizeof *s);
    rs_scenario_defaults(s);
    s->n_versions = 2;
    strcpy(s->versions[0].name, "v1");
    strcpy(s->versions[1].name, "v2");
    s->versions[1].startup_s = 15;
    rs_fault *f = &s->versions[1].faults[s->versions[1].n_faults++];
    rs_fault_defaults(f, RS_FAULT_REDIS_CONNECTION_BUG);
    f->ramp = 0;
    s->duration = RS_MIN(20);
    rs_scenario_default_alerts(s);
    s->actions[0] = (rs_scripted_action){.kind = RS_ACT_DEPLOY, .anchor = RS_ANCHOR_START, .delay = RS_MIN(1)};
    strcpy(s->actions[0].version, "v2");
    s->n_actions = 1;
    return s;
}

static const rs_timeline_entry *find(const rs_result *r, rs_event_kind k, const char *text, int nth)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == k && (!text || strstr(r->timeline[i].detail, text)) && nth-- == 0)
            return &r->timeline[i];
    return NULL;
}

START_TEST(alert_fires_after_its_for_duration_at_an_evaluation)
{
    rs_scenario *sc = redis_release();
    rs_sim *sim = rs_sim_new(sc, 5, NULL);
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    const rs_timeline_entry *pend = find(r, RS_EV_ALERT_PENDING, "HighErrorRate", 0);
    const rs_timeline_entry *fire = find(r, RS_EV_ALERT_FIRING, "HighErrorRate", 0);
    ck_assert_ptr_nonnull(pend);
    ck_assert_ptr_nonnull(fire);
    /* evaluated every 15 s: both on evaluation ticks, `for: 1m` apart */
    ck_assert_int_eq(pend->t_ms % RS_SEC(15), 0);
    ck_assert_int_eq(fire->t_ms - pend->t_ms, RS_MIN(1));
    /* the page follows after Alertmanager's group_wait */
    const rs_timeline_entry *page = find(r, RS_EV_PAGE, NULL, 0);
    ck_assert_ptr_nonnull(page);
    ck_assert_int_eq(page->t_ms - fire->t_ms, RS_SEC(30));
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(for_zero_fires_at_the_first_true_evaluation_without_pending)
{
    rs_scenario *sc = redis_release();
    sc->alerts[0].for_ = 0;
    rs_sim *sim = rs_sim_new(sc, 5, NULL);
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    ck_assert_ptr_null(find(r, RS_EV_ALERT_PENDING, "HighErrorRate", 0));
    ck_assert_ptr_nonnull(find(r, RS_EV_ALERT_FIRING, "HighErrorRate", 0));
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(a_short_spike_stays_pending_and_never_fires)
{
    rs_scenario *sc = redis_release();
    sc->versions[1].faults[0].duration = RS_SEC(90); /* the bug heals itself */
    sc->versions[1].faults[0].error_rate = 0.6;
    sc->alerts[0].window = RS_MIN(1);
    sc->alerts[0].for_ = RS_MIN(5);
    rs_sim *sim = rs_sim_new(sc, 5, NULL);
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    ck_assert_ptr_nonnull(find(r, RS_EV_ALERT_PENDING, "HighErrorRate", 0));
    ck_assert_ptr_null(find(r, RS_EV_ALERT_FIRING, "HighErrorRate", 0));
    ck_assert_ptr_null(find(r, RS_EV_PAGE, NULL, 0));
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(an_unacknowledged_page_escalates_and_an_ack_stops_it)
{
    rs_scenario *sc = redis_release();
    rs_sim *sim = rs_sim_new(sc, 5, NULL);
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    const rs_timeline_entry *page = find(r, RS_EV_PAGE, NULL, 0), *esc = find(r, RS_EV_ESCALATE, NULL, 0);
    ck_assert_ptr_nonnull(esc);
    ck_assert_int_eq(esc->t_ms - page->t_ms, RS_MIN(5));
    rs_sim_free(sim);

    sc->actions[1] = (rs_scripted_action){.kind = RS_ACT_ACK, .anchor = RS_EV_PAGE, .delay = RS_MIN(2)};
    sc->n_actions = 2;
    sim = rs_sim_new(sc, 5, NULL);
    rs_sim_run(sim);
    r = rs_sim_result(sim);
    ck_assert_ptr_null(find(r, RS_EV_ESCALATE, NULL, 0));
    ck_assert_double_eq_tol(r->scores.mtta_s, 120, 1e-9);
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(alerts_resolve_when_the_condition_clears)
{
    rs_scenario *sc = redis_release();
    sc->actions[1] = (rs_scripted_action){.kind = RS_ACT_UNDO, .anchor = RS_EV_PAGE, .delay = RS_MIN(1)};
    sc->n_actions = 2;
    rs_sim *sim = rs_sim_new(sc, 5, NULL);
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    const rs_timeline_entry *fire = find(r, RS_EV_ALERT_FIRING, "HighErrorRate", 0);
    const rs_timeline_entry *res = find(r, RS_EV_ALERT_RESOLVED, "HighErrorRate", 0);
    ck_assert_ptr_nonnull(res);
    ck_assert_int_gt(res->t_ms, fire->t_ms);
    rs_alert_info info[4];
    ck_assert_int_eq(rs_sim_alerts(sim, info, 4), 2);
    ck_assert_str_eq(info[0].state, "inactive");
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(logs_show_the_faults_messages_among_normal_lines)
{
    rs_scenario *sc = redis_release();
    rs_sim *sim = rs_sim_new(sc, 5, NULL);
    rs_sim_run_until(sim, RS_MIN(8));
    char buf[16384], again[16384];
    int n = rs_sim_logs(sim, "", 100, buf, sizeof buf);
    ck_assert_int_eq(n, 100);
    ck_assert_ptr_nonnull(strstr(buf, "redis-master:6379"));
    ck_assert_ptr_nonnull(strstr(buf, "INFO  GET"));
    rs_sim_logs(sim, "", 100, again, sizeof again);
    ck_assert_str_eq(buf, again); /* deterministic */
    rs_pod_info pods[16];
    int np = rs_sim_pods(sim, pods, 16);
    ck_assert_int_eq(np, 5);
    ck_assert_int_eq(rs_sim_logs(sim, pods[0].name, 10, buf, sizeof buf), 10);
    ck_assert_int_eq(rs_sim_logs(sim, "myapp-nope", 10, buf, sizeof buf), 0);
    ck_assert_ptr_nonnull(strstr(buf, "NotFound"));
    rs_sim_free(sim);
    free(sc);
}
END_TEST

START_TEST(healthy_pods_log_no_errors)
{
    rs_scenario *sc = redis_release();
    sc->versions[1].n_faults = 0;
    rs_sim *sim = rs_sim_new(sc, 5, NULL);
    rs_sim_run_until(sim, RS_MIN(8));
    char buf[16384];
    rs_sim_logs(sim, "", 200, buf, sizeof buf);
    ck_assert_ptr_null(strstr(buf, "ERROR"));
    rs_sim_free(sim);
    free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alerts");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, alert_fires_after_its_for_duration_at_an_evaluation);
    tcase_add_test(tc, for_zero_fires_at_the_first_true_evaluation_without_pending);
    tcase_add_test(tc, a_short_spike_stays_pending_and_never_fires);
    tcase_add_test(tc, an_unacknowledged_page_escalates_and_an_ack_stops_it);
    tcase_add_test(tc, alerts_resolve_when_the_condition_clears);
    tcase_add_test(tc, logs_show_the_faults_messages_among_normal_lines);
    tcase_add_test(tc, healthy_pods_log_no_errors);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
