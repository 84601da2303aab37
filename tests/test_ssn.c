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
