/* include/cobalt/hd/arrivals.h -- the arrivals of one neuron's step in time order, for the
 * event-ordered integrator (run.integrator: ordered; docs/numerics.md).
 *
 * A step of dt is COB_TICKS ticks. Given the step's counts per channel (what delivery gathered),
 * the arrivals get offsets in ticks that are independent and uniform in [0, COB_TICKS) (Poisson
 * arrivals are uniform within a step, and so are recurrent ones under a continuous delay), drawn
 * from Philox keyed by (seed, neuron, step), and are handed out in time order. Two exact ways, the
 * choice fixed by the total M (so every backend makes the same one):
 *   M <= COB_ARRIVALS_SORT_MAX: arrival e (channel c for end[c-1] <= e < end[c]) gets 16 bits of
 *     block e / 8 of stream (COB_STREAM_ARRIVAL, 0); the keys tick << 16 | e are sorted (equal
 *     ticks go by channel, then index);
 *   larger M: each channel's n offsets are generated already sorted, as successive order
 *     statistics (the remaining fraction y of the step shrinks by V^(1/m), V uniform, m the
 *     arrivals still to come on the channel; stream (COB_STREAM_ARRIVAL, 1 + c)), and the
 *     channels are merged by earliest tick (ties: lower channel). O(1) memory and O(M) work
 *     however large M is (up to 4 x 65535).
 * Only integer operations and IEEE basic float operations (hd/ieee_math.h): the same sequence on the
 * CPU and the GPU. */
#ifndef COBALT_HD_ARRIVALS_H
#define COBALT_HD_ARRIVALS_H

#include "hd.h"
#include "input.h"
#include "ieee_math.h"
#include "philox.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_TICKS_LOG2 16
#define COB_TICKS (1u << COB_TICKS_LOG2) /* ticks per step: offsets are tick / COB_TICKS of dt */
#define COB_ARRIVALS_SORT_MAX 32         /* part of the definition: both backends switch here */

typedef struct {
    uint64_t seed, sub0; /* Philox key; counter sub = sub0 | block (sub0 = step << 16) */
    uint32_t neuron;     /* Philox index: the global neuron index */
    uint32_t n;          /* arrivals in this step */
    int32_t n_channels;
    uint32_t pos;                        /* sorted path: next key */
    uint32_t end[COB_MAX_CHANNELS];      /* sorted path: cumulative counts */
    uint32_t key[COB_ARRIVALS_SORT_MAX]; /* sorted path: tick << 16 | e, ascending */
    uint32_t left[COB_MAX_CHANNELS];     /* merged path: arrivals still to come per channel */
    uint32_t drawn[COB_MAX_CHANNELS];    /* merged path: uniforms used per channel */
    uint32_t head[COB_MAX_CHANNELS];     /* merged path: tick of the channel's next arrival */
    float rest[COB_MAX_CHANNELS];        /* merged path: fraction of the step after that arrival */
} cob_arrivals;

/* Offset in ticks of arrival e of the sorted path, from block b of its stream. */
COB_INLINE uint32_t cob_arrivals_tick(const cob_u32x4 *b, uint32_t e)
{
    uint32_t w = b->v[(e >> 1) & 3u];
    return (e & 1u) ? w >> 16 : w & 0xFFFFu;
}

/* Merged path: draw channel c's next arrival (of m = left[c] still to come). */
COB_INLINE void cob_arrivals_advance(cob_arrivals *a, int32_t c)
{
    uint32_t k = a->drawn[c]++, u, t;
    cob_u32x4 b = cob_philox(a->seed, COB_STREAM(COB_STREAM_ARRIVAL, 1 + c), a->neuron, a->sub0 | (uint64_t)(k >> 2));
    float v, x;
    u = b.v[k & 3u];
    v = (float)((u >> 8) + 1u) * (1.0f / 16777216.0f); /* (0, 1] */
    a->rest[c] *= cob_exp2f(cob_log2f(v) / (float)a->left[c]);
    x = (1.0f - a->rest[c]) * (float)COB_TICKS;
    t = (uint32_t)x;
    a->head[c] = t < COB_TICKS ? t : COB_TICKS - 1u;
}

/* Start the arrivals of neuron `neuron` at step t (t < 2^48) with counts in->count[0 ..
 * n_channels). */
COB_INLINE void cob_arrivals_begin(cob_arrivals *a, uint64_t seed, uint32_t neuron, uint64_t t, const cob_input *in,
                                   int32_t n_channels)
{
    uint32_t n = 0, e, k = 0;
    int32_t c;
    a->seed = seed;
    a->sub0 = t << 16;
    a->neuron = neuron;
    a->n_channels = n_channels;
    a->pos = 0;
    for (c = 0; c < n_channels; ++c) {
        n += in->count[c];
        a->end[c] = n;
    }
    a->n = n;
    if (n > COB_ARRIVALS_SORT_MAX) {
        for (c = 0; c < n_channels; ++c) {
            a->left[c] = in->count[c];
            a->drawn[c] = 0;
            a->rest[c] = 1.0f;
            if (a->left[c])
                cob_arrivals_advance(a, c);
        }
        return;
    }
    for (e = 0; e < n; e += 8) {
        cob_u32x4 b = cob_philox(seed, COB_STREAM(COB_STREAM_ARRIVAL, 0), neuron, a->sub0 | (uint64_t)(e >> 3));
        uint32_t f;
        for (f = e; f < n && f < e + 8; ++f) {
            uint32_t key = (cob_arrivals_tick(&b, f) << 16) | f, j = k++;
            while (j > 0 && a->key[j - 1] > key) {
                a->key[j] = a->key[j - 1];
                --j;
            }
            a->key[j] = key;
        }
    }
}

/* The next arrival in time order: its tick and channel. Returns 0 when there is none left. */
COB_INLINE int cob_arrivals_next(cob_arrivals *a, uint32_t *tick, int32_t *channel)
{
    int32_t c, best = -1;
    if (a->n <= COB_ARRIVALS_SORT_MAX) {
        uint32_t key, e;
        if (a->pos == a->n)
            return 0;
        key = a->key[a->pos++];
        e = key & 0xFFFFu;
        c = 0;
        while (c < a->n_channels - 1 && e >= a->end[c]) ++c;
        *tick = key >> 16;
        *channel = c;
        return 1;
    }
    for (c = 0; c < a->n_channels; ++c)
        if (a->left[c] && (best < 0 || a->head[c] < a->head[best]))
            best = c;
    if (best < 0)
        return 0;
    *tick = a->head[best];
    *channel = best;
    if (--a->left[best])
        cob_arrivals_advance(a, best);
    return 1;
}

#ifdef __cplusplus
}
#endif
#endif
