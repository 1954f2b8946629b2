/* A training session: one run with a trainee as the on-call. Simulated time moves only through
 * rs_train_session_advance, and an action applies between events at the current simulated time, so a
 * replay that applies the recorded actions at the same times reproduces the run exactly, wherever the
 * live session happened to stop between frames. The session also keeps the live view: the samples a
 * dashboard shows and the timeline entries a person can see. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollsim/host.h"
#include "rollsim/io.h"
#include "rollsim/train.h"

struct rs_train_session {
    const rs_scenario *sc;
    rs_sim *sim;
    rs_train_record rec;              /* header and the actions taken */
    char *record_path;                /* NULL: not recorded */
    const rs_train_record *follow;    /* replaying: the recorded actions */
    int next_follow;
    /* the live view */
    rs_result live;
    rs_sample *series;                /* samples so far, plus room for the closing sentinel */
    size_t n_series, cap_series;
    rs_timeline_entry *seen;          /* visible entries, in time order */
    size_t n_seen, cap_seen;
    rs_pod_info *pods;
    int cap_pods;
    rs_time next_sample;
    uint64_t live_version;
    int pages;
    bool oom;
    const rs_result *result;          /* once finished */
};

static const char *const tact_names[RS_TACT_KIND_COUNT] = {
    "ack",     "note",       "undo",    "pause",  "resume",       "promote", "set_weight",
    "hotfix",  "config_fix", "restart", "scale",  "migrate_down", "backup",  "restore",
    "escalate", "wait",      "resolve", "logs",   "history"};

const char *rs_tact_name(rs_tact_kind k)
{
    return k >= 0 && k < RS_TACT_KIND_COUNT ? tact_names[k] : "?";
}

int rs_tact_from_name(const char *name)
{
    for (int k = 0; k < RS_TACT_KIND_COUNT; k++)
        if (name && strcmp(name, tact_names[k]) == 0)
            return k;
    return -1;
}

bool rs_tact_is_investigation(rs_tact_kind k) { return k == RS_TACT_LOGS || k == RS_TACT_HISTORY; }

/* ---- the live view ---- */

/* What an on-call sees of the timeline: not the fault, not the judge's impact and recovery marks. */
static bool visible(rs_event_kind k)
{
    switch (k) {
    case RS_EV_FAULT_ONSET:
    case RS_EV_IMPACT_START:
    case RS_EV_IMPACT_END:
    case RS_EV_RECOVERED:
        return false;
    default:
        return true;
    }
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap * 2 : 256;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(*p, cap2 * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = cap2;
    return 0;
}

/* rs_sim_on_timeline: called as each entry is recorded, actions' entries included. */
static void on_entry(void *ctx, const rs_timeline_entry *e)
{
    rs_train_session *s = ctx;
    if (e->kind == RS_EV_PAGE || e->kind == RS_EV_ESCALATE)
        s->pages++;
    if (!visible(e->kind))
        return;
    if (grow((void **)&s->seen, &s->cap_seen, s->n_seen + 1, sizeof *s->seen) != 0) {
        s->oom = true;
        return;
    }
    size_t i = s->n_seen++;
    while (i > 0 && s->seen[i - 1].t_ms > e->t_ms) { /* keep time order */
        s->seen[i] = s->seen[i - 1];
        i--;
    }
    s->seen[i] = *e;
    if (e->kind == RS_EV_DECISION) { /* the judge's verdict is for the debrief */
        char *cut = strstr(s->seen[i].detail, " — ");
        if (cut)
            *cut = '\0';
    }
    s->live_version++;
}

/* A dashboard sample at a scrape: the same 1-minute queries the run's own series uses. */
static void sample(rs_train_session *s)
{
    const rs_sim *sim = s->sim;
    int n = rs_sim_pods(sim, NULL, 0);
    if (n > s->cap_pods) {
        rs_pod_info *p = realloc(s->pods, (size_t)n * 2 * sizeof *p);
        if (!p) {
            s->oom = true;
            return;
        }
        s->pods = p;
        s->cap_pods = n * 2;
    }
    if (grow((void **)&s->series, &s->cap_series, s->n_series + 2, sizeof *s->series) != 0) {
        s->oom = true;
        return;
    }
    n = rs_sim_pods(sim, s->pods, s->cap_pods);
    rs_sample *o = &s->series[s->n_series++];
    memset(o, 0, sizeof *o);
    rs_time w = RS_MIN(1), now = rs_sim_now(sim);
    o->t_ms = now;
    o->rpm = rs_sim_query(sim, RS_METRIC_REQUEST_RATE, 0, -1, w);
    o->error_rate = rs_sim_query(sim, RS_METRIC_ERROR_RATE, 0, -1, w);
    o->latency_p50_ms = rs_sim_query(sim, RS_METRIC_LATENCY_P50, 0, -1, w);
    o->latency_p95_ms = rs_sim_query(sim, RS_METRIC_LATENCY_P95, 0, -1, w);
    o->latency_p99_ms = rs_sim_query(sim, RS_METRIC_LATENCY_P99, 0, -1, w);
    o->cpu = rs_sim_query(sim, RS_METRIC_CPU, 0, -1, RS_MS(1)); /* the gauge of this scrape */
    o->memory = rs_sim_query(sim, RS_METRIC_MEMORY, 0, -1, RS_MS(1));
    for (int i = 0; i < n && i < s->cap_pods; i++) {
        const rs_pod_info *p = &s->pods[i];
        if (strcmp(p->phase, "Terminating") == 0 || p->version < 0 || p->version >= RS_SERIES_MAX_VERSIONS)
            continue;
        o->total_by_version[p->version]++;
        o->ready_by_version[p->version] += p->ready;
        o->crashloop_by_version[p->version] += strcmp(p->phase, "CrashLoopBackOff") == 0;
        o->pods_total++;
        o->pods_ready += p->ready;
        o->restarts += p->restarts;
    }
    double all = rs_sim_query(sim, RS_METRIC_REQUEST_RATE, 0, -1, 2 * s->sc->scrape_interval);
    for (int v = 0; v < s->sc->n_versions && v < RS_SERIES_MAX_VERSIONS; v++) {
        double rv = rs_sim_query(sim, RS_METRIC_REQUEST_RATE, 0, v, 2 * s->sc->scrape_interval);
        o->share_by_version[v] = all > 0 && rv > 0 ? rv / all : 0;
        o->error_rate_by_version[v] = rs_sim_query(sim, RS_METRIC_ERROR_RATE, 0, v, w);
    }
    for (int k = 0; k < s->sc->n_biz_metrics; k++)
        o->business[k] = rs_sim_query(sim, RS_METRIC_BUSINESS, k, -1, w);
    s->live_version++;
}

const rs_result *rs_train_session_live(rs_train_session *s)
{
    rs_result *r = &s->live;
    r->scenario = s->sc;
    r->seed = s->rec.seed;
    r->timeline = s->seen;
    r->n_timeline = s->n_seen;
    r->series = s->series;
    r->n_series = s->n_series;
    if (s->n_series > 0) {
        /* a closing sample with nothing in it: the stacked lanes end at the last scrape, not at the end of
         * the axis (the layout stretches the last sample to the right edge) */
        rs_sample *end = &s->series[s->n_series];
        memset(end, 0, sizeof *end);
        end->t_ms = s->series[s->n_series - 1].t_ms + 1;
        end->rpm = end->error_rate = end->latency_p50_ms = end->latency_p95_ms = end->latency_p99_ms = NAN;
        end->cpu = end->memory = NAN;
        for (int k = 0; k < RS_MAX_BIZ_METRICS; k++)
            end->business[k] = NAN;
        r->n_series = s->n_series + 1;
    }
    r->outcome.end_ms = rs_sim_now(s->sim);
    return r;
}

uint64_t rs_train_session_live_version(const rs_train_session *s) { return s->live_version; }
int rs_train_session_pages(const rs_train_session *s) { return s->pages; }

/* ---- lifetime ---- */

rs_train_session *rs_train_session_new(const rs_scenario *sc, const rs_train_record *header,
                                       const char *record_path, rs_error *err)
{
    rs_train_session *s = calloc(1, sizeof *s);
    if (!s) {
        rs_error_set(err, RS_INTERNAL, "", "out of memory");
        return NULL;
    }
    rs_train_record_init(&s->rec);
    s->sc = sc;
    if (rs_train_record_copy_header(&s->rec, header) != 0 ||
        (record_path && !(s->record_path = malloc(strlen(record_path) + 1)))) {
        rs_error_set(err, RS_INTERNAL, "", "out of memory");
        rs_train_session_free(s);
        return NULL;
    }
    if (record_path)
        memcpy(s->record_path, record_path, strlen(record_path) + 1);
    s->sim = rs_sim_new(sc, header->seed, err);
    if (!s->sim) {
        rs_train_session_free(s);
        return NULL;
    }
    rs_sim_skip_scripted_operator(s->sim); /* the trainee is the on-call; the deploys still happen */
    rs_sim_on_timeline(s->sim, on_entry, s);
    s->next_sample = sc->scrape_interval;
    if (s->record_path && rs_train_record_save(&s->rec, s->record_path, err) != RS_OK) {
        rs_train_session_free(s);
        return NULL;
    }
    return s;
}

void rs_train_session_free(rs_train_session *s)
{
    if (!s)
        return;
    rs_sim_free(s->sim);
    rs_train_record_fini(&s->rec);
    free(s->record_path);
    free(s->series);
    free(s->seen);
    free(s->pods);
    free(s);
}

rs_sim *rs_train_session_sim(rs_train_session *s) { return s->sim; }
const rs_scenario *rs_train_session_scenario(const rs_train_session *s) { return s->sc; }
const rs_train_record *rs_train_session_record(const rs_train_session *s) { return &s->rec; }
bool rs_train_session_ended(const rs_train_session *s) { return rs_sim_ended(s->sim) || s->result; }

bool rs_train_session_advance(rs_train_session *s, rs_time t)
{
    if (s->result)
        return false;
    while (s->next_sample <= t && !rs_sim_ended(s->sim)) {
        rs_sim_run_until(s->sim, s->next_sample);
        if (!rs_sim_ended(s->sim))
            sample(s);
        s->next_sample += s->sc->scrape_interval;
    }
    return rs_sim_run_until(s->sim, t);
}

/* ---- actions ---- */

static rs_status apply(rs_sim *sim, const rs_tact *a, rs_error *err)
{
    const char *arg = a->arg;
    switch (a->kind) {
    case RS_TACT_ACK: return rs_action_ack(sim, "trainee", err);
    case RS_TACT_NOTE: return rs_action_note(sim, arg, err);
    case RS_TACT_UNDO: return rs_action_undo(sim, a->number, err);
    case RS_TACT_PAUSE: return rs_action_pause(sim, err);
    case RS_TACT_RESUME: return rs_action_resume(sim, err);
    case RS_TACT_PROMOTE: return rs_action_promote(sim, err);
    case RS_TACT_SET_WEIGHT: return rs_action_set_weight(sim, a->number, err);
    case RS_TACT_HOTFIX: return rs_action_hotfix(sim, arg, err);
    case RS_TACT_CONFIG_FIX: return rs_action_config_fix(sim, err);
    case RS_TACT_RESTART: return rs_action_restart(sim, err);
    case RS_TACT_SCALE: return rs_action_scale(sim, a->number, err);
    case RS_TACT_MIGRATE_DOWN: return rs_action_migrate_down(sim, arg[0] ? arg : NULL, err);
    case RS_TACT_BACKUP: return rs_action_backup(sim, arg, err);
    case RS_TACT_RESTORE: return rs_action_restore(sim, arg, err);
    case RS_TACT_ESCALATE: return rs_action_escalate(sim, arg, err);
    case RS_TACT_WAIT: return rs_action_wait(sim, arg, err);
    case RS_TACT_RESOLVE: return rs_action_resolve(sim, arg, err);
    case RS_TACT_LOGS:
    case RS_TACT_HISTORY:
    case RS_TACT_KIND_COUNT: break;
    }
    return RS_OK;
}

rs_status rs_train_session_act(rs_train_session *s, rs_tact *a, rs_error *err)
{
    if (s->result || rs_sim_ended(s->sim))
        return rs_error_set(err, RS_BAD_INPUT, rs_tact_name(a->kind), "the run has ended");
    a->t_ms = rs_sim_now(s->sim);
    a->outcome[0] = '\0';
    rs_error aerr;
    rs_error_clear(&aerr);
    rs_sim_set_actor(s->sim, "trainee");
    rs_status st = apply(s->sim, a, &aerr);
    if (st != RS_OK) { /* as kubectl would: the command fails, the incident goes on */
        snprintf(a->outcome, sizeof a->outcome, "%.200s", aerr.message);
        char note[RS_TEXT_MAX];
        snprintf(note, sizeof note, "%.16s failed: %.200s", rs_tact_name(a->kind), aerr.message);
        rs_action_note(s->sim, note, NULL);
    }
    rs_sim_set_actor(s->sim, "");
    if (rs_train_record_add(&s->rec, a) != 0)
        return rs_error_set(err, RS_INTERNAL, "", "out of memory recording the session");
    if (s->record_path) {
        rs_status ws = rs_train_record_save(&s->rec, s->record_path, err);
        if (ws != RS_OK)
            return ws;
    }
    if (st != RS_OK && err)
        *err = aerr;
    return st;
}

/* ---- replay ---- */

void rs_train_session_follow(rs_train_session *s, const rs_train_record *rec)
{
    s->follow = rec;
    s->next_follow = 0;
}

const rs_train_record *rs_train_session_followed(const rs_train_session *s) { return s->follow; }

const rs_tact *rs_train_session_next_recorded(const rs_train_session *s)
{
    if (!s->follow || s->next_follow >= s->follow->n_acts)
        return NULL;
    return &s->follow->acts[s->next_follow];
}

int rs_train_session_apply_due(rs_train_session *s, int max, rs_error *err)
{
    int n = 0;
    const rs_tact *a;
    while ((max <= 0 || n < max) && (a = rs_train_session_next_recorded(s)) && a->t_ms <= rs_sim_now(s->sim) &&
           !rs_sim_ended(s->sim)) {
        rs_tact copy = *a;
        s->next_follow++;
        rs_status st = rs_train_session_act(s, &copy, err);
        if (st == RS_INTERNAL)
            return -1;
        n++;
    }
    return n;
}

const rs_result *rs_train_session_finish(rs_train_session *s, const char *how, rs_error *err)
{
    if (s->result)
        return s->result;
    rs_time ended_at = rs_sim_now(s->sim);
    rs_sim_run(s->sim);
    const rs_result *r = rs_sim_result(s->sim);
    s->result = r;
    snprintf(s->rec.end_how, sizeof s->rec.end_how, "%s", how ? how : "time limit");
    s->rec.end_ms = ended_at;
    s->rec.has_result = true;
    s->rec.score = r->scores.score;
    s->rec.mttr_s = r->scores.mttr_s;
    char *json = rs_report_json(r);
    if (!json) {
        rs_error_set(err, RS_INTERNAL, "", "out of memory writing the report");
        return r;
    }
    rs_train_hash(json, s->rec.report_hash, sizeof s->rec.report_hash);
    free(json);
    if (s->record_path)
        rs_train_record_save(&s->rec, s->record_path, err);
    return r;
}

const rs_result *rs_train_session_result(rs_train_session *s) { return s->result; }

rs_train_session *rs_train_replay(const rs_scenario *sc, const rs_train_record *rec, rs_error *err)
{
    rs_train_session *s = rs_train_session_new(sc, rec, NULL, err);
    if (!s)
        return NULL;
    rs_train_session_follow(s, rec);
    const rs_tact *a;
    while ((a = rs_train_session_next_recorded(s)) && !rs_sim_ended(s->sim)) {
        rs_sim_run_until(s->sim, a->t_ms); /* no live view needed: straight to the action's time */
        if (rs_train_session_apply_due(s, 0, err) < 0) {
            rs_train_session_free(s);
            return NULL;
        }
    }
    rs_train_session_finish(s, rec->end_how[0] ? rec->end_how : "time limit", err);
    return s;
}

const char *rs_train_hash(const char *text, char *buf, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    snprintf(buf, size, "%016llx", (unsigned long long)h);
    return buf;
}
