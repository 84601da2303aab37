/* include/cobalt/hd/connect.h -- the random draws that define a network, shared by the CPU
 * builder (host/net/net.c) and the CUDA builder, so both build the same graph for the same seed.
 *
 * For target i of projection p:
 *   in-degree  K_i = K                                   (cv_indegree == 0, K rounded)
 *              K_i = clip(round(K + cv K z_i), 0, n_max)  z_i ~ N(0,1) by Box-Muller from
 *                                                        philox(seed, INDEGREE(p), i, 0)
 *   partners   Floyd's algorithm (without replacement) or K_i uniform draws (with), all from the
 *              lane (seed, PARTNERS(p), i); candidate c maps to presynaptic index c + (c >= i)
 *              when autapses are excluded; sorted ascending afterwards;
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

#ifdef __cplusplus
}
#endif
#endif
