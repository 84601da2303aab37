/* kernels/cuda_test.cu -- host/sim/cuda_test.h: single device functions and kernels run on plain
 * arrays, for tests/test_cuda.c to hold against the CPU loop around the same
 * include/cobalt/hd/ functions. Every call allocates, runs, copies back and frees. */
#include <algorithm>
#include <vector>
#include <curand_philox4x32_x.h>
#include "cuda_int.cuh"
#include "cobalt/estimate.h"
#include "sim/cuda_test.h"
#include "cobalt/hd/lif_curr.h"
#include "cobalt/hd/poisson.h"
#include "cobalt/hd/stats.h"

/* Device buffers freed on every path. */
struct dbufs {
    cob_dmem m;
    std::vector<std::pair<void *, int64_t>> list;
    dbufs()
    {
        m.cur = m.peak = 0;
        m.st = 0;
    } /* the legacy stream, like the kernels below */
    ~dbufs()
    {
        cudaDeviceSynchronize();
        for (size_t i = 0; i < list.size(); ++i) cob_dfree(&m, list[i].first, list[i].second);
        cudaStreamSynchronize(0);
    }
    template <typename T>
    cob_status get(T **p, int64_t n, cob_err *err, const T *src = NULL)
    {
        int64_t b = (n > 0 ? n : 1) * (int64_t)sizeof(T);
        COB_TRY(cob_dmalloc(&m, (void **)p, b, "test buffer", err));
        list.push_back(std::make_pair((void *)*p, b));
        if (src && n > 0)
            COB_CU(err, cudaMemcpy(*p, src, (size_t)n * sizeof(T), cudaMemcpyHostToDevice));
        return COB_OK;
    }
};

template <typename T>
static cob_status back(T *dst, const T *src, int64_t n, cob_err *err)
{
    COB_CU(err, cudaDeviceSynchronize());
    if (n > 0)
        COB_CU(err, cudaMemcpy(dst, src, (size_t)n * sizeof(T), cudaMemcpyDeviceToHost));
    return COB_OK;
}

static cob_status need_device(cob_err *err)
{
    if (!cob_cuda_available())
        return cob_err_set(err, COB_ERR_NO_DEVICE, "no usable CUDA device");
    return COB_OK;
}

__global__ void kt_philox(uint64_t seed, uint32_t stream, uint64_t sub, int64_t n, int use_curand, uint32_t *out)
{
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    cob_u32x4 w;
    if (i >= n)
        return;
    if (use_curand) {
        uint4 c = make_uint4((uint32_t)i, (uint32_t)sub, (uint32_t)(sub >> 32), stream);
        uint2 k = make_uint2((uint32_t)seed, (uint32_t)(seed >> 32));
        uint4 r = curand_Philox4x32_10(c, k);
        w.v[0] = r.x;
        w.v[1] = r.y;
        w.v[2] = r.z;
        w.v[3] = r.w;
    } else {
        w = cob_philox(seed, stream, (uint32_t)i, sub);
    }
    out[4 * i + 0] = w.v[0];
    out[4 * i + 1] = w.v[1];
    out[4 * i + 2] = w.v[2];
    out[4 * i + 3] = w.v[3];
}

extern "C" cob_status cob_cuda_test_philox(uint64_t seed, uint32_t stream, uint64_t sub, int64_t n, int curand,
                                           uint32_t *out, cob_err *err)
{
    dbufs d;
    uint32_t *o;
    COB_TRY(need_device(err));
    COB_TRY(d.get(&o, 4 * n, err));
    kt_philox<<<cob_grid(n, COB_CUDA_BLOCK), COB_CUDA_BLOCK>>>(seed, stream, sub, n, curand, o);
    COB_CU_LAUNCH(err, "kt_philox");
    return back(out, o, 4 * n, err);
}

__global__ void kt_lif(int model, const cob_neuron_prop *prop, int n_channels, int64_t n, const float *v_in,
                       const int32_t *r_in, const uint32_t *counts, float *v_out, int32_t *r_out, uint8_t *fired)
{
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    cob_state_arrays sa = {}; /* a (V, refractory) model uses f[0] and i[0] only */
    cob_input in;
    float v;
    int k;
    if (i >= n)
        return;
    cob_input_clear(&in, COB_TEST_LIF_SEED, COB_TEST_LIF_STEP, (uint32_t)i);
    for (k = 0; k < n_channels; ++k) in.count[k] = counts[i * n_channels + k];
    v_out[i] = v_in[i];
    r_out[i] = r_in[i];
    sa.f[0] = v_out;
    sa.i[0] = r_out;
    fired[i] = (uint8_t)(cob_neuron_step(model, prop, &sa, i, &in, n_channels, &v) & COB_STEP_FIRED);
}

extern "C" cob_status cob_cuda_test_lif(int model, const cob_neuron_prop *prop, int n_channels, int64_t n,
                                        const float *v_in, const int32_t *refr_in, const uint32_t *counts, float *v_out,
                                        int32_t *refr_out, uint8_t *fired, cob_err *err)
{
    dbufs d;
    cob_neuron_prop *dp;
    float *vi, *vo;
    int32_t *ri, *ro;
    uint32_t *cn;
    uint8_t *fo;
    COB_TRY(need_device(err));
    if (n_channels < 0 || n_channels > COB_MAX_CHANNELS)
        return cob_err_set(err, COB_ERR_INVALID, "n_channels %d outside [0, %d]", n_channels, COB_MAX_CHANNELS);
    if (cob_model_state_f32(model) != 1 || cob_model_state_i32(model) != 1)
        return cob_err_set(err, COB_ERR_INVALID, "model %d is not a (V, refractory) LIF model", model);
    COB_TRY(d.get(&dp, 1, err, prop));
    COB_TRY(d.get(&vi, n, err, v_in));
    COB_TRY(d.get(&ri, n, err, refr_in));
    COB_TRY(d.get(&cn, n * n_channels, err, counts));
    COB_TRY(d.get(&vo, n, err));
    COB_TRY(d.get(&ro, n, err));
    COB_TRY(d.get(&fo, n, err));
    kt_lif<<<cob_grid(n, COB_CUDA_BLOCK), COB_CUDA_BLOCK>>>(model, dp, n_channels, n, vi, ri, cn, vo, ro, fo);
    COB_CU_LAUNCH(err, "kt_lif");
    COB_TRY(back(v_out, vo, n, err));
    COB_TRY(back(refr_out, ro, n, err));
    return back(fired, fo, n, err);
}

__global__ void kt_poisson(uint64_t seed, uint32_t stream, uint64_t t, int64_t n, const uint32_t *nc, const double *lc,
                           const double *en, uint32_t *out)
{
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = cob_poisson_step(seed, stream, (uint32_t)i, t, nc[i], lc[i], en[i]);
}

extern "C" cob_status cob_cuda_test_poisson(uint64_t seed, uint32_t stream, uint64_t t, int64_t n,
                                            const uint32_t *n_chunks, const double *lambda_chunk, const double *exp_neg,
                                            uint32_t *out, cob_err *err)
{
    dbufs d;
    uint32_t *nc, *o;
    double *lc, *en;
    COB_TRY(need_device(err));
    COB_TRY(d.get(&nc, n, err, n_chunks));
    COB_TRY(d.get(&lc, n, err, lambda_chunk));
    COB_TRY(d.get(&en, n, err, exp_neg));
    COB_TRY(d.get(&o, n, err));
    kt_poisson<<<cob_grid(n, COB_CUDA_BLOCK), COB_CUDA_BLOCK>>>(seed, stream, t, n, nc, lc, en, o);
    COB_CU_LAUNCH(err, "kt_poisson");
    return back(out, o, n, err);
}

__global__ void kt_geometric(uint64_t seed, uint32_t stream, int64_t n, const uint64_t *thr, int32_t len,
                             int32_t n_gaps, int64_t *out)
{
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    uint32_t draws = 0;
    int32_t k;
    if (i >= n)
        return;
    for (k = 0; k < n_gaps; ++k) out[i * n_gaps + k] = cob_geometric_gap(seed, stream, (uint32_t)i, &draws, thr, len);
}

extern "C" cob_status cob_cuda_test_geometric(uint64_t seed, uint32_t stream, int64_t n, const uint64_t *thr,
                                              int32_t len, int32_t n_gaps, int64_t *out, cob_err *err)
{
    dbufs d;
    uint64_t *th;
    int64_t *o;
    COB_TRY(need_device(err));
    if (len < 1)
        return cob_err_set(err, COB_ERR_INVALID, "geometric table length %d < 1", len);
    COB_TRY(d.get(&th, len, err, thr));
    COB_TRY(d.get(&o, n * n_gaps, err));
    kt_geometric<<<cob_grid(n, COB_CUDA_BLOCK), COB_CUDA_BLOCK>>>(seed, stream, n, th, len, n_gaps, o);
    COB_CU_LAUNCH(err, "kt_geometric");
    return back(out, o, n * n_gaps, err);
}

__global__ void kt_vbin(int64_t n, const float *v, float v_min, float inv_w, int32_t bins, int32_t *out)
{
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = cob_stats_vbin(v[i], v_min, inv_w, bins);
}

extern "C" cob_status cob_cuda_test_vbin(int64_t n, const float *v, float v_min_mV, float inv_width, int32_t n_bins,
                                         int32_t *out, cob_err *err)
{
    dbufs d;
    float *dv;
    int32_t *o;
    COB_TRY(need_device(err));
    COB_TRY(d.get(&dv, n, err, v));
    COB_TRY(d.get(&o, n, err));
    kt_vbin<<<cob_grid(n, COB_CUDA_BLOCK), COB_CUDA_BLOCK>>>(n, dv, v_min_mV, inv_width, n_bins, o);
    COB_CU_LAUNCH(err, "kt_vbin");
    return back(out, o, n, err);
}

/* Host projection pr's CSR into dp (its buffers in d) in the device layout the builder would
 * store for it: cob_dlayout_choose with its longest row, groups packed into the target words
 * and every S-th group's offset kept when that layout is sampled. */
static cob_status upload_csr(const cob_proj *pr, cob_dproj *dp, dbufs &d, cob_err *err)
{
    const int64_t stride = pr->n_dgrp + 1;
    int64_t j, k, g, s, max_row = 0;
    cob_dlayout l;
    for (j = 0; j < pr->n_pre; ++j) max_row = std::max<int64_t>(max_row, pr->row_ptr[j + 1] - pr->row_ptr[j]);
    cob_dlayout_choose(pr->n_pre, pr->n_post, pr->n_syn, pr->n_dgrp, max_row, &l);
    dp->dgrp_shift = l.shift;
    dp->tbits = l.tbits;
    dp->n_off = l.n_off;
    std::vector<int32_t> word(pr->target, pr->target + pr->n_syn);
    std::vector<uint32_t> off((size_t)(pr->n_pre * l.n_off));
    for (j = 0; j < pr->n_pre; ++j) {
        const uint32_t *o = pr->dgrp_off + j * stride;
        for (k = 0; k < l.n_off; ++k) off[(size_t)(j * l.n_off + k)] = o[l.shift ? (k + 1) << l.shift : k];
        for (g = 0; l.shift && g < pr->n_dgrp; ++g)
            for (s = pr->row_ptr[j] + o[g]; s < pr->row_ptr[j] + o[g + 1]; ++s)
                word[(size_t)s] = (int32_t)((uint32_t)word[(size_t)s] | (uint32_t)g << l.tbits);
    }
    COB_TRY(d.get(&dp->row_ptr, pr->n_pre + 1, err, pr->row_ptr));
    COB_TRY(d.get(&dp->target, pr->n_syn, err, word.data()));
    if (l.n_off > 0 && l.off_bytes == 2) {
        std::vector<uint16_t> o16(off.begin(), off.end());
        COB_TRY(d.get(&dp->dgrp_off16, (int64_t)o16.size(), err, o16.data()));
    } else if (l.n_off > 0) {
        COB_TRY(d.get(&dp->dgrp_off, (int64_t)off.size(), err, off.data()));
    }
    return COB_OK;
}

/* The real plan and expansion kernels on a descriptor holding only projection i_proj, its
 * population's spikes at step t in the history, run for every later step the history covers. */
extern "C" cob_status cob_cuda_test_deliver(const cob_net *net, int i_proj, int64_t t, const int32_t *spikes,
                                            int64_t n_spk, uint32_t *ring, cob_err *err)
{
    dbufs d;
    const cob_proj *pr;
    cob_dnet h;
    cob_dcount cnt;
    cob_dnet *dg;
    cob_dcount *dc;
    int64_t cells, H, L;
    COB_TRY(need_device(err));
    if (i_proj < 0 || i_proj >= net->n_projs || net->proj[i_proj].independent || !net->proj[i_proj].row_ptr)
        return cob_err_set(err, COB_ERR_INVALID, "projection %d has no stored synapses", i_proj);
    pr = &net->proj[i_proj];
    if (n_spk < 0 || n_spk > pr->n_pre)
        return cob_err_set(err, COB_ERR_INVALID, "%lld spikes for a population of %lld", (long long)n_spk,
                           (long long)pr->n_pre);
    memset(&h, 0, sizeof h);
    memset(&cnt, 0, sizeof cnt);
    h.n_pops = net->n_pops;
    h.n_projs = net->n_projs;
    h.nch = net->n_channels_max > 0 ? net->n_channels_max : 1;
    h.hist_slots = net->ring_slots;
    h.n_neurons = net->n_neurons;
    H = h.hist_slots;
    cells = (int64_t)h.nch * h.n_neurons;
    memset(ring, 0, (size_t)(H * cells) * sizeof *ring);
    COB_TRY(d.get(&h.acc, cells, err));
    COB_CU(err, cudaMemset(h.acc, 0, (size_t)(cells > 0 ? cells : 1) * 4));
    {
        cob_dpop *P = &h.pop[pr->pre];
        std::vector<int32_t> n_of((size_t)H, 0);
        n_of[(size_t)(t % H)] = (int32_t)n_spk; /* every other step: no spike */
        P->hist_cap = n_spk > 0 ? n_spk : 1;
        COB_TRY(d.get(&P->hist, n_spk, err, spikes));
        COB_TRY(d.get(&P->hist_n, H, err, n_of.data()));
        COB_TRY(d.get(&P->hist_start, H, err));
        COB_CU(err, cudaMemset(P->hist_start, 0, (size_t)H * sizeof *P->hist_start));
    }
    h.n_deliver = 1;
    h.deliver[0] = i_proj;
    {
        cob_dproj *dp = &h.proj[i_proj];
        cob_dproj_describe(net, i_proj, dp);
        COB_TRY(upload_csr(pr, dp, d, err));
    }
    {
        std::vector<int32_t> pq((size_t)cob_cuda_arrival_pairs(net) + 1), pL(pq.size());
        h.n_pairs = cob_arrival_pairs(net, &h, pq.data(), pL.data());
        COB_TRY(d.get(&h.pair_q, h.n_pairs, err, pq.data()));
        COB_TRY(d.get(&h.pair_L, h.n_pairs, err, pL.data()));
        COB_TRY(d.get(&h.seg_base, h.n_pairs + 1, err));
    }
    cnt.t_base = t;
    COB_TRY(d.get(&dg, 1, err, &h));
    COB_TRY(d.get(&dc, 1, err, &cnt));
    for (L = 1; L < H; ++L) {
        cob_k_plan<<<1, COB_CUDA_BLOCK>>>(dg, dc, L);
        COB_CU_LAUNCH(err, "cob_k_plan");
        cob_k_expand<<<7, COB_CUDA_BLOCK>>>(dg, dc, L); /* a small grid: blocks stride over many tiles */
        COB_CU_LAUNCH(err, "cob_k_expand");
        COB_TRY(back(ring + ((t + L) % H) * cells, h.acc, cells, err));
        COB_CU(err, cudaMemset(h.acc, 0, (size_t)(cells > 0 ? cells : 1) * 4));
    }
    return COB_OK;
}

extern "C" cob_status cob_cuda_test_expand_threads(int64_t *threads, cob_err *err)
{
    unsigned grid = 0;
    int block = 0;
    *threads = 0;
    COB_TRY(cob_expand_shape(&grid, &block, err));
    *threads = (int64_t)grid * block;
    return COB_OK;
}
