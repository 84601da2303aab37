/* include/cobalt/checkpoint.h -- the byte streams a backend saves its run state into and loads it
 * from (cob_backend_ops.save / .load, include/cobalt/sim.h), and the 64-bit hash that checks
 * checkpoint files. The file around the stream (header, config, commit, digests, checksum) is
 * written and read by host/sim/checkpoint.c; docs/results.md ("Checkpoints") is its layout.
 * Implemented in host/sim/ckpt_buf.c. Limits: values are stored in the host's byte order (the
 * file records it and a reader with the other order refuses it); the whole state is held in
 * memory once while a checkpoint is written or read. */
#ifndef COBALT_CHECKPOINT_H
#define COBALT_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A growing byte buffer being written. A failed allocation sets failed; later puts do nothing
 * and the writer reports COB_ERR_NOMEM once at the end. */
typedef struct cob_ckpt_buf {
    uint8_t *data;
    size_t len, cap;
    int failed;
} cob_ckpt_buf;

/* A byte stream being read: gets past the end set failed and return zeros. */
typedef struct cob_ckpt_reader {
    const uint8_t *data;
    size_t len, pos;
    int failed;
} cob_ckpt_reader;

/* Append n bytes of p (n may be 0). */
void cob_ckpt_put(cob_ckpt_buf *b, const void *p, size_t n);
void cob_ckpt_put_i64(cob_ckpt_buf *b, int64_t v);
void cob_ckpt_put_u64(cob_ckpt_buf *b, uint64_t v);
/* A string as its length (u64) and its bytes (no NUL). */
void cob_ckpt_put_str(cob_ckpt_buf *b, const char *s);
void cob_ckpt_buf_free(cob_ckpt_buf *b);

/* Copy the next n bytes into p (zeros and failed when fewer are left). */
void cob_ckpt_get(cob_ckpt_reader *r, void *p, size_t n);
int64_t cob_ckpt_get_i64(cob_ckpt_reader *r);
uint64_t cob_ckpt_get_u64(cob_ckpt_reader *r);
/* Read an i64 and check it equals want: 1 if so; else 0, failed set, and a message in err naming
 * what (e.g. "neurons") with both values (COB_ERR_CONFIG: the checkpoint is of another run). */
int cob_ckpt_expect(cob_ckpt_reader *r, int64_t want, const char *what, cob_err *err);

/* 64-bit hash of n bytes (8-byte words, multiply-xor-rotate; not cryptographic: it detects
 * corruption and mismatches, not tampering), continued from h (start with COB_HASH_SEED). */
#define COB_HASH_SEED 0x9e3779b97f4a7c15ull
uint64_t cob_hash64(uint64_t h, const void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
