/* tests/test_estimate.c -- the host memory estimate of a CPU run (host/net/estimate.c,
 * include/cobalt/estimate.h) against what the build and the run really hold: the connectivity
 * term against the arrays of the built network, the build's peak against the same arrays
 * replayed in build order with each projection's build buffers (host/net/net.c build_proj), the
 * ring slots against the built ring, the events per step the buckets are sized for against the
 * events a pool-driven run delivers, and the peak as the larger of building and running.
 *
 * What is not asserted here: the bucket slack (COB_ESTIMATE_BUCKET_SLACK) and the process
 * baseline (COB_ESTIMATE_BASE_BYTES) are properties of glibc's allocator and of the binary, so
 * they are measured against peak RSS of whole runs (perf/README.md, "Scale on one node"), not in
 * a unit test whose process (Criterion) is not the CLI's. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cobalt/estimate.h"
#include "cobalt/net.h"
#include "cobalt/sim.h"
#include "test_util.h"

TestSuite(estimate, .init = test_one_thread);

/* perf/configs/ei_cond.yaml's network at N = 2500 (fixed in-degrees, a pool), plus an
 * independent Poisson projection and a heterogeneous in-degree onto I. */
static const char *ei_text =
    "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 20, seed: 3}\n"
    "populations:\n"
    "  - {name: E, model: lif_cond, size: 2000}\n"
    "  - {name: I, model: lif_cond, size: 500}\n"
    "  - {name: X, model: poisson, size: 2000, rate_hz: 20, input: pool}\n"
    "  - {name: Y, model: poisson, size: 1000, rate_hz: 5, input: independent}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 400, weight: 1.6e-3, delay_ms: [0, 10]}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 400, weight: 1.6e-3, delay_ms: [0, 10]}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 100, weight: 3.2e-2, delay_ms: [0, 1]}\n"
    "  - {pre: I, post: I, receptor: I, indegree: 100, weight: 3.2e-2, delay_ms: [0, 1],"
    " cv_indegree: 0.2}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 400, weight: 1.6e-3, delay_ms: [0, 10]}\n"
    "  - {pre: X, post: I, receptor: E, indegree: 400, weight: 1.6e-3, delay_ms: 1.5}\n"
    "  - {pre: Y, post: E, receptor: E, indegree: 100, weight: 1.6e-3}\n";

static void load(cob_config *c, const char *text)
{
    cob_err err = {COB_OK, ""};
    cr_assert_eq(cob_config_load_string(c, text, "est.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
}

/* Bytes the build keeps for projection pr (net.c build_proj): int32 targets and uint16 delays
 * per synapse, uint32 delay-group offsets per (row, group + 1), int64 row pointers, int32
 * in-degrees; an independent projection keeps its in-degrees only. */
static int64_t kept_bytes(const cob_proj *pr)
{
    if (pr->independent)
        return pr->n_post * 4;
    return pr->n_syn * 6 + pr->n_pre * (pr->n_dgrp + 1) * 4 + (pr->n_pre + 1) * 8 + pr->n_post * 4;
}

/* Bytes building pr needs on top while it is made: post-major partners and delays, int64
 * post-major offsets, and a uint32 cursor per delay group (to_pre_csr). */
static int64_t transient_bytes(const cob_proj *pr)
{
    if (pr->independent)
        return 0;
    return pr->n_syn * 6 + (pr->n_post + 1) * 8 + pr->n_pre * (pr->n_dgrp + 1) * 4;
}

/* The connectivity term and the build's peak against the built arrays. The estimate counts from
 * the config: fixed in-degrees exactly, a heterogeneous one at its bound K (1 + 3 cv) (an
 * upper bound, here 60% over the I -> I projection's 5e4 synapses), and one delay group more
 * per row when the range starts below one step (delay 0 ms is stored as 1 step): 4 bytes per row
 * of ~400 synapses (0.2%). So the estimate may not be below the build and is within 5% of it. */
Test(estimate, connectivity_and_build_peak_match_the_built_arrays)
{
    cob_config c;
    cob_net net;
    cob_err err = {COB_OK, ""};
    cob_host_mem_est m;
    int64_t kept = 0, build_peak = 0;
    load(&c, ei_text);
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    for (int p = 0; p < net.n_projs; ++p) {
        kept += kept_bytes(&net.proj[p]);
        if (kept + transient_bytes(&net.proj[p]) > build_peak)
            build_peak = kept + transient_bytes(&net.proj[p]);
    }
    cob_config_memory_parts(&c, &m);
    cr_expect_geq(m.connectivity, kept, "estimate %lld < built %lld", (long long)m.connectivity, (long long)kept);
    cr_expect_leq(m.connectivity, kept * 1.05, "estimate %lld, built %lld", (long long)m.connectivity, (long long)kept);
    cr_expect_geq(m.build_peak, build_peak, "estimate %lld < build %lld", (long long)m.build_peak,
                  (long long)build_peak);
    cr_expect_leq(m.build_peak, build_peak * 1.05, "estimate %lld, build %lld", (long long)m.build_peak,
                  (long long)build_peak);
    cr_expect_eq(m.ring_slots, net.ring_slots, "the buckets' slots are the built ring's");
    cob_net_free(&net);
    cob_config_free(&c);
}

/* Without a heterogeneous in-degree and with delays from one step up, the connectivity is exact. */
Test(estimate, fixed_indegree_connectivity_is_exact)
{
    cob_config c;
    cob_net net;
    cob_err err = {COB_OK, ""};
    cob_host_mem_est m;
    int64_t kept = 0;
    load(&c, "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 10, seed: 1}\n"
             "populations:\n"
             "  - {name: E, model: lif_curr, size: 3000}\n"
             "  - {name: X, model: poisson, size: 500, rate_hz: 10, input: pool}\n"
             "projections:\n"
             "  - {pre: E, post: E, receptor: E, indegree: 300, weight: 0.1, delay_ms: [0.1, 3]}\n"
             "  - {pre: X, post: E, receptor: E, indegree: 50, weight: 0.1, delay_ms: 1.5}\n");
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    for (int p = 0; p < net.n_projs; ++p) kept += kept_bytes(&net.proj[p]);
    cob_config_memory_parts(&c, &m);
    cr_expect_eq(m.connectivity, kept);
    cr_expect_eq(m.ring_slots, net.ring_slots);
    cob_net_free(&net);
    cob_config_free(&c);
}

/* The peak is the larger of building and running (the build's buffers are freed before the
 * backend allocates), plus the baseline; run_peak is the sum of its parts. */
Test(estimate, peak_is_the_larger_phase)
{
    cob_config c;
    cob_host_mem_est m;
    load(&c, ei_text);
    cob_config_memory_parts(&c, &m);
    cr_expect_eq(m.run_peak, m.connectivity + m.state + m.stats + m.buckets);
    cr_expect_eq(m.peak, m.base + (m.build_peak > m.run_peak ? m.build_peak : m.run_peak));
    cr_expect_eq(cob_config_memory_estimate(&c), m.peak);
    cr_expect_gt(m.build_peak, m.connectivity, "the build's buffers come on top of the arrays");
    cr_expect_lt(m.peak, m.base + m.build_peak + m.run_peak - m.connectivity, "the phases do not add up");
    cob_config_free(&c);
}

/* The events per step the buckets are sized for, against a run's: a pool at 30 Hz (not the
 * 20 Hz assumed for neurons) into 1000 neurons (K = 200) that are too weakly driven to fire, so
 * every event comes from the pool and the estimate's rate is the true one. Delivered events over
 * 2000 steps: the sum over sources of (spikes x out-degree), spikes ~ Poisson(lambda = 30 Hz x
 * 0.2 s): variance lambda x sum of
 * squared out-degrees (<= 2000 x (100^2 + 100 x 3) for binomial out-degrees of mean 100). The
 * bound is 5 standard deviations of that sum (~5%): a rate or synapse count off by a factor, a
 * missing dt, or counting the independent input (which has no buckets) trips it. */
Test(estimate, events_per_step_match_a_pool_driven_run)
{
    cob_config c;
    cob_stats st;
    cob_sim_timing tm;
    cob_err err = {COB_OK, ""};
    cob_sim_options opt;
    cob_host_mem_est m;
    load(&c, "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 200, seed: 5}\n"
             "populations:\n"
             "  - {name: E, model: lif_cond, size: 1000}\n"
             "  - {name: X, model: poisson, size: 2000, rate_hz: 30, input: pool}\n"
             "  - {name: Y, model: poisson, size: 100, rate_hz: 50, input: independent}\n"
             "projections:\n"
             "  - {pre: X, post: E, receptor: E, indegree: 200, weight: 1e-5, delay_ms: [0.1, 2]}\n"
             "  - {pre: Y, post: E, receptor: E, indegree: 100, weight: 1e-5}\n");
    memset(&opt, 0, sizeof opt);
    opt.backend = COB_BACKEND_CPU;
    cr_assert_eq(cob_sim_run(&c, &opt, &st, &tm, &err), COB_OK, "%s", err.msg);
    cob_config_memory_parts(&c, &m);
    double want = m.events_per_step * 2000, sd = sqrt(6.0 * 2000 * (100.0 * 100 + 300));
    cr_expect_float_eq(m.events_per_step, 2e5 * 30 * 1e-4, 1e-9, "%g", m.events_per_step);
    cr_expect(fabs((double)st.syn_events - want) < 5 * sd, "delivered %lld events in 2000 steps, estimate %g (sd %g)",
              (long long)st.syn_events, want, sd);
    cob_stats_free(&st);
    cob_config_free(&c);
}
