/* Real objects in: a Deployment, a Flagger Canary and an Argo Rollout as kubectl prints them change a
 * scenario field by field, with Kubernetes' (Flagger's, Argo's) defaults for what they leave out; errors
 * and warnings name a line, a column and a JSON path; nothing that changes a rollout is dropped silently;
 * hostile files never crash the reader. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen, strdup */

#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8s_int.h"
#include "rollsim/k8s.h"
#include "test_util.h"

#define FIX RS_SOURCE_DIR "/tests/fixtures/k8s/"

static rs_scenario sc;
static rs_diagnostics errors, warnings;
static rs_k8s_params params;

static void fresh(void) { rs_scenario_defaults(&sc); }

/* The scenario with the business metric of the seed's Canary. */
static void fresh_with_conversion(void)
{
    fresh();
    sc.n_biz_metrics = 1;
    snprintf(sc.biz_metrics[0].name, sizeof sc.biz_metrics[0].name, "conversion_rate");
    sc.biz_metrics[0].baseline = 0.032;
}

static void dump(void)
{
    for (int i = 0; i < errors.count; i++)
        fprintf(stderr, "E %s: %s\n", errors.items[i].where, errors.items[i].message);
    for (int i = 0; i < warnings.count; i++)
        fprintf(stderr, "W %s: %s\n", warnings.items[i].where, warnings.items[i].message);
}

static rs_status deployment(const char *file) { return rs_k8s_apply_deployment(file, &sc, &errors, &warnings); }
static rs_status canary(const char *file) { return rs_k8s_apply_canary(file, &sc, &params, &errors, &warnings); }
static rs_status rollout(const char *file) { return rs_k8s_apply_rollout(file, &sc, &params, &errors, &warnings); }

/* True when a diagnostic's where ends with `where_end` (or any where) and its message contains `part`. */
static bool has(const rs_diagnostics *d, const char *where_end, const char *part)
{
    for (int i = 0; i < d->count; i++) {
        const char *w = d->items[i].where;
        size_t lw = strlen(w), le = where_end ? strlen(where_end) : 0;
        if ((!where_end || (lw >= le && strcmp(w + lw - le, where_end) == 0)) && strstr(d->items[i].message, part))
            return true;
    }
    return false;
}

static const char *any(const char *where) { return where ? where : "*"; }

#define ck_error(where_end, part)                                                                   \
    do {                                                                                            \
        if (!has(&errors, where_end, part))                                                         \
            dump();                                                                                 \
        ck_assert_msg(has(&errors, where_end, part), "no error at %s with '%s'", any(where_end), part);  \
    } while (0)
#define ck_warning(where_end, part)                                                                 \
    do {                                                                                            \
        if (!has(&warnings, where_end, part))                                                       \
            dump();                                                                                 \
        ck_assert_msg(has(&warnings, where_end, part), "no warning at %s with '%s'", any(where_end), part); \
    } while (0)
#define ck_ok(st)                                                                                   \
    do {                                                                                            \
        rs_status st_ = (st);                                                                       \
        if (st_ != RS_OK)                                                                           \
            dump();                                                                                 \
        ck_assert_int_eq(st_, RS_OK);                                                               \
        ck_assert_int_eq(errors.count, 0);                                                          \
    } while (0)

static const char *param(const char *name)
{
    for (int i = 0; i < params.n; i++)
        if (strcmp(params.name[i], name) == 0)
            return params.value[i];
    return NULL;
}

#define ck_param(name, value)                                                                       \
    do {                                                                                            \
        const char *p_ = param(name);                                                               \
        ck_assert_msg(p_ != NULL, "no parameter %s", name);                                         \
        ck_assert_str_eq(p_, value);                                                                \
    } while (0)

/* Every warning is RS_OK, every error RS_BAD_INPUT, and each names FILE:LINE:COL ($.path). */
static void ck_places(const char *file)
{
    for (int i = 0; i < errors.count + warnings.count; i++) {
        const rs_error *e = i < errors.count ? &errors.items[i] : &warnings.items[i - errors.count];
        ck_assert_int_eq(e->code, i < errors.count ? RS_BAD_INPUT : RS_OK);
        ck_assert_msg(strncmp(e->where, file, strlen(file)) == 0 && strstr(e->where, " ($"), "where: %s", e->where);
    }
}

/* ---- temporary files ---- */

static char tmp_path[64];

static const char *write_temp(const char *text, size_t len)
{
    snprintf(tmp_path, sizeof tmp_path, "/tmp/check_k8s_XXXXXX");
    int fd = mkstemp(tmp_path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
    return tmp_path;
}

/* Test JSON is written with single quotes for readability; they become double quotes. */
static const char *temp_json(const char *text)
{
    char *s = strdup(text);
    ck_assert_ptr_nonnull(s);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    write_temp(s, strlen(s));
    free(s);
    return tmp_path;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* ---- Deployments ---- */

START_TEST(deployment_maps_every_field_it_reads)
{
    fresh();
    ck_ok(deployment(FIX "deployment-myapp.json"));
    const rs_deployment_spec *d = &sc.deployment;
    ck_assert_str_eq(sc.service, "myapp");
    ck_assert_str_eq(sc.namespace_, "shop");
    ck_assert_int_eq(d->replicas, 6);
    ck_assert_int_eq(d->strategy.kind, RS_STRATEGY_ROLLING);
    ck_assert(!d->max_surge.percent && d->max_surge.value == 2);
    ck_assert(d->max_unavailable.percent && d->max_unavailable.value == 20);
    ck_assert_int_eq(d->min_ready, RS_SEC(15));
    ck_assert_int_eq(d->progress_deadline, RS_SEC(300));
    ck_assert_int_eq(d->revision_history_limit, 5);
    ck_assert_int_eq(d->termination_grace, RS_SEC(45));
    ck_assert(d->has_readiness_probe);
    ck_assert_int_eq(d->probe_initial_delay, RS_SEC(10));
    ck_assert_int_eq(d->probe_period, RS_SEC(5));
    ck_assert_int_eq(d->probe_failure_threshold, 4);
    ck_assert_int_eq(d->probe_success_threshold, 2);
    ck_assert_double_eq(d->memory_limit_mb, 768);
    ck_places(FIX "deployment-myapp.json");
}
END_TEST

START_TEST(deployment_warns_about_what_changes_a_rollout_and_not_about_noise)
{
    fresh();
    ck_ok(deployment(FIX "deployment-myapp.json"));
    ck_warning("($.spec.template.spec.containers[0].livenessProbe)", "not modelled");
    ck_warning("($.spec.template.spec.containers[0].resources.limits.cpu)", "not modelled");
    ck_warning("($.spec.template.spec.containers[0].resources.requests)", "scheduling");
    ck_assert_int_eq(warnings.count, 3); /* metadata, status, env, image, probe handler: noise */
}
END_TEST

START_TEST(deployment_defaults_apply_to_absent_fields)
{
    fresh();
    rs_deployment_spec *d = &sc.deployment;
    d->replicas = 9, d->min_ready = RS_SEC(20), d->progress_deadline = RS_SEC(100);
    d->revision_history_limit = 3, d->termination_grace = RS_SEC(5), d->shutdown = RS_SEC(1);
    d->max_surge = (rs_intorpct){false, 1}, d->max_unavailable = (rs_intorpct){false, 1};
    d->probe_initial_delay = d->probe_period = RS_SEC(7);
    d->probe_failure_threshold = d->probe_success_threshold = 7;
    snprintf(sc.namespace_, sizeof sc.namespace_, "staging");
    ck_ok(deployment(FIX "deployment-minimal.json"));
    ck_assert_str_eq(sc.service, "billing");
    ck_assert_str_eq(sc.namespace_, "staging"); /* the object has none: the scenario's stays */
    ck_assert_int_eq(d->replicas, 1);
    ck_assert(d->max_surge.percent && d->max_surge.value == 25);
    ck_assert(d->max_unavailable.percent && d->max_unavailable.value == 25);
    ck_assert_int_eq(d->min_ready, 0);
    ck_assert_int_eq(d->progress_deadline, RS_SEC(600));
    ck_assert_int_eq(d->revision_history_limit, 10);
    ck_assert_int_eq(d->termination_grace, RS_SEC(30));
    ck_assert(d->has_readiness_probe);
    ck_assert_int_eq(d->probe_initial_delay, 0);
    ck_assert_int_eq(d->probe_period, RS_SEC(10));
    ck_assert_int_eq(d->probe_failure_threshold, 3);
    ck_assert_int_eq(d->probe_success_threshold, 1);
    ck_assert_double_eq(d->memory_limit_mb, 256); /* "268435456" bytes */
    ck_assert_int_eq(warnings.count, 0);
}
END_TEST

START_TEST(deployment_without_readiness_probe_has_none)
{
    fresh();
    ck_ok(deployment(FIX "deployment-no-probe.json"));
    ck_assert(!sc.deployment.has_readiness_probe);
    ck_assert_double_eq(sc.deployment.memory_limit_mb, 1024);
    ck_assert_int_eq(sc.deployment.replicas, 3);
    ck_warning("($.spec.template.spec.containers[0])", "no readinessProbe");
    ck_warning("($.spec.template.spec.containers[0].lifecycle)", "not modelled");
    ck_warning("($.spec.template.spec.containers[1])", "only the first container");
    ck_places(FIX "deployment-no-probe.json");
}
END_TEST

START_TEST(deployment_replaces_a_progressive_strategy_and_says_so)
{
    fresh();
    sc.deployment.strategy.kind = RS_STRATEGY_CANARY;
    ck_ok(deployment(FIX "deployment-myapp.json"));
    ck_assert_int_eq(sc.deployment.strategy.kind, RS_STRATEGY_ROLLING);
    ck_warning("($.spec.strategy)", "canary strategy is replaced");
}
END_TEST

START_TEST(memory_quantities_parse_as_kubernetes_reads_them)
{
    static const struct {
        const char *text;
        double mib;
    } ok[] = {{"512Mi", 512},      {"1Gi", 1024},           {"1G", 1e9 / 1048576}, {"268435456", 256},
              {"536870912", 512},  {"500M", 5e8 / 1048576}, {"0.5Gi", 512},        {"2048Ki", 2},
              {"1e9", 1e9 / 1048576}, {"1E3", 1000.0 / 1048576}, {"1Ti", 1048576}, {"128974848e0", 123},
              {"1E", 1e18 / 1048576}, {"+512Mi", 512},      {"1.5Gi", 1536},       {".5Gi", 512}};
    for (int i = 0; i < (int)(sizeof ok / sizeof *ok); i++) {
        double mib = -1;
        ck_assert_msg(k8s_parse_memory(ok[i].text, &mib), "%s refused", ok[i].text);
        ck_assert_msg(fabs(mib - ok[i].mib) < 1e-9 * fmax(1, ok[i].mib), "%s: %.17g", ok[i].text, mib);
    }
    ck_assert(fabs(ok[2].mib - 953.67) < 0.01);
    static const char *const bad[] = {"512MB", "", "Mi", "1.2.3Gi", "abc", "1 Gi", "0x10Mi", "inf", "nan",
                                      "1e99999", "--1", "1e", "1e+", "Gi1", "1gi", "1Mi ", " 1Mi", "1KiB"};
    for (int i = 0; i < (int)(sizeof bad / sizeof *bad); i++) {
        double mib;
        ck_assert_msg(!k8s_parse_memory(bad[i], &mib), "%s accepted", bad[i]);
    }
}
END_TEST

START_TEST(recreate_is_an_error_with_file_line_col)
{
    fresh();
    ck_assert_int_eq(deployment(FIX "deployment-recreate.json"), RS_BAD_INPUT);
    ck_error(FIX "deployment-recreate.json:16:21 ($.spec.strategy.type)", "'Recreate' is not supported");
    ck_places(FIX "deployment-recreate.json");
}
END_TEST

START_TEST(a_list_is_an_error_asking_for_one_object)
{
    fresh();
    ck_assert_int_eq(deployment(FIX "deployment-list.json"), RS_BAD_INPUT);
    ck_error(FIX "deployment-list.json:36:13 ($.kind)", "kubectl get deployment NAME -o json");
    ck_assert_int_eq(errors.count, 1);
}
END_TEST

START_TEST(a_wrong_kind_is_an_error)
{
    fresh();
    ck_assert_int_eq(deployment(FIX "deployment-wrong-kind.json"), RS_BAD_INPUT);
    ck_error(FIX "deployment-wrong-kind.json:3:13 ($.kind)", "expected kind 'Deployment', got 'StatefulSet'");
    fresh();
    ck_assert_int_eq(canary(FIX "deployment-myapp.json"), RS_BAD_INPUT);
    ck_error("($.kind)", "expected kind 'Canary', got 'Deployment'");
    fresh();
    ck_assert_int_eq(rollout(FIX "canary-seed.json"), RS_BAD_INPUT);
    ck_error("($.kind)", "expected kind 'Rollout', got 'Canary'");
}
END_TEST

START_TEST(negative_replicas_are_an_error)
{
    fresh();
    ck_assert_int_eq(deployment(FIX "deployment-negative-replicas.json"), RS_BAD_INPUT);
    ck_error(FIX "deployment-negative-replicas.json:9:21 ($.spec.replicas)", "between 0 and 10000, got -1");
}
END_TEST

START_TEST(wrong_types_and_ranges_are_errors_each_at_its_place)
{
    fresh();
    ck_assert_int_eq(deployment(FIX "deployment-bad-values.json"), RS_BAD_INPUT);
    ck_error(":9:21 ($.spec.replicas)", "got the string \"5\"");
    ck_error(":10:28 ($.spec.minReadySeconds)", "got the string \"10s\"");
    ck_error(":14:29 ($.spec.strategy.rollingUpdate.maxSurge)", "\"25.5%\"");
    ck_error("($.spec.template.spec.containers[0].readinessProbe.periodSeconds)", "between 1 seconds");
    ck_error("($.spec.template.spec.containers[0].resources.limits.memory)", "invalid memory quantity \"512MB\"");
    ck_assert_int_eq(errors.count, 5);
    ck_places(FIX "deployment-bad-values.json");
}
END_TEST

START_TEST(files_that_are_not_one_json_object_are_errors)
{
    fresh();
    ck_assert_int_eq(deployment("/nonexistent/dir/deploy.json"), RS_BAD_INPUT);
    ck_assert(has(&errors, "", "cannot read /nonexistent/dir/deploy.json"));
    const char *yaml = "apiVersion: apps/v1\nkind: Deployment\n";
    ck_assert_int_eq(deployment(write_temp(yaml, strlen(yaml))), RS_BAD_INPUT);
    ck_assert(has(&errors, NULL, "YAML"));
    unlink(tmp_path);
    ck_assert_int_eq(deployment(temp_json("[{'kind': 'Deployment'}]")), RS_BAD_INPUT);
    ck_error(NULL, "expected one Deployment object");
    unlink(tmp_path);
    ck_assert_int_eq(deployment(temp_json("{'apiVersion': 'apps/v1', 'kind': 'DeploymentList', 'items': []}")),
                     RS_BAD_INPUT);
    ck_error("($.kind)", "pass one Deployment");
    unlink(tmp_path);
    ck_assert_int_eq(deployment(temp_json("{'apiVersion': 'extensions/v1beta1', 'kind': 'Deployment'}")),
                     RS_BAD_INPUT);
    ck_error("($.apiVersion)", "expected apiVersion 'apps/v1'");
    unlink(tmp_path);
}
END_TEST

static const char *const small_deploy =
    "{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'web'}, 'spec': {%s"
    "'template': {'spec': {'containers': [{'name': 'web', 'image': 'web:1'%s}]%s}}}}";

static const char *small(const char *spec, const char *container, const char *pod)
{
    char buf[2048];
    snprintf(buf, sizeof buf, small_deploy, spec, container, pod);
    return temp_json(buf);
}

START_TEST(a_short_grace_period_cuts_the_scenario_shutdown)
{
    fresh();
    sc.deployment.shutdown = RS_SEC(2);
    ck_ok(deployment(small("", "", ", 'terminationGracePeriodSeconds': 1")));
    ck_assert_int_eq(sc.deployment.termination_grace, RS_SEC(1));
    ck_assert_int_eq(sc.deployment.shutdown, RS_SEC(1));
    ck_warning("($.spec.template.spec.terminationGracePeriodSeconds)", "cut to the grace period");
    unlink(tmp_path);
}
END_TEST

START_TEST(surge_and_unavailable_both_zero_are_refused)
{
    fresh();
    ck_assert_int_eq(deployment(small("'strategy': {'type': 'RollingUpdate', 'rollingUpdate': {'maxSurge': '0%', "
                                      "'maxUnavailable': 0}}, ",
                                      "", "")),
                     RS_BAD_INPUT);
    ck_error("($.spec.strategy.rollingUpdate)", "cannot both be 0");
    unlink(tmp_path);
}
END_TEST

START_TEST(a_repeated_key_is_an_error)
{
    fresh();
    ck_assert_int_eq(deployment(small("'replicas': 3, 'replicas': 4, ", "", "")), RS_BAD_INPUT);
    ck_error("($.spec.replicas)", "appears more than once");
    ck_assert_int_eq(errors.count, 1);
    unlink(tmp_path);
}
END_TEST

START_TEST(a_long_revision_history_is_read_as_fifty)
{
    fresh();
    ck_ok(deployment(small("'revisionHistoryLimit': 100, ", "", "")));
    ck_assert_int_eq(sc.deployment.revision_history_limit, 50);
    ck_warning("($.spec.revisionHistoryLimit)", "at most 50");
    unlink(tmp_path);
}
END_TEST

/* "spec.containers.0.env" → "($.spec.containers[0].env.zzUnknownSetting)" */
static void json_path(const char *dotted, char *out, size_t size)
{
    size_t o = (size_t)snprintf(out, size, "($");
    for (const char *p = dotted; *p && o + 24 < size;) {
        size_t n = strcspn(p, ".");
        if (*p >= '0' && *p <= '9')
            o += (size_t)snprintf(out + o, size - o, "[%.*s]", (int)n, p);
        else
            o += (size_t)snprintf(out + o, size - o, ".%.*s", (int)n, p);
        p += n + (p[n] == '.');
    }
    snprintf(out + o, size - o, ".zzUnknownSetting)");
}

/* A key nothing reads, put into each object the reader walks into, is warned about at its path. */
static void ck_sentinels(const char *file, rs_status (*apply)(const char *), const char *const *paths, int n)
{
    char *text = slurp(file);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    for (int i = 0; i < n; i++) {
        cJSON *o = root;
        char p[200];
        snprintf(p, sizeof p, "%s", paths[i]);
        for (char *tok = strtok(p, "."); tok && o; tok = strtok(NULL, "."))
            o = tok[0] >= '0' && tok[0] <= '9' ? cJSON_GetArrayItem(o, atoi(tok))
                                              : cJSON_GetObjectItemCaseSensitive(o, tok);
        ck_assert_msg(cJSON_IsObject(o), "no object at %s", paths[i]);
        cJSON_AddNumberToObject(o, "zzUnknownSetting", 1);
    }
    char *out = cJSON_Print(root);
    fresh_with_conversion();
    ck_assert_int_eq(apply(write_temp(out, strlen(out))), RS_OK);
    for (int i = 0; i < n; i++) {
        char want[256];
        json_path(paths[i], want, sizeof want);
        ck_warning(want, "not modelled");
    }
    int count = 0;
    for (int k = 0; k < warnings.count; k++)
        count += strstr(warnings.items[k].where, "zzUnknownSetting") != NULL;
    ck_assert_int_eq(count, n);
    unlink(tmp_path);
    free(out);
    cJSON_Delete(root);
    free(text);
}

static rs_status apply_deployment(const char *f) { return deployment(f); }
static rs_status apply_canary(const char *f) { return canary(f); }
static rs_status apply_rollout(const char *f) { return rollout(f); }

START_TEST(unmodelled_fields_are_warned_never_silently_dropped)
{
    static const char *const deploy[] = {
        "spec", "spec.strategy", "spec.strategy.rollingUpdate", "spec.template", "spec.template.spec",
        "spec.template.spec.containers.0", "spec.template.spec.containers.0.readinessProbe",
        "spec.template.spec.containers.0.resources", "spec.template.spec.containers.0.resources.limits"};
    ck_sentinels(FIX "deployment-myapp.json", apply_deployment, deploy, 9);
    static const char *const can[] = {"spec", "spec.targetRef", "spec.service", "spec.analysis",
                                      "spec.analysis.metrics.0", "spec.analysis.metrics.0.thresholdRange",
                                      "spec.analysis.metrics.2"};
    ck_sentinels(FIX "canary-seed.json", apply_canary, can, 7);
    static const char *const roll[] = {"spec", "spec.strategy", "spec.strategy.canary",
                                       "spec.strategy.canary.steps.0", "spec.strategy.canary.steps.1.pause"};
    ck_sentinels(FIX "rollout-canary.json", apply_rollout, roll, 5);
}
END_TEST

START_TEST(the_top_level_and_metadata_keep_only_noise_quiet)
{
    fresh();
    ck_ok(deployment(temp_json("{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'extra': {'a': 1}, "
                               "'metadata': {'name': 'web', 'uid': 'x', 'labels': {}, 'surprise': true}, "
                               "'spec': {'paused': true, 'template': {'spec': {'containers': [{}]}}}}")));
    ck_warning("($.extra)", "not modelled");
    ck_warning("($.metadata.surprise)", "not modelled");
    ck_warning("($.spec.paused)", "does not roll out until resumed");
    ck_assert(!has(&warnings, "($.metadata.uid)", ""));
    unlink(tmp_path);
}
END_TEST

/* ---- Flagger Canaries ---- */

START_TEST(seed_canary_sets_the_canary_strategy_and_flagger_params)
{
    fresh_with_conversion();
    ck_ok(canary(FIX "canary-seed.json"));
    const rs_strategy_spec *st = &sc.deployment.strategy;
    ck_assert_int_eq(st->kind, RS_STRATEGY_CANARY);
    ck_assert(st->mesh);
    ck_assert_int_eq(st->interval, RS_SEC(30));
    ck_assert_int_eq(st->threshold, 5);
    ck_assert_double_eq(st->max_weight, 50);
    ck_assert_double_eq(st->step_weight, 10);
    ck_assert_int_eq(st->n_step_weights, 0);
    ck_assert_str_eq(sc.service, "myapp");
    ck_assert_str_eq(sc.namespace_, "production");
    ck_assert_str_eq(params.policy, "flagger");
    ck_param("success_rate_min", "95");
    ck_param("duration_max_ms", "500");
    ck_param("metric_interval", "1m");
    ck_param("business_metric", "conversion_rate");
    ck_param("business_min_ratio", "0.8");
    ck_param("business_interval", "2m");
    ck_param("interval", "30s");
    ck_param("threshold", "5");
    ck_param("max_weight", "50");
    ck_param("step_weight", "10");
    ck_assert_ptr_null(param("step_weights"));
    ck_places(FIX "canary-seed.json");
}
END_TEST

START_TEST(seed_canary_warns_about_webhooks_and_alerts_and_notes_the_business_ratio)
{
    fresh_with_conversion();
    ck_ok(canary(FIX "canary-seed.json"));
    ck_warning(FIX "canary-seed.json:45:25 ($.spec.analysis.webhooks)", "load tests and gates are not simulated");
    ck_warning(FIX "canary-seed.json:56:23 ($.spec.analysis.alerts)", "not modelled");
    ck_warning("($.spec.analysis.metrics[2].thresholdRange)", "percent of the baseline");
    ck_warning("($.spec.analysis.metrics[1].thresholdRange)", "P99");
}
END_TEST

START_TEST(a_custom_metric_without_a_business_metric_is_warned)
{
    fresh();
    ck_ok(canary(FIX "canary-seed.json"));
    ck_warning("($.spec.analysis.metrics[2])", "custom metric 'conversion-rate'");
    ck_assert_ptr_null(param("business_metric"));
    ck_param("business_min_ratio", "0");
    ck_param("success_rate_min", "95");
}
END_TEST

START_TEST(canary_step_weights_and_unmodelled_metrics)
{
    fresh_with_conversion();
    ck_ok(canary(FIX "canary-stepweights.json"));
    const rs_strategy_spec *st = &sc.deployment.strategy;
    static const double want[] = {5, 10, 20, 40, 60};
    ck_assert_int_eq(st->n_step_weights, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq(st->step_weights[i], want[i]);
    ck_assert_double_eq(st->max_weight, 60);
    ck_assert_int_eq(st->interval, RS_MIN(1));
    ck_assert_int_eq(st->threshold, 3);
    ck_assert_str_eq(sc.service, "checkout");
    ck_assert_str_eq(sc.namespace_, "shop");
    ck_param("step_weights", "5,10,20,40,60");
    ck_param("success_rate_min", "99");
    ck_param("duration_max_ms", "300");
    ck_param("business_min_ratio", "0"); /* the scenario's conversion_rate is not this Canary's */
    ck_warning("($.spec.analysis.metrics)", "business check off");
    ck_warning("($.spec.analysis.metrics[2])", "'error-budget-burn'");
    ck_warning("($.spec.analysis.metrics[1].interval)", "one window");
    ck_warning("($.spec.autoscalerRef)", "autoscaling");
    ck_warning("($.spec.service.retries)", "not modelled");
    ck_assert(!has(&warnings, "($.spec.skipAnalysis)", ""));
    ck_assert(!has(&warnings, "($.status)", ""));
    ck_places(FIX "canary-stepweights.json");
}
END_TEST

START_TEST(provider_kubernetes_is_a_blue_green_without_mesh)
{
    fresh();
    ck_ok(canary(FIX "canary-kubernetes.json"));
    const rs_strategy_spec *st = &sc.deployment.strategy;
    ck_assert_int_eq(st->kind, RS_STRATEGY_BLUE_GREEN);
    ck_assert(!st->mesh);
    ck_assert(st->auto_promote);
    ck_assert_int_eq(st->auto_promote_after, RS_MIN(10)); /* 10 iterations of 1m */
    ck_assert_int_eq(st->threshold, 2);
    ck_warning("($.spec.provider)", "blue/green only");
    ck_warning("($.spec.analysis.iterations)", "10 times");
    ck_warning("($.spec.analysis.webhooks)", "not modelled");
    ck_param("threshold", "2");
}
END_TEST

START_TEST(flagger_defaults_apply_to_absent_analysis_fields)
{
    fresh();
    ck_ok(canary(temp_json("{'apiVersion': 'flagger.app/v1beta1', 'kind': 'Canary', 'metadata': {'name': 'x'},"
                           " 'spec': {'targetRef': {'kind': 'Deployment', 'name': 'web'}, 'analysis': "
                           "{'stepWeight': 20}}}")));
    const rs_strategy_spec *st = &sc.deployment.strategy;
    ck_assert_int_eq(st->interval, RS_SEC(60));
    ck_assert_int_eq(st->threshold, 1);
    ck_assert_double_eq(st->max_weight, 100);
    ck_assert_double_eq(st->step_weight, 20);
    ck_param("success_rate_min", "0");
    ck_param("duration_max_ms", "3600000");
    ck_warning("($.spec.analysis)", "threshold 1");
    ck_warning("($.spec.analysis)", "no request-success-rate check");
    unlink(tmp_path);
}
END_TEST

START_TEST(canary_errors_name_their_place)
{
    fresh();
    ck_assert_int_eq(canary(FIX "canary-bad-values.json"), RS_BAD_INPUT);
    ck_error(":11:21 ($.spec.targetRef.kind)", "DaemonSet");
    ck_error(":18:25 ($.spec.analysis.interval)", "invalid duration \"thirty seconds\"");
    ck_error("($.spec.analysis.threshold)", "got -2");
    ck_error("($.spec.analysis.maxWeight)", "got 150");
    ck_error("($.spec.analysis.stepWeights[2])", "must increase");
    ck_error("($.spec.analysis.metrics[0].thresholdRange)", "percentage");
    ck_error("($.spec.analysis.metrics[1])", "missing 'name'");
    ck_places(FIX "canary-bad-values.json");
    fresh();
    ck_assert_int_eq(canary(FIX "canary-wrong-api.json"), RS_BAD_INPUT);
    ck_error(":2:19 ($.apiVersion)", "expected apiVersion 'flagger.app/v1beta1'");
}
END_TEST

START_TEST(params_and_diagnostics_may_be_null)
{
    fresh_with_conversion();
    ck_assert_int_eq(rs_k8s_apply_canary(FIX "canary-seed.json", &sc, NULL, NULL, NULL), RS_OK);
    ck_assert_int_eq(sc.deployment.strategy.kind, RS_STRATEGY_CANARY);
    ck_assert_int_eq(rs_k8s_apply_rollout(FIX "rollout-canary.json", &sc, NULL, NULL, NULL), RS_OK);
    ck_assert_int_eq(rs_k8s_apply_deployment(FIX "deployment-recreate.json", &sc, NULL, NULL), RS_BAD_INPUT);
}
END_TEST

/* ---- Argo Rollouts ---- */

START_TEST(rollout_canary_steps_become_step_weights_and_interval)
{
    fresh();
    ck_ok(rollout(FIX "rollout-canary.json"));
    const rs_deployment_spec *d = &sc.deployment;
    const rs_strategy_spec *st = &d->strategy;
    ck_assert_int_eq(st->kind, RS_STRATEGY_CANARY);
    ck_assert_int_eq(st->n_step_weights, 3);
    ck_assert_double_eq(st->step_weights[0], 20);
    ck_assert_double_eq(st->step_weights[1], 40);
    ck_assert_double_eq(st->step_weights[2], 60);
    ck_assert_double_eq(st->max_weight, 60);
    ck_assert_int_eq(st->interval, RS_SEC(30));
    ck_assert(!st->mesh); /* no trafficRouting: replica ratio */
    ck_assert(!d->max_surge.percent && d->max_surge.value == 1);
    ck_assert(!d->max_unavailable.percent && d->max_unavailable.value == 0);
    ck_assert_int_eq(d->replicas, 5);
    ck_assert_int_eq(d->revision_history_limit, 3);
    ck_assert_int_eq(d->min_ready, RS_SEC(10));
    ck_assert_int_eq(d->progress_deadline, RS_SEC(900));
    ck_assert_int_eq(d->termination_grace, RS_SEC(60));
    ck_assert_int_eq(d->probe_initial_delay, RS_SEC(5));
    ck_assert(fabs(d->memory_limit_mb - 953.67) < 0.01); /* "1G" */
    ck_assert_str_eq(params.policy, "argo-analysis");
    ck_assert_int_eq(params.n, 0);
    ck_warning("($.spec.strategy.canary.steps[4].analysis)", "inline analysis templates are not read");
    ck_warning("($.spec.strategy.canary)", "replica counts");
    ck_places(FIX "rollout-canary.json");
}
END_TEST

START_TEST(rollout_traffic_routing_pauses_and_other_steps)
{
    fresh();
    ck_ok(rollout(FIX "rollout-canary-mesh.json"));
    const rs_strategy_spec *st = &sc.deployment.strategy;
    ck_assert(st->mesh);
    ck_assert_int_eq(st->interval, RS_MIN(1)); /* the first timed pause: 60 (seconds) */
    ck_assert_int_eq(st->n_step_weights, 4);
    ck_assert_double_eq(st->max_weight, 100);
    ck_warning("($.spec.strategy.canary.steps[1].pause)", "indefinite pause");
    ck_warning("($.spec.strategy.canary.steps[5].pause.duration)", "the first one's (1m)");
    ck_warning("($.spec.strategy.canary.steps[6].setCanaryScale)", "not modelled");
    ck_warning("($.spec.strategy.canary.analysis)", "AnalysisTemplates");
    ck_assert(!has(&warnings, "($.spec.strategy.canary.trafficRouting)", ""));
    ck_assert_str_eq(params.policy, "argo-analysis");
}
END_TEST

START_TEST(rollout_blue_green_maps_promotion_and_scale_down)
{
    fresh();
    ck_ok(rollout(FIX "rollout-bluegreen.json"));
    const rs_strategy_spec *st = &sc.deployment.strategy;
    ck_assert_int_eq(st->kind, RS_STRATEGY_BLUE_GREEN);
    ck_assert(st->auto_promote);
    ck_assert_int_eq(st->auto_promote_after, RS_SEC(120));
    ck_assert_int_eq(st->scale_down_delay, RS_SEC(60));
    ck_assert_int_eq(sc.deployment.replicas, 4);
    ck_assert_int_eq(sc.deployment.probe_period, RS_SEC(5));
    ck_assert_int_eq(sc.deployment.probe_failure_threshold, 2);
    ck_warning("($.spec.strategy.blueGreen.prePromotionAnalysis)", "not modelled");
    ck_assert(!has(&warnings, "($.spec.strategy.blueGreen.activeService)", ""));
    ck_assert_str_eq(params.policy, "argo-analysis");
    ck_assert_int_eq(warnings.count, 1);
}
END_TEST

START_TEST(argo_defaults_apply_to_absent_fields)
{
    fresh();
    sc.deployment.strategy.scale_down_delay = RS_SEC(5);
    sc.deployment.strategy.auto_promote = false;
    ck_ok(rollout(temp_json("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Rollout', 'metadata': {'name': "
                            "'web'}, 'spec': {'strategy': {'blueGreen': {'activeService': 'web'}}, 'template': "
                            "{'spec': {'containers': [{'name': 'web', 'image': 'web:1'}]}}}}")));
    const rs_strategy_spec *st = &sc.deployment.strategy;
    ck_assert_int_eq(sc.deployment.replicas, 1);
    ck_assert(st->auto_promote);
    ck_assert_int_eq(st->auto_promote_after, 0);
    ck_assert_int_eq(st->scale_down_delay, RS_SEC(30));
    ck_assert_str_eq(params.policy, "");
    unlink(tmp_path);
}
END_TEST

START_TEST(rollout_errors_name_their_place)
{
    fresh();
    ck_assert_int_eq(rollout(FIX "rollout-both-strategies.json"), RS_BAD_INPUT);
    ck_error(":15:21 ($.spec.strategy)", "not both");
    ck_assert(!has(&warnings, "($.spec.strategy.canary)", "not modelled"));
    fresh();
    ck_assert_int_eq(rollout(FIX "rollout-bad-steps.json"), RS_BAD_INPUT);
    ck_error("($.spec.strategy.canary.steps[1].pause.duration)", "invalid duration \"soon\"");
    ck_error("($.spec.strategy.canary.steps[2].setWeight)", "increasing");
    ck_error("($.spec.strategy.canary.steps[3].setWeight)", "\"80%\"");
    ck_places(FIX "rollout-bad-steps.json");
}
END_TEST

START_TEST(a_rollout_with_a_workload_ref_keeps_the_pod_template_of_the_scenario)
{
    fresh();
    sc.deployment.termination_grace = RS_SEC(90);
    ck_ok(rollout(temp_json("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Rollout', 'metadata': {'name': "
                            "'web'}, 'spec': {'replicas': 3, 'workloadRef': {'apiVersion': 'apps/v1', 'kind': "
                            "'Deployment', 'name': 'web'}, 'strategy': {'canary': {'steps': [{'setWeight': 50}, "
                            "{'pause': {'duration': '1m'}}]}}}}")));
    ck_assert_int_eq(sc.deployment.termination_grace, RS_SEC(90));
    ck_assert_int_eq(sc.deployment.replicas, 3);
    ck_warning("($.spec.workloadRef)", "pass it with --deployment");
    unlink(tmp_path);
}
END_TEST

START_TEST(a_scenario_made_inconsistent_is_an_error)
{
    fresh();
    sc.deployment.backoff_max = RS_SEC(1); /* below the initial back-off: rs_scenario_check refuses it */
    ck_assert_int_eq(deployment(FIX "deployment-minimal.json"), RS_BAD_INPUT);
    ck_error(NULL, "scenario is inconsistent at $.deployment.crashLoopBackOff.max");
}
END_TEST

/* ---- hostile input ---- */

static rs_status apply_any(int which, const char *file)
{
    fresh_with_conversion();
    return which == 0 ? deployment(file) : which == 1 ? canary(file) : rollout(file);
}

static void ck_no_crash(const char *file)
{
    for (int w = 0; w < 3; w++) {
        rs_status st = apply_any(w, file);
        ck_assert_msg(st == RS_OK || st == RS_BAD_INPUT, "status %d", st);
        ck_assert_int_le(errors.count, RS_DIAG_MAX);
        ck_assert_int_le(warnings.count, RS_DIAG_MAX);
    }
}

/* Replaces each node of each fixture, in turn, with hostile values. */
static void mutate_all(cJSON *root, cJSON *node)
{
    static const char *const hostile[] = {"null", "-1", "1e308", "\"\"", "[]", "{}", "\"99999999999999Gi\"",
                                          "[[[[[[[[[[1]]]]]]]]]]", "\"\\u0000x\"", "2147483648.5"};
    if (node->child) {
        for (cJSON *c = node->child; c; c = c->next)
            mutate_all(root, c);
    }
    if (node == root)
        return;
    for (int i = 0; i < (int)(sizeof hostile / sizeof *hostile); i++) {
        cJSON *h = cJSON_Parse(hostile[i]);
        ck_assert_ptr_nonnull(h);
        cJSON saved = *node;
        /* swap the contents in place, keeping the links and the key */
        node->type = h->type, node->valuedouble = h->valuedouble, node->valueint = h->valueint;
        node->valuestring = h->valuestring, node->child = h->child;
        char *text = cJSON_PrintUnformatted(root);
        node->type = saved.type, node->valuedouble = saved.valuedouble, node->valueint = saved.valueint;
        node->valuestring = saved.valuestring, node->child = saved.child;
        cJSON_Delete(h);
        ck_assert_ptr_nonnull(text);
        ck_no_crash(write_temp(text, strlen(text)));
        unlink(tmp_path);
        free(text);
    }
}

START_TEST(hostile_values_anywhere_never_crash)
{
    static const char *const files[] = {"deployment-myapp.json", "canary-seed.json", "rollout-canary.json",
                                        "rollout-bluegreen.json", "canary-stepweights.json"};
    char path[512];
    snprintf(path, sizeof path, FIX "%s", files[_i]);
    char *text = slurp(path);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    mutate_all(root, root);
    cJSON_Delete(root);
    free(text);
}
END_TEST

START_TEST(truncated_and_odd_files_never_crash)
{
    char *text = slurp(FIX "canary-seed.json");
    size_t n = strlen(text);
    for (size_t len = 0; len < n; len += 7)
        ck_no_crash(write_temp(text, len)), unlink(tmp_path);
    free(text);
    static const char *const odd[] = {"", "null", "0", "\"Deployment\"", "{}", "{\"kind\": 5}",
                                      "{\"kind\": \"Deployment\", \"apiVersion\": \"apps/v1\", \"spec\": 3}",
                                      "{\"kind\": \"Rollout\", \"apiVersion\": \"argoproj.io/v1alpha1\"}",
                                      "{\"items\": [1]}", "\xEF\xBB\xBF{}", "{\"a\":1}garbage", "\x01\x02"};
    for (int i = 0; i < (int)(sizeof odd / sizeof *odd); i++)
        ck_no_crash(write_temp(odd[i], strlen(odd[i]))), unlink(tmp_path);
    /* deep nesting under an unread key, and a wide object */
    size_t depth = 400;
    char *deep = malloc(depth * 2 + 200);
    ck_assert_ptr_nonnull(deep);
    int o = sprintf(deep, "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"spec\": {\"x\": ");
    for (size_t i = 0; i < depth; i++)
        deep[o++] = '[';
    for (size_t i = 0; i < depth; i++)
        deep[o++] = ']';
    o += sprintf(deep + o, "}}");
    ck_no_crash(write_temp(deep, (size_t)o));
    unlink(tmp_path);
    free(deep);
}
END_TEST

START_TEST(many_unmodelled_fields_are_counted_beyond_the_limit)
{
    size_t cap = 100000;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    int o = sprintf(s, "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"spec\": {");
    for (int i = 0; i < 200; i++)
        o += sprintf(s + o, "\"k%d\": %d, ", i, i);
    o += sprintf(s + o, "\"template\": {\"spec\": {\"containers\": [{}]}}}}");
    fresh();
    ck_assert_int_eq(deployment(write_temp(s, (size_t)o)), RS_OK);
    ck_assert_int_eq(warnings.count, RS_DIAG_MAX);
    ck_assert_int_gt(warnings.dropped, 0);
    unlink(tmp_path);
    free(s);
}
END_TEST

static Suite *k8s_suite(void)
{
    Suite *s = suite_create("k8s_import");
    TCase *d = tcase_create("deployment");
    tcase_add_test(d, deployment_maps_every_field_it_reads);
    tcase_add_test(d, deployment_warns_about_what_changes_a_rollout_and_not_about_noise);
    tcase_add_test(d, deployment_defaults_apply_to_absent_fields);
    tcase_add_test(d, deployment_without_readiness_probe_has_none);
    tcase_add_test(d, deployment_replaces_a_progressive_strategy_and_says_so);
    tcase_add_test(d, memory_quantities_parse_as_kubernetes_reads_them);
    tcase_add_test(d, recreate_is_an_error_with_file_line_col);
    tcase_add_test(d, a_list_is_an_error_asking_for_one_object);
    tcase_add_test(d, a_wrong_kind_is_an_error);
    tcase_add_test(d, negative_replicas_are_an_error);
    tcase_add_test(d, wrong_types_and_ranges_are_errors_each_at_its_place);
    tcase_add_test(d, files_that_are_not_one_json_object_are_errors);
    tcase_add_test(d, a_short_grace_period_cuts_the_scenario_shutdown);
    tcase_add_test(d, surge_and_unavailable_both_zero_are_refused);
    tcase_add_test(d, a_repeated_key_is_an_error);
    tcase_add_test(d, a_long_revision_history_is_read_as_fifty);
    tcase_add_test(d, unmodelled_fields_are_warned_never_silently_dropped);
    tcase_add_test(d, the_top_level_and_metadata_keep_only_noise_quiet);
    suite_add_tcase(s, d);
    TCase *c = tcase_create("canary");
    tcase_add_test(c, seed_canary_sets_the_canary_strategy_and_flagger_params);
    tcase_add_test(c, seed_canary_warns_about_webhooks_and_alerts_and_notes_the_business_ratio);
    tcase_add_test(c, a_custom_metric_without_a_business_metric_is_warned);
    tcase_add_test(c, canary_step_weights_and_unmodelled_metrics);
    tcase_add_test(c, provider_kubernetes_is_a_blue_green_without_mesh);
    tcase_add_test(c, flagger_defaults_apply_to_absent_analysis_fields);
    tcase_add_test(c, canary_errors_name_their_place);
    tcase_add_test(c, params_and_diagnostics_may_be_null);
    suite_add_tcase(s, c);
    TCase *r = tcase_create("rollout");
    tcase_add_test(r, rollout_canary_steps_become_step_weights_and_interval);
    tcase_add_test(r, rollout_traffic_routing_pauses_and_other_steps);
    tcase_add_test(r, rollout_blue_green_maps_promotion_and_scale_down);
    tcase_add_test(r, argo_defaults_apply_to_absent_fields);
    tcase_add_test(r, rollout_errors_name_their_place);
    tcase_add_test(r, a_rollout_with_a_workload_ref_keeps_the_pod_template_of_the_scenario);
    tcase_add_test(r, a_scenario_made_inconsistent_is_an_error);
    suite_add_tcase(s, r);
    TCase *h = tcase_create("hostile");
    tcase_set_timeout(h, 600);
    tcase_add_loop_test(h, hostile_values_anywhere_never_crash, 0, 5);
    tcase_add_test(h, truncated_and_odd_files_never_crash);
    tcase_add_test(h, many_unmodelled_fields_are_counted_beyond_the_limit);
    suite_add_tcase(s, h);
    return s;
}

int main(void)
{
    return tu_run(k8s_suite());
}
