/* host/net/estimate.c -- host memory of a CPU run, and of laying out a network (for validate and
 * a device-building backend), from the config alone (nothing is drawn or allocated): what
 * `cobalt validate` prints and checks and what cob_sim_run checks before building, against
 * cob_host_memory_available (host/util/hostmem.c). The device-side counterpart is
 * host/net/cuda_mem.c. */
#include <math.h>
#include "cobalt/estimate.h"
#include "cobalt/net.h"
#include "stats/stats_acc.h"
#include "stats/stats_fields.h"

/* Terms that can exceed any machine (in-degree times size, a large cv_indegree) are summed in
 * double and saturate at 2^56 bytes (72 PB; 64 projections of it still fit int64): the memory
 * check refuses them all the same. In int64 they overflowed (UBSan, found by tests/test_fuzz.c:
 * cv_indegree 1e300 made the synapse count INT64_MIN). */
#define EST_CAP_BYTES 72057594037927936.0
static int64_t cap_bytes(double b)
{
    return b < EST_CAP_BYTES ? (int64_t)b : (int64_t)EST_CAP_BYTES;
}

/* Bytes of one projection: stored synapses (int32 target + uint16 delay), delay-group offsets,
 * row pointers and in-degrees; *transient gets what building it needs on top (post-major lists
 * and a cursor per delay group). */
static int64_t proj_bytes(const cob_config *c, const cob_proj_spec *ps, int64_t *transient)
{
    double n_pre = (double)c->pops[ps->pre].size, n_post = (double)c->pops[ps->post].size;
    double syn = ceil(ps->indegree * (1.0 + 3.0 * ps->cv_indegree)) * n_post;
    int64_t groups = llround(ps->delay_max_ms / c->run.dt_ms) - llround(ps->delay_min_ms / c->run.dt_ms) + 2;
    *transient = 0;
    if (cob_pop_is_independent(&c->pops[ps->pre]))
        return cap_bytes(n_post * 4);
    if (groups < 2)
        groups = 2;
    *transient = cap_bytes(syn * 6 + n_post * 8 + n_pre * (double)groups * 4);
    return cap_bytes(syn * 6 + n_pre * (double)groups * 4 + (n_pre + 1) * 8 + n_post * 4);
}

/* Host bytes of a CPU run of config c: connectivity (the largest build transient included),
 * neuron state, statistics accumulators and reduced results (sized by their descriptor tables,
 * host/stats/stats_desc.c and stats_fields.c), input buffers, and the delivery buckets for a mean
 * rate of COB_ESTIMATE_RATE_HZ (4 bytes per event in flight). */
int64_t cob_config_memory_estimate(const cob_config *c)
{
    int64_t bytes = 0, peak_transient = 0, neurons = 0, slots = 2;
    double events_per_step = 0;
    cob_acc_dims dims;
    cob_pop_stats shape = {0};
    int p, pop;
    for (p = 0; p < c->n_projs; ++p) {
        const cob_proj_spec *ps = &c->projs[p];
        int64_t tr, b = proj_bytes(c, ps, &tr), d = cob_proj_spec_ring_slots(c, p);
        bytes += b;
        if (tr > peak_transient)
            peak_transient = tr;
        if (d > slots)
            slots = d;
        if (!cob_pop_is_independent(&c->pops[ps->pre]))
            events_per_step += ceil(
                ps->indegree * (double)c->pops[ps->post].size * COB_ESTIMATE_RATE_HZ * c->run.dt_ms * 1e-3);
    }
    for (pop = 0; pop < c->n_pops; ++pop) {
        bytes += c->pops[pop].size * 4; /* spike list */
        if (!cob_model_is_neuron(c->pops[pop].model))
            continue;
        neurons += c->pops[pop].size;
        /* the model's state arrays (model registry) */
        bytes += c->pops[pop].size * 4 *
                 (int64_t)(cob_model_state_f32(c->pops[pop].model) + cob_model_state_i32(c->pops[pop].model));
        dims = cob_acc_config_dims(c, pop);
        bytes += cob_acc_pop_bytes(&dims); /* the accumulator table's rows */
        shape.n = dims.n;
        shape.v_n = dims.n < c->stats.v_neurons ? dims.n : c->stats.v_neurons;
        shape.rate_bins = c->stats.rate_hist_bins;
        shape.cv_bins = c->stats.cv_hist_bins;
        shape.v_bins = c->stats.v_hist_bins;
        shape.n_bins_ts = dims.n_bins_ts;
        shape.n_windows = c->protocol.n_windows;
        bytes += cob_stats_pop_bytes(&shape); /* the reduced results' arrays */
    }
    bytes += neurons * COB_MAX_CHANNELS * 2 * 2;                 /* input buffers, two threads */
    bytes += cap_bytes(events_per_step * (double)slots * 4 * 2); /* buckets, grown by doubling */
    return bytes + peak_transient;
}

int64_t cob_layout_memory_estimate(const cob_config *c)
{
    int64_t bytes = 0, peak_transient = 0;
    for (int p = 0; p < c->n_projs; ++p) {
        int64_t n_post = c->pops[c->projs[p].post].size;
        bytes += n_post * 4; /* int32 in-degree per target */
        if ((n_post + 1) * 8 > peak_transient)
            peak_transient = (n_post + 1) * 8; /* int64 offsets while drawing them */
    }
    return bytes + peak_transient;
}
