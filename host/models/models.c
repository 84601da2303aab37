/* host/models/models.c -- the registries' name tables and host entries, generated from the
 * COB_NEURON_MODELS and COB_INPUT_KINDS lists of include/cobalt/hd/models.h. */
#include <stdio.h>
#include <string.h>
#include "models/models.h"

/* clang-format off */
const char *const cob_model_names[] = {
#define COB_X_NAME(ID, name) #name,
    COB_NEURON_MODELS(COB_X_NAME)
#undef COB_X_NAME
    "poisson", NULL};

const char *const cob_input_names[] = {
#define COB_X_NAME(ID, name) #name,
    COB_INPUT_KINDS(COB_X_NAME)
#undef COB_X_NAME
    NULL};
/* clang-format on */

_Static_assert(sizeof cob_model_names / sizeof cob_model_names[0] == COB_N_MODELS + 1, "one name per model");
_Static_assert(sizeof cob_input_names / sizeof cob_input_names[0] == COB_N_INPUTS + 1, "one name per input");

const char *cob_model_name(int m)
{
    return m >= 0 && m < (int)COB_N_MODELS ? cob_model_names[m] : "?";
}

int cob_model_from_name(const char *name)
{
    for (int m = 0; m < (int)COB_N_MODELS; ++m)
        if (strcmp(cob_model_names[m], name) == 0)
            return m;
    return -1;
}

const char *cob_input_name(int i)
{
    return i >= 0 && i < (int)COB_N_INPUTS ? cob_input_names[i] : "?";
}

/* Indexed by COB_INTEGRATOR_* (include/cobalt/hd/lif.h). */
const char *const cob_integrator_names[] = {"grid", "ordered", NULL};
_Static_assert(COB_INTEGRATOR_GRID == 0 && COB_INTEGRATOR_ORDERED == 1, "integrator names in id order");

const char *cob_integrator_name(int i)
{
    return i == COB_INTEGRATOR_GRID || i == COB_INTEGRATOR_ORDERED ? cob_integrator_names[i] : "?";
}

const cob__model_host *cob__model_host_of(int m)
{
    switch (m) {
#define COB_X_HOST(ID, name) \
    case COB_MODEL_##ID: return &cob__model_##name;
        COB_NEURON_MODELS(COB_X_HOST)
#undef COB_X_HOST
    default: return NULL;
    }
}

void cob__neuron_model_list(char *buf, size_t len)
{
    size_t used = 0;
    int m;
    buf[0] = '\0';
    for (m = 0; m < (int)COB_MODEL_POISSON && used < len; ++m) {
        const char *sep = m == 0 ? "" : m + 1 == (int)COB_MODEL_POISSON ? " or " : ", ";
        int k = snprintf(buf + used, len - used, "%s%s", sep, cob_model_names[m]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}
