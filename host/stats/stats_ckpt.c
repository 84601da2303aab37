/* host/stats/stats_ckpt.c -- the statistics accumulators in a checkpoint (host/stats/stats_acc.h):
 * cob_acc_save / cob_acc_load. The per-population rows are walked from the descriptor table
 * (host/stats/stats_desc.c), so a new statistic is checkpointed without a change here; the
 * per-run arrays (raster, traces) and the counters follow. Each block is preceded by its length,
 * which load checks against the accumulators made for this run. Used by every backend's save/load
 * (the CUDA backend downloads into and uploads from a host cob_acc). */
#include <string.h>
#include "stats/stats_acc.h"

static cob_acc_dims dims_of(const cob_acc *a, int pop)
{
    cob_acc_dims m;
    m.n = a->pop[pop].n;
    m.v_bins = a->v_bins;
    m.n_bins_ts = a->n_bins_ts;
    m.n_windows = a->n_windows;
    m.v_neurons = a->v_neurons;
    return m;
}

void cob_acc_save(const cob_acc *a, const cob_net *net, cob_ckpt_buf *b)
{
    int pop, r;
    cob_ckpt_put_i64(b, net->n_pops);
    for (pop = 0; pop < net->n_pops; ++pop) {
        cob_pop_acc *pa = (cob_pop_acc *)&a->pop[pop];
        cob_acc_dims m = dims_of(a, pop);
        if (net->pop_offset[pop] < 0)
            continue;
        for (r = 0; r < COB_ACC_N_ROWS; ++r) {
            const cob_acc_desc *d = &cob_acc_table[r];
            int64_t bytes = cob_acc_row_bytes(d, &m);
            cob_ckpt_put_i64(b, bytes);
            cob_ckpt_put(b, *cob_acc_host_slot(pa, d), (size_t)bytes);
        }
        cob_ckpt_put(b, pa->chan_count, sizeof pa->chan_count);
    }
    cob_ckpt_put_i64(b, a->raster_n);
    cob_ckpt_put_i64(b, a->raster_overflow);
    cob_ckpt_put(b, a->raster_step, (size_t)a->raster_n * sizeof *a->raster_step);
    cob_ckpt_put(b, a->raster_pop, (size_t)a->raster_n * sizeof *a->raster_pop);
    cob_ckpt_put(b, a->raster_neuron, (size_t)a->raster_n * sizeof *a->raster_neuron);
    cob_ckpt_put_i64(b, a->trace_n * a->trace_samples);
    cob_ckpt_put(b, a->trace_v, (size_t)(a->trace_n * a->trace_samples) * sizeof *a->trace_v);
    cob_ckpt_put_i64(b, a->trace_filled);
    cob_ckpt_put_u64(b, a->ring_overflow);
    cob_ckpt_put_u64(b, a->spikes_merged);
}

cob_status cob_acc_load(cob_acc *a, const cob_net *net, cob_ckpt_reader *rd, cob_err *err)
{
    int pop, r;
    int64_t n;
    if (!cob_ckpt_expect(rd, net->n_pops, "populations", err))
        return err->status;
    for (pop = 0; pop < net->n_pops; ++pop) {
        cob_pop_acc *pa = &a->pop[pop];
        cob_acc_dims m = dims_of(a, pop);
        if (net->pop_offset[pop] < 0)
            continue;
        for (r = 0; r < COB_ACC_N_ROWS; ++r) {
            const cob_acc_desc *d = &cob_acc_table[r];
            int64_t bytes = cob_acc_row_bytes(d, &m);
            if (!cob_ckpt_expect(rd, bytes, d->what, err)) /* bytes of the row */
                return err->status;
            cob_ckpt_get(rd, *cob_acc_host_slot(pa, d), (size_t)bytes);
        }
        cob_ckpt_get(rd, pa->chan_count, sizeof pa->chan_count);
    }
    n = cob_ckpt_get_i64(rd);
    if (n < 0 || n > a->raster_cap)
        return cob_err_set(err, COB_ERR_CONFIG, "checkpoint holds %lld raster spikes, this run keeps at most %lld",
                           (long long)n, (long long)a->raster_cap);
    a->raster_n = n;
    a->raster_overflow = cob_ckpt_get_i64(rd);
    cob_ckpt_get(rd, a->raster_step, (size_t)n * sizeof *a->raster_step);
    cob_ckpt_get(rd, a->raster_pop, (size_t)n * sizeof *a->raster_pop);
    cob_ckpt_get(rd, a->raster_neuron, (size_t)n * sizeof *a->raster_neuron);
    if (!cob_ckpt_expect(rd, a->trace_n * a->trace_samples, "trace samples", err))
        return err->status;
    cob_ckpt_get(rd, a->trace_v, (size_t)(a->trace_n * a->trace_samples) * sizeof *a->trace_v);
    a->trace_filled = cob_ckpt_get_i64(rd);
    a->ring_overflow = cob_ckpt_get_u64(rd);
    a->spikes_merged = cob_ckpt_get_u64(rd);
    if (rd->failed)
        return cob_err_set(err, COB_ERR_IO, "checkpoint ends inside the statistics accumulators");
    return COB_OK;
}
