/* include/cobalt/hd/tuning.h -- tuned input on a ring (population key `tuning`, docs/config.md
 * "Rings"): an input whose rate or mean depends on the angle of the neuron it belongs to,
 *   g(phi_i) = 1 + mu_c cos(2 pi (phi_i - phi_0) / period)                 (cosine)
 *   g(phi_i) = exp(kappa_mu cos(2 pi (phi_i - phi_0) / period)) / I0(kappa_mu)   (von Mises)
 * multiplying the input's own value (rate_hz of a Poisson population, noise.mu_mV_per_s of a
 * neuron population), so that the mean of g over the ring is 1. phi_i = period i / n, phi_0 the
 * stimulus angle (`theta_deg`). Whose angle: a pool source's on its own ring, an independent
 * input's target's, a neuron's own. Evaluated per neuron where it is used (hd/noise.h,
 * hd/poisson.h) from IEEE basic operations only (cob_cos2pi, cob_exp_neg), so CPU and GPU get the
 * same bits and no per-neuron array is stored; c0 = e^kappa / I0(kappa) is made on the host. */
#ifndef COBALT_HD_TUNING_H
#define COBALT_HD_TUNING_H

#include "ring.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { COB_TUNE_NONE = 0, COB_TUNE_COSINE, COB_TUNE_VON_MISES };

typedef struct {
    int32_t shape; /* COB_TUNE_*; NONE: gain 1 */
    int64_t n;     /* ring size of the neurons whose angle counts */
    double x0;     /* stimulus angle in periods, theta_deg / period */
    double c0, c1; /* cosine: 1 + c1 cos; von Mises: c0 e^(-c1 (1 - cos)), c1 = kappa, c0 = e^kappa / I0(kappa) */
} cob_tuning;

/* g of neuron i (index within the ring of n). 1.0 exactly when off. */
COB_INLINE double cob_tuning_gain(const cob_tuning *tu, int64_t i)
{
    double c;
    if (tu->shape == COB_TUNE_NONE)
        return 1.0;
    c = cob_cos2pi((double)i / (double)tu->n - tu->x0);
    if (tu->shape == COB_TUNE_COSINE)
        return 1.0 + tu->c1 * c;
    return tu->c0 * cob_exp_neg(tu->c1 * (1.0 - c));
}

#ifdef __cplusplus
}
#endif
#endif
