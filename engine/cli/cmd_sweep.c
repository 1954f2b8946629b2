/* `rollsim sweep` and `rollsim merge`: a policy's settings over a grid and many releases, on all cores or
 * in shards, with a progress bar on a terminal; the trade-off table, files and picture at the end
 * (docs/sweeps.md). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "rollsim/render.h"
#include "rollsim/sweep.h"

/* Set by SIGINT/SIGTERM: finish the runs in progress, keep them, stop. A signal handler has no context
 * to write into, so this one flag is global. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

typedef struct {
    const char *file, *out, *png;
    int png_w, png_h;
    int jobs, shard, shards, seeds, fsync_every;
    bool resume, quiet, allow_missing;
} sweep_opts;

typedef struct {
    bool tty, quiet, ended;
    int last_decile;
} progress_state;

static void fmt_clock(double s, char *buf, size_t size)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, size, "--:--");
    else if (s >= 3600)
        snprintf(buf, size, "%d:%02d:%02d", (int)(s / 3600), (int)fmod(s / 60, 60), (int)fmod(s, 60));
    else
        snprintf(buf, size, "%d:%02d", (int)(s / 60), (int)fmod(s, 60));
}

/* A bar redrawn in place on a terminal; a plain line every 10% otherwise. */
static bool progress(void *ctx, long done, long total, double elapsed)
{
    progress_state *p = ctx;
    if (p->quiet || p->ended || total <= 0)
        return interrupted != 0;
    p->ended = done == total;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    char left[24];
    fmt_clock(rate > 0 ? (double)(total - done) / rate : NAN, left, sizeof left);
    if (p->tty) {
        char bar[31];
        int fill = (int)(30.0 * (double)done / (double)total);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r  [%s] %ld/%ld runs  %.0f runs/s  %s left ", bar, done, total, rate, left);
        if (done == total)
            fputs("\r\033[K", stderr);
    } else {
        int decile = (int)(10 * done / total);
        if (decile > p->last_decile) {
            p->last_decile = decile;
            fprintf(stderr, "rollsim sweep: %ld/%ld runs (%d%%), %.0f runs/s, %s left\n", done, total, decile * 10,
                    rate, left);
        }
    }
    return interrupted != 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_shard(const char *s, int *i, int *n)
{
    int a, b, len = 0;
    if (!s || sscanf(s, "%d/%d%n", &a, &b, &len) != 2 || s[len] || b < 1 || a < 0 || a >= b)
        return -1;
    *i = a;
    *n = b;
    return 0;
}

static void pct(rs_estimate e, char *buf, size_t size)
{
    if (isnan(e.est))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, "%5.1f%% [%4.1f-%4.1f]", e.est * 100, e.lo * 100, e.hi * 100);
}

static const char *dur(double s, char *buf, size_t size)
{
    if (isnan(s))
        return "?";
    if (isinf(s))
        return "never";
    return rs_format_duration((rs_time)llround(s * 1000), buf, size);
}

static void secs(rs_estimate e, char *buf, size_t size)
{
    char a[24], b[24], c[24];
    if (isnan(e.est))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, "%6s [%s-%s]", dur(e.est, a, sizeof a), dur(e.lo, b, sizeof b), dur(e.hi, c, sizeof c));
}

static void print_point(const rs_sweep_point *p, const char *mark)
{
    char f[48], d[48], t[64];
    pct(p->false_rate, f, sizeof f);
    pct(p->detection, d, sizeof d);
    secs(p->ttd_median, t, sizeof t);
    printf("  %-2s %-21s %-21s %-22s %s\n", mark, f, d, t, p->label);
}

/* Points in the order of the picture's front: fewer false rollbacks first, then faster detection. */
static int by_front_order(const rs_sweep_point *a, const rs_sweep_point *b)
{
    if (a->false_rate.est != b->false_rate.est)
        return a->false_rate.est < b->false_rate.est ? -1 : 1;
    return (a->ttd_median.est > b->ttd_median.est) - (a->ttd_median.est < b->ttd_median.est);
}

/* The trade-off: the Pareto front, and the current setting with the front's settings that beat it on both
 * counts. */
static void print_summary(const rs_sweep_summary *s)
{
    const rs_sweep *sw = s->sweep;
    int order[RS_SWEEP_MAX_POINTS], n = 0;
    for (int i = 0; i < s->n_points; i++)
        if (s->points[i].on_front) {
            int j = n++;
            for (; j > 0 && by_front_order(&s->points[order[j - 1]], &s->points[i]) > 0; j--)
                order[j] = order[j - 1];
            order[j] = i;
        }
    printf("\n  the mix:");
    for (int m = 0; m < sw->n_mix; m++)
        printf(" %s %.0f%%%s", sw->mix[m].label, sw->mix[m].weight * 100, m + 1 < sw->n_mix ? "," : "\n");
    printf("  Pareto front, false-rollback rate against median time to detect: %d of %d settings\n", n,
           s->n_points);
    printf("     %-21s %-21s %-22s %s\n", "false rollbacks", "faults detected", "time to detect", "setting");
    for (int k = 0; k < n; k++)
        print_point(&s->points[order[k]], s->points[order[k]].current ? "*" : "");
    if (sw->current >= 0 && !s->points[sw->current].on_front) {
        const rs_sweep_point *c = &s->points[sw->current];
        printf("  the current setting is not on the front:\n");
        print_point(c, "*");
        for (int k = 0; k < n; k++) {
            const rs_sweep_point *p = &s->points[order[k]];
            if (p->false_rate.est <= c->false_rate.est && p->ttd_median.est <= c->ttd_median.est &&
                (p->false_rate.est < c->false_rate.est || p->ttd_median.est < c->ttd_median.est))
                printf("     beaten on both by %s\n", p->label);
        }
    }
    printf("  (95%% intervals in brackets; * the current setting; docs/sweeps.md explains how to read them)\n");
}

static int write_png(const rs_sweep_summary *s, const sweep_opts *o)
{
    if (!o->png)
        return 0;
    rs_error err;
    rs_error_clear(&err);
    if (rs_render_sweep_png(s, o->png, o->png_w, o->png_h, &err) != RS_OK) {
        fprintf(stderr, "rollsim: %s%s%s\n", err.where, err.where[0] ? ": " : "", err.message);
        return err.code == RS_BAD_INPUT ? 2 : 3;
    }
    if (!o->quiet)
        printf("  wrote %s\n", o->png);
    return 0;
}

static int report(const rs_error *err)
{
    fprintf(stderr, "rollsim: %s%s%s\n", err->where, err->where[0] ? ": " : "", err->message);
    return err->code == RS_BAD_INPUT ? 2 : 3;
}

static int parse_common(int argc, char **argv, int *i, sweep_opts *o, const char *cmd)
{
    const char *a = argv[*i], *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
        o->quiet = true;
        return 1;
    }
    if (strcmp(a, "--allow-missing") == 0) {
        o->allow_missing = true;
        return 1;
    }
    if (strcmp(a, "--png") == 0) {
        if (!val) {
            fprintf(stderr, "rollsim %s: --png takes a file name\n", cmd);
            return -1;
        }
        o->png = val;
    } else if (strcmp(a, "--size") == 0) {
        if (rs_render_parse_size(val, &o->png_w, &o->png_h) != 0) {
            fprintf(stderr, "rollsim %s: --size takes WIDTHxHEIGHT between 640x360 and 7680x4320\n", cmd);
            return -1;
        }
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}

static int parse_sweep(int argc, char **argv, sweep_opts *o)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int c = parse_common(argc, argv, &i, o, "sweep");
        if (c < 0)
            return 2;
        if (c > 0)
            continue;
        int bad = 0;
        if (strcmp(a, "--resume") == 0) {
            o->resume = true;
            continue;
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0) {
            o->out = val;
            bad = !val;
        } else if (strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0) {
            bad = parse_int(val, 1, 256, &o->jobs);
        } else if (strcmp(a, "--seeds") == 0) {
            bad = parse_int(val, 1, RS_SWEEP_MAX_SEEDS, &o->seeds);
        } else if (strcmp(a, "--fsync") == 0) {
            bad = parse_int(val, 1, 1000000, &o->fsync_every);
        } else if (strcmp(a, "--shard") == 0) {
            bad = parse_shard(val, &o->shard, &o->shards);
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "rollsim sweep: unknown option '%s' (see rollsim --help)\n", a);
            return 2;
        } else if (!o->file) {
            o->file = a;
            continue;
        } else {
            fprintf(stderr, "rollsim sweep: one sweep file at a time ('%s' and '%s')\n", o->file, a);
            return 2;
        }
        if (bad) {
            fprintf(stderr, "rollsim sweep: %s takes %s\n", a,
                    strcmp(a, "--shard") == 0 ? "I/N with 0 <= I < N, e.g. --shard 0/4"
                    : a[2] == 'o' || a[1] == 'o' ? "a folder"
                                                 : "a positive whole number");
            return 2;
        }
        i++;
    }
    if (!o->file) {
        fprintf(stderr, "usage: rollsim sweep SWEEP.json [--out DIR] [--jobs N] [--shard I/N] [--resume] [--png FILE]\n");
        return 2;
    }
    return 0;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C ends the process at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int finish(const rs_sweep *sw, const char *out, const sweep_opts *o, const rs_sweep_exec_stats *st)
{
    rs_error err;
    rs_error_clear(&err);
    rs_sweep_summary *s = NULL;
    if (rs_sweep_finish(sw, out, o->allow_missing, &s, &err) != RS_OK)
        return report(&err);
    if (!o->quiet) {
        printf("  %ld runs in %.1f s (%.0f runs/s)%s; wrote %s/points.csv, points.jsonl, runs.jsonl\n", st->done,
               st->elapsed_s, st->elapsed_s > 0 ? (double)st->done / st->elapsed_s : 0.0,
               st->skipped ? " after the runs already done" : "", out);
        print_summary(s);
    }
    int code = write_png(s, o);
    rs_sweep_summary_free(s);
    return code;
}

/* After the runs: why some failed, how to go on after an interruption, what a shard does next, or the
 * summary. Returns the exit code. */
static int conclude(const rs_sweep *sw, const char *out, const sweep_opts *o, const rs_sweep_exec_stats *st)
{
    if (st->errors)
        fprintf(stderr, "rollsim sweep: %ld runs stopped on a policy error, left out of the figures; the first: %s\n",
                st->errors, st->first_error);
    if (st->interrupted) {
        char more[64] = "";
        if (o->seeds > 0)
            snprintf(more, sizeof more, " --seeds %d", o->seeds);
        if (o->shards > 1)
            snprintf(more + strlen(more), sizeof more - strlen(more), " --shard %d/%d", o->shard, o->shards);
        fprintf(stderr, "rollsim sweep: interrupted; %ld finished runs are kept in %s/runs.jsonl. Continue with:\n"
                        "  rollsim sweep %s --out %s%s --resume\n",
                st->skipped + st->done, out, o->file, out, more);
        return 130;
    }
    if (o->shards > 1) {
        if (!o->quiet)
            printf("  shard %d/%d: %ld runs done in %s/; merge the shards with: rollsim merge OUT %s ...\n", o->shard,
                   o->shards, st->skipped + st->done, out, out);
        return 0;
    }
    int code = finish(sw, out, o, st);
    return code == 0 && st->errors ? 2 : code;
}

static int run_sweep(const rs_sweep *sw, const char *out, const sweep_opts *o)
{
    /* runs free and allocate the same sizes thousands of times: keep the memory instead of giving it back
     * to the kernel and faulting it in again */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    progress_state ps = {isatty(STDERR_FILENO) != 0, o->quiet, false, 0};
    rs_sweep_exec_opts eo = {o->jobs, o->shard, o->shards, o->resume, o->fsync_every, progress, &ps};
    long jobs = o->jobs > 0 ? o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
    if (!o->quiet)
        printf("rollsim sweep %s: %d settings x %d releases = %ld runs, %ld jobs, into %s/\n", sw->name,
               sw->n_points, sw->seeds, (long)sw->n_points * sw->seeds, jobs, out);
    if (!o->quiet && o->shards > 1)
        printf("  shard %d/%d: the runs whose number %% %d == %d\n", o->shard, o->shards, o->shards, o->shard);
    fflush(stdout);
    rs_sweep_exec_stats stats;
    rs_error err;
    rs_error_clear(&err);
    install_signals();
    rs_status st = rs_sweep_exec(sw, out, &eo, &stats, &err);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    return st != RS_OK ? report(&err) : conclude(sw, out, o, &stats);
}

int rs_cmd_sweep(int argc, char **argv)
{
    sweep_opts o = {.png_w = RS_RENDER_DEFAULT_W, .png_h = RS_RENDER_DEFAULT_H};
    int code = parse_sweep(argc, argv, &o);
    if (code != 0)
        return code;
    rs_sweep *sw = malloc(sizeof *sw);
    rs_diagnostics *diag = malloc(sizeof *diag);
    if (!sw || !diag) {
        free(sw);
        free(diag);
        fprintf(stderr, "rollsim: out of memory\n");
        return 3;
    }
    rs_status st = rs_sweep_load(o.file, sw, diag);
    if (st != RS_OK) {
        rs_diagnostics_print(diag, stderr);
        code = st == RS_BAD_INPUT ? 2 : 3;
    } else {
        if (o.seeds > 0)
            sw->seeds = o.seeds;
        char out[RS_SWEEP_PATH_MAX];
        if (o.out)
            snprintf(out, sizeof out, "%s", o.out);
        else
            snprintf(out, sizeof out, "sweep-%s", sw->name);
        code = run_sweep(sw, out, &o);
    }
    rs_sweep_fini(sw);
    free(sw);
    free(diag);
    return code;
}

int rs_cmd_merge(int argc, char **argv)
{
    sweep_opts o = {.png_w = RS_RENDER_DEFAULT_W, .png_h = RS_RENDER_DEFAULT_H};
    const char *dirs[256];
    int n = 0;
    for (int i = 0; i < argc; i++) {
        int c = parse_common(argc, argv, &i, &o, "merge");
        if (c < 0)
            return 2;
        if (c > 0)
            continue;
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "rollsim merge: unknown option '%s' (see rollsim --help)\n", argv[i]);
            return 2;
        }
        if (!o.out)
            o.out = argv[i];
        else if (n < 256)
            dirs[n++] = argv[i];
    }
    if (!o.out || n == 0) {
        fprintf(stderr, "usage: rollsim merge OUT SHARD_OUT... [--png FILE]\n");
        return 2;
    }
    rs_sweep *sw = malloc(sizeof *sw);
    if (!sw)
        return 3;
    rs_sweep_summary *s = NULL;
    rs_error err;
    rs_error_clear(&err);
    int code = 0;
    if (rs_sweep_merge(o.out, dirs, n, o.allow_missing, sw, &s, &err) != RS_OK) {
        code = report(&err);
    } else {
        if (!o.quiet) {
            printf("rollsim merge %s: %d shard outputs, %ld of %ld runs; wrote %s/points.csv, points.jsonl, "
                   "runs.jsonl\n",
                   sw->name, n, s->runs, s->expected, o.out);
            print_summary(s);
        }
        code = write_png(s, &o);
    }
    rs_sweep_summary_free(s);
    rs_sweep_fini(sw);
    free(sw);
    return code;
}
