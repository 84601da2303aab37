/* include/cobalt/hd/lif_cond.h -- conductance-based LIF with instantaneous synapses
 * (Sanzeni, Histed & Brunel, Eqs. 1-2). One step of one neuron, shared by the CPU loop
 * (host/cpu/cpu_backend.c) and the CUDA kernel. Propagators are made once on the host in double
 * (host/models/lif_cond.c) and passed in as floats, so no transcendental function runs per step.
 *
 * Step order, at the start of step t (inputs arriving at t):
 *   refractory: V stays at V_r, inputs are discarded, counter decremented;
 *   otherwise:  channel jumps in channel order (E channels before I channels), then the exact
 *               leak decay over dt towards E_L, then threshold: V >= theta -> spike, V = V_r,
 *               refractory for refr_steps further steps.
 * A channel c with reversal E_c and jump factor f_c receiving n spikes in the step moves
 *   V <- E_c + (V - E_c) * f_c^n,
 * f_c = 1 - a_c (linear jumps, a(E - V) per spike, V before each arrival; the default) or
 * f_c = exp(-a_c) (exact delta-conductance pulse). See docs/models/lif_cond.md. */
#ifndef COBALT_HD_LIF_COND_H
#define COBALT_HD_LIF_COND_H

#include "hd.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_MAX_CHANNELS 4
#define COB_POW_TABLE 32   /* f_c^n tabulated for n < COB_POW_TABLE (made with cob_powi) */

typedef struct { float v_mV; int32_t refr_steps; } cob_lif_state;

typedef struct {
    float leak_decay;      /* exp(-dt / tau_m) */
    float v_leak_mV;       /* value V relaxes to without input (E_L, or E_L + mu for lif_curr) */
    float v_th_mV, v_reset_mV;
    int32_t refr_steps;    /* round(tau_ref / dt) */
    int32_t n_channels;
    float chan_factor[COB_MAX_CHANNELS];   /* lif_cond: f_c; lif_curr: jump in mV per spike */
    float chan_rev_mV[COB_MAX_CHANNELS];   /* lif_cond: reversal E_c; unused by lif_curr */
    float chan_pow[COB_MAX_CHANNELS][COB_POW_TABLE]; /* lif_cond: cob_powi(f_c, n) */
} cob_lif_prop;

/* f_c^n: from the table (bit-identical to cob_powi, which made it) or by cob_powi. */
COB_INLINE float cob_lif_chan_pow(const cob_lif_prop *p, int32_t c, uint32_t n)
{
    return n < COB_POW_TABLE ? p->chan_pow[c][n] : cob_powi(p->chan_factor[c], n);
}

/* Advance one conductance-based neuron by one step; counts[c] spikes arrived on channel c,
 * c < n_channels (== p->n_channels; a separate argument so a launcher can make it a
 * compile-time constant). Returns 1 if it fired in this step. */
COB_INLINE int cob_lif_cond_step_n(cob_lif_state *n, const cob_lif_prop *p, const uint32_t *counts,
                                   int32_t n_channels)
{
    float v = n->v_mV;
    int32_t c;
    if (n->refr_steps > 0) {
        n->refr_steps -= 1;
        n->v_mV = p->v_reset_mV;
        return 0;
    }
    for (c = 0; c < n_channels; ++c) {
        /* select, not branch: an unpredictable branch per channel costs more than the jump */
        float jumped = p->chan_rev_mV[c] + (v - p->chan_rev_mV[c]) * cob_lif_chan_pow(p, c, counts[c]);
        v = counts[c] ? jumped : v;
    }
    v = p->v_leak_mV + (v - p->v_leak_mV) * p->leak_decay;
    if (v >= p->v_th_mV) {
        n->v_mV = p->v_reset_mV;
        n->refr_steps = p->refr_steps;
        return 1;
    }
    n->v_mV = v;
    return 0;
}

/* cob_lif_cond_step_n with the population's channel count. */
COB_INLINE int cob_lif_cond_step(cob_lif_state *n, const cob_lif_prop *p, const uint32_t *counts)
{
    return cob_lif_cond_step_n(n, p, counts, p->n_channels);
}

#ifdef __cplusplus
}
#endif
#endif
