/* kernels/cuda_backend.cu -- CUDA side of cobalt. This version provides device discovery
 * (cob_cuda_available, cob_cuda_describe for `cobalt info` and --backend auto); the CUDA
 * simulation backend (kernels around include/cobalt/hd/) is not implemented yet, so
 * cob_cuda_backend() returns NULL and --backend cuda is refused with a clear message. */
#include <cstdio>
#include <cuda_runtime.h>
#include "cobalt/sim.h"

extern "C" const cob_backend_ops *cob_cuda_backend(void) { return NULL; }

extern "C" int cob_cuda_available(void)
{
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError(); /* clear the sticky "no driver" error */
        return 0;
    }
    return n > 0;
}

extern "C" int cob_cuda_describe(char *buf, size_t len)
{
    int n = 0, d, rv = 0;
    size_t used = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        snprintf(buf, len, "no CUDA device (%s)\n", cudaGetErrorString(e));
        cudaGetLastError();
        return 0;
    }
    cudaRuntimeGetVersion(&rv);
    buf[0] = '\0';
    for (d = 0; d < n && used < len; ++d) {
        cudaDeviceProp p;
        if (cudaGetDeviceProperties(&p, d) != cudaSuccess) continue;
        used += (size_t)snprintf(buf + used, len - used, "device %d: %s, %.1f GiB, compute capability %d.%d, runtime %d\n",
                                 d, p.name, p.totalGlobalMem / 1073741824.0, p.major, p.minor, rv);
    }
    return n;
}
