/* Running a sweep's runs over threads into an output folder. Runs are numbered point × seeds + seed; a
 * shard I/N takes those with number % N == I. Workers claim runs from a shared counter, each with its own
 * scenario copy; every finished run is appended to runs.jsonl as one line in one write(), so an
 * interrupted sweep keeps every finished run, and --resume skips them. The engine and the Lua host keep
 * no global state, so runs on different threads share nothing but the read-only sweep. */
#define _POSIX_C_SOURCE 200809L
#include "sweep_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_FSYNC_EVERY 256
#define MAX_JOBS 256

typedef struct {
    const rs_sweep *sw;
    int shard, shards;
    long n_runs;                 /* points × seeds */
    const unsigned char *done;   /* runs already in runs.jsonl */
    atomic_long cursor;          /* the next position in this shard's sequence */
    atomic_long finished;
    atomic_int stop;
    atomic_int running;          /* workers not yet returned */
    pthread_mutex_t lock;        /* the file, the counters below and the error */
    int fd;
    const char *path;
    int fsync_every;
    long unsynced;
    double synced_at;
    long errors;
    char first_error[512];
    rs_status failure;
    rs_error err;
} exec_state;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fail(exec_state *x, rs_status st, const rs_error *err)
{
    pthread_mutex_lock(&x->lock);
    if (x->failure == RS_OK) {
        x->failure = st;
        x->err = *err;
    }
    pthread_mutex_unlock(&x->lock);
    atomic_store(&x->stop, 1);
}

static int write_line(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Appends a run's line; fsync after fsync_every lines or a second, whichever comes first. */
static void append(exec_state *x, const rs_sweep_run *run, const char *line, int len)
{
    rs_error err;
    pthread_mutex_lock(&x->lock);
    int bad = write_line(x->fd, line, (size_t)len);
    if (!bad && (++x->unsynced >= x->fsync_every || now_s() - x->synced_at >= 1.0)) {
        bad = fsync(x->fd);
        x->unsynced = 0;
        x->synced_at = now_s();
    }
    if (run->error[0] && x->errors++ == 0)
        snprintf(x->first_error, sizeof x->first_error, "%s", run->error);
    int e = errno;
    pthread_mutex_unlock(&x->lock);
    if (bad) {
        rs_error_set(&err, RS_INTERNAL, x->path, "cannot write %s: %s", x->path, strerror(e));
        fail(x, RS_INTERNAL, &err);
    }
}

static void *worker(void *arg)
{
    exec_state *x = arg;
    const rs_sweep *sw = x->sw;
    rs_scenario *sc = malloc(sizeof *sc);
    rs_error err;
    if (!sc) {
        rs_error_set(&err, RS_INTERNAL, "", "out of memory");
        fail(x, RS_INTERNAL, &err);
    } else {
        memcpy(sc, sw->base, sizeof *sc);
    }
    while (sc && !atomic_load(&x->stop)) {
        long r = x->shard + atomic_fetch_add(&x->cursor, 1) * (long)x->shards;
        if (r >= x->n_runs)
            break;
        if (x->done[r / 8] & (1u << (r % 8)))
            continue;
        rs_sweep_run run;
        rs_error_clear(&err);
        rs_status st = rs_sweep_run_one(sw, (int)(r / sw->seeds), (int)(r % sw->seeds), sc, &run, &err);
        if (st != RS_OK) {
            fail(x, st, &err);
            break;
        }
        char line[RS_SWEEP_LINE_MAX];
        int len = rs_sweep_run_line(sw, &run, line, sizeof line);
        if (len < 0) {
            rs_error_set(&err, RS_INTERNAL, "", "a run's line does not fit %d bytes", RS_SWEEP_LINE_MAX);
            fail(x, RS_INTERNAL, &err);
            break;
        }
        append(x, &run, line, len);
        atomic_fetch_add(&x->finished, 1);
    }
    free(sc);
    atomic_fetch_sub(&x->running, 1);
    return NULL;
}

static int make_dirs(const char *dir)
{
    char p[RS_SWEEP_PATH_MAX];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                return -1;
            *s = c;
            if (!c)
                break;
        }
    }
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* Marks the runs already in runs.jsonl (resume), cutting a last line left half-written by a crash. */
static rs_status load_done(exec_state *x, const char *path, bool resume, unsigned char *done, long *skipped,
                           rs_error *err)
{
    const rs_sweep *sw = x->sw;
    rs_sweep_run *runs;
    size_t n, good;
    struct stat sb;
    bool exists = stat(path, &sb) == 0 && sb.st_size > 0;
    if (exists && !resume)
        return rs_error_set(err, RS_BAD_INPUT, path,
                            "already holds runs: add --resume to continue that sweep, or choose another --out");
    if (!exists)
        return RS_OK;
    rs_status st = rs__sweep_read_runs(sw, path, &runs, &n, &good, err);
    if (st != RS_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        long r = (long)runs[i].point * sw->seeds + runs[i].seed;
        if (!(done[r / 8] & (1u << (r % 8))) && r % x->shards == x->shard)
            (*skipped)++;
        done[r / 8] |= (unsigned char)(1u << (r % 8));
    }
    free(runs);
    if ((off_t)good < sb.st_size && truncate(path, (off_t)good) != 0)
        return rs_error_set(err, RS_INTERNAL, path, "cannot cut the unfinished last line of %s: %s", path,
                            strerror(errno));
    return RS_OK;
}

static rs_status check_meta(const rs_sweep *sw, const char *dir, rs_error *err)
{
    char path[RS_SWEEP_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, RS_SWEEP_META_FILE);
    if (access(path, F_OK) != 0)
        return RS_OK;
    rs_sweep *old = malloc(sizeof *old);
    if (!old)
        return rs_error_set(err, RS_INTERNAL, dir, "out of memory");
    rs_status st = rs__sweep_read_meta(dir, old, err);
    if (st == RS_OK && old->hash != sw->hash)
        st = rs_error_set(err, RS_BAD_INPUT, dir,
                          "%s holds the output of another sweep (hash %016llx, this one %016llx): the sweep file, "
                          "its scenario, its policy or the rollsim version changed since; choose another --out",
                          dir, (unsigned long long)old->hash, (unsigned long long)sw->hash);
    rs_sweep_fini(old);
    free(old);
    return st;
}

/* Starts the workers with SIGINT and SIGTERM blocked, so that the caller's thread takes the signals. */
static int start_workers(exec_state *x, pthread_t *t, int jobs)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int started = 0;
    atomic_store(&x->running, jobs);
    for (; started < jobs; started++)
        if (pthread_create(&t[started], NULL, worker, x) != 0)
            break;
    atomic_fetch_sub(&x->running, jobs - started);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return started;
}

/* Naps of 50 ms, four between two progress calls; a signal (the caller's SIGINT) cuts a nap short and
 * brings the progress call, which may stop the sweep, at once. */
static void wait_workers(exec_state *x, const rs_sweep_exec_opts *o, long remaining, double t0)
{
    while (atomic_load(&x->running) > 0) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        for (int i = 0; i < 4 && atomic_load(&x->running) > 0; i++)
            if (nanosleep(&ts, NULL) != 0)
                break;
        if (o->progress && o->progress(o->ctx, atomic_load(&x->finished), remaining, now_s() - t0))
            atomic_store(&x->stop, 1);
    }
}

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static rs_status run_all(exec_state *x, const rs_sweep_exec_opts *o, rs_sweep_exec_stats *stats, rs_error *err)
{
    int jobs = o->jobs > 0 ? o->jobs : online_cpus();
    if (jobs > MAX_JOBS)
        jobs = MAX_JOBS;
    long remaining = stats->total - stats->skipped;
    if (jobs > remaining)
        jobs = remaining > 0 ? (int)remaining : 1;
    pthread_t t[MAX_JOBS];
    double t0 = now_s();
    int started = remaining > 0 ? start_workers(x, t, jobs) : 0;
    if (remaining > 0 && started == 0)
        return rs_error_set(err, RS_INTERNAL, "", "cannot start a thread: %s", strerror(errno));
    wait_workers(x, o, remaining, t0);
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    if (o->progress)
        o->progress(o->ctx, atomic_load(&x->finished), remaining, now_s() - t0);
    stats->done = atomic_load(&x->finished);
    stats->errors = x->errors;
    stats->elapsed_s = now_s() - t0;
    stats->interrupted = x->failure == RS_OK && stats->done < remaining;
    snprintf(stats->first_error, sizeof stats->first_error, "%s", x->first_error);
    if (fsync(x->fd) != 0 && x->failure == RS_OK)
        return rs_error_set(err, RS_INTERNAL, x->path, "cannot write %s: %s", x->path, strerror(errno));
    if (x->failure != RS_OK)
        *err = x->err;
    return x->failure;
}

rs_status rs_sweep_exec(const rs_sweep *sw, const char *out_dir, const rs_sweep_exec_opts *opts,
                        rs_sweep_exec_stats *stats, rs_error *err)
{
    memset(stats, 0, sizeof *stats);
    exec_state *x = calloc(1, sizeof *x);
    char path[RS_SWEEP_PATH_MAX + 32], shard[32] = "";
    unsigned char *done = NULL;
    if (!x)
        return rs_error_set(err, RS_INTERNAL, "", "out of memory");
    x->sw = sw;
    x->shards = opts->shards > 1 ? opts->shards : 1;
    x->shard = opts->shards > 1 ? opts->shard : 0;
    x->n_runs = (long)sw->n_points * sw->seeds;
    x->fsync_every = opts->fsync_every > 0 ? opts->fsync_every : DEFAULT_FSYNC_EVERY;
    x->fd = -1;
    x->path = path;
    pthread_mutex_init(&x->lock, NULL);
    snprintf(path, sizeof path, "%s/%s", out_dir, RS_SWEEP_RUNS_FILE);
    if (x->shards > 1)
        snprintf(shard, sizeof shard, "%d/%d", x->shard, x->shards);
    stats->total = x->n_runs > x->shard ? (x->n_runs - x->shard + x->shards - 1) / x->shards : 0;
    rs_status st = RS_OK;
    done = calloc((size_t)(x->n_runs / 8 + 1), 1);
    if (!done) {
        st = rs_error_set(err, RS_INTERNAL, "", "out of memory");
        goto out;
    }
    if (make_dirs(out_dir) != 0) {
        st = rs_error_set(err, RS_INTERNAL, out_dir, "cannot create the folder %s: %s", out_dir, strerror(errno));
        goto out;
    }
    if (opts->resume && (st = check_meta(sw, out_dir, err)) != RS_OK)
        goto out;
    if ((st = load_done(x, path, opts->resume, done, &stats->skipped, err)) != RS_OK ||
        (st = rs__sweep_write_meta(sw, out_dir, shard, err)) != RS_OK)
        goto out;
    x->done = done;
    x->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (x->fd < 0) {
        st = rs_error_set(err, RS_INTERNAL, path, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    x->synced_at = now_s();
    st = run_all(x, opts, stats, err);
out:
    if (x->fd >= 0)
        close(x->fd);
    pthread_mutex_destroy(&x->lock);
    free(done);
    free(x);
    return st;
}
