/* host/cli/cli_sweep.c -- `cobalt sweep` and `cobalt merge` (docs/sweeps.md): argument parsing,
 * the progress line per point on stderr and the one-line JSON summary on stdout around the
 * library's sweep API (include/cobalt/sweep.h). Dispatched from host/cli/cli.c (declared in
 * host/cli/cli_cmds.h). Limits: points run one after another in this process (a cluster runs them
 * as a Slurm job array, configs/slurm/). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cobalt/cobalt.h"
#include "cobalt/sweep.h"
#include "cli/cli_cmds.h"
#include "cli/cli_util.h"
#include "cobalt_version.h"
#include "util/publish.h"
#include "util/clock.h"

typedef struct {
    const char *config, *out, *dir, *backend, *point;
    const char *sets[COB_CLI_MAX_SETS];
    int n_sets, allow_missing, quiet, count, list;
    double checkpoint_every_s; /* --checkpoint-every: checkpoints DIR/point_<i>.ckpt (0: none) */
} sweep_args;

static void usage(FILE *f)
{
    fprintf(f, "usage: " COB_CLI_SYNOPSIS_SWEEP "       " COB_CLI_SYNOPSIS_MERGE
               "sweep runs every point of the config's sweep: block (or only point I; also taken from\n"
               "SLURM_ARRAY_TASK_ID) into DIR/point_<I>.h5 and, when it ran them all, merges them into\n"
               "FILE.h5 and FILE.csv (default <config stem>_sweep.h5, points in <stem>_sweep_points/).\n"
               "merge joins the point files; missing points are an error (exit 3) unless --allow-missing.\n"
               "--count prints the number of points, --list each point's overrides; see docs/sweeps.md.\n");
}

/* One option of argv at *i (its value consumed); 0 on an unknown or incomplete option. */
static int parse_opt(int argc, char **argv, int *i, sweep_args *a)
{
    const char *o = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    const char **dst = !strcmp(o, "--out")       ? &a->out
                       : !strcmp(o, "--dir")     ? &a->dir
                       : !strcmp(o, "--backend") ? &a->backend
                       : !strcmp(o, "--point")   ? &a->point
                                                 : NULL;
    if (dst && v) {
        *dst = v;
        ++*i;
        return 1;
    }
    if (!strcmp(o, "--set") && v) {
        ++*i;
        return cob__cli_add_set(a->sets, &a->n_sets, v);
    }
    if (!strcmp(o, "--checkpoint-every") && v) {
        ++*i;
        return cob__cli_parse_every(v, &a->checkpoint_every_s);
    }
    if (!strcmp(o, "--allow-missing"))
        return a->allow_missing = 1;
    if (!strcmp(o, "--quiet"))
        return a->quiet = 1;
    if (!strcmp(o, "--count"))
        return a->count = 1;
    if (!strcmp(o, "--list"))
        return a->list = 1;
    return cob__cli_bad_option(o, "");
}

/* The file and folder names from --out, --dir or the config's stem (len bytes each); 0 after a
 * message when one is too long: a usage error (exit 1), refused before any point runs. */
static int sweep_paths(const sweep_args *a, char *out, char *csv, char *dir, size_t len)
{
    cob_err err = {COB_OK, ""};
    if (cob_sweep_paths(a->config, a->out, a->dir, out, csv, dir, len, &err) == COB_OK)
        return 1;
    fprintf(stderr, "cobalt: %s\n", err.msg);
    return 0;
}

static int parse_args(int argc, char **argv, sweep_args *a)
{
    memset(a, 0, sizeof *a);
    a->backend = "auto";
    for (int i = 2; i < argc; ++i) {
        if (argv[i][0] == '-') {
            if (!parse_opt(argc, argv, &i, a))
                return 0;
        } else if (!cob__cli_config_arg(&a->config, argv[i])) {
            return 0;
        }
    }
    return cob__cli_need_config(a->config);
}

/* ---- cobalt sweep ------------------------------------------------------------------------ */

static void list_points(const cob_sweep *sw)
{
    cob_err err = {COB_OK, ""};
    char label[1024];
    for (int64_t i = 0; i < sw->n_points; i++) {
        cob_sweep_point p;
        if (cob_sweep_point_make(sw, i, &p, &err) != COB_OK)
            return;
        cob_sweep_point_label(sw, &p, label, sizeof label);
        printf("%lld\t%s\t", (long long)i, label);
        for (int k = 0; k < p.n_sets; k++) printf("%s--set %s", k ? " " : "", p.sets[k]);
        printf("\n");
        cob_sweep_point_free(&p);
    }
}

static void progress(const cob_sweep *sw, int64_t i, const cob_sweep_point_result *r)
{
    cob_sweep_point p;
    cob_err err = {COB_OK, ""};
    char label[1024] = "";
    if (cob_sweep_point_make(sw, i, &p, &err) == COB_OK) {
        cob_sweep_point_label(sw, &p, label, sizeof label);
        cob_sweep_point_free(&p);
    }
    fprintf(stderr, "[cobalt sweep] point %lld/%lld %s |", (long long)i + 1, (long long)sw->n_points, label);
    if (r->kept) {
        fprintf(stderr, " complete file kept: %s\n", r->path);
        return;
    }
    for (int k = 0; k < r->n_pops; k++) fprintf(stderr, " %s %.2f Hz", r->pop_name[k], r->rate_hz[k]);
    fprintf(stderr, " | %.1f s%s\n", r->wall_s, r->run_status == COB_ERR_OVERFLOW ? " | OVERFLOW" : "");
}

/* With --checkpoint-every: point i's checkpoint DIR/point_<i>.ckpt into ck (len bytes), written
 * every interval and on SIGTERM/SIGUSR1, and resumed from when it is there. */
static cob_status point_checkpoint(const char *dir, int64_t i, cob_sim_options *opt, char *ck, size_t len, cob_err *err)
{
    struct stat st;
    int n = snprintf(ck, len, "%s/point_%lld.ckpt", dir, (long long)i);
    if (n < 0 || (size_t)n >= len)
        return cob_err_set(err, COB_ERR_INVALID, "checkpoint name in \"%.200s\" too long", dir);
    opt->checkpoint_path = ck;
    opt->resume_path = stat(ck, &st) == 0 ? ck : NULL;
    return COB_OK;
}

/* Run points [first, last] into dir; counts the overflowed ones. */
static cob_status run_points(const cob_sweep *sw, const sweep_args *a, cob_backend_kind backend, const char *dir,
                             int64_t first, int64_t last, int *n_overflow, cob_err *err)
{
    char ck[COB_SWEEP_PATH_MAX + 16];
    cob_sim_options opt;
    cob_run_meta meta;
    char host[256];
    memset(&opt, 0, sizeof opt);
    memset(&meta, 0, sizeof meta);
    opt.backend = backend;
    opt.threads = COB_THREADS_AUTO;
    cob__cli_hostname(host, sizeof host);
    meta.commit = COBALT_COMMIT;
    meta.version = COBALT_VERSION;
    meta.device = host;
    if (a->checkpoint_every_s > 0) {
        opt.checkpoint_every_s = a->checkpoint_every_s;
        opt.commit = COBALT_COMMIT;
        opt.stop_request = cob__cli_catch_stop();
    }
    for (int64_t i = first; i <= last; i++) {
        cob_sweep_point_result r;
        cob_status st = a->checkpoint_every_s > 0 ? point_checkpoint(dir, i, &opt, ck, sizeof ck, err) : COB_OK;
        if (st == COB_OK)
            st = cob_sweep_run_point(sw, i, dir, &opt, &meta, &r, err);
        if (st != COB_OK)
            return st;
        if (a->checkpoint_every_s > 0)
            remove(ck); /* the point file is complete: its checkpoint is spent */
        *n_overflow += r.run_status == COB_ERR_OVERFLOW;
        if (!a->quiet)
            progress(sw, i, &r);
    }
    return COB_OK;
}

/* The sweep file and its CSV can be published (util/publish.h: exit 3 when not) and neither is
 * the config (exit 1, as for `cobalt run --out`). Returns 0 or the exit code after a message. */
static int check_outputs(const char *config, const char *out, const char *csv)
{
    const char *paths[2] = {out, csv};
    struct stat sc, so;
    for (int k = 0; k < 2; k++) {
        cob__publish_target t;
        cob_err err = {COB_OK, ""};
        if (cob__publish_target_of(paths[k], &t, &err) != COB_OK)
            return cob__cli_fail(err.status, &err);
        if (stat(t.path, &so) == 0 && stat(config, &sc) == 0 && so.st_dev == sc.st_dev && so.st_ino == sc.st_ino) {
            fprintf(stderr, "cobalt: '%s' is the config file %s: choose another --out\n", paths[k], config);
            return 1;
        }
    }
    return 0;
}

static void sweep_summary(const cob_sweep *sw, const sweep_args *a, int selected, int64_t point, const char *dir,
                          const char *out, const char *csv, double wall_s, int n_overflow)
{
    printf("{\"status\":\"%s\",\"config\":", n_overflow ? "overflow" : "ok"); /* exit 6 is not ok */
    cob__cli_json_str(stdout, a->config);
    printf(",\"n_points\":%lld,\"points_run\":%lld,\"point\":", (long long)sw->n_points,
           selected ? 1LL : (long long)sw->n_points);
    if (selected)
        printf("%lld", (long long)point);
    else
        printf("null");
    printf(",\"dir\":");
    cob__cli_json_str(stdout, dir);
    printf(",\"out\":");
    cob__cli_json_str(stdout, selected ? NULL : out);
    printf(",\"csv\":");
    cob__cli_json_str(stdout, selected ? NULL : csv);
    printf(",\"wall_s\":%.3f,\"overflow_points\":%d}\n", wall_s, n_overflow);
}

static int sweep_listing(const cob_sweep *sw, const sweep_args *a)
{
    if (a->count)
        printf("%lld\n", (long long)sw->n_points);
    else
        list_points(sw);
    return 0;
}

int cob_cli_sweep(int argc, char **argv)
{
    sweep_args a;
    cob_sweep sw;
    cob_err err = {COB_OK, ""};
    char out[COB_SWEEP_PATH_MAX], csv[COB_SWEEP_PATH_MAX], dir[COB_SWEEP_PATH_MAX];
    cob_backend_kind backend;
    int64_t point;
    int selected, n_overflow = 0;
    double t0 = cob__wall_s();
    if (!parse_args(argc, argv, &a)) {
        usage(stderr);
        return 1;
    }
    if (!cob__cli_backend(a.backend, &backend))
        return 1;
    cob_status st = cob_sweep_load(&sw, a.config, a.sets, a.n_sets, &err);
    if (st != COB_OK)
        return cob__cli_fail(st, &err);
    if (sw.law_warning[0])
        fprintf(stderr, "cobalt: warning: %s\n", sw.law_warning);
    if (a.count || a.list) {
        int rc = sweep_listing(&sw, &a);
        cob_sweep_free(&sw);
        return rc;
    }
    if (!sweep_paths(&a, out, csv, dir, sizeof out)) {
        cob_sweep_free(&sw);
        return 1;
    }
    st = cob_sweep_select(a.point, getenv("SLURM_ARRAY_TASK_ID"), sw.n_points, &point, &selected, &err);
    if (st == COB_OK && !selected) { /* the merged files, checked before the points run, not after */
        int rc = check_outputs(a.config, out, csv);
        if (rc != 0) {
            cob_sweep_free(&sw);
            return rc;
        }
    }
    if (st == COB_OK)
        st = run_points(&sw, &a, backend, dir, selected ? point : 0, selected ? point : sw.n_points - 1, &n_overflow,
                        &err);
    if (st == COB_OK && !selected)
        st = cob_sweep_merge(&sw, dir, out, csv, 0, &err);
    if (st == COB_OK)
        sweep_summary(&sw, &a, selected, point, dir, out, csv, cob__wall_s() - t0, n_overflow);
    cob_sweep_free(&sw);
    if (st != COB_OK)
        return cob__cli_fail(st, &err);
    return n_overflow ? cob_status_exit_code(COB_ERR_OVERFLOW) : 0;
}

/* ---- cobalt merge ------------------------------------------------------------------------ */

static void merge_summary(const cob_sweep *sw, const char *dir, const char *out, const char *csv)
{
    unsigned char *present = calloc((size_t)sw->n_points, 1);
    int first = 1;
    printf("{\"status\":\"ok\",\"out\":");
    cob__cli_json_str(stdout, out);
    printf(",\"csv\":");
    cob__cli_json_str(stdout, csv);
    printf(",\"n_points\":%lld,\"missing\":[", (long long)sw->n_points);
    if (present && cob_sweep_scan(sw, dir, present) > 0)
        for (int64_t i = 0; i < sw->n_points; i++)
            if (!present[i]) {
                printf("%s%lld", first ? "" : ",", (long long)i);
                first = 0;
            }
    printf("]}\n");
    free(present);
}

int cob_cli_merge(int argc, char **argv)
{
    sweep_args a;
    cob_sweep sw;
    cob_err err = {COB_OK, ""};
    char out[COB_SWEEP_PATH_MAX], csv[COB_SWEEP_PATH_MAX], dir[COB_SWEEP_PATH_MAX];
    if (!parse_args(argc, argv, &a) || a.point || a.count || a.list) {
        if (a.config && (a.point || a.count || a.list))
            fprintf(stderr, "cobalt: merge takes no --point, --count or --list\n");
        usage(stderr);
        return 1;
    }
    cob_status st = cob_sweep_load(&sw, a.config, a.sets, a.n_sets, &err);
    if (st != COB_OK)
        return cob__cli_fail(st, &err);
    if (!sweep_paths(&a, out, csv, dir, sizeof out)) {
        cob_sweep_free(&sw);
        return 1;
    }
    st = cob_sweep_merge(&sw, dir, out, csv, a.allow_missing, &err);
    if (st == COB_OK)
        merge_summary(&sw, dir, out, csv);
    cob_sweep_free(&sw);
    return st == COB_OK ? 0 : cob__cli_fail(st, &err);
}
