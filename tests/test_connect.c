/* tests/test_connect.c -- building the connectivity (host/net/net.c with the draws of
 * include/cobalt/hd/connect.h) from configs made in code: fixed in-degree counts, no duplicate
 * and no autapse unless allowed, multapses, CSR invariants (and that cob_csr_validate catches a
 * broken CSR; rows grouped by delay, sorted by target within a group), heterogeneous in-degree moments, uniform partners and delays, and reproducibility
 * (same seed and any thread count -> same arrays; another seed -> other arrays).
 *
 * Statistical checks use fixed seeds, so they are deterministic. Their bounds are 5 standard
 * errors (two-sided normal tail 5.7e-7) or the chi-square quantile at 1e-6 for the stated
 * degrees of freedom: a correct builder trips them with probability ~1e-6, while a biased
 * sampler (e.g. Floyd's algorithm without its collision rule, a skewed delay draw) gives
 * statistics many times larger. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cobalt/net.h"
#include "sim/cuda_test.h"
#include "test_util.h"

static int add_proj(cob_config *c, int pre, int post, cob_receptor r, double k)
{
    cob_proj_spec *q = &c->projs[c->n_projs];
    memset(q, 0, sizeof *q);
    q->pre = pre;
    q->post = post;
    q->receptor = r;
    q->indegree = k;
    q->weight = r == COB_RECEPTOR_E ? 0.01 : 0.04;
    q->delay_min_ms = 0.1;
    q->delay_max_ms = 2.0;
    return c->n_projs++;
}

static void build_ok(cob_net *net, const cob_config *c)
{
    cob_err err = {0};
    cr_assert_eq(cob_config_check(c, &err), COB_OK, "config check: %s", err.msg);
    cr_assert_eq(cob_net_build(net, c, &err), COB_OK, "build: %s", err.msg);
}

/* Synapse counts per (pre, post) pair of projection p, n_pre x n_post (caller frees). */
static uint16_t *pair_counts(const cob_proj *pr)
{
    uint16_t *m = calloc((size_t)(pr->n_pre * pr->n_post), sizeof *m);
    cr_assert_not_null(m);
    for (int64_t j = 0; j < pr->n_pre; ++j)
        for (int64_t s = pr->row_ptr[j]; s < pr->row_ptr[j + 1]; ++s) m[j * pr->n_post + pr->target[s]] += 1;
    return m;
}

/* Row layout (include/cobalt/net.h): each row is grouped by delay, ascending, and sorted by
 * target within a group; group k of row j (delay min_delay + k) is
 * row_ptr[j] + dgrp_off[j (n_dgrp + 1) + k] .. + dgrp_off[j (n_dgrp + 1) + k + 1]. */
static void check_row_order(const cob_proj *pr, int multapses, int p)
{
    cr_assert_eq(pr->n_dgrp, pr->max_delay - pr->min_delay + 1, "projection %d: %d delay groups", p, pr->n_dgrp);
    for (int64_t j = 0; j < pr->n_pre; ++j) {
        const uint32_t *off = pr->dgrp_off + j * (pr->n_dgrp + 1);
        cr_assert_eq(off[0], 0u, "projection %d row %lld", p, (long long)j);
        cr_assert_eq(pr->row_ptr[j] + off[pr->n_dgrp], pr->row_ptr[j + 1],
                     "projection %d row %lld: groups do not "
                     "cover the row",
                     p, (long long)j);
        for (int32_t k = 0; k < pr->n_dgrp; ++k)
            for (int64_t s = pr->row_ptr[j] + off[k]; s < pr->row_ptr[j] + off[k + 1]; ++s) {
                cr_assert_eq(pr->delay_steps[s], pr->min_delay + k,
                             "projection %d row %lld synapse %lld: delay %u in "
                             "group %d",
                             p, (long long)j, (long long)s, pr->delay_steps[s], k);
                if (s > pr->row_ptr[j] + off[k])
                    cr_assert(multapses ? pr->target[s] >= pr->target[s - 1] : pr->target[s] > pr->target[s - 1],
                              "projection %d row %lld delay group %d not sorted at %lld", p, (long long)j, k,
                              (long long)s);
            }
    }
}

/* Every target has exactly its in-degree; duplicates and autapses only where allowed. */
static void check_proj_structure(const cob_net *net, const cob_config *c, int p)
{
    const cob_proj *pr = &net->proj[p];
    const cob_proj_spec *ps = &c->projs[p];
    cob_err err = {0};
    uint16_t *m = pair_counts(pr);
    int skip_self = ps->pre == ps->post && !ps->allow_autapses;
    cr_expect_eq(cob_csr_validate(net, p, c, &err), COB_OK, "projection %d: %s", p, err.msg);
    for (int64_t i = 0; i < pr->n_post; ++i) {
        int64_t k = 0;
        for (int64_t j = 0; j < pr->n_pre; ++j) {
            uint16_t n = m[j * pr->n_post + i];
            k += n;
            if (!ps->allow_multapses)
                cr_assert_leq(n, 1, "projection %d: %u synapses %lld -> %lld", p, n, (long long)j, (long long)i);
            if (skip_self && j == i)
                cr_assert_eq(n, 0, "projection %d: autapse at %lld", p, (long long)i);
        }
        cr_assert_eq(k, pr->indegree[i], "projection %d target %lld: %lld synapses, in-degree %d", p, (long long)i,
                     (long long)k, pr->indegree[i]);
    }
    check_row_order(pr, ps->allow_multapses, p);
    free(m);
}

/* E, I (lif_cond) and a Poisson pool X; all six projections onto E and I. The in-degrees mix
 * the dense (marks scan) and sparse (qsort) sorting paths of the builder. */
static void ei_config(cob_config *c)
{
    cob_config_defaults(c);
    int e = test_add_pop(c, "E", COB_MODEL_LIF_COND, 200);
    int i = test_add_pop(c, "I", COB_MODEL_LIF_COND, 50);
    int x = test_add_pop(c, "X", COB_MODEL_POISSON, 500);
    add_proj(c, e, e, COB_RECEPTOR_E, 20);
    add_proj(c, i, e, COB_RECEPTOR_I, 10);
    add_proj(c, x, e, COB_RECEPTOR_E, 10);
    add_proj(c, e, i, COB_RECEPTOR_E, 20);
    add_proj(c, i, i, COB_RECEPTOR_I, 5);
    add_proj(c, x, i, COB_RECEPTOR_E, 30);
}

Test(connect, fixed_indegree_exact)
{
    cob_config c;
    cob_net net;
    ei_config(&c);
    build_ok(&net, &c);
    for (int p = 0; p < c.n_projs; ++p) {
        const cob_proj *pr = &net.proj[p];
        cr_expect_eq(pr->n_syn, (int64_t)c.projs[p].indegree * pr->n_post, "projection %d", p);
        cr_expect_eq(pr->row_ptr[pr->n_pre], pr->n_syn);
        for (int64_t i = 0; i < pr->n_post; ++i)
            cr_assert_eq(pr->indegree[i], (int32_t)c.projs[p].indegree, "projection %d target %lld", p, (long long)i);
        check_proj_structure(&net, &c, p);
    }
    cr_expect_eq(net.ring_slots, 21, "delays up to 20 steps need 21 ring slots");
    cob_net_free(&net);
}

/* K = N with autapses: every neuron receives from all N, itself included. K = N - 1 without:
 * from all but itself. K = N without autapses is refused by the config check. */
Test(connect, autapses_option)
{
    cob_config c;
    cob_net net;
    cob_err err = {0};
    const int n = 60;
    cob_config_defaults(&c);
    int e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, n);
    int p = add_proj(&c, e, e, COB_RECEPTOR_E, n);
    c.projs[p].allow_autapses = 1;
    build_ok(&net, &c);
    uint16_t *m = pair_counts(&net.proj[p]);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) cr_assert_eq(m[j * n + i], 1, "autapses allowed, K = N: %d -> %d", j, i);
    free(m);
    check_proj_structure(&net, &c, p);
    cob_net_free(&net);

    c.projs[p].allow_autapses = 0;
    cr_expect_eq(cob_config_check(&c, &err), COB_ERR_CONFIG, "K = N without autapses accepted");
    c.projs[p].indegree = n - 1;
    build_ok(&net, &c);
    m = pair_counts(&net.proj[p]);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) cr_assert_eq(m[j * n + i], j != i, "no autapses, K = N - 1: %d -> %d", j, i);
    free(m);
    cob_net_free(&net);
}

/* K = 20 of N = 400 with autapses: each target includes itself with probability K / N, so the
 * number of autapses is Binomial(400, 0.05), mean 20, s.d. 4.36; bound 5 s.d. Without
 * autapses the count must be 0 (checked by check_proj_structure). */
Test(connect, autapses_sampled)
{
    cob_config c;
    cob_net net;
    const int n = 400, k = 20;
    cob_config_defaults(&c);
    int e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, n);
    int p = add_proj(&c, e, e, COB_RECEPTOR_E, k);
    c.projs[p].allow_autapses = 1;
    build_ok(&net, &c);
    uint16_t *m = pair_counts(&net.proj[p]);
    int self = 0;
    for (int i = 0; i < n; ++i) self += m[i * n + i];
    free(m);
    double mean = k, sd = sqrt(n * (double)k / n * (1.0 - (double)k / n));
    cr_log_info("autapses_sampled: %d autapses", self);
    cr_expect_lt(fabs(self - mean), 5.0 * sd, "%d autapses, expected %.0f +- %.1f", self, mean, sd);
    check_proj_structure(&net, &c, p);
    cob_net_free(&net);
    c.projs[p].allow_autapses = 0;
    build_ok(&net, &c);
    check_proj_structure(&net, &c, p);
    cob_net_free(&net);
}

/* Multapses: K = 30 from 10 sources, drawn with replacement. Every target has 30 synapses
 * (so, by pigeonhole, repeats); the 6000 draws are uniform over the 10 sources: chi-square
 * with 9 d.o.f., 1e-6 critical value 44.81. Without multapses the config is refused. */
Test(connect, multapses_option)
{
    cob_config c;
    cob_net net;
    cob_err err = {0};
    cob_config_defaults(&c);
    int e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, 200);
    int x = test_add_pop(&c, "X", COB_MODEL_POISSON, 10);
    int p = add_proj(&c, x, e, COB_RECEPTOR_E, 30);
    int q = add_proj(&c, e, e, COB_RECEPTOR_E, 300);
    cr_expect_eq(cob_config_check(&c, &err), COB_ERR_CONFIG, "K = 30 > 10 sources accepted without multapses");
    c.projs[p].allow_multapses = 1;
    c.projs[q].allow_multapses = 1; /* K = 300 > 199 available, still no autapses */
    build_ok(&net, &c);
    check_proj_structure(&net, &c, p);
    check_proj_structure(&net, &c, q);
    const cob_proj *pr = &net.proj[p];
    double chi2 = 0.0, expct = 30.0 * 200 / 10;
    for (int64_t j = 0; j < pr->n_pre; ++j) {
        double o = (double)(pr->row_ptr[j + 1] - pr->row_ptr[j]);
        chi2 += (o - expct) * (o - expct) / expct;
    }
    cr_log_info("multapses_option: chi-square %.2f (9 d.o.f.)", chi2);
    cr_expect_lt(chi2, 44.81, "out-degrees of the 10 sources: chi-square %.2f (9 d.o.f.)", chi2);
    cob_net_free(&net);
}

/* Heterogeneous in-degree K_i = round(N(K, (cv K)^2)), K = 100, cv = 0.2, 4000 targets:
 * mean K with s.e. sd / sqrt(n) = 0.32, s.d. sqrt((cv K)^2 + 1/12) (rounding adds 1/12) with
 * s.e. sd / sqrt(2 (n - 1)) = 0.22 (normal sample); clipping at 0 and 1000 is > 5 s.d. away.
 * Both within 5 s.e. The same projection tests partner and delay uniformity:
 *  - out-degree of each of the 1000 sources: given the in-degrees, source j is picked by target
 *    i with p_i = K_i / 1000, so Var = sum_i p_i (1 - p_i); sum_j (o_j - mean)^2 / Var is
 *    chi-square with 999 d.o.f. (the total is fixed), 1e-6 critical value 1226;
 *  - delays uniform on the 20 steps 1..20: chi-square with 19 d.o.f., critical value 63.68. */
static void het_config(cob_config *c)
{
    cob_config_defaults(c);
    int x = test_add_pop(c, "X", COB_MODEL_POISSON, 1000);
    int e = test_add_pop(c, "E", COB_MODEL_LIF_COND, 4000);
    int p = add_proj(c, x, e, COB_RECEPTOR_E, 100);
    c->projs[p].cv_indegree = 0.2;
}

Test(connect, heterogeneous_indegree)
{
    cob_config c;
    cob_net net;
    het_config(&c);
    build_ok(&net, &c);
    const cob_proj *pr = &net.proj[0];
    double s = 0.0, ss = 0.0, n = (double)pr->n_post;
    for (int64_t i = 0; i < pr->n_post; ++i) s += pr->indegree[i];
    double mean = s / n;
    for (int64_t i = 0; i < pr->n_post; ++i) ss += (pr->indegree[i] - mean) * (pr->indegree[i] - mean);
    double sd = sqrt(ss / (n - 1.0)), sd_true = sqrt(20.0 * 20.0 + 1.0 / 12.0);
    cr_log_info("heterogeneous_indegree: mean %.3f s.d. %.3f", mean, sd);
    cr_expect_lt(fabs(mean - 100.0) / (sd_true / sqrt(n)), 5.0, "mean in-degree %.3f", mean);
    cr_expect_lt(fabs(sd - sd_true) / (sd_true / sqrt(2.0 * (n - 1.0))), 5.0, "s.d. of in-degree %.3f, expected %.3f",
                 sd, sd_true);
    cr_expect_eq(pr->n_syn, (int64_t)s);
    check_proj_structure(&net, &c, 0);
    cob_net_free(&net);
}

Test(connect, partners_uniform)
{
    cob_config c;
    cob_net net;
    het_config(&c);
    build_ok(&net, &c);
    const cob_proj *pr = &net.proj[0];
    double var = 0.0, mean = (double)pr->n_syn / pr->n_pre, chi2 = 0.0;
    for (int64_t i = 0; i < pr->n_post; ++i) {
        double q = pr->indegree[i] / (double)pr->n_pre;
        var += q * (1.0 - q);
    }
    for (int64_t j = 0; j < pr->n_pre; ++j) {
        double o = (double)(pr->row_ptr[j + 1] - pr->row_ptr[j]);
        chi2 += (o - mean) * (o - mean) / var;
    }
    cr_log_info("partners_uniform: dispersion %.1f (999 d.o.f.)", chi2);
    cr_expect_lt(chi2, 1226.0, "out-degree dispersion %.1f (999 d.o.f.)", chi2);
    cob_net_free(&net);
}

Test(connect, delays_uniform)
{
    cob_config c;
    cob_net net;
    uint64_t cnt[21] = {0};
    het_config(&c);
    build_ok(&net, &c);
    const cob_proj *pr = &net.proj[0];
    cr_assert_eq(pr->min_delay, 1);
    cr_assert_eq(pr->max_delay, 20);
    for (int64_t s = 0; s < pr->n_syn; ++s) {
        cr_assert(pr->delay_steps[s] >= 1 && pr->delay_steps[s] <= 20, "delay %u", pr->delay_steps[s]);
        cnt[pr->delay_steps[s]] += 1;
    }
    double e = pr->n_syn / 20.0, chi2 = 0.0;
    for (int d = 1; d <= 20; ++d) chi2 += (cnt[d] - e) * (cnt[d] - e) / e;
    cr_log_info("delays_uniform: chi-square %.2f (19 d.o.f.)", chi2);
    cr_expect_lt(chi2, 63.68, "delay chi-square %.2f (19 d.o.f.)", chi2);
    cob_net_free(&net);
}

/* Delay range from milliseconds: [0.3, 0.7] ms at dt = 0.1 ms is 3..7 steps; a single delay
 * draws nothing and is constant. */
Test(connect, delay_range_steps)
{
    cob_config c;
    cob_net net;
    ei_config(&c);
    c.projs[0].delay_min_ms = 0.3;
    c.projs[0].delay_max_ms = 0.7;
    c.projs[1].delay_min_ms = c.projs[1].delay_max_ms = 1.5;
    build_ok(&net, &c);
    cr_expect_eq(net.proj[0].min_delay, 3);
    cr_expect_eq(net.proj[0].max_delay, 7);
    int seen[8] = {0};
    for (int64_t s = 0; s < net.proj[0].n_syn; ++s) {
        cr_assert(net.proj[0].delay_steps[s] >= 3 && net.proj[0].delay_steps[s] <= 7);
        seen[net.proj[0].delay_steps[s]] = 1;
    }
    for (int d = 3; d <= 7; ++d) cr_expect(seen[d], "delay %d never drawn in 4000 synapses", d);
    for (int64_t s = 0; s < net.proj[1].n_syn; ++s) cr_assert_eq(net.proj[1].delay_steps[s], 15);
    cob_net_free(&net);
}

static int same_proj(const cob_proj *a, const cob_proj *b)
{
    if (a->n_syn != b->n_syn || a->n_pre != b->n_pre || a->n_post != b->n_post)
        return 0;
    if (memcmp(a->indegree, b->indegree, (size_t)a->n_post * sizeof *a->indegree))
        return 0;
    if (a->independent)
        return 1;
    return !memcmp(a->row_ptr, b->row_ptr, (size_t)(a->n_pre + 1) * sizeof *a->row_ptr) &&
           !memcmp(a->dgrp_off, b->dgrp_off, (size_t)(a->n_pre * (a->n_dgrp + 1)) * sizeof *a->dgrp_off) &&
           !memcmp(a->target, b->target, (size_t)a->n_syn * sizeof *a->target) &&
           !memcmp(a->delay_steps, b->delay_steps, (size_t)a->n_syn * sizeof *a->delay_steps);
}

/* Continuous delays under the ordered step (hd/connect.h): the layout of each kind of delay, and
 * the delays a range realises, whole part drawn and fraction hashed, uniform on [round(a/dt),
 * round(b/dt)) to 1/256 of a step. */
Test(connect, ordered_delays_layout)
{
    cob_config c;
    cob_net net;
    ei_config(&c);
    c.run.integrator = COB_INTEGRATOR_ORDERED;
    c.run.dt_ms = 0.05;
    c.projs[0].delay_min_ms = 0.0; /* a range: uniform on [0, 20) steps */
    c.projs[0].delay_max_ms = 1.0;
    c.projs[1].delay_min_ms = c.projs[1].delay_max_ms = 0.1375; /* 2.75 steps */
    c.projs[3].delay_min_ms = c.projs[3].delay_max_ms = 1.5;    /* 30 steps, on the grid */
    c.projs[4].delay_min_ms = 1.0;                              /* narrower than a step: its midpoint, 20.2 steps */
    c.projs[4].delay_max_ms = 1.02;
    build_ok(&net, &c);
    for (int p = 0; p < c.n_projs; ++p) check_proj_structure(&net, &c, p);
    cr_expect_eq(net.proj[0].dfrac_mode, COB_DFRAC_HASH);
    cr_expect_eq(net.proj[0].min_delay, 0);
    cr_expect_eq(net.proj[0].max_delay, 19);
    cr_expect_eq(net.proj[1].dfrac_mode, COB_DFRAC_CONST);
    cr_expect_eq(net.proj[1].min_delay, 2);
    cr_expect_eq(net.proj[1].dfrac_const, 192u);
    cr_expect_eq(net.proj[3].dfrac_mode, COB_DFRAC_NONE);
    cr_expect_eq(net.proj[3].min_delay, 30);
    cr_expect_eq(net.proj[3].max_delay, 30);
    cr_expect_eq(net.proj[4].dfrac_mode, COB_DFRAC_CONST);
    cr_expect_eq(net.proj[4].min_delay, 20);
    cr_expect_eq(net.proj[4].dfrac_const, 51u);           /* round(20.2 * 256) = 20 * 256 + 51 */
    cr_expect_eq(net.proj[2].dfrac_mode, COB_DFRAC_HASH); /* [0.1, 2] ms: [2, 40) steps */
    cr_expect_eq(net.proj[2].min_delay, 2);
    cr_expect_eq(net.proj[2].max_delay, 39);
    cr_expect(net.dfrac_any);
    cr_expect_eq(net.ring_slots, 41, "the longest arrival, 39 + 1 steps after its spike, needs 41 slots");
    /* the memory estimate's ring (cob_proj_spec_ring_slots, no build) is the build's: projection
     * 4's arrivals reach 20 + 1 steps, so 22 slots, one more than round(1.02 / 0.05) + 1 */
    for (int p = 0; p < c.n_projs; ++p)
        cr_expect_eq(cob_proj_spec_ring_slots(&c, p), cob_proj_max_arrival(&net.proj[p]) + 1, "projection %d", p);
    cr_expect_eq(cob_proj_spec_ring_slots(&c, 4), 22);
    cob_net_free(&net);
    /* the grid step keeps whole-step delays */
    c.run.integrator = COB_INTEGRATOR_GRID;
    build_ok(&net, &c);
    for (int p = 0; p < c.n_projs; ++p) cr_expect_eq(net.proj[p].dfrac_mode, COB_DFRAC_NONE, "projection %d", p);
    cr_expect_eq(net.proj[0].min_delay, 1);
    cr_expect_eq(net.proj[0].max_delay, 20);
    cr_expect(!net.dfrac_any);
    for (int p = 0; p < c.n_projs; ++p)
        cr_expect_eq(cob_proj_spec_ring_slots(&c, p), cob_proj_max_arrival(&net.proj[p]) + 1, "grid, projection %d", p);
    cob_net_free(&net);
}

Test(connect, ordered_delays_uniform)
{
    cob_config c;
    cob_net net;
    cob_config_defaults(&c);
    c.run.integrator = COB_INTEGRATOR_ORDERED;
    c.run.dt_ms = 0.05;
    int e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, 2000);
    add_proj(&c, e, e, COB_RECEPTOR_E, 200);
    c.projs[0].delay_min_ms = 0.0;
    c.projs[0].delay_max_ms = 1.0;
    build_ok(&net, &c);
    const cob_proj *pr = &net.proj[0];
    uint64_t quarter[80] = {0}, frac[256] = {0};
    for (int64_t j = 0; j < pr->n_pre; ++j)
        for (int64_t s = pr->row_ptr[j]; s < pr->row_ptr[j + 1]; ++s) {
            uint32_t f = cob_delay_frac(pr->dfrac_key, (uint32_t)j, (uint32_t)pr->target[s]);
            uint32_t d256 = (uint32_t)pr->delay_steps[s] * 256u + f; /* the delay in 1/256 step */
            cr_assert_lt(d256, 20u * 256u);
            quarter[d256 / 64] += 1;
            frac[f] += 1;
        }
    /* chi-square bounds at p = 1e-6 (Wilson-Hilferty): 154 for 79 d.o.f., 377 for 255 */
    double e80 = pr->n_syn / 80.0, e256 = pr->n_syn / 256.0, x80 = 0.0, x256 = 0.0;
    for (int b = 0; b < 80; ++b) x80 += (quarter[b] - e80) * (quarter[b] - e80) / e80;
    for (int b = 0; b < 256; ++b) x256 += (frac[b] - e256) * (frac[b] - e256) / e256;
    cr_log_info("ordered_delays_uniform: chi-square %.1f (79 d.o.f.), fractions %.1f (255)", x80, x256);
    cr_expect_lt(x80, 154.0, "delays in quarter steps: chi-square %.1f (79 d.o.f.)", x80);
    cr_expect_lt(x256, 377.0, "delay fractions: chi-square %.1f (255 d.o.f.)", x256);
    cob_net_free(&net);
}

/* The step of arrival: d + floor((s + f) / 256) steps after the spike, at least one. */
Test(connect, arrival_steps)
{
    cr_expect_eq(cob_arrival_steps(3, 200, 55), 3);
    cr_expect_eq(cob_arrival_steps(3, 200, 56), 4);
    cr_expect_eq(cob_arrival_steps(0, 10, 20), 1, "never within the emitting step");
    cr_expect_eq(cob_arrival_steps(0, 128, 128), 1);
    cr_expect_eq(cob_arrival_steps(1, 0, 255), 1);
    cr_expect_eq(cob_arrival_steps(1, 255, 255), 2);
    /* over uniform offsets and fractions, a delay of d + f/256 steps arrives d + 1/2 steps later
     * on average (to 1/512 from the 1/256 grid): the grid step's (d + 1) bias is gone */
    double sum = 0.0;
    for (uint32_t s8 = 0; s8 < 256; ++s8)
        for (uint32_t f = 0; f < 256; ++f) sum += cob_arrival_steps(5, s8, f);
    cr_expect_lt(fabs(sum / 65536.0 - 5.5), 1.0 / 256.0, "mean arrival %.6f steps", sum / 65536.0);
}

Test(connect, seed_reproducible)
{
    cob_config c;
    cob_net a, b;
    ei_config(&c);
    c.projs[0].cv_indegree = 0.3;
    c.run.seed = 12345;
    build_ok(&a, &c);
    build_ok(&b, &c);
    for (int p = 0; p < c.n_projs; ++p)
        cr_expect(same_proj(&a.proj[p], &b.proj[p]), "projection %d differs on rebuild", p);
    cob_net_free(&b);
    c.run.seed = 12346;
    build_ok(&b, &c);
    for (int p = 0; p < c.n_projs; ++p)
        cr_expect(!same_proj(&a.proj[p], &b.proj[p]), "projection %d identical under another seed", p);
    cob_net_free(&a);
    cob_net_free(&b);
}

/* Targets are built in parallel; the arrays must not depend on the thread count. */
Test(connect, thread_count_independent)
{
#ifdef _OPENMP
    cob_config c;
    cob_net a, b;
    het_config(&c);
    c.projs[0].delay_max_ms = 5.0;
    omp_set_num_threads(1);
    build_ok(&a, &c);
    omp_set_num_threads(3);
    build_ok(&b, &c);
    cr_expect(same_proj(&a.proj[0], &b.proj[0]), "1 and 3 threads built different networks");
    cob_net_free(&a);
    cob_net_free(&b);
#else
    cr_skip_test("built without OpenMP");
#endif
}

/* An independent Poisson input stores no synapses, only each target's in-degree. */
Test(connect, independent_stores_no_synapses)
{
    cob_config c;
    cob_net net;
    cob_err err = {0};
    ei_config(&c);
    c.pops[2].input_mode = COB_INPUT_INDEPENDENT;
    c.projs[5].cv_indegree = 0.25;
    build_ok(&net, &c);
    for (int p = 2; p < c.n_projs; p += 3) {
        cr_expect(net.proj[p].independent);
        cr_expect_eq(net.proj[p].n_syn, 0);
        cr_expect_null(net.proj[p].row_ptr);
        cr_expect_eq(cob_csr_validate(&net, p, &c, &err), COB_OK, "%s", err.msg);
    }
    int differs = 0;
    for (int64_t i = 0; i < net.proj[5].n_post; ++i) differs |= net.proj[5].indegree[i] != 30;
    cr_expect(differs, "cv_indegree ignored for an independent input");
    cob_net_free(&net);
}

/* Independent inputs draw no partners, so their in-degree may exceed the source population's
 * size (K_X inputs from a pool of any size): it must not be clipped to it. */
Test(connect, independent_indegree_not_bounded_by_pre_size)
{
    cob_config c;
    cob_net net;
    ei_config(&c);
    c.pops[2].input_mode = COB_INPUT_INDEPENDENT;
    c.projs[5].indegree = (double)c.pops[2].size * 3;
    build_ok(&net, &c);
    for (int64_t i = 0; i < net.proj[5].n_post; ++i)
        cr_assert_eq(net.proj[5].indegree[i], (int32_t)(c.pops[2].size * 3), "target %lld", (long long)i);
    cob_net_free(&net);
}

/* Synapse index s with s + 1 in the same delay group of row j (first found), or -1. */
static int64_t pair_in_group(const cob_proj *pr, int64_t *row)
{
    for (int64_t j = 0; j < pr->n_pre; ++j) {
        const uint32_t *off = pr->dgrp_off + j * (pr->n_dgrp + 1);
        for (int32_t k = 0; k < pr->n_dgrp; ++k)
            if (off[k + 1] - off[k] >= 2) {
                *row = j;
                return pr->row_ptr[j] + off[k];
            }
    }
    return -1;
}

/* cob_csr_validate must reject each kind of damage and accept the repaired CSR. */
Test(connect, validate_catches_damage)
{
    cob_config c;
    cob_net net;
    cob_err err = {0};
    ei_config(&c);
    build_ok(&net, &c);
    cob_proj *pr = &net.proj[0]; /* E -> E, no autapses, no multapses, delays 1..20 */
    int64_t j = -1, s = pair_in_group(pr, &j);
    cr_assert_geq(s, 0, "no delay group with two synapses");
    int32_t t0 = pr->target[s], t1 = pr->target[s + 1];
    uint16_t d0 = pr->delay_steps[s];

    pr->target[s] = t1;
    pr->target[s + 1] = t0;
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_ERR_INVALID, "unsorted delay group accepted");
    pr->target[s] = t0;
    pr->target[s + 1] = t0;
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_ERR_INVALID, "duplicate synapse accepted");
    pr->target[s + 1] = t1;
    pr->target[s] = (int32_t)pr->n_post;
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_ERR_INVALID, "target out of range accepted");
    pr->target[s] = -1;
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_ERR_INVALID, "negative target accepted");
    pr->target[s] = t0;
    pr->delay_steps[s] = 0;
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_ERR_INVALID, "delay 0 accepted");
    pr->delay_steps[s] = (uint16_t)(d0 == 20 ? 19 : d0 + 1);
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_ERR_INVALID, "delay outside its group accepted");
    pr->delay_steps[s] = 21;
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_ERR_INVALID, "delay beyond the ring accepted");
    pr->delay_steps[s] = d0;
    /* Autapse: in the group of s, overwrite the first target above j (or the group's last) by j;
     * the group stays sorted since row j holds no synapse onto j. */
    {
        int64_t g0 = s, g1 = s;
        while (g0 > pr->row_ptr[j] && pr->delay_steps[g0 - 1] == d0) g0 -= 1;
        while (g1 + 1 < pr->row_ptr[j + 1] && pr->delay_steps[g1 + 1] == d0) g1 += 1;
        int64_t sa = g0;
        while (sa < g1 && pr->target[sa] < j) sa += 1;
        int32_t ta = pr->target[sa];
        pr->target[sa] = (int32_t)j;
        cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_ERR_INVALID, "autapse accepted");
        pr->target[sa] = ta;
    }
    /* Broken group offsets. */
    uint32_t *off = pr->dgrp_off + j * (pr->n_dgrp + 1);
    off[0] += 1;
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_ERR_INVALID, "group offsets not starting at 0 accepted");
    off[0] -= 1;
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_OK, "restored CSR rejected: %s", err.msg);
    cob_net_free(&net);
}

/* A duplicate split across two delay groups is still a multapse: with every synapse of row j in
 * one of 20 groups, copy a target of one group into another where it keeps that group sorted. */
Test(connect, validate_catches_duplicate_across_groups)
{
    cob_config c;
    cob_net net;
    cob_err err = {0};
    ei_config(&c);
    build_ok(&net, &c);
    cob_proj *pr = &net.proj[0];
    int done = 0;
    for (int64_t j = 0; j < pr->n_pre && !done; ++j)
        for (int64_t s = pr->row_ptr[j]; s < pr->row_ptr[j + 1] && !done; ++s)
            for (int64_t u = pr->row_ptr[j]; u < pr->row_ptr[j + 1] && !done; ++u) {
                /* put target[u] at s (another group), if s's group stays strictly sorted */
                if (pr->delay_steps[u] == pr->delay_steps[s])
                    continue;
                int32_t t = pr->target[u], old = pr->target[s];
                int ok_lo = s == pr->row_ptr[j] || pr->delay_steps[s - 1] != pr->delay_steps[s] ||
                            pr->target[s - 1] < t;
                int ok_hi = s + 1 == pr->row_ptr[j + 1] || pr->delay_steps[s + 1] != pr->delay_steps[s] ||
                            pr->target[s + 1] > t;
                if (!ok_lo || !ok_hi)
                    continue;
                pr->target[s] = t;
                cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_ERR_INVALID,
                             "duplicate %lld -> %d in two delay groups accepted", (long long)j, t);
                pr->target[s] = old;
                done = 1;
            }
    cr_assert(done, "no row to place a duplicate in");
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_OK, "%s", err.msg);
    cob_net_free(&net);
}

/* The CUDA builder's algorithm (kernels/connect.cu's kernel bodies run on the host: Floyd with
 * hash sets, per-target sort, stable sort by (pre, delay group), group starts) must give
 * cob_net_build's arrays exactly, for every path: recurrent projections without autapses,
 * dense and sparse in-degrees, multapses, heterogeneous in-degree, one delay and many. Needs a
 * CUDA build, not a device (the kernels themselves are compared on a GPU in tests/test_cuda.c). */
static void expect_same_net(const cob_net *a, const cob_net *b, const char *what)
{
    cr_assert_eq(a->n_projs, b->n_projs);
    for (int p = 0; p < a->n_projs; ++p) {
        const cob_proj *x = &a->proj[p], *y = &b->proj[p];
        cr_assert_eq(x->n_syn, y->n_syn, "%s projection %d: n_syn", what, p);
        cr_assert_eq(x->n_dgrp, y->n_dgrp, "%s projection %d: n_dgrp", what, p);
        cr_assert_eq(memcmp(x->indegree, y->indegree, (size_t)x->n_post * 4), 0, "%s projection %d: in-degrees", what,
                     p);
        if (x->independent)
            continue;
        cr_assert_eq(memcmp(x->row_ptr, y->row_ptr, (size_t)(x->n_pre + 1) * 8), 0, "%s projection %d: row_ptr", what,
                     p);
        cr_assert_eq(memcmp(x->dgrp_off, y->dgrp_off, (size_t)(x->n_pre * (x->n_dgrp + 1)) * 4), 0,
                     "%s projection %d: dgrp_off", what, p);
        cr_assert_eq(memcmp(x->target, y->target, (size_t)x->n_syn * 4), 0, "%s projection %d: target", what, p);
        cr_assert_eq(memcmp(x->delay_steps, y->delay_steps, (size_t)x->n_syn * 2), 0, "%s projection %d: delays", what,
                     p);
    }
}

static void same_as_device_algorithm(const cob_config *c, const char *what)
{
    cob_net host, dev;
    cob_err err = {0};
    cob_status st = cob_cuda_emulate_net_build(&dev, c, &err);
    if (st == COB_ERR_NO_DEVICE)
        cr_skip_test("%s: %s (the emulation needs a CUDA build, not a device)", what, err.msg);
    cr_assert_eq(st, COB_OK, "%s: %s", what, err.msg);
    build_ok(&host, c);
    expect_same_net(&host, &dev, what);
    for (int p = 0; p < dev.n_projs; ++p)
        cr_expect_eq(cob_csr_validate(&dev, p, c, &err), COB_OK, "%s: %s", what, err.msg);
    cob_net_free(&host);
    cob_net_free(&dev);
}

Test(connect, device_algorithm_matches_host)
{
    cob_config c;
    ei_config(&c);
    same_as_device_algorithm(&c, "E/I/X");
    for (int p = 0; p < c.n_projs; ++p) c.projs[p].delay_min_ms = c.projs[p].delay_max_ms = 1.0;
    same_as_device_algorithm(&c, "E/I/X one delay");
    ei_config(&c);
    c.projs[0].allow_autapses = 1;
    c.projs[1].allow_multapses = 1;
    c.projs[4].indegree = 49; /* I -> I: every other I neuron (dense, no autapses) */
    c.run.seed = 7;
    same_as_device_algorithm(&c, "autapses, multapses, dense");
    het_config(&c);
    same_as_device_algorithm(&c, "heterogeneous in-degree");
}

/* Nested projections: the graph at K is a subgraph of the graph at K' > K for the same seed,
 * synapse by synapse with its delay (the prefix property of connect.h), with and without
 * heterogeneous in-degree; without nesting Floyd's subsets are not nested (so the test can
 * fail). The device algorithm builds the same nested graphs. */
static int64_t contained(const cob_proj *small, const cob_proj *big)
{
    int64_t missing = 0;
    for (int64_t j = 0; j < small->n_pre; ++j)
        for (int64_t s = small->row_ptr[j]; s < small->row_ptr[j + 1]; ++s) {
            int found = 0;
            for (int64_t u = big->row_ptr[j]; u < big->row_ptr[j + 1] && !found; ++u)
                found = big->target[u] == small->target[s] && big->delay_steps[u] == small->delay_steps[s];
            missing += !found;
        }
    return missing;
}

static void nested_pair(double cv, int nested, int64_t *missing, int64_t *n_small)
{
    cob_config c;
    cob_net a, b;
    cob_config_defaults(&c);
    int e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, 400);
    int p = add_proj(&c, e, e, COB_RECEPTOR_E, 20);
    c.projs[p].nested = nested;
    c.projs[p].cv_indegree = cv;
    build_ok(&a, &c);
    c.projs[p].indegree = 60;
    build_ok(&b, &c);
    *missing = contained(&a.proj[0], &b.proj[0]);
    *n_small = a.proj[0].n_syn;
    same_as_device_algorithm(&c, "nested");
    cob_net_free(&a);
    cob_net_free(&b);
}

Test(connect, nested_subgraph)
{
    int64_t missing, n;
    nested_pair(0.0, 1, &missing, &n);
    cr_expect_eq(missing, 0, "nested K = 20 -> 60: %lld of %lld synapses missing", (long long)missing, (long long)n);
    nested_pair(0.2, 1, &missing, &n);
    cr_expect_eq(missing, 0, "nested, CV_K 0.2: %lld of %lld synapses missing", (long long)missing, (long long)n);
    /* Floyd: a K = 20 subset of 399 candidates inside the K = 60 one by chance: ~(60/399) per synapse */
    nested_pair(0.0, 0, &missing, &n);
    cr_expect_gt(missing, n / 2, "Floyd's graphs came out nested (%lld of %lld missing)", (long long)missing,
                 (long long)n);
}
