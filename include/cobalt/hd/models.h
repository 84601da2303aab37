/* include/cobalt/hd/models.h -- the registries: every neuron model and every input source of
 * cobalt, each named once. Everything that depends on "which model" or "which input" is
 * generated from these lists or is a switch whose default fails: the cob_model and cob_input_mode
 * enums, the model and input name tables (host/models/models.c), the config key masks
 * (host/config/config_keys.h), the propagator union below, the state arrays both backends and
 * both memory estimates size, and the one step dispatcher (cob_neuron_step) that the CPU loop
 * and the CUDA update kernel both call.
 *
 * A neuron model NAME (docs/extending.md) provides, in include/cobalt/hd/NAME.h:
 *   cob_NAME_state, cob_NAME_prop        one neuron in registers; its propagators (float)
 *   COB_<ID>_STATE_F32, _STATE_I32       how many float and int32 state arrays it uses
 *                                        (f[0] is V in mV; at most COB_STATE_F_MAX / _I_MAX)
 *   cob_NAME_load, cob_NAME_store        state arrays <-> registers (hd/lif.h: cob_state_arrays)
 *   cob_NAME_step(state, prop, input, n_channels) -> COB_STEP_* flags
 * and in host/models/NAME.c its host entry (cob__model_NAME: propagators in double, defaults,
 * theory mapping); then one #include and one X line below. */
#ifndef COBALT_HD_MODELS_H
#define COBALT_HD_MODELS_H

#include "hd.h"
#include "input.h"
#include "lif.h"
#include "lif_cond.h"
#include "lif_cond_exp.h"
#include "lif_curr.h"
#include "lif_curr_exp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Neuron models: X(ID, name). The order fixes the enum values (and the config key mask bits). */
#define COB_NEURON_MODELS(X)      \
    X(LIF_COND, lif_cond)         \
    X(LIF_CURR, lif_curr)         \
    X(LIF_COND_EXP, lif_cond_exp) \
    X(LIF_CURR_EXP, lif_curr_exp)

/* Input sources: X(ID, name). pool: explicit Poisson sources with their own spike trains,
 * delivered through stored synapses like recurrent spikes; independent: per target and step a
 * Poisson count of K_i rate dt drawn from Philox, no synapses stored. */
#define COB_INPUT_KINDS(X) \
    X(POOL, pool)          \
    X(INDEPENDENT, independent)

/* A population is a neuron model or, as the last value, a population of Poisson sources (its
 * input mode, one of COB_INPUT_KINDS, says how it reaches its targets). */
/* The enum bodies are X-macro expansions whose commas clang-format cannot see. */
/* clang-format off */
typedef enum {
#define COB_X_ENUM(ID, name) COB_MODEL_##ID,
    COB_NEURON_MODELS(COB_X_ENUM)
#undef COB_X_ENUM
    COB_MODEL_POISSON,
    COB_N_MODELS
} cob_model;

typedef enum {
#define COB_X_INPUT_ENUM(ID, name) COB_INPUT_##ID,
    COB_INPUT_KINDS(COB_X_INPUT_ENUM)
#undef COB_X_INPUT_ENUM
    COB_N_INPUTS
} cob_input_mode;
/* clang-format on */

/* 1 for a neuron model (a population with state), 0 for sources and unknown values. */
COB_INLINE int cob_model_is_neuron(int m)
{
    return m >= 0 && m < (int)COB_MODEL_POISSON;
}

/* Propagators of one population, whatever its model. */
typedef union {
#define COB_X_PROP(ID, name) cob_##name##_prop name;
    COB_NEURON_MODELS(COB_X_PROP)
#undef COB_X_PROP
} cob_neuron_prop;

/* State arrays used by model m (0 for sources). */
COB_INLINE int cob_model_state_f32(int m)
{
    switch (m) {
#define COB_X_NF(ID, name) \
    case COB_MODEL_##ID: return COB_##ID##_STATE_F32;
        COB_NEURON_MODELS(COB_X_NF)
#undef COB_X_NF
    default: return 0;
    }
}

COB_INLINE int cob_model_state_i32(int m)
{
    switch (m) {
#define COB_X_NI(ID, name) \
    case COB_MODEL_##ID: return COB_##ID##_STATE_I32;
        COB_NEURON_MODELS(COB_X_NI)
#undef COB_X_NI
    default: return 0;
    }
}

/* Fewest steps from one recorded spike of a neuron of model m (propagators p) to its next, at
 * least 1 (1 for a model id no entry has: no bound beyond one spike a step). */
COB_INLINE int32_t cob_model_min_gap(int m, const cob_neuron_prop *p)
{
    switch (m) {
#define COB_X_GAP(ID, name) \
    case COB_MODEL_##ID: return cob_##name##_min_gap(&p->name);
        COB_NEURON_MODELS(COB_X_GAP)
#undef COB_X_GAP
    default: return 1;
    }
}

/* One step of neuron i (global index into the state arrays) of a population of model m with
 * propagators p: load, the model's step with this step's input, store. V after the step goes to
 * *v_mV. Returns the COB_STEP_* flags; a model id no entry has returns COB_STEP_BAD_MODEL and
 * leaves the state alone (the backends turn it into an error). Inlined with a constant m, the
 * switch folds away (host/cpu/cpu_step.c specialises its loop per model). */
COB_FORCE_INLINE int cob_neuron_step(int m, const cob_neuron_prop *p, const cob_state_arrays *sa, int64_t i,
                                     const cob_input *in, int32_t n_channels, float *v_mV)
{
    switch (m) {
#define COB_X_STEP(ID, name)                                  \
    case COB_MODEL_##ID: {                                    \
        cob_##name##_state st;                                \
        int r;                                                \
        cob_##name##_load(&st, sa, i);                        \
        r = cob_##name##_step(&st, &p->name, in, n_channels); \
        cob_##name##_store(&st, sa, i);                       \
        *v_mV = st.v_mV;                                      \
        return r;                                             \
    }
        COB_NEURON_MODELS(COB_X_STEP)
#undef COB_X_STEP
    default: return COB_STEP_BAD_MODEL;
    }
}

#ifdef __cplusplus
}
#endif
#endif
