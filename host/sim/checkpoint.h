/* host/sim/checkpoint.h -- internal: checkpoint files (docs/results.md, "Checkpoints"). A file
 * holds a header (cobalt version, build commit, backend, the config text and digests of the
 * config and of the built network, the step reached), the backend's state stream
 * (cob_backend_ops.save) with its digest, and a checksum of everything before it. Written with
 * host/util/publish.c (temporary + fsync + rename: never half a file under the final name).
 * Implemented in host/sim/checkpoint.c; used by the driver (host/sim/sim.c). */
#ifndef COBALT_HOST_SIM_CHECKPOINT_H
#define COBALT_HOST_SIM_CHECKPOINT_H

#include "cobalt/checkpoint.h"
#include "cobalt/net.h"

#define COB__CKPT_FORMAT 1

/* What the header of a checkpoint says. */
typedef struct {
    const char *version, *commit, *backend, *config_text;
    uint64_t config_digest, net_digest;
    int64_t step, total_steps;
    double run_s; /* wall seconds of stepping so far (all segments) */
} cob__ckpt_meta;

/* A checkpoint read into memory: the header's strings and the state stream point into data. */
typedef struct {
    uint8_t *data;
    size_t len;
    char *version, *commit, *backend, *config_text; /* owned copies, NUL-terminated */
    uint64_t config_digest, net_digest;
    int64_t step, total_steps;
    double run_s;
    cob_ckpt_reader state;
} cob__ckpt_file;

/* Digest of a config's text (which ends with its --set overrides). */
uint64_t cob__config_digest(const char *text);
/* Digest of a built network: layout, in-degrees and, where present, every synapse (targets,
 * delays, delay groups). Linear in the synapses and much cheaper than building them. */
uint64_t cob__net_digest(const cob_net *net);

/* Publish the checkpoint (m, then the state stream) at path. COB_ERR_IO naming path on failure
 * (an earlier checkpoint at path is then left as it was). */
cob_status cob__ckpt_write(const char *path, const cob__ckpt_meta *m, const cob_ckpt_buf *state, cob_err *err);
/* Read and check the checkpoint at path: COB_ERR_IO when it cannot be read, is not a cobalt
 * checkpoint, has another format or byte order, is cut short or its checksum or state digest do
 * not match (corrupted). Free with cob__ckpt_file_free (also after an error). */
cob_status cob__ckpt_read(const char *path, cob__ckpt_file *f, cob_err *err);
void cob__ckpt_file_free(cob__ckpt_file *f);

#endif
