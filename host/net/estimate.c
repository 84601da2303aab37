/* host/net/estimate.c -- host memory of a CPU run, and of laying out a network (for validate and
 * a device-building backend), from the config alone (nothing is drawn or allocated): what
 * `cobalt validate` prints and checks and what cob_sim_run checks before building, against
 * cob_host_memory_available (host/util/hostmem.c). The device-side counterpart is
 * host/net/cuda_mem.c. */
#include <math.h>
#include <string.h>
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
 * and a cursor per delay group, host/net/net.c build_proj and to_pre_csr). */
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

/* The firing rate the buckets are sized for: a pool's own rate (its schedule's largest value),
 * COB_ESTIMATE_RATE_HZ for a neuron population (its rate is what the run finds out). */
static double est_rate_hz(const cob_pop_spec *p)
{
    return p->model == COB_MODEL_POISSON ? p->rate_hz : COB_ESTIMATE_RATE_HZ;
}

/* Connectivity, the build's peak and the buckets, projection by projection in build order:
 * the build holds every projection made so far plus the transient of the one being made, and
 * frees that transient before the next (net.c build_proj). */
static void est_connectivity(const cob_config *c, cob_host_mem_est *m)
{
    int64_t slots = 2;
    double events_per_step = 0;
    for (int p = 0; p < c->n_projs; ++p) {
        const cob_proj_spec *ps = &c->projs[p];
        int64_t tr, b = proj_bytes(c, ps, &tr), d = cob_proj_spec_ring_slots(c, p);
        m->connectivity += b;
        if (m->connectivity + tr > m->build_peak)
            m->build_peak = m->connectivity + tr;
        if (d > slots)
            slots = d;
        if (!cob_pop_is_independent(&c->pops[ps->pre]))
            events_per_step += ps->indegree * (double)c->pops[ps->post].size * est_rate_hz(&c->pops[ps->pre]) *
                               c->run.dt_ms * 1e-3;
    }
    /* Every slot's bucket fills with one step's arrivals before it is emptied, and its pages stay
     * resident: events per step x slots x 4 bytes, times the allocator's slack for buckets grown
     * by doubling (COB_ESTIMATE_BUCKET_SLACK). */
    m->events_per_step = events_per_step;
    m->ring_slots = slots;
    m->buckets = cap_bytes(ceil(events_per_step) * (double)slots * 4 * COB_ESTIMATE_BUCKET_SLACK);
}

/* Host bytes of a CPU run of config c, by part (include/cobalt/estimate.h). */
void cob_config_memory_parts(const cob_config *c, cob_host_mem_est *m)
{
    int64_t neurons = 0;
    cob_acc_dims dims;
    cob_pop_stats shape = {0};
    int pop;
    memset(m, 0, sizeof *m);
    est_connectivity(c, m);
    for (pop = 0; pop < c->n_pops; ++pop) {
        const cob_pop_spec *pp = &c->pops[pop];
        m->state += pp->size * 4; /* spike list */
        if (pp->model == COB_MODEL_POISSON && !cob_pop_is_independent(pp))
            m->state += pp->size * 12; /* pool sources: next spike step, Philox blocks used */
        if (!cob_model_is_neuron(pp->model))
            continue;
        neurons += pp->size;
        /* the model's state arrays (model registry) */
        m->state += pp->size * 4 * (int64_t)(cob_model_state_f32(pp->model) + cob_model_state_i32(pp->model));
        dims = cob_acc_config_dims(c, pop);
        m->stats += cob_acc_pop_bytes(&dims); /* the accumulator table's rows */
        shape.n = dims.n;
        shape.v_n = dims.n < c->stats.v_neurons ? dims.n : c->stats.v_neurons;
        shape.rate_bins = c->stats.rate_hist_bins;
        shape.cv_bins = c->stats.cv_hist_bins;
        shape.v_bins = c->stats.v_hist_bins;
        shape.n_bins_ts = dims.n_bins_ts;
        shape.n_windows = c->protocol.n_windows;
        m->stats += cob_stats_pop_bytes(&shape); /* the reduced results' arrays */
    }
    {
        /* 16-bit input buffers and spike lists, two threads, 2 x chunk sets (cpu_backend.c) */
        int32_t d_min = COB_CPU_CHUNK_MAX, chunk;
        int64_t slots = 0;
        for (int p = 0; p < c->n_projs; ++p)
            if (!cob_pop_is_independent(&c->pops[c->projs[p].pre]) && c->projs[p].indegree > 0) {
                int32_t d = cob_proj_spec_min_arrival(c, p);
                d_min = d < d_min ? d : d_min;
            }
        for (pop = 0; pop < c->n_pops; ++pop) slots += c->pops[pop].size;
        chunk = cob_cpu_chunk_steps(d_min, 2, neurons * COB_MAX_CHANNELS, slots);
        m->state += neurons * COB_MAX_CHANNELS * 2 * 2 * 2 * chunk + slots * 5 * (2 * chunk - 1);
    }
    m->base = COB_ESTIMATE_BASE_BYTES;
    m->run_peak = m->connectivity + m->state + m->stats + m->buckets;
    m->peak = m->base + (m->build_peak > m->run_peak ? m->build_peak : m->run_peak);
}

/* The peak of a CPU run: the larger of the build's peak and the run's resident bytes, plus the
 * process's baseline. Building comes before the backend allocates its state and buckets, and
 * the build's transients are freed and given back to the system (unmapped, or trimmed from the
 * heap: net.c release_freed) before it does, so the two peaks do not add up. */
int64_t cob_config_memory_estimate(const cob_config *c)
{
    cob_host_mem_est m;
    cob_config_memory_parts(c, &m);
    return m.peak;
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
