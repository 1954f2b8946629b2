/* Pod logs, generated on demand and deterministic: a line every two seconds of the container's life,
 * whose content is a hash of (seed, pod, time), so nothing is stored and the same question always gets
 * the same answer. A fault's messages appear in proportion to its effect, among normal access lines. */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define LINE_EVERY_MS 2000

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static const char *const normal_lines[] = {
    "INFO  GET /api/orders 200 %dms",      "INFO  GET /api/products/%d 200 38ms",
    "INFO  POST /api/checkout 201 %dms",   "INFO  GET /health 200 1ms",
    "INFO  GET /api/cart 200 %dms",        "DEBUG cache hit ratio 0.9%d",
};

static const char *const fault_lines[RS_FAULT_KIND_COUNT][3] = {
    {"ERROR Cannot connect to cache redis-master:6379 (attempt %d)",
     "ERROR Redis timeout after 3000ms: GET session:%d",
     "ERROR Connection refused: redis-master:6379 (pool exhausted, %d waiting)"},
    {"WARN  slow request GET /api/orders took %d ms", "WARN  query SELECT * FROM orders took %dms (no index?)",
     "WARN  thread pool saturated: %d requests queued"},
    {"WARN  heap at %d%% of the container limit, GC pause 850ms", "WARN  GC overhead limit approaching (%d%%)",
     "WARN  cache size %d entries, never evicted"},
    {"WARN  ingress route /api/v2 matched no backend: %d requests dropped", "WARN  client version check rejected %d sessions",
     "WARN  only %d requests in the last minute on /api/checkout"},
    {"ERROR invalid data returned for order %d: total_cents is NULL", "WARN  checksum mismatch on cart %d",
     "ERROR database constraint violation on orders.customer_id (%d)"},
    {"ERROR upstream payments-api returned 503 Service Unavailable (%d)", "ERROR payments-api timeout after 5000ms (%d)",
     "WARN  circuit breaker payments-api OPEN (%d failures)"},
};

/* A fault marked config_fix is a configuration mistake, and its pods say so (the seed's Q1: "simple
 * config"): one line in three is the config error, for the fault's kind. */
static const char *const config_lines[RS_FAULT_KIND_COUNT] = {
    "ERROR config: REDIS_HOST=redis-old.internal does not resolve (ConfigMap %s-config, attempt %d)",
    "ERROR config: DB_POOL_SIZE=2 from ConfigMap %s-config is below the worker count (%d waiting)",
    "ERROR config: CACHE_MAX_ENTRIES=0 from ConfigMap %s-config means unbounded (%d entries)",
    "ERROR config: INGRESS_PATH_PREFIX=/api/v3 from ConfigMap %s-config matches no route (%d dropped)",
    "ERROR config: CURRENCY_DECIMALS=0 from ConfigMap %s-config truncates totals (order %d)",
    "ERROR config: PAYMENTS_API_URL from ConfigMap %s-config points at a retired endpoint (%d)",
};

/* Share of log lines that carry a fault's message at time t, for pod p of version v; *config is set when
 * that fault is a configuration mistake. A pod restarted after a config fix reads the fixed config. */
static double fault_share(const rs_sim *sim, const pod *p, int v, rs_time t, int *kind, bool *config)
{
    const rs_scenario *sc = sim->sc;
    double best = 0;
    const rs_version *ver = &sc->versions[v];
    for (int i = 0; i < ver->n_faults; i++) {
        const rs_fault *f = &ver->faults[i];
        const fault_state *st = &sim->vfault[v][i];
        double share = 0;
        if (f->config_fix && sim->config_fixed_at[v] != RS_TIME_NEVER && sim->rs[p->rs].created >= sim->config_fixed_at[v])
            continue;
        if (f->kind == RS_FAULT_MEMORY_LEAK) {
            share = 0.15;
        } else if (st->started && t >= st->start && (f->duration == 0 || t < st->start + f->duration)) {
            double a = f->ramp > 0 ? fmin(1.0, (double)(t - st->start) / (double)f->ramp) : 1.0;
            double effect = f->error_rate + f->slow_fraction;
            if (f->kind == RS_FAULT_LATENCY_REGRESSION || f->kind == RS_FAULT_TRAFFIC_DROP ||
                f->kind == RS_FAULT_DATA_CORRUPTION)
                effect = 0.3;
            share = a * fmin(0.9, effect * 2.0);
        }
        if (share > best) {
            best = share;
            *kind = (int)f->kind;
            *config = f->config_fix;
        }
    }
    for (int i = 0; i < sc->n_env_faults; i++) {
        const rs_fault *f = &sc->env_faults[i];
        const fault_state *st = &sim->efault[i];
        if (st->started && t >= st->start && (f->duration == 0 || t < st->start + f->duration)) {
            double share = fmin(0.9, (f->error_rate + f->slow_fraction) * 2.0);
            if (share > best) {
                best = share;
                *kind = (int)f->kind;
                *config = f->config_fix;
            }
        }
    }
    return best;
}

static int pick_pod(const rs_sim *sim, const char *name)
{
    char buf[96];
    if (name && *name) {
        for (int i = 0; i < sim->n_pods; i++)
            if (sim->pods[i].phase != POD_FREE && strcmp(rs__pod_name(sim, i, buf, sizeof buf), name) == 0)
                return i;
        return -1;
    }
    int fallback = -1;
    for (int i = 0; i < sim->n_pods; i++) {
        const pod *p = &sim->pods[i];
        if (p->phase != POD_RUNNING || p->rs != sim->dep.current)
            continue;
        if (p->ready)
            return i;
        if (fallback < 0)
            fallback = i;
    }
    for (int i = 0; fallback < 0 && i < sim->n_pods; i++)
        if (sim->pods[i].phase == POD_RUNNING)
            fallback = i;
    return fallback;
}

int rs_sim_logs(const rs_sim *sim, const char *pod_name, int n, char *buf, size_t size)
{
    if (size == 0)
        return 0;
    buf[0] = '\0';
    int idx = pick_pod(sim, pod_name);
    if (idx < 0 || n <= 0) {
        if (idx < 0)
            snprintf(buf, size, "Error from server (NotFound): pods \"%s\" not found\n",
                     pod_name && *pod_name ? pod_name : sim->sc->service);
        return 0;
    }
    const pod *p = &sim->pods[idx];
    int v = sim->rs[p->rs].version;
    rs_time start = p->running_since > 0 ? p->running_since : 0;
    rs_time last = sim->now - sim->now % LINE_EVERY_MS;
    rs_time first = last - (rs_time)(n - 1) * LINE_EVERY_MS;
    if (first < start)
        first = start + (LINE_EVERY_MS - start % LINE_EVERY_MS) % LINE_EVERY_MS;
    size_t used = 0;
    int lines = 0;
    for (rs_time t = first; t <= last && used + 1 < size; t += LINE_EVERY_MS) {
        uint64_t h = mix(sim->seed ^ mix(((uint64_t)idx << 32) ^ (uint64_t)p->serial ^ mix((uint64_t)t)));
        int kind = -1;
        bool config = false;
        double share = fault_share(sim, p, v, t, &kind, &config);
        double u = (double)(h >> 11) * 0x1.0p-53;
        int arg = (int)(h % 97) + 3;
        char text[160];
        if (kind >= 0 && u < share && config && (h >> 17) % 3 == 0)
            snprintf(text, sizeof text, config_lines[kind], sim->sc->service, arg);
        else if (kind >= 0 && u < share)
            snprintf(text, sizeof text, fault_lines[kind][(h >> 7) % 3], kind == RS_FAULT_MEMORY_LEAK ? 80 + arg % 19 : arg);
        else
            snprintf(text, sizeof text, normal_lines[(h >> 7) % 6], 20 + arg);
        long long s = (long long)(t / 1000);
        int w = snprintf(buf + used, size - used, "%02lld:%02lld:%02lld.%03lld %s\n", s / 3600, (s / 60) % 60, s % 60,
                         (long long)(t % 1000), text);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
        lines++;
    }
    return lines;
}
