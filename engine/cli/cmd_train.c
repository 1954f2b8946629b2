/* `rollsim train`: the on-call drill in a window (a scenario, or one drawn at random with its fault
 * hidden), recorded as it is played; and `rollsim replay`: a recorded drill played again, headless or in
 * the window, with the same result byte for byte. Both compare the trainee with a bundled auto-rollback
 * policy on the same scenario and seed. docs/training.md. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "runner.h"
#include "rollsim/io.h"
#include "rollsim/render.h"
#include "rollsim/train.h"

#ifndef RS_POLICY_DIR
#define RS_POLICY_DIR "scenarios/policies"
#endif
#ifndef RS_VERSION
#define RS_VERSION "0.0.0"
#endif

#define MAX_SCENARIOS 256

typedef struct {
    const char *scenario;     /* path, NULL = built-in (train) / the session file (replay) */
    bool random, have_seed, window, quiet;
    uint64_t seed;
    const char *sets[RS_TRAIN_MAX_SETS];
    int n_sets;
    const char *record, *json, *png, *postmortem, *script, *out_dir;
    char drawn[600];          /* --random: the scenario drawn */
    rs_train_window_opts win;
} train_opts;

/* Options both commands share; returns 1 when consumed, 0 when not one, -1 after printing an error. */
static int parse_common(const char *cmd, int argc, char **argv, int *i, train_opts *o)
{
    const char *a = argv[*i], *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (strcmp(a, "--accelerated") == 0) {
        o->win.accelerated = true;
        return 1;
    }
    if (strcmp(a, "--window") == 0) {
        o->window = true;
        return 1;
    }
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
        o->quiet = true;
        return 1;
    }
    const char **str = strcmp(a, "--json") == 0         ? &o->json
                       : strcmp(a, "--png") == 0        ? &o->png
                       : strcmp(a, "--postmortem") == 0 ? &o->postmortem
                       : strcmp(a, "--script") == 0     ? &o->script
                       : strcmp(a, "--out") == 0        ? &o->out_dir
                       : strcmp(a, "--record") == 0     ? &o->record
                                                        : NULL;
    if (str) {
        if (!val) {
            fprintf(stderr, "rollsim %s: %s takes a file name\n", cmd, a);
            return -1;
        }
        *str = val;
    } else if (strcmp(a, "--size") == 0) {
        if (!val || rs_render_parse_size(val, &o->win.w, &o->win.h) != 0) {
            fprintf(stderr, "rollsim %s: --size takes WIDTHxHEIGHT, e.g. 1920x1080\n", cmd);
            return -1;
        }
    } else if (strcmp(a, "--speed") == 0) {
        char *end = NULL;
        double v = val ? strtod(val, &end) : -1;
        if (!val || *end || !(v >= 0 && v <= 10000)) {
            fprintf(stderr, "rollsim %s: --speed takes a multiple of real time from 0 (paused) to 10000\n", cmd);
            return -1;
        }
        o->win.speed = v;
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}

/* ---- the scenario: a file, the built-in one, or one drawn at random ---- */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = 0, cap = 8192;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (n + 1 == cap) {
            char *p = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A shipped scenario (the JSON files of scenarios/, not policies or sweeps) and a seed, drawn from the wall clock —
 * the only wall clock in rollsim, and only for the draw: the seed is recorded. */
static int draw_scenario(char *path, size_t size, uint64_t *seed, bool have_seed)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", RS_POLICY_DIR);
    char *slash = strrchr(dir, '/');
    if (slash && strcmp(slash, "/policies") == 0)
        *slash = '\0';
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "rollsim train: cannot list the shipped scenarios in %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char *names[MAX_SCENARIOS];
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < MAX_SCENARIOS;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0 && !strstr(e->d_name, "sweep") &&
            (names[n] = malloc(len + 1)))
            memcpy(names[n++], e->d_name, len + 1);
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "rollsim train: no scenarios in %s\n", dir);
        return -1;
    }
    qsort(names, (size_t)n, sizeof *names, by_name);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
    snprintf(path, size, "%s/%s", dir, names[splitmix(&x) % (uint64_t)n]);
    if (!have_seed)
        *seed = splitmix(&x) % 1000000;
    for (int i = 0; i < n; i++)
        free(names[i]);
    return 0;
}

static void utc_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The record's header for a new drill: the scenario text as played (embedded, so replays are exact). */
static int make_header(train_opts *o, rs_train_record *rec)
{
    if (o->random) {
        if (draw_scenario(o->drawn, sizeof o->drawn, &o->seed, o->have_seed) != 0)
            return 2;
        o->scenario = o->drawn;
        o->have_seed = true;
    }
    const char *text = o->scenario ? NULL : rs_default_scenario_json;
    snprintf(rec->scenario, sizeof rec->scenario, "%.250s", o->scenario ? o->scenario : RS_TRAIN_BUILTIN);
    rec->scenario_text = o->scenario ? read_text(o->scenario) : malloc(strlen(text) + 1);
    if (!rec->scenario_text) {
        fprintf(stderr, "rollsim train: cannot read %s: %s\n", o->scenario ? o->scenario : "the built-in scenario",
                strerror(errno));
        return 2;
    }
    if (text)
        memcpy(rec->scenario_text, text, strlen(text) + 1);
    rec->n_sets = o->n_sets;
    for (int i = 0; i < o->n_sets; i++)
        snprintf(rec->sets[i], sizeof rec->sets[i], "%s", o->sets[i]);
    rec->random = o->random;
    rec->seed = o->seed;
    utc_now(rec->recorded_at, sizeof rec->recorded_at);
    snprintf(rec->version, sizeof rec->version, "%s", RS_VERSION);
    return 0;
}

static int load_recorded_scenario(const rs_train_record *rec, rs_scenario *sc)
{
    rs_diagnostics *diag = malloc(sizeof *diag);
    if (!diag)
        return 3;
    rs_status st = rs_train_record_scenario(rec, sc, diag);
    if (st != RS_OK)
        rs_diagnostics_print(diag, stderr);
    free(diag);
    return st == RS_OK ? 0 : st == RS_BAD_INPUT ? 2 : 3;
}

/* ---- the comparison: the same scenario and seed with a bundled auto-rollback, headless ---- */

static void compare(const rs_train_record *rec, rs_train_compare *c)
{
    memset(c, 0, sizeof *c);
    rs_scenario *sc = malloc(sizeof *sc);
    if (!sc || load_recorded_scenario(rec, sc) != 0) {
        snprintf(c->error, sizeof c->error, "the scenario did not load");
        free(sc);
        return;
    }
    const char *name = sc->deployment.strategy.kind == RS_STRATEGY_CANARY ? "flagger" : "seed-auto-rollback";
    char buf[512];
    const char *files[1] = {rs_cli_policy_path(name, buf)};
    rs_run_opts ro = {.policy_files = files, .n_policy_files = 1};
    rs_run run;
    rs_error err;
    rs_error_clear(&err);
    if (rs_run_prepare(sc, rec->seed, &ro, &run, &err) != RS_OK) {
        snprintf(c->error, sizeof c->error, "%.200s", err.message);
        free(sc);
        return;
    }
    rs_sim_skip_scripted_operator(run.sim); /* the policy alone, no scripted on-call */
    rs_sim_run(run.sim);
    const rs_result *r = rs_sim_result(run.sim);
    c->have = r->outcome.error_code == RS_OK;
    snprintf(c->policy, sizeof c->policy, "%s", name);
    snprintf(c->error, sizeof c->error, "%.200s", r->outcome.error);
    c->mttr_s = r->scores.mttr_s;
    c->mttd_s = r->scores.mttd_s;
    c->failed_requests = r->scores.failed_requests;
    c->score = r->scores.score;
    c->rolled_back = r->outcome.rolled_back;
    c->recovered = r->outcome.recovered;
    rs_run_free(&run);
    free(sc);
}

static char *postmortem(const rs_result *r, void *ctx)
{
    (void)ctx;
    return rs_report_postmortem(r);
}

/* ---- after the drill: reports and a summary ---- */

static int write_text(const char *path, char *text, const char *what)
{
    rs_error err;
    if (!text) {
        fprintf(stderr, "rollsim: out of memory writing the %s\n", what);
        return 3;
    }
    rs_status st = rs_write_file_atomic(path, text, strlen(text), &err);
    free(text);
    if (st != RS_OK) {
        fprintf(stderr, "rollsim: %s\n", err.message);
        return 3;
    }
    return 0;
}

static int outputs(const train_opts *o, const rs_result *r)
{
    int code = 0, c;
    if (o->json && (c = write_text(o->json, rs_report_json(r), "JSON report")) != 0)
        code = c;
    if (o->postmortem && (c = write_text(o->postmortem, rs_report_postmortem(r), "post-incident report")) != 0)
        code = c;
    rs_error err;
    if (o->png && rs_render_png(r, o->png, 1920, 1080, &err) != RS_OK) {
        fprintf(stderr, "rollsim: %s\n", err.message);
        code = 3;
    }
    return code;
}

static void print_actions(const rs_train_record *rec, FILE *f)
{
    char clock[24];
    fprintf(f, "\n  trainee actions (%d):\n", rec->n_acts);
    for (int i = 0; i < rec->n_acts; i++) {
        const rs_tact *a = &rec->acts[i];
        fprintf(f, "    %s  %-12s", rs_format_clock(a->t_ms, clock, sizeof clock), rs_tact_name(a->kind));
        if (a->kind == RS_TACT_UNDO || a->kind == RS_TACT_SCALE || a->kind == RS_TACT_SET_WEIGHT)
            fprintf(f, " %d", a->number);
        else if (a->arg[0])
            fprintf(f, " %s", a->arg);
        if (a->outcome[0])
            fprintf(f, "   (failed: %s)", a->outcome);
        fputc('\n', f);
    }
}

static void print_compare(const rs_result *r, const rs_train_compare *c, FILE *f)
{
    char a[24], b[24];
    if (!c->have) {
        fprintf(f, "  comparison: none (%s)\n", c->error);
        return;
    }
    fprintf(f, "  comparison: %s on the same scenario and seed: MTTR %s, score %.1f (trainee: MTTR %s, score %.1f)\n",
            c->policy, isnan(c->mttr_s) ? "n/a" : rs_format_duration((rs_time)llround(c->mttr_s * 1000), a, sizeof a),
            c->score, isnan(r->scores.mttr_s) ? "n/a" : rs_format_duration((rs_time)llround(r->scores.mttr_s * 1000), b, sizeof b),
            r->scores.score);
}

/* ---- the commands ---- */

static int run_window(rs_train_session *s, train_opts *o, const rs_train_compare *cmp)
{
    o->win.compare = cmp;
    o->win.postmortem = postmortem;
    o->win.out_dir = o->out_dir;
    o->win.script_path = o->script;
    rs_error err;
    rs_error_clear(&err);
    rs_status st = rs_train_window_run(s, &o->win, &err);
    if (st != RS_OK) {
        fprintf(stderr, "rollsim: %s%s%s\n", err.where, err.where[0] ? ": " : "", err.message);
        return st == RS_BAD_INPUT ? 2 : 3;
    }
    return 0;
}

int rs_cmd_train(int argc, char **argv)
{
    train_opts o;
    memset(&o, 0, sizeof o);
    o.win.speed = 10;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int pc = parse_common("train", argc, argv, &i, &o);
        if (pc < 0)
            return 2;
        if (pc > 0)
            continue;
        if (strcmp(a, "--random") == 0) {
            o.random = true;
        } else if (strcmp(a, "--seed") == 0) {
            if (rs_cli_parse_u64(val, &o.seed) != 0) {
                fprintf(stderr, "rollsim train: --seed takes a non-negative integer\n");
                return 2;
            }
            o.have_seed = true;
            i++;
        } else if (strcmp(a, "--set") == 0) {
            if (!val || !strchr(val, '=') || o.n_sets == RS_TRAIN_MAX_SETS) {
                fprintf(stderr, "rollsim train: --set takes PATH=VALUE (at most %d)\n", RS_TRAIN_MAX_SETS);
                return 2;
            }
            o.sets[o.n_sets++] = val;
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "rollsim train: unknown option '%s' (see rollsim --help)\n", a);
            return 2;
        } else if (!o.scenario && !o.random) {
            o.scenario = a;
        } else {
            fprintf(stderr, "rollsim train: one scenario, or --random\n");
            return 2;
        }
    }
    if (o.random && o.scenario) {
        fprintf(stderr, "rollsim train: a scenario or --random, not both\n");
        return 2;
    }
    rs_train_record rec;
    rs_train_record_init(&rec);
    rs_scenario *sc = malloc(sizeof *sc);
    int code = sc ? make_header(&o, &rec) : 3;
    if (code == 0)
        code = load_recorded_scenario(&rec, sc);
    if (code == 0 && !o.have_seed)
        rec.seed = o.seed = sc->seed;
    rs_train_compare cmp;
    char record[600];
    rs_train_session *s = NULL;
    if (code == 0) {
        compare(&rec, &cmp);
        snprintf(record, sizeof record, "%s", o.record ? o.record : "");
        if (!o.record)
            snprintf(record, sizeof record, "%s/rollsim-session-%llu.json", o.out_dir ? o.out_dir : ".",
                     (unsigned long long)rec.seed);
        rs_error err;
        s = rs_train_session_new(sc, &rec, record, &err);
        if (!s) {
            fprintf(stderr, "rollsim train: %s\n", err.message);
            code = err.code == RS_BAD_INPUT ? 2 : 3;
        }
    }
    if (code == 0) {
        code = run_window(s, &o, &cmp);
        if (code != 0 && rs_train_session_record(s)->n_acts == 0)
            remove(record); /* no window, or a bad --script: the drill never started */
    }
    const rs_result *r = s ? rs_train_session_result(s) : NULL;
    if (r && o.win.bench_frames == 0) {
        int oc = outputs(&o, r);
        if (!o.quiet) {
            rs_print_summary(r, stdout);
            print_actions(rs_train_session_record(s), stdout);
            print_compare(r, &cmp, stdout);
            printf("  session recorded in %s; replay it with: rollsim replay %s --window\n", record, record);
        }
        code = code ? code : oc;
    }
    rs_train_session_free(s);
    rs_train_record_fini(&rec);
    free(sc);
    return code;
}

int rs_cmd_replay(int argc, char **argv)
{
    train_opts o;
    memset(&o, 0, sizeof o);
    o.win.speed = 10;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int pc = parse_common("replay", argc, argv, &i, &o);
        if (pc < 0)
            return 2;
        if (pc > 0)
            continue;
        if (a[0] == '-' && a[1]) {
            fprintf(stderr, "rollsim replay: unknown option '%s' (see rollsim --help)\n", a);
            return 2;
        } else if (!o.scenario) {
            o.scenario = a; /* the session file */
        } else {
            fprintf(stderr, "rollsim replay: one session file at a time\n");
            return 2;
        }
    }
    if (!o.scenario) {
        fprintf(stderr, "usage: rollsim replay SESSION.json [--window] [--json OUT] [--png OUT] [--postmortem OUT]\n");
        return 2;
    }
    rs_train_record rec;
    rs_error err;
    rs_error_clear(&err);
    if (rs_train_record_load(o.scenario, &rec, &err) != RS_OK) {
        fprintf(stderr, "rollsim replay: %s: %s\n", err.where, err.message);
        return err.code == RS_INTERNAL ? 3 : 2;
    }
    rs_scenario *sc = malloc(sizeof *sc);
    int code = sc ? load_recorded_scenario(&rec, sc) : 3;
    rs_train_session *s = NULL;
    rs_train_compare cmp;
    memset(&cmp, 0, sizeof cmp);
    if (code == 0 && o.window) {
        compare(&rec, &cmp);
        o.win.replay = true;
        s = rs_train_session_new(sc, &rec, NULL, &err);
        if (s) {
            rs_train_session_follow(s, &rec);
            code = run_window(s, &o, &cmp);
        }
    } else if (code == 0) {
        s = rs_train_replay(sc, &rec, &err);
        if (!o.quiet)
            compare(&rec, &cmp);
    }
    if (code == 0 && !s) {
        fprintf(stderr, "rollsim replay: %s\n", err.message);
        code = err.code == RS_BAD_INPUT ? 2 : 3;
    }
    const rs_result *r = s ? rs_train_session_result(s) : NULL;
    if (r) {
        code = outputs(&o, r);
        char *json = rs_report_json(r), hash[24] = "";
        if (json)
            rs_train_hash(json, hash, sizeof hash);
        free(json);
        bool same = rec.report_hash[0] && strcmp(hash, rec.report_hash) == 0;
        if (!o.quiet) {
            rs_print_summary(r, stdout);
            print_actions(&rec, stdout);
            print_compare(r, &cmp, stdout);
        }
        if (!rec.report_hash[0])
            fprintf(stderr, "rollsim replay: the session has no recorded result (it did not end normally); replayed "
                            "to the end of the run\n");
        else if (!same) {
            fprintf(stderr, "rollsim replay: the report differs from the recorded session's (%s, recorded %s)\n", hash,
                    rec.report_hash);
            if (strcmp(rec.version, RS_VERSION) != 0)
                fprintf(stderr, "rollsim replay: the session was recorded with rollsim %s and this is %s: the model "
                                "changed between them, so the same actions can play out differently\n",
                        rec.version[0] ? rec.version : "(unknown)", RS_VERSION);
            code = code ? code : 1;
        } else if (!o.quiet)
            printf("  replay matches the recorded session (report fnv1a64 %s)\n", hash);
    }
    rs_train_session_free(s);
    rs_train_record_fini(&rec);
    free(sc);
    return code;
}
