/* include/cobalt/estimate.h -- memory a run needs, computed before anything is allocated: host
 * memory of a CPU run (host/net/estimate.c) and device memory of a CUDA run (host/net/cuda_mem.c,
 * pure host arithmetic, in every build). Both are sums over the same registries the backends
 * allocate from (neuron state per model, statistics accumulators), so they stay one for one with
 * the allocations. */
#ifndef COBALT_ESTIMATE_H
#define COBALT_ESTIMATE_H

#include <stdint.h>
#include "config.h"
#include "net.h"
#include "plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Mean firing rate the memory estimate assumes for the spike-delivery buffers. */
#define COB_ESTIMATE_RATE_HZ 20.0
/* Host memory estimate in bytes of a CPU run of config c, before building: connectivity
 * (with the build's transient peak), state, statistics, and delivery buffers at
 * COB_ESTIMATE_RATE_HZ. */
int64_t cob_config_memory_estimate(const cob_config *c);

/* Device memory of a CUDA run, in bytes, from the network layout (cob_net_layout: sizes and
 * in-degrees, no synapses) and the run plan (include/cobalt/plan.h). Pure host arithmetic
 * (host/net/cuda_mem.c), available in every build. */
typedef struct {
    int64_t connectivity; /* CSR: int32 targets, row pointers, delay-group offsets, in-degrees */
    int64_t state;        /* neuron state arrays (model registry), spike lists, Poisson tables and sources */
    int64_t ring;         /* delay ring: ring_slots x channels x neurons x uint32 */
    int64_t stats;        /* per-neuron accumulators, histograms, rate series, raster, traces */
    int64_t resident;     /* sum of the above: what stays allocated during the run */
    int64_t build_peak;   /* resident + the largest projection's transient build buffers */
} cob_cuda_mem;
void cob_cuda_memory_estimate(const cob_net *layout, const cob_plan *plan, cob_cuda_mem *m);
/* The device builder's partner hash sets use at most this many bytes per batch of targets. A
 * build may lower it: the emulated GPU tier does, so that its small networks take the builder's
 * multi-batch path. */
#ifndef COB_CUDA_HASH_BUDGET
#define COB_CUDA_HASH_BUDGET (1ll << 30)
#endif
/* Stored connectivity bytes per synapse of the layout (CSR only; 0 when no synapses). */
double cob_cuda_bytes_per_synapse(const cob_net *layout);

#ifdef __cplusplus
}
#endif
#endif
