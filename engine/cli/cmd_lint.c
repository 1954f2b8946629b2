/* `rollsim lint FILE...`: rollback readiness of scenarios and Deployments (docs/lint.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rollsim/io.h"
#include "rollsim/lint.h"

int rs_cmd_lint(int argc, char **argv)
{
    bool quiet = false;
    int files = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "rollsim lint: unknown option '%s' (usage: rollsim lint [--quiet] FILE...)\n", argv[i]);
            return 2;
        } else {
            files++;
        }
    }
    if (files == 0) {
        fprintf(stderr, "usage: rollsim lint [--quiet] FILE...  (a scenario, or `kubectl get deployment NAME -o json`)\n");
        return 2;
    }
    rs_lint_report *rep = malloc(sizeof *rep);
    rs_diagnostics *diag = malloc(sizeof *diag);
    if (!rep || !diag) {
        free(rep);
        free(diag);
        fprintf(stderr, "rollsim: out of memory\n");
        return 3;
    }
    int code = 0;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            continue;
        rs_status st = rs_lint_file(argv[i], rep, diag);
        if (st != RS_OK) {
            rs_diagnostics_print(diag, stderr);
            int c = st == RS_BAD_INPUT ? 2 : 3;
            code = c > code ? c : code;
            continue;
        }
        if (!quiet)
            rs_lint_print(rep, stdout);
        printf("%s: %s: %d error%s, %d warning%s, %d info\n", argv[i], rep->kind, rep->errors,
               rep->errors == 1 ? "" : "s", rep->warnings, rep->warnings == 1 ? "" : "s", rep->infos);
        if (rep->errors > 0 && code == 0)
            code = 1;
    }
    free(rep);
    free(diag);
    return code;
}
