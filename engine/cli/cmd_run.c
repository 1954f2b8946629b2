/* `rollsim run` and `rollsim validate`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rollsim/io.h"
#include "rollsim/sim.h"

#define MAX_SETS 64

static int parse_u64(const char *s, uint64_t *out)
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

int rs_cmd_run(int argc, char **argv)
{
    const char *scenario_path = NULL, *json = NULL, *csv = NULL;
    const char *sets[MAX_SETS];
    int n_sets = 0;
    bool quiet = false, have_seed = false;
    uint64_t seed = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--seed") == 0) {
            if (parse_u64(val, &seed) != 0) {
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
    free(diag);
    rs_error err;
    rs_error_clear(&err);
    rs_sim *sim = rs_sim_new(sc, have_seed ? seed : sc->seed, &err);
    if (!sim) {
        fprintf(stderr, "%s%s%s: error: %s\n", scenario_path ? scenario_path : "<built-in>", err.where[0] ? ": " : "",
                err.where, err.message);
        free(sc);
        return err.code == RS_BAD_INPUT ? 2 : 3;
    }
    rs_sim_run(sim);
    const rs_result *r = rs_sim_result(sim);
    int code = r->outcome.all_passed ? 0 : 1;
    bool json_stdout = json && strcmp(json, "-") == 0, csv_stdout = csv && strcmp(csv, "-") == 0;
    if (!quiet && !json_stdout && !csv_stdout)
        rs_print_summary(r, stdout);
    int wc = 0;
    if (json && (wc = write_report(json, rs_report_json(r), "JSON report")) != 0)
        code = wc;
    if (csv && (wc = write_report(csv, rs_report_csv(r), "CSV series")) != 0)
        code = wc;
    rs_sim_free(sim);
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
