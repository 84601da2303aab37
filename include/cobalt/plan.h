/* include/cobalt/plan.h -- a run compiled once from its checked config and built network: every
 * quantity the step loop and the statistics use, already in steps, probabilities per step and
 * tables (durations, bins, strides, histogram scales, Poisson tables by in-degree, geometric-gap
 * tables, schedules). Backends (host/cpu/, kernels/) and the accumulators (host/stats/) read the
 * plan and the network, never the config, so "milliseconds to steps" and every derived table
 * exist once. Made by host/sim/plan.c (cob_plan_compile) in cob_sim_run. */
#ifndef COBALT_PLAN_H
#define COBALT_PLAN_H

#include <stdint.h>
#include "config.h"
#include "net.h"
#include "hd/noise.h"
#include "hd/poisson.h"
#include "hd/schedule.h"
#include "hd/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__cplusplus)
static_assert(COB_WINDOWS_MAX == COB_MAX_WINDOWS, "one bound on the protocol's windows");
#else
_Static_assert(COB_WINDOWS_MAX == COB_MAX_WINDOWS, "one bound on the protocol's windows");
#endif

/* One population as the run sees it. */
typedef struct {
    char name[COB_NAME_MAX];
    int32_t model; /* cob_model */
    int64_t size;
    /* neuron populations */
    double v_init_min_mV, v_init_span_mV; /* initial V uniform in [min, min + span] */
    double tau_m_ms;                      /* membrane time constant (mean input of a channel = w tau rate) */
    /* Poisson populations */
    int32_t input; /* cob_input_mode */
    double rate_hz;
    double p_step;     /* pool: spike probability per step, rate dt */
    uint64_t *gap_thr; /* pool with 0 < p_step < 1: geometric-gap inversion table (owned) */
    int32_t gap_len;
    /* a rate that varies in time (schedule or protocol): pool sources thin candidates drawn at
     * p_step = rate_max dt (hd/poisson.h, cob_pool_keep), independent projections from it draw
     * Poisson(K_i rate(t) dt) (cob_poisson_step_lambda); off: the constant rate_hz as before */
    cob_rate_sched rate_sched;
    /* neuron populations: white-noise current input (population key noise) */
    cob_noise noise;
} cob_plan_pop;

/* One projection as the run sees it (stored projections need nothing beyond the network). */
typedef struct {
    int32_t independent; /* 1: independent Poisson input, counts drawn per target */
    uint32_t stream;     /* its Philox stream */
    int32_t k_max;       /* largest realised in-degree */
    /* Poisson(k rate dt) split into chunks, for every in-degree k = 0 .. k_max (owned) */
    uint32_t *n_chunks;
    double *lambda_chunk, *exp_neg;
    /* independent input from a population whose rate varies (its rate_sched.on): lambda of step t
     * is K_i * rate(t) * dt_s, drawn by cob_poisson_step_lambda (the tables above are then unused) */
    int32_t sched, pre;
    double dt_s;
    /* a tuned independent input (its population's `tuning`, on the target's ring; sched is then
     * on): lambda of target i is K_i rate(t) dt_s g(i) (hd/tuning.h) */
    cob_tuning tune;
} cob_plan_proj;

/* The protocol's windows (absolute steps: step 0 is the start of the warm-up), with their names. */
typedef struct {
    cob_windows steps; /* hd/stats.h: what the backends search once per step */
    char name[COB_MAX_WINDOWS][COB_NAME_MAX];
} cob_plan_windows;

typedef struct cob_plan_s {
    int threads; /* cob_sim_options.threads, for the CPU backend */
    double dt_ms;
    uint64_t seed;
    int64_t warmup_steps, measure_steps, total_steps;
    /* statistics */
    int64_t bin_steps, n_bins_ts; /* population-rate bins */
    int64_t v_stride;             /* V sampled every v_stride steps */
    int32_t v_bins;
    float v_min_mV, v_inv_width; /* histogram bin of V: (V - v_min) * v_inv_width */
    int32_t raster_neurons;      /* first n of each neuron population */
    int64_t raster_cap;          /* 0 when no raster */
    int32_t trace_neurons;
    int64_t trace_stride, trace_n, trace_samples;
    cob_stats_spec reduce;    /* the reduction's settings (histogram ranges, min_isi, ...) */
    cob_plan_windows windows; /* the protocol's windows, for per-window statistics */
    int64_t v_neurons;        /* stats.v_neurons: neurons per population with V statistics (per window too) */
    int n_pops, n_projs;
    cob_plan_pop pop[COB_MAX_POPS];
    cob_plan_proj proj[COB_MAX_PROJS];
} cob_plan;

/* Compile checked config c with its network net (built, or a layout: only in-degrees are read)
 * into plan. Owns its tables: free with cob_plan_free. COB_ERR_NOMEM (plan left empty). */
cob_status cob_plan_compile(cob_plan *plan, const cob_config *c, const cob_net *net, cob_err *err);
void cob_plan_free(cob_plan *plan);
/* Schedule s of a config in steps of dt_ms (times rounded to the nearest step; points on the same
 * step merge, the later one winning). */
void cob_plan_schedule(cob_schedule *out, const cob_sched_spec *s, double dt_ms);

#ifdef __cplusplus
}
#endif
#endif
