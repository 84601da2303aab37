/* include/cobalt/net.h -- network specification (populations, projections) and the built
 * network (CSR by presynaptic neuron, one per projection). Pairs with host/net/net.c. */
#ifndef COBALT_NET_H
#define COBALT_NET_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"
#include "hd/lif_cond.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_NAME_MAX 32
#define COB_MAX_POPS 16
#define COB_MAX_PROJS 64

typedef enum { COB_MODEL_LIF_COND = 0, COB_MODEL_LIF_CURR, COB_MODEL_POISSON } cob_model;
typedef enum { COB_RECEPTOR_E = 0, COB_RECEPTOR_I } cob_receptor;
typedef enum { COB_JUMP_LINEAR = 0, COB_JUMP_EXP } cob_jump_form;
typedef enum { COB_INPUT_POOL = 0, COB_INPUT_INDEPENDENT } cob_input_mode;

/* Neuron parameters (lif_cond and lif_curr). Defaults: Sanzeni et al. 2020, Sec. II. */
typedef struct {
    double tau_m_ms;       /* membrane (leak) time constant, 20 */
    double tau_ref_ms;     /* refractory period, 2 */
    double v_th_mV;        /* threshold theta, -55 */
    double v_reset_mV;     /* reset V_r, -65 */
    double e_l_mV;         /* leak reversal E_L, -80 */
    double e_e_mV;         /* lif_cond: excitatory reversal E_E, 0 */
    double e_i_mV;         /* lif_cond: inhibitory reversal E_I, -75 */
    double mu_ext_mV;      /* lif_curr: constant drive; V relaxes to E_L + mu_ext, 0 */
    double v_init_min_mV;  /* initial V uniform in [min, max]; default [V_r, theta] */
    double v_init_max_mV;
    cob_jump_form jump;    /* lif_cond: linear (1 - a)^n (default) or exp (e^-a)^n */
} cob_lif_params;

typedef struct {
    char name[COB_NAME_MAX];
    cob_model model;
    int64_t size;               /* number of neurons, 1 .. 2^31 - 1 */
    cob_lif_params lif;         /* lif_cond / lif_curr */
    double rate_hz;             /* poisson: rate of each source */
    cob_input_mode input_mode;  /* poisson: pool (explicit sources) or independent counts */
    int line;                   /* line in the config file (0 if not from a file) */
} cob_pop_spec;

typedef struct {
    int pre, post;              /* population indices */
    cob_receptor receptor;
    double indegree;            /* mean in-degree K per target neuron */
    double cv_indegree;         /* CV_K: K_i ~ round(N(K, (CV_K K)^2)) clipped to [0, n_avail] */
    double weight;              /* lif_cond: a (dimensionless, 0 < a < 1); lif_curr: J in mV > 0 */
    double delay_min_ms, delay_max_ms; /* uniform integer steps in [round(min/dt), round(max/dt)], >= 1 */
    int allow_autapses;         /* only meaningful when pre == post */
    int allow_multapses;        /* draw partners with replacement */
    int nested;                 /* draw partners and delays so that the graph at a smaller K is a
                                 * subgraph of the graph at a larger K (same seed, sizes, CV_K) */
    int line;
} cob_proj_spec;

/* Statistics settings (see docs/config.md, section stats). */
typedef struct {
    int min_isi;                 /* ISIs needed for a neuron's CV to count, 2 */
    double quiescent_max_hz;     /* neurons with rate <= this are quiescent, 0 (no spike) */
    int rate_hist_bins;          /* log-spaced rate histogram, 60 bins */
    double rate_hist_min_hz, rate_hist_max_hz;  /* 0.01, 500 */
    int cv_hist_bins;            /* 50 */
    double cv_hist_max;          /* CV histogram over [0, max], 3 */
    int v_hist_bins;             /* 200 */
    double v_hist_min_mV, v_hist_max_mV;  /* -80, -50 */
    int v_sample_stride_steps;   /* sample V every this many steps, 10 */
    int v_neurons;               /* neurons per population with mean/s.d. of V, 100 */
    double pop_rate_bin_ms;      /* population rate time series bin, 1 */
    int raster_neurons;          /* first n neurons of each population in the raster, 0 */
    int64_t raster_max_spikes;   /* raster capacity; spikes beyond are counted as overflow, 10^7 */
    int trace_neurons;           /* first n neurons of each population traced, 0 */
    int trace_stride_steps;      /* trace sample stride, 1 */
} cob_stats_spec;

typedef struct {
    double dt_ms;                /* time step, 0.1 */
    double t_sim_ms;             /* measured duration after warm-up, 1000 */
    double t_warmup_ms;          /* warm-up, statistics not accumulated, 200 */
    uint64_t seed;               /* 1 */
} cob_run_spec;

/* A whole configuration: what a YAML file describes. */
typedef struct {
    cob_pop_spec pops[COB_MAX_POPS];
    int n_pops;
    cob_proj_spec projs[COB_MAX_PROJS];
    int n_projs;
    cob_run_spec run;
    cob_stats_spec stats;
    char path[512];              /* source file, "" if built in code */
    char *text;                  /* source text (owned, may be NULL) */
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

/* ---- built network ---------------------------------------------------------------- */

/* One projection's synapses: CSR by presynaptic neuron (local index within pre); targets are
 * local indices within post. Each row is grouped by delay (ascending) and sorted by target
 * within a group: the synapses of row j with delay min_delay + k are
 * row_ptr[j] + dgrp_off[j * (n_dgrp + 1) + k] .. row_ptr[j] + dgrp_off[j * (n_dgrp + 1) + k + 1],
 * so a backend can deliver all arrivals of one step into one slot. delay_steps repeats the delay
 * per synapse (>= 1). Independent Poisson projections store no synapses, only in-degrees. */
typedef struct {
    int pre, post;
    int channel;                 /* input channel of the post population */
    int independent;             /* 1: pre is an independent Poisson population */
    int64_t n_pre, n_post;
    int64_t n_syn;
    int64_t *row_ptr;            /* n_pre + 1 (NULL if independent) */
    int32_t *target;             /* n_syn */
    uint16_t *delay_steps;       /* n_syn */
    int32_t n_dgrp;              /* max_delay - min_delay + 1 */
    uint32_t *dgrp_off;          /* n_pre * (n_dgrp + 1): delay-group offsets within each row */
    int32_t *indegree;           /* n_post: realised in-degree of every target */
    uint16_t min_delay, max_delay;
} cob_proj;

typedef struct {
    int n_pops, n_projs;
    int64_t pop_offset[COB_MAX_POPS];   /* first global index of each neuron population, -1 for poisson */
    int64_t pop_size[COB_MAX_POPS];
    int64_t n_neurons;                  /* neurons with state (lif_cond + lif_curr) */
    cob_lif_prop prop[COB_MAX_POPS];    /* per neuron population */
    int n_channels_max;                 /* input channels per neuron (max over populations) */
    int chan_receptor[COB_MAX_POPS][COB_MAX_CHANNELS];
    double chan_weight[COB_MAX_POPS][COB_MAX_CHANNELS];
    cob_proj proj[COB_MAX_PROJS];
    int32_t ring_slots;                 /* max delay + 1: steps of spike history a backend keeps */
    int32_t refr_steps_max;
    double dt_ms;
    uint64_t seed;
} cob_net;

/* Build the network of config c on the host (the same draws the CUDA builder makes).
 * On error nothing is left allocated in net. */
cob_status cob_net_build(cob_net *net, const cob_config *c, cob_err *err);
/* Everything of cob_net_build except the synapses: layout, channels, propagators, in-degrees
 * (drawn on the host: O(N) per projection), n_syn, delay range and ring_slots, the ring bound
 * check. row_ptr, target, delay_steps and dgrp_off stay NULL. A device builder fills them. */
cob_status cob_net_layout(cob_net *net, const cob_config *c, cob_err *err);
void cob_net_free(cob_net *net);
/* Invariant check of one projection: row_ptr monotone and ends at n_syn, delay groups monotone
 * and consistent with delay_steps, targets in range and ascending within a delay group, no
 * autapse or duplicate where not allowed, delays in [max(1, min_delay), max_delay] < ring. */
cob_status cob_csr_validate(const cob_net *net, int i_proj, const cob_config *c, cob_err *err);
/* Total synapses stored; bytes of connectivity and of simulation state (estimate). */
int64_t cob_net_n_synapses(const cob_net *net);
/* Mean firing rate the memory estimate assumes for the spike-delivery buffers. */
#define COB_ESTIMATE_RATE_HZ 20.0
/* Host memory estimate in bytes of a CPU run of config c, before building: connectivity
 * (with the build's transient peak), state, statistics, and delivery buffers at
 * COB_ESTIMATE_RATE_HZ. */
int64_t cob_config_memory_estimate(const cob_config *c);
/* Number of steps for a duration (round to nearest, at least 0). */
int64_t cob_steps(double t_ms, double dt_ms);

#ifdef __cplusplus
}
#endif
#endif
