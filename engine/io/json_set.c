/* --set PATH=VALUE overrides, applied to the parsed tree before decoding. A refused override changes
 * nothing; a value that came from one is reported with where "--set PATH". */
#include "json_decode.h"

#include "json_pos.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Reports a problem with an override (where "--set PATH"; the whole argument when PATH is empty);
 * returns false. */
static bool set_problem(jd_loader *ld, const char *arg, size_t plen, const char *fmt, ...) JD_PRINTF(4, 5);

static bool set_problem(jd_loader *ld, const char *arg, size_t plen, const char *fmt, ...)
{
    if (jd_full(ld))
        return false;
    rs_error *e = jd_add_problem(ld, 0);
    char path[JD_SHOW_MAX], shown[JD_SHOW_MAX];
    snprintf(path, sizeof path, "%.*s", (int)(plen < sizeof path ? plen : sizeof path - 1), arg);
    snprintf(e->where, sizeof e->where, "--set %s", jd_show(plen ? path : arg, shown, sizeof shown));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return false;
}

/* The value of an override: JSON if it is valid JSON, else the text as a string. */
static cJSON *set_value(jd_loader *ld, const char *text, const char **why)
{
    size_t at, len = strlen(text);
    char msg[8];
    if (len > 0 && rs_json_check_syntax(text, len, &at, msg, sizeof msg) == 0) {
        cJSON *v = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1); /* len + 1: the NUL ends it */
        ld->oom |= v == NULL;
        return v;
    }
    if (rs_json_check_text(text, len) != len) {
        *why = "the value has a control character or is not valid UTF-8";
        return NULL;
    }
    cJSON *v = cJSON_CreateString(text);
    ld->oom |= v == NULL;
    return v;
}

/* Creates the objects of path[from..n-1) under cur, once the whole path is known to be creatable. */
static cJSON *set_create(cJSON *cur, const jd_step *path, int from, int n, char *why, size_t size)
{
    char here[200];
    for (int j = from; j < n; j++)
        if (!path[j].key) {
            jd_render_path(path, j, here, sizeof here);
            snprintf(why, size, "%s does not exist (--set can add keys to objects, not items to arrays)",
                     here);
            return NULL;
        }
    for (int j = from; j < n - 1 && cur; j++)
        cur = cJSON_AddObjectToObject(cur, path[j].key);
    if (!cur)
        snprintf(why, size, "out of memory");
    return cur;
}

/* Walks to the parent of the last step, creating missing objects (*created: the steps to the first one
 * created, else n). Changes nothing and returns NULL with *why when the path cannot be set. */
static cJSON *set_parent(cJSON *root, const jd_step *path, int n, int *created, char *why, size_t size)
{
    cJSON *cur = root;
    char here[200];
    for (int i = 0; i < n - 1; i++) {
        cJSON *next = path[i].key ? cJSON_GetObjectItemCaseSensitive(cur, path[i].key)
                                  : cJSON_GetArrayItem(cur, path[i].index);
        if (!next && path[i].key) {
            *created = i + 1;
            return set_create(cur, path, i, n, why, size);
        }
        jd_render_path(path, i + 1, here, sizeof here);
        if (!next) {
            snprintf(why, size, "%s does not exist (--set can change items of arrays, not add them)", here);
            return NULL;
        }
        if (path[i + 1].key ? !cJSON_IsObject(next) : !cJSON_IsArray(next)) {
            snprintf(why, size, "%s is not %s", here, path[i + 1].key ? "an object" : "an array");
            return NULL;
        }
        cur = next;
    }
    return cur;
}

/* Puts value at the last step of path under parent; returns false with *why (value then not owned). */
static bool set_last(cJSON *parent, const jd_step *path, int n, cJSON *value, char *why, size_t size)
{
    const jd_step *last = &path[n - 1];
    if (last->key) {
        if (cJSON_GetObjectItemCaseSensitive(parent, last->key))
            return cJSON_ReplaceItemInObjectCaseSensitive(parent, last->key, value);
        return cJSON_AddItemToObject(parent, last->key, value);
    }
    int size_now = cJSON_GetArraySize(parent);
    if (last->index >= size_now) {
        char here[200];
        jd_render_path(path, n - 1, here, sizeof here);
        snprintf(why, size,
                 "index %d is past the end of %s (%d item%s); --set can change items, not add them",
                 last->index, here, size_now, size_now == 1 ? "" : "s");
        return false;
    }
    return cJSON_ReplaceItemInArray(parent, last->index, value);
}

bool jd_apply_set(jd_loader *ld, cJSON *root, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t plen = eq ? (size_t)(eq - arg) : strlen(arg);
    char buf[200], why[300] = "";
    const char *reason = NULL;
    jd_step path[JD_MAX_PATH];
    if (!eq)
        return set_problem(ld, arg, plen, "expected PATH=VALUE, e.g. --set deployment.replicas=10");
    if (plen >= sizeof buf)
        return set_problem(ld, arg, plen, "the path is too long");
    memcpy(buf, arg, plen);
    buf[plen] = '\0';
    int n = jd_parse_path(buf, path, JD_MAX_PATH, &reason);
    if (n < 0)
        return set_problem(ld, arg, plen, "malformed path: %s; write it as a.b[2].c", reason);
    if (!path[0].key)
        return set_problem(ld, arg, plen, "a path starts with a key of the top-level object");
    cJSON *value = set_value(ld, eq + 1, &reason);
    if (!value)
        return reason ? set_problem(ld, arg, plen, "%s", reason) : false;
    int created = n;
    cJSON *parent = set_parent(root, path, n, &created, why, sizeof why);
    if (!parent || !set_last(parent, path, n, value, why, sizeof why)) {
        cJSON_Delete(value);
        return set_problem(ld, arg, plen, "%s", why[0] ? why : "out of memory");
    }
    jd_override *o = &ld->sets[ld->n_sets++];
    jd_render_path(path, created, o->path, sizeof o->path); /* what the override made covers all below */
    o->text = arg;
    o->text_len = (int)plen;
    return true;
}
