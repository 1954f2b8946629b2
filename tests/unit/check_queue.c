/* The future event list: events pop by (time, insertion order), for any distribution of times, and the
 * queue agrees with a plain qsort by (t, seq) on long random workloads that mix pushes and pops. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "rollsim/queue.h"
#include "rollsim/rng.h"
#include "test_util.h"

/* ---------- a reference: the pending events, sorted with qsort whenever a pop follows pushes ---------- */

typedef struct {
    rs_event *e;
    size_t head, n, cap; /* pending are e[head..n) */
    int dirty;           /* pushed since the last sort */
} ref_list;

static int by_time_then_seq(const void *pa, const void *pb)
{
    const rs_event *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static void ref_push(ref_list *r, rs_event ev)
{
    if (r->n == r->cap) {
        if (r->head > 0) { /* compact before growing */
            for (size_t i = r->head; i < r->n; i++)
                r->e[i - r->head] = r->e[i];
            r->n -= r->head;
            r->head = 0;
        }
        if (r->n == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 256;
            r->e = realloc(r->e, r->cap * sizeof *r->e);
            ck_assert_ptr_nonnull(r->e);
        }
    }
    r->e[r->n++] = ev;
    r->dirty = 1;
}

static int ref_pop(ref_list *r, rs_event *out)
{
    if (r->head == r->n)
        return -1;
    if (r->dirty) {
        qsort(r->e + r->head, r->n - r->head, sizeof *r->e, by_time_then_seq);
        r->dirty = 0;
    }
    *out = r->e[r->head++];
    return 0;
}

static rs_time ref_peek(ref_list *r)
{
    if (r->head == r->n)
        return RS_TIME_NEVER;
    if (r->dirty) {
        qsort(r->e + r->head, r->n - r->head, sizeof *r->e, by_time_then_seq);
        r->dirty = 0;
    }
    return r->e[r->head].t;
}

static size_t ref_size(const ref_list *r) { return r->n - r->head; }

/* ---------- workloads: how the next push time is drawn ---------- */

typedef enum {
    W_TIES,       /* now + 0..3 ms: ties everywhere */
    W_HOLD,       /* now + exponential, mean 1000 s */
    W_EARLIER,    /* up to 5 s before or 15 s after now: not monotone */
    W_EXTREMES,   /* INT64_MIN, INT64_MAX, their neighbours, negative times, full 64-bit range */
    W_SCALE,      /* the mean delay jumps between 10 ms and 10^9 ms every 4096 operations */
    W_CLUSTERS,   /* two tight clusters far apart and rare outliers */
    W_DECREASING, /* each push earlier than the one before */
    W_EQUAL,      /* every event at the same time */
    W_COUNT
} workload;

static rs_time draw_time(workload w, rs_rng *g, rs_time now, long step)
{
    switch (w) {
    case W_TIES:
        return now + (rs_time)rs_rng_below(g, 4);
    case W_HOLD:
        return now + (rs_time)rs_rng_exp(g, 1e6);
    case W_EARLIER:
        return now - 5000 + (rs_time)rs_rng_below(g, 20001);
    case W_EXTREMES:
        switch (rs_rng_below(g, 7)) {
        case 0:
            return INT64_MIN + (rs_time)rs_rng_below(g, 2);
        case 1:
            return INT64_MAX - (rs_time)rs_rng_below(g, 2);
        case 2:
            return (rs_time)rs_rng_next(g);
        case 3:
            return (rs_time)(rs_rng_next(g) >> rs_rng_below(g, 64));
        default:
            return (rs_time)rs_rng_below(g, 100) - 50;
        }
    case W_SCALE:
        return now + (rs_time)rs_rng_exp(g, (step / 4096) % 2 ? 10.0 : 1e9);
    case W_CLUSTERS: {
        uint64_t k = rs_rng_below(g, 100);
        if (k == 0)
            return now + 1000000000000LL + (rs_time)rs_rng_below(g, 10);
        if (k < 50)
            return 500000000000LL + (rs_time)rs_rng_below(g, 1000);
        return now + (rs_time)rs_rng_below(g, 100000);
    }
    case W_DECREASING:
        return 1000000000LL - step * 3;
    case W_EQUAL:
    default:
        return 42;
    }
}

/* Runs ops random operations (rounds of up to 64 pushes, then up to 64 pops, with peeks) against the
 * reference; returns the number of operations whose result differed. */
static long run_against_reference(workload w, uint64_t seed, long ops, size_t hint)
{
    rs_queue q;
    ref_list r = {0};
    rs_rng g;
    long mismatches = 0, step = 0;
    rs_time now = 0;
    rs_rng_seed(&g, seed, RS_STREAM_BENCH);
    ck_assert_int_eq(rs_queue_init(&q, hint), 0);
    while (step < ops) {
        /* bias the round so the queue grows, then shrinks, then grows again */
        int growing = (step / 16384) % 3 != 1;
        long pushes = (long)rs_rng_below(&g, growing ? 65 : 33);
        long pops = (long)rs_rng_below(&g, growing ? 33 : 65);
        for (long i = 0; i < pushes && step < ops; i++, step++) {
            rs_event ev = {draw_time(w, &g, now, step), q.next_seq, (uint32_t)rs_rng_below(&g, 16),
                           (uint32_t)rs_rng_next(&g), rs_rng_next(&g)};
            ck_assert_int_eq(rs_queue_push(&q, ev.t, ev.kind, ev.a, ev.b), 0);
            ref_push(&r, ev);
        }
        for (long i = 0; i < pops && step < ops; i++, step++) {
            if (rs_rng_below(&g, 8) == 0 && rs_queue_peek_time(&q) != ref_peek(&r))
                mismatches++;
            rs_event got = {0}, want = {0};
            int rc_got = rs_queue_pop(&q, &got), rc_want = ref_pop(&r, &want);
            if (rc_got != rc_want || (rc_want == 0 && (got.t != want.t || got.seq != want.seq ||
                                                      got.kind != want.kind || got.a != want.a ||
                                                      got.b != want.b)))
                mismatches++;
            if (rc_want == 0)
                now = want.t;
        }
        if (rs_queue_size(&q) != ref_size(&r))
            mismatches++;
    }
    for (;;) { /* drain */
        rs_event got = {0}, want = {0};
        int rc_got = rs_queue_pop(&q, &got), rc_want = ref_pop(&r, &want);
        if (rc_got != rc_want || (rc_want == 0 && (got.t != want.t || got.seq != want.seq)))
            mismatches++;
        if (rc_want != 0)
            break;
    }
    rs_queue_fini(&q);
    free(r.e);
    return mismatches;
}

/* ---------- tests ---------- */

START_TEST(pop_returns_events_in_time_order)
{
    rs_queue q;
    const rs_time times[] = {50, 10, 40, 20, 30, -5, 1000000, 0};
    ck_assert_int_eq(rs_queue_init(&q, 4), 0);
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        ck_assert_int_eq(rs_queue_push(&q, times[i], 7, (uint32_t)i, 100 + i), 0);
    const rs_time want[] = {-5, 0, 10, 20, 30, 40, 50, 1000000};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        rs_event e;
        ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
        ck_assert_int_eq(e.t, want[i]);
        ck_assert_uint_eq(e.kind, 7);
        ck_assert_uint_eq(e.b, 100 + e.a); /* the payload travels with its event */
        ck_assert_int_eq(times[e.a], e.t);
    }
    ck_assert_uint_eq(rs_queue_size(&q), 0);
    rs_queue_fini(&q);
}
END_TEST

START_TEST(ties_pop_in_insertion_order)
{
    rs_queue q;
    ck_assert_int_eq(rs_queue_init(&q, 0), 0);
    /* interleave three times so that equal times are pushed far apart */
    for (uint32_t i = 0; i < 3000; i++)
        ck_assert_int_eq(rs_queue_push(&q, (rs_time)(i % 3) * 1000, 0, i, 0), 0);
    for (uint32_t i = 0; i < 3000; i++) {
        rs_event e;
        ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
        uint32_t group = i / 1000, k = i % 1000;
        ck_assert_int_eq(e.t, (rs_time)group * 1000);
        ck_assert_uint_eq(e.a, k * 3 + group);
        ck_assert_uint_eq(e.seq, e.a); /* seq is the insertion counter */
    }
    rs_queue_fini(&q);
}
END_TEST

START_TEST(all_equal_times_pop_in_insertion_order)
{
    rs_queue q;
    ck_assert_int_eq(rs_queue_init(&q, 16), 0);
    for (uint32_t i = 0; i < 20000; i++)
        ck_assert_int_eq(rs_queue_push(&q, 77, 0, i, 0), 0);
    /* keep the size while cycling: pop one, push one at the same time */
    for (uint32_t i = 0; i < 50000; i++) {
        rs_event e;
        ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
        ck_assert_uint_eq(e.a, i);
        ck_assert_int_eq(rs_queue_push(&q, 77, 0, 20000 + i, 0), 0);
    }
    for (uint32_t i = 50000; i < 70000; i++) {
        rs_event e;
        ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
        ck_assert_uint_eq(e.a, i);
    }
    rs_queue_fini(&q);
}
END_TEST

START_TEST(events_earlier_than_the_last_pop_still_pop_first)
{
    rs_queue q;
    rs_event e;
    ck_assert_int_eq(rs_queue_init(&q, 0), 0);
    for (int i = 0; i < 200; i++)
        ck_assert_int_eq(rs_queue_push(&q, 1000000 + i * 1000, 0, 0, 0), 0);
    ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
    ck_assert_int_eq(e.t, 1000000);
    /* time runs backwards: each push is earlier than everything popped so far */
    for (int i = 0; i < 100; i++) {
        ck_assert_int_eq(rs_queue_push(&q, 500 - i, 1, (uint32_t)i, 0), 0);
        ck_assert_int_eq(rs_queue_peek_time(&q), 500 - i);
    }
    for (int i = 99; i >= 0; i--) {
        ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
        ck_assert_int_eq(e.t, 500 - i);
        ck_assert_uint_eq(e.a, (uint32_t)i);
    }
    ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
    ck_assert_int_eq(e.t, 1001000);
    rs_queue_fini(&q);
}
END_TEST

START_TEST(extreme_times_order_correctly)
{
    rs_queue q;
    const rs_time times[] = {INT64_MAX, 0, INT64_MIN, -1, 1, INT64_MAX - 1, INT64_MIN + 1, INT64_MAX, INT64_MIN};
    const rs_time want[] = {INT64_MIN, INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX, INT64_MAX};
    const uint32_t want_a[] = {2, 8, 6, 3, 1, 4, 5, 0, 7};
    ck_assert_int_eq(rs_queue_init(&q, 0), 0);
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        ck_assert_int_eq(rs_queue_push(&q, times[i], 0, (uint32_t)i, 0), 0);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        rs_event e;
        ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
        ck_assert_int_eq(e.t, want[i]);
        ck_assert_uint_eq(e.a, want_a[i]);
    }
    rs_queue_fini(&q);
}
END_TEST

START_TEST(empty_queue_pop_fails_and_peek_is_never)
{
    rs_queue q;
    rs_event e = {1, 2, 3, 4, 5};
    ck_assert_int_eq(rs_queue_init(&q, 0), 0);
    ck_assert_uint_eq(rs_queue_size(&q), 0);
    ck_assert_int_eq(rs_queue_pop(&q, &e), -1);
    ck_assert_int_eq(rs_queue_peek_time(&q), RS_TIME_NEVER);
    ck_assert_int_eq(rs_queue_push(&q, 5, 0, 0, 0), 0);
    ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
    ck_assert_int_eq(rs_queue_pop(&q, &e), -1); /* empty again */
    ck_assert_int_eq(e.t, 5);                   /* a failed pop leaves *out alone */
    ck_assert_int_eq(rs_queue_peek_time(&q), RS_TIME_NEVER);
    rs_queue_fini(&q);
}
END_TEST

START_TEST(peek_returns_the_earliest_time_without_removing_it)
{
    rs_queue q;
    rs_event e;
    ck_assert_int_eq(rs_queue_init(&q, 0), 0);
    ck_assert_int_eq(rs_queue_push(&q, 30, 0, 0, 0), 0);
    ck_assert_int_eq(rs_queue_push(&q, 10, 0, 1, 0), 0);
    ck_assert_int_eq(rs_queue_push(&q, 20, 0, 2, 0), 0);
    ck_assert_int_eq(rs_queue_peek_time(&q), 10);
    ck_assert_int_eq(rs_queue_peek_time(&q), 10);
    ck_assert_uint_eq(rs_queue_size(&q), 3);
    ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
    ck_assert_int_eq(e.t, 10);
    ck_assert_int_eq(rs_queue_peek_time(&q), 20); /* also right straight after a pop */
    ck_assert_int_eq(rs_queue_push(&q, 15, 0, 3, 0), 0);
    ck_assert_int_eq(rs_queue_peek_time(&q), 15);
    ck_assert_uint_eq(rs_queue_size(&q), 3);
    rs_queue_fini(&q);
}
END_TEST

START_TEST(grows_past_capacity_hint)
{
    rs_queue q;
    rs_rng g;
    enum { N = 100000 };
    rs_rng_seed(&g, 3, RS_STREAM_BENCH);
    ck_assert_int_eq(rs_queue_init(&q, 1), 0);
    for (uint32_t i = 0; i < N; i++) {
        ck_assert_int_eq(rs_queue_push(&q, (rs_time)rs_rng_below(&g, 1000000), 0, i, i), 0);
        ck_assert_uint_eq(rs_queue_size(&q), i + 1);
    }
    rs_event prev, e;
    ck_assert_int_eq(rs_queue_pop(&q, &prev), 0);
    for (uint32_t i = 1; i < N; i++) {
        ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
        ck_assert(e.t > prev.t || (e.t == prev.t && e.seq > prev.seq));
        ck_assert_uint_eq(e.b, e.a);
        prev = e;
    }
    ck_assert_uint_eq(rs_queue_size(&q), 0);
    rs_queue_fini(&q);
}
END_TEST

START_TEST(hold_model_pops_in_time_order_while_the_size_changes)
{
    /* the simulator's pattern: pop one, push 0..2 at now + delay; the queue grows, shrinks and grows */
    rs_queue q;
    rs_rng g;
    rs_rng_seed(&g, 11, RS_STREAM_BENCH);
    ck_assert_int_eq(rs_queue_init(&q, 8), 0);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(rs_queue_push(&q, (rs_time)rs_rng_exp(&g, 1e6), 0, 0, 0), 0);
    rs_time last = INT64_MIN;
    uint64_t last_seq = 0, pushed = 1000, popped = 0;
    rs_event e;
    for (long step = 0; step < 400000 && rs_queue_size(&q) > 0; step++) {
        ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
        popped++;
        ck_assert(e.t > last || (e.t == last && e.seq > last_seq));
        last = e.t;
        last_seq = e.seq;
        long phase = (step / 50000) % 4; /* 0: steady, 1: shrink, 2: grow, 3: steady */
        uint64_t n = phase == 1 ? rs_rng_below(&g, 2) : phase == 2 ? 1 + rs_rng_below(&g, 2) : 1;
        double mean = (step / 100000) % 2 ? 1e3 : 1e6;
        for (uint64_t k = 0; k < n; k++, pushed++)
            ck_assert_int_eq(rs_queue_push(&q, e.t + (rs_time)rs_rng_exp(&g, mean), 0, 0, 0), 0);
    }
    while (rs_queue_pop(&q, &e) == 0) { /* nothing is lost: the rest drains, still in order */
        popped++;
        ck_assert(e.t > last || (e.t == last && e.seq > last_seq));
        last = e.t;
        last_seq = e.seq;
    }
    ck_assert_uint_eq(popped, pushed);
    rs_queue_fini(&q);
}
END_TEST

START_TEST(matches_a_reference_sort_on_random_workloads)
{
    for (int w = 0; w < W_COUNT; w++)
        for (uint64_t seed = 1; seed <= 2; seed++) {
            long bad = run_against_reference((workload)w, seed * 1000 + (uint64_t)w, 100000, seed == 1 ? 0 : 4096);
            ck_assert_msg(bad == 0, "workload %d, seed %llu: %ld operations differ from the reference", w,
                          (unsigned long long)seed, bad);
        }
}
END_TEST

START_TEST(fini_is_safe_twice_and_the_queue_can_be_reinitialized)
{
    rs_queue q;
    rs_event e;
    ck_assert_int_eq(rs_queue_init(&q, 0), 0);
    ck_assert_int_eq(rs_queue_push(&q, 1, 0, 0, 0), 0);
    rs_queue_fini(&q);
    rs_queue_fini(&q);
    ck_assert_int_eq(rs_queue_init(&q, 0), 0);
    ck_assert_int_eq(rs_queue_pop(&q, &e), -1);
    ck_assert_int_eq(rs_queue_push(&q, 2, 0, 0, 0), 0);
    ck_assert_int_eq(rs_queue_pop(&q, &e), 0);
    ck_assert_int_eq(e.t, 2);
    ck_assert_uint_eq(e.seq, 0); /* a new queue counts from zero */
    rs_queue_fini(&q);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("queue");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, pop_returns_events_in_time_order);
    tcase_add_test(tc, ties_pop_in_insertion_order);
    tcase_add_test(tc, all_equal_times_pop_in_insertion_order);
    tcase_add_test(tc, events_earlier_than_the_last_pop_still_pop_first);
    tcase_add_test(tc, extreme_times_order_correctly);
    tcase_add_test(tc, empty_queue_pop_fails_and_peek_is_never);
    tcase_add_test(tc, peek_returns_the_earliest_time_without_removing_it);
    tcase_add_test(tc, grows_past_capacity_hint);
    tcase_add_test(tc, hold_model_pops_in_time_order_while_the_size_changes);
    tcase_add_test(tc, matches_a_reference_sort_on_random_workloads);
    tcase_add_test(tc, fini_is_safe_twice_and_the_queue_can_be_reinitialized);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
