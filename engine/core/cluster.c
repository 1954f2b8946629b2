/* The cluster: pods with the Kubernetes lifecycle, replica sets with revisions, and the Deployment
 * controller's rolling update (pkg/controller/deployment/rolling.go semantics: scale the new replica set
 * up within maxSurge, clean up unhealthy old pods first, then scale old sets down while keeping
 * replicas - maxUnavailable pods available). Pods are referred to by index + generation. */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rs_deployment_spec *spec(const rs_sim *sim) { return &sim->sc->deployment; }

static const rs_fault *version_fault(const rs_sim *sim, int version, rs_fault_kind kind)
{
    const rs_version *v = &sim->sc->versions[version];
    for (int i = 0; i < v->n_faults; i++)
        if (v->faults[i].kind == kind)
            return &v->faults[i];
    return NULL;
}

void rs_rolling_bounds(int replicas, rs_intorpct surge, rs_intorpct unavailable, int *max_surge,
                       int *max_unavailable)
{
    /* intstr.GetScaledValueFromIntOrPercent: maxSurge rounds up, maxUnavailable rounds down. */
    int s = surge.percent ? (int)ceil(surge.value * replicas / 100.0 - 1e-9) : (int)surge.value;
    int u = unavailable.percent ? (int)floor(unavailable.value * replicas / 100.0 + 1e-9)
                                : (int)unavailable.value;
    if (s == 0 && u == 0)
        u = 1; /* ResolveFenceposts: both zero would deadlock the rollout */
    if (u > replicas)
        u = replicas;
    *max_surge = s;
    *max_unavailable = u;
}

static uint32_t template_hash(const rs_sim *sim, int version, int restart_gen)
{
    uint32_t h = 2166136261u;
    const char *name = sim->sc->versions[version].name;
    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    h = (h ^ (uint32_t)restart_gen) * 16777619u;
    h ^= h >> 15;
    return h;
}

/* Replica sets the Deployment (or the canary's primary) owns; a canary's own set is apart. */
bool in_deployment(const rs_sim *sim, int i)
{
    return !sim->rs[i].deleted && sim->rs[i].owner == OWNER_PRIMARY;
}

static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789"; /* k8s.io/apimachinery rand alphabet */

static void encode(uint32_t x, int len, char *out)
{
    for (int i = 0; i < len; i++) {
        out[i] = alnum[x % 27];
        x /= 27;
    }
    out[len] = '\0';
}

const char *rs__pod_name(const rs_sim *sim, int idx, char *buf, size_t size)
{
    const pod *p = &sim->pods[idx];
    const replicaset *r = &sim->rs[p->rs];
    char h[12], s[8];
    encode(r->hash, 9, h);
    encode(r->hash * 2654435761u + p->serial * 40503u + 7u, 5, s);
    snprintf(buf, size, "%s-%s-%s", sim->sc->service, h, s);
    return buf;
}

double rs__pod_memory(const rs_sim *sim, const pod *p)
{
    double limit = spec(sim)->memory_limit_mb;
    double mem0 = sim->sc->baseline.memory * limit;
    if (p->phase != POD_RUNNING)
        return 0;
    if (p->leak_since == RS_TIME_NEVER || sim->now <= p->leak_since)
        return mem0;
    const rs_fault *f = version_fault(sim, sim->rs[p->rs].version, RS_FAULT_MEMORY_LEAK);
    double mb = mem0 + f->leak_mb_per_min * p->leak_factor * (double)(sim->now - p->leak_since) / 60000.0;
    return mb < limit ? mb : limit;
}

static rs_time jitter(rs_sim *sim, rs_time base)
{
    double j = spec(sim)->startup_jitter;
    if (j <= 0 || base <= 0)
        return base;
    double f = 1.0 + j * (2.0 * rs_rng_uniform(&sim->rng_pods) - 1.0);
    return (rs_time)llround((double)base * f);
}

/* ---- pod state transitions keep the replica set counters exact ---- */

static void set_ready(rs_sim *sim, pod *p, bool ready)
{
    if (p->ready == ready)
        return;
    p->ready = ready;
    sim->rs[p->rs].ready += ready ? 1 : -1;
    if (!ready && p->available) {
        p->available = false;
        sim->rs[p->rs].available--;
    }
}

static void set_available(rs_sim *sim, pod *p)
{
    if (p->available || !p->ready)
        return;
    p->available = true;
    sim->rs[p->rs].available++;
}

static int alloc_pod(rs_sim *sim)
{
    if (sim->n_free > 0)
        return sim->free_pods[--sim->n_free];
    if (sim->n_pods == sim->cap_pods) {
        int cap = sim->cap_pods ? sim->cap_pods * 2 : 64;
        pod *np = realloc(sim->pods, (size_t)cap * sizeof *np);
        int *nf = realloc(sim->free_pods, (size_t)cap * sizeof *nf);
        if (!np || !nf) {
            if (np)
                sim->pods = np;
            if (nf)
                sim->free_pods = nf;
            return -1;
        }
        sim->pods = np;
        sim->free_pods = nf;
        sim->cap_pods = cap;
    }
    sim->pods[sim->n_pods].gen = 0;
    return sim->n_pods++;
}

static void schedule_pod(rs_sim *sim, rs_time t, uint32_t kind, int idx)
{
    rs__schedule(sim, t, kind, (uint32_t)idx, sim->pods[idx].gen);
}

/* The container starts: schedule readiness and, for a leaking version, the OOM kill. */
static void container_start(rs_sim *sim, int idx)
{
    pod *p = &sim->pods[idx];
    const rs_deployment_spec *d = spec(sim);
    const rs_version *v = &sim->sc->versions[sim->rs[p->rs].version];
    p->phase = POD_RUNNING;
    p->running_since = sim->now;
    rs_time up = sim->now + jitter(sim, (rs_time)llround(v->startup_s * 1000.0));
    rs_time ready_at;
    if (!d->has_readiness_probe) {
        ready_at = sim->now; /* Ready as soon as the container runs, listening or not */
    } else {
        rs_time first = sim->now + d->probe_initial_delay;
        rs_time k = up > first ? (up - first + d->probe_period - 1) / d->probe_period : 0;
        ready_at = first + k * d->probe_period + (rs_time)(d->probe_success_threshold - 1) * d->probe_period;
    }
    schedule_pod(sim, ready_at, EV_POD_READY, idx);
    p->leak_since = RS_TIME_NEVER;
    const rs_fault *leak = version_fault(sim, sim->rs[p->rs].version, RS_FAULT_MEMORY_LEAK);
    if (leak && leak->leak_mb_per_min > 0) {
        p->leak_since = sim->now + leak->onset;
        /* containers leak at slightly different rates (their traffic differs), so OOMs spread out */
        p->leak_factor = 0.75 + 0.5 * rs_rng_uniform(&sim->rng_pods);
        double limit = d->memory_limit_mb;
        double room = limit - sim->sc->baseline.memory * limit;
        rs_time oom = p->leak_since + (rs_time)ceil(room / (leak->leak_mb_per_min * p->leak_factor) * 60000.0);
        schedule_pod(sim, oom, EV_POD_OOM, idx);
        int vi = sim->rs[p->rs].version;
        if (!sim->leak_onset_scheduled[vi]) {
            /* the first leaking container marks the fault's onset */
            sim->leak_onset_scheduled[vi] = true;
            rs__schedule(sim, p->leak_since, EV_LEAK_ONSET, (uint32_t)vi, 0);
        }
    }
}

static int create_pod(rs_sim *sim, int r, bool steady)
{
    int idx = alloc_pod(sim);
    if (idx < 0)
        return -1;
    pod *p = &sim->pods[idx];
    uint32_t gen = p->gen + 1;
    memset(p, 0, sizeof *p);
    p->gen = gen;
    p->rs = r;
    p->created = sim->now;
    p->serial = sim->rs[r].next_serial++;
    p->leak_since = RS_TIME_NEVER;
    sim->rs[r].live++;
    if (steady) { /* already running before the run starts */
        p->created = sim->now - RS_MIN(60);
        p->phase = POD_RUNNING;
        p->running_since = p->created;
        p->ready = true;
        p->available = true;
        sim->rs[r].ready++;
        sim->rs[r].available++;
        return idx;
    }
    p->phase = POD_PENDING;
    schedule_pod(sim, sim->now + jitter(sim, spec(sim)->image_pull), EV_POD_STARTED, idx);
    return idx;
}

static void terminate_pod(rs_sim *sim, int idx)
{
    pod *p = &sim->pods[idx];
    replicaset *r = &sim->rs[p->rs];
    set_ready(sim, p, false);
    if (p->phase == POD_BACKOFF)
        r->backoff--;
    r->live--;
    p->phase = POD_TERMINATING;
    p->gen++; /* drops its pending probe, OOM and start events */
    const rs_deployment_spec *d = spec(sim);
    rs_time exit_after = d->shutdown < d->termination_grace ? d->shutdown : d->termination_grace;
    schedule_pod(sim, sim->now + exit_after, EV_POD_GONE, idx);
}

/* ActivePods ordering of the ReplicaSet controller: the first pods in this order are deleted first. */
static int delete_before(const rs_sim *sim, int a, int b)
{
    const pod *x = &sim->pods[a], *y = &sim->pods[b];
    int rx = x->phase == POD_PENDING ? 0 : 1, ry = y->phase == POD_PENDING ? 0 : 1;
    if (rx != ry)
        return rx < ry;
    if (x->ready != y->ready)
        return !x->ready;
    if (x->ready && x->running_since != y->running_since)
        return x->running_since > y->running_since; /* ready for less time first */
    if (x->restarts != y->restarts)
        return x->restarts > y->restarts;
    if (x->created != y->created)
        return x->created > y->created; /* newer first */
    return a > b;
}

/* The ReplicaSet controller: brings the number of live pods to spec.replicas. */
static void sync_replicaset(rs_sim *sim, int r)
{
    replicaset *rs = &sim->rs[r];
    while (rs->live < rs->replicas) {
        if (create_pod(sim, r, false) < 0)
            return; /* out of memory: the run notices on its next allocation */
        rs = &sim->rs[r];
    }
    int excess = rs->live - rs->replicas;
    while (excess-- > 0) {
        int victim = -1;
        for (int i = 0; i < sim->n_pods; i++) {
            const pod *p = &sim->pods[i];
            if (p->rs != r || p->phase == POD_TERMINATING || p->phase == POD_FREE)
                continue;
            if (victim < 0 || delete_before(sim, i, victim))
                victim = i;
        }
        if (victim < 0)
            break;
        terminate_pod(sim, victim);
    }
}

static void progress(rs_sim *sim)
{
    sim->dep.last_progress = sim->now;
    if (sim->dep.rolling)
        rs__schedule(sim, sim->now + spec(sim)->progress_deadline, EV_PROGRESS_CHECK, 0, 0);
}

void rs__scale_rs(rs_sim *sim, int r, int replicas)
{
    if (sim->rs[r].replicas == replicas)
        return;
    sim->rs[r].replicas = replicas;
    progress(sim);
}

/* rolling.go: reconcileNewReplicaSet + reconcileOldReplicaSets. */
void rs__rolling_step(rs_sim *sim)
{
    deployment *d = &sim->dep;
    int surge, unavail;
    rs_rolling_bounds(d->replicas, spec(sim)->max_surge, spec(sim)->max_unavailable, &surge, &unavail);
    replicaset *nrs = &sim->rs[d->current];
    int replicas = rs__primary_target(sim); /* less than d->replicas while a canary takes replicas */

    /* scale up the new replica set within maxSurge */
    int all = 0;
    for (int i = 0; i < sim->n_rs; i++)
        all += in_deployment(sim, i) ? sim->rs[i].replicas : 0;
    if (nrs->replicas < replicas) {
        int room = replicas + surge - all;
        if (room > 0) {
            int want = replicas - nrs->replicas;
            rs__scale_rs(sim, d->current, nrs->replicas + (room < want ? room : want));
        }
    } else if (nrs->replicas > replicas) {
        rs__scale_rs(sim, d->current, replicas);
    }

    /* scale down old replica sets */
    int old = 0;
    all = 0;
    for (int i = 0; i < sim->n_rs; i++) {
        if (!in_deployment(sim, i))
            continue;
        all += sim->rs[i].replicas;
        if (i != d->current)
            old += sim->rs[i].replicas;
    }
    if (old == 0)
        return;
    int min_available = replicas - unavail;
    int new_unavailable = nrs->replicas - nrs->available;
    int max_scaled_down = all - min_available - new_unavailable;
    if (max_scaled_down <= 0)
        return;
    /* order old sets oldest first (by creation, then revision) */
    int order[MAX_RS], n = 0;
    for (int i = 0; i < sim->n_rs; i++)
        if (i != d->current && in_deployment(sim, i) && sim->rs[i].replicas > 0)
            order[n++] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && sim->rs[order[j]].created < sim->rs[order[j - 1]].created; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    /* cleanupUnhealthyReplicas: unavailable old pods go first, up to max_scaled_down */
    int cleaned = 0;
    for (int k = 0; k < n && cleaned < max_scaled_down; k++) {
        replicaset *o = &sim->rs[order[k]];
        int unhealthy = o->replicas - o->available;
        if (unhealthy <= 0)
            continue;
        int c = max_scaled_down - cleaned < unhealthy ? max_scaled_down - cleaned : unhealthy;
        rs__scale_rs(sim, order[k], o->replicas - c);
        cleaned += c;
    }
    /* scaleDownOldReplicaSetsForRollingUpdate: keep min_available available */
    int available = 0;
    for (int i = 0; i < sim->n_rs; i++)
        if (in_deployment(sim, i))
            available += sim->rs[i].available;
    if (available <= min_available)
        return;
    int budget = available - min_available, done = 0;
    for (int k = 0; k < n && done < budget; k++) {
        replicaset *o = &sim->rs[order[k]];
        if (o->replicas == 0)
            continue;
        int c = budget - done < o->replicas ? budget - done : o->replicas;
        rs__scale_rs(sim, order[k], o->replicas - c);
        done += c;
    }
}

/* cleanupDeployment: prune old, empty replica sets beyond revisionHistoryLimit, oldest revision first. */
static void prune_history(rs_sim *sim)
{
    int limit = spec(sim)->revision_history_limit;
    for (;;) {
        int n = 0, oldest = -1;
        for (int i = 0; i < sim->n_rs; i++) {
            const replicaset *r = &sim->rs[i];
            if (!in_deployment(sim, i) || i == sim->dep.current || r->replicas > 0 || r->live > 0)
                continue;
            n++;
            if (oldest < 0 || r->revision < sim->rs[oldest].revision)
                oldest = i;
        }
        if (n <= limit)
            return;
        sim->rs[oldest].deleted = true;
    }
}

/* All replicas of the current template available and no other set of the Deployment left. */
bool rs__deployment_settled(const rs_sim *sim)
{
    const deployment *d = &sim->dep;
    const replicaset *nrs = &sim->rs[d->current];
    int target = rs__primary_target(sim);
    if (nrs->replicas != target || nrs->available < target)
        return false;
    for (int i = 0; i < sim->n_rs; i++)
        if (i != d->current && in_deployment(sim, i) && (sim->rs[i].replicas > 0 || sim->rs[i].live > 0))
            return false;
    return true;
}

static void check_complete(rs_sim *sim)
{
    deployment *d = &sim->dep;
    if (!d->rolling || d->paused_rollout || !rs__deployment_settled(sim))
        return;
    d->rolling = false;
    const replicaset *nrs = &sim->rs[d->current];
    if (rs__canary_primary_done(sim))
        return; /* a canary promotion finished: the strategy records it */
    const char *vname = sim->sc->versions[nrs->version].name;
    if (d->rollback)
        rs__timeline(sim, sim->now, RS_EV_ROLLBACK_COMPLETE,
                     "rollout complete: deployment \"%s\" successfully rolled back to %s (revision %d)",
                     sim->sc->service, vname, nrs->revision);
    else
        rs__timeline(sim, sim->now, RS_EV_DEPLOY_COMPLETE,
                     "rollout complete: deployment \"%s\" successfully rolled out %s (revision %d, %d/%d "
                     "pods available)",
                     sim->sc->service, vname, nrs->revision, nrs->available, nrs->replicas);
    d->rollback = false;
}

void rs__reconcile(rs_sim *sim)
{
    deployment *d = &sim->dep;
    if (sim->sc->deployment.strategy.kind == RS_STRATEGY_BLUE_GREEN) {
        rs__bluegreen_step(sim);
    } else {
        if (!d->paused)
            rs__rolling_step(sim);
        else if (!d->rolling)
            rs__scale_rs(sim, d->current, rs__primary_target(sim));
    }
    for (int i = 0; i < sim->n_rs; i++)
        if (!sim->rs[i].deleted)
            sync_replicaset(sim, i);
    if (sim->sc->deployment.strategy.kind != RS_STRATEGY_BLUE_GREEN)
        check_complete(sim);
    rs__strategy_check(sim);
    prune_history(sim);
}

void rs__progress_check(rs_sim *sim)
{
    deployment *d = &sim->dep;
    if (!d->rolling || d->paused || d->failed)
        return;
    if (sim->now - d->last_progress < spec(sim)->progress_deadline)
        return;
    d->failed = true;
    char buf[24];
    rs__timeline(sim, sim->now, RS_EV_ROLLOUT_FAILED,
                 "Progressing=False reason=ProgressDeadlineExceeded: replica set of revision %d has not "
                 "progressed for %s; Kubernetes does not roll back by itself",
                 sim->rs[d->current].revision,
                 rs_format_duration(spec(sim)->progress_deadline, buf, sizeof buf));
}

static void on_oom(rs_sim *sim, int idx)
{
    pod *p = &sim->pods[idx];
    replicaset *r = &sim->rs[p->rs];
    const rs_deployment_spec *d = spec(sim);
    set_ready(sim, p, false);
    p->gen++;
    p->restarts++;
    sim->total_restarts++;
    sim->restarts_by_version[r->version]++;
    p->oomkilled_last = true;
    if (sim->now - p->running_since >= d->backoff_reset)
        p->backoff_count = 0;
    rs_time delay = d->backoff_initial;
    for (int i = 0; i < p->backoff_count && delay < d->backoff_max; i++)
        delay *= 2;
    if (delay > d->backoff_max)
        delay = d->backoff_max;
    p->backoff_count++;
    p->phase = POD_BACKOFF;
    r->backoff++;
    char name[96], buf[24];
    rs__pod_name(sim, idx, name, sizeof name);
    rs__timeline(sim, sim->now, RS_EV_POD_OOMKILLED,
                 "%s (%s) OOMKilled, exit code 137, memory at the %.0f MiB limit; restart %d in %s", name,
                 sim->sc->versions[r->version].name, d->memory_limit_mb, p->restarts,
                 rs_format_duration(delay, buf, sizeof buf));
    if (p->restarts == 2)
        rs__timeline(sim, sim->now, RS_EV_POD_CRASHLOOP, "%s in CrashLoopBackOff (back-off %s)", name,
                     rs_format_duration(delay, buf, sizeof buf));
    schedule_pod(sim, sim->now + delay, EV_POD_STARTED, idx);
}

void rs__pod_event(rs_sim *sim, const rs_event *ev)
{
    int idx = (int)ev->a;
    if (idx >= sim->n_pods || sim->pods[idx].gen != (uint32_t)ev->b)
        return; /* stale: the pod changed since this was scheduled */
    pod *p = &sim->pods[idx];
    switch (ev->kind) {
    case EV_POD_STARTED:
        if (p->phase == POD_BACKOFF)
            sim->rs[p->rs].backoff--;
        container_start(sim, idx);
        break;
    case EV_POD_READY:
        set_ready(sim, p, true);
        if (spec(sim)->min_ready <= 0)
            set_available(sim, p);
        else
            schedule_pod(sim, sim->now + spec(sim)->min_ready, EV_POD_AVAILABLE, idx);
        if (p->rs == sim->dep.current)
            progress(sim);
        rs__reconcile(sim);
        break;
    case EV_POD_AVAILABLE:
        set_available(sim, p);
        if (p->rs == sim->dep.current)
            progress(sim);
        rs__reconcile(sim);
        break;
    case EV_POD_OOM:
        on_oom(sim, idx);
        rs__reconcile(sim);
        break;
    case EV_POD_GONE:
        p->phase = POD_FREE;
        p->gen++;
        sim->free_pods[sim->n_free++] = idx;
        rs__reconcile(sim);
        break;
    default:
        break;
    }
}

int rs__ready_by_version(const rs_sim *sim, int *ready, int *total, int *backoff)
{
    int n = sim->sc->n_versions;
    for (int v = 0; v < n; v++)
        ready[v] = total[v] = backoff[v] = 0;
    for (int i = 0; i < sim->n_rs; i++) {
        const replicaset *r = &sim->rs[i];
        if (r->deleted)
            continue;
        ready[r->version] += r->ready;
        total[r->version] += r->live;
        backoff[r->version] += r->backoff;
    }
    return n;
}

int rs__new_rs(rs_sim *sim, int version, int restart_gen, int revision)
{
    if (sim->n_rs == MAX_RS) {
        /* reuse a pruned slot */
        for (int i = 0; i < sim->n_rs; i++)
            if (sim->rs[i].deleted) {
                memset(&sim->rs[i], 0, sizeof sim->rs[i]);
                sim->rs[i].version = version;
                sim->rs[i].revision = revision;
                sim->rs[i].hash = template_hash(sim, version, restart_gen);
                sim->rs[i].restart_gen = restart_gen;
                sim->rs[i].created = sim->now;
                return i;
            }
        return -1;
    }
    int i = sim->n_rs++;
    memset(&sim->rs[i], 0, sizeof sim->rs[i]);
    sim->rs[i].version = version;
    sim->rs[i].revision = revision;
    sim->rs[i].hash = template_hash(sim, version, restart_gen);
    sim->rs[i].restart_gen = restart_gen;
    sim->rs[i].created = sim->now;
    return i;
}

/* Makes the replica set of a template (version + restart generation) the deployment's current one,
 * creating it if needed, with the next revision number: the Deployment controller reuses the replica
 * set whose pod template matches and bumps its revision annotation (that is what makes
 * `kubectl rollout undo` produce a new, higher revision). */
int rs__adopt_template(rs_sim *sim, int version, int restart_gen)
{
    uint32_t h = template_hash(sim, version, restart_gen);
    int found = -1;
    for (int i = 0; i < sim->n_rs; i++)
        if (in_deployment(sim, i) && sim->rs[i].hash == h && sim->rs[i].version == version &&
            sim->rs[i].restart_gen == restart_gen)
            found = i;
    int rev = sim->dep.max_revision + 1;
    if (found < 0) {
        found = rs__new_rs(sim, version, restart_gen, rev);
        if (found < 0)
            return -1;
    }
    sim->dep.max_revision = rev;
    sim->rs[found].revision = rev;
    sim->dep.current = found;
    sim->dep.restart_gen = restart_gen;
    return found;
}

int rs__cluster_init(rs_sim *sim, rs_error *err)
{
    const rs_scenario *sc = sim->sc;
    sim->dep.replicas = sc->deployment.replicas;
    int first_rev = sc->initial_revision - sc->n_history;
    for (int i = 0; i < sc->n_history; i++) {
        int r = rs__new_rs(sim, sc->history[i], 0, first_rev + i);
        sim->rs[r].created = -RS_MIN(60) * (sc->n_history - i + 1);
        sim->rs[r].hash = template_hash(sim, sc->history[i], 0);
    }
    sim->dep.max_revision = sc->initial_revision - 1;
    int cur = rs__adopt_template(sim, sc->initial_version, 0);
    if (cur < 0)
        return rs_error_set(err, RS_BAD_INPUT, "$.initial", "too many revisions");
    sim->rs[cur].created = -RS_MIN(60);
    sim->rs[cur].replicas = sc->deployment.replicas;
    for (int i = 0; i < sc->deployment.replicas; i++)
        if (create_pod(sim, cur, true) < 0)
            return rs_error_set(err, RS_INTERNAL, "", "out of memory creating pods");
    return RS_OK;
}

void rs__cluster_fini(rs_sim *sim)
{
    free(sim->pods);
    free(sim->free_pods);
    sim->pods = NULL;
    sim->free_pods = NULL;
}
