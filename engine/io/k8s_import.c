/* Real objects in: the public entry points for Deployments, Flagger Canaries and Argo Rollouts, and the
 * parts a Deployment and a Rollout share — metadata, the rolling update's arithmetic fields, the pod
 * template (grace period, readiness probe, memory limit). Kubernetes' defaults apply to absent fields, as
 * the API server would fill them in (API reference, apps/v1 DeploymentSpec; core/v1 Probe). */
#include "k8s_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEDULING "scheduling is not modelled: every pod fits on a node at once"
#define TEMPLATE "$.spec.template.spec"
#define CONTAINER TEMPLATE ".containers[*]"

/* Shared by Deployments and Rollouts. */
const k8s_reason k8s_pod_reasons[] = {
    {"$.spec.paused", "a paused object does not roll out until resumed; rollsim starts it unpaused (script a "
                      "'pause' action to rehearse one)"},
    {CONTAINER, "only the first container (the application) is read; other containers are not modelled"},
    {TEMPLATE ".initContainers", "init containers are not simulated: add their run time to the version's startup"},
    {TEMPLATE ".affinity", SCHEDULING},
    {TEMPLATE ".nodeSelector", SCHEDULING},
    {TEMPLATE ".nodeName", SCHEDULING},
    {TEMPLATE ".tolerations", SCHEDULING},
    {TEMPLATE ".topologySpreadConstraints", SCHEDULING},
    {TEMPLATE ".priorityClassName", SCHEDULING},
    {TEMPLATE ".priority", SCHEDULING},
    {TEMPLATE ".preemptionPolicy", SCHEDULING},
    {TEMPLATE ".schedulingGates", SCHEDULING},
    {TEMPLATE ".readinessGates", "extra readiness conditions are not modelled: a pod is Ready when its "
                                 "readiness probe passes"},
    {CONTAINER ".livenessProbe", "rollsim restarts a container only when it is OOM-killed; restarts by a "
                                 "failing liveness probe are not simulated"},
    {CONTAINER ".startupProbe", "readiness waits for the version's startup time and the readiness probe; a "
                                "startup probe adds nothing in rollsim"},
    {CONTAINER ".lifecycle", "preStop and postStart hooks are not simulated: a terminating pod exits after "
                             "the scenario's deployment.shutdown"},
    {CONTAINER ".resources.requests", SCHEDULING},
    {CONTAINER ".resources.limits.cpu", "CPU is modelled as a share of a pod's capacity (deployment.capacityRps), "
                                        "not as a limit in cores"},
    {CONTAINER ".readinessProbe.timeoutSeconds", "a probe slower than this fails; rollsim's probes never time out"},
};
const int k8s_n_pod_reasons = JD_COUNT(k8s_pod_reasons);

/* ---- metadata ---- */

static const char *const meta_noise[] = {
    "uid",        "resourceVersion", "generation",   "creationTimestamp", "managedFields",
    "annotations", "labels",         "ownerReferences", "selfLink",       "finalizers",
    "generateName", "deletionTimestamp", "deletionGracePeriodSeconds"};

void k8s_metadata(k8s_ctx *k, const cJSON *root, bool name_is_service)
{
    const cJSON *md = k8s_enter(k, root, "metadata");
    if (!md)
        return;
    if (k8s_object(k, md)) {
        k8s_quiet(k, md, meta_noise, JD_COUNT(meta_noise));
        const cJSON *v = name_is_service ? k8s_enter(k, md, "name") : NULL;
        if (v) {
            k8s_name(k, v, k->sc->service, sizeof k->sc->service);
            k8s_leave(k);
        } else if (!name_is_service) {
            k8s_quiet(k, md, (const char *const[]){"name"}, 1);
        }
        if ((v = k8s_enter(k, md, "namespace"))) {
            k8s_name(k, v, k->sc->namespace_, sizeof k->sc->namespace_);
            k8s_leave(k);
        }
    }
    k8s_leave(k);
}

/* ---- memory quantities ---- */

/* The multiplier of a Kubernetes quantity suffix: binary (Ki..Ei), decimal (n..E) or an exponent (e3). */
static bool quantity_suffix(const char *p, double *mult)
{
    static const char *const bin[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    static const char dec[] = "num kMGTPE";
    for (int i = 0; i < JD_COUNT(bin); i++)
        if (strcmp(p, bin[i]) == 0)
            return *mult = pow(1024, i + 1), true;
    if (p[0] == '\0')
        return *mult = 1, true;
    const char *d = p[1] == '\0' && p[0] != ' ' ? strchr(dec, p[0]) : NULL;
    if (d)
        return *mult = pow(10, 3 * (double)(d - dec - 3)), true;
    if (p[0] != 'e' && p[0] != 'E')
        return false;
    const char *x = p + 1 + (p[1] == '+' || p[1] == '-');
    size_t digits = strspn(x, "0123456789");
    if (digits == 0 || digits > 4 || x[digits] != '\0')
        return false;
    *mult = pow(10, strtod(p + 1, NULL));
    return true;
}

bool k8s_parse_memory(const char *s, double *mib)
{
    const char *p = s + (*s == '+' || *s == '-');
    size_t whole = strspn(p, "0123456789"), frac = 0;
    p += whole;
    if (*p == '.') {
        frac = strspn(p + 1, "0123456789");
        p += 1 + frac;
    }
    char num[64];
    size_t n = (size_t)(p - s);
    double mult;
    if (whole + frac == 0 || n >= sizeof num || !quantity_suffix(p, &mult))
        return false;
    memcpy(num, s, n);
    num[n] = '\0';
    double bytes = strtod(num, NULL) * mult;
    *mib = bytes / (1024.0 * 1024.0);
    return isfinite(*mib);
}

static void dec_memory_limit(k8s_ctx *k, const cJSON *v)
{
    char g[JD_SHOW_MAX];
    double mib;
    if (cJSON_IsNumber(v)) {
        mib = v->valuedouble / (1024.0 * 1024.0); /* a number is bytes, as Kubernetes reads it */
    } else if (!k8s_string(k, v)) {
        return;
    } else if (!k8s_parse_memory(v->valuestring, &mib)) {
        k8s_error(k, "invalid memory quantity \"%s\"; write a Kubernetes quantity: 512Mi, 1Gi, 500M or a number "
                     "of bytes",
                  jd_show(v->valuestring, g, sizeof g));
        return;
    }
    if (!(mib > 0) || mib > 1e7)
        k8s_error(k, "the memory limit must be above 0 and at most 10000000 MiB, got %.15g MiB", mib);
    else
        k->sc->deployment.memory_limit_mb = mib;
}

/* ---- the first container ---- */

static const char *const container_noise[] = {
    "name",         "image",        "imagePullPolicy", "ports",       "env",
    "envFrom",      "command",      "args",            "workingDir",  "volumeMounts",
    "volumeDevices", "terminationMessagePath", "terminationMessagePolicy", "stdin", "stdinOnce",
    "tty",          "securityContext"};

/* How a probe checks (httpGet, ...) does not change when it passes, which is what rollsim models. */
static const char *const probe_noise[] = {"httpGet", "tcpSocket", "exec", "grpc"};

static void dec_probe(k8s_ctx *k, const cJSON *container)
{
    rs_deployment_spec *d = &k->sc->deployment;
    const cJSON *p = k8s_enter(k, container, "readinessProbe");
    d->has_readiness_probe = p != NULL;
    if (!p) {
        k8s_note(k, "no readinessProbe on the first container: a pod is Ready as soon as its container runs, "
                    "before the application listens");
        return;
    }
    if (k8s_object(k, p)) {
        d->probe_initial_delay = 0;
        d->probe_period = RS_SEC(10);
        d->probe_failure_threshold = 3;
        d->probe_success_threshold = 1;
        k8s_get_seconds(k, p, "initialDelaySeconds", 0, 86400, &d->probe_initial_delay);
        k8s_get_seconds(k, p, "periodSeconds", 1, 86400, &d->probe_period);
        k8s_get_int(k, p, "failureThreshold", 1, 1000, &d->probe_failure_threshold);
        k8s_get_int(k, p, "successThreshold", 1, 1000, &d->probe_success_threshold);
        k8s_quiet(k, p, probe_noise, JD_COUNT(probe_noise));
        k8s_quiet_number(k, p, "timeoutSeconds", 1); /* the default */
    }
    k8s_leave(k);
}

static void dec_resources(k8s_ctx *k, const cJSON *container)
{
    const cJSON *res = k8s_enter(k, container, "resources");
    const cJSON *lim = res && k8s_object(k, res) ? k8s_enter(k, res, "limits") : NULL;
    const cJSON *mem = lim && k8s_object(k, lim) ? k8s_enter(k, lim, "memory") : NULL;
    if (mem) {
        dec_memory_limit(k, mem);
        k8s_leave(k);
    } else {
        k8s_note(k, "no memory limit on the first container: memoryLimitMb stays %.15g MiB (the scenario's)",
                 k->sc->deployment.memory_limit_mb);
    }
    if (lim)
        k8s_leave(k);
    if (res)
        k8s_leave(k);
}

static void dec_containers(k8s_ctx *k, const cJSON *pod)
{
    const cJSON *cs = k8s_enter(k, pod, "containers");
    if (!cs) {
        k8s_error(k, "missing 'containers' (a pod runs at least one)");
        return;
    }
    if (k8s_array(k, cs) && cJSON_GetArraySize(cs) == 0)
        k8s_error(k, "'containers' is empty; a pod runs at least one");
    else if (cJSON_IsArray(cs)) {
        k8s_enter_item(k, cs->child, 0);
        if (k8s_object(k, cs->child)) {
            k8s_quiet(k, cs->child, container_noise, JD_COUNT(container_noise));
            dec_probe(k, cs->child);
            dec_resources(k, cs->child);
        }
        k8s_leave(k);
    }
    k8s_leave(k);
}

/* ---- the pod template ---- */

static const char *const pod_noise[] = {
    "restartPolicy", "dnsPolicy",  "schedulerName", "securityContext", "serviceAccountName",
    "serviceAccount", "automountServiceAccountToken", "imagePullSecrets", "enableServiceLinks", "hostname",
    "subdomain",     "volumes"};

static void dec_pod_spec(k8s_ctx *k, const cJSON *pod)
{
    rs_deployment_spec *d = &k->sc->deployment;
    char a[24], b[24];
    k8s_quiet(k, pod, pod_noise, JD_COUNT(pod_noise));
    d->termination_grace = RS_SEC(30);
    k8s_get_seconds(k, pod, "terminationGracePeriodSeconds", 0, 86400, &d->termination_grace);
    if (d->shutdown > d->termination_grace) {
        k8s_note_at(k, pod, "terminationGracePeriodSeconds",
                    "the scenario's shutdown (%s) is cut to the grace period (%s): the kubelet kills the container "
                    "then",
                    k8s_fmt_duration(d->shutdown, a, sizeof a), k8s_fmt_duration(d->termination_grace, b, sizeof b));
        d->shutdown = d->termination_grace;
    }
    dec_containers(k, pod);
}

void k8s_pod_template(k8s_ctx *k, const cJSON *spec)
{
    const cJSON *tpl = k8s_enter(k, spec, "template");
    if (!tpl) {
        k8s_error(k, "missing 'template' (the pod template)");
        return;
    }
    if (k8s_object(k, tpl)) {
        k8s_quiet(k, tpl, (const char *const[]){"metadata"}, 1);
        const cJSON *pod = k8s_enter(k, tpl, "spec");
        if (!pod)
            k8s_error(k, "missing 'spec' in the pod template");
        else if (k8s_object(k, pod))
            dec_pod_spec(k, pod);
        if (pod)
            k8s_leave(k);
    }
    k8s_leave(k);
}

/* ---- the Deployment ---- */

static bool zero(rs_intorpct x) { return x.value == 0; }

static void dec_rolling_update(k8s_ctx *k, const cJSON *ru)
{
    rs_deployment_spec *d = &k->sc->deployment;
    const cJSON *v;
    if ((v = k8s_enter(k, ru, "maxSurge"))) {
        k8s_intorpct(k, v, 10000, 1000, &d->max_surge);
        k8s_leave(k);
    }
    if ((v = k8s_enter(k, ru, "maxUnavailable"))) {
        k8s_intorpct(k, v, 10000, 100, &d->max_unavailable);
        k8s_leave(k);
    }
    if (zero(d->max_surge) && zero(d->max_unavailable))
        k8s_error(k, "maxSurge and maxUnavailable cannot both be 0 (Kubernetes refuses it)");
}

static void dec_strategy_type(k8s_ctx *k, const cJSON *st)
{
    char g[JD_SHOW_MAX];
    const cJSON *t = k8s_enter(k, st, "type");
    const char *type = t ? k8s_string(k, t) : "RollingUpdate";
    if (type && strcmp(type, "Recreate") == 0)
        k8s_error(k, "strategy type 'Recreate' is not supported: rollsim simulates RollingUpdate here (blue-green "
                     "and canary come from --rollout or --canary)");
    else if (type && strcmp(type, "RollingUpdate") != 0)
        k8s_error(k, "unknown strategy type '%s'; a Deployment's is RollingUpdate or Recreate",
                  jd_show(type, g, sizeof g));
    if (t)
        k8s_leave(k);
}

/* Kubernetes' default strategy is RollingUpdate with 25% and 25%. */
static void dec_strategy(k8s_ctx *k, const cJSON *spec)
{
    rs_deployment_spec *d = &k->sc->deployment;
    d->max_surge = (rs_intorpct){true, 25};
    d->max_unavailable = (rs_intorpct){true, 25};
    const cJSON *st = k8s_enter(k, spec, "strategy");
    if (st && k8s_object(k, st)) {
        dec_strategy_type(k, st);
        const cJSON *ru = k8s_enter(k, st, "rollingUpdate");
        if (ru && k8s_object(k, ru))
            dec_rolling_update(k, ru);
        if (ru)
            k8s_leave(k);
    }
    if (d->strategy.kind != RS_STRATEGY_ROLLING)
        k8s_note(k, "the scenario's %s strategy is replaced by this Deployment's RollingUpdate; apply --canary or "
                    "--rollout after --deployment to rehearse one",
                 d->strategy.kind == RS_STRATEGY_CANARY ? "canary" : "blue-green");
    d->strategy.kind = RS_STRATEGY_ROLLING;
    if (st)
        k8s_leave(k);
}

/* revisionHistoryLimit: Kubernetes takes any int32; rollsim keeps at most 50 old revisions. */
static void dec_history_limit(k8s_ctx *k, const cJSON *spec)
{
    int *limit = &k->sc->deployment.revision_history_limit;
    *limit = 10;
    const cJSON *v = k8s_enter(k, spec, "revisionHistoryLimit");
    if (v && k8s_int(k, v, 0, 2147483647, limit) && *limit > 50) {
        k8s_warn(k, "rollsim keeps at most 50 old revisions; %d is read as 50", *limit);
        *limit = 50;
    }
    if (v)
        k8s_leave(k);
}

/* The fields a Rollout's spec shares with a Deployment's (and their Kubernetes defaults). */
static void dec_workload_spec(k8s_ctx *k, const cJSON *spec)
{
    rs_deployment_spec *d = &k->sc->deployment;
    d->replicas = 1;
    d->min_ready = 0;
    d->progress_deadline = RS_SEC(600);
    k8s_get_int(k, spec, "replicas", 0, 10000, &d->replicas);
    k8s_get_seconds(k, spec, "minReadySeconds", 0, 86400, &d->min_ready);
    k8s_get_seconds(k, spec, "progressDeadlineSeconds", 1, 2592000, &d->progress_deadline);
    dec_history_limit(k, spec);
    if (d->progress_deadline <= d->min_ready)
        k8s_error_at(k, spec, "progressDeadlineSeconds",
                     "progressDeadlineSeconds (%lld) must be greater than minReadySeconds (%lld), as Kubernetes "
                     "requires",
                     (long long)(d->progress_deadline / 1000), (long long)(d->min_ready / 1000));
    k8s_quiet(k, spec, (const char *const[]){"selector"}, 1);
    k8s_quiet_false(k, spec, "paused");
}

void k8s_with_spec(k8s_ctx *k, const cJSON *root, void (*fn)(k8s_ctx *k, const cJSON *spec))
{
    const cJSON *spec = k8s_enter(k, root, "spec");
    if (!spec) {
        k8s_error(k, "missing 'spec'");
        return;
    }
    if (k8s_object(k, spec))
        fn(k, spec);
    k8s_leave(k);
}

static void dec_deployment_spec(k8s_ctx *k, const cJSON *spec)
{
    dec_workload_spec(k, spec);
    dec_strategy(k, spec);
    k8s_pod_template(k, spec);
}

static void dec_deployment(k8s_ctx *k, const cJSON *root)
{
    k8s_quiet(k, root, (const char *const[]){"status"}, 1);
    k8s_metadata(k, root, true);
    k8s_with_spec(k, root, dec_deployment_spec);
}

void k8s_rollout_workload(k8s_ctx *k, const cJSON *spec)
{
    dec_workload_spec(k, spec);
    k8s_quiet_false(k, spec, "progressDeadlineAbort");
}

static const k8s_kind deployment_kind = {
    .kind = "Deployment",
    .api_version = "apps/v1",
    .resource = "deployment",
    .decode = dec_deployment,
};

rs_status rs_k8s_apply_deployment(const char *path, rs_scenario *sc, rs_diagnostics *errors,
                                  rs_diagnostics *warnings)
{
    return k8s_run(&deployment_kind, path, sc, NULL, errors, warnings);
}

rs_status rs_k8s_apply_canary(const char *path, rs_scenario *sc, rs_k8s_params *params, rs_diagnostics *errors,
                              rs_diagnostics *warnings)
{
    if (params)
        memset(params, 0, sizeof *params);
    return k8s_run(&k8s_flagger_kind, path, sc, params, errors, warnings);
}

rs_status rs_k8s_apply_rollout(const char *path, rs_scenario *sc, rs_k8s_params *params, rs_diagnostics *errors,
                               rs_diagnostics *warnings)
{
    if (params)
        memset(params, 0, sizeof *params);
    return k8s_run(&k8s_argo_kind, path, sc, params, errors, warnings);
}
