/* The JSON and CSV reports of a hand-built result, and atomic file writes: reports parse back, NaN is
 * null or an empty cell, output is byte-identical, and a failed write leaves nothing behind. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rollsim/io.h"
#include "rollsim/result.h"
#include "rollsim/scenario.h"
#include "test_util.h"

/* A two-version scenario (v2.4 → v2.5 rolled back) with one business metric, three timeline entries and
 * three samples; the second sample has no error-rate data (NaN) and only v2.4 has pods in the first. */
typedef struct {
    rs_scenario scenario;
    rs_timeline_entry timeline[3];
    rs_sample series[3];
    rs_result result;
} fixture;

static void set_name(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

static void fill_samples(fixture *f)
{
    for (int i = 0; i < 3; i++) {
        rs_sample *p = &f->series[i];
        memset(p, 0, sizeof *p);
        p->t_ms = RS_SEC(15) * i;
        p->rpm = 10000.123456;
        p->error_rate = 0.0123456789;
        p->latency_p50_ms = 80;
        p->latency_p95_ms = 150.25;
        p->latency_p99_ms = 400;
        p->pods_ready = 5;
        p->pods_total = 6;
        p->cpu = 0.4;
        p->memory = 0.6;
        p->restarts = i;
        p->ready_by_version[0] = 5;
        p->total_by_version[0] = 5;
        p->share_by_version[0] = i == 0 ? 1.0 : 0.8;
        p->error_rate_by_version[0] = 0.001;
        p->business[0] = 0.032;
    }
    f->series[1].error_rate = NAN;
    for (int i = 1; i < 3; i++) {
        f->series[i].total_by_version[1] = 1;
        f->series[i].crashloop_by_version[1] = 1;
        f->series[i].share_by_version[1] = 0.2;
        f->series[i].error_rate_by_version[1] = 0.25;
    }
}

static void fixture_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    rs_scenario *s = &f->scenario;
    rs_scenario_defaults(s);
    set_name(s->name, sizeof s->name, "checkout-redis");
    set_name(s->description, sizeof s->description, "v2.5 leaks Redis connections");
    s->n_versions = 2;
    set_name(s->versions[0].name, sizeof s->versions[0].name, "v2.4");
    set_name(s->versions[1].name, sizeof s->versions[1].name, "v2.5");
    s->n_biz_metrics = 1;
    set_name(s->biz_metrics[0].name, sizeof s->biz_metrics[0].name, "conversion_rate");

    f->timeline[0] = (rs_timeline_entry){RS_SEC(0), RS_EV_DEPLOY_START, "deploy v2.5 (revision 2)"};
    f->timeline[1] = (rs_timeline_entry){RS_SEC(312), RS_EV_ALERT_FIRING, "HighErrorRate"};
    f->timeline[2] = (rs_timeline_entry){RS_MIN(12), RS_EV_ROLLBACK_START, "undo to revision 1"};
    fill_samples(f);

    rs_result *r = &f->result;
    r->scenario = s;
    r->seed = 42;
    set_name(r->outcome.final_version, sizeof r->outcome.final_version, "v2.4");
    r->outcome.final_revision = 3;
    r->outcome.rolled_back = true;
    r->outcome.rollback_at = RS_MIN(12);
    r->outcome.recovered = true;
    r->outcome.end_ms = RS_MIN(30);
    r->outcome.n_expect = 1;
    r->outcome.expect[0] = (rs_expect_result){RS_EXP_ROLLED_BACK, true, "true", "true"};
    r->outcome.all_passed = true;
    r->scores = (rs_scores){.mttd_s = 61.26, .mtta_s = NAN, .mttm_s = 400, .mttr_s = 420.04,
                            .incident_s = NAN, .failed_requests = 1234.6, .slow_requests = 0,
                            .total_requests = 300000, .error_budget_burned_pct = 12.345678,
                            .users_affected = 4.1, .peak_error_rate = 0.123456789,
                            .peak_latency_p95_ms = 30000, .score = 71.5};
    r->n_timeline = 3;
    r->timeline = f->timeline;
    r->n_series = 3;
    r->series = f->series;
    r->n_history = 2;
    r->history[0] = (rs_history_entry){1, "v2.4", ""};
    r->history[1] = (rs_history_entry){3, "v2.4", "rollback of v2.5"};
}

static cJSON *report_parsed(const rs_result *r)
{
    char *text = rs_report_json(r);
    ck_assert_ptr_nonnull(text);
    cJSON *root = cJSON_Parse(text);
    ck_assert_msg(root != NULL, "report is not valid JSON:\n%s", text);
    free(text);
    return root;
}

static cJSON *at(const cJSON *obj, const char *key)
{
    cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    ck_assert_msg(item != NULL, "missing key \"%s\"", key);
    return item;
}

static double num_at(const cJSON *obj, const char *key)
{
    cJSON *item = at(obj, key);
    ck_assert_msg(cJSON_IsNumber(item), "\"%s\" is not a number", key);
    return item->valuedouble;
}

START_TEST(json_report_parses_back_with_schema_and_values)
{
    fixture f;
    fixture_init(&f);
    cJSON *root = report_parsed(&f.result);
    ck_assert_str_eq(at(root, "schema")->valuestring, "rollsim.report/1");
    ck_assert_str_eq(at(at(root, "scenario"), "name")->valuestring, "checkout-redis");
    ck_assert_str_eq(at(at(root, "scenario"), "namespace")->valuestring, "production");
    ck_assert(num_at(root, "seed") == 42);
    const cJSON *out = at(root, "outcome");
    ck_assert_str_eq(at(out, "final_version")->valuestring, "v2.4");
    ck_assert(num_at(out, "rollback_at_ms") == 720000);
    ck_assert(cJSON_IsTrue(at(out, "rolled_back")));
    ck_assert(cJSON_IsFalse(at(out, "resolved")));
    const cJSON *exp = cJSON_GetArrayItem(at(out, "expectations"), 0);
    ck_assert_str_eq(at(exp, "name")->valuestring, "rolled_back");
    const cJSON *tl = at(root, "timeline");
    ck_assert_int_eq(cJSON_GetArraySize(tl), 3);
    ck_assert_str_eq(at(cJSON_GetArrayItem(tl, 1), "t")->valuestring, "T+05:12");
    ck_assert_str_eq(at(cJSON_GetArrayItem(tl, 1), "kind")->valuestring, "alert_firing");
    ck_assert_int_eq(cJSON_GetArraySize(at(root, "history")), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(at(root, "versions"), 1)->valuestring, "v2.5");
    const cJSON *series = at(root, "series");
    ck_assert_int_eq(cJSON_GetArraySize(series), 3);
    ck_assert(num_at(at(cJSON_GetArrayItem(series, 2), "business"), "conversion_rate") == 0.032);
    cJSON_Delete(root);
}
END_TEST

START_TEST(json_report_rounds_numbers_by_kind)
{
    fixture f;
    fixture_init(&f);
    char *text = rs_report_json(&f.result);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "\"mttd_s\":\t61.3,"));
    ck_assert_ptr_nonnull(strstr(text, "\"mttr_s\":\t420,"));
    ck_assert_ptr_nonnull(strstr(text, "\"failed_requests\":\t1235,"));
    ck_assert_ptr_nonnull(strstr(text, "\"error_budget_burned_pct\":\t12.3457,"));
    ck_assert_ptr_nonnull(strstr(text, "\"peak_error_rate\":\t0.123457,"));
    ck_assert_ptr_nonnull(strstr(text, "\"rpm\":\t10000.1,"));
    ck_assert_ptr_nonnull(strstr(text, "\"error_rate\":\t0.0123457,"));
    free(text);
}
END_TEST

START_TEST(json_report_prints_nan_as_null)
{
    fixture f;
    fixture_init(&f);
    f.result.outcome.rollback_at = RS_TIME_NEVER;
    f.result.scores.score = INFINITY;
    cJSON *root = report_parsed(&f.result);
    const cJSON *scores = at(root, "scores");
    ck_assert(cJSON_IsNull(at(scores, "mtta_s")));
    ck_assert(cJSON_IsNull(at(scores, "incident_s")));
    ck_assert(cJSON_IsNull(at(scores, "score")));
    ck_assert(cJSON_IsNull(at(at(root, "outcome"), "rollback_at_ms")));
    const cJSON *sample = cJSON_GetArrayItem(at(root, "series"), 1);
    ck_assert(cJSON_IsNull(at(sample, "error_rate")));
    ck_assert(num_at(cJSON_GetArrayItem(at(root, "series"), 0), "error_rate") > 0);
    cJSON_Delete(root);
}
END_TEST

START_TEST(json_report_is_byte_identical_for_the_same_result)
{
    fixture f;
    fixture_init(&f);
    char *a = rs_report_json(&f.result);
    char *b = rs_report_json(&f.result);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(a, b);
    ck_assert_int_eq(a[strlen(a) - 1], '\n');
    free(a);
    free(b);
}
END_TEST

START_TEST(json_by_version_omits_versions_without_pods_or_traffic)
{
    fixture f;
    fixture_init(&f);
    cJSON *root = report_parsed(&f.result);
    const cJSON *series = at(root, "series");
    const cJSON *first = at(cJSON_GetArrayItem(series, 0), "by_version");
    ck_assert_int_eq(cJSON_GetArraySize(first), 1);
    ck_assert(num_at(at(first, "v2.4"), "pods_ready") == 5);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(first, "v2.5"));
    const cJSON *second = at(cJSON_GetArrayItem(series, 1), "by_version");
    ck_assert_int_eq(cJSON_GetArraySize(second), 2);
    ck_assert(num_at(at(second, "v2.5"), "pods_crashloop") == 1);
    ck_assert(num_at(at(second, "v2.5"), "traffic_share") == 0.2);
    cJSON_Delete(root);
}
END_TEST

START_TEST(json_seed_above_2_pow_53_is_a_string)
{
    fixture f;
    fixture_init(&f);
    f.result.seed = UINT64_C(18446744073709551615);
    cJSON *root = report_parsed(&f.result);
    ck_assert_str_eq(at(root, "seed")->valuestring, "18446744073709551615");
    cJSON_Delete(root);
}
END_TEST

START_TEST(json_report_omits_business_without_business_metrics)
{
    fixture f;
    fixture_init(&f);
    f.scenario.n_biz_metrics = 0;
    cJSON *root = report_parsed(&f.result);
    const cJSON *sample = cJSON_GetArrayItem(at(root, "series"), 0);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(sample, "business"));
    cJSON_Delete(root);
}
END_TEST

/* Splits one CSV line into fields (RFC 4180 quoting); returns the number of fields. */
static int csv_fields(const char *line, char fields[][96], int max)
{
    int n = 0;
    const char *p = line;
    for (;;) {
        char *out = n < max ? fields[n] : NULL;
        size_t len = 0;
        if (*p == '"') {
            for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
                if (*p == '"')
                    p++;
                if (out && len < 95)
                    out[len++] = *p;
            }
            if (*p == '"')
                p++;
        } else {
            for (; *p && *p != ',' && *p != '\n'; p++)
                if (out && len < 95)
                    out[len++] = *p;
        }
        if (out)
            out[len] = '\0';
        n++;
        if (*p != ',')
            return n;
        p++;
    }
}

/* Returns a copy of line i (0-based) of text, without its newline, or NULL. */
static char *csv_line(const char *text, int i)
{
    for (; i > 0 && text; i--) {
        text = strchr(text, '\n');
        if (text)
            text++;
    }
    if (!text || !*text)
        return NULL;
    size_t len = strcspn(text, "\n");
    char *line = malloc(len + 1);
    ck_assert_ptr_nonnull(line);
    memcpy(line, text, len);
    line[len] = '\0';
    return line;
}

#define CSV_COLUMNS (12 + 2 * 5 + 1)

START_TEST(csv_has_a_header_and_one_row_per_sample)
{
    fixture f;
    fixture_init(&f);
    char *text = rs_report_csv(&f.result);
    ck_assert_ptr_nonnull(text);
    static char fields[64][96];
    char *header = csv_line(text, 0);
    ck_assert_int_eq(csv_fields(header, fields, 64), CSV_COLUMNS);
    ck_assert_str_eq(fields[0], "t_ms");
    ck_assert_str_eq(fields[11], "restarts");
    ck_assert_str_eq(fields[12], "ready_v2.4");
    ck_assert_str_eq(fields[21], "error_rate_v2.5");
    ck_assert_str_eq(fields[22], "conversion_rate");
    free(header);
    for (int i = 1; i <= 3; i++) {
        char *row = csv_line(text, i);
        ck_assert_ptr_nonnull(row);
        ck_assert_int_eq(csv_fields(row, fields, 64), CSV_COLUMNS);
        free(row);
    }
    ck_assert_ptr_null(csv_line(text, 4));
    char *row = csv_line(text, 2);
    csv_fields(row, fields, 64);
    ck_assert_str_eq(fields[0], "15000");
    ck_assert_str_eq(fields[1], "15");
    ck_assert_str_eq(fields[2], "10000.1");
    ck_assert_str_eq(fields[5], "150.25");
    free(row);
    free(text);
}
END_TEST

START_TEST(csv_leaves_nan_cells_empty)
{
    fixture f;
    fixture_init(&f);
    char *text = rs_report_csv(&f.result);
    ck_assert_ptr_nonnull(text);
    static char fields[64][96];
    char *row = csv_line(text, 2);
    csv_fields(row, fields, 64);
    ck_assert_str_eq(fields[3], "");
    free(row);
    row = csv_line(text, 1);
    csv_fields(row, fields, 64);
    ck_assert_str_eq(fields[3], "0.0123457");
    free(row);
    char *again = rs_report_csv(&f.result);
    ck_assert_str_eq(text, again);
    free(again);
    free(text);
}
END_TEST

START_TEST(csv_quotes_version_names_with_commas_or_quotes)
{
    fixture f;
    fixture_init(&f);
    set_name(f.scenario.versions[1].name, sizeof f.scenario.versions[1].name, "v2,\"5\"");
    char *text = rs_report_csv(&f.result);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, ",\"ready_v2,\"\"5\"\"\","));
    static char fields[64][96];
    char *header = csv_line(text, 0);
    ck_assert_int_eq(csv_fields(header, fields, 64), CSV_COLUMNS);
    ck_assert_str_eq(fields[17], "ready_v2,\"5\"");
    free(header);
    free(text);
}
END_TEST

/* A fresh empty directory under /tmp; the caller removes it with remove_dir(). */
static char *make_dir(void)
{
    char *dir = strdup("/tmp/check_report.XXXXXX");
    ck_assert_ptr_nonnull(dir);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void remove_dir(char *dir, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);
    free(dir);
}

START_TEST(atomic_write_creates_the_file_with_the_content)
{
    char *dir = make_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/report.json", dir);
    rs_error err;
    rs_error_clear(&err);
    ck_assert_int_eq(rs_write_file_atomic(path, "hello\n", 6, &err), RS_OK);
    ck_assert_str_eq(read_all(path), "hello\n");
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_msg((st.st_mode & S_IRUSR) && (st.st_mode & S_IWUSR), "file is not user read-write");
    ck_assert_int_eq(count_entries(dir), 1);
    remove_dir(dir, "report.json");
}
END_TEST

START_TEST(atomic_write_replaces_an_existing_file_and_leaves_no_temp_file)
{
    char *dir = make_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/series.csv", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("an older and much longer content\n", f);
    fclose(f);
    rs_error err;
    rs_error_clear(&err);
    ck_assert_int_eq(rs_write_file_atomic(path, "t_ms\n0\n", 7, &err), RS_OK);
    ck_assert_str_eq(read_all(path), "t_ms\n0\n");
    ck_assert_int_eq(rs_write_file_atomic(path, "", 0, &err), RS_OK);
    ck_assert_str_eq(read_all(path), "");
    ck_assert_int_eq(count_entries(dir), 1);
    remove_dir(dir, "series.csv");
}
END_TEST

START_TEST(atomic_write_fails_cleanly_in_a_missing_directory)
{
    char *dir = make_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/missing/report.json", dir);
    rs_error err;
    rs_error_clear(&err);
    ck_assert_int_eq(rs_write_file_atomic(path, "x", 1, &err), RS_INTERNAL);
    ck_assert_int_eq(err.code, RS_INTERNAL);
    ck_assert_msg(strstr(err.message, path) != NULL, "message does not name the path: %s", err.message);
    ck_assert_ptr_nonnull(strstr(err.message, "No such file or directory"));
    ck_assert_int_eq(count_entries(dir), 0);
    remove_dir(dir, "none");
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *json = tcase_create("json");
    tcase_add_test(json, json_report_parses_back_with_schema_and_values);
    tcase_add_test(json, json_report_rounds_numbers_by_kind);
    tcase_add_test(json, json_report_prints_nan_as_null);
    tcase_add_test(json, json_report_is_byte_identical_for_the_same_result);
    tcase_add_test(json, json_by_version_omits_versions_without_pods_or_traffic);
    tcase_add_test(json, json_seed_above_2_pow_53_is_a_string);
    tcase_add_test(json, json_report_omits_business_without_business_metrics);
    suite_add_tcase(s, json);
    TCase *csv = tcase_create("csv");
    tcase_add_test(csv, csv_has_a_header_and_one_row_per_sample);
    tcase_add_test(csv, csv_leaves_nan_cells_empty);
    tcase_add_test(csv, csv_quotes_version_names_with_commas_or_quotes);
    suite_add_tcase(s, csv);
    TCase *file = tcase_create("atomic_file");
    tcase_add_test(file, atomic_write_creates_the_file_with_the_content);
    tcase_add_test(file, atomic_write_replaces_an_existing_file_and_leaves_no_temp_file);
    tcase_add_test(file, atomic_write_fails_cleanly_in_a_missing_directory);
    suite_add_tcase(s, file);
    return s;
}

int main(void)
{
    return tu_run(report_suite());
}
