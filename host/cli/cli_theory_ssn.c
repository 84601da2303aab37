/* host/cli/cli_theory_ssn.c -- the seed 001 part of `cobalt theory` for a config of two white-noise
 * current-based populations: the power-law fits and the regime facts at the ratio r (text), or
 * --mu-scan (CSV method,mu_E,mu_I,branch,r_E,r_I,stable,isn), --regime-map (CSV
 * mu_E,ratio,regime) or --target (a YAML fragment of the two noise-mean schedules). Pairs with
 * host/cli/cli_theory.c (options, dispatch), include/cobalt/theory.h (cob_ssn_*), docs/theory.md
 * ("Seed 001"). Deliberate limits: states searched up to COB_CLI_SSN_RMAX_HZ; the facts over the
 * config's mu range (0 to the E schedule's largest value, 100 mV/s when that is <= 0). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cobalt/cobalt.h"
#include "cobalt/theory.h"
#include "cli/cli_cmds.h"
#include "cli/cli_util.h"

#define COB_CLI_SSN_RMAX_HZ 1000.0
#define SSN_MAX_TARGET 100000

int cob__cli_parse_range(const char *s, double *lo, double *hi, int *n)
{
    char *end;
    long v;
    *lo = strtod(s, &end);
    if (end == s || *end != ':')
        return 0;
    s = end + 1;
    *hi = strtod(s, &end);
    if (end == s || *end != ':')
        return 0;
    s = end + 1;
    v = strtol(s, &end, 10);
    if (end == s || *end || v < 1 || v > 100000 || !isfinite(*lo) || !isfinite(*hi) || (v == 1 && *lo != *hi) ||
        *hi < *lo)
        return 0;
    *n = (int)v;
    return 1;
}

static double grid_at(double lo, double hi, int n, int i)
{
    return n > 1 ? lo + (hi - lo) * i / (n - 1) : lo;
}

static void print_fit(const char *who, const cob_theory_powerlaw *f, double tau_s)
{
    printf("  %s: tau = %g ms: nu = a [mu - b]_+^n, a = %.6g Hz (mV/s)^-n, b = %.6g mV/s, n = %.6g (rms %.3g Hz "
           "over %d points)\n",
           who, tau_s * 1e3, f->a, f->b, f->n, f->rms_hz, f->n_points);
}

static void print_rate(const char *what, double v)
{
    if (isinf(v))
        printf("%s: never\n", what);
    else
        printf("%s: %.6g Hz\n", what, v);
}

static void print_facts(const char *path, const cob_ssn *s, const cob_config *c, int e, const cob__ssn_opts *o,
                        double ratio)
{
    const cob_sched_spec *ms = &c->pops[e].noise.mu_mV_per_s;
    cob_ssn_facts f;
    double lo = 0.0, hi = 0.0;
    int k;
    for (k = 0; k < ms->n; ++k) { /* the config's mu range, from 0 */
        lo = fmin(lo, ms->value[k]);
        hi = fmax(hi, ms->value[k]);
    }
    if (!(hi > lo))
        hi = lo + 100.0;
    printf("%s: seed 001's SSN (tau_X dr_X/dt = -r_X + f_X(mu_X + sum_Y J_XY r_Y); docs/theory.md \"Seed 001\")\n",
           path);
    printf("power laws of Phi(mu; sigma, tau) below %g Hz:\n", o->fit_max_hz);
    print_fit("E", &s->f[0], s->tau_s[0]);
    print_fit("I", &s->f[1], s->tau_s[1]);
    printf("J (mV): EE %.6g, EI %.6g, IE %.6g, II %.6g; det J = %.6g\n", s->J_mV[0][0], s->J_mV[0][1], s->J_mV[1][0],
           s->J_mV[1][1], cob_ssn_det_j(s));
    printf("ratio r = mu_I/mu_E = %g; facts for mu_E in [%g, %g] mV/s, states up to %g Hz\n", ratio, lo, hi,
           COB_CLI_SSN_RMAX_HZ);
    cob_ssn_regime_facts(s, ratio, lo, hi, 401, COB_CLI_SSN_RMAX_HZ, &f);
    print_rate("ISN threshold (gain_E J_EE > 1) nu_E", f.isn_rate_hz);
    if (isnan(f.isn_mu))
        printf("  no stable ISN state in the range\n");
    else
        printf("  first stable ISN state at mu_E = %.6g mV/s\n", f.isn_mu);
    printf("supersaturation: r > J_II/J_EI = %.6g: %s", s->J_mV[0][1] != 0.0 ? s->J_mV[1][1] / s->J_mV[0][1] : NAN,
           isinf(f.ss_rate_hz) ? "no (impossible at this r)\n" : "yes; ");
    if (!isinf(f.ss_rate_hz)) {
        printf("d nu_E/d mu < 0 once nu_I > %.6g Hz (g_I (J_II - r J_EI) > 1)\n", f.ss_rate_hz);
        if (isnan(f.peak_mu))
            printf("  no E-rate peak on the lowest stable branch in the range\n");
        else
            printf("  E-rate peak at mu_E = %.6g mV/s: nu_E = %.6g Hz, nu_I = %.6g Hz\n", f.peak_mu, f.peak_r_e_hz,
                   f.peak_r_i_hz);
    }
    printf("folds (F = F' = 0): %d", f.n_folds);
    for (k = 0; k < f.n_folds && k < 8; ++k)
        printf("%s mu_E = %.6g mV/s (r_E = %.4g Hz)", k ? ";" : "", f.fold_mu[k], f.fold_r_e_hz[k]);
    printf("\n");
    if (isnan(f.bistable_lo))
        printf("bistability window: none in the range\n");
    else
        printf("bistability window: mu_E in [%.6g, %.6g] mV/s (two stable states)\n", f.bistable_lo, f.bistable_hi);
    printf("balanced limit nu = -J^-1 (1, r) mu: slopes %.6g, %.6g Hz per mV/s: %s, %s (det J %s 0)\n", f.bal_slope[0],
           f.bal_slope[1], f.bal_exists ? "exists" : "does not exist (a rate would be negative)",
           f.bal_stable ? "stable" : "unstable", f.bal_stable ? ">" : "<=");
    printf("regime at the config's mu_E = %g mV/s: %s\n", s->mu[0],
           cob_ssn_regime_name(cob_ssn_classify(s, s->mu[0], ratio, COB_CLI_SSN_RMAX_HZ)));
}

static FILE *open_out(const cob__ssn_opts *o)
{
    FILE *f = o->csv ? fopen(o->csv, "w") : stdout;
    if (!f)
        fprintf(stderr, "cobalt: error: --csv '%s': cannot open for writing\n", o->csv);
    return f;
}

static int close_out(const cob__ssn_opts *o, FILE *f)
{
    if (f != stdout && fclose(f) != 0) {
        fprintf(stderr, "cobalt: error: --csv '%s': write failed\n", o->csv);
        return 3;
    }
    return 0;
}

static int mu_scan(const cob_ssn *s, const cob_theory_ei *ei, const cob__ssn_opts *o, double ratio)
{
    int n = o->scan_n, m, k, rc;
    double *mu = malloc((size_t)n * 2 * sizeof *mu);
    cob_ssn_row *rows = malloc((size_t)n * 16 * sizeof *rows);
    FILE *f;
    if (!mu || !rows) {
        free(mu);
        free(rows);
        fprintf(stderr, "cobalt: error: out of memory for %d mu values\n", n);
        return 2;
    }
    if (!(f = open_out(o))) {
        free(mu);
        free(rows);
        return 3;
    }
    /* mu[0..n): the scanned input; mu[n..2n): the other (both: mu_I = r mu_E; E or I alone: the
     * other population's input held at the config's final value, s->mu) */
    for (k = 0; k < n; ++k) {
        double x = grid_at(o->scan_lo, o->scan_hi, n, k);
        mu[k] = o->scan_pop == 2 ? s->mu[0] : x;
        mu[n + k] = o->scan_pop == 0 ? ratio * x : o->scan_pop == 1 ? s->mu[1] : x;
    }
    fprintf(f, "method,mu_E,mu_I,branch,r_E,r_I,stable,isn\n");
    for (int method = 0; method < 2; ++method) {
        m = cob_ssn_scan_line(s, ei, (cob_ssn_method)method, mu, mu + n, n, COB_CLI_SSN_RMAX_HZ, rows, n * 16);
        for (k = 0; k < m && k < n * 16; ++k)
            fprintf(f, "%s,%.10g,%.10g,%d,%.10g,%.10g,%d,%d\n", method ? "phi_sc" : "ssn", rows[k].mu[0], rows[k].mu[1],
                    rows[k].branch, rows[k].r_hz[0], rows[k].r_hz[1], rows[k].stable, rows[k].isn);
    }
    rc = close_out(o, f);
    free(mu);
    free(rows);
    return rc;
}

static int regime_map(const cob_ssn *s, const cob__ssn_opts *o)
{
    FILE *f = open_out(o);
    int i, j;
    if (!f)
        return 3;
    fprintf(f, "mu_E,ratio,regime\n");
    for (j = 0; j < o->map_nr; ++j)
        for (i = 0; i < o->map_nmu; ++i) {
            double mu = grid_at(o->map_mu_lo, o->map_mu_hi, o->map_nmu, i);
            double r = grid_at(o->map_r_lo, o->map_r_hi, o->map_nr, j);
            fprintf(f, "%.10g,%.10g,%s\n", mu, r, cob_ssn_regime_name(cob_ssn_classify(s, mu, r, COB_CLI_SSN_RMAX_HZ)));
        }
    return close_out(o, f);
}

/* Reads "t_ms,nu_E,nu_I" rows after one header line; returns the count, -1 on error (printed). */
static int read_target(const char *path, double *t_s, double *ne, double *ni, int max)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int n = 0, ln = 1;
    if (!f) {
        fprintf(stderr, "cobalt: error: --target '%s': cannot open\n", path);
        return -1;
    }
    if (!fgets(line, sizeof line, f) || strncmp(line, "t_ms,nu_E,nu_I", 14) != 0) {
        fprintf(stderr, "cobalt: error: %s: line 1: expected the header t_ms,nu_E,nu_I\n", path);
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        double t, a, b;
        char extra;
        ++ln;
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue;
        if (sscanf(line, "%lf,%lf,%lf %c", &t, &a, &b, &extra) != 3 || n >= max) {
            fprintf(stderr, "cobalt: error: %s: line %d: expected three numbers t_ms,nu_E,nu_I%s\n", path, ln,
                    n >= max ? " (too many rows)" : "");
            fclose(f);
            return -1;
        }
        t_s[n] = t * 1e-3;
        ne[n] = a;
        ni[n] = b;
        ++n;
    }
    fclose(f);
    return n;
}

static void print_sched(const char *name, const double *t_s, const double *mu, int m, int n_out, double sigma)
{
    int k;
    printf("- name: %s\n  noise: {mu_mV_per_s: [", name);
    for (k = 0; k < n_out; ++k) {
        int i = n_out > 1 ? (int)lround((double)k * (m - 1) / (n_out - 1)) : 0;
        printf("%s[%.10g, %.6g]", k ? ", " : "", t_s[i] * 1e3, mu[i]);
    }
    printf("], sigma_mV_per_sqrt_s: %g}\n", sigma);
}

static int target(const cob_config *c, const cob_ssn *s, const int pop[2], const cob__ssn_opts *o)
{
    double *buf = malloc(5 * (size_t)SSN_MAX_TARGET * sizeof *buf);
    double *t = buf, *ne = buf + SSN_MAX_TARGET, *ni = ne + SSN_MAX_TARGET, *me = ni + SSN_MAX_TARGET,
           *mi = me + SSN_MAX_TARGET;
    cob_err err = {COB_OK, ""};
    int m, clip = 0, n_out;
    if (!buf)
        return 2;
    if ((m = read_target(o->target, t, ne, ni, SSN_MAX_TARGET)) < 0) {
        free(buf);
        return 2;
    }
    if (cob_ssn_target(s, t, ne, ni, m, me, mi, &clip, &err) != COB_OK) {
        fprintf(stderr, "cobalt: error: %s: %s\n", o->target, err.msg);
        free(buf);
        return 2;
    }
    n_out = m > COB_SCHEDULE_MAX ? COB_SCHEDULE_MAX : m;
    if (n_out < m)
        fprintf(stderr, "cobalt: %d target points subsampled evenly to %d (a schedule holds at most %d)\n", m, n_out,
                COB_SCHEDULE_MAX);
    if (clip)
        fprintf(stderr,
                "cobalt: %d of %d points ask for nu + tau dnu/dt <= 0 (a silent population, or a fall faster "
                "than tau allows): mu set where f^-1 = b, the edge of the silent range\n",
                clip, 2 * m);
    printf("# cobalt theory --target %s: the drive that makes the SSN follow the target (docs/theory.md)\n", o->target);
    print_sched(c->pops[pop[0]].name, t, me, m, n_out, c->pops[pop[0]].noise.sigma_mV_per_sqrt_s.value[0]);
    print_sched(c->pops[pop[1]].name, t, mi, m, n_out, c->pops[pop[1]].noise.sigma_mV_per_sqrt_s.value[0]);
    free(buf);
    return 0;
}

int cob__cli_theory_ssn(const cob_config *c, const char *path, const cob__ssn_opts *o)
{
    cob_ssn s;
    cob_theory_ei ei;
    cob_err err = {COB_OK, ""};
    double ratio;
    int pop[2];
    cob_status st = cob_ssn_from_config(c, o->fit_max_hz, &s, &ei, &ratio, pop, &err);
    if (st != COB_OK)
        return cob__cli_fail(st, &err);
    if (!isnan(o->ratio))
        ratio = o->ratio;
    if (o->scan_n > 0)
        return mu_scan(&s, &ei, o, ratio);
    if (o->map_nmu > 0)
        return regime_map(&s, o);
    if (o->target)
        return target(c, &s, pop, o);
    print_facts(path, &s, c, pop[0], o, ratio);
    return 0;
}
