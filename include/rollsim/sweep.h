/* rollsim — sweeps (DESIGN §1, §10): one policy's parameters over a grid, every point run on the same
 * releases (common random numbers), the trade-off between false rollbacks and time to detect, and shards
 * that merge into exactly the unsharded result. docs/sweeps.md describes the file and the outputs. */
#ifndef ROLLSIM_SWEEP_H
#define ROLLSIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollsim/common.h"
#include "rollsim/io.h"
#include "rollsim/policy.h"
#include "rollsim/scenario.h"

#define RS_SWEEP_MAX_PARAMS 8
#define RS_SWEEP_MAX_VALUES 32      /* per parameter */
#define RS_SWEEP_MAX_POINTS 10000   /* the grid: the product of the value counts */
#define RS_SWEEP_MAX_MIX 16
#define RS_SWEEP_MAX_SEEDS 1000000  /* releases per point */
#define RS_SWEEP_MAX_SETS 32
#define RS_SWEEP_VALUE_MAX 64       /* one parameter value, as --param reads it */
#define RS_SWEEP_PATH_MAX 1024

/* A uniform draw in [lo, hi]; lo == hi is a fixed value. Durations in ms. */
typedef struct {
    double lo, hi;
} rs_sweep_range;

/* What a release meets whatever it carries. Each kind happens with its probability, independently. */
typedef struct {
    double error_blip_p;                 /* a dependency fails briefly: some % of requests error */
    rs_sweep_range error_blip_rate;      /* fraction failing */
    rs_sweep_range error_blip_duration;  /* ms */
    double latency_blip_p;               /* a dependency slows down briefly */
    rs_sweep_range latency_blip_ms;      /* p95 of responses meanwhile */
    rs_sweep_range latency_blip_duration;
    rs_sweep_range blip_start;           /* ms after the deploy when a blip starts */
    double traffic_dip_p;                /* the release ships at a quiet hour */
    rs_sweep_range traffic_dip_factor;   /* share of the usual request rate */
    double slow_start_p;                 /* the release's pods start slower (cold caches, slow node) */
    rs_sweep_range slow_start_factor;    /* multiplies the version's start-up time */
} rs_sweep_noise;

/* One kind of release of the mix. */
typedef struct {
    char label[RS_NAME_MAX];  /* "healthy", the fault type, or the item's "name" */
    int fault;                /* -1: healthy; else the rs_fault_kind the release brings */
    double weight;            /* normalised: the weights of the mix sum to 1 */
    rs_fault base;            /* the fault at severity 1: its type's defaults and the item's "fault" */
    rs_sweep_range onset, ramp, severity;
    rs_sweep_noise noise;
} rs_sweep_mix;

typedef struct {
    char name[RS_NAME_MAX];
    int n_values;
    char values[RS_SWEEP_MAX_VALUES][RS_SWEEP_VALUE_MAX]; /* as --param NAME=VALUE reads them: "5", "30s" */
} rs_sweep_param;

typedef struct {
    char name[RS_NAME_MAX];
    char description[RS_TEXT_MAX * 2];
    char file[RS_SWEEP_PATH_MAX];           /* the sweep file as given ("" when read from an output) */
    char scenario_path[RS_SWEEP_PATH_MAX];  /* resolved against the sweep file's folder */
    char policy_path[RS_SWEEP_PATH_MAX];    /* resolved; "" = the scenario's own policies */
    uint64_t seed;                          /* of the release draws */
    int seeds;                              /* releases per point */
    rs_time duration;                       /* simulated time of a run; 0 = the scenario's */
    int n_sets;
    char sets[RS_SWEEP_MAX_SETS][256];      /* "PATH=VALUE" overrides of the base scenario */
    int n_params;
    rs_sweep_param params[RS_SWEEP_MAX_PARAMS];
    int n_points;                           /* product of the value counts */
    int n_mix;
    rs_sweep_mix mix[RS_SWEEP_MAX_MIX];
    int current;                            /* the point of "current" (the production setting), -1: none */
    uint64_t hash;                          /* of the sweep, scenario and policy files (resume, merge) */
    char *text;                             /* the sweep file's JSON, owned */
    /* from the base scenario (rs_sweep_load only; NULL/0 when read from an output) */
    rs_scenario *base;                      /* owned */
    rs_policy_cache *cache;                 /* the policy files compiled once for every run; owned */
    int release;                            /* version index of the release: the timeline's first deploy */
    rs_time deploy_at;                      /* when the release is deployed */
} rs_sweep;

/* Loads a sweep file, its base scenario (with "set" and "duration" applied) and checks that the release,
 * the mix and the policy's parameters fit it (every value of every parameter is tried on a prepared run).
 * Returns RS_OK, or RS_BAD_INPUT/RS_INTERNAL with every problem in diag. Free with rs_sweep_fini() in
 * any case. */
rs_status rs_sweep_load(const char *path, rs_sweep *sw, rs_diagnostics *diag);
void rs_sweep_fini(rs_sweep *sw);

/* The value index of parameter `param` at a point (the last parameter varies fastest). */
int rs_sweep_point_value(const rs_sweep *sw, int point, int param);
/* "threshold=5 step_weight=10 interval=30s" */
void rs_sweep_point_label(const rs_sweep *sw, int point, char *buf, size_t size);

/* ---- releases: the same for every point (common random numbers) ---- */

typedef struct {
    int seed_index;           /* k: the release's index, 0 .. seeds-1 */
    uint64_t seed;            /* the run's seed */
    int mix;                  /* index of its kind in the mix */
    bool faulty;
    rs_fault fault;           /* what it brings (faulty only) */
    bool error_blip, latency_blip;
    rs_fault blip[2];         /* environment faults: error blip, latency blip */
    double traffic_factor;    /* 1: no dip */
    double startup_factor;    /* 1: normal start-up */
} rs_sweep_release;

/* Release k, from draws of its own random stream of (sweep seed, k) only. */
void rs_sweep_draw(const rs_sweep *sw, int k, rs_sweep_release *out);
/* Makes `sc` the scenario of release r: sc must be a copy of sw->base, or a scenario that only
 * rs_sweep_apply() changed since (it rewrites every field it edits). */
void rs_sweep_apply(const rs_sweep *sw, const rs_sweep_release *r, rs_scenario *sc);

/* ---- runs ---- */

typedef struct {
    int point, seed;          /* a run is (point index, seed index) */
    int mix;
    bool rolled_back;
    bool promoted;
    double onset_s;           /* the release's fault showed, seconds after the deploy; NaN: it did not */
    double rollback_s;        /* the rollback decision, seconds after the deploy; NaN: none */
    double ttd_s;             /* a faulty release rolled back: rollback - onset (0 when before the onset); NaN else */
    double failed;            /* failed requests above the baseline error rate, until the rollback or the end */
    double budget_pct;        /* the same, in percent of the SLO's error budget */
    double rows_lost;
    double end_s;             /* the run stopped there (at the rollback, or the end), after the deploy */
    char error[128];          /* why a policy stopped the run (cut to 127 bytes), "" */
} rs_sweep_run;

/* Runs (point, k) to its rollback or its end. `scratch` holds the run's scenario (see rs_sweep_apply).
 * Returns RS_OK (a policy failing during the run is recorded in out->error), or the status of a run
 * that could not start, with err set. */
rs_status rs_sweep_run_one(const rs_sweep *sw, int point, int k, rs_scenario *scratch, rs_sweep_run *out,
                           rs_error *err);
/* The run as one line of runs.jsonl (with '\n'); returns its length, or -1 when it does not fit. */
int rs_sweep_run_line(const rs_sweep *sw, const rs_sweep_run *r, char *buf, size_t size);
/* Reads a line of runs.jsonl. Returns RS_OK, or RS_BAD_INPUT when it is malformed, belongs to another
 * sweep (hash) or names a run outside the grid (err says which). */
rs_status rs_sweep_run_parse(const rs_sweep *sw, const char *line, size_t len, rs_sweep_run *out, rs_error *err);

/* ---- statistics (docs/sweeps.md, "Statistics") ---- */

typedef struct {
    double est, lo, hi;       /* estimate and 95% interval; NaN where undefined */
} rs_estimate;

/* Wilson score interval of k successes in n trials. */
rs_estimate rs_sweep_wilson(long k, long n);
/* The sample q-quantile of n sorted values, x(ceil(q n)), with a distribution-free 95% interval from
 * order statistics: [x(l), x(u)] with P(l <= B < u) >= 95% for B ~ Binomial(n, q); a bound that would
 * need an order statistic outside 1..n is NaN. */
rs_estimate rs_sweep_quantile(const double *sorted, long n, double q);
/* The mean and its normal 95% interval (mean ± 1.96 s/√n; NaN for n < 2). */
rs_estimate rs_sweep_mean(const double *x, long n);
/* Marks the points not dominated when both x and y are to be minimised (a point with NaN is never on
 * the front; equal points are both on it). */
void rs_sweep_pareto(const double *x, const double *y, int n, bool *on_front);

/* ---- the summary ---- */

typedef struct {
    int point;
    char label[256];          /* rs_sweep_point_label */
    long runs, errors;        /* runs found; runs a policy stopped (left out of the figures) */
    long healthy, false_rollbacks;
    rs_estimate false_rate;   /* healthy releases rolled back */
    long faulty, detected;
    rs_estimate detection;    /* faulty releases rolled back */
    long n_ttd;               /* faulty releases rolled back, or whose fault showed: a miss counts as +inf */
    rs_estimate ttd_median, ttd_p95; /* seconds; +inf ("never") when half (5%) of them were never caught */
    rs_estimate failed, budget_pct, rows_lost; /* means per release */
    long mix_runs[RS_SWEEP_MAX_MIX], mix_rolled_back[RS_SWEEP_MAX_MIX];
    bool current, on_front;
} rs_sweep_point;

typedef struct {
    const rs_sweep *sweep;    /* not owned */
    long runs, expected;      /* runs found, runs of the full sweep */
    int n_points;
    rs_sweep_point *points;   /* in point order */
} rs_sweep_summary;

/* Aggregates runs (any order; each (point, seed) at most once). Caller owns the result; free with
 * rs_sweep_summary_free(). NULL when out of memory. */
rs_sweep_summary *rs_sweep_summarize(const rs_sweep *sw, const rs_sweep_run *runs, size_t n);
void rs_sweep_summary_free(rs_sweep_summary *s);
/* points.csv and points.jsonl (docs/sweeps.md). Caller frees with free(); NULL when out of memory. */
char *rs_sweep_points_csv(const rs_sweep_summary *s);
char *rs_sweep_points_jsonl(const rs_sweep_summary *s);

/* ---- running a sweep into an output folder ---- */

typedef struct {
    int jobs;                 /* threads; 0 = the processors online */
    int shard, shards;        /* runs whose index (point × seeds + seed) % shards == shard; shards <= 1: all */
    bool resume;              /* keep the runs already in OUT/runs.jsonl and skip them */
    int fsync_every;          /* lines between two fsync of runs.jsonl (and at most a second); 0 = 256 */
    /* Called from the calling thread about five times a second; returns true to stop the sweep (the runs
     * in progress finish and are kept). May be NULL. */
    bool (*progress)(void *ctx, long done, long remaining, double elapsed_s);
    void *ctx;
} rs_sweep_exec_opts;

typedef struct {
    long total;               /* runs of this shard */
    long skipped;             /* already in runs.jsonl (--resume) */
    long done;                /* run now */
    long errors;              /* runs a policy stopped */
    bool interrupted;
    double elapsed_s;
    char first_error[512];
} rs_sweep_exec_stats;

/* Runs the sweep's runs (of one shard) over threads, appending one line per finished run to
 * out_dir/runs.jsonl, and writes out_dir/sweep.json (the definition and the hash) first. Refuses an
 * existing runs.jsonl without opts->resume, and one of another sweep with it. Returns RS_OK (also when
 * stopped by the progress callback: see stats->interrupted), RS_BAD_INPUT or RS_INTERNAL with err set. */
rs_status rs_sweep_exec(const rs_sweep *sw, const char *out_dir, const rs_sweep_exec_opts *opts,
                        rs_sweep_exec_stats *stats, rs_error *err);

/* Reads out_dir/runs.jsonl, writes out_dir/points.csv and points.jsonl atomically and returns the summary
 * (caller frees). A run missing from the file is an error unless allow_missing. */
rs_status rs_sweep_finish(const rs_sweep *sw, const char *out_dir, bool allow_missing, rs_sweep_summary **out,
                          rs_error *err);

/* Combines the outputs of shards (each written by rs_sweep_exec) into out_dir: runs.jsonl sorted by run,
 * sweep.json, and the summary, byte for byte the summary of the unsharded sweep. The inputs must be of
 * one sweep (hash, seeds); a run found twice must be the same line. *sw receives the definition
 * (rs_sweep_fini it) and *out the summary. */
rs_status rs_sweep_merge(const char *out_dir, const char *const *in_dirs, int n_in, bool allow_missing,
                         rs_sweep *sw, rs_sweep_summary **out, rs_error *err);

#endif
