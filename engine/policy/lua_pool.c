/* The small blocks of a policy's Lua state. A Lua state makes thousands of small allocations (strings,
 * tables, closures, prototypes) and frees them all again at lua_close; in a sweep, where a run lasts a
 * fraction of a millisecond, the C library's malloc and free of those blocks were a tenth of the run.
 * Blocks of up to RS_POOL_MAX bytes come instead from 64 KiB slabs of the policy, in 16-byte size
 * classes with a free list each; larger blocks, and a pool out of slabs, use malloc. A block belongs to
 * the pool if its slab-aligned address is one of the policy's slabs, so a block may change size class or
 * leave the pool freely. The slabs are returned when the policy is freed, after lua_close. The memory
 * cap counts the sizes Lua asks for, as before (lua_sandbox.c). */
#include "lua_host_int.h"

#include <stdlib.h>
#include <string.h>

#define SLAB_BYTES ((size_t)1 << 16)
#define CLASS_BYTES 16

static size_t class_of(size_t size) { return (size + CLASS_BYTES - 1) / CLASS_BYTES - 1; }

static bool owns(const rs_pool *pool, const void *ptr)
{
    uintptr_t base = (uintptr_t)ptr & ~(uintptr_t)(SLAB_BYTES - 1);
    for (int i = pool->n_slabs - 1; i >= 0; i--) /* the newest first: most blocks are young */
        if ((uintptr_t)pool->slabs[i] == base)
            return true;
    return false;
}

/* A block of `size` (1 .. RS_POOL_MAX) bytes, or NULL when the pool has no room left. */
static void *take(rs_pool *pool, size_t size)
{
    size_t c = class_of(size);
    void *b = pool->free[c];
    if (b) {
        memcpy(&pool->free[c], b, sizeof(void *));
        return b;
    }
    size_t bytes = (c + 1) * CLASS_BYTES;
    if ((size_t)(pool->end - pool->bump) < bytes) {
        if (pool->n_slabs == RS_POOL_SLABS)
            return NULL;
        char *slab = aligned_alloc(SLAB_BYTES, SLAB_BYTES);
        if (!slab)
            return NULL;
        pool->slabs[pool->n_slabs++] = slab;
        pool->bump = slab;
        pool->end = slab + SLAB_BYTES;
    }
    b = pool->bump;
    pool->bump += bytes;
    return b;
}

static void give(rs_pool *pool, void *b, size_t size)
{
    size_t c = class_of(size);
    memcpy(b, &pool->free[c], sizeof(void *));
    pool->free[c] = b;
}

void *rs__pool_realloc(rs_pool *pool, void *ptr, size_t osize, size_t nsize)
{
    bool pooled = ptr && owns(pool, ptr);
    if (nsize == 0) {
        if (pooled)
            give(pool, ptr, osize);
        else
            free(ptr);
        return NULL;
    }
    if (pooled && class_of(nsize) <= class_of(osize))
        return ptr; /* it fits where it is (a smaller size keeps the block: nothing to copy) */
    if (!ptr || pooled) {
        void *q = nsize <= RS_POOL_MAX ? take(pool, nsize) : NULL;
        if (!q)
            q = malloc(nsize);
        if (q && ptr) {
            memcpy(q, ptr, osize < nsize ? osize : nsize);
            give(pool, ptr, osize);
        }
        return q;
    }
    return realloc(ptr, nsize); /* a malloc'd block stays one */
}

void rs__pool_free_all(rs_pool *pool)
{
    for (int i = 0; i < pool->n_slabs; i++)
        free(pool->slabs[i]);
    memset(pool, 0, sizeof *pool);
}
