/* host/models/lif.c -- the propagators shared by every LIF model (include/cobalt/hd/lif.h), in
 * double and rounded once to float: the step itself runs no exp(). */
#include <math.h>
#include "models/lif.h"

void cob__lif_prop_common(cob_lif_prop *p, const cob_lif_params *lp, double dt_ms, int integrator, double v_leak_mV)
{
    const double dt_tau = dt_ms / lp->tau_m_ms;
    int c, n;
    p->leak_decay = (float)exp(-dt_tau);
    p->v_leak_mV = (float)v_leak_mV;
    p->v_th_mV = (float)lp->v_th_mV;
    p->v_reset_mV = (float)lp->v_reset_mV;
    p->refr_steps = (int32_t)llround(lp->tau_ref_ms / dt_ms);
    /* the ordered step: refractory time in ticks (the config check bounds tau_ref / dt by 32766),
     * and exp(-k ticks / tau_m) = decay_hi[k >> 8] * decay_lo[k & 255] for 0 <= k <= COB_TICKS */
    p->integrator = integrator;
    p->refr_ticks = (int32_t)llround(lp->tau_ref_ms / dt_ms * (double)COB_TICKS);
    for (n = 0; n < 256; ++n) {
        p->decay_lo[n] = (float)exp(-dt_tau * (double)n / (double)COB_TICKS);
        p->decay_hi[n] = (float)exp(-dt_tau * (double)(n * 256) / (double)COB_TICKS);
    }
    p->decay_hi[256] = p->leak_decay; /* a step without arrivals leaks exactly as the grid step */
    p->n_channels = 0;
    for (c = 0; c < COB_MAX_CHANNELS; ++c) {
        p->chan_factor[c] = 0.0f;
        p->chan_rev_mV[c] = 0.0f;
        for (n = 0; n < COB_POW_TABLE; ++n) p->chan_pow[c][n] = 1.0f;
    }
}

/* Every LIF model's propagators start with cob_lif_prop (the union members are all LIF props). */
int32_t cob__lif_refr_steps(const cob_neuron_prop *p)
{
    return p->lif_cond.refr_steps;
}

double cob__lif_mean_input_cond(const cob_lif_params *lp, int receptor, double weight, double rate_hz, double v_mV,
                                double *g_out)
{
    double e_rev = receptor == COB_RECEPTOR_E ? lp->e_e_mV : lp->e_i_mV;
    double frac = lp->jump == COB_JUMP_EXP ? -expm1(-weight) : weight;
    *g_out = weight * lp->tau_m_ms * 1e-3 * rate_hz;
    return frac * rate_hz * (e_rev - v_mV);
}

double cob__lif_mean_input_curr(const cob_lif_params *lp, int receptor, double weight, double rate_hz, double v_mV,
                                double *g_out)
{
    (void)lp;
    (void)v_mV;
    *g_out = NAN;
    return (receptor == COB_RECEPTOR_E ? weight : -weight) * rate_hz;
}
