/* rollsim — rollback readiness (the seed's Part 8, "Pre-Deployment Rollback Readiness: before every
 * deployment"): checks a scenario, or a Deployment as `kubectl get deployment NAME -o json` prints it, for
 * what makes a rollback slow or impossible. docs/lint.md lists the checks, their severities and fixes. */
#ifndef ROLLSIM_LINT_H
#define ROLLSIM_LINT_H

#include "rollsim/common.h"
#include "rollsim/io.h"

#define RS_LINT_MAX 64

typedef enum { RS_LINT_INFO, RS_LINT_WARNING, RS_LINT_ERROR } rs_lint_severity;

typedef struct {
    rs_lint_severity severity;
    char check[32];    /* the check's name: "revision-history", "readiness-probe", ... (docs/lint.md) */
    char where[256];   /* "FILE:LINE:COL ($.json.path)" */
    char reason[512];  /* why a rollback is slow or impossible, in words */
    char fix[384];     /* what to change */
} rs_lint_finding;

typedef struct {
    char kind[16];     /* "scenario" or "Deployment" */
    int count;         /* findings stored (at most RS_LINT_MAX), in the order of the checks */
    int dropped;       /* findings beyond RS_LINT_MAX */
    int errors, warnings, infos;
    rs_lint_finding items[RS_LINT_MAX];
} rs_lint_report;

/* Lints one file: a scenario (docs/scenario-format.md), or an apps/v1 Deployment object (recognised by
 * `"kind": "Deployment"` or an `apiVersion` of `apps/...`), read onto the default scenario with
 * rs_k8s_apply_deployment. Returns RS_OK with the findings in `out` (possibly none); RS_BAD_INPUT when
 * the file cannot be read or is not a valid scenario or Deployment (the problems in `diag`); RS_INTERNAL
 * when memory is short. */
rs_status rs_lint_file(const char *path, rs_lint_report *out, rs_diagnostics *diag);

const char *rs_lint_severity_name(rs_lint_severity s);

/* Prints each finding as "WHERE: SEVERITY: CHECK: REASON" and an indented "fix: FIX" line. */
void rs_lint_print(const rs_lint_report *r, FILE *f);

#endif
