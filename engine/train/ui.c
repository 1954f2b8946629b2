/* Drawing primitives and the few widgets of the training window: panels with a title row, key badges,
 * word wrapping. Colours are the seed's dark theme (engine/render/layout.h). */
#include <math.h>
#include <string.h>

#include "train_int.h"

void ui_fonts(ui_ctx *ui)
{
    float u = ui->u;
    ui->sans = tx_font_get(ui->tx, RS_FACE_SANS, (int)lroundf(13.0f * u));
    ui->small = tx_font_get(ui->tx, RS_FACE_SANS, (int)lroundf(11.5f * u));
    ui->bold = tx_font_get(ui->tx, RS_FACE_SANS, (int)lroundf(14.0f * u));
    ui->mono = tx_font_get(ui->tx, RS_FACE_MONO, (int)lroundf(11.5f * u));
    ui->big = tx_font_get(ui->tx, RS_FACE_MONO, (int)lroundf(20.0f * u));
    ui->huge = tx_font_get(ui->tx, RS_FACE_SANS, (int)lroundf(34.0f * u));
    ui->pad = (int)lroundf(8.0f * u);
}

/* Opaque colours draw without blending: a software renderer blends per pixel even at full alpha. */
static void color(ui_ctx *ui, uint32_t c)
{
    SDL_SetRenderDrawBlendMode(ui->ren, (c & 0xffu) == 0xffu ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(ui->ren, (Uint8)(c >> 24), (Uint8)(c >> 16), (Uint8)(c >> 8), (Uint8)c);
}

void ui_fill(ui_ctx *ui, SDL_Rect r, uint32_t c)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    color(ui, c);
    SDL_RenderFillRect(ui->ren, &r);
}

void ui_frame(ui_ctx *ui, SDL_Rect r, uint32_t c)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    color(ui, c);
    SDL_RenderDrawRect(ui->ren, &r);
}

bool ui_inside(SDL_Rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

SDL_Rect ui_panel(ui_ctx *ui, SDL_Rect r, const char *title, const char *right_note)
{
    ui_fill(ui, r, UI_PANEL);
    ui_frame(ui, r, UI_BORDER);
    int th = tx_line_h(ui->bold) + ui->pad;
    int tx = r.x + ui->pad, ty = r.y + ui->pad / 2;
    int w = tx_draw(ui->bold, tx, ty, title, RS_COL_TEXT);
    if (right_note && *right_note) {
        int nw = tx_width(ui->small, right_note);
        int nx = r.x + r.w - ui->pad - nw;
        if (nx > tx + w + ui->pad)
            tx_draw(ui->small, nx, ty + (tx_line_h(ui->bold) - tx_line_h(ui->small)) / 2, right_note, RS_COL_MUTED);
    }
    ui_fill(ui, (SDL_Rect){r.x + 1, r.y + th, r.w - 2, 1}, RS_COL_GRID);
    return (SDL_Rect){r.x + ui->pad, r.y + th + ui->pad / 2, r.w - 2 * ui->pad, r.h - th - ui->pad};
}

int ui_keycap(ui_ctx *ui, int x, int y, int h, const char *key, const char *label, uint32_t fg, bool draw)
{
    tx_font *kf = ui->small, *lf = ui->sans;
    int kw = tx_width(kf, key) + ui->pad;
    int kh = tx_line_h(kf) + 2;
    int gap = ui->pad / 2 + 1;
    int lw = label && *label ? tx_width(lf, label) : 0;
    int w = kw + (lw ? gap + lw : 0);
    if (!draw)
        return w;
    SDL_Rect cap = {x, y + (h - kh) / 2, kw, kh};
    ui_fill(ui, cap, 0x1f2937ffu);
    ui_frame(ui, cap, 0x4b5563ffu);
    tx_draw(kf, x + ui->pad / 2, cap.y + 1, key, fg == RS_COL_MUTED ? RS_COL_MUTED : RS_COL_TEXT);
    if (lw)
        tx_draw(lf, x + kw + gap, y + (h - tx_line_h(lf)) / 2, label, fg);
    return w;
}

int ui_wrap(const tx_font *f, const char *s, int max_w, void (*line)(void *ctx, const char *s, size_t n), void *ctx)
{
    int lines = 0;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t seg = nl ? (size_t)(nl - s) : strlen(s);
        size_t n = tx_fit(f, s, max_w, true);
        if (n > seg)
            n = seg;
        if (n == 0 && seg > 0) /* a word longer than the line: cut it */
            n = tx_fit(f, s, max_w, false);
        if (n == 0 && seg > 0)
            n = 1;
        if (line)
            line(ctx, s, n);
        lines++;
        s += n;
        while (*s == ' ')
            s++;
        if (*s == '\n')
            s++;
    }
    return lines;
}
