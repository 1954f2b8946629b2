/* Policy parameters (docs/lua-api.md, "Parameters"): "NAME=VALUE" overrides converted to the type of
 * each default, from a scenario's policies and from --param, with the known names and the nearest one
 * in every message about an unknown name. */
#include "lua_host_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTED 64

typedef struct {
    policy *p;
    const char *name;
    size_t name_len;
    const char *value;
    int result; /* 0 applied, 1 unknown name, 2 bad value (msg) */
    char msg[400];
} param_arg;

/* A duration default: numbers each followed by a unit ("15m", "1m30s"), as opposed to free text. */
static bool is_duration_text(const char *s)
{
    rs_time d;
    bool unit = false;
    for (const char *c = s; *c; c++)
        unit |= isalpha((unsigned char)*c) != 0;
    return unit && rs_parse_duration(s, &d) == 0;
}

static bool convert_number(lua_State *L, param_arg *a, bool int_default)
{
    const char *v = a->value;
    size_t len = strlen(v);
    if (len > 1 && v[len - 1] == '%') {
        char *end;
        double x = strtod(v, &end);
        if (end == v + len - 1 && isfinite(x)) {
            lua_pushnumber(L, (lua_Number)(x / 100.0));
            return true;
        }
    } else if (lua_stringtonumber(L, v) != 0) {
        if (!int_default && lua_isinteger(L, -1)) {
            lua_Number x = lua_tonumber(L, -1);
            lua_pop(L, 1);
            lua_pushnumber(L, x);
        }
        return true;
    }
    rs_time d;
    if (is_duration_text(v) && rs_parse_duration(v, &d) == 0)
        snprintf(a->msg, sizeof a->msg, "is a number: '%s' is a duration, not a number (give e.g. 0.05 or 5%%)", v);
    else
        snprintf(a->msg, sizeof a->msg, "is a number: '%s' is not one (give e.g. 0.05 or 5%%)", v);
    return false;
}

static int apply_param_p(lua_State *L)
{
    param_arg *a = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->p->ref_defaults);
    lua_pushlstring(L, a->name, a->name_len);
    int t = lua_rawget(L, -2);
    if (t == LUA_TNIL) {
        a->result = 1;
        return 0;
    }
    const char *v = a->value;
    bool ok = true;
    if (t == LUA_TNUMBER) {
        ok = convert_number(L, a, lua_isinteger(L, -1));
    } else if (t == LUA_TBOOLEAN) {
        ok = strcmp(v, "true") == 0 || strcmp(v, "false") == 0;
        if (ok)
            lua_pushboolean(L, v[0] == 't');
        else
            snprintf(a->msg, sizeof a->msg, "is a boolean: give true or false, not '%s'", v);
    } else if (is_duration_text(lua_tostring(L, -1))) {
        rs_time d;
        ok = rs_parse_duration(v, &d) == 0;
        if (ok)
            lua_pushstring(L, v);
        else
            snprintf(a->msg, sizeof a->msg, "is a duration: '%s' is not one (e.g. \"30s\", \"15m\", \"1h\")", v);
    } else {
        lua_pushstring(L, v);
    }
    if (!ok) {
        a->result = 2;
        return 0;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->p->ref_p);
    lua_pushlstring(L, a->name, a->name_len);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    a->result = 0;
    return 0;
}

/* Applies NAME=VALUE to p: 0 applied, 1 unknown name, 2 bad value or failure (msg). */
static int apply_param(policy *p, const char *name, size_t name_len, const char *value, char *msg, size_t size)
{
    param_arg a = {.p = p, .name = name, .name_len = name_len, .value = value};
    char err[700];
    if (rs__policy_protect(p, apply_param_p, &a, 0, err, sizeof err) != LUA_OK) {
        snprintf(msg, size, "%.*s", (int)(size - 1), err);
        return 2;
    }
    if (a.result == 2)
        snprintf(msg, size, "parameter %.*s of policy %s %s", (int)name_len, name, p->name, a.msg);
    return a.result;
}

typedef struct {
    policy *p;
    char (*names)[RS_NAME_MAX];
    int n, max;
} names_arg;

static int list_params_p(lua_State *L)
{
    names_arg *a = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->p->ref_defaults);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING && a->n < a->max)
            snprintf(a->names[a->n++], RS_NAME_MAX, "%s", lua_tostring(L, -1));
    }
    return 0;
}

static int cmp_names(const void *x, const void *y) { return strcmp(x, y); }

/* The parameter names of p, sorted; returns their number. */
static int list_params(policy *p, char (*names)[RS_NAME_MAX], int max)
{
    names_arg a = {p, names, 0, max};
    char msg[700];
    rs__policy_protect(p, list_params_p, &a, 0, msg, sizeof msg);
    qsort(names, (size_t)a.n, sizeof *names, cmp_names);
    return a.n;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[RS_NAME_MAX + 1];
    if (la > RS_NAME_MAX || lb > RS_NAME_MAX)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

void rs__policy_describe_known(const char *given, char (*names)[RS_NAME_MAX], int n, char *buf, size_t size)
{
    const char *best = NULL;
    size_t best_d = strlen(given) / 3 + 2;
    for (int i = 0; i < n; i++) {
        size_t d = edit_distance(given, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    size_t used = 0;
    buf[0] = '\0';
    if (best)
        used = (size_t)snprintf(buf, size, " (did you mean '%s'?)", best);
    if (used < size)
        used += (size_t)snprintf(buf + used, size - used, "; known: %s", n ? "" : "none");
    for (int i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
}

static rs_status unknown_param(policy *p, const char *name, size_t len, const char *where, rs_error *err)
{
    char (*names)[RS_NAME_MAX] = malloc(MAX_LISTED * sizeof *names);
    char given[RS_NAME_MAX], known[600];
    snprintf(given, sizeof given, "%.*s", (int)(len < RS_NAME_MAX ? len : RS_NAME_MAX - 1), name);
    int n = names ? list_params(p, names, MAX_LISTED) : 0;
    rs__policy_describe_known(given, names, n, known, sizeof known);
    free(names);
    return rs_error_set(err, RS_BAD_INPUT, where, "unknown parameter '%s' of policy %s%s", given, p->name, known);
}

rs_status rs__policy_apply_params(policy *p, const char *const *params, int n, rs_error *err)
{
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(params[i], '=');
        if (!eq || eq == params[i])
            return rs_error_set(err, RS_BAD_INPUT, p->file, "a parameter override is NAME=VALUE, got '%s'", params[i]);
        char msg[600];
        int r = apply_param(p, params[i], (size_t)(eq - params[i]), eq + 1, msg, sizeof msg);
        if (r == 1)
            return unknown_param(p, params[i], (size_t)(eq - params[i]), p->file, err);
        if (r == 2)
            return rs_error_set(err, RS_BAD_INPUT, p->file, "%s", msg);
    }
    return RS_OK;
}

/* All "name" and "policy.name" of the set, for a --param that matched nothing. */
static rs_status no_such_param(rs_policy_set *ps, const char *arg, size_t len, rs_error *err)
{
    char (*all)[RS_NAME_MAX] = malloc(MAX_LISTED * 2 * sizeof *all);
    char (*one)[RS_NAME_MAX] = malloc(MAX_LISTED * sizeof *one);
    char given[RS_NAME_MAX], known[700];
    snprintf(given, sizeof given, "%.*s", (int)(len < RS_NAME_MAX ? len : RS_NAME_MAX - 1), arg);
    int n = 0;
    for (int i = 0; all && one && i < ps->n; i++) {
        int k = list_params(ps->p[i], one, MAX_LISTED);
        for (int j = 0; j < k && n < MAX_LISTED * 2; j++)
            snprintf(all[n++], RS_NAME_MAX, "%.30s.%.30s", ps->p[i]->name, one[j]);
    }
    known[0] = '\0';
    if (all)
        rs__policy_describe_known(given, all, n, known, sizeof known);
    free(all);
    free(one);
    return rs_error_set(err, RS_BAD_INPUT, "--param", "no loaded policy declares the parameter '%s'%s", given,
                        known);
}

rs_status rs_policy_set_params(rs_policy_set *ps, const char *const *params, int n_params, rs_error *err)
{
    for (int i = 0; i < n_params; i++) {
        const char *arg = params[i], *eq = strchr(arg, '=');
        if (!eq || eq == arg)
            return rs_error_set(err, RS_BAD_INPUT, "--param", "--param takes [POLICY.]NAME=VALUE, got '%s'", arg);
        size_t len = (size_t)(eq - arg);
        int applied = 0;
        char msg[600];
        for (int j = 0; j < ps->n; j++) {
            int r = apply_param(ps->p[j], arg, len, eq + 1, msg, sizeof msg);
            if (r == 2)
                return rs_error_set(err, RS_BAD_INPUT, "--param", "%s", msg);
            applied += r == 0;
        }
        const char *dot = memchr(arg, '.', len);
        for (; !applied && dot; dot = memchr(dot + 1, '.', (size_t)(eq - dot - 1))) {
            for (int j = 0; j < ps->n; j++) {
                policy *p = ps->p[j];
                if (strlen(p->name) != (size_t)(dot - arg) || strncmp(p->name, arg, (size_t)(dot - arg)) != 0)
                    continue;
                int r = apply_param(p, dot + 1, (size_t)(eq - dot - 1), eq + 1, msg, sizeof msg);
                if (r == 1)
                    return unknown_param(p, dot + 1, (size_t)(eq - dot - 1), "--param", err);
                if (r == 2)
                    return rs_error_set(err, RS_BAD_INPUT, "--param", "%s", msg);
                applied++;
            }
        }
        if (!applied)
            return no_such_param(ps, arg, len, err);
    }
    return RS_OK;
}

