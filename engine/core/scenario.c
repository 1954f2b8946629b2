/* Scenario defaults (the seed's figures), names of enums as they appear in files and reports, and the
 * cross-field checks that a JSON schema cannot express. */
#include "rollsim/scenario.h"
#include "rollsim/result.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void copy_name(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

void rs_fault_defaults(rs_fault *f, rs_fault_kind kind)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->burst = RS_SEC(30);
    f->traffic_factor = 1.0;
    f->metric_factor = 1.0;
    switch (kind) {
    case RS_FAULT_REDIS_CONNECTION_BUG:
        /* Seed Part 1/5: errors 0.1% → 15–18%, p95 150 ms → ~3000 ms (Redis timeouts). */
        f->error_rate = 0.10;
        f->slow_fraction = 0.065;
        f->latency_ms = 3000;
        f->ramp = RS_SEC(90);
        break;
    case RS_FAULT_LATENCY_REGRESSION:
        /* Seed Part 1: p95 150 ms → 5000 ms, slow but functional. */
        f->latency_ms = 5000;
        f->ramp = RS_SEC(60);
        break;
    case RS_FAULT_MEMORY_LEAK:
        /* Seed Part 1: CPU 40% → 100%, OOMKilled events. 60% of 512 MiB to the limit in about 7 min,
         * so restarts come faster than the 10-minute back-off reset: CrashLoopBackOff follows. */
        f->leak_mb_per_min = 30;
        f->cpu_extra = 0.8;
        break;
    case RS_FAULT_TRAFFIC_DROP:
        /* Seed Part 1: 10k → 1k req/min, users cannot reach the service. */
        f->traffic_factor = 0.1;
        f->ramp = RS_SEC(30);
        break;
    case RS_FAULT_DATA_CORRUPTION:
        /* Seed Part 1: responses succeed, data is invalid: only a business metric sees it. */
        f->metric_factor = 0.5;
        f->ramp = RS_SEC(60);
        break;
    case RS_FAULT_EXTERNAL_OUTAGE:
        /* Not the release's fault: a dependency fails whatever version runs. */
        f->error_rate = 0.25;
        f->slow_fraction = 0.05;
        f->latency_ms = 5000;
        f->duration = RS_MIN(25);
        copy_name(f->dependency, sizeof f->dependency, "payments-api");
        break;
    case RS_FAULT_KIND_COUNT:
        break;
    }
}

static void default_rule(rs_alert_rule *r, const char *name, rs_metric_kind m, double threshold,
                         rs_time window, rs_time for_, rs_severity sev)
{
    memset(r, 0, sizeof *r);
    copy_name(r->name, sizeof r->name, name);
    r->metric = m;
    r->op = RS_OP_GT;
    r->threshold = threshold;
    r->window = window;
    r->for_ = for_;
    r->severity = sev;
}

void rs_scenario_default_alerts(rs_scenario *s)
{
    if (s->n_alerts > 0)
        return;
    /* The seed's Part 1: HighErrorRate (critical, pages) and HighLatency (warning). */
    default_rule(&s->alerts[0], "HighErrorRate", RS_METRIC_ERROR_RATE, 0.05, RS_MIN(5), RS_MIN(1),
                 RS_SEV_CRITICAL);
    default_rule(&s->alerts[1], "HighLatency", RS_METRIC_LATENCY_P95, 2.0 * s->baseline.latency_p95_ms,
                 RS_MIN(5), RS_MIN(2), RS_SEV_WARNING);
    s->n_alerts = 2;
}

void rs_scenario_defaults(rs_scenario *s)
{
    memset(s, 0, sizeof *s);
    copy_name(s->name, sizeof s->name, "unnamed");
    copy_name(s->service, sizeof s->service, "myapp");
    copy_name(s->namespace_, sizeof s->namespace_, "production");
    s->seed = 1;
    s->duration = RS_MIN(30);
    s->tail_after_resolve = RS_MIN(5);

    rs_deployment_spec *d = &s->deployment;
    d->replicas = 5;
    rs_strategy_spec *st = &d->strategy;
    st->kind = RS_STRATEGY_ROLLING;
    st->auto_promote = true;           /* Argo Rollouts autoPromotionEnabled */
    st->auto_promote_after = 0;
    st->scale_down_delay = RS_SEC(30); /* Argo Rollouts scaleDownDelaySeconds */
    st->switch_time = RS_SEC(1);       /* the seed: "Downtime: ~1 sec" */
    st->switch_error_rate = 1.0;
    st->mesh = true;
    st->interval = RS_SEC(30);         /* the seed's Flagger Canary */
    st->step_weight = 10;
    st->max_weight = 50;
    st->threshold = 5;
    d->max_surge = (rs_intorpct){true, 25};
    d->max_unavailable = (rs_intorpct){true, 25};
    d->min_ready = 0;
    d->progress_deadline = RS_SEC(600);
    d->revision_history_limit = 10;
    d->termination_grace = RS_SEC(30);
    d->shutdown = RS_SEC(2);
    d->probe_initial_delay = 0;
    d->probe_period = RS_SEC(10);
    d->probe_failure_threshold = 3;
    d->probe_success_threshold = 1;
    d->has_readiness_probe = true;
    d->image_pull = RS_SEC(5);
    d->startup_jitter = 0.2;
    d->capacity_rps = 0; /* derived: baseline CPU at the baseline rate */
    d->memory_limit_mb = 512;
    d->backoff_initial = RS_SEC(10);
    d->backoff_max = RS_SEC(300);
    d->backoff_reset = RS_MIN(10);

    s->traffic.rpm = 10000;
    s->traffic.noise = 0.02;
    s->traffic.daily_amplitude = 0;
    s->traffic.tick = RS_SEC(1);

    s->baseline.error_rate = 0.001;
    s->baseline.latency_p95_ms = 150;
    s->baseline.latency_sigma = 0.5;
    s->baseline.cpu = 0.40;
    s->baseline.memory = 0.60;
    s->baseline.timeout_ms = 30000;

    s->n_versions = 1;
    copy_name(s->versions[0].name, sizeof s->versions[0].name, "v1");
    s->versions[0].startup_s = 15;
    for (int i = 0; i < RS_MAX_VERSIONS; i++)
        s->versions[i].build_time = RS_MIN(10);
    s->initial_version = 0;
    s->initial_revision = 1;

    s->scrape_interval = RS_SEC(15);
    s->eval_interval = RS_SEC(15);
    s->page_delay = RS_SEC(30);
    s->escalate_after = RS_MIN(5);

    s->slo_target = 0.999;
    s->slo_window = RS_MIN(60 * 24 * 30);
    s->impact_error_rate = 0.01;
    s->impact_latency_factor = 2.0;
    s->stable_for = RS_MIN(2);
}

static const char *const fault_names[] = {"redis_connection_bug", "latency_regression", "memory_leak",
                                          "traffic_drop", "data_corruption", "external_outage"};
static const char *const action_names[] = {"deploy",     "ack",    "note",         "undo",   "pause",
                                           "resume",     "scale",  "restart",      "resolve", "hotfix",
                                           "config_fix", "migrate_down", "backup", "restore", "escalate",
                                           "wait"};
static const char *const migration_names[] = {"add_column", "drop_column", "modify_column", "add_table"};
static const char *const metric_names[] = {"error_rate", "latency_p50_ms", "latency_p95_ms",
                                           "latency_p99_ms", "request_rate", "cpu",
                                           "memory", "restarts", "ready_pods", "business"};
static const char *const expect_names[] = {
    "final_version", "rolled_back", "rolled_back_by", "recovered", "resolved", "mttd_max",
    "mtta_max", "mttm_max", "mttr_max", "failed_requests_max", "error_budget_burned_max", "score_min",
    "alert_fired", "alert_not_fired", "peak_error_rate_min", "peak_error_rate_max", "rows_lost_max",
    "harmful_decisions_max", "at"};
static const char *const severity_names[] = {"info", "warning", "critical"};
static const char *const op_names[] = {">", ">=", "<", "<="};
static const char *const event_names[] = {
    "deploy_start", "deploy_complete", "rollout_failed", "fault_onset", "impact_start",
    "impact_end", "alert_pending", "alert_firing", "alert_resolved", "page",
    "escalate", "ack", "note", "decision", "rollback_start",
    "rollback_complete", "pod_oomkilled", "pod_crashloop", "scale", "restart",
    "pause", "resume", "recovered", "resolved", "traffic", "promote", "migration", "backup",
    "restore", "hotfix", "config_fix"};
static const char *const decision_names[] = {"rollback", "db_revert", "hotfix", "config_fix", "wait", "escalate"};
static const char *const judgement_names[] = {"correct", "acceptable", "harmful"};

_Static_assert(sizeof fault_names / sizeof *fault_names == RS_FAULT_KIND_COUNT, "fault names");
_Static_assert(sizeof action_names / sizeof *action_names == RS_ACT_KIND_COUNT, "action names");
_Static_assert(sizeof metric_names / sizeof *metric_names == RS_METRIC_KIND_COUNT, "metric names");
_Static_assert(sizeof expect_names / sizeof *expect_names == RS_EXP_KIND_COUNT, "expect names");
_Static_assert(sizeof event_names / sizeof *event_names == RS_EV_KIND_COUNT, "event names");
_Static_assert(sizeof migration_names / sizeof *migration_names == RS_MIG_KIND_COUNT, "migration names");

static int find_name(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

#define NAME_FNS(fn, type, table, count)                                                            \
    const char *rs_##fn##_name(type k)                                                              \
    {                                                                                               \
        return ((int)k >= 0 && (int)k < (int)(count)) ? table[k] : "?";                             \
    }                                                                                               \
    int rs_##fn##_from_name(const char *name) { return find_name(table, (int)(count), name); }

NAME_FNS(fault_kind, rs_fault_kind, fault_names, RS_FAULT_KIND_COUNT)
NAME_FNS(action_kind, rs_action_kind, action_names, RS_ACT_KIND_COUNT)
NAME_FNS(metric_kind, rs_metric_kind, metric_names, RS_METRIC_KIND_COUNT)
NAME_FNS(expect_kind, rs_expect_kind, expect_names, RS_EXP_KIND_COUNT)
NAME_FNS(severity, rs_severity, severity_names, 3)
NAME_FNS(migration_kind, rs_migration_kind, migration_names, RS_MIG_KIND_COUNT)
NAME_FNS(decision_kind, rs_decision_kind, decision_names, RS_DEC_KIND_COUNT)
NAME_FNS(judgement, rs_judgement, judgement_names, 3)
NAME_FNS(cmp_op, rs_cmp_op, op_names, 4)
NAME_FNS(event_kind, rs_event_kind, event_names, RS_EV_KIND_COUNT)

int rs_scenario_version_index(const rs_scenario *s, const char *name)
{
    for (int i = 0; i < s->n_versions; i++)
        if (strcmp(s->versions[i].name, name) == 0)
            return i;
    return -1;
}

rs_status rs_scenario_check(const rs_scenario *s, rs_error *err)
{
    const rs_deployment_spec *d = &s->deployment;
    if (s->n_versions < 1)
        return rs_error_set(err, RS_BAD_INPUT, "$.versions", "at least one version is needed");
    if (d->shutdown > d->termination_grace)
        return rs_error_set(err, RS_BAD_INPUT, "$.deployment.shutdown",
                            "shutdown must not exceed terminationGracePeriodSeconds (the kubelet "
                            "kills the container at the end of the grace period)");
    if (!d->max_surge.percent && !d->max_unavailable.percent && d->max_surge.value == 0 &&
        d->max_unavailable.value == 0)
        return rs_error_set(err, RS_BAD_INPUT, "$.deployment.strategy.rollingUpdate",
                            "maxSurge and maxUnavailable cannot both be 0 (Kubernetes refuses it)");
    if (d->max_surge.percent && d->max_unavailable.percent && d->max_surge.value == 0 &&
        d->max_unavailable.value == 0)
        return rs_error_set(err, RS_BAD_INPUT, "$.deployment.strategy.rollingUpdate",
                            "maxSurge and maxUnavailable cannot both be 0 (Kubernetes refuses it)");
    if (d->backoff_max < d->backoff_initial)
        return rs_error_set(err, RS_BAD_INPUT, "$.deployment.crashLoopBackOff.max",
                            "the back-off cap must be at least the initial back-off");
    if (s->eval_interval < 1000 || s->scrape_interval < 1000)
        return rs_error_set(err, RS_BAD_INPUT, "$.monitoring",
                            "scrape and evaluation intervals must be at least 1s");
    for (int i = 0; i < s->n_alerts; i++)
        if (s->alerts[i].window < s->scrape_interval * 2) {
            char where[64];
            snprintf(where, sizeof where, "$.alerts[%d].window", i);
            return rs_error_set(err, RS_BAD_INPUT, where,
                                "a rate window must hold at least two scrapes (>= 2 x scrape_interval)");
        }
    for (int v = 0; v < s->n_versions; v++)
        for (int k = 0; k < s->versions[v].n_migrations; k++) {
            const rs_migration *m = &s->versions[v].migrations[k];
            bool known = false;
            int col_ok = m->kind == RS_MIG_ADD_TABLE || m->kind == RS_MIG_ADD_COLUMN;
            for (int t = 0; t < s->n_tables; t++)
                if (strcmp(s->tables[t].name, m->table) == 0) {
                    known = true;
                    for (int c = 0; c < s->tables[t].n_columns; c++)
                        col_ok |= strcmp(s->tables[t].columns[c], m->column) == 0;
                }
            for (int u = 0; u <= v && !known; u++)
                for (int j = 0; j < s->versions[u].n_migrations; j++)
                    if (s->versions[u].migrations[j].kind == RS_MIG_ADD_TABLE &&
                        strcmp(s->versions[u].migrations[j].table, m->table) == 0) {
                        known = true;
                        col_ok = 1;
                    }
            for (int u = 0; u < v && !col_ok; u++)
                for (int j = 0; j < s->versions[u].n_migrations; j++)
                    col_ok |= s->versions[u].migrations[j].kind == RS_MIG_ADD_COLUMN &&
                              strcmp(s->versions[u].migrations[j].column, m->column) == 0;
            if (!known || !col_ok) {
                char where[96];
                snprintf(where, sizeof where, "$.versions[%d].migrations[%d]", v, k);
                return rs_error_set(err, RS_BAD_INPUT, where,
                                    known ? "column '%s' is not in table '%s' (list it in database.tables[].columns)"
                                          : "table '%s%s' is not in database.tables nor created by an earlier add_table",
                                    known ? m->column : m->table, known ? m->table : "");
            }
        }
    if (!(s->traffic.rpm >= 0) || !isfinite(s->traffic.rpm))
        return rs_error_set(err, RS_BAD_INPUT, "$.traffic.rpm", "a finite rate >= 0");
    return RS_OK;
}
