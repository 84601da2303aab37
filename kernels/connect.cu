/* kernels/connect.cu -- network construction on the device, the same graph as host/net/net.c for
 * the same seed (include/cobalt/hd/connect.h defines the draws):
 *   1. in-degrees and the post-major row starts come from the host layout (cob_net_layout:
 *      O(N) per projection; drawing them on the host keeps Box-Muller's libm on one side);
 *   2. partners: one thread per target runs Floyd's algorithm on the lane
 *      (seed, PARTNERS(p), i), with a per-target open-addressing hash set in place of the
 *      host's mark array (same draws, same subset); with multapses, plain uniform draws; with a
 *      ring kernel, the rejection draw of hd/ring.h (repeats found in the hash set);
 *   3. when delays vary, each target's partners are sorted (CUB segmented sort), because the
 *      delays are drawn in ascending partner order from the lane (seed, DELAYS(p), i);
 *   4. one key per synapse, (pre, delay group), with the target as value; a stable CUB radix
 *      sort by key leaves every delay group of every row sorted by target, which is the
 *      host's CSR exactly;
 *   5. group starts from the key boundaries give row_ptr and the delay-group offsets; the
 *      longest row decides the layout (cob_dlayout_choose): dense, or sampled offsets with
 *      each target's group packed above it (from the sorted keys).
 * Stored: 32-bit target words, int64 row pointers, delay-group offsets (16-bit when every row is
 * shorter than 65536 synapses, else 32-bit; no per-synapse delays, no weights). Transient: one
 * more int32 per synapse and two sort keys (host/net/cuda_mem.c). */
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_segmented_sort.cuh>
#include <algorithm>
#include <new>
#include <vector>
#include "cuda_int.cuh"
#include "cobalt/estimate.h"
#include "sim/cuda_test.h"
#include "cobalt/hd/connect.h"
#include "cobalt/hd/ring.h"


/* Insert v into the hash set h (mask + 1 slots, empty = -1); 1 if it was already there. */
COB_INLINE int hash_insert(int32_t *h, uint32_t mask, int32_t v)
{
    uint32_t sl = ((uint32_t)v * 2654435761u) & mask;
    for (;;) {
        int32_t cur = h[sl];
        if (cur == v)
            return 1;
        if (cur < 0) {
            h[sl] = v;
            return 0;
        }
        sl = (sl + 1) & mask;
    }
}

/* Partners of target i into out[post_ptr[i] ..], in the host's draw order; h: its hash set
 * (cap slots, all -1). Kernel body, also run on the host by cob_cuda_emulate_net_build. */
COB_INLINE void partners_one(int64_t i, const int32_t *indeg, const int64_t *post_ptr, int64_t n_avail, int multapses,
                             int nested, const cob_ring_kern *rk, int skip_self, uint64_t seed, uint32_t stream,
                             int32_t *h, uint32_t cap, int32_t *out)
{
    cob_rng_lane l;
    int32_t kk = indeg[i], m = 0, j, *o = out + post_ptr[i];
    cob_rng_lane_init(&l, seed, stream, (uint32_t)i);
    if (rk->shape != COB_RING_NONE) { /* rejection against the kernel (hd/ring.h), repeats skipped */
        while (m < kk) {
            int32_t c;
            if (cob_ring_candidate(&l, rk, n_avail, skip_self, i, &c) && (multapses || !hash_insert(h, cap - 1, c)))
                o[m++] = c;
        }
        return;
    }
    if (multapses) {
        for (m = 0; m < kk; ++m) o[m] = (int32_t)cob_rng_lane_below(&l, (uint32_t)n_avail);
        return;
    }
    if (nested) { /* the first kk distinct values of the lane (connect.h) */
        while (m < kk) {
            int32_t t = (int32_t)cob_rng_lane_below(&l, (uint32_t)n_avail);
            if (!hash_insert(h, cap - 1, t))
                o[m++] = t;
        }
        return;
    }
    for (j = (int32_t)(n_avail - kk); j < n_avail; ++j) {
        int32_t t = (int32_t)cob_rng_lane_below(&l, (uint32_t)j + 1u);
        if (hash_insert(h, cap - 1, t)) {
            t = j;
            hash_insert(h, cap - 1, j);
        }
        o[m++] = t;
    }
}

__global__ void k_partners(const int32_t *indeg, const int64_t *post_ptr, int64_t i0, int64_t i1, int64_t n_avail,
                           int multapses, int nested, cob_ring_kern rk, int skip_self, uint64_t seed, uint32_t stream,
                           int32_t *hash, uint32_t cap, int32_t *out)
{
    const int64_t i = i0 + (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < i1)
        partners_one(i, indeg, post_ptr, n_avail, multapses, nested, &rk, skip_self, seed, stream,
                     hash + (i - i0) * (int64_t)cap, cap, out);
}

/* Sort key (pre, delay group) and value (target) of every synapse of target i; delays drawn
 * in ascending partner order, as host/net/net.c's draw_targets. */
template <typename K>
COB_INLINE void keys_one(int64_t i, const int32_t *indeg, const int64_t *post_ptr, const int32_t *partners,
                         int skip_self, int32_t n_dgrp, uint16_t dmin, uint16_t dmax, uint64_t seed, uint32_t stream,
                         K *key, int32_t *val)
{
    cob_rng_lane ld;
    int64_t s0 = post_ptr[i];
    int32_t kk = indeg[i], m;
    cob_rng_lane_init(&ld, seed, stream, (uint32_t)i);
    for (m = 0; m < kk; ++m) {
        int32_t c = partners[s0 + m];
        int32_t pre = skip_self ? cob_skip_self(c, (int32_t)i) : c;
        uint16_t d = cob_delay_draw(&ld, dmin, dmax);
        key[s0 + m] = (K)pre * (K)n_dgrp + (K)(d - dmin);
        val[s0 + m] = (int32_t)i;
    }
}

template <typename K>
__global__ void k_keys(const int32_t *indeg, const int64_t *post_ptr, int64_t n_post, const int32_t *partners,
                       int skip_self, int32_t n_dgrp, uint16_t dmin, uint16_t dmax, uint64_t seed, uint32_t stream,
                       K *key, int32_t *val)
{
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n_post)
        keys_one<K>(i, indeg, post_ptr, partners, skip_self, n_dgrp, dmin, dmax, seed, stream, key, val);
}

/* start[g] = first synapse of group g in key order, for every g in [0, G]; synapse s writes the
 * starts of the (possibly empty) groups that end at its key. */
template <typename K>
COB_INLINE void starts_one(int64_t s, const K *key, int64_t n, int64_t G, int64_t *start)
{
    int64_t gg;
    if (s == 0 || key[s] != key[s - 1])
        for (gg = s == 0 ? 0 : (int64_t)key[s - 1] + 1; gg <= (int64_t)key[s]; ++gg) start[gg] = s;
    if (s == n - 1)
        for (gg = (int64_t)key[s] + 1; gg <= G; ++gg) start[gg] = n;
}

template <typename K>
__global__ void k_starts(const K *key, int64_t n, int64_t G, int64_t *start)
{
    const int64_t s = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (s < n)
        starts_one<K>(s, key, n, G, start);
}

/* Row pointer of row j and its n_off delay-group offsets (cob_dlayout): every group's with
 * shift 0 (the host's layout too), else those of groups S, 2S, ... (S = 1 << shift). */
template <typename O>
COB_INLINE void offsets_one(int64_t j, const int64_t *start, int64_t n_pre, int32_t n_dgrp, int32_t shift,
                            int32_t n_off, int64_t *row_ptr, O *dgrp_off)
{
    int64_t r = start[j * n_dgrp];
    int32_t k;
    row_ptr[j] = r;
    if (j == n_pre)
        return;
    for (k = 0; k < n_off; ++k)
        dgrp_off[j * n_off + k] = (O)(start[j * n_dgrp + (shift ? (int64_t)(k + 1) << shift : k)] - r);
}

template <typename O>
__global__ void k_offsets(const int64_t *start, int64_t n_pre, int32_t n_dgrp, int32_t shift, int32_t n_off,
                          int64_t *row_ptr, O *dgrp_off)
{
    const int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (j <= n_pre)
        offsets_one<O>(j, start, n_pre, n_dgrp, shift, n_off, row_ptr, dgrp_off);
}

/* The sampled layout's words: synapse s's group (its sorted key mod n_dgrp) above its target. */
template <typename K>
__global__ void k_pack(const K *key, int64_t n, int32_t n_dgrp, int32_t tbits, int32_t *target)
{
    const int64_t s = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (s < n)
        target[s] = (int32_t)((uint32_t)(key[s] % (K)n_dgrp) << tbits | (uint32_t)target[s]);
}

/* dp's layout fields from l. */
static void set_layout(cob_dproj *dp, const cob_dlayout *l)
{
    dp->dgrp_shift = l->shift;
    dp->tbits = l->tbits;
    dp->n_off = l->n_off;
}

/* Allocate dp's n_pre x l->n_off offsets of l->off_bytes each (none when n_off is 0). */
static cob_status alloc_offsets(cob_dproj *dp, const cob_dlayout *l, cob_dmem *m, cob_err *err)
{
    int64_t b = dp->n_pre * (int64_t)l->n_off * l->off_bytes;
    if (l->n_off == 0)
        return COB_OK;
    if (l->off_bytes == 2)
        return cob_dmalloc(m, (void **)&dp->dgrp_off16, b, "delay-group offsets", err);
    return cob_dmalloc(m, (void **)&dp->dgrp_off, b, "delay-group offsets", err);
}

/* Longest row (synapses per presynaptic neuron), to pick 16- or 32-bit group offsets. */
__global__ void k_max_row(const int64_t *start, int64_t n_pre, int32_t n_dgrp, unsigned long long *out)
{
    const int64_t j = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (j < n_pre)
        atomicMax(out, (unsigned long long)(start[(j + 1) * n_dgrp] - start[j * n_dgrp]));
}

/* Transient buffers of one projection's build, freed whatever happens. */
typedef struct {
    int32_t *indeg, *buf[2];
    int64_t *post_ptr, *start;
    void *key[2], *temp, *hash;
    int64_t indeg_b, buf_b, post_b, start_b, key_b, temp_b, hash_b;
} build_tmp;

static void tmp_free(build_tmp *b, cob_dmem *m, int keep)
{
    int k;
    cob_dfree(m, b->indeg, b->indeg_b);
    for (k = 0; k < 2; ++k) {
        if (k != keep)
            cob_dfree(m, b->buf[k], b->buf_b);
        cob_dfree(m, b->key[k], b->key_b);
    }
    cob_dfree(m, b->post_ptr, b->post_b);
    cob_dfree(m, b->start, b->start_b);
    cob_dfree(m, b->temp, b->temp_b);
    cob_dfree(m, b->hash, b->hash_b);
}

static int ceil_log2(uint64_t x)
{
    int b = 0;
    while (b < 64 && (1ull << b) < x) ++b;
    return b < 1 ? 1 : b;
}

/* Steps 3 to 5 with K-bit keys. *keep: which of b->buf ended up holding the targets. */
template <typename K>
static cob_status sort_and_offsets(const cob_proj *pr, uint64_t seed, int p, cob_dproj *dp, build_tmp *b, int *keep,
                                   cob_dmem *m, cudaStream_t st, cob_err *err)
{
    const int64_t n = pr->n_syn, G = pr->n_pre * (int64_t)pr->n_dgrp;
    const int skip_self = pr->skip_self;
    const int end_bit = ceil_log2((uint64_t)G);
    cub::DoubleBuffer<int32_t> part(b->buf[0], b->buf[1]);
    const K *skey; /* the sorted keys */
    size_t seg_b = 0, rad_b = 0, temp_b;
    int cur, bk = 0; /* each kernel's block, from its occupancy (cob_launch_shape) */
    b->key_b = n * (int64_t)sizeof(K);
    COB_TRY(cob_dmalloc(m, &b->key[0], b->key_b, "sort keys", err));
    COB_TRY(cob_dmalloc(m, &b->key[1], b->key_b, "sort keys", err));
    {
        cub::DoubleBuffer<K> kb((K *)b->key[0], (K *)b->key[1]);
        if (pr->n_dgrp > 1 && !pr->nested)
            COB_CU(err, cub::DeviceSegmentedSort::SortKeys(NULL, seg_b, part, n, pr->n_post, b->post_ptr,
                                                           b->post_ptr + 1, st));
        COB_CU(err, cub::DeviceRadixSort::SortPairs(NULL, rad_b, kb, part, n, 0, end_bit, st));
    }
    temp_b = seg_b > rad_b ? seg_b : rad_b;
    if (temp_b < 64)
        temp_b = 64; /* reused for the longest-row reduction */
    b->temp_b = (int64_t)temp_b;
    COB_TRY(cob_dmalloc(m, &b->temp, b->temp_b, "CUB scratch", err));
    /* 3: partners ascending per target (only the delay draws need the order; nested projections
     * draw their delays in draw order) */
    if (pr->n_dgrp > 1 && !pr->nested)
        COB_CU(err, cub::DeviceSegmentedSort::SortKeys(b->temp, temp_b, part, n, pr->n_post, b->post_ptr,
                                                       b->post_ptr + 1, st));
    cur = part.selector;
    /* 4: keys into key[0], targets into the other int32 buffer; then the stable sort */
    COB_TRY(cob_launch_shape(k_keys<K>, 0, &bk, NULL, "k_keys", err));
    k_keys<K><<<cob_grid(pr->n_post, bk), bk, 0, st>>>(
        b->indeg, b->post_ptr, pr->n_post, b->buf[cur], skip_self, pr->n_dgrp, pr->min_delay, pr->max_delay, seed,
        COB_STREAM(COB_STREAM_DELAYS, p), (K *)b->key[0], b->buf[cur ^ 1]);
    COB_CU_LAUNCH(err, "k_keys");
    {
        cub::DoubleBuffer<K> kb((K *)b->key[0], (K *)b->key[1]);
        cub::DoubleBuffer<int32_t> vb(b->buf[cur ^ 1], b->buf[cur]);
        COB_CU(err, cub::DeviceRadixSort::SortPairs(b->temp, temp_b, kb, vb, n, 0, end_bit, st));
        *keep = vb.Current() == b->buf[0] ? 0 : 1;
        skey = kb.Current();
        /* 5: group starts, then row pointers and delay-group offsets */
        b->start_b = (G + 1) * 8;
        COB_TRY(cob_dmalloc(m, (void **)&b->start, b->start_b, "delay-group starts", err));
        COB_TRY(cob_launch_shape(k_starts<K>, 0, &bk, NULL, "k_starts", err));
        k_starts<K><<<cob_grid(n, bk), bk, 0, st>>>(kb.Current(), n, G, b->start);
        COB_CU_LAUNCH(err, "k_starts");
    }
    {
        unsigned long long max_row = 0, *d_max = (unsigned long long *)b->temp; /* CUB is done with it */
        cob_dlayout l;
        COB_CU(err, cudaMemsetAsync(d_max, 0, sizeof max_row, st));
        COB_TRY(cob_launch_shape(k_max_row, 0, &bk, NULL, "k_max_row", err));
        k_max_row<<<cob_grid(pr->n_pre, bk), bk, 0, st>>>(b->start, pr->n_pre, pr->n_dgrp, d_max);
        COB_CU_LAUNCH(err, "k_max_row");
        COB_CU(err, cudaMemcpyAsync(&max_row, d_max, sizeof max_row, cudaMemcpyDeviceToHost, st));
        COB_CU(err, cudaStreamSynchronize(st));
        cob_dlayout_choose(pr->n_pre, pr->n_post, n, pr->n_dgrp, (int64_t)max_row, &l);
        set_layout(dp, &l);
        COB_TRY(alloc_offsets(dp, &l, m, err));
        if (l.off_bytes == 2) {
            COB_TRY(cob_launch_shape(k_offsets<uint16_t>, 0, &bk, NULL, "k_offsets", err));
            k_offsets<uint16_t><<<cob_grid(pr->n_pre + 1, bk), bk, 0, st>>>(b->start, pr->n_pre, pr->n_dgrp, l.shift,
                                                                            l.n_off, dp->row_ptr, dp->dgrp_off16);
        } else {
            COB_TRY(cob_launch_shape(k_offsets<uint32_t>, 0, &bk, NULL, "k_offsets", err));
            k_offsets<uint32_t><<<cob_grid(pr->n_pre + 1, bk), bk, 0, st>>>(b->start, pr->n_pre, pr->n_dgrp, l.shift,
                                                                            l.n_off, dp->row_ptr, dp->dgrp_off);
        }
        COB_CU_LAUNCH(err, "k_offsets");
        if (l.shift > 0) {
            COB_TRY(cob_launch_shape(k_pack<K>, 0, &bk, NULL, "k_pack", err));
            k_pack<K><<<cob_grid(n, bk), bk, 0, st>>>(skey, n, pr->n_dgrp, l.tbits, b->buf[*keep]);
            COB_CU_LAUNCH(err, "k_pack");
        }
    }
    return COB_OK;
}

static cob_status build_body(const cob_net *net, int p, cob_dproj *dp, build_tmp *b, int *keep, cob_dmem *m,
                             cudaStream_t st, cob_err *err)
{
    const cob_proj *pr = &net->proj[p];
    const int64_t n_avail = pr->n_avail;
    const int64_t n = pr->n_syn;
    std::vector<int64_t> post_ptr((size_t)pr->n_post + 1);
    int64_t i, k_max = pr->k_max > 1 ? pr->k_max : 1, cap = 32, batch;
    int bk = 0; /* k_partners' block, from its occupancy (cob_launch_shape) */
    cob_proj_post_ptr(pr, post_ptr.data());
    while (cap < 2 * k_max) cap *= 2;
    batch = COB_CUDA_HASH_BUDGET / (cap * 4);
    if (batch < 1)
        batch = 1;
    if (batch > pr->n_post || pr->multapses)
        batch = pr->n_post; /* multapses: no hash sets */
    b->indeg_b = pr->n_post * 4;
    b->post_b = (pr->n_post + 1) * 8;
    b->buf_b = (n ? n : 1) * 4;
    b->hash_b = pr->multapses ? 0 : batch * cap * 4;
    COB_TRY(cob_dmalloc(m, (void **)&b->indeg, b->indeg_b, "in-degrees", err));
    COB_TRY(cob_dmalloc(m, (void **)&b->post_ptr, b->post_b, "row starts", err));
    COB_TRY(cob_dmalloc(m, (void **)&b->buf[0], b->buf_b, "synapse targets", err));
    COB_TRY(cob_dmalloc(m, (void **)&b->buf[1], b->buf_b, "partner lists", err));
    if (b->hash_b)
        COB_TRY(cob_dmalloc(m, &b->hash, b->hash_b, "partner hash sets", err));
    COB_TRY(cob_dmalloc(m, (void **)&dp->row_ptr, (pr->n_pre + 1) * 8, "row pointers", err));
    COB_CU(err, cudaMemcpyAsync(b->indeg, pr->indegree, (size_t)b->indeg_b, cudaMemcpyHostToDevice, st));
    COB_CU(err, cudaMemcpyAsync(b->post_ptr, post_ptr.data(), (size_t)b->post_b, cudaMemcpyHostToDevice, st));
    if (n == 0) { /* every row empty: the layout of rows of 0, offsets all 0 */
        cob_dlayout l;
        cob_dlayout_choose(pr->n_pre, pr->n_post, 0, pr->n_dgrp, 0, &l);
        set_layout(dp, &l);
        COB_CU(err, cudaMemsetAsync(dp->row_ptr, 0, (size_t)(pr->n_pre + 1) * 8, st));
        COB_TRY(alloc_offsets(dp, &l, m, err));
        if (dp->dgrp_off16)
            COB_CU(err, cudaMemsetAsync(dp->dgrp_off16, 0, (size_t)(pr->n_pre * (int64_t)l.n_off * 2), st));
        COB_CU(err, cudaStreamSynchronize(st)); /* post_ptr is a host vector */
        *keep = 0;
        return COB_OK;
    }
    COB_TRY(cob_launch_shape(k_partners, 0, &bk, NULL, "k_partners", err));
    for (i = 0; i < pr->n_post; i += batch) {
        int64_t i1 = i + batch < pr->n_post ? i + batch : pr->n_post;
        if (b->hash_b)
            COB_CU(err, cudaMemsetAsync(b->hash, 0xFF, (size_t)((i1 - i) * cap * 4), st));
        k_partners<<<cob_grid(i1 - i, bk), bk, 0, st>>>(
            b->indeg, b->post_ptr, i, i1, n_avail, pr->multapses, pr->nested, pr->ring, pr->skip_self, net->seed,
            COB_STREAM(COB_STREAM_PARTNERS, p), (int32_t *)b->hash, (uint32_t)cap, b->buf[0]);
        COB_CU_LAUNCH(err, "k_partners");
    }
    cob_dfree(m, b->hash, b->hash_b);
    b->hash = NULL;
    b->hash_b = 0;
    if (cob_cuda_key_bytes(pr) == 4)
        COB_TRY(sort_and_offsets<uint32_t>(pr, net->seed, p, dp, b, keep, m, st, err));
    else
        COB_TRY(sort_and_offsets<uint64_t>(pr, net->seed, p, dp, b, keep, m, st, err));
    COB_CU(err, cudaStreamSynchronize(st)); /* before the host vector post_ptr goes */
    return COB_OK;
}

cob_status cob_cuda_build_proj(const cob_net *net, int p, cob_dproj *dp, cob_dmem *m, cudaStream_t st, cob_err *err)
{
    build_tmp b;
    int keep = -1;
    cob_status s;
    memset(&b, 0, sizeof b);
    try {
        s = build_body(net, p, dp, &b, &keep, m, st, err);
    } catch (const std::bad_alloc &) {
        s = cob_err_set(err, COB_ERR_NOMEM, "out of host memory building projection %d on the device", p);
    }
    if (s != COB_OK) {
        cudaStreamSynchronize(st); /* nothing may still use the buffers freed below */
        cudaGetLastError();
        tmp_free(&b, m, -1);
        return s;
    }
    dp->target = b.buf[keep];
    tmp_free(&b, m, keep);
    return COB_OK;
}

/* ---- the same build on the host (tests): the kernel bodies above in plain loops, with
 * std::sort per target and std::stable_sort by key in place of CUB ----------------------- */

static cob_status emulate_proj(const cob_net *net, int p, cob_proj *pr, cob_err *err)
{
    const int64_t n_avail = pr->n_avail;
    const int64_t n = pr->n_syn, G = pr->n_pre * (int64_t)pr->n_dgrp;
    std::vector<int64_t> post_ptr((size_t)pr->n_post + 1), start((size_t)G + 1), order((size_t)n);
    std::vector<int32_t> part((size_t)n), val((size_t)n);
    std::vector<uint64_t> key((size_t)n);
    int64_t i, k_max = pr->k_max > 1 ? pr->k_max : 1, cap = 32;
    cob_proj_post_ptr(pr, post_ptr.data());
    while (cap < 2 * k_max) cap *= 2;
    std::vector<int32_t> hash((size_t)cap);
    for (i = 0; i < pr->n_post; ++i) {
        std::fill(hash.begin(), hash.end(), -1);
        partners_one(i, pr->indegree, post_ptr.data(), n_avail, pr->multapses, pr->nested, &pr->ring, pr->skip_self,
                     net->seed, COB_STREAM(COB_STREAM_PARTNERS, p), hash.data(), (uint32_t)cap, part.data());
        if (pr->n_dgrp > 1 && !pr->nested)
            std::sort(part.begin() + post_ptr[(size_t)i], part.begin() + post_ptr[(size_t)i + 1]);
    }
    for (i = 0; i < pr->n_post; ++i)
        keys_one<uint64_t>(i, pr->indegree, post_ptr.data(), part.data(), pr->skip_self, pr->n_dgrp, pr->min_delay,
                           pr->max_delay, net->seed, COB_STREAM(COB_STREAM_DELAYS, p), key.data(), val.data());
    for (i = 0; i < n; ++i) order[(size_t)i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&key](int64_t a, int64_t b) { return key[(size_t)a] < key[(size_t)b]; });
    std::vector<uint64_t> skey((size_t)n);
    pr->row_ptr = (int64_t *)malloc((size_t)(pr->n_pre + 1) * sizeof *pr->row_ptr);
    pr->dgrp_off = (uint32_t *)malloc((size_t)(pr->n_pre * (pr->n_dgrp + 1)) * sizeof *pr->dgrp_off);
    pr->target = (int32_t *)malloc((size_t)(n ? n : 1) * sizeof *pr->target);
    pr->delay_steps = (uint16_t *)malloc((size_t)(n ? n : 1) * sizeof *pr->delay_steps);
    if (!pr->row_ptr || !pr->dgrp_off || !pr->target || !pr->delay_steps)
        return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for projection %d", p);
    for (i = 0; i < n; ++i) {
        skey[(size_t)i] = key[(size_t)order[(size_t)i]];
        pr->target[i] = val[(size_t)order[(size_t)i]];
        pr->delay_steps[i] = (uint16_t)(pr->min_delay + skey[(size_t)i] % (uint64_t)pr->n_dgrp);
    }
    if (n == 0)
        std::fill(start.begin(), start.end(), 0);
    for (i = 0; i < n; ++i) starts_one<uint64_t>(i, skey.data(), n, G, start.data());
    for (i = 0; i <= pr->n_pre; ++i)
        offsets_one<uint32_t>(i, start.data(), pr->n_pre, pr->n_dgrp, 0, pr->n_dgrp + 1, pr->row_ptr, pr->dgrp_off);
    return COB_OK;
}

extern "C" cob_status cob_cuda_emulate_net_build(cob_net *net, const cob_config *c, cob_err *err)
{
    int p;
    COB_TRY(cob_net_layout(net, c, err));
    for (p = 0; p < net->n_projs; ++p) {
        cob_status st;
        if (net->proj[p].independent)
            continue;
        try {
            st = emulate_proj(net, p, &net->proj[p], err);
        } catch (const std::bad_alloc &) {
            st = cob_err_set(err, COB_ERR_NOMEM, "out of host memory emulating projection %d", p);
        }
        if (st != COB_OK) {
            cob_net_free(net);
            return st;
        }
    }
    return COB_OK;
}
