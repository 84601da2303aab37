/* include/cobalt/hd/hd.h -- portability layer shared by C (host/) and CUDA (kernels/).
 * Every header in hd/ compiles as C11 and as CUDA C++; no VLAs, no compound literals. */
#ifndef COBALT_HD_HD_H
#define COBALT_HD_HD_H

#include <stdint.h>

#ifdef __CUDACC__
#define COB_HD __host__ __device__
#else
#define COB_HD
#endif
#define COB_INLINE static inline COB_HD

/* Integer ceiling division, defined once for the whole project. */
#define COB_CEIL_DIV(a, b) (((a) + (b)-1) / (b))

/* x^n for a non-negative integer n by binary exponentiation in float.
 * Only IEEE multiplies, so CPU (-ffp-contract=off) and GPU (--fmad=false) agree bit for bit;
 * powf() would not (libm and libdevice round differently). */
COB_INLINE float cob_powi(float x, uint32_t n)
{
    float r = 1.0f;
    while (n) {
        if (n & 1u)
            r *= x;
        x *= x;
        n >>= 1;
    }
    return r;
}

#endif
