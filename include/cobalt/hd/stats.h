/* include/cobalt/hd/stats.h -- per-neuron statistics updates shared by the CPU loop
 * (host/cpu/cpu_step.c) and the CUDA update kernel (kernels/step.cu), and the accumulator arrays
 * of one population that they write (cob_acc_arrays: the rows of the accumulator descriptor table,
 * host/stats/stats_desc.c, which allocates, zeroes, sizes, merges and downloads them).
 * Integer accumulators (spike counts, ISIs in steps, histogram bins) make the results order-free
 * and so identical on both backends; the per-neuron V sums are doubles accumulated in time order
 * by one thread per neuron, also identical. The V histogram is counted by the caller (a
 * per-thread copy on the CPU, shared memory on the GPU): cob_stats_neuron only says which bin. */
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
    uint32_t *spike_count, *n_isi, *v_n; /* spikes, ISIs, V samples in the measurement window */
    int64_t *last_spike;                 /* step of the last spike in the window, -1 none */
    uint64_t *isi_sum, *isi_sumsq;       /* steps, steps^2 */
    double *v_sum, *v_sumsq;             /* mV, mV^2, over non-refractory samples */
    uint64_t *v_hist;                    /* [0] below, [1 .. v_bins] the bins, [v_bins + 1] above */
    uint32_t *rate_ts;                   /* spikes of the population per time bin */
    /* per protocol window w (at least one row element when there are none) */
    uint64_t *win_spikes; /* [w]: spikes of the population */
    uint64_t *win_isi;    /* [4 w + 0, 1, 2, 3]: ISIs with both spikes in the window, their sum (steps), and the
                           * sum of their squares (steps^2) as 128 bits: low word, high word (carries) */
    double *win_v;        /* [(w vn + i) 3 + 0, 1, 2]: V samples of neuron i < vn, their sum (mV), sum of squares */
} cob_acc_arrays;

/* The protocol's windows in steps, [start, end), disjoint and in time order (host/sim/plan.c). */
#define COB_WINDOWS_MAX 32
typedef struct {
    int32_t n;
    int64_t start[COB_WINDOWS_MAX], end[COB_WINDOWS_MAX];
} cob_windows;

/* Window of step t, -1 when none (once per step on both backends). */
COB_INLINE int32_t cob_window_of(const cob_windows *w, int64_t t)
{
    int32_t k;
    for (k = 0; k < w->n; ++k)
        if (t >= w->start[k] && t < w->end[k])
            return k;
    return -1;
}

/* Record a spike at step t: count, and the ISI to the previous spike in the window. */
COB_INLINE void cob_stats_spike(int64_t t, uint32_t *count, int64_t *last, uint32_t *n_isi, uint64_t *isi_sum,
                                uint64_t *isi_sumsq)
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
    if (!(x >= 0.0f))
        return -1; /* also NaN: below, on both backends */
    if (x >= (float)n_bins)
        return n_bins;
    return (int32_t)x;
}

/* Geometry of the V histogram: bins of width 1 / inv_width mV from v_min_mV. */
typedef struct {
    float v_min_mV, inv_width;
    int32_t n_bins;
} cob_vhist_geom;

/* Statistics of neuron i (index into a's per-neuron arrays) after its update at step t, inside
 * the measurement window. fired: the neuron spiked this step (counted with its ISI; no V sample
 * then). Otherwise, when sample_v (a V-sampling step) and the neuron was not refractory at the
 * start of the step (was_refr == 0), v_mV (its V after the update) is added to v_sum, v_sumsq and
 * v_n. Returns the index into the (n_bins + 2)-long histogram to count the sample in (0 below the
 * range or NaN, 1 .. n_bins, n_bins + 1 above), or -1 when no sample was taken; the caller counts
 * it (hist[k] += 1) in its own copy, so this function needs no atomics. */
COB_FORCE_INLINE int32_t cob_stats_neuron(const cob_acc_arrays *a, int64_t i, int64_t t, int fired, int was_refr,
                                          int sample_v, float v_mV, const cob_vhist_geom *h)
{
    int32_t b;
    if (fired) {
        cob_stats_spike(t, &a->spike_count[i], &a->last_spike[i], &a->n_isi[i], &a->isi_sum[i], &a->isi_sumsq[i]);
        return -1;
    }
    if (!sample_v || was_refr)
        return -1;
    b = cob_stats_vbin(v_mV, h->v_min_mV, h->inv_width, h->n_bins);
    a->v_sum[i] += v_mV;
    a->v_sumsq[i] += (double)v_mV * (double)v_mV;
    a->v_n[i] += 1;
    return b + 1;
}

/* Per-window statistics of neuron i at step t of window w (>= 0, starting at step w_start), called
 * before cob_stats_neuron moves last_spike, with the same fired / was_refr / sample_v. A V sample of
 * one of the first vn neurons (taken exactly when cob_stats_neuron takes one) goes to its own cells
 * of win_v (one owner per cell: no atomics). Returns the ISI in steps when the neuron fired and its
 * previous spike lies in the same window, else 0: the caller adds 1, isi and isi^2 to
 * win_isi[4 w ..] with its backend's integer atomics, and a carry into the high word of the sum of
 * squares when the low word wraps (each wrap is seen by exactly one addition, so the 128-bit
 * total is order-free too; n neurons x window steps x longest ISI can pass 2^64 in long runs). */
COB_INLINE uint64_t cob_stats_window(const cob_acc_arrays *a, int64_t i, int64_t t, int32_t w, int64_t w_start,
                                     int fired, int was_refr, int sample_v, float v_mV, int64_t vn)
{
    if (fired)
        return a->last_spike[i] >= w_start ? (uint64_t)(t - a->last_spike[i]) : 0u;
    if (sample_v && !was_refr && i < vn) {
        double *c = a->win_v + ((int64_t)w * vn + i) * 3;
        c[0] += 1.0;
        c[1] += v_mV;
        c[2] += (double)v_mV * (double)v_mV;
    }
    return 0u;
}

#ifdef __cplusplus
}
#endif
#endif
