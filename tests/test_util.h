/* tests/test_util.h -- helpers shared by the Criterion test binaries (header only: each
 * tests/test_<concept>.c is its own executable). */
#ifndef COBALT_TEST_UTIL_H
#define COBALT_TEST_UTIL_H

#include <criterion/criterion.h>
#include "cobalt/sim.h"

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
#define TEST_SMALL_NET                                                                       \
    "run: {dt_ms: 0.1, t_warmup_ms: 50, t_sim_ms: 300, seed: 3}\n"                          \
    "populations:\n"                                                                         \
    "  - {name: E, model: lif_cond, size: 400}\n"                                            \
    "  - {name: I, model: lif_cond, size: 100}\n"                                            \
    "  - {name: X, model: poisson, size: 400, rate_hz: 40, input: pool}\n"                   \
    "projections:\n"                                                                         \
    "  - {pre: E, post: E, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0, 5]}\n"     \
    "  - {pre: I, post: E, receptor: I, indegree: 12, weight: 0.2, delay_ms: [0, 1]}\n"      \
    "  - {pre: X, post: E, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0, 5]}\n"     \
    "  - {pre: E, post: I, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0, 5]}\n"     \
    "  - {pre: I, post: I, receptor: I, indegree: 12, weight: 0.2, delay_ms: [0, 1]}\n"      \
    "  - {pre: X, post: I, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0, 5]}\n"

#endif
