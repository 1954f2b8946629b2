/* What the unit tests share: loading a scenario (the test fails with the loader's own diagnostics when it
 * does not load), playing a shipped one, and running a suite. Header-only: each test is one executable, and static inline
 * functions that a test does not use cost nothing. */
#ifndef ROLLSIM_TEST_UTIL_H
#define ROLLSIM_TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "rollsim/io.h"
#include "rollsim/sim.h"

/* Loads the scenario at `path` into *out, or fails the test after printing why. */
static inline void tu_load(const char *path, const char *const *sets, int n_sets, rs_scenario *out)
{
    rs_diagnostics *d = malloc(sizeof *d);
    ck_assert_ptr_nonnull(d);
    rs_status st = rs_scenario_load_file(path, sets, n_sets, out, d);
    if (st != RS_OK)
        rs_diagnostics_print(d, stderr);
    free(d);
    ck_assert_msg(st == RS_OK, "%s does not load", path);
}

/* The same for a shipped scenario, named by its file in scenarios/ ("seed-incident.json"). */
static inline void tu_load_shipped(const char *file, const char *const *sets, int n_sets, rs_scenario *out)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", RS_SOURCE_DIR, file);
    tu_load(path, sets, n_sets, out);
}

/* A shipped scenario (its file name without .json) played to its end with its own seed, no policies. */
typedef struct {
    rs_scenario sc;
    rs_sim *sim;
} tu_played;

static inline tu_played *tu_play(const char *name)
{
    char file[300];
    snprintf(file, sizeof file, "%s.json", name);
    tu_played *x = calloc(1, sizeof *x);
    ck_assert_ptr_nonnull(x);
    tu_load_shipped(file, NULL, 0, &x->sc);
    x->sim = rs_sim_new(&x->sc, x->sc.seed, NULL);
    ck_assert_ptr_nonnull(x->sim);
    rs_sim_run(x->sim);
    return x;
}

static inline void tu_played_free(tu_played *x)
{
    rs_sim_free(x->sim);
    free(x);
}

/* Runs every test of the suite; the exit status of the test program. */
static inline int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
