// perf/bandwidth.cu -- the device memory bandwidth that perf/bench_gpu.py divides its byte
// model by ("% of the bandwidth floor", perf/README.md). Three tests over buffers of at least
// 1 GiB each (default 2 GiB, reduced to what fits): a device-to-device cudaMemcpy, a kernel
// reading one buffer and writing another (float4), and a kernel updating one buffer in place.
// Each moves 2 x size bytes per repetition (one read, one write of every byte), timed one
// repetition at a time with CUDA events; the figure is the median repetition. Every CUDA call
// is checked; any failure exits 1 with the call, file, line and CUDA's message.
//
//   nvcc -O3 -o build/bandwidth perf/bandwidth.cu
//   build/bandwidth [GIB_PER_BUFFER (default 2)] [REPS (default 20)] [DEVICE (default 0)]
//
// Output: one line per test, then one JSON line
// {"device": NAME, "bytes_per_buffer": B, "copy_gbs": x, "rw_gbs": y, "inplace_gbs": z, "peak_gbs": max}
// (GB = 1e9 bytes).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#define CK(call)                                                                                   \
    do {                                                                                           \
        cudaError_t e_ = (call);                                                                   \
        if (e_ != cudaSuccess) {                                                                   \
            std::fprintf(stderr, "bandwidth: %s failed at %s:%d: %s\n", #call, __FILE__, __LINE__, \
                         cudaGetErrorString(e_));                                                  \
            std::exit(1);                                                                          \
        }                                                                                          \
    } while (0)

__global__ void copy_kernel(const float4 *__restrict__ a, float4 *__restrict__ b, size_t n)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float4 v = a[i];
        v.x += 1.0f;
        b[i] = v;
    }
}

__global__ void inplace_kernel(float4 *__restrict__ a, size_t n)
{
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float4 v = a[i];
        v.x += 1.0f;
        v.w -= 1.0f;
        a[i] = v;
    }
}

enum { TEST_MEMCPY, TEST_RW, TEST_INPLACE };

// Median seconds of one repetition of the test.
static double time_test(int test, float4 *a, float4 *b, size_t bytes, int reps)
{
    size_t n = bytes / sizeof(float4);
    const unsigned threads = 256;
    unsigned blocks = (unsigned)((n + threads - 1) / threads);
    cudaEvent_t t0, t1;
    CK(cudaEventCreate(&t0));
    CK(cudaEventCreate(&t1));
    std::vector<double> s;
    for (int r = -1; r < reps; ++r) { // r = -1: warm-up, not timed
        CK(cudaEventRecord(t0));
        switch (test) {
        case TEST_MEMCPY: CK(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice)); break;
        case TEST_RW: copy_kernel<<<blocks, threads>>>(a, b, n); break;
        default: inplace_kernel<<<blocks, threads>>>(a, n); break;
        }
        CK(cudaGetLastError());
        CK(cudaEventRecord(t1));
        CK(cudaEventSynchronize(t1));
        float ms = 0.0f;
        CK(cudaEventElapsedTime(&ms, t0, t1));
        if (r >= 0)
            s.push_back(ms * 1e-3);
    }
    CK(cudaEventDestroy(t0));
    CK(cudaEventDestroy(t1));
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
}

int main(int argc, char **argv)
{
    double gib = argc > 1 ? std::atof(argv[1]) : 2.0;
    int reps = argc > 2 ? std::atoi(argv[2]) : 20;
    int dev = argc > 3 ? std::atoi(argv[3]) : 0;
    if (!(gib >= 1.0) || reps < 1) {
        std::fprintf(stderr, "usage: bandwidth [GIB_PER_BUFFER >= 1] [REPS >= 1] [DEVICE]\n");
        return 2;
    }
    int count = 0;
    CK(cudaGetDeviceCount(&count));
    if (dev < 0 || dev >= count) {
        std::fprintf(stderr, "bandwidth: device %d not present (%d devices)\n", dev, count);
        return 1;
    }
    CK(cudaSetDevice(dev));
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, dev));
    size_t free_b = 0, total_b = 0;
    CK(cudaMemGetInfo(&free_b, &total_b));
    size_t bytes = (size_t)(gib * (double)(1ull << 30));
    if (2 * bytes > free_b / 10 * 9)
        bytes = free_b / 10 * 9 / 2;    // two buffers must fit
    bytes &= ~(size_t)((1u << 20) - 1); // whole MiB, a float4 multiple
    if (bytes < (1ull << 30)) {
        std::fprintf(stderr, "bandwidth: %.2f GiB free on %s, need 2 GiB for two 1 GiB buffers\n",
                     free_b / (double)(1ull << 30), prop.name);
        return 1;
    }
    float4 *a = nullptr, *b = nullptr;
    CK(cudaMalloc(&a, bytes));
    CK(cudaMalloc(&b, bytes));
    CK(cudaMemset(a, 0, bytes));
    CK(cudaMemset(b, 0, bytes));
    CK(cudaDeviceSynchronize());

    const char *names[3] = {"device-to-device cudaMemcpy", "read+write kernel (a -> b)",
                            "read+write kernel (in place)"};
    double gbs[3];
    std::printf("%s, %.2f GiB per buffer, %d repetitions (median), GB = 1e9 bytes\n", prop.name,
                bytes / (double)(1ull << 30), reps);
    for (int t = 0; t < 3; ++t) {
        double s = time_test(t, a, b, bytes, reps);
        gbs[t] = 2.0 * (double)bytes / s / 1e9; // one read and one write of every byte
        std::printf("  %-30s %9.1f GB/s\n", names[t], gbs[t]);
    }
    CK(cudaFree(a));
    CK(cudaFree(b));
    double peak = std::max(gbs[0], std::max(gbs[1], gbs[2]));
    std::printf("{\"device\": \"");
    for (const char *p = prop.name; *p; ++p) // a JSON string: escape quotes and backslashes
        std::printf(*p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
    std::printf("\", \"bytes_per_buffer\": %zu, \"copy_gbs\": %.1f, \"rw_gbs\": %.1f, "
                "\"inplace_gbs\": %.1f, \"peak_gbs\": %.1f}\n",
                bytes, gbs[0], gbs[1], gbs[2], peak);
    return 0;
}
