/* tests/test_checkpoint.c -- checkpoint and resume (docs/results.md, "Checkpoints"): a run stopped
 * at a step (inside the warm-up, at its end, in the measurement, after the last step) and resumed
 * gives statistics bit-identical to the uninterrupted run (cob_stats_first_difference: every
 * count, histogram, raster spike and trace sample) on the neuron models (with and without
 * synaptic time constants), pool and independent
 * Poisson input, white noise, both integrators, twice stopped, and resumed with another thread
 * count. Resuming is refused for another config, another commit, a corrupted or cut file. The
 * command line: SIGTERM writes a checkpoint and exits 8, a resume finishes with the uninterrupted
 * run's spikes, SIGKILL at any moment leaves the last published checkpoint whole, a changed config
 * exits 2 and a corrupted file 3; configs/slurm/run.sbatch (stub scontrol) requeues on USR1 and
 * resumes; `cobalt sweep --checkpoint-every` resumes a stopped point. Small networks (500
 * neurons, 300 ms in the library tests): about 15 s in all on two cores. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include "test_util.h"
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cobalt/sim.h"

TestSuite(checkpoint, .init = test_one_thread);

static char dir[256];

static void make_dir(void)
{
    test_one_thread();
    snprintf(dir, sizeof dir, "/tmp/cobalt_ckpt_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static const char *pool_cond = TEST_SMALL_NET "stats: {raster: {neurons: 30}, traces: {neurons: 3, stride_steps: 7}}\n";

/* lif_curr (Brunel-like) driven by independent Poisson counts, ordered step. */
static const char *indep_curr =
    "run: {dt_ms: 0.1, t_warmup_ms: 40, t_sim_ms: 260, seed: 5}\n"
    "populations:\n"
    "  - {name: E, model: lif_curr, size: 400, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, v_init_mV: [0, 20]}\n"
    "  - {name: I, model: lif_curr, size: 100, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, v_init_mV: [0, 20]}\n"
    "  - {name: X, model: poisson, size: 1000, rate_hz: 20, input: independent}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 40, weight: 0.5, delay_ms: 1.5}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 10, weight: 2.5, delay_ms: 1.5}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 120, weight: 0.5, delay_ms: [0.1, 2]}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 40, weight: 0.5, delay_ms: 1.5}\n"
    "  - {pre: I, post: I, receptor: I, indegree: 10, weight: 2.5, delay_ms: 1.5}\n"
    "  - {pre: X, post: I, receptor: E, indegree: 120, weight: 0.5, delay_ms: [0.1, 2]}\n"
    "stats: {raster: {neurons: 30}, traces: {neurons: 2, stride_steps: 1}}\n";

/* White noise with schedules on current- and conductance-based populations (as tests/test_cuda.c). */
static const char *noise = TEST_NOISE_NET;

static void load(cob_config *c, const char *yaml, const char *set)
{
    cob_err err = {0};
    const char *sets[1] = {set};
    cr_assert_eq(cob_config_load_string(c, yaml, "ckpt.yaml", sets, set ? 1 : 0, &err), COB_OK, "%s", err.msg);
}

static cob_status run_opt(const cob_config *c, cob_sim_options *opt, cob_stats *s, cob_err *err)
{
    cob_sim_timing t;
    opt->backend = COB_BACKEND_CPU;
    if (!opt->commit)
        opt->commit = "test-commit";
    return cob_sim_run(c, opt, s, &t, err);
}

static void path_of(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", dir, name);
}

/* Stop the run of c after `stop` steps (checkpoint to ck), expecting COB_ERR_STOPPED. */
static void stop_at(const cob_config *c, const char *resume, const char *ck, int64_t stop)
{
    cob_sim_options opt = {0};
    cob_stats s;
    cob_err err = {0};
    opt.checkpoint_path = ck;
    opt.resume_path = resume;
    opt.stop_at_step = stop;
    cr_assert_eq(run_opt(c, &opt, &s, &err), COB_ERR_STOPPED, "stop at %lld: %s", (long long)stop, err.msg);
    cr_assert(strstr(err.msg, "checkpoint written") != NULL, "%s", err.msg);
}

/* Resume c from ck to the end; the statistics into s. */
static void resume_from(const cob_config *c, const char *ck, cob_stats *s)
{
    cob_sim_options opt = {0};
    cob_err err = {0};
    opt.resume_path = ck;
    cr_assert_eq(run_opt(c, &opt, s, &err), COB_OK, "resume: %s", err.msg);
}

static void expect_same(const cob_stats *a, const cob_stats *b, const char *what)
{
    char msg[512];
    int d = cob_stats_first_difference(a, b, msg, sizeof msg);
    cr_expect_eq(d, 0, "%s: %s", what, msg);
}

/* The run of yaml (with the ordered step when ordered) stopped after each of several steps and
 * resumed equals the whole run. */
static void check_stops(const char *yaml, int ordered, const char *label)
{
    cob_config c;
    cob_stats full;
    char ck[300];
    int64_t warm, total, stops[6];
    load(&c, yaml, ordered ? "run.integrator=ordered" : NULL);
    warm = cob_steps(c.run.t_warmup_ms, c.run.dt_ms);
    total = warm + cob_steps(c.run.t_sim_ms, c.run.dt_ms);
    stops[0] = 1;                             /* the first step */
    stops[1] = warm / 2;                      /* inside the warm-up */
    stops[2] = warm;                          /* its last step */
    stops[3] = warm + (total - warm) / 3 + 1; /* in the measurement */
    stops[4] = total;                         /* after the last step: only the reduction is left */
    stops[5] = 0;
    run_cpu(&c, &full);
    cr_assert_gt(full.raster_n, 0, "%s: no raster spikes", label);
    path_of(ck, sizeof ck, "run.ckpt");
    for (int k = 0; stops[k]; ++k) {
        cob_stats s;
        char what[128];
        stop_at(&c, NULL, ck, stops[k]);
        resume_from(&c, ck, &s);
        snprintf(what, sizeof what, "%s, stopped after step %lld of %lld", label, (long long)stops[k],
                 (long long)total);
        expect_same(&full, &s, what);
        cob_stats_free(&s);
    }
    cob_stats_free(&full);
    cob_config_free(&c);
}

Test(checkpoint, lif_cond_pool_grid, .init = make_dir, .fini = remove_dir)
{
    check_stops(pool_cond, 0, "lif_cond, pool input, grid step");
}

Test(checkpoint, lif_cond_pool_ordered, .init = make_dir, .fini = remove_dir)
{
    check_stops(pool_cond, 1, "lif_cond, pool input, ordered step");
}

Test(checkpoint, lif_curr_independent, .init = make_dir, .fini = remove_dir)
{
    check_stops(indep_curr, 0, "lif_curr, independent input, grid step");
    check_stops(indep_curr, 1, "lif_curr, independent input, ordered step");
}

Test(checkpoint, white_noise, .init = make_dir, .fini = remove_dir)
{
    check_stops(noise, 0, "white noise, grid step");
    check_stops(noise, 1, "white noise, ordered step");
}

/* Scheduled Poisson rates (pool thinning, per-step independent means), a protocol and its
 * per-window statistics, stopped inside a window. */
Test(checkpoint, scheduled_inputs_and_windows, .init = make_dir, .fini = remove_dir)
{
    check_stops(TEST_SCHED_NET, 0, "scheduled rates and a protocol, grid step");
}

/* Synapses with time constants (lif_cond_exp, lif_curr_exp: state arrays beyond V and the
 * refractory count), pool and independent input, white noise on one population. */
static const char *exp_syn = TEST_EXP_NET;

Test(checkpoint, exp_synapses, .init = make_dir, .fini = remove_dir)
{
    check_stops(exp_syn, 0, "lif_cond_exp and lif_curr_exp");
}

/* Stopped twice (the second time from the resumed run, into the same file) and resumed with two
 * threads: still the uninterrupted run's bits. */
Test(checkpoint, twice_stopped_other_threads, .init = make_dir, .fini = remove_dir)
{
    cob_config c;
    cob_stats full, s;
    char ck[300];
    load(&c, pool_cond, NULL);
    run_cpu(&c, &full);
    path_of(ck, sizeof ck, "run.ckpt");
    stop_at(&c, NULL, ck, 321);
    stop_at(&c, ck, ck, 2345);
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    resume_from(&c, ck, &s);
    expect_same(&full, &s, "stopped at 321 and 2345, resumed on two threads");
    cob_stats_free(&s);
    cob_stats_free(&full);
    cob_config_free(&c);
}

/* Every delay 1.5 ms at dt = 0.1 ms: the CPU backend runs chunks of 15 steps with one barrier
 * each and counts arrivals that fall in the next chunk straight into its inputs (not in a call's
 * last chunk). Stopped at a step inside a chunk on two threads, resumed on three: the
 * uninterrupted one-thread run's bits. */
static const char *chunked_curr =
    "run: {dt_ms: 0.1, t_warmup_ms: 40, t_sim_ms: 260, seed: 7}\n"
    "populations:\n"
    "  - {name: E, model: lif_curr, size: 400, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, v_init_mV: [0, 20]}\n"
    "  - {name: I, model: lif_curr, size: 100, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, v_init_mV: [0, 20]}\n"
    "  - {name: X, model: poisson, size: 1000, rate_hz: 20, input: pool}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 40, weight: 0.5, delay_ms: 1.5}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 10, weight: 2.5, delay_ms: 1.5}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 120, weight: 0.5, delay_ms: 1.5}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 40, weight: 0.5, delay_ms: 1.5}\n"
    "  - {pre: I, post: I, receptor: I, indegree: 10, weight: 2.5, delay_ms: 1.5}\n"
    "  - {pre: X, post: I, receptor: E, indegree: 120, weight: 0.5, delay_ms: 1.5}\n"
    "stats: {raster: {neurons: 30}, traces: {neurons: 2, stride_steps: 1}}\n";

Test(checkpoint, chunked_steps_other_threads, .init = make_dir, .fini = remove_dir)
{
    cob_config c;
    cob_stats full, s;
    char ck[300];
    load(&c, chunked_curr, NULL);
    run_cpu(&c, &full);
    cr_assert_gt(full.pop[0].mean_rate_hz, 1.0, "the network is silent: the comparison would prove nothing");
    path_of(ck, sizeof ck, "run.ckpt");
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    stop_at(&c, NULL, ck, 1237);
#ifdef _OPENMP
    omp_set_num_threads(3);
#endif
    resume_from(&c, ck, &s);
    expect_same(&full, &s, "chunks of 15 steps, stopped at 1237 on two threads, resumed on three");
    cob_stats_free(&s);
    cob_stats_free(&full);
    cob_config_free(&c);
}

/* A checkpoint of the run of pool_cond at step 800, at ck. */
static void make_checkpoint(char *ck, size_t len)
{
    cob_config c;
    path_of(ck, len, "run.ckpt");
    load(&c, pool_cond, NULL);
    stop_at(&c, NULL, ck, 800);
    cob_config_free(&c);
}

static void expect_refused(const cob_config *c, const char *ck, const char *commit, cob_status want, const char *text)
{
    cob_sim_options opt = {0};
    cob_stats s;
    cob_err err = {0};
    opt.resume_path = ck;
    opt.commit = commit;
    cr_expect_eq(run_opt(c, &opt, &s, &err), want, "status %d: %s", err.status, err.msg);
    cr_expect(strstr(err.msg, text) != NULL, "no '%s' in: %s", text, err.msg);
}

Test(checkpoint, refused_for_another_config_or_commit, .init = make_dir, .fini = remove_dir)
{
    cob_config c;
    char ck[300];
    make_checkpoint(ck, sizeof ck);
    load(&c, pool_cond, "run.seed=4");
    expect_refused(&c, ck, NULL, COB_ERR_CONFIG, "another config");
    cob_config_free(&c);
    load(&c, pool_cond, "populations.E.size=401");
    expect_refused(&c, ck, NULL, COB_ERR_CONFIG, "another config");
    cob_config_free(&c);
    load(&c, pool_cond, NULL);
    expect_refused(&c, ck, "0123456789ab", COB_ERR_CONFIG, "commit test-commit, this binary is commit 0123456789ab");
    cob_config_free(&c);
}

static long file_size(const char *path)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    return (long)st.st_size;
}

/* Flip one byte at offset pos (negative: from the end). */
static void flip_byte(const char *path, long pos)
{
    FILE *f = fopen(path, "r+b");
    int ch;
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, pos < 0 ? file_size(path) + pos : pos, SEEK_SET), 0);
    ch = fgetc(f);
    cr_assert_eq(fseek(f, -1, SEEK_CUR), 0);
    fputc(ch ^ 0x10, f);
    fclose(f);
}

Test(checkpoint, refused_when_corrupted_or_cut, .init = make_dir, .fini = remove_dir)
{
    cob_config c;
    char ck[300], cmd[700];
    load(&c, pool_cond, NULL);
    make_checkpoint(ck, sizeof ck);
    flip_byte(ck, file_size(ck) / 2); /* in the neuron state */
    expect_refused(&c, ck, NULL, COB_ERR_IO, "checksum mismatch");
    make_checkpoint(ck, sizeof ck);
    flip_byte(ck, 40); /* in the header's strings */
    expect_refused(&c, ck, NULL, COB_ERR_IO, "corrupted");
    make_checkpoint(ck, sizeof ck);
    snprintf(cmd, sizeof cmd, "truncate -s %ld '%s'", file_size(ck) - 100, ck);
    cr_assert_eq(system(cmd), 0);
    expect_refused(&c, ck, NULL, COB_ERR_IO, "cut short");
    snprintf(cmd, sizeof cmd, "echo 'not a checkpoint' > '%s'", ck);
    cr_assert_eq(system(cmd), 0);
    expect_refused(&c, ck, NULL, COB_ERR_IO, "not a cobalt checkpoint");
    path_of(ck, sizeof ck, "missing.ckpt");
    expect_refused(&c, ck, NULL, COB_ERR_IO, "cannot open");
    cob_config_free(&c);
}

/* ---- the command line ------------------------------------------------------------------------ */

static void write_config(const char *name, const char *text)
{
    char path[300];
    FILE *f;
    path_of(path, sizeof path, name);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Start `cobalt ARGS` in dir (stdout and stderr to files named after tag); returns its pid. */
static pid_t start_cli(const char *args, const char *tag)
{
    char cmd[1024];
    pid_t pid;
    snprintf(cmd, sizeof cmd, "exec '%s' %s > %s.out 2> %s.err", COBALT_CLI, args, tag, tag);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(99);
        setenv("OMP_NUM_THREADS", "1", 1);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(98);
    }
    return pid;
}

static int wait_cli(pid_t pid)
{
    int ws = 0;
    cr_assert_eq(waitpid(pid, &ws, 0), pid);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static int run_cli(const char *args, const char *tag)
{
    return wait_cli(start_cli(args, tag));
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Read dir/name into a new string (caller frees). */
static char *slurp(const char *name)
{
    char path[300];
    FILE *f;
    long n;
    char *s;
    path_of(path, sizeof path, name);
    f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = calloc((size_t)n + 1, 1);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return s;
}

static int exists(const char *name)
{
    char path[300];
    struct stat st;
    path_of(path, sizeof path, name);
    return stat(path, &st) == 0;
}

/* Wait (up to 30 s) until the file exists. */
static void wait_for(const char *name)
{
    for (int k = 0; k < 3000 && !exists(name); ++k) sleep_s(0.01);
    cr_assert(exists(name), "%s never appeared", name);
}

/* The "populations" part of the JSON summary (what the spikes give), as a new string. */
static char *populations_json(const char *tag)
{
    char name[64], *s, *p, *q;
    snprintf(name, sizeof name, "%s.out", tag);
    s = slurp(name);
    p = strstr(s, "\"populations\"");
    cr_assert_not_null(p, "no populations in %s", s);
    q = strdup(p);
    free(s);
    return q;
}

/* A long enough run that a signal finds it stepping (about 2 s on one thread). */
#define LONG_RUN "run ckpt.yaml --quiet --set run.t_sim_ms=15000"

Test(checkpoint, cli_sigterm_checkpoint_and_resume, .init = make_dir, .fini = remove_dir)
{
    pid_t pid;
    int rc;
    char *err, *whole, *resumed;
    write_config("ckpt.yaml", pool_cond);
    cr_assert_eq(run_cli(LONG_RUN " --out whole.h5", "whole"), 0);
    pid = start_cli(LONG_RUN " --out res.h5 --checkpoint run.ckpt --checkpoint-every 0.05s", "stop");
    wait_for("run.ckpt"); /* it is stepping */
    kill(pid, SIGTERM);
    rc = wait_cli(pid);
    err = slurp("stop.err");
    cr_assert_eq(rc, 8, "exit %d: %s", rc, err);
    cr_expect(strstr(err, "checkpoint written to run.ckpt") != NULL, "%s", err);
    cr_expect(!exists("res.h5"), "a stopped run wrote a result file");
    free(err);
    rc = run_cli(LONG_RUN " --out res.h5 --checkpoint run.ckpt --resume run.ckpt", "resume");
    err = slurp("resume.err");
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    free(err);
    whole = populations_json("whole");
    resumed = populations_json("resume");
    cr_expect_str_eq(resumed, whole);
    free(whole);
    free(resumed);
}

/* SIGKILL, which nothing can catch, at moments while checkpoints are written every chunk: the
 * file under the final name is always a whole checkpoint that resumes (a temporary may stay). */
Test(checkpoint, cli_sigkill_never_leaves_half_a_checkpoint, .init = make_dir, .fini = remove_dir)
{
    char ck[300];
    path_of(ck, sizeof ck, "run.ckpt");
    write_config("ckpt.yaml", pool_cond);
    for (int k = 0; k < 2; ++k) {
        pid_t pid = start_cli(LONG_RUN " --no-out --checkpoint run.ckpt --checkpoint-every 0.001s", "kill");
        int rc;
        char *err;
        wait_for("run.ckpt");
        sleep_s(0.03 + 0.07 * k);
        kill(pid, SIGKILL);
        cr_assert_eq(wait_cli(pid), 128 + SIGKILL);
        rc = run_cli(LONG_RUN " --no-out --resume run.ckpt", "check");
        err = slurp("check.err");
        cr_expect_eq(rc, 0, "kill %d: resume exit %d: %s", k, rc, err);
        free(err);
        unlink(ck);
    }
}

/* The command line's refusals: another --set is another config (exit 2), a corrupted file exit 3,
 * --checkpoint-every without --checkpoint a usage error (exit 1). */
Test(checkpoint, cli_refusals, .init = make_dir, .fini = remove_dir)
{
    char ck[300], *err;
    int rc;
    path_of(ck, sizeof ck, "run.ckpt");
    write_config("ckpt.yaml", pool_cond);
    make_checkpoint(ck, sizeof ck); /* the library's run of the same text, commit test-commit */
    rc = run_cli("run ckpt.yaml --quiet --no-out --resume run.ckpt", "commit");
    err = slurp("commit.err");
    cr_expect_eq(rc, 2, "exit %d: %s", rc, err);
    cr_expect(strstr(err, "written by cobalt commit test-commit") != NULL, "%s", err);
    free(err);
    unlink(ck);
    {
        pid_t pid = start_cli(LONG_RUN " --no-out --checkpoint run.ckpt --checkpoint-every 0.05s", "stop");
        wait_for("run.ckpt");
        kill(pid, SIGUSR1);
        cr_assert_eq(wait_cli(pid), 8);
    }
    rc = run_cli(LONG_RUN " --no-out --resume run.ckpt --seed 9", "seed");
    err = slurp("seed.err");
    cr_expect_eq(rc, 2, "exit %d: %s", rc, err);
    cr_expect(strstr(err, "another config") != NULL, "%s", err);
    free(err);
    flip_byte(ck, -20);
    rc = run_cli(LONG_RUN " --no-out --resume run.ckpt", "corrupt");
    err = slurp("corrupt.err");
    cr_expect_eq(rc, 3, "exit %d: %s", rc, err);
    cr_expect(strstr(err, "corrupted") != NULL, "%s", err);
    free(err);
    rc = run_cli("run ckpt.yaml --no-out --checkpoint-every 10m", "usage");
    cr_expect_eq(rc, 1);
    rc = run_cli("run ckpt.yaml --no-out --checkpoint run.ckpt --checkpoint-every soon", "usage");
    cr_expect_eq(rc, 1);
}

/* configs/slurm/run.sbatch outside Slurm (scontrol is a stub that logs its arguments): USR1 to
 * the script, as sbatch --signal=B:USR1@120 sends it, makes cobalt write its checkpoint and the
 * script requeue the job; the next start resumes and publishes the result; the one after that
 * sees the result and ends. */
Test(checkpoint, sbatch_template_requeues_and_resumes, .init = make_dir, .fini = remove_dir)
{
    char cmd[2048], *log, *json;
    pid_t pid;
    write_config("ckpt.yaml", pool_cond);
    write_config("scontrol", "#!/bin/sh\necho \"scontrol $*\" >> scontrol.log\n");
    snprintf(
        cmd, sizeof cmd,
        "chmod +x scontrol && PATH=\"$PWD:$PATH\" COBALT='%s' CONFIG=ckpt.yaml OUT=res.h5 SLURM_JOB_ID=42 "
        "SLURM_CPUS_PER_TASK=1 SETS='--set run.t_sim_ms=15000' EVERY=0.05s exec bash '%s/configs/slurm/run.sbatch'",
        COBALT_CLI, COBALT_SOURCE_DIR);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(99);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(98);
    }
    wait_for("res.h5.ckpt");
    kill(pid, SIGUSR1);
    cr_assert_eq(wait_cli(pid), 0);
    log = slurp("scontrol.log");
    cr_expect_str_eq(log, "scontrol requeue 42\n");
    free(log);
    cr_expect(!exists("res.h5"));
    { /* the requeued start, as Slurm runs the script again */
        char again[2400];
        snprintf(again, sizeof again, "cd '%s' && (%s) > again.out 2> again.err", dir, cmd);
        cr_assert_eq(system(again), 0);
    }
    cr_expect(exists("res.h5"));
    json = slurp("again.out");
    cr_expect(strstr(json, "\"status\":\"ok\"") != NULL, "%s", json);
    free(json);
    {
        char third[2400];
        snprintf(third, sizeof third, "cd '%s' && (%s) > third.out 2>&1", dir, cmd);
        cr_assert_eq(system(third), 0);
        json = slurp("third.out");
        cr_expect(strstr(json, "is complete") != NULL, "%s", json);
        free(json);
    }
}

/* Spike counts of population E in the point file dir/name (n neurons). */
static void spike_counts(const char *name, uint32_t *v)
{
    char path[300];
    hid_t f, d;
    path_of(path, sizeof path, name);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "%s", path);
    d = H5Dopen2(f, "/populations/E/spike_count", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Dclose(d);
    H5Fclose(f);
}

/* `cobalt sweep --checkpoint-every`: SIGTERM during a point writes DIR/point_<i>.ckpt and exits
 * 8; the rerun keeps the finished points, resumes the stopped one (its spikes equal an
 * uninterrupted sweep's) and removes the spent checkpoints. */
Test(checkpoint, cli_sweep_point_resumes, .init = make_dir, .fini = remove_dir)
{
    static const char *sweep_yaml = TEST_SMALL_NET "sweep:\n  set: {seed: [3, 4]}\n";
    static uint32_t a[400], b[400];
    pid_t pid;
    int rc;
    char *err;
    write_config("sw.yaml", sweep_yaml);
    cr_assert_eq(run_cli("sweep sw.yaml --quiet --dir whole --set run.t_sim_ms=8000", "whole"), 0);
    pid = start_cli("sweep sw.yaml --quiet --dir pts --set run.t_sim_ms=8000 --checkpoint-every 0.05s", "stop");
    wait_for("pts/point_0.ckpt");
    kill(pid, SIGTERM);
    rc = wait_cli(pid);
    err = slurp("stop.err");
    cr_assert_eq(rc, 8, "exit %d: %s", rc, err);
    free(err);
    cr_expect(!exists("pts/point_0.h5"));
    rc = run_cli("sweep sw.yaml --dir pts --set run.t_sim_ms=8000 --checkpoint-every 30m", "again");
    err = slurp("again.err");
    cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
    free(err);
    cr_expect(!exists("pts/point_0.ckpt") && !exists("pts/point_1.ckpt"), "a spent checkpoint stayed");
    spike_counts("whole/point_0.h5", a);
    spike_counts("pts/point_0.h5", b);
    cr_expect_arr_eq(a, b, sizeof a, "the resumed point differs from the uninterrupted one");
    rc = run_cli("sweep sw.yaml --dir pts --set run.t_sim_ms=8000 --point 1", "kept");
    err = slurp("kept.err");
    cr_expect_eq(rc, 0);
    cr_expect(strstr(err, "complete file kept") != NULL, "%s", err);
    free(err);
}
