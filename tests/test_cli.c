/* tests/test_cli.c -- the `cobalt` command as a user meets it: bad configs and options are
 * refused with their exit code and a message naming file, line, key and value, and no result
 * file is written; a good run writes the HDF5 file and one JSON line; two runs with one seed
 * give identical spike counts, another seed differs; --backend cuda without CUDA is refused. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700
#include <criterion/criterion.h>
#include <dlfcn.h>
#include "test_util.h"
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cobalt/sim.h"
#include "cobalt/output.h"

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/cobalt_cli_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Run the CLI with args after the shell commands limits (e.g. "ulimit -f 16 && "; "" for none);
 * stdout and stderr into out/err (caller frees); returns the exit code (128 + N when signal N
 * killed it: the shell reports it so). */
static int run_cli_limited(const char *limits, const char *args, char **out, char **err)
{
    size_t len = strlen(args) + 2048;
    char *cmd = malloc(len), po[512], pe[512];
    int rc;
    FILE *f;
    long n;
    cr_assert_not_null(cmd);
    snprintf(po, sizeof po, "%s/stdout", dir);
    snprintf(pe, sizeof pe, "%s/stderr", dir);
    snprintf(cmd, len, "cd '%s' && %s OMP_NUM_THREADS=1 '%s' %s > '%s' 2> '%s'", dir, limits, COBALT_CLI, args, po, pe);
    rc = system(cmd);
    free(cmd);
    cr_assert(WIFEXITED(rc));
    for (int k = 0; k < 2; ++k) {
        char **dst = k ? err : out;
        f = fopen(k ? pe : po, "r");
        cr_assert_not_null(f);
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        *dst = calloc((size_t)n + 1, 1);
        cr_assert_eq(fread(*dst, 1, (size_t)n, f), (size_t)n);
        fclose(f);
    }
    return WEXITSTATUS(rc);
}

/* Run the CLI with args; stdout and stderr into out/err (caller frees); returns the exit code. */
static int run_cli(const char *args, char **out, char **err)
{
    return run_cli_limited("", args, out, err);
}

static int exists(const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static const char *small_net = TEST_SMALL_NET;

/* A refused config: exit code 2, the message names file:line, key and value, no file. */
static void expect_config_error(const char *yaml, const char *line_tag, const char *key, const char *value)
{
    char *out, *err;
    int rc;
    write_file("bad.yaml", yaml);
    rc = run_cli("run bad.yaml --out res.h5", &out, &err);
    cr_expect_eq(rc, 2, "exit code %d, stderr: %s", rc, err);
    cr_expect(strstr(err, line_tag) != NULL, "no '%s' in: %s", line_tag, err);
    cr_expect(strstr(err, key) != NULL, "no '%s' in: %s", key, err);
    cr_expect(strstr(err, value) != NULL, "no '%s' in: %s", value, err);
    cr_expect_eq(out[0], '\0', "stdout not empty: %s", out);
    cr_expect(!exists("res.h5"), "a result file was written");
    free(out);
    free(err);
}

Test(cli, unknown_key_refused, .init = make_dir, .fini = remove_dir)
{
    expect_config_error("run: {dt_ms: 0.1, t_simms: 100}\npopulations:\n  - {name: E, model: lif_cond, size: 10}\n",
                        "bad.yaml:1", "t_simms", "unknown key");
}

Test(cli, wrong_type_refused, .init = make_dir, .fini = remove_dir)
{
    expect_config_error("populations:\n  - name: E\n    model: lif_cond\n    size: many\n", "bad.yaml:4", "size",
                        "\"many\"");
}

Test(cli, out_of_range_refused, .init = make_dir, .fini = remove_dir)
{
    expect_config_error("run:\n  dt_ms: -0.1\npopulations:\n  - {name: E, model: lif_cond, size: 10}\n", "bad.yaml:2",
                        "dt_ms", "-0.1");
}

Test(cli, missing_file_refused, .init = make_dir, .fini = remove_dir)
{
    char *out, *err;
    int rc = run_cli("run nope.yaml --out res.h5", &out, &err);
    cr_expect_eq(rc, 3, "exit code %d", rc);
    cr_expect(strstr(err, "nope.yaml") != NULL, "%s", err);
    cr_expect(!exists("res.h5"));
    free(out);
    free(err);
}

Test(cli, bad_options_refused, .init = make_dir, .fini = remove_dir)
{
    char *out, *err;
    int rc;
    write_file("net.yaml", small_net);
    rc = run_cli("run net.yaml --backend gpu --out res.h5", &out, &err);
    cr_expect_eq(rc, 1);
    cr_expect(strstr(err, "auto, cpu, cuda") != NULL, "%s", err);
    free(out);
    free(err);
    rc = run_cli("run net.yaml --frobnicate", &out, &err);
    cr_expect_eq(rc, 1);
    cr_expect(strstr(err, "--frobnicate") != NULL, "%s", err);
    free(out);
    free(err);
    rc = run_cli("run net.yaml --set run.seeed=2 --out res.h5", &out, &err);
    cr_expect_eq(rc, 2);
    cr_expect(strstr(err, "run.seeed") != NULL, "%s", err);
    cr_expect(!exists("res.h5"));
    free(out);
    free(err);
}

Test(cli, cuda_backend_refused_without_device, .init = make_dir, .fini = remove_dir)
{
    char *out, *err;
    int rc;
    if (cob_cuda_available() && cob_cuda_backend())
        cr_skip_test("a CUDA device and backend are present");
    write_file("net.yaml", small_net);
    rc = run_cli("run net.yaml --backend cuda --out res.h5", &out, &err);
    cr_expect_eq(rc, 5, "exit code %d: %s", rc, err);
    cr_expect(strstr(err, "--backend cuda") != NULL, "%s", err);
    cr_expect(!exists("res.h5"));
    free(out);
    free(err);
}

/* Spike counts of population E from a result file. */
static void read_counts(const char *name, uint32_t *counts, size_t n)
{
    char path[512];
    hid_t f, d;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    d = H5Dopen2(f, "/populations/E/spike_count", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    cr_assert_eq(H5Sget_simple_extent_npoints(H5Dget_space(d)), (hssize_t)n);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, counts), 0);
    H5Dclose(d);
    H5Fclose(f);
}

Test(cli, run_writes_results_and_is_reproducible, .init = make_dir, .fini = remove_dir)
{
    static uint32_t a[400], b[400], c[400];
    char *out, *err;
    int rc, same = 1, differ = 0;
    long total = 0;
    write_file("net.yaml", small_net);
    rc = run_cli("run net.yaml --out a.h5", &out, &err);
    cr_assert_eq(rc, 0, "stderr: %s", err);
    cr_expect_eq(out[0], '{');
    cr_expect(strchr(out, '\n') == out + strlen(out) - 1, "one JSON line expected: %s", out);
    cr_expect(strstr(out, "\"out\":\"a.h5\"") != NULL, "%s", out);
    free(out);
    free(err);
    cr_assert_eq(run_cli("run net.yaml --out b.h5", &out, &err), 0);
    free(out);
    free(err);
    cr_assert_eq(run_cli("run net.yaml --seed 4 --out c.h5", &out, &err), 0);
    free(out);
    free(err);
    read_counts("a.h5", a, 400);
    read_counts("b.h5", b, 400);
    read_counts("c.h5", c, 400);
    for (int i = 0; i < 400; ++i) {
        same &= a[i] == b[i];
        differ += a[i] != c[i];
        total += a[i];
    }
    cr_assert_gt(total, 0, "the network is silent: the comparison would prove nothing");
    cr_expect(same, "the same seed gave different spike counts");
    cr_expect_gt(differ, 0, "another seed gave the same spike counts");
}

/* The E/I/X network maps to the mean-field theory: the file carries /theory beside the data. */
Test(cli, run_writes_theory_group, .init = make_dir, .fini = remove_dir)
{
    char *out, *err, path[512];
    double rate = 0.0, p_sum = 0.0, v[COB_THEORY_PV_N], p[COB_THEORY_PV_N];
    hid_t f, g, a, d;
    write_file("net.yaml", small_net);
    cr_assert_eq(run_cli("run net.yaml --out t.h5", &out, &err), 0, "%s", err);
    free(out);
    free(err);
    snprintf(path, sizeof path, "%s/t.h5", dir);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    g = H5Gopen2(f, "/theory", H5P_DEFAULT);
    cr_assert_geq(g, 0, "no /theory group");
    a = H5Aopen(g, "rate_hz", H5P_DEFAULT);
    cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, &rate), 0);
    d = H5Dopen2(g, "v_mV", H5P_DEFAULT);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Dclose(d);
    d = H5Dopen2(g, "p_v", H5P_DEFAULT);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p), 0);
    H5Dclose(d);
    H5Aclose(a);
    H5Gclose(g);
    H5Fclose(f);
    for (int k = 1; k < COB_THEORY_PV_N; ++k) p_sum += 0.5 * (p[k] + p[k - 1]) * (v[k] - v[k - 1]);
    cr_expect(rate > 0.0 && rate < 500.0, "theory rate %g", rate);
    /* Eq. 17 leaves out the refractory mass nu tau_rp (< 0.2 at < 100 Hz); trapezoid error small. */
    cr_expect(p_sum > 0.8 && p_sum < 1.001, "P(V) integrates to %g", p_sum);
}

Test(cli, validate_prints_estimate, .init = make_dir, .fini = remove_dir)
{
    char *out, *err;
    write_file("net.yaml", small_net);
    cr_assert_eq(run_cli("validate net.yaml", &out, &err), 0, "%s", err);
    cr_expect(strstr(out, "memory estimate") != NULL, "%s", out);
    cr_expect(strstr(out, "synapses stored: 5.6e+04") != NULL, "%s", out);
    cr_expect(!exists("net_seed3.h5"), "validate must not run or write");
    free(out);
    free(err);
}

/* Too many stored synapses onto one input channel of a neuron (multapses): a config error found
 * when the network is laid out, exit 2 with the projection's line and the bound, no summary
 * and no file (it exited 6, printed "status":"ok" and wrote an empty file). */
Test(cli, ring_bound_is_a_config_error, .init = make_dir, .fini = remove_dir)
{
    char *out, *err;
    int rc;
    write_file("ring.yaml",
               "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 1}\n"
               "populations:\n"
               "  - {name: E, model: lif_cond, size: 2}\n"
               "  - {name: X, model: poisson, size: 10, rate_hz: 1}\n"
               "projections:\n"
               "  - {pre: X, post: E, receptor: E, indegree: 30000, weight: 0.001, multapses: true}\n"
               "  - {pre: X, post: E, receptor: E, indegree: 40000, weight: 0.001, multapses: true}\n");
    for (int k = 0; k < 2; k++) {
        rc = run_cli(k ? "validate ring.yaml" : "run ring.yaml --out res.h5", &out, &err);
        cr_expect_eq(rc, 2, "exit code %d: %s", rc, err);
        cr_expect(strstr(err, "ring.yaml:7: projections[1].indegree") != NULL, "%s", err);
        cr_expect(strstr(err, "70000") != NULL && strstr(err, "65535") != NULL, "%s", err);
        cr_expect(strstr(out, "\"status\"") == NULL, "%s", out);
        cr_expect(!exists("res.h5"), "a result file was written");
        free(out);
        free(err);
    }
}

/* A run that loses spike arrivals at run time writes its file, exits 6 and says so in the JSON
 * ("status" said "ok"). */
Test(cli, run_overflow_status, .init = make_dir, .fini = remove_dir)
{
    char *out, *err, yaml[1024];
    int rc, n = snprintf(yaml, sizeof yaml, "%s",
                         "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 1}\n"
                         "populations:\n"
                         "  - {name: E, model: lif_cond, size: 4}\n"
                         "  - {name: X, model: poisson, size: 10, rate_hz: 10000, input: independent}\n"
                         "projections:\n");
    for (int k = 0; k < 5; k++) /* 5 x 16000 input spikes per step onto one channel > 65535 */
        n += snprintf(yaml + n, sizeof yaml - (size_t)n, "%s",
                      "  - {pre: X, post: E, receptor: E, indegree: 16000, weight: 0.001}\n");
    write_file("ovf.yaml", yaml);
    rc = run_cli("run ovf.yaml --out res.h5", &out, &err);
    cr_expect_eq(rc, 6, "exit code %d: %s", rc, err);
    cr_expect(strncmp(out, "{\"status\":\"overflow\",", 21) == 0, "%s", out);
    cr_expect(exists("res.h5"), "the results of an overflowed run were not written");
    free(out);
    free(err);
}

/* Durations out of range are config errors (exit 2, no file; a 1e300 ms warm-up exited 0), and a
 * run whose population-rate series would not fit in memory is refused naming the series (exit 4;
 * it blamed the population sizes and in-degrees). */
Test(cli, durations_out_of_range_refused, .init = make_dir, .fini = remove_dir)
{
    char *out, *err;
    int rc;
    write_file("net.yaml", small_net);
    rc = run_cli("run net.yaml --set run.t_warmup_ms=1e300 --out res.h5", &out, &err);
    cr_expect_eq(rc, 2, "exit code %d: %s", rc, err);
    cr_expect(strstr(err, "run.t_warmup_ms") != NULL, "%s", err);
    free(out);
    free(err);
    rc = run_cli("run net.yaml --set run.t_sim_ms=0.01 --out res.h5", &out, &err);
    cr_expect_eq(rc, 2, "exit code %d: %s", rc, err);
    cr_expect(strstr(err, "at least one measured step") != NULL, "%s", err);
    free(out);
    free(err);
    rc = run_cli("run net.yaml --set run.t_sim_ms=1e14 --backend cpu --out res.h5", &out, &err);
    cr_expect_eq(rc, 4, "exit code %d: %s", rc, err);
    cr_expect(strstr(err, "population-rate series") != NULL, "%s", err);
    free(out);
    free(err);
    cr_expect(!exists("res.h5"), "a result file was written");
}

/* Options that were accepted and ignored, or failed as an internal error, are usage errors
 * (exit 1, nothing run or written): --out with --no-out, an empty --out (exited 7, then 3),
 * and run-only options given to validate. */
Test(cli, contradictory_or_ignored_options_refused, .init = make_dir, .fini = remove_dir)
{
    static const struct {
        const char *args, *msg;
    } bad[] = {
        {"run net.yaml --out res.h5 --no-out", "--out and --no-out"},
        {"run net.yaml --no-out --out res.h5", "--out and --no-out"},
        {"run net.yaml --out ''", "--out '': empty path"},
        {"validate net.yaml --backend cuda", "validate takes no --backend"},
        {"validate net.yaml --out res.h5", "validate takes no --out"},
    };
    write_file("net.yaml", small_net);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char *out, *err;
        int rc = run_cli(bad[k].args, &out, &err);
        cr_expect_eq(rc, 1, "%s: exit code %d: %s", bad[k].args, rc, err);
        cr_expect(strstr(err, bad[k].msg) != NULL, "%s: %s", bad[k].args, err);
        cr_expect_eq(out[0], '\0', "%s: %s", bad[k].args, out);
        free(out);
        free(err);
    }
    cr_expect(!exists("res.h5"), "a result file was written");
}

/* ---- where the result file goes (issue "cobalt in operation", item 1) --------------------- */

static int n_temporaries(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q '\\.tmp\\.'", dir);
    return system(cmd) == 0;
}

static mode_t lmode(const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_eq(lstat(path, &st), 0, "%s is gone", path);
    return st.st_mode;
}

static void link_in_dir(const char *target, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_eq(symlink(target, path), 0);
}

/* A device is written in place: renaming a temporary onto it would replace the device node
 * (as root, `--out /dev/null` turned /dev/null into a regular file). The link to /dev/null
 * shows it without risking the machine's /dev/null: before the fix the link became a file. */
Test(cli, out_device_written_in_place, .init = make_dir, .fini = remove_dir)
{
    char *out, *err;
    struct stat st;
    write_file("net.yaml", small_net);
    link_in_dir("/dev/null", "null.h5");
    cr_assert_eq(run_cli("run net.yaml --out null.h5", &out, &err), 0, "%s", err);
    cr_expect(strstr(out, "\"status\":\"ok\"") != NULL, "%s", out);
    cr_expect(S_ISLNK(lmode("null.h5")), "the link to /dev/null was replaced");
    cr_expect(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null is no longer a device");
    cr_expect(!n_temporaries(), "a temporary was left");
    free(out);
    free(err);
    if (geteuid() == 0) { /* a device node of our own, named directly */
        char path[512];
        snprintf(path, sizeof path, "%s/dev", dir);
        cr_assert_eq(mknod(path, S_IFCHR | 0666, makedev(1, 3)), 0);
        cr_assert_eq(run_cli("run net.yaml --out dev", &out, &err), 0, "%s", err);
        cr_expect(S_ISCHR(lmode("dev")), "the device node was replaced by a file");
        free(out);
        free(err);
    }
}

/* A link to a regular file: the file it names is replaced, the link stays. */
Test(cli, out_link_publishes_onto_its_target, .init = make_dir, .fini = remove_dir)
{
    static uint32_t a[400], b[400];
    char *out, *err;
    int differ = 0;
    write_file("net.yaml", small_net);
    cr_assert_eq(run_cli("run net.yaml --out a.h5", &out, &err), 0, "%s", err);
    free(out);
    free(err);
    read_counts("a.h5", a, 400);
    link_in_dir("a.h5", "link.h5");
    cr_assert_eq(run_cli("run net.yaml --seed 4 --out link.h5", &out, &err), 0, "%s", err);
    free(out);
    free(err);
    cr_expect(S_ISLNK(lmode("link.h5")), "the link was replaced by a file");
    cr_expect(S_ISREG(lmode("a.h5")));
    read_counts("a.h5", b, 400);
    for (int i = 0; i < 400; ++i) differ += a[i] != b[i];
    cr_expect_gt(differ, 0, "the link's target still holds the first run");
    cr_expect(!n_temporaries(), "a temporary was left");
}

/* A directory is refused before the simulation starts (no progress line), not after it. */
Test(cli, out_directory_refused_before_running, .init = make_dir, .fini = remove_dir)
{
    char *out, *err, path[512];
    snprintf(path, sizeof path, "%s/sub", dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    write_file("net.yaml", small_net);
    cr_expect_eq(run_cli("run net.yaml --progress --out sub", &out, &err), 3, "%s", err);
    cr_expect(strstr(err, "sub: is a directory") != NULL, "%s", err);
    cr_expect(strstr(err, "[cobalt] t") == NULL, "the simulation ran first: %s", err);
    cr_expect_eq(out[0], '\0', "%s", out);
    free(out);
    free(err);
    link_in_dir("missing.h5", "dangling.h5");
    cr_expect_eq(run_cli("run net.yaml --progress --out dangling.h5", &out, &err), 3, "%s", err);
    cr_expect(strstr(err, "dangling.h5") != NULL && strstr(err, "[cobalt] t") == NULL, "%s", err);
    free(out);
    free(err);
}

/* --out naming the config (directly or through a link) is refused and the config kept. */
Test(cli, out_config_itself_refused, .init = make_dir, .fini = remove_dir)
{
    char *out, *err, path[512], text[2048] = "";
    FILE *f;
    write_file("net.yaml", small_net);
    link_in_dir("net.yaml", "cfg.h5");
    cr_expect_eq(run_cli("run net.yaml --out net.yaml", &out, &err), 1, "%s", err);
    cr_expect(strstr(err, "is the config file") != NULL, "%s", err);
    free(out);
    free(err);
    cr_expect_eq(run_cli("run net.yaml --out cfg.h5", &out, &err), 1, "%s", err);
    free(out);
    free(err);
    snprintf(path, sizeof path, "%s/net.yaml", dir);
    f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_gt(fread(text, 1, sizeof text - 1, f), 0);
    fclose(f);
    cr_expect_str_eq(text, small_net, "the config was overwritten");
}

/* ---- a full disk (issue "reliability": exit 3, a message, nothing left behind) ------------- */

/* The file name in dir holds exactly text. */
static void expect_content(const char *name, const char *text)
{
    char path[512], buf[256] = "";
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s is gone", path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    cr_expect_str_eq(buf, text, "%s was changed", path);
}

/* A file size limit (RLIMIT_FSIZE, SIGXFSZ ignored: writes fail with EFBIG, the path a full disk
 * takes) while the result file is written: exit 3 naming the path and the OS error, the old
 * file intact, no temporary. Before the fix the message came and then HDF5 crashed at exit
 * (SIGSEGV, exit 139): the failed H5Fclose left the file's id open. /dev/full gives ENOSPC. */
Test(cli, full_disk_is_an_io_error, .init = make_dir, .fini = remove_dir)
{
    char *out, *err;
    write_file("net.yaml", small_net);
    write_file("res.h5", "old result");
    int rc = run_cli_limited("ulimit -f 16 && trap '' XFSZ &&", "run net.yaml --out res.h5", &out, &err);
    cr_expect_eq(rc, 3, "exit code %d (139: SIGSEGV), stderr: %s", rc, err);
    cr_expect(strstr(err, "res.h5") != NULL && strstr(err, "File too large") != NULL, "%s", err);
    cr_expect(strstr(out, "\"status\"") == NULL, "a summary was printed: %s", out);
    expect_content("res.h5", "old result");
    cr_expect(!n_temporaries(), "a temporary was left");
    free(out);
    free(err);
    /* stdout on a full disk: the JSON line is lost, so the exit code says so (it was 0) */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && OMP_NUM_THREADS=1 '%s' run net.yaml --out res2.h5 > /dev/full 2> stderr", dir,
             COBALT_CLI);
    rc = system(cmd);
    cr_expect(WIFEXITED(rc) && WEXITSTATUS(rc) == 3, "exit code %d", WEXITSTATUS(rc));
    snprintf(cmd, sizeof cmd, "grep -q 'standard output: No space left on device' '%s/stderr'", dir);
    cr_expect_eq(system(cmd), 0, "no message about standard output");
    rc = run_cli("run net.yaml --out /dev/full", &out, &err);
    cr_expect_eq(rc, 3, "exit code %d, stderr: %s", rc, err);
    cr_expect(strstr(err, "/dev/full") != NULL && strstr(err, "No space left on device") != NULL, "%s", err);
    free(out);
    free(err);
}

/* ---- memory checked before anything is allocated (issue "reliability") -------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A population of 2e9 neurons with K = 1000 under a 2 GB address-space limit: validate refuses
 * it at once, before drawing 2e9 in-degrees (24 GB; it grew until it was killed, or under a
 * limit said "out of host memory for 0 synapses"), with the estimate, what is available and
 * which limit; run refuses it the same way. */
Test(cli, huge_config_refused_before_allocating, .init = make_dir, .fini = remove_dir)
{
    static const char *huge = "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 100, seed: 1}\n"
                              "populations:\n"
                              "  - {name: E, model: lif_cond, size: 2000000000}\n"
                              "projections:\n"
                              "  - {pre: E, post: E, receptor: E, indegree: 1000, weight: 0.01, delay_ms: [1, 2]}\n";
    char *out, *err;
    if (TEST_UNDER_ASAN)
        cr_skip_test("ulimit -v: AddressSanitizer needs the address space");
    write_file("huge.yaml", huge);
    double t0 = now_s();
    int rc = run_cli_limited("ulimit -v 2000000 &&", "validate huge.yaml", &out, &err);
    double wall_s = now_s() - t0;
    cr_expect_eq(rc, 4, "exit code %d, stderr: %s", rc, err);
    cr_expect(strstr(err, "needs about 24.00 GB of host memory; ") != NULL, "%s", err);
    cr_expect(strstr(err, "GB available (RLIMIT_AS, ulimit -v)") != NULL, "%s", err);
    cr_expect(strstr(out, "host memory available: ") != NULL, "%s", out);
    cr_expect_lt(wall_s, 1.0, "validate took %.2f s", wall_s);
    free(out);
    free(err);
    rc = run_cli_limited("ulimit -v 2000000 &&", "run huge.yaml --backend cpu --out res.h5", &out, &err);
    cr_expect_eq(rc, 4, "exit code %d, stderr: %s", rc, err);
    cr_expect(strstr(err, "the network needs about ") != NULL && strstr(err, "(RLIMIT_AS, ulimit -v)") != NULL, "%s",
              err);
    cr_expect(!exists("res.h5"));
    free(out);
    free(err);
}

/* Found by tests/test_fuzz.c: a memory refusal (exit 4) did not say where in the config the
 * cause is. It names file:line of the largest population, as config errors do: here a pool of
 * 2^31 - 1 sources, whose delivery buffers need terabytes (validate only reports the CPU need,
 * run refuses it), and 2^31 - 1 neurons to lay out for validate's device estimate. */
Test(cli, memory_refusal_names_file_and_line, .init = make_dir, .fini = remove_dir)
{
    static const char *pool = "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 10, seed: 1}\n"
                              "populations:\n"
                              "  - {name: E, model: lif_cond, size: 60}\n"
                              "  - {name: X, model: poisson, size: 2147483647, rate_hz: 20, input: pool}\n"
                              "projections:\n"
                              "  - {pre: X, post: E, receptor: E, indegree: 10, weight: 0.01}\n";
    static const char *wide = "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 10, seed: 1}\n"
                              "populations:\n"
                              "  - {name: E, model: lif_cond, size: 2147483647}\n"
                              "  - {name: I, model: lif_cond, size: 50}\n"
                              "projections:\n"
                              "  - {pre: E, post: E, receptor: E, indegree: 1, weight: 0.01}\n";
    char *out, *err;
    write_file("pool.yaml", pool);
    int rc = run_cli("run pool.yaml --backend cpu --out res.h5", &out, &err);
    cr_expect_eq(rc, 4, "exit code %d, stderr: %s", rc, err);
    cr_expect(strstr(err, "cobalt: error: pool.yaml:4: the network needs about ") != NULL, "%s", err);
    cr_expect(!exists("res.h5"));
    free(out);
    free(err);
    write_file("wide.yaml", wide);
    rc = run_cli("validate wide.yaml", &out, &err);
    cr_expect_eq(rc, 4, "exit code %d, stderr: %s", rc, err);
    cr_expect(strstr(err, "cobalt: error: wide.yaml:3: laying out the network for the device estimate needs ") != NULL,
              "%s", err);
    free(out);
    free(err);
}

/* ---- version, info, limits (issue 9: installable; silent truncations) --------------------- */

Test(cli, version_printed, .init = make_dir, .fini = remove_dir)
{
    const char *args[] = {"--version", "version"};
    for (int k = 0; k < 2; k++) {
        char *out, *err, want[64];
        int rc = run_cli(args[k], &out, &err);
        snprintf(want, sizeof want, "cobalt %s (commit ", COBALT_VERSION);
        cr_expect_eq(rc, 0, "%s: exit code %d: %s", args[k], rc, err);
        cr_expect(strncmp(out, want, strlen(want)) == 0, "%s: %s", args[k], out);
        cr_expect(strstr(out, "unknown)") == NULL, "%s: no commit recorded: %s", args[k], out);
        free(out);
        free(err);
    }
}

/* Without libcuda.so.1 the runtime says "driver version is insufficient", as if a driver were
 * there but old; info must say there is none. */
Test(cli, info_says_no_driver, .init = make_dir, .fini = remove_dir)
{
    char *out, *err;
    void *h = dlopen("libcuda.so.1", RTLD_LAZY);
    int rc = run_cli("info", &out, &err);
    cr_assert_eq(rc, 0, "%s", err);
    if (h) {
        dlclose(h);
        cr_expect(strstr(out, "no NVIDIA driver") == NULL, "%s", out);
    } else if (strstr(out, "cuda backend: built")) {
        cr_expect(strstr(out, "no CUDA device (no NVIDIA driver") != NULL, "%s", out);
        cr_expect(strstr(out, "insufficient") == NULL, "%s", out);
    }
    free(out);
    free(err);
}

/* A string of n copies of unit, then tail (caller frees). */
static char *repeat(const char *unit, int n, const char *tail)
{
    size_t u = strlen(unit), t = strlen(tail);
    char *s = malloc(u * (size_t)n + t + 1);
    cr_assert_not_null(s);
    for (int i = 0; i < n; i++) memcpy(s + u * (size_t)i, unit, u);
    memcpy(s + u * (size_t)n, tail, t + 1);
    return s;
}

/* Each was cut silently before: the seed (after 54 characters), a --seed after 64 --set (dropped),
 * --out past 4095 bytes (a shorter path used), a config path past 511 bytes (validated and
 * named by its first 511), a sweep --out past 1023 bytes (exit 7, internal). */
Test(cli, limits_refused_not_cut, .init = make_dir, .fini = remove_dir)
{
    char *seed = repeat("1", 60, ""), *sets = repeat(" --set run.seed=2", 64, " --seed 5");
    char *sets_only = repeat(" --set run.seed=2", 65, "");
    char *out_path = repeat("a/../", 840, "r.h5"), *cfg = repeat("./", 300, "net.yaml");
    char *sweep_out = repeat("x", 4100, ".h5");
    char a[5][8192];
    snprintf(a[0], sizeof a[0], "validate net.yaml --seed %s", seed);
    snprintf(a[1], sizeof a[1], "validate net.yaml%s", sets);
    snprintf(a[2], sizeof a[2], "run net.yaml --out %s", out_path);
    snprintf(a[3], sizeof a[3], "validate %s", cfg);
    snprintf(a[4], sizeof a[4], "merge sw.yaml --out %s", sweep_out);
    const struct {
        const char *args, *msg;
        int rc;
    } bad[] = {
        {a[0], "--seed '1111", 1},
        {a[1], "at most 64 overrides (--set, and run's --seed); 'run.seed=5' is one more", 1},
        {a[2], "bytes (allowed: a path of at most 4095)", 1},
        {a[3], "is 608 bytes long (allowed: at most 511)", 2},
        {a[4], "bytes with its .csv (allowed: at most 4095)", 1},
    };
    char sw[2048];
    snprintf(sw, sizeof sw, "%ssweep:\n  k: {values: [50]}\n", small_net);
    write_file("net.yaml", small_net);
    write_file("sw.yaml", sw);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/a", dir);
    cr_assert_eq(mkdir(sub, 0777), 0);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char *out, *err;
        int rc = run_cli(bad[k].args, &out, &err);
        cr_expect_eq(rc, bad[k].rc, "%.60s: exit code %d: %.300s", bad[k].args, rc, err);
        cr_expect(strstr(err, bad[k].msg) != NULL, "%.60s: %.300s", bad[k].args, err);
        cr_expect_eq(out[0], '\0', "%.60s: %.300s", bad[k].args, out);
        free(out);
        free(err);
    }
    char *out, *err; /* a 65th --set has been refused all along; it stays so */
    snprintf(a[1], sizeof a[1], "validate net.yaml%s", sets_only);
    cr_expect_eq(run_cli(a[1], &out, &err), 1);
    cr_expect(strstr(err, "at most 64 overrides") != NULL, "%s", err);
    free(out);
    free(err);
    cr_expect(!exists("r.h5") && !exists("x_sweep.h5"), "a result file was written");
    free(seed);
    free(sets);
    free(sets_only);
    free(out_path);
    free(cfg);
    free(sweep_out);
}

/* Seed 001's SSN options of `cobalt theory`: a malformed --mu-scan or --regime-map is a usage error
 * (exit 1) naming the option and the form; a good scan writes the CSV header and rows of both
 * methods; --target prints the two schedules. */
Test(cli, theory_ssn_options, .init = make_dir, .fini = remove_dir)
{
    const char *cfg = COBALT_SOURCE_DIR "/configs/ekelmans2023/ss_ramp.yaml";
    char args[1024], *out, *err;
    int rc;
    snprintf(args, sizeof args, "theory '%s' --mu-scan 0:10", cfg);
    rc = run_cli(args, &out, &err);
    cr_expect_eq(rc, 1, "exit %d, stderr: %s", rc, err);
    cr_expect(strstr(err, "--mu-scan '0:10'") && strstr(err, "FROM:TO:N"), "%s", err);
    free(out);
    free(err);
    snprintf(args, sizeof args, "theory '%s' --regime-map 0:10:3", cfg);
    rc = run_cli(args, &out, &err);
    cr_expect_eq(rc, 1, "exit %d, stderr: %s", rc, err);
    cr_expect(strstr(err, "MU0:MU1:NMU,R0:R1:NR"), "%s", err);
    free(out);
    free(err);
    snprintf(args, sizeof args, "theory '%s' --mu-scan 10:20:2", cfg);
    rc = run_cli(args, &out, &err);
    cr_expect_eq(rc, 0, "exit %d, stderr: %s", rc, err);
    cr_expect(strncmp(out, "method,mu_E,mu_I,branch,r_E,r_I,stable,isn\nssn,10,10,0,", 55) == 0, "%s", out);
    cr_expect(strstr(out, "\nphi_sc,20,20,0,"), "%s", out);
    free(out);
    free(err);
    write_file("target.csv", "t_ms,nu_E,nu_I\n0,2,1\n10,2.1,1\n20,2.2,1.1\n");
    snprintf(args, sizeof args, "theory '%s' --target target.csv", cfg);
    rc = run_cli(args, &out, &err);
    cr_expect_eq(rc, 0, "exit %d, stderr: %s", rc, err);
    cr_expect(strstr(out, "- name: E\n  noise: {mu_mV_per_s: [[0, ") && strstr(out, "- name: I\n"), "%s", out);
    free(out);
    free(err);
    /* 300 points: subsampled to the schedule's 256, said on stderr */
    {
        static char csv[300 * 40 + 32];
        size_t len = (size_t)snprintf(csv, sizeof csv, "t_ms,nu_E,nu_I\n");
        for (int k = 0; k < 300; ++k) len += (size_t)snprintf(csv + len, sizeof csv - len, "%d,2,1\n", 10 * k);
        write_file("long.csv", csv);
    }
    snprintf(args, sizeof args, "theory '%s' --target long.csv", cfg);
    rc = run_cli(args, &out, &err);
    cr_expect_eq(rc, 0, "exit %d, stderr: %s", rc, err);
    cr_expect(strstr(err, "300 target points subsampled evenly to 256"), "%s", err);
    cr_expect(strstr(out, "[2990, "), "the last point kept: %s", out);
    free(out);
    free(err);
}

/* Threads: without OMP_NUM_THREADS the CLI takes one thread for a network this small (400
 * neurons: a barrier per step would cost more than the split saves); OMP_NUM_THREADS is obeyed;
 * the JSON summary says which, and the spike counts are the same either way. */
Test(cli, threads_chosen_from_work, .init = make_dir, .fini = remove_dir)
{
    static uint32_t a[400], b[400];
    char cmd[2048], path[512];
    FILE *f;
    char line[4096];
    write_file("net.yaml", small_net);
    for (int k = 0; k < 2; ++k) {
        snprintf(path, sizeof path, "%s/out%d.json", dir, k);
        snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' run net.yaml --out %s.h5 > '%s' 2>/dev/null", dir,
                 k ? "OMP_NUM_THREADS=2" : "env -u OMP_NUM_THREADS", COBALT_CLI, k ? "b" : "a", path);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        f = fopen(path, "r");
        cr_assert_not_null(f);
        cr_assert_not_null(fgets(line, sizeof line, f));
        fclose(f);
        cr_expect(strstr(line, k ? "\"threads\":2" : "\"threads\":1") != NULL, "%s", line);
    }
    read_counts("a.h5", a, 400);
    read_counts("b.h5", b, 400);
    cr_expect(memcmp(a, b, sizeof a) == 0, "1 and 2 threads gave different spike counts");
}
