/* host/models/models.h -- internal: the host side of the model registry. Each neuron model's host
 * file (host/models/<name>.c) defines one cob__model_host entry named cob__model_<name>: its
 * propagators, made once per run in double and rounded to float. host/models/models.c collects
 * the entries through the COB_NEURON_MODELS list (include/cobalt/hd/models.h), so nothing else
 * names a model. */
#ifndef COBALT_HOST_MODELS_H
#define COBALT_HOST_MODELS_H

#include "cobalt/config.h"
#include "cobalt/models.h"

typedef struct {
    /* Propagators of one population into p (the model's member of the union), for the run's
     * integrator (COB_INTEGRATOR_*). Channel c has receptor chan_receptor[c] and weight
     * chan_weight[c] (the projection's `weight`). */
    void (*prop_make)(cob_neuron_prop *p, const cob_lif_params *lp, double dt_ms, int integrator, int n_channels,
                      const int *chan_receptor, const double *chan_weight);
    /* Refractory steps of a population with propagators p. */
    int32_t (*refr_steps)(const cob_neuron_prop *p);
    /* What a projection's `weight` is for this model, and its open upper bound (HUGE_VAL: none):
     * the config check refuses weights >= weight_below onto such a population. */
    const char *weight_meaning; /* e.g. "weight is the jump a, dimensionless" */
    double weight_below;
    const char *weight_allowed; /* e.g. "0 < a < 1" */
    /* Time-averaged input of spikes arriving at rate_hz on a channel (receptor, weight) of a
     * neuron whose mean V is v_mV, in mV/s (the drift they add to V; for conductances the
     * current g (E_rev - V) / tau_m); *g_out gets the mean conductance in units of g_L for
     * conductance-based models, NaN for current-based ones (the input balance, stats.c). */
    double (*mean_input)(const cob_lif_params *lp, int receptor, double weight, double rate_hz, double v_mV,
                         double *g_out);
} cob__model_host;

#define COB_X_DECL(ID, name) extern const cob__model_host cob__model_##name;
COB_NEURON_MODELS(COB_X_DECL)
#undef COB_X_DECL

/* The host entry of neuron model m; NULL for sources and ids outside the registry. */
const cob__model_host *cob__model_host_of(int m);
/* "lif_cond or lif_curr": the neuron model names, for messages. */
void cob__neuron_model_list(char *buf, size_t len);

#endif
