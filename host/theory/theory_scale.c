/* host/theory/theory_scale.c -- strong coupling and K sweeps (seed 004): the leak-free quantities of
 * Eq. 13 in the network (Appendix D) or for a single neuron (Sec. IV), the gain rho of Eq. 20, the rate of Eq. 21, and the
 * scaling laws of the weight with K (none, sqrt, log, sanzeni = Eq. 14 solved exactly,
 * matched = the full self-consistent rate held at the anchor's). Pairs with
 * include/cobalt/theory.h and host/theory/theory.c. Deliberate limits: the sanzeni law and Eq. 21 are
 * for lif_cond only; K_X scales with K (k_x / K fixed, as K_X = K in the paper). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "theory/theory_num.h"

/* Validity thresholds for Eq. 14 (Sec. IV: v_bar^2/a >> 1 and a K nu_X tau_L >> 1). At
 * v_bar^2/a = 2 the Kramers form e^{v^2}/v of the Siegert integral is 25% off; at
 * a K nu_X tau_L = 5 the leak still moves tau by 20%. */
#define VALID_VBAR2_A 2.0
#define VALID_AKNT 5.0

static const char *const LAW_NAMES[] = {"none", "sqrt", "log", "sanzeni", "matched"};

int cob_scale_law_parse(const char *name, cob_scale_law *law)
{
    int i;
    for (i = 0; i < 5; ++i)
        if (name && !strcmp(name, LAW_NAMES[i])) {
            *law = (cob_scale_law)i;
            return 1;
        }
    return 0;
}

const char *cob_scale_law_name(cob_scale_law law)
{
    return (int)law >= 0 && (int)law < 5 ? LAW_NAMES[law] : "unknown";
}

void cob_theory_net_at_k(const cob_theory_net *n, double k, double w, cob_theory_net *out)
{
    *out = *n;
    out->k_x = n->K > 0.0 ? n->k_x * k / n->K : n->k_x;
    out->K = k;
    if (n->model == COB_THEORY_COND)
        out->a = w;
    else
        out->j_mV = w;
}

cob_theory_bars cob_theory_strong_bars(const cob_theory_net *n, double rho)
{
    cob_theory_bars b;
    double c = n->K > 0.0 ? n->k_x / n->K : 0.0, e = c + rho, i = n->g * n->gamma * rho, de, di;
    if (n->single) { /* Eq. 13 as printed: r_E / nu_x = 1, r_I / nu_x = eta */
        e = 1.0;
        i = n->g * n->gamma * n->eta;
    }
    if (n->model != COB_THEORY_COND) {
        b.tau_bar = b.mu_bar_mV = b.sigma_bar_mV = b.v_bar = NAN;
        return b;
    }
    b.tau_bar = 1.0 / (e + i);
    b.mu_bar_mV = b.tau_bar * (e * n->e_e_mV + i * n->e_i_mV);
    de = b.mu_bar_mV - n->e_e_mV;
    di = b.mu_bar_mV - n->e_i_mV;
    b.sigma_bar_mV = sqrt(b.tau_bar * (e * de * de + n->g * i * di * di));
    b.v_bar = (n->theta_mV - b.mu_bar_mV) / b.sigma_bar_mV;
    return b;
}

/* log(rho Omega(rho)) with Omega = tau_bar sqrt(pi) I / (a K), I the Siegert integral over the
 * leak-free v_min, v_max (Eq. 10 with tau_rp nu_x -> 0: nu / nu_x = 1 / Omega). */
static double log_rho_omega(double log_rho, void *ctx)
{
    const cob_theory_net *n = ctx;
    double rho = exp(log_rho), sd, lo, hi, mx, s;
    cob_theory_bars b = cob_theory_strong_bars(n, rho);
    sd = sqrt(n->a) * b.sigma_bar_mV;
    lo = (n->v_reset_mV - b.mu_bar_mV) / sd;
    hi = (n->theta_mV - b.mu_bar_mV) / sd;
    s = cob__siegert_scaled(lo, hi, &mx);
    return log_rho + log(b.tau_bar * COB__SQRT_PI * s / (n->a * n->K)) + mx * mx;
}

double cob_theory_gain_rho(const cob_theory_net *n)
{
    double x0, f0, x1, f1;
    int i, n_grid = 240;
    if (cob_theory_net_validate(n, NULL) != COB_OK || !(n->K > 0.0) || n->single)
        return NAN;
    if (n->model == COB_THEORY_CURR) {
        double d = n->g * n->gamma - 1.0;
        return d > 0.0 ? n->k_x / n->K / d : NAN;
    }
    /* log rho on [log 1e-4, log 1e4]: the first upward crossing of rho Omega = 1 (stable). */
    x0 = log(1e-4);
    f0 = log_rho_omega(x0, (void *)n);
    for (i = 1; i <= n_grid; ++i) {
        x1 = log(1e-4) + (log(1e4) - log(1e-4)) * i / n_grid;
        f1 = log_rho_omega(x1, (void *)n);
        if (f0 < 0.0 && f1 >= 0.0)
            return exp(cob__brent(log_rho_omega, (void *)n, x0, x1, f0, f1, 1e-13, 1e-13));
        x0 = x1;
        f0 = f1;
    }
    return NAN;
}

double cob_theory_eq21_rate(const cob_theory_net *n)
{
    double gg = n->g * n->gamma, den = n->theta_mV * (1.0 + gg) - n->e_e_mV - gg * n->e_i_mV;
    if (n->model != COB_THEORY_COND || !(den > 0.0) || !(n->K > 0.0) || n->single)
        return NAN;
    return n->k_x / n->K * (n->e_e_mV - n->theta_mV) * n->nu_x_hz / den;
}

/* ---- sanzeni law: K/K0 = [tau_bar e^{v_bar^2/a} / (sqrt(a) v_bar)] / [same at a0] with
 * tau_bar, v_bar fixed by the anchor's gain rho0 = nu0 / nu_x (Appendix D: the law keeps the
 * gain): h(a) = v_bar^2/a - log(a)/2 decreases monotonically, so a is unique. ----------- */

typedef struct {
    double vb2, target;
} eq14_ctx;

static double eq14_residual(double log_a, void *ctx)
{
    const eq14_ctx *c = ctx;
    return c->vb2 * exp(-log_a) - 0.5 * log_a - c->target;
}

static double eq14_solve(double vb2, double a0, double k_ratio)
{
    eq14_ctx c;
    double x0 = log(a0), x1 = x0, f0, f1;
    int i;
    c.vb2 = vb2;
    c.target = vb2 / a0 - 0.5 * log(a0) + log(k_ratio);
    f0 = f1 = eq14_residual(x0, &c);
    if (f0 == 0.0)
        return a0;
    for (i = 0; i < 400 && (f0 > 0.0) == (f1 > 0.0); ++i) { /* residual decreases with a */
        x0 = x1;
        f0 = f1;
        x1 += f0 > 0.0 ? 0.25 : -0.25;
        f1 = eq14_residual(x1, &c);
    }
    if ((f0 > 0.0) == (f1 > 0.0))
        return NAN;
    return exp(cob__brent(eq14_residual, &c, x0, x1, f0, f1, 1e-14, 1e-14));
}

static void eq14_warn(const cob_theory_net *n, double vb2, double a, double k, char *warn, size_t len)
{
    double q0 = vb2 / n->a, q = vb2 / a, l0 = n->a * n->k_x * n->nu_x_hz * n->tau_m_s;
    double l = a * n->k_x * (k / n->K) * n->nu_x_hz * n->tau_m_s;
    double qmin = q < q0 ? q : q0, lmin = l < l0 ? l : l0;
    if (!warn || len == 0)
        return;
    warn[0] = '\0';
    if (qmin >= VALID_VBAR2_A && lmin >= VALID_AKNT)
        return;
    snprintf(warn, len,
             "sanzeni law outside its validity: vbar^2/a = %.3g and a K_X nu_X tau_L = %.3g at K = %g, %.3g and "
             "%.3g at K0 = %g (Eq. 14 assumes both >> 1; cobalt asks >= %g and >= %g), so it will not hold "
             "the rate: use the matched law",
             q, l, k, q0, l0, n->K, VALID_VBAR2_A, VALID_AKNT);
}

static cob_status scale_sanzeni(const cob_theory_net *n, double k, double *w, char *warn, size_t len, cob_err *err)
{
    cob_theory_state s;
    cob_theory_bars b;
    if (n->model != COB_THEORY_COND)
        return cob_err_set(err, COB_ERR_INVALID, "the sanzeni law (Eq. 14) is for lif_cond; use sqrt or matched");
    if (!cob__theory_first_stable(n, &s) || !(n->nu_x_hz > 0.0))
        return cob_err_set(err, COB_ERR_INVALID,
                           "sanzeni law: the anchor (K = %g, a = %g) has no stable state "
                           "with nu_x > 0; use matched",
                           n->K, n->a);
    b = cob_theory_strong_bars(n, s.nu_hz / n->nu_x_hz);
    if (!(b.v_bar > 0.0) && n->single)
        return cob_err_set(err, COB_ERR_INVALID,
                           "sanzeni law: with eta = %.4g, mubar = %.4g mV (Eq. 13) is not "
                           "below theta (vbar = %.3g), so Eq. 14 has no solution; use matched",
                           n->eta, b.mu_bar_mV, b.v_bar);
    if (!(b.v_bar > 0.0))
        return cob_err_set(err, COB_ERR_INVALID,
                           "sanzeni law: at the anchor's gain rho = %.4g, mubar = %.4g mV is "
                           "not below theta (vbar = %.3g), so Eq. 14 has no solution; use matched",
                           s.nu_hz / n->nu_x_hz, b.mu_bar_mV, b.v_bar);
    *w = eq14_solve(b.v_bar * b.v_bar, n->a, k / n->K);
    if (!(*w > 0.0 && *w < 1.0))
        return cob_err_set(err, COB_ERR_INVALID, "sanzeni law: no a in (0, 1) at K = %g (got %g); use matched", k, *w);
    eq14_warn(n, b.v_bar * b.v_bar, *w, k, warn, len);
    return COB_OK;
}

/* ---- matched law: w with Phi_K(nu0; w) = nu0 and Phi' < 1 there ------------------------- */

typedef struct {
    cob_theory_net t;
    double nu0;
} match_ctx;

static double match_residual(double log_w, void *ctx)
{
    match_ctx *c = ctx;
    if (c->t.model == COB_THEORY_COND)
        c->t.a = exp(log_w);
    else
        c->t.j_mV = exp(log_w);
    return cob_theory_rate(&c->t, cob_theory_moments_net(&c->t, c->nu0)) - c->nu0;
}

static cob_status scale_matched(const cob_theory_net *n, double k, double *w, cob_err *err)
{
    cob_theory_state s;
    match_ctx c;
    double w0 = n->model == COB_THEORY_COND ? n->a : n->j_mV, lo = log(w0) - log(1e3), hi = log(w0) + log(1e3);
    double x0, f0, x1, f1, best = NAN;
    int i, n_grid = 160;
    if (!cob__theory_first_stable(n, &s))
        return cob_err_set(err, COB_ERR_INVALID, "matched law: the anchor (K = %g) has no stable state", n->K);
    if (n->model == COB_THEORY_COND && hi > log(0.999))
        hi = log(0.999);
    cob_theory_net_at_k(n, k, w0, &c.t);
    c.nu0 = s.nu_hz;
    x0 = lo;
    f0 = match_residual(x0, &c);
    for (i = 1; i <= n_grid; ++i, x0 = x1, f0 = f1) {
        double r;
        x1 = lo + (hi - lo) * i / n_grid;
        f1 = match_residual(x1, &c);
        if ((f0 > 0.0) == (f1 > 0.0) && f1 != 0.0)
            continue;
        r = cob__brent(match_residual, &c, x0, x1, f0, f1, 1e-13, 1e-13);
        match_residual(r, &c);
        if (cob__theory_phi_slope(&c.t, c.nu0) < 1.0 && (isnan(best) || fabs(r - log(w0)) < fabs(best - log(w0))))
            best = r;
    }
    if (isnan(best))
        return cob_err_set(err, COB_ERR_INVALID,
                           "matched law: no weight in [w0/1e3, w0*1e3] gives a stable state "
                           "at %.4g Hz for K = %g",
                           s.nu_hz, k);
    *w = exp(best);
    return COB_OK;
}

cob_status cob_theory_scale(const cob_theory_net *n, cob_scale_law law, double k, double *w_out, char *warn, size_t len,
                            cob_err *err)
{
    double w0 = n->model == COB_THEORY_COND ? n->a : n->j_mV;
    cob_status st = cob_theory_net_validate(n, err);
    if (warn && len)
        warn[0] = '\0';
    if (st != COB_OK)
        return st;
    if (!(k > 0.0) || !(n->K > 0.0))
        return cob_err_set(err, COB_ERR_INVALID, "scaling: K = %g and K0 = %g must be > 0", k, n->K);
    switch (law) {
    case COB_SCALE_NONE: *w_out = w0; break;
    case COB_SCALE_SQRT: *w_out = w0 * sqrt(n->K / k); break;
    case COB_SCALE_LOG:
        if (!(k > 1.0 && n->K > 1.0))
            return cob_err_set(err, COB_ERR_INVALID, "the log law needs K > 1 and K0 > 1 (K = %g, K0 = %g)", k, n->K);
        *w_out = w0 * log(n->K) / log(k);
        break;
    case COB_SCALE_SANZENI: return scale_sanzeni(n, k, w_out, warn, len, err);
    case COB_SCALE_MATCHED: return scale_matched(n, k, w_out, err);
    default: return cob_err_set(err, COB_ERR_INVALID, "unknown scaling law %d", (int)law);
    }
    if (n->model == COB_THEORY_COND && !(*w_out < 1.0))
        return cob_err_set(err, COB_ERR_INVALID, "the %s law gives a = %g at K = %g, not < 1", cob_scale_law_name(law),
                           *w_out, k);
    return COB_OK;
}
