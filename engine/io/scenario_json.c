/* Scenario files: the schema of docs/scenario-format.md as field tables, decoded into an rs_scenario
 * after --set overrides; then the loading of files and strings, with every problem collected in the
 * order of the file. cJSON values never leave engine/io. */
#include "rollsim/io.h"

#include "json_decode.h"
#include "json_pos.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES (64u << 20)

/* ---- references by name ---- */

static int get_version(jd_loader *ld, const cJSON *v)
{
    const char *names[RS_MAX_VERSIONS];
    for (int i = 0; i < ld->s->n_versions; i++)
        names[i] = ld->s->versions[i].name;
    return jd_get_enum(ld, v, "version", names, ld->s->n_versions);
}

static int get_biz_metric(jd_loader *ld, const cJSON *v)
{
    const char *names[RS_MAX_BIZ_METRICS];
    for (int i = 0; i < ld->s->n_biz_metrics; i++)
        names[i] = ld->s->biz_metrics[i].name;
    return jd_get_enum(ld, v, "business metric", names, ld->s->n_biz_metrics);
}

/* Reports a name already used by an earlier item of the same list (at its "name" member). */
static void check_unique(jd_loader *ld, const cJSON *item, const char *name, const char *list, int i,
                         int (*index_of)(const rs_scenario *s, const char *name, int before))
{
    int j = name[0] ? index_of(ld->s, name, i) : -1;
    if (j >= 0 && jd_push_key(ld, item, "name")) {
        char g[JD_SHOW_MAX];
        jd_report(ld, "the name '%s' is already used by $.%s[%d]; names must be unique",
                  jd_show(name, g, sizeof g), list, j);
        jd_pop(ld);
    }
}

static int version_before(const rs_scenario *s, const char *name, int before)
{
    for (int i = 0; i < before; i++)
        if (strcmp(s->versions[i].name, name) == 0)
            return i;
    return -1;
}

static int biz_before(const rs_scenario *s, const char *name, int before)
{
    for (int i = 0; i < before; i++)
        if (strcmp(s->biz_metrics[i].name, name) == 0)
            return i;
    return -1;
}

static int alert_before(const rs_scenario *s, const char *name, int before)
{
    for (int i = 0; i < before; i++)
        if (strcmp(s->alerts[i].name, name) == 0)
            return i;
    return -1;
}

/* ---- faults ---- */

static void dec_fault_metric(jd_loader *ld, const cJSON *v, void *base)
{
    rs_fault *f = base;
    int i = get_biz_metric(ld, v);
    if (i >= 0)
        memcpy(f->metric, ld->s->biz_metrics[i].name, sizeof f->metric);
}

static void dec_fault_config_fix(jd_loader *ld, const cJSON *v, void *base)
{
    if (!cJSON_IsBool(v))
        jd_type_error(ld, v, "true or false");
    else
        ((rs_fault *)base)->config_fix = cJSON_IsTrue(v);
}

static const jd_field fault_fields[] = {
    FN("type", jd_noop, F_REQUIRED),
    FLD(rs_fault, "onset", onset, T_DURATION, 0, 30 * JD_DAY, 0),
    FLD(rs_fault, "ramp", ramp, T_DURATION, 0, JD_DAY, 0),
    FLD(rs_fault, "duration", duration, T_DURATION, 0, 30 * JD_DAY, 0),
    FLD(rs_fault, "intermittency", intermittency, T_FRACTION, 0, 0.95, 0),
    FLD(rs_fault, "burst", burst, T_DURATION, JD_SEC, JD_HOUR, 0),
    FLD(rs_fault, "error_rate", error_rate, T_FRACTION, 0, 1, 0),
    FLD(rs_fault, "slow_fraction", slow_fraction, T_FRACTION, 0, 1, 0),
    FLD(rs_fault, "latency_ms", latency_ms, T_NUMBER, 0, JD_HOUR, 0),
    FLD(rs_fault, "leak_mb_per_min", leak_mb_per_min, T_NUMBER, 0, 1e6, 0),
    FLD(rs_fault, "cpu_extra", cpu_extra, T_FRACTION, 0, 1, 0),
    FLD(rs_fault, "traffic_factor", traffic_factor, T_FRACTION, 0, 1, 0),
    FLD(rs_fault, "metric_factor", metric_factor, T_NUMBER, 0, 10, 0),
    FN("metric", dec_fault_metric, 0),
    FLD(rs_fault, "dependency", dependency, T_NAME, 0, 0, F_NONEMPTY),
    FN("config_fix", dec_fault_config_fix, 0),
};

static void dec_fault(jd_loader *ld, const cJSON *v, rs_fault *f)
{
    int kind = -1;
    if (jd_push_key(ld, v, "type")) {
        const char *names[RS_FAULT_KIND_COUNT];
        for (int i = 0; i < RS_FAULT_KIND_COUNT; i++)
            names[i] = rs_fault_kind_name((rs_fault_kind)i);
        kind = jd_get_enum(ld, ld->path[ld->depth - 1].member, "fault type", names, RS_FAULT_KIND_COUNT);
        jd_pop(ld);
    }
    rs_fault_defaults(f, kind >= 0 ? (rs_fault_kind)kind : RS_FAULT_REDIS_CONNECTION_BUG);
    uint32_t seen = jd_decode_fields(ld, v, fault_fields, JD_COUNT(fault_fields), f);
    if (f->error_rate + f->slow_fraction > 1 + 1e-9 && jd_push_key(ld, v, "slow_fraction")) {
        jd_report(ld, "error_rate + slow_fraction must not exceed 100%% of the requests");
        jd_pop(ld);
    }
    if (kind == RS_FAULT_DATA_CORRUPTION && !(seen & JD_BIT(fault_fields, "metric"))) {
        if (ld->s->n_biz_metrics == 0)
            jd_report(ld, "a data_corruption fault acts on a business metric and none is defined; add "
                          "one to business_metrics");
        else
            memcpy(f->metric, ld->s->biz_metrics[0].name, sizeof f->metric);
    }
}

static int dec_faults(jd_loader *ld, const cJSON *v, rs_fault *faults, int max)
{
    int n = jd_array_items(ld, v, 0, max, "faults");
    int i = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        jd_push_index(ld, i);
        dec_fault(ld, e, &faults[i]);
        jd_pop(ld);
    }
    return n < 0 ? 0 : n;
}

static void dec_version_faults(jd_loader *ld, const cJSON *v, void *base)
{
    rs_version *ver = base;
    ver->n_faults = dec_faults(ld, v, ver->faults, RS_MAX_FAULTS);
}

static void dec_env_faults(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    s->n_env_faults = dec_faults(ld, v, s->env_faults, RS_MAX_ENV_FAULTS);
}

/* ---- migrations and the database ---- */

static void dec_mig_down(jd_loader *ld, const cJSON *v, void *base)
{
    if (!cJSON_IsBool(v))
        jd_type_error(ld, v, "true or false (whether a down step exists)");
    else
        ((rs_migration *)base)->has_down = cJSON_IsTrue(v);
}

static const jd_field migration_fields[] = {
    FN("type", jd_noop, F_REQUIRED),
    FLD(rs_migration, "table", table, T_NAME, 0, 0, F_REQUIRED | F_NONEMPTY),
    FLD(rs_migration, "column", column, T_NAME, 0, 0, F_NONEMPTY),
    FLD(rs_migration, "column_type", type, T_NAME, 0, 0, F_NONEMPTY),
    FN("down", dec_mig_down, 0),
    FLD(rs_migration, "fill_rate", fill_rate, T_NUMBER, 0, 1000, 0),
    FLD(rs_migration, "overflow_rate", overflow_rate, T_NUMBER, 0, 1000, 0),
    FLD(rs_migration, "old_version_error_rate", old_error_rate, T_FRACTION, 0, 1, 0),
};

static void dec_migration(jd_loader *ld, const cJSON *v, rs_migration *m)
{
    int kind = -1;
    memset(m, 0, sizeof *m);
    if (jd_push_key(ld, v, "type")) {
        const char *names[RS_MIG_KIND_COUNT];
        for (int i = 0; i < RS_MIG_KIND_COUNT; i++)
            names[i] = rs_migration_kind_name((rs_migration_kind)i);
        kind = jd_get_enum(ld, ld->path[ld->depth - 1].member, "migration type", names, RS_MIG_KIND_COUNT);
        jd_pop(ld);
    }
    m->kind = kind >= 0 ? (rs_migration_kind)kind : RS_MIG_ADD_COLUMN;
    /* defaults of the seed's Part 4 examples */
    m->has_down = m->kind != RS_MIG_DROP_COLUMN;
    m->fill_rate = m->kind == RS_MIG_ADD_TABLE ? 0.1 : m->kind == RS_MIG_ADD_COLUMN ? 0.05 : 0;
    m->old_error_rate = m->kind == RS_MIG_DROP_COLUMN ? 0.3 : m->kind == RS_MIG_MODIFY_COLUMN ? 0.05 : 0;
    snprintf(m->type, sizeof m->type, "%s", m->kind == RS_MIG_MODIFY_COLUMN ? "bigint" : "text");
    uint32_t seen = jd_decode_fields(ld, v, migration_fields, JD_COUNT(migration_fields), m);
    if (kind >= 0 && kind != RS_MIG_ADD_TABLE && !(seen & JD_BIT(migration_fields, "column")))
        jd_report(ld, "a %s migration needs 'column'", rs_migration_kind_name(m->kind));
}

static void dec_migrations(jd_loader *ld, const cJSON *v, void *base)
{
    rs_version *ver = base;
    int n = jd_array_items(ld, v, 0, RS_MAX_MIGRATIONS, "migrations");
    int i = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        jd_push_index(ld, i);
        dec_migration(ld, e, &ver->migrations[i]);
        jd_pop(ld);
    }
    ver->n_migrations = n < 0 ? 0 : n;
}

static void dec_columns(jd_loader *ld, const cJSON *v, void *base)
{
    rs_table_spec *t = base;
    int n = jd_array_items(ld, v, 0, RS_MAX_COLUMNS, "columns");
    int i = 0;
    t->n_columns = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        jd_push_index(ld, i);
        /* "name" or "name:type" */
        if (!cJSON_IsString(e)) {
            jd_type_error(ld, e, "a column as \"name\" or \"name:type\"");
        } else {
            const char *colon = strchr(e->valuestring, ':');
            size_t len = colon ? (size_t)(colon - e->valuestring) : strlen(e->valuestring);
            if (len == 0 || len >= RS_NAME_MAX || (colon && strlen(colon + 1) >= 16)) {
                jd_report(ld, "a column name of 1..%d characters and a type of at most 15", RS_NAME_MAX - 1);
            } else {
                memcpy(t->columns[t->n_columns], e->valuestring, len);
                t->columns[t->n_columns][len] = '\0';
                snprintf(t->types[t->n_columns], sizeof t->types[0], "%s", colon ? colon + 1 : "text");
                t->n_columns++;
            }
        }
        jd_pop(ld);
    }
}

static const jd_field table_fields[] = {
    FLD(rs_table_spec, "name", name, T_NAME, 0, 0, F_REQUIRED | F_NONEMPTY),
    FLD(rs_table_spec, "rows", rows, T_NUMBER, 0, 1e15, 0),
    FLD(rs_table_spec, "writes_per_request", writes_per_request, T_NUMBER, 0, 1000, 0),
    FN("columns", dec_columns, 0),
};

static void dec_tables(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    int n = jd_array_items(ld, v, 0, RS_MAX_TABLES, "tables");
    int i = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        jd_push_index(ld, i);
        memset(&s->tables[i], 0, sizeof s->tables[i]);
        jd_decode_fields(ld, e, table_fields, JD_COUNT(table_fields), &s->tables[i]);
        jd_pop(ld);
    }
    s->n_tables = n < 0 ? 0 : n;
}

static const jd_field database_fields[] = {
    FN("tables", dec_tables, 0),
};

/* ---- versions and business metrics ---- */

static const jd_field version_fields[] = {
    FLD(rs_version, "name", name, T_NAME, 0, 0, F_REQUIRED | F_NONEMPTY),
    FLD(rs_version, "image", image, T_TEXT, 0, 0, 0),
    FLD(rs_version, "change_cause", change_cause, T_TEXT, 0, 0, 0),
    FLD(rs_version, "startup", startup_s, T_DURATION_S, 0, JD_HOUR, 0),
    FLD(rs_version, "capacity_rps", capacity_rps, T_NUMBER, 0, 1e6, 0),
    FN("faults", dec_version_faults, 0),
    FN("migrations", dec_migrations, 0),
    FLD(rs_version, "build_time", build_time, T_DURATION, 0, 30 * JD_DAY, 0),
};

static void dec_versions(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    int n = jd_array_items(ld, v, 1, RS_MAX_VERSIONS, "versions");
    if (n < 1)
        return;
    s->n_versions = n;
    int i = 0;
    for (const cJSON *e = v->child; e && i < n; e = e->next, i++) {
        rs_version *ver = &s->versions[i];
        memset(ver, 0, sizeof *ver);
        ver->startup_s = 15;
        ver->build_time = RS_MIN(10);
        jd_push_index(ld, i);
        jd_decode_fields(ld, e, version_fields, JD_COUNT(version_fields), ver);
        check_unique(ld, e, ver->name, "versions", i, version_before);
        jd_pop(ld);
    }
}

static const jd_field biz_fields[] = {
    FLD(rs_biz_metric, "name", name, T_NAME, 0, 0, F_REQUIRED | F_NONEMPTY),
    FLD(rs_biz_metric, "baseline", baseline, T_NUMBER, 0, 1e12, F_REQUIRED),
    FLD(rs_biz_metric, "noise", noise, T_FRACTION, 0, 1, 0),
};

static void dec_biz_metrics(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    int n = jd_array_items(ld, v, 0, RS_MAX_BIZ_METRICS, "business metrics");
    int i = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        rs_biz_metric *b = &s->biz_metrics[i];
        memset(b, 0, sizeof *b);
        jd_push_index(ld, i);
        jd_decode_fields(ld, e, biz_fields, JD_COUNT(biz_fields), b);
        check_unique(ld, e, b->name, "business_metrics", i, biz_before);
        jd_pop(ld);
    }
    s->n_biz_metrics = n < 0 ? 0 : n;
}

/* ---- alerts ---- */

static bool fraction_metric(rs_metric_kind m)
{
    return m == RS_METRIC_ERROR_RATE || m == RS_METRIC_CPU || m == RS_METRIC_MEMORY;
}

/* A metric name, or "business:NAME" for a business metric. */
static void dec_alert_metric(jd_loader *ld, const cJSON *v, rs_alert_rule *r)
{
    const char *names[RS_METRIC_KIND_COUNT - 1 + RS_MAX_BIZ_METRICS];
    char biz[RS_MAX_BIZ_METRICS][RS_NAME_MAX + 10];
    int n = 0;
    for (int i = 0; i < RS_METRIC_BUSINESS; i++)
        names[n++] = rs_metric_kind_name((rs_metric_kind)i);
    for (int i = 0; i < ld->s->n_biz_metrics; i++) {
        snprintf(biz[i], sizeof biz[i], "business:%s", ld->s->biz_metrics[i].name);
        names[n++] = biz[i];
    }
    if (cJSON_IsString(v) && strcmp(v->valuestring, "business") == 0) {
        jd_report(ld, "name the business metric: 'business:NAME', with NAME from business_metrics");
        return;
    }
    if (cJSON_IsString(v) && strncmp(v->valuestring, "business:", 9) == 0 &&
        jd_name_index(names, n, v->valuestring) < 0) {
        const char *bare[RS_MAX_BIZ_METRICS];
        for (int i = 0; i < ld->s->n_biz_metrics; i++)
            bare[i] = ld->s->biz_metrics[i].name;
        jd_unknown_name(ld, false, "business metric", v->valuestring + 9, bare, ld->s->n_biz_metrics);
        return;
    }
    int i = jd_get_enum(ld, v, "metric", names, n);
    if (i < 0)
        return;
    r->metric = i < RS_METRIC_BUSINESS ? (rs_metric_kind)i : RS_METRIC_BUSINESS;
    r->business_index = i < RS_METRIC_BUSINESS ? 0 : i - RS_METRIC_BUSINESS;
}

/* The threshold's unit follows the metric: a fraction for rates, milliseconds for latencies. */
static void dec_threshold(jd_loader *ld, const cJSON *v, void *base)
{
    rs_alert_rule *r = base;
    jd_field f = {.key = "threshold", .type = T_NUMBER, .lo = 0, .hi = 1e12};
    double x;
    if (fraction_metric(r->metric)) {
        f.type = T_FRACTION;
        f.hi = 1;
    } else if (r->metric == RS_METRIC_LATENCY_P50 || r->metric == RS_METRIC_LATENCY_P95 ||
               r->metric == RS_METRIC_LATENCY_P99) {
        f.hi = JD_HOUR;
        if (cJSON_IsString(v)) {
            jd_report(ld, "a latency threshold is a number of milliseconds (e.g. 300)");
            return;
        }
    } else if (r->metric == RS_METRIC_BUSINESS || r->metric == RS_METRIC_KIND_COUNT) {
        f.type = T_FRACTION; /* a number, or a percentage such as a conversion rate "2.5%" */
        f.hi = 1e12;
    }
    if (jd_read_value(ld, &f, v, &x))
        r->threshold = x;
}

static void dec_alert_version(jd_loader *ld, const cJSON *v, void *base)
{
    rs_alert_rule *r = base;
    if (cJSON_IsString(v) && v->valuestring[0] == '\0')
        return;
    int i = get_version(ld, v);
    if (i >= 0)
        memcpy(r->version, ld->s->versions[i].name, sizeof r->version);
}

static void dec_op(jd_loader *ld, const cJSON *v, void *base)
{
    rs_alert_rule *r = base;
    const char *names[4];
    for (int i = 0; i < 4; i++)
        names[i] = rs_cmp_op_name((rs_cmp_op)i);
    int i = jd_get_enum(ld, v, "comparison", names, 4);
    if (i >= 0)
        r->op = (rs_cmp_op)i;
}

static void dec_severity(jd_loader *ld, const cJSON *v, void *base)
{
    rs_alert_rule *r = base;
    const char *names[3];
    for (int i = 0; i < 3; i++)
        names[i] = rs_severity_name((rs_severity)i);
    int i = jd_get_enum(ld, v, "severity", names, 3);
    if (i >= 0)
        r->severity = (rs_severity)i;
}

static const jd_field alert_fields[] = {
    FLD(rs_alert_rule, "name", name, T_NAME, 0, 0, F_REQUIRED | F_NONEMPTY),
    FN("metric", jd_noop, F_REQUIRED),
    FN("version", dec_alert_version, 0),
    FLD(rs_alert_rule, "window", window, T_DURATION, JD_SEC, JD_DAY, 0),
    FN("op", dec_op, 0),
    FN("threshold", dec_threshold, F_REQUIRED),
    FLD(rs_alert_rule, "for", for_, T_DURATION, 0, JD_DAY, 0),
    FN("severity", dec_severity, 0),
};

static void dec_alert(jd_loader *ld, const cJSON *v, rs_alert_rule *r)
{
    memset(r, 0, sizeof *r);
    r->window = RS_MIN(5);
    r->op = RS_OP_GT;
    r->severity = RS_SEV_WARNING;
    r->metric = RS_METRIC_KIND_COUNT; /* unknown until decoded */
    if (jd_push_key(ld, v, "metric")) {
        dec_alert_metric(ld, ld->path[ld->depth - 1].member, r);
        jd_pop(ld);
    }
    jd_decode_fields(ld, v, alert_fields, JD_COUNT(alert_fields), r);
    if (r->metric == RS_METRIC_KIND_COUNT)
        r->metric = RS_METRIC_ERROR_RATE;
}

static void dec_alerts(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    int n = jd_array_items(ld, v, 0, RS_MAX_ALERTS, "alerts");
    int i = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        jd_push_index(ld, i);
        dec_alert(ld, e, &s->alerts[i]);
        check_unique(ld, e, s->alerts[i].name, "alerts", i, alert_before);
        jd_pop(ld);
    }
    s->n_alerts = n < 0 ? 0 : n;
}

/* ---- initial state ---- */

static void dec_initial_version(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    int i = get_version(ld, v);
    if (i >= 0)
        s->initial_version = i;
}

/* A history name not among the versions adds a plain version (no faults): older revisions need no
 * description of their own. */
static int history_version(jd_loader *ld, const cJSON *e)
{
    rs_scenario *s = ld->s;
    if (!cJSON_IsString(e) || rs_scenario_version_index(s, e->valuestring) >= 0 || !e->valuestring[0])
        return get_version(ld, e);
    if (s->n_versions >= RS_MAX_VERSIONS) {
        char g[JD_SHOW_MAX];
        jd_report(ld, "'%s' is not among the versions, and adding it would make more than %d versions",
                  jd_show(e->valuestring, g, sizeof g), RS_MAX_VERSIONS);
        return -1;
    }
    jd_field f = {.key = "history", .type = T_NAME, .size = RS_NAME_MAX};
    rs_version *ver = &s->versions[s->n_versions];
    memset(ver, 0, sizeof *ver);
    ver->startup_s = 15;
    jd_get_string(ld, &f, e, ver->name);
    return ver->name[0] ? s->n_versions++ : -1;
}

static void dec_history(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    int n = jd_array_items(ld, v, 0, RS_MAX_HISTORY, "history entries");
    int i = 0;
    s->n_history = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        jd_push_index(ld, i);
        int k = history_version(ld, e);
        if (k >= 0)
            s->history[s->n_history++] = k;
        jd_pop(ld);
    }
}

static const jd_field initial_fields[] = {
    FN("version", dec_initial_version, 0),
    FLD(rs_scenario, "revision", initial_revision, T_INT, 1, 1e6, 0),
    FN("history", dec_history, 0),
};

/* Kubernetes keeps one revision per pod template: no version twice, nor the running one, in history. */
static void check_history(jd_loader *ld, const cJSON *v)
{
    const rs_scenario *s = ld->s;
    for (int i = 0; i < s->n_history; i++) {
        int dup = s->history[i] == s->initial_version ? -2 : -1;
        for (int j = 0; j < i && dup == -1; j++)
            if (s->history[j] == s->history[i])
                dup = j;
        if (dup == -1 || !jd_push_key(ld, v, "history"))
            continue;
        jd_push_index(ld, i);
        char g[JD_SHOW_MAX];
        jd_show(s->versions[s->history[i]].name, g, sizeof g);
        if (dup == -2)
            jd_report(ld, "'%s' is the running version; history lists only older revisions", g);
        else
            jd_report(ld,
                      "'%s' is already in the history at [%d]; Kubernetes keeps one revision per pod "
                      "template",
                      g, dup);
        jd_pop(ld);
        jd_pop(ld);
    }
}

static void dec_initial(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    uint32_t seen = jd_decode_fields(ld, v, initial_fields, JD_COUNT(initial_fields), s);
    if (!(seen & JD_BIT(initial_fields, "revision")))
        s->initial_revision = s->n_history + 1;
    else if (s->initial_revision <= s->n_history && jd_push_key(ld, v, "revision")) {
        jd_report(ld,
                  "revision must be greater than the number of history entries (%d): they take the "
                  "revisions just below it",
                  s->n_history);
        jd_pop(ld);
    }
    check_history(ld, v);
}

/* ---- timeline ---- */

typedef struct {
    rs_scripted_action *act;
    int kind; /* -1 when "do" is missing or unknown */
} action_ctx;

static void dec_at(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scripted_action *a = ((action_ctx *)base)->act;
    jd_field f = {.key = "at", .type = T_DURATION, .lo = 0, .hi = 30 * JD_DAY};
    double x;
    if (jd_read_value(ld, &f, v, &x)) {
        a->anchor = RS_ANCHOR_START;
        a->delay = (rs_time)llround(x);
    }
}

static void dec_delay(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scripted_action *a = ((action_ctx *)base)->act;
    jd_field f = {.key = "delay", .type = T_DURATION, .lo = 0, .hi = 30 * JD_DAY};
    double x;
    if (jd_read_value(ld, &f, v, &x))
        a->delay = (rs_time)llround(x);
}

static void dec_after(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scripted_action *a = ((action_ctx *)base)->act;
    const char *names[RS_EV_KIND_COUNT];
    for (int i = 0; i < RS_EV_KIND_COUNT; i++)
        names[i] = rs_event_kind_name((rs_event_kind)i);
    int i = jd_get_enum(ld, v, "event", names, RS_EV_KIND_COUNT);
    if (i >= 0)
        a->anchor = i;
}

static void dec_action_version(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scripted_action *a = ((action_ctx *)base)->act;
    int i = get_version(ld, v);
    if (i >= 0)
        memcpy(a->version, ld->s->versions[i].name, sizeof a->version);
}

static void dec_action_text(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scripted_action *a = ((action_ctx *)base)->act;
    jd_field f = {.key = "text", .type = T_TEXT, .size = sizeof a->text};
    jd_get_string(ld, &f, v, a->text);
}

static void dec_action_int(jd_loader *ld, const cJSON *v, int *dst, double hi)
{
    jd_field f = {.key = jd_cur_key(ld), .type = T_INT, .lo = 0, .hi = hi};
    double x;
    if (jd_read_value(ld, &f, v, &x))
        *dst = (int)x;
}

static void dec_revision(jd_loader *ld, const cJSON *v, void *base)
{
    dec_action_int(ld, v, &((action_ctx *)base)->act->revision, 1e6);
}

static void dec_replicas(jd_loader *ld, const cJSON *v, void *base)
{
    dec_action_int(ld, v, &((action_ctx *)base)->act->replicas, 10000);
}

static void dec_action_table(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scripted_action *a = ((action_ctx *)base)->act;
    jd_field f = {.key = "table", .type = T_NAME, .size = sizeof a->text, .flags = F_NONEMPTY};
    jd_get_string(ld, &f, v, a->text);
}

static const jd_field action_fields[] = {
    FN("at", dec_at, 0),
    FN("after", dec_after, 0),
    FN("delay", dec_delay, 0),
    FN("do", jd_noop, F_REQUIRED),
    FN("version", dec_action_version, 0),
    FN("text", dec_action_text, 0),
    FN("revision", dec_revision, 0),
    FN("replicas", dec_replicas, 0),
    FN("table", dec_action_table, 0),
};

#define K(kind) (1u << RS_ACT_##kind)

/* Which key goes with which actions, and which actions need it. The text of an ack names who
 * acknowledges; of a resolve, the summary. */
static const struct {
    const char *key;
    unsigned applies, needed; /* bit per rs_action_kind */
} action_args[] = {
    {"version", K(DEPLOY) | K(HOTFIX) | K(MIGRATE_DOWN), K(DEPLOY) | K(HOTFIX)},
    {"text", K(NOTE) | K(ACK) | K(RESOLVE) | K(ESCALATE) | K(WAIT), K(NOTE)},
    {"table", K(BACKUP) | K(RESTORE), K(BACKUP) | K(RESTORE)},
    {"revision", K(UNDO), 0},
    {"replicas", K(SCALE), K(SCALE)},
};

#undef K

static void check_action_args(jd_loader *ld, const cJSON *v, uint32_t seen, rs_action_kind kind)
{
    for (int i = 0; i < JD_COUNT(action_args); i++) {
        bool has = seen & JD_BIT(action_fields, action_args[i].key);
        bool applies = action_args[i].applies & (1u << kind);
        if (has && !applies && jd_push_key(ld, v, action_args[i].key)) {
            char list[96] = "";
            for (int k = 0; k < RS_ACT_KIND_COUNT; k++)
                if (action_args[i].applies & (1u << k))
                    snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'", list[0] ? ", " : "",
                             rs_action_kind_name((rs_action_kind)k));
            jd_report_key(ld, "'%s' does not apply to a '%s' action (only to %s)", action_args[i].key,
                          rs_action_kind_name(kind), list);
            jd_pop(ld);
        } else if (!has && (action_args[i].needed & (1u << kind))) {
            jd_report(ld, "a '%s' action needs '%s'", rs_action_kind_name(kind), action_args[i].key);
        }
    }
}

/* When the action happens: "at" from the start, or "delay" after the first "after" event; without
 * either, together with the previous action. */
static void check_action_time(jd_loader *ld, const cJSON *v, uint32_t seen, rs_scripted_action *a)
{
    bool at = seen & JD_BIT(action_fields, "at"), after = seen & JD_BIT(action_fields, "after");
    bool delay = seen & JD_BIT(action_fields, "delay");
    if (at && after && jd_push_key(ld, v, "after")) {
        jd_report_key(ld, "'at' and 'after' exclude each other: 'at' is a time from the start, 'after' an "
                          "event to wait for");
        jd_pop(ld);
    } else if (delay && !after && jd_push_key(ld, v, "delay")) {
        jd_report_key(ld, "'delay' goes with 'after' (the event to wait for); for a time from the start, "
                          "use 'at'");
        jd_pop(ld);
    } else if (after && !delay) {
        a->delay = 0;
    }
}

static void dec_action(jd_loader *ld, const cJSON *v, rs_scripted_action *a, const rs_scripted_action *prev)
{
    action_ctx ctx = {a, -1};
    memset(a, 0, sizeof *a);
    a->anchor = prev ? prev->anchor : RS_ANCHOR_START;
    a->delay = prev ? prev->delay : 0;
    if (jd_push_key(ld, v, "do")) {
        const char *names[RS_ACT_KIND_COUNT];
        for (int i = 0; i < RS_ACT_KIND_COUNT; i++)
            names[i] = rs_action_kind_name((rs_action_kind)i);
        ctx.kind = jd_get_enum(ld, ld->path[ld->depth - 1].member, "action", names, RS_ACT_KIND_COUNT);
        jd_pop(ld);
    }
    uint32_t seen = jd_decode_fields(ld, v, action_fields, JD_COUNT(action_fields), &ctx);
    if (ctx.kind < 0)
        return;
    a->kind = (rs_action_kind)ctx.kind;
    check_action_time(ld, v, seen, a);
    check_action_args(ld, v, seen, a->kind);
}

static void dec_timeline(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    int n = jd_array_items(ld, v, 0, RS_MAX_ACTIONS, "timeline entries");
    int i = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        jd_push_index(ld, i);
        dec_action(ld, e, &s->actions[i], i > 0 ? &s->actions[i - 1] : NULL);
        jd_pop(ld);
    }
    s->n_actions = n < 0 ? 0 : n;
}

/* ---- expectations ---- */

/* The type and range of an expectation that holds a number or a duration. */
static jd_field expect_field(const char *key, rs_expect_kind k)
{
    switch (k) {
    case RS_EXP_FAILED_REQUESTS_MAX:
    case RS_EXP_ROWS_LOST_MAX:
        return (jd_field){.key = key, .type = T_NUMBER, .hi = 1e15};
    case RS_EXP_HARMFUL_DECISIONS_MAX:
        return (jd_field){.key = key, .type = T_INT, .hi = RS_MAX_DECISIONS};
    case RS_EXP_BUDGET_BURNED_MAX: /* in percent of the budget */
        return (jd_field){.key = key, .type = T_NUMBER, .hi = 1e6};
    case RS_EXP_SCORE_MIN:
        return (jd_field){.key = key, .type = T_NUMBER, .hi = 100};
    case RS_EXP_PEAK_ERROR_RATE_MIN:
    case RS_EXP_PEAK_ERROR_RATE_MAX:
        return (jd_field){.key = key, .type = T_FRACTION, .hi = 1};
    default:
        return (jd_field){.key = key, .type = T_DURATION, .hi = 30 * JD_DAY};
    }
}

static bool dec_expect_number(jd_loader *ld, const cJSON *v, rs_expectation *x)
{
    jd_field f = expect_field(jd_cur_key(ld), x->kind);
    double d;
    if (x->kind == RS_EXP_BUDGET_BURNED_MAX && cJSON_IsString(v)) { /* 5 and "5%" are the same */
        if (!jd_parse_percent(v->valuestring, &d)) {
            jd_type_error(ld, v, "a percentage of the error budget (5 or \"5%\")");
            return false;
        }
        if (!jd_check_range(ld, &f, d))
            return false;
    } else if (!jd_read_value(ld, &f, v, &d)) {
        return false;
    }
    if (f.type == T_DURATION)
        x->time = (rs_time)llround(d);
    else
        x->num = d;
    return true;
}

static bool dec_expect_value(jd_loader *ld, const cJSON *v, rs_expectation *x)
{
    const char *alerts[RS_MAX_ALERTS];
    int i = -1;
    switch (x->kind) {
    case RS_EXP_FINAL_VERSION:
        if ((i = get_version(ld, v)) >= 0)
            memcpy(x->str, ld->s->versions[i].name, sizeof x->str);
        return i >= 0;
    case RS_EXP_ALERT_FIRED:
    case RS_EXP_ALERT_NOT_FIRED:
        for (int k = 0; k < ld->s->n_alerts; k++)
            alerts[k] = ld->s->alerts[k].name;
        if ((i = jd_get_enum(ld, v, "alert", alerts, ld->s->n_alerts)) >= 0)
            memcpy(x->str, ld->s->alerts[i].name, sizeof x->str);
        return i >= 0;
    case RS_EXP_ROLLED_BACK:
    case RS_EXP_RECOVERED:
    case RS_EXP_RESOLVED:
        if (!cJSON_IsBool(v))
            jd_type_error(ld, v, "true or false");
        x->num = cJSON_IsTrue(v) ? 1 : 0;
        return cJSON_IsBool(v);
    default:
        return dec_expect_number(ld, v, x);
    }
}

/* Reports peak_error_rate_max below peak_error_rate_min, at `key` of obj (the expect object, or a test
 * variant whose merged expectations are checked). */
static void check_peak_bounds(jd_loader *ld, const cJSON *obj, const char *key, const rs_expectation *list, int n)
{
    const rs_expectation *lo = NULL, *hi = NULL;
    for (int i = 0; i < n; i++) {
        if (list[i].kind == RS_EXP_PEAK_ERROR_RATE_MIN)
            lo = &list[i];
        if (list[i].kind == RS_EXP_PEAK_ERROR_RATE_MAX)
            hi = &list[i];
    }
    if (lo && hi && lo->num > hi->num && jd_push_key(ld, obj, key)) {
        jd_report(ld, "peak_error_rate_max (%.15g%%) is below peak_error_rate_min (%.15g%%)", hi->num * 100,
                  lo->num * 100);
        jd_pop(ld);
    }
}

/* ---- expectations at a time: "at" ---- */

static void dec_at_alert(jd_loader *ld, const cJSON *v, void *base)
{
    rs_expect_at *x = base;
    const char *alerts[RS_MAX_ALERTS];
    for (int k = 0; k < ld->s->n_alerts; k++)
        alerts[k] = ld->s->alerts[k].name;
    int i = jd_get_enum(ld, v, "alert", alerts, ld->s->n_alerts);
    if (i >= 0)
        memcpy(x->alert, ld->s->alerts[i].name, sizeof x->alert);
}

static void dec_at_state(jd_loader *ld, const cJSON *v, void *base)
{
    static const char *const states[] = {"inactive", "pending", "firing"};
    rs_expect_at *x = base;
    if (cJSON_IsString(v)) {
        int i = jd_get_enum(ld, v, "alert state", states, JD_COUNT(states));
        x->states = i >= 0 ? 1u << i : 0;
        return;
    }
    if (!cJSON_IsArray(v) || !v->child) {
        jd_type_error(ld, v, "an alert state (\"inactive\", \"pending\" or \"firing\"), or a non-empty array of them");
        return;
    }
    int k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        jd_push_index(ld, k);
        int i = jd_get_enum(ld, e, "alert state", states, JD_COUNT(states));
        if (i >= 0)
            x->states |= 1u << i;
        jd_pop(ld);
    }
}

static void dec_at_version(jd_loader *ld, const cJSON *v, void *base)
{
    rs_expect_at *x = base;
    int i = get_version(ld, v);
    if (i >= 0)
        memcpy(x->version, ld->s->versions[i].name, sizeof x->version);
}

static void dec_at_rollout(jd_loader *ld, const cJSON *v, void *base)
{
    static const char *const phases[] = {"stable", "progressing", "paused", "promoting", "rolling_back", "failed"};
    rs_expect_at *x = base;
    int i = jd_get_enum(ld, v, "rollout phase", phases, JD_COUNT(phases));
    if (i >= 0)
        snprintf(x->rollout, sizeof x->rollout, "%s", phases[i]);
}

static void dec_at_weight(jd_loader *ld, const cJSON *v, void *base)
{
    rs_expect_at *x = base;
    jd_field f = {.key = "weight", .type = T_NUMBER, .lo = 0, .hi = 100};
    double d;
    if (cJSON_IsString(v)) { /* 40 and "40%" are the same */
        if (!jd_parse_percent(v->valuestring, &d)) {
            jd_type_error(ld, v, "a canary weight in percent (40 or \"40%\")");
            return;
        }
        if (!jd_check_range(ld, &f, d))
            return;
    } else if (!jd_read_value(ld, &f, v, &d)) {
        return;
    }
    x->weight = d;
    x->has_weight = true;
}

static const jd_field at_fields[] = {
    FLD(rs_expect_at, "time", time, T_DURATION, 0, 30 * JD_DAY, F_REQUIRED),
    FN("alert", dec_at_alert, 0),
    FN("state", dec_at_state, 0),
    FLD(rs_expect_at, "policy", policy, T_NAME, 0, 0, F_NONEMPTY),
    FLD(rs_expect_at, "phase", phase, T_NAME, 0, 0, F_NONEMPTY),
    FLD(rs_expect_at, "verdict", verdict, T_NAME, 0, 0, F_NONEMPTY),
    FN("version", dec_at_version, 0),
    FN("weight", dec_at_weight, 0),
    FN("rollout", dec_at_rollout, 0),
};

/* The keys that go together: alert with state, policy with phase or verdict; at least one check. */
static void check_at_item(jd_loader *ld, uint32_t seen)
{
#define HAS(key) ((seen & JD_BIT(at_fields, key)) != 0)
    if (HAS("alert") && !HAS("state"))
        jd_report(ld, "missing 'state' for the alert: \"inactive\", \"pending\", \"firing\" or an array of them");
    if (HAS("state") && !HAS("alert"))
        jd_report(ld, "'state' is the state of an alert: name it with 'alert'");
    if (HAS("policy") && !HAS("phase") && !HAS("verdict"))
        jd_report(ld, "a 'policy' check needs 'phase' (exact) or 'verdict' (a substring), or both");
    if ((HAS("phase") || HAS("verdict")) && !HAS("policy"))
        jd_report(ld, "'phase' and 'verdict' are those of a policy's evaluation: name it with 'policy'");
    if (!HAS("alert") && !HAS("policy") && !HAS("version") && !HAS("weight") && !HAS("rollout"))
        jd_report(ld, "an \"at\" item checks something at its time: alert and state, policy with phase or "
                      "verdict, version, weight or rollout");
#undef HAS
}

static void dec_at_list(jd_loader *ld, const cJSON *v, rs_expect_at *list, int *n_out)
{
    int n = jd_array_items(ld, v, 0, RS_MAX_EXPECT_AT, "\"at\" items");
    int i = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        memset(&list[i], 0, sizeof list[i]);
        jd_push_index(ld, i);
        uint32_t seen = jd_decode_fields(ld, e, at_fields, JD_COUNT(at_fields), &list[i]);
        if (cJSON_IsObject(e))
            check_at_item(ld, seen);
        jd_pop(ld);
    }
    *n_out = n < 0 ? 0 : n;
}

/* Where the expectations of an "expect" object go: the scenario's, or a test variant's. */
typedef struct {
    rs_expectation *list;
    int *n;
    rs_expect_at *at;
    int *n_at;
    bool *has_at;   /* NULL for the scenario */
    uint32_t *drop; /* NULL for the scenario: a variant removes the scenario's expectation with null */
} expect_target;

static void dec_expect_into(jd_loader *ld, const cJSON *v, const expect_target *t)
{
    const char *names[RS_EXP_KIND_COUNT];
    bool seen[RS_EXP_KIND_COUNT] = {false};
    for (int i = 0; i < RS_EXP_KIND_COUNT; i++)
        names[i] = rs_expect_kind_name((rs_expect_kind)i);
    if (!cJSON_IsObject(v)) {
        jd_type_error(ld, v, "an object ({ \"final_version\": ..., ... })");
        return;
    }
    for (const cJSON *m = v->child; m; m = m->next) {
        jd_push_member(ld, m);
        int k = jd_name_index(names, RS_EXP_KIND_COUNT, jd_cur_key(ld));
        if (k < 0) {
            jd_unknown_name(ld, true, "expectation", jd_cur_key(ld), names, RS_EXP_KIND_COUNT);
        } else if (seen[k]) {
            jd_report_key(ld, "expectation '%s' appears more than once; keep one", names[k]);
        } else if (cJSON_IsNull(m) && t->drop) {
            seen[k] = true;
            if (k == RS_EXP_AT) {
                *t->has_at = true;
                *t->n_at = 0;
            } else {
                *t->drop |= 1u << k;
            }
        } else if (k == RS_EXP_AT) {
            seen[k] = true;
            dec_at_list(ld, m, t->at, t->n_at);
            if (t->has_at)
                *t->has_at = true;
        } else if (*t->n < RS_MAX_EXPECT) {
            rs_expectation *x = &t->list[*t->n];
            memset(x, 0, sizeof *x);
            x->kind = (rs_expect_kind)k;
            seen[k] = true;
            if (dec_expect_value(ld, m, x))
                (*t->n)++;
        }
        jd_pop(ld);
    }
    check_peak_bounds(ld, v, "peak_error_rate_max", t->list, *t->n);
}

static void dec_expect(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    expect_target t = {.list = s->expect, .n = &s->n_expect, .at = s->at, .n_at = &s->n_at};
    dec_expect_into(ld, v, &t);
    if (s->n_expect + s->n_at > RS_MAX_EXPECT)
        jd_report(ld, "%d expectations and %d \"at\" items: at most %d in all", s->n_expect, s->n_at, RS_MAX_EXPECT);
}

/* ---- the cluster, traffic and observation ---- */

/* A seed: a whole number, or a string of digits beyond 2^53. Returns false after reporting. */
static bool read_seed(jd_loader *ld, const cJSON *v, uint64_t *out)
{
    const char *t = cJSON_IsString(v) ? v->valuestring : "";
    jd_field f = {.key = "seed", .type = T_INT, .lo = 0, .hi = 9007199254740992.0};
    double x;
    if (cJSON_IsString(v) && t[0] && strspn(t, "0123456789") == strlen(t)) {
        errno = 0;
        unsigned long long u = strtoull(t, NULL, 10);
        if (errno == ERANGE) {
            jd_report(ld, "'seed' must fit in 64 bits (at most 18446744073709551615)");
            return false;
        }
        *out = (uint64_t)u;
        return true;
    }
    if (cJSON_IsString(v)) {
        jd_type_error(ld, v, "a whole number, or a string of digits for seeds beyond 2^53");
        return false;
    }
    if (!jd_read_value(ld, &f, v, &x))
        return false;
    *out = (uint64_t)x;
    return true;
}

static void dec_seed(jd_loader *ld, const cJSON *v, void *base)
{
    read_seed(ld, v, &((rs_scenario *)base)->seed);
}

static void dec_strategy_type(jd_loader *ld, const cJSON *v, void *base)
{
    static const char *const names[] = {"RollingUpdate", "BlueGreen", "Canary", "Recreate"};
    rs_scenario *s = base;
    int k = jd_get_enum(ld, v, "strategy type", names, 4);
    if (k == 3)
        jd_report(ld, "strategy type 'Recreate' is not supported yet; use RollingUpdate, BlueGreen or Canary");
    else if (k >= 0)
        s->deployment.strategy.kind = k == 0 ? RS_STRATEGY_ROLLING : k == 1 ? RS_STRATEGY_BLUE_GREEN : RS_STRATEGY_CANARY;
}

static bool get_bool(jd_loader *ld, const cJSON *v, bool *out)
{
    if (!cJSON_IsBool(v)) {
        jd_type_error(ld, v, "true or false");
        return false;
    }
    *out = cJSON_IsTrue(v);
    return true;
}

static void dec_auto_promote(jd_loader *ld, const cJSON *v, void *base)
{
    get_bool(ld, v, &((rs_scenario *)base)->deployment.strategy.auto_promote);
}

static void dec_mesh(jd_loader *ld, const cJSON *v, void *base)
{
    get_bool(ld, v, &((rs_scenario *)base)->deployment.strategy.mesh);
}

/* Flagger's stepWeights: increasing percentages within 1..100. */
static void dec_step_weights(jd_loader *ld, const cJSON *v, void *base)
{
    rs_strategy_spec *st = &((rs_scenario *)base)->deployment.strategy;
    int n = jd_array_items(ld, v, 1, 16, "step weights");
    int i = 0;
    st->n_step_weights = 0;
    static const jd_field w = {.key = "stepWeights", .type = T_NUMBER, .lo = 0, .hi = 100, .flags = F_LO_OPEN};
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        jd_push_index(ld, i);
        double x;
        if (jd_read_value(ld, &w, e, &x)) {
            if (st->n_step_weights > 0 && x <= st->step_weights[st->n_step_weights - 1])
                jd_report(ld, "step weights must increase, got %g after %g", x, st->step_weights[st->n_step_weights - 1]);
            else
                st->step_weights[st->n_step_weights++] = x;
        }
        jd_pop(ld);
    }
}

static void dec_probe(jd_loader *ld, const cJSON *v, void *base);

static const jd_field rolling_fields[] = {
    /* T_INTORPCT: lo is the largest pod count, hi the largest percentage */
    FLD(rs_scenario, "maxSurge", deployment.max_surge, T_INTORPCT, 10000, 1000, 0),
    FLD(rs_scenario, "maxUnavailable", deployment.max_unavailable, T_INTORPCT, 10000, 100, 0),
};

/* Argo Rollouts' blueGreen names */
static const jd_field bluegreen_fields[] = {
    FN("autoPromotionEnabled", dec_auto_promote, 0),
    FLD(rs_scenario, "autoPromotionSeconds", deployment.strategy.auto_promote_after, T_SECONDS, 0, 86400, 0),
    FLD(rs_scenario, "scaleDownDelaySeconds", deployment.strategy.scale_down_delay, T_SECONDS, 0, 86400, 0),
    FLD(rs_scenario, "switchTime", deployment.strategy.switch_time, T_DURATION, 0, JD_HOUR, 0),
    FLD(rs_scenario, "switchErrorRate", deployment.strategy.switch_error_rate, T_FRACTION, 0, 1, 0),
};

/* Flagger's analysis names */
static const jd_field canary_fields[] = {
    FN("mesh", dec_mesh, 0),
    FLD(rs_scenario, "interval", deployment.strategy.interval, T_DURATION, JD_SEC, JD_DAY, 0),
    FLD(rs_scenario, "stepWeight", deployment.strategy.step_weight, T_NUMBER, 0, 100, F_LO_OPEN),
    FN("stepWeights", dec_step_weights, 0),
    FLD(rs_scenario, "maxWeight", deployment.strategy.max_weight, T_NUMBER, 0, 100, F_LO_OPEN),
    FLD(rs_scenario, "threshold", deployment.strategy.threshold, T_INT, 1, 1000, 0),
};

static const jd_field strategy_fields[] = {
    FN("type", dec_strategy_type, 0),
    OBJ("rollingUpdate", rolling_fields),
    OBJ("blueGreen", bluegreen_fields),
    OBJ("canary", canary_fields),
};

static const jd_field probe_fields[] = {
    FLD(rs_scenario, "initialDelaySeconds", deployment.probe_initial_delay, T_SECONDS, 0, 86400, 0),
    FLD(rs_scenario, "periodSeconds", deployment.probe_period, T_SECONDS, 1, 86400, 0),
    FLD(rs_scenario, "failureThreshold", deployment.probe_failure_threshold, T_INT, 1, 1000, 0),
    FLD(rs_scenario, "successThreshold", deployment.probe_success_threshold, T_INT, 1, 1000, 0),
#define NOT_MODELLED "is not modelled: rollsim simulates when a probe passes, not how it checks; remove it"
    REFUSED("httpGet", NOT_MODELLED),
    REFUSED("tcpSocket", NOT_MODELLED),
    REFUSED("exec", NOT_MODELLED),
    REFUSED("grpc", NOT_MODELLED),
    REFUSED("timeoutSeconds", NOT_MODELLED),
#undef NOT_MODELLED
};

static const jd_field backoff_fields[] = {
    FLD(rs_scenario, "initial", deployment.backoff_initial, T_DURATION, JD_SEC, JD_HOUR, 0),
    FLD(rs_scenario, "max", deployment.backoff_max, T_DURATION, JD_SEC, JD_DAY, 0),
    FLD(rs_scenario, "resetAfter", deployment.backoff_reset, T_DURATION, JD_SEC, JD_DAY, 0),
};

static const jd_field deployment_fields[] = {
    FLD(rs_scenario, "replicas", deployment.replicas, T_INT, 0, 10000, 0),
    OBJ("strategy", strategy_fields),
    FLD(rs_scenario, "minReadySeconds", deployment.min_ready, T_SECONDS, 0, 86400, 0),
    FLD(rs_scenario, "progressDeadlineSeconds", deployment.progress_deadline, T_SECONDS, 1, 2592000, 0),
    FLD(rs_scenario, "revisionHistoryLimit", deployment.revision_history_limit, T_INT, 0, 50, 0),
    FLD(rs_scenario, "terminationGracePeriodSeconds", deployment.termination_grace, T_SECONDS, 0, 86400, 0),
    FN("readinessProbe", dec_probe, 0),
    FLD(rs_scenario, "shutdown", deployment.shutdown, T_DURATION, 0, JD_HOUR, 0),
    FLD(rs_scenario, "imagePull", deployment.image_pull, T_DURATION, 0, JD_HOUR, 0),
    FLD(rs_scenario, "startupJitter", deployment.startup_jitter, T_FRACTION, 0, 1, 0),
    FLD(rs_scenario, "capacityRps", deployment.capacity_rps, T_NUMBER, 0, 1e6, 0),
    FLD(rs_scenario, "memoryLimitMb", deployment.memory_limit_mb, T_NUMBER, 0, 1e7, F_LO_OPEN),
    OBJ("crashLoopBackOff", backoff_fields),
};

/* null: no probe (Ready as soon as the container runs). */
static void dec_probe(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    s->deployment.has_readiness_probe = !cJSON_IsNull(v);
    if (!cJSON_IsNull(v))
        jd_decode_fields(ld, v, probe_fields, JD_COUNT(probe_fields), s);
}

static void dec_deployment(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    uint32_t seen = jd_decode_fields(ld, v, deployment_fields, JD_COUNT(deployment_fields), s);
    const rs_deployment_spec *d = &s->deployment;
    const char *key = (seen & JD_BIT(deployment_fields, "progressDeadlineSeconds"))
                          ? "progressDeadlineSeconds"
                          : "minReadySeconds";
    if (d->progress_deadline <= d->min_ready && jd_push_key(ld, v, key)) {
        jd_report(ld,
                  "progressDeadlineSeconds (%lld) must be greater than minReadySeconds (%lld), as "
                  "Kubernetes requires",
                  (long long)(d->progress_deadline / 1000), (long long)(d->min_ready / 1000));
        jd_pop(ld);
    }
}

static const jd_field service_fields[] = {
    FLD(rs_scenario, "name", service, T_NAME, 0, 0, F_NONEMPTY | F_DNS),
    FLD(rs_scenario, "namespace", namespace_, T_NAME, 0, 0, F_NONEMPTY | F_DNS),
};

static const jd_field traffic_fields[] = {
    FLD(rs_scenario, "rpm", traffic.rpm, T_NUMBER, 0, 1e8, 0),
    FLD(rs_scenario, "noise", traffic.noise, T_FRACTION, 0, 1, 0),
    FLD(rs_scenario, "daily_amplitude", traffic.daily_amplitude, T_FRACTION, 0, 1, 0),
    FLD(rs_scenario, "tick", traffic.tick, T_DURATION, 100, JD_MIN, 0),
};

static const jd_field baseline_fields[] = {
    FLD(rs_scenario, "error_rate", baseline.error_rate, T_FRACTION, 0, 1, 0),
    FLD(rs_scenario, "latency_p95_ms", baseline.latency_p95_ms, T_NUMBER, 0, 600000, F_LO_OPEN),
    FLD(rs_scenario, "latency_sigma", baseline.latency_sigma, T_NUMBER, 0, 3, 0),
    FLD(rs_scenario, "cpu", baseline.cpu, T_FRACTION, 0, 1, F_LO_OPEN),
    FLD(rs_scenario, "memory", baseline.memory, T_FRACTION, 0, 1, F_LO_OPEN | F_HI_OPEN),
    FLD(rs_scenario, "timeout_ms", baseline.timeout_ms, T_NUMBER, 0, JD_HOUR, F_LO_OPEN),
};

static void dec_baseline(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    jd_decode_fields(ld, v, baseline_fields, JD_COUNT(baseline_fields), s);
    if (s->baseline.latency_p95_ms >= s->baseline.timeout_ms && jd_push_key(ld, v, "latency_p95_ms")) {
        jd_report(ld, "the baseline p95 latency (%.15g ms) must be below timeout_ms (%.15g ms)",
                  s->baseline.latency_p95_ms, s->baseline.timeout_ms);
        jd_pop(ld);
    }
}

static const jd_field monitoring_fields[] = {
    FLD(rs_scenario, "scrape_interval", scrape_interval, T_DURATION, JD_SEC, JD_HOUR, 0),
    FLD(rs_scenario, "evaluation_interval", eval_interval, T_DURATION, JD_SEC, JD_HOUR, 0),
    FLD(rs_scenario, "page_delay", page_delay, T_DURATION, 0, JD_HOUR, 0),
    FLD(rs_scenario, "escalate_after", escalate_after, T_DURATION, JD_SEC, JD_DAY, 0),
};

static const jd_field slo_fields[] = {
    FLD(rs_scenario, "target", slo_target, T_FRACTION, 0, 1, F_LO_OPEN | F_HI_OPEN),
    FLD(rs_scenario, "window", slo_window, T_DURATION, JD_HOUR, 365 * JD_DAY, 0),
};

static const jd_field scoring_fields[] = {
    FLD(rs_scenario, "impact_error_rate", impact_error_rate, T_FRACTION, 0, 1, F_LO_OPEN),
    FLD(rs_scenario, "impact_latency_factor", impact_latency_factor, T_NUMBER, 1, 100, 0),
    FLD(rs_scenario, "stable_for", stable_for, T_DURATION, 0, JD_DAY, 0),
};

/* Phases: names are decoded before what refers to them (business metrics → faults and alerts;
 * versions → alerts, initial, timeline, expect; alerts → expect; expect → test, whose variants are merged
 * with it). Problems are sorted by position
 * afterwards, so the order of decoding does not show. */
/* ---- policies (docs/lua-api.md): files, roles and parameter overrides kept as text ---- */

static void dec_policy_role(jd_loader *ld, const cJSON *v, void *base)
{
    rs_policy_ref *p = base;
    static const char *const roles[] = {"controller", "operator"};
    int i = jd_get_enum(ld, v, "policy role", roles, JD_COUNT(roles));
    if (i >= 0)
        snprintf(p->role, sizeof p->role, "%s", roles[i]);
}

/* A parameter value as the policy host reads an override: numbers, strings and booleans as text. */
static bool param_text(const cJSON *m, char *buf, size_t size)
{
    if (cJSON_IsBool(m)) {
        snprintf(buf, size, "%s", cJSON_IsTrue(m) ? "true" : "false");
    } else if (cJSON_IsNumber(m)) {
        snprintf(buf, size, "%.15g", m->valuedouble);
        if (strtod(buf, NULL) != m->valuedouble)
            snprintf(buf, size, "%.17g", m->valuedouble);
    } else if (cJSON_IsString(m) && strlen(m->valuestring) < size) {
        memcpy(buf, m->valuestring, strlen(m->valuestring) + 1);
    } else {
        return false;
    }
    return true;
}

static void dec_policy_params(jd_loader *ld, const cJSON *v, void *base)
{
    rs_policy_ref *p = base;
    if (!cJSON_IsObject(v)) {
        jd_type_error(ld, v, "an object of parameter names and values");
        return;
    }
    for (const cJSON *m = v->child; m; m = m->next) {
        jd_push_member(ld, m);
        size_t n = strlen(m->string);
        int seen = -1;
        for (int i = 0; i < p->n_params; i++)
            if (strcmp(p->param_name[i], m->string) == 0)
                seen = i;
        if (n == 0 || n >= RS_NAME_MAX)
            jd_report_key(ld, "a parameter name has 1 to %d characters", RS_NAME_MAX - 1);
        else if (seen >= 0)
            jd_report_key(ld, "the parameter '%s' is given twice", m->string);
        else if (p->n_params == RS_MAX_PARAMS)
            jd_report_key(ld, "at most %d parameters per policy", RS_MAX_PARAMS);
        else if (!cJSON_IsString(m) && !cJSON_IsNumber(m) && !cJSON_IsBool(m))
            jd_type_error(ld, m, "a number, a string or a boolean");
        else if (!param_text(m, p->param_value[p->n_params], RS_NAME_MAX))
            jd_report(ld, "the value of '%s' is too long (at most %d bytes)", m->string, RS_NAME_MAX - 1);
        else
            memcpy(p->param_name[p->n_params++], m->string, n + 1);
        jd_pop(ld);
    }
}

static const jd_field policy_fields[] = {
    FLD(rs_policy_ref, "file", file, T_NAME, 0, 0, F_REQUIRED | F_NONEMPTY),
    FN("role", dec_policy_role, 0),
    FN("params", dec_policy_params, 0),
};

static void dec_policy_list(jd_loader *ld, const cJSON *v, rs_policy_ref *list, int *n_out)
{
    int n = jd_array_items(ld, v, 0, RS_MAX_POLICIES, "policies");
    int i = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        rs_policy_ref *p = &list[i];
        memset(p, 0, sizeof *p);
        jd_push_index(ld, i);
        jd_decode_fields(ld, e, policy_fields, JD_COUNT(policy_fields), p);
        jd_pop(ld);
    }
    *n_out = n < 0 ? 0 : n;
}

static void dec_policies(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    dec_policy_list(ld, v, s->policies, &s->n_policies);
}

/* ---- `rollsim test`: seeds and variants (docs/testing.md) ---- */

static void dec_test_seeds(jd_loader *ld, const cJSON *v, void *base)
{
    rs_test_spec *t = base;
    int n = jd_array_items(ld, v, 1, RS_MAX_TEST_SEEDS, "seeds");
    int i = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        jd_push_index(ld, i);
        uint64_t seed;
        if (cJSON_IsNumber(e) && e->valuedouble < 0) {
            jd_report(ld, "a seed is a whole number from 0 to 2^64-1, got %.15g", e->valuedouble);
        } else if (read_seed(ld, e, &seed)) {
            bool dup = false;
            for (int k = 0; k < t->n_seeds; k++)
                dup |= t->seeds[k] == seed;
            if (dup)
                jd_report(ld, "the seed %llu is listed twice", (unsigned long long)seed);
            else
                t->seeds[t->n_seeds++] = seed;
        }
        jd_pop(ld);
    }
}

static void dec_variant_name(jd_loader *ld, const cJSON *v, void *base)
{
    rs_test_variant *x = base;
    jd_field f = FLD(rs_test_variant, "name", name, T_NAME, 0, 0, F_NONEMPTY);
    char name[RS_NAME_MAX] = "", g[JD_SHOW_MAX];
    jd_get_string(ld, &f, v, name);
    if (name[0] && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(name))
        jd_report(ld, "a variant's name names golden files: letters, digits, '.', '_' and '-' only, got \"%s\"",
                  jd_show(name, g, sizeof g));
    else
        memcpy(x->name, name, sizeof name);
}

static void dec_variant_policies(jd_loader *ld, const cJSON *v, void *base)
{
    rs_test_variant *x = base;
    x->has_policies = true;
    dec_policy_list(ld, v, x->policies, &x->n_policies);
}

static void dec_variant_expect(jd_loader *ld, const cJSON *v, void *base)
{
    rs_test_variant *x = base;
    expect_target t = {.list = x->expect, .n = &x->n_expect, .at = x->at, .n_at = &x->n_at,
                       .has_at = &x->has_at, .drop = &x->drop};
    dec_expect_into(ld, v, &t);
}

static const jd_field variant_fields[] = {
    FN("name", dec_variant_name, F_REQUIRED),
    FLD(rs_test_variant, "skip", skip, T_TEXT, 0, 0, F_NONEMPTY),
    FN("policies", dec_variant_policies, 0),
    FN("expect", dec_variant_expect, 0),
};

/* The variant as it will run: unique name, and expectations that still fit and agree once merged. */
static void check_variant(jd_loader *ld, const cJSON *e, int i)
{
    const rs_test_spec *t = &ld->s->test;
    for (int k = 0; k < i; k++)
        if (t->variants[i].name[0] && strcmp(t->variants[k].name, t->variants[i].name) == 0 &&
            jd_push_key(ld, e, "name")) {
            jd_report(ld, "the name '%s' is already used by $.test.variants[%d]; names must be unique",
                      t->variants[i].name, k);
            jd_pop(ld);
        }
    rs_scenario *merged = malloc(sizeof *merged);
    if (!merged) {
        ld->oom = true;
        return;
    }
    memcpy(merged, ld->s, sizeof *merged);
    rs_error err;
    rs_error_clear(&err);
    if (rs_scenario_apply_variant(merged, i, &err) != RS_OK)
        jd_report(ld, "%s", err.message);
    else if (cJSON_GetObjectItemCaseSensitive(e, "expect"))
        check_peak_bounds(ld, e, "expect", merged->expect, merged->n_expect);
    free(merged);
}

static void dec_test_variants(jd_loader *ld, const cJSON *v, void *base)
{
    rs_test_spec *t = base;
    int n = jd_array_items(ld, v, 0, RS_MAX_VARIANTS, "variants");
    int i = 0;
    for (const cJSON *e = n > 0 ? v->child : NULL; e && i < n; e = e->next, i++) {
        memset(&t->variants[i], 0, sizeof t->variants[i]);
        jd_push_index(ld, i);
        jd_decode_fields(ld, e, variant_fields, JD_COUNT(variant_fields), &t->variants[i]);
        t->n_variants = i + 1;
        if (cJSON_IsObject(e))
            check_variant(ld, e, i);
        jd_pop(ld);
    }
}

static const jd_field test_fields[] = {
    FN("seeds", dec_test_seeds, 0),
    FLD(rs_test_spec, "skip", skip, T_TEXT, 0, 0, F_NONEMPTY),
    FN("variants", dec_test_variants, 0),
};

static void dec_test(jd_loader *ld, const cJSON *v, void *base)
{
    rs_scenario *s = base;
    jd_decode_fields(ld, v, test_fields, JD_COUNT(test_fields), &s->test);
}

static const jd_field top_fields[] = {
    FLD(rs_scenario, "name", name, T_NAME, 0, 0, F_NONEMPTY),
    FLD(rs_scenario, "description", description, T_TEXT, 0, 0, 0),
    FN("seed", dec_seed, 0),
    FLD(rs_scenario, "duration", duration, T_DURATION, JD_SEC, 30 * JD_DAY, 0),
    FLD(rs_scenario, "tail_after_resolve", tail_after_resolve, T_DURATION, 0, 30 * JD_DAY, 0),
    OBJ("service", service_fields),
    OBJ("database", database_fields),
    FN("deployment", dec_deployment, 0),
    OBJ("traffic", traffic_fields),
    FN("baseline", dec_baseline, 0),
    FN("business_metrics", dec_biz_metrics, 0),
    OBJ("monitoring", monitoring_fields),
    OBJ("slo", slo_fields),
    OBJ("scoring", scoring_fields),
    FNP("versions", dec_versions, 1),
    FNP("environment_faults", dec_env_faults, 2),
    FNP("alerts", dec_alerts, 2),
    FNP("initial", dec_initial, 2),
    FNP("timeline", dec_timeline, 3),
    FNP("expect", dec_expect, 3),
    FN("policies", dec_policies, 0),
    FNP("test", dec_test, 4),
};

static void decode_root(jd_loader *ld, const cJSON *root)
{
    if (!cJSON_IsObject(root)) {
        char got[JD_SHOW_MAX + 32];
        jd_report(ld, "a scenario is one JSON object ({ \"name\": ..., \"versions\": [...], ... }), got %s",
                  jd_describe(root, got, sizeof got));
        return;
    }
    for (int phase = 0; phase <= 4; phase++) {
        jd_decode_phase(ld, root, top_fields, JD_COUNT(top_fields), ld->s, phase);
        if (phase == 2 && !cJSON_GetObjectItemCaseSensitive(root, "alerts"))
            rs_scenario_default_alerts(ld->s); /* absent: the seed's rules; [] means none */
    }
}

/* ---- loading ---- */


/* The first syntax problem of the text, if any, as one diagnostic. */
static bool syntax_problem(const char *text, size_t len, const char *origin, rs_diagnostics *diag)
{
    char msg[400], where[sizeof diag->items[0].where];
    size_t at = 0;
    const char *nul = memchr(text, '\0', len);
    const unsigned char *u = (const unsigned char *)text;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        snprintf(msg, sizeof msg, "the file is encoded in UTF-16; save it as UTF-8");
    else if (nul)
        at = (size_t)(nul - text), snprintf(msg, sizeof msg, "a NUL byte (is this a binary file?)");
    else if (rs_json_check_syntax(text, len, &at, msg, sizeof msg) == 0)
        return false;
    int line, col;
    rs_json_line_col(text, len, at, &line, &col);
    snprintf(where, sizeof where, "%s:%d:%d", origin, line, col);
    rs_diagnostics_add(diag, RS_BAD_INPUT, where, "invalid JSON: %s", msg);
    return true;
}

static rs_status decode(jd_loader *ld, cJSON *root, const char *const *sets, int n_sets)
{
    if (n_sets > 0 && cJSON_IsObject(root)) {
        ld->sets = calloc((size_t)n_sets, sizeof *ld->sets);
        if (!ld->sets)
            return RS_INTERNAL;
        for (int i = 0; i < n_sets; i++)
            jd_apply_set(ld, root, sets[i]);
    }
    if (ld->oom)
        return RS_INTERNAL;
    decode_root(ld, root);
    rs_error err;
    rs_error_clear(&err);
    if (ld->diag->count == 0 && rs_scenario_check(ld->s, &err) != RS_OK)
        jd_report_check(ld, &err);
    jd_sort_problems(ld);
    return (ld->diag->count + ld->diag->dropped) > 0 ? RS_BAD_INPUT : RS_OK;
}

static rs_status load_text(const char *text, size_t len, const char *origin, const char *const *sets,
                           int n_sets, rs_scenario *out, rs_diagnostics *diag)
{
    jd_loader ld = {.origin = origin ? origin : "<string>", .text = text, .len = len, .diag = diag};
    if (syntax_problem(text, len, ld.origin, diag))
        return RS_BAD_INPUT;
    rs_status st = RS_INTERNAL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1); /* len + 1: the NUL ends it */
    ld.s = malloc(sizeof *ld.s);
    if (root && ld.s) {
        rs_scenario_defaults(ld.s);
        st = decode(&ld, root, sets, n_sets);
    }
    if (st == RS_INTERNAL)
        rs_diagnostics_add(diag, RS_INTERNAL, ld.origin, "out of memory while loading the scenario");
    else if (st == RS_OK && out)
        memcpy(out, ld.s, sizeof *out);
    cJSON_Delete(root);
    free(ld.s);
    free(ld.sets);
    return st;
}

static rs_status read_all(FILE *f, const char *path, char **text, size_t *len, rs_diagnostics *diag)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (ferror(f)) {
            rs_diagnostics_add(diag, RS_BAD_INPUT, "", "cannot read %s: %s", path, strerror(errno));
            free(buf);
            return RS_BAD_INPUT;
        }
        if (n < cap)
            break;
        if (cap >= MAX_FILE_BYTES) {
            rs_diagnostics_add(diag, RS_BAD_INPUT, path, "the file is larger than %u MiB; is it a scenario?",
                            MAX_FILE_BYTES >> 20);
            free(buf);
            return RS_BAD_INPUT;
        }
        cap *= 2;
        char *bigger = realloc(buf, cap + 1);
        if (!bigger)
            free(buf);
        buf = bigger;
    }
    if (!buf) {
        rs_diagnostics_add(diag, RS_INTERNAL, path, "out of memory while reading the file");
        return RS_INTERNAL;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return RS_OK;
}

/* A scenario's policy files (its own and its test variants') are relative to the scenario file's folder. */
static rs_status resolve_policy_list(const char *path, int dir, rs_policy_ref *list, int n, const char *json_path,
                                     rs_diagnostics *diag)
{
    for (int i = 0; i < n; i++) {
        rs_policy_ref *p = &list[i];
        if (p->file[0] == '/')
            continue;
        char full[RS_TEXT_MAX];
        size_t len = (size_t)dir + strlen(p->file);
        if (len >= sizeof full) {
            rs_diagnostics_add(diag, RS_BAD_INPUT, path, "%s[%d].file: the path relative to the scenario's folder is "
                            "too long (%zu bytes; at most %d)", json_path, i, len, RS_TEXT_MAX - 1);
            return RS_BAD_INPUT;
        }
        memcpy(full, path, (size_t)dir);
        memcpy(full + dir, p->file, strlen(p->file) + 1);
        memcpy(p->file, full, len + 1);
    }
    return RS_OK;
}

static rs_status resolve_policy_paths(const char *path, rs_scenario *s, rs_diagnostics *diag)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return RS_OK;
    int dir = (int)(slash - path + 1);
    rs_status st = resolve_policy_list(path, dir, s->policies, s->n_policies, "$.policies", diag);
    for (int v = 0; st == RS_OK && v < s->test.n_variants; v++) {
        char jp[64];
        snprintf(jp, sizeof jp, "$.test.variants[%d].policies", v);
        st = resolve_policy_list(path, dir, s->test.variants[v].policies, s->test.variants[v].n_policies, jp, diag);
    }
    return st;
}

rs_status rs_scenario_load_file(const char *path, const char *const *sets, int n_sets, rs_scenario *out,
                                rs_diagnostics *diag)
{
    rs_diagnostics scratch;
    if (!diag)
        diag = &scratch;
    memset(diag, 0, sizeof *diag);
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        rs_diagnostics_add(diag, RS_BAD_INPUT, "", "cannot read %s: %s", path, strerror(errno));
        return RS_BAD_INPUT;
    }
    char *text = NULL;
    size_t len = 0;
    rs_status st = read_all(f, path, &text, &len, diag);
    fclose(f);
    if (st == RS_OK)
        st = load_text(text, len, path, sets, n_sets, out, diag);
    free(text);
    if (st == RS_OK && out)
        st = resolve_policy_paths(path, out, diag);
    return st;
}

rs_status rs_scenario_load_string(const char *text, const char *origin, const char *const *sets, int n_sets,
                                  rs_scenario *out, rs_diagnostics *diag)
{
    rs_diagnostics scratch;
    if (!diag)
        diag = &scratch;
    memset(diag, 0, sizeof *diag);
    return load_text(text, strlen(text), origin, sets, n_sets, out, diag);
}

void rs_diagnostics_print(const rs_diagnostics *diag, FILE *f)
{
    for (int i = 0; i < diag->count; i++) {
        const rs_error *e = &diag->items[i];
        if (e->where[0])
            fprintf(f, "%s: error: %s\n", e->where, e->message);
        else
            fprintf(f, "error: %s\n", e->message);
    }
    if (diag->dropped > 0)
        fprintf(f, "... and %d more\n", diag->dropped);
}
