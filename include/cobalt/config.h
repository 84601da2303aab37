/* include/cobalt/config.h -- a configuration: populations, projections, run and statistics
 * settings (cob_config), and loading it from YAML (keys in docs/config.md) with command-line overrides ("--set run.seed=3"). Pairs with
 * host/config/config.c (file, YAML, overrides), host/config/config_read.c (YAML -> struct) and
 * host/config/config_check.c (defaults, cob_config_check). Errors name file:line (or the --set),
 * the key path, the value and what is allowed. */
#ifndef COBALT_CONFIG_H
#define COBALT_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"
#include "hd/models.h"
#include "hd/schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_NAME_MAX 32
#define COB_MAX_POPS 16
#define COB_MAX_PROJS 64

typedef enum { COB_RECEPTOR_E = 0, COB_RECEPTOR_I } cob_receptor;
typedef enum { COB_JUMP_LINEAR = 0, COB_JUMP_EXP } cob_jump_form;

/* Neuron parameters (lif_cond and lif_curr). Defaults: Sanzeni et al. 2020, Sec. II. */
typedef struct {
    double tau_m_ms;      /* membrane (leak) time constant, 20 */
    double tau_ref_ms;    /* refractory period, 2 */
    double v_th_mV;       /* threshold theta, -55 */
    double v_reset_mV;    /* reset V_r, -65 */
    double e_l_mV;        /* leak reversal E_L, -80 */
    double e_e_mV;        /* lif_cond: excitatory reversal E_E, 0 */
    double e_i_mV;        /* lif_cond: inhibitory reversal E_I, -75 */
    double mu_ext_mV;     /* lif_curr: constant drive; V relaxes to E_L + mu_ext, 0 */
    double v_init_min_mV; /* initial V uniform in [min, max]; default [V_r, theta] */
    double v_init_max_mV;
    cob_jump_form jump;                /* lif_cond: linear (1 - a)^n (default) or exp (e^-a)^n */
    double tau_syn_e_ms, tau_syn_i_ms; /* lif_*_exp: synaptic time constants per receptor, 2 (0: delta,
                                        * lif_curr_exp only) */
} cob_lif_params;

/* A value that is a constant or a piecewise-linear schedule in time: a number (n = 1, t_ms = 0) or a
 * list of [t_ms, value] points with t_ms >= 0 strictly increasing (include/cobalt/hd/schedule.h
 * gives the meaning: constant before the first and after the last point, linear in between).
 * n = 0: not given. */
typedef struct {
    int32_t n;
    double t_ms[COB_SCHEDULE_MAX];
    double value[COB_SCHEDULE_MAX];
} cob_sched_spec;

/* White-noise current input of a neuron population (key `noise`, include/cobalt/hd/noise.h):
 * dV = ... + mu dt + sigma dW; given when either schedule is (n > 0). */
typedef struct {
    cob_sched_spec mu_mV_per_s;
    cob_sched_spec sigma_mV_per_sqrt_s;
    int bridge; /* detect threshold crossings within a step (Brownian bridge), default true */
} cob_noise_spec;

/* Tuned input of a population (key `tuning`, include/cobalt/hd/tuning.h): its input scaled by
 * g(phi) of the angle of the neuron it reaches. shape COB_TUNE_NONE: untuned. */
typedef struct {
    int shape;        /* COB_TUNE_NONE, _COSINE, _VON_MISES */
    double mu_c;      /* cosine: g = 1 + mu_c cos(2 pi (phi - theta) / period), |mu_c| <= 1 */
    double kappa_mu;  /* von Mises: g = exp(kappa_mu cos(2 pi (phi - theta) / period)) / I0(kappa_mu) */
    double theta_deg; /* the stimulus angle phi_0, degrees */
} cob_tuning_spec;

typedef struct {
    char name[COB_NAME_MAX];
    cob_model model;
    int64_t size;              /* number of neurons, 1 .. 2^31 - 1 */
    cob_lif_params lif;        /* lif_cond / lif_curr */
    cob_noise_spec noise;      /* neuron models: white-noise current input (none by default) */
    double rate_hz;            /* poisson: rate of each source; with a schedule (rate_sched) its largest value */
    cob_sched_spec rate_sched; /* poisson: the rate as written in a file (a number: one point); n = 0 for a
                                * config built in code, which sets rate_hz alone */
    cob_input_mode input_mode; /* poisson: pool (explicit sources) or independent counts */
    double ring_period_deg;    /* ring (hd/ring.h): 180 or 360, neuron i at period i / size; 0: no ring */
    cob_tuning_spec tuning;    /* tuned input (hd/tuning.h): rate_hz (poisson) or noise.mu (neurons) */
    int line;                  /* line in the config file (0 if not from a file) */
} cob_pop_spec;

/* A projection's ring kernel (key `ring_kernel`, include/cobalt/hd/ring.h): partners drawn with
 * probability proportional to a kernel of the angle difference. shape COB_RING_NONE: uniform. */
typedef struct {
    int shape;         /* COB_RING_NONE, _COSINE, _VON_MISES, _WRAPPED_EXP */
    double p_c;        /* cosine: 1 + p_c cos(2 pi delta / period), |p_c| <= 1 */
    double kappa;      /* von Mises: exp(kappa cos(2 pi delta / period)), kappa >= 0 */
    double lambda_deg; /* wrapped exponential: exp(-|delta| / lambda), lambda > 0 (degrees) */
} cob_ring_kernel_spec;

typedef struct {
    int pre, post; /* population indices */
    cob_receptor receptor;
    double indegree;                   /* mean in-degree K per target neuron */
    double cv_indegree;                /* CV_K: K_i ~ round(N(K, (CV_K K)^2)) clipped to [0, n_avail] */
    double weight;                     /* lif_cond: a (dimensionless, 0 < a < 1); lif_curr: J in mV > 0 */
    double delay_min_ms, delay_max_ms; /* uniform integer steps in [round(min/dt), round(max/dt)], >= 1 */
    int allow_autapses;                /* only meaningful when pre == post */
    int allow_multapses;               /* draw partners with replacement */
    int nested;                        /* draw partners and delays so that the graph at a smaller K is a
                                 * subgraph of the graph at a larger K (same seed, sizes, CV_K) */
    cob_ring_kernel_spec ring_kernel;  /* angle-dependent partners (pre and post have rings) */
    int line;
} cob_proj_spec;

/* Statistics settings (see docs/config.md, section stats). */
typedef struct {
    int min_isi;                               /* ISIs needed for a neuron's CV to count, 2 */
    double quiescent_max_hz;                   /* neurons with rate <= this are quiescent, 0 (no spike) */
    int rate_hist_bins;                        /* log-spaced rate histogram, 60 bins */
    double rate_hist_min_hz, rate_hist_max_hz; /* 0.01, 500 */
    int cv_hist_bins;                          /* 50 */
    double cv_hist_max;                        /* CV histogram over [0, max], 3 */
    int v_hist_bins;                           /* 200 */
    double v_hist_min_mV, v_hist_max_mV;       /* -80, -50 */
    int v_sample_stride_steps;                 /* sample V every this many steps, 10 */
    int v_neurons;                             /* neurons per population with mean/s.d. of V, 100 */
    int balance_neurons;                       /* neurons per population with their input balance, 0 */
    double pop_rate_bin_ms;                    /* population rate time series bin, 1 */
    int raster_neurons;                        /* first n neurons of each population in the raster, 0 */
    int64_t raster_max_spikes;                 /* raster capacity; spikes beyond are counted as overflow, 10^7 */
    int trace_neurons;                         /* first n neurons of each population traced, 0 */
    int trace_stride_steps;                    /* trace sample stride, 1 */
} cob_stats_spec;

typedef struct {
    double dt_ms;       /* time step, 0.1 */
    double t_sim_ms;    /* measured duration after warm-up, 1000 */
    double t_warmup_ms; /* warm-up, statistics not accumulated, 200 */
    uint64_t seed;      /* 1 */
    int integrator;     /* COB_INTEGRATOR_GRID or _ORDERED (include/cobalt/hd/lif.h), see docs/numerics.md */
} cob_run_spec;

/* Stimulus protocol (key `protocol`, docs/config.md): named windows of the measurement and
 * perturbations added in them to a population's scheduled input (a rate, or the white noise's mu or
 * sigma). Compiled into the schedules they change (host/config/config_protocol.c), so the step only
 * sees schedules; statistics are also reported per window. */
#define COB_MAX_WINDOWS 32
#define COB_MAX_PERTURB 64
typedef struct {
    char name[COB_NAME_MAX];
    double start_ms, end_ms; /* run time (0 = start of the warm-up), the window is [start, end) */
    int line;
} cob_window_spec;

/* What a perturbation changes (values of the key `key`). */
typedef enum { COB_PERT_RATE = 0, COB_PERT_MU, COB_PERT_SIGMA } cob_pert_target;

typedef struct {
    char window[COB_NAME_MAX]; /* a window's name */
    int pop;                   /* population index */
    int target;                /* cob_pert_target */
    double step;               /* key `step`: a constant added over the window */
    double ramp_from, ramp_to; /* key `ramp`: linear from ramp_from at the start to ramp_to at the end */
    int is_ramp;
    int line;
} cob_pert_spec;

typedef struct {
    cob_window_spec windows[COB_MAX_WINDOWS];
    int n_windows;
    cob_pert_spec perts[COB_MAX_PERTURB];
    int n_perts;
} cob_protocol_spec;

/* Limits of a config source, refused with COB_ERR_CONFIG and a message, never cut silently. */
#define COB_CONFIG_PATH_MAX 512                /* bytes of its path (or name), NUL included */
#define COB_CONFIG_TEXT_MAX (16 * 1024 * 1024) /* bytes of its text */
#define COB_CONFIG_DEPTH_MAX 64                /* nested mappings and lists */

/* A whole configuration: what a YAML file describes. */
typedef struct {
    cob_pop_spec pops[COB_MAX_POPS];
    int n_pops;
    cob_proj_spec projs[COB_MAX_PROJS];
    int n_projs;
    cob_run_spec run;
    cob_stats_spec stats;
    cob_protocol_spec protocol;
    char path[COB_CONFIG_PATH_MAX]; /* source file, "" if built in code */
    char *text;                     /* source text (owned, may be NULL) */
} cob_config;

/* Fill c with the defaults above and no populations. */
void cob_config_defaults(cob_config *c);
/* Default neuron parameters (Sanzeni et al.). */
void cob_lif_params_defaults(cob_lif_params *p);
/* Free what c owns (text). */
void cob_config_free(cob_config *c);
/* Check c for consistency (sizes, ranges, references, channel rules); messages name the
 * config line where known. COB_OK or COB_ERR_CONFIG. */
cob_status cob_config_check(const cob_config *c, cob_err *err);

/* Number of steps in a duration: round to nearest, at least 0, INT64_MAX when huge (the one
 * milliseconds-to-steps conversion; host/sim/plan.c applies it to every duration of a run). */
int64_t cob_steps(double t_ms, double dt_ms);

/* Steps per bin of the population-rate series (at least 1) and the bins of the measurement
 * window of config c: the one formula the run plan, the accumulators and the estimates use. */
int64_t cob_config_bin_steps(const cob_config *c);
int64_t cob_config_n_bins_ts(const cob_config *c);

/* 1 when population p reaches its targets as independent Poisson counts drawn per target and
 * step (a Poisson population with input: independent; its projections store no synapses). */
int cob_pop_is_independent(const cob_pop_spec *p);

/* 1 when Poisson population pop's rate changes in time: a schedule of different values, or a
 * protocol perturbation of its rate. Its rate_hz is then the schedule's largest value. */
int cob_pop_rate_varies(const cob_config *c, int pop);

/* The schedule of input `target` (cob_pert_target) of population pop as the run uses it: the
 * population's own schedule (rate_hz or rate_sched; noise.mu_mV_per_s or sigma_mV_per_sqrt_s)
 * with the protocol's perturbations of it added, in steps of run.dt_ms (times rounded to the
 * nearest step, points on one step merged, the later one winning). Writes at most max points to
 * t_steps and value (either may be NULL when max is 0) and returns how many the schedule has (0:
 * the input is absent). A perturbation adds points at the steps just before and at the start
 * and end of its window. */
int cob_protocol_schedule(const cob_config *c, int pop, int target, int64_t *t_steps, double *value, int max);

/* Load the YAML file at path into c (c need not be initialised): defaults first
 * (cob_config_defaults), then the file, then each override "dotted.key=value" in
 * sets[0 .. n_sets) applied to the YAML tree (run.seed=3, populations.E.size=500 -- a list
 * item by its name --, projections.0.weight=0.002 -- by its index --, stats.v_hist.bins=100;
 * the value is read as YAML, so [1, 5] is a list), then cob_config_check.
 * On success c->path holds path and c->text the file text followed by one comment line
 * "# --set key=value" per override (free with cob_config_free).
 * On error: COB_ERR_IO (file missing or unreadable, a directory), COB_ERR_CONFIG (syntax,
 * unknown key, wrong type, out of range, ...; a path of COB_CONFIG_PATH_MAX bytes or more, more
 * than COB_CONFIG_TEXT_MAX bytes of text -- read no further, so /dev/zero is refused --, YAML
 * nested deeper than COB_CONFIG_DEPTH_MAX), COB_ERR_NOMEM or COB_ERR_INVALID (bad arguments), with the message
 * in err; c is then back to defaults and holds nothing that needs freeing. */
cob_status cob_config_load(cob_config *c, const char *path, const char *const *sets, int n_sets, cob_err *err);

/* Same from the NUL-terminated YAML in text; name (e.g. "test.yaml", NULL for "config") stands
 * for the file in messages and is kept in c->path (so it too must be shorter than
 * COB_CONFIG_PATH_MAX bytes). */
cob_status cob_config_load_string(cob_config *c, const char *text, const char *name, const char *const *sets,
                                  int n_sets, cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
