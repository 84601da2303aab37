/* include/cobalt/hd/lif_curr.h -- current-based LIF (Sanzeni et al. Eq. 7; Brunel 2000):
 * each spike on channel c moves V by a fixed J_c mV (positive for E, -g J for I), exact leak
 * towards v_leak (= E_L + mu_ext, a constant drive), threshold, reset, refractory. Same step
 * order and the same cob_lif_prop as lif_cond.h; chan_factor holds J_c in mV. */
#ifndef COBALT_HD_LIF_CURR_H
#define COBALT_HD_LIF_CURR_H

#include "lif_cond.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Advance one current-based neuron by one step (channels c < n_channels == p->n_channels).
 * Returns 1 if it fired. */
COB_INLINE int cob_lif_curr_step_n(cob_lif_state *n, const cob_lif_prop *p, const uint32_t *counts,
                                   int32_t n_channels)
{
    float v = n->v_mV;
    int32_t c;
    if (n->refr_steps > 0) {
        n->refr_steps -= 1;
        n->v_mV = p->v_reset_mV;
        return 0;
    }
    for (c = 0; c < n_channels; ++c)
        v += p->chan_factor[c] * (float)counts[c];
    v = p->v_leak_mV + (v - p->v_leak_mV) * p->leak_decay;
    if (v >= p->v_th_mV) {
        n->v_mV = p->v_reset_mV;
        n->refr_steps = p->refr_steps;
        return 1;
    }
    n->v_mV = v;
    return 0;
}

/* cob_lif_curr_step_n with the population's channel count. */
COB_INLINE int cob_lif_curr_step(cob_lif_state *n, const cob_lif_prop *p, const uint32_t *counts)
{
    return cob_lif_curr_step_n(n, p, counts, p->n_channels);
}

#ifdef __cplusplus
}
#endif
#endif
