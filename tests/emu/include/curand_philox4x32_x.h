/* tests/emu/include/curand_philox4x32_x.h -- emulated cuRAND Philox4x32-10 bijection for the
 * emulated GPU tier: computed with cobalt's own cob_philox4x32_10 (include/cobalt/hd/philox.h),
 * so under emulation the "cuRAND agrees with ours" test (tests/test_cuda.c) is circular and
 * checks only the counter/key packing; the real comparison needs a GPU build. */
#pragma once
#include "cuda_runtime.h"
#include "cobalt/hd/philox.h"
static inline uint4 curand_Philox4x32_10(uint4 c, uint2 k)
{
    cob_u32x4 x;
    x.v[0] = c.x;
    x.v[1] = c.y;
    x.v[2] = c.z;
    x.v[3] = c.w;
    x = cob_philox4x32_10(x, k.x, k.y);
    return make_uint4(x.v[0], x.v[1], x.v[2], x.v[3]);
}
