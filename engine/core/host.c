/* Hosts: the extension point through which Lua policies and the training window take part in a run.
 * Timeline entries reach hosts after the event that recorded them, in recording order; a host acting in
 * its callback records more entries, which are delivered in the same loop, never reentrantly. */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rs_sim_add_host(rs_sim *sim, const rs_host *host)
{
    if (sim->n_hosts == RS_MAX_HOSTS)
        return -1;
    sim->hosts[sim->n_hosts] = *host;
    return sim->n_hosts++;
}

void rs_sim_host_timer(rs_sim *sim, int id, rs_time at, uint64_t token)
{
    if (id < 0 || id >= sim->n_hosts)
        return;
    rs__schedule_tier(sim, at, RS_TIER_HOSTS, EV_HOST_TIMER, (uint32_t)id, token); /* after the world's */
}

void rs__deliver(rs_sim *sim)
{
    if (sim->delivering || sim->n_hosts == 0) {
        if (sim->n_hosts == 0)
            sim->delivered = sim->result.n_timeline;
        return;
    }
    sim->delivering = true;
    while (sim->delivered < sim->result.n_timeline && !sim->ended) {
        rs_timeline_entry e = sim->result.timeline[sim->delivered++]; /* a copy: hosts may grow the array */
        for (int h = 0; h < sim->n_hosts && !sim->ended; h++)
            if (sim->hosts[h].on_timeline)
                sim->hosts[h].on_timeline(sim->hosts[h].ctx, sim, &e);
    }
    sim->delivering = false;
}

void rs_sim_decision(rs_sim *sim, const char *who, const char *text)
{
    rs__timeline(sim, sim->now, RS_EV_DECISION, "%s: %s", who && *who ? who : "operator", text ? text : "");
}

void rs_sim_trace(rs_sim *sim, const rs_trace_entry *e)
{
    rs_result *r = &sim->result;
    if (r->n_trace == sim->cap_trace) {
        size_t cap = sim->cap_trace ? sim->cap_trace * 2 : 64;
        rs_trace_entry *t = realloc(r->trace, cap * sizeof *t);
        if (!t) {
            rs_sim_fail(sim, RS_INTERNAL, "out of memory recording the policy trace");
            return;
        }
        r->trace = t;
        sim->cap_trace = cap;
    }
    r->trace[r->n_trace] = *e;
    r->trace[r->n_trace].t_ms = sim->now;
    r->n_trace++;
}

void rs_sim_fail(rs_sim *sim, rs_status code, const char *message)
{
    rs_outcome *o = &sim->result.outcome;
    if (o->error_code == RS_OK) {
        o->error_code = code == RS_OK ? RS_INTERNAL : code;
        snprintf(o->error, sizeof o->error, "%s", message ? message : "failed");
    }
    sim->ended = true;
}

int rs_sim_alerts(const rs_sim *sim, rs_alert_info *out, int max)
{
    int n = sim->sc->n_alerts;
    for (int i = 0; i < n && i < max; i++) {
        const alert_runtime *a = &sim->alerts[i];
        rs_alert_info *o = &out[i];
        snprintf(o->name, sizeof o->name, "%s", sim->sc->alerts[i].name);
        o->state = a->state == ALERT_FIRING ? "firing" : a->state == ALERT_PENDING ? "pending" : "inactive";
        o->severity = rs_severity_name(sim->sc->alerts[i].severity);
        o->active_since = a->state == ALERT_INACTIVE ? RS_TIME_NEVER : a->active_at;
        o->value = a->last_value;
    }
    return n;
}

bool rs_sim_page_open(const rs_sim *sim) { return sim->page_open; }

static void trace_value(char *buf, size_t size, double v)
{
    if (fabs(v) >= 1000 && fabs(v) < 1e15)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.4g", v);
}

size_t rs_trace_format(const rs_trace_entry *e, char *buf, size_t size)
{
    if (size == 0)
        return 0;
    size_t n = (size_t)snprintf(buf, size, "[%s]", e->phase);
    for (int i = 0; i < e->n_checks && i < RS_TRACE_MAX_CHECKS && n < size; i++) {
        const rs_check *c = &e->checks[i];
        char v[32], t[32];
        trace_value(t, sizeof t, c->threshold);
        if (c->verdict == RS_CHECK_NO_DATA)
            snprintf(v, sizeof v, "no data");
        else
            trace_value(v, sizeof v, c->value);
        n += (size_t)snprintf(buf + n, size - n, "%s %s %s %s %s: %s", i ? ";" : "", c->name, v, c->op, t,
                              c->verdict == RS_CHECK_PASS ? "pass" : c->verdict == RS_CHECK_FAIL ? "FAIL" : "NO DATA");
    }
    if (e->counters[0] && n < size)
        n += (size_t)snprintf(buf + n, size - n, " | %s", e->counters);
    if (e->verdict[0] && n < size)
        n += (size_t)snprintf(buf + n, size - n, " | %s", e->verdict);
    return n < size ? n : size - 1;
}
