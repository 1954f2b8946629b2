/* The on-call's terminal: `kubectl get pods` (live, a pod can be selected), `kubectl logs` and
 * `kubectl rollout history` (snapshots that cost simulated time to read: a progress bar while they load),
 * in a panel with one tab each. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "win.h"

static int px(const win *w, float v) { return (int)lroundf(v * w->ui.u); }

static void kube_age(rs_time ms, char *buf, size_t size)
{
    long long s = (long long)(ms / 1000), m = s / 60, h = m / 60;
    if (s < 120)
        snprintf(buf, size, "%llds", s);
    else if (m < 10)
        snprintf(buf, size, s % 60 ? "%lldm%llds" : "%lldm", m, s % 60);
    else if (h < 3)
        snprintf(buf, size, "%lldm", m);
    else if (h < 8)
        snprintf(buf, size, m % 60 ? "%lldh%lldm" : "%lldh", h, m % 60);
    else if (h < 48)
        snprintf(buf, size, "%lldh", h);
    else
        snprintf(buf, size, "%lldd", h / 24);
}

static int tabs(win *w, SDL_Rect r)
{
    ui_ctx *ui = &w->ui;
    static const struct {
        cmd_id c;
        const char *label;
    } t[TAB_COUNT] = {{CMD_PODS, "pods"}, {CMD_LOGS, "logs · 45 s"}, {CMD_HISTORY, "history · 15 s"}};
    int x = r.x + ui->pad, th = tx_line_h(ui->bold) + ui->pad;
    for (int i = 0; i < TAB_COUNT; i++) {
        const cmd_info *ci = cmd_get(t[i].c);
        int tw = ui_keycap(ui, 0, 0, th, ci->cap, t[i].label, 0, false);
        bool on = w->tab == (win_tab)i;
        ui_keycap(ui, x, r.y, th, ci->cap, t[i].label, on ? RS_COL_TEXT : RS_COL_MUTED, true);
        if (on)
            ui_fill(ui, (SDL_Rect){x, r.y + th - px(w, 3), tw, px(w, 2)}, RS_COL_INFO);
        win_add_hit(w, (SDL_Rect){x, r.y, tw, th}, CMD_NONE, -1, i);
        x += tw + ui->pad * 2;
    }
    return th;
}

static void prompt_line(win *w, int x, int y, int width, const char *cmd, rs_time at)
{
    ui_ctx *ui = &w->ui;
    int cx = x + tx_draw(ui->mono, x, y, "$ ", RS_COL_OK);
    char clock[40] = "";
    if (at != RS_TIME_NEVER) {
        char c[24];
        snprintf(clock, sizeof clock, "  (at %s)", rs_format_clock(at, c, sizeof c));
    }
    int cw = tx_width(ui->small, clock);
    tx_draw_fit(ui->mono, cx, y, cmd, RS_COL_TEXT, x + width - cx - cw);
    tx_draw(ui->small, x + width - cw, y + (tx_line_h(ui->mono) - tx_line_h(ui->small)) / 2, clock, RS_COL_MUTED);
}

static void loading_bar(win *w, SDL_Rect c, int y)
{
    ui_ctx *ui = &w->ui;
    rs_time now = rs_sim_now(rs_train_session_sim(w->s));
    double f = (double)(now - w->load_start) / (double)(w->load_done - w->load_start);
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    SDL_Rect bar = {c.x, y, c.w, px(w, 8)};
    ui_fill(ui, bar, RS_COL_GRID);
    ui_fill(ui, (SDL_Rect){bar.x, bar.y, (int)(bar.w * f), bar.h}, RS_COL_INFO);
    char text[160], a[24], b[24];
    snprintf(text, sizeof text, "%s… %s of %s of simulated time%s",
             w->load_kind == RS_TACT_LOGS ? "reading the logs" : "reading the rollout history",
             rs_format_duration(now - w->load_start, a, sizeof a), rs_format_duration(w->load_done - w->load_start, b, sizeof b),
             w->speed == 0 ? " (time is paused)" : "");
    tx_draw_fit(ui->sans, c.x, y + bar.h + ui->pad / 2, text, RS_COL_INFO, c.w);
}

static uint32_t status_color(const rs_pod_info *p)
{
    if (strcmp(p->phase, "CrashLoopBackOff") == 0)
        return RS_COL_CRIT;
    if (strcmp(p->phase, "Terminating") == 0)
        return RS_COL_MUTED;
    if (!p->ready)
        return RS_COL_WARN;
    return RS_COL_TEXT;
}

/* The widths of kubectl's columns: each as wide as its widest cell, plus two spaces (kubectl has three). */
typedef struct {
    int name, status, restarts, age;
} pod_cols;

static void pod_status(const rs_pod_info *p, char *buf, size_t size)
{
    bool oom = strcmp(p->last_state, "OOMKilled") == 0 && !p->ready && strcmp(p->phase, "Running") == 0;
    snprintf(buf, size, "%s", oom ? "OOMKilled" : p->phase);
}

static pod_cols measure_pods(const win *w)
{
    pod_cols k = {4, 6, 8, 3};
    for (int i = 0; i < w->n_pods; i++) {
        const rs_pod_info *p = &w->pods[i];
        char b[40];
        int n = (int)strlen(p->name);
        k.name = n > k.name ? n : k.name;
        pod_status(p, b, sizeof b);
        k.status = (int)strlen(b) > k.status ? (int)strlen(b) : k.status;
        kube_age(p->age_ms, b, sizeof b);
        k.age = (int)strlen(b) > k.age ? (int)strlen(b) : k.age;
    }
    k.name += 2;
    k.status += 2;
    k.restarts += 2;
    k.age += 2;
    return k;
}

static void pods_tab(win *w, SDL_Rect c)
{
    ui_ctx *ui = &w->ui;
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    win_refresh_pods(w);
    int lh = tx_line_h(ui->mono), y = c.y;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "kubectl get pods -l app=%s -L version", sc->service);
    prompt_line(w, c.x, y, c.w, cmd, RS_TIME_NEVER);
    y += lh + ui->pad / 2;
    pod_cols k = measure_pods(w);
    char line[256];
    snprintf(line, sizeof line, "%-*s%-7s%-*s%-*s%-*s%s", k.name, "NAME", "READY", k.status, "STATUS", k.restarts,
             "RESTARTS", k.age, "AGE", "VERSION");
    tx_draw_fit(ui->mono, c.x, y, line, RS_COL_MUTED, c.w);
    y += lh;
    int footer = lh + ui->pad / 2, rows = (c.y + c.h - y - footer) / lh;
    if (rows < 1)
        rows = 1;
    int *top = &w->scroll[TAB_PODS];
    if (w->pod_sel >= 0 && w->pod_sel < *top)
        *top = w->pod_sel;
    if (w->pod_sel >= *top + rows)
        *top = w->pod_sel - rows + 1;
    if (*top > w->n_pods - rows)
        *top = w->n_pods - rows > 0 ? w->n_pods - rows : 0;
    int ready = 0, crash = 0, restarts = 0;
    for (int i = 0; i < w->n_pods; i++) {
        ready += w->pods[i].ready;
        crash += strcmp(w->pods[i].phase, "CrashLoopBackOff") == 0;
        restarts += w->pods[i].restarts;
    }
    for (int i = *top; i < w->n_pods && i < *top + rows; i++, y += lh) {
        const rs_pod_info *p = &w->pods[i];
        char age[24], status[40];
        kube_age(p->age_ms, age, sizeof age);
        pod_status(p, status, sizeof status);
        snprintf(line, sizeof line, "%-*s%-7s%-*s%-*d%-*s%s", k.name, p->name, p->ready ? "1/1" : "0/1", k.status,
                 status, k.restarts, p->restarts, k.age, age, p->version >= 0 ? sc->versions[p->version].name : "?");
        if (i == w->pod_sel)
            ui_fill(ui, (SDL_Rect){c.x - 2, y, c.w + 4, lh}, RS_COL_INFO_FILL);
        tx_draw_fit(ui->mono, c.x, y, line, status_color(p), c.w);
    }
    char sum[200];
    snprintf(sum, sizeof sum, "%d pods · %d ready · %d crash-looping · %d restarts   ↑↓ select, L logs of the pod",
             w->n_pods, ready, crash, restarts);
    tx_draw_fit(ui->small, c.x, c.y + c.h - tx_line_h(ui->small), sum, crash ? RS_COL_CRIT : RS_COL_MUTED, c.w);
}

typedef struct {
    win *w;
    SDL_Rect c;
    int y, line, first, lh;
    uint32_t color;
    bool cont;               /* the next piece continues a wrapped line */
} log_pen;

static void log_line(void *ctx, const char *s, size_t n)
{
    log_pen *p = ctx;
    if (p->line >= p->first && p->y + p->lh <= p->c.y + p->c.h) {
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), s);
        tx_draw(p->w->ui.mono, p->c.x + (p->cont ? tx_width(p->w->ui.mono, "    ") : 0), p->y, buf, p->color);
        p->y += p->lh;
    }
    p->cont = true;
    p->line++;
}

static uint32_t level_color(const char *line)
{
    if (strstr(line, " ERROR ") || strstr(line, "Error from server"))
        return RS_COL_CRIT;
    if (strstr(line, " WARN "))
        return RS_COL_WARN;
    if (strstr(line, " DEBUG "))
        return RS_COL_MUTED;
    return 0xcbd5e1ffu;
}

/* Each log line wrapped to the width; `count` only counts the wrapped lines. */
static int log_lines(win *w, SDL_Rect c, int first, bool count)
{
    log_pen p = {w, c, c.y, 0, count ? 1 << 30 : first, tx_line_h(w->ui.mono), 0, false};
    int indent = tx_width(w->ui.mono, "    ");
    const char *s = w->logs;
    char one[400];
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        snprintf(one, sizeof one, "%.*s", (int)(n < sizeof one - 1 ? n : sizeof one - 1), s);
        p.color = level_color(one);
        p.cont = false;
        /* the first piece takes the full width, the rest are indented */
        size_t first_n = tx_fit(w->ui.mono, one, c.w, true);
        if (first_n == 0)
            first_n = tx_fit(w->ui.mono, one, c.w, false);
        char head[400];
        snprintf(head, sizeof head, "%.*s", (int)first_n, one);
        log_line(&p, head, strlen(head));
        const char *rest = one + first_n;
        while (*rest == ' ')
            rest++;
        if (*rest)
            ui_wrap(w->ui.mono, rest, c.w - indent, log_line, &p);
        s += n + (nl ? 1 : 0);
    }
    return p.line;
}

static void logs_tab(win *w, SDL_Rect c)
{
    ui_ctx *ui = &w->ui;
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    int lh = tx_line_h(ui->mono);
    bool now_loading = w->loading && w->load_kind == RS_TACT_LOGS;
    const char *pod = now_loading ? w->load_pod : w->logs_pod;
    char cmd[160];
    if (pod[0])
        snprintf(cmd, sizeof cmd, "kubectl logs %s --tail=%d", pod, RS_TRAIN_LOG_LINES);
    else
        snprintf(cmd, sizeof cmd, "kubectl logs deployment/%s --tail=%d", sc->service, RS_TRAIN_LOG_LINES);
    if (!now_loading && !w->have_logs) {
        tx_draw_fit(ui->sans, c.x, c.y, "Press L to read the logs (of the pod selected in the pods tab, else the deployment).",
                    RS_COL_MUTED, c.w);
        tx_draw_fit(ui->sans, c.x, c.y + tx_line_h(ui->sans) + 2, "Reading them costs 45 s of simulated time.",
                    RS_COL_MUTED, c.w);
        return;
    }
    prompt_line(w, c.x, c.y, c.w, cmd, now_loading ? RS_TIME_NEVER : w->logs_at);
    SDL_Rect body = {c.x, c.y + lh + ui->pad / 2, c.w, c.h - lh - ui->pad / 2};
    if (now_loading) {
        loading_bar(w, body, body.y + ui->pad);
        return;
    }
    int total = log_lines(w, body, 0, true), rows = body.h / lh;
    int *top = &w->scroll[TAB_LOGS];
    if (*top > total - rows)
        *top = total - rows > 0 ? total - rows : 0;
    log_lines(w, body, *top, false);
}

static void history_tab(win *w, SDL_Rect c)
{
    ui_ctx *ui = &w->ui;
    const rs_scenario *sc = rs_train_session_scenario(w->s);
    int lh = tx_line_h(ui->mono);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "kubectl rollout history deployment/%s", sc->service);
    bool now_loading = w->loading && w->load_kind == RS_TACT_HISTORY;
    if (!now_loading && !w->have_hist) {
        tx_draw_fit(ui->sans, c.x, c.y, "Press H to read the rollout history (costs 15 s of simulated time).", RS_COL_MUTED,
                    c.w);
        return;
    }
    prompt_line(w, c.x, c.y, c.w, cmd, now_loading ? RS_TIME_NEVER : w->hist_at);
    int y = c.y + lh + ui->pad / 2;
    if (now_loading) {
        loading_bar(w, c, y + ui->pad);
        return;
    }
    char line[RS_TEXT_MAX + 64];
    snprintf(line, sizeof line, "deployment.apps/%s", sc->service);
    tx_draw(ui->mono, c.x, y, line, RS_COL_TEXT);
    y += lh;
    tx_draw(ui->mono, c.x, y, "REVISION  CHANGE-CAUSE", RS_COL_MUTED);
    y += lh;
    int top = w->scroll[TAB_HISTORY];
    for (int i = top; i < w->n_hist && y + lh <= c.y + c.h; i++, y += lh) {
        snprintf(line, sizeof line, "%-10d%s", w->hist[i].revision,
                 w->hist[i].change_cause[0] ? w->hist[i].change_cause : "<none>");
        tx_draw_fit(ui->mono, c.x, y, line, i == w->n_hist - 1 ? RS_COL_TEXT : 0xcbd5e1ffu, c.w);
    }
}

void terminal_panel(win *w, SDL_Rect r)
{
    ui_ctx *ui = &w->ui;
    ui_fill(ui, r, 0x0a0f1cffu);
    ui_frame(ui, r, UI_BORDER);
    int th = tabs(w, (SDL_Rect){r.x, r.y + 2, r.w, 0});
    ui_fill(ui, (SDL_Rect){r.x + 1, r.y + th + 2, r.w - 2, 1}, RS_COL_GRID);
    SDL_Rect c = {r.x + ui->pad, r.y + th + ui->pad, r.w - 2 * ui->pad, r.h - th - ui->pad * 3 / 2};
    SDL_RenderSetClipRect(w->ren, &c);
    switch (w->tab) {
    case TAB_PODS: pods_tab(w, c); break;
    case TAB_LOGS: logs_tab(w, c); break;
    case TAB_HISTORY: history_tab(w, c); break;
    default: break;
    }
    SDL_RenderSetClipRect(w->ren, NULL);
}

