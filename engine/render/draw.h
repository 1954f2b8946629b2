/* Drawing a computed layout onto an SDL_Renderer: thin, no decisions about where things go. The PNG
 * writer draws onto a software renderer; the live window will draw onto its own. */
#ifndef ROLLSIM_RENDER_DRAW_H
#define ROLLSIM_RENDER_DRAW_H

#include <SDL.h>

#include "layout.h"
#include "rollsim/common.h"

typedef struct rs_draw rs_draw;

/* A drawing context on `ren` (not owned) with the embedded fonts. Caller owns the result; free with
 * rs_draw_free(). Returns NULL with err set when SDL_ttf cannot start. */
rs_draw *rs_draw_new(SDL_Renderer *ren, rs_error *err);
void rs_draw_free(rs_draw *d);

/* An rs_measure_fn for rs_layout_opts: ctx is the rs_draw. */
void rs_draw_measure(void *ctx, rs_face face, int px, const char *text, int *w, int *h);

/* Draws the whole picture of result r as laid out in L. Returns RS_OK or RS_INTERNAL with err set. */
rs_status rs_draw_timeline(rs_draw *d, const rs_layout *L, const rs_result *r, rs_error *err);

/* The primitives, for other pictures in the same fonts and theme (the sweep chart): a rectangle, a thick
 * polyline with square joints, a laid-out text. Colours are 0xRRGGBBAA, blended. */
void rs_draw_fill(rs_draw *d, float x, float y, float w, float h, uint32_t color);
void rs_draw_polyline(rs_draw *d, const SDL_FPoint *p, int n, float width, uint32_t color);
void rs_draw_text(rs_draw *d, const rs_text *t);

#endif
