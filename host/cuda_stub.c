/* host/cuda_stub.c -- the CUDA backend entry points when cobalt is built without CUDA
 * (no nvcc at configure time, or -DCOBALT_CUDA=OFF). With CUDA, kernels/cuda_backend.cu
 * defines them instead. */
#ifndef COBALT_HAVE_CUDA
#include <stdio.h>
#include "cobalt/sim.h"

const cob_backend_ops *cob_cuda_backend(void) { return NULL; }

int cob_cuda_available(void) { return 0; }

int cob_cuda_describe(char *buf, size_t len)
{
    snprintf(buf, len, "CUDA backend not built (no CUDA compiler at configure time)\n");
    return 0;
}
#else
typedef int cob__cuda_stub_unused; /* ISO C wants a non-empty translation unit */
#endif
