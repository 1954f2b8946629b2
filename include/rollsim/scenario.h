/* rollsim — a scenario as plain C values: the cluster, the service and its traffic, the versions and their
 * faults, alert rules, the scripted timeline and the expectations. The loader (engine/io) fills it from
 * JSON; rs_scenario_defaults() gives every field the default documented in docs/scenario-format.md. */
#ifndef ROLLSIM_SCENARIO_H
#define ROLLSIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "rollsim/common.h"

#define RS_NAME_MAX 64
#define RS_TEXT_MAX 256
#define RS_MAX_VERSIONS 16
#define RS_MAX_FAULTS 8         /* per version */
#define RS_MAX_ENV_FAULTS 8
#define RS_MAX_ALERTS 16
#define RS_MAX_ACTIONS 64
#define RS_MAX_BIZ_METRICS 4
#define RS_MAX_EXPECT 32
#define RS_MAX_HISTORY 16
#define RS_MAX_REPLICASETS 64   /* revisionHistoryLimit (at most 50) + current and rolling sets */
#define RS_MAX_POLICIES 4
#define RS_MAX_TABLES 8
#define RS_MAX_COLUMNS 16
#define RS_MAX_MIGRATIONS 4     /* per version */
#define RS_MAX_PARAMS 32

typedef enum {
    RS_FAULT_REDIS_CONNECTION_BUG,
    RS_FAULT_LATENCY_REGRESSION,
    RS_FAULT_MEMORY_LEAK,
    RS_FAULT_TRAFFIC_DROP,
    RS_FAULT_DATA_CORRUPTION,
    RS_FAULT_EXTERNAL_OUTAGE,
    RS_FAULT_KIND_COUNT
} rs_fault_kind;

/* One fault. A version's faults start `onset` after that version's first pod receives traffic; an
 * environment fault starts `onset` after the run starts, whatever version runs. Effects ramp linearly
 * from 0 to full over `ramp`. With intermittency p > 0 the fault alternates on/off periods (mean length
 * `burst`) and is off a fraction p of the time. Unused parameters of a kind are ignored. */
typedef struct {
    rs_fault_kind kind;
    rs_time onset;          /* delay before the fault starts */
    rs_time ramp;           /* time from start to full effect */
    rs_time duration;       /* 0 = lasts until the version stops serving (or forever, environment) */
    double intermittency;   /* fraction of time off, 0..0.95 */
    rs_time burst;          /* mean on/off period when intermittent */
    double error_rate;      /* extra failing fraction of requests at full effect */
    double slow_fraction;   /* fraction of requests that hang until latency_ms (redis timeouts) */
    double latency_ms;      /* redis: timeout; latency_regression: p95 of the slowed responses */
    double leak_mb_per_min; /* memory_leak: growth per pod */
    double cpu_extra;       /* memory_leak: extra CPU (fraction of a core limit) at the memory limit */
    double traffic_factor;  /* traffic_drop: fraction of the version's users still reaching it */
    double metric_factor;   /* data_corruption: business metric multiplier at full effect */
    char metric[RS_NAME_MAX];     /* data_corruption: which business metric */
    char dependency[RS_NAME_MAX]; /* external_outage: the failing dependency, for logs */
    bool config_fix;        /* a configuration mistake: a config map update and a pod restart fix it */
} rs_fault;

/* Schema changes a version brings (the seed's Part 4). They run when the version's rollout starts. */
typedef enum {
    RS_MIG_ADD_COLUMN,
    RS_MIG_DROP_COLUMN,
    RS_MIG_MODIFY_COLUMN, /* change of type, e.g. int -> bigint */
    RS_MIG_ADD_TABLE,
    RS_MIG_KIND_COUNT
} rs_migration_kind;

typedef struct {
    rs_migration_kind kind;
    char table[RS_NAME_MAX];
    char column[RS_NAME_MAX];
    char type[16];          /* add_column: its type; modify_column: the new type */
    bool has_down;          /* a down step exists */
    double fill_rate;       /* add_column/add_table: rows written with data per request of the version */
    double overflow_rate;   /* modify_column: values beyond the old type's range, per request */
    double old_error_rate;  /* share of an older version's requests that fail against the new schema */
} rs_migration;

typedef struct {
    char name[RS_NAME_MAX];
    double rows;            /* rows at the start */
    double writes_per_request; /* new rows per request (any version) */
    int n_columns;
    char columns[RS_MAX_COLUMNS][RS_NAME_MAX];
    char types[RS_MAX_COLUMNS][16];
} rs_table_spec;

typedef struct {
    char name[RS_NAME_MAX]; /* "v2.5" */
    char image[RS_TEXT_MAX];  /* "registry/myapp:v2.5" (shown in rollout history) */
    char change_cause[RS_TEXT_MAX];
    double startup_s;       /* container start to process listening (mean) */
    double capacity_rps;    /* requests per second one pod serves at 100% CPU; 0 = deployment default */
    int n_faults;
    rs_fault faults[RS_MAX_FAULTS];
    int n_migrations;
    rs_migration migrations[RS_MAX_MIGRATIONS];
    rs_time build_time;     /* a hotfix of this version takes this long to build and deploy, default 10m */
} rs_version;

/* An int-or-percent Kubernetes field such as maxSurge: "25%" or 1. */
typedef struct {
    bool percent;
    double value;
} rs_intorpct;

typedef enum { RS_STRATEGY_ROLLING, RS_STRATEGY_BLUE_GREEN, RS_STRATEGY_CANARY } rs_strategy_kind;

/* Blue-green (Argo Rollouts blueGreen) and canary (Flagger analysis, Argo Rollouts canary) settings. */
typedef struct {
    rs_strategy_kind kind;
    /* blue-green */
    bool auto_promote;          /* autoPromotionEnabled, default true */
    rs_time auto_promote_after; /* autoPromotionSeconds after the preview is ready, default 0 */
    rs_time scale_down_delay;   /* scaleDownDelaySeconds: the old set stays up, default 30 s */
    rs_time switch_time;        /* the selector switch takes effect over, default 1 s */
    double switch_error_rate;   /* share of requests failing during the switch, default 1.0 */
    /* canary */
    bool mesh;                  /* a mesh splits traffic by weight; without, weight = replica ratio */
    rs_time interval;           /* analysis interval, default 30 s */
    double step_weight;         /* percent per step, default 10 */
    int n_step_weights;         /* explicit steps instead of step_weight (Flagger stepWeights) */
    double step_weights[16];
    double max_weight;          /* default 50 */
    int threshold;              /* failed checks before rollback, default 5 (read by policies) */
} rs_strategy_spec;

typedef struct {
    int replicas;
    rs_strategy_spec strategy;    /* rolling (default), blue-green or canary */
    rs_intorpct max_surge;        /* default 25% */
    rs_intorpct max_unavailable;  /* default 25% */
    rs_time min_ready;            /* minReadySeconds, default 0 */
    rs_time progress_deadline;    /* progressDeadlineSeconds, default 600 s */
    int revision_history_limit;   /* default 10 */
    rs_time termination_grace;    /* terminationGracePeriodSeconds, default 30 s */
    rs_time shutdown;             /* how long a terminating pod takes to exit (<= grace), default 2 s */
    /* readiness probe, Kubernetes defaults */
    rs_time probe_initial_delay;  /* initialDelaySeconds, default 0 */
    rs_time probe_period;         /* periodSeconds, default 10 s */
    int probe_failure_threshold;  /* default 3 */
    int probe_success_threshold;  /* default 1 */
    bool has_readiness_probe;     /* false: Ready as soon as the container runs */
    rs_time image_pull;           /* Pending → container start, default 5 s */
    double startup_jitter;        /* relative spread of start-up time, default 0.2 */
    double capacity_rps;          /* per pod at 100% CPU, default chosen so baseline CPU is 40% */
    double memory_limit_mb;       /* default 512 */
    /* CrashLoopBackOff curve */
    rs_time backoff_initial;      /* 10 s */
    rs_time backoff_max;          /* 300 s */
    rs_time backoff_reset;        /* 10 min of running resets the back-off */
} rs_deployment_spec;

typedef struct {
    double rpm;             /* requests per minute at the baseline, default 10000 */
    double noise;           /* relative std-dev of per-second rate noise, default 0.02 */
    double daily_amplitude; /* relative amplitude of a 24 h sine, default 0 */
    rs_time tick;           /* aggregation interval of the request model, default 1 s */
} rs_traffic_spec;

typedef struct {
    double error_rate;     /* default 0.001 */
    double latency_p95_ms; /* default 150 */
    double latency_sigma;  /* lognormal shape of normal responses, default 0.5 */
    double cpu;            /* default 0.40 at the baseline rate */
    double memory;         /* default 0.60 of the limit */
    double timeout_ms;     /* requests slower than this fail (client/ingress timeout), default 30000 */
} rs_baseline_spec;

typedef struct {
    char name[RS_NAME_MAX];
    double baseline;  /* e.g. conversion rate 0.032 */
    double noise;     /* relative std-dev per scrape */
} rs_biz_metric;

typedef enum {
    RS_METRIC_ERROR_RATE,
    RS_METRIC_LATENCY_P50,
    RS_METRIC_LATENCY_P95,
    RS_METRIC_LATENCY_P99,
    RS_METRIC_REQUEST_RATE, /* requests per minute */
    RS_METRIC_CPU,
    RS_METRIC_MEMORY,
    RS_METRIC_RESTARTS,     /* container restarts in the window */
    RS_METRIC_READY_PODS,
    RS_METRIC_BUSINESS,     /* a business metric, by index */
    RS_METRIC_KIND_COUNT
} rs_metric_kind;

typedef enum { RS_OP_GT, RS_OP_GE, RS_OP_LT, RS_OP_LE } rs_cmp_op;
typedef enum { RS_SEV_INFO, RS_SEV_WARNING, RS_SEV_CRITICAL } rs_severity;

typedef struct {
    char name[RS_NAME_MAX];
    rs_metric_kind metric;
    int business_index;     /* for RS_METRIC_BUSINESS */
    char version[RS_NAME_MAX]; /* "" = all versions */
    rs_time window;         /* range of rate()/histogram_quantile, default 5m */
    rs_cmp_op op;
    double threshold;
    rs_time for_;           /* `for` duration, default 0 */
    rs_severity severity;
} rs_alert_rule;

typedef enum {
    RS_ACT_DEPLOY,     /* version */
    RS_ACT_ACK,
    RS_ACT_NOTE,       /* text */
    RS_ACT_UNDO,       /* revision (0 = previous) */
    RS_ACT_PAUSE,
    RS_ACT_RESUME,
    RS_ACT_SCALE,      /* replicas */
    RS_ACT_RESTART,    /* rollout restart */
    RS_ACT_RESOLVE,
    RS_ACT_HOTFIX,      /* version: build then deploy it */
    RS_ACT_CONFIG_FIX,  /* update the config map and restart the pods */
    RS_ACT_MIGRATE_DOWN,/* version (default: the current one): run its down migrations */
    RS_ACT_BACKUP,      /* text: table */
    RS_ACT_RESTORE,     /* text: table */
    RS_ACT_ESCALATE,    /* text: to whom */
    RS_ACT_WAIT,        /* text: why (a decision to wait and watch) */
    RS_ACT_KIND_COUNT
} rs_action_kind;

/* Timeline anchors: an action happens `delay` after the first occurrence of an event kind
 * (RS_EV_* of result.h), or at `delay` after the start when anchor is RS_ANCHOR_START. */
#define RS_ANCHOR_START (-1)

typedef struct {
    rs_action_kind kind;
    int anchor;          /* RS_ANCHOR_START or an rs_event_kind */
    rs_time delay;
    char version[RS_NAME_MAX];
    char text[RS_TEXT_MAX];
    int revision;
    int replicas;
} rs_scripted_action;

typedef enum {
    RS_EXP_FINAL_VERSION,       /* str */
    RS_EXP_ROLLED_BACK,         /* boolean */
    RS_EXP_ROLLED_BACK_BY,      /* time: rollback started at most this long after the start */
    RS_EXP_RECOVERED,           /* boolean */
    RS_EXP_RESOLVED,            /* boolean */
    RS_EXP_MTTD_MAX,            /* time */
    RS_EXP_MTTA_MAX,
    RS_EXP_MTTM_MAX,
    RS_EXP_MTTR_MAX,
    RS_EXP_FAILED_REQUESTS_MAX, /* number */
    RS_EXP_BUDGET_BURNED_MAX,   /* percent */
    RS_EXP_SCORE_MIN,           /* number */
    RS_EXP_ALERT_FIRED,         /* str: alert name that must have fired */
    RS_EXP_ALERT_NOT_FIRED,     /* str: alert name that must not have fired */
    RS_EXP_PEAK_ERROR_RATE_MIN, /* number 0..1 */
    RS_EXP_PEAK_ERROR_RATE_MAX,
    RS_EXP_ROWS_LOST_MAX,       /* number */
    RS_EXP_HARMFUL_DECISIONS_MAX, /* number */
    RS_EXP_AT,                  /* the "at" list: states at given times (rs_expect_at) */
    RS_EXP_KIND_COUNT
} rs_expect_kind;

typedef struct {
    rs_expect_kind kind;
    char str[RS_NAME_MAX];
    double num;   /* numbers, percents, booleans (0/1) */
    rs_time time;
} rs_expectation;

/* An expectation at a given time, as `promtool test rules` checks alerts at an eval time: the state of an
 * alert, the last evaluation of a policy, the rollout. Every part given must hold. Alert and rollout are
 * read from the run at the first traffic tick at or after `time`; the policy from its last trace entry
 * at or before `time`. */
#define RS_MAX_EXPECT_AT 16

enum { RS_AT_INACTIVE = 1, RS_AT_PENDING = 2, RS_AT_FIRING = 4 }; /* rs_expect_at.states bits */

typedef struct {
    rs_time time;
    char alert[RS_NAME_MAX];   /* "" = no alert part */
    unsigned states;           /* RS_AT_* bits: any of them passes */
    char policy[RS_NAME_MAX];  /* "" = no policy part */
    char phase[32];            /* "" = any; else the trace entry's phase, exactly */
    char verdict[RS_NAME_MAX]; /* "" = any; else a substring of the trace entry's verdict */
    char version[RS_NAME_MAX]; /* "" = any; else the stable version (rs_rollout_status.stable_version) */
    char rollout[16];          /* "" = any; else the rollout phase ("stable", "progressing", ...) */
    bool has_weight;
    double weight;             /* canary traffic percent, 0..100 */
} rs_expect_at;

/* A policy the scenario names: a Lua file (path as resolved by the loader) and parameter overrides. */
typedef struct {
    char file[RS_TEXT_MAX];
    char role[16];                 /* "controller" (auto-rollback) or "operator" */
    int n_params;
    char param_name[RS_MAX_PARAMS][RS_NAME_MAX];
    char param_value[RS_MAX_PARAMS][RS_NAME_MAX]; /* as written: "0.05", "30s", "5%" */
} rs_policy_ref;

/* `rollsim test` (docs/testing.md): the seeds every case runs with, and variants of the scenario, each
 * replacing the policies and merging its expectations over the scenario's. */
#define RS_MAX_TEST_SEEDS 16
#define RS_MAX_VARIANTS 8

typedef struct {
    char name[RS_NAME_MAX];        /* letters, digits, '.', '_', '-': it names golden files */
    char skip[RS_TEXT_MAX];        /* "" = run; else why its cases are skipped */
    bool has_policies;             /* false: the scenario's policies */
    int n_policies;
    rs_policy_ref policies[RS_MAX_POLICIES];
    uint32_t drop;                 /* bit k: the scenario's expectation of kind k is removed (null) */
    int n_expect;                  /* added, or replacing the scenario's of the same kind */
    rs_expectation expect[RS_MAX_EXPECT];
    bool has_at;                   /* true: at[] replaces the scenario's "at" list */
    int n_at;
    rs_expect_at at[RS_MAX_EXPECT_AT];
} rs_test_variant;

typedef struct {
    int n_seeds;                   /* 0: the scenario's seed */
    uint64_t seeds[RS_MAX_TEST_SEEDS];
    char skip[RS_TEXT_MAX];        /* "" = run; else why every case of the scenario is skipped */
    int n_variants;
    rs_test_variant variants[RS_MAX_VARIANTS];
} rs_test_spec;

typedef struct {
    char name[RS_NAME_MAX];
    char description[RS_TEXT_MAX * 2];
    char service[RS_NAME_MAX];     /* deployment and service name, default "myapp" */
    char namespace_[RS_NAME_MAX];  /* default "production" */
    uint64_t seed;                 /* default seed when --seed is not given, default 1 */
    rs_time duration;              /* simulated time limit, default 30m */
    rs_time tail_after_resolve;    /* the run ends this long after `resolve`, default 5m; 0 = run to duration */

    rs_deployment_spec deployment;
    rs_traffic_spec traffic;
    rs_baseline_spec baseline;

    int n_versions;
    rs_version versions[RS_MAX_VERSIONS];
    int initial_version;           /* index into versions */
    int initial_revision;          /* revision number of the running version, default 1 */
    int n_history;                 /* older revisions still in history, oldest first */
    int history[RS_MAX_HISTORY];   /* version indices */

    int n_env_faults;
    rs_fault env_faults[RS_MAX_ENV_FAULTS];

    int n_biz_metrics;
    rs_biz_metric biz_metrics[RS_MAX_BIZ_METRICS];

    rs_time scrape_interval;       /* default 15 s */
    rs_time eval_interval;         /* alert rule evaluation, default 15 s */
    rs_time page_delay;            /* firing critical alert → page (Alertmanager group_wait), default 30 s */
    rs_time escalate_after;        /* unacknowledged page escalates after, default 5m */
    int n_alerts;                  /* the loader installs the seed's two rules when "alerts" is absent */
    rs_alert_rule alerts[RS_MAX_ALERTS];

    /* scoring */
    double slo_target;             /* default 0.999 */
    rs_time slo_window;            /* default 30 d */
    double impact_error_rate;      /* user impact when the error rate is above, default 0.01 */
    double impact_latency_factor;  /* or p95 above this × baseline, default 2 */
    rs_time stable_for;            /* recovered once normal this long, default 2m */

    int n_actions;
    rs_scripted_action actions[RS_MAX_ACTIONS];

    int n_expect;
    rs_expectation expect[RS_MAX_EXPECT];

    int n_policies;
    rs_policy_ref policies[RS_MAX_POLICIES];

    int n_tables;
    rs_table_spec tables[RS_MAX_TABLES];

    int n_at;                      /* expect.at; n_expect + n_at <= RS_MAX_EXPECT */
    rs_expect_at at[RS_MAX_EXPECT_AT];
    rs_test_spec test;             /* `rollsim test`: seeds and variants */
} rs_scenario;

/* Fills every field with its documented default: an empty scenario of a 5-replica service running one
 * version "v1" at revision 1, with the seed's baseline and alert rules. */
void rs_scenario_defaults(rs_scenario *s);
/* Fills a fault with the seed's figures for its kind (DESIGN §3). */
void rs_fault_defaults(rs_fault *f, rs_fault_kind kind);
/* Installs the seed's HighErrorRate and HighLatency rules when the scenario has none. */
void rs_scenario_default_alerts(rs_scenario *s);
/* Checks cross-field consistency that JSON types cannot express; fills err and returns RS_BAD_INPUT. */
rs_status rs_scenario_check(const rs_scenario *s, rs_error *err);

/* Names used in files and reports; the *_from_name functions return -1 for an unknown name. */
const char *rs_fault_kind_name(rs_fault_kind k);
int rs_fault_kind_from_name(const char *name);
const char *rs_action_kind_name(rs_action_kind k);
int rs_action_kind_from_name(const char *name);
const char *rs_metric_kind_name(rs_metric_kind k);
int rs_metric_kind_from_name(const char *name);
const char *rs_expect_kind_name(rs_expect_kind k);
int rs_expect_kind_from_name(const char *name);
const char *rs_migration_kind_name(rs_migration_kind k);
int rs_migration_kind_from_name(const char *name);
const char *rs_severity_name(rs_severity s);
int rs_severity_from_name(const char *name);
const char *rs_cmp_op_name(rs_cmp_op op);
int rs_cmp_op_from_name(const char *name);
int rs_scenario_version_index(const rs_scenario *s, const char *name);

/* Turns s into its test variant i (0 <= i < s->test.n_variants): the variant's policies replace the
 * scenario's when it lists any key "policies", its expectations replace those of the same kind or are
 * added, its dropped kinds are removed, and its "at" list replaces the scenario's. Returns RS_BAD_INPUT
 * with err set when the merged expectations exceed RS_MAX_EXPECT. */
rs_status rs_scenario_apply_variant(rs_scenario *s, int i, rs_error *err);

#endif
