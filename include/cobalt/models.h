/* include/cobalt/models.h -- the model and input registries (include/cobalt/hd/models.h) as
 * names: what a config writes after `model:` and `input:`, what result files and messages print.
 * Generated from the registries by host/models/models.c, so there is one name table. */
#ifndef COBALT_MODELS_H
#define COBALT_MODELS_H

#include "hd/models.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Config name of model m ("lif_cond", ..., "poisson"); "?" for an id outside the registry. */
const char *cob_model_name(int m);
/* Model id of a config name, -1 if none. */
int cob_model_from_name(const char *name);
/* NULL-terminated table of every model name in id order (for the config key tables). */
extern const char *const cob_model_names[];
/* Config name of input mode i ("pool", "independent"); "?" outside the registry. */
const char *cob_input_name(int i);
extern const char *const cob_input_names[];
/* Config name of integrator i (COB_INTEGRATOR_*: "grid", "ordered"); "?" outside. */
const char *cob_integrator_name(int i);
extern const char *const cob_integrator_names[];

#ifdef __cplusplus
}
#endif
#endif
