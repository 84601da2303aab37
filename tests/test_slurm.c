/* tests/test_slurm.c -- a sweep through a real Slurm: starts a private single-node cluster
 * (slurmctld + slurmd of Debian's slurm-wlm on 127.0.0.1, a generated slurm.conf in a temporary
 * folder, its own ports, auth/none so no munge daemon is needed), submits a 3-point sweep of a
 * tiny network with configs/slurm/submit.sh (a job array of `cobalt sweep --point` tasks and a
 * dependent `cobalt merge` job), waits for it and checks the merged file. Skips with the reason
 * where Slurm cannot run here (not root, binaries or plugins missing, daemons not up in time).
 * Never hangs: every wait is bounded (about 120 s in all), and the daemons run under
 * `timeout` so they end even if this test is killed. Packages: slurmctld slurmd slurm-client.
 * A second test sends a long run (configs/slurm/run.sbatch) the USR1 that --signal=B:USR1@120
 * sends before a time limit and checks it checkpoints, requeues itself, resumes and completes. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <glob.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NODE_UP_S 30      /* daemons up and the node idle */
#define JOBS_S 90         /* the array and the merge done */
#define DAEMON_LIFE_S 300 /* hard limit on the daemons' lives, should the test be killed */

static char dir[256];

static const char *net_yaml =
    "run: {dt_ms: 0.1, t_warmup_ms: 50, t_sim_ms: 300, seed: 3}\n"
    "populations:\n"
    "  - {name: E, model: lif_cond, size: 200}\n"
    "  - {name: I, model: lif_cond, size: 50}\n"
    "  - {name: X, model: poisson, size: 200, rate_hz: 40, input: pool}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 40, weight: 0.01, delay_ms: [0, 5]}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 40, weight: 0.01, delay_ms: [0, 5]}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 10, weight: 0.2, delay_ms: [0, 1]}\n"
    "  - {pre: I, post: I, receptor: I, indegree: 10, weight: 0.2, delay_ms: [0, 1]}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 40, weight: 0.01, delay_ms: [0, 5]}\n"
    "  - {pre: X, post: I, receptor: E, indegree: 40, weight: 0.01, delay_ms: [0, 5]}\n"
    "sweep:\n"
    "  k: {values: [40, 60, 80], law: sqrt}\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* First line of a command's stdout (trailing newline cut); "" if none. */
static void first_line(const char *cmd, char *buf, size_t len)
{
    FILE *p = popen(cmd, "r");
    buf[0] = '\0';
    if (!p)
        return;
    if (!fgets(buf, (int)len, p))
        buf[0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    pclose(p);
}

/* The last lines of a file in dir, for messages. */
static void tail_of(const char *name, char *buf, size_t len)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "tail -q -c 600 %s/%.200s 2>/dev/null | tr '\\n' '|'", dir, name);
    first_line(cmd, buf, len);
}

/* ---- can Slurm run here? ------------------------------------------------------------------- */

static int have(const char *prog)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s > /dev/null 2>&1", prog);
    return system(cmd) == 0;
}

/* A Slurm plugin (auth_none, cred_none, ...) where Debian and the upstream default put them. */
static int have_plugin(const char *name)
{
    const char *dirs[] = {"/usr/lib/*/slurm-wlm", "/usr/lib*/slurm", "/usr/local/lib/slurm"};
    int found = 0;
    for (int i = 0; i < 3 && !found; i++) {
        char pat[128];
        glob_t g;
        snprintf(pat, sizeof pat, "%s/%s.so", dirs[i], name);
        found = glob(pat, 0, NULL, &g) == 0;
        globfree(&g);
    }
    return found;
}

/* "" when Slurm can be tried, else why not. */
static const char *why_not(void)
{
    static char why[256];
    const char *progs[] = {"slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "timeout", "setsid"};
    if (geteuid() != 0)
        return "not root: slurmd must run as root to start jobs";
    for (int i = 0; i < 7; i++)
        if (!have(progs[i])) {
            snprintf(why, sizeof why, "%s not found (apt-get install slurmctld slurmd slurm-client)", progs[i]);
            return why;
        }
    if (!have_plugin("auth_none") || !have_plugin("cred_none"))
        return "this Slurm has no auth/none and cred/none plugins (Slurm >= 23.11 removed them)";
    return "";
}

/* ---- a private cluster ------------------------------------------------------------------------ */

static void write_conf(void)
{
    char host[256], conf[4096];
    int port = 20000 + (int)(getpid() % 10000) * 2;
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    host[strcspn(host, ".")] = '\0';
    snprintf(conf, sizeof conf,
             "ClusterName=cobalttest\nSlurmctldHost=%s(127.0.0.1)\n"
             "SlurmctldPort=%d\nSlurmdPort=%d\nSlurmUser=root\nSlurmdUser=root\n"
             "AuthType=auth/none\nCredType=cred/none\n"
             "StateSaveLocation=%s/state\nSlurmdSpoolDir=%s/spool\n"
             "SlurmctldPidFile=%s/slurmctld.pid\nSlurmdPidFile=%s/slurmd.pid\n"
             "SlurmctldLogFile=%s/slurmctld.log\nSlurmdLogFile=%s/slurmd.log\n"
             "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
             "JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n"
             "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\nMpiDefault=none\n"
             "ReturnToService=2\nSchedulerType=sched/builtin\nMinJobAge=600\n"
             "DependencyParameters=kill_invalid_depend\n"
             "NodeName=cobaltnode NodeAddr=127.0.0.1 CPUs=%ld State=UNKNOWN\n"
             "PartitionName=test Nodes=ALL Default=YES MaxTime=10 State=UP\n",
             host, port, port + 1, dir, dir, dir, dir, dir, dir, sysconf(_SC_NPROCESSORS_ONLN));
    write_file("slurm.conf", conf);
}

/* Start one daemon in its own session under `timeout`; its process group id into name.pgid. */
static void start_daemon(const char *name, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && setsid timeout -k 5 %d %s -D %s -f '%s/slurm.conf' "
             "> '%s/%s.out' 2>&1 & echo $! > '%s/%s.pgid'",
             dir, DAEMON_LIFE_S, name, args, dir, dir, name, dir, name);
    cr_assert_eq(system(cmd), 0, "cannot start %s", name);
}

static void stop_daemon(const char *name)
{
    char path[400], buf[32];
    snprintf(path, sizeof path, "%s/%s.pgid", dir, name);
    FILE *f = fopen(path, "r");
    long pgid = f && fgets(buf, sizeof buf, f) ? strtol(buf, NULL, 10) : 0;
    if (f)
        fclose(f);
    if (pgid <= 1)
        return;
    kill((pid_t)-pgid, SIGTERM);
    for (int i = 0; i < 100 && kill((pid_t)-pgid, 0) == 0; i++) sleep_s(0.1);
    kill((pid_t)-pgid, SIGKILL);
}

/* Wait (bounded) for the node to take jobs. */
static int node_up(void)
{
    char state[64];
    double t0 = now_s();
    while (now_s() - t0 < NODE_UP_S) {
        first_line("timeout 10 sinfo -h -n cobaltnode -o %t 2>/dev/null", state, sizeof state);
        if (!strncmp(state, "idle", 4) || !strncmp(state, "mix", 3))
            return 1;
        sleep_s(0.5);
    }
    return 0;
}

static void setup(void)
{
    char path[400];
    snprintf(dir, sizeof dir, "/tmp/cobalt_slurm_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    const char *sub[] = {"state", "spool"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, sub[i]);
        cr_assert_eq(mkdir(path, 0700), 0);
    }
}

static void teardown(void)
{
    char cmd[300];
    stop_daemon("slurmd");
    stop_daemon("slurmctld");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_slurm: could not remove %s\n", dir);
}

/* ---- the sweep --------------------------------------------------------------------------- */

/* State of job id (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, ...), "" if unknown. */
static void job_state(const char *id, char *buf, size_t len)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "timeout 10 squeue -h -t all -j %s -o %%T 2>/dev/null", id);
    first_line(cmd, buf, len);
}

static int terminal(const char *s)
{
    return s[0] && strcmp(s, "PENDING") && strcmp(s, "RUNNING") && strcmp(s, "CONFIGURING") && strcmp(s, "COMPLETING");
}

static void check_sweep_file(const char *name)
{
    char path[400];
    double rate[3], n_points = 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "no merged file %s", path);
    hid_t a = H5Aopen(f, "n_points", H5P_DEFAULT);
    cr_assert_geq(a, 0);
    H5Aread(a, H5T_NATIVE_DOUBLE, &n_points);
    H5Aclose(a);
    cr_expect_eq(n_points, 3);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/points/%d/populations/E/spike_count", i);
        cr_expect_gt(H5Lexists(f, path, H5P_DEFAULT), 0, "no %s", path);
    }
    hid_t d = H5Dopen2(f, "/summary/E_rate_hz", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    cr_assert_eq(H5Sget_simple_extent_npoints(H5Dget_space(d)), 3);
    H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rate);
    H5Dclose(d);
    H5Fclose(f);
    for (int i = 0; i < 3; i++) cr_expect(rate[i] > 0, "point %d: rate %g Hz", i, rate[i]);
}

/* Start the private cluster, or skip the calling test with the reason. */
static void start_cluster(void)
{
    const char *why = why_not();
    char conf[400], log[700];
    if (why[0])
        cr_skip_test("%s", why);
    write_conf();
    snprintf(conf, sizeof conf, "%s/slurm.conf", dir);
    setenv("SLURM_CONF", conf, 1);
    start_daemon("slurmctld", "-i");
    start_daemon("slurmd", "-N cobaltnode");
    if (!node_up()) {
        tail_of("slurmd.log", log, sizeof log);
        cr_skip_test("Slurm daemons did not come up within %d s (slurmd.log: %s)", NODE_UP_S, log);
    }
}

Test(slurm, job_array_sweep_and_merge, .init = setup, .fini = teardown, .timeout = 180)
{
    char cmd[2048], ids[128], state[64], log[700], log2[700], log3[700];
    start_cluster();
    write_file("net.yaml", net_yaml);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && COBALT='%s' timeout 30 '%s/configs/slurm/submit.sh' "
             "net.yaml pts sweep.h5 2> submit.err",
             dir, COBALT_CLI, COBALT_SOURCE_DIR);
    first_line(cmd, ids, sizeof ids);
    tail_of("submit.err", log, sizeof log);
    char *merge = strchr(ids, ' ');
    cr_assert_not_null(merge, "submit.sh printed \"%s\" (stderr: %s)", ids, log);
    double t0 = now_s();
    do {
        sleep_s(1.0);
        job_state(merge + 1, state, sizeof state);
    } while (!terminal(state) && now_s() - t0 < JOBS_S);
    tail_of("cobalt-merge-*.out", log, sizeof log);
    tail_of("slurmctld.log", log2, sizeof log2);
    tail_of("cobalt-sweep-*.out", log3, sizeof log3);
    cr_assert_str_eq(state, "COMPLETED",
                     "merge job %s: state \"%s\" after %.0f s (task outputs: %s; "
                     "merge output: %s; slurmctld.log: %s)",
                     merge + 1, state, now_s() - t0, log3, log, log2);
    check_sweep_file("sweep.h5");
}

static int exists(const char *name)
{
    char path[400];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* configs/slurm/run.sbatch through Slurm: USR1 to the batch shell (what --signal=B:USR1@120 sends
 * before the time limit; here `scancel --signal=USR1 --batch`) makes cobalt write its checkpoint
 * and exit 8, the script requeues the job, the job starts again, resumes and completes with the
 * result file. */
Test(slurm, long_run_checkpoints_and_requeues, .init = setup, .fini = teardown, .timeout = 240)
{
    char cmd[2048], id[64], state[64], log[700], log2[700];
    double t0;
    start_cluster();
    write_file("net.yaml", net_yaml);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && COBALT='%s' CONFIG=net.yaml OUT=run.h5 EVERY=0.1s SETS='--set run.t_sim_ms=60000' "
             "timeout 30 sbatch --parsable --cpus-per-task=1 --export=ALL '%s/configs/slurm/run.sbatch' 2> sbatch.err",
             dir, COBALT_CLI, COBALT_SOURCE_DIR);
    first_line(cmd, id, sizeof id);
    tail_of("sbatch.err", log, sizeof log);
    cr_assert(id[0], "sbatch printed nothing (stderr: %s)", log);
    t0 = now_s();
    while (!exists("run.h5.ckpt") && now_s() - t0 < JOBS_S) sleep_s(0.2);
    if (!exists("run.h5.ckpt")) {
        job_state(id, state, sizeof state);
        snprintf(cmd, sizeof cmd, "cobalt-run-%s.out", id);
        tail_of(cmd, log, sizeof log);
        tail_of("slurmctld.log", log2, sizeof log2);
        cr_assert_fail("no checkpoint after %.0f s: job %s %s (output: %s; slurmctld.log: %s)", now_s() - t0, id, state,
                       log, log2);
    }
    snprintf(cmd, sizeof cmd, "timeout 10 scancel --signal=USR1 --batch %s", id);
    cr_assert_eq(system(cmd), 0);
    t0 = now_s();
    int released = 0;
    do {
        sleep_s(0.5);
        job_state(id, state, sizeof state);
        /* Slurm delays a requeued job's start (BeginTime about two minutes on): start it now */
        if (!released && !strcmp(state, "PENDING")) {
            snprintf(cmd, sizeof cmd, "timeout 10 scontrol update JobId=%s StartTime=now > /dev/null 2>&1", id);
            released = system(cmd) == 0;
        }
    } while (!(terminal(state) && strcmp(state, "REQUEUED")) && now_s() - t0 < JOBS_S);
    snprintf(cmd, sizeof cmd, "cobalt-run-%s.out", id);
    tail_of(cmd, log, sizeof log);
    tail_of("slurmctld.log", log2, sizeof log2);
    cr_assert_str_eq(state, "COMPLETED", "job %s: state \"%s\" after %.0f s (output: %s; slurmctld.log: %s)", id, state,
                     now_s() - t0, log, log2);
    snprintf(cmd, sizeof cmd, "grep -c 'requeueing job %s' '%s/cobalt-run-%s.out'", id, dir, id);
    first_line(cmd, state, sizeof state);
    cr_expect_str_eq(state, "1", "the job was not requeued once (output: %s)", log);
    cr_expect(exists("run.h5"), "no result file (output: %s)", log);
}
