/* tests/emu/include/cub/emu_cub.h -- stand-ins for the CUB algorithms the backend uses
 * (DeviceRadixSort::SortPairs, DeviceSegmentedSort::SortKeys, BlockScan::ExclusiveSum), for the
 * emulated GPU tier.
 * Not CUB: std::stable_sort / std::sort on the host give the same result (stable radix sort of
 * pairs; sorted keys per segment). What they do check: the temporary-storage protocol (size
 * query with a null pointer, then a device allocation at least that large), no sort during
 * stream capture, segment bounds, keys within end_bit. Like CUB they may leave the result in
 * either buffer of a DoubleBuffer: the selector flips pseudo-randomly (env EMU_FLIP=0 or 1 pins
 * it) and the other buffer is overwritten with garbage, so code that reads Current() wrongly
 * fails. Their temp-size formulas are made up, so the memory estimate's CUB share (host/net/cuda_mem.c)
 * is checked only on a GPU. */
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <vector>
#include "../cuda_runtime.h"
namespace emu {
int next_flip(void); /* 1: the sort leaves its result in the other buffer of a DoubleBuffer */
void cub_checked(void *tmp, size_t bytes, size_t need, const char *what);
void on_capture_check(cudaStream_t st, const char *what);
}
namespace cub {
template <class T> struct DoubleBuffer {
    T *d_buffers[2];
    int selector;
    DoubleBuffer() : selector(0) { d_buffers[0] = d_buffers[1] = nullptr; }
    DoubleBuffer(T *cur, T *alt) : selector(0) { d_buffers[0] = cur; d_buffers[1] = alt; }
    T *Current() { return d_buffers[selector]; }
    T *Alternate() { return d_buffers[selector ^ 1]; }
};
template <class T> static void emu_trash(T *p, int64_t n) { if (p && n > 0) memset((void *)p, 0xAB, (size_t)n * sizeof(T)); }
struct DeviceSegmentedSort {
    template <class K, class B, class E>
    static cudaError_t SortKeys(void *tmp, size_t &bytes, DoubleBuffer<K> &keys, int64_t n, int64_t nseg, B begin, E end,
                                cudaStream_t st = 0)
    {
        size_t need = 256 + 8 * (size_t)nseg;
        if (!tmp) { bytes = need; return cudaSuccess; }
        emu::cub_checked(tmp, bytes, need, "DeviceSegmentedSort::SortKeys");
        emu::on_capture_check(st, "DeviceSegmentedSort");
        if (n == 0 || nseg == 0) return cudaSuccess;
        std::vector<K> v(keys.Current(), keys.Current() + n);
        for (int64_t s = 0; s < nseg; ++s) {
            if (begin[s] < 0 || end[s] > n || end[s] < begin[s]) { fprintf(stderr, "EMU: bad segment %lld\n", (long long)s); abort(); }
            std::sort(v.begin() + begin[s], v.begin() + end[s]);
        }
        int ns = emu::next_flip() ? keys.selector ^ 1 : keys.selector;
        emu_trash(keys.d_buffers[ns ^ 1], n);
        std::copy(v.begin(), v.end(), keys.d_buffers[ns]);
        keys.selector = ns;
        return cudaSuccess;
    }
};
struct DeviceRadixSort {
    template <class K, class V, class N>
    static cudaError_t SortPairs(void *tmp, size_t &bytes, DoubleBuffer<K> &keys, DoubleBuffer<V> &vals, N n_,
                                 int begin_bit = 0, int end_bit = sizeof(K) * 8, cudaStream_t st = 0)
    {
        int64_t n = (int64_t)n_;
        size_t need = 1024 + (size_t)n / 64;
        if (!tmp) { bytes = need; return cudaSuccess; }
        emu::cub_checked(tmp, bytes, need, "DeviceRadixSort::SortPairs");
        emu::on_capture_check(st, "DeviceRadixSort");
        if (n == 0) return cudaSuccess;
        K *kc = keys.Current();
        V *vc = vals.Current();
        for (int64_t i = 0; i < n; ++i)
            if (end_bit < (int)sizeof(K) * 8 && (uint64_t)kc[i] >> end_bit) {
                fprintf(stderr, "EMU: radix key %llu has bits beyond end_bit %d\n", (unsigned long long)kc[i], end_bit);
                abort();
            }
        if (begin_bit != 0) { fprintf(stderr, "EMU: begin_bit %d\n", begin_bit); abort(); }
        std::vector<int64_t> ord((size_t)n);
        std::iota(ord.begin(), ord.end(), 0);
        std::stable_sort(ord.begin(), ord.end(), [&](int64_t a, int64_t b) { return kc[a] < kc[b]; });
        std::vector<K> ks((size_t)n);
        std::vector<V> vs((size_t)n);
        for (int64_t i = 0; i < n; ++i) { ks[(size_t)i] = kc[ord[(size_t)i]]; vs[(size_t)i] = vc[ord[(size_t)i]]; }
        int flip = emu::next_flip();
        int nk = flip ? keys.selector ^ 1 : keys.selector, nv = flip ? vals.selector ^ 1 : vals.selector;
        emu_trash(keys.d_buffers[nk ^ 1], n);
        emu_trash(vals.d_buffers[nv ^ 1], n);
        std::copy(ks.begin(), ks.end(), keys.d_buffers[nk]);
        std::copy(vs.begin(), vs.end(), vals.d_buffers[nv]);
        keys.selector = nk;
        vals.selector = nv;
        return cudaSuccess;
    }
};
/* BlockScan<T, BLOCK_DIM_X>::ExclusiveSum(in, out, aggregate): every thread of a block of exactly
 * BLOCK_DIM_X threads calls it (as CUB requires; a block of another size aborts); each thread sums
 * the values before its own through the shared storage between two barriers, so the call is a
 * real block-wide synchronisation point like CUB's. */
template <class T, int BLOCK_DIM_X> struct BlockScan {
    struct TempStorage {
        T v[BLOCK_DIM_X];
    };
    TempStorage &ts;
    explicit BlockScan(TempStorage &t) : ts(t) {}
    void ExclusiveSum(T in, T &out, T &aggregate)
    {
        if (blockDim.x != (unsigned)BLOCK_DIM_X || blockDim.y != 1u) {
            fprintf(stderr, "EMU FATAL: cub::BlockScan<%d> in a block of %u threads\n", BLOCK_DIM_X, blockDim.x);
            abort();
        }
        ts.v[threadIdx.x] = in;
        __syncthreads();
        T before = T(), all = T();
        for (unsigned i = 0; i < blockDim.x; ++i) {
            if (i < threadIdx.x)
                before = before + ts.v[i];
            all = all + ts.v[i];
        }
        __syncthreads();
        out = before;
        aggregate = all;
    }
};
}
