/* The request model. Every tick (1 s by default) the offered load is routed over the Ready pods of each
 * version, in aggregate: one version's identical pods share its load, so the cost of a tick depends on
 * the number of versions, not on the request rate or (barely) the pod count. Faults shape the outcome:
 * failing and hanging requests, slower responses, lost users, a business metric that drops.
 * Response time of healthy requests is lognormal; its median grows with CPU utilisation as an M/M/1
 * queue's response time does (1 / (1 - rho)), normalised so that the baseline CPU gives the baseline p95. */
#include "sim_int.h"

#include <math.h>
#include <string.h>

#define FAST_FAIL_MEDIAN_MS 12.0 /* connection refused: the error comes back at once */
#define FAST_FAIL_SIGMA 0.4
#define SLOW_SIGMA 0.06
#define RHO_MAX 0.95

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Few requests arrive one by one: below 50 a tick, a version's count is drawn from a Poisson law, so a
 * low-traffic canary really sees windows without a request ("no data"). The draw is counter-based (seed,
 * time, version): it never shifts the other random streams, and the same run draws the same counts. */
static double arrivals(const rs_sim *sim, int v, double lambda)
{
    if (lambda >= 50 || lambda <= 0)
        return lambda;
    uint64_t h = mix64(sim->seed ^ mix64((uint64_t)sim->now * 0x9e3779b97f4a7c15ULL + (uint64_t)(v + 1)));
    double u = (double)(h >> 11) * 0x1.0p-53;
    double p = exp(-lambda), cdf = p;
    int k = 0;
    while (u > cdf && k < 400) {
        k++;
        p *= lambda / k;
        cdf += p;
    }
    return k;
}

double rs__fault_intensity(rs_sim *sim, fault_state *st, const rs_fault *f)
{
    (void)f;
    if (!st->started || sim->now < st->start)
        return 0.0;
    if (f->duration > 0 && sim->now >= st->start + f->duration)
        return 0.0;
    if (f->intermittency > 0) {
        while (sim->now >= st->next_toggle) {
            st->on = !st->on;
            double p = f->intermittency;
            double mean = st->on ? (double)f->burst : (double)f->burst * p / (1.0 - p);
            rs_time len = (rs_time)llround(rs_rng_exp(&sim->rng_faults, mean));
            st->next_toggle += len > 0 ? len : 1;
        }
        if (!st->on)
            return 0.0;
    }
    if (f->ramp <= 0)
        return 1.0;
    double a = (double)(sim->now - st->start) / (double)f->ramp;
    return a < 1.0 ? a : 1.0;
}

/* Starts a fault's clock once its anchor is known; records the onset in the timeline. */
static void arm_fault(fault_state *st, const rs_fault *f, rs_time anchor)
{
    if (st->started)
        return;
    st->started = true;
    st->start = anchor + f->onset;
    st->on = true;
    st->next_toggle = st->start;
    if (f->intermittency > 0) /* the first toggle turns it on at start */
        st->on = false;
}

static void announce_onset(rs_sim *sim, const rs_fault *f, const char *who, bool *announced)
{
    if (*announced)
        return;
    *announced = true;
    switch (f->kind) {
    case RS_FAULT_REDIS_CONNECTION_BUG:
        rs__timeline(sim, sim->now, RS_EV_FAULT_ONSET,
                     "%s: redis_connection_bug: requests touching the cache fail or time out (%.0f%% "
                     "refused, %.1f%% hang %.0f ms at full effect)",
                     who, f->error_rate * 100, f->slow_fraction * 100, f->latency_ms);
        break;
    case RS_FAULT_LATENCY_REGRESSION:
        rs__timeline(sim, sim->now, RS_EV_FAULT_ONSET,
                     "%s: latency_regression: responses slow down (p95 towards %.0f ms)", who,
                     f->latency_ms);
        break;
    case RS_FAULT_TRAFFIC_DROP:
        rs__timeline(sim, sim->now, RS_EV_FAULT_ONSET,
                     "%s: traffic_drop: only %.0f%% of its users can reach the service", who,
                     f->traffic_factor * 100);
        break;
    case RS_FAULT_DATA_CORRUPTION:
        rs__timeline(sim, sim->now, RS_EV_FAULT_ONSET,
                     "%s: data_corruption: responses succeed with invalid data (%s x%.2f)", who,
                     sim->sc->n_biz_metrics ? sim->sc->biz_metrics[0].name : "business metric",
                     f->metric_factor);
        break;
    case RS_FAULT_EXTERNAL_OUTAGE:
        rs__timeline(sim, sim->now, RS_EV_FAULT_ONSET,
                     "external_outage: dependency %s fails whatever version runs (%.0f%% of requests)",
                     f->dependency, (f->error_rate + f->slow_fraction) * 100);
        break;
    default:
        break;
    }
}

typedef struct {
    double ff, sf, slow_ms_log_w, tf, lat_factor, biz[RS_MAX_BIZ_METRICS];
} effects;

static void fault_effects(rs_sim *sim, const rs_fault *f, double a, effects *e)
{
    if (a <= 0)
        return;
    switch (f->kind) {
    case RS_FAULT_REDIS_CONNECTION_BUG:
    case RS_FAULT_EXTERNAL_OUTAGE:
        e->ff += a * f->error_rate;
        e->sf += a * f->slow_fraction;
        e->slow_ms_log_w += a * f->slow_fraction * log(f->latency_ms > 1 ? f->latency_ms : 1);
        break;
    case RS_FAULT_LATENCY_REGRESSION:
        e->lat_factor *= 1.0 + a * (f->latency_ms / sim->sc->baseline.latency_p95_ms - 1.0);
        break;
    case RS_FAULT_TRAFFIC_DROP:
        e->tf *= 1.0 - a * (1.0 - f->traffic_factor);
        break;
    case RS_FAULT_DATA_CORRUPTION: {
        int k = 0;
        for (int i = 0; i < sim->sc->n_biz_metrics; i++)
            if (strcmp(sim->sc->biz_metrics[i].name, f->metric) == 0)
                k = i;
        e->biz[k] *= 1.0 - a * (1.0 - f->metric_factor);
        break;
    }
    default:
        break;
    }
}

/* Mean GC pressure of a leaking version's running pods: extra CPU in [0, cpu_extra]. */
static double gc_pressure(const rs_sim *sim, int v)
{
    const rs_version *ver = &sim->sc->versions[v];
    const rs_fault *leak = NULL;
    for (int i = 0; i < ver->n_faults; i++)
        if (ver->faults[i].kind == RS_FAULT_MEMORY_LEAK)
            leak = &ver->faults[i];
    if (!leak)
        return 0.0;
    double limit = sim->sc->deployment.memory_limit_mb;
    double mem0 = sim->sc->baseline.memory * limit;
    double sum = 0;
    int n = 0;
    for (int i = 0; i < sim->n_pods; i++) {
        const pod *p = &sim->pods[i];
        if (p->phase != POD_RUNNING || !p->ready || sim->rs[p->rs].version != v)
            continue;
        double mem = rs__pod_memory(sim, p);
        sum += (mem - mem0) / (limit - mem0);
        n++;
    }
    return n ? leak->cpu_extra * sum / n : 0.0;
}

/* Share of a version's Ready pods started before its config fix (they still run the bad config). */
static double config_old_share(const rs_sim *sim, int v)
{
    int old = 0, all = 0;
    for (int i = 0; i < sim->n_rs; i++) {
        const replicaset *r = &sim->rs[i];
        if (r->deleted || r->version != v)
            continue;
        all += r->ready;
        if (r->created < sim->config_fixed_at[v])
            old += r->ready;
    }
    return all ? (double)old / all : 0.0;
}

double rs__version_capacity(const rs_sim *sim, int v)
{
    double c = sim->sc->versions[v].capacity_rps;
    return c > 0 ? c : sim->capacity_rps;
}

void rs__tick(rs_sim *sim)
{
    const rs_scenario *sc = sim->sc;
    double dt = (double)sc->traffic.tick / 1000.0;
    double shape = 1.0;
    if (sc->traffic.daily_amplitude > 0)
        shape += sc->traffic.daily_amplitude * sin(6.283185307179586 * (double)sim->now / 86400000.0);
    double noise = rs_rng_normal(&sim->rng_traffic) * sc->traffic.noise;
    double offered = sc->traffic.rpm / 60.0 * shape * (1.0 + noise) * dt;
    if (offered < 0)
        offered = 0;

    double share_of[RS_MAX_VERSIONS], fail_pre;
    int ready[RS_MAX_VERSIONS]; /* Ready pods serving each version's share */
    rs__route(sim, share_of, ready, &fail_pre);

    /* environment faults apply to every version */
    effects env = {0, 0, 0, 1, 1, {1, 1, 1, 1}};
    for (int i = 0; i < sc->n_env_faults; i++) {
        const rs_fault *f = &sc->env_faults[i];
        fault_state *st = &sim->efault[i];
        arm_fault(st, f, 0);
        double a = rs__fault_intensity(sim, st, f);
        if (a > 0)
            announce_onset(sim, f, "environment", &st->announced);
        fault_effects(sim, f, a, &env);
    }

    double failed_all = 0, lost = 0, slow_all = 0, served_all = 0, users = 0;
    double thr = sc->impact_latency_factor * sc->baseline.latency_p95_ms;
    double tail_w = 0, lat_w = 0;
    if (fail_pre > 0) {
        /* no endpoints (the ingress answers 503) or connections reset by a selector switch */
        double f = offered * fail_pre;
        failed_all = f;
        rs_metrics_add(&sim->metrics, -1, f, f);
        rs_metrics_add_latency(&sim->metrics, -1, COMP_FAST_FAIL, f, FAST_FAIL_MEDIAN_MS, FAST_FAIL_SIGMA);
    }
    double routed = offered * (1.0 - fail_pre);
    for (int v = 0; v < sc->n_versions; v++) {
        sim->tick_share[v] = share_of[v];
        if (ready[v] == 0 || share_of[v] <= 0)
            continue;
        const rs_version *ver = &sc->versions[v];
        if (sim->first_serving[v] == RS_TIME_NEVER)
            sim->first_serving[v] = sim->now;
        effects e = env;
        for (int i = 0; i < ver->n_faults; i++) {
            const rs_fault *f = &ver->faults[i];
            fault_state *st = &sim->vfault[v][i];
            if (f->kind == RS_FAULT_MEMORY_LEAK)
                continue; /* acts through the pods' memory */
            arm_fault(st, f, sim->first_serving[v]);
            double a = rs__fault_intensity(sim, st, f);
            if (f->config_fix && sim->config_fixed_at[v] != RS_TIME_NEVER)
                a *= config_old_share(sim, v); /* restarted pods read the fixed config */
            if (a > 0)
                announce_onset(sim, f, ver->name, &st->announced);
            fault_effects(sim, f, a, &e);
        }
        double share = share_of[v];
        double lam = routed * share * e.tf; /* expected requests: what the pods' load follows */
        double req = arrivals(sim, v, lam);
        lost += routed * share * (1.0 - e.tf);
        users += req;
        double gc = gc_pressure(sim, v);
        double rho = lam / dt / ready[v] / rs__version_capacity(sim, v);
        double busy = rho + gc;
        double shed = busy > 1.0 ? 1.0 - (1.0 - gc) / rho : 0.0; /* requests beyond capacity */
        if (shed < 0)
            shed = 0;
        double rho_eff = busy < RHO_MAX ? busy : RHO_MAX;
        double q = (1.0 - sc->baseline.cpu) / (1.0 - rho_eff);
        double median = sim->base_median_ms * q * e.lat_factor;
        double ff = e.ff + rs__db_errors(sim, v), sf = e.sf; /* an old version on a newer schema fails */
        if (ff + sf > 1.0) {
            double k = 1.0 / (ff + sf);
            ff *= k;
            sf *= k;
        }
        double normal = 1.0 - ff - sf;
        double sigma = sc->baseline.latency_sigma;
        double log_median = log(median); /* one log a version and a tick, shared by what follows */
        double timeout_frac = 1.0 - rs_lognormal_cdf_log(sim->log_timeout_ms, log_median, sigma);
        double served = req * (1.0 - shed);
        double failed = req * shed + served * (ff + sf + normal * (sc->baseline.error_rate + timeout_frac));
        double slow_ms = sf > 0 ? exp(e.slow_ms_log_w / e.sf) : sc->baseline.timeout_ms;
        rs_metrics_add(&sim->metrics, v, req, failed);
        rs__db_writes(sim, v, served);
        rs_metrics_add_latency_log(&sim->metrics, v, COMP_NORMAL, served * normal, log_median, sigma);
        rs_metrics_add_latency(&sim->metrics, v, COMP_FAST_FAIL, served * ff, FAST_FAIL_MEDIAN_MS,
                               FAST_FAIL_SIGMA);
        rs_metrics_add_latency(&sim->metrics, v, COMP_SLOW, served * sf, slow_ms, SLOW_SIGMA);
        rs_metrics_add_latency_log(&sim->metrics, v, COMP_SLOW, req * shed, sim->log_timeout_ms, SLOW_SIGMA);
        /* user-facing tail above the impact threshold (no slow component: served × 0 adds +0) */
        double normal_tail = served * normal * (1.0 - rs_lognormal_cdf_log(sim->log_impact_ms, log_median, sigma));
        double slow_tail = sf > 0 ? served * sf * (1.0 - rs_lognormal_cdf(thr, slow_ms, SLOW_SIGMA)) : 0.0;
        double tail = normal_tail + slow_tail + req * shed;
        tail_w += tail;
        lat_w += req;
        slow_all += normal_tail;
        failed_all += failed;
        served_all += served;
        sim->tick_cpu[v] = busy < 1.0 ? busy : 1.0;
        for (int k = 0; k < sc->n_biz_metrics; k++) {
            sim->biz_acc[v][k] += req * e.biz[k];
            sim->biz_tick[v][k] = req * e.biz[k];
        }
        sim->biz_w[v] += req;
        sim->biz_tick_w[v] = req;
    }
    (void)served_all;
    failed_all += lost;
    users += lost + offered * fail_pre;
    offered = users; /* the requests users sent this tick (drawn one by one when few) */
    sim->result.scores.total_requests += offered;
    sim->result.scores.failed_requests += failed_all;
    sim->result.scores.slow_requests += slow_all;
    double user_err = offered > 0 ? failed_all / offered : 0.0;
    double tail_frac = lat_w > 0 ? tail_w / lat_w : 0.0;
    double biz = 1.0;
    for (int k = 0; k < sc->n_biz_metrics; k++) {
        double num = 0, den = 0;
        for (int v = 0; v < sc->n_versions; v++)
            if (ready[v]) {
                num += sim->biz_tick[v][k];
                den += sim->biz_tick_w[v];
            }
        if (den > 0 && num / den < biz)
            biz = num / den;
    }
    sim->tick_error_rate = user_err;
    rs__track_impact(sim, user_err, tail_frac, biz);
}
