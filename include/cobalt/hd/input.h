/* include/cobalt/hd/input.h -- what a neuron receives in one step, as one small struct: the
 * integer spike counts per input channel (delivered recurrent spikes, pool sources and
 * independent Poisson counts alike) and the continuous terms of the step. Every neuron model's
 * step takes a cob_input, so inputs are units separate from models (include/cobalt/hd/models.h
 * lists both registries). Shared by the CPU loop (host/cpu/cpu_step.c) and kernels/step.cu. */
#ifndef COBALT_HD_INPUT_H
#define COBALT_HD_INPUT_H

#include "hd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Input channels per neuron population: one per distinct (receptor, weight) onto it. */
#define COB_MAX_CHANNELS 4

typedef struct {
    uint32_t count[COB_MAX_CHANNELS]; /* spikes arrived on channel c in this step (cob_input_cap) */
    float drive_mV;                   /* continuous input integrated exactly over this step (with its
                                       * decay), in mV (0 when the population has none, hd/noise.h);
                                       * added to V at the end of the step, after the leak, before the
                                       * last threshold test (both integrators) */
    float bridge_var;                 /* variance (mV^2) of the drive's noise over the step when threshold
                       * crossings between steps are to be detected (hd/lif.h,
                       * cob_lif_bridge_crossed); 0: only V at the end of the step is tested */
    /* Which arrivals these are, for the ordered step's offsets (hd/arrivals.h) and the crossing
     * draw: the run's seed, the step and the global neuron index. */
    uint64_t seed, t;
    uint32_t neuron;
} cob_input;

/* An input with no spikes and no drive, for neuron `neuron` at step t of a run with this seed. */
COB_INLINE void cob_input_clear(cob_input *in, uint64_t seed, uint64_t t, uint32_t neuron)
{
    int c;
    for (c = 0; c < COB_MAX_CHANNELS; ++c) in->count[c] = 0;
    in->drive_mV = 0.0f;
    in->bridge_var = 0.0f;
    in->seed = seed;
    in->t = t;
    in->neuron = neuron;
}

/* Largest count one channel takes in one step: the 16-bit cell of a delay ring. */
#define COB_INPUT_COUNT_MAX 0xFFFFu

/* Cap each channel c < n_channels at COB_INPUT_COUNT_MAX and return the excess (the overflow the
 * run reports). Both backends cap here, so the overflow count does not depend on how the counts
 * were gathered (thread buffers, device ring, independent draws). */
COB_INLINE uint64_t cob_input_cap(cob_input *in, int32_t n_channels)
{
    uint64_t ovf = 0;
    int32_t c;
    for (c = 0; c < n_channels; ++c)
        if (in->count[c] > COB_INPUT_COUNT_MAX) {
            ovf += in->count[c] - COB_INPUT_COUNT_MAX;
            in->count[c] = COB_INPUT_COUNT_MAX;
        }
    return ovf;
}

#ifdef __cplusplus
}
#endif
#endif
