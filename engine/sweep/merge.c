/* Merging shards: the runs.jsonl of each shard's output, checked to be of one sweep, sorted by run and
 * written again with the summary, which is then byte for byte the summary of the unsharded sweep (both
 * are computed from the same lines, in the same order). No coordinator: any scheduler that runs the
 * shards and then this is enough. */
#include "sweep_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static rs_status append_runs(const rs_sweep *sw, const char *dir, rs_sweep_run **all, size_t *n, size_t *cap,
                             rs_error *err)
{
    char path[RS_SWEEP_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, RS_SWEEP_RUNS_FILE);
    rs_sweep_run *runs;
    size_t m, good;
    rs_status st = rs__sweep_read_runs(sw, path, &runs, &m, &good, err);
    if (st != RS_OK)
        return st;
    if (*n + m > *cap) {
        size_t c = (*n + m) * 2;
        rs_sweep_run *v = realloc(*all, c * sizeof *v);
        if (!v) {
            free(runs);
            return rs_error_set(err, RS_INTERNAL, dir, "out of memory");
        }
        *all = v;
        *cap = c;
    }
    if (m)
        memcpy(*all + *n, runs, m * sizeof *runs);
    *n += m;
    free(runs);
    return RS_OK;
}

/* The inputs' records agree with the first one's. */
static rs_status same_sweep(const rs_sweep *sw, const char *first, const char *dir, rs_error *err)
{
    rs_sweep *other = malloc(sizeof *other);
    if (!other)
        return rs_error_set(err, RS_INTERNAL, dir, "out of memory");
    rs_status st = rs__sweep_read_meta(dir, other, err);
    if (st == RS_OK && (other->hash != sw->hash || other->seeds != sw->seeds))
        st = rs_error_set(err, RS_BAD_INPUT, dir,
                          "%s is the output of another sweep than %s (hash %016llx against %016llx, %d seeds "
                          "against %d): merge only the shards of one sweep",
                          dir, first, (unsigned long long)other->hash, (unsigned long long)sw->hash, other->seeds,
                          sw->seeds);
    rs_sweep_fini(other);
    free(other);
    return st;
}

static rs_status write_runs(const char *dir, const rs_sweep *sw, const rs_sweep_run *runs, size_t n, rs_error *err)
{
    size_t cap = n * 256 + 1;
    char *text = malloc(cap);
    char path[RS_SWEEP_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, RS_SWEEP_RUNS_FILE);
    if (!text)
        return rs_error_set(err, RS_INTERNAL, path, "out of memory");
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char line[RS_SWEEP_LINE_MAX];
        int l = rs_sweep_run_line(sw, &runs[i], line, sizeof line);
        if (l < 0)
            continue;
        if (len + (size_t)l + 1 > cap) {
            cap = (len + (size_t)l + 1) * 2;
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                return rs_error_set(err, RS_INTERNAL, path, "out of memory");
            }
            text = t;
        }
        memcpy(text + len, line, (size_t)l);
        len += (size_t)l;
    }
    rs_status st = rs_write_file_atomic(path, text, len, err);
    free(text);
    return st;
}

rs_status rs_sweep_merge(const char *out_dir, const char *const *in_dirs, int n_in, bool allow_missing,
                         rs_sweep *sw, rs_sweep_summary **out, rs_error *err)
{
    *out = NULL;
    memset(sw, 0, sizeof *sw);
    if (n_in < 1)
        return rs_error_set(err, RS_BAD_INPUT, "", "nothing to merge: name the shards' output folders");
    rs_status st = rs__sweep_read_meta(in_dirs[0], sw, err);
    rs_sweep_run *all = NULL;
    size_t n = 0, cap = 0;
    for (int i = 1; st == RS_OK && i < n_in; i++)
        st = same_sweep(sw, in_dirs[0], in_dirs[i], err);
    for (int i = 0; st == RS_OK && i < n_in; i++)
        st = append_runs(sw, in_dirs[i], &all, &n, &cap, err);
    if (st == RS_OK)
        st = rs__sweep_sort_runs(sw, all, &n, err);
    if (st == RS_OK && mkdir(out_dir, 0777) != 0 && errno != EEXIST)
        st = rs_error_set(err, RS_INTERNAL, out_dir, "cannot create the folder %s: %s", out_dir, strerror(errno));
    if (st == RS_OK)
        st = rs__sweep_write_meta(sw, out_dir, "", err);
    if (st == RS_OK)
        st = write_runs(out_dir, sw, all, n, err);
    if (st == RS_OK)
        st = rs__sweep_write_summary(sw, out_dir, all, n, allow_missing, out, err);
    free(all);
    return st;
}
