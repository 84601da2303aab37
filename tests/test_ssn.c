/* tests/test_ssn.c -- seed 001's power-law description of the white-noise transfer function
 * (host/theory/theory_ssn.c): the least-squares fit recovers an exact power law, respects its
 * bounds and refuses too few points; fitted to the Siegert Phi of the E1 neurons below 10 Hz it
 * reproduces Phi closely enough to stand in for it. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <stdio.h>
#include "cobalt/config.h"
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

/* ---- seed 001's regimes (host/theory/theory_ssn_regime.c, theory_ssn_target.c) ---- */

/* The SSN of a seed 001 network config (E1 neurons, sigma 3 mV/sqrt(s)) at ratio r = 1. */
static void load_ssn(const char *name, cob_ssn *s, cob_theory_ei *ei, double *ratio)
{
    char path[512];
    cob_config c;
    cob_err err = {0};
    snprintf(path, sizeof path, COBALT_SOURCE_DIR "/configs/ekelmans2023/%s", name);
    cr_assert_eq(cob_config_load(&c, path, NULL, 0, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_ssn_from_config(&c, 10.0, s, ei, ratio, NULL, &err), COB_OK, "%s", err.msg);
    cob_config_free(&c);
}

static cob_ssn linear_ssn(void)
{
    cob_ssn s = {0};
    for (int X = 0; X < 2; ++X) {
        s.f[X].a = X ? 0.8 : 0.5;
        s.f[X].b = 0.0;
        s.f[X].n = 1.0;
        s.tau_s[X] = X ? 0.01 : 0.02;
    }
    s.J_mV[0][0] = 1.5;
    s.J_mV[0][1] = -4.0;
    s.J_mV[1][0] = 5.0;
    s.J_mV[1][1] = -2.0;
    return s;
}

/* A linear network (n = 1, b = 0, rates positive): along the whole mu scan there is one state,
 * r = (1 - A J)^-1 A mu with A = diag(a), the closed form; Brent's tolerance (1e-14 relative)
 * and the conditioning of 1 - A J (entries O(1)) put the error near 1e-12, so 1e-9 is loose but
 * far below any modelling error. */
Test(ssn, linear_network_scan_matches_closed_form)
{
    cob_ssn s = linear_ssn();
    double mu[5] = {1.0, 5.0, 10.0, 20.0, 40.0}, r = 0.5;
    cob_ssn_row rows[20];
    int n = cob_ssn_scan(&s, NULL, COB_SSN_METHOD_SSN, r, mu, 5, 200.0, rows, 20);
    cr_assert_eq(n, 5, "%d rows", n);
    double m00 = 1 - 0.5 * 1.5, m01 = 0.5 * 4.0, m10 = -0.8 * 5.0, m11 = 1 + 0.8 * 2.0, det = m00 * m11 - m01 * m10;
    for (int k = 0; k < 5; ++k) {
        double b0 = 0.5 * mu[k], b1 = 0.8 * r * mu[k];
        double re = (b0 * m11 - m01 * b1) / det, ri = (m00 * b1 - m10 * b0) / det;
        cr_expect_eq(rows[k].branch, 0, "one branch");
        cr_expect_lt(fabs(rows[k].r_hz[0] - re), 1e-9 * (1 + re), "mu %g: r_E %.12g, closed form %.12g", mu[k],
                     rows[k].r_hz[0], re);
        cr_expect_lt(fabs(rows[k].r_hz[1] - ri), 1e-9 * (1 + ri), "mu %g: r_I %.12g, closed form %.12g", mu[k],
                     rows[k].r_hz[1], ri);
        cr_expect(rows[k].stable, "stable");
        cr_expect_eq(rows[k].isn, 0, "a_E J_EE = 0.75 < 1: not ISN");
    }
    /* the balanced limit: J nu = -(1, r) mu for the slopes (exact linear algebra, 1e-12) */
    double sl[2];
    int stable;
    cob_ssn_balanced(&s, r, sl, &stable);
    cr_expect_lt(fabs(s.J_mV[0][0] * sl[0] + s.J_mV[0][1] * sl[1] + 1.0), 1e-12);
    cr_expect_lt(fabs(s.J_mV[1][0] * sl[0] + s.J_mV[1][1] * sl[1] + r), 1e-12);
    cr_expect_eq(stable, cob_ssn_det_j(&s) > 0.0);
}

/* The ISN threshold in closed form against the states: along a scan of the bistable network (all
 * states, stable or not) gain_E J_EE > 1 exactly when r_E > nu_E^ISN (a state within 1e-9
 * relative of the threshold is skipped: there the flag is decided by rounding). */
Test(ssn, isn_threshold_matches_gain_crossing)
{
    cob_ssn s;
    double ratio;
    load_ssn("bistable_loop_tau20.yaml", &s, NULL, &ratio);
    double thr = cob_ssn_isn_rate(&s), mu[81];
    cr_log_info("ISN threshold %.6g Hz", thr);
    for (int k = 0; k < 81; ++k) mu[k] = 0.1 * k;
    cob_ssn_row rows[400];
    int n = cob_ssn_scan(&s, NULL, COB_SSN_METHOD_SSN, 1.0, mu, 81, 1000.0, rows, 400), n_isn = 0, n_not = 0;
    cr_assert(n > 81 && n <= 400, "%d rows", n);
    for (int k = 0; k < n; ++k) {
        if (fabs(rows[k].r_hz[0] / thr - 1.0) < 1e-9)
            continue;
        cr_expect_eq(rows[k].isn, rows[k].r_hz[0] > thr, "mu %g r_E %g: isn %d", rows[k].mu[0], rows[k].r_hz[0],
                     rows[k].isn);
        n_isn += rows[k].isn;
        n_not += !rows[k].isn;
    }
    cr_expect(n_isn > 0 && n_not > 0, "both kinds seen (%d ISN, %d not)", n_isn, n_not);
    /* and the threshold in closed form equals a_E (a_E n_E J_EE)^(-n_E/(n_E-1)) */
    double a = s.f[0].a, p = s.f[0].n, J = s.J_mV[0][0], g;
    cob_ssn_f(&s.f[0], s.f[0].b + pow(thr / a, 1.0 / p), &g);
    cr_expect_lt(fabs(g * J - 1.0), 1e-12, "gain J_EE at the threshold %.15g", g * J);
    cr_expect_lt(fabs(thr / (a * pow(a * p * J, -p / (p - 1.0))) - 1.0), 1e-15);
}

/* A cubic characteristic function: n_E = 3, b_E = 0, no E <- I coupling (J_EI = 0), so
 * F(r_E) = a (mu + J r_E)^3 - r_E; with y = mu + J r_E its double root is 3 a y^2 = 1/J, i.e.
 * y_s = 1/sqrt(3 a J), at mu_s = y_s - J a y_s^3 = 2 y_s / 3 and r_s = y_s / (3 J): below mu_s a
 * stable low state and an unstable high one, above none. The fold is refined to 1e-12 in mu (bisection) and
 * the double root by golden section (its position is only sqrt(eps)-determined: F is flat there,
 * so r* to 1e-6 relative). */
Test(ssn, fold_of_a_cubic)
{
    cob_ssn s = {0};
    const double a = 1e-3, J = 1.0;
    s.f[0].a = a;
    s.f[0].n = 3.0;
    s.f[1].a = 0.1;
    s.f[1].n = 2.0;
    s.tau_s[0] = 0.02;
    s.tau_s[1] = 0.01;
    s.J_mV[0][0] = J;
    s.J_mV[1][1] = -1.0;
    double y = 1.0 / sqrt(3.0 * a * J), mu_star = 2.0 * y / 3.0, r_star = y / (3.0 * J);
    double fm[4], fr[4];
    int n = cob_ssn_folds(&s, 0.0, 1.0, 20.0, 39, 200.0, fm, fr, 4);
    cr_assert_eq(n, 1, "%d folds", n);
    cr_expect_lt(fabs(fm[0] / mu_star - 1.0), 1e-9, "fold at mu %.12g, closed form %.12g", fm[0], mu_star);
    cr_expect_lt(fabs(fr[0] / r_star - 1.0), 1e-6, "double root r_E %.9g, closed form %.9g", fr[0], r_star);
    cr_expect_eq(cob_ssn_classify(&s, 0.9 * mu_star, 0.0, 200.0), COB_SSN_STABLE);
    cr_expect_eq(cob_ssn_classify(&s, 1.1 * mu_star, 0.0, 200.0), COB_SSN_NONE, "past the fold the rates run away");
}

/* RK4 of the rate dynamics with mu(t) linear between the targeting points. */
static void rk4_rhs(const cob_ssn *s, const double mu[2], const double r[2], double d[2])
{
    for (int X = 0; X < 2; ++X)
        d[X] = (-r[X] + cob_ssn_f(&s->f[X], mu[X] + s->J_mV[X][0] * r[0] + s->J_mV[X][1] * r[1], NULL)) / s->tau_s[X];
}

/* Targeting round trip on the supersaturating network: the target nu_E = 2 + sin(2 pi t/0.5 s),
 * nu_I = 1 + 0.5 sin(2 pi t/0.7 s + 1) sampled every h = 1 ms for 2 s, inverted to mu(t), and the
 * SSN integrated (RK4, 0.1 ms) under mu(t) linear between the points from the target's start.
 * Errors: the central difference of nu' is O(h^2 nu''') ~ 3e-4 Hz/s (x tau = 6e-6 Hz), the
 * linear interpolation of mu O(h^2 mu''/8) ~ 2e-4 mV/s (x gain ~ 1 Hz per mV/s); the dynamics are
 * contracting, so these do not accumulate (measured 1.5e-5 Hz): 2e-4 Hz bounds them, and a wrong sign or
 * tau in the inversion would miss by the amplitude (~1 Hz). */
Test(ssn, targeting_round_trip)
{
    cob_ssn s;
    double ratio;
    load_ssn("ss_ramp.yaml", &s, NULL, &ratio);
    enum { M = 2001 };
    static double t[M], ne[M], ni[M], me[M], mi[M];
    const double two_pi = 6.283185307179586, w_e = two_pi / 0.5, w_i = two_pi / 0.7;
    for (int k = 0; k < M; ++k) {
        t[k] = 1e-3 * k;
        ne[k] = 2.0 + sin(w_e * t[k]);
        ni[k] = 1.0 + 0.5 * sin(w_i * t[k] + 1.0);
    }
    int clip = -1;
    cob_err err = {0};
    cr_assert_eq(cob_ssn_target(&s, t, ne, ni, M, me, mi, &clip, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(clip, 0, "%d clipped", clip);
    double r[2] = {ne[0], ni[0]}, worst = 0.0;
    const int sub = 10;
    const double dt = 1e-3 / sub;
    for (int k = 0; k + 1 < M; ++k) {
        for (int j = 0; j < sub; ++j) {
            double u0 = (double)j / sub, u1 = (j + 0.5) / sub, u2 = (j + 1.0) / sub, m0[2], m1[2], m2[2];
            double k1[2], k2[2], k3[2], k4[2], x[2];
            m0[0] = me[k] + u0 * (me[k + 1] - me[k]);
            m0[1] = mi[k] + u0 * (mi[k + 1] - mi[k]);
            m1[0] = me[k] + u1 * (me[k + 1] - me[k]);
            m1[1] = mi[k] + u1 * (mi[k + 1] - mi[k]);
            m2[0] = me[k] + u2 * (me[k + 1] - me[k]);
            m2[1] = mi[k] + u2 * (mi[k + 1] - mi[k]);
            rk4_rhs(&s, m0, r, k1);
            for (int X = 0; X < 2; ++X) x[X] = r[X] + 0.5 * dt * k1[X];
            rk4_rhs(&s, m1, x, k2);
            for (int X = 0; X < 2; ++X) x[X] = r[X] + 0.5 * dt * k2[X];
            rk4_rhs(&s, m1, x, k3);
            for (int X = 0; X < 2; ++X) x[X] = r[X] + dt * k3[X];
            rk4_rhs(&s, m2, x, k4);
            for (int X = 0; X < 2; ++X) r[X] += dt / 6.0 * (k1[X] + 2 * k2[X] + 2 * k3[X] + k4[X]);
        }
        worst = fmax(worst, fmax(fabs(r[0] - ne[k + 1]), fabs(r[1] - ni[k + 1])));
    }
    cr_log_info("targeting round trip: worst error %.3g Hz", worst);
    cr_expect_lt(worst, 2e-4, "worst error %g Hz", worst);
}

/* Cells of the regime map with known answers. The supersaturating network at r = 1: the E-rate
 * peak is where nu_I reaches the closed-form threshold (checked to 1e-6: the bisection in mu stops
 * at 1e-9), at mu ~ 18.5 mV/s with nu_E ~ 2.38 Hz, below the ISN rate (5.3 Hz): so at mu = 19 it
 * is supersaturating and not ISN; at mu = 10 (before the peak) plainly stable. The bistable network
 * at mu = 3.3 (inside the window of Fig. 4A, 2-4 mV/s) is bistable, at mu = 8 a single ISN state.
 * A weak network (J / 10) is stable; the det J < 0 network at r = 0.5 and large mu has no steady
 * state (the rates run away, Fig. 5B). */
Test(ssn, regime_cells)
{
    cob_ssn s;
    double ratio;
    load_ssn("ss_ramp.yaml", &s, NULL, &ratio);
    cr_expect_eq(ratio, 1.0);
    cob_ssn_facts f;
    cob_ssn_regime_facts(&s, 1.0, 0.0, 50.0, 101, 1000.0, &f);
    cr_log_info("supersaturating: ISN rate %.6g Hz, threshold nu_I %.6g Hz, peak mu %.6g nu_E %.6g nu_I %.6g",
                f.isn_rate_hz, f.ss_rate_hz, f.peak_mu, f.peak_r_e_hz, f.peak_r_i_hz);
    cr_expect_lt(fabs(f.peak_r_i_hz / f.ss_rate_hz - 1.0), 1e-6, "nu_I %g at the peak, threshold %g", f.peak_r_i_hz,
                 f.ss_rate_hz);
    cr_expect(f.peak_mu > 17.0 && f.peak_mu < 20.0, "peak at %g", f.peak_mu);
    cr_expect(isnan(f.isn_mu), "no ISN state below the peak rate");
    cr_expect_eq(f.bal_exists, 0, "no balanced limit: nu_E would be negative");
    cr_expect_str_eq(cob_ssn_regime_name(cob_ssn_classify(&s, 19.0, 1.0, 1000.0)), "supersaturating");
    cr_expect_str_eq(cob_ssn_regime_name(cob_ssn_classify(&s, 10.0, 1.0, 1000.0)), "stable");
    for (int X = 0; X < 2; ++X)
        for (int Y = 0; Y < 2; ++Y) s.J_mV[X][Y] *= 0.1;
    cr_expect_str_eq(cob_ssn_regime_name(cob_ssn_classify(&s, 19.0, 1.0, 1000.0)), "stable");

    load_ssn("bistable_loop_tau20.yaml", &s, NULL, &ratio);
    cr_expect_str_eq(cob_ssn_regime_name(cob_ssn_classify(&s, 3.3, 1.0, 1000.0)), "bistable");
    cr_expect_str_eq(cob_ssn_regime_name(cob_ssn_classify(&s, 8.0, 1.0, 1000.0)), "isn");
    cob_ssn_regime_facts(&s, 1.0, 0.0, 10.0, 101, 1000.0, &f);
    cr_log_info("bistable: folds %d at %.6g, %.6g; window [%.6g, %.6g]", f.n_folds, f.fold_mu[0], f.fold_mu[1],
                f.bistable_lo, f.bistable_hi);
    cr_expect_eq(f.n_folds, 2);
    cr_expect(f.bistable_lo > 2.0 && f.bistable_hi < 4.0 && f.bistable_lo < f.bistable_hi, "window [%g, %g]",
              f.bistable_lo, f.bistable_hi);
    cr_expect_eq(f.bistable_lo, f.fold_mu[0], "the window ends at folds");
    cr_expect_eq(f.bistable_hi, f.fold_mu[1]);
    cr_expect(f.bal_exists && f.bal_stable, "stable balanced limit (det J = 15 > 0, r = 1 < J_II/J_EI)");

    load_ssn("detj_ramp.yaml", &s, NULL, &ratio);
    cr_expect_eq(ratio, 3.0);
    cr_expect_lt(cob_ssn_det_j(&s), 0.0);
    cr_expect_str_eq(cob_ssn_regime_name(cob_ssn_classify(&s, 100.0, 0.5, 1000.0)), "none");
    double sl[2];
    int stable;
    cr_expect(cob_ssn_balanced(&s, 3.0, sl, &stable) && !stable, "exists, unstable at r = 3");
}

/* The config mapping refuses what is not two white-noise current-based populations, naming the
 * file and what is missing. */
Test(ssn, from_config_refusals)
{
    const char *yaml = "populations:\n"
                       "  - {name: E, model: lif_curr, size: 10, tau_ref_ms: 0, v_th_mV: 1, v_reset_mV: 0, e_l_mV: 0,\n"
                       "     noise: {mu_mV_per_s: 5}}\n"
                       "  - {name: I, model: lif_curr, size: 10, tau_ref_ms: 0, v_th_mV: 1, v_reset_mV: 0, e_l_mV: 0,\n"
                       "     noise: {mu_mV_per_s: 5, sigma_mV_per_sqrt_s: 3}}\n"
                       "projections:\n"
                       "  - {pre: E, post: I, receptor: E, indegree: 5, weight: 0.1}\n"
                       "  - {pre: I, post: E, receptor: I, indegree: 5, weight: 0.1}\n";
    cob_config c;
    cob_err err = {0};
    cob_ssn s;
    cr_assert_eq(cob_config_load_string(&c, yaml, "nosigma.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(cob_ssn_from_config(&c, 10.0, &s, NULL, NULL, NULL, &err), COB_ERR_CONFIG);
    cr_expect(strstr(err.msg, "nosigma.yaml: line 2") && strstr(err.msg, "sigma_mV_per_sqrt_s"), "%s", err.msg);
    cob_config_free(&c);
    cr_assert_eq(cob_config_load(&c, COBALT_SOURCE_DIR "/configs/brunel2000.yaml", NULL, 0, &err), COB_OK, "%s",
                 err.msg);
    cr_expect_eq(cob_ssn_from_config(&c, 10.0, &s, NULL, NULL, NULL, &err), COB_ERR_CONFIG);
    cr_expect(strstr(err.msg, "exactly two populations"), "%s", err.msg);
    cob_config_free(&c);
}

/* Branch labels across the bistable network's window (folds at mu = 3.03 and 3.69 mV/s): the low
 * state keeps id 0 until it meets the middle one, the up state keeps its id past the window, and
 * no id is reused; the count is 1, 3, 1 along the scan (odd: det J > 0). */
Test(ssn, branches_through_the_bistable_window)
{
    cob_ssn s;
    double ratio, mu[10];
    load_ssn("bistable_loop_tau20.yaml", &s, NULL, &ratio);
    for (int k = 0; k < 10; ++k) mu[k] = 2.9 + 0.1 * k;
    cob_ssn_row rows[64];
    int n = cob_ssn_scan(&s, NULL, COB_SSN_METHOD_SSN, 1.0, mu, 10, 1000.0, rows, 64), up = -1;
    cr_assert(n > 10 && n <= 64, "%d rows", n);
    for (int k = 0; k < n; ++k) {
        int count = 0;
        for (int j = 0; j < n; ++j) count += rows[j].mu[0] == rows[k].mu[0];
        cr_expect(count == 1 || count == 3, "mu %g: %d states", rows[k].mu[0], count);
        if (rows[k].mu[0] < 3.0)
            cr_expect_eq(rows[k].branch, 0, "below the window: the low branch");
        if (count == 3 && rows[k].r_hz[0] > 4.0)
            up = rows[k].branch;
        if (rows[k].mu[0] > 3.75) {
            cr_expect_eq(rows[k].branch, up, "past the window the up branch continues (id %d, got %d)", up,
                         rows[k].branch);
            cr_expect(rows[k].stable && rows[k].isn, "the up state: stable and ISN");
        }
    }
    cr_expect_geq(up, 1, "an up branch inside the window");
}
