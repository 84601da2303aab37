/* host/python/python_api.c -- the flat C API of include/cobalt/pyapi.h for the Python package
 * (python/cobalt, through ctypes). Each function is the call sequence of the matching CLI
 * command (host/cli/cli.c cmd_run, cli_sweep.c) without its printing: messages go to the
 * caller's buffer, summaries to malloc'd strings. The theory summary is in python_theory.c. Deliberate limits: no checkpoints (the
 * CLI's --checkpoint/--resume); the sweep runs its points one after another in this thread. */
#define _POSIX_C_SOURCE 200809L
#include "cobalt/pyapi.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cobalt/cobalt.h"
#include "cobalt/models.h"
#include "cobalt/sweep.h"
#include "cobalt_version.h"
#include "python/python_int.h"
#include "util/publish.h"

void cob_py_free(void *p)
{
    free(p);
}

const char *cob_py_version(void)
{
    return COBALT_VERSION;
}

const char *cob_py_commit(void)
{
    return COBALT_COMMIT;
}

int cob__py_fail(char *msg, cob_status st, const cob_err *err)
{
    if (msg)
        snprintf(msg, COB_ERR_MSG_MAX, "%s", err->msg[0] ? err->msg : cob_status_str(st));
    return (int)st;
}

cob_status cob__py_load(cob_config *c, const char *path, const char *text, const char *name, const char *const *sets,
                        int n_sets, cob_err *err)
{
    if (path)
        return cob_config_load(c, path, sets, n_sets, err);
    return cob_config_load_string(c, text, name, sets, n_sets, err);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int cob_py_config_check(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                        char **text_out, char *msg)
{
    cob_config c;
    cob_err err = {COB_OK, ""};
    cob_status st = cob__py_load(&c, path, text, name, sets, n_sets, &err);
    if (msg)
        msg[0] = '\0';
    if (st != COB_OK)
        return cob__py_fail(msg, st, &err);
    if (text_out) {
        *text_out = dup_str(c.text ? c.text : "");
        if (!*text_out)
            st = cob_err_set(&err, COB_ERR_NOMEM, "out of memory copying the config text");
    }
    cob_config_free(&c);
    return st == COB_OK ? COB_OK : cob__py_fail(msg, st, &err);
}

/* Provenance as the CLI records it (host/cli/cli.c write_results): host name, and the GPU's. */
static void run_meta(cob_run_meta *m, char *device, size_t len, const cob_config *c, const cob_sim_timing *t)
{
    char host[256];
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    memset(m, 0, sizeof *m);
    m->commit = COBALT_COMMIT;
    m->version = COBALT_VERSION;
    if (t) {
        m->backend = t->backend_name;
        if (t->device_name[0])
            snprintf(device, len, "%s, %s", host, t->device_name);
        else
            snprintf(device, len, "%s", host);
    } else {
        snprintf(device, len, "%s", host);
    }
    m->device = device;
    if (c) {
        m->seed = c->run.seed;
        m->config_path = c->path;
    }
}

static cob_status write_run(const char *out, const cob_config *c, const cob_stats *s, const cob_sim_timing *t,
                            char **json_out, cob_err *err)
{
    char device[400];
    cob_run_meta m;
    cob_theory_summary th;
    cob_err th_err = {COB_OK, ""};
    cob_status st = COB_OK;
    size_t len = 262144; /* as the CLI: room for 16 populations x 32 protocol windows */
    run_meta(&m, device, sizeof device, c, t);
    m.theory = cob_output_theory(c, s, &th, &th_err) == COB_OK ? &th : NULL;
    if (out)
        st = cob_output_write_h5(out, c, s, t, &m, err);
    if (st != COB_OK || !json_out)
        return st;
    *json_out = malloc(len);
    if (!*json_out)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory for the JSON summary");
    st = cob_output_json(*json_out, len, out, c, s, t, &m, err);
    if (st != COB_OK) {
        free(*json_out);
        *json_out = NULL;
    }
    return st;
}

/* A result path checked before anything runs, as the CLI checks --out: publishable
 * (util/publish.h: COB_ERR_IO when not) and not the config file (COB_ERR_INVALID). */
static cob_status check_target(const char *out, const char *config_path, cob_err *err)
{
    cob__publish_target t;
    struct stat so, sc;
    cob_status st = cob__publish_target_of(out, &t, err);
    if (st != COB_OK)
        return st;
    if (config_path && config_path[0] && stat(t.path, &so) == 0 && stat(config_path, &sc) == 0 &&
        so.st_dev == sc.st_dev && so.st_ino == sc.st_ino)
        return cob_err_set(err, COB_ERR_INVALID, "out '%s' is the config file %s: choose another result path", out,
                           config_path);
    return COB_OK;
}

int cob_py_run(const char *path, const char *text, const char *name, const char *const *sets, int n_sets, int backend,
               const char *out, cob_progress_fn progress, void *user, double interval_s, volatile sig_atomic_t *cancel,
               char **json_out, char *msg)
{
    cob_config c;
    cob_stats s;
    cob_sim_timing t;
    cob_sim_options opt;
    cob_err err = {COB_OK, ""};
    cob_status st, run_st;
    if (msg)
        msg[0] = '\0';
    if (json_out)
        *json_out = NULL;
    if (backend < COB_BACKEND_AUTO || backend > COB_BACKEND_CUDA)
        return cob__py_fail(
            msg, cob_err_set(&err, COB_ERR_INVALID, "backend %d: allowed 0 (auto), 1 (cpu), 2 (cuda)", backend), &err);
    st = cob__py_load(&c, path, text, name, sets, n_sets, &err);
    if (st != COB_OK)
        return cob__py_fail(msg, st, &err);
    /* the result path is checked before the simulation, as `cobalt run` does */
    if (out && (st = check_target(out, path, &err)) != COB_OK) {
        cob_config_free(&c);
        return cob__py_fail(msg, st, &err);
    }
    memset(&opt, 0, sizeof opt);
    opt.backend = (cob_backend_kind)backend;
    opt.progress = progress;
    opt.progress_user = user;
    opt.progress_interval_s = interval_s;
    opt.commit = COBALT_COMMIT;
    opt.cancel_request = cancel;
    run_st = cob_sim_run(&c, &opt, &s, &t, &err);
    /* only an overflow counted during the run comes with results to write */
    if (run_st != COB_OK && !(run_st == COB_ERR_OVERFLOW && cob_stats_overflowed(&s))) {
        cob_config_free(&c);
        return cob__py_fail(msg, run_st, &err);
    }
    {
        cob_err werr = {COB_OK, ""};
        st = write_run(out, &c, &s, &t, json_out, &werr);
        if (st != COB_OK)
            err = werr;
    }
    cob_stats_free(&s);
    cob_config_free(&c);
    if (st != COB_OK)
        return cob__py_fail(msg, st, &err);
    return run_st == COB_OK ? COB_OK : cob__py_fail(msg, run_st, &err);
}

static cob_status sweep_load(cob_sweep *sw, const char *path, const char *text, const char *name,
                             const char *const *sets, int n_sets, cob_err *err)
{
    if (path)
        return cob_sweep_load(sw, path, sets, n_sets, err);
    return cob_sweep_load_string(sw, text, name ? name : "config", sets, n_sets, err);
}

int cob_py_sweep_count(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                       int64_t *n_points, char *msg)
{
    cob_sweep sw;
    cob_err err = {COB_OK, ""};
    cob_status st = sweep_load(&sw, path, text, name, sets, n_sets, &err);
    if (msg)
        msg[0] = '\0';
    if (st != COB_OK)
        return cob__py_fail(msg, st, &err);
    *n_points = sw.n_points;
    cob_sweep_free(&sw);
    return COB_OK;
}

/* Run the selected points (all when n_sel == 0) of sw into dir; counts the overflowed ones. */
static cob_status sweep_points(const cob_sweep *sw, const int64_t *points, int64_t n_sel, const char *dir,
                               const cob_sim_options *opt, cob_py_point_fn point_done, void *user, int *n_overflow,
                               cob_err *err)
{
    char device[400];
    cob_run_meta meta;
    int64_t n = n_sel > 0 ? n_sel : sw->n_points;
    run_meta(&meta, device, sizeof device, NULL, NULL);
    for (int64_t k = 0; k < n; k++) {
        cob_sweep_point_result r;
        int64_t i = n_sel > 0 ? points[k] : k;
        cob_status st;
        if (i < 0 || i >= sw->n_points)
            return cob_err_set(err, COB_ERR_INVALID, "point %lld: allowed 0 .. %lld", (long long)i,
                               (long long)sw->n_points - 1);
        st = cob_sweep_run_point(sw, i, dir, opt, &meta, &r, err);
        if (st != COB_OK)
            return st;
        *n_overflow += r.run_status == COB_ERR_OVERFLOW;
        if (point_done)
            point_done(user, i, k + 1, n);
    }
    return COB_OK;
}

int cob_py_sweep_run(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                     int backend, const int64_t *points, int64_t n_sel, const char *dir, const char *out,
                     const char *csv, cob_progress_fn progress, cob_py_point_fn point_done, void *user,
                     double interval_s, volatile sig_atomic_t *cancel, char *msg)
{
    char out_d[COB_SWEEP_PATH_MAX], csv_d[COB_SWEEP_PATH_MAX], dir_d[COB_SWEEP_PATH_MAX];
    cob_sweep sw;
    cob_sim_options opt;
    cob_err err = {COB_OK, ""};
    int n_overflow = 0;
    cob_status st;
    if (msg)
        msg[0] = '\0';
    if (backend < COB_BACKEND_AUTO || backend > COB_BACKEND_CUDA || n_sel < 0 || (n_sel > 0 && !points))
        return cob__py_fail(msg, cob_err_set(&err, COB_ERR_INVALID, "cob_py_sweep_run: invalid arguments"), &err);
    st = sweep_load(&sw, path, text, name, sets, n_sets, &err);
    if (st != COB_OK)
        return cob__py_fail(msg, st, &err);
    st = cob_sweep_paths(sw.base.path, out, dir, out_d, csv_d, dir_d, sizeof out_d, &err);
    /* the merged files, checked before the points run, as `cobalt sweep` does */
    if (st == COB_OK)
        st = check_target(out_d, path, &err);
    if (st == COB_OK)
        st = check_target(csv ? csv : csv_d, path, &err);
    memset(&opt, 0, sizeof opt);
    opt.backend = (cob_backend_kind)backend;
    opt.progress = progress;
    opt.progress_user = user;
    opt.progress_interval_s = interval_s;
    opt.cancel_request = cancel;
    if (st == COB_OK)
        st = sweep_points(&sw, points, n_sel, dir_d, &opt, point_done, user, &n_overflow, &err);
    if (st == COB_OK)
        st = cob_sweep_merge(&sw, dir_d, out_d, csv ? csv : csv_d, n_sel > 0, &err);
    cob_sweep_free(&sw);
    if (st == COB_OK && n_overflow)
        st = cob_err_set(&err, COB_ERR_OVERFLOW, "%d point(s) counted a loss (their files are written and merged)",
                         n_overflow);
    return st == COB_OK ? COB_OK : cob__py_fail(msg, st, &err);
}

int cob_py_indegrees(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                     int i_proj, int32_t **out, int64_t *n_out, int *n_projs, char *msg)
{
    cob_config c;
    cob_net net;
    cob_err err = {COB_OK, ""};
    cob_status st = cob__py_load(&c, path, text, name, sets, n_sets, &err);
    if (msg)
        msg[0] = '\0';
    *out = NULL;
    *n_out = 0;
    if (st != COB_OK)
        return cob__py_fail(msg, st, &err);
    *n_projs = c.n_projs;
    if (i_proj < 0 || i_proj >= c.n_projs) {
        cob_config_free(&c);
        return cob__py_fail(msg,
                            cob_err_set(&err, COB_ERR_INVALID, "projection %d: allowed 0 .. %d", i_proj, c.n_projs - 1),
                            &err);
    }
    st = cob_net_layout(&net, &c, &err);
    cob_config_free(&c);
    if (st != COB_OK)
        return cob__py_fail(msg, st, &err);
    {
        const cob_proj *p = &net.proj[i_proj];
        size_t bytes = (size_t)(p->n_post > 0 ? p->n_post : 1) * sizeof(int32_t);
        *out = malloc(bytes);
        if (*out) {
            if (p->n_post > 0)
                memcpy(*out, p->indegree, (size_t)p->n_post * sizeof(int32_t));
            *n_out = p->n_post;
        } else {
            st = cob_err_set(&err, COB_ERR_NOMEM, "out of memory for %lld in-degrees", (long long)p->n_post);
        }
    }
    cob_net_free(&net);
    return st == COB_OK ? COB_OK : cob__py_fail(msg, st, &err);
}
