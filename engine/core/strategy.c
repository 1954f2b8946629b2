/* Blue-green and canary releases on top of the Deployment model.
 * Blue-green follows Argo Rollouts' blueGreen strategy: the new (preview) set scales to full size
 * beside the active one; promotion switches the service selector, every user at once; the old set stays
 * up for scaleDownDelaySeconds so that a rollback is a switch back.
 * Canary follows Flagger: a canary set beside the primary, traffic weight stepped every analysis
 * interval up to maxWeight (overshooting it as Flagger does), promotion copies the canary's template to
 * the primary (a rolling update), then all traffic returns to the primary and the canary scales to
 * zero; a rollback sends all traffic to the primary and scales the canary to zero. Without a mesh the
 * weight becomes a replica ratio, the nearest count, as Argo Rollouts does without traffic routing. */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const rs_strategy_spec *strat(const rs_sim *sim) { return &sim->sc->deployment.strategy; }
static const char *vname(const rs_sim *sim, int r) { return sim->sc->versions[sim->rs[r].version].name; }

void rs__strategy_init(rs_sim *sim)
{
    sim->bg.active = sim->dep.current;
    sim->bg.old = -1;
    sim->bg.switch_at = RS_TIME_NEVER;
    sim->can.canary = -1;
    sim->dep.deployed_at = RS_TIME_NEVER;
}

static int canary_replicas_for(const rs_sim *sim, double weight)
{
    int n = sim->dep.replicas;
    return (int)lround(weight / 100.0 * n); /* the nearest count */
}

int rs__primary_target(const rs_sim *sim)
{
    const canary_state *c = &sim->can;
    if (strat(sim)->kind == RS_STRATEGY_CANARY && !strat(sim)->mesh && c->canary >= 0 && c->active) {
        int t = sim->dep.replicas - sim->rs[c->canary].replicas;
        return t < 0 ? 0 : t;
    }
    return sim->dep.replicas;
}

/* ---------------- blue-green ---------------- */

static void bg_switch(rs_sim *sim, int target, bool rollback)
{
    bluegreen_state *bg = &sim->bg;
    int from = bg->active;
    bg->old = from;
    bg->active = target;
    bg->switch_at = sim->now;
    bg->promote_scheduled = false;
    bg->gen++;
    char buf[24];
    rs__timeline(sim, sim->now, RS_EV_TRAFFIC,
                 "service selector switched %s → %s: every user at once (takes effect over %s)", vname(sim, from),
                 vname(sim, target), rs_format_duration(strat(sim)->switch_time, buf, sizeof buf));
    rs__schedule(sim, sim->now + strat(sim)->switch_time, EV_BG_SWITCHED, rollback ? 1 : 0, bg->gen);
    rs__schedule(sim, sim->now + strat(sim)->scale_down_delay, EV_BG_SCALEDOWN, (uint32_t)from, 0);
}

void rs__bluegreen_step(rs_sim *sim)
{
    bluegreen_state *bg = &sim->bg;
    deployment *d = &sim->dep;
    int n = d->replicas;
    for (int i = 0; i < sim->n_rs; i++) {
        if (!in_deployment(sim, i))
            continue;
        if (i == bg->active || i == d->current)
            rs__scale_rs(sim, i, n);
        else if (i != bg->old)
            rs__scale_rs(sim, i, 0);
    }
    if (!d->rolling || d->current == bg->active)
        return;
    const replicaset *preview = &sim->rs[d->current];
    if (preview->available < n || bg->promote_scheduled)
        return;
    if (d->rollback) {
        bg_switch(sim, d->current, true); /* the old set is whole again: switch back at once */
    } else if (strat(sim)->auto_promote && !d->paused) {
        bg->promote_scheduled = true;
        rs__schedule(sim, sim->now + strat(sim)->auto_promote_after, EV_BG_PROMOTE, 0, bg->gen);
    }
}

/* ---------------- canary ---------------- */

static void set_weight(rs_sim *sim, double w)
{
    canary_state *c = &sim->can;
    c->weight = w;
    if (!strat(sim)->mesh) {
        rs__scale_rs(sim, c->canary, canary_replicas_for(sim, w));
        rs__timeline(sim, sim->now, RS_EV_TRAFFIC, "canary weight %.0f%%: %d of %d pods run %s (no mesh: replica ratio)",
                     w, sim->rs[c->canary].replicas, sim->dep.replicas, vname(sim, c->canary));
    } else {
        rs__timeline(sim, sim->now, RS_EV_TRAFFIC, "canary weight %.0f%%: %.0f%% of requests to %s, %.0f%% to the primary",
                     w, w, vname(sim, c->canary), 100 - w);
    }
    rs__reconcile(sim);
}

static bool canary_ready(rs_sim *sim)
{
    canary_state *c = &sim->can;
    const replicaset *r = &sim->rs[c->canary];
    bool ready = r->available >= r->replicas;
    if (ready && r->replicas > 0)
        c->was_ready = true;
    return ready;
}

static void canary_promote(rs_sim *sim)
{
    canary_state *c = &sim->can;
    c->promoting = true;
    c->gen++;
    int v = sim->rs[c->canary].version;
    int r = rs__adopt_template(sim, v, sim->dep.restart_gen);
    if (r < 0) {
        rs_sim_fail(sim, RS_INTERNAL, "too many replica sets");
        return;
    }
    sim->result.outcome.promoted = true;
    rs__timeline(sim, sim->now, RS_EV_PROMOTE,
                 "canary %s promoted at weight %.0f%%: copying its template to the primary (rolling update, revision %d)",
                 sim->sc->versions[v].name, c->weight, sim->rs[r].revision);
    sim->dep.rolling = true;
    sim->dep.rollback = false;
    sim->dep.last_progress = sim->now;
    rs__reconcile(sim);
}

static void canary_step(rs_sim *sim)
{
    canary_state *c = &sim->can;
    const rs_strategy_spec *s = strat(sim);
    if (!c->active || c->promoting || c->manual)
        return;
    rs__schedule(sim, sim->now + s->interval, EV_CANARY_STEP, 0, c->gen);
    if (sim->dep.paused || !canary_ready(sim))
        return; /* Flagger waits for the canary to be ready */
    if (c->weight >= s->max_weight) {
        canary_promote(sim);
        return;
    }
    double next = s->n_step_weights > 0 ? s->step_weights[c->step < s->n_step_weights ? c->step : s->n_step_weights - 1]
                                        : c->weight + s->step_weight;
    if (next > 100)
        next = 100;
    c->step++;
    set_weight(sim, next);
}

bool rs__canary_primary_done(rs_sim *sim)
{
    canary_state *c = &sim->can;
    if (strat(sim)->kind != RS_STRATEGY_CANARY || !c->promoting)
        return false;
    c->promoting = false;
    c->active = false;
    c->weight = 0;
    int cr = c->canary;
    rs__scale_rs(sim, cr, 0);
    rs__timeline(sim, sim->now, RS_EV_DEPLOY_COMPLETE,
                 "promotion complete: the primary runs %s (revision %d), all traffic on the primary, canary scaled to zero",
                 vname(sim, sim->dep.current), sim->rs[sim->dep.current].revision);
    return true;
}

void rs__strategy_check(rs_sim *sim)
{
    canary_state *c = &sim->can;
    if (strat(sim)->kind != RS_STRATEGY_CANARY || !c->aborting)
        return;
    const replicaset *p = &sim->rs[sim->dep.current];
    if (p->available < sim->dep.replicas || sim->rs[c->canary].live > 0)
        return;
    c->aborting = false;
    rs__timeline(sim, sim->now, RS_EV_ROLLBACK_COMPLETE,
                 "canary rolled back: primary %s serves all traffic with %d/%d pods available, canary at zero",
                 vname(sim, sim->dep.current), p->available, sim->dep.replicas);
}

static void canary_abort(rs_sim *sim, const char *why)
{
    canary_state *c = &sim->can;
    c->active = false;
    c->weight = 0;
    c->gen++;
    c->aborting = true;
    if (!sim->result.outcome.rolled_back) {
        sim->result.outcome.rolled_back = true;
        sim->result.outcome.rollback_at = sim->now;
    }
    rs__timeline(sim, sim->now, RS_EV_ROLLBACK_START,
                 "canary %s rolled back%s: all traffic to the primary %s, canary scaled to zero", vname(sim, c->canary),
                 why, vname(sim, sim->dep.current));
    rs__scale_rs(sim, c->canary, 0);
    rs__reconcile(sim);
}

rs_status rs__canary_promote_action(rs_sim *sim, rs_error *err)
{
    canary_state *c = &sim->can;
    if (!c->active || c->promoting)
        return rs_error_set(err, RS_BAD_INPUT, "promote", c->promoting ? "the canary is already being promoted"
                                                                        : "no canary is being analysed");
    c->gen++; /* no more automatic steps */
    canary_promote(sim);
    return RS_OK;
}

rs_status rs__canary_weight_action(rs_sim *sim, double w, rs_error *err)
{
    canary_state *c = &sim->can;
    if (!c->active || c->promoting)
        return rs_error_set(err, RS_BAD_INPUT, "set_weight", "no canary is being analysed");
    set_weight(sim, w);
    return RS_OK;
}

rs_status rs__bluegreen_promote_action(rs_sim *sim, rs_error *err)
{
    deployment *d = &sim->dep;
    if (!d->rolling || d->current == sim->bg.active)
        return rs_error_set(err, RS_BAD_INPUT, "promote", "no preview waits for promotion");
    const replicaset *p = &sim->rs[d->current];
    if (p->available < d->replicas)
        return rs_error_set(err, RS_BAD_INPUT, "promote", "preview %s is not ready: %d/%d pods available", vname(sim, d->current),
                            p->available, d->replicas);
    sim->result.outcome.promoted = true;
    bg_switch(sim, d->current, false);
    return RS_OK;
}

/* ---------------- common ---------------- */

rs_status rs__strategy_deploy(rs_sim *sim, int version, rs_error *err)
{
    const rs_strategy_spec *s = strat(sim);
    deployment *d = &sim->dep;
    char buf[24];
    if (s->kind == RS_STRATEGY_BLUE_GREEN) {
        int from = sim->bg.active;
        int r = rs__adopt_template(sim, version, d->restart_gen);
        if (r < 0)
            return rs_error_set(err, RS_INTERNAL, "deploy", "too many replica sets");
        sim->bg.promote_scheduled = false;
        sim->bg.gen++;
        rs__timeline(sim, sim->now, RS_EV_DEPLOY_START,
                     "blue-green: preview %s (revision %d) scales to %d pods beside active %s; %s", sim->sc->versions[version].name,
                     sim->rs[r].revision, d->replicas, vname(sim, from),
                     s->auto_promote ? "promotion when the preview is ready" : "promotion by hand");
        return RS_OK;
    }
    canary_state *c = &sim->can;
    if (c->active)
        return rs_error_set(err, RS_BAD_INPUT, "deploy",
                            "canary %s is still being analysed; promote it or roll it back first", vname(sim, c->canary));
    if (sim->rs[d->current].version == version)
        return rs_error_set(err, RS_BAD_INPUT, "deploy", "the primary already runs %s", sim->sc->versions[version].name);
    int cr = -1;
    for (int i = 0; i < sim->n_rs; i++)
        if (!sim->rs[i].deleted && sim->rs[i].owner == OWNER_CANARY && sim->rs[i].version == version)
            cr = i;
    int rev = ++d->max_revision;
    if (cr < 0) {
        cr = rs__new_rs(sim, version, d->restart_gen + 1000, rev);
        if (cr < 0)
            return rs_error_set(err, RS_INTERNAL, "deploy", "too many replica sets");
        sim->rs[cr].owner = OWNER_CANARY;
    }
    sim->rs[cr].revision = rev;
    c->canary = cr;
    c->weight = 0;
    c->active = true;
    c->promoting = false;
    c->aborting = false;
    c->step = 0;
    c->was_ready = false;
    c->gen++;
    rs__scale_rs(sim, cr, s->mesh ? d->replicas : 0);
    char steps[64];
    if (s->n_step_weights > 0)
        snprintf(steps, sizeof steps, "%d listed steps", s->n_step_weights);
    else
        snprintf(steps, sizeof steps, "steps of %.0f%%", s->step_weight);
    rs__timeline(sim, sim->now, RS_EV_DEPLOY_START,
                 "canary %s (revision %d) beside primary %s: weight 0%%, %s every %s up to %.0f%%%s",
                 sim->sc->versions[version].name, rev, vname(sim, d->current), steps,
                 rs_format_duration(s->interval, buf, sizeof buf), s->max_weight, s->mesh ? "" : " (no mesh: replica ratio)");
    rs__schedule(sim, sim->now + s->interval, EV_CANARY_STEP, 0, c->gen);
    rs__schedule(sim, sim->now + sim->sc->deployment.progress_deadline, EV_CANARY_DEADLINE, 0, c->gen);
    d->deployed_at = sim->now;
    rs__reconcile(sim);
    return RS_OK;
}

/* A canary in analysis (or promotion) is rolled back by aborting it. Returns false when no canary is in
 * flight: the caller then rolls the primary back as a Deployment. */
bool rs__canary_undo(rs_sim *sim, rs_error *err)
{
    canary_state *c = &sim->can;
    if (strat(sim)->kind != RS_STRATEGY_CANARY || !(c->active || c->promoting))
        return false;
    if (c->promoting) {
        c->promoting = false; /* the primary goes back to its previous template too */
        canary_abort(sim, " during its promotion");
        rs_action_undo(sim, 0, err);
        return true;
    }
    canary_abort(sim, "");
    return true;
}

/* Blue-green rollback to `target` (found with kubectl's rules by the caller). */
rs_status rs__bluegreen_undo(rs_sim *sim, int target, rs_error *err)
{
    (void)err;
    deployment *d = &sim->dep;
    bluegreen_state *bg = &sim->bg;
    int from = d->current;
    int r = rs__adopt_template(sim, sim->rs[target].version, sim->rs[target].restart_gen);
    if (r < 0)
        return rs_error_set(err, RS_INTERNAL, "undo", "too many replica sets");
    if (!sim->result.outcome.rolled_back) {
        sim->result.outcome.rolled_back = true;
        sim->result.outcome.rollback_at = sim->now;
    }
    d->rolling = true;
    d->rollback = true;
    d->deployed_at = sim->now;
    bg->gen++;
    bg->promote_scheduled = false;
    if (r == bg->active) { /* the new version never got traffic: drop the preview */
        rs__timeline(sim, sim->now, RS_EV_ROLLBACK_START, "blue-green: preview %s aborted before promotion; %s stays active",
                     vname(sim, from), vname(sim, r));
        d->rolling = false;
        d->rollback = false;
        rs__reconcile(sim);
        rs__timeline(sim, sim->now, RS_EV_ROLLBACK_COMPLETE, "blue-green: %s active, preview scaled to zero", vname(sim, r));
        return RS_OK;
    }
    const replicaset *t = &sim->rs[r];
    bool up = t->available >= d->replicas;
    rs__timeline(sim, sim->now, RS_EV_ROLLBACK_START, "blue-green rollback to %s (revision %d): %s", vname(sim, r), t->revision,
                 up ? "its pods are still up: switch back" : "its pods were scaled down: scaling up before the switch");
    if (up)
        bg_switch(sim, r, true);
    rs__reconcile(sim);
    return RS_OK;
}

void rs__strategy_event(rs_sim *sim, const rs_event *ev)
{
    switch (ev->kind) {
    case EV_BG_PROMOTE:
        if (ev->b == sim->bg.gen && sim->dep.rolling && sim->dep.current != sim->bg.active && !sim->dep.paused) {
            sim->result.outcome.promoted = true;
            bg_switch(sim, sim->dep.current, false);
        }
        break;
    case EV_BG_SWITCHED:
        if (ev->b != sim->bg.gen)
            break;
        sim->dep.rolling = false;
        sim->dep.rollback = false;
        if (ev->a)
            rs__timeline(sim, sim->now, RS_EV_ROLLBACK_COMPLETE, "blue-green: every user back on %s",
                         vname(sim, sim->bg.active));
        else
            rs__timeline(sim, sim->now, RS_EV_DEPLOY_COMPLETE, "blue-green: every user on %s (revision %d)",
                         vname(sim, sim->bg.active), sim->rs[sim->bg.active].revision);
        break;
    case EV_BG_SCALEDOWN: {
        int r = (int)ev->a;
        if (r == sim->bg.old && r != sim->bg.active && r != sim->dep.current) {
            sim->bg.old = -1;
            char buf[24];
            rs__timeline(sim, sim->now, RS_EV_SCALE, "blue-green: old set %s scaled down after scaleDownDelay %s", vname(sim, r),
                         rs_format_duration(strat(sim)->scale_down_delay, buf, sizeof buf));
            rs__reconcile(sim);
        }
        break;
    }
    case EV_CANARY_STEP:
        if (ev->b == sim->can.gen)
            canary_step(sim);
        break;
    case EV_CANARY_DEADLINE:
        /* as Kubernetes' deadline: only a canary that never became ready has failed to progress */
        if (ev->b == sim->can.gen && sim->can.active && !sim->can.promoting && !canary_ready(sim) && !sim->can.was_ready) {
            char buf[24];
            rs__timeline(sim, sim->now, RS_EV_ROLLOUT_FAILED,
                         "canary %s not ready within progressDeadlineSeconds (%s): Flagger rolls it back",
                         vname(sim, sim->can.canary),
                         rs_format_duration(sim->sc->deployment.progress_deadline, buf, sizeof buf));
            canary_abort(sim, " (progress deadline)");
        }
        break;
    default:
        break;
    }
}

void rs__route(rs_sim *sim, double *share, int *serving, double *fail)
{
    const rs_scenario *sc = sim->sc;
    for (int v = 0; v < sc->n_versions; v++) {
        share[v] = 0;
        serving[v] = 0;
    }
    *fail = 0;
    const rs_strategy_spec *s = strat(sim);
    if (s->kind == RS_STRATEGY_BLUE_GREEN) {
        const replicaset *a = &sim->rs[sim->bg.active];
        if (a->ready > 0) {
            share[a->version] = 1.0;
            serving[a->version] = a->ready;
        } else {
            *fail = 1.0;
        }
        if (sim->bg.switch_at != RS_TIME_NEVER && s->switch_time > 0) {
            /* connections reset while the switch propagates: the part of this tick's interval
             * (now - tick, now] that overlaps [switch, switch + switch_time) */
            rs_time lo = sim->now - sim->sc->traffic.tick, hi = sim->now;
            rs_time a0 = sim->bg.switch_at > lo ? sim->bg.switch_at : lo;
            rs_time a1 = sim->bg.switch_at + s->switch_time < hi ? sim->bg.switch_at + s->switch_time : hi;
            if (a1 > a0)
                *fail += (1.0 - *fail) * s->switch_error_rate * (double)(a1 - a0) / (double)sim->sc->traffic.tick;
        }
        return;
    }
    const canary_state *c = &sim->can;
    bool split = s->kind == RS_STRATEGY_CANARY && s->mesh && c->canary >= 0 && c->weight > 0 &&
                 sim->rs[c->canary].ready > 0;
    int total = 0;
    for (int i = 0; i < sim->n_rs; i++) {
        const replicaset *r = &sim->rs[i];
        if (r->deleted || (split && i == c->canary))
            continue;
        if (r->owner == OWNER_CANARY && s->mesh)
            continue; /* with a mesh the canary gets only its weight */
        serving[r->version] += r->ready;
        total += r->ready;
    }
    double rest = 1.0;
    if (split) {
        const replicaset *cr = &sim->rs[c->canary];
        double w = c->weight / 100.0;
        share[cr->version] += w;
        serving[cr->version] += cr->ready;
        rest = 1.0 - w;
        if (total == 0) { /* no primary pod: the primary's share fails */
            *fail = rest;
            return;
        }
    } else if (total == 0) {
        *fail = 1.0;
        return;
    }
    for (int i = 0; i < sim->n_rs; i++) {
        const replicaset *r = &sim->rs[i];
        if (r->deleted || (split && i == c->canary) || (r->owner == OWNER_CANARY && s->mesh))
            continue;
        share[r->version] += rest * r->ready / total;
    }
}

void rs_sim_rollout(const rs_sim *sim, rs_rollout_status *out)
{
    const rs_strategy_spec *s = strat(sim);
    const deployment *d = &sim->dep;
    memset(out, 0, sizeof *out);
    out->strategy = s->kind;
    out->paused = d->paused;
    out->revision = sim->rs[d->current].revision;
    out->deployed_at = d->deployed_at;
    out->new_version = -1;
    out->phase = "stable";
    if (s->kind == RS_STRATEGY_CANARY) {
        const canary_state *c = &sim->can;
        out->stable_version = sim->rs[d->current].version;
        out->weight = c->weight;
        if (c->active || c->promoting) {
            out->new_version = sim->rs[c->canary].version;
            out->phase = c->promoting ? "promoting" : d->paused ? "paused" : "progressing";
            if (c->promoting)
                out->stable_version = sim->rs[sim->can.canary].version;
        } else if (c->aborting) {
            out->phase = "rolling_back";
        } else if (d->rolling) {
            out->phase = d->rollback ? "rolling_back" : "progressing";
            out->new_version = sim->rs[d->current].version;
        }
        return;
    }
    if (s->kind == RS_STRATEGY_BLUE_GREEN) {
        out->stable_version = sim->rs[sim->bg.active].version;
        out->weight = 0;
        if (d->rolling) {
            out->new_version = sim->rs[d->current].version;
            out->phase = d->rollback ? "rolling_back" : d->paused ? "paused" : "progressing";
            if (d->current == sim->bg.active)
                out->weight = 100;
        }
        return;
    }
    out->stable_version = sim->rs[d->current].version;
    if (d->rolling) {
        out->new_version = sim->rs[d->current].version;
        out->phase = d->failed ? "failed" : d->rollback ? "rolling_back" : d->paused ? "paused" : "progressing";
        for (int i = 0; i < sim->n_rs; i++)
            if (i != d->current && in_deployment(sim, i) && sim->rs[i].available > 0)
                out->stable_version = sim->rs[i].version;
    }
}
