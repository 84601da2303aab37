/* host/inputs/poisson_tables.h -- internal: host-made tables for include/cobalt/hd/poisson.h. */
#ifndef COBALT_HOST_POISSON_TABLES_H
#define COBALT_HOST_POISSON_TABLES_H

#include "cobalt/hd/poisson.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Inversion table of the geometric gap of a Bernoulli(p) process, 0 < p < 1; *len entries.
 * NULL when out of memory. Caller frees. */
/* Largest table (entries); longer gaps take further draws. */
#define COB_GEOM_TABLE_MAX 65536
uint64_t *cob_geometric_table(double p, int32_t *len);
/* Split a Poisson mean into n_chunks chunks of at most COB_POISSON_CHUNK with e^-chunk. */
void cob_poisson_chunks(double lambda, uint32_t *n_chunks, double *lambda_chunk, double *exp_neg);

#ifdef __cplusplus
}
#endif

#endif
