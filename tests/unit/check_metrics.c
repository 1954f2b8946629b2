/* The observation layer: latency quantiles from histograms as Prometheus computes them, within 2% of
 * the modelled distribution; rate() extrapolation; "no data" when there are no requests. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"
#include "test_util.h"

typedef struct {
    double w, median, sigma;
} comp;

static double exact_cdf(const comp *c, int n, double x)
{
    double tw = 0, p = 0;
    for (int i = 0; i < n; i++) {
        tw += c[i].w;
        p += c[i].w * 0.5 * erfc(-(log(x) - log(c[i].median)) / (c[i].sigma * sqrt(2.0)));
    }
    return p / tw;
}

static double exact_quantile(const comp *c, int n, double q)
{
    double lo = 0.01, hi = 1e6;
    for (int i = 0; i < 200; i++) {
        double mid = sqrt(lo * hi);
        if (exact_cdf(c, n, mid) < q)
            lo = mid;
        else
            hi = mid;
    }
    return sqrt(lo * hi);
}

/* Feeds the mixture for two scrapes and reads the quantile over a 1-minute window. */
static double histogram_quantile_of(const comp *c, int n, double q)
{
    rs_metrics m;
    ck_assert_int_eq(rs_metrics_init(&m, 1, RS_MIN(5), RS_SEC(15)), 0);
    double g[2 * G_COUNT] = {0};
    for (int s = 1; s <= 3; s++) {
        for (int i = 0; i < n; i++)
            rs_metrics_add_latency(&m, 0, i, c[i].w, c[i].median, c[i].sigma);
        rs_metrics_scrape(&m, RS_SEC(15) * s, g);
    }
    double v = rs_metrics_quantile(&m, 0, q, RS_MIN(1), RS_SEC(45));
    double all = rs_metrics_quantile(&m, m.all, q, RS_MIN(1), RS_SEC(45));
    ck_assert_double_eq_tol(v, all, 1e-9);
    rs_metrics_fini(&m);
    return v;
}

static void assert_within_2pct(const comp *c, int n)
{
    const double qs[] = {0.5, 0.9, 0.95, 0.99};
    for (int i = 0; i < 4; i++) {
        double want = exact_quantile(c, n, qs[i]);
        double got = histogram_quantile_of(c, n, qs[i]);
        ck_assert_msg(fabs(got - want) / want < 0.02, "q%.2f: histogram %.3f ms, exact %.3f ms", qs[i], got, want);
    }
}

START_TEST(quantiles_of_the_baseline_are_within_two_percent)
{
    comp c[] = {{1000, 150.0 / exp(1.6448536 * 0.5), 0.5}};
    assert_within_2pct(c, 1);
    double p95 = histogram_quantile_of(c, 1, 0.95);
    ck_assert_double_eq_tol(p95, 150.0, 3.0);
}
END_TEST

START_TEST(quantiles_of_the_redis_bug_mixture_are_within_two_percent)
{
    /* healthy responses, connection refused fast, and Redis timeouts at 3 s */
    comp c[] = {{834, 66, 0.5}, {100, 12, 0.4}, {65, 3000, 0.06}};
    assert_within_2pct(c, 3);
    double p95 = histogram_quantile_of(c, 3, 0.95);
    ck_assert(p95 > 2500 && p95 < 3100);
}
END_TEST

START_TEST(quantiles_of_a_latency_regression_are_within_two_percent)
{
    comp c[] = {{1000, 5000.0 / exp(1.6448536 * 0.5), 0.5}};
    assert_within_2pct(c, 1);
    comp narrow[] = {{500, 40, 0.1}, {500, 400, 0.2}};
    assert_within_2pct(narrow, 2);
}
END_TEST

START_TEST(histogram_quantile_interpolates_like_prometheus)
{
    double bounds[] = {0.1, 0.2, 0.5, 1.0};
    double counts[] = {10, 10, 20, 40, 20}; /* last is +Inf */
    /* rank 0.5*100 = 50 falls in bucket (0.5, 1.0] holding 40 after 40: 0.5 + 0.5 * 10/40 */
    ck_assert_double_eq_tol(rs_histogram_quantile(0.5, bounds, counts, 4), 0.625, 1e-12);
    /* first bucket interpolates from 0 */
    ck_assert_double_eq_tol(rs_histogram_quantile(0.05, bounds, counts, 4), 0.05, 1e-12);
    /* +Inf bucket returns the highest finite bound */
    ck_assert_double_eq_tol(rs_histogram_quantile(0.99, bounds, counts, 4), 1.0, 1e-12);
    double none[] = {0, 0, 0, 0, 0};
    ck_assert(isnan(rs_histogram_quantile(0.5, bounds, none, 4)));
}
END_TEST

START_TEST(rate_extrapolates_to_the_window_edges)
{
    /* a counter growing 1/s scraped every 15 s; rate(x[1m]) at t=60 sees 15,30,45,60 */
    rs_time ts[] = {15000, 30000, 45000, 60000};
    double vs[] = {15, 30, 45, 60};
    ck_assert_double_eq_tol(rs_extrapolated_rate(ts, vs, 4, 0, 60000, true), 1.0, 1e-12);
    ck_assert_double_eq_tol(rs_extrapolated_rate(ts, vs, 4, 0, 60000, false), 60.0, 1e-12);
    /* a gap larger than 1.1 x the average spacing extrapolates only half an interval */
    rs_time ts2[] = {30000, 45000, 60000};
    double vs2[] = {30, 45, 60};
    ck_assert_double_eq_tol(rs_extrapolated_rate(ts2, vs2, 3, 0, 60000, false), 37.5, 1e-12);
    /* a counter reset adds the value before the drop */
    double vs3[] = {10, 20, 5, 15};
    ck_assert_double_eq_tol(rs_extrapolated_rate(ts, vs3, 4, 0, 60000, false), (15 - 10 + 20) * 60.0 / 45.0,
                            1e-9);
    /* one sample is not enough */
    ck_assert(isnan(rs_extrapolated_rate(ts, vs, 1, 0, 60000, true)));
}
END_TEST

START_TEST(error_ratio_has_no_data_without_requests)
{
    rs_metrics m;
    rs_metrics_init(&m, 2, RS_MIN(5), RS_SEC(15));
    double g[3 * G_COUNT] = {0};
    for (int s = 1; s <= 4; s++) {
        rs_metrics_add(&m, 0, 100, 5);
        rs_metrics_scrape(&m, RS_SEC(15) * s, g);
    }
    ck_assert_double_eq_tol(rs_metrics_error_ratio(&m, 0, RS_MIN(1), RS_SEC(60)), 0.05, 1e-12);
    ck_assert(isnan(rs_metrics_error_ratio(&m, 1, RS_MIN(1), RS_SEC(60))));
    ck_assert_double_eq_tol(rs_metrics_error_ratio(&m, m.all, RS_MIN(1), RS_SEC(60)), 0.05, 1e-12);
    /* a window holding a single scrape is no data, as rate() over one sample */
    ck_assert(isnan(rs_metrics_error_ratio(&m, 0, RS_SEC(10), RS_SEC(60))));
    /* requests per second: 100 per 15 s */
    ck_assert_double_eq_tol(rs_metrics_rate(&m, 0, false, RS_MIN(1), RS_SEC(60)), 100.0 / 15.0, 1e-9);
    rs_metrics_fini(&m);
}
END_TEST

START_TEST(range_selector_is_left_open)
{
    rs_metrics m;
    rs_metrics_init(&m, 1, RS_MIN(5), RS_SEC(15));
    double g[2 * G_COUNT] = {0};
    for (int s = 0; s <= 4; s++) {
        g[G_CPU] = s; /* 0,1,2,3,4 at t = 0,15,30,45,60 s */
        rs_metrics_scrape(&m, RS_SEC(15) * s, g);
    }
    /* (0, 60]: the sample at t=0 is excluded */
    ck_assert_double_eq_tol(rs_metrics_gauge_avg(&m, 0, G_CPU, RS_MIN(1), RS_SEC(60)), 2.5, 1e-12);
    ck_assert_double_eq_tol(rs_metrics_gauge_last(&m, 0, G_CPU, RS_SEC(50)), 3, 1e-12);
    rs_metrics_fini(&m);
}
END_TEST

/* The history before a run is scraped in one call (rs_metrics_scrape_steady): it must leave the store
 * exactly as the scrape-by-scrape rounds it replaces. */
START_TEST(steady_scrapes_equal_scrape_by_scrape)
{
    rs_metrics a, b;
    ck_assert_int_eq(rs_metrics_init(&a, 2, RS_MIN(5), RS_SEC(15)), 0);
    ck_assert_int_eq(rs_metrics_init(&b, 2, RS_MIN(5), RS_SEC(15)), 0);
    double g[3 * G_COUNT] = {0};
    const int n = a.ring_len;
    for (int i = 0; i < n; i++) {
        rs_metrics_add(&a, 1, 1234.5, 12.3);
        rs_metrics_add_latency(&a, 1, COMP_NORMAL, 1234.5, 63.7, 0.5);
        ck_assert_int_eq(rs_metrics_scrape(&a, -(rs_time)(n - 1 - i) * RS_SEC(15), g), 0);
    }
    ck_assert_int_eq(rs_metrics_scrape_steady(&b, 1, n, 1234.5, 12.3, 63.7, 0.5, -(rs_time)(n - 1) * RS_SEC(15),
                                              RS_SEC(15), g),
                     0);
    ck_assert_uint_eq(a.n, b.n);
    size_t hist = (size_t)a.ring_len * (size_t)a.n_series * (RS_HIST_BUCKETS + 1) * sizeof(double);
    ck_assert(memcmp(a.ring, b.ring, hist) == 0);
    ck_assert(memcmp(a.req, b.req, a.n * (size_t)a.n_series * sizeof(double)) == 0);
    ck_assert(memcmp(a.err, b.err, a.n * (size_t)a.n_series * sizeof(double)) == 0);
    ck_assert(memcmp(a.t, b.t, a.n * sizeof(rs_time)) == 0);
    rs_metrics_fini(&a);
    rs_metrics_fini(&b);
}
END_TEST

/* The store keeps cumulative (`le`) buckets and finds the rank by bisection; the result must be what
 * Prometheus' algorithm gives on the same buckets: rs_histogram_quantile() over the per-bucket counts. */
START_TEST(cumulative_buckets_give_histogram_quantile)
{
    const comp c[] = {{700, 48, 0.5}, {250, 12, 0.4}, {50, 3000, 0.06}};
    rs_metrics m;
    ck_assert_int_eq(rs_metrics_init(&m, 1, RS_MIN(5), RS_SEC(15)), 0);
    double g[2 * G_COUNT] = {0};
    for (int s = 1; s <= 6; s++) {
        for (int i = 0; i < 3; i++)
            rs_metrics_add_latency(&m, 0, i, c[i].w * s, c[i].median * (1 + 0.01 * s), c[i].sigma);
        rs_metrics_scrape(&m, RS_SEC(15) * s, g);
    }
    /* a 1-minute window at 90 s holds the scrapes at 45, 60, 75 and 90 s (the 3rd to the 6th): the
     * increments from the first to the last */
    const double *a = m.ring + ((size_t)(2 % m.ring_len) * (size_t)m.n_series) * (RS_HIST_BUCKETS + 1);
    const double *b = m.ring + ((size_t)(5 % m.ring_len) * (size_t)m.n_series) * (RS_HIST_BUCKETS + 1);
    double counts[RS_HIST_BUCKETS + 1];
    for (int i = 0; i <= RS_HIST_BUCKETS; i++)
        counts[i] = (b[i] - a[i]) - (i ? b[i - 1] - a[i - 1] : 0.0);
    const double qs[] = {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double want = rs_histogram_quantile(qs[i], m.bounds, counts, RS_HIST_BUCKETS);
        double got = rs_metrics_quantile(&m, 0, qs[i], RS_MIN(1), RS_SEC(90));
        ck_assert_msg(fabs(got - want) <= 1e-9 * want, "q%g: %.12g, Prometheus' algorithm %.12g", qs[i], got, want);
    }
    ck_assert(isinf(rs_metrics_quantile(&m, 0, 1.5, RS_MIN(1), RS_SEC(90))));
    ck_assert(isnan(rs_metrics_quantile(&m, 0, NAN, RS_MIN(1), RS_SEC(90))));
    rs_metrics_fini(&m);
}
END_TEST

/* A component without spread (sigma 0) counts in the first bucket whose bound is at or above it, as an
 * observation does in an `le` bucket. */
START_TEST(a_point_mass_counts_in_the_bucket_at_or_above_it)
{
    rs_metrics m;
    ck_assert_int_eq(rs_metrics_init(&m, 1, RS_MIN(5), RS_SEC(15)), 0);
    double g[2 * G_COUNT] = {0};
    for (int s = 1; s <= 3; s++) {
        rs_metrics_add_latency(&m, 0, COMP_NORMAL, 100, 100.0, 0.0);
        rs_metrics_scrape(&m, RS_SEC(15) * s, g);
    }
    int k = 0;
    while (m.bounds[k] < 100.0)
        k++;
    double p50 = rs_metrics_quantile(&m, 0, 0.5, RS_MIN(1), RS_SEC(45));
    ck_assert_msg(p50 > m.bounds[k - 1] && p50 <= m.bounds[k], "p50 %g not in (%g, %g]", p50, m.bounds[k - 1],
                  m.bounds[k]);
    rs_metrics_fini(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, quantiles_of_the_baseline_are_within_two_percent);
    tcase_add_test(tc, quantiles_of_the_redis_bug_mixture_are_within_two_percent);
    tcase_add_test(tc, quantiles_of_a_latency_regression_are_within_two_percent);
    tcase_add_test(tc, histogram_quantile_interpolates_like_prometheus);
    tcase_add_test(tc, rate_extrapolates_to_the_window_edges);
    tcase_add_test(tc, error_ratio_has_no_data_without_requests);
    tcase_add_test(tc, range_selector_is_left_open);
    tcase_add_test(tc, steady_scrapes_equal_scrape_by_scrape);
    tcase_add_test(tc, cumulative_buckets_give_histogram_quantile);
    tcase_add_test(tc, a_point_mass_counts_in_the_bucket_at_or_above_it);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
