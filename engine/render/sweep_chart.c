/* The sweep's trade-off picture: every setting's false-rollback rate against its median time to detect,
 * the Pareto front joined by a line and numbered, 95% intervals on the front and on the current setting,
 * which is ringed; a side panel with the legend and the front's settings. Same theme, fonts and drawing
 * helpers as the timeline (draw.c), software renderer, no display. The layout (where things go) is
 * computed first, without SDL calls; drawing follows it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

#include "draw.h"
#include "layout.h"
#include "layout_int.h"
#include "rollsim/io.h"
#include "rollsim/render.h"

#define MAX_TEXTS 160
#define MAX_TICKS 12
#define MAX_LISTED 14 /* front settings listed in the panel */

typedef struct {
    int w, h;
    float u;                          /* 1 at 1280×720 */
    int px_title, px_text, px_small;
    rs_box plot, panel;
    double x_max, y_min, y_max;       /* fraction; seconds, on a log scale */
    int n_xt, n_yt;
    double xt[MAX_TICKS], yt[MAX_TICKS];
    int n_texts;
    rs_text texts[MAX_TEXTS];
    int front[RS_SWEEP_MAX_POINTS];   /* front points by rising false-rollback rate */
    int n_front;
    int n_undetected;                 /* settings that never detected a fault: not plotted */
    rs_box swatch[4];                 /* legend: setting, front, current, interval */
    rs_draw *d;
} chart;

static float px(const chart *c, double x) { return c->plot.x + (float)(x / c->x_max) * c->plot.w; }
static float py(const chart *c, double y)
{
    double f = (log(fmax(y, c->y_min)) - log(c->y_min)) / (log(c->y_max) - log(c->y_min));
    return c->plot.y + c->plot.h - (float)fmin(f, 1.0) * c->plot.h;
}

static float text_at(chart *c, rs_face face, int size, uint32_t color, float x, float y, const char *s, bool right)
{
    if (c->n_texts == MAX_TEXTS)
        return 0;
    rs_text *t = &c->texts[c->n_texts++];
    memset(t, 0, sizeof *t);
    snprintf(t->text, sizeof t->text, "%s", s);
    int w = 0, h = 0;
    rs_draw_measure(c->d, face, size, t->text, &w, &h);
    t->box = (rs_box){right ? x - (float)w : x, y, (float)w, (float)h};
    t->face = face;
    t->px = size;
    t->color = color;
    t->role = RS_TEXT_LEGEND;
    return (float)h;
}

static int cmp_front(const void *pa, const void *pb, const rs_sweep_summary *s)
{
    const rs_sweep_point *a = &s->points[*(const int *)pa], *b = &s->points[*(const int *)pb];
    if (a->false_rate.est != b->false_rate.est)
        return a->false_rate.est < b->false_rate.est ? -1 : 1;
    return (a->ttd_median.est > b->ttd_median.est) - (a->ttd_median.est < b->ttd_median.est);
}

/* Insertion sort: the front is short, and qsort has no context argument in C11. */
static void sort_front(chart *c, const rs_sweep_summary *s)
{
    for (int i = 1; i < c->n_front; i++)
        for (int j = i; j > 0 && cmp_front(&c->front[j - 1], &c->front[j], s) > 0; j--) {
            int t = c->front[j];
            c->front[j] = c->front[j - 1];
            c->front[j - 1] = t;
        }
}

/* Axis ranges from the data: all estimates, and the intervals drawn (front and current). Times to detect
 * spread from seconds to tens of minutes, so their axis is logarithmic, with ticks at round times. */
static void ranges(chart *c, const rs_sweep_summary *s)
{
    static const double ticks[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200,
                                   86400};
    double xm = 0.05, ylo = INFINITY, yhi = 0;
    for (int i = 0; i < s->n_points; i++) {
        const rs_sweep_point *p = &s->points[i];
        if (!isfinite(p->ttd_median.est)) { /* no fault showed, or half of them were never caught */
            c->n_undetected++;
            continue;
        }
        bool whiskers = p->on_front || p->current;
        xm = fmax(xm, whiskers && !isnan(p->false_rate.hi) ? p->false_rate.hi : p->false_rate.est);
        ylo = fmin(ylo, whiskers && p->ttd_median.lo > 0 ? p->ttd_median.lo : p->ttd_median.est);
        yhi = fmax(yhi, whiskers && isfinite(p->ttd_median.hi) ? p->ttd_median.hi : p->ttd_median.est);
        if (p->on_front && c->n_front < RS_SWEEP_MAX_POINTS)
            c->front[c->n_front++] = i;
    }
    double xs = rs_layout_nice_step(xm * 100, 8) / 100;
    c->x_max = ceil(xm / xs - 1e-9) * xs;
    for (double x = 0; x <= c->x_max + xs * 1e-6 && c->n_xt < MAX_TICKS; x += xs)
        c->xt[c->n_xt++] = x;
    int n = (int)(sizeof ticks / sizeof *ticks), a = 0, b = n - 1;
    while (a + 1 < n && ticks[a + 1] <= ylo) /* the round time at or below the fastest */
        a++;
    while (b > a + 1 && ticks[b - 1] >= yhi * 1.05) /* and the one above the slowest */
        b--;
    c->y_min = ticks[a];
    c->y_max = ticks[b];
    for (int i = a; i <= b && c->n_yt < MAX_TICKS; i++)
        c->yt[c->n_yt++] = ticks[i];
    sort_front(c, s);
}

static void mix_text(const rs_sweep *sw, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "releases:");
    for (int m = 0; m < sw->n_mix && n < size; m++)
        n += (size_t)snprintf(buf + n, size - n, " %s %.0f%%%s", sw->mix[m].label, sw->mix[m].weight * 100,
                              m + 1 < sw->n_mix ? "," : "");
}

static void layout_frame(chart *c, const rs_sweep_summary *s)
{
    const rs_sweep *sw = s->sweep;
    float m = 16 * c->u, y = m;
    char buf[RS_TEXT_CHARS];
    snprintf(buf, sizeof buf, "Sweep %s: false rollbacks against time to detect", sw->name);
    y += text_at(c, RS_FACE_SANS, c->px_title, RS_COL_TEXT, m, y, buf, false) + 3 * c->u;
    snprintf(buf, sizeof buf, "%d settings × %d releases each (%ld runs)", s->n_points, sw->seeds, s->runs);
    if (c->n_undetected)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
                 "; %d settings catch less than half of the faults (median never: not shown)", c->n_undetected);
    y += text_at(c, RS_FACE_SANS, c->px_text, RS_COL_MUTED, m, y, buf, false) + 2 * c->u;
    mix_text(sw, buf, sizeof buf);
    y += text_at(c, RS_FACE_SANS, c->px_small, RS_COL_MUTED, m, y, buf, false) + 14 * c->u;
    float panel_w = 330 * c->u, label_w = 64 * c->u;
    c->panel = (rs_box){c->w - m - panel_w, y, panel_w, c->h - m - y};
    float top = y + (float)c->px_small * 1.8f; /* room for the y axis title */
    c->plot = (rs_box){m + label_w, top, c->panel.x - 24 * c->u - (m + label_w), c->h - m - 46 * c->u - top};
    text_at(c, RS_FACE_SANS, c->px_small, RS_COL_TEXT, c->plot.x - label_w + 4 * c->u, y,
            "median time to detect (fault onset to rollback decision; a fault never caught counts as never)", false);
}

static void layout_axes(chart *c)
{
    char buf[32];
    for (int i = 0; i < c->n_xt; i++) {
        snprintf(buf, sizeof buf, "%g%%", round(c->xt[i] * 1000) / 10);
        float w = 0;
        int tw = 0, th = 0;
        rs_draw_measure(c->d, RS_FACE_SANS, c->px_small, buf, &tw, &th);
        w = (float)tw;
        text_at(c, RS_FACE_SANS, c->px_small, RS_COL_MUTED, px(c, c->xt[i]) - w / 2, c->plot.y + c->plot.h + 6 * c->u,
                buf, false);
    }
    for (int i = 0; i < c->n_yt; i++) {
        rs_format_duration((rs_time)llround(c->yt[i] * 1000), buf, sizeof buf);
        text_at(c, RS_FACE_SANS, c->px_small, RS_COL_MUTED, c->plot.x - 8 * c->u, py(c, c->yt[i]) - (float)c->px_small * 0.65f,
                buf, true);
    }
    text_at(c, RS_FACE_SANS, c->px_small, RS_COL_TEXT, c->plot.x + c->plot.w, c->plot.y + c->plot.h + 24 * c->u,
            "false-rollback rate (healthy releases rolled back)", true);
}

/* Legend, then the front's settings by number, then the current setting. */
static void layout_panel(chart *c, const rs_sweep_summary *s)
{
    float x = c->panel.x + 12 * c->u, y = c->panel.y + 10 * c->u, lh = (float)c->px_small * 1.45f;
    static const char *const legend[4] = {"a setting of the grid", "Pareto front (numbered)", "current setting",
                                          "95% intervals"};
    for (int i = 0; i < 4; i++) {
        c->swatch[i] = (rs_box){x, y + lh * 0.2f, 18 * c->u, lh * 0.6f};
        text_at(c, RS_FACE_SANS, c->px_small, RS_COL_TEXT, x + 26 * c->u, y, legend[i], false);
        y += lh;
    }
    y += lh * 0.6f;
    text_at(c, RS_FACE_SANS, c->px_small, RS_COL_TEXT, x, y, "front: false rollbacks, detected, TTD median", false);
    y += lh * 1.2f;
    char buf[RS_TEXT_CHARS], d[24];
    for (int k = 0; k < c->n_front && k < MAX_LISTED && y + 2 * lh < c->panel.y + c->panel.h; k++) {
        const rs_sweep_point *p = &s->points[c->front[k]];
        snprintf(buf, sizeof buf, "%d. %.1f%%  %.0f%%  %s%s", k + 1, p->false_rate.est * 100, p->detection.est * 100,
                 rs_format_duration((rs_time)llround(p->ttd_median.est * 1000), d, sizeof d),
                 p->current ? "  (current)" : "");
        text_at(c, RS_FACE_MONO, c->px_small, p->current ? RS_COL_WARN : RS_COL_OK, x, y, buf, false);
        y += lh;
        text_at(c, RS_FACE_MONO, c->px_small, RS_COL_MUTED, x + 16 * c->u, y, p->label, false);
        y += lh * 1.15f;
    }
    if (c->n_front > MAX_LISTED)
        y += text_at(c, RS_FACE_SANS, c->px_small, RS_COL_MUTED, x, y, "... (all of them in points.csv)", false) + lh;
    const rs_sweep *sw = s->sweep;
    if (sw->current >= 0 && !s->points[sw->current].on_front && y + 3 * lh < c->panel.y + c->panel.h) {
        const rs_sweep_point *p = &s->points[sw->current];
        y += lh * 0.5f;
        snprintf(buf, sizeof buf, "current: %.1f%%  %.0f%%  %s", p->false_rate.est * 100, p->detection.est * 100,
                 !isfinite(p->ttd_median.est) ? "never"
                                              : rs_format_duration((rs_time)llround(p->ttd_median.est * 1000), d, sizeof d));
        text_at(c, RS_FACE_MONO, c->px_small, RS_COL_WARN, x, y, buf, false);
        y += lh;
        text_at(c, RS_FACE_MONO, c->px_small, RS_COL_MUTED, x + 16 * c->u, y, p->label, false);
    }
}

/* ---- drawing ---- */

static void disc(rs_draw *d, float cx, float cy, float r, uint32_t color)
{
    for (float dy = -r; dy <= r; dy += 1) {
        float half = sqrtf(fmaxf(0, r * r - dy * dy));
        rs_draw_fill(d, cx - half, cy + dy, 2 * half, 1, color);
    }
}

static void hline(rs_draw *d, float x0, float x1, float y, float t, uint32_t c) { rs_draw_fill(d, x0, y - t / 2, x1 - x0, t, c); }
static void vline(rs_draw *d, float x, float y0, float y1, float t, uint32_t c) { rs_draw_fill(d, x - t / 2, y0, t, y1 - y0, c); }

static void whiskers(chart *c, const rs_sweep_point *p, uint32_t color)
{
    float x = px(c, p->false_rate.est), y = py(c, p->ttd_median.est), t = fmaxf(1, c->u);
    float cap = 4 * c->u;
    if (!isnan(p->false_rate.lo) && !isnan(p->false_rate.hi)) {
        hline(c->d, px(c, p->false_rate.lo), px(c, p->false_rate.hi), y, t, color);
        vline(c->d, px(c, p->false_rate.lo), y - cap, y + cap, t, color);
        vline(c->d, px(c, p->false_rate.hi), y - cap, y + cap, t, color);
    }
    float lo = isnan(p->ttd_median.lo) ? c->plot.y + c->plot.h : py(c, p->ttd_median.lo);
    float hi = !isfinite(p->ttd_median.hi) ? c->plot.y : py(c, p->ttd_median.hi);
    vline(c->d, x, hi, lo, t, color);
    hline(c->d, x - cap, x + cap, lo, t, color);
    hline(c->d, x - cap, x + cap, hi, t, color);
}

static void draw_grid(chart *c)
{
    rs_draw_fill(c->d, c->panel.x, c->panel.y, c->panel.w, c->panel.h, RS_COL_PLOT_BG);
    rs_draw_fill(c->d, c->plot.x, c->plot.y, c->plot.w, c->plot.h, RS_COL_PLOT_BG);
    float t = fmaxf(1, c->u);
    for (int i = 0; i < c->n_xt; i++)
        vline(c->d, px(c, c->xt[i]), c->plot.y, c->plot.y + c->plot.h, t, RS_COL_GRID);
    for (int i = 0; i < c->n_yt; i++)
        hline(c->d, c->plot.x, c->plot.x + c->plot.w, py(c, c->yt[i]), t, RS_COL_GRID);
    hline(c->d, c->plot.x, c->plot.x + c->plot.w, c->plot.y + c->plot.h, t, RS_COL_AXIS);
    vline(c->d, c->plot.x, c->plot.y, c->plot.y + c->plot.h, t, RS_COL_AXIS);
}

static void draw_points(chart *c, const rs_sweep_summary *s)
{
    float r = 3.5f * c->u;
    for (int i = 0; i < s->n_points; i++) {
        const rs_sweep_point *p = &s->points[i];
        if (isfinite(p->ttd_median.est) && !p->on_front)
            disc(c->d, px(c, p->false_rate.est), py(c, p->ttd_median.est), r, rs__alpha(RS_COL_INFO, 0xb0));
    }
    SDL_FPoint line[RS_SWEEP_MAX_POINTS];
    for (int k = 0; k < c->n_front; k++)
        line[k] = (SDL_FPoint){px(c, s->points[c->front[k]].false_rate.est), py(c, s->points[c->front[k]].ttd_median.est)};
    rs_draw_polyline(c->d, line, c->n_front, 2 * c->u, rs__alpha(RS_COL_OK, 0xc0));
    for (int k = 0; k < c->n_front; k++) {
        const rs_sweep_point *p = &s->points[c->front[k]];
        whiskers(c, p, rs__alpha(RS_COL_OK, 0x70));
        disc(c->d, line[k].x, line[k].y, 5 * c->u, RS_COL_OK);
    }
    const rs_sweep *sw = s->sweep;
    if (sw->current >= 0 && isfinite(s->points[sw->current].ttd_median.est)) {
        const rs_sweep_point *p = &s->points[sw->current];
        float x = px(c, p->false_rate.est), y = py(c, p->ttd_median.est);
        whiskers(c, p, rs__alpha(RS_COL_WARN, 0xa0));
        disc(c->d, x, y, 10 * c->u, RS_COL_WARN);
        disc(c->d, x, y, 7.5f * c->u, RS_COL_PLOT_BG);
        disc(c->d, x, y, (p->on_front ? 5 : 3.5f) * c->u, p->on_front ? RS_COL_OK : RS_COL_INFO);
    }
}

static void draw_legend(chart *c)
{
    const rs_box *b = c->swatch;
    float r = b[0].h / 2;
    disc(c->d, b[0].x + b[0].w / 2, b[0].y + r, 3.5f * c->u, RS_COL_INFO);
    hline(c->d, b[1].x, b[1].x + b[1].w, b[1].y + r, 2 * c->u, RS_COL_OK);
    disc(c->d, b[1].x + b[1].w / 2, b[1].y + r, 5 * c->u, RS_COL_OK);
    disc(c->d, b[2].x + b[2].w / 2, b[2].y + r, 8 * c->u, RS_COL_WARN);
    disc(c->d, b[2].x + b[2].w / 2, b[2].y + r, 5.5f * c->u, RS_COL_PLOT_BG);
    hline(c->d, b[3].x, b[3].x + b[3].w, b[3].y + r, fmaxf(1, c->u), RS_COL_MUTED);
    vline(c->d, b[3].x, b[3].y, b[3].y + 2 * r, fmaxf(1, c->u), RS_COL_MUTED);
    vline(c->d, b[3].x + b[3].w, b[3].y, b[3].y + 2 * r, fmaxf(1, c->u), RS_COL_MUTED);
}

/* Numbers beside the front's points, matching the panel's list; a number that would cover an earlier
 * one (points close together) moves down. */
static void number_front(chart *c, const rs_sweep_summary *s)
{
    char buf[8];
    int first = c->n_texts;
    for (int k = 0; k < c->n_front && k < MAX_LISTED; k++) {
        const rs_sweep_point *p = &s->points[c->front[k]];
        snprintf(buf, sizeof buf, "%d", k + 1);
        float x = px(c, p->false_rate.est) + 7 * c->u, y = py(c, p->ttd_median.est) - (float)c->px_small * 1.4f;
        text_at(c, RS_FACE_SANS, c->px_small, RS_COL_OK, x, y, buf, false);
        rs_text *t = &c->texts[c->n_texts - 1];
        for (int tries = 0; tries < 6; tries++) {
            bool clash = false;
            for (int j = first; j < c->n_texts - 1 && !clash; j++)
                clash = rs_box_overlap(t->box, c->texts[j].box);
            if (!clash)
                break;
            t->box.y += t->box.h;
        }
    }
}

static rs_status draw_chart(SDL_Surface *surf, const rs_sweep_summary *s, rs_error *err)
{
    rs_status st = RS_INTERNAL;
    chart *c = calloc(1, sizeof *c);
    SDL_Renderer *ren = SDL_CreateSoftwareRenderer(surf);
    if (!c || !ren) {
        rs_error_set(err, RS_INTERNAL, "", "cannot draw the chart: %s", c ? SDL_GetError() : "out of memory");
        goto out;
    }
    c->d = rs_draw_new(ren, err);
    if (!c->d)
        goto out;
    c->w = surf->w;
    c->h = surf->h;
    c->u = fminf((float)c->w / 1280.0f, (float)c->h / 720.0f);
    c->px_title = (int)lroundf(fmaxf(18 * c->u, 8));
    c->px_text = (int)lroundf(fmaxf(13 * c->u, 7));
    c->px_small = (int)lroundf(fmaxf(11.5f * c->u, 6));
    ranges(c, s);
    layout_frame(c, s);
    layout_axes(c);
    layout_panel(c, s);
    number_front(c, s);
    SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
    rs_draw_fill(c->d, 0, 0, (float)c->w, (float)c->h, RS_COL_BG);
    draw_grid(c);
    SDL_Rect clip = {(int)c->plot.x, (int)c->plot.y, (int)c->plot.w + 1, (int)c->plot.h + 1};
    SDL_RenderSetClipRect(ren, &clip);
    draw_points(c, s);
    SDL_RenderSetClipRect(ren, NULL);
    draw_legend(c);
    for (int i = 0; i < c->n_texts; i++)
        rs_draw_text(c->d, &c->texts[i]);
    SDL_RenderFlush(ren);
    st = RS_OK;
out:
    if (c)
        rs_draw_free(c->d);
    if (ren)
        SDL_DestroyRenderer(ren);
    free(c);
    return st;
}

rs_status rs_render_sweep_png(const rs_sweep_summary *s, const char *path, int w, int h, rs_error *err)
{
    if (w < RS_RENDER_MIN_W || w > RS_RENDER_MAX_W || h < RS_RENDER_MIN_H || h > RS_RENDER_MAX_H)
        return rs_error_set(err, RS_BAD_INPUT, "", "picture size %dx%d is out of range (%dx%d to %dx%d)", w, h,
                            RS_RENDER_MIN_W, RS_RENDER_MIN_H, RS_RENDER_MAX_W, RS_RENDER_MAX_H);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    if (!surf)
        return rs_error_set(err, RS_INTERNAL, "", "cannot create a %dx%d picture: %s", w, h, SDL_GetError());
    rs_status st = draw_chart(surf, s, err);
    /* a PNG of RGB pixels is at most the raw rows plus the zlib and chunk overhead */
    size_t cap = (size_t)w * (size_t)h * 4 + (1 << 16);
    void *buf = st == RS_OK ? malloc(cap) : NULL;
    if (st == RS_OK) {
        SDL_RWops *rw = buf ? SDL_RWFromMem(buf, (int)cap) : NULL;
        if (!rw || IMG_SavePNG_RW(surf, rw, 0) != 0) {
            st = rs_error_set(err, RS_INTERNAL, "", "cannot encode the PNG: %s", buf ? IMG_GetError() : "out of memory");
        } else {
            Sint64 size = SDL_RWtell(rw);
            st = rs_write_file_atomic(path, buf, (size_t)size, err);
        }
        if (rw)
            SDL_RWclose(rw);
    }
    free(buf);
    SDL_FreeSurface(surf);
    return st;
}
