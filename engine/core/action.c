/* The action API: everything a person, a policy or a scenario's scripted timeline can do to the run.
 * Each action validates its arguments before it changes anything and records itself in the timeline,
 * with the words kubectl would print where there is a kubectl equivalent. */
#include "sim_int.h"

#include <stdio.h>
#include <string.h>

static void start_rollout(rs_sim *sim, bool rollback)
{
    sim->dep.rolling = true;
    sim->dep.rollback = rollback;
    sim->dep.failed = false;
    sim->dep.last_progress = sim->now;
    rs__schedule(sim, sim->now + sim->sc->deployment.progress_deadline, EV_PROGRESS_CHECK, 0, 0);
    rs__reconcile(sim);
}

static void describe_strategy(const rs_sim *sim, char *buf, size_t size)
{
    int surge, unavail;
    rs_rolling_bounds(sim->dep.replicas, sim->sc->deployment.max_surge, sim->sc->deployment.max_unavailable,
                      &surge, &unavail);
    snprintf(buf, size, "rolling update of %d pods, maxSurge %d, maxUnavailable %d", sim->dep.replicas, surge,
             unavail);
}

rs_status rs_action_deploy(rs_sim *sim, const char *version, rs_error *err)
{
    int v = rs_scenario_version_index(sim->sc, version);
    if (v < 0)
        return rs_error_set(err, RS_BAD_INPUT, "deploy", "unknown version '%s'", version);
    if (sim->sc->deployment.strategy.kind != RS_STRATEGY_ROLLING) {
        if (sim->sc->deployment.strategy.kind == RS_STRATEGY_BLUE_GREEN && sim->rs[sim->dep.current].version == v)
            return rs_error_set(err, RS_BAD_INPUT, "deploy", "rollout \"%s\" already runs %s", sim->sc->service, version);
        rs_status st = rs__strategy_deploy(sim, v, err);
        if (st == RS_OK)
            rs__db_apply(sim, v);
        if (st == RS_OK && sim->sc->deployment.strategy.kind == RS_STRATEGY_BLUE_GREEN) {
            sim->dep.deployed_at = sim->now;
            start_rollout(sim, false);
        }
        return st;
    }
    if (sim->rs[sim->dep.current].version == v)
        return rs_error_set(err, RS_BAD_INPUT, "deploy",
                            "deployment \"%s\" already runs %s (the template did not change)",
                            sim->sc->service, version);
    int from = sim->rs[sim->dep.current].version;
    int r = rs__adopt_template(sim, v, sim->dep.restart_gen);
    if (r < 0)
        return rs_error_set(err, RS_INTERNAL, "deploy", "too many replica sets");
    char how[96];
    describe_strategy(sim, how, sizeof how);
    sim->dep.deployed_at = sim->now;
    rs__timeline(sim, sim->now, RS_EV_DEPLOY_START, "deploy %s → %s (revision %d): %s",
                 sim->sc->versions[from].name, version, sim->rs[r].revision, how);
    rs__db_apply(sim, v);
    start_rollout(sim, false);
    return RS_OK;
}

rs_status rs_action_undo(rs_sim *sim, int to_revision, rs_error *err)
{
    bool outer = !sim->in_undo;
    if (to_revision <= 0 && (sim->can.active || sim->can.promoting) &&
        sim->sc->deployment.strategy.kind == RS_STRATEGY_CANARY) {
        if (outer)
            rs__decide(sim, RS_DEC_ROLLBACK, "", "(abort the canary)");
        sim->in_undo = true;
        rs__canary_undo(sim, err);
        sim->in_undo = !outer;
        return RS_OK;
    }
    const replicaset *cur = &sim->rs[sim->dep.current];
    int target = -1;
    for (int i = 0; i < sim->n_rs; i++) {
        const replicaset *r = &sim->rs[i];
        if (!in_deployment(sim, i) || i == sim->dep.current)
            continue;
        if (to_revision > 0) {
            if (r->revision == to_revision)
                target = i;
        } else if (r->revision < cur->revision && (target < 0 || r->revision > sim->rs[target].revision)) {
            target = i;
        }
    }
    if (to_revision > 0 && to_revision == cur->revision)
        return rs_error_set(err, RS_BAD_INPUT, "undo",
                            "skipped rollback (current template already matches revision %d)", to_revision);
    if (target < 0) {
        if (to_revision > 0)
            return rs_error_set(err, RS_BAD_INPUT, "undo", "unable to find specified revision %d in history",
                                to_revision);
        return rs_error_set(err, RS_BAD_INPUT, "undo", "no rollout history found for deployment \"%s\"",
                            sim->sc->service);
    }
    if (outer) {
        char what[96];
        snprintf(what, sizeof what, "to %s (revision %d)", sim->sc->versions[sim->rs[target].version].name,
                 sim->rs[target].revision);
        rs__decide(sim, RS_DEC_ROLLBACK, "", what);
    }
    if (sim->sc->deployment.strategy.kind == RS_STRATEGY_BLUE_GREEN)
        return rs__bluegreen_undo(sim, target, err);
    if (sim->sc->deployment.strategy.kind == RS_STRATEGY_CANARY && sim->can.active)
        rs__canary_undo(sim, err); /* an explicit revision also ends the analysis */
    int from_v = cur->version, from_rev = cur->revision, old_rev = sim->rs[target].revision;
    int r = rs__adopt_template(sim, sim->rs[target].version, sim->rs[target].restart_gen);
    sim->dep.deployed_at = sim->now;
    char how[96], to[32] = "";
    if (to_revision > 0)
        snprintf(to, sizeof to, " --to-revision=%d", to_revision);
    describe_strategy(sim, how, sizeof how);
    rs__timeline(sim, sim->now, RS_EV_ROLLBACK_START,
                 "kubectl rollout undo deployment/%s%s: %s (revision %d) → %s (revision %d becomes %d): %s",
                 sim->sc->service, to, sim->sc->versions[from_v].name,
                 from_rev, sim->sc->versions[sim->rs[r].version].name, old_rev, sim->rs[r].revision, how);
    if (!sim->result.outcome.rolled_back) {
        sim->result.outcome.rolled_back = true;
        sim->result.outcome.rollback_at = sim->now;
    }
    start_rollout(sim, true);
    return RS_OK;
}

rs_status rs_action_ack(rs_sim *sim, const char *who, rs_error *err)
{
    (void)err;
    const char *by = who && *who ? who : "on-call";
    if (sim->page_open) {
        sim->page_open = false; /* stops the escalation */
        rs__timeline(sim, sim->now, RS_EV_ACK, "%s acknowledged the page; escalation stopped", by);
    } else {
        rs__timeline(sim, sim->now, RS_EV_ACK, "%s acknowledged (no page was open)", by);
    }
    return RS_OK;
}

rs_status rs_action_note(rs_sim *sim, const char *text, rs_error *err)
{
    if (!text || !*text)
        return rs_error_set(err, RS_BAD_INPUT, "note", "a note needs text");
    rs__timeline(sim, sim->now, RS_EV_NOTE, "%s", text);
    return RS_OK;
}

rs_status rs_action_pause(rs_sim *sim, rs_error *err)
{
    if (sim->dep.paused)
        return rs_error_set(err, RS_BAD_INPUT, "pause", "deployment \"%s\" is already paused", sim->sc->service);
    sim->dep.paused = true;
    rs__timeline(sim, sim->now, RS_EV_PAUSE, "kubectl rollout pause deployment/%s", sim->sc->service);
    return RS_OK;
}

rs_status rs_action_resume(rs_sim *sim, rs_error *err)
{
    if (!sim->dep.paused)
        return rs_error_set(err, RS_BAD_INPUT, "resume", "deployment \"%s\" is not paused", sim->sc->service);
    sim->dep.paused = false;
    sim->dep.last_progress = sim->now; /* the deadline is not checked while paused */
    rs__timeline(sim, sim->now, RS_EV_RESUME, "kubectl rollout resume deployment/%s", sim->sc->service);
    if (sim->dep.rolling)
        rs__schedule(sim, sim->now + sim->sc->deployment.progress_deadline, EV_PROGRESS_CHECK, 0, 0);
    rs__reconcile(sim);
    return RS_OK;
}

rs_status rs_action_scale(rs_sim *sim, int replicas, rs_error *err)
{
    if (replicas < 0 || replicas > 10000)
        return rs_error_set(err, RS_BAD_INPUT, "scale", "replicas must be within 0..10000, got %d", replicas);
    int from = sim->dep.replicas;
    sim->dep.replicas = replicas;
    if (!sim->dep.rolling)
        sim->rs[sim->dep.current].replicas = replicas;
    rs__timeline(sim, sim->now, RS_EV_SCALE, "kubectl scale deployment/%s --replicas=%d (was %d)", sim->sc->service,
                 replicas, from);
    rs__reconcile(sim);
    return RS_OK;
}

rs_status rs_action_restart(rs_sim *sim, rs_error *err)
{
    int v = sim->rs[sim->dep.current].version;
    int r = rs__adopt_template(sim, v, sim->dep.max_revision + 1);
    if (r < 0)
        return rs_error_set(err, RS_INTERNAL, "restart", "too many replica sets");
    rs__timeline(sim, sim->now, RS_EV_RESTART, "kubectl rollout restart deployment/%s: %s, revision %d",
                 sim->sc->service, sim->sc->versions[v].name, sim->rs[r].revision);
    start_rollout(sim, false);
    return RS_OK;
}

rs_status rs_action_resolve(rs_sim *sim, const char *summary, rs_error *err)
{
    (void)err;
    if (sim->first[RS_EV_RESOLVED] != RS_TIME_NEVER)
        return rs_error_set(err, RS_BAD_INPUT, "resolve", "the incident is already resolved");
    sim->page_open = false;
    const replicaset *cur = &sim->rs[sim->dep.current];
    rs__timeline(sim, sim->now, RS_EV_RESOLVED, "incident resolved%s%s; %s runs %s (revision %d)",
                 summary && *summary ? ": " : "", summary ? summary : "", sim->sc->service,
                 sim->sc->versions[cur->version].name, cur->revision);
    if (sim->sc->tail_after_resolve > 0)
        rs__schedule(sim, sim->now + sim->sc->tail_after_resolve, EV_END, 0, 0);
    return RS_OK;
}

rs_status rs_action_promote(rs_sim *sim, rs_error *err)
{
    switch (sim->sc->deployment.strategy.kind) {
    case RS_STRATEGY_CANARY:
        return rs__canary_promote_action(sim, err);
    case RS_STRATEGY_BLUE_GREEN:
        return rs__bluegreen_promote_action(sim, err);
    case RS_STRATEGY_ROLLING:
        break;
    }
    return rs_error_set(err, RS_BAD_INPUT, "promote",
                        "deployment \"%s\" uses a rolling update: there is nothing to promote", sim->sc->service);
}

rs_status rs_action_set_weight(rs_sim *sim, double percent, rs_error *err)
{
    if (sim->sc->deployment.strategy.kind != RS_STRATEGY_CANARY)
        return rs_error_set(err, RS_BAD_INPUT, "set_weight", "traffic weights exist only for a canary strategy");
    if (!(percent >= 0 && percent <= 100))
        return rs_error_set(err, RS_BAD_INPUT, "set_weight", "a weight is a percentage within 0..100, got %g", percent);
    return rs__canary_weight_action(sim, percent, err);
}

void rs_sim_skip_scripted_operator(rs_sim *sim) { sim->skip_scripted_operator = true; }

void rs_sim_set_actor(rs_sim *sim, const char *who) { snprintf(sim->actor, sizeof sim->actor, "%s", who ? who : ""); }

rs_status rs_action_hotfix(rs_sim *sim, const char *version, rs_error *err)
{
    int v = version ? rs_scenario_version_index(sim->sc, version) : -1;
    if (v < 0)
        return rs_error_set(err, RS_BAD_INPUT, "hotfix", "unknown version '%s'", version ? version : "");
    if (v == sim->rs[sim->dep.current].version)
        return rs_error_set(err, RS_BAD_INPUT, "hotfix", "%s is already running", version);
    char eta[24];
    rs_format_duration(sim->sc->versions[v].build_time, eta, sizeof eta);
    char what[96];
    snprintf(what, sizeof what, "%s (build and deploy in %s)", version, eta);
    rs__decide(sim, RS_DEC_HOTFIX, "", what);
    rs__timeline(sim, sim->now, RS_EV_HOTFIX, "building hotfix %s: deploys in %s", version, eta);
    rs__schedule(sim, sim->now + sim->sc->versions[v].build_time, EV_HOTFIX_READY, (uint32_t)v, 0);
    return RS_OK;
}

rs_status rs_action_config_fix(rs_sim *sim, rs_error *err)
{
    int v = sim->rs[sim->dep.current].version;
    rs__decide(sim, RS_DEC_CONFIG_FIX, "", "(update the config map, restart the pods)");
    sim->config_fixed_at[v] = sim->now;
    rs__timeline(sim, sim->now, RS_EV_CONFIG_FIX, "kubectl apply -f configmap.yaml && kubectl rollout restart deployment/%s",
                 sim->sc->service);
    return rs_action_restart(sim, err);
}

rs_status rs_action_escalate(rs_sim *sim, const char *to, rs_error *err)
{
    (void)err;
    rs__decide(sim, RS_DEC_ESCALATE, "", to && *to ? to : "");
    rs__timeline(sim, sim->now, RS_EV_ESCALATE, "escalated to %s", to && *to ? to : "the owning team");
    return RS_OK;
}

rs_status rs_action_wait(rs_sim *sim, const char *why, rs_error *err)
{
    (void)err;
    rs__decide(sim, RS_DEC_WAIT, "", why && *why ? why : "");
    return RS_OK;
}

void rs_sim_canary_manual(rs_sim *sim, bool manual) { sim->can.manual = manual; }

void rs__run_scripted(rs_sim *sim, int i)
{
    const rs_scripted_action *a = &sim->sc->actions[i];
    if (sim->skip_scripted_operator && a->kind != RS_ACT_DEPLOY)
        return; /* an operator policy plays the on-call */
    char saved[RS_NAME_MAX];
    memcpy(saved, sim->actor, sizeof saved);
    if (!sim->actor[0])
        snprintf(sim->actor, sizeof sim->actor, "scripted on-call");
    rs_error err;
    rs_error_clear(&err);
    rs_status st = RS_OK;
    switch (a->kind) {
    case RS_ACT_DEPLOY:
        st = rs_action_deploy(sim, a->version, &err);
        break;
    case RS_ACT_ACK:
        st = rs_action_ack(sim, a->text, &err);
        break;
    case RS_ACT_NOTE:
        st = rs_action_note(sim, a->text, &err);
        break;
    case RS_ACT_UNDO:
        st = rs_action_undo(sim, a->revision, &err);
        break;
    case RS_ACT_PAUSE:
        st = rs_action_pause(sim, &err);
        break;
    case RS_ACT_RESUME:
        st = rs_action_resume(sim, &err);
        break;
    case RS_ACT_SCALE:
        st = rs_action_scale(sim, a->replicas, &err);
        break;
    case RS_ACT_RESTART:
        st = rs_action_restart(sim, &err);
        break;
    case RS_ACT_RESOLVE:
        st = rs_action_resolve(sim, a->text, &err);
        break;
    case RS_ACT_HOTFIX:
        st = rs_action_hotfix(sim, a->version, &err);
        break;
    case RS_ACT_CONFIG_FIX:
        st = rs_action_config_fix(sim, &err);
        break;
    case RS_ACT_MIGRATE_DOWN:
        st = rs_action_migrate_down(sim, a->version, &err);
        break;
    case RS_ACT_BACKUP:
        st = rs_action_backup(sim, a->text, &err);
        break;
    case RS_ACT_RESTORE:
        st = rs_action_restore(sim, a->text, &err);
        break;
    case RS_ACT_ESCALATE:
        st = rs_action_escalate(sim, a->text, &err);
        break;
    case RS_ACT_WAIT:
        st = rs_action_wait(sim, a->text, &err);
        break;
    case RS_ACT_KIND_COUNT:
        break;
    }
    if (st != RS_OK) /* as kubectl would: the command fails, the incident goes on */
        rs__timeline(sim, sim->now, RS_EV_NOTE, "%s failed: %s", rs_action_kind_name(a->kind), err.message);
    memcpy(sim->actor, saved, sizeof saved);
}
