/* tests/test_balance.c -- the input balance of sampled neurons (stats.balance_neurons,
 * host/stats/balance.c) against an independent computation from the built network: the CSR
 * rows (by presynaptic neuron, as delivery walks them) give each sampled neuron's arrivals from
 * the presynaptic spike counts; the model formulas are written out here (docs/results.md):
 * current-based +-J rate, conductance-based (1 - f)(E_rev - V) rate and a tau_m rate for g/g_L,
 * Poisson populations K_i rate, the white-noise mean averaged over the measured window. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include "cobalt/config.h"
#include "cobalt/net.h"
#include "cobalt/sim.h"
#include "cobalt/stats.h"

TestSuite(balance, .init = test_one_thread);

/* Same arithmetic, other order of summation: agreement to a few ulps of the sums. */
#define REL_TOL 1e-11

static double rel_tol = REL_TOL;

static void expect_close(double got, double want, const char *what, const char *pop, int64_t i)
{
    double scale = fmax(fabs(want), 1e-9);
    cr_expect_leq(fabs(got - want) / scale, rel_tol, "%s %s[%lld]: %.15g, expected %.15g", what, pop, (long long)i, got,
                  want);
}

static void run_and_check(const char *text, const double *mu_mean, int n_bal, const double *src_rate)
{
    cob_config c;
    cob_err err = {0};
    char set[64];
    const char *sets[1] = {set};
    snprintf(set, sizeof set, "stats.balance_neurons=%d", n_bal);
    cr_assert_eq(cob_config_load_string(&c, text, "balance.yaml", sets, 1, &err), COB_OK, "%s", err.msg);
    cob_sim_options opt = {0};
    opt.backend = COB_BACKEND_CPU;
    cob_stats s;
    cob_sim_timing t;
    cr_assert_eq(cob_sim_run(&c, &opt, &s, &t, &err), COB_OK, "%s", err.msg);
    cob_net net;
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    const double T = s.t_measured_s;
    int k = 0;
    for (int q = 0; q < c.n_pops; ++q) {
        if (!cob_model_is_neuron(c.pops[q].model))
            continue;
        const cob_pop_stats *ps = &s.pop[k++];
        const cob_lif_params *lp = &c.pops[q].lif;
        const int cond = c.pops[q].model == COB_MODEL_LIF_COND || c.pops[q].model == COB_MODEL_LIF_COND_EXP;
        cr_assert_eq(ps->bal_n, n_bal < ps->n ? n_bal : ps->n);
        double *want = calloc((size_t)ps->bal_n * 6, sizeof *want); /* in e, i, ext; g e, i, ext */
        for (int64_t i = 0; i < ps->bal_n; ++i) want[i * 6 + 2] = mu_mean[q];
        for (int p = 0; p < net.n_projs; ++p) {
            const cob_proj *pr = &net.proj[p];
            const cob_proj_spec *sp = &c.projs[p];
            if (pr->post != q)
                continue;
            int is_src = !cob_model_is_neuron(c.pops[pr->pre].model), pre_k = 0;
            for (int r = 0; r < pr->pre; ++r) pre_k += cob_model_is_neuron(c.pops[r].model);
            double *rate_in = calloc((size_t)ps->bal_n, sizeof *rate_in);
            if (is_src) {
                for (int64_t i = 0; i < ps->bal_n; ++i)
                    rate_in[i] = pr->indegree[i] * (src_rate ? src_rate[pr->pre] : c.pops[pr->pre].rate_hz);
            } else {
                for (int64_t j = 0; j < pr->n_pre; ++j)
                    for (int64_t e = pr->row_ptr[j]; e < pr->row_ptr[j + 1]; ++e)
                        if (pr->target[e] < ps->bal_n)
                            rate_in[pr->target[e]] += s.pop[pre_k].spike_count[j] / T;
            }
            int kind = is_src ? 2 : sp->receptor == COB_RECEPTOR_E ? 0 : 1;
            for (int64_t i = 0; i < ps->bal_n; ++i) {
                double v = i < ps->v_n && isfinite(ps->v_mean_mV[i]) ? ps->v_mean_mV[i] : ps->v_pop_mean_mV;
                if (cond) {
                    double e_rev = sp->receptor == COB_RECEPTOR_E ? lp->e_e_mV : lp->e_i_mV;
                    want[i * 6 + kind] += sp->weight * rate_in[i] * (e_rev - v);
                    want[i * 6 + 3 + kind] += sp->weight * lp->tau_m_ms * 1e-3 * rate_in[i];
                } else {
                    want[i * 6 + kind] += (sp->receptor == COB_RECEPTOR_E ? 1 : -1) * sp->weight * rate_in[i];
                }
            }
            free(rate_in);
        }
        cr_assert_eq(ps->bal_n_src, c.n_pops + 1);
        for (int64_t i = 0; i < ps->bal_n; ++i) {
            const double *w = want + i * 6;
            /* by source: the classes are sums of their sources' columns (the last is the noise) */
            double by_kind[3] = {0.0, 0.0, ps->bal_input_src[i * ps->bal_n_src + c.n_pops]};
            for (int p = 0; p < net.n_projs; ++p)
                if (net.proj[p].post == q) {
                    int src = net.proj[p].pre;
                    int kd = !cob_model_is_neuron(c.pops[src].model) ? 2
                             : c.projs[p].receptor == COB_RECEPTOR_E ? 0
                                                                     : 1;
                    by_kind[kd] += ps->bal_input_src[i * ps->bal_n_src + src];
                    ps->bal_input_src[i * ps->bal_n_src + src] = 0.0; /* counted once per source */
                }
            expect_close(by_kind[0], w[0], "by source, E", ps->name, i);
            expect_close(by_kind[1], w[1], "by source, I", ps->name, i);
            expect_close(by_kind[2], w[2], "by source, ext", ps->name, i);
            expect_close(ps->bal_input_e[i], w[0], "input_e", ps->name, i);
            expect_close(ps->bal_input_i[i], w[1], "input_i", ps->name, i);
            expect_close(ps->bal_input_ext[i], w[2], "input_ext", ps->name, i);
            expect_close(ps->bal_factor[i], -w[1] / (w[0] + w[2]), "factor", ps->name, i);
            if (cond) {
                expect_close(ps->bal_g_e[i], w[3], "g_e", ps->name, i);
                expect_close(ps->bal_g_i[i], w[4], "g_i", ps->name, i);
                expect_close(ps->bal_g_ext[i], w[5], "g_ext", ps->name, i);
            } else {
                cr_expect(isnan(ps->bal_g_e[i]), "current-based %s: g_e %g, expected NaN", ps->name, ps->bal_g_e[i]);
            }
        }
        cr_expect(isfinite(ps->bal_factor_mean) || ps->bal_n == 0, "%s: mean BF %g", ps->name, ps->bal_factor_mean);
        free(want);
    }
    cob_net_free(&net);
    cob_stats_free(&s);
    cob_config_free(&c);
}

/* lif_curr and lif_cond under white noise with recurrent E and I: the noise means are the
 * schedules' averages over the measured window [20, 220] ms: E rises 0 -> 60 mV/s over
 * [0, 150] ms: (0.2 (150^2 - 20^2) + 60 * 70) / 200 = 43.1; I and C are constants. */
Test(balance, noise_network_against_csr)
{
    const double mu[3] = {43.1, 40.0, 1200.0};
    run_and_check(TEST_NOISE_NET, mu, 40, NULL);
}

/* Exponential synapses, a Poisson pool and independent input (external), conductance- and
 * current-based; more sampled neurons than B has. */
Test(balance, exp_network_against_csr)
{
    const double mu[4] = {0.0, 200.0, 0.0, 0.0};
    run_and_check(TEST_EXP_NET, mu, 250, NULL);
}

/* Inputs as the run used them, averaged over the measured window [20, 220] ms: the scheduled
 * independent rate X = [[0, 60], [50, 120], [120, 40], [160, 150]] Hz gives
 * (102 * 30 + 80 * 70 + 95 * 40 + 150 * 60) / 200 = 107.3 Hz (not rate_hz, which holds its
 * largest value, 150); the protocol ramps P's 30 Hz by 0 -> 60 over [80, 150] and 60 -> -20 over
 * [150, 220]: 30 + (30 * 70 + 20 * 70) / 200 = 47.5 Hz; and steps E's mu of 100 by 200 over
 * [80, 150]: 100 + 200 * 70 / 200 = 170 mV/s. */
Test(balance, scheduled_inputs_averaged)
{
    const double mu[4] = {170.0, 0.0, 0.0, 0.0}, rate[4] = {0.0, 0.0, 107.3, 47.5};
    /* the protocol's points sit on steps (a ramp starts at the step before its window): the
     * run's schedule differs from the written one within one step at each of its 4 window edges,
     * 4 x 0.1 ms x 80 Hz / 200 ms = 0.16 Hz at most on P's 47.5 Hz, a relative 3.4e-3 */
    rel_tol = 3.4e-3;
    run_and_check(TEST_SCHED_NET, mu, 30, rate);
}

/* The partners cob_net_partners draws again from the layout are the CSR's, as multisets, for
 * every target of every stored projection (nested, multapses and autapse exclusion included). */
Test(balance, partners_match_csr)
{
    cob_config c;
    cob_err err = {0};
    const char *sets[] = {"projections.0.nested=true", "projections.1.multapses=true"};
    cr_assert_eq(cob_config_load_string(&c, TEST_NOISE_NET, "partners.yaml", sets, 2, &err), COB_OK, "%s", err.msg);
    cob_net net;
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    for (int p = 0; p < net.n_projs; ++p) {
        const cob_proj *pr = &net.proj[p];
        if (pr->independent)
            continue;
        uint32_t *from_csr = calloc((size_t)(pr->n_pre * pr->n_post), sizeof *from_csr);
        uint8_t *marks = calloc((size_t)pr->n_avail, 1);
        int32_t *part = malloc((size_t)(pr->k_max + 1) * sizeof *part);
        for (int64_t j = 0; j < pr->n_pre; ++j)
            for (int64_t e = pr->row_ptr[j]; e < pr->row_ptr[j + 1]; ++e) from_csr[pr->target[e] * pr->n_pre + j] += 1;
        for (int64_t i = 0; i < pr->n_post; ++i) {
            cob_net_partners(&net, p, i, marks, part);
            for (int32_t m = 0; m < pr->indegree[i]; ++m) {
                cr_assert(part[m] >= 0 && part[m] < pr->n_pre, "projection %d target %lld: partner %d", p, (long long)i,
                          part[m]);
                cr_assert_gt(from_csr[i * pr->n_pre + part[m]], 0u,
                             "projection %d target %lld: partner %d not (or not as often) in the CSR", p, (long long)i,
                             part[m]);
                from_csr[i * pr->n_pre + part[m]] -= 1;
            }
        }
        for (int64_t x = 0; x < pr->n_pre * pr->n_post; ++x)
            cr_assert_eq(from_csr[x], 0u, "projection %d: a CSR synapse the redraw does not give", p);
        free(from_csr);
        free(marks);
        free(part);
    }
    cob_net_free(&net);
    cob_config_free(&c);
}
