/* include/cobalt/hd/ieee_math.h -- the transcendental functions the step needs, written from IEEE basic
 * operations (+, -, *, / and exact integer/bit conversions) so that the CPU (-ffp-contract=off)
 * and the GPU (--fmad=false) produce the same bits; libm and libdevice round differently, so the
 * hot path never calls them. Accuracy: a few float ulps (tests/test_arrivals.c measures the bound
 * against double-precision libm); what matters here is determinism, not the last ulp. */
#ifndef COBALT_HD_IEEE_MATH_H
#define COBALT_HD_IEEE_MATH_H

#include <string.h>
#include "hd.h"

#ifdef __cplusplus
extern "C" {
#endif

COB_INLINE uint32_t cob_f2u(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

COB_INLINE float cob_u2f(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* log2(x) for a positive normal float x (the callers pass x in [2^-24, 1]). x = 2^e m with m in
 * [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, by its series to
 * s^9 (truncation below 4e-10). */
COB_INLINE float cob_log2f(float x)
{
    uint32_t u = cob_f2u(x);
    int32_t e = (int32_t)((u >> 23) & 0xFFu) - 127;
    float m = cob_u2f((u & 0x007FFFFFu) | 0x3F800000u), s, s2, ln;
    if (m > 1.41421356f) {
        m *= 0.5f;
        e += 1;
    }
    s = (m - 1.0f) / (m + 1.0f);
    s2 = s * s;
    ln = 2.0f * s * (1.0f + s2 * (1.0f / 3.0f + s2 * (1.0f / 5.0f + s2 * (1.0f / 7.0f + s2 * (1.0f / 9.0f)))));
    return (float)e + ln * 1.44269504f;
}

/* 2^x for x in [-125, 0] (below: 0). x = i + f with i an integer and f in [0, 1);
 * 2^f = sqrt(2) e^g, g = (f - 1/2) ln 2 in [-0.347, 0.347), by its Taylor series to g^7
 * (truncation below 1e-8); 2^i is put into the exponent bits. */
COB_INLINE float cob_exp2f(float x)
{
    int32_t i;
    float f, g, p;
    if (!(x >= -125.0f))
        return 0.0f;
    if (x > 0.0f)
        x = 0.0f;
    i = (int32_t)x; /* toward zero: i >= x */
    if ((float)i > x)
        i -= 1;
    f = x - (float)i;
    g = (f - 0.5f) * 0.693147181f;
    p = 1.0f +
        g * (1.0f +
             g * (0.5f + g * (1.0f / 6.0f +
                              g * (1.0f / 24.0f + g * (1.0f / 120.0f + g * (1.0f / 720.0f + g * (1.0f / 5040.0f)))))));
    return p * 1.41421356f * cob_u2f((uint32_t)(i + 127) << 23);
}

/* e^-x in double for x >= 0 (0 beyond 708: below the normal range), from IEEE basic operations:
 * x = k ln 2 + r with k = round(x / ln 2) and |r| <= ln(2)/2 (Cody-Waite: ln 2 in two parts, the
 * first with zero low bits so k ln2_hi is exact), e^-r by its Taylor series to r^13 (truncation
 * below 5e-18 relative), times 2^-k made from its bits. Within a few double ulps of libm's exp
 * (tests/test_poisson.c); used where the step needs e^-lambda for a lambda that changes per step
 * (scheduled independent Poisson input, hd/poisson.h). */
COB_INLINE double cob_exp_neg(double x)
{
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    int32_t k;
    double r, y, p, scale;
    uint64_t bits;
    if (!(x > 0.0))
        return 1.0;
    if (x > 708.0)
        return 0.0;
    k = (int32_t)(x * 1.44269504088896338700e+00 + 0.5);
    r = (x - (double)k * ln2_hi) - (double)k * ln2_lo;
    y = -r;
    /* sum of y^j / j! for j <= 13, Horner form with the coefficients as literals */
    p = 1.6059043836821613e-10;
    p = p * y + 2.08767569878681e-09;
    p = p * y + 2.505210838544172e-08;
    p = p * y + 2.755731922398589e-07;
    p = p * y + 2.7557319223985893e-06;
    p = p * y + 2.48015873015873e-05;
    p = p * y + 0.0001984126984126984;
    p = p * y + 0.001388888888888889;
    p = p * y + 0.008333333333333333;
    p = p * y + 0.041666666666666664;
    p = p * y + 0.16666666666666666;
    p = p * y + 0.5;
    p = p * y + 1.0;
    p = p * y + 1.0;
    bits = (uint64_t)(1023 - k) << 52;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

#ifdef __cplusplus
}
#endif
#endif
