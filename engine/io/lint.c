/* `rollsim lint`: rollback readiness, the seed's Part 8 ("Pre-Deployment Rollback Readiness: before every
 * deployment"). A scenario, or a Deployment read onto the default scenario, is checked for what makes a
 * rollback slow or impossible; each finding has a severity, the reason, the fix and its place in the file
 * (FILE:LINE:COL and the JSON path, found with the scenario loader's position helpers). docs/lint.md
 * lists the checks and the rules behind their thresholds. */
#define _POSIX_C_SOURCE 200809L

#include "rollsim/lint.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "json_pos.h"
#include "rollsim/k8s.h"
#include "rollsim/sim.h"

#define MAX_FILE ((size_t)64 << 20)
#define PATH_SEGS 16

/* The seed's incident is rolled back about 9.5 minutes after its deploy (Part 5): an old blue-green set
 * scaled down before that is gone when the rollback comes. */
#define BG_KEEP RS_MIN(10)
/* Q7 of the seed's decision tree: a rollback quicker than 5 minutes is immediate. */
#define ROLLBACK_FAST RS_MIN(5)

typedef struct {
    const char *path;
    const char *text;
    size_t len;
    bool deployment;
    const rs_scenario *sc;
    rs_lint_report *out;
} lctx;

const char *rs_lint_severity_name(rs_lint_severity s)
{
    return s == RS_LINT_ERROR ? "error" : s == RS_LINT_WARNING ? "warning" : "info";
}

/* "FILE:LINE:COL ($.a.b[2].c)" for a JSON path written "a.b[2].c" ("" = the root): the value's place, or
 * the place of the deepest part of the path that exists (the object that should hold a missing key). */
static void locate(const lctx *c, const char *jpath, char *where, size_t size)
{
    char keys[PATH_SEGS][RS_NAME_MAX];
    rs_json_seg seg[PATH_SEGS];
    int n = 0;
    const char *p = jpath;
    while (*p && n < PATH_SEGS) {
        if (*p == '.') {
            p++;
        } else if (*p == '[') {
            char *end;
            seg[n].key = NULL;
            seg[n].index = (int)strtol(p + 1, &end, 10);
            p = *end == ']' ? end + 1 : end;
            n++;
        } else {
            size_t k = strcspn(p, ".[");
            snprintf(keys[n], sizeof keys[n], "%.*s", (int)(k < RS_NAME_MAX ? k : RS_NAME_MAX - 1), p);
            seg[n].key = keys[n];
            seg[n].index = 0;
            n++;
            p += k;
        }
    }
    size_t off = rs_json_locate(c->text, c->len, seg, n, false);
    int line, col;
    rs_json_line_col(c->text, c->len, off, &line, &col);
    snprintf(where, size, "%s:%d:%d ($%s%s)", c->path, line, col, jpath[0] && jpath[0] != '[' ? "." : "", jpath);
}

#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
static void add(lctx *c, rs_lint_severity sev, const char *check, const char *jpath, const char *fix, const char *fmt,
                ...)
{
    rs_lint_report *r = c->out;
    if (sev == RS_LINT_ERROR)
        r->errors++;
    else if (sev == RS_LINT_WARNING)
        r->warnings++;
    else
        r->infos++;
    if (r->count >= RS_LINT_MAX) {
        r->dropped++;
        return;
    }
    rs_lint_finding *x = &r->items[r->count++];
    memset(x, 0, sizeof *x);
    x->severity = sev;
    snprintf(x->check, sizeof x->check, "%s", check);
    locate(c, jpath, x->where, sizeof x->where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->reason, sizeof x->reason, fmt, ap);
    va_end(ap);
    snprintf(x->fix, sizeof x->fix, "%s", fix);
}

/* The JSON path of a setting in the file being linted: a scenario's, or a Deployment's. */
static const char *at(const lctx *c, const char *scenario, const char *deployment)
{
    return c->deployment ? deployment : scenario;
}

/* ---- time estimates ---- */

/* Pod created -> available: image pull, start-up (or the probe's initial delay, if longer), a probe period
 * per success needed, minReadySeconds. Without a probe a pod is Ready as its container starts. */
static rs_time pod_start(const rs_scenario *sc, int version)
{
    const rs_deployment_spec *d = &sc->deployment;
    rs_time start = (rs_time)llround(sc->versions[version].startup_s * 1000.0);
    rs_time t = d->image_pull + d->min_ready;
    if (d->has_readiness_probe)
        t += (start > d->probe_initial_delay ? start : d->probe_initial_delay) +
             d->probe_period * (d->probe_success_threshold > 0 ? d->probe_success_threshold : 1);
    else
        t += start;
    return t;
}

static int waves(const rs_scenario *sc)
{
    const rs_deployment_spec *d = &sc->deployment;
    if (d->strategy.kind != RS_STRATEGY_ROLLING)
        return 1; /* a preview or a canary set scales up at once */
    int surge, unavail;
    rs_rolling_bounds(d->replicas, d->max_surge, d->max_unavailable, &surge, &unavail);
    int per = surge + unavail > 0 ? surge + unavail : 1;
    return d->replicas > 0 ? (d->replicas + per - 1) / per : 0;
}

static const char *dur(rs_time t, char *buf, size_t size) { return rs_format_duration(t, buf, size); }

/* ---- the checks ---- */

static void check_history(lctx *c)
{
    int limit = c->sc->deployment.revision_history_limit;
    const char *path = at(c, "deployment.revisionHistoryLimit", "spec.revisionHistoryLimit");
    if (limit == 0)
        add(c, RS_LINT_ERROR, "revision-history", path,
            "set revisionHistoryLimit to 10 (the Kubernetes default), and never below 2",
            "revisionHistoryLimit is 0: Kubernetes keeps no old ReplicaSet, so `kubectl rollout undo` has no "
            "revision to go back to; a rollback becomes a hand-made redeploy of the old image");
    else if (limit == 1)
        add(c, RS_LINT_WARNING, "revision-history", path, "keep at least 2 old revisions (10 is the default)",
            "revisionHistoryLimit is 1: a single old revision is kept; after two releases in a row only the "
            "last one can be undone");
}

static void check_probe(lctx *c)
{
    if (c->sc->deployment.has_readiness_probe)
        return;
    add(c, RS_LINT_ERROR, "readiness-probe",
        at(c, "deployment.readinessProbe", "spec.template.spec.containers[0].readinessProbe"),
        "add a readinessProbe (an HTTP health endpoint) so that a pod is Ready only when it serves",
        "no readiness probe: a pod is Ready, and takes traffic, as soon as its container starts, before the "
        "application listens; a rollout or a rollback counts starting pods as available, sends users to them "
        "and cannot be verified by health checks (the seed's Part 3: 'Run health checks, all healthy?')");
}

static void check_unavailable(lctx *c)
{
    const rs_deployment_spec *d = &c->sc->deployment;
    if (d->strategy.kind != RS_STRATEGY_ROLLING || d->replicas <= 0)
        return;
    int surge, unavail;
    rs_rolling_bounds(d->replicas, d->max_surge, d->max_unavailable, &surge, &unavail);
    const char *path = at(c, "deployment.strategy.rollingUpdate.maxUnavailable", "spec.strategy.rollingUpdate.maxUnavailable");
    if (unavail >= d->replicas)
        add(c, RS_LINT_ERROR, "max-unavailable", path,
            "lower maxUnavailable (the seed's rollout uses maxSurge 1, maxUnavailable 1) so that pods keep serving",
            "maxUnavailable allows %d of %d pods to be unavailable at once: every rollout and every rollback may "
            "take the whole service down", unavail, d->replicas);
    else if (d->replicas == 1)
        add(c, RS_LINT_WARNING, "max-unavailable", at(c, "deployment.replicas", "spec.replicas"),
            "run at least 2 replicas (3 for a rolling update with maxUnavailable 1)",
            "a single replica: a pod that crashes during a rollout or a rollback is an outage");
    else if (d->replicas - unavail < 2)
        add(c, RS_LINT_WARNING, "max-unavailable", path,
            "keep at least 2 pods available: lower maxUnavailable or add replicas",
            "only %d of %d pods stay available during a rollout or a rollback (maxUnavailable %d): one more "
            "failing pod and nothing serves", d->replicas - unavail, d->replicas, unavail);
}

static void check_deadline(lctx *c)
{
    const rs_scenario *sc = c->sc;
    int slow = 0;
    for (int v = 1; v < sc->n_versions; v++)
        if (pod_start(sc, v) > pod_start(sc, slow))
            slow = v;
    rs_time one = pod_start(sc, slow), all = waves(sc) * one, dl = sc->deployment.progress_deadline;
    const char *path = at(c, "deployment.progressDeadlineSeconds", "spec.progressDeadlineSeconds");
    char a[24], b[24], e[24];
    if (one >= dl)
        add(c, RS_LINT_ERROR, "progress-deadline", path,
            "raise progressDeadlineSeconds above the time a pod takes to become available, with a margin",
            "progressDeadlineSeconds %s is shorter than one pod of %s takes to become available (%s: image pull, "
            "start-up, readiness probe, minReadySeconds): every rollout, and a rollback to it, is marked "
            "ProgressDeadlineExceeded before any progress", dur(dl, a, sizeof a), sc->versions[slow].name,
            dur(one, b, sizeof b));
    else if (all > dl)
        add(c, RS_LINT_WARNING, "progress-deadline", path,
            "raise progressDeadlineSeconds above the whole rollout (and the timeouts of `kubectl rollout status` "
            "in CI), or replace more pods per wave",
            "a rollout of %s takes about %s (%d waves of %s) but progressDeadlineSeconds is %s: Kubernetes resets "
            "the deadline at each wave, but a `kubectl rollout status --timeout` or a pipeline waiting as long as "
            "the deadline gives up before the rollback completes", sc->versions[slow].name, dur(all, e, sizeof e),
            waves(sc), dur(one, b, sizeof b), dur(dl, a, sizeof a));
}

static void check_rollback_time(lctx *c)
{
    const rs_scenario *sc = c->sc;
    if (sc->deployment.strategy.kind != RS_STRATEGY_ROLLING)
        return;
    int v = sc->initial_version; /* what a rollback returns to */
    rs_time eta = waves(sc) * pod_start(sc, v);
    if (eta <= ROLLBACK_FAST)
        return;
    char a[24], b[24];
    char jp[64];
    snprintf(jp, sizeof jp, "versions[%d].startup", v);
    add(c, RS_LINT_WARNING, "rollback-time", at(c, jp, "spec.strategy.rollingUpdate"),
        "make the old version start faster, replace more pods per wave (maxSurge), or use blue-green so that a "
        "rollback is a switch to pods that are still up",
        "a rollback to %s takes about %s (%d waves of %s): over the 5 minutes of the seed's Q7, so 'IMMEDIATE "
        "rollback' is not available in an outage and a hotfix may be faster", sc->versions[v].name,
        dur(eta, a, sizeof a), waves(sc), dur(pod_start(sc, v), b, sizeof b));
}

static void check_bluegreen(lctx *c)
{
    const rs_scenario *sc = c->sc;
    const rs_strategy_spec *s = &sc->deployment.strategy;
    if (s->kind != RS_STRATEGY_BLUE_GREEN || s->scale_down_delay >= BG_KEEP)
        return;
    char a[24], b[24];
    add(c, RS_LINT_WARNING, "scale-down-delay", "deployment.strategy.blueGreen.scaleDownDelaySeconds",
        "keep the old set for at least 600 s (scaleDownDelaySeconds), longer than detection plus decision",
        "scaleDownDelaySeconds is %s: the old set is gone before an incident like the seed's is even decided "
        "(about 10 minutes after the deploy); the rollback then needs cold pods (about %s) instead of the seed's "
        "1-2 s switch", dur(s->scale_down_delay, a, sizeof a), dur(pod_start(sc, sc->initial_version), b, sizeof b));
}

static void check_alerts(lctx *c)
{
    const rs_scenario *sc = c->sc;
    if (c->deployment) {
        add(c, RS_LINT_INFO, "not-in-deployment", "",
            "lint the scenario (or the Prometheus rules and migration jobs) that goes with this Deployment",
            "a Deployment holds no alert rules, migrations or backups: the alert and database checks do not apply "
            "to it");
        return;
    }
    bool err = false, lat = false, page = false;
    for (int i = 0; i < sc->n_alerts; i++) {
        rs_metric_kind m = sc->alerts[i].metric;
        err = err || m == RS_METRIC_ERROR_RATE;
        lat = lat || m == RS_METRIC_LATENCY_P50 || m == RS_METRIC_LATENCY_P95 || m == RS_METRIC_LATENCY_P99;
        page = page || sc->alerts[i].severity == RS_SEV_CRITICAL;
    }
    if (!err)
        add(c, RS_LINT_ERROR, "alert-error-rate", "alerts",
            "add the seed's HighErrorRate: error_rate over 5m > 5% for 1m, critical",
            "no alert rule on the error rate: an error spike (the seed's 0.1%% -> 15%%) pages nobody, and a "
            "rollback waits until users report it");
    if (!lat)
        add(c, RS_LINT_WARNING, "alert-latency", "alerts",
            "add the seed's HighLatency: latency_p95_ms over 5m > 2 x the baseline p95 for 2m",
            "no alert rule on latency: a latency regression (p95 150 ms -> 5000 ms, slow but functional) is "
            "seen only by users");
    if (sc->n_alerts > 0 && !page)
        add(c, RS_LINT_WARNING, "alert-page", "alerts", "make the error-rate rule critical so that it pages",
            "no critical alert rule: nobody is paged (the seed's Part 1: PagerDuty page, acknowledged by the "
            "on-call)");
}

static void check_canary(lctx *c)
{
    const rs_scenario *sc = c->sc;
    if (sc->deployment.strategy.kind != RS_STRATEGY_CANARY || sc->n_policies > 0)
        return;
    if (sc->n_alerts == 0) {
        add(c, RS_LINT_ERROR, "canary-metrics", "deployment.strategy",
            "add an analysis policy (policies: flagger.lua with the seed's request-success-rate and "
            "request-duration) or alert rules on the canary version",
            "a canary without metrics: no analysis policy and no alert rule, so the canary is promoted whatever "
            "it does and nothing rolls it back");
        return;
    }
    for (int i = 0; i < sc->n_alerts; i++)
        if (sc->alerts[i].version[0] && rs_scenario_version_index(sc, sc->alerts[i].version) != sc->initial_version)
            return;
    add(c, RS_LINT_WARNING, "canary-metrics", "alerts",
        "add an analysis policy (flagger.lua) or alert rules scoped to the canary's version (\"version\")",
        "no analysis policy, and the alert rules watch the whole service: at 10%% weight a canary that fails 15%% "
        "of its requests moves the service's error rate by 1.5 points, under a 5%% threshold");
}

/* Column types of the ints and floats, narrowest first; -1 for a type without a known range. */
static int type_rank(const char *t, int *family)
{
    static const char *const ints[] = {"smallint", "int2", "int", "integer", "int4", "bigint", "int8"};
    static const int int_rank[] = {1, 1, 2, 2, 2, 3, 3};
    static const char *const floats[] = {"real", "float4", "double", "float8"};
    static const int float_rank[] = {1, 1, 2, 2};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        if (strcmp(t, ints[i]) == 0) {
            *family = 1;
            return int_rank[i];
        }
    for (size_t i = 0; i < sizeof floats / sizeof *floats; i++)
        if (strcmp(t, floats[i]) == 0) {
            *family = 2;
            return float_rank[i];
        }
    if (strncmp(t, "varchar", 7) == 0 || strcmp(t, "text") == 0) {
        *family = 3;
        return strcmp(t, "text") == 0 ? 2 : 1;
    }
    return -1;
}

/* Index of the action that puts `version` in production (a deploy, else a hotfix), or -1. */
static int deploy_action(const rs_scenario *sc, const char *version)
{
    for (int k = 0; k < RS_ACT_KIND_COUNT; k++) /* deploys first, then hotfixes */
        for (int i = 0; i < sc->n_actions; i++) {
            const rs_scripted_action *a = &sc->actions[i];
            if ((k == 0 && a->kind == RS_ACT_DEPLOY) || (k == 1 && a->kind == RS_ACT_HOTFIX))
                if (strcmp(a->version, version) == 0)
                    return i;
        }
    return -1;
}

/* Is there a backup of `table` in the timeline that runs before action `dep` (-1: never deployed by the
 * timeline)? Only what can be proven: the same anchor and an earlier time. */
static bool backup_before(const rs_scenario *sc, const char *table, int dep)
{
    for (int i = 0; i < sc->n_actions; i++) {
        const rs_scripted_action *a = &sc->actions[i];
        if (a->kind != RS_ACT_BACKUP || strcmp(a->text, table) != 0)
            continue;
        if (dep < 0)
            return a->anchor == RS_ANCHOR_START;
        const rs_scripted_action *d = &sc->actions[dep];
        if (a->anchor == d->anchor && (a->delay < d->delay || (a->delay == d->delay && i < dep)))
            return true;
    }
    return false;
}

#define LINT_MAX_COLS (RS_MAX_TABLES * RS_MAX_COLUMNS + RS_MAX_VERSIONS * RS_MAX_MIGRATIONS)

typedef struct {
    char table[RS_NAME_MAX], column[RS_NAME_MAX], type[16];
} coltype;

static coltype *find_coltype(coltype *cols, int n, const char *table, const char *column)
{
    for (int i = 0; i < n; i++)
        if (strcmp(cols[i].table, table) == 0 && strcmp(cols[i].column, column) == 0)
            return &cols[i];
    return NULL;
}

static void check_migrations(lctx *c)
{
    const rs_scenario *sc = c->sc;
    if (c->deployment)
        return;
    coltype *cols = calloc(LINT_MAX_COLS, sizeof *cols);
    if (!cols)
        return;
    int n = 0;
    for (int t = 0; t < sc->n_tables; t++)
        for (int k = 0; k < sc->tables[t].n_columns && n < LINT_MAX_COLS; k++, n++) {
            snprintf(cols[n].table, sizeof cols[n].table, "%s", sc->tables[t].name);
            snprintf(cols[n].column, sizeof cols[n].column, "%s", sc->tables[t].columns[k]);
            snprintf(cols[n].type, sizeof cols[n].type, "%s", sc->tables[t].types[k]);
        }
    for (int v = 0; v < sc->n_versions; v++) {
        const rs_version *ver = &sc->versions[v];
        int dep = deploy_action(sc, ver->name);
        for (int k = 0; k < ver->n_migrations; k++) {
            const rs_migration *m = &ver->migrations[k];
            coltype *ct = find_coltype(cols, n, m->table, m->column);
            char old[16] = "";
            if (ct)
                snprintf(old, sizeof old, "%s", ct->type);
            if (m->kind == RS_MIG_ADD_COLUMN && !ct && n < LINT_MAX_COLS) {
                snprintf(cols[n].table, sizeof cols[n].table, "%s", m->table);
                snprintf(cols[n].column, sizeof cols[n].column, "%s", m->column);
                snprintf(cols[n].type, sizeof cols[n].type, "%s", m->type);
                n++;
            } else if (m->kind == RS_MIG_MODIFY_COLUMN && ct) {
                snprintf(ct->type, sizeof ct->type, "%s", m->type);
            }
            if (v == sc->initial_version)
                continue; /* already applied when the scenario starts */
            char jp[80], fix[384];
            snprintf(jp, sizeof jp, "versions[%d].migrations[%d]", v, k);
            int f_old = 0, f_new = 0, r_old = old[0] ? type_rank(old, &f_old) : -1, r_new = type_rank(m->type, &f_new);
            bool narrowing = m->kind == RS_MIG_MODIFY_COLUMN && r_old > 0 && r_new > 0 && f_old == f_new && r_new < r_old;
            if ((m->kind == RS_MIG_DROP_COLUMN || narrowing) && !backup_before(sc, m->table, dep)) {
                snprintf(fix, sizeof fix,
                         "back the table up before the deploy of %s: add {\"at\": \"...\", \"do\": \"backup\", "
                         "\"table\": \"%s\"} to the timeline before it (or make the backup part of the migration job)",
                         ver->name, m->table);
                if (m->kind == RS_MIG_DROP_COLUMN)
                    add(c, RS_LINT_ERROR, "migration-backup", jp, fix,
                        "%s drops %s.%s and no backup of %s runs before its deploy: the values are gone when the "
                        "migration runs, a rollback cannot bring them back (the seed's Part 4: 'CANNOT rollback: "
                        "restore from backup, accept data loss, or recreate from logs')",
                        ver->name, m->table, m->column, m->table);
                else
                    add(c, RS_LINT_ERROR, "migration-backup", jp, fix,
                        "%s narrows %s.%s from %s to %s and no backup of %s runs before its deploy: values beyond "
                        "the new range are truncated or refused, and no down step restores them",
                        ver->name, m->table, m->column, old, m->type, m->table);
            }
            if (m->kind == RS_MIG_MODIFY_COLUMN && !narrowing && m->overflow_rate > 0)
                add(c, RS_LINT_WARNING, "migration-irreversible", jp,
                    "write values beyond the old range only once the release is trusted (expand, then contract), "
                    "and keep a hotfix path ready",
                    "%s widens %s.%s to %s and writes values beyond %s's range: after the first one the type cannot "
                    "be reverted and %s fails on them (the seed's Part 4: 'bigint values exceed int range, forward "
                    "fix ONLY')",
                    ver->name, m->table, m->column, m->type, old[0] ? old : "the old type",
                    v > 0 ? sc->versions[v - 1].name : "the previous version");
            if (m->kind != RS_MIG_DROP_COLUMN && !m->has_down) {
                char jd[96];
                snprintf(jd, sizeof jd, "%s.down", jp);
                add(c, RS_LINT_WARNING, "down-migration", jd,
                    "write the down step (and test it) before the deploy, or plan the forward fix",
                    "%s's %s of %s%s%s has no down step: the application can roll back but its schema cannot "
                    "(the seed's Q6: irreversible DB changes, forward fix only)",
                    ver->name, rs_migration_kind_name(m->kind), m->table, m->column[0] ? "." : "", m->column);
            }
        }
    }
    free(cols);
}

/* ---- reading the file ---- */

static char *read_all(const char *path, size_t *len, rs_diagnostics *diag)
{
    FILE *f = fopen(path, "rb");
    rs_error *e = &diag->items[0];
    if (!f) {
        diag->count = 1;
        rs_error_set(e, RS_BAD_INPUT, "", "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= MAX_FILE) {
            free(buf);
            buf = NULL;
            diag->count = 1;
            rs_error_set(e, RS_BAD_INPUT, "", "cannot read %s: larger than 64 MiB", path);
            fclose(f);
            return NULL;
        }
        char *b = realloc(buf, cap * 2 + 1);
        if (!b) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = b;
        cap *= 2;
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (!buf) {
        diag->count = 1;
        rs_error_set(e, RS_INTERNAL, "", "out of memory reading %s", path);
        return NULL;
    }
    if (failed) {
        free(buf);
        diag->count = 1;
        rs_error_set(e, RS_BAD_INPUT, "", "cannot read %s: read error", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A Deployment: "kind": "Deployment", or an apps/... apiVersion without a kind. 1 yes, 0 no (a
 * scenario), -1 another Kubernetes kind (named in *other). */
static int is_deployment(const cJSON *root, char *other, size_t size)
{
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
    const cJSON *api = cJSON_GetObjectItemCaseSensitive(root, "apiVersion");
    if (cJSON_IsString(kind)) {
        if (strcmp(kind->valuestring, "Deployment") == 0)
            return 1;
        snprintf(other, size, "%s", kind->valuestring);
        return -1;
    }
    if (cJSON_IsString(api) && strncmp(api->valuestring, "apps/", 5) == 0)
        return 1;
    return 0;
}

/* Applies the Deployment onto the default scenario. A Recreate strategy, which the importer refuses, is a
 * finding here: it is read as a RollingUpdate from a temporary copy so that the other checks still run. */
static rs_status apply_deployment(lctx *c, cJSON *root, rs_scenario *sc, rs_diagnostics *diag)
{
    rs_diagnostics *warn = malloc(sizeof *warn);
    if (!warn)
        return RS_INTERNAL;
    cJSON *spec = cJSON_GetObjectItemCaseSensitive(root, "spec");
    cJSON *strategy = cJSON_GetObjectItemCaseSensitive(spec, "strategy");
    cJSON *type = cJSON_GetObjectItemCaseSensitive(strategy, "type");
    const char *file = c->path;
    char tmp[64] = "";
    if (cJSON_IsString(type) && strcmp(type->valuestring, "Recreate") == 0) {
        add(c, RS_LINT_ERROR, "recreate-strategy", "spec.strategy.type",
            "use RollingUpdate (maxSurge 1, maxUnavailable 1 as in the seed) so that old pods serve until new ones "
            "are ready",
            "strategy Recreate stops every old pod before starting new ones: every rollout and every rollback is "
            "an outage for as long as the pods take to start");
        cJSON_SetValuestring(type, "RollingUpdate");
        char *text = cJSON_Print(root);
        snprintf(tmp, sizeof tmp, "/tmp/rollsim-lint-XXXXXX");
        int fd = text ? mkstemp(tmp) : -1;
        bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
        if (fd >= 0)
            close(fd);
        free(text);
        if (!ok) {
            if (fd >= 0)
                unlink(tmp);
            free(warn);
            diag->count = 1;
            rs_error_set(&diag->items[0], RS_INTERNAL, c->path, "cannot write a temporary copy of the Deployment");
            return RS_INTERNAL;
        }
        file = tmp;
    }
    rs_status st = rs_k8s_apply_deployment(file, sc, diag, warn);
    if (tmp[0]) {
        unlink(tmp);
        size_t n = strlen(tmp);
        for (int i = 0; i < diag->count; i++) { /* name the user's file, not the copy */
            rs_error *e = &diag->items[i];
            if (strncmp(e->where, tmp, n) == 0) {
                char rest[256];
                snprintf(rest, sizeof rest, "%s", e->where + n);
                snprintf(e->where, sizeof e->where, "%s%s", c->path, rest);
            }
        }
    }
    free(warn);
    return st;
}

rs_status rs_lint_file(const char *path, rs_lint_report *out, rs_diagnostics *diag)
{
    memset(out, 0, sizeof *out);
    memset(diag, 0, sizeof *diag);
    size_t len = 0;
    char *text = read_all(path, &len, diag);
    if (!text)
        return diag->items[0].code;
    rs_scenario *sc = malloc(sizeof *sc);
    if (!sc) {
        free(text);
        return RS_INTERNAL;
    }
    lctx c = {.path = path, .text = text, .len = len, .sc = sc, .out = out};
    cJSON *root = cJSON_ParseWithLength(text, len);
    char other[64] = "";
    int dep = cJSON_IsObject(root) ? is_deployment(root, other, sizeof other) : 0;
    rs_status st;
    if (dep < 0) {
        diag->count = 1;
        char where[256];
        locate(&c, "kind", where, sizeof where);
        st = rs_error_set(&diag->items[0], RS_BAD_INPUT, where,
                          "lint reads a scenario or an apps/v1 Deployment, not a %s", other);
    } else if (dep == 1) {
        c.deployment = true;
        snprintf(out->kind, sizeof out->kind, "Deployment");
        rs_scenario_defaults(sc);
        st = apply_deployment(&c, root, sc, diag);
    } else {
        snprintf(out->kind, sizeof out->kind, "scenario");
        st = rs_scenario_load_string(text, path, NULL, 0, sc, diag);
    }
    cJSON_Delete(root);
    if (st == RS_OK) {
        check_history(&c);
        check_probe(&c);
        check_unavailable(&c);
        check_deadline(&c);
        check_rollback_time(&c);
        check_bluegreen(&c);
        check_canary(&c);
        check_alerts(&c);
        check_migrations(&c);
    } else {
        memset(out, 0, sizeof *out); /* not linted: the problems are in diag */
    }
    free(sc);
    free(text);
    return st;
}

void rs_lint_print(const rs_lint_report *r, FILE *f)
{
    for (int i = 0; i < r->count; i++) {
        const rs_lint_finding *x = &r->items[i];
        fprintf(f, "%s: %s: %s: %s\n    fix: %s\n", x->where, rs_lint_severity_name(x->severity), x->check, x->reason,
                x->fix);
    }
    if (r->dropped > 0)
        fprintf(f, "... and %d more findings\n", r->dropped);
}
