/* host/cli/cli.c -- the `cobalt` command line: run, validate, info, version. The only place that
 * prints and exits. Exit codes: 0 ok, 1 usage, 2 config, 3 I/O (also a standard output that
 * cannot be written), 4 memory, 5 device, 6 overflow, 7 internal (cob_status_exit_code). Helpers
 * shared with the other subcommands (error exit, argument messages, --backend) are in
 * host/cli/cli_util.c. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "cobalt/cobalt.h"
#include "cobalt/models.h"
#include "cobalt_version.h"
#include "cli/cli_cmds.h"
#include "cli/cli_util.h"
#include "util/hostmem.h"
#include "util/publish.h"

typedef struct {
    const char *config, *out, *backend;
    const char *checkpoint, *resume; /* --checkpoint FILE, --resume FILE (NULL: none) */
    double checkpoint_every_s;       /* --checkpoint-every DURATION (0: only on a signal) */
    const char *sets[COB_CLI_MAX_SETS + 1];
    char seed_set[64];
    int n_sets, no_out, progress; /* progress: -1 auto (tty), 0 off, 1 on */
} run_args;

static void usage(FILE *f)
{
    fprintf(f, "usage: cobalt run CONFIG [--backend auto|cpu|cuda] [--seed N] [--out FILE | --no-out]\n"
               "                         [--set key=value ...] [--progress | --quiet]\n"
               "                         [--checkpoint FILE [--checkpoint-every 60s|10m|2h]] [--resume FILE]\n"
               "       cobalt validate CONFIG [--set key=value ...]\n"
               "       cobalt info\n"
               "       cobalt version | --version\n"
               "       cobalt theory CONFIG [--set key=value ...] [--k K1,K2,... --law none|sqrt|log|sanzeni|matched]\n"
               "       " COB_CLI_SYNOPSIS_SWEEP "       " COB_CLI_SYNOPSIS_MERGE "       " COB_CLI_SYNOPSIS_RATE
               "       cobalt plot FILE [--out DIR] [--format png|pdf|svg] [--window-ms MS] [--no-theory] [--points]\n"
               "       cobalt help\n"
               "Runs a spiking network described by a YAML config (docs/config.md); writes an HDF5 result\n"
               "file (docs/results.md) and prints a one-line JSON summary on stdout. `cobalt rate` runs a\n"
               "rate model instead (docs/rate.md), with the same exit codes.\n"
               "Exit codes: 0 ok, 1 usage, 2 config, 3 I/O, 4 memory, 5 device, 6 overflow, 7 internal,\n"
               "8 stopped by SIGTERM/SIGUSR1 after writing the checkpoint (continue with --resume).\n");
}

/* Options that only `run` uses: validate refuses them instead of ignoring them. */
static int run_only(const char *opt, int validate)
{
    static const char *const names[] = {"--backend",          "--out",    "--no-out",
                                        "--progress",         "--quiet",  "--checkpoint",
                                        "--checkpoint-every", "--resume", NULL};
    for (int k = 0; validate && names[k]; ++k)
        if (!strcmp(opt, names[k])) {
            fprintf(stderr, "cobalt: validate takes no %s (it runs nothing and prints the CPU and CUDA estimates)\n",
                    opt);
            return 1;
        }
    return 0;
}

/* Arguments of `run` (validate = 0) or `validate` (1). 1 when they are usable, else 0 after a
 * message (the caller prints the usage and exits 1). */
static int parse_run_args(int argc, char **argv, run_args *a, int validate)
{
    int i;
    memset(a, 0, sizeof *a);
    a->backend = "auto";
    a->progress = -1;
    for (i = 2; i < argc; ++i) {
        const char *o = argv[i];
        int has_val = i + 1 < argc;
        if (run_only(o, validate))
            return 0;
        if (!strcmp(o, "--backend") && has_val)
            a->backend = argv[++i];
        else if (!strcmp(o, "--out") && has_val)
            a->out = argv[++i];
        else if (!strcmp(o, "--no-out"))
            a->no_out = 1;
        else if (!strcmp(o, "--checkpoint") && has_val)
            a->checkpoint = argv[++i];
        else if (!strcmp(o, "--resume") && has_val)
            a->resume = argv[++i];
        else if (!strcmp(o, "--checkpoint-every") && has_val) {
            if (!cob__cli_parse_every(argv[++i], &a->checkpoint_every_s))
                return 0;
        } else if (!strcmp(o, "--progress"))
            a->progress = 1;
        else if (!strcmp(o, "--quiet"))
            a->progress = 0;
        else if (!strcmp(o, "--seed") && has_val) {
            /* the longest seed, 18446744073709551615 or 1.8446744073709552e19, fits with room */
            const char *v = argv[++i];
            if ((size_t)snprintf(a->seed_set, sizeof a->seed_set, "run.seed=%s", v) >= sizeof a->seed_set) {
                fprintf(stderr, "cobalt: --seed '%.60s...': %zu characters (allowed: an integer 0 .. %llu)\n", v,
                        strlen(v), (unsigned long long)UINT64_MAX);
                return 0;
            }
            if (!cob__cli_add_set(a->sets, &a->n_sets, a->seed_set))
                return 0;
        } else if (!strcmp(o, "--set") && has_val) {
            if (!cob__cli_add_set(a->sets, &a->n_sets, argv[++i]))
                return 0;
        } else if (o[0] == '-') {
            return cob__cli_bad_option(o, "");
        } else if (!cob__cli_config_arg(&a->config, o)) {
            return 0;
        }
    }
    if (!cob__cli_check_out(a->out, a->no_out))
        return 0;
    if (a->checkpoint_every_s > 0 && !a->checkpoint) {
        fprintf(stderr, "cobalt: --checkpoint-every needs --checkpoint FILE (where to write them)\n");
        return 0;
    }
    if ((a->checkpoint && !a->checkpoint[0]) || (a->resume && !a->resume[0])) {
        fprintf(stderr, "cobalt: --checkpoint/--resume '': empty path\n");
        return 0;
    }
    return cob__cli_need_config(a->config);
}

/* Default result path: <config stem>_seed<N>.h5 in the current directory. */
static void default_out(const cob_config *c, char *buf, size_t len)
{
    const char *base = strrchr(c->path, '/');
    char stem[sizeof c->path];
    char *dot;
    snprintf(stem, sizeof stem, "%s", base ? base + 1 : c->path);
    dot = strrchr(stem, '.');
    if (dot)
        *dot = '\0';
    snprintf(buf, len, "%s_seed%llu.h5", stem[0] ? stem : "cobalt", (unsigned long long)c->run.seed);
}

typedef struct {
    const cob_config *c;
    double dt_ms;
} progress_ctx;

static void progress_line(void *user, int64_t step, int64_t n_steps, double wall_s, const double *rate_hz, int n_pops)
{
    const progress_ctx *pc = user;
    double sim_s = step * pc->dt_ms * 1e-3, tot_s = n_steps * pc->dt_ms * 1e-3;
    double rtf = sim_s > 0 ? wall_s / sim_s : 0.0, eta = rtf * (tot_s - sim_s);
    int pop, k = 0;
    fprintf(stderr, "\r[cobalt] t %.2f/%.2f s | wall %.1f s | %.2f s/s | ETA %.0f s |", sim_s, tot_s, wall_s, rtf, eta);
    for (pop = 0; pop < pc->c->n_pops && k < n_pops; ++pop)
        if (pc->c->pops[pop].model != COB_MODEL_POISSON)
            fprintf(stderr, " %s %.1f Hz", pc->c->pops[pop].name, rate_hz[k++]);
    fprintf(stderr, "   ");
    if (step == n_steps)
        fprintf(stderr, "\n");
    fflush(stderr);
}

/* The result file's path (out: --out or the default name) checked before the simulation: it
 * must be publishable (util/publish.h: a new or regular file, a link to one, or a device) and
 * not the config itself. Returns 0, or the exit code after a message. */
static int check_out(const run_args *a, const cob_config *c, char *out, size_t len)
{
    cob__publish_target t;
    cob_err err = {COB_OK, ""};
    struct stat so, sc;
    if (a->no_out)
        return 0;
    if (a->out && strlen(a->out) >= len) {
        fprintf(stderr, "cobalt: --out '%.200s...': %zu bytes (allowed: a path of at most %zu)\n", a->out,
                strlen(a->out), len - 1);
        return 1;
    }
    if (a->out)
        snprintf(out, len, "%s", a->out);
    else
        default_out(c, out, len);
    if (cob__publish_target_of(out, &t, &err) != COB_OK)
        return cob__cli_fail(err.status, &err);
    if (stat(t.path, &so) == 0 && stat(c->path, &sc) == 0 && so.st_dev == sc.st_dev && so.st_ino == sc.st_ino) {
        fprintf(stderr, "cobalt: --out '%s' is the config file %s: choose another result path\n", out, c->path);
        return 1;
    }
    return 0;
}

static int write_results(const run_args *a, const char *out, const cob_config *c, const cob_stats *s,
                         const cob_sim_timing *t, cob_status run_st)
{
    char host[256], device[400], json[262144]; /* room for 16 populations x 32 protocol windows */
    const char *out_path = NULL;
    cob_run_meta m;
    cob_theory_summary th;
    cob_err err = {COB_OK, ""}, th_err = {COB_OK, ""};
    cob_status st;
    cob__cli_hostname(host, sizeof host);
    m.commit = COBALT_COMMIT;
    m.version = COBALT_VERSION;
    m.backend = t->backend_name;
    if (t->device_name[0])
        snprintf(device, sizeof device, "%s, %s", host, t->device_name);
    else
        snprintf(device, sizeof device, "%s", host);
    m.device = device;
    m.seed = c->run.seed;
    m.config_path = c->path;
    m.theory = cob_output_theory(c, s, &th, &th_err) == COB_OK ? &th : NULL;
    if (!a->no_out) {
        st = cob_output_write_h5(out, c, s, t, &m, &err);
        if (st != COB_OK)
            return cob__cli_fail(st, &err);
        out_path = out;
    }
    st = cob_output_json(json, sizeof json, out_path, c, s, t, &m, &err);
    if (st != COB_OK)
        return cob__cli_fail(st, &err);
    printf("%s\n", json);
    if (s->raster_overflow > 0)
        fprintf(stderr, "cobalt: warning: raster full, %lld spikes not stored (raise stats.raster.max_spikes)\n",
                (long long)s->raster_overflow);
    return run_st == COB_OK ? 0 : -1;
}

/* The checkpoint must not overwrite the config or the result file. 0, or 1 after a message. */
static int check_checkpoint_path(const run_args *a, const cob_config *c, const char *out)
{
    struct stat sk, so;
    int same = 0;
    if (!a->checkpoint)
        return 0;
    if (!a->no_out && !strcmp(a->checkpoint, out))
        same = 1;
    else if (stat(a->checkpoint, &sk) == 0)
        same = (stat(c->path, &so) == 0 && so.st_dev == sk.st_dev && so.st_ino == sk.st_ino) ||
               (!a->no_out && stat(out, &so) == 0 && so.st_dev == sk.st_dev && so.st_ino == sk.st_ino);
    if (same)
        fprintf(stderr, "cobalt: --checkpoint '%s' is the config or the result file: choose another path\n",
                a->checkpoint);
    return same;
}

static int cmd_run(int argc, char **argv)
{
    run_args a;
    cob_config c;
    cob_stats s;
    cob_sim_timing t;
    cob_sim_options opt;
    progress_ctx pc;
    char out[COB__PUBLISH_PATH_MAX];
    cob_err err = {COB_OK, ""};
    cob_status st;
    int rc;
    if (!parse_run_args(argc, argv, &a, 0)) {
        usage(stderr);
        return 1;
    }
    memset(&opt, 0, sizeof opt);
    opt.threads = COB_THREADS_AUTO;
    if (!cob__cli_backend(a.backend, &opt.backend))
        return 1;
    st = cob_config_load(&c, a.config, a.sets, a.n_sets, &err);
    if (st != COB_OK)
        return cob__cli_fail(st, &err);
    rc = check_out(&a, &c, out, sizeof out);
    if (rc == 0)
        rc = check_checkpoint_path(&a, &c, out);
    if (rc != 0) {
        cob_config_free(&c);
        return rc;
    }
    pc.c = &c;
    pc.dt_ms = c.run.dt_ms;
    if (a.progress == 1 || (a.progress == -1 && isatty(STDERR_FILENO))) {
        opt.progress = progress_line;
        opt.progress_user = &pc;
    }
    opt.checkpoint_path = a.checkpoint;
    opt.checkpoint_every_s = a.checkpoint_every_s;
    opt.resume_path = a.resume;
    opt.commit = COBALT_COMMIT;
    if (a.checkpoint) {
        opt.stop_request = cob__cli_catch_stop();
    }
    st = cob_sim_run(&c, &opt, &s, &t, &err);
    /* only an overflow counted during the run comes with results to write */
    if (st != COB_OK && !(st == COB_ERR_OVERFLOW && cob_stats_overflowed(&s))) {
        cob_config_free(&c);
        return cob__cli_fail(st, &err);
    }
    rc = write_results(&a, out, &c, &s, &t, st);
    if (rc == -1)
        rc = cob__cli_fail(st, &err);
    cob_stats_free(&s);
    cob_config_free(&c);
    return rc;
}

/* validate's host memory lines: the CPU run's estimate and what this machine has available
 * (the limit run checks against, cob_host_memory_available), and whether a CPU run fits. */
static void print_host_memory(const cob_config *c)
{
    cob_host_mem m;
    cob_host_mem_est e;
    int64_t need;
    cob_config_memory_parts(c, &e);
    need = e.peak;
    printf("  host memory estimate: %.3f GB (CPU backend, peak: %s; delivery buffers at %g Hz mean rate)\n", need / 1e9,
           e.build_peak > e.run_peak ? "building" : "running", COB_ESTIMATE_RATE_HZ);
    printf("    building %.3f GB, running %.3f GB (connectivity %.3f GB, buckets %.3f GB, state %.3f GB, statistics "
           "%.3f GB), process %.3f GB\n",
           e.build_peak / 1e9, e.run_peak / 1e9, e.connectivity / 1e9, e.buckets / 1e9, e.state / 1e9, e.stats / 1e9,
           e.base / 1e9);
    cob_host_memory_available(&m);
    if (m.bytes >= 0)
        printf("  host memory available: %.3f GB (%s)%s\n", m.bytes / 1e9, m.source,
               need > m.bytes ? "; a CPU run does not fit: cobalt run --backend cpu refuses it here (exit 4)" : "");
}

static int cmd_validate(int argc, char **argv)
{
    run_args a;
    cob_config c;
    cob_err err = {COB_OK, ""};
    cob_status st;
    double syn = 0.0;
    int i;
    if (!parse_run_args(argc, argv, &a, 1)) {
        usage(stderr);
        return 1;
    }
    st = cob_config_load(&c, a.config, a.sets, a.n_sets, &err);
    if (st != COB_OK)
        return cob__cli_fail(st, &err);
    printf("%s: ok\n", c.path);
    for (i = 0; i < c.n_pops; ++i)
        printf("  population %-8s %-8s %10lld neurons\n", c.pops[i].name, cob_model_name(c.pops[i].model),
               (long long)c.pops[i].size);
    for (i = 0; i < c.n_projs; ++i) {
        const cob_proj_spec *p = &c.projs[i];
        int indep = cob_pop_is_independent(&c.pops[p->pre]);
        double n = indep ? 0.0 : p->indegree * (double)c.pops[p->post].size;
        syn += n;
        printf("  projection %s -> %s (%s) K = %g, weight %g%s\n", c.pops[p->pre].name, c.pops[p->post].name,
               p->receptor == COB_RECEPTOR_E ? "E" : "I", p->indegree, p->weight,
               indep ? ", independent Poisson input" : "");
    }
    printf("  synapses stored: %.4g\n", syn);
    printf("  steps: %lld warm-up + %lld measured (dt = %g ms)\n", (long long)cob_steps(c.run.t_warmup_ms, c.run.dt_ms),
           (long long)cob_steps(c.run.t_sim_ms, c.run.dt_ms), c.run.dt_ms);
    print_host_memory(&c);
    {
        cob_net lay;
        cob_plan plan;
        cob_cuda_mem m;
        /* the device estimate needs the layout (every neuron's in-degree, drawn on the host):
         * checked before it is allocated, as run checks its own need */
        st = cob__host_memory_check_config(&c, cob_layout_memory_estimate(&c),
                                           "laying out the network for the device estimate",
                                           "lower the population sizes", &err);
        if (st != COB_OK) {
            cob_config_free(&c);
            return cob__cli_fail(st, &err);
        }
        if (cob_net_layout(&lay, &c, &err) != COB_OK) {
            cob_config_free(&c);
            return cob__cli_fail(err.status, &err);
        }
        if (cob_plan_compile(&plan, &c, &lay, &err) != COB_OK) {
            cob_net_free(&lay);
            cob_config_free(&c);
            return cob__cli_fail(err.status, &err);
        }
        cob_cuda_memory_estimate(&lay, &plan, &m);
        printf("  device memory estimate (CUDA backend): %.3f GB while building, %.3f GB during the run "
               "(connectivity %.3f GB = %.2f bytes per synapse, spike delivery %.3f GB, state %.3f GB, statistics %.3f "
               "GB)\n",
               m.build_peak / 1e9, m.resident / 1e9, m.connectivity / 1e9, cob_cuda_bytes_per_synapse(&lay),
               m.delivery / 1e9, m.state / 1e9, m.stats / 1e9);
        cob_plan_free(&plan);
        cob_net_free(&lay);
    }
    cob_config_free(&c);
    return 0;
}

/* 1 when the NVIDIA driver's library can be loaded. Without it the CUDA runtime reports
 * cudaErrorInsufficientDriver ("driver version is insufficient"), which reads as if a driver
 * were there but old. */
static int have_nvidia_driver(void)
{
    void *h = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (h)
        dlclose(h);
    return h != NULL;
}

static int cmd_info(void)
{
    char devs[4096];
    int n = cob_cuda_describe(devs, sizeof devs);
#ifdef _OPENMP
    int threads = omp_get_max_threads();
#else
    int threads = 1;
#endif
    printf("cobalt %s (commit %s)\n", COBALT_VERSION, COBALT_COMMIT);
    printf("backends: cpu (%d OpenMP thread%s)%s\n", threads, threads == 1 ? "" : "s",
           cob_cuda_backend() ? ", cuda" : "");
    printf("cuda backend: %s\n", cob_cuda_backend() ? "built" : "not built (CPU only in this version)");
    if (n == 0 && cob_cuda_backend() && !have_nvidia_driver())
        snprintf(devs, sizeof devs, "no CUDA device (no NVIDIA driver: libcuda.so.1 cannot be loaded)\n");
    printf("cuda devices: %d\n%s", n, devs);
    return 0;
}

static int cmd_version(void)
{
    printf("cobalt %s (commit %s)\n", COBALT_VERSION, COBALT_COMMIT);
    return 0;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (!strcmp(argv[1], "run"))
        return cmd_run(argc, argv);
    if (!strcmp(argv[1], "validate"))
        return cmd_validate(argc, argv);
    if (!strcmp(argv[1], "info"))
        return cmd_info();
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version"))
        return cmd_version();
    if (!strcmp(argv[1], "plot"))
        return cob_cli_plot(argc, argv);
    if (!strcmp(argv[1], "theory"))
        return cob_cli_theory(argc, argv);
    if (!strcmp(argv[1], "sweep"))
        return cob_cli_sweep(argc, argv);
    if (!strcmp(argv[1], "rate"))
        return cob_cli_rate(argc, argv);
    if (!strcmp(argv[1], "merge"))
        return cob_cli_merge(argc, argv);
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "cobalt: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 1;
}

int main(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    /* stdout redirected to a full disk: the JSON line or the report is lost, which a script
     * must learn from the exit code, not from an empty file */
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "cobalt: error: cannot write to standard output: %s\n",
                errno ? strerror(errno) : "write error");
        if (rc == 0)
            rc = cob_status_exit_code(COB_ERR_IO);
    }
    return rc;
}
