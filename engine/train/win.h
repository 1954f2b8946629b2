/* The state of the training window, shared by its files: window.c (the frame loop: drain events, update,
 * draw, present), commands.c (what each key does), live.c (the on-call screen), terminal.c (its kubectl
 * panel), overlay.c (dialogs and help) and debrief.c (the end screen). Private to engine/train. */
#ifndef ROLLSIM_TRAIN_WIN_H
#define ROLLSIM_TRAIN_WIN_H

#include "train_int.h"

typedef enum { PH_BRIEF, PH_LIVE, PH_DEBRIEF } win_phase;
typedef enum { TAB_PODS, TAB_LOGS, TAB_HISTORY, TAB_COUNT } win_tab;
typedef enum { MOD_NONE, MOD_TEXT, MOD_CHOOSE, MOD_CONFIRM, MOD_HELP } modal_kind;

#define MAX_CHOICES 40
#define MAX_HITS 96
#define LOG_BYTES 16384

typedef struct {
    char label[160];
    char detail[200];
    rs_tact act;
    bool disabled;
} choice;

typedef struct {
    modal_kind kind;
    char title[96];
    char prompt[300];
    /* MOD_TEXT: the text completes act (arg, or number when numeric) */
    char text[RS_TEXT_MAX];
    bool numeric, allow_empty;
    rs_tact act;
    /* MOD_CHOOSE */
    int n, sel;
    choice items[MAX_CHOICES];
    double speed_before; /* MOD_HELP and MOD_CONFIRM stop time */
} modal;

/* A clickable region of the last frame. */
typedef struct {
    SDL_Rect r;
    cmd_id cmd;
    int choice;   /* >= 0: an item of the open chooser */
    int tab;      /* >= 0: a terminal tab */
} hit;

typedef struct {
    SDL_Window *window;
    SDL_Renderer *ren;
    ui_ctx ui;
    dash *dash;
    int W, H;                     /* renderer output size */
    float mouse_scale;            /* output pixels per window coordinate */
    /* the drill */
    rs_train_session *s;
    const rs_train_window_opts *o;
    script *script;
    win_phase phase;
    double speed, speed_before_pause;
    bool replay;
    /* investigation */
    win_tab tab;
    bool loading;
    rs_tact_kind load_kind;
    rs_time load_start, load_done;
    char load_pod[64];
    char logs[LOG_BYTES];
    bool have_logs;
    rs_time logs_at;
    char logs_pod[64];
    rs_history_entry hist[RS_MAX_REPLICASETS];
    int n_hist;
    bool have_hist;
    rs_time hist_at;
    rs_pod_info *pods;
    int n_pods, cap_pods;
    int pod_sel;                  /* -1: none */
    int scroll[TAB_COUNT];        /* first row shown */
    int chan_scroll;              /* lines scrolled up from the newest */
    /* feedback */
    char toast[320];
    uint32_t toast_color;
    Uint32 toast_until;           /* SDL ticks */
    int pages_seen;
    Uint32 page_since;            /* SDL ticks of the last page, for the flash */
    modal m;
    hit hits[MAX_HITS];
    int n_hits;
    /* debrief */
    const rs_result *result;
    int debrief_page;             /* 0 summary, 1 timeline */
    int debrief_scroll;
    char saved[2][320];           /* the PNG and the report written */
    /* screenshots */
    const char *shot_path;        /* taken after this frame is drawn */
    char shot_buf[320];
    int shots;
    bool quit;
    uint64_t frame;
} win;

/* commands.c */
void win_command(win *w, cmd_id c);
void win_modal_key(win *w, SDL_Keycode key, Uint16 mod);
void win_modal_text(win *w, const char *text);
void win_choose(win *w, int i);
void win_act(win *w, rs_tact *a);
void win_start_load(win *w, rs_tact_kind kind, const char *pod, bool record);
void win_finish(win *w, const char *how);
void win_toast(win *w, uint32_t color, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void win_refresh_pods(win *w);
void win_scroll(win *w, int lines);

/* live.c */
void live_draw(win *w);
void brief_draw(win *w);
void win_add_hit(win *w, SDL_Rect r, cmd_id cmd, int item, int tab);

/* terminal.c */
void terminal_panel(win *w, SDL_Rect r);

/* overlay.c */
void overlay_draw(win *w);

/* debrief.c */
void debrief_draw(win *w);
void debrief_save_png(win *w);
void debrief_save_report(win *w);

#endif
