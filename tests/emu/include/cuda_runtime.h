/* tests/emu/include/cuda_runtime.h -- host emulation of the CUDA runtime API for the emulated
 * GPU tier (tests/emu/README.md): the kernels/ .cu sources, converted at build time by
 * tests/emu/cuda_to_cpp.py, compile with g++ against this header and run on the CPU.
 *
 * Emulates: the runtime calls the backend makes (stream-ordered allocation, copies, memsets,
 * streams, events, graph capture and replay, device queries), the CUDA keywords (__global__,
 * __device__, __host__, __shared__, __restrict__, __launch_bounds__), the built-in index
 * variables, occupancy queries (fake answers: 1 block of 128 threads per SM), atomicAdd /
 * atomicMax, __syncthreads, __reduce_add_sync and kernel launches (EMU_LAUNCH, what <<<...>>> becomes).
 * Limits: one device, blocks run one after another and the threads of a block one at a time on
 * one OS thread, so inter-block races, warp-synchronous assumptions and memory-ordering bugs do
 * not show; atomics are plain read-modify-write (exact under that schedule); floating point is
 * the host compiler's (the real build must also be checked on a GPU); only the 1-D x dimension
 * of grids and blocks; __shared__ arrays are function statics (one block lives at a time).
 * Implemented in tests/emu/cuda_emu.cpp. */
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <utility>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __restrict__ __restrict
#define __launch_bounds__(...)

typedef enum {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorIllegalState = 401,
    cudaErrorStreamCaptureUnsupported = 900
} cudaError_t;
typedef cudaError_t cudaError;
struct CUstream_st;
typedef CUstream_st *cudaStream_t;
struct CUevent_st;
typedef CUevent_st *cudaEvent_t;
struct CUgraph_st;
typedef CUgraph_st *cudaGraph_t;
typedef CUgraph_st *cudaGraphExec_t;
struct CUmemPool_st;
typedef CUmemPool_st *cudaMemPool_t;
enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4
};
enum cudaStreamCaptureMode {
    cudaStreamCaptureModeGlobal = 0,
    cudaStreamCaptureModeThreadLocal = 1,
    cudaStreamCaptureModeRelaxed = 2
};
#define cudaStreamNonBlocking 1u
enum cudaMemPoolAttr {
    cudaMemPoolAttrReleaseThreshold = 4,
    cudaMemPoolAttrReservedMemCurrent = 5,
    cudaMemPoolAttrUsedMemCurrent = 7
};
enum cudaDeviceAttr { cudaDevAttrMultiProcessorCount = 16 };
struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    int major, minor, multiProcessorCount;
};
struct uint3 { unsigned x, y, z; };
struct dim3 { unsigned x, y, z; };
struct uint4 { unsigned x, y, z, w; };
struct uint2 { unsigned x, y; };
static inline uint4 make_uint4(unsigned a, unsigned b, unsigned c, unsigned d) { return uint4{a, b, c, d}; }
static inline uint2 make_uint2(unsigned a, unsigned b) { return uint2{a, b}; }
extern uint3 threadIdx, blockIdx;
extern dim3 blockDim, gridDim;

cudaError_t cudaMallocAsync(void **p, size_t bytes, cudaStream_t st);
cudaError_t cudaFreeAsync(void *p, cudaStream_t st);
cudaError_t cudaMemGetInfo(size_t *free_b, size_t *total_b);
cudaError_t cudaGetLastError(void);
cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t *p, int dev);
cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t p, cudaMemPoolAttr a, void *v);
cudaError_t cudaMemPoolGetAttribute(cudaMemPool_t p, cudaMemPoolAttr a, void *v);
cudaError_t cudaGetDeviceCount(int *n);
const char *cudaGetErrorString(cudaError_t e);
const char *cudaGetErrorName(cudaError_t e);
cudaError_t cudaRuntimeGetVersion(int *v);
cudaError_t cudaDriverGetVersion(int *v);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *p, int dev);
cudaError_t cudaSetDevice(int dev);
cudaError_t cudaGetDevice(int *dev);
cudaError_t cudaDeviceGetAttribute(int *v, cudaDeviceAttr a, int dev);
/* Resident blocks per SM of a kernel: the emulation runs one block at a time, so 1. */
template <class K>
static inline cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *n, K, int block, size_t shmem)
{
    (void)block;
    (void)shmem;
    if (!n) return cudaErrorInvalidValue;
    *n = 1;
    return cudaSuccess;
}
/* The block size of highest occupancy: a fake that answers 128 threads (at most blockSizeLimit),
 * not the COB_CUDA_BLOCK of 256 the kernels are bounded to, so the tier runs every kernel whose
 * shape comes from this query at a block size other than the fixed one; min_grid: one such block
 * on each of the 2 emulated SMs. */
template <class K>
static inline cudaError_t cudaOccupancyMaxPotentialBlockSize(int *min_grid, int *block, K, size_t shmem = 0,
                                                             int limit = 0)
{
    (void)shmem;
    if (!min_grid || !block || limit < 0) return cudaErrorInvalidValue;
    *block = limit > 0 && limit < 128 ? limit : 128;
    *min_grid = 2;
    return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void *d, const void *s, size_t n, cudaMemcpyKind k, cudaStream_t st = 0);
cudaError_t cudaMemsetAsync(void *d, int v, size_t n, cudaStream_t st = 0);
cudaError_t cudaMemcpy(void *d, const void *s, size_t n, cudaMemcpyKind k);
cudaError_t cudaMemset(void *d, int v, size_t n);
cudaError_t cudaStreamSynchronize(cudaStream_t st);
cudaError_t cudaDeviceSynchronize(void);
cudaError_t cudaEventCreate(cudaEvent_t *e);
cudaError_t cudaEventDestroy(cudaEvent_t e);
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t st = 0);
cudaError_t cudaEventSynchronize(cudaEvent_t e);
cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t a, cudaEvent_t b);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *st, unsigned flags);
cudaError_t cudaStreamDestroy(cudaStream_t st);
cudaError_t cudaStreamBeginCapture(cudaStream_t st, cudaStreamCaptureMode m);
cudaError_t cudaStreamEndCapture(cudaStream_t st, cudaGraph_t *g);
cudaError_t cudaGraphInstantiate(cudaGraphExec_t *e, cudaGraph_t g, unsigned long long flags);
cudaError_t cudaGraphLaunch(cudaGraphExec_t e, cudaStream_t st);
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t e);
cudaError_t cudaGraphDestroy(cudaGraph_t g);

/* Device intrinsics. The threads of a block are cooperative fibers on one OS thread and blocks
 * run in turn, so a plain read-modify-write is atomic. */
template <class T, class U> static inline T atomicAdd(T *p, U v)
{
    T o = *p;
    *p = (T)(o + (T)v);
    return o;
}
template <class T, class U> static inline T atomicMax(T *p, U v)
{
    T o = *p;
    if ((T)v > o) *p = (T)v;
    return o;
}
void __syncthreads(void);
/* The sum of v over the lanes of the calling warp, returned to each. Only the full mask, in
 * blocks of whole warps; every lane of the warp must call it (the emulation runs the threads as
 * fibers and holds each lane until its whole warp has arrived; a warp that reaches it in part
 * aborts). Marks the kernel as one that runs as fibers, like __syncthreads. */
unsigned int __reduce_add_sync(unsigned int mask, unsigned int v);

namespace emu {
/* COB_BLOCK_BARRIERS() (kernels/cuda_int.cuh): the kernel's barriers depend on device data (e.g.
 * a loop over tiles that may run no iteration), so it runs as fibers on every launch, not only
 * until a launch without a barrier. */
void uses_barriers(void);
#define COB_EMU_RUNTIME 1
void *dyn_shared(void); /* what `extern __shared__ T a[];` becomes: the launch's dynamic shared memory */
/* Run (or, on a capturing stream, record) body once per thread of a grid x block launch. */
void launch(const void *kernel, unsigned grid, unsigned block, size_t shmem, cudaStream_t st,
            std::function<void()> body);
template <class F> struct Launcher {
    F f;
    unsigned grid, block;
    size_t shmem;
    cudaStream_t st;
    /* The arguments are copied into the closure, as CUDA copies them into the launch. */
    template <class... A> void operator()(A... a)
    {
        F ff = f;
        launch((const void *)ff, grid, block, shmem, st, [ff, a...]() { ff(a...); });
    }
};
template <class F> Launcher<F> launcher(F f, unsigned grid, unsigned block, size_t shmem = 0, cudaStream_t st = 0)
{
    return Launcher<F>{f, grid, block, shmem, st};
}
} // namespace emu
/* name<<<grid, block, shmem, stream>>>(args) is rewritten to EMU_LAUNCH(name, grid, ...)(args). */
#define EMU_LAUNCH(f, ...) emu::launcher(&f, __VA_ARGS__)

/* For debugging: device bytes allocated and not freed, and the
 * number of graphs and graph executables alive. */
extern "C" long long cob_emu_live_bytes(void);
extern "C" int cob_emu_live_graphs(void);
