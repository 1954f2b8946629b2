/* rollsim — real Kubernetes objects in: a Deployment, a Flagger Canary or an Argo Rollout as printed by
 * `kubectl get KIND NAME -o json`, applied to a loaded scenario so that users rehearse the settings they
 * run. docs/kubernetes-import.md lists what each object field becomes, and what is only warned about. */
#ifndef ROLLSIM_K8S_H
#define ROLLSIM_K8S_H

#include "rollsim/common.h"
#include "rollsim/io.h"
#include "rollsim/scenario.h"

#define RS_K8S_MAX_PARAMS 32

/* Parameters for a bundled policy, as text (the policy converts them to the type of its defaults):
 * "success_rate_min" = "95", "interval" = "30s", "step_weights" = "10,20,40". */
typedef struct {
    int n;
    char name[RS_K8S_MAX_PARAMS][64];
    char value[RS_K8S_MAX_PARAMS][64];
    char policy[64]; /* "flagger", "argo-analysis" or "" (no policy suggested) */
} rs_k8s_params;

/* The three functions below share these rules.
 * - They read the object at `path` and change the scenario in place: only what the object sets, with the
 *   object's own defaults (Kubernetes', Flagger's, Argo Rollouts') for fields it leaves out; everything
 *   else keeps the scenario's value. Then they run rs_scenario_check().
 * - `errors` and `warnings` are cleared first (either may be NULL). Problems that make the object unusable
 *   (wrong kind or apiVersion, a List, wrong types, values out of range, unsupported strategies) go to
 *   `errors` with code RS_BAD_INPUT; fields that rollsim does not model, and notes on how a field was
 *   read, go to `warnings` with code RS_OK. Every item's `where` is "FILE:LINE:COL ($.json.path)";
 *   messages of notes start with "note: ", those of fields left out with "not modelled".
 * - Return RS_OK; RS_BAD_INPUT (errors has the problems, or the file cannot be read); RS_INTERNAL (out of
 *   memory, also in errors). On any error the scenario may be partly modified: do not run it.
 * - Apply a Deployment before a Canary or a Rollout: the Deployment sets the strategy to RollingUpdate. */

/* apps/v1 Deployment: replicas, the rolling update, minReadySeconds, progressDeadlineSeconds,
 * revisionHistoryLimit, and from the first container terminationGracePeriodSeconds, the readiness probe and
 * the memory limit; metadata.name and .namespace become the service name and namespace. */
rs_status rs_k8s_apply_deployment(const char *path, rs_scenario *sc, rs_diagnostics *errors,
                                  rs_diagnostics *warnings);

/* flagger.app/v1beta1 Canary: the analysis becomes the canary strategy (or blue-green for Flagger's
 * `provider: kubernetes` and `iterations`), and `params` (may be NULL) receives the parameters of the
 * bundled flagger.lua policy (params->policy = "flagger"). */
rs_status rs_k8s_apply_canary(const char *path, rs_scenario *sc, rs_k8s_params *params, rs_diagnostics *errors,
                              rs_diagnostics *warnings);

/* argoproj.io/v1alpha1 Rollout: the Deployment-like fields, and strategy.blueGreen or strategy.canary.
 * AnalysisTemplates are separate objects and are not read; when the Rollout uses analysis, `params`
 * (may be NULL) names the bundled argo-analysis policy with no parameters (its defaults). */
rs_status rs_k8s_apply_rollout(const char *path, rs_scenario *sc, rs_k8s_params *params, rs_diagnostics *errors,
                               rs_diagnostics *warnings);

#endif
