/* The releases of a sweep. Release k's kind, fault and noise come only from draws of its own random stream
 * of (sweep seed, k), always the same draws in the same order whatever they decide, so every point of the
 * grid meets the same releases (common random numbers) and changing one probability of the file does not
 * shift the other draws. A release becomes a run's scenario by editing a copy of the base scenario. */
#include "sweep_int.h"

#include <math.h>
#include <string.h>

#include "rollsim/rng.h"

#define RELEASE_STREAM 0x7377656570000000ULL /* "sweep", far from the run's own streams */

static double draw(rs_rng *r, rs_sweep_range g) { return g.lo + (g.hi - g.lo) * rs_rng_uniform(r); }

static rs_time ms(double x) { return (rs_time)llround(x); }

/* The item's fault at severity s (1 = as written; docs/sweeps.md says what each type scales). */
static rs_fault scaled(const rs_sweep *sw, const rs_sweep_mix *m, double s)
{
    rs_fault f = m->base;
    double p95 = sw->base ? sw->base->baseline.latency_p95_ms : 150.0;
    switch (f.kind) {
    case RS_FAULT_REDIS_CONNECTION_BUG:
        f.error_rate *= s;
        f.slow_fraction *= s;
        if (f.error_rate + f.slow_fraction > 1) {
            double k = 1.0 / (f.error_rate + f.slow_fraction);
            f.error_rate *= k;
            f.slow_fraction *= k;
        }
        break;
    case RS_FAULT_LATENCY_REGRESSION:
        f.latency_ms = p95 + (f.latency_ms - p95) * s;
        break;
    case RS_FAULT_MEMORY_LEAK:
        f.leak_mb_per_min *= s;
        break;
    case RS_FAULT_TRAFFIC_DROP:
        f.traffic_factor = fmax(0.0, 1.0 - (1.0 - f.traffic_factor) * s);
        break;
    case RS_FAULT_DATA_CORRUPTION:
        f.metric_factor = fmax(0.0, 1.0 - (1.0 - f.metric_factor) * s);
        break;
    default:
        break;
    }
    return f;
}

/* A short environment fault starting `at` after the deploy. */
static rs_fault blip(const rs_sweep *sw, rs_fault_kind kind, double at, double duration)
{
    rs_fault f;
    rs_fault_defaults(&f, kind);
    f.onset = sw->deploy_at + ms(at);
    f.ramp = 0;
    f.duration = ms(duration) > 1000 ? ms(duration) : 1000; /* 0 would mean forever */
    f.slow_fraction = 0;
    snprintf(f.dependency, sizeof f.dependency, "upstream");
    return f;
}

void rs_sweep_draw(const rs_sweep *sw, int k, rs_sweep_release *out)
{
    memset(out, 0, sizeof *out);
    rs_rng r;
    rs_rng_seed(&r, sw->seed, RELEASE_STREAM + (uint64_t)k);
    out->seed_index = k;
    out->seed = rs_rng_next(&r);
    double u = rs_rng_uniform(&r), acc = 0;
    out->mix = sw->n_mix - 1;
    for (int i = 0; i < sw->n_mix - 1; i++) {
        acc += sw->mix[i].weight;
        if (u < acc) {
            out->mix = i;
            break;
        }
    }
    const rs_sweep_mix *m = &sw->mix[out->mix];
    double onset = draw(&r, m->onset), ramp = draw(&r, m->ramp), severity = draw(&r, m->severity);
    if (m->fault >= 0) {
        out->faulty = true;
        out->fault = scaled(sw, m, severity);
        out->fault.onset = ms(onset);
        out->fault.ramp = ms(ramp);
    }
    const rs_sweep_noise *n = &m->noise;
    bool eb = rs_rng_uniform(&r) < n->error_blip_p;
    double eb_rate = draw(&r, n->error_blip_rate), eb_len = draw(&r, n->error_blip_duration);
    double eb_at = draw(&r, n->blip_start);
    bool lb = rs_rng_uniform(&r) < n->latency_blip_p;
    double lb_ms = draw(&r, n->latency_blip_ms), lb_len = draw(&r, n->latency_blip_duration);
    double lb_at = draw(&r, n->blip_start);
    bool dip = rs_rng_uniform(&r) < n->traffic_dip_p;
    double dip_f = draw(&r, n->traffic_dip_factor);
    bool slow = rs_rng_uniform(&r) < n->slow_start_p;
    double slow_f = draw(&r, n->slow_start_factor);
    out->error_blip = eb;
    out->blip[0] = blip(sw, RS_FAULT_EXTERNAL_OUTAGE, eb_at, eb_len);
    out->blip[0].error_rate = eb_rate;
    out->latency_blip = lb;
    out->blip[1] = blip(sw, RS_FAULT_LATENCY_REGRESSION, lb_at, lb_len);
    out->blip[1].latency_ms = lb_ms;
    out->traffic_factor = dip ? dip_f : 1.0;
    out->startup_factor = slow ? slow_f : 1.0;
}

/* Per-pod capacity as rs_sim_new derives it from the baseline, so that a quieter hour means idler pods
 * rather than smaller ones. */
static double capacity(const rs_scenario *b)
{
    if (b->deployment.capacity_rps > 0)
        return b->deployment.capacity_rps;
    int n = b->deployment.replicas > 0 ? b->deployment.replicas : 1;
    double c = b->traffic.rpm / 60.0 / n / (b->baseline.cpu > 0.01 ? b->baseline.cpu : 0.01);
    return c > 0 ? c : 100;
}

void rs_sweep_apply(const rs_sweep *sw, const rs_sweep_release *r, rs_scenario *sc)
{
    const rs_scenario *b = sw->base;
    rs_version *v = &sc->versions[sw->release];
    v->startup_s = b->versions[sw->release].startup_s * r->startup_factor;
    v->n_faults = r->faulty ? 1 : 0; /* the release's own faults in the base are replaced */
    if (r->faulty)
        v->faults[0] = r->fault;
    sc->n_env_faults = b->n_env_faults;
    memcpy(sc->env_faults, b->env_faults, sizeof sc->env_faults);
    if (r->error_blip)
        sc->env_faults[sc->n_env_faults++] = r->blip[0];
    if (r->latency_blip)
        sc->env_faults[sc->n_env_faults++] = r->blip[1];
    sc->traffic.rpm = b->traffic.rpm * r->traffic_factor;
    sc->deployment.capacity_rps = r->traffic_factor != 1.0 ? capacity(b) : b->deployment.capacity_rps;
}
