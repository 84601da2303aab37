/* host/util/h5.h -- HDF5 writing helpers shared by the run file (host/output/output.c) and the
 * sweep file (host/sweep/sweep_merge.c): a file, groups, attributes and datasets, each checked,
 * every handle closed on all paths, and one message form for every failure:
 * "PATH: cannot write /GROUP/NAME (HDF5: innermost HDF5 error)". Internal to libcobalt
 * (included as "util/h5.h"); implemented in host/util/h5.c.
 * Types are given as pairs (file type, memory type), e.g. H5T_STD_U64LE / H5T_NATIVE_UINT64;
 * strings are variable-length UTF-8 (cob__h5w.str_t).
 * Limits: serial HDF5 (one writer thread per process); datasets are written from memory in one
 * piece; a whole file is built in memory before it is written; only the first failure's HDF5
 * detail is kept. */
#ifndef COBALT_UTIL_H5_H
#define COBALT_UTIL_H5_H

#include <stdint.h>

#include <hdf5.h>

#include "cobalt/status.h"

#define COB__H5_WHERE_MAX 128
#define COB__H5_DETAIL_MAX 256

/* One file being written: what messages name, and the shared string type. */
typedef struct {
    const char *path;                /* final path of the file, named in every message */
    char where[COB__H5_WHERE_MAX];   /* group being written, e.g. "/populations/E" ("" = root) */
    char detail[COB__H5_DETAIL_MAX]; /* innermost HDF5 error of the first failure */
    hid_t str_t;                     /* variable-length UTF-8 string (while cob__h5_file runs) */
    int deflate;                     /* chunk + shuffle + deflate datasets above 4096 elements */
    cob_err *err;
} cob__h5w;

/* Writes into the open file or group loc; user is what the caller passed along. */
typedef cob_status (*cob__h5_body)(cob__h5w *w, hid_t loc, void *user);

/* A named scalar attribute (cob__h5_attrs_f64 / _i64), and a named 1-D dataset of n elements
 * (cob__h5_dsets; data may be NULL when n is 0). */
typedef struct {
    const char *name;
    double v;
} cob__h5_f64;
typedef struct {
    const char *name;
    int64_t v;
} cob__h5_i64;
typedef struct {
    const char *name;
    hid_t ftype, mtype;
    hsize_t n;
    const void *data;
} cob__h5_arr;

/* Start writing the file whose final path is path (named in messages; the file itself is
 * created by cob__h5_file). compress: chunk and deflate large datasets when HDF5 has the
 * filter (0: every dataset contiguous). Turns HDF5's automatic error printing off.
 * Returns COB_OK or COB_ERR_IO ("PATH: cannot initialise HDF5"). */
cob_status cob__h5w_init(cob__h5w *w, const char *path, int compress, cob_err *err);

/* Build the HDF5 file in memory (HDF5's core driver), make w->str_t, run body on the file's
 * root, close everything, then write the whole image to file_path (created or truncated) with
 * plain write(2): a full disk or a file size limit is an OS error of that one write, and HDF5
 * never fails to close a file on disk (HDF5 1.10 then keeps the file's id and crashes on it at
 * exit). what names the file in messages ("PATH: cannot write WHAT (as temporary FILE_PATH):
 * No space left on device"). Returns body's status, or COB_ERR_IO; file_path may be left
 * partly written on failure (cob__publish removes its temporary). Memory: the image is held
 * twice (HDF5's and the copy written) at the end. */
cob_status cob__h5_file(cob__h5w *w, const char *file_path, const char *what, cob__h5_body body, void *user);
/* Files of cob__h5_file end with an 80-byte checksum trailer of the bytes before it (HDF5 and
 * h5py ignore bytes past the file's end). 1: it matches; 0: it does not, or the file cannot be
 * read (msg says which); -1: no trailer (a file from before it was recorded). */
int cob__h5_verify(const char *path, char *msg, size_t len);

/* Create group name in loc and run body in it (w->where names it meanwhile), then close it.
 * Returns body's status, or COB_ERR_IO. */
cob_status cob__h5_group(cob__h5w *w, hid_t loc, const char *name, cob__h5_body body, void *user);

/* Attribute name of loc: rank 0 a scalar (n ignored), rank 1 an array of n elements (n may be
 * 0; v then unused). Returns COB_OK or COB_ERR_IO. */
cob_status cob__h5_attr(cob__h5w *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank, hsize_t n,
                        const void *v);
/* Scalar string attribute (v NULL: ""). */
cob_status cob__h5_attr_str(cob__h5w *w, hid_t loc, const char *name, const char *v);
/* Scalar unsigned 64-bit attribute. */
cob_status cob__h5_attr_u64(cob__h5w *w, hid_t loc, const char *name, uint64_t v);
/* String attribute "created": the current UTC time in ISO 8601 ("2024-05-01T12:00:00Z";
 * "unknown" when the clock cannot be read), replacing an existing "created". */
cob_status cob__h5_attr_created(cob__h5w *w, hid_t loc);
/* Delete attribute name of loc if it exists (before replacing one copied from elsewhere). */
cob_status cob__h5_attr_del(cob__h5w *w, hid_t loc, const char *name);
/* n scalar attributes, F64 (double) or I64 (int64); stops at the first failure. */
cob_status cob__h5_attrs_f64(cob__h5w *w, hid_t loc, const cob__h5_f64 *kv, int n);
cob_status cob__h5_attrs_i64(cob__h5w *w, hid_t loc, const cob__h5_i64 *kv, int n);

/* Dataset name of loc of rank 0 (scalar; dims unused), 1 or 2 (dims[rank]). Zero-length
 * datasets are created and not written. Above 4096 elements it is chunked (up to 65536
 * elements a chunk), shuffled and deflated (level 4) when w->deflate. Returns COB_OK,
 * COB_ERR_INVALID (elements but data NULL; message names the dataset) or COB_ERR_IO. */
cob_status cob__h5_dset(cob__h5w *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank,
                        const hsize_t *dims, const void *data);
/* n 1-D datasets; stops at the first failure. */
cob_status cob__h5_dsets(cob__h5w *w, hid_t loc, const cob__h5_arr *a, int n);

/* For callers making their own HDF5 calls: keep the innermost message of the current HDF5
 * error stack (call right after the failing call; only the first failure is kept), and the
 * COB_ERR_IO message "PATH: cannot write WHERE/NAME (HDF5: detail)". */
void cob__h5_note(cob__h5w *w);
cob_status cob__h5_fail(cob__h5w *w, const char *name);

#endif
