/* The live dashboard: engine/render's timeline layout and drawing of the live view (the lanes on one time
 * axis, alert bands, thresholds, event markers), into a texture that is redrawn only when the view
 * changed — a new scrape or a new timeline entry — and otherwise blitted, with the present drawn over it.
 *
 * The layout sizes its fonts for a whole picture (unit 1 at 1280×720); a dashboard is part of a window,
 * so text would be too small. The layout measures text through a callback, so we measure at a larger
 * size and draw at that size: every position stays consistent, only the text is larger. The lanes-only
 * view lays out a picture a little larger than the panel and shows it without its title and scoreboard. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train_int.h"

struct dash {
    SDL_Renderer *ren;
    rs_draw *draw;
    rs_layout *L;
    SDL_Texture *tex;
    int tex_w, tex_h;
    /* what the cached picture shows */
    bool valid;
    uint64_t version;
    SDL_Rect area;
    int px;
    bool full;
    rs_time t0, t1;
    /* the picture's geometry for this area */
    int lw, lh;              /* layout size */
    float scale;             /* text scale */
    SDL_Rect crop;           /* the part shown */
};

typedef struct {
    rs_draw *draw;
    float scale;
} measure_ctx;

static int scaled(float scale, int px)
{
    return (int)lroundf((float)px * scale);
}

static void measure_scaled(void *ctx, rs_face face, int px, const char *text, int *w, int *h)
{
    measure_ctx *m = ctx;
    rs_draw_measure(m->draw, face, scaled(m->scale, px), text, w, h);
}

dash *dash_new(SDL_Renderer *ren, rs_error *err)
{
    dash *d = calloc(1, sizeof *d);
    if (!d || !(d->L = malloc(sizeof *d->L))) {
        free(d);
        rs_error_set(err, RS_INTERNAL, "", "out of memory");
        return NULL;
    }
    d->ren = ren;
    d->draw = rs_draw_new(ren, err);
    if (!d->draw) {
        dash_free(d);
        return NULL;
    }
    return d;
}

void dash_free(dash *d)
{
    if (!d)
        return;
    if (d->tex)
        SDL_DestroyTexture(d->tex);
    rs_draw_free(d->draw);
    free(d->L);
    free(d);
}

static void compute(dash *d, const rs_result *r, int w, int h, float scale)
{
    measure_ctx m = {d->draw, scale};
    rs_layout_opts o = {w, h, d->t0, d->t1, measure_scaled, &m};
    rs_layout_compute(d->L, r, &o);
}

/* The layout size whose lanes (without title and scoreboard) fill the area, and the crop that shows them.
 * A few passes: the margins and the board scale with the picture. */
static void fit(dash *d, const rs_result *r)
{
    SDL_Rect a = d->area;
    if (d->full) {
        d->lw = a.w;
        d->lh = a.h;
        float unit = fminf((float)a.w / 1280.0f, (float)a.h / 720.0f);
        d->scale = d->px > 0 ? (float)d->px / fmaxf(6.0f, roundf(11.5f * unit)) : 1.0f;
        d->crop = (SDL_Rect){0, 0, a.w, a.h};
        return;
    }
    int lw = a.w + a.w / 3, lh = a.h + a.h / 8;
    for (int pass = 0; pass < 4; pass++) {
        float unit = fminf((float)lw / 1280.0f, (float)lh / 720.0f);
        d->scale = (float)d->px / fmaxf(6.0f, roundf(11.5f * unit));
        compute(d, r, lw, lh, d->scale);
        const rs_layout *L = d->L;
        float gap = roundf(8.0f * L->unit);
        int x0 = (int)lroundf(L->lanes_box.x * 0.4f);
        int x1 = (int)lroundf(L->board.x - gap);
        int y0 = (int)lroundf(L->title.y + L->title.h + gap * 0.5f);
        d->crop = (SDL_Rect){x0, y0, x1 - x0, lh - y0};
        int dw = a.w - d->crop.w, dh = a.h - d->crop.h;
        if (dw == 0 && dh == 0)
            break;
        lw += dw;
        lh += dh;
        if (lw < 64 || lh < 64)
            break;
    }
    d->lw = lw;
    d->lh = lh;
}

/* Lanes only: no title, no scoreboard (they are outside the crop; not drawing them saves time). Bands of
 * alerts still firing end at the present, not at the end of the axis. */
static void trim(dash *d, const rs_result *r)
{
    rs_layout *L = d->L;
    for (int i = 0; i < L->n_texts; i++) {
        rs_text *t = &L->texts[i];
        if (!d->full && (t->role == RS_TEXT_TITLE || t->role == RS_TEXT_SUBTITLE || t->role == RS_TEXT_SCORE))
            t->text[0] = '\0';
        t->px = scaled(d->scale, t->px);
    }
    if (!d->full) {
        L->n_rules = 0;
        L->board = (rs_box){0, 0, 0, 0};
        L->score_bar_box = (rs_box){0, 0, 0, 0};
        for (int i = 0; i < L->n_bands; i++)
            if (L->bands[i].t1 > r->outcome.end_ms)
                L->bands[i].t1 = r->outcome.end_ms;
    }
}

static bool ensure_texture(dash *d)
{
    if (d->tex && d->tex_w == d->lw && d->tex_h == d->lh)
        return true;
    if (d->tex)
        SDL_DestroyTexture(d->tex);
    d->tex = SDL_CreateTexture(d->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, d->lw, d->lh);
    d->tex_w = d->lw;
    d->tex_h = d->lh;
    if (d->tex) /* the picture is opaque: a plain copy, not a per-pixel blend */
        SDL_SetTextureBlendMode(d->tex, SDL_BLENDMODE_NONE);
    return d->tex != NULL;
}

static void redraw(dash *d, const rs_result *r, bool refit)
{
    if (refit)
        fit(d, r);
    compute(d, r, d->lw, d->lh, d->scale);
    trim(d, r);
    if (!ensure_texture(d))
        return;
    SDL_Texture *old = SDL_GetRenderTarget(d->ren);
    SDL_SetRenderTarget(d->ren, d->tex);
    rs_error err;
    rs_draw_timeline(d->draw, d->L, r, &err);
    SDL_SetRenderTarget(d->ren, old);
}

/* The present: a line at now through every lane (the future beyond it is empty). */
static void draw_now(dash *d, SDL_Rect dst, rs_time now)
{
    const rs_layout *L = d->L;
    if (now == RS_TIME_NEVER || now < L->t0 || now > L->t1)
        return;
    float x = rs_layout_x(L, now) - (float)d->crop.x + (float)dst.x;
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(d->ren, 0xcb, 0xd5, 0xe1, 0xff);
    for (int i = 0; i < L->n_lanes; i++) {
        const rs_box *p = &L->lanes[i].plot;
        SDL_Rect line = {(int)lroundf(x), (int)lroundf(p->y) - d->crop.y + dst.y, L->unit > 1.4f ? 2 : 1,
                         (int)lroundf(p->h)};
        SDL_RenderFillRect(d->ren, &line);
    }
}

void dash_draw(dash *d, const rs_result *r, uint64_t version, SDL_Rect area, int px, rs_time t0, rs_time t1,
               rs_time now, bool full)
{
    if (area.w < 64 || area.h < 64)
        return;
    bool refit = !d->valid || area.w != d->area.w || area.h != d->area.h || px != d->px || full != d->full ||
                 t0 != d->t0 || t1 != d->t1;
    if (refit || version != d->version) {
        d->area = area;
        d->px = px;
        d->full = full;
        d->t0 = t0;
        d->t1 = t1;
        d->version = version;
        d->valid = true;
        redraw(d, r, refit);
    }
    d->area = area;
    if (!d->tex)
        return;
    SDL_Rect src = d->crop, dst = area;
    src.w = dst.w = src.w < area.w ? src.w : area.w;
    src.h = dst.h = src.h < area.h ? src.h : area.h;
    SDL_RenderCopy(d->ren, d->tex, &src, &dst);
    draw_now(d, dst, now);
}
