/* tests/test_poisson.c -- the Poisson draws of include/cobalt/hd/poisson.h with the host tables of
 * host/inputs/poisson.c: independent-input counts (mean, variance and the whole law for a small, a
 * moderate and a chunked mean; no correlation between steps or neurons), the geometric gaps of
 * pool sources (mean 1/p, spike probability p per step, the law, also through the redraw path of
 * a short table), and both input modes end to end through cob_sim_run on the CPU backend.
 *
 * Draws use fixed seeds, so every check is deterministic. Bounds are 5 standard errors (normal
 * two-sided tail 5.7e-7) or the 1e-6 quantile of the chi-square law, taken from the
 * Wilson-Hilferty approximation (within ~2%, on the conservative side: 45.97 against the exact
 * 44.81 at 9 d.o.f., 127.6 against 127.1 at 60). A correct sampler fails them with probability
 * ~1e-6; an off-by-one in the inversion or a reused random word moves them by orders of
 * magnitude. */
#include <criterion/criterion.h>
#include "test_util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cobalt/net.h"
#include "cobalt/sim.h"
#include "inputs/poisson_tables.h"

#define Z_1E6 4.753 /* one-sided normal quantile at 1e-6 */

TestSuite(poisson, .init = test_one_thread);

static double chi2_crit(int df)
{
    double h = 2.0 / (9.0 * df), c = 1.0 - h + Z_1E6 * sqrt(h);
    return df * c * c * c;
}

/* Chi-square of integer samples x[0..n) against the Poisson(lambda) law; the tails are lumped
 * so that each end bin expects >= 20. Returns the statistic, *df its degrees of freedom. */
static double poisson_chi2(const uint32_t *x, int n, double lambda, int *df)
{
    enum { KMAX = 1024 };
    static double pmf[KMAX];
    static uint64_t obs[KMAX];
    double lp = -lambda, cdf = 0.0, stat = 0.0;
    int lo = 0, hi = KMAX - 1, k;
    memset(obs, 0, sizeof obs);
    for (k = 0; k < KMAX; ++k) {
        pmf[k] = exp(lp);
        lp += log(lambda) - log(k + 1.0);
    }
    for (k = 0; k < n; ++k) obs[x[k] < KMAX ? x[k] : KMAX - 1] += 1;
    for (lo = 0, cdf = pmf[0]; cdf * n < 20.0; cdf += pmf[++lo]) {}
    for (hi = KMAX - 1, cdf = 0.0; hi > lo && (cdf + pmf[hi]) * n < 20.0; --hi) cdf += pmf[hi];
    /* bins: [0, lo], lo+1 .. hi-1 single, [hi, inf) */
    {
        double e = 0.0, o = 0.0;
        for (k = 0; k <= lo; ++k) {
            e += pmf[k];
            o += obs[k];
        }
        stat += (o - e * n) * (o - e * n) / (e * n);
        for (k = lo + 1; k < hi; ++k) stat += (obs[k] - pmf[k] * n) * (obs[k] - pmf[k] * n) / (pmf[k] * n);
        e = 0.0;
        o = 0.0;
        for (k = hi; k < KMAX; ++k) {
            e += pmf[k];
            o += obs[k];
        }
        stat += (o - e * n) * (o - e * n) / (e * n);
    }
    *df = hi - lo; /* hi - lo + 1 bins, minus one for the fixed total */
    return stat;
}

Test(poisson, chunking)
{
    uint32_t nc;
    double lc, en;
    cob_poisson_chunks(0.0, &nc, &lc, &en);
    cr_expect_eq(nc, 0u);
    cob_poisson_chunks(64.0, &nc, &lc, &en);
    cr_expect_eq(nc, 1u);
    cr_expect_eq(lc, 64.0);
    cob_poisson_chunks(150.0, &nc, &lc, &en);
    cr_expect_eq(nc, 3u);
    cr_expect_eq(lc, 50.0);
    cr_expect_eq(en, exp(-50.0));
    cob_poisson_chunks(64.5, &nc, &lc, &en);
    cr_expect_eq(nc, 2u);
    cr_expect_leq(lc, COB_POISSON_CHUNK);
}

/* n draws of Poisson(lambda) over n / steps neurons x steps steps: mean lambda with s.e.
 * sqrt(lambda / n); sample variance lambda with s.e. sqrt((mu4 - sigma^4) / n) =
 * sqrt((lambda + 2 lambda^2) / n) for the Poisson law; and the whole law by chi-square. */
static void check_counts(double lambda, int n, int steps)
{
    uint32_t nc, *x = malloc((size_t)n * sizeof *x);
    double lc, en, s = 0.0, ss = 0.0;
    int df;
    cr_assert_not_null(x);
    cob_poisson_chunks(lambda, &nc, &lc, &en);
    for (int k = 0; k < n; ++k) {
        x[k] = cob_poisson_step(77, COB_STREAM(COB_STREAM_INDEP, 2), (uint32_t)(k / steps), (uint64_t)(k % steps), nc,
                                lc, en);
        s += x[k];
    }
    double mean = s / n;
    for (int k = 0; k < n; ++k) ss += (x[k] - mean) * (x[k] - mean);
    double var = ss / (n - 1), se_m = sqrt(lambda / n), se_v = sqrt((lambda + 2.0 * lambda * lambda) / n);
    double chi2 = poisson_chi2(x, n, lambda, &df);
    cr_log_info("lambda %g (%u chunks): mean %.4f, variance %.4f, chi-square %.1f (%d d.o.f.)", lambda, nc, mean, var,
                chi2, df);
    cr_expect_lt(fabs(mean - lambda), 5.0 * se_m, "lambda %g: mean %.5f (s.e. %.5f)", lambda, mean, se_m);
    cr_expect_lt(fabs(var - lambda), 5.0 * se_v, "lambda %g: variance %.5f (s.e. %.5f)", lambda, var, se_v);
    cr_expect_lt(chi2, chi2_crit(df), "lambda %g: chi-square %.1f, %d d.o.f., critical %.1f", lambda, chi2, df,
                 chi2_crit(df));
    free(x);
}

Test(poisson, counts_small_lambda)
{
    check_counts(1.25, 200000, 200);
}
Test(poisson, counts_moderate_lambda)
{
    check_counts(20.0, 100000, 100);
}
Test(poisson, counts_chunked_lambda)
{
    check_counts(150.0, 50000, 50);
}

/* Lag-1 correlation of the counts of one neuron over consecutive steps, and of neighbouring
 * neurons in one step: 0 with s.e. 1 / sqrt(n). One Philox block serves four steps (one word
 * each); reusing a word would give a correlation of 0.75. */
static double corr(const double *a, const double *b, int n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int k = 0; k < n; ++k) {
        ma += a[k];
        mb += b[k];
    }
    ma /= n;
    mb /= n;
    for (int k = 0; k < n; ++k) {
        sab += (a[k] - ma) * (b[k] - mb);
        saa += (a[k] - ma) * (a[k] - ma);
        sbb += (b[k] - mb) * (b[k] - mb);
    }
    return sab / sqrt(saa * sbb);
}

static void check_independence(double lambda, int n)
{
    uint32_t nc;
    double lc, en, *a = malloc((size_t)(n + 1) * sizeof *a), *b = malloc((size_t)n * sizeof *b);
    cr_assert(a && b);
    cob_poisson_chunks(lambda, &nc, &lc, &en);
    for (int t = 0; t <= n; ++t)
        a[t] = cob_poisson_step(3, COB_STREAM(COB_STREAM_INDEP, 0), 5, (uint64_t)t, nc, lc, en);
    for (int i = 0; i < n; ++i)
        b[i] = cob_poisson_step(3, COB_STREAM(COB_STREAM_INDEP, 0), (uint32_t)i + 1, 0, nc, lc, en);
    double r_t = corr(a, a + 1, n), r_i = corr(a, b, n), bound = 5.0 / sqrt(n);
    cr_expect_lt(fabs(r_t), bound, "lambda %g: lag-1 step correlation %.4f", lambda, r_t);
    /* a[i] is neuron 5 at step i, b[i] neuron i + 1 at step 0: unrelated draws */
    cr_expect_lt(fabs(r_i), bound, "lambda %g: cross correlation %.4f", lambda, r_i);
    for (int i = 0; i + 1 < n; ++i) a[i] = b[i];
    r_i = corr(a, b + 1, n - 1);
    cr_expect_lt(fabs(r_i), 5.0 / sqrt(n - 1), "lambda %g: neighbouring neurons, correlation %.4f", lambda, r_i);
    free(a);
    free(b);
}

Test(poisson, counts_independent)
{
    check_independence(1.25, 100000);
    check_independence(150.0, 20000);
}

Test(poisson, geometric_table)
{
    static const double ps[] = {0.001, 0.02, 0.3, 0.9};
    for (size_t k = 0; k < sizeof ps / sizeof ps[0]; ++k) {
        int32_t len = 0;
        uint64_t *thr = cob_geometric_table(ps[k], &len);
        cr_assert_not_null(thr);
        cr_expect_geq(len, 16);
        cr_expect_leq(len, 65536);
        /* the table reaches P(redraw) = (1 - p)^len <= 1e-3 unless capped */
        cr_expect(len == 65536 || pow(1.0 - ps[k], len) <= 1.0001e-3, "p %g: table of %d", ps[k], len);
        /* thr[0] = floor(p 2^64): relative error of the long-double table ~1e-16 */
        cr_expect_lt(fabs((double)thr[0] / 18446744073709551616.0 - ps[k]), 1e-12 * ps[k] + 1e-19);
        for (int32_t i = 1; i < len; ++i) cr_assert_geq(thr[i], thr[i - 1], "p %g: table decreases at %d", ps[k], i);
        free(thr);
    }
}

/* n gaps of sources with spike probability p per step (lanes 0..99 in turn), table of len
 * entries (len < 0: the table's own length). Checks the mean 1/p (s.e. sqrt(1-p)/p/sqrt(n)),
 * P(gap = 1) = p (s.e. sqrt(p(1-p)/n)), and the law by chi-square over gaps 1..m and a tail. */
static void check_gaps(double p, int len_override, int n)
{
    int32_t len;
    uint64_t *thr = cob_geometric_table(p, &len);
    uint32_t draws[100] = {0};
    int64_t *g = malloc((size_t)n * sizeof *g);
    double s = 0.0, ones = 0.0;
    cr_assert(thr && g);
    if (len_override > 0)
        len = len_override;
    for (int k = 0; k < n; ++k) {
        g[k] = cob_geometric_gap(11, COB_STREAM(COB_STREAM_SOURCE, 1), (uint32_t)(k % 100), &draws[k % 100], thr, len);
        cr_assert_geq(g[k], 1);
        s += (double)g[k];
        ones += g[k] == 1;
    }
    uint64_t used = 0;
    for (int j = 0; j < 100; ++j) used += draws[j];
    cr_expect_geq(used, (uint64_t)n, "one Philox block per draw at least");
    double mean = s / n, se_m = sqrt(1.0 - p) / p / sqrt(n), se_1 = sqrt(p * (1.0 - p) / n);
    cr_expect_lt(fabs(mean - 1.0 / p), 5.0 * se_m, "p %g, table %d: mean gap %.3f, expected %.3f", p, len, mean,
                 1.0 / p);
    cr_expect_lt(fabs(ones / n - p), 5.0 * se_1, "p %g, table %d: P(gap = 1) = %.5f", p, len, ones / n);
    /* chi-square over gaps 1..m (each expecting >= 20) and the tail > m */
    int m = 1;
    while (m < 100000 && n * p * pow(1.0 - p, m) >= 20.0) m += 1;
    double *obs = calloc((size_t)m + 2, sizeof *obs), chi2 = 0.0;
    cr_assert_not_null(obs);
    for (int k = 0; k < n; ++k) obs[g[k] <= m ? g[k] : m + 1] += 1;
    for (int k = 1; k <= m + 1; ++k) {
        double e = n * (k <= m ? p * pow(1.0 - p, k - 1) : pow(1.0 - p, m));
        chi2 += (obs[k] - e) * (obs[k] - e) / e;
    }
    cr_log_info("p %g, table %d: mean %.3f, chi-square %.1f (%d d.o.f.)", p, len, mean, chi2, m);
    cr_expect_lt(chi2, chi2_crit(m), "p %g, table %d: chi-square %.1f, %d d.o.f.", p, len, chi2, m);
    free(obs);
    free(g);
    free(thr);
}

Test(poisson, geometric_gaps)
{
    check_gaps(0.001, -1, 200000);
    check_gaps(0.05, -1, 200000);
    check_gaps(0.3, -1, 200000);
}

/* The table length changes the cost, never the law: a 16-entry table for p = 0.05 redraws with
 * probability 0.95^16 = 0.44, and gaps 17.. come only from the redraw path. */
Test(poisson, geometric_gaps_short_table)
{
    check_gaps(0.05, 16, 200000);
    check_gaps(0.01, 16, 100000);
}

/* ---- end to end through the CPU backend ------------------------------------------------ */

static void input_config(cob_config *c, cob_input_mode mode, double cv)
{
    cob_config_defaults(c);
    c->n_pops = 2;
    snprintf(c->pops[0].name, COB_NAME_MAX, "E");
    c->pops[0].model = COB_MODEL_LIF_COND;
    c->pops[0].size = 100;
    snprintf(c->pops[1].name, COB_NAME_MAX, "X");
    c->pops[1].model = COB_MODEL_POISSON;
    c->pops[1].size = 1000;
    c->pops[1].rate_hz = 50.0;
    c->pops[1].input_mode = mode;
    c->n_projs = 1;
    c->projs[0].pre = 1;
    c->projs[0].post = 0;
    c->projs[0].receptor = COB_RECEPTOR_E;
    c->projs[0].indegree = 100;
    c->projs[0].cv_indegree = cv;
    c->projs[0].weight = 0.001;
    c->projs[0].delay_min_ms = 0.1;
    c->projs[0].delay_max_ms = 1.5;
    c->run.t_warmup_ms = 100.0;
    c->run.t_sim_ms = 1000.0;
}

/* Pool: 1000 sources at 50 Hz, each neuron wired to K = 100 of them. Arrivals per neuron per
 * second: E = (n_syn / n) r = K r. The count is sum_j o_j S_j with S_j ~ Poisson(r T) spikes of
 * source j (Bernoulli per step, variance <= mean) and o_j its out-degree, so its relative s.e. is
 * at most sqrt(sum o_j^2) / (sum o_j sqrt(r T)) ~ 0.5%, computed from the built network;
 * bound 5 s.e. */
Test(poisson, pool_input_rate)
{
    cob_config c;
    cob_net net;
    cob_stats st;
    cob_err err = {0};
    input_config(&c, COB_INPUT_POOL, 0.0);
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    double so = 0.0, so2 = 0.0, rt = c.pops[1].rate_hz * c.run.t_sim_ms * 1e-3;
    for (int64_t j = 0; j < net.proj[0].n_pre; ++j) {
        double o = (double)(net.proj[0].row_ptr[j + 1] - net.proj[0].row_ptr[j]);
        so += o;
        so2 += o * o;
    }
    double rel_se = sqrt(so2) / (so * sqrt(rt)), expect = so / c.pops[0].size * c.pops[1].rate_hz;
    cob_net_free(&net);
    run_cpu(&c, &st);
    cr_assert_eq(st.n_pops, 1);
    double got = st.pop[0].chan_rate_hz[0];
    cr_log_info("pool: %.2f arrivals/s per neuron, expected %.2f (rel. s.e. %.4f)", got, expect, rel_se);
    cr_expect_lt(fabs(got / expect - 1.0), 5.0 * rel_se, "pool input %.2f Hz per neuron, expected %.2f", got, expect);
    cob_stats_free(&st);
}

/* Independent: each neuron draws Poisson(K_i r dt) arrivals per step (heterogeneous K_i here).
 * Expected arrivals per neuron per second r sum_i K_i / n; the total over all neurons and
 * steps is Poisson, relative s.e. 1 / sqrt(r T sum_i K_i) = 0.14%; bound 5 s.e. */
Test(poisson, independent_input_rate)
{
    cob_config c;
    cob_net net;
    cob_stats st;
    cob_err err = {0};
    input_config(&c, COB_INPUT_INDEPENDENT, 0.3);
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    double sk = 0.0, rt = c.pops[1].rate_hz * c.run.t_sim_ms * 1e-3;
    for (int64_t i = 0; i < net.proj[0].n_post; ++i) sk += net.proj[0].indegree[i];
    double rel_se = 1.0 / sqrt(rt * sk), expect = sk / c.pops[0].size * c.pops[1].rate_hz;
    cob_net_free(&net);
    run_cpu(&c, &st);
    double got = st.pop[0].chan_rate_hz[0];
    cr_log_info("independent: %.2f arrivals/s per neuron, expected %.2f (rel. s.e. %.4f)", got, expect, rel_se);
    cr_expect_lt(fabs(got / expect - 1.0), 5.0 * rel_se, "independent input %.2f Hz per neuron, expected %.2f", got,
                 expect);
    cob_stats_free(&st);
}

/* The CPU backend's table search (cob_poisson_cdf_draw) against the loop it replaces
 * (cob_poisson_invert): equality, not closeness, for every uniform a draw can see near each
 * partial sum, at the grid of the 32-bit words (both ends included) and at random words, for
 * means from 1e-6 to the chunk limit (the per-step means of 1-1000 inputs at 0.1-1000 Hz). A
 * single differing draw would break the bit-identity with the CUDA backend, which loops. */
Test(poisson, cdf_table_equals_inversion)
{
    static const double lambdas[] = {1e-6, 1e-3, 0.02, 0.5, 1.0, 2.0, 2.5, 7.3, 20.0, 63.9, COB_POISSON_CHUNK};
    size_t li;
    for (li = 0; li < sizeof lambdas / sizeof lambdas[0]; ++li) {
        uint32_t nc;
        double chunk, e;
        cob_poisson_chunks(lambdas[li], &nc, &chunk, &e);
        cr_assert_eq(nc, 1);
        int32_t m = cob_poisson_cdf_terms(chunk, e);
        double *f = malloc((size_t)m * sizeof *f);
        uint32_t guide[COB_POISSON_GUIDE + 2];
        cr_assert(m > 0 && f);
        cob_poisson_cdf_fill(chunk, e, m, f, guide);
        uint64_t checked = 0;
        /* the words on both sides of every partial sum, and the extreme words */
        for (int32_t k = 0; k < m; ++k) {
            int64_t w0 = (int64_t)(f[k] * 4294967296.0) - 1;
            for (int64_t w = w0 - 2; w <= w0 + 2; ++w) {
                if (w < 0 || w > 0xFFFFFFFFll)
                    continue;
                double u = cob_poisson_u((uint32_t)w);
                cr_assert_eq(cob_poisson_cdf_draw(u, f, m, guide), cob_poisson_invert(u, chunk, e),
                             "lambda %g, word %lld", chunk, (long long)w);
                ++checked;
            }
        }
        for (uint64_t w = 0; w < 4096; ++w) {
            double u0 = cob_poisson_u((uint32_t)w), u1 = cob_poisson_u((uint32_t)(0xFFFFFFFFu - w));
            cr_assert_eq(cob_poisson_cdf_draw(u0, f, m, guide), cob_poisson_invert(u0, chunk, e));
            cr_assert_eq(cob_poisson_cdf_draw(u1, f, m, guide), cob_poisson_invert(u1, chunk, e));
        }
        for (uint32_t i = 0; i < 200000; ++i) {
            cob_u32x4 b = cob_philox(7, 1, i, li);
            double u = cob_poisson_u(b.v[0]);
            cr_assert_eq(cob_poisson_cdf_draw(u, f, m, guide), cob_poisson_invert(u, chunk, e));
        }
        cr_assert(checked > 0);
        free(f);
    }
}
