/* One run of a scenario with its policies, shared by run, test, sweep and train. */
#include "runner.h"

#include <stdio.h>
#include <string.h>

static rs_status load_scenario_policies(rs_policy_set *ps, const rs_scenario *sc, const rs_policy_limits *lim,
                                        rs_error *err)
{
    for (int i = 0; i < sc->n_policies; i++) {
        const rs_policy_ref *ref = &sc->policies[i];
        char texts[RS_MAX_PARAMS][2 * RS_NAME_MAX + 2];
        const char *params[RS_MAX_PARAMS];
        for (int j = 0; j < ref->n_params && j < RS_MAX_PARAMS; j++) {
            snprintf(texts[j], sizeof texts[j], "%s=%s", ref->param_name[j], ref->param_value[j]);
            params[j] = texts[j];
        }
        rs_status st = rs_policy_load(ps, ref->file, ref->role, params, ref->n_params, lim, err);
        if (st != RS_OK)
            return st;
    }
    return RS_OK;
}

rs_status rs_run_prepare(const rs_scenario *sc, uint64_t seed, const rs_run_opts *o, rs_run *out, rs_error *err)
{
    memset(out, 0, sizeof *out);
    out->sim = rs_sim_new(sc, seed, err);
    if (!out->sim)
        return err->code ? err->code : RS_INTERNAL;
    bool own = o && o->n_policy_files > 0;
    if (!own && sc->n_policies == 0) {
        if (o && o->n_params > 0) {
            rs_run_free(out);
            return rs_error_set(err, RS_BAD_INPUT, "--param",
                                "--param needs a policy (--policy FILE, or a scenario with policies)");
        }
        return RS_OK;
    }
    const rs_policy_limits *lim = o ? &o->limits : NULL;
    out->ps = rs_policy_set_new(out->sim, sc, seed, err);
    rs_status st = out->ps ? RS_OK : (err->code ? err->code : RS_INTERNAL);
    if (st == RS_OK && o && o->cache)
        rs_policy_set_use_cache(out->ps, o->cache);
    for (int i = 0; st == RS_OK && own && i < o->n_policy_files; i++)
        st = rs_policy_load(out->ps, o->policy_files[i], NULL, NULL, 0, lim, err);
    if (st == RS_OK && !own)
        st = load_scenario_policies(out->ps, sc, lim, err);
    if (st == RS_OK && o)
        st = rs_policy_set_params(out->ps, o->params, o->n_params, err);
    if (st != RS_OK) {
        rs_run_free(out);
        return st;
    }
    if (o && o->explain)
        rs_policy_set_explain(out->ps, o->explain);
    return RS_OK;
}

void rs_run_free(rs_run *run)
{
    rs_sim_free(run->sim);
    rs_policy_set_free(run->ps);
    memset(run, 0, sizeof *run);
}
