/* host/models/lif_cond.c -- host entry of the conductance-based LIF (include/cobalt/hd/lif_cond.h):
 * its propagators, made once in double on the host and rounded to float. */
#include <math.h>
#include "models/lif.h"

/* Channel c: jump factor f_c = 1 - a (linear) or exp(-a) (exact pulse), reversal E_E or E_I, and
 * the table of f_c^n for n < COB_POW_TABLE. */
static void prop_make(cob_neuron_prop *np, const cob_lif_params *lp, double dt_ms, int integrator, int n_channels,
                      const int *chan_receptor, const double *chan_weight)
{
    cob_lif_prop *p = &np->lif_cond;
    int c, n;
    cob__lif_prop_common(p, lp, dt_ms, integrator, lp->e_l_mV);
    p->n_channels = n_channels;
    for (c = 0; c < n_channels; ++c) {
        double w = chan_weight[c];
        p->chan_factor[c] = (float)(lp->jump == COB_JUMP_EXP ? exp(-w) : 1.0 - w);
        p->chan_rev_mV[c] = (float)(chan_receptor[c] == COB_RECEPTOR_E ? lp->e_e_mV : lp->e_i_mV);
        for (n = 0; n < COB_POW_TABLE; ++n) p->chan_pow[c][n] = cob_powi(p->chan_factor[c], (uint32_t)n);
    }
}

const cob__model_host cob__model_lif_cond = {prop_make, cob__lif_refr_steps, "weight is the jump a, dimensionless",
                                             1.0,       "0 < a < 1",         cob__lif_mean_input_cond};
