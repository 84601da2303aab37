/* tests/test_stats.c -- statistics accumulation and reduction (include/cobalt/hd/stats.h,
 * host/stats/stats.c): the CV of ISI of regular, two-valued and Poisson spike trains fed through
 * cob_stats_spike into the accumulators and reduced by cob_acc_reduce; the V-histogram bin
 * function at its edges; and, end to end through cob_sim_run on the CPU backend, that the V
 * histogram (with v_below and v_above) holds exactly the samples taken, that the histograms of
 * rate and CV hold every neuron, and V moments of a known trajectory.
 *
 * Statistical bounds (5 standard errors) are stated where used; everything else is exact or
 * bounded by float rounding, derived in place. */
#include <criterion/criterion.h>
#include "test_util.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cobalt/net.h"
#include "cobalt/sim.h"
#include "cobalt/hd/stats.h"
#include "inputs/poisson_tables.h"
#include "stats/stats_acc.h"

TestSuite(stats, .init = test_one_thread);


/* cob_acc_init / cob_acc_reduce of config c, through a run plan made for the call (the
 * accumulators keep no pointer into it). */
static cob_status acc_init(cob_acc *a, const cob_net *net, const cob_config *c, cob_err *err)
{
    cob_plan pl;
    cob_status st = cob_plan_compile(&pl, c, net, err);
    if (st == COB_OK)
        st = cob_acc_init(a, net, &pl, err);
    cob_plan_free(&pl);
    return st;
}

static cob_status acc_reduce(const cob_acc *a, const cob_net *net, const cob_config *c, cob_stats *out, cob_err *err)
{
    cob_plan pl;
    cob_status st = cob_plan_compile(&pl, c, net, err);
    if (st == COB_OK)
        st = cob_acc_reduce(a, net, &pl, out, err);
    cob_plan_free(&pl);
    return st;
}

static void one_pop(cob_config *c, cob_model m, int64_t n)
{
    cob_config_defaults(c);
    c->n_pops = 1;
    snprintf(c->pops[0].name, COB_NAME_MAX, "E");
    c->pops[0].model = m;
    c->pops[0].size = n;
}

static uint64_t sum_u64(const uint64_t *x, int n)
{
    uint64_t s = 0;
    for (int k = 0; k < n; ++k) s += x[k];
    return s;
}

/* Spike trains written straight into the accumulators of a 603-neuron population:
 *   0..99    regular, ISI 37 steps            -> CV exactly 0
 *   100..199 ISIs alternating 10, 30 (40 ISIs) -> CV exactly 0.5 (population s.d. 10, mean 20)
 *   200..599 Bernoulli(p = 0.02) per step, 1000 ISIs each: geometric ISIs, CV sqrt(1 - p)
 *   600      silent; 601 one spike; 602 two spikes (1 ISI < min_isi = 2) -> CV NaN.
 * For the Poisson-like trains the CV estimate of one neuron has s.e. ~ 1 / sqrt(n_isi) (the
 * asymptotic variance of the sample CV is CV^2 ((kurtosis - 1)/4 - skewness CV + CV^2) / n, = 1/n
 * for the exponential law) and a bias ~ -1/n_isi; the mean over 400 neurons is within
 * 5 / sqrt(400 * 1000) + 2 / 1000 = 0.010 of sqrt(1 - p). */
Test(stats, cv_of_spike_trains)
{
    cob_config c;
    cob_net net;
    cob_acc a;
    cob_stats s;
    cob_err err = {0};
    const double p = 0.02;
    const int n_poi = 400, n_isi_poi = 1000;
    one_pop(&c, COB_MODEL_LIF_COND, 603);
    c.run.t_warmup_ms = 0.0;
    c.run.t_sim_ms = 10000.0;
    cob_plan plan;
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_plan_compile(&plan, &c, &net, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_acc_init(&a, &net, &plan, &err), COB_OK, "%s", err.msg);
    cob_pop_acc *pa = &a.pop[0];
#define SPIKE(i, t) \
    cob_stats_spike((t), &pa->spike_count[i], &pa->last_spike[i], &pa->n_isi[i], &pa->isi_sum[i], &pa->isi_sumsq[i])
    for (int i = 0; i < 100; ++i)
        for (int k = 0; k < 50; ++k) SPIKE(i, 5 + i + 37 * k);
    for (int i = 100; i < 200; ++i) {
        int64_t t = i;
        SPIKE(i, t);
        for (int k = 0; k < 40; ++k) {
            t += k % 2 ? 30 : 10;
            SPIKE(i, t);
        }
    }
    int32_t len;
    uint64_t *thr = cob_geometric_table(p, &len);
    cr_assert_not_null(thr);
    for (int i = 200; i < 200 + n_poi; ++i) {
        uint32_t draws = 0;
        int64_t t = 0;
        for (int k = 0; k <= n_isi_poi; ++k) {
            t += cob_geometric_gap(99, COB_STREAM(COB_STREAM_SOURCE, 0), (uint32_t)i, &draws, thr, len);
            SPIKE(i, t);
        }
    }
    free(thr);
    SPIKE(601, 1000);
    SPIKE(602, 1000);
    SPIKE(602, 1100);
#undef SPIKE
    cr_assert_eq(cob_acc_reduce(&a, &net, &plan, &s, &err), COB_OK, "%s", err.msg);
    cob_pop_stats *ps = &s.pop[0];
    for (int i = 0; i < 100; ++i) cr_assert_eq(ps->cv_isi[i], 0.0, "regular train %d: CV %.17g", i, ps->cv_isi[i]);
    for (int i = 100; i < 200; ++i)
        cr_assert_leq(fabs(ps->cv_isi[i] - 0.5), 1e-12, "10/30 train %d: CV %.17g", i, ps->cv_isi[i]);
    double m = 0.0;
    for (int i = 200; i < 200 + n_poi; ++i) {
        cr_assert_eq(ps->n_isi[i], (uint32_t)n_isi_poi);
        m += ps->cv_isi[i];
    }
    m /= n_poi;
    double bound = 5.0 / sqrt((double)n_poi * n_isi_poi) + 2.0 / n_isi_poi;
    cr_log_info("Bernoulli trains: mean CV %.5f, expected %.5f", m, sqrt(1.0 - p));
    cr_expect_lt(fabs(m - sqrt(1.0 - p)), bound, "mean CV %.5f, expected %.5f +- %.4f", m, sqrt(1.0 - p), bound);
    cr_expect(isnan(ps->cv_isi[600]) && isnan(ps->cv_isi[601]) && isnan(ps->cv_isi[602]), "CV defined below min_isi");
    cr_expect_eq(ps->n_isi[602], 1u);
    cr_expect_eq(ps->n_cv, 600);
    double all = 0.0;
    for (int i = 0; i < 600; ++i) all += ps->cv_isi[i];
    cr_expect_leq(fabs(ps->mean_cv - all / 600.0), 1e-12, "mean CV %.17g over the defined ones", ps->mean_cv);
    /* rates: spikes / measured time; only neuron 600 is silent */
    double t_s = s.t_measured_s;
    cr_expect_leq(fabs(t_s - 10.0), 1e-12);
    cr_expect_eq(ps->rate_hz[0], 50.0 / t_s);
    cr_expect_eq(ps->rate_hz[600], 0.0);
    cr_expect_leq(fabs(ps->frac_quiescent - 1.0 / 603.0), 1e-15);
    /* histogram mass and placement: CV 0 -> bin 0; CV 0.5 -> bin floor(0.5 / 3 * 50) = 8 */
    cr_expect_eq(sum_u64(ps->rate_hist, ps->rate_bins), 603u);
    cr_expect_eq(sum_u64(ps->cv_hist, ps->cv_bins), 600u);
    cr_expect_eq(ps->cv_hist[0], 100u);
    cr_expect_eq(ps->cv_hist[8], 100u);
    cob_stats_free(&s);
    cob_acc_free(&a);
    cob_plan_free(&plan);
    cob_net_free(&net);
}

/* Bin edges. With dyadic numbers (v_min = -80, width 2 mV, 15 bins) the bin arithmetic is exact,
 * so every edge belongs to the bin above it and the float just below to the bin below. */
/* The per-window sum of squared ISIs is 128 bits (low word, carries): ISIs of 4.0e9, 4.1e9 and
 * 4.2e9 steps (squares just below 2^64 each, their sum past it twice over, as n neurons x a long
 * window x long ISIs can reach) give the pooled CV sqrt(2/3) 1e8 / 4.1e9 from the two words, as
 * the backends leave them after their atomic additions. */
Test(stats, window_isi_squares_past_2_64)
{
    cob_config c;
    cob_net net;
    cob_acc a;
    cob_stats s;
    cob_err err = {0};
    const uint64_t isi[3] = {4000000000ull, 4100000000ull, 4200000000ull};
    one_pop(&c, COB_MODEL_LIF_COND, 3);
    c.protocol.n_windows = 1;
    snprintf(c.protocol.windows[0].name, COB_NAME_MAX, "w");
    c.protocol.windows[0].start_ms = c.run.t_warmup_ms;
    c.protocol.windows[0].end_ms = c.run.t_warmup_ms + c.run.t_sim_ms;
    cr_assert_eq(cob_config_check(&c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(acc_init(&a, &net, &c, &err), COB_OK, "%s", err.msg);
    uint64_t *w = a.pop[0].win_isi, carries = 0;
    for (int k = 0; k < 3; ++k) { /* what the backends do: add, and carry when the low word wraps */
        uint64_t sq = isi[k] * isi[k];
        w[0] += 1;
        w[1] += isi[k];
        if ((w[2] += sq) < sq)
            carries += 1, w[3] += 1;
    }
    cr_assert_eq(acc_reduce(&a, &net, &c, &s, &err), COB_OK, "%s", err.msg);
    double cv = sqrt(2.0 / 3.0) * 1e8 / 4.1e9;
    cr_log_info("carries %llu, CV %.17g, expected %.17g", (unsigned long long)carries, s.pop[0].win_cv_isi[0], cv);
    cr_expect_eq(s.pop[0].win_n_isi[0], 3u);
    cr_expect_eq(carries, 2u);
    cr_expect_lt(fabs(s.pop[0].win_cv_isi[0] / cv - 1), 1e-4, "CV %.17g, expected %.17g", s.pop[0].win_cv_isi[0], cv);
    cob_stats_free(&s);
    cob_acc_free(&a);
    cob_net_free(&net);
}

Test(stats, vbin_edges_exact)
{
    const float vmin = -80.0f, inv = 0.5f;
    const int32_t nb = 15;
    for (int32_t b = 0; b <= nb; ++b) {
        float e = vmin + 2.0f * (float)b;
        cr_expect_eq(cob_stats_vbin(e, vmin, inv, nb), b, "edge %g", e);
        cr_expect_eq(cob_stats_vbin(nextafterf(e, -INFINITY), vmin, inv, nb), b - 1, "just below %g", e);
    }
    cr_expect_eq(cob_stats_vbin(-INFINITY, vmin, inv, nb), -1);
    cr_expect_eq(cob_stats_vbin(INFINITY, vmin, inv, nb), nb);
    cr_expect_eq(cob_stats_vbin(-1000.0f, vmin, inv, nb), -1);
    cr_expect_eq(cob_stats_vbin(0.0f, vmin, inv, nb), nb);
}

/* The default histogram (200 bins on [-80, -50] mV) against the edges that cob_acc_reduce
 * reports: a voltage 1e-4 mV inside bin b lands in bin b. The float arithmetic
 * (v - v_min) * inv_width puts at most ~3 roundings of relative 2^-24 on x <= 200, i.e.
 * < 4e-5 bins = 6e-6 mV, so a 1e-4 mV margin is safe. */
Test(stats, vbin_matches_reported_edges)
{
    cob_config c;
    cob_net net;
    cob_acc a;
    cob_stats s;
    cob_err err = {0};
    one_pop(&c, COB_MODEL_LIF_COND, 1);
    c.run.t_sim_ms = 1.0;
    cob_plan plan;
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_plan_compile(&plan, &c, &net, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_acc_init(&a, &net, &plan, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_acc_reduce(&a, &net, &plan, &s, &err), COB_OK, "%s", err.msg);
    const cob_pop_stats *ps = &s.pop[0];
    cr_assert_eq(ps->v_bins, 200);
    cr_expect_eq(ps->v_edges[0], -80.0);
    cr_expect_eq(ps->v_edges[200], -50.0);
    for (int b = 0; b < 200; ++b) {
        float lo = (float)(ps->v_edges[b] + 1e-4), hi = (float)(ps->v_edges[b + 1] - 1e-4);
        cr_assert_eq(cob_stats_vbin(lo, a.v_min_mV, a.v_inv_width, a.v_bins), b, "V %.6f", lo);
        cr_assert_eq(cob_stats_vbin(hi, a.v_min_mV, a.v_inv_width, a.v_bins), b, "V %.6f", hi);
    }
    cob_stats_free(&s);
    cob_acc_free(&a);
    cob_plan_free(&plan);
    cob_net_free(&net);
}

/* No input: V_i(t) = E_L + (V0_i - E_L) d^(t+1) after the update of step t, never firing.
 * With no warm-up and 1000 steps sampled every 7 steps, each neuron gives ceil(1000/7) = 143
 * samples, so the V histogram with v_below and v_above holds exactly 50 x 143. The V moments
 * of neuron i are those of E_L + A_i D_k, D_k = d^(t_k + 1): the ratio s.d. / (mean - E_L)
 * = sd(D) / mean(D) whatever V0_i is, which pins the sample times. Each sample carries a float
 * rounding error e <= ulp(80) / (1 - d) = 1.5e-3 mV (the recursion's damped rounding), so the
 * ratio is off by at most e (1 + R) / (mean - E_L - e). */
Test(stats, vhist_mass_quiescent)
{
    cob_config c;
    cob_stats s;
    one_pop(&c, COB_MODEL_LIF_COND, 50);
    c.run.t_warmup_ms = 0.0;
    c.run.t_sim_ms = 100.0;
    c.stats.v_sample_stride_steps = 7;
    c.stats.v_hist_bins = 30;
    c.stats.v_hist_min_mV = -75.0;
    c.stats.v_hist_max_mV = -60.0;
    c.stats.v_neurons = 50;
    run_cpu(&c, &s);
    const cob_pop_stats *ps = &s.pop[0];
    uint64_t mass = sum_u64(ps->v_hist, ps->v_bins) + ps->v_below + ps->v_above;
    cr_expect_eq(mass, 50u * 143u, "V samples %llu, expected %u", (unsigned long long)mass, 50u * 143u);
    cr_expect_gt(ps->v_below, 0u);
    cr_expect_gt(ps->v_above, 0u);
    cr_expect_eq(sum_u64(ps->rate_hist, ps->rate_bins), 50u);
    cr_expect_eq(ps->rate_hist[0], 50u, "silent neurons belong to the lowest rate bin");
    cr_expect_eq(ps->n_cv, 0);
    cr_expect_eq(sum_u64(ps->cv_hist, ps->cv_bins), 0u);
    cr_expect_eq(ps->frac_quiescent, 1.0);
    cr_assert_eq(ps->v_n, 50);

    double d = (float)exp(-0.1 / 20.0), el = -80.0, md = 0.0, sd = 0.0, pm = 0.0;
    double e = (nextafterf(80.0f, INFINITY) - 80.0f) / (1.0 - d);
    for (int k = 0; k < 143; ++k) md += pow(d, 7.0 * k + 1.0);
    md /= 143.0;
    for (int k = 0; k < 143; ++k) sd += (pow(d, 7.0 * k + 1.0) - md) * (pow(d, 7.0 * k + 1.0) - md);
    sd = sqrt(sd / 143.0);
    double r = sd / md;
    for (int i = 0; i < 50; ++i) {
        double a = ps->v_mean_mV[i] - el, v0 = el + a / md;
        cr_expect(v0 >= -65.0 - e / md && v0 <= -55.0 + e / md, "neuron %d: implied V0 %.4f outside [V_r, theta]", i,
                  v0);
        double tol = e * (1.0 + r) / (a - e);
        cr_expect_leq(fabs(ps->v_sd_mV[i] / a - r), tol, "neuron %d: s.d./(mean - E_L) = %.6f, expected %.6f", i,
                      ps->v_sd_mV[i] / a, r);
        pm += ps->v_mean_mV[i];
    }
    /* equal sample counts: the population mean is the mean of the neuron means */
    cr_expect_leq(fabs(ps->v_pop_mean_mV - pm / 50.0), 1e-9, "pop mean %.12f vs %.12f", ps->v_pop_mean_mV, pm / 50.0);
    cob_stats_free(&s);
}

/* Constant supra-threshold drive (lif_curr, mu = 30 mV): every ISI is exactly
 * R + 220 = 240 steps (tests/test_lif_curr.c), so every CV is exactly 0. With the whole
 * population in the raster (no warm-up, so no spike precedes the window), the V samples skipped
 * are known exactly: a spike at step t removes the samples of steps t .. t + R (the spike step
 * and the R refractory steps); the histogram mass must equal the rest. */
Test(stats, vhist_mass_firing)
{
    cob_config c;
    cob_stats s;
    const int n = 40, stride = 7;
    one_pop(&c, COB_MODEL_LIF_CURR, n);
    c.pops[0].lif.mu_ext_mV = 30.0;
    c.run.t_warmup_ms = 0.0;
    c.run.t_sim_ms = 500.0;
    c.stats.v_sample_stride_steps = stride;
    c.stats.v_hist_min_mV = -62.0;
    c.stats.v_hist_max_mV = -57.0;
    c.stats.v_hist_bins = 10;
    c.stats.raster_neurons = n;
    c.stats.raster_max_spikes = 100000;
    run_cpu(&c, &s);
    const cob_pop_stats *ps = &s.pop[0];
    const int64_t m = s.n_steps_measured, r = 20;
    cr_assert_eq(m, 5000);
    cr_assert_eq(s.raster_overflow, 0);
    char *skip = calloc((size_t)(n * m), 1);
    cr_assert_not_null(skip);
    uint64_t spikes = 0, expected = 0;
    for (int64_t k = 0; k < s.raster_n; ++k)
        for (int64_t t = s.raster_step[k]; t <= s.raster_step[k] + r && t < m; ++t)
            skip[s.raster_neuron[k] * m + t] = 1;
    for (int i = 0; i < n; ++i) {
        spikes += ps->spike_count[i];
        for (int64_t t = 0; t < m; t += stride) expected += !skip[i * m + t];
        cr_expect_geq(ps->n_isi[i], 2u, "neuron %d: %u ISIs", i, ps->n_isi[i]);
        cr_expect_eq(ps->cv_isi[i], 0.0, "neuron %d: CV %.17g of a regular train", i, ps->cv_isi[i]);
        cr_expect_leq(fabs(ps->rate_hz[i] - ps->spike_count[i] / 0.5), 1e-9);
    }
    free(skip);
    cr_expect_eq((uint64_t)s.raster_n, spikes, "raster holds every spike");
    uint64_t mass = sum_u64(ps->v_hist, ps->v_bins) + ps->v_below + ps->v_above;
    cr_expect_eq(mass, expected, "V samples %llu, expected %llu", (unsigned long long)mass,
                 (unsigned long long)expected);
    cr_expect_gt(ps->v_below, 0u);
    cr_expect_gt(ps->v_above, 0u);
    uint64_t ts = 0;
    for (int64_t b = 0; b < ps->n_bins_ts; ++b) ts += ps->rate_ts_counts[b];
    cr_expect_eq(ts, spikes, "population rate series holds every spike");
    /* rate histogram: each neuron in the bin whose edges bracket its rate */
    uint64_t *h = calloc((size_t)ps->rate_bins, sizeof *h);
    cr_assert_not_null(h);
    for (int i = 0; i < n; ++i)
        for (int b = 0; b < ps->rate_bins; ++b)
            if (ps->rate_hz[i] >= ps->rate_edges[b] && ps->rate_hz[i] < ps->rate_edges[b + 1])
                h[b] += 1;
    for (int b = 0; b < ps->rate_bins; ++b) cr_expect_eq(ps->rate_hist[b], h[b], "rate bin %d", b);
    free(h);
    cr_expect_eq(ps->n_cv, n);
    cr_expect_eq(sum_u64(ps->cv_hist, ps->cv_bins), (uint64_t)n);
    cr_expect_eq(ps->cv_hist[0], (uint64_t)n);
    cob_stats_free(&s);
}

/* ---- the accumulator table (host/stats/stats_desc.c) --------------------------------------- */

/* Every array of cob_acc_arrays has one row, in field order, and the byte count per population
 * is the one the memory estimates used to write by hand (52 bytes per neuron, the V histogram
 * with its two outer cells, the rate series). */
Test(stats, acc_table_covers_every_array)
{
    cr_assert_eq(sizeof(cob_acc_arrays), COB_ACC_N_ROWS * sizeof(void *), "an array of cob_acc_arrays has no row");
    for (int r = 0; r < COB_ACC_N_ROWS; ++r) {
        const cob_acc_desc *d = &cob_acc_table[r];
        cr_assert_not_null(d->name, "row %d empty", r);
        cr_expect_eq(d->arr_off, r * sizeof(void *), "row %d (%s) out of field order", r, d->name);
        cr_expect_lt(d->host_off, sizeof(cob_pop_acc), "row %s", d->name);
        cr_expect(d->init == 0 || d->init == -1, "row %s: initial value %d is not a byte pattern", d->name, d->init);
        for (int q = 0; q < r; ++q) cr_expect_neq(d->host_off, cob_acc_table[q].host_off, "rows %d and %d", q, r);
    }
    cob_acc_dims m = {1001, 37, 250, 3, 100};
    /* per neuron, V histogram, rate bins, then per window: spikes, ISI sums (4), V sums of 100 neurons (3) */
    cr_expect_eq(cob_acc_pop_bytes(&m), 1001 * 52 + (37 + 2) * 8 + 250 * 4 + 3 * 8 + 3 * 4 * 8 + 3 * 100 * 3 * 8);
    cob_acc_dims none = {1001, 37, 250, 0, 0}; /* no windows: one element per window row */
    cr_expect_eq(cob_acc_pop_bytes(&none), 1001 * 52 + (37 + 2) * 8 + 250 * 4 + 8 + 4 * 8 + 3 * 8);
}

/* Allocation sets the initial values (last_spike -1, the rest 0); the cob_acc_arrays view holds
 * the same arrays, with the whole (v_bins + 2)-cell histogram as v_hist. */
Test(stats, acc_init_values_and_view)
{
    cob_config c;
    cob_net net;
    cob_acc a;
    cob_err err = {0};
    one_pop(&c, COB_MODEL_LIF_COND, 77);
    c.stats.v_hist_bins = 13;
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(acc_init(&a, &net, &c, &err), COB_OK, "%s", err.msg);
    cob_pop_acc *pa = &a.pop[0];
    cob_acc_dims m = cob_acc_config_dims(&c, 0);
    cr_assert_eq(m.n, 77);
    cr_assert_eq(m.n_bins_ts, a.n_bins_ts);
    cob_acc_arrays x = cob_acc_pop_arrays(pa);
    cr_expect_eq(x.v_hist, pa->v_hist);
    for (int r = 0; r < COB_ACC_N_ROWS; ++r) {
        const cob_acc_desc *d = &cob_acc_table[r];
        const unsigned char *p = *cob_acc_host_slot(pa, d);
        cr_assert_eq((const void *)p, *cob_acc_arrays_slot(&x, d), "row %s", d->name);
        for (int64_t k = 0; k < cob_acc_row_bytes(d, &m); ++k)
            cr_assert_eq(p[k], (unsigned char)cob_acc_fill_byte(d), "row %s byte %lld", d->name, (long long)k);
    }
    cr_expect_eq(pa->last_spike[76], -1);
    cob_acc_free(&a);
    cob_net_free(&net);
}

/* ---- cob_stats_neuron (include/cobalt/hd/stats.h) ----------------------------------------------- */

/* The per-neuron update as the CPU loop wrote it before cob_stats_neuron existed: the reference
 * that the shared function must reproduce bit for bit. */
static void neuron_stats_reference(cob_pop_acc *pa, int64_t i, int64_t t, int fired, int was_refr, int sample_v,
                                   float v, const cob_acc *a, uint64_t *vhist)
{
    if (fired)
        cob_stats_spike(t, &pa->spike_count[i], &pa->last_spike[i], &pa->n_isi[i], &pa->isi_sum[i], &pa->isi_sumsq[i]);
    else if (sample_v && !was_refr) {
        int32_t b = cob_stats_vbin(v, a->v_min_mV, a->v_inv_width, a->v_bins);
        pa->v_sum[i] += v;
        pa->v_sumsq[i] += (double)v * (double)v;
        pa->v_n[i] += 1;
        vhist[b + 1] += 1;
    }
}

/* 2000 steps of 64 neurons with pseudo-random spikes, refractory flags, sampling steps and V
 * (below, inside and above the range, on edges, NaN): every accumulator and the histogram equal
 * the reference's bit for bit. */
Test(stats, neuron_update_matches_reference)
{
    cob_config c;
    cob_net net;
    cob_acc a, b;
    cob_err err = {0};
    const int n = 64;
    one_pop(&c, COB_MODEL_LIF_COND, n);
    c.stats.v_hist_bins = 30;
    c.stats.v_hist_min_mV = -75.0;
    c.stats.v_hist_max_mV = -60.0;
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(acc_init(&a, &net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(acc_init(&b, &net, &c, &err), COB_OK, "%s", err.msg);
    cob_acc_arrays x = cob_acc_pop_arrays(&a.pop[0]);
    cob_vhist_geom g = {a.v_min_mV, a.v_inv_width, a.v_bins};
    uint64_t hist[32] = {0}, ref[32] = {0};
    uint32_t u = 12345u;
    int samples = 0, spikes = 0;
    for (int64_t t = 0; t < 2000; ++t) {
        int sample_v = t % 3 == 0;
        for (int64_t i = 0; i < n; ++i) {
            u = u * 1664525u + 1013904223u;
            int fired = (u >> 28) == 0, was_refr = ((u >> 24) & 7u) == 0;
            float v = -80.0f + (float)(u & 0xFFFFu) * (25.0f / 65536.0f);
            if ((u & 0xFF000u) == 0)
                v = NAN;
            if (((u >> 8) & 0x3Fu) == 1)
                v = -75.0f + 0.5f * (float)((u >> 14) & 31u); /* on an edge */
            int32_t k = cob_stats_neuron(&x, i, t, fired, was_refr, sample_v, v, &g);
            neuron_stats_reference(&b.pop[0], i, t, fired, was_refr, sample_v, v, &b, ref);
            cr_assert(k >= -1 && k <= g.n_bins + 1, "bin %d", k);
            cr_assert_eq(k >= 0, !fired && sample_v && !was_refr, "step %lld neuron %lld: bin %d", (long long)t,
                         (long long)i, k);
            if (k >= 0)
                hist[k] += 1;
            samples += k >= 0;
            spikes += fired;
        }
    }
    cr_assert_gt(samples, 10000);
    cr_assert_gt(spikes, 5000);
    cr_expect_gt(ref[0], 0u, "no sample below the range");
    cr_expect_gt(ref[31], 0u, "no sample above the range");
    cr_expect_arr_eq(hist, ref, sizeof hist, "V histograms differ");
    cob_acc_dims m = cob_acc_config_dims(&c, 0);
    for (int r = 0; r < COB_ACC_N_ROWS; ++r) {
        const cob_acc_desc *d = &cob_acc_table[r];
        cr_expect(!memcmp(*cob_acc_host_slot(&a.pop[0], d), *cob_acc_host_slot(&b.pop[0], d),
                          (size_t)cob_acc_row_bytes(d, &m)),
                  "%s differs from the reference", d->name);
    }
    cob_acc_free(&a);
    cob_acc_free(&b);
    cob_net_free(&net);
}

/* ---- merging per-thread copies ----------------------------------------------------------------- */

/* Three threads' V histograms of an E, X (Poisson: no accumulators, its slots hold junk) and I
 * network, laid out as the CPU backend keeps them ([thread][population][v_bins + 2]): the merge
 * sums them into v_hist (replacing what was there) and the reduction splits the sums into the
 * in-range bins, v_below (cell 0) and v_above (cell v_bins + 1). */
Test(stats, merge_thread_hist)
{
    cob_config c;
    cob_net net;
    cob_acc a;
    cob_stats sa;
    cob_err err = {0};
    const int n_thr = 3, bins = 9, w = bins + 2;
    cob_config_defaults(&c);
    test_add_pop(&c, "E", COB_MODEL_LIF_COND, 20);
    test_add_pop(&c, "X", COB_MODEL_POISSON, 10);
    test_add_pop(&c, "I", COB_MODEL_LIF_COND, 5);
    c.stats.v_hist_bins = bins;
    c.run.t_sim_ms = 50.0;
    c.stats.pop_rate_bin_ms = 1.0;
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(acc_init(&a, &net, &c, &err), COB_OK, "%s", err.msg);
    uint64_t th[3 * 3 * 11];
    for (int k = 0; k < n_thr * 3 * w; ++k) th[k] = (uint64_t)(k * 7919 % 1000) + ((uint64_t)k << 33);
    a.pop[0].v_hist[4] = 99; /* replaced, not added to */
    cob_acc_merge_thread_hist(&a, &net, th, n_thr);
    for (int pop = 0; pop < 3; pop += 2)
        for (int j = 0; j < w; ++j) {
            uint64_t s = 0;
            for (int k = 0; k < n_thr; ++k) s += th[(k * 3 + pop) * w + j];
            cr_assert_eq(a.pop[pop].v_hist[j], s, "pop %d cell %d", pop, j);
        }
    cr_assert_eq(acc_reduce(&a, &net, &c, &sa, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(sa.n_pops, 2);
    for (int p = 0; p < 2; ++p) {
        int pop = p ? 2 : 0;
        uint64_t below = 0, above = 0;
        for (int k = 0; k < n_thr; ++k) {
            below += th[(k * 3 + pop) * w];
            above += th[(k * 3 + pop) * w + bins + 1];
        }
        for (int j = 0; j < bins; ++j) {
            uint64_t s = 0;
            for (int k = 0; k < n_thr; ++k) s += th[(k * 3 + pop) * w + j + 1];
            cr_expect_eq(sa.pop[p].v_hist[j], s, "pop %d bin %d", p, j);
        }
        cr_expect_eq(sa.pop[p].v_below, below, "pop %d", p);
        cr_expect_eq(sa.pop[p].v_above, above, "pop %d", p);
        cr_expect_gt(sa.pop[p].v_above, 1ull << 33);
    }
    /* any summing row merges the same way; a per-neuron row has no copies to sum */
    uint32_t ts[2 * 3 * 50];
    int64_t nts = a.n_bins_ts;
    cr_assert_eq(nts, 50);
    for (int k = 0; k < 2 * 3 * (int)nts; ++k) ts[k] = (uint32_t)k;
    cr_assert_eq(cob_acc_merge_copies(&a, &net, COB_ACC_RATE_TS, ts, 2, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(a.pop[2].rate_ts[1], (uint32_t)(2 * nts + 1) + (uint32_t)(5 * nts + 1));
    cr_expect_eq(cob_acc_merge_copies(&a, &net, COB_ACC_SPIKE_COUNT, ts, 2, &err), COB_ERR_INVALID);
    cr_expect(strstr(err.msg, "spike_count") != NULL, "%s", err.msg);
    cob_stats_free(&sa);
    cob_acc_free(&a);
    cob_net_free(&net);
}
