/* host/sim/checkpoint.c -- checkpoint files (host/sim/checkpoint.h; layout in docs/results.md,
 * "Checkpoints"): written through host/util/publish.c, so a reader finds either the previous
 * checkpoint or the whole new one; read back whole and checked (magic, format, byte order,
 * checksum, state digest) before anything in it is believed. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "sim/checkpoint.h"
#include "util/publish.h"

static const char magic[8] = {'C', 'O', 'B', 'A', 'L', 'T', 'C', 'K'};
#define BYTE_ORDER_MARK 0x01020304u
#define FILE_MAX_BYTES ((uint64_t)1 << 46) /* 64 TiB: more is not a checkpoint of ours */

uint64_t cob__config_digest(const char *text)
{
    return cob_hash64(COB_HASH_SEED, text ? text : "", text ? strlen(text) : 0);
}

#define HASH_ARR(h, p, n) ((p) ? cob_hash64((h), (p), (size_t)(n) * sizeof *(p)) : cob_hash64((h), "", 0))

uint64_t cob__net_digest(const cob_net *net)
{
    uint64_t h = COB_HASH_SEED;
    int k;
    h = cob_hash64(h, net->pop_offset, sizeof net->pop_offset);
    h = cob_hash64(h, net->pop_size, sizeof net->pop_size);
    h = cob_hash64(h, net->pop_model, sizeof net->pop_model);
    h = cob_hash64(h, net->pop_channels, sizeof net->pop_channels);
    h = cob_hash64(h, &net->n_neurons, sizeof net->n_neurons);
    h = cob_hash64(h, &net->ring_slots, sizeof net->ring_slots);
    h = cob_hash64(h, &net->seed, sizeof net->seed);
    for (k = 0; k < net->n_projs; ++k) {
        const cob_proj *p = &net->proj[k];
        int64_t dims[4] = {p->n_pre, p->n_post, p->n_syn, p->n_dgrp};
        h = cob_hash64(h, dims, sizeof dims);
        h = HASH_ARR(h, p->indegree, p->n_post);
        /* the synapses, where this process holds them (not for a backend that builds on its device) */
        if (!p->independent && p->row_ptr) {
            h = HASH_ARR(h, p->row_ptr, p->n_pre + 1);
            h = HASH_ARR(h, p->target, p->n_syn);
            h = HASH_ARR(h, p->delay_steps, p->n_syn);
            h = HASH_ARR(h, p->dgrp_off, p->n_pre * (p->n_dgrp + 1));
        }
    }
    return h;
}

/* ---- writing -------------------------------------------------------------------------------- */

typedef struct {
    const char *path;
    const cob__ckpt_meta *m;
    const cob_ckpt_buf *state;
} write_ctx;

static void put_header(cob_ckpt_buf *b, const cob__ckpt_meta *m, const cob_ckpt_buf *state)
{
    uint32_t fmt[2] = {COB__CKPT_FORMAT, BYTE_ORDER_MARK};
    cob_ckpt_put(b, magic, sizeof magic);
    cob_ckpt_put(b, fmt, sizeof fmt);
    cob_ckpt_put_str(b, m->version);
    cob_ckpt_put_str(b, m->commit);
    cob_ckpt_put_str(b, m->backend);
    cob_ckpt_put_str(b, m->config_text);
    cob_ckpt_put_u64(b, m->config_digest);
    cob_ckpt_put_u64(b, m->net_digest);
    cob_ckpt_put_i64(b, m->step);
    cob_ckpt_put_i64(b, m->total_steps);
    cob_ckpt_put(b, &m->run_s, sizeof m->run_s);
    cob_ckpt_put_u64(b, state->len);
}

static cob_status write_file(const char *tmp, void *user, cob_err *err)
{
    const write_ctx *w = user;
    cob_ckpt_buf head = {0};
    uint64_t state_digest = cob_hash64(COB_HASH_SEED, w->state->data, w->state->len), sum;
    FILE *f;
    int ok;
    put_header(&head, w->m, w->state);
    if (head.failed) {
        cob_ckpt_buf_free(&head);
        return cob_err_set(err, COB_ERR_NOMEM, "%s: out of memory for the checkpoint header", w->path);
    }
    sum = cob_hash64(COB_HASH_SEED, head.data, head.len);
    sum = cob_hash64(sum, w->state->data, w->state->len);
    sum = cob_hash64(sum, &state_digest, sizeof state_digest);
    f = fopen(tmp, "wb");
    if (!f) {
        cob_ckpt_buf_free(&head);
        return cob_err_set(err, COB_ERR_IO, "%s: cannot create checkpoint (as temporary %s): %s", w->path, tmp,
                           strerror(errno));
    }
    ok = fwrite(head.data, 1, head.len, f) == head.len &&
         (w->state->len == 0 || fwrite(w->state->data, 1, w->state->len, f) == w->state->len) &&
         fwrite(&state_digest, sizeof state_digest, 1, f) == 1 && fwrite(&sum, sizeof sum, 1, f) == 1;
    ok = fflush(f) == 0 && ok;
    cob_ckpt_buf_free(&head);
    if (!ok) {
        int e = errno;
        fclose(f);
        return cob_err_set(err, COB_ERR_IO, "%s: cannot write checkpoint (as temporary %s): %s", w->path, tmp,
                           strerror(e));
    }
    if (fclose(f) != 0)
        return cob_err_set(err, COB_ERR_IO, "%s: cannot write checkpoint (as temporary %s): %s", w->path, tmp,
                           strerror(errno));
    return COB_OK;
}

cob_status cob__ckpt_write(const char *path, const cob__ckpt_meta *m, const cob_ckpt_buf *state, cob_err *err)
{
    write_ctx w = {path, m, state};
    if (state->failed)
        return cob_err_set(err, COB_ERR_NOMEM, "%s: out of host memory for the checkpoint's state", path);
    return cob__publish(path, write_file, &w, err);
}

/* ---- reading -------------------------------------------------------------------------------- */

void cob__ckpt_file_free(cob__ckpt_file *f)
{
    free(f->data);
    free(f->version);
    free(f->commit);
    free(f->backend);
    free(f->config_text);
    memset(f, 0, sizeof *f);
}

static char *get_str(cob_ckpt_reader *r)
{
    uint64_t n = cob_ckpt_get_u64(r);
    char *s;
    if (r->failed || n > r->len - r->pos) {
        r->failed = 1;
        return NULL;
    }
    s = malloc((size_t)n + 1);
    if (!s) {
        r->failed = 1;
        return NULL;
    }
    cob_ckpt_get(r, s, (size_t)n);
    s[n] = '\0';
    return s;
}

static cob_status slurp(const char *path, cob__ckpt_file *f, cob_err *err)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    if (!fp)
        return cob_err_set(err, COB_ERR_IO, "--resume %s: cannot open checkpoint: %s", path, strerror(errno));
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > FILE_MAX_BYTES) {
        fclose(fp);
        return cob_err_set(err, COB_ERR_IO, "--resume %s: not a regular file of checkpoint size", path);
    }
    f->len = (size_t)st.st_size;
    f->data = malloc(f->len ? f->len : 1);
    if (!f->data) {
        fclose(fp);
        return cob_err_set(err, COB_ERR_NOMEM, "--resume %s: out of memory for %zu bytes", path, f->len);
    }
    if (fread(f->data, 1, f->len, fp) != f->len) {
        fclose(fp);
        return cob_err_set(err, COB_ERR_IO, "--resume %s: cannot read checkpoint: %s", path, strerror(errno));
    }
    fclose(fp);
    return COB_OK;
}

/* Magic, format and byte order. */
static cob_status check_frame(const char *path, const cob__ckpt_file *f, cob_err *err)
{
    uint32_t fmt[2];
    if (f->len < sizeof magic + sizeof fmt + 16 || memcmp(f->data, magic, sizeof magic) != 0)
        return cob_err_set(err, COB_ERR_IO, "--resume %s: not a cobalt checkpoint", path);
    memcpy(fmt, f->data + sizeof magic, sizeof fmt);
    if (fmt[1] != BYTE_ORDER_MARK)
        return cob_err_set(err, COB_ERR_IO, "--resume %s: written on a machine of the other byte order", path);
    if (fmt[0] != COB__CKPT_FORMAT)
        return cob_err_set(err, COB_ERR_IO, "--resume %s: checkpoint format %u, this cobalt reads format %d", path,
                           fmt[0], COB__CKPT_FORMAT);
    return COB_OK;
}

/* The checksum (the last 8 bytes) over the header (head bytes), the state and its digest, hashed
 * in those three parts as the writer did. */
static cob_status check_sum(const char *path, const cob__ckpt_file *f, size_t head, cob_err *err)
{
    uint64_t sum, want;
    memcpy(&want, f->data + f->len - 8, 8);
    sum = cob_hash64(COB_HASH_SEED, f->data, head);
    sum = cob_hash64(sum, f->data + head, f->len - 16 - head);
    sum = cob_hash64(sum, f->data + f->len - 16, 8);
    if (sum != want)
        return cob_err_set(err, COB_ERR_IO,
                           "--resume %s: checksum mismatch: the checkpoint is corrupted or cut short (%zu bytes)", path,
                           f->len);
    return COB_OK;
}

cob_status cob__ckpt_read(const char *path, cob__ckpt_file *f, cob_err *err)
{
    cob_ckpt_reader r;
    uint64_t state_len, digest;
    cob_status st;
    memset(f, 0, sizeof *f);
    st = slurp(path, f, err);
    if (st == COB_OK)
        st = check_frame(path, f, err);
    if (st != COB_OK)
        return st;
    r.data = f->data;
    r.len = f->len - 8;
    r.pos = sizeof magic + 2 * sizeof(uint32_t);
    r.failed = 0;
    f->version = get_str(&r);
    f->commit = get_str(&r);
    f->backend = get_str(&r);
    f->config_text = get_str(&r);
    f->config_digest = cob_ckpt_get_u64(&r);
    f->net_digest = cob_ckpt_get_u64(&r);
    f->step = cob_ckpt_get_i64(&r);
    f->total_steps = cob_ckpt_get_i64(&r);
    cob_ckpt_get(&r, &f->run_s, sizeof f->run_s);
    state_len = cob_ckpt_get_u64(&r);
    if (r.failed || state_len != r.len - r.pos - 8)
        return cob_err_set(err, COB_ERR_IO,
                           "--resume %s: the checkpoint's header is inconsistent: the file is corrupted or cut short",
                           path);
    st = check_sum(path, f, r.pos, err);
    if (st != COB_OK)
        return st;
    f->state.data = f->data + r.pos;
    f->state.len = (size_t)state_len;
    f->state.pos = 0;
    f->state.failed = 0;
    memcpy(&digest, f->data + r.pos + state_len, 8);
    if (cob_hash64(COB_HASH_SEED, f->state.data, f->state.len) != digest)
        return cob_err_set(err, COB_ERR_IO, "--resume %s: the state's digest does not match (corrupted)", path);
    return COB_OK;
}
