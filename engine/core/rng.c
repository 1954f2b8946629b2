/* xoshiro256** seeded by SplitMix64: small, fast, well tested, and identical on every platform.
 * Streams: the seed and a purpose number are mixed by SplitMix64 into four independent state words. */
#include "rollsim/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

__extension__ typedef unsigned __int128 u128;

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rs_rng_seed(rs_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    x = splitmix64(&x) ^ stream;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t rs_rng_next(rs_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rs_rng_uniform(rs_rng *r) { return (double)(rs_rng_next(r) >> 11) * 0x1.0p-53; }

double rs_rng_exp(rs_rng *r, double mean) { return -mean * log1p(-rs_rng_uniform(r)); }

double rs_rng_normal(rs_rng *r)
{
    double u1 = 1.0 - rs_rng_uniform(r); /* (0, 1] */
    double u2 = rs_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t rs_rng_below(rs_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    u128 m = (u128)rs_rng_next(r) * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            m = (u128)rs_rng_next(r) * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}
