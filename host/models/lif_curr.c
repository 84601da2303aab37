/* host/models/lif_curr.c -- host entry of the current-based LIF (include/cobalt/hd/lif_curr.h):
 * V relaxes to E_L + mu_ext; channel c jumps by +J (E receptor) or -J (I receptor) mV. */
#include <math.h>
#include "models/lif.h"

static void prop_make(cob_neuron_prop *np, const cob_lif_params *lp, double dt_ms, int integrator, int n_channels,
                      const int *chan_receptor, const double *chan_weight)
{
    cob_lif_prop *p = &np->lif_curr;
    int c;
    cob__lif_prop_common(p, lp, dt_ms, integrator, lp->e_l_mV + lp->mu_ext_mV);
    p->n_channels = n_channels;
    for (c = 0; c < n_channels; ++c)
        p->chan_factor[c] = (float)(chan_receptor[c] == COB_RECEPTOR_E ? chan_weight[c] : -chan_weight[c]);
}

const cob__model_host cob__model_lif_curr = {prop_make, cob__lif_refr_steps, "weight is the jump J in mV",
                                             HUGE_VAL,  "weight > 0",        cob__lif_mean_input_curr};
