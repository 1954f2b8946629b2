/* The on-call screen, as the seed's Part 5 on-call works: the dashboard (the live timeline lanes), the
 * alerts and the pager, a terminal (kubectl get pods, logs, rollout history), the incident channel, and
 * the actions, each button showing its key. Also the briefing before the drill starts. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "win.h"

typedef struct {
    SDL_Rect top, dash, alerts, term, chan, bar;
} geo;

void win_add_hit(win *w, SDL_Rect r, cmd_id cmd, int item, int tab)
{
    if (w->n_hits < MAX_HITS)
        w->hits[w->n_hits++] = (hit){r, cmd, item, tab};
}

static int px(const win *w, float v) { return (int)lroundf(v * w->ui.u); }

/* ---- the action bar ---- */

static bool cmd_applies(win *w, cmd_id c)
{
    rs_strategy_kind k = rs_train_session_scenario(w->s)->deployment.strategy.kind;
    if (c == CMD_PROMOTE)
        return k != RS_STRATEGY_ROLLING;
    if (c == CMD_WEIGHT)
        return k == RS_STRATEGY_CANARY;
    return true;
}

static const char *cmd_label(win *w, const cmd_info *ci)
{
    if (ci->id == CMD_PAUSE_ROLLOUT) {
        rs_rollout_status st;
        rs_sim_rollout(rs_train_session_sim(w->s), &st);
        return st.paused ? "Resume rollout" : "Pause rollout";
    }
    return ci->label;
}

/* Lays out (and with draw, draws) the respond buttons in rows from y, as many rows as they need and
 * about as wide as each other; returns the rows' height. */
static int action_bar(win *w, SDL_Rect area, bool draw)
{
    ui_ctx *ui = &w->ui;
    int bh = px(w, 30), gap = ui->pad / 2 + 1, x = area.x, y = area.y, total = 0;
    for (int c = CMD_ACK; c <= CMD_RESOLVE; c++) {
        const cmd_info *ci = cmd_get((cmd_id)c);
        if (ci && cmd_applies(w, (cmd_id)c))
            total += ui_keycap(ui, 0, 0, bh, ci->cap, cmd_label(w, ci), 0, false) + 2 * ui->pad + gap;
    }
    int rows = area.w > 0 ? (total + area.w - 1) / area.w : 1, row_w = rows > 0 ? total / rows + gap : total;
    for (int c = CMD_ACK; c <= CMD_RESOLVE; c++) {
        const cmd_info *ci = cmd_get((cmd_id)c);
        if (!ci || !cmd_applies(w, (cmd_id)c))
            continue;
        const char *label = cmd_label(w, ci);
        int bw = ui_keycap(ui, 0, 0, bh, ci->cap, label, 0, false) + 2 * ui->pad;
        if ((x + bw > area.x + area.w || x - area.x + bw / 2 > row_w) && x > area.x) {
            x = area.x;
            y += bh + gap;
        }
        if (draw) {
            SDL_Rect r = {x, y, bw, bh};
            bool off = w->replay;
            uint32_t fill = c == CMD_ROLLBACK ? RS_COL_WARN_FILL : c == CMD_RESOLVE ? RS_COL_OK_FILL : 0x1a2234ffu;
            ui_fill(ui, r, off ? UI_PANEL : fill);
            ui_frame(ui, r, UI_BORDER);
            ui_keycap(ui, x + ui->pad, y, bh, ci->cap, label, off ? RS_COL_MUTED : RS_COL_TEXT, true);
            win_add_hit(w, r, (cmd_id)c, -1, -1);
        }
        x += bw + gap;
    }
    return y + bh - area.y;
}

static void geometry(win *w, geo *g)
{
    int pad = w->ui.pad, W = w->W, H = w->H;
    int top_h = px(w, 46);
    SDL_Rect bar_area = {pad, 0, W - 2 * pad, 0};
    int bar_h = action_bar(w, bar_area, false) + 2 * pad;
    g->top = (SDL_Rect){0, 0, W, top_h};
    g->bar = (SDL_Rect){0, H - bar_h, W, bar_h};
    int main_y = top_h + pad / 2, main_h = H - bar_h - main_y - pad / 2;
    int rw = (int)(W * 0.37f);
    rw = rw < px(w, 380) ? px(w, 380) : rw > px(w, 760) ? px(w, 760) : rw;
    g->dash = (SDL_Rect){pad, main_y, W - rw - 3 * pad, main_h};
    int rx = g->dash.x + g->dash.w + pad;
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    int n_alerts = sc->n_alerts < 1 ? 1 : sc->n_alerts > 5 ? 5 : sc->n_alerts;
    int title_h = tx_line_h(w->ui.bold) + pad;
    int alerts_h = title_h + pad + n_alerts * (tx_line_h(w->ui.sans) + pad / 2) + pad / 2;
    g->alerts = (SDL_Rect){rx, main_y, rw, alerts_h};
    int rest = main_h - alerts_h - pad;
    int term_h = rest * 56 / 100;
    g->term = (SDL_Rect){rx, main_y + alerts_h + pad, rw, term_h};
    g->chan = (SDL_Rect){rx, g->term.y + term_h + pad, rw, rest - term_h - pad};
}

/* ---- the top bar: who, when, how fast, and the pager ---- */

static const rs_timeline_entry *last_of(const rs_result *r, rs_event_kind a, rs_event_kind b, rs_event_kind c)
{
    for (size_t i = r->n_timeline; i-- > 0;)
        if (r->timeline[i].kind == a || r->timeline[i].kind == b || r->timeline[i].kind == c)
            return &r->timeline[i];
    return NULL;
}

static void pager(win *w, const rs_result *live, SDL_Rect r)
{
    ui_ctx *ui = &w->ui;
    rs_sim *sim = rs_train_session_sim(w->s);
    const rs_timeline_entry *e = last_of(live, RS_EV_PAGE, RS_EV_ESCALATE, RS_EV_ACK);
    char text[300], clock[24];
    uint32_t fill = UI_PANEL, fg = RS_COL_MUTED;
    if (rs_sim_page_open(sim) && e) {
        bool on = ((SDL_GetTicks() - w->page_since) / 450) % 2 == 0;
        fill = on ? RS_COL_CRIT : RS_COL_CRIT_FILL;
        fg = RS_COL_TEXT;
        snprintf(text, sizeof text, "%s · press A to acknowledge · %s", e->kind == RS_EV_ESCALATE ? "ESCALATED" : "PAGE",
                 e->detail);
    } else if (e && e->kind == RS_EV_ACK) {
        snprintf(text, sizeof text, "pager: acknowledged at %s", rs_format_clock(e->t_ms, clock, sizeof clock));
        fg = RS_COL_INFO;
    } else {
        snprintf(text, sizeof text, "pager: quiet");
    }
    ui_fill(ui, r, fill);
    ui_frame(ui, r, fill == UI_PANEL ? UI_BORDER : RS_COL_CRIT);
    tx_draw_fit(ui->bold, r.x + ui->pad, r.y + (r.h - tx_line_h(ui->bold)) / 2, text, fg, r.w - 2 * ui->pad);
    win_add_hit(w, r, CMD_ACK, -1, -1);
}

static void top_bar(win *w, const rs_result *live, SDL_Rect r)
{
    ui_ctx *ui = &w->ui;
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    const rs_train_record *rec = rs_train_session_record(w->s);
    rs_sim *sim = rs_train_session_sim(w->s);
    ui_fill(ui, r, 0x0b1220ffu);
    ui_fill(ui, (SDL_Rect){0, r.y + r.h - 1, r.w, 1}, UI_BORDER);
    int x = ui->pad, cy = r.y + r.h / 2, bh = px(w, 28);
    const char *badge = w->replay ? "REPLAY" : "ON CALL";
    int bw = tx_width(ui->small, badge) + ui->pad * 2;
    SDL_Rect b = {x, cy - bh / 2, bw, bh};
    ui_fill(ui, b, w->replay ? RS_COL_INFO_FILL : RS_COL_OK_FILL);
    ui_frame(ui, b, w->replay ? RS_COL_INFO : RS_COL_OK);
    tx_draw(ui->small, x + ui->pad, cy - tx_line_h(ui->small) / 2, badge, RS_COL_TEXT);
    x += bw + ui->pad;
    char title[200];
    const char *strategy = sc->deployment.strategy.kind == RS_STRATEGY_CANARY       ? "canary"
                           : sc->deployment.strategy.kind == RS_STRATEGY_BLUE_GREEN ? "blue-green"
                                                                                    : "rolling update";
    snprintf(title, sizeof title, "%s · %s", sc->service, sc->namespace_);
    x += tx_draw(ui->bold, x, cy - tx_line_h(ui->bold) / 2, title, RS_COL_TEXT) + ui->pad;
    snprintf(title, sizeof title, "%s · %s", strategy, rec->random ? "drill" : sc->name);
    x += tx_draw_fit(ui->small, x, cy - tx_line_h(ui->small) / 2, title, RS_COL_MUTED, px(w, 200)) + ui->pad * 2;
    char clock[24];
    rs_format_clock(rs_sim_now(sim), clock, sizeof clock);
    x += tx_draw(ui->big, x, cy - tx_line_h(ui->big) / 2, clock, RS_COL_TEXT) + ui->pad * 2;
    static const struct {
        cmd_id c;
        double speed;
        const char *label;
    } speeds[] = {{CMD_TIME_PAUSE, 0, "Pause"}, {CMD_SPEED_1, 1, "1×"}, {CMD_SPEED_10, 10, "10×"}, {CMD_SPEED_60, 60, "60×"}};
    for (size_t i = 0; i < 4; i++) {
        const cmd_info *ci = cmd_get(speeds[i].c);
        bool on = w->speed == speeds[i].speed || (i == 0 && w->speed == 0);
        const char *label = i == 0 && w->speed == 0 ? "Paused" : speeds[i].label;
        int cw = ui_keycap(ui, 0, 0, bh, ci->cap, label, 0, false) + ui->pad;
        SDL_Rect sr = {x, cy - bh / 2, cw, bh};
        if (on)
            ui_fill(ui, sr, i == 0 ? RS_COL_WARN_FILL : RS_COL_INFO_FILL);
        ui_keycap(ui, x + ui->pad / 2, sr.y, bh, ci->cap, label, on ? RS_COL_TEXT : RS_COL_MUTED, true);
        win_add_hit(w, sr, speeds[i].c, -1, -1);
        x += cw + ui->pad / 2;
    }
    if (w->speed != 0 && w->speed != 1 && w->speed != 10 && w->speed != 60) {
        char sp[24];
        snprintf(sp, sizeof sp, "%g×", w->speed);
        x += tx_draw(ui->small, x, cy - tx_line_h(ui->small) / 2, sp, RS_COL_INFO) + ui->pad;
    }
    x += ui->pad;
    int help_w = ui_keycap(ui, 0, 0, bh, "?", "Help", 0, false);
    int rx = r.w - ui->pad - help_w;
    ui_keycap(ui, rx, cy - bh / 2, bh, "?", "Help", RS_COL_MUTED, true);
    win_add_hit(w, (SDL_Rect){rx, cy - bh / 2, help_w, bh}, CMD_HELP, -1, -1);
    if (rx - ui->pad - x > px(w, 120))
        pager(w, live, (SDL_Rect){x, cy - bh / 2 - 2, rx - ui->pad * 2 - x, bh + 4});
}

/* ---- alerts ---- */

static void format_value(const rs_alert_rule *rule, double v, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "no data");
        return;
    }
    switch (rule->metric) {
    case RS_METRIC_ERROR_RATE:
    case RS_METRIC_CPU:
    case RS_METRIC_MEMORY: snprintf(buf, size, "%.1f%%", v * 100); break;
    case RS_METRIC_LATENCY_P50:
    case RS_METRIC_LATENCY_P95:
    case RS_METRIC_LATENCY_P99: snprintf(buf, size, "%.0f ms", v); break;
    case RS_METRIC_REQUEST_RATE: snprintf(buf, size, "%.0f/min", v); break;
    default: snprintf(buf, size, "%.3g", v); break;
    }
}

static void alerts_panel(win *w, SDL_Rect r)
{
    ui_ctx *ui = &w->ui;
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    rs_alert_info info[RS_MAX_ALERTS];
    int n = rs_sim_alerts(rs_train_session_sim(w->s), info, RS_MAX_ALERTS);
    int firing = 0;
    for (int i = 0; i < n; i++)
        firing += strcmp(info[i].state, "firing") == 0;
    char note[64];
    snprintf(note, sizeof note, "%d of %d firing", firing, n);
    SDL_Rect c = ui_panel(ui, r, "Alerts", note);
    int lh = tx_line_h(ui->sans) + ui->pad / 2, y = c.y;
    for (int i = 0; i < n && i < 5; i++, y += lh) {
        const rs_alert_info *a = &info[i];
        bool fire = strcmp(a->state, "firing") == 0, pend = strcmp(a->state, "pending") == 0;
        uint32_t col = fire ? (sc->alerts[i].severity == RS_SEV_CRITICAL ? RS_COL_CRIT : RS_COL_WARN)
                       : pend ? RS_COL_WARN
                              : RS_COL_MUTED;
        int x = c.x;
        x += tx_draw(ui->sans, x, y, fire ? "●" : pend ? "◐" : "○", col) + ui->pad / 2;
        int name_w = c.w * 38 / 100;
        tx_draw_fit(ui->sans, x, y, a->name, fire || pend ? RS_COL_TEXT : RS_COL_MUTED, name_w - ui->pad);
        x += name_w;
        char val[48], line[160], clock[24];
        format_value(&sc->alerts[i], a->value, val, sizeof val);
        if (fire || pend)
            snprintf(line, sizeof line, "%s %s  since %s", fire ? "FIRING" : "pending", val,
                     rs_format_clock(a->active_since, clock, sizeof clock));
        else
            snprintf(line, sizeof line, "ok  %s", val);
        tx_draw_fit(ui->small, x, y + (tx_line_h(ui->sans) - tx_line_h(ui->small)) / 2, line, col, c.x + c.w - x);
    }
}

/* ---- the incident channel ---- */

static const char *tag_of(rs_event_kind k, uint32_t *color)
{
    *color = RS_COL_INFO;
    switch (k) {
    case RS_EV_DEPLOY_START: return "deploy";
    case RS_EV_DEPLOY_COMPLETE: *color = RS_COL_OK; return "rolled out";
    case RS_EV_ROLLOUT_FAILED: *color = RS_COL_CRIT; return "rollout";
    case RS_EV_ALERT_PENDING: *color = RS_COL_WARN; return "pending";
    case RS_EV_ALERT_FIRING: *color = RS_COL_CRIT; return "FIRING";
    case RS_EV_ALERT_RESOLVED: *color = RS_COL_OK; return "resolved";
    case RS_EV_PAGE: *color = RS_COL_CRIT; return "PAGE";
    case RS_EV_ESCALATE: *color = RS_COL_CRIT; return "escalate";
    case RS_EV_ACK: return "ack";
    case RS_EV_NOTE: *color = RS_COL_TEXT; return "note";
    case RS_EV_DECISION: return "decision";
    case RS_EV_ROLLBACK_START: *color = RS_COL_WARN; return "undo";
    case RS_EV_ROLLBACK_COMPLETE: *color = RS_COL_OK; return "rolled back";
    case RS_EV_POD_OOMKILLED: *color = RS_COL_CRIT; return "OOMKilled";
    case RS_EV_POD_CRASHLOOP: *color = RS_COL_CRIT; return "CrashLoop";
    case RS_EV_RESOLVED: *color = RS_COL_OK; return "resolved";
    case RS_EV_TRAFFIC: return "traffic";
    default: return rs_event_kind_name(k);
    }
}

typedef struct {
    win *w;
    int x, y, lh, n;
    uint32_t color;
    int count_only;
} chan_pen;

static void chan_line(void *ctx, const char *s, size_t n)
{
    chan_pen *p = ctx;
    if (!p->count_only) {
        char buf[400];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), s);
        tx_draw(p->w->ui.sans, p->x, p->y, buf, p->color);
        p->y += p->lh;
    }
    p->n++;
}

static void channel_panel(win *w, const rs_result *live, SDL_Rect r)
{
    ui_ctx *ui = &w->ui;
    char note[64];
    snprintf(note, sizeof note, "%zu events · wheel scrolls", live->n_timeline);
    SDL_Rect c = ui_panel(ui, r, "#incident", note);
    SDL_RenderSetClipRect(w->ren, &c);
    int lh = tx_line_h(ui->sans), tw = tx_width(ui->mono, "T+00:00 "), tagw = tx_width(ui->small, "rolled back ");
    int text_x = c.x + tw + tagw, text_w = c.x + c.w - text_x;
    int bottom = c.y + c.h, skip = w->chan_scroll;
    /* newest at the bottom: walk back from the newest entry until the panel is full */
    for (size_t i = live->n_timeline; i-- > 0 && bottom > c.y;) {
        const rs_timeline_entry *e = &live->timeline[i];
        if (e->kind == RS_EV_ALERT_PENDING)
            continue;
        uint32_t col;
        const char *tag = tag_of(e->kind, &col);
        chan_pen count = {w, 0, 0, lh, 0, 0, 1};
        int lines = ui_wrap(ui->sans, e->detail, text_w, chan_line, &count);
        if (skip > 0) {
            skip--;
            continue;
        }
        int top = bottom - lines * lh;
        if (top < c.y)
            break; /* whole entries only */
        char clock[24];
        tx_draw(ui->mono, c.x, top, rs_format_clock(e->t_ms, clock, sizeof clock), RS_COL_MUTED);
        tx_draw_fit(ui->small, c.x + tw, top + (lh - tx_line_h(ui->small)) / 2, tag, col, tagw - ui->pad / 2);
        chan_pen pen = {w, text_x, top, lh, 0, e->kind == RS_EV_NOTE ? RS_COL_TEXT : 0xcbd5e1ffu, 0};
        ui_wrap(ui->sans, e->detail, text_w, chan_line, &pen);
        bottom = top - ui->pad / 3;
    }
    SDL_RenderSetClipRect(w->ren, NULL);
}

/* ---- the screen ---- */

/* The dashboard's time range, as Grafana's "last 30 minutes" with room ahead: it starts 20 minutes wide
 * and steps forward 5 minutes at a time, so it changes seldom and the present stays near its right. */
static void dash_window(rs_time now, rs_time duration, rs_time *t0, rs_time *t1)
{
    rs_time step = RS_MIN(5), end = (now + RS_MIN(5) + step - 1) / step * step;
    if (end < RS_MIN(20))
        end = RS_MIN(20);
    if (end > duration && duration > 0)
        end = duration;
    *t1 = end;
    *t0 = end - RS_MIN(30) > 0 ? end - RS_MIN(30) : 0;
}

static void toast(win *w, SDL_Rect dash_r)
{
    ui_ctx *ui = &w->ui;
    if (!w->toast[0] || SDL_TICKS_PASSED(SDL_GetTicks(), w->toast_until))
        return;
    int tw = tx_width(ui->sans, w->toast) + ui->pad * 3, th = tx_line_h(ui->sans) + ui->pad * 2;
    if (tw > dash_r.w - 2 * ui->pad)
        tw = dash_r.w - 2 * ui->pad;
    SDL_Rect r = {dash_r.x + dash_r.w - tw - ui->pad, dash_r.y + tx_line_h(ui->bold) + ui->pad * 2, tw, th};
    ui_fill(ui, r, 0x0b1220f0u);
    ui_frame(ui, r, w->toast_color);
    ui_fill(ui, (SDL_Rect){r.x, r.y, px(w, 4), r.h}, w->toast_color);
    tx_draw_fit(ui->sans, r.x + ui->pad * 2, r.y + ui->pad, w->toast, RS_COL_TEXT, r.w - ui->pad * 3);
}

void live_draw(win *w)
{
    geo g;
    geometry(w, &g);
    const rs_result *live = rs_train_session_live(w->s);
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    top_bar(w, live, g.top);
    char note[96], d[24];
    rs_time now = rs_sim_now(rs_train_session_sim(w->s)), t0, t1;
    dash_window(now, sc->duration, &t0, &t1);
    snprintf(note, sizeof note, "last %s · 1-minute rates", rs_format_duration(t1 - t0, d, sizeof d));
    SDL_Rect dc = ui_panel(&w->ui, g.dash, "Dashboard", note);
    dash_draw(w->dash, live, rs_train_session_live_version(w->s), dc, px(w, 12), t0, t1, now, false);
    alerts_panel(w, g.alerts);
    terminal_panel(w, g.term);
    channel_panel(w, live, g.chan);
    ui_fill(&w->ui, g.bar, 0x0b1220ffu);
    ui_fill(&w->ui, (SDL_Rect){0, g.bar.y, w->W, 1}, UI_BORDER);
    action_bar(w, (SDL_Rect){w->ui.pad, g.bar.y + w->ui.pad, w->W - 2 * w->ui.pad, 0}, true);
    toast(w, g.dash);
}

/* ---- the briefing ---- */

typedef struct {
    win *w;
    int x, y;
} para_pen;

static void para_line(void *ctx, const char *s, size_t n)
{
    para_pen *p = ctx;
    char buf[400];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), s);
    tx_draw(p->w->ui.sans, p->x, p->y, buf, RS_COL_TEXT);
    p->y += tx_line_h(p->w->ui.sans) + 2;
}

void brief_draw(win *w)
{
    ui_ctx *ui = &w->ui;
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    const rs_train_record *rec = rs_train_session_record(w->s);
    int bw = px(w, 760) < w->W - 4 * ui->pad ? px(w, 760) : w->W - 4 * ui->pad;
    char text[1200];
    snprintf(text, sizeof text,
             "You carry the pager for %s in %s. A release goes out soon. Watch the dashboard; when something "
             "breaks, investigate, decide and act as you would for real: every action is timed, judged against the "
             "seed's decision tree, and recorded (seed %llu).\n\n"
             "Time runs compressed: Space pauses, 1 / 2 / 3 set 1×, 10×, 60×; the pager drops it back to 1×. "
             "Reading logs costs 45 s of simulated time, the rollout history 15 s.\n\n"
             "Press ? at any time for every key.",
             sc->service, sc->namespace_, (unsigned long long)rec->seed);
    int text_h = ui_wrap(ui->sans, text, bw - 2 * ui->pad, NULL, NULL) * (tx_line_h(ui->sans) + 2);
    int bh = tx_line_h(ui->bold) * 2 + text_h + px(w, 34) + ui->pad * 6;
    SDL_Rect r = {(w->W - bw) / 2, (w->H - bh) / 2, bw, bh};
    SDL_Rect c = ui_panel(ui, r, rec->random ? "Wheel of Misfortune — you are on call" : "You are on call", NULL);
    int y = c.y + ui->pad / 2;
    tx_draw_fit(ui->bold, c.x, y, rec->random ? "A drill drawn at random: what breaks is for you to find out." : sc->name,
                RS_COL_TEXT, c.w);
    y += tx_line_h(ui->bold) + ui->pad / 2;
    para_pen p = {w, c.x, y};
    ui_wrap(ui->sans, text, c.w, para_line, &p);
    int by = c.y + c.h - px(w, 34) - ui->pad / 2;
    ui_keycap(ui, c.x, by, px(w, 34), "Enter", "Start the drill", RS_COL_OK, true);
    win_add_hit(w, (SDL_Rect){c.x, by, c.w / 2, px(w, 34)}, CMD_NONE, -1, -1);
}
