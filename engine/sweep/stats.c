/* The statistics of a sweep's summary, each with a 95% interval (docs/sweeps.md, "Statistics"): Wilson
 * score intervals for rates, distribution-free order-statistic intervals for quantiles, normal intervals
 * for means; and the Pareto front of two objectives to minimise. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "rollsim/sweep.h"

#define Z95 1.959963984540054 /* the 97.5% point of the standard normal */
#define ALPHA 0.05

rs_estimate rs_sweep_wilson(long k, long n)
{
    rs_estimate e = {NAN, NAN, NAN};
    if (n <= 0 || k < 0 || k > n)
        return e;
    double p = (double)k / (double)n, z2 = Z95 * Z95, nn = (double)n;
    double denom = 1.0 + z2 / nn;
    double centre = (p + z2 / (2 * nn)) / denom;
    double half = Z95 / denom * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    e.est = p;
    e.lo = fmax(0.0, centre - half);
    e.hi = fmin(1.0, centre + half);
    if (k == 0)
        e.lo = 0.0; /* exact in theory; rounding may leave 1e-17 */
    if (k == n)
        e.hi = 1.0;
    return e;
}

/* P(B <= j) for B ~ Binomial(n, q), for every j in 0..n, into cdf[]: the terms are built in logs (so
 * that (1-q)^n does not underflow for large n) and summed in order. */
static void binomial_cdf(long n, double q, double *cdf)
{
    double lq = log(q), l1q = log1p(-q), logpmf = (double)n * l1q, sum = 0;
    for (long j = 0; j <= n; j++) {
        if (j > 0)
            logpmf += log((double)(n - j + 1) / (double)j) + lq - l1q;
        sum += exp(logpmf);
        cdf[j] = sum > 1.0 ? 1.0 : sum;
    }
}

rs_estimate rs_sweep_quantile(const double *sorted, long n, double q)
{
    rs_estimate e = {NAN, NAN, NAN};
    if (n <= 0 || !(q > 0 && q < 1))
        return e;
    long r = (long)ceil(q * (double)n - 1e-9);
    if (r < 1)
        r = 1;
    e.est = sorted[r - 1];
    /* x(l) <= the q-quantile < x(u) fails only when B < l or B >= u: choose l as large and u as small as
     * keep each tail within ALPHA/2, with B the count of values below the true quantile. */
    double stack[1024];
    double *cdf = n + 1 <= 1024 ? stack : malloc(sizeof *cdf * (size_t)(n + 1));
    if (!cdf)
        return e;
    binomial_cdf(n, q, cdf);
    long l = 0, u = n + 1;
    for (long j = 1; j <= n; j++) /* P(B <= j-1) <= alpha/2 */
        if (cdf[j - 1] <= ALPHA / 2)
            l = j;
    for (long j = n; j >= 1; j--) /* P(B <= j-1) >= 1 - alpha/2 */
        if (cdf[j - 1] >= 1 - ALPHA / 2)
            u = j;
    if (cdf != stack)
        free(cdf);
    e.lo = l >= 1 ? sorted[l - 1] : NAN;
    e.hi = u <= n ? sorted[u - 1] : NAN;
    return e;
}

rs_estimate rs_sweep_mean(const double *x, long n)
{
    rs_estimate e = {NAN, NAN, NAN};
    if (n <= 0)
        return e;
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += x[i];
    e.est = sum / (double)n;
    if (n < 2)
        return e;
    double ss = 0;
    for (long i = 0; i < n; i++)
        ss += (x[i] - e.est) * (x[i] - e.est);
    double half = Z95 * sqrt(ss / (double)(n - 1) / (double)n);
    e.lo = e.est - half;
    e.hi = e.est + half;
    return e;
}

void rs_sweep_pareto(const double *x, const double *y, int n, bool *on_front)
{
    for (int i = 0; i < n; i++) {
        on_front[i] = !isnan(x[i]) && !isnan(y[i]);
        for (int j = 0; j < n && on_front[i]; j++) {
            if (j == i || isnan(x[j]) || isnan(y[j]))
                continue;
            if (x[j] <= x[i] && y[j] <= y[i] && (x[j] < x[i] || y[j] < y[i]))
                on_front[i] = false;
        }
    }
}
