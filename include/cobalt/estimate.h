/* include/cobalt/estimate.h -- memory a run needs, computed before anything is allocated: host
 * memory of a CPU run (host/net/estimate.c) and device memory of a CUDA run (host/net/cuda_mem.c,
 * pure host arithmetic, in every build). Both are sums over the same registries the backends
 * allocate from (neuron state per model, statistics accumulators), so they stay one for one with
 * the allocations. */
#ifndef COBALT_ESTIMATE_H
#define COBALT_ESTIMATE_H

#include <stdint.h>
#include "config.h"
#include "status.h"
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

/* Host memory estimate in bytes of laying out the network of config c (cob_net_layout: the
 * per-neuron in-degrees of every projection and the largest projection's build offsets, no
 * synapses), what `cobalt validate` and a device-building backend allocate on the host. */
int64_t cob_layout_memory_estimate(const cob_config *c);

/* The host memory this process can still allocate, and which limit says so. */
typedef struct {
    int64_t bytes;   /* -1 when nothing could be read (no check is made then) */
    char source[48]; /* "MemAvailable", "cgroup memory.max", "cgroup v1 memory.limit_in_bytes",
                        "RLIMIT_AS, ulimit -v", or "physical memory" (no /proc/meminfo) */
} cob_host_mem;

/* Fill m with the smallest of: MemAvailable of /proc/meminfo (else the physical memory); the
 * cgroup v2 limit (memory.max - memory.current of this process's cgroup, from
 * /proc/self/cgroup, and of each ancestor); the cgroup v1 limit (memory.limit_in_bytes -
 * memory.usage_in_bytes, likewise); RLIMIT_AS minus the address space in use (VmSize). A
 * cgroup's usage is taken without its inactive file cache (memory.stat), which is reclaimable. Reads
 * a few small files; allocates nothing (host/util/hostmem.c). */
void cob_host_memory_available(cob_host_mem *m);

/* COB_OK when need bytes fit in cob_host_memory_available (or it found nothing), else
 * COB_ERR_NOMEM with "WHAT needs about 31.20 GB of host memory; 22.90 GB available
 * (MemAvailable): ADVICE" (advice may be NULL). Call before allocating. */
cob_status cob_host_memory_check(int64_t need, const char *what, const char *advice, cob_err *err);

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
