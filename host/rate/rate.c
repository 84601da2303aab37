/* host/rate/rate.c -- the rate model's dynamics and analysis (include/cobalt/rate.h): transfer
 * functions, RK4, inputs back-computed from target rates, fixed points by damped Newton,
 * linearisation (gains, L, both stability measures), the Hopf search in one tau, and a whole run
 * with its epochs. Pairs with host/rate/rate_ring.c (the ring), rate_linalg.c (inverse,
 * eigenvalues), rate_config.c (YAML), rate_output.c (HDF5); docs/rate.md.
 * Limits: dense n x n algebra at every epoch (n up to COB_RATE_MAX_RING); the integrator is
 * RK4 with a fixed step (docs/rate.md says why: the power-law f is not linear between steps, so
 * an exponential-Euler step would be exact only for the threshold-linear case). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cobalt/rate.h"

double cob_rate_f_eval(const cob_rate_f *f, double x)
{
    double u = x - f->threshold;
    if (u <= 0.0)
        return 0.0;
    return f->type == COB_RATE_F_LINEAR ? f->k * u : f->k * pow(u, f->n);
}

double cob_rate_f_deriv(const cob_rate_f *f, double x)
{
    double u = x - f->threshold;
    if (u <= 0.0)
        return 0.0;
    return f->type == COB_RATE_F_LINEAR ? f->k : f->k * f->n * pow(u, f->n - 1.0);
}

cob_status cob_rate_alloc(cob_rate_model *m, int n, cob_err *err)
{
    memset(m, 0, sizeof *m);
    if (n < 1 || n > COB_RATE_MAX_RING)
        return cob_err_set(err, COB_ERR_INVALID, "rate model of %d populations (allowed 1 .. %d)", n,
                           COB_RATE_MAX_RING);
    m->n = n;
    m->names = calloc((size_t)n, sizeof *m->names);
    m->tau_ms = calloc((size_t)n, sizeof(double));
    m->input = calloc((size_t)n, sizeof(double));
    m->r0_hz = calloc((size_t)n, sizeof(double));
    m->target_hz = calloc((size_t)n, sizeof(double));
    m->f = calloc((size_t)n, sizeof *m->f);
    m->w = calloc((size_t)n * n, sizeof(double));
    if (!m->names || !m->tau_ms || !m->input || !m->r0_hz || !m->target_hz || !m->f || !m->w) {
        cob_rate_free(m);
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory for a rate model of %d populations", n);
    }
    for (int i = 0; i < n; ++i) {
        m->tau_ms[i] = 10.0;
        m->target_hz[i] = -1.0;
        m->f[i] = (cob_rate_f){COB_RATE_F_LINEAR, 1.0, 1.0, 0.0};
    }
    m->dt_ms = 0.01;
    m->t_ms = 100.0;
    m->record_ms = 0.1;
    m->hopf_pop = -1;
    return COB_OK;
}

void cob_rate_free(cob_rate_model *m)
{
    free(m->names);
    free(m->tau_ms);
    free(m->input);
    free(m->r0_hz);
    free(m->target_hz);
    free(m->f);
    free(m->w);
    free(m->text);
    memset(m, 0, sizeof *m);
}

cob_status cob_rate_backcompute(cob_rate_model *m, cob_err *err)
{
    int n = m->n;
    for (int i = 0; i < n; ++i) {
        if (m->target_hz[i] < 0.0)
            continue;
        if (m->target_hz[i] == 0.0)
            return cob_err_set(err, COB_ERR_INVALID,
                               "population %s: target rate 0 does not determine its input (allowed: > 0)", m->names[i]);
        const cob_rate_f *f = &m->f[i];
        double p = f->type == COB_RATE_F_LINEAR ? 1.0 : f->n;
        double x = f->threshold + pow(m->target_hz[i] / f->k, 1.0 / p), rec = 0.0;
        for (int j = 0; j < n; ++j) {
            double rj = m->target_hz[j] >= 0.0 ? m->target_hz[j] : m->r0_hz[j];
            rec += m->w[i * n + j] * rj;
        }
        m->input[i] = x - rec;
    }
    return COB_OK;
}

void cob_rate_deriv(const cob_rate_model *m, const double *in, const double *r, double *drdt)
{
    int n = m->n;
    for (int i = 0; i < n; ++i) {
        double x = in[i];
        const double *wi = m->w + (size_t)i * n;
        for (int j = 0; j < n; ++j) x += wi[j] * r[j];
        drdt[i] = (-r[i] + cob_rate_f_eval(&m->f[i], x)) / m->tau_ms[i];
    }
}

void cob_rate_rk4_step(const cob_rate_model *m, const double *in, double *r, double dt_ms, double *work)
{
    int n = m->n;
    double *k1 = work, *k2 = work + n, *k3 = work + 2 * n, *k4 = work + 3 * n, *y = work + 4 * n;
    cob_rate_deriv(m, in, r, k1);
    for (int i = 0; i < n; ++i) y[i] = r[i] + 0.5 * dt_ms * k1[i];
    cob_rate_deriv(m, in, y, k2);
    for (int i = 0; i < n; ++i) y[i] = r[i] + 0.5 * dt_ms * k2[i];
    cob_rate_deriv(m, in, y, k3);
    for (int i = 0; i < n; ++i) y[i] = r[i] + dt_ms * k3[i];
    cob_rate_deriv(m, in, y, k4);
    for (int i = 0; i < n; ++i) r[i] += dt_ms / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

/* Gains b_i = f_i'(W r + in) at r. */
static void gains(const cob_rate_model *m, const double *in, const double *r, double *b)
{
    int n = m->n;
    for (int i = 0; i < n; ++i) {
        double x = in[i];
        for (int j = 0; j < n; ++j) x += m->w[(size_t)i * n + j] * r[j];
        b[i] = cob_rate_f_deriv(&m->f[i], x);
    }
}

/* Leading eigenvalue (largest real part; among equal ones, the positive imaginary part). */
static void leading(const double *re, const double *im, int n, double *lre, double *lim)
{
    int k = 0;
    for (int i = 1; i < n; ++i)
        if (re[i] > re[k] + 1e-12 * (1.0 + fabs(re[k])) ||
            (fabs(re[i] - re[k]) <= 1e-12 * (1.0 + fabs(re[k])) && im[i] > im[k]))
            k = i;
    *lre = re[k];
    *lim = fabs(im[k]);
}

/* The paper's measure: max Re eig(W - B^-1) over the populations with b > 0. */
static cob_status paper_measure(const cob_rate_model *m, const double *b, double *work, double *re, double *im,
                                double *out, cob_err *err)
{
    int n = m->n, na = 0, idx[COB_RATE_MAX_RING];
    for (int i = 0; i < n; ++i)
        if (b[i] > 0.0)
            idx[na++] = i;
    *out = -INFINITY;
    if (na == 0)
        return COB_OK;
    for (int a = 0; a < na; ++a)
        for (int c = 0; c < na; ++c)
            work[a * na + c] = m->w[(size_t)idx[a] * n + idx[c]] - (a == c ? 1.0 / b[idx[a]] : 0.0);
    cob_status st = cob_rate_eig(work, na, re, im, err);
    if (st != COB_OK)
        return st;
    for (int a = 0; a < na; ++a)
        if (re[a] > *out)
            *out = re[a];
    return COB_OK;
}

cob_status cob_rate_linearize(const cob_rate_model *m, const double *in, const double *r, double *b_out, double *L,
                              double *eig_re, double *eig_im, cob_rate_stability *st_out, cob_err *err)
{
    int n = m->n;
    size_t nn = (size_t)n * n;
    double *buf = malloc((2 * nn + 5 * (size_t)n) * sizeof *buf);
    if (!buf)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory linearising a rate model of %d populations", n);
    double *a = buf, *j = buf + nn, *b = j + nn, *re = b + n, *im = re + n, *re2 = im + n, *im2 = re2 + n;
    gains(m, in, r, b);
    cob_status st = COB_OK;
    /* Jacobian T^-1 (BW - 1) */
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < n; ++k) j[(size_t)i * n + k] = (b[i] * m->w[(size_t)i * n + k] - (i == k)) / m->tau_ms[i];
    cob_rate_stability s = {0};
    st = cob_rate_eig(j, n, re, im, err);
    if (st == COB_OK) {
        leading(re, im, n, &s.max_re_per_ms, &s.lead_im_per_ms);
        s.stable = s.max_re_per_ms < 0.0;
        s.oscillatory = s.lead_im_per_ms > 1e-12 * (1.0 + fabs(s.max_re_per_ms));
        st = paper_measure(m, b, a, re2, im2, &s.paper_measure, err);
    }
    if (st == COB_OK && L) { /* L = (1 - BW)^-1 B */
        for (int i = 0; i < n; ++i)
            for (int k = 0; k < n; ++k) a[(size_t)i * n + k] = (i == k) - b[i] * m->w[(size_t)i * n + k];
        if (cob_rate_invert(a, n, err) != COB_OK) {
            for (size_t q = 0; q < nn; ++q) L[q] = NAN;
            st = COB_ERR_INVALID;
        } else
            for (int i = 0; i < n; ++i)
                for (int k = 0; k < n; ++k) L[(size_t)i * n + k] = a[(size_t)i * n + k] * b[k];
    }
    if (b_out)
        memcpy(b_out, b, (size_t)n * sizeof *b);
    if (eig_re)
        memcpy(eig_re, re, (size_t)n * sizeof *re);
    if (eig_im)
        memcpy(eig_im, im, (size_t)n * sizeof *im);
    if (st_out)
        *st_out = s;
    free(buf);
    return st;
}

/* |F|_inf of F(r) = -r + f(W r + in), into F. */
static double residual(const cob_rate_model *m, const double *in, const double *r, double *F)
{
    double mx = 0.0;
    for (int i = 0; i < m->n; ++i) {
        double x = in[i];
        for (int j = 0; j < m->n; ++j) x += m->w[(size_t)i * m->n + j] * r[j];
        F[i] = -r[i] + cob_rate_f_eval(&m->f[i], x);
        if (fabs(F[i]) > mx)
            mx = fabs(F[i]);
    }
    return mx;
}

static double max_abs(const double *v, int n)
{
    double mx = 0.0;
    for (int i = 0; i < n; ++i)
        if (fabs(v[i]) > mx)
            mx = fabs(v[i]);
    return mx;
}

/* Threshold-linear networks: every fixed point is the solution of one linear system, that of its
 * active set S: (1 - K W_SS) r_S = K (in_S - th_S), r_S > 0, and every unit outside S below its
 * threshold. All 2^n sets are tried and the fixed point nearest to r is kept (so an unstable
 * one is found too, which Newton from a poor start may miss). 1: found (r replaced). */
static int linear_fixed_point(const cob_rate_model *m, const double *in, double *r, double *a)
{
    int n = m->n, found = 0, idx[12];
    double best = INFINITY, keep[12];
    for (unsigned set = 0; set < (1u << n); ++set) {
        int na = 0;
        for (int i = 0; i < n; ++i)
            if (set & (1u << i))
                idx[na++] = i;
        for (int p = 0; p < na; ++p)
            for (int q = 0; q < na; ++q) a[p * na + q] = (p == q) - m->f[idx[p]].k * m->w[idx[p] * n + idx[q]];
        if (na > 0 && cob_rate_invert(a, na, NULL) != COB_OK)
            continue;
        double y[12] = {0};
        int ok = 1;
        for (int p = 0; p < na && ok; ++p) {
            for (int q = 0; q < na; ++q)
                y[idx[p]] += a[p * na + q] * m->f[idx[q]].k * (in[idx[q]] - m->f[idx[q]].threshold);
            ok = y[idx[p]] > 0.0;
        }
        for (int i = 0; i < n && ok; ++i) { /* the silent units stay at or below threshold */
            if (set & (1u << i))
                continue;
            double u = in[i];
            for (int j = 0; j < n; ++j) u += m->w[i * n + j] * y[j];
            ok = u <= m->f[i].threshold;
        }
        if (!ok)
            continue;
        double d = 0.0;
        for (int i = 0; i < n; ++i) d += (y[i] - r[i]) * (y[i] - r[i]);
        if (d < best) {
            best = d;
            memcpy(keep, y, (size_t)n * sizeof *y);
            found = 1;
        }
    }
    if (found)
        memcpy(r, keep, (size_t)n * sizeof *r);
    return found;
}

cob_status cob_rate_fixed_point(const cob_rate_model *m, const double *in, double *r, cob_err *err)
{
    int n = m->n;
    size_t nn = (size_t)n * n;
    double *buf = malloc((nn + 4 * (size_t)n) * sizeof *buf);
    if (!buf)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory for a fixed point of %d populations", n);
    double *a = buf, *F = a + nn, *b = F + n, *dr = b + n, *rt = dr + n;
    cob_status st = COB_ERR_INVALID;
    int all_linear = n <= 12;
    for (int i = 0; i < n; ++i) all_linear &= m->f[i].type == COB_RATE_F_LINEAR;
    if (all_linear)
        linear_fixed_point(m, in, r, a);
    double res = residual(m, in, r, F);
    for (int it = 0; it < 200; ++it) {
        if (res < 1e-12 * (1.0 + max_abs(r, n))) {
            st = COB_OK;
            break;
        }
        gains(m, in, r, b);
        for (int i = 0; i < n; ++i) /* dF/dr = BW - 1; Newton: dr = (1 - BW)^-1 F */
            for (int k = 0; k < n; ++k) a[(size_t)i * n + k] = (i == k) - b[i] * m->w[(size_t)i * n + k];
        if (cob_rate_invert(a, n, err) != COB_OK)
            break;
        for (int i = 0; i < n; ++i) {
            dr[i] = 0.0;
            for (int k = 0; k < n; ++k) dr[i] += a[(size_t)i * n + k] * F[k];
        }
        /* damped: halve the step until the residual falls (rates stay >= 0: f >= 0) */
        double lam = 1.0, rn = res;
        for (int h = 0; h < 30; ++h, lam *= 0.5) {
            for (int i = 0; i < n; ++i) rt[i] = fmax(0.0, r[i] + lam * dr[i]);
            rn = residual(m, in, rt, F);
            if (rn < res)
                break;
        }
        memcpy(r, rt, (size_t)n * sizeof *r);
        res = residual(m, in, r, F);
    }
    free(buf);
    if (st != COB_OK)
        cob_err_set(err, COB_ERR_INVALID, "fixed point: Newton did not converge (residual %.3g Hz)", res);
    return st;
}

cob_status cob_rate_hopf_tau(const cob_rate_model *m, const double *in, const double *r, int pop, double lo_ms,
                             double hi_ms, double *tau_ms, double *freq_hz, cob_err *err)
{
    cob_rate_model c = *m; /* shares every array but tau */
    double *tau = malloc((size_t)m->n * sizeof *tau);
    if (!tau)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory for the Hopf search");
    memcpy(tau, m->tau_ms, (size_t)m->n * sizeof *tau);
    c.tau_ms = tau;
    cob_rate_stability s_lo, s_hi, s;
    cob_status st;
    tau[pop] = lo_ms;
    if ((st = cob_rate_linearize(&c, in, r, NULL, NULL, NULL, NULL, &s_lo, err)) != COB_OK)
        goto out;
    tau[pop] = hi_ms;
    if ((st = cob_rate_linearize(&c, in, r, NULL, NULL, NULL, NULL, &s_hi, err)) != COB_OK)
        goto out;
    if ((s_lo.max_re_per_ms < 0.0) == (s_hi.max_re_per_ms < 0.0)) {
        st = cob_err_set(err, COB_ERR_INVALID,
                         "Hopf search in tau of %s: the leading eigenvalue's real part has one sign on [%g, %g] ms",
                         m->names[pop], lo_ms, hi_ms);
        goto out;
    }
    double a = lo_ms, b = hi_ms;
    while (b - a > 1e-10) {
        tau[pop] = 0.5 * (a + b);
        if ((st = cob_rate_linearize(&c, in, r, NULL, NULL, NULL, NULL, &s, err)) != COB_OK)
            goto out;
        if ((s.max_re_per_ms < 0.0) == (s_lo.max_re_per_ms < 0.0))
            a = tau[pop];
        else
            b = tau[pop];
    }
    tau[pop] = 0.5 * (a + b);
    if ((st = cob_rate_linearize(&c, in, r, NULL, NULL, NULL, NULL, &s, err)) != COB_OK)
        goto out;
    if (!s.oscillatory) {
        st = cob_err_set(
            err, COB_ERR_INVALID,
            "Hopf search in tau of %s: the crossing at %g ms is a real eigenvalue (a saddle-node, not a Hopf point)",
            m->names[pop], tau[pop]);
        goto out;
    }
    *tau_ms = tau[pop];
    *freq_hz = s.lead_im_per_ms * 1000.0 / (2.0 * COB_RATE_PI);
out:
    free(tau);
    return st;
}
