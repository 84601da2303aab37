/* tests/test_stats_fields.c -- the descriptor tables of the reduced results
 * (host/stats/stats_fields.h) and cob_stats_first_difference: every byte of cob_pop_stats and of
 * cob_stats' run-level part belongs to a row (a field without a row would be neither compared nor
 * sized); every row written to HDF5 is named in docs/results.md; a file written by
 * cob_output_write_h5 from a CPU run holds exactly the rows' datasets and attributes with the
 * rows' shapes and element sizes; the comparison finds a one-bit change in any row (NaN payloads
 * included) and names it; the byte count of a population's arrays. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include "test_util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>

#include "cobalt/output.h"
#include "stats/stats_fields.h"

TestSuite(stats_fields, .init = test_one_thread);

static size_t align_of(const cob_stats_field *f)
{
    if (f->store == COB_SF_OWNED)
        return sizeof(void *);
    if (f->type == COB_SF_NAME)
        return 1;
    return (size_t)cob_stats_type_bytes(f->type);
}

static size_t size_of(const cob_stats_field *f)
{
    if (f->store == COB_SF_OWNED)
        return sizeof(void *);
    if (f->store == COB_SF_INLINE)
        return (size_t)cob_stats_type_bytes(f->type) * COB_MAX_CHANNELS;
    return (size_t)cob_stats_type_bytes(f->type);
}

/* Rows in struct order, not overlapping, and every gap between them (and [begin, end)) only the
 * padding that the next row's alignment forces. */
static void expect_covered(const cob_stats_field *tab, int n, size_t begin, size_t end, size_t max_align,
                           const char *what)
{
    size_t at = begin;
    for (int k = 0; k < n; ++k) {
        const cob_stats_field *f = &tab[k];
        size_t al = align_of(f), want = (at + al - 1) / al * al;
        cr_expect_eq(f->off, want, "%s: %s at byte %zu, expected %zu (a field without a row before it?)", what,
                     f->field, f->off, want);
        at = f->off + size_of(f);
    }
    cr_expect_eq((at + max_align - 1) / max_align * max_align, end, "%s: bytes %zu .. %zu have no row", what, at, end);
}

Test(stats_fields, every_field_has_a_row)
{
    expect_covered(cob_pop_stats_fields, cob_pop_stats_n_fields, 0, sizeof(cob_pop_stats), 8, "cob_pop_stats");
    /* cob_stats: n_pops, then pop[] (the population table), then the run-level fields */
    cr_assert_eq(cob_run_stats_fields[0].off, offsetof(cob_stats, n_pops));
    cr_assert_eq(offsetof(cob_stats, pop) % 8, 0);
    expect_covered(cob_run_stats_fields, 1, 0, offsetof(cob_stats, pop), 8, "cob_stats (before pop[])");
    expect_covered(cob_run_stats_fields + 1, cob_run_stats_n_fields - 1,
                   offsetof(cob_stats, pop) + sizeof(((cob_stats *)0)->pop), sizeof(cob_stats), 8,
                   "cob_stats (after pop[])");
}

/* Every name written to the file appears in docs/results.md as `name` (run rows: the last part of
 * the path), and every row that is written has units or is the model's name. */
Test(stats_fields, names_documented)
{
    FILE *fp = fopen(COBALT_SOURCE_DIR "/docs/results.md", "rb");
    cr_assert_not_null(fp);
    static char doc[1 << 17];
    size_t len = fread(doc, 1, sizeof doc - 1, fp);
    fclose(fp);
    doc[len] = '\0';
    const cob_stats_field *tabs[2] = {cob_pop_stats_fields, cob_run_stats_fields};
    const int ns[2] = {cob_pop_stats_n_fields, cob_run_stats_n_fields};
    for (int t = 0; t < 2; ++t)
        for (int k = 0; k < ns[t]; ++k) {
            const cob_stats_field *f = &tabs[t][k];
            char quoted[80];
            if (f->h5 == COB_SF_H5_NONE) {
                cr_expect_null(f->h5_name, "%s is not written but has a name", f->field);
                continue;
            }
            cr_assert_not_null(f->h5_name, "%s", f->field);
            const char *leaf = strrchr(f->h5_name, '/');
            snprintf(quoted, sizeof quoted, "`%s`", leaf ? leaf + 1 : f->h5_name);
            cr_expect(strstr(doc, quoted) != NULL, "%s (%s) is not in docs/results.md", f->field, f->h5_name);
            cr_expect(f->units != NULL || f->type == COB_SF_MODEL, "%s has no units", f->field);
        }
}

/* ---- against a result file --------------------------------------------------------------------- */

/* A small E/I network with raster and traces: every array non-empty, both populations firing. */
static void small_run(cob_config *c, cob_stats *s)
{
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(c, TEST_SMALL_NET, "test.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    c->run.t_sim_ms = 150.0;
    c->stats.raster_neurons = 20;
    c->stats.trace_neurons = 2;
    c->stats.trace_stride_steps = 10;
    c->stats.v_neurons = 30;
    c->stats.balance_neurons = 10;
    /* two protocol windows, so that the per-window rows have entries */
    c->protocol.n_windows = 2;
    snprintf(c->protocol.windows[0].name, COB_NAME_MAX, "early");
    c->protocol.windows[0].start_ms = c->run.t_warmup_ms;
    c->protocol.windows[0].end_ms = c->run.t_warmup_ms + 70.0;
    snprintf(c->protocol.windows[1].name, COB_NAME_MAX, "late");
    c->protocol.windows[1].start_ms = c->run.t_warmup_ms + 80.0;
    c->protocol.windows[1].end_ms = c->run.t_warmup_ms + 150.0;
    cr_assert_eq(cob_config_check(c, &err), COB_OK, "%s", err.msg);
    run_cpu(c, s);
    cr_assert_eq(s->n_pops, 2);
    cr_assert_gt(s->raster_n, 0);
    cr_assert_gt(s->trace_n * s->trace_samples, 0);
    for (int p = 0; p < 2; ++p) cr_assert_gt(test_pop_spikes(s, p), 0, "population %d silent", p);
}

static int in_table(const cob_stats_field *tab, int n, cob_sf_h5 kind, const char *name)
{
    for (int k = 0; k < n; ++k)
        if (tab[k].h5 == kind && tab[k].h5_name && !strcmp(tab[k].h5_name, name))
            return 1;
    return 0;
}

static herr_t attr_known(hid_t loc, const char *name, const H5A_info_t *info, void *op)
{
    (void)loc;
    (void)info;
    (void)op;
    cr_expect(!strcmp(name, "index") ||
                  in_table(cob_pop_stats_fields, cob_pop_stats_n_fields, COB_SF_H5_ATTRIBUTE, name),
              "attribute %s of a population group has no row", name);
    return 0;
}

static herr_t dset_known(hid_t loc, const char *name, const H5L_info_t *info, void *op)
{
    (void)loc;
    (void)info;
    (void)op;
    cr_expect(in_table(cob_pop_stats_fields, cob_pop_stats_n_fields, COB_SF_H5_DATASET, name),
              "dataset %s of a population group has no row", name);
    return 0;
}

/* Row f of owner as stored under loc: a dataset of the row's shape and element size, or an
 * attribute of the row's length (strings: the model). */
static void expect_stored(hid_t f5, const char *group, const cob_stats_field *f, const void *owner)
{
    char obj[160], name[96];
    const char *slash = strrchr(f->h5_name, '/');
    snprintf(obj, sizeof obj, "%s%s%.*s", group, slash ? "/" : "", slash ? (int)(slash - f->h5_name) : 0, f->h5_name);
    snprintf(name, sizeof name, "%s", slash ? slash + 1 : f->h5_name);
    if (!obj[0])
        snprintf(obj, sizeof obj, "/");
    int64_t dims[2] = {0, 0};
    int rank = cob_stats_field_shape(f, owner, dims);
    hid_t id, sp, ty;
    if (f->h5 == COB_SF_H5_DATASET) {
        char path[260];
        snprintf(path, sizeof path, "%s/%s", obj, name);
        id = H5Dopen2(f5, path, H5P_DEFAULT);
        cr_assert_geq(id, 0, "dataset %s (%s) missing", path, f->field);
        sp = H5Dget_space(id);
        ty = H5Dget_type(id);
        hsize_t got[2] = {0, 0};
        cr_expect_eq(H5Sget_simple_extent_ndims(sp), rank, "%s rank", f->field);
        H5Sget_simple_extent_dims(sp, got, NULL);
        for (int d = 0; d < rank; ++d) cr_expect_eq((int64_t)got[d], dims[d], "%s dim %d", f->field, d);
    } else {
        id = H5Aopen_by_name(f5, obj, name, H5P_DEFAULT, H5P_DEFAULT);
        cr_assert_geq(id, 0, "attribute %s of %s (%s) missing", name, obj, f->field);
        sp = H5Aget_space(id);
        ty = H5Aget_type(id);
        cr_expect_eq((int64_t)H5Sget_simple_extent_npoints(sp), cob_stats_field_len(f, owner), "%s length", f->field);
    }
    if (f->type == COB_SF_MODEL) {
        cr_expect_eq(H5Tget_class(ty), H5T_STRING, "%s", f->field);
    } else {
        int is_float = f->type == COB_SF_F32 || f->type == COB_SF_F64;
        cr_expect_eq(H5Tget_class(ty), is_float ? H5T_FLOAT : H5T_INTEGER, "%s class", f->field);
        cr_expect_eq((int)H5Tget_size(ty), f->type == COB_SF_INT ? 4 : cob_stats_type_bytes(f->type), "%s size",
                     f->field);
        if (!is_float)
            cr_expect_eq(H5Tget_sign(ty), f->type == COB_SF_U32 || f->type == COB_SF_U64 ? H5T_SGN_NONE : H5T_SGN_2,
                         "%s sign", f->field);
    }
    H5Tclose(ty);
    H5Sclose(sp);
    if (f->h5 == COB_SF_H5_DATASET)
        H5Dclose(id);
    else
        H5Aclose(id);
}

Test(stats_fields, rows_match_the_result_file)
{
    cob_config c;
    cob_stats s;
    cob_sim_timing t = {0};
    cob_run_meta m = {0};
    cob_err err = {0};
    char dir[] = "/tmp/cobalt_fields_XXXXXX", path[64], group[96];
    small_run(&c, &s);
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/run.h5", dir);
    cr_assert_eq(cob_output_write_h5(path, &c, &s, &t, &m, &err), COB_OK, "%s", err.msg);
    hid_t f5 = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f5, 0);
    for (int k = 0; k < cob_run_stats_n_fields; ++k)
        if (cob_run_stats_fields[k].h5 != COB_SF_H5_NONE)
            expect_stored(f5, "", &cob_run_stats_fields[k], &s);
    for (int p = 0; p < s.n_pops; ++p) {
        snprintf(group, sizeof group, "/populations/%s", s.pop[p].name);
        for (int k = 0; k < cob_pop_stats_n_fields; ++k)
            if (cob_pop_stats_fields[k].h5 != COB_SF_H5_NONE)
                expect_stored(f5, group, &cob_pop_stats_fields[k], &s.pop[p]);
        hid_t g = H5Gopen2(f5, group, H5P_DEFAULT);
        cr_assert_geq(g, 0);
        H5Aiterate2(g, H5_INDEX_NAME, H5_ITER_INC, NULL, attr_known, NULL);
        H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, dset_known, NULL);
        H5Gclose(g);
    }
    H5Fclose(f5);
    remove(path);
    remove(dir);
    cob_stats_free(&s);
    cob_config_free(&c);
}

/* ---- cob_stats_first_difference ----------------------------------------------------------------- */

/* Flip the lowest bit of the last element of row f in owner (the first character of a name). */
static unsigned char *last_byte(const cob_stats_field *f, void *owner)
{
    int64_t n = cob_stats_field_len(f, owner);
    unsigned char *p = (unsigned char *)cob_stats_field_data(f, owner);
    if (f->type == COB_SF_NAME)
        return p;
    return p + (n - 1) * cob_stats_type_bytes(f->type);
}

static void expect_found(const cob_stats *a, cob_stats *b, const cob_stats_field *f, void *owner, const char *where)
{
    char msg[256];
    cr_assert_gt(cob_stats_field_len(f, owner), 0, "%s%s is empty in the test run", where, f->field);
    unsigned char *byte = last_byte(f, owner);
    *byte ^= 1u;
    cr_expect_eq(cob_stats_first_difference(a, b, msg, sizeof msg), 1, "%s%s: a one-bit change not found", where,
                 f->field);
    cr_expect(strstr(msg, f->field) != NULL && strstr(msg, where) != NULL, "%s%s: message \"%s\"", where, f->field,
              msg);
    *byte ^= 1u;
}

/* Two runs of one config are identical; a one-bit change in any row of either table, in the
 * second population, is found and named. */
Test(stats_fields, first_difference_finds_every_row)
{
    cob_config c;
    cob_stats a, b;
    char msg[256] = "x";
    small_run(&c, &a);
    run_cpu(&c, &b);
    cr_assert_eq(cob_stats_first_difference(&a, &b, msg, sizeof msg), 0, "a rerun differs: %s", msg);
    cr_expect_str_eq(msg, "");
    for (int k = 0; k < cob_run_stats_n_fields; ++k) expect_found(&a, &b, &cob_run_stats_fields[k], &b, "");
    for (int k = 0; k < cob_pop_stats_n_fields; ++k)
        expect_found(&a, &b, &cob_pop_stats_fields[k], &b.pop[1], "pop I: ");
    /* NaN with another payload is a difference (bits, not values, are compared) */
    int64_t i = 0;
    while (i < b.pop[0].n && !isnan(b.pop[0].cv_isi[i])) ++i;
    if (i < b.pop[0].n) {
        uint64_t u;
        memcpy(&u, &b.pop[0].cv_isi[i], 8);
        u ^= 1u;
        memcpy(&b.pop[0].cv_isi[i], &u, 8);
        cr_expect(isnan(b.pop[0].cv_isi[i]));
        cr_expect_eq(cob_stats_first_difference(&a, &b, msg, sizeof msg), 1, "NaN payload change not found");
    }
    cob_stats_free(&a);
    cob_stats_free(&b);
    cob_config_free(&c);
}

/* The owned arrays of a population: 4 + 8 + 4 + 8 bytes per neuron, 16 per V neuron, 8 per bin
 * and edge of each histogram, 4 per time bin. */
Test(stats_fields, pop_bytes)
{
    cob_pop_stats shape = {0};
    shape.n = 10;
    shape.v_n = 4;
    shape.rate_bins = 3;
    shape.cv_bins = 5;
    shape.v_bins = 7;
    shape.n_bins_ts = 11;
    cr_expect_eq(cob_stats_pop_bytes(&shape), 10 * 24 + 4 * 16 + (3 + 4 + 5 + 6 + 7 + 8) * 8 + 11 * 4);
}
