/* include/cobalt/hd/connect.h -- the random draws that define a network, shared by the CPU
 * builder (host/net/net.c) and the CUDA builder, so both build the same graph for the same seed.
 *
 * For target i of projection p:
 *   in-degree  K_i = K                                   (cv_indegree == 0, K rounded)
 *              K_i = clip(round(K + cv K z_i), 0, n_max)  z_i ~ N(0,1) by Box-Muller from
 *                                                        philox(seed, INDEGREE(p), i, 0)
 *   partners   Floyd's algorithm (without replacement) or K_i uniform draws (with), all from the
 *              lane (seed, PARTNERS(p), i); candidate c maps to presynaptic index c + (c >= i)
 *              when autapses are excluded; sorted ascending afterwards; with a ring kernel the
 *              rejection draw of hd/ring.h on the same lane instead;
 *   delays     one uniform integer in [d_min, d_max] steps per synapse, in sorted partner order,
 *              from the lane (seed, DELAYS(p), i).
 * Nested projections (`nested: true`) draw instead the first K_i *distinct* values of the
 * partner lane (uniform draws, repeats skipped; with multapses, the first K_i draws) and give
 * the m-th partner drawn the m-th delay of the delay lane, unsorted: the partners and delays at
 * in-degree K are a prefix of those at any K' > K, so the graph at K is a subgraph of the graph
 * at K' (Floyd's algorithm, the default, has no such prefix property).
 * Deliberate limit: Box-Muller uses log/sqrt/cos in double; libm and CUDA agree to a few ulp,
 * so K_i can differ only if K + cv K z lands within ~1e-15 of a half-integer (docs/numerics.md). */
#ifndef COBALT_HD_CONNECT_H
#define COBALT_HD_CONNECT_H

#include <math.h>
#include "philox.h"

#ifdef __cplusplus
extern "C" {
#endif

COB_INLINE int32_t cob_indegree_draw(uint64_t seed, uint32_t i_proj, uint32_t i_target, double k_mean, double cv,
                                     int64_t n_max)
{
    double k = k_mean;
    int64_t r;
    if (cv > 0.0) {
        cob_u32x4 w = cob_philox(seed, COB_STREAM(COB_STREAM_INDEGREE, i_proj), i_target, 0);
        double u1 = cob_u01_double(w.v[0], w.v[1]), u2 = cob_u01_double(w.v[2], w.v[3]);
        double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        k = k_mean + cv * k_mean * z;
    }
    r = (int64_t)floor(k + 0.5);
    if (r < 0)
        r = 0;
    if (r > n_max)
        r = n_max;
    return (int32_t)r;
}

/* Presynaptic index of candidate c for target i when autapses are excluded (pre == post). */
COB_INLINE int32_t cob_skip_self(int32_t c, int32_t i_target)
{
    return c + (c >= i_target);
}

/* Delay in steps, uniform on [d_min, d_max]; draws nothing when d_min == d_max. */
COB_INLINE uint16_t cob_delay_draw(cob_rng_lane *l, uint16_t d_min, uint16_t d_max)
{
    if (d_max <= d_min)
        return d_min;
    return (uint16_t)(d_min + cob_rng_lane_below(l, (uint32_t)(d_max - d_min) + 1u));
}

/* ---- continuous delays (the ordered integrator, run.integrator: ordered) ----
 * Under the ordered step a spike has an offset s within its step and a delay is a time, not a
 * whole number of steps: the spike arrives at t + s + d, i.e. floor((s + d) / dt) steps later,
 * at least one (the step that emitted it is over). Delivery keeps integer counts per step (the
 * offset within the arrival step is drawn afresh there, hd/arrivals.h); what the step of arrival
 * needs is s and d to 1/256 of a step:
 *   COB_DFRAC_NONE   d a whole number of steps (the grid, or a fixed delay on the grid): every
 *                    arrival d steps after the spike, as in the grid step;
 *   COB_DFRAC_CONST  one fixed delay D + f/256 steps for every synapse of the projection;
 *   COB_DFRAC_HASH   delays uniform on [D_lo, D_hi + 1) steps: the whole part D drawn per synapse
 *                    from the delay lane (cob_delay_draw on [D_lo, D_hi]), the fraction
 *                    f = cob_delay_frac(key, pre, post) of the synapse, a fixed function of its
 *                    two ends (so nothing more is stored per synapse; uniform on 0..255 and
 *                    unrelated to D, tests/test_connect.c). */
#define COB_DFRAC_NONE 0
#define COB_DFRAC_CONST 1
#define COB_DFRAC_HASH 2

/* The 32-bit finaliser of MurmurHash3 (a bijection with full avalanche). */
COB_INLINE uint32_t cob_mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    x *= 0xC2B2AE35u;
    x ^= x >> 16;
    return x;
}

/* Fraction of a step (0..255, in 1/256) of the delay of synapse pre -> post of the projection
 * whose key is key (cob_delay_frac_key). */
COB_INLINE uint32_t cob_delay_frac(uint32_t key, uint32_t pre, uint32_t post)
{
    return cob_mix32(cob_mix32(key ^ pre) + post) >> 24;
}

/* The projection's key: the first word of Philox(seed, DELAYS(p), index 0xFFFFFFFF), a counter
 * no target's delay lane reaches. */
COB_INLINE uint32_t cob_delay_frac_key(uint64_t seed, uint32_t i_proj)
{
    return cob_philox(seed, COB_STREAM(COB_STREAM_DELAYS, i_proj), 0xFFFFFFFFu, 0xFFFFFFFFFFFFull).v[0];
}

/* Steps from a spike at offset s8/256 of its step to the arrival over a delay of d + f/256 steps:
 * d + floor((s8 + f) / 256), at least 1. */
COB_INLINE int32_t cob_arrival_steps(int32_t d, uint32_t s8, uint32_t f)
{
    int32_t k = d + (int32_t)((s8 + f) >> 8);
    return k < 1 ? 1 : k;
}

/* Offset (in 1/256 of the step) of a pool source's spike: Poisson spikes are uniform in time. */
COB_INLINE uint32_t cob_pool_spike_tick(uint64_t seed, int pop, uint32_t j, int64_t t)
{
    return cob_philox(seed, COB_STREAM(COB_STREAM_EMIT, pop), j, (uint64_t)t).v[0] >> 24;
}

#ifdef __cplusplus
}
#endif
#endif
