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

#ifdef __cplusplus
}
#endif
#endif
