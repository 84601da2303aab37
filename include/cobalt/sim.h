/* include/cobalt/sim.h -- a simulation: a built network run by one backend (cob_backend_ops).
 * Pairs with host/sim/sim.c (driver loop, backend choice) and host/cpu/cpu_backend.c. */
#ifndef COBALT_SIM_H
#define COBALT_SIM_H

#include "net.h"
#include "stats.h"
#include "plan.h"
#include "cuda.h"
#include "checkpoint.h"
#include <signal.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { COB_BACKEND_AUTO = 0, COB_BACKEND_CPU, COB_BACKEND_CUDA } cob_backend_kind;

typedef struct {
    const char *backend_name;
    double build_s, init_s, run_s; /* host wall times (the backend synchronises before returning) */
    double run_cpu_s;              /* CPU time of the whole process over the run phase (all threads) */
    int32_t threads;               /* CPU backend: OpenMP threads of the step loop (0 on CUDA) */
    int32_t chunk_steps;           /* CPU backend: steps per barrier (host/cpu/cpu_step.c) */
    int64_t team_switches;         /* CPU backend: changes between all threads and one (shared cores) */
    int64_t n_steps;
    int64_t n_synapses;
    int64_t n_neurons;
    int64_t peak_rss_bytes;
    /* CUDA backend only (0 on the CPU), measured with CUDA events, not host clocks: */
    double dev_build_s;                   /* network construction on the device */
    double dev_run_s;                     /* all steps */
    double dev_update_us, dev_deliver_us; /* per step, mean over the event-timed sample of steps */
    double dev_plan_us;                   /* the part of dev_deliver_us spent planning (cob_k_plan) */
    int64_t dev_timed_steps;              /* steps in that sample */
    double dev_h2d_s, dev_d2h_s;          /* host <-> device copies */
    int64_t device_bytes;                 /* device memory allocated by the backend (peak) */
    int64_t device_estimate_bytes;        /* the estimate checked before allocating */
    double dev_bytes_per_synapse;         /* stored connectivity per synapse on the device */
    char device_name[128];
} cob_sim_timing;

/* A backend: a struct of function pointers. `impl` is the backend's own state. */
typedef struct cob_backend_ops {
    const char *name;
    /* Allocate state for net and the run plan (initial V drawn from Philox, stats accumulators
     * zeroed). The backend keeps both pointers for the run; it never sees the config. */
    cob_status (*init)(void **impl, const cob_net *net, const cob_plan *plan, cob_err *err);
    /* Advance n_steps steps (steps before the warm-up end accumulate no statistics). */
    cob_status (*run)(void *impl, int64_t n_steps, cob_err *err);
    /* Total spikes per neuron population since the last call (for the progress line). */
    cob_status (*poll)(void *impl, uint64_t *spikes_per_pop, cob_err *err);
    /* Reduce the accumulators into out (caller frees with cob_stats_free). */
    cob_status (*read)(void *impl, cob_stats *out, cob_err *err);
    void (*destroy)(void *impl);
    /* 1: init builds the synapses itself (on the device) from a network made by
     * cob_net_layout (populations, channels, in-degrees; no synapse arrays). */
    int builds_network;
    /* Backend-side timings and memory into t (NULL: nothing to add). */
    void (*timing)(void *impl, cob_sim_timing *t);
    /* Checkpoints (NULL: the backend cannot write them, and a run asking for one is refused).
     * save appends the whole run state after the last step run (the step counter, neuron state,
     * spikes in flight, input sources, statistics accumulators) to b; load replaces the state
     * that init made for the same network and plan by what save wrote, so that the next run
     * call continues at the saved step and gives the bits an uninterrupted run gives.
     * The connectivity is not part of it (rebuilt from the config). */
    cob_status (*save)(void *impl, cob_ckpt_buf *b, cob_err *err);
    cob_status (*load)(void *impl, cob_ckpt_reader *r, cob_err *err);
} cob_backend_ops;

const cob_backend_ops *cob_cpu_backend(void);

/* Progress report: called at most every `interval_s` wall seconds from cob_sim_run. */
typedef void (*cob_progress_fn)(void *user, int64_t step, int64_t n_steps, double wall_s, const double *rate_hz_per_pop,
                                int n_pops);

typedef struct {
    cob_backend_kind backend;
    cob_progress_fn progress;
    void *progress_user;
    double progress_interval_s; /* default 0.5 */
    /* Checkpoints (docs/results.md, "Checkpoints"); all 0/NULL: none. */
    const char *checkpoint_path; /* where checkpoints are published (temporary + rename) */
    double checkpoint_every_s;   /* wall seconds between checkpoints (0: only when stopping) */
    const char *resume_path;     /* continue the run saved there (refused for another config,
                                  * network or commit) */
    const char *commit;          /* build commit recorded in and checked against checkpoints */
    /* Set (by a signal handler) to ask the run to stop: it writes a checkpoint at the next chunk
     * boundary and returns COB_ERR_STOPPED. Needs checkpoint_path. */
    volatile sig_atomic_t *stop_request;
    int64_t stop_at_step; /* > 0: stop the same way once this many steps are done (tests) */
    /* Set (from another thread, e.g. the Python package on Ctrl-C) to cancel the run: it ends at
     * the next chunk boundary (a fraction of a second) and returns COB_ERR_CANCELLED without
     * statistics and without writing a checkpoint. NULL: never. */
    volatile sig_atomic_t *cancel_request;
    /* CPU threads: 0 (the default) OpenMP's own number (OMP_NUM_THREADS, omp_set_num_threads, or
     * the cores); > 0 exactly that many; COB_THREADS_AUTO (the CLI's choice) OpenMP's number when
     * OMP_NUM_THREADS is set, else one thread for a network too small to pay for a barrier per
     * step (host/cpu/cpu_backend.c, COB_CPU_SERIAL_WORK). Results never depend on it. */
    int threads;
} cob_sim_options;

#define COB_THREADS_AUTO (-1)

/* Build net, run warm-up + measurement, and reduce statistics into stats.
 * With resume_path the state saved there replaces the initial one and the run continues from
 * its step. With checkpoint_path a checkpoint is written every checkpoint_every_s, and on a stop
 * request (or at stop_at_step), after which the run returns COB_ERR_STOPPED without statistics.
 * On error stats is left empty. */
cob_status cob_sim_run(const cob_config *c, const cob_sim_options *opt, cob_stats *stats, cob_sim_timing *timing,
                       cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
