/* Layout of the incident timeline picture: the frame (title, marker rows, lanes, scoreboard), the shared
 * time axis with nice ticks, and each lane's value axes, thresholds and legend. Sizes scale with the
 * picture (unit 1 at 1280×720), so the picture reads the same at 1280×720 and 3840×2160. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "layout_int.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define MAX_TIME_TICKS 12
#define MIN_TIME_TICKS 5

/* Version colours, in order of first appearance: cool hues first, away from the red/amber/green that mean
 * critical/warning/healthy. */
static const uint32_t version_palette[] = {0x3b82f6ffu, 0xa855f7ffu, 0x14b8a6ffu, 0xec4899ffu,
                                           0x06b6d4ffu, 0xeab308ffu, 0xf97316ffu, 0x84cc16ffu};
#define N_PALETTE (sizeof version_palette / sizeof version_palette[0])

/* Line colours of the metric lanes. */
#define COL_P95 0xf59e0bffu
#define COL_P99 0xfb7185ffu
#define COL_RPM 0xe5e7ebffu
#define COL_CPU 0x22d3eeffu
#define COL_MEM 0xc084fcffu
#define COL_BIZ 0x34d399ffu

/* ---- small helpers shared with markers.c and board.c ---- */

void rs__measure(const rs_lb *b, rs_face face, rs_px_role px, const char *text, float *w, float *h)
{
    int iw = 0, ih = 0;
    b->o->measure(b->o->measure_ctx, face, b->L->px[px], text, &iw, &ih);
    if (w)
        *w = (float)iw;
    if (h)
        *h = (float)ih;
}

int rs__text(rs_lb *b, rs_text_role role, rs_face face, rs_px_role px, uint32_t color, float x, float y,
             const char *text)
{
    rs_layout *L = b->L;
    if (L->n_texts == RS_LAYOUT_MAX_TEXTS || !text[0])
        return -1;
    rs_text *t = &L->texts[L->n_texts];
    snprintf(t->text, sizeof t->text, "%s", text);
    t->face = face;
    t->px = L->px[px];
    t->color = color;
    t->role = role;
    rs__measure(b, face, px, t->text, &t->box.w, &t->box.h);
    t->box.x = roundf(x);
    t->box.y = roundf(y);
    return L->n_texts++;
}

void rs__swatch(rs_lb *b, rs_box box, uint32_t color, rs_swatch_style style)
{
    rs_layout *L = b->L;
    if (L->n_swatches < RS_LAYOUT_MAX_SWATCHES)
        L->swatches[L->n_swatches++] = (rs_swatch){box, color, style};
}

/* Length of the longest prefix of s no longer than n bytes that ends on a character boundary. */
static size_t utf8_prefix(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

bool rs__fit_text(const rs_lb *b, rs_face face, rs_px_role px, const char *src, float max_w, char *dst,
                  size_t size)
{
    float w;
    size_t len = strlen(src);
    snprintf(dst, size, "%s", src);
    rs__measure(b, face, px, dst, &w, NULL);
    if (w <= max_w && len < size)
        return true;
    size_t n = utf8_prefix(src, len < size - 4 ? len : size - 4); /* room for "…" */
    while (n > 0) {
        n = utf8_prefix(src, n - 1);
        while (n > 0 && src[n - 1] == ' ')
            n--;
        snprintf(dst, size, "%.*s…", (int)n, src);
        rs__measure(b, face, px, dst, &w, NULL);
        if (w <= max_w)
            return true;
    }
    snprintf(dst, size, "…");
    rs__measure(b, face, px, dst, &w, NULL);
    return w <= max_w;
}

uint32_t rs__alpha(uint32_t color, unsigned alpha)
{
    return (color & 0xffffff00u) | (alpha & 0xffu);
}

uint32_t rs__severity_color(rs_severity s)
{
    return s == RS_SEV_CRITICAL ? RS_COL_CRIT : s == RS_SEV_WARNING ? RS_COL_WARN : RS_COL_INFO;
}

int rs__alert_rule_of(const rs_result *r, const rs_timeline_entry *e)
{
    const rs_scenario *sc = r->scenario;
    size_t n = strcspn(e->detail, " [");
    for (int i = 0; i < sc->n_alerts; i++)
        if (strlen(sc->alerts[i].name) == n && strncmp(sc->alerts[i].name, e->detail, n) == 0)
            return i;
    return -1;
}

bool rs_box_overlap(rs_box a, rs_box b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

float rs_layout_x(const rs_layout *L, rs_time t)
{
    if (L->t1 <= L->t0)
        return L->x0;
    double f = (double)(t - L->t0) / (double)(L->t1 - L->t0);
    return L->x0 + (float)(f * (L->x1 - L->x0));
}

float rs_lane_y(const rs_lane *lane, const rs_axis *axis, double v)
{
    double f;
    if (axis->log) {
        double lo = log10(axis->min), hi = log10(axis->max);
        f = (log10(v > axis->min ? v : axis->min) - lo) / (hi - lo);
    } else {
        f = (v - axis->min) / (axis->max - axis->min);
    }
    if (!(f >= 0))
        f = 0;
    if (f > 1)
        f = 1;
    return lane->plot.y + lane->plot.h - (float)(f * lane->plot.h);
}

/* ---- time axis ---- */

rs_time rs_layout_time_step(rs_time range, int max_ticks)
{
    static const rs_time steps[] = {SEC,      2 * SEC,  5 * SEC,  10 * SEC, 15 * SEC, 30 * SEC, MIN,
                                    2 * MIN,  5 * MIN,  10 * MIN, 15 * MIN, 30 * MIN, HOUR,     2 * HOUR,
                                    3 * HOUR, 6 * HOUR, 12 * HOUR, DAY,     2 * DAY,  7 * DAY};
    size_t n = sizeof steps / sizeof steps[0];
    if (max_ticks < 2)
        max_ticks = 2;
    for (size_t i = 0; i < n; i++)
        if (range / steps[i] + 1 <= max_ticks)
            return steps[i];
    return steps[n - 1];
}

const char *rs_layout_time_label(rs_time t, rs_time step, char *buf, size_t size)
{
    long long s = (long long)(t / SEC);
    if (step % HOUR == 0) {
        long long d = s / 86400, h = (s % 86400) / 3600;
        if (s == 0)
            snprintf(buf, size, "T+0");
        else if (d == 0)
            snprintf(buf, size, "T+%lldh", h);
        else if (h == 0)
            snprintf(buf, size, "T+%lldd", d);
        else
            snprintf(buf, size, "T+%lldd%02lldh", d, h);
    } else if (s >= 3600) {
        snprintf(buf, size, "T+%lld:%02lld:%02lld", s / 3600, (s % 3600) / 60, s % 60);
    } else {
        snprintf(buf, size, "T+%02lld:%02lld", s / 60, s % 60);
    }
    return buf;
}

/* Widest label of the ticks a step gives. */
static float time_labels_width(const rs_lb *b, rs_time step)
{
    const rs_layout *L = b->L;
    float widest = 0;
    for (rs_time t = (L->t0 + step - 1) / step * step; t <= L->t1; t += step) {
        char buf[32];
        float w;
        rs__measure(b, RS_FACE_SANS, RS_PX_SMALL, rs_layout_time_label(t, step, buf, sizeof buf), &w, NULL);
        if (w > widest)
            widest = w;
    }
    return widest;
}

/* Nice ticks at most MAX_TIME_TICKS, fewer when their labels would not fit side by side. */
static void layout_time_ticks(rs_lb *b, float label_y)
{
    rs_layout *L = b->L;
    rs_time range = L->t1 - L->t0;
    int max_ticks = MAX_TIME_TICKS;
    rs_time step = rs_layout_time_step(range, max_ticks);
    for (;;) {
        int n = (int)(range / step) + 1;
        float need = (time_labels_width(b, step) + 2 * b->gap) * (float)(n - 1);
        if (need <= L->x1 - L->x0 || max_ticks <= 2)
            break;
        max_ticks = n - 1;
        step = rs_layout_time_step(range, max_ticks);
    }
    L->tstep = step;
    L->n_tticks = 0;
    float right_limit = L->lanes_box.x + L->lanes_box.w;
    float last_right = -1e9f;
    for (rs_time t = (L->t0 + step - 1) / step * step; t <= L->t1 && L->n_tticks < RS_LAYOUT_MAX_TTICKS;
         t += step) {
        float x = rs_layout_x(L, t);
        L->tticks[L->n_tticks++] = (rs_time_tick){t, x};
        char buf[32];
        float w;
        rs__measure(b, RS_FACE_SANS, RS_PX_SMALL, rs_layout_time_label(t, step, buf, sizeof buf), &w, NULL);
        float lx = fminf(fmaxf(x - w / 2, L->lanes_box.x), right_limit - w);
        if (lx < last_right + b->gap)
            continue; /* only at the clamped ends: keep the tick, drop its label */
        rs__text(b, RS_TEXT_TIME_TICK, RS_FACE_SANS, RS_PX_SMALL, RS_COL_MUTED, lx, label_y, buf);
        last_right = lx + w;
    }
}

/* ---- value axes ---- */

double rs_layout_nice_step(double range, int max_ticks)
{
    if (!(range > 0))
        return 1;
    if (max_ticks < 2)
        max_ticks = 2;
    double raw = range / (max_ticks - 1);
    double p = pow(10, floor(log10(raw)));
    static const double mult[] = {1, 2, 5, 10};
    for (int i = 0; i < 4; i++)
        if (mult[i] * p >= raw * (1 - 1e-9))
            return mult[i] * p;
    return 10 * p;
}

/* Ticks 0..max (max is data_max rounded up to the step). */
static void linear_axis(rs_axis *a, double data_max, int max_ticks, bool integer)
{
    if (!(data_max > 0))
        data_max = integer ? 1 : 1e-9;
    double step = rs_layout_nice_step(data_max, max_ticks);
    if (integer && step < 1)
        step = 1;
    a->log = false;
    a->min = 0;
    a->max = ceil(data_max / step - 1e-9) * step;
    a->n_ticks = 0;
    for (int i = 0; a->n_ticks < RS_LAYOUT_MAX_VTICKS; i++) {
        double v = i * step;
        if (v > a->max + step * 1e-6)
            break;
        a->ticks[a->n_ticks++] = v;
    }
}

/* Decades from lo to hi, with the 2 and 5 in between when there is room. */
static void log_axis(rs_axis *a, double lo, double hi, int max_ticks)
{
    double dlo = floor(log10(lo > 1 ? lo : 1)), dhi = ceil(log10(hi > lo ? hi : lo * 10));
    if (dhi <= dlo)
        dhi = dlo + 1;
    a->log = true;
    a->min = pow(10, dlo);
    a->max = pow(10, dhi);
    int decades = (int)(dhi - dlo);
    bool minor = decades * 3 + 1 <= max_ticks;
    int every = decades + 1 <= max_ticks ? 1 : 2;
    a->n_ticks = 0;
    for (int d = 0; d <= decades && a->n_ticks < RS_LAYOUT_MAX_VTICKS; d++) {
        double base = pow(10, dlo + d);
        if (d % every == 0 || d == decades)
            a->ticks[a->n_ticks++] = base;
        if (minor && d < decades && a->n_ticks + 2 < RS_LAYOUT_MAX_VTICKS) {
            a->ticks[a->n_ticks++] = 2 * base;
            a->ticks[a->n_ticks++] = 5 * base;
        }
    }
}

static void format_percent(double v, double step, char *buf, size_t size)
{
    int decimals = step >= 0.01 - 1e-12 ? 0 : step >= 0.001 - 1e-12 ? 1 : 2;
    snprintf(buf, size, "%.*f%%", decimals, v * 100);
}

static void format_ms(double v, char *buf, size_t size)
{
    if (v >= 1000)
        snprintf(buf, size, "%g s", v / 1000);
    else
        snprintf(buf, size, "%g ms", v);
}

static void format_count(double v, char *buf, size_t size)
{
    if (v >= 1e6)
        snprintf(buf, size, "%gM", v / 1e6);
    else if (v >= 1e3)
        snprintf(buf, size, "%gk", v / 1e3);
    else
        snprintf(buf, size, "%g", v);
}

/* The label of tick i of an axis of a lane. */
static void tick_label(const rs_lane *lane, const rs_axis *a, int i, char *buf, size_t size)
{
    double v = a->ticks[i];
    double step = a->n_ticks > 1 ? a->ticks[1] - a->ticks[0] : 1;
    if (a == &lane->right)
        format_percent(v, step, buf, size);
    else if (lane->kind == RS_LANE_TRAFFIC || lane->kind == RS_LANE_ERRORS)
        format_percent(v, step, buf, size);
    else if (lane->kind == RS_LANE_LATENCY)
        format_ms(v, buf, size);
    else if (lane->kind == RS_LANE_BUSINESS)
        snprintf(buf, size, "%.3g", v);
    else
        format_count(v, buf, size);
}

/* ---- data ranges ---- */

typedef struct {
    double pods, error, lat_lo, lat_hi, rpm, res, biz;
} data_max;

static void scan_series(const rs_lb *b, int biz, data_max *d)
{
    const rs_result *r = b->r;
    *d = (data_max){1, 0, 1e12, 0, 0, 1.0, 0};
    for (size_t i = 0; i < r->n_series; i++) {
        const rs_sample *s = &r->series[i];
        int total = 0;
        for (int v = 0; v < RS_SERIES_MAX_VERSIONS; v++)
            total += s->total_by_version[v];
        d->pods = fmax(d->pods, fmax(total, s->pods_total));
        if (!isnan(s->error_rate))
            d->error = fmax(d->error, s->error_rate);
        if (!isnan(s->latency_p95_ms) && s->latency_p95_ms > 0)
            d->lat_lo = fmin(d->lat_lo, s->latency_p95_ms);
        if (!isnan(s->latency_p99_ms))
            d->lat_hi = fmax(d->lat_hi, s->latency_p99_ms);
        if (!isnan(s->latency_p95_ms))
            d->lat_hi = fmax(d->lat_hi, s->latency_p95_ms);
        d->rpm = fmax(d->rpm, s->rpm);
        d->res = fmax(d->res, fmax(s->cpu, s->memory));
        if (biz >= 0 && !isnan(s->business[biz]))
            d->biz = fmax(d->biz, s->business[biz]);
    }
    if (d->lat_lo > d->lat_hi)
        d->lat_lo = 100, d->lat_hi = 1000;
}

/* The lane that shows an alert rule's metric, or -1. */
static int lane_of_metric(const rs_layout *L, const rs_alert_rule *rule, bool *right)
{
    rs_lane_kind k;
    *right = false;
    switch (rule->metric) {
    case RS_METRIC_ERROR_RATE: k = RS_LANE_ERRORS; break;
    case RS_METRIC_LATENCY_P50:
    case RS_METRIC_LATENCY_P95:
    case RS_METRIC_LATENCY_P99: k = RS_LANE_LATENCY; break;
    case RS_METRIC_CPU:
    case RS_METRIC_MEMORY: k = RS_LANE_LOAD; *right = true; break;
    case RS_METRIC_REQUEST_RATE: k = RS_LANE_LOAD; break;
    case RS_METRIC_BUSINESS: k = RS_LANE_BUSINESS; break;
    default: k = RS_LANE_PODS; break;
    }
    for (int i = 0; i < L->n_lanes; i++)
        if (L->lanes[i].kind == k && (k != RS_LANE_BUSINESS || L->lanes[i].business == rule->business_index))
            return i;
    return -1;
}

int rs__lane_of_rule(const rs_layout *L, const rs_alert_rule *rule)
{
    bool right;
    return lane_of_metric(L, rule, &right);
}

/* Dashed threshold lines from the scenario's alert rules, one per distinct value. */
static void lane_thresholds(rs_lb *b, int li)
{
    rs_lane *lane = &b->L->lanes[li];
    const rs_scenario *sc = b->r->scenario;
    lane->n_thresholds = 0;
    for (int i = 0; i < sc->n_alerts && lane->n_thresholds < RS_LAYOUT_MAX_THRESHOLDS; i++) {
        bool right;
        if (lane_of_metric(b->L, &sc->alerts[i], &right) != li)
            continue;
        bool dup = false;
        for (int j = 0; j < lane->n_thresholds; j++)
            dup |= lane->thresholds[j].value == sc->alerts[i].threshold && lane->thresholds[j].right == right;
        if (!dup)
            lane->thresholds[lane->n_thresholds++] =
                (rs_threshold){sc->alerts[i].threshold, right, rs__severity_color(sc->alerts[i].severity)};
    }
}

/* Axis ranges and ticks for a plot height. */
static void lane_axes(rs_lb *b, rs_lane *lane, const data_max *d, float plot_h)
{
    int max_ticks = (int)(plot_h / (b->line_h[RS_PX_SMALL] * 1.6f)) + 1;
    max_ticks = max_ticks < 2 ? 2 : max_ticks > 6 ? 6 : max_ticks;
    double thr = 0, thr_right = 0;
    for (int i = 0; i < lane->n_thresholds; i++)
        *(lane->thresholds[i].right ? &thr_right : &thr) =
            fmax(*(lane->thresholds[i].right ? &thr_right : &thr), lane->thresholds[i].value);
    lane->has_right = false;
    switch (lane->kind) {
    case RS_LANE_PODS: linear_axis(&lane->left, d->pods, max_ticks, true); break;
    case RS_LANE_TRAFFIC: linear_axis(&lane->left, 1.0, max_ticks < 3 ? max_ticks : 3, false); break;
    case RS_LANE_ERRORS: linear_axis(&lane->left, fmax(fmax(d->error * 1.05, thr * 1.25), 0.01), max_ticks, false); break;
    case RS_LANE_LATENCY:
        log_axis(&lane->left, fmin(d->lat_lo, thr > 0 ? thr : d->lat_lo), fmax(d->lat_hi, thr * 1.5), max_ticks);
        break;
    case RS_LANE_LOAD:
        linear_axis(&lane->left, fmax(d->rpm, thr) * 1.1, max_ticks, false);
        lane->has_right = true;
        linear_axis(&lane->right, fmax(d->res, thr_right), max_ticks, false);
        lane->right.max *= 1.06; /* room for a line pinned at 100% */
        break;
    case RS_LANE_BUSINESS: linear_axis(&lane->left, fmax(d->biz, thr) * 1.15, max_ticks, false); break;
    default: break;
    }
}

/* Widest tick label a lane's axis may get at any height. */
static float axis_label_width(rs_lb *b, rs_lane *lane, const data_max *d, bool right)
{
    float widest = 0;
    for (float hgt = 20; hgt <= 2000; hgt *= 1.5f) {
        lane_axes(b, lane, d, hgt * b->L->unit);
        const rs_axis *a = right ? &lane->right : &lane->left;
        if (right && !lane->has_right)
            return 0;
        for (int i = 0; i < a->n_ticks; i++) {
            char buf[32];
            float w;
            tick_label(lane, a, i, buf, sizeof buf);
            rs__measure(b, RS_FACE_SANS, RS_PX_SMALL, buf, &w, NULL);
            widest = fmaxf(widest, w);
        }
    }
    return widest;
}

/* ---- versions ---- */

static void discover_versions(rs_layout *L, const rs_result *r)
{
    bool seen[RS_MAX_VERSIONS] = {false};
    L->n_versions = 0;
    for (size_t i = 0; i < r->n_series; i++)
        for (int v = 0; v < RS_SERIES_MAX_VERSIONS && v < r->scenario->n_versions; v++) {
            const rs_sample *s = &r->series[i];
            if (seen[v] || (s->total_by_version[v] <= 0 && !(s->share_by_version[v] > 0)))
                continue;
            seen[v] = true;
            L->version_color[v] = version_palette[(size_t)L->n_versions % N_PALETTE];
            L->versions[L->n_versions++] = v;
        }
    for (int v = 0; v < RS_MAX_VERSIONS; v++)
        if (!seen[v])
            L->version_color[v] = RS_COL_MUTED;
}

/* ---- legends ---- */

typedef struct {
    float x, y, right;
    bool full;
} legend_pen;

static void legend_item(rs_lb *b, legend_pen *p, uint32_t color, rs_swatch_style style, const char *text)
{
    if (p->full)
        return;
    float tw, th;
    rs__measure(b, RS_FACE_SANS, RS_PX_SMALL, text, &tw, &th);
    float sw = style == RS_SWATCH_LINE || style == RS_SWATCH_DASHED ? b->L->px[RS_PX_SMALL] * 1.4f
                                                                     : b->L->px[RS_PX_SMALL] * 0.8f;
    float need = sw + b->gap * 0.5f + tw;
    if (p->x + need > p->right) {
        p->full = true;
        return;
    }
    float sh = b->L->px[RS_PX_SMALL] * 0.8f;
    rs__swatch(b, (rs_box){roundf(p->x), roundf(p->y + (th - sh) / 2), roundf(sw), roundf(sh)}, color, style);
    rs__text(b, RS_TEXT_LEGEND, RS_FACE_SANS, RS_PX_SMALL, RS_COL_MUTED, p->x + sw + b->gap * 0.5f, p->y, text);
    p->x += need + b->gap * 1.5f;
}

static void legend_versions(rs_lb *b, legend_pen *p)
{
    for (int i = 0; i < b->L->n_versions; i++) {
        int v = b->L->versions[i];
        legend_item(b, p, b->L->version_color[v], RS_SWATCH_FILL, b->r->scenario->versions[v].name);
    }
}

static void format_threshold(const rs_lane *lane, const rs_threshold *t, char *buf, size_t size)
{
    if (t->right || lane->kind == RS_LANE_ERRORS)
        snprintf(buf, size, "%g%%", t->value * 100);
    else if (lane->kind == RS_LANE_LATENCY)
        format_ms(t->value, buf, size);
    else
        snprintf(buf, size, "%g", t->value);
}

static void legend_thresholds(rs_lb *b, legend_pen *p, const rs_lane *lane)
{
    const rs_scenario *sc = b->r->scenario;
    for (int i = 0; i < lane->n_thresholds; i++) {
        const rs_threshold *t = &lane->thresholds[i];
        const char *name = "alert";
        const char *op = ">";
        for (int k = 0; k < sc->n_alerts; k++)
            if (sc->alerts[k].threshold == t->value && rs__lane_of_rule(b->L, &sc->alerts[k]) == lane - b->L->lanes) {
                name = sc->alerts[k].name;
                op = rs_cmp_op_name(sc->alerts[k].op);
                break;
            }
        char val[32], text[128];
        format_threshold(lane, t, val, sizeof val);
        snprintf(text, sizeof text, "%s %s %s", name, op, val);
        legend_item(b, p, t->color, RS_SWATCH_DASHED, text);
    }
}

static bool lane_has_bands(const rs_layout *L, int li, bool firing)
{
    for (int i = 0; i < L->n_bands; i++)
        if (L->bands[i].lane == li && L->bands[i].firing == firing)
            return true;
    return false;
}

static const char *lane_title(const rs_lb *b, const rs_lane *lane, char *buf, size_t size)
{
    switch (lane->kind) {
    case RS_LANE_PODS: return "Pods";
    case RS_LANE_TRAFFIC: return "Traffic split";
    case RS_LANE_ERRORS: return "Error rate (1m)";
    case RS_LANE_LATENCY: return "Latency (log)";
    case RS_LANE_LOAD: return "Requests & resources";
    case RS_LANE_BUSINESS:
        snprintf(buf, size, "Business: %s", b->r->scenario->biz_metrics[lane->business].name);
        return buf;
    default: return "";
    }
}

static void lane_legend(rs_lb *b, int li)
{
    rs_lane *lane = &b->L->lanes[li];
    char buf[96];
    const char *title = lane_title(b, lane, buf, sizeof buf);
    int t = rs__text(b, RS_TEXT_LANE_TITLE, RS_FACE_SANS, RS_PX_SMALL, RS_COL_TEXT, lane->plot.x, lane->box.y, title);
    float tw = t >= 0 ? b->L->texts[t].box.w : 0;
    legend_pen p = {lane->plot.x + tw + b->gap * 2, lane->box.y, lane->plot.x + lane->plot.w, false};
    switch (lane->kind) {
    case RS_LANE_PODS:
        legend_versions(b, &p);
        legend_item(b, &p, RS_COL_MUTED, RS_SWATCH_FILL, "ready");
        legend_item(b, &p, RS_COL_MUTED, RS_SWATCH_FADED, "not ready");
        legend_item(b, &p, RS_COL_CRIT, RS_SWATCH_FILL, "crash-looping");
        break;
    case RS_LANE_TRAFFIC: legend_versions(b, &p); break;
    case RS_LANE_ERRORS: legend_item(b, &p, RS_COL_CRIT, RS_SWATCH_LINE, "all versions"); break;
    case RS_LANE_LATENCY:
        legend_item(b, &p, COL_P95, RS_SWATCH_LINE, "p95");
        legend_item(b, &p, COL_P99, RS_SWATCH_LINE, "p99");
        break;
    case RS_LANE_LOAD:
        legend_item(b, &p, COL_RPM, RS_SWATCH_LINE, "req/min");
        legend_item(b, &p, COL_CPU, RS_SWATCH_LINE, "CPU %");
        legend_item(b, &p, COL_MEM, RS_SWATCH_LINE, "memory %");
        break;
    case RS_LANE_BUSINESS: legend_item(b, &p, COL_BIZ, RS_SWATCH_LINE, "value"); break;
    default: break;
    }
    legend_thresholds(b, &p, lane);
    if (lane_has_bands(b->L, li, false))
        legend_item(b, &p, RS_COL_WARN, RS_SWATCH_PENDING, "pending");
    if (lane_has_bands(b->L, li, true))
        legend_item(b, &p, RS_COL_CRIT, RS_SWATCH_FIRING, "firing");
}

/* ---- the frame ---- */

static void choose_lanes(rs_layout *L, const rs_result *r)
{
    static const rs_lane_kind base[] = {RS_LANE_PODS, RS_LANE_TRAFFIC, RS_LANE_ERRORS, RS_LANE_LATENCY,
                                        RS_LANE_LOAD};
    L->n_lanes = 0;
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        L->lanes[L->n_lanes++] = (rs_lane){.kind = base[i], .business = -1};
    const rs_scenario *sc = r->scenario;
    if (sc->n_biz_metrics > 0) {
        int biz = 0;
        for (int i = 0; i < sc->n_alerts; i++)
            if (sc->alerts[i].metric == RS_METRIC_BUSINESS) {
                biz = sc->alerts[i].business_index;
                break;
            }
        L->lanes[L->n_lanes++] = (rs_lane){.kind = RS_LANE_BUSINESS, .business = biz};
    }
}

static float lane_weight(rs_lane_kind k)
{
    switch (k) {
    case RS_LANE_TRAFFIC: return 0.7f;
    case RS_LANE_ERRORS: return 1.15f;
    case RS_LANE_BUSINESS: return 0.8f;
    default: return 1.0f;
    }
}

static void init_sizes(rs_lb *b, const rs_layout_opts *o)
{
    rs_layout *L = b->L;
    L->w = o->w;
    L->h = o->h;
    L->unit = fminf((float)o->w / 1280.0f, (float)o->h / 720.0f);
    static const float base_px[RS_PX_COUNT] = {11.5f, 13.0f, 18.0f, 34.0f};
    for (int i = 0; i < RS_PX_COUNT; i++)
        L->px[i] = (int)lroundf(fmaxf(base_px[i] * L->unit, 6.0f));
    L->line = fmaxf(1.0f, roundf(2.0f * L->unit));
    L->thin = fmaxf(1.0f, roundf(1.0f * L->unit));
    b->m = roundf(14.0f * L->unit);
    b->gap = roundf(8.0f * L->unit);
    for (int i = 0; i < RS_PX_COUNT; i++)
        rs__measure(b, RS_FACE_SANS, (rs_px_role)i, "Ag", NULL, &b->line_h[i]);
}

/* Horizontal layout: the lanes column, its left and right axis label columns, the plot x range. */
static void layout_columns(rs_lb *b, const data_max *d)
{
    rs_layout *L = b->L;
    float board_w = roundf(260.0f * L->unit);
    L->board = (rs_box){L->w - b->m - board_w, 0, board_w, 0};
    L->lanes_box.x = b->m;
    L->lanes_box.w = L->board.x - b->gap * 2 - b->m;
    float left = 0, right = 0;
    for (int i = 0; i < L->n_lanes; i++) {
        left = fmaxf(left, axis_label_width(b, &L->lanes[i], d, false));
        right = fmaxf(right, axis_label_width(b, &L->lanes[i], d, true));
    }
    float tw;
    rs__measure(b, RS_FACE_SANS, RS_PX_SMALL, "T+00:00:00", &tw, NULL);
    L->x0 = L->lanes_box.x + left + b->gap;
    L->x1 = L->lanes_box.x + L->lanes_box.w - fmaxf(right + b->gap, tw / 2);
}

/* Vertical layout of the lanes between top and bottom, by weight. */
static void layout_rows(rs_lb *b, float top, float bottom, const data_max *d)
{
    rs_layout *L = b->L;
    float header = b->line_h[RS_PX_SMALL] + roundf(3 * L->unit);
    float lane_gap = roundf(6 * L->unit);
    float sum = 0;
    for (int i = 0; i < L->n_lanes; i++)
        sum += lane_weight(L->lanes[i].kind);
    float avail = bottom - top - lane_gap * (float)(L->n_lanes - 1);
    float y = top;
    for (int i = 0; i < L->n_lanes; i++) {
        rs_lane *lane = &L->lanes[i];
        float hgt = i == L->n_lanes - 1 ? bottom - y : roundf(avail * lane_weight(lane->kind) / sum);
        lane->box = (rs_box){L->lanes_box.x, y, L->lanes_box.w, hgt};
        lane->plot = (rs_box){L->x0, y + header, L->x1 - L->x0, hgt - header};
        lane_thresholds(b, i);
        lane_axes(b, lane, d, lane->plot.h);
        y += hgt + lane_gap;
    }
    L->lanes_box.y = top;
    L->lanes_box.h = bottom - top;
}

static void axis_labels(rs_lb *b, const rs_lane *lane, const rs_axis *a, bool right)
{
    for (int i = 0; i < a->n_ticks; i++) {
        char buf[32];
        float w, h;
        tick_label(lane, a, i, buf, sizeof buf);
        rs__measure(b, RS_FACE_SANS, RS_PX_SMALL, buf, &w, &h);
        float y = rs_lane_y(lane, a, a->ticks[i]) - h / 2;
        y = fminf(fmaxf(y, lane->plot.y - h / 2), lane->plot.y + lane->plot.h - h / 2);
        float x = right ? b->L->x1 + b->gap * 0.5f : b->L->x0 - b->gap * 0.5f - w;
        rs__text(b, RS_TEXT_VALUE_TICK, RS_FACE_SANS, RS_PX_SMALL, RS_COL_MUTED, x, y, buf);
    }
}

void rs_layout_compute(rs_layout *L, const rs_result *r, const rs_layout_opts *o)
{
    assert(L && r && r->scenario && o && o->measure && o->w > 0 && o->h > 0);
    memset(L, 0, sizeof *L);
    rs_lb b = {.L = L, .r = r, .o = o};
    init_sizes(&b, o);
    L->t0 = o->t0;
    L->t1 = o->t1 > o->t0 ? o->t1 : (r->outcome.end_ms > o->t0 ? r->outcome.end_ms : o->t0 + 60 * SEC);
    discover_versions(L, r);
    choose_lanes(L, r);
    data_max d;
    int biz = L->lanes[L->n_lanes - 1].business;
    scan_series(&b, biz, &d);
    for (int i = 0; i < L->n_lanes; i++)
        lane_thresholds(&b, i);
    rs__layout_title(&b);
    layout_columns(&b, &d);
    rs__layout_markers(&b);
    float row_h = b.line_h[RS_PX_SMALL] + roundf(4 * L->unit);
    L->marker_rows = (rs_box){L->lanes_box.x, L->title.y + L->title.h + b.gap, L->lanes_box.w, row_h * (float)L->n_marker_rows};
    float top = L->marker_rows.y + L->marker_rows.h + (L->n_marker_rows ? roundf(4 * L->unit) : 0);
    /* time labels below the last lane, clear of its lowest value label (which is centred on the axis) */
    float bottom = (float)L->h - b.m - b.line_h[RS_PX_SMALL] * 1.5f - roundf(3 * L->unit);
    layout_rows(&b, top, bottom, &d);
    rs__layout_marker_y(&b);
    rs__layout_bands(&b);
    for (int i = 0; i < L->n_lanes; i++) {
        lane_legend(&b, i);
        axis_labels(&b, &L->lanes[i], &L->lanes[i].left, false);
        if (L->lanes[i].has_right)
            axis_labels(&b, &L->lanes[i], &L->lanes[i].right, true);
    }
    layout_time_ticks(&b, bottom + b.line_h[RS_PX_SMALL] * 0.5f + roundf(3 * L->unit));
    L->board.y = L->marker_rows.y;
    L->board.h = (float)L->h - b.m - L->board.y;
    rs__layout_board(&b);
}
