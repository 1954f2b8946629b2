/* The console summary of a finished run: the incident as the seed's Part 5 tells it (timestamped lines),
 * then the scores and the expectations. */
#include "rollsim/sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *label(rs_event_kind k)
{
    switch (k) {
    case RS_EV_DEPLOY_START: return "DEPLOY";
    case RS_EV_DEPLOY_COMPLETE: return "DEPLOYED";
    case RS_EV_ROLLOUT_FAILED: return "ROLLOUT FAILED";
    case RS_EV_FAULT_ONSET: return "FAULT";
    case RS_EV_IMPACT_START: return "IMPACT";
    case RS_EV_IMPACT_END: return "IMPACT ENDED";
    case RS_EV_ALERT_PENDING: return "ALERT PENDING";
    case RS_EV_ALERT_FIRING: return "ALERT FIRING";
    case RS_EV_ALERT_RESOLVED: return "ALERT RESOLVED";
    case RS_EV_PAGE: return "PAGE";
    case RS_EV_ESCALATE: return "ESCALATED";
    case RS_EV_ACK: return "ACK";
    case RS_EV_NOTE: return "NOTE";
    case RS_EV_DECISION: return "DECISION";
    case RS_EV_ROLLBACK_START: return "ROLLBACK";
    case RS_EV_ROLLBACK_COMPLETE: return "ROLLED BACK";
    case RS_EV_POD_OOMKILLED: return "OOMKILLED";
    case RS_EV_POD_CRASHLOOP: return "CRASHLOOP";
    case RS_EV_SCALE: return "SCALE";
    case RS_EV_RESTART: return "RESTART";
    case RS_EV_PAUSE: return "PAUSE";
    case RS_EV_RESUME: return "RESUME";
    case RS_EV_RECOVERED: return "RECOVERED";
    case RS_EV_RESOLVED: return "RESOLVED";
    case RS_EV_TRAFFIC: return "TRAFFIC";
    case RS_EV_PROMOTE: return "PROMOTE";
    case RS_EV_MIGRATION: return "MIGRATION";
    case RS_EV_BACKUP: return "BACKUP";
    case RS_EV_RESTORE: return "RESTORE";
    case RS_EV_HOTFIX: return "HOTFIX";
    case RS_EV_CONFIG_FIX: return "CONFIG FIX";
    case RS_EV_KIND_COUNT: break;
    }
    return "?";
}

static void opt(double s, char *buf, size_t size)
{
    if (isnan(s))
        snprintf(buf, size, "n/a");
    else
        rs_format_duration((rs_time)llround(s * 1000.0), buf, size);
}

void rs_print_summary(const rs_result *r, FILE *f)
{
    const rs_scenario *sc = r->scenario;
    fprintf(f, "rollsim: %s (seed %llu)\n", sc->name, (unsigned long long)r->seed);
    if (sc->description[0])
        fprintf(f, "  %s\n", sc->description);
    fputc('\n', f);
    int oom = 0, crash = 0;
    for (size_t i = 0; i < r->n_timeline; i++) {
        const rs_timeline_entry *e = &r->timeline[i];
        if (e->kind == RS_EV_POD_OOMKILLED && ++oom > 3)
            continue;
        if (e->kind == RS_EV_POD_CRASHLOOP && ++crash > 3)
            continue;
        char clock[24];
        fprintf(f, "  %-9s %-15s %s\n", rs_format_clock(e->t_ms, clock, sizeof clock), label(e->kind), e->detail);
    }
    if (oom > 3 || crash > 3)
        fprintf(f, "  (%d OOMKilled and %d CrashLoopBackOff events in all; see the JSON report)\n", oom, crash);
    const rs_scores *s = &r->scores;
    char d[24], a[24], m[24], rr[24], inc[24];
    opt(s->mttd_s, d, sizeof d);
    opt(s->mtta_s, a, sizeof a);
    opt(s->mttm_s, m, sizeof m);
    opt(s->mttr_s, rr, sizeof rr);
    opt(s->incident_s, inc, sizeof inc);
    fprintf(f, "\n  MTTD %s   MTTA %s   MTTM %s   MTTR %s   incident %s\n", d, a, m, rr, inc);
    fprintf(f, "  failed requests %.0f of %.0f (%.2f%%)   error budget burned %.2f%%   peak error rate %.1f%%   "
               "peak p95 %.0f ms\n",
            s->failed_requests, s->total_requests,
            s->total_requests > 0 ? 100.0 * s->failed_requests / s->total_requests : 0.0, s->error_budget_burned_pct,
            s->peak_error_rate * 100, s->peak_latency_p95_ms);
    fprintf(f, "  final version %s (revision %d)%s   score %.1f / 100\n", r->outcome.final_version,
            r->outcome.final_revision, r->outcome.rolled_back ? ", rolled back" : "", s->score);
    if (r->outcome.n_expect > 0) {
        int failed = 0;
        for (int i = 0; i < r->outcome.n_expect; i++)
            failed += !r->outcome.expect[i].passed;
        fprintf(f, "\n  expectations: %d passed, %d failed\n", r->outcome.n_expect - failed, failed);
        for (int i = 0; i < r->outcome.n_expect; i++) {
            const rs_expect_result *x = &r->outcome.expect[i];
            if (!x->passed)
                fprintf(f, "    FAILED %s: expected %s, got %s\n", rs_expect_kind_name(x->kind), x->expected,
                        x->actual);
        }
    }
}
