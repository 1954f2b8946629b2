/* rollsim — the future event list: a calendar queue whose current bucket is a 4-ary heap.
 *
 * Order. Events pop by (t, seq). seq is the queue's insertion counter, so ties pop in push order. The
 * order is exact for any times: equal, decreasing, far apart, or earlier than the last pop.
 *
 * Layout.
 *   - Every pending event lives in a node of a pool (t, seq, kind, a, b), found by a 32-bit handle;
 *     free handles are kept on a stack. Nodes never move: the structures below move handles only.
 *   - The calendar: a ring of nb buckets, each a singly linked list of handles, holding the bucket
 *     numbers (cur, cur + nb), where bucket(t) = floor((t - base) / width) is computed as a 64x64->128-bit
 *     multiply by a fixed-point reciprocal (so the width need not be a power of two). Events beyond the
 *     ring go to an overflow list. A bitmap of non-empty slots finds the next bucket with ctz.
 *   - The heap holds exactly the events of buckets <= cur, including any pushed earlier than the last
 *     pop. Every event outside the heap is strictly later than every event in it, so the heap's
 *     minimum is the queue's. When the heap is empty, a pop takes the next non-empty bucket: a bucket
 *     of one event (the usual case once tuned) is returned directly; a larger one is loaded into the heap.
 *   - The heap: an implicit 4-ary min-heap of (t, handle) in two parallel arrays; the time array is
 *     offset so that the four children of a node share one 64-byte cache line. Children are compared on
 *     t alone, without branches; when two compared times are equal (rare) that level is redone with the
 *     exact (t, seq) order. Sifting moves a hole rather than swapping. A pop leaves the root empty until
 *     the next heap operation, so a push that follows drops into the hole and sifts down once.
 *   - A rebuild re-tunes base, width and the active ring size to the pending events (the span of their
 *     times spread over the ring, about RING_PER_EVENT slots per event) and refiles them. It runs before
 *     the first pop, when the overflow list becomes due, when the search for non-empty buckets has
 *     scanned more than the events are worth (buckets too narrow, or the queue shrank), and when a
 *     loaded bucket holds a large share of all events with distinct times (buckets too wide). A rebuild
 *     is O(n) and is paid for by the work that triggered it: operations are amortized O(1) for spread-out
 *     times and fall back to the heap's O(log n) when times bunch together (e.g. all equal).
 *
 * No globals. All allocation happens in rs_queue_init() and rs_queue_push(); pop and peek never
 * allocate. rs_queue_peek_time() may reorganize the internal state (the rs_queue itself is untouched). */
#include "rollsim/queue.h"

#include <stdlib.h>
#include <string.h>

/* Out-of-line paths (RS_NOINLINE, RS_COLD) keep the common push and pop small: few saved registers. */
#if defined(__GNUC__)
#define RS_LIKELY(x) __builtin_expect(!!(x), 1)
#define RS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define RS_COLD __attribute__((noinline, cold))
#define RS_NOINLINE __attribute__((noinline))
#else
#define RS_NOINLINE
#define RS_LIKELY(x) (x)
#define RS_UNLIKELY(x) (x)
#define RS_COLD
#endif

#define ARITY 4u           /* heap arity (the child selection below is written for 4) */
#define LINE 64u           /* cache line, for the alignment of the heap's time array */
#define TPAD (LINE / sizeof(int64_t) - 1u) /* time-array offset: tk[1] starts a cache line */
#define MIN_CAP 16u
#define MIN_RING 64u       /* smallest ring (one bitmap word) */
#ifndef RING_PER_EVENT
#define RING_PER_EVENT 32u /* ring slots per pending event, at rebuild */
#endif
#ifndef SPAN_SHARE
#define SPAN_SHARE 1u      /* the pending events' time span fills 1/SPAN_SHARE of the ring at rebuild */
#endif
#ifndef MAX_RING
#define MAX_RING ((size_t)1 << 18) /* ring slots at most: 1 MiB of list heads, to stay in L2 */
#endif
#define BIG_BUCKET 64u     /* a loaded bucket larger than this (and a quarter of all) is "too wide" */
#define NIL UINT32_MAX     /* end of a list */
#define SIGN 0x8000000000000000ULL

__extension__ typedef unsigned __int128 rs_u128;

typedef struct {
    int64_t t;
    uint64_t seq;
    uint64_t b;
    uint32_t kind;
    uint32_t a;
} rs_qnode;

struct rs_queue_impl {
    /* pool */
    rs_qnode *node;  /* node[h] */
    uint32_t *next;  /* next[h]: list link while in a bucket or the overflow list */
    uint32_t *freel; /* stack of free handles */
    size_t nfree;
    size_t cap;      /* nodes; also the heap's capacity */
    /* heap */
    int64_t *tk;     /* tk[i]: time of heap slot i */
    uint32_t *hd;    /* hd[i]: handle of heap slot i */
    void *tk_block;
    size_t used;     /* heap slots in use, counting the hole */
    int hole;        /* heap slot 0 is empty */
    /* calendar */
    int started;     /* 0 until the first rebuild: every push goes to the overflow list */
    uint64_t base;   /* unsigned (sign-flipped) time of bucket 0's start */
    uint64_t inv;    /* 2^64 / bucket width (ms): bucket(u) = ((u - base) * inv) >> 64 */
    uint64_t cur;    /* the heap holds buckets <= cur */
    uint32_t *ring;  /* list heads; slot of bucket n is n & (nb - 1) */
    uint64_t *bits;  /* non-empty ring slots */
    size_t nb;       /* active ring size (power of two, <= ring_cap) */
    size_t ring_cap; /* allocated ring slots */
    size_t in_ring;
    size_t scan_budget; /* bitmap words the bucket search may still scan before a re-tune */
    /* overflow */
    uint32_t ovf;
    size_t in_ovf;
    uint64_t ovf_min, ovf_max;
};

/* ---------- small helpers ---------- */

/* Signed time to an unsigned key with the same order. */
static inline uint64_t ukey(int64_t t) { return (uint64_t)t ^ SIGN; }

static inline unsigned ctz64(uint64_t x)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

static size_t pow2_at_least(size_t n, size_t floor)
{
    size_t p = floor;
    while (p < n && p <= SIZE_MAX / 2)
        p *= 2;
    return p;
}

/* The bucket of unsigned time u >= base. Monotone in u. */
static inline uint64_t bucket_of(const rs_queue_impl *h, uint64_t u)
{
    return (uint64_t)(((rs_u128)(u - h->base) * h->inv) >> 64);
}

static inline int node_before(const rs_queue_impl *h, uint32_t x, uint32_t y)
{
    const rs_qnode *nx = &h->node[x], *ny = &h->node[y];
    return nx->t < ny->t || (nx->t == ny->t && nx->seq < ny->seq);
}

/* ---------- the heap ---------- */

static inline size_t heap_size(const rs_queue_impl *h) { return h->used - (size_t)h->hole; }

/* Exact smallest of heap slots [c, end). */
static size_t min_slot_exact(const rs_queue_impl *h, size_t c, size_t end)
{
    size_t best = c;
    for (size_t j = c + 1; j < end; j++)
        if (node_before(h, h->hd[j], h->hd[best]))
            best = j;
    return best;
}

/* Moves the hole at the root down to a leaf along the smallest children; returns the leaf. */
static inline size_t heap_descend(rs_queue_impl *h)
{
    int64_t *tk = h->tk;
    uint32_t *hd = h->hd;
    size_t used = h->used, i = 0;
    /* slot i has all four children iff 4i + 4 < used */
    size_t full_end = used > ARITY ? (used - 1 - ARITY) / ARITY + 1 : 0;
    while (i < full_end) {
        size_t c = ARITY * i + 1;
        const int64_t *k = tk + c;
        int64_t t0 = k[0], t1 = k[1], t2 = k[2], t3 = k[3];
        size_t l0 = (size_t)(t1 < t0), l1 = (size_t)(t3 < t2);
        int64_t m0 = t1 < t0 ? t1 : t0;
        int64_t m1 = t3 < t2 ? t3 : t2;
        size_t l2 = (size_t)0 - (size_t)(m1 < m0);
        size_t o = (l0 ^ ((l0 ^ l1) & l2)) + (l2 & 2u); /* branch-free index of the smallest time */
        if (RS_UNLIKELY((t0 == t1) | (t2 == t3) | (m0 == m1)))
            o = min_slot_exact(h, c, c + ARITY) - c;
        c += o;
        tk[i] = tk[c];
        hd[i] = hd[c];
        i = c;
    }
    if (ARITY * i + 1 < used) { /* the one slot with fewer than four children */
        size_t c = min_slot_exact(h, ARITY * i + 1, used);
        tk[i] = tk[c];
        hd[i] = hd[c];
        i = c;
    }
    return i;
}

/* Puts (t, x) into the hole at slot i, moving the hole up past later parents. */
static inline void heap_sift_up(rs_queue_impl *h, size_t i, int64_t t, uint32_t x)
{
    int64_t *tk = h->tk;
    uint32_t *hd = h->hd;
    uint64_t seq = h->node[x].seq;
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!(t < tk[parent] || (t == tk[parent] && seq < h->node[hd[parent]].seq)))
            break;
        tk[i] = tk[parent];
        hd[i] = hd[parent];
        i = parent;
    }
    tk[i] = t;
    hd[i] = x;
}

static RS_NOINLINE void heap_push(rs_queue_impl *h, int64_t t, uint32_t x)
{
    if (h->hole) {
        h->hole = 0;
        heap_sift_up(h, heap_descend(h), t, x);
    } else {
        heap_sift_up(h, h->used++, t, x);
    }
}

/* Refills the root hole from the last slot. */
static RS_NOINLINE void heap_fill_hole(rs_queue_impl *h)
{
    size_t last = h->used - 1;
    h->hole = 0;
    if (last == 0) {
        h->used = 0;
        return;
    }
    size_t i = heap_descend(h);
    h->used = last;
    if (i != last)
        heap_sift_up(h, i, h->tk[last], h->hd[last]);
}

/* Removes the root (the heap is not empty), leaving the hole. */
static inline uint32_t heap_take_root(rs_queue_impl *h)
{
    if (h->hole)
        heap_fill_hole(h);
    uint32_t x = h->hd[0];
    if (h->used == 1)
        h->used = 0;
    else
        h->hole = 1;
    return x;
}

static inline int64_t heap_min_time(const rs_queue_impl *h)
{
    if (!h->hole)
        return h->tk[0];
    size_t end = h->used < ARITY + 1 ? h->used : ARITY + 1;
    return h->tk[min_slot_exact(h, 1, end)];
}

/* ---------- the calendar ---------- */

static inline void ovf_add(rs_queue_impl *h, uint32_t x, uint64_t u)
{
    if (h->in_ovf == 0 || u < h->ovf_min)
        h->ovf_min = u;
    if (h->in_ovf == 0 || u > h->ovf_max)
        h->ovf_max = u;
    h->next[x] = h->ovf;
    h->ovf = x;
    h->in_ovf++;
}

/* Files a pending event: heap (bucket <= cur), ring, or overflow. */
static inline void place(rs_queue_impl *h, uint32_t x)
{
    int64_t t = h->node[x].t;
    uint64_t u = ukey(t);
    uint64_t bn = bucket_of(h, u);
    if (RS_UNLIKELY(u < h->base) || bn <= h->cur) {
        heap_push(h, t, x);
    } else if (RS_LIKELY(bn - h->cur < h->nb)) {
        size_t k = (size_t)bn & (h->nb - 1);
        h->next[x] = h->ring[k];
        h->ring[k] = x;
        h->bits[k >> 6] |= (uint64_t)1 << (k & 63);
        h->in_ring++;
    } else {
        ovf_add(h, x, u);
    }
}

/* Re-tunes the calendar to all pending events and refiles them. Afterwards the heap holds at least the
 * earliest event. */
static RS_COLD void rebuild(rs_queue_impl *h)
{
    uint32_t all = h->ovf;
    size_t n = h->in_ovf;
    uint64_t lo = h->ovf_min, hi = h->ovf_max;
    for (size_t i = h->hole; i < h->used; i++) {
        uint32_t x = h->hd[i];
        uint64_t u = ukey(h->tk[i]);
        if (n == 0 || u < lo)
            lo = u;
        if (n == 0 || u > hi)
            hi = u;
        h->next[x] = all;
        all = x;
        n++;
    }
    h->used = 0;
    h->hole = 0;
    for (size_t w = 0; h->in_ring && w < h->nb / 64; w++) {
        uint64_t word = h->bits[w];
        h->bits[w] = 0;
        while (word) {
            size_t k = (w << 6) | ctz64(word);
            word &= word - 1;
            uint32_t x = h->ring[k];
            h->ring[k] = NIL;
            while (x != NIL) {
                uint32_t nx = h->next[x];
                uint64_t u = ukey(h->node[x].t);
                if (n == 0 || u < lo)
                    lo = u;
                if (n == 0 || u > hi)
                    hi = u;
                h->next[x] = all;
                all = x;
                n++;
                h->in_ring--;
                x = nx;
            }
        }
    }
    h->ovf = NIL;
    h->in_ovf = 0;

    size_t nb = pow2_at_least(n > MAX_RING / RING_PER_EVENT ? MAX_RING : n * RING_PER_EVENT, MIN_RING);
    if (nb > h->ring_cap)
        nb = h->ring_cap;
    /* the width that spreads the pending events' span over nb / SPAN_SHARE buckets (at least 1 ms):
     * bucket(hi) = floor(span * inv / 2^64) <= nb / SPAN_SHARE - 1 */
    uint64_t span = hi - lo;
    rs_u128 inv = ((rs_u128)(nb / SPAN_SHARE - 1) << 64) / ((rs_u128)span + 1);
    h->nb = nb;
    h->inv = inv > UINT64_MAX ? UINT64_MAX : (uint64_t)inv;
    h->base = lo;
    h->cur = 0;
    h->started = 1;
    h->scan_budget = 2 * n + nb / 64 + 64;
    while (all != NIL) {
        uint32_t nx = h->next[all];
        place(h, all);
        all = nx;
    }
}

/* Moves the calendar to the next non-empty bucket and detaches its list, which the caller files (the
 * events are still counted in in_ring). The heap must be empty. Returns NIL when it rebuilt instead;
 * the heap then holds the earliest events. */
static RS_NOINLINE uint32_t take_next_bucket(rs_queue_impl *h)
{
    h->used = 0; /* the heap is empty: at most a hole is left */
    h->hole = 0;
    if (RS_UNLIKELY(!h->started || h->in_ring == 0)) {
        rebuild(h); /* everything pending is in the overflow list */
        return NIL;
    }
    /* the next non-empty ring slot after cur, in ring order */
    size_t mask = h->nb - 1, words = h->nb / 64;
    size_t start = (size_t)(h->cur + 1) & mask;
    size_t w = start >> 6, scanned = 0;
    uint64_t word = h->bits[w] & (~(uint64_t)0 << (start & 63));
    while (!word) {
        w = (w + 1) & (words - 1);
        word = h->bits[w];
        scanned++;
    }
    size_t k = (w << 6) | ctz64(word);
    uint64_t bn = h->cur + 1 + ((k - start) & mask);

    /* re-tune if the overflow list is due, if buckets have proven too narrow, or if the ring has become
     * much larger than the events in it (after the queue shrank) */
    if (RS_UNLIKELY((h->in_ovf && bucket_of(h, h->ovf_min) <= bn) || scanned > h->scan_budget ||
                    (scanned > 1 && words > 4 * (h->in_ring + 1)))) {
        rebuild(h);
        return NIL;
    }
    h->scan_budget -= scanned;
    h->cur = bn;
    uint32_t x = h->ring[k];
    h->ring[k] = NIL;
    h->bits[w] &= ~((uint64_t)1 << (k & 63));
    return x;
}

/* Files a detached bucket list into the (empty) heap. */
static void load_bucket(rs_queue_impl *h, uint32_t x, size_t count)
{
    int64_t tmin = h->node[x].t, tmax = tmin;
    while (x != NIL) {
        uint32_t nx = h->next[x];
        int64_t t = h->node[x].t;
        tmin = t < tmin ? t : tmin;
        tmax = t > tmax ? t : tmax;
        heap_sift_up(h, h->used++, t, x);
        x = nx;
    }
    size_t n = h->used;
    h->in_ring -= n;
    /* buckets too wide: a large share of all events, with distinct times, in one bucket */
    if (n > BIG_BUCKET && n * 4 > count && tmin != tmax)
        rebuild(h);
}

/* ---------- storage ---------- */

/* Grows the pool (and with it the heap and the ring) to hold at least need events. */
static RS_COLD int reserve(rs_queue_impl *h, size_t need)
{
    if (need <= h->cap)
        return 0;
    size_t cap = pow2_at_least(need, h->cap ? h->cap : MIN_CAP);
    if (cap < need || cap > (size_t)UINT32_MAX / 2)
        return -1;
    size_t ring_cap = pow2_at_least(cap > MAX_RING / RING_PER_EVENT ? MAX_RING : cap * RING_PER_EVENT, MIN_RING);
    if (ring_cap < h->ring_cap)
        ring_cap = h->ring_cap;
    size_t tk_bytes = ((cap + TPAD) * sizeof(int64_t) + LINE - 1) / LINE * LINE;

    void *tk_block = aligned_alloc(LINE, tk_bytes);
    uint32_t *hd = malloc(cap * sizeof *hd);
    rs_qnode *node = aligned_alloc(LINE, cap * sizeof *node); /* cap is a power of two >= 16 */
    uint32_t *next = malloc(cap * sizeof *next);
    uint32_t *freel = malloc(cap * sizeof *freel);
    uint32_t *ring = malloc(ring_cap * sizeof *ring);
    uint64_t *bits = calloc(ring_cap / 64, sizeof *bits);
    if (!tk_block || !hd || !node || !next || !freel || !ring || !bits) {
        free(tk_block);
        free(hd);
        free(node);
        free(next);
        free(freel);
        free(ring);
        free(bits);
        return -1;
    }
    int64_t *tk = (int64_t *)tk_block + TPAD;
    if (h->used) {
        memcpy(tk, h->tk, h->used * sizeof *tk);
        memcpy(hd, h->hd, h->used * sizeof *hd);
    }
    if (h->cap) {
        memcpy(node, h->node, h->cap * sizeof *node);
        memcpy(next, h->next, h->cap * sizeof *next);
    }
    if (h->nfree)
        memcpy(freel, h->freel, h->nfree * sizeof *freel);
    for (size_t x = cap; x-- > h->cap;) /* new handles, lowest on top */
        freel[h->nfree++] = (uint32_t)x;
    /* the active ring keeps its size and contents; the rest of the new ring starts empty */
    if (h->nb) {
        memcpy(ring, h->ring, h->nb * sizeof *ring);
        memcpy(bits, h->bits, h->nb / 64 * sizeof *bits);
    }
    for (size_t k = h->nb; k < ring_cap; k++)
        ring[k] = NIL;
    if (!h->nb)
        h->nb = MIN_RING;

    free(h->tk_block);
    free(h->hd);
    free(h->node);
    free(h->next);
    free(h->freel);
    free(h->ring);
    free(h->bits);
    h->tk_block = tk_block;
    h->tk = tk;
    h->hd = hd;
    h->node = node;
    h->next = next;
    h->freel = freel;
    h->ring = ring;
    h->bits = bits;
    h->cap = cap;
    h->ring_cap = ring_cap;
    return 0;
}

/* ---------- public interface ---------- */

int rs_queue_init(rs_queue *q, size_t capacity_hint)
{
    q->impl = NULL;
    q->next_seq = 0;
    q->count = 0;
    rs_queue_impl *h = calloc(1, sizeof *h);
    if (!h)
        return -1;
    h->ovf = NIL;
    if (reserve(h, capacity_hint ? capacity_hint : MIN_CAP) != 0) {
        free(h);
        return -1;
    }
    q->impl = h;
    return 0;
}

void rs_queue_fini(rs_queue *q)
{
    rs_queue_impl *h = q->impl;
    if (h) {
        free(h->tk_block);
        free(h->hd);
        free(h->node);
        free(h->next);
        free(h->freel);
        free(h->ring);
        free(h->bits);
        free(h);
    }
    q->impl = NULL;
    q->count = 0;
}

static int push(rs_queue *q, rs_time t, uint64_t seq, uint32_t kind, uint32_t a, uint64_t b)
{
    rs_queue_impl *h = q->impl;
    if (RS_UNLIKELY(h->nfree == 0) && reserve(h, h->cap + 1) != 0)
        return -1;
    uint32_t x = h->freel[--h->nfree];
    rs_qnode *n = &h->node[x];
    n->t = t;
    n->seq = seq;
    n->kind = kind;
    n->a = a;
    n->b = b;
    if (RS_LIKELY(h->started))
        place(h, x);
    else
        ovf_add(h, x, ukey(t));
    q->next_seq++;
    q->count++;
    return 0;
}

int rs_queue_push(rs_queue *q, rs_time t, uint32_t kind, uint32_t a, uint64_t b)
{
    return push(q, t, q->next_seq, kind, a, b);
}

int rs_queue_push_tier(rs_queue *q, rs_time t, unsigned tier, uint32_t kind, uint32_t a, uint64_t b)
{
    return push(q, t, q->next_seq | (uint64_t)(tier & 3u) << 62, kind, a, b);
}

int rs_queue_pop(rs_queue *q, rs_event *out)
{
    if (q->count == 0)
        return -1;
    rs_queue_impl *h = q->impl;
    uint32_t x;
    if (heap_size(h) != 0) {
        x = heap_take_root(h);
    } else {
        x = take_next_bucket(h);
        if (RS_LIKELY(x != NIL && h->next[x] == NIL)) {
            h->in_ring--; /* a bucket of one: no need for the heap */
        } else {
            if (x != NIL)
                load_bucket(h, x, q->count);
            x = heap_take_root(h);
        }
    }
    const rs_qnode *n = &h->node[x];
    out->t = n->t;
    out->seq = n->seq;
    out->kind = n->kind;
    out->a = n->a;
    out->b = n->b;
    h->freel[h->nfree++] = x;
    q->count--;
    return 0;
}

rs_time rs_queue_peek_time(const rs_queue *q)
{
    if (q->count == 0)
        return RS_TIME_NEVER;
    rs_queue_impl *h = q->impl;
    if (heap_size(h) == 0) {
        uint32_t x = take_next_bucket(h);
        if (x != NIL)
            load_bucket(h, x, q->count);
    }
    return heap_min_time(h);
}
