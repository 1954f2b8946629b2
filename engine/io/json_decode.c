/* Decoding a cJSON tree through tables of fields, with problems that name a line, a column and a JSON
 * path: the path being decoded is a stack of steps, and the raw text is searched for it (json_pos.c)
 * only when a problem is stored. */
#include "json_decode.h"

#include "json_pos.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t size, len;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) JD_PRINTF(2, 3);

static void sb_add(sbuf *b, const char *fmt, ...)
{
    if (b->len + 1 >= b->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->buf + b->len, b->size - b->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len = (b->len + (size_t)n < b->size) ? b->len + (size_t)n : b->size - 1;
}

/* A user string fit for a message: control characters escaped, cut after about 48 bytes. */
const char *jd_show(const char *s, char *buf, size_t size)
{
    size_t o = 0, i = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (u[i] && i < 48 && o + 8 < size) {
        size_t k = u[i] < 0x80 ? 1 : u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : 2;
        if (u[i] < 0x20 || u[i] == 0x7f) {
            o += (size_t)snprintf(buf + o, size - o, "\\x%02X", u[i]);
            i++;
            continue;
        }
        for (size_t j = 0; j < k && u[i]; j++)
            buf[o++] = (char)u[i++];
    }
    buf[o] = '\0';
    if (u[i] && o + 4 < size)
        memcpy(buf + o, "...", 4);
    return buf;
}

static bool simple_key(const char *k)
{
    if (!*k)
        return false;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-' || *p == '$'))
            return false;
    return true;
}

void jd_render_path(const jd_step *path, int depth, char *buf, size_t size)
{
    sbuf b = {buf, size, 0};
    buf[0] = '\0';
    sb_add(&b, "$");
    for (int i = 0; i < depth; i++) {
        char tmp[JD_SHOW_MAX];
        if (!path[i].key)
            sb_add(&b, "[%d]", path[i].index);
        else if (simple_key(path[i].key))
            sb_add(&b, ".%s", path[i].key);
        else
            sb_add(&b, "['%s']", jd_show(path[i].key, tmp, sizeof tmp));
    }
}

/* Which occurrence of its key a member is, when an object repeats a key. */
static int occurrence(const cJSON *m)
{
    int k = 0;
    if (!m || !m->string)
        return 0;
    for (const cJSON *p = m; p->prev && p->prev->next; p = p->prev)
        if (p->prev->string && strcmp(p->prev->string, m->string) == 0)
            k++;
    return k;
}

static bool covers(const char *prefix, const char *path)
{
    size_t n = strlen(prefix);
    return strncmp(prefix, path, n) == 0 && (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

/* Fills `where` for a path: the --set that gave the value, or FILE:LINE:COL in the text. Returns the
 * sort key of the problem. */
static size_t where_of(const jd_loader *ld, const jd_step *path, int depth, bool at_key, char *where,
                       size_t size)
{
    char p[200];
    jd_render_path(path, depth, p, sizeof p);
    for (int i = ld->n_sets - 1; i >= 0; i--)
        if (covers(ld->sets[i].path, p)) {
            snprintf(where, size, "--set %.*s (%s)", ld->sets[i].text_len, ld->sets[i].text, p);
            return 0;
        }
    rs_json_seg segs[JD_MAX_PATH];
    for (int i = 0; i < depth; i++) {
        segs[i].key = path[i].key;
        segs[i].index = path[i].key ? occurrence(path[i].member) : path[i].index;
    }
    size_t off = rs_json_locate(ld->text, ld->len, segs, depth, at_key);
    int line, col;
    rs_json_line_col(ld->text, ld->len, off, &line, &col);
    snprintf(where, size, "%s:%d:%d (%s)", ld->origin, line, col, p);
    return off + 1;
}

bool jd_full(jd_loader *ld)
{
    if (ld->diag->count < RS_DIAG_MAX)
        return false;
    ld->diag->dropped++;
    return true;
}

rs_error *jd_add_problem(jd_loader *ld, size_t key)
{
    rs_error *e = &ld->diag->items[ld->diag->count];
    ld->order[ld->diag->count++] = key;
    e->code = RS_BAD_INPUT;
    return e;
}

static void report_at(jd_loader *ld, const jd_step *path, int depth, bool at_key, const char *fmt, va_list ap)
{
    if (jd_full(ld))
        return;
    char where[sizeof ld->diag->items[0].where];
    size_t key = where_of(ld, path, depth, at_key, where, sizeof where);
    rs_error *e = jd_add_problem(ld, key);
    memcpy(e->where, where, sizeof where);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
}

void jd_report(jd_loader *ld, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_at(ld, ld->path, ld->depth, false, fmt, ap);
    va_end(ap);
}

void jd_report_key(jd_loader *ld, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_at(ld, ld->path, ld->depth, true, fmt, ap);
    va_end(ap);
}

void jd_push_member(jd_loader *ld, const cJSON *m)
{
    assert(ld->depth < JD_MAX_PATH);
    ld->path[ld->depth++] = (jd_step){m->string ? m->string : "", 0, m};
}

void jd_push_index(jd_loader *ld, int i)
{
    assert(ld->depth < JD_MAX_PATH);
    ld->path[ld->depth++] = (jd_step){NULL, i, NULL};
}

void jd_pop(jd_loader *ld)
{
    assert(ld->depth > 0);
    ld->depth--;
}

/* Pushes the member `key` of obj if it exists. */
bool jd_push_key(jd_loader *ld, const cJSON *obj, const char *key)
{
    const cJSON *m = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (m)
        jd_push_member(ld, m);
    return m != NULL;
}

const char *jd_cur_key(const jd_loader *ld)
{
    return (ld->depth > 0 && ld->path[ld->depth - 1].key) ? ld->path[ld->depth - 1].key : "item";
}

/* "in $.deployment" or "at the top level", for the object holding the current key. */
static const char *parent_name(const jd_loader *ld, char *buf, size_t size)
{
    if (ld->depth <= 1)
        return "at the top level";
    char p[200];
    jd_render_path(ld->path, ld->depth - 1, p, sizeof p);
    snprintf(buf, size, "in %s", p);
    return buf;
}

/* ---- names and suggestions ---- */

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return INT_MAX;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

int jd_name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* word is a prefix of name (3 characters or more), or each '_'-separated word of it is a word of name:
 * "redis_bug" for "redis_connection_bug". */
static bool words_match(const char *word, const char *name)
{
    size_t wl = strlen(word);
    if (wl >= 3 && strncmp(word, name, wl) == 0)
        return true;
    if (!strchr(word, '_'))
        return false;
    for (const char *w = word; *w;) {
        size_t n = strcspn(w, "_");
        bool found = n == 0;
        for (const char *p = name; *p && !found;) {
            size_t m = strcspn(p, "_");
            found = m == n && strncmp(p, w, n) == 0;
            p += m + (p[m] != '\0');
        }
        if (!found)
            return false;
        w += n + (w[n] != '\0');
    }
    return true;
}

/* The name a typo most likely meant: the nearest by edit distance if within max(2, len/3), else the
 * only name that words_match. */
static const char *nearest(const char *word, const char *const *names, int n)
{
    /* words people use for a name of ours */
    static const char *const aliases[][2] = {
        {"rollback", "undo"}, {"rollout_undo", "undo"}, {"acknowledge", "ack"}, {"Rolling", "RollingUpdate"}};
    int limit = (int)strlen(word) / 3, best = INT_MAX, ties = 0, matches = 0;
    const char *found = NULL, *by_words = NULL;
    if (limit < 2)
        limit = 2;
    for (int i = 0; i < JD_COUNT(aliases); i++)
        if (strcmp(word, aliases[i][0]) == 0 && jd_name_index(names, n, aliases[i][1]) >= 0)
            return aliases[i][1];
    for (int i = 0; i < n; i++) {
        int d = edit_distance(word, names[i]);
        ties = d == best ? ties + 1 : d < best ? 1 : ties;
        if (d < best) {
            best = d;
            found = names[i];
        }
        if (words_match(word, names[i])) {
            matches++;
            by_words = names[i];
        }
    }
    if (best <= limit && best < (int)strlen(word) && ties == 1)
        return found;
    return matches == 1 ? by_words : NULL;
}

static const char *name_list(const char *const *names, int n, char *buf, size_t size)
{
    sbuf b = {buf, size, 0};
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        sb_add(&b, "%s%s", i ? ", " : "", names[i]);
    if (n == 0)
        sb_add(&b, "(none defined)");
    return buf;
}

/* Reports an unknown name of a kind (`what`), at the value or at the key, with the nearest valid name
 * and the list. */
void jd_unknown_name(jd_loader *ld, bool at_key, const char *what, const char *given,
                     const char *const *names, int n)
{
    if (jd_full(ld))
        return;
    char g[JD_SHOW_MAX], list[512], hint[96] = "";
    const char *near = nearest(given, names, n);
    if (near)
        snprintf(hint, sizeof hint, "did you mean '%s'? ", near);
    jd_show(given, g, sizeof g);
    if (n == 0) {
        if (at_key)
            jd_report_key(ld, "unknown %s '%s': none is defined", what, g);
        else
            jd_report(ld, "unknown %s '%s': none is defined", what, g);
        return;
    }
    name_list(names, n, list, sizeof list);
    if (at_key)
        jd_report_key(ld, "unknown %s '%s'; %sexpected one of: %s", what, g, hint, list);
    else
        jd_report(ld, "unknown %s '%s'; %sexpected one of: %s", what, g, hint, list);
}

const char *jd_describe(const cJSON *v, char *buf, size_t size)
{
    char tmp[JD_SHOW_MAX];
    if (cJSON_IsString(v))
        snprintf(buf, size, "the string \"%s\"", jd_show(v->valuestring, tmp, sizeof tmp));
    else if (cJSON_IsNumber(v))
        snprintf(buf, size, "the number %.15g", v->valuedouble);
    else if (cJSON_IsBool(v))
        snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v))
        snprintf(buf, size, "null");
    else if (cJSON_IsArray(v))
        snprintf(buf, size, "an array");
    else
        snprintf(buf, size, "an object");
    return buf;
}

void jd_type_error(jd_loader *ld, const cJSON *v, const char *expected)
{
    char got[JD_SHOW_MAX + 32];
    jd_report(ld, "expected %s, got %s", expected, jd_describe(v, got, sizeof got));
}

/* ---- values ---- */

static const char *fmt_dur(double ms, char *buf, size_t size)
{
    if (!isfinite(ms) || fabs(ms) > 9e15) {
        snprintf(buf, size, "%.15gs", ms / 1000);
        return buf;
    }
    long long v = llround(fabs(ms));
    const char *sign = ms < 0 ? "-" : "";
    static const struct {
        long long ms;
        const char *unit;
    } units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
    for (int i = 0; i < JD_COUNT(units); i++)
        if (v != 0 && v % units[i].ms == 0) {
            snprintf(buf, size, "%s%lld%s", sign, v / units[i].ms, units[i].unit);
            return buf;
        }
    snprintf(buf, size, v == 0 ? "0s" : "%s%lldms", sign, v);
    return buf;
}

static const char *fmt_value(jd_ftype t, double x, char *buf, size_t size)
{
    if (t == T_DURATION || t == T_DURATION_S)
        return fmt_dur(x, buf, size);
    if (t == T_FRACTION)
        snprintf(buf, size, "%.15g%%", x * 100);
    else if (x == floor(x) && fabs(x) < 1e17) /* whole numbers in full: 9007199254740992 */
        snprintf(buf, size, "%.0f%s", x, t == T_SECONDS ? " seconds" : "");
    else
        snprintf(buf, size, "%.15g%s", x, t == T_SECONDS ? " seconds" : "");
    return buf;
}

bool jd_check_range(jd_loader *ld, const jd_field *f, double x)
{
    bool lo_open = f->flags & F_LO_OPEN, hi_open = f->flags & F_HI_OPEN;
    if ((lo_open ? x > f->lo : x >= f->lo) && (hi_open ? x < f->hi : x <= f->hi))
        return true;
    char lo[40], hi[40], got[40];
    fmt_value(f->type, f->lo, lo, sizeof lo);
    fmt_value(f->type, f->hi, hi, sizeof hi);
    fmt_value(f->type, x, got, sizeof got);
    if (!lo_open && !hi_open)
        jd_report(ld, "'%s' must be between %s and %s, got %s", jd_cur_key(ld), lo, hi, got);
    else
        jd_report(ld, "'%s' must be %s %s and %s %s, got %s", jd_cur_key(ld),
                  lo_open ? "greater than" : "at least", lo, hi_open ? "below" : "at most", hi, got);
    return false;
}

static bool get_number(jd_loader *ld, const cJSON *v, const char *expected, double *out)
{
    if (!cJSON_IsNumber(v)) {
        jd_type_error(ld, v, expected);
        return false;
    }
    if (!isfinite(v->valuedouble)) {
        jd_report(ld, "number out of range");
        return false;
    }
    *out = v->valuedouble;
    return true;
}

/* "N%" with a finite N; the value in percent. */
bool jd_parse_percent(const char *s, double *out)
{
    if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '-'))
        return false;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || end[0] != '%' || end[1] != '\0' || !isfinite(x) || errno == ERANGE)
        return false;
    *out = x;
    return true;
}

static bool get_fraction(jd_loader *ld, const cJSON *v, double *out)
{
    double pct;
    if (cJSON_IsNumber(v))
        return get_number(ld, v, "", out);
    if (cJSON_IsString(v) && jd_parse_percent(v->valuestring, &pct)) {
        *out = pct / 100;
        return true;
    }
    jd_type_error(ld, v, "a fraction (0.05) or a percentage (\"5%\")");
    return false;
}

/* A duration in ms: a string for rs_parse_duration (a leading '-' is read, then refused by the range)
 * or a number of seconds. */
static bool get_duration(jd_loader *ld, const cJSON *v, double *ms)
{
    if (cJSON_IsNumber(v)) {
        if (!get_number(ld, v, "", ms))
            return false;
        *ms *= 1000;
        return true;
    }
    if (!cJSON_IsString(v)) {
        jd_type_error(ld, v, "a duration (\"250ms\", \"30s\", \"5m\", \"1m30s\") or a number of seconds");
        return false;
    }
    const char *s = v->valuestring;
    while (*s == ' ')
        s++;
    bool neg = *s == '-';
    rs_time t;
    if (rs_parse_duration(neg ? s + 1 : s, &t) != 0) {
        char g[JD_SHOW_MAX];
        jd_report(ld,
                  "invalid duration \"%s\"; write a number with a unit: 250ms, 30s, 5m, 2h, 7d, or "
                  "combined: 1m30s",
                  jd_show(v->valuestring, g, sizeof g));
        return false;
    }
    *ms = neg ? -(double)t : (double)t;
    return true;
}

/* Reads a number-like value of the field's type (durations in ms) within the field's range. */
bool jd_read_value(jd_loader *ld, const jd_field *f, const cJSON *v, double *out)
{
    double x = 0;
    bool ok;
    switch (f->type) {
    case T_INT:
    case T_SECONDS:
        ok = get_number(
            ld, v, f->type == T_SECONDS ? "a whole number of seconds (a Kubernetes field)" : "a whole number",
            &x);
        if (ok && x != floor(x)) {
            jd_report(ld, "'%s' must be a whole number, got %.15g", jd_cur_key(ld), x);
            ok = false;
        }
        break;
    case T_DURATION:
    case T_DURATION_S:
        ok = get_duration(ld, v, &x);
        break;
    case T_FRACTION:
        ok = get_fraction(ld, v, &x);
        break;
    default:
        ok = get_number(ld, v, "a number", &x);
        break;
    }
    if (!ok || !jd_check_range(ld, f, x))
        return false;
    *out = x;
    return true;
}

/* A Kubernetes name (RFC 1123 label): lowercase letters, digits and '-', alphanumeric at both ends. */
static bool dns_label(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

void jd_get_string(jd_loader *ld, const jd_field *f, const cJSON *v, char *dst)
{
    char g[JD_SHOW_MAX];
    if (!cJSON_IsString(v)) {
        jd_type_error(ld, v, "a string");
        return;
    }
    size_t n = strlen(v->valuestring);
    if (n == 0 && (f->flags & F_NONEMPTY))
        jd_report(ld, "'%s' must not be empty", jd_cur_key(ld));
    else if (n >= f->size)
        jd_report(ld, "'%s' is too long (%zu bytes; at most %zu)", jd_cur_key(ld), n, f->size - 1);
    else if (f->type == T_NAME && rs_json_check_text(v->valuestring, n) != n)
        jd_report(ld, "'%s' must not contain control characters", jd_cur_key(ld));
    else if ((f->flags & F_DNS) && !dns_label(v->valuestring))
        jd_report(ld,
                  "'%s' must be a Kubernetes name: lowercase letters, digits and '-', starting and "
                  "ending with a letter or digit, got \"%s\"",
                  jd_cur_key(ld), jd_show(v->valuestring, g, sizeof g));
    else
        memcpy(dst, v->valuestring, n + 1);
}

static void get_intorpct(jd_loader *ld, const jd_field *f, const cJSON *v, rs_intorpct *dst)
{
    const char *s = cJSON_IsString(v) ? v->valuestring : "";
    size_t digits = strspn(s, "0123456789");
    if (cJSON_IsNumber(v)) {
        jd_field pods = {.key = f->key, .type = T_INT, .lo = 0, .hi = f->lo};
        double x;
        if (jd_read_value(ld, &pods, v, &x))
            *dst = (rs_intorpct){false, x};
    } else if (digits > 0 && digits < 10 && s[digits] == '%' && s[digits + 1] == '\0') {
        jd_field pct = {.key = f->key, .type = T_FRACTION, .lo = 0, .hi = f->hi / 100};
        double x = strtod(s, NULL);
        if (jd_check_range(ld, &pct, x / 100))
            *dst = (rs_intorpct){true, x};
    } else {
        jd_type_error(ld, v, "a whole number of pods (1) or a whole percentage of the replicas (\"25%\")");
    }
}

static void decode_field(jd_loader *ld, const jd_field *f, const cJSON *v, void *base)
{
    char *dst = (char *)base + f->off;
    double x;
    switch (f->type) {
    case T_NAME:
    case T_TEXT:
        jd_get_string(ld, f, v, dst);
        return;
    case T_INTORPCT:
        assert(f->size == sizeof(rs_intorpct));
        get_intorpct(ld, f, v, (rs_intorpct *)(void *)dst);
        return;
    case T_OBJECT:
        jd_decode_fields(ld, v, f->sub, f->n_sub, base);
        return;
    case T_CUSTOM:
        f->fn(ld, v, base);
        return;
    case T_REFUSED:
        jd_report_key(ld, "'%s' %s", f->key, f->note);
        return;
    default:
        break;
    }
    if (!jd_read_value(ld, f, v, &x))
        return;
    if (f->type == T_INT) {
        int i = (int)x;
        assert(f->size == sizeof i);
        memcpy(dst, &i, sizeof i);
    } else if (f->type == T_SECONDS || f->type == T_DURATION) {
        rs_time t = (rs_time)llround(f->type == T_SECONDS ? x * 1000 : x);
        assert(f->size == sizeof t);
        memcpy(dst, &t, sizeof t);
    } else {
        double d = f->type == T_DURATION_S ? x / 1000 : x;
        assert(f->size == sizeof d);
        memcpy(dst, &d, sizeof d);
    }
}

int jd_find_field(const jd_field *fields, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(fields[i].key, key) == 0)
            return i;
    return -1;
}

static void unknown_key(jd_loader *ld, const jd_field *fields, int n)
{
    if (jd_full(ld))
        return;
    const char *names[32];
    char k[JD_SHOW_MAX], in[220], list[512];
    int m = 0;
    for (int i = 0; i < n; i++)
        if (fields[i].type != T_REFUSED)
            names[m++] = fields[i].key;
    const char *near = nearest(jd_cur_key(ld), names, m);
    jd_show(jd_cur_key(ld), k, sizeof k);
    if (near)
        jd_report_key(ld, "unknown key '%s' %s; did you mean '%s'?", k, parent_name(ld, in, sizeof in), near);
    else
        jd_report_key(ld, "unknown key '%s' %s; valid keys: %s", k, parent_name(ld, in, sizeof in),
                      name_list(names, m, list, sizeof list));
}

/* Decodes the members of obj with the table, in file order. phase < 0: every field; phase 0: checks
 * the keys and decodes the fields of phase 0; phase > 0: decodes only that phase's fields. Returns the
 * set of fields present (bit i for fields[i]). */
uint32_t jd_decode_phase(jd_loader *ld, const cJSON *obj, const jd_field *fields, int n, void *base,
                         int phase)
{
    assert(n <= 32);
    uint32_t seen = 0;
    bool checks = phase <= 0;
    if (!cJSON_IsObject(obj)) {
        if (checks)
            jd_type_error(ld, obj, "an object ({ ... })");
        return 0;
    }
    for (const cJSON *m = obj->child; m; m = m->next) {
        jd_push_member(ld, m);
        int i = jd_find_field(fields, n, jd_cur_key(ld));
        if (i < 0) {
            if (checks)
                unknown_key(ld, fields, n);
        } else if (seen & (1u << i)) {
            char in[220];
            if (checks)
                jd_report_key(ld, "key '%s' appears more than once %s; keep one", fields[i].key,
                              parent_name(ld, in, sizeof in));
        } else {
            seen |= 1u << i;
            if (phase < 0 || fields[i].phase == phase)
                decode_field(ld, &fields[i], m, base);
        }
        jd_pop(ld);
    }
    for (int i = 0; checks && i < n; i++)
        if ((fields[i].flags & F_REQUIRED) && !(seen & (1u << i)))
            jd_report(ld, "missing required key '%s'", fields[i].key);
    return seen;
}

uint32_t jd_decode_fields(jd_loader *ld, const cJSON *obj, const jd_field *fields, int n, void *base)
{
    return jd_decode_phase(ld, obj, fields, n, base, -1);
}

/* The number of items of an array to decode (at most max), or -1 if v is not an array. */
int jd_array_items(jd_loader *ld, const cJSON *v, int min, int max, const char *what)
{
    if (!cJSON_IsArray(v)) {
        jd_type_error(ld, v, "an array ([ ... ])");
        return -1;
    }
    int n = cJSON_GetArraySize(v);
    if (n < min)
        jd_report(ld, "at least %d %s needed", min, what);
    if (n > max) {
        jd_report(ld, "too many %s: %d (at most %d)", what, n, max);
        n = max;
    }
    return n;
}

void jd_noop(jd_loader *ld, const cJSON *v, void *base) { (void)ld, (void)v, (void)base; }

int jd_get_enum(jd_loader *ld, const cJSON *v, const char *what, const char *const *names, int n)
{
    if (!cJSON_IsString(v)) {
        jd_type_error(ld, v, "a string");
        return -1;
    }
    int i = jd_name_index(names, n, v->valuestring);
    if (i < 0)
        jd_unknown_name(ld, false, what, v->valuestring, names, n);
    return i;
}

/* ---- paths written by people: --set and rs_scenario_check ---- */

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Splits "a.b[2].c" (or "$.a.b[2].c") in place into steps. Returns their number, or -1 with *why. */
int jd_parse_path(char *p, jd_step *out, int max, const char **why)
{
    int n = 0;
    if (p[0] == '$')
        p += (p[1] == '.') ? 2 : 1;
    char sep = '.';
    while (*p || sep == '.') {
        if (n == max)
            return *why = "too many steps", -1;
        if (sep == '.') {
            char *k = p;
            while (key_char(*p))
                p++;
            if (p == k)
                return *why = "a key is empty or has a character other than letters, digits, '_', '-'", -1;
            out[n++] = (jd_step){k, 0, NULL};
        } else {
            char *d = p;
            while (*p >= '0' && *p <= '9')
                p++;
            if (p == d || p - d > 9 || *p != ']')
                return *why = "an index must be digits in brackets, like [0]", -1;
            *p++ = '\0';
            out[n++] = (jd_step){NULL, atoi(d), NULL};
        }
        sep = *p;
        if (sep != '\0' && sep != '.' && sep != '[')
            return *why = "expected '.', '[' or the end after a key or an index", -1;
        if (sep)
            *p++ = '\0';
        if (sep == '\0')
            break;
    }
    return n;
}

/* rs_scenario_check names a path; find it in the text. */
void jd_report_check(jd_loader *ld, const rs_error *err)
{
    if (jd_full(ld))
        return;
    char buf[sizeof err->where];
    jd_step path[JD_MAX_PATH];
    const char *why;
    memcpy(buf, err->where, sizeof buf);
    int n = buf[0] == '$' ? jd_parse_path(buf, path, JD_MAX_PATH, &why) : -1;
    char where[sizeof err->where];
    size_t key = where_of(ld, path, n < 0 ? 0 : n, false, where, sizeof where);
    rs_error *e = jd_add_problem(ld, key);
    memcpy(e->where, where, sizeof where);
    memcpy(e->message, err->message, sizeof e->message);
}

/* Stable: problems at the same place keep the order they were found in. */
void jd_sort_problems(jd_loader *ld)
{
    rs_diagnostics *d = ld->diag;
    for (int i = 1; i < d->count; i++) {
        rs_error e = d->items[i];
        size_t k = ld->order[i];
        int j = i;
        for (; j > 0 && ld->order[j - 1] > k; j--) {
            d->items[j] = d->items[j - 1];
            ld->order[j] = ld->order[j - 1];
        }
        d->items[j] = e;
        ld->order[j] = k;
    }
}

void rs_diagnostics_add(rs_diagnostics *d, rs_status code, const char *where, const char *fmt, ...)
{
    if (d->count >= RS_DIAG_MAX) {
        d->dropped++;
        return;
    }
    rs_error *e = &d->items[d->count++];
    e->code = code;
    snprintf(e->where, sizeof e->where, "%s", where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}
