/* `rollsim run` and `rollsim validate`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runner.h"
#include "rollsim/io.h"
#include "rollsim/k8s.h"
#include "rollsim/policy.h"
#include "rollsim/render.h"
#include "rollsim/sim.h"

#ifndef RS_POLICY_DIR
#define RS_POLICY_DIR "scenarios/policies"
#endif

#define MAX_SETS 64
#define MAX_PARAMS 64

typedef struct {
    const char *files[RS_POLICY_MAX];
    char paths[RS_POLICY_MAX + 1][512];
    int n_files;
    const char *params[MAX_PARAMS];
    char k8s_params[RS_K8S_MAX_PARAMS][160];
    int n_params;
    bool explain;
    rs_policy_limits limits;
} policy_opts;

/* A bundled policy by name ("flagger", "seed-auto-rollback") when no such file exists here: the policies
 * shipped in scenarios/policies/ are found from any directory. */
const char *rs_cli_policy_path(const char *arg, char *buf)
{
    FILE *f = fopen(arg, "r");
    if (f) {
        fclose(f);
        return arg;
    }
    if (strchr(arg, '/'))
        return arg;
    size_t n = strlen(arg);
    snprintf(buf, 512, "%s/%s%s", RS_POLICY_DIR, arg, n > 4 && strcmp(arg + n - 4, ".lua") == 0 ? "" : ".lua");
    f = fopen(buf, "r");
    if (!f)
        return arg; /* the error will name what the user wrote */
    fclose(f);
    return buf;
}

int rs_cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int write_report(const char *path, char *text, const char *what)
{
    if (!text) {
        fprintf(stderr, "rollsim: out of memory writing the %s\n", what);
        return 3;
    }
    rs_error err;
    rs_error_clear(&err);
    rs_status st = rs_write_file_atomic(path, text, strlen(text), &err);
    free(text);
    if (st != RS_OK) {
        fprintf(stderr, "rollsim: %s%s%s\n", err.where, err.where[0] ? ": " : "", err.message);
        return 3;
    }
    return 0;
}

/* Prints a policy error: the message alone when it already names its place. */
static void print_error(const rs_error *err)
{
    if (err->where[0] && strncmp(err->message, err->where, strlen(err->where)) != 0)
        fprintf(stderr, "rollsim: %s: %s\n", err->where, err->message);
    else
        fprintf(stderr, "rollsim: %s\n", err->message);
}

/* Parses the policy options at argv[*i]; returns 1 when consumed, 0 when not a policy option, -1 after
 * printing an error. */
static int parse_policy_option(int argc, char **argv, int *i, policy_opts *o)
{
    const char *a = argv[*i], *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (strcmp(a, "--explain") == 0) {
        o->explain = true;
        return 1;
    }
    if (strcmp(a, "--policy") == 0) {
        if (!val) {
            fprintf(stderr, "rollsim run: --policy takes a Lua file\n");
            return -1;
        }
        if (o->n_files == RS_POLICY_MAX) {
            fprintf(stderr, "rollsim run: at most %d --policy options\n", RS_POLICY_MAX);
            return -1;
        }
        o->files[o->n_files] = rs_cli_policy_path(val, o->paths[o->n_files]);
        o->n_files++;
    } else if (strcmp(a, "--param") == 0) {
        if (!val || !strchr(val, '=') || val[0] == '=') {
            fprintf(stderr, "rollsim run: --param takes [POLICY.]NAME=VALUE, e.g. --param error_rate=3%%\n");
            return -1;
        }
        if (o->n_params == MAX_PARAMS) {
            fprintf(stderr, "rollsim run: at most %d --param options\n", MAX_PARAMS);
            return -1;
        }
        o->params[o->n_params++] = val;
    } else if (strcmp(a, "--policy-instructions") == 0 || strcmp(a, "--policy-memory-mb") == 0) {
        bool memory = strcmp(a, "--policy-memory-mb") == 0;
        uint64_t v;
        if (rs_cli_parse_u64(val, &v) != 0 || v == 0 || (memory && v > 65536)) {
            fprintf(stderr, "rollsim run: %s takes a positive integer%s\n", a, memory ? " (MiB, at most 65536)" : "");
            return -1;
        }
        if (memory)
            o->limits.memory_bytes = (size_t)v << 20;
        else
            o->limits.instructions = v;
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}

static void print_warnings(const rs_diagnostics *w)
{
    for (int i = 0; i < w->count; i++)
        fprintf(stderr, "%s: warning: %s\n", w->items[i].where, w->items[i].message);
}

/* --deployment, then --canary or --rollout: the real objects' settings onto the scenario. The Canary's
 * analysis configures the bundled flagger.lua (loaded unless --policy names policies). */
static int apply_k8s(rs_scenario *sc, rs_diagnostics *errors, const char *dep, const char *can, const char *rol,
                     bool quiet, policy_opts *o)
{
    rs_diagnostics *warn = malloc(sizeof *warn);
    rs_k8s_params *kp = malloc(sizeof *kp);
    if (!warn || !kp) {
        free(warn);
        free(kp);
        return 3;
    }
    int code = 0;
    const char *files[3] = {dep, can, rol};
    for (int k = 0; k < 3 && code == 0; k++) {
        if (!files[k])
            continue;
        memset(kp, 0, sizeof *kp);
        rs_status st = k == 0   ? rs_k8s_apply_deployment(files[k], sc, errors, warn)
                       : k == 1 ? rs_k8s_apply_canary(files[k], sc, kp, errors, warn)
                                : rs_k8s_apply_rollout(files[k], sc, kp, errors, warn);
        if (!quiet)
            print_warnings(warn);
        if (st != RS_OK) {
            rs_diagnostics_print(errors, stderr);
            code = st == RS_BAD_INPUT ? 2 : 3;
            break;
        }
        if (kp->policy[0] && o->n_files == 0 && o->n_files < RS_POLICY_MAX) {
            o->files[o->n_files] = rs_cli_policy_path(kp->policy, o->paths[o->n_files]);
            o->n_files++;
        }
        for (int i = 0; i < kp->n && o->n_params < MAX_PARAMS; i++) {
            snprintf(o->k8s_params[i], sizeof o->k8s_params[i], "%s.%s=%s", kp->policy, kp->name[i], kp->value[i]);
            o->params[o->n_params++] = o->k8s_params[i];
        }
    }
    free(warn);
    free(kp);
    return code;
}

int rs_cmd_run(int argc, char **argv)
{
    policy_opts popts;
    memset(&popts, 0, sizeof popts);
    const char *scenario_path = NULL, *json = NULL, *csv = NULL, *png = NULL, *postmortem = NULL;
    const char *k8s_deployment = NULL, *k8s_canary = NULL, *k8s_rollout = NULL;
    int png_w = 1280, png_h = 720;
    const char *sets[MAX_SETS];
    int n_sets = 0;
    bool quiet = false, have_seed = false;
    uint64_t seed = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int po = parse_policy_option(argc, argv, &i, &popts);
        if (po < 0)
            return 2;
        if (po > 0)
            continue;
        if (strcmp(a, "--seed") == 0) {
            if (rs_cli_parse_u64(val, &seed) != 0) {
                fprintf(stderr, "rollsim run: --seed takes a non-negative integer, got '%s'\n", val ? val : "");
                return 2;
            }
            have_seed = true;
            i++;
        } else if (strcmp(a, "--set") == 0) {
            if (!val || !strchr(val, '=')) {
                fprintf(stderr, "rollsim run: --set takes PATH=VALUE, e.g. --set deployment.replicas=10\n");
                return 2;
            }
            if (n_sets == MAX_SETS) {
                fprintf(stderr, "rollsim run: at most %d --set options\n", MAX_SETS);
                return 2;
            }
            sets[n_sets++] = val;
            i++;
        } else if (strcmp(a, "--json") == 0 || strcmp(a, "--csv") == 0) {
            if (!val) {
                fprintf(stderr, "rollsim run: %s takes a file name ('-' for stdout)\n", a);
                return 2;
            }
            *(a[2] == 'j' ? &json : &csv) = val;
            i++;
        } else if (strcmp(a, "--png") == 0 || strcmp(a, "--deployment") == 0 || strcmp(a, "--canary") == 0 ||
                   strcmp(a, "--rollout") == 0) {
            if (!val) {
                fprintf(stderr, "rollsim run: %s takes a file name\n", a);
                return 2;
            }
            *(a[2] == 'p' ? &png : a[2] == 'd' ? &k8s_deployment : a[2] == 'c' ? &k8s_canary : &k8s_rollout) = val;
            i++;
        } else if (strcmp(a, "--postmortem") == 0) {
            if (!val) {
                fprintf(stderr, "rollsim run: --postmortem takes a file name ('-' for stdout)\n");
                return 2;
            }
            postmortem = val;
            i++;
        } else if (strcmp(a, "--size") == 0) {
            if (!val || rs_render_parse_size(val, &png_w, &png_h) != 0) {
                fprintf(stderr, "rollsim run: --size takes WIDTHxHEIGHT between 640x360 and 7680x4320, e.g. 1920x1080\n");
                return 2;
            }
            i++;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "rollsim run: unknown option '%s' (see rollsim --help)\n", a);
            return 2;
        } else if (!scenario_path) {
            scenario_path = a;
        } else {
            fprintf(stderr, "rollsim run: one scenario at a time ('%s' and '%s')\n", scenario_path, a);
            return 2;
        }
    }

    rs_scenario *sc = malloc(sizeof *sc);
    rs_diagnostics *diag = malloc(sizeof *diag);
    if (!sc || !diag) {
        free(sc);
        free(diag);
        fprintf(stderr, "rollsim: out of memory\n");
        return 3;
    }
    rs_status st = scenario_path
                       ? rs_scenario_load_file(scenario_path, sets, n_sets, sc, diag)
                       : rs_scenario_load_string(rs_default_scenario_json, "<built-in seed-incident>", sets, n_sets,
                                                 sc, diag);
    if (st != RS_OK) {
        rs_diagnostics_print(diag, stderr);
        free(sc);
        free(diag);
        return st == RS_BAD_INPUT ? 2 : 3;
    }
    int kc = apply_k8s(sc, diag, k8s_deployment, k8s_canary, k8s_rollout, quiet, &popts);
    free(diag);
    if (kc != 0) {
        free(sc);
        return kc;
    }
    rs_error err;
    rs_error_clear(&err);
    bool json_stdout = json && strcmp(json, "-") == 0, csv_stdout = csv && strcmp(csv, "-") == 0;
    csv_stdout = csv_stdout || (postmortem && strcmp(postmortem, "-") == 0); /* a report on stdout: no summary */
    rs_run_opts ro = {.policy_files = popts.files, .n_policy_files = popts.n_files, .params = popts.params,
                      .n_params = popts.n_params, .limits = popts.limits,
                      .explain = popts.explain ? (json_stdout || csv_stdout ? stderr : stdout) : NULL};
    rs_run run;
    st = rs_run_prepare(sc, have_seed ? seed : sc->seed, &ro, &run, &err);
    if (st != RS_OK) {
        print_error(&err);
        free(sc);
        return st == RS_BAD_INPUT ? 2 : 3;
    }
    rs_sim *sim = run.sim;
    int code = 0;
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    code = r->outcome.all_passed ? 0 : 1;
    if (!quiet && !json_stdout && !csv_stdout)
        rs_print_summary(r, stdout);
    int wc = 0;
    if (json && (wc = write_report(json, rs_report_json(r), "JSON report")) != 0)
        code = wc;
    if (csv && (wc = write_report(csv, rs_report_csv(r), "CSV series")) != 0)
        code = wc;
    if (postmortem && (wc = write_report(postmortem, rs_report_postmortem(r), "post-mortem")) != 0)
        code = wc;
    if (png) {
        rs_error perr;
        rs_error_clear(&perr);
        if (rs_render_png(r, png, png_w, png_h, &perr) != RS_OK) {
            fprintf(stderr, "rollsim: %s%s%s\n", perr.where, perr.where[0] ? ": " : "", perr.message);
            code = perr.code == RS_BAD_INPUT ? 2 : 3;
        }
    }
    if (r->outcome.error_code != RS_OK) { /* a policy stopped the run */
        char clock[24];
        fprintf(stderr, "rollsim: the run stopped at %s: %s\n", rs_format_clock(r->outcome.end_ms, clock, sizeof clock),
                r->outcome.error);
        if (code != 3)
            code = (int)r->outcome.error_code;
    }
    rs_run_free(&run);
    free(sc);
    return code;
}

int rs_cmd_validate(int argc, char **argv)
{
    if (argc == 0) {
        fprintf(stderr, "usage: rollsim validate FILE...\n");
        return 2;
    }
    rs_scenario *sc = malloc(sizeof *sc);
    rs_diagnostics *diag = malloc(sizeof *diag);
    if (!sc || !diag) {
        free(sc);
        free(diag);
        return 3;
    }
    int code = 0;
    for (int i = 0; i < argc; i++) {
        rs_status st = rs_scenario_load_file(argv[i], NULL, 0, sc, diag);
        if (st == RS_OK) {
            printf("%s: ok (%s: %d versions, %d alert rules, %d timeline actions, %d expectations)\n", argv[i],
                   sc->name, sc->n_versions, sc->n_alerts, sc->n_actions, sc->n_expect);
        } else {
            rs_diagnostics_print(diag, stderr);
            if (code == 0 || st == RS_INTERNAL)
                code = st == RS_BAD_INPUT ? 2 : 3;
        }
    }
    free(sc);
    free(diag);
    return code;
}
