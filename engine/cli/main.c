/* rollsim: rehearse production rollbacks. Dispatches the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef RS_VERSION
#define RS_VERSION "0.0.0"
#endif

static void usage(FILE *f)
{
    fputs("usage: rollsim <command> [options]\n"
          "\n"
          "Rehearse production rollbacks: a deterministic simulation of a Kubernetes deployment going\n"
          "wrong, the alerts it raises, the on-call's moves, and the scores of the outcome.\n"
          "\n"
          "commands:\n"
          "  run [SCENARIO]     play a scenario (default: the built-in seed incident) and score it\n"
          "  validate FILE...   check scenario files and report every problem with its place\n"
          "\n"
          "run options:\n"
          "  --seed N           random seed (default: the scenario's \"seed\")\n"
          "  --set PATH=VALUE   override a scenario field, e.g. --set deployment.replicas=10\n"
          "  --json FILE        write the JSON report (schema rollsim.report/1); '-' for stdout\n"
          "  --csv FILE         write the metric series as CSV; '-' for stdout\n"
          "  --quiet            print nothing but errors\n"
          "  --policy FILE      load a Lua policy (repeatable; default: the scenario's \"policies\");\n"
          "                     an operator policy replaces the scripted on-call (only deploys are kept)\n"
          "  --param [POLICY.]NAME=VALUE\n"
          "                     override a policy parameter, e.g. --param error_rate=3%\n"
          "  --explain          print each policy evaluation (and print()) as it happens\n"
          "  --policy-instructions N   Lua instructions per hook call (default 10000000)\n"
          "  --policy-memory-mb N      memory cap of each policy (default 64)\n"
          "\n"
          "  --help, -h         this help       --version   the version\n"
          "\n"
          "exit codes: 0 ok, 1 an expectation of the scenario failed, 2 bad input, 3 internal error\n"
          "documentation: docs/ (scenario-format.md, report-format.md, scoring.md, model.md, lua-api.md,\n"
          "               policies.md)\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("rollsim %s\n", RS_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return rs_cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "validate") == 0)
        return rs_cmd_validate(argc - 2, argv + 2);
    fprintf(stderr, "rollsim: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
