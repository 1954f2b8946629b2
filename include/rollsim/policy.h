/* rollsim — Lua policies in a run (docs/lua-api.md): a policy set loads Lua 5.4 files into sandboxed
 * states and takes part in the run as one host (host.h). The engine core knows nothing of Lua; this layer
 * (engine/policy) depends on the core only. No Lua type appears in this header. */
#ifndef ROLLSIM_POLICY_H
#define ROLLSIM_POLICY_H

#include <stdint.h>
#include <stdio.h>

#include "rollsim/common.h"
#include "rollsim/scenario.h"
#include "rollsim/sim.h"

#define RS_POLICY_MAX 8 /* policies in one set */

#define RS_POLICY_DEFAULT_INSTRUCTIONS 10000000u
#define RS_POLICY_DEFAULT_MEMORY ((size_t)64 << 20)

typedef struct {
    uint64_t instructions; /* Lua VM instructions per hook invocation (across its resumes); 0 = default */
    size_t memory_bytes;   /* cap of one policy's Lua state; 0 = default */
} rs_policy_limits;

typedef struct rs_policy_set rs_policy_set;

/* Creates an empty set attached to `sim` as a host. `sc` must be the scenario the run was created from and
 * `seed` its seed (math.random draws from the policy stream of that seed); both must outlive the set.
 * Create it before the run starts: on_start runs at the simulated time of the first load. Caller owns the
 * result; free with rs_policy_set_free() after the run. Returns NULL with err set when the run has no room
 * for another host or memory is short. */
rs_policy_set *rs_policy_set_new(rs_sim *sim, const rs_scenario *sc, uint64_t seed, rs_error *err);
void rs_policy_set_free(rs_policy_set *ps);

/* Loads a policy file. `role` ("controller", "operator", or NULL/"" for the file's own `kind`) overrides
 * the file's kind. `params` are "NAME=VALUE" overrides converted to the type of each default; an unknown
 * NAME is an error. `lim` may be NULL for the defaults. Loading an operator makes the run skip the
 * scenario's scripted actions other than deploy. Returns RS_OK, or RS_BAD_INPUT (err.where = the file,
 * err.message with the line) / RS_INTERNAL. */
rs_status rs_policy_load(rs_policy_set *ps, const char *path, const char *role, const char *const *params,
                         int n_params, const rs_policy_limits *lim, rs_error *err);

/* Applies command-line overrides to the loaded policies: "NAME=VALUE" to every policy that declares NAME,
 * "POLICY.NAME=VALUE" to the policy named POLICY. An override no policy declares is an error (RS_BAD_INPUT,
 * naming the known parameters). Call after the loads, before the run. */
rs_status rs_policy_set_params(rs_policy_set *ps, const char *const *params, int n_params, rs_error *err);

/* Prints every explain() and print() of the policies as one line each on f (NULL: nothing, the default).
 * What the run does never depends on it. */
void rs_policy_set_explain(rs_policy_set *ps, FILE *f);

/* Compiled policy files, for many runs of the same files (a sweep): each file is parsed once instead of
 * at every load. Fill it with rs_policy_cache_add() before sharing it; afterwards it is only read, so
 * runs on several threads may share one cache. A file that does not compile is not kept (its loads
 * report the error as without a cache); at most 16 files are kept, others are read at each load. */
typedef struct rs_policy_cache rs_policy_cache;
rs_policy_cache *rs_policy_cache_new(void); /* NULL when memory is short */
/* Reads and compiles `path`. Returns RS_OK, or RS_BAD_INPUT (unreadable) / RS_INTERNAL with err set. */
rs_status rs_policy_cache_add(rs_policy_cache *c, const char *path, rs_error *err);
void rs_policy_cache_free(rs_policy_cache *c);
/* Later loads into this set take the files the cache holds from it (the same path as given to
 * rs_policy_cache_add()). The cache must outlive the loads. */
void rs_policy_set_use_cache(rs_policy_set *ps, const rs_policy_cache *c);

/* The number of loaded policies. */
int rs_policy_set_count(const rs_policy_set *ps);
/* The name of policy i (0 <= i < count), as policies call themselves in decisions and traces. */
const char *rs_policy_name(const rs_policy_set *ps, int i);

#endif
