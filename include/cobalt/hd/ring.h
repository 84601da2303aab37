/* include/cobalt/hd/ring.h -- ring (feature-space) structure, shared by the CPU builder
 * (host/net/net.c), the CUDA builder (kernels/connect.cu) and the host's checks (host/net/ring.c).
 *
 * A population with a ring (`ring_period_deg`: 180, orientation, or 360, direction) puts neuron
 * i of N at the angle phi_i = period i / N. A projection with a `ring_kernel` draws each target's
 * fixed in-degree without replacement with probability proportional to a kernel of the angle
 * difference delta = phi_post - phi_pre, wrapped to (-period/2, period/2]; in units of the
 * period, x = delta / period in (-1/2, 1/2]:
 *   cosine        1 + p_c cos(2 pi x)            acceptance (1 + p_c cos) / (1 + |p_c|)
 *   von Mises     exp(kappa cos(2 pi x))         acceptance exp(-kappa (1 - cos))
 *   wrapped exp   exp(-|delta| / lambda)         acceptance exp(-|x| period / lambda)
 * Sampling is rejection against the kernel's maximum on the target's partner lane
 * (seed, PARTNERS(p), i): a uniform candidate c in [0, n_avail) (Lemire), then a 53-bit uniform
 * u (two more words); the candidate is accepted when u <= acceptance, and an accepted candidate
 * already taken is skipped (successive sampling proportional to the kernel, i.e. without
 * replacement; with multapses every accepted candidate is kept). x is made from integers
 * (i N_pre - j N_post, reduced mod N_pre N_post, one rounding when converted) and the acceptance
 * from IEEE basic operations only (cob_cos2pi below, cob_exp_neg of ieee_math.h), so CPU, emulated
 * CUDA and CUDA accept the same candidates. Deliberate limits: the kernel's shape only (no
 * weights that depend on the angle); the host refuses kernels whose acceptance would fall under
 * 1e-3 (host/net/ring.c), so the draw costs O(K) candidates per target. */
#ifndef COBALT_HD_RING_H
#define COBALT_HD_RING_H

#include <math.h>
#include "philox.h"
#include "ieee_math.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { COB_RING_NONE = 0, COB_RING_COSINE, COB_RING_VON_MISES, COB_RING_WRAPPED_EXP };

/* A projection's kernel as the draw needs it (made on the host, cob_ring_kern_make). */
typedef struct {
    int32_t shape;         /* COB_RING_*; NONE: the uniform draws of connect.h */
    int64_t n_pre, n_post; /* ring sizes (the populations' sizes) */
    double c0, c1;         /* cosine: c0 + c1 cos; von Mises: kappa = c1; wrapped exp: period / lambda = c1 */
} cob_ring_kern;

/* cos(2 pi x) for any finite x, from + - * only (and floor, exact): x is reduced to [0, 1/2] by
 * periodicity and parity, then to [0, 1/8] by cos(2 pi (1/2 - x)) = -cos(2 pi x) and
 * cos(2 pi (1/4 - x)) = sin(2 pi x) (the subtractions exact, Sterbenz), t = 2 pi x <= pi/4, and
 * the Taylor series of cos t to t^18 or sin t to t^17 (truncation below 3e-18). Within 4e-16 of
 * libm's cos (tests/test_ring.c). */
COB_INLINE double cob_cos2pi(double x)
{
    const double two_pi = 6.283185307179586;
    double s = 1.0, t, t2, p;
    int use_sin = 0;
    x = x < 0.0 ? -x : x; /* even */
    x = x - floor(x);     /* [0, 1), exact */
    if (x > 0.5)
        x = 1.0 - x;
    if (x > 0.25) {
        x = 0.5 - x;
        s = -1.0;
    }
    if (x > 0.125) {
        x = 0.25 - x;
        use_sin = 1;
    }
    t = two_pi * x;
    t2 = t * t;
    if (use_sin) {
        p = 2.8114572543455206e-15; /* 1/17! */
        p = p * t2 - 7.647163731819816e-13;
        p = p * t2 + 1.6059043836821613e-10;
        p = p * t2 - 2.505210838544172e-08;
        p = p * t2 + 2.755731922398589e-06;
        p = p * t2 - 0.0001984126984126984;
        p = p * t2 + 0.008333333333333333;
        p = p * t2 - 0.16666666666666666;
        p = p * t2 + 1.0;
        return s * (p * t);
    }
    p = 1.5619206968586225e-16; /* 1/18! */
    p = p * t2 - 4.779477332387385e-14;
    p = p * t2 + 1.1470745597729725e-11;
    p = p * t2 - 2.08767569878681e-09;
    p = p * t2 + 2.755731922398589e-07;
    p = p * t2 - 2.48015873015873e-05;
    p = p * t2 + 0.001388888888888889;
    p = p * t2 - 0.041666666666666664;
    p = p * t2 + 0.5;
    p = 1.0 - p * t2;
    return s * p;
}

/* phi_i / period - phi_j / period for neuron i of a ring of n_i and neuron j of a ring of n_j,
 * wrapped to (-1/2, 1/2]: exact in integers (|i n_j - j n_i| < 2^62), one rounding at the end. */
COB_INLINE double cob_ring_dx(int64_t i, int64_t n_i, int64_t j, int64_t n_j)
{
    int64_t m = n_i * n_j, d = i * n_j - j * n_i;
    if (2 * d > m)
        d -= m;
    else if (2 * d <= -m)
        d += m;
    return (double)d / (double)m;
}

/* The kernel relative to its maximum at x (units of the period, |x| <= 1/2): in [0, 1]. */
COB_INLINE double cob_ring_accept(const cob_ring_kern *k, double x)
{
    switch (k->shape) {
    case COB_RING_COSINE: return k->c0 + k->c1 * cob_cos2pi(x);
    case COB_RING_VON_MISES: return cob_exp_neg(k->c1 * (1.0 - cob_cos2pi(x)));
    case COB_RING_WRAPPED_EXP: return cob_exp_neg(k->c1 * (x < 0.0 ? -x : x));
    default: return 1.0;
    }
}

/* One rejection step for target i of a kernel projection: draws candidate *c in [0, n_avail)
 * (presynaptic neuron c, or cob_skip_self's c + (c >= i) when skip_self) and a 53-bit uniform
 * from lane l; 1 when the kernel accepts it. Duplicates are the caller's (its mark array or
 * hash set), so the host and the device builders share this draw word for word. */
COB_INLINE int cob_ring_candidate(cob_rng_lane *l, const cob_ring_kern *k, int64_t n_avail, int skip_self, int64_t i,
                                  int32_t *c)
{
    int32_t cand = (int32_t)cob_rng_lane_below(l, (uint32_t)n_avail);
    int64_t pre = skip_self && cand >= i ? (int64_t)cand + 1 : (int64_t)cand;
    uint32_t hi = cob_rng_lane_u32(l), lo = cob_rng_lane_u32(l);
    double u = cob_u01_double(hi, lo);
    *c = cand;
    return u <= cob_ring_accept(k, cob_ring_dx(i, k->n_post, pre, k->n_pre));
}

#ifdef __cplusplus
}
#endif
#endif
