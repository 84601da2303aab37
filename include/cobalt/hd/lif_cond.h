/* include/cobalt/hd/lif_cond.h -- conductance-based LIF with instantaneous synapses
 * (Sanzeni, Histed & Brunel, Eqs. 1-2): the `lif_cond` entry of the model registry
 * (hd/models.h). Propagators: host/models/lif_cond.c; page: docs/models/lif_cond.md.
 *
 * Step order, at the start of step t (inputs arriving at t):
 *   refractory: V stays at V_r, inputs are discarded, counter decremented (hd/lif.h);
 *   otherwise:  channel jumps in channel order (E channels before I channels), the exact leak
 *               decay over dt towards E_L, the step's continuous drive (white noise,
 *               hd/noise.h) and the threshold (hd/lif.h).
 * A channel c with reversal E_c and jump factor f_c receiving n spikes in the step moves
 *   V <- E_c + (V - E_c) * f_c^n,
 * f_c = 1 - a_c (linear jumps, a(E - V) per spike, V before each arrival; the default) or
 * f_c = exp(-a_c) (exact delta-conductance pulse). That is the grid step (run.integrator: grid);
 * the ordered step applies the same jump (n = 1) per arrival at its offset within the step, with
 * the exact leak between arrivals and the threshold after each (hd/lif.h, hd/arrivals.h). */
#ifndef COBALT_HD_LIF_COND_H
#define COBALT_HD_LIF_COND_H

#include "lif.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef cob_lif_state cob_lif_cond_state;
typedef cob_lif_prop cob_lif_cond_prop;
enum { COB_LIF_COND_STATE_F32 = COB_LIF_STATE_F32, COB_LIF_COND_STATE_I32 = COB_LIF_STATE_I32 };
/* State I/O of the registry (hd/models.h): the LIF state (V, refractory counter). */
COB_INLINE void cob_lif_cond_load(cob_lif_state *n, const cob_state_arrays *a, int64_t i)
{
    cob_lif_load(n, a, i);
}

COB_INLINE void cob_lif_cond_store(const cob_lif_state *n, const cob_state_arrays *a, int64_t i)
{
    cob_lif_store(n, a, i);
}

/* f_c^n: from the table (bit-identical to cob_powi, which made it) or by cob_powi. */
COB_INLINE float cob_lif_chan_pow(const cob_lif_prop *p, int32_t c, uint32_t n)
{
    return n < COB_POW_TABLE ? p->chan_pow[c][n] : cob_powi(p->chan_factor[c], n);
}

/* The ordered step (run.integrator: ordered; hd/lif.h): each arrival on channel c at its offset,
 * V <- E_c + (V - E_c) f_c after the exact leak up to it, threshold after each jump. */
COB_NOINLINE int cob_lif_cond_step_ordered(cob_lif_state *n, const cob_lif_prop *p, const cob_input *in,
                                           int32_t n_channels)
{
    return cob_lif_ordered(n, p, in, n_channels, COB_LIF_JUMP_CONDUCTANCE);
}

/* Advance one neuron by one step given this step's input (channels c < n_channels, which equals
 * p->n_channels; a separate argument so a launcher can make it a compile-time constant).
 * Returns COB_STEP_* flags. The grid step is below; p->integrator selects the ordered one. */
/* The registry's spike-gap bound (hd/models.h, cob_model_min_gap). */
COB_INLINE int32_t cob_lif_cond_min_gap(const cob_lif_prop *p)
{
    return cob_lif_min_gap(p);
}

COB_INLINE int cob_lif_cond_step(cob_lif_state *n, const cob_lif_prop *p, const cob_input *in, int32_t n_channels)
{
    float v = n->v_mV;
    int32_t c;
    if (p->integrator == COB_INTEGRATOR_ORDERED)
        return cob_lif_cond_step_ordered(n, p, in, n_channels);
    if (cob_lif_refractory(n, p))
        return COB_STEP_REFRACTORY;
    for (c = 0; c < n_channels; ++c) {
        /* select, not branch: an unpredictable branch per channel costs more than the jump */
        float jumped = p->chan_rev_mV[c] + (v - p->chan_rev_mV[c]) * cob_lif_chan_pow(p, c, in->count[c]);
        v = in->count[c] ? jumped : v;
    }
    return cob_lif_leak_fire(n, p, v, in);
}

#ifdef __cplusplus
}
#endif
#endif
