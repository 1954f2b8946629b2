/* The policy sandbox (docs/lua-api.md, "The sandbox and its limits"): only base, table, string, math,
 * utf8 and coroutine; no io, os, package, debug, binary chunks; a capped allocator and an instruction
 * budget that no pcall can catch; deterministic pairs, tostring, math.random and clock. */
#include "lua_host_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

/* ---- memory and instructions ---- */

void *rs__policy_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    policy *p = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        rs__pool_realloc(&p->pool, ptr, osize, 0);
        p->mem -= old;
        return NULL;
    }
    if (nsize > old && nsize - old > p->mem_cap - p->mem) { /* p->mem <= p->mem_cap always */
        p->mem_refused = true; /* Lua collects garbage and asks again before it raises */
        return NULL;
    }
    void *q = rs__pool_realloc(&p->pool, ptr, old, nsize);
    if (!q)
        return nsize <= old ? ptr : NULL; /* Lua assumes shrinking never fails */
    p->mem = p->mem - old + nsize;
    return q;
}

void rs__policy_mem_message(const policy *p, const char *where, char *buf, size_t size)
{
    size_t cap = p->mem_cap;
    if (cap % ((size_t)1 << 20) == 0)
        snprintf(buf, size, "%smemory cap of %zu MiB exceeded", where, cap >> 20);
    else if (cap % 1024 == 0)
        snprintf(buf, size, "%smemory cap of %zu KiB exceeded", where, cap >> 10);
    else
        snprintf(buf, size, "%smemory cap of %zu bytes exceeded", where, cap);
}

/* The place of the innermost Lua function on L's stack: "file:line: ", or "" when there is none. */
static void lua_where(lua_State *L, int level, char *buf, size_t size)
{
    lua_Debug ar;
    buf[0] = '\0';
    for (; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(buf, size, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
}

void rs__policy_count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    policy *p = rs__policy_of(L);
    p->used += RS_POLICY_BUDGET_STEP;
    if (p->used <= p->budget && !p->fatal[0])
        return;
    if (!p->fatal[0]) {
        char where[RS_TEXT_MAX + 16];
        lua_where(L, 0, where, sizeof where);
        snprintf(p->fatal, sizeof p->fatal, "%sinstruction budget of %llu exceeded in %s (a runaway loop?)", where,
                 (unsigned long long)p->budget, p->hook_name ? p->hook_name : "load");
    }
    lua_pushstring(L, p->fatal);
    lua_error(L);
}

/* After a protected call returned false: a memory error with the cap reached becomes fatal. */
static void check_fatal(lua_State *L, int first)
{
    policy *p = rs__policy_of(L);
    if (!p->fatal[0] && p->mem_refused && lua_type(L, first) == LUA_TBOOLEAN && !lua_toboolean(L, first)) {
        const char *m = lua_tostring(L, first + 1);
        if (m && strcmp(m, "not enough memory") == 0) {
            char where[RS_TEXT_MAX + 16];
            lua_where(L, 1, where, sizeof where);
            rs__policy_mem_message(p, where, p->fatal, sizeof p->fatal);
        }
    }
    if (p->fatal[0]) {
        lua_pushstring(L, p->fatal);
        lua_error(L);
    }
}

/* pcall, xpcall, coroutine.resume and coroutine.close: the originals (upvalue 1), then a fatal error
 * (budget, memory) is raised again instead of being returned. Yieldable through the continuation. */
static int guarded_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)status;
    check_fatal(L, 1);
    return lua_gettop(L) - (int)ctx;
}

static int guarded(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_callk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, guarded_k);
    return guarded_k(L, LUA_OK, 0);
}

static void wrap_field(lua_State *L, int table, const char *name)
{
    table = lua_absindex(L, table);
    lua_getfield(L, table, name);
    lua_pushcclosure(L, guarded, 1);
    lua_setfield(L, table, name);
}

/* ---- forbidden names: a clear message instead of "attempt to index a nil value" ---- */

static const char *const forbidden_globals[] = {"io", "debug", "package", "require", "dofile", "loadfile",
                                                 "loadstring", "module"};

static int global_index(lua_State *L)
{
    const char *k = lua_tostring(L, 2);
    if (lua_type(L, 2) == LUA_TSTRING)
        for (size_t i = 0; i < sizeof forbidden_globals / sizeof *forbidden_globals; i++)
            if (strcmp(k, forbidden_globals[i]) == 0)
                return luaL_error(L, "%s is not available to policies (sandbox)", k);
    return 0;
}

static int os_index(lua_State *L)
{
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    return luaL_error(L, "os.%s is not available to policies (sandbox: os has only time and clock)", k);
}

static int string_index(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "dump") == 0)
        return luaL_error(L, "string.dump is not available to policies (sandbox)");
    return 0;
}

static void set_index_hint(lua_State *L, int table, lua_CFunction f)
{
    table = lua_absindex(L, table);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, f);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, table);
}

/* ---- replaced base functions ---- */

static int sb_load(lua_State *L)
{
    size_t len;
    const char *s = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : NULL;
    if (s && len > 0 && s[0] == LUA_SIGNATURE[0])
        return luaL_error(L, "load: binary chunks are not available to policies (sandbox)");
    if (lua_gettop(L) < 3)
        lua_settop(L, 3); /* no env: the policy's globals, as load does */
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int sb_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") != 0)
        return luaL_error(L, "collectgarbage(\"%s\") is not available to policies (sandbox: only \"count\")", opt);
    int kb = lua_gc(L, LUA_GCCOUNT, 0), b = lua_gc(L, LUA_GCCOUNTB, 0);
    lua_pushnumber(L, (lua_Number)kb + (lua_Number)b / 1024.0);
    return 1;
}

static int sb_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc is not available to policies (sandbox: finalizers run "
                                 "outside the instruction budget)");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* tostring without addresses: "table: #3", numbered in order of first use. */
const char *rs__policy_tostring(lua_State *L, int idx, size_t *len)
{
    idx = lua_absindex(L, idx);
    int t = lua_type(L, idx);
    bool by_id = (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TTHREAD || t == LUA_TUSERDATA ||
                  t == LUA_TLIGHTUSERDATA);
    if (!by_id || luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) {
        if (by_id)
            lua_pop(L, 1);
        return luaL_tolstring(L, idx, len);
    }
    policy *p = rs__policy_of(L);
    if (lua_getfield(L, LUA_REGISTRYINDEX, "rollsim.ids") != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_createtable(L, 0, 1);
        lua_pushliteral(L, "k");
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, "rollsim.ids");
    }
    lua_pushvalue(L, idx);
    lua_Integer id;
    if (lua_rawget(L, -2) == LUA_TNUMBER) {
        id = lua_tointeger(L, -1);
        lua_pop(L, 1);
    } else {
        lua_pop(L, 1);
        id = ++p->next_id;
        lua_pushvalue(L, idx);
        lua_pushinteger(L, id);
        lua_rawset(L, -3);
    }
    lua_pop(L, 1);
    lua_pushfstring(L, "%s: #%I", luaL_typename(L, idx), (LUAI_UACINT)id);
    return lua_tolstring(L, -1, len);
}

static int sb_tostring(lua_State *L)
{
    luaL_checkany(L, 1);
    rs__policy_tostring(L, 1, NULL);
    return 1;
}

/* print: the --explain console only. The text is built whether or not it is shown, so that a run does
 * the same work (and raises the same errors) with and without --explain. */
static int sb_print(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = rs__policy_tostring(L, i, &len);
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_addvalue(&b);
        (void)s;
    }
    luaL_pushresult(&b);
    rs__policy_console(rs__policy_of(L), "%s", lua_tostring(L, -1));
    return 0;
}

/* ---- pairs in a fixed order ---- */

typedef struct {
    int type;      /* 0 number, 1 string, 2 boolean, 3 other */
    bool is_int;
    lua_Integer i;
    lua_Number n;
    const char *s;
    size_t len;
    int pos;       /* index in the key array, the last tie-break */
} key_info;

static int cmp_num(const key_info *a, const key_info *b)
{
    if (a->is_int && b->is_int)
        return a->i < b->i ? -1 : a->i > b->i;
    return a->n < b->n ? -1 : a->n > b->n;
}

static int cmp_keys(const void *x, const void *y)
{
    const key_info *a = x, *b = y;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    int c = 0;
    if (a->type == 0) {
        c = cmp_num(a, b);
    } else if (a->type == 1) {
        c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
        if (c == 0)
            c = a->len < b->len ? -1 : a->len > b->len;
    } else if (a->type == 2) {
        c = (int)a->i - (int)b->i;
    }
    return c ? c : a->pos - b->pos;
}

static int pairs_next(lua_State *L)
{
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(3));
    for (;;) {
        if (lua_rawgeti(L, lua_upvalueindex(2), ++i) == LUA_TNIL)
            return 1; /* nil: done */
        lua_pushvalue(L, -1);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) {
            lua_pushinteger(L, i);
            lua_replace(L, lua_upvalueindex(3));
            return 2;
        }
        lua_pop(L, 2); /* removed during the traversal */
    }
}

static void describe_key(lua_State *L, int idx, key_info *k, int pos)
{
    memset(k, 0, sizeof *k);
    k->pos = pos;
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        k->is_int = lua_isinteger(L, idx);
        k->i = lua_tointeger(L, idx);
        k->n = lua_tonumber(L, idx);
        break;
    case LUA_TSTRING:
        k->type = 1;
        k->s = lua_tolstring(L, idx, &k->len);
        break;
    case LUA_TBOOLEAN:
        k->type = 2;
        k->i = lua_toboolean(L, idx);
        break;
    default:
        k->type = 3;
    }
}

static int pairs_k(lua_State *L, int status, lua_KContext ctx)
{
    (void)L;
    (void)status;
    (void)ctx;
    return 3;
}

static int sb_pairs(lua_State *L)
{
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_callk(L, 1, 3, 0, pairs_k);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    int n = 0;
    lua_newtable(L); /* 2: keys in lua_next order */
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, 2, ++n);
    }
    key_info *info = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *info, 0); /* 3 */
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, 2, i + 1);
        describe_key(L, -1, &info[i], i);
        lua_pop(L, 1); /* strings stay alive in the key array */
    }
    qsort(info, (size_t)n, sizeof *info, cmp_keys);
    lua_createtable(L, n, 0); /* 4: keys in order */
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, 2, info[i].pos + 1);
        lua_rawseti(L, 4, i + 1);
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 4);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, pairs_next, 3);
    lua_pushnil(L);
    lua_pushnil(L);
    return 3;
}

/* ---- random numbers and the clock ---- */

static int sb_random(lua_State *L)
{
    rs_rng *r = &rs__policy_of(L)->rng;
    lua_Integer low, up;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, (lua_Number)rs_rng_uniform(r));
        return 1;
    case 1:
        low = 1;
        up = luaL_checkinteger(L, 1);
        if (up == 0) { /* a whole random integer, as Lua 5.4 */
            lua_pushinteger(L, (lua_Integer)rs_rng_next(r));
            return 1;
        }
        break;
    case 2:
        low = luaL_checkinteger(L, 1);
        up = luaL_checkinteger(L, 2);
        break;
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, low <= up, 1, "interval is empty");
    uint64_t span = (uint64_t)up - (uint64_t)low;
    uint64_t x = span == UINT64_MAX ? rs_rng_next(r) : rs_rng_below(r, span + 1);
    lua_pushinteger(L, (lua_Integer)((uint64_t)low + x));
    return 1;
}

static int sb_randomseed(lua_State *L)
{
    policy *p = rs__policy_of(L);
    uint64_t seed;
    if (lua_isnone(L, 1)) {
        seed = p->set->seed; /* back to the run's stream */
        rs_rng_seed(&p->rng, seed, RS_STREAM_POLICY + ((uint64_t)p->index << 32));
        return 0;
    }
    if (lua_isinteger(L, 1))
        seed = (uint64_t)lua_tointeger(L, 1);
    else {
        lua_Number n = luaL_checknumber(L, 1);
        memcpy(&seed, &n, sizeof seed < sizeof n ? sizeof seed : sizeof n);
    }
    rs_rng_seed(&p->rng, seed, RS_STREAM_POLICY);
    return 0;
}

static int os_time(lua_State *L)
{
    if (!lua_isnoneornil(L, 1))
        return luaL_error(L, "os.time(t) is not available to policies (sandbox: os.time() is the simulated clock)");
    lua_pushinteger(L, (lua_Integer)(rs_sim_now(rs__policy_of(L)->set->sim) / 1000));
    return 1;
}

static int os_clock(lua_State *L)
{
    lua_pushnumber(L, (lua_Number)rs_sim_now(rs__policy_of(L)->set->sim) / 1000.0);
    return 1;
}

/* ---- the console ---- */

void rs__policy_console(policy *p, const char *fmt, ...)
{
    FILE *f = p->set->explain;
    if (!f)
        return;
    char clock[24];
    fprintf(f, "%s %s: ", rs_format_clock(rs_sim_now(p->set->sim), clock, sizeof clock), p->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
}

/* ---- opening ---- */

static void open_libs(lua_State *L)
{
    static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},         {LUA_TABLIBNAME, luaopen_table},
                                    {LUA_STRLIBNAME, luaopen_string},  {LUA_MATHLIBNAME, luaopen_math},
                                    {LUA_UTF8LIBNAME, luaopen_utf8},   {LUA_COLIBNAME, luaopen_coroutine}};
    for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
        luaL_requiref(L, libs[i].name, libs[i].func, 1);
        lua_pop(L, 1);
    }
}

static void replace_with_closure(lua_State *L, int table, const char *name, lua_CFunction f)
{
    table = lua_absindex(L, table);
    lua_getfield(L, table, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, table, name);
}

int rs__policy_open_sandbox(lua_State *L)
{
    open_libs(L);
    lua_pushglobaltable(L);
    int g = lua_gettop(L);
    static const char *const removed[] = {"dofile", "loadfile", "require"};
    for (size_t i = 0; i < sizeof removed / sizeof *removed; i++) {
        lua_pushnil(L);
        lua_setfield(L, g, removed[i]);
    }
    replace_with_closure(L, g, "load", sb_load);
    replace_with_closure(L, g, "setmetatable", sb_setmetatable);
    wrap_field(L, g, "pcall");
    wrap_field(L, g, "xpcall");
    lua_register(L, "collectgarbage", sb_collectgarbage);
    lua_register(L, "tostring", sb_tostring);
    lua_register(L, "print", sb_print);
    lua_register(L, "pairs", sb_pairs);

    lua_getfield(L, g, LUA_COLIBNAME);
    wrap_field(L, -1, "resume");
    wrap_field(L, -1, "close");
    lua_pop(L, 1);

    lua_getfield(L, g, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    set_index_hint(L, -1, string_index);
    lua_pop(L, 1);

    lua_getfield(L, g, LUA_MATHLIBNAME);
    lua_pushcfunction(L, sb_random);
    lua_setfield(L, -2, "random");
    lua_pushcfunction(L, sb_randomseed);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);

    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, os_time);
    lua_setfield(L, -2, "time");
    lua_pushcfunction(L, os_clock);
    lua_setfield(L, -2, "clock");
    set_index_hint(L, -1, os_index);
    lua_setfield(L, g, "os");

    set_index_hint(L, g, global_index);
    lua_pop(L, 1);
    return 0;
}
