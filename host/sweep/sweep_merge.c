/* host/sweep/sweep_merge.c -- cob_sweep_merge: the point files of a sweep (DIR/point_<i>.h5, each a
 * whole run file) joined into one sweep file: root attributes of a run file plus n_points,
 * swept, law, missing; /config (the sweep config); /points/<i> (H5Ocopy of point i's root,
 * with its overrides as attribute `overrides`); /summary/<column> (host/sweep/sweep_summary.c).
 * Published like every result file (host/util/publish.c: temporary, fsync, rename), together with
 * the summary CSV: both files or neither. Layout in
 * docs/sweeps.md. Pairs with include/cobalt/sweep.h.
 * Limits: serial HDF5; the whole table is held in memory (n_points x columns doubles). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include "sweep/sweep_int.h"
#include "util/h5.h"
#include "util/publish.h"

/* One sweep file being written. */
typedef struct {
    const cob_sweep *sw;
    const char *dir, *out;
    hid_t f;       /* the sweep file's root, while it is written */
    int root_done; /* root attributes copied from a point file */
    const unsigned char *present;
    int64_t n_missing;
    cob__sweep_table table;
    cob__h5w w;
    cob_err *err;
} merger;

/* H5Aiterate2 callback: copy one attribute of a point file's root onto the sweep file's root
 * (user: the merger); keeps the HDF5 detail of a failure. */
static herr_t copy_attr(hid_t src, const char *name, const H5A_info_t *info, void *user)
{
    merger *m = user;
    hid_t a = H5Aopen(src, name, H5P_DEFAULT);
    hid_t t = a < 0 ? -1 : H5Aget_type(a), sp = a < 0 ? -1 : H5Aget_space(a);
    hssize_t n = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
    size_t size = t < 0 || n < 0 ? 0 : H5Tget_size(t) * (size_t)(n > 0 ? n : 1);
    void *buf = size ? calloc(1, size) : NULL;
    herr_t rc = buf && H5Aread(a, t, buf) >= 0 ? 0 : -1;
    hid_t b = rc < 0 ? -1 : H5Acreate2(m->f, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (b < 0 || H5Awrite(b, t, buf) < 0)
        rc = -1;
    if (rc < 0)
        cob__h5_note(&m->w);
    if (rc == 0 && (H5Tdetect_class(t, H5T_VLEN) > 0 || H5Tis_variable_str(t) > 0))
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, buf);
    free(buf);
    if (b >= 0)
        H5Aclose(b);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
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
    if (d >= 0 && t >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 && H5Tset_cset(t, H5T_CSET_UTF8) >= 0 &&
        H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) >= 0 && s) {
        same = strcmp(s, text ? text : "") == 0;
        H5free_memory(s);
    }
    if (t >= 0)
        H5Tclose(t);
    if (d >= 0)
        H5Dclose(d);
    return same;
}

/* /points/<i> in the group points: the point file's root, its overrides; the root attributes
 * from the first point copied. */
static cob_status copy_point(merger *m, hid_t points, hid_t src, const cob_sweep_point *p)
{
    cob__h5w *w = &m->w;
    char name[32];
    snprintf(name, sizeof name, "%lld", (long long)p->index);
    if (H5Ocopy(src, "/", points, name, H5P_DEFAULT, H5P_DEFAULT) < 0) {
        cob__h5_note(w);
        return cob__h5_fail(w, name);
    }
    hid_t g = H5Gopen2(points, name, H5P_DEFAULT);
    if (g < 0) {
        cob__h5_note(w);
        return cob__h5_fail(w, name);
    }
    cob_status st = cob__h5_attr(w, g, "overrides", w->str_t, w->str_t, 1, (hsize_t)p->n_sets, p->sets);
    if (H5Gclose(g) < 0 && st == COB_OK) {
        cob__h5_note(w);
        st = cob__h5_fail(w, name);
    }
    if (st != COB_OK || m->root_done)
        return st;
    hsize_t idx = 0;
    m->root_done = 1;
    if (H5Aiterate2(src, H5_INDEX_NAME, H5_ITER_INC, &idx, copy_attr, m) < 0)
        return cob_err_set(m->err, COB_ERR_IO,
                           "%s: cannot copy the root attributes of point "
                           "%s's file (HDF5: %s)",
                           m->out, name, w->detail[0] ? w->detail : "no detail");
    return COB_OK;
}

int cob__sweep_point_complete(const char *path, const char *text)
{
    struct stat st;
    hid_t f;
    int same;
    char why[256];
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    if (cob__h5_verify(path, why, sizeof why) == 0) /* damaged since it was written: run it again */
        return 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* a file that does not open is an answer, not an error */
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return 0;
    same = same_config(f, text);
    H5Fclose(f);
    return same;
}

/* Point i into the group points (when its file is there) and into the summary table. */
static cob_status merge_point(merger *m, hid_t points, int64_t i)
{
    cob_sweep_point p;
    cob_config c;
    char path[COB_SWEEP_PATH_MAX];
    hid_t src = -1;
    cob_status st = cob_sweep_point_make(m->sw, i, &p, m->err);
    if (st != COB_OK)
        return st;
    st = cob_sweep_point_config(m->sw, &p, &c, m->err);
    if (st == COB_OK && m->present[i]) {
        char why[256] = "";
        cob_sweep_point_path(m->dir, i, path, sizeof path, NULL);
        src = cob__h5_verify(path, why, sizeof why) == 0 ? H5I_INVALID_HID : H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (src < 0 && why[0] && strncmp(why, "checksum", 8) == 0)
            st = cob_err_set(m->err, COB_ERR_IO, "%s: point %lld's file: %s; run that point again", path, (long long)i,
                             why);
        else if (src < 0)
            st = cob_err_set(m->err, COB_ERR_IO,
                             "%s: cannot open point %lld's file (not an "
                             "HDF5 file?)",
                             path, (long long)i);
        else if (!same_config(src, c.text))
            st = cob_err_set(m->err, COB_ERR_CONFIG,
                             "%s was not written for point %lld of this "
                             "sweep: its /config differs from the point's config (was the config "
                             "or a --set changed since it ran?)",
                             path, (long long)i);
        else
            st = copy_point(m, points, src, &p);
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

/* The indices of the missing points (*n of them); NULL when out of memory. */
static int64_t *missing_points(const merger *m, int64_t *n)
{
    int64_t *missing = malloc((size_t)(m->n_missing > 0 ? m->n_missing : 1) * sizeof *missing);
    *n = 0;
    for (int64_t i = 0; missing && i < m->sw->n_points; i++)
        if (!m->present[i])
            missing[(*n)++] = i;
    return missing;
}

/* n_points, swept, law, missing, and the sweep's own config_path, created, seed, /config (the
 * attributes copied from a point file under those names are replaced). */
static cob_status write_root(merger *m, hid_t f)
{
    cob__h5w *w = &m->w;
    const cob_sweep *sw = m->sw;
    char swept[COB_SWEEP_MAX_AXES * (COB_SWEEP_KEY_MAX + 1)];
    size_t used = 0;
    int64_t k;
    int64_t *missing = missing_points(m, &k);
    if (!missing)
        return cob_err_set(m->err, COB_ERR_NOMEM, "out of memory merging");
    swept[0] = '\0';
    for (int a = 0; a < sw->n_axes; a++)
        used += (size_t)snprintf(swept + used, sizeof swept - used, "%s%s", a ? "," : "", sw->axes[a].name);
    const char *keys[3] = {"swept", "law", "config_path"};
    const char *vals[3] = {swept, sw->has_k ? cob_scale_law_name(sw->law) : "", sw->base.path};
    const char *text = sw->base.text ? sw->base.text : "";
    cob__h5_i64 n_points[] = {{"n_points", sw->n_points}};
    cob_status st = cob__h5_attrs_i64(w, f, n_points, 1);
    for (int i = 0; i < 3 && st == COB_OK; i++) {
        st = cob__h5_attr_del(w, f, keys[i]);
        if (st == COB_OK)
            st = cob__h5_attr_str(w, f, keys[i], vals[i]);
    }
    if (st == COB_OK)
        st = cob__h5_attr_created(w, f);
    if (st == COB_OK)
        st = cob__h5_attr_del(w, f, "seed");
    if (st == COB_OK)
        st = cob__h5_attr_u64(w, f, "seed", sw->base.run.seed);
    if (st == COB_OK)
        st = cob__h5_attr(w, f, "missing", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, (hsize_t)k, missing);
    if (st == COB_OK)
        st = cob__h5_dset(w, f, "config", w->str_t, w->str_t, 0, NULL, &text);
    free(missing);
    return st;
}

/* /points: every point (user: the merger). */
static cob_status write_points(cob__h5w *w, hid_t g, void *user)
{
    merger *m = user;
    cob_status st = COB_OK;
    for (int64_t i = 0; i < m->sw->n_points && st == COB_OK; i++) st = merge_point(m, g, i);
    return st;
}

/* /summary: the table as 1-D datasets, one per column (user: the table). */
static cob_status write_summary(cob__h5w *w, hid_t g, void *user)
{
    const cob__sweep_table *t = user;
    hsize_t n = (hsize_t)t->n_rows;
    cob_status st = COB_OK;
    for (int k = 0; k < t->n_cols && st == COB_OK; k++) {
        const cob__sweep_col *c = &t->cols[k];
        st = c->num ? cob__h5_dset(w, g, c->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, c->num)
                    : cob__h5_dset(w, g, c->name, w->str_t, w->str_t, 1, &n, c->txt);
    }
    return st;
}

/* Points, then the root (so the sweep's own attributes win over the copied ones), summary. */
static cob_status write_body(cob__h5w *w, hid_t f, void *user)
{
    merger *m = user;
    m->f = f;
    cob_status st = cob__h5_group(w, f, "points", write_points, m);
    if (st == COB_OK)
        st = write_root(m, f);
    return st != COB_OK ? st : cob__h5_group(w, f, "summary", write_summary, &m->table);
}

/* What cob__publish calls: the whole sweep file at tmp (user: the merger). */
static cob_status write_file(const char *tmp, void *user, cob_err *err)
{
    merger *m = user;
    return cob__h5_file(&m->w, tmp, "the sweep file", write_body, m);
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
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%lld", shown++ ? ", " : "", (long long)i);
    if (m->n_missing == m->sw->n_points)
        return cob_err_set(m->err, COB_ERR_IO,
                           "no point files in %s (expected %s/point_0.h5 .. "
                           "point_%lld.h5): nothing to merge (is --dir the folder the points ran "
                           "into?)",
                           m->dir, m->dir, (long long)m->sw->n_points - 1);
    return cob_err_set(m->err, COB_ERR_IO,
                       "%lld of %lld point files are missing in %s: %s%s "
                       "(run them with cobalt sweep CONFIG --point I --dir %s, or merge with "
                       "--allow-missing)",
                       (long long)m->n_missing, (long long)m->sw->n_points, m->dir, list,
                       m->n_missing > shown ? ", ..." : "", m->dir);
}

cob_status cob_sweep_merge(const cob_sweep *sw, const char *dir, const char *out, const char *csv, int allow_missing,
                           cob_err *err)
{
    unsigned char *present = calloc((size_t)sw->n_points, 1);
    merger m = {.sw = sw, .dir = dir, .out = out, .f = H5I_INVALID_HID, .present = present, .err = err};
    if (!present)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory merging");
    m.n_missing = cob_sweep_scan(sw, dir, present);
    cob_status st = COB_OK;
    if (m.n_missing == sw->n_points || (m.n_missing > 0 && !allow_missing))
        st = missing_error(&m);
    if (st == COB_OK) /* contiguous datasets, as the sweep file always had */
        st = cob__h5w_init(&m.w, out, 0, err);
    if (st == COB_OK)
        st = cob__sweep_table_init(&m.table, sw, err);
    /* the CSV after the sweep file: writing the points fills the table; both or neither */
    cob__sweep_csv_job job = {&m.table, csv};
    cob__publish_item items[2] = {{out, write_file, &m}, {csv, cob__sweep_csv_file, &job}};
    if (st == COB_OK)
        st = cob__publish_all(items, csv ? 2 : 1, err);
    cob__sweep_table_free(&m.table);
    free(present);
    return st;
}
