/* host/stats/stats_acc.h -- internal: the on-line statistics accumulators of a run (what a backend
 * fills during the run) and their reduction into a cob_stats (host/stats/stats.c). The CUDA backend
 * copies its device accumulators into this same layout at the end. */
#ifndef COBALT_HOST_STATS_ACC_H
#define COBALT_HOST_STATS_ACC_H

#include "cobalt/net.h"
#include "cobalt/plan.h"
#include "cobalt/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int64_t n;
    uint32_t *spike_count, *n_isi, *v_n;
    int64_t *last_spike;                  /* step of the last spike in the window, -1 none */
    uint64_t *isi_sum, *isi_sumsq;        /* steps, steps^2 */
    double *v_sum, *v_sumsq;              /* over non-refractory samples */
    uint64_t *v_hist;                     /* v_bins */
    uint64_t v_below, v_above;
    uint64_t chan_count[COB_MAX_CHANNELS];/* spikes arrived per channel (all neurons) */
    uint32_t *rate_ts;                    /* n_bins_ts */
} cob_pop_acc;

typedef struct {
    cob_pop_acc pop[COB_MAX_POPS];        /* indexed by config population; poisson ones empty */
    int64_t warmup_steps, measure_steps;
    int64_t bin_steps, n_bins_ts, v_stride;
    float v_min_mV, v_inv_width;
    int32_t v_bins;
    int32_t raster_neurons, trace_neurons;
    int64_t raster_cap, raster_n, raster_overflow;
    int64_t *raster_step;
    int32_t *raster_pop, *raster_neuron;
    int64_t trace_n, trace_stride, trace_samples, trace_filled;
    int32_t *trace_pop, *trace_neuron;
    int64_t *trace_gidx;                  /* global neuron index of each trace */
    float *trace_v;                       /* [trace_n][trace_samples] */
    uint64_t ring_overflow;
} cob_acc;

cob_status cob_acc_init(cob_acc *a, const cob_net *net, const cob_plan *plan, cob_err *err);
void cob_acc_free(cob_acc *a);
/* Append a raster spike (counted as overflow when full). */
void cob_acc_raster(cob_acc *a, int64_t step, int32_t pop, int32_t neuron);
/* Reduce into out (allocates; free with cob_stats_free). */
cob_status cob_acc_reduce(const cob_acc *a, const cob_net *net, const cob_plan *plan, cob_stats *out, cob_err *err);

#ifdef __cplusplus
}
#endif

#endif
