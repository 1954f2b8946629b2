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
          "  lint FILE...       rollback readiness of a scenario or a Deployment (kubectl get deployment -o json);\n"
          "                     exit 1 when a finding is an error (docs/lint.md)\n"
          "  test [PATH...]     run every scenario under the paths (default: scenarios) with its test\n"
          "                     seeds and variants, and check its expectations (CI regression tests)\n"
          "  train [SCENARIO | --random]\n"
          "                     be the on-call in a window: a drill in compressed time, scored and\n"
          "                     recorded (docs/training.md)\n"
          "  replay SESSION     replay a recorded drill: the same result, headless or --window\n"
          "  sweep SWEEP.json   a policy's settings over a grid and many releases: false rollbacks\n"
          "                     against time to detect, the Pareto front (docs/sweeps.md)\n"
          "  merge OUT IN...    combine the outputs of sweep shards into the unsharded result\n"
          "\n"
          "run options:\n"
          "  --seed N           random seed (default: the scenario's \"seed\")\n"
          "  --set PATH=VALUE   override a scenario field, e.g. --set deployment.replicas=10\n"
          "  --json FILE        write the JSON report (schema rollsim.report/1); '-' for stdout\n"
          "  --csv FILE         write the metric series as CSV; '-' for stdout\n"
          "  --postmortem FILE  write the blameless post-incident report (Markdown); '-' for stdout\n"
          "  --png FILE         draw the incident timeline (PNG, no display needed); --size WxH (1280x720)\n"
          "  --deployment FILE  take replicas, strategy, probe, limits from kubectl get deployment -o json\n"
          "  --canary FILE      take the analysis of a Flagger Canary (configures flagger.lua)\n"
          "  --rollout FILE     take the strategy of an Argo Rollout (docs/kubernetes-import.md)\n"
          "  --quiet            print nothing but errors\n"
          "  --policy FILE      load a Lua policy (repeatable; default: the scenario's \"policies\");\n"
          "                     an operator policy replaces the scripted on-call (only deploys are kept)\n"
          "  --param [POLICY.]NAME=VALUE\n"
          "                     override a policy parameter, e.g. --param error_rate=3%\n"
          "  --explain          print each policy evaluation (and print()) as it happens\n"
          "  --policy-instructions N   Lua instructions per hook call (default 10000000)\n"
          "  --policy-memory-mb N      memory cap of each policy (default 64)\n"
          "\n",
          f);
    fputs("test options:\n"
          "  --jobs N, -j N     parallel runs (default: the number of processors)\n"
          "  --junit FILE       write the results as JUnit XML (GitLab, Jenkins, GitHub test reports)\n"
          "  --golden DIR       compare each run's JSON report with DIR/<scenario>[.<variant>].<seed>.json\n"
          "  --update-golden    rewrite the golden reports instead (review them with git diff)\n"
          "  --set PATH=VALUE   override a field of every scenario, as with run\n"
          "\n"
          "train and replay options:\n"
          "  --seed N, --set PATH=VALUE   as with run (train)\n"
          "  --random           draw a shipped scenario and a seed; the fault stays hidden until the debrief\n"
          "  --record FILE      the session file (default rollsim-session-<seed>.json)\n"
          "  --window           replay in the window (replay; default headless)\n"
          "  --json FILE, --png FILE, --postmortem FILE   reports of the drill's result\n"
          "  --size WxH, --speed N, --accelerated, --out DIR  window size, initial speed (default 10),\n"
          "                     SDL's GPU renderer, where the debrief saves its PNG and report\n"
          "\n"
          "sweep and merge options:\n"
          "  --out DIR          output folder (default sweep-<name>): runs.jsonl, points.csv, points.jsonl\n"
          "  --jobs N, -j N     threads (default: the number of processors)\n"
          "  --shard I/N        run only the runs whose number % N == I; merge the N outputs afterwards\n"
          "  --resume           keep the runs of an interrupted sweep in DIR and run the others\n"
          "  --seeds N          releases per setting (default: the file's \"seeds\")\n"
          "  --png FILE         draw the trade-off (with --size WxH); also --quiet, --fsync N, --allow-missing\n"
          "\n"
          "  --help, -h         this help       --version   the version\n"
          "\n"
          "exit codes: 0 ok, 1 an expectation of the scenario failed, 2 bad input, 3 internal error\n"
          "documentation: docs/ (scenario-format.md, report-format.md, scoring.md, model.md, lua-api.md,\n"
          "               policies.md, testing.md)\n",
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
    if (strcmp(cmd, "lint") == 0)
        return rs_cmd_lint(argc - 2, argv + 2);
    if (strcmp(cmd, "test") == 0)
        return rs_cmd_test(argc - 2, argv + 2);
    if (strcmp(cmd, "train") == 0)
        return rs_cmd_train(argc - 2, argv + 2);
    if (strcmp(cmd, "replay") == 0)
        return rs_cmd_replay(argc - 2, argv + 2);
    if (strcmp(cmd, "sweep") == 0)
        return rs_cmd_sweep(argc - 2, argv + 2);
    if (strcmp(cmd, "merge") == 0)
        return rs_cmd_merge(argc - 2, argv + 2);
    fprintf(stderr, "rollsim: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
