/* Compiled policy files: a sweep runs the same policy file thousands of times, and parsing it was a
 * sixth of a run. rs_policy_cache_add() compiles a file once, in a state of its own, and keeps the
 * bytecode (lua_dump, debug information kept, so errors still name the file and line); a run's load
 * then takes the bytecode (lua_load, mode "b") instead of the text. Only bytecode made here is ever
 * loaded as binary: a policy file is always read as text. The cache is filled before it is shared and
 * only read afterwards, so threads share it without a lock. */
#include "lua_host_int.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char path[RS_TEXT_MAX];
    char *code;
    size_t len, cap;
} entry;

struct rs_policy_cache {
    int n;
    entry e[RS_POLICY_CACHE_MAX];
};

rs_policy_cache *rs_policy_cache_new(void) { return calloc(1, sizeof(rs_policy_cache)); }

void rs_policy_cache_free(rs_policy_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        free(c->e[i].code);
    free(c);
}

static int writer(lua_State *L, const void *p, size_t size, void *ud)
{
    (void)L;
    entry *e = ud;
    if (e->len + size > e->cap) {
        size_t cap = e->cap ? e->cap : 4096;
        while (cap < e->len + size)
            cap *= 2;
        char *code = realloc(e->code, cap);
        if (!code)
            return 1;
        e->code = code;
        e->cap = cap;
    }
    memcpy(e->code + e->len, p, size);
    e->len += size;
    return 0;
}

rs_status rs_policy_cache_add(rs_policy_cache *c, const char *path, rs_error *err)
{
    if (rs__policy_cached(c, path, NULL))
        return RS_OK;
    if (c->n == RS_POLICY_CACHE_MAX)
        return RS_OK; /* full: the file is read at each load, as without a cache */
    size_t len;
    char *text = rs__policy_read_file(path, &len, err);
    if (!text)
        return err->code;
    entry *e = &c->e[c->n];
    memset(e, 0, sizeof *e);
    snprintf(e->path, sizeof e->path, "%s", path);
    char chunk[RS_TEXT_MAX + 2];
    snprintf(chunk, sizeof chunk, "@%s", path);
    lua_State *L = luaL_newstate();
    rs_status st = RS_OK;
    if (!L)
        st = rs_error_set(err, RS_INTERNAL, path, "out of memory");
    /* a file that does not compile is left out: each load reads it and reports the error as usual */
    else if (luaL_loadbufferx(L, text, len, chunk, "t") == LUA_OK) {
        if (lua_dump(L, writer, e, 0) == 0)
            c->n++;
        else {
            free(e->code);
            st = rs_error_set(err, RS_INTERNAL, path, "out of memory");
        }
    }
    if (L)
        lua_close(L);
    free(text);
    return st;
}

bool rs__policy_cached(const rs_policy_cache *c, const char *path, rs_policy_code *out)
{
    for (int i = 0; c && i < c->n; i++)
        if (strcmp(c->e[i].path, path) == 0) {
            if (out) {
                out->code = c->e[i].code;
                out->len = c->e[i].len;
            }
            return true;
        }
    return false;
}
