/* host/stats/stats_fields.h -- internal: descriptor tables of the reduced results (cob_pop_stats
 * and the run-level part of cob_stats, include/cobalt/stats.h): per field its C type, how it is
 * stored, its length (which count field), its HDF5 name and kind, and its units, as in
 * docs/results.md. Implemented in host/stats/stats_fields.c, which also derives from them the
 * byte count of a population's results (host/net/estimate.c) and cob_stats_first_difference (the
 * bit-for-bit comparison the tests use). The HDF5 writer (host/output/output.c) writes every
 * population group by walking cob_pop_stats_fields. Adding a result: a field in
 * include/cobalt/stats.h, its reduction in host/stats/stats.c, one row here; comparison, size
 * and output follow. */
#ifndef COBALT_HOST_STATS_FIELDS_H
#define COBALT_HOST_STATS_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include "cobalt/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* C type of one element. INT is a C int (written as i32); MODEL is a C int holding a cob_model,
 * written as the model's name; NAME is the char[COB_NAME_MAX] population name (compared as a
 * string; in HDF5 it is the group's name). */
typedef enum {
    COB_SF_U32,
    COB_SF_U64,
    COB_SF_I32,
    COB_SF_I64,
    COB_SF_INT,
    COB_SF_F32,
    COB_SF_F64,
    COB_SF_MODEL,
    COB_SF_NAME
} cob_sf_type;

/* VALUE: the field is the (one) value; OWNED: a pointer to an owned array; INLINE: a fixed-size
 * array inside the struct (COB_MAX_CHANNELS), of which the first `length` elements are used. */
typedef enum { COB_SF_VALUE, COB_SF_OWNED, COB_SF_INLINE } cob_sf_store;

/* Length of an array (ONE for values). Population rows: of the cob_pop_stats; run rows: of the
 * cob_stats. EDGES lengths are bins + 1, or 0 when there are no bins (as written to HDF5).
 * TRACE_CELLS is trace_n x trace_samples, a 2-D dataset. */
typedef enum {
    COB_SF_ONE,
    COB_SF_N,
    COB_SF_V_N,
    COB_SF_RATE_BINS,
    COB_SF_RATE_EDGES,
    COB_SF_CV_BINS,
    COB_SF_CV_EDGES,
    COB_SF_V_BINS,
    COB_SF_V_EDGES,
    COB_SF_N_CHANNELS,
    COB_SF_N_BINS_TS,
    COB_SF_RASTER_N,
    COB_SF_TRACE_N,
    COB_SF_TRACE_CELLS,
    COB_SF_BAL_N,
    COB_SF_BAL_SRC_CELLS,
    COB_SF_N_WINDOWS
} cob_sf_len;

/* How a field appears in the result file: not at all (counts that are the shape of other
 * datasets, the group name), as a dataset, or as an attribute. */
typedef enum { COB_SF_H5_NONE, COB_SF_H5_DATASET, COB_SF_H5_ATTRIBUTE } cob_sf_h5;

typedef struct {
    const char *field; /* C field name */
    size_t off;        /* offsetof(cob_pop_stats, field) or offsetof(cob_stats, field) */
    cob_sf_type type;
    cob_sf_store store;
    cob_sf_len len;
    cob_sf_h5 h5;
    const char *h5_name; /* population rows: in /populations/<name>; run rows: path from the
                                 root ("raster/step", "overflow/ring"); NULL when not written */
    const char *units;   /* "Hz", "mV", "ms", "s", "steps", "1" (dimensionless), or what is
                                 counted ("spikes", "neurons", "samples"); NULL for names */
} cob_stats_field;

/* The fields of cob_pop_stats (struct order) and the run-level fields of cob_stats (struct
 * order; the per-population array pop[] is described by the first table). The HDF5 attribute
 * "index" of a population group is its position, not a field. */
extern const cob_stats_field cob_pop_stats_fields[];
extern const int cob_pop_stats_n_fields;
extern const cob_stats_field cob_run_stats_fields[];
extern const int cob_run_stats_n_fields;

/* Bytes of one element of type t. */
int cob_stats_type_bytes(cob_sf_type t);
/* Elements of field f in owner (the cob_pop_stats for population rows, the cob_stats for run
 * rows); 1 for values. */
int64_t cob_stats_field_len(const cob_stats_field *f, const void *owner);
/* Shape as written to HDF5: rank 0 (value), 1 or 2, dims filled for rank >= 1. */
int cob_stats_field_shape(const cob_stats_field *f, const void *owner, int64_t dims[2]);
/* The first element of f in owner (the array for OWNED rows; NULL if it is not allocated). */
const void *cob_stats_field_data(const cob_stats_field *f, const void *owner);
/* Where the pointer of an OWNED row is in owner. */
void **cob_stats_field_slot(const cob_stats_field *f, void *owner);
/* Bytes of the owned arrays of a population whose count fields (n, v_n, rate_bins, cv_bins,
 * v_bins, n_bins_ts) are those of shape; the arrays themselves are not read. */
int64_t cob_stats_pop_bytes(const cob_pop_stats *shape);

#ifdef __cplusplus
}
#endif
#endif
