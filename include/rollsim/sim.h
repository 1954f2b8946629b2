/* rollsim — a simulation run: a value you create from a scenario and a seed, step, read and free.
 * No global state: many runs can live in one process (sweeps, the training window). */
#ifndef ROLLSIM_SIM_H
#define ROLLSIM_SIM_H

#include <stdbool.h>
#include <stdio.h>

#include "rollsim/common.h"
#include "rollsim/result.h"
#include "rollsim/scenario.h"

typedef struct rs_sim rs_sim;

/* Creates a run. The scenario must outlive the run (it is not copied). Caller owns the result; free with
 * rs_sim_free(). Returns NULL with err set when the scenario is inconsistent or memory is short. */
rs_sim *rs_sim_new(const rs_scenario *sc, uint64_t seed, rs_error *err);
void rs_sim_free(rs_sim *sim);

rs_time rs_sim_now(const rs_sim *sim);
/* Processes the next event. Returns false once the run has ended (time limit or tail after resolve). */
bool rs_sim_step(rs_sim *sim);
/* Processes events up to and including time t (or until the end). Returns false once ended. */
bool rs_sim_run_until(rs_sim *sim, rs_time t);
/* Runs to the end, computes scores and checks expectations. */
void rs_sim_run(rs_sim *sim);
bool rs_sim_ended(const rs_sim *sim);
/* Finalises (scores, expectations) if not done and returns the result, owned by the run. */
const rs_result *rs_sim_result(rs_sim *sim);

/* Called for each timeline entry as it is recorded (e.g. to print the story live); may be NULL. */
typedef void (*rs_timeline_fn)(void *ctx, const rs_timeline_entry *e);
void rs_sim_on_timeline(rs_sim *sim, rs_timeline_fn fn, void *ctx);

/* --- Reads (what a dashboard, kubectl or a policy sees) --- */

/* A windowed query evaluated as Prometheus would at the current time: rate() over `window` for error
 * rate and request rate, histogram_quantile() for latencies, avg_over_time for CPU, memory and business
 * metrics. version = -1 for all versions. Returns NaN when there is no data (too few scrapes in the
 * window, or no requests). */
double rs_sim_query(const rs_sim *sim, rs_metric_kind metric, int business_index, int version,
                    rs_time window);

typedef struct {
    char name[64];
    int version;           /* index into the scenario's versions */
    int revision;
    const char *phase;     /* "Pending", "ContainerCreating", "Running", "CrashLoopBackOff", "Terminating" */
    bool ready;
    int restarts;
    rs_time age_ms;
    const char *last_state; /* "", "OOMKilled" */
} rs_pod_info;

/* Fills up to max pods (live and terminating), in a stable order; returns the total count. */
int rs_sim_pods(const rs_sim *sim, rs_pod_info *out, int max);
/* Rollout history as `kubectl rollout history` shows it, oldest first; returns the count. */
int rs_sim_history(const rs_sim *sim, rs_history_entry *out, int max);
/* The current revision and version index of the deployment's template. */
int rs_sim_current_revision(const rs_sim *sim);
int rs_sim_current_version(const rs_sim *sim);
/* The last n log lines of a pod (by name, or "" for the deployment: one pod chosen as kubectl does),
 * written into buf as text lines, as `kubectl logs --tail=n`. Deterministic. Returns lines written. */
int rs_sim_logs(const rs_sim *sim, const char *pod, int n, char *buf, size_t size);

/* A migration as the migration tool shows it (the seed's Part 4 questions: does the added column or table
 * hold data yet, do values exceed the old type, is there a down step, is it backed up?). */
typedef struct {
    int version;                  /* index into the scenario's versions: the version that brings it */
    rs_migration_kind kind;
    char table[RS_NAME_MAX];
    char column[RS_NAME_MAX];     /* "" for add_table */
    bool has_down;                /* a down step exists (never for drop_column) */
    const char *status;           /* "not run", "applied", "reverted", "could not be reverted" */
    double rows_with_data;        /* add_column: rows with a value in it; add_table: its rows;
                                     drop_column: the values dropped when it ran; modify_column: 0 */
    double values_over_old_range; /* modify_column: values the old type cannot hold; else 0 */
    bool backed_up;               /* a backup of the table holds what the down step would drop */
} rs_migration_info;
/* Fills up to max migrations of every version, in scenario order; returns the total count. */
int rs_sim_migrations(const rs_sim *sim, rs_migration_info *out, int max);

/* --- Actions: the one API the scripted timeline, policies and the training window use --- */
rs_status rs_action_deploy(rs_sim *sim, const char *version, rs_error *err);
rs_status rs_action_undo(rs_sim *sim, int to_revision, rs_error *err); /* 0 = previous revision */
rs_status rs_action_ack(rs_sim *sim, const char *who, rs_error *err);
rs_status rs_action_note(rs_sim *sim, const char *text, rs_error *err);
rs_status rs_action_pause(rs_sim *sim, rs_error *err);
rs_status rs_action_resume(rs_sim *sim, rs_error *err);
rs_status rs_action_scale(rs_sim *sim, int replicas, rs_error *err);
rs_status rs_action_restart(rs_sim *sim, rs_error *err);
rs_status rs_action_resolve(rs_sim *sim, const char *summary, rs_error *err);
/* Canary: start the promotion (the primary rolls to the canary's version, then the canary scales to 0).
 * Blue-green: switch the active service to the preview now. Rolling: an error. */
rs_status rs_action_promote(rs_sim *sim, rs_error *err);
/* Canary only: send `percent` (0..100) of the traffic to the canary (with a mesh), or scale the canary
 * to the nearest replica count for that share (without). */
rs_status rs_action_set_weight(rs_sim *sim, double percent, rs_error *err);
/* rs_action_undo on a canary in analysis aborts it (all traffic to the primary, canary scaled to 0); on
 * blue-green it switches back to the previous active set (scaled up first if already scaled down). */

/* Database and forward-fix actions (the seed's Parts 2 and 4). */
rs_status rs_action_migrate_down(rs_sim *sim, const char *version, rs_error *err); /* NULL: the current */
rs_status rs_action_backup(rs_sim *sim, const char *table, rs_error *err);
rs_status rs_action_restore(rs_sim *sim, const char *table, rs_error *err);
rs_status rs_action_hotfix(rs_sim *sim, const char *version, rs_error *err);   /* build, then deploy */
rs_status rs_action_config_fix(rs_sim *sim, rs_error *err);  /* config map update + rollout restart */
rs_status rs_action_escalate(rs_sim *sim, const char *to, rs_error *err);
rs_status rs_action_wait(rs_sim *sim, const char *why, rs_error *err);        /* a decision to watch */

/* Lean runs keep no dashboard series (the result's `series` stays empty, and so do the peaks and the
 * recovery tracking that read it): for sweeps, which read only decisions and counts. Call before running. */
void rs_sim_set_lean(rs_sim *sim, bool lean);

/* An operator policy plays the on-call: the scenario's scripted timeline keeps only its deploys. */
void rs_sim_skip_scripted_operator(rs_sim *sim);
/* A policy drives the canary (set_weight/promote/undo): the engine stops stepping the weight itself. */
void rs_sim_canary_manual(rs_sim *sim, bool manual);

typedef struct {
    rs_strategy_kind strategy;
    const char *phase;   /* "stable", "progressing", "paused", "promoting", "rolling_back", "failed" */
    int stable_version;  /* the version serving as stable / primary / active */
    int new_version;     /* the canary / preview / rolling target, -1 when no rollout is in progress */
    double weight;       /* canary traffic percent; blue-green 0 before the switch, 100 after */
    int revision;        /* revision of the current template */
    rs_time deployed_at; /* start of the last deploy or undo, RS_TIME_NEVER if none */
    bool paused;
} rs_rollout_status;
void rs_sim_rollout(const rs_sim *sim, rs_rollout_status *out);

/* Rolling update arithmetic of Kubernetes (exposed for tests and lint): maxSurge rounds up,
 * maxUnavailable rounds down, and both 0 gives maxUnavailable 1. */
void rs_rolling_bounds(int replicas, rs_intorpct surge, rs_intorpct unavailable, int *max_surge,
                       int *max_unavailable);

/* Prints the console summary of a finished run (timeline as the seed's story, then the scores). */
void rs_print_summary(const rs_result *r, FILE *f);

#endif
