/* tests/test_util.h -- helpers shared by the Criterion test binaries (header only: each
 * tests/test_<concept>.c is its own executable). */
#ifndef COBALT_TEST_UTIL_H
#define COBALT_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "cobalt/sim.h"

/* 1 in a build with AddressSanitizer (cmake -DCOBALT_SANITIZE=ON): its shadow memory reserves
 * terabytes of address space, so a process under an address-space limit (RLIMIT_AS, ulimit -v)
 * cannot start or allocate; the tests that set one skip or leave the limit out there. */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_UNDER_ASAN 1
#endif
#endif
#ifndef TEST_UNDER_ASAN
#define TEST_UNDER_ASAN 0
#endif

/* Suite .init: one OpenMP thread for the CPU runs. Criterion runs two tests at once (--jobs 2)
 * and the CPU backend opens parallel regions every step, so two spinning teams on two cores
 * are ~100x slower; results do not depend on the thread count (tests/test_determinism.c). */
static inline void test_one_thread(void)
{
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
}

/* One step of a LIF-family model's step function f with spike counts cnt[0 .. p->n_channels) and
 * no continuous drive; 1 if the neuron fired. */
typedef int (*test_lif_step_fn)(cob_lif_state *n, const cob_lif_prop *p, const cob_input *in, int32_t n_channels);
static inline int test_lif_step(test_lif_step_fn f, cob_lif_state *n, const cob_lif_prop *p, const uint32_t *cnt)
{
    cob_input in;
    cob_input_clear(&in, 1, 0, 0);
    for (int c = 0; c < p->n_channels; ++c) in.count[c] = cnt[c];
    return (f(n, p, &in, p->n_channels) & COB_STEP_FIRED) != 0;
}

/* Append a population of model m and size to c (Poisson: a 5 Hz pool); returns its index. */
static inline int test_add_pop(cob_config *c, const char *name, cob_model m, int64_t size)
{
    cob_pop_spec *p = &c->pops[c->n_pops];
    snprintf(p->name, COB_NAME_MAX, "%s", name);
    p->model = m;
    p->size = size;
    p->rate_hz = m == COB_MODEL_POISSON ? 5.0 : 0.0;
    p->input_mode = COB_INPUT_POOL;
    return c->n_pops++;
}

/* Spikes of population p over the measurement window. */
static inline uint64_t test_pop_spikes(const cob_stats *s, int p)
{
    uint64_t n = 0;
    for (int64_t i = 0; i < s->pop[p].n; ++i) n += s->pop[p].spike_count[i];
    return n;
}

/* Run config c on the CPU backend; the test fails with the library's message on error. */
static inline void run_cpu(const cob_config *c, cob_stats *st)
{
    cob_sim_options opt = {0};
    cob_sim_timing tm;
    cob_err err = {0};
    opt.backend = COB_BACKEND_CPU;
    cr_assert_eq(cob_sim_run(c, &opt, st, &tm, &err), COB_OK, "%s", err.msg);
}

/* A small E/I network driven by a Poisson pool that fires at tens of Hz (~0.3 s to run). */
#define TEST_SMALL_NET                                                                   \
    "run: {dt_ms: 0.1, t_warmup_ms: 50, t_sim_ms: 300, seed: 3}\n"                       \
    "populations:\n"                                                                     \
    "  - {name: E, model: lif_cond, size: 400}\n"                                        \
    "  - {name: I, model: lif_cond, size: 100}\n"                                        \
    "  - {name: X, model: poisson, size: 400, rate_hz: 40, input: pool}\n"               \
    "projections:\n"                                                                     \
    "  - {pre: E, post: E, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0, 5]}\n" \
    "  - {pre: I, post: E, receptor: I, indegree: 12, weight: 0.2, delay_ms: [0, 1]}\n"  \
    "  - {pre: X, post: E, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0, 5]}\n" \
    "  - {pre: E, post: I, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0, 5]}\n" \
    "  - {pre: I, post: I, receptor: I, indegree: 12, weight: 0.2, delay_ms: [0, 1]}\n"  \
    "  - {pre: X, post: I, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0, 5]}\n"


/* White-noise input with schedules (a mean ramp, a sigma step), the crossing draw on and off, on a
 * current-based E/I network and an unconnected conductance-based population (tests/test_cuda.c,
 * tests/test_checkpoint.c). */
#define TEST_NOISE_NET                                                                                            \
    "run: {dt_ms: 0.1, t_warmup_ms: 20, t_sim_ms: 200, seed: 17}\n"                                               \
    "populations:\n"                                                                                              \
    "  - {name: E, model: lif_curr, size: 300, e_l_mV: 0, v_th_mV: 1, v_reset_mV: 0, tau_ref_ms: 0.5,\n"          \
    "     v_init_mV: [0, 1], noise: {mu_mV_per_s: [[0, 0], [150, 60]], sigma_mV_per_sqrt_s: 4}}\n"                \
    "  - {name: I, model: lif_curr, size: 100, e_l_mV: 0, v_th_mV: 1, v_reset_mV: 0, tau_m_ms: 10,\n"             \
    "     v_init_mV: [0, 1], noise: {mu_mV_per_s: 40, sigma_mV_per_sqrt_s: [[0, 2], [100, 6]], bridge: false}}\n" \
    "  - {name: C, model: lif_cond, size: 64, noise: {mu_mV_per_s: 1200, sigma_mV_per_sqrt_s: 20}}\n"             \
    "projections:\n"                                                                                              \
    "  - {pre: E, post: E, receptor: E, indegree: 30, weight: 0.01, delay_ms: [0.1, 2]}\n"                        \
    "  - {pre: I, post: E, receptor: I, indegree: 10, weight: 0.05, delay_ms: [0.1, 1]}\n"                        \
    "  - {pre: E, post: I, receptor: E, indegree: 30, weight: 0.01, delay_ms: [0.1, 2]}\n"                        \
    "stats: {v_hist: {min_mV: -80, max_mV: 1}, raster: {neurons: 20}, traces: {neurons: 2, stride_steps: 1}}\n"

/* Synapses with time constants: lif_cond_exp (E and I filtered) and lif_curr_exp (E filtered, I
 * delta) with recurrent, pool and independent input and white noise on one population. */
/* Time-varying inputs (issue 12): an independent population whose rate is a schedule (with
 * heterogeneous in-degrees), a pool whose rate a protocol ramps up and down, white noise whose
 * mean the protocol steps, three windows; a current-based E/I network (tests/test_cuda.c,
 * tests/test_checkpoint.c). */
#define TEST_SCHED_NET                                                                                        \
    "run: {dt_ms: 0.1, t_warmup_ms: 20, t_sim_ms: 200, seed: 17}\n"                                           \
    "populations:\n"                                                                                          \
    "  - {name: E, model: lif_curr, size: 400, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, v_init_mV: [0, 20],\n" \
    "     noise: {mu_mV_per_s: 100, sigma_mV_per_sqrt_s: 10}}\n"                                              \
    "  - {name: I, model: lif_curr, size: 100, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, v_init_mV: [0, 20]}\n" \
    "  - {name: X, model: poisson, size: 1, input: independent,\n"                                            \
    "     rate_hz: [[0, 60], [50, 120], [120, 40], [160, 150]]}\n"                                            \
    "  - {name: P, model: poisson, size: 300, rate_hz: 30}\n"                                                 \
    "projections:\n"                                                                                          \
    "  - {pre: E, post: E, receptor: E, indegree: 40, weight: 0.2, delay_ms: [0.5, 2]}\n"                     \
    "  - {pre: E, post: I, receptor: E, indegree: 40, weight: 0.2, delay_ms: [0.5, 2]}\n"                     \
    "  - {pre: I, post: E, receptor: I, indegree: 10, weight: 1.0, delay_ms: 1}\n"                            \
    "  - {pre: I, post: I, receptor: I, indegree: 10, weight: 1.0, delay_ms: [0, 1.5]}\n"                     \
    "  - {pre: X, post: E, receptor: E, indegree: 100, cv_indegree: 0.2, weight: 0.2}\n"                      \
    "  - {pre: X, post: I, receptor: E, indegree: 80, weight: 0.2}\n"                                         \
    "  - {pre: P, post: I, receptor: E, indegree: 20, weight: 0.3, delay_ms: [0.1, 0.5]}\n"                   \
    "protocol:\n"                                                                                             \
    "  windows:\n"                                                                                            \
    "    - {name: base, start_ms: 20, end_ms: 80}\n"                                                          \
    "    - {name: up, start_ms: 80, end_ms: 150}\n"                                                           \
    "    - {name: down, start_ms: 150, end_ms: 220}\n"                                                        \
    "  perturbations:\n"                                                                                      \
    "    - {window: up, population: P, key: rate_hz, ramp: [0, 60]}\n"                                        \
    "    - {window: down, population: P, key: rate_hz, ramp: [60, -20]}\n"                                    \
    "    - {window: up, population: E, key: noise.mu_mV_per_s, step: 200}\n"                                  \
    "stats:\n"                                                                                                \
    "  v_neurons: 50\n"                                                                                       \
    "  raster: {neurons: 25}\n"

#define TEST_EXP_NET                                                                                              \
    "run: {dt_ms: 0.1, t_warmup_ms: 20, t_sim_ms: 200, seed: 23}\n"                                               \
    "populations:\n"                                                                                              \
    "  - {name: A, model: lif_cond_exp, size: 300, tau_syn_e_ms: 1, tau_syn_i_ms: 3}\n"                           \
    "  - {name: B, model: lif_curr_exp, size: 200, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, v_init_mV: [0, 20],\n" \
    "     tau_syn_e_ms: 4, tau_syn_i_ms: 0, noise: {mu_mV_per_s: 200, sigma_mV_per_sqrt_s: 10}}\n"                \
    "  - {name: X, model: poisson, size: 400, rate_hz: 20, input: pool}\n"                                        \
    "  - {name: Y, model: poisson, size: 1, rate_hz: 30, input: independent}\n"                                   \
    "projections:\n"                                                                                              \
    "  - {pre: X, post: A, receptor: E, indegree: 200, weight: 0.012, delay_ms: [0.1, 3]}\n"                      \
    "  - {pre: A, post: A, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0.1, 3]}\n"                        \
    "  - {pre: B, post: A, receptor: I, indegree: 30, weight: 0.08, delay_ms: [0.1, 1]}\n"                        \
    "  - {pre: Y, post: B, receptor: E, indegree: 500, weight: 0.15}\n"                                           \
    "  - {pre: A, post: B, receptor: E, indegree: 40, weight: 0.1, delay_ms: [0.1, 2]}\n"                         \
    "  - {pre: B, post: B, receptor: I, indegree: 20, weight: 0.4, delay_ms: [0.1, 2]}\n"                         \
    "stats: {v_hist: {min_mV: -80, max_mV: 20}, raster: {neurons: 20}, traces: {neurons: 2, stride_steps: 1}}\n"

#endif
