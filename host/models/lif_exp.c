/* host/models/lif_exp.c -- host entries of the LIF models with exponential synapses
 * (include/cobalt/hd/lif_exp.h: lif_cond_exp, lif_curr_exp): their propagators, made once in
 * double on the host and rounded to float. */
#include <math.h>
#include "models/lif.h"

/* Channels and the synaptic decay shared by both; tau_r per receptor from lp (0: delta). */
static void exp_common(cob_lif_exp_prop *p, const cob_lif_params *lp, double dt_ms, int integrator, double v_leak_mV,
                       int n_channels, const int *chan_receptor)
{
    const double tau_r[2] = {lp->tau_syn_e_ms, lp->tau_syn_i_ms};
    int c, r;
    cob__lif_prop_common(&p->lif, lp, dt_ms, integrator, v_leak_mV);
    p->lif.n_channels = n_channels;
    for (c = 0; c < COB_MAX_CHANNELS; ++c) {
        p->chan_rec[c] = c < n_channels && chan_receptor[c] == COB_RECEPTOR_I ? 1 : 0;
        p->chan_inc[c] = 0.0f;
    }
    for (r = 0; r < 2; ++r) {
        p->delta[r] = tau_r[r] <= 0.0;
        p->syn_decay[r] = p->delta[r] ? 0.0f : (float)exp(-dt_ms / tau_r[r]);
        p->syn_gain[r] = 0.0f;
        p->rev_mV[r] = 0.0f;
    }
    p->neg_dt_tau_log2e = (float)(-dt_ms / lp->tau_m_ms / log(2.0));
}

/* lif_curr_exp: a spike of weight J adds J / tau_r (mV/ms) to I_r; over a step, I_r at its start
 * adds I_r tau tau_r / (tau - tau_r) (e^{-dt/tau} - e^{-dt/tau_r}) to V (the exact solution;
 * dt e^{-dt/tau} when tau_r = tau, and by expm1 to keep the difference accurate). */
static void curr_prop_make(cob_neuron_prop *np, const cob_lif_params *lp, double dt_ms, int integrator, int n_channels,
                           const int *chan_receptor, const double *chan_weight)
{
    cob_lif_exp_prop *p = &np->lif_curr_exp;
    const double tau = lp->tau_m_ms, tau_r[2] = {lp->tau_syn_e_ms, lp->tau_syn_i_ms};
    int c, r;
    exp_common(p, lp, dt_ms, integrator, lp->e_l_mV + lp->mu_ext_mV, n_channels, chan_receptor);
    for (c = 0; c < n_channels; ++c) {
        double j = chan_receptor[c] == COB_RECEPTOR_E ? chan_weight[c] : -chan_weight[c];
        r = p->chan_rec[c];
        p->lif.chan_factor[c] = (float)j; /* the delta channels' jump */
        p->chan_inc[c] = p->delta[r] ? 0.0f : (float)(j / tau_r[r]);
    }
    for (r = 0; r < 2; ++r) {
        double g;
        if (p->delta[r])
            continue;
        if (fabs(tau - tau_r[r]) <= 1e-12 * tau) {
            g = dt_ms * exp(-dt_ms / tau);
        } else {
            /* e^{-dt/tau} - e^{-dt/tau_r} = e^{-dt/tau} (1 - e^{-dt (1/tau_r - 1/tau)}) */
            double k = 1.0 / tau_r[r] - 1.0 / tau;
            g = exp(-dt_ms / tau) * -expm1(-dt_ms * k) / k;
        }
        p->syn_gain[r] = (float)g;
    }
}

/* lif_cond_exp: a spike of weight a adds a tau_L / tau_r to g_r (units of g_L); the step's mean
 * of g_r is g_r tau_r / dt (1 - e^{-dt/tau_r}) per unit at the step's start. */
static void cond_prop_make(cob_neuron_prop *np, const cob_lif_params *lp, double dt_ms, int integrator, int n_channels,
                           const int *chan_receptor, const double *chan_weight)
{
    cob_lif_exp_prop *p = &np->lif_cond_exp;
    const double tau_r[2] = {lp->tau_syn_e_ms, lp->tau_syn_i_ms};
    int c, r;
    exp_common(p, lp, dt_ms, integrator, lp->e_l_mV, n_channels, chan_receptor);
    p->rev_mV[0] = (float)lp->e_e_mV;
    p->rev_mV[1] = (float)lp->e_i_mV;
    for (c = 0; c < n_channels; ++c) {
        r = p->chan_rec[c];
        p->lif.chan_factor[c] = (float)chan_weight[c];
        p->lif.chan_rev_mV[c] = p->rev_mV[r];
        p->chan_inc[c] = (float)(chan_weight[c] * lp->tau_m_ms / tau_r[r]);
    }
    for (r = 0; r < 2; ++r) p->syn_gain[r] = (float)(-expm1(-dt_ms / tau_r[r]) * tau_r[r] / dt_ms);
}

const cob__model_host cob__model_lif_curr_exp = {
    curr_prop_make, cob__lif_refr_steps, "weight is the integral J (mV) of one spike's PSP current",
    HUGE_VAL,       "weight > 0",        cob__lif_mean_input_curr};
const cob__model_host cob__model_lif_cond_exp = {
    cond_prop_make, cob__lif_refr_steps, "weight is the instantaneous-equivalent efficacy a, dimensionless",
    HUGE_VAL,       "weight > 0",        cob__lif_mean_input_cond};
