/* The title line and the scoreboard of the timeline picture: score, MTTD/MTTA/MTTM/MTTR, the impact
 * (failed requests, budget burned, rows lost), the decisions and actions, and the expectations. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "layout_int.h"

#define MAX_LINES 24

/* ---- title ---- */

void rs__layout_title(rs_lb *b)
{
    rs_layout *L = b->L;
    const rs_result *r = b->r;
    const rs_scenario *sc = r->scenario;
    float x = b->m, y = b->m, right = (float)L->w - b->m;
    char buf[256], fitted[RS_TEXT_CHARS];
    rs__fit_text(b, RS_FACE_SANS, RS_PX_LARGE, sc->name[0] ? sc->name : "scenario", (right - x) / 2, fitted,
                 sizeof fitted);
    int t = rs__text(b, RS_TEXT_TITLE, RS_FACE_SANS, RS_PX_LARGE, RS_COL_TEXT, x, y, fitted);
    float tw = t >= 0 ? L->texts[t].box.w : 0;
    const rs_outcome *o = &r->outcome;
    snprintf(buf, sizeof buf, "seed %llu  ·  final version %s (revision %d)%s%s%s", (unsigned long long)r->seed,
             o->final_version, o->final_revision, o->rolled_back ? "  ·  rolled back" : "",
             o->recovered ? "  ·  recovered" : "  ·  not recovered", o->resolved ? "  ·  resolved" : "");
    float dx = x + tw + b->gap * 2;
    float dy = y + b->line_h[RS_PX_LARGE] - b->line_h[RS_PX_NORMAL] - roundf(1 * L->unit);
    if (rs__fit_text(b, RS_FACE_SANS, RS_PX_NORMAL, buf, right - dx, fitted, sizeof fitted))
        rs__text(b, RS_TEXT_TITLE, RS_FACE_SANS, RS_PX_NORMAL, RS_COL_MUTED, dx, dy, fitted);
    float hgt = b->line_h[RS_PX_LARGE];
    if (sc->description[0] &&
        rs__fit_text(b, RS_FACE_SANS, RS_PX_SMALL, sc->description, right - x, fitted, sizeof fitted)) {
        rs__text(b, RS_TEXT_SUBTITLE, RS_FACE_SANS, RS_PX_SMALL, RS_COL_MUTED, x, y + hgt + roundf(2 * L->unit), fitted);
        hgt += roundf(2 * L->unit) + b->line_h[RS_PX_SMALL];
    }
    L->title = (rs_box){x, y, right - x, hgt};
}

/* ---- scoreboard ---- */

typedef struct {
    rs_lb *b;
    float x, w, y, bottom;
    float pad;
} pen;

static void heading(pen *p, const char *text)
{
    rs__text(p->b, RS_TEXT_SCORE, RS_FACE_SANS, RS_PX_SMALL, RS_COL_MUTED, p->x, p->y, text);
    p->y += p->b->line_h[RS_PX_SMALL] + p->pad;
}

static void rule(pen *p)
{
    rs_layout *L = p->b->L;
    p->y += p->pad;
    if (L->n_rules < RS_LAYOUT_MAX_RULES)
        L->rules[L->n_rules++] = (rs_rule){p->x, p->x + p->w, roundf(p->y)};
    p->y += p->pad * 2;
}

/* "label ........ value", the value right-aligned. */
static void row(pen *p, const char *label, const char *value, uint32_t color)
{
    float vw, lh = p->b->line_h[RS_PX_NORMAL];
    rs__measure(p->b, RS_FACE_MONO, RS_PX_NORMAL, value, &vw, NULL);
    char fitted[96];
    if (rs__fit_text(p->b, RS_FACE_SANS, RS_PX_NORMAL, label, p->w - vw - p->b->gap, fitted, sizeof fitted))
        rs__text(p->b, RS_TEXT_SCORE, RS_FACE_SANS, RS_PX_NORMAL, RS_COL_MUTED, p->x, p->y, fitted);
    rs__text(p->b, RS_TEXT_SCORE, RS_FACE_MONO, RS_PX_NORMAL, color, p->x + p->w - vw, p->y, value);
    p->y += lh + p->pad;
}

static const char *duration(double s, char *buf, size_t size)
{
    if (isnan(s))
        return "—";
    return rs_format_duration((rs_time)llround(s * 1000), buf, size);
}

/* 13437 → "13,437". */
static const char *thousands(double v, char *buf, size_t size)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n && o + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Greedy word wrap into at most max_lines lines; the last line ends in "…" when text remains. */
static int wrap(const rs_lb *b, const char *text, float max_w, float indent, char lines[][128], int max_lines)
{
    int n = 0;
    const char *p = text;
    float full_w = max_w;
    while (*p && n < max_lines) {
        max_w = n == 0 ? full_w - indent : full_w;
        while (*p == ' ')
            p++;
        size_t fit = 0, len = strlen(p);
        for (size_t i = 0; i <= len; i++) {
            if (p[i] != ' ' && p[i] != '\0')
                continue;
            char buf[256];
            snprintf(buf, sizeof buf, "%.*s", (int)(i < 255 ? i : 255), p);
            float w;
            rs__measure(b, RS_FACE_SANS, RS_PX_SMALL, buf, &w, NULL);
            if (w > max_w && fit > 0)
                break;
            fit = i;
            if (w > max_w)
                break;
        }
        bool last = n == max_lines - 1;
        if (last || fit == 0)
            fit = len;
        char piece[256];
        snprintf(piece, sizeof piece, "%.*s", (int)(fit < 255 ? fit : 255), p);
        rs__fit_text(b, RS_FACE_SANS, RS_PX_SMALL, piece, max_w, lines[n++], 128);
        p += fit;
    }
    return n;
}

static void penalties(pen *p, const rs_scores *s)
{
    const struct {
        double v;
        const char *name;
    } terms[] = {{s->penalty_detection, "detection"}, {s->penalty_ack, "ack"}, {s->penalty_recovery, "recovery"},
                 {s->penalty_impact, "impact"},       {s->penalty_unresolved, "unresolved"},
                 {s->penalty_decisions, "decisions"}};
    char buf[192] = "", part[48];
    for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++) {
        if (!(terms[i].v >= 0.05))
            continue;
        /* a no-break space keeps "−3.7 impact" on one line */
        snprintf(part, sizeof part, "%s−%.1f\u00a0%s", buf[0] ? "  " : "", terms[i].v, terms[i].name);
        strncat(buf, part, sizeof buf - strlen(buf) - 1);
    }
    char lines[2][128];
    int n = wrap(p->b, buf[0] ? buf : "no penalties", p->w, 0, lines, 2);
    for (int i = 0; i < n; i++) {
        rs__text(p->b, RS_TEXT_SCORE, RS_FACE_SANS, RS_PX_SMALL, RS_COL_MUTED, p->x, p->y, lines[i]);
        p->y += p->b->line_h[RS_PX_SMALL] + 1;
    }
    p->y += p->pad;
}

static void score_block(pen *p)
{
    rs_layout *L = p->b->L;
    const rs_scores *s = &p->b->r->scores;
    heading(p, "SCORE");
    double score = isnan(s->score) ? 0 : s->score;
    L->score_color = score >= 90 ? RS_COL_OK : score >= 70 ? RS_COL_WARN : RS_COL_CRIT;
    char buf[32];
    snprintf(buf, sizeof buf, "%.1f", score);
    int t = rs__text(p->b, RS_TEXT_SCORE, RS_FACE_SANS, RS_PX_HUGE, L->score_color, p->x, p->y, buf);
    float tw = t >= 0 ? L->texts[t].box.w : 0;
    float hh = p->b->line_h[RS_PX_HUGE], nh = p->b->line_h[RS_PX_NORMAL];
    rs__text(p->b, RS_TEXT_SCORE, RS_FACE_SANS, RS_PX_NORMAL, RS_COL_MUTED, p->x + tw + p->b->gap * 0.75f,
             p->y + hh - nh - roundf(hh * 0.12f), "/ 100");
    p->y += hh + p->pad;
    L->score_bar = (float)(score / 100.0);
    L->score_bar_box = (rs_box){p->x, roundf(p->y), p->w, fmaxf(2, roundf(4 * L->unit))};
    p->y += L->score_bar_box.h + p->pad * 2;
    penalties(p, s);
}

static void times_block(pen *p)
{
    const rs_scores *s = &p->b->r->scores;
    char buf[32];
    heading(p, "RESPONSE");
    row(p, "MTTD  detect", duration(s->mttd_s, buf, sizeof buf), s->mttd_s > 300 ? RS_COL_WARN : RS_COL_TEXT);
    row(p, "MTTA  acknowledge", duration(s->mtta_s, buf, sizeof buf), s->mtta_s > 300 ? RS_COL_WARN : RS_COL_TEXT);
    row(p, "MTTM  mitigate", duration(s->mttm_s, buf, sizeof buf), RS_COL_TEXT);
    row(p, "MTTR  recover", duration(s->mttr_s, buf, sizeof buf), s->mttr_s > 900 ? RS_COL_WARN : RS_COL_TEXT);
}

static void impact_block(pen *p)
{
    const rs_scores *s = &p->b->r->scores;
    char buf[48];
    heading(p, "IMPACT");
    row(p, "failed requests", thousands(s->failed_requests, buf, sizeof buf),
        s->failed_requests > 0 ? RS_COL_TEXT : RS_COL_OK);
    snprintf(buf, sizeof buf, "%.2f%%", s->error_budget_burned_pct);
    row(p, "budget burned", buf, s->error_budget_burned_pct >= 10 ? RS_COL_CRIT : RS_COL_TEXT);
    const rs_data_result *data = &p->b->r->data;
    row(p, "rows lost", thousands(data->rows_lost, buf, sizeof buf), data->rows_lost > 0 ? RS_COL_CRIT : RS_COL_TEXT);
    if (data->rows_at_risk > 0)
        row(p, "rows at risk", thousands(data->rows_at_risk, buf, sizeof buf), RS_COL_WARN);
    snprintf(buf, sizeof buf, "%.1f%%", s->peak_error_rate * 100);
    row(p, "peak error rate", buf, RS_COL_TEXT);
    snprintf(buf, sizeof buf, "%.0f ms", s->peak_latency_p95_ms);
    row(p, "peak p95", buf, RS_COL_TEXT);
}

/* One entry of the decisions list: what was decided or done, and the judgement of a decision. */
typedef struct {
    char head[256];   /* "rollback to v2.4 (revision 9)", "undo: v2.5 (revision 10) → v2.4 (...)" */
    char verdict[24]; /* "correct", "acceptable", "harmful" or "" */
    uint32_t color;   /* of the verdict */
    char why[320];    /* the reason and the branch of the seed's tree */
} entry;

/* Splits a decision "who: what — judgement: reason [branch]" (engine/core/judge.c). */
static void parse_decision(const char *detail, entry *out)
{
    const char *what = strstr(detail, ": ");
    what = what ? what + 2 : detail;
    const char *dash = strstr(what, " — ");
    size_t n = dash ? (size_t)(dash - what) : strlen(what);
    snprintf(out->head, sizeof out->head, "%.*s", (int)(n < 250 ? n : 250), what);
    if (!dash)
        return;
    const char *rest = dash + strlen(" — ");
    size_t v = strcspn(rest, ":");
    for (int j = 0; j < 3; j++) {
        const char *name = rs_judgement_name((rs_judgement)j);
        if (strlen(name) == v && strncmp(rest, name, v) == 0) {
            snprintf(out->verdict, sizeof out->verdict, "%s", name);
            out->color = j == RS_JUDGED_CORRECT ? RS_COL_OK : j == RS_JUDGED_ACCEPTABLE ? RS_COL_WARN : RS_COL_CRIT;
        }
    }
    const char *why = rest[v] ? rest + v + 1 : rest + v;
    snprintf(out->why, sizeof out->why, "%s", out->verdict[0] ? why + (*why == ' ') : rest);
}

/* Whether timeline entry i is a decision or an action for the list; an action that carries out a decision
 * recorded at the same moment is left out (the decision says it). */
static bool entry_of(const rs_result *r, size_t i, entry *out)
{
    const rs_timeline_entry *e = &r->timeline[i];
    memset(out, 0, sizeof *out);
    if (e->kind == RS_EV_DECISION) {
        parse_decision(e->detail, out);
        return true;
    }
    if (e->kind != RS_EV_ROLLBACK_START && e->kind != RS_EV_SCALE && e->kind != RS_EV_RESTART &&
        e->kind != RS_EV_PAUSE && e->kind != RS_EV_RESUME && e->kind != RS_EV_PROMOTE)
        return false;
    for (size_t k = 0; k < r->n_timeline; k++)
        if (r->timeline[k].kind == RS_EV_DECISION && r->timeline[k].t_ms == e->t_ms)
            return false;
    const char *p = strstr(e->detail, ": ");
    if (e->kind == RS_EV_ROLLBACK_START && p) {
        size_t n = strcspn(p + 2, ":");
        snprintf(out->head, sizeof out->head, "undo: %.*s", (int)(n < 200 ? n : 200), p + 2);
    } else {
        snprintf(out->head, sizeof out->head, "%s", strncmp(e->detail, "kubectl ", 8) == 0 ? e->detail + 8 : e->detail);
    }
    return true;
}

/* Draws an entry in at most max_lines lines below the clock column tw. */
static void draw_entry(pen *p, rs_time t, const entry *en, float tw, int max_lines)
{
    float sh = p->b->line_h[RS_PX_SMALL], x = p->x + tw, w = p->w - tw;
    char clock[24], lines[MAX_LINES][128];
    rs__text(p->b, RS_TEXT_SCORE, RS_FACE_MONO, RS_PX_SMALL, RS_COL_MUTED, p->x, p->y,
             rs_format_clock(t, clock, sizeof clock));
    int head_max = en->verdict[0] && max_lines > 1 ? max_lines / 2 : max_lines;
    int n = wrap(p->b, en->head, w, 0, lines, head_max);
    for (int k = 0; k < n; k++, p->y += sh + 1)
        rs__text(p->b, RS_TEXT_SCORE, RS_FACE_SANS, RS_PX_SMALL, RS_COL_TEXT, x, p->y, lines[k]);
    if (!en->verdict[0] || n >= max_lines)
        return;
    int v = rs__text(p->b, RS_TEXT_SCORE, RS_FACE_SANS, RS_PX_SMALL, en->color, x, p->y, en->verdict);
    float vw = v >= 0 ? p->b->L->texts[v].box.w + p->b->gap * 0.5f : 0;
    int m = wrap(p->b, en->why, w, vw, lines, max_lines - n);
    for (int k = 0; k < m; k++, p->y += sh + 1)
        rs__text(p->b, RS_TEXT_SCORE, RS_FACE_SANS, RS_PX_SMALL, RS_COL_MUTED, k == 0 ? x + vw : x, p->y, lines[k]);
    if (m == 0)
        p->y += sh + 1;
}

static void decisions_block(pen *p, float bottom)
{
    const rs_result *r = p->b->r;
    float sh = p->b->line_h[RS_PX_SMALL], tw;
    char widest[32];
    rs_format_clock(r->outcome.end_ms, widest, sizeof widest - 1); /* the longest clock of the run */
    strcat(widest, " ");
    rs__measure(p->b, RS_FACE_MONO, RS_PX_SMALL, widest, &tw, NULL);
    heading(p, "DECISIONS & ACTIONS");
    int shown = 0, total = 0, left = 0;
    entry en;
    for (size_t i = 0; i < r->n_timeline; i++)
        left += entry_of(r, i, &en);
    for (size_t i = 0; i < r->n_timeline; i++) {
        if (!entry_of(r, i, &en))
            continue;
        total++;
        int room = (int)((bottom - p->y - sh) / (sh + 1)); /* keep a line for "+N more" */
        if (room < 1)
            continue;
        int share = room / left; /* the room left, shared by the entries left: at least 2 lines each */
        left--;
        share = share < 2 ? 2 : share > MAX_LINES ? MAX_LINES : share;
        draw_entry(p, r->timeline[i].t_ms, &en, tw, share < room ? share : room);
        p->y += p->pad;
        shown++;
    }
    char more[48];
    if (total == 0)
        snprintf(more, sizeof more, "none");
    else if (shown < total)
        snprintf(more, sizeof more, "+%d more", total - shown);
    if (total == 0 || shown < total) {
        rs__text(p->b, RS_TEXT_SCORE, RS_FACE_SANS, RS_PX_SMALL, RS_COL_MUTED, p->x, p->y, more);
        p->y += sh + p->pad;
    }
}

static void expectations_line(pen *p)
{
    const rs_outcome *o = &p->b->r->outcome;
    if (o->n_expect == 0)
        return;
    int passed = 0;
    for (int i = 0; i < o->n_expect; i++)
        passed += o->expect[i].passed;
    char buf[64];
    if (passed == o->n_expect)
        snprintf(buf, sizeof buf, "expectations: %d of %d passed", passed, o->n_expect);
    else
        snprintf(buf, sizeof buf, "expectations: %d of %d failed", o->n_expect - passed, o->n_expect);
    rs__text(p->b, RS_TEXT_SCORE, RS_FACE_SANS, RS_PX_SMALL, passed == o->n_expect ? RS_COL_OK : RS_COL_CRIT, p->x,
             p->bottom - p->b->line_h[RS_PX_SMALL], buf);
}

void rs__layout_board(rs_lb *b)
{
    rs_layout *L = b->L;
    float inset = roundf(12 * L->unit);
    pen p = {b, L->board.x + inset, L->board.w - 2 * inset, L->board.y + inset, L->board.y + L->board.h - inset,
             roundf(3 * L->unit)};
    score_block(&p);
    rule(&p);
    times_block(&p);
    rule(&p);
    impact_block(&p);
    rule(&p);
    decisions_block(&p, p.bottom - (b->r->outcome.n_expect ? b->line_h[RS_PX_SMALL] + p.pad * 2 : 0));
    expectations_line(&p);
}
