/* tests/test_theory_syn.c -- the theory of issue 12 (include/cobalt/theory.h, host/theory/theory_syn.c,
 * docs/theory.md): the white-noise Siegert and seed 001's Phi_sc, seed 004's Appendix G with
 * exponential synapses (G9 Fourcaud-Brunel shift, G10 Rice, G11 adiabatic) in their limits, the
 * config mapping of lif_*_exp and noise, and one short simulation against G9. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include "test_util.h"
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "cobalt/config.h"
#include "cobalt/sim.h"
#include "cobalt/theory.h"

#define COB_PI_TEST 3.14159265358979323846

TestSuite(theory_syn, .init = test_one_thread);

static void run_yaml(const char *yaml, cob_stats *s)
{
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(&c, yaml, "syn.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    run_cpu(&c, s);
    cob_config_free(&c);
}

static cob_status net_of_yaml(const char *yaml, cob_theory_net *n, cob_err *err)
{
    cob_config c;
    cob_status st = cob_config_load_string(&c, yaml, "t.yaml", NULL, 0, err);
    if (st == COB_OK)
        st = cob_theory_net_from_config(&c, n, err);
    cob_config_free(&c);
    return st;
}

/* Seed 001's E1 neuron under white noise alone (theta 1 mV, reset 0, no refractory period), via the
 * config: the values are tools/white_noise_e1.py's Siegert (scipy quad of erfcx(-x)), an
 * independent implementation; both are converged to < 1e-9, so 1e-7 relative. */
Test(theory_syn, white_noise_siegert_against_python)
{
    const double cases[][4] = {{20, 50, 1, 16.991233820307098},
                               {15, 30, 3, 4.717164951522948},
                               {10, 50, 5, 19.286531641126523},
                               {10, 0, 5, 1.7669635651793048},
                               {20, 80, 1, 51.57755792902504}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        char yaml[512];
        cob_theory_net n;
        cob_theory_state s;
        cob_err err = {COB_OK, ""};
        snprintf(yaml, sizeof yaml,
                 "populations:\n  - {name: N, model: lif_curr, size: 10, e_l_mV: 0, v_th_mV: 1, v_reset_mV: 0,\n"
                 "     tau_ref_ms: 0, tau_m_ms: %g, noise: {mu_mV_per_s: %g, sigma_mV_per_sqrt_s: %g}}\n",
                 cases[k][0], cases[k][1], cases[k][2]);
        cr_assert_eq(net_of_yaml(yaml, &n, &err), COB_OK, "%s", err.msg);
        cr_assert(n.single && n.K == 0.0, "noise-only population maps to a single neuron with K = 0");
        cr_assert_eq(cob_theory_solve(&n, &s, 1), 1);
        cr_expect(fabs(s.nu_hz / cases[k][3] - 1) < 1e-7, "case %zu: %.12g Hz vs python %.12g", k, s.nu_hz,
                  cases[k][3]);
    }
}

/* Phi_sc (seed 001): a current-based E/I/X network whose E and I populations both get white noise.
 * The state must solve nu = Siegert(mu, sigma) with mu = E_L + mu_ext + tau (J (K nu + K_X nu_X -
 * g gamma K nu) + mu_w), sigma^2 = tau (J^2 (K nu + K_X nu_X + g^2 gamma K nu) + sigma_w^2),
 * written out here by hand; and the noise must move the state (else the check is empty). */
Test(theory_syn, phi_sc_fixed_point_with_noise)
{
    const char *fmt =
        "populations:\n"
        "  - {name: E, model: lif_curr, size: 1000, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10%s}\n"
        "  - {name: I, model: lif_curr, size: 250, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10%s}\n"
        "  - {name: X, model: poisson, size: 1000, rate_hz: 10}\n"
        "projections:\n"
        "  - {pre: E, post: E, receptor: E, indegree: 800, weight: 0.1}\n"
        "  - {pre: E, post: I, receptor: E, indegree: 800, weight: 0.1}\n"
        "  - {pre: I, post: E, receptor: I, indegree: 200, weight: 0.5}\n"
        "  - {pre: I, post: I, receptor: I, indegree: 200, weight: 0.5}\n"
        "  - {pre: X, post: E, receptor: E, indegree: 800, weight: 0.1}\n"
        "  - {pre: X, post: I, receptor: E, indegree: 800, weight: 0.1}\n";
    const char *noise = ", noise: {mu_mV_per_s: 300, sigma_mV_per_sqrt_s: 20}";
    char yaml[2048];
    cob_theory_net n, n0;
    cob_theory_state s[4], s0[4];
    cob_err err = {COB_OK, ""};
    snprintf(yaml, sizeof yaml, fmt, noise, noise);
    cr_assert_eq(net_of_yaml(yaml, &n, &err), COB_OK, "%s", err.msg);
    snprintf(yaml, sizeof yaml, fmt, "", "");
    cr_assert_eq(net_of_yaml(yaml, &n0, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_theory_solve(&n, s, 4), 1);
    cr_assert_eq(cob_theory_solve(&n0, s0, 4), 1);
    double nu = s[0].nu_hz, tau = 0.02, re = 800 * nu + 800 * 10.0, ri = 200 * nu;
    cob_theory_moments m = {tau, tau * (0.1 * (re - 5 * ri) + 300), sqrt(tau * (0.01 * (re + 25 * ri) + 400))};
    double phi = cob_theory_rate(&n, m);
    cr_expect(fabs(phi / nu - 1) < 1e-9, "Phi_sc(nu) = %.12g vs nu = %.12g", phi, nu);
    cr_expect(fabs(s[0].m.mu_mV - m.mu_mV) < 1e-9 && fabs(s[0].m.sigma_mV - m.sigma_mV) < 1e-9,
              "moments %g %g vs %g %g", s[0].m.mu_mV, s[0].m.sigma_mV, m.mu_mV, m.sigma_mV);
    cr_expect(s[0].nu_hz > 1.2 * s0[0].nu_hz, "noise should raise the rate: %g vs %g Hz", s[0].nu_hz, s0[0].nu_hz);
}

/* zeta(1/2) by Euler-Maclaurin (N = 1000, three correction terms: error < 1e-15), so that the
 * constant of the corrected G9 is checked against its definition, not against a copy. */
static double zeta_half(void)
{
    const double s = 0.5, N = 1000.0;
    double z = 0.0;
    for (int k = 1; k < 1000; ++k) z += pow(k, -s);
    z += pow(N, 1 - s) / (s - 1) + 0.5 * pow(N, -s) + s / 12.0 * pow(N, -s - 1) -
         s * (s + 1) * (s + 2) / 720.0 * pow(N, -s - 3);
    return z;
}

static cob_theory_net cond_single(void)
{
    cob_theory_net n;
    cob_theory_net_defaults(&n, COB_THEORY_COND);
    n.single = 1;
    n.K = n.k_x = 1000;
    n.a = 0.006;
    n.g = 12;
    n.eta = 1.46;
    n.nu_x_hz = 20;
    return n;
}

/* G9: the shift constant is -zeta(1/2)/sqrt(2); at tau_S = 0 G9 is Eq. 10 exactly; for small
 * tau_S it moves the rate by +1.0326 sigma sqrt(tau_S/tau) dnu/dtheta (theta and V_r moved
 * together), which fixes the sign (the paper's printed -1.46 raises the rate) and the constant; at
 * sqrt(tau_S/tau) = 1e-3 the second-order term is ~1e-3 of the first, tolerance 1%. */
Test(theory_syn, g9_constant_sign_and_small_tau_s_limit)
{
    cob_theory_net n = cond_single(), up, dn;
    cob_theory_moments m = cob_theory_moments_net(&n, 0.0);
    cr_expect(fabs(COB_THEORY_FB_SHIFT + zeta_half() / sqrt(2.0)) < 1e-12, "shift %.15g, zeta(1/2) %.15g",
              COB_THEORY_FB_SHIFT, zeta_half());
    double nu10 = cob_theory_rate(&n, m);
    cr_expect_eq(cob_theory_rate_syn(&n, m, 0.0, COB_SYN_G9), nu10);
    double x = 1e-3, ts = x * x * m.tau_s, h = 1e-4;
    up = dn = n;
    up.theta_mV += h;
    up.v_reset_mV += h;
    dn.theta_mV -= h;
    dn.v_reset_mV -= h;
    double dnu = (cob_theory_rate(&up, m) - cob_theory_rate(&dn, m)) / (2 * h);
    double want = COB_THEORY_FB_SHIFT * m.sigma_mV * x * dnu, got = cob_theory_rate_syn(&n, m, ts, COB_SYN_G9) - nu10;
    cr_expect(dnu < 0 && got < 0, "a raised threshold lowers the rate: dnu/dtheta %g, G9 - Eq. 10 %g", dnu, got);
    cr_expect(fabs(got / want - 1) < 0.01, "G9 - Eq. 10 = %.6g Hz, first order %.6g", got, want);
}

/* G10 against Rice's formula with the spectral moments of V integrated numerically: V is white
 * noise through two low-pass filters (tau, tau_S), S(w) = c / ((1 + w^2 tau^2)(1 + w^2 tau_S^2)),
 * c fixed by Var V = sigma^2/2 at tau_S = 0; nu = sqrt(l2/l0)/(2 pi) exp(-(theta - mu)^2/(2 l0)).
 * Midpoint rule in w = tan(t): smooth integrands, 2e5 points give 1e-8. */
Test(theory_syn, g10_is_rice_with_numerical_spectral_moments)
{
    cob_theory_net n = cond_single();
    cob_theory_moments m = cob_theory_moments_net(&n, 0.0);
    for (double r = 0.5; r <= 50; r *= 10) {
        double ts = r * m.tau_s, l0 = 0, l2 = 0, N = 200000, c = m.sigma_mV * m.sigma_mV * m.tau_s / COB_PI_TEST;
        for (int i = 0; i < N; ++i) {
            double t = (i + 0.5) * (COB_PI_TEST / 2) / N, w = tan(t), dw = (COB_PI_TEST / 2) / N / (cos(t) * cos(t));
            double s = c / ((1 + w * w * m.tau_s * m.tau_s) * (1 + w * w * ts * ts));
            l0 += s * dw;
            l2 += w * w * s * dw;
        }
        double d = n.theta_mV - m.mu_mV, want = sqrt(l2 / l0) / (2 * COB_PI_TEST) * exp(-d * d / (2 * l0));
        double got = cob_theory_rate_syn(&n, m, ts, COB_SYN_G10);
        cr_expect(fabs(got / want - 1) < 1e-6, "tau_S/tau = %g: G10 %.8g vs Rice %.8g", r, got, want);
        cr_expect(fabs(cob_theory_sd_v_syn(m, ts) / sqrt(l0) - 1) < 1e-6, "s.d. of V %g vs %g",
                  cob_theory_sd_v_syn(m, ts), sqrt(l0));
    }
}

/* G11 against a plain midpoint sum of its integral (w from v_max/eps, density e^{-w^2}/sqrt(pi)),
 * below threshold (the scaled branch) and above (mu > theta); and its limits: above threshold it
 * tends to the deterministic rate as tau_S/tau -> infinity (correction O(tau/tau_S)); below, its
 * exponent meets G10's, log(nu tau) / log(nu_G10 tau) -> 1 (prefactors differ: 0.45% at 100, tolerance 1%). */
static double g11_direct(const cob_theory_net *n, cob_theory_moments m, double ts)
{
    double eps = sqrt(m.tau_s / ts), vmax = (n->theta_mV - m.mu_mV) / m.sigma_mV;
    double vmin = (n->v_reset_mV - m.mu_mV) / m.sigma_mV, w0 = vmax / eps, sum = 0, N = 400000;
    double end = (w0 < 0 ? 0 : w0) + 8, h = (end - w0) / N;
    for (int i = 0; i < N; ++i) {
        double w = w0 + (i + 0.5) * h;
        sum += exp(-w * w) / sqrt(COB_PI_TEST) / (n->tau_rp_s + m.tau_s * log((vmin - eps * w) / (vmax - eps * w))) * h;
    }
    return sum;
}

Test(theory_syn, g11_against_direct_sum_and_limits)
{
    cob_theory_net n = cond_single(), hi;
    cob_theory_moments m = cob_theory_moments_net(&n, 0.0), mh;
    for (double r = 1; r <= 100; r *= 10) {
        double got = cob_theory_rate_syn(&n, m, r * m.tau_s, COB_SYN_G11), want = g11_direct(&n, m, r * m.tau_s);
        cr_expect(fabs(got / want - 1) < 1e-3, "below threshold, tau_S/tau = %g: %.8g vs %.8g", r, got, want);
    }
    hi = n;
    hi.theta_mV = m.mu_mV - 1.0; /* mu 1 mV above threshold */
    mh = m;
    double got = cob_theory_rate_syn(&hi, mh, 3 * m.tau_s, COB_SYN_G11), want = g11_direct(&hi, mh, 3 * m.tau_s);
    cr_expect(fabs(got / want - 1) < 1e-3, "above threshold: %.8g vs %.8g", got, want);
    double det = 1.0 / (hi.tau_rp_s + m.tau_s * log((m.mu_mV - hi.v_reset_mV) / (m.mu_mV - hi.theta_mV)));
    got = cob_theory_rate_syn(&hi, mh, 1e6 * m.tau_s, COB_SYN_G11);
    cr_expect(fabs(got / det - 1) < 1e-3, "tau_S/tau = 1e6 above threshold: %.8g vs deterministic %.8g", got, det);
    double prev = INFINITY;
    for (double r = 1; r <= 100; r *= 10) {
        double g11 = cob_theory_rate_syn(&n, m, r * m.tau_s, COB_SYN_G11);
        double g10 = cob_theory_rate_syn(&n, m, r * m.tau_s, COB_SYN_G10);
        double q = fabs(log(g11 * m.tau_s) / log(g10 * m.tau_s) - 1);
        cr_log_info("tau_S/tau = %g: G11 %.4g Hz, G10 %.4g Hz, |log ratio - 1| = %.4g", r, g11, g10, q);
        cr_expect(g11 > 0 && q < prev, "tau_S/tau = %g: |log ratio - 1| = %g not decreasing (%g)", r, q, prev);
        prev = q;
    }
    cr_expect(prev < 0.01, "tau_S/tau = 100: exponents differ by %g", prev);
}

/* Labels, ranges and the pick: what `cobalt theory` prints must follow the paper's ranges. */
Test(theory_syn, validity_labels)
{
    cr_expect(strstr(cob_theory_syn_name(COB_SYN_G9), "Fourcaud-Brunel") != NULL);
    cr_expect(strstr(cob_theory_syn_validity(COB_SYN_G9), "<< 1") != NULL);
    cr_expect(strstr(cob_theory_syn_validity(COB_SYN_G11), ">> 1") != NULL);
    cr_expect(cob_theory_syn_in_range(COB_SYN_G9, 0.05) && !cob_theory_syn_in_range(COB_SYN_G9, 0.5));
    cr_expect(cob_theory_syn_in_range(COB_SYN_G11, 3) && !cob_theory_syn_in_range(COB_SYN_G11, 0.3));
    cr_expect_eq(cob_theory_syn_pick(0.0), COB_SYN_EQ10);
    cr_expect_eq(cob_theory_syn_pick(0.2), COB_SYN_G9);
    cr_expect_eq(cob_theory_syn_pick(5.0), COB_SYN_G11);
}

/* Config mapping: lif_cond_exp gives tau_S; E and I time constants must agree; a noise schedule
 * is refused; instantaneous models keep tau_syn_s = 0 and no noise. */
Test(theory_syn, config_mapping)
{
    const char *fmt = "populations:\n"
                      "  - {name: N, model: %s, size: 10%s}\n"
                      "  - {name: X, model: poisson, size: 1, rate_hz: 20, input: independent}\n"
                      "projections:\n"
                      "  - {pre: X, post: N, receptor: E, indegree: 1000, weight: 0.006}\n";
    char yaml[1024];
    cob_theory_net n;
    cob_err err = {COB_OK, ""};
    snprintf(yaml, sizeof yaml, fmt, "lif_cond_exp", ", tau_syn_e_ms: 5, tau_syn_i_ms: 5");
    cr_assert_eq(net_of_yaml(yaml, &n, &err), COB_OK, "%s", err.msg);
    cr_expect(n.model == COB_THEORY_COND && fabs(n.tau_syn_s - 0.005) < 1e-15 && n.single);
    snprintf(yaml, sizeof yaml, fmt, "lif_cond_exp", ", tau_syn_e_ms: 5, tau_syn_i_ms: 2");
    cr_expect_eq(net_of_yaml(yaml, &n, &err), COB_ERR_CONFIG);
    cr_expect(strstr(err.msg, "one synaptic time constant") != NULL, "%s", err.msg);
    snprintf(yaml, sizeof yaml, fmt, "lif_cond", ", noise: {mu_mV_per_s: [[0, 0], [10, 5]]}");
    cr_expect_eq(net_of_yaml(yaml, &n, &err), COB_ERR_CONFIG);
    cr_expect(strstr(err.msg, "constant") != NULL, "%s", err.msg);
    snprintf(yaml, sizeof yaml, fmt, "lif_cond", ", noise: {sigma_mV_per_sqrt_s: 7}");
    cr_assert_eq(net_of_yaml(yaml, &n, &err), COB_OK, "%s", err.msg);
    cr_expect(n.tau_syn_s == 0.0 && n.noise_sigma_mV_per_sqrt_s == 7.0 && n.noise_mu_mV_per_s == 0.0);
}

/* Simulation: a lif_curr_exp neuron (tau 20 ms, theta 20, V_r 10 mV, tau_rp 2 ms) with Poisson
 * input (J = 0.2 mV, g = 4: mu = 18 mV, sigma = 4 mV) and tau_S = 1 ms (tau_S/tau = 0.05, inside
 * G9's range). G9: 12.72 Hz; Eq. 10: 16.30 Hz; the printed G9 (-1.46 sqrt(tau_S/tau)) would be
 * above Eq. 10. 1000 neurons x 2 s: s.e. 0.4%; measured 12.67 Hz (the O(tau_S/tau) term of the
 * expansion and the 0.2 mV shot noise are a few %): tolerance 5%, while Eq. 10 is 22% away. */
Test(theory_syn, lif_curr_exp_rate_against_g9, .timeout = 120)
{
    const char *yaml = "run: {dt_ms: 0.05, t_warmup_ms: 100, t_sim_ms: 2000, seed: 3}\n"
                       "populations:\n"
                       "  - {name: N, model: lif_curr_exp, size: 1000, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10,\n"
                       "     tau_m_ms: 20, tau_ref_ms: 2, tau_syn_e_ms: 1, tau_syn_i_ms: 1}\n"
                       "  - {name: XE, model: poisson, size: 1, rate_hz: 7.6, input: independent}\n"
                       "  - {name: XI, model: poisson, size: 1, rate_hz: 3.1, input: independent}\n"
                       "projections:\n"
                       "  - {pre: XE, post: N, receptor: E, indegree: 1000, weight: 0.2}\n"
                       "  - {pre: XI, post: N, receptor: I, indegree: 250, weight: 0.8}\n";
    cob_theory_net n;
    cob_err err = {COB_OK, ""};
    cob_stats s;
    cr_assert_eq(net_of_yaml(yaml, &n, &err), COB_OK, "%s", err.msg);
    cob_theory_moments m = cob_theory_moments_net(&n, 0.0);
    double g9 = cob_theory_rate_syn(&n, m, n.tau_syn_s, COB_SYN_G9), eq10 = cob_theory_rate(&n, m);
    cr_assert(fabs(m.mu_mV - 18) < 1e-9 && fabs(m.sigma_mV - 4) < 1e-9, "mu %g sigma %g", m.mu_mV, m.sigma_mV);
    run_yaml(yaml, &s);
    double nu = s.pop[0].mean_rate_hz;
    cr_log_info("lif_curr_exp tau_S = 1 ms: %.3f Hz, G9 %.3f, Eq. 10 %.3f", nu, g9, eq10);
    cr_expect(fabs(nu / g9 - 1) < 0.05, "simulated %.3f Hz vs G9 %.3f Hz", nu, g9);
    cr_expect(nu / eq10 - 1 < -0.15, "simulated %.3f Hz should be well below Eq. 10's %.3f Hz", nu, eq10);
    cob_stats_free(&s);
}

/* Phi_sc of two populations (cob_theory_ei): on the identical-neuron Brunel network it must give
 * the one-population solution exactly (nu_E = nu_I = the Eq. 19 state); on a seed-001-like network
 * with different E and I neurons (tau 20 and 10 ms, different noise), each rate must be the
 * Siegert rate of its moments written out by hand. A simulation of the latter (4000 neurons, 2 s,
 * docs/validation.md) gives 5.30 / 4.92 Hz against 5.33 / 5.21 Hz. */
Test(theory_syn, phi_sc_two_populations)
{
    cob_config c;
    cob_err err = {COB_OK, ""};
    cob_theory_net n;
    cob_theory_ei ei;
    cob_theory_state s;
    cob_theory_ei_state es[4];
    cr_assert_eq(cob_config_load(&c, COBALT_SOURCE_DIR "/configs/brunel2000.yaml", NULL, 0, &err), COB_OK, "%s",
                 err.msg);
    cr_assert_eq(cob_theory_net_from_config(&c, &n, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_theory_ei_from_config(&c, &ei, &err), COB_OK, "%s", err.msg);
    cob_config_free(&c);
    cr_assert_eq(cob_theory_solve(&n, &s, 1), 1);
    cr_assert_eq(cob_theory_ei_solve(&ei, es, 4), 1);
    cr_expect(fabs(es[0].nu_hz[0] / s.nu_hz - 1) < 1e-9 && fabs(es[0].nu_hz[1] / s.nu_hz - 1) < 1e-9,
              "Phi_sc %.12g, %.12g Hz vs Eq. 19 %.12g Hz", es[0].nu_hz[0], es[0].nu_hz[1], s.nu_hz);
    cr_expect_eq(es[0].stable, s.stable);

    const char *yaml =
        "populations:\n"
        "  - {name: E, model: lif_curr, size: 3200, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, tau_m_ms: 20,\n"
        "     tau_ref_ms: 2, noise: {mu_mV_per_s: 800, sigma_mV_per_sqrt_s: 20}}\n"
        "  - {name: I, model: lif_curr, size: 800, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, tau_m_ms: 10,\n"
        "     tau_ref_ms: 2, noise: {mu_mV_per_s: 1200, sigma_mV_per_sqrt_s: 20}}\n"
        "projections:\n"
        "  - {pre: I, post: E, receptor: I, indegree: 80, weight: 1.0}\n"
        "  - {pre: E, post: E, receptor: E, indegree: 320, weight: 0.2}\n"
        "  - {pre: E, post: I, receptor: E, indegree: 320, weight: 0.4}\n"
        "  - {pre: I, post: I, receptor: I, indegree: 80, weight: 1.0}\n";
    cr_assert_eq(cob_config_load_string(&c, yaml, "ei.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(cob_theory_net_from_config(&c, &n, &err), COB_ERR_CONFIG, "not the E/I/X network");
    cr_assert_eq(cob_theory_ei_from_config(&c, &ei, &err), COB_OK, "%s", err.msg);
    cob_config_free(&c);
    cr_assert_eq(cob_theory_ei_solve(&ei, es, 4), 1);
    double ne = es[0].nu_hz[0], ni = es[0].nu_hz[1];
    cob_theory_moments me = {0.02, 0.02 * (320 * 0.2 * ne - 80 * ni + 800),
                             sqrt(0.02 * (320 * 0.04 * ne + 80 * ni + 400))};
    cob_theory_moments mi = {0.01, 0.01 * (320 * 0.4 * ne - 80 * ni + 1200),
                             sqrt(0.01 * (320 * 0.16 * ne + 80 * ni + 400))};
    cr_expect(fabs(cob_theory_rate(&ei.pop[0], me) / ne - 1) < 1e-9, "E: %.10g vs %.10g",
              cob_theory_rate(&ei.pop[0], me), ne);
    cr_expect(fabs(cob_theory_rate(&ei.pop[1], mi) / ni - 1) < 1e-9, "I: %.10g vs %.10g",
              cob_theory_rate(&ei.pop[1], mi), ni);
    cr_expect(fabs(ne - 5.334) < 0.01 && fabs(ni - 5.205) < 0.01, "%g %g", ne, ni);
    cr_expect(es[0].stable);
}

/* The same neuron at tau_S = 40 ms (tau_S/tau = 2, the adiabatic side): G11 3.06 Hz, G10 2.66 Hz,
 * G9 0.99 Hz. 1000 neurons x 3 s (the input is correlated over 40 ms: 75 correlation times per
 * neuron): s.e. ~1.2%; measured 3.04 Hz over 4 s. Tolerance 6%, so G10 (13% off) and G9 fail it. */
Test(theory_syn, lif_curr_exp_rate_against_g11, .timeout = 120)
{
    const char *yaml = "run: {dt_ms: 0.1, t_warmup_ms: 500, t_sim_ms: 3000, seed: 3}\n"
                       "populations:\n"
                       "  - {name: N, model: lif_curr_exp, size: 1000, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10,\n"
                       "     tau_m_ms: 20, tau_ref_ms: 2, tau_syn_e_ms: 40, tau_syn_i_ms: 40}\n"
                       "  - {name: XE, model: poisson, size: 1, rate_hz: 7.6, input: independent}\n"
                       "  - {name: XI, model: poisson, size: 1, rate_hz: 3.1, input: independent}\n"
                       "projections:\n"
                       "  - {pre: XE, post: N, receptor: E, indegree: 1000, weight: 0.2}\n"
                       "  - {pre: XI, post: N, receptor: I, indegree: 250, weight: 0.8}\n";
    cob_theory_net n;
    cob_err err = {COB_OK, ""};
    cob_stats s;
    cr_assert_eq(net_of_yaml(yaml, &n, &err), COB_OK, "%s", err.msg);
    cob_theory_moments m = cob_theory_moments_net(&n, 0.0);
    double g11 = cob_theory_rate_syn(&n, m, n.tau_syn_s, COB_SYN_G11);
    double g10 = cob_theory_rate_syn(&n, m, n.tau_syn_s, COB_SYN_G10);
    cr_assert(fabs(g10 / g11 - 1) > 0.1, "G10 %g and G11 %g too close for the test to choose", g10, g11);
    run_yaml(yaml, &s);
    double nu = s.pop[0].mean_rate_hz;
    cr_log_info("lif_curr_exp tau_S = 40 ms: %.3f Hz, G11 %.3f, G10 %.3f", nu, g11, g10);
    cr_expect(fabs(nu / g11 - 1) < 0.06, "simulated %.3f Hz vs G11 %.3f Hz", nu, g11);
    cob_stats_free(&s);
}

/* The CLI and the result file: `cobalt theory` prints the Appendix G block with its labels for a
 * lif_cond_exp config, and `cobalt run` stores G9/G10/G11 in /theory with the values of the
 * library; a lif_cond run keeps its /theory group without them (files of existing models are
 * unchanged). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    long n;
    char *buf;
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc((size_t)n + 1, 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

static const char *single_exp =
    "run: {dt_ms: 0.02, t_warmup_ms: 10, t_sim_ms: 50, seed: 1}\n"
    "populations:\n"
    "  - {name: N, model: %s, size: 20%s}\n"
    "  - {name: XE, model: poisson, size: 1, rate_hz: 10, input: independent}\n"
    "  - {name: XI, model: poisson, size: 1, rate_hz: 15, input: independent}\n"
    "projections:\n"
    "  - {pre: XE, post: N, receptor: E, indegree: 1000, weight: 0.01}\n"
    "  - {pre: XI, post: N, receptor: I, indegree: 250, weight: 0.08}\n";

Test(theory_syn, cli_labels_and_result_file, .timeout = 60)
{
    char dir[] = "/tmp/cobalt_theory_syn_XXXXXX", cmd[2048], path[512], yaml[1024];
    cr_assert_not_null(mkdtemp(dir));
    for (int exp = 1; exp >= 0; --exp) {
        snprintf(yaml, sizeof yaml, single_exp, exp ? "lif_cond_exp" : "lif_cond",
                 exp ? ", tau_syn_e_ms: 2, tau_syn_i_ms: 2" : "");
        snprintf(path, sizeof path, "%s/n.yaml", dir);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs(yaml, f);
        fclose(f);
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && OMP_NUM_THREADS=1 '%s' theory n.yaml > th.txt 2>&1 && OMP_NUM_THREADS=1 '%s' run n.yaml "
                 "--out r.h5 > /dev/null 2>&1",
                 dir, COBALT_CLI, COBALT_CLI);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        snprintf(path, sizeof path, "%s/th.txt", dir);
        char *txt = slurp(path);
        const char *want[] = {
            "G9 (Fourcaud-Brunel shift)",   "valid for tau_S/tau_eff << 1", "G10 (Rice", "G11 (adiabatic)",
            "valid for tau_S/tau_eff >> 1", "applicable here: G9"};
        for (size_t k = 0; k < sizeof want / sizeof want[0]; ++k)
            cr_expect((strstr(txt, want[k]) != NULL) == exp, "%s: \"%s\" %s in:\n%s", exp ? "lif_cond_exp" : "lif_cond",
                      want[k], exp ? "missing" : "unexpected", txt);
        free(txt);

        cob_theory_net n;
        cob_err err = {COB_OK, ""};
        cr_assert_eq(net_of_yaml(yaml, &n, &err), COB_OK, "%s", err.msg);
        cob_theory_moments m = cob_theory_moments_net(&n, 0.0);
        snprintf(path, sizeof path, "%s/r.h5", dir);
        hid_t h = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), g = H5Gopen2(h, "/theory", H5P_DEFAULT);
        cr_assert_geq(g, 0, "no /theory group");
        cr_expect_eq(H5Aexists(g, "rate_g9_hz") > 0, exp, "rate_g9_hz %s", exp ? "missing" : "written for lif_cond");
        if (exp) {
            const char *names[3] = {"rate_g9_hz", "rate_g10_hz", "rate_g11_hz"};
            const cob_theory_syn kinds[3] = {COB_SYN_G9, COB_SYN_G10, COB_SYN_G11};
            for (int k = 0; k < 3; ++k) {
                double v = NAN;
                hid_t a = H5Aopen(g, names[k], H5P_DEFAULT);
                cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, &v), 0);
                H5Aclose(a);
                cr_expect_eq(v, cob_theory_rate_syn(&n, m, n.tau_syn_s, kinds[k]), "%s %g", names[k], v);
            }
        }
        H5Gclose(g);
        H5Fclose(h);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* The network solved with Appendix G's transfer functions (cob_theory_solve_syn): Eq. 10 gives
 * cob_theory_solve's rates exactly; each G11 root is a fixed point of nu -> G11(moments(nu)); and
 * at a tiny tau_S (1 us: sqrt(tau_S/tau) = 0.02) the G9 network rate is the Eq. 10 one within 3%
 * (the first-order shift moves it by ~ 2% here), while at 10 ms it is far below. */
Test(theory_syn, network_self_consistent_with_appendix_g)
{
    cob_theory_net n;
    cob_theory_state s[4];
    double nu[8];
    int st[8];
    cob_theory_net_defaults(&n, COB_THEORY_COND); /* the Fig. 4 network */
    int k0 = cob_theory_solve(&n, s, 4);
    cr_assert_eq(k0, 1);
    n.tau_syn_s = 0.010;
    cr_assert_eq(cob_theory_solve_syn(&n, COB_SYN_EQ10, nu, st, 8), 1);
    cr_expect_eq(nu[0], s[0].nu_hz);
    cr_expect_eq(st[0], s[0].stable);
    int k = cob_theory_solve_syn(&n, COB_SYN_G11, nu, st, 8);
    cr_assert_geq(k, 1);
    for (int i = 0; i < k; ++i) {
        double phi = cob_theory_rate_syn(&n, cob_theory_moments_net(&n, nu[i]), n.tau_syn_s, COB_SYN_G11);
        cr_expect(fabs(phi - nu[i]) <= 1e-9 * nu[i] + 1e-300, "G11 root %g: Phi = %g", nu[i], phi);
    }
    cr_expect(nu[k - 1] < 0.7 * s[0].nu_hz && nu[k - 1] > 1.0, "G11 network rate %g vs Eq. 10 %g", nu[k - 1],
              s[0].nu_hz);
    n.tau_syn_s = 1e-6;
    cr_assert_eq(cob_theory_solve_syn(&n, COB_SYN_G9, nu, st, 8), 1);
    cr_expect(fabs(nu[0] / s[0].nu_hz - 1) < 0.03 && nu[0] < s[0].nu_hz, "G9 at 1 us: %g vs %g", nu[0], s[0].nu_hz);
}
