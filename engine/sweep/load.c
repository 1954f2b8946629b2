/* Loading a sweep: the file decoded (sweep_file.c), then resolved against the base scenario (with "set"
 * and "duration"), whose first deploy is the release, and against the policy, whose parameters are tried
 * value by value on a prepared run; the hash of every file that decides the runs; the grid's points. */
#include "sweep_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

#ifndef RS_POLICY_DIR
#define RS_POLICY_DIR "scenarios/policies"
#endif

/* The first deploy of the timeline is the release; it must happen at a fixed time. */
static void find_release(rs_sweep *sw, rs_diagnostics *diag)
{
    const rs_scenario *sc = sw->base;
    for (int i = 0; i < sc->n_actions; i++) {
        const rs_scripted_action *a = &sc->actions[i];
        if (a->kind != RS_ACT_DEPLOY)
            continue;
        sw->release = rs_scenario_version_index(sc, a->version);
        if (a->anchor != RS_ANCHOR_START)
            rs_diagnostics_add(diag, RS_BAD_INPUT, sw->scenario_path,
                               "the release (the first deploy of the timeline) must happen at a fixed time (\"at\")");
        else if (sw->release < 0 || sw->release == sc->initial_version)
            rs_diagnostics_add(diag, RS_BAD_INPUT, sw->scenario_path,
                               "the first deploy of the timeline must bring a version other than the one running");
        sw->deploy_at = a->delay;
        return;
    }
    rs_diagnostics_add(diag, RS_BAD_INPUT, sw->scenario_path,
                       "the base scenario has no deploy in its timeline: the sweep needs a release to judge");
}

static void check_fit(rs_sweep *sw, rs_diagnostics *diag)
{
    const rs_scenario *sc = sw->base;
    if (sc->n_env_faults + 2 > RS_MAX_ENV_FAULTS)
        rs_diagnostics_add(diag, RS_BAD_INPUT, sw->scenario_path,
                           "the base scenario has %d environment faults; the noise needs 2 of the %d places",
                           sc->n_env_faults, RS_MAX_ENV_FAULTS);
    for (int i = 0; i < sw->n_mix; i++)
        if (sw->mix[i].fault == RS_FAULT_DATA_CORRUPTION && sc->n_biz_metrics == 0)
            rs_diagnostics_add(diag, RS_BAD_INPUT, sw->file,
                               "mix item %d (data_corruption) needs a business metric in the scenario (add one "
                               "with \"set\": {\"business_metrics\": [...]})", i);
}

/* "flagger" is a bundled policy; anything with a '/' or ending in ".lua" is a path from the sweep file. */
static void resolve_policy(rs_sweep *sw, const char *dir)
{
    const char *p = sw->policy_path;
    if (!p[0])
        return;
    char out[RS_SWEEP_PATH_MAX];
    size_t n = strlen(p);
    if (!strchr(p, '/') && !(n > 4 && strcmp(p + n - 4, ".lua") == 0)) {
        if (snprintf(out, sizeof out, "%s/%s.lua", RS_POLICY_DIR, p) >= (int)sizeof out)
            out[0] = '\0';
    } else
        rs__sweep_join(out, sizeof out, dir, p);
    snprintf(sw->policy_path, sizeof sw->policy_path, "%s", out);
}

/* The hash covers what decides the runs: the rollsim version (its model), the sweep file, the base
 * scenario and the policy files. */
static int hash_files(rs_sweep *sw)
{
    uint64_t h = rs__sweep_fnv(RS_SWEEP_FNV_INIT, "rollsim-sweep/1", 16);
    h = rs__sweep_fnv(h, RS_VERSION, sizeof RS_VERSION);
    h = rs__sweep_fnv(h, sw->text, strlen(sw->text) + 1);
    const char *files[1 + RS_MAX_POLICIES];
    int n = 0;
    files[n++] = sw->scenario_path;
    if (sw->policy_path[0])
        files[n++] = sw->policy_path;
    else
        for (int i = 0; i < sw->base->n_policies; i++)
            files[n++] = sw->base->policies[i].file;
    for (int i = 0; i < n; i++) {
        char *t;
        size_t len;
        if (rs__sweep_read_file(files[i], &t, &len) != 0)
            return -1;
        h = rs__sweep_fnv(h, t, len + 1);
        free(t);
    }
    sw->hash = h;
    return 0;
}

/* The policy files, compiled once for all the runs. */
static void compile_policies(rs_sweep *sw, rs_diagnostics *diag)
{
    sw->cache = rs_policy_cache_new();
    if (!sw->cache) {
        rs_diagnostics_add(diag, RS_INTERNAL, "", "out of memory");
        return;
    }
    rs_error err;
    rs_error_clear(&err);
    if (sw->policy_path[0]) {
        if (rs_policy_cache_add(sw->cache, sw->policy_path, &err) != RS_OK)
            rs_diagnostics_add(diag, err.code, err.where, "%s", err.message);
        return;
    }
    for (int i = 0; i < sw->base->n_policies; i++)
        if (rs_policy_cache_add(sw->cache, sw->base->policies[i].file, &err) != RS_OK) {
            rs_diagnostics_add(diag, err.code, err.where, "%s", err.message);
            return;
        }
}

/* Every value of every parameter, the others at their first value, on a prepared run of release 0: the
 * policy loads, knows the names and takes the values. */
static void check_params(rs_sweep *sw, rs_diagnostics *diag)
{
    rs_scenario *sc = malloc(sizeof *sc);
    if (!sc) {
        rs_diagnostics_add(diag, RS_INTERNAL, "", "out of memory");
        return;
    }
    memcpy(sc, sw->base, sizeof *sc);
    rs_sweep_release rel;
    rs_sweep_draw(sw, 0, &rel);
    rs_sweep_apply(sw, &rel, sc);
    const char *files[1] = {sw->policy_path};
    for (int i = 0; i < sw->n_params && diag->count == 0; i++)
        for (int j = 0; j < sw->params[i].n_values && diag->count == 0; j++) {
            char texts[RS_SWEEP_MAX_PARAMS][RS_NAME_MAX + RS_SWEEP_VALUE_MAX + 2];
            const char *params[RS_SWEEP_MAX_PARAMS];
            for (int k = 0; k < sw->n_params; k++) {
                snprintf(texts[k], sizeof texts[k], "%s=%s", sw->params[k].name, sw->params[k].values[k == i ? j : 0]);
                params[k] = texts[k];
            }
            rs_run_opts o = {.policy_files = files, .n_policy_files = sw->policy_path[0] ? 1 : 0,
                             .params = params, .n_params = sw->n_params, .cache = sw->cache};
            rs_run run;
            rs_error err;
            rs_error_clear(&err);
            if (rs_run_prepare(sc, rel.seed, &o, &run, &err) != RS_OK)
                rs_diagnostics_add(diag, err.code, err.where, "%s (parameter %s)", err.message, texts[i]);
            else
                rs_run_free(&run);
        }
    free(sc);
}

static rs_status parse_text(const char *path, rs_sweep *sw, cJSON **root, rs_diagnostics *diag)
{
    size_t len;
    if (rs__sweep_read_file(path, &sw->text, &len) != 0) {
        rs_diagnostics_add(diag, errno == ENOMEM ? RS_INTERNAL : RS_BAD_INPUT, "", "cannot read %s: %s", path,
                           strerror(errno));
        return diag->items[diag->count - 1].code;
    }
    const char *end = NULL;
    *root = cJSON_ParseWithLengthOpts(sw->text, len + 1, &end, true); /* + 1: the NUL it requires */
    if (!*root) {
        int line = 1, col = 1;
        for (const char *p = sw->text; end && p < end && *p; p++, col++)
            if (*p == '\n')
                line++, col = 0;
        char where[RS_SWEEP_PATH_MAX + 32];
        snprintf(where, sizeof where, "%s:%d:%d", path, line, col);
        rs_diagnostics_add(diag, RS_BAD_INPUT, where, "invalid JSON here (rollsim validate explains JSON syntax "
                                                      "errors in words; the rules are the same)");
        return RS_BAD_INPUT;
    }
    return RS_OK;
}

rs_status rs_sweep_load(const char *path, rs_sweep *sw, rs_diagnostics *diag)
{
    memset(sw, 0, sizeof *sw);
    memset(diag, 0, sizeof *diag);
    snprintf(sw->file, sizeof sw->file, "%s", path);
    cJSON *root = NULL;
    rs_status st = parse_text(path, sw, &root, diag);
    if (st != RS_OK)
        return st;
    st = rs__sweep_decode(root, path, sw, diag);
    cJSON_Delete(root);
    if (st != RS_OK)
        return st;
    char dir[RS_SWEEP_PATH_MAX], rel[RS_SWEEP_PATH_MAX];
    rs__sweep_dirname(path, dir, sizeof dir);
    snprintf(rel, sizeof rel, "%s", sw->scenario_path);
    rs__sweep_join(sw->scenario_path, sizeof sw->scenario_path, dir, rel);
    resolve_policy(sw, dir);
    sw->base = malloc(sizeof *sw->base);
    rs_diagnostics *sd = malloc(sizeof *sd);
    if (!sw->base || !sd) {
        free(sd);
        rs_diagnostics_add(diag, RS_INTERNAL, "", "out of memory");
        return RS_INTERNAL;
    }
    const char *sets[RS_SWEEP_MAX_SETS];
    for (int i = 0; i < sw->n_sets; i++)
        sets[i] = sw->sets[i];
    st = rs_scenario_load_file(sw->scenario_path, sets, sw->n_sets, sw->base, sd);
    if (st != RS_OK) {
        *diag = *sd;
        free(sd);
        return st;
    }
    free(sd);
    if (sw->duration > 0)
        sw->base->duration = sw->duration;
    find_release(sw, diag);
    check_fit(sw, diag);
    if (diag->count == 0 && hash_files(sw) != 0)
        rs_diagnostics_add(diag, RS_BAD_INPUT, "", "cannot read the policy %s: %s", sw->policy_path, strerror(errno));
    if (diag->count == 0)
        compile_policies(sw, diag);
    if (diag->count == 0)
        check_params(sw, diag);
    if (diag->count == 0)
        return RS_OK;
    for (int i = 0; i < diag->count; i++)
        if (diag->items[i].code == RS_INTERNAL)
            return RS_INTERNAL;
    return RS_BAD_INPUT;
}

void rs_sweep_fini(rs_sweep *sw)
{
    free(sw->text);
    free(sw->base);
    rs_policy_cache_free(sw->cache);
    sw->text = NULL;
    sw->base = NULL;
    sw->cache = NULL;
}

int rs_sweep_point_value(const rs_sweep *sw, int point, int param)
{
    for (int i = sw->n_params - 1; i > param; i--)
        point /= sw->params[i].n_values;
    return point % sw->params[param].n_values;
}

void rs_sweep_point_label(const rs_sweep *sw, int point, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < sw->n_params && n < size; i++) {
        const rs_sweep_param *p = &sw->params[i];
        int w = snprintf(buf + n, size - n, "%s%s=%s", i ? " " : "", p->name, p->values[rs_sweep_point_value(sw, point, i)]);
        if (w < 0)
            break;
        n += (size_t)w;
    }
}
