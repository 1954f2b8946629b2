/* The summary of a sweep: runs aggregated per point (rates, time to detect, costs, each with its 95%
 * interval), the Pareto front of false-rollback rate against median time to detect, and the two files
 * that hold it, points.csv and points.jsonl. Everything is computed from the runs sorted by (point, seed),
 * so the summary depends only on which runs were made, not on their order, threads or shards. */
#define _POSIX_C_SOURCE 200809L /* getline */
#include "sweep_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollsim/strbuf.h"

/* ---- aggregation ---- */

static int cmp_run(const void *pa, const void *pb)
{
    const rs_sweep_run *a = pa, *b = pb;
    if (a->point != b->point)
        return a->point < b->point ? -1 : 1;
    return (a->seed > b->seed) - (a->seed < b->seed);
}

static int cmp_run_ptr(const void *pa, const void *pb)
{
    return cmp_run(*(const rs_sweep_run *const *)pa, *(const rs_sweep_run *const *)pb);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Scratch arrays for one point's values. */
typedef struct {
    double *ttd, *failed, *budget, *rows;
} columns;

static void point_stats(const rs_sweep *sw, const rs_sweep_run *const *runs, size_t n, columns *c,
                        rs_sweep_point *p)
{
    long nt = 0, nv = 0;
    for (size_t i = 0; i < n; i++) {
        const rs_sweep_run *r = runs[i];
        p->runs++;
        if (r->error[0]) {
            p->errors++;
            continue;
        }
        bool faulty = sw->mix[r->mix].fault >= 0;
        p->mix_runs[r->mix]++;
        p->mix_rolled_back[r->mix] += r->rolled_back;
        if (faulty) {
            p->faulty++;
            p->detected += r->rolled_back;
            /* a fault that showed and was never rolled back: detected never (an infinite time) */
            if (r->rolled_back && isfinite(r->ttd_s))
                c->ttd[nt++] = r->ttd_s;
            else if (!r->rolled_back && isfinite(r->onset_s))
                c->ttd[nt++] = INFINITY;
        } else {
            p->healthy++;
            p->false_rollbacks += r->rolled_back;
        }
        c->failed[nv] = r->failed;
        c->budget[nv] = r->budget_pct;
        c->rows[nv] = r->rows_lost;
        nv++;
    }
    p->false_rate = rs_sweep_wilson(p->false_rollbacks, p->healthy);
    p->detection = rs_sweep_wilson(p->detected, p->faulty);
    qsort(c->ttd, (size_t)nt, sizeof *c->ttd, cmp_double);
    p->n_ttd = nt;
    p->ttd_median = rs_sweep_quantile(c->ttd, nt, 0.5);
    p->ttd_p95 = rs_sweep_quantile(c->ttd, nt, 0.95);
    p->failed = rs_sweep_mean(c->failed, nv);
    p->budget_pct = rs_sweep_mean(c->budget, nv);
    p->rows_lost = rs_sweep_mean(c->rows, nv);
}

static void mark_front(rs_sweep_summary *s)
{
    if (s->n_points <= 0)
        return;
    double *x = malloc(sizeof *x * (size_t)s->n_points), *y = malloc(sizeof *y * (size_t)s->n_points);
    bool *front = malloc(sizeof *front * (size_t)s->n_points);
    if (x && y && front) {
        for (int i = 0; i < s->n_points; i++) {
            x[i] = s->points[i].false_rate.est;
            y[i] = isinf(s->points[i].ttd_median.est) ? NAN : s->points[i].ttd_median.est; /* "never" */
        }
        rs_sweep_pareto(x, y, s->n_points, front);
        for (int i = 0; i < s->n_points; i++)
            s->points[i].on_front = front[i];
    }
    free(x);
    free(y);
    free(front);
}

rs_sweep_summary *rs_sweep_summarize(const rs_sweep *sw, const rs_sweep_run *runs, size_t n)
{
    rs_sweep_summary *s = calloc(1, sizeof *s);
    const rs_sweep_run **sorted = malloc(sizeof *sorted * (n ? n : 1)); /* pointers: the runs stay put */
    columns c = {malloc(sizeof(double) * (n ? n : 1)), malloc(sizeof(double) * (n ? n : 1)),
                 malloc(sizeof(double) * (n ? n : 1)), malloc(sizeof(double) * (n ? n : 1))};
    if (s)
        s->points = calloc((size_t)(sw->n_points ? sw->n_points : 1), sizeof *s->points);
    if (!s || !s->points || !sorted || !c.ttd || !c.failed || !c.budget || !c.rows) {
        rs_sweep_summary_free(s);
        s = NULL;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = &runs[i];
    qsort(sorted, n, sizeof *sorted, cmp_run_ptr);
    s->sweep = sw;
    s->n_points = sw->n_points;
    s->runs = (long)n;
    s->expected = (long)sw->n_points * sw->seeds;
    size_t i = 0;
    for (int p = 0; p < sw->n_points; p++) {
        rs_sweep_point *pt = &s->points[p];
        pt->point = p;
        rs_sweep_point_label(sw, p, pt->label, sizeof pt->label);
        pt->current = p == sw->current;
        size_t j = i;
        while (j < n && sorted[j]->point == p)
            j++;
        point_stats(sw, sorted + i, j - i, &c, pt);
        i = j;
    }
    mark_front(s);
out:
    free(sorted);
    free(c.ttd);
    free(c.failed);
    free(c.budget);
    free(c.rows);
    return s;
}

void rs_sweep_summary_free(rs_sweep_summary *s)
{
    if (!s)
        return;
    free(s->points);
    free(s);
}

/* ---- text ---- */

/* A CSV number: empty when undefined. */
static const char *cnum(double v, int decimals, char *tmp)
{
    if (!isfinite(v))
        return "";
    return rs__sweep_num(v, decimals, tmp, 32);
}

static void csv_field(rs_strbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        rs_strbuf_printf(b, "%s", s);
        return;
    }
    rs_strbuf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            rs_strbuf_puts(b, "\"\"");
        else
            rs_strbuf_printf(b, "%c", *s);
    }
    rs_strbuf_puts(b, "\"");
}

/* A CSV number: empty when undefined, "never" for an infinite time. */
static const char *cval(double v, int decimals, char *tmp)
{
    return isinf(v) && v > 0 ? "never" : cnum(v, decimals, tmp);
}

static void csv_est(rs_strbuf *b, rs_estimate e, int decimals)
{
    char t1[32], t2[32], t3[32];
    rs_strbuf_printf(b, ",%s,%s,%s", cval(e.est, decimals, t1), cval(e.lo, decimals, t2), cval(e.hi, decimals, t3));
}

char *rs_sweep_points_csv(const rs_sweep_summary *s)
{
    const rs_sweep *sw = s->sweep;
    rs_strbuf b = {0};
    rs_strbuf_puts(&b, "point");
    for (int i = 0; i < sw->n_params; i++) {
        rs_strbuf_puts(&b, ",");
        csv_field(&b, sw->params[i].name);
    }
    rs_strbuf_printf(&b, ",runs,errors,healthy,false_rollbacks,false_rollback_rate,false_rollback_lo,false_rollback_hi,"
            "faulty,detected,detection_rate,detection_lo,detection_hi,ttd_n,ttd_median_s,ttd_median_lo_s,"
            "ttd_median_hi_s,ttd_p95_s,ttd_p95_lo_s,ttd_p95_hi_s,failed_mean,failed_lo,failed_hi,budget_pct_mean,"
            "budget_pct_lo,budget_pct_hi,rows_lost_mean,rows_lost_lo,rows_lost_hi,current,on_front\n");
    for (int p = 0; p < s->n_points; p++) {
        const rs_sweep_point *pt = &s->points[p];
        rs_strbuf_printf(&b, "%d", p);
        for (int i = 0; i < sw->n_params; i++) {
            rs_strbuf_puts(&b, ",");
            csv_field(&b, sw->params[i].values[rs_sweep_point_value(sw, p, i)]);
        }
        rs_strbuf_printf(&b, ",%ld,%ld,%ld,%ld", pt->runs, pt->errors, pt->healthy, pt->false_rollbacks);
        csv_est(&b, pt->false_rate, 4);
        rs_strbuf_printf(&b, ",%ld,%ld", pt->faulty, pt->detected);
        csv_est(&b, pt->detection, 4);
        rs_strbuf_printf(&b, ",%ld", pt->n_ttd);
        csv_est(&b, pt->ttd_median, 1);
        csv_est(&b, pt->ttd_p95, 1);
        csv_est(&b, pt->failed, 1);
        csv_est(&b, pt->budget_pct, 4);
        csv_est(&b, pt->rows_lost, 1);
        rs_strbuf_printf(&b, ",%s,%s\n", pt->current ? "true" : "false", pt->on_front ? "true" : "false");
    }
    return rs_strbuf_take(&b);
}

static void json_text(rs_strbuf *b, const char *s)
{
    rs_strbuf_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            rs_strbuf_printf(b, "\\%c", c);
        else if (c < 0x20)
            rs_strbuf_printf(b, "\\u%04x", c);
        else
            rs_strbuf_printf(b, "%c", c);
    }
    rs_strbuf_puts(b, "\"");
}

/* A JSON number: null when undefined, "never" for an infinite time. */
static const char *jval(double v, int decimals, char *tmp, size_t size)
{
    return isinf(v) && v > 0 ? "\"never\"" : rs__sweep_num(v, decimals, tmp, size);
}

static void json_est(rs_strbuf *b, const char *key, rs_estimate e, int decimals)
{
    char t1[32], t2[32], t3[32];
    rs_strbuf_printf(b, ",\"%s\":{\"est\":%s,\"lo\":%s,\"hi\":%s}", key, jval(e.est, decimals, t1, sizeof t1),
        jval(e.lo, decimals, t2, sizeof t2), jval(e.hi, decimals, t3, sizeof t3));
}

/* A value that reads entirely as a number is written as one. */
static void json_value(rs_strbuf *b, const char *v)
{
    char *end;
    double x = strtod(v, &end);
    if (end != v && !*end && isfinite(x) && strspn(v, "-0123456789.eE+") == strlen(v))
        rs_strbuf_printf(b, "%s", v);
    else
        json_text(b, v);
}

char *rs_sweep_points_jsonl(const rs_sweep_summary *s)
{
    const rs_sweep *sw = s->sweep;
    rs_strbuf b = {0};
    for (int p = 0; p < s->n_points; p++) {
        const rs_sweep_point *pt = &s->points[p];
        rs_strbuf_printf(&b, "{\"point\":%d,\"params\":{", p);
        for (int i = 0; i < sw->n_params; i++) {
            rs_strbuf_puts(&b, i ? "," : "");
            json_text(&b, sw->params[i].name);
            rs_strbuf_puts(&b, ":");
            json_value(&b, sw->params[i].values[rs_sweep_point_value(sw, p, i)]);
        }
        rs_strbuf_puts(&b, "},\"label\":");
        json_text(&b, pt->label);
        rs_strbuf_printf(&b, ",\"runs\":%ld,\"errors\":%ld,\"healthy\":%ld,\"false_rollbacks\":%ld", pt->runs,
                         pt->errors, pt->healthy, pt->false_rollbacks);
        json_est(&b, "false_rollback_rate", pt->false_rate, 4);
        rs_strbuf_printf(&b, ",\"faulty\":%ld,\"detected\":%ld", pt->faulty, pt->detected);
        json_est(&b, "detection_rate", pt->detection, 4);
        rs_strbuf_printf(&b, ",\"ttd_n\":%ld", pt->n_ttd);
        json_est(&b, "ttd_median_s", pt->ttd_median, 1);
        json_est(&b, "ttd_p95_s", pt->ttd_p95, 1);
        json_est(&b, "failed", pt->failed, 1);
        json_est(&b, "budget_pct", pt->budget_pct, 4);
        json_est(&b, "rows_lost", pt->rows_lost, 1);
        rs_strbuf_puts(&b, ",\"by_kind\":[");
        for (int m = 0; m < sw->n_mix; m++) {
            rs_strbuf_printf(&b, "%s{\"kind\":", m ? "," : "");
            json_text(&b, sw->mix[m].label);
            rs_strbuf_printf(&b, ",\"runs\":%ld,\"rolled_back\":%ld}", pt->mix_runs[m], pt->mix_rolled_back[m]);
        }
        rs_strbuf_printf(&b, "],\"current\":%s,\"on_front\":%s}\n", pt->current ? "true" : "false",
                         pt->on_front ? "true" : "false");
    }
    return rs_strbuf_take(&b);
}

/* ---- files ---- */

/* Reads runs.jsonl a line at a time (the file can be much larger than what is kept of it). */
rs_status rs__sweep_read_runs(const rs_sweep *sw, const char *path, rs_sweep_run **runs, size_t *n,
                              size_t *good_len, rs_error *err)
{
    *runs = NULL;
    *n = 0;
    *good_len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? RS_OK
                               : rs_error_set(err, RS_INTERNAL, path, "cannot read %s: %s", path, strerror(errno));
    size_t cap = 0, count = 0, pos = 0, size = 0;
    rs_sweep_run *v = NULL;
    rs_status st = RS_OK;
    char *line = NULL;
    ssize_t l;
    for (long no = 1; (l = getline(&line, &size, f)) > 0; no++) {
        if (line[l - 1] != '\n')
            break; /* a write cut short by a crash: not a run */
        if (count == cap) {
            cap = cap ? cap * 2 : 1024;
            rs_sweep_run *w = realloc(v, cap * sizeof *w);
            if (!w) {
                st = rs_error_set(err, RS_INTERNAL, path, "out of memory reading %s", path);
                break;
            }
            v = w;
        }
        rs_error e;
        rs_error_clear(&e);
        if (rs_sweep_run_parse(sw, line, (size_t)l - 1, &v[count], &e) != RS_OK) {
            char where[RS_SWEEP_PATH_MAX + 32];
            snprintf(where, sizeof where, "%s:%ld", path, no);
            st = rs_error_set(err, RS_BAD_INPUT, where, "%s", e.message);
            break;
        }
        if (v[count].seed < sw->seeds)
            count++;
        pos += (size_t)l;
    }
    if (st == RS_OK && ferror(f))
        st = rs_error_set(err, RS_INTERNAL, path, "cannot read %s: %s", path, strerror(errno));
    free(line);
    fclose(f);
    if (st != RS_OK) {
        free(v);
        return st;
    }
    *runs = v;
    *n = count;
    *good_len = pos;
    return RS_OK;
}

static bool same_run(const rs_sweep_run *a, const rs_sweep_run *b)
{
    const double x[] = {a->onset_s, a->rollback_s, a->ttd_s, a->failed, a->budget_pct, a->rows_lost, a->end_s};
    const double y[] = {b->onset_s, b->rollback_s, b->ttd_s, b->failed, b->budget_pct, b->rows_lost, b->end_s};
    for (size_t i = 0; i < sizeof x / sizeof *x; i++)
        if (!(x[i] == y[i] || (isnan(x[i]) && isnan(y[i]))))
            return false;
    return a->mix == b->mix && a->rolled_back == b->rolled_back && a->promoted == b->promoted &&
           strcmp(a->error, b->error) == 0;
}

rs_status rs__sweep_sort_runs(const rs_sweep *sw, rs_sweep_run *runs, size_t *n, rs_error *err)
{
    (void)sw;
    qsort(runs, *n, sizeof *runs, cmp_run);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if (k > 0 && cmp_run(&runs[k - 1], &runs[i]) == 0) {
            if (!same_run(&runs[k - 1], &runs[i]))
                return rs_error_set(err, RS_BAD_INPUT, "",
                                    "run (point %d, seed %d) was recorded twice with different results: were the "
                                    "shards run with different versions of rollsim?",
                                    runs[i].point, runs[i].seed);
            continue;
        }
        runs[k++] = runs[i];
    }
    *n = k;
    return RS_OK;
}

static rs_status write_text(const char *dir, const char *name, char *text, rs_error *err)
{
    char path[RS_SWEEP_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!text)
        return rs_error_set(err, RS_INTERNAL, path, "out of memory writing %s", path);
    rs_status st = rs_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return st;
}

rs_status rs__sweep_write_summary(const rs_sweep *sw, const char *dir, const rs_sweep_run *runs, size_t n,
                                  bool allow_missing, rs_sweep_summary **out, rs_error *err)
{
    *out = NULL;
    long expected = (long)sw->n_points * sw->seeds;
    if ((long)n < expected && !allow_missing)
        return rs_error_set(err, RS_BAD_INPUT, dir,
                            "%ld of the sweep's %ld runs are missing (an interrupted sweep: --resume it; shards: "
                            "merge them all)",
                            expected - (long)n, expected);
    rs_sweep_summary *s = rs_sweep_summarize(sw, runs, n);
    if (!s)
        return rs_error_set(err, RS_INTERNAL, dir, "out of memory summarising the sweep");
    rs_status st = write_text(dir, "points.csv", rs_sweep_points_csv(s), err);
    if (st == RS_OK)
        st = write_text(dir, "points.jsonl", rs_sweep_points_jsonl(s), err);
    if (st != RS_OK) {
        rs_sweep_summary_free(s);
        return st;
    }
    *out = s;
    return RS_OK;
}

rs_status rs_sweep_finish(const rs_sweep *sw, const char *out_dir, bool allow_missing, rs_sweep_summary **out,
                          rs_error *err)
{
    char path[RS_SWEEP_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", out_dir, RS_SWEEP_RUNS_FILE);
    rs_sweep_run *runs;
    size_t n, good;
    *out = NULL;
    rs_status st = rs__sweep_read_runs(sw, path, &runs, &n, &good, err);
    if (st == RS_OK)
        st = rs__sweep_sort_runs(sw, runs, &n, err);
    if (st == RS_OK)
        st = rs__sweep_write_summary(sw, out_dir, runs, n, allow_missing, out, err);
    free(runs);
    return st;
}
