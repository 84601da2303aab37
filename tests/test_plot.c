/* tests/test_plot.c -- `cobalt plot` (host/cli/cli_plot.c running tools/cobalt_plot.py): on a real
 * run file written by the `cobalt` command, on rate-model files (`cobalt rate`) and on synthetic
 * sweep and run files (tools/synth_results.py) it writes valid PNG files and prints their paths; a missing file or
 * one that is not cobalt's is refused with exit code 2; a missing script or python3 gives exit
 * code 1 and says what was tried; a full disk gives exit code 3 and one line. The figures need python3 with numpy, h5py and matplotlib;
 * without them those tests skip with the reason.
 * cob_cli_plot belongs to the CLI executable, not libcobalt, so its source is compiled in. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include "test_util.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli_plot.c"

#define TOOLS_DIR COBALT_SOURCE_DIR "/tools"

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/cobalt_plot_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(setenv("COBALT_TOOLS_DIR", TOOLS_DIR, 1), 0);
}

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static void need_python(void)
{
    if (system("python3 -c 'import numpy, h5py, matplotlib' > /dev/null 2>&1") != 0)
        cr_skip_test("python3 with numpy, h5py and matplotlib is not importable");
}

/* Run a shell command in dir; the test fails with the command when it does not exit 0. */
static void sh(const char *fmt, const char *arg)
{
    char cmd[2048], inner[1536];
    int rc;
    snprintf(inner, sizeof inner, fmt, arg);
    snprintf(cmd, sizeof cmd, "cd '%s' && %s", dir, inner);
    rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "failed: %s", cmd);
}

/* cob_cli_plot("plot", file, opts...) with stdout into dir/plot.out; returns its exit code. */
static int plot(const char *file, const char *opt1, const char *opt2)
{
    char path[512], out_path[512];
    char *argv[6] = {"cobalt", "plot", path, NULL, NULL, NULL};
    int argc = 3, saved, fd, rc;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(out_path, sizeof out_path, "%s/plot.out", dir);
    if (opt1)
        argv[argc++] = (char *)opt1;
    if (opt2)
        argv[argc++] = (char *)opt2;
    fflush(stdout);
    saved = dup(1);
    fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(saved >= 0 && fd >= 0);
    dup2(fd, 1);
    close(fd);
    rc = cob_cli_plot(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    return rc;
}

static int is_png(const char *path)
{
    static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f)
        return 0;
    n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && memcmp(head, magic, sizeof magic) == 0;
}

/* Every line of dir/plot.out is a PNG file; each of the NULL-terminated suffixes ends a line.
 * Returns the number of lines. */
static int check_pngs(const char *const *suffixes)
{
    char path[512], line[1024], seen[64][1024];
    int n = 0;
    FILE *f;
    snprintf(path, sizeof path, "%s/plot.out", dir);
    f = fopen(path, "r");
    cr_assert_not_null(f);
    while (fgets(line, sizeof line, f) && n < 64) {
        line[strcspn(line, "\n")] = '\0';
        cr_expect(is_png(line), "not a PNG file: '%s'", line);
        snprintf(seen[n++], sizeof seen[0], "%s", line);
    }
    fclose(f);
    for (; *suffixes; ++suffixes) {
        int found = 0;
        for (int i = 0; i < n; ++i) {
            size_t ls = strlen(seen[i]), lx = strlen(*suffixes);
            found |= ls >= lx && strcmp(seen[i] + ls - lx, *suffixes) == 0;
        }
        cr_expect(found, "no figure ending in '%s' among the %d printed", *suffixes, n);
    }
    return n;
}

static const char *tiny_net = TEST_SMALL_NET "stats: {raster: {neurons: 20}, traces: {neurons: 1, stride_steps: 5}}\n";

Test(plot, real_run_file, .init = make_dir, .fini = remove_dir)
{
    static const char *const want[] = {"/run_E.png", "/run_I.png", "/run_raster.png", "/run_traces.png", NULL};
    char cfg[512];
    FILE *f;
    int rc;
    need_python();
    snprintf(cfg, sizeof cfg, "%s/tiny.yaml", dir);
    f = fopen(cfg, "w");
    cr_assert_not_null(f);
    fputs(tiny_net, f);
    fclose(f);
    sh("OMP_NUM_THREADS=1 '%s' run tiny.yaml --set populations.X.rate_hz=30 --out run.h5 --quiet > /dev/null",
       COBALT_CLI);
    /* a window that is negative or not a number is a wrong option (exit 2; -5 was accepted) */
    cr_expect_eq(plot("run.h5", "--window-ms", "-5"), 2);
    cr_expect_eq(plot("run.h5", "--window-ms", "nan"), 2);
    snprintf(cfg, sizeof cfg, "%s/run_E.png", dir);
    cr_expect_neq(access(cfg, F_OK), 0, "figures made with a bad window");
    rc = plot("run.h5", "--out", dir);
    cr_assert_eq(rc, 0, "cobalt plot exit code %d", rc);
    cr_expect_eq(check_pngs(want), 4);
}

/* A `cobalt rate` file (root attribute kind = "rate"): the rates figure; a ring's file: the ring figure. */
Test(plot, rate_files, .init = make_dir, .fini = remove_dir)
{
    static const char *const want_pop[] = {"/rate_rates.png", NULL}, *const want_ring[] = {"/ring_ring.png", NULL};
    need_python();
    sh("'%s' rate " COBALT_SOURCE_DIR "/configs/rate/seed002_fig2ab.yaml --out rate.h5 > /dev/null", COBALT_CLI);
    sh("'%s' rate " COBALT_SOURCE_DIR "/configs/rate/seed003_ring_bump.yaml --set rate.ring.n=16 "
       "--set rate.t_ms=50 --out ring.h5 > /dev/null",
       COBALT_CLI);
    int rc = plot("rate.h5", "--out", dir);
    cr_assert_eq(rc, 0, "cobalt plot exit code %d", rc);
    cr_expect_eq(check_pngs(want_pop), 1);
    rc = plot("ring.h5", "--out", dir);
    cr_assert_eq(rc, 0, "cobalt plot exit code %d", rc);
    cr_expect_eq(check_pngs(want_ring), 1);
}

Test(plot, synthetic_sweep_file, .init = make_dir, .fini = remove_dir)
{
    static const char *const want[] = {"/sweep_K.png",
                                       "/sweep_weight_K.png",
                                       "/sweep_rate_nu_x.png",
                                       "/sweep_vs_nu_x.png",
                                       "/sweep_points/sweep_point0_E.png",
                                       NULL};
    int rc;
    need_python();
    sh("python3 '%s/synth_results.py' sweep sweep.h5 --swept K,nu_x --points 4", TOOLS_DIR);
    rc = plot("sweep.h5", "--points", NULL);
    cr_assert_eq(rc, 0, "cobalt plot exit code %d", rc);
    check_pngs(want);
}

Test(plot, synthetic_run_with_theory_group, .init = make_dir, .fini = remove_dir)
{
    static const char *const want[] = {"/synth_E.png", "/synth_I.png", NULL};
    int rc;
    need_python();
    sh("python3 '%s/synth_results.py' run synth.h5 --theory", TOOLS_DIR);
    rc = plot("synth.h5", NULL, NULL);
    cr_assert_eq(rc, 0, "cobalt plot exit code %d", rc);
    check_pngs(want);
}

Test(plot, bad_files_refused, .init = make_dir, .fini = remove_dir)
{
    need_python();
    cr_expect_eq(plot("missing.h5", NULL, NULL), 2);
    sh("echo 'not hdf5' > %s", "text.h5");
    cr_expect_eq(plot("text.h5", NULL, NULL), 2);
    sh("python3 -c \"import h5py; h5py.File('%s', 'w').create_group('other')\"", "other.h5");
    cr_expect_eq(plot("other.h5", NULL, NULL), 2);
    cr_expect_eq(plot("other.h5", "--format", "tiff"), 2);
}

Test(plot, missing_script_or_python, .init = make_dir, .fini = remove_dir)
{
    char *usage_argv[] = {"cobalt", "plot", NULL};
    char *path;
    int rc;
    cr_expect_eq(cob_cli_plot(2, usage_argv), 1);
    cr_assert_eq(setenv("COBALT_TOOLS_DIR", dir, 1), 0);
    cr_expect_eq(plot("any.h5", NULL, NULL), 1);
    cr_assert_eq(setenv("COBALT_TOOLS_DIR", TOOLS_DIR, 1), 0);
    path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    cr_assert_not_null(path);
    cr_assert_eq(setenv("PATH", "/nonexistent", 1), 0);
    rc = plot("any.h5", NULL, NULL);
    cr_assert_eq(setenv("PATH", path, 1), 0); /* .fini runs rm */
    free(path);
    cr_expect_eq(rc, 1);
}

/* A full disk while the figures are written (RLIMIT_FSIZE in the child shell, SIGXFSZ ignored:
 * EFBIG, the path ENOSPC takes): exit 3 and one line naming the figure and the OS error, no
 * partial figure (before: a Python traceback and exit 1). */
Test(plot, full_disk_is_one_line_and_exit_3, .init = make_dir, .fini = remove_dir)
{
    char cmd[2048], path[512], err[4096] = "";
    need_python();
    sh("python3 '%s/synth_results.py' run synth.h5 --theory && mkdir figs", TOOLS_DIR);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && ulimit -f 4 && trap '' XFSZ && '%s' plot synth.h5 --out figs > plot.out 2> plot.err", dir,
             COBALT_CLI);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc));
    cr_expect_eq(WEXITSTATUS(rc), 3, "exit code %d", WEXITSTATUS(rc));
    snprintf(path, sizeof path, "%s/plot.err", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    err[fread(err, 1, sizeof err - 1, f)] = '\0';
    fclose(f);
    cr_expect(strstr(err, "figs/synth_") != NULL && strstr(err, "File too large") != NULL, "%s", err);
    cr_expect(strchr(err, '\n') == err + strlen(err) - 1, "not one line: %s", err);
    cr_expect(strstr(err, "Traceback") == NULL, "%s", err);
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s/figs')\"", dir);
    cr_expect_eq(system(cmd), 0, "a partial figure was left in figs/");
}
