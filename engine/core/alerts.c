/* Alert rules as Prometheus evaluates them: at every evaluation interval the rule's query is run; a
 * true condition makes the alert pending, and firing once it has been true for the rule's `for`
 * duration (checked only at evaluations); a false one resolves it. A query without data is not true.
 * A firing critical alert pages the on-call after page_delay (Alertmanager's group_wait); an
 * unacknowledged page escalates after escalate_after. */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool compare(rs_cmp_op op, double v, double t)
{
    switch (op) {
    case RS_OP_GT:
        return v > t;
    case RS_OP_GE:
        return v >= t;
    case RS_OP_LT:
        return v < t;
    case RS_OP_LE:
        return v <= t;
    }
    return false;
}

static const char *fmt_value(rs_metric_kind m, double v, char *buf, size_t size)
{
    switch (m) {
    case RS_METRIC_ERROR_RATE:
        snprintf(buf, size, "%.2f%%", v * 100);
        break;
    case RS_METRIC_CPU:
    case RS_METRIC_MEMORY:
        snprintf(buf, size, "%.0f%%", v * 100);
        break;
    case RS_METRIC_LATENCY_P50:
    case RS_METRIC_LATENCY_P95:
    case RS_METRIC_LATENCY_P99:
        snprintf(buf, size, "%.0f ms", v);
        break;
    case RS_METRIC_REQUEST_RATE:
        snprintf(buf, size, "%.0f req/min", v);
        break;
    default:
        snprintf(buf, size, "%.4g", v);
        break;
    }
    return buf;
}

/* "HighErrorRate [critical]: error_rate over 5m00s = 9.20% > 5.00%", or "... back to 4.99% (fires when
 * > 5.00%)" for a resolved alert. */
static void describe(const rs_sim *sim, const rs_alert_rule *r, double v, bool resolved, char *buf, size_t size)
{
    char val[32], thr[32], win[24];
    const char *metric = r->metric == RS_METRIC_BUSINESS ? sim->sc->biz_metrics[r->business_index].name
                                                         : rs_metric_kind_name(r->metric);
    if (isnan(v))
        snprintf(val, sizeof val, "no data");
    else
        fmt_value(r->metric, v, val, sizeof val);
    fmt_value(r->metric, r->threshold, thr, sizeof thr);
    rs_format_duration(r->window, win, sizeof win);
    snprintf(buf, size, resolved ? "%s [%s]: %s%s%s over %s back to %s (fires when %s %s)"
                                 : "%s [%s]: %s%s%s over %s = %s %s %s",
             r->name, rs_severity_name(r->severity), metric, r->version[0] ? " of " : "", r->version, win, val,
             rs_cmp_op_name(r->op), thr);
}

void rs__eval_alerts(rs_sim *sim)
{
    const rs_scenario *sc = sim->sc;
    for (int i = 0; i < sc->n_alerts; i++) {
        const rs_alert_rule *r = &sc->alerts[i];
        alert_runtime *a = &sim->alerts[i];
        int version = r->version[0] ? rs_scenario_version_index(sc, r->version) : -1;
        double v = rs_sim_query(sim, r->metric, r->business_index, version, r->window);
        bool cond = !isnan(v) && compare(r->op, v, r->threshold);
        a->last_value = v;
        char text[200];
        if (cond) {
            if (a->state == ALERT_INACTIVE) {
                a->state = ALERT_PENDING;
                a->active_at = sim->now;
                if (r->for_ > 0) {
                    describe(sim, r, v, false, text, sizeof text);
                    rs__timeline(sim, sim->now, RS_EV_ALERT_PENDING, "%s", text);
                }
            }
            if (a->state == ALERT_PENDING && sim->now - a->active_at >= r->for_) {
                a->state = ALERT_FIRING;
                a->ever_fired = true;
                describe(sim, r, v, false, text, sizeof text);
                rs__timeline(sim, sim->now, RS_EV_ALERT_FIRING, "%s", text);
                if (r->severity == RS_SEV_CRITICAL && !a->paged) {
                    a->paged = true;
                    rs__schedule(sim, sim->now + sc->page_delay, EV_PAGE, (uint32_t)i, 0);
                }
            }
        } else if (a->state != ALERT_INACTIVE) {
            if (a->state == ALERT_FIRING) {
                describe(sim, r, v, true, text, sizeof text);
                rs__timeline(sim, sim->now, RS_EV_ALERT_RESOLVED, "%s", text);
            }
            a->state = ALERT_INACTIVE;
            a->paged = false;
        }
    }
}

void rs__page(rs_sim *sim, int rule)
{
    if (sim->alerts[rule].state != ALERT_FIRING || sim->page_open)
        return; /* resolved during group_wait, or on-call already paged for this incident */
    sim->page_open = true;
    sim->page_seq++;
    const rs_alert_rule *r = &sim->sc->alerts[rule];
    rs__timeline(sim, sim->now, RS_EV_PAGE, "on-call paged: %s firing (critical) on %s/%s", r->name,
                 sim->sc->namespace_, sim->sc->service);
    rs__schedule(sim, sim->now + sim->sc->escalate_after, EV_ESCALATE, 0, (uint64_t)sim->page_seq);
}

void rs__escalate(rs_sim *sim, int page_seq)
{
    if (!sim->page_open || page_seq != sim->page_seq)
        return;
    char buf[24];
    rs__timeline(sim, sim->now, RS_EV_ESCALATE, "page not acknowledged within %s: escalated to the secondary",
                 rs_format_duration(sim->sc->escalate_after, buf, sizeof buf));
    sim->page_seq++;
    rs__schedule(sim, sim->now + sim->sc->escalate_after, EV_ESCALATE, 0, (uint64_t)sim->page_seq);
}
