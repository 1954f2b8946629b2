/* The Lua policy host: the sandbox refuses what it must with a message naming the file and line and
 * stops the run cleanly; parameters, wait(), the hook queue, no data, determinism; the bundled
 * seed-auto-rollback and operator-basic policies on the seed's incident. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rollsim/host.h"
#include "rollsim/io.h"
#include "rollsim/policy.h"
#include "rollsim/sim.h"
#include "test_util.h"

static char tmpdir[256]; /* made once by main(); the tests write their policy files there */

typedef struct {
    rs_scenario sc;
    rs_sim *sim;
    rs_policy_set *ps;
    const rs_result *r;
    rs_error err;
} prun;

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static prun *start(const char *scenario, uint64_t seed)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/%s", RS_SOURCE_DIR, scenario);
    prun *x = calloc(1, sizeof *x);
    tu_load(path, NULL, 0, &x->sc);
    x->sim = rs_sim_new(&x->sc, seed ? seed : x->sc.seed, NULL);
    ck_assert_ptr_nonnull(x->sim);
    x->ps = rs_policy_set_new(x->sim, &x->sc, seed ? seed : x->sc.seed, &x->err);
    ck_assert_ptr_nonnull(x->ps);
    return x;
}

static rs_status load(prun *x, const char *path, const char *const *params, int n, const rs_policy_limits *lim)
{
    rs_error_clear(&x->err);
    return rs_policy_load(x->ps, path, NULL, params, n, lim, &x->err);
}

static void run_it(prun *x)
{
    rs_sim_run(x->sim);
    x->r = rs_sim_result(x->sim);
}

static void done(prun *x)
{
    rs_sim_free(x->sim);
    rs_policy_set_free(x->ps);
    free(x);
}

/* Loads a policy text into the seed incident and runs it. */
static prun *play_text(const char *name, const char *text, const rs_policy_limits *lim)
{
    prun *x = start("seed-incident.json", 0);
    rs_status st = load(x, write_file(name, text), NULL, 0, lim);
    ck_assert_msg(st == RS_OK, "load: %s %s", x->err.where, x->err.message);
    run_it(x);
    return x;
}

static rs_time first(const rs_result *r, rs_event_kind k)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == k)
            return r->timeline[i].t_ms;
    return -1;
}

/* The n-th (0-based) note of the timeline, or NULL. */
static const rs_timeline_entry *note(const rs_result *r, int n)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        if (r->timeline[i].kind == RS_EV_NOTE && n-- == 0)
            return &r->timeline[i];
    return NULL;
}

/* The run stopped with RS_BAD_INPUT and a message containing both parts; the engine is intact. */
static void assert_stopped(prun *x, const char *place, const char *text)
{
    const rs_outcome *o = &x->r->outcome;
    ck_assert_int_eq(o->error_code, RS_BAD_INPUT);
    ck_assert_msg(strstr(o->error, place) != NULL, "'%s' not in: %s", place, o->error);
    ck_assert_msg(strstr(o->error, text) != NULL, "'%s' not in: %s", text, o->error);
    ck_assert(rs_sim_ended(x->sim));
    ck_assert_int_lt(o->end_ms, RS_MIN(40));
    char *json = rs_report_json(x->r);
    ck_assert_ptr_nonnull(json);
    ck_assert_ptr_nonnull(strstr(json, "\"error\":\t\""));
    free(json);
}

/* ---- the sandbox ---- */

START_TEST(io_is_refused_with_file_line_and_the_sandbox_named)
{
    prun *x = play_text("io.lua", "return { on_tick = function(p)\n  local n = 1\n  local f = io.open('/etc/passwd')\nend }\n",
                        NULL);
    assert_stopped(x, "io.lua:3:", "io is not available to policies (sandbox)");
    ck_assert_ptr_nonnull(strstr(x->r->outcome.error, "on_tick at T+00:30"));
    ck_assert_int_eq(x->r->outcome.end_ms, RS_SEC(30));
    done(x);
}
END_TEST

START_TEST(os_execute_is_refused)
{
    prun *x = play_text("osx.lua", "return { on_start = function(p) os.execute('ls') end }\n", NULL);
    assert_stopped(x, "osx.lua:1:", "os.execute is not available to policies");
    done(x);
}
END_TEST

START_TEST(require_is_refused)
{
    prun *x = play_text("req.lua", "return { on_start = function(p)\n local s = require('socket')\n end }\n", NULL);
    assert_stopped(x, "req.lua:2:", "require is not available to policies (sandbox)");
    done(x);
}
END_TEST

START_TEST(a_binary_chunk_is_refused_by_load)
{
    prun *x = play_text("bin.lua",
                        "return { on_start = function(p)\n"
                        "  assert(load('return 1 + 1')() == 2)\n"
                        "  local f = load('\\27Lua\\84\\0\\25\\147\\13\\10\\26\\10\\4\\8\\8')\n"
                        "end }\n",
                        NULL);
    assert_stopped(x, "bin.lua:3:", "binary chunks are not available to policies");
    done(x);
}
END_TEST

START_TEST(debug_and_string_dump_are_refused)
{
    prun *x = play_text("dbg.lua", "return { on_start = function(p) return debug.getinfo(1) end }\n", NULL);
    assert_stopped(x, "dbg.lua:1:", "debug is not available to policies (sandbox)");
    done(x);
    x = play_text("dump.lua", "return { on_start = function(p) return string.dump(print) end }\n", NULL);
    assert_stopped(x, "dump.lua:1:", "string.dump is not available to policies");
    done(x);
    x = play_text("gc.lua", "return { on_start = function(p) collectgarbage('stop') end }\n", NULL);
    assert_stopped(x, "gc.lua:1:", "collectgarbage(\"stop\") is not available");
    done(x);
}
END_TEST

START_TEST(an_infinite_loop_exhausts_the_instruction_budget)
{
    prun *x = play_text("loop.lua", "return { on_tick = function(p)\n  local i = 0\n  while true do i = i + 1 end\nend }\n",
                        NULL);
    assert_stopped(x, "loop.lua:3:", "instruction budget of 10000000 exceeded in on_tick (a runaway loop?)");
    done(x);
}
END_TEST

START_TEST(pcall_cannot_catch_the_budget)
{
    rs_policy_limits lim = {.instructions = 200000, .memory_bytes = 0};
    prun *x = play_text("loop2.lua",
                        "return { on_start = function(p)\n"
                        "  while true do pcall(function() while true do end end) end\n"
                        "end }\n",
                        &lim);
    assert_stopped(x, "loop2.lua:2:", "instruction budget of 200000 exceeded in on_start");
    done(x);
}
END_TEST

START_TEST(a_table_growing_without_end_hits_the_memory_cap)
{
    rs_policy_limits lim = {.instructions = 1000000000, .memory_bytes = (size_t)8 << 20};
    prun *x = play_text("hog.lua",
                        "local t = {}\n"
                        "return { on_tick = function(p)\n"
                        "  while true do pcall(function() t[#t + 1] = string.rep('x', 64) .. #t end) end\n"
                        "end }\n",
                        &lim);
    assert_stopped(x, "hog.lua:3:", "memory cap of 8 MiB exceeded");
    done(x);
}
END_TEST

START_TEST(a_runtime_error_in_on_tick_names_file_and_line)
{
    prun *x = play_text("rt.lua", "return { interval = '1m', on_tick = function(p)\n  local x = nil\n  return x.field\nend }\n",
                        NULL);
    assert_stopped(x, "rt.lua:3:", "attempt to index a nil value (local 'x')");
    ck_assert_int_eq(x->r->outcome.end_ms, RS_MIN(1));
    done(x);
}
END_TEST

START_TEST(load_problems_are_bad_input_before_the_run)
{
    prun *x = start("seed-incident.json", 0);
    ck_assert_int_eq(load(x, write_file("syn.lua", "return { on_tick = function(p) if then end }\n"), NULL, 0, NULL),
                     RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(x->err.message, "syn.lua:1:"));
    ck_assert_int_eq(load(x, write_file("num.lua", "return 42\n"), NULL, 0, NULL), RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(x->err.message, "must return a table (got number)"));
    ck_assert_int_eq(load(x, write_file("typo.lua", "return { on_tik = function() end }\n"), NULL, 0, NULL),
                     RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(x->err.message, "did you mean 'on_tick'"));
    ck_assert_int_eq(load(x, write_file("act.lua", "rollback()\nreturn {}\n"), NULL, 0, NULL), RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(x->err.message, "only be called inside a hook"));
    ck_assert_int_eq(load(x, write_file("kind.lua", "return { kind = 'robot' }\n"), NULL, 0, NULL), RS_BAD_INPUT);
    ck_assert_int_eq(load(x, "/nonexistent/x.lua", NULL, 0, NULL), RS_BAD_INPUT);
    ck_assert_int_eq(rs_policy_set_count(x->ps), 0);
    run_it(x); /* the run is unaffected */
    ck_assert_int_eq(x->r->outcome.error_code, RS_OK);
    done(x);
}
END_TEST

START_TEST(a_hook_may_not_yield_except_through_wait)
{
    prun *x = play_text("yield.lua", "return { on_start = function(p) coroutine.yield() end }\n", NULL);
    assert_stopped(x, "yield.lua:1:", "use wait(d)");
    done(x);
}
END_TEST

START_TEST(a_policy_feeding_on_its_own_events_is_stopped)
{
    prun *x = play_text("echo.lua", "return { on_event = function(p, ev)\n  note('saw ' .. ev.kind)\nend }\n", NULL);
    assert_stopped(x, "echo", "hook calls without simulated time passing");
    done(x);
}
END_TEST

/* ---- parameters ---- */

static const char *params_policy = "return { name = 'pp', params = { x = 0.05, n = 3, s = 'a', b = false, d = '15m' },\n"
                                   "  on_start = function(p)\n"
                                   "    note(string.format('x=%s n=%s %s s=%s b=%s d=%s %d', p.x, p.n,\n"
                                   "         math.type(p.n), p.s, p.b, p.d, duration(p.d)))\n"
                                   "  end }\n";

START_TEST(params_take_the_type_of_their_default)
{
    prun *x = start("seed-incident.json", 0);
    const char *scenario_params[] = {"x=3%", "s=hello world"};
    ck_assert_int_eq(load(x, write_file("pp.lua", params_policy), scenario_params, 2, NULL), RS_OK);
    const char *cli[] = {"n=7", "pp.b=true", "d=90s"};
    ck_assert_int_eq(rs_policy_set_params(x->ps, cli, 3, &x->err), RS_OK);
    run_it(x);
    const rs_timeline_entry *e = note(x->r, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->detail, "x=0.03 n=7 integer s=hello world b=true d=90s 90000");
    done(x);
}
END_TEST

START_TEST(bad_overrides_are_refused_with_the_reason)
{
    prun *x = start("seed-incident.json", 0);
    const char *path = write_file("pp.lua", params_policy);
    const char *dur[] = {"x=30s"};
    ck_assert_int_eq(load(x, path, dur, 1, NULL), RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(x->err.message, "'30s' is a duration, not a number"));
    const char *unknown[] = {"xx=1"};
    ck_assert_int_eq(load(x, path, unknown, 1, NULL), RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(x->err.message, "unknown parameter 'xx' of policy pp (did you mean 'x'?)"));
    ck_assert_ptr_nonnull(strstr(x->err.message, "known: b, d, n, s, x"));
    const char *boolean[] = {"b=yes"};
    ck_assert_int_eq(load(x, path, boolean, 1, NULL), RS_BAD_INPUT);
    const char *duration[] = {"d=soon"};
    ck_assert_int_eq(load(x, path, duration, 1, NULL), RS_BAD_INPUT);
    ck_assert_int_eq(load(x, path, NULL, 0, NULL), RS_OK);
    const char *nobody[] = {"zz=1"};
    ck_assert_int_eq(rs_policy_set_params(x->ps, nobody, 1, &x->err), RS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(x->err.message, "no loaded policy declares the parameter 'zz'"));
    const char *wrong_policy[] = {"other.x=1"};
    ck_assert_int_eq(rs_policy_set_params(x->ps, wrong_policy, 1, &x->err), RS_BAD_INPUT);
    done(x);
}
END_TEST

/* ---- hooks and time ---- */

START_TEST(wait_resumes_at_the_right_simulated_time)
{
    prun *x = play_text("wait.lua",
                        "return { on_start = function(p)\n"
                        "  note('a ' .. now())\n"
                        "  local t = wait('2m')\n"
                        "  note('b ' .. now() .. ' ' .. t)\n"
                        "  wait(1500)\n"
                        "  note('c ' .. now())\n"
                        "end }\n",
                        NULL);
    ck_assert_int_eq(x->r->outcome.error_code, RS_OK);
    ck_assert_str_eq(note(x->r, 0)->detail, "a 0");
    ck_assert_int_eq(note(x->r, 1)->t_ms, RS_MIN(2));
    ck_assert_str_eq(note(x->r, 1)->detail, "b 120000 120000");
    ck_assert_int_eq(note(x->r, 2)->t_ms, RS_MIN(2) + 1500);
    done(x);
}
END_TEST

START_TEST(a_busy_policy_queues_events_and_skips_ticks)
{
    prun *x = play_text("busy.lua",
                        "local ticks = 0\n"
                        "return { interval = '1m',\n"
                        "  on_start = function(p) wait('5m'); note('start done') end,\n"
                        "  on_tick = function(p) ticks = ticks + 1; note('tick ' .. ticks .. ' at ' .. now()) end,\n"
                        "  on_event = function(p, ev)\n"
                        "    if ev.kind == 'deploy_start' then note('saw deploy_start of ' .. ev.t .. ' at ' .. now()) end\n"
                        "  end }\n",
                        NULL);
    ck_assert_int_eq(x->r->outcome.error_code, RS_OK);
    ck_assert_str_eq(note(x->r, 0)->detail, "start done");
    ck_assert_int_eq(note(x->r, 0)->t_ms, RS_MIN(5));
    /* the deploy at T+02:00 waited in the queue, then the tick of T+05:00 ran: ticks 1..4 were skipped */
    ck_assert_str_eq(note(x->r, 1)->detail, "saw deploy_start of 120000 at 300000");
    ck_assert_str_eq(note(x->r, 2)->detail, "tick 1 at 300000");
    ck_assert_str_eq(note(x->r, 3)->detail, "tick 2 at 360000");
    done(x);
}
END_TEST

START_TEST(alerts_and_pages_reach_their_hooks)
{
    prun *x = play_text("alerts.lua",
                        "return {\n"
                        "  on_alert = function(p, a)\n"
                        "    if a.name == 'HighErrorRate' then\n"
                        "      note(string.format('%s %s %s %s %.3f', a.name, a.state, a.severity, a.t, a.value))\n"
                        "    end\n"
                        "  end,\n"
                        "  on_page = function(p, pg) note('page ' .. pg.alert .. ' ' .. pg.t) end }\n",
                        NULL);
    ck_assert_int_eq(x->r->outcome.error_code, RS_OK);
    ck_assert_ptr_nonnull(strstr(note(x->r, 0)->detail, "HighErrorRate pending critical 375000 0.05"));
    ck_assert_ptr_nonnull(strstr(note(x->r, 1)->detail, "HighErrorRate firing critical"));
    bool page = false;
    for (int i = 0; note(x->r, i); i++)
        page |= strncmp(note(x->r, i)->detail, "page HighErrorRate ", 19) == 0;
    ck_assert(page);
    done(x);
}
END_TEST

START_TEST(no_data_is_nil_and_explained_as_no_data)
{
    prun *x = play_text("nodata.lua",
                        "return { on_start = function(p)\n"
                        "  local v = metric('error_rate', { version = 'v2.5' })\n"
                        "  note(v == nil and 'nil' or tostring(v))\n"
                        "  local ok, failed = explain{ phase = 'p', checks = {\n"
                        "    { name = 'new', value = v, op = '<=', threshold = 0.05 },\n"
                        "    { name = 'all', value = metric('error_rate'), op = '<=', threshold = 0.05 },\n"
                        "    { name = 'ok', value = metric('success_rate'), op = '>=', threshold = 99 } },\n"
                        "    counters = 'c=1', verdict = 'v' }\n"
                        "  note(tostring(ok) .. ' ' .. failed)\n"
                        "end }\n",
                        NULL);
    ck_assert_int_eq(x->r->outcome.error_code, RS_OK);
    ck_assert_str_eq(note(x->r, 0)->detail, "nil");
    ck_assert_str_eq(note(x->r, 1)->detail, "false 1");
    ck_assert_int_eq((int)x->r->n_trace, 1);
    const rs_trace_entry *t = &x->r->trace[0];
    ck_assert_str_eq(t->policy, "nodata");
    ck_assert_int_eq(t->n_checks, 3);
    ck_assert_int_eq(t->checks[0].verdict, RS_CHECK_NO_DATA);
    ck_assert(isnan(t->checks[0].value));
    ck_assert_int_eq(t->checks[1].verdict, RS_CHECK_PASS);
    ck_assert_int_eq(t->checks[2].verdict, RS_CHECK_PASS);
    char *json = rs_report_json(x->r);
    ck_assert_ptr_nonnull(strstr(json, "\"verdict\":\t\"no data\""));
    ck_assert_ptr_nonnull(strstr(json, "\"policy_trace\":"));
    free(json);
    done(x);
}
END_TEST

START_TEST(refused_actions_return_false_and_a_message)
{
    prun *x = play_text("refused.lua",
                        "return { on_start = function(p)\n"
                        "  local ok, m = promote()\n"
                        "  note(tostring(ok) .. ': ' .. m)\n"
                        "  ok, m = resume()\n"
                        "  note(tostring(ok) .. ': ' .. m)\n"
                        "  note(tostring(undo(99)))\n"
                        "end }\n",
                        NULL);
    ck_assert_int_eq(x->r->outcome.error_code, RS_OK);
    ck_assert_ptr_nonnull(strstr(note(x->r, 0)->detail, "false: deployment \"myapp\" uses a rolling update"));
    ck_assert_ptr_nonnull(strstr(note(x->r, 1)->detail, "false: deployment \"myapp\" is not paused"));
    ck_assert_str_eq(note(x->r, 2)->detail, "false");
    done(x);
}
END_TEST

START_TEST(pairs_and_tostring_are_deterministic)
{
    prun *x = play_text("order.lua",
                        "return { on_start = function(p)\n"
                        "  local t = { zeta = 1, alpha = 2, [3] = 3, [1] = 4, [2.5] = 5, [true] = 6, mid = 7 }\n"
                        "  local keys = {}\n"
                        "  for k in pairs(t) do keys[#keys + 1] = tostring(k) end\n"
                        "  note(table.concat(keys, ','))\n"
                        "  local a, b = {}, {}\n"
                        "  note(tostring(a) .. ' ' .. tostring(b) .. ' ' .. tostring(a))\n"
                        "end }\n",
                        NULL);
    ck_assert_int_eq(x->r->outcome.error_code, RS_OK);
    ck_assert_str_eq(note(x->r, 0)->detail, "1,2.5,3,alpha,mid,zeta,true");
    ck_assert_str_eq(note(x->r, 1)->detail, "table: #1 table: #2 table: #1");
    done(x);
}
END_TEST

/* `events` limits on_event to the listed timeline kinds: here the notes it writes do not come back to it. */
START_TEST(events_lists_what_on_event_receives)
{
    prun *x = play_text("events.lua",
                        "return { events = { 'deploy_start', 'rollback_start' },\n"
                        "  on_event = function(p, ev) note('ev:' .. ev.kind) end }\n",
                        NULL);
    ck_assert_int_eq(x->r->outcome.error_code, RS_OK);
    char seen[256] = "";
    for (int i = 0; note(x->r, i); i++) /* the scenario's own notes are there too */
        if (strncmp(note(x->r, i)->detail, "ev:", 3) == 0)
            snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s ", note(x->r, i)->detail);
    ck_assert_str_eq(seen, "ev:deploy_start ev:rollback_start ");
    done(x);

    x = start("seed-incident.json", 0);
    ck_assert_int_eq(load(x, write_file("ev-typo.lua", "return { events = { 'deploy_started' },\n"
                                                       "  on_event = function(p, ev) end }\n"),
                          NULL, 0, NULL),
                     RS_BAD_INPUT);
    ck_assert_msg(strstr(x->err.message, "events[1] is not a timeline kind (did you mean 'deploy_start'?)"),
                  "%s", x->err.message);
    ck_assert_int_eq(load(x, write_file("ev-nohook.lua", "return { events = { 'deploy_start' } }\n"), NULL, 0, NULL),
                     RS_BAD_INPUT);
    ck_assert_msg(strstr(x->err.message, "has no on_event"), "%s", x->err.message);
    ck_assert_int_eq(load(x, write_file("ev-str.lua", "return { events = 'deploy_start',\n"
                                                      "  on_event = function(p, ev) end }\n"),
                          NULL, 0, NULL),
                     RS_BAD_INPUT);
    ck_assert_msg(strstr(x->err.message, "events must be a list of timeline kinds"), "%s", x->err.message);
    done(x);
}
END_TEST

/* ---- determinism ---- */

static char *report_of(const char *scenario, const char *policy_text, uint64_t seed)
{
    prun *x = start(scenario, seed);
    ck_assert_int_eq(load(x, write_file("det.lua", policy_text), NULL, 0, NULL), RS_OK);
    run_it(x);
    char *json = rs_report_json(x->r);
    ck_assert_ptr_nonnull(json);
    done(x);
    return json;
}

static char *report_of_bundled(const char *scenario, const char *policy, uint64_t seed)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/policies/%s", RS_SOURCE_DIR, policy);
    prun *x = start(scenario, seed);
    ck_assert_int_eq(load(x, path, NULL, 0, NULL), RS_OK);
    run_it(x);
    char *json = rs_report_json(x->r);
    done(x);
    return json;
}

START_TEST(same_seed_and_policy_give_the_same_report)
{
    char *a = report_of_bundled("seed-incident.json", "seed-auto-rollback.lua", 42);
    char *b = report_of_bundled("seed-incident.json", "seed-auto-rollback.lua", 42);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

/* A compiled policy (rs_policy_cache, as a sweep uses) runs exactly as its text: the same report for each
 * bundled policy on a scenario where it acts. */
START_TEST(a_cached_policy_gives_the_same_report_as_its_text)
{
    static const char *const cases[][2] = {{"seed-incident.json", "seed-auto-rollback.lua"},
                                           {"canary-redis.json", "flagger.lua"},
                                           {"seed-incident.json", "operator-runbook.lua"},
                                           {"bluegreen-redis.json", "argo-analysis.lua"}};
    rs_policy_cache *c = rs_policy_cache_new();
    ck_assert_ptr_nonnull(c);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/scenarios/policies/%s", RS_SOURCE_DIR, cases[i][1]);
        rs_error err;
        rs_error_clear(&err);
        ck_assert_int_eq(rs_policy_cache_add(c, path, &err), RS_OK);
        char *plain = report_of_bundled(cases[i][0], cases[i][1], 7);
        prun *x = start(cases[i][0], 7);
        rs_policy_set_use_cache(x->ps, c);
        ck_assert_int_eq(load(x, path, NULL, 0, NULL), RS_OK);
        run_it(x);
        char *cached = rs_report_json(x->r);
        ck_assert_msg(strcmp(plain, cached) == 0, "%s with %s: the cached policy's report differs", cases[i][0],
                      cases[i][1]);
        free(plain);
        free(cached);
        done(x);
    }
    rs_policy_cache_free(c);
}
END_TEST

/* Loads take the file as it was compiled; errors of a cached policy still name its file and line; a file that does not compile is not kept and its
 * load reports the syntax error; a missing file is refused when it is added. */
START_TEST(a_cached_policy_reports_errors_with_file_and_line)
{
    rs_policy_cache *c = rs_policy_cache_new();
    rs_error err;
    rs_error_clear(&err);
    const char *bad = write_file("cache-runtime.lua", "return {\n  interval = '1m',\n  on_tick = function(p)\n"
                                                      "    local t = nil\n    return t.x\n  end,\n}\n");
    char runtime[512];
    snprintf(runtime, sizeof runtime, "%s", bad);
    ck_assert_int_eq(rs_policy_cache_add(c, runtime, &err), RS_OK);
    const char *syntax = write_file("cache-syntax.lua", "return {\n  on_tick = function(p)\n    if then\n  end,\n}\n");
    char syn[512];
    snprintf(syn, sizeof syn, "%s", syntax);
    ck_assert_int_eq(rs_policy_cache_add(c, syn, &err), RS_OK);
    char missing[512];
    snprintf(missing, sizeof missing, "%s/no-such-policy.lua", tmpdir);
    ck_assert_int_eq(rs_policy_cache_add(c, missing, &err), RS_BAD_INPUT);
    write_file("cache-runtime.lua", "this is no longer Lua"); /* loads take the compiled file, not the disk */

    prun *x = start("seed-incident.json", 0);
    rs_policy_set_use_cache(x->ps, c);
    ck_assert_int_eq(load(x, runtime, NULL, 0, NULL), RS_OK);
    run_it(x);
    assert_stopped(x, "cache-runtime.lua:5", "on_tick");
    done(x);

    x = start("seed-incident.json", 0);
    rs_policy_set_use_cache(x->ps, c);
    ck_assert_int_eq(load(x, syn, NULL, 0, NULL), RS_BAD_INPUT);
    ck_assert_msg(strstr(x->err.message, "cache-syntax.lua:3") != NULL, "no place in: %s", x->err.message);
    done(x);
    rs_policy_cache_free(c);
}
END_TEST

START_TEST(math_random_follows_the_seed)
{
    const char *text = "return { on_start = function(p)\n"
                       "  local t = {}\n"
                       "  for i = 1, 5 do t[i] = math.random(1, 1000000) end\n"
                       "  t[6] = string.format('%.6f', math.random())\n"
                       "  note(table.concat(t, ' '))\n"
                       "end }\n";
    char *a = report_of("seed-incident.json", text, 42);
    char *b = report_of("seed-incident.json", text, 42);
    char *c = report_of("seed-incident.json", text, 43);
    ck_assert_str_eq(a, b);
    const char *na = strstr(a, "\"kind\":\t\"note\""), *nc = strstr(c, "\"kind\":\t\"note\"");
    ck_assert_ptr_nonnull(na);
    ck_assert_ptr_nonnull(nc);
    ck_assert_int_ne(strncmp(na, nc, 120), 0);
    free(a);
    free(b);
    free(c);
}
END_TEST

/* ---- the bundled policies ---- */

static prun *play_bundled(const char *scenario, const char *policy)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/policies/%s", RS_SOURCE_DIR, policy);
    prun *x = start(scenario, 0);
    rs_status st = load(x, path, NULL, 0, NULL);
    ck_assert_msg(st == RS_OK, "%s: %s", x->err.where, x->err.message);
    run_it(x);
    ck_assert_msg(x->r->outcome.error_code == RS_OK, "%s", x->r->outcome.error);
    return x;
}

START_TEST(seed_auto_rollback_rolls_back_the_seed_incident_quickly)
{
    prun *x = play_bundled("seed-incident.json", "seed-auto-rollback.lua");
    rs_time crossed = -1;
    for (size_t i = 0; i < x->r->n_series && crossed < 0; i++)
        if (x->r->series[i].error_rate > 0.05)
            crossed = x->r->series[i].t_ms;
    ck_assert_int_ge(crossed, 0);
    ck_assert(x->r->outcome.rolled_back);
    ck_assert_int_ge(x->r->outcome.rollback_at, crossed);
    ck_assert_int_le(x->r->outcome.rollback_at - crossed, RS_MIN(2));
    ck_assert_str_eq(x->r->outcome.final_version, "v2.4");
    ck_assert_int_gt((int)x->r->n_trace, 3);
    ck_assert_ptr_nonnull(strstr(x->r->trace[x->r->n_trace - 1].verdict, "error rate"));
    done(x);
}
END_TEST

START_TEST(seed_auto_rollback_leaves_a_healthy_release_alone)
{
    prun *x = play_bundled("healthy-release.json", "seed-auto-rollback.lua");
    ck_assert(!x->r->outcome.rolled_back);
    ck_assert_str_eq(x->r->outcome.final_version, "v1.1");
    bool stable = false;
    for (size_t i = 0; i < x->r->n_trace; i++)
        stable |= strcmp(x->r->trace[i].phase, "stable") == 0;
    ck_assert_msg(stable, "the release never became stable");
    done(x);
}
END_TEST

START_TEST(operator_basic_reproduces_the_seed_story)
{
    prun *x = play_bundled("seed-incident.json", "operator-basic.lua");
    const rs_result *r = x->r;
    rs_time deploy = first(r, RS_EV_DEPLOY_START), firing = first(r, RS_EV_ALERT_FIRING);
    ck_assert_int_ge(firing - deploy, RS_SEC(270));
    ck_assert_int_le(firing - deploy, RS_MIN(6));
    ck_assert(r->outcome.rolled_back);
    ck_assert(r->outcome.recovered);
    ck_assert(r->outcome.resolved);
    ck_assert_str_eq(r->outcome.final_version, "v2.4");
    ck_assert(r->scores.incident_s >= 600 && r->scores.incident_s <= 900);
    /* the scripted on-call stepped aside: every ack and note is the policy's */
    for (size_t i = 0; i < r->n_timeline; i++)
        ck_assert_ptr_null(strstr(r->timeline[i].detail, "#incident-456"));
    ck_assert_int_gt(first(r, RS_EV_ACK), first(r, RS_EV_PAGE));
    done(x);
}
END_TEST

/* ---- scenario files ---- */

START_TEST(a_scenario_names_its_policies_relative_to_its_folder)
{
    char src[512];
    snprintf(src, sizeof src, "%s/scenarios/healthy-release.json", RS_SOURCE_DIR);
    FILE *f = fopen(src, "r");
    ck_assert_ptr_nonnull(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *brace = strrchr(text, '}');
    ck_assert_ptr_nonnull(brace);
    snprintf(brace, sizeof text - (size_t)(brace - text),
             ",\n \"policies\": [{\"file\": \"pp.lua\", \"role\": \"operator\", "
             "\"params\": {\"x\": \"3%%\", \"n\": 4, \"b\": true}}]\n}\n");
    write_file("pp.lua", params_policy);
    char path[512];
    snprintf(path, sizeof path, "%s", write_file("with-policy.json", text));
    rs_scenario *sc = malloc(sizeof *sc);
    rs_diagnostics *d = malloc(sizeof *d);
    rs_status st = rs_scenario_load_file(path, NULL, 0, sc, d);
    if (st != RS_OK)
        rs_diagnostics_print(d, stderr);
    ck_assert_int_eq(st, RS_OK);
    ck_assert_int_eq(sc->n_policies, 1);
    char expect[512];
    snprintf(expect, sizeof expect, "%s/pp.lua", tmpdir);
    ck_assert_str_eq(sc->policies[0].file, expect);
    ck_assert_str_eq(sc->policies[0].role, "operator");
    ck_assert_int_eq(sc->policies[0].n_params, 3);
    ck_assert_str_eq(sc->policies[0].param_name[1], "n");
    ck_assert_str_eq(sc->policies[0].param_value[0], "3%");
    ck_assert_str_eq(sc->policies[0].param_value[1], "4");
    ck_assert_str_eq(sc->policies[0].param_value[2], "true");
    free(sc);
    free(d);
}
END_TEST

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rollsim-check-policy-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    Suite *s = suite_create("policy");
    TCase *sandbox = tcase_create("sandbox");
    tcase_add_test(sandbox, io_is_refused_with_file_line_and_the_sandbox_named);
    tcase_add_test(sandbox, os_execute_is_refused);
    tcase_add_test(sandbox, require_is_refused);
    tcase_add_test(sandbox, a_binary_chunk_is_refused_by_load);
    tcase_add_test(sandbox, debug_and_string_dump_are_refused);
    tcase_add_test(sandbox, an_infinite_loop_exhausts_the_instruction_budget);
    tcase_add_test(sandbox, pcall_cannot_catch_the_budget);
    tcase_add_test(sandbox, a_table_growing_without_end_hits_the_memory_cap);
    tcase_add_test(sandbox, a_runtime_error_in_on_tick_names_file_and_line);
    tcase_add_test(sandbox, load_problems_are_bad_input_before_the_run);
    tcase_add_test(sandbox, a_hook_may_not_yield_except_through_wait);
    tcase_add_test(sandbox, a_policy_feeding_on_its_own_events_is_stopped);
    suite_add_tcase(s, sandbox);
    TCase *api = tcase_create("api");
    tcase_add_test(api, params_take_the_type_of_their_default);
    tcase_add_test(api, bad_overrides_are_refused_with_the_reason);
    tcase_add_test(api, wait_resumes_at_the_right_simulated_time);
    tcase_add_test(api, a_busy_policy_queues_events_and_skips_ticks);
    tcase_add_test(api, alerts_and_pages_reach_their_hooks);
    tcase_add_test(api, no_data_is_nil_and_explained_as_no_data);
    tcase_add_test(api, refused_actions_return_false_and_a_message);
    tcase_add_test(api, pairs_and_tostring_are_deterministic);
    tcase_add_test(api, events_lists_what_on_event_receives);
    tcase_add_test(api, a_scenario_names_its_policies_relative_to_its_folder);
    suite_add_tcase(s, api);
    TCase *runs = tcase_create("runs");
    tcase_set_timeout(runs, 120);
    tcase_add_test(runs, same_seed_and_policy_give_the_same_report);
    tcase_add_test(runs, math_random_follows_the_seed);
    tcase_add_test(runs, a_cached_policy_gives_the_same_report_as_its_text);
    tcase_add_test(runs, a_cached_policy_reports_errors_with_file_and_line);
    tcase_add_test(runs, seed_auto_rollback_rolls_back_the_seed_incident_quickly);
    tcase_add_test(runs, seed_auto_rollback_leaves_a_healthy_release_alone);
    tcase_add_test(runs, operator_basic_reproduces_the_seed_story);
    suite_add_tcase(s, runs);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    DIR *dp = opendir(tmpdir);
    for (struct dirent *e; dp && (e = readdir(dp));) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
        if (e->d_name[0] != '.')
            remove(path);
    }
    if (dp)
        closedir(dp);
    rmdir(tmpdir);
    return failed == 0 ? 0 : 1;
}
