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

/* Mean firing rate the memory estimate assumes for the spike-delivery buffers of a neuron
 * population (a Poisson pool counts at its own rate). */
#define COB_ESTIMATE_RATE_HZ 20.0
/* Resident bytes of the process before any network: code, libc, libyaml, HDF5, OpenMP (measured
 * 9.9 MB for a 10-neuron run, 1 and 2 threads). */
#define COB_ESTIMATE_BASE_BYTES 10000000LL
/* Resident bytes of the CPU backend's delivery buckets per byte of events they hold at their
 * fullest: a bucket grows by doubling with realloc (host/cpu/cpu_step.c), so it has up to twice
 * its fill in capacity, and the blocks it left are reused by the buckets that grow after it.
 * Measured on the 10^4-10^5-neuron configs (perf/README.md, "Scale on one node"): 1.6-2.4. */
#define COB_ESTIMATE_BUCKET_SLACK 2.0

/* Host memory of a CPU run of config c by part, in bytes, from the config alone. */
typedef struct {
    int64_t connectivity; /* CSR of every projection: targets, delays, delay-group offsets, row pointers, in-degrees */
    int64_t build_peak;   /* largest over the build order of (projections built so far + one's build buffers) */
    int64_t state;        /* neuron state, spike lists, pool sources, 16-bit input buffers of two threads */
    int64_t stats;        /* statistics accumulators and reduced results */
    int64_t buckets;      /* delivery buckets: one step's events x ring slots at the assumed rates x slack */
    double events_per_step; /* synaptic events per step at the assumed rates (what the buckets hold) */
    int64_t ring_slots;     /* the build's ring slots (cob_proj_spec_ring_slots), at least 2 */
    int64_t base;           /* the process before the network (COB_ESTIMATE_BASE_BYTES) */
    int64_t run_peak;       /* connectivity + state + stats + buckets */
    int64_t peak;           /* base + max(build_peak, run_peak): what cob_config_memory_estimate returns */
} cob_host_mem_est;
void cob_config_memory_parts(const cob_config *c, cob_host_mem_est *m);

/* Host memory estimate in bytes of a CPU run of config c, before building: the process
 * baseline plus the larger of the build's peak (connectivity with one projection's transient)
 * and the run's resident bytes (connectivity, state, statistics, delivery buffers at
 * COB_ESTIMATE_RATE_HZ), i.e. cob_config_memory_parts' peak. */
int64_t cob_config_memory_estimate(const cob_config *c);

/* The CPU backend's steps per chunk (host/cpu/cpu_step.c): the shortest arrival offset
 * min_arrival (at most COB_CPU_CHUNK_MAX), fewer while the 2 x chunk sets of input buffers
 * (n_thr x inbuf_cells 16-bit cells each) and spike lists (spike_slots neurons and sources, 5
 * bytes each) would pass COB_CPU_CHUNK_BYTES. The estimate sizes the run with it. */
#define COB_CPU_CHUNK_MAX 16
#define COB_CPU_CHUNK_BYTES (64ll << 20)
int32_t cob_cpu_chunk_steps(int32_t min_arrival, int n_thr, int64_t inbuf_cells, int64_t spike_slots);

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
    int64_t state;        /* neuron state arrays (model registry), Poisson tables and sources */
    int64_t delivery;     /* arrival-time delivery: the spike histories (cob_cuda_hist_capacity), one
                           * step's input counts (channels x neurons x uint32), the pairs' tables */
    int64_t stats;        /* per-neuron accumulators, histograms, rate series, raster, traces */
    int64_t resident;     /* sum of the above: what stays allocated during the run */
    int64_t build_peak;   /* resident + the largest projection's transient build buffers */
} cob_cuda_mem;
void cob_cuda_memory_estimate(const cob_net *layout, const cob_plan *plan, cob_cuda_mem *m);
/* Bytes of the device builder's sort keys for projection pr (kernels/connect.cu): (pre, delay
 * group) packed into 32 bits when n_pre x n_dgrp fits, else 64. The environment variable
 * COBALT_CUDA_KEYS=64 forces 64-bit keys (a test aid: a network reaches them by itself only past
 * 2^32 (source, group) pairs, so scripts/gpu-check.sh and the emulated tier use it to compare
 * the 64-bit path with the CPU; the keys sort alike, so the network is the same). */
int cob_cuda_key_bytes(const cob_proj *pr);
/* Entries of population pop's spike history on the device (0 when no stored projection leaves
 * it): what it can emit in ring_slots consecutive steps. Neurons: size x ceil(ring_slots / gap),
 * gap = cob_model_min_gap (refractoriness), at most one spike a step; pools: a bound their
 * spike count exceeds with negligible probability (an excess is counted and fails the run). */
int64_t cob_cuda_hist_capacity(const cob_net *layout, const cob_plan *plan, int pop);
/* The lags lo .. hi (steps from a spike to its arrival) of stored projection pr in arrival-time
 * delivery: its delay groups', min_delay .. min_delay + n_dgrp - 1, one more with delay fractions
 * (an arrival d or d + 1 steps after its spike, hd/connect.h), and at least 1. */
void cob_cuda_arrival_lags(const cob_proj *pr, int32_t *lo, int32_t *hi);
/* The (stored projection, lag) pairs of the layout's stored projections (cob_cuda_arrival_lags). */
int32_t cob_cuda_arrival_pairs(const cob_net *layout);
/* The device builder's partner hash sets use at most this many bytes per batch of targets. A
 * build may lower it: the emulated GPU tier does, so that its small networks take the builder's
 * multi-batch path. */
#ifndef COB_CUDA_HASH_BUDGET
#define COB_CUDA_HASH_BUDGET (1ll << 30)
#endif
/* Stored connectivity bytes per synapse of the layout (CSR only; 0 when no synapses). */
double cob_cuda_bytes_per_synapse(const cob_net *layout);

/* How a stored projection's CSR is laid out on the device (kernels/connect.cu writes it, the
 * accessors in kernels/cuda_int.cuh read it; docs/numerics.md). Rows are sorted by delay group
 * and by target within a group in every form; int64 row pointers in every form.
 *   dense (shift 0): int32 targets and the offsets of every group 0 .. n_dgrp within its row,
 *     n_off = n_dgrp + 1 a row: the CPU's layout, 2 (n_dgrp + 1) / K bytes per synapse on top
 *     of the targets, which is 1.3 at K = 300 with 200 delay groups.
 *   sampled (shift > 0): each synapse's 32-bit word holds its group above its target,
 *     group << tbits | target, and a row keeps the offsets of groups S, 2S, ... below n_dgrp
 *     only (S = 1 << shift; n_off = (n_dgrp - 1) >> shift a row; group 0 starts at 0 and
 *     group n_dgrp at the row's end). A group's start is its sample's offset plus a forward
 *     scan over the words of at most S - 1 groups.
 * Dense is kept where its offsets cost at most COB_DLAYOUT_OFF_BUDGET bytes per synapse (no scan);
 * else the smallest S whose samples fit the budget: a sample then covers S K / n_dgrp synapses of
 * a row of K, under about 8 off_bytes on average (16 with 16-bit offsets: 64 contiguous bytes,
 * the most a scan reads on average). Dense again when group and target do not fit 32 bits. */
typedef struct {
    int32_t shift;     /* log2 of the sampling step S; 0: dense */
    int32_t tbits;     /* sampled: low bits of a word that hold the target (bits of n_post - 1) */
    int32_t off_bytes; /* 2 when every row is shorter than 65536 synapses, else 4 */
    int32_t n_off;     /* offsets stored per row */
} cob_dlayout;
/* Offsets may cost this many bytes per synapse before a projection leaves the dense form: with
 * 4-byte words and int64 row pointers, 4 + 8 / K + 0.25 stays under 4.5 for rows of K > 32. */
#define COB_DLAYOUT_OFF_BUDGET 0.25
/* The layout of a projection of n_syn synapses from n_pre onto n_post neurons in n_dgrp delay
 * groups whose longest row has max_row synapses; max_row < 0: not known yet (the memory
 * estimate), bounded from the mean out-degree as mean + 10 sd + 64 (out-degrees are sums of
 * independent draws, so a longer row has negligible probability). The builder passes its real
 * longest row, so both sides make the same choice unless that bound fails. Pure arithmetic. */
void cob_dlayout_choose(int64_t n_pre, int64_t n_post, int64_t n_syn, int32_t n_dgrp, int64_t max_row, cob_dlayout *l);

#ifdef __cplusplus
}
#endif
#endif
