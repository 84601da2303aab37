/* host/cpu/cpu_backend.h -- internal: state of the CPU backend (host/cpu/cpu_backend.c setup,
 * host/cpu/cpu_step.c step loop). SoA neuron state. Spike delivery is bucketed by arrival step:
 * at emission every synaptic event appends its input cell (channel * n_neurons + neuron) to
 * the bucket of its arrival slot (sequential writes); at arrival the bucket is counted into a
 * small 16-bit input buffer that stays in cache. Each thread has its own buckets (filled by
 * the spikes of its own share of neurons and sources, drained only by itself) and input buffers;
 * the neuron update sums the buffers. The threads meet once per chunk of steps (cpu_step.c,
 * cob_cpu_steps). The integer count per (step, channel, neuron) is the same as a delay ring's,
 * so the CUDA backend's ring gives the same numbers. */
#ifndef COBALT_HOST_CPU_BACKEND_H
#define COBALT_HOST_CPU_BACKEND_H

#include "cobalt/sim.h"
#include "cobalt/plan.h"
#include "cobalt/hd/models.h"
#include "cobalt/hd/poisson.h"
#include "stats/stats_acc.h"
#include "cpu/cpu_barrier.h"

#define COB_CPU_PIECES 4

/* A pool of Poisson sources (input mode pool): the next spike step of each source and the
 * Philox blocks it has used; probability and gap table come from the plan. */
typedef struct {
    int active;
    int64_t *next;     /* next spike step of each source */
    uint32_t *n_draws; /* Philox blocks used by each source */
} cob_pool;

typedef struct {
    uint32_t *cell; /* input cells of the events arriving in this slot */
    int64_t n, cap;
} cob_bucket;

/* The inversion table of one constant Poisson mean (hd/poisson.h, cob_poisson_cdf_*). */
typedef struct {
    int32_t m;
    uint32_t guide[COB_POISSON_GUIDE + 2];
    double f[]; /* m partial sums */
} cob_ptab;

/* An independent Poisson projection's draw state: the words of the current Philox block of
 * every target (one block serves four steps, hd/poisson.h), and for a constant rate the
 * inversion table of every one-chunk in-degree (NULL: drawn by the loop). Both are derived
 * from (seed, step) and the plan, so a checkpoint does not store them. */
typedef struct {
    uint32_t *w;    /* [n_post][4], NULL for a stored projection */
    cob_ptab **tab; /* [k_max + 1], NULL when the rate is scheduled or the in-degrees too varied */
} cob_indep;

/* cpu_run's team on shared cores (cpu_backend.c, team_adapt) */
#define COB_TEAM_SEG_S 0.025
#define COB_TEAM_SLEEP_FRAC 0.25
#define COB_TEAM_GAIN 0.9
#define COB_TEAM_BACKOFF0 8
#define COB_TEAM_BACKOFF_MAX 128
enum { COB_TEAM_FULL, COB_TEAM_PROBE_ONE, COB_TEAM_ONE, COB_TEAM_PROBE_FULL };

/* cpu_run's choice of team (cpu_backend.c): a state, the wall seconds per step measured with
 * the full team and with one thread, the segment count, and when to look again. */
typedef struct {
    int state;          /* COB_TEAM_FULL, _PROBE_ONE, _ONE, _PROBE_FULL */
    int cycle;          /* testing aid (COBALT_CPU_TEAM_CYCLE): alternate the team every segment */
    double step_s[2];   /* [0] full team, [1] one thread; 0 unknown */
    int64_t segs;       /* segments run */
    int64_t next_probe; /* segment from which a probe may start */
    int64_t backoff;    /* segments to wait after a probe that lost */
    int64_t seg_steps;  /* steps per segment (about COB_TEAM_SEG_S of wall time) */
    int64_t switches;   /* team changes, for the summary */
} cob_team_tuner;

/* A thread's input counts per population and channel over the measured steps, folded into the
 * statistics at the end of each cob_cpu_steps. */
typedef struct {
    uint64_t chan[COB_MAX_POPS][COB_MAX_CHANNELS];
    char pad[64];
} cob_share;

typedef struct {
    const cob_net *net;
    const cob_plan *plan;
    int64_t t; /* steps done */
    int n_thr;
    cob_state_arrays state; /* neuron state, one array per variable (net->n_state_f32/_i32) */
    int bad_model;          /* population + 1 whose model the step does not know (0: none) */
    /* Steps run in chunks of `chunk` steps (at most the shortest delay, so no spike of a chunk
     * arrives inside it) with one barrier per chunk; a step's input counts and spikes live in set
     * (chunk parity) * chunk + (step within the chunk) of n_sets = 2 * chunk (cpu_step.c). */
    int chunk, n_sets;
    uint16_t *inbuf;                 /* [n_thr][n_sets][inbuf_cells] */
    int64_t inbuf_cells;             /* n_channels_max * n_neurons */
    cob_bucket *bkt;                 /* [n_thr][ring_slots] */
    int bkt_failed;                  /* a bucket could not grow */
    int32_t *spk[COB_MAX_POPS];      /* [n_sets][pop_size]: each thread's spikes at its share's start, ascending */
    uint8_t *spk_tick[COB_MAX_POPS]; /* their offsets in 1/256 step (net->dfrac_any only, else NULL) */
    int64_t *blk_n;                  /* [n_sets][max_pieces][COB_MAX_POPS]: spikes in each piece's block */
    /* A step's neurons and sources of each population are updated in `pieces` equal blocks:
     * one per thread, or, with one-step chunks, COB_CPU_PIECES per thread taken in turn from a
     * ticket counter per set (so a slower core takes fewer); spikes go to the block's own place. */
    int pieces, max_pieces;
    _Atomic int64_t *ticket; /* [n_sets] */
    cob_barrier bar;
    cob_barrier_spin *spin; /* [n_thr] */
    /* The team that runs the steps (cpu_backend.c, cpu_run): n_thr, or 1 while the cores are
     * shared and one thread goes faster. Results do not depend on it. */
    int team;
    cob_team_tuner tune;
    uint64_t poll_count[COB_MAX_POPS];
    cob_pool pool[COB_MAX_POPS];
    cob_share *share;              /* [n_thr] */
    uint64_t *vhist;               /* [n_thr][n_pops][v_bins + 2]: per-thread voltage histograms */
    uint64_t *overflow_per_thread; /* padded: index tid * 8 (ring), tid * 8 + 1 (merged spikes) */
    uint64_t *events_per_thread;   /* synaptic events delivered, padded like overflow */
    cob_indep indep[COB_MAX_PROJS];
    int64_t *indep_blk; /* padded [tid * 8]: Philox block (t / 4) the thread's targets hold, -1 none */
    cob_acc acc;
} cob_cpu;

/* Advance n steps (host/cpu/cpu_step.c). */
void cob_cpu_steps(cob_cpu *s, int64_t n);

/* cob_backend_ops.save / .load of the CPU backend (host/cpu/cpu_ckpt.c). */
cob_status cob_cpu_save(void *impl, cob_ckpt_buf *b, cob_err *err);
cob_status cob_cpu_load(void *impl, cob_ckpt_reader *r, cob_err *err);

#endif
