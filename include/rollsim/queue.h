/* rollsim — the future event list of a run.
 * Events are ordered by (time, tier, insertion sequence): two events of the same millisecond and tier pop
 * in the order they were pushed, never by memory address; within a millisecond every event of tier 0
 * pops before any of tier 1, and so on, whenever they were pushed. The queue owns its storage; free with
 * rs_queue_fini(). */
#ifndef ROLLSIM_QUEUE_H
#define ROLLSIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "rollsim/common.h"

typedef struct {
    rs_time t;     /* when it happens */
    uint64_t seq;  /* the tier in the top 2 bits, then the insertion order: breaks ties */
    uint32_t kind; /* what happens (the owner's enum) */
    uint32_t a;    /* owner's argument, e.g. a pod index */
    uint64_t b;    /* owner's argument, e.g. a generation, to drop stale events */
} rs_event;

typedef struct rs_queue_impl rs_queue_impl;

typedef struct {
    rs_queue_impl *impl;
    uint64_t next_seq;
    size_t count;
} rs_queue;

/* Returns 0 on success, -1 when out of memory. */
int rs_queue_init(rs_queue *q, size_t capacity_hint);
void rs_queue_fini(rs_queue *q);
/* Returns 0 on success, -1 when out of memory. */
int rs_queue_push(rs_queue *q, rs_time t, uint32_t kind, uint32_t a, uint64_t b);
/* The same in tier 0..3 (rs_queue_push() is tier 0). */
int rs_queue_push_tier(rs_queue *q, rs_time t, unsigned tier, uint32_t kind, uint32_t a, uint64_t b);
/* Removes the earliest event into *out; returns 0, or -1 when empty. */
int rs_queue_pop(rs_queue *q, rs_event *out);
/* Time of the earliest event, or RS_TIME_NEVER when empty. */
rs_time rs_queue_peek_time(const rs_queue *q);
static inline size_t rs_queue_size(const rs_queue *q) { return q->count; }

#endif
