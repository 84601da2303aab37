/* include/cobalt/theory.h -- mean-field theory of E/I networks of LIF neurons with an external
 * Poisson population (Sanzeni, Histed & Brunel, seed 004: Eqs. 5, 8, 10-21, Appendices B, D,
 * F; misprints listed in shared/DESIGN.md). Double precision, numerically stable (the Siegert
 * integrand e^{x^2}(1 + erf x) is evaluated through erfcx, never overflowing). Pairs with
 * host/theory*.c, tests/test_theory.c, docs/theory.md. Deliberate limits: identical E and I
 * neurons (nu_E = nu_I = nu, as in the paper's main text); instantaneous synapses. */
#ifndef COBALT_THEORY_H
#define COBALT_THEORY_H

#include "net.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { COB_THEORY_COND = 0, COB_THEORY_CURR } cob_theory_model;

/* One E/I network: K_E = K, K_I = gamma K, K_X = k_x (usually K) inputs at nu_x.
 * lif_cond: E jump a (dimensionless), I jump g a; lif_curr: E jump J mV, I jump g J. */
typedef struct {
    cob_theory_model model;
    double tau_m_s, tau_rp_s;
    double theta_mV, v_reset_mV, e_l_mV;
    double e_e_mV, e_i_mV;        /* lif_cond reversals */
    double mu_ext_mV;             /* lif_curr constant drive */
    double K, gamma, g, k_x;
    double a;                     /* lif_cond */
    double j_mV;                  /* lif_curr */
    double nu_x_hz;
} cob_theory_net;

/* Effective time constant, mean and noise of the diffusion approximation (Eq. 5 with the
 * effective-time-constant approximation, Eq. 6; or Eq. 8), for presynaptic rates r_e (all
 * excitatory input, external included: per synapse of the K_E + K_X) and r_i. */
typedef struct { double tau_s, mu_mV, sigma_mV; } cob_theory_moments;

cob_theory_moments cob_theory_moments_net(const cob_theory_net *n, double nu_hz);
cob_theory_moments cob_theory_moments_rates(const cob_theory_net *n, double r_e_hz, double r_i_hz);

/* Siegert rate (Eqs. 10-11), Hz. */
double cob_theory_rate(const cob_theory_net *n, cob_theory_moments m);
/* CV of the ISI (Eq. 15) at rate nu_hz. */
double cob_theory_cv(const cob_theory_net *n, cob_theory_moments m, double nu_hz);
/* Stationary P(V) (Eq. 17) at v_mV[0..n_v) into p (per mV), and its mean and s.d. over the
 * non-refractory part (what cobalt samples). */
void cob_theory_pv(const cob_theory_net *n, cob_theory_moments m, double nu_hz, const double *v_mV,
                   int n_v, double *p);
void cob_theory_v_moments(const cob_theory_net *n, cob_theory_moments m, double nu_hz, double *mean_mV,
                          double *sd_mV);

/* A self-consistent state nu = Phi(nu) with r_e = nu_x + nu (per synapse, weighted by K and
 * k_x), r_i = nu (Eq. 19). stable: Phi'(nu) < 1. */
typedef struct {
    double nu_hz;
    int stable;
    cob_theory_moments m;
    double cv, v_mean_mV, v_sd_mV;
} cob_theory_state;

/* All self-consistent rates in (0, 1/tau_rp), ascending; returns how many (<= max). */
int cob_theory_solve(const cob_theory_net *n, cob_theory_state *out, int max);

/* Strong-coupling limits: the gain rho of Eq. 20 (nu = rho nu_x, from Eq. 12 solved
 * self-consistently, Appendix D) and the large tau_S / tau response of Eq. 21. */
double cob_theory_gain_rho(const cob_theory_net *n);
double cob_theory_eq21_rate(const cob_theory_net *n);

/* Heterogeneous in-degree (Eqs. F1-F3): with CV_K, the population's mean rate, the s.d. of
 * rates, and the fraction of cells below nu_silent_hz (e.g. 1e-3), self-consistently. */
typedef struct { double mean_hz, sd_hz, frac_silent; } cob_theory_hetero;
cob_status cob_theory_heterogeneous(const cob_theory_net *n, double cv_k, double nu_silent_hz,
                                    cob_theory_hetero *out, cob_err *err);

/* Scaling laws for K sweeps, anchored at (K0, w0) where w is a (lif_cond) or J (lif_curr):
 * none: w0; sqrt: w0 sqrt(K0/K); log: w0 log(K0)/log(K); sanzeni: Eq. 14 solved exactly for a
 * at K through (K0, a0) (lif_cond only); matched: w such that the full self-consistent rate at
 * K equals the anchor's. */
typedef enum { COB_SCALE_NONE = 0, COB_SCALE_SQRT, COB_SCALE_LOG, COB_SCALE_SANZENI, COB_SCALE_MATCHED } cob_scale_law;

/* "none", "sqrt", ... -> law; 0 if unknown. */
int cob_scale_law_parse(const char *name, cob_scale_law *law);
const char *cob_scale_law_name(cob_scale_law law);
/* Weight at K for anchor n (n->K = K0, n->a or n->j_mV = w0). warn (len bytes, may be NULL)
 * receives "" or a sentence saying the law is used outside its validity (Eq. 14 assumes
 * vbar^2/a >> 1 and a K nu_X tau_L >> 1) and suggesting `matched`. */
cob_status cob_theory_scale(const cob_theory_net *n, cob_scale_law law, double k, double *w_out, char *warn,
                            size_t len, cob_err *err);

/* The theory network of a config: lif populations named by role (first lif_cond/lif_curr
 * population receiving the external pool = E, the one with receptor-I projections out = I),
 * the Poisson population = X; K, gamma, g, a or J, nu_x read from the projections. Refused with
 * a message when the config is not such an E/I/X network with identical E and I neurons. */
cob_status cob_theory_net_from_config(const cob_config *c, cob_theory_net *n, cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
