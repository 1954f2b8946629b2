/* Decoding a cJSON tree into C structs through tables of fields. Every problem is reported with the line,
 * column and JSON path of the value (or the --set override that gave it), and decoding goes on, so that
 * all the problems of a file are found in one pass. Private to engine/io. */
#ifndef ROLLSIM_JSON_DECODE_H
#define ROLLSIM_JSON_DECODE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollsim/io.h"

#if defined(__GNUC__)
#define JD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define JD_PRINTF(a, b)
#endif

#define JD_MAX_PATH 16  /* the deepest path of the scenario schema has 5 steps */
#define JD_SHOW_MAX 160 /* buffer for a user string quoted in a message */
#define JD_COUNT(a) ((int)(sizeof(a) / sizeof *(a)))

/* Durations in field tables are in milliseconds. */
#define JD_SEC 1000.0
#define JD_MIN 60000.0
#define JD_HOUR 3600000.0
#define JD_DAY 86400000.0

/* ---- the loader: the text, the path being decoded, the problems found ---- */

typedef struct {
    const char *key;     /* NULL for an array index */
    int index;           /* array index */
    const cJSON *member; /* the object member, to tell repeated keys apart */
} jd_step;

typedef struct {
    char path[200];   /* canonical, "$.deployment.replicas"; covers everything below it */
    const char *text; /* as the user wrote it, up to '=' */
    int text_len;
} jd_override;

typedef struct {
    const char *origin; /* the file name in messages */
    const char *text;   /* the raw text, to find lines and columns */
    size_t len;
    jd_step path[JD_MAX_PATH];
    int depth;
    rs_diagnostics *diag;
    size_t order[RS_DIAG_MAX]; /* sort key of each stored problem: 0 = --set, else offset + 1 */
    jd_override *sets;         /* the overrides applied, n_sets of them */
    int n_sets;
    rs_scenario *s; /* what is being decoded, for references by name */
    bool oom;
} jd_loader;

/* A problem with the value at the current path, or with its key (unknown, repeated). */
void jd_report(jd_loader *ld, const char *fmt, ...) JD_PRINTF(2, 3);
void jd_report_key(jd_loader *ld, const char *fmt, ...) JD_PRINTF(2, 3);
/* A problem of rs_scenario_check, whose `where` is a JSON path: located in the text. */
void jd_report_check(jd_loader *ld, const rs_error *err);
/* True (and counts a dropped problem) when no more problems can be stored. */
bool jd_full(jd_loader *ld);
/* Stores a problem with a sort key; the caller fills where and message. */
rs_error *jd_add_problem(jd_loader *ld, size_t key);
/* Puts the stored problems in the order of the file (overrides first). */
void jd_sort_problems(jd_loader *ld);

void jd_push_member(jd_loader *ld, const cJSON *m);
void jd_push_index(jd_loader *ld, int i);
/* Pushes the member `key` of obj if it exists. */
bool jd_push_key(jd_loader *ld, const cJSON *obj, const char *key);
void jd_pop(jd_loader *ld);
/* The key of the current path, or "item" for an array element. */
const char *jd_cur_key(const jd_loader *ld);

/* "$.versions[1].faults[0].type" */
void jd_render_path(const jd_step *path, int depth, char *buf, size_t size);
/* Splits "a.b[2].c" (or "$.a.b[2].c") in place into steps. Returns their number, or -1 with *why. */
int jd_parse_path(char *p, jd_step *out, int max, const char **why);
/* A user string fit for a message: control characters escaped, cut after about 48 bytes. */
const char *jd_show(const char *s, char *buf, size_t size);
/* "the string \"x\"", "the number 3", "an array", ... */
const char *jd_describe(const cJSON *v, char *buf, size_t size);

/* ---- names ---- */

int jd_name_index(const char *const *names, int n, const char *name);
/* Reports an unknown name of a kind (`what`) with the likely intended one and the valid names. */
void jd_unknown_name(jd_loader *ld, bool at_key, const char *what, const char *given,
                     const char *const *names, int n);
/* The index of v's name in names, or -1 after reporting. */
int jd_get_enum(jd_loader *ld, const cJSON *v, const char *what, const char *const *names, int n);

/* ---- values and field tables ---- */

typedef enum {
    T_NAME,       /* string into char[size]; F_NONEMPTY, F_DNS */
    T_TEXT,       /* string into char[size], may be empty */
    T_INT,        /* whole number into int */
    T_SECONDS,    /* Kubernetes integer seconds into rs_time; lo/hi in seconds */
    T_DURATION,   /* "1m30s" or seconds into rs_time; lo/hi in ms */
    T_DURATION_S, /* the same into double seconds; lo/hi in ms */
    T_FRACTION,   /* number in [0,1] or "N%" into double */
    T_NUMBER,     /* number into double */
    T_INTORPCT,   /* whole number (<= lo) or whole "N%" (<= hi) into rs_intorpct */
    T_OBJECT,     /* nested object decoded with `sub` into the same base */
    T_CUSTOM,     /* fn(ld, value, base) */
    T_REFUSED     /* a key people write that is not modelled: refused with `note` */
} jd_ftype;

enum { F_REQUIRED = 1, F_LO_OPEN = 2, F_HI_OPEN = 4, F_NONEMPTY = 8, F_DNS = 16 };

typedef void (*jd_field_fn)(jd_loader *ld, const cJSON *v, void *base);

typedef struct jd_field {
    const char *key;
    jd_ftype type;
    size_t off, size; /* of the member in the base struct */
    double lo, hi;    /* accepted range, in the unit of the type */
    unsigned flags;
    jd_field_fn fn;
    int phase; /* decoding order (jd_decode_phase), so that names referred to are known */
    const struct jd_field *sub;
    int n_sub;
    const char *note; /* T_REFUSED: why */
} jd_field;

/* clang-format off */
#define FLD(st, k, m, t, l, h, fl)                                                                   \
    {.key = k, .type = t, .off = offsetof(st, m), .size = sizeof(((st *)0)->m), .lo = l, .hi = h, .flags = fl}
#define FN(k, f, fl) {.key = k, .type = T_CUSTOM, .fn = f, .flags = fl}
#define FNP(k, f, ph) {.key = k, .type = T_CUSTOM, .fn = f, .phase = ph}
#define OBJ(k, t) {.key = k, .type = T_OBJECT, .sub = t, .n_sub = JD_COUNT(t)}
#define REFUSED(k, why) {.key = k, .type = T_REFUSED, .note = why}
/* clang-format on */
/* The bit of a key in the set jd_decode_fields returns. */
#define JD_BIT(table, key) (1u << jd_find_field(table, JD_COUNT(table), key))

/* Reads a number-like value of the field's type (durations in ms) within the field's range. */
bool jd_read_value(jd_loader *ld, const jd_field *f, const cJSON *v, double *out);
bool jd_check_range(jd_loader *ld, const jd_field *f, double x);
/* Copies a string into dst (f->size bytes) after the checks of its type and flags. */
void jd_get_string(jd_loader *ld, const jd_field *f, const cJSON *v, char *dst);
/* "N%" with a finite N: N. */
bool jd_parse_percent(const char *s, double *out);
void jd_type_error(jd_loader *ld, const cJSON *v, const char *expected);

int jd_find_field(const jd_field *fields, int n, const char *key);
/* Decodes the members of obj with the table, in file order, into base. Unknown, repeated and missing
 * keys are reported. Returns the set of fields present (bit i for fields[i]). */
uint32_t jd_decode_fields(jd_loader *ld, const cJSON *obj, const jd_field *fields, int n, void *base);
/* The same in passes: phase 0 checks the keys and decodes the fields of phase 0, a later phase only the
 * fields of that phase. */
uint32_t jd_decode_phase(jd_loader *ld, const cJSON *obj, const jd_field *fields, int n, void *base,
                         int phase);
/* The number of items of an array to decode (at most max, with a problem beyond), or -1. */
int jd_array_items(jd_loader *ld, const cJSON *v, int min, int max, const char *what);
/* A T_CUSTOM decoder for keys handled before the table runs. */
void jd_noop(jd_loader *ld, const cJSON *v, void *base);

/* ---- --set overrides (json_set.c) ---- */

/* Applies "PATH=VALUE" to the tree: VALUE as JSON, or as a string when it is not valid JSON. Missing
 * object keys are created; array items are not. Records the override in ld->sets (room for it must
 * exist). Returns false after reporting a problem with where "--set PATH". */
bool jd_apply_set(jd_loader *ld, cJSON *root, const char *arg);

#endif
