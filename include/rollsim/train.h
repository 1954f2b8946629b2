/* rollsim — training (issue 5): a trainee plays the on-call of a scenario in a live window. A session is
 * one run driven by a person: each action is applied between events at the simulated time it was taken,
 * through the same action API policies use, and recorded to a file at once. A replay applies the recorded
 * actions at the same times and gives the same result, byte for byte. The session and the replay are
 * headless; the window (engine/train, SDL) drives a session. No SDL type appears in this header. */
#ifndef ROLLSIM_TRAIN_H
#define ROLLSIM_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollsim/common.h"
#include "rollsim/io.h"
#include "rollsim/result.h"
#include "rollsim/scenario.h"
#include "rollsim/sim.h"

#define RS_TRAIN_SCHEMA "rollsim.session/1"
#define RS_TRAIN_MAX_SETS 32
#define RS_TRAIN_BUILTIN "<built-in seed-incident>" /* the recorded name of the built-in scenario */
#define RS_TRAIN_LOGS_COST RS_SEC(45)               /* reading logs costs the on-call this much time */
#define RS_TRAIN_HISTORY_COST RS_SEC(15)            /* reading the rollout history */
#define RS_TRAIN_LOG_LINES 40                       /* kubectl logs --tail */

/* What a trainee does. The first kinds act on the run; the investigations are recorded for the trainer
 * and cost simulated time in the window, but do not change the run. */
typedef enum {
    RS_TACT_ACK,
    RS_TACT_NOTE,         /* arg: text */
    RS_TACT_UNDO,         /* number: revision, 0 = previous (also canary abort, blue-green switch back) */
    RS_TACT_PAUSE,
    RS_TACT_RESUME,
    RS_TACT_PROMOTE,
    RS_TACT_SET_WEIGHT,   /* number: percent */
    RS_TACT_HOTFIX,       /* arg: version */
    RS_TACT_CONFIG_FIX,
    RS_TACT_RESTART,
    RS_TACT_SCALE,        /* number: replicas */
    RS_TACT_MIGRATE_DOWN, /* arg: version, "" = the current one */
    RS_TACT_BACKUP,       /* arg: table */
    RS_TACT_RESTORE,      /* arg: table */
    RS_TACT_ESCALATE,     /* arg: to whom */
    RS_TACT_WAIT,         /* arg: why (a decision to watch) */
    RS_TACT_RESOLVE,      /* arg: summary */
    RS_TACT_LOGS,         /* investigation: kubectl logs; arg: pod, "" = the deployment */
    RS_TACT_HISTORY,      /* investigation: kubectl rollout history */
    RS_TACT_KIND_COUNT
} rs_tact_kind;

/* "ack", "undo", "set_weight", "logs", ... (the scenario timeline's names where one exists). */
const char *rs_tact_name(rs_tact_kind k);
int rs_tact_from_name(const char *name); /* -1 when unknown */
bool rs_tact_is_investigation(rs_tact_kind k);

typedef struct {
    rs_time t_ms;              /* simulated time it was taken */
    rs_tact_kind kind;
    int number;                /* undo: revision; scale: replicas; set_weight: percent */
    char arg[RS_TEXT_MAX];     /* text, version, table or pod, by kind */
    char outcome[RS_TEXT_MAX]; /* "" when it worked, else the error as kubectl would print it */
} rs_tact;

/* A session file (docs/training.md): what was played and every action, written atomically after each
 * action so that a crash loses nothing. */
typedef struct {
    char scenario[RS_TEXT_MAX];        /* the path as given, or RS_TRAIN_BUILTIN */
    char *scenario_text;               /* the scenario's JSON as played (embedded: replays are exact) */
    int n_sets;
    char sets[RS_TRAIN_MAX_SETS][RS_TEXT_MAX]; /* --set overrides, "PATH=VALUE" */
    uint64_t seed;
    bool random;                       /* drawn by --random: the fault was hidden until the debrief */
    char recorded_at[32];              /* wall clock, UTC ISO 8601; for people only */
    char version[32];                  /* rollsim version that recorded it */
    int n_acts, cap_acts;
    rs_tact *acts;
    /* the end, once known */
    char end_how[32];                  /* "" while running; "time limit", "resolved", "quit" */
    rs_time end_ms;
    bool has_result;
    double score, mttr_s;              /* mttr_s NaN when not recovered */
    char report_hash[24];              /* FNV-1a 64 of the JSON report, hex: a replay must match it */
} rs_train_record;

void rs_train_record_init(rs_train_record *rec);
void rs_train_record_fini(rs_train_record *rec);
/* Copies the header (scenario, text, sets, seed, flags), not the actions. Returns -1 when out of memory. */
int rs_train_record_copy_header(rs_train_record *dst, const rs_train_record *src);
/* Appends an action (copied). Returns -1 when out of memory. */
int rs_train_record_add(rs_train_record *rec, const rs_tact *a);
/* The session file as JSON text. Caller owns the result; free with free(). NULL when out of memory. */
char *rs_train_record_json(const rs_train_record *rec);
/* Writes the session file atomically. */
rs_status rs_train_record_save(const rs_train_record *rec, const char *path, rs_error *err);
/* Reads a session file. On failure returns RS_BAD_INPUT with err naming the file and the problem. */
rs_status rs_train_record_load(const char *path, rs_train_record *rec, rs_error *err);
/* Loads the scenario a record played (its embedded text with its --set overrides), without its
 * expectations: they describe the scenario's scripted on-call, who does not play in a drill. */
rs_status rs_train_record_scenario(const rs_train_record *rec, rs_scenario *out, rs_diagnostics *diag);

/* FNV-1a 64 of a text, as 16 hex digits (buf holds 24 bytes). */
const char *rs_train_hash(const char *text, char *buf, size_t size);

/* ---- the session: one run with a trainee ---- */

typedef struct rs_train_session rs_train_session;

/* Starts a run of sc (which must outlive the session) with header's scenario and seed; the scenario's
 * scripted on-call and its policies do not play: the trainee is the on-call. With record_path, the
 * session file is written now and after every action. Caller owns the result; free with
 * rs_train_session_free(). Returns NULL with err set on failure. */
rs_train_session *rs_train_session_new(const rs_scenario *sc, const rs_train_record *header,
                                       const char *record_path, rs_error *err);
void rs_train_session_free(rs_train_session *s);

/* The run, for reads (pods, logs, history, alerts, queries). Act only through rs_train_session_act. */
rs_sim *rs_train_session_sim(rs_train_session *s);
const rs_scenario *rs_train_session_scenario(const rs_train_session *s);
const rs_train_record *rs_train_session_record(const rs_train_session *s);

/* Processes events up to and including t, sampling the live view at every scrape. Stopping at any times
 * gives the same run: only the actions' times matter. Returns false once the run has ended. */
bool rs_train_session_advance(rs_train_session *s, rs_time t);
bool rs_train_session_ended(const rs_train_session *s);

/* Applies a trainee action now, between events (a->t_ms and a->outcome are filled), and records it. A
 * failed action is told in the incident channel, as a failed kubectl command is, and the run goes on:
 * a->outcome holds its error ("" when it worked). Returns RS_OK, the action's error status, or
 * RS_INTERNAL when the session file cannot be written (a->outcome "" then; err says why). */
rs_status rs_train_session_act(rs_train_session *s, rs_tact *a, rs_error *err);

/* What the on-call can see so far, shaped as a result for the timeline layout: the dashboard's samples
 * up to now and the timeline entries a person sees (no fault onset, no impact marks, decisions without
 * their judgement). Owned by the session; valid until the next advance or act. */
const rs_result *rs_train_session_live(rs_train_session *s);
/* Grows whenever the live view changes (a new sample or a visible entry). */
uint64_t rs_train_session_live_version(const rs_train_session *s);
/* Pages and escalations so far (the window slows down when it grows). */
int rs_train_session_pages(const rs_train_session *s);

/* Replaying: the record followed (NULL when live), and its next action not yet applied (or NULL). */
const rs_train_record *rs_train_session_followed(const rs_train_session *s);
const rs_tact *rs_train_session_next_recorded(const rs_train_session *s);
/* Makes the session apply rec's actions (see rs_train_replay); rec must outlive the session. */
void rs_train_session_follow(rs_train_session *s, const rs_train_record *rec);
/* Applies the recorded actions due at or before now, at most max of them (max <= 0: all), in order.
 * Returns how many were applied, or -1 when the session file cannot be written. */
int rs_train_session_apply_due(rs_train_session *s, int max, rs_error *err);

/* Ends the session: the rest of the run plays out without the trainee; the result is scored and the
 * session file gets its end (how: "resolved", "quit", "time limit") and the report's hash. Returns the
 * result, owned by the session. */
const rs_result *rs_train_session_finish(rs_train_session *s, const char *how, rs_error *err);
const rs_result *rs_train_session_result(rs_train_session *s); /* NULL before finish */

/* Replays a record headless: a session of the recorded scenario and seed, every recorded action at its
 * simulated time, then the rest of the run. sc must be rs_train_record_scenario(rec). Caller owns the
 * result; free with rs_train_session_free(). NULL with err set on failure. */
rs_train_session *rs_train_replay(const rs_scenario *sc, const rs_train_record *rec, rs_error *err);

/* ---- the window ---- */

/* The same scenario and seed played by a bundled auto-rollback policy, for the debrief. */
typedef struct {
    bool have;
    char policy[RS_NAME_MAX];  /* "seed-auto-rollback", "flagger" */
    double mttr_s, mttd_s;     /* NaN when not applicable */
    double failed_requests;
    double score;
    bool rolled_back, recovered;
    char error[256];           /* why there is no comparison */
} rs_train_compare;

/* Writes a post-incident report (Markdown) of a result; caller frees. NULL when out of memory. */
typedef char *(*rs_train_report_fn)(const rs_result *r, void *ctx);

typedef struct {
    int w, h;                  /* initial window size, default 1280×720 */
    double speed;              /* initial speed (× real time); 0 = paused (rollsim train starts at 10) */
    bool accelerated;          /* SDL's default (GPU) renderer; else its software renderer, which is the faster
                                  under Xvfb and fast enough up to 2560×1440 (docs/training.md) */
    bool replay;               /* the actions come from the record (rs_train_session_follow) */
    const char *script_path;   /* tests: key presses fed at simulated times (docs/training.md) */
    const char *out_dir;       /* where the debrief saves its PNG and report; NULL = "." */
    const rs_train_compare *compare;
    rs_train_report_fn postmortem; /* NULL: the debrief writes its own short report */
    void *postmortem_ctx;
    /* benchmark: stop after this many live frames, fixed 1/60 s of real time per frame */
    int bench_frames;
    double *frame_ms;          /* bench_frames work times (drain, update, draw, present), in ms */
    char *renderer_name;       /* out (32 bytes): the SDL renderer used; NULL: not wanted */
} rs_train_window_opts;

/* Opens the window and runs the drill to the end of its debrief. The session is finished when the window
 * returns normally (rs_train_session_result). Returns RS_OK, or RS_INTERNAL with err set (no display,
 * no renderer), or RS_BAD_INPUT (a bad script). */
rs_status rs_train_window_run(rs_train_session *s, const rs_train_window_opts *o, rs_error *err);

#endif
