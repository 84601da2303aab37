/* host/util/h5.c -- HDF5 writing helpers: file, group, attribute and dataset writers with one
 * error form. Pairs with host/util/h5.h (contracts and limits). */
#define _POSIX_C_SOURCE 200809L
#include "util/h5.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COB__H5_DEFLATE_MIN 4096  /* datasets with more elements are chunked and compressed */
#define COB__H5_CHUNK_ELEMS 65536 /* target elements per chunk */
#define COB__H5_DEFLATE_LEVEL 4
#define COB__H5_CORE_INCREMENT ((size_t)1 << 20) /* the in-memory file grows by 1 MiB steps */

/* ---- errors ------------------------------------------------------------------------ */

static herr_t walk_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc)
        snprintf((char *)data, COB__H5_DETAIL_MAX, "%s", e->desc);
    return 0;
}

void cob__h5_note(cob__h5w *w)
{
    if (w->detail[0] == '\0' && H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_innermost, w->detail) < 0)
        snprintf(w->detail, sizeof w->detail, "no detail");
}

cob_status cob__h5_fail(cob__h5w *w, const char *name)
{
    return cob_err_set(w->err, COB_ERR_IO, "%s: cannot write %s/%s (HDF5: %s)", w->path, w->where, name,
                       w->detail[0] ? w->detail : "no detail");
}

static void close_id(cob__h5w *w, herr_t (*fn)(hid_t), hid_t id, herr_t *rc)
{
    if (id >= 0 && fn(id) < 0) {
        cob__h5_note(w);
        *rc = -1;
    }
}

/* ---- file and groups --------------------------------------------------------------- */

cob_status cob__h5w_init(cob__h5w *w, const char *path, int compress, cob_err *err)
{
    memset(w, 0, sizeof *w);
    w->path = path;
    w->str_t = H5I_INVALID_HID;
    w->err = err;
    if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0)
        return cob_err_set(err, COB_ERR_IO, "%s: cannot initialise HDF5", path);
    w->deflate = compress && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0;
    return COB_OK;
}

/* Write the n bytes of image to file_path (created or truncated; a device is written in place).
 * Returns COB_OK or COB_ERR_IO naming the final path, what, the file and the OS error. */
static cob_status write_image(cob__h5w *w, const char *file_path, const char *what, const unsigned char *image,
                              size_t n)
{
    int fd = open(file_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    int e = fd < 0 ? errno : 0;
    for (size_t done = 0; fd >= 0 && e == 0 && done < n;) {
        ssize_t k = write(fd, image + done, n - done);
        if (k > 0)
            done += (size_t)k;
        else if (k == 0 || errno != EINTR)
            e = k == 0 ? EIO : errno;
    }
    if (fd >= 0 && close(fd) != 0 && e == 0)
        e = errno;
    if (e == 0)
        return COB_OK;
    if (strcmp(file_path, w->path) == 0)
        return cob_err_set(w->err, COB_ERR_IO, "%s: cannot write %s: %s", w->path, what, strerror(e));
    return cob_err_set(w->err, COB_ERR_IO, "%s: cannot write %s (as temporary %s): %s", w->path, what, file_path,
                       strerror(e));
}

/* The file image of f (flushed) into a new buffer *image of *n bytes. Returns 0, or -1 after
 * noting the HDF5 detail (*image NULL). */
static herr_t take_image(cob__h5w *w, hid_t f, unsigned char **image, size_t *n)
{
    ssize_t size = H5Fflush(f, H5F_SCOPE_GLOBAL) < 0 ? -1 : H5Fget_file_image(f, NULL, 0);
    *image = size > 0 ? malloc((size_t)size) : NULL;
    *n = size > 0 ? (size_t)size : 0;
    if (*image && H5Fget_file_image(f, *image, *n) == size)
        return 0;
    if (size <= 0 || *image)
        cob__h5_note(w);
    else
        snprintf(w->detail, sizeof w->detail, "out of memory for a %lld-byte file image", (long long)size);
    free(*image);
    *image = NULL;
    return -1;
}

/* The checksum trailer after the HDF5 image (HDF5 and h5py ignore bytes past the file's end of
 * allocation): exactly COB__H5_TRAILER bytes, "COBALT-CHECKSUM-1 fnv1a64=<16 hex> bytes=<20 digits>\n"
 * padded with spaces, over the image's n bytes before it. */
#define COB__H5_TRAILER 80
static uint64_t fnv1a64(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}
#define COB__FNV0 14695981039346656037ull

int cob__h5_verify(const char *path, char *msg, size_t len)
{
    FILE *f = fopen(path, "rb");
    char tail[COB__H5_TRAILER + 1];
    unsigned char buf[65536];
    unsigned long long want, bytes, got = 0;
    uint64_t h = COB__FNV0;
    long size;
    if (!f) {
        snprintf(msg, len, "cannot open: %s", strerror(errno));
        return 0;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < COB__H5_TRAILER ||
        fseek(f, size - COB__H5_TRAILER, SEEK_SET) != 0 || fread(tail, 1, COB__H5_TRAILER, f) != COB__H5_TRAILER) {
        fclose(f);
        snprintf(msg, len, "no checksum trailer (too short, or written before cobalt recorded one)");
        return -1;
    }
    tail[COB__H5_TRAILER] = '\0';
    if (sscanf(tail, "COBALT-CHECKSUM-1 fnv1a64=%16llx bytes=%llu", &want, &bytes) != 2) {
        fclose(f);
        snprintf(msg, len, "no checksum trailer (written before cobalt recorded one)");
        return -1;
    }
    rewind(f);
    while (got < bytes) {
        size_t want_n = bytes - got < sizeof buf ? (size_t)(bytes - got) : sizeof buf;
        size_t k = fread(buf, 1, want_n, f);
        if (k == 0)
            break;
        h = fnv1a64(h, buf, k);
        got += k;
    }
    fclose(f);
    if (got != bytes || (unsigned long long)size != bytes + COB__H5_TRAILER || h != want) {
        snprintf(msg, len,
                 "checksum mismatch (fnv1a64 %016llx over %llu bytes, recorded %016llx over %llu): the file was "
                 "changed or damaged after it was written",
                 (unsigned long long)h, got, want, bytes);
        return 0;
    }
    return 1;
}

cob_status cob__h5_file(cob__h5w *w, const char *file_path, const char *what, cob__h5_body body, void *user)
{
    /* In memory (core driver, no backing store): the one disk write is write_image's, so a full
     * disk is an OS error there, never a failed H5Fclose (HDF5 1.10 keeps such a file's id and
     * crashes on it in its atexit handler). */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t f = fapl < 0 || H5Pset_fapl_core(fapl, COB__H5_CORE_INCREMENT, 0) < 0
                  ? H5I_INVALID_HID
                  : H5Fcreate(file_path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (f < 0)
        cob__h5_note(w);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (f < 0)
        return cob_err_set(w->err, COB_ERR_IO, "%s: cannot create %s (as temporary %s; HDF5: %s)", w->path, what,
                           file_path, w->detail);
    w->str_t = H5Tcopy(H5T_C_S1);
    herr_t rc = w->str_t < 0 || H5Tset_size(w->str_t, H5T_VARIABLE) < 0 || H5Tset_cset(w->str_t, H5T_CSET_UTF8) < 0
                    ? -1
                    : 0;
    if (rc < 0)
        cob__h5_note(w);
    cob_status st = rc < 0 ? cob__h5_fail(w, "(string type)") : body(w, f, user);
    rc = 0;
    close_id(w, H5Tclose, w->str_t, &rc);
    w->str_t = H5I_INVALID_HID;
    unsigned char *image = NULL;
    size_t n = 0;
    if (st == COB_OK && rc == 0)
        rc = take_image(w, f, &image, &n);
    if (st == COB_OK && rc == 0) { /* room for the checksum trailer */
        unsigned char *grown = realloc(image, n + COB__H5_TRAILER + 1);
        if (!grown) {
            snprintf(w->detail, sizeof w->detail, "out of memory for a %zu-byte file image", n);
            rc = -1;
        } else {
            image = grown;
            snprintf((char *)image + n, COB__H5_TRAILER + 1, "COBALT-CHECKSUM-1 fnv1a64=%016llx bytes=%020llu",
                     (unsigned long long)fnv1a64(COB__FNV0, image, n), (unsigned long long)n);
            memset(image + n + strlen((char *)image + n), ' ', COB__H5_TRAILER - strlen((char *)image + n));
            image[n + COB__H5_TRAILER - 1] = '\n';
            n += COB__H5_TRAILER;
        }
    }
    close_id(w, H5Fclose, f, &rc);
    if (st == COB_OK && rc < 0)
        st = cob__h5_fail(w, "(closing the file)");
    if (st == COB_OK)
        st = write_image(w, file_path, what, image, n);
    free(image);
    return st;
}

cob_status cob__h5_group(cob__h5w *w, hid_t loc, const char *name, cob__h5_body body, void *user)
{
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) {
        cob__h5_note(w);
        return cob__h5_fail(w, name);
    }
    char saved[sizeof w->where];
    memcpy(saved, w->where, sizeof saved);
    size_t used = strlen(w->where);
    snprintf(w->where + used, sizeof w->where - used, "/%s", name);
    cob_status st = body(w, g, user);
    memcpy(w->where, saved, sizeof saved);
    herr_t rc = 0;
    close_id(w, H5Gclose, g, &rc);
    return st == COB_OK && rc < 0 ? cob__h5_fail(w, name) : st;
}

/* ---- attributes -------------------------------------------------------------------- */

cob_status cob__h5_attr(cob__h5w *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank, hsize_t n,
                        const void *v)
{
    hid_t sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = sp < 0 ? H5I_INVALID_HID : H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : (rank == 1 && n == 0) ? 0 : H5Awrite(a, mtype, v);
    if (rc < 0)
        cob__h5_note(w);
    close_id(w, H5Aclose, a, &rc);
    close_id(w, H5Sclose, sp, &rc);
    return rc < 0 ? cob__h5_fail(w, name) : COB_OK;
}

cob_status cob__h5_attr_str(cob__h5w *w, hid_t loc, const char *name, const char *v)
{
    const char *p = v ? v : "";
    return cob__h5_attr(w, loc, name, w->str_t, w->str_t, 0, 0, &p);
}

cob_status cob__h5_attr_u64(cob__h5w *w, hid_t loc, const char *name, uint64_t v)
{
    return cob__h5_attr(w, loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, 0, &v);
}

cob_status cob__h5_attr_del(cob__h5w *w, hid_t loc, const char *name)
{
    htri_t there = H5Aexists(loc, name);
    if (there == 0 || (there > 0 && H5Adelete(loc, name) >= 0))
        return COB_OK;
    cob__h5_note(w);
    return cob__h5_fail(w, name);
}

cob_status cob__h5_attr_created(cob__h5w *w, hid_t loc)
{
    char now[32];
    time_t t = time(NULL);
    struct tm utc;
    if (t == (time_t)-1 || !gmtime_r(&t, &utc) || strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        snprintf(now, sizeof now, "unknown");
    cob_status st = cob__h5_attr_del(w, loc, "created");
    return st != COB_OK ? st : cob__h5_attr_str(w, loc, "created", now);
}

cob_status cob__h5_attrs_f64(cob__h5w *w, hid_t loc, const cob__h5_f64 *kv, int n)
{
    for (int i = 0; i < n; i++) {
        cob_status st = cob__h5_attr(w, loc, kv[i].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, 0, &kv[i].v);
        if (st != COB_OK)
            return st;
    }
    return COB_OK;
}

cob_status cob__h5_attrs_i64(cob__h5w *w, hid_t loc, const cob__h5_i64 *kv, int n)
{
    for (int i = 0; i < n; i++) {
        cob_status st = cob__h5_attr(w, loc, kv[i].name, H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 0, &kv[i].v);
        if (st != COB_OK)
            return st;
    }
    return COB_OK;
}

/* ---- datasets ---------------------------------------------------------------------- */

/* Creation properties: chunked + shuffle + deflate above COB__H5_DEFLATE_MIN elements. */
static hid_t dcpl_for(cob__h5w *w, int rank, const hsize_t *dims, hsize_t n_el)
{
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p < 0 || n_el <= COB__H5_DEFLATE_MIN || !w->deflate)
        return p;
    hsize_t chunk[2] = {dims[0], 1};
    if (rank == 1) {
        chunk[0] = dims[0] < COB__H5_CHUNK_ELEMS ? dims[0] : COB__H5_CHUNK_ELEMS;
    } else {
        chunk[1] = dims[1] < COB__H5_CHUNK_ELEMS ? dims[1] : COB__H5_CHUNK_ELEMS;
        hsize_t rows = COB__H5_CHUNK_ELEMS / chunk[1];
        chunk[0] = rows < 1 ? 1 : rows < dims[0] ? rows : dims[0];
    }
    if (H5Pset_chunk(p, rank, chunk) < 0 || H5Pset_shuffle(p) < 0 || H5Pset_deflate(p, COB__H5_DEFLATE_LEVEL) < 0) {
        cob__h5_note(w);
        H5Pclose(p);
        return H5I_INVALID_HID;
    }
    return p;
}

cob_status cob__h5_dset(cob__h5w *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank,
                        const hsize_t *dims, const void *data)
{
    hsize_t n_el = rank == 0 ? 1 : rank == 1 ? dims[0] : dims[0] * dims[1];
    if (n_el > 0 && !data)
        return cob_err_set(w->err, COB_ERR_INVALID, "%s: %s/%s has %llu elements but no data", w->path, w->where, name,
                           (unsigned long long)n_el);
    hid_t sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = sp < 0 ? H5I_INVALID_HID : dcpl_for(w, rank, dims, n_el);
    hid_t d = dcpl < 0 ? H5I_INVALID_HID : H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    herr_t rc = d < 0 ? -1 : n_el == 0 ? 0 : H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (rc < 0)
        cob__h5_note(w);
    close_id(w, H5Dclose, d, &rc);
    close_id(w, H5Pclose, dcpl, &rc);
    close_id(w, H5Sclose, sp, &rc);
    return rc < 0 ? cob__h5_fail(w, name) : COB_OK;
}

cob_status cob__h5_dsets(cob__h5w *w, hid_t loc, const cob__h5_arr *a, int n)
{
    for (int i = 0; i < n; i++) {
        cob_status st = cob__h5_dset(w, loc, a[i].name, a[i].ftype, a[i].mtype, 1, &a[i].n, a[i].data);
        if (st != COB_OK)
            return st;
    }
    return COB_OK;
}
