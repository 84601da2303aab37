/* kernels/step.cu -- the CUDA kernels of one time step, thin launchers around the shared
 * physics of include/cobalt/hd/ (the CPU loop of host/cpu/cpu_step.c runs the same functions):
 *   cob_k_update   one thread per neuron and per pool source: arrivals of this step from the
 *                  delay ring (read and cleared), independent Poisson counts, the neuron step,
 *                  statistics; pool sources due now; spikes appended to the step's lists;
 *   cob_k_deliver  one warp per (spike, stored projection): walk the CSR row and add 1 to
 *                  ring[(t + delay) mod D][channel][target] (integer atomics, order-free);
 *   cob_k_advance  the device step counter, once per launch sequence (so a CUDA Graph of a
 *                  chunk of steps can be replayed unchanged).
 * Spike lists are unordered (block-aggregated atomics); nothing downstream depends on their
 * order except the raster, which the host sorts (docs/numerics.md). */
#include "cuda_int.cuh"
#include "cobalt/hd/models.h"
#include "cobalt/hd/noise.h"
#include "cobalt/hd/poisson.h"
#include "cobalt/hd/stats.h"

size_t cob_update_shared_bytes(const cob_dnet *host_g)
{
    return host_g->shared_hist ? (size_t)(host_g->v_bins + 2) * sizeof(unsigned int) : 0;
}

/* The population of update item x (items: neurons by global index, then pool sources). */
__device__ static int item_pop(const cob_dnet *__restrict__ g, int64_t x)
{
    int best = -1, q;
    for (q = 0; q < g->n_pops; ++q) {
        const cob_dpop *P = &g->pop[q];
        if (P->kind == COB_DPOP_NONE || x < P->item0 || x >= P->item0 + P->size)
            continue;
        best = q;
        break;
    }
    return best;
}

/* item_pop with a hint: most blocks lie inside one population, so a thread first tries its
 * block's (the scan reads every population's descriptor). */
__device__ static int item_pop_near(const cob_dnet *__restrict__ g, int64_t x, int hint)
{
    if (hint >= 0 && x >= g->pop[hint].item0 && x < g->pop[hint].item0 + g->pop[hint].size)
        return hint;
    return item_pop(g, x);
}

typedef struct {
    int64_t t, tm;
    int measuring, sample_v, slot, par;
    int32_t win;       /* protocol window of the step (measured steps only), -1 none */
    int64_t win_start; /* its first step */
} cob_dstep;

__device__ static cob_dstep step_of(const cob_dnet *__restrict__ g, const cob_dcount *cnt, int64_t k)
{
    cob_dstep s;
    s.t = cnt->t_base + k;
    s.tm = s.t - g->warmup;
    s.measuring = s.t >= g->warmup && s.tm < g->measure;
    s.sample_v = s.measuring && s.tm % g->v_stride == 0;
    s.slot = (int)(s.t % g->ring_slots);
    s.par = (int)(s.t & 1);
    s.win = s.measuring ? cob_window_of(&g->windows, s.t) : -1;
    s.win_start = s.win >= 0 ? g->windows.start[s.win] : 0;
    return s;
}

/* This step's ring cells of neuron gi (channel c at cells[c * stride]), every channel loaded into
 * a temporary before anything is stored: the loads issue back to back instead of each waiting
 * behind the clear of the cell before it (stores through a pointer that may alias). Returns a
 * bit per channel whose cell was not 0, for ring_clear after the neuron step. */
__device__ static uint32_t ring_load(const uint32_t *__restrict__ cells, int64_t stride, int nch, cob_input *in)
{
    uint32_t r[COB_MAX_CHANNELS], nz = 0;
    int c;
    for (c = 0; c < COB_MAX_CHANNELS; ++c) r[c] = c < nch ? cells[c * stride] : 0u;
    for (c = 0; c < COB_MAX_CHANNELS; ++c) {
        in->count[c] = r[c];
        nz |= (r[c] != 0u) << c;
    }
    return nz;
}

/* The cells ring_load found not 0, cleared (only this thread reads or writes them during the
 * update kernel; the delivery kernel that adds to them runs after it). The caller passes the
 * address again rather than keeping it live across the neuron step (fewer spills under the
 * kernel's 64-register bound). */
__device__ static void ring_clear(uint32_t *__restrict__ cells, int64_t stride, uint32_t nz)
{
    int c;
    for (c = 0; c < COB_MAX_CHANNELS; ++c)
        if (nz >> c & 1u)
            cells[c * stride] = 0u;
}

/* Independent Poisson counts of neuron i (local index) added to its input, each channel then
 * capped at 65535 with the excess returned (the CPU backend's 16-bit cells give the same counts
 * and the same overflow). */
__device__ static uint64_t gather_indep(const cob_dnet *__restrict__ g, const cob_dpop *P, const cob_dstep *s,
                                        int64_t i, cob_input *in)
{
    int q;
    for (q = 0; q < P->n_indep; ++q) {
        const cob_dproj *pr = &g->proj[P->indep[q]];
        int32_t kk = pr->indegree[i];
        if (pr->sched) { /* a scheduled rate: as host/cpu/cpu_step.c, lambda = K_i rate(t) dt */
            const double lam = (double)cob_schedule_at(&g->pop[pr->pre].rate_sched.rate, s->t) * pr->dt_s;
            in->count[pr->channel] += cob_poisson_step_lambda(g->seed, pr->stream, (uint32_t)i, (uint64_t)s->t,
                                                              cob_tuned_lambda(kk, lam, &pr->tune, i));
            continue;
        }
        in->count[pr->channel] += cob_poisson_step(g->seed, pr->stream, (uint32_t)i, (uint64_t)s->t, pr->n_chunks[kk],
                                                   pr->lambda_chunk[kk], pr->exp_neg[kk]);
    }
    return cob_input_cap(in, P->n_channels);
}

/* The sum of v over the 32 lanes of the calling warp, in every lane; every lane must call it.
 * One instruction on sm_80 and later (a build for sm_75, CMake's default without
 * CMAKE_CUDA_ARCHITECTURES, shuffles). */
__device__ static unsigned int warp_sum(unsigned int v)
{
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
    int o;
    for (o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xFFFFFFFFu, v, o);
    return v;
#else
    return __reduce_add_sync(0xFFFFFFFFu, v);
#endif
}

__global__ void __launch_bounds__(COB_CUDA_BLOCK, COB_UPDATE_MIN_BLOCKS)
    cob_k_update(const cob_dnet *__restrict__ g, cob_dcount *cnt, int64_t k)
{
    __shared__ int s_n[COB_MAX_POPS], s_base[COB_MAX_POPS];
    /* 32-bit: a native shared-memory atomic (a 64-bit one is a CAS loop on sm_90), fed by warp
     * sums; a block's sum is at most COB_CUDA_BLOCK x 65535 (static_assert below) */
    __shared__ unsigned int s_chan[COB_MAX_POPS][COB_MAX_CHANNELS];
    extern __shared__ unsigned int s_hist[];
    const cob_dstep s = step_of(g, cnt, k);
    const int64_t x = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t x0 = (int64_t)blockIdx.x * blockDim.x;
    const int hpop = x0 < g->n_items ? item_pop(g, x0) : -1; /* the block's histogram population */
    const int use_shist = g->shared_hist && hpop >= 0 && g->pop[hpop].kind == COB_DPOP_NEURON && s.sample_v;
    int j, pop = -1, fired = 0, pos = 0;
    uint32_t tick = 0;                      /* the spike's offset in 1/256 step (continuous delays) */
    uint32_t chan[COB_MAX_CHANNELS] = {0u}; /* this neuron's counts when it is in population hpop */
    int64_t i = 0;
    for (j = threadIdx.x; j < COB_MAX_POPS; j += blockDim.x) s_n[j] = 0;
    for (j = threadIdx.x; j < COB_MAX_POPS * COB_MAX_CHANNELS; j += blockDim.x)
        s_chan[j / COB_MAX_CHANNELS][j % COB_MAX_CHANNELS] = 0;
    if (use_shist)
        for (j = threadIdx.x; j < g->v_bins + 2; j += blockDim.x) s_hist[j] = 0;
    __syncthreads();

    if (x < g->n_items && (pop = item_pop_near(g, x, hpop)) >= 0) {
        const cob_dpop *P = &g->pop[pop];
        i = x - P->item0;
        if (P->kind == COB_DPOP_NEURON) {
            const int64_t gi = P->off + i;
            const int nch = P->n_channels;
            cob_input in;
            uint64_t ovf;
            uint32_t nz;
            float v_mV = 0.0f;
            int flags, c;
            cob_input_clear(&in, g->seed, (uint64_t)s.t, (uint32_t)gi);
            nz = ring_load(g->ring + (int64_t)s.slot * g->nch * g->n_neurons + gi, g->n_neurons, nch, &in);
            ovf = gather_indep(g, P, &s, i, &in);
            if (ovf)
                atomicAdd(&cnt->overflow, (unsigned long long)ovf);
            if (P->noise.on) { /* the population's coefficients for this step, then this neuron's draw */
                float nz_a, nz_b;
                cob_noise_coef(&P->noise, s.t, &nz_a, &nz_b);
                cob_noise_input(&P->noise, nz_a, nz_b, (uint32_t)i, &in);
            }
            flags = cob_neuron_step(P->model, &P->prop, &g->state, gi, &in, nch, &v_mV);
            ring_clear(g->ring + (int64_t)s.slot * g->nch * g->n_neurons + gi, g->n_neurons, nz);
            if (flags & COB_STEP_BAD_MODEL)
                atomicMax(&cnt->bad_model, pop + 1);
            fired = flags & COB_STEP_FIRED;
            tick = cob_step_tick(flags);
            if (flags >> COB_STEP_MERGED_SHIFT)
                atomicAdd(&cnt->merged, (unsigned long long)(flags >> COB_STEP_MERGED_SHIFT));
            if (s.measuring) {
                const cob_dacc *a = &P->acc;
                const cob_vhist_geom hg = {g->v_min, g->v_inv_width, g->v_bins};
                int32_t hb;
                if (s.win >= 0) { /* per-window statistics, as host/cpu/cpu_step.c */
                    const int64_t vn = P->size < g->v_neurons ? P->size : g->v_neurons;
                    const uint64_t isi = cob_stats_window(a, i, s.t, s.win, s.win_start, fired,
                                                          flags & COB_STEP_REFRACTORY, s.sample_v, v_mV, vn);
                    if (isi) {
                        unsigned long long *wc = (unsigned long long *)a->win_isi + 4 * s.win;
                        const unsigned long long sq = (unsigned long long)(isi * isi);
                        atomicAdd(&wc[0], 1ull);
                        atomicAdd(&wc[1], (unsigned long long)isi);
                        if (atomicAdd(&wc[2], sq) + sq < sq) /* the low word wrapped: carry (hd/stats.h) */
                            atomicAdd(&wc[3], 1ull);
                    }
                }
                hb = cob_stats_neuron(a, i, s.t, fired, flags & COB_STEP_REFRACTORY, s.sample_v, v_mV, &hg);
                for (c = 0; c < nch; ++c)
                    if (pop == hpop)
                        chan[c] = in.count[c]; /* summed by the warp below */
                    else if (in.count[c])      /* a block across a population boundary */
                        atomicAdd(&s_chan[pop][c], in.count[c]);
                /* a step that begins below capacity stores all its raster spikes (the slack holds
                 * them); the host sorts and keeps the CPU's first raster_cap */
                if (fired && i < P->raster_n) {
                    if ((int64_t)cnt->raster_start < g->raster_cap) {
                        unsigned long long r = atomicAdd(&cnt->raster_n, 1ull);
                        g->raster_step[r] = s.t;
                        g->raster_pop[r] = pop;
                        g->raster_neuron[r] = (int32_t)i;
                    } else {
                        atomicAdd(&cnt->raster_over, 1ull);
                    }
                }
                if (hb >= 0) {
                    if (use_shist && pop == hpop)
                        atomicAdd(&s_hist[hb], 1u);
                    else
                        atomicAdd((unsigned long long *)&a->v_hist[hb], 1ull);
                }
                if (i < P->trace_n && s.tm % g->trace_stride == 0)
                    g->trace_v[(P->trace_base + i) * g->trace_samples + s.tm / g->trace_stride] = v_mV;
            }
        } else if (P->next[i] == s.t) { /* pool source due now: its next spike, as the CPU draws it */
            const cob_rate_sched *rs = &P->rate_sched;
            /* a scheduled rate thins the candidates (hd/poisson.h) */
            fired = !rs->on || cob_pool_keep(g->seed, pop, (uint32_t)i, s.t, cob_schedule_at(&rs->rate, s.t),
                                             rs->rate_max, cob_tuning_gain(&rs->tune, i));
            if (fired && P->spk_tick)
                tick = cob_pool_spike_tick(g->seed, pop, (uint32_t)i, s.t);
            P->next[i] = cob_pool_next(g->seed, P->stream, (uint32_t)i, s.t, P->p, &P->n_draws[i], P->thr, P->thr_len);
        }
        if (fired)
            pos = atomicAdd(&s_n[pop], 1);
    }
    /* channel totals of the block's population: one warp sum and one shared atomic per warp
     * instead of 32 atomics on one shared address (serialised). Every lane gets here (no thread
     * returns early; blocks are whole warps, cob_launch_shape); the condition is block-uniform.
     * A warp's sum is at most 32 x 65535. */
    if (s.measuring && hpop >= 0)
        for (j = 0; j < g->pop[hpop].n_channels; ++j) {
            const unsigned int w = warp_sum(chan[j]);
            if ((threadIdx.x & 31u) == 0 && w)
                atomicAdd(&s_chan[hpop][j], w);
        }
    __syncthreads();

    for (j = threadIdx.x; j < COB_MAX_POPS; j += blockDim.x)
        if (s_n[j] > 0) {
            s_base[j] = atomicAdd(&cnt->n_spk[s.par][j], s_n[j]);
            atomicAdd(&cnt->pop_total[j], (unsigned long long)s_n[j]);
            if (s.measuring && g->pop[j].kind == COB_DPOP_NEURON) {
                atomicAdd(&g->pop[j].acc.rate_ts[s.tm / g->bin_steps], (unsigned int)s_n[j]);
                if (s.win >= 0)
                    atomicAdd((unsigned long long *)&g->pop[j].acc.win_spikes[s.win], (unsigned long long)s_n[j]);
            }
        }
    if (s.measuring)
        for (j = threadIdx.x; j < COB_MAX_POPS * COB_MAX_CHANNELS; j += blockDim.x) {
            unsigned long long v = s_chan[j / COB_MAX_CHANNELS][j % COB_MAX_CHANNELS];
            static_assert((unsigned long long)COB_CUDA_BLOCK * COB_INPUT_COUNT_MAX <= 0xFFFFFFFFull,
                          "a block's channel sum fits the 32-bit shared counter");
            if (v)
                atomicAdd(&cnt->chan_count[j / COB_MAX_CHANNELS][j % COB_MAX_CHANNELS], v);
        }
    if (use_shist)
        for (j = threadIdx.x; j < g->v_bins + 2; j += blockDim.x)
            if (s_hist[j])
                atomicAdd((unsigned long long *)&g->pop[hpop].acc.v_hist[j], (unsigned long long)s_hist[j]);
    __syncthreads();
    if (fired) {
        g->pop[pop].spk[s_base[pop] + pos] = (int32_t)i;
        if (g->pop[pop].spk_tick)
            g->pop[pop].spk_tick[s_base[pop] + pos] = (uint8_t)tick;
    }
}

/* Largest delay group g of a row with off[g] <= s (off[0] = 0 <= s < off[n_dgrp]). */
template <typename O>
__device__ static int group_of(const O *off, int n_dgrp, uint32_t s)
{
    int lo = 0, hi = n_dgrp - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) >> 1;
        if (off[mid] <= s)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* The synapses of one row with delay-group offsets off[0 .. n_dgrp], by the 32 lanes of a warp:
 * target tgt[s] of group grp gets 1 in ring slot (slot0 + grp) mod D, i.e. at chan0 + slot *
 * slot_stride. slot0 = (t + min_delay) mod D and grp <= max_delay - min_delay < D, so one
 * conditional subtraction replaces a 64-bit modulo per synapse. Rows with at least 32 synapses
 * per group walk the groups (the slot once per group, all lanes busy); shorter groups (e.g. the
 * ~5-synapse groups of 200 delay steps) find each synapse's group by binary search instead of
 * leaving most lanes idle. Integer atomics: the counts do not depend on the order. */
template <typename O>
__device__ static void deliver_groups(uint32_t *chan0, const int32_t *tgt, const O *off, int n_dgrp, int64_t len,
                                      int64_t slot0, int64_t D, int64_t slot_stride, int lane)
{
    int64_t s;
    if (len >= 32 * (int64_t)n_dgrp) {
        int grp;
        for (grp = 0; grp < n_dgrp; ++grp) {
            int64_t slot = slot0 + grp;
            uint32_t *cells;
            if (slot >= D)
                slot -= D;
            cells = chan0 + slot * slot_stride;
            for (s = off[grp] + lane; s < (int64_t)off[grp + 1]; s += 32) atomicAdd(cells + tgt[s], 1u);
        }
        return;
    }
    for (s = lane; s < len; s += 32) {
        int64_t slot = slot0 + group_of<O>(off, n_dgrp, (uint32_t)s);
        if (slot >= D)
            slot -= D;
        atomicAdd(chan0 + slot * slot_stride + tgt[s], 1u);
    }
}

/* deliver_groups for a projection with delay fractions (hd/connect.h): the arrival of target
 * tgt[s] of group grp is cob_arrival_steps(min_delay + grp, s8, fraction) steps after t. */
template <typename O>
__device__ static void deliver_frac(const cob_dproj *pr, uint32_t *chan0, const int32_t *tgt, const O *off, int64_t len,
                                    int64_t t_mod, int32_t j, uint32_t s8, int64_t D, int64_t slot_stride, int lane)
{
    const uint32_t kj = cob_mix32(pr->dfrac_key ^ (uint32_t)j); /* cob_delay_frac's first round */
    const int hash = pr->dfrac_mode == COB_DFRAC_HASH;
    int64_t s;
    for (s = lane; s < len; s += 32) {
        const int32_t d = pr->min_delay + (pr->n_dgrp > 1 ? group_of<O>(off, pr->n_dgrp, (uint32_t)s) : 0);
        const uint32_t f = hash ? cob_mix32(kj + (uint32_t)tgt[s]) >> 24 : pr->dfrac_const;
        int64_t slot = t_mod + cob_arrival_steps(d, s8, f); /* < 2 D: arrivals are shorter than the ring */
        if (slot >= D)
            slot -= D;
        atomicAdd(chan0 + slot * slot_stride + tgt[s], 1u);
    }
}

/* One spike's row of projection pr, by the 32 lanes of a warp; returns the row length. */
__device__ static int64_t deliver_row(const cob_dnet *__restrict__ g, const cob_dproj *pr, int64_t t, int32_t j,
                                      uint32_t s8, int lane)
{
    const int64_t r0 = pr->row_ptr[j], len = pr->row_ptr[j + 1] - r0;
    const int32_t *tgt = pr->target + r0;
    const int64_t N = g->n_neurons, D = g->ring_slots, slot_stride = (int64_t)g->nch * N;
    const int64_t slot0 = (t + pr->min_delay) % D;
    uint32_t *chan0 = g->ring + (int64_t)pr->channel * N + pr->post_off;
    int64_t s;
    if (pr->dfrac_mode != COB_DFRAC_NONE) {
        if (pr->dgrp_off16)
            deliver_frac<uint16_t>(pr, chan0, tgt, pr->dgrp_off16 + (int64_t)j * (pr->n_dgrp + 1), len, t % D, j, s8, D,
                                   slot_stride, lane);
        else
            deliver_frac<uint32_t>(pr, chan0, tgt, pr->dgrp_off + (int64_t)j * (pr->n_dgrp + 1), len, t % D, j, s8, D,
                                   slot_stride, lane);
    } else if (pr->n_dgrp == 1) {
        uint32_t *cells = chan0 + slot0 * slot_stride;
        for (s = lane; s < len; s += 32) atomicAdd(cells + tgt[s], 1u);
    } else if (pr->dgrp_off16) {
        deliver_groups<uint16_t>(chan0, tgt, pr->dgrp_off16 + (int64_t)j * (pr->n_dgrp + 1), pr->n_dgrp, len, slot0, D,
                                 slot_stride, lane);
    } else {
        deliver_groups<uint32_t>(chan0, tgt, pr->dgrp_off + (int64_t)j * (pr->n_dgrp + 1), pr->n_dgrp, len, slot0, D,
                                 slot_stride, lane);
    }
    return len;
}

__global__ void __launch_bounds__(COB_CUDA_BLOCK)
    cob_k_deliver(const cob_dnet *__restrict__ g, cob_dcount *cnt, int64_t k)
{
    const int64_t t = cnt->t_base + k;
    const int par = (int)(t & 1);
    const int lane = threadIdx.x & 31;
    const int64_t warp = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int64_t n_warps = ((int64_t)gridDim.x * blockDim.x) >> 5;
    int64_t base = 0, events = 0;
    int q;
    for (q = 0; q < g->n_deliver; ++q) {
        const cob_dproj *pr = &g->proj[g->deliver[q]];
        const int32_t *spk = g->pop[pr->pre].spk;
        const uint8_t *spk_tick = g->pop[pr->pre].spk_tick;
        const int64_t n = cnt->n_spk[par][pr->pre];
        int64_t it = base + ((warp - base % n_warps) % n_warps + n_warps) % n_warps;
        for (; it < base + n; it += n_warps)
            events += deliver_row(g, pr, t, spk[it - base], spk_tick ? spk_tick[it - base] : 0u, lane);
        base += n;
    }
    if (lane == 0 && events)
        atomicAdd(&cnt->events, (unsigned long long)events);
    /* the other parity's lists were consumed by the previous step: ready them for the next;
     * the raster count as the next step begins (no update kernel runs now) */
    if (blockIdx.x == 0) {
        for (q = threadIdx.x; q < COB_MAX_POPS; q += blockDim.x) cnt->n_spk[par ^ 1][q] = 0;
        if (threadIdx.x == 0)
            cnt->raster_start = cnt->raster_n;
    }
}

__global__ void cob_k_advance(cob_dcount *cnt, int64_t n)
{
    if (blockIdx.x == 0 && threadIdx.x == 0)
        cnt->t_base += n;
}

/* Initial V uniform in [lo, lo + span] from (seed, VINIT(pop), i), as host/cpu/cpu_backend.c. */
__global__ void cob_k_init_v(const cob_dnet *__restrict__ g, int pop, double lo, double span)
{
    const cob_dpop *P = &g->pop[pop];
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    cob_u32x4 w;
    double u;
    if (i >= P->size)
        return;
    w = cob_philox(g->seed, COB_STREAM(COB_STREAM_VINIT, pop), (uint32_t)i, 0);
    u = cob_u01_double(w.v[0], w.v[1]);
    g->state.f[0][P->off + i] = (float)(lo + span * (1.0 - u));
}

/* First spike step of every pool source (the gap after step -1). */
__global__ void cob_k_init_pool(const cob_dnet *__restrict__ g, int pop)
{
    const cob_dpop *P = &g->pop[pop];
    const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= P->size)
        return;
    P->next[i] = cob_pool_next(g->seed, P->stream, (uint32_t)i, -1, P->p, &P->n_draws[i], P->thr, P->thr_len);
}
