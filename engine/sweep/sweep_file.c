/* The sweep file: {"sweep": {...}} decoded into an rs_sweep, every problem reported with its JSON path.
 * Nothing here reads another file: load.c resolves the result against the base scenario and the policy,
 * and merge reads the same definition back from an output's sweep.json. cJSON values never leave this
 * file. docs/sweeps.md is the reference of the format. */
#include "sweep_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- decoding with a JSON path ---- */

typedef struct {
    const char *origin;
    rs_diagnostics *diag;
    char path[256];
} dec;

static size_t push_key(dec *d, const char *key)
{
    size_t n = strlen(d->path);
    snprintf(d->path + n, sizeof d->path - n, ".%s", key);
    return n;
}

static size_t push_index(dec *d, int i)
{
    size_t n = strlen(d->path);
    snprintf(d->path + n, sizeof d->path - n, "[%d]", i);
    return n;
}

static void pop(dec *d, size_t n) { d->path[n] = '\0'; }

static void report(dec *d, const char *fmt, ...) SW_PRINTF(2, 3);
static void report(dec *d, const char *fmt, ...)
{
    char where[256], msg[600];
    if (snprintf(where, sizeof where, "%s (%s)", d->origin, d->path) >= (int)sizeof where)
        snprintf(where, sizeof where, "(%.250s)", d->path); /* a very long file name: the path says more */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rs_diagnostics_add(d->diag, RS_BAD_INPUT, where, "%s", msg);
}

/* Reports keys of obj not in `keys` (a NULL-terminated list). */
static void check_keys(dec *d, const cJSON *obj, const char *const *keys)
{
    for (const cJSON *m = obj->child; m; m = m->next) {
        bool ok = false;
        for (int i = 0; keys[i] && !ok; i++)
            ok = strcmp(m->string, keys[i]) == 0;
        if (ok)
            continue;
        char valid[400] = "";
        for (int i = 0; keys[i]; i++) {
            size_t n = strlen(valid);
            snprintf(valid + n, sizeof valid - n, "%s%s", i ? ", " : "", keys[i]);
        }
        report(d, "unknown key '%s'; valid keys: %s", m->string, valid);
    }
}

static const cJSON *member(const cJSON *obj, const char *key) { return cJSON_GetObjectItemCaseSensitive(obj, key); }

typedef enum { V_DURATION, V_FRACTION, V_NUMBER } vkind;

/* A duration ("30s", or a number of seconds), a fraction (0..1 or "5%") or a number. */
static bool scalar(dec *d, const cJSON *v, vkind k, double *out)
{
    if (cJSON_IsNumber(v)) {
        *out = k == V_DURATION ? v->valuedouble * 1000.0 : v->valuedouble;
    } else if (cJSON_IsString(v) && k == V_DURATION) {
        rs_time ms;
        if (rs_parse_duration(v->valuestring, &ms) != 0) {
            report(d, "'%s' is not a duration (write \"30s\", \"5m\", \"1m30s\")", v->valuestring);
            return false;
        }
        *out = (double)ms;
    } else if (cJSON_IsString(v) && k == V_FRACTION) {
        char *end;
        double x = strtod(v->valuestring, &end);
        if (end == v->valuestring || strcmp(end, "%") != 0) {
            report(d, "'%s' is not a percentage (write \"5%%\" or 0.05)", v->valuestring);
            return false;
        }
        *out = x / 100.0;
    } else {
        report(d, "expected %s", k == V_DURATION   ? "a duration (\"30s\" or a number of seconds)"
                                 : k == V_FRACTION ? "a fraction (0.05 or \"5%\")"
                                                   : "a number");
        return false;
    }
    if (!isfinite(*out) || *out < 0 || (k == V_FRACTION && *out > 1)) {
        report(d, "%s out of range", k == V_FRACTION ? "a fraction must be between 0 and 1:" : "negative or not finite:");
        return false;
    }
    return true;
}

/* A value, [lo, hi] or {"from": lo, "to": hi}. */
static void range(dec *d, const cJSON *parent, const char *key, vkind k, rs_sweep_range *out)
{
    const cJSON *v = member(parent, key);
    if (!v)
        return;
    size_t mark = push_key(d, key);
    const cJSON *lo = v, *hi = v;
    if (cJSON_IsArray(v)) {
        lo = cJSON_GetArrayItem(v, 0);
        hi = cJSON_GetArrayItem(v, 1);
        if (cJSON_GetArraySize(v) != 2)
            lo = hi = NULL;
    } else if (cJSON_IsObject(v)) {
        static const char *const keys[] = {"from", "to", NULL};
        check_keys(d, v, keys);
        lo = member(v, "from");
        hi = member(v, "to");
    }
    rs_sweep_range r;
    if (!lo || !hi) {
        report(d, "expected a value, [low, high] or {\"from\": low, \"to\": high}");
    } else if (scalar(d, lo, k, &r.lo) && scalar(d, hi, k, &r.hi)) {
        if (r.hi < r.lo)
            report(d, "the range ends below its start");
        else
            *out = r;
    }
    pop(d, mark);
}

static void probability(dec *d, const cJSON *obj, double *p)
{
    const cJSON *v = member(obj, "probability");
    if (!v)
        return;
    size_t mark = push_key(d, "probability");
    scalar(d, v, V_FRACTION, p);
    pop(d, mark);
}

/* ---- noise ---- */

static void noise_defaults(rs_sweep_noise *n)
{
    memset(n, 0, sizeof *n);
    n->error_blip_rate = (rs_sweep_range){0.01, 0.05};
    n->error_blip_duration = (rs_sweep_range){RS_SEC(10), RS_SEC(60)};
    n->latency_blip_ms = (rs_sweep_range){300, 1000};
    n->latency_blip_duration = (rs_sweep_range){RS_SEC(10), RS_SEC(60)};
    n->blip_start = (rs_sweep_range){0, RS_MIN(10)};
    n->traffic_dip_factor = (rs_sweep_range){0.3, 0.8};
    n->slow_start_factor = (rs_sweep_range){1.5, 3};
}

static const cJSON *noise_part(dec *d, const cJSON *obj, const char *key, const char *const *keys, size_t *mark)
{
    const cJSON *v = member(obj, key);
    if (!v)
        return NULL;
    *mark = push_key(d, key);
    if (!cJSON_IsObject(v)) {
        report(d, "expected an object");
        pop(d, *mark);
        return NULL;
    }
    check_keys(d, v, keys);
    return v;
}

static void decode_noise(dec *d, const cJSON *v, rs_sweep_noise *n)
{
    if (!cJSON_IsObject(v)) {
        report(d, "expected an object");
        return;
    }
    static const char *const keys[] = {"error_blip", "latency_blip", "blip_start", "traffic_dip", "slow_start", NULL};
    static const char *const eb[] = {"probability", "error_rate", "duration", NULL};
    static const char *const lb[] = {"probability", "latency_ms", "duration", NULL};
    static const char *const fk[] = {"probability", "factor", NULL};
    check_keys(d, v, keys);
    size_t mark;
    const cJSON *p;
    if ((p = noise_part(d, v, "error_blip", eb, &mark))) {
        probability(d, p, &n->error_blip_p);
        range(d, p, "error_rate", V_FRACTION, &n->error_blip_rate);
        range(d, p, "duration", V_DURATION, &n->error_blip_duration);
        pop(d, mark);
    }
    if ((p = noise_part(d, v, "latency_blip", lb, &mark))) {
        probability(d, p, &n->latency_blip_p);
        range(d, p, "latency_ms", V_NUMBER, &n->latency_blip_ms);
        range(d, p, "duration", V_DURATION, &n->latency_blip_duration);
        pop(d, mark);
    }
    range(d, v, "blip_start", V_DURATION, &n->blip_start);
    if ((p = noise_part(d, v, "traffic_dip", fk, &mark))) {
        probability(d, p, &n->traffic_dip_p);
        range(d, p, "factor", V_FRACTION, &n->traffic_dip_factor);
        pop(d, mark);
    }
    if ((p = noise_part(d, v, "slow_start", fk, &mark))) {
        probability(d, p, &n->slow_start_p);
        range(d, p, "factor", V_NUMBER, &n->slow_start_factor);
        if (n->slow_start_factor.lo < 1 && n->slow_start_p > 0)
            report(d, "a slow start's factor must be at least 1");
        pop(d, mark);
    }
}

/* ---- mix ---- */

static void fault_field(dec *d, const cJSON *obj, const char *key, vkind k, double *out)
{
    const cJSON *v = member(obj, key);
    if (!v)
        return;
    size_t mark = push_key(d, key);
    scalar(d, v, k, out);
    pop(d, mark);
}

static void decode_fault(dec *d, const cJSON *v, rs_fault *f)
{
    static const char *const keys[] = {"error_rate", "slow_fraction", "latency_ms", "leak_mb_per_min", "cpu_extra",
                                       "traffic_factor", "metric_factor", "metric", "intermittency", "burst",
                                       "duration", "config_fix", NULL};
    if (!cJSON_IsObject(v)) {
        report(d, "expected an object of fault fields (at severity 1)");
        return;
    }
    check_keys(d, v, keys);
    fault_field(d, v, "error_rate", V_FRACTION, &f->error_rate);
    fault_field(d, v, "slow_fraction", V_FRACTION, &f->slow_fraction);
    fault_field(d, v, "latency_ms", V_NUMBER, &f->latency_ms);
    fault_field(d, v, "leak_mb_per_min", V_NUMBER, &f->leak_mb_per_min);
    fault_field(d, v, "cpu_extra", V_FRACTION, &f->cpu_extra);
    fault_field(d, v, "traffic_factor", V_FRACTION, &f->traffic_factor);
    fault_field(d, v, "metric_factor", V_NUMBER, &f->metric_factor);
    fault_field(d, v, "intermittency", V_FRACTION, &f->intermittency);
    double ms = (double)f->burst;
    fault_field(d, v, "burst", V_DURATION, &ms);
    f->burst = (rs_time)ms;
    ms = (double)f->duration;
    fault_field(d, v, "duration", V_DURATION, &ms);
    f->duration = (rs_time)ms;
    const cJSON *m = member(v, "metric");
    if (m && cJSON_IsString(m))
        snprintf(f->metric, sizeof f->metric, "%s", m->valuestring);
    const cJSON *cf = member(v, "config_fix");
    if (cf)
        f->config_fix = cJSON_IsTrue(cf);
    if (f->intermittency > 0.95)
        report(d, "intermittency must be at most 95%%");
    if (f->error_rate + f->slow_fraction > 1)
        report(d, "error_rate + slow_fraction must be at most 100%%");
}

static void decode_mix_item(dec *d, const cJSON *v, const rs_sweep_noise *noise, rs_sweep_mix *m)
{
    static const char *const keys[] = {"kind", "name", "weight", "onset", "ramp", "severity", "fault", "noise", NULL};
    memset(m, 0, sizeof *m);
    m->noise = *noise;
    m->fault = -1;
    m->severity = (rs_sweep_range){1, 1};
    if (!cJSON_IsObject(v)) {
        report(d, "expected an object {\"kind\": ..., \"weight\": ...}");
        return;
    }
    check_keys(d, v, keys);
    const cJSON *kind = member(v, "kind");
    size_t mark = push_key(d, "kind");
    if (!cJSON_IsString(kind)) {
        report(d, "expected \"healthy\" or a fault type (redis_connection_bug, latency_regression, memory_leak, "
                  "traffic_drop, data_corruption)");
    } else if (strcmp(kind->valuestring, "healthy") != 0) {
        int k = rs_fault_kind_from_name(kind->valuestring);
        if (k < 0)
            report(d, "unknown kind '%s'; expected healthy, redis_connection_bug, latency_regression, memory_leak, "
                      "traffic_drop or data_corruption", kind->valuestring);
        else if (k == RS_FAULT_EXTERNAL_OUTAGE)
            report(d, "external_outage is not a release's fault (rolling back does not help): model a brief one "
                      "as noise, \"error_blip\"");
        else
            m->fault = k;
    }
    pop(d, mark);
    const cJSON *name = member(v, "name");
    snprintf(m->label, sizeof m->label, "%s",
             cJSON_IsString(name) ? name->valuestring : m->fault < 0 ? "healthy" : rs_fault_kind_name(m->fault));
    const cJSON *w = member(v, "weight");
    mark = push_key(d, "weight");
    if (!w)
        report(d, "missing: the share of releases of this kind (weights need not sum to 1)");
    else if (scalar(d, w, V_NUMBER, &m->weight) && !(m->weight > 0))
        report(d, "a weight must be above 0");
    pop(d, mark);
    if (m->fault >= 0) {
        rs_fault_defaults(&m->base, (rs_fault_kind)m->fault);
        m->ramp = (rs_sweep_range){(double)m->base.ramp, (double)m->base.ramp};
        const cJSON *f = member(v, "fault");
        if (f) {
            mark = push_key(d, "fault");
            decode_fault(d, f, &m->base);
            pop(d, mark);
        }
    } else if (member(v, "fault") || member(v, "onset") || member(v, "severity") || member(v, "ramp")) {
        report(d, "a healthy release has no fault: onset, ramp, severity and fault do not apply");
    }
    range(d, v, "onset", V_DURATION, &m->onset);
    range(d, v, "ramp", V_DURATION, &m->ramp);
    range(d, v, "severity", V_NUMBER, &m->severity);
    const cJSON *n = member(v, "noise");
    if (n) {
        mark = push_key(d, "noise");
        noise_defaults(&m->noise);
        decode_noise(d, n, &m->noise);
        pop(d, mark);
    }
}

static void decode_mix(dec *d, const cJSON *v, const rs_sweep_noise *noise, rs_sweep *sw)
{
    size_t mark = push_key(d, "mix");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1 || cJSON_GetArraySize(v) > RS_SWEEP_MAX_MIX) {
        report(d, "expected an array of 1 to %d kinds of release", RS_SWEEP_MAX_MIX);
        pop(d, mark);
        return;
    }
    double sum = 0;
    int i = 0;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        size_t m2 = push_index(d, i);
        decode_mix_item(d, it, noise, &sw->mix[i]);
        sum += sw->mix[i].weight;
        for (int j = 0; j < i; j++)
            if (strcmp(sw->mix[j].label, sw->mix[i].label) == 0)
                report(d, "two kinds of release are called '%s': give one a \"name\"", sw->mix[i].label);
        pop(d, m2);
    }
    sw->n_mix = i;
    for (int k = 0; k < sw->n_mix && sum > 0; k++)
        sw->mix[k].weight /= sum;
    pop(d, mark);
}

/* ---- parameters ---- */

/* A duration in the shortest exact unit: "2m", "90s", "1500ms". */
static void duration_text(double ms, char *buf, size_t size)
{
    long long v = llround(ms);
    if (v != 0 && v % 60000 == 0)
        snprintf(buf, size, "%lldm", v / 60000);
    else if (v % 1000 == 0)
        snprintf(buf, size, "%llds", v / 1000);
    else
        snprintf(buf, size, "%lldms", v);
}

static bool value_text(dec *d, const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsNumber(v))
        snprintf(buf, size, "%.15g", v->valuedouble);
    else if (cJSON_IsBool(v))
        snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsString(v) && strlen(v->valuestring) < size && v->valuestring[0])
        snprintf(buf, size, "%s", v->valuestring);
    else {
        report(d, "expected a number, a boolean or a non-empty string of at most %zu bytes", size - 1);
        return false;
    }
    return true;
}

static bool add_value(dec *d, rs_sweep_param *p, const char *text)
{
    for (int i = 0; i < p->n_values; i++)
        if (strcmp(p->values[i], text) == 0) {
            report(d, "the value %s is listed twice", text);
            return false;
        }
    if (p->n_values == RS_SWEEP_MAX_VALUES) {
        report(d, "at most %d values per parameter", RS_SWEEP_MAX_VALUES);
        return false;
    }
    snprintf(p->values[p->n_values++], RS_SWEEP_VALUE_MAX, "%s", text);
    return true;
}

/* {"from": a, "to": b, "step": s}: numbers, or durations when they are strings. */
static void param_range(dec *d, const cJSON *v, rs_sweep_param *p)
{
    static const char *const keys[] = {"from", "to", "step", NULL};
    check_keys(d, v, keys);
    const cJSON *f = member(v, "from"), *t = member(v, "to"), *s = member(v, "step");
    if (!f || !t || !s) {
        report(d, "a range needs \"from\", \"to\" and \"step\"");
        return;
    }
    bool dur = cJSON_IsString(f);
    vkind k = dur ? V_DURATION : V_NUMBER;
    double a, b, st;
    if (!scalar(d, f, k, &a) || !scalar(d, t, k, &b) || !scalar(d, s, k, &st))
        return;
    if (!(st > 0) || b < a) {
        report(d, "a range needs step > 0 and to >= from");
        return;
    }
    double count = floor((b - a) / st + 1e-9) + 1;
    if (count > RS_SWEEP_MAX_VALUES) {
        report(d, "the range gives %.0f values; at most %d per parameter", count, RS_SWEEP_MAX_VALUES);
        return;
    }
    for (int i = 0; i < (int)count; i++) {
        char text[RS_SWEEP_VALUE_MAX];
        double x = a + i * st;
        if (dur)
            duration_text(x, text, sizeof text);
        else
            snprintf(text, sizeof text, "%.12g", x);
        if (!add_value(d, p, text))
            return;
    }
}

static void decode_params(dec *d, const cJSON *v, rs_sweep *sw)
{
    size_t mark = push_key(d, "params");
    if (!cJSON_IsObject(v) || !v->child) {
        report(d, "expected an object of 1 to %d parameters, each a list of values or a range", RS_SWEEP_MAX_PARAMS);
        pop(d, mark);
        return;
    }
    long points = 1;
    for (const cJSON *m = v->child; m; m = m->next) {
        if (sw->n_params == RS_SWEEP_MAX_PARAMS) {
            report(d, "at most %d parameters", RS_SWEEP_MAX_PARAMS);
            break;
        }
        rs_sweep_param *p = &sw->params[sw->n_params++];
        snprintf(p->name, sizeof p->name, "%s", m->string);
        size_t m2 = push_key(d, m->string);
        if (cJSON_IsArray(m)) {
            int i = 0;
            for (const cJSON *it = m->child; it; it = it->next, i++) {
                size_t m3 = push_index(d, i);
                char text[RS_SWEEP_VALUE_MAX];
                if (value_text(d, it, text, sizeof text))
                    add_value(d, p, text);
                pop(d, m3);
            }
        } else if (cJSON_IsObject(m)) {
            param_range(d, m, p);
        } else {
            char text[RS_SWEEP_VALUE_MAX];
            if (value_text(d, m, text, sizeof text))
                add_value(d, p, text);
        }
        if (p->n_values == 0)
            report(d, "no value");
        points *= p->n_values > 0 ? p->n_values : 1;
        pop(d, m2);
    }
    if (points > RS_SWEEP_MAX_POINTS)
        report(d, "the grid has %ld points; at most %d", points, RS_SWEEP_MAX_POINTS);
    sw->n_points = points > RS_SWEEP_MAX_POINTS ? 0 : (int)points;
    pop(d, mark);
}

/* Two parameter values are the same setting: equal texts, numbers or durations ("30s" and "0.5m"). */
static bool same_value(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    if (ea != a && eb != b && !*ea && !*eb)
        return x == y;
    rs_time ta, tb;
    return rs_parse_duration(a, &ta) == 0 && rs_parse_duration(b, &tb) == 0 && ta == tb;
}

static void decode_current(dec *d, const cJSON *v, rs_sweep *sw)
{
    size_t mark = push_key(d, "current");
    if (!cJSON_IsObject(v)) {
        report(d, "expected an object {\"PARAM\": value, ...} naming the setting in production");
        pop(d, mark);
        return;
    }
    int idx[RS_SWEEP_MAX_PARAMS];
    bool ok = true;
    for (int i = 0; i < sw->n_params; i++) {
        const rs_sweep_param *p = &sw->params[i];
        const cJSON *c = member(v, p->name);
        char text[RS_SWEEP_VALUE_MAX];
        idx[i] = -1;
        if (!c) {
            report(d, "missing the value of parameter '%s'", p->name);
            ok = false;
            continue;
        }
        size_t m2 = push_key(d, p->name);
        if (value_text(d, c, text, sizeof text))
            for (int j = 0; j < p->n_values && idx[i] < 0; j++)
                if (same_value(text, p->values[j]))
                    idx[i] = j;
        if (idx[i] < 0) {
            report(d, "%s is not among the values of '%s': the current setting must be a point of the grid", text,
                   p->name);
            ok = false;
        }
        pop(d, m2);
    }
    for (const cJSON *m = v->child; m; m = m->next) {
        bool known = false;
        for (int i = 0; i < sw->n_params; i++)
            known |= strcmp(m->string, sw->params[i].name) == 0;
        if (!known)
            report(d, "'%s' is not a swept parameter", m->string);
    }
    if (ok && sw->n_points > 0) {
        int point = 0;
        for (int i = 0; i < sw->n_params; i++)
            point = point * sw->params[i].n_values + idx[i];
        sw->current = point;
    }
    pop(d, mark);
}

/* "set": {"PATH": value}: the base scenario's --set overrides, VALUE as JSON. */
static void decode_sets(dec *d, const cJSON *v, rs_sweep *sw)
{
    size_t mark = push_key(d, "set");
    if (!cJSON_IsObject(v)) {
        report(d, "expected an object {\"PATH\": value} of overrides of the scenario, as --set takes them");
        pop(d, mark);
        return;
    }
    for (const cJSON *m = v->child; m; m = m->next) {
        if (sw->n_sets == RS_SWEEP_MAX_SETS) {
            report(d, "at most %d overrides", RS_SWEEP_MAX_SETS);
            break;
        }
        char *json = cJSON_PrintUnformatted(m);
        if (!json || strlen(m->string) + strlen(json) + 2 > sizeof sw->sets[0])
            report(d, "the override of '%s' is too long", m->string);
        else
            snprintf(sw->sets[sw->n_sets++], sizeof sw->sets[0], "%s=%s", m->string, json);
        cJSON_free(json);
    }
    pop(d, mark);
}

static void text_field(dec *d, const cJSON *obj, const char *key, char *out, size_t size, bool required)
{
    const cJSON *v = member(obj, key);
    size_t mark = push_key(d, key);
    if (!v) {
        if (required)
            report(d, "missing");
    } else if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= size) {
        report(d, "expected a non-empty string of at most %zu bytes", size - 1);
    } else {
        snprintf(out, size, "%s", v->valuestring);
    }
    pop(d, mark);
}

static void whole(dec *d, const cJSON *obj, const char *key, double lo, double hi, double *out)
{
    const cJSON *v = member(obj, key);
    if (!v)
        return;
    size_t mark = push_key(d, key);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
        report(d, "expected a whole number from %.0f to %.0f", lo, hi);
    else
        *out = v->valuedouble;
    pop(d, mark);
}

rs_status rs__sweep_decode(const cJSON *root, const char *origin, rs_sweep *sw, rs_diagnostics *diag)
{
    dec d = {origin, diag, "$"};
    int before = diag->count + diag->dropped;
    static const char *const top[] = {"sweep", NULL};
    static const char *const keys[] = {"name", "description", "scenario", "set", "duration", "policy", "params",
                                       "mix", "noise", "seeds", "seed", "current", NULL};
    if (!cJSON_IsObject(root) || !cJSON_IsObject(member(root, "sweep"))) {
        report(&d, "a sweep file is an object {\"sweep\": {...}} (docs/sweeps.md)");
        return RS_BAD_INPUT;
    }
    check_keys(&d, root, top);
    const cJSON *s = member(root, "sweep");
    push_key(&d, "sweep");
    check_keys(&d, s, keys);
    snprintf(sw->name, sizeof sw->name, "sweep");
    text_field(&d, s, "name", sw->name, sizeof sw->name, false);
    text_field(&d, s, "description", sw->description, sizeof sw->description, false);
    text_field(&d, s, "scenario", sw->scenario_path, sizeof sw->scenario_path, true);
    text_field(&d, s, "policy", sw->policy_path, sizeof sw->policy_path, false);
    if (member(s, "set"))
        decode_sets(&d, member(s, "set"), sw);
    if (member(s, "duration")) {
        size_t mark = push_key(&d, "duration");
        double ms = 0;
        if (scalar(&d, member(s, "duration"), V_DURATION, &ms) && (ms < 1000 || ms > 30 * 86400000.0))
            report(&d, "a run lasts from 1s to 30d");
        sw->duration = (rs_time)ms;
        pop(&d, mark);
    }
    double seeds = 100, seed = 1;
    whole(&d, s, "seeds", 1, RS_SWEEP_MAX_SEEDS, &seeds);
    whole(&d, s, "seed", 0, 9007199254740991.0, &seed);
    sw->seeds = (int)seeds;
    sw->seed = (uint64_t)seed;
    if (member(s, "params"))
        decode_params(&d, member(s, "params"), sw);
    else
        report(&d, "missing \"params\": the parameters to sweep");
    rs_sweep_noise noise;
    noise_defaults(&noise);
    if (member(s, "noise")) {
        size_t mark = push_key(&d, "noise");
        decode_noise(&d, member(s, "noise"), &noise);
        pop(&d, mark);
    }
    if (member(s, "mix"))
        decode_mix(&d, member(s, "mix"), &noise, sw);
    else
        report(&d, "missing \"mix\": the kinds of release and their weights");
    sw->current = -1;
    if (member(s, "current") && sw->n_params > 0)
        decode_current(&d, member(s, "current"), sw);
    return diag->count + diag->dropped > before ? RS_BAD_INPUT : RS_OK;
}
