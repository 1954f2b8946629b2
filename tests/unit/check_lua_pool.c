/* The pool that serves a policy's small Lua blocks (engine/policy/lua_pool.c): every live block keeps its
 * bytes whatever is allocated, resized or freed around it, across size classes, across the pool's size
 * limit and beyond its last slab; freed blocks are reused. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lua_host_int.h"
#include "test_util.h"

#define N 6000

typedef struct {
    unsigned char *p;
    size_t size;
    unsigned char tag;
} block;

static void fill(block *b) { memset(b->p, b->tag, b->size); }

static void check_intact(const block *b)
{
    for (size_t i = 0; i < b->size; i++)
        ck_assert_msg(b->p[i] == b->tag, "block of %zu bytes overwritten at byte %zu", b->size, i);
}

/* Sizes as a Lua state asks for them: mostly small, some just past the pool's limit, a few large. */
static size_t some_size(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t r = *s >> 33;
    if (r % 10 == 0)
        return RS_POOL_MAX - 8 + r % 24; /* either side of the limit */
    if (r % 50 == 1)
        return 1000 + r % 5000;
    return 1 + r % 200;
}

START_TEST(blocks_keep_their_bytes_through_reallocs_and_frees)
{
    rs_pool pool;
    memset(&pool, 0, sizeof pool);
    block *b = calloc(N, sizeof *b);
    uint64_t seed = 42;
    for (int i = 0; i < N; i++) {
        b[i].size = some_size(&seed);
        b[i].tag = (unsigned char)(i * 7 + 1);
        b[i].p = rs__pool_realloc(&pool, NULL, 0, b[i].size);
        ck_assert_ptr_nonnull(b[i].p);
        fill(&b[i]);
    }
    for (int round = 0; round < 3; round++)
        for (int i = round; i < N; i += 3) {
            size_t ns = some_size(&seed);
            b[i].p = rs__pool_realloc(&pool, b[i].p, b[i].size, ns);
            ck_assert_ptr_nonnull(b[i].p);
            block kept = {b[i].p, ns < b[i].size ? ns : b[i].size, b[i].tag};
            check_intact(&kept); /* the old bytes moved with the block */
            b[i].size = ns;
            b[i].tag = (unsigned char)(b[i].tag + 13);
            fill(&b[i]);
            if (i % 5 == 0) { /* free some and allocate anew: the free lists are reused */
                rs__pool_realloc(&pool, b[i].p, b[i].size, 0);
                b[i].p = rs__pool_realloc(&pool, NULL, 0, b[i].size);
                ck_assert_ptr_nonnull(b[i].p);
                fill(&b[i]);
            }
        }
    for (int i = 0; i < N; i++)
        check_intact(&b[i]);
    ck_assert_int_gt(pool.n_slabs, 0);
    ck_assert_int_le(pool.n_slabs, RS_POOL_SLABS);
    for (int i = 0; i < N; i++)
        rs__pool_realloc(&pool, b[i].p, b[i].size, 0);
    rs__pool_free_all(&pool);
    ck_assert_int_eq(pool.n_slabs, 0);
    free(b);
}
END_TEST

/* A freed small block is the next one of its size class handed out; a block shrunk in its slab stays. */
START_TEST(freed_blocks_are_reused_and_shrinking_does_not_move)
{
    rs_pool pool;
    memset(&pool, 0, sizeof pool);
    void *a = rs__pool_realloc(&pool, NULL, 0, 40);
    void *b = rs__pool_realloc(&pool, NULL, 0, 40);
    ck_assert_ptr_ne(a, b);
    rs__pool_realloc(&pool, a, 40, 0);
    ck_assert_ptr_eq(rs__pool_realloc(&pool, NULL, 0, 33), a); /* 33 and 40 bytes share a class */
    ck_assert_ptr_eq(rs__pool_realloc(&pool, b, 40, 8), b);
    void *big = rs__pool_realloc(&pool, NULL, 0, 10000); /* malloc'd */
    ck_assert_ptr_nonnull(big);
    void *small = rs__pool_realloc(&pool, big, 10000, 100); /* stays a malloc'd block, freed by free() */
    ck_assert_ptr_nonnull(small);
    rs__pool_realloc(&pool, small, 100, 0);
    rs__pool_free_all(&pool);
}
END_TEST

/* More small blocks than the slabs hold: the rest come from malloc and are freed by free(). */
START_TEST(beyond_the_last_slab_malloc_takes_over)
{
    rs_pool pool;
    memset(&pool, 0, sizeof pool);
    size_t n = (size_t)RS_POOL_SLABS * 65536 / RS_POOL_MAX + 100;
    void **p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        p[i] = rs__pool_realloc(&pool, NULL, 0, RS_POOL_MAX);
        ck_assert_ptr_nonnull(p[i]);
        memset(p[i], (int)(i & 0xff), RS_POOL_MAX);
    }
    ck_assert_int_eq(pool.n_slabs, RS_POOL_SLABS);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(((unsigned char *)p[i])[RS_POOL_MAX - 1], (int)(i & 0xff));
        rs__pool_realloc(&pool, p[i], RS_POOL_MAX, 0);
    }
    rs__pool_free_all(&pool);
    free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lua_pool");
    TCase *tc = tcase_create("pool");
    tcase_add_test(tc, blocks_keep_their_bytes_through_reallocs_and_frees);
    tcase_add_test(tc, freed_blocks_are_reused_and_shrinking_does_not_move);
    tcase_add_test(tc, beyond_the_last_slab_malloc_takes_over);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
