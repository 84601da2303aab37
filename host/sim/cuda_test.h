/* host/sim/cuda_test.h -- internal: single kernels of the CUDA backend run on plain arrays, so
 * tests/test_cuda.c can hold each one against the CPU loop around the same include/cobalt/hd/
 * function. Implemented in kernels/cuda_test.cu; without CUDA (host/sim/cuda_stub.c) every entry
 * returns COB_ERR_NO_DEVICE. Each call allocates, runs, copies back and frees; sizes are free
 * (not multiples of the block size). */
#ifndef COBALT_HOST_CUDA_TEST_H
#define COBALT_HOST_CUDA_TEST_H

#include "cobalt/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out[4 i .. 4 i + 3] = cob_philox(seed, stream, i, sub) for i < n, computed on the device.
 * curand = 1: the same counters through cuRAND's device Philox4x32-10 bijection instead
 * (curand_Philox4x32_10 with ctr = {i, sub lo, sub hi, stream}, key = seed). */
cob_status cob_cuda_test_philox(uint64_t seed, uint32_t stream, uint64_t sub, int64_t n, int curand, uint32_t *out,
                                cob_err *err);

/* One neuron step (cob_neuron_step) of n neurons of one population of a (V, refractory) LIF model,
 * counts[i * n_channels + c], state in/out. fired[i] = 1 when neuron i spiked. Neuron i's input
 * is that of neuron i at step COB_TEST_LIF_STEP of a run with seed COB_TEST_LIF_SEED (what the
 * ordered step's arrival offsets are drawn from). */
#define COB_TEST_LIF_SEED 20261202u
#define COB_TEST_LIF_STEP 987654321u
cob_status cob_cuda_test_lif(int model, const cob_neuron_prop *prop, int n_channels, int64_t n, const float *v_in,
                             const int32_t *refr_in, const uint32_t *counts, float *v_out, int32_t *refr_out,
                             uint8_t *fired, cob_err *err);

/* out[i] = cob_poisson_step(seed, stream, i, t, n_chunks[i], lambda_chunk[i], exp_neg[i]). */
cob_status cob_cuda_test_poisson(uint64_t seed, uint32_t stream, uint64_t t, int64_t n, const uint32_t *n_chunks,
                                 const double *lambda_chunk, const double *exp_neg, uint32_t *out, cob_err *err);

/* out[i * n_gaps + g]: the g-th successive cob_geometric_gap of source i (n_draws from 0). */
cob_status cob_cuda_test_geometric(uint64_t seed, uint32_t stream, int64_t n, const uint64_t *thr, int32_t len,
                                   int32_t n_gaps, int64_t *out, cob_err *err);

/* out[i] = cob_stats_vbin(v[i], v_min, inv_width, n_bins). */
cob_status cob_cuda_test_vbin(int64_t n, const float *v, float v_min_mV, float inv_width, int32_t n_bins, int32_t *out,
                              cob_err *err);

/* Deliver the spikes spikes[0 .. n_spk) (local indices in the pre population) of projection
 * i_proj of a host-built net, emitted at step t, with the device kernels of arrival-time delivery
 * (cob_k_plan and cob_k_expand at steps t + 1 .. t + ring_slots - 1, each step's input counts
 * copied out), laid out as the CPU's delay ring would hold them:
 * ring[(slot * net->n_channels_max + channel) * net->n_neurons + neuron], slot = arrival step mod
 * ring_slots, ring_slots * n_channels_max * n_neurons uint32 cells. */
cob_status cob_cuda_test_deliver(const cob_net *net, int i_proj, int64_t t, const int32_t *spikes, int64_t n_spk,
                                 uint32_t *ring, cob_err *err);

/* Threads of the expansion kernel's grid as the backend launches it (cob_expand_shape), one
 * segment each a tile: a step with more segments than this takes several tiles a block. */
cob_status cob_cuda_test_expand_threads(int64_t *threads, cob_err *err);

/* The device builder's algorithm run on the host: kernels/connect.cu's kernel bodies in plain
 * loops (std::sort and std::stable_sort in place of CUB), into net in cob_net_build's layout.
 * Needs no device, only a CUDA build: it checks the build algorithm where no GPU is present. */
cob_status cob_cuda_emulate_net_build(cob_net *net, const cob_config *c, cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
