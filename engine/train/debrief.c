/* The debrief: what the fault was (hidden until now), the scores, each decision with its judgement and the
 * branch of the seed's decision tree, every action of the trainee, the same scenario and seed played by
 * a bundled auto-rollback for comparison, and the timeline picture. It saves the picture (PNG) and a
 * post-incident report (Markdown). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollsim/render.h"
#include "rollsim/strbuf.h"
#include "win.h"

static int px(const win *w, float v) { return (int)lroundf(v * w->ui.u); }

/* ---- text helpers ---- */

typedef struct {
    win *w;
    tx_font *f;
    int x, y, width, top, bottom;
    uint32_t color;
    bool dry;                /* measure only */
} col_pen;

static void pen_line(void *ctx, const char *s, size_t n)
{
    col_pen *p = ctx;
    if (!p->dry && p->y >= p->top && p->y + tx_line_h(p->f) <= p->bottom) {
        char buf[600];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), s);
        tx_draw(p->f, p->x, p->y, buf, p->color);
    }
    p->y += tx_line_h(p->f) + 1;
}

static void say(col_pen *p, tx_font *f, uint32_t color, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void say(col_pen *p, tx_font *f, uint32_t color, const char *fmt, ...)
{
    char buf[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    p->f = f;
    p->color = color;
    ui_wrap(f, buf, p->width, pen_line, p);
}

static const char *dur(double s, char *buf, size_t size)
{
    if (isnan(s))
        return "n/a";
    return rs_format_duration((rs_time)llround(s * 1000.0), buf, size);
}

static uint32_t judgement_color(rs_judgement j)
{
    return j == RS_JUDGED_CORRECT ? RS_COL_OK : j == RS_JUDGED_ACCEPTABLE ? RS_COL_WARN : RS_COL_CRIT;
}

/* "the auto-rollback would have recovered 4m10s earlier" */
static void comparison_text(const rs_result *r, const rs_train_compare *c, char *buf, size_t size)
{
    char a[24], b[24], d[24];
    if (!c || !c->have) {
        snprintf(buf, size, "No comparison run%s%s.", c && c->error[0] ? ": " : "", c ? c->error : "");
        return;
    }
    double you = r->scores.mttr_s, bot = c->mttr_s;
    if (isnan(bot) && isnan(you))
        snprintf(buf, size, "The %s policy did not recover the service either (score %.0f): a rollback does not end "
                 "this incident.", c->policy, c->score);
    else if (isnan(bot))
        snprintf(buf, size, "You recovered the service (MTTR %s); the %s policy alone never did.", dur(you, a, sizeof a),
                 c->policy);
    else if (isnan(you))
        snprintf(buf, size, "The %s policy would have recovered the service in %s (you did not recover it).", c->policy,
                 dur(bot, a, sizeof a));
    else if (bot + 1 < you)
        snprintf(buf, size, "The %s policy would have recovered %s earlier: MTTR %s against your %s (%.0f failed "
                 "requests against your %.0f).", c->policy, dur(you - bot, d, sizeof d), dur(bot, a, sizeof a),
                 dur(you, b, sizeof b), c->failed_requests, r->scores.failed_requests);
    else if (you + 1 < bot)
        snprintf(buf, size, "You recovered %s earlier than the %s policy: MTTR %s against its %s (%.0f failed "
                 "requests against its %.0f).", dur(bot - you, d, sizeof d), c->policy, dur(you, a, sizeof a),
                 dur(bot, b, sizeof b), r->scores.failed_requests, c->failed_requests);
    else
        snprintf(buf, size, "You recovered as fast as the %s policy (MTTR %s).", c->policy, dur(you, a, sizeof a));
}

/* What went wrong, hidden during the drill. */
static void fault_text(const rs_scenario *sc, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int v = 0; v < sc->n_versions; v++)
        for (int i = 0; i < sc->versions[v].n_faults && n < size; i++)
            n += (size_t)snprintf(buf + n, size - n, "%s%s brings %s%s", n ? "; " : "", sc->versions[v].name,
                                  rs_fault_kind_name(sc->versions[v].faults[i].kind),
                                  sc->versions[v].faults[i].config_fix ? " (a configuration mistake)" : "");
    for (int i = 0; i < sc->n_env_faults && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%sthe environment: %s%s%s (not the release)", n ? "; " : "",
                              rs_fault_kind_name(sc->env_faults[i].kind), sc->env_faults[i].dependency[0] ? " of " : "",
                              sc->env_faults[i].dependency);
    if (n == 0)
        snprintf(buf, size, "nothing: a healthy release (the right call was to watch and wait)");
}

/* ---- the summary page ---- */

static void score_column(win *w, col_pen *p)
{
    ui_ctx *ui = &w->ui;
    const rs_result *r = w->result;
    const rs_scores *s = &r->scores;
    uint32_t col = s->score >= 80 ? RS_COL_OK : s->score >= 50 ? RS_COL_WARN : RS_COL_CRIT;
    char buf[64], a[24];
    snprintf(buf, sizeof buf, "%.0f", s->score);
    if (!p->dry) {
        int sw = tx_draw(ui->huge, p->x, p->y, buf, col);
        tx_draw(ui->bold, p->x + sw + ui->pad, p->y + tx_line_h(ui->huge) - tx_line_h(ui->bold) - 2, "/ 100",
                RS_COL_MUTED);
        int by = p->y + tx_line_h(ui->huge) + 2;
        ui_fill(ui, (SDL_Rect){p->x, by, p->width, px(w, 6)}, RS_COL_GRID);
        ui_fill(ui, (SDL_Rect){p->x, by, (int)(p->width * fmin(1, fmax(0, s->score / 100))), px(w, 6)}, col);
    }
    p->y += tx_line_h(ui->huge) + 2 + px(w, 6) + ui->pad;
    const struct {
        const char *name;
        double v;
    } pen[] = {{"slow detection", s->penalty_detection}, {"slow acknowledgement", s->penalty_ack},
               {"slow recovery", s->penalty_recovery},   {"user impact", s->penalty_impact},
               {"unresolved", s->penalty_unresolved},    {"decisions", s->penalty_decisions}};
    for (size_t i = 0; i < sizeof pen / sizeof pen[0]; i++)
        if (pen[i].v > 0.05)
            say(p, ui->sans, RS_COL_WARN, "−%.1f  %s", pen[i].v, pen[i].name);
    p->y += ui->pad / 2;
    char t1[24], t2[24], t3[24], t4[24];
    say(p, ui->mono, RS_COL_TEXT, "MTTD %s  MTTA %s  MTTM %s  MTTR %s", dur(s->mttd_s, t1, sizeof t1),
        dur(s->mtta_s, t2, sizeof t2), dur(s->mttm_s, t3, sizeof t3), dur(s->mttr_s, t4, sizeof t4));
    say(p, ui->sans, RS_COL_MUTED, "incident %s · final version %s (revision %d)%s%s", dur(s->incident_s, a, sizeof a),
        r->outcome.final_version, r->outcome.final_revision, r->outcome.recovered ? " · recovered" : " · NOT recovered",
        r->outcome.resolved ? " · resolved" : "");
    say(p, ui->sans, RS_COL_MUTED, "%.0f failed requests · %.2f%% of the error budget · peak errors %.1f%% · peak p95 %.0f ms",
        s->failed_requests, s->error_budget_burned_pct, s->peak_error_rate * 100, s->peak_latency_p95_ms);
    if (r->data.rows_lost > 0 || r->data.rows_at_risk > 0)
        say(p, ui->sans, RS_COL_CRIT, "rows lost %.0f · rows at risk %.0f · backups %d", r->data.rows_lost,
            r->data.rows_at_risk, r->data.backups_taken);
    p->y += ui->pad;
    say(p, ui->bold, RS_COL_INFO, "Against the auto-rollback");
    char cmp[400];
    comparison_text(r, w->o->compare, cmp, sizeof cmp);
    say(p, ui->sans, RS_COL_TEXT, "%s", cmp);
}

static void decisions_column(win *w, col_pen *p)
{
    ui_ctx *ui = &w->ui;
    const rs_result *r = w->result;
    char clock[24];
    say(p, ui->bold, RS_COL_INFO, "Decisions, judged against the seed's decision tree");
    if (r->n_decisions == 0)
        say(p, ui->sans, RS_COL_MUTED, "No decision was taken (no rollback, fix, wait or escalation).");
    for (int i = 0; i < r->n_decisions; i++) {
        const rs_decision *d = &r->decisions[i];
        say(p, ui->sans, RS_COL_TEXT, "%s  %s (%s) — impact %s, %.1f min after the deploy",
            rs_format_clock(d->t_ms, clock, sizeof clock), rs_decision_kind_name(d->kind), d->who, d->impact,
            d->minutes_since_deploy);
        say(p, ui->bold, judgement_color(d->judgement), "     %s · %s", rs_judgement_name(d->judgement), d->branch);
        say(p, ui->small, RS_COL_MUTED, "     %s", d->reason);
        p->y += ui->pad / 3;
    }
    p->y += ui->pad / 2;
    const rs_train_record *rec = rs_train_session_record(w->s);
    say(p, ui->bold, RS_COL_INFO, "Your actions (%d)", rec->n_acts);
    for (int i = 0; i < rec->n_acts; i++) {
        const rs_tact *a = &rec->acts[i];
        char arg[96] = "";
        if (a->kind == RS_TACT_UNDO)
            snprintf(arg, sizeof arg, a->number ? " to revision %d" : " to the previous revision", a->number);
        else if (a->kind == RS_TACT_SCALE || a->kind == RS_TACT_SET_WEIGHT)
            snprintf(arg, sizeof arg, " %d", a->number);
        else if (a->arg[0])
            snprintf(arg, sizeof arg, " %.80s", a->arg);
        say(p, ui->mono, a->outcome[0] ? RS_COL_CRIT : rs_tact_is_investigation(a->kind) ? RS_COL_MUTED : RS_COL_TEXT,
            "%s  %s%s%s%s", rs_format_clock(a->t_ms, clock, sizeof clock), rs_tact_name(a->kind), arg,
            a->outcome[0] ? " — failed: " : "", a->outcome);
    }
}

static void footer(win *w, SDL_Rect r)
{
    ui_ctx *ui = &w->ui;
    ui_fill(ui, r, 0x0b1220ffu);
    ui_fill(ui, (SDL_Rect){0, r.y, r.w, 1}, UI_BORDER);
    int x = ui->pad, h = px(w, 28), y = r.y + (r.h - h) / 2;
    const cmd_id ids[] = {CMD_DEBRIEF_PAGE, CMD_SAVE_PNG, CMD_SAVE_REPORT, CMD_SHOT, CMD_QUIT};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const cmd_info *ci = cmd_get(ids[i]);
        const char *label = ids[i] == CMD_DEBRIEF_PAGE ? (w->debrief_page ? "Summary" : "Timeline picture")
                            : ids[i] == CMD_QUIT      ? "Quit"
                                                      : ci->label;
        int bw = ui_keycap(ui, x, y, h, ci->cap, label, RS_COL_TEXT, true);
        win_add_hit(w, (SDL_Rect){x, y, bw, h}, ids[i], -1, -1);
        x += bw + ui->pad * 2;
    }
    char saved[700] = "";
    snprintf(saved, sizeof saved, "%s%s%s", w->saved[0], w->saved[0][0] && w->saved[1][0] ? " · " : "", w->saved[1]);
    if (saved[0])
        tx_draw_fit(ui->small, x + ui->pad, y + (h - tx_line_h(ui->small)) / 2, saved, RS_COL_OK, r.w - x - ui->pad * 2);
    if (w->toast[0] && !SDL_TICKS_PASSED(SDL_GetTicks(), w->toast_until) && w->toast_color == RS_COL_CRIT)
        tx_draw_fit(ui->small, x + ui->pad, y + (h - tx_line_h(ui->small)) / 2, w->toast, RS_COL_CRIT, r.w - x - ui->pad * 2);
}

/* Header, then the scores beside the decisions and actions, then the lanes of the whole run. */
static void summary(win *w, SDL_Rect area)
{
    ui_ctx *ui = &w->ui;
    const rs_result *r = w->result;
    const rs_scenario *sc = r->scenario;
    const rs_train_record *rec = rs_train_session_record(w->s);
    int x = ui->pad * 2, width = area.w - ui->pad * 4;
    col_pen head = {w, ui->bold, x, area.y + ui->pad, width, area.y, area.y + area.h, RS_COL_TEXT, false};
    say(&head, ui->bold, RS_COL_TEXT, "Debrief — %s · seed %llu%s", sc->name, (unsigned long long)rec->seed,
        rec->random ? " (drawn at random)" : "");
    if (sc->description[0])
        say(&head, ui->sans, RS_COL_MUTED, "%s", sc->description);
    char fault[600];
    fault_text(sc, fault, sizeof fault);
    say(&head, ui->sans, RS_COL_WARN, "The fault: %s.", fault);
    head.y += ui->pad / 2;
    ui_fill(ui, (SDL_Rect){x, head.y, width, 1}, RS_COL_GRID);
    int top = head.y + ui->pad, lw = width * 40 / 100, rx = x + lw + ui->pad * 3, rw = x + width - rx;
    /* measure both columns, then give the lanes what is left (at least 40%) */
    col_pen ml = {w, ui->sans, x, top, lw, top, top, RS_COL_TEXT, true}, mr = ml;
    mr.width = rw;
    score_column(w, &ml);
    decisions_column(w, &mr);
    int need = (ml.y > mr.y ? ml.y : mr.y) - top + ui->pad;
    int cols_h = need < (area.y + area.h - top) * 60 / 100 ? need : (area.y + area.h - top) * 60 / 100;
    if (area.y + area.h - top - cols_h < px(w, 200))
        cols_h = area.y + area.h - top; /* too little room for the lanes: the columns take it all */
    int bottom = top + cols_h;
    col_pen left = {w, ui->sans, x, top, lw, top, bottom, RS_COL_TEXT, false};
    score_column(w, &left);
    SDL_Rect clip = {rx, top, rw, cols_h};
    int max_scroll = (mr.y - top - cols_h) / tx_line_h(ui->sans) + 2;
    if (w->debrief_scroll > max_scroll)
        w->debrief_scroll = max_scroll > 0 ? max_scroll : 0;
    SDL_RenderSetClipRect(w->ren, &clip);
    col_pen right = {w, ui->sans, rx, top - w->debrief_scroll * tx_line_h(ui->sans), rw, top, bottom, RS_COL_TEXT,
                     false};
    decisions_column(w, &right);
    SDL_RenderSetClipRect(w->ren, NULL);
    if (right.y > bottom)
        tx_draw(ui->small, rx + rw - tx_width(ui->small, "↓ more (wheel, ↓)"), bottom - tx_line_h(ui->small),
                "↓ more (wheel, ↓)", RS_COL_MUTED);
    SDL_Rect lanes = {x, bottom + ui->pad, width, area.y + area.h - bottom - ui->pad * 2};
    if (lanes.h >= px(w, 200)) {
        ui_fill(ui, (SDL_Rect){x, bottom, width, 1}, RS_COL_GRID);
        dash_draw(w->dash, r, UINT64_MAX - 1, lanes, px(w, 12), 0, r->outcome.end_ms, RS_TIME_NEVER, false);
    }
}

void debrief_draw(win *w)
{
    if (!w->result)
        return;
    int fh = px(w, 44);
    SDL_Rect area = {0, 0, w->W, w->H - fh};
    if (w->debrief_page == 0)
        summary(w, area);
    else
        dash_draw(w->dash, w->result, UINT64_MAX, area, 0, 0, 0, RS_TIME_NEVER, true);
    footer(w, (SDL_Rect){0, w->H - fh, w->W, fh});
}

/* ---- saving ---- */

static const char *out_path(win *w, char *buf, size_t size, const char *what, const char *ext)
{
    snprintf(buf, size, "%s/rollsim-%s-%llu.%s", w->o->out_dir ? w->o->out_dir : ".", what,
             (unsigned long long)rs_train_session_record(w->s)->seed, ext);
    return buf;
}

void debrief_save_png(win *w)
{
    char path[300];
    rs_error err;
    out_path(w, path, sizeof path, "debrief", "png");
    if (rs_render_png(w->result, path, 1920, 1080, &err) != RS_OK)
        win_toast(w, RS_COL_CRIT, "%s", err.message);
    else
        snprintf(w->saved[0], sizeof w->saved[0], "saved %s", path);
}

/* The training part of the report: what the trainee did and the comparison. */
static void training_section(win *w, rs_strbuf *m)
{
    const rs_train_record *rec = rs_train_session_record(w->s);
    const rs_result *r = w->result;
    char clock[24], cmp[400], fault[600];
    fault_text(r->scenario, fault, sizeof fault);
    comparison_text(r, w->o->compare, cmp, sizeof cmp);
    rs_strbuf_printf(m, "\n## Training drill\n\nScenario `%s`, seed %llu%s. The fault: %s.\n\n", rec->scenario,
                     (unsigned long long)rec->seed, rec->random ? " (drawn at random, hidden until the debrief)" : "",
                     fault);
    rs_strbuf_printf(m, "Score %.1f / 100. %s\n\n| time | action | argument | result |\n|---|---|---|---|\n",
                     r->scores.score, cmp);
    for (int i = 0; i < rec->n_acts; i++) {
        const rs_tact *a = &rec->acts[i];
        char arg[RS_TEXT_MAX + 16] = "";
        if (a->kind == RS_TACT_UNDO || a->kind == RS_TACT_SCALE || a->kind == RS_TACT_SET_WEIGHT)
            snprintf(arg, sizeof arg, "%d", a->number);
        else
            snprintf(arg, sizeof arg, "%s", a->arg);
        for (char *c = arg; *c; c++)
            if (*c == '|' || *c == '\n')
                *c = ' ';
        rs_strbuf_printf(m, "| %s | %s | %s | %s |\n", rs_format_clock(a->t_ms, clock, sizeof clock),
                         rs_tact_name(a->kind), arg, a->outcome[0] ? a->outcome : "ok");
    }
    rs_strbuf_puts(m, "\nReplay it: `rollsim replay SESSION.json --window`.\n");
}

void debrief_save_report(win *w)
{
    char path[300];
    out_path(w, path, sizeof path, "postmortem", "md");
    rs_strbuf m = {0};
    char *head = w->o->postmortem ? w->o->postmortem(w->result, w->o->postmortem_ctx) : NULL;
    if (head) {
        rs_strbuf_puts(&m, head);
        free(head);
    } else {
        const rs_result *r = w->result;
        rs_strbuf_printf(&m, "# Post-incident report: %s\n\n%s\n", r->scenario->name, r->scenario->description);
    }
    training_section(w, &m);
    char *text = rs_strbuf_take(&m);
    rs_error err;
    if (!text)
        win_toast(w, RS_COL_CRIT, "out of memory writing the report");
    else if (rs_write_file_atomic(path, text, strlen(text), &err) != RS_OK)
        win_toast(w, RS_COL_CRIT, "%s", err.message);
    else
        snprintf(w->saved[1], sizeof w->saved[1], "saved %s", path);
    free(text);
}
