/* tests/test_determinism.c -- reproducibility of whole runs on the CPU backend (cob_sim_run): a
 * small conductance-based E/I network driven by a Poisson pool gives bit-identical statistics
 * (spike counts, ISIs, CVs, every histogram, V moments, population rate, raster, traces) when
 * rerun with the same seed and with 1, 2 or 3 OpenMP threads, and different spikes under another
 * seed. The same holds with independent Poisson input. cob_stats_first_difference compares every
 * field of the statistics bit for bit; each comparison asserts once and reports the first mismatch. Each run is 5500 steps of 500 neurons (well under a second). */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <criterion/criterion.h>
#include <stdlib.h>
#include "test_util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cobalt/models.h"
#include "cobalt/net.h"
#include "cobalt/sim.h"

static void set_threads(int n)
{
#ifdef _OPENMP
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

static void one_thread(void)
{
    set_threads(1);
}

TestSuite(determinism, .init = one_thread);

static void add_proj(cob_config *c, int pre, int post, cob_receptor r, double k, double a)
{
    cob_proj_spec *q = &c->projs[c->n_projs++];
    q->pre = pre;
    q->post = post;
    q->receptor = r;
    q->indegree = k;
    q->weight = a;
    q->delay_min_ms = 0.5;
    q->delay_max_ms = 1.5;
}

/* N_E = 400, N_I = 100, N_X = 400 at 40 Hz; K = 50 E and X inputs, gamma K = 12 I inputs;
 * a = 0.01, inhibitory jumps g a with g = 20. The external input alone gives g_X/g_L =
 * a K r_X tau = 0.4, a mean V of -57 mV just below threshold; with the recurrent input the
 * network settles near 20 Hz with CV ~ 0.5 (checked by check_active before any comparison). */
static void ei_config(cob_config *c, uint64_t seed, cob_input_mode mode)
{
    const char *names[3] = {"E", "I", "X"};
    const int64_t sizes[3] = {400, 100, 400};
    cob_config_defaults(c);
    c->n_pops = 3;
    for (int p = 0; p < 3; ++p) {
        snprintf(c->pops[p].name, COB_NAME_MAX, "%s", names[p]);
        c->pops[p].model = p < 2 ? COB_MODEL_LIF_COND : COB_MODEL_POISSON;
        c->pops[p].size = sizes[p];
    }
    c->pops[2].rate_hz = 40.0;
    c->pops[2].input_mode = mode;
    for (int post = 0; post < 2; ++post) {
        add_proj(c, 0, post, COB_RECEPTOR_E, 50, 0.01);
        add_proj(c, 1, post, COB_RECEPTOR_I, 12, 0.2);
        add_proj(c, 2, post, COB_RECEPTOR_E, 50, 0.01);
    }
    c->projs[0].cv_indegree = 0.2;
    c->run.seed = seed;
    c->run.t_warmup_ms = 50.0;
    c->run.t_sim_ms = 500.0;
    c->stats.raster_neurons = 50;
    c->stats.raster_max_spikes = 1000000;
    c->stats.trace_neurons = 3;
    c->stats.trace_stride_steps = 5;
}

/* The network must be active for the comparisons to mean anything. */
static void check_active(const cob_stats *s)
{
    for (int p = 0; p < 2; ++p) {
        cr_log_info("pop %s: mean rate %.2f Hz, mean CV %.3f, %llu spikes", s->pop[p].name, s->pop[p].mean_rate_hz,
                    s->pop[p].mean_cv, (unsigned long long)test_pop_spikes(s, p));
        cr_assert_gt(s->pop[p].mean_rate_hz, 1.0, "population %s silent: %.3f Hz", s->pop[p].name,
                     s->pop[p].mean_rate_hz);
        cr_assert_lt(s->pop[p].mean_rate_hz, 400.0, "population %s saturated", s->pop[p].name);
    }
    cr_assert_gt(s->raster_n, 100);
}

static void same_seed(cob_input_mode mode)
{
    cob_config c;
    cob_stats a, b;
    char msg[256];
    ei_config(&c, 1, mode);
    run_cpu(&c, &a);
    check_active(&a);
    run_cpu(&c, &b);
    cr_expect_not(cob_stats_first_difference(&a, &b, msg, sizeof msg), "rerun with the same seed differs: %s", msg);
    cob_stats_free(&a);
    cob_stats_free(&b);
}

Test(determinism, same_seed_identical_pool)
{
    same_seed(COB_INPUT_POOL);
}
Test(determinism, same_seed_identical_independent)
{
    same_seed(COB_INPUT_INDEPENDENT);
}

Test(determinism, other_seed_differs)
{
    cob_config c;
    cob_stats a, b;
    ei_config(&c, 1, COB_INPUT_POOL);
    run_cpu(&c, &a);
    c.run.seed = 2;
    run_cpu(&c, &b);
    check_active(&b);
    int64_t differ = 0;
    for (int p = 0; p < 2; ++p)
        for (int64_t i = 0; i < a.pop[p].n; ++i) differ += a.pop[p].spike_count[i] != b.pop[p].spike_count[i];
    cr_log_info("seed 1 vs 2: %lld of 500 spike counts differ", (long long)differ);
    /* a handful of equal counts is expected by chance; most must differ */
    cr_expect_gt(differ, 250, "only %lld of 500 neurons changed their spike count under another seed",
                 (long long)differ);
    cob_stats_free(&a);
    cob_stats_free(&b);
}

/* The run of c on 2 and 3 threads against ref (1 thread); what names the case. */
static void expect_threads_same(const cob_config *c, const cob_stats *ref, const char *what)
{
    cob_stats s;
    char msg[256];
    for (int nt = 2; nt <= 3; ++nt) {
        set_threads(nt);
        run_cpu(c, &s);
        cr_expect_not(cob_stats_first_difference(ref, &s, msg, sizeof msg), "%s: %d threads differ from 1 thread: %s",
                      what, nt, msg);
        cob_stats_free(&s);
    }
}

/* 1, 2 and 3 threads: 3 splits 400 and 100 neurons unevenly, so the spike-list compaction and
 * the target ranges of the delivery are exercised with unequal chunks. */
static void thread_counts(cob_input_mode mode, int integrator)
{
#ifdef _OPENMP
    cob_config c;
    cob_stats ref, s;
    char msg[256], what[96];
    ei_config(&c, 7, mode);
    c.run.integrator = integrator;
    c.run.t_sim_ms = 200.0; /* 3 threads on 2 CI cores spin in barriers: keep the runs short */
    set_threads(1);
    run_cpu(&c, &ref);
    check_active(&ref);
    snprintf(what, sizeof what, "%s step", cob_integrator_name(integrator));
    expect_threads_same(&c, &ref, what);
    /* delays from one step: chunks of one step, the emission shared out after a second barrier */
    for (int q = 0; q < c.n_projs; ++q) c.projs[q].delay_min_ms = 0.0;
    set_threads(1);
    cob_stats_free(&ref);
    run_cpu(&c, &ref);
    check_active(&ref);
    snprintf(what, sizeof what, "%s step, one-step delays", cob_integrator_name(integrator));
    expect_threads_same(&c, &ref, what);
    /* the team changing between all threads and one every segment, as on shared cores
     * (cpu_backend.c, team_adapt; COBALT_CPU_TEAM_CYCLE forces it) */
    set_threads(3);
    setenv("COBALT_CPU_TEAM_CYCLE", "1", 1);
    run_cpu(&c, &s);
    unsetenv("COBALT_CPU_TEAM_CYCLE");
    cr_expect_not(cob_stats_first_difference(&ref, &s, msg, sizeof msg),
                  "%s step: 3 threads and 1 in turn differ from 1 thread: %s", cob_integrator_name(integrator), msg);
    cob_stats_free(&s);
    cob_stats_free(&ref);
#else
    (void)mode;
    (void)integrator;
    cr_skip_test("built without OpenMP");
#endif
}

/* One test for both input modes: with Criterion running two tests at once, two multi-threaded
 * tests would oversubscribe the two CI cores and spin in each other's barriers (~50x slower). */
Test(determinism, thread_count_independent)
{
    thread_counts(COB_INPUT_POOL, COB_INTEGRATOR_GRID);
    thread_counts(COB_INPUT_INDEPENDENT, COB_INTEGRATOR_GRID);
    thread_counts(COB_INPUT_POOL, COB_INTEGRATOR_ORDERED);
    thread_counts(COB_INPUT_INDEPENDENT, COB_INTEGRATOR_ORDERED);
}
