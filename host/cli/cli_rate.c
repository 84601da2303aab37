/* host/cli/cli_rate.c -- `cobalt rate CONFIG [--out FILE | --no-out] [--set key=value ...]`: runs a
 * rate model (include/cobalt/rate.h, docs/rate.md), writes its HDF5 file and prints one line of
 * JSON (fixed points, stability and linear response per epoch; the Hopf point; the ring's closed
 * forms). Pairs with host/cli/cli_cmds.h (declaration) and host/cli/cli.c (dispatch). Exit codes
 * as for run (README.md): 1 usage, 2 config, 3 I/O, 4 memory. Limits: the JSON line lists every
 * population's fixed point, so it grows with a ring's units (the ring prints its closed forms
 * and the largest rate instead). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cobalt/rate.h"
#include "cobalt_version.h"
#include "cli/cli_cmds.h"
#include "cli/cli_util.h"
#include "util/publish.h"

typedef struct {
    const char *config, *out;
    const char *sets[COB_CLI_MAX_SETS + 1];
    int n_sets, no_out, help;
} rate_args;

static void rate_usage(FILE *f)
{
    fprintf(f, "usage: " COB_CLI_SYNOPSIS_RATE
               "Integrates a rate model (populations with threshold-linear or power-law f, or seed 003's\n"
               "ring; docs/rate.md), finds the fixed point of every input epoch, its linear response and\n"
               "stability; writes an HDF5 file (default <config stem>_rate.h5) and one line of JSON.\n");
}

static int parse(int argc, char **argv, rate_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; ++i) {
        const char *o = argv[i];
        int has_val = i + 1 < argc;
        if (!strcmp(o, "--out") && has_val)
            a->out = argv[++i];
        else if (!strcmp(o, "--no-out"))
            a->no_out = 1;
        else if (!strcmp(o, "--set") && has_val) {
            if (!cob__cli_add_set(a->sets, &a->n_sets, argv[++i]))
                return 0;
        } else if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            a->help = 1;
            return 1;
        } else if (o[0] == '-' && o[1] != '\0')
            return cob__cli_bad_option(o, "");
        else if (!cob__cli_config_arg(&a->config, o))
            return 0;
    }
    if (!cob__cli_check_out(a->out, a->no_out))
        return 0;
    return cob__cli_need_config(a->config);
}

/* --out, or <config stem>_rate.h5 in the current directory; checked before the run. Returns 0
 * or an exit code after a message. */
static int check_out(const rate_args *a, char *out, size_t len)
{
    cob__publish_target t;
    cob_err err = {COB_OK, ""};
    struct stat so, sc;
    if (a->no_out)
        return 0;
    if (a->out)
        snprintf(out, len, "%s", a->out);
    else {
        const char *base = strrchr(a->config, '/');
        char stem[512];
        snprintf(stem, sizeof stem, "%s", base ? base + 1 : a->config);
        char *dot = strrchr(stem, '.');
        if (dot)
            *dot = '\0';
        snprintf(out, len, "%s_rate.h5", stem[0] ? stem : "cobalt");
    }
    if (cob__publish_target_of(out, &t, &err) != COB_OK)
        return cob__cli_fail(err.status, &err);
    if (stat(t.path, &so) == 0 && stat(a->config, &sc) == 0 && so.st_dev == sc.st_dev && so.st_ino == sc.st_ino) {
        fprintf(stderr, "cobalt: --out '%s' is the config file %s: choose another result path\n", out, a->config);
        return 1;
    }
    return 0;
}

/* A finite number, or null (JSON has no NaN or infinity). */
static void jnum(double v)
{
    if (isfinite(v))
        printf("%.10g", v);
    else
        printf("null");
}

static void jvec(const double *v, int n)
{
    printf("[");
    for (int i = 0; i < n; ++i) {
        if (i)
            printf(",");
        jnum(v[i]);
    }
    printf("]");
}

static void print_epochs(const cob_rate_model *m, const cob_rate_result *r)
{
    int n = m->n, ring = m->ring.n > 0;
    printf(",\"epochs\":[");
    for (int e = 0; e < r->n_epochs; ++e) {
        const cob_rate_stability *s = &r->epoch_st[e];
        const double *fp = r->epoch_fp + (size_t)e * n;
        printf("%s{\"t_ms\":", e ? "," : "");
        jnum(r->epoch_t_ms[e]);
        printf(",\"fixed_point_ok\":%s", r->epoch_fp_ok[e] ? "true" : "false");
        if (ring) {
            double mx = 0.0, mean = 0.0;
            for (int i = 0; i < n; ++i) {
                mx = fmax(mx, fp[i]);
                mean += fp[i] / n;
            }
            printf(",\"fixed_point_mean_hz\":");
            jnum(mean);
            printf(",\"fixed_point_max_hz\":");
            jnum(mx);
        } else {
            printf(",\"fixed_point_hz\":");
            jvec(fp, n);
            printf(",\"gain\":");
            jvec(r->epoch_b + (size_t)e * n, n);
            printf(",\"L\":[");
            for (int i = 0; i < n; ++i) {
                printf(i ? "," : "");
                jvec(r->epoch_L + (size_t)e * n * n + (size_t)i * n, n);
            }
            printf("]");
        }
        printf(",\"stable\":%s,\"oscillatory\":%s,\"max_re_per_ms\":", s->stable ? "true" : "false",
               s->oscillatory ? "true" : "false");
        jnum(s->max_re_per_ms);
        printf(",\"lead_freq_hz\":");
        jnum(s->lead_im_per_ms * 1000.0 / (2.0 * COB_RATE_PI));
        printf(",\"paper_measure\":");
        jnum(s->paper_measure);
        printf("}");
    }
    printf("]");
}

static void print_summary(const char *out, const cob_rate_model *m, const cob_rate_result *r)
{
    printf("{\"status\":\"ok\",\"out\":");
    cob__cli_json_str(stdout, out);
    printf(",\"commit\":");
    cob__cli_json_str(stdout, COBALT_COMMIT);
    printf(",\"model\":\"%s\",\"n\":%d,\"t_ms\":", m->ring.n > 0 ? "ring" : "populations", m->n);
    jnum(m->t_ms);
    if (m->ring.n == 0) {
        printf(",\"names\":[");
        for (int i = 0; i < m->n; ++i) {
            printf(i ? "," : "");
            cob__cli_json_str(stdout, m->names[i]);
        }
        printf("],\"input\":");
        jvec(m->input, m->n);
    }
    print_epochs(m, r);
    if (m->hopf_pop >= 0) {
        printf(",\"hopf\":{\"pop\":");
        cob__cli_json_str(stdout, m->names[m->hopf_pop]);
        printf(",\"tau_ms\":");
        jnum(r->hopf_tau_ms);
        printf(",\"freq_hz\":");
        jnum(r->hopf_freq_hz);
        printf("}");
    }
    if (m->ring.n > 0) {
        const cob_rate_ring_theory *t = &r->ring;
        printf(",\"ring\":{\"m0_uniform_hz\":");
        jnum(t->m0_uniform);
        printf(",\"uniform_stable\":%s,\"lambda0_per_ms\":", t->uniform_stable ? "true" : "false");
        jnum(t->lambda0);
        printf(",\"lambda1_per_ms\":");
        jnum(t->lambda1);
        printf(",\"amplification\":");
        jnum(t->amplification);
        printf(",\"bounded\":%s,\"theta_c_rad\":", t->bounded ? "true" : "false");
        jnum(t->theta_c);
        printf(",\"profile_a_hz\":");
        jnum(t->a);
        printf(",\"r0_hz\":");
        jnum(t->r0);
        printf(",\"r1_hz\":");
        jnum(t->r1);
        printf("}");
    }
    printf(",\"run_s\":");
    jnum(r->run_s);
    printf("}\n");
}

int cob_cli_rate(int argc, char **argv)
{
    rate_args a;
    char out[4096] = "";
    if (!parse(argc, argv, &a)) {
        rate_usage(stderr);
        return 1;
    }
    if (a.help) {
        rate_usage(stdout);
        return 0;
    }
    cob_rate_model m;
    cob_rate_result r = {0};
    cob_err err = {COB_OK, ""};
    cob_status st = cob_rate_load(&m, a.config, a.sets, a.n_sets, &err);
    if (st != COB_OK)
        return cob__cli_fail(st, &err);
    int rc = check_out(&a, out, sizeof out);
    if (rc != 0) {
        cob_rate_free(&m);
        return rc;
    }
    st = cob_rate_run(&m, &r, &err);
    if (st == COB_OK && !a.no_out)
        st = cob_rate_write_h5(out, a.config, COBALT_VERSION, COBALT_COMMIT, &m, &r, &err);
    if (st == COB_OK)
        print_summary(a.no_out ? NULL : out, &m, &r);
    cob_rate_result_free(&r);
    cob_rate_free(&m);
    return st == COB_OK ? 0 : cob__cli_fail(st, &err);
}
