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

#endif
