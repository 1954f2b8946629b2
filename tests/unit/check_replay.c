/* Training sessions, headless: a live session stopped at any frame times and a replay that stops only at
 * the recorded actions give byte-identical reports; the session file is written after every action and
 * reads back as written; the live view hides what the on-call cannot see. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rollsim/io.h"
#include "rollsim/train.h"
#include "test_util.h"

typedef struct {
    rs_train_record header;
    rs_scenario sc;
    char path[256];
} fixture;

static fixture *setup(const char *scenario_file, uint64_t seed, const char *set)
{
    fixture *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    rs_train_record_init(&f->header);
    if (scenario_file) {
        char path[512];
        snprintf(path, sizeof path, "%s/scenarios/%s", RS_SOURCE_DIR, scenario_file);
        FILE *in = fopen(path, "rb");
        ck_assert_ptr_nonnull(in);
        f->header.scenario_text = calloc(1, 1 << 16);
        fread(f->header.scenario_text, 1, (1 << 16) - 1, in);
        fclose(in);
        snprintf(f->header.scenario, sizeof f->header.scenario, "scenarios/%s", scenario_file);
    } else {
        f->header.scenario_text = strdup(rs_default_scenario_json);
        snprintf(f->header.scenario, sizeof f->header.scenario, "%s", RS_TRAIN_BUILTIN);
    }
    if (set)
        snprintf(f->header.sets[f->header.n_sets++], sizeof f->header.sets[0], "%s", set);
    f->header.seed = seed;
    rs_diagnostics *d = malloc(sizeof *d);
    rs_status st = rs_train_record_scenario(&f->header, &f->sc, d);
    if (st != RS_OK)
        rs_diagnostics_print(d, stderr);
    free(d);
    ck_assert_int_eq(st, RS_OK);
    snprintf(f->path, sizeof f->path, "check_replay-%d-%llu.json", (int)getpid(), (unsigned long long)seed);
    return f;
}

static void teardown(fixture *f)
{
    remove(f->path);
    rs_train_record_fini(&f->header);
    free(f);
}

/* Advances like a window does: uneven frames, never exactly on the actions' times. */
static void frames_until(rs_train_session *s, rs_time t)
{
    rs_time now = rs_sim_now(rs_train_session_sim(s));
    for (int i = 0; now < t && !rs_train_session_ended(s); i++) {
        now += 250 + (i * 389) % 1300;
        rs_train_session_advance(s, now < t ? now : t);
        now = rs_sim_now(rs_train_session_sim(s));
    }
}

static rs_status act(rs_train_session *s, rs_tact_kind kind, int number, const char *arg)
{
    rs_tact a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    a.number = number;
    snprintf(a.arg, sizeof a.arg, "%s", arg ? arg : "");
    rs_error err;
    return rs_train_session_act(s, &a, &err);
}

static char *replay_report(const char *path)
{
    rs_train_record rec;
    rs_error err;
    ck_assert_int_eq(rs_train_record_load(path, &rec, &err), RS_OK);
    rs_scenario *sc = malloc(sizeof *sc);
    ck_assert_int_eq(rs_train_record_scenario(&rec, sc, NULL), RS_OK);
    rs_train_session *s = rs_train_replay(sc, &rec, &err);
    ck_assert_ptr_nonnull(s);
    char *json = rs_report_json(rs_train_session_result(s));
    char hash[24];
    rs_train_hash(json, hash, sizeof hash);
    ck_assert_str_eq(hash, rec.report_hash);
    rs_train_session_free(s);
    rs_train_record_fini(&rec);
    free(sc);
    return json;
}

/* The seed's Part 5 on-call, played by hand: ack, read the logs, note, roll back, resolve. */
static char *play_seed_drill(fixture *f, rs_train_session **out)
{
    rs_error err;
    rs_train_session *s = rs_train_session_new(&f->sc, &f->header, f->path, &err);
    ck_assert_ptr_nonnull(s);
    frames_until(s, RS_SEC(395));
    ck_assert(act(s, RS_TACT_ACK, 0, NULL) == RS_OK);
    ck_assert(act(s, RS_TACT_LOGS, 0, "") == RS_OK);
    frames_until(s, RS_SEC(441));
    ck_assert(act(s, RS_TACT_NOTE, 0, "logs: Cannot connect to cache. Rolling back v2.5") == RS_OK);
    ck_assert(act(s, RS_TACT_UNDO, 0, NULL) == RS_OK);
    frames_until(s, RS_SEC(900));
    ck_assert(act(s, RS_TACT_RESOLVE, 0, "restored to v2.4") == RS_OK);
    const rs_result *r = rs_train_session_finish(s, "resolved", &err);
    ck_assert_ptr_nonnull(r);
    *out = s;
    return rs_report_json(r);
}

START_TEST(live_session_and_replay_give_byte_identical_reports)
{
    fixture *f = setup(NULL, 42, NULL);
    rs_train_session *s;
    char *live = play_seed_drill(f, &s);
    const rs_result *r = rs_train_session_result(s);
    ck_assert(r->outcome.rolled_back);
    ck_assert(r->outcome.resolved);
    ck_assert(r->scores.score > 80);
    ck_assert_int_ge(r->n_decisions, 1);
    ck_assert_str_eq(r->decisions[0].who, "trainee");
    char *replayed = replay_report(f->path);
    ck_assert_str_eq(live, replayed);
    free(live);
    free(replayed);
    rs_train_session_free(s);
    teardown(f);
}
END_TEST

START_TEST(session_file_is_written_after_every_action)
{
    fixture *f = setup(NULL, 42, NULL);
    rs_error err;
    rs_train_session *s = rs_train_session_new(&f->sc, &f->header, f->path, &err);
    rs_train_record rec;
    ck_assert_int_eq(rs_train_record_load(f->path, &rec, &err), RS_OK);
    ck_assert_int_eq(rec.n_acts, 0);
    ck_assert_str_eq(rec.end_how, "");
    rs_train_record_fini(&rec);
    frames_until(s, RS_MIN(6));
    act(s, RS_TACT_ACK, 0, NULL);
    act(s, RS_TACT_NOTE, 0, "a \"quoted\" note\nwith a newline and ü");
    ck_assert_int_eq(rs_train_record_load(f->path, &rec, &err), RS_OK);
    ck_assert_int_eq(rec.n_acts, 2);
    ck_assert_int_eq(rec.acts[0].kind, RS_TACT_ACK);
    ck_assert_int_eq(rec.acts[0].t_ms, RS_MIN(6));
    ck_assert_str_eq(rec.acts[1].arg, "a \"quoted\" note\nwith a newline and ü");
    ck_assert_uint_eq(rec.seed, 42);
    ck_assert_str_eq(rec.scenario, RS_TRAIN_BUILTIN);
    ck_assert_str_eq(rec.scenario_text, rs_default_scenario_json);
    rs_train_record_fini(&rec);
    rs_train_session_free(s);
    teardown(f);
}
END_TEST

START_TEST(failed_action_is_recorded_told_and_replayed)
{
    fixture *f = setup(NULL, 7, NULL);
    rs_error err;
    rs_train_session *s = rs_train_session_new(&f->sc, &f->header, f->path, &err);
    frames_until(s, RS_MIN(4));
    ck_assert(act(s, RS_TACT_PROMOTE, 0, NULL) == RS_BAD_INPUT); /* a rolling update has nothing to promote */
    ck_assert(act(s, RS_TACT_UNDO, 3, NULL) == RS_BAD_INPUT);    /* no revision 3 in the history */
    const rs_train_record *rec = rs_train_session_record(s);
    ck_assert_int_eq(rec->n_acts, 2);
    ck_assert(strstr(rec->acts[0].outcome, "rolling update") != NULL);
    const rs_result *live = rs_train_session_live(s);
    bool told = false;
    for (size_t i = 0; i < live->n_timeline; i++)
        told |= live->timeline[i].kind == RS_EV_NOTE && strstr(live->timeline[i].detail, "promote failed") != NULL;
    ck_assert(told);
    frames_until(s, RS_MIN(9));
    act(s, RS_TACT_UNDO, 9, NULL);
    char *a = rs_report_json(rs_train_session_finish(s, "quit", &err));
    char *b = replay_report(f->path);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    rs_train_session_free(s);
    teardown(f);
}
END_TEST

START_TEST(live_view_hides_the_fault_and_the_judgement)
{
    fixture *f = setup(NULL, 42, NULL);
    rs_error err;
    rs_train_session *s = rs_train_session_new(&f->sc, &f->header, NULL, &err);
    frames_until(s, RS_MIN(7));
    act(s, RS_TACT_UNDO, 0, NULL);
    frames_until(s, RS_MIN(12));
    const rs_result *live = rs_train_session_live(s);
    ck_assert_uint_gt(live->n_series, 20);
    bool decision = false;
    for (size_t i = 0; i < live->n_timeline; i++) {
        const rs_timeline_entry *e = &live->timeline[i];
        ck_assert(e->kind != RS_EV_FAULT_ONSET && e->kind != RS_EV_IMPACT_START && e->kind != RS_EV_RECOVERED);
        if (e->kind == RS_EV_DECISION) {
            decision = true;
            ck_assert(strstr(e->detail, "correct") == NULL && strstr(e->detail, " — ") == NULL);
        }
        if (i > 0)
            ck_assert(e->t_ms >= live->timeline[i - 1].t_ms);
    }
    ck_assert(decision);
    /* the dashboard's samples match the run's own series at the same scrapes */
    const rs_result *r = rs_train_session_finish(s, "quit", &err);
    for (size_t i = 0; i + 1 < live->n_series && i < r->n_series; i++) {
        ck_assert_int_eq(live->series[i].t_ms, r->series[i].t_ms);
        if (!isnan(r->series[i].error_rate))
            ck_assert_double_eq_tol(live->series[i].error_rate, r->series[i].error_rate, 1e-12);
        ck_assert_int_eq(live->series[i].pods_ready, r->series[i].pods_ready);
    }
    rs_train_session_free(s);
    teardown(f);
}
END_TEST

START_TEST(a_seed_beyond_two_to_the_53_survives_the_file)
{
    fixture *f = setup(NULL, (1ULL << 60) + 12345, NULL);
    rs_error err;
    rs_train_session *s = rs_train_session_new(&f->sc, &f->header, f->path, &err);
    ck_assert_ptr_nonnull(s);
    rs_train_record rec;
    ck_assert_int_eq(rs_train_record_load(f->path, &rec, &err), RS_OK);
    ck_assert_uint_eq(rec.seed, (1ULL << 60) + 12345);
    rs_train_record_fini(&rec);
    rs_train_session_free(s);
    teardown(f);
}
END_TEST

START_TEST(a_large_canary_drill_replays_identically)
{
    fixture *f = setup("canary-redis.json", 3, "deployment.replicas=40");
    rs_error err;
    rs_train_session *s = rs_train_session_new(&f->sc, &f->header, f->path, &err);
    ck_assert_ptr_nonnull(s);
    frames_until(s, RS_MIN(5));
    act(s, RS_TACT_HISTORY, 0, NULL);
    act(s, RS_TACT_SET_WEIGHT, 10, NULL);
    frames_until(s, RS_MIN(7));
    act(s, RS_TACT_UNDO, 0, NULL);
    act(s, RS_TACT_ESCALATE, 0, "cache team");
    char *a = rs_report_json(rs_train_session_finish(s, "quit", &err));
    char *b = replay_report(f->path);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    rs_train_session_free(s);
    teardown(f);
}
END_TEST

START_TEST(a_bad_session_file_is_refused_with_its_name)
{
    char path[64];
    snprintf(path, sizeof path, "check_replay-bad-%d.json", (int)getpid());
    FILE *o = fopen(path, "w");
    fputs("{\"schema\": \"rollsim.session/1\", \"scenario_json\": \"{}\", \"seed\": 1, \"actions\": "
          "[{\"t_ms\": 5000, \"do\": \"dance\"}]}",
          o);
    fclose(o);
    rs_train_record rec;
    rs_error err;
    ck_assert_int_eq(rs_train_record_load(path, &rec, &err), RS_BAD_INPUT);
    ck_assert_str_eq(err.where, path);
    ck_assert(strstr(err.message, "dance") != NULL);
    remove(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("replay");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, live_session_and_replay_give_byte_identical_reports);
    tcase_add_test(tc, session_file_is_written_after_every_action);
    tcase_add_test(tc, failed_action_is_recorded_told_and_replayed);
    tcase_add_test(tc, live_view_hides_the_fault_and_the_judgement);
    tcase_add_test(tc, a_seed_beyond_two_to_the_53_survives_the_file);
    tcase_add_test(tc, a_large_canary_drill_replays_identically);
    tcase_add_test(tc, a_bad_session_file_is_refused_with_its_name);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
