/* include/cobalt/hd/lif_curr_exp.h -- current-based LIF with exponential synaptic currents (seed
 * 001's "exponential synapse"): the `lif_curr_exp` entry of the model registry (hd/models.h).
 *   tau dV/dt = -(V - V_inf) + tau (I_E + I_I),   tau_r dI_r/dt = -I_r,
 * each spike of a channel with jump J (the projection's weight; -J for the I receptor) adds
 * J / tau_r to I_r, so the voltage integral of one spike is J whatever tau_r (area
 * normalisation) and tau_r -> 0 is lif_curr. A receptor with tau_syn = 0 keeps delta synapses.
 * Step (inputs arriving at step t): the arrivals into I_r (also while refractory); refractory:
 * V = V_r, I decays, done; otherwise the exact solution over dt,
 *   V <- V_inf + (V + delta jumps - V_inf) e^{-dt/tau} + sum_r I_r G_r,
 *   G_r = tau tau_r / (tau - tau_r) (e^{-dt/tau} - e^{-dt/tau_r})   (dt e^{-dt/tau} if equal),
 * I_r <- I_r e^{-dt/tau_r}, the continuous drive, threshold (hd/lif_exp.h). Propagators:
 * host/models/lif_exp.c; page: docs/models/lif_curr_exp.md. Grid integrator only. */
#ifndef COBALT_HD_LIF_CURR_EXP_H
#define COBALT_HD_LIF_CURR_EXP_H

#include "lif_exp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef cob_lif_exp_state cob_lif_curr_exp_state;
typedef cob_lif_exp_prop cob_lif_curr_exp_prop;
enum { COB_LIF_CURR_EXP_STATE_F32 = COB_LIF_EXP_STATE_F32, COB_LIF_CURR_EXP_STATE_I32 = COB_LIF_EXP_STATE_I32 };

COB_INLINE void cob_lif_curr_exp_load(cob_lif_exp_state *n, const cob_state_arrays *a, int64_t i)
{
    cob_lif_exp_load(n, a, i);
}

COB_INLINE void cob_lif_curr_exp_store(const cob_lif_exp_state *n, const cob_state_arrays *a, int64_t i)
{
    cob_lif_exp_store(n, a, i);
}

/* The registry's spike-gap bound (hd/models.h, cob_model_min_gap). */
COB_INLINE int32_t cob_lif_curr_exp_min_gap(const cob_lif_exp_prop *p)
{
    return cob_lif_exp_min_gap(p);
}

COB_INLINE int cob_lif_curr_exp_step(cob_lif_exp_state *n, const cob_lif_exp_prop *p, const cob_input *in,
                                     int32_t n_channels)
{
    const float dv = cob_lif_exp_arrive(n, p, in, n_channels);
    float va, v;
    if (cob_lif_exp_refractory(n, p))
        return COB_STEP_REFRACTORY;
    va = n->v_mV + dv;
    v = p->lif.v_leak_mV + (va - p->lif.v_leak_mV) * p->lif.leak_decay;
    v += n->syn[0] * p->syn_gain[0];
    v += n->syn[1] * p->syn_gain[1];
    cob_lif_exp_decay(n, p);
    v += in->drive_mV;
    return cob_lif_exp_fire(n, p, va, v, in);
}

#ifdef __cplusplus
}
#endif
#endif
