/* An Argo Rollout (argoproj.io/v1alpha1): the Deployment-like fields and pod template, then
 * strategy.blueGreen (autoPromotionEnabled, autoPromotionSeconds, scaleDownDelaySeconds) or
 * strategy.canary (setWeight steps → step weights, pause durations → the interval, trafficRouting → a mesh).
 * Defaults are Argo Rollouts' (utils/defaults: replicas 1, maxSurge and maxUnavailable 25%,
 * scaleDownDelaySeconds 30, autoPromotionEnabled true). AnalysisTemplates are separate objects: not read. */
#include "k8s_int.h"

#include <stdio.h>
#include <string.h>

#define ANALYSIS                                                                                             \
    "AnalysisTemplates are separate objects and are not read; load the argo-analysis policy (--policy "      \
    "argo-analysis.lua) to rehearse an analysis"
#define SCHEDULING "scheduling is not modelled: every pod fits on a node at once"
#define BG "$.spec.strategy.blueGreen"
#define CANARY "$.spec.strategy.canary"

static const k8s_reason rollout_reasons[] = {
    {"$.spec.workloadRef", "the pod template is in the referenced Deployment: pass it with --deployment before "
                           "--rollout"},
    {"$.spec.rollbackWindow", "rollsim rolls back with a rolling update whatever the revision's age"},
    {"$.spec.progressDeadlineAbort", "Argo Rollouts aborts the update at the deadline; rollsim only marks it failed"},
    {BG ".prePromotionAnalysis", ANALYSIS},
    {BG ".postPromotionAnalysis", ANALYSIS},
    {BG ".previewReplicaCount", "rollsim scales the preview to the full replica count"},
    {BG ".antiAffinity", SCHEDULING},
    {BG ".scaleDownDelayRevisionLimit", "rollsim keeps one previous set up for the scale-down delay"},
    {BG ".abortScaleDownDelaySeconds", "an abort switches back at once in rollsim"},
    {BG ".maxUnavailable", "rollsim brings the preview up beside the active set, all pods at once"},
    {CANARY ".analysis", ANALYSIS},
    {CANARY ".steps[*].experiment", "experiments are not simulated"},
    {CANARY ".steps[*].setCanaryScale", "rollsim sizes the canary from its weight"},
    {CANARY ".steps[*].setHeaderRoute", "header-based routes are not modelled"},
    {CANARY ".steps[*].setMirrorRoute", "traffic mirroring is not modelled"},
    {CANARY ".steps[*].plugin", "step plugins are not simulated"},
    {CANARY ".antiAffinity", SCHEDULING},
    {CANARY ".scaleDownDelaySeconds", "rollsim scales the old set down when the promotion's rolling update ends"},
    {CANARY ".scaleDownDelayRevisionLimit", "rollsim keeps no extra old sets up"},
    {CANARY ".abortScaleDownDelaySeconds", "an abort scales the canary down at once in rollsim"},
    {CANARY ".minPodsPerReplicaSet", "rollsim sizes each set from its weight"},
    {CANARY ".dynamicStableScale", "rollsim keeps the stable set at full size with traffic routing"},
};

static const char *const bg_noise[] = {"activeService", "previewService", "activeMetadata", "previewMetadata"};
static const char *const canary_noise[] = {"canaryService", "stableService", "canaryMetadata", "stableMetadata",
                                           "trafficRouting", "pingPong"};
static const char *const spec_noise[] = {"analysis", "restartAt"};

/* What the steps say. */
typedef struct {
    int n;
    double weights[16];
    rs_time pause;     /* the first timed pause; 0: none */
    bool analysis;     /* an analysis step */
} steps;

/* ---- blue-green ---- */

static void dec_bluegreen(k8s_ctx *k, const cJSON *bg)
{
    rs_strategy_spec *st = &k->sc->deployment.strategy;
    st->kind = RS_STRATEGY_BLUE_GREEN;
    st->auto_promote = true;
    st->auto_promote_after = 0;
    st->scale_down_delay = RS_SEC(30);
    k8s_quiet(k, bg, bg_noise, JD_COUNT(bg_noise));
    k8s_get_bool(k, bg, "autoPromotionEnabled", &st->auto_promote);
    k8s_get_seconds(k, bg, "autoPromotionSeconds", 0, 86400, &st->auto_promote_after);
    k8s_get_seconds(k, bg, "scaleDownDelaySeconds", 0, 86400, &st->scale_down_delay);
    if (!st->auto_promote)
        k8s_note_at(k, bg, "autoPromotionEnabled", "the preview waits for `kubectl argo rollouts promote`: script a "
                                                   "'promote' action or run an operator policy to rehearse it");
}

/* ---- canary steps ---- */

static void dec_set_weight(k8s_ctx *k, const cJSON *step, steps *s)
{
    int w = 0;
    const cJSON *v = k8s_enter(k, step, "setWeight");
    if (!v)
        return;
    bool ok = k8s_int(k, v, 1, 100, &w);
    if (ok && s->n > 0 && w <= s->weights[s->n - 1])
        k8s_error(k, "rollsim steps to increasing weights; setWeight %d comes after %g", w, s->weights[s->n - 1]);
    else if (ok && s->n == 16)
        k8s_error(k, "too many setWeight steps (at most 16)");
    else if (ok)
        s->weights[s->n++] = w;
    k8s_leave(k);
}

static void dec_pause(k8s_ctx *k, const cJSON *step, steps *s)
{
    char a[24], b[24];
    rs_time t = 0;
    const cJSON *p = k8s_enter(k, step, "pause"), *d = NULL;
    if (!p)
        return;
    if (k8s_object(k, p) && !(d = k8s_enter(k, p, "duration"))) {
        k8s_warn(k, "an indefinite pause waits for `kubectl argo rollouts promote`; rollsim steps on after the "
                    "interval instead (script a 'promote' action or run an operator policy to rehearse the wait)");
    } else if (cJSON_IsObject(p)) {
        if (k8s_duration(k, d, false, 0, 86400000.0, &t) && s->pause == 0)
            s->pause = t;
        else if (t != 0 && t != s->pause)
            k8s_warn(k, "rollsim steps at one interval; this pause (%s) is read as the first one's (%s)",
                     k8s_fmt_duration(t, a, sizeof a), k8s_fmt_duration(s->pause, b, sizeof b));
        k8s_leave(k);
    }
    k8s_leave(k);
}

static void dec_step(k8s_ctx *k, const cJSON *step, steps *s)
{
    const cJSON *an = cJSON_GetObjectItemCaseSensitive(step, "analysis");
    dec_set_weight(k, step, s);
    dec_pause(k, step, s);
    if (an) {
        s->analysis = true;
        k8s_warn_at(k, step, "analysis",
                    "not modelled (inline analysis templates are not read: AnalysisTemplates are separate objects; "
                    "load the argo-analysis policy to rehearse one)");
        k8s_whole(k, an);
    }
}

static void dec_steps(k8s_ctx *k, const cJSON *canary, steps *s)
{
    const cJSON *v = k8s_enter(k, canary, "steps"), *e;
    int i = 0;
    if (v && k8s_array(k, v))
        for (e = v->child; e; e = e->next, i++) {
            k8s_enter_item(k, e, i);
            if (k8s_object(k, e))
                dec_step(k, e, s);
            k8s_leave(k);
        }
    if (v)
        k8s_leave(k);
}

static void dec_surge(k8s_ctx *k, const cJSON *canary)
{
    rs_deployment_spec *d = &k->sc->deployment;
    const cJSON *v;
    d->max_surge = (rs_intorpct){true, 25};
    d->max_unavailable = (rs_intorpct){true, 25};
    if ((v = k8s_enter(k, canary, "maxSurge"))) {
        k8s_intorpct(k, v, 10000, 1000, &d->max_surge);
        k8s_leave(k);
    }
    if ((v = k8s_enter(k, canary, "maxUnavailable"))) {
        k8s_intorpct(k, v, 10000, 100, &d->max_unavailable);
        k8s_leave(k);
    }
    if (d->max_surge.value == 0 && d->max_unavailable.value == 0)
        k8s_error(k, "maxSurge and maxUnavailable cannot both be 0");
}

/* Steps with weights make a canary; without, Argo Rollouts runs a rolling update. */
static void to_strategy(k8s_ctx *k, const cJSON *canary, const steps *s)
{
    rs_strategy_spec *st = &k->sc->deployment.strategy;
    char buf[24];
    if (s->n == 0) {
        st->kind = RS_STRATEGY_ROLLING;
        k8s_note(k, "no setWeight step: Argo Rollouts runs a rolling update with maxSurge and maxUnavailable");
        return;
    }
    st->kind = RS_STRATEGY_CANARY;
    st->n_step_weights = s->n;
    memcpy(st->step_weights, s->weights, sizeof s->weights);
    st->max_weight = s->weights[s->n - 1];
    st->mesh = cJSON_GetObjectItemCaseSensitive(canary, "trafficRouting") != NULL;
    if (s->pause > 0)
        st->interval = s->pause;
    else
        k8s_warn_at(k, canary, "steps",
                    "no timed pause: Argo Rollouts moves to the next step as soon as the canary is ready; rollsim "
                    "steps every %s (the scenario's interval)",
                    k8s_fmt_duration(st->interval, buf, sizeof buf));
    if (!st->mesh)
        k8s_note(k, "no trafficRouting: Argo Rollouts approximates the weight with replica counts (the nearest "
                    "count of %d replicas); so does rollsim",
                 k->sc->deployment.replicas);
}

static void dec_canary(k8s_ctx *k, const cJSON *canary)
{
    steps s = {0};
    k8s_quiet(k, canary, canary_noise, JD_COUNT(canary_noise));
    dec_surge(k, canary);
    dec_steps(k, canary, &s);
    to_strategy(k, canary, &s);
    if ((s.analysis || cJSON_GetObjectItemCaseSensitive(canary, "analysis")) && k->params)
        snprintf(k->params->policy, sizeof k->params->policy, "argo-analysis");
}

/* ---- the Rollout ---- */

static void dec_one_strategy(k8s_ctx *k, const cJSON *st, bool canary)
{
    const cJSON *v = k8s_enter(k, st, canary ? "canary" : "blueGreen");
    if (canary && k8s_object(k, v)) {
        dec_canary(k, v);
    } else if (k8s_object(k, v)) {
        dec_bluegreen(k, v);
        if (k->params && (cJSON_GetObjectItemCaseSensitive(v, "prePromotionAnalysis") ||
                          cJSON_GetObjectItemCaseSensitive(v, "postPromotionAnalysis")))
            snprintf(k->params->policy, sizeof k->params->policy, "argo-analysis");
    }
    k8s_leave(k);
}

static void dec_strategy(k8s_ctx *k, const cJSON *spec)
{
    const cJSON *st = k8s_enter(k, spec, "strategy");
    if (!st) {
        k8s_error(k, "missing 'strategy' (blueGreen or canary)");
        return;
    }
    if (k8s_object(k, st)) {
        bool bg = cJSON_GetObjectItemCaseSensitive(st, "blueGreen") != NULL;
        bool cn = cJSON_GetObjectItemCaseSensitive(st, "canary") != NULL;
        if (bg == cn) {
            k8s_error(k, "a Rollout's strategy is one of blueGreen or canary, %s", bg ? "not both" : "got neither");
            k8s_whole(k, st);
        } else
            dec_one_strategy(k, st, cn);
    }
    k8s_leave(k);
}

static void dec_rollout_spec(k8s_ctx *k, const cJSON *spec)
{
    k8s_rollout_workload(k, spec);
    k8s_quiet(k, spec, spec_noise, JD_COUNT(spec_noise));
    if (cJSON_GetObjectItemCaseSensitive(spec, "template") || !cJSON_GetObjectItemCaseSensitive(spec, "workloadRef"))
        k8s_pod_template(k, spec);
    dec_strategy(k, spec);
}

static void dec_rollout(k8s_ctx *k, const cJSON *root)
{
    k8s_quiet(k, root, (const char *const[]){"status"}, 1);
    k8s_metadata(k, root, true);
    k8s_with_spec(k, root, dec_rollout_spec);
}

const k8s_kind k8s_argo_kind = {
    .kind = "Rollout",
    .api_version = "argoproj.io/v1alpha1",
    .resource = "rollout",
    .reasons = rollout_reasons,
    .n_reasons = JD_COUNT(rollout_reasons),
    .decode = dec_rollout,
};
