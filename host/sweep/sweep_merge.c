/* host/sweep/sweep_merge.c -- cob_sweep_merge: the point files of a sweep (DIR/point_<i>.h5, each a
 * whole run file) joined into one sweep file: root attributes of a run file plus n_points,
 * swept, law, missing; /config (the sweep config); /points/<i> (H5Ocopy of point i's root,
 * with its overrides as attribute `overrides`); /summary/<column> (host/sweep/sweep_summary.c).
 * Published like every result file (host/util/publish.c: temporary, fsync, rename). Layout in
 * docs/sweeps.md. Pairs with include/cobalt/sweep.h.
 * Limits: serial HDF5; the whole table is held in memory (n_points x columns doubles). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sweep/sweep_int.h"
#include "util/publish.h"

/* One sweep file being written. */
typedef struct {
    const cob_sweep *sw;
    const char *dir, *out;
    hid_t f, points, str_t;
    int root_done;                /* root attributes copied from a point file */
    const unsigned char *present;
    int64_t n_missing;
    cob__sweep_table table;
    cob_err *err;
} merger;

static cob_status h5_fail(const merger *m, const char *what)
{
    return cob_err_set(m->err, COB_ERR_IO, "%s: cannot write %s", m->out, what);
}

/* ---- small writers ---------------------------------------------------------------------- */

/* Attribute name of loc: rank 0 (n ignored) or a 1-D array of n elements of ftype. */
static herr_t put_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank, hsize_t n,
                       const void *v)
{
    hid_t sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = sp < 0 ? -1 : H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : (rank == 1 && n == 0) ? 0 : H5Awrite(a, mtype, v);
    if (a >= 0 && H5Aclose(a) < 0)
        rc = -1;
    if (sp >= 0 && H5Sclose(sp) < 0)
        rc = -1;
    return rc;
}

static herr_t put_str(hid_t loc, hid_t str_t, const char *name, const char *v)
{
    H5Adelete(loc, name);   /* replaces a copied attribute; failure means there was none */
    return put_attr(loc, name, str_t, str_t, 0, 0, &v);
}

/* 1-D dataset name of n elements (0 allowed). */
static herr_t put_dset(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hsize_t n,
                       const void *v)
{
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t d = sp < 0 ? -1 : H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = d < 0 ? -1 : n == 0 ? 0 : H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    if (d >= 0 && H5Dclose(d) < 0)
        rc = -1;
    if (sp >= 0 && H5Sclose(sp) < 0)
        rc = -1;
    return rc;
}

/* Copy one attribute of a point file's root onto the sweep file's root. */
static herr_t copy_attr(hid_t src, const char *name, const H5A_info_t *info, void *dst)
{
    hid_t a = H5Aopen(src, name, H5P_DEFAULT);
    hid_t t = a < 0 ? -1 : H5Aget_type(a), sp = a < 0 ? -1 : H5Aget_space(a);
    hssize_t n = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
    size_t size = t < 0 || n < 0 ? 0 : H5Tget_size(t) * (size_t)(n > 0 ? n : 1);
    void *buf = size ? calloc(1, size) : NULL;
    herr_t rc = buf && H5Aread(a, t, buf) >= 0 ? 0 : -1;
    hid_t b = rc < 0 ? -1 : H5Acreate2(*(hid_t *)dst, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (b < 0 || H5Awrite(b, t, buf) < 0)
        rc = -1;
    if (rc == 0 && (H5Tdetect_class(t, H5T_VLEN) > 0 || H5Tis_variable_str(t) > 0))
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, buf);
    free(buf);
    if (b >= 0) H5Aclose(b);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    (void)info;
    return rc;
}

/* ---- one point ------------------------------------------------------------------------- */

/* The /config text of point file f equals the text the point's config gives. */
static int same_config(hid_t f, const char *text)
{
    hid_t d = H5Dopen2(f, "config", H5P_DEFAULT);
    hid_t t = H5Tcopy(H5T_C_S1);
    char *s = NULL;
    int same = 0;
    if (d >= 0 && t >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 &&
        H5Tset_cset(t, H5T_CSET_UTF8) >= 0 && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) >= 0 && s) {
        same = strcmp(s, text ? text : "") == 0;
        H5free_memory(s);
    }
    if (t >= 0) H5Tclose(t);
    if (d >= 0) H5Dclose(d);
    return same;
}

/* /points/<i>: the point file's root, its overrides; the root attributes from the first. */
static cob_status copy_point(merger *m, hid_t src, const cob_sweep_point *p)
{
    char name[32];
    snprintf(name, sizeof name, "%lld", (long long)p->index);
    if (H5Ocopy(src, "/", m->points, name, H5P_DEFAULT, H5P_DEFAULT) < 0)
        return h5_fail(m, "a copy of a point file");
    hid_t g = H5Gopen2(m->points, name, H5P_DEFAULT);
    hsize_t n = (hsize_t)p->n_sets;
    herr_t rc = g < 0 ? -1 : put_attr(g, "overrides", m->str_t, m->str_t, 1, n, p->sets);
    if (g >= 0 && H5Gclose(g) < 0)
        rc = -1;
    if (rc >= 0 && !m->root_done) {
        hsize_t idx = 0;
        rc = H5Aiterate2(src, H5_INDEX_NAME, H5_ITER_INC, &idx, copy_attr, &m->f);
        m->root_done = 1;
    }
    return rc < 0 ? h5_fail(m, "the attributes of a point") : COB_OK;
}

static cob_status merge_point(merger *m, int64_t i)
{
    cob_sweep_point p;
    cob_config c;
    char path[1100];
    hid_t src = -1;
    cob_status st = cob_sweep_point_make(m->sw, i, &p, m->err);
    if (st != COB_OK)
        return st;
    st = cob_sweep_point_config(m->sw, &p, &c, m->err);
    if (st == COB_OK && m->present[i]) {
        cob_sweep_point_path(m->dir, i, path, sizeof path, NULL);
        src = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (src < 0)
            st = cob_err_set(m->err, COB_ERR_IO, "%s: cannot open point %lld's file (not an "
                             "HDF5 file?)", path, (long long)i);
        else if (!same_config(src, c.text))
            st = cob_err_set(m->err, COB_ERR_CONFIG, "%s was not written for point %lld of this "
                             "sweep: its /config differs from the point's config (was the config "
                             "or a --set changed since it ran?)", path, (long long)i);
        else
            st = copy_point(m, src, &p);
    }
    if (st == COB_OK)
        st = cob__sweep_table_row(&m->table, m->sw, i, &p, &c, src, m->err);
    if (src >= 0)
        H5Fclose(src);
    if (c.text)
        cob_config_free(&c);
    cob_sweep_point_free(&p);
    return st;
}

/* ---- the file -------------------------------------------------------------------------- */

static void now_utc(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm utc;
    if (now == (time_t)-1 || !gmtime_r(&now, &utc) ||
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        snprintf(buf, len, "unknown");
}

/* n_points, swept, law, missing, and the sweep's own config_path, created, seed, /config. */
static cob_status write_root(merger *m)
{
    const cob_sweep *sw = m->sw;
    char swept[COB_SWEEP_MAX_AXES * (COB_SWEEP_KEY_MAX + 1)], created[32];
    size_t used = 0;
    int64_t n_points = sw->n_points, k = 0;
    int64_t *missing = malloc((size_t)(m->n_missing > 0 ? m->n_missing : 1) * sizeof *missing);
    if (!missing)
        return cob_err_set(m->err, COB_ERR_NOMEM, "out of memory merging");
    for (int64_t i = 0; i < sw->n_points; i++)
        if (!m->present[i])
            missing[k++] = i;
    swept[0] = '\0';
    for (int a = 0; a < sw->n_axes; a++)
        used += (size_t)snprintf(swept + used, sizeof swept - used, "%s%s", a ? "," : "",
                                 sw->axes[a].name);
    now_utc(created, sizeof created);
    const char *law = sw->has_k ? cob_scale_law_name(sw->law) : "";
    uint64_t seed = sw->base.run.seed;
    const char *text = sw->base.text ? sw->base.text : "";
    H5Adelete(m->f, "seed");
    herr_t rc = put_attr(m->f, "n_points", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 0, &n_points);
    rc |= put_str(m->f, m->str_t, "swept", swept);
    rc |= put_str(m->f, m->str_t, "law", law);
    rc |= put_str(m->f, m->str_t, "config_path", sw->base.path);
    rc |= put_str(m->f, m->str_t, "created", created);
    rc |= put_attr(m->f, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, 0, &seed);
    rc |= put_attr(m->f, "missing", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, (hsize_t)k, missing);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(m->f, "config", m->str_t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    rc |= d < 0 || H5Dwrite(d, m->str_t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0 ? -1 : 0;
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
    free(missing);
    return rc < 0 ? h5_fail(m, "the root attributes") : COB_OK;
}

cob_status cob__sweep_table_h5(const cob__sweep_table *t, hid_t f, const char *path, cob_err *err)
{
    hid_t g = H5Gcreate2(f, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t str_t = H5Tcopy(H5T_C_S1);
    herr_t rc = g < 0 || str_t < 0 || H5Tset_size(str_t, H5T_VARIABLE) < 0 ||
                H5Tset_cset(str_t, H5T_CSET_UTF8) < 0 ? -1 : 0;
    for (int k = 0; k < t->n_cols && rc >= 0; k++) {
        const cob__sweep_col *c = &t->cols[k];
        rc = c->num ? put_dset(g, c->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, (hsize_t)t->n_rows, c->num)
                    : put_dset(g, c->name, str_t, str_t, (hsize_t)t->n_rows, c->txt);
    }
    if (str_t >= 0) H5Tclose(str_t);
    if (g >= 0 && H5Gclose(g) < 0)
        rc = -1;
    return rc < 0 ? cob_err_set(err, COB_ERR_IO, "%s: cannot write /summary", path) : COB_OK;
}

/* Points, then the root (so the sweep's own attributes win over the copied ones), summary. */
static cob_status write_body(merger *m)
{
    m->points = H5Gcreate2(m->f, "points", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    cob_status st = m->points < 0 ? h5_fail(m, "/points") : COB_OK;
    for (int64_t i = 0; i < m->sw->n_points && st == COB_OK; i++)
        st = merge_point(m, i);
    if (m->points >= 0 && H5Gclose(m->points) < 0 && st == COB_OK)
        st = h5_fail(m, "/points");
    if (st == COB_OK)
        st = write_root(m);
    return st != COB_OK ? st : cob__sweep_table_h5(&m->table, m->f, m->out, m->err);
}

/* What cob__publish calls: the whole sweep file at tmp (user: the merger). */
static cob_status write_file(const char *tmp, void *user, cob_err *err)
{
    merger *m = user;
    m->f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (m->f < 0)
        return cob_err_set(m->err, COB_ERR_IO, "%s: cannot create the sweep file (as temporary "
                           "%s)", m->out, tmp);
    m->str_t = H5Tcopy(H5T_C_S1);
    cob_status st = m->str_t < 0 || H5Tset_size(m->str_t, H5T_VARIABLE) < 0 ||
                    H5Tset_cset(m->str_t, H5T_CSET_UTF8) < 0 ? h5_fail(m, "(string type)")
                                                             : write_body(m);
    if (m->str_t >= 0)
        H5Tclose(m->str_t);
    if (H5Fclose(m->f) < 0 && st == COB_OK)
        st = h5_fail(m, "(closing the file)");
    return st;
}

/* "N of M point files are missing in DIR: 1, 4, 7" (the first 20). */
static cob_status missing_error(const merger *m)
{
    char list[512];
    size_t used = 0;
    int shown = 0;
    list[0] = '\0';
    for (int64_t i = 0; i < m->sw->n_points && shown < 20; i++)
        if (!m->present[i])
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%lld", shown++ ? ", " : "",
                                     (long long)i);
    if (m->n_missing == m->sw->n_points)
        return cob_err_set(m->err, COB_ERR_IO, "no point files in %s (expected %s/point_0.h5 .. "
                           "point_%lld.h5): nothing to merge (is --dir the folder the points ran "
                           "into?)", m->dir, m->dir, (long long)m->sw->n_points - 1);
    return cob_err_set(m->err, COB_ERR_IO, "%lld of %lld point files are missing in %s: %s%s "
                       "(run them with cobalt sweep CONFIG --point I --dir %s, or merge with "
                       "--allow-missing)", (long long)m->n_missing, (long long)m->sw->n_points,
                       m->dir, list, m->n_missing > shown ? ", ..." : "", m->dir);
}

cob_status cob_sweep_merge(const cob_sweep *sw, const char *dir, const char *out, const char *csv,
                           int allow_missing, cob_err *err)
{
    unsigned char *present = calloc((size_t)sw->n_points, 1);
    merger m = {sw, dir, out, -1, -1, -1, 0, present, 0, {0, 0, NULL}, err};
    if (!present)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory merging");
    m.n_missing = cob_sweep_scan(sw, dir, present);
    cob_status st = COB_OK;
    if (m.n_missing == sw->n_points || (m.n_missing > 0 && !allow_missing))
        st = missing_error(&m);
    if (st == COB_OK && H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0)
        st = cob_err_set(err, COB_ERR_IO, "%s: cannot initialise HDF5", out);
    if (st == COB_OK)
        st = cob__sweep_table_init(&m.table, sw, err);
    if (st == COB_OK)
        st = cob__publish(out, write_file, &m, err);
    if (st == COB_OK && csv)
        st = cob__sweep_csv(&m.table, csv, err);
    cob__sweep_table_free(&m.table);
    free(present);
    return st;
}
