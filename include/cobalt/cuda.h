/* include/cobalt/cuda.h -- the CUDA backend as seen from the host: whether it is built, the
 * devices, and the device network builder. Implemented in kernels/cuda_backend.cu and
 * kernels/connect.cu; without CUDA, host/sim/cuda_stub.c answers "not built". No CUDA type
 * appears here, so every C translation unit can include it. */
#ifndef COBALT_CUDA_H
#define COBALT_CUDA_H

#include <stddef.h>
#include "config.h"
#include "net.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cob_backend_ops;
/* NULL when the CUDA backend is not compiled in. */
const struct cob_backend_ops *cob_cuda_backend(void);
/* 1 when the CUDA backend is built and a device is usable. */
int cob_cuda_available(void);
/* Writes a human-readable device list (one per line) into buf; returns the device count. */
int cob_cuda_describe(char *buf, size_t len);

/* Build the network of c on the CUDA device and copy it back into net, in cob_net_build's
 * layout (so tests can compare it array by array). COB_ERR_NO_DEVICE without a device. */
cob_status cob_cuda_net_build(cob_net *net, const cob_config *c, cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
