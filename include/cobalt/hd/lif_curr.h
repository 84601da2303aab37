/* include/cobalt/hd/lif_curr.h -- current-based LIF with delta synapses (Sanzeni et al. Eq. 7;
 * Brunel 2000): the `lif_curr` entry of the model registry (hd/models.h). Each spike on channel c
 * moves V by a fixed J_c mV (positive for E, -g J for I); then the exact leak towards v_leak
 * (= E_L + mu_ext, a constant drive), the step's continuous drive (hd/noise.h), threshold, reset, refractory
 * (hd/lif.h). Propagators: host/models/lif_curr.c (chan_factor holds J_c in mV); page:
 * docs/models/lif_curr.md. */
#ifndef COBALT_HD_LIF_CURR_H
#define COBALT_HD_LIF_CURR_H

#include "lif.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef cob_lif_state cob_lif_curr_state;
typedef cob_lif_prop cob_lif_curr_prop;
enum { COB_LIF_CURR_STATE_F32 = COB_LIF_STATE_F32, COB_LIF_CURR_STATE_I32 = COB_LIF_STATE_I32 };
/* State I/O of the registry (hd/models.h): the LIF state (V, refractory counter). */
COB_INLINE void cob_lif_curr_load(cob_lif_state *n, const cob_state_arrays *a, int64_t i)
{
    cob_lif_load(n, a, i);
}

COB_INLINE void cob_lif_curr_store(const cob_lif_state *n, const cob_state_arrays *a, int64_t i)
{
    cob_lif_store(n, a, i);
}

/* The ordered step (run.integrator: ordered; hd/lif.h): each arrival on channel c at its offset
 * moves V by J_c after the exact leak up to it; threshold after each jump. Exact while
 * v_leak < theta (V relaxes away from threshold between arrivals); with a suprathreshold constant
 * drive (E_L + mu_ext >= theta) a crossing between arrivals is found at the next arrival or at the
 * end of the step. */
COB_NOINLINE int cob_lif_curr_step_ordered(cob_lif_state *n, const cob_lif_prop *p, const cob_input *in,
                                           int32_t n_channels)
{
    return cob_lif_ordered(n, p, in, n_channels, COB_LIF_JUMP_CURRENT);
}

/* Advance one neuron by one step (channels c < n_channels == p->n_channels). Returns
 * COB_STEP_* flags. The grid step is below; p->integrator selects the ordered one. */
/* The registry's spike-gap bound (hd/models.h, cob_model_min_gap). */
COB_INLINE int32_t cob_lif_curr_min_gap(const cob_lif_prop *p)
{
    return cob_lif_min_gap(p);
}

COB_INLINE int cob_lif_curr_step(cob_lif_state *n, const cob_lif_prop *p, const cob_input *in, int32_t n_channels)
{
    float v = n->v_mV;
    int32_t c;
    if (p->integrator == COB_INTEGRATOR_ORDERED)
        return cob_lif_curr_step_ordered(n, p, in, n_channels);
    if (cob_lif_refractory(n, p))
        return COB_STEP_REFRACTORY;
    for (c = 0; c < n_channels; ++c) v += p->chan_factor[c] * (float)in->count[c];
    return cob_lif_leak_fire(n, p, v, in);
}

#ifdef __cplusplus
}
#endif
#endif
