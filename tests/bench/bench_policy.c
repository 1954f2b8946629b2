/* rollsim — the cost of one Lua policy hook call.
 *
 * A policy set on the seed incident at T+05:00 (traffic, pods and metric history exist) runs a hook N
 * times through the host exactly as a timer would (rs__policy_invoke: build the arguments, resume the
 * policy's coroutine, return), for two policies:
 *
 *   trivial   on_tick returns at once
 *   metrics   on_tick reads three metrics (error_rate and latency_p95_ms of one version, request_rate)
 *
 * Each repetition prints one line and the run ends with the median:
 *
 *   policy case=<name> rep=<r> calls=<N> seconds=<s> ns_per_call=<ns>
 *   policy case=<name> median_ns_per_call=<ns> calls=<N> reps=<R>
 *
 * Usage: bench_policy [N [R]]   (defaults 200000 7) */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "lua_host_int.h"
#include "rollsim/io.h"
#include "rollsim/policy.h"
#include "rollsim/sim.h"

static const char *const cases[][2] = {
    {"trivial", "return { name = 'trivial', on_tick = function(p) end }\n"},
    {"metrics", "return { name = 'metrics', on_tick = function(p)\n"
                "  local e = metric('error_rate', { version = 'v2.5' })\n"
                "  local l = metric('latency_p95_ms', { version = 'v2.5' })\n"
                "  local r = metric('request_rate')\n"
                "end }\n"},
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Times `calls` on_tick calls of the policy text; returns ns per call, or a negative number on failure. */
static double run_once(const rs_scenario *sc, const char *path, long calls)
{
    rs_error err;
    rs_error_clear(&err);
    rs_sim *sim = rs_sim_new(sc, sc->seed, &err);
    if (!sim)
        return -1;
    rs_sim_run_until(sim, RS_MIN(5));
    rs_policy_set *ps = rs_policy_set_new(sim, sc, sc->seed, &err);
    double ns = -1;
    if (ps && rs_policy_load(ps, path, NULL, NULL, 0, NULL, &err) == RS_OK) {
        for (long i = 0; i < calls / 10; i++) /* warm up */
            rs__policy_invoke(ps, 0, HOOK_TICK);
        double t0 = now_seconds();
        for (long i = 0; i < calls; i++)
            rs__policy_invoke(ps, 0, HOOK_TICK);
        ns = (now_seconds() - t0) * 1e9 / (double)calls;
        if (rs_sim_ended(sim))
            ns = -1; /* the policy failed */
    } else {
        fprintf(stderr, "bench_policy: %s: %s\n", err.where, err.message);
    }
    rs_policy_set_free(ps);
    rs_sim_free(sim);
    return ns;
}

int main(int argc, char **argv)
{
    long calls = argc > 1 ? atol(argv[1]) : 200000, reps = argc > 2 ? atol(argv[2]) : 7;
    if (calls <= 0 || reps <= 0 || reps > 99) {
        fprintf(stderr, "usage: bench_policy [CALLS [REPS]]\n");
        return 2;
    }
    rs_scenario *sc = malloc(sizeof *sc);
    rs_diagnostics *diag = malloc(sizeof *diag);
    if (!sc || !diag || rs_scenario_load_string(rs_default_scenario_json, "<built-in>", NULL, 0, sc, diag) != RS_OK) {
        fprintf(stderr, "bench_policy: cannot load the built-in scenario\n");
        return 1;
    }
    char dir[] = "/tmp/rollsim-bench-policy-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    int code = 0;
    for (size_t c = 0; c < sizeof cases / sizeof *cases && code == 0; c++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s.lua", dir, cases[c][0]);
        FILE *f = fopen(path, "w");
        if (!f)
            return 1;
        fputs(cases[c][1], f);
        fclose(f);
        double ns[100];
        for (long r = 0; r < reps; r++) {
            ns[r] = run_once(sc, path, calls);
            if (ns[r] < 0) {
                code = 1;
                break;
            }
            printf("policy case=%s rep=%ld calls=%ld seconds=%.4f ns_per_call=%.1f\n", cases[c][0], r, calls,
                   ns[r] * (double)calls * 1e-9, ns[r]);
        }
        if (code == 0) {
            qsort(ns, (size_t)reps, sizeof *ns, cmp_double);
            printf("policy case=%s median_ns_per_call=%.1f calls=%ld reps=%ld\n", cases[c][0], ns[reps / 2], calls,
                   reps);
        }
        remove(path);
    }
    rmdir(dir);
    free(sc);
    free(diag);
    return code;
}
