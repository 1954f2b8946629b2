/* Shared by the files of the training window (engine/train): text drawing from glyph atlases, the
 * drawing primitives and widgets, the live dashboard, the keymap, the test script and the window state.
 * Not part of the public API (include/rollsim/train.h). */
#ifndef ROLLSIM_TRAIN_INT_H
#define ROLLSIM_TRAIN_INT_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

#include "draw.h"
#include "layout.h"
#include "rollsim/host.h"
#include "rollsim/train.h"

/* ---- text.c: glyph atlases, so a frame of tables and logs costs blits, not font rendering ---- */

typedef struct tx_ctx tx_ctx;
typedef struct tx_font tx_font;

/* Caller owns the result; free with tx_free(). NULL with err set when SDL_ttf cannot start. */
tx_ctx *tx_new(SDL_Renderer *ren, rs_error *err);
void tx_free(tx_ctx *t);
/* The face at a pixel size, its atlas built on first use (a few are kept; the oldest go on resize). */
tx_font *tx_font_get(tx_ctx *t, rs_face face, int px);
int tx_line_h(const tx_font *f);
int tx_width(const tx_font *f, const char *s);
/* Draws s with its top-left at (x, y); returns the width drawn. */
int tx_draw(tx_font *f, int x, int y, const char *s, uint32_t color);
/* Same, cut with "…" to at most max_w pixels. */
int tx_draw_fit(tx_font *f, int x, int y, const char *s, uint32_t color, int max_w);
/* Bytes of the longest prefix of s that fits max_w pixels, broken at a space when `words`. */
size_t tx_fit(const tx_font *f, const char *s, int max_w, bool words);

/* ---- ui.c: primitives and widgets ---- */

#define UI_PANEL 0x0f172affu
#define UI_BORDER 0x374151ffu
#define UI_HOVER 0x1f2937ffu

typedef struct {
    SDL_Renderer *ren;
    tx_ctx *tx;
    float u;                 /* scale: 1 at 1280×720 */
    tx_font *sans, *small, *bold, *mono, *big, *huge;
    int pad;
} ui_ctx;

void ui_fonts(ui_ctx *ui);   /* picks the fonts for ui->u */
void ui_fill(ui_ctx *ui, SDL_Rect r, uint32_t c);
void ui_frame(ui_ctx *ui, SDL_Rect r, uint32_t c);   /* 1-pixel outline */
/* A panel: background, outline and a title row; returns the content rectangle. */
SDL_Rect ui_panel(ui_ctx *ui, SDL_Rect r, const char *title, const char *right_note);
/* A key badge ("A", "Space") followed by a label; returns the width. With draw false, only measures. */
int ui_keycap(ui_ctx *ui, int x, int y, int h, const char *key, const char *label, uint32_t fg, bool draw);
/* Word-wraps s into lines of at most max_w pixels; calls line() for each; returns the number of lines. */
int ui_wrap(const tx_font *f, const char *s, int max_w, void (*line)(void *ctx, const char *s, size_t n),
            void *ctx);
bool ui_inside(SDL_Rect r, int x, int y);

/* ---- dash.c: the live dashboard, engine/render's layout and drawing of the live view ---- */

typedef struct dash dash;

dash *dash_new(SDL_Renderer *ren, rs_error *err);
void dash_free(dash *d);
/* Draws the lanes of result r (time axis t0..t1) into area, at font size `px` for the smallest text.
 * The picture is redrawn into a cached texture only when `version` or the area changed; otherwise this is
 * one blit (a finished result gets a version of its own, e.g. UINT64_MAX). `now` draws the present as a
 * line (RS_TIME_NEVER: none). full: the whole picture with its title and scoreboard (the debrief) instead
 * of the lanes alone. */
void dash_draw(dash *d, const rs_result *r, uint64_t version, SDL_Rect area, int px, rs_time t0, rs_time t1,
               rs_time now, bool full);

/* ---- keys.c: every command, its key and its label ---- */

typedef enum {
    CMD_NONE,
    /* time */
    CMD_TIME_PAUSE, CMD_SPEED_1, CMD_SPEED_10, CMD_SPEED_60,
    /* respond */
    CMD_ACK, CMD_NOTE, CMD_ROLLBACK, CMD_PAUSE_ROLLOUT, CMD_PROMOTE, CMD_WEIGHT, CMD_HOTFIX, CMD_CONFIG_FIX,
    CMD_RESTART, CMD_SCALE, CMD_DATABASE, CMD_ESCALATE, CMD_WAIT, CMD_RESOLVE,
    /* investigate */
    CMD_PODS, CMD_LOGS, CMD_HISTORY, CMD_NEXT_TAB,
    /* window */
    CMD_HELP, CMD_SHOT, CMD_QUIT,
    /* debrief */
    CMD_DEBRIEF_PAGE, CMD_SAVE_PNG, CMD_SAVE_REPORT,
    CMD_COUNT
} cmd_id;

typedef enum { GRP_TIME, GRP_RESPOND, GRP_INVESTIGATE, GRP_WINDOW, GRP_DEBRIEF } cmd_group;

typedef struct {
    cmd_id id;
    cmd_group group;
    SDL_Keycode key;
    SDL_Keycode alt;         /* a second key (F1 for ?), or 0 */
    const char *cap;         /* as the button shows it: "A", "Space", "?" */
    const char *label;       /* "Ack", "Roll back…" */
    const char *help;        /* one line for the help overlay */
} cmd_info;

const cmd_info *cmd_get(cmd_id id);
/* The command of a key press in the live phase (or the debrief when debrief), CMD_NONE if none. */
cmd_id cmd_of_key(SDL_Keycode key, Uint16 mod, bool debrief);

/* ---- script.c: tests feed key presses at simulated times ---- */

typedef struct script script;

/* Parses a script file; NULL with err set when it cannot be read or a line is malformed. */
script *script_load(const char *path, rs_error *err);
void script_free(script *sc);
/* The window "size" items resize. */
void script_set_window(script *sc, SDL_Window *window);
/* The time of the next timed item, RS_TIME_NEVER when none is left before the debrief. */
rs_time script_next_time(const script *sc);
/* Pushes the SDL events of every timed item due at or before now; a "shot" item sets *shot (the path of a
 * screenshot to take after this frame is drawn). Returns the items fired. */
int script_fire_timed(script *sc, rs_time now, const char **shot);
/* In the debrief: fires the next debrief item (one per call); returns false when none is left. */
bool script_fire_debrief(script *sc, const char **shot);

#endif
