/* A Flagger Canary (flagger.app/v1beta1): spec.analysis becomes the scenario's canary strategy, and its
 * metrics the parameters of the bundled flagger.lua policy. Defaults are Flagger's (interval 60s,
 * threshold 1, maxWeight 100, metric interval 1m: the Canary CRD and Flagger's scheduler). With
 * `provider: kubernetes` Flagger's router does not split traffic by weight (it is a no-op router: the
 * Kubernetes CNI supports blue/green only, docs "Deployment Strategies"), so the release is a blue-green. */
#include "k8s_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define BUILTIN_SUCCESS "request-success-rate"
#define BUILTIN_DURATION "request-duration"
#define NEVER_MS 3600000 /* a request never takes an hour (timeouts end it): a duration check that never fails */

static const k8s_reason canary_reasons[] = {
    {"$.spec.analysis.webhooks", "load tests and gates are not simulated"},
    {"$.spec.analysis.alerts", "Flagger's notifications are not simulated; the scenario's alert rules page the "
                               "on-call"},
    {"$.spec.analysis.match", "A/B testing by header or cookie is not modelled: rollsim splits traffic by weight"},
    {"$.spec.analysis.mirror", "traffic mirroring is not modelled"},
    {"$.spec.analysis.mirrorWeight", "traffic mirroring is not modelled"},
    {"$.spec.analysis.stepWeightPromotion", "rollsim promotes with a rolling update of the primary, not in weight "
                                            "steps"},
    {"$.spec.analysis.primaryReadyThreshold", "rollsim waits for every pod of the primary to be available"},
    {"$.spec.analysis.canaryReadyThreshold", "rollsim waits for every pod of the canary to be available"},
    {"$.spec.analysis.sessionAffinity", "session affinity is not modelled"},
    {"$.spec.autoscalerRef", "autoscaling is not modelled: the replica count stays as the scenario sets it"},
    {"$.spec.service.retries", "retries hide failed requests from users; rollsim counts every failure"},
    {"$.spec.service.timeout", "the scenario's baseline.timeout_ms is the request timeout"},
    {"$.spec.service.trafficPolicy", "connection pools and outlier detection are not modelled"},
    {"$.spec.progressDeadlineSeconds", "Flagger rolls back a canary that makes no progress for this long; rollsim "
                                       "only marks a stalled rollout failed"},
    {"$.spec.skipAnalysis", "with skipAnalysis Flagger promotes without analysis; rollsim's flagger policy still "
                            "analyses"},
    {"$.spec.suspend", "a suspended Canary is not reconciled; rollsim runs it"},
};

static const char *const service_noise[] = {
    "name",  "port",      "portName", "targetPort", "portDiscovery", "appProtocol", "gateways",
    "gatewayRefs", "hosts", "apex",   "primary",    "canary",        "meshName",    "backends",
    "delegation", "headers", "corsPolicy", "match", "rewrite"};
static const char *const spec_noise[] = {"ingressRef", "upstreamRef", "routeRef", "metricsServer",
                                         "revertOnDeletion"};

/* What the analysis says, before it becomes a strategy and parameters. */
typedef struct {
    bool l4;                /* provider kubernetes: no routing by weight */
    rs_time interval;
    int threshold;
    int max_weight, step_weight, iterations; /* 0: absent */
    int n_steps;
    double steps[16];
    /* metrics */
    bool success, duration, business;
    double success_min, duration_max, business_min;
    rs_time metric_interval, business_interval;
    char business_name[RS_NAME_MAX];
} analysis;

/* ---- the target ---- */

static void dec_target(k8s_ctx *k, const cJSON *spec)
{
    char g[JD_SHOW_MAX];
    const cJSON *t = k8s_enter(k, spec, "targetRef"), *v;
    if (!t) {
        k8s_error(k, "missing 'targetRef' (the Deployment the Canary analyses)");
        return;
    }
    if (k8s_object(k, t)) {
        k8s_quiet(k, t, (const char *const[]){"apiVersion"}, 1);
        if ((v = k8s_enter(k, t, "kind"))) {
            const char *kind = k8s_string(k, v);
            if (kind && strcmp(kind, "Deployment") != 0)
                k8s_error(k, "rollsim simulates a Deployment; a Canary of a %s is not modelled",
                          jd_show(kind, g, sizeof g));
            k8s_leave(k);
        }
        if ((v = k8s_enter(k, t, "name"))) {
            k8s_name(k, v, k->sc->service, sizeof k->sc->service);
            k8s_leave(k);
        }
    }
    k8s_leave(k);
}

static void dec_provider(k8s_ctx *k, const cJSON *spec, analysis *a)
{
    const cJSON *v = k8s_enter(k, spec, "provider");
    const char *p = v ? k8s_string(k, v) : NULL;
    a->l4 = p && strcmp(p, "kubernetes") == 0;
    if (v)
        k8s_leave(k);
}

static void dec_service(k8s_ctx *k, const cJSON *spec)
{
    const cJSON *s = k8s_enter(k, spec, "service");
    if (s && k8s_object(k, s))
        k8s_quiet(k, s, service_noise, JD_COUNT(service_noise));
    if (s)
        k8s_leave(k);
}

/* ---- the schedule ---- */

/* Flagger reads the interval with Go's time.ParseDuration and runs at least every 10 s. */
static void dec_interval(k8s_ctx *k, const cJSON *an, analysis *a)
{
    char buf[24];
    const cJSON *v = k8s_enter(k, an, "interval");
    a->interval = RS_SEC(60);
    if (v && k8s_duration(k, v, true, 0, 86400000.0, &a->interval) && a->interval < RS_SEC(10)) {
        k8s_note(k, "Flagger runs the analysis at most every 10s; %s is read as 10s",
                 k8s_fmt_duration(a->interval, buf, sizeof buf));
        a->interval = RS_SEC(10);
    }
    if (v)
        k8s_leave(k);
}

static void dec_threshold(k8s_ctx *k, const cJSON *an, analysis *a)
{
    a->threshold = 0;
    const cJSON *v = k8s_enter(k, an, "threshold");
    if (v && k8s_int(k, v, 0, 1000, &a->threshold) && a->threshold == 0)
        k8s_note(k, "threshold 0 is read as 1, as Flagger does: the first failed check rolls back");
    if (v)
        k8s_leave(k);
    if (!v)
        k8s_note(k, "no threshold: Flagger rolls back after the first failed check (threshold 1)");
    if (a->threshold == 0)
        a->threshold = 1;
}

/* stepWeights: increasing whole percentages. */
static void dec_step_weights(k8s_ctx *k, const cJSON *an, analysis *a)
{
    const cJSON *v = k8s_enter(k, an, "stepWeights"), *e;
    int i = 0;
    if (v && k8s_array(k, v)) {
        if (cJSON_GetArraySize(v) > 16 || cJSON_GetArraySize(v) == 0)
            k8s_error(k, "stepWeights must hold 1 to 16 weights, got %d", cJSON_GetArraySize(v));
        for (e = v->child; e && i < 16; e = e->next, i++) {
            int w = 0;
            k8s_enter_item(k, e, i);
            bool ok = k8s_int(k, e, 1, 100, &w);
            if (ok && a->n_steps > 0 && w <= a->steps[a->n_steps - 1])
                k8s_error(k, "stepWeights must increase, got %d after %g", w, a->steps[a->n_steps - 1]);
            else if (ok)
                a->steps[a->n_steps++] = w;
            k8s_leave(k);
        }
    }
    if (v)
        k8s_leave(k);
}

static void dec_schedule(k8s_ctx *k, const cJSON *an, analysis *a)
{
    dec_interval(k, an, a);
    dec_threshold(k, an, a);
    k8s_get_int(k, an, "maxWeight", 1, 100, &a->max_weight);
    k8s_get_int(k, an, "stepWeight", 1, 100, &a->step_weight);
    k8s_get_int(k, an, "iterations", 0, 10000, &a->iterations);
    dec_step_weights(k, an, a);
    if (a->step_weight == 0 && a->n_steps == 0 && a->iterations == 0 && !a->l4)
        k8s_error(k, "the analysis sets neither stepWeight, stepWeights nor iterations: Flagger would never "
                     "advance the canary");
}

/* ---- metrics ---- */

/* "conversion-rate" is the scenario's "conversion_rate": case, '-' and '_' aside. */
static bool same_metric_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '-' ? '_' : (char)tolower((unsigned char)*a);
        char y = *b == '-' ? '_' : (char)tolower((unsigned char)*b);
        if (x != y)
            return false;
    }
    return *a == *b;
}

static int business_index(const rs_scenario *sc, const char *name)
{
    for (int i = 0; i < sc->n_biz_metrics; i++)
        if (same_metric_name(sc->biz_metrics[i].name, name))
            return i;
    return -1;
}

/* thresholdRange.min and .max (or the deprecated `threshold`, a min or a max as `dep_max` says). */
typedef struct {
    bool has_min, has_max;
    double min, max;
} range;

static range dec_range(k8s_ctx *k, const cJSON *m, bool dep_max)
{
    range r = {0};
    const cJSON *tr = k8s_enter(k, m, "thresholdRange"), *v;
    if (tr && k8s_object(k, tr)) {
        if ((v = k8s_enter(k, tr, "min"))) {
            r.has_min = k8s_number(k, v, -1e15, 1e15, &r.min);
            k8s_leave(k);
        }
        if ((v = k8s_enter(k, tr, "max"))) {
            r.has_max = k8s_number(k, v, -1e15, 1e15, &r.max);
            k8s_leave(k);
        }
    }
    if (tr)
        k8s_leave(k);
    if (!tr && (v = k8s_enter(k, m, "threshold"))) {
        double x;
        if (k8s_number(k, v, -1e15, 1e15, &x)) {
            k8s_note(k, "the deprecated 'threshold' of a metric is read as thresholdRange.%s", dep_max ? "max" : "min");
            *(dep_max ? &r.max : &r.min) = x;
            *(dep_max ? &r.has_max : &r.has_min) = true;
        }
        k8s_leave(k);
    }
    return r;
}

/* The metric's query window, Flagger's default 1m. */
static rs_time dec_metric_interval(k8s_ctx *k, const cJSON *m)
{
    rs_time t = RS_MIN(1);
    const cJSON *v = k8s_enter(k, m, "interval");
    if (v) {
        k8s_duration(k, v, true, 1000, 86400000.0, &t);
        k8s_leave(k);
    }
    return t;
}

/* One window for both built-in checks in flagger.lua: the first one's. */
static void builtin_interval(k8s_ctx *k, const cJSON *m, analysis *a)
{
    char x[24], y[24];
    rs_time t = dec_metric_interval(k, m);
    if (!a->success && !a->duration)
        a->metric_interval = t;
    else if (t != a->metric_interval)
        k8s_warn_at(k, m, "interval",
                    "flagger.lua queries both built-in metrics over one window; %s is read as %s (the first one's)",
                    k8s_fmt_duration(t, x, sizeof x), k8s_fmt_duration(a->metric_interval, y, sizeof y));
}

static void dec_success_rate(k8s_ctx *k, const cJSON *m, analysis *a)
{
    range r = dec_range(k, m, false);
    builtin_interval(k, m, a);
    if (!r.has_min)
        k8s_error(k, "request-success-rate needs thresholdRange.min (the lowest success rate, in percent)");
    else if (r.min < 0 || r.min > 100)
        k8s_error_at(k, m, "thresholdRange", "the success rate minimum is a percentage (0 to 100), got %.15g", r.min);
    if (r.has_max)
        k8s_warn_at(k, m, "thresholdRange", "not modelled (a maximum success rate): only the minimum is checked");
    a->success = r.has_min;
    a->success_min = r.min;
}

static void dec_duration(k8s_ctx *k, const cJSON *m, analysis *a)
{
    range r = dec_range(k, m, true);
    builtin_interval(k, m, a);
    if (!r.has_max)
        k8s_error(k, "request-duration needs thresholdRange.max (milliseconds)");
    else if (!(r.max > 0))
        k8s_error_at(k, m, "thresholdRange", "the request-duration maximum must be above 0 ms, got %.15g", r.max);
    else
        k8s_note_at(k, m, "thresholdRange",
                    "request-duration is Flagger's P99 latency in milliseconds: flagger.lua fails the check when "
                    "the canary's p99 exceeds %.15g ms",
                    r.max);
    if (r.has_min)
        k8s_warn_at(k, m, "thresholdRange", "not modelled (a minimum duration): only the maximum is checked");
    a->duration = r.has_max;
    a->duration_max = r.max;
}

/* A custom metric named like a scenario business metric: thresholdRange.min is a percent of the baseline. */
static void dec_business(k8s_ctx *k, const cJSON *m, const char *given, int bi, analysis *a)
{
    range r = dec_range(k, m, false);
    rs_time t = dec_metric_interval(k, m);
    const char *name = k->sc->biz_metrics[bi].name;
    k8s_quiet(k, m, (const char *const[]){"templateRef", "templateVariables", "query"}, 3);
    if (a->business) {
        k8s_warn(k, "not modelled: flagger.lua checks one business metric, %s already", a->business_name);
        return;
    }
    if (r.has_max)
        k8s_warn_at(k, m, "thresholdRange", "not modelled (a maximum on a custom metric): only the minimum is checked");
    if (!r.has_min) {
        k8s_warn(k, "not modelled: a custom metric without thresholdRange.min is not checked by flagger.lua");
        return;
    }
    if (r.min < 0)
        k8s_error_at(k, m, "thresholdRange", "the minimum of a business metric must be >= 0, got %.15g", r.min);
    k8s_note_at(k, m, "thresholdRange",
                "the minimum of custom metric '%s' is read as a percent of the baseline of the scenario's business "
                "metric %s: business_min_ratio=%.15g (a MetricTemplate query, if any, is not read)",
                given, name, r.min / 100);
    a->business = true;
    a->business_min = r.min / 100;
    a->business_interval = t;
    snprintf(a->business_name, sizeof a->business_name, "%s", name);
}

static void list_business(const rs_scenario *sc, char *buf, size_t size)
{
    snprintf(buf, size, "%s", sc->n_biz_metrics ? "" : "none");
    for (int i = 0; i < sc->n_biz_metrics; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? ", " : "", sc->biz_metrics[i].name);
}

static void dec_metric(k8s_ctx *k, const cJSON *m, analysis *a)
{
    char g[JD_SHOW_MAX], list[RS_MAX_BIZ_METRICS * (RS_NAME_MAX + 2) + 8];
    const cJSON *v = k8s_enter(k, m, "name");
    const char *name = v ? k8s_string(k, v) : NULL;
    if (v)
        k8s_leave(k);
    if (!v)
        k8s_error(k, "missing 'name' of the metric");
    if (!name) {
        k8s_whole(k, m);
        return;
    }
    bool custom = cJSON_GetObjectItemCaseSensitive(m, "templateRef") || cJSON_GetObjectItemCaseSensitive(m, "query");
    int bi = business_index(k->sc, name);
    if (!custom && strcmp(name, BUILTIN_SUCCESS) == 0)
        dec_success_rate(k, m, a);
    else if (!custom && strcmp(name, BUILTIN_DURATION) == 0)
        dec_duration(k, m, a);
    else if (bi >= 0)
        dec_business(k, m, jd_show(name, g, sizeof g), bi, a);
    else {
        list_business(k->sc, list, sizeof list);
        k8s_warn(k, "not modelled: rollsim cannot run the query of custom metric '%s'; it reads a custom metric "
                    "only when it is named like a business metric of the scenario (%s)",
                 jd_show(name, g, sizeof g), list);
        k8s_whole(k, m);
    }
}

static void dec_metrics(k8s_ctx *k, const cJSON *an, analysis *a)
{
    const cJSON *ms = k8s_enter(k, an, "metrics"), *m;
    int i = 0;
    if (ms && k8s_array(k, ms)) {
        if (cJSON_GetArraySize(ms) > 32)
            k8s_error(k, "too many metrics (%d; at most 32)", cJSON_GetArraySize(ms));
        for (m = ms->child; m && i < 32; m = m->next, i++) {
            k8s_enter_item(k, m, i);
            if (k8s_object(k, m))
                dec_metric(k, m, a);
            k8s_leave(k);
        }
    }
    if (ms)
        k8s_leave(k);
}

/* ---- the result ---- */

/* Analysis runs before a blue/green switch: iterations, or the weight steps Flagger counts. */
static int bluegreen_runs(const analysis *a)
{
    if (a->iterations > 0)
        return a->iterations;
    if (a->n_steps > 0)
        return a->n_steps;
    int max = a->max_weight ? a->max_weight : 100;
    return a->step_weight > 0 ? (max + a->step_weight - 1) / a->step_weight : 1;
}

/* At the current path, the analysis. */
static void to_bluegreen(k8s_ctx *k, const cJSON *an, const analysis *a)
{
    rs_strategy_spec *st = &k->sc->deployment.strategy;
    char each[24], all[24];
    int runs = bluegreen_runs(a);
    st->kind = RS_STRATEGY_BLUE_GREEN;
    st->auto_promote = true;
    st->auto_promote_after = a->interval * runs;
    st->mesh = !a->l4;
    st->threshold = a->threshold;
    st->interval = a->interval;
    k8s_fmt_duration(a->interval, each, sizeof each);
    k8s_fmt_duration(st->auto_promote_after, all, sizeof all);
    if (a->iterations)
        k8s_note_at(k, an, "iterations",
                    "the green pods are analysed %d times, every %s (%s), then every user switches at once; "
                    "meanwhile they receive only load-test traffic, which rollsim does not simulate",
                    runs, each, all);
    else
        k8s_note(k, "the green pods are analysed %d times, every %s (%s: the weight steps), then every user "
                    "switches at once; meanwhile they receive only load-test traffic, which rollsim does not simulate",
                 runs, each, all);
    if (a->l4 && !a->iterations && (a->step_weight || a->n_steps || a->max_weight))
        k8s_warn_at(k, an, a->n_steps ? "stepWeights" : a->step_weight ? "stepWeight" : "maxWeight",
                    "with provider kubernetes the weights move no traffic; they only count the analysis runs");
}

static void to_canary(k8s_ctx *k, const cJSON *an, const analysis *a)
{
    rs_strategy_spec *st = &k->sc->deployment.strategy;
    st->kind = RS_STRATEGY_CANARY;
    st->mesh = true;
    st->interval = a->interval;
    st->threshold = a->threshold;
    st->step_weight = a->step_weight ? a->step_weight : st->step_weight;
    st->max_weight = a->max_weight ? a->max_weight : 100; /* Flagger's default: 100% */
    st->n_step_weights = 0;
    if (a->n_steps > 0 && a->step_weight > 0)
        k8s_note_at(k, an, "stepWeight", "with both stepWeight and stepWeights Flagger steps by stepWeight up to "
                                         "the last of stepWeights (%g)",
                    a->steps[a->n_steps - 1]);
    else if (a->n_steps > 0) {
        memcpy(st->step_weights, a->steps, sizeof a->steps);
        st->n_step_weights = a->n_steps;
    }
    if (a->n_steps > 0) {
        if (a->max_weight && a->max_weight != a->steps[a->n_steps - 1])
            k8s_note_at(k, an, "maxWeight", "with stepWeights Flagger stops at the last step weight (%g), not at "
                                            "maxWeight",
                        a->steps[a->n_steps - 1]);
        st->max_weight = a->steps[a->n_steps - 1];
    }
}

static void schedule_params(k8s_ctx *k, const analysis *a)
{
    const rs_strategy_spec *st = &k->sc->deployment.strategy;
    char buf[24], steps[64] = "";
    k8s_param(k, "interval", "%s", k8s_fmt_duration(a->interval, buf, sizeof buf));
    k8s_param(k, "threshold", "%d", a->threshold);
    k8s_param(k, "max_weight", "%.15g", st->max_weight);
    k8s_param(k, "step_weight", "%.15g", st->step_weight);
    for (int i = 0; i < st->n_step_weights; i++)
        snprintf(steps + strlen(steps), sizeof steps - strlen(steps), "%s%g", i ? "," : "", st->step_weights[i]);
    if (st->n_step_weights > 0)
        k8s_param(k, "step_weights", "%s", steps);
}

static void metric_params(k8s_ctx *k, const cJSON *an, const analysis *a)
{
    char buf[24];
    k8s_param(k, "success_rate_min", "%.15g", a->success ? a->success_min : 0);
    k8s_param(k, "duration_max_ms", "%.15g", a->duration ? a->duration_max : NEVER_MS);
    if (!a->success)
        k8s_note_at(k, an, "metrics", "no request-success-rate check: success_rate_min=0 turns flagger.lua's off");
    if (!a->duration)
        k8s_note_at(k, an, "metrics", "no request-duration check: duration_max_ms=%d (an hour) turns flagger.lua's "
                                      "off",
                    NEVER_MS);
    if (a->success || a->duration)
        k8s_param(k, "metric_interval", "%s", k8s_fmt_duration(a->metric_interval, buf, sizeof buf));
    if (a->business) {
        k8s_param(k, "business_metric", "%s", a->business_name);
        k8s_param(k, "business_min_ratio", "%.15g", a->business_min);
        k8s_param(k, "business_interval", "%s", k8s_fmt_duration(a->business_interval, buf, sizeof buf));
    } else {
        /* flagger.lua checks a business metric named like "conversion" by default: not this Canary's */
        k8s_param(k, "business_min_ratio", "0");
        if (k->sc->n_biz_metrics > 0)
            k8s_note_at(k, an, "metrics", "no custom metric of the Canary reads a business metric of the scenario: "
                                          "business_min_ratio=0 turns flagger.lua's business check off");
    }
}

static void dec_analysis(k8s_ctx *k, const cJSON *an, analysis *a)
{
    dec_schedule(k, an, a);
    dec_metrics(k, an, a);
    if (a->l4 || a->iterations > 0)
        to_bluegreen(k, an, a);
    else
        to_canary(k, an, a);
    if (k->params)
        snprintf(k->params->policy, sizeof k->params->policy, "flagger");
    schedule_params(k, a);
    metric_params(k, an, a);
}

/* spec.analysis, or the deprecated spec.canaryAnalysis of older Canaries. */
static void dec_canary_spec(k8s_ctx *k, const cJSON *spec)
{
    analysis a = {0};
    dec_target(k, spec);
    dec_provider(k, spec, &a);
    dec_service(k, spec);
    k8s_quiet(k, spec, spec_noise, JD_COUNT(spec_noise));
    k8s_quiet_false(k, spec, "skipAnalysis");
    k8s_quiet_false(k, spec, "suspend");
    const char *key = cJSON_GetObjectItemCaseSensitive(spec, "analysis") ? "analysis" : "canaryAnalysis";
    const cJSON *an = k8s_enter(k, spec, key);
    if (!an) {
        k8s_error(k, "missing 'analysis': without one Flagger promotes the canary unchecked");
        return;
    }
    if (strcmp(key, "canaryAnalysis") == 0)
        k8s_note(k, "the deprecated 'canaryAnalysis' is read as 'analysis'");
    if (k8s_object(k, an))
        dec_analysis(k, an, &a);
    k8s_leave(k);
    if (a.l4)
        k8s_note_at(k, spec, "provider",
                    "provider kubernetes: Flagger routes no traffic by weight (Kubernetes L4 networking supports "
                    "blue/green only); rollsim runs a blue-green");
}

static void dec_canary(k8s_ctx *k, const cJSON *root)
{
    k8s_quiet(k, root, (const char *const[]){"status"}, 1);
    k8s_metadata(k, root, false);
    k8s_with_spec(k, root, dec_canary_spec);
}

const k8s_kind k8s_flagger_kind = {
    .kind = "Canary",
    .api_version = "flagger.app/v1beta1",
    .resource = "canary",
    .reasons = canary_reasons,
    .n_reasons = JD_COUNT(canary_reasons),
    .decode = dec_canary,
};
