/* include/cobalt/sim.h -- a simulation: a built network run by one backend (cob_backend_ops).
 * Pairs with host/sim.c (driver loop, backend choice) and host/cpu_backend.c. */
#ifndef COBALT_SIM_H
#define COBALT_SIM_H

#include "net.h"
#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { COB_BACKEND_AUTO = 0, COB_BACKEND_CPU, COB_BACKEND_CUDA } cob_backend_kind;

/* A backend: a struct of function pointers. `impl` is the backend's own state. */
typedef struct cob_backend_ops {
    const char *name;
    /* Allocate state for net (initial V drawn from Philox, stats accumulators zeroed). */
    cob_status (*init)(void **impl, const cob_net *net, const cob_config *c, cob_err *err);
    /* Advance n_steps steps (steps before the warm-up end accumulate no statistics). */
    cob_status (*run)(void *impl, int64_t n_steps, cob_err *err);
    /* Total spikes per neuron population since the last call (for the progress line). */
    cob_status (*poll)(void *impl, uint64_t *spikes_per_pop, cob_err *err);
    /* Reduce the accumulators into out (caller frees with cob_stats_free). */
    cob_status (*read)(void *impl, cob_stats *out, cob_err *err);
    void (*destroy)(void *impl);
} cob_backend_ops;

const cob_backend_ops *cob_cpu_backend(void);
/* NULL when the CUDA backend is not compiled in. */
const cob_backend_ops *cob_cuda_backend(void);
/* 1 when the CUDA backend is built and a device is usable. */
int cob_cuda_available(void);
/* Writes a human-readable device list (one per line) into buf; returns the device count. */
int cob_cuda_describe(char *buf, size_t len);

/* Progress report: called at most every `interval_s` wall seconds from cob_sim_run. */
typedef void (*cob_progress_fn)(void *user, int64_t step, int64_t n_steps, double wall_s,
                                const double *rate_hz_per_pop, int n_pops);

typedef struct {
    cob_backend_kind backend;
    cob_progress_fn progress;
    void *progress_user;
    double progress_interval_s;   /* default 0.5 */
} cob_sim_options;

typedef struct {
    const char *backend_name;
    double build_s, init_s, run_s;    /* wall times */
    int64_t n_steps;
    int64_t n_synapses;
    int64_t n_neurons;
    int64_t peak_rss_bytes;
} cob_sim_timing;

/* Build net, run warm-up + measurement, and reduce statistics into stats.
 * On error stats is left empty. */
cob_status cob_sim_run(const cob_config *c, const cob_sim_options *opt, cob_stats *stats,
                       cob_sim_timing *timing, cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
