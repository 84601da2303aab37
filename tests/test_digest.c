/* tests/test_digest.c -- regression guard: a 64-bit digest of everything a run measures (spike
 * counts, ISI counts and CVs -- functions of the integer ISI sums --, rate/CV/V histograms, V
 * moments, input rates, population-rate series, raster, traces, overflow and event counts) for
 * short versions of the shipped configs, compared with digests recorded before a refactor.
 * Any change of the physics, a draw, the delivery or the statistics changes a digest, so a
 * refactor that claims "bit-identical" is held to it.
 *
 * Cases cover both neuron models, pool and independent input, heterogeneous in-degree,
 * exact-pulse jumps, multapses, nested connectivity at two K (a nested sweep's points) and
 * rasters with traces. Built twice: test_digest runs the CPU backend (and the CUDA backend too
 * when a device is present); test_digest_emu runs the same cases on the emulated CUDA backend
 * (tests/emu) against the same digests, so CPU == CUDA is part of the guard.
 *
 * Provenance: the digests were recorded with COBALT_DIGEST_PRINT=1 at commit 6a328ee (before
 * the extension-layer refactor, issue 8); the three "ordered step" cases when that step was
 * introduced (issue 16), the two of exponential synapses and white noise when those were (issue 12);
 * the fig4 ordered case again, and the fixed-fraction case, when the ordered step's delays became
 * continuous (issue 16: arrival step from the spike's offset and the delay's fraction); the two
 * of scheduled Poisson rates and the protocol (with per-window statistics, hashed only for runs
 * that have windows) when those were (issue 12, items 4-5); the ring case when ring kernels
 * landed, the two tuned-input cases when tuned input did (issue 14). They may
 * change only with a deliberate change of results, recorded in the commit message. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include "cobalt/config.h"
#include "cobalt/sim.h"

#define CFG(f) COBALT_SOURCE_DIR "/" f

typedef struct {
    const char *name;
    const char *config;   /* path under the source tree */
    const char *sets[24]; /* --set overrides that shrink it; NULL-terminated */
    uint64_t digest;      /* recorded at the commit named above */
} digest_case;

#define SHORT "run.t_warmup_ms=40", "run.t_sim_ms=160"
#define SMALL_EIX(ne, ni, nx) "populations.E.size=" #ne, "populations.I.size=" #ni, "populations.X.size=" #nx
#define RASTER "stats.raster.neurons=40", "stats.traces.neurons=2", "stats.traces.stride_steps=3"

static const digest_case cases[] = {
    {"quickstart (lif_cond, pool, delays 0..10 ms)",
     CFG("configs/quickstart.yaml"),
     {SHORT, SMALL_EIX(400, 100, 400), "projections.0.indegree=40", "projections.1.indegree=40",
      "projections.2.indegree=10", "projections.3.indegree=10", "projections.4.indegree=40",
      "projections.5.indegree=40", "populations.X.rate_hz=250", NULL},
     0x197e6f057f3f0deeull},
    {"fig4 (dt 50 us, CV_K 0.2, exact-pulse jumps)",
     CFG("configs/sanzeni2020_fig4.yaml"),
     {SHORT, SMALL_EIX(400, 100, 400), "projections.0.indegree=100", "projections.0.cv_indegree=0.2",
      "projections.1.indegree=100", "projections.2.indegree=25", "projections.3.indegree=25",
      "projections.4.indegree=100", "projections.5.indegree=100", "projections.5.cv_indegree=0.3",
      "populations.I.jump=exp", "populations.X.rate_hz=200", RASTER, NULL},
     0xe1e94c2319cc2cb8ull},
    {"brunel2000 (lif_curr, independent input)",
     CFG("configs/brunel2000.yaml"),
     {SHORT, "populations.E.size=400", "populations.I.size=100", "populations.X.size=400", "projections.0.indegree=80",
      "projections.1.indegree=80", "projections.2.indegree=20", "projections.3.indegree=20",
      "projections.4.indegree=80", "projections.5.indegree=80", "populations.X.rate_hz=150", RASTER, NULL},
     0x66bdc386121edec0ull},
    {"ei_curr (lif_curr, mu_ext, CV_K on independent input, multapses)",
     CFG("perf/configs/ei_curr.yaml"),
     {SHORT, SMALL_EIX(400, 100, 400), "projections.0.indegree=100", "projections.0.multapses=true",
      "projections.1.indegree=100", "projections.2.indegree=25", "projections.3.indegree=25",
      "projections.4.indegree=100", "projections.4.cv_indegree=0.2", "projections.5.indegree=100",
      "populations.X.rate_hz=40", RASTER, NULL},
     0x0aff797d61fab237ull},
    {"single neuron (unconnected, independent E and I, dt 10 us)",
     CFG("configs/validation/single_neuron_k.yaml"),
     {"run.dt_ms=0.01", "run.t_warmup_ms=5", "run.t_sim_ms=200", "populations.N.size=40", "stats.v_neurons=40", RASTER,
      NULL},
     0x8c36184c84070ee1ull},
    {"nested K = 40 (sweep point)",
     CFG("configs/sweep_k_small.yaml"),
     {SHORT, SMALL_EIX(400, 100, 400), "projections.0.indegree=40", "projections.1.indegree=40",
      "projections.2.indegree=10", "projections.3.indegree=10", "projections.4.indegree=40",
      "projections.5.indegree=40", "projections.0.nested=true", "projections.1.nested=true",
      "projections.2.nested=true", "projections.3.nested=true", "projections.4.nested=true",
      "projections.5.nested=true", "populations.X.rate_hz=250", NULL},
     0x6289670ffef24ba2ull},
    {"nested K = 20 (sweep point)",
     CFG("configs/sweep_k_small.yaml"),
     {SHORT, SMALL_EIX(400, 100, 400), "projections.0.indegree=20", "projections.1.indegree=20",
      "projections.2.indegree=5", "projections.3.indegree=5", "projections.4.indegree=20", "projections.5.indegree=20",
      "projections.0.nested=true", "projections.1.nested=true", "projections.2.nested=true",
      "projections.3.nested=true", "projections.4.nested=true", "projections.5.nested=true",
      "populations.X.rate_hz=500", NULL},
     0x2354816a3f834fb2ull},
    /* the ordered step (issue 16), recorded at its introduction */
    {"fig4 ordered step (dt 50 us, pool, CV_K 0.2)",
     CFG("configs/sanzeni2020_fig4.yaml"),
     {SHORT, SMALL_EIX(400, 100, 400), "projections.0.indegree=100", "projections.0.cv_indegree=0.2",
      "projections.1.indegree=100", "projections.2.indegree=25", "projections.3.indegree=25",
      "projections.4.indegree=100", "projections.5.indegree=100", "populations.X.rate_hz=200", "run.integrator=ordered",
      RASTER, NULL},
     0x7ef25bc2312357c0ull},
    {"brunel2000 ordered step (lif_curr, independent input)",
     CFG("configs/brunel2000.yaml"),
     {SHORT, "populations.E.size=400", "populations.I.size=100", "populations.X.size=400", "projections.0.indegree=80",
      "projections.1.indegree=80", "projections.2.indegree=20", "projections.3.indegree=20",
      "projections.4.indegree=80", "projections.5.indegree=80", "populations.X.rate_hz=150", "run.integrator=ordered",
      RASTER, NULL},
     0xf25b9c3b3f8e5fa4ull},
    {"single neuron ordered step (dt 1 ms: ~36 arrivals a step, both arrival paths)",
     CFG("configs/validation/single_neuron_k.yaml"),
     {"run.dt_ms=1", "run.t_warmup_ms=5", "run.t_sim_ms=300", "populations.N.size=40", "stats.v_neurons=40",
      "run.integrator=ordered", RASTER, NULL},
     0x2c5dc2686550607aull},
    /* continuous delays under the ordered step (issue 16): a fixed delay between two steps */
    {"brunel2000 ordered step, fixed delay 1.55 ms at dt 0.1 ms (one delay fraction)",
     CFG("configs/brunel2000.yaml"),
     {SHORT, "populations.E.size=400", "populations.I.size=100", "populations.X.size=400", "projections.0.indegree=80",
      "projections.1.indegree=80", "projections.2.indegree=20", "projections.3.indegree=20",
      "projections.4.indegree=80", "projections.5.indegree=80", "populations.X.rate_hz=150", "run.integrator=ordered",
      "projections.0.delay_ms=1.55", "projections.1.delay_ms=1.55", "projections.2.delay_ms=1.55",
      "projections.3.delay_ms=1.55", RASTER, NULL},
     0xd4252d3bdb19194cull},
    /* models and inputs of issue 12, recorded when they landed */
    {"fig4 with exponential conductances (lif_cond_exp, tau_s 1 / 2 ms)",
     CFG("configs/sanzeni2020_fig4.yaml"),
     {SHORT, SMALL_EIX(400, 100, 400), "projections.0.indegree=100", "projections.1.indegree=100",
      "projections.2.indegree=25", "projections.3.indegree=25", "projections.4.indegree=100",
      "projections.5.indegree=100", "populations.X.rate_hz=200", "populations.E.model=lif_cond_exp",
      "populations.I.model=lif_cond_exp", "populations.E.tau_syn_e_ms=1", "populations.E.tau_syn_i_ms=2",
      "populations.I.tau_syn_e_ms=1", "populations.I.tau_syn_i_ms=2", RASTER, NULL},
     0x804d053715156653ull},
    {"brunel2000 with exponential E currents, delta I, white noise on E (lif_curr_exp)",
     CFG("configs/brunel2000.yaml"),
     {SHORT, "populations.E.size=400", "populations.I.size=100", "populations.X.size=400", "projections.0.indegree=80",
      "projections.1.indegree=80", "projections.2.indegree=20", "projections.3.indegree=20",
      "projections.4.indegree=80", "projections.5.indegree=80", "populations.X.rate_hz=150",
      "populations.E.model=lif_curr_exp", "populations.E.tau_syn_e_ms=3", "populations.E.tau_syn_i_ms=0",
      "populations.E.noise={mu_mV_per_s: [[0, 0], [100, 300]], sigma_mV_per_sqrt_s: 20}", RASTER, NULL},
     0x1b45d5c475283c15ull},
    /* time-varying inputs and the protocol (issue 12, items 4 and 5), recorded when they landed */
    {"protocol example (lif_cond, pool rate schedule + protocol step and ramps, independent pulse, windows)",
     CFG("configs/examples/protocol_ramp.yaml"),
     {SHORT, SMALL_EIX(400, 100, 400), "populations.S.size=100", "projections.0.indegree=40",
      "projections.1.indegree=40", "projections.2.indegree=10", "projections.3.indegree=10",
      "projections.4.indegree=40", "projections.5.indegree=40",
      "populations.S.rate_hz=[[0, 0], [69.9, 0], [70, 300], [99.9, 300], [100, 0]]",
      "populations.X.rate_hz=[[0, 150], [40, 250]]",
      "protocol={windows: [{name: base, start_ms: 40, end_ms: 70}, {name: pulse, start_ms: 70, end_ms: 100}, "
      "{name: stim, start_ms: 100, end_ms: 130}, {name: up, start_ms: 130, end_ms: 165}, "
      "{name: down, start_ms: 165, end_ms: 200}], perturbations: [{window: stim, population: X, key: rate_hz, "
      "step: 50}, {window: up, population: X, key: rate_hz, ramp: [0, 100]}, {window: down, population: X, "
      "key: rate_hz, ramp: [100, -50]}]}",
      RASTER, NULL},
     0x4d673d9b3300be2dull},
    {"brunel2000 ordered step, independent rate schedule, protocol on a new white-noise mean and sigma",
     CFG("configs/brunel2000.yaml"),
     {SHORT, "populations.E.size=400", "populations.I.size=100", "populations.X.size=400", "projections.0.indegree=80",
      "projections.1.indegree=80", "projections.2.indegree=20", "projections.3.indegree=20",
      "projections.4.indegree=80", "projections.4.cv_indegree=0.2", "projections.5.indegree=80",
      "populations.X.rate_hz=[[0, 150], [60, 100], [120, 200]]", "run.integrator=ordered",
      "protocol={windows: [{name: a, start_ms: 60, end_ms: 110}, {name: b, start_ms: 110, end_ms: 190}], "
      "perturbations: [{window: a, population: E, key: noise.mu_mV_per_s, step: 300}, {window: b, population: I, "
      "key: noise.sigma_mV_per_sqrt_s, ramp: [0, 30]}]}",
      RASTER, NULL},
     0x75546294b1e1cbceull},
    /* ring connectivity (issue 14, item 1), recorded when it landed */
    {"ring (orientation rings, von Mises / cosine / wrapped-exponential kernels, CV_K on a kernel)",
     CFG("configs/examples/ring.yaml"),
     {SHORT, SMALL_EIX(400, 100, 400), "projections.0.indegree=40", "projections.1.indegree=40",
      "projections.1.cv_indegree=0.2", "projections.2.indegree=10", "projections.3.indegree=10",
      "projections.4.indegree=40", "projections.5.indegree=40", "populations.X.rate_hz=250", RASTER, NULL},
     0x0adc1fd33900879aull},
    /* tuned input (issue 14, item 2), recorded when it landed */
    {"ring with a tuned pool (von Mises, the sources' angles) and a tuned white-noise mean (cosine)",
     CFG("configs/examples/ring.yaml"),
     {SHORT, SMALL_EIX(400, 100, 400), "projections.0.indegree=40", "projections.1.indegree=40",
      "projections.2.indegree=10", "projections.3.indegree=10", "projections.4.indegree=40",
      "projections.5.indegree=40", "populations.X.rate_hz=250", "populations.X.ring_period_deg=180",
      "populations.X.tuning={shape: von_mises, kappa_mu: 1, theta_deg: 45}", "populations.E.noise={mu_mV_per_s: 50}",
      "populations.E.tuning={shape: cosine, mu_c: 0.5, theta_deg: 120}", RASTER, NULL},
     0x885a51ffbaff03ffull},
    {"brunel2000 with independent input tuned to the targets' angles (cosine, rings of 360 deg)",
     CFG("configs/brunel2000.yaml"),
     {SHORT, "populations.E.size=400", "populations.I.size=100", "populations.X.size=400", "projections.0.indegree=80",
      "projections.1.indegree=80", "projections.2.indegree=20", "projections.3.indegree=20",
      "projections.4.indegree=80", "projections.5.indegree=80", "populations.X.rate_hz=150",
      "populations.E.ring_period_deg=360", "populations.I.ring_period_deg=360",
      "populations.X.tuning={shape: cosine, mu_c: 0.6, theta_deg: 90}", RASTER, NULL},
     0xa0c295ec73b77767ull},
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

/* FNV-1a, 64 bit, over raw bytes: doubles and floats enter bit for bit. */
static void fnv(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; ++i) {
        *h ^= b[i];
        *h *= 1099511628211ull;
    }
}
#define FNV_ARR(h, a, n) fnv((h), (a), (size_t)(n) * sizeof *(a))
#define FNV_VAL(h, x) fnv((h), &(x), sizeof(x))

static uint64_t stats_digest(const cob_stats *s)
{
    uint64_t h = 14695981039346656037ull;
    FNV_VAL(&h, s->n_pops);
    for (int p = 0; p < s->n_pops; ++p) {
        const cob_pop_stats *ps = &s->pop[p];
        FNV_VAL(&h, ps->n);
        FNV_ARR(&h, ps->spike_count, ps->n);
        FNV_ARR(&h, ps->n_isi, ps->n);
        FNV_ARR(&h, ps->cv_isi, ps->n);
        FNV_ARR(&h, ps->rate_hist, ps->rate_bins);
        FNV_ARR(&h, ps->cv_hist, ps->cv_bins);
        FNV_ARR(&h, ps->v_hist, ps->v_bins);
        FNV_VAL(&h, ps->v_below);
        FNV_VAL(&h, ps->v_above);
        FNV_ARR(&h, ps->v_mean_mV, ps->v_n);
        FNV_ARR(&h, ps->v_sd_mV, ps->v_n);
        FNV_VAL(&h, ps->v_pop_mean_mV);
        FNV_VAL(&h, ps->v_pop_sd_mV);
        FNV_ARR(&h, ps->chan_rate_hz, ps->n_channels);
        FNV_ARR(&h, ps->rate_ts_counts, ps->n_bins_ts);
        if (ps->n_windows > 0) { /* runs with a protocol (the older cases have none: their digests stand) */
            FNV_ARR(&h, ps->win_rate_hz, ps->n_windows);
            FNV_ARR(&h, ps->win_n_isi, ps->n_windows);
            FNV_ARR(&h, ps->win_cv_isi, ps->n_windows);
            FNV_ARR(&h, ps->win_v_samples, ps->n_windows);
            FNV_ARR(&h, ps->win_v_mean_mV, ps->n_windows);
            FNV_ARR(&h, ps->win_v_sd_mV, ps->n_windows);
        }
    }
    FNV_ARR(&h, s->raster_step, s->raster_n);
    FNV_ARR(&h, s->raster_pop, s->raster_n);
    FNV_ARR(&h, s->raster_neuron, s->raster_n);
    FNV_VAL(&h, s->raster_overflow);
    FNV_ARR(&h, s->trace_v_mV, s->trace_n * s->trace_samples);
    FNV_VAL(&h, s->ring_overflow);
    FNV_VAL(&h, s->syn_events);
    return h;
}

static uint64_t total_spikes(const cob_stats *s)
{
    uint64_t n = 0;
    for (int p = 0; p < s->n_pops; ++p) n += test_pop_spikes(s, p);
    return n;
}

/* Run case k on backend b and return its digest (the test fails on a load or run error, and on
 * a silent network: a digest of nothing would guard nothing). */
static uint64_t case_digest(int k, cob_backend_kind b)
{
    const digest_case *dc = &cases[k];
    cob_config c;
    cob_stats st;
    cob_sim_timing tm;
    cob_sim_options opt = {0};
    cob_err err = {0};
    int n_sets = 0;
    uint64_t d;
    while (dc->sets[n_sets]) ++n_sets;
    cr_assert_eq(cob_config_load(&c, dc->config, dc->sets, n_sets, &err), COB_OK, "%s: %s", dc->name, err.msg);
    opt.backend = b;
    cr_assert_eq(cob_sim_run(&c, &opt, &st, &tm, &err), COB_OK, "%s: %s", dc->name, err.msg);
    cr_assert_gt(total_spikes(&st), 100, "%s: only %" PRIu64 " spikes: the case guards too little", dc->name,
                 total_spikes(&st));
    d = stats_digest(&st);
    if (getenv("COBALT_DIGEST_PRINT"))
        fprintf(stderr, "digest %-64s 0x%016" PRIx64 "ull  (%" PRIu64 " spikes)\n", dc->name, d, total_spikes(&st));
    cob_stats_free(&st);
    cob_config_free(&c);
    return d;
}

static void check_backend(cob_backend_kind b, const char *label)
{
    for (int k = 0; k < N_CASES; ++k) {
        uint64_t d = case_digest(k, b);
        cr_expect_eq(d, cases[k].digest,
                     "%s, %s: digest 0x%016" PRIx64 " != recorded 0x%016" PRIx64 " (results changed)", label,
                     cases[k].name, d, cases[k].digest);
    }
}

TestSuite(digest, .init = test_one_thread, .timeout = 600);

#ifndef COBALT_CUDA_EMULATED
Test(digest, cpu_backend_matches_recorded)
{
    check_backend(COB_BACKEND_CPU, "cpu");
}

Test(digest, cuda_backend_matches_recorded)
{
    if (!cob_cuda_available())
        cr_skip_test("no CUDA device (the emulated tier, test_digest_emu, runs these cases)");
    check_backend(COB_BACKEND_CUDA, "cuda");
}
#else
Test(digest, emulated_cuda_backend_matches_recorded)
{
    check_backend(COB_BACKEND_CUDA, "emulated cuda");
}
#endif
