/* The post-incident report (docs/postmortem.md): a blameless Markdown post-mortem of one run, as the
 * seed's Part 7 asks for it — a two-sentence summary, the impact (users, requests, error budget, data),
 * the incident timeline with its times, what was decided at each judgement, the root-cause category
 * derived from the run, that category's action items with owners and deadlines to fill, and the
 * follow-up process (post-mortem within 48 hours, blameless). Everything comes from the result, printed
 * with fixed formats: the same result gives the same bytes. */
#include "rollsim/io.h"

#include "rollsim/strbuf.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Markdown table cells: '|' and line breaks would break the row. */
static void put_cell(rs_strbuf *b, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '|')
            rs_strbuf_puts(b, "\\|");
        else if (*p == '\n' || *p == '\r')
            rs_strbuf_puts(b, " ");
        else
            rs_strbuf_put(b, p, 1);
    }
}

static const char *clock_of(rs_time t, char *buf, size_t size)
{
    return t == RS_TIME_NEVER ? "—" : rs_format_clock(t, buf, size);
}

static const char *dur_of(double seconds, char *buf, size_t size)
{
    if (isnan(seconds))
        return "n/a";
    return rs_format_duration((rs_time)llround(seconds * 1000.0), buf, size);
}

/* ---- what the run shows ---- */

typedef enum { CAT_NONE, CAT_TESTING, CAT_MONITORING, CAT_PROCESS, CAT_CODE } category;

static const char *const category_names[] = {"none", "Insufficient Testing", "Monitoring Gap", "Process Issue",
                                             "Code Quality"};

/* The seed's Part 7 action items of each category. */
static const char *const actions_of[][4] = {
    {NULL, NULL, NULL, NULL},
    {"Add integration test", "Expand E2E coverage", "Add load test", "Test in staging first"},
    {"Add new alert", "Adjust thresholds", "Add dashboard", "Improve visibility"},
    {"Update runbook", "Add checklist item", "Change deployment time", "Improve communication"},
    {"Fix bug", "Add validation", "Update dependency", "Code review process"},
};

#define MAX_CAUSES 16

typedef struct {
    bool release;            /* a fault of a release (else of the environment) */
    char version[RS_NAME_MAX];
    rs_fault_kind kind;
    bool config;             /* marked config_fix: a configuration mistake */
    char dependency[RS_NAME_MAX];
    rs_time t;
} cause;

typedef struct {
    const rs_result *r;
    rs_time deploy, impact, detect, page, ack, mitigate, impact_end, recovered, resolved;
    char deployed[RS_NAME_MAX];  /* the release of the first deploy */
    char detected_by[160];
    char mitigation[200];
    int n_causes;
    cause causes[MAX_CAUSES];
    bool slow_detection, undetected, blind;
    char blind_metric[64];
    category cat;
    char cat_why[256];
} facts;

static rs_time first_of(const rs_result *r, rs_event_kind k, rs_time from)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == k && r->timeline[i].t_ms >= from)
            return r->timeline[i].t_ms;
    return RS_TIME_NEVER;
}

static const rs_timeline_entry *first_entry(const rs_result *r, rs_event_kind k, rs_time from)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == k && r->timeline[i].t_ms >= from)
            return &r->timeline[i];
    return NULL;
}

/* The faults that began, from the timeline's fault_onset entries ("v2.5: redis_connection_bug: ...",
 * "environment: latency_regression: ...", "external_outage: dependency ..."). */
static void find_causes(facts *f)
{
    const rs_result *r = f->r;
    const rs_scenario *sc = r->scenario;
    for (size_t i = 0; i < r->n_timeline && f->n_causes < MAX_CAUSES; i++) {
        const rs_timeline_entry *e = &r->timeline[i];
        if (e->kind != RS_EV_FAULT_ONSET)
            continue;
        cause c;
        memset(&c, 0, sizeof c);
        c.t = e->t_ms;
        bool found = false;
        for (int v = 0; v < sc->n_versions && !found; v++) {
            size_t n = strlen(sc->versions[v].name);
            if (strncmp(e->detail, sc->versions[v].name, n) != 0 || strncmp(e->detail + n, ": ", 2) != 0)
                continue;
            for (int k = 0; k < sc->versions[v].n_faults && !found; k++) {
                const rs_fault *ft = &sc->versions[v].faults[k];
                const char *kn = rs_fault_kind_name(ft->kind);
                if (strncmp(e->detail + n + 2, kn, strlen(kn)) == 0) {
                    found = true;
                    c.release = true;
                    snprintf(c.version, sizeof c.version, "%s", sc->versions[v].name);
                    c.kind = ft->kind;
                    c.config = ft->config_fix;
                }
            }
        }
        for (int k = 0; k < sc->n_env_faults && !found; k++) {
            const rs_fault *ft = &sc->env_faults[k];
            const char *kn = rs_fault_kind_name(ft->kind);
            if (strstr(e->detail, kn)) {
                found = true;
                c.kind = ft->kind;
                snprintf(c.dependency, sizeof c.dependency, "%s", ft->dependency);
            }
        }
        if (found)
            f->causes[f->n_causes++] = c;
    }
}

/* The metric a fault moves, in words. */
static const char *symptom_name(rs_fault_kind k)
{
    return k == RS_FAULT_LATENCY_REGRESSION ? "latency (p95/p99)"
           : k == RS_FAULT_MEMORY_LEAK      ? "memory, restarts or ready pods"
           : k == RS_FAULT_TRAFFIC_DROP     ? "request rate (a traffic drop)"
           : k == RS_FAULT_DATA_CORRUPTION  ? "the business metric"
                                            : "error rate";
}

/* Does an alert rule of the scenario watch the metric this fault moves? */
static bool alert_on_symptom(const rs_scenario *sc, rs_fault_kind k, char *metric, size_t size)
{
    for (int i = 0; i < sc->n_alerts; i++) {
        rs_metric_kind m = sc->alerts[i].metric;
        switch (k) {
        case RS_FAULT_REDIS_CONNECTION_BUG:
        case RS_FAULT_EXTERNAL_OUTAGE:
            if (m == RS_METRIC_ERROR_RATE)
                return true;
            break;
        case RS_FAULT_LATENCY_REGRESSION:
            if (m == RS_METRIC_LATENCY_P50 || m == RS_METRIC_LATENCY_P95 || m == RS_METRIC_LATENCY_P99)
                return true;
            break;
        case RS_FAULT_MEMORY_LEAK:
            if (m == RS_METRIC_MEMORY || m == RS_METRIC_RESTARTS || m == RS_METRIC_READY_PODS || m == RS_METRIC_ERROR_RATE)
                return true;
            break;
        case RS_FAULT_TRAFFIC_DROP:
            if (m == RS_METRIC_REQUEST_RATE)
                return true;
            break;
        case RS_FAULT_DATA_CORRUPTION:
            if (m == RS_METRIC_BUSINESS)
                return true;
            break;
        case RS_FAULT_KIND_COUNT:
            break;
        }
    }
    snprintf(metric, size, "%s", symptom_name(k));
    return false;
}

static void gather(facts *f, const rs_result *r)
{
    memset(f, 0, sizeof *f);
    f->r = r;
    f->deploy = first_of(r, RS_EV_DEPLOY_START, 0);
    const rs_timeline_entry *d = first_entry(r, RS_EV_DEPLOY_START, 0);
    const char *arrow = d ? strstr(d->detail, "→ ") : NULL;
    if (arrow) {
        arrow += strlen("→ ");
        size_t n = strcspn(arrow, " (");
        snprintf(f->deployed, sizeof f->deployed, "%.*s", (int)(n < RS_NAME_MAX ? n : RS_NAME_MAX - 1), arrow);
    }
    f->impact = first_of(r, RS_EV_IMPACT_START, 0);
    f->detect = RS_TIME_NEVER;
    if (f->impact != RS_TIME_NEVER)
        for (size_t i = 0; i < r->n_timeline; i++) {
            const rs_timeline_entry *e = &r->timeline[i];
            if ((e->kind == RS_EV_ALERT_FIRING || e->kind == RS_EV_DECISION) && e->t_ms >= f->impact) {
                f->detect = e->t_ms;
                snprintf(f->detected_by, sizeof f->detected_by, "%s %.120s",
                         e->kind == RS_EV_ALERT_FIRING ? "alert" : "decision", e->detail);
                break;
            }
        }
    f->page = first_of(r, RS_EV_PAGE, 0);
    f->ack = first_of(r, RS_EV_ACK, f->page == RS_TIME_NEVER ? 0 : f->page);
    f->impact_end = f->impact == RS_TIME_NEVER ? RS_TIME_NEVER : first_of(r, RS_EV_IMPACT_END, f->impact);
    f->recovered = f->impact == RS_TIME_NEVER ? RS_TIME_NEVER : first_of(r, RS_EV_RECOVERED, f->impact);
    f->resolved = first_of(r, RS_EV_RESOLVED, 0);
    find_causes(f);

    /* the first mitigating action after the impact began */
    f->mitigate = RS_TIME_NEVER;
    rs_time from = f->impact == RS_TIME_NEVER ? 0 : f->impact;
    for (size_t i = 0; i < r->n_timeline; i++) {
        const rs_timeline_entry *e = &r->timeline[i];
        if (e->t_ms < from)
            continue;
        const char *what = NULL;
        if (e->kind == RS_EV_ROLLBACK_START)
            what = "the release was rolled back";
        else if (e->kind == RS_EV_HOTFIX)
            what = "a hotfix was built and deployed";
        else if (e->kind == RS_EV_CONFIG_FIX)
            what = "the config map was corrected and the pods restarted";
        else if (e->kind == RS_EV_ESCALATE)
            what = "the owners of the failing part were engaged";
        if (what) {
            f->mitigate = e->t_ms;
            snprintf(f->mitigation, sizeof f->mitigation, "%s", what);
            break;
        }
    }
    bool external = false, release = false, config = false, perf = false;
    for (int i = 0; i < f->n_causes; i++) {
        const cause *c = &f->causes[i];
        if (!c->release)
            external = true;
        else if (c->config)
            config = true;
        else if (c->kind == RS_FAULT_MEMORY_LEAK || c->kind == RS_FAULT_LATENCY_REGRESSION)
            perf = true;
        else
            release = true;
    }
    if (external && f->n_causes > 0 && !f->causes[0].release && f->mitigation[0] == '\0')
        snprintf(f->mitigation, sizeof f->mitigation, "the failing dependency recovered");

    /* the root-cause category (docs/postmortem.md, "The category rule") */
    if (f->impact == RS_TIME_NEVER) {
        f->cat = CAT_NONE;
        snprintf(f->cat_why, sizeof f->cat_why, "no user impact");
        return;
    }
    f->undetected = f->detect == RS_TIME_NEVER;
    f->slow_detection = !f->undetected && f->detect - f->impact > RS_MIN(10);
    for (int i = 0; i < f->n_causes && !f->blind; i++)
        f->blind = !alert_on_symptom(r->scenario, f->causes[i].kind, f->blind_metric, sizeof f->blind_metric);
    char dd[24];
    if (f->undetected) {
        f->cat = CAT_MONITORING;
        snprintf(f->cat_why, sizeof f->cat_why, "the impact was never detected: no alert fired and nobody decided");
    } else if (f->slow_detection) {
        f->cat = CAT_MONITORING;
        snprintf(f->cat_why, sizeof f->cat_why, "detection took %s, more than 10 minutes after the impact began",
                 rs_format_duration(f->detect - f->impact, dd, sizeof dd));
    } else if (f->blind) {
        f->cat = CAT_MONITORING;
        snprintf(f->cat_why, sizeof f->cat_why, "no alert rule watches the symptom (%s): a blind spot",
                 f->blind_metric);
    } else if (external && !release && !config && !perf) {
        f->cat = CAT_PROCESS;
        snprintf(f->cat_why, sizeof f->cat_why,
                 "the cause was outside the release (a dependency failed): a process and dependency issue");
    } else if (config) {
        f->cat = CAT_PROCESS;
        snprintf(f->cat_why, sizeof f->cat_why, "a configuration mistake shipped with the release: a skipped step");
    } else if (perf && !release) {
        f->cat = CAT_TESTING;
        snprintf(f->cat_why, sizeof f->cat_why,
                 "a performance fault of the release (memory or latency under load): load testing needed");
    } else if (release) {
        f->cat = CAT_CODE;
        snprintf(f->cat_why, sizeof f->cat_why, "a fault shipped in the release: a bug in code");
    } else {
        f->cat = CAT_CODE;
        snprintf(f->cat_why, sizeof f->cat_why, "the release's schema change broke the previous version");
    }
}

static const char *fault_words(rs_fault_kind k)
{
    switch (k) {
    case RS_FAULT_REDIS_CONNECTION_BUG: return "requests touching the cache failed or timed out";
    case RS_FAULT_LATENCY_REGRESSION: return "responses slowed down";
    case RS_FAULT_MEMORY_LEAK: return "memory grew until pods were OOMKilled";
    case RS_FAULT_TRAFFIC_DROP: return "users could not reach the service";
    case RS_FAULT_DATA_CORRUPTION: return "responses returned invalid data";
    case RS_FAULT_EXTERNAL_OUTAGE: return "a dependency failed";
    case RS_FAULT_KIND_COUNT: break;
    }
    return "a fault";
}

static void cause_text(const cause *c, char *buf, size_t size)
{
    if (!c->release)
        snprintf(buf, size, "%s %s (%s, not the release)", c->kind == RS_FAULT_EXTERNAL_OUTAGE ? "dependency" : "environment",
                 c->kind == RS_FAULT_EXTERNAL_OUTAGE ? c->dependency : rs_fault_kind_name(c->kind), fault_words(c->kind));
    else
        snprintf(buf, size, "%s in %s: %s%s", rs_fault_kind_name(c->kind), c->version, fault_words(c->kind),
                 c->config ? " (a configuration mistake)" : "");
}

/* ---- sections ---- */

static void summary(rs_strbuf *b, const facts *f)
{
    const rs_result *r = f->r;
    const rs_scenario *sc = r->scenario;
    const rs_scores *s = &r->scores;
    char c1[24], c2[24], d1[24];
    rs_strbuf_puts(b, "## Summary\n\n");
    if (f->impact == RS_TIME_NEVER) {
        if (f->deploy != RS_TIME_NEVER)
            rs_strbuf_printf(b, "Release %s of %s/%s was deployed at %s and no user impact followed. ",
                             f->deployed[0] ? f->deployed : "?", sc->namespace_, sc->service,
                             clock_of(f->deploy, c1, sizeof c1));
        else
            rs_strbuf_printf(b, "%s/%s ran without a deploy and without user impact. ", sc->namespace_, sc->service);
        rs_strbuf_printf(b, "There is no incident to review; the run ended on %s (revision %d).\n\n",
                         r->outcome.final_version, r->outcome.final_revision);
        return;
    }
    char cause_buf[200] = "an unidentified cause";
    if (f->n_causes > 0)
        cause_text(&f->causes[0], cause_buf, sizeof cause_buf);
    const rs_timeline_entry *imp = first_entry(r, RS_EV_IMPACT_START, 0);
    const char *why = imp && strncmp(imp->detail, "users impacted: ", 16) == 0 ? imp->detail + 16 : "users impacted";
    if (f->deploy != RS_TIME_NEVER && f->deploy <= f->impact)
        rs_strbuf_printf(b,
                         "Release %s of %s/%s was deployed at %s and from %s users were impacted (%s) by %s, with "
                         "errors peaking at %.1f%% and p95 latency at %.0f ms. ",
                         f->deployed[0] ? f->deployed : "?", sc->namespace_, sc->service,
                         clock_of(f->deploy, c1, sizeof c1), clock_of(f->impact, c2, sizeof c2), why, cause_buf,
                         s->peak_error_rate * 100, s->peak_latency_p95_ms);
    else
        rs_strbuf_printf(b,
                         "From %s users of %s/%s were impacted (%s) by %s, with errors peaking at %.1f%% and p95 "
                         "latency at %.0f ms. ",
                         clock_of(f->impact, c2, sizeof c2), sc->namespace_, sc->service, why, cause_buf,
                         s->peak_error_rate * 100, s->peak_latency_p95_ms);
    if (f->undetected)
        rs_strbuf_puts(b, "Nothing detected it");
    else
        rs_strbuf_printf(b, "It was detected %s after it began", dur_of(s->mttd_s, d1, sizeof d1));
    if (f->mitigation[0])
        rs_strbuf_printf(b, ", %s", f->mitigation);
    if (f->recovered != RS_TIME_NEVER)
        rs_strbuf_printf(b, " and the service recovered at %s, %s after the impact began",
                         clock_of(f->recovered, c1, sizeof c1), dur_of(s->mttr_s, d1, sizeof d1));
    else
        rs_strbuf_printf(b, " and the service had not recovered when the run ended at %s",
                         clock_of(r->outcome.end_ms, c1, sizeof c1));
    rs_strbuf_printf(b, "; root-cause category: %s.\n\n", category_names[f->cat]);
}

static void impact(rs_strbuf *b, const facts *f)
{
    const rs_result *r = f->r;
    const rs_scores *s = &r->scores;
    const rs_scenario *sc = r->scenario;
    const rs_data_result *dt = &r->data;
    char d1[24];
    rs_strbuf_puts(b, "## Impact\n\n| | |\n|---|---|\n");
    rs_strbuf_printf(b, "| Users affected | %.2f%% of requests failed or were slow |\n", s->users_affected);
    rs_strbuf_printf(b, "| Failed requests | %.0f of %.0f (%.2f%%) |\n", s->failed_requests, s->total_requests,
                     s->total_requests > 0 ? 100.0 * s->failed_requests / s->total_requests : 0.0);
    rs_strbuf_printf(b, "| Slow requests | %.0f |\n", s->slow_requests);
    char win[24];
    rs_strbuf_printf(b, "| Error budget burned | %.2f%% of the %s budget (SLO %.2f%%) |\n",
                     s->error_budget_burned_pct, rs_format_duration(sc->slo_window, win, sizeof win),
                     sc->slo_target * 100);
    rs_strbuf_printf(b, "| Peak error rate | %.1f%% |\n", s->peak_error_rate * 100);
    rs_strbuf_printf(b, "| Peak p95 latency | %.0f ms (baseline %.0f ms) |\n", s->peak_latency_p95_ms,
                     sc->baseline.latency_p95_ms);
    rs_strbuf_printf(b, "| User impact lasted | %s |\n", dur_of(s->mttm_s, d1, sizeof d1));
    rs_strbuf_printf(b, "| Data: rows lost | %.0f |\n", dt->rows_lost);
    rs_strbuf_printf(b, "| Data: rows at risk | %.0f (what the pending down migrations would drop unbacked) |\n",
                     dt->rows_at_risk);
    rs_strbuf_printf(b, "| Data: backups taken | %d |\n", dt->backups_taken);
    rs_strbuf_printf(b, "| Score | %.1f / 100 |\n\n", s->score);
    if (dt->n_migrations > 0) {
        rs_strbuf_puts(b, "Migrations:\n\n| Version | Change | Status |\n|---|---|---|\n");
        for (int i = 0; i < dt->n_migrations; i++) {
            const rs_migration_result *m = &dt->migrations[i];
            rs_strbuf_printf(b, "| %s | %s %s%s%s | %s |\n", m->version, rs_migration_kind_name(m->kind),
                             m->table, m->column[0] ? "." : "", m->column, m->status);
        }
        rs_strbuf_puts(b, "\n");
    }
}

typedef struct {
    rs_time t;
    int seq;
    const char *moment;
    char what[256];
} trow;

static int trow_cmp(const void *a, const void *b)
{
    const trow *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static void add_row(trow *rows, int *n, int max, const char *moment, rs_time t, const char *what)
{
    if (t == RS_TIME_NEVER || *n >= max)
        return;
    trow *x = &rows[*n];
    x->t = t;
    x->seq = *n;
    x->moment = moment;
    snprintf(x->what, sizeof x->what, "%s", what);
    (*n)++;
}

static const char *detail_of(const rs_result *r, rs_event_kind k, rs_time t)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == k && r->timeline[i].t_ms == t)
            return r->timeline[i].detail;
    return "";
}

#define MAX_ROWS 96

static void timeline(rs_strbuf *b, const facts *f)
{
    const rs_result *r = f->r;
    const rs_scores *s = &r->scores;
    trow *rows = malloc(MAX_ROWS * sizeof *rows);
    if (!rows) {
        rs_strbuf_fail(b);
        return;
    }
    int n = 0;
    add_row(rows, &n, MAX_ROWS, "Deployment", f->deploy, detail_of(r, RS_EV_DEPLOY_START, f->deploy));
    add_row(rows, &n, MAX_ROWS, "Impact began", f->impact, detail_of(r, RS_EV_IMPACT_START, f->impact));
    add_row(rows, &n, MAX_ROWS, "Detection", f->detect, f->detected_by);
    add_row(rows, &n, MAX_ROWS, "Page", f->page, detail_of(r, RS_EV_PAGE, f->page));
    add_row(rows, &n, MAX_ROWS, "Acknowledged", f->ack, detail_of(r, RS_EV_ACK, f->ack));
    for (int i = 0; i < r->n_decisions; i++) {
        const rs_decision *d = &r->decisions[i];
        char what[200];
        snprintf(what, sizeof what, "%s by %s: judged %s", rs_decision_kind_name(d->kind), d->who,
                 rs_judgement_name(d->judgement));
        add_row(rows, &n, MAX_ROWS, "Decision", d->t_ms, what);
    }
    rs_time from = f->deploy != RS_TIME_NEVER ? f->deploy : f->impact != RS_TIME_NEVER ? f->impact : 0;
    for (size_t i = 0; i < r->n_timeline; i++) {
        const rs_timeline_entry *e = &r->timeline[i];
        const char *m = e->kind == RS_EV_ROLLBACK_START      ? "Rollback started"
                        : e->kind == RS_EV_ROLLBACK_COMPLETE ? "Rollback complete"
                        : e->kind == RS_EV_HOTFIX            ? "Hotfix build"
                        : e->kind == RS_EV_CONFIG_FIX        ? "Config fix"
                        : e->kind == RS_EV_ESCALATE          ? "Escalation"
                        : e->kind == RS_EV_MIGRATION         ? "Migration"
                        : e->kind == RS_EV_BACKUP            ? "Backup"
                        : e->kind == RS_EV_RESTORE           ? "Restore"
                        : e->kind == RS_EV_DEPLOY_START && e->t_ms > f->deploy ? "Deployment"
                                                                               : NULL;
        if (m && e->t_ms >= from)
            add_row(rows, &n, MAX_ROWS, m, e->t_ms, e->detail);
    }
    add_row(rows, &n, MAX_ROWS, "Impact ended", f->impact_end, detail_of(r, RS_EV_IMPACT_END, f->impact_end));
    add_row(rows, &n, MAX_ROWS, "Recovery", f->recovered, detail_of(r, RS_EV_RECOVERED, f->recovered));
    add_row(rows, &n, MAX_ROWS, "Resolution", f->resolved, detail_of(r, RS_EV_RESOLVED, f->resolved));
    qsort(rows, (size_t)n, sizeof *rows, trow_cmp);
    rs_strbuf_puts(b, "## Timeline\n\n| Moment | Time | Since deploy | What happened |\n|---|---|---|---|\n");
    for (int i = 0; i < n; i++) {
        char c[24], d[24];
        rs_strbuf_printf(b, "| %s | %s | ", rows[i].moment, clock_of(rows[i].t, c, sizeof c));
        if (f->deploy != RS_TIME_NEVER && rows[i].t >= f->deploy)
            rs_strbuf_printf(b, "+%s", rs_format_duration(rows[i].t - f->deploy, d, sizeof d));
        else
            rs_strbuf_puts(b, "—");
        rs_strbuf_puts(b, " | ");
        put_cell(b, rows[i].what);
        rs_strbuf_puts(b, " |\n");
    }
    free(rows);
    char d1[24], d2[24], d3[24], d4[24], d5[24];
    if (f->impact != RS_TIME_NEVER) {
        rs_time end = f->resolved != RS_TIME_NEVER ? f->resolved : f->recovered;
        rs_strbuf_printf(b, "| **Total duration** | | | %s (impact began → %s) |\n\n",
                         end != RS_TIME_NEVER ? rs_format_duration(end - f->impact, d1, sizeof d1)
                                              : "not over when the run ended",
                         f->resolved != RS_TIME_NEVER ? "resolved" : "recovered");
    } else {
        rs_strbuf_puts(b, "\n");
    }
    rs_strbuf_printf(b, "MTTD %s · MTTA %s · MTTM %s · MTTR %s · incident %s (docs/scoring.md)\n\n",
                     dur_of(s->mttd_s, d1, sizeof d1), dur_of(s->mtta_s, d2, sizeof d2),
                     dur_of(s->mttm_s, d3, sizeof d3), dur_of(s->mttr_s, d4, sizeof d4),
                     dur_of(s->incident_s, d5, sizeof d5));
}

static void decisions(rs_strbuf *b, const facts *f)
{
    const rs_result *r = f->r;
    rs_strbuf_puts(b, "## Decisions\n\n");
    if (r->n_decisions == 0) {
        rs_strbuf_puts(b, "No judged decision was recorded (no rollback, forward fix, escalation or decision to "
                          "wait).\n\n");
        return;
    }
    rs_strbuf_puts(b, "Each judgement, with what was known at that moment, the branch of the seed's decision tree that "
                      "applies (Part 2, and Part 4 for the database) and how it is judged. The review asks what the "
                      "process made easy or hard, not who erred.\n\n");
    for (int i = 0; i < r->n_decisions; i++) {
        const rs_decision *d = &r->decisions[i];
        char c[24], mins[32], eta[24], hot[24];
        rs_strbuf_printf(b, "%d. **%s — %s** (%s): judged **%s**\n", i + 1, clock_of(d->t_ms, c, sizeof c),
                         rs_decision_kind_name(d->kind), d->who, rs_judgement_name(d->judgement));
        if (isnan(d->minutes_since_deploy))
            snprintf(mins, sizeof mins, "no deployment yet");
        else
            snprintf(mins, sizeof mins, "%.1f min since the deployment", d->minutes_since_deploy);
        rs_strbuf_printf(b,
                         "   - Facts: impact %s; %s; data changes %s; caused by the deployment: %s; rollback would "
                         "take %s; quick config fix: %s; hotfix: %s\n",
                         d->impact ? d->impact : "?", mins, d->data_changes ? d->data_changes : "?",
                         d->cause_is_deployment ? "yes" : "no", dur_of(d->rollback_eta_s, eta, sizeof eta),
                         d->config_fixable ? "yes" : "no",
                         isnan(d->hotfix_eta_s) ? "none ready" : dur_of(d->hotfix_eta_s, hot, sizeof hot));
        rs_strbuf_printf(b, "   - Branch: %s\n   - Why: %s\n", d->branch, d->reason);
    }
    rs_strbuf_puts(b, "\n");
}

static void category_section(rs_strbuf *b, const facts *f)
{
    const rs_result *r = f->r;
    rs_strbuf_puts(b, "## Root cause\n\n");
    if (f->cat == CAT_NONE) {
        rs_strbuf_puts(b, "No user impact: no category and no action items.\n\n");
        return;
    }
    for (int i = 0; i < f->n_causes; i++) {
        char text[200], c[24];
        cause_text(&f->causes[i], text, sizeof text);
        rs_strbuf_printf(b, "- Cause: %s (from %s)\n", text, clock_of(f->causes[i].t, c, sizeof c));
    }
    if (f->n_causes == 0)
        rs_strbuf_puts(b, "- Cause: no fault began; the impact came from the rollout itself (capacity, a schema "
                          "change)\n");
    rs_strbuf_printf(b, "\n**Category: %s** — %s.\n\n", category_names[f->cat], f->cat_why);
    /* contributing factors: the other rules that matched, and judged decisions */
    int n = 0;
    char d1[24];
    if (f->cat != CAT_MONITORING && f->blind)
        rs_strbuf_printf(b, "%s- Monitoring: no alert rule watches %s\n", n++ ? "" : "Contributing factors:\n\n",
                         f->blind_metric);
    if (f->cat != CAT_MONITORING && !f->undetected && f->detect - f->impact > RS_MIN(5))
        rs_strbuf_printf(b, "%s- Monitoring: detection took %s (the seed's incident: about 5 minutes)\n",
                         n++ ? "" : "Contributing factors:\n\n",
                         rs_format_duration(f->detect - f->impact, d1, sizeof d1));
    if (!isnan(r->scores.mtta_s) && r->scores.mtta_s > 300)
        rs_strbuf_printf(b, "%s- Process: the page waited %s for an acknowledgement (communication gap)\n",
                         n++ ? "" : "Contributing factors:\n\n", dur_of(r->scores.mtta_s, d1, sizeof d1));
    if (r->scores.decisions_harmful > 0)
        rs_strbuf_printf(b,
                         "%s- Process: %d decision(s) judged harmful against the decision tree (see Decisions): the "
                         "runbook did not make the right branch easy\n",
                         n++ ? "" : "Contributing factors:\n\n", r->scores.decisions_harmful);
    if (r->data.rows_lost > 0)
        rs_strbuf_printf(b, "%s- Process: %.0f rows lost%s\n", n++ ? "" : "Contributing factors:\n\n",
                         r->data.rows_lost, r->data.backups_taken ? "" : " and no backup was taken");
    if (!r->outcome.recovered)
        rs_strbuf_printf(b, "%s- The service had not recovered when the run ended\n",
                         n++ ? "" : "Contributing factors:\n\n");
    if (n)
        rs_strbuf_puts(b, "\n");
}

static void action_items(rs_strbuf *b, const facts *f)
{
    if (f->cat == CAT_NONE)
        return;
    const rs_scenario *sc = f->r->scenario;
    char hint[4][160];
    memset(hint, 0, sizeof hint);
    const cause *c = f->n_causes > 0 ? &f->causes[0] : NULL;
    const char *rel = c && c->release ? c->version : f->deployed;
    const char *kind = c ? rs_fault_kind_name(c->kind) : "the fault";
    switch (f->cat) {
    case CAT_TESTING:
        snprintf(hint[0], sizeof hint[0], "that reproduces %s of %s", kind, rel);
        snprintf(hint[2], sizeof hint[2], "at production traffic (%.0f req/min) for longer than the time to fail",
                 sc->traffic.rpm);
        break;
    case CAT_MONITORING:
        snprintf(hint[0], sizeof hint[0], "on %s", f->blind ? f->blind_metric : c ? symptom_name(c->kind) : "the symptom");
        if (!f->blind)
            snprintf(hint[1], sizeof hint[1], "the symptom was seen %s after it began",
                     f->undetected ? "never" : "more than 10 minutes");
        break;
    case CAT_PROCESS:
        if (c && !c->release)
            snprintf(hint[0], sizeof hint[0], "a failing %s is escalated to its owners, not rolled back",
                     c->kind == RS_FAULT_EXTERNAL_OUTAGE ? c->dependency : "dependency");
        else
            snprintf(hint[1], sizeof hint[1], "validate the config map of the release before the deploy");
        break;
    case CAT_CODE:
        snprintf(hint[0], sizeof hint[0], "%s in %s", kind, rel);
        break;
    case CAT_NONE:
        break;
    }
    rs_strbuf_printf(b, "## Action items (%s)\n\n", category_names[f->cat]);
    for (int i = 0; i < 4; i++)
        rs_strbuf_printf(b, "- [ ] %s%s%s  \n  Owner: ____  Deadline: ____\n", actions_of[f->cat][i],
                         hint[i][0] ? ": " : "", hint[i]);
    rs_strbuf_puts(b, "\n");
}

static void follow_up(rs_strbuf *b, const facts *f)
{
    rs_strbuf_puts(b, "## Follow-up\n\n");
    rs_strbuf_puts(b, "- [ ] Schedule post-mortem within 48 hours, blameless: all stakeholders invited  \n"
                      "  Owner: ____  Deadline: ____\n");
    rs_strbuf_puts(b, "- [ ] Root cause analysis: why did the issue occur? why wasn't it caught? what can we learn?  \n"
                      "  Owner: ____  Deadline: ____\n");
    rs_strbuf_puts(b, "- [ ] Assign owners: each action has an owner and a deadline; track them in the project "
                      "board  \n  Owner: ____  Deadline: ____\n");
    rs_strbuf_puts(b, "- [ ] Document learnings: update the wiki, share with the team, add to the knowledge base, "
                      "update training  \n  Owner: ____  Deadline: ____\n");
    rs_strbuf_puts(b, "- [ ] Prevent recurrence: tests added, monitoring improved, process updated, team educated  \n"
                      "  Owner: ____  Deadline: ____\n\n");
    (void)f;
}

char *rs_report_postmortem(const rs_result *r)
{
    facts *f = malloc(sizeof *f);
    if (!f)
        return NULL;
    gather(f, r);
    rs_strbuf b = {0};
    const rs_scenario *sc = r->scenario;
    rs_strbuf_printf(&b, "# Post-incident report: %s\n\n", sc->name[0] ? sc->name : "scenario");
    rs_strbuf_printf(&b,
                     "Blameless post-mortem of a rollsim run (seed %llu, %s/%s). It describes what the system, the "
                     "tools and the process did, and what to change; it names roles, not people.\n\n",
                     (unsigned long long)r->seed, sc->namespace_, sc->service);
    summary(&b, f);
    impact(&b, f);
    timeline(&b, f);
    decisions(&b, f);
    category_section(&b, f);
    action_items(&b, f);
    follow_up(&b, f);
    free(f);
    return rs_strbuf_take(&b);
}

rs_status rs_write_postmortem(const rs_result *r, const char *path, rs_error *err)
{
    char *text = rs_report_postmortem(r);
    if (!text)
        return rs_error_set(err, RS_INTERNAL, path, "out of memory writing the post-mortem");
    rs_status st = rs_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return st;
}
