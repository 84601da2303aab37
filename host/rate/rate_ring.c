/* host/rate/rate_ring.c -- the ring rate model of seed 003 (include/cobalt/rate.h): its N units as
 * populations of a rate model, and the continuum closed forms: the uniform state m0 = I0 / (1 -
 * J0), the growth rates of the uniform and cosine modes ((J0 - 1) / tau, (J1/2 - 1) / tau), the
 * amplification (1 - J0) / (1 - J1/2), and the stationary profile, linear (m0 + m1 cos) or
 * rectified (a [cos(theta - theta0) - cos theta_c]_+: the bump of J1 > 2, or a tuned input
 * strong enough to silence part of the ring). Pairs with host/rate/rate.c; docs/rate.md derives
 * the rectified profile. Limits: threshold-linear f (k and the threshold are absorbed into the
 * couplings and inputs); the closed forms are the N -> infinity limit, the units sample it. */
#include <math.h>
#include <stdio.h>
#include "cobalt/rate.h"

void cob_rate_ring_build(cob_rate_model *m)
{
    const cob_rate_ring *g = &m->ring;
    int n = g->n;
    double th0 = g->theta0_deg * COB_RATE_PI / 180.0;
    for (int i = 0; i < n; ++i) {
        double ti = 2.0 * COB_RATE_PI * i / n;
        snprintf(m->names[i], COB_RATE_NAME_MAX, "u%d", i);
        m->tau_ms[i] = g->tau_ms;
        m->f[i] = g->f;
        m->input[i] = g->i0 + g->i1 * cos(ti - th0);
        m->target_hz[i] = -1.0;
        for (int j = 0; j < n; ++j) m->w[(size_t)i * n + j] = (g->j0 + g->j1 * cos(ti - 2.0 * COB_RATE_PI * j / n)) / n;
    }
}

/* Mean of the rectified cosine and its first Fourier coefficient, per unit amplitude:
 * <[cos - cos tc]_+> = (sin tc - tc cos tc) / pi, <[cos - cos tc]_+ cos> = (2 tc - sin 2tc) / (4 pi). */
static double g0(double tc)
{
    return (sin(tc) - tc * cos(tc)) / COB_RATE_PI;
}
static double g1(double tc)
{
    return (2.0 * tc - sin(2.0 * tc)) / (4.0 * COB_RATE_PI);
}

/* Self-consistency of the rectified profile (zero at theta_c). */
static double bump_eq(double tc, double j0, double j1, double h0, double h1)
{
    return h1 * (-cos(tc) - j0 * g0(tc)) - h0 * (1.0 - j1 * g1(tc));
}

void cob_rate_ring_closed_form(const cob_rate_ring *g, cob_rate_ring_theory *t)
{
    /* f(x) = k [x - th]_+ : absorb k and th, so that m = [h0 + h1 cos + J0 r0 + J1 r1 cos]_+ */
    double k = g->f.k, j0 = k * g->j0, j1 = k * g->j1, h0 = k * (g->i0 - g->f.threshold), h1 = fabs(k * g->i1);
    t->m0_uniform = h0 / (1.0 - j0);
    t->lambda0 = (j0 - 1.0) / g->tau_ms;
    t->lambda1 = (j1 / 2.0 - 1.0) / g->tau_ms;
    t->uniform_stable = j0 < 1.0 && j1 < 2.0;
    t->amplification = (1.0 - j0) / (1.0 - j1 / 2.0);
    t->bounded = 0;
    t->a = t->r0 = t->r1 = NAN;
    t->theta_c = COB_RATE_PI;
    if (t->uniform_stable) {
        double m0 = h0 / (1.0 - j0), m1 = h1 / (1.0 - j1 / 2.0);
        if (m0 >= m1) { /* nowhere rectified: the linear response */
            t->r0 = m0;
            t->r1 = m1 / 2.0;
            t->a = m1; /* m = m0 + m1 cos: theta_c = pi and a reads as m1 */
            t->bounded = 1;
            return;
        }
    }
    double lo = 1e-9, hi = COB_RATE_PI, flo = bump_eq(lo, j0, j1, h0, h1), fhi = bump_eq(hi, j0, j1, h0, h1);
    if ((flo < 0.0) == (fhi < 0.0))
        return;
    for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
        double mid = 0.5 * (lo + hi), fm = bump_eq(mid, j0, j1, h0, h1);
        if ((fm < 0.0) == (flo < 0.0)) {
            lo = mid;
            flo = fm;
        } else
            hi = mid;
    }
    double tc = 0.5 * (lo + hi), a;
    if (h1 > 0.0)
        a = h1 / (1.0 - j1 * g1(tc));
    else
        a = h0 / (-cos(tc) - j0 * g0(tc));
    if (!(a > 0.0) || !isfinite(a))
        return;
    t->theta_c = tc;
    t->a = a;
    t->r0 = a * g0(tc);
    t->r1 = a * g1(tc);
    t->bounded = 1;
}

double cob_rate_ring_profile(const cob_rate_ring *g, const cob_rate_ring_theory *t, double theta)
{
    double c = cos(theta - g->theta0_deg * COB_RATE_PI / 180.0);
    if (g->i1 < 0.0)
        c = -c;
    if (!t->bounded)
        return NAN;
    if (t->theta_c >= COB_RATE_PI) /* linear: m0 + m1 cos */
        return t->r0 + t->a * c;
    return t->a * fmax(0.0, c - cos(t->theta_c));
}
