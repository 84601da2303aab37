/* host/theory/theory.c -- mean-field theory of one E/I network with external Poisson input, or of a
 * single neuron with fixed Poisson input (seed 004, Sanzeni, Histed & Brunel): the moments of
 * the diffusion approximation (Eq. 5 with the effective-time-constant approximation, Eq. 8),
 * the Siegert rate (Eqs. 10-11), the CV of the ISI (Eq. 15), P(V) and its moments (Eq. 17),
 * and every self-consistent rate (Eq. 19; a single neuron has just its Siegert rate).
 * Pairs with include/cobalt/theory.h; scaling laws and strong coupling in host/theory/theory_scale.c,
 * heterogeneity in host/theory/theory_hetero.c, numerics in host/theory/theory_num.c. Deliberate limits:
 * identical E and I neurons, stationary asynchronous states only; the moments are those of
 * instantaneous synapses (exponential ones enter in theory_syn.c), white noise adds tau mu_w and
 * tau sigma_w^2. */
#include <math.h>
#include <string.h>
#include "theory/theory_num.h"

/* Grid of the root search: x = nu tau_rp, logit(x) uniform in [log 1e-9, log 1e4]. */
#define SOLVE_GRID 400

void cob_theory_net_defaults(cob_theory_net *n, cob_theory_model model)
{
    memset(n, 0, sizeof *n);
    n->model = model;
    n->tau_m_s = 0.020;
    n->tau_rp_s = 0.002;
    n->gamma = 0.25;
    n->K = n->k_x = 1000.0;
    n->e_e_mV = 0.0; /* lif_curr ignores the reversals; these are cob_lif_params' defaults */
    n->e_i_mV = -75.0;
    if (model == COB_THEORY_COND) {
        n->theta_mV = -55.0;
        n->v_reset_mV = -65.0;
        n->e_l_mV = -80.0;
        n->g = 20.0;
        n->a = 1.6e-3;
        n->nu_x_hz = 25.0;
    } else {
        n->theta_mV = 20.0;
        n->v_reset_mV = 10.0;
        n->e_l_mV = 0.0;
        n->g = 5.0;
        n->j_mV = 0.1;
        n->nu_x_hz = 20.0;
    }
}

cob_status cob_theory_net_validate(const cob_theory_net *n, cob_err *err)
{
    const char *bad = NULL;
    /* A single neuron under white noise alone (no synaptic input: K = 0) has no weight, and may
     * have no refractory period (seed 001's E1 neuron); a network needs both. */
    int syn = !(n->single && n->K == 0.0);
    if (!(n->tau_m_s > 0.0))
        bad = "tau_m_s must be > 0";
    else if (!(n->tau_rp_s > 0.0 || (n->single && n->tau_rp_s == 0.0)))
        bad = "tau_rp_s must be > 0 (>= 0 for a single neuron)";
    else if (!(n->theta_mV > n->v_reset_mV))
        bad = "theta must be above the reset";
    else if (!(n->K >= 0.0 && n->k_x >= 0.0 && n->gamma >= 0.0 && n->g >= 0.0))
        bad = "K, k_x, gamma, g must be >= 0";
    else if (!(n->nu_x_hz >= 0.0))
        bad = "nu_x must be >= 0";
    else if (n->single != 0 && n->single != 1)
        bad = "single must be 0 or 1";
    else if (!(n->eta >= 0.0 && n->eta < INFINITY))
        bad = "eta must be finite and >= 0";
    else if (!(n->tau_syn_s >= 0.0 && n->tau_syn_s < INFINITY))
        bad = "tau_syn must be finite and >= 0";
    else if (!(n->noise_sigma_mV_per_sqrt_s >= 0.0 && n->noise_sigma_mV_per_sqrt_s < INFINITY) ||
             !isfinite(n->noise_mu_mV_per_s))
        bad = "the noise needs a finite mu and a finite sigma >= 0";
    else if (n->model == COB_THEORY_COND && syn && !(n->a > 0.0 && n->a < 1.0))
        bad = "a must be in (0, 1)";
    else if (n->model == COB_THEORY_COND && !(n->e_e_mV > n->theta_mV && n->e_i_mV < n->theta_mV))
        bad = "lif_cond needs E_I < theta < E_E";
    else if (n->model == COB_THEORY_CURR && syn && !(n->j_mV > 0.0))
        bad = "J must be > 0";
    else if (n->model != COB_THEORY_COND && n->model != COB_THEORY_CURR)
        bad = "unknown model";
    if (bad)
        return cob_err_set(err, COB_ERR_INVALID, "theory network: %s", bad);
    return COB_OK;
}

/* Moments for total input rates per neuron: E spikes R_E = K r_E (external included) and I
 * spikes R_I = gamma K r_I, both in Hz. Eq. 5 reads a K r_E = a R_E, a K g gamma r_I = a g R_I. */
cob_theory_moments cob__theory_moments_tot(const cob_theory_net *n, double re_tot, double ri_tot)
{
    cob_theory_moments m;
    double var;
    if (n->model == COB_THEORY_COND) {
        double ge = n->a * re_tot, gi = n->a * n->g * ri_tot;
        m.tau_s = 1.0 / (1.0 / n->tau_m_s + ge + gi);
        m.mu_mV = m.tau_s * (n->e_l_mV / n->tau_m_s + ge * n->e_e_mV + gi * n->e_i_mV);
        if (n->noise_mu_mV_per_s != 0.0)
            m.mu_mV += m.tau_s * n->noise_mu_mV_per_s;
        var = n->a * n->a * m.tau_s *
              (re_tot * (m.mu_mV - n->e_e_mV) * (m.mu_mV - n->e_e_mV) +
               n->g * n->g * ri_tot * (m.mu_mV - n->e_i_mV) * (m.mu_mV - n->e_i_mV));
    } else {
        m.tau_s = n->tau_m_s;
        m.mu_mV = n->e_l_mV + n->mu_ext_mV + m.tau_s * n->j_mV * (re_tot - n->g * ri_tot);
        if (n->noise_mu_mV_per_s != 0.0)
            m.mu_mV += m.tau_s * n->noise_mu_mV_per_s;
        var = m.tau_s * n->j_mV * n->j_mV * (re_tot + n->g * n->g * ri_tot);
    }
    /* White noise (seed 001's Phi_sc): sigma_ext^2 = tau sigma_w^2, added only when present so
     * that every result without noise stays bit-identical. */
    if (n->noise_sigma_mV_per_sqrt_s != 0.0)
        var += m.tau_s * n->noise_sigma_mV_per_sqrt_s * n->noise_sigma_mV_per_sqrt_s;
    m.sigma_mV = sqrt(var);
    return m;
}

cob_theory_moments cob_theory_moments_rates(const cob_theory_net *n, double r_e_hz, double r_i_hz)
{
    return cob__theory_moments_tot(n, n->K * r_e_hz, n->gamma * n->K * r_i_hz);
}

cob_theory_moments cob_theory_moments_net(const cob_theory_net *n, double nu_hz)
{
    if (n->single) /* fixed inputs: r_E = nu_x, r_I = eta nu_x (Sec. III) */
        return cob__theory_moments_tot(n, n->K * n->nu_x_hz, n->gamma * n->K * n->eta * n->nu_x_hz);
    return cob__theory_moments_tot(n, n->K * nu_hz + n->k_x * n->nu_x_hz, n->gamma * n->K * nu_hz);
}

/* sigma = 0: the deterministic neuron (Eq. B4 form). */
static double rate_deterministic(const cob_theory_net *n, cob_theory_moments m)
{
    if (!(m.mu_mV > n->theta_mV))
        return 0.0;
    return 1.0 / (n->tau_rp_s + m.tau_s * log((m.mu_mV - n->v_reset_mV) / (m.mu_mV - n->theta_mV)));
}

/* log(tau sqrt(pi) * Siegert integral); *m_out = max(v_max, 0). */
static double log_siegert(const cob_theory_net *n, cob_theory_moments m, double *m_out)
{
    double lo = (n->v_reset_mV - m.mu_mV) / m.sigma_mV, hi = (n->theta_mV - m.mu_mV) / m.sigma_mV;
    double s = cob__siegert_scaled(lo, hi, m_out);
    return log(m.tau_s * COB__SQRT_PI * s) + (*m_out) * (*m_out);
}

double cob_theory_rate(const cob_theory_net *n, cob_theory_moments m)
{
    double mx, t;
    if (!(m.sigma_mV > 0.0))
        return rate_deterministic(n, m);
    if ((n->theta_mV - m.mu_mV) / m.sigma_mV > 40.0)
        return 0.0; /* < e^{-1600}: 0 in double */
    t = log_siegert(n, m, &mx);
    if (t > COB__EXP_MAX)
        return exp(-t); /* tau_rp is negligible next to e^t */
    return 1.0 / (n->tau_rp_s + exp(t));
}

/* nu tau e^{M^2}, M = max(v_max, 0): O(1) whatever v_max, from nu_hz when it is representable,
 * else from the scaled Siegert integral. */
double cob__theory_flux_scaled(const cob_theory_net *n, cob_theory_moments m, double nu_hz, double mx)
{
    double t;
    if (nu_hz > 1e-290) {
        t = log(nu_hz * m.tau_s) + mx * mx;
        if (t < COB__EXP_MAX)
            return exp(t);
    }
    t = log_siegert(n, m, &mx);
    return 1.0 / (n->tau_rp_s / m.tau_s * exp(-mx * mx) + exp(t - mx * mx - log(m.tau_s)));
}

/* ---- CV of the ISI, Eq. 15 ----------------------------------------------------------------
 * CV^2 = 2 pi nu^2 tau^2 int_lo^hi H(x) dx, H(x) = e^{x^2} int_-inf^x e^{y^2} (1 + erf y)^2 dy.
 * With e^{y^2}(1 + erf y)^2 = erfcx(-y)^2 e^{-y^2}:
 *   x <= 0: H(x) = int_0^inf erfcx(|x| + t)^2 e^{-t (2|x| + t)} dt   (y = x - t; all terms <= 1)
 *   x > 0:  H(x) = e^{x^2} [H(0) + int_0^x e^{y^2} (1 + erf y)^2 dy]
 * and everything is scaled by e^{-2 M^2}, M = max(hi, 0), so that CV^2 = 2 pi (nu tau e^{M^2})^2
 * * int Hs: no overflow for any hi. */
typedef struct {
    double x, m, h0s;
} cv_ctx;

static double h_neg_integrand(double t, void *ctx)
{
    double ax = -((cv_ctx *)ctx)->x, e = cob_erfcx(ax + t);
    return e * e * exp(-t * (2.0 * ax + t));
}

/* H(x) for x <= 0 (unscaled; <= H(0) = 1.07). */
static double h_neg(double x)
{
    cv_ctx c;
    double t_end = sqrt(x * x + 80.0) + x; /* t (2|x| + t) = 80 there: e^{-80} */
    c.x = x;
    return cob__quad2(h_neg_integrand, &c, 0.0, t_end, x < -1.0 ? -0.5 / x : 0.0, 0.0, COB__QUAD_REL);
}

static double h_pos_inner(double y, void *ctx)
{
    double m = ((cv_ctx *)ctx)->m, s = 2.0 - erfc(y);
    return exp((y - m) * (y + m)) * s * s;
}

static double hs_outer(double x, void *ctx)
{
    cv_ctx *c = ctx;
    double m = c->m, inner;
    if (x <= 0.0)
        return h_neg(x) * exp(-2.0 * m * m);
    c->x = x;
    inner = cob__quad(h_pos_inner, c, cob__cut_below(0.0, x, COB__CUT), x, x > 1.0 ? 0.5 / x : 0.0, COB__QUAD_REL);
    return exp((x - m) * (x + m)) * (c->h0s + inner);
}

double cob_theory_cv(const cob_theory_net *n, cob_theory_moments m, double nu_hz)
{
    double lo, hi, f, s;
    cv_ctx c;
    if (!(m.sigma_mV > 0.0))
        return 0.0;
    lo = (n->v_reset_mV - m.mu_mV) / m.sigma_mV;
    hi = (n->theta_mV - m.mu_mV) / m.sigma_mV;
    if (hi > COB__VMAX_ASYM)
        return 1.0;                  /* Poisson escape; corrections ~e^{-2 v_max (v_max - v_min)} */
    if (hi < -10.0 * COB__VMAX_ASYM) /* near-deterministic: H(x) = 1/(2 pi |x|^3) (1 + O(1/x^2)) */
        return nu_hz * m.tau_s * sqrt(0.5 * (1.0 / (hi * hi) - 1.0 / (lo * lo)));
    c.m = hi > 0.0 ? hi : 0.0;
    c.h0s = h_neg(0.0) * exp(-c.m * c.m);
    f = cob__theory_flux_scaled(n, m, nu_hz, c.m);
    /* Hs grows like e^{2 (x^2 - M^2)}: cut at half the usual exponent. */
    s = cob__quad(hs_outer, &c, cob__cut_below(lo, c.m, 0.5 * COB__CUT), hi, hi > 1.0 ? 0.25 / hi : 0.0, COB__QUAD_REL);
    return sqrt(2.0 * COB__PI * f * f * s);
}

/* ---- P(V), Eq. 17 ------------------------------------------------------------------------
 * P(V) = (2 nu tau / sigma) int_{max(y, v_min)}^{v_max} e^{x^2 - y^2} dx, y = v(V), written as
 * (2 / sigma) (nu tau e^{M^2}) int e^{x^2 - M^2 - y^2} dx. */
typedef struct {
    double m, y;
} pv_ctx;

static double pv_integrand(double x, void *ctx)
{
    const pv_ctx *c = ctx;
    return exp((x - c->m) * (x + c->m) - c->y * c->y);
}

void cob_theory_pv(const cob_theory_net *n, cob_theory_moments m, double nu_hz, const double *v_mV, int n_v, double *p)
{
    double lo, hi, f;
    pv_ctx c;
    int i;
    if (!(m.sigma_mV > 0.0)) { /* no density: V sits at mu or moves deterministically */
        for (i = 0; i < n_v; ++i) p[i] = 0.0;
        return;
    }
    lo = (n->v_reset_mV - m.mu_mV) / m.sigma_mV;
    hi = (n->theta_mV - m.mu_mV) / m.sigma_mV;
    c.m = hi > 0.0 ? hi : 0.0;
    f = cob__theory_flux_scaled(n, m, nu_hz, c.m);
    for (i = 0; i < n_v && hi > COB__VMAX_ASYM; ++i) { /* never fires: Eq. 18 exactly */
        double y = (v_mV[i] - m.mu_mV) / m.sigma_mV;
        p[i] = v_mV[i] < n->theta_mV ? exp(-y * y) / (COB__SQRT_PI * m.sigma_mV) : 0.0;
    }
    for (i = 0; i < n_v && !(hi > COB__VMAX_ASYM); ++i) {
        double a;
        c.y = (v_mV[i] - m.mu_mV) / m.sigma_mV;
        a = c.y > lo ? c.y : lo;
        if (!(v_mV[i] < n->theta_mV)) {
            p[i] = 0.0;
            continue;
        }
        a = cob__cut_below(a, c.m, COB__CUT);
        p[i] = 2.0 / m.sigma_mV * f *
               cob__quad2(pv_integrand, &c, a, hi, a < -1.0 ? -0.5 / a : 0.0, hi > 1.0 ? 0.5 / hi : 0.0, COB__QUAD_REL);
    }
}

/* Moments of Eq. 17 in closed form: with y = v(V) and the order of integration swapped,
 * int y^k P dV = 2 nu tau int_{v_min}^{v_max} dx e^{x^2} int_{-inf}^x y^k e^{-y^2} dy, so
 *   k = 0: nu tau sqrt(pi) I = 1 - nu tau_rp (the non-refractory mass),
 *   k = 1: -nu tau (v_max - v_min),
 *   k = 2: (1 - nu tau_rp)/2 - nu tau (v_max^2 - v_min^2)/2.
 * sigma = 0: the deterministic trajectory (suprathreshold) or V = mu. */
void cob_theory_v_moments(const cob_theory_net *n, cob_theory_moments m, double nu_hz, double *mean_mV, double *sd_mV)
{
    double lo, hi, m0, ey, ey2, nt = nu_hz * m.tau_s;
    if (!(m.sigma_mV > 0.0)) {
        double T = nu_hz > 0.0 ? 1.0 / nu_hz - n->tau_rp_s : 0.0;
        *mean_mV = m.mu_mV;
        *sd_mV = 0.0;
        if (T > 0.0 && m.mu_mV > n->theta_mV) /* V = mu + (V_r - mu) e^{-t/tau}, 0 < t < T */
            *mean_mV = m.mu_mV + (n->v_reset_mV - m.mu_mV) * m.tau_s / T * (1.0 - exp(-T / m.tau_s));
        return;
    }
    lo = (n->v_reset_mV - m.mu_mV) / m.sigma_mV;
    hi = (n->theta_mV - m.mu_mV) / m.sigma_mV;
    m0 = 1.0 - nu_hz * n->tau_rp_s;
    if (!(m0 > 0.0)) {
        *mean_mV = *sd_mV = NAN;
        return;
    }
    ey = -nt * (hi - lo) / m0;
    ey2 = 0.5 - nt * (hi * hi - lo * lo) / (2.0 * m0);
    *mean_mV = m.mu_mV + m.sigma_mV * ey;
    *sd_mV = m.sigma_mV * sqrt(fmax(ey2 - ey * ey, 0.0));
}

/* ---- self-consistency, Eq. 19 ------------------------------------------------------------ */

typedef struct {
    const cob_theory_net *n;
    cob_theory_syn syn; /* the transfer function: Eq. 10, or one of Appendix G's */
} sc_ctx;

static double phi_net(const cob_theory_net *n, double nu)
{
    return cob_theory_rate(n, cob_theory_moments_net(n, nu));
}

static double phi_syn(const cob_theory_net *n, cob_theory_syn syn, double nu)
{
    if (syn == COB_SYN_EQ10) /* the very same calls as before Appendix G existed */
        return phi_net(n, nu);
    return cob_theory_rate_syn(n, cob_theory_moments_net(n, nu), n->tau_syn_s, syn);
}

static double sc_residual(double nu, void *ctx)
{
    const sc_ctx *c = ctx;
    return phi_syn(c->n, c->syn, nu) - nu;
}

/* Phi'(nu) by central differences (Phi is smooth; quadrature error ~1e-13 relative). */
double cob__theory_phi_slope(const cob_theory_net *n, double nu)
{
    double h = 1e-5 * nu + 1e-9;
    double lo = nu - h > 0.0 ? nu - h : 0.0;
    return (phi_net(n, nu + h) - phi_net(n, lo)) / (nu + h - lo);
}

static void fill_state(const cob_theory_net *n, double nu, cob_theory_state *s)
{
    s->nu_hz = nu;
    s->m = cob_theory_moments_net(n, nu);
    s->stable = cob__theory_phi_slope(n, nu) < 1.0;
    s->cv = cob_theory_cv(n, s->m, nu);
    cob_theory_v_moments(n, s->m, nu, &s->v_mean_mV, &s->v_sd_mV);
}

static double grid_rate(const cob_theory_net *n, int i)
{
    double u = log(1e-9) + (log(1e4) - log(1e-9)) * i / (SOLVE_GRID - 1);
    return 1.0 / (n->tau_rp_s * (1.0 + exp(-u)));
}

/* The roots in each bracket [lo, hi] where the residual changes sign, ascending. */
static int roots_in_grid(const cob_theory_net *n, cob_theory_syn syn, double *roots, int max)
{
    sc_ctx c;
    double x0 = 0.0, f0, x1, f1;
    int i, k = 0;
    c.n = n;
    c.syn = syn;
    f0 = sc_residual(0.0, &c);
    for (i = 0; i <= SOLVE_GRID && k < max; ++i) {
        x1 = i < SOLVE_GRID ? grid_rate(n, i) : 1.0 / n->tau_rp_s;
        f1 = sc_residual(x1, &c);
        if (f0 == 0.0 && i == 0)
            roots[k++] = 0.0;
        else if ((f0 > 0.0 && f1 <= 0.0) || (f0 < 0.0 && f1 >= 0.0))
            roots[k++] = cob__brent(sc_residual, &c, x0, x1, f0, f1, 1e-12, 1e-300);
        x0 = x1;
        f0 = f1;
    }
    return k;
}

int cob_theory_solve(const cob_theory_net *n, cob_theory_state *out, int max)
{
    double roots[64];
    int i, k;
    if (cob_theory_net_validate(n, NULL) != COB_OK || max <= 0)
        return 0;
    if (n->single) { /* Phi does not depend on nu: its value is the one state */
        fill_state(n, phi_net(n, 0.0), &out[0]);
        return 1;
    }
    k = roots_in_grid(n, COB_SYN_EQ10, roots, max < 64 ? max : 64);
    for (i = 0; i < k; ++i) fill_state(n, roots[i], &out[i]);
    return k;
}

int cob_theory_solve_syn(const cob_theory_net *n, cob_theory_syn syn, double *nu_hz, int *stable, int max)
{
    double roots[64];
    int i, k;
    if (cob_theory_net_validate(n, NULL) != COB_OK || max <= 0 || syn < COB_SYN_EQ10 || syn > COB_SYN_G11)
        return 0;
    if (n->single) {
        nu_hz[0] = phi_syn(n, syn, 0.0);
        if (stable)
            stable[0] = 1;
        return 1;
    }
    k = roots_in_grid(n, syn, roots, max < 64 ? max : 64);
    for (i = 0; i < k; ++i) {
        double nu = roots[i], h = 1e-5 * nu + 1e-9, lo = nu - h > 0.0 ? nu - h : 0.0;
        nu_hz[i] = nu;
        if (stable) /* Phi' < 1, as cob__theory_phi_slope */
            stable[i] = (phi_syn(n, syn, nu + h) - phi_syn(n, syn, lo)) / (nu + h - lo) < 1.0;
    }
    return k;
}

int cob__theory_first_stable(const cob_theory_net *n, cob_theory_state *s)
{
    cob_theory_state st[16];
    int i, k = cob_theory_solve(n, st, 16);
    for (i = 0; i < k; ++i)
        if (st[i].stable) {
            *s = st[i];
            return 1;
        }
    return 0;
}
