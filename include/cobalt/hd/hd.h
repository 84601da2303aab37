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
/* A dispatcher that must fold into its caller (a switch on a constant model): inlined even
 * when the compiler's size heuristics would decline. */
#if defined(__CUDACC__)
#define COB_FORCE_INLINE static __forceinline__ COB_HD
#elif defined(__GNUC__)
#define COB_FORCE_INLINE static inline __attribute__((always_inline)) COB_HD
#else
#define COB_FORCE_INLINE COB_INLINE
#endif
/* A rare or long path kept out of a hot loop's body (the ordered step, a crossing draw), so the
 * common path stays small enough for the compiler to inline and schedule well. */
#if defined(__CUDACC__)
#define COB_NOINLINE static __noinline__ COB_HD
#elif defined(__GNUC__)
#define COB_NOINLINE static __attribute__((noinline)) COB_HD
#else
#define COB_NOINLINE static COB_HD
#endif

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
