/* host/theory/theory_ssn.c -- seed 001's power-law description of the white-noise transfer
 * function (include/cobalt/theory.h, "SSN"): Phi(mu; sigma, tau) from the Siegert formula
 * (cob_theory_rate), the least-squares fit nu = a [mu - b]_+^n below a rate, and the two-population
 * SSN's steady states (cob_ssn_steady_states, cob_ssn_states: roots of the characteristic function
 * on a grid, refined by Brent). Regimes, continuation and folds: theory_ssn_regime.c. Deliberate
 * limit: J_II <= 0 (one r_I for each r_E). */
#include <math.h>
#include <stdlib.h>
#include "theory/theory_num.h"

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

double cob_ssn_f(const cob_theory_powerlaw *f, double x, double *slope)
{
    double d = x - f->b;
    if (!(d > 0.0)) {
        if (slope)
            *slope = 0.0;
        return 0.0;
    }
    if (slope)
        *slope = f->a * f->n * pow(d, f->n - 1.0);
    return f->a * pow(d, f->n);
}

/* r_I solving r_I = f_I(mu_I + J_IE r_E + J_II r_I) (J_II <= 0: the right side does not increase
 * with r_I, so the solution is unique), by Brent on [0, f_I at r_I = 0]. */
typedef struct {
    const cob_ssn *s;
    double r_e;
} ri_ctx;

static double i_res(double r_i, void *ctx)
{
    const ri_ctx *c = ctx;
    return cob_ssn_f(&c->s->f[1], c->s->mu[1] + c->s->J_mV[1][0] * c->r_e + c->s->J_mV[1][1] * r_i, NULL) - r_i;
}

double cob__ssn_r_i(const cob_ssn *s, double r_e)
{
    double hi = cob_ssn_f(&s->f[1], s->mu[1] + s->J_mV[1][0] * r_e, NULL), f_hi;
    ri_ctx c;
    if (!(hi > 0.0))
        return 0.0;
    c.s = s;
    c.r_e = r_e;
    f_hi = i_res(hi, &c);
    if (f_hi >= 0.0)
        return hi;
    return cob__brent(i_res, &c, 0.0, hi, hi, f_hi, 1e-14, 1e-300);
}

static double residual_e(const cob_ssn *s, double r_e)
{
    double r_i = cob__ssn_r_i(s, r_e);
    return cob_ssn_f(&s->f[0], s->mu[0] + s->J_mV[0][0] * r_e + s->J_mV[0][1] * r_i, NULL) - r_e;
}

/* The state at (r_E, r_I): gains, the Jacobian T^-1 (G W - 1) and its eigenvalues. */
void cob__ssn_describe(const cob_ssn *s, double r_e, cob_ssn_state *st)
{
    double x[2], m[2][2], tr, det, disc;
    int X, Y;
    st->r_hz[0] = r_e;
    st->r_hz[1] = cob__ssn_r_i(s, r_e);
    for (X = 0; X < 2; ++X) {
        x[X] = s->mu[X] + s->J_mV[X][0] * st->r_hz[0] + s->J_mV[X][1] * st->r_hz[1];
        cob_ssn_f(&s->f[X], x[X], &st->gain[X]);
    }
    for (X = 0; X < 2; ++X)
        for (Y = 0; Y < 2; ++Y) m[X][Y] = (st->gain[X] * s->J_mV[X][Y] - (X == Y)) / s->tau_s[X];
    tr = m[0][0] + m[1][1];
    det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    disc = 0.25 * tr * tr - det;
    if (disc >= 0.0) {
        st->eig_re[0] = 0.5 * tr + sqrt(disc);
        st->eig_re[1] = 0.5 * tr - sqrt(disc);
        st->eig_im[0] = st->eig_im[1] = 0.0;
    } else {
        st->eig_re[0] = st->eig_re[1] = 0.5 * tr;
        st->eig_im[0] = sqrt(-disc);
        st->eig_im[1] = -st->eig_im[0];
    }
    st->stable = st->eig_re[0] < 0.0 && st->eig_re[1] < 0.0;
    st->isn = st->gain[0] * s->J_mV[0][0] > 1.0;
}

static double e_res(double r_e, void *ctx)
{
    return residual_e(ctx, r_e);
}

/* The roots of residual_e on the grid x_k = r_max (k/m)^p, p = 1 or 2, refined by Brent. */
static int states_grid(const cob_ssn *s, double r_max_hz, int m, int p, cob_ssn_state *out, int max)
{
    double prev = residual_e(s, 0.0), x_prev = 0.0;
    int k, found = 0;
    if (prev == 0.0) { /* the silent state */
        if (found < max)
            cob__ssn_describe(s, 0.0, &out[found]);
        found += 1;
    }
    for (k = 1; k <= m; ++k) {
        double u = (double)k / m, x = r_max_hz * (p == 2 ? u * u : u), r = residual_e(s, x);
        if ((prev < 0.0 && r >= 0.0) || (prev > 0.0 && r <= 0.0)) {
            double root = r == 0.0 ? x : cob__brent(e_res, (void *)s, x_prev, x, prev, r, 1e-14, 1e-300);
            if (found < max)
                cob__ssn_describe(s, root, &out[found]);
            found += 1;
            if (r == 0.0) { /* a root on the grid point: continue from just above it */
                prev = residual_e(s, x + 1e-9 * r_max_hz);
                x_prev = x;
                continue;
            }
        }
        prev = r;
        x_prev = x;
    }
    return found;
}

int cob_ssn_steady_states(const cob_ssn *s, double r_max_hz, cob_ssn_state *out, int max)
{
    return states_grid(s, r_max_hz, 20000, 1, out, max);
}

int cob_ssn_states(const cob_ssn *s, double r_max_hz, int m_grid, cob_ssn_state *out, int max)
{
    return states_grid(s, r_max_hz, m_grid < 10 ? 10 : m_grid, 2, out, max);
}

double cob__ssn_residual_e(const cob_ssn *s, double r_e)
{
    return residual_e(s, r_e);
}
