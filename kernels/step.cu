/* kernels/step.cu -- the CUDA kernels of one time step, thin launchers around the shared
 * physics of include/cobalt/hd/ (the CPU loop of host/cpu/cpu_step.c runs the same functions):
 *   cob_k_plan     one block: opens step t's slot of every spike history and lists the step's
 *                  segments: for every (stored projection, lag L) pair, the spikes its
 *                  population emitted at step t - L (a prefix sum of their counts);
 *   cob_k_expand   arrival-time delivery: a segment is the delay group of one spike's row that
 *                  arrives now; blocks take tiles of segments, scan their lengths and give
 *                  each thread events (synapses) in turn, adding 1 to acc[channel][target]
 *                  (integer atomics into one step's counts, order-free);
 *   cob_k_update   one thread per neuron and per pool source: this step's arrivals from acc
 *                  (read and cleared), independent Poisson counts, the neuron step,
 *                  statistics; pool sources due now; spikes appended to the step's history;
 *   cob_k_advance  the device step counter, once per launch sequence (so a CUDA Graph of a
 *                  chunk of steps can be replayed unchanged).
 * Spike lists are unordered (block-aggregated atomics); nothing downstream depends on their
 * order except the raster, which the host sorts (docs/numerics.md). */
#include <cub/block/block_scan.cuh>
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
    int measuring, sample_v;
    int32_t slot, oldest; /* history slots of step t and of step t - (hist_slots - 1) */
    int32_t win;          /* protocol window of the step (measured steps only), -1 none */
    int64_t win_start;    /* its first step */
} cob_dstep;

__device__ static cob_dstep step_of(const cob_dnet *__restrict__ g, const cob_dcount *cnt, int64_t k)
{
    cob_dstep s;
    s.t = cnt->t_base + k;
    s.tm = s.t - g->warmup;
    s.measuring = s.t >= g->warmup && s.tm < g->measure;
    s.sample_v = s.measuring && s.tm % g->v_stride == 0;
    s.slot = (int32_t)(s.t % g->hist_slots);
    s.oldest = (int32_t)((s.t + 1) % g->hist_slots);
    s.win = s.measuring ? cob_window_of(&g->windows, s.t) : -1;
    s.win_start = s.win >= 0 ? g->windows.start[s.win] : 0;
    return s;
}

/* This step's accumulator cells of neuron gi (channel c at cells[c * stride]), every channel loaded into
 * a temporary before anything is stored: the loads issue back to back instead of each waiting
 * behind the clear of the cell before it (stores through a pointer that may alias). Returns a
 * bit per channel whose cell was not 0, for acc_clear after the neuron step. */
__device__ static uint32_t acc_load(const uint32_t *__restrict__ cells, int64_t stride, int nch, cob_input *in)
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

/* The cells acc_load found not 0, cleared (only this thread reads or writes them during the
 * update kernel; the expansion kernels that add to them run before it and in the next step). The caller passes the
 * address again rather than keeping it live across the neuron step (fewer spills under the
 * kernel's 64-register bound). */
__device__ static void acc_clear(uint32_t *__restrict__ cells, int64_t stride, uint32_t nz)
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

/* Spike of item i (local index) at place pos of its population's spikes this step, into the
 * history: entry (start of the step + pos) mod hist_cap, unless that would overwrite a spike of
 * the last hist_slots - 1 steps (counted, and the run fails: cob_cuda_hist_capacity bounds what a
 * population can emit, so it does not happen). Its synaptic events (the row lengths of the
 * stored projections it leaves) are counted now, at emission, as the CPU backend counts them. */
__device__ static void hist_append(const cob_dnet *__restrict__ g, cob_dcount *cnt, const cob_dpop *P,
                                   const cob_dstep *s, int32_t pos, int64_t i, uint32_t tick)
{
    const unsigned long long a = P->hist_start[s->slot] + (unsigned long long)pos;
    unsigned long long ev = 0;
    int q;
    if (a - P->hist_start[s->oldest] < (unsigned long long)P->hist_cap) {
        const int64_t e = (int64_t)(a % (unsigned long long)P->hist_cap);
        P->hist[e] = (int32_t)i;
        if (P->hist_tick)
            P->hist_tick[e] = (uint8_t)tick;
    } else {
        atomicAdd(&cnt->hist_over, 1ull);
    }
    for (q = 0; q < P->n_out; ++q) {
        const int64_t *rp = g->proj[P->out[q]].row_ptr;
        ev += (unsigned long long)(rp[i + 1] - rp[i]);
    }
    if (ev)
        atomicAdd(&cnt->events[blockIdx.x % COB_EVENT_LANES], ev);
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
            nz = acc_load(g->acc + gi, g->n_neurons, nch, &in);
            ovf = gather_indep(g, P, &s, i, &in);
            if (ovf)
                atomicAdd(&cnt->overflow, (unsigned long long)ovf);
            if (P->noise.on) { /* the population's coefficients for this step, then this neuron's draw */
                float nz_a, nz_b;
                cob_noise_coef(&P->noise, s.t, &nz_a, &nz_b);
                cob_noise_input(&P->noise, nz_a, nz_b, (uint32_t)i, &in);
            }
            flags = cob_neuron_step(P->model, &P->prop, &g->state, gi, &in, nch, &v_mV);
            acc_clear(g->acc + gi, g->n_neurons, nz);
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
            if (fired && P->hist_tick)
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
            s_base[j] = g->pop[j].hist ? atomicAdd(&g->pop[j].hist_n[s.slot], s_n[j]) : 0;
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
    if (fired && g->pop[pop].hist)
        hist_append(g, cnt, &g->pop[pop], &s, s_base[pop] + pos, i, tick);
}

/* Block-wide exclusive sums of the plan and expansion kernels (launched with exactly
 * COB_CUDA_BLOCK threads, as cub::BlockScan requires). */
typedef cub::BlockScan<unsigned long long, COB_CUDA_BLOCK> cob_block_scan;

/* Spikes population pre(pair_q[x]) emitted at step t - pair_L[x] (0 before step 0, and for a
 * population without a history: an empty one). */
__device__ static unsigned long long pair_count(const cob_dnet *__restrict__ g, int64_t t, int x)
{
    const int64_t L = g->pair_L[x];
    const cob_dpop *P = &g->pop[g->proj[g->pair_q[x]].pre];
    return t >= L && P->hist ? (unsigned long long)P->hist_n[(t - L) % g->hist_slots] : 0ull;
}

/* Before the step's expansion and update: step t's history slots start where step t - 1's
 * spikes end, empty (no pair reads slot t: lags are 1 .. hist_slots - 1); the segment list
 * seg_base from the pairs' counts, each thread summing a contiguous run of pairs; the raster
 * count as the step begins. One block of COB_CUDA_BLOCK threads. */
__global__ void __launch_bounds__(COB_CUDA_BLOCK) cob_k_plan(const cob_dnet *__restrict__ g, cob_dcount *cnt, int64_t k)
{
    __shared__ typename cob_block_scan::TempStorage s_scan;
    const int64_t t = cnt->t_base + k, H = g->hist_slots;
    const int64_t slot = t % H, prev = (t + H - 1) % H;
    const int n = g->n_pairs, per = (n + (int)blockDim.x - 1) / (int)blockDim.x;
    const int x0 = (int)threadIdx.x * per, x1 = x0 + per < n ? x0 + per : n;
    unsigned long long run = 0, total = 0;
    int x;
    for (x = threadIdx.x; x < g->n_pops; x += blockDim.x) {
        const cob_dpop *P = &g->pop[x];
        if (P->hist) {
            P->hist_start[slot] = P->hist_start[prev] + (unsigned long long)P->hist_n[prev];
            P->hist_n[slot] = 0;
        }
    }
    for (x = x0; x < x1; ++x) run += pair_count(g, t, x);
    cob_block_scan(s_scan).ExclusiveSum(run, run, total);
    for (x = x0; x < x1; ++x) {
        g->seg_base[x] = run;
        run += pair_count(g, t, x);
    }
    if (threadIdx.x == 0) {
        g->seg_base[n] = total;
        cnt->raster_start = cnt->raster_n;
    }
}

/* One tile's segment seg (< the step's total): spike i of pair x, the pair found by binary search
 * in seg_base. Fills the thread's entries of the tile's tables and returns the segment's length:
 * the synapses of its row in delay group L - min_delay, the group that arrives now; with delay
 * fractions (hd/connect.h) groups L - 1 and L of the delay (a synapse of delay d arrives d or d +
 * 1 steps after its spike), each synapse checked against its own arrival step. */
typedef struct {
    int64_t syn0;    /* global index of the segment's first synapse */
    int64_t split;   /* fractions: first synapse of delay L (those before it have delay L - 1) */
    uint32_t *cell;  /* acc cells of the projection's channel, from its post population's first */
    int32_t q, L;    /* projection; lag (fractions only, else -1: no check) */
    uint32_t kj, s8; /* fractions: cob_delay_frac's first round for the spike; its offset */
} cob_seg;

__device__ static unsigned long long segment(const cob_dnet *__restrict__ g, int64_t t, unsigned long long seg,
                                             cob_seg *out)
{
    int lo = 0, hi = g->n_pairs, q, L, glo, ghi;
    while (hi - lo > 1) { /* the last pair whose first segment is at most seg */
        const int mid = (lo + hi) >> 1;
        if (g->seg_base[mid] <= seg)
            lo = mid;
        else
            hi = mid;
    }
    q = g->pair_q[lo];
    L = g->pair_L[lo];
    const cob_dproj *pr = &g->proj[q];
    const cob_dpop *P = &g->pop[pr->pre];
    const int64_t slot = (t - L) % g->hist_slots;
    const int64_t e = (int64_t)((P->hist_start[slot] + (seg - g->seg_base[lo])) % (unsigned long long)P->hist_cap);
    const int64_t j = P->hist[e], r0 = pr->row_ptr[j];
    const int frac = pr->dfrac_mode != COB_DFRAC_NONE;
    ghi = L - pr->min_delay;
    glo = frac ? ghi - 1 : ghi;
    if (glo < 0)
        glo = 0;
    if (ghi > pr->n_dgrp - 1)
        ghi = pr->n_dgrp - 1;
    const uint32_t a = cob_group_start(pr, j, r0, glo), b = cob_group_start(pr, j, r0, ghi + 1);
    out->syn0 = r0 + a;
    out->cell = g->acc + (int64_t)pr->channel * g->n_neurons + pr->post_off;
    out->q = q;
    out->L = -1;
    if (frac) {
        out->L = L;
        out->split = r0 + cob_group_start(pr, j, r0, L - pr->min_delay);
        out->kj = cob_mix32(pr->dfrac_key ^ (uint32_t)j); /* cob_delay_frac's first round */
        out->s8 = P->hist_tick ? P->hist_tick[e] : 0u;
    }
    return b > a ? (unsigned long long)(b - a) : 0ull;
}

/* Arrival-time delivery of step t: the step's segments in tiles of one per thread; a tile's
 * lengths are scanned (cub::BlockScan), then its threads take its events (synapses) in turn,
 * each finding its segment by binary search in the scan (from the segment of its previous
 * event: events are taken in order), so a tile of short groups keeps every thread busy as well
 * as one long row does. Integer atomics into acc: the counts do not depend on the order or the
 * launch shape (bit-identity with the CPU's arrival buckets). */
__global__ void __launch_bounds__(COB_CUDA_BLOCK)
    cob_k_expand(const cob_dnet *__restrict__ g, cob_dcount *cnt, int64_t k)
{
    __shared__ typename cob_block_scan::TempStorage s_scan;
    __shared__ unsigned long long s_off[COB_CUDA_BLOCK + 1];
    __shared__ cob_seg s_seg[COB_CUDA_BLOCK];
    const int64_t t = cnt->t_base + k;
    const unsigned long long S = g->seg_base[g->n_pairs], B = blockDim.x;
    unsigned long long tile;
    COB_BLOCK_BARRIERS();
    for (tile = blockIdx.x; tile * B < S; tile += gridDim.x) {
        const unsigned long long seg = tile * B + threadIdx.x;
        unsigned long long e, len = 0, start, E;
        int ks = 0;
        if (seg < S)
            len = segment(g, t, seg, &s_seg[threadIdx.x]);
        cob_block_scan(s_scan).ExclusiveSum(len, start, E);
        s_off[threadIdx.x] = start;
        if (threadIdx.x == 0)
            s_off[B] = E;
        __syncthreads();
        for (e = threadIdx.x; e < E; e += B) {
            int hi = (int)B;
            while (hi - ks > 1) { /* the last segment starting at or before e */
                const int mid = (ks + hi) >> 1;
                if (s_off[mid] <= e)
                    ks = mid;
                else
                    hi = mid;
            }
            const cob_seg *sg = &s_seg[ks];
            const cob_dproj *pr = &g->proj[sg->q];
            const int64_t syn = sg->syn0 + (int64_t)(e - s_off[ks]);
            const int32_t tgt = cob_target_at(pr, syn);
            if (sg->L >= 0) { /* delay fractions: only the synapses whose arrival is now */
                const int32_t d = syn < sg->split ? sg->L - 1 : sg->L;
                const uint32_t f = pr->dfrac_mode == COB_DFRAC_HASH ? cob_mix32(sg->kj + (uint32_t)tgt) >> 24
                                                                    : pr->dfrac_const;
                if (cob_arrival_steps(d, sg->s8, f) != sg->L)
                    continue;
            }
            atomicAdd(sg->cell + tgt, 1u);
        }
        __syncthreads(); /* the tile's tables and the scan's storage are read until here */
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
