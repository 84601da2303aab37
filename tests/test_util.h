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

#endif
