/* The incident: the timeline, when users are impacted and when the service has recovered, the scores
 * of DESIGN §7 (docs/scoring.md defines each term) and the scenario's expectations. */
#include "sim_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPACT_TAIL 0.05       /* p95 above the threshold = more than 5% of requests slower */
#define IMPACT_BUSINESS 0.80   /* a business metric below 80% of its baseline */
#define IMPACT_MIN RS_SEC(10)  /* shorter blips are failed requests, not an incident */

void rs__timeline(rs_sim *sim, rs_time t, rs_event_kind kind, const char *fmt, ...)
{
    rs_result *r = &sim->result;
    if (r->n_timeline == sim->cap_timeline) {
        size_t cap = sim->cap_timeline ? sim->cap_timeline * 2 : 64;
        rs_timeline_entry *e = realloc(r->timeline, cap * sizeof *e);
        if (!e) {
            sim->ended = true;
            sim->oom = true;
            return;
        }
        r->timeline = e;
        sim->cap_timeline = cap;
    }
    rs_timeline_entry *e = &r->timeline[r->n_timeline++];
    e->t_ms = t;
    e->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
    if (sim->first[kind] == RS_TIME_NEVER || t < sim->first[kind])
        sim->first[kind] = t;
    if (sim->on_timeline)
        sim->on_timeline(sim->on_timeline_ctx, e);
    /* scripted actions anchored on this kind of event */
    for (int i = 0; i < sim->sc->n_actions; i++) {
        const rs_scripted_action *a = &sim->sc->actions[i];
        if (!sim->action_scheduled[i] && a->anchor == (int)kind) {
            sim->action_scheduled[i] = true;
            rs__schedule(sim, t + a->delay, EV_ACTION, (uint32_t)i, 0);
        }
    }
}

/* Users are impacted when a tick's failures, slow responses or business metric cross the scoring
 * thresholds for at least IMPACT_MIN: a one-second blip (a blue-green switch) counts in the failed
 * requests but does not open an incident. The impact starts when the blip began. Called once per
 * traffic tick. */
void rs__track_impact(rs_sim *sim, double error_rate, double tail_frac, double biz_factor)
{
    const rs_scenario *sc = sim->sc;
    bool impacted = error_rate > sc->impact_error_rate || tail_frac > IMPACT_TAIL ||
                    biz_factor < IMPACT_BUSINESS;
    sim->impacted = impacted;
    if (impacted) {
        sim->unimpacted_since = RS_TIME_NEVER;
        if (sim->in_impact)
            return;
        if (sim->impact_pending_since == RS_TIME_NEVER) {
            sim->impact_pending_since = sim->now;
            if (error_rate > sc->impact_error_rate)
                snprintf(sim->impact_why, sizeof sim->impact_why, "%.1f%% of requests fail", error_rate * 100);
            else if (tail_frac > IMPACT_TAIL)
                snprintf(sim->impact_why, sizeof sim->impact_why, "%.1f%% of requests slower than %.0f ms",
                         tail_frac * 100, sc->impact_latency_factor * sc->baseline.latency_p95_ms);
            else
                snprintf(sim->impact_why, sizeof sim->impact_why, "business metric at %.0f%% of its baseline",
                         biz_factor * 100);
        }
        if (sim->now - sim->impact_pending_since + sc->traffic.tick > IMPACT_MIN) {
            sim->in_impact = true;
            sim->recovered = false;
            sim->normal_since = RS_TIME_NEVER;
            rs__timeline(sim, sim->impact_pending_since, RS_EV_IMPACT_START, "users impacted: %s", sim->impact_why);
        }
        return;
    }
    sim->impact_pending_since = RS_TIME_NEVER;
    if (!sim->in_impact)
        return;
    if (sim->unimpacted_since == RS_TIME_NEVER)
        sim->unimpacted_since = sim->now;
    if (sim->now - sim->unimpacted_since >= sc->stable_for) {
        sim->in_impact = false;
        sim->last_impact_end = sim->unimpacted_since;
        char buf[24];
        rs__timeline(sim, sim->unimpacted_since, RS_EV_IMPACT_END,
                     "user impact ended (errors and latency normal since, held for %s)",
                     rs_format_duration(sc->stable_for, buf, sizeof buf));
    }
}

/* Called at each scrape with the dashboard sample: recovered once the 1-minute metrics are normal, the
 * deployment is not rolling and all desired replicas are ready, for stable_for. */
void rs__track_recovery(rs_sim *sim, const rs_sample *s)
{
    const rs_scenario *sc = sim->sc;
    if (sim->first[RS_EV_IMPACT_START] == RS_TIME_NEVER || sim->recovered)
        return;
    const replicaset *cur = &sim->rs[sim->dep.current];
    bool normal = !sim->impacted && !isnan(s->error_rate) && s->error_rate < sc->impact_error_rate &&
                  !isnan(s->latency_p95_ms) &&
                  s->latency_p95_ms < sc->impact_latency_factor * sc->baseline.latency_p95_ms &&
                  !sim->dep.rolling && cur->ready >= sim->dep.replicas;
    if (!normal) {
        sim->normal_since = RS_TIME_NEVER;
        return;
    }
    if (sim->normal_since == RS_TIME_NEVER)
        sim->normal_since = sim->now;
    if (sim->now - sim->normal_since >= sc->stable_for) {
        sim->recovered = true;
        sim->recovered_at = sim->now;
        char buf[24];
        rs__timeline(sim, sim->now, RS_EV_RECOVERED,
                     "metrics normal for %s: error rate %.2f%%, p95 %.0f ms, %d/%d pods ready on %s",
                     rs_format_duration(sc->stable_for, buf, sizeof buf), s->error_rate * 100,
                     s->latency_p95_ms, cur->ready, sim->dep.replicas, sc->versions[cur->version].name);
    }
}

static double secs(rs_time a, rs_time b)
{
    if (a == RS_TIME_NEVER || b == RS_TIME_NEVER)
        return NAN;
    return (double)(b - a) / 1000.0;
}

static double clamp01(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

/* Detection: the first alert firing or policy decision at or after the impact started. */
static rs_time detection_time(const rs_sim *sim, rs_time impact)
{
    const rs_result *r = &sim->result;
    for (size_t i = 0; i < r->n_timeline; i++) {
        const rs_timeline_entry *e = &r->timeline[i];
        if ((e->kind == RS_EV_ALERT_FIRING || e->kind == RS_EV_DECISION) && e->t_ms >= impact)
            return e->t_ms;
    }
    return RS_TIME_NEVER;
}

static void score(rs_sim *sim)
{
    const rs_scenario *sc = sim->sc;
    rs_scores *s = &sim->result.scores;
    rs_time impact = sim->first[RS_EV_IMPACT_START];
    rs_time detect = impact == RS_TIME_NEVER ? RS_TIME_NEVER : detection_time(sim, impact);
    s->mttd_s = secs(impact, detect);
    s->mtta_s = secs(sim->first[RS_EV_PAGE], sim->first[RS_EV_ACK]);
    s->mttm_s = sim->in_impact || impact == RS_TIME_NEVER ? NAN : secs(impact, sim->last_impact_end);
    s->mttr_s = sim->recovered ? secs(impact, sim->recovered_at) : NAN;
    s->incident_s = secs(impact, sim->first[RS_EV_RESOLVED]);
    double window_requests = sc->traffic.rpm * ((double)sc->slo_window / 60000.0);
    double budget = window_requests * (1.0 - sc->slo_target);
    s->error_budget_burned_pct = budget > 0 ? 100.0 * s->failed_requests / budget : 0.0;
    s->users_affected = s->total_requests > 0
                            ? 100.0 * (s->failed_requests + s->slow_requests) / s->total_requests
                            : 0.0;
    s->peak_error_rate = 0;
    s->peak_latency_p95_ms = 0;
    for (size_t i = 0; i < sim->result.n_series; i++) {
        const rs_sample *x = &sim->result.series[i];
        if (!isnan(x->error_rate) && x->error_rate > s->peak_error_rate)
            s->peak_error_rate = x->error_rate;
        if (!isnan(x->latency_p95_ms) && x->latency_p95_ms > s->peak_latency_p95_ms)
            s->peak_latency_p95_ms = x->latency_p95_ms;
    }
    /* penalties (docs/scoring.md) */
    s->penalty_detection = 0;
    s->penalty_ack = 0;
    s->penalty_recovery = 0;
    s->penalty_unresolved = 0;
    if (impact != RS_TIME_NEVER) {
        double end_s = (double)(sim->now - impact) / 1000.0;
        double mttd = isnan(s->mttd_s) ? end_s : s->mttd_s;
        s->penalty_detection = 20.0 * clamp01((mttd - 300.0) / 900.0);
        double mttr = isnan(s->mttr_s) ? end_s : s->mttr_s;
        s->penalty_recovery = 30.0 * clamp01((mttr - 900.0) / 2700.0);
        if (!sim->recovered)
            s->penalty_unresolved = 30.0;
        else if (sim->first[RS_EV_RESOLVED] == RS_TIME_NEVER)
            s->penalty_unresolved = 5.0;
    }
    if (sim->first[RS_EV_PAGE] != RS_TIME_NEVER) {
        double mtta = isnan(s->mtta_s) ? secs(sim->first[RS_EV_PAGE], sim->now) : s->mtta_s;
        s->penalty_ack = 10.0 * clamp01((mtta - 300.0) / 600.0);
    }
    /* only what the incident burned: the baseline error rate spends the budget at its own pace */
    double excess = s->failed_requests - sc->baseline.error_rate * s->total_requests;
    double excess_pct = budget > 0 ? 100.0 * excess / budget : 0.0;
    s->penalty_impact = 30.0 * clamp01(excess_pct / 25.0);
    s->decisions_correct = s->decisions_acceptable = s->decisions_harmful = 0;
    for (int i = 0; i < sim->result.n_decisions; i++) {
        rs_judgement j = sim->result.decisions[i].judgement;
        s->decisions_correct += j == RS_JUDGED_CORRECT;
        s->decisions_acceptable += j == RS_JUDGED_ACCEPTABLE;
        s->decisions_harmful += j == RS_JUDGED_HARMFUL;
    }
    s->penalty_decisions = 15.0 * s->decisions_harmful + 3.0 * s->decisions_acceptable;
    if (s->penalty_decisions > 40)
        s->penalty_decisions = 40;
    double total = s->penalty_detection + s->penalty_ack + s->penalty_recovery + s->penalty_impact +
                   s->penalty_unresolved + s->penalty_decisions;
    s->score = 100.0 - total < 0 ? 0 : 100.0 - total;
}

static void fmt_opt_s(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "n/a");
    else
        rs_format_duration((rs_time)llround(v * 1000.0), buf, size);
}

static bool alert_fired(const rs_sim *sim, const char *name)
{
    for (int i = 0; i < sim->sc->n_alerts; i++)
        if (strcmp(sim->sc->alerts[i].name, name) == 0)
            return sim->alerts[i].ever_fired;
    return false;
}

static void check_one(rs_sim *sim, const rs_expectation *x, rs_expect_result *o)
{
    const rs_outcome *out = &sim->result.outcome;
    const rs_scores *s = &sim->result.scores;
    char a[48], b[48];
    o->kind = x->kind;
    switch (x->kind) {
    case RS_EXP_FINAL_VERSION:
        o->passed = strcmp(out->final_version, x->str) == 0;
        snprintf(o->expected, sizeof o->expected, "%s", x->str);
        snprintf(o->actual, sizeof o->actual, "%s", out->final_version);
        break;
    case RS_EXP_ROLLED_BACK:
    case RS_EXP_RECOVERED:
    case RS_EXP_RESOLVED: {
        bool v = x->kind == RS_EXP_ROLLED_BACK ? out->rolled_back
                 : x->kind == RS_EXP_RECOVERED ? out->recovered
                                               : out->resolved;
        o->passed = v == (x->num != 0);
        snprintf(o->expected, sizeof o->expected, "%s", x->num != 0 ? "true" : "false");
        snprintf(o->actual, sizeof o->actual, "%s", v ? "true" : "false");
        break;
    }
    case RS_EXP_ROLLED_BACK_BY:
        o->passed = out->rolled_back && out->rollback_at <= x->time;
        snprintf(o->expected, sizeof o->expected, "rollback by %s", rs_format_clock(x->time, a, sizeof a));
        if (out->rolled_back)
            snprintf(o->actual, sizeof o->actual, "rollback at %s", rs_format_clock(out->rollback_at, b, sizeof b));
        else
            snprintf(o->actual, sizeof o->actual, "no rollback");
        break;
    case RS_EXP_MTTD_MAX:
    case RS_EXP_MTTA_MAX:
    case RS_EXP_MTTM_MAX:
    case RS_EXP_MTTR_MAX: {
        double v = x->kind == RS_EXP_MTTD_MAX ? s->mttd_s
                   : x->kind == RS_EXP_MTTA_MAX ? s->mtta_s
                   : x->kind == RS_EXP_MTTM_MAX ? s->mttm_s
                                                : s->mttr_s;
        o->passed = !isnan(v) && v * 1000.0 <= (double)x->time;
        snprintf(o->expected, sizeof o->expected, "<= %s", rs_format_duration(x->time, a, sizeof a));
        fmt_opt_s(v, b, sizeof b);
        snprintf(o->actual, sizeof o->actual, "%s", b);
        break;
    }
    case RS_EXP_FAILED_REQUESTS_MAX:
        o->passed = s->failed_requests <= x->num;
        snprintf(o->expected, sizeof o->expected, "<= %.0f", x->num);
        snprintf(o->actual, sizeof o->actual, "%.0f", s->failed_requests);
        break;
    case RS_EXP_BUDGET_BURNED_MAX:
        o->passed = s->error_budget_burned_pct <= x->num;
        snprintf(o->expected, sizeof o->expected, "<= %.2f%%", x->num);
        snprintf(o->actual, sizeof o->actual, "%.2f%%", s->error_budget_burned_pct);
        break;
    case RS_EXP_SCORE_MIN:
        o->passed = s->score >= x->num;
        snprintf(o->expected, sizeof o->expected, ">= %.1f", x->num);
        snprintf(o->actual, sizeof o->actual, "%.1f", s->score);
        break;
    case RS_EXP_ALERT_FIRED:
    case RS_EXP_ALERT_NOT_FIRED: {
        bool fired = alert_fired(sim, x->str);
        o->passed = fired == (x->kind == RS_EXP_ALERT_FIRED);
        snprintf(o->expected, sizeof o->expected, "%s %s", x->str,
                 x->kind == RS_EXP_ALERT_FIRED ? "fired" : "did not fire");
        snprintf(o->actual, sizeof o->actual, "%s %s", x->str, fired ? "fired" : "did not fire");
        break;
    }
    case RS_EXP_PEAK_ERROR_RATE_MIN:
    case RS_EXP_PEAK_ERROR_RATE_MAX:
        o->passed = x->kind == RS_EXP_PEAK_ERROR_RATE_MIN ? s->peak_error_rate >= x->num
                                                          : s->peak_error_rate <= x->num;
        snprintf(o->expected, sizeof o->expected, "%s %.2f%%",
                 x->kind == RS_EXP_PEAK_ERROR_RATE_MIN ? ">=" : "<=", x->num * 100);
        snprintf(o->actual, sizeof o->actual, "%.2f%%", s->peak_error_rate * 100);
        break;
    case RS_EXP_ROWS_LOST_MAX:
        o->passed = sim->result.data.rows_lost <= x->num;
        snprintf(o->expected, sizeof o->expected, "<= %.0f", x->num);
        snprintf(o->actual, sizeof o->actual, "%.0f", sim->result.data.rows_lost);
        break;
    case RS_EXP_HARMFUL_DECISIONS_MAX:
        o->passed = s->decisions_harmful <= x->num;
        snprintf(o->expected, sizeof o->expected, "<= %.0f harmful", x->num);
        snprintf(o->actual, sizeof o->actual, "%d harmful", s->decisions_harmful);
        break;
    case RS_EXP_AT: /* judged by judge_live and finish_at */
    case RS_EXP_KIND_COUNT:
        break;
    }
}

/* ---- expectations at a time ("at") ----
 * The alert, version, weight and rollout parts are read live by an event at the item's time that comes
 * after everything else of that millisecond (RS_TIER_OBSERVE: the world's events, then the policies'),
 * and the item's result slot, after the scenario's other expectations, is filled then. The policy part
 * is read from the trace at the end. */

static void append(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Appends to buf, after ", " when buf is not empty. */
static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n > 0 && n + 2 < size) {
        memcpy(buf + n, ", ", 3);
        n += 2;
    }
    if (n + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, size - n, fmt, ap);
    va_end(ap);
}

static bool at_live(const rs_expect_at *x) { return x->alert[0] || x->version[0] || x->rollout[0] || x->has_weight; }

static const char *states_text(unsigned states, char *buf, size_t size)
{
    static const char *const names[] = {"inactive", "pending", "firing"};
    buf[0] = '\0';
    for (int i = 0; i < 3; i++)
        if (states & (1u << i))
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? " or " : "", names[i]);
    return buf;
}

/* "T+08:00 HighErrorRate firing, flagger [progressing] ~hold, version v2.4, weight 0%" */
static void at_expected(const rs_expect_at *x, char *buf, size_t size)
{
    char clock[24], st[40], parts[160] = "";
    if (x->alert[0])
        append(parts, sizeof parts, "%s %s", x->alert, states_text(x->states, st, sizeof st));
    if (x->policy[0])
        append(parts, sizeof parts, "%s%s%s%s%s%s", x->policy, x->phase[0] ? " [" : "", x->phase,
               x->phase[0] ? "]" : "", x->verdict[0] ? " ~" : "", x->verdict);
    if (x->version[0])
        append(parts, sizeof parts, "version %s", x->version);
    if (x->has_weight)
        append(parts, sizeof parts, "weight %g%%", x->weight);
    if (x->rollout[0])
        append(parts, sizeof parts, "rollout %s", x->rollout);
    snprintf(buf, size, "%s %s", rs_format_clock(x->time, clock, sizeof clock), parts);
}

static void judge_live(const rs_sim *sim, const rs_expect_at *x, rs_expect_result *o)
{
    const rs_scenario *sc = sim->sc;
    memset(o, 0, sizeof *o);
    o->kind = RS_EXP_AT;
    o->passed = true;
    at_expected(x, o->expected, sizeof o->expected);
    if (x->alert[0]) {
        alert_state state = ALERT_INACTIVE;
        for (int i = 0; i < sc->n_alerts; i++)
            if (strcmp(sc->alerts[i].name, x->alert) == 0)
                state = sim->alerts[i].state;
        unsigned bit = state == ALERT_FIRING ? RS_AT_FIRING : state == ALERT_PENDING ? RS_AT_PENDING : RS_AT_INACTIVE;
        char st[40];
        o->passed &= (x->states & bit) != 0;
        append(o->actual, sizeof o->actual, "%s %s", x->alert, states_text(bit, st, sizeof st));
    }
    if (x->version[0] || x->has_weight || x->rollout[0]) {
        rs_rollout_status r;
        rs_sim_rollout(sim, &r);
        const char *stable = sc->versions[r.stable_version].name;
        if (x->version[0]) {
            o->passed &= strcmp(stable, x->version) == 0;
            append(o->actual, sizeof o->actual, "version %s", stable);
        }
        if (x->has_weight) {
            o->passed &= fabs(r.weight - x->weight) < 0.05;
            append(o->actual, sizeof o->actual, "weight %g%%", r.weight);
        }
        if (x->rollout[0]) {
            o->passed &= strcmp(r.phase, x->rollout) == 0;
            append(o->actual, sizeof o->actual, "rollout %s", r.phase);
        }
    }
}

void rs__check_at(rs_sim *sim, int k)
{
    const rs_scenario *sc = sim->sc;
    if (k < 0 || k >= sc->n_at || sc->n_expect + k >= RS_MAX_EXPECT)
        return;
    rs_expect_result *o = &sim->result.outcome.expect[sc->n_expect + k];
    if (o->kind != RS_EXP_AT && at_live(&sc->at[k]))
        judge_live(sim, &sc->at[k], o);
}

/* The policy part: the policy's last trace entry at or before the item's time. */
static void judge_policy(const rs_sim *sim, const rs_expect_at *x, rs_expect_result *o)
{
    const rs_result *r = &sim->result;
    const rs_trace_entry *last = NULL;
    for (size_t i = 0; i < r->n_trace; i++) {
        const rs_trace_entry *e = &r->trace[i];
        if (e->t_ms <= x->time && strcmp(e->policy, x->policy) == 0 && (!last || e->t_ms >= last->t_ms))
            last = e;
    }
    char clock[24];
    if (!last) {
        o->passed = false;
        append(o->actual, sizeof o->actual, "no %s evaluation by %s", x->policy,
               rs_format_clock(x->time, clock, sizeof clock));
        return;
    }
    o->passed &= (!x->phase[0] || strcmp(last->phase, x->phase) == 0) &&
                 (!x->verdict[0] || strstr(last->verdict, x->verdict) != NULL);
    append(o->actual, sizeof o->actual, "%s [%s] at %s: %s", x->policy, last->phase,
           rs_format_clock(last->t_ms, clock, sizeof clock), last->verdict);
}

/* Completes the "at" results; returns how many there are. */
static int finish_at(rs_sim *sim)
{
    const rs_scenario *sc = sim->sc;
    int n = sc->n_at < RS_MAX_EXPECT - sc->n_expect ? sc->n_at : RS_MAX_EXPECT - sc->n_expect;
    for (int k = 0; k < n; k++) {
        const rs_expect_at *x = &sc->at[k];
        rs_expect_result *o = &sim->result.outcome.expect[sc->n_expect + k];
        if (x->time > sim->now) { /* the run ended first */
            char clock[24];
            memset(o, 0, sizeof *o);
            o->kind = RS_EXP_AT;
            at_expected(x, o->expected, sizeof o->expected);
            snprintf(o->actual, sizeof o->actual, "the run ended at %s", rs_format_clock(sim->now, clock, sizeof clock));
            continue;
        }
        if (o->kind != RS_EXP_AT) /* no tick since its time (the end came), or a policy part alone */
            judge_live(sim, x, o);
        if (x->policy[0])
            judge_policy(sim, x, o);
    }
    return n;
}

/* Sorts the timeline by time, keeping the recording order of entries at the same time (entries such as
 * impact_end are recorded once they are known, with the earlier time at which they happened). */
static void sort_timeline(rs_result *r)
{
    for (size_t i = 1; i < r->n_timeline; i++) {
        rs_timeline_entry e = r->timeline[i];
        size_t j = i;
        while (j > 0 && r->timeline[j - 1].t_ms > e.t_ms) {
            r->timeline[j] = r->timeline[j - 1];
            j--;
        }
        r->timeline[j] = e;
    }
}

void rs__finish(rs_sim *sim)
{
    rs_result *r = &sim->result;
    rs_outcome *o = &r->outcome;
    const replicaset *cur = &sim->rs[sim->dep.current];
    snprintf(o->final_version, sizeof o->final_version, "%s", sim->sc->versions[cur->version].name);
    o->final_revision = cur->revision;
    o->recovered = sim->first[RS_EV_IMPACT_START] == RS_TIME_NEVER || sim->recovered;
    o->resolved = sim->first[RS_EV_RESOLVED] != RS_TIME_NEVER;
    o->rollout_failed = sim->first[RS_EV_ROLLOUT_FAILED] != RS_TIME_NEVER;
    o->end_ms = sim->now;
    rs__db_result(sim);
    sort_timeline(r);
    r->n_history = rs_sim_history(sim, r->history, (int)(sizeof r->history / sizeof r->history[0]));
    score(sim);
    for (int i = 0; i < sim->sc->n_expect; i++)
        check_one(sim, &sim->sc->expect[i], &o->expect[i]);
    o->n_expect = sim->sc->n_expect + finish_at(sim);
    o->all_passed = true;
    for (int i = 0; i < o->n_expect; i++)
        o->all_passed &= o->expect[i].passed;
}
