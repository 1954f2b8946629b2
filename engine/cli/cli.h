/* The rollsim command line: one function per subcommand; each returns the process exit code
 * (0 ok, 1 an expectation failed, 2 bad input, 3 internal error). */
#ifndef ROLLSIM_CLI_H
#define ROLLSIM_CLI_H

int rs_cmd_run(int argc, char **argv);
int rs_cmd_validate(int argc, char **argv);

#endif
