/* host/theory/theory_num.h -- internal numerics of the mean-field library (host/theory*.c): adaptive
 * Gauss-Kronrod quadrature with breakpoints for exponentially peaked integrands, Brent's root
 * finder, Gauss-Hermite nodes for a standard normal, and the scaled Siegert integrand. Pairs
 * with host/theory/theory_num.c. Deliberate limits: one-dimensional, double precision, no state. */
#ifndef COBALT_HOST_THEORY_NUM_H
#define COBALT_HOST_THEORY_NUM_H

#include "cobalt/theory.h"

#define COB__SQRT_PI 1.77245385090551602729816748334115
#define COB__PI 3.14159265358979323846264338327950
/* Relative tolerance of every adaptive integral (the |K15 - G7| estimate is pessimistic: the
 * achieved error is several orders below it, see tests/test_theory.c). */
#define COB__QUAD_REL 1e-10
/* Largest argument of exp() that does not overflow (log(DBL_MAX) = 709.78). */
#define COB__EXP_MAX 700.0

typedef double (*cob__fn)(double x, void *ctx);

/* e^{x^2} to full relative precision (x^2 split into its rounded value and the rounding error). */
double cob__exp_sq(double x);

/* Integral of f over [a, b] (a <= b), adaptive Gauss-Kronrod 7-15 on each piece between the
 * breakpoints cob__breaks chooses (geometric towards -inf, dense near a right-hand peak at b
 * of width peak_w when peak_w > 0, and at 0). rel: relative tolerance per piece. */
double cob__quad(cob__fn f, void *ctx, double a, double b, double peak_w, double rel);
/* Same with peaks at both ends: widths wl at a and wr at b (0: none). */
double cob__quad2(cob__fn f, void *ctx, double a, double b, double wl, double wr, double rel);

/* A root of f in [a, b] given fa = f(a), fb = f(b) of opposite signs (or zero); Brent's
 * method to |dx| <= xtol_rel |x| + xtol_abs. */
double cob__brent(cob__fn f, void *ctx, double a, double b, double fa, double fb, double xtol_rel, double xtol_abs);

/* n-point Gauss-Hermite rule for E[g(z)], z ~ N(0, 1): nodes z[0..n), weights w[0..n) (sum 1).
 * n <= 64. */
void cob__gauss_hermite(int n, double *z, double *w);

/* Integrands that grow like e^{x^2 - m^2} towards a peak at m > 0 are cut where the exponent
 * is below -cut: returns max(lo, sqrt(m^2 - cut)) (lo when m^2 <= cut). COB__CUT = 60 drops
 * less than e^{-60} = 1e-26 of such an integral. */
#define COB__CUT 60.0
double cob__cut_below(double lo, double m, double cut);

/* Standard normal CDF. */
double cob__phi_cdf(double z);

/* e^{-M^2} * integral over [lo, hi] of e^{x^2} (1 + erf x) = erfcx(-x), with M = max(hi, 0)
 * returned in *m_out: finite for every lo < hi (the Siegert integral of Eq. 10 is
 * e^{M^2} times this). Asymptotic series (relative error < 1e-17) for hi > COB__VMAX_ASYM and
 * hi < -10 COB__VMAX_ASYM, quadrature between. */
#define COB__VMAX_ASYM 1e3
double cob__siegert_scaled(double lo, double hi, double *m_out);

/* ---- shared between host/theory*.c ---- */

/* Moments for total input rates per neuron: E spikes re_tot (K_E and K_X inputs together) and
 * I spikes ri_tot (K_I inputs), Hz. */
cob_theory_moments cob__theory_moments_tot(const cob_theory_net *n, double re_tot, double ri_tot);
/* nu tau e^{M^2} with M = max(v_max, 0), finite for every v_max (nu_hz: the rate of m). */
double cob__theory_flux_scaled(const cob_theory_net *n, cob_theory_moments m, double nu_hz, double mx);
/* dPhi/dnu of the network map nu -> rate(moments_net(nu)). */
double cob__theory_phi_slope(const cob_theory_net *n, double nu);
/* The lowest stable self-consistent state; 0 if there is none. */
int cob__theory_first_stable(const cob_theory_net *n, cob_theory_state *s);

/* cob_theory_ei_from_config; allow_mu_sched = 1 also accepts a noise mean schedule, taken at its
 * final value (seed 001's SSN: the caller supplies mu). pop_of (may be NULL): the config
 * indices of E and I. */
cob_status cob__theory_ei_from_config(const cob_config *c, int allow_mu_sched, cob_theory_ei *n, int pop_of[2],
                                      cob_err *err);

/* seed 001's SSN (host/theory/theory_ssn.c): r_I(r_E) from the I equation, the characteristic
 * function F(r_E) = f_E(mu_E + J_EE r_E + J_EI r_I(r_E)) - r_E, and the state at r_E (rates,
 * gains, eigenvalues, stability, ISN). */
double cob__ssn_r_i(const cob_ssn *s, double r_e);
double cob__ssn_residual_e(const cob_ssn *s, double r_e);
void cob__ssn_describe(const cob_ssn *s, double r_e, cob_ssn_state *st);

#endif
