/* A run: creation from a scenario and a seed, the event loop, scrapes and dashboard samples, and the
 * read API (queries, pods, history, logs) that policies, the CLI and the training window use. */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rs__schedule_tier(rs_sim *sim, rs_time t, unsigned tier, uint32_t kind, uint32_t a, uint64_t b)
{
    if (t < sim->now)
        t = sim->now;
    if (rs_queue_push_tier(&sim->q, t, tier, kind, a, b) != 0) {
        /* out of memory: end the run rather than lose an event silently */
        sim->ended = true;
        sim->oom = true;
    }
}

void rs__schedule(rs_sim *sim, rs_time t, uint32_t kind, uint32_t a, uint64_t b)
{
    rs__schedule_tier(sim, t, RS_TIER_WORLD, kind, a, b);
}

static rs_time max_window(const rs_scenario *sc)
{
    rs_time w = RS_MIN(5);
    for (int i = 0; i < sc->n_alerts; i++)
        if (sc->alerts[i].window > w)
            w = sc->alerts[i].window;
    return w;
}

/* The service ran at its baseline before the run: fill the metric store with that history, so that
 * windowed queries at the start see steady values instead of a Prometheus series just born. */
static int warm_up(rs_sim *sim)
{
    const rs_scenario *sc = sim->sc;
    int v = sc->initial_version, nv = sc->n_versions;
    double gauges[(RS_MAX_VERSIONS + 1) * G_COUNT];
    for (int i = 0; i < (nv + 1) * G_COUNT; i++)
        gauges[i] = NAN;
    double per = sc->traffic.rpm / 60.0 * (double)sc->scrape_interval / 1000.0;
    int ready = sc->deployment.replicas;
    const int series[2] = {v, nv}; /* the running version and "all" */
    for (int j = 0; j < 2; j++) {
        double *g = gauges + series[j] * G_COUNT;
        g[G_CPU] = sc->baseline.cpu;
        g[G_MEM] = sc->baseline.memory;
        g[G_READY] = ready;
        g[G_RESTARTS] = 0;
        for (int k = 0; k < sc->n_biz_metrics; k++)
            g[G_BIZ0 + k] = sc->biz_metrics[k].baseline;
    }
    int n = sim->metrics.ring_len; /* scrapes at -(n - 1) × interval, ..., 0 */
    return rs_metrics_scrape_steady(&sim->metrics, v, n, per, per * sc->baseline.error_rate, sim->base_median_ms,
                                    sc->baseline.latency_sigma, -(rs_time)(n - 1) * sc->scrape_interval,
                                    sc->scrape_interval, gauges);
}

rs_sim *rs_sim_new(const rs_scenario *sc, uint64_t seed, rs_error *err)
{
    if (rs_scenario_check(sc, err) != RS_OK)
        return NULL;
    rs_sim *sim = calloc(1, sizeof *sim);
    if (!sim) {
        rs_error_set(err, RS_INTERNAL, "", "out of memory");
        return NULL;
    }
    sim->sc = sc;
    sim->seed = seed;
    rs_rng_seed(&sim->rng_traffic, seed, RS_STREAM_TRAFFIC);
    rs_rng_seed(&sim->rng_pods, seed, RS_STREAM_PODS);
    rs_rng_seed(&sim->rng_faults, seed, RS_STREAM_FAULTS);
    rs_rng_seed(&sim->rng_logs, seed, RS_STREAM_LOGS);
    for (int v = 0; v < RS_MAX_VERSIONS; v++)
        sim->first_serving[v] = RS_TIME_NEVER;
    for (int k = 0; k < RS_EV_KIND_COUNT; k++)
        sim->first[k] = RS_TIME_NEVER;
    sim->unimpacted_since = RS_TIME_NEVER;
    sim->impact_pending_since = RS_TIME_NEVER;
    for (int i = 0; i < RS_MAX_ALERTS; i++)
        sim->alerts[i].last_value = NAN;
    sim->normal_since = RS_TIME_NEVER;
    sim->result.scenario = sc;
    sim->result.seed = seed;
    sim->result.outcome.rollback_at = RS_TIME_NEVER;

    const rs_baseline_spec *b = &sc->baseline;
    /* lognormal median from the baseline p95: p95 = median * exp(1.6449 sigma) */
    sim->base_median_ms = b->latency_p95_ms / exp(1.6448536269514722 * b->latency_sigma);
    double thr = sc->impact_latency_factor * b->latency_p95_ms;
    sim->log_timeout_ms = b->timeout_ms > 0 ? log(b->timeout_ms) : -INFINITY;
    sim->log_impact_ms = thr > 0 ? log(thr) : -INFINITY;
    sim->capacity_rps = sc->deployment.capacity_rps;
    if (sim->capacity_rps <= 0) {
        int n = sc->deployment.replicas > 0 ? sc->deployment.replicas : 1;
        double per_pod = sc->traffic.rpm / 60.0 / n;
        sim->capacity_rps = per_pod / (b->cpu > 0.01 ? b->cpu : 0.01);
        if (sim->capacity_rps <= 0)
            sim->capacity_rps = 100;
    }

    if (rs_queue_init(&sim->q, 1024) != 0 ||
        rs_metrics_init(&sim->metrics, sc->n_versions, max_window(sc), sc->scrape_interval) != 0 ||
        warm_up(sim) != 0) {
        rs_error_set(err, RS_INTERNAL, "", "out of memory");
        rs_sim_free(sim);
        return NULL;
    }
    if (rs__cluster_init(sim, err) != RS_OK) {
        rs_sim_free(sim);
        return NULL;
    }
    rs__strategy_init(sim);
    rs__db_init(sim);
    sim->decision_subject = -1;
    for (int v = 0; v < RS_MAX_VERSIONS; v++)
        sim->config_fixed_at[v] = RS_TIME_NEVER;
    rs__schedule(sim, 0, EV_TICK, 0, 0);
    rs__schedule(sim, sc->scrape_interval, EV_SCRAPE, 0, 0);
    rs__schedule(sim, sc->eval_interval, EV_EVAL, 0, 0);
    for (int i = 0; i < sc->n_actions; i++)
        if (sc->actions[i].anchor == RS_ANCHOR_START) {
            sim->action_scheduled[i] = true;
            rs__schedule(sim, sc->actions[i].delay, EV_ACTION, (uint32_t)i, 0);
        }
    for (int k = 0; k < sc->n_at; k++) /* the live parts of "at" expectations: the state after everything of t */
        rs__schedule_tier(sim, sc->at[k].time, RS_TIER_OBSERVE, EV_AT_CHECK, (uint32_t)k, 0);
    rs__schedule(sim, sc->duration, EV_END, 0, 0);
    return sim;
}

void rs_sim_free(rs_sim *sim)
{
    if (!sim)
        return;
    rs_queue_fini(&sim->q);
    rs_metrics_fini(&sim->metrics);
    rs__cluster_fini(sim);
    free(sim->result.timeline);
    free(sim->result.series);
    free(sim->result.trace);
    free(sim);
}

rs_time rs_sim_now(const rs_sim *sim) { return sim->now; }
bool rs_sim_ended(const rs_sim *sim) { return sim->ended; }

void rs_sim_on_timeline(rs_sim *sim, rs_timeline_fn fn, void *ctx)
{
    sim->on_timeline = fn;
    sim->on_timeline_ctx = ctx;
}

static double version_memory(const rs_sim *sim, int v, int *n_out)
{
    double limit = sim->sc->deployment.memory_limit_mb;
    double sum = 0;
    int n = 0;
    bool leaky = false;
    for (int i = 0; i < sim->sc->versions[v].n_faults; i++)
        leaky |= sim->sc->versions[v].faults[i].kind == RS_FAULT_MEMORY_LEAK;
    if (!leaky) {
        int ready[RS_MAX_VERSIONS], total[RS_MAX_VERSIONS], bo[RS_MAX_VERSIONS];
        rs__ready_by_version(sim, ready, total, bo);
        *n_out = total[v] - bo[v];
        return *n_out > 0 ? sim->sc->baseline.memory : NAN;
    }
    for (int i = 0; i < sim->n_pods; i++) {
        const pod *p = &sim->pods[i];
        if (p->phase != POD_RUNNING || sim->rs[p->rs].version != v)
            continue;
        sum += rs__pod_memory(sim, p) / limit;
        n++;
    }
    *n_out = n;
    return n ? sum / n : NAN;
}

static int grow_series(rs_sim *sim)
{
    if (sim->result.n_series < sim->cap_series)
        return 0;
    size_t cap = sim->cap_series ? sim->cap_series * 2 : 256;
    rs_sample *s = realloc(sim->result.series, cap * sizeof *s);
    if (!s)
        return -1;
    sim->result.series = s;
    sim->cap_series = cap;
    return 0;
}

void rs__scrape(rs_sim *sim)
{
    const rs_scenario *sc = sim->sc;
    int nv = sc->n_versions;
    int ns = nv + 1;
    double gauges[(RS_MAX_VERSIONS + 1) * G_COUNT];
    int ready[RS_MAX_VERSIONS], total[RS_MAX_VERSIONS], backoff[RS_MAX_VERSIONS];
    rs__ready_by_version(sim, ready, total, backoff);
    double cpu_sum = 0, mem_sum = 0, biz_all[RS_MAX_BIZ_METRICS] = {0}, biz_wall = 0;
    int cpu_n = 0, mem_n = 0, ready_all = 0, total_all = 0;
    for (int v = 0; v < nv; v++) {
        double *g = gauges + v * G_COUNT;
        g[G_CPU] = ready[v] ? sim->tick_cpu[v] : NAN;
        int mn = 0;
        g[G_MEM] = version_memory(sim, v, &mn);
        g[G_READY] = ready[v];
        g[G_RESTARTS] = sim->restarts_by_version[v];
        if (ready[v]) {
            cpu_sum += sim->tick_cpu[v] * ready[v];
            cpu_n += ready[v];
        }
        if (mn) {
            mem_sum += g[G_MEM] * mn;
            mem_n += mn;
        }
        ready_all += ready[v];
        total_all += total[v];
        for (int k = 0; k < 4; k++)
            g[G_BIZ0 + k] = NAN;
        for (int k = 0; k < sc->n_biz_metrics; k++) {
            if (sim->biz_w[v] <= 0)
                continue;
            double f = sim->biz_acc[v][k] / sim->biz_w[v];
            double noise = 1.0 + sc->biz_metrics[k].noise * rs_rng_normal(&sim->rng_traffic);
            g[G_BIZ0 + k] = sc->biz_metrics[k].baseline * f * noise;
            biz_all[k] += g[G_BIZ0 + k] * sim->biz_w[v];
        }
        biz_wall += sim->biz_w[v];
        for (int k = 0; k < RS_MAX_BIZ_METRICS; k++)
            sim->biz_acc[v][k] = 0;
        sim->biz_w[v] = 0;
    }
    double *ga = gauges + nv * G_COUNT;
    ga[G_CPU] = cpu_n ? cpu_sum / cpu_n : NAN;
    ga[G_MEM] = mem_n ? mem_sum / mem_n : NAN;
    ga[G_READY] = ready_all;
    ga[G_RESTARTS] = sim->total_restarts;
    for (int k = 0; k < 4; k++)
        ga[G_BIZ0 + k] = k < sc->n_biz_metrics && biz_wall > 0 ? biz_all[k] / biz_wall : NAN;
    (void)ns;
    if (rs_metrics_scrape(&sim->metrics, sim->now, gauges) != 0 || grow_series(sim) != 0) {
        sim->ended = true;
        sim->oom = true;
        return;
    }

    if (sim->lean)
        return; /* no dashboard: nothing reads it (a sweep); the judge samples on demand */
    rs_sample *s = &sim->result.series[sim->result.n_series++];
    rs__sample_now(sim, s);
    rs__track_recovery(sim, s);
}

/* What the dashboard shows now: 1-minute rates and quantiles, pods, resources, business metrics. */
void rs__sample_now(const rs_sim *sim, rs_sample *s)
{
    const rs_scenario *sc = sim->sc;
    int nv = sc->n_versions;
    int ready[RS_MAX_VERSIONS], total[RS_MAX_VERSIONS], backoff[RS_MAX_VERSIONS];
    rs__ready_by_version(sim, ready, total, backoff);
    memset(s, 0, sizeof *s);
    rs_time w = RS_MIN(1);
    int all = sim->metrics.all;
    s->t_ms = sim->now;
    s->rpm = rs_metrics_rate(&sim->metrics, all, false, w, sim->now) * 60.0;
    s->error_rate = rs_metrics_error_ratio(&sim->metrics, all, w, sim->now);
    s->latency_p50_ms = rs_metrics_quantile(&sim->metrics, all, 0.50, w, sim->now);
    s->latency_p95_ms = rs_metrics_quantile(&sim->metrics, all, 0.95, w, sim->now);
    s->latency_p99_ms = rs_metrics_quantile(&sim->metrics, all, 0.99, w, sim->now);
    for (int v = 0; v < nv; v++) {
        s->pods_ready += ready[v];
        s->pods_total += total[v];
    }
    s->cpu = rs_metrics_gauge_last(&sim->metrics, all, G_CPU, sim->now);
    s->memory = rs_metrics_gauge_last(&sim->metrics, all, G_MEM, sim->now);
    s->restarts = sim->total_restarts;
    for (int v = 0; v < nv; v++) {
        s->ready_by_version[v] = ready[v];
        s->total_by_version[v] = total[v];
        s->crashloop_by_version[v] = backoff[v];
        s->share_by_version[v] = sim->tick_share[v];
        s->error_rate_by_version[v] = rs_metrics_error_ratio(&sim->metrics, v, w, sim->now);
    }
    for (int k = 0; k < sc->n_biz_metrics; k++)
        s->business[k] = rs_metrics_gauge_avg(&sim->metrics, all, G_BIZ0 + k, w, sim->now);
}

void rs_sim_set_lean(rs_sim *sim, bool lean) { sim->lean = lean; }

double rs_sim_query(const rs_sim *sim, rs_metric_kind metric, int business_index, int version,
                    rs_time window)
{
    const rs_metrics *m = &sim->metrics;
    int series = version < 0 || version >= sim->sc->n_versions ? m->all : version;
    rs_time at = sim->now;
    switch (metric) {
    case RS_METRIC_ERROR_RATE:
        return rs_metrics_error_ratio(m, series, window, at);
    case RS_METRIC_LATENCY_P50:
        return rs_metrics_quantile(m, series, 0.50, window, at);
    case RS_METRIC_LATENCY_P95:
        return rs_metrics_quantile(m, series, 0.95, window, at);
    case RS_METRIC_LATENCY_P99:
        return rs_metrics_quantile(m, series, 0.99, window, at);
    case RS_METRIC_REQUEST_RATE:
        return rs_metrics_rate(m, series, false, window, at) * 60.0;
    case RS_METRIC_CPU:
        return rs_metrics_gauge_avg(m, series, G_CPU, window, at);
    case RS_METRIC_MEMORY:
        return rs_metrics_gauge_avg(m, series, G_MEM, window, at);
    case RS_METRIC_RESTARTS:
        return rs_metrics_gauge_increase(m, series, G_RESTARTS, window, at);
    case RS_METRIC_READY_PODS:
        return rs_metrics_gauge_last(m, series, G_READY, at);
    case RS_METRIC_BUSINESS:
        if (business_index < 0 || business_index >= sim->sc->n_biz_metrics)
            return NAN;
        return rs_metrics_gauge_avg(m, series, G_BIZ0 + business_index, window, at);
    case RS_METRIC_KIND_COUNT:
        break;
    }
    return NAN;
}

static void dispatch(rs_sim *sim, const rs_event *ev)
{
    const rs_scenario *sc = sim->sc;
    switch (ev->kind) {
    case EV_TICK:
        rs__tick(sim);
        rs__schedule(sim, sim->now + sc->traffic.tick, EV_TICK, 0, 0);
        break;
    case EV_SCRAPE:
        rs__scrape(sim);
        rs__schedule(sim, sim->now + sc->scrape_interval, EV_SCRAPE, 0, 0);
        break;
    case EV_EVAL:
        rs__eval_alerts(sim);
        rs__schedule(sim, sim->now + sc->eval_interval, EV_EVAL, 0, 0);
        break;
    case EV_POD_STARTED:
    case EV_POD_READY:
    case EV_POD_AVAILABLE:
    case EV_POD_OOM:
    case EV_POD_GONE:
        rs__pod_event(sim, ev);
        break;
    case EV_PROGRESS_CHECK:
        rs__progress_check(sim);
        break;
    case EV_ACTION:
        rs__run_scripted(sim, (int)ev->a);
        break;
    case EV_PAGE:
        rs__page(sim, (int)ev->a);
        break;
    case EV_ESCALATE:
        rs__escalate(sim, (int)ev->b);
        break;
    case EV_LEAK_ONSET: {
        const rs_version *v = &sc->versions[ev->a];
        for (int i = 0; i < v->n_faults; i++)
            if (v->faults[i].kind == RS_FAULT_MEMORY_LEAK) {
                char buf[24];
                double room = sc->deployment.memory_limit_mb * (1.0 - sc->baseline.memory);
                rs__timeline(sim, sim->now, RS_EV_FAULT_ONSET,
                             "%s: memory_leak: memory grows %.0f MiB/min per pod; OOMKilled at the %.0f "
                             "MiB limit in about %s",
                             v->name, v->faults[i].leak_mb_per_min, sc->deployment.memory_limit_mb,
                             rs_format_duration((rs_time)(room / v->faults[i].leak_mb_per_min * 60000.0),
                                                buf, sizeof buf));
            }
        break;
    }
    case EV_BG_PROMOTE:
    case EV_BG_SWITCHED:
    case EV_BG_SCALEDOWN:
    case EV_CANARY_STEP:
    case EV_CANARY_DEADLINE:
        rs__strategy_event(sim, ev);
        break;
    case EV_HOTFIX_READY: {
        rs_error err;
        const char *v = sc->versions[ev->a].name;
        if (rs_action_deploy(sim, v, &err) != RS_OK)
            rs__timeline(sim, sim->now, RS_EV_NOTE, "hotfix %s could not deploy: %s", v, err.message);
        break;
    }
    case EV_HOST_TIMER:
        if (ev->a < (uint32_t)sim->n_hosts && sim->hosts[ev->a].on_timer)
            sim->hosts[ev->a].on_timer(sim->hosts[ev->a].ctx, sim, ev->b);
        break;
    case EV_AT_CHECK:
        rs__check_at(sim, (int)ev->a);
        break;
    case EV_END:
        sim->ended = true;
        break;
    default:
        break;
    }
}

bool rs_sim_step(rs_sim *sim)
{
    if (sim->ended)
        return false;
    rs_event ev;
    if (rs_queue_pop(&sim->q, &ev) != 0) {
        sim->ended = true;
        return false;
    }
    sim->now = ev.t;
    dispatch(sim, &ev);
    rs__deliver(sim);
    return !sim->ended;
}

bool rs_sim_run_until(rs_sim *sim, rs_time t)
{
    while (!sim->ended && rs_queue_peek_time(&sim->q) <= t)
        rs_sim_step(sim);
    if (!sim->ended && sim->now < t)
        sim->now = t;
    return !sim->ended;
}

void rs_sim_run(rs_sim *sim)
{
    while (rs_sim_step(sim))
        ;
    rs_sim_result(sim);
}

const rs_result *rs_sim_result(rs_sim *sim)
{
    if (!sim->finalized) {
        sim->finalized = true;
        rs__finish(sim);
    }
    return &sim->result;
}

/* ---- reads ---- */

static const char *phase_name(const pod *p)
{
    switch (p->phase) {
    case POD_PENDING:
        return "ContainerCreating";
    case POD_RUNNING:
        return "Running";
    case POD_BACKOFF:
        return "CrashLoopBackOff";
    case POD_TERMINATING:
        return "Terminating";
    case POD_FREE:
        break;
    }
    return "Unknown";
}

int rs_sim_pods(const rs_sim *sim, rs_pod_info *out, int max)
{
    int n = 0;
    for (int i = 0; i < sim->n_pods; i++) {
        const pod *p = &sim->pods[i];
        if (p->phase == POD_FREE)
            continue;
        if (n < max) {
            rs_pod_info *o = &out[n];
            rs__pod_name(sim, i, o->name, sizeof o->name);
            o->version = sim->rs[p->rs].version;
            o->revision = sim->rs[p->rs].revision;
            o->phase = phase_name(p);
            o->ready = p->ready;
            o->restarts = p->restarts;
            o->age_ms = sim->now - p->created;
            o->last_state = p->oomkilled_last ? "OOMKilled" : "";
        }
        n++;
    }
    return n;
}

int rs_sim_history(const rs_sim *sim, rs_history_entry *out, int max)
{
    int idx[MAX_RS], n = 0;
    for (int i = 0; i < sim->n_rs; i++)
        if (!sim->rs[i].deleted)
            idx[n++] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && sim->rs[idx[j]].revision < sim->rs[idx[j - 1]].revision; j--) {
            int t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    int k = 0;
    for (int i = 0; i < n && k < max; i++, k++) {
        const replicaset *r = &sim->rs[idx[i]];
        out[k].revision = r->revision;
        snprintf(out[k].version, sizeof out[k].version, "%s", sim->sc->versions[r->version].name);
        const char *cause = r->change_cause[0] ? r->change_cause : sim->sc->versions[r->version].change_cause;
        snprintf(out[k].change_cause, sizeof out[k].change_cause, "%s", cause);
    }
    return k;
}

int rs_sim_current_revision(const rs_sim *sim) { return sim->rs[sim->dep.current].revision; }
int rs_sim_current_version(const rs_sim *sim) { return sim->rs[sim->dep.current].version; }
