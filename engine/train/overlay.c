/* What opens over the screen: the dialogs that complete an action (a text box, a list to choose from,
 * the confirmation to end the drill) and the help overlay, which lists every key from the keymap. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "win.h"

static int px(const win *w, float v) { return (int)lroundf(v * w->ui.u); }

static void dim(win *w)
{
    ui_fill(&w->ui, (SDL_Rect){0, 0, w->W, w->H}, 0x030712b0u);
}

typedef struct {
    win *w;
    int x, y;
    uint32_t color;
} pen;

static void line(void *ctx, const char *s, size_t n)
{
    pen *p = ctx;
    char buf[400];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), s);
    tx_draw(p->w->ui.sans, p->x, p->y, buf, p->color);
    p->y += tx_line_h(p->w->ui.sans) + 2;
}

/* Height of s word-wrapped in the dialog's content width for an outer width bw. */
static int wrapped_h(win *w, const char *s, int bw)
{
    if (bw > w->W - 4 * w->ui.pad)
        bw = w->W - 4 * w->ui.pad;
    return ui_wrap(w->ui.sans, s, bw - 2 * w->ui.pad, NULL, NULL) * (tx_line_h(w->ui.sans) + 2);
}

/* Title row, padding and the footer's keys: what every dialog needs besides its content. */
static int chrome_h(win *w)
{
    return tx_line_h(w->ui.bold) + 3 * w->ui.pad + px(w, 26) + w->ui.pad;
}

static SDL_Rect dialog(win *w, int bw, int bh, const char *title)
{
    if (bw > w->W - 4 * w->ui.pad)
        bw = w->W - 4 * w->ui.pad;
    if (bh > w->H - 4 * w->ui.pad)
        bh = w->H - 4 * w->ui.pad;
    SDL_Rect r = {(w->W - bw) / 2, (w->H - bh) / 2, bw, bh};
    ui_fill(&w->ui, (SDL_Rect){r.x + 4, r.y + 4, r.w, r.h}, 0x00000080u);
    SDL_Rect c = ui_panel(&w->ui, r, title, NULL);
    ui_frame(&w->ui, r, RS_COL_INFO);
    return c;
}

static void footer(win *w, SDL_Rect c, const char *a_key, const char *a_label)
{
    ui_ctx *ui = &w->ui;
    int h = px(w, 26), y = c.y + c.h - h;
    int x = c.x + ui_keycap(ui, c.x, y, h, a_key, a_label, RS_COL_TEXT, true) + ui->pad * 2;
    ui_keycap(ui, x, y, h, "Esc", "Cancel", RS_COL_MUTED, true);
}

static void text_dialog(win *w)
{
    ui_ctx *ui = &w->ui;
    modal *m = &w->m;
    int bh = tx_line_h(ui->mono) + ui->pad * 2;
    SDL_Rect c = dialog(w, px(w, 620), chrome_h(w) + wrapped_h(w, m->prompt, px(w, 620)) + bh, m->title);
    pen p = {w, c.x, c.y, RS_COL_MUTED};
    ui_wrap(ui->sans, m->prompt, c.w, line, &p);
    SDL_Rect box = {c.x, p.y + ui->pad / 2, c.w, tx_line_h(ui->mono) + ui->pad};
    ui_fill(ui, box, 0x0a0f1cffu);
    ui_frame(ui, box, RS_COL_INFO);
    const char *shown = m->text;
    int room = box.w - 2 * ui->pad - tx_width(ui->mono, "▌");
    while (*shown && tx_width(ui->mono, shown) > room)
        shown++; /* keep the end of a long text in view */
    while (((unsigned char)*shown & 0xc0) == 0x80)
        shown++;
    int tw = tx_draw(ui->mono, box.x + ui->pad, box.y + ui->pad / 2, shown, RS_COL_TEXT);
    if ((SDL_GetTicks() / 500) % 2 == 0)
        tx_draw(ui->mono, box.x + ui->pad + tw, box.y + ui->pad / 2, "▌", RS_COL_INFO);
    footer(w, c, "Enter", m->allow_empty ? "Send (may be empty)" : "Send");
}

static void choose_dialog(win *w)
{
    ui_ctx *ui = &w->ui;
    modal *m = &w->m;
    int row_h = tx_line_h(ui->sans) + tx_line_h(ui->small) + ui->pad;
    int list_h = m->n * row_h;
    SDL_Rect c = dialog(w, px(w, 760), chrome_h(w) + wrapped_h(w, m->prompt, px(w, 760)) + list_h + ui->pad, m->title);
    pen p = {w, c.x, c.y, RS_COL_MUTED};
    ui_wrap(ui->sans, m->prompt, c.w, line, &p);
    int y = p.y + ui->pad / 2, bottom = c.y + c.h - px(w, 34);
    for (int i = 0; i < m->n && y + row_h <= bottom; i++, y += row_h) {
        const choice *it = &m->items[i];
        SDL_Rect r = {c.x, y, c.w, row_h - 2};
        if (i == m->sel && !it->disabled) {
            ui_fill(ui, r, RS_COL_INFO_FILL);
            ui_frame(ui, r, RS_COL_INFO);
        }
        char num[16];
        snprintf(num, sizeof num, "%d", i + 1);
        int x = c.x + ui->pad / 2;
        if (i < 9 && !it->disabled)
            x += ui_keycap(ui, x, y + ui->pad / 2, tx_line_h(ui->sans), num, NULL, RS_COL_TEXT, true) + ui->pad;
        else
            x += tx_width(ui->small, "99") + ui->pad * 2;
        tx_draw_fit(ui->sans, x, y + ui->pad / 2, it->label, it->disabled ? RS_COL_MUTED : RS_COL_TEXT, c.x + c.w - x);
        tx_draw_fit(ui->small, x, y + ui->pad / 2 + tx_line_h(ui->sans), it->detail, RS_COL_MUTED, c.x + c.w - x);
        if (!it->disabled)
            win_add_hit(w, r, CMD_NONE, i, -1);
    }
    footer(w, c, "Enter", "Do it  (↑↓ or 1–9 to choose)");
}

static void confirm_dialog(win *w)
{
    modal *m = &w->m;
    SDL_Rect c = dialog(w, px(w, 560), chrome_h(w) + wrapped_h(w, m->prompt, px(w, 560)), m->title);
    pen p = {w, c.x, c.y, RS_COL_TEXT};
    ui_wrap(w->ui.sans, m->prompt, c.w, line, &p);
    footer(w, c, "Enter", "End the drill");
}

/* ---- help ---- */

static int help_group(win *w, int x, int y, int width, cmd_group g, const char *title)
{
    ui_ctx *ui = &w->ui;
    tx_draw(ui->bold, x, y, title, RS_COL_INFO);
    y += tx_line_h(ui->bold) + ui->pad / 2;
    int capw = tx_width(ui->small, "Space") + ui->pad * 2, lh = tx_line_h(ui->sans) + ui->pad / 2;
    for (int c = CMD_NONE + 1; c < CMD_COUNT; c++) {
        const cmd_info *ci = cmd_get((cmd_id)c);
        if (!ci || ci->group != g)
            continue;
        ui_keycap(ui, x, y, tx_line_h(ui->sans), ci->cap, NULL, RS_COL_TEXT, true);
        char text[200];
        snprintf(text, sizeof text, "%s — %s", ci->label, ci->help);
        tx_draw_fit(ui->sans, x + capw, y, text, RS_COL_TEXT, width - capw);
        y += lh;
    }
    return y + ui->pad;
}

static void help_overlay(win *w)
{
    ui_ctx *ui = &w->ui;
    int n_left = 1, n_right = 4;
    for (int c = CMD_NONE + 1; c < CMD_COUNT; c++) {
        const cmd_info *ci = cmd_get((cmd_id)c);
        if (ci)
            *(ci->group == GRP_RESPOND ? &n_left : &n_right) += 1;
    }
    int rows = n_left > n_right ? n_left : n_right, lh = tx_line_h(ui->sans) + ui->pad / 2;
    int height = rows * lh + 6 * ui->pad + 2 * tx_line_h(ui->bold) + tx_line_h(ui->small);
    SDL_Rect c = dialog(w, px(w, 1180), height, "Keys — every button shows its key; Esc closes this");
    int colw = (c.w - ui->pad * 2) / 2;
    int y = help_group(w, c.x, c.y + ui->pad / 2, colw, GRP_RESPOND, "Respond");
    int y2 = help_group(w, c.x + colw + ui->pad * 2, c.y + ui->pad / 2, colw, GRP_TIME, "Time");
    y2 = help_group(w, c.x + colw + ui->pad * 2, y2, colw, GRP_INVESTIGATE, "Investigate");
    y2 = help_group(w, c.x + colw + ui->pad * 2, y2, colw, GRP_WINDOW, "Window");
    y2 = help_group(w, c.x + colw + ui->pad * 2, y2, colw, GRP_DEBRIEF, "Debrief");
    (void)y;
    (void)y2;
    tx_draw_fit(ui->small, c.x, c.y + c.h - tx_line_h(ui->small),
                "Dialogs: Enter confirms, Esc cancels, ↑↓ or 1–9 choose. Mouse: click buttons, wheel scrolls panels.",
                RS_COL_MUTED, c.w);
}

void overlay_draw(win *w)
{
    switch (w->m.kind) {
    case MOD_NONE: return;
    case MOD_TEXT: dim(w); text_dialog(w); break;
    case MOD_CHOOSE: dim(w); choose_dialog(w); break;
    case MOD_CONFIRM: dim(w); confirm_dialog(w); break;
    case MOD_HELP: dim(w); help_overlay(w); break;
    }
}
