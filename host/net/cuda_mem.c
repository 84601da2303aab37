/* host/net/cuda_mem.c -- device memory estimate of a CUDA run (include/cobalt/sim.h), computed
 * from the network layout before anything is allocated on the device. Pure host arithmetic,
 * so it builds (and is tested) without CUDA. It follows kernels/cuda_backend.cu's allocations
 * one for one; keep the two in step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cobalt/sim.h"
#include "cobalt/estimate.h"
#include "cobalt/plan.h"
#include "cobalt/hd/models.h"
#include "stats/stats_acc.h"
#include "inputs/poisson_tables.h"

static int64_t pow2_at_least(int64_t x)
{
    int64_t p = 32;
    while (p < x) p *= 2;
    return p;
}

int cob_cuda_key_bytes(const cob_proj *pr)
{
    const char *force = getenv("COBALT_CUDA_KEYS");
    if (force && strcmp(force, "64") == 0)
        return 8;
    return (uint64_t)pr->n_pre * (uint64_t)pr->n_dgrp <= 0xFFFFFFFFull ? 4 : 8;
}

/* Bits needed to write x (0 for 0). */
static int32_t bits_of(int64_t x)
{
    int32_t b = 0;
    while (b < 63 && (x >> b) > 0) ++b;
    return b;
}

void cob_dlayout_choose(int64_t n_pre, int64_t n_post, int64_t n_syn, int32_t n_dgrp, int64_t max_row, cob_dlayout *l)
{
    int32_t gbits = bits_of(n_dgrp > 1 ? n_dgrp - 1 : 0);
    if (max_row < 0) {
        double m = n_pre ? (double)n_syn / (double)n_pre : 0.0;
        max_row = (int64_t)(m + 10.0 * sqrt(m) + 64.0);
    }
    l->off_bytes = max_row < 65536 ? 2 : 4;
    l->tbits = bits_of(n_post > 1 ? n_post - 1 : 0);
    l->shift = 0;
    l->n_off = n_dgrp + 1;
    /* budget in bytes per synapse, compared without rounding: n_pre n_off off_bytes <= B n_syn */
    if ((double)n_pre * l->n_off * l->off_bytes <= COB_DLAYOUT_OFF_BUDGET * (double)n_syn || l->tbits + gbits > 32)
        return;
    do {
        ++l->shift;
        l->n_off = (n_dgrp - 1) >> l->shift;
    } while ((double)n_pre * l->n_off * l->off_bytes > COB_DLAYOUT_OFF_BUDGET * (double)n_syn);
}

/* Bytes kept for the run and, in *transient, the extra bytes building it needs at its peak. */
static int64_t proj_bytes(const cob_proj *pr, int64_t *transient)
{
    int64_t k_max = pr->k_max, groups, hash;
    cob_dlayout l;
    *transient = 0;
    if (pr->independent)
        return pr->n_post * 4 + (k_max + 1) * (4 + 8 + 8);
    groups = pr->n_pre * (int64_t)pr->n_dgrp;
    hash = pr->multapses ? 0 : pow2_at_least(2 * k_max) * 4 * pr->n_post;
    if (hash > COB_CUDA_HASH_BUDGET)
        hash = COB_CUDA_HASH_BUDGET;
    /* post-major partners (one int32 buffer beyond the one that becomes `target`), two key
     * buffers, in-degrees, row starts, group starts, partner hash sets, CUB scratch */
    *transient = pr->n_syn * (4 + 2 * (int64_t)cob_cuda_key_bytes(pr)) + pr->n_post * 4 + (pr->n_post + 1) * 8 +
                 (groups + 1) * 8 + hash + (64ll << 20) + pr->n_syn / 16 +
                 /* the segmented sort's segment partition: two uint32 per target */
                 (pr->n_dgrp > 1 && !pr->nested ? 8 * pr->n_post + (1ll << 20) : 0);
    cob_dlayout_choose(pr->n_pre, pr->n_post, pr->n_syn, pr->n_dgrp, -1, &l);
    return pr->n_syn * 4 + (pr->n_pre + 1) * 8 + pr->n_pre * (int64_t)l.n_off * l.off_bytes;
}

int64_t cob_cuda_hist_capacity(const cob_net *net, const cob_plan *pl, int pop)
{
    const int64_t H = net->ring_slots, size = pl->pop[pop].size, full = H * size;
    int p, leaves = 0;
    for (p = 0; p < net->n_projs; ++p)
        if (!net->proj[p].independent && net->proj[p].pre == pop)
            leaves = 1;
    if (!leaves || size <= 0)
        return 0;
    if (net->pop_offset[pop] >= 0) { /* a neuron spikes at most ceil(H / gap) times in H steps */
        const int64_t gap = cob_model_min_gap(pl->pop[pop].model, &net->prop[pop]);
        const int64_t per = (H + gap - 1) / gap;
        return per * size < full ? per * size : full;
    }
    { /* pool: spikes in H steps are a sum of independent Bernoulli(p_step) draws (thinned below
       * that by a scheduled rate); mean + 10 sd + 64 is exceeded with negligible probability,
       * and an excess is counted and fails the run rather than dropping a spike silently */
        const double mean = (double)full * pl->pop[pop].p_step, cap = ceil(mean + 10.0 * sqrt(mean) + 64.0);
        return cap < (double)full ? (int64_t)cap : full;
    }
}

void cob_cuda_arrival_lags(const cob_proj *pr, int32_t *lo, int32_t *hi)
{
    *lo = pr->min_delay > 1 ? pr->min_delay : 1;
    *hi = pr->min_delay + pr->n_dgrp - 1 + (pr->dfrac_mode != COB_DFRAC_NONE);
}

int32_t cob_cuda_arrival_pairs(const cob_net *net)
{
    int32_t n = 0, lo, hi;
    int p;
    for (p = 0; p < net->n_projs; ++p) {
        if (net->proj[p].independent)
            continue;
        cob_cuda_arrival_lags(&net->proj[p], &lo, &hi);
        n += hi >= lo ? hi - lo + 1 : 0;
    }
    return n;
}

void cob_cuda_memory_estimate(const cob_net *net, const cob_plan *pl, cob_cuda_mem *m)
{
    const cob_stats_spec *ss = &pl->reduce;
    int64_t peak = 0, raster_slack = 0;
    int p, pop;
    m->connectivity = m->state = m->delivery = m->stats = 0;
    for (p = 0; p < net->n_projs; ++p) {
        int64_t tr;
        m->connectivity += proj_bytes(&net->proj[p], &tr);
        if (tr > peak)
            peak = tr;
    }
    m->state = net->n_neurons * 4 * (int64_t)(net->n_state_f32 + net->n_state_i32); /* the registry's state arrays */
    for (pop = 0; pop < pl->n_pops; ++pop) {
        const cob_plan_pop *ps = &pl->pop[pop];
        cob_acc_dims dims;
        int64_t hist;
        /* spike history (and the spikes' offsets), the slots' counts and starts */
        hist = cob_cuda_hist_capacity(net, pl, pop);
        if (hist > 0)
            m->delivery += hist * (net->dfrac_any ? 5 : 4) + (int64_t)net->ring_slots * (4 + 8);
        if (ps->model == COB_MODEL_POISSON && ps->input == COB_INPUT_POOL)
            m->state += ps->size * (8 + 4) + 8 * (int64_t)COB_GEOM_TABLE_MAX; /* next spike, draws used, table */
        if (net->pop_offset[pop] < 0)
            continue;
        dims = cob_acc_plan_dims(pl, pop);
        m->stats += cob_acc_pop_bytes(&dims); /* every row of the accumulator table, as setup_stats */
        raster_slack += ps->size < ss->raster_neurons ? ps->size : ss->raster_neurons; /* one step */
    }
    /* the step's input counts and the (projection, lag) pairs' tables */
    m->delivery += (net->n_channels_max ? net->n_channels_max : 1) * net->n_neurons * 4 +
                   (int64_t)cob_cuda_arrival_pairs(net) * (4 + 4 + 8) + 8;
    m->stats += (ss->raster_neurons > 0 ? (ss->raster_max_spikes + raster_slack) * 16 : 0) +
                pl->trace_n * pl->trace_samples * 4 + 65536; /* + descriptors */
    m->resident = m->connectivity + m->state + m->delivery + m->stats;
    m->build_peak = m->resident + peak;
}

double cob_cuda_bytes_per_synapse(const cob_net *net)
{
    int64_t bytes = 0, syn = 0, tr;
    int p;
    for (p = 0; p < net->n_projs; ++p) {
        if (net->proj[p].independent)
            continue;
        bytes += proj_bytes(&net->proj[p], &tr);
        syn += net->proj[p].n_syn;
    }
    return syn ? (double)bytes / (double)syn : 0.0;
}
