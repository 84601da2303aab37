/* host/models/lif.h -- internal: making the per-population propagators of the LIF models
 * (host/models/lif_cond.c, host/models/lif_curr.c). Channel c has receptor chan_receptor[c] and weight
 * chan_weight[c] (a for lif_cond, J in mV for lif_curr). */
#ifndef COBALT_HOST_LIF_H
#define COBALT_HOST_LIF_H

#include "cobalt/net.h"

void cob__lif_prop_common(cob_lif_prop *p, const cob_lif_params *lp, double dt_ms, double v_leak_mV);
void cob_lif_cond_prop_make(cob_lif_prop *p, const cob_lif_params *lp, double dt_ms,
                            int n_channels, const int *chan_receptor, const double *chan_weight);
void cob_lif_curr_prop_make(cob_lif_prop *p, const cob_lif_params *lp, double dt_ms,
                            int n_channels, const int *chan_receptor, const double *chan_weight);

#endif
