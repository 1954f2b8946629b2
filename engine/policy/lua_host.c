/* The Lua policy host (docs/lua-api.md): loads policy files into their own sandboxed states and runs
 * their hooks as coroutines on the run's host timers and timeline, one invocation at a time per policy.
 * Any error of a policy stops the run with a message that names the file, the line and the hook. */
#include "lua_host_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES (1u << 20)
#define MAX_QUEUED 10000
#define MAX_CALLS_PER_INSTANT 10000 /* hook calls of one policy at one simulated time: a feedback loop */
#define RS_STR_(x) #x
#define RS_STR(x) RS_STR_(x)
#define MIN_INTERVAL RS_MS(100)


static const char *const hook_names[HOOK_COUNT] = {"on_start", "on_tick", "on_alert", "on_page", "on_event"};
static const char *const load_name = "the file's top level";


static int panic(lua_State *L)
{
    const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
    fprintf(stderr, "rollsim: internal error: unprotected Lua error in the policy host: %s\n", m);
    abort();
}

/* ---- messages ---- */

/* buf = a + b, cut to size (a message may be cut). */
static void join(char *buf, size_t size, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la >= size)
        la = size - 1;
    if (lb >= size - la)
        lb = size - la - 1;
    memcpy(buf, a, la);
    memcpy(buf + la, b, lb);
    buf[la + lb] = '\0';
}

/* The place of the innermost Lua function on L's stack from `level` up: "file:line: " or "". */
static void where_in(lua_State *L, int level, char *buf, size_t size)
{
    lua_Debug ar;
    buf[0] = '\0';
    for (; lua_getstack(L, level, &ar); level++)
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(buf, size, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
}

/* True when the message starts with "something:LINE:", as Lua's positioned errors do. */
static bool has_place(const char *m)
{
    const char *c = strchr(m, ':');
    if (!c || c == m || !isdigit((unsigned char)c[1]))
        return false;
    c++;
    while (isdigit((unsigned char)*c))
        c++;
    return *c == ':';
}

/* The error object on top of L as text, without calling metamethods or allocating. */
static void error_text(lua_State *L, char *buf, size_t size)
{
    if (lua_type(L, -1) == LUA_TSTRING)
        snprintf(buf, size, "%s", lua_tostring(L, -1));
    else if (lua_type(L, -1) == LUA_TNUMBER)
        snprintf(buf, size, "%.14g", (double)lua_tonumber(L, -1));
    else
        snprintf(buf, size, "(error object is a %s value)", luaL_typename(L, -1));
}

/* The message of a failed call or resume on L (status st): the fatal limit message if any. */
static void failure_message(policy *p, lua_State *L, int st, char *buf, size_t size)
{
    char where[RS_TEXT_MAX + 16], text[768];
    where_in(L, 0, where, sizeof where);
    if (p->fatal[0])
        snprintf(buf, size, "%s", p->fatal);
    else if (st == LUA_ERRMEM)
        rs__policy_mem_message(p, where[0] ? where : "", buf, size);
    else {
        error_text(L, text, sizeof text);
        join(buf, size, has_place(text) ? "" : where, text);
    }
}

static void stop_run(policy *p, const char *msg)
{
    p->set->failed = true;
    rs__policy_console(p, "error: %s", msg);
    rs_sim_fail(p->set->sim, RS_BAD_INPUT, msg);
}

/* Stops the run with msg and the policy, hook and time it happened in. */
static void fail_hook(policy *p, const char *msg)
{
    char full[900], clock[24];
    snprintf(full, sizeof full, "%s (policy %s, %s at %s)", msg, p->name, p->hook_name ? p->hook_name : "hook",
             rs_format_clock(rs_sim_now(p->set->sim), clock, sizeof clock));
    stop_run(p, full);
}

static void hook_failed(policy *p, lua_State *L, int st)
{
    char msg[700];
    failure_message(p, L, st, msg, sizeof msg);
    fail_hook(p, msg);
}

/* ---- protected calls on the main state ---- */

int rs__policy_protect(policy *p, lua_CFunction f, void *ud, int nargs_below, char *msg, size_t size)
{
    lua_State *L = p->L;
    lua_pushcfunction(L, f);
    lua_insert(L, -1 - nargs_below);
    lua_pushlightuserdata(L, ud);
    int st = lua_pcall(L, nargs_below + 1, 0, 0);
    if (st != LUA_OK) {
        failure_message(p, L, st, msg, size);
        lua_pop(L, 1);
    }
    return st;
}

/* ---- running hooks ---- */

typedef struct {
    policy *p;
    const invocation *inv;
    int nargs;
} prep_arg;

static void push_entry_fields(lua_State *L, const rs_timeline_entry *e)
{
    lua_pushinteger(L, (lua_Integer)e->t_ms);
    lua_setfield(L, -2, "t");
    lua_pushstring(L, e->detail);
    lua_setfield(L, -2, "detail");
}

static const char *alert_state(rs_event_kind k)
{
    return k == RS_EV_ALERT_PENDING ? "pending" : k == RS_EV_ALERT_FIRING ? "firing" : "resolved";
}

/* Pushes the hook and its arguments onto the policy's coroutine. */
static int prepare_p(lua_State *L)
{
    prep_arg *a = lua_touserdata(L, 2);
    policy *p = a->p;
    const invocation *inv = a->inv;
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->ref_hook[inv->hook]);
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->ref_p);
    a->nargs = 1;
    if (inv->hook == HOOK_ALERT) {
        lua_createtable(L, 0, 5);
        lua_pushstring(L, inv->alert);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, alert_state(inv->e.kind));
        lua_setfield(L, -2, "state");
        lua_pushstring(L, inv->severity);
        lua_setfield(L, -2, "severity");
        if (!isnan(inv->value)) {
            lua_pushnumber(L, (lua_Number)inv->value);
            lua_setfield(L, -2, "value");
        }
        lua_pushinteger(L, (lua_Integer)inv->e.t_ms);
        lua_setfield(L, -2, "t");
        a->nargs = 2;
    } else if (inv->hook == HOOK_PAGE || inv->hook == HOOK_EVENT) {
        lua_createtable(L, 0, 3);
        push_entry_fields(L, &inv->e);
        lua_pushstring(L, inv->hook == HOOK_PAGE ? inv->alert : rs_event_kind_name(inv->e.kind));
        lua_setfield(L, -2, inv->hook == HOOK_PAGE ? "alert" : "kind");
        a->nargs = 2;
    }
    lua_State *co = lua_tothread(L, 1);
    if (!lua_checkstack(co, a->nargs + 1))
        return luaL_error(L, "stack overflow");
    lua_xmove(L, co, a->nargs + 1);
    return 0;
}

static void resume(policy *p, int nargs)
{
    lua_State *co = p->co;
    int nres = 0;
    p->waiting = false;
    int st = lua_resume(co, p->L, nargs, &nres);
    if (st == LUA_OK || st == LUA_YIELD) {
        lua_pop(co, nres);
        if (st == LUA_OK) {
            p->co = NULL;
            p->hook_name = NULL;
        } else if (!p->waiting) {
            char msg[RS_TEXT_MAX + 200];
            where_in(co, 0, msg, sizeof msg);
            size_t n = strlen(msg);
            snprintf(msg + n, sizeof msg - n, "a hook may not yield (coroutine.yield); use wait(d) to pause it");
            fail_hook(p, msg);
        }
        return;
    }
    hook_failed(p, co, st);
}

static void run_new(policy *p, const invocation *inv)
{
    rs_time now = rs_sim_now(p->set->sim);
    bool from_timeline = inv->hook == HOOK_ALERT || inv->hook == HOOK_PAGE || inv->hook == HOOK_EVENT;
    p->same_instant = now == p->last_call ? p->same_instant + from_timeline : 0;
    p->last_call = now;
    if (p->same_instant >= MAX_CALLS_PER_INSTANT) {
        p->hook_name = hook_names[inv->hook];
        fail_hook(p, "more than " RS_STR(MAX_CALLS_PER_INSTANT) " hook calls without simulated time passing "
                     "(does on_event act on every event, its own included?)");
        return;
    }
    p->used = 0;
    p->mem_refused = false;
    p->hook_name = hook_names[inv->hook];
    prep_arg a = {p, inv, 0};
    lua_State *L = p->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->ref_thread);
    lua_State *co = lua_tothread(L, -1);
    char msg[700];
    if (rs__policy_protect(p, prepare_p, &a, 1, msg, sizeof msg) != LUA_OK) {
        lua_settop(co, 0);
        fail_hook(p, msg);
        return;
    }
    p->co = co;
    resume(p, a.nargs);
}

static bool enqueue(policy *p, const invocation *inv)
{
    if (p->q_len == p->q_cap) {
        if (p->q_cap >= MAX_QUEUED)
            return false;
        size_t cap = p->q_cap ? p->q_cap * 2 : 16;
        invocation *q = malloc(cap * sizeof *q);
        if (!q)
            return false;
        for (size_t i = 0; i < p->q_len; i++)
            q[i] = p->queue[(p->q_head + i) % p->q_cap];
        free(p->queue);
        p->queue = q;
        p->q_head = 0;
        p->q_cap = cap;
    }
    p->queue[(p->q_head + p->q_len) % p->q_cap] = *inv;
    p->q_len++;
    return true;
}

static void drain(policy *p)
{
    while (!p->co && p->q_len > 0 && !p->set->failed) {
        invocation inv = p->queue[p->q_head];
        p->q_head = (p->q_head + 1) % p->q_cap;
        p->q_len--;
        run_new(p, &inv);
    }
}

/* Runs an invocation now, or queues it while the policy is busy (a tick is skipped instead). */
static void start(policy *p, const invocation *inv)
{
    if (p->set->failed || p->ref_hook[inv->hook] == LUA_NOREF)
        return;
    if (p->co) {
        if (inv->hook != HOOK_TICK && !enqueue(p, inv))
            stop_run(p, "too many hook invocations queued behind a suspended hook (does a hook wait forever?)");
        return;
    }
    run_new(p, inv);
    drain(p);
}

void rs__policy_invoke(rs_policy_set *ps, int i, int hook)
{
    invocation inv;
    memset(&inv, 0, sizeof inv);
    inv.hook = hook;
    inv.value = NAN;
    start(ps->p[i], &inv);
}

/* ---- host callbacks ---- */

static void on_timer(void *ctx, rs_sim *sim, uint64_t tok)
{
    rs_policy_set *ps = ctx;
    int i = (int)(tok >> 56), kind = (int)((tok >> 48) & 0xff);
    if (ps->failed || i >= ps->n)
        return;
    policy *p = ps->p[i];
    if (kind == RS_TIMER_START) {
        rs__policy_invoke(ps, i, HOOK_START);
    } else if (kind == RS_TIMER_TICK) {
        if (tok != rs__policy_token(i, RS_TIMER_TICK, p->tick_serial))
            return; /* a chain that next_tick() replaced */
        rs_sim_host_timer(sim, ps->host_id, rs_sim_now(sim) + p->interval,
                          rs__policy_token(i, RS_TIMER_TICK, p->tick_serial));
        rs__policy_invoke(ps, i, HOOK_TICK);
    } else if (kind == RS_TIMER_WAKE && p->co && p->waiting && tok == rs__policy_token(i, RS_TIMER_WAKE, p->wake_serial)) {
        resume(p, 0);
        drain(p);
    }
}

/* The alert rule a timeline entry is about: its name, severity and last value. */
static void find_alert(rs_policy_set *ps, const rs_timeline_entry *e, invocation *inv)
{
    rs_alert_info info[RS_MAX_ALERTS];
    int n = rs_sim_alerts(ps->sim, info, RS_MAX_ALERTS);
    const char *s = e->detail;
    if (e->kind == RS_EV_PAGE) {
        const char *q = strstr(s, "paged: ");
        s = q ? q + 7 : s;
    }
    size_t best = 0;
    for (int i = 0; i < n && i < RS_MAX_ALERTS; i++) {
        size_t len = strlen(info[i].name);
        if (len > best && strncmp(s, info[i].name, len) == 0 && s[len] == ' ') {
            best = len;
            snprintf(inv->alert, sizeof inv->alert, "%s", info[i].name);
            snprintf(inv->severity, sizeof inv->severity, "%s", info[i].severity ? info[i].severity : "");
            inv->value = info[i].value;
        }
    }
}

static void on_timeline(void *ctx, rs_sim *sim, const rs_timeline_entry *e)
{
    (void)sim;
    rs_policy_set *ps = ctx;
    invocation inv;
    memset(&inv, 0, sizeof inv);
    inv.e = *e;
    inv.value = NAN;
    bool alert = e->kind == RS_EV_ALERT_PENDING || e->kind == RS_EV_ALERT_FIRING || e->kind == RS_EV_ALERT_RESOLVED;
    if (alert || e->kind == RS_EV_PAGE)
        find_alert(ps, e, &inv);
    for (int i = 0; i < ps->n && !ps->failed; i++) {
        if (alert || e->kind == RS_EV_PAGE) {
            inv.hook = alert ? HOOK_ALERT : HOOK_PAGE;
            start(ps->p[i], &inv);
        }
        if (ps->p[i]->event_mask >> e->kind & 1) {
            inv.hook = HOOK_EVENT;
            start(ps->p[i], &inv);
        }
    }
}

/* ---- the set ---- */

rs_policy_set *rs_policy_set_new(rs_sim *sim, const rs_scenario *sc, uint64_t seed, rs_error *err)
{
    rs_policy_set *ps = calloc(1, sizeof *ps);
    if (!ps) {
        rs_error_set(err, RS_INTERNAL, "", "out of memory");
        return NULL;
    }
    ps->sim = sim;
    ps->sc = sc;
    ps->seed = seed;
    ps->start_at = rs_sim_now(sim);
    rs_host h = {.ctx = ps, .on_timer = on_timer, .on_timeline = on_timeline};
    ps->host_id = rs_sim_add_host(sim, &h);
    if (ps->host_id < 0) {
        free(ps);
        rs_error_set(err, RS_INTERNAL, "", "the run has no room for another host (at most %d)", RS_MAX_HOSTS);
        return NULL;
    }
    return ps;
}

static void policy_free(policy *p)
{
    if (!p)
        return;
    if (p->L)
        lua_close(p->L);
    rs__pool_free_all(&p->pool);
    free(p->queue);
    free(p);
}

void rs_policy_set_free(rs_policy_set *ps)
{
    if (!ps)
        return;
    for (int i = 0; i < ps->n; i++)
        policy_free(ps->p[i]);
    free(ps->buf);
    free(ps);
}

void rs_policy_set_explain(rs_policy_set *ps, FILE *f) { ps->explain = f; }

void rs_policy_set_use_cache(rs_policy_set *ps, const rs_policy_cache *c) { ps->cache = c; }

int rs_policy_set_count(const rs_policy_set *ps) { return ps ? ps->n : 0; }

const char *rs_policy_name(const rs_policy_set *ps, int i) { return i >= 0 && i < ps->n ? ps->p[i]->name : NULL; }

/* ---- loading ---- */

static int open_p(lua_State *L)
{
    rs__policy_open_sandbox(L);
    rs__policy_open_api(L);
    lua_newthread(L); /* the coroutine every hook runs in, reused after each invocation */
    policy *p = lua_touserdata(L, 1);
    p->ref_thread = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

static bool valid_name(const char *s, size_t len)
{
    if (len == 0 || len >= RS_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return false;
    return true;
}

static void read_name_kind(lua_State *L, policy *p, const char *role)
{
    if (lua_getfield(L, 1, "name") != LUA_TNIL) {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        if (lua_type(L, -1) != LUA_TSTRING || !valid_name(s, len))
            luaL_error(L, "%s: name must be a string of letters, digits, '-' and '_' (1 to %d of them)", p->file,
                       RS_NAME_MAX - 1);
        snprintf(p->name, sizeof p->name, "%s", s);
    }
    const char *kind = "controller";
    if (lua_getfield(L, 1, "kind") != LUA_TNIL) {
        kind = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        if (strcmp(kind, "controller") != 0 && strcmp(kind, "operator") != 0)
            luaL_error(L, "%s: kind must be \"controller\" or \"operator\"", p->file);
    }
    if (role && *role)
        kind = role;
    p->is_operator = strcmp(kind, "operator") == 0;
    p->interval = RS_SEC(30);
    if (lua_getfield(L, 1, "interval") != LUA_TNIL) {
        rs_time d = 0;
        bool ok = false;
        if (lua_type(L, -1) == LUA_TNUMBER) {
            lua_Number n = lua_tonumber(L, -1);
            ok = n >= 0 && n < 9.0e15;
            d = ok ? (rs_time)n : 0;
        } else if (lua_type(L, -1) == LUA_TSTRING) {
            ok = rs_parse_duration(lua_tostring(L, -1), &d) == 0;
        }
        if (!ok || d < MIN_INTERVAL)
            luaL_error(L, "%s: interval must be a duration of at least 100ms (\"30s\", or a number of ms)", p->file);
        p->interval = d;
    }
    p->drives_canary = lua_getfield(L, 1, "drives_canary") != LUA_TNIL && lua_toboolean(L, -1);
    lua_settop(L, 2);
}

/* Copies params into a fresh table p, after checking the defaults' types. */
static void read_params(lua_State *L, policy *p)
{
    int t = lua_getfield(L, 1, "params");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        lua_newtable(L);
    } else if (t != LUA_TTABLE) {
        luaL_error(L, "%s: params must be a table of defaults", p->file);
    }
    int defaults = lua_gettop(L);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, defaults)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: params keys must be names", p->file);
        int vt = lua_type(L, -1);
        if (vt != LUA_TNUMBER && vt != LUA_TSTRING && vt != LUA_TBOOLEAN)
            luaL_error(L, "%s: params.%s must default to a number, a string or a boolean, not a %s", p->file,
                       lua_tostring(L, -2), luaL_typename(L, -1));
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, defaults + 1);
    }
    p->ref_p = luaL_ref(L, LUA_REGISTRYINDEX);
    p->ref_defaults = luaL_ref(L, LUA_REGISTRYINDEX);
}

static void read_hooks(lua_State *L, policy *p)
{
    for (int h = 0; h < HOOK_COUNT; h++) {
        int t = lua_getfield(L, 1, hook_names[h]);
        if (t != LUA_TNIL && t != LUA_TFUNCTION)
            luaL_error(L, "%s: %s must be a function", p->file, hook_names[h]);
        p->ref_hook[h] = t == LUA_TNIL ? (lua_pop(L, 1), LUA_NOREF) : luaL_ref(L, LUA_REGISTRYINDEX);
    }
    /* a key "on_..." that is no hook is a typo: report the first in byte order, with the likely hook */
    const char *bad = NULL;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        bool hook = false;
        for (int h = 0; h < HOOK_COUNT; h++)
            hook |= strcmp(k, hook_names[h]) == 0;
        if (strncmp(k, "on_", 3) == 0 && !hook && (!bad || strcmp(k, bad) < 0))
            bad = k;
    }
    if (bad) {
        char known[300], names[HOOK_COUNT][RS_NAME_MAX];
        for (int h = 0; h < HOOK_COUNT; h++)
            snprintf(names[h], RS_NAME_MAX, "%s", hook_names[h]);
        rs__policy_describe_known(bad, names, HOOK_COUNT, known, sizeof known);
        luaL_error(L, "%s: '%s' is not a hook%s", p->file, bad, known);
    }
}

/* `events`: the timeline kinds on_event receives (default: every kind). */
static void read_events(lua_State *L, policy *p)
{
    _Static_assert(RS_EV_KIND_COUNT <= 64, "event_mask has 64 bits");
    p->event_mask = ~(uint64_t)0;
    int t = lua_getfield(L, 1, "events");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TTABLE)
        luaL_error(L, "%s: events must be a list of timeline kinds, e.g. { \"deploy_start\", \"rollback_start\" }",
                   p->file);
    if (p->ref_hook[HOOK_EVENT] == LUA_NOREF)
        luaL_error(L, "%s: events lists what on_event receives, but the policy has no on_event", p->file);
    p->event_mask = 0;
    lua_Integer n = luaL_len(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, -1, i);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int kind = -1;
        for (int j = 0; k && j < RS_EV_KIND_COUNT && kind < 0; j++)
            if (strcmp(k, rs_event_kind_name((rs_event_kind)j)) == 0)
                kind = j;
        if (kind < 0) {
            char known[1200], names[RS_EV_KIND_COUNT][RS_NAME_MAX];
            for (int j = 0; j < RS_EV_KIND_COUNT; j++)
                snprintf(names[j], RS_NAME_MAX, "%s", rs_event_kind_name((rs_event_kind)j));
            rs__policy_describe_known(k ? k : "", names, RS_EV_KIND_COUNT, known, sizeof known);
            luaL_error(L, "%s: events[%d] is not a timeline kind%s", p->file, (int)i, known);
        }
        p->event_mask |= (uint64_t)1 << kind;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

typedef struct {
    policy *p;
    const char *role;
} table_arg;

/* Reads the table the file returned (at index 1). */
static int table_p(lua_State *L)
{
    table_arg *a = lua_touserdata(L, 2);
    if (!lua_istable(L, 1))
        return luaL_error(L, "%s: a policy file must return a table (got %s)", a->p->file, luaL_typename(L, 1));
    lua_settop(L, 2);
    read_name_kind(L, a->p, a->role);
    read_params(L, a->p);
    read_hooks(L, a->p);
    read_events(L, a->p);
    return 0;
}

char *rs__policy_read_file(const char *path, size_t *len, rs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        rs_error_set(err, RS_BAD_INPUT, path, "cannot open the policy file");
        return NULL;
    }
    char *buf = malloc(MAX_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE_BYTES + 1, f) : 0;
    bool bad = ferror(f) != 0;
    fclose(f);
    if (!buf || bad || n > MAX_FILE_BYTES) {
        free(buf);
        rs_error_set(err, !buf ? RS_INTERNAL : RS_BAD_INPUT, path,
                     !buf ? "out of memory" : bad ? "cannot read the policy file" : "policy file larger than 1 MiB");
        return NULL;
    }
    *len = n;
    return buf;
}

static void base_name(const char *path, char *out, size_t size)
{
    const char *s = strrchr(path, '/');
    s = s ? s + 1 : path;
    size_t len = strlen(s);
    if (len > 4 && strcmp(s + len - 4, ".lua") == 0)
        len -= 4;
    snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), s);
}

static policy *policy_new(rs_policy_set *ps, const char *path, const rs_policy_limits *lim)
{
    policy *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->set = ps;
    p->index = ps->n;
    snprintf(p->file, sizeof p->file, "%s", path);
    base_name(path, p->name, sizeof p->name);
    p->budget = lim && lim->instructions ? lim->instructions : RS_POLICY_DEFAULT_INSTRUCTIONS;
    p->mem_cap = lim && lim->memory_bytes ? lim->memory_bytes : RS_POLICY_DEFAULT_MEMORY;
    p->ref_p = p->ref_defaults = p->ref_thread = LUA_NOREF;
    p->last_call = -1;
    for (int h = 0; h < HOOK_COUNT; h++)
        p->ref_hook[h] = LUA_NOREF;
    rs_rng_seed(&p->rng, ps->seed, RS_STREAM_POLICY + ((uint64_t)p->index << 32));
    p->L = lua_newstate(rs__policy_alloc, p);
    if (p->L) {
        *(policy **)lua_getextraspace(p->L) = p;
        lua_atpanic(p->L, panic);
        /* before any coroutine exists: new threads inherit the hook */
        lua_sethook(p->L, rs__policy_count_hook, LUA_MASKCOUNT, RS_POLICY_BUDGET_STEP);
    }
    return p;
}

/* Runs the file and reads its table. Returns RS_OK or fills err. */
static rs_status load_file(policy *p, const char *text, size_t len, bool binary, const char *role, rs_error *err)
{
    lua_State *L = p->L;
    char msg[700], chunk[RS_TEXT_MAX + 2];
    if (rs__policy_protect(p, open_p, p, 0, msg, sizeof msg) != LUA_OK)
        return rs_error_set(err, RS_INTERNAL, p->file, "cannot set up the sandbox: %s", msg);
    snprintf(chunk, sizeof chunk, "@%s", p->file);
    p->hook_name = load_name;
    p->used = 0;
    int st = luaL_loadbufferx(L, text, len, chunk, binary ? "b" : "t"); /* "b": only rs_policy_cache's */
    if (st == LUA_OK)
        st = lua_pcall(L, 0, 1, 0);
    if (st != LUA_OK) {
        failure_message(p, L, st, msg, sizeof msg);
        return rs_error_set(err, RS_BAD_INPUT, has_place(msg) ? "" : p->file, "%s", msg);
    }
    table_arg a = {p, role};
    st = rs__policy_protect(p, table_p, &a, 1, msg, sizeof msg);
    p->hook_name = NULL;
    if (st != LUA_OK)
        return rs_error_set(err, RS_BAD_INPUT, "", "%s", msg);
    return RS_OK;
}

rs_status rs_policy_load(rs_policy_set *ps, const char *path, const char *role, const char *const *params,
                         int n_params, const rs_policy_limits *lim, rs_error *err)
{
    if (ps->n == RS_POLICY_MAX)
        return rs_error_set(err, RS_BAD_INPUT, path, "at most %d policies in one run", RS_POLICY_MAX);
    if (role && *role && strcmp(role, "controller") != 0 && strcmp(role, "operator") != 0)
        return rs_error_set(err, RS_BAD_INPUT, path, "role must be \"controller\" or \"operator\", got '%s'", role);
    rs_policy_code code;
    bool cached = rs__policy_cached(ps->cache, path, &code);
    size_t len = cached ? code.len : 0;
    char *text = cached ? NULL : rs__policy_read_file(path, &len, err);
    if (!cached && !text)
        return err ? err->code : RS_BAD_INPUT;
    policy *p = policy_new(ps, path, lim);
    rs_status st = RS_OK;
    if (!p || !p->L)
        st = rs_error_set(err, p ? RS_BAD_INPUT : RS_INTERNAL, path,
                          p ? "cannot create a Lua state (memory cap too small?)" : "out of memory");
    if (st == RS_OK)
        st = load_file(p, cached ? code.code : text, len, cached, role, err);
    free(text);
    if (st == RS_OK)
        st = rs__policy_apply_params(p, params, n_params, err);
    if (st != RS_OK) {
        policy_free(p);
        return st;
    }
    ps->p[ps->n++] = p;
    rs_time now = rs_sim_now(ps->sim);
    if (p->is_operator)
        rs_sim_skip_scripted_operator(ps->sim);
    if (p->drives_canary)
        rs_sim_canary_manual(ps->sim, true);
    if (p->ref_hook[HOOK_START] != LUA_NOREF)
        rs_sim_host_timer(ps->sim, ps->host_id, now, rs__policy_token(p->index, RS_TIMER_START, 0));
    if (p->ref_hook[HOOK_TICK] != LUA_NOREF)
        rs_sim_host_timer(ps->sim, ps->host_id, now + p->interval,
                          rs__policy_token(p->index, RS_TIMER_TICK, p->tick_serial));
    return RS_OK;
}
