/* Scenario loading: defaults, value syntax (percentages, durations, int-or-percent), errors that name a
 * line, a column and a JSON path, --set overrides, and hostile input that must never crash. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen, strdup */

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollsim/io.h"
#include "test_util.h"

static rs_scenario sc;
static rs_diagnostics diag;

/* Test JSON is written with single quotes for readability; they become double quotes. */
static char *dq(const char *text)
{
    char *s = strdup(text);
    ck_assert_ptr_nonnull(s);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    return s;
}

static rs_status load_sets(const char *text, const char *const *sets, int n)
{
    char *s = dq(text);
    rs_status st = rs_scenario_load_string(s, "test.json", sets, n, &sc, &diag);
    free(s);
    return st;
}

static rs_status load(const char *text) { return load_sets(text, NULL, 0); }

/* True when some diagnostic has this where and a message containing `part`. */
static int has(const char *where, const char *part)
{
    for (int i = 0; i < diag.count; i++)
        if ((!where || strcmp(diag.items[i].where, where) == 0) && strstr(diag.items[i].message, part))
            return 1;
    return 0;
}

static void dump(void)
{
    rs_diagnostics_print(&diag, stderr);
}

static const char *any(const char *where) { return where ? where : "*"; }

#define ck_has(where, part)                                                                         \
    do {                                                                                            \
        if (!has(where, part))                                                                      \
            dump();                                                                                 \
        ck_assert_msg(has(where, part), "no diagnostic at %s with '%s'", any(where), part); \
    } while (0)

static const char *const seed_incident =
    "{\n"
    "  'name': 'seed-incident', 'description': 'v2.5 ships a Redis connection bug', 'seed': 42,\n"
    "  'duration': '30m', 'tail_after_resolve': '5m',\n"
    "  'service': {'name': 'myapp', 'namespace': 'production'},\n"
    "  'deployment': {\n"
    "    'replicas': 10,\n"
    "    'strategy': {'type': 'RollingUpdate', 'rollingUpdate': {'maxSurge': 3, 'maxUnavailable': '20%'}},\n"
    "    'minReadySeconds': 5, 'progressDeadlineSeconds': 600, 'revisionHistoryLimit': 10,\n"
    "    'terminationGracePeriodSeconds': 30,\n"
    "    'readinessProbe': {'initialDelaySeconds': 5, 'periodSeconds': 5, 'failureThreshold': 3, 'successThreshold': 1},\n"
    "    'shutdown': '2s', 'imagePull': '5s', 'startupJitter': 0.2, 'capacityRps': 83.3, 'memoryLimitMb': 512,\n"
    "    'crashLoopBackOff': {'initial': '10s', 'max': '300s', 'resetAfter': '10m'}\n"
    "  },\n"
    "  'traffic': {'rpm': 10000, 'noise': 0.02, 'daily_amplitude': 0, 'tick': '1s'},\n"
    "  'baseline': {'error_rate': '0.1%', 'latency_p95_ms': 150, 'latency_sigma': 0.5, 'cpu': '40%',\n"
    "               'memory': '60%', 'timeout_ms': 30000},\n"
    "  'business_metrics': [{'name': 'conversion_rate', 'baseline': 0.032, 'noise': 0.03}],\n"
    "  'versions': [\n"
    "    {'name': 'v2.2', 'image': 'registry.example.com/myapp:2.2'},\n"
    "    {'name': 'v2.3', 'image': 'registry.example.com/myapp:2.3'},\n"
    "    {'name': 'v2.4', 'image': 'registry.example.com/myapp:2.4', 'change_cause': 'stable'},\n"
    "    {'name': 'v2.5', 'image': 'registry.example.com/myapp:2.5', 'startup': '1m30s',\n"
    "     'faults': [{'type': 'redis_connection_bug', 'onset': 0, 'ramp': 90, 'error_rate': '10%',\n"
    "                 'slow_fraction': '6.5%', 'latency_ms': 3000},\n"
    "                {'type': 'data_corruption', 'metric_factor': 0.5}]}\n"
    "  ],\n"
    "  'initial': {'version': 'v2.4', 'revision': 9, 'history': ['v2.2', 'v2.3']},\n"
    "  'environment_faults': [{'type': 'external_outage', 'onset': '20m', 'dependency': 'payments-api'}],\n"
    "  'monitoring': {'scrape_interval': '15s', 'evaluation_interval': '15s', 'page_delay': '30s',\n"
    "                 'escalate_after': '5m'},\n"
    "  'alerts': [\n"
    "    {'name': 'HighErrorRate', 'metric': 'error_rate', 'window': '5m', 'op': '>', 'threshold': '5%',\n"
    "     'for': '1m', 'severity': 'critical'},\n"
    "    {'name': 'HighLatency', 'metric': 'latency_p95_ms', 'threshold': 300, 'for': '2m'},\n"
    "    {'name': 'LowConversion', 'metric': 'business:conversion_rate', 'op': '<', 'threshold': '2.5%',\n"
    "     'version': 'v2.5'}\n"
    "  ],\n"
    "  'slo': {'target': '99.9%', 'window': '30d'},\n"
    "  'scoring': {'impact_error_rate': '1%', 'impact_latency_factor': 2, 'stable_for': '2m'},\n"
    "  'timeline': [\n"
    "    {'at': '0s', 'do': 'deploy', 'version': 'v2.5'},\n"
    "    {'after': 'page', 'delay': '40s', 'do': 'ack'},\n"
    "    {'after': 'ack', 'delay': '3m', 'do': 'undo', 'revision': 9},\n"
    "    {'at': '20m', 'do': 'scale', 'replicas': 12},\n"
    "    {'do': 'note', 'text': 'rolled back; Redis client fix in review'},\n"
    "    {'after': 'recovered', 'do': 'resolve'}\n"
    "  ],\n"
    "  'expect': {'final_version': 'v2.4', 'rolled_back': true, 'rolled_back_by': '10m',\n"
    "             'mttr_max': '15m', 'failed_requests_max': 20000, 'error_budget_burned_max': 5,\n"
    "             'score_min': 60, 'alert_fired': 'HighErrorRate', 'peak_error_rate_min': '15%',\n"
    "             'peak_error_rate_max': '18%'}\n"
    "}\n";

/* ---- a complete scenario ---- */

START_TEST(complete_scenario_loads_every_field)
{
    ck_assert_int_eq(load(seed_incident), RS_OK);
    ck_assert_int_eq(diag.count, 0);
    ck_assert_str_eq(sc.name, "seed-incident");
    ck_assert_uint_eq(sc.seed, 42);
    ck_assert_int_eq(sc.duration, RS_MIN(30));
    ck_assert_int_eq(sc.deployment.replicas, 10);
    ck_assert(!sc.deployment.max_surge.percent);
    ck_assert_double_eq(sc.deployment.max_surge.value, 3);
    ck_assert(sc.deployment.max_unavailable.percent);
    ck_assert_double_eq(sc.deployment.max_unavailable.value, 20);
    ck_assert_int_eq(sc.deployment.min_ready, RS_SEC(5));
    ck_assert_int_eq(sc.deployment.probe_period, RS_SEC(5));
    ck_assert_int_eq(sc.deployment.backoff_reset, RS_MIN(10));
    ck_assert_double_eq_tol(sc.baseline.error_rate, 0.001, 1e-12);
    ck_assert_double_eq_tol(sc.baseline.cpu, 0.40, 1e-12);
    ck_assert_int_eq(sc.n_versions, 4);
    ck_assert_double_eq(sc.versions[3].startup_s, 90);
    ck_assert_int_eq(sc.versions[3].n_faults, 2);
    ck_assert_int_eq(sc.versions[3].faults[0].ramp, RS_SEC(90));
    ck_assert_double_eq_tol(sc.versions[3].faults[0].slow_fraction, 0.065, 1e-12);
    ck_assert_str_eq(sc.versions[3].faults[1].metric, "conversion_rate");
    ck_assert_int_eq(sc.initial_version, 2);
    ck_assert_int_eq(sc.initial_revision, 9);
    ck_assert_int_eq(sc.n_history, 2);
    ck_assert_int_eq(sc.history[0], 0);
    ck_assert_int_eq(sc.env_faults[0].kind, RS_FAULT_EXTERNAL_OUTAGE);
    ck_assert_int_eq(sc.env_faults[0].onset, RS_MIN(20));
    ck_assert_int_eq(sc.n_alerts, 3);
    ck_assert_int_eq(sc.alerts[1].severity, RS_SEV_WARNING);
    ck_assert_int_eq(sc.alerts[2].metric, RS_METRIC_BUSINESS);
    ck_assert_int_eq(sc.alerts[2].business_index, 0);
    ck_assert_int_eq(sc.alerts[2].op, RS_OP_LT);
    ck_assert_double_eq_tol(sc.alerts[2].threshold, 0.025, 1e-12);
    ck_assert_double_eq_tol(sc.slo_target, 0.999, 1e-12);
}
END_TEST

START_TEST(timeline_entries_keep_their_anchors_and_delays)
{
    ck_assert_int_eq(load(seed_incident), RS_OK);
    ck_assert_int_eq(sc.n_actions, 6);
    ck_assert_int_eq(sc.actions[0].kind, RS_ACT_DEPLOY);
    ck_assert_int_eq(sc.actions[0].anchor, RS_ANCHOR_START);
    ck_assert_str_eq(sc.actions[0].version, "v2.5");
    ck_assert_int_eq(sc.actions[1].anchor, RS_EV_PAGE);
    ck_assert_int_eq(sc.actions[1].delay, RS_SEC(40));
    ck_assert_int_eq(sc.actions[2].kind, RS_ACT_UNDO);
    ck_assert_int_eq(sc.actions[2].revision, 9);
    ck_assert_int_eq(sc.actions[3].replicas, 12);
    /* no "at" nor "after": together with the previous entry */
    ck_assert_int_eq(sc.actions[4].anchor, RS_ANCHOR_START);
    ck_assert_int_eq(sc.actions[4].delay, RS_MIN(20));
    ck_assert_str_eq(sc.actions[4].text, "rolled back; Redis client fix in review");
    ck_assert_int_eq(sc.actions[5].anchor, RS_EV_RECOVERED);
    ck_assert_int_eq(sc.actions[5].delay, 0);
}
END_TEST

START_TEST(expectations_keep_the_order_of_the_file)
{
    ck_assert_int_eq(load(seed_incident), RS_OK);
    ck_assert_int_eq(sc.n_expect, 10);
    ck_assert_int_eq(sc.expect[0].kind, RS_EXP_FINAL_VERSION);
    ck_assert_str_eq(sc.expect[0].str, "v2.4");
    ck_assert_int_eq(sc.expect[1].kind, RS_EXP_ROLLED_BACK);
    ck_assert_double_eq(sc.expect[1].num, 1);
    ck_assert_int_eq(sc.expect[2].time, RS_MIN(10));
    ck_assert_int_eq(sc.expect[5].kind, RS_EXP_BUDGET_BURNED_MAX);
    ck_assert_double_eq(sc.expect[5].num, 5);
    ck_assert_str_eq(sc.expect[7].str, "HighErrorRate");
    ck_assert_double_eq_tol(sc.expect[8].num, 0.15, 1e-12);
    ck_assert_int_eq(sc.expect[9].kind, RS_EXP_PEAK_ERROR_RATE_MAX);
}
END_TEST

/* ---- defaults ---- */

START_TEST(absent_keys_take_the_documented_defaults)
{
    ck_assert_int_eq(load("{}"), RS_OK);
    ck_assert_int_eq(sc.deployment.replicas, 5);
    ck_assert(sc.deployment.max_surge.percent);
    ck_assert_double_eq(sc.deployment.max_surge.value, 25);
    ck_assert(sc.deployment.max_unavailable.percent);
    ck_assert_double_eq(sc.deployment.max_unavailable.value, 25);
    ck_assert_int_eq(sc.deployment.progress_deadline, RS_SEC(600));
    ck_assert(sc.deployment.has_readiness_probe);
    ck_assert_int_eq(sc.n_versions, 1);
    ck_assert_str_eq(sc.versions[0].name, "v1");
    ck_assert_int_eq(sc.initial_revision, 1);
    ck_assert_double_eq(sc.traffic.rpm, 10000);
    ck_assert_int_eq(sc.scrape_interval, RS_SEC(15));
}
END_TEST

START_TEST(absent_alerts_install_the_seed_rules_after_the_baseline)
{
    ck_assert_int_eq(load("{'alerts_': 0}"), RS_BAD_INPUT); /* a typo is not an absent list */
    ck_assert_int_eq(load("{'baseline': {'latency_p95_ms': 200}}"), RS_OK);
    ck_assert_int_eq(sc.n_alerts, 2);
    ck_assert_str_eq(sc.alerts[0].name, "HighErrorRate");
    ck_assert_str_eq(sc.alerts[1].name, "HighLatency");
    ck_assert_double_eq(sc.alerts[1].threshold, 400);
}
END_TEST

START_TEST(explicit_empty_alerts_mean_no_alerts)
{
    ck_assert_int_eq(load("{'alerts': []}"), RS_OK);
    ck_assert_int_eq(sc.n_alerts, 0);
}
END_TEST

START_TEST(alert_rules_take_defaults_for_window_op_and_severity)
{
    ck_assert_int_eq(load("{'alerts': [{'name': 'Busy', 'metric': 'cpu', 'threshold': 0.9}]}"), RS_OK);
    ck_assert_int_eq(sc.alerts[0].window, RS_MIN(5));
    ck_assert_int_eq(sc.alerts[0].op, RS_OP_GT);
    ck_assert_int_eq(sc.alerts[0].severity, RS_SEV_WARNING);
    ck_assert_int_eq(sc.alerts[0].for_, 0);
}
END_TEST

START_TEST(null_readiness_probe_means_no_probe)
{
    ck_assert_int_eq(load("{'deployment': {'readinessProbe': null}}"), RS_OK);
    ck_assert(!sc.deployment.has_readiness_probe);
}
END_TEST

START_TEST(history_alone_numbers_the_running_revision_after_it)
{
    ck_assert_int_eq(load("{'versions': [{'name': 'a'}, {'name': 'b'}, {'name': 'c'}],"
                          " 'initial': {'version': 'c', 'history': ['a', 'b']}}"),
                     RS_OK);
    ck_assert_int_eq(sc.initial_revision, 3);
    ck_assert_int_eq(load("{'versions': [{'name': 'a'}, {'name': 'b'}],"
                          " 'initial': {'version': 'b', 'revision': 1, 'history': ['a']}}"),
                     RS_BAD_INPUT);
    ck_has(NULL, "revision must be greater than the number of history entries (1)");
}
END_TEST

START_TEST(history_names_outside_the_versions_become_plain_versions)
{
    ck_assert_int_eq(load("{'versions': [{'name': 'v2.4'}, {'name': 'v2.5'}],"
                          " 'initial': {'version': 'v2.4', 'revision': 9, 'history': ['v2.2', 'v2.3']},"
                          " 'timeline': [{'do': 'deploy', 'version': 'v2.2'}]}"),
                     RS_OK);
    ck_assert_int_eq(sc.n_versions, 4);
    ck_assert_str_eq(sc.versions[2].name, "v2.2");
    ck_assert_int_eq(sc.versions[2].n_faults, 0);
    ck_assert_int_eq(sc.history[0], 2);
    ck_assert_int_eq(sc.history[1], 3);
    ck_assert_int_eq(load("{'versions': [{'name': 'a'}, {'name': 'b'}],"
                          " 'initial': {'version': 'b', 'history': ['a', 'b']}}"),
                     RS_BAD_INPUT);
    ck_has("test.json:1:91 ($.initial.history[1])", "'b' is the running version");
}
END_TEST

START_TEST(ack_note_and_resolve_carry_a_text)
{
    ck_assert_int_eq(load("{'timeline': [{'at': '1m', 'do': 'ack', 'text': 'on-call engineer'},"
                          " {'after': 'recovered', 'delay': '30s', 'do': 'resolve', 'text': 'fixed'}]}"),
                     RS_OK);
    ck_assert_str_eq(sc.actions[0].text, "on-call engineer");
    ck_assert_int_eq(sc.actions[1].kind, RS_ACT_RESOLVE);
    ck_assert_int_eq(sc.actions[1].delay, RS_SEC(30));
    ck_assert_int_eq(load("{'timeline': [{'do': 'restart', 'text': 'why'}]}"), RS_BAD_INPUT);
    ck_has(NULL, "'text' does not apply to a 'restart' action (only to 'ack', 'note', 'resolve', 'escalate', 'wait')");
}
END_TEST

START_TEST(fault_parameters_start_from_the_seed_figures_of_their_kind)
{
    ck_assert_int_eq(load("{'versions': [{'name': 'v1', 'faults': [{'type': 'memory_leak', "
                          "'leak_mb_per_min': 45}, {'type': 'redis_connection_bug'}]}]}"),
                     RS_OK);
    rs_fault leak, redis;
    rs_fault_defaults(&leak, RS_FAULT_MEMORY_LEAK);
    rs_fault_defaults(&redis, RS_FAULT_REDIS_CONNECTION_BUG);
    ck_assert_double_eq(sc.versions[0].faults[0].leak_mb_per_min, 45);
    ck_assert_double_eq(sc.versions[0].faults[0].cpu_extra, leak.cpu_extra);
    ck_assert_int_eq(sc.versions[0].faults[1].ramp, redis.ramp);
    ck_assert_double_eq(sc.versions[0].faults[1].error_rate, redis.error_rate);
    ck_assert_double_eq(sc.versions[0].faults[1].latency_ms, redis.latency_ms);
}
END_TEST

/* ---- value syntax ---- */

START_TEST(percentages_and_fractions_mean_the_same)
{
    ck_assert_int_eq(load("{'baseline': {'error_rate': '0.1%', 'cpu': 0.5, 'memory': '70%'}}"), RS_OK);
    ck_assert_double_eq_tol(sc.baseline.error_rate, 0.001, 1e-12);
    ck_assert_double_eq_tol(sc.baseline.cpu, 0.5, 1e-12);
    ck_assert_double_eq_tol(sc.baseline.memory, 0.7, 1e-12);
}
END_TEST

START_TEST(durations_accept_units_compounds_and_seconds)
{
    ck_assert_int_eq(load("{'versions': [{'name': 'v1', 'faults': [{'type': 'latency_regression', "
                          "'ramp': '1m30s', 'onset': 90, 'burst': '250ms', 'duration': 1.5}]}]}"),
                     RS_BAD_INPUT); /* burst must be at least 1s */
    ck_has(NULL, "'burst' must be between 1s and 1h, got 250ms");
    ck_assert_int_eq(load("{'versions': [{'name': 'v1', 'faults': [{'type': 'latency_regression', "
                          "'ramp': '1m30s', 'onset': 90, 'duration': 1.5}]}]}"),
                     RS_OK);
    ck_assert_int_eq(sc.versions[0].faults[0].ramp, RS_SEC(90));
    ck_assert_int_eq(sc.versions[0].faults[0].onset, RS_SEC(90));
    ck_assert_int_eq(sc.versions[0].faults[0].duration, 1500);
}
END_TEST

START_TEST(max_surge_takes_a_pod_count_or_a_percentage)
{
    ck_assert_int_eq(load("{'deployment': {'strategy': {'rollingUpdate': {'maxSurge': 2, "
                          "'maxUnavailable': '0%'}}}}"),
                     RS_OK);
    ck_assert(!sc.deployment.max_surge.percent);
    ck_assert_double_eq(sc.deployment.max_surge.value, 2);
    ck_assert(sc.deployment.max_unavailable.percent);
    ck_assert_double_eq(sc.deployment.max_unavailable.value, 0);
    ck_assert_int_eq(load("{'deployment': {'strategy': {'rollingUpdate': {'maxSurge': '2.5%'}}}}"),
                     RS_BAD_INPUT);
    ck_has("test.json:1:60 ($.deployment.strategy.rollingUpdate.maxSurge)", "whole percentage");
    ck_assert_int_eq(load("{'deployment': {'strategy': {'rollingUpdate': {'maxUnavailable': '120%'}}}}"),
                     RS_BAD_INPUT);
    ck_has(NULL, "'maxUnavailable' must be between 0% and 100%, got 120%");
}
END_TEST

START_TEST(kubernetes_seconds_fields_want_whole_numbers)
{
    ck_assert_int_eq(load("{'deployment': {'minReadySeconds': '10s'}}"), RS_BAD_INPUT);
    ck_has(NULL, "expected a whole number of seconds (a Kubernetes field), got the string \"10s\"");
    ck_assert_int_eq(load("{'deployment': {'minReadySeconds': 2.5}}"), RS_BAD_INPUT);
    ck_has(NULL, "'minReadySeconds' must be a whole number, got 2.5");
}
END_TEST

START_TEST(large_seeds_can_be_written_as_strings)
{
    ck_assert_int_eq(load("{'seed': '18446744073709551615'}"), RS_OK);
    ck_assert_uint_eq(sc.seed, UINT64_MAX);
    ck_assert_int_eq(load("{'seed': '18446744073709551616'}"), RS_BAD_INPUT);
}
END_TEST

/* ---- syntax errors ---- */

START_TEST(missing_comma_is_reported_at_the_next_member)
{
    ck_assert_int_eq(load("{\n  'name': 'x'\n  'seed': 1\n}\n"), RS_BAD_INPUT);
    ck_assert_int_eq(diag.count, 1);
    ck_assert_str_eq(diag.items[0].where, "test.json:3:3");
    ck_has(NULL, "invalid JSON: expected ',' or '}' after an object member, found '\"' (a missing ',' ?)");
}
END_TEST

START_TEST(trailing_comma_is_reported_at_the_comma)
{
    ck_assert_int_eq(load("{\n  'name': 'x',\n  'seed': 1,\n}\n"), RS_BAD_INPUT);
    ck_has("test.json:3:12", "trailing comma before '}'");
    ck_assert_int_eq(load("{'a': [1, 2,]}"), RS_BAD_INPUT);
    ck_has("test.json:1:12", "trailing comma before ']'");
}
END_TEST

START_TEST(unterminated_string_is_reported_at_its_opening_quote)
{
    ck_assert_int_eq(load("{\n  'name': 'x,\n  'seed': 1\n}\n"), RS_BAD_INPUT);
    ck_has("test.json:2:11", "unterminated string");
    ck_assert_int_eq(load("{'name': 'abc"), RS_BAD_INPUT);
    ck_has("test.json:1:10", "unterminated string: the file ends");
}
END_TEST

START_TEST(common_json_mistakes_are_explained)
{
    ck_assert_int_eq(load("{\n  // a comment\n  'seed': 1\n}"), RS_BAD_INPUT);
    ck_has("test.json:2:3", "comments are not allowed in JSON");
    ck_assert_int_eq(rs_scenario_load_string("{'seed': 1}", "t", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_has("t:1:2", "double quotes");
    ck_assert_int_eq(load("{'seed': NaN}"), RS_BAD_INPUT);
    ck_has("test.json:1:10", "JSON has no NaN or Infinity");
    ck_assert_int_eq(load("{'seed': 007}"), RS_BAD_INPUT);
    ck_has("test.json:1:10", "leading zeros");
    ck_assert_int_eq(load("{'seed': True}"), RS_BAD_INPUT);
    ck_has(NULL, "lowercase");
    ck_assert_int_eq(load("{'a': [1, 2}"), RS_BAD_INPUT);
    ck_has("test.json:1:12", "found '}' but the '[' at line 1 column 7 is still open");
    ck_assert_int_eq(load("{'a': {'b': 1}\n"), RS_BAD_INPUT);
    ck_has(NULL, "the '{' at line 1 column 1 is never closed");
    ck_assert_int_eq(load("{} {}"), RS_BAD_INPUT);
    ck_has("test.json:1:4", "after the top-level value");
}
END_TEST

/* ---- semantic errors ---- */

START_TEST(unknown_key_suggests_the_nearest_name_with_position_and_path)
{
    ck_assert_int_eq(load("{\n  'deployment': {\n    'replcas': 3\n  }\n}\n"), RS_BAD_INPUT);
    ck_assert_int_eq(diag.count, 1);
    ck_assert_str_eq(diag.items[0].where, "test.json:3:5 ($.deployment.replcas)");
    ck_assert_str_eq(diag.items[0].message, "unknown key 'replcas' in $.deployment; did you mean 'replicas'?");
}
END_TEST

START_TEST(unknown_key_far_from_any_name_lists_the_valid_keys)
{
    ck_assert_int_eq(load("{'traffic': {'zzzzzz': 1}}"), RS_BAD_INPUT);
    ck_has("test.json:1:14 ($.traffic.zzzzzz)",
           "unknown key 'zzzzzz' in $.traffic; valid keys: rpm, noise, daily_amplitude, tick");
}
END_TEST

START_TEST(unknown_enum_value_suggests_and_lists_the_names)
{
    ck_assert_int_eq(load("{\n  'versions': [\n    {'name': 'v1'},\n"
                          "    {'name': 'v2', 'faults': [{'type': 'redis_bug'}]}\n  ]\n}\n"),
                     RS_BAD_INPUT);
    ck_assert_int_eq(diag.count, 1);
    ck_assert_str_eq(diag.items[0].where, "test.json:4:40 ($.versions[1].faults[0].type)");
    ck_has(NULL, "unknown fault type 'redis_bug'; did you mean 'redis_connection_bug'? expected one of: "
                 "redis_connection_bug, latency_regression,");
}
END_TEST

START_TEST(unknown_references_name_what_exists)
{
    ck_assert_int_eq(load("{'versions': [{'name': 'v2.4'}, {'name': 'v2.5'}],\n"
                          " 'timeline': [{'after': 'pager', 'do': 'ack'}, {'do': 'deploy', 'version': 'v2.6'}],\n"
                          " 'expect': {'alert_fired': 'HighErorRate', 'final_verison': 'v2.4'}}"),
                     RS_BAD_INPUT);
    ck_has("test.json:2:25 ($.timeline[0].after)", "unknown event 'pager'; did you mean 'page'?");
    /* v2.4 and v2.5 are as near as each other: no guess */
    ck_has("test.json:2:76 ($.timeline[1].version)", "unknown version 'v2.6'; expected one of: v2.4, v2.5");
    ck_has(NULL, "unknown alert 'HighErorRate'; did you mean 'HighErrorRate'?");
    ck_has("test.json:3:44 ($.expect.final_verison)", "unknown expectation 'final_verison'; did you mean "
                                                      "'final_version'?");
}
END_TEST

START_TEST(several_problems_are_all_reported_in_file_order)
{
    ck_assert_int_eq(load("{\n"
                          "  'seed': 'abc',\n"
                          "  'versions': [{'name': 'v1', 'faults': [{'type': 'memory_leek'}]}],\n"
                          "  'deployment': {'replicas': -1},\n"
                          "  'traffic': {'noise': 2},\n"
                          "  'monitoring': {'scrape_intervall': '15s'}\n"
                          "}\n"),
                     RS_BAD_INPUT);
    ck_assert_int_eq(diag.count, 5);
    const char *lines[] = {"test.json:2:", "test.json:3:", "test.json:4:", "test.json:5:", "test.json:6:"};
    for (int i = 0; i < 5; i++)
        ck_assert_msg(strncmp(diag.items[i].where, lines[i], strlen(lines[i])) == 0, "item %d at %s", i,
                      diag.items[i].where);
    ck_has(NULL, "did you mean 'memory_leak'?");
    ck_has(NULL, "did you mean 'scrape_interval'?");
}
END_TEST

START_TEST(out_of_range_values_are_refused_with_the_range)
{
    ck_assert_int_eq(load("{'deployment': {'replicas': 20000, 'readinessProbe': {'periodSeconds': 0}},\n"
                          " 'traffic': {'noise': 1.5},\n"
                          " 'versions': [{'name': 'v', 'faults': [{'type': 'redis_connection_bug',"
                          " 'intermittency': 0.97, 'ramp': '-5s', 'error_rate': '150%'}]}],\n"
                          " 'slo': {'target': '100%'}}"),
                     RS_BAD_INPUT);
    ck_has("test.json:1:29 ($.deployment.replicas)", "'replicas' must be between 0 and 10000, got 20000");
    ck_has(NULL, "'periodSeconds' must be between 1 seconds and 86400 seconds, got 0 seconds");
    ck_has(NULL, "'noise' must be between 0% and 100%, got 150%");
    ck_has(NULL, "'intermittency' must be between 0% and 95%, got 97%");
    ck_has(NULL, "'ramp' must be between 0s and 1d, got -5s");
    ck_has(NULL, "'error_rate' must be between 0% and 100%, got 150%");
    ck_has(NULL, "'target' must be greater than 0% and below 100%, got 100%");
}
END_TEST

START_TEST(wrong_types_and_long_strings_are_refused)
{
    ck_assert_int_eq(load("{'deployment': {'replicas': '5'}, 'versions': {'name': 'v1'},"
                          " 'service': {'name': 'MyApp'}, 'duration': 'soon',"
                          " 'name': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}"),
                     RS_BAD_INPUT);
    ck_has(NULL, "expected a whole number, got the string \"5\"");
    ck_has(NULL, "expected an array ([ ... ]), got an object");
    ck_has(NULL, "must be a Kubernetes name");
    ck_has(NULL, "invalid duration \"soon\"");
    ck_has(NULL, "'name' is too long (68 bytes; at most 63)");
}
END_TEST

START_TEST(kubernetes_probe_handlers_are_explained_as_not_modelled)
{
    ck_assert_int_eq(load("{'deployment': {'readinessProbe': {'httpGet': {'path': '/healthz'}}}}"),
                     RS_BAD_INPUT);
    ck_has("test.json:1:36 ($.deployment.readinessProbe.httpGet)", "'httpGet' is not modelled");
}
END_TEST

START_TEST(one_letter_typos_get_no_wild_guess)
{
    ck_assert_int_eq(load("{'alerts': [{'name': 'A', 'metric': 'cpu', 'threshold': 0.9, 'x': 1}]}"),
                     RS_BAD_INPUT);
    ck_has(NULL, "unknown key 'x' in $.alerts[0]; valid keys: name, metric,");
}
END_TEST

START_TEST(missing_and_repeated_keys_are_reported)
{
    ck_assert_int_eq(load("{'versions': [{'image': 'x'}], 'seed': 1, 'seed': 2}"), RS_BAD_INPUT);
    ck_has("test.json:1:15 ($.versions[0])", "missing required key 'name'");
    ck_has("test.json:1:43 ($.seed)", "key 'seed' appears more than once at the top level");
}
END_TEST

START_TEST(recreate_strategy_is_refused_clearly)
{
    ck_assert_int_eq(load("{'deployment': {'strategy': {'type': 'Recreate'}}}"), RS_BAD_INPUT);
    ck_has("test.json:1:38 ($.deployment.strategy.type)", "'Recreate' is not supported yet");
}
END_TEST

START_TEST(timeline_entries_are_checked_for_their_action)
{
    ck_assert_int_eq(load("{'timeline': [{'do': 'deploy'}, {'do': 'ack', 'replicas': 3},"
                          " {'at': '1m', 'after': 'page', 'do': 'ack'}, {'delay': '1m', 'do': 'ack'},"
                          " {'do': 'rollback'}, {'at': '1m'}]}"),
                     RS_BAD_INPUT);
    ck_has("test.json:1:15 ($.timeline[0])", "a 'deploy' action needs 'version'");
    ck_has(NULL, "'replicas' does not apply to a 'ack' action (only to 'scale')");
    ck_has(NULL, "'at' and 'after' exclude each other");
    ck_has(NULL, "'delay' goes with 'after'");
    ck_has(NULL, "unknown action 'rollback'; did you mean 'undo'?");
    ck_has("test.json:1:157 ($.timeline[5])", "missing required key 'do'");
}
END_TEST

START_TEST(data_corruption_needs_a_business_metric)
{
    ck_assert_int_eq(load("{'versions': [{'name': 'v', 'faults': [{'type': 'data_corruption'}]}]}"),
                     RS_BAD_INPUT);
    ck_has(NULL, "none is defined; add one to business_metrics");
    ck_assert_int_eq(load("{'business_metrics': [{'name': 'orders', 'baseline': 12}],"
                          " 'versions': [{'name': 'v', 'faults': [{'type': 'data_corruption', 'metric': 'order'}]}]}"),
                     RS_BAD_INPUT);
    ck_has(NULL, "unknown business metric 'order'; did you mean 'orders'?");
    ck_assert_int_eq(load("{'alerts': [{'name': 'Conv', 'metric': 'business:conv', 'threshold': 1}]}"),
                     RS_BAD_INPUT);
    ck_has("test.json:1:40 ($.alerts[0].metric)", "unknown business metric 'conv': none is defined");
}
END_TEST

START_TEST(cross_field_rules_of_the_core_are_reported_with_a_place)
{
    ck_assert_int_eq(load("{\n  'deployment': {'terminationGracePeriodSeconds': 5, 'shutdown': '10s'}\n}"),
                     RS_BAD_INPUT);
    ck_assert_int_eq(diag.count, 1);
    ck_assert_str_eq(diag.items[0].where, "test.json:2:66 ($.deployment.shutdown)");
    ck_has(NULL, "shutdown must not exceed terminationGracePeriodSeconds");
}
END_TEST

START_TEST(diagnostics_print_as_where_error_message)
{
    ck_assert_int_eq(load("{'deployment': {'replcas': 3}}"), RS_BAD_INPUT);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    rs_diagnostics_print(&diag, f);
    rewind(f);
    char line[512] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    fclose(f);
    ck_assert_str_eq(line, "test.json:1:17 ($.deployment.replcas): error: unknown key 'replcas' in "
                           "$.deployment; did you mean 'replicas'?\n");
}
END_TEST

START_TEST(too_many_problems_are_counted_not_lost)
{
    size_t n = 200 * 16 + 16;
    char *text = malloc(n);
    ck_assert_ptr_nonnull(text);
    strcpy(text, "{");
    for (int i = 0; i < 200; i++)
        sprintf(text + strlen(text), "%s\"k%03d\": 1", i ? "," : "", i);
    strcat(text, "}");
    ck_assert_int_eq(rs_scenario_load_string(text, "many.json", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    free(text);
    ck_assert_int_eq(diag.count, RS_DIAG_MAX);
    ck_assert_int_eq(diag.dropped, 200 - RS_DIAG_MAX);
    ck_assert_str_eq(diag.items[0].where, "many.json:1:2 ($.k000)");
}
END_TEST

/* ---- files ---- */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *text = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    return text;
}

START_TEST(the_documented_example_loads)
{
    char *doc = read_text(RS_SOURCE_DIR "/docs/scenario-format.md");
    char *start = strstr(doc, "```json\n");
    ck_assert_ptr_nonnull(start);
    start += 8;
    char *end = strstr(start, "```");
    ck_assert_ptr_nonnull(end);
    *end = '\0';
    rs_status st = rs_scenario_load_string(start, "docs/scenario-format.md", NULL, 0, &sc, &diag);
    if (st != RS_OK)
        dump();
    ck_assert_int_eq(st, RS_OK);
    ck_assert_int_eq(sc.n_versions, 4); /* two of them come from the history */
    ck_assert_int_eq(sc.n_alerts, 3);
    free(doc);
}
END_TEST

START_TEST(shipped_scenarios_load)
{
    DIR *dir = opendir(RS_SOURCE_DIR "/scenarios");
    ck_assert_ptr_nonnull(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/scenarios/%s", RS_SOURCE_DIR, e->d_name);
        rs_status st = rs_scenario_load_file(path, NULL, 0, &sc, &diag);
        if (st != RS_OK)
            dump();
        ck_assert_msg(st == RS_OK, "%s does not load", path);
        n++;
    }
    closedir(dir);
    ck_assert_int_ge(n, 1);
}
END_TEST

START_TEST(missing_file_says_why_it_cannot_be_read)
{
    ck_assert_int_eq(rs_scenario_load_file("/nonexistent/x.json", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_assert_str_eq(diag.items[0].message, "cannot read /nonexistent/x.json: No such file or directory");
    ck_assert_int_eq(rs_scenario_load_file("/tmp", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_assert_str_eq(diag.items[0].message, "cannot read /tmp: Is a directory");
}
END_TEST

START_TEST(file_errors_carry_the_file_name)
{
    char path[] = "/tmp/check_scenario_load_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("{\n  \"deployment\": {\"replicas\": 7}\n}\n", f);
    fclose(f);
    ck_assert_int_eq(rs_scenario_load_file(path, NULL, 0, &sc, &diag), RS_OK);
    ck_assert_int_eq(sc.deployment.replicas, 7);
    f = fopen(path, "w");
    fputs("{\n  \"deployment\": {\"replicas\": 70000}\n}\n", f);
    fclose(f);
    ck_assert_int_eq(rs_scenario_load_file(path, NULL, 0, &sc, &diag), RS_BAD_INPUT);
    char where[128];
    snprintf(where, sizeof where, "%s:2:30 ($.deployment.replicas)", path);
    ck_has(where, "between 0 and 10000");
    remove(path);
}
END_TEST

/* ---- --set ---- */

START_TEST(set_overrides_a_nested_value)
{
    const char *sets[] = {"deployment.replicas=7", "versions[3].faults[0].error_rate=0.2",
                          "alerts[0].threshold=10%", "description=hello world"};
    ck_assert_int_eq(load_sets(seed_incident, sets, 4), RS_OK);
    ck_assert_int_eq(sc.deployment.replicas, 7);
    ck_assert_double_eq_tol(sc.versions[3].faults[0].error_rate, 0.2, 1e-12);
    ck_assert_double_eq_tol(sc.alerts[0].threshold, 0.1, 1e-12);
    ck_assert_str_eq(sc.description, "hello world");
}
END_TEST

START_TEST(set_creates_missing_keys)
{
    const char *sets[] = {"deployment.minReadySeconds=10", "traffic.rpm=20000", "$.slo.target=99.5%"};
    ck_assert_int_eq(load_sets("{'deployment': {'replicas': 3}}", sets, 3), RS_OK);
    ck_assert_int_eq(sc.deployment.min_ready, RS_SEC(10));
    ck_assert_int_eq(sc.deployment.replicas, 3);
    ck_assert_double_eq(sc.traffic.rpm, 20000);
    ck_assert_double_eq_tol(sc.slo_target, 0.995, 1e-12);
}
END_TEST

START_TEST(set_refuses_an_index_past_the_end)
{
    const char *sets[] = {"versions[5].name=x"};
    ck_assert_int_eq(load_sets(seed_incident, sets, 1), RS_BAD_INPUT);
    ck_assert_int_eq(diag.count, 1);
    ck_assert_str_eq(diag.items[0].where, "--set versions[5].name");
    ck_has(NULL, "$.versions[5] does not exist");
    const char *last[] = {"alerts[3]={}"};
    ck_assert_int_eq(load_sets(seed_incident, last, 1), RS_BAD_INPUT);
    ck_has("--set alerts[3]", "index 3 is past the end of $.alerts (3 items)");
}
END_TEST

START_TEST(set_refuses_malformed_overrides)
{
    const char *sets[] = {"deployment..replicas=3", "deployment.replicas", "versions[x].name=a",
                          "deployment.replicas.x=1", "=3"};
    ck_assert_int_eq(load_sets("{'deployment': {'replicas': 3}}", sets, 5), RS_BAD_INPUT);
    ck_assert_int_eq(diag.count, 5);
    ck_has("--set deployment..replicas", "malformed path");
    ck_has("--set deployment.replicas", "expected PATH=VALUE");
    ck_has("--set versions[x].name", "an index must be digits in brackets");
    ck_has("--set deployment.replicas.x", "$.deployment.replicas is not an object");
    ck_has("--set =3", "malformed path");
    /* a refused override changes nothing: no half-created 'foo' */
    const char *deep[] = {"foo.bar[1]=2"};
    ck_assert_int_eq(load_sets("{}", deep, 1), RS_BAD_INPUT);
    ck_assert_int_eq(diag.count, 1);
    ck_has("--set foo.bar[1]", "$.foo.bar does not exist");
}
END_TEST

START_TEST(set_values_are_checked_like_file_values)
{
    const char *sets[] = {"deployment.replicas=20000", "deployment.replcas=3"};
    ck_assert_int_eq(load_sets("{'deployment': {'replicas': 3}}", sets, 2), RS_BAD_INPUT);
    ck_has("--set deployment.replicas ($.deployment.replicas)", "between 0 and 10000, got 20000");
    ck_has("--set deployment.replcas ($.deployment.replcas)", "did you mean 'replicas'?");
    const char *made[] = {"deployment.replicas.x=1"}; /* creates $.deployment and its 'replicas' object */
    ck_assert_int_eq(load_sets("{}", made, 1), RS_BAD_INPUT);
    ck_has("--set deployment.replicas.x ($.deployment.replicas)", "expected a whole number, got an object");
}
END_TEST

/* ---- hostile input ---- */

START_TEST(hostile_documents_are_refused_without_crashing)
{
    const char *docs[] = {"", "   \n", "[]", "null", "42", "\"x\"", "{\"a\":", "{\"a\"", "{\"\\u12\"}",
                          "{\"a\": \"\\ud800\"}", "{\"a\": \"\\u0000\"}", "{\"a\": 1e}", "{\"a\": -}",
                          "\xff\xfe{\0}", "{\"name\": \"\xc3\x28\"}", "{\"seed\": 1e999}",
                          "{\"deployment\": {\"replicas\": 1e308}}", "{\"duration\": \"nan\"}",
                          "{\"duration\": \"infs\"}", "{\"deployment\": {\"startupJitter\": \"NaN%\"}}",
                          "{\"\x01\": 1}", "{\"a\": \"\t\"}", "\xef\xbb\xbf{\"seed\": 3}"};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        rs_status st = rs_scenario_load_string(docs[i], "h", NULL, 0, &sc, &diag);
        ck_assert_msg(st == RS_BAD_INPUT || (i == sizeof docs / sizeof *docs - 1 && st == RS_OK),
                      "doc %zu gave %d", i, st);
        ck_assert_int_ge(diag.count, st == RS_OK ? 0 : 1);
    }
    ck_assert_int_eq(rs_scenario_load_string("", "h", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_has("h:1:1", "the file is empty");
    ck_assert_int_eq(rs_scenario_load_string("[]", "h", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_has("h:1:1 ($)", "a scenario is one JSON object");
}
END_TEST

START_TEST(deep_nesting_is_refused)
{
    char *text = malloc(20001);
    ck_assert_ptr_nonnull(text);
    memset(text, '[', 10000);
    text[10000] = '\0';
    ck_assert_int_eq(rs_scenario_load_string(text, "deep", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_has("deep:1:513", "nesting deeper than 512 levels");
    memset(text + 10000, ']', 10000);
    text[20000] = '\0';
    ck_assert_int_eq(rs_scenario_load_string(text, "deep", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    strcpy(text, "{\"description\": ");
    size_t n = strlen(text);
    memset(text + n, '{', 5000);
    text[n + 5000] = '\0';
    ck_assert_int_eq(rs_scenario_load_string(text, "deep", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    free(text);
}
END_TEST

START_TEST(huge_numbers_are_refused)
{
    ck_assert_int_eq(load("{'seed': 1e999}"), RS_BAD_INPUT);
    ck_has("test.json:1:10 ($.seed)", "number out of range");
    char text[600] = "{\"seed\": ";
    memset(text + strlen(text), '9', 400);
    strcat(text, "}");
    ck_assert_int_eq(rs_scenario_load_string(text, "n", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_has("n:1:10", "number too long");
    /* 63 characters is the longest number the parser reads: valid JSON, then out of range */
    char longest[80];
    snprintf(longest, sizeof longest, "{\"seed\": %.63s}", text + 9);
    ck_assert_int_eq(rs_scenario_load_string(longest, "n", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_has("n:1:10 ($.seed)", "'seed' must be between 0 and 9007199254740992");
}
END_TEST

START_TEST(megabyte_strings_are_refused_as_too_long)
{
    size_t big = 1 << 20;
    char *text = malloc(big + 64);
    ck_assert_ptr_nonnull(text);
    strcpy(text, "{\"description\": \"");
    size_t n = strlen(text);
    memset(text + n, 'a', big);
    strcpy(text + n + big, "\"}");
    ck_assert_int_eq(rs_scenario_load_string(text, "big", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_has("big:1:17 ($.description)", "'description' is too long (1048576 bytes; at most 511)");
    /* the same megabyte as a key */
    text[0] = '{';
    text[1] = '"';
    memset(text + 2, 'k', big);
    strcpy(text + 2 + big, "\": 1}");
    ck_assert_int_eq(rs_scenario_load_string(text, "big", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_assert_int_eq(diag.count, 1);
    ck_assert(strlen(diag.items[0].message) < sizeof diag.items[0].message);
    free(text);
}
END_TEST

START_TEST(ten_megabyte_files_are_checked_without_trouble)
{
    size_t want = 10u << 20;
    char *text = malloc(want + 64);
    ck_assert_ptr_nonnull(text);
    strcpy(text, "{\"timeline\": [");
    size_t n = strlen(text);
    while (n < want) {
        memcpy(text + n, "{\"do\": \"ack\"},", 14);
        n += 14;
    }
    strcpy(text + n - 1, "]}");
    ck_assert_int_eq(rs_scenario_load_string(text, "ten", NULL, 0, &sc, &diag), RS_BAD_INPUT);
    ck_has("ten:1:14 ($.timeline)", "too many timeline entries");
    free(text);
}
END_TEST

START_TEST(invalid_utf8_is_refused_with_its_position)
{
    ck_assert_int_eq(rs_scenario_load_string("{\"name\": \"ab\xff\"}", "u", NULL, 0, &sc, &diag),
                     RS_BAD_INPUT);
    ck_has("u:1:13", "invalid UTF-8 (byte 0xFF)");
    const char *sets[] = {"name=\x80"};
    ck_assert_int_eq(rs_scenario_load_string("{}", "u", sets, 1, &sc, &diag), RS_BAD_INPUT);
    ck_has("--set name", "not valid UTF-8");
}
END_TEST

static Suite *scenario_load_suite(void)
{
    Suite *s = suite_create("scenario_load");
    TCase *ok = tcase_create("loading");
    tcase_add_test(ok, complete_scenario_loads_every_field);
    tcase_add_test(ok, timeline_entries_keep_their_anchors_and_delays);
    tcase_add_test(ok, expectations_keep_the_order_of_the_file);
    tcase_add_test(ok, absent_keys_take_the_documented_defaults);
    tcase_add_test(ok, absent_alerts_install_the_seed_rules_after_the_baseline);
    tcase_add_test(ok, explicit_empty_alerts_mean_no_alerts);
    tcase_add_test(ok, alert_rules_take_defaults_for_window_op_and_severity);
    tcase_add_test(ok, null_readiness_probe_means_no_probe);
    tcase_add_test(ok, history_alone_numbers_the_running_revision_after_it);
    tcase_add_test(ok, history_names_outside_the_versions_become_plain_versions);
    tcase_add_test(ok, ack_note_and_resolve_carry_a_text);
    tcase_add_test(ok, fault_parameters_start_from_the_seed_figures_of_their_kind);
    tcase_add_test(ok, percentages_and_fractions_mean_the_same);
    tcase_add_test(ok, durations_accept_units_compounds_and_seconds);
    tcase_add_test(ok, max_surge_takes_a_pod_count_or_a_percentage);
    tcase_add_test(ok, kubernetes_seconds_fields_want_whole_numbers);
    tcase_add_test(ok, large_seeds_can_be_written_as_strings);
    suite_add_tcase(s, ok);

    TCase *err = tcase_create("errors");
    tcase_add_test(err, missing_comma_is_reported_at_the_next_member);
    tcase_add_test(err, trailing_comma_is_reported_at_the_comma);
    tcase_add_test(err, unterminated_string_is_reported_at_its_opening_quote);
    tcase_add_test(err, common_json_mistakes_are_explained);
    tcase_add_test(err, unknown_key_suggests_the_nearest_name_with_position_and_path);
    tcase_add_test(err, unknown_key_far_from_any_name_lists_the_valid_keys);
    tcase_add_test(err, unknown_enum_value_suggests_and_lists_the_names);
    tcase_add_test(err, unknown_references_name_what_exists);
    tcase_add_test(err, several_problems_are_all_reported_in_file_order);
    tcase_add_test(err, out_of_range_values_are_refused_with_the_range);
    tcase_add_test(err, wrong_types_and_long_strings_are_refused);
    tcase_add_test(err, kubernetes_probe_handlers_are_explained_as_not_modelled);
    tcase_add_test(err, one_letter_typos_get_no_wild_guess);
    tcase_add_test(err, missing_and_repeated_keys_are_reported);
    tcase_add_test(err, recreate_strategy_is_refused_clearly);
    tcase_add_test(err, timeline_entries_are_checked_for_their_action);
    tcase_add_test(err, data_corruption_needs_a_business_metric);
    tcase_add_test(err, cross_field_rules_of_the_core_are_reported_with_a_place);
    tcase_add_test(err, diagnostics_print_as_where_error_message);
    tcase_add_test(err, too_many_problems_are_counted_not_lost);
    tcase_add_test(err, missing_file_says_why_it_cannot_be_read);
    tcase_add_test(err, the_documented_example_loads);
    tcase_add_test(err, shipped_scenarios_load);
    tcase_add_test(err, file_errors_carry_the_file_name);
    suite_add_tcase(s, err);

    TCase *set = tcase_create("set");
    tcase_add_test(set, set_overrides_a_nested_value);
    tcase_add_test(set, set_creates_missing_keys);
    tcase_add_test(set, set_refuses_an_index_past_the_end);
    tcase_add_test(set, set_refuses_malformed_overrides);
    tcase_add_test(set, set_values_are_checked_like_file_values);
    suite_add_tcase(s, set);

    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 120);
    tcase_add_test(hostile, hostile_documents_are_refused_without_crashing);
    tcase_add_test(hostile, deep_nesting_is_refused);
    tcase_add_test(hostile, huge_numbers_are_refused);
    tcase_add_test(hostile, megabyte_strings_are_refused_as_too_long);
    tcase_add_test(hostile, ten_megabyte_files_are_checked_without_trouble);
    tcase_add_test(hostile, invalid_utf8_is_refused_with_its_position);
    suite_add_tcase(s, hostile);
    return s;
}

int main(void)
{
    return tu_run(scenario_load_suite());
}
