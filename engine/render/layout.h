/* Where everything of the incident timeline picture goes: lanes on one time axis, value axes, event
 * markers with their labels, alert bands, legends and the scoreboard. Plain C with no SDL, so the
 * geometry is unit-tested; text extents come from a callback (TTF when drawing, a fake in tests).
 * The PNG writer and the live window compute a layout and hand it to draw.c. */
#ifndef ROLLSIM_RENDER_LAYOUT_H
#define ROLLSIM_RENDER_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "rollsim/result.h"

/* The seed's dark theme (DESIGN §9), as 0xRRGGBBAA. */
#define RS_COL_BG 0x111827ffu
#define RS_COL_PLOT_BG 0x0b1220ffu
#define RS_COL_GRID 0x1f2937ffu
#define RS_COL_AXIS 0x374151ffu
#define RS_COL_TEXT 0xe5e7ebffu
#define RS_COL_MUTED 0x9ca3afffu
#define RS_COL_CRIT_FILL 0x7f1d1dffu
#define RS_COL_CRIT 0xef4444ffu
#define RS_COL_WARN_FILL 0x78350fffu
#define RS_COL_WARN 0xf59e0bffu
#define RS_COL_OK_FILL 0x064e3bffu
#define RS_COL_OK 0x10b981ffu
#define RS_COL_INFO_FILL 0x1e3a8affu
#define RS_COL_INFO 0x3b82f6ffu

typedef struct {
    float x, y, w, h;
} rs_box;

typedef enum { RS_FACE_SANS, RS_FACE_MONO, RS_FACE_COUNT } rs_face;
typedef enum { RS_PX_SMALL, RS_PX_NORMAL, RS_PX_LARGE, RS_PX_HUGE, RS_PX_COUNT } rs_px_role;

/* Fills *w and *h with the extent in pixels of UTF-8 `text` in `face` at `px` pixels. */
typedef void (*rs_measure_fn)(void *ctx, rs_face face, int px, const char *text, int *w, int *h);

typedef struct {
    int w, h;              /* picture size in pixels */
    rs_time t0, t1;        /* time range shown; t1 <= t0 means the whole run */
    rs_measure_fn measure;
    void *measure_ctx;
} rs_layout_opts;

typedef enum {
    RS_LANE_PODS,
    RS_LANE_TRAFFIC,
    RS_LANE_ERRORS,
    RS_LANE_LATENCY,
    RS_LANE_LOAD,      /* request rate (left axis), CPU and memory % (right axis) */
    RS_LANE_BUSINESS,  /* only when the scenario defines business metrics */
    RS_LANE_KIND_COUNT
} rs_lane_kind;

#define RS_LAYOUT_MAX_LANES RS_LANE_KIND_COUNT
#define RS_LAYOUT_MAX_VTICKS 12
#define RS_LAYOUT_MAX_THRESHOLDS 6
#define RS_LAYOUT_MAX_TTICKS 16
#define RS_LAYOUT_MAX_MARKERS 64
#define RS_LAYOUT_MAX_BANDS 48
#define RS_LAYOUT_MAX_TEXTS 320
#define RS_LAYOUT_MAX_SWATCHES 64
#define RS_LAYOUT_MAX_RULES 8
#define RS_LAYOUT_MARKER_ROWS 4
#define RS_TEXT_CHARS 192

typedef struct {
    double min, max;       /* value range of the axis */
    bool log;              /* log10 scale (latency) */
    int n_ticks;
    double ticks[RS_LAYOUT_MAX_VTICKS];
} rs_axis;

typedef struct {
    double value;
    bool right;            /* on the right axis (CPU, memory) */
    uint32_t color;
} rs_threshold;

typedef struct {
    rs_lane_kind kind;
    rs_box box;            /* header (title and legend) and plot */
    rs_box plot;           /* the data area */
    rs_axis left;
    bool has_right;
    rs_axis right;
    int business;          /* business metric index (RS_LANE_BUSINESS) */
    int n_thresholds;
    rs_threshold thresholds[RS_LAYOUT_MAX_THRESHOLDS];
} rs_lane;

typedef struct {
    rs_time t;
    float x;
} rs_time_tick;

/* A stretch of time an alert was pending or firing, drawn behind the lane of the alert's metric. */
typedef struct {
    int lane;              /* index into lanes */
    rs_time t0, t1;
    bool firing;
    uint32_t color;
} rs_band;

typedef struct {
    rs_time t;
    float x;               /* stem position */
    rs_event_kind kind;
    int count;             /* events merged into this marker (OOMKilled ×3) */
    int priority;          /* 1 placed first */
    uint32_t color;
    int row;               /* 0 = the row nearest the lanes; -1 = not labelled (too dense) */
    int text;              /* index into texts, -1 when not labelled */
    float stem_top;        /* y where the stem starts */
} rs_marker;

typedef enum {
    RS_TEXT_TITLE,
    RS_TEXT_SUBTITLE,
    RS_TEXT_MARKER,
    RS_TEXT_TIME_TICK,
    RS_TEXT_VALUE_TICK,
    RS_TEXT_LANE_TITLE,
    RS_TEXT_LEGEND,
    RS_TEXT_SCORE
} rs_text_role;

typedef struct {
    rs_box box;            /* top-left and measured extent */
    rs_face face;
    int px;
    uint32_t color;
    rs_text_role role;
    char text[RS_TEXT_CHARS];
} rs_text;

typedef enum {
    RS_SWATCH_FILL,        /* a solid square */
    RS_SWATCH_FADED,       /* a faded square (not ready) */
    RS_SWATCH_LINE,        /* a short line */
    RS_SWATCH_DASHED,      /* a short dashed line (threshold) */
    RS_SWATCH_PENDING,     /* alert band, pending */
    RS_SWATCH_FIRING       /* alert band, firing */
} rs_swatch_style;

typedef struct {
    rs_box box;
    uint32_t color;
    rs_swatch_style style;
} rs_swatch;

/* A horizontal separator in the scoreboard. */
typedef struct {
    float x0, x1, y;
} rs_rule;

typedef struct {
    int w, h;
    float unit;            /* 1.0 at 1280×720; sizes scale with it */
    int px[RS_PX_COUNT];   /* font sizes in pixels */
    float line;            /* data line width */
    float thin;            /* grid and stem width */
    rs_box title;          /* the title rows */
    rs_box marker_rows;    /* marker label rows */
    rs_box lanes_box;      /* all lanes with their axes */
    rs_box board;          /* the scoreboard */
    rs_time t0, t1;
    float x0, x1;          /* plot left and right, shared by all lanes */
    int n_tticks;
    rs_time_tick tticks[RS_LAYOUT_MAX_TTICKS];
    rs_time tstep;         /* time tick step */
    int n_lanes;
    rs_lane lanes[RS_LAYOUT_MAX_LANES];
    int n_versions;        /* versions shown, in order of first appearance */
    int versions[RS_MAX_VERSIONS];          /* scenario indices */
    uint32_t version_color[RS_MAX_VERSIONS]; /* by scenario index */
    int n_markers;
    rs_marker markers[RS_LAYOUT_MAX_MARKERS];
    int n_marker_rows;
    int n_unlabelled;      /* markers too dense to label */
    int n_bands;
    rs_band bands[RS_LAYOUT_MAX_BANDS];
    int n_texts;
    rs_text texts[RS_LAYOUT_MAX_TEXTS];
    int n_swatches;
    rs_swatch swatches[RS_LAYOUT_MAX_SWATCHES];
    int n_rules;
    rs_rule rules[RS_LAYOUT_MAX_RULES];
    float score_bar;       /* score as a fraction 0..1, for the bar under the big number */
    rs_box score_bar_box;
    uint32_t score_color;
} rs_layout;

/* Computes the whole layout of result r. The layout is large (~70 KB): allocate it on the heap.
 * Same result, options and measure function → the same layout. */
void rs_layout_compute(rs_layout *L, const rs_result *r, const rs_layout_opts *o);

/* Pixel x of time t, and pixel y of value v on a lane's left or right axis (clamped to the plot). */
float rs_layout_x(const rs_layout *L, rs_time t);
float rs_lane_y(const rs_lane *lane, const rs_axis *axis, double v);

/* The "nice" time tick step for a range (1, 2, 5, 10, 15, 30 s; 1, 2, 5, 10, 15, 30 min; 1, 2, 3, 6,
 * 12 h; 1, 2, 7 d): the smallest giving at most max_ticks ticks. */
rs_time rs_layout_time_step(rs_time range, int max_ticks);
/* A tick label: "T+05:00", "T+1:30:00", "T+2d", "T+1d12h". */
const char *rs_layout_time_label(rs_time t, rs_time step, char *buf, size_t size);
/* A nice value step (1, 2, 5 × 10^k) giving at most max_ticks ticks over [0, range]. */
double rs_layout_nice_step(double range, int max_ticks);

/* Boxes overlap (touching edges do not count). */
bool rs_box_overlap(rs_box a, rs_box b);

#endif
