/* Every decision a policy, a person or the scripted timeline makes is recorded with the facts of that
 * moment and judged against the seed's Part 2 decision tree (rollback or forward fix) and Part 4
 * database table: correct, acceptable or harmful, with the branch that applies and a reason in words.
 * The judge knows the truth (is the release the cause?), as a trainer reviewing the incident does. */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *impact;
    double minutes;
    const char *data;
    bool cause;
    double eta_s;
    bool config;
    double hotfix_s;
    double data_at_risk; /* what a down migration would lose now */
} facts;

static const rs_sample *last_sample(const rs_sim *sim, rs_sample *tmp)
{
    if (sim->lean) { /* no series kept: look at the dashboard now */
        rs__sample_now(sim, tmp);
        return tmp;
    }
    return sim->result.n_series ? &sim->result.series[sim->result.n_series - 1] : NULL;
}

/* The seed's Part 1 severities: an error spike, a traffic drop, crashing pods or corrupt data are
 * high; a latency increase is medium ("slow but functional"). */
static const char *impact_level(const rs_sim *sim)
{
    const rs_scenario *sc = sim->sc;
    rs_sample tmp;
    const rs_sample *s = last_sample(sim, &tmp);
    if (!s)
        return "none";
    double err = isnan(s->error_rate) ? 0 : s->error_rate;
    bool low_traffic = !isnan(s->rpm) && s->rpm < 0.5 * sc->traffic.rpm;
    bool crashing = s->pods_total > 0 && s->pods_ready < 0.5 * sim->dep.replicas;
    bool biz = false;
    for (int k = 0; k < sc->n_biz_metrics; k++)
        if (!isnan(s->business[k]) && s->business[k] < 0.8 * sc->biz_metrics[k].baseline)
            biz = true;
    if (err >= 0.05 || low_traffic || crashing || biz)
        return "high";
    if (err >= sc->impact_error_rate ||
        (!isnan(s->latency_p95_ms) && s->latency_p95_ms >= sc->impact_latency_factor * sc->baseline.latency_p95_ms))
        return "medium";
    if (err >= 2 * sc->baseline.error_rate || sim->in_impact)
        return "low";
    return "none";
}

/* Is a fault of the release (the current template, or a canary in flight) active now? */
static bool release_is_cause(const rs_sim *sim)
{
    int vs[2] = {sim->rs[sim->dep.current].version, sim->can.canary >= 0 ? sim->rs[sim->can.canary].version : -1};
    for (int k = 0; k < 2; k++) {
        int v = vs[k];
        if (v < 0)
            continue;
        const rs_version *ver = &sim->sc->versions[v];
        for (int i = 0; i < ver->n_faults; i++) {
            const fault_state *st = &sim->vfault[v][i];
            if (ver->faults[i].kind == RS_FAULT_MEMORY_LEAK ? sim->leak_onset_scheduled[v] : st->started)
                return true;
        }
        if (ver->n_migrations > 0 && strcmp(rs__db_changes(sim, v), "none") != 0)
            for (int u = 0; u < sim->sc->n_versions; u++)
                if (rs__db_errors(sim, u) > 0)
                    return true;
    }
    /* a release that is being rolled back: the previous template is the suspect */
    if (sim->dep.rollback)
        return true;
    return false;
}

/* Time for one pod of `version` to be created, start and become available. */
static double pod_start_s(const rs_sim *sim, int version)
{
    const rs_deployment_spec *d = &sim->sc->deployment;
    return (double)d->image_pull / 1000.0 + sim->sc->versions[version].startup_s + (double)d->probe_period / 2000.0 +
           (double)d->min_ready / 1000.0;
}

/* Waves of a rolling update that must replace `pods` pods. */
static int waves(const rs_sim *sim, int pods)
{
    const rs_deployment_spec *d = &sim->sc->deployment;
    int surge, unavail;
    rs_rolling_bounds(sim->dep.replicas, d->max_surge, d->max_unavailable, &surge, &unavail);
    int per_wave = surge + unavail > 0 ? surge + unavail : 1;
    return (pods + per_wave - 1) / per_wave;
}

/* The replica set a rollback would return to (the previous revision), or -1. */
static int rollback_target(const rs_sim *sim)
{
    int best = -1, cur = sim->rs[sim->dep.current].revision;
    for (int i = 0; i < sim->n_rs; i++)
        if (in_deployment(sim, i) && i != sim->dep.current && sim->rs[i].revision < cur &&
            (best < 0 || sim->rs[i].revision > sim->rs[best].revision))
            best = i;
    return best;
}

/* How long a rollback would take now, from the strategy and the old version's start-up. */
double rs__rollback_eta_s(const rs_sim *sim)
{
    const rs_deployment_spec *d = &sim->sc->deployment;
    int t = rollback_target(sim);
    int v = t >= 0 ? sim->rs[t].version : sim->sc->initial_version;
    double start = pod_start_s(sim, v);
    switch (d->strategy.kind) {
    case RS_STRATEGY_BLUE_GREEN:
        if (t >= 0 && sim->rs[t].available >= sim->dep.replicas)
            return (double)d->strategy.switch_time / 1000.0;
        return start + (double)d->strategy.switch_time / 1000.0;
    case RS_STRATEGY_CANARY:
        if (sim->can.active)
            return d->strategy.mesh ? 1.0 : start;
        break;
    case RS_STRATEGY_ROLLING:
        break;
    }
    int keep = t >= 0 ? sim->rs[t].available : 0; /* old pods still up need no replacement */
    int replace = sim->dep.replicas - keep;
    return replace > 0 ? waves(sim, replace) * start : 0;
}

/* Build, then roll out every pod of the fixed version. */
static double hotfix_eta_s(const rs_sim *sim, int v)
{
    double roll = sim->sc->deployment.strategy.kind == RS_STRATEGY_BLUE_GREEN ? pod_start_s(sim, v)
                                                                               : waves(sim, sim->dep.replicas) * pod_start_s(sim, v);
    return (double)sim->sc->versions[v].build_time / 1000.0 + roll;
}

static void gather(const rs_sim *sim, facts *f)
{
    int cur = sim->rs[sim->dep.current].version;
    int bad = sim->can.canary >= 0 && (sim->can.active || sim->can.promoting) ? sim->rs[sim->can.canary].version : cur;
    if (sim->decision_subject >= 0)
        bad = sim->decision_subject;
    f->impact = impact_level(sim);
    f->minutes = sim->dep.deployed_at == RS_TIME_NEVER ? NAN : (double)(sim->now - sim->dep.deployed_at) / 60000.0;
    f->data = rs__db_changes(sim, bad);
    f->cause = release_is_cause(sim);
    f->eta_s = rs__rollback_eta_s(sim);
    f->config = false;
    const rs_version *ver = &sim->sc->versions[bad];
    for (int i = 0; i < ver->n_faults; i++)
        if (ver->faults[i].config_fix && sim->config_fixed_at[bad] == RS_TIME_NEVER)
            f->config = true;
    f->hotfix_s = NAN;
    for (int v = bad + 1; v < sim->sc->n_versions; v++)
        if (isnan(f->hotfix_s) || hotfix_eta_s(sim, v) < f->hotfix_s)
            f->hotfix_s = hotfix_eta_s(sim, v);
    f->data_at_risk = 0;
    rs__db_result((rs_sim *)sim); /* refresh rows at risk */
    f->data_at_risk = sim->result.data.rows_at_risk;
}

#define VERDICT(j, fmt, ...) (d->judgement = (j), snprintf(d->reason, sizeof d->reason, fmt, __VA_ARGS__))
#define BRANCH(...) snprintf(d->branch, sizeof d->branch, __VA_ARGS__)

static void judge_db_revert(const facts *f, rs_decision *d)
{
    if (strcmp(f->data, "irreversible") == 0)
        VERDICT(RS_JUDGED_HARMFUL, "%s", "the schema change cannot be reverted: the down step loses data or fails");
    else if (f->data_at_risk > 0)
        VERDICT(RS_JUDGED_HARMFUL, "data lost: %.0f rows only the new schema held, and no backup (back up the table first)",
                f->data_at_risk);
    else if (strcmp(f->data, "none") == 0)
        VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "no schema change of the release to revert");
    else
        VERDICT(RS_JUDGED_CORRECT, "%s", "reversible schema change, no data lost: revert it with the application");
}

static void judge(const facts *f, rs_decision_kind k, rs_decision *d)
{
    bool high = strcmp(f->impact, "high") == 0, medium = strcmp(f->impact, "medium") == 0;
    bool low = strcmp(f->impact, "low") == 0;
    if (k == RS_DEC_DB_REVERT) {
        BRANCH("Part 4: reverting the schema (%s)", f->data);
        judge_db_revert(f, d);
        return;
    }
    if (f->config) {
        BRANCH("Q1: can it be fixed quickly (< 5 min)? yes, a simple config: forward fix (config map + restart)");
        if (k == RS_DEC_CONFIG_FIX)
            VERDICT(RS_JUDGED_CORRECT, "%s", "the quick forward fix: update the config map and restart the pods");
        else if (k == RS_DEC_WAIT)
            VERDICT(high ? RS_JUDGED_HARMFUL : RS_JUDGED_ACCEPTABLE, "%s", "a config fix would end it in minutes");
        else if (k == RS_DEC_ROLLBACK && strcmp(f->data, "irreversible") == 0)
            VERDICT(RS_JUDGED_HARMFUL, "%s", "rolling back across an irreversible schema change");
        else
            VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "works, but the config fix is quicker and keeps the release");
        return;
    }
    if (!f->cause && strcmp(f->impact, "none") == 0) {
        BRANCH("no user impact and nothing wrong with the release");
        if (k == RS_DEC_WAIT)
            VERDICT(RS_JUDGED_CORRECT, "%s", "nothing to fix: keep the release and watch");
        else if (k == RS_DEC_ESCALATE)
            VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "nothing to escalate yet");
        else
            VERDICT(RS_JUDGED_HARMFUL, "%s", "a false rollback: a healthy release was taken away from users");
        return;
    }
    if (!f->cause) {
        BRANCH("Q2: caused by the latest deployment? no: external root cause, fix the underlying issue");
        if (k == RS_DEC_ESCALATE)
            VERDICT(RS_JUDGED_CORRECT, "%s", "the cause is outside the release: get its owner to fix it");
        else if (k == RS_DEC_WAIT)
            VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "nothing in the release to undo; watching the dependency");
        else
            VERDICT(RS_JUDGED_HARMFUL, "%s", "wasted time, still broken: the cause is not the deployment");
        return;
    }
    if (strcmp(f->data, "irreversible") == 0) {
        BRANCH("Q6: can the DB changes be reverted? no: forward fix only");
        if (k == RS_DEC_HOTFIX || k == RS_DEC_CONFIG_FIX)
            VERDICT(RS_JUDGED_CORRECT, "%s", "forward fix: fix the bug in the new version, keep the new schema");
        else if (k == RS_DEC_ROLLBACK)
            VERDICT(RS_JUDGED_HARMFUL, "%s",
                    "rolling back across an irreversible migration: data lost, the old version fails on the new schema");
        else if (k == RS_DEC_WAIT)
            VERDICT(low ? RS_JUDGED_ACCEPTABLE : RS_JUDGED_HARMFUL, "%s", "users are impacted and only a forward fix helps");
        else
            VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "escalating is fine, the fix must go forward");
        return;
    }
    if (high) {
        if (f->eta_s < 300) {
            BRANCH("Q7: high impact, rollback takes %.0f s (< 5 min): IMMEDIATE rollback, debug later", f->eta_s);
            if (k == RS_DEC_ROLLBACK)
                VERDICT(RS_JUDGED_CORRECT, "%s", "user impact too high: roll back first, debug later");
            else if (k == RS_DEC_HOTFIX)
                VERDICT(RS_JUDGED_HARMFUL, "forward-fixing a high-impact outage that a rollback would end in %.0f s",
                        f->eta_s);
            else if (k == RS_DEC_WAIT)
                VERDICT(RS_JUDGED_HARMFUL, "%s", "waiting while users fail; a rollback takes under 5 minutes");
            else
                VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "a rollback would have been quicker");
            return;
        }
        bool faster = !isnan(f->hotfix_s) && f->hotfix_s < f->eta_s;
        BRANCH("Q7/Q8: high impact, rollback takes %.0f s (> 5 min); forward fix faster? %s", f->eta_s,
               faster ? "yes: deploy the hotfix" : "no: roll back");
        if (k == (faster ? RS_DEC_HOTFIX : RS_DEC_ROLLBACK))
            VERDICT(RS_JUDGED_CORRECT, "%s", faster ? "the fix is obvious and deploys faster than a rollback"
                                                    : "no faster forward fix: roll back");
        else if (k == RS_DEC_WAIT)
            VERDICT(RS_JUDGED_HARMFUL, "%s", "waiting while users fail");
        else
            VERDICT(RS_JUDGED_ACCEPTABLE, "%s", faster ? "a rollback works but the hotfix was faster"
                                                       : "a rollback was faster than this forward fix");
        return;
    }
    if (medium) {
        if (strcmp(f->data, "none") == 0) {
            BRANCH("Q5: medium impact, no DB changes: rollback, safe to revert");
            if (k == RS_DEC_ROLLBACK)
                VERDICT(RS_JUDGED_CORRECT, "%s", "safe to revert, no data migration: quick recovery");
            else
                VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "a rollback was the safe, quick choice");
        } else {
            BRANCH("Q6: medium impact, reversible DB changes: rollback + DB revert, coordinated");
            if (k == RS_DEC_ROLLBACK)
                VERDICT(RS_JUDGED_CORRECT, "%s", "revert the application, then run the down migration");
            else
                VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "rollback + DB revert was the branch");
        }
        return;
    }
    if (low) {
        if (!isnan(f->minutes) && f->minutes > 30) {
            BRANCH("Q4: low impact, %.0f min since the deployment (> 30): forward fix, rollback riskier", f->minutes);
            if (k == RS_DEC_HOTFIX || k == RS_DEC_CONFIG_FIX)
                VERDICT(RS_JUDGED_CORRECT, "%s", "more data changes since the deploy: fix forward");
            else
                VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "forward fix preferred more than 30 minutes after the deploy");
        } else {
            BRANCH("Q4: low impact, %.0f min since the deployment (< 30): consider rollback", isnan(f->minutes) ? 0 : f->minutes);
            if (k == RS_DEC_ROLLBACK)
                VERDICT(RS_JUDGED_CORRECT, "%s", "low risk, easy rollback, users barely affected");
            else
                VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "a rollback was the low-risk choice");
        }
        return;
    }
    BRANCH("no user impact visible");
    if (k == RS_DEC_WAIT)
        VERDICT(RS_JUDGED_CORRECT, "%s", "nothing visible to fix yet: watch");
    else
        VERDICT(RS_JUDGED_ACCEPTABLE, "%s", "acting without visible impact: cautious");
}

void rs__decide(rs_sim *sim, rs_decision_kind kind, const char *who, const char *text)
{
    rs_result *r = &sim->result;
    facts f;
    gather(sim, &f);
    rs_decision tmp, *d = r->n_decisions < RS_MAX_DECISIONS ? &r->decisions[r->n_decisions++] : &tmp;
    memset(d, 0, sizeof *d);
    d->t_ms = sim->now;
    d->kind = kind;
    snprintf(d->who, sizeof d->who, "%s", who && *who ? who : sim->actor[0] ? sim->actor : "on-call");
    d->impact = f.impact;
    d->minutes_since_deploy = f.minutes;
    d->data_changes = f.data;
    d->cause_is_deployment = f.cause;
    d->rollback_eta_s = f.eta_s;
    d->config_fixable = f.config;
    d->hotfix_eta_s = f.hotfix_s;
    judge(&f, kind, d);
    rs__timeline(sim, sim->now, RS_EV_DECISION, "%s: %s%s%s — %s: %s [%s]", d->who, rs_decision_kind_name(kind),
                 text && *text ? " " : "", text ? text : "", rs_judgement_name(d->judgement), d->reason, d->branch);
}
