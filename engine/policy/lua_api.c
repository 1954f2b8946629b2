/* The globals a policy calls (docs/lua-api.md): reads of the run, the action API, wait() and explain().
 * Every function checks its arguments with luaL_check* before it touches the run, because a Lua error
 * jumps over C frames; a refused action returns false and a message instead of raising. */
#include "lua_host_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static rs_sim *sim_of(lua_State *L) { return rs__policy_of(L)->set->sim; }
static const rs_scenario *sc_of(lua_State *L) { return rs__policy_of(L)->set->sc; }

static void push_number_or_nil(lua_State *L, double v)
{
    if (isnan(v))
        lua_pushnil(L);
    else
        lua_pushnumber(L, (lua_Number)v);
}

static void set_string(lua_State *L, const char *key, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, key);
}

static void set_integer(lua_State *L, const char *key, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

static void set_number(lua_State *L, const char *key, double v)
{
    push_number_or_nil(L, v);
    lua_setfield(L, -2, key);
}

static void set_bool(lua_State *L, const char *key, bool v)
{
    lua_pushboolean(L, v);
    lua_setfield(L, -2, key);
}

/* Raises unless the policy is inside a hook (actions, wait and explain are not for load time). */
static policy *in_hook(lua_State *L, const char *what)
{
    policy *p = rs__policy_of(L);
    if (!p->co)
        luaL_error(L, "%s can only be called inside a hook (not while the file loads)", what);
    return p;
}

/* Scratch memory of the set, grown as needed; owned by the set, so a Lua error cannot leak it. */
static void *scratch(lua_State *L, size_t size)
{
    rs_policy_set *ps = rs__policy_of(L)->set;
    if (ps->buf_size < size) {
        void *b = realloc(ps->buf, size);
        if (!b)
            luaL_error(L, "out of memory");
        ps->buf = b;
        ps->buf_size = size;
    }
    return ps->buf;
}

/* The version named by the string at idx (nil: -1 = all). Raises for an unknown name. */
static int check_version(lua_State *L, int idx)
{
    if (lua_isnoneornil(L, idx))
        return -1;
    const char *name = luaL_checkstring(L, idx);
    const rs_scenario *sc = sc_of(L);
    int v = rs_scenario_version_index(sc, name);
    if (v >= 0)
        return v;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 0; i < sc->n_versions; i++) {
        luaL_addstring(&b, i ? ", " : "");
        luaL_addstring(&b, sc->versions[i].name);
    }
    luaL_pushresult(&b);
    return luaL_error(L, "unknown version '%s' (versions: %s)", name, lua_tostring(L, -1));
}

static const char *version_name_of(const rs_scenario *sc, int v)
{
    return v >= 0 && v < sc->n_versions ? sc->versions[v].name : "";
}

/* opts.key of an optional options table at idx, pushed (nil when absent). */
static int opt_field(lua_State *L, int idx, const char *key)
{
    if (lua_isnoneornil(L, idx)) {
        lua_pushnil(L);
        return LUA_TNIL;
    }
    luaL_checktype(L, idx, LUA_TTABLE);
    return lua_getfield(L, idx, key);
}

/* ---- time ---- */

rs_time rs__policy_check_duration(lua_State *L, int idx, const char *what)
{
    rs_time d;
    if (lua_type(L, idx) == LUA_TNUMBER) {
        lua_Number n = lua_tonumber(L, idx);
        if (!(n >= 0 && n < 9.0e15))
            luaL_error(L, "%s: bad duration %f (milliseconds, >= 0)", what, (double)n);
        return (rs_time)llround(n);
    }
    const char *s = luaL_checkstring(L, idx);
    if (rs_parse_duration(s, &d) != 0)
        luaL_error(L, "%s: bad duration '%s' (e.g. \"250ms\", \"30s\", \"5m\", \"1h\" or a number of ms)", what, s);
    return d;
}

static int l_now(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)rs_sim_now(sim_of(L)));
    return 1;
}

static int l_duration(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)rs__policy_check_duration(L, 1, "duration"));
    return 1;
}

int rs__policy_sleep(lua_State *L, rs_time d, lua_KFunction k, const char *what)
{
    policy *p = in_hook(L, what);
    if (L != p->co)
        return luaL_error(L, "%s must be called from the hook itself, not inside a coroutine it created", what);
    rs_policy_set *ps = p->set;
    p->waiting = true;
    p->wake_serial++;
    rs_sim_host_timer(ps->sim, ps->host_id, rs_sim_now(ps->sim) + d,
                      rs__policy_token(p->index, RS_TIMER_WAKE, p->wake_serial));
    return lua_yieldk(L, 0, 0, k);
}

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    return l_now(L);
}

static int l_wait(lua_State *L)
{
    rs_time d = rs__policy_check_duration(L, 1, "wait");
    return rs__policy_sleep(L, d, wait_k, "wait()");
}

/* next_tick(d): the next on_tick comes d from now (then every `interval` again), so a policy whose work
 * falls at known times need not tick in between. */
static int l_next_tick(lua_State *L)
{
    policy *p = rs__policy_of(L);
    rs_time d = rs__policy_check_duration(L, 1, "next_tick");
    if (d < 0)
        return luaL_error(L, "next_tick: the delay must not be negative");
    p->tick_serial++;
    rs_sim_host_timer(p->set->sim, p->set->host_id, rs_sim_now(p->set->sim) + d,
                      rs__policy_token(p->index, RS_TIMER_TICK, p->tick_serial));
    return 0;
}

/* An operator pays `cost` of simulated time before the read `k` runs; a controller reads at once. */
static int pay(lua_State *L, rs_time cost, lua_KFunction k, const char *what)
{
    policy *p = rs__policy_of(L);
    if (!p->is_operator)
        return k(L, LUA_OK, 0);
    if (!p->co)
        return luaL_error(L, "%s costs an operator time and can only be called inside a hook", what);
    return rs__policy_sleep(L, cost, k, what);
}

/* ---- metrics ---- */

static const char *const plain_metrics[] = {"error_rate",   "success_rate", "latency_p50_ms", "latency_p95_ms",
                                            "latency_p99_ms", "request_rate", "cpu",           "memory",
                                            "restarts",     "ready_pods"};

static int unknown_metric(lua_State *L, const char *name)
{
    const rs_scenario *sc = sc_of(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < sizeof plain_metrics / sizeof *plain_metrics; i++) {
        luaL_addstring(&b, i ? ", " : "");
        luaL_addstring(&b, plain_metrics[i]);
    }
    for (int i = 0; i < sc->n_biz_metrics; i++) {
        luaL_addstring(&b, ", ");
        luaL_addstring(&b, sc->biz_metrics[i].name);
    }
    luaL_pushresult(&b);
    return luaL_error(L, "metric: unknown metric '%s' (metrics: %s)", name, lua_tostring(L, -1));
}

static int l_metric(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    opt_field(L, 2, "version");
    int version = check_version(L, -1);
    rs_time window = RS_MIN(1);
    if (opt_field(L, 2, "window") != LUA_TNIL)
        window = rs__policy_check_duration(L, -1, "metric window");
    if (window <= 0)
        return luaL_error(L, "metric: the window must be positive");
    const rs_scenario *sc = sc_of(L);
    const char *biz = strncmp(name, "business:", 9) == 0 ? name + 9 : name;
    int kind = -1, index = 0;
    bool success = strcmp(name, "success_rate") == 0;
    if (success)
        kind = RS_METRIC_ERROR_RATE;
    else if (strcmp(name, "business") != 0)
        kind = rs_metric_kind_from_name(name);
    if (kind < 0)
        for (int i = 0; i < sc->n_biz_metrics; i++)
            if (strcmp(sc->biz_metrics[i].name, biz) == 0) {
                kind = RS_METRIC_BUSINESS;
                index = i;
            }
    if (kind < 0)
        return unknown_metric(L, name);
    double v = rs_sim_query(sim_of(L), (rs_metric_kind)kind, index, version, window);
    push_number_or_nil(L, success && !isnan(v) ? 100.0 * (1.0 - v) : v);
    return 1;
}

/* ---- pods, history, logs ---- */

static int pods_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    opt_field(L, 1, "version");
    int version = check_version(L, -1);
    rs_sim *sim = sim_of(L);
    const rs_scenario *sc = sc_of(L);
    int max = 64, n;
    rs_pod_info *pods;
    for (;;) {
        pods = scratch(L, (size_t)max * sizeof *pods);
        n = rs_sim_pods(sim, pods, max);
        if (n <= max)
            break;
        max = n;
    }
    lua_createtable(L, n, 0);
    int k = 0;
    for (int i = 0; i < n; i++) {
        const rs_pod_info *pi = &pods[i];
        if (version >= 0 && pi->version != version)
            continue;
        lua_createtable(L, 0, 8);
        set_string(L, "name", pi->name);
        bool known = pi->version >= 0 && pi->version < sc->n_versions;
        set_string(L, "version", known ? sc->versions[pi->version].name : "");
        set_integer(L, "revision", pi->revision);
        set_string(L, "phase", pi->phase ? pi->phase : "");
        set_bool(L, "ready", pi->ready);
        set_integer(L, "restarts", pi->restarts);
        set_integer(L, "age_ms", (lua_Integer)pi->age_ms);
        set_string(L, "last_state", pi->last_state ? pi->last_state : "");
        lua_rawseti(L, -2, ++k);
    }
    return 1;
}

static int l_pods(lua_State *L)
{
    opt_field(L, 1, "version");
    check_version(L, -1);
    lua_settop(L, 1);
    return pay(L, RS_OPERATOR_COST_PODS, pods_k, "pods()");
}

static int history_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    rs_history_entry *h = scratch(L, RS_MAX_REPLICASETS * sizeof *h);
    int n = rs_sim_history(sim_of(L), h, RS_MAX_REPLICASETS);
    if (n > RS_MAX_REPLICASETS)
        n = RS_MAX_REPLICASETS;
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 4);
        set_integer(L, "revision", h[i].revision);
        set_string(L, "version", h[i].version);
        set_string(L, "change_cause", h[i].change_cause);
        int v = rs_scenario_version_index(sc_of(L), h[i].version); /* the team knows how long it starts */
        if (v >= 0)
            set_integer(L, "startup_ms", (lua_Integer)llround(sc_of(L)->versions[v].startup_s * 1000.0));
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_history(lua_State *L)
{
    lua_settop(L, 0);
    return pay(L, RS_OPERATOR_COST_HISTORY, history_k, "history()");
}

/* What the migration tool shows (docs/lua-api.md, `migrations`): an operator pays for looking. */
#define RS_OPERATOR_COST_MIGRATIONS RS_SEC(20)

static int migrations_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    int version = check_version(L, 1);
    const rs_scenario *sc = sc_of(L);
    int max = RS_MAX_VERSIONS * RS_MAX_MIGRATIONS;
    rs_migration_info *m = scratch(L, (size_t)max * sizeof *m);
    int n = rs_sim_migrations(sim_of(L), m, max);
    if (n > max)
        n = max;
    lua_createtable(L, n, 0);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (version >= 0 && m[i].version != version)
            continue;
        lua_createtable(L, 0, 9);
        set_string(L, "version", version_name_of(sc, m[i].version));
        set_string(L, "kind", rs_migration_kind_name(m[i].kind));
        set_string(L, "table", m[i].table);
        set_string(L, "column", m[i].column);
        set_bool(L, "has_down", m[i].has_down);
        set_string(L, "status", m[i].status ? m[i].status : "");
        set_number(L, "rows_with_data", m[i].rows_with_data);
        set_number(L, "values_over_old_range", m[i].values_over_old_range);
        set_bool(L, "backed_up", m[i].backed_up);
        lua_rawseti(L, -2, ++k);
    }
    return 1;
}

static int l_migrations(lua_State *L)
{
    check_version(L, 1);
    lua_settop(L, 1);
    return pay(L, RS_OPERATOR_COST_MIGRATIONS, migrations_k, "migrations()");
}

#define LOG_LINE_MAX 256

static int logs_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    (void)ctx;
    const char *pod = lua_isnoneornil(L, 1) ? "" : lua_tostring(L, 1);
    int n = (int)luaL_optinteger(L, 2, 100);
    size_t size = (size_t)n * LOG_LINE_MAX + 1;
    char *buf = scratch(L, size);
    int lines = rs_sim_logs(sim_of(L), pod, n, buf, size);
    lua_createtable(L, lines, 0);
    int k = 0;
    for (const char *s = buf; lines > 0 && *s;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        lua_pushlstring(L, s, len);
        lua_rawseti(L, -2, ++k);
        s += len + (e ? 1 : 0);
    }
    return 1;
}

static int l_logs(lua_State *L)
{
    if (!lua_isnoneornil(L, 1))
        luaL_checkstring(L, 1);
    lua_Integer n = luaL_optinteger(L, 2, 100);
    luaL_argcheck(L, n >= 1 && n <= 1000, 2, "logs: n must be within 1..1000");
    lua_settop(L, 2);
    return pay(L, RS_OPERATOR_COST_LOGS, logs_k, "logs()");
}

/* ---- free reads ---- */

static const char *strategy_name(rs_strategy_kind k)
{
    return k == RS_STRATEGY_CANARY ? "canary" : k == RS_STRATEGY_BLUE_GREEN ? "blue_green" : "rolling";
}

static const char *version_name(const rs_scenario *sc, int v)
{
    return v >= 0 && v < sc->n_versions ? sc->versions[v].name : NULL;
}

static int l_rollout(lua_State *L)
{
    const rs_scenario *sc = sc_of(L);
    rs_rollout_status st;
    memset(&st, 0, sizeof st);
    rs_sim_rollout(sim_of(L), &st);
    const rs_strategy_spec *s = &sc->deployment.strategy;
    lua_createtable(L, 0, 16);
    set_string(L, "strategy", strategy_name(st.strategy));
    set_string(L, "phase", st.phase ? st.phase : "stable");
    set_string(L, "stable", version_name(sc, st.stable_version));
    set_string(L, "new", version_name(sc, st.new_version)); /* nil: no rollout in progress */
    set_number(L, "weight", st.weight);
    set_integer(L, "revision", st.revision);
    if (st.deployed_at != RS_TIME_NEVER)
        set_integer(L, "deployed_at", (lua_Integer)st.deployed_at);
    set_bool(L, "paused", st.paused);
    set_integer(L, "interval", (lua_Integer)s->interval);
    set_number(L, "step_weight", s->step_weight);
    if (s->n_step_weights > 0) {
        lua_createtable(L, s->n_step_weights, 0);
        for (int i = 0; i < s->n_step_weights; i++) {
            lua_pushnumber(L, s->step_weights[i]);
            lua_rawseti(L, -2, i + 1);
        }
        lua_setfield(L, -2, "step_weights");
    }
    set_number(L, "max_weight", s->max_weight);
    set_integer(L, "threshold", s->threshold);
    set_bool(L, "mesh", s->mesh);
    return 1;
}

static int l_alerts(lua_State *L)
{
    rs_alert_info info[RS_MAX_ALERTS];
    int n = rs_sim_alerts(sim_of(L), info, RS_MAX_ALERTS);
    if (n > RS_MAX_ALERTS)
        n = RS_MAX_ALERTS;
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 5);
        set_string(L, "name", info[i].name);
        set_string(L, "state", info[i].state);
        set_string(L, "severity", info[i].severity);
        if (info[i].active_since != RS_TIME_NEVER)
            set_integer(L, "since", (lua_Integer)info[i].active_since);
        set_number(L, "value", info[i].value);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_versions(lua_State *L)
{
    const rs_scenario *sc = sc_of(L);
    lua_createtable(L, sc->n_versions, 0);
    for (int i = 0; i < sc->n_versions; i++) {
        lua_pushstring(L, sc->versions[i].name);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_business_metrics(lua_State *L)
{
    const rs_scenario *sc = sc_of(L);
    lua_createtable(L, sc->n_biz_metrics, 0);
    for (int i = 0; i < sc->n_biz_metrics; i++) {
        lua_pushstring(L, sc->biz_metrics[i].name);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_baseline(lua_State *L)
{
    const rs_scenario *sc = sc_of(L);
    lua_createtable(L, 0, 6);
    set_number(L, "error_rate", sc->baseline.error_rate);
    set_number(L, "latency_p95_ms", sc->baseline.latency_p95_ms);
    set_number(L, "rpm", sc->traffic.rpm);
    set_number(L, "cpu", sc->baseline.cpu);
    set_number(L, "memory", sc->baseline.memory);
    lua_createtable(L, 0, sc->n_biz_metrics);
    for (int i = 0; i < sc->n_biz_metrics; i++)
        set_number(L, sc->biz_metrics[i].name, sc->biz_metrics[i].baseline);
    lua_setfield(L, -2, "business");
    return 1;
}

static int l_page_open(lua_State *L)
{
    lua_pushboolean(L, rs_sim_page_open(sim_of(L)));
    return 1;
}

/* ---- actions ---- */

/* Ends an action: the actor named for the engine's judged decisions goes back to the default. */
static int result(lua_State *L, rs_status st, const rs_error *err)
{
    rs_sim_set_actor(sim_of(L), "");
    if (st == RS_OK) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushboolean(L, 0);
    lua_pushstring(L, err->message[0] ? err->message : "refused");
    return 2;
}

#define ACTION_BEGIN(what)                                                                                  \
    policy *p = in_hook(L, what);                                                                          \
    rs_sim *sim = p->set->sim;                                                                             \
    rs_error err;                                                                                          \
    rs_error_clear(&err);                                                                                  \
    rs_sim_set_actor(sim, p->name)

static int l_ack(lua_State *L)
{
    const char *who = luaL_optstring(L, 1, NULL);
    ACTION_BEGIN("ack()");
    return result(L, rs_action_ack(sim, who && *who ? who : p->name, &err), &err);
}

static int l_note(lua_State *L)
{
    const char *text = luaL_checkstring(L, 1);
    ACTION_BEGIN("note()");
    return result(L, rs_action_note(sim, text, &err), &err);
}

static int l_decide(lua_State *L)
{
    const char *text = luaL_checkstring(L, 1);
    ACTION_BEGIN("decide()");
    rs_sim_decision(sim, p->name, text);
    return result(L, RS_OK, &err);
}

static lua_Integer check_revision(lua_State *L, int idx)
{
    lua_Integer rev = luaL_checkinteger(L, idx);
    luaL_argcheck(L, rev >= 0 && rev <= 1000000000, idx, "revision must be >= 0 (0 = the previous one)");
    return rev;
}

static int l_rollback(lua_State *L)
{
    lua_Integer rev = 0;
    const char *reason = NULL;
    if (lua_type(L, 1) == LUA_TTABLE) {
        if (lua_getfield(L, 1, "revision") != LUA_TNIL)
            rev = check_revision(L, -1);
        if (lua_getfield(L, 1, "reason") != LUA_TNIL)
            reason = luaL_checkstring(L, -1);
    } else if (!lua_isnoneornil(L, 1)) {
        rev = check_revision(L, 1);
    }
    ACTION_BEGIN("rollback()");
    if (reason && *reason)
        rs_sim_decision(sim, p->name, reason);
    return result(L, rs_action_undo(sim, (int)rev, &err), &err);
}

static int l_undo(lua_State *L)
{
    lua_Integer rev = lua_isnoneornil(L, 1) ? 0 : check_revision(L, 1);
    ACTION_BEGIN("undo()");
    (void)p;
    return result(L, rs_action_undo(sim, (int)rev, &err), &err);
}

static int l_promote(lua_State *L)
{
    ACTION_BEGIN("promote()");
    (void)p;
    rs_sim_canary_manual(sim, true); /* the policy drives the canary from now on */
    return result(L, rs_action_promote(sim, &err), &err);
}

static int l_pause(lua_State *L)
{
    ACTION_BEGIN("pause()");
    (void)p;
    return result(L, rs_action_pause(sim, &err), &err);
}

static int l_resume(lua_State *L)
{
    ACTION_BEGIN("resume()");
    (void)p;
    return result(L, rs_action_resume(sim, &err), &err);
}

static int l_set_weight(lua_State *L)
{
    lua_Number pct = luaL_checknumber(L, 1);
    luaL_argcheck(L, pct >= 0 && pct <= 100, 1, "set_weight: percent must be within 0..100");
    ACTION_BEGIN("set_weight()");
    (void)p;
    rs_sim_canary_manual(sim, true);
    return result(L, rs_action_set_weight(sim, (double)pct, &err), &err);
}

static int l_deploy(lua_State *L)
{
    const char *version = luaL_checkstring(L, 1);
    ACTION_BEGIN("deploy()");
    (void)p;
    return result(L, rs_action_deploy(sim, version, &err), &err);
}

static int l_restart(lua_State *L)
{
    ACTION_BEGIN("restart()");
    (void)p;
    return result(L, rs_action_restart(sim, &err), &err);
}

static int l_scale(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 0 && n <= 10000, 1, "scale: replicas must be within 0..10000");
    ACTION_BEGIN("scale()");
    (void)p;
    return result(L, rs_action_scale(sim, (int)n, &err), &err);
}

static int l_resolve(lua_State *L)
{
    const char *text = luaL_optstring(L, 1, "");
    ACTION_BEGIN("resolve()");
    (void)p;
    return result(L, rs_action_resolve(sim, text, &err), &err);
}

static int l_hotfix(lua_State *L)
{
    const char *version = luaL_checkstring(L, 1);
    ACTION_BEGIN("hotfix()");
    (void)p;
    return result(L, rs_action_hotfix(sim, version, &err), &err);
}

static int l_config_fix(lua_State *L)
{
    ACTION_BEGIN("config_fix()");
    (void)p;
    return result(L, rs_action_config_fix(sim, &err), &err);
}

static int l_migrate_down(lua_State *L)
{
    const char *version = luaL_optstring(L, 1, NULL);
    ACTION_BEGIN("migrate_down()");
    (void)p;
    return result(L, rs_action_migrate_down(sim, version, &err), &err);
}

static int l_backup(lua_State *L)
{
    const char *table = luaL_checkstring(L, 1);
    ACTION_BEGIN("backup()");
    (void)p;
    return result(L, rs_action_backup(sim, table, &err), &err);
}

static int l_restore(lua_State *L)
{
    const char *table = luaL_checkstring(L, 1);
    ACTION_BEGIN("restore()");
    (void)p;
    return result(L, rs_action_restore(sim, table, &err), &err);
}

static int l_escalate(lua_State *L)
{
    const char *to = luaL_optstring(L, 1, "");
    ACTION_BEGIN("escalate()");
    (void)p;
    return result(L, rs_action_escalate(sim, to, &err), &err);
}

static int l_hold(lua_State *L)
{
    const char *why = luaL_optstring(L, 1, "");
    ACTION_BEGIN("hold()");
    (void)p;
    return result(L, rs_action_wait(sim, why, &err), &err);
}

/* ---- explain ---- */

static rs_check_verdict verdict_of(double v, const char *op, double thr)
{
    if (isnan(v))
        return RS_CHECK_NO_DATA;
    bool ok = strcmp(op, ">=") == 0   ? v >= thr
              : strcmp(op, "<=") == 0 ? v <= thr
              : strcmp(op, ">") == 0  ? v > thr
                                      : v < thr;
    return ok ? RS_CHECK_PASS : RS_CHECK_FAIL;
}

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static void check_from_table(lua_State *L, int t, int i, rs_check *c)
{
    if (lua_type(L, t) != LUA_TTABLE)
        luaL_error(L, "explain: checks[%d] must be a table {name=, value=, op=, threshold=}", i);
    lua_getfield(L, t, "name");
    if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "explain: checks[%d].name must be a string", i);
    copy_text(c->name, sizeof c->name, lua_tostring(L, -1));
    int vt = lua_getfield(L, t, "value");
    if (vt != LUA_TNIL && vt != LUA_TNUMBER)
        luaL_error(L, "explain: checks[%d].value must be a number or nil (no data), got %s", i, luaL_typename(L, -1));
    c->value = vt == LUA_TNIL ? NAN : (double)lua_tonumber(L, -1);
    lua_getfield(L, t, "op");
    const char *op = lua_tostring(L, -1);
    if (lua_type(L, -1) != LUA_TSTRING ||
        (strcmp(op, ">=") != 0 && strcmp(op, "<=") != 0 && strcmp(op, ">") != 0 && strcmp(op, "<") != 0))
        luaL_error(L, "explain: checks[%d].op must be one of \">=\", \"<=\", \">\", \"<\"", i);
    copy_text(c->op, sizeof c->op, op);
    lua_getfield(L, t, "threshold");
    if (lua_type(L, -1) != LUA_TNUMBER)
        luaL_error(L, "explain: checks[%d].threshold must be a number", i);
    c->threshold = (double)lua_tonumber(L, -1);
    c->verdict = verdict_of(c->value, c->op, c->threshold);
    lua_pop(L, 4);
}

static const char *opt_string_field(lua_State *L, int t, const char *key)
{
    int ty = lua_getfield(L, t, key);
    if (ty == LUA_TNIL)
        return NULL;
    if (ty != LUA_TSTRING && ty != LUA_TNUMBER)
        luaL_error(L, "explain: %s must be a string", key);
    return lua_tostring(L, -1);
}

static void explain_line(policy *p, const rs_trace_entry *e)
{
    if (!p->set->explain)
        return;
    char line[1024];
    rs_trace_format(e, line, sizeof line);
    char clock[24];
    fprintf(p->set->explain, "%s %s %s\n", rs_format_clock(e->t_ms, clock, sizeof clock), p->name, line);
}

static int l_explain(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    policy *p = in_hook(L, "explain()");
    rs_trace_entry e;
    memset(&e, 0, sizeof e);
    copy_text(e.policy, sizeof e.policy, p->name);
    copy_text(e.phase, sizeof e.phase, opt_string_field(L, 1, "phase"));
    copy_text(e.counters, sizeof e.counters, opt_string_field(L, 1, "counters"));
    copy_text(e.verdict, sizeof e.verdict, opt_string_field(L, 1, "verdict"));
    int failed = 0;
    int ty = lua_getfield(L, 1, "checks");
    if (ty != LUA_TNIL) {
        if (ty != LUA_TTABLE)
            return luaL_error(L, "explain: checks must be an array of checks");
        int checks = lua_gettop(L);
        lua_Integer n = luaL_len(L, checks);
        if (n > RS_TRACE_MAX_CHECKS)
            return luaL_error(L, "explain: at most %d checks, got %d", RS_TRACE_MAX_CHECKS, (int)n);
        for (int i = 1; i <= (int)n; i++) {
            lua_geti(L, checks, i);
            check_from_table(L, lua_gettop(L), i, &e.checks[i - 1]);
            lua_pop(L, 1);
            failed += e.checks[i - 1].verdict != RS_CHECK_PASS;
        }
        e.n_checks = (int)n;
    }
    e.t_ms = rs_sim_now(p->set->sim);
    rs_sim_trace(p->set->sim, &e);
    explain_line(p, &e);
    lua_pushboolean(L, failed == 0);
    lua_pushinteger(L, failed);
    return 2;
}

void rs__policy_open_api(lua_State *L)
{
    static const luaL_Reg api[] = {
        {"now", l_now},         {"duration", l_duration},   {"wait", l_wait}, {"next_tick", l_next_tick},
        {"metric", l_metric},   {"pods", l_pods},           {"history", l_history},
        {"rollout", l_rollout}, {"alerts", l_alerts},       {"logs", l_logs},
        {"migrations", l_migrations},
        {"versions", l_versions}, {"baseline", l_baseline}, {"business_metrics", l_business_metrics},
        {"page_open", l_page_open},
        {"ack", l_ack},         {"note", l_note},           {"decide", l_decide},
        {"rollback", l_rollback}, {"undo", l_undo},         {"promote", l_promote},
        {"pause", l_pause},     {"resume", l_resume},       {"set_weight", l_set_weight},
        {"deploy", l_deploy},   {"restart", l_restart},     {"scale", l_scale},
        {"resolve", l_resolve}, {"explain", l_explain},     {"hotfix", l_hotfix},
        {"config_fix", l_config_fix}, {"migrate_down", l_migrate_down}, {"backup", l_backup},
        {"restore", l_restore}, {"escalate", l_escalate},   {"hold", l_hold},
        {NULL, NULL}};
    lua_pushglobaltable(L);
    luaL_setfuncs(L, api, 0);
    lua_pop(L, 1);
}
