/* tests/test_protocol.c -- time-varying inputs (issue 12, items 4 and 5): Poisson rates as
 * schedules (pool sources by thinning, independent counts with a per-step mean; hd/poisson.h),
 * the protocol block compiled into schedule points (host/config/config_protocol.c), per-window
 * statistics against closed forms, and the config errors of both. CPU == CUDA for the same inputs
 * is in tests/test_cuda.c (run_scheduled_inputs) and the digests of tests/test_digest.c. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "test_util.h"
#include "cobalt/config.h"
#include "cobalt/plan.h"
#include "cobalt/hd/poisson.h"
#include "inputs/poisson_tables.h"

TestSuite(protocol, .init = test_one_thread, .timeout = 300);

static void load(cob_config *c, const char *yaml)
{
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(c, yaml, "p.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
}

/* ---- the draws ------------------------------------------------------------------------------ */

/* cob_exp_neg (IEEE basic operations only) against libm's exp over the range the chunks use and
 * beyond: within 4 double ulps. */
Test(protocol, exp_neg_matches_libm)
{
    double worst = 0.0;
    for (int k = 0; k <= 200000; ++k) {
        double x = k * (708.0 / 200000.0), e = exp(-x), got = cob_exp_neg(x);
        double rel = fabs(got - e) / e;
        if (rel > worst)
            worst = rel;
    }
    cr_log_info("cob_exp_neg: largest relative error %.3g (%.2f ulp)", worst, worst / 2.220446e-16);
    cr_expect_lt(worst, 4 * 2.220446e-16, "relative error %.3g", worst);
    cr_expect_eq(cob_exp_neg(0.0), 1.0);
    cr_expect_eq(cob_exp_neg(800.0), 0.0);
}

/* A per-step mean is split as the host splits a constant one, and draws the same Philox words:
 * the counts of cob_poisson_step_lambda have the Poisson mean and variance over 2e5 draws at each
 * of four means (one chunk and several); s.e. of the mean sqrt(lambda / 2e5), bound 5 s.e.; of
 * the variance about lambda sqrt(2 / 2e5), bound 5 s.e. */
Test(protocol, poisson_per_step_mean)
{
    const double lambdas[] = {0.03, 2.5, 63.9, 300.0};
    for (int q = 0; q < 4; ++q) {
        const double lam = lambdas[q];
        const int n = 200000;
        double s = 0.0, ss = 0.0;
        uint32_t nc;
        double chunk, e;
        cob_poisson_split(lam, &nc, &chunk, &e);
        cr_expect_eq(nc, (uint32_t)ceil(lam / COB_POISSON_CHUNK), "chunks of %g", lam);
        for (int i = 0; i < n; ++i) {
            double k = cob_poisson_step_lambda(7, COB_STREAM(COB_STREAM_INDEP, 3), (uint32_t)(i % 1000),
                                               (uint64_t)(i / 1000), lam);
            s += k;
            ss += k * k;
        }
        double m = s / n, var = ss / n - m * m;
        cr_log_info("lambda %g: mean %.4f, variance %.4f", lam, m, var);
        cr_expect_lt(fabs(m - lam), 5 * sqrt(lam / n), "lambda %g: mean %g", lam, m);
        cr_expect_lt(fabs(var - lam), 5 * lam * sqrt(2.0 / n) + 5 * sqrt(lam / n), "lambda %g: variance %g", lam, var);
    }
}

/* Thinning: N pool sources with candidates at p_max = rate_max dt, kept with probability
 * rate(t) / rate_max, fire in step t with probability rate(t) dt. A ramp of 0 -> 400 Hz over 100
 * steps of 0.1 ms (p up to 0.04) and N = 20000 sources: the spikes of each step are
 * Binomial(N, p(t)); the sum of the squared z-scores over the 100 steps is chi-square with 100
 * degrees of freedom (< 160 with probability 1 - 1e-4), and the total is within 5 s.e. */
Test(protocol, pool_thinning_is_bernoulli_per_step)
{
    const int n = 20000, steps = 100;
    const double dt_s = 1e-4;
    cob_schedule rate = {0};
    rate.n = 2;
    rate.t_steps[0] = 0;
    rate.t_steps[1] = steps - 1;
    rate.value[0] = 0.0f;
    rate.value[1] = 400.0f;
    const double p_max = 400.0 * dt_s;
    int32_t len;
    uint64_t *thr = cob_geometric_table(p_max, &len);
    cr_assert_not_null(thr);
    static int64_t next[20000];
    static uint32_t draws[20000];
    int count[100] = {0};
    const uint32_t stream = COB_STREAM(COB_STREAM_SOURCE, 2);
    for (int j = 0; j < n; ++j) next[j] = cob_pool_next(9, stream, (uint32_t)j, -1, p_max, &draws[j], thr, len);
    for (int64_t t = 0; t < steps; ++t) {
        float r = cob_schedule_at(&rate, t);
        for (int j = 0; j < n; ++j)
            if (next[j] == t) {
                count[t] += cob_pool_keep(9, 2, (uint32_t)j, t, r, 400.0f, 1.0);
                next[j] = cob_pool_next(9, stream, (uint32_t)j, t, p_max, &draws[j], thr, len);
            }
    }
    double chi2 = 0.0, tot = 0.0, expect = 0.0, var = 0.0;
    for (int64_t t = 0; t < steps; ++t) {
        double p = (double)cob_schedule_at(&rate, t) * dt_s, m = n * p, v = n * p * (1 - p);
        tot += count[t];
        expect += m;
        var += v;
        if (v > 0)
            chi2 += (count[t] - m) * (count[t] - m) / v;
        else
            cr_expect_eq(count[t], 0, "step %lld at rate 0 has %d spikes", (long long)t, count[t]);
    }
    cr_log_info("thinning: %g spikes, expected %g; chi2 %.1f over %d steps", tot, expect, chi2, steps);
    cr_expect_lt(chi2, 160.0, "chi-square %.1f over %d steps", chi2, steps);
    cr_expect_lt(fabs(tot - expect), 5 * sqrt(var), "%g spikes, expected %g", tot, expect);
    free(thr);
}

/* ---- compiling the protocol ------------------------------------------------------------------ */

static const char *proto_yaml =
    "run: {dt_ms: 0.5, t_warmup_ms: 100, t_sim_ms: 900}\n"
    "populations:\n"
    "  - {name: E, model: lif_curr, size: 10, noise: {mu_mV_per_s: [[0, 10], [1000, 20]]}}\n"
    "  - {name: X, model: poisson, size: 10, rate_hz: 5}\n"
    "projections:\n"
    "  - {pre: X, post: E, receptor: E, indegree: 5, weight: 0.1}\n"
    "protocol:\n"
    "  windows:\n"
    "    - {name: a, start_ms: 200, end_ms: 300}\n"
    "    - {name: b, start_ms: 300, end_ms: 500}\n"
    "  perturbations:\n"
    "    - {window: a, population: X, key: rate_hz, step: 3}\n"
    "    - {window: b, population: X, key: rate_hz, ramp: [4, 0]}\n"
    "    - {window: b, population: E, key: noise.mu_mV_per_s, step: -5}\n"
    "    - {window: b, population: E, key: noise.sigma_mV_per_sqrt_s, ramp: [0, 2]}\n";

/* Window a is steps [400, 600), b [600, 1000). The rate: 5 Hz, +3 on a, a ramp 4 -> 0 on b (at
 * step 600 + k: 4 - 4 k / 400): points at 399, 400, 599, 600, 999, 1000. */
Test(protocol, compiles_to_schedule_points)
{
    cob_config c;
    int64_t t[64];
    double v[64];
    load(&c, proto_yaml);
    int n = cob_protocol_schedule(&c, 1, COB_PERT_RATE, t, v, 64);
    const int64_t et[] = {0, 399, 400, 599, 600, 999, 1000};
    const double ev[] = {5, 5, 8, 8, 9, 5 + 4 - 4 * 399.0 / 400.0, 5};
    cr_assert_eq(n, 7, "%d points", n);
    for (int i = 0; i < n; ++i) {
        cr_expect_eq(t[i], et[i], "point %d at step %lld, expected %lld", i, (long long)t[i], (long long)et[i]);
        cr_expect_lt(fabs(v[i] - ev[i]), 1e-12, "point %d value %.17g, expected %.17g", i, v[i], ev[i]);
    }
    /* mu: [0, 10], [2000, 20] in steps, -5 over b: linear base between, evaluated at the points */
    n = cob_protocol_schedule(&c, 0, COB_PERT_MU, t, v, 64);
    cr_assert_eq(n, 6, "%d points", n);
    cr_expect(t[1] == 599 && t[2] == 600 && t[3] == 999 && t[4] == 1000 && t[5] == 2000);
    cr_expect_lt(fabs(v[1] - (10 + 10 * 599 / 2000.0)), 1e-12, "%.17g", v[1]);
    cr_expect_lt(fabs(v[2] - (10 + 10 * 600 / 2000.0 - 5)), 1e-12, "%.17g", v[2]);
    cr_expect_lt(fabs(v[4] - (10 + 10 * 1000 / 2000.0)), 1e-12, "%.17g", v[4]);
    /* sigma did not exist: 0 plus the ramp */
    n = cob_protocol_schedule(&c, 0, COB_PERT_SIGMA, t, v, 64);
    cr_assert_eq(n, 5, "%d points", n);
    cr_expect(v[0] == 0 && v[1] == 0 && v[2] == 0 && fabs(v[3] - 2 * 399 / 400.0) < 1e-12 && v[4] == 0);
    /* the plan: a varying rate, thinned at its largest value (9 Hz) */
    cob_net net;
    cob_plan pl;
    cob_err err = {0};
    cr_assert(cob_pop_rate_varies(&c, 1));
    cr_assert_eq(cob_net_layout(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_plan_compile(&pl, &c, &net, &err), COB_OK, "%s", err.msg);
    cr_expect(pl.pop[1].rate_sched.on && pl.pop[1].rate_sched.rate.n == 7);
    cr_expect_eq(pl.pop[1].rate_sched.rate_max, 9.0f);
    cr_expect_lt(fabs(pl.pop[1].p_step - 9.0 * 0.5e-3), 1e-15);
    cr_expect(pl.pop[0].noise.on && pl.pop[0].noise.sigma.n == 5);
    cr_expect(pl.windows.steps.n == 2 && pl.windows.steps.start[1] == 600 && pl.windows.steps.end[1] == 1000);
    cob_plan_free(&pl);
    cob_net_free(&net);
    cob_config_free(&c);
}

/* A rate written as a schedule of equal values, or as a one-point list, is the constant path: the
 * same run, bit for bit, as the number. */
Test(protocol, constant_schedule_is_the_constant_path)
{
    const char *rates[] = {"25", "[[0, 25]]", "[[0, 25], [300, 25], [700, 25]]"};
    cob_stats ref;
    char yaml[1024], msg[256];
    for (int k = 0; k < 3; ++k) {
        cob_config c;
        cob_stats s;
        snprintf(yaml, sizeof yaml,
                 "run: {dt_ms: 0.1, t_warmup_ms: 20, t_sim_ms: 200, seed: 5}\n"
                 "populations:\n"
                 "  - {name: E, model: lif_curr, size: 200, v_th_mV: -60}\n"
                 "  - {name: X, model: poisson, size: 300, rate_hz: %s}\n"
                 "  - {name: Y, model: poisson, size: 1, rate_hz: %s, input: independent}\n"
                 "projections:\n"
                 "  - {pre: X, post: E, receptor: E, indegree: 50, weight: 1.0, delay_ms: [0.1, 2]}\n"
                 "  - {pre: Y, post: E, receptor: E, indegree: 40, weight: 0.5}\n",
                 rates[k], rates[k]);
        load(&c, yaml);
        cr_expect_not(cob_pop_rate_varies(&c, 1) || cob_pop_rate_varies(&c, 2), "%s varies", rates[k]);
        run_cpu(&c, k ? &s : &ref);
        if (k) {
            cr_expect_not(cob_stats_first_difference(&ref, &s, msg, sizeof msg), "%s: %s", rates[k], msg);
            cob_stats_free(&s);
        }
        cob_config_free(&c);
    }
    cr_expect_gt(test_pop_spikes(&ref, 0), 100);
    cob_stats_free(&ref);
}

/* ---- whole runs against closed forms -------------------------------------------------------- */

/* Unconnected lif_curr neurons that fire at every step with an input spike (J = 5 mV from rest
 * and reset at -70, threshold -69, no refractory period), so a neuron fires in a step with
 * probability q = 1 - P(no input): independent input, q = 1 - exp(-K r dt); a pool of distinct
 * sources, q = 1 - (1 - r dt)^K. The rate steps between windows (a rate schedule for X, the
 * protocol for P). Per window: rate q / dt; ISIs geometric, so the pooled CV is sqrt(1 - q); V
 * sits at -70 when not firing (mean -70, s.d. 0). The spikes of a window are Binomial(n S, q) for
 * independent input (S steps): bound 5 s.e.; pool input correlates neurons that share sources
 * (K = 10 of 5000: small), bound 6 s.e. CV within 3%. */
static const char *window_yaml =
    "run: {dt_ms: 0.1, t_warmup_ms: 50, t_sim_ms: 900, seed: 21}\n"
    "populations:\n"
    "  - {name: A, model: lif_curr, size: 400, e_l_mV: -70, v_reset_mV: -70, v_th_mV: -69, tau_ref_ms: 0,\n"
    "     v_init_mV: [-70, -70]}\n"
    "  - {name: B, model: lif_curr, size: 400, e_l_mV: -70, v_reset_mV: -70, v_th_mV: -69, tau_ref_ms: 0,\n"
    "     v_init_mV: [-70, -70]}\n"
    "  - {name: X, model: poisson, size: 1, input: independent,\n"
    "     rate_hz: [[0, 20], [349.9, 20], [350, 60], [649.9, 60], [650, 0]]}\n"
    "  - {name: P, model: poisson, size: 5000, rate_hz: 20}\n"
    "projections:\n"
    "  - {pre: X, post: A, receptor: E, indegree: 10, weight: 5}\n"
    "  - {pre: P, post: B, receptor: E, indegree: 10, weight: 5, delay_ms: 0.1}\n"
    "protocol:\n"
    "  windows:\n"
    "    - {name: low, start_ms: 50, end_ms: 350}\n"
    "    - {name: high, start_ms: 350, end_ms: 650}\n"
    "    - {name: ramp, start_ms: 650, end_ms: 950}\n"
    "  perturbations:\n"
    "    - {window: high, population: P, key: rate_hz, step: 40}\n"
    "    - {window: ramp, population: P, key: rate_hz, ramp: [-20, 20]}\n"
    "stats: {v_neurons: 400, v_hist: {stride_steps: 1}}\n";

/* Window w of ps: rate q_mean / dt within n_se s.e. of Binomial(400 steps, q_mean) (an upper
 * bound when q varies over the window); with a constant q (cv_q > 0) the pooled CV sqrt(1 - q)
 * within 4% (ISIs longer than the window are cut off, which shortens the sample by ~ mean / window
 * length: ~2% here). */
static void expect_window(const cob_pop_stats *ps, int w, double q_mean, double cv_q, double steps, double n_se,
                          const char *what)
{
    const double dt_s = 1e-4, expect = q_mean / dt_s;
    const double se = sqrt(q_mean * (1 - q_mean) / (400.0 * steps)) / dt_s;
    cr_log_info("%s: %.2f Hz, expected %.2f (s.e. %.2f); CV %.4f; V %.3f +- %.3g mV", what, ps->win_rate_hz[w], expect,
                se, ps->win_cv_isi[w], ps->win_v_mean_mV[w], ps->win_v_sd_mV[w]);
    cr_expect_lt(fabs(ps->win_rate_hz[w] - expect), n_se * se, "%s: %.2f Hz, expected %.2f", what, ps->win_rate_hz[w],
                 expect);
    if (cv_q > 0) {
        double cv = sqrt(1 - cv_q);
        cr_expect_lt(fabs(ps->win_cv_isi[w] / cv - 1), 0.04, "%s: CV %.4f, expected %.4f", what, ps->win_cv_isi[w], cv);
    }
    cr_expect_lt(fabs(ps->win_v_mean_mV[w] + 70.0), 1e-4, "%s: V mean %.6f", what, ps->win_v_mean_mV[w]);
    cr_expect_lt(ps->win_v_sd_mV[w], 1e-3, "%s: V s.d. %.6f", what, ps->win_v_sd_mV[w]);
}

Test(protocol, window_statistics_closed_form)
{
    cob_config c;
    cob_stats s;
    const double dt_s = 1e-4, S = 3000.0;
    load(&c, window_yaml);
    run_cpu(&c, &s);
    cr_assert_eq(s.n_pops, 2);
    cr_assert_eq(s.pop[0].n_windows, 3);
    /* independent, K = 10: 20 Hz, 60 Hz, then 0 (the schedule's last point) */
    double q20 = 1 - exp(-10 * 20 * dt_s), q60 = 1 - exp(-10 * 60 * dt_s);
    expect_window(&s.pop[0], 0, q20, q20, S, 5, "independent, 20 Hz");
    expect_window(&s.pop[0], 1, q60, q60, S, 5, "independent, 60 Hz");
    cr_expect_eq(s.pop[0].win_rate_hz[2], 0.0, "independent at 0 Hz fired");
    /* pool, K = 10 distinct sources: 20 Hz, 60 Hz, then a ramp 0 -> 40 Hz (mean of q over it) */
    double p20 = 1 - pow(1 - 20 * dt_s, 10), p60 = 1 - pow(1 - 60 * dt_s, 10), qr = 0.0;
    for (int k = 0; k < 3000; ++k) qr += (1 - pow(1 - 40.0 * k / 3000.0 * dt_s, 10)) / 3000.0;
    expect_window(&s.pop[1], 0, p20, p20, S, 6, "pool, 20 Hz");
    expect_window(&s.pop[1], 1, p60, p60, S, 6, "pool, 60 Hz");
    expect_window(&s.pop[1], 2, qr, 0, S, 6, "pool, ramp 0 -> 40 Hz");
    cob_stats_free(&s);
    cob_config_free(&c);
}

/* ---- config errors ----------------------------------------------------------------------------- */

static const char *base_yaml =
    "run: {dt_ms: 0.1, t_warmup_ms: 100, t_sim_ms: 1000}\n"
    "populations:\n"
    "  - {name: E, model: lif_curr, size: 10}\n"
    "  - {name: X, model: poisson, size: 10, rate_hz: %s, input: %s}\n"
    "projections:\n"
    "  - {pre: X, post: E, receptor: E, indegree: 5, weight: 0.1}\n"
    "protocol:\n"
    "  windows:\n"
    "    - {name: a, start_ms: 100, end_ms: 500}\n"
    "    - {name: %s, start_ms: %s, end_ms: %s}\n"
    "  perturbations:\n"
    "    - {window: %s, population: %s, key: %s, %s}\n";

Test(protocol, config_errors)
{
    /* rate, input, window 2 name, start, end, perturbation window, population, key, change; expected
     * text, line */
    const char *bad[][11] = {
        {"5", "pool", "b", "400", "600", "a", "X", "rate_hz", "step: 1", "overlaps window \"a\"", "p.yaml:10"},
        {"5", "pool", "a", "500", "600", "a", "X", "rate_hz", "step: 1", "duplicate window name", "p.yaml:10"},
        {"5", "pool", "b", "50", "600", "a", "X", "rate_hz", "step: 1", "outside the measurement", "p.yaml:10"},
        {"5", "pool", "b", "600", "1200", "a", "X", "rate_hz", "step: 1", "the end of the run", "p.yaml:10"},
        {"5", "pool", "b", "600", "600", "a", "X", "rate_hz", "step: 1", "at least one step", "p.yaml:10"},
        {"5", "pool", "b", "600", "700", "c", "X", "rate_hz", "step: 1", "unknown window \"c\" (defined: a, b)",
         "p.yaml:12"},
        {"5", "pool", "b", "600", "700", "a", "Q", "rate_hz", "step: 1", "unknown population \"Q\"", "p.yaml:12"},
        {"5", "pool", "b", "600", "700", "a", "E", "rate_hz", "step: 1", "not an input of population \"E\"",
         "p.yaml:12"},
        {"5", "pool", "b", "600", "700", "a", "X", "noise.mu_mV_per_s", "step: 1", "not an input of population \"X\"",
         "p.yaml:12"},
        {"5", "pool", "b", "600", "700", "a", "X", "rate", "step: 1", "unknown value \"rate\"", "p.yaml:12"},
        {"5", "pool", "b", "600", "700", "a", "X", "rate_hz", "step: 1, ramp: [0, 1]", "both step and ramp",
         "p.yaml:12"},
        {"5", "pool", "b", "600", "700", "a", "X", "rate_hz", "window: a", "duplicate key", "p.yaml:12"},
        {"5", "pool", "b", "600", "700", "a", "X", "rate_hz", "step: -6", "negative (-1 at t = 100 ms)", "p.yaml:12"},
        {"5", "pool", "b", "600", "700", "a", "X", "rate_hz", "step: 9996", "more than one spike per step",
         "p.yaml:12"},
        {"5", "independent", "b", "600", "700", "a", "X", "rate_hz", "ramp: [0, 4e8]", "input spikes per neuron",
         "p.yaml:12"},
        {"[[0, 5], [10, -1]]", "pool", "b", "600", "700", "a", "X", "rate_hz", "step: 1", "point 1: [10, -1]",
         "p.yaml:4"},
        {"[[0, 5], [10, 1e5]]", "pool", "b", "600", "700", "a", "X", "rate_hz", "step: 1", "too high for input: pool",
         "p.yaml:4"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        char yaml[2048];
        cob_config c;
        cob_err err = {0};
        snprintf(yaml, sizeof yaml, base_yaml, bad[k][0], bad[k][1], bad[k][2], bad[k][3], bad[k][4], bad[k][5],
                 bad[k][6], bad[k][7], bad[k][8]);
        cr_expect_eq(cob_config_load_string(&c, yaml, "p.yaml", NULL, 0, &err), COB_ERR_CONFIG, "case %zu accepted", k);
        cr_expect(strstr(err.msg, bad[k][9]) != NULL && strstr(err.msg, bad[k][10]) != NULL,
                  "case %zu: message \"%s\" lacks \"%s\" or \"%s\"", k, err.msg, bad[k][9], bad[k][10]);
    }
    /* neither step nor ramp, and a missing key */
    const char *more[][2] = {
        {"    - {window: a, population: X, key: rate_hz}\n", "neither step nor ramp"},
        {"    - {window: a, key: rate_hz, step: 1}\n", "missing required key \"population\""},
    };
    for (size_t k = 0; k < 2; ++k) {
        char yaml[2048];
        cob_config c;
        cob_err err = {0};
        snprintf(yaml, sizeof yaml,
                 "run: {dt_ms: 0.1, t_warmup_ms: 100, t_sim_ms: 1000}\n"
                 "populations:\n"
                 "  - {name: X, model: poisson, size: 10, rate_hz: 5}\n"
                 "  - {name: E, model: lif_curr, size: 10}\n"
                 "protocol:\n"
                 "  windows: [{name: a, start_ms: 100, end_ms: 500}]\n"
                 "  perturbations:\n%s",
                 more[k][0]);
        cr_expect_eq(cob_config_load_string(&c, yaml, "p.yaml", NULL, 0, &err), COB_ERR_CONFIG, "%s", more[k][0]);
        cr_expect(strstr(err.msg, more[k][1]) != NULL && strstr(err.msg, "p.yaml:8") != NULL,
                  "message \"%s\" lacks \"%s\"", err.msg, more[k][1]);
    }
}

/* More points than a schedule holds: 254 points of rate plus four of a perturbation. */
Test(protocol, schedule_point_limit)
{
    static char yaml[16384];
    size_t used = 0;
    cob_config c;
    cob_err err = {0};
    used += (size_t)snprintf(yaml + used, sizeof yaml - used,
                             "run: {dt_ms: 0.1, t_warmup_ms: 100, t_sim_ms: 1000}\n"
                             "populations:\n"
                             "  - {name: E, model: lif_curr, size: 10}\n"
                             "  - {name: X, model: poisson, size: 10, rate_hz: [");
    for (int k = 0; k < 254; ++k)
        used += (size_t)snprintf(yaml + used, sizeof yaml - used, "%s[%d, %d]", k ? ", " : "", k, 5 + k % 2);
    snprintf(yaml + used, sizeof yaml - used,
             "]}\n"
             "projections: [{pre: X, post: E, receptor: E, indegree: 5, weight: 0.1}]\n"
             "protocol:\n"
             "  windows: [{name: a, start_ms: 500, end_ms: 600}]\n"
             "  perturbations: [{window: a, population: X, key: rate_hz, step: 1}]\n");
    cr_expect_eq(cob_config_load_string(&c, yaml, "p.yaml", NULL, 0, &err), COB_ERR_CONFIG);
    cr_expect(strstr(err.msg, "has 258 points (allowed: at most 256") != NULL && strstr(err.msg, "p.yaml:8") != NULL,
              "%s", err.msg);
}
