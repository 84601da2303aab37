/* host/models/lif.c -- the propagators shared by every LIF model (include/cobalt/hd/lif.h), in
 * double and rounded once to float: the step itself runs no exp(). */
#include <math.h>
#include "models/lif.h"

void cob__lif_prop_common(cob_lif_prop *p, const cob_lif_params *lp, double dt_ms, double v_leak_mV)
{
    int c, n;
    p->leak_decay = (float)exp(-dt_ms / lp->tau_m_ms);
    p->v_leak_mV = (float)v_leak_mV;
    p->v_th_mV = (float)lp->v_th_mV;
    p->v_reset_mV = (float)lp->v_reset_mV;
    p->refr_steps = (int32_t)llround(lp->tau_ref_ms / dt_ms);
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
