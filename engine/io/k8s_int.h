/* Reading Kubernetes objects (k8s_import.c, k8s_flagger.c, k8s_argo.c) on top of the scenario loader's
 * reporting (json_decode.h): a path stack with file:line:col for errors and warnings, typed readers, and a
 * record of every value read so that whatever was not read can be warned about. Private to engine/io. */
#ifndef ROLLSIM_K8S_INT_H
#define ROLLSIM_K8S_INT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "json_decode.h"
#include "rollsim/k8s.h"

/* Why a field is not modelled, for the warning; `path` has [*] for any index. */
typedef struct {
    const char *path;
    const char *why;
} k8s_reason;

/* A set of cJSON nodes, sorted before lookups. */
typedef struct {
    const cJSON **v;
    size_t n, cap;
} k8s_set;

typedef struct k8s_ctx {
    jd_loader ld;      /* errors, and the path being read */
    jd_loader wl;      /* warnings: the same text, the path copied from ld when one is reported */
    k8s_set seen;      /* nodes read; a container in it is walked for members not read */
    k8s_set whole;     /* nodes whose whole subtree counts as read (noise, or reported already) */
    rs_scenario *sc;
    rs_k8s_params *params;
    const k8s_reason *reasons;
    int n_reasons;
} k8s_ctx;

/* What a kind of object is called and which decoder reads its root (an object whose kind and apiVersion
 * are already checked). */
typedef struct {
    const char *kind;        /* "Deployment" */
    const char *api_version; /* "apps/v1" */
    const char *resource;    /* "deployment", for `kubectl get deployment NAME -o json` */
    const k8s_reason *reasons;
    int n_reasons;
    void (*decode)(k8s_ctx *k, const cJSON *root);
} k8s_kind;

/* Reads the file, checks the root, runs the decoder, warns about what was not read, checks the
 * scenario. */
rs_status k8s_run(const k8s_kind *kind, const char *path, rs_scenario *sc, rs_k8s_params *params,
                  rs_diagnostics *errors, rs_diagnostics *warnings);

/* ---- the path: entering a member marks it read ---- */

/* The member `key` of obj (NULL when obj is not an object or has no such key), pushed on the path. A key
 * given twice is an error. */
const cJSON *k8s_enter(k8s_ctx *k, const cJSON *obj, const char *key);
/* Item i of an array (v is that item), pushed on the path. */
void k8s_enter_item(k8s_ctx *k, const cJSON *v, int i);
void k8s_leave(k8s_ctx *k);
/* The whole subtree of v counts as read. */
void k8s_whole(k8s_ctx *k, const cJSON *v);
/* Members of obj that are noise: read silently, whole. */
void k8s_quiet(k8s_ctx *k, const cJSON *obj, const char *const *keys, int n);
/* Noise only when it has this value (a default that changes nothing): false, or a number. */
void k8s_quiet_false(k8s_ctx *k, const cJSON *obj, const char *key);
void k8s_quiet_number(k8s_ctx *k, const cJSON *obj, const char *key, double value);

/* ---- problems at the current path ---- */

void k8s_error(k8s_ctx *k, const char *fmt, ...) JD_PRINTF(2, 3);
void k8s_warn(k8s_ctx *k, const char *fmt, ...) JD_PRINTF(2, 3);
/* A warning whose message starts with "note: ". */
void k8s_note(k8s_ctx *k, const char *fmt, ...) JD_PRINTF(2, 3);
/* The same at the member `key` of obj, which must be the value at the current path (at obj itself when it
 * has no such member). */
void k8s_error_at(k8s_ctx *k, const cJSON *obj, const char *key, const char *fmt, ...) JD_PRINTF(4, 5);
void k8s_note_at(k8s_ctx *k, const cJSON *obj, const char *key, const char *fmt, ...) JD_PRINTF(4, 5);
void k8s_warn_at(k8s_ctx *k, const cJSON *obj, const char *key, const char *fmt, ...) JD_PRINTF(4, 5);

/* ---- typed values: v is the value at the current path; false (reported) when it does not fit ---- */

bool k8s_object(k8s_ctx *k, const cJSON *v);
bool k8s_array(k8s_ctx *k, const cJSON *v);
bool k8s_bool(k8s_ctx *k, const cJSON *v, bool *out);
/* A whole number in [lo, hi]. */
bool k8s_int(k8s_ctx *k, const cJSON *v, double lo, double hi, int *out);
/* Kubernetes integer seconds in [lo, hi] seconds, into milliseconds. */
bool k8s_seconds(k8s_ctx *k, const cJSON *v, double lo, double hi, rs_time *out);
/* A number in [lo, hi]. */
bool k8s_number(k8s_ctx *k, const cJSON *v, double lo, double hi, double *out);
/* A duration ("30s", "1m30s"; a number of seconds too unless string_only) in [lo_ms, hi_ms]. */
bool k8s_duration(k8s_ctx *k, const cJSON *v, bool string_only, double lo_ms, double hi_ms, rs_time *out);
/* An IntOrString such as maxSurge: at most max_pods pods, or a whole percentage up to max_pct. */
bool k8s_intorpct(k8s_ctx *k, const cJSON *v, int max_pods, int max_pct, rs_intorpct *out);
/* A string (NULL after reporting). */
const char *k8s_string(k8s_ctx *k, const cJSON *v);
/* A Kubernetes object name that rollsim can use as a service or namespace name. */
bool k8s_name(k8s_ctx *k, const cJSON *v, char *dst, size_t size);

/* The same for the member `key` of obj: true when present and valid. */
bool k8s_get_int(k8s_ctx *k, const cJSON *obj, const char *key, double lo, double hi, int *out);
bool k8s_get_seconds(k8s_ctx *k, const cJSON *obj, const char *key, double lo, double hi, rs_time *out);
bool k8s_get_bool(k8s_ctx *k, const cJSON *obj, const char *key, bool *out);

/* ---- output ---- */

/* Adds or replaces a policy parameter (no-op without params; a full table is an error). */
void k8s_param(k8s_ctx *k, const char *name, const char *fmt, ...) JD_PRINTF(3, 4);
/* "30s", "2m", "1h", "250ms": a duration as policies and scenario files read it. */
const char *k8s_fmt_duration(rs_time ms, char *buf, size_t size);

/* ---- the pod template, shared by Deployments and Rollouts (k8s_import.c) ---- */

/* Reads spec.template (terminationGracePeriodSeconds, the first container's readiness probe and memory
 * limit); `spec` is the object holding "template". */
void k8s_pod_template(k8s_ctx *k, const cJSON *spec);
/* Reads metadata.name and metadata.namespace into the service name and namespace. */
void k8s_metadata(k8s_ctx *k, const cJSON *root, bool name_is_service);
/* "512Mi", "1Gi", "500M", "536870912" (bytes) in MiB; false when not a Kubernetes quantity. */
bool k8s_parse_memory(const char *s, double *mib);

/* Reads root.spec with fn; a missing spec is an error. */
void k8s_with_spec(k8s_ctx *k, const cJSON *root, void (*fn)(k8s_ctx *k, const cJSON *spec));
/* A Rollout's spec minus its strategy and template: replicas, minReadySeconds, progressDeadlineSeconds,
 * revisionHistoryLimit, as a Deployment's. */
void k8s_rollout_workload(k8s_ctx *k, const cJSON *spec);

/* The Canary (k8s_flagger.c) and Rollout (k8s_argo.c) readers. */
extern const k8s_kind k8s_flagger_kind;
extern const k8s_kind k8s_argo_kind;

/* Reasons shared by every kind that holds a pod template. */
extern const k8s_reason k8s_pod_reasons[];
extern const int k8s_n_pod_reasons;

#endif
