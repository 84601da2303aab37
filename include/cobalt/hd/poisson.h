/* include/cobalt/hd/poisson.h -- Poisson draws from Philox words, shared by CPU and GPU.
 * Pool sources: a Bernoulli(p = rate * dt) process per source, drawn as geometric gaps by
 * integer table inversion (cob_geometric_gap), so both backends take the same decisions.
 * Independent input: a Poisson(lambda) count by inversion (sequential search) with e^-lambda
 * precomputed on the host in double; lambda is split into chunks of at most COB_POISSON_CHUNK
 * so that e^-lambda never underflows. Only +, *, / and comparisons run per draw: IEEE-exact on
 * both backends. Deliberate limit: cost grows linearly with lambda (fine for lambda <~ 10^3). */
#ifndef COBALT_HD_POISSON_H
#define COBALT_HD_POISSON_H

#include "ieee_math.h"
#include "philox.h"
#include "schedule.h"
#include "tuning.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_POISSON_CHUNK 64.0

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
        if (p == 0.0)
            break; /* tail below double resolution: u within rounding of 1 */
    }
    return k;
}

/* cob_poisson_invert from a table (the CPU backend's fast path for a constant mean): the
 * inversion's partial sums f_k depend only on (lambda_chunk, exp_neg), so they are computed
 * once, by the same operations in the same order, and a draw searches them. The loop returns
 * the first k with u <= f_k, or m, the first k >= 1 whose term p_k underflowed to 0 (or the
 * 100000 cap): the table holds f_0 .. f_{m-1} and the search stops at m, so every draw gives
 * the loop's value bit for bit (tests/test_poisson.c checks it over u and lambda). A guide of
 * COB_POISSON_GUIDE + 2 entries (guide[g] = first k with f_k >= g / COB_POISSON_GUIDE, a power
 * of two, so u * COB_POISSON_GUIDE is exact; guide[COB_POISSON_GUIDE + 1] = m) brackets the
 * answer for u in [g, g + 1) / COB_POISSON_GUIDE between guide[g] and guide[g + 1]: for most g
 * the two are equal and the draw needs no comparison (a branch that is almost always taken). */
#define COB_POISSON_GUIDE 1024

/* m for (lambda_chunk, exp_neg): the number of partial sums the table holds. */
COB_INLINE int32_t cob_poisson_cdf_terms(double lambda_chunk, double exp_neg)
{
    double p = exp_neg;
    uint32_t k = 0;
    while (k < 100000u) {
        k += 1;
        p *= lambda_chunk / (double)k;
        if (p == 0.0)
            break;
    }
    return (int32_t)k;
}

/* Fill f[0 .. m-1] (m from cob_poisson_cdf_terms) and guide[0 .. COB_POISSON_GUIDE + 1]. */
COB_INLINE void cob_poisson_cdf_fill(double lambda_chunk, double exp_neg, int32_t m, double *f, uint32_t *guide)
{
    double p = exp_neg, s = exp_neg;
    int32_t k, g, j = 0;
    f[0] = s;
    for (k = 1; k < m; ++k) {
        p *= lambda_chunk / (double)k;
        s += p;
        f[k] = s;
    }
    for (g = 0; g <= COB_POISSON_GUIDE; ++g) {
        const double x = (double)g / (double)COB_POISSON_GUIDE;
        while (j < m && f[j] < x) ++j;
        guide[g] = (uint32_t)j;
    }
    guide[COB_POISSON_GUIDE + 1] = (uint32_t)m;
}

/* The draw for u in (0, 1]: equal to cob_poisson_invert(u, lambda_chunk, exp_neg). */
COB_INLINE uint32_t cob_poisson_cdf_draw(double u, const double *f, int32_t m, const uint32_t *guide)
{
    const int32_t g = (int32_t)(u * (double)COB_POISSON_GUIDE);
    uint32_t k = guide[g];
    if (k != guide[g + 1])
        while ((int32_t)k < m && u > f[k]) ++k;
    return k;
}

/* The uniform of a one-chunk draw at step t from its Philox block (t / 4): word t % 4. */
COB_INLINE double cob_poisson_u(uint32_t word)
{
    return ((double)word + 1.0) * (1.0 / 4294967296.0);
}

/* Poisson(lambda) count of step t for lane (seed, stream, index); lambda = n_chunks * lambda_chunk.
 * One chunk: the 32-bit word t % 4 of Philox block t / 4 (one block serves four steps).
 * Several chunks: one block per chunk at sub-counter 2^62 | t << 8 | chunk (n_chunks <= 256). */
COB_INLINE uint32_t cob_poisson_step(uint64_t seed, uint32_t stream, uint32_t index, uint64_t t, uint32_t n_chunks,
                                     double lambda_chunk, double exp_neg)
{
    uint32_t total = 0, c;
    if (n_chunks == 0)
        return 0;
    if (n_chunks == 1) {
        cob_u32x4 w = cob_philox(seed, stream, index, t >> 2);
        return cob_poisson_invert(cob_poisson_u(w.v[t & 3u]), lambda_chunk, exp_neg);
    }
    for (c = 0; c < n_chunks; ++c) {
        cob_u32x4 w = cob_philox(seed, stream, index, (1ull << 62) | (t << 8) | c);
        total += cob_poisson_invert(cob_u01_double(w.v[0], w.v[1]), lambda_chunk, exp_neg);
    }
    return total;
}

/* Pool sources fire in each step with probability p (a Bernoulli process), drawn as geometric
 * gaps between spikes by integer inversion: thr[k] = floor(P(gap <= k + 1) 2^64), k < len,
 * made on the host. A draw beyond the table adds len steps and draws again (the geometric law
 * is memoryless), so the table length changes the cost, never the law. One Philox block per
 * draw at sub-counter *n_draws of the source's lane. Exact and identical on CPU and GPU. */
COB_INLINE int64_t cob_geometric_gap(uint64_t seed, uint32_t stream, uint32_t index, uint32_t *n_draws,
                                     const uint64_t *thr, int32_t len)
{
    int64_t gap = 0;
    for (;;) {
        cob_u32x4 w = cob_philox(seed, stream, index, (*n_draws)++);
        uint64_t u = ((uint64_t)w.v[0] << 32) | w.v[1];
        if (u < thr[len - 1]) {
            int32_t lo = 0, hi = len - 1;
            while (lo < hi) {
                int32_t mid = (lo + hi) / 2;
                if (u < thr[mid])
                    hi = mid;
                else
                    lo = mid + 1;
            }
            return gap + lo + 1;
        }
        gap += len;
    }
}

/* Step of the next spike of pool source (seed, stream, index) after step t_last (-1: its first
 * spike), for spike probability p per step: INT64_MAX when p <= 0 (never), every step when
 * p >= 1, otherwise after a geometric gap (thr, len: cob_geometric_table(p)). */
COB_INLINE int64_t cob_pool_next(uint64_t seed, uint32_t stream, uint32_t index, int64_t t_last, double p,
                                 uint32_t *n_draws, const uint64_t *thr, int32_t len)
{
    if (p <= 0.0)
        return INT64_MAX;
    if (p >= 1.0)
        return t_last + 1;
    return t_last + cob_geometric_gap(seed, stream, index, n_draws, thr, len);
}

/* A mean that changes from step to step (independent input with a scheduled rate: lambda =
 * K_i rate(t) dt) split as the host splits a constant one: n = ceil(lambda / COB_POISSON_CHUNK)
 * chunks of lambda / n, with e^-chunk from the libm-free cob_exp_neg instead of a host table, so
 * CPU and GPU get the same bits. n = 0 for lambda <= 0. */
COB_INLINE void cob_poisson_split(double lambda, uint32_t *n_chunks, double *chunk, double *exp_neg)
{
    uint32_t n;
    if (!(lambda > 0.0)) {
        *n_chunks = 0;
        *chunk = 0.0;
        *exp_neg = 1.0;
        return;
    }
    n = (uint32_t)(lambda / COB_POISSON_CHUNK);
    if ((double)n * COB_POISSON_CHUNK < lambda)
        n += 1;
    *n_chunks = n;
    *chunk = lambda / (double)n;
    *exp_neg = cob_exp_neg(*chunk);
}

/* Poisson(lambda) count of step t for such a mean: the same Philox words as cob_poisson_step. */
COB_INLINE uint32_t cob_poisson_step_lambda(uint64_t seed, uint32_t stream, uint32_t index, uint64_t t, double lambda)
{
    uint32_t n;
    double chunk, e;
    cob_poisson_split(lambda, &n, &chunk, &e);
    return cob_poisson_step(seed, stream, index, t, n, chunk, e);
}

/* The mean of an independent input's count in one step for target i of in-degree k, lam = rate(t)
 * dt: k lam, times the target's gain when the input is tuned (hd/tuning.h). One expression for
 * both backends. */
COB_INLINE double cob_tuned_lambda(int32_t k, double lam, const cob_tuning *tu, int64_t i)
{
    return tu->shape == COB_TUNE_NONE ? (double)k * lam : (double)k * lam * cob_tuning_gain(tu, i);
}

/* A pool whose rate follows a schedule (hd/schedule.h): its sources draw candidate spikes as a
 * Bernoulli process of the schedule's largest rate (geometric gaps, cob_pool_next with
 * p_max = rate_max dt) and keep a candidate of step t with probability rate(t) / rate_max
 * (thinning): the kept spikes are Bernoulli(rate(t) dt) in every step, independently, which is
 * the discrete-time inhomogeneous Poisson process exactly (up to the 2^-53 grid of the uniform).
 * The uniform is Philox (seed, THIN(pop), source, t): one block per candidate, no state. */
typedef struct {
    int32_t on;        /* 1: the rate follows the schedule (else the constant path) */
    float rate_max;    /* largest value of rate, Hz (> 0 when on); tuned: of rate times the gain */
    cob_schedule rate; /* Hz by step */
    cob_tuning tune;   /* a tuned pool (hd/tuning.h): source j's rate is rate(t) g(j) */
} cob_rate_sched;

/* Keep the candidate of step t of source index with probability rate gain / rate_max (gain: the
 * source's tuning, 1.0 -- an exact no-op -- for an untuned pool). */
COB_INLINE int cob_pool_keep(uint64_t seed, int32_t pop, uint32_t index, int64_t t, float rate, float rate_max,
                             double gain)
{
    cob_u32x4 w = cob_philox(seed, COB_STREAM(COB_STREAM_THIN, pop), index, (uint64_t)t);
    return cob_u01_double(w.v[0], w.v[1]) * (double)rate_max <= (double)rate * gain;
}

#ifdef __cplusplus
}
#endif
#endif
