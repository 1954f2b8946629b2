/* Shared by the files of engine/sweep, private to it: diagnostics, file reading, the hash, numbers in
 * JSON, and the output folder's file names. */
#ifndef ROLLSIM_SWEEP_INT_H
#define ROLLSIM_SWEEP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "rollsim/sweep.h"

#if defined(__GNUC__)
#define SW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SW_PRINTF(a, b)
#endif

#define RS_SWEEP_OUT_SCHEMA "rollsim.sweep-out/1"
#define RS_SWEEP_RUNS_FILE "runs.jsonl"
#define RS_SWEEP_META_FILE "sweep.json"
#define RS_SWEEP_LINE_MAX 1024 /* one line of runs.jsonl */

/* Reads a whole file, NUL-terminated. Caller frees *text. Returns 0, or -1 with errno set. */
int rs__sweep_read_file(const char *path, char **text, size_t *len);

/* FNV-1a, 64 bits, continued from h (start with RS_SWEEP_FNV_INIT). */
#define RS_SWEEP_FNV_INIT 0xcbf29ce484222325ULL
uint64_t rs__sweep_fnv(uint64_t h, const void *data, size_t len);

/* "a/b" joined; `rel` absolute is kept as it is. */
void rs__sweep_join(char *out, size_t size, const char *dir, const char *rel);
/* The folder of a path ("." when it has none). */
void rs__sweep_dirname(const char *path, char *out, size_t size);

/* A number for JSON with `decimals` digits after the point (trailing zeros cut), "null" for NaN. */
const char *rs__sweep_num(double v, int decimals, char *buf, size_t size);

/* Decodes the definition ({"sweep": {...}}) without touching any other file: what merge reads back from
 * an output's sweep.json. origin names the text in messages. */
rs_status rs__sweep_decode(const cJSON *root, const char *origin, rs_sweep *sw, rs_diagnostics *diag);

/* Reads OUT/sweep.json into sw (definition, hash, seeds). */
rs_status rs__sweep_read_meta(const char *dir, rs_sweep *sw, rs_error *err);
/* Writes OUT/sweep.json atomically; shard "" when unsharded. */
rs_status rs__sweep_write_meta(const rs_sweep *sw, const char *dir, const char *shard, rs_error *err);

/* Reads a runs.jsonl: the runs of sw (their seed below sw->seeds), unsorted. A last line without its
 * newline (a write cut short by a crash) is left out; *good_len is the length of the file up to it.
 * A missing file is no run. Caller frees *runs. */
rs_status rs__sweep_read_runs(const rs_sweep *sw, const char *path, rs_sweep_run **runs, size_t *n,
                              size_t *good_len, rs_error *err);
/* Sorts by (point, seed) and removes duplicates; a duplicate that differs is an error. */
rs_status rs__sweep_sort_runs(const rs_sweep *sw, rs_sweep_run *runs, size_t *n, rs_error *err);
/* Writes the summary files of runs into dir. */
rs_status rs__sweep_write_summary(const rs_sweep *sw, const char *dir, const rs_sweep_run *runs, size_t n,
                                  bool allow_missing, rs_sweep_summary **out, rs_error *err);

#endif
