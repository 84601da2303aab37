/* host/theory/theory_syn.c -- the single-neuron transfer function with exponential synapses of one
 * time constant tau_S (seed 004, Appendix G: Eqs. 24, G8-G11; lif_cond_exp and lif_curr_exp with
 * charge-normalised jumps): the Fourcaud-Brunel shift of threshold and reset for tau_S/tau << 1
 * (G9, with the constant corrected: +sqrt(2)|zeta(1/2)|/2 = +1.0326 sigma sqrt(tau_S/tau), not the
 * printed -1.46), Rice's rate of upward threshold crossings (G10) and the adiabatic limit (G11)
 * for tau_S/tau >> 1, with their ranges of validity. Pairs with include/cobalt/theory.h,
 * tests/test_theory_syn.c, docs/theory.md ("Finite synaptic time constants"). Deliberate
 * limits: one tau_S for E and I; the moments (mu, sigma, tau) are those of the instantaneous
 * model, as in G8; no interpolation between the small and large tau_S/tau expansions. */
#include <math.h>
#include "theory/theory_num.h"

const char *cob_theory_syn_name(cob_theory_syn s)
{
    switch (s) {
    case COB_SYN_EQ10: return "Eq. 10 (instantaneous synapses)";
    case COB_SYN_G9: return "G9 (Fourcaud-Brunel shift)";
    case COB_SYN_G10: return "G10 (Rice, threshold crossings)";
    case COB_SYN_G11: return "G11 (adiabatic)";
    default: return "?";
    }
}

const char *cob_theory_syn_validity(cob_theory_syn s)
{
    switch (s) {
    case COB_SYN_EQ10: return "valid for tau_S/tau_eff -> 0";
    case COB_SYN_G9:
        return "valid for tau_S/tau_eff << 1 (the paper: <~ 0.1; at low rates v_max sqrt(tau_S/tau_eff) << 1)";
    case COB_SYN_G10:
        return "valid for tau_S/tau_eff >~ 1 and rare crossings (v_max >> 1; no reset or refractory period)";
    case COB_SYN_G11: return "valid for tau_S/tau_eff >> 1 (the paper: >~ 1)";
    default: return "?";
    }
}

int cob_theory_syn_in_range(cob_theory_syn s, double ratio)
{
    switch (s) {
    case COB_SYN_EQ10: return ratio <= 0.01;
    case COB_SYN_G9: return ratio <= 0.1;
    case COB_SYN_G10: return ratio >= 1.0;
    case COB_SYN_G11: return ratio >= 1.0;
    default: return 0;
    }
}

cob_theory_syn cob_theory_syn_pick(double ratio)
{
    if (!(ratio > 0.0))
        return COB_SYN_EQ10;
    return ratio < 1.0 ? COB_SYN_G9 : COB_SYN_G11;
}

/* G9: Eq. 10 with theta and V_r raised by COB_THEORY_FB_SHIFT sigma sqrt(tau_S/tau). */
static double rate_g9(const cob_theory_net *n, cob_theory_moments m, double tau_syn_s)
{
    cob_theory_net s = *n;
    double d = COB_THEORY_FB_SHIFT * m.sigma_mV * sqrt(tau_syn_s / m.tau_s);
    s.theta_mV += d;
    s.v_reset_mV += d;
    return cob_theory_rate(&s, m);
}

/* G10: 1/(2 pi sqrt(tau tau_S)) exp(-v_max^2 (1 + tau_S/tau)). */
static double rate_g10(const cob_theory_net *n, cob_theory_moments m, double tau_syn_s)
{
    double v = (n->theta_mV - m.mu_mV) / m.sigma_mV;
    return exp(-v * v * (1.0 + tau_syn_s / m.tau_s)) / (2.0 * COB__PI * sqrt(m.tau_s * tau_syn_s));
}

typedef struct {
    double w0, eps, dv, tau, tau_rp, scaled; /* scaled: the factor e^{-w0^2} taken out (w0 > 0) */
} g11_ctx;

/* G11's integrand at w = w0 + u: the quasi-static input z = w gives the deterministic rate of
 * the leaky neuron with mean mu + sigma eps w, log((v_min - eps w)/(v_max - eps w)) =
 * log1p(dv / (eps u)) with dv = v_max - v_min; weighted by e^{-w^2}/sqrt(pi) (z ~ N(0, 1/2)). */
static double g11_integrand(double u, void *ctx)
{
    const g11_ctx *c = ctx;
    double w = c->w0 + u, e, l;
    if (!(u > 0.0))
        return 0.0; /* the first crossing takes forever */
    e = c->scaled ? exp(-u * (2.0 * c->w0 + u)) : exp(-w * w);
    l = log1p(c->dv / (c->eps * u));
    return e / (c->tau_rp + c->tau * l);
}

static double rate_g11(const cob_theory_net *n, cob_theory_moments m, double tau_syn_s)
{
    g11_ctx c;
    double vmax = (n->theta_mV - m.mu_mV) / m.sigma_mV, end, wl, i;
    c.eps = sqrt(m.tau_s / tau_syn_s);
    c.w0 = vmax / c.eps;
    c.dv = (n->theta_mV - n->v_reset_mV) / m.sigma_mV;
    c.tau = m.tau_s;
    c.tau_rp = n->tau_rp_s;
    c.scaled = c.w0 > 0.0;
    if (c.w0 > 27.0)
        return 0.0; /* below e^{-729}/tau: 0 in double */
    /* e^{-w^2} is below e^{-81} of its peak past u_end; near u = 0 the integrand rises like
     * 1/log(1/u), resolved by breakpoints geometric from u = 0 (quad2's left "peak" width). */
    end = (c.w0 < 0.0 ? -c.w0 : 0.0) + 9.0;
    wl = 1e-3 * (c.w0 > 1.0 ? 0.5 / c.w0 : 0.5);
    i = cob__quad2(g11_integrand, &c, 0.0, end, wl, 0.0, COB__QUAD_REL);
    return (c.scaled ? exp(-c.w0 * c.w0) : 1.0) * i / COB__SQRT_PI;
}

double cob_theory_rate_syn(const cob_theory_net *n, cob_theory_moments m, double tau_syn_s, cob_theory_syn approx)
{
    if (approx == COB_SYN_EQ10 || !(tau_syn_s > 0.0) || !(m.sigma_mV > 0.0))
        return cob_theory_rate(n, m); /* no fluctuations to filter: the deterministic rate */
    switch (approx) {
    case COB_SYN_G9: return rate_g9(n, m, tau_syn_s);
    case COB_SYN_G10: return rate_g10(n, m, tau_syn_s);
    case COB_SYN_G11: return rate_g11(n, m, tau_syn_s);
    default: return NAN;
    }
}

/* The stationary s.d. of V of G8 without threshold: the two-stage low-pass filter of white
 * noise has variance sigma^2 / (2 (1 + tau_S/tau)) (sigma / sqrt(2) at tau_S = 0, Eq. 18). */
double cob_theory_sd_v_syn(cob_theory_moments m, double tau_syn_s)
{
    return m.sigma_mV / sqrt(2.0 * (1.0 + tau_syn_s / m.tau_s));
}
