/* tests/test_ssn.c -- seed 001's power-law description of the white-noise transfer function
 * (host/theory/theory_ssn.c): the least-squares fit recovers an exact power law, respects its
 * bounds and refuses too few points; fitted to the Siegert Phi of the E1 neurons below 10 Hz it
 * reproduces Phi closely enough to stand in for it. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "cobalt/theory.h"

Test(ssn, exact_power_law_recovered)
{
    double mu[60], nu[60];
    for (int k = 0; k < 60; ++k) {
        mu[k] = 2.0 + 40.0 * k / 59.0;
        nu[k] = mu[k] > 8.0 ? 0.003 * pow(mu[k] - 8.0, 2.2) : 0.0;
    }
    cob_theory_powerlaw f;
    cob_err err = {0};
    cr_assert_eq(cob_theory_powerlaw_fit_points(mu, nu, 60, &f, &err), COB_OK, "%s", err.msg);
    /* noise-free data: the pattern search converges to the generating parameters (its step ends
     * at 1e-10 of the range; the residual surface is smooth), so 1e-6 relative is ample */
    cr_expect_lt(fabs(f.a / 0.003 - 1.0), 1e-6, "a = %.10g", f.a);
    cr_expect_lt(fabs(f.b - 8.0), 1e-6, "b = %.10g", f.b);
    cr_expect_lt(fabs(f.n - 2.2), 1e-6, "n = %.10g", f.n);
    cr_expect_lt(f.rms_hz, 1e-6, "rms %g Hz", f.rms_hz);
}

/* a is bounded to [0, 1] and n to [1, 10]: data steeper than n = 10 or with a > 1 end on the
 * bound, not outside it */
Test(ssn, bounds_respected)
{
    double mu[40], nu[40];
    for (int k = 0; k < 40; ++k) {
        mu[k] = 1.0 + k;
        nu[k] = 5.0 * pow(mu[k], 1.5); /* a = 5 */
    }
    cob_theory_powerlaw f;
    cob_err err = {0};
    cr_assert_eq(cob_theory_powerlaw_fit_points(mu, nu, 40, &f, &err), COB_OK, "%s", err.msg);
    cr_expect_leq(f.a, 1.0, "a = %g", f.a);
    cr_expect(f.n >= 1.0 && f.n <= 10.0, "n = %g", f.n);
    double two[2] = {1.0, 2.0}, pos[2] = {1.0, 2.0};
    cr_expect_eq(cob_theory_powerlaw_fit_points(two, pos, 2, &f, &err), COB_ERR_INVALID);
    cr_expect(strstr(err.msg, "at least 3") != NULL, "%s", err.msg);
}

/* Seed 001's E1 neurons (theta 1 mV, V_r 0, no refractory period) at (tau, sigma) = (20 ms, 3),
 * (10 ms, 5) mV/sqrt(s): the fit over Phi <= 10 Hz has 1 < n < 10 and stays within 0.25 Hz of Phi
 * (rms; 2.5% of the fitted range: a power law that misses Phi by more would not serve as the
 * SSN's transfer function); and it is supralinear (n > 1), the premise of the SSN. */
Test(ssn, siegert_of_e1_neurons)
{
    const double tau[2] = {0.020, 0.010}, sig[2] = {3.0, 5.0};
    for (int c = 0; c < 2; ++c) {
        cob_theory_net n;
        cob_theory_net_defaults(&n, COB_THEORY_CURR);
        n.tau_m_s = tau[c];
        n.tau_rp_s = 0.0;
        n.theta_mV = 1.0;
        n.v_reset_mV = 0.0;
        n.e_l_mV = 0.0;
        cob_theory_powerlaw f;
        cob_err err = {0};
        cr_assert_eq(cob_theory_powerlaw_fit(&n, sig[c], 10.0, 80, &f, &err), COB_OK, "%s", err.msg);
        cr_log_info("tau %g ms sigma %g: a %.4g b %.4g n %.4g rms %.3g Hz", tau[c] * 1e3, sig[c], f.a, f.b, f.n,
                    f.rms_hz);
        cr_expect(f.n > 1.0 && f.n < 10.0, "n = %g", f.n);
        cr_expect_lt(f.rms_hz, 0.25, "rms %g Hz", f.rms_hz);
        /* at the top of the range the law and Phi agree within 5% */
        double mu_top = f.b + pow(10.0 / f.a, 1.0 / f.n);
        double phi = cob_theory_phi_white(&n, mu_top, sig[c]);
        cr_expect_lt(fabs(phi / 10.0 - 1.0), 0.05, "Phi(%g) = %g Hz where the law gives 10", mu_top, phi);
    }
}

/* Integrate the rate dynamics tau dr/dt = -r + f(mu + J r) by explicit Euler (dt = tau/200) for
 * t_s seconds from r0. */
static void integrate(const cob_ssn *s, double *r, double t_s)
{
    const double dt = 0.005 * fmin(s->tau_s[0], s->tau_s[1]);
    for (double t = 0.0; t < t_s; t += dt) {
        double x[2], dr[2];
        for (int X = 0; X < 2; ++X) x[X] = s->mu[X] + s->J_mV[X][0] * r[0] + s->J_mV[X][1] * r[1];
        for (int X = 0; X < 2; ++X) dr[X] = (-r[X] + cob_ssn_f(&s->f[X], x[X], NULL)) / s->tau_s[X];
        for (int X = 0; X < 2; ++X) r[X] += dt * dr[X];
    }
}

/* The supersaturating network of seed 001 (Fig. 2: J = K j from the table) with the E1
 * neurons' power laws (tau_E = 20, tau_I = 10 ms, sigma 3 mV/sqrt(s)) at mu = 19 mV/s: every
 * state found solves the fixed-point equations, and the rate dynamics started near the stable one
 * converge to it (Euler at dt = tau/200 over 2 s; agreement to 1e-6 relative: the integration
 * error of a stable node decays, only the truncation of a converged state remains). */
Test(ssn, steady_states_of_the_supersaturating_network)
{
    cob_ssn s;
    const double tau[2] = {0.020, 0.010};
    for (int X = 0; X < 2; ++X) {
        cob_theory_net n;
        cob_err err = {0};
        cob_theory_net_defaults(&n, COB_THEORY_CURR);
        n.tau_m_s = tau[X];
        n.tau_rp_s = 0.0;
        n.theta_mV = 1.0;
        n.v_reset_mV = 0.0;
        n.e_l_mV = 0.0;
        cr_assert_eq(cob_theory_powerlaw_fit(&n, 3.0, 10.0, 80, &s.f[X], &err), COB_OK, "%s", err.msg);
        s.tau_s[X] = tau[X];
        s.mu[X] = 19.0;
    }
    s.J_mV[0][0] = 195 * 0.01026;
    s.J_mV[0][1] = -200 * 0.06;
    s.J_mV[1][0] = 825 * 0.007273;
    s.J_mV[1][1] = -100 * 0.01;
    cob_ssn_state st[8];
    int n = cob_ssn_steady_states(&s, 200.0, st, 8), n_stable = 0;
    cr_assert(n >= 1 && n <= 8, "%d states", n);
    for (int k = 0; k < n; ++k) {
        double x[2];
        for (int X = 0; X < 2; ++X) x[X] = s.mu[X] + s.J_mV[X][0] * st[k].r_hz[0] + s.J_mV[X][1] * st[k].r_hz[1];
        for (int X = 0; X < 2; ++X)
            cr_expect_lt(fabs(cob_ssn_f(&s.f[X], x[X], NULL) - st[k].r_hz[X]), 1e-8 * (1.0 + st[k].r_hz[X]),
                         "state %d population %d: r %.12g, f %.12g", k, X, st[k].r_hz[X],
                         cob_ssn_f(&s.f[X], x[X], NULL));
        cr_log_info("state %d: r_E %.4g r_I %.4g Hz, stable %d, ISN %d", k, st[k].r_hz[0], st[k].r_hz[1], st[k].stable,
                    st[k].isn);
        if (!st[k].stable)
            continue;
        n_stable += 1;
        double r[2] = {st[k].r_hz[0] * 1.05 + 0.01, st[k].r_hz[1] * 0.95 + 0.01};
        integrate(&s, r, 2.0);
        for (int X = 0; X < 2; ++X)
            cr_expect_lt(fabs(r[X] - st[k].r_hz[X]), 1e-6 * (1.0 + st[k].r_hz[X]), "state %d population %d: ODE %.9g",
                         k, X, r[X]);
    }
    cr_expect_geq(n_stable, 1, "no stable state among %d", n);
}

/* Threshold-linear (n = 1, b = 0) populations: the state solves a linear system, r = A (mu + J r),
 * in closed form; with strong recurrent excitation (a J_EE > 1) it is an ISN. */
Test(ssn, threshold_linear_closed_form)
{
    cob_ssn s = {0};
    for (int X = 0; X < 2; ++X) {
        s.f[X].a = X ? 0.8 : 0.5;
        s.f[X].b = 0.0;
        s.f[X].n = 1.0;
        s.tau_s[X] = 0.01;
    }
    s.J_mV[0][0] = 3.0;
    s.J_mV[0][1] = -4.0;
    s.J_mV[1][0] = 5.0;
    s.J_mV[1][1] = -2.0;
    s.mu[0] = 10.0;
    s.mu[1] = 4.0;
    /* (1 - A J) r = A mu, A = diag(0.5, 0.8) */
    double m00 = 1 - 0.5 * 3.0, m01 = 0.5 * 4.0, m10 = -0.8 * 5.0, m11 = 1 + 0.8 * 2.0;
    double det = m00 * m11 - m01 * m10, b0 = 0.5 * 10.0, b1 = 0.8 * 4.0;
    double re = (b0 * m11 - m01 * b1) / det, ri = (m00 * b1 - m10 * b0) / det;
    cob_ssn_state st[4];
    int n = cob_ssn_steady_states(&s, 100.0, st, 4);
    cr_assert_eq(n, 1, "%d states", n);
    cr_expect_lt(fabs(st[0].r_hz[0] - re), 1e-9, "r_E %.12g, closed form %.12g", st[0].r_hz[0], re);
    cr_expect_lt(fabs(st[0].r_hz[1] - ri), 1e-9, "r_I %.12g, closed form %.12g", st[0].r_hz[1], ri);
    cr_expect(st[0].isn, "a J_EE = 1.5 > 1: inhibition-stabilised");
    cr_expect(st[0].stable, "eigenvalues %g, %g", st[0].eig_re[0], st[0].eig_re[1]);
}
