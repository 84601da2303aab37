/* host/theory/theory_ssn.c -- seed 001's power-law description of the white-noise transfer
 * function (include/cobalt/theory.h, "SSN"): Phi(mu; sigma, tau) from the Siegert formula
 * (cob_theory_rate), and the least-squares fit nu = a [mu - b]_+^n below a rate. */
#include <math.h>
#include <stdlib.h>
#include "cobalt/theory.h"

double cob_theory_phi_white(const cob_theory_net *n, double mu_mV_per_s, double sigma_mV_per_sqrt_s)
{
    cob_theory_moments m;
    m.tau_s = n->tau_m_s;
    m.mu_mV = n->e_l_mV + n->mu_ext_mV + n->tau_m_s * mu_mV_per_s; /* mu_ext: lif_curr's constant drive */
    m.sigma_mV = sqrt(n->tau_m_s) * sigma_mV_per_sqrt_s;
    return cob_theory_rate(n, m);
}

/* Sum of squared residuals at (b, p), with the best a in [0, 1] (closed form) in *a_out. */
static double sse(const double *mu, const double *nu, int m, double b, double p, double *a_out)
{
    double sxy = 0.0, sxx = 0.0, a, r = 0.0;
    int k;
    for (k = 0; k < m; ++k) {
        double x = mu[k] > b ? pow(mu[k] - b, p) : 0.0;
        sxy += x * nu[k];
        sxx += x * x;
    }
    a = sxx > 0.0 ? sxy / sxx : 0.0;
    a = a < 0.0 ? 0.0 : a > 1.0 ? 1.0 : a;
    for (k = 0; k < m; ++k) {
        double x = mu[k] > b ? pow(mu[k] - b, p) : 0.0, d = a * x - nu[k];
        r += d * d;
    }
    *a_out = a;
    return r;
}

cob_status cob_theory_powerlaw_fit_points(const double *mu, const double *nu, int m, cob_theory_powerlaw *out,
                                          cob_err *err)
{
    double lo = INFINITY, hi = -INFINITY, best = INFINITY, bb = 0.0, bp = 1.0, a = 0.0, db, dp;
    int k, i, j, pos = 0;
    for (k = 0; k < m; ++k) {
        if (!isfinite(mu[k]) || !isfinite(nu[k]))
            return cob_err_set(err, COB_ERR_INVALID, "power-law fit: point %d is not finite (mu %g, nu %g)", k, mu[k],
                               nu[k]);
        if (nu[k] > 0.0) {
            pos += 1;
            lo = fmin(lo, mu[k]);
        }
        hi = fmax(hi, mu[k]);
    }
    if (pos < 3)
        return cob_err_set(err, COB_ERR_INVALID, "power-law fit: %d points with nu > 0, at least 3 needed", pos);
    /* a grid: b from lo - (hi - lo) to lo (every positive rate above b), n in [1, 10] */
    for (i = 0; i <= 200; ++i)
        for (j = 0; j <= 90; ++j) {
            double b = lo - (hi - lo) + (hi - lo) * (double)i / 200.0, p = 1.0 + 0.1 * j, at;
            double r = sse(mu, nu, m, b, p, &at);
            if (r < best) {
                best = r;
                bb = b;
                bp = p;
            }
        }
    /* pattern search from the best grid point, steps halved until below 1e-10 of the scale */
    db = (hi - lo) / 200.0;
    dp = 0.1;
    while (db > 1e-10 * (hi - lo + 1e-300) || dp > 1e-10) {
        int moved = 0, s;
        for (s = 0; s < 4; ++s) {
            double b = bb + (s == 0 ? db : s == 1 ? -db : 0.0), p = bp + (s == 2 ? dp : s == 3 ? -dp : 0.0), at, r;
            if (p < 1.0 || p > 10.0 || b > lo)
                continue;
            r = sse(mu, nu, m, b, p, &at);
            if (r < best) {
                best = r;
                bb = b;
                bp = p;
                moved = 1;
            }
        }
        if (!moved) {
            db *= 0.5;
            dp *= 0.5;
        }
    }
    sse(mu, nu, m, bb, bp, &a);
    out->a = a;
    out->b = bb;
    out->n = bp;
    out->rms_hz = sqrt(best / m);
    out->n_points = m;
    return COB_OK;
}

cob_status cob_theory_powerlaw_fit(const cob_theory_net *n, double sigma_mV_per_sqrt_s, double nu_max_hz, int m_points,
                                   cob_theory_powerlaw *out, cob_err *err)
{
    /* mu from where Phi passes 1e-3 Hz to where it reaches nu_max: both by bisection in mu, the
     * rate being increasing in mu; the drive that holds V at threshold, (theta - E_L) / tau,
     * lies between */
    double mu_thr = (n->theta_mV - n->e_l_mV) / n->tau_m_s, span = fabs(mu_thr) + 10.0 * sigma_mV_per_sqrt_s + 1.0;
    double lo_a = mu_thr - span, lo_b = mu_thr + span, hi_a, hi_b, *mu, *nu;
    int k, it;
    cob_status st;
    if (!(sigma_mV_per_sqrt_s > 0.0) || !(nu_max_hz > 1e-3) || m_points < 3)
        return cob_err_set(err, COB_ERR_INVALID,
                           "power-law fit: sigma %g mV/sqrt(s) (> 0), nu_max %g Hz (> 1e-3) and %d points (>= 3)",
                           sigma_mV_per_sqrt_s, nu_max_hz, m_points);
    while (cob_theory_phi_white(n, lo_b, sigma_mV_per_sqrt_s) < nu_max_hz && span < 1e12) {
        span *= 2.0;
        lo_b = mu_thr + span;
    }
    while (cob_theory_phi_white(n, lo_a, sigma_mV_per_sqrt_s) > 1e-3 && span < 1e12) {
        span *= 2.0;
        lo_a = mu_thr - span;
    }
    hi_a = lo_a;
    hi_b = lo_b;
    for (it = 0; it < 200; ++it) { /* lo: Phi = 1e-3 Hz */
        double mid = 0.5 * (lo_a + lo_b);
        if (cob_theory_phi_white(n, mid, sigma_mV_per_sqrt_s) > 1e-3)
            lo_b = mid;
        else
            lo_a = mid;
    }
    for (it = 0; it < 200; ++it) { /* hi: Phi = nu_max */
        double mid = 0.5 * (hi_a + hi_b);
        if (cob_theory_phi_white(n, mid, sigma_mV_per_sqrt_s) > nu_max_hz)
            hi_b = mid;
        else
            hi_a = mid;
    }
    mu = malloc((size_t)m_points * sizeof *mu);
    nu = malloc((size_t)m_points * sizeof *nu);
    if (!mu || !nu) {
        free(mu);
        free(nu);
        return cob_err_set(err, COB_ERR_NOMEM, "power-law fit: out of memory for %d points", m_points);
    }
    for (k = 0; k < m_points; ++k) {
        mu[k] = lo_b + (hi_a - lo_b) * (double)k / (double)(m_points - 1);
        nu[k] = cob_theory_phi_white(n, mu[k], sigma_mV_per_sqrt_s);
    }
    st = cob_theory_powerlaw_fit_points(mu, nu, m_points, out, err);
    free(mu);
    free(nu);
    return st;
}
