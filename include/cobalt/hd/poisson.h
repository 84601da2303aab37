/* include/cobalt/hd/poisson.h -- Poisson draws from Philox words, shared by CPU and GPU.
 * Pool sources: one Bernoulli(p = rate * dt) per source and step, compared as integers against
 * a threshold made on the host, so both backends take the same decision bit for bit.
 * Independent input: a Poisson(lambda) count by inversion (sequential search) with e^-lambda
 * precomputed on the host in double; lambda is split into chunks of at most COB_POISSON_CHUNK
 * so that e^-lambda never underflows. Only +, *, / and comparisons run per draw: IEEE-exact on
 * both backends. Deliberate limit: cost grows linearly with lambda (fine for lambda <~ 10^3). */
#ifndef COBALT_HD_POISSON_H
#define COBALT_HD_POISSON_H

#include "philox.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_POISSON_CHUNK 64.0

/* Integer threshold for P(u32 < thr) = p, 0 <= p <= 1 (made on the host). */
COB_INLINE uint64_t cob_bernoulli_threshold(double p)
{
    if (p <= 0.0) return 0;
    if (p >= 1.0) return 4294967296ull;
    return (uint64_t)(p * 4294967296.0 + 0.5);
}

/* One Poisson variate of mean lambda_chunk (<= COB_POISSON_CHUNK), exp_neg = e^-lambda_chunk,
 * from uniform u in (0, 1]. */
COB_INLINE uint32_t cob_poisson_invert(double u, double lambda_chunk, double exp_neg)
{
    double p = exp_neg, f = exp_neg;
    uint32_t k = 0;
    while (u > f && k < 100000u) {
        k += 1;
        p *= lambda_chunk / (double)k;
        f += p;
        if (p == 0.0) break; /* tail below double resolution: u within rounding of 1 */
    }
    return k;
}

/* Poisson(lambda) with lambda = n_chunks * lambda_chunk, from the lane (seed, stream, index)
 * at sub-counter base_sub (one Philox block per chunk). */
COB_INLINE uint32_t cob_poisson_draw(uint64_t seed, uint32_t stream, uint32_t index, uint64_t base_sub,
                                     uint32_t n_chunks, double lambda_chunk, double exp_neg)
{
    uint32_t total = 0, c;
    for (c = 0; c < n_chunks; ++c) {
        cob_u32x4 w = cob_philox(seed, stream, index, base_sub + c);
        total += cob_poisson_invert(cob_u01_double(w.v[0], w.v[1]), lambda_chunk, exp_neg);
    }
    return total;
}

#ifdef __cplusplus
}
#endif
#endif
