/* host/sweep/sweep_run.c -- running one point of a sweep into its own result file, which point a
 * job runs (--point or SLURM_ARRAY_TASK_ID), and the file names of a sweep. Pairs with
 * include/cobalt/sweep.h; points are made by host/sweep/sweep.c, merged by host/sweep/sweep_merge.c.
 * Limits: each point builds its network anew (cob_sim_run); nothing is reused between points. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "sweep/sweep_int.h"

/* ---- which point ---------------------------------------------------------------------------- */

/* A whole decimal integer in 0 .. n-1. */
static int parse_index(const char *s, int64_t n, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v >= n)
        return 0;
    *out = (int64_t)v;
    return 1;
}

cob_status cob_sweep_select(const char *point_arg, const char *env_task_id, int64_t n_points, int64_t *i, int *selected,
                            cob_err *err)
{
    const char *v = point_arg ? point_arg : env_task_id;
    const char *what = point_arg ? "--point" : "SLURM_ARRAY_TASK_ID";
    *selected = v != NULL;
    *i = 0;
    if (!v || parse_index(v, n_points, i))
        return COB_OK;
    return cob_err_set(err, COB_ERR_CONFIG,
                       "%s \"%.40s\" is not a point of this sweep (allowed: "
                       "an integer 0 .. %lld; the sweep has %lld points)",
                       what, v, (long long)n_points - 1, (long long)n_points);
}

/* ---- file names ----------------------------------------------------------------------------- */

cob_status cob_sweep_point_path(const char *dir, int64_t i, char *buf, size_t len, cob_err *err)
{
    int n = snprintf(buf, len, "%s/point_%lld.h5", dir, (long long)i);
    if (n < 0 || (size_t)n >= len)
        return cob_err_set(err, COB_ERR_INVALID, "point file name in \"%.200s\" too long", dir);
    return COB_OK;
}

/* "configs/x.yaml" -> "x" */
static void stem_of(const char *path, char *buf, size_t len)
{
    const char *base = strrchr(path, '/');
    snprintf(buf, len, "%s", base ? base + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = '\0';
    if (!buf[0])
        snprintf(buf, len, "cobalt");
}

cob_status cob_sweep_paths(const char *config_path, const char *out_opt, const char *dir_opt, char *out, char *csv,
                           char *dir, size_t len, cob_err *err)
{
    char stem[COB_CONFIG_PATH_MAX];
    stem_of(config_path ? config_path : "", stem, sizeof stem);
    int n1 = out_opt ? snprintf(out, len, "%s", out_opt) : snprintf(out, len, "%s_sweep.h5", stem);
    int n2 = dir_opt ? snprintf(dir, len, "%s", dir_opt) : snprintf(dir, len, "%s_sweep_points", stem);
    size_t n_out = strlen(out);
    int h5 = n_out > 3 && strcmp(out + n_out - 3, ".h5") == 0;
    int n3 = snprintf(csv, len, "%.*s.csv", (int)(h5 ? n_out - 3 : n_out), out);
    size_t point_room = sizeof "/point_18446744073709551615.h5"; /* so every point path fits too */
    if (n1 < 0 || n3 < 0 || (size_t)n1 >= len || (size_t)n3 >= len)
        return cob_err_set(err, COB_ERR_INVALID, "--out \"%.200s...\": %zu bytes with its .csv (allowed: at most %zu)",
                           out_opt ? out_opt : stem, strlen(out_opt ? out_opt : stem) + 4, len - 1);
    if (n2 < 0 || (size_t)n2 + point_room > len)
        return cob_err_set(err, COB_ERR_INVALID, "--dir \"%.200s...\": %zu bytes (allowed: at most %zu)",
                           dir_opt ? dir_opt : stem, strlen(dir_opt ? dir_opt : stem), len - point_room);
    return COB_OK;
}

/* mkdir -p dir */
static cob_status make_dir(const char *dir, cob_err *err)
{
    char buf[COB_SWEEP_PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return cob_err_set(err, COB_ERR_INVALID, "directory name \"%.200s...\" too long", dir);
    for (char *p = buf + 1;; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return cob_err_set(err, COB_ERR_IO, "cannot create directory \"%s\": %s", buf, strerror(errno));
        *p = c;
        if (!c)
            return COB_OK;
    }
}

int64_t cob_sweep_scan(const cob_sweep *sw, const char *dir, unsigned char *present)
{
    int64_t missing = 0;
    for (int64_t i = 0; i < sw->n_points; i++) {
        char path[COB_SWEEP_PATH_MAX];
        struct stat st;
        present[i] = cob_sweep_point_path(dir, i, path, sizeof path, NULL) == COB_OK && stat(path, &st) == 0 &&
                     S_ISREG(st.st_mode);
        missing += !present[i];
    }
    return missing;
}

/* ---- running a point ------------------------------------------------------------------------ */

static void fill_result(cob_sweep_point_result *res, const cob_stats *s, const cob_sim_timing *t, cob_status run_st)
{
    res->n_pops = s->n_pops;
    for (int k = 0; k < s->n_pops; k++) {
        snprintf(res->pop_name[k], COB_NAME_MAX, "%s", s->pop[k].name);
        res->rate_hz[k] = s->pop[k].mean_rate_hz;
    }
    res->wall_s = t->build_s + t->init_s + t->run_s;
    res->run_status = run_st;
}

/* Simulate config c and write its file at res->path. */
static cob_status run_config(const cob_config *c, const cob_sim_options *opt, const cob_run_meta *meta,
                             cob_sweep_point_result *res, cob_err *err)
{
    cob_stats s;
    cob_sim_timing t;
    cob_status st = cob_sim_run(c, opt, &s, &t, err);
    if (st != COB_OK && !(st == COB_ERR_OVERFLOW && cob_stats_overflowed(&s))) /* no results to write */
        return st;
    cob_status run_st = st;
    cob_run_meta m = *meta;
    cob_theory_summary th;
    cob_err th_err = {COB_OK, ""};
    m.theory = cob_output_theory(c, &s, &th, &th_err) == COB_OK ? &th : NULL;
    m.backend = t.backend_name;
    m.seed = c->run.seed;
    m.config_path = c->path;
    st = cob_output_write_h5(res->path, c, &s, &t, &m, err);
    fill_result(res, &s, &t, run_st);
    cob_stats_free(&s);
    return st;
}

cob_status cob_sweep_run_point(const cob_sweep *sw, int64_t i, const char *dir, const cob_sim_options *opt,
                               const cob_run_meta *meta, cob_sweep_point_result *res, cob_err *err)
{
    cob_sweep_point p;
    cob_config c;
    memset(res, 0, sizeof *res);
    cob_status st = cob_sweep_point_path(dir, i, res->path, sizeof res->path, err);
    if (st == COB_OK)
        st = make_dir(dir, err);
    if (st == COB_OK)
        st = cob_sweep_point_make(sw, i, &p, err);
    if (st != COB_OK)
        return st;
    st = cob_sweep_point_config(sw, &p, &c, err);
    if (st == COB_OK && cob__sweep_point_complete(res->path, c.text)) {
        res->kept = 1;
        cob_config_free(&c);
    } else if (st == COB_OK) {
        st = run_config(&c, opt, meta, res, err);
        cob_config_free(&c);
    }
    cob_sweep_point_free(&p);
    return st;
}
