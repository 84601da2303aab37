/* include/cobalt/hd/philox.h -- counter-based Philox4x32-10 (Salmon et al., SC'11).
 * Every random number in cobalt is a pure function of (seed, stream, index, sub) through
 * cob_philox(): key = seed, counter = {index, sub_lo, sub_hi, stream}. Pairs with
 * tests/test_philox.c (Random123 known-answer vectors). Deliberate limits: 32-bit words only;
 * float conversions use the top 24 bits (floats) or 53 bits (doubles) and never return 0. */
#ifndef COBALT_HD_PHILOX_H
#define COBALT_HD_PHILOX_H

#include "hd.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t v[4];
} cob_u32x4;

#define COB_PHILOX_M0 0xD2511F53u
#define COB_PHILOX_M1 0xCD9E8D57u
#define COB_PHILOX_W0 0x9E3779B9u
#define COB_PHILOX_W1 0xBB67AE85u

COB_INLINE void cob__mulhilo32(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)
{
    uint64_t p = (uint64_t)a * (uint64_t)b;
    *hi = (uint32_t)(p >> 32);
    *lo = (uint32_t)p;
}

/* The raw bijection: 10 rounds on counter ctr with key (k0, k1). */
COB_INLINE cob_u32x4 cob_philox4x32_10(cob_u32x4 ctr, uint32_t k0, uint32_t k1)
{
    int r;
    for (r = 0; r < 10; ++r) {
        uint32_t hi0, lo0, hi1, lo1;
        cob_u32x4 n;
        cob__mulhilo32(COB_PHILOX_M0, ctr.v[0], &hi0, &lo0);
        cob__mulhilo32(COB_PHILOX_M1, ctr.v[2], &hi1, &lo1);
        n.v[0] = hi1 ^ ctr.v[1] ^ k0;
        n.v[1] = lo1;
        n.v[2] = hi0 ^ ctr.v[3] ^ k1;
        n.v[3] = lo0;
        ctr = n;
        k0 += COB_PHILOX_W0;
        k1 += COB_PHILOX_W1;
    }
    return ctr;
}

/* cobalt's keying convention: 4 random words for (seed, stream, index, sub). */
COB_INLINE cob_u32x4 cob_philox(uint64_t seed, uint32_t stream, uint32_t index, uint64_t sub)
{
    cob_u32x4 c;
    c.v[0] = index;
    c.v[1] = (uint32_t)sub;
    c.v[2] = (uint32_t)(sub >> 32);
    c.v[3] = stream;
    return cob_philox4x32_10(c, (uint32_t)seed, (uint32_t)(seed >> 32));
}

/* Uniform in (0, 1]: never 0, so log() of it is finite. */
COB_INLINE double cob_u01_double(uint32_t hi, uint32_t lo)
{
    uint64_t m = ((uint64_t)(hi >> 5) << 26) | (uint64_t)(lo >> 6); /* 53 bits */
    return ((double)m + 1.0) * (1.0 / 9007199254740992.0);
}

/* Random streams. Each stochastic process has its own stream id so that draws never collide. */
enum {
    COB_STREAM_INDEGREE = 1, /* + 16 * projection: heterogeneous in-degree per target */
    COB_STREAM_PARTNERS = 2, /* + 16 * projection: presynaptic partners per target */
    COB_STREAM_DELAYS = 3,   /* + 16 * projection: delay per synapse */
    COB_STREAM_SOURCE = 4,   /* + 16 * population: Poisson pool spikes */
    COB_STREAM_INDEP = 5,    /* + 16 * projection: independent Poisson input counts */
    COB_STREAM_VINIT = 6,    /* + 16 * population: initial membrane voltage */
    COB_STREAM_ARRIVAL = 7,  /* (id 0; index = global neuron): arrival offsets within a step */
    COB_STREAM_NOISE = 8,    /* + 16 * population: white-noise input, index = neuron */
    COB_STREAM_CROSS = 9,    /* (id 0; index = global neuron, sub = step): threshold crossing within a step */
    COB_STREAM_EMIT = 10,    /* + 16 * population (pool), index = source, sub = step: spike offset in the step */
    COB_STREAM_THIN = 11     /* + 16 * population (pool, scheduled rate), index = source, sub = step: thinning */
};
#define COB_STREAM(kind, id) ((uint32_t)(kind) + 16u * (uint32_t)(id))

/* A sequential reader of one (seed, stream, index) lane: words sub = 0, 1, 2, ... in order.
 * Used where one target needs a variable number of draws (partner sampling, delays). */
typedef struct {
    uint64_t seed;
    uint32_t stream, index;
    uint64_t block; /* next Philox block to generate */
    cob_u32x4 buf;
    uint32_t pos; /* words used in buf; 4 = empty */
} cob_rng_lane;

COB_INLINE void cob_rng_lane_init(cob_rng_lane *l, uint64_t seed, uint32_t stream, uint32_t index)
{
    l->seed = seed;
    l->stream = stream;
    l->index = index;
    l->block = 0;
    l->pos = 4;
}

COB_INLINE uint32_t cob_rng_lane_u32(cob_rng_lane *l)
{
    if (l->pos == 4) {
        l->buf = cob_philox(l->seed, l->stream, l->index, l->block++);
        l->pos = 0;
    }
    return l->buf.v[l->pos++];
}

/* Unbiased integer in [0, n) (Lemire 2019, multiply and reject), n >= 1. */
COB_INLINE uint32_t cob_rng_lane_below(cob_rng_lane *l, uint32_t n)
{
    uint64_t m = (uint64_t)cob_rng_lane_u32(l) * (uint64_t)n;
    uint32_t lo = (uint32_t)m;
    if (lo < n) {
        uint32_t t = (uint32_t)(-n) % n;
        while (lo < t) {
            m = (uint64_t)cob_rng_lane_u32(l) * (uint64_t)n;
            lo = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

#ifdef __cplusplus
}
#endif
#endif
