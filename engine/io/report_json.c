/* The JSON report, schema "rollsim.report/1" (docs/report-format.md): outcome, scores, rollout history,
 * incident timeline and metric series of one run. Keys come in a fixed order and every number is rounded
 * and printed here, not by cJSON, so the same result always gives the same bytes; NaN and infinities
 * print as null ("not applicable / no data"). */
#include "rollsim/io.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report_num.h"

#define SCHEMA "rollsim.report/1"

static cJSON *number(double v, num_style style)
{
    char buf[32];
    if (!rs__format_number(buf, sizeof buf, v, style))
        return cJSON_CreateNull();
    return cJSON_CreateRaw(buf);
}

/* Integers print exactly (cJSON would print large ones with 15 significant digits). */
static cJSON *integer(int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    return cJSON_CreateRaw(buf);
}

static cJSON *string(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* Adds item to obj (an object when key is set, else an array). Frees item when it cannot be added.
 * Returns false on failure, so that `ok = ok && add(...)` stops creating items after the first one. */
static bool add(cJSON *obj, const char *key, cJSON *item)
{
    if (!item)
        return false;
    bool added = key ? cJSON_AddItemToObject(obj, key, item) : cJSON_AddItemToArray(obj, item);
    if (!added)
        cJSON_Delete(item);
    return added;
}

/* Returns obj, or frees it and returns NULL when building it failed. */
static cJSON *finish(cJSON *obj, bool ok)
{
    if (ok)
        return obj;
    cJSON_Delete(obj);
    return NULL;
}

static int clamp_count(int n, int max)
{
    return n < 0 ? 0 : n > max ? max : n;
}

static int n_versions(const rs_scenario *s)
{
    return s ? clamp_count(s->n_versions, RS_SERIES_MAX_VERSIONS) : 0;
}

static int n_biz(const rs_scenario *s)
{
    return s ? clamp_count(s->n_biz_metrics, RS_MAX_BIZ_METRICS) : 0;
}

static cJSON *scenario_json(const rs_scenario *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = add(o, "name", string(s ? s->name : NULL));
    ok = ok && add(o, "description", string(s ? s->description : NULL));
    ok = ok && add(o, "service", string(s ? s->service : NULL));
    ok = ok && add(o, "namespace", string(s ? s->namespace_ : NULL));
    return finish(o, ok);
}

/* Seeds above 2^53 are strings: JSON readers commonly hold numbers in doubles. */
static cJSON *seed_json(uint64_t seed)
{
    if (seed <= (UINT64_C(1) << 53))
        return integer((int64_t)seed);
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, seed);
    return cJSON_CreateString(buf);
}

static cJSON *expectation_json(const rs_expect_result *e)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = add(o, "name", string(rs_expect_kind_name(e->kind)));
    ok = ok && add(o, "passed", cJSON_CreateBool(e->passed));
    ok = ok && add(o, "expected", string(e->expected));
    ok = ok && add(o, "actual", string(e->actual));
    return finish(o, ok);
}

static cJSON *outcome_json(const rs_outcome *out)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_CreateArray();
    if (!o || !list) {
        cJSON_Delete(o);
        cJSON_Delete(list);
        return NULL;
    }
    bool ok = true;
    for (int i = 0; ok && i < clamp_count(out->n_expect, RS_MAX_EXPECT); i++)
        ok = add(list, NULL, expectation_json(&out->expect[i]));
    ok = ok && add(o, "final_version", string(out->final_version));
    ok = ok && add(o, "final_revision", integer(out->final_revision));
    ok = ok && add(o, "rolled_back", cJSON_CreateBool(out->rolled_back));
    ok = ok && add(o, "rollback_at_ms",
                   out->rollback_at == RS_TIME_NEVER ? cJSON_CreateNull() : integer(out->rollback_at));
    ok = ok && add(o, "recovered", cJSON_CreateBool(out->recovered));
    ok = ok && add(o, "resolved", cJSON_CreateBool(out->resolved));
    ok = ok && add(o, "rollout_failed", cJSON_CreateBool(out->rollout_failed));
    ok = ok && add(o, "end_ms", integer(out->end_ms));
    ok = ok && add(o, "all_passed", cJSON_CreateBool(out->all_passed));
    ok = ok && add(o, "error", out->error_code == RS_OK ? cJSON_CreateNull() : string(out->error));
    if (ok)
        ok = add(o, "expectations", list);
    else
        cJSON_Delete(list);
    return finish(o, ok);
}

static cJSON *penalties_json(const rs_scores *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = add(o, "detection", number(s->penalty_detection, NUM_PCT));
    ok = ok && add(o, "ack", number(s->penalty_ack, NUM_PCT));
    ok = ok && add(o, "recovery", number(s->penalty_recovery, NUM_PCT));
    ok = ok && add(o, "impact", number(s->penalty_impact, NUM_PCT));
    ok = ok && add(o, "unresolved", number(s->penalty_unresolved, NUM_PCT));
    ok = ok && add(o, "decisions", number(s->penalty_decisions, NUM_PCT));
    return finish(o, ok);
}

static cJSON *scores_json(const rs_scores *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = add(o, "mttd_s", number(s->mttd_s, NUM_SEC));
    ok = ok && add(o, "mtta_s", number(s->mtta_s, NUM_SEC));
    ok = ok && add(o, "mttm_s", number(s->mttm_s, NUM_SEC));
    ok = ok && add(o, "mttr_s", number(s->mttr_s, NUM_SEC));
    ok = ok && add(o, "incident_s", number(s->incident_s, NUM_SEC));
    ok = ok && add(o, "failed_requests", number(s->failed_requests, NUM_INT));
    ok = ok && add(o, "slow_requests", number(s->slow_requests, NUM_INT));
    ok = ok && add(o, "total_requests", number(s->total_requests, NUM_INT));
    ok = ok && add(o, "error_budget_burned_pct", number(s->error_budget_burned_pct, NUM_PCT));
    ok = ok && add(o, "users_affected_pct", number(s->users_affected, NUM_PCT));
    ok = ok && add(o, "peak_error_rate", number(s->peak_error_rate, NUM_SIG));
    ok = ok && add(o, "peak_latency_p95_ms", number(s->peak_latency_p95_ms, NUM_SIG));
    ok = ok && add(o, "score", number(s->score, NUM_PCT));
    ok = ok && add(o, "penalties", penalties_json(s));
    return finish(o, ok);
}

static cJSON *decision_json(const rs_decision *d)
{
    cJSON *o = cJSON_CreateObject(), *f = cJSON_CreateObject();
    if (!o || !f) {
        cJSON_Delete(o);
        cJSON_Delete(f);
        return NULL;
    }
    bool ok = add(f, "impact", string(d->impact));
    ok = ok && add(f, "minutes_since_deploy", number(d->minutes_since_deploy, NUM_SEC));
    ok = ok && add(f, "data_changes", string(d->data_changes));
    ok = ok && add(f, "cause_is_deployment", cJSON_CreateBool(d->cause_is_deployment));
    ok = ok && add(f, "rollback_eta_s", number(d->rollback_eta_s, NUM_SEC));
    ok = ok && add(f, "config_fixable", cJSON_CreateBool(d->config_fixable));
    ok = ok && add(f, "hotfix_eta_s", number(d->hotfix_eta_s, NUM_SEC));
    if (!ok) {
        cJSON_Delete(f);
        f = NULL;
    }
    ok = add(o, "t_ms", integer(d->t_ms));
    ok = ok && add(o, "kind", string(rs_decision_kind_name(d->kind)));
    ok = ok && add(o, "who", string(d->who));
    ok = ok && add(o, "facts", f);
    ok = ok && add(o, "branch", string(d->branch));
    ok = ok && add(o, "judgement", string(rs_judgement_name(d->judgement)));
    ok = ok && add(o, "reason", string(d->reason));
    return finish(o, ok);
}

static cJSON *decisions_json(const rs_result *r)
{
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return NULL;
    bool ok = true;
    for (int i = 0; ok && i < r->n_decisions; i++)
        ok = add(list, NULL, decision_json(&r->decisions[i]));
    return finish(list, ok);
}

static cJSON *data_json(const rs_data_result *d)
{
    cJSON *o = cJSON_CreateObject(), *list = cJSON_CreateArray();
    if (!o || !list) {
        cJSON_Delete(o);
        cJSON_Delete(list);
        return NULL;
    }
    bool ok = true;
    for (int i = 0; ok && i < d->n_migrations; i++) {
        const rs_migration_result *m = &d->migrations[i];
        cJSON *x = cJSON_CreateObject();
        if (!x) {
            ok = false;
            break;
        }
        bool k = add(x, "version", string(m->version));
        k = k && add(x, "type", string(rs_migration_kind_name(m->kind)));
        k = k && add(x, "table", string(m->table));
        k = k && add(x, "column", m->column[0] ? string(m->column) : cJSON_CreateNull());
        k = k && add(x, "status", string(m->status));
        ok = add(list, NULL, finish(x, k));
    }
    if (!ok) {
        cJSON_Delete(list);
        list = NULL;
    }
    ok = add(o, "rows_lost", number(d->rows_lost, NUM_INT));
    ok = ok && add(o, "rows_at_risk", number(d->rows_at_risk, NUM_INT));
    ok = ok && add(o, "backups_taken", integer(d->backups_taken));
    ok = ok && add(o, "migrations", list);
    return finish(o, ok);
}

static cJSON *history_json(const rs_result *r)
{
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return NULL;
    int n = clamp_count(r->n_history, (int)(sizeof r->history / sizeof r->history[0]));
    bool ok = true;
    for (int i = 0; ok && i < n; i++) {
        const rs_history_entry *h = &r->history[i];
        cJSON *o = cJSON_CreateObject();
        ok = add(list, NULL, o);
        ok = ok && add(o, "revision", integer(h->revision));
        ok = ok && add(o, "version", string(h->version));
        ok = ok && add(o, "change_cause", string(h->change_cause));
    }
    return finish(list, ok);
}

static cJSON *timeline_json(const rs_result *r)
{
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return NULL;
    bool ok = true;
    for (size_t i = 0; ok && i < r->n_timeline; i++) {
        const rs_timeline_entry *e = &r->timeline[i];
        char clock[24];
        cJSON *o = cJSON_CreateObject();
        ok = add(list, NULL, o);
        ok = ok && add(o, "t_ms", integer(e->t_ms));
        ok = ok && add(o, "t", string(rs_format_clock(e->t_ms, clock, sizeof clock)));
        ok = ok && add(o, "kind", string(rs_event_kind_name(e->kind)));
        ok = ok && add(o, "detail", string(e->detail));
    }
    return finish(list, ok);
}

static const char *verdict_name(rs_check_verdict v)
{
    return v == RS_CHECK_PASS ? "pass" : v == RS_CHECK_FAIL ? "fail" : "no data";
}

static cJSON *check_json(const rs_check *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = add(o, "name", string(c->name));
    ok = ok && add(o, "value", number(c->value, NUM_SIG));
    ok = ok && add(o, "op", string(c->op));
    ok = ok && add(o, "threshold", number(c->threshold, NUM_SIG));
    ok = ok && add(o, "verdict", string(verdict_name(c->verdict)));
    return finish(o, ok);
}

/* One object per policy evaluation (explain() in docs/lua-api.md), in time order. */
static cJSON *policy_trace_json(const rs_result *r)
{
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return NULL;
    bool ok = true;
    for (size_t i = 0; ok && i < r->n_trace; i++) {
        const rs_trace_entry *e = &r->trace[i];
        cJSON *o = cJSON_CreateObject(), *checks = cJSON_CreateArray();
        ok = add(list, NULL, o);
        if (!ok || !checks) {
            cJSON_Delete(checks);
            ok = false;
            break;
        }
        ok = ok && add(o, "t_ms", integer(e->t_ms));
        ok = ok && add(o, "policy", string(e->policy));
        ok = ok && add(o, "phase", string(e->phase));
        for (int c = 0; ok && c < clamp_count(e->n_checks, RS_TRACE_MAX_CHECKS); c++)
            ok = add(checks, NULL, check_json(&e->checks[c]));
        if (ok)
            ok = add(o, "checks", checks);
        else
            cJSON_Delete(checks);
        ok = ok && add(o, "counters", string(e->counters));
        ok = ok && add(o, "verdict", string(e->verdict));
    }
    return finish(list, ok);
}

static cJSON *versions_json(const rs_scenario *s)
{
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return NULL;
    bool ok = true;
    for (int i = 0; ok && i < n_versions(s); i++)
        ok = add(list, NULL, string(s->versions[i].name));
    return finish(list, ok);
}

/* A version appears in a sample's by_version only while it has pods or serves traffic. */
static cJSON *by_version_json(const rs_sample *p, const rs_scenario *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = true;
    for (int v = 0; ok && v < n_versions(s); v++) {
        if (p->total_by_version[v] <= 0 && p->ready_by_version[v] <= 0 && !(p->share_by_version[v] > 0))
            continue;
        cJSON *vo = cJSON_CreateObject();
        ok = add(o, s->versions[v].name, vo);
        ok = ok && add(vo, "pods_ready", integer(p->ready_by_version[v]));
        ok = ok && add(vo, "pods_total", integer(p->total_by_version[v]));
        ok = ok && add(vo, "pods_crashloop", integer(p->crashloop_by_version[v]));
        ok = ok && add(vo, "traffic_share", number(p->share_by_version[v], NUM_SIG));
        ok = ok && add(vo, "error_rate", number(p->error_rate_by_version[v], NUM_SIG));
    }
    return finish(o, ok);
}

static cJSON *business_json(const rs_sample *p, const rs_scenario *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = true;
    for (int i = 0; ok && i < n_biz(s); i++)
        ok = add(o, s->biz_metrics[i].name, number(p->business[i], NUM_SIG));
    return finish(o, ok);
}

static cJSON *sample_json(const rs_sample *p, const rs_scenario *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    bool ok = add(o, "t_ms", integer(p->t_ms));
    ok = ok && add(o, "rpm", number(p->rpm, NUM_SIG));
    ok = ok && add(o, "error_rate", number(p->error_rate, NUM_SIG));
    ok = ok && add(o, "latency_p50_ms", number(p->latency_p50_ms, NUM_SIG));
    ok = ok && add(o, "latency_p95_ms", number(p->latency_p95_ms, NUM_SIG));
    ok = ok && add(o, "latency_p99_ms", number(p->latency_p99_ms, NUM_SIG));
    ok = ok && add(o, "pods_ready", integer(p->pods_ready));
    ok = ok && add(o, "pods_total", integer(p->pods_total));
    ok = ok && add(o, "cpu", number(p->cpu, NUM_SIG));
    ok = ok && add(o, "memory", number(p->memory, NUM_SIG));
    ok = ok && add(o, "restarts", integer(p->restarts));
    ok = ok && add(o, "by_version", by_version_json(p, s));
    if (n_biz(s) > 0)
        ok = ok && add(o, "business", business_json(p, s));
    return finish(o, ok);
}

static cJSON *series_json(const rs_result *r)
{
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return NULL;
    bool ok = true;
    for (size_t i = 0; ok && i < r->n_series; i++)
        ok = add(list, NULL, sample_json(&r->series[i], r->scenario));
    return finish(list, ok);
}

static cJSON *report_tree(const rs_result *r)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    bool ok = add(root, "schema", string(SCHEMA));
    ok = ok && add(root, "scenario", scenario_json(r->scenario));
    ok = ok && add(root, "seed", seed_json(r->seed));
    ok = ok && add(root, "outcome", outcome_json(&r->outcome));
    ok = ok && add(root, "scores", scores_json(&r->scores));
    ok = ok && add(root, "decisions", decisions_json(r));
    ok = ok && add(root, "data", data_json(&r->data));
    ok = ok && add(root, "history", history_json(r));
    ok = ok && add(root, "timeline", timeline_json(r));
    ok = ok && add(root, "policy_trace", policy_trace_json(r));
    ok = ok && add(root, "versions", versions_json(r->scenario));
    ok = ok && add(root, "series", series_json(r));
    return finish(root, ok);
}

char *rs_report_json(const rs_result *r)
{
    cJSON *root = report_tree(r);
    if (!root)
        return NULL;
    char *printed = cJSON_Print(root);
    cJSON_Delete(root);
    if (!printed)
        return NULL;
    /* Copied so that the caller frees with free() whatever allocator cJSON was given, and so that the
     * file ends with a newline. */
    size_t len = strlen(printed);
    char *text = malloc(len + 2);
    if (text) {
        memcpy(text, printed, len);
        text[len] = '\n';
        text[len + 1] = '\0';
    }
    cJSON_free(printed);
    return text;
}
