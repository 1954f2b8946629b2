/* One run of a sweep: a release of the mix under one point's parameters, through the shared runner
 * (rs_run_prepare), watched until its rollback decision or its end; and its line in runs.jsonl. */
#include "sweep_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

/* What the timeline tells: the release's fault onset and the first rollback. */
typedef struct {
    const char *release;  /* the release's version name: its fault onsets start with "NAME:" */
    size_t len;
    rs_time onset, rollback;
} watch;

static void on_entry(void *ctx, const rs_timeline_entry *e)
{
    watch *w = ctx;
    if (e->kind == RS_EV_FAULT_ONSET && w->onset == RS_TIME_NEVER && strncmp(e->detail, w->release, w->len) == 0 &&
        e->detail[w->len] == ':')
        w->onset = e->t_ms;
    else if (e->kind == RS_EV_ROLLBACK_START && w->rollback == RS_TIME_NEVER)
        w->rollback = e->t_ms;
}

static double secs(rs_time t, rs_time from) { return t == RS_TIME_NEVER ? NAN : (double)(t - from) / 1000.0; }

/* The figures of a run stopped at its rollback (or ended). */
static void extract(const rs_sweep *sw, const rs_sweep_release *rel, const watch *w, const rs_result *r,
                    rs_sweep_run *out)
{
    const rs_scenario *b = sw->base;
    rs_time t0 = sw->deploy_at;
    out->mix = rel->mix;
    out->rolled_back = w->rollback != RS_TIME_NEVER;
    out->promoted = r->outcome.promoted;
    out->onset_s = rel->faulty && (w->onset <= w->rollback) ? secs(w->onset, t0) : NAN;
    out->rollback_s = secs(w->rollback, t0);
    /* a rollback before the fault showed caught it before any harm: 0 */
    out->ttd_s = !rel->faulty || !out->rolled_back ? NAN : w->onset <= w->rollback ? secs(w->rollback, w->onset) : 0.0;
    /* only what the release burned: the baseline error rate spends the budget at its own pace */
    out->failed = r->scores.failed_requests - b->baseline.error_rate * r->scores.total_requests;
    double budget = b->traffic.rpm * ((double)b->slo_window / 60000.0) * (1.0 - b->slo_target);
    out->budget_pct = budget > 0 ? 100.0 * out->failed / budget : 0.0;
    out->rows_lost = r->data.rows_lost;
    out->end_s = secs(r->outcome.end_ms, t0);
    out->error[0] = '\0';
    if (r->outcome.error_code != RS_OK)
        snprintf(out->error, sizeof out->error, "%.127s", r->outcome.error);
}

rs_status rs_sweep_run_one(const rs_sweep *sw, int point, int k, rs_scenario *scratch, rs_sweep_run *out,
                           rs_error *err)
{
    memset(out, 0, sizeof *out);
    out->point = point;
    out->seed = k;
    rs_sweep_release rel;
    rs_sweep_draw(sw, k, &rel);
    rs_sweep_apply(sw, &rel, scratch);
    char texts[RS_SWEEP_MAX_PARAMS][RS_NAME_MAX + RS_SWEEP_VALUE_MAX + 2];
    const char *params[RS_SWEEP_MAX_PARAMS];
    for (int i = 0; i < sw->n_params; i++) {
        snprintf(texts[i], sizeof texts[i], "%s=%s", sw->params[i].name,
                 sw->params[i].values[rs_sweep_point_value(sw, point, i)]);
        params[i] = texts[i];
    }
    const char *files[1] = {sw->policy_path};
    rs_run_opts o = {.policy_files = files, .n_policy_files = sw->policy_path[0] ? 1 : 0, .params = params,
                     .n_params = sw->n_params, .cache = sw->cache};
    rs_run run;
    rs_status st = rs_run_prepare(scratch, rel.seed, &o, &run, err);
    if (st != RS_OK)
        return st;
    const char *name = scratch->versions[sw->release].name;
    watch w = {name, strlen(name), RS_TIME_NEVER, RS_TIME_NEVER};
    rs_sim_on_timeline(run.sim, on_entry, &w);
    rs_sim_set_lean(run.sim, true); /* no dashboard series: a sweep reads decisions and counts only */
    /* the sweep judges the decision: what follows a rollback does not change it */
    while (w.rollback == RS_TIME_NEVER && rs_sim_step(run.sim))
        ;
    extract(sw, &rel, &w, rs_sim_result(run.sim), out);
    rs_run_free(&run);
    return RS_OK;
}

/* ---- runs.jsonl ---- */

static void json_string(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 8 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            n += (size_t)snprintf(out + n, size - n, "\\%c", c);
        else if (c < 0x20)
            n += (size_t)snprintf(out + n, size - n, "\\u%04x", c);
        else
            out[n++] = (char)c;
    }
    out[n] = '\0';
}

int rs_sweep_run_line(const rs_sweep *sw, const rs_sweep_run *r, char *buf, size_t size)
{
    char on[32], rb[32], ttd[32], fail[32], bud[32], rows[32], end[32], error[600];
    json_string(r->error, error, sizeof error);
    int n = snprintf(buf, size,
                     "{\"hash\":\"%016" PRIx64 "\",\"point\":%d,\"seed\":%d,\"mix\":%d,\"kind\":\"%s\","
                     "\"rolled_back\":%s,\"promoted\":%s,\"onset_s\":%s,\"rollback_s\":%s,\"ttd_s\":%s,"
                     "\"failed\":%s,\"budget_pct\":%s,\"rows_lost\":%s,\"end_s\":%s,\"error\":\"%s\"}\n",
                     sw->hash, r->point, r->seed, r->mix, sw->mix[r->mix].label, r->rolled_back ? "true" : "false",
                     r->promoted ? "true" : "false", rs__sweep_num(r->onset_s, 3, on, sizeof on),
                     rs__sweep_num(r->rollback_s, 3, rb, sizeof rb), rs__sweep_num(r->ttd_s, 3, ttd, sizeof ttd),
                     rs__sweep_num(r->failed, 3, fail, sizeof fail), rs__sweep_num(r->budget_pct, 6, bud, sizeof bud),
                     rs__sweep_num(r->rows_lost, 3, rows, sizeof rows), rs__sweep_num(r->end_s, 3, end, sizeof end),
                     error);
    return n > 0 && (size_t)n < size ? n : -1;
}

static bool get_num(const cJSON *o, const char *key, bool nullable, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return true;
    }
    if (nullable && cJSON_IsNull(v)) {
        *out = NAN;
        return true;
    }
    return false;
}

static bool get_bool(const cJSON *o, const char *key, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = cJSON_IsTrue(v);
    return cJSON_IsBool(v);
}

static bool get_int(const cJSON *o, const char *key, int lo, int hi, int *out)
{
    double x;
    if (!get_num(o, key, false, &x) || x != floor(x) || x < lo || x > hi)
        return false;
    *out = (int)x;
    return true;
}

rs_status rs_sweep_run_parse(const rs_sweep *sw, const char *line, size_t len, rs_sweep_run *out, rs_error *err)
{
    memset(out, 0, sizeof *out);
    cJSON *o = cJSON_ParseWithLength(line, len);
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "hash");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
    bool ok = cJSON_IsObject(o) && cJSON_IsString(h) && cJSON_IsString(e) &&
              get_int(o, "point", 0, sw->n_points - 1, &out->point) &&
              get_int(o, "seed", 0, RS_SWEEP_MAX_SEEDS - 1, &out->seed) &&
              get_int(o, "mix", 0, sw->n_mix - 1, &out->mix) && get_bool(o, "rolled_back", &out->rolled_back) &&
              get_bool(o, "promoted", &out->promoted) && get_num(o, "onset_s", true, &out->onset_s) &&
              get_num(o, "rollback_s", true, &out->rollback_s) && get_num(o, "ttd_s", true, &out->ttd_s) &&
              get_num(o, "failed", true, &out->failed) && get_num(o, "budget_pct", true, &out->budget_pct) &&
              get_num(o, "rows_lost", true, &out->rows_lost) && get_num(o, "end_s", true, &out->end_s);
    rs_status st = RS_OK;
    if (!ok) {
        st = rs_error_set(err, RS_BAD_INPUT, "", "not a run of this sweep's grid (%d points, %d kinds of release)",
                          sw->n_points, sw->n_mix);
    } else {
        char want[17];
        snprintf(want, sizeof want, "%016" PRIx64, sw->hash);
        if (strcmp(h->valuestring, want) != 0)
            st = rs_error_set(err, RS_BAD_INPUT, "",
                              "a run of another sweep (hash %.16s, this sweep %s): the sweep file, its scenario, "
                              "its policy or the rollsim version changed",
                              h->valuestring, want);
        else
            snprintf(out->error, sizeof out->error, "%s", e->valuestring);
    }
    cJSON_Delete(o);
    return st;
}
