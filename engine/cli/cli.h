/* The rollsim command line: one function per subcommand; each returns the process exit code
 * (0 ok, 1 an expectation failed, 2 bad input, 3 internal error). */
#ifndef ROLLSIM_CLI_H
#define ROLLSIM_CLI_H

#include <stdint.h>

int rs_cmd_run(int argc, char **argv);
int rs_cmd_validate(int argc, char **argv);
int rs_cmd_sweep(int argc, char **argv);
int rs_cmd_merge(int argc, char **argv);
int rs_cmd_lint(int argc, char **argv);
int rs_cmd_test(int argc, char **argv);
int rs_cmd_train(int argc, char **argv);
int rs_cmd_replay(int argc, char **argv);
/* A policy file, or a bundled policy by name ("flagger") found in scenarios/policies from any directory.
 * buf holds 512 bytes. */
const char *rs_cli_policy_path(const char *arg, char *buf);
/* A whole number 0 .. 2^64-1 written in decimal, nothing else: 0, or -1 for anything else. */
int rs_cli_parse_u64(const char *s, uint64_t *out);

#endif
