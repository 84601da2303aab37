/* host/sim/ckpt_buf.c -- the byte streams of a checkpoint and its hash (include/cobalt/checkpoint.h).
 * Used by the backends' save/load (host/cpu/cpu_ckpt.c, host/stats/stats_ckpt.c) and by the file
 * layer (host/sim/checkpoint.c). */
#include <stdlib.h>
#include <string.h>
#include "cobalt/checkpoint.h"

void cob_ckpt_put(cob_ckpt_buf *b, const void *p, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        uint8_t *grown;
        while (cap < b->len + n) cap *= 2;
        grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void cob_ckpt_put_i64(cob_ckpt_buf *b, int64_t v)
{
    cob_ckpt_put(b, &v, sizeof v);
}

void cob_ckpt_put_u64(cob_ckpt_buf *b, uint64_t v)
{
    cob_ckpt_put(b, &v, sizeof v);
}

void cob_ckpt_put_str(cob_ckpt_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    cob_ckpt_put_u64(b, (uint64_t)n);
    cob_ckpt_put(b, s, n);
}

void cob_ckpt_buf_free(cob_ckpt_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void cob_ckpt_get(cob_ckpt_reader *r, void *p, size_t n)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = 1;
        if (n)
            memset(p, 0, n);
        return;
    }
    if (n)
        memcpy(p, r->data + r->pos, n);
    r->pos += n;
}

int64_t cob_ckpt_get_i64(cob_ckpt_reader *r)
{
    int64_t v;
    cob_ckpt_get(r, &v, sizeof v);
    return v;
}

uint64_t cob_ckpt_get_u64(cob_ckpt_reader *r)
{
    uint64_t v;
    cob_ckpt_get(r, &v, sizeof v);
    return v;
}

int cob_ckpt_expect(cob_ckpt_reader *r, int64_t want, const char *what, cob_err *err)
{
    int64_t got = cob_ckpt_get_i64(r);
    if (r->failed) {
        cob_err_set(err, COB_ERR_IO, "checkpoint ends before its %s", what);
        return 0;
    }
    if (got != want) {
        r->failed = 1;
        cob_err_set(err, COB_ERR_CONFIG, "checkpoint has %lld %s, this run %lld: it belongs to another run",
                    (long long)got, what, (long long)want);
        return 0;
    }
    return 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t mix(uint64_t h, uint64_t w)
{
    h ^= w * 0xff51afd7ed558ccdull;
    h = rotl(h, 29) * 0xc4ceb9fe1a85ec53ull;
    return h;
}

uint64_t cob_hash64(uint64_t h, const void *p, size_t n)
{
    const uint8_t *c = p;
    size_t k;
    for (k = 0; k + 8 <= n; k += 8) {
        uint64_t w;
        memcpy(&w, c + k, 8);
        h = mix(h, w);
    }
    if (k < n) {
        uint64_t w = 0;
        memcpy(&w, c + k, n - k);
        h = mix(h, w ^ ((uint64_t)(n - k) << 56));
    }
    return mix(h, (uint64_t)n);
}
