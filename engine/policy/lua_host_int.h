/* The Lua policy host, private to engine/policy: one sandboxed lua_State per policy, its hooks run as
 * coroutines, the queue of invocations that wait while a hook is suspended. lua_host.c schedules and runs
 * hooks; lua_sandbox.c builds the restricted state and enforces the limits; lua_api.c is the API a
 * policy calls (reads, actions, explain). All state lives in the set and the policies: no globals. */
#ifndef ROLLSIM_LUA_HOST_INT_H
#define ROLLSIM_LUA_HOST_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <lauxlib.h>
#include <lua.h>

#include "rollsim/host.h"
#include "rollsim/policy.h"
#include "rollsim/result.h"
#include "rollsim/rng.h"

enum { HOOK_START, HOOK_TICK, HOOK_ALERT, HOOK_PAGE, HOOK_EVENT, HOOK_COUNT };

/* Instructions between two calls of the count hook: the budget is enforced to within this many. */
#define RS_POLICY_BUDGET_STEP 1000

/* Simulated time an operator spends on a read (docs/lua-api.md, "Operator costs"). */
#define RS_OPERATOR_COST_LOGS RS_SEC(45)
#define RS_OPERATOR_COST_HISTORY RS_SEC(15)
#define RS_OPERATOR_COST_PODS RS_SEC(10)

/* One pending call of a hook, with what it needs to build its argument. */
typedef struct {
    int hook;
    rs_timeline_entry e;        /* the entry that caused it (alert, page, event hooks) */
    char alert[RS_NAME_MAX];    /* on_alert / on_page: the rule's name, "" if not found */
    char severity[16];
    double value;               /* on_alert: the rule's last value, NaN = no data */
} invocation;

/* lua_pool.c: the small blocks of a policy's Lua state */
#define RS_POOL_MAX 256   /* larger blocks use malloc */
#define RS_POOL_SLABS 64  /* of 64 KiB: beyond 4 MiB of small blocks, malloc serves them too */
typedef struct {
    void *free[RS_POOL_MAX / 16]; /* a free list per 16-byte size class */
    char *bump, *end;             /* the newest slab's unused part */
    int n_slabs;
    void *slabs[RS_POOL_SLABS];
} rs_pool;
/* Lua's allocator contract (lua_Alloc) without the limits: nsize 0 frees; may return NULL only when
 * growing or allocating. */
void *rs__pool_realloc(rs_pool *pool, void *ptr, size_t osize, size_t nsize);
/* Returns every slab; call after lua_close. */
void rs__pool_free_all(rs_pool *pool);

typedef struct policy {
    struct rs_policy_set *set;
    int index;                  /* in the set */
    lua_State *L;               /* main state; the running coroutine is anchored at L's stack index 1 */
    char file[RS_TEXT_MAX];
    char name[RS_NAME_MAX];
    bool is_operator;
    bool drives_canary;         /* the engine leaves the canary's weight to the policy */
    rs_time interval;           /* on_tick period */
    int ref_p;                  /* registry refs: the params table p, its defaults, each hook */
    int ref_defaults;
    int ref_hook[HOOK_COUNT];   /* LUA_NOREF when the policy has no such hook */
    uint64_t event_mask;        /* bit k: on_event receives timeline entries of kind k (`events`) */
    int ref_thread;             /* a finished coroutine kept for reuse, LUA_NOREF if none */
    /* limits */
    size_t mem, mem_cap;        /* bytes held by L, and the cap */
    rs_pool pool;               /* where L's small blocks live */
    bool mem_refused;           /* the allocator refused a block during this invocation */
    uint64_t budget, used;      /* instructions per invocation, and used by the current one */
    char fatal[512];            /* budget or memory exceeded: the message; no pcall may catch it */
    /* the running invocation */
    lua_State *co;              /* NULL when idle */
    const char *hook_name;      /* "on_tick", or "load" while the file runs */
    bool waiting;               /* suspended in wait() or an operator's read */
    uint64_t wake_serial;       /* the wake-up timer that is current */
    uint64_t tick_serial;       /* the tick timer chain that is current (next_tick starts a new one) */
    rs_time last_call;          /* simulated time of the last invocation started */
    int same_instant;           /* invocations started at last_call before this one */
    invocation *queue;          /* ring of invocations waiting for the current one */
    size_t q_head, q_len, q_cap;
    rs_rng rng;                 /* math.random */
    lua_Integer next_id;        /* tostring ids of tables, functions, coroutines */
} policy;

struct rs_policy_set {
    rs_sim *sim;
    const rs_scenario *sc;
    uint64_t seed;
    int host_id;
    FILE *explain;
    bool failed;                /* a policy stopped the run: no more hooks */
    rs_time start_at;           /* simulated time the set was created */
    int n;
    policy *p[RS_POLICY_MAX];
    void *buf;                  /* scratch for reads (pods, history, logs) */
    size_t buf_size;
    const rs_policy_cache *cache; /* compiled files, or NULL */
};

/* Host timers: the token says which policy and what for; a wake-up carries the serial of its wait. */
enum { RS_TIMER_START, RS_TIMER_TICK, RS_TIMER_WAKE };

static inline uint64_t rs__policy_token(int index, int kind, uint64_t serial)
{
    return ((uint64_t)index << 56) | ((uint64_t)kind << 48) | (serial & 0xffffffffffffu);
}

static inline policy *rs__policy_of(lua_State *L) { return *(policy **)lua_getextraspace(L); }

/* lua_cache.c */
#define RS_POLICY_CACHE_MAX 16
typedef struct {
    const char *code;
    size_t len;
} rs_policy_code;
/* Whether `path` is in cache c (may be NULL); its bytecode in *out when out is not NULL. */
bool rs__policy_cached(const rs_policy_cache *c, const char *path, rs_policy_code *out);

/* lua_host.c: the text of a policy file (at most 1 MiB), to free; NULL with err set. */
char *rs__policy_read_file(const char *path, size_t *len, rs_error *err);

/* lua_sandbox.c */
void *rs__policy_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
void rs__policy_count_hook(lua_State *L, lua_Debug *ar);
/* Opens the allowed libraries and installs the sandbox (a lua_CFunction: call it protected). */
int rs__policy_open_sandbox(lua_State *L);
/* "T+05:30 name: " prefix lines of the explain console. */
void rs__policy_console(policy *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Formats "memory cap of 64 MiB exceeded" into buf. */
void rs__policy_mem_message(const policy *p, const char *where, char *buf, size_t size);
/* Pushes tostring(v) without memory addresses (docs/lua-api.md, Determinism). */
const char *rs__policy_tostring(lua_State *L, int idx, size_t *len);

/* lua_api.c: registers the reads, actions and explain as globals. */
void rs__policy_open_api(lua_State *L);
/* Parses a duration argument: a string ("5m", "1.5" = seconds) or a number of ms. Raises on error. */
rs_time rs__policy_check_duration(lua_State *L, int idx, const char *what);
/* Suspends the running hook until now + d (wait() and the operator's reads). */
int rs__policy_sleep(lua_State *L, rs_time d, lua_KFunction k, const char *what);

/* lua_host.c: calls f(ud) protected on p's main state, with nargs_below arguments already pushed under
 * ud; on failure fills msg (the error, with its place) and returns the status. */
int rs__policy_protect(policy *p, lua_CFunction f, void *ud, int nargs_below, char *msg, size_t size);

/* lua_params.c: applies "NAME=VALUE" overrides to p's params (an unknown NAME is an error). */
rs_status rs__policy_apply_params(policy *p, const char *const *params, int n, rs_error *err);
/* Writes " (did you mean 'x'?); known: a, b, c" into buf. */
void rs__policy_describe_known(const char *given, char (*names)[RS_NAME_MAX], int n, char *buf, size_t size);

/* lua_host.c: starts a hook invocation now (or queues it while the policy is busy); for benchmarks. */
void rs__policy_invoke(rs_policy_set *ps, int i, int hook);

#endif
