/* Shared by the layout files (layout.c: frame, lanes and axes; markers.c: event markers and alert bands;
 * board.c: title and scoreboard). Not part of the render API. */
#ifndef ROLLSIM_RENDER_LAYOUT_INT_H
#define ROLLSIM_RENDER_LAYOUT_INT_H

#include <stddef.h>

#include "layout.h"

/* The state of one rs_layout_compute call. */
typedef struct {
    rs_layout *L;
    const rs_result *r;
    const rs_layout_opts *o;
    float m;                  /* outer margin */
    float gap;                /* space between parts */
    float line_h[RS_PX_COUNT]; /* text height of each size */
} rs_lb;

/* Text extent of `text`. */
void rs__measure(const rs_lb *b, rs_face face, rs_px_role px, const char *text, float *w, float *h);
/* Adds a text with its top-left at (x, y); returns its index or -1 when the layout is full. */
int rs__text(rs_lb *b, rs_text_role role, rs_face face, rs_px_role px, uint32_t color, float x, float y,
             const char *text);
/* Adds a legend swatch. */
void rs__swatch(rs_lb *b, rs_box box, uint32_t color, rs_swatch_style style);
/* Copies src into dst (size bytes), cutting at a UTF-8 character boundary and ending in "…" when it
 * does not fit `max_w` pixels. Returns false when even "…" does not fit. */
bool rs__fit_text(const rs_lb *b, rs_face face, rs_px_role px, const char *src, float max_w, char *dst,
                  size_t size);
/* Same colour with another alpha. */
uint32_t rs__alpha(uint32_t color, unsigned alpha);
/* The alert rule named at the start of an alert timeline entry ("HighErrorRate [critical]: ..."), or -1. */
int rs__alert_rule_of(const rs_result *r, const rs_timeline_entry *e);
uint32_t rs__severity_color(rs_severity s);
/* The lane that shows an alert rule's metric, or -1 (once the lanes are chosen). */
int rs__lane_of_rule(const rs_layout *L, const rs_alert_rule *rule);

/* markers.c */
void rs__layout_markers(rs_lb *b);      /* collects and places labels; sets n_marker_rows */
void rs__layout_marker_y(rs_lb *b);     /* once the rows' vertical place is known */
void rs__layout_bands(rs_lb *b);        /* after the lanes exist */

/* board.c */
void rs__layout_title(rs_lb *b);        /* sets L->title */
void rs__layout_board(rs_lb *b);        /* fills L->board */

#endif
