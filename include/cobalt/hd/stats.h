/* include/cobalt/hd/stats.h -- per-neuron statistics updates shared by the CPU loop
 * (host/cpu/cpu_step.c) and the CUDA update kernel (kernels/step.cu), and the accumulator arrays
 * of one population that they write (cob_acc_arrays: the rows of the accumulator descriptor table,
 * host/stats/stats_desc.c, which allocates, zeroes, sizes, merges and downloads them).
 * Integer accumulators (spike counts, ISIs in steps, histogram bins) make the results order-free
 * and so identical on both backends; the per-neuron V sums are doubles accumulated in time order
 * by one thread per neuron, also identical. */
#ifndef COBALT_HD_STATS_H
#define COBALT_HD_STATS_H

#include "hd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The accumulator arrays of one population, on the host or on the device (the CUDA backend's
 * cob_dacc is this struct holding device pointers). One pointer per row of the accumulator table
 * (host/stats/stats_acc.h, cob_acc_table), in the table's order; lengths: n neurons, except
 * v_hist (v_bins + 2) and rate_ts (n_bins_ts). */
typedef struct {
    uint32_t *spike_count, *n_isi, *v_n;  /* spikes, ISIs, V samples in the measurement window */
    int64_t *last_spike;                  /* step of the last spike in the window, -1 none */
    uint64_t *isi_sum, *isi_sumsq;        /* steps, steps^2 */
    double *v_sum, *v_sumsq;              /* mV, mV^2, over non-refractory samples */
    uint64_t *v_hist;                     /* [0] below, [1 .. v_bins] the bins, [v_bins + 1] above */
    uint32_t *rate_ts;                    /* spikes of the population per time bin */
} cob_acc_arrays;

/* Record a spike at step t: count, and the ISI to the previous spike in the window. */
COB_INLINE void cob_stats_spike(int64_t t, uint32_t *count, int64_t *last, uint32_t *n_isi,
                                uint64_t *isi_sum, uint64_t *isi_sumsq)
{
    *count += 1;
    if (*last >= 0) {
        uint64_t isi = (uint64_t)(t - *last);
        *n_isi += 1;
        *isi_sum += isi;
        *isi_sumsq += isi * isi;
    }
    *last = t;
}

/* Histogram bin of v: -1 below range (or NaN), n_bins above; float ops only (bit-identical). */
COB_INLINE int32_t cob_stats_vbin(float v_mV, float v_min_mV, float inv_width, int32_t n_bins)
{
    float x = (v_mV - v_min_mV) * inv_width;
    if (!(x >= 0.0f)) return -1; /* also NaN: below, on both backends */
    if (x >= (float)n_bins) return n_bins;
    return (int32_t)x;
}

#ifdef __cplusplus
}
#endif
#endif
