/* rollsim — the incident timeline picture (DESIGN §9): pods, traffic split, error rate, latency, load and
 * event markers on one time axis, with a scoreboard beside them, in the seed's dark theme. This header
 * has no SDL in it; the layout and drawing code behind it (engine/render) also serve the live window. */
#ifndef ROLLSIM_RENDER_H
#define ROLLSIM_RENDER_H

#include <stddef.h>

#include "rollsim/common.h"
#include "rollsim/result.h"
#include "rollsim/sweep.h"

#define RS_RENDER_DEFAULT_W 1280
#define RS_RENDER_DEFAULT_H 720
#define RS_RENDER_MIN_W 640
#define RS_RENDER_MIN_H 360
#define RS_RENDER_MAX_W 7680
#define RS_RENDER_MAX_H 4320

/* Renders the timeline of a finished run as a w×h PNG and writes it to `path` atomically (a temporary
 * file renamed over the target; "-" writes to standard output). Needs no display: a software renderer
 * draws into memory. The same result and size give the same bytes. Returns RS_OK, RS_BAD_INPUT (size out
 * of range) or RS_INTERNAL (out of memory, cannot write), with err set. */
rs_status rs_render_png(const rs_result *r, const char *path, int w, int h, rs_error *err);

/* Same, into memory. Caller owns *png; free with free(). */
rs_status rs_render_png_buffer(const rs_result *r, int w, int h, void **png, size_t *size, rs_error *err);

/* Draws a sweep's trade-off (docs/sweeps.md): each setting's false-rollback rate against its median time
 * to detect, the Pareto front joined by a line, the current setting ringed, 95% intervals, axes, legend;
 * same theme and fonts, written as rs_render_png writes. */
rs_status rs_render_sweep_png(const rs_sweep_summary *s, const char *path, int w, int h, rs_error *err);

/* Parses a size such as "1920x1080" (for --size). Returns 0, or -1 when malformed or out of range. */
int rs_render_parse_size(const char *text, int *w, int *h);

#endif
