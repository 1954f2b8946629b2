/* Which files `rollsim test` runs: the paths named, and the scenarios found in folders. A JSON file in a
 * folder is a scenario unless its top-level keys say it is something else (a sweep, a report, a
 * Kubernetes object), so that reports and sweeps may live beside scenarios. */
#define _POSIX_C_SOURCE 200809L

#include "rollsim/testing.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE_BYTES (64u << 20)
#define MAX_DEPTH 32

const char *rs_json_role(const char *text, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root)
        return NULL;
    const char *role = !cJSON_IsObject(root)                                     ? "not a JSON object"
                       : cJSON_GetObjectItemCaseSensitive(root, "sweep")      ? "a sweep"
                       : cJSON_GetObjectItemCaseSensitive(root, "schema")     ? "a rollsim report"
                       : cJSON_GetObjectItemCaseSensitive(root, "apiVersion") ? "a Kubernetes object"
                                                                               : NULL;
    cJSON_Delete(root);
    return role;
}

/* The role of a file; unreadable files are taken for scenarios (the loader says why they cannot be read). */
static const char *file_role(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= MAX_FILE_BYTES)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    const char *role = buf && n < cap ? rs_json_role(buf, n) : NULL;
    free(buf);
    return role;
}

static rs_status add(rs_test_files *out, const char *path, const char *role, rs_error *err)
{
    rs_test_file *more = realloc(out->files, (size_t)(out->count + 1) * sizeof *more);
    char *copy = more ? malloc(strlen(path) + 1) : NULL;
    if (more)
        out->files = more;
    if (!copy)
        return rs_error_set(err, RS_INTERNAL, path, "out of memory listing the scenarios");
    memcpy(copy, path, strlen(path) + 1);
    out->files[out->count].path = copy;
    out->files[out->count].not_scenario = role;
    out->count++;
    return RS_OK;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool wanted_entry(const char *name, bool is_dir)
{
    if (name[0] == '.')
        return false;
    if (is_dir)
        return strcmp(name, "policies") != 0 && strcmp(name, "sweeps") != 0;
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* The names in a folder, sorted by bytes (not by locale). Caller frees each and the array. */
static rs_status list_dir(const char *dir, char ***names, int *count, rs_error *err)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return rs_error_set(err, RS_BAD_INPUT, dir, "cannot read the folder %s: %s", dir, strerror(errno));
    rs_status st = RS_OK;
    for (struct dirent *e; st == RS_OK && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char **more = realloc(*names, (size_t)(*count + 1) * sizeof *more);
        char *copy = more ? malloc(strlen(e->d_name) + 1) : NULL;
        if (more)
            *names = more;
        if (!copy) {
            st = rs_error_set(err, RS_INTERNAL, dir, "out of memory listing %s", dir);
            break;
        }
        memcpy(copy, e->d_name, strlen(e->d_name) + 1);
        (*names)[(*count)++] = copy;
    }
    closedir(d);
    if (*count > 1)
        qsort(*names, (size_t)*count, sizeof **names, by_name);
    return st;
}

static rs_status walk(const char *dir, int depth, rs_test_files *out, rs_error *err)
{
    if (depth > MAX_DEPTH)
        return rs_error_set(err, RS_BAD_INPUT, dir, "folders nested deeper than %d levels (a link loop?)", MAX_DEPTH);
    char **names;
    int n;
    rs_status st = list_dir(dir, &names, &n, err);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = st == RS_OK ? malloc(len) : NULL;
        if (st == RS_OK && !path)
            st = rs_error_set(err, RS_INTERNAL, dir, "out of memory listing %s", dir);
        if (path) {
            bool slash = dir[0] && dir[strlen(dir) - 1] == '/';
            snprintf(path, len, "%s%s%s", dir, slash ? "" : "/", names[i]);
            struct stat sb;
            bool is_dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
            if (wanted_entry(names[i], is_dir)) {
                if (is_dir)
                    st = walk(path, depth + 1, out, err);
                else if (!file_role(path))
                    st = add(out, path, NULL, err);
            }
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return st;
}

rs_status rs_test_collect(const char *const *paths, int n, rs_test_files *out, rs_error *err)
{
    out->count = 0;
    out->files = NULL;
    rs_status st = RS_OK;
    for (int i = 0; st == RS_OK && i < n; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0)
            st = rs_error_set(err, RS_BAD_INPUT, paths[i], "cannot read %s: %s", paths[i], strerror(errno));
        else if (S_ISDIR(sb.st_mode))
            st = walk(paths[i], 0, out, err);
        else
            st = add(out, paths[i], file_role(paths[i]), err);
    }
    return st;
}

void rs_test_files_free(rs_test_files *files)
{
    for (int i = 0; i < files->count; i++)
        free(files->files[i].path);
    free(files->files);
    files->files = NULL;
    files->count = 0;
}
