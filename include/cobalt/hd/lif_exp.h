/* include/cobalt/hd/lif_exp.h -- what the LIF models with exponential synapses share
 * (hd/lif_cond_exp.h, hd/lif_curr_exp.h; seed 004 Eq. 23 and App. G, seed 001): per receptor
 * r (E, I) a synaptic variable s_r (a current in mV/ms or a conductance in units of g_L) that
 * every arriving spike raises by a fixed amount and that decays with its own tau_syn_r; it keeps
 * evolving while the neuron is refractory. State: V, s_E, s_I, the refractory counter.
 * Propagators: host/models/lif_exp.c, in double, rounded once. */
#ifndef COBALT_HD_LIF_EXP_H
#define COBALT_HD_LIF_EXP_H

#include "lif.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    float v_mV;
    float syn[2]; /* s_E, s_I */
    int32_t refr_steps;
} cob_lif_exp_state;
enum { COB_LIF_EXP_STATE_F32 = 3, COB_LIF_EXP_STATE_I32 = 1 };

typedef struct {
    cob_lif_prop lif;                   /* first: the LIF propagators (leak, threshold, channels) */
    int32_t chan_rec[COB_MAX_CHANNELS]; /* receptor of channel c: 0 E, 1 I */
    float chan_inc[COB_MAX_CHANNELS];   /* s_r added per spike of channel c (0 for a delta channel) */
    int32_t delta[2];                   /* receptor r has tau_syn = 0 (lif_curr_exp only): its channels
                                         * move V by lif.chan_factor[c] per spike, as lif_curr */
    float syn_decay[2];                 /* exp(-dt / tau_syn_r) */
    float syn_gain[2];                  /* lif_curr_exp: V gained over a step per mV/ms of s_r at its start;
                                         * lif_cond_exp: mean of s_r over the step per unit at its start */
    float rev_mV[2];                    /* lif_cond_exp: E_E, E_I */
    float neg_dt_tau_log2e;             /* lif_cond_exp: -dt / tau_L * log2(e) */
} cob_lif_exp_prop;

COB_INLINE void cob_lif_exp_load(cob_lif_exp_state *n, const cob_state_arrays *a, int64_t i)
{
    n->v_mV = a->f[0][i];
    n->syn[0] = a->f[1][i];
    n->syn[1] = a->f[2][i];
    n->refr_steps = a->i[0][i];
}

COB_INLINE void cob_lif_exp_store(const cob_lif_exp_state *n, const cob_state_arrays *a, int64_t i)
{
    a->f[0][i] = n->v_mV;
    a->f[1][i] = n->syn[0];
    a->f[2][i] = n->syn[1];
    a->i[0][i] = n->refr_steps;
}

/* The step's arrivals into the synaptic variables (s_r += n_c inc_c); returns the sum of the
 * delta channels' jumps of V (0 when every receptor has a time constant). */
COB_INLINE float cob_lif_exp_arrive(cob_lif_exp_state *n, const cob_lif_exp_prop *p, const cob_input *in,
                                    int32_t n_channels)
{
    float dv = 0.0f;
    int32_t c;
    for (c = 0; c < n_channels; ++c) {
        const int32_t r = p->chan_rec[c];
        if (!in->count[c])
            continue;
        if (p->delta[r])
            dv += p->lif.chan_factor[c] * (float)in->count[c];
        else
            n->syn[r] += p->chan_inc[c] * (float)in->count[c];
    }
    return dv;
}

/* The synaptic variables' decay over the step. */
COB_INLINE void cob_lif_exp_decay(cob_lif_exp_state *n, const cob_lif_exp_prop *p)
{
    n->syn[0] *= p->syn_decay[0];
    n->syn[1] *= p->syn_decay[1];
}

/* Fewest steps between two spikes of a neuron: refr_steps refractory steps follow each spike
 * (these models have the grid step only). */
COB_INLINE int32_t cob_lif_exp_min_gap(const cob_lif_exp_prop *p)
{
    return p->lif.refr_steps + 1;
}

/* Refractory head: V held at V_r, the synaptic variables decay (the step's arrivals were added
 * already), the counter goes down. Returns 1 if the neuron was refractory. */
COB_INLINE int cob_lif_exp_refractory(cob_lif_exp_state *n, const cob_lif_exp_prop *p)
{
    if (n->refr_steps <= 0)
        return 0;
    n->refr_steps -= 1;
    n->v_mV = p->lif.v_reset_mV;
    cob_lif_exp_decay(n, p);
    return 1;
}

/* Threshold at the end of a step whose V went from va to v (v includes the step's drive):
 * V >= theta or a crossing within the step (cob_lif_bridge_crossed) -> spike, V_r, refractory. */
COB_INLINE int cob_lif_exp_fire(cob_lif_exp_state *n, const cob_lif_exp_prop *p, float va, float v, const cob_input *in)
{
    if (cob_lif_crossed(&p->lif, va, v, in)) {
        n->v_mV = p->lif.v_reset_mV;
        n->refr_steps = p->lif.refr_steps;
        return COB_STEP_FIRED;
    }
    n->v_mV = v;
    return 0;
}

#ifdef __cplusplus
}
#endif
#endif
