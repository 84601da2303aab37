// perf/atomics.cu -- throughput of random 32-bit atomicAdd on the device, the operation spike
// delivery is made of (one increment of an input-count cell per synaptic event). Arrays from
// L2-sized to far beyond L2 show what delivery costs when its accumulator stays in L2 (the
// arrival-time design of the CUDA second pass) and when it does not (a delay ring of
// slots x channels x N cells, 808 MB at N = 10^6 with 101 slots). Each thread adds 1 to
// pseudo-random cells (a multiplicative hash of thread and iteration, uniform over the array),
// timed with CUDA events after a warm-up launch; the figure is the median of the repetitions.
// The sum of all cells is checked against the number of adds (every atomic counted). Every
// CUDA call is checked; any failure exits 1 with the call, file, line and CUDA's message.
//
//   nvcc -O3 -arch=native -o build/atomics perf/atomics.cu
//   build/atomics [REPS (default 10)] [DEVICE (default 0)]
//
// Output: one line per array size, then one JSON line
// {"device": NAME, "l2_bytes": B, "sizes_mb": [...], "gatomics_per_s": [...]}
// (G = 1e9 atomic adds per second).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CK(call)                                                                                 \
    do {                                                                                         \
        cudaError_t e_ = (call);                                                                 \
        if (e_ != cudaSuccess) {                                                                 \
            std::fprintf(stderr, "atomics: %s failed at %s:%d: %s\n", #call, __FILE__, __LINE__, \
                         cudaGetErrorString(e_));                                                \
            std::exit(1);                                                                        \
        }                                                                                        \
    } while (0)

// Cell of the k-th add of thread i: a 64-bit multiplicative hash, reduced to [0, n) by the high
// bits of a 64 x 32 product (no modulo, uniform to within 2^-32).
__device__ static uint32_t cell_of(uint64_t i, uint32_t k, uint32_t n)
{
    uint64_t h = (i * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)k * 0xC2B2AE3D27D4EB4Full);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return (uint32_t)(((h & 0xFFFFFFFFull) * (uint64_t)n) >> 32);
}

__global__ void add_kernel(uint32_t *cells, uint32_t n, uint32_t per_thread)
{
    const uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x;
    for (uint32_t k = 0; k < per_thread; ++k) atomicAdd(cells + cell_of(i, k, n), 1u);
}

__global__ void sum_kernel(const uint32_t *cells, uint32_t n, unsigned long long *out)
{
    unsigned long long s = 0;
    for (uint64_t i = (uint64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (uint64_t)gridDim.x * blockDim.x)
        s += cells[i];
    atomicAdd(out, s);
}

int main(int argc, char **argv)
{
    const int reps = argc > 1 ? std::atoi(argv[1]) : 10, dev = argc > 2 ? std::atoi(argv[2]) : 0;
    const double sizes_mb[] = {4, 16, 32, 128, 1024, 4096};
    const int block = 256, per_thread = 64;
    cudaDeviceProp prop;
    size_t free_b = 0, total_b = 0;
    std::vector<double> rate;
    if (reps < 1) {
        std::fprintf(stderr, "atomics: REPS must be >= 1\n");
        return 1;
    }
    CK(cudaSetDevice(dev));
    CK(cudaGetDeviceProperties(&prop, dev));
    CK(cudaMemGetInfo(&free_b, &total_b));
    const int grid = prop.multiProcessorCount * 8;
    const double adds = (double)grid * block * per_thread;
    unsigned long long *d_sum;
    cudaEvent_t e0, e1;
    CK(cudaMalloc(&d_sum, sizeof *d_sum));
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    std::vector<double> used_mb;
    for (double mb : sizes_mb) {
        size_t bytes = (size_t)(mb * 1048576.0);
        uint32_t n = (uint32_t)(bytes / 4), *cells;
        unsigned long long sum = 0;
        std::vector<float> ms;
        if (bytes > free_b / 2)
            continue; // leave room: a machine with less memory measures what fits
        CK(cudaMalloc(&cells, bytes));
        CK(cudaMemset(cells, 0, bytes));
        add_kernel<<<grid, block>>>(cells, n, per_thread); // warm-up (and TLB, L2 fill)
        CK(cudaGetLastError());
        for (int r = 0; r < reps; ++r) {
            float t = 0.0f;
            CK(cudaEventRecord(e0));
            add_kernel<<<grid, block>>>(cells, n, per_thread);
            CK(cudaGetLastError());
            CK(cudaEventRecord(e1));
            CK(cudaEventSynchronize(e1));
            CK(cudaEventElapsedTime(&t, e0, e1));
            ms.push_back(t);
        }
        CK(cudaMemset(d_sum, 0, sizeof *d_sum));
        sum_kernel<<<grid, block>>>(cells, n, d_sum);
        CK(cudaGetLastError());
        CK(cudaMemcpy(&sum, d_sum, sizeof sum, cudaMemcpyDeviceToHost));
        if ((double)sum != adds * (reps + 1)) {
            std::fprintf(stderr, "atomics: %g MB: %llu increments counted, %.0f made\n", mb, sum, adds * (reps + 1));
            return 1;
        }
        std::sort(ms.begin(), ms.end());
        double med = ms[ms.size() / 2], g = adds / (med * 1e-3) / 1e9;
        std::printf("random atomicAdd, %7.0f MB array (%s L2 of %d MB): %.2f G/s (median of %d, %.3f ms)\n", mb,
                    bytes <= (size_t)prop.l2CacheSize ? "within" : "beyond", prop.l2CacheSize >> 20, g, reps, med);
        rate.push_back(g);
        used_mb.push_back(mb);
        CK(cudaFree(cells));
    }
    std::printf("{\"device\": \"%s\", \"l2_bytes\": %d, \"sizes_mb\": [", prop.name, prop.l2CacheSize);
    for (size_t i = 0; i < used_mb.size(); ++i) std::printf("%s%.0f", i ? ", " : "", used_mb[i]);
    std::printf("], \"gatomics_per_s\": [");
    for (size_t i = 0; i < rate.size(); ++i) std::printf("%s%.3f", i ? ", " : "", rate[i]);
    std::printf("]}\n");
    CK(cudaFree(d_sum));
    return 0;
}
