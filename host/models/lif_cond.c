/* host/models/lif_cond.c -- propagators of the conductance-based LIF (include/cobalt/hd/lif_cond.h),
 * made once in double on the host and rounded to float: the step itself runs no exp(). */
#include <math.h>
#include "cobalt/net.h"
#include "models/lif.h"

void cob_lif_cond_prop_make(cob_lif_prop *p, const cob_lif_params *lp, double dt_ms,
                            int n_channels, const int *chan_receptor, const double *chan_weight)
{
    int c, n;
    cob__lif_prop_common(p, lp, dt_ms, lp->e_l_mV);
    p->n_channels = n_channels;
    for (c = 0; c < n_channels; ++c) {
        double w = chan_weight[c];
        p->chan_factor[c] = (float)(lp->jump == COB_JUMP_EXP ? exp(-w) : 1.0 - w);
        p->chan_rev_mV[c] = (float)(chan_receptor[c] == COB_RECEPTOR_E ? lp->e_e_mV : lp->e_i_mV);
        for (n = 0; n < COB_POW_TABLE; ++n) p->chan_pow[c][n] = cob_powi(p->chan_factor[c], (uint32_t)n);
    }
}

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
