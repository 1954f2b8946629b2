/* rollsim — what a run produces: the incident timeline, the metric series, the scores and the outcome of
 * the expectations. Report writers, the renderer and sweeps read a result; none reaches into the engine. */
#ifndef ROLLSIM_RESULT_H
#define ROLLSIM_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "rollsim/common.h"
#include "rollsim/scenario.h"

typedef enum {
    RS_EV_DEPLOY_START,
    RS_EV_DEPLOY_COMPLETE,
    RS_EV_ROLLOUT_FAILED,     /* progress deadline exceeded */
    RS_EV_FAULT_ONSET,
    RS_EV_IMPACT_START,
    RS_EV_IMPACT_END,
    RS_EV_ALERT_PENDING,
    RS_EV_ALERT_FIRING,
    RS_EV_ALERT_RESOLVED,
    RS_EV_PAGE,
    RS_EV_ESCALATE,
    RS_EV_ACK,
    RS_EV_NOTE,
    RS_EV_DECISION,
    RS_EV_ROLLBACK_START,
    RS_EV_ROLLBACK_COMPLETE,
    RS_EV_POD_OOMKILLED,
    RS_EV_POD_CRASHLOOP,
    RS_EV_SCALE,
    RS_EV_RESTART,
    RS_EV_PAUSE,
    RS_EV_RESUME,
    RS_EV_RECOVERED,
    RS_EV_RESOLVED,
    RS_EV_TRAFFIC,            /* canary weight change, blue-green selector switch */
    RS_EV_PROMOTE,            /* a canary promotion starts */
    RS_EV_MIGRATION,          /* a schema migration ran (up or down) */
    RS_EV_BACKUP,             /* a table was backed up */
    RS_EV_RESTORE,            /* a table was restored from its backup */
    RS_EV_HOTFIX,             /* a hotfix build started */
    RS_EV_CONFIG_FIX,         /* a config map was updated and the pods restarted */
    RS_EV_KIND_COUNT
} rs_event_kind;

const char *rs_event_kind_name(rs_event_kind k);
int rs_event_kind_from_name(const char *name);

typedef struct {
    rs_time t_ms;
    rs_event_kind kind;
    char detail[256];
} rs_timeline_entry;

#define RS_SERIES_MAX_VERSIONS RS_MAX_VERSIONS

/* One scrape: the values a dashboard shows at time t (windowed over 1 minute for rates). */
typedef struct {
    rs_time t_ms;
    double rpm;               /* requests per minute, all versions */
    double error_rate;        /* fraction, 1m window; NaN = no data */
    double latency_p50_ms;
    double latency_p95_ms;    /* NaN = no data */
    double latency_p99_ms;
    int pods_ready;
    int pods_total;
    double cpu;               /* mean CPU utilisation of running pods, fraction of the limit */
    double memory;            /* mean memory of running pods, fraction of the limit */
    int restarts;             /* container restarts so far */
    int ready_by_version[RS_SERIES_MAX_VERSIONS];
    int total_by_version[RS_SERIES_MAX_VERSIONS];
    int crashloop_by_version[RS_SERIES_MAX_VERSIONS];
    double share_by_version[RS_SERIES_MAX_VERSIONS]; /* fraction of requests served */
    double error_rate_by_version[RS_SERIES_MAX_VERSIONS];
    double business[RS_MAX_BIZ_METRICS];
} rs_sample;

typedef struct {
    double mttd_s;   /* NaN when not applicable (no impact, or never detected) */
    double mtta_s;
    double mttm_s;
    double mttr_s;
    double incident_s; /* impact start → resolved */
    double failed_requests;
    double slow_requests;
    double total_requests;
    double error_budget_burned_pct;
    double users_affected; /* requests failed or slow while impacted, as a share of all users, percent */
    double peak_error_rate;
    double peak_latency_p95_ms;
    double score;    /* 0–100 */
    /* term-by-term breakdown of the score (docs/scoring.md) */
    double penalty_detection;
    double penalty_ack;
    double penalty_recovery;
    double penalty_impact;
    double penalty_unresolved;
    double penalty_decisions;
    int decisions_correct, decisions_acceptable, decisions_harmful;
} rs_scores;

typedef struct {
    rs_expect_kind kind;
    bool passed;
    char expected[96];
    char actual[96];
} rs_expect_result;

typedef struct {
    char final_version[RS_NAME_MAX];
    int final_revision;
    bool rolled_back;
    rs_time rollback_at;   /* RS_TIME_NEVER when no rollback */
    bool recovered;
    bool resolved;
    bool rollout_failed;
    bool promoted;         /* a canary or blue-green release was promoted */
    rs_time end_ms;        /* simulated end of the run */
    rs_status error_code;  /* RS_OK, or why a host stopped the run */
    char error[512];       /* the host's message (policy file:line: ...) */
    int n_expect;
    rs_expect_result expect[RS_MAX_EXPECT];
    bool all_passed;
} rs_outcome;

typedef struct {
    int revision;
    char version[RS_NAME_MAX];
    char change_cause[RS_TEXT_MAX];
} rs_history_entry;

/* Decisions, judged against the seed's Part 2 decision tree and Part 4 database table. */
typedef enum {
    RS_DEC_ROLLBACK,
    RS_DEC_DB_REVERT,    /* run the down migrations */
    RS_DEC_HOTFIX,       /* forward fix: build and deploy a new version */
    RS_DEC_CONFIG_FIX,   /* forward fix: config map + restart */
    RS_DEC_WAIT,
    RS_DEC_ESCALATE,
    RS_DEC_KIND_COUNT
} rs_decision_kind;

typedef enum { RS_JUDGED_CORRECT, RS_JUDGED_ACCEPTABLE, RS_JUDGED_HARMFUL } rs_judgement;

const char *rs_decision_kind_name(rs_decision_kind k);
int rs_decision_kind_from_name(const char *name);
const char *rs_judgement_name(rs_judgement j);
int rs_judgement_from_name(const char *name);

typedef struct {
    rs_time t_ms;
    rs_decision_kind kind;
    char who[RS_NAME_MAX];
    /* the facts at that moment */
    const char *impact;        /* "none", "low", "medium", "high" */
    double minutes_since_deploy;
    const char *data_changes;  /* "none", "reversible", "irreversible" */
    bool cause_is_deployment;
    double rollback_eta_s;
    bool config_fixable;
    double hotfix_eta_s;       /* NaN: no hotfix version known */
    /* the verdict */
    char branch[128];          /* the branch of the seed's tree that applies */
    rs_judgement judgement;
    char reason[256];
} rs_decision;

#define RS_MAX_DECISIONS 32

typedef struct {
    char version[RS_NAME_MAX];
    rs_migration_kind kind;
    char table[RS_NAME_MAX];
    char column[RS_NAME_MAX];
    const char *status;        /* "not run", "applied", "reverted", "could not be reverted" */
} rs_migration_result;

typedef struct {
    double rows_lost;
    double rows_at_risk;       /* would be lost by the pending down migrations, not covered by a backup */
    int backups_taken;
    int n_migrations;
    rs_migration_result migrations[RS_MAX_VERSIONS * RS_MAX_MIGRATIONS];
} rs_data_result;

/* One check of a policy evaluation: value against threshold, and the verdict. */
typedef enum { RS_CHECK_PASS, RS_CHECK_FAIL, RS_CHECK_NO_DATA } rs_check_verdict;

#define RS_TRACE_MAX_CHECKS 8

typedef struct {
    char name[48];        /* "request-success-rate" */
    double value;         /* NaN = no data */
    char op[4];           /* ">=", "<=", ">", "<" */
    double threshold;
    rs_check_verdict verdict;
} rs_check;

/* One evaluation of a policy: what it saw and what it concluded ("why did it abort?"). */
typedef struct {
    rs_time t_ms;
    char policy[RS_NAME_MAX];
    char phase[32];       /* "progressing", "soak", "stable", "aborted", ... */
    int n_checks;
    rs_check checks[RS_TRACE_MAX_CHECKS];
    char counters[128];   /* "failed_checks=2/5 weight=30" */
    char verdict[128];    /* "pass: weight 30 -> 40", "rollback: 5 failed checks" */
} rs_trace_entry;

typedef struct {
    const rs_scenario *scenario; /* not owned */
    uint64_t seed;
    rs_outcome outcome;
    rs_scores scores;
    size_t n_timeline;
    rs_timeline_entry *timeline;
    size_t n_series;
    rs_sample *series;
    int n_history;               /* rollout history at the end, oldest first */
    rs_history_entry history[RS_MAX_REPLICASETS];
    size_t n_trace;              /* policy evaluations, in time order */
    rs_trace_entry *trace;
    int n_decisions;
    rs_decision decisions[RS_MAX_DECISIONS];
    rs_data_result data;
} rs_result;

#endif
