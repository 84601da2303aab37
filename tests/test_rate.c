/* tests/test_rate.c -- the rate-model companion (include/cobalt/rate.h, host/rate/): RK4 against
 * the closed-form solution of a linear network and its fourth order; seed 003's E-I model (fixed
 * point, Hopf tau_I, frequency); the ring's uniform-state spectrum and stability boundary, its
 * amplification (1 - J0) / (1 - J1/2) and the bump profile of J1 > 2; inputs back-computed from
 * target rates and found again as the fixed point; the eigenvalue routine on known spectra; config
 * errors; `cobalt rate` end to end. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "cobalt/rate.h"

/* Seed 003's E-I model: tau_E = 10 ms, tau_I given; W = [[1.25, -1], [1, 0]]; inputs -gamma = (10, -10). */
static void ei_model(cob_rate_model *m, double tau_i)
{
    cob_err err = {0};
    cr_assert_eq(cob_rate_alloc(m, 2, &err), COB_OK, "%s", err.msg);
    strcpy(m->names[0], "E");
    strcpy(m->names[1], "I");
    m->tau_ms[0] = 10.0;
    m->tau_ms[1] = tau_i;
    double w[4] = {1.25, -1.0, 1.0, 0.0};
    memcpy(m->w, w, sizeof w);
    m->input[0] = 10.0;
    m->input[1] = -10.0;
}

/* The linear solution about the fixed point r* = (80/3, 50/3): x(t) = e^{at} [cos(wt) x0 + sin(wt)/w (A - a) x0]
 * for A's complex pair a +- iw. Returns the largest deviation of RK4 at step dt after t_ms. */
static double ei_linear_error(double dt, double t_ms)
{
    cob_rate_model m;
    ei_model(&m, 30.0);
    double rs[2] = {80.0 / 3.0, 50.0 / 3.0}, x0[2] = {1.5, -1.0}, r[2] = {rs[0] + x0[0], rs[1] + x0[1]}, work[10];
    double A[4] = {0.25 / 10.0, -1.0 / 10.0, 1.0 / 30.0, -1.0 / 30.0};
    double a = 0.5 * (A[0] + A[3]), det = A[0] * A[3] - A[1] * A[2], w = sqrt(det - a * a);
    int64_t n = llround(t_ms / dt);
    for (int64_t k = 0; k < n; ++k) cob_rate_rk4_step(&m, m.input, r, dt, work);
    double t = n * dt, e = exp(a * t), c = cos(w * t), s = sin(w * t) / w, err = 0.0;
    for (int i = 0; i < 2; ++i) {
        double ax = A[2 * i] * x0[0] + A[2 * i + 1] * x0[1] - a * x0[i];
        double exact = rs[i] + e * (c * x0[i] + s * ax);
        err = fmax(err, fabs(r[i] - exact));
    }
    cob_rate_free(&m);
    return err;
}

/* The perturbation (1.5, -1) Hz keeps both inputs above threshold along the whole spiral (it
 * decays; the inputs stay near 26 and 7), so the network is linear and the closed form exact. */
Test(rate, rk4_matches_linear_closed_form)
{
    /* dt = 0.01 ms, |lambda| dt = 5e-4: RK4's global error ~ t |lambda|^5 dt^4 ~ 1e-13 of the
     * 1.5 Hz kick; 1e-9 Hz leaves room for rounding over 2e4 steps and would catch a first- or
     * second-order step (errors ~ 1e-3 and ~ 1e-6 Hz here) */
    double err = ei_linear_error(0.01, 200.0);
    cr_expect_lt(err, 1e-9, "RK4 error %g Hz at dt 0.01 ms", err);
    /* fourth order: halving dt from 1 ms divides the error by 2^4 = 16 (12 .. 20 allows the
     * next order's share at |lambda| dt = 0.05) */
    double e1 = ei_linear_error(1.0, 200.0), e2 = ei_linear_error(0.5, 200.0);
    cr_expect(e1 / e2 > 12.0 && e1 / e2 < 20.0, "error ratio %g (errors %g, %g)", e1 / e2, e1, e2);
}

Test(rate, seed003_fixed_point_hopf_frequency)
{
    cob_rate_model m;
    cob_err err = {0};
    ei_model(&m, 30.0);
    double r[2] = {0.0, 0.0};
    /* Newton from rest: exact to its stopping rule (1e-12 relative); the closed form is
     * nu_E = (gamma_I - gamma_E) / (M_EE - 1 - ... ) = 80/3, nu_I = nu_E - 10 */
    cr_assert_eq(cob_rate_fixed_point(&m, m.input, r, &err), COB_OK, "%s", err.msg);
    cr_expect_lt(fabs(r[0] - 80.0 / 3.0), 1e-9, "nu_E %.12g", r[0]);
    cr_expect_lt(fabs(r[1] - 50.0 / 3.0), 1e-9, "nu_I %.12g", r[1]);
    /* trace (M_EE - 1)/tau_E + (M_II - 1)/tau_I vanishes at tau_I = 40 ms; there omega^2 = det =
     * ((M_EE - 1)(M_II - 1) - M_EI M_IE) / (tau_E tau_I) = 0.75 / 400 ms^-2. The bisection stops at
     * 1e-10 ms; 1e-8 allows the eigenvalue routine's rounding near the crossing. */
    double tau, f;
    cr_assert_eq(cob_rate_hopf_tau(&m, m.input, r, 1, 20.0, 60.0, &tau, &f, &err), COB_OK, "%s", err.msg);
    cr_expect_lt(fabs(tau - 40.0), 1e-8, "Hopf tau_I %.12g ms", tau);
    double f_exact = sqrt(0.75 / 400.0) * 1000.0 / (2.0 * COB_RATE_PI);
    cr_expect_lt(fabs(f / f_exact - 1.0), 1e-8, "frequency %.10g Hz, closed form %.10g", f, f_exact);
    /* the tutorial's three cases: tau_I = 30, 40, 50 ms give trace -0.0083, 0, +0.005 per ms */
    const double taus[3] = {30.0, 45.0, 50.0}, trace[3] = {0.025 - 1.0 / 30.0, 0.025 - 1.0 / 45.0, 0.005};
    for (int k = 0; k < 3; ++k) {
        m.tau_ms[1] = taus[k];
        cob_rate_stability s;
        cr_assert_eq(cob_rate_linearize(&m, m.input, r, NULL, NULL, NULL, NULL, &s, &err), COB_OK, "%s", err.msg);
        cr_expect_lt(fabs(s.max_re_per_ms - trace[k] / 2.0), 1e-12, "tau_I %g: Re %g", taus[k], s.max_re_per_ms);
        cr_expect_eq(s.stable, taus[k] < 40.0);
        cr_expect(s.oscillatory);
    }
    /* no crossing in [20, 30] ms: refused, not a made-up point */
    m.tau_ms[1] = 30.0;
    cr_expect_eq(cob_rate_hopf_tau(&m, m.input, r, 1, 20.0, 30.0, &tau, &f, &err), COB_ERR_INVALID);
    cr_expect(strstr(err.msg, "one sign") != NULL, "%s", err.msg);
    /* the paper-style measure of seed 002 is tau-free: eig([[0.25, -1], [1, -1]]) = -0.375 +- i 0.79 */
    cob_rate_stability s;
    cob_rate_linearize(&m, m.input, r, NULL, NULL, NULL, NULL, &s, &err);
    cr_expect_lt(fabs(s.paper_measure + 0.375), 1e-12, "paper measure %g", s.paper_measure);
    cob_rate_free(&m);
}

static void ring_model(cob_rate_model *m, int n, double j0, double j1, double i0, double i1)
{
    cob_err err = {0};
    cr_assert_eq(cob_rate_alloc(m, n, &err), COB_OK, "%s", err.msg);
    m->ring = (cob_rate_ring){n, 10.0, j0, j1, i0, i1, 0.0, {COB_RATE_F_LINEAR, 1.0, 1.0, 0.0}};
    cob_rate_ring_build(m);
}

/* The uniform state's Jacobian is circulant: eigenvalues (J0 - 1)/tau, (J1/2 - 1)/tau (twice) and
 * -1/tau; exact for any N (cos and sin are exact eigenvectors), so 1e-12 is rounding only. */
Test(rate, ring_uniform_spectrum_and_boundary)
{
    cob_rate_model m;
    cob_err err = {0};
    ring_model(&m, 64, -2.0, 1.5, 1.0, 0.0);
    double r[64], re[64], im[64];
    for (int i = 0; i < 64; ++i) r[i] = 1.0 / 3.0; /* m0 = I0 / (1 - J0) */
    cob_rate_stability s;
    cr_assert_eq(cob_rate_linearize(&m, m.input, r, NULL, NULL, re, im, &s, &err), COB_OK, "%s", err.msg);
    int n0 = 0, n1 = 0, nm = 0;
    for (int i = 0; i < 64; ++i) {
        cr_expect_lt(fabs(im[i]), 1e-12);
        n0 += fabs(re[i] - (-3.0 / 10.0)) < 1e-12;
        n1 += fabs(re[i] - (-0.25 / 10.0)) < 1e-12;
        nm += fabs(re[i] - (-1.0 / 10.0)) < 1e-12;
    }
    cr_expect(n0 == 1 && n1 == 2 && nm == 61, "modes: %d uniform, %d cos, %d others", n0, n1, nm);
    cob_rate_free(&m);
    /* the boundary: J0 < 1 and J1 < 2, either side by 0.01 */
    const double j0s[4] = {0.99, 1.01, 0.0, 0.0}, j1s[4] = {0.0, 0.0, 1.99, 2.01};
    for (int k = 0; k < 4; ++k) {
        ring_model(&m, 32, j0s[k], j1s[k], 1.0, 0.0);
        double rr[32];
        for (int i = 0; i < 32; ++i)
            rr[i] = 1.0 / (1.0 - j0s[k]) > 0 ? 1.0 / (1.0 - j0s[k]) : 1.0; /* any positive uniform rate: all active */
        cr_assert_eq(cob_rate_linearize(&m, m.input, rr, NULL, NULL, NULL, NULL, &s, &err), COB_OK, "%s", err.msg);
        cob_rate_ring_theory t;
        cob_rate_ring_closed_form(&m.ring, &t);
        int want = k % 2 == 0;
        cr_expect_eq(s.stable, want, "J0 %g J1 %g: Jacobian says %d", j0s[k], j1s[k], s.stable);
        cr_expect_eq(t.uniform_stable, want, "J0 %g J1 %g: closed form says %d", j0s[k], j1s[k], t.uniform_stable);
        cob_rate_free(&m);
    }
}

/* First Fourier coefficients of a ring's rates. */
static void fourier(const double *r, int n, double *m0, double *m1)
{
    *m0 = *m1 = 0.0;
    for (int i = 0; i < n; ++i) {
        *m0 += r[i] / n;
        *m1 += 2.0 * r[i] * cos(2.0 * COB_RATE_PI * i / n) / n;
    }
}

/* Tuned input I0 + I1 cos: m1/m0 = (I1/I0) (1 - J0)/(1 - J1/2) = 12 (I1/I0) here; cos is an exact
 * eigenvector of the discrete kernel, so the fixed point matches to Newton's tolerance, and RK4
 * run for 60 time constants of the slowest mode (e^-60) lands on it. */
Test(rate, ring_amplification)
{
    cob_rate_model m;
    cob_err err = {0};
    ring_model(&m, 128, -2.0, 1.5, 1.0, 0.02);
    m.t_ms = 2400.0; /* 60 x 1/|lambda1| = 60 x 40 ms */
    m.dt_ms = 0.1;
    m.record_ms = 100.0;
    cob_rate_result res;
    cr_assert_eq(cob_rate_run(&m, &res, &err), COB_OK, "%s", err.msg);
    cr_assert(res.epoch_fp_ok[0]);
    double m0, m1, e0, e1;
    fourier(res.epoch_fp, 128, &m0, &m1);
    fourier(res.epoch_end_r, 128, &e0, &e1);
    double amp = (m1 / m0) / (0.02 / 1.0);
    cr_expect_lt(fabs(amp - 12.0), 1e-9, "amplification %.12g", amp);
    cr_expect_lt(fabs(res.ring.amplification - 12.0), 1e-12);
    cr_expect_lt(fabs(e1 / e0 - m1 / m0), 1e-9, "integrated m1/m0 %.12g vs %.12g", e1 / e0, m1 / m0);
    cr_expect_lt(fabs(m0 - 1.0 / 3.0), 1e-12, "m0 %.15g", m0);
    cob_rate_result_free(&res);
    cob_rate_free(&m);
}

/* J1 = 3 > 2: the uniform state is unstable and a bump a [cos(theta) - cos theta_c]_+ forms, with
 * J1 (2 theta_c - sin 2 theta_c) / (4 pi) = 1 - I1/a (I1 = 0.05 pins it at theta0). The units
 * sample the continuum: sums of the kinked profile differ from the integrals by O((2 pi / N)^2)
 * of the peak (6e-4 at N = 256); 5e-3 of the peak allows that, and the N = 64 error must be larger
 * (the comparison converges rather than agreeing by luck). */
static double bump_error(int n)
{
    cob_rate_model m;
    cob_err err = {0};
    ring_model(&m, n, -1.0, 3.0, 1.0, 0.05);
    m.t_ms = 1000.0;
    m.dt_ms = 0.05;
    m.record_ms = 100.0;
    for (int i = 0; i < n; ++i) m.r0_hz[i] = 0.1;
    cob_rate_result res;
    cr_assert_eq(cob_rate_run(&m, &res, &err), COB_OK, "%s", err.msg);
    cr_assert(res.ring.bounded && res.ring.theta_c < COB_RATE_PI, "theta_c %g", res.ring.theta_c);
    cr_assert(res.epoch_fp_ok[0]);
    cr_assert(res.epoch_st[0].stable, "bump unstable: Re %g", res.epoch_st[0].max_re_per_ms);
    double peak = res.ring.a * (1.0 - cos(res.ring.theta_c)), e = 0.0;
    for (int i = 0; i < n; ++i) {
        double th = 2.0 * COB_RATE_PI * i / n, want = cob_rate_ring_profile(&m.ring, &res.ring, th);
        e = fmax(e, fabs(res.epoch_fp[i] - want));
        /* the integration ends on the fixed point it was started towards */
        cr_expect_lt(fabs(res.epoch_end_r[i] - res.epoch_fp[i]), 1e-6 * peak, "unit %d", i);
    }
    cob_rate_result_free(&res);
    cob_rate_free(&m);
    return e / peak;
}

Test(rate, ring_bump_profile)
{
    double e256 = bump_error(256), e64 = bump_error(64);
    cr_expect_lt(e256, 5e-3, "bump profile error %g of the peak at N = 256", e256);
    cr_expect_gt(e64, e256, "N = 64: %g, N = 256: %g", e64, e256);
}

static const char *seed002 =
    "rate:\n"
    "  t_ms: 40\n"
    "  populations:\n"
    "    - {name: E, f: {type: power, k: 0.25, n: 2}, rate_hz: 5}\n"
    "    - {name: PV, f: {type: power, k: 0.25, n: 2}, rate_hz: 1.8}\n"
    "    - {name: SOM, f: {type: power, k: 0.25, n: 2}, rate_hz: 2.5}\n"
    "  W:\n"
    "    E: {E: 0.8, PV: -1, SOM: -0.5}\n"
    "    PV: {E: 1, PV: -0.6, SOM: -0.6}\n"
    "  steps: [{t_ms: 20, pop: SOM, delta: 1}]\n";

/* Inputs back-computed as seed 002 does (I = sqrt(4 r) - W r) put the fixed point on the targets:
 * Newton from elsewhere finds them again to its tolerance, the integration sits there until the
 * step (RK4 of an exact fixed point changes nothing but rounding), and the step moves it. */
Test(rate, backcompute_round_trip)
{
    cob_rate_model m;
    cob_err err = {0};
    cr_assert_eq(cob_rate_load_string(&m, seed002, "s.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    const double tgt[3] = {5.0, 1.8, 2.5};
    double xe = sqrt(5.0 / 0.25) - (0.8 * 5.0 - 1.0 * 1.8 - 0.5 * 2.5);
    cr_expect_lt(fabs(m.input[0] - xe), 1e-12, "I_E %.15g vs %.15g", m.input[0], xe);
    double r[3] = {4.0, 2.5, 2.0};
    cr_assert_eq(cob_rate_fixed_point(&m, m.input, r, &err), COB_OK, "%s", err.msg);
    for (int i = 0; i < 3; ++i) cr_expect_lt(fabs(r[i] - tgt[i]), 1e-10, "population %d: %.15g", i, r[i]);
    cob_rate_result res;
    cr_assert_eq(cob_rate_run(&m, &res, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(res.n_epochs, 2);
    for (int i = 0; i < 3; ++i) {
        cr_expect_lt(fabs(res.epoch_fp[i] - tgt[i]), 1e-10);
        cr_expect_lt(fabs(res.epoch_end_r[i] - tgt[i]), 1e-10, "drift before the step: %g",
                     res.epoch_end_r[i] - tgt[i]);
    }
    /* seed 002, Fig. 1D case 3 (low PV rate): a positive SOM input lowers E */
    cr_expect_lt(res.epoch_fp[3] - 5.0, -0.1, "E after the SOM step: %g", res.epoch_fp[3]);
    cr_expect_lt(res.epoch_L[2], 0.0, "L_ES %g", res.epoch_L[2]);
    cob_rate_result_free(&res);
    cob_rate_free(&m);
}

/* A companion matrix of (x - 1)(x + 2)(x^2 + 2x + 5): roots 1, -2, -1 +- 2i. */
Test(rate, eigenvalues_known)
{
    /* x^4 + 3x^3 + 5x^2 + 3x - 10 ... built from the roots: (x^2 + x - 2)(x^2 + 2x + 5) */
    double c[4] = {-10.0, 1.0, 5.0, 3.0}; /* x^4 + 3x^3 + 5x^2 + x - 10 */
    double a[16] = {0};
    for (int i = 1; i < 4; ++i) a[i * 4 + i - 1] = 1.0;
    for (int i = 0; i < 4; ++i) a[i * 4 + 3] = -c[i];
    double re[4], im[4];
    cob_err err = {0};
    cr_assert_eq(cob_rate_eig(a, 4, re, im, &err), COB_OK, "%s", err.msg);
    int got = 0;
    for (int i = 0; i < 4; ++i) {
        got += fabs(re[i] - 1.0) < 1e-10 && fabs(im[i]) < 1e-10;
        got += fabs(re[i] + 2.0) < 1e-10 && fabs(im[i]) < 1e-10;
        got += fabs(re[i] + 1.0) < 1e-10 && fabs(fabs(im[i]) - 2.0) < 1e-10;
    }
    cr_expect_eq(got, 4, "eigenvalues %g%+gi %g%+gi %g%+gi %g%+gi", re[0], im[0], re[1], im[1], re[2], im[2], re[3],
                 im[3]);
    /* and the inverse */
    double b[4] = {2.0, 1.0, 1.0, 1.0};
    cr_assert_eq(cob_rate_invert(b, 2, &err), COB_OK);
    cr_expect(fabs(b[0] - 1.0) < 1e-15 && fabs(b[1] + 1.0) < 1e-15 && fabs(b[2] + 1.0) < 1e-15 &&
              fabs(b[3] - 2.0) < 1e-15);
    double s[4] = {1.0, 2.0, 2.0, 4.0};
    cr_expect_eq(cob_rate_invert(s, 2, &err), COB_ERR_INVALID);
}

/* Each bad config is refused with COB_ERR_CONFIG and a message "file:line: key: ..." naming
 * the key and what is allowed. */
Test(rate, config_errors)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"rate:\n  populations:\n    - {name: E, tau_ms: -1, input: 1}\n",
         "c.yaml:3: rate.populations[0].tau_ms: value \"-1\" out of range (allowed: number > 0)"},
        {"rate:\n  dt: 0.1\n  populations: [{name: E, input: 1}]\n", "c.yaml:2: rate.dt: unknown key (allowed: dt_ms"},
        {"rate:\n  populations: [{name: E, input: 1, rate_hz: 2}]\n", "exactly one of rate_hz"},
        {"rate:\n  populations: [{name: E, input: 1}]\n  W: {E: {X: 1}}\n",
         "c.yaml:3: rate.W.E.X: no population named \"X\""},
        {"rate:\n  populations: [{name: E, input: 1, f: {type: sigmoid}}]\n", "allowed: linear, power"},
        {"rate:\n  populations: [{name: E, input: 1, f: {type: linear, n: 2}}]\n", "only valid for type power"},
        {"rate:\n  populations: [{name: E, input: 1}, {name: E, input: 2}]\n", "not used by another population"},
        {"rate:\n  populations: [{name: E, input: 1}]\n  steps: [{t_ms: 5, pop: E}]\n",
         "missing required key \"delta\""},
        {"rate:\n  ring: {n: 2}\n", "rate.ring.n: value \"2\" out of range (allowed: integer 3 .. 512)"},
        {"rate:\n  populations: [{name: E, input: \"1\"}]\n", "wrong type: expected a number"},
        {"rate:\n  dt_ms: 0.1\n", "exactly one of populations, ring"},
        {"run: {}\n", "unknown key (allowed: rate)"},
        {"rate:\n  dt_ms: 1e-8\n  populations: [{name: E, input: 1}]\n",
         "c.yaml:2: rate.dt_ms: value \"1e-8\" out of range (allowed: t_ms / dt_ms at most 1e9 steps)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        cob_rate_model m;
        cob_err err = {0};
        cr_expect_eq(cob_rate_load_string(&m, cases[k].text, "c.yaml", NULL, 0, &err), COB_ERR_CONFIG, "case %zu", k);
        cr_expect(strstr(err.msg, cases[k].want) != NULL, "case %zu: message '%s' lacks '%s'", k, err.msg,
                  cases[k].want);
    }
    /* --set reaches the rate block like a network config's */
    cob_rate_model m;
    cob_err err = {0};
    const char *sets[1] = {"rate.populations.E.input=3"};
    cr_assert_eq(cob_rate_load_string(&m, "rate:\n  populations: [{name: E, input: 1}]\n", "c.yaml", sets, 1, &err),
                 COB_OK, "%s", err.msg);
    cr_expect_eq(m.input[0], 3.0);
    cob_rate_free(&m);
}

/* cobalt rate on the shipped seed 003 config: exit 0, the JSON line carries the Hopf point, the
 * file is written; a bad config exits 2. */
Test(rate, cli_end_to_end)
{
    char cmd[1024], line[8192] = "";
    snprintf(cmd, sizeof cmd, "%s rate %s/configs/rate/seed003_ei.yaml --out test_rate_cli.h5", COBALT_CLI,
             COBALT_SOURCE_DIR);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    cr_assert(fgets(line, sizeof line, p));
    cr_expect_eq(pclose(p), 0);
    cr_expect(strstr(line, "\"hopf\":{\"pop\":\"I\",\"tau_ms\":40") != NULL, "%s", line);
    FILE *f = fopen("test_rate_cli.h5", "rb");
    cr_expect(f != NULL);
    if (f)
        fclose(f);
    remove("test_rate_cli.h5");
    FILE *bad = fopen("test_rate_bad.yaml", "w");
    cr_assert(bad);
    fputs("rate:\n  populations: [{name: E, tau_ms: 0, input: 1}]\n", bad);
    fclose(bad);
    snprintf(cmd, sizeof cmd, "%s rate test_rate_bad.yaml --no-out 2>/dev/null", COBALT_CLI);
    int rc = system(cmd);
    cr_expect(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "exit %d", WEXITSTATUS(rc));
    remove("test_rate_bad.yaml");
}
