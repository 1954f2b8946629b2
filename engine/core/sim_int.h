/* Internal state of a run, shared by the engine's files and private to engine/core. */
#ifndef ROLLSIM_SIM_INT_H
#define ROLLSIM_SIM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "rollsim/host.h"
#include "rollsim/queue.h"
#include "rollsim/result.h"
#include "rollsim/rng.h"
#include "rollsim/scenario.h"
#include "rollsim/sim.h"

#include "metrics_int.h"

enum {
    EV_TICK = 1,
    EV_SCRAPE,
    EV_EVAL,
    EV_POD_STARTED,   /* container started (after image pull or back-off) */
    EV_POD_READY,     /* readiness probe passes */
    EV_POD_AVAILABLE, /* ready for minReadySeconds */
    EV_POD_OOM,       /* memory reached the limit */
    EV_POD_GONE,      /* terminated pod removed */
    EV_PROGRESS_CHECK,
    EV_ACTION,        /* a: scripted action index */
    EV_PAGE,          /* a: alert rule index */
    EV_ESCALATE,
    EV_LEAK_ONSET,    /* a: version */
    EV_HOST_TIMER,    /* a: host id, b: token */
    EV_BG_PROMOTE,    /* b: gen */
    EV_BG_SWITCHED,   /* a: 1 for a rollback, b: gen */
    EV_BG_SCALEDOWN,  /* a: replica set */
    EV_CANARY_STEP,   /* b: gen */
    EV_CANARY_DEADLINE, /* b: gen */
    EV_HOTFIX_READY,  /* a: version */
    EV_AT_CHECK,      /* a: index of an "at" expectation (tier RS_TIER_OBSERVE) */
    EV_END
};

typedef enum { POD_PENDING, POD_RUNNING, POD_BACKOFF, POD_TERMINATING, POD_FREE } pod_phase;

typedef struct {
    uint32_t gen;         /* bumped on every state change that invalidates scheduled events */
    int rs;               /* replica set index */
    pod_phase phase;
    bool ready;
    bool available;
    bool oomkilled_last;  /* last termination reason was OOMKilled */
    int restarts;
    int backoff_count;    /* consecutive crashes for the back-off curve */
    rs_time created;
    rs_time running_since; /* current container start */
    rs_time leak_since;   /* memory starts growing (RS_TIME_NEVER: no leak) */
    double leak_factor;   /* this container's leak rate relative to the fault's (0.75..1.25) */
    uint32_t serial;      /* for the name */
} pod;

typedef struct {
    int version;          /* index into the scenario's versions */
    int revision;
    int replicas;         /* desired (spec.replicas) */
    int live;             /* pods not terminating */
    int ready;
    int available;
    int backoff;          /* pods waiting in CrashLoopBackOff */
    uint32_t hash;        /* pod-template-hash */
    int restart_gen;      /* `kubectl rollout restart` generation of the template */
    int owner;            /* OWNER_PRIMARY (the Deployment) or OWNER_CANARY */
    uint32_t next_serial;
    rs_time created;
    bool deleted;         /* pruned by revisionHistoryLimit */
    char change_cause[RS_TEXT_MAX];
} replicaset;

#define MAX_RS RS_MAX_REPLICASETS
enum { OWNER_PRIMARY, OWNER_CANARY };

typedef struct {
    int replicas;
    int current;          /* replica set of the current template */
    bool paused;
    bool rolling;         /* a rollout is in progress */
    bool rollback;        /* the rollout in progress is an undo */
    bool failed;          /* progress deadline exceeded */
    rs_time last_progress;
    int max_revision;
    int restart_gen;      /* of the current template */
    bool paused_rollout;  /* reserved: completion withheld */
    rs_time deployed_at;  /* last deploy or undo */
} deployment;

typedef struct {
    int active;           /* the set the service selects */
    int old;              /* the previous active set, kept for scaleDownDelay; -1 */
    rs_time switch_at;    /* last selector switch, RS_TIME_NEVER */
    bool promote_scheduled;
    uint32_t gen;         /* invalidates scheduled promotions */
} bluegreen_state;

typedef struct {
    int canary;           /* the canary's replica set, -1 */
    double weight;        /* percent of traffic to the canary */
    bool active;          /* an analysis is in progress */
    bool promoting;       /* the primary rolls to the canary's template */
    bool aborting;        /* rolled back, waiting for the primary to be whole */
    bool manual;          /* a policy drives the weight: no automatic steps */
    int step;             /* steps taken (index into stepWeights) */
    bool was_ready;       /* the canary set has been fully available since its deploy */
    uint32_t gen;         /* invalidates scheduled steps */
} canary_state;

typedef struct {
    bool started;         /* the fault has begun (onset passed) */
    rs_time start;        /* when it began */
    bool on;              /* intermittency state */
    bool announced;       /* fault_onset recorded */
    rs_time next_toggle;
} fault_state;

typedef enum { MIG_NOT_RUN, MIG_APPLIED, MIG_REVERTED, MIG_STUCK } mig_status;

typedef struct {
    char name[RS_NAME_MAX];
    bool exists;
    bool added;                               /* created by a migration */
    double rows;
    int n_cols;
    char col[RS_MAX_COLUMNS][RS_NAME_MAX];
    char type[RS_MAX_COLUMNS][16];
    double data[RS_MAX_COLUMNS];              /* rows holding data in a column a migration added */
    double over[RS_MAX_COLUMNS];              /* values beyond the previous type's range */
    bool backup;
    rs_time backup_at;
    double backup_rows;
    int backup_n_cols;
    char backup_col[RS_MAX_COLUMNS][RS_NAME_MAX];
    double backup_data[RS_MAX_COLUMNS];
} db_table;

typedef struct {
    int version, index;                       /* the migration: scenario versions[version].migrations[index] */
    mig_status status;
    char old_type[16];                        /* modify_column: the type before */
    double lost_at_apply;                     /* drop_column: values gone when it ran */
} db_mig;

typedef struct {
    int n_tables;
    db_table tables[RS_MAX_TABLES];
    int n_migs;
    db_mig migs[RS_MAX_VERSIONS * RS_MAX_MIGRATIONS];
    double rows_lost;
    int backups;
} database;

typedef enum { ALERT_INACTIVE, ALERT_PENDING, ALERT_FIRING } alert_state;

typedef struct {
    alert_state state;
    rs_time active_at;
    bool paged;
    bool ever_fired;
    double last_value;
} alert_runtime;

struct rs_sim {
    const rs_scenario *sc;
    uint64_t seed;
    rs_time now;
    rs_queue q;
    rs_rng rng_traffic, rng_pods, rng_faults, rng_logs;
    bool ended;
    bool finalized;
    bool oom;             /* an allocation failed: the run ended early */
    bool lean;            /* no dashboard series (sweeps) */

    /* cluster */
    pod *pods;
    int n_pods, cap_pods;
    int *free_pods;
    int n_free;
    replicaset rs[MAX_RS];
    int n_rs;
    deployment dep;
    bluegreen_state bg;
    canary_state can;
    database db;
    rs_time config_fixed_at[RS_MAX_VERSIONS]; /* RS_TIME_NEVER, or when a config fix was applied */
    bool skip_scripted_operator; /* an operator policy plays the on-call: only scripted deploys run */
    char actor[RS_NAME_MAX];     /* who acts now (a policy's name), for decisions */
    bool in_undo;
    int decision_subject;        /* the version a decision is about, -1: the release in flight */
    double capacity_rps;  /* per pod, derived from the baseline when the scenario leaves it 0 */
    double base_median_ms;
    double log_timeout_ms, log_impact_ms; /* ln of the timeout and of the impact latency threshold */

    /* faults */
    rs_time first_serving[RS_MAX_VERSIONS]; /* RS_TIME_NEVER until the version gets traffic */
    bool leak_onset_scheduled[RS_MAX_VERSIONS];
    fault_state vfault[RS_MAX_VERSIONS][RS_MAX_FAULTS];
    fault_state efault[RS_MAX_ENV_FAULTS];

    /* observation */
    rs_metrics metrics;
    alert_runtime alerts[RS_MAX_ALERTS];
    bool page_open;       /* a page waits for acknowledgement */
    int page_seq;
    int total_restarts;
    int restarts_by_version[RS_MAX_VERSIONS];

    /* per-tick state the dashboard and impact tracking read */
    double tick_share[RS_MAX_VERSIONS];
    double tick_cpu[RS_MAX_VERSIONS];
    double biz_acc[RS_MAX_VERSIONS][RS_MAX_BIZ_METRICS]; /* request-weighted metric factors */
    double biz_w[RS_MAX_VERSIONS];
    double biz_tick[RS_MAX_VERSIONS][RS_MAX_BIZ_METRICS]; /* this tick only */
    double biz_tick_w[RS_MAX_VERSIONS];
    double tick_error_rate;
    bool impacted;        /* users impacted in the last tick */
    bool in_impact;       /* an impact period is open (started, not yet ended) */
    rs_time impact_pending_since; /* impacted ticks began, not yet IMPACT_MIN long */
    char impact_why[96];
    rs_time unimpacted_since;
    rs_time normal_since;
    bool recovered;
    rs_time recovered_at;
    rs_time last_impact_end;

    /* incident */
    rs_time first[RS_EV_KIND_COUNT]; /* first occurrence of each timeline kind */
    bool action_scheduled[RS_MAX_ACTIONS];
    rs_result result;
    size_t cap_timeline, cap_series;
    rs_timeline_fn on_timeline;
    void *on_timeline_ctx;

    /* hosts (policies, the training window) */
    int n_hosts;
    rs_host hosts[RS_MAX_HOSTS];
    size_t delivered;     /* timeline entries already delivered to hosts */
    bool delivering;
    size_t cap_trace;
};

/* incident.c */
void rs__timeline(rs_sim *sim, rs_time t, rs_event_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void rs__score(rs_sim *sim);
void rs__check_expectations(rs_sim *sim);
void rs__track_impact(rs_sim *sim, double error_rate, double tail_frac, double biz_factor);
/* Reads the live parts of "at" expectation k (its EV_AT_CHECK event). */
void rs__check_at(rs_sim *sim, int k);
void rs__track_recovery(rs_sim *sim, const rs_sample *s);
void rs__finish(rs_sim *sim);

/* cluster.c */
int rs__cluster_init(rs_sim *sim, rs_error *err);
void rs__cluster_fini(rs_sim *sim);
void rs__reconcile(rs_sim *sim);
void rs__pod_event(rs_sim *sim, const rs_event *ev);
void rs__progress_check(rs_sim *sim);
int rs__adopt_template(rs_sim *sim, int version, int restart_gen);
bool in_deployment(const rs_sim *sim, int i);
int rs__new_rs(rs_sim *sim, int version, int restart_gen, int revision);
void rs__scale_rs(rs_sim *sim, int r, int replicas);
void rs__rolling_step(rs_sim *sim);
bool rs__deployment_settled(const rs_sim *sim);
int rs__ready_by_version(const rs_sim *sim, int *ready, int *total, int *backoff);
double rs__pod_memory(const rs_sim *sim, const pod *p);
const char *rs__pod_name(const rs_sim *sim, int idx, char *buf, size_t size);

/* database.c */
void rs__db_init(rs_sim *sim);
void rs__db_apply(rs_sim *sim, int version);
void rs__db_writes(rs_sim *sim, int version, double requests);
double rs__db_errors(const rs_sim *sim, int version);
const char *rs__db_changes(const rs_sim *sim, int version);
void rs__db_result(rs_sim *sim);

/* judge.c */
void rs__decide(rs_sim *sim, rs_decision_kind kind, const char *who, const char *text);
double rs__rollback_eta_s(const rs_sim *sim);

/* strategy.c */
int rs__primary_target(const rs_sim *sim);
void rs__bluegreen_step(rs_sim *sim);
void rs__strategy_check(rs_sim *sim);
bool rs__canary_primary_done(rs_sim *sim);
void rs__strategy_event(rs_sim *sim, const rs_event *ev);
void rs__strategy_init(rs_sim *sim);
/* Routes a tick's traffic: share of requests per version, Ready pods that serve it, share failing
 * before any pod (no endpoints, a selector switch in flight). */
void rs__route(rs_sim *sim, double *share, int *serving, double *fail);
rs_status rs__strategy_deploy(rs_sim *sim, int version, rs_error *err);
bool rs__canary_undo(rs_sim *sim, rs_error *err);
rs_status rs__bluegreen_undo(rs_sim *sim, int target, rs_error *err);
rs_status rs__canary_promote_action(rs_sim *sim, rs_error *err);
rs_status rs__bluegreen_promote_action(rs_sim *sim, rs_error *err);
rs_status rs__canary_weight_action(rs_sim *sim, double w, rs_error *err);

/* traffic.c */
void rs__tick(rs_sim *sim);
double rs__fault_intensity(rs_sim *sim, fault_state *st, const rs_fault *f);
double rs__version_capacity(const rs_sim *sim, int v);

/* alerts.c */
void rs__eval_alerts(rs_sim *sim);
void rs__page(rs_sim *sim, int rule);
void rs__escalate(rs_sim *sim, int page_seq);

/* action.c */
void rs__run_scripted(rs_sim *sim, int i);

/* host.c */
void rs__deliver(rs_sim *sim);

/* sim.c */
/* Within one millisecond the world's events come first (traffic tick, scrape, alert evaluation, pods,
 * scripted actions), then the hosts' timers (a policy waking at t sees the world as of t), then the
 * "at" expectations' look at the state (after everything of t). Whenever each was scheduled. */
enum { RS_TIER_WORLD, RS_TIER_HOSTS, RS_TIER_OBSERVE };
void rs__schedule(rs_sim *sim, rs_time t, uint32_t kind, uint32_t a, uint64_t b); /* RS_TIER_WORLD */
void rs__schedule_tier(rs_sim *sim, rs_time t, unsigned tier, uint32_t kind, uint32_t a, uint64_t b);
void rs__scrape(rs_sim *sim);
void rs__sample_now(const rs_sim *sim, rs_sample *s);

#endif
