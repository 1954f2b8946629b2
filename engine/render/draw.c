/* Draws a computed layout onto an SDL_Renderer: backgrounds, alert bands, grid, the data of each lane,
 * threshold lines, marker stems, legend swatches and text. Every position comes from the layout; this
 * file only maps samples to pixels and issues SDL calls. */
#include "draw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>

#include "fonts.h"

#define MAX_FONTS 16
#define COL_PANEL 0x0f172affu

struct rs_draw {
    SDL_Renderer *ren;
    int n_fonts;
    struct {
        rs_face face;
        int px;
        TTF_Font *font;
    } fonts[MAX_FONTS];
};

/* ---- context and fonts ---- */

rs_draw *rs_draw_new(SDL_Renderer *ren, rs_error *err)
{
    if (TTF_Init() != 0) {
        rs_error_set(err, RS_INTERNAL, "", "cannot start SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    rs_draw *d = calloc(1, sizeof *d);
    if (!d) {
        TTF_Quit();
        rs_error_set(err, RS_INTERNAL, "", "out of memory");
        return NULL;
    }
    d->ren = ren;
    return d;
}

static void close_fonts(rs_draw *d)
{
    for (int i = 0; i < d->n_fonts; i++)
        TTF_CloseFont(d->fonts[i].font);
    d->n_fonts = 0;
}

void rs_draw_free(rs_draw *d)
{
    if (!d)
        return;
    close_fonts(d);
    free(d);
    TTF_Quit();
}

/* The font of a face at a pixel size, opened from the embedded bytes on first use. */
static TTF_Font *font(rs_draw *d, rs_face face, int px)
{
    for (int i = 0; i < d->n_fonts; i++)
        if (d->fonts[i].face == face && d->fonts[i].px == px)
            return d->fonts[i].font;
    if (d->n_fonts == MAX_FONTS)
        close_fonts(d); /* a window resized many times: start over */
    size_t size;
    const unsigned char *data = rs__font_data(face, &size);
    SDL_RWops *rw = SDL_RWFromConstMem(data, (int)size);
    TTF_Font *f = rw ? TTF_OpenFontRW(rw, 1, px) : NULL;
    if (!f)
        return NULL;
    d->fonts[d->n_fonts].face = face;
    d->fonts[d->n_fonts].px = px;
    d->fonts[d->n_fonts].font = f;
    d->n_fonts++;
    return f;
}

void rs_draw_measure(void *ctx, rs_face face, int px, const char *text, int *w, int *h)
{
    TTF_Font *f = font(ctx, face, px);
    *w = *h = 0;
    if (f && TTF_SizeUTF8(f, text, w, h) != 0)
        *w = *h = 0;
}

/* ---- primitives ---- */

static void color(rs_draw *d, uint32_t c)
{
    SDL_SetRenderDrawColor(d->ren, (Uint8)(c >> 24), (Uint8)(c >> 16), (Uint8)(c >> 8), (Uint8)c);
}

static SDL_Color sdl_color(uint32_t c)
{
    return (SDL_Color){(Uint8)(c >> 24), (Uint8)(c >> 16), (Uint8)(c >> 8), (Uint8)c};
}

static uint32_t alpha(uint32_t c, unsigned a)
{
    return (c & 0xffffff00u) | (a & 0xffu);
}

static void fill(rs_draw *d, float x, float y, float w, float h, uint32_t c)
{
    int x0 = (int)lroundf(x), y0 = (int)lroundf(y), x1 = (int)lroundf(x + w), y1 = (int)lroundf(y + h);
    if (x1 <= x0 || y1 <= y0)
        return;
    SDL_Rect rect = {x0, y0, x1 - x0, y1 - y0};
    color(d, c);
    SDL_RenderFillRect(d->ren, &rect);
}

static void hdash(rs_draw *d, float x0, float x1, float y, float thick, float dash, uint32_t c)
{
    for (float x = x0; x < x1; x += dash * 1.8f)
        fill(d, x, y - thick / 2, fminf(dash, x1 - x), thick, c);
}

static void vdash(rs_draw *d, float x, float y0, float y1, float thick, float dash, uint32_t c)
{
    for (float y = y0; y < y1; y += dash * 2)
        fill(d, x - thick / 2, y, thick, fminf(dash, y1 - y), c);
}

typedef struct {
    SDL_Vertex *v;
    int *idx;
    int nv, ni;
    SDL_Color col;
} mesh;

static void quad(mesh *m, SDL_FPoint a, SDL_FPoint b, SDL_FPoint c, SDL_FPoint d)
{
    SDL_FPoint q[4] = {a, b, c, d};
    for (int k = 0; k < 4; k++)
        m->v[m->nv + k] = (SDL_Vertex){q[k], m->col, {0, 0}};
    int tri[6] = {m->nv, m->nv + 1, m->nv + 2, m->nv, m->nv + 2, m->nv + 3};
    memcpy(m->idx + m->ni, tri, sizeof tri);
    m->nv += 4;
    m->ni += 6;
}

/* A thick polyline as quads, with squares on the joints. */
static void polyline(rs_draw *d, const SDL_FPoint *p, int n, float width, uint32_t c)
{
    if (n < 1)
        return;
    size_t quads = (size_t)(2 * n);
    mesh m = {malloc(quads * 4 * sizeof *m.v), malloc(quads * 6 * sizeof *m.idx), 0, 0, sdl_color(c)};
    float hw = width / 2;
    for (int i = 0; m.v && m.idx && i < n; i++) {
        if (i + 1 < n) {
            float dx = p[i + 1].x - p[i].x, dy = p[i + 1].y - p[i].y, len = sqrtf(dx * dx + dy * dy);
            if (len > 0) {
                float nx = -dy / len * hw, ny = dx / len * hw;
                quad(&m, (SDL_FPoint){p[i].x + nx, p[i].y + ny}, (SDL_FPoint){p[i + 1].x + nx, p[i + 1].y + ny},
                     (SDL_FPoint){p[i + 1].x - nx, p[i + 1].y - ny}, (SDL_FPoint){p[i].x - nx, p[i].y - ny});
            }
        }
        quad(&m, (SDL_FPoint){p[i].x - hw, p[i].y - hw}, (SDL_FPoint){p[i].x + hw, p[i].y - hw},
             (SDL_FPoint){p[i].x + hw, p[i].y + hw}, (SDL_FPoint){p[i].x - hw, p[i].y + hw});
    }
    if (m.v && m.idx)
        SDL_RenderGeometry(d->ren, NULL, m.v, m.nv, m.idx, m.ni);
    free(m.v);
    free(m.idx);
}

/* Fills between a polyline and y = base, one pixel column at a time (no seams between segments). */
static void area_under(rs_draw *d, const SDL_FPoint *p, int n, float base, uint32_t c)
{
    color(d, c);
    for (int i = 0; i + 1 < n; i++) {
        int xa = (int)ceilf(p[i].x), xb = (int)ceilf(p[i + 1].x);
        for (int x = xa; x < xb; x++) {
            float f = (x - p[i].x) / (p[i + 1].x - p[i].x);
            int y = (int)lroundf(p[i].y + f * (p[i + 1].y - p[i].y));
            if (y < base)
                SDL_RenderFillRect(d->ren, &(SDL_Rect){x, y, 1, (int)lroundf(base) - y});
        }
    }
}

static void text(rs_draw *d, const rs_text *t)
{
    TTF_Font *f = font(d, t->face, t->px);
    if (!f)
        return;
    SDL_Surface *s = TTF_RenderUTF8_Blended(f, t->text, sdl_color(t->color));
    if (!s)
        return;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(d->ren, s);
    if (tex) {
        SDL_Rect dst = {(int)lroundf(t->box.x), (int)lroundf(t->box.y), s->w, s->h};
        SDL_RenderCopy(d->ren, tex, NULL, &dst);
        SDL_DestroyTexture(tex);
    }
    SDL_FreeSurface(s);
}

/* ---- series ---- */

typedef double (*sample_fn)(const rs_sample *s, int arg);

static double s_error(const rs_sample *s, int arg) { (void)arg; return s->error_rate; }
static double s_p95(const rs_sample *s, int arg) { (void)arg; return s->latency_p95_ms; }
static double s_p99(const rs_sample *s, int arg) { (void)arg; return s->latency_p99_ms; }
static double s_rpm(const rs_sample *s, int arg) { (void)arg; return s->rpm; }
static double s_cpu(const rs_sample *s, int arg) { (void)arg; return s->cpu; }
static double s_mem(const rs_sample *s, int arg) { (void)arg; return s->memory; }
static double s_biz(const rs_sample *s, int arg) { return arg >= 0 ? s->business[arg] : NAN; }

/* Collects the pixels of a series; samples sharing a pixel column become that column's first, lowest,
 * highest and last points, so a week of 15 s scrapes draws as fast as an hour and loses no spike. */
typedef struct {
    SDL_FPoint *p;
    int n, cap;
    int col;                 /* current column, INT_MIN when none */
    float first, lo, hi, last;
} points;

static void push(points *ps, float x, float y)
{
    if (ps->n > 0 && ps->p[ps->n - 1].x == x && ps->p[ps->n - 1].y == y)
        return;
    if (ps->n < ps->cap)
        ps->p[ps->n++] = (SDL_FPoint){x, y};
}

static void flush_column(points *ps)
{
    if (ps->col == INT32_MIN)
        return;
    float x = (float)ps->col + 0.5f;
    push(ps, x, ps->first);
    push(ps, x, ps->first < ps->last ? ps->lo : ps->hi);
    push(ps, x, ps->first < ps->last ? ps->hi : ps->lo);
    push(ps, x, ps->last);
    ps->col = INT32_MIN;
}

static void add_point(points *ps, float x, float y, bool dense)
{
    if (!dense) {
        push(ps, x, y);
        return;
    }
    int col = (int)floorf(x);
    if (col != ps->col) {
        flush_column(ps);
        ps->col = col;
        ps->first = ps->lo = ps->hi = y;
    }
    ps->lo = fminf(ps->lo, y);
    ps->hi = fmaxf(ps->hi, y);
    ps->last = y;
}

typedef struct {
    sample_fn f;
    int arg;
    const rs_axis *axis;
    uint32_t color;
    float width;
    unsigned fill_alpha;     /* 0: no area under the line */
} series_style;

static void end_run(rs_draw *d, points *ps, const rs_lane *lane, const series_style *st)
{
    flush_column(ps);
    if (st->fill_alpha)
        area_under(d, ps->p, ps->n, lane->plot.y + lane->plot.h, alpha(st->color, st->fill_alpha));
    polyline(d, ps->p, ps->n, st->width, st->color);
    ps->n = 0;
}

static void plot_series(rs_draw *d, const rs_layout *L, const rs_lane *lane, const rs_result *r,
                        const series_style *st)
{
    size_t n = r->n_series;
    points ps = {malloc((n * 4 + 4) * sizeof(SDL_FPoint)), 0, (int)(n * 4 + 4), INT32_MIN, 0, 0, 0, 0};
    if (!ps.p)
        return;
    bool dense = (float)n > (L->x1 - L->x0) / 2;
    for (size_t i = 0; i < n; i++) {
        const rs_sample *s = &r->series[i];
        double v = st->f(s, st->arg);
        if (s->t_ms < L->t0 || s->t_ms > L->t1)
            continue;
        if (isnan(v)) {
            end_run(d, &ps, lane, st);
            continue;
        }
        add_point(&ps, rs_layout_x(L, s->t_ms), rs_lane_y(lane, st->axis, v), dense);
    }
    end_run(d, &ps, lane, st);
    free(ps.p);
}

/* The pixel span [*xa, *xb) of sample i: from its scrape to the next (the first reaches back to t0). */
static bool sample_span(const rs_layout *L, const rs_result *r, size_t i, int *xa, int *xb)
{
    rs_time a = i == 0 ? L->t0 : r->series[i].t_ms;
    rs_time b = i + 1 < r->n_series ? r->series[i + 1].t_ms : L->t1;
    if (b <= L->t0 || a >= L->t1)
        return false;
    *xa = (int)lroundf(rs_layout_x(L, a < L->t0 ? L->t0 : a));
    *xb = (int)lroundf(rs_layout_x(L, b > L->t1 ? L->t1 : b));
    return *xb > *xa;
}

static void stack_rect(rs_draw *d, const rs_lane *lane, int xa, int xb, double *base, double v, uint32_t c)
{
    if (!(v > 0))
        return;
    float y0 = rs_lane_y(lane, &lane->left, *base), y1 = rs_lane_y(lane, &lane->left, *base + v);
    fill(d, (float)xa, y1, (float)(xb - xa), y0 - y1, c);
    *base += v;
}

/* Pods per version, stacked: ready, not ready, crash-looping; or the traffic share per version. */
static void plot_stacked(rs_draw *d, const rs_layout *L, const rs_lane *lane, const rs_result *r)
{
    for (size_t i = 0; i < r->n_series; i++) {
        int xa, xb;
        if (!sample_span(L, r, i, &xa, &xb))
            continue;
        const rs_sample *s = &r->series[i];
        double base = 0;
        for (int k = 0; k < L->n_versions; k++) {
            int v = L->versions[k];
            uint32_t c = L->version_color[v];
            if (lane->kind == RS_LANE_TRAFFIC) {
                stack_rect(d, lane, xa, xb, &base, s->share_by_version[v], alpha(c, 0xd8));
                continue;
            }
            int crash = s->crashloop_by_version[v], ready = s->ready_by_version[v];
            int not_ready = s->total_by_version[v] - ready - crash;
            stack_rect(d, lane, xa, xb, &base, ready, alpha(c, 0xd8));
            stack_rect(d, lane, xa, xb, &base, not_ready > 0 ? not_ready : 0, alpha(c, 0x50));
            stack_rect(d, lane, xa, xb, &base, crash, alpha(RS_COL_CRIT, 0xd8));
        }
    }
}

/* ---- lanes ---- */

static void lane_back(rs_draw *d, const rs_layout *L, const rs_lane *lane, int li)
{
    const rs_box *p = &lane->plot;
    fill(d, p->x, p->y, p->w, p->h, RS_COL_PLOT_BG);
    for (int i = 0; i < L->n_bands; i++) {
        const rs_band *b = &L->bands[i];
        if (b->lane != li)
            continue;
        float xa = rs_layout_x(L, b->t0), xb = rs_layout_x(L, b->t1);
        fill(d, xa, p->y, xb - xa, p->h, alpha(b->color, b->firing ? 0x30 : 0x1c));
        fill(d, xa, p->y, xb - xa, roundf(3 * L->unit), alpha(b->color, b->firing ? 0xc0 : 0x70));
    }
    for (int i = 0; i < lane->left.n_ticks; i++)
        fill(d, p->x, roundf(rs_lane_y(lane, &lane->left, lane->left.ticks[i])), p->w, L->thin, RS_COL_GRID);
    for (int i = 0; i < L->n_tticks; i++)
        fill(d, roundf(L->tticks[i].x), p->y, L->thin, p->h, RS_COL_GRID);
}

static void lane_data(rs_draw *d, const rs_layout *L, const rs_lane *lane, const rs_result *r)
{
    float w = L->line, thin = fmaxf(1, roundf(L->line * 0.75f));
    switch (lane->kind) {
    case RS_LANE_PODS:
    case RS_LANE_TRAFFIC: plot_stacked(d, L, lane, r); break;
    case RS_LANE_ERRORS: plot_series(d, L, lane, r, &(series_style){s_error, 0, &lane->left, RS_COL_CRIT, w, 0x38}); break;
    case RS_LANE_LATENCY:
        plot_series(d, L, lane, r, &(series_style){s_p99, 0, &lane->left, 0xfb7185ffu, thin, 0});
        plot_series(d, L, lane, r, &(series_style){s_p95, 0, &lane->left, 0xf59e0bffu, w, 0});
        break;
    case RS_LANE_LOAD:
        plot_series(d, L, lane, r, &(series_style){s_rpm, 0, &lane->left, 0xe5e7ebffu, w, 0x20});
        plot_series(d, L, lane, r, &(series_style){s_mem, 0, &lane->right, 0xc084fcffu, thin, 0});
        plot_series(d, L, lane, r, &(series_style){s_cpu, 0, &lane->right, 0x22d3eeffu, thin, 0});
        break;
    case RS_LANE_BUSINESS:
        plot_series(d, L, lane, r, &(series_style){s_biz, lane->business, &lane->left, 0x34d399ffu, w, 0x20});
        break;
    default: break;
    }
}

static void lane_front(rs_draw *d, const rs_layout *L, const rs_lane *lane)
{
    const rs_box *p = &lane->plot;
    float thick = fmaxf(1, roundf(1.5f * L->unit)), dash = roundf(6 * L->unit);
    for (int i = 0; i < lane->n_thresholds; i++) {
        const rs_threshold *t = &lane->thresholds[i];
        float y = roundf(rs_lane_y(lane, t->right ? &lane->right : &lane->left, t->value));
        hdash(d, p->x, p->x + p->w, y, thick, dash, alpha(t->color, 0xe0));
    }
    fill(d, p->x, p->y + p->h - L->thin, p->w, L->thin, RS_COL_AXIS);
}

/* ---- markers, legends, scoreboard ---- */

static void markers(rs_draw *d, const rs_layout *L)
{
    float thin = L->thin, dash = roundf(3 * L->unit), dot = roundf(5 * L->unit);
    float rows_bottom = L->marker_rows.y + L->marker_rows.h;
    for (int i = 0; i < L->n_markers; i++) {
        const rs_marker *m = &L->markers[i];
        float x = roundf(m->x);
        if (m->text >= 0) {
            fill(d, x - thin / 2, m->stem_top, thin, rows_bottom - m->stem_top, alpha(m->color, 0xb0));
            fill(d, x - dot / 2, m->stem_top, dot, dot, m->color);
        } else {
            fill(d, x - thin / 2, rows_bottom - dot * 1.5f, thin, dot * 1.5f, alpha(m->color, 0xb0));
        }
        for (int k = 0; k < L->n_lanes; k++) {
            const rs_box *p = &L->lanes[k].plot;
            vdash(d, x, p->y, p->y + p->h, thin, dash, alpha(m->color, 0x60));
        }
    }
}

static void swatch(rs_draw *d, const rs_layout *L, const rs_swatch *s)
{
    const rs_box *b = &s->box;
    float thick = fmaxf(1, L->line);
    switch (s->style) {
    case RS_SWATCH_FILL: fill(d, b->x, b->y, b->w, b->h, alpha(s->color, 0xd8)); break;
    case RS_SWATCH_FADED: fill(d, b->x, b->y, b->w, b->h, alpha(s->color, 0x50)); break;
    case RS_SWATCH_LINE: fill(d, b->x, roundf(b->y + b->h / 2 - thick / 2), b->w, thick, s->color); break;
    case RS_SWATCH_DASHED:
        hdash(d, b->x, b->x + b->w, roundf(b->y + b->h / 2), fmaxf(1, roundf(1.5f * L->unit)), b->w / 3.4f, s->color);
        break;
    case RS_SWATCH_PENDING:
    case RS_SWATCH_FIRING: {
        bool firing = s->style == RS_SWATCH_FIRING;
        fill(d, b->x, b->y, b->w, b->h, alpha(s->color, firing ? 0x50 : 0x30));
        fill(d, b->x, b->y, b->w, roundf(3 * L->unit), alpha(s->color, firing ? 0xc0 : 0x70));
        break;
    }
    }
}

static void board(rs_draw *d, const rs_layout *L)
{
    const rs_box *b = &L->board;
    fill(d, b->x, b->y, b->w, b->h, COL_PANEL);
    float t = L->thin;
    fill(d, b->x, b->y, b->w, t, RS_COL_AXIS);
    fill(d, b->x, b->y + b->h - t, b->w, t, RS_COL_AXIS);
    fill(d, b->x, b->y, t, b->h, RS_COL_AXIS);
    fill(d, b->x + b->w - t, b->y, t, b->h, RS_COL_AXIS);
    for (int i = 0; i < L->n_rules; i++)
        fill(d, L->rules[i].x0, L->rules[i].y, L->rules[i].x1 - L->rules[i].x0, t, RS_COL_GRID);
    const rs_box *s = &L->score_bar_box;
    fill(d, s->x, s->y, s->w, s->h, RS_COL_GRID);
    fill(d, s->x, s->y, roundf(s->w * L->score_bar), s->h, L->score_color);
}

rs_status rs_draw_timeline(rs_draw *d, const rs_layout *L, const rs_result *r, rs_error *err)
{
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_BLEND);
    color(d, RS_COL_BG);
    if (SDL_RenderClear(d->ren) != 0)
        return rs_error_set(err, RS_INTERNAL, "", "cannot draw: %s", SDL_GetError());
    board(d, L);
    for (int i = 0; i < L->n_lanes; i++) {
        const rs_lane *lane = &L->lanes[i];
        SDL_Rect clip = {(int)lane->plot.x, (int)lane->plot.y, (int)lane->plot.w, (int)lane->plot.h};
        lane_back(d, L, lane, i);
        SDL_RenderSetClipRect(d->ren, &clip);
        lane_data(d, L, lane, r);
        SDL_RenderSetClipRect(d->ren, NULL);
        lane_front(d, L, lane);
    }
    markers(d, L);
    for (int i = 0; i < L->n_swatches; i++)
        swatch(d, L, &L->swatches[i]);
    for (int i = 0; i < L->n_texts; i++)
        text(d, &L->texts[i]);
    return RS_OK;
}

void rs_draw_fill(rs_draw *d, float x, float y, float w, float h, uint32_t color) { fill(d, x, y, w, h, color); }
void rs_draw_polyline(rs_draw *d, const SDL_FPoint *p, int n, float width, uint32_t color)
{
    polyline(d, p, n, width, color);
}
void rs_draw_text(rs_draw *d, const rs_text *t) { text(d, t); }
