/* Event markers and alert bands of the timeline picture. Markers get short labels ("deploy v2.5",
 * "FIRING HighErrorRate", "undo → v2.4") placed in rows above the lanes so that no two labels overlap and
 * no marker's stem crosses another's label; when too dense, labels merge, shorten, or are left off
 * (the stem stays). Bands show when each alert was pending or firing, behind the lane of its metric. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout_int.h"

#define LABEL_CHARS 96

typedef struct {
    rs_time t;
    rs_event_kind kind;
    int count;
    int priority;
    uint32_t color;
    char text[LABEL_CHARS];
    char brief[32];        /* fallback when the label does not fit */
    double first_weight, last_weight; /* canary weights of a merged RS_EV_TRAFFIC run */
    /* placement */
    bool labelled;
    int row;
    float x, x0, x1;       /* stem, label extent */
    float w;
} cand;

/* The version an event moves to: the word after "→ " ("deploy v2.4 → v2.5 (revision 10)" → "v2.5"), else
 * the first version name the text mentions ("canary v2.5 (revision 11) beside primary v2.4"). */
static void target_version(const rs_scenario *sc, const char *s, char *out, size_t size)
{
    const char *p = strstr(s, "→ ");
    out[0] = '\0';
    if (p) {
        p += strlen("→ ");
        size_t n = strcspn(p, " (:,;");
        snprintf(out, size, "%.*s", (int)(n < 40 ? n : 40), p);
        return;
    }
    const char *best = NULL;
    for (int v = 0; v < sc->n_versions; v++) {
        size_t n = strlen(sc->versions[v].name);
        for (const char *q = n ? strstr(s, sc->versions[v].name) : NULL; q; q = strstr(q + 1, sc->versions[v].name)) {
            bool word = (q == s || strchr(" (:", q[-1])) && strchr(" ),:;", q[n]) != NULL;
            if (word && (!best || q < best)) {
                best = q;
                snprintf(out, size, "%s", sc->versions[v].name);
            }
            if (word)
                break;
        }
    }
}

static const char *fault_label(const char *detail)
{
    static const struct {
        rs_fault_kind kind;
        const char *label;
    } names[] = {{RS_FAULT_REDIS_CONNECTION_BUG, "redis bug"}, {RS_FAULT_LATENCY_REGRESSION, "slow responses"},
                 {RS_FAULT_MEMORY_LEAK, "memory leak"},        {RS_FAULT_TRAFFIC_DROP, "traffic drop"},
                 {RS_FAULT_DATA_CORRUPTION, "bad data"},       {RS_FAULT_EXTERNAL_OUTAGE, "dependency down"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strstr(detail, rs_fault_kind_name(names[i].kind)))
            return names[i].label;
    return "onset";
}

/* Copies at most max_chars characters of src, ending with "…" when cut. */
static void clip_chars(char *dst, size_t size, const char *src, int max_chars)
{
    const char *p = src;
    int n = 0;
    while (*p && n < max_chars) {
        p++;
        while ((*p & 0xc0) == 0x80)
            p++;
        n++;
    }
    snprintf(dst, size, *p ? "%.*s…" : "%.*s", (int)(p - src), src);
}

static void label_alert(const rs_result *r, const rs_timeline_entry *e, cand *c)
{
    int rule = rs__alert_rule_of(r, e);
    rs_severity sev = rule >= 0 ? r->scenario->alerts[rule].severity : RS_SEV_WARNING;
    size_t n = strcspn(e->detail, " [");
    snprintf(c->text, sizeof c->text, "FIRING %.*s", (int)(n < 60 ? n : 60), e->detail);
    snprintf(c->brief, sizeof c->brief, "FIRING");
    c->color = rs__severity_color(sev);
    c->priority = sev == RS_SEV_CRITICAL ? 1 : 2;
}

static void label_decision(const rs_timeline_entry *e, cand *c)
{
    const char *p = strstr(e->detail, ": ");
    p = p ? p + 2 : e->detail;
    size_t n = strlen(p); /* the decision itself, without its reason or judgement */
    static const char *const cuts[] = {" (", " —", " - ", ": ", "; ", ". "};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        const char *q = strstr(p, cuts[i]);
        if (q && (size_t)(q - p) < n)
            n = (size_t)(q - p);
    }
    char head[LABEL_CHARS], clipped[64];
    snprintf(head, sizeof head, "%.*s", (int)(n < 90 ? n : 90), p);
    clip_chars(clipped, sizeof clipped, head, 28);
    snprintf(c->text, sizeof c->text, "decide: %s", clipped);
    snprintf(c->brief, sizeof c->brief, "decide");
}

static void set(cand *c, int priority, uint32_t color, const char *text, const char *brief)
{
    c->priority = priority;
    c->color = color;
    snprintf(c->text, sizeof c->text, "%s", text);
    snprintf(c->brief, sizeof c->brief, "%s", brief ? brief : text);
}

/* Versioned labels: "deploy v2.5", "undo → v2.4". */
static void label_versioned(const rs_result *r, const rs_timeline_entry *e, cand *c, int priority, uint32_t color,
                            const char *verb, const char *sep)
{
    char v[48], text[LABEL_CHARS];
    target_version(r->scenario, e->detail, v, sizeof v);
    snprintf(text, sizeof text, v[0] ? "%s%s%s" : "%s", verb, sep, v);
    set(c, priority, color, text, verb);
}

static void label_traffic(const rs_result *r, const rs_timeline_entry *e, cand *c)
{
    const char *w = strstr(e->detail, "weight ");
    if (w) {
        c->first_weight = c->last_weight = atof(w + strlen("weight "));
        char text[32];
        snprintf(text, sizeof text, "weight %.0f%%", c->first_weight);
        set(c, 3, RS_COL_INFO, text, "weight");
    } else {
        label_versioned(r, e, c, 2, RS_COL_INFO, "switch", " → ");
    }
}

/* Fills c for a timeline entry; false when the entry is not a marker (notes, alert pending/resolved:
 * the bands show those). */
static bool label_entry(const rs_result *r, const rs_timeline_entry *e, cand *c)
{
    memset(c, 0, sizeof *c);
    c->t = e->t_ms;
    c->kind = e->kind;
    c->count = 1;
    char buf[LABEL_CHARS];
    switch (e->kind) {
    case RS_EV_DEPLOY_START: label_versioned(r, e, c, 1, RS_COL_INFO, "deploy", " "); break;
    case RS_EV_DEPLOY_COMPLETE: set(c, 2, RS_COL_OK, "rolled out", NULL); break;
    case RS_EV_ROLLOUT_FAILED: set(c, 1, RS_COL_CRIT, "rollout failed", "failed"); break;
    case RS_EV_FAULT_ONSET:
        snprintf(buf, sizeof buf, "fault: %s", fault_label(e->detail));
        set(c, 1, RS_COL_CRIT, buf, "fault");
        break;
    case RS_EV_IMPACT_START: set(c, 2, RS_COL_CRIT, "impact", NULL); break;
    case RS_EV_IMPACT_END: set(c, 3, RS_COL_OK, "impact ends", "ends"); break;
    case RS_EV_ALERT_FIRING: label_alert(r, e, c); break;
    case RS_EV_PAGE: set(c, 1, RS_COL_CRIT, "page", NULL); break;
    case RS_EV_ESCALATE: set(c, 2, RS_COL_CRIT, "escalate", NULL); break;
    case RS_EV_ACK: set(c, 2, RS_COL_INFO, "ack", NULL); break;
    case RS_EV_DECISION: set(c, 1, RS_COL_INFO, "", NULL); label_decision(e, c); break;
    case RS_EV_ROLLBACK_START: label_versioned(r, e, c, 1, RS_COL_WARN, "undo", " → "); break;
    case RS_EV_ROLLBACK_COMPLETE: set(c, 2, RS_COL_OK, "rolled back", NULL); break;
    case RS_EV_POD_OOMKILLED: set(c, 3, RS_COL_CRIT, "OOMKilled", "OOM"); break;
    case RS_EV_POD_CRASHLOOP: set(c, 3, RS_COL_CRIT, "CrashLoop", "crash"); break;
    case RS_EV_SCALE: set(c, 2, RS_COL_INFO, "scale", NULL); break;
    case RS_EV_RESTART: set(c, 2, RS_COL_INFO, "restart", NULL); break;
    case RS_EV_PAUSE: set(c, 2, RS_COL_INFO, "pause", NULL); break;
    case RS_EV_RESUME: set(c, 2, RS_COL_INFO, "resume", NULL); break;
    case RS_EV_PROMOTE: set(c, 2, RS_COL_INFO, "promote", NULL); break;
    case RS_EV_TRAFFIC: label_traffic(r, e, c); break;
    case RS_EV_RECOVERED: set(c, 1, RS_COL_OK, "recovered", NULL); break;
    case RS_EV_RESOLVED: set(c, 1, RS_COL_OK, "resolved", NULL); break;
    default: return false;
    }
    return true;
}

static bool mergeable(rs_event_kind k)
{
    return k == RS_EV_POD_OOMKILLED || k == RS_EV_POD_CRASHLOOP || k == RS_EV_TRAFFIC;
}

/* Folds c into the last candidate of its kind when close in time: "OOMKilled ×3", "weight 10–50%". */
static bool merge_into_run(cand *cands, int n, const cand *c, rs_time window)
{
    for (int i = n - 1; i >= 0; i--) {
        cand *p = &cands[i];
        if (p->kind != c->kind)
            continue;
        if (!mergeable(c->kind) || c->t - p->t > window || (c->kind == RS_EV_TRAFFIC && p->first_weight == 0 && p->last_weight == 0))
            return false;
        p->count++;
        if (c->kind == RS_EV_TRAFFIC) {
            p->last_weight = c->last_weight;
            snprintf(p->text, sizeof p->text, "weight %.0f–%.0f%%", p->first_weight, p->last_weight);
        } else {
            snprintf(p->text, sizeof p->text, "%s ×%d", c->kind == RS_EV_POD_OOMKILLED ? "OOMKilled" : "CrashLoop",
                     p->count);
        }
        return true;
    }
    return false;
}

/* The markers in [t0, t1], runs merged; at most RS_LAYOUT_MAX_MARKERS, dropping the least important. */
static int collect(const rs_lb *b, cand *cands, int cap)
{
    const rs_layout *L = b->L;
    rs_time window = (L->t1 - L->t0) / 25;
    int n = 0;
    for (size_t i = 0; i < b->r->n_timeline; i++) {
        const rs_timeline_entry *e = &b->r->timeline[i];
        cand c;
        if (e->t_ms < L->t0 || e->t_ms > L->t1 || !label_entry(b->r, e, &c))
            continue;
        if (merge_into_run(cands, n, &c, window))
            continue;
        if (n == cap) {
            int worst = -1; /* replace the latest entry of the lowest priority, if c is more important */
            for (int k = 0; k < n; k++)
                if (worst < 0 || cands[k].priority >= cands[worst].priority)
                    worst = k;
            if (cands[worst].priority <= c.priority)
                continue;
            memmove(&cands[worst], &cands[worst + 1], (size_t)(n - worst - 1) * sizeof *cands);
            n--;
        }
        cands[n++] = c;
    }
    return n;
}

static bool is_action(rs_event_kind k)
{
    return k == RS_EV_ROLLBACK_START || k == RS_EV_PAUSE || k == RS_EV_RESUME || k == RS_EV_SCALE ||
           k == RS_EV_RESTART || k == RS_EV_PROMOTE || k == RS_EV_DEPLOY_START;
}

/* Markers at the same pixel become one: "fault: redis bug · impact". A decision and the action that
 * carries it out ("undo → v2.4") show the action; the scoreboard lists the decision in full. */
static int merge_same_moment(cand *c, int n)
{
    int out = 0;
    for (int i = 0; i < n; i++) {
        cand *p = out > 0 ? &c[out - 1] : NULL;
        if (!p || c[i].x != p->x) {
            c[out++] = c[i];
            continue;
        }
        cand *q = &c[i];
        bool keep_p = q->kind == RS_EV_DECISION && is_action(p->kind);
        bool keep_q = p->kind == RS_EV_DECISION && is_action(q->kind);
        if (keep_q) {
            snprintf(p->text, sizeof p->text, "%s", q->text);
            snprintf(p->brief, sizeof p->brief, "%s", q->brief);
        } else if (!keep_p) {
            char joined[2 * LABEL_CHARS + 8];
            snprintf(joined, sizeof joined, "%s · %s", p->text, q->text);
            if (strlen(joined) < sizeof p->text)
                memcpy(p->text, joined, strlen(joined) + 1);
            if (q->priority < p->priority)
                snprintf(p->brief, sizeof p->brief, "%s", q->brief);
        }
        if (q->priority < p->priority || keep_q) {
            p->color = q->color;
            p->kind = q->kind;
        }
        p->priority = q->priority < p->priority ? q->priority : p->priority;
        p->count += q->count;
    }
    return out;
}

/* ---- label placement ---- */

typedef struct {
    rs_lb *b;
    cand *c;
    int n;
    float lo, hi;   /* labels stay within */
    float pad;
} placer;

/* Whether label i may take [x0, x1] in row `row` given the labels placed so far (ignoring `self`). */
static bool slot_free(const placer *p, int self, float stem, float x0, float x1, int row)
{
    for (int j = 0; j < p->n; j++) {
        const cand *o = &p->c[j];
        if (j == self || !o->labelled)
            continue;
        if (o->row == row && x0 < o->x1 + 2 * p->pad && o->x0 < x1 + 2 * p->pad)
            return false;
        if (o->row < row && stem > o->x0 - p->pad && stem < o->x1 + p->pad)
            return false; /* my stem would cross its label */
        if (o->row > row && o->x > x0 - p->pad && o->x < x1 + p->pad)
            return false; /* its stem would cross my label */
    }
    return true;
}

/* Tries every row, label to the right of the stem first, then to its left. */
static bool try_place(placer *p, int i, float w)
{
    cand *c = &p->c[i];
    float gap = p->pad;
    for (int side = 0; side < 2; side++)
        for (int row = 0; row < RS_LAYOUT_MARKER_ROWS; row++) {
            float x0 = side == 0 ? c->x + gap : c->x - gap - w;
            float x1 = x0 + w;
            if (x0 < p->lo || x1 > p->hi || !slot_free(p, i, c->x, x0, x1, row))
                continue;
            c->labelled = true;
            c->row = row;
            c->x0 = x0;
            c->x1 = x1;
            c->w = w;
            return true;
        }
    return false;
}

/* Appends c's label to a placed neighbour's ("page · ack") when that still fits. */
static bool try_merge(placer *p, int i)
{
    cand *c = &p->c[i];
    float near = (float)p->b->L->px[RS_PX_SMALL] * 0.5f; /* only events at about the same moment */
    for (int j = 0; j < p->n; j++) {
        cand *o = &p->c[j];
        if (j == i || !o->labelled || fabsf(o->x - c->x) > near)
            continue;
        char joined[2 * LABEL_CHARS + 8];
        bool first = c->t < o->t;
        snprintf(joined, sizeof joined, "%s · %s", first ? c->text : o->text, first ? o->text : c->text);
        float w;
        rs__measure(p->b, RS_FACE_SANS, RS_PX_SMALL, joined, &w, NULL);
        bool right = o->x0 > o->x;
        float x0 = right ? o->x0 : o->x1 - w;
        if (x0 < p->lo || x0 + w > p->hi || !slot_free(p, j, o->x, x0, x0 + w, o->row) ||
            strlen(joined) >= sizeof o->text)
            continue;
        memcpy(o->text, joined, strlen(joined) + 1);
        o->x0 = x0;
        o->x1 = x0 + w;
        o->w = w;
        return true;
    }
    return false;
}

/* Placement orders tried: latest first (a staircase: earlier labels climb above later ones, so stems never
 * cross labels), then by importance latest first, then by importance in time order. */
static int by_time_desc(const void *a, const void *b)
{
    const cand *x = *(const cand *const *)a, *y = *(const cand *const *)b;
    if (x->t != y->t)
        return x->t > y->t ? -1 : 1;
    if (x->priority != y->priority)
        return x->priority - y->priority;
    return x < y ? -1 : x > y;
}

static int by_priority_time_desc(const void *a, const void *b)
{
    const cand *x = *(const cand *const *)a, *y = *(const cand *const *)b;
    if (x->priority != y->priority)
        return x->priority - y->priority;
    return by_time_desc(a, b);
}

static int by_priority_time(const void *a, const void *b)
{
    const cand *x = *(const cand *const *)a, *y = *(const cand *const *)b;
    if (x->priority != y->priority)
        return x->priority - y->priority;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Places every label in one order; returns a score: important labels count most, extra rows cost a little. */
static double place_in_order(placer *p, int (*order_fn)(const void *, const void *))
{
    cand **order = malloc((size_t)p->n * sizeof *order);
    if (!order)
        return -1;
    for (int i = 0; i < p->n; i++)
        order[i] = &p->c[i];
    qsort(order, (size_t)p->n, sizeof *order, order_fn);
    for (int k = 0; k < p->n; k++) {
        int i = (int)(order[k] - p->c);
        float w;
        rs__measure(p->b, RS_FACE_SANS, RS_PX_SMALL, p->c[i].text, &w, NULL);
        if (try_place(p, i, w) || try_merge(p, i))
            continue;
        rs__measure(p->b, RS_FACE_SANS, RS_PX_SMALL, p->c[i].brief, &w, NULL);
        if (try_place(p, i, w))
            snprintf(p->c[i].text, sizeof p->c[i].text, "%s", p->c[i].brief);
    }
    free(order);
    double score = 0;
    int rows = 0;
    for (int i = 0; i < p->n; i++)
        if (p->c[i].labelled) {
            double worth = p->c[i].priority == 1 ? 100 : p->c[i].priority == 2 ? 10 : 1;
            score += p->c[i].x0 > p->c[i].x ? worth : worth * 0.7; /* labels right of their stem read best */
            rows = p->c[i].row + 1 > rows ? p->c[i].row + 1 : rows;
        }
    return score - 0.5 * rows;
}

static void place_all(placer *p)
{
    int (*orders[])(const void *, const void *) = {by_time_desc, by_priority_time_desc, by_priority_time};
    size_t bytes = (size_t)p->n * sizeof *p->c;
    cand *initial = malloc(bytes), *best = malloc(bytes);
    if (!initial || !best) {
        free(initial);
        free(best);
        return;
    }
    memcpy(initial, p->c, bytes);
    double best_score = -1e9;
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        memcpy(p->c, initial, bytes);
        double score = place_in_order(p, orders[k]);
        if (score > best_score) {
            best_score = score;
            memcpy(best, p->c, bytes);
        }
    }
    memcpy(p->c, best, bytes);
    free(initial);
    free(best);
}

void rs__layout_markers(rs_lb *b)
{
    rs_layout *L = b->L;
    cand *cands = calloc(RS_LAYOUT_MAX_MARKERS, sizeof *cands);
    if (!cands)
        return;
    int n = collect(b, cands, RS_LAYOUT_MAX_MARKERS);
    for (int i = 0; i < n; i++)
        cands[i].x = roundf(rs_layout_x(L, cands[i].t));
    n = merge_same_moment(cands, n);
    placer p = {b, cands, n, L->lanes_box.x, L->lanes_box.x + L->lanes_box.w, roundf(4 * L->unit)};
    place_all(&p);
    L->n_markers = 0;
    L->n_marker_rows = 0;
    L->n_unlabelled = 0;
    for (int i = 0; i < n; i++) {
        cand *c = &cands[i];
        rs_marker *m = &L->markers[L->n_markers++];
        *m = (rs_marker){c->t, c->x, c->kind, c->count, c->priority, c->color, c->labelled ? c->row : -1, -1, 0};
        if (c->labelled) {
            m->text = rs__text(b, RS_TEXT_MARKER, RS_FACE_SANS, RS_PX_SMALL, c->color, c->x0, 0, c->text);
            if (c->row + 1 > L->n_marker_rows)
                L->n_marker_rows = c->row + 1;
        } else {
            L->n_unlabelled++;
        }
    }
    free(cands);
}

void rs__layout_marker_y(rs_lb *b)
{
    rs_layout *L = b->L;
    float row_h = L->n_marker_rows ? L->marker_rows.h / (float)L->n_marker_rows : 0;
    float bottom = L->marker_rows.y + L->marker_rows.h;
    for (int i = 0; i < L->n_markers; i++) {
        rs_marker *m = &L->markers[i];
        if (m->text < 0) {
            m->stem_top = bottom;
            continue;
        }
        rs_text *t = &L->texts[m->text];
        t->box.y = roundf(bottom - (float)(m->row + 1) * row_h + (row_h - t->box.h) / 2);
        m->stem_top = t->box.y + roundf(2 * L->unit);
    }
}

/* ---- alert bands ---- */

static void add_band(rs_lb *b, int lane, rs_time t0, rs_time t1, bool firing, uint32_t color)
{
    rs_layout *L = b->L;
    if (t0 < L->t0)
        t0 = L->t0;
    if (t1 > L->t1)
        t1 = L->t1;
    if (t1 <= t0 || L->n_bands == RS_LAYOUT_MAX_BANDS)
        return;
    L->bands[L->n_bands++] = (rs_band){lane, t0, t1, firing, color};
}

void rs__layout_bands(rs_lb *b)
{
    const rs_result *r = b->r;
    const rs_scenario *sc = r->scenario;
    rs_time pending[RS_MAX_ALERTS], firing[RS_MAX_ALERTS];
    for (int i = 0; i < RS_MAX_ALERTS; i++)
        pending[i] = firing[i] = RS_TIME_NEVER;
    b->L->n_bands = 0;
    for (size_t i = 0; i < r->n_timeline; i++) {
        const rs_timeline_entry *e = &r->timeline[i];
        if (e->kind != RS_EV_ALERT_PENDING && e->kind != RS_EV_ALERT_FIRING && e->kind != RS_EV_ALERT_RESOLVED)
            continue;
        int k = rs__alert_rule_of(r, e);
        int lane = k >= 0 ? rs__lane_of_rule(b->L, &sc->alerts[k]) : -1;
        if (lane < 0)
            continue;
        rs_time t = e->t_ms, for_ = sc->alerts[k].for_;
        if (pending[k] != RS_TIME_NEVER) { /* pending ends when it fires, or silently after `for` */
            rs_time end = e->kind == RS_EV_ALERT_FIRING ? t : (pending[k] + for_ < t ? pending[k] + for_ : t);
            add_band(b, lane, pending[k], end, false, RS_COL_WARN);
            pending[k] = RS_TIME_NEVER;
        }
        if (e->kind == RS_EV_ALERT_PENDING)
            pending[k] = t;
        else if (e->kind == RS_EV_ALERT_FIRING && firing[k] == RS_TIME_NEVER)
            firing[k] = t;
        else if (e->kind == RS_EV_ALERT_RESOLVED && firing[k] != RS_TIME_NEVER) {
            add_band(b, lane, firing[k], t, true, rs__severity_color(sc->alerts[k].severity));
            firing[k] = RS_TIME_NEVER;
        }
    }
    for (int k = 0; k < sc->n_alerts && k < RS_MAX_ALERTS; k++) {
        int lane = rs__lane_of_rule(b->L, &sc->alerts[k]);
        if (pending[k] != RS_TIME_NEVER)
            add_band(b, lane, pending[k], pending[k] + sc->alerts[k].for_, false, RS_COL_WARN);
        if (firing[k] != RS_TIME_NEVER)
            add_band(b, lane, firing[k], b->L->t1, true, rs__severity_color(sc->alerts[k].severity));
    }
}
