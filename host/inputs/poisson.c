/* host/inputs/poisson.c -- host-side tables for the Poisson draws of include/cobalt/hd/poisson.h:
 * the geometric-gap inversion table of a pool source and the chunking of an independent
 * input's mean. Computed once in long double. */
#include <math.h>
#include <stdlib.h>
#include "inputs/poisson_tables.h"


uint64_t *cob_geometric_table(double p, int32_t *len)
{
    long double q = log1pl(-(long double)p);
    long double two64 = 18446744073709551616.0L;
    int64_t n = (int64_t)ceill(logl(1000.0L) / (long double)p); /* P(redraw) < 1e-3 */
    uint64_t *thr;
    int32_t k;
    if (n < 16)
        n = 16;
    if (n > COB_GEOM_TABLE_MAX)
        n = COB_GEOM_TABLE_MAX;
    thr = malloc((size_t)n * sizeof *thr);
    if (!thr)
        return NULL;
    for (k = 0; k < n; ++k) {
        long double cdf = -expm1l((long double)(k + 1) * q); /* P(gap <= k + 1) */
        long double x = floorl(cdf * two64);
        thr[k] = x >= two64 ? UINT64_MAX : (uint64_t)x;
    }
    *len = (int32_t)n;
    return thr;
}

void cob_poisson_chunks(double lambda, uint32_t *n_chunks, double *lambda_chunk, double *exp_neg)
{
    if (lambda <= 0.0) {
        *n_chunks = 0;
        *lambda_chunk = 0.0;
        *exp_neg = 1.0;
        return;
    }
    *n_chunks = (uint32_t)ceil(lambda / COB_POISSON_CHUNK);
    *lambda_chunk = lambda / *n_chunks;
    *exp_neg = exp(-*lambda_chunk);
}
