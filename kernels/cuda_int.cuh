/* kernels/cuda_int.cuh -- internal to the CUDA backend: checked CUDA calls, tracked device
 * allocations, and the device-side network and counters that every kernel reads. The kernels
 * are thin launchers around include/cobalt/hd/ (one physics, two launchers); the CPU backend
 * (host/cpu/cpu_backend.h) is the reference they reproduce bit for bit. */
#ifndef COBALT_KERNELS_CUDA_INT_CUH
#define COBALT_KERNELS_CUDA_INT_CUH

#include <cuda_runtime.h>
#include <stdint.h>
#include "cobalt/sim.h"
#include "cobalt/hd/models.h"
#include "cobalt/hd/noise.h"
#include "cobalt/hd/philox.h"
#include "cobalt/hd/stats.h"

/* Report a failed CUDA call as COB_ERR_CUDA naming file:line, the call and CUDA's text. */
cob_status cob_cu_fail(cob_err *err, cudaError_t e, const char *call, const char *file, int line);

/* Evaluate a CUDA runtime call; on failure return the error from the enclosing function. */
#define COB_CU(err, call)                                                 \
    do {                                                                  \
        cudaError_t cob_e_ = (call);                                      \
        if (cob_e_ != cudaSuccess)                                        \
            return cob_cu_fail((err), cob_e_, #call, __FILE__, __LINE__); \
    } while (0)
/* Check the launch just made (configuration errors; execution errors surface at the next sync). */
#define COB_CU_LAUNCH(err, what) COB_CU(err, cudaGetLastError())

/* Device allocations with a running total, so the backend reports what it used and every
 * failure names what was being allocated. Stream-ordered (cudaMallocAsync / cudaFreeAsync on
 * st, the device's default memory pool, which keeps freed memory for reuse): the points of a
 * sweep, one after another in one process, reuse the previous point's memory where it fits
 * instead of going back to the driver. */
typedef struct {
    int64_t cur, peak;
    cudaStream_t st; /* every allocation and free is ordered on this stream */
} cob_dmem;

/* The default memory pool keeps what is freed (release threshold: no limit), and the bytes it
 * holds but has not handed out, which count as free for the memory check. */
cob_status cob_dpool_setup(int device, cob_err *err);
int64_t cob_dpool_idle_bytes(int device);

cob_status cob_dmalloc(cob_dmem *m, void **p, int64_t bytes, const char *what, cob_err *err);
void cob_dfree(cob_dmem *m, void *p, int64_t bytes);
/* Return the status of x from the enclosing function when it is not COB_OK. */
#define COB_TRY(x)           \
    do {                     \
        cob_status s_ = (x); \
        if (s_ != COB_OK)    \
            return s_;       \
    } while (0)

/* First statement of a kernel whose barriers depend on device data (a loop over tiles that may
 * run no iteration): nothing on a device; the emulated tier (tests/emu) runs such a kernel as
 * fibers on every launch instead of as plain loops after a launch without a barrier. */
#ifdef COB_EMU_RUNTIME
#define COB_BLOCK_BARRIERS() emu::uses_barriers()
#else
#define COB_BLOCK_BARRIERS() ((void)0)
#endif

#define COB_CUDA_BLOCK 256
/* Blocks of the update kernel that must fit on one SM: bounds its registers to 64, so 4 blocks
 * of 8 warps hide its dependent loads better. ptxas 13.0 for sm_90 spills under the bound (96 B
 * stored, 96 B loaded a thread; 432 B of stack, mostly the cob_input its channels index at run
 * time); whether 4 blocks with spills beat 3 without is for a device to measure. The expansion
 * kernel takes 32 registers and 14.6 KB of shared memory, no spills; the plan kernel 40. */
#define COB_UPDATE_MIN_BLOCKS 4

/* The block size (threads, a whole number of warps, at most COB_CUDA_BLOCK: the bound of the
 * kernels' __launch_bounds__ and of the update kernel's 32-bit block sums) that gives kernel k
 * the most resident warps with shmem bytes of dynamic shared memory, from its own occupancy
 * (registers, shared memory) as the runtime computes it; per_sm (if not NULL): how many such
 * blocks fit on one SM. The query reads the kernel's attributes, so the runtime loads its module
 * here rather than at its first launch (lazy loading). Callers query once and keep the answer. */
template <typename K>
static cob_status cob_launch_shape(K k, size_t shmem, int *block, int *per_sm, const char *name, cob_err *err)
{
    int min_grid = 0, b = 0, n = 0;
    COB_CU(err, cudaOccupancyMaxPotentialBlockSize(&min_grid, &b, k, shmem, COB_CUDA_BLOCK));
    b -= b % 32;
    if (b >= 32 && per_sm)
        COB_CU(err, cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, k, b, shmem));
    if (b < 32 || (per_sm && n < 1))
        return cob_err_set(err, COB_ERR_CUDA,
                           "%s: no block of a whole warp fits on an SM (block %d, %d per SM, %zu bytes of shared "
                           "memory)",
                           name, b, n, shmem);
    *block = b;
    if (per_sm)
        *per_sm = n;
    return COB_OK;
}

static inline unsigned cob_grid(int64_t n, int block)
{
    int64_t g = (n + block - 1) / block;
    if (g < 1)
        g = 1;
    if (g > 0x7FFFFFFF)
        g = 0x7FFFFFFF;
    return (unsigned)g;
}

/* One projection on the device. Stored projections: CSR by presynaptic neuron, grouped by
 * delay (net.h) in the dense or the sampled form of cob_dlayout (include/cobalt/estimate.h);
 * no per-synapse delays: the group gives them. Independent projections: the in-degree per
 * target and the Poisson tables per in-degree. */
typedef struct {
    int32_t pre, post, channel, independent;
    int64_t n_pre, n_post, n_syn;
    int64_t post_off; /* global index of the post population's first neuron */
    int64_t *row_ptr;
    int32_t *target;      /* n_syn words: the target, below its group when dgrp_shift > 0 */
    uint32_t *dgrp_off;   /* n_off delay-group offsets a row (cob_dlayout), 32-bit ... */
    uint16_t *dgrp_off16; /* ... or 16-bit when every row is shorter than 65536 (one is NULL; both
                             when n_off is 0) */
    int32_t n_dgrp, min_delay;
    int32_t dgrp_shift, tbits, n_off; /* the cob_dlayout the builder chose */
    int32_t dfrac_mode;               /* continuous delays (hd/connect.h): COB_DFRAC_*, key, constant fraction */
    uint32_t dfrac_key, dfrac_const;
    int32_t *indegree;
    uint32_t *n_chunks;
    double *lambda_chunk, *exp_neg;
    uint32_t stream;
    int32_t sched; /* independent from a scheduled rate (the plan's): lambda = K_i rate(t) dt_s */
    double dt_s;
    cob_tuning tune; /* a tuned independent input (the plan's): lambda times the target's gain */
} cob_dproj;

/* The stored layout of a projection, read through these two accessors only (the arrival-time
 * expansion in kernels/step.cu; kernels/connect.cu writes it, cob_cuda_net_build reads it back).
 * cob_group_start: offset within row j (first synapse r0 = row_ptr[j]) of delay group g's first
 * synapse, 0 <= g <= n_dgrp (g = n_dgrp: the row length); group g is [start(g), start(g + 1)).
 * cob_target_at: the target (local index in the post population) of stored synapse s, a global
 * index into the projection's synapses.
 * Dense form: one offset read. Sampled form (cob_dlayout): the offset of the sample at or below
 * g, then a scan over the row's words while their group is below g; the words are sorted by
 * group, so the scan stops at g's first synapse, or at the next group's when g is empty. A
 * sample covers fewer than 8 off_bytes synapses on average (cob_dlayout_choose), contiguous.
 * Host code may call them on a copy of the descriptor whose arrays are on the host (net_download
 * decodes the device build with them, so the build tests check these reads too). */
__host__ __device__ static inline uint32_t cob_group_start(const cob_dproj *pr, int64_t j, int64_t r0, int g)
{
    int64_t s, end;
    int b;
    if (pr->dgrp_shift == 0)
        return pr->dgrp_off16 ? pr->dgrp_off16[j * (pr->n_dgrp + 1) + g] : pr->dgrp_off[j * (pr->n_dgrp + 1) + g];
    if (g == 0)
        return 0;
    end = pr->row_ptr[j + 1]; /* beside row_ptr[j]: bounds a scan past the row's last group */
    if (g >= pr->n_dgrp)
        return (uint32_t)(end - r0);
    b = g >> pr->dgrp_shift; /* groups b S .. b S + S - 1 start at or after sample b (b = 0: at 0) */
    s = r0;
    if (b > 0)
        s += pr->dgrp_off16 ? pr->dgrp_off16[j * pr->n_off + b - 1] : pr->dgrp_off[j * pr->n_off + b - 1];
    if (g == b << pr->dgrp_shift)
        return (uint32_t)(s - r0);
    while (s < end && ((uint32_t)pr->target[s] >> pr->tbits) < (uint32_t)g) ++s;
    return (uint32_t)(s - r0);
}

__host__ __device__ static inline int32_t cob_target_at(const cob_dproj *pr, int64_t s)
{
    if (pr->dgrp_shift == 0)
        return pr->target[s];
    return (int32_t)((uint32_t)pr->target[s] & ((1u << pr->tbits) - 1u));
}

/* Per-population statistics accumulators on the device: the arrays of the accumulator table
 * (host/stats/stats_acc.h), allocated and downloaded by walking it (kernels/cuda_backend.cu). */
typedef cob_acc_arrays cob_dacc;

enum { COB_DPOP_NEURON = 0, COB_DPOP_POOL = 1, COB_DPOP_NONE = 2 };

typedef struct {
    int32_t kind, model, n_channels;
    int64_t off, size;    /* neurons: global offset; size of the population */
    int64_t item0;        /* first thread item of the update kernel */
    cob_neuron_prop prop; /* the model's propagators (hd/models.h) */
    int32_t n_indep;
    int32_t indep[COB_MAX_PROJS]; /* independent projections onto this population */
    /* spike history (a population that stored projections leave; else hist is NULL): the local
     * indices of the spikes of the last hist_slots steps (unordered within a step) in a circular
     * array of hist_cap entries; step t's spikes are entries hist_start[t % hist_slots] + 0 ..
     * hist_n[t % hist_slots] - 1 (positions count every spike since step 0; the entry is the
     * position mod hist_cap). hist_cap: cob_cuda_hist_capacity (host/net/cuda_mem.c). */
    int32_t *hist;
    uint8_t *hist_tick; /* the spikes' offsets in 1/256 step (net->dfrac_any only, else NULL) */
    int64_t hist_cap;
    int32_t *hist_n;
    unsigned long long *hist_start;
    int32_t n_out;              /* stored projections out of this population (their rows' lengths are the */
    int32_t out[COB_MAX_PROJS]; /* synaptic events of a spike, counted at emission as the CPU does) */
    int64_t *next;              /* pool: next spike step of each source */
    uint32_t *n_draws;
    uint64_t *thr;
    int32_t thr_len;
    double p;
    uint32_t stream;
    int32_t raster_n, trace_base, trace_n;
    cob_dacc acc;
    cob_noise noise;           /* neurons: white-noise input (the plan's, hd/noise.h) */
    cob_rate_sched rate_sched; /* Poisson populations: a rate that varies (the plan's, hd/poisson.h) */
} cob_dpop;

/* Immutable during a run (set up once and copied to the device). */
typedef struct {
    int32_t n_pops, n_projs, nch;
    int32_t hist_slots;         /* H: steps of spike history kept, the longest arrival offset + 1 */
    int64_t n_neurons, n_items; /* neurons + pool sources: the update kernel's items */
    uint64_t seed;
    /* arrival-time delivery (docs/numerics.md, Delivery): the input counts of the current step,
     * [nch][n_neurons], filled by cob_k_expand and read and cleared by cob_k_update */
    uint32_t *acc;
    /* the (stored projection, lag) pairs: at step t, pair x covers the spikes that the
     * population pre of projection pair_q[x] emitted at step t - pair_L[x]; seg_base[x] is the
     * first segment (spike) of pair x in the step's segment list, seg_base[n_pairs] their number
     * (cob_k_plan writes it each step) */
    int32_t n_pairs;
    int32_t *pair_q, *pair_L;
    unsigned long long *seg_base;
    cob_state_arrays state; /* neuron state: n_state_f32 + n_state_i32 arrays of n_neurons
                                       * (f[0] = V in mV), as the model registry sizes them */
    int64_t warmup, measure, bin_steps, v_stride, trace_stride, trace_samples, raster_cap;
    int64_t raster_slots; /* raster_cap + the most raster spikes one step can have */
    float v_min, v_inv_width;
    int32_t v_bins, shared_hist; /* shared_hist: block histograms in shared memory */
    int64_t *raster_step;
    int32_t *raster_pop, *raster_neuron;
    float *trace_v;
    int32_t n_deliver;
    int32_t deliver[COB_MAX_PROJS]; /* stored projections, in order */
    cob_windows windows;            /* the protocol's windows in steps (per-window statistics) */
    int64_t v_neurons;              /* stats.v_neurons: neurons with per-window V sums */
    cob_dpop pop[COB_MAX_POPS];
    cob_dproj proj[COB_MAX_PROJS];
} cob_dnet;

#define COB_EVENT_LANES 32

/* Mutable counters (one small device block). */
typedef struct {
    int64_t t_base;                             /* steps done before the current launch sequence */
    unsigned long long pop_total[COB_MAX_POPS]; /* spikes since the last poll */
    unsigned long long chan_count[COB_MAX_POPS][COB_MAX_CHANNELS];
    unsigned long long overflow;
    /* synaptic events at emission, spread over lanes (a block adds to lane blockIdx % lanes) so
     * the spikes of a step do not all queue on one address; the sum is the count */
    unsigned long long events[COB_EVENT_LANES];
    unsigned long long hist_over; /* spikes beyond a history's capacity (a failed run, never 0 when
                                   * hist_cap holds, cob_cuda_hist_capacity) */
    unsigned long long merged;    /* ordered step: spikes beyond a neuron's first in one step */
    int32_t bad_model;            /* population + 1 whose model the update kernel does not know */
    /* raster: spikes stored (up to raster_cap plus one step's worth of slack), the stored count
     * when the step began (set by the plan kernel), spikes not stored */
    unsigned long long raster_n, raster_start, raster_over;
} cob_dcount;

/* Kernels of one step (kernels/step.cu). k: step within the launch sequence (t = t_base + k). */
__global__ void __launch_bounds__(COB_CUDA_BLOCK, COB_UPDATE_MIN_BLOCKS)
    cob_k_update(const cob_dnet *__restrict__ g, cob_dcount *cnt, int64_t k);
__global__ void __launch_bounds__(COB_CUDA_BLOCK)
    cob_k_plan(const cob_dnet *__restrict__ g, cob_dcount *cnt, int64_t k);
__global__ void __launch_bounds__(COB_CUDA_BLOCK)
    cob_k_expand(const cob_dnet *__restrict__ g, cob_dcount *cnt, int64_t k);
__global__ void cob_k_advance(cob_dcount *cnt, int64_t n);
__global__ void cob_k_init_v(const cob_dnet *__restrict__ g, int pop, double lo, double span);
__global__ void cob_k_init_pool(const cob_dnet *__restrict__ g, int pop);
/* The expansion kernel's launch shape (kernels/cuda_backend.cu): the block from its occupancy
 * (cob_launch_shape) and a grid of one wave, every block that fits on the device at once; the
 * blocks stride over the step's tiles of segments. */
cob_status cob_expand_shape(unsigned *grid, int *block, cob_err *err);
/* The (stored projection, lag) pairs of h's deliver list, projections of net (their lags:
 * cob_cuda_arrival_lags), into pq / pL (room for cob_cuda_arrival_pairs(net) pairs); returns
 * their number. */
int cob_arrival_pairs(const cob_net *net, const cob_dnet *h, int32_t *pq, int32_t *pL);
/* Dynamic shared memory of cob_k_update. */
size_t cob_update_shared_bytes(const cob_dnet *host_g);

/* The scalar fields of projection p's descriptor, from the host network (layout or built);
 * the device arrays are set by whoever allocates them. */
static inline void cob_dproj_describe(const cob_net *net, int p, cob_dproj *dp)
{
    const cob_proj *pr = &net->proj[p];
    dp->pre = pr->pre;
    dp->post = pr->post;
    dp->channel = pr->channel;
    dp->independent = pr->independent;
    dp->n_pre = pr->n_pre;
    dp->n_post = pr->n_post;
    dp->n_syn = pr->n_syn;
    dp->post_off = net->pop_offset[pr->post];
    dp->n_dgrp = pr->n_dgrp;
    dp->min_delay = pr->min_delay;
    dp->dfrac_mode = pr->dfrac_mode;
    dp->dfrac_key = pr->dfrac_key;
    dp->dfrac_const = pr->dfrac_const;
    dp->stream = COB_STREAM(COB_STREAM_INDEP, p); /* read by independent projections only */
}

/* Device builder (kernels/connect.cu): fill projection p's CSR on the device from the host
 * layout's in-degrees and drawing rule (dp's scalar fields come from cob_dproj_describe). Arrays are allocated
 * through m (row_ptr, target, dgrp_off or dgrp_off16); dp's layout fields say which form
 * (cob_dlayout_choose with the built rows' longest). */
cob_status cob_cuda_build_proj(const cob_net *net, int p, cob_dproj *dp, cob_dmem *m, cudaStream_t st, cob_err *err);

#endif
