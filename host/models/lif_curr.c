/* host/models/lif_curr.c -- propagators of the current-based LIF (include/cobalt/hd/lif_curr.h):
 * V relaxes to E_L + mu_ext; channel c jumps by +J (E receptor) or -J (I receptor) mV. */
#include "cobalt/net.h"
#include "models/lif.h"

void cob_lif_curr_prop_make(cob_lif_prop *p, const cob_lif_params *lp, double dt_ms,
                            int n_channels, const int *chan_receptor, const double *chan_weight)
{
    int c;
    cob__lif_prop_common(p, lp, dt_ms, lp->e_l_mV + lp->mu_ext_mV);
    p->n_channels = n_channels;
    for (c = 0; c < n_channels; ++c)
        p->chan_factor[c] = (float)(chan_receptor[c] == COB_RECEPTOR_E ? chan_weight[c] : -chan_weight[c]);
}
