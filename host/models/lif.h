/* host/models/lif.h -- internal: the propagators every LIF model shares (include/cobalt/hd/lif.h),
 * made in double once per run by host/models/lif.c; each LIF model's host file adds its own. */
#ifndef COBALT_HOST_LIF_H
#define COBALT_HOST_LIF_H

#include "models/models.h"

/* Leak, threshold, reset and refractory time of lp at step dt_ms for the integrator
 * (COB_INTEGRATOR_*), V relaxing to v_leak_mV; the sub-step leak tables of the ordered step; the
 * channel tables cleared (no channel, factors 0, powers 1). */
void cob__lif_prop_common(cob_lif_prop *p, const cob_lif_params *lp, double dt_ms, int integrator, double v_leak_mV);
/* Refractory steps of any LIF-family population (the registry entries' refr_steps). */
int32_t cob__lif_refr_steps(const cob_neuron_prop *p);
/* mean_input of the registry (models.h) for conductance-based LIF models (a spike of weight a moves
 * V by (1 - f)(E_rev - V), f = 1 - a or exp(-a) with lp->jump; the exponential-synapse models
 * carry the same charge, f = 1 - a) and current-based ones (a spike adds +-J). */
double cob__lif_mean_input_cond(const cob_lif_params *lp, int receptor, double weight, double rate_hz, double v_mV,
                                double *g_out);
double cob__lif_mean_input_curr(const cob_lif_params *lp, int receptor, double weight, double rate_hz, double v_mV,
                                double *g_out);

#endif
