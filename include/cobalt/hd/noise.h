/* include/cobalt/hd/noise.h -- white-noise current input (population key `noise`, seed 001):
 *   dV = -(V - V_leak) / tau_m dt + mu(t) dt + sigma(t) dW,
 * mu in mV/s, sigma in mV/sqrt(s), W a Wiener process independent per neuron. With mu and sigma
 * held over a step (schedules are evaluated per step, hd/schedule.h) the linear dynamics are
 * integrated exactly: the step's drive, added to V after the step's leak (cob_input.drive_mV), is
 *   mu tau (1 - d) + sigma sqrt(tau (1 - d^2) / 2) xi,   d = exp(-dt / tau), xi ~ N(0, 1),
 * so without a threshold V has mean V_leak + mu tau and variance sigma^2 tau / 2 at any dt.
 *
 * xi is a pure function of (seed, population, neuron, step): Marsaglia's polar method on Philox
 * words, in float, with the libm-free log2 of hd/ieee_math.h and IEEE sqrt and division (exactly
 * rounded on both backends), so CPU and GPU draw the same bits. Used by host/cpu/cpu_step.c and
 * kernels/step.cu; coefficients from host/sim/plan.c. */
#ifndef COBALT_HD_NOISE_H
#define COBALT_HD_NOISE_H

#include <math.h>
#include "hd.h"
#include "ieee_math.h"
#include "input.h"
#include "philox.h"
#include "schedule.h"
#include "tuning.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A standard normal for (seed, stream, index, step). Polar method: pairs of uniforms in
 * (-1, 1)^2 until one falls inside the unit disc (probability pi/4 per pair; two pairs per
 * Philox block, blocks sub = step << 8 | k for k = 0, 1, ...; 256 blocks fail with probability
 * 1e-321, after which 0 is returned); the first coordinate x gives x sqrt(-2 ln s / s). Tails
 * reach about 8 standard deviations (23-bit uniforms). */
COB_INLINE float cob_gauss(uint64_t seed, uint32_t stream, uint32_t index, uint64_t t)
{
    uint32_t k;
    for (k = 0; k < 256u; ++k) {
        cob_u32x4 b = cob_philox(seed, stream, index, (t << 8) | (uint64_t)k);
        int j;
        for (j = 0; j < 4; j += 2) {
            /* (2u + 1) 2^-23 - 1 for 23-bit u: odd multiples of 2^-23 in (-1, 1), never 0; every
             * operation exact */
            float x = (float)(int32_t)((b.v[j] >> 9) * 2u + 1u) * (1.0f / 8388608.0f) - 1.0f;
            float y = (float)(int32_t)((b.v[j + 1] >> 9) * 2u + 1u) * (1.0f / 8388608.0f) - 1.0f;
            float s = x * x + y * y;
            if (s < 1.0f && s > 0.0f)
                return x * sqrtf(-2.0f * 0.693147181f * cob_log2f(s) / s);
        }
    }
    return 0.0f;
}

/* The white-noise input of one population, as the run plan holds it (host/sim/plan.c). */
typedef struct {
    int32_t on;             /* 1: the population has the input */
    int32_t bridge;         /* 1: threshold crossings within a step detected (cob_input.bridge_var) */
    uint32_t stream;        /* COB_STREAM(COB_STREAM_NOISE, population) */
    float k_mu, k_sigma;    /* tau (1 - d) in s and sqrt(tau (1 - d^2) / 2) in sqrt(s), in double then float */
    cob_schedule mu, sigma; /* mV/s and mV/sqrt(s) by step */
    cob_tuning tune;        /* a tuned mean (hd/tuning.h): neuron i's mu is mu(t) g(i) */
} cob_noise;

/* This step's coefficients of the drive a + b xi: a = mu(t) k_mu, b = sigma(t) k_sigma (per
 * population and step). */
COB_INLINE void cob_noise_coef(const cob_noise *nz, int64_t t, float *a, float *b)
{
    *a = cob_schedule_at(&nz->mu, t) * nz->k_mu;
    *b = cob_schedule_at(&nz->sigma, t) * nz->k_sigma;
}

/* This step's white-noise input of one neuron (index: within its population) into in (whose seed
 * and step are set): the drive a + b xi (no draw when b == 0) and, with the crossing test on,
 * the step's noise variance b^2 (hd/lif.h, cob_lif_bridge_crossed). One definition for both
 * backends. */
COB_INLINE void cob_noise_input(const cob_noise *nz, float a, float b, uint32_t index, cob_input *in)
{
    if (nz->tune.shape != COB_TUNE_NONE) /* a tuned mean: a g(i), g in double, one rounding */
        a = (float)((double)a * cob_tuning_gain(&nz->tune, index));
    in->drive_mV = b != 0.0f ? a + b * cob_gauss(in->seed, nz->stream, index, in->t) : a;
    if (nz->bridge)
        in->bridge_var = b * b;
}

#ifdef __cplusplus
}
#endif
#endif
