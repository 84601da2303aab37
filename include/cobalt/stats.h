/* include/cobalt/stats.h -- statistics of a run, reduced from on-line accumulators. Everything
 * a result file holds. Pairs with host/stats/stats.c (accumulation on the CPU and the final
 * reduction) and host/output/output.c (HDF5 and JSON). Integer accumulators where the GPU must agree
 * bit for bit (spike counts, ISI sums in steps, histogram bins, input counts). */
#ifndef COBALT_STATS_H
#define COBALT_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-population results. Arrays are owned and have the lengths noted. */
typedef struct {
    char name[COB_NAME_MAX];
    int model; /* cob_model */
    int64_t n; /* neurons */
    /* per neuron (n) */
    uint32_t *spike_count;
    double *rate_hz;
    uint32_t *n_isi; /* ISIs in the measurement window */
    double *cv_isi;  /* NaN where n_isi < min_isi */
    /* summaries */
    double mean_rate_hz, sd_rate_hz;
    double mean_cv, sd_cv; /* over neurons with n_isi >= min_isi */
    int64_t n_cv;          /* neurons that entered the CV statistics */
    double frac_quiescent;
    /* histograms: counts (bins) and edges (bins + 1) */
    int rate_bins, cv_bins, v_bins;
    uint64_t *rate_hist;
    double *rate_edges; /* log-spaced; neurons below min in bin 0, above max in last */
    uint64_t *cv_hist;
    double *cv_edges;
    uint64_t *v_hist;
    double *v_edges;           /* non-refractory samples, every stride steps */
    uint64_t v_below, v_above; /* samples outside the histogram range */
    /* V mean/s.d. of the first v_n neurons */
    int64_t v_n;
    double *v_mean_mV, *v_sd_mV;
    double v_pop_mean_mV, v_pop_sd_mV; /* over all histogram samples (from sums) */
    /* mean input per channel: spikes received per neuron per second, and the mean input it
     * implies (g/g_L = a tau_m rate for lif_cond, mV = J tau_m rate for lif_curr) */
    int n_channels;
    int chan_receptor[COB_MAX_CHANNELS];
    double chan_weight[COB_MAX_CHANNELS];
    double chan_rate_hz[COB_MAX_CHANNELS];
    double chan_mean_input[COB_MAX_CHANNELS];
    /* population rate time series */
    int64_t n_bins_ts;
    double bin_ms;
    uint32_t *rate_ts_counts; /* spikes per bin */
    double pop_rate_cv;       /* CV of the binned population rate */
    /* input balance of the first bal_n neurons (stats.balance_neurons; host/stats/balance.c):
     * time-averaged input in mV/s from excitatory and from inhibitory neuron populations and from
     * outside (Poisson populations, the white-noise mean), the balance factor
     * BF = -I_I / (I_E + I_ext) of seed 001, and for conductance-based models the mean
     * conductances in units of g_L (NaN for current-based ones) */
    int64_t bal_n;
    int64_t bal_n_src; /* columns of bal_input_src: every config population, then the white noise */
    double *bal_input_e, *bal_input_i, *bal_input_ext, *bal_factor;
    double *bal_input_src; /* [bal_n][bal_n_src]: the same inputs (mV/s) by source population */
    double *bal_g_e, *bal_g_i, *bal_g_ext;
    double bal_factor_mean, bal_factor_sd; /* over the sampled neurons with a finite BF */
    /* per protocol window (n_windows, in the order of protocol.windows; docs/results.md) */
    int64_t n_windows;
    double *win_rate_hz;                 /* spikes in the window / (n x its duration) */
    uint64_t *win_n_isi;                 /* ISIs with both spikes in the window, all neurons */
    double *win_cv_isi;                  /* CV of those ISIs pooled over the population; NaN below min_isi */
    uint64_t *win_v_samples;             /* V samples of the first v_n neurons in the window */
    double *win_v_mean_mV, *win_v_sd_mV; /* their mean and s.d., pooled over those neurons; NaN without */
} cob_pop_stats;

typedef struct {
    int n_pops; /* neuron populations only (poisson sources excluded) */
    cob_pop_stats pop[COB_MAX_POPS];
    int64_t n_steps_measured;
    double t_measured_s;
    /* raster: spikes of the first raster_neurons of each population, in time order */
    int64_t raster_n;
    int64_t *raster_step; /* step index from the start of the run */
    int32_t *raster_pop, *raster_neuron;
    int64_t raster_overflow; /* spikes not stored because the raster was full */
    /* traces: trace_n neurons x trace_samples */
    int64_t trace_n, trace_samples;
    int32_t *trace_pop, *trace_neuron;
    float *trace_v_mV;     /* [trace_n][trace_samples] */
    int64_t ring_overflow; /* spike counts lost to a saturated delay-ring cell */
    int64_t spikes_merged; /* integrator ordered, tau_ref < dt: spikes of a neuron beyond its first in
                            * one step (one is delivered and recorded); 0 otherwise */
    int64_t syn_events;    /* spikes delivered through stored synapses over the whole run */
} cob_stats;

void cob_stats_free(cob_stats *s);

/* The input balance of the first stats.balance_neurons neurons of every population (the bal_*
 * fields), from the run's statistics s, the network net (its layout is enough) and the config
 * it was made from; nothing when the key is 0. cob_sim_run calls it after the run. */
cob_status cob_stats_balance(cob_stats *s, const cob_net *net, const cob_config *c, cob_err *err);

/* 1 when the run counted a loss (saturated ring cells or merged spikes): it ends with
 * COB_ERR_OVERFLOW (exit 6) and its results are still written. */
static inline int cob_stats_overflowed(const cob_stats *s)
{
    return s->ring_overflow > 0 || s->spikes_merged > 0;
}

/* Compare two runs' statistics bit for bit: every value, count and array of cob_stats and of its
 * populations (doubles by their bits, so NaN equals NaN written the same way; names as strings).
 * Returns 0 when identical, else 1 with the first difference in msg (len bytes, always
 * terminated when len > 0): the field, the element index and both values. Arrays of non-zero
 * length must be allocated on both sides. Walks the tables of host/stats/stats_fields.h. */
int cob_stats_first_difference(const cob_stats *a, const cob_stats *b, char *msg, size_t len);

#ifdef __cplusplus
}
#endif
#endif
