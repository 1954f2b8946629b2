/* Golden reports: a run's JSON report compared with the copy kept in the repository, value by value, so
 * that a change shows as the first figure that moved and its JSON path, not as a wall of diff. */
#include "rollsim/testing.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PATH_MAX_LEN 512
#define SHOW_MAX 72

typedef struct {
    int count;         /* values that differ */
    char first[640];   /* the first one, for people */
} diff_state;

/* A value as it reads in the file, cut to SHOW_MAX bytes; containers by their size. */
static const char *show(const cJSON *v, char *buf, size_t size)
{
    if (!v) {
        snprintf(buf, size, "missing");
    } else if (cJSON_IsObject(v)) {
        snprintf(buf, size, "an object");
    } else if (cJSON_IsArray(v)) {
        snprintf(buf, size, "an array of %d items", cJSON_GetArraySize(v));
    } else {
        char *text = cJSON_PrintUnformatted(v);
        if (!text) {
            snprintf(buf, size, "(out of memory)");
            return buf;
        }
        if (strlen(text) > SHOW_MAX)
            snprintf(buf, size, "%.*s...", SHOW_MAX, text);
        else
            snprintf(buf, size, "%s", text);
        cJSON_free(text);
    }
    return buf;
}

static void differ(diff_state *d, const char *path, const cJSON *golden, const cJSON *now)
{
    if (d->count++ > 0)
        return;
    char g[SHOW_MAX + 32], n[SHOW_MAX + 32];
    snprintf(d->first, sizeof d->first, "%s: golden %s, now %s", path[0] ? path : "(the whole report)",
             show(golden, g, sizeof g), show(now, n, sizeof n));
}

static bool same_leaf(const cJSON *a, const cJSON *b)
{
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return false;
    if (cJSON_IsNumber(a))
        return a->valuedouble == b->valuedouble;
    if (cJSON_IsString(a))
        return strcmp(a->valuestring, b->valuestring) == 0;
    return true; /* true, false, null */
}

static void compare(const cJSON *g, const cJSON *n, char *path, size_t len, diff_state *d);

/* Extends path with ".key" or "[i]" for the call, then restores it. */
static void compare_at(const cJSON *g, const cJSON *n, char *path, size_t len, const char *key, int index,
                       diff_state *d)
{
    size_t end = strlen(path);
    if (key)
        snprintf(path + end, len - end, "%s%s", end ? "." : "", key);
    else
        snprintf(path + end, len - end, "[%d]", index);
    if (!g || !n)
        differ(d, path, g, n);
    else
        compare(g, n, path, len, d);
    path[end] = '\0';
}

static void compare(const cJSON *g, const cJSON *n, char *path, size_t len, diff_state *d)
{
    bool g_obj = cJSON_IsObject(g), g_arr = cJSON_IsArray(g);
    if (g_obj != cJSON_IsObject(n) || g_arr != cJSON_IsArray(n)) {
        differ(d, path, g, n);
    } else if (g_obj) {
        for (const cJSON *m = g->child; m; m = m->next)
            compare_at(m, cJSON_GetObjectItemCaseSensitive(n, m->string), path, len, m->string, 0, d);
        for (const cJSON *m = n->child; m; m = m->next)
            if (!cJSON_GetObjectItemCaseSensitive(g, m->string))
                compare_at(NULL, m, path, len, m->string, 0, d);
    } else if (g_arr) {
        const cJSON *a = g->child, *b = n->child;
        int i = 0;
        for (; a && b; a = a->next, b = b->next, i++)
            compare_at(a, b, path, len, NULL, i, d);
        if (a || b) /* one is longer: its items from here are missing in the other */
            differ(d, path, g, n);
    } else if (!same_leaf(g, n)) {
        differ(d, path, g, n);
    }
}

int rs_golden_diff(const char *golden, const char *now, char *buf, size_t size)
{
    cJSON *g = cJSON_Parse(golden), *n = g ? cJSON_Parse(now) : NULL;
    if (!g || !n) {
        snprintf(buf, size, "the %s is not valid JSON", g ? "report" : "golden file");
        cJSON_Delete(g);
        return -1;
    }
    diff_state d = {0};
    char path[PATH_MAX_LEN] = "";
    compare(g, n, path, sizeof path, &d);
    cJSON_Delete(g);
    cJSON_Delete(n);
    if (d.count == 0) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    if (d.count > 1)
        snprintf(buf, size, "%s (and %d more difference%s)", d.first, d.count - 1, d.count > 2 ? "s" : "");
    else
        snprintf(buf, size, "%s", d.first);
    return 1;
}
