/* host/util/clock.h -- the host's two clocks, one definition for every timing in the project:
 * wall seconds (CLOCK_MONOTONIC: run_s, build_s, progress, segment timing of the CPU backend) and
 * the CPU seconds of the whole process over all its threads (run_cpu_s). */
#ifndef COBALT_HOST_UTIL_CLOCK_H
#define COBALT_HOST_UTIL_CLOCK_H

#include <time.h>

static inline double cob__wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline double cob__cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
