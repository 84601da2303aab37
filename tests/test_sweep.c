/* tests/test_sweep.c -- parameter sweeps (include/cobalt/sweep.h, host/sweep*.c,
 * host/cli/cli_sweep.c): the sweep: block gives the right number and order of points (product,
 * zip), the shorthands and the K law turn into the right overrides (the law through the
 * theory API, sqrt checked against its closed form; for a network and for an unconnected
 * population driven by Poisson input, the single neuron of seed 004), bad specs are refused with file:line and
 * the key before anything runs, a 3-point sweep of a tiny network runs and merges (point
 * files, summary columns, CSV), missing and foreign point files are detected, and --point and
 * SLURM_ARRAY_TASK_ID select the same point. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cobalt/config.h"
#include "cobalt/sweep.h"

/* The base network; the sweep: block starts at line 14. Every config maps to the theory. */
static const char *base_yaml =
    "run: {dt_ms: 0.1, t_warmup_ms: 50, t_sim_ms: 300, seed: 3}\n"                       /* 1 */
    "populations:\n"                                                                     /* 2 */
    "  - {name: E, model: lif_cond, size: 200}\n"                                        /* 3 */
    "  - {name: I, model: lif_cond, size: 50}\n"                                         /* 4 */
    "  - {name: X, model: poisson, size: 200, rate_hz: 40, input: pool}\n"               /* 5 */
    "projections:\n"                                                                     /* 6 */
    "  - {pre: E, post: E, receptor: E, indegree: 40, weight: 0.01, delay_ms: [0, 5]}\n" /* 7 */
    "  - {pre: E, post: I, receptor: E, indegree: 40, weight: 0.01, delay_ms: [0, 5]}\n" /* 8 */
    "  - {pre: I, post: E, receptor: I, indegree: 10, weight: 0.2, delay_ms: [0, 1]}\n"  /* 9 */
    "  - {pre: I, post: I, receptor: I, indegree: 10, weight: 0.2, delay_ms: [0, 1]}\n"  /* 10 */
    "  - {pre: X, post: E, receptor: E, indegree: 40, weight: 0.01, delay_ms: [0, 5]}\n" /* 11 */
    "  - {pre: X, post: I, receptor: E, indegree: 40, weight: 0.01, delay_ms: [0, 5]}\n" /* 12 */
    "sweep:\n";                                                                          /* 13 */

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/cobalt_sweep_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static const char *with_spec(const char *spec)
{
    static char text[8192];
    snprintf(text, sizeof text, "%s%s", base_yaml, spec);
    return text;
}

static void load(cob_sweep *sw, const char *spec, const char *const *sets, int n_sets)
{
    cob_err err = {COB_OK, ""};
    cr_assert_eq(cob_sweep_load_string(sw, with_spec(spec), "sw.yaml", sets, n_sets, &err), COB_OK, "%s", err.msg);
}

/* The config of point i. */
static void point_config(const cob_sweep *sw, int64_t i, cob_config *c)
{
    cob_sweep_point p;
    cob_err err = {COB_OK, ""};
    cr_assert_eq(cob_sweep_point_make(sw, i, &p, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_sweep_point_config(sw, &p, c, &err), COB_OK, "%s", err.msg);
    cob_sweep_point_free(&p);
}

/* ---- points -------------------------------------------------------------------------------- */

Test(sweep, product_order_and_shorthands)
{
    cob_sweep sw;
    cob_config c;
    load(&sw, "  k: [20, 40]\n  set:\n    nu_x: [5, 10, 20]\n", NULL, 0);
    cr_assert_eq(sw.n_points, 6);
    cr_assert_eq(sw.n_axes, 2);
    point_config(&sw, 4, &c); /* product, the last key fastest: K index 1, nu_x index 1 */
    cr_expect_eq(c.projs[0].indegree, 40);
    cr_expect_eq(c.projs[2].indegree, 10);
    cr_expect_eq(c.pops[2].rate_hz, 10);
    cr_expect_eq(c.projs[0].weight, 0.01, "law none keeps the weights");
    cob_config_free(&c);
    point_config(&sw, 2, &c); /* K index 0, nu_x index 2 */
    cr_expect_eq(c.projs[0].indegree, 20);
    cr_expect_eq(c.projs[3].indegree, 5, "K_I keeps its ratio gamma to K_E");
    cr_expect_eq(c.projs[5].indegree, 20, "K_X = K");
    cr_expect_eq(c.pops[2].rate_hz, 20);
    cr_expect(strstr(c.text, "# --set populations.X.rate_hz=20") != NULL, "overrides recorded");
    cob_config_free(&c);
    cob_sweep_free(&sw);
}

Test(sweep, zip_g_seed_cv_k_and_dotted_keys)
{
    cob_sweep sw;
    cob_config c;
    load(&sw,
         "  set:\n    seed: [1, 2, 3]\n    g: [10, 20, 30]\n    cv_k: [0, 0.1, 0.2]\n"
         "    populations.E.tau_m_ms: [10, 15, 20]\n  combine: zip\n",
         NULL, 0);
    cr_assert_eq(sw.n_points, 3);
    point_config(&sw, 2, &c);
    cr_expect_eq(c.run.seed, 3);
    cr_expect_float_eq(c.projs[2].weight, 0.3, 1e-15, "I weight = g x E weight");
    cr_expect_float_eq(c.projs[3].weight, 0.3, 1e-15);
    cr_expect_eq(c.projs[0].weight, 0.01, "E weights unchanged");
    for (int j = 0; j < c.n_projs; j++) cr_expect_eq(c.projs[j].cv_indegree, 0.2, "cv_k sets every projection (%d)", j);
    cr_expect_eq(c.pops[0].lif.tau_m_ms, 20);
    cr_expect_eq(c.pops[1].lif.tau_m_ms, 20, "I keeps the default");
    cob_config_free(&c);
    cob_sweep_free(&sw);
}

/* A point's override is as long as its value: it was cut to ~600 bytes, so 700 leading zeros
 * of "00...015" left "00...0", another value. */
Test(sweep, long_value_not_cut)
{
    cob_sweep sw;
    cob_config c;
    char spec[1024];
    snprintf(spec, sizeof spec, "  set:\n    populations.E.tau_m_ms: [%0*d]\n", 702, 15);
    load(&sw, spec, NULL, 0);
    point_config(&sw, 0, &c);
    cr_expect_eq(c.pops[0].lif.tau_m_ms, 15);
    cob_config_free(&c);
    cob_sweep_free(&sw);
}

Test(sweep, sqrt_law_closed_form_and_k0)
{
    cob_sweep sw;
    cob_config c;
    load(&sw, "  k: {values: [10, 40, 160], law: sqrt}\n", NULL, 0);
    cr_assert_eq(sw.k0, 40, "k0 defaults to the config's K");
    point_config(&sw, 0, &c);
    cr_expect_float_eq(c.projs[0].weight, 0.02, 1e-15, "0.01 sqrt(40/10)");
    cr_expect_float_eq(c.projs[2].weight / c.projs[0].weight, 20.0, 1e-12, "g kept");
    cr_expect_eq(c.projs[2].indegree, 2.5);
    cob_config_free(&c);
    point_config(&sw, 1, &c);
    cr_expect_eq(c.projs[0].weight, 0.01, "the anchor holds exactly at K = k0");
    cob_config_free(&c);
    cob_sweep_free(&sw);
    /* k0 anchors the weight: the file's weight is the one at K = k0, in-degrees follow K. */
    load(&sw, "  k: {values: [20, 40], law: sqrt, k0: 80}\n", NULL, 0);
    point_config(&sw, 1, &c);
    cr_expect_eq(c.projs[0].indegree, 40);
    cr_expect_float_eq(c.projs[0].weight, 0.01 * sqrt(2.0), 1e-15);
    cob_config_free(&c);
    cob_sweep_free(&sw);
}

/* Each law gives the weight the theory API gives for the anchor: the Fig. 4 network of seed 004
 * (K0 = 1000, a0 = 1.6e-3), its sweep: block added by --set; I weights keep g = 20. */
Test(sweep, laws_through_the_theory_api)
{
    const char *laws[] = {"sqrt", "log", "sanzeni", "matched"};
    char path[512];
    snprintf(path, sizeof path, "%s/configs/sanzeni2020_fig4.yaml", COBALT_SOURCE_DIR);
    for (int l = 0; l < 4; l++) {
        char set[128];
        const char *sets[1] = {set};
        cob_sweep sw;
        cob_config c;
        cob_theory_net n;
        cob_scale_law law;
        cob_err err = {COB_OK, ""};
        double w;
        snprintf(set, sizeof set, "sweep.k={values: [500, 2000], law: %s}", laws[l]);
        cr_assert_eq(cob_sweep_load(&sw, path, sets, 1, &err), COB_OK, "%s", err.msg);
        cr_assert_eq(cob_theory_net_from_config(&sw.base, &n, &err), COB_OK, "%s", err.msg);
        cr_assert(cob_scale_law_parse(laws[l], &law));
        cr_assert_eq(cob_theory_scale(&n, law, 2000, &w, NULL, 0, &err), COB_OK, "%s", err.msg);
        point_config(&sw, 1, &c);
        cr_expect_float_eq(c.projs[0].weight, w, 1e-15 * w, "%s: %g vs %g", laws[l], c.projs[0].weight, w);
        cr_expect_lt(w, 1.6e-3, "%s: a weaker weight at a larger K", laws[l]);
        cr_expect_float_eq(c.projs[3].weight, 20 * w, 1e-14 * w);
        cr_expect_eq(c.projs[3].indegree, 500);
        cr_expect_eq(c.projs[4].indegree, 2000);
        cob_config_free(&c);
        cob_sweep_free(&sw);
    }
}

Test(sweep, run_ignores_the_sweep_block)
{
    cob_config c;
    cob_err err = {COB_OK, ""};
    cr_assert_eq(cob_config_load_string(&c, with_spec("  k: [20, 40]\n"), "sw.yaml", NULL, 0, &err), COB_OK, "%s",
                 err.msg);
    cr_expect_eq(c.projs[0].indegree, 40);
    cob_config_free(&c);
}

/* ---- refusals -------------------------------------------------------------------------------- */

static void refused(const char *spec, const char *set, const char *a, const char *b, const char *c)
{
    cob_sweep sw;
    cob_err err = {COB_OK, ""};
    const char *sets[1] = {set};
    cob_status st = cob_sweep_load_string(&sw, with_spec(spec), "sw.yaml", sets, set ? 1 : 0, &err);
    cr_expect_eq(st, COB_ERR_CONFIG, "status %d for spec:\n%s", st, spec);
    cr_expect(strstr(err.msg, a) != NULL, "no '%s' in: %s", a, err.msg);
    cr_expect(strstr(err.msg, b) != NULL, "no '%s' in: %s", b, err.msg);
    cr_expect(strstr(err.msg, c) != NULL, "no '%s' in: %s", c, err.msg);
}

Test(sweep, bad_specs_refused)
{
    refused("  k: {values: [20, 40], law: cubic}\n", NULL, "sw.yaml:14", "sweep.k.law", "cubic");
    refused("  sett: {nu_x: [1]}\n", NULL, "sw.yaml:14", "sett", "unknown key");
    refused("  set:\n    populations.E.tau_mm_ms: [10]\n", NULL, "sw.yaml:15", "sweep.set.populations.E.tau_mm_ms",
            "unknown key");
    refused("  set:\n    nu_x: []\n", NULL, "sw.yaml:15", "sweep.set.nu_x", "0 values");
    refused("  set:\n    nu_x: [5, 10]\n    seed: [1, 2, 3]\n  combine: zip\n", NULL, "sw.yaml:16", "sweep.set.seed",
            "zip");
    refused("  k: [40, 400]\n", NULL, "sw.yaml:14", "sweep.k", "indegree");
    refused("  k: [40, 400]\n", NULL, "point 1", "K=400", "400");
    refused("  set:\n    g: [ten]\n", NULL, "sw.yaml:15", "sweep.set.g", "ten");
    refused("  set:\n    nu_x: [-5]\n", NULL, "sw.yaml:15", "sweep.set.nu_x", "-5");
    refused("  k: [20]\n  nested: maybe\n", NULL, "sw.yaml:15", "sweep.nested", "expected a boolean");
    refused("  k: [20]\n  combine: cross\n", NULL, "sw.yaml:15", "sweep.combine", "product, zip");
    refused("  k: {law: sqrt}\n", NULL, "sw.yaml:14", "sweep.k", "values");
    refused("  {}\n", NULL, "sw.yaml", "sweep", "nothing to sweep");
    refused("  k: [20, 40]\n", "sweep.k.law=cubic", "--set sweep.k.law=cubic", "cubic", "allowed");
    refused("  set:\n    projections.0.weight: [0.5, 2]\n", NULL, "sw.yaml:15", "sweep.set.projections.0.weight",
            "\"2\"");
}

Test(sweep, no_sweep_block_refused)
{
    cob_sweep sw;
    cob_err err = {COB_OK, ""};
    char text[4096];
    snprintf(text, sizeof text, "%s", base_yaml);
    *strstr(text, "sweep:\n") = '\0';
    cr_expect_eq(cob_sweep_load_string(&sw, text, "sw.yaml", NULL, 0, &err), COB_ERR_CONFIG);
    cr_expect(strstr(err.msg, "no sweep: block") != NULL, "%s", err.msg);
}

Test(sweep, select_point)
{
    int64_t i;
    int sel;
    cob_err err = {COB_OK, ""};
    cr_expect_eq(cob_sweep_select(NULL, NULL, 3, &i, &sel, &err), COB_OK);
    cr_expect_eq(sel, 0);
    cr_expect_eq(cob_sweep_select("2", NULL, 3, &i, &sel, &err), COB_OK);
    cr_expect(sel && i == 2);
    cr_expect_eq(cob_sweep_select(NULL, "2", 3, &i, &sel, &err), COB_OK);
    cr_expect(sel && i == 2);
    cr_expect_eq(cob_sweep_select("1", "2", 3, &i, &sel, &err), COB_OK);
    cr_expect_eq(i, 1, "--point wins over SLURM_ARRAY_TASK_ID");
    cr_expect_eq(cob_sweep_select(NULL, "3", 3, &i, &sel, &err), COB_ERR_CONFIG);
    cr_expect(strstr(err.msg, "SLURM_ARRAY_TASK_ID \"3\"") && strstr(err.msg, "0 .. 2"), "%s", err.msg);
    cr_expect_eq(cob_sweep_select("x1", NULL, 3, &i, &sel, &err), COB_ERR_CONFIG);
    cr_expect(strstr(err.msg, "--point") != NULL, "%s", err.msg);
}

/* ---- running and merging ------------------------------------------------------------------- */

static double attr_f64(hid_t f, const char *obj, const char *name)
{
    double v = NAN;
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(a, 0, "no attribute %s of %s", name, obj);
    cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, &v), 0);
    H5Aclose(a);
    return v;
}

static hssize_t attr_len(hid_t f, const char *obj, const char *name)
{
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(a, 0, "no attribute %s of %s", name, obj);
    hid_t sp = H5Aget_space(a);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp);
    H5Aclose(a);
    return n;
}

/* /summary/<col> into v (3 values). */
static void column(hid_t f, const char *col, double *v)
{
    char path[128];
    snprintf(path, sizeof path, "/summary/%s", col);
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    cr_assert_geq(d, 0, "no %s", path);
    cr_assert_eq(H5Sget_simple_extent_npoints(H5Dget_space(d)), 3);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Dclose(d);
}

static int exists(const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static void run_all(const cob_sweep *sw, const char *pdir)
{
    cob_sim_options opt = {0};
    cob_run_meta meta = {"test", "0", NULL, "host", 0, NULL, NULL};
    opt.backend = COB_BACKEND_CPU;
    for (int64_t i = 0; i < sw->n_points; i++) {
        cob_sweep_point_result r;
        cob_err err = {COB_OK, ""};
        cr_assert_eq(cob_sweep_run_point(sw, i, pdir, &opt, &meta, &r, &err), COB_OK, "%s", err.msg);
        cr_expect_gt(r.rate_hz[0], 0.0, "point %lld is silent", (long long)i);
    }
}

static void check_merged(const char *out)
{
    double k[3], w[3], rate[3], theory[3];
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "no sweep file %s", out);
    cr_expect_eq(attr_f64(f, "/", "n_points"), 3);
    cr_expect_eq(attr_len(f, "/", "missing"), 0);
    cr_expect_eq(attr_len(f, "/points/2", "overrides"), 12, "6 in-degrees, 6 weights");
    cr_expect_gt(H5Lexists(f, "/points/1/populations/E/spike_count", H5P_DEFAULT), 0);
    column(f, "K", k);
    column(f, "weight_E", w);
    column(f, "E_rate_hz", rate);
    column(f, "E_theory_rate_hz", theory);
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(k[i], 40 + 20 * i);
        cr_expect_float_eq(w[i], 0.01 * sqrt(40.0 / k[i]), 1e-15);
        cr_expect_gt(rate[i], 0.0);
        cr_expect(isfinite(theory[i]) && theory[i] > 0, "theory at point %d: %g", i, theory[i]);
        cr_expect_float_eq(rate[i],
                           attr_f64(f,
                                    i == 0   ? "/points/0/populations/E"
                                    : i == 1 ? "/points/1/populations/E"
                                             : "/points/2/populations/E",
                                    "mean_rate_hz"),
                           0);
    }
    H5Fclose(f);
}

static void check_csv(const char *path)
{
    char line[4096];
    int n = 0;
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect(strncmp(line, "point,K,weight_E,E_rate_hz,E_cv,E_v_mean_mV,E_v_sd_mV,E_theory_rate_hz,", 70) == 0,
              "header: %s", line);
    cr_expect(strstr(line, "I_theory_v_sd_mV") != NULL, "header: %s", line);
    while (fgets(line, sizeof line, f)) n++;
    fclose(f);
    cr_expect_eq(n, 3);
}

Test(sweep, run_merge_missing_and_foreign_points, .init = make_dir, .fini = remove_dir)
{
    cob_sweep sw, other;
    cob_err err = {COB_OK, ""};
    char pdir[300], out[300], csv[300], out2[300];
    const char *set = "run.t_sim_ms=200";
    snprintf(pdir, sizeof pdir, "%s/points", dir);
    snprintf(out, sizeof out, "%s/s.h5", dir);
    snprintf(csv, sizeof csv, "%s/s.csv", dir);
    snprintf(out2, sizeof out2, "%s/s2.h5", dir);
    load(&sw, "  k: {values: [40, 60, 80], law: sqrt}\n", NULL, 0);
    run_all(&sw, pdir);
    cr_assert_eq(cob_sweep_merge(&sw, pdir, out, csv, 0, &err), COB_OK, "%s", err.msg);
    check_merged(out);
    check_csv(csv);
    /* a point file of another sweep (another --set) is refused */
    load(&other, "  k: {values: [40, 60, 80], law: sqrt}\n", &set, 1);
    cr_expect_eq(cob_sweep_merge(&other, pdir, out2, NULL, 0, &err), COB_ERR_CONFIG);
    cr_expect(strstr(err.msg, "point_0.h5 was not written for point 0") != NULL, "%s", err.msg);
    cob_sweep_free(&other);
    /* a missing point: refused with the list, nothing written; or merged with --allow-missing */
    cr_assert_eq(remove(strcat(pdir, "/point_1.h5")), 0);
    *strrchr(pdir, '/') = '\0';
    cr_expect_eq(cob_sweep_merge(&sw, pdir, out2, NULL, 0, &err), COB_ERR_IO);
    cr_expect(strstr(err.msg, "1 of 3 point files are missing") && strstr(err.msg, ": 1 "), "%s", err.msg);
    cr_expect(!exists("s2.h5"), "a partial file was written");
    cr_expect_eq(cob_sweep_merge(&sw, "/nonexistent", out2, NULL, 1, &err), COB_ERR_IO);
    cr_expect(strstr(err.msg, "no point files in /nonexistent") != NULL, "%s", err.msg);
    cr_assert_eq(cob_sweep_merge(&sw, pdir, out2, NULL, 1, &err), COB_OK, "%s", err.msg);
    hid_t f = H5Fopen(out2, H5F_ACC_RDONLY, H5P_DEFAULT);
    double rate[3], k[3];
    cr_assert_geq(f, 0);
    cr_expect_eq(attr_len(f, "/", "missing"), 1);
    cr_expect_eq(H5Lexists(f, "/points/1", H5P_DEFAULT), 0);
    column(f, "E_rate_hz", rate);
    column(f, "K", k);
    cr_expect(isnan(rate[1]) && rate[0] > 0 && k[1] == 60, "rates %g %g K %g", rate[0], rate[1], k[1]);
    H5Fclose(f);
    cob_sweep_free(&sw);
}

/* A resubmitted sweep keeps the points whose file is complete (published, opens as HDF5, its
 * /config is the point's) and runs the others: a file that does not open (not HDF5) or that
 * another sweep wrote (another --set) is run again. */
Test(sweep, complete_points_are_kept, .init = make_dir, .fini = remove_dir)
{
    cob_sweep sw, other;
    cob_sim_options opt = {0};
    cob_run_meta meta = {"test", "0", NULL, "host", 0, NULL, NULL};
    cob_sweep_point_result r;
    cob_err err = {COB_OK, ""};
    char pdir[300], p0[320], p1[320];
    const char *set = "run.t_sim_ms=200";
    struct stat st0, st1;
    FILE *f;
    opt.backend = COB_BACKEND_CPU;
    snprintf(pdir, sizeof pdir, "%s/points", dir);
    snprintf(p0, sizeof p0, "%s/point_0.h5", pdir);
    snprintf(p1, sizeof p1, "%s/point_1.h5", pdir);
    load(&sw, "  k: {values: [40, 60], law: sqrt}\n", NULL, 0);
    run_all(&sw, pdir);
    cr_assert_eq(stat(p0, &st0), 0);
    cr_assert_eq(cob_sweep_run_point(&sw, 0, pdir, &opt, &meta, &r, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(r.kept, 1, "a complete point was run again");
    cr_assert_eq(stat(p0, &st1), 0);
    cr_expect(st1.st_ino == st0.st_ino && st1.st_mtime == st0.st_mtime, "the kept file was rewritten");
    f = fopen(p1, "w"); /* not a published result: does not open as HDF5 */
    cr_assert_not_null(f);
    fputs("half", f);
    fclose(f);
    cr_assert_eq(cob_sweep_run_point(&sw, 1, pdir, &opt, &meta, &r, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(r.kept, 0, "a file that does not open was kept");
    cr_expect_gt(r.rate_hz[0], 0.0);
    load(&other, "  k: {values: [40, 60], law: sqrt}\n", &set, 1);
    cr_assert_eq(cob_sweep_run_point(&other, 0, pdir, &opt, &meta, &r, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(r.kept, 0, "another sweep's point file was kept");
    cob_sweep_free(&other);
    cob_sweep_free(&sw);
}

/* ---- the command line ------------------------------------------------------------------------ */

/* Run the CLI in dir with env prefix and args; stderr into *errs (caller frees); exit code. */
static int run_cli(const char *env, const char *args, char **errs)
{
    char cmd[2048], pe[400];
    snprintf(pe, sizeof pe, "%s/stderr", dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && %s OMP_NUM_THREADS=1 '%s' %s > '%s/stdout' 2> '%s'", dir, env, COBALT_CLI,
             args, dir, pe);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc));
    FILE *f = fopen(pe, "r");
    cr_assert_not_null(f);
    *errs = calloc(1, 65536);
    size_t n = fread(*errs, 1, 65535, f);
    (*errs)[n] = '\0';
    fclose(f);
    return WEXITSTATUS(rc);
}

static void spike_counts(const char *name, uint32_t *v)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "no %s", path);
    hid_t d = H5Dopen2(f, "/populations/E/spike_count", H5P_DEFAULT);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Dclose(d);
    H5Fclose(f);
}

Test(sweep, cli_point_and_slurm_task_id_agree, .init = make_dir, .fini = remove_dir)
{
    static uint32_t a[200], b[200];
    char path[300], *errs;
    long total = 0;
    int same = 1;
    snprintf(path, sizeof path, "%s/net.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(with_spec("  set:\n    seed: [1, 2, 3]\n"), f);
    fclose(f);
    cr_assert_eq(run_cli("", "sweep net.yaml --point 1 --dir a", &errs), 0, "%s", errs);
    cr_expect(strstr(errs, "point 2/3 seed=2") != NULL, "progress line: %s", errs);
    free(errs);
    cr_assert_eq(run_cli("SLURM_ARRAY_TASK_ID=1", "sweep net.yaml --dir b --quiet", &errs), 0, "%s", errs);
    free(errs);
    cr_expect(!exists("a/point_0.h5") && !exists("b/point_2.h5"), "only point 1 runs");
    spike_counts("a/point_1.h5", a);
    spike_counts("b/point_1.h5", b);
    for (int i = 0; i < 200; i++) {
        same &= a[i] == b[i];
        total += a[i];
    }
    cr_expect_gt(total, 0);
    cr_expect(same, "--point 1 and SLURM_ARRAY_TASK_ID=1 ran different points");
    cr_expect_eq(run_cli("", "merge net.yaml --dir a --out m.h5", &errs), 3);
    cr_expect(strstr(errs, "2 of 3 point files are missing in a: 0, 2") != NULL, "%s", errs);
    cr_expect(!exists("m.h5"));
    free(errs);
    cr_expect_eq(run_cli("", "merge net.yaml --dir a --out m.h5 --allow-missing", &errs), 0, "%s", errs);
    cr_expect(exists("m.h5") && exists("m.csv"));
    free(errs);
}

/* The merged sweep file's path is checked before any point runs (a directory failed only after
 * the whole sweep), and the config itself is refused as --out. */
Test(sweep, cli_bad_out_refused_before_points, .init = make_dir, .fini = remove_dir)
{
    char path[300], *errs;
    snprintf(path, sizeof path, "%s/net.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(with_spec("  set:\n    seed: [1, 2]\n"), f);
    fclose(f);
    snprintf(path, sizeof path, "%s/sub.h5", dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    cr_expect_eq(run_cli("", "sweep net.yaml --out sub.h5 --dir pts --quiet", &errs), 3, "%s", errs);
    cr_expect(strstr(errs, "sub.h5: is a directory") != NULL, "%s", errs);
    cr_expect(!exists("pts"), "points ran before the output was checked");
    free(errs);
    cr_expect_eq(run_cli("", "sweep net.yaml --out net.yaml --dir pts --quiet", &errs), 1, "%s", errs);
    cr_expect(strstr(errs, "is the config file") != NULL, "%s", errs);
    cr_expect(!exists("pts"));
    free(errs);
}

/* Points that lose spike arrivals at run time (independent input saturating a 16-bit ring cell)
 * are written, the sweep exits 6, and its JSON status is "overflow", never "ok". */
Test(sweep, cli_overflow_status, .init = make_dir, .fini = remove_dir)
{
    char path[300], *errs, out[4096] = "";
    snprintf(path, sizeof path, "%s/ovf.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 1}\n"
          "populations:\n"
          "  - {name: E, model: lif_cond, size: 4}\n"
          "  - {name: X, model: poisson, size: 10, rate_hz: 10000, input: independent}\n"
          "projections:\n",
          f);
    for (int k = 0; k < 5; k++) /* 5 x 16000 input spikes per step onto one channel > 65535 */
        fputs("  - {pre: X, post: E, receptor: E, indegree: 16000, weight: 0.001}\n", f);
    fputs("sweep:\n  set:\n    seed: [1, 2]\n", f);
    fclose(f);
    cr_expect_eq(run_cli("", "sweep ovf.yaml --quiet", &errs), 6, "%s", errs);
    free(errs);
    snprintf(path, sizeof path, "%s/stdout", dir);
    f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_gt(fread(out, 1, sizeof out - 1, f), 0);
    fclose(f);
    cr_expect(strncmp(out, "{\"status\":\"overflow\",", 21) == 0, "%s", out);
    cr_expect(strstr(out, "\"overflow_points\":2") != NULL, "%s", out);
    cr_expect(exists("ovf_sweep.h5"), "the overflowed points were not merged");
}

/* ---- an unconnected population (the single neuron of seed 004, Sec. IV) ---------------------- */

/* Fig. 2's neuron (a = 0.01 at K = 1000, g = 12, gamma = 1/4, eta = 1.8, nu_X = 25 Hz) driven by
 * two Poisson populations; the I input is listed first, so K is the first receptor-E projection,
 * not the first projection. */
static const char *single_yaml =
    "run: {dt_ms: 0.01, t_warmup_ms: 20, t_sim_ms: 200, seed: 2}\n"
    "populations:\n"
    "  - {name: N, model: lif_cond, size: 40}\n"
    "  - {name: XE, model: poisson, size: 1, rate_hz: 25, input: independent}\n"
    "  - {name: XI, model: poisson, size: 1, rate_hz: 45, input: independent}\n"
    "projections:\n"
    "  - {pre: XI, post: N, receptor: I, indegree: 250, weight: 0.12}\n"
    "  - {pre: XE, post: N, receptor: E, indegree: 1000, weight: 0.01}\n"
    "sweep:\n"
    "  k: {values: [500, 1000, 2000], law: %s}\n";

static void load_single(cob_sweep *sw, const char *law)
{
    char text[2048];
    cob_err err = {COB_OK, ""};
    snprintf(text, sizeof text, single_yaml, law);
    cr_assert_eq(cob_sweep_load_string(sw, text, "sn.yaml", NULL, 0, &err), COB_OK, "%s: %s", law, err.msg);
}

/* K scales both input in-degrees; every law's weight is the theory API's for the single-neuron
 * anchor (cob_theory_net_from_config maps the unconnected population), I keeping g = 12. */
Test(sweep, k_law_on_input_projections)
{
    const char *laws[] = {"none", "sqrt", "log", "sanzeni", "matched"};
    for (int l = 0; l < 5; l++) {
        cob_sweep sw;
        cob_config c;
        cob_theory_net n;
        cob_scale_law law;
        cob_err err = {COB_OK, ""};
        double w;
        load_single(&sw, laws[l]);
        cr_expect_eq(sw.k_cfg, 1000);
        cr_expect_str_eq(sw.e_pop, "N");
        cr_assert_eq(cob_theory_net_from_config(&sw.base, &n, &err), COB_OK, "%s", err.msg);
        cr_expect(n.single, "the base config maps to the single-neuron theory");
        cr_assert(cob_scale_law_parse(laws[l], &law));
        cr_assert_eq(cob_theory_scale(&n, law, 2000, &w, NULL, 0, &err), COB_OK, "%s", err.msg);
        point_config(&sw, 2, &c);
        cr_expect_eq(c.projs[1].indegree, 2000);
        cr_expect_eq(c.projs[0].indegree, 500);
        cr_expect_float_eq(c.projs[1].weight, w, 1e-15 * w, "%s: %g vs %g", laws[l], c.projs[1].weight, w);
        cr_expect_float_eq(c.projs[0].weight, 12 * w, 1e-14 * w, "%s: g kept", laws[l]);
        if (l == 0)
            cr_expect_eq(w, 0.01);
        else
            cr_expect_lt(w, 0.01, "%s: a weaker weight at a larger K", laws[l]);
        cob_config_free(&c);
        cob_sweep_free(&sw);
    }
}

/* An unconnected population without E input: nothing whose in-degree is K. */
Test(sweep, k_without_e_input_refused)
{
    char text[2048];
    const char *sets[1] = {"projections.1.receptor=I"};
    cob_sweep sw;
    cob_err err = {COB_OK, ""};
    snprintf(text, sizeof text, single_yaml, "sqrt");
    cr_expect_eq(cob_sweep_load_string(&sw, text, "sn.yaml", sets, 1, &err), COB_ERR_CONFIG);
    cr_expect(strstr(err.msg, "sn.yaml:10: sweep.k") && strstr(err.msg, "receptor-E input projection"), "%s", err.msg);
}

/* A matched sweep of the single neuron runs and merges; its summary carries K, the law's weight
 * and the single-neuron theory, whose rate the matched law holds at the anchor's 23.799 Hz
 * (tests/test_theory.c; 1e-9 relative: the law's root finder and the quadrature). */
Test(sweep, single_neuron_sweep_runs_with_theory, .init = make_dir, .fini = remove_dir)
{
    cob_sweep sw;
    cob_err err = {COB_OK, ""};
    char pdir[300], out[300];
    double k[3], w[3], rate[3], theory[3];
    snprintf(pdir, sizeof pdir, "%s/points", dir);
    snprintf(out, sizeof out, "%s/s.h5", dir);
    load_single(&sw, "matched");
    run_all(&sw, pdir);
    cr_assert_eq(cob_sweep_merge(&sw, pdir, out, NULL, 0, &err), COB_OK, "%s", err.msg);
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    column(f, "K", k);
    column(f, "weight_E", w);
    column(f, "N_rate_hz", rate);
    column(f, "N_theory_rate_hz", theory);
    H5Fclose(f);
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(k[i], 500 << i);
        cr_expect(i == 1 ? w[i] == 0.01 : (i == 0 ? w[i] > 0.01 : w[i] < 0.01), "weight %g at K %g", w[i], k[i]);
        cr_expect_gt(rate[i], 0.0);
        cr_expect(fabs(theory[i] / 23.79947963694745 - 1) < 1e-9, "theory %.12g at K %g", theory[i], k[i]);
    }
    cob_sweep_free(&sw);
}

/* nested: true -> every point's projections are nested, and the built graphs are nested: each
 * E->E synapse at K = 20 (with its delay) is also there at K = 40. */
Test(sweep, nested_points_build_nested_graphs)
{
    cob_sweep sw;
    cob_config c20, c40;
    cob_net a, b;
    cob_err err = {COB_OK, ""};
    load(&sw, "  k: [20, 40]\n  nested: true\n", NULL, 0);
    point_config(&sw, 0, &c20);
    point_config(&sw, 1, &c40);
    for (int q = 0; q < c20.n_projs; q++)
        cr_expect(c20.projs[q].nested && c40.projs[q].nested, "projection %d not nested", q);
    cr_assert_eq(cob_net_build(&a, &c20, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_net_build(&b, &c40, &err), COB_OK, "%s", err.msg);
    const cob_proj *s = &a.proj[0], *l = &b.proj[0];
    int64_t missing = 0;
    for (int64_t j = 0; j < s->n_pre; j++)
        for (int64_t x = s->row_ptr[j]; x < s->row_ptr[j + 1]; x++) {
            int found = 0;
            for (int64_t y = l->row_ptr[j]; y < l->row_ptr[j + 1] && !found; y++)
                found = l->target[y] == s->target[x] && l->delay_steps[y] == s->delay_steps[x];
            missing += !found;
        }
    cr_expect_eq(missing, 0, "%lld of %lld synapses at K = 20 missing at K = 40", (long long)missing,
                 (long long)s->n_syn);
    cob_net_free(&a);
    cob_net_free(&b);
    cob_config_free(&c20);
    cob_config_free(&c40);
    cob_sweep_free(&sw);
}

/* ---- a full disk while merging (issue "reliability") ----------------------------------------- */

/* Write text to name in dir. */
static void put(const char *name, const char *text)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* name in dir still holds exactly text. */
static void unchanged(const char *name, const char *text)
{
    char path[400], buf[128] = "";
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s is gone", path);
    buf[fread(buf, 1, sizeof buf - 1, f)] = '\0';
    fclose(f);
    cr_expect_str_eq(buf, text, "%s was replaced", path);
}

/* Nothing but the expected files: no temporary, no kept old file. */
static int leftovers(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q '\\.tmp\\.\\|\\.old\\.'", dir);
    return system(cmd) == 0;
}

/* A file size limit (RLIMIT_FSIZE, SIGXFSZ ignored: EFBIG, the path of a full disk) while the
 * sweep file is written: exit 3 naming the path and the OS error, the old sweep file and CSV
 * intact, no temporary (before: HDF5 crashed at exit with no message and the temporary stayed).
 * Then the CSV alone fails (a link to /dev/full: ENOSPC) after the sweep file was written: the
 * old sweep file must stay too, both files or neither (before: the sweep file was replaced). */
Test(sweep, cli_merge_full_disk_leaves_nothing, .init = make_dir, .fini = remove_dir)
{
    char *errs, path[400];
    put("net.yaml", with_spec("  set:\n    seed: [1, 2]\n"));
    cr_assert_eq(run_cli("", "sweep net.yaml --dir pts --out m.h5 --quiet", &errs), 0, "%s", errs);
    free(errs);
    put("m2.h5", "old sweep");
    put("m2.csv", "old csv");
    int rc = run_cli("ulimit -f 40 && trap '' XFSZ &&", "merge net.yaml --dir pts --out m2.h5", &errs);
    cr_expect_eq(rc, 3, "exit code %d (139: SIGSEGV), stderr: %s", rc, errs);
    cr_expect(strstr(errs, "m2.h5") != NULL && strstr(errs, "File too large") != NULL, "%s", errs);
    free(errs);
    unchanged("m2.h5", "old sweep");
    unchanged("m2.csv", "old csv");
    cr_expect(!leftovers(), "a temporary was left");

    put("m3.h5", "old sweep");
    snprintf(path, sizeof path, "%s/m3.csv", dir);
    cr_assert_eq(symlink("/dev/full", path), 0);
    rc = run_cli("", "merge net.yaml --dir pts --out m3.h5", &errs);
    cr_expect_eq(rc, 3, "exit code %d, stderr: %s", rc, errs);
    cr_expect(strstr(errs, "m3.csv") != NULL && strstr(errs, "No space left on device") != NULL, "%s", errs);
    free(errs);
    unchanged("m3.h5", "old sweep");
    cr_expect(!leftovers(), "a temporary was left");
}

/* A point file damaged inside its data after it was written (one byte of its HDF5 image flipped,
 * as a bad disk or a stray write would): merge refuses it, exit 3, naming the point and the
 * checksum, instead of copying whatever the damaged bytes decode to (before: NaN or a wrong rate
 * went into the sweep file without notice); and a sweep reruns that point instead of keeping it. */
Test(sweep, cli_merge_refuses_damaged_point, .init = make_dir, .fini = remove_dir)
{
    char *errs, path[400];
    put("net.yaml", with_spec("  set:\n    seed: [1, 2]\n"));
    cr_assert_eq(run_cli("", "sweep net.yaml --dir pts --out m.h5 --quiet", &errs), 0, "%s", errs);
    free(errs);
    snprintf(path, sizeof path, "%s/pts/point_1.h5", dir);
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    cr_assert_eq(fseek(f, size / 2, SEEK_SET), 0);
    int ch = fgetc(f);
    cr_assert_eq(fseek(f, size / 2, SEEK_SET), 0);
    fputc(ch ^ 0x40, f);
    fclose(f);
    int rc = run_cli("", "merge net.yaml --dir pts --out m2.h5", &errs);
    cr_expect_eq(rc, 3, "exit code %d, stderr: %s", rc, errs);
    cr_expect(strstr(errs, "point_1.h5") != NULL && strstr(errs, "checksum mismatch") != NULL, "%s", errs);
    free(errs);
    snprintf(path, sizeof path, "%s/m2.h5", dir);
    cr_expect_neq(access(path, F_OK), 0, "a sweep file was written from a damaged point");
    rc = run_cli("", "sweep net.yaml --dir pts --out m3.h5 --quiet", &errs);
    cr_expect_eq(rc, 0, "the sweep did not rerun the damaged point: exit %d, %s", rc, errs);
    free(errs);
}
