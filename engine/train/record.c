/* The session file (schema rollsim.session/1, docs/training.md): the scenario as played, the seed and every
 * action of the trainee with its simulated time and arguments, written atomically after each action.
 * Written by hand (field order is fixed, so a trainer can diff two sessions); read with cJSON, whose
 * values never leave this file. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollsim/io.h"
#include "rollsim/strbuf.h"
#include "rollsim/train.h"

#define MAX_RECORD_BYTES (64u << 20)

void rs_train_record_init(rs_train_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->mttr_s = NAN;
}

void rs_train_record_fini(rs_train_record *rec)
{
    free(rec->scenario_text);
    free(rec->acts);
    rs_train_record_init(rec);
}

int rs_train_record_copy_header(rs_train_record *dst, const rs_train_record *src)
{
    memcpy(dst->scenario, src->scenario, sizeof dst->scenario);
    free(dst->scenario_text);
    dst->scenario_text = NULL;
    if (src->scenario_text) {
        size_t n = strlen(src->scenario_text) + 1;
        if (!(dst->scenario_text = malloc(n)))
            return -1;
        memcpy(dst->scenario_text, src->scenario_text, n);
    }
    dst->n_sets = src->n_sets;
    memcpy(dst->sets, src->sets, sizeof dst->sets);
    dst->seed = src->seed;
    dst->random = src->random;
    memcpy(dst->recorded_at, src->recorded_at, sizeof dst->recorded_at);
    memcpy(dst->version, src->version, sizeof dst->version);
    return 0;
}

int rs_train_record_add(rs_train_record *rec, const rs_tact *a)
{
    if (rec->n_acts == rec->cap_acts) {
        int cap = rec->cap_acts ? rec->cap_acts * 2 : 32;
        rs_tact *p = realloc(rec->acts, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        rec->acts = p;
        rec->cap_acts = cap;
    }
    rec->acts[rec->n_acts++] = *a;
    return 0;
}

/* ---- writing ---- */

/* A JSON string: quotes, backslashes and control characters escaped; UTF-8 passes through. */
static void put_str(rs_strbuf *b, const char *s)
{
    rs_strbuf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': rs_strbuf_puts(b, "\\\""); break;
        case '\\': rs_strbuf_puts(b, "\\\\"); break;
        case '\n': rs_strbuf_puts(b, "\\n"); break;
        case '\t': rs_strbuf_puts(b, "\\t"); break;
        case '\r': rs_strbuf_puts(b, "\\r"); break;
        default:
            if (*p < 0x20)
                rs_strbuf_printf(b, "\\u%04x", *p);
            else
                rs_strbuf_put(b, (const char *)p, 1);
        }
    }
    rs_strbuf_puts(b, "\"");
}

static void put_key(rs_strbuf *b, const char *key, const char *value)
{
    rs_strbuf_printf(b, ", \"%s\": ", key);
    put_str(b, value);
}

static void put_act(rs_strbuf *b, const rs_tact *a)
{
    char clock[24];
    rs_strbuf_printf(b, "    {\"t_ms\": %lld, \"at\": \"%s\", \"do\": \"%s\"", (long long)a->t_ms,
                     rs_format_clock(a->t_ms, clock, sizeof clock), rs_tact_name(a->kind));
    switch (a->kind) {
    case RS_TACT_UNDO: rs_strbuf_printf(b, ", \"revision\": %d", a->number); break;
    case RS_TACT_SCALE: rs_strbuf_printf(b, ", \"replicas\": %d", a->number); break;
    case RS_TACT_SET_WEIGHT: rs_strbuf_printf(b, ", \"weight\": %d", a->number); break;
    case RS_TACT_HOTFIX:
    case RS_TACT_MIGRATE_DOWN: put_key(b, "version", a->arg); break;
    case RS_TACT_BACKUP:
    case RS_TACT_RESTORE: put_key(b, "table", a->arg); break;
    case RS_TACT_LOGS: put_key(b, "pod", a->arg); break;
    case RS_TACT_NOTE:
    case RS_TACT_ESCALATE:
    case RS_TACT_WAIT:
    case RS_TACT_RESOLVE: put_key(b, "text", a->arg); break;
    default: break;
    }
    if (a->outcome[0])
        put_key(b, "error", a->outcome);
    rs_strbuf_puts(b, "}");
}

static void put_number(rs_strbuf *b, const char *key, double v)
{
    if (isnan(v))
        rs_strbuf_printf(b, "    \"%s\": null,\n", key);
    else
        rs_strbuf_printf(b, "    \"%s\": %.17g,\n", key, v);
}

char *rs_train_record_json(const rs_train_record *rec)
{
    rs_strbuf b = {0};
    rs_strbuf_printf(&b, "{\n  \"schema\": \"%s\",\n  \"rollsim\": ", RS_TRAIN_SCHEMA);
    put_str(&b, rec->version);
    rs_strbuf_puts(&b, ",\n  \"recorded_at\": ");
    put_str(&b, rec->recorded_at);
    rs_strbuf_puts(&b, ",\n  \"scenario\": ");
    put_str(&b, rec->scenario);
    rs_strbuf_puts(&b, ",\n  \"sets\": [");
    for (int i = 0; i < rec->n_sets; i++) {
        if (i)
            rs_strbuf_puts(&b, ", ");
        put_str(&b, rec->sets[i]);
    }
    /* seeds beyond 2^53 do not survive a JSON number read as a double: write those as text */
    if (rec->seed > (1ULL << 53))
        rs_strbuf_printf(&b, "],\n  \"seed\": \"%llu\",\n", (unsigned long long)rec->seed);
    else
        rs_strbuf_printf(&b, "],\n  \"seed\": %llu,\n", (unsigned long long)rec->seed);
    rs_strbuf_printf(&b, "  \"random\": %s,\n  \"actions\": [", rec->random ? "true" : "false");
    for (int i = 0; i < rec->n_acts; i++) {
        rs_strbuf_puts(&b, i ? ",\n" : "\n");
        put_act(&b, &rec->acts[i]);
    }
    rs_strbuf_puts(&b, rec->n_acts ? "\n  ],\n" : "],\n");
    if (rec->end_how[0]) {
        rs_strbuf_printf(&b, "  \"end\": {\"how\": \"%s\", \"t_ms\": %lld},\n", rec->end_how, (long long)rec->end_ms);
    } else {
        rs_strbuf_puts(&b, "  \"end\": null,\n");
    }
    if (rec->has_result) {
        rs_strbuf_puts(&b, "  \"result\": {\n");
        put_number(&b, "score", rec->score);
        put_number(&b, "mttr_s", rec->mttr_s);
        rs_strbuf_printf(&b, "    \"report_fnv1a64\": \"%s\"\n  },\n", rec->report_hash);
    } else {
        rs_strbuf_puts(&b, "  \"result\": null,\n");
    }
    rs_strbuf_puts(&b, "  \"scenario_json\": ");
    put_str(&b, rec->scenario_text ? rec->scenario_text : "");
    rs_strbuf_puts(&b, "\n}\n");
    return rs_strbuf_take(&b);
}

rs_status rs_train_record_save(const rs_train_record *rec, const char *path, rs_error *err)
{
    char *json = rs_train_record_json(rec);
    if (!json)
        return rs_error_set(err, RS_INTERNAL, path, "out of memory writing the session file");
    rs_status st = rs_write_file_atomic(path, json, strlen(json), err);
    free(json);
    return st;
}

/* ---- reading ---- */

static rs_status bad(rs_error *err, const char *path, const char *fmt, const char *what)
{
    return rs_error_set(err, RS_BAD_INPUT, path, fmt, what);
}

static void copy_str(char *dst, size_t size, const cJSON *item)
{
    snprintf(dst, size, "%s", cJSON_IsString(item) ? item->valuestring : "");
}

static rs_status read_act(const cJSON *o, rs_tact *a, const char *path, rs_error *err)
{
    memset(a, 0, sizeof *a);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "t_ms");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "do");
    int k = cJSON_IsString(d) ? rs_tact_from_name(d->valuestring) : -1;
    if (!cJSON_IsNumber(t) || t->valuedouble < 0 || t->valuedouble > 9e15)
        return bad(err, path, "an action needs \"t_ms\", a non-negative number of milliseconds%s", "");
    if (k < 0)
        return bad(err, path, "unknown action \"%s\"", cJSON_IsString(d) ? d->valuestring : "(none)");
    a->t_ms = (rs_time)t->valuedouble;
    a->kind = (rs_tact_kind)k;
    static const char *const num_keys[] = {"revision", "replicas", "weight"};
    for (size_t i = 0; i < 3; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, num_keys[i]);
        if (cJSON_IsNumber(n))
            a->number = n->valueint;
    }
    static const char *const str_keys[] = {"version", "table", "pod", "text"};
    for (size_t i = 0; i < 4; i++) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, str_keys[i]);
        if (cJSON_IsString(s))
            copy_str(a->arg, sizeof a->arg, s);
    }
    copy_str(a->outcome, sizeof a->outcome, cJSON_GetObjectItemCaseSensitive(o, "error"));
    return RS_OK;
}

static rs_status read_seed(const cJSON *s, uint64_t *seed)
{
    if (cJSON_IsNumber(s) && s->valuedouble >= 0 && s->valuedouble <= 9007199254740992.0) {
        *seed = (uint64_t)s->valuedouble;
        return RS_OK;
    }
    if (cJSON_IsString(s)) {
        char *end;
        unsigned long long v = strtoull(s->valuestring, &end, 10);
        if (*s->valuestring && !*end) {
            *seed = v;
            return RS_OK;
        }
    }
    return RS_BAD_INPUT;
}

static rs_status read_end(const cJSON *root, rs_train_record *rec)
{
    const cJSON *end = cJSON_GetObjectItemCaseSensitive(root, "end");
    if (cJSON_IsObject(end)) {
        copy_str(rec->end_how, sizeof rec->end_how, cJSON_GetObjectItemCaseSensitive(end, "how"));
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(end, "t_ms");
        rec->end_ms = cJSON_IsNumber(t) ? (rs_time)t->valuedouble : 0;
    }
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "result");
    if (cJSON_IsObject(res)) {
        const cJSON *score = cJSON_GetObjectItemCaseSensitive(res, "score");
        const cJSON *mttr = cJSON_GetObjectItemCaseSensitive(res, "mttr_s");
        rec->has_result = true;
        rec->score = cJSON_IsNumber(score) ? score->valuedouble : NAN;
        rec->mttr_s = cJSON_IsNumber(mttr) ? mttr->valuedouble : NAN;
        copy_str(rec->report_hash, sizeof rec->report_hash, cJSON_GetObjectItemCaseSensitive(res, "report_fnv1a64"));
    }
    return RS_OK;
}

static rs_status read_root(const cJSON *root, rs_train_record *rec, const char *path, rs_error *err)
{
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (!cJSON_IsString(schema) || strcmp(schema->valuestring, RS_TRAIN_SCHEMA) != 0)
        return bad(err, path, "not a rollsim session file (expected \"schema\": \"%s\")", RS_TRAIN_SCHEMA);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(root, "scenario_json");
    if (!cJSON_IsString(text) || !text->valuestring[0])
        return bad(err, path, "the session file has no \"scenario_json\"%s", "");
    size_t n = strlen(text->valuestring) + 1;
    if (!(rec->scenario_text = malloc(n)))
        return rs_error_set(err, RS_INTERNAL, path, "out of memory");
    memcpy(rec->scenario_text, text->valuestring, n);
    copy_str(rec->scenario, sizeof rec->scenario, cJSON_GetObjectItemCaseSensitive(root, "scenario"));
    copy_str(rec->recorded_at, sizeof rec->recorded_at, cJSON_GetObjectItemCaseSensitive(root, "recorded_at"));
    copy_str(rec->version, sizeof rec->version, cJSON_GetObjectItemCaseSensitive(root, "rollsim"));
    if (read_seed(cJSON_GetObjectItemCaseSensitive(root, "seed"), &rec->seed) != RS_OK)
        return bad(err, path, "\"seed\" must be a non-negative integer%s", "");
    rec->random = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "random"));
    const cJSON *sets = cJSON_GetObjectItemCaseSensitive(root, "sets"), *it;
    cJSON_ArrayForEach(it, sets)
    {
        if (!cJSON_IsString(it) || rec->n_sets == RS_TRAIN_MAX_SETS)
            return bad(err, path, "\"sets\" holds at most 32 strings PATH=VALUE%s", "");
        copy_str(rec->sets[rec->n_sets++], sizeof rec->sets[0], it);
    }
    const cJSON *acts = cJSON_GetObjectItemCaseSensitive(root, "actions");
    if (!cJSON_IsArray(acts))
        return bad(err, path, "the session file has no \"actions\" array%s", "");
    rs_time last = 0;
    cJSON_ArrayForEach(it, acts)
    {
        rs_tact a;
        rs_status st = read_act(it, &a, path, err);
        if (st != RS_OK)
            return st;
        if (a.t_ms < last)
            return bad(err, path, "actions must be in time order (%s goes back in time)", rs_tact_name(a.kind));
        last = a.t_ms;
        if (rs_train_record_add(rec, &a) != 0)
            return rs_error_set(err, RS_INTERNAL, path, "out of memory");
    }
    return read_end(root, rec);
}

rs_status rs_train_record_load(const char *path, rs_train_record *rec, rs_error *err)
{
    rs_train_record_init(rec);
    FILE *f = fopen(path, "rb");
    if (!f)
        return bad(err, path, "cannot read the session file: %s", strerror(errno));
    char *text = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 16384;
            char *p = cap <= MAX_RECORD_BYTES ? realloc(text, cap) : NULL;
            if (!p) {
                free(text);
                fclose(f);
                return rs_error_set(err, RS_BAD_INPUT, path, "the session file is too large or memory is short");
            }
            text = p;
        }
        size_t got = fread(text + n, 1, 4096, f);
        n += got;
        if (got < 4096)
            break;
    }
    fclose(f);
    text[n] = '\0';
    cJSON *root = cJSON_ParseWithLength(text, n);
    free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return bad(err, path, "the session file is not valid JSON%s", "");
    }
    rs_status st = read_root(root, rec, path, err);
    cJSON_Delete(root);
    if (st != RS_OK)
        rs_train_record_fini(rec);
    return st;
}

rs_status rs_train_record_scenario(const rs_train_record *rec, rs_scenario *out, rs_diagnostics *diag)
{
    const char *sets[RS_TRAIN_MAX_SETS];
    for (int i = 0; i < rec->n_sets; i++)
        sets[i] = rec->sets[i];
    rs_status st = rs_scenario_load_string(rec->scenario_text ? rec->scenario_text : "", rec->scenario, sets,
                                           rec->n_sets, out, diag);
    if (st == RS_OK) { /* they describe the scenario's scripted on-call, who does not play in a drill */
        out->n_expect = 0;
        out->n_at = 0;
    }
    return st;
}
