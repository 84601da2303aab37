/* include/cobalt/hd/lif.h -- what every leaky integrate-and-fire model shares, written once: the
 * state of one neuron, the propagators (made once per run on the host in double, host/models/lif.c),
 * the refractory head of a step and its tail (exact leak, threshold, reset). A LIF model's step
 * (hd/lif_cond.h, hd/lif_curr.h, ...) is head, the model's own input handling, tail. Neuron state
 * lives in per-variable arrays (cob_state_arrays, SoA); cob_lif_load / cob_lif_store move one
 * neuron between them and registers. Float operations only, so CPU and GPU agree bit for bit. */
#ifndef COBALT_HD_LIF_H
#define COBALT_HD_LIF_H

#include "hd.h"
#include "input.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_POW_TABLE 32 /* f_c^n tabulated for n < COB_POW_TABLE (made with cob_powi) */

/* Flags a model's step returns. */
#define COB_STEP_FIRED 1      /* the neuron spiked in this step */
#define COB_STEP_REFRACTORY 2 /* it was refractory (inputs discarded; V not sampled) */
#define COB_STEP_BAD_MODEL 4  /* the dispatcher met a model id no registry entry has */

/* Neuron state arrays of a backend: f[k][i], i[k][i] for the global neuron index i. A model's
 * state uses f[0 .. n_f32) and i[0 .. n_i32) (its registry entry's counts); f[0] is always the
 * membrane potential in mV, which the statistics and traces read. */
#define COB_STATE_F_MAX 4
#define COB_STATE_I_MAX 2
typedef struct {
    float *f[COB_STATE_F_MAX];
    int32_t *i[COB_STATE_I_MAX];
} cob_state_arrays;

typedef struct {
    float v_mV;
    int32_t refr_steps;
} cob_lif_state;
enum { COB_LIF_STATE_F32 = 1, COB_LIF_STATE_I32 = 1 };

typedef struct {
    float leak_decay; /* exp(-dt / tau_m) */
    float v_leak_mV;  /* value V relaxes to without input (E_L, or E_L + mu for lif_curr) */
    float v_th_mV, v_reset_mV;
    int32_t refr_steps; /* round(tau_ref / dt) */
    int32_t n_channels;
    float chan_factor[COB_MAX_CHANNELS];             /* lif_cond: f_c; lif_curr: jump in mV per spike */
    float chan_rev_mV[COB_MAX_CHANNELS];             /* lif_cond: reversal E_c; unused by lif_curr */
    float chan_pow[COB_MAX_CHANNELS][COB_POW_TABLE]; /* lif_cond: cob_powi(f_c, n) */
} cob_lif_prop;

COB_INLINE void cob_lif_load(cob_lif_state *n, const cob_state_arrays *a, int64_t i)
{
    n->v_mV = a->f[0][i];
    n->refr_steps = a->i[0][i];
}

COB_INLINE void cob_lif_store(const cob_lif_state *n, const cob_state_arrays *a, int64_t i)
{
    a->f[0][i] = n->v_mV;
    a->i[0][i] = n->refr_steps;
}

/* Head of a step: a refractory neuron stays at V_r, its inputs are discarded and its counter
 * goes down by one. Returns 1 if so (the step ends there). */
COB_INLINE int cob_lif_refractory(cob_lif_state *n, const cob_lif_prop *p)
{
    if (n->refr_steps > 0) {
        n->refr_steps -= 1;
        n->v_mV = p->v_reset_mV;
        return 1;
    }
    return 0;
}

/* Tail of a step, from V after the inputs: exact leak over dt towards v_leak, then threshold:
 * V >= theta -> spike, V = V_r, refractory for refr_steps further steps. Returns the step flags. */
COB_INLINE int cob_lif_leak_fire(cob_lif_state *n, const cob_lif_prop *p, float v)
{
    v = p->v_leak_mV + (v - p->v_leak_mV) * p->leak_decay;
    if (v >= p->v_th_mV) {
        n->v_mV = p->v_reset_mV;
        n->refr_steps = p->refr_steps;
        return COB_STEP_FIRED;
    }
    n->v_mV = v;
    return 0;
}

#ifdef __cplusplus
}
#endif
#endif
