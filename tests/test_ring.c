/* tests/test_ring.c -- ring structure (include/cobalt/hd/ring.h, host/net/ring.c,
 * host/config/config_ring.c): the libm-free cos(2 pi x) against libm, the integer angle
 * difference, ring-kernel connectivity (exact in-degree, no duplicates, the histogram of drawn
 * angle differences against the kernel by chi-square), the CUDA builder's algorithm against the
 * host's, the in-degree bound of the rejection draw, and the config errors of the ring keys.
 *
 * Statistical checks use fixed seeds (deterministic); bounds are the chi-square quantile at
 * 1e-6 for the stated degrees of freedom (a correct builder trips them with probability ~1e-6;
 * a sampler that ignores the kernel, or uses the wrong sign of delta, gives statistics in the
 * thousands). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cobalt/net.h"
#include "cobalt/ring.h"
#include "sim/cuda_test.h"
#include "test_util.h"

#define BINS 36
#define CHI2_35_1E6 89.95 /* chi-square quantile 1 - 1e-6, 35 degrees of freedom (scipy) */

/* cos(2 pi x) from + - * only: within 4e-16 of libm's cos at 2 pi x (evaluated in long double,
 * so the reference's own argument rounding does not count) over [-3, 3], dense near the
 * reduction boundaries (multiples of 1/8), where a wrong branch would show. */
Test(ring, cos2pi_accuracy)
{
    double worst = 0.0, at = 0.0;
    for (int64_t k = -3000000; k <= 3000000; ++k) {
        double x = (double)k * 1e-6 + 3.7e-8;
        double e = fabs(cob_cos2pi(x) - (double)cosl(2.0L * 3.14159265358979323846264338327950288L * (long double)x));
        if (e > worst) {
            worst = e;
            at = x;
        }
    }
    for (int j = -24; j <= 24; ++j)
        for (int d = -3; d <= 3; ++d) {
            double x = nextafter((double)j / 8.0, d < 0 ? -10.0 : 10.0) + d * 1e-17;
            double e = fabs(
                cob_cos2pi(x) - (double)cosl(2.0L * 3.14159265358979323846264338327950288L * (long double)x));
            if (e > worst) {
                worst = e;
                at = x;
            }
        }
    cr_expect_lt(worst, 4e-16, "cob_cos2pi off by %.3g at x = %.17g", worst, at);
    cr_expect_eq(cob_cos2pi(0.0), 1.0);
    cr_expect_eq(cob_cos2pi(0.5), -1.0);
    cr_expect_eq(cob_cos2pi(-0.25), 0.0);
}

/* x = phi_i / period - phi_j / period wrapped to (-1/2, 1/2], from integers. */
Test(ring, angle_difference)
{
    cr_expect_eq(cob_ring_dx(0, 8, 0, 8), 0.0);
    cr_expect_eq(cob_ring_dx(1, 8, 0, 8), 0.125);
    cr_expect_eq(cob_ring_dx(0, 8, 1, 8), -0.125);
    cr_expect_eq(cob_ring_dx(0, 8, 4, 8), 0.5); /* the antipode: +1/2, not -1/2 */
    cr_expect_eq(cob_ring_dx(4, 8, 0, 8), 0.5);
    cr_expect_eq(cob_ring_dx(7, 8, 0, 8), -0.125);
    cr_expect_eq(cob_ring_dx(1, 4, 3, 6), -0.25); /* 1/4 - 1/2 */
    cr_expect_eq(cob_ring_dx(2147483646, 2147483647, 0, 2147483647), -1.0 / 2147483647.0);
}

/* One ring population E (size n, period 360) with E -> E drawn by kernel shape. */
static void ring_config(cob_config *c, int64_t n, double k, int shape, double param)
{
    cob_config_defaults(c);
    int e = test_add_pop(c, "E", COB_MODEL_LIF_COND, n);
    c->pops[e].ring_period_deg = 360.0;
    cob_proj_spec *q = &c->projs[c->n_projs++];
    memset(q, 0, sizeof *q);
    q->pre = q->post = e;
    q->receptor = COB_RECEPTOR_E;
    q->indegree = k;
    q->weight = 0.01;
    q->delay_min_ms = 0.1;
    q->delay_max_ms = 2.0;
    q->ring_kernel.shape = shape;
    if (shape == COB_RING_COSINE)
        q->ring_kernel.p_c = param;
    else if (shape == COB_RING_VON_MISES)
        q->ring_kernel.kappa = param;
    else
        q->ring_kernel.lambda_deg = param;
}

static void build_ok(cob_net *net, const cob_config *c)
{
    cob_err err = {0};
    cr_assert_eq(cob_net_build(net, c, &err), COB_OK, "%s", err.msg);
}

static int bin_of(double x)
{
    int b = (int)floor((x + 0.5) * BINS);
    return b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
}

/* Expected synapses per bin of x = phi_post - phi_pre (units of the period) for targets on a
 * ring of n drawing K partners from the same ring without autapses: every target sees the same
 * offsets d = i - j (n_post == n_pre). With replacement the law is w(d) / sum w exactly; without,
 * successive sampling proportional to w is exponential order sampling, whose inclusion
 * probabilities are 1 - exp(-w t) with t fixed by sum = K to first order (Rosen 1997): the
 * depletion of the likeliest partners is in the expectation. */
static void expected_bins(const cob_ring_kern *rk, int64_t n, double k, int multapses, double *e)
{
    double *w = malloc((size_t)n * sizeof *w), sum = 0.0, lo = 0.0, hi = 1.0, t = 0.0;
    for (int64_t d = 1; d < n; ++d) sum += (w[d] = cob_ring_accept(rk, cob_ring_dx(d, n, 0, n)));
    if (!multapses) {
        for (;;) { /* bracket, then bisect sum(1 - exp(-w t)) = k */
            double s = 0.0;
            for (int64_t d = 1; d < n; ++d) s += 1.0 - exp(-w[d] * hi);
            if (s >= k)
                break;
            hi *= 2.0;
        }
        for (int it = 0; it < 100; ++it) {
            double s = 0.0;
            t = 0.5 * (lo + hi);
            for (int64_t d = 1; d < n; ++d) s += 1.0 - exp(-w[d] * t);
            if (s < k)
                lo = t;
            else
                hi = t;
        }
    }
    memset(e, 0, BINS * sizeof *e);
    for (int64_t d = 1; d < n; ++d)
        e[bin_of(cob_ring_dx(d, n, 0, n))] += (double)n * (multapses ? k * w[d] / sum : 1.0 - exp(-w[d] * t));
    free(w);
}

/* Drawn synapses per bin, and the chi-square of the histogram against expected_bins. */
static double chi_square(const cob_net *net, double k, int multapses)
{
    const cob_proj *pr = &net->proj[0];
    double obs[BINS] = {0}, e[BINS], chi = 0.0;
    for (int64_t j = 0; j < pr->n_pre; ++j)
        for (int64_t s = pr->row_ptr[j]; s < pr->row_ptr[j + 1]; ++s)
            obs[bin_of(cob_ring_dx(pr->target[s], pr->n_post, j, pr->n_pre))] += 1.0;
    expected_bins(&pr->ring, pr->n_pre, k, multapses, e);
    for (int b = 0; b < BINS; ++b) chi += (obs[b] - e[b]) * (obs[b] - e[b]) / e[b];
    return chi;
}

/* Every target has exactly K partners, none twice and none itself (cob_csr_validate), and the
 * drawn angle differences follow the kernel: chi-square over 36 bins (35 dof) below the 1e-6
 * quantile, for each shape, without and with replacement. The same draw with the kernel's sign
 * flipped (p_c -> -p_c) is far off, so the test can fail. */
static void kernel_case(int shape, double param, double k, int multapses)
{
    cob_config c;
    cob_net net;
    cob_err err = {0};
    const int64_t n = 3000;
    ring_config(&c, n, k, shape, param);
    c.projs[0].allow_multapses = multapses;
    build_ok(&net, &c);
    for (int64_t i = 0; i < n; ++i)
        cr_assert_eq(net.proj[0].indegree[i], (int32_t)k, "in-degree of %lld", (long long)i);
    cr_assert_eq(net.proj[0].n_syn, (int64_t)k * n);
    cr_expect_eq(cob_csr_validate(&net, 0, &c, &err), COB_OK, "%s", err.msg);
    double chi = chi_square(&net, k, multapses);
    cr_expect_lt(chi, CHI2_35_1E6, "shape %d (%g), K = %g, multapses %d: chi-square %.1f (35 dof)", shape, param, k,
                 multapses, chi);
    if (shape == COB_RING_COSINE) { /* the histogram of -p_c against the expectation of p_c */
        cob_net flip;
        c.projs[0].ring_kernel.p_c = -param;
        build_ok(&flip, &c);
        flip.proj[0].ring = net.proj[0].ring;
        cr_expect_gt(chi_square(&flip, k, multapses), 1000.0, "a flipped kernel passes");
        cob_net_free(&flip);
    }
    cob_net_free(&net);
}

Test(ring, kernel_histograms)
{
    kernel_case(COB_RING_COSINE, 0.8, 60, 0);
    kernel_case(COB_RING_COSINE, 0.8, 60, 1);
    kernel_case(COB_RING_VON_MISES, 3.0, 50, 0);
    kernel_case(COB_RING_VON_MISES, 3.0, 50, 1);
    kernel_case(COB_RING_WRAPPED_EXP, 40.0, 50, 0); /* lambda 40 deg on a 360 deg ring */
    kernel_case(COB_RING_WRAPPED_EXP, 40.0, 50, 1);
}

/* Rings of different sizes (x from i N_pre - j N_post), heterogeneous in-degree on top of the
 * kernel (cv_indegree), autapses and nesting: the host and the CUDA builder's algorithm (the
 * kernel bodies of kernels/connect.cu run on the host) give the same arrays. */
static void same_as_device(const cob_config *c, const char *what)
{
    cob_net host, dev;
    cob_err err = {0};
    cob_status st = cob_cuda_emulate_net_build(&dev, c, &err);
    if (st == COB_ERR_NO_DEVICE)
        cr_skip_test("%s: %s (the emulation needs a CUDA build)", what, err.msg);
    cr_assert_eq(st, COB_OK, "%s: %s", what, err.msg);
    build_ok(&host, c);
    for (int p = 0; p < c->n_projs; ++p) {
        const cob_proj *x = &host.proj[p], *y = &dev.proj[p];
        cr_assert_eq(x->n_syn, y->n_syn, "%s %d", what, p);
        cr_assert_eq(memcmp(x->indegree, y->indegree, (size_t)x->n_post * 4), 0, "%s %d: in-degrees", what, p);
        cr_assert_eq(memcmp(x->row_ptr, y->row_ptr, (size_t)(x->n_pre + 1) * 8), 0, "%s %d: row_ptr", what, p);
        cr_assert_eq(memcmp(x->target, y->target, (size_t)x->n_syn * 4), 0, "%s %d: targets", what, p);
        cr_assert_eq(memcmp(x->delay_steps, y->delay_steps, (size_t)x->n_syn * 2), 0, "%s %d: delays", what, p);
        cr_expect_eq(cob_csr_validate(&dev, p, c, &err), COB_OK, "%s: %s", what, err.msg);
    }
    cob_net_free(&host);
    cob_net_free(&dev);
}

Test(ring, device_algorithm_matches_host)
{
    cob_config c;
    ring_config(&c, 500, 40, COB_RING_VON_MISES, 2.0);
    int i = test_add_pop(&c, "I", COB_MODEL_LIF_COND, 130);
    c.pops[i].ring_period_deg = 360.0;
    cob_proj_spec *q = &c.projs[c.n_projs++];
    *q = c.projs[0];
    q->pre = i; /* I -> E: 130 on the ring against 500 */
    q->receptor = COB_RECEPTOR_I;
    q->indegree = 20;
    q->weight = 0.04;
    q->ring_kernel.shape = COB_RING_COSINE;
    q->ring_kernel.kappa = 0.0;
    q->ring_kernel.p_c = -0.6;
    q->cv_indegree = 0.3;
    q = &c.projs[c.n_projs++];
    *q = c.projs[0];
    q->post = i; /* E -> I, wrapped exponential, one delay */
    q->indegree = 60;
    q->ring_kernel.shape = COB_RING_WRAPPED_EXP;
    q->ring_kernel.kappa = 0.0;
    q->ring_kernel.lambda_deg = 30.0;
    q->delay_min_ms = q->delay_max_ms = 1.0;
    same_as_device(&c, "E/I rings");
    c.projs[0].nested = 1;
    c.projs[1].allow_multapses = 1;
    c.projs[0].allow_autapses = 1;
    c.run.seed = 11;
    same_as_device(&c, "nested, multapses, autapses");
}

/* The bound of the rejection draw: a kernel's mean acceptance and the largest in-degree before
 * depletion pushes the acceptance under 1e-3. Uniform-like kernels allow all candidates; a
 * von Mises kernel's mean acceptance is e^-kappa I0(kappa); too peaked a kernel allows none. */
Test(ring, indegree_bound)
{
    cob_config c;
    cob_ring_kern k;
    double mean;
    ring_config(&c, 1000, 10, COB_RING_COSINE, 0.5);
    k = cob_ring_kern_of(&c, 0);
    /* acceptance >= 1/3 everywhere: only the last few partners (coupon collecting among the
     * uniform candidates) cost more than 1000 candidates each */
    int64_t cap = cob_ring_k_cap(&k, 999, 0, 999, &mean);
    cr_expect(cap >= 990 && cap < 999, "cosine p_c = 0.5: cap %lld", (long long)cap);
    cr_expect_eq(cob_ring_k_cap(&k, 999, 1, 65535, NULL), 65535, "with replacement nothing depletes");
    cr_expect_lt(fabs(mean - 1.0 / 1.5), 1e-9, "cosine mean acceptance %.12g", mean);
    ring_config(&c, 1000, 10, COB_RING_VON_MISES, 2.0);
    k = cob_ring_kern_of(&c, 0);
    cob_ring_k_cap(&k, 999, 0, 999, &mean);
    cr_expect_lt(fabs(mean - exp(-2.0) * 2.2795853023360673), 1e-9, "von Mises mean acceptance %.12g", mean);
    ring_config(&c, 1000, 10, COB_RING_COSINE, 1.0); /* acceptance 0 at the antipode: never all */
    k = cob_ring_kern_of(&c, 0);
    cap = cob_ring_k_cap(&k, 999, 0, 999, NULL);
    cr_expect(cap > 850 && cap < 950, "cosine p_c = 1: cap %lld", (long long)cap);
    ring_config(&c, 1000, 10, COB_RING_WRAPPED_EXP, 0.05); /* lambda 0.05 deg, 0.36 deg spacing */
    k = cob_ring_kern_of(&c, 0);
    cr_expect_eq(cob_ring_k_cap(&k, 999, 0, 999, NULL), 0);
}

/* ---- config errors ---------------------------------------------------------------------- */

#define RING_NET                                                                                                  \
    "run: {dt_ms: 0.1, t_warmup_ms: 10, t_sim_ms: 20}\n"                                                          \
    "populations:\n"                                                                                              \
    "  - {name: E, model: lif_cond, size: 400, ring_period_deg: 180}\n"                                           \
    "  - {name: I, model: lif_cond, size: 100, ring_period_deg: 180}\n"                                           \
    "  - {name: X, model: poisson, size: 400, rate_hz: 10}\n"                                                     \
    "projections:\n"                                                                                              \
    "  - {pre: E, post: E, receptor: E, indegree: 40, weight: 0.01, ring_kernel: {shape: von_mises, kappa: 2}}\n" \
    "  - {pre: I, post: E, receptor: I, indegree: 10, weight: 0.04, ring_kernel: {shape: cosine, p_c: 0.5}}\n"    \
    "  - {pre: X, post: E, receptor: E, indegree: 40, weight: 0.01}\n"

static void refused(const char *set, const char *want1, const char *want2)
{
    cob_config c;
    cob_err err = {0};
    const char *sets[1] = {set};
    cob_status st = cob_config_load_string(&c, RING_NET, "ring.yaml", sets, set ? 1 : 0, &err);
    cr_assert_eq(st, COB_ERR_CONFIG, "--set %s was accepted", set);
    cr_expect(strstr(err.msg, want1) != NULL, "--set %s: \"%s\" lacks \"%s\"", set, err.msg, want1);
    if (want2)
        cr_expect(strstr(err.msg, want2) != NULL, "--set %s: \"%s\" lacks \"%s\"", set, err.msg, want2);
}

Test(ring, config_ok_and_errors)
{
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(&c, RING_NET, "ring.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(c.pops[0].ring_period_deg, 180.0);
    cr_expect_eq(c.projs[0].ring_kernel.shape, COB_RING_VON_MISES);
    cr_expect_eq(c.projs[0].ring_kernel.kappa, 2.0);
    cr_expect_eq(c.projs[1].ring_kernel.p_c, 0.5);
    cob_config_free(&c);
    refused("populations.E.ring_period_deg=90", "populations[0].ring_period_deg: value \"90\" out of range",
            "allowed: 180");
    refused("projections.1.ring_kernel.p_c=1.5", "projections[1].ring_kernel.p_c: value \"1.5\" out of range",
            "-1 and <= 1");
    refused("projections.0.ring_kernel.kappa=-1", "projections[0].ring_kernel.kappa", "out of range");
    refused("projections.0.ring_kernel.shape=gauss", "unknown value \"gauss\"", "von_mises, wrapped_exp");
    refused("projections.1.ring_kernel.kappa=3",
            "projections[1].ring_kernel.kappa: value \"3\": key only valid with "
            "shape von_mises, not cosine",
            NULL);
    refused("projections.0.ring_kernel={shape: wrapped_exp}", "needs lambda_deg", "lambda_deg > 0");
    refused("populations.I.ring_period_deg=360", "pre \"I\" has ring_period_deg 360, post \"E\" 180", NULL);
    refused("populations.I.ring_period_deg=0", "pre population \"I\" has no ring", NULL);
    refused("projections.2.ring_kernel={shape: cosine, p_c: 0.2}", "pre population \"X\" has no ring", NULL);
    refused("projections.0.indegree=400", "exceeds the 399 presynaptic neurons", NULL);
    refused("projections.0.ring_kernel.kappa=1e7", "kernel too peaked for \"E\"", "allowed: >= 0.001");
    refused("projections.0.ring_kernel={shape: wrapped_exp, lambda_deg: 0.5}", "projections[0].indegree",
            "too large for the ring kernel");
    refused("projections.0.ring_kernel.lambda=3", "unknown key", "shape, p_c, kappa, lambda_deg");
}
