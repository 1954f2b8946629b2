/* JUnit XML for CI test reporters (GitLab unit test reports, Jenkins' junit step, GitHub actions that
 * read JUnit): testsuites > testsuite(name, tests, failures, errors, skipped, time) > testcase(classname,
 * name, file, time) > failure | error | skipped (message, type). Text from scenarios and policies goes
 * through one escaper that also makes it valid XML 1.0 in UTF-8. */
#include "rollsim/testing.h"

#include "rollsim/strbuf.h"

#include <stdbool.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s of a character XML 1.0 allows, or 0. */
static size_t xml_char_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    unsigned cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || cp >= 0xFFFE)) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

/* Escapes text for XML: & < > always; in attributes also quotes and line breaks (kept as character
 * references so they survive attribute normalisation). A byte that is not part of an allowed character
 * becomes U+FFFD. */
static void put_escaped(rs_strbuf *b, const char *text, bool attr)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    while (*s) {
        size_t n = xml_char_len(s);
        const char *rep = NULL;
        switch (n ? *s : 0) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = attr ? "&quot;" : NULL; break;
        case '\'': rep = attr ? "&apos;" : NULL; break;
        case '\n': rep = attr ? "&#10;" : NULL; break;
        case '\r': rep = "&#13;"; break;
        case '\t': rep = attr ? "&#9;" : NULL; break;
        case 0: rep = "\xEF\xBF\xBD"; break;
        default: break;
        }
        if (rep)
            rs_strbuf_puts(b, rep);
        else
            rs_strbuf_put(b, (const char *)s, n);
        s += n ? n : 1;
    }
}

static void attr(rs_strbuf *b, const char *name, const char *value)
{
    rs_strbuf_printf(b, " %s=\"", name);
    put_escaped(b, value, true);
    rs_strbuf_puts(b, "\"");
}

typedef struct {
    int tests, failures, errors, skipped;
    double seconds;
} counts;

static void count(counts *c, const rs_junit_case *k)
{
    c->tests++;
    c->failures += k->status == RS_CASE_FAILED;
    c->errors += k->status == RS_CASE_ERROR;
    c->skipped += k->status == RS_CASE_SKIPPED;
    c->seconds += k->seconds;
}

static void put_counts(rs_strbuf *b, const counts *c)
{
    rs_strbuf_printf(b, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"", c->tests,
                     c->failures, c->errors, c->skipped, c->seconds);
}

static void put_case(rs_strbuf *b, const rs_junit_case *k)
{
    rs_strbuf_puts(b, "    <testcase");
    attr(b, "classname", k->classname);
    attr(b, "name", k->name);
    attr(b, "file", k->suite);
    rs_strbuf_printf(b, " time=\"%.3f\"", k->seconds);
    if (k->status == RS_CASE_PASSED) {
        rs_strbuf_puts(b, "/>\n");
        return;
    }
    rs_strbuf_puts(b, ">\n");
    if (k->status == RS_CASE_SKIPPED) {
        rs_strbuf_puts(b, "      <skipped");
        attr(b, "message", k->message);
        rs_strbuf_puts(b, "/>\n");
    } else {
        const char *tag = k->status == RS_CASE_FAILED ? "failure" : "error";
        rs_strbuf_printf(b, "      <%s", tag);
        attr(b, "message", k->message);
        attr(b, "type", k->type ? k->type : tag);
        rs_strbuf_puts(b, ">");
        put_escaped(b, k->details ? k->details : k->message, false);
        rs_strbuf_printf(b, "</%s>\n", tag);
    }
    rs_strbuf_puts(b, "    </testcase>\n");
}

static bool seen_before(const rs_junit_case *cases, int i)
{
    for (int j = 0; j < i; j++)
        if (strcmp(cases[j].suite, cases[i].suite) == 0)
            return true;
    return false;
}

char *rs_junit_xml(const rs_junit_case *cases, int n)
{
    rs_strbuf b = {0};
    counts all = {0};
    for (int i = 0; i < n; i++)
        count(&all, &cases[i]);
    rs_strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rollsim test\"");
    put_counts(&b, &all);
    rs_strbuf_puts(&b, ">\n");
    for (int i = 0; i < n; i++) {
        if (seen_before(cases, i))
            continue;
        counts c = {0};
        for (int j = i; j < n; j++)
            if (strcmp(cases[j].suite, cases[i].suite) == 0)
                count(&c, &cases[j]);
        rs_strbuf_puts(&b, "  <testsuite");
        attr(&b, "name", cases[i].suite);
        put_counts(&b, &c);
        rs_strbuf_puts(&b, ">\n");
        for (int j = i; j < n; j++)
            if (strcmp(cases[j].suite, cases[i].suite) == 0)
                put_case(&b, &cases[j]);
        rs_strbuf_puts(&b, "  </testsuite>\n");
    }
    rs_strbuf_puts(&b, "</testsuites>\n");
    return rs_strbuf_take(&b);
}
