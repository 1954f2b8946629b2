/* rollsim — regression tests of scenarios and their policies (`rollsim test`, docs/testing.md): which files
 * are scenarios, golden reports compared figure by figure, and JUnit XML for CI test reporters. These
 * functions keep no state: the CLI calls them from one thread while runs go on in others. No cJSON type
 * appears in this header. */
#ifndef ROLLSIM_TESTING_H
#define ROLLSIM_TESTING_H

#include <stddef.h>

#include "rollsim/common.h"

/* ---- finding scenarios (test_files.c) ---- */

typedef struct {
    char *path;
    const char *not_scenario; /* NULL for a scenario; else what the file is ("a sweep", ...) */
} rs_test_file;

typedef struct {
    int count;
    rs_test_file *files;
} rs_test_files;

/* What a JSON text holds, told by its top-level keys: NULL for a scenario, "a sweep" (a "sweep" key),
 * "a rollsim report" ("schema"), "a Kubernetes object" ("apiVersion"), "not a JSON object". Text that is
 * not valid JSON is taken for a scenario, so that the loader reports its problems with their place. */
const char *rs_json_role(const char *text, size_t len);

/* The files to test under each path, in order: a file named is kept whatever it holds (with
 * not_scenario set when it is not a scenario); a folder is walked recursively, names in byte order,
 * skipping hidden entries and folders named "policies" or "sweeps", keeping the *.json files that are
 * scenarios. Returns RS_OK, RS_BAD_INPUT (a path that cannot be read) or RS_INTERNAL, with err set.
 * Caller owns the list; free with rs_test_files_free() (also after a failure). */
rs_status rs_test_collect(const char *const *paths, int n, rs_test_files *out, rs_error *err);
void rs_test_files_free(rs_test_files *files);

/* ---- golden reports (golden.c) ---- */

/* Compares a JSON report with its golden copy value by value. Returns 0 when equal; 1 when they differ,
 * with the first difference in buf ("scores.failed_requests: golden 13437, now 13512 (and 41 more
 * differences)"); -1 when a text is not JSON (buf says which). */
int rs_golden_diff(const char *golden, const char *now, char *buf, size_t size);

/* ---- JUnit XML (junit.c) ---- */

typedef enum { RS_CASE_PASSED, RS_CASE_FAILED, RS_CASE_ERROR, RS_CASE_SKIPPED } rs_case_status;

typedef struct {
    const char *suite;     /* the <testsuite> it belongs to: the scenario file */
    const char *classname; /* GitLab shows it as the suite */
    const char *name;      /* "seed-incident [seed 7, policy runbook]": unique within the classname */
    rs_case_status status;
    const char *type;      /* of the failure or error: "expectation", "golden", "bad input", ... */
    const char *message;   /* one line: the first failure, the error, or why it was skipped */
    const char *details;   /* the <failure>/<error> text: every failure and the policy trace; may be NULL */
    double seconds;        /* the case's wall time */
} rs_junit_case;

/* JUnit XML as GitLab, Jenkins and GitHub reporters read it: <testsuites> > one <testsuite> per suite, in
 * order of first appearance > <testcase> with <failure>, <error> or <skipped>. Every text is escaped
 * and made valid UTF-8. Caller owns the result; free with free(). NULL when out of memory. */
char *rs_junit_xml(const rs_junit_case *cases, int n);

#endif
