/* include/cobalt/hd/lif_cond_exp.h -- conductance-based LIF with exponential synaptic
 * conductances (seed 004 Eq. 23, App. G): the `lif_cond_exp` entry of the model registry.
 *   tau_L dV/dt = -(V - E_L) - g_E (V - E_E) - g_I (V - E_I),   tau_r dg_r/dt = -g_r,
 * g_r in units of g_L. A spike of a channel with weight a (the instantaneous-equivalent efficacy
 * the configs and figures quote) adds a tau_L / tau_r to g_r: the charge of the instantaneous
 * model (App. G's a_A = a_A0 tau_L / tau_S; Eq. 23 as printed gets the tau_S -> 0 limit wrong), so
 * tau_r -> 0 is lif_cond with `jump: exp`.
 * Step (inputs arriving at step t): the arrivals into g_r (also while refractory); refractory:
 * V = V_r, g decays, done; otherwise V is integrated exactly over dt for the step's mean
 * conductances gm_r = g_r tau_r / dt (1 - e^{-dt/tau_r}) (exact for the mean; the conductance's
 * change within the step enters at second order in dt / tau_r):
 *   V_inf = (E_L + gm_E E_E + gm_I E_I) / (1 + gm_E + gm_I),  tau_eff = tau_L / (1 + gm_E + gm_I),
 *   V <- V_inf + (V - V_inf) e^{-dt / tau_eff}  (2^x from hd/ieee_math.h),
 * g_r <- g_r e^{-dt/tau_r}, the continuous drive, threshold (hd/lif_exp.h). Propagators:
 * host/models/lif_exp.c; page: docs/models/lif_cond_exp.md. Grid integrator only. */
#ifndef COBALT_HD_LIF_COND_EXP_H
#define COBALT_HD_LIF_COND_EXP_H

#include "lif_exp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef cob_lif_exp_state cob_lif_cond_exp_state;
typedef cob_lif_exp_prop cob_lif_cond_exp_prop;
enum { COB_LIF_COND_EXP_STATE_F32 = COB_LIF_EXP_STATE_F32, COB_LIF_COND_EXP_STATE_I32 = COB_LIF_EXP_STATE_I32 };

COB_INLINE void cob_lif_cond_exp_load(cob_lif_exp_state *n, const cob_state_arrays *a, int64_t i)
{
    cob_lif_exp_load(n, a, i);
}

COB_INLINE void cob_lif_cond_exp_store(const cob_lif_exp_state *n, const cob_state_arrays *a, int64_t i)
{
    cob_lif_exp_store(n, a, i);
}

/* The registry's spike-gap bound (hd/models.h, cob_model_min_gap). */
COB_INLINE int32_t cob_lif_cond_exp_min_gap(const cob_lif_exp_prop *p)
{
    return cob_lif_exp_min_gap(p);
}

COB_INLINE int cob_lif_cond_exp_step(cob_lif_exp_state *n, const cob_lif_exp_prop *p, const cob_input *in,
                                     int32_t n_channels)
{
    float ge, gi, g_tot, v_inf, va, v;
    (void)cob_lif_exp_arrive(n, p, in, n_channels);
    if (cob_lif_exp_refractory(n, p))
        return COB_STEP_REFRACTORY;
    ge = n->syn[0] * p->syn_gain[0];
    gi = n->syn[1] * p->syn_gain[1];
    g_tot = 1.0f + ge + gi;
    v_inf = (p->lif.v_leak_mV + ge * p->rev_mV[0] + gi * p->rev_mV[1]) / g_tot;
    va = n->v_mV;
    v = v_inf + (va - v_inf) * cob_exp2f(g_tot * p->neg_dt_tau_log2e);
    cob_lif_exp_decay(n, p);
    v += in->drive_mV;
    return cob_lif_exp_fire(n, p, va, v, in);
}

#ifdef __cplusplus
}
#endif
#endif
