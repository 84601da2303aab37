/* host/sweep/sweep_int.h -- internal to the sweep modules (host/sweep/sweep_read.c: the `sweep:` block;
 * host/sweep/sweep.c: points; host/sweep/sweep_merge.c: the sweep file; host/sweep/sweep_summary.c: the summary
 * table and CSV). Not a public header: the API is include/cobalt/sweep.h. */
#ifndef COBALT_SWEEP_INT_H
#define COBALT_SWEEP_INT_H

#include <hdf5.h>
#include "cobalt/sweep.h"
#include "config/config_keys.h"

/* Index of the projection whose in-degree is K in config c: the first recurrent excitatory one
 * (pre == post, receptor E, lif pre); in a config with no projection out of a lif population
 * (unconnected neurons driven by Poisson populations), the first receptor-E projection; -1 if
 * neither exists. */
int cob__sweep_k_proj(const cob_config *c);

/* The `sweep:` block of the document in s -> sw's axes, law, k0 and combine (no counts, no
 * point checks). Messages: "FILE:LINE: sweep.KEY: ...". */
/* 1 when the point file at path is complete for the point whose config text is text: it was
 * published (a regular file under its final name; files are written to a temporary and renamed),
 * it opens as HDF5 and its /config is text (host/sweep/sweep_merge.c). cobalt sweep keeps such
 * points instead of running them again (a resubmitted job array redoes only what is missing). */
int cob__sweep_point_complete(const char *path, const char *text);

cob_status cob__sweep_read(cob_sweep *sw, const cob__src *s, cob_err *err);

/* The summary table of a sweep: n_cols columns of n_rows (= n_points) values. A column is
 * numeric (num) or, for a swept key with words as values, text (txt, pointing into sw). */
typedef struct {
    char name[COB_SWEEP_KEY_MAX + 32];
    double *num;      /* n_rows, or NULL */
    const char **txt; /* n_rows, or NULL */
} cob__sweep_col;

typedef struct {
    int n_cols;
    int64_t n_rows;
    cob__sweep_col *cols;
} cob__sweep_table;

/* Columns point, K, weight_E, each swept key, and per neuron population of the base config
 * the simulated and theoretical rate, CV, V mean and s.d., all NaN (text: "") until filled. */
cob_status cob__sweep_table_init(cob__sweep_table *t, const cob_sweep *sw, cob_err *err);
void cob__sweep_table_free(cob__sweep_table *t);
/* Fill row i from the point's config c and its open result file f (f < 0: missing point,
 * only the spec's columns are filled). */
cob_status cob__sweep_table_row(cob__sweep_table *t, const cob_sweep *sw, int64_t i, const cob_sweep_point *p,
                                const cob_config *c, hid_t f, cob_err *err);
/* The summary CSV to write: the table, and its final path (named in messages). */
typedef struct {
    const cob__sweep_table *t;
    const char *path;
} cob__sweep_csv_job;
/* A cob__publish_fn (util/publish.h; user: a cob__sweep_csv_job): the table as CSV at tmp, a
 * header line, then one line per row; NaN as an empty field. COB_OK or COB_ERR_IO naming the
 * final path, tmp and the OS error. */
cob_status cob__sweep_csv_file(const char *tmp, void *user, cob_err *err);

#endif
