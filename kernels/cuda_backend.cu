/* kernels/cuda_backend.cu -- the CUDA backend (cob_backend_ops): device discovery, the memory
 * estimate checked before anything is allocated, network construction on the device
 * (kernels/connect.cu), the step loop (kernels/step.cu: arrival-time delivery) captured once as a CUDA Graph of a
 * chunk of steps and replayed, CUDA-event timings, and the statistics copied back into the
 * host accumulators (host/stats/stats_acc.h) that the CPU backend fills, so the reduction is shared.
 * Every CUDA call is checked (COB_CU); every failure is a cob_status with the call named. */
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>
#include <cuda_runtime.h>
#include "cuda_int.cuh"
#include "cobalt/plan.h"
#include "cobalt/estimate.h"
#include "stats/stats_acc.h"
#include "inputs/poisson_tables.h"

/* Steps per CUDA Graph replay; COB_TIMED_STEPS steps (the first measured ones) run as plain
 * launches with an event pair around every kernel (the per-phase times, run_body). */
#define COB_GRAPH_STEPS 128
#define COB_TIMED_STEPS 64

cob_status cob_cu_fail(cob_err *err, cudaError_t e, const char *call, const char *file, int line)
{
    const char *f = strrchr(file, '/');
    return cob_err_set(err, e == cudaErrorMemoryAllocation ? COB_ERR_NOMEM : COB_ERR_CUDA, "%s:%d: %s failed: %s (%s)",
                       f ? f + 1 : file, line, call, cudaGetErrorString(e), cudaGetErrorName(e));
}

cob_status cob_dmalloc(cob_dmem *m, void **p, int64_t bytes, const char *what, cob_err *err)
{
    cudaError_t e;
    *p = NULL;
    if (bytes <= 0)
        bytes = 1;
    e = cudaMallocAsync(p, (size_t)bytes, m->st);
    if (e != cudaSuccess) {
        size_t fr = 0, tot = 0;
        cudaGetLastError();
        cudaMemGetInfo(&fr, &tot);
        *p = NULL;
        return cob_err_set(err, COB_ERR_NOMEM,
                           "device allocation of %.1f MB for the %s failed (%s); %.1f MB of "
                           "device memory free of %.1f MB, %.1f MB held by this run",
                           bytes / 1e6, what, cudaGetErrorString(e), fr / 1e6, tot / 1e6, m->cur / 1e6);
    }
    m->cur += bytes;
    if (m->cur > m->peak)
        m->peak = m->cur;
    return COB_OK;
}

void cob_dfree(cob_dmem *m, void *p, int64_t bytes)
{
    if (!p)
        return;
    cudaFreeAsync(p, m->st);
    m->cur -= bytes <= 0 ? 1 : bytes;
}

cob_status cob_dpool_setup(int device, cob_err *err)
{
    cudaMemPool_t pool;
    uint64_t keep = UINT64_MAX;
    COB_CU(err, cudaDeviceGetDefaultMemPool(&pool, device));
    COB_CU(err, cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
    return COB_OK;
}

int64_t cob_dpool_idle_bytes(int device)
{
    cudaMemPool_t pool;
    uint64_t reserved = 0, used = 0;
    if (cudaDeviceGetDefaultMemPool(&pool, device) != cudaSuccess ||
        cudaMemPoolGetAttribute(pool, cudaMemPoolAttrReservedMemCurrent, &reserved) != cudaSuccess ||
        cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &used) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return reserved > used ? (int64_t)(reserved - used) : 0;
}

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
    int n = 0, d, rv = 0, dv = 0;
    size_t used = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        snprintf(buf, len, "no CUDA device (%s)\n", cudaGetErrorString(e)); /* one line, like a device */
        cudaGetLastError();
        return 0;
    }
    cudaRuntimeGetVersion(&rv);
    cudaDriverGetVersion(&dv);
    buf[0] = '\0';
    for (d = 0; d < n && used < len; ++d) {
        cudaDeviceProp p;
        size_t fr = 0, tot = 0;
        if (cudaGetDeviceProperties(&p, d) != cudaSuccess)
            continue;
        if (cudaSetDevice(d) == cudaSuccess && cudaMemGetInfo(&fr, &tot) != cudaSuccess)
            fr = 0;
        cudaGetLastError();
        used += (size_t)snprintf(buf + used, len - used,
                                 "device %d: %s, %.1f GiB (%.1f GiB free), compute capability %d.%d, %d SMs, "
                                 "runtime %d, driver %d%s\n",
                                 d, p.name, p.totalGlobalMem / 1073741824.0, fr / 1073741824.0, p.major, p.minor,
                                 p.multiProcessorCount, rv, dv, d == 0 ? " (used by --backend cuda)" : "");
    }
    cudaSetDevice(0);
    cudaGetLastError();
    return n;
}

/* ---- backend state ---------------------------------------------------------------- */

typedef struct {
    const cob_net *net;
    const cob_plan *plan;
    cudaStream_t st;
    cob_dmem mem;
    cob_dnet h; /* host mirror of the device network (device pointers) */
    cob_dnet *d_g;
    cob_dcount *d_cnt;
    size_t shmem;
    /* launch shapes, from each kernel's occupancy at init (launch_shapes) */
    int upd_block, plan_block, exp_block, init_v_block, init_pool_block;
    unsigned upd_grid, exp_grid;
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    int64_t t; /* steps done */
    cudaEvent_t ev[5];
    double build_ms, run_ms, update_ms, deliver_ms, plan_ms, h2d_ms, d2h_ms;
    int64_t timed_steps;
    cob_cuda_mem est;
    char name[128];
    /* sizes for freeing */
    int64_t target_b[COB_MAX_PROJS];
} cob_cuda;

/* Every device allocation of the run goes through this list, so destroy frees them all. */
typedef struct {
    void *p;
    int64_t b;
} dalloc;

static std::vector<dalloc> *allocs_of(cob_cuda *s);

static double ev_ms(cudaEvent_t a, cudaEvent_t b)
{
    float ms = 0.0f;
    if (cudaEventElapsedTime(&ms, a, b) != cudaSuccess) {
        cudaGetLastError();
        return 0.0;
    }
    return ms;
}

/* Keeper of the allocation lists (one per backend instance, no globals). */
struct cob_cuda_full {
    cob_cuda s;
    std::vector<dalloc> allocs;
};

static std::vector<dalloc> *allocs_of(cob_cuda *s)
{
    return &reinterpret_cast<cob_cuda_full *>(s)->allocs;
}

/* Allocate and record (the record is made first: a failing push_back throws before any device
 * memory is taken, and the callers turn the exception into COB_ERR_NOMEM). */
template <typename T>
static cob_status dnew(cob_cuda *s, T **p, int64_t n, const char *what, cob_err *err)
{
    int64_t b = n * (int64_t)sizeof(T);
    std::vector<dalloc> *list = allocs_of(s);
    list->push_back(dalloc{NULL, b});
    COB_TRY(cob_dmalloc(&s->mem, (void **)p, b, what, err));
    list->back().p = (void *)*p;
    return COB_OK;
}

template <typename T>
static cob_status upload(cob_cuda *s, T **p, const T *src, int64_t n, const char *what, cob_err *err)
{
    COB_TRY(dnew(s, p, n, what, err));
    if (n > 0)
        COB_CU(err, cudaMemcpyAsync(*p, src, (size_t)n * sizeof(T), cudaMemcpyHostToDevice, s->st));
    return COB_OK;
}

static cob_status check_memory(cob_cuda *s, cob_err *err)
{
    size_t fr = 0, tot = 0;
    cob_cuda_memory_estimate(s->net, s->plan, &s->est);
    COB_CU(err, cudaMemGetInfo(&fr, &tot));
    fr += (size_t)cob_dpool_idle_bytes(0); /* kept by the pool from an earlier run: reusable */
    /* keep 3% (at least 256 MB) for the CUDA context, the graph and fragmentation */
    if ((double)s->est.build_peak > (double)fr - std::max(0.03 * (double)tot, 256e6))
        return cob_err_set(err, COB_ERR_NOMEM,
                           "the network needs about %.2f GB of device memory while it is built (%.2f GB during the "
                           "run: connectivity %.2f GB, spike delivery %.2f GB, state %.2f GB, statistics %.2f GB), "
                           "but %s has %.2f GB free of %.2f GB: lower the population sizes or in-degrees, narrow "
                           "the delay range or raise dt (a shorter spike history), turn off the raster/traces, or "
                           "run with --backend cpu",
                           s->est.build_peak / 1e9, s->est.resident / 1e9, s->est.connectivity / 1e9,
                           s->est.delivery / 1e9, s->est.state / 1e9, s->est.stats / 1e9, s->name, fr / 1e9, tot / 1e9);
    return COB_OK;
}

/* Independent projection: in-degrees and the plan's Poisson tables per in-degree. */
static cob_status setup_independent(cob_cuda *s, int p, cob_dproj *dp, cob_err *err)
{
    const cob_proj *pr = &s->net->proj[p];
    const cob_plan_proj *pp = &s->plan->proj[p];
    COB_TRY(upload(s, &dp->indegree, pr->indegree, pr->n_post, "independent in-degrees", err));
    dp->sched = pp->sched;
    dp->dt_s = pp->dt_s;
    dp->tune = pp->tune;
    COB_TRY(upload(s, &dp->n_chunks, pp->n_chunks, pp->k_max + 1, "Poisson tables", err));
    COB_TRY(upload(s, &dp->lambda_chunk, pp->lambda_chunk, pp->k_max + 1, "Poisson tables", err));
    COB_TRY(upload(s, &dp->exp_neg, pp->exp_neg, pp->k_max + 1, "Poisson tables", err));
    return COB_OK;
}

static cob_status build_network(cob_cuda *s, cob_err *err)
{
    const cob_net *net = s->net;
    int p;
    COB_CU(err, cudaEventRecord(s->ev[0], s->st));
    for (p = 0; p < net->n_projs; ++p) {
        const cob_proj *pr = &net->proj[p];
        cob_dproj *dp = &s->h.proj[p];
        cob_dproj_describe(net, p, dp);
        if (pr->independent) {
            COB_TRY(setup_independent(s, p, dp, err));
            continue;
        }
        COB_TRY(cob_cuda_build_proj(net, p, dp, &s->mem, s->st, err));
        s->target_b[p] = (pr->n_syn ? pr->n_syn : 1) * 4;
        s->h.deliver[s->h.n_deliver++] = p;
    }
    COB_CU(err, cudaEventRecord(s->ev[1], s->st));
    COB_CU(err, cudaEventSynchronize(s->ev[1]));
    s->build_ms = ev_ms(s->ev[0], s->ev[1]);
    return COB_OK;
}

/* Population pop's accumulators: every row of the accumulator table (host/stats/stats_acc.h)
 * allocated and set to its initial value, in P->acc (the kernels' cob_dacc). */
static cob_status setup_stats(cob_cuda *s, int pop, cob_dpop *P, cob_err *err)
{
    const cob_acc_dims m = cob_acc_plan_dims(s->plan, pop);
    int r;
    for (r = 0; r < COB_ACC_N_ROWS; ++r) {
        const cob_acc_desc *d = &cob_acc_table[r];
        void **slot = cob_acc_arrays_slot(&P->acc, d);
        int64_t bytes = cob_acc_row_bytes(d, &m);
        COB_TRY(dnew(s, reinterpret_cast<unsigned char **>(slot), bytes, d->what, err));
        COB_CU(err, cudaMemsetAsync(*slot, cob_acc_fill_byte(d), (size_t)bytes, s->st));
    }
    return COB_OK;
}

/* Population pop's spike history (none when no stored projection leaves it): the circular array
 * (cob_cuda_hist_capacity entries), the spikes' offsets with delay fractions, and every slot's
 * count and start at 0 (no spike before step 0); the stored projections out of it. */
static cob_status setup_history(cob_cuda *s, int pop, cob_dpop *P, cob_err *err)
{
    const int64_t cap = cob_cuda_hist_capacity(s->net, s->plan, pop), H = s->h.hist_slots;
    int q;
    P->n_out = 0;
    for (q = 0; q < s->h.n_deliver; ++q)
        if (s->net->proj[s->h.deliver[q]].pre == pop)
            P->out[P->n_out++] = s->h.deliver[q];
    if (cap <= 0)
        return COB_OK;
    P->hist_cap = cap;
    COB_TRY(dnew(s, &P->hist, cap, "spike history", err));
    if (s->net->dfrac_any)
        COB_TRY(dnew(s, &P->hist_tick, cap, "spike history", err));
    COB_TRY(dnew(s, &P->hist_n, H, "spike history", err));
    COB_TRY(dnew(s, &P->hist_start, H, "spike history", err));
    COB_CU(err, cudaMemsetAsync(P->hist_n, 0, (size_t)H * sizeof *P->hist_n, s->st));
    COB_CU(err, cudaMemsetAsync(P->hist_start, 0, (size_t)H * sizeof *P->hist_start, s->st));
    return COB_OK;
}

int cob_arrival_pairs(const cob_net *net, const cob_dnet *h, int32_t *pq, int32_t *pL)
{
    int n = 0, q;
    int32_t lo, hi, L;
    for (q = 0; q < h->n_deliver; ++q) {
        cob_cuda_arrival_lags(&net->proj[h->deliver[q]], &lo, &hi);
        for (L = lo; L <= hi; ++L) {
            pq[n] = h->deliver[q];
            pL[n] = L;
            ++n;
        }
    }
    return n;
}

/* The (projection, lag) pairs' tables (cob_arrival_pairs) and the step's segment list. */
static cob_status setup_pairs(cob_cuda *s, cob_err *err)
{
    cob_dnet *h = &s->h;
    std::vector<int32_t> pq((size_t)cob_cuda_arrival_pairs(s->net) + 1), pL(pq.size());
    int q;
    h->n_pairs = cob_arrival_pairs(s->net, h, pq.data(), pL.data());
    for (q = 0; q < h->n_deliver; ++q) { /* a group of delay 0 would never arrive (grid delays are >= 1 step) */
        const cob_dproj *pr = &h->proj[h->deliver[q]];
        if (pr->dfrac_mode == COB_DFRAC_NONE && pr->min_delay < 1)
            return cob_err_set(err, COB_ERR_INVALID, "internal: projection %d has a delay of %d steps (at least 1)",
                               h->deliver[q], pr->min_delay);
    }
    for (q = 0; q < h->n_pairs; ++q)
        if (pL[(size_t)q] < 1 || pL[(size_t)q] >= h->hist_slots)
            return cob_err_set(err, COB_ERR_INVALID,
                               "internal: projection %d arrives %d steps after a spike, "
                               "outside the spike history's 1 .. %d",
                               pq[(size_t)q], pL[(size_t)q], h->hist_slots - 1);
    COB_TRY(upload(s, &h->pair_q, pq.data(), h->n_pairs, "delivery pairs", err));
    COB_TRY(upload(s, &h->pair_L, pL.data(), h->n_pairs, "delivery pairs", err));
    COB_TRY(dnew(s, &h->seg_base, h->n_pairs + 1, "delivery pairs", err));
    COB_CU(err, cudaMemsetAsync(h->seg_base, 0, (size_t)(h->n_pairs + 1) * sizeof *h->seg_base, s->st));
    return COB_OK;
}

static cob_status setup_pops(cob_cuda *s, cob_err *err)
{
    const cob_net *net = s->net;
    const cob_plan *pl = s->plan;
    cob_dnet *h = &s->h;
    int64_t items = net->n_neurons, trace_base = 0;
    int pop, p;
    h->warmup = pl->warmup_steps;
    h->measure = pl->measure_steps;
    h->bin_steps = pl->bin_steps;
    h->v_stride = pl->v_stride;
    h->v_bins = pl->v_bins;
    h->v_min = pl->v_min_mV;
    h->v_inv_width = pl->v_inv_width;
    h->shared_hist = (h->v_bins + 2) * 4 <= 16384;
    h->trace_stride = pl->trace_stride;
    h->raster_cap = pl->raster_cap;
    h->windows = pl->windows.steps;
    h->v_neurons = pl->v_neurons;
    trace_base = pl->trace_n;
    h->trace_samples = pl->trace_samples;
    COB_TRY(dnew(s, &h->trace_v, std::max<int64_t>(1, trace_base * h->trace_samples), "traces", err));
    h->raster_slots = h->raster_cap;
    if (h->raster_cap > 0)
        for (pop = 0; pop < pl->n_pops; ++pop)
            if (net->pop_offset[pop] >= 0)
                h->raster_slots += std::min<int64_t>(pl->pop[pop].size, pl->raster_neurons);
    COB_TRY(dnew(s, &h->raster_step, std::max<int64_t>(1, h->raster_slots), "raster", err));
    COB_TRY(dnew(s, &h->raster_pop, std::max<int64_t>(1, h->raster_slots), "raster", err));
    COB_TRY(dnew(s, &h->raster_neuron, std::max<int64_t>(1, h->raster_slots), "raster", err));
    trace_base = 0;
    for (pop = 0; pop < pl->n_pops; ++pop) {
        const cob_plan_pop *ps = &pl->pop[pop];
        cob_dpop *P = &h->pop[pop];
        P->size = ps->size;
        P->model = ps->model;
        P->kind = COB_DPOP_NONE;
        P->rate_sched = ps->rate_sched;
        COB_TRY(setup_history(s, pop, P, err));
        if (net->pop_offset[pop] >= 0) {
            P->kind = COB_DPOP_NEURON;
            P->off = net->pop_offset[pop];
            P->item0 = P->off;
            P->prop = net->prop[pop];
            P->noise = pl->pop[pop].noise;
            P->n_channels = net->pop_channels[pop];
            P->raster_n = pl->raster_neurons;
            P->trace_n = (int32_t)std::min<int64_t>(ps->size, pl->trace_neurons);
            P->trace_base = (int32_t)trace_base;
            trace_base += P->trace_n;
            for (p = 0; p < net->n_projs; ++p)
                if (net->proj[p].post == pop && net->proj[p].independent)
                    P->indep[P->n_indep++] = p;
            COB_TRY(setup_stats(s, pop, P, err));
        } else if (ps->input == COB_INPUT_POOL) {
            const double pr = ps->p_step;
            P->kind = COB_DPOP_POOL;
            P->item0 = items;
            items += ps->size;
            P->p = pr;
            P->stream = COB_STREAM(COB_STREAM_SOURCE, pop);
            COB_TRY(dnew(s, &P->next, ps->size, "pool sources", err));
            COB_TRY(dnew(s, &P->n_draws, ps->size, "pool sources", err));
            COB_CU(err, cudaMemsetAsync(P->n_draws, 0, (size_t)ps->size * 4, s->st));
            if (ps->gap_thr) {
                COB_TRY(upload(s, &P->thr, ps->gap_thr, ps->gap_len, "geometric tables", err));
                P->thr_len = ps->gap_len;
            }
        }
    }
    h->n_items = items;
    return COB_OK;
}

/* Every kernel's launch shape from its own occupancy, once (cob_launch_shape). The update kernel
 * has one thread per item (neurons, then pool sources): its grid covers them. The expansion
 * kernel strides over tiles of segments: one wave of the blocks that fit on the device at once.
 * cob_k_plan is one block, cob_k_advance one warp. Also loads every kernel's module before a step
 * is timed. */
cob_status cob_expand_shape(unsigned *grid, int *block, cob_err *err)
{
    int dev = 0, sms = 0, per_sm = 0;
    /* blocks of exactly COB_CUDA_BLOCK threads (cub::BlockScan's size), as many as fit an SM */
    *block = COB_CUDA_BLOCK;
    COB_CU(err, cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, cob_k_expand, COB_CUDA_BLOCK, 0));
    if (per_sm < 1)
        return cob_err_set(err, COB_ERR_CUDA, "cob_k_expand: no block of %d threads fits on an SM", COB_CUDA_BLOCK);
    COB_CU(err, cudaGetDevice(&dev));
    COB_CU(err, cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    *grid = (unsigned)std::max(1, sms * per_sm);
    return COB_OK;
}

static cob_status launch_shapes(cob_cuda *s, cob_err *err)
{
    s->shmem = cob_update_shared_bytes(&s->h);
    COB_TRY(cob_launch_shape(cob_k_update, s->shmem, &s->upd_block, NULL, "cob_k_update", err));
    COB_TRY(cob_expand_shape(&s->exp_grid, &s->exp_block, err));
    {
        int plan_per_sm = 0; /* one block of COB_CUDA_BLOCK threads (cub::BlockScan's size) */
        COB_CU(err, cudaOccupancyMaxActiveBlocksPerMultiprocessor(&plan_per_sm, cob_k_plan, COB_CUDA_BLOCK, 0));
        if (plan_per_sm < 1)
            return cob_err_set(err, COB_ERR_CUDA, "cob_k_plan: no block of %d threads fits on an SM", COB_CUDA_BLOCK);
        s->plan_block = COB_CUDA_BLOCK;
    }
    COB_TRY(cob_launch_shape(cob_k_init_v, 0, &s->init_v_block, NULL, "cob_k_init_v", err));
    COB_TRY(cob_launch_shape(cob_k_init_pool, 0, &s->init_pool_block, NULL, "cob_k_init_pool", err));
    s->upd_grid = cob_grid(s->h.n_items, s->upd_block);
    {
        int adv = 0; /* loaded now too (its shape is fixed) */
        COB_TRY(cob_launch_shape(cob_k_advance, 0, &adv, NULL, "cob_k_advance", err));
    }
    return COB_OK;
}

static cob_status setup_state(cob_cuda *s, cob_err *err)
{
    const cob_net *net = s->net;
    cob_dnet *h = &s->h;
    const int64_t cells = std::max<int64_t>(1, (int64_t)std::max(1, net->n_channels_max) * net->n_neurons);
    int pop, k;
    h->n_pops = net->n_pops;
    h->n_projs = net->n_projs;
    h->nch = std::max(1, net->n_channels_max);
    h->hist_slots = net->ring_slots;
    h->n_neurons = net->n_neurons;
    h->seed = net->seed;
    /* one step's input counts, zero between steps (the update kernel clears what it reads) */
    COB_TRY(dnew(s, &h->acc, cells, "arrival counts", err));
    COB_CU(err, cudaMemsetAsync(h->acc, 0, (size_t)cells * 4, s->st));
    COB_TRY(setup_pairs(s, err));
    /* the neuron state arrays the registry sizes (every variable starts at 0; V is then drawn) */
    for (k = 0; k < net->n_state_f32; ++k) {
        COB_TRY(dnew(s, &h->state.f[k], std::max<int64_t>(1, net->n_neurons), "neuron state", err));
        COB_CU(err, cudaMemsetAsync(h->state.f[k], 0, (size_t)std::max<int64_t>(1, net->n_neurons) * 4, s->st));
    }
    for (k = 0; k < net->n_state_i32; ++k) {
        COB_TRY(dnew(s, &h->state.i[k], std::max<int64_t>(1, net->n_neurons), "neuron state", err));
        COB_CU(err, cudaMemsetAsync(h->state.i[k], 0, (size_t)std::max<int64_t>(1, net->n_neurons) * 4, s->st));
    }
    COB_TRY(setup_pops(s, err));
    COB_TRY(dnew(s, &s->d_g, 1, "network descriptor", err));
    COB_TRY(dnew(s, &s->d_cnt, 1, "counters", err));
    COB_CU(err, cudaMemcpyAsync(s->d_g, h, sizeof *h, cudaMemcpyHostToDevice, s->st));
    COB_CU(err, cudaMemsetAsync(s->d_cnt, 0, sizeof *s->d_cnt, s->st));
    COB_TRY(launch_shapes(s, err));
    for (pop = 0; pop < net->n_pops; ++pop) {
        const cob_dpop *P = &h->pop[pop];
        if (P->kind == COB_DPOP_NEURON) {
            const cob_plan_pop *pp = &s->plan->pop[pop];
            cob_k_init_v<<<cob_grid(P->size, s->init_v_block), s->init_v_block, 0, s->st>>>(
                s->d_g, pop, pp->v_init_min_mV, pp->v_init_span_mV);
            COB_CU_LAUNCH(err, "cob_k_init_v");
        } else if (P->kind == COB_DPOP_POOL) {
            cob_k_init_pool<<<cob_grid(P->size, s->init_pool_block), s->init_pool_block, 0, s->st>>>(s->d_g, pop);
            COB_CU_LAUNCH(err, "cob_k_init_pool");
        }
    }
    COB_CU(err, cudaStreamSynchronize(s->st));
    return COB_OK;
}

static void cuda_destroy(void *impl)
{
    cob_cuda_full *f = (cob_cuda_full *)impl;
    cob_cuda *s;
    int p, k;
    if (!f)
        return;
    s = &f->s;
    if (s->st)
        cudaStreamSynchronize(s->st);
    if (s->exec)
        cudaGraphExecDestroy(s->exec);
    if (s->graph)
        cudaGraphDestroy(s->graph);
    for (size_t i = 0; i < f->allocs.size(); ++i) cob_dfree(&s->mem, f->allocs[i].p, f->allocs[i].b);
    for (p = 0; p < COB_MAX_PROJS; ++p) {
        cob_dproj *dp = &s->h.proj[p];
        if (dp->independent)
            continue;
        cob_dfree(&s->mem, dp->target, s->target_b[p]);
        cob_dfree(&s->mem, dp->row_ptr, (dp->n_pre + 1) * 8);
        cob_dfree(&s->mem, dp->dgrp_off, dp->n_pre * (int64_t)dp->n_off * 4);
        cob_dfree(&s->mem, dp->dgrp_off16, dp->n_pre * (int64_t)dp->n_off * 2);
    }
    for (k = 0; k < 5; ++k)
        if (s->ev[k])
            cudaEventDestroy(s->ev[k]);
    if (s->st) {
        cudaStreamSynchronize(s->st); /* the frees above are ordered on it */
        cudaStreamDestroy(s->st);
    }
    cudaGetLastError();
    delete f;
}

static cob_status init_body(cob_cuda *s, cob_err *err)
{
    cudaDeviceProp prop;
    int k;
    COB_CU(err, cudaSetDevice(0));
    COB_CU(err, cudaGetDeviceProperties(&prop, 0));
    snprintf(s->name, sizeof s->name, "%.127s", prop.name);
    COB_TRY(cob_dpool_setup(0, err));
    COB_TRY(check_memory(s, err));
    COB_CU(err, cudaStreamCreateWithFlags(&s->st, cudaStreamNonBlocking));
    s->mem.st = s->st;
    for (k = 0; k < 5; ++k) COB_CU(err, cudaEventCreate(&s->ev[k]));
    COB_TRY(build_network(s, err));
    COB_CU(err, cudaEventRecord(s->ev[0], s->st));
    COB_TRY(setup_state(s, err));
    COB_CU(err, cudaEventRecord(s->ev[1], s->st));
    COB_CU(err, cudaEventSynchronize(s->ev[1]));
    s->h2d_ms += ev_ms(s->ev[0], s->ev[1]);
    return COB_OK;
}

static cob_status cuda_init(void **impl, const cob_net *net, const cob_plan *plan, cob_err *err)
{
    cob_cuda_full *f = new (std::nothrow) cob_cuda_full();
    cob_status st;
    *impl = NULL;
    if (!f)
        return cob_err_set(err, COB_ERR_NOMEM, "out of host memory");
    memset(&f->s, 0, sizeof f->s);
    f->s.net = net;
    f->s.plan = plan;
    try {
        st = init_body(&f->s, err);
    } catch (const std::bad_alloc &) {
        st = cob_err_set(err, COB_ERR_NOMEM, "out of host memory setting up the CUDA backend");
    }
    if (st != COB_OK) {
        cuda_destroy(f);
        return st;
    }
    *impl = f;
    return COB_OK;
}

/* Launch the kernels of step k of a sequence (t = t_base + k) on the stream. */
static cob_status launch_step(cob_cuda *s, int64_t k, int timed, cob_err *err)
{
    if (timed)
        COB_CU(err, cudaEventRecord(s->ev[0], s->st));
    cob_k_plan<<<1, s->plan_block, 0, s->st>>>(s->d_g, s->d_cnt, k);
    COB_CU_LAUNCH(err, "cob_k_plan");
    if (timed)
        COB_CU(err, cudaEventRecord(s->ev[4], s->st));
    cob_k_expand<<<s->exp_grid, s->exp_block, 0, s->st>>>(s->d_g, s->d_cnt, k);
    COB_CU_LAUNCH(err, "cob_k_expand");
    if (timed)
        COB_CU(err, cudaEventRecord(s->ev[1], s->st));
    cob_k_update<<<s->upd_grid, s->upd_block, s->shmem, s->st>>>(s->d_g, s->d_cnt, k);
    COB_CU_LAUNCH(err, "cob_k_update");
    if (timed) {
        COB_CU(err, cudaEventRecord(s->ev[2], s->st));
        COB_CU(err, cudaEventSynchronize(s->ev[2]));
        s->deliver_ms += ev_ms(s->ev[0], s->ev[1]);
        s->plan_ms += ev_ms(s->ev[0], s->ev[4]);
        s->update_ms += ev_ms(s->ev[1], s->ev[2]);
        s->timed_steps += 1;
    }
    return COB_OK;
}

static cob_status launch_advance(cob_cuda *s, int64_t n, cob_err *err)
{
    cob_k_advance<<<1, 32, 0, s->st>>>(s->d_cnt, n);
    COB_CU_LAUNCH(err, "cob_k_advance");
    return COB_OK;
}

/* Capture COB_GRAPH_STEPS steps and the counter advance once; replayed by every chunk. */
static cob_status make_graph(cob_cuda *s, cob_err *err)
{
    int64_t k;
    cob_status st = COB_OK;
    COB_CU(err, cudaStreamBeginCapture(s->st, cudaStreamCaptureModeThreadLocal));
    for (k = 0; k < COB_GRAPH_STEPS && st == COB_OK; ++k) st = launch_step(s, k, 0, err);
    if (st == COB_OK)
        st = launch_advance(s, COB_GRAPH_STEPS, err);
    {
        cudaError_t e = cudaStreamEndCapture(s->st, &s->graph);
        if (st != COB_OK)
            return st;
        if (e != cudaSuccess)
            return cob_cu_fail(err, e, "cudaStreamEndCapture", __FILE__, __LINE__);
    }
    COB_CU(err, cudaGraphInstantiate(&s->exec, s->graph, 0));
    return COB_OK;
}

/* m steps as plain launches (timed: CUDA events around each kernel), then the counter advance. */
static cob_status run_plain(cob_cuda *s, int64_t m, int timed, cob_err *err)
{
    int64_t k;
    for (k = 0; k < m; ++k) COB_TRY(launch_step(s, k, timed, err));
    COB_TRY(launch_advance(s, m, err));
    s->t += m;
    return COB_OK;
}

/* m untimed steps: whole chunks by replaying the captured graph, the rest as plain launches. */
static cob_status run_untimed(cob_cuda *s, int64_t m, cob_err *err)
{
    if (m >= COB_GRAPH_STEPS && !s->exec)
        COB_TRY(make_graph(s, err));
    for (; m >= COB_GRAPH_STEPS; m -= COB_GRAPH_STEPS, s->t += COB_GRAPH_STEPS)
        COB_CU(err, cudaGraphLaunch(s->exec, s->st));
    return m > 0 ? run_plain(s, m, 0, err) : COB_OK;
}

/* n steps. The per-phase times come from COB_TIMED_STEPS steps launched one by one with events:
 * the first measured steps (they do the statistics work), or the first steps of a run that
 * measures nothing. Lazy module loading is in none of them: launch_shapes loaded every kernel
 * at init. */
static cob_status run_body(cob_cuda *s, int64_t n, cob_err *err)
{
    const int64_t t_timed = s->plan->measure_steps > 0 ? s->plan->warmup_steps : 0;
    while (n > 0) {
        int64_t m;
        if (s->timed_steps < COB_TIMED_STEPS && s->t >= t_timed) {
            m = std::min<int64_t>(n, COB_TIMED_STEPS - s->timed_steps);
            COB_TRY(run_plain(s, m, 1, err));
        } else {
            m = s->timed_steps < COB_TIMED_STEPS ? std::min<int64_t>(n, t_timed - s->t) : n;
            COB_TRY(run_untimed(s, m, err));
        }
        n -= m;
    }
    return COB_OK;
}

static cob_status cuda_run(void *impl, int64_t n, cob_err *err)
{
    cob_cuda *s = &((cob_cuda_full *)impl)->s;
    COB_CU(err, cudaEventRecord(s->ev[3], s->st));
    COB_TRY(run_body(s, n, err));
    /* ev[0..2] may be reused by the timed steps; a separate pair brackets the whole call */
    COB_CU(err, cudaEventRecord(s->ev[0], s->st));
    COB_CU(err, cudaEventSynchronize(s->ev[0]));
    s->run_ms += ev_ms(s->ev[3], s->ev[0]);
    return COB_OK;
}

static cob_status cuda_poll(void *impl, uint64_t *spikes_per_pop, cob_err *err)
{
    cob_cuda *s = &((cob_cuda_full *)impl)->s;
    unsigned long long tot[COB_MAX_POPS];
    int pop;
    char *field = (char *)s->d_cnt + offsetof(cob_dcount, pop_total);
    COB_CU(err, cudaMemcpyAsync(tot, field, sizeof tot, cudaMemcpyDeviceToHost, s->st));
    COB_CU(err, cudaMemsetAsync(field, 0, sizeof tot, s->st));
    COB_CU(err, cudaStreamSynchronize(s->st));
    for (pop = 0; pop < s->net->n_pops; ++pop) spikes_per_pop[pop] = tot[pop];
    return COB_OK;
}

template <typename T>
static cob_status download(cob_cuda *s, T *dst, const T *src, int64_t n, cob_err *err)
{
    if (n > 0)
        COB_CU(err, cudaMemcpyAsync(dst, src, (size_t)n * sizeof(T), cudaMemcpyDeviceToHost, s->st));
    return COB_OK;
}

/* Device accumulators into the host layout (every row of the accumulator table; the two layouts
 * are the same); the raster sorted into the CPU's order (step, population, neuron). */
static cob_status read_acc(cob_cuda *s, cob_acc *a, cob_dcount *cnt, cob_err *err)
{
    const cob_dnet *h = &s->h;
    int pop, c, r;
    int64_t n_r;
    COB_CU(err, cudaEventRecord(s->ev[0], s->st));
    COB_TRY(download(s, cnt, s->d_cnt, 1, err));
    for (pop = 0; pop < s->net->n_pops; ++pop) {
        cob_dacc dev = h->pop[pop].acc;
        const cob_acc_dims m = cob_acc_plan_dims(s->plan, pop);
        if (h->pop[pop].kind != COB_DPOP_NEURON)
            continue;
        for (r = 0; r < COB_ACC_N_ROWS; ++r) {
            const cob_acc_desc *d = &cob_acc_table[r];
            COB_TRY(download(s, (unsigned char *)*cob_acc_host_slot(&a->pop[pop], d),
                             (const unsigned char *)*cob_acc_arrays_slot(&dev, d), cob_acc_row_bytes(d, &m), err));
        }
    }
    COB_CU(err, cudaStreamSynchronize(s->st));
    for (pop = 0; pop < s->net->n_pops; ++pop)
        for (c = 0; c < COB_MAX_CHANNELS; ++c) a->pop[pop].chan_count[c] = cnt->chan_count[pop][c];
    /* every stored spike (at most one step beyond capacity), sorted, then the first raster_cap */
    n_r = (int64_t)cnt->raster_n;
    std::vector<int64_t> r_step((size_t)std::max<int64_t>(1, n_r));
    std::vector<int32_t> r_pop((size_t)std::max<int64_t>(1, n_r)), r_neu((size_t)std::max<int64_t>(1, n_r));
    COB_TRY(download(s, r_step.data(), h->raster_step, n_r, err));
    COB_TRY(download(s, r_pop.data(), h->raster_pop, n_r, err));
    COB_TRY(download(s, r_neu.data(), h->raster_neuron, n_r, err));
    COB_TRY(download(s, a->trace_v, h->trace_v, a->trace_n * a->trace_samples, err));
    COB_CU(err, cudaEventRecord(s->ev[1], s->st));
    COB_CU(err, cudaEventSynchronize(s->ev[1]));
    s->d2h_ms += ev_ms(s->ev[0], s->ev[1]);
    {
        std::vector<int64_t> idx((size_t)n_r);
        int64_t kept = std::min<int64_t>(n_r, a->raster_cap);
        for (int64_t i = 0; i < n_r; ++i) idx[(size_t)i] = i;
        std::sort(idx.begin(), idx.end(), [&](int64_t x, int64_t y) {
            if (r_step[(size_t)x] != r_step[(size_t)y])
                return r_step[(size_t)x] < r_step[(size_t)y];
            if (r_pop[(size_t)x] != r_pop[(size_t)y])
                return r_pop[(size_t)x] < r_pop[(size_t)y];
            return r_neu[(size_t)x] < r_neu[(size_t)y];
        });
        for (int64_t i = 0; i < kept; ++i) {
            a->raster_step[i] = r_step[(size_t)idx[(size_t)i]];
            a->raster_pop[i] = r_pop[(size_t)idx[(size_t)i]];
            a->raster_neuron[i] = r_neu[(size_t)idx[(size_t)i]];
        }
        a->raster_n = kept;
        a->raster_overflow = (n_r - kept) + (int64_t)cnt->raster_over;
    }
    a->ring_overflow = cnt->overflow;
    a->spikes_merged = cnt->merged;
    return COB_OK;
}

static cob_status cuda_read(void *impl, cob_stats *out, cob_err *err)
{
    cob_cuda *s = &((cob_cuda_full *)impl)->s;
    cob_acc a;
    cob_dcount cnt;
    cob_status st = cob_acc_init(&a, s->net, s->plan, err);
    if (st != COB_OK)
        return st;
    try {
        st = read_acc(s, &a, &cnt, err);
    } catch (const std::bad_alloc &) {
        st = cob_err_set(err, COB_ERR_NOMEM,
                         "out of host memory reading the CUDA backend's statistics "
                         "(the raster's copy takes 16 bytes per stored spike: lower stats.raster.max_spikes)");
    }
    if (st == COB_OK)
        st = cob_acc_reduce(&a, s->net, s->plan, out, err);
    if (st == COB_OK && cnt.hist_over)
        st = cob_err_set(err, COB_ERR_INVALID,
                         "internal: %llu spikes did not fit the spike histories on the device (their capacity, "
                         "cob_cuda_hist_capacity, should bound what a population emits in %d steps); the run's "
                         "results would be wrong: run it with --backend cpu and report this",
                         cnt.hist_over, s->h.hist_slots);
    if (st == COB_OK && cnt.bad_model)
        st = cob_err_set(err, COB_ERR_INVALID,
                         "internal: population %d has model %d, which the update kernel does "
                         "not know",
                         cnt.bad_model - 1, s->net->pop_model[cnt.bad_model - 1]);
    if (st == COB_OK) {
        out->syn_events = 0;
        for (int l = 0; l < COB_EVENT_LANES; ++l) out->syn_events += (int64_t)cnt.events[l];
    }
    cob_acc_free(&a);
    return st;
}

static void cuda_timing(void *impl, cob_sim_timing *t)
{
    cob_cuda *s = &((cob_cuda_full *)impl)->s;
    t->dev_build_s = s->build_ms * 1e-3;
    t->dev_run_s = s->run_ms * 1e-3;
    t->dev_timed_steps = s->timed_steps;
    t->dev_update_us = s->timed_steps ? 1e3 * s->update_ms / (double)s->timed_steps : 0.0;
    t->dev_deliver_us = s->timed_steps ? 1e3 * s->deliver_ms / (double)s->timed_steps : 0.0;
    t->dev_plan_us = s->timed_steps ? 1e3 * s->plan_ms / (double)s->timed_steps : 0.0;
    t->dev_h2d_s = s->h2d_ms * 1e-3;
    t->dev_d2h_s = s->d2h_ms * 1e-3;
    t->device_bytes = s->mem.peak;
    t->device_estimate_bytes = s->est.build_peak;
    t->dev_bytes_per_synapse = cob_cuda_bytes_per_synapse(s->net);
    snprintf(t->device_name, sizeof t->device_name, "%s", s->name);
}

/* ---- checkpoints (cob_backend_ops.save / .load) ------------------------------------------ */

/* n elements of device array src appended to b, preceded by n (downloaded through a host copy). */
template <typename T>
static cob_status save_dev(cob_cuda *s, cob_ckpt_buf *b, const T *src, int64_t n, cob_err *err)
{
    std::vector<T> tmp((size_t)std::max<int64_t>(1, n));
    COB_TRY(download(s, tmp.data(), src, n, err));
    COB_CU(err, cudaStreamSynchronize(s->st));
    cob_ckpt_put_i64(b, n);
    cob_ckpt_put(b, tmp.data(), (size_t)n * sizeof(T));
    return COB_OK;
}

/* What save_dev wrote, checked to have n elements, into device array dst. */
template <typename T>
static cob_status load_dev(cob_cuda *s, cob_ckpt_reader *r, T *dst, int64_t n, const char *what, cob_err *err)
{
    if (!cob_ckpt_expect(r, n, what, err))
        return err->status;
    std::vector<T> tmp((size_t)std::max<int64_t>(1, n));
    cob_ckpt_get(r, tmp.data(), (size_t)n * sizeof(T));
    if (r->failed)
        return cob_err_set(err, COB_ERR_IO, "checkpoint ends inside the %s", what);
    if (n > 0)
        COB_CU(err, cudaMemcpyAsync(dst, tmp.data(), (size_t)n * sizeof(T), cudaMemcpyHostToDevice, s->st));
    COB_CU(err, cudaStreamSynchronize(s->st));
    return COB_OK;
}

/* The device arrays of the run state, in one order for save and load: the apply function is
 * called on each with its length and name (a generic lambda for save_dev or load_dev). */
template <typename F>
static cob_status walk_state(cob_cuda *s, const cob_dcount *cnt, F &&apply)
{
    const cob_dnet *h = &s->h;
    const cob_net *net = s->net;
    int k, pop, r;
    /* acc is zero between steps and seg_base is remade by every step's cob_k_plan: not saved */
    for (k = 0; k < net->n_state_f32; ++k) COB_TRY(apply(h->state.f[k], net->n_neurons, "neuron state"));
    for (k = 0; k < net->n_state_i32; ++k) COB_TRY(apply(h->state.i[k], net->n_neurons, "neuron state"));
    for (pop = 0; pop < net->n_pops; ++pop) {
        const cob_dpop *P = &h->pop[pop];
        const cob_acc_dims m = cob_acc_plan_dims(s->plan, pop);
        if (P->hist) {
            COB_TRY(apply(P->hist, P->hist_cap, "spike history"));
            if (P->hist_tick)
                COB_TRY(apply(P->hist_tick, P->hist_cap, "spike history"));
            COB_TRY(apply(P->hist_n, (int64_t)h->hist_slots, "spike history"));
            COB_TRY(apply(P->hist_start, (int64_t)h->hist_slots, "spike history"));
        }
        if (P->kind == COB_DPOP_POOL) {
            COB_TRY(apply(P->next, P->size, "pool sources"));
            COB_TRY(apply(P->n_draws, P->size, "pool sources"));
        }
        if (P->kind != COB_DPOP_NEURON)
            continue;
        for (r = 0; r < COB_ACC_N_ROWS; ++r) {
            const cob_acc_desc *d = &cob_acc_table[r];
            cob_dacc dev = P->acc;
            COB_TRY(apply((unsigned char *)*cob_acc_arrays_slot(&dev, d), cob_acc_row_bytes(d, &m), d->what));
        }
    }
    COB_TRY(apply(h->raster_step, (int64_t)cnt->raster_n, "raster"));
    COB_TRY(apply(h->raster_pop, (int64_t)cnt->raster_n, "raster"));
    COB_TRY(apply(h->raster_neuron, (int64_t)cnt->raster_n, "raster"));
    COB_TRY(apply(h->trace_v, s->plan->trace_n * h->trace_samples, "traces"));
    return COB_OK;
}

/* The step counter, the device counters (cob_dcount as it is: the checkpoint is read only by the
 * same commit), then every array of walk_state. */
static cob_status cuda_save(void *impl, cob_ckpt_buf *b, cob_err *err)
{
    cob_cuda *s = &((cob_cuda_full *)impl)->s;
    cob_dcount cnt;
    try {
        COB_TRY(download(s, &cnt, s->d_cnt, 1, err));
        COB_CU(err, cudaStreamSynchronize(s->st));
        cob_ckpt_put_i64(b, s->t);
        cob_ckpt_put_i64(b, (int64_t)sizeof cnt);
        cob_ckpt_put(b, &cnt, sizeof cnt);
        return walk_state(s, &cnt, [&](auto *p, int64_t n, const char *) { return save_dev(s, b, p, n, err); });
    } catch (const std::bad_alloc &) {
        return cob_err_set(err, COB_ERR_NOMEM, "out of host memory copying the CUDA backend's state for a checkpoint");
    }
}

static cob_status cuda_load(void *impl, cob_ckpt_reader *r, cob_err *err)
{
    cob_cuda *s = &((cob_cuda_full *)impl)->s;
    cob_dcount cnt;
    int64_t t = cob_ckpt_get_i64(r);
    if (t < 0 || t > s->plan->total_steps)
        return cob_err_set(err, COB_ERR_CONFIG, "checkpoint at step %lld, but this run has %lld steps", (long long)t,
                           (long long)s->plan->total_steps);
    if (!cob_ckpt_expect(r, (int64_t)sizeof cnt, "bytes of device counters", err))
        return err->status;
    cob_ckpt_get(r, &cnt, sizeof cnt);
    if (r->failed || cnt.raster_n > (unsigned long long)s->h.raster_slots)
        return cob_err_set(err, COB_ERR_IO, "checkpoint's device counters are cut short or out of range");
    try {
        COB_CU(err, cudaMemcpyAsync(s->d_cnt, &cnt, sizeof cnt, cudaMemcpyHostToDevice, s->st));
        COB_TRY(
            walk_state(s, &cnt, [&](auto *p, int64_t n, const char *what) { return load_dev(s, r, p, n, what, err); }));
    } catch (const std::bad_alloc &) {
        return cob_err_set(err, COB_ERR_NOMEM, "out of host memory loading the CUDA backend's state from a checkpoint");
    }
    s->t = t;
    return COB_OK;
}

static const cob_backend_ops cuda_ops = {"cuda",       cuda_init, cuda_run,    cuda_poll, cuda_read,
                                         cuda_destroy, 1,         cuda_timing, cuda_save, cuda_load};

extern "C" const cob_backend_ops *cob_cuda_backend(void)
{
    return &cuda_ops;
}

/* ---- the device-built network, copied back (tests, `cobalt validate --backend cuda`) ---- */

static cob_status net_download(cob_cuda *s, cob_net *net, cob_err *err)
{
    int p;
    for (p = 0; p < net->n_projs; ++p) {
        cob_proj *pr = &net->proj[p];
        const cob_dproj *dp = &s->h.proj[p];
        const int64_t n_off = pr->n_pre * (int64_t)dp->n_off, stride = pr->n_dgrp + 1;
        int64_t j, g, e;
        if (pr->independent)
            continue;
        pr->row_ptr = (int64_t *)malloc((size_t)(pr->n_pre + 1) * sizeof *pr->row_ptr);
        pr->dgrp_off = (uint32_t *)malloc((size_t)(pr->n_pre * stride) * sizeof *pr->dgrp_off);
        pr->target = (int32_t *)malloc((size_t)(pr->n_syn ? pr->n_syn : 1) * sizeof *pr->target);
        pr->delay_steps = (uint16_t *)malloc((size_t)(pr->n_syn ? pr->n_syn : 1) * sizeof *pr->delay_steps);
        if (!pr->row_ptr || !pr->dgrp_off || !pr->target || !pr->delay_steps)
            return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for projection %d's synapses", p);
        /* the stored arrays as they are, then decoded by the device's own accessors on a host
         * copy of the descriptor: every group's offset, and the targets without their groups */
        std::vector<int32_t> word((size_t)(pr->n_syn ? pr->n_syn : 1));
        std::vector<uint32_t> o32(dp->dgrp_off ? (size_t)n_off : 0);
        std::vector<uint16_t> o16(dp->dgrp_off16 ? (size_t)n_off : 0);
        cob_dproj hp = *dp;
        COB_TRY(download(s, pr->row_ptr, dp->row_ptr, pr->n_pre + 1, err));
        COB_TRY(download(s, word.data(), dp->target, pr->n_syn, err));
        if (dp->dgrp_off)
            COB_TRY(download(s, o32.data(), dp->dgrp_off, n_off, err));
        if (dp->dgrp_off16)
            COB_TRY(download(s, o16.data(), dp->dgrp_off16, n_off, err));
        COB_CU(err, cudaStreamSynchronize(s->st));
        hp.row_ptr = pr->row_ptr;
        hp.target = word.data();
        hp.dgrp_off = dp->dgrp_off ? o32.data() : NULL;
        hp.dgrp_off16 = dp->dgrp_off16 ? o16.data() : NULL;
        for (j = 0; j < pr->n_pre; ++j)
            for (g = 0; g <= pr->n_dgrp; ++g)
                pr->dgrp_off[j * stride + g] = cob_group_start(&hp, j, pr->row_ptr[j], (int)g);
        for (e = 0; e < pr->n_syn; ++e) pr->target[e] = cob_target_at(&hp, e);
        /* per-synapse delays are implied by the groups (the device stores none) */
        for (j = 0; j < pr->n_pre; ++j)
            for (g = 0; g < pr->n_dgrp; ++g)
                for (e = pr->dgrp_off[j * stride + g]; e < pr->dgrp_off[j * stride + g + 1]; ++e)
                    pr->delay_steps[pr->row_ptr[j] + e] = (uint16_t)(pr->min_delay + g);
    }
    return COB_OK;
}

extern "C" cob_status cob_cuda_net_build(cob_net *net, const cob_config *c, cob_err *err)
{
    void *impl = NULL;
    cob_status st;
    if (!cob_cuda_available())
        return cob_err_set(err, COB_ERR_NO_DEVICE, "no usable CUDA device");
    cob_plan plan;
    st = cob_net_layout(net, c, err);
    if (st != COB_OK)
        return st;
    st = cob_plan_compile(&plan, c, net, err);
    if (st != COB_OK) {
        cob_net_free(net);
        return st;
    }
    st = cuda_init(&impl, net, &plan, err);
    if (st == COB_OK) {
        try {
            st = net_download(&((cob_cuda_full *)impl)->s, net, err);
        } catch (const std::bad_alloc &) {
            st = cob_err_set(err, COB_ERR_NOMEM, "out of host memory copying the device network back");
        }
    }
    if (impl)
        cuda_destroy(impl);
    cob_plan_free(&plan);
    if (st != COB_OK)
        cob_net_free(net);
    return st;
}
