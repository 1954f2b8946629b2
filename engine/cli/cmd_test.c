/* `rollsim test`: every scenario under the paths given, with each of its test seeds and variants, as
 * regression tests for CI (docs/testing.md). Scenarios are loaded here, in the main thread (cJSON keeps a
 * global error pointer); the runs, which share nothing, go on in worker threads; results are printed in
 * the order of the cases whatever the order they finish in, then written as JUnit XML. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "runner.h"
#include "rollsim/host.h"
#include "rollsim/io.h"
#include "rollsim/testing.h"

#define MAX_JOBS 256
#define TRACE_LINES 50 /* the last policy evaluations shown with a failure */
#define PATH_LEN 1024

typedef struct {
    const char *file;          /* the scenario file, as found */
    const char *stem;          /* its name without folder and .json: golden files and labels */
    char classname[PATH_LEN];  /* the file without .json */
    const rs_scenario *sc;     /* as this case runs it (variant applied); NULL: not run */
    uint64_t seed;
    char label[256];           /* "seed-incident [seed 7, policy runbook]" */
    char golden[PATH_LEN];     /* its golden report, "" without --golden */
    bool variant;              /* runs a test variant (not reproducible with rollsim run alone) */
    /* the outcome */
    rs_case_status status;
    int exit_code;             /* 0, 1, 2 (bad input: invalid scenario, policy error) or 3 */
    const char *type;
    char *message;             /* one line */
    char *details;             /* JUnit text */
    char *report;              /* the JSON report, with --golden */
    int n_expect;
    double seconds;
    bool done;
} test_case;

#define MAX_SETS 64

typedef struct {
    const char *junit, *golden_dir;
    bool update_golden;
    int jobs;
    const char *sets[MAX_SETS]; /* --set PATH=VALUE, applied to every scenario */
    int n_sets;
} test_opts;

typedef struct {
    test_case *cases;
    int n, cap;
    void **owned;              /* freed at the end: scenarios (one per file and variant), names */
    int n_owned;
    /* the work queue */
    pthread_mutex_t lock;
    pthread_cond_t finished;
    int next;
    bool golden;
} suite;

/* ---- text ---- */

static char *vformat(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    return s;
}

#if defined(__GNUC__)
#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF_LIKE(a, b)
#endif

static char *format(const char *fmt, ...) PRINTF_LIKE(1, 2);
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* Appends a formatted line to *text (a malloc'd string or NULL). */
static void add_line(char **text, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void add_line(char **text, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = vformat(fmt, ap);
    va_end(ap);
    if (!line)
        return;
    size_t a = *text ? strlen(*text) : 0, b = strlen(line);
    char *joined = realloc(*text, a + b + 2);
    if (joined) {
        memcpy(joined + a, line, b);
        joined[a + b] = '\n';
        joined[a + b + 1] = '\0';
        *text = joined;
    }
    free(line);
}

/* One policy evaluation as --explain prints it. */
static void trace_line(char **text, const rs_trace_entry *e)
{
    char line[1400], clock[24];
    size_t n = (size_t)snprintf(line, sizeof line, "  %s %s ", rs_format_clock(e->t_ms, clock, sizeof clock), e->policy);
    if (n < sizeof line)
        rs_trace_format(e, line + n, sizeof line - n);
    add_line(text, "%s", line);
}

/* ---- one case, in a worker thread ---- */

static void judge_expectations(test_case *c, const rs_result *r)
{
    const rs_outcome *o = &r->outcome;
    int failed = 0, at = 0;
    for (int i = 0; i < o->n_expect; i++)
        failed += !o->expect[i].passed;
    c->n_expect = o->n_expect;
    if (failed == 0)
        return;
    c->status = RS_CASE_FAILED;
    c->exit_code = 1;
    c->type = "expectation";
    add_line(&c->details, "%d of %d expectations failed:", failed, o->n_expect);
    char first[400] = "";
    for (int i = 0; i < o->n_expect; i++) {
        const rs_expect_result *x = &o->expect[i];
        char name[32];
        if (x->kind == RS_EXP_AT)
            snprintf(name, sizeof name, "at[%d]", at++);
        else
            snprintf(name, sizeof name, "%s", rs_expect_kind_name(x->kind));
        if (x->passed)
            continue;
        add_line(&c->details, "  %s: expected %s, got %s", name, x->expected, x->actual);
        size_t n = strlen(first);
        snprintf(first + n, sizeof first - n, "%s%s: expected %s, got %s", n ? "; " : "", name, x->expected, x->actual);
    }
    c->message = format("%s", first);
}

static void add_trace(test_case *c, const rs_result *r)
{
    if (r->n_trace == 0)
        return;
    size_t from = r->n_trace > TRACE_LINES ? r->n_trace - TRACE_LINES : 0;
    if (from > 0)
        add_line(&c->details, "policy trace (the last %d of %zu evaluations):", TRACE_LINES, r->n_trace);
    else
        add_line(&c->details, "policy trace (%zu evaluations):", r->n_trace);
    for (size_t i = from; i < r->n_trace; i++)
        trace_line(&c->details, &r->trace[i]);
}

static void case_error(test_case *c, int code, const char *type, const rs_error *err)
{
    c->status = RS_CASE_ERROR;
    c->exit_code = code;
    c->type = type;
    if (err->where[0] && strncmp(err->message, err->where, strlen(err->where)) != 0)
        c->message = format("%s: %s", err->where, err->message);
    else
        c->message = format("%s", err->message);
}

static void run_case(test_case *c, bool want_report)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rs_error err;
    rs_error_clear(&err);
    rs_run_opts ro;
    memset(&ro, 0, sizeof ro);
    rs_run run;
    rs_status st = rs_run_prepare(c->sc, c->seed, &ro, &run, &err);
    if (st != RS_OK) {
        case_error(c, st == RS_BAD_INPUT ? 2 : 3, st == RS_BAD_INPUT ? "bad input" : "internal", &err);
    } else {
        rs_sim_run(run.sim);
        const rs_result *r = rs_sim_result(run.sim);
        c->status = RS_CASE_PASSED;
        if (r->outcome.error_code != RS_OK) {
            char clock[24];
            rs_error_set(&err, r->outcome.error_code, "", "the run stopped at %s: %s",
                         rs_format_clock(r->outcome.end_ms, clock, sizeof clock), r->outcome.error);
            case_error(c, r->outcome.error_code == RS_BAD_INPUT ? 2 : 3, "policy error", &err);
        } else {
            judge_expectations(c, r);
        }
        if (c->status != RS_CASE_PASSED)
            add_trace(c, r);
        if (want_report && c->status != RS_CASE_ERROR && !(c->report = rs_report_json(r)))
            case_error(c, 3, "internal", &(rs_error){.message = "out of memory writing the JSON report"});
        rs_run_free(&run);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    c->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static void *worker(void *arg)
{
    suite *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (s->next < s->n && s->cases[s->next].done)
            s->next++;
        int i = s->next < s->n ? s->next++ : -1;
        pthread_mutex_unlock(&s->lock);
        if (i < 0)
            return NULL;
        run_case(&s->cases[i], s->golden);
        pthread_mutex_lock(&s->lock);
        s->cases[i].done = true;
        pthread_cond_broadcast(&s->finished);
        pthread_mutex_unlock(&s->lock);
    }
}

/* ---- the cases of a file ---- */

static test_case *new_case(suite *s, const char *file, const char *stem)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 64;
        test_case *more = realloc(s->cases, (size_t)cap * sizeof *more);
        if (!more)
            return NULL;
        s->cases = more;
        s->cap = cap;
    }
    test_case *c = &s->cases[s->n++];
    memset(c, 0, sizeof *c);
    c->file = file;
    c->stem = stem;
    size_t n = strlen(file);
    snprintf(c->classname, sizeof c->classname, "%.*s", (int)(n > 5 && strcmp(file + n - 5, ".json") == 0 ? n - 5 : n),
             file);
    return c;
}

static const char *file_stem(const char *path, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0)
        n -= 5;
    snprintf(buf, size, "%.*s", (int)n, base);
    return buf;
}

/* A file that gives no runs: not a scenario, or invalid. */
static bool add_file_error(suite *s, const char *file, const char *stem, const char *message, char *details)
{
    test_case *c = new_case(s, file, stem);
    if (!c) {
        free(details);
        return false;
    }
    snprintf(c->label, sizeof c->label, "%s", stem);
    c->status = RS_CASE_ERROR;
    c->exit_code = 2;
    c->type = "bad input";
    c->message = format("%s", message);
    c->details = details;
    c->done = true;
    return true;
}

static bool add_invalid(suite *s, const char *file, const char *stem, const rs_diagnostics *d)
{
    char *details = NULL;
    for (int i = 0; i < d->count; i++)
        add_line(&details, "%s%s%s", d->items[i].where, d->items[i].where[0] ? ": error: " : "error: ",
                 d->items[i].message);
    if (d->dropped > 0)
        add_line(&details, "... and %d more", d->dropped);
    char first[1200], rest[80] = "";
    int more = d->count - 1 + d->dropped;
    if (more > 0)
        snprintf(rest, sizeof rest, " (and %d more problem%s: rollsim validate lists them)", more, more > 1 ? "s" : "");
    snprintf(first, sizeof first, "%s%s%s%s", d->count ? d->items[0].where : "",
             d->count && d->items[0].where[0] ? ": error: " : "error: ", d->count ? d->items[0].message : "invalid", rest);
    return add_file_error(s, file, stem, first, details);
}

/* The cases of one variant (or of the scenario as written, variant < 0): one per seed. */
static bool add_variant_cases(suite *s, const char *file, const char *stem, const rs_scenario *sc, int variant,
                              const char *golden_dir)
{
    const rs_test_spec *t = &sc->test;
    const char *vname = variant >= 0 ? t->variants[variant].name : NULL;
    const char *skip = t->skip[0] ? t->skip : vname && t->variants[variant].skip[0] ? t->variants[variant].skip : "";
    int n_seeds = t->n_seeds > 0 ? t->n_seeds : 1;
    for (int k = 0; k < n_seeds; k++) {
        test_case *c = new_case(s, file, stem);
        if (!c)
            return false;
        c->sc = sc;
        c->variant = vname != NULL;
        c->seed = t->n_seeds > 0 ? t->seeds[k] : sc->seed;
        snprintf(c->label, sizeof c->label, "%s [seed %llu%s%s]", stem, (unsigned long long)c->seed,
                 vname ? ", policy " : "", vname ? vname : "");
        if (golden_dir)
            snprintf(c->golden, sizeof c->golden, "%s/%s%s%s.%llu.json", golden_dir, stem, vname ? "." : "",
                     vname ? vname : "", (unsigned long long)c->seed);
        if (skip[0]) {
            c->status = RS_CASE_SKIPPED;
            c->message = format("%s", skip);
            c->done = true;
        }
    }
    return true;
}

/* Keeps p (malloc'd) until the end of the command; NULL (p freed) when memory is short. */
static void *keep(suite *s, void *p)
{
    void **more = p ? realloc(s->owned, (size_t)(s->n_owned + 1) * sizeof *more) : NULL;
    if (!more) {
        free(p);
        return NULL;
    }
    s->owned = more;
    s->owned[s->n_owned++] = p;
    return p;
}

/* Loads a scenario file and adds its cases. Returns false when memory is short. */
static bool add_file(suite *s, const rs_test_file *f, const test_opts *o, rs_diagnostics *diag)
{
    char buf[256];
    const char *stem = keep(s, format("%s", file_stem(f->path, buf, sizeof buf)));
    rs_scenario *sc = stem ? keep(s, malloc(sizeof *sc)) : NULL;
    if (!sc)
        return false;
    if (f->not_scenario) {
        char msg[PATH_LEN + 64];
        snprintf(msg, sizeof msg, "%s is %s, not a scenario", f->path, f->not_scenario);
        return add_file_error(s, f->path, stem, msg, NULL);
    }
    const char *golden_dir = o->golden_dir;
    rs_status st = rs_scenario_load_file(f->path, o->sets, o->n_sets, sc, diag);
    if (st != RS_OK)
        return st == RS_INTERNAL ? false : add_invalid(s, f->path, stem, diag);
    if (!add_variant_cases(s, f->path, stem, sc, -1, golden_dir))
        return false;
    for (int v = 0; v < sc->test.n_variants; v++) {
        rs_scenario *vs = keep(s, malloc(sizeof *vs));
        rs_error err;
        rs_error_clear(&err);
        if (!vs)
            return false;
        memcpy(vs, sc, sizeof *vs);
        if (rs_scenario_apply_variant(vs, v, &err) != RS_OK) {
            if (!add_file_error(s, f->path, stem, err.message, NULL))
                return false;
        } else if (!add_variant_cases(s, f->path, stem, vs, v, golden_dir)) {
            return false;
        }
    }
    return true;
}

/* Two cases writing the same golden file (two a.json in different folders) would overwrite each other. */
static bool golden_clash(const suite *s)
{
    for (int i = 0; i < s->n; i++)
        for (int j = i + 1; s->cases[i].golden[0] && j < s->n; j++)
            if (strcmp(s->cases[i].golden, s->cases[j].golden) == 0) {
                fprintf(stderr, "rollsim test: %s and %s would share the golden file %s; give the scenario files "
                        "different names\n", s->cases[i].file, s->cases[j].file, s->cases[i].golden);
                return true;
            }
    return false;
}

/* ---- golden reports, in the main thread ---- */

/* mkdir -p: --update-golden creates the golden folder. */
static int make_dirs(const char *dir)
{
    char path[PATH_LEN];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return -1;
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = c;
        if (c == '\0')
            return 0;
    }
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || ferror(f))
            break;
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static void golden_failure(test_case *c, const char *what)
{
    char *message = c->status == RS_CASE_FAILED ? format("%s; golden: %s", c->message, what) : format("golden: %s", what);
    free(c->message);
    c->message = message;
    add_line(&c->details, "golden report %s: %s", c->golden, what);
    if (c->status == RS_CASE_PASSED) {
        c->status = RS_CASE_FAILED;
        c->exit_code = 1;
        c->type = "golden";
    }
}

/* Compares the case's report with its golden file, or rewrites the file. Returns a note for the PASS line. */
static const char *check_golden(test_case *c, bool update)
{
    char *old = read_text(c->golden);
    const char *note = NULL;
    if (update) {
        rs_error err;
        rs_error_clear(&err);
        if (old && strcmp(old, c->report) == 0)
            note = "golden unchanged";
        else if (rs_write_file_atomic(c->golden, c->report, strlen(c->report), &err) == RS_OK)
            note = old ? "golden updated" : "golden written";
        else
            case_error(c, 3, "internal", &err);
    } else if (!old) {
        char what[PATH_LEN + 64];
        snprintf(what, sizeof what, "%s is missing (--update-golden writes it)", c->golden);
        golden_failure(c, what);
    } else {
        char diff[800];
        if (rs_golden_diff(old, c->report, diff, sizeof diff) != 0)
            golden_failure(c, diff);
        else
            note = "golden";
    }
    free(old);
    return note;
}

/* ---- output ---- */

static void print_case(const test_case *c, const char *golden_note)
{
    switch (c->status) {
    case RS_CASE_PASSED:
        printf("PASS  %s  (%d expectation%s%s%s)\n", c->label, c->n_expect, c->n_expect == 1 ? "" : "s",
               golden_note ? ", " : "", golden_note ? golden_note : "");
        break;
    case RS_CASE_FAILED:
        printf("FAIL  %s  %s\n", c->label, c->message ? c->message : "");
        break;
    case RS_CASE_ERROR:
        printf("ERROR %s  %s\n", c->label, c->message ? c->message : "");
        break;
    case RS_CASE_SKIPPED:
        printf("SKIP  %s  %s\n", c->label, c->message ? c->message : "");
        break;
    }
    fflush(stdout);
}

/* The command that replays a failed case of the scenario as written. */
static void add_reproduce(test_case *c, const test_opts *o)
{
    char line[2048];
    int n = snprintf(line, sizeof line, "reproduce: rollsim run %s --seed %llu", c->file, (unsigned long long)c->seed);
    for (int i = 0; i < o->n_sets && n > 0 && (size_t)n < sizeof line; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, " --set '%s'", o->sets[i]);
    add_line(&c->details, "%s", line);
}

/* Waits for each case in turn, checks its golden report and prints it: the order of the cases, whatever
 * the order the workers finish in. Returns the exit code so far. */
static int report_cases(suite *s, const test_opts *o)
{
    int code = 0;
    for (int i = 0; i < s->n; i++) {
        test_case *c = &s->cases[i];
        pthread_mutex_lock(&s->lock);
        while (!c->done)
            pthread_cond_wait(&s->finished, &s->lock);
        pthread_mutex_unlock(&s->lock);
        const char *note = NULL;
        if (c->report && c->status != RS_CASE_ERROR)
            note = check_golden(c, o->update_golden);
        if (c->sc && !c->variant && (c->status == RS_CASE_FAILED || c->status == RS_CASE_ERROR))
            add_reproduce(c, o);
        print_case(c, note);
        free(c->report);
        c->report = NULL;
        if (c->exit_code > code) /* 3 (internal) over 2 (bad input) over 1 (failed) */
            code = c->exit_code;
    }
    return code;
}

static int print_totals(const suite *s)
{
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < s->n; i++) {
        passed += s->cases[i].status == RS_CASE_PASSED;
        failed += s->cases[i].status == RS_CASE_FAILED || s->cases[i].status == RS_CASE_ERROR;
        skipped += s->cases[i].status == RS_CASE_SKIPPED;
    }
    if (skipped)
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("%d passed, %d failed\n", passed, failed);
    return failed;
}

static int write_junit(const suite *s, const char *path)
{
    rs_junit_case *jc = calloc((size_t)s->n + 1, sizeof *jc);
    if (!jc)
        return 3;
    for (int i = 0; i < s->n; i++) {
        const test_case *c = &s->cases[i];
        jc[i] = (rs_junit_case){.suite = c->file, .classname = c->classname, .name = c->label, .status = c->status,
                                .type = c->type, .message = c->message, .details = c->details, .seconds = c->seconds};
    }
    char *xml = rs_junit_xml(jc, s->n);
    free(jc);
    rs_error err;
    rs_error_clear(&err);
    rs_status st = xml ? rs_write_file_atomic(path, xml, strlen(xml), &err) : RS_INTERNAL;
    free(xml);
    if (st != RS_OK) {
        fprintf(stderr, "rollsim test: %s\n", xml ? err.message : "out of memory writing the JUnit XML");
        return 3;
    }
    return 0;
}

/* ---- the command ---- */

static int parse_options(int argc, char **argv, test_opts *o, const char **paths, int *n_paths)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        const char *jobs = strncmp(a, "--jobs=", 7) == 0 ? a + 7 : strncmp(a, "-j", 2) == 0 && a[2] ? a + 2 : NULL;
        if (jobs || strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0) {
            char *end = NULL;
            const char *text = jobs ? jobs : val;
            errno = 0;
            long n = text ? strtol(text, &end, 10) : 0;
            if (!text || errno || *end || n < 1 || n > MAX_JOBS) {
                fprintf(stderr, "rollsim test: --jobs takes a number of parallel runs from 1 to %d\n", MAX_JOBS);
                return -1;
            }
            o->jobs = (int)n;
            i += jobs ? 0 : 1;
        } else if (strcmp(a, "--junit") == 0 || strcmp(a, "--golden") == 0) {
            if (!val) {
                fprintf(stderr, "rollsim test: %s takes a %s\n", a, a[2] == 'j' ? "file name" : "folder");
                return -1;
            }
            *(a[2] == 'j' ? &o->junit : &o->golden_dir) = val;
            i++;
        } else if (strcmp(a, "--set") == 0) {
            if (!val || !strchr(val, '=') || o->n_sets == MAX_SETS) {
                fprintf(stderr, "rollsim test: --set takes PATH=VALUE (at most %d), e.g. --set traffic.rpm=12000\n",
                        MAX_SETS);
                return -1;
            }
            o->sets[o->n_sets++] = val;
            i++;
        } else if (strcmp(a, "--update-golden") == 0) {
            o->update_golden = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "rollsim test: unknown option '%s' (see rollsim --help)\n", a);
            return -1;
        } else {
            paths[(*n_paths)++] = a;
        }
    }
    if (o->update_golden && !o->golden_dir) {
        fprintf(stderr, "rollsim test: --update-golden needs --golden DIR\n");
        return -1;
    }
    return 0;
}

/* Runs the cases not yet done: in this thread with one job, else in a pool of workers. */
static int start_runs(suite *s, int jobs, pthread_t *threads)
{
    int remaining = 0;
    for (int i = 0; i < s->n; i++)
        remaining += !s->cases[i].done;
    if (jobs > remaining)
        jobs = remaining;
    int started = 0;
    for (; jobs > 1 && started < jobs; started++)
        if (pthread_create(&threads[started], NULL, worker, s) != 0)
            break;
    if (started == 0) /* one job, or no thread could start */
        worker(s);
    return started;
}

static void free_suite(suite *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->cases[i].message);
        free(s->cases[i].details);
        free(s->cases[i].report);
    }
    free(s->cases);
    for (int i = 0; i < s->n_owned; i++)
        free(s->owned[i]);
    free(s->owned);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->finished);
}

static int load_cases(suite *s, const char *const *paths, int n_paths, const test_opts *o)
{
    rs_test_files files;
    rs_error err;
    rs_error_clear(&err);
    rs_status st = rs_test_collect(paths, n_paths, &files, &err);
    rs_diagnostics *diag = malloc(sizeof *diag);
    int code = st == RS_OK ? 0 : st == RS_BAD_INPUT ? 2 : 3;
    if (st != RS_OK)
        fprintf(stderr, "rollsim test: %s\n", err.message);
    if (st == RS_OK && files.count == 0) {
        fprintf(stderr, "rollsim test: no scenario found under %s%s\n", paths[0], n_paths > 1 ? " ..." : "");
        code = 2;
    }
    for (int i = 0; code == 0 && i < files.count; i++)
        if (!diag || !add_file(s, &files.files[i], o, diag)) {
            fprintf(stderr, "rollsim test: out of memory\n");
            code = 3;
        }
    free(diag);
    /* the cases keep pointers to the paths */
    for (int i = 0; i < files.count; i++)
        if (!keep(s, files.files[i].path) && code == 0)
            code = 3;
    free(files.files);
    if (code == 0 && o->golden_dir && golden_clash(s))
        code = 2;
    if (code == 0 && o->update_golden && make_dirs(o->golden_dir) != 0) {
        fprintf(stderr, "rollsim test: cannot create the golden folder %s: %s\n", o->golden_dir, strerror(errno));
        code = 3;
    }
    return code;
}

int rs_cmd_test(int argc, char **argv)
{
    test_opts o = {.jobs = 0};
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    int n_paths = 0;
    if (!paths || parse_options(argc, argv, &o, paths, &n_paths) != 0) {
        free(paths);
        return paths ? 2 : 3;
    }
    if (n_paths == 0)
        paths[n_paths++] = "scenarios";
    if (o.jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o.jobs = n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (int)n;
    }
    suite s = {.golden = o.golden_dir != NULL};
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.finished, NULL);
    int code = load_cases(&s, paths, n_paths, &o);
    free(paths);
    if (code != 0) {
        free_suite(&s);
        return code;
    }
    pthread_t threads[MAX_JOBS];
    int started = start_runs(&s, o.jobs, threads);
    code = report_cases(&s, &o);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    int failed = print_totals(&s);
    if (code == 0 && failed > 0)
        code = 1;
    if (o.junit) {
        int jc = write_junit(&s, o.junit);
        if (jc > code)
            code = jc;
    }
    free_suite(&s);
    return code;
}
