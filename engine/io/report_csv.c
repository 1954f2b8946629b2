/* The metric series as CSV (docs/report-format.md): a header, then one row per scrape, with a fixed set of
 * columns per scenario version and per business metric. Numbers are rounded as in the JSON report, so the
 * same result gives the same bytes; NaN ("no data") is an empty cell. */
#include "rollsim/io.h"

#include "report_num.h"
#include "rollsim/strbuf.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>


/* RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled. */
static void append_field(rs_strbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        rs_strbuf_puts(b, s);
        return;
    }
    rs_strbuf_put(b, "\"", 1);
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
        rs_strbuf_put(b, s, (size_t)(q - s));
        rs_strbuf_put(b, "\"\"", 2);
    }
    rs_strbuf_puts(b, s);
    rs_strbuf_put(b, "\"", 1);
}

static void append_prefixed(rs_strbuf *b, const char *prefix, const char *name)
{
    char head[RS_NAME_MAX + 16];
    snprintf(head, sizeof head, "%s%s", prefix, name);
    rs_strbuf_put(b, ",", 1);
    append_field(b, head);
}

static void append_int(rs_strbuf *b, int64_t v)
{
    rs_strbuf_printf(b, ",%" PRId64, v);
}

static void append_num(rs_strbuf *b, double v, num_style style)
{
    char buf[40];
    rs__format_number(buf, sizeof buf, v, style);
    rs_strbuf_put(b, ",", 1);
    rs_strbuf_puts(b, buf);
}

static int clamp_count(int n, int max)
{
    return n < 0 ? 0 : n > max ? max : n;
}

static void append_header(rs_strbuf *b, const rs_scenario *s, int nv, int nb)
{
    rs_strbuf_puts(b, "t_ms,t_s,rpm,error_rate,latency_p50_ms,latency_p95_ms,latency_p99_ms,"
                      "pods_ready,pods_total,cpu,memory,restarts");
    for (int v = 0; v < nv; v++) {
        append_prefixed(b, "ready_", s->versions[v].name);
        append_prefixed(b, "total_", s->versions[v].name);
        append_prefixed(b, "crashloop_", s->versions[v].name);
        append_prefixed(b, "share_", s->versions[v].name);
        append_prefixed(b, "error_rate_", s->versions[v].name);
    }
    for (int i = 0; i < nb; i++)
        append_prefixed(b, "", s->biz_metrics[i].name);
    rs_strbuf_put(b, "\n", 1);
}

static void append_row(rs_strbuf *b, const rs_sample *p, int nv, int nb)
{
    rs_strbuf_printf(b, "%" PRId64, p->t_ms);
    append_num(b, (double)p->t_ms / 1000.0, NUM_EXACT);
    append_num(b, p->rpm, NUM_SIG);
    append_num(b, p->error_rate, NUM_SIG);
    append_num(b, p->latency_p50_ms, NUM_SIG);
    append_num(b, p->latency_p95_ms, NUM_SIG);
    append_num(b, p->latency_p99_ms, NUM_SIG);
    append_int(b, p->pods_ready);
    append_int(b, p->pods_total);
    append_num(b, p->cpu, NUM_SIG);
    append_num(b, p->memory, NUM_SIG);
    append_int(b, p->restarts);
    for (int v = 0; v < nv; v++) {
        append_int(b, p->ready_by_version[v]);
        append_int(b, p->total_by_version[v]);
        append_int(b, p->crashloop_by_version[v]);
        append_num(b, p->share_by_version[v], NUM_SIG);
        append_num(b, p->error_rate_by_version[v], NUM_SIG);
    }
    for (int i = 0; i < nb; i++)
        append_num(b, p->business[i], NUM_SIG);
    rs_strbuf_put(b, "\n", 1);
}

char *rs_report_csv(const rs_result *r)
{
    const rs_scenario *s = r->scenario;
    int nv = s ? clamp_count(s->n_versions, RS_SERIES_MAX_VERSIONS) : 0;
    int nb = s ? clamp_count(s->n_biz_metrics, RS_MAX_BIZ_METRICS) : 0;
    rs_strbuf b = {0};
    append_header(&b, s, nv, nb);
    for (size_t i = 0; i < r->n_series; i++)
        append_row(&b, &r->series[i], nv, nb);
    return rs_strbuf_take(&b);
}
