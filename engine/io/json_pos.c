/* Strict JSON syntax checking with messages for people, and the locating of values by path in raw text.
 * Both walk the text without recursion, so hostile nesting cannot exhaust the stack; the checker is
 * stricter than cJSON, so text it accepts always parses. */
#include "json_pos.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const unsigned char *s;
    size_t n;
    size_t pos;
    size_t at; /* offset of the error */
    char *msg;
    size_t msg_size;
} scanner;

typedef struct {
    unsigned char open; /* '{' or '[' */
    size_t off;
} opener;

static int fail(scanner *sc, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(scanner *sc, size_t at, const char *fmt, ...)
{
    sc->at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sc->msg, sc->msg_size, fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

static size_t skip_bom(const unsigned char *s, size_t n)
{
    return (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) ? 3 : 0;
}

static void skip_ws(const unsigned char *s, size_t n, size_t *pos)
{
    while (*pos < n && is_ws(s[*pos]))
        (*pos)++;
}

/* Names the byte at pos for a message: 'x', a byte value, or the end of the file. */
static const char *describe(const scanner *sc, size_t pos, char *buf, size_t size)
{
    if (pos >= sc->n)
        return "the end of the file";
    unsigned char c = sc->s[pos];
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, size, "'%c'", c);
    else if (c == 0)
        snprintf(buf, size, "a NUL byte");
    else
        snprintf(buf, size, "byte 0x%02X", c);
    return buf;
}

/* Length of the valid UTF-8 sequence at p (no overlongs, surrogates or code points past U+10FFFF),
 * or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t k;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2, cp = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3, cp = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4, cp = c & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n < k)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return k;
}

static int hex4(const unsigned char *s, size_t n, size_t pos, uint32_t *out)
{
    if (pos + 4 > n)
        return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++) {
        unsigned char c = s[pos + i];
        uint32_t d;
        if (is_digit(c))
            d = (uint32_t)(c - '0');
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (uint32_t)((c | 0x20) - 'a' + 10);
        else
            return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

/* An escape at sc->pos (the backslash); moves past it. */
static int scan_escape(scanner *sc)
{
    size_t at = sc->pos++;
    if (sc->pos >= sc->n)
        return fail(sc, at, "the file ends inside a string escape");
    unsigned char c = sc->s[sc->pos];
    if (c != 0 && strchr("\"\\/bfnrt", c)) {
        sc->pos++;
        return 0;
    }
    if (c != 'u') {
        char buf[16];
        return fail(sc, at,
                    "invalid escape '\\' followed by %s in a string; valid escapes are \\\" \\\\ \\/ \\b "
                    "\\f \\n \\r \\t and \\uXXXX",
                    describe(sc, sc->pos, buf, sizeof buf));
    }
    uint32_t cp, lo;
    if (hex4(sc->s, sc->n, sc->pos + 1, &cp) != 0)
        return fail(sc, at, "'\\u' must be followed by four hexadecimal digits");
    sc->pos += 5;
    if (cp == 0)
        return fail(sc, at, "'\\u0000' (a NUL character) is not allowed in a string");
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(sc, at, "'\\u%04X' is a lone low surrogate; it must follow a high surrogate", cp);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (sc->pos + 1 >= sc->n || sc->s[sc->pos] != '\\' || sc->s[sc->pos + 1] != 'u' ||
            hex4(sc->s, sc->n, sc->pos + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
            return fail(sc, at,
                        "'\\u%04X' is a high surrogate and must be followed by a low surrogate "
                        "(\\uDC00 to \\uDFFF)",
                        cp);
        sc->pos += 6;
    }
    return 0;
}

static int scan_string(scanner *sc)
{
    size_t open = sc->pos++;
    while (sc->pos < sc->n) {
        unsigned char c = sc->s[sc->pos];
        if (c == '"') {
            sc->pos++;
            return 0;
        }
        if (c == '\\') {
            if (scan_escape(sc) != 0)
                return -1;
        } else if (c == '\n' || c == '\r') {
            return fail(sc, open,
                        "unterminated string: the line ends before the closing '\"' (write a "
                        "line break inside a string as \\n)");
        } else if (c < 0x20) {
            return fail(sc, sc->pos,
                        "control character 0x%02X inside a string; write it as an escape "
                        "(\\t, \\u00XX)",
                        c);
        } else if (c >= 0x80) {
            size_t k = utf8_len(sc->s + sc->pos, sc->n - sc->pos);
            if (k == 0)
                return fail(sc, sc->pos,
                            "invalid UTF-8 (byte 0x%02X) inside a string; the file must be "
                            "encoded in UTF-8",
                            c);
            sc->pos += k;
        } else {
            sc->pos++;
        }
    }
    return fail(sc, open, "unterminated string: the file ends before the closing '\"'");
}

static void skip_digits(scanner *sc)
{
    while (sc->pos < sc->n && is_digit(sc->s[sc->pos]))
        sc->pos++;
}

/* RFC 8259 numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scan_number(scanner *sc)
{
    size_t start = sc->pos;
    if (sc->s[sc->pos] == '-')
        sc->pos++;
    if (sc->pos >= sc->n || !is_digit(sc->s[sc->pos]))
        return fail(sc, start, "invalid number: '-' must be followed by a digit");
    if (sc->s[sc->pos] == '0' && sc->pos + 1 < sc->n && is_digit(sc->s[sc->pos + 1]))
        return fail(sc, start, "invalid number: leading zeros are not allowed in JSON");
    skip_digits(sc);
    if (sc->pos < sc->n && sc->s[sc->pos] == '.') {
        sc->pos++;
        if (sc->pos >= sc->n || !is_digit(sc->s[sc->pos]))
            return fail(sc, start, "invalid number: '.' must be followed by a digit");
        skip_digits(sc);
    }
    if (sc->pos < sc->n && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
        sc->pos++;
        if (sc->pos < sc->n && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
            sc->pos++;
        if (sc->pos >= sc->n || !is_digit(sc->s[sc->pos]))
            return fail(sc, start, "invalid number: the exponent needs digits");
        skip_digits(sc);
    }
    if (sc->pos - start > RS_JSON_MAX_NUMBER)
        return fail(sc, start, "number too long (%zu characters; at most %d)", sc->pos - start,
                    RS_JSON_MAX_NUMBER);
    return 0;
}

/* Something other than what the grammar expects at sc->pos: explain the usual mistakes. */
static int unexpected(scanner *sc, const char *expected)
{
    size_t p = sc->pos;
    char buf[24];
    if (p >= sc->n)
        return fail(sc, p, "unexpected end of the file; expected %s", expected);
    unsigned char c = sc->s[p];
    if (c == '/' && p + 1 < sc->n && (sc->s[p + 1] == '/' || sc->s[p + 1] == '*'))
        return fail(sc, p, "comments are not allowed in JSON");
    if (c == '\'')
        return fail(sc, p, "strings and keys need double quotes (\"...\"), not single quotes");
    if (is_alpha(c) || c == '_') {
        size_t e = p;
        while (e < sc->n && e - p < 24 && (is_alpha(sc->s[e]) || is_digit(sc->s[e]) || sc->s[e] == '_'))
            e++;
        int len = (int)(e - p);
        const char *w = (const char *)sc->s + p;
        if ((len == 3 && memcmp(w, "NaN", 3) == 0) || (len == 8 && memcmp(w, "Infinity", 8) == 0))
            return fail(sc, p, "JSON has no NaN or Infinity");
        if ((len == 4 &&
             (memcmp(w, "True", 4) == 0 || memcmp(w, "TRUE", 4) == 0 || memcmp(w, "None", 4) == 0 ||
              memcmp(w, "NULL", 4) == 0 || memcmp(w, "Null", 4) == 0)) ||
            (len == 5 && (memcmp(w, "False", 5) == 0 || memcmp(w, "FALSE", 5) == 0)))
            return fail(sc, p, "JSON literals are lowercase: true, false, null");
        return fail(sc, p, "expected %s, found the word '%.*s' (text must be in double quotes)", expected,
                    len, w);
    }
    return fail(sc, p, "expected %s, found %s", expected, describe(sc, p, buf, sizeof buf));
}

static int literal(scanner *sc)
{
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(words[i]);
        if (sc->n - sc->pos >= len && memcmp(sc->s + sc->pos, words[i], len) == 0 &&
            (sc->pos + len == sc->n || !is_alpha(sc->s[sc->pos + len]))) {
            sc->pos += len;
            return 0;
        }
    }
    return unexpected(sc, "a value (an object, array, string, number, true, false or null)");
}

static int unclosed(scanner *sc, const opener *top)
{
    int line, col;
    rs_json_line_col((const char *)sc->s, sc->n, top->off, &line, &col);
    return fail(sc, sc->n, "unexpected end of the file: the '%c' at line %d column %d is never closed",
                top->open, line, col);
}

static int trailing_comma(scanner *sc, size_t comma, char close)
{
    return fail(sc, comma, "trailing comma before '%c': JSON allows no ',' after the last %s", close,
                close == '}' ? "member of an object" : "element of an array");
}

/* After a value inside the container `top`: a comma or the closing bracket. */
static int after_member(scanner *sc, const opener *top)
{
    char buf[24];
    unsigned char c = sc->s[sc->pos];
    bool obj = top->open == '{';
    const char *hint = "";
    unsigned char prev = sc->pos > 0 ? sc->s[sc->pos - 1] : ' ';
    if (is_digit(prev) && (is_alpha(c) || c == '%' || c == '.'))
        return fail(sc, sc->pos,
                    "a number cannot be followed by '%c'; write a value with a unit as a "
                    "string (\"30s\", \"25%%\")",
                    c);
    if ((c == '"' || c == '{' || c == '[' || is_digit(c) || c == '-' || is_alpha(c)))
        hint = " (a missing ',' ?)";
    if (c == (obj ? ']' : '}')) {
        int line, col;
        rs_json_line_col((const char *)sc->s, sc->n, top->off, &line, &col);
        return fail(sc, sc->pos, "found '%c' but the '%c' at line %d column %d is still open", c, top->open,
                    line, col);
    }
    if (c == '/' || c == '\'')
        return unexpected(sc, "");
    return fail(sc, sc->pos, "expected ',' or '%c' after %s, found %s%s", obj ? '}' : ']',
                obj ? "an object member" : "an array element", describe(sc, sc->pos, buf, sizeof buf), hint);
}

typedef enum { ST_VALUE, ST_KEY, ST_AFTER } state;

/* Opens a container; returns the next state. */
static int open_container(scanner *sc, opener *stack, int *depth, state *st)
{
    unsigned char c = sc->s[sc->pos];
    if (*depth >= RS_JSON_MAX_DEPTH)
        return fail(sc, sc->pos, "nesting deeper than %d levels", RS_JSON_MAX_DEPTH);
    stack[*depth].open = c;
    stack[*depth].off = sc->pos;
    (*depth)++;
    sc->pos++;
    skip_ws(sc->s, sc->n, &sc->pos);
    if (sc->pos < sc->n && sc->s[sc->pos] == (c == '{' ? '}' : ']')) {
        sc->pos++;
        (*depth)--;
        *st = ST_AFTER;
    } else {
        *st = c == '{' ? ST_KEY : ST_VALUE;
    }
    return 0;
}

static int scan_value(scanner *sc, opener *stack, int *depth, state *st)
{
    unsigned char c = sc->s[sc->pos];
    *st = ST_AFTER;
    if (c == '{' || c == '[')
        return open_container(sc, stack, depth, st);
    if (c == '"')
        return scan_string(sc);
    if (c == '-' || is_digit(c))
        return scan_number(sc);
    if (c == '+')
        return fail(sc, sc->pos, "a number cannot start with '+'");
    if (c == '.')
        return fail(sc, sc->pos, "a number needs a digit before '.' (write 0.5, not .5)");
    return literal(sc);
}

static int scan_key(scanner *sc, size_t comma)
{
    unsigned char c = sc->s[sc->pos];
    if (c == '}')
        return trailing_comma(sc, comma, '}');
    if (c != '"')
        return unexpected(sc, "a key in double quotes");
    if (scan_string(sc) != 0)
        return -1;
    skip_ws(sc->s, sc->n, &sc->pos);
    if (sc->pos >= sc->n || sc->s[sc->pos] != ':')
        return unexpected(sc, "':' after the key");
    sc->pos++;
    return 0;
}

/* After a value: a comma, the closing bracket of its container, or (at the top) nothing. */
static int scan_after(scanner *sc, const opener *stack, int *depth, state *st, size_t *comma)
{
    unsigned char c = sc->s[sc->pos];
    if (*depth == 0 && (c == '}' || c == ']'))
        return fail(sc, sc->pos, "one '%c' too many: the top-level value already ended", c);
    if (*depth == 0)
        return unexpected(sc, "nothing more after the top-level value (a file holds one JSON value)");
    const opener *top = &stack[*depth - 1];
    if (c == ',') {
        *comma = sc->pos++;
        *st = top->open == '{' ? ST_KEY : ST_VALUE;
        return 0;
    }
    if (c != (top->open == '{' ? '}' : ']'))
        return after_member(sc, top);
    sc->pos++;
    (*depth)--;
    return 0;
}

int rs_json_check_syntax(const char *text, size_t len, size_t *at, char *msg, size_t msg_size)
{
    opener stack[RS_JSON_MAX_DEPTH];
    scanner sc = {(const unsigned char *)text, len, 0, 0, msg, msg_size};
    int depth = 0, rc = 0;
    size_t comma = 0; /* offset of the comma just read, for trailing-comma messages; 0: none */
    state st = ST_VALUE;
    sc.pos = skip_bom(sc.s, len);
    while (rc == 0) {
        skip_ws(sc.s, len, &sc.pos);
        if (sc.pos >= len) {
            if (depth == 0 && st == ST_AFTER)
                break;
            rc = depth > 0 ? unclosed(&sc, &stack[depth - 1])
                           : fail(&sc, sc.pos, "the file is empty; expected a JSON object");
            break;
        }
        size_t after_comma = comma;
        comma = 0;
        if (st == ST_VALUE && after_comma && sc.s[sc.pos] == ']') {
            rc = trailing_comma(&sc, after_comma, ']');
        } else if (st == ST_VALUE) {
            rc = scan_value(&sc, stack, &depth, &st);
        } else if (st == ST_KEY) {
            rc = scan_key(&sc, after_comma);
            st = ST_VALUE;
        } else {
            rc = scan_after(&sc, stack, &depth, &st, &comma);
        }
    }
    if (rc != 0 && at)
        *at = sc.at;
    return rc;
}

size_t rs_json_check_text(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x20 || u[i] == 0x7f)
            return i;
        size_t k = u[i] < 0x80 ? 1 : utf8_len(u + i, len - i);
        if (k == 0)
            return i;
        i += k;
    }
    return len;
}

/* ---- locating a path in valid JSON ---- */

static void skip_string(const unsigned char *s, size_t n, size_t *pos)
{
    size_t p = *pos + 1;
    while (p < n && s[p] != '"')
        p += (s[p] == '\\') ? 2 : 1;
    *pos = p < n ? p + 1 : n;
}

static void skip_value(const unsigned char *s, size_t n, size_t *pos)
{
    size_t p = *pos;
    if (p >= n)
        return;
    if (s[p] == '"') {
        skip_string(s, n, pos);
        return;
    }
    if (s[p] != '{' && s[p] != '[') {
        while (p < n && !is_ws(s[p]) && s[p] != ',' && s[p] != '}' && s[p] != ']')
            p++;
        *pos = p;
        return;
    }
    size_t depth = 0;
    while (p < n) {
        unsigned char c = s[p];
        if (c == '"') {
            skip_string(s, n, &p);
            continue;
        }
        p++;
        if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            break;
    }
    *pos = p;
}

static size_t put_utf8(uint32_t cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes one character of a JSON string at *pos into out; returns its byte count. */
static size_t decode_char(const unsigned char *s, size_t n, size_t *pos, unsigned char *out)
{
    size_t p = *pos;
    if (s[p] != '\\' || p + 1 >= n) {
        *pos = p + 1;
        out[0] = s[p];
        return 1;
    }
    unsigned char e = s[p + 1];
    static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
    const char *k = e ? strchr(from, e) : NULL;
    uint32_t cp = 0, lo = 0;
    if (e != 'u' || hex4(s, n, p + 2, &cp) != 0) {
        *pos = p + 2;
        out[0] = k ? (unsigned char)to[k - from] : e;
        return 1;
    }
    *pos = p + 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && *pos + 1 < n && s[*pos] == '\\' && s[*pos + 1] == 'u' &&
        hex4(s, n, *pos + 2, &lo) == 0) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *pos += 6;
    }
    return put_utf8(cp, out);
}

/* Compares the string at *pos with key (escapes decoded) and moves past it. */
static bool key_equals(const unsigned char *s, size_t n, size_t *pos, const char *key)
{
    const unsigned char *k = (const unsigned char *)key;
    size_t p = *pos + 1, i = 0;
    bool eq = true;
    while (p < n && s[p] != '"') {
        unsigned char buf[4];
        size_t m = decode_char(s, n, &p, buf);
        for (size_t j = 0; j < m && eq; j++, i++)
            eq = k[i] != 0 && k[i] == buf[j];
    }
    *pos = p < n ? p + 1 : n;
    return eq && k[i] == 0;
}

/* Walks into the object at *pos to the value of key (its occurrence-th instance). */
static bool find_member(const unsigned char *s, size_t n, size_t *pos, const rs_json_seg *seg,
                        size_t *key_off)
{
    size_t p = *pos;
    int seen = 0;
    if (p >= n || s[p] != '{')
        return false;
    p++;
    for (;;) {
        skip_ws(s, n, &p);
        if (p >= n || s[p] != '"')
            return false;
        size_t k = p;
        bool eq = key_equals(s, n, &p, seg->key);
        skip_ws(s, n, &p);
        if (p >= n || s[p] != ':')
            return false;
        p++;
        skip_ws(s, n, &p);
        if (eq && seen++ == seg->index) {
            *key_off = k;
            *pos = p;
            return true;
        }
        skip_value(s, n, &p);
        skip_ws(s, n, &p);
        if (p >= n || s[p] != ',')
            return false;
        p++;
    }
}

static bool find_element(const unsigned char *s, size_t n, size_t *pos, int index)
{
    size_t p = *pos;
    if (p >= n || s[p] != '[')
        return false;
    p++;
    skip_ws(s, n, &p);
    for (int i = 0; i < index; i++) {
        if (p >= n || s[p] == ']')
            return false;
        skip_value(s, n, &p);
        skip_ws(s, n, &p);
        if (p >= n || s[p] != ',')
            return false;
        p++;
        skip_ws(s, n, &p);
    }
    if (p >= n || s[p] == ']')
        return false;
    *pos = p;
    return true;
}

size_t rs_json_locate(const char *text, size_t len, const rs_json_seg *path, int n, bool at_key)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t pos = skip_bom(s, len);
    skip_ws(s, len, &pos);
    for (int i = 0; i < n; i++) {
        size_t p = pos, key_off = 0;
        bool found = path[i].key ? find_member(s, len, &p, &path[i], &key_off)
                                 : find_element(s, len, &p, path[i].index);
        if (!found)
            break;
        if (i == n - 1 && at_key && path[i].key)
            return key_off;
        pos = p;
    }
    return pos < len ? pos : len;
}

void rs_json_line_col(const char *text, size_t len, size_t off, int *line, int *col)
{
    int l = 1;
    size_t start = 0;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *col = (int)(off - start) + 1;
}
