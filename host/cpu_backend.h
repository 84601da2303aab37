/* host/cpu_backend.h -- internal: state of the CPU backend (host/cpu_backend.c setup,
 * host/cpu_step.c step loop). SoA neuron state, 16-bit delay ring
 * ring[(slot * n_channels_max + channel) * n_neurons + global_neuron]. */
#ifndef COBALT_HOST_CPU_BACKEND_H
#define COBALT_HOST_CPU_BACKEND_H

#include "cobalt/sim.h"
#include "stats_acc.h"

typedef struct {
    int active;
    double p;                 /* spike probability per step */
    int64_t *next;            /* next spike step of each source */
    uint32_t *n_draws;        /* Philox blocks used by each source */
    uint64_t *thr;            /* geometric-gap inversion table */
    int32_t len;
} cob_pool;

typedef struct {
    uint32_t *n_chunks;       /* indexed by in-degree */
    double *lambda_chunk, *exp_neg;
} cob_indep;

typedef struct {
    const cob_net *net;
    const cob_config *c;
    int64_t t;                /* steps done */
    int n_thr;
    float *v;
    int32_t *refr;
    uint16_t *ring;
    int64_t ring_cells;
    int32_t *spk[COB_MAX_POPS];      /* this step's spikes (local indices, ascending) */
    int64_t n_spk[COB_MAX_POPS];
    uint64_t poll_count[COB_MAX_POPS];
    cob_pool pool[COB_MAX_POPS];
    cob_indep indep[COB_MAX_PROJS];
    uint64_t *overflow_per_thread;   /* padded: index tid * 8 */
    uint64_t *events_per_thread;     /* synaptic events delivered, padded like overflow */
    cob_acc acc;
} cob_cpu;

int64_t cob_cpu_next_spike(cob_cpu *s, int pop, int64_t j, int64_t t_last);
/* Advance one step (host/cpu_step.c). */
void cob_cpu_step(cob_cpu *s);

#endif
