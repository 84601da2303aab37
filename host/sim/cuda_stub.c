/* host/sim/cuda_stub.c -- the CUDA backend entry points when cobalt is built without CUDA
 * (no nvcc at configure time, or -DCOBALT_CUDA=OFF). With CUDA, kernels/ defines them. */
#ifndef COBALT_HAVE_CUDA
#include <stdio.h>
#include "cobalt/sim.h"
#include "sim/cuda_test.h"

const cob_backend_ops *cob_cuda_backend(void)
{
    return NULL;
}

int cob_cuda_available(void)
{
    return 0;
}

int cob_cuda_describe(char *buf, size_t len)
{
    snprintf(buf, len, "CUDA backend not built (no CUDA compiler at configure time)\n");
    return 0;
}

static cob_status no_cuda(cob_err *err)
{
    return cob_err_set(err, COB_ERR_NO_DEVICE, "this build of cobalt has no CUDA backend");
}

cob_status cob_cuda_net_build(cob_net *net, const cob_config *c, cob_err *err)
{
    (void)net;
    (void)c;
    return no_cuda(err);
}

cob_status cob_cuda_emulate_net_build(cob_net *net, const cob_config *c, cob_err *err)
{
    (void)net;
    (void)c;
    return no_cuda(err);
}

cob_status cob_cuda_test_philox(uint64_t seed, uint32_t stream, uint64_t sub, int64_t n, int curand, uint32_t *out,
                                cob_err *err)
{
    (void)seed;
    (void)stream;
    (void)sub;
    (void)n;
    (void)curand;
    (void)out;
    return no_cuda(err);
}

cob_status cob_cuda_test_lif(int model, const cob_neuron_prop *prop, int n_channels, int64_t n, const float *v_in,
                             const int32_t *refr_in, const uint32_t *counts, float *v_out, int32_t *refr_out,
                             uint8_t *fired, cob_err *err)
{
    (void)model;
    (void)prop;
    (void)n_channels;
    (void)n;
    (void)v_in;
    (void)refr_in;
    (void)counts;
    (void)v_out;
    (void)refr_out;
    (void)fired;
    return no_cuda(err);
}

cob_status cob_cuda_test_poisson(uint64_t seed, uint32_t stream, uint64_t t, int64_t n, const uint32_t *n_chunks,
                                 const double *lambda_chunk, const double *exp_neg, uint32_t *out, cob_err *err)
{
    (void)seed;
    (void)stream;
    (void)t;
    (void)n;
    (void)n_chunks;
    (void)lambda_chunk;
    (void)exp_neg;
    (void)out;
    return no_cuda(err);
}

cob_status cob_cuda_test_geometric(uint64_t seed, uint32_t stream, int64_t n, const uint64_t *thr, int32_t len,
                                   int32_t n_gaps, int64_t *out, cob_err *err)
{
    (void)seed;
    (void)stream;
    (void)n;
    (void)thr;
    (void)len;
    (void)n_gaps;
    (void)out;
    return no_cuda(err);
}

cob_status cob_cuda_test_vbin(int64_t n, const float *v, float v_min_mV, float inv_width, int32_t n_bins, int32_t *out,
                              cob_err *err)
{
    (void)n;
    (void)v;
    (void)v_min_mV;
    (void)inv_width;
    (void)n_bins;
    (void)out;
    return no_cuda(err);
}

cob_status cob_cuda_test_deliver(const cob_net *net, int i_proj, int64_t t, const int32_t *spikes, int64_t n_spk,
                                 uint32_t *ring, cob_err *err)
{
    (void)net;
    (void)i_proj;
    (void)t;
    (void)spikes;
    (void)n_spk;
    (void)ring;
    return no_cuda(err);
}

cob_status cob_cuda_test_expand_threads(int64_t *threads, cob_err *err)
{
    *threads = 0;
    return no_cuda(err);
}
#else
typedef int cob__cuda_stub_unused; /* ISO C wants a non-empty translation unit */
#endif
