/* include/cobalt/net.h -- the built network: CSR by presynaptic neuron, one per projection,
 * with the channels and propagators of every population. Made from a checked config
 * (include/cobalt/config.h) by host/net/net.c (or on the device by kernels/connect.cu). */
#ifndef COBALT_NET_H
#define COBALT_NET_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"
#include "config.h"
#include "hd/models.h"
#include "hd/connect.h"
#include "hd/ring.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One projection's synapses: CSR by presynaptic neuron (local index within pre); targets are
 * local indices within post. Each row is grouped by delay (ascending) and sorted by target
 * within a group: the synapses of row j with delay min_delay + k are
 * row_ptr[j] + dgrp_off[j * (n_dgrp + 1) + k] .. row_ptr[j] + dgrp_off[j * (n_dgrp + 1) + k + 1],
 * so a backend can deliver all arrivals of one step into one slot (two, with a delay fraction).
 * delay_steps repeats the delay per synapse (>= 1; >= 0 with a fraction). Independent Poisson projections store no synapses, only in-degrees. */
typedef struct {
    int pre, post;
    int channel;     /* input channel of the post population */
    int independent; /* 1: pre is an independent Poisson population */
    int64_t n_pre, n_post;
    int64_t n_syn;
    int64_t *row_ptr;      /* n_pre + 1 (NULL if independent) */
    int32_t *target;       /* n_syn */
    uint16_t *delay_steps; /* n_syn */
    int32_t n_dgrp;        /* max_delay - min_delay + 1 */
    uint32_t *dgrp_off;    /* n_pre * (n_dgrp + 1): delay-group offsets within each row */
    int32_t *indegree;     /* n_post: realised in-degree of every target */
    int32_t k_max;         /* the largest of them (0 when n_post == 0) */
    uint16_t min_delay, max_delay;
    /* continuous delays (ordered integrator; hd/connect.h): COB_DFRAC_* and what it needs. With
     * a fraction the arrival is min_delay + k or one step later (cob_arrival_steps), and
     * min_delay may be 0 (an arrival still comes at least one step after its spike). */
    int32_t dfrac_mode;
    uint32_t dfrac_key;   /* COB_DFRAC_HASH: cob_delay_frac_key(seed, projection) */
    uint32_t dfrac_const; /* COB_DFRAC_CONST: the fraction f (1..255) */
    /* the drawing rule (from the projection's spec), for a builder that has only the layout */
    int64_t n_avail;   /* presynaptic candidates of one target */
    int32_t skip_self; /* pre == post without autapses: the target's own index is skipped */
    int32_t multapses, nested;
    cob_ring_kern ring; /* ring kernel (hd/ring.h; shape COB_RING_NONE: uniform partners) */
} cob_proj;

typedef struct {
    int n_pops, n_projs;
    int64_t pop_offset[COB_MAX_POPS]; /* first global index of each neuron population, -1 for poisson */
    int64_t pop_size[COB_MAX_POPS];
    int64_t n_neurons;                  /* neurons with state (every neuron-model population) */
    int32_t pop_model[COB_MAX_POPS];    /* cob_model of each population */
    cob_neuron_prop prop[COB_MAX_POPS]; /* per neuron population: its model's propagators */
    int32_t pop_channels[COB_MAX_POPS]; /* input channels of each population */
    int n_channels_max;                 /* input channels per neuron (max over populations) */
    int n_state_f32, n_state_i32;       /* state arrays of the run: max over the populations' models */
    int chan_receptor[COB_MAX_POPS][COB_MAX_CHANNELS];
    double chan_weight[COB_MAX_POPS][COB_MAX_CHANNELS];
    cob_proj proj[COB_MAX_PROJS];
    int32_t
        ring_slots; /* longest arrival (max delay, + 1 with a fraction) + 1: steps of spike history a backend keeps */
    int32_t dfrac_any; /* some projection has a delay fraction: backends keep each spike's offset */
    int32_t refr_steps_max;
    double dt_ms;
    uint64_t seed;
} cob_net;

/* Most steps from a spike to an arrival through projection pr. */
static inline int32_t cob_proj_max_arrival(const cob_proj *pr)
{
    return (int32_t)pr->max_delay + (pr->dfrac_mode != COB_DFRAC_NONE);
}

/* Ring slots projection p of config c needs (its largest arrival step + 1), from the delay layout
 * the build uses: the memory estimate counts the ring without building the network. */
int32_t cob_proj_spec_ring_slots(const cob_config *c, int p);
/* The shortest arrival offset of projection p's spikes in steps (at least 1), for the CPU
 * backend's chunk of steps and its estimate. */
int32_t cob_proj_spec_min_arrival(const cob_config *c, int p);

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
 * autapse or duplicate where not allowed, delays in [max(1, min_delay), max_delay] (from 0 with a
 * delay fraction) and every arrival within the ring. */
cob_status cob_csr_validate(const cob_net *net, int i_proj, const cob_config *c, cob_err *err);
/* Prefix sums of projection pr's in-degrees into post_ptr[0 .. n_post]: post_ptr[i] is the first
 * synapse of target i in post-major order (every builder lays its partner lists out this way). */
void cob_proj_post_ptr(const cob_proj *pr, int64_t *post_ptr);
/* Presynaptic partners (local indices within pre) of target i of stored projection p, unsorted:
 * the draws every builder makes from the lane (seed, PARTNERS(p), i), so they need only the
 * layout (cob_net_layout). out has room for indegree[i]; marks has n_avail bytes, all 0 on entry
 * and on return. */
void cob_net_partners(const cob_net *net, int p, int64_t i, uint8_t *marks, int32_t *out);
/* Total synapses stored. */
int64_t cob_net_n_synapses(const cob_net *net);

#ifdef __cplusplus
}
#endif
#endif
