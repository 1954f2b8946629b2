/* The on-call runbook (scenarios/policies/operator-runbook.lua) walks the seed's Part 2 decision tree on
 * every shipped scenario and is judged correct every time; the naive always-rollback operator is judged
 * harmful where the seed says a rollback is wrong; the post-mortem has the seed's Part 7 sections and the
 * right root-cause category; `rollsim lint` finds each readiness problem on a bad input and none on the
 * healthy release. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rollsim/io.h"
#include "rollsim/lint.h"
#include "rollsim/policy.h"
#include "rollsim/sim.h"
#include "test_util.h"

#define RUNBOOK RS_SOURCE_DIR "/scenarios/policies/operator-runbook.lua"
#define ALWAYS RS_SOURCE_DIR "/scenarios/policies/always-rollback.lua"

typedef struct {
    rs_scenario sc;
    rs_sim *sim;
    rs_policy_set *ps;
    const rs_result *r;
} run;

/* Plays scenarios/NAME with its own policies (the controllers) when `controllers`, then `operator` as the
 * on-call (NULL: the scripted on-call). `sets` are --set overrides. */
static run *play(const char *name, const char *operator, bool controllers, const char *const *sets, int n_sets)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/%s", RS_SOURCE_DIR, name);
    run *x = calloc(1, sizeof *x);
    tu_load(path, sets, n_sets, &x->sc);
    rs_status st;
    rs_error err;
    rs_error_clear(&err);
    x->sim = rs_sim_new(&x->sc, x->sc.seed, &err);
    ck_assert_ptr_nonnull(x->sim);
    if ((controllers && x->sc.n_policies > 0) || operator) {
        x->ps = rs_policy_set_new(x->sim, &x->sc, x->sc.seed, &err);
        ck_assert_ptr_nonnull(x->ps);
    }
    for (int i = 0; controllers && i < x->sc.n_policies; i++) {
        const rs_policy_ref *ref = &x->sc.policies[i];
        char texts[RS_MAX_PARAMS][2 * RS_NAME_MAX + 2];
        const char *params[RS_MAX_PARAMS];
        for (int j = 0; j < ref->n_params; j++) {
            snprintf(texts[j], sizeof texts[j], "%s=%s", ref->param_name[j], ref->param_value[j]);
            params[j] = texts[j];
        }
        st = rs_policy_load(x->ps, ref->file, ref->role, params, ref->n_params, NULL, &err);
        ck_assert_msg(st == RS_OK, "%s: %s", ref->file, err.message);
    }
    if (operator) {
        st = rs_policy_load(x->ps, operator, NULL, NULL, 0, NULL, &err);
        ck_assert_msg(st == RS_OK, "%s: %s", operator, err.message);
    }
    rs_sim_run(x->sim);
    x->r = rs_sim_result(x->sim);
    ck_assert_msg(x->r->outcome.error_code == RS_OK, "%s: the run stopped: %s", name, x->r->outcome.error);
    return x;
}

static void done(run *x)
{
    rs_policy_set_free(x->ps);
    rs_sim_free(x->sim);
    free(x);
}

static int count(const rs_result *r, const char *who, rs_judgement j)
{
    int n = 0;
    for (int i = 0; i < r->n_decisions; i++)
        if ((!who || strcmp(r->decisions[i].who, who) == 0) && r->decisions[i].judgement == j)
            n++;
    return n;
}

static const rs_decision *decision(const rs_result *r, const char *who, rs_decision_kind k)
{
    for (int i = 0; i < r->n_decisions; i++)
        if (strcmp(r->decisions[i].who, who) == 0 && r->decisions[i].kind == k)
            return &r->decisions[i];
    return NULL;
}

static void expectations_met(const run *x, const char *name)
{
    for (int i = 0; i < x->r->outcome.n_expect; i++) {
        const rs_expect_result *e = &x->r->outcome.expect[i];
        ck_assert_msg(e->passed, "%s with the runbook: %s expected %s, got %s", name, rs_expect_kind_name(e->kind),
                      e->expected, e->actual);
    }
}

/* ---- the runbook ---- */

/* canary-oom's expectations describe Flagger promoting a leaking release (rolled_back false, final v5.0):
 * the on-call paged 8 minutes later rolls it back, which the judge finds correct but the block does not
 * expect. */
static bool controller_story(const char *name) { return strcmp(name, "canary-oom.json") == 0; }

START_TEST(runbook_is_judged_correct_on_every_shipped_scenario)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/scenarios", RS_SOURCE_DIR);
    DIR *dp = opendir(dir);
    ck_assert_ptr_nonnull(dp);
    struct dirent *e;
    int n = 0, decided = 0;
    while ((e = readdir(dp))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        run *x = play(e->d_name, RUNBOOK, true, NULL, 0);
        for (int i = 0; i < x->r->n_decisions; i++) {
            const rs_decision *d = &x->r->decisions[i];
            if (strcmp(d->who, "operator-runbook") != 0)
                continue;
            decided++;
            ck_assert_msg(d->judgement == RS_JUDGED_CORRECT, "%s: the runbook's %s at %lld ms was judged %s: %s [%s]",
                          e->d_name, rs_decision_kind_name(d->kind), (long long)d->t_ms,
                          rs_judgement_name(d->judgement), d->reason, d->branch);
        }
        if (!controller_story(e->d_name))
            expectations_met(x, e->d_name);
        done(x);
        n++;
    }
    closedir(dp);
    ck_assert_int_ge(n, 20);
    ck_assert_int_ge(decided, 15);
}
END_TEST

/* The ten scenarios of the seed's Part 2 and Part 4: the runbook alone meets their expectations, with the
 * branch the seed prescribes. */
START_TEST(runbook_takes_the_seeds_branch)
{
    static const struct {
        const char *file;
        rs_decision_kind kind; /* the runbook's first judged decision */
        bool db_revert;        /* then a down migration */
    } cases[] = {
        {"db-add-column-empty.json", RS_DEC_ROLLBACK, true},     {"db-add-column-data.json", RS_DEC_ROLLBACK, true},
        {"db-drop-column.json", RS_DEC_HOTFIX, false},           {"db-modify-type-safe.json", RS_DEC_ROLLBACK, true},
        {"db-modify-type-overflow.json", RS_DEC_HOTFIX, false},  {"db-add-table-empty.json", RS_DEC_ROLLBACK, true},
        {"db-add-table-orders.json", RS_DEC_ROLLBACK, true},     {"config-fix.json", RS_DEC_CONFIG_FIX, false},
        {"external-outage.json", RS_DEC_ESCALATE, false},        {"hotfix-faster.json", RS_DEC_HOTFIX, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run *x = play(cases[i].file, RUNBOOK, false, NULL, 0);
        const rs_result *r = x->r;
        ck_assert_msg(r->n_decisions > 0, "%s: no decision", cases[i].file);
        ck_assert_msg(r->decisions[0].kind == cases[i].kind, "%s: first decision %s", cases[i].file,
                      rs_decision_kind_name(r->decisions[0].kind));
        ck_assert_int_eq(count(r, NULL, RS_JUDGED_HARMFUL), 0);
        ck_assert_int_eq(count(r, NULL, RS_JUDGED_ACCEPTABLE), 0);
        const rs_decision *down = decision(r, "operator-runbook", RS_DEC_DB_REVERT);
        ck_assert_msg((down != NULL) == cases[i].db_revert, "%s: down migration %s", cases[i].file, down ? "run" : "not run");
        ck_assert_msg(r->outcome.n_expect >= 5, "%s: too few expectations", cases[i].file);
        expectations_met(x, cases[i].file);
        ck_assert(r->outcome.resolved);
        if (strcmp(cases[i].file, "db-drop-column.json") != 0) /* there the migration itself drops the values */
            ck_assert_double_eq(r->data.rows_lost, 0);
        done(x);
        /* the scripted timeline meets the same block */
        x = play(cases[i].file, NULL, false, NULL, 0);
        ck_assert_msg(x->r->outcome.all_passed, "%s: the script no longer meets its expectations", cases[i].file);
        done(x);
    }
}
END_TEST

START_TEST(runbook_backs_up_before_dropping_data)
{
    run *x = play("db-add-column-data.json", RUNBOOK, false, NULL, 0);
    rs_time backup = -1, down = -1;
    for (size_t i = 0; i < x->r->n_timeline; i++) {
        const rs_timeline_entry *e = &x->r->timeline[i];
        if (e->kind == RS_EV_BACKUP && backup < 0)
            backup = e->t_ms;
        if (e->kind == RS_EV_MIGRATION && strstr(e->detail, "down migration") && down < 0)
            down = e->t_ms;
    }
    ck_assert_int_ge(backup, 0);
    ck_assert_int_gt(down, backup);
    ck_assert_double_eq(x->r->data.rows_lost, 0);
    done(x);
}
END_TEST

/* The engine's read behind migrations(): what the migration tool shows at the end of the scripted runs. */
START_TEST(migrations_read_shows_the_seeds_part4_questions)
{
    rs_migration_info m[RS_MAX_VERSIONS * RS_MAX_MIGRATIONS];
    run *x = play("db-add-column-data.json", NULL, false, NULL, 0);
    ck_assert_int_eq(rs_sim_migrations(x->sim, m, RS_MAX_VERSIONS * RS_MAX_MIGRATIONS), 1);
    ck_assert_int_eq(m[0].kind, RS_MIG_ADD_COLUMN);
    ck_assert_str_eq(m[0].table, "users");
    ck_assert_str_eq(m[0].column, "email");
    ck_assert_str_eq(m[0].status, "reverted");
    ck_assert(m[0].has_down);
    ck_assert(m[0].backed_up); /* the script backed the table up before the down step */
    done(x);
    x = play("db-modify-type-overflow.json", NULL, false, NULL, 0);
    ck_assert_int_eq(rs_sim_migrations(x->sim, m, 1), 1);
    ck_assert_str_eq(m[0].status, "applied");
    ck_assert_double_gt(m[0].values_over_old_range, 0);
    ck_assert(!m[0].backed_up);
    done(x);
    x = play("db-drop-column.json", NULL, false, NULL, 0);
    ck_assert_int_eq(rs_sim_migrations(x->sim, m, 1), 1);
    ck_assert(!m[0].has_down);
    ck_assert_double_ge(m[0].rows_with_data, 200000); /* the phone numbers dropped when it ran */
    ck_assert_int_eq(rs_sim_migrations(x->sim, m, 0), 1); /* the count, whatever max */
    done(x);
    x = play("db-add-table-orders.json", RUNBOOK, false, NULL, 0);
    ck_assert_int_eq(rs_sim_migrations(x->sim, m, 1), 1);
    ck_assert_str_eq(m[0].column, "");
    ck_assert_str_eq(m[0].status, "reverted");
    done(x);
}
END_TEST

START_TEST(runbook_is_deterministic)
{
    run *a = play("config-fix.json", RUNBOOK, false, NULL, 0);
    run *b = play("config-fix.json", RUNBOOK, false, NULL, 0);
    char *ja = rs_report_json(a->r), *jb = rs_report_json(b->r);
    ck_assert_str_eq(ja, jb);
    free(ja);
    free(jb);
    done(a);
    done(b);
}
END_TEST

/* ---- the naive operator ---- */

START_TEST(always_rollback_is_judged_as_the_seed_says)
{
    static const struct {
        const char *file;
        rs_judgement j;
    } cases[] = {
        {"external-outage.json", RS_JUDGED_HARMFUL},     {"db-drop-column.json", RS_JUDGED_HARMFUL},
        {"db-modify-type-overflow.json", RS_JUDGED_HARMFUL}, {"config-fix.json", RS_JUDGED_ACCEPTABLE},
        {"hotfix-faster.json", RS_JUDGED_ACCEPTABLE},    {"seed-incident.json", RS_JUDGED_CORRECT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run *x = play(cases[i].file, ALWAYS, false, NULL, 0);
        const rs_decision *d = decision(x->r, "always-rollback", RS_DEC_ROLLBACK);
        ck_assert_msg(d != NULL, "%s: no rollback", cases[i].file);
        ck_assert_msg(d->judgement == cases[i].j, "%s: judged %s, expected %s (%s)", cases[i].file,
                      rs_judgement_name(d->judgement), rs_judgement_name(cases[i].j), d->branch);
        done(x);
    }
}
END_TEST

/* ---- the post-mortem ---- */

static char *postmortem_of(const char *name, const char *operator, const char *const *sets, int n_sets)
{
    run *x = play(name, operator, true, sets, n_sets);
    char *md = rs_report_postmortem(x->r);
    ck_assert_ptr_nonnull(md);
    done(x);
    return md;
}

static void has(const char *md, const char *text)
{
    ck_assert_msg(strstr(md, text) != NULL, "'%s' not in the post-mortem:\n%.2000s", text, md);
}

START_TEST(postmortem_has_the_seeds_sections)
{
    char *md = postmortem_of("seed-incident.json", NULL, NULL, 0);
    static const char *const sections[] = {
        "# Post-incident report: seed-incident", "Blameless", "## Summary", "## Impact", "Error budget burned",
        "Data: rows lost", "## Timeline", "| Deployment | T+02:00 |", "| Detection |", "| Decision |",
        "| Recovery |", "| Resolution |", "**Total duration**", "## Decisions", "Branch: Q7", "judged **correct**",
        "## Root cause", "**Category: Code Quality**", "## Action items (Code Quality)", "- [ ] Fix bug",
        "Owner: ____  Deadline: ____", "Schedule post-mortem within 48 hours, blameless", "why wasn't it caught?"};
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
        has(md, sections[i]);
    /* the summary is two sentences */
    const char *s = strstr(md, "## Summary\n\n") + strlen("## Summary\n\n");
    const char *end = strstr(s, "\n\n");
    int sentences = 0;
    for (const char *p = s; p < end; p++)
        sentences += (*p == '.' && (p + 1 == end || p[1] == ' '));
    ck_assert_int_eq(sentences, 2);
    char *again = postmortem_of("seed-incident.json", NULL, NULL, 0);
    ck_assert_str_eq(md, again);
    free(again);
    free(md);
}
END_TEST

START_TEST(postmortem_derives_the_category)
{
    static const char *const no_traffic_alert[] = {
        "alerts=[{\"name\": \"HighErrorRate\", \"metric\": \"error_rate\", \"window\": \"5m\", \"op\": \">\", "
        "\"threshold\": \"5%\", \"for\": \"1m\", \"severity\": \"critical\"}]",
        "expect={}"};
    static const struct {
        const char *file;
        const char *op;
        const char *const *sets;
        int n_sets;
        const char *category, *item;
    } cases[] = {
        {"external-outage.json", RUNBOOK, NULL, 0, "**Category: Process Issue**", "- [ ] Update runbook"},
        {"config-fix.json", RUNBOOK, NULL, 0, "**Category: Process Issue**", "- [ ] Add checklist item"},
        {"memory-leak.json", NULL, NULL, 0, "**Category: Insufficient Testing**", "- [ ] Add load test"},
        {"latency-regression.json", NULL, NULL, 0, "**Category: Insufficient Testing**", "- [ ] Add integration test"},
        {"db-drop-column.json", RUNBOOK, NULL, 0, "**Category: Code Quality**", "- [ ] Fix bug"},
        {"traffic-drop.json", NULL, no_traffic_alert, 2, "**Category: Monitoring Gap**", "- [ ] Add new alert"},
        {"canary-oom.json", NULL, NULL, 0, "**Category: Monitoring Gap**", "- [ ] Adjust thresholds"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *md = postmortem_of(cases[i].file, cases[i].op, cases[i].sets, cases[i].n_sets);
        has(md, cases[i].category);
        has(md, cases[i].item);
        has(md, "Owner: ____  Deadline: ____");
        free(md);
    }
    char *md = postmortem_of("healthy-release.json", NULL, NULL, 0);
    has(md, "no user impact");
    ck_assert_ptr_null(strstr(md, "## Action items"));
    free(md);
    /* the runbook's escalation appears with its judgement */
    md = postmortem_of("external-outage.json", RUNBOOK, NULL, 0);
    has(md, "escalate** (operator-runbook): judged **correct**");
    free(md);
}
END_TEST

START_TEST(postmortem_is_written_atomically)
{
    run *x = play("seed-incident.json", NULL, false, NULL, 0);
    char dir[] = "/tmp/rollsim-pm-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/pm.md", dir);
    rs_error err;
    rs_error_clear(&err);
    ck_assert_int_eq(rs_write_postmortem(x->r, path, &err), RS_OK);
    char *md = rs_report_postmortem(x->r);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1, strlen(md) + 16);
    size_t n = fread(buf, 1, strlen(md) + 8, f);
    fclose(f);
    ck_assert_uint_eq(n, strlen(md));
    ck_assert_str_eq(buf, md);
    snprintf(path, sizeof path, "%s/missing/pm.md", dir);
    ck_assert_int_eq(rs_write_postmortem(x->r, path, &err), RS_INTERNAL);
    snprintf(path, sizeof path, "%s/pm.md", dir);
    unlink(path);
    rmdir(dir);
    free(buf);
    free(md);
    done(x);
}
END_TEST

/* ---- lint ---- */

static char lint_dir[64];

static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", lint_dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void lint_setup(void)
{
    snprintf(lint_dir, sizeof lint_dir, "/tmp/rollsim-lint-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(lint_dir));
}

static void lint_teardown(void)
{
    DIR *dp = opendir(lint_dir);
    struct dirent *e;
    char path[512];
    while (dp && (e = readdir(dp)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", lint_dir, e->d_name);
            unlink(path);
        }
    if (dp)
        closedir(dp);
    rmdir(lint_dir);
}

/* Lints text (a scenario or a Deployment); returns the finding of `check`, or NULL. */
static rs_lint_report *lint_text(const char *name, const char *text)
{
    rs_lint_report *r = malloc(sizeof *r);
    rs_diagnostics *d = malloc(sizeof *d);
    rs_status st = rs_lint_file(write_tmp(name, text), r, d);
    if (st != RS_OK)
        rs_diagnostics_print(d, stderr);
    ck_assert_int_eq(st, RS_OK);
    free(d);
    return r;
}

static const rs_lint_finding *finding(const rs_lint_report *r, const char *check)
{
    for (int i = 0; i < r->count; i++)
        if (strcmp(r->items[i].check, check) == 0)
            return &r->items[i];
    return NULL;
}

static void fires(const char *text, const char *check, rs_lint_severity sev, const char *where)
{
    rs_lint_report *r = lint_text("x.json", text);
    const rs_lint_finding *f = finding(r, check);
    ck_assert_msg(f != NULL, "%s did not fire on %s", check, text);
    ck_assert_msg(f->severity == sev, "%s: %s instead of %s", check, rs_lint_severity_name(f->severity),
                  rs_lint_severity_name(sev));
    ck_assert_msg(strstr(f->where, where) != NULL, "%s: where '%s' lacks '%s'", check, f->where, where);
    ck_assert(f->reason[0] && f->fix[0]);
    free(r);
}

START_TEST(lint_passes_the_healthy_release)
{
    rs_lint_report *r = malloc(sizeof *r);
    rs_diagnostics *d = malloc(sizeof *d);
    ck_assert_int_eq(rs_lint_file(RS_SOURCE_DIR "/scenarios/healthy-release.json", r, d), RS_OK);
    ck_assert_str_eq(r->kind, "scenario");
    ck_assert_int_eq(r->count, 0);
    ck_assert_int_eq(rs_lint_file(RS_SOURCE_DIR "/tests/fixtures/k8s/deployment-myapp.json", r, d), RS_OK);
    ck_assert_str_eq(r->kind, "Deployment");
    ck_assert_int_eq(r->errors + r->warnings, 0);
    ck_assert_int_eq(rs_lint_file(RS_SOURCE_DIR "/scenarios/db-drop-column.json", r, d), RS_OK);
    ck_assert_int_eq(r->errors, 1);
    ck_assert_str_eq(r->items[0].check, "migration-backup");
    ck_assert_str_eq(r->items[0].where, RS_SOURCE_DIR "/scenarios/db-drop-column.json:51:9 ($.versions[1].migrations[0])");
    free(r);
    free(d);
}
END_TEST

#define DB "\"database\": {\"tables\": [{\"name\": \"users\", \"rows\": 1000, \"columns\": [\"id:bigint\", \"phone:text\", \"age:bigint\"]}]}, "

START_TEST(lint_checks_fire_on_bad_scenarios)
{
    fires("{\"deployment\": {\"revisionHistoryLimit\": 0}}", "revision-history", RS_LINT_ERROR,
          "x.json:1:41 ($.deployment.revisionHistoryLimit)");
    fires("{\"deployment\": {\"revisionHistoryLimit\": 1}}", "revision-history", RS_LINT_WARNING, "revisionHistoryLimit");
    fires("{\"deployment\": {\"readinessProbe\": null}}", "readiness-probe", RS_LINT_ERROR,
          "($.deployment.readinessProbe)");
    fires("{\"deployment\": {\"replicas\": 3, \"strategy\": {\"type\": \"RollingUpdate\", \"rollingUpdate\": "
          "{\"maxUnavailable\": 3}}}}",
          "max-unavailable", RS_LINT_ERROR, "($.deployment.strategy.rollingUpdate.maxUnavailable)");
    fires("{\"deployment\": {\"replicas\": 3, \"strategy\": {\"type\": \"RollingUpdate\", \"rollingUpdate\": "
          "{\"maxUnavailable\": 2}}}}",
          "max-unavailable", RS_LINT_WARNING, "maxUnavailable");
    fires("{\"deployment\": {\"replicas\": 1}}", "max-unavailable", RS_LINT_WARNING, "($.deployment.replicas)");
    fires("{\"versions\": [{\"name\": \"v1\", \"startup\": \"11m\"}]}", "progress-deadline", RS_LINT_ERROR,
          "progressDeadlineSeconds");
    fires("{\"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\", \"startup\": \"6m\"}]}", "progress-deadline",
          RS_LINT_WARNING, "progressDeadlineSeconds");
    fires("{\"versions\": [{\"name\": \"v1\", \"startup\": \"3m\"}, {\"name\": \"v2\"}]}", "rollback-time",
          RS_LINT_WARNING, "($.versions[0].startup)");
    fires("{\"deployment\": {\"strategy\": {\"type\": \"BlueGreen\", \"blueGreen\": {\"scaleDownDelaySeconds\": 30}}}}",
          "scale-down-delay", RS_LINT_WARNING, "($.deployment.strategy.blueGreen.scaleDownDelaySeconds)");
    fires("{\"deployment\": {\"strategy\": {\"type\": \"Canary\"}}, \"alerts\": []}", "canary-metrics", RS_LINT_ERROR,
          "($.deployment.strategy)");
    fires("{\"deployment\": {\"strategy\": {\"type\": \"Canary\"}}}", "canary-metrics", RS_LINT_WARNING, "($.alerts)");
    fires("{\"alerts\": [{\"name\": \"Slow\", \"metric\": \"latency_p95_ms\", \"threshold\": 300, \"severity\": "
          "\"critical\"}]}",
          "alert-error-rate", RS_LINT_ERROR, "($.alerts)");
    fires("{\"alerts\": [{\"name\": \"Err\", \"metric\": \"error_rate\", \"threshold\": \"5%\", \"severity\": "
          "\"critical\"}]}",
          "alert-latency", RS_LINT_WARNING, "($.alerts)");
    fires("{\"alerts\": [{\"name\": \"Err\", \"metric\": \"error_rate\", \"threshold\": \"5%\"}, {\"name\": \"Slow\", "
          "\"metric\": \"latency_p95_ms\", \"threshold\": 300}]}",
          "alert-page", RS_LINT_WARNING, "($.alerts)");
    fires("{" DB "\"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\", \"migrations\": [{\"type\": \"drop_column\", "
          "\"table\": \"users\", \"column\": \"phone\"}]}], \"timeline\": [{\"at\": \"2m\", \"do\": \"deploy\", "
          "\"version\": \"v2\"}]}",
          "migration-backup", RS_LINT_ERROR, "($.versions[1].migrations[0])");
    fires("{" DB "\"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\", \"migrations\": [{\"type\": \"modify_column\", "
          "\"table\": \"users\", \"column\": \"age\", \"column_type\": \"int\"}]}]}",
          "migration-backup", RS_LINT_ERROR, "($.versions[1].migrations[0])");
    fires("{" DB "\"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\", \"migrations\": [{\"type\": \"add_column\", "
          "\"table\": \"users\", \"column\": \"email\", \"down\": false}]}]}",
          "down-migration", RS_LINT_WARNING, "($.versions[1].migrations[0].down)");
    fires("{\"database\": {\"tables\": [{\"name\": \"users\", \"columns\": [\"age:int\"]}]}, \"versions\": [{\"name\": "
          "\"v1\"}, {\"name\": \"v2\", \"migrations\": [{\"type\": \"modify_column\", \"table\": \"users\", \"column\": "
          "\"age\", \"overflow_rate\": 0.01}]}]}",
          "migration-irreversible", RS_LINT_WARNING, "($.versions[1].migrations[0])");
}
END_TEST

START_TEST(lint_checks_stay_quiet_when_it_is_done_right)
{
    /* a backup before the deploy covers the dropped column */
    rs_lint_report *r = lint_text(
        "ok.json", "{" DB "\"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\", \"migrations\": [{\"type\": "
                   "\"drop_column\", \"table\": \"users\", \"column\": \"phone\"}]}], \"timeline\": [{\"at\": \"1m\", "
                   "\"do\": \"backup\", \"table\": \"users\"}, {\"at\": \"2m\", \"do\": \"deploy\", \"version\": \"v2\"}]}");
    ck_assert_int_eq(r->count, 0);
    free(r);
    /* ... but not a backup after it */
    r = lint_text("late.json", "{" DB "\"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\", \"migrations\": [{\"type\": "
                               "\"drop_column\", \"table\": \"users\", \"column\": \"phone\"}]}], \"timeline\": [{\"at\": "
                               "\"2m\", \"do\": \"deploy\", \"version\": \"v2\"}, {\"at\": \"3m\", \"do\": \"backup\", "
                               "\"table\": \"users\"}]}");
    ck_assert_ptr_nonnull(finding(r, "migration-backup"));
    free(r);
    /* widening without values beyond the old range, with a down step: nothing to say */
    r = lint_text("widen.json", "{\"database\": {\"tables\": [{\"name\": \"users\", \"columns\": [\"age:int\"]}]}, "
                                "\"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\", \"migrations\": [{\"type\": "
                                "\"modify_column\", \"table\": \"users\", \"column\": \"age\"}]}]}");
    ck_assert_int_eq(r->count, 0);
    free(r);
    /* {} is the default scenario: ready to roll back */
    r = lint_text("empty.json", "{}");
    ck_assert_int_eq(r->count, 0);
    free(r);
}
END_TEST

START_TEST(lint_reads_deployments)
{
    rs_lint_report *r = lint_text(
        "dep.json",
        "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"myapp\"}, \"spec\": {\n"
        "  \"replicas\": 2, \"revisionHistoryLimit\": 0, \"progressDeadlineSeconds\": 20,\n"
        "  \"strategy\": {\"type\": \"RollingUpdate\", \"rollingUpdate\": {\"maxUnavailable\": \"100%\"}},\n"
        "  \"selector\": {\"matchLabels\": {\"app\": \"myapp\"}},\n"
        "  \"template\": {\"metadata\": {\"labels\": {\"app\": \"myapp\"}}, \"spec\": {\"containers\": [{\"name\": "
        "\"app\", \"image\": \"myapp:1\"}]}}}}\n");
    ck_assert_str_eq(r->kind, "Deployment");
    const rs_lint_finding *f = finding(r, "revision-history");
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(strstr(f->where, "dep.json:2:42 ($.spec.revisionHistoryLimit)") != NULL, "%s", f->where);
    ck_assert_ptr_nonnull(strstr(finding(r, "readiness-probe")->where, "($.spec.template.spec.containers[0].readinessProbe)"));
    ck_assert_int_eq(finding(r, "max-unavailable")->severity, RS_LINT_ERROR);
    ck_assert_int_eq(finding(r, "progress-deadline")->severity, RS_LINT_ERROR);
    ck_assert_int_eq(finding(r, "not-in-deployment")->severity, RS_LINT_INFO);
    ck_assert_int_ge(r->errors, 4);
    free(r);

    rs_diagnostics *d = malloc(sizeof *d);
    r = malloc(sizeof *r);
    ck_assert_int_eq(rs_lint_file(RS_SOURCE_DIR "/tests/fixtures/k8s/deployment-recreate.json", r, d), RS_OK);
    ck_assert_ptr_nonnull(finding(r, "recreate-strategy"));
    ck_assert_int_eq(rs_lint_file(RS_SOURCE_DIR "/tests/fixtures/k8s/deployment-no-probe.json", r, d), RS_OK);
    ck_assert_int_eq(finding(r, "readiness-probe")->severity, RS_LINT_ERROR);
    /* unreadable and invalid input */
    ck_assert_int_eq(rs_lint_file(RS_SOURCE_DIR "/tests/fixtures/k8s/deployment-list.json", r, d), RS_BAD_INPUT);
    ck_assert_int_eq(rs_lint_file(RS_SOURCE_DIR "/tests/fixtures/k8s/deployment-bad-values.json", r, d), RS_BAD_INPUT);
    ck_assert_int_eq(rs_lint_file(write_tmp("bad.json", "{\"deployment\": {\"replicas\": 5,}}"), r, d), RS_BAD_INPUT);
    ck_assert_int_gt(d->count, 0);
    ck_assert_int_eq(rs_lint_file(write_tmp("typo.json", "{\"deployment\": {\"replcas\": 5}}"), r, d), RS_BAD_INPUT);
    char missing[256];
    snprintf(missing, sizeof missing, "%s/nope.json", lint_dir);
    ck_assert_int_eq(rs_lint_file(missing, r, d), RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(d->items[0].message, "cannot read"));
    free(r);
    free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("runbook");
    TCase *tc = tcase_create("runbook");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, runbook_is_judged_correct_on_every_shipped_scenario);
    tcase_add_test(tc, runbook_takes_the_seeds_branch);
    tcase_add_test(tc, runbook_backs_up_before_dropping_data);
    tcase_add_test(tc, migrations_read_shows_the_seeds_part4_questions);
    tcase_add_test(tc, runbook_is_deterministic);
    tcase_add_test(tc, always_rollback_is_judged_as_the_seed_says);
    suite_add_tcase(s, tc);
    TCase *pm = tcase_create("postmortem");
    tcase_set_timeout(pm, 300);
    tcase_add_test(pm, postmortem_has_the_seeds_sections);
    tcase_add_test(pm, postmortem_derives_the_category);
    tcase_add_test(pm, postmortem_is_written_atomically);
    suite_add_tcase(s, pm);
    TCase *li = tcase_create("lint");
    tcase_add_checked_fixture(li, lint_setup, lint_teardown);
    tcase_add_test(li, lint_passes_the_healthy_release);
    tcase_add_test(li, lint_checks_fire_on_bad_scenarios);
    tcase_add_test(li, lint_checks_stay_quiet_when_it_is_done_right);
    tcase_add_test(li, lint_reads_deployments);
    suite_add_tcase(s, li);
    return tu_run(s);
}
