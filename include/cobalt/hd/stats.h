/* include/cobalt/hd/stats.h -- per-neuron statistics updates shared by the CPU loop and the
 * CUDA kernels. Integer accumulators (spike counts, ISIs in steps, histogram bins) make the
 * results order-free and so identical on both backends; the per-neuron V sums are doubles
 * accumulated in time order by one thread per neuron, also identical. */
#ifndef COBALT_HD_STATS_H
#define COBALT_HD_STATS_H

#include "hd.h"

#ifdef __cplusplus
extern "C" {
#endif

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
