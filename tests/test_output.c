/* tests/test_output.c -- the result file and JSON summary (host/output/output.c, host/output/output_json.c).
 * A hand-made cob_stats (two populations, histograms, a 3-spike raster, no traces) is written,
 * read back with the HDF5 API and compared; the atomic write leaves no temporary and a failed
 * write leaves nothing (or the old file); the JSON line is checked for shape, escaping and
 * NaN -> null. The arrays live in the test's own struct: cob_stats_free is not used. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "cobalt/output.h"
#include "util/publish.h"

#define N_MAX 3 /* neurons per population in the small run */
#define BINS 4
#define V_N 2
#define N_TS 5

/* A whole run's results, with every array stored inline. */
typedef struct {
    cob_config c;
    cob_stats s;
    cob_sim_timing t;
    cob_run_meta m;
    uint32_t spike_count[2][N_MAX], n_isi[2][N_MAX], ts[2][N_TS];
    double rate_hz[2][N_MAX], cv_isi[2][N_MAX];
    uint64_t hist[3][2][BINS];
    double edges[3][2][BINS + 1];
    double v_mean[2][V_N], v_sd[2][V_N];
    int64_t r_step[3];
    int32_t r_pop[3], r_neuron[3];
    char dir[64];
} run;

static void fill_pop(run *r, int p)
{
    cob_pop_stats *ps = &r->s.pop[p];
    snprintf(ps->name, sizeof ps->name, "%s", p == 0 ? "E" : "I");
    ps->model = p == 0 ? COB_MODEL_LIF_COND : COB_MODEL_LIF_CURR;
    ps->n = p == 0 ? 3 : 2;
    for (int i = 0; i < N_MAX; i++) {
        r->spike_count[p][i] = (uint32_t)(5 * i + p);
        r->rate_hz[p][i] = r->spike_count[p][i] / 0.5;
        r->n_isi[p][i] = r->spike_count[p][i] ? r->spike_count[p][i] - 1 : 0;
        r->cv_isi[p][i] = r->n_isi[p][i] >= 2 ? 0.1 * (i + 1) + p : NAN;
    }
    ps->spike_count = r->spike_count[p];
    ps->rate_hz = r->rate_hz[p];
    ps->n_isi = r->n_isi[p];
    ps->cv_isi = r->cv_isi[p];
    for (int h = 0; h < 3; h++)
        for (int b = 0; b <= BINS; b++) {
            if (b < BINS)
                r->hist[h][p][b] = (uint64_t)(h * 100 + p * 10 + b);
            r->edges[h][p][b] = -80.0 + h + 0.25 * b + p;
        }
    ps->rate_bins = ps->cv_bins = ps->v_bins = BINS;
    ps->rate_hist = r->hist[0][p], ps->rate_edges = r->edges[0][p];
    ps->cv_hist = r->hist[1][p], ps->cv_edges = r->edges[1][p];
    ps->v_hist = r->hist[2][p], ps->v_edges = r->edges[2][p];
}

static void fill_pop_summary(run *r, int p)
{
    cob_pop_stats *ps = &r->s.pop[p];
    ps->mean_rate_hz = 9.5 + p, ps->sd_rate_hz = 3.25, ps->mean_cv = 0.8, ps->sd_cv = 0.125;
    ps->n_cv = 2 - p, ps->frac_quiescent = p == 0 ? 0.0 : 0.5;
    ps->v_below = 7, ps->v_above = 11u + (uint64_t)p;
    ps->v_n = V_N;
    for (int i = 0; i < V_N; i++) r->v_mean[p][i] = -60.0 - i - p, r->v_sd[p][i] = 2.0 + i;
    ps->v_mean_mV = r->v_mean[p], ps->v_sd_mV = r->v_sd[p];
    ps->v_pop_mean_mV = -61.5, ps->v_pop_sd_mV = 2.5 + p;
    ps->n_channels = 2;
    ps->chan_receptor[0] = COB_RECEPTOR_E, ps->chan_receptor[1] = COB_RECEPTOR_I;
    ps->chan_weight[0] = 0.01, ps->chan_weight[1] = 0.04;
    ps->chan_rate_hz[0] = 1000.0, ps->chan_rate_hz[1] = 250.0 + p;
    ps->chan_mean_input[0] = 0.2, ps->chan_mean_input[1] = 0.2 * p;
    ps->n_bins_ts = N_TS, ps->bin_ms = 1.0, ps->pop_rate_cv = 0.05;
    for (int b = 0; b < N_TS; b++) r->ts[p][b] = (uint32_t)(b + p);
    ps->rate_ts_counts = r->ts[p];
}

static void fill_run(run *r)
{
    memset(r, 0, sizeof *r);
    r->c.run.dt_ms = 0.1, r->c.run.t_sim_ms = 500.0, r->c.run.t_warmup_ms = 100.0;
    r->c.run.seed = 42;
    r->c.stats.trace_stride_steps = 1;
    snprintf(r->c.path, sizeof r->c.path, "configs/test.yaml");
    r->c.text = (char *)"populations:\n  - name: E\n";
    r->s.n_pops = 2;
    for (int p = 0; p < 2; p++) {
        fill_pop(r, p);
        fill_pop_summary(r, p);
    }
    r->s.n_steps_measured = 5000, r->s.t_measured_s = 0.5;
    int64_t steps[3] = {10, 12, 15};
    for (int k = 0; k < 3; k++) r->r_step[k] = steps[k], r->r_pop[k] = k % 2, r->r_neuron[k] = k;
    r->s.raster_n = 3, r->s.raster_step = r->r_step, r->s.raster_pop = r->r_pop;
    r->s.raster_neuron = r->r_neuron, r->s.raster_overflow = 4, r->s.ring_overflow = 2;
    r->t = (cob_sim_timing){.backend_name = "cpu",
                            .build_s = 0.5,
                            .init_s = 0.25,
                            .run_s = 3.0,
                            .n_steps = 6000,
                            .n_synapses = 12345,
                            .n_neurons = 5,
                            .peak_rss_bytes = 1 << 20};
    r->m = (cob_run_meta){.commit = "abc123",
                          .version = "0.1.0",
                          .backend = "cpu",
                          .device = "testhost",
                          .seed = 18446744073709551557ull,
                          .config_path = "configs/test.yaml"};
    snprintf(r->dir, sizeof r->dir, "/tmp/cobalt_test_output_XXXXXX");
    cr_assert_not_null(mkdtemp(r->dir));
}

/* Entries of dir (excluding . and ..) whose name contains part ("" counts all). */
static int count_entries(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "opendir %s", dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strstr(e->d_name, part))
            n++;
    closedir(d);
    return n;
}

static void remove_file(run *r, const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", r->dir, name);
    remove(p);
}

/* ---- reading back -------------------------------------------------------------------- */

static void read_attr(hid_t f, const char *obj, const char *name, hid_t mtype, void *out)
{
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(a, 0, "attribute %s of %s", name, obj);
    cr_assert_geq(H5Aread(a, mtype, out), 0, "read attribute %s of %s", name, obj);
    H5Aclose(a);
}

static double attr_f64(hid_t f, const char *obj, const char *name)
{
    double v;
    read_attr(f, obj, name, H5T_NATIVE_DOUBLE, &v);
    return v;
}

static int64_t attr_i64(hid_t f, const char *obj, const char *name)
{
    int64_t v;
    read_attr(f, obj, name, H5T_NATIVE_INT64, &v);
    return v;
}

static uint64_t attr_u64(hid_t f, const char *obj, const char *name)
{
    uint64_t v;
    read_attr(f, obj, name, H5T_NATIVE_UINT64, &v);
    return v;
}

/* Variable-length string attribute compared with want. */
static void expect_attr_str(hid_t f, const char *obj, const char *name, const char *want)
{
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, H5T_VARIABLE);
    H5Tset_cset(st, H5T_CSET_UTF8);
    char *v = NULL;
    read_attr(f, obj, name, st, &v);
    cr_assert_str_eq(v, want, "%s of %s", name, obj);
    H5free_memory(v);
    H5Tclose(st);
}

/* Whole 1-D dataset of n elements of size es (memory type mtype) compared bytewise with want
 * (NaN payloads are written and read back unchanged). */
static void expect_dset(hid_t f, const char *path, hid_t mtype, hsize_t n, const void *want, size_t es)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    cr_assert_geq(d, 0, "dataset %s", path);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    cr_assert_eq(H5Sget_simple_extent_ndims(sp), 1, "%s rank", path);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    cr_assert_eq(dims[0], n, "%s has %llu elements, want %llu", path, (unsigned long long)dims[0],
                 (unsigned long long)n);
    if (n > 0) {
        void *got = malloc(n * es);
        cr_assert_geq(H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, got), 0);
        cr_assert_eq(memcmp(got, want, n * es), 0, "%s differs", path);
        free(got);
    }
    H5Sclose(sp);
    H5Dclose(d);
}

static void expect_pop(hid_t f, const run *r, int p)
{
    const cob_pop_stats *ps = &r->s.pop[p];
    char g[64], d[96];
    snprintf(g, sizeof g, "/populations/%s", ps->name);
#define EXPECT(name, mt, n, arr) (snprintf(d, sizeof d, "%s/%s", g, name), expect_dset(f, d, mt, n, arr, sizeof *(arr)))
    EXPECT("spike_count", H5T_NATIVE_UINT32, ps->n, ps->spike_count);
    EXPECT("rate_hz", H5T_NATIVE_DOUBLE, ps->n, ps->rate_hz);
    EXPECT("n_isi", H5T_NATIVE_UINT32, ps->n, ps->n_isi);
    EXPECT("cv_isi", H5T_NATIVE_DOUBLE, ps->n, ps->cv_isi);
    EXPECT("rate_hist", H5T_NATIVE_UINT64, BINS, ps->rate_hist);
    EXPECT("rate_edges", H5T_NATIVE_DOUBLE, BINS + 1, ps->rate_edges);
    EXPECT("cv_hist", H5T_NATIVE_UINT64, BINS, ps->cv_hist);
    EXPECT("cv_edges", H5T_NATIVE_DOUBLE, BINS + 1, ps->cv_edges);
    EXPECT("v_hist", H5T_NATIVE_UINT64, BINS, ps->v_hist);
    EXPECT("v_edges", H5T_NATIVE_DOUBLE, BINS + 1, ps->v_edges);
    EXPECT("v_mean_mV", H5T_NATIVE_DOUBLE, V_N, ps->v_mean_mV);
    EXPECT("v_sd_mV", H5T_NATIVE_DOUBLE, V_N, ps->v_sd_mV);
    EXPECT("rate_ts_counts", H5T_NATIVE_UINT32, N_TS, ps->rate_ts_counts);
#undef EXPECT
}

static void expect_pop_attrs(hid_t f, const run *r, int p)
{
    const cob_pop_stats *ps = &r->s.pop[p];
    char g[64];
    snprintf(g, sizeof g, "/populations/%s", ps->name);
    cr_expect_eq(attr_i64(f, g, "n"), ps->n);
    cr_expect_eq(attr_i64(f, g, "index"), p);
    expect_attr_str(f, g, "model", p == 0 ? "lif_cond" : "lif_curr");
    cr_expect_eq(attr_f64(f, g, "mean_rate_hz"), ps->mean_rate_hz);
    cr_expect_eq(attr_f64(f, g, "sd_cv"), ps->sd_cv);
    cr_expect_eq(attr_i64(f, g, "n_cv"), ps->n_cv);
    cr_expect_eq(attr_f64(f, g, "frac_quiescent"), ps->frac_quiescent);
    cr_expect_eq(attr_u64(f, g, "v_above"), ps->v_above);
    cr_expect_eq(attr_f64(f, g, "v_pop_sd_mV"), ps->v_pop_sd_mV);
    cr_expect_eq(attr_f64(f, g, "bin_ms"), ps->bin_ms);
    cr_expect_eq(attr_f64(f, g, "pop_rate_cv"), ps->pop_rate_cv);
    int rec[COB_MAX_CHANNELS];
    double rate[COB_MAX_CHANNELS];
    read_attr(f, g, "chan_receptor", H5T_NATIVE_INT, rec);
    read_attr(f, g, "chan_rate_hz", H5T_NATIVE_DOUBLE, rate);
    cr_expect_eq(rec[1], COB_RECEPTOR_I);
    cr_expect_eq(rate[1], ps->chan_rate_hz[1]);
}

static void expect_root(hid_t f, const run *r)
{
    expect_attr_str(f, "/", "commit", "abc123");
    expect_attr_str(f, "/", "cobalt_version", "0.1.0");
    expect_attr_str(f, "/", "device", "testhost");
    expect_attr_str(f, "/", "config_path", "configs/test.yaml");
    cr_expect_eq(attr_u64(f, "/", "seed"), r->m.seed);
    cr_expect_eq(attr_f64(f, "/", "dt_ms"), 0.1);
    cr_expect_eq(attr_f64(f, "/", "t_warmup_ms"), 100.0);
    cr_expect_eq(attr_f64(f, "/timing", "run_s"), 3.0);
    cr_expect_eq(attr_i64(f, "/timing", "n_synapses"), 12345);
    cr_expect_eq(attr_i64(f, "/timing", "peak_rss_bytes"), 1 << 20);
    cr_expect_eq(attr_i64(f, "/overflow", "ring"), 2);
    cr_expect_eq(attr_i64(f, "/overflow", "raster"), 4);
    hid_t d = H5Dopen2(f, "/config", H5P_DEFAULT);
    hid_t st = H5Dget_type(d);
    char *text = NULL;
    cr_assert_geq(H5Dread(d, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), 0);
    cr_expect_str_eq(text, r->c.text);
    H5free_memory(text);
    H5Tclose(st);
    H5Dclose(d);
}

static void expect_traces_empty(hid_t f)
{
    hid_t d = H5Dopen2(f, "/traces/v_mV", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[2] = {9, 9};
    cr_expect_eq(H5Sget_simple_extent_ndims(sp), 2);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    cr_expect(dims[0] == 0 && dims[1] == 0);
    H5Sclose(sp);
    H5Dclose(d);
    expect_dset(f, "/traces/pop", H5T_NATIVE_INT32, 0, NULL, 4);
}

/* ---- the file ------------------------------------------------------------------------ */

Test(output, round_trip)
{
    run r;
    fill_run(&r);
    char path[128];
    snprintf(path, sizeof path, "%s/run.h5", r.dir);
    cob_err err = {0};
    cob_status st = cob_output_write_h5(path, &r.c, &r.s, &r.t, &r.m, &err);
    cr_assert_eq(st, COB_OK, "%s", err.msg);
    cr_expect_eq(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0, "HDF5 handles left open");
    cr_expect_eq(count_entries(r.dir, ".tmp."), 0, "a temporary was left");
    cr_expect_eq(count_entries(r.dir, ""), 1);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    expect_root(f, &r);
    for (int p = 0; p < 2; p++) {
        expect_pop(f, &r, p);
        expect_pop_attrs(f, &r, p);
    }
    expect_dset(f, "/raster/step", H5T_NATIVE_INT64, 3, r.r_step, sizeof r.r_step[0]);
    expect_dset(f, "/raster/pop", H5T_NATIVE_INT32, 3, r.r_pop, sizeof r.r_pop[0]);
    expect_dset(f, "/raster/neuron", H5T_NATIVE_INT32, 3, r.r_neuron, sizeof r.r_neuron[0]);
    expect_traces_empty(f);
    H5Fclose(f);
    remove(path);
    rmdir(r.dir);
}

Test(output, large_arrays_are_compressed)
{
    run r;
    fill_run(&r);
    enum { N = 10000 };
    uint32_t *count = calloc(N, sizeof *count);
    for (int i = 0; i < N; i++) count[i] = (uint32_t)(i % 17);
    r.s.pop[0].n = N, r.s.pop[0].spike_count = count;
    r.s.pop[0].rate_hz = r.s.pop[0].cv_isi = calloc(N, sizeof(double));
    r.s.pop[0].n_isi = count;
    char path[128];
    snprintf(path, sizeof path, "%s/big.h5", r.dir);
    cob_err err = {0};
    cr_assert_eq(cob_output_write_h5(path, &r.c, &r.s, &r.t, &r.m, &err), COB_OK, "%s", err.msg);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    expect_dset(f, "/populations/E/spike_count", H5T_NATIVE_UINT32, N, count, sizeof *count);
    hid_t d = H5Dopen2(f, "/populations/E/spike_count", H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(d);
    cr_expect_eq(H5Pget_layout(dcpl), H5D_CHUNKED);
    unsigned flags;
    cr_expect_geq(H5Pget_filter_by_id2(dcpl, H5Z_FILTER_DEFLATE, &flags, NULL, NULL, 0, NULL, NULL), 0,
                  "no deflate filter");
    H5Pclose(dcpl);
    H5Dclose(d);
    H5Fclose(f);
    free(r.s.pop[0].rate_hz);
    free(count);
    remove(path);
    rmdir(r.dir);
}

Test(output, missing_directory_fails_and_leaves_nothing)
{
    run r;
    fill_run(&r);
    char path[160];
    snprintf(path, sizeof path, "%s/no/such/dir/run.h5", r.dir);
    cob_err err = {0};
    cob_status st = cob_output_write_h5(path, &r.c, &r.s, &r.t, &r.m, &err);
    cr_assert_eq(st, COB_ERR_IO);
    cr_expect_not_null(strstr(err.msg, path), "message does not name the path: %s", err.msg);
    cr_expect_eq(count_entries(r.dir, ""), 0);
    rmdir(r.dir);
}

Test(output, failed_write_keeps_the_old_file)
{
    run r;
    fill_run(&r);
    char path[128];
    snprintf(path, sizeof path, "%s/run.h5", r.dir);
    cob_err err = {0};
    cr_assert_eq(cob_output_write_h5(path, &r.c, &r.s, &r.t, &r.m, &err), COB_OK, "%s", err.msg);
    uint64_t old_seed = r.m.seed;
    r.m.seed = 7;
    r.s.pop[1].v_sd_mV = NULL; /* inconsistent: v_n = 2 but no data, found mid-write */
    cob_status st = cob_output_write_h5(path, &r.c, &r.s, &r.t, &r.m, &err);
    cr_assert_eq(st, COB_ERR_INVALID);
    cr_expect_eq(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0, "HDF5 handles left open");
    cr_expect_not_null(strstr(err.msg, "/populations/I/v_sd_mV"), "%s", err.msg);
    cr_expect_eq(count_entries(r.dir, ".tmp."), 0, "a temporary was left");
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    cr_expect_eq(attr_u64(f, "/", "seed"), old_seed);
    H5Fclose(f);
    remove(path);
    rmdir(r.dir);
}

Test(output, rename_failure_removes_the_temporary)
{
    run r;
    fill_run(&r);
    char path[128];
    snprintf(path, sizeof path, "%s/taken", r.dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    cob_err err = {0};
    cr_assert_eq(cob_output_write_h5(path, &r.c, &r.s, &r.t, &r.m, &err), COB_ERR_IO);
    cr_expect_not_null(strstr(err.msg, path), "%s", err.msg);
    cr_expect_eq(count_entries(r.dir, ""), 1, "only the directory should remain");
    rmdir(path);
    rmdir(r.dir);
}

Test(output, bad_population_name_is_invalid)
{
    run r;
    fill_run(&r);
    snprintf(r.s.pop[1].name, sizeof r.s.pop[1].name, "a/b");
    char path[128];
    snprintf(path, sizeof path, "%s/run.h5", r.dir);
    cob_err err = {0};
    cr_assert_eq(cob_output_write_h5(path, &r.c, &r.s, &r.t, &r.m, &err), COB_ERR_INVALID);
    cr_expect_eq(count_entries(r.dir, ""), 0);
    remove_file(&r, "run.h5");
    rmdir(r.dir);
}

/* A writer killed mid-write: it has created its temporary, then receives the signal that
 * Ctrl-C or a Slurm time limit sends. */
static cob_status write_then_signal(const char *tmp, void *user, cob_err *err)
{
    (void)err;
    FILE *f = fopen(tmp, "w");
    if (!f)
        _exit(90);
    fputs("half a file", f);
    fclose(f);
    raise(*(int *)user);
    _exit(91); /* the signal did not end the process */
}

/* SIGTERM and SIGINT during the write remove "<out>.tmp.<pid>" and still end the process by
 * that signal (the exit status says so); the final path is never created. */
Test(output, signal_during_write_removes_the_temporary)
{
    int sigs[2] = {SIGTERM, SIGINT};
    for (int k = 0; k < 2; k++) {
        run r;
        fill_run(&r);
        char path[128];
        snprintf(path, sizeof path, "%s/run.h5", r.dir);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
            cob_err err = {0};
            cob__publish(path, write_then_signal, &sigs[k], &err);
            _exit(92);
        }
        int ws = 0;
        cr_assert_eq(waitpid(pid, &ws, 0), pid);
        cr_expect(WIFSIGNALED(ws) && WTERMSIG(ws) == sigs[k], "signal %d: wait status %#x", sigs[k], ws);
        cr_expect_eq(count_entries(r.dir, ".tmp."), 0, "signal %d left the temporary", sigs[k]);
        cr_expect_eq(count_entries(r.dir, ""), 0);
        rmdir(r.dir);
    }
}

/* ---- JSON ---------------------------------------------------------------------------- */

/* Braces and brackets balance outside strings, strings close, no newline. */
static int json_balanced(const char *s)
{
    int depth = 0, in_str = 0;
    for (; *s; s++) {
        if (*s == '\n')
            return 0;
        if (in_str) {
            if (*s == '\\' && s[1])
                s++;
            else if (*s == '"')
                in_str = 0;
        } else if (*s == '"') {
            in_str = 1;
        } else if (*s == '{' || *s == '[') {
            depth++;
        } else if ((*s == '}' || *s == ']') && --depth < 0) {
            return 0;
        }
    }
    return depth == 0 && !in_str;
}

Test(json, shape_escapes_and_null)
{
    run r;
    fill_run(&r);
    rmdir(r.dir);
    snprintf(r.s.pop[0].name, sizeof r.s.pop[0].name, "E\"1\\x");
    r.s.pop[1].mean_cv = NAN;
    r.s.pop[1].v_pop_sd_mV = INFINITY;
    char buf[2048];
    cob_err err = {0};
    cr_assert_eq(cob_output_json(buf, sizeof buf, "out/run.h5", &r.c, &r.s, &r.t, &r.m, &err), COB_OK, "%s", err.msg);
    size_t n = strlen(buf);
    cr_assert(n > 2 && buf[0] == '{' && buf[n - 1] == '}', "%s", buf);
    cr_expect(json_balanced(buf), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"status\":\"overflow\""), "%s", buf); /* ring_overflow = 2 */
    cr_expect_not_null(strstr(buf, "\"out\":\"out/run.h5\""), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"seed\":18446744073709551557"), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"realtime_factor\":5,"), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"populations\":{\"E\\\"1\\\\x\":{\"rate_hz\":9.5,"), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"I\":{"), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"cv\":null"), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"v_sd_mV\":null"), "%s", buf);
    cr_expect_null(strstr(buf, "nan"), "%s", buf);
    cr_expect_null(strstr(buf, "inf"), "%s", buf);
}

/* "status" never says ok for a run that lost spike arrivals (it did for every summarised run). */
Test(json, status_ok_only_without_lost_arrivals)
{
    run r;
    fill_run(&r);
    rmdir(r.dir);
    char buf[2048];
    cob_err err = {0};
    cr_assert_eq(cob_output_json(buf, sizeof buf, NULL, &r.c, &r.s, &r.t, &r.m, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(strncmp(buf, "{\"status\":\"overflow\",", 21), 0, "%s", buf);
    r.s.ring_overflow = 0;
    cr_assert_eq(cob_output_json(buf, sizeof buf, NULL, &r.c, &r.s, &r.t, &r.m, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(strncmp(buf, "{\"status\":\"ok\",", 15), 0, "%s", buf);
}

Test(json, null_out_and_overflow)
{
    run r;
    fill_run(&r);
    rmdir(r.dir);
    char buf[2048], small[32];
    cob_err err = {0};
    cr_assert_eq(cob_output_json(buf, sizeof buf, NULL, &r.c, &r.s, &r.t, &r.m, &err), COB_OK);
    cr_expect_not_null(strstr(buf, "\"out\":null"), "%s", buf);
    cr_assert_eq(cob_output_json(small, sizeof small, NULL, &r.c, &r.s, &r.t, &r.m, &err), COB_ERR_OVERFLOW);
    cr_expect_eq(small[0], '\0');
    char want[64];
    snprintf(want, sizeof want, "needs %zu bytes", strlen(buf) + 1);
    cr_expect_not_null(strstr(err.msg, want), "%s", err.msg);
    char *exact = malloc(strlen(buf) + 1);
    cr_expect_eq(cob_output_json(exact, strlen(buf) + 1, NULL, &r.c, &r.s, &r.t, &r.m, &err), COB_OK);
    cr_expect_str_eq(exact, buf);
    free(exact);
}
