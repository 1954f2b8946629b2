/* The metric store of a run: counters and gauges scraped at a fixed interval per version and overall,
 * latency histograms with fine log-spaced buckets, and the PromQL-like functions that read them. */
#ifndef ROLLSIM_METRICS_INT_H
#define ROLLSIM_METRICS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "rollsim/common.h"

/* Latency bucket upper bounds: RS_HIST_MIN_MS × RS_HIST_RATIO^i, then +Inf. */
#define RS_HIST_MIN_MS 1.0
#define RS_HIST_RATIO 1.02
#define RS_HIST_BUCKETS 620 /* last finite bound ≈ 214 s, then +Inf */

/* latency mixture components a version's requests fall into during a scrape interval */
enum { COMP_NORMAL, COMP_FAST_FAIL, COMP_SLOW, COMP_COUNT };

/* gauges scraped per series */
enum { G_CPU, G_MEM, G_READY, G_RESTARTS, G_BIZ0, G_COUNT = G_BIZ0 + 4 };

typedef struct {
    double w;      /* requests */
    double logm_w; /* sum of weight × ln(median) */
    double sigma;
} rs_comp_acc;

typedef struct {
    int n_series;           /* versions + 1; the last one is "all versions" */
    int all;                /* index of the all-versions series */
    const double *bounds;   /* [RS_HIST_BUCKETS] finite upper bounds; bucket RS_HIST_BUCKETS is +Inf */
    const double *logb;     /* [RS_HIST_BUCKETS] their natural logs */
    /* scrape times and cumulative counters for every scrape */
    size_t n, cap;
    rs_time *t;
    double *req;            /* [n][n_series] cumulative requests */
    double *err;            /* [n][n_series] cumulative failed requests */
    double *gauge;          /* [n][n_series][G_COUNT] */
    /* cumulative histograms of the last ring_len scrapes: as Prometheus' `le` buckets, bucket i counts
     * the requests at or below bounds[i]; bucket RS_HIST_BUCKETS (+Inf) counts them all. The histogram
     * of series `all` holds only requests that reached no version: its quantiles sum every series */
    int ring_len;
    double *ring;           /* [ring_len][n_series][RS_HIST_BUCKETS + 1] */
    /* running totals and the interval being accumulated */
    double *cur_req, *cur_err, *cur_hist;
    rs_comp_acc *acc;       /* [n_series][COMP_COUNT] */
} rs_metrics;

/* At most RS_MAX_VERSIONS versions. Returns 0, or -1 (too many versions, or out of memory). */
int rs_metrics_init(rs_metrics *m, int n_versions, rs_time max_window, rs_time scrape_interval);
void rs_metrics_fini(rs_metrics *m);
/* Adds requests of one version (-1: requests that reached no version, e.g. no endpoints, counted in
 * "all" only): total, failed, and a lognormal latency component. */
void rs_metrics_add(rs_metrics *m, int version, double requests, double failed);
void rs_metrics_add_latency(rs_metrics *m, int version, int comp, double requests, double median_ms,
                            double sigma);
/* The same with ln(median_ms) given (a caller that has it saves the log). */
void rs_metrics_add_latency_log(rs_metrics *m, int version, int comp, double requests, double log_median_ms,
                                double sigma);
/* `n` scrapes of a version serving steadily (the history before a run): each interval adds `requests`,
 * `failed` and one latency component to the version, then scrapes at t0, t0 + step, ... with the given
 * gauges. The same as n rounds of rs_metrics_add(), rs_metrics_add_latency() and rs_metrics_scrape(),
 * bit for bit, with the latency spread computed once. Returns 0, or -1 when out of memory. */
int rs_metrics_scrape_steady(rs_metrics *m, int version, int n, double requests, double failed, double median_ms,
                             double sigma, rs_time t0, rs_time step, const double *gauges);
/* Folds the interval into the cumulative counters and stores a scrape at time t with the given gauges
 * ([n_series][G_COUNT]). Returns 0, or -1 when out of memory. */
int rs_metrics_scrape(rs_metrics *m, rs_time t, const double *gauges);

/* PromQL-like reads at time `at` over (at - window, at]; NaN = no data. */
double rs_metrics_error_ratio(const rs_metrics *m, int series, rs_time window, rs_time at);
double rs_metrics_rate(const rs_metrics *m, int series, bool errors, rs_time window, rs_time at);
double rs_metrics_quantile(const rs_metrics *m, int series, double q, rs_time window, rs_time at);
double rs_metrics_gauge_avg(const rs_metrics *m, int series, int gauge, rs_time window, rs_time at);
double rs_metrics_gauge_last(const rs_metrics *m, int series, int gauge, rs_time at);
double rs_metrics_gauge_increase(const rs_metrics *m, int series, int gauge, rs_time window, rs_time at);

/* Prometheus' histogram_quantile over bucket counts (non-cumulative) with the given finite upper
 * bounds; the last count is the +Inf bucket. Exposed for tests. */
double rs_histogram_quantile(double q, const double *bounds, const double *counts, int n_finite);
/* Prometheus' extrapolatedRate for a counter sampled at times ts[] with values vs[]; is_rate divides by
 * the range. Exposed for tests. */
double rs_extrapolated_rate(const rs_time *ts, const double *vs, int n, rs_time range_start,
                            rs_time range_end, bool is_rate);
/* CDF of the lognormal with the given median and sigma at x. */
double rs_lognormal_cdf(double x, double median, double sigma);
/* The same from ln(x) and ln(median), bit for bit (ln(x) = -Inf for x <= 0): for callers that reuse
 * the logs. */
double rs_lognormal_cdf_log(double log_x, double log_median, double sigma);

#endif
