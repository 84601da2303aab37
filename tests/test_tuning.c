/* tests/test_tuning.c -- tuned input on a ring (include/cobalt/hd/tuning.h, population key
 * `tuning`): the gain against its formula and its normalisation, then whole runs on the CPU
 * backend whose spike counts or voltages read the tuned input directly, against nu(phi_i) and
 * mu(phi_i) neuron by neuron; and the config errors of the key.
 *
 * Reading the input: a current-based neuron with no refractory period whose one input spike
 * (J = 30 mV) always crosses threshold fires in a step exactly when at least one input arrives
 * in it, so its count over T steps has mean T (1 - e^-lambda_i) for independent Poisson input of
 * mean lambda_i per step, and T p_j behind a pool source j of spike probability p_j. Per-neuron
 * counts are independent given the input, and the sum of (obs - exp)^2 / exp over n neurons is
 * chi-square with n dof (Poisson counts, binomial ones slightly narrower: conservative); bounds
 * are the quantile at 1e-6 (scipy), so a correct input trips them with probability ~1e-6, while
 * a gain off by a few % (or the wrong angle) gives statistics in the thousands. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobalt/net.h"
#include "cobalt/ring.h"
#include "cobalt/sim.h"
#include "test_util.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* g of every neuron against the formula in libm, its mean over the ring (1 for cosine exactly
 * on a ring of n >= 2, for von Mises up to O(kappa^n / n!) terms), and e^-x I0(x) at known values. */
Test(tuning, gain_formula)
{
    cob_tuning tu;
    const int64_t n = 360;
    double sum = 0.0, worst = 0.0;
    memset(&tu, 0, sizeof tu);
    cr_expect_eq(cob_tuning_gain(&tu, 5), 1.0, "off: exactly 1");
    cr_expect_lt(fabs(cob_bessel_i0e(2.0) - exp(-2.0) * 2.2795853023360673), 1e-15);
    cr_expect_lt(fabs(cob_bessel_i0e(20.0) - exp(-20.0) * 4.355828255955353e7), 1e-14);
    cr_expect_lt(fabs(cob_bessel_i0e(400.0) * sqrt(2.0 * M_PI * 400.0) - (1.0 + 1.0 / 3200.0)), 1e-6);
    tu.shape = COB_TUNE_COSINE;
    tu.n = n;
    tu.x0 = 100.0 / 360.0;
    tu.c1 = 0.7;
    for (int64_t i = 0; i < n; ++i) {
        double g = cob_tuning_gain(&tu, i), ref = 1.0 + 0.7 * cos(2.0 * M_PI * ((double)i / n - 100.0 / 360.0));
        sum += g;
        worst = fmax(worst, fabs(g - ref));
    }
    cr_expect_lt(worst, 1e-14, "cosine gain off by %g", worst);
    cr_expect_lt(fabs(sum / n - 1.0), 1e-14, "cosine mean %.17g", sum / n);
    tu.shape = COB_TUNE_VON_MISES;
    tu.c1 = 3.0;
    tu.c0 = 1.0 / cob_bessel_i0e(3.0);
    sum = worst = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        double g = cob_tuning_gain(&tu, i);
        double ref = exp(3.0 * cos(2.0 * M_PI * ((double)i / n - 100.0 / 360.0))) / (exp(3.0) * cob_bessel_i0e(3.0));
        sum += g;
        worst = fmax(worst, fabs(g - ref) / ref);
    }
    cr_expect_lt(worst, 1e-14, "von Mises gain off by %g (relative)", worst);
    cr_expect_lt(fabs(sum / n - 1.0), 1e-13, "von Mises mean %.17g", sum / n);
}

/* A readout population: lif_curr, no refractory period, one input spike of 30 mV crosses. */
#define READOUT(name, n, extra) \
    "  - {name: " name ", model: lif_curr, size: " #n ", tau_ref_ms: 0, v_init_mV: [-80, -70]" extra "}\n"

static void run_yaml(const char *yaml, cob_stats *st, cob_config *c)
{
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(c, yaml, "tuning.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    run_cpu(c, st);
}

/* Independent Poisson input tuned to the target's angle: E_i's count against
 * T (1 - e^-lambda_i), lambda_i = K rate g(phi_i) dt, for a cosine (mu_c 0.8, theta 90 of 360)
 * and a von Mises profile (kappa 2, theta 30 of 180). */
static double indep_chi2(const char *tuning, double period, double theta, int vm, double param)
{
    char yaml[1024];
    cob_config c;
    cob_stats st;
    const int64_t n = 360, k = 2;
    const double rate = 100.0, dt_s = 1e-4;
    snprintf(yaml, sizeof yaml,
             "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 4000, seed: 4}\n"
             "populations:\n" READOUT("E", 360,
                                      ", ring_period_deg: %g") "  - {name: X, model: poisson, size: 10, "
                                                               "rate_hz: 100, input: independent, tuning: %s}\n"
                                                               "projections:\n"
                                                               "  - {pre: X, post: E, receptor: E, "
                                                               "indegree: 2, weight: 30}\n",
             period, tuning);
    run_yaml(yaml, &st, &c);
    cob_tuning tu = cob_tuning_of(&c, 1, 0);
    cr_assert_eq(tu.x0, theta / period);
    double chi = 0.0, steps = 40000.0;
    for (int64_t i = 0; i < n; ++i) {
        double g = vm ? exp(param * cos(2.0 * M_PI * ((double)i / n - theta / period))) /
                            (exp(param) * cob_bessel_i0e(param))
                      : 1.0 + param * cos(2.0 * M_PI * ((double)i / n - theta / period));
        double e = steps * (1.0 - exp(-(double)k * rate * g * dt_s)), o = (double)st.pop[0].spike_count[i];
        chi += (o - e) * (o - e) / e;
    }
    cob_stats_free(&st);
    cob_config_free(&c);
    return chi;
}

Test(tuning, independent_rates_follow_target_angle)
{
    double chi = indep_chi2("{shape: cosine, mu_c: 0.8, theta_deg: 90}", 360.0, 90.0, 0, 0.8);
    cr_expect_lt(chi, 502.2, "cosine: chi-square %.1f over 360 neurons (360 dof)", chi);
    cr_expect_gt(chi, 246.5, "cosine: chi-square %.1f suspiciously small (360 dof)", chi);
    chi = indep_chi2("{shape: von_mises, kappa_mu: 2, theta_deg: 30}", 180.0, 30.0, 1, 2.0);
    cr_expect_lt(chi, 502.2, "von Mises: chi-square %.1f over 360 neurons (360 dof)", chi);
}

/* A tuned pool: source j fires with probability rate g(phi_j) dt per step (thinning at the peak
 * rate); each source with a target is read through its first target (K = 1, so a target follows
 * exactly one source, one step later). Chi-square over those sources. */
Test(tuning, pool_rates_follow_source_angle)
{
    const char *yaml = "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 4000, seed: 6}\n"
                       "populations:\n" READOUT("E", 600, "") "  - {name: X, model: poisson, size: 300, rate_hz: 100, "
                                                              "ring_period_deg: 360,\n"
                                                              "     tuning: {shape: cosine, mu_c: -0.9, theta_deg: "
                                                              "200}}\n"
                                                              "projections:\n"
                                                              "  - {pre: X, post: E, receptor: E, indegree: 1, "
                                                              "weight: 30}\n";
    cob_config c;
    cob_stats st;
    cob_net net;
    cob_err err = {0};
    run_yaml(yaml, &st, &c);
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    const cob_proj *pr = &net.proj[0];
    double chi = 0.0, steps = 40000.0;
    int dof = 0;
    for (int64_t j = 0; j < pr->n_pre; ++j) {
        if (pr->row_ptr[j + 1] == pr->row_ptr[j])
            continue;
        double g = 1.0 - 0.9 * cos(2.0 * M_PI * ((double)j / 300.0 - 200.0 / 360.0));
        /* the spikes of the last step arrive after the run: T - 1 steps of arrivals */
        double e = (steps - 1.0) * 100.0 * g * 1e-4, o = (double)st.pop[0].spike_count[pr->target[pr->row_ptr[j]]];
        chi += (o - e) * (o - e) / e;
        dof += 1;
    }
    cr_assert(dof > 180, "only %d sources have a target", dof);
    /* chi-square quantile at 1e-6 for dof in 180 .. 300, bounded by the largest: 405.6 at 300 */
    cr_expect_lt(chi, dof + 4.9 * sqrt(2.0 * dof) + 15.0, "chi-square %.1f over %d sources", chi, dof);
    cob_net_free(&net);
    cob_stats_free(&st);
    cob_config_free(&c);
}

/* A tuned white-noise mean without noise (sigma 0) and without threshold: V relaxes to
 * E_L + mu g(phi_i) tau exactly (the step's exact propagator), so each neuron's mean V is that up
 * to the float step's rounding: an ulp of |V| (7.6e-6 mV near 80 mV) per step, which the leak
 * accumulates over 1 / (1 - d) = 200 steps: 1.5e-3 mV; the bound is 5e-3 mV, against a tuned
 * part of 8 g mV (a wrong angle or gain is off by mV). */
Test(tuning, noise_mean_follows_neuron_angle)
{
    const char *yaml = "run: {dt_ms: 0.1, t_warmup_ms: 400, t_sim_ms: 100, seed: 2}\n"
                       "populations:\n"
                       "  - {name: E, model: lif_curr, size: 90, ring_period_deg: 180, v_th_mV: 1000,\n"
                       "     v_init_mV: [-80, -70],\n"
                       "     noise: {mu_mV_per_s: 400}, tuning: {shape: von_mises, kappa_mu: 1.5, theta_deg: 60}}\n"
                       "stats: {v_neurons: 90}\n";
    cob_config c;
    cob_stats st;
    double worst = 0.0;
    run_yaml(yaml, &st, &c);
    cr_assert_eq(st.pop[0].v_n, 90);
    for (int64_t i = 0; i < 90; ++i) {
        double g = exp(1.5 * cos(2.0 * M_PI * ((double)i / 90.0 - 60.0 / 180.0))) / (exp(1.5) * cob_bessel_i0e(1.5));
        worst = fmax(worst, fabs(st.pop[0].v_mean_mV[i] - (-80.0 + 400.0 * g * 0.02)));
    }
    cr_expect_lt(worst, 5e-3, "mean V off by %g mV", worst);
    cob_stats_free(&st);
    cob_config_free(&c);
}

/* ---- config errors ---------------------------------------------------------------------- */

#define TUNED_NET                                                                                 \
    "run: {dt_ms: 0.1, t_warmup_ms: 10, t_sim_ms: 20}\n"                                          \
    "populations:\n"                                                                              \
    "  - {name: E, model: lif_cond, size: 400, ring_period_deg: 180, noise: {mu_mV_per_s: 10},\n" \
    "     tuning: {shape: cosine, mu_c: 0.3, theta_deg: 45}}\n"                                   \
    "  - {name: I, model: lif_cond, size: 100}\n"                                                 \
    "  - {name: X, model: poisson, size: 400, rate_hz: 10, ring_period_deg: 180,\n"               \
    "     tuning: {shape: von_mises, kappa_mu: 1, theta_deg: 90}}\n"                              \
    "  - {name: Y, model: poisson, size: 10, rate_hz: 10, input: independent,\n"                  \
    "     tuning: {shape: cosine, mu_c: 1}}\n"                                                    \
    "  - {name: R, model: lif_curr, size: 50, ring_period_deg: 360}\n"                            \
    "projections:\n"                                                                              \
    "  - {pre: X, post: E, receptor: E, indegree: 40, weight: 0.01}\n"                            \
    "  - {pre: Y, post: R, receptor: E, indegree: 40, weight: 1}\n"

static void refused(const char *set, const char *want1, const char *want2)
{
    cob_config c;
    cob_err err = {0};
    const char *sets[1] = {set};
    cob_status st = cob_config_load_string(&c, TUNED_NET, "tuned.yaml", sets, 1, &err);
    cr_assert_eq(st, COB_ERR_CONFIG, "--set %s was accepted", set);
    cr_expect(strstr(err.msg, want1) != NULL, "--set %s: \"%s\" lacks \"%s\"", set, err.msg, want1);
    if (want2)
        cr_expect(strstr(err.msg, want2) != NULL, "--set %s: \"%s\" lacks \"%s\"", set, err.msg, want2);
}

Test(tuning, config_ok_and_errors)
{
    cob_config c;
    cob_err err = {0};
    const char *theta[1] = {"populations.X.tuning.theta_deg=135"};
    cr_assert_eq(cob_config_load_string(&c, TUNED_NET, "tuned.yaml", theta, 1, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(c.pops[2].tuning.shape, COB_TUNE_VON_MISES);
    cr_expect_eq(c.pops[2].tuning.theta_deg, 135.0, "--set changes the stimulus angle");
    cr_expect_eq(c.pops[0].tuning.mu_c, 0.3);
    cob_config_free(&c);
    refused("populations.E.tuning.mu_c=2", "populations[0].tuning.mu_c: value \"2\" out of range", "-1 and <= 1");
    refused("populations.X.tuning.kappa_mu=600", "populations[2].tuning.kappa_mu", "out of range");
    refused("populations.X.tuning.mu_c=0.5",
            "populations[2].tuning.mu_c: value \"0.5\": key only valid with shape "
            "cosine, not von_mises",
            NULL);
    refused("populations.X.ring_period_deg=0", "populations[2].tuning: population \"X\" has no ring", NULL);
    refused("populations.R.ring_period_deg=0", "independent input \"Y\" is tuned to its targets' angles", "\"R\"");
    refused("populations.E.ring_period_deg=0", "populations[0].tuning: population \"E\" has no ring", NULL);
    refused("populations.E.noise={sigma_mV_per_sqrt_s: 5}", "has no white-noise mean to tune", NULL);
    refused("populations.X.rate_hz=5000", "fire at", "allowed: rate_hz * gain * dt_ms * 1e-3 <= 1");
    refused("populations.X.tuning.shape=gauss", "unknown value \"gauss\"", "none, cosine, von_mises");
    refused("populations.X.tuning.phase=3", "unknown key", "shape, mu_c, kappa_mu, theta_deg");
}
