/* include/cobalt/theory.h -- mean-field theory of E/I networks of LIF neurons with an external
 * Poisson population (Sanzeni, Histed & Brunel, seed 004: Eqs. 5, 8, 10-21, Appendices B, D,
 * F; misprints listed in shared/DESIGN.md). Double precision, numerically stable (the Siegert
 * integrand e^{x^2}(1 + erf x) is evaluated through erfcx, never overflowing). Pairs with
 * host/theory*.c, tests/test_theory.c, tests/test_theory_syn.c, docs/theory.md. Deliberate limits:
 * identical E and I neurons (nu_E = nu_I = nu, as in the paper's main text) except seed 001's
 * two-population Phi_sc (cob_theory_ei); exponential synapses only through the single-neuron
 * transfer functions of Appendix G (cob_theory_rate_syn), not in the self-consistency. */
#ifndef COBALT_THEORY_H
#define COBALT_THEORY_H

#include "net.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { COB_THEORY_COND = 0, COB_THEORY_CURR } cob_theory_model;

/* One E/I network: K_E = K, K_I = gamma K, K_X = k_x (usually K) inputs at nu_x.
 * lif_cond: E jump a (dimensionless), I jump g a; lif_curr: E jump J mV, I jump g J.
 * single = 1: a single neuron (an unconnected population) driven by fixed Poisson input, the
 * paper's Secs. III-IV: K excitatory inputs at r_E = nu_x and gamma K inhibitory ones at
 * r_I = eta nu_x, no recurrence (k_x is kept equal to K and not used). */
typedef struct {
    cob_theory_model model;
    double tau_m_s, tau_rp_s;
    double theta_mV, v_reset_mV, e_l_mV;
    double e_e_mV, e_i_mV; /* lif_cond reversals */
    double mu_ext_mV;      /* lif_curr constant drive */
    double K, gamma, g, k_x;
    double a;    /* lif_cond */
    double j_mV; /* lif_curr */
    double nu_x_hz;
    int single; /* 0: the E/I network; 1: a single neuron (above) */
    double eta; /* single: I input rate / E input rate (r_I = eta nu_x) */
    /* Additions for issue 12, all 0 by default (then every result is bit-identical to before): */
    double tau_syn_s;         /* one synaptic time constant tau_S of E and I (lif_*_exp), 0: instantaneous */
    double noise_mu_mV_per_s; /* white-noise input dV = mu dt + sigma dW (key `noise`, seed 001) */
    double noise_sigma_mV_per_sqrt_s;
} cob_theory_net;

/* Defaults: lif_cond, the Fig. 4 network of seed 004 (Sec. II neuron: tau 20 ms, tau_rp 2 ms,
 * theta -55, V_r -65, E_L -80, E_E 0, E_I -75 mV; K = k_x = 1000, gamma 1/4, g 20, a 1.6e-3,
 * nu_x 25 Hz); lif_curr, Brunel (2000) model A (theta 20, V_r 10, E_L 0 mV, K = k_x = 1000,
 * gamma 1/4, g 5, J 0.1 mV, nu_x 20 Hz). Both: a network (single = 0, eta = 0). */
void cob_theory_net_defaults(cob_theory_net *n, cob_theory_model model);
/* Ranges: tau_m, tau_rp > 0 (tau_rp >= 0 for a single neuron); theta > V_r; tau_syn >= 0, noise
 * sigma >= 0 and mu finite; a single neuron with K = 0 (white noise only) needs no weight; K, k_x, gamma, g, nu_x >= 0; lif_cond 0 < a < 1 and
 * E_I < theta < E_E; lif_curr J > 0; single 0 or 1, eta >= 0. COB_OK or COB_ERR_INVALID with the reason in err (may be
 * NULL). The functions below assume a valid n (cob_theory_solve returns 0 states otherwise). */
cob_status cob_theory_net_validate(const cob_theory_net *n, cob_err *err);

/* erfcx(x) = e^{x^2} erfc(x) (not in C's libm): relative error < 1e-14 for x >= -26.6;
 * +inf below (the value exceeds DBL_MAX). */
double cob_erfcx(double x);

/* Effective time constant (s), mean and noise (mV) of the diffusion approximation (Eq. 5 with
 * the effective-time-constant approximation sigma(V) -> sigma(mu), Eq. 6; or Eq. 8). Rates are
 * the paper's r_E, r_I: a neuron receives K r_e excitatory spikes per second (its K_E recurrent
 * and K_X external inputs together) and gamma K r_i inhibitory ones. In the network,
 * K r_e = K nu + k_x nu_x and r_i = nu (moments_net); with k_x = K, r_e = nu_x + nu (Eq. 19).
 * For a single neuron (n->single) moments_net ignores nu: r_e = nu_x, r_i = eta nu_x.
 * lif_cond: 1/tau = 1/tau_L + a (K r_e + g gamma K r_i), mu = tau (E_L/tau_L + a K r_e E_E +
 * a g gamma K r_i E_I), sigma^2 = a^2 tau (K r_e (mu - E_E)^2 + g^2 gamma K r_i (mu - E_I)^2).
 * lif_curr: tau = tau_L, mu = E_L + mu_ext + tau J (K r_e - g gamma K r_i),
 * sigma^2 = tau J^2 (K r_e + g^2 gamma K r_i). White noise (n->noise_*, both models; seed 001's
 * Phi_sc: mu_X = mu_ext + sum_Y J_XY nu_Y, sigma_X^2 = sigma_ext^2 + sum_Y K_XY j_XY^2 nu_Y in
 * units of tau): mu += tau noise_mu, sigma^2 += tau noise_sigma^2. */
typedef struct {
    double tau_s, mu_mV, sigma_mV;
} cob_theory_moments;

cob_theory_moments cob_theory_moments_net(const cob_theory_net *n, double nu_hz);
cob_theory_moments cob_theory_moments_rates(const cob_theory_net *n, double r_e_hz, double r_i_hz);

/* Siegert rate (Eqs. 10-11), Hz; underflows gracefully to 0 far below threshold. sigma = 0:
 * the deterministic rate 1/(tau_rp + tau log((mu - V_r)/(mu - theta))), or 0. */
double cob_theory_rate(const cob_theory_net *n, cob_theory_moments m);
/* CV of the ISI (Eq. 15) at rate nu_hz, which must be the Siegert rate of m. */
double cob_theory_cv(const cob_theory_net *n, cob_theory_moments m, double nu_hz);
/* Stationary P(V) (Eq. 17) at v_mV[0..n_v) into p (per mV; its integral is 1 - nu tau_rp), and
 * its mean and s.d. over the non-refractory part (what cobalt samples), in closed form. nu_hz:
 * the Siegert rate of m. */
void cob_theory_pv(const cob_theory_net *n, cob_theory_moments m, double nu_hz, const double *v_mV, int n_v, double *p);
void cob_theory_v_moments(const cob_theory_net *n, cob_theory_moments m, double nu_hz, double *mean_mV, double *sd_mV);

/* A self-consistent state nu = Phi(nu) = rate(moments_net(nu)) (Eq. 19: K r_e = K nu + k_x nu_x,
 * r_i = nu), with its moments, CV (Eq. 15) and V mean and s.d. (Eq. 17). stable: Phi'(nu) < 1
 * (the mean-field fixed point is stable under rate dynamics; oscillatory instabilities of the
 * asynchronous state are not analysed). A single neuron has exactly one state, its Siegert rate
 * at the fixed input rates (Phi does not depend on nu; stable = 1). */
typedef struct {
    double nu_hz;
    int stable;
    cob_theory_moments m;
    double cv, v_mean_mV, v_sd_mV;
} cob_theory_state;

/* All self-consistent rates in (0, 1/tau_rp), ascending; returns how many (<= max). Sign changes
 * of Phi(nu) - nu on a 400-point grid uniform in log(nu tau_rp / (1 - nu tau_rp)) from 1e-9 to
 * 1 - 1e-4 (plus the end intervals), each refined by Brent to 1e-12 relative: two roots closer
 * than one grid step (a ratio of 1.08 in rate) can be missed. A rate of 0 is reported when Phi(0)
 * underflows (a quiescent state). single: the one state, no search. */
int cob_theory_solve(const cob_theory_net *n, cob_theory_state *out, int max);

/* Eq. 13 in the network (Appendix D: r_E / nu_x = k_x/K + rho, r_I / nu_x = rho, the leak
 * neglected, a K nu_x tau_L >> 1): tau_bar = a K nu_x tau (dimensionless), mu_bar,
 * sigma_bar (sigma = sqrt(a) sigma_bar) and v_bar = (theta - mu_bar) / sigma_bar
 * (so v_max^2 = v_bar^2 / a). lif_cond only (NAN fields for lif_curr). For a single neuron this
 * is Eq. 13 as printed, r_E / nu_x = 1 and r_I / nu_x = eta (rho is not used). */
typedef struct {
    double tau_bar, mu_bar_mV, sigma_bar_mV, v_bar;
} cob_theory_bars;
cob_theory_bars cob_theory_strong_bars(const cob_theory_net *n, double rho);

/* Strong-coupling limits: the gain rho of Eq. 20 (nu = rho nu_x, from Eq. 12 solved
 * self-consistently, Appendix D) and the large tau_S / tau response of Eq. 21.
 * lif_cond: rho solves rho Omega(rho) = 1 (Eqs. D1-D2: tau_rp nu_x -> 0), where
 * Omega = nu_x / nu of Eq. 10 with the leak-free moments of cob_theory_strong_bars:
 * Omega = tau_bar sqrt(pi) I / (a K), I = int_{v_min}^{v_max} e^{x^2}(1 + erf x) dx with
 * v_max = v_bar / sqrt(a), v_min = (V_r - mu_bar) / (sqrt(a) sigma_bar). For v_bar^2/a >> 1,
 * I -> sqrt(a) e^{v_bar^2/a} / v_bar and this is Eq. 12's Omega; unlike Eq. 12's Kramers form
 * it stays finite as v_bar -> 0, so it has no spurious root there. Of several roots, the
 * lowest stable one (rho Omega increasing); NAN if none (no balanced state: the network
 * saturates). lif_curr: the balanced-state gain (k_x/K) / (g gamma - 1), NAN if g gamma <= 1.
 * Both depend on a and K (not on nu_x); they describe the network only where Eq. 14 is valid.
 * Eq. 21 (lif_cond): nu = (k_x/K) (E_E - theta) nu_x / (theta (1 + g gamma) - E_E - g gamma E_I),
 * NAN when the denominator is <= 0 or for lif_curr. Both are network quantities: NAN for a single
 * neuron. */
double cob_theory_gain_rho(const cob_theory_net *n);
double cob_theory_eq21_rate(const cob_theory_net *n);

/* Heterogeneous in-degree (Eqs. F1-F3): every in-degree K_E^i, K_I^i, K_X^i Gaussian with CV_K;
 * a cell's E input K nu + k_x nu_x + z_E sqrt(CV_K^2 ((K nu)^2 + (k_x nu_x)^2) + K Delta nu^2)
 * and I input gamma K nu + z_I sqrt(CV_K^2 (gamma K nu)^2 + gamma K Delta nu^2) (clipped at 0),
 * z_E, z_I quenched standard normals; the population mean nu and variance Delta nu^2 solved
 * self-consistently (Eq. F2; the Delta nu^2 terms, which Eq. F1 drops as O(1/K), are kept),
 * starting from the lowest stable homogeneous state. Gaussian averages: 20 x 20 Gauss-Hermite
 * nodes (1e-4 relative at CV_K = 0.2, 1e-3 at 0.4). out: mean rate, s.d. of rates, fraction of
 * cells below nu_silent_hz (e.g. 1e-3, Fig. 4D). COB_ERR_INVALID (message in err) for a bad
 * argument, a single neuron (not implemented: no self-consistency to solve) or when no state is
 * found. About 0.1 s. */
typedef struct {
    double mean_hz, sd_hz, frac_silent;
} cob_theory_hetero;
cob_status cob_theory_heterogeneous(const cob_theory_net *n, double cv_k, double nu_silent_hz, cob_theory_hetero *out,
                                    cob_err *err);
/* Fraction of cells with a rate below nu_hz in the heterogeneous state h of (n, cv_k) (the
 * cumulative form of Eq. F3; differences give a rate histogram). */
double cob_theory_hetero_cdf(const cob_theory_net *n, double cv_k, const cob_theory_hetero *h, double nu_hz);

/* Scaling laws for K sweeps, anchored at (K0, w0) where w is a (lif_cond) or J (lif_curr):
 * none: w0; sqrt: w0 sqrt(K0/K); log: w0 log(K0)/log(K) (K, K0 > 1); sanzeni (lif_cond):
 * K/K0 = [tau_bar e^{v_bar^2/a} / (sqrt(a) v_bar)] / [same at a0] (Eq. 14) solved exactly for a,
 * with tau_bar, v_bar from Eq. 13 at the anchor's gain rho0 = nu0/nu_x (nu0 its lowest stable
 * state; the law keeps the gain, Appendix D, so tau_bar and v_bar cancel and
 * v_bar^2/a - log(a)/2 - log K is invariant; unique solution); matched: the w in
 * [w0/1e3, w0 1e3] (a < 1) for which nu0 is a stable self-consistent state at K, the one
 * closest to w0 in log if several. k_x scales with K (cob_theory_net_at_k). For a single neuron
 * (Sec. IV, Fig. 2A) sanzeni takes tau_bar, v_bar from Eq. 13 with the fixed ratio eta, and
 * matched is the w whose Siegert rate at K equals the anchor's. */
typedef enum { COB_SCALE_NONE = 0, COB_SCALE_SQRT, COB_SCALE_LOG, COB_SCALE_SANZENI, COB_SCALE_MATCHED } cob_scale_law;

/* Copy of n at in-degree k with weight w (a for lif_cond, J for lif_curr); k_x scales with K
 * (k_x / K fixed: K_X = K in the paper). */
void cob_theory_net_at_k(const cob_theory_net *n, double k, double w, cob_theory_net *out);

/* "none", "sqrt", ... -> law; 0 if unknown. */
int cob_scale_law_parse(const char *name, cob_scale_law *law);
const char *cob_scale_law_name(cob_scale_law law);
/* Weight at K for anchor n (n->K = K0, n->a or n->j_mV = w0). warn (len bytes, may be NULL)
 * receives "" or a sentence saying the law is used outside its validity (Eq. 14 assumes
 * vbar^2/a >> 1 and a K nu_X tau_L >> 1; cobalt warns below 2 and 5, at K0 or at K) and
 * suggesting `matched`. COB_ERR_INVALID with the reason in err: K <= 0, sanzeni for lif_curr or
 * with mu_bar >= theta at the anchor, no stable anchor state (sanzeni, matched), no solution,
 * or a >= 1 for lif_cond. */
cob_status cob_theory_scale(const cob_theory_net *n, cob_scale_law law, double k, double *w_out, char *warn, size_t len,
                            cob_err *err);

/* ---- Finite synaptic time constants (seed 004, Appendix G; docs/theory.md) -----------------
 * With exponential synapses of one time constant tau_S and charge-normalised jumps (a tau_L/tau_S
 * per spike for lif_cond_exp, J/tau_S for lif_curr_exp), G8 reads tau dV/dt = -(V - mu) +
 * sigma sqrt(tau) I, tau_S dI/dt = -I + white noise: mu, sigma and tau are the instantaneous
 * moments above (cob_theory_moments_*), only the transfer function changes. Approximations:
 *  EQ10: Eq. 10 (tau_S -> 0).
 *  G9:   Eq. 10 with theta and V_r raised by COB_THEORY_FB_SHIFT sigma sqrt(tau_S/tau)
 *        (Fourcaud & Brunel 2002: sqrt(2)|zeta(1/2)|/2 = 1.0326; the paper prints
 *        v~ = (x - mu)/sigma - 1.46 sqrt(tau_S/tau), whose sign and constant are wrong, and
 *        drops e^{x^2} and tau_rp from the integral); first order in sqrt(tau_S/tau).
 *  G10:  Rice's upward-crossing rate of the free membrane, 1/(2 pi sqrt(tau tau_S))
 *        exp(-v_max^2 (1 + tau_S/tau)), v_max = (theta - mu)/sigma (no reset, no tau_rp).
 *  G11:  adiabatic: int_{v_max/eps}^inf dw e^{-w^2}/sqrt(pi) / (tau_rp + tau log((v_min - eps w)/
 *        (v_max - eps w))), eps = sqrt(tau/tau_S) (the input frozen over many membrane times).
 * cob_theory_rate_syn: the rate (Hz) of approximation approx for moments m (m.tau_s is tau_eff);
 * tau_syn_s <= 0 or sigma = 0 give Eq. 10; NAN for an unknown approx. Underflows to 0. */
typedef enum { COB_SYN_EQ10 = 0, COB_SYN_G9, COB_SYN_G10, COB_SYN_G11 } cob_theory_syn;
#define COB_THEORY_FB_SHIFT 1.0326265761156086 /* -zeta(1/2)/sqrt(2) */
double cob_theory_rate_syn(const cob_theory_net *n, cob_theory_moments m, double tau_syn_s, cob_theory_syn approx);
/* "G9 (Fourcaud-Brunel shift)", ... and its validity as a sentence ("valid for tau_S/tau_eff << 1
 * ..."); static strings. */
const char *cob_theory_syn_name(cob_theory_syn s);
const char *cob_theory_syn_validity(cob_theory_syn s);
/* 1 when ratio = tau_S/tau_eff lies where cobalt calls approximation s valid: EQ10 <= 0.01,
 * G9 <= 0.1, G10 and G11 >= 1 (the paper's ranges, Appendix G and Fig. 14). */
int cob_theory_syn_in_range(cob_theory_syn s, double ratio);
/* The approximation cobalt uses at ratio = tau_S/tau_eff: EQ10 at 0, G9 below 1, G11 from 1. */
cob_theory_syn cob_theory_syn_pick(double ratio);
/* The network's self-consistent rates (Eq. 19) with transfer function syn at tau_S = n->tau_syn_s in
 * place of Eq. 10 (Fig. 6B, Fig. 15: G11 for tau_S/tau >> 1), ascending, into nu_hz[0..max) and,
 * when stable is not NULL, Phi'(nu) < 1 into stable[]. The same grid and refinement as
 * cob_theory_solve (syn = EQ10 gives its rates); a single neuron gets its one rate. Returns how
 * many; 0 for an invalid n or syn. The moments along the search are Eq. 5's (G8). */
int cob_theory_solve_syn(const cob_theory_net *n, cob_theory_syn syn, double *nu_hz, int *stable, int max);
/* s.d. of V of G8 without threshold (mV): sigma / sqrt(2 (1 + tau_S/tau)). */
double cob_theory_sd_v_syn(cob_theory_moments m, double tau_syn_s);

/* ---- Two current-based populations, seed 001's Phi_sc (host/theory/theory_ei.c) -------------
 * E (index 0) and I (1) may differ in every neuron parameter and in their white noise: pop[x]
 * holds population x's lif_curr neuron (tau_m_s, tau_rp_s >= 0, theta, V_r, E_L, mu_ext) and
 * noise (noise_*); its other fields are unused. k[x][y]: in-degree of x from y; j_mV[x][y]: the
 * signed jump of one y spike on x (mV, negative for I); ext_*: fixed Poisson input to x,
 * sum K j nu (mV/s) and sum K j^2 nu (mV^2/s). Moments (cob_theory_ei_moments; seed 001 Eq. 14
 * with seed 004's Eq. 8): mu_x = E_L + mu_ext + tau_x (sum_y k j nu_y + ext_mean + mu_w),
 * sigma_x^2 = tau_x (sum_y k j^2 nu_y + ext_var + sigma_w^2). */
typedef struct {
    cob_theory_net pop[2];
    double k[2][2], j_mV[2][2];
    double ext_mean_mV_per_s[2], ext_var_mV2_per_s[2];
} cob_theory_ei;

typedef struct {
    double nu_hz[2];
    cob_theory_moments m[2];
    int stable; /* of tau_x dnu_x/dt = -nu_x + Phi_x(nu) (membrane time constants) */
} cob_theory_ei_state;

cob_theory_moments cob_theory_ei_moments(const cob_theory_ei *n, int x, const double nu_hz[2]);
/* Every self-consistent state (nu_E, nu_I), ascending in nu_E; returns how many (<= max). The I
 * equation is solved (Brent) at each nu_E, and the E residual scanned on 400 points in
 * logit(nu_E / nu_max) (nu_max = 1/tau_rp, or 1000 Hz without a refractory period) and refined by
 * Brent: two states closer than a grid step can be missed (as cob_theory_solve). */
int cob_theory_ei_solve(const cob_theory_ei *n, cob_theory_ei_state *out, int max);
/* A config with exactly two lif_curr populations (any number of Poisson ones): E the one whose
 * projections out are receptor E, I the one with receptor-I projections out (by elimination when
 * one has none; E first when neither has). At most one projection per (pre, post) pair between
 * them; Poisson projections become ext_*; noise must be constant. COB_ERR_CONFIG with a message
 * otherwise. */
cob_status cob_theory_ei_from_config(const cob_config *c, cob_theory_ei *n, cob_err *err);

/* The theory network of a config: lif populations named by role (first lif_cond/lif_curr
 * population receiving the external pool = E, the one with receptor-I projections out = I),
 * the Poisson population = X; K = K_EE, gamma = K_IE / K, g = w_IE / w_EE, a or J = w_EE,
 * k_x = K_XE, nu_x = X's rate. COB_ERR_CONFIG with a message naming the config (and line) when
 * it is not such an E/I/X network: exactly three populations and the six projections EE, EI,
 * IE, II, XE, XI with the right receptors, identical E and I neurons (model and parameters),
 * the same in-degree and weight onto E and I from each source, X weight = E weight.
 * cv_indegree is ignored here (see cob_theory_heterogeneous).
 * A single neuron instead (single = 1) when the config has one lif population and every
 * projection comes from a Poisson population (no recurrence): K = the in-degree of the first
 * receptor-E projection, a (or J) its weight, which every receptor-E projection must share;
 * g = the receptor-I weight / a (one I weight; g = 0 without I input); gamma = (sum of the I
 * in-degrees) / K; nu_x = (sum over E projections of in-degree x rate) / K, so that the neuron
 * receives K nu_x E spikes per second; eta = (I spikes per second) / (gamma K nu_x); k_x = K.
 * COB_ERR_CONFIG when the E weights (or the I weights) differ or the E input rate is 0.
 * A single lif population with constant `noise` and no projections: single = 1, K = 0 (the
 * white-noise Siegert). Both: lif_cond_exp / lif_curr_exp set tau_syn_s (COB_ERR_CONFIG when
 * tau_syn_e_ms != tau_syn_i_ms), `noise` sets noise_* (COB_ERR_CONFIG for a schedule of several
 * points; E and I must have the same noise and time constants). */
cob_status cob_theory_net_from_config(const cob_config *c, cob_theory_net *n, cob_err *err);
/* The mean-field model of neuron model `model` (cob_model): 1 with *out set, or 0 when the
 * theory covers no such model (sources; neuron models without a mean field here). */
int cob_theory_model_of(int model, cob_theory_model *out);

/* ---- seed 001's supralinear stabilised network (SSN) description (issue 13) ----
 * The transfer function of a current-based LIF neuron under white noise, nu = Phi(mu; sigma, tau)
 * (mu in mV/s, sigma in mV/sqrt(s): the noise of `noise`, cob_theory_rate with mu_V = E_L + tau
 * mu, sigma_V^2 = tau sigma^2), is approximated below a rate by the power law
 * nu = a [mu - b]_+^n, fitted by least squares in Hz with a in [0, 1] and n in [1, 10], the
 * bounds of the paper's fit. */
typedef struct {
    double a, b, n; /* nu = a [mu - b]_+^n: a in Hz (mV/s)^-n, b in mV/s */
    double rms_hz;  /* root-mean-square residual over the fitted points */
    int n_points;   /* points fitted */
} cob_theory_powerlaw;

/* Fit nu = a [mu - b]_+^n to m points (mu[k], nu[k]) by least squares (a in [0, 1], n in [1, 10],
 * b below every mu with nu > 0): a grid over (b, n), then a pattern search; a in closed form for
 * each (b, n). COB_ERR_INVALID for fewer than 3 points with nu > 0. */
cob_status cob_theory_powerlaw_fit_points(const double *mu, const double *nu, int m, cob_theory_powerlaw *out,
                                          cob_err *err);
/* The power law of neuron n's Phi(mu; sigma, tau_m) under white noise of amplitude sigma
 * (n's model parameters: theta, V_r, E_L, tau_m, tau_rp; its inputs are ignored), fitted over
 * the mu where 1e-3 Hz < Phi <= nu_max_hz (m_points of them, evenly spaced in mu). */
cob_status cob_theory_powerlaw_fit(const cob_theory_net *n, double sigma_mV_per_sqrt_s, double nu_max_hz, int m_points,
                                   cob_theory_powerlaw *out, cob_err *err);
/* The two-population SSN: tau_X dr_X/dt = -r_X + f_X(mu_X + sum_Y J_XY r_Y), X, Y in {E = 0,
 * I = 1}, f_X(x) = a_X [x - b_X]_+^n_X (mu in mV/s, J_XY = K_XY j_XY in mV, negative from I). */
typedef struct {
    cob_theory_powerlaw f[2];
    double tau_s[2];
    double J_mV[2][2]; /* J[X][Y]: onto X from Y */
    double mu[2];      /* external input, mV/s */
} cob_ssn;

typedef struct {
    double r_hz[2];              /* the rates */
    double gain[2];              /* f_X' at the state, Hz per mV/s */
    double eig_re[2], eig_im[2]; /* eigenvalues of the rate dynamics' Jacobian, 1/s */
    int stable;                  /* both real parts < 0 */
    int isn;                     /* inhibition-stabilised: gain_E J_EE > 1 */
} cob_ssn_state;

/* Every steady state with rates in [0, r_max_hz] (at most max, ascending in r_E), each with its
 * stability and whether it is inhibition-stabilised; returns how many were found (it may exceed
 * max: only max are written). For J_II <= 0 the I equation has one solution r_I(r_E) for each r_E
 * (Brent), and the states are the roots of r_E -> f_E(mu_E + J_EE r_E + J_EI r_I(r_E)) - r_E,
 * bracketed on a 20000-point scan of [0, r_max] and refined by Brent. */
int cob_ssn_steady_states(const cob_ssn *s, double r_max_hz, cob_ssn_state *out, int max);
/* f(x) and f'(x) of one power law. */
double cob_ssn_f(const cob_theory_powerlaw *f, double x, double *slope);

/* Phi(mu; sigma, tau_m) of neuron n under white noise alone (plus lif_curr's constant mu_ext), Hz. */
double cob_theory_phi_white(const cob_theory_net *n, double mu_mV_per_s, double sigma_mV_per_sqrt_s);

/* ---- seed 001's regimes (host/theory/theory_ssn_regime.c, theory_ssn_target.c; docs/theory.md
 * "Seed 001") ---------------------------------------------------------------------------------
 * J is signed (J_EI, J_II < 0); ratio r = mu_I / mu_E of the external drive, mu_E = mu. */

/* The SSN and Phi_sc of a config with exactly two lif_curr or lif_curr_exp populations (E: the
 * one with receptor-E projections out, I: receptor I) driven by white noise of constant sigma > 0
 * (the noise mean may be a schedule: s->mu and ei's noise means take its final value). Each
 * population's power law is fitted to its own Phi(mu; sigma, tau) over rates up to
 * nu_fit_max_hz (80 points; 10 Hz in the paper); tau_s = tau_m; J_XY = K_XY j_XY. ratio (may be
 * NULL): I's final noise mean / E's (1 when E's is 0). ei may be NULL; pop_of (may be NULL): the
 * config indices of E and I. A refractory period is allowed (the fit's Phi includes it).
 * COB_ERR_CONFIG naming the file (and line) for any other config: Poisson populations, other
 * models, sigma missing, 0 or a schedule, J_II > 0. */
cob_status cob_ssn_from_config(const cob_config *c, double nu_fit_max_hz, cob_ssn *s, cob_theory_ei *ei, double *ratio,
                               int pop_of[2], cob_err *err);

/* Every steady state as cob_ssn_steady_states, on a grid of m_grid points quadratic in r_E
 * (denser at low rates; spacing 2 r_max / m_grid at the top), the I equation by Brent. About
 * 100 times faster than the 20000-point scan at m_grid = 2000; two states closer than a grid step
 * can be missed (near a fold). */
int cob_ssn_states(const cob_ssn *s, double r_max_hz, int m_grid, cob_ssn_state *out, int max);

/* ISN threshold of the E rate: gain_E J_EE > 1 <=> nu_E > a_E (a_E n_E J_EE)^(-n_E/(n_E - 1)),
 * Hz. n_E = 1: 0 when a_E J_EE > 1, else INFINITY; J_EE <= 0 or a_E = 0: INFINITY. */
double cob_ssn_isn_rate(const cob_ssn *s);
/* Supersaturation at ratio r: along mu (1, r), d nu_E / d mu = g_E (1 + g_I (r J_EI - J_II)) /
 * det(1 - G J), so a stable state is supersaturating when g_E > 0 and g_I (J_II - r J_EI) > 1;
 * possible only for r J_EI < J_II (r > J_II / J_EI). Returns the I rate above which that holds,
 * a_I (a_I n_I c)^(-n_I/(n_I - 1)) with c = J_II - r J_EI; INFINITY when c <= 0. */
double cob_ssn_supersat_rate(const cob_ssn *s, double ratio);
/* The balanced limit (mu -> infinity): nu = -J^-1 (1, r) mu, slope[X] = d nu_X / d mu (Hz per
 * mV/s). Returns 1 when det J != 0 and both slopes are > 0 (the solution exists), else 0;
 * *stable (may be NULL) = det J > 0 (Eq. S4's condition; the trace condition, which depends on the
 * gains' ratio at large mu, is not checked). */
int cob_ssn_balanced(const cob_ssn *s, double ratio, double slope[2], int *stable);
double cob_ssn_det_j(const cob_ssn *s);

/* Continuation in mu: for each mu_e[k] (mu_I = ratio mu_e[k]) every state, as rows. method SSN:
 * cob_ssn_states on [0, r_max_hz]; PHI_SC: cob_theory_ei_solve of ei with the noise means set to
 * (mu_E, mu_I) (isn: dPhi_E/dnu_E > 1 by central differences). branch: states at consecutive mu
 * are connected greedily by distance in (r_E, r_I) (relative); a state without a partner starts a
 * new branch id (a fold: the count changes). Returns the number of rows (only max_rows written). */
typedef enum { COB_SSN_METHOD_SSN = 0, COB_SSN_METHOD_PHI_SC } cob_ssn_method;
typedef struct {
    double mu[2];   /* mu_E, mu_I, mV/s */
    int branch;     /* 0, 1, ... */
    double r_hz[2]; /* r_E, r_I */
    int stable, isn;
} cob_ssn_row;
/* The same along any line of inputs: state k at (mu_e[k], mu_i[k]) (e.g. mu_E held and mu_I scanned,
 * the paradoxical-effect experiment). cob_ssn_scan is this with mu_i = ratio mu_e. */
int cob_ssn_scan_line(const cob_ssn *s, const cob_theory_ei *ei, cob_ssn_method method, const double *mu_e,
                      const double *mu_i, int n_mu, double r_max_hz, cob_ssn_row *rows, int max_rows);
int cob_ssn_scan(const cob_ssn *s, const cob_theory_ei *ei, cob_ssn_method method, double ratio, const double *mu_e,
                 int n_mu, double r_max_hz, cob_ssn_row *rows, int max_rows);

/* Fold points (saddle-nodes) of the SSN along mu (1, r) in [mu_lo, mu_hi]: where the number of
 * states on [0, r_max] changes between n_mu grid points, the fold is refined as a double root of
 * the characteristic function F(r_E; mu) = f_E(mu + J_EE r_E + J_EI r_I(r_E)) - r_E (F = dF/dr_E
 * = 0: the extremum of F between the merging states, by golden section, brought to 0 by bisection
 * in mu). Writes up to max into fold_mu (ascending) and fold_r_e (the double root); returns how
 * many. */
int cob_ssn_folds(const cob_ssn *s, double ratio, double mu_lo, double mu_hi, int n_mu, double r_max_hz,
                  double *fold_mu, double *fold_r_e, int max);

/* A cell (mu, r) of the regime map, from the states on [0, r_max]: NONE: no stable state (none at
 * all, or only unstable ones: the rates run away); BISTABLE: two or more stable states; otherwise
 * one stable state, with flags SUPERSAT (d nu_E/d mu < 0 there: g_E > 0 and g_I (J_II - r J_EI)
 * > 1) and ISN (gain_E J_EE > 1); STABLE when neither. */
enum { COB_SSN_STABLE = 0, COB_SSN_ISN = 1, COB_SSN_SUPERSAT = 2, COB_SSN_BISTABLE = 4, COB_SSN_NONE = 8 };
int cob_ssn_classify(const cob_ssn *s, double mu, double ratio, double r_max_hz);
/* "stable", "isn", "supersaturating", "supersaturating+isn", "bistable", "none". */
const char *cob_ssn_regime_name(int regime);

/* The facts of the CLI at ratio r over mu in [mu_lo, mu_hi] (n_mu grid points, states on
 * [0, r_max]). isn_mu: the smallest mu with a stable ISN state (bisection to 1e-9 relative, or
 * the fold where an ISN state is born);
 * peak: on the lowest stable state, where d nu_E/d mu changes sign from + to - (nu_I crosses
 * ss_rate), its mu and nu_E; bistable window: the first mu interval with two stable states
 * (its ends are folds). NAN where there is none in the range. */
typedef struct {
    double isn_rate_hz, isn_mu;
    double ss_rate_hz, peak_mu, peak_r_e_hz, peak_r_i_hz;
    int n_folds;
    double fold_mu[8], fold_r_e_hz[8];
    double bistable_lo, bistable_hi;
    double det_j, bal_slope[2];
    int bal_exists, bal_stable;
} cob_ssn_facts;
void cob_ssn_regime_facts(const cob_ssn *s, double ratio, double mu_lo, double mu_hi, int n_mu, double r_max_hz,
                          cob_ssn_facts *f);

/* Targeting (the inversion of the SSN's rate equations): for a trajectory (t_s[k], nu_e[k],
 * nu_i[k]), k < m (t strictly increasing, m >= 2), mu_X(t) = f_X^-1(nu_X + tau_X dnu_X/dt) -
 * sum_Y J_XY nu_Y, the derivative by central differences (one-sided at the ends);
 * f^-1(y) = b + (y / a)^(1/n) for y > 0. Where y <= 0 (a silent target, or one that falls faster
 * than tau allows) any input <= b gives f = 0: mu takes the value for f^-1 = b (the least drive
 * that keeps the population silent) and *n_clipped (may be NULL) counts those points.
 * COB_ERR_INVALID for m < 2, t not increasing, a = 0 or a non-finite rate. */
cob_status cob_ssn_target(const cob_ssn *s, const double *t_s, const double *nu_e, const double *nu_i, int m,
                          double *mu_e, double *mu_i, int *n_clipped, cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
