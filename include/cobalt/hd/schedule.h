/* include/cobalt/hd/schedule.h -- a piecewise-linear function of the step, evaluated identically
 * on CPU and GPU: the type that time-varying inputs (rates, current means, noise amplitudes) use.
 * Points (t_steps[k], value[k]) with t_steps strictly increasing; before the first point the
 * value is value[0], after the last value[n - 1], in between linear. Evaluated with float
 * operations that IEEE rounds exactly (subtract, multiply, divide, int64 -> float), so both
 * backends get the same bits. A config writes it as a list of [t_ms, value] pairs
 * (host/config: key kind COB__K_SCHEDULE); host/sim/plan.c converts the times to steps. */
#ifndef COBALT_HD_SCHEDULE_H
#define COBALT_HD_SCHEDULE_H

#include "hd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most points one schedule holds (seed 001 uses up to 130). */
#define COB_SCHEDULE_MAX 256

typedef struct {
    int32_t n; /* points; 0: the schedule is unset */
    int64_t t_steps[COB_SCHEDULE_MAX];
    float value[COB_SCHEDULE_MAX];
} cob_schedule;

/* Value at step t; 0 for an empty schedule. Binary search: O(log n) per call (called once per
 * population and step, not per neuron). */
COB_INLINE float cob_schedule_at(const cob_schedule *s, int64_t t)
{
    int32_t lo = 0, hi;
    float a, b, f;
    if (s->n <= 0)
        return 0.0f;
    if (t <= s->t_steps[0])
        return s->value[0];
    if (t >= s->t_steps[s->n - 1])
        return s->value[s->n - 1];
    hi = s->n - 1; /* t_steps[lo] < t < t_steps[hi] */
    while (hi - lo > 1) {
        int32_t mid = (lo + hi) / 2;
        if (s->t_steps[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    a = s->value[lo];
    b = s->value[hi];
    f = (float)(t - s->t_steps[lo]) / (float)(s->t_steps[hi] - s->t_steps[lo]);
    return a + (b - a) * f;
}

#ifdef __cplusplus
}
#endif
#endif
