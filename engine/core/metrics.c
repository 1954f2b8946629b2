/* Metric store and PromQL-like reads. Requests are counted in aggregate: each scrape interval a version
 * adds its request and failure counts and a few lognormal latency components, which are spread over
 * fine log-spaced histogram buckets at the scrape. Reads follow Prometheus: range selectors take the
 * samples in (t - window, t], rate() extrapolates as extrapolatedRate does, and histogram_quantile()
 * interpolates linearly inside the bucket that holds the rank. */
#include "metrics_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist_bounds.h"
#include "rollsim/scenario.h"
#include "normal_table.h"

_Static_assert(sizeof rs_hist_bounds / sizeof rs_hist_bounds[0] == RS_HIST_BUCKETS, "regenerate hist_bounds.h");

static double norm_cdf(double z)
{
    if (z <= -8.0)
        return 0.0;
    if (z >= 8.0)
        return 1.0;
    double x = (z + 8.0) * RS_NORMAL_TABLE_STEPS;
    int i = (int)x;
    if (i >= RS_NORMAL_TABLE_N - 1)
        return rs_normal_table[RS_NORMAL_TABLE_N - 1][0];
    double f = x - i;
    return rs_normal_table[i][0] + f * rs_normal_table[i][1];
}

/* The request model calls this three times a version and a tick, mostly far in a tail (the timeout, or
 * the impact threshold against hanging requests), where norm_cdf() returns exactly 0 or 1. The binary
 * exponents of x and the median bound the log of their ratio within two binades and settle those
 * without computing a log; the margin (1e-9, far above the rounding of the logs) keeps the result bit for
 * bit that of the formula. */
#define LN2 0.6931471805599453

double rs_lognormal_cdf(double x, double median, double sigma)
{
    if (x <= 0)
        return 0.0;
    if (sigma > 0 && median > 0 && isfinite(x) && isfinite(median)) {
        int ex, em; /* 2^(e-1) <= v < 2^e, so (ex-em-1) ln 2 < ln(x/median) < (ex-em+1) ln 2 */
        frexp(x, &ex);
        frexp(median, &em);
        double margin = 8.0 * sigma + 1e-9;
        if ((ex - em - 1) * LN2 >= margin)
            return 1.0;
        if ((ex - em + 1) * LN2 <= -margin)
            return 0.0;
    }
    return norm_cdf((log(x) - log(median)) / sigma);
}

/* Without the shortcut of rs_lognormal_cdf(): where it returns 0 or 1, z is beyond ±8 and norm_cdf()
 * returns the same. */
double rs_lognormal_cdf_log(double log_x, double log_median, double sigma)
{
    return norm_cdf((log_x - log_median) / sigma);
}

int rs_metrics_init(rs_metrics *m, int n_versions, rs_time max_window, rs_time scrape_interval)
{
    memset(m, 0, sizeof *m);
    if (n_versions < 0 || n_versions > RS_MAX_VERSIONS)
        return -1;
    m->n_series = n_versions + 1;
    m->all = n_versions;
    m->bounds = rs_hist_bounds;
    m->logb = rs_hist_log_bounds;
    m->ring_len = (int)(max_window / scrape_interval) + 3;
    size_t ns = (size_t)m->n_series;
    /* not zeroed: slot n % ring_len is written by scrape n before any read (reads stay within the last
     * ring_len scrapes), and fresh zeroed pages cost each run ~340 KB of page faults */
    m->ring = malloc((size_t)m->ring_len * ns * (RS_HIST_BUCKETS + 1) * sizeof(double));
    m->cur_hist = calloc(ns * (RS_HIST_BUCKETS + 1), sizeof(double));
    m->cur_req = calloc(ns, sizeof(double));
    m->cur_err = calloc(ns, sizeof(double));
    m->acc = calloc(ns * COMP_COUNT, sizeof(rs_comp_acc));
    if (!m->ring || !m->cur_hist || !m->cur_req || !m->cur_err || !m->acc)
        return -1;
    return 0;
}

void rs_metrics_fini(rs_metrics *m)
{
    free(m->t);
    free(m->req);
    free(m->err);
    free(m->gauge);
    free(m->ring);
    free(m->cur_hist);
    free(m->cur_req);
    free(m->cur_err);
    free(m->acc);
    memset(m, 0, sizeof *m);
}

void rs_metrics_add(rs_metrics *m, int version, double requests, double failed)
{
    if (version >= 0) {
        m->cur_req[version] += requests;
        m->cur_err[version] += failed;
    }
    m->cur_req[m->all] += requests;
    m->cur_err[m->all] += failed;
}

void rs_metrics_add_latency_log(rs_metrics *m, int version, int comp, double requests, double log_median_ms,
                                double sigma)
{
    if (requests <= 0)
        return;
    rs_comp_acc *a = &m->acc[(version >= 0 ? version : m->all) * COMP_COUNT + comp];
    a->w += requests;
    a->logm_w += requests * log_median_ms;
    a->sigma = sigma;
}

void rs_metrics_add_latency(rs_metrics *m, int version, int comp, double requests, double median_ms,
                            double sigma)
{
    if (requests > 0)
        rs_metrics_add_latency_log(m, version, comp, requests, log(median_ms), sigma);
}

/* The buckets a lognormal(median, sigma) spreads over: [*lo, *hi], those whose bound is within ±8 sigma
 * of the median; the buckets above *hi count all of it, those below *lo none. */
static void spread_range(const rs_metrics *m, double logm, double sigma, int *lo, int *hi)
{
    const double lnr = RS_HIST_LOG_RATIO, ln0 = m->logb[0];
    double lo_d, hi_d;
    if (sigma > 0 && isfinite(logm)) {
        lo_d = ceil((logm - 8 * sigma - ln0) / lnr);
        hi_d = floor((logm + 8 * sigma - ln0) / lnr);
    } else { /* a point mass (or a median of 0 or +Inf): every bound at or above it counts all */
        lo_d = isnan(logm) ? INFINITY : ceil((logm - ln0) / lnr);
        hi_d = lo_d - 1;
    }
    *lo = lo_d < 0 ? 0 : lo_d > RS_HIST_BUCKETS ? RS_HIST_BUCKETS : (int)lo_d;
    *hi = hi_d < -1 ? -1 : hi_d > RS_HIST_BUCKETS - 1 ? RS_HIST_BUCKETS - 1 : (int)hi_d;
}

/* The lognormal's CDF at bucket i's bound from the table: z = (ln bound − ln median) / σ, and
 * x = (z + 8) × steps = ln bound × k + c. In [lo, hi] x lies in [0, N − 1] but for rounding at the ends:
 * (int) truncates a hair below 0 to 0, and j is capped below the last entry. */
static inline double bucket_cdf(const rs_metrics *m, int i, double k, double c)
{
    double x = m->logb[i] * k + c;
    int j = (int)x;
    j = j < RS_NORMAL_TABLE_N - 2 ? j : RS_NORMAL_TABLE_N - 2;
    return rs_normal_table[j][0] + (x - j) * rs_normal_table[j][1];
}

/* Adds `w` requests of a lognormal(median, sigma) to the cumulative buckets of one series: each bucket
 * counts the requests at or below its bound, w × CDF(bound), as Prometheus' `le` buckets do. (The
 * histogram of "all" holds only the requests that reached no version; a quantile of "all" sums every
 * series, as `sum by (le)` does.) */
static void spread(rs_metrics *m, int series, double w, double logm, double sigma)
{
    int lo, hi;
    spread_range(m, logm, sigma, &lo, &hi);
    double *h = m->cur_hist + (size_t)series * (RS_HIST_BUCKETS + 1);
    const double k = RS_NORMAL_TABLE_STEPS / sigma, c = 8.0 * RS_NORMAL_TABLE_STEPS - logm * k;
    for (int i = lo; i <= hi; i++)
        h[i] += w * bucket_cdf(m, i, k, c);
    for (int i = hi + 1; i <= RS_HIST_BUCKETS; i++)
        h[i] += w;
}

static int grow(rs_metrics *m)
{
    size_t cap = m->cap ? m->cap * 2 : 256;
    size_t ns = (size_t)m->n_series;
    rs_time *t = realloc(m->t, cap * sizeof *t);
    if (!t)
        return -1;
    m->t = t;
    double *req = realloc(m->req, cap * ns * sizeof *req);
    if (!req)
        return -1;
    m->req = req;
    double *err = realloc(m->err, cap * ns * sizeof *err);
    if (!err)
        return -1;
    m->err = err;
    double *g = realloc(m->gauge, cap * ns * G_COUNT * sizeof *g);
    if (!g)
        return -1;
    m->gauge = g;
    m->cap = cap;
    return 0;
}

/* Stores the running totals as the scrape at time t. */
static int snapshot(rs_metrics *m, rs_time t, const double *gauges)
{
    if (m->n == m->cap && grow(m) != 0)
        return -1;
    int ns = m->n_series;
    size_t n = m->n;
    m->t[n] = t;
    memcpy(m->req + n * (size_t)ns, m->cur_req, (size_t)ns * sizeof(double));
    memcpy(m->err + n * (size_t)ns, m->cur_err, (size_t)ns * sizeof(double));
    memcpy(m->gauge + n * (size_t)ns * G_COUNT, gauges, (size_t)ns * G_COUNT * sizeof(double));
    size_t slot = (n % (size_t)m->ring_len) * (size_t)ns * (RS_HIST_BUCKETS + 1);
    memcpy(m->ring + slot, m->cur_hist, (size_t)ns * (RS_HIST_BUCKETS + 1) * sizeof(double));
    m->n++;
    return 0;
}

int rs_metrics_scrape(rs_metrics *m, rs_time t, const double *gauges)
{
    if (m->n == m->cap && grow(m) != 0)
        return -1;
    int ns = m->n_series;
    for (int s = 0; s < ns; s++) {
        for (int c = 0; c < COMP_COUNT; c++) {
            rs_comp_acc *a = &m->acc[s * COMP_COUNT + c];
            if (a->w > 0)
                spread(m, s, a->w, a->logm_w / a->w, a->sigma);
            a->w = 0;
            a->logm_w = 0;
        }
    }
    return snapshot(m, t, gauges);
}

int rs_metrics_scrape_steady(rs_metrics *m, int version, int n, double requests, double failed, double median_ms,
                             double sigma, rs_time t0, rs_time step, const double *gauges)
{
    /* one interval's increments of every bucket: what spread() adds each time, computed once */
    double d[RS_HIST_BUCKETS + 1] = {0};
    double logm = 0;
    if (requests > 0) {
        logm = requests * log(median_ms) / requests; /* as the accumulator of one interval computes it */
        int lo, hi;
        spread_range(m, logm, sigma, &lo, &hi);
        const double k = RS_NORMAL_TABLE_STEPS / sigma, c = 8.0 * RS_NORMAL_TABLE_STEPS - logm * k;
        for (int i = lo; i <= hi; i++)
            d[i] = requests * bucket_cdf(m, i, k, c);
        for (int i = hi + 1; i <= RS_HIST_BUCKETS; i++)
            d[i] = requests;
    }
    int series = version >= 0 ? version : m->all;
    double *h = m->cur_hist + (size_t)series * (RS_HIST_BUCKETS + 1);
    for (int k = 0; k < n; k++) {
        rs_metrics_add(m, version, requests, failed);
        if (requests > 0)
            for (int i = 0; i <= RS_HIST_BUCKETS; i++)
                h[i] += d[i];
        if (snapshot(m, t0 + (rs_time)k * step, gauges) != 0)
            return -1;
    }
    return 0;
}

/* Samples of the range (at - window, at]: indices [*first, *last]; returns the count. */
static int range(const rs_metrics *m, rs_time window, rs_time at, size_t *first, size_t *last)
{
    /* last sample with t <= at */
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->t[mid] <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    size_t l = lo - 1;
    size_t f = l;
    while (f > 0 && m->t[f - 1] > at - window)
        f--;
    if (m->t[f] <= at - window)
        return 0;
    *first = f;
    *last = l;
    return (int)(l - f + 1);
}

/* Prometheus' extrapolatedRate (promql/functions.go) from the first and last samples of a range,
 * their count, and the sum of the values lost to counter resets. */
static double extrapolate(rs_time t0, double v0, rs_time t1, double v1, int n, double reset_add,
                          rs_time range_start, rs_time range_end, bool is_rate)
{
    if (n < 2)
        return NAN;
    double result = v1 - v0 + reset_add;
    double dur_start = (double)(t0 - range_start) / 1000.0;
    double dur_end = (double)(range_end - t1) / 1000.0;
    double sampled = (double)(t1 - t0) / 1000.0;
    double avg = sampled / (n - 1);
    double threshold = avg * 1.1;
    if (result > 0 && v0 >= 0) {
        double to_zero = sampled * (v0 / result);
        if (to_zero < dur_start)
            dur_start = to_zero;
    }
    double extrapolate_to = sampled;
    extrapolate_to += dur_start < threshold ? dur_start : avg / 2;
    extrapolate_to += dur_end < threshold ? dur_end : avg / 2;
    double factor = extrapolate_to / sampled;
    if (is_rate)
        factor /= (double)(range_end - range_start) / 1000.0;
    return result * factor;
}

double rs_extrapolated_rate(const rs_time *ts, const double *vs, int n, rs_time range_start,
                            rs_time range_end, bool is_rate)
{
    if (n < 2)
        return NAN;
    double reset_add = 0;
    for (int i = 1; i < n; i++)
        if (vs[i] < vs[i - 1])
            reset_add += vs[i - 1];
    return extrapolate(ts[0], vs[0], ts[n - 1], vs[n - 1], n, reset_add, range_start, range_end, is_rate);
}

/* Our counters and restart gauges never reset, so the ends of the range suffice. */
static double counter_rate(const rs_metrics *m, const double *base, size_t stride, size_t offset,
                           rs_time window, rs_time at, bool is_rate)
{
    size_t f, l;
    int n = range(m, window, at, &f, &l);
    if (n < 2)
        return NAN;
    return extrapolate(m->t[f], base[f * stride + offset], m->t[l], base[l * stride + offset], n, 0,
                       at - window, at, is_rate);
}

double rs_metrics_rate(const rs_metrics *m, int series, bool errors, rs_time window, rs_time at)
{
    return counter_rate(m, errors ? m->err : m->req, (size_t)m->n_series, (size_t)series, window, at,
                        true);
}

double rs_metrics_error_ratio(const rs_metrics *m, int series, rs_time window, rs_time at)
{
    size_t f, l;
    if (range(m, window, at, &f, &l) < 2)
        return NAN;
    size_t ns = (size_t)m->n_series;
    double dreq = m->req[l * ns + (size_t)series] - m->req[f * ns + (size_t)series];
    double derr = m->err[l * ns + (size_t)series] - m->err[f * ns + (size_t)series];
    /* both rates share one extrapolation factor, so the ratio is that of the increases */
    if (!(dreq > 0))
        return NAN;
    return derr / dreq;
}

double rs_histogram_quantile(double q, const double *bounds, const double *counts, int n_finite)
{
    if (isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    double total = 0;
    for (int i = 0; i <= n_finite; i++)
        total += counts[i];
    if (!(total > 0))
        return NAN;
    double rank = q * total;
    double cum = 0;
    for (int i = 0; i <= n_finite; i++) {
        double next = cum + counts[i];
        if (next >= rank && counts[i] > 0) {
            if (i == n_finite) /* +Inf bucket: the highest finite bound */
                return bounds[n_finite - 1];
            double lower = i == 0 ? 0.0 : bounds[i - 1];
            double upper = bounds[i];
            return lower + (upper - lower) * ((rank - cum) / counts[i]);
        }
        cum = next;
    }
    return bounds[n_finite - 1];
}

/* The increment of cumulative bucket i over the n histograms (a[k], b[k]): b[k][i] − a[k][i], summed. */
static inline double increment(const double *const *a, const double *const *b, int n, int i)
{
    double d = b[0][i] - a[0][i];
    for (int k = 1; k < n; k++)
        d += b[k][i] - a[k][i];
    return d;
}

/* histogram_quantile() over the increments b − a of cumulative (`le`) buckets, summed over n histograms
 * (`sum by (le)`), as Prometheus' bucketQuantile: the rank q × total (the +Inf bucket's count), the first
 * bucket whose count reaches it found by bisection (sort.Search there), linear interpolation inside it
 * from the previous bound (0 for the first bucket), and the highest finite bound for a rank in +Inf. The
 * bisection keeps the previous bucket's count below the rank, so the bucket holds a positive count even
 * where rounding makes the differences of two cumulative snapshots not quite monotonic (which Prometheus
 * evens out first). At rank 0 the first bucket that holds anything is taken. */
static double range_quantile(double q, const double *bounds, const double *const *a, const double *const *b, int n)
{
    if (isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    double total = increment(a, b, n, RS_HIST_BUCKETS);
    if (!(total > 0))
        return NAN;
    double rank = q * total;
    int l = 0, h = RS_HIST_BUCKETS; /* bucket h always reaches the rank; l - 1 never does */
    while (l < h) {
        int mid = (l + h) / 2;
        double d = increment(a, b, n, mid);
        if (rank > 0 ? d >= rank : d > 0)
            h = mid;
        else
            l = mid + 1;
    }
    if (l == RS_HIST_BUCKETS) /* +Inf bucket: the highest finite bound */
        return bounds[RS_HIST_BUCKETS - 1];
    double before = l > 0 ? increment(a, b, n, l - 1) : 0.0;
    double lower = l == 0 ? 0.0 : bounds[l - 1];
    return lower + (bounds[l] - lower) * ((rank - before) / (increment(a, b, n, l) - before));
}

double rs_metrics_quantile(const rs_metrics *m, int series, double q, rs_time window, rs_time at)
{
    size_t f, l;
    if (range(m, window, at, &f, &l) < 2)
        return NAN;
    size_t oldest = m->n > (size_t)m->ring_len ? m->n - (size_t)m->ring_len : 0;
    if (f < oldest)
        f = oldest;
    if (f >= l)
        return NAN;
    size_t nb = RS_HIST_BUCKETS + 1;
    size_t ns = (size_t)m->n_series;
    const double *a[RS_MAX_VERSIONS + 1], *b[RS_MAX_VERSIONS + 1];
    int n = 0;
    for (int s = series == m->all ? 0 : series; s <= series; s++, n++) { /* "all": every series */
        a[n] = m->ring + ((f % (size_t)m->ring_len) * ns + (size_t)s) * nb;
        b[n] = m->ring + ((l % (size_t)m->ring_len) * ns + (size_t)s) * nb;
    }
    return range_quantile(q, m->bounds, a, b, n);
}

double rs_metrics_gauge_avg(const rs_metrics *m, int series, int gauge, rs_time window, rs_time at)
{
    size_t f, l;
    if (range(m, window, at, &f, &l) < 1)
        return NAN;
    double sum = 0;
    int n = 0;
    for (size_t i = f; i <= l; i++) {
        double v = m->gauge[(i * (size_t)m->n_series + (size_t)series) * G_COUNT + (size_t)gauge];
        if (!isnan(v)) {
            sum += v;
            n++;
        }
    }
    return n ? sum / n : NAN;
}

double rs_metrics_gauge_last(const rs_metrics *m, int series, int gauge, rs_time at)
{
    size_t f, l;
    if (range(m, RS_TIME_NEVER / 2, at, &f, &l) < 1)
        return NAN;
    return m->gauge[(l * (size_t)m->n_series + (size_t)series) * G_COUNT + (size_t)gauge];
}

double rs_metrics_gauge_increase(const rs_metrics *m, int series, int gauge, rs_time window, rs_time at)
{
    return counter_rate(m, m->gauge, (size_t)m->n_series * G_COUNT, (size_t)series * G_COUNT + (size_t)gauge,
                        window, at, false);
}
