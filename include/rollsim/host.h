/* rollsim — how a host drives decisions inside a run: the Lua policy host and the training window are
 * hosts. A host gets timers in simulated time and hears every timeline entry; it acts through the
 * rs_action_* functions of sim.h and explains itself with decisions and trace entries. The engine calls
 * hosts only between events, never from inside one, so a host may act freely in its callbacks. */
#ifndef ROLLSIM_HOST_H
#define ROLLSIM_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "rollsim/common.h"
#include "rollsim/result.h"
#include "rollsim/sim.h"

#define RS_MAX_HOSTS 4

typedef struct {
    void *ctx;
    /* a timer the host scheduled with rs_sim_host_timer() is due (sim time = its time) */
    void (*on_timer)(void *ctx, rs_sim *sim, uint64_t token);
    /* a timeline entry was recorded (delivered in order, after the event that recorded it) */
    void (*on_timeline)(void *ctx, rs_sim *sim, const rs_timeline_entry *e);
} rs_host;

/* Attaches a host (copied); returns its id (0..RS_MAX_HOSTS-1) or -1 when too many. */
int rs_sim_add_host(rs_sim *sim, const rs_host *host);
/* Schedules host `id`'s on_timer at time `at` (>= now) with `token`. It fires after the engine's own
 * events of that millisecond (traffic tick, scrape, alert evaluation, pod changes), whenever those were
 * scheduled: a host looking at time `at` sees the world as of `at`. Timers of one millisecond fire in the
 * order they were set. */
void rs_sim_host_timer(rs_sim *sim, int id, rs_time at, uint64_t token);

/* Names who acts from now on (a policy's name, "trainee"), for the decisions the actions record; ""
 * restores the default ("on-call"). */
void rs_sim_set_actor(rs_sim *sim, const char *who);

/* Records a decision in the timeline (RS_EV_DECISION: it counts as detection for MTTD), e.g.
 * who = "seed-auto-rollback", text = "roll back: error rate 16.2% > 5%". */
void rs_sim_decision(rs_sim *sim, const char *who, const char *text);

/* Appends an entry to the run's policy trace (the report's policy_trace, --explain). The entry is
 * copied. */
void rs_sim_trace(rs_sim *sim, const rs_trace_entry *e);

/* One trace entry as --explain prints it, without its time and policy name:
 * "[progressing] request-success-rate 83.4 >= 95: FAIL; ... | failed_checks=3/5 | hold at weight 20".
 * Returns the length written (truncated to size - 1). */
size_t rs_trace_format(const rs_trace_entry *e, char *buf, size_t size);

/* Stops the run because a host failed (a policy error, a budget exceeded): the run ends now, the
 * outcome records the message and the CLI exits with `code`. */
void rs_sim_fail(rs_sim *sim, rs_status code, const char *message);

typedef struct {
    char name[RS_NAME_MAX];
    const char *state;   /* "inactive", "pending", "firing" */
    const char *severity;
    rs_time active_since; /* pending or firing since; RS_TIME_NEVER when inactive */
    double value;         /* the last evaluated value, NaN for no data */
} rs_alert_info;
/* The scenario's alert rules and their states; returns the count. */
int rs_sim_alerts(const rs_sim *sim, rs_alert_info *out, int max);

/* Whether a page is waiting for acknowledgement. */
bool rs_sim_page_open(const rs_sim *sim);

#endif
