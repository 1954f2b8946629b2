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
} rs_result;

#endif
