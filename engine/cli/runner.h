/* One run of a scenario with its policies: what `rollsim run`, `rollsim test`, `rollsim sweep` and the
 * training window's comparison all do. */
#ifndef ROLLSIM_RUNNER_H
#define ROLLSIM_RUNNER_H

#include <stdio.h>

#include "rollsim/policy.h"
#include "rollsim/sim.h"

typedef struct {
    const char *const *policy_files; /* NULL or n_policy_files == 0: the scenario's own policies */
    int n_policy_files;
    const char *const *params;       /* --param overrides ([POLICY.]NAME=VALUE) */
    int n_params;
    rs_policy_limits limits;         /* zero: the defaults */
    FILE *explain;                   /* NULL: no explain lines */
    const rs_policy_cache *cache;    /* compiled policy files (many runs of the same files), or NULL */
} rs_run_opts;

typedef struct {
    rs_sim *sim;
    rs_policy_set *ps;               /* NULL without policies */
} rs_run;

/* Creates the run and loads its policies (not yet run: call rs_sim_run(out->sim)). The scenario must
 * outlive the run. On failure returns RS_BAD_INPUT/RS_INTERNAL with err set and out zeroed. */
rs_status rs_run_prepare(const rs_scenario *sc, uint64_t seed, const rs_run_opts *o, rs_run *out, rs_error *err);
void rs_run_free(rs_run *run);

#endif
