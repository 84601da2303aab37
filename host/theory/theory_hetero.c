/* host/theory/theory_hetero.c -- heterogeneous in-degrees (seed 004, Appendix F, Eqs. F1-F3): each
 * cell's E input K_E^i nu + K_X^i nu_x and I input K_I^i nu carry quenched Gaussian noise
 * (in-degrees with CV_K, presynaptic rates with the population's spread Delta nu); the
 * population mean nu and variance Delta nu^2 are solved self-consistently (Eq. F2) with a 2-D
 * Gauss-Hermite average over (z_E, z_I); the fraction of cells below a rate is the Gaussian
 * measure of {z_E < z_E*(z_I)} (Eq. F3 in cumulative form). Pairs with include/cobalt/theory.h.
 * Deliberate limits: one CV_K for every projection (as in the paper); cells' rates are
 * monotone in z_E (more excitation, more firing); in-degrees that the Gaussian draws negative
 * are clipped to zero input, as the network builder clips K_i at 0. */
#include <math.h>
#include "theory/theory_num.h"

#define HET_GH 20        /* Gauss-Hermite nodes per dimension (rates ~ e^{Gamma z}: exact to ~1e-12 for Gamma <= 3) */
#define HET_INNER_MAX 60 /* fixed-point steps for Delta nu^2 at fixed nu */
#define HET_Z_MAX 12.0   /* z_E range searched for z_E*: Phi(-12) = 2e-33 */

typedef struct {
    const cob_theory_net *n;
    double cv_k;
    double z[HET_GH], w[HET_GH];
    double var_nu; /* warm start of the inner iteration, Hz^2 */
} het_ctx;

typedef struct {
    double re, se, ri, si;
} het_input; /* mean and s.d. of the total E, I input, Hz */

static het_input het_input_of(const het_ctx *c, double nu, double var_nu)
{
    const cob_theory_net *n = c->n;
    het_input h;
    double cv2 = c->cv_k * c->cv_k, ek = n->K * nu, xk = n->k_x * n->nu_x_hz, ik = n->gamma * n->K * nu;
    h.re = ek + xk;
    h.se = sqrt(cv2 * (ek * ek + xk * xk) + n->K * var_nu);
    h.ri = ik;
    h.si = sqrt(cv2 * ik * ik + n->gamma * n->K * var_nu);
    return h;
}

static double cell_rate(const cob_theory_net *n, const het_input *h, double ze, double zi)
{
    double re = h->re + h->se * ze, ri = h->ri + h->si * zi;
    return cob_theory_rate(n, cob__theory_moments_tot(n, re > 0.0 ? re : 0.0, ri > 0.0 ? ri : 0.0));
}

/* Population mean and variance of the cell rates for the input statistics h. */
static void pop_moments(const het_ctx *c, const het_input *h, double *mean, double *var)
{
    double r[HET_GH * HET_GH], s1 = 0.0, s2 = 0.0;
    int i, j;
    for (i = 0; i < HET_GH; ++i)
        for (j = 0; j < HET_GH; ++j) {
            r[i * HET_GH + j] = cell_rate(c->n, h, c->z[i], c->z[j]);
            s1 += c->w[i] * c->w[j] * r[i * HET_GH + j];
        }
    for (i = 0; i < HET_GH; ++i) /* two passes: a zero spread comes out as zero */
        for (j = 0; j < HET_GH; ++j) s2 += c->w[i] * c->w[j] * (r[i * HET_GH + j] - s1) * (r[i * HET_GH + j] - s1);
    *mean = s1;
    *var = s2;
}

/* <nu(z)> - nu at population mean nu, with Delta nu^2 solved at this nu (Eq. F2, second line). */
static double het_residual(double nu, void *ctx)
{
    het_ctx *c = ctx;
    double mean = 0.0, var = c->var_nu;
    int it;
    for (it = 0; it < HET_INNER_MAX; ++it) {
        het_input h = het_input_of(c, nu, var);
        double v_new;
        pop_moments(c, &h, &mean, &v_new);
        if (fabs(v_new - var) <= 1e-9 * v_new + 1e-20 * nu * nu) {
            var = v_new;
            break;
        }
        var = v_new;
    }
    c->var_nu = var;
    return mean - nu;
}

static void het_init(het_ctx *c, const cob_theory_net *n, double cv_k)
{
    c->n = n;
    c->cv_k = cv_k;
    c->var_nu = 0.0;
    cob__gauss_hermite(HET_GH, c->z, c->w);
}

/* Bracket the root of het_residual next to nu_h (the homogeneous state), stepping by factors
 * 1.25, 1.25^2, 1.25^4, ... (at most 1e4) up to 1/tau_rp or down to 0 (residual >= 0 there). */
static int het_bracket(het_ctx *c, double nu_h, double *x0, double *f0, double *x1, double *f1)
{
    double top = (1.0 - 1e-9) / c->n->tau_rp_s, step = 1.25;
    int i;
    *x0 = *x1 = nu_h > 1e-200 ? nu_h : 1e-200;
    *f0 = *f1 = het_residual(*x1, c);
    for (i = 0; i < 100 && (*f0 > 0.0) == (*f1 > 0.0) && *f1 != 0.0; ++i, step = fmin(step * step, 1e4)) {
        *x0 = *x1;
        *f0 = *f1;
        if (*f0 > 0.0) {
            if (*x0 >= top)
                return 0;
            *x1 = fmin(*x0 * step, top);
        } else
            *x1 = *x0 / step > 1e-200 ? *x0 / step : 0.0;
        *f1 = het_residual(*x1, c);
    }
    return (*f0 > 0.0) != (*f1 > 0.0) || *f1 == 0.0;
}

cob_status cob_theory_heterogeneous(const cob_theory_net *n, double cv_k, double nu_silent_hz, cob_theory_hetero *out,
                                    cob_err *err)
{
    het_ctx c;
    cob_theory_state s;
    double x0, f0, x1, f1, nu;
    cob_status st = cob_theory_net_validate(n, err);
    if (st != COB_OK)
        return st;
    if (!(cv_k >= 0.0) || !(nu_silent_hz > 0.0))
        return cob_err_set(err, COB_ERR_INVALID, "heterogeneous theory: CV_K = %g must be >= 0, nu_silent = %g > 0",
                           cv_k, nu_silent_hz);
    if (n->single)
        return cob_err_set(err, COB_ERR_INVALID,
                           "heterogeneous theory (Eqs. F1-F3) is for networks, not for a "
                           "single neuron");
    if (!cob__theory_first_stable(n, &s))
        return cob_err_set(err, COB_ERR_INVALID, "heterogeneous theory: the homogeneous network has no stable state");
    het_init(&c, n, cv_k);
    if (!het_bracket(&c, s.nu_hz, &x0, &f0, &x1, &f1))
        return cob_err_set(err, COB_ERR_INVALID,
                           "heterogeneous theory: no self-consistent state near %.4g Hz "
                           "at CV_K = %g",
                           s.nu_hz, cv_k);
    nu = cob__brent(het_residual, &c, x0, x1, f0, f1, 1e-10, 1e-300);
    het_residual(nu, &c);
    out->mean_hz = nu;
    out->sd_hz = sqrt(c.var_nu);
    out->frac_silent = cob_theory_hetero_cdf(n, cv_k, out, nu_silent_hz);
    return COB_OK;
}

/* ---- the rate distribution (Eq. F3) ------------------------------------------------------- */

typedef struct {
    const cob_theory_net *n;
    het_input h;
    double zi, log_nu;
} zstar_ctx;

static double zstar_residual(double ze, void *ctx)
{
    const zstar_ctx *c = ctx;
    return log(fmax(cell_rate(c->n, &c->h, ze, c->zi), 1e-300)) - c->log_nu;
}

double cob_theory_hetero_cdf(const cob_theory_net *n, double cv_k, const cob_theory_hetero *h, double nu_hz)
{
    het_ctx c;
    zstar_ctx zc;
    double sum = 0.0;
    int j;
    if (!(nu_hz > 0.0))
        return 0.0;
    het_init(&c, n, cv_k);
    zc.n = n;
    zc.h = het_input_of(&c, h->mean_hz, h->sd_hz * h->sd_hz);
    zc.log_nu = log(nu_hz);
    for (j = 0; j < HET_GH; ++j) {
        double flo, fhi, zs;
        zc.zi = c.z[j];
        flo = zstar_residual(-HET_Z_MAX, &zc);
        fhi = zstar_residual(HET_Z_MAX, &zc);
        if (flo >= 0.0)
            continue; /* every cell at this z_I fires at nu or above */
        if (fhi < 0.0) {
            sum += c.w[j];
            continue;
        } /* every cell at this z_I fires below nu */
        zs = cob__brent(zstar_residual, &zc, -HET_Z_MAX, HET_Z_MAX, flo, fhi, 0.0, 1e-10);
        sum += c.w[j] * cob__phi_cdf(zs);
    }
    return sum;
}
