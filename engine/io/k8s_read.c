/* The machinery of reading Kubernetes objects: the file and its root (kind, apiVersion, one object, not a
 * List), a path stack shared with the scenario loader's reporting, typed readers, and the walk that warns
 * about every member nothing read. Decoders of each kind live in k8s_import.c, k8s_flagger.c, k8s_argo.c. */
#include "k8s_int.h"

#include "json_pos.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES (64u << 20)

/* ---- sets of nodes ---- */

static void set_add(k8s_ctx *k, k8s_set *s, const cJSON *v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        const cJSON **bigger = realloc(s->v, cap * sizeof *bigger);
        if (!bigger) {
            k->ld.oom = true;
            return;
        }
        s->v = bigger;
        s->cap = cap;
    }
    s->v[s->n++] = v;
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (const cJSON *const *)a, y = (uintptr_t) * (const cJSON *const *)b;
    return x < y ? -1 : x > y;
}

static bool set_has(const k8s_set *s, const cJSON *v)
{
    return s->n > 0 && bsearch(&v, s->v, s->n, sizeof *s->v, cmp_ptr) != NULL;
}

/* ---- the path ---- */

void k8s_whole(k8s_ctx *k, const cJSON *v)
{
    if (v)
        set_add(k, &k->whole, v);
}

/* Before the walk the sets are not sorted: a linear search, for the rare repeated key. */
static bool set_has_unsorted(const k8s_set *s, const cJSON *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == v)
            return true;
    return false;
}

/* Later members with the same key as m: an error each (once), and read (whole) so that they are not
 * warned about too. */
static void repeated_keys(k8s_ctx *k, const cJSON *m)
{
    for (const cJSON *o = m->next; o; o = o->next) {
        if (!o->string || strcmp(o->string, m->string) != 0 || set_has_unsorted(&k->whole, o))
            continue;
        jd_push_member(&k->ld, o);
        jd_report_key(&k->ld, "key '%s' appears more than once; Kubernetes keeps one, keep only one",
                      m->string);
        jd_pop(&k->ld);
        k8s_whole(k, o);
    }
}

const cJSON *k8s_enter(k8s_ctx *k, const cJSON *obj, const char *key)
{
    const cJSON *m = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (!m)
        return NULL;
    repeated_keys(k, m);
    jd_push_member(&k->ld, m);
    set_add(k, &k->seen, m);
    return m;
}

void k8s_enter_item(k8s_ctx *k, const cJSON *v, int i)
{
    jd_push_index(&k->ld, i);
    set_add(k, &k->seen, v);
}

void k8s_leave(k8s_ctx *k) { jd_pop(&k->ld); }

void k8s_quiet(k8s_ctx *k, const cJSON *obj, const char *const *keys, int n)
{
    if (!cJSON_IsObject(obj))
        return;
    for (const cJSON *m = obj->child; m; m = m->next)
        for (int i = 0; i < n && m->string; i++)
            if (strcmp(m->string, keys[i]) == 0)
                k8s_whole(k, m);
}

void k8s_quiet_false(k8s_ctx *k, const cJSON *obj, const char *key)
{
    const cJSON *m = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (cJSON_IsFalse(m))
        k8s_whole(k, m);
}

void k8s_quiet_number(k8s_ctx *k, const cJSON *obj, const char *key, double value)
{
    const cJSON *m = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (cJSON_IsNumber(m) && m->valuedouble == value)
        k8s_whole(k, m);
}

/* ---- problems ---- */

static void vreport(k8s_ctx *k, bool warning, const char *prefix, const char *fmt, va_list ap)
{
    char msg[sizeof k->ld.diag->items[0].message];
    int n = snprintf(msg, sizeof msg, "%s", prefix);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    if (!warning) {
        jd_report(&k->ld, "%s", msg);
        return;
    }
    memcpy(k->wl.path, k->ld.path, sizeof k->wl.path);
    k->wl.depth = k->ld.depth;
    jd_report(&k->wl, "%s", msg);
}

void k8s_error(k8s_ctx *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(k, false, "", fmt, ap);
    va_end(ap);
}

void k8s_warn(k8s_ctx *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(k, true, "", fmt, ap);
    va_end(ap);
}

void k8s_note(k8s_ctx *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(k, true, "note: ", fmt, ap);
    va_end(ap);
}

/* Reports at obj.key without marking it read (a note on a field is not a reading of it). */
static void vreport_at(k8s_ctx *k, const cJSON *obj, const char *key, bool warning, const char *prefix,
                       const char *fmt, va_list ap)
{
    const cJSON *m = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (m)
        jd_push_member(&k->ld, m);
    vreport(k, warning, prefix, fmt, ap);
    if (m)
        jd_pop(&k->ld);
}

void k8s_error_at(k8s_ctx *k, const cJSON *obj, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport_at(k, obj, key, false, "", fmt, ap);
    va_end(ap);
}

void k8s_note_at(k8s_ctx *k, const cJSON *obj, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport_at(k, obj, key, true, "note: ", fmt, ap);
    va_end(ap);
}

void k8s_warn_at(k8s_ctx *k, const cJSON *obj, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport_at(k, obj, key, true, "", fmt, ap);
    va_end(ap);
}

/* ---- typed values ---- */

/* A value of the wrong type: reported, and its subtree is not warned about as well. */
static bool wrong_type(k8s_ctx *k, const cJSON *v, const char *expected)
{
    jd_type_error(&k->ld, v, expected);
    k8s_whole(k, v);
    return false;
}

bool k8s_object(k8s_ctx *k, const cJSON *v)
{
    return cJSON_IsObject(v) || wrong_type(k, v, "an object ({ ... })");
}

bool k8s_array(k8s_ctx *k, const cJSON *v)
{
    return cJSON_IsArray(v) || wrong_type(k, v, "an array ([ ... ])");
}

bool k8s_bool(k8s_ctx *k, const cJSON *v, bool *out)
{
    if (!cJSON_IsBool(v))
        return wrong_type(k, v, "true or false");
    *out = cJSON_IsTrue(v);
    return true;
}

static bool read_field(k8s_ctx *k, const cJSON *v, jd_ftype type, double lo, double hi, double *out)
{
    jd_field f = {.key = jd_cur_key(&k->ld), .type = type, .lo = lo, .hi = hi};
    if (jd_read_value(&k->ld, &f, v, out))
        return true;
    k8s_whole(k, v);
    return false;
}

bool k8s_int(k8s_ctx *k, const cJSON *v, double lo, double hi, int *out)
{
    double x;
    if (!read_field(k, v, T_INT, lo, hi, &x))
        return false;
    *out = (int)x;
    return true;
}

bool k8s_seconds(k8s_ctx *k, const cJSON *v, double lo, double hi, rs_time *out)
{
    double x;
    if (!read_field(k, v, T_SECONDS, lo, hi, &x))
        return false;
    *out = (rs_time)llround(x * 1000);
    return true;
}

bool k8s_number(k8s_ctx *k, const cJSON *v, double lo, double hi, double *out)
{
    return read_field(k, v, T_NUMBER, lo, hi, out);
}

bool k8s_duration(k8s_ctx *k, const cJSON *v, bool string_only, double lo_ms, double hi_ms, rs_time *out)
{
    double x;
    if (string_only && !cJSON_IsString(v))
        return wrong_type(k, v, "a duration string (\"30s\", \"1m\", \"1m30s\")");
    if (!read_field(k, v, T_DURATION, lo_ms, hi_ms, &x))
        return false;
    *out = (rs_time)llround(x);
    return true;
}

/* Kubernetes' IntOrString for maxSurge and maxUnavailable: an integer, or digits and '%'. */
bool k8s_intorpct(k8s_ctx *k, const cJSON *v, int max_pods, int max_pct, rs_intorpct *out)
{
    const char *s = cJSON_IsString(v) ? v->valuestring : "";
    size_t digits = strspn(s, "0123456789");
    int x;
    if (cJSON_IsNumber(v)) {
        if (!k8s_int(k, v, 0, max_pods, &x))
            return false;
        *out = (rs_intorpct){false, x};
        return true;
    }
    if (digits == 0 || digits > 9 || s[digits] != '%' || s[digits + 1] != '\0')
        return wrong_type(k, v, "a whole number of pods (1) or a whole percentage (\"25%\")");
    long pct = strtol(s, NULL, 10);
    if (pct > max_pct) {
        k8s_error(k, "'%s' must be at most %d%%, got %s", jd_cur_key(&k->ld), max_pct, s);
        return false;
    }
    *out = (rs_intorpct){true, (double)pct};
    return true;
}

const char *k8s_string(k8s_ctx *k, const cJSON *v)
{
    if (!cJSON_IsString(v)) {
        wrong_type(k, v, "a string");
        return NULL;
    }
    return v->valuestring;
}

bool k8s_name(k8s_ctx *k, const cJSON *v, char *dst, size_t size)
{
    jd_field f = {.key = jd_cur_key(&k->ld), .type = T_NAME, .size = size, .flags = F_NONEMPTY | F_DNS};
    int before = k->ld.diag->count + k->ld.diag->dropped;
    char tmp[RS_TEXT_MAX] = "";
    if (size > sizeof tmp)
        f.size = size = sizeof tmp;
    jd_get_string(&k->ld, &f, v, tmp);
    if (k->ld.diag->count + k->ld.diag->dropped != before)
        return false;
    memcpy(dst, tmp, size);
    return true;
}

bool k8s_get_int(k8s_ctx *k, const cJSON *obj, const char *key, double lo, double hi, int *out)
{
    const cJSON *v = k8s_enter(k, obj, key);
    bool ok = v && k8s_int(k, v, lo, hi, out);
    if (v)
        k8s_leave(k);
    return ok;
}

bool k8s_get_seconds(k8s_ctx *k, const cJSON *obj, const char *key, double lo, double hi, rs_time *out)
{
    const cJSON *v = k8s_enter(k, obj, key);
    bool ok = v && k8s_seconds(k, v, lo, hi, out);
    if (v)
        k8s_leave(k);
    return ok;
}

bool k8s_get_bool(k8s_ctx *k, const cJSON *obj, const char *key, bool *out)
{
    const cJSON *v = k8s_enter(k, obj, key);
    bool ok = v && k8s_bool(k, v, out);
    if (v)
        k8s_leave(k);
    return ok;
}

/* ---- output ---- */

void k8s_param(k8s_ctx *k, const char *name, const char *fmt, ...)
{
    rs_k8s_params *p = k->params;
    if (!p)
        return;
    int i = 0;
    while (i < p->n && strcmp(p->name[i], name) != 0)
        i++;
    if (i == RS_K8S_MAX_PARAMS) {
        k8s_error(k, "too many policy parameters (at most %d)", RS_K8S_MAX_PARAMS);
        return;
    }
    snprintf(p->name[i], sizeof p->name[i], "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->value[i], sizeof p->value[i], fmt, ap);
    va_end(ap);
    if (i == p->n)
        p->n++;
}

const char *k8s_fmt_duration(rs_time ms, char *buf, size_t size)
{
    static const struct {
        rs_time ms;
        const char *unit;
    } units[] = {{3600000, "h"}, {60000, "m"}, {1000, "s"}};
    for (int i = 0; i < JD_COUNT(units); i++)
        if (ms != 0 && ms % units[i].ms == 0) {
            snprintf(buf, size, "%lld%s", (long long)(ms / units[i].ms), units[i].unit);
            return buf;
        }
    snprintf(buf, size, ms == 0 ? "0s" : "%lldms", (long long)ms);
    return buf;
}

/* ---- members nothing read ---- */

/* "$.spec.containers[1].env" → "$.spec.containers[*].env" */
static void generic_path(const char *p, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; p[i] && o + 4 < size; i++) {
        out[o++] = p[i];
        if (p[i] == '[' && p[i + 1] >= '0' && p[i + 1] <= '9') {
            out[o++] = '*';
            while (p[i + 1] >= '0' && p[i + 1] <= '9')
                i++;
        }
    }
    out[o] = '\0';
}

static const char *reason_for(const k8s_ctx *k)
{
    char p[200], g[200];
    jd_render_path(k->ld.path, k->ld.depth, p, sizeof p);
    generic_path(p, g, sizeof g);
    for (int i = 0; i < k->n_reasons; i++)
        if (strcmp(k->reasons[i].path, g) == 0)
            return k->reasons[i].why;
    for (int i = 0; i < k8s_n_pod_reasons; i++)
        if (strcmp(k8s_pod_reasons[i].path, g) == 0)
            return k8s_pod_reasons[i].why;
    return NULL;
}

/* Warns about every member under v that nothing read, once at the highest such member. */
static void walk_unread(k8s_ctx *k, const cJSON *v)
{
    if (set_has(&k->whole, v))
        return;
    if (!set_has(&k->seen, v)) {
        const char *why = reason_for(k);
        k8s_warn(k, "not modelled%s%s%s; rollsim ignores it", why ? " (" : "", why ? why : "", why ? ")" : "");
        return;
    }
    int i = 0;
    for (const cJSON *c = (cJSON_IsObject(v) || cJSON_IsArray(v)) ? v->child : NULL; c; c = c->next, i++) {
        if (cJSON_IsObject(v))
            jd_push_member(&k->ld, c);
        else
            jd_push_index(&k->ld, i);
        walk_unread(k, c);
        jd_pop(&k->ld);
    }
}

/* ---- the file and its root ---- */


/* The whole file, NUL-terminated; NULL after a diagnostic. */
static char *read_text(const char *path, size_t *len, rs_diagnostics *errors)
{
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        rs_diagnostics_add(errors, RS_BAD_INPUT, "", "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf && (n += fread(buf + n, 1, cap - n, f)) == cap && !ferror(f) && cap < MAX_FILE_BYTES) {
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    bool failed = buf && ferror(f), big = buf && n == cap && cap >= MAX_FILE_BYTES;
    fclose(f);
    if (!buf)
        rs_diagnostics_add(errors, RS_INTERNAL, path, "out of memory while reading the file");
    else if (failed || big)
        rs_diagnostics_add(errors, RS_BAD_INPUT, path,
                           failed ? "cannot read the file" : "the file is larger than %u MiB", MAX_FILE_BYTES >> 20);
    if (!buf || failed || big) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static bool syntax_ok(const char *text, size_t len, const char *origin, rs_diagnostics *errors)
{
    char msg[400], where[sizeof errors->items[0].where];
    size_t at = 0;
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        at = (size_t)(nul - text);
        snprintf(msg, sizeof msg, "a NUL byte (is this a binary file?)");
    } else if (rs_json_check_syntax(text, len, &at, msg, sizeof msg) == 0) {
        return true;
    }
    int line, col;
    rs_json_line_col(text, len, at, &line, &col);
    snprintf(where, sizeof where, "%s:%d:%d", origin, line, col);
    size_t first = strspn(text, " \t\r\n");
    bool yaml = first < len && ((text[first] >= 'a' && text[first] <= 'z') || text[first] == '-');
    rs_diagnostics_add(errors, RS_BAD_INPUT, where, "invalid JSON: %s%s", msg,
                    yaml ? " (this looks like YAML: save the object with `kubectl get KIND NAME -o json`)" : "");
    return false;
}

/* A string member of the root, for kind and apiVersion; NULL when absent (or reported). */
static const char *root_string(k8s_ctx *k, const cJSON *root, const char *key)
{
    const cJSON *v = k8s_enter(k, root, key);
    const char *s = v ? k8s_string(k, v) : NULL;
    if (v)
        k8s_leave(k);
    return s;
}

static bool is_list(const cJSON *root, const char *kind)
{
    size_t n = kind ? strlen(kind) : 0;
    if (n >= 4 && strcmp(kind + n - 4, "List") == 0)
        return true;
    return !kind && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "items"));
}

/* One object of the expected kind and apiVersion. */
static bool check_root(k8s_ctx *k, const k8s_kind *kk, const cJSON *root)
{
    char got[JD_SHOW_MAX + 32], g[JD_SHOW_MAX];
    if (!cJSON_IsObject(root)) {
        k8s_error(k, "expected one %s object, as `kubectl get %s NAME -o json` prints it; got %s", kk->kind,
                  kk->resource, jd_describe(root, got, sizeof got));
        return false;
    }
    int before = k->ld.diag->count;
    const char *kind = root_string(k, root, "kind"), *api = root_string(k, root, "apiVersion");
    if (k->ld.diag->count != before)
        return false; /* not strings */
    if (is_list(root, kind)) {
        k8s_error_at(k, root, kind ? "kind" : "items",
                     "this is a List of objects (`kubectl get %s -o json` without a name prints one); pass one "
                     "%s: `kubectl get %s NAME -o json`",
                     kk->resource, kk->kind, kk->resource);
        return false;
    }
    if (!kind || strcmp(kind, kk->kind) != 0) {
        k8s_error_at(k, root, "kind", "expected kind '%s', %s%s%s", kk->kind, kind ? "got '" : "missing 'kind'",
                     kind ? jd_show(kind, g, sizeof g) : "", kind ? "'" : "");
        return false;
    }
    if (!api || strcmp(api, kk->api_version) != 0) {
        k8s_error_at(k, root, "apiVersion", "expected apiVersion '%s' for a %s, %s%s%s", kk->api_version,
                     kk->kind, api ? "got '" : "missing 'apiVersion'", api ? jd_show(api, g, sizeof g) : "",
                     api ? "'" : "");
        return false;
    }
    return true;
}

/* rs_scenario_check names a path of the scenario, not of the object: say so at the object's root. */
static void check_scenario(k8s_ctx *k, const k8s_kind *kk)
{
    rs_error err;
    rs_error_clear(&err);
    if (k->ld.diag->count == 0 && rs_scenario_check(k->sc, &err) != RS_OK)
        k8s_error(k, "with this %s the scenario is inconsistent at %s: %s", kk->kind, err.where, err.message);
}

static void finish(k8s_ctx *k)
{
    jd_sort_problems(&k->ld);
    jd_sort_problems(&k->wl);
    for (int i = 0; i < k->wl.diag->count; i++)
        k->wl.diag->items[i].code = RS_OK;
    free(k->seen.v);
    free(k->whole.v);
}

static void decode(k8s_ctx *k, const k8s_kind *kk, const cJSON *root)
{
    set_add(k, &k->seen, root);
    if (!check_root(k, kk, root))
        return;
    kk->decode(k, root);
    if (k->seen.n > 0)
        qsort(k->seen.v, k->seen.n, sizeof *k->seen.v, cmp_ptr);
    if (k->whole.n > 0)
        qsort(k->whole.v, k->whole.n, sizeof *k->whole.v, cmp_ptr);
    if (!k->ld.oom)
        walk_unread(k, root);
    check_scenario(k, kk);
}

rs_status k8s_run(const k8s_kind *kk, const char *path, rs_scenario *sc, rs_k8s_params *params,
                  rs_diagnostics *errors, rs_diagnostics *warnings)
{
    rs_diagnostics scratch_e, scratch_w;
    errors = errors ? errors : &scratch_e;
    warnings = warnings ? warnings : &scratch_w;
    memset(errors, 0, sizeof *errors);
    memset(warnings, 0, sizeof *warnings);
    size_t len = 0;
    char *text = read_text(path, &len, errors);
    if (!text)
        return errors->items[0].code;
    if (!syntax_ok(text, len, path, errors)) {
        free(text);
        return RS_BAD_INPUT;
    }
    k8s_ctx *k = calloc(1, sizeof *k);
    cJSON *root = k ? cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1) : NULL;
    rs_status st = RS_INTERNAL;
    if (root) {
        k->ld = (jd_loader){.origin = path, .text = text, .len = len, .diag = errors, .s = sc};
        k->wl = (jd_loader){.origin = path, .text = text, .len = len, .diag = warnings, .s = sc};
        k->sc = sc;
        k->params = params;
        k->reasons = kk->reasons;
        k->n_reasons = kk->n_reasons;
        decode(k, kk, root);
        finish(k);
        st = k->ld.oom ? RS_INTERNAL : (errors->count + errors->dropped) > 0 ? RS_BAD_INPUT : RS_OK;
    }
    if (st == RS_INTERNAL)
        rs_diagnostics_add(errors, RS_INTERNAL, path, "out of memory while reading the object");
    cJSON_Delete(root);
    free(k);
    free(text);
    return st;
}
