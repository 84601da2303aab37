/* host/rate/rate_run.c -- one run of a rate model (cob_rate_run, include/cobalt/rate.h): RK4 from
 * the initial rates with the step perturbations applied on the step grid, samples every
 * record_ms, then per epoch (the start, and each distinct step time) the fixed point with that
 * epoch's inputs (Newton from where the integration ended the epoch, else from the previous fixed
 * point), its linearisation, and for rings the closed forms. Pairs with host/rate/rate.c.
 * Limits: all samples are held in memory (n_rec x n doubles, twice). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cobalt/rate.h"
#include "util/clock.h"

void cob_rate_result_free(cob_rate_result *res)
{
    free(res->t_ms);
    free(res->r_hz);
    free(res->input_ts);
    free(res->epoch_t_ms);
    free(res->epoch_input);
    free(res->epoch_fp);
    free(res->epoch_b);
    free(res->epoch_L);
    free(res->epoch_eig_re);
    free(res->epoch_eig_im);
    free(res->epoch_end_r);
    free(res->epoch_st);
    free(res->epoch_fp_ok);
    memset(res, 0, sizeof *res);
}

/* Distinct step times in steps, ascending, into ks (returns how many). */
static int epoch_steps(const cob_rate_model *m, int64_t *ks)
{
    int ne = 0;
    for (int s = 0; s < m->n_steps; ++s) {
        int64_t k = llround(m->steps[s].t_ms / m->dt_ms);
        int seen = 0;
        for (int e = 0; e < ne; ++e) seen |= ks[e] == k;
        if (!seen)
            ks[ne++] = k;
    }
    for (int a = 1; a < ne; ++a) /* insertion sort: at most COB_RATE_MAX_STEPS */
        for (int b = a; b > 0 && ks[b - 1] > ks[b]; --b) {
            int64_t t = ks[b];
            ks[b] = ks[b - 1];
            ks[b - 1] = t;
        }
    return ne;
}

static cob_status alloc_result(cob_rate_result *res, int n, int n_rec, int ne, cob_err *err)
{
    size_t nn = (size_t)n * n, E = (size_t)ne;
    memset(res, 0, sizeof *res);
    res->n = n;
    res->n_rec = n_rec;
    res->n_epochs = ne;
    res->t_ms = malloc((size_t)n_rec * sizeof(double));
    res->r_hz = malloc((size_t)n_rec * n * sizeof(double));
    res->input_ts = malloc((size_t)n_rec * n * sizeof(double));
    res->epoch_t_ms = malloc(E * sizeof(double));
    res->epoch_input = malloc(E * n * sizeof(double));
    res->epoch_fp = malloc(E * n * sizeof(double));
    res->epoch_b = malloc(E * n * sizeof(double));
    res->epoch_L = malloc(E * nn * sizeof(double));
    res->epoch_eig_re = malloc(E * n * sizeof(double));
    res->epoch_eig_im = malloc(E * n * sizeof(double));
    res->epoch_end_r = malloc(E * n * sizeof(double));
    res->epoch_st = calloc(E, sizeof *res->epoch_st);
    res->epoch_fp_ok = calloc(E, sizeof(int));
    if (!res->t_ms || !res->r_hz || !res->input_ts || !res->epoch_t_ms || !res->epoch_input || !res->epoch_fp ||
        !res->epoch_b || !res->epoch_L || !res->epoch_eig_re || !res->epoch_eig_im || !res->epoch_end_r ||
        !res->epoch_st || !res->epoch_fp_ok) {
        cob_rate_result_free(res);
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory for %d samples of %d rates", n_rec, n);
    }
    res->hopf_tau_ms = res->hopf_freq_hz = NAN;
    return COB_OK;
}

/* Fixed point and linearisation of epoch e (inputs and end state already stored). */
static void analyse_epoch(const cob_rate_model *m, cob_rate_result *res, int e)
{
    int n = m->n;
    size_t nn = (size_t)n * n;
    const double *in = res->epoch_input + (size_t)e * n;
    double *fp = res->epoch_fp + (size_t)e * n;
    cob_err err = {0};
    memcpy(fp, res->epoch_end_r + (size_t)e * n, (size_t)n * sizeof *fp);
    int ok = cob_rate_fixed_point(m, in, fp, &err) == COB_OK;
    if (!ok && e > 0) {
        memcpy(fp, res->epoch_fp + (size_t)(e - 1) * n, (size_t)n * sizeof *fp);
        ok = cob_rate_fixed_point(m, in, fp, &err) == COB_OK;
    }
    res->epoch_fp_ok[e] = ok;
    if (cob_rate_linearize(m, in, fp, res->epoch_b + (size_t)e * n, res->epoch_L + (size_t)e * nn,
                           res->epoch_eig_re + (size_t)e * n, res->epoch_eig_im + (size_t)e * n, &res->epoch_st[e],
                           &err) != COB_OK)
        res->epoch_st[e].max_re_per_ms = NAN; /* singular 1 - BW: L is NaN, the flag says why */
}

cob_status cob_rate_run(const cob_rate_model *m, cob_rate_result *res, cob_err *err)
{
    int n = m->n;
    int64_t ks[COB_RATE_MAX_STEPS];
    int ne = epoch_steps(m, ks) + 1;
    int64_t n_total = llround(m->t_ms / m->dt_ms), rec = llround(m->record_ms / m->dt_ms);
    if (rec < 1)
        rec = 1;
    int n_rec = (int)(n_total / rec) + 1;
    cob_status st = alloc_result(res, n, n_rec, ne, err);
    if (st != COB_OK)
        return st;
    double *r = malloc((size_t)n * 7 * sizeof *r);
    if (!r) {
        cob_rate_result_free(res);
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory for the rate state");
    }
    double *in = r + n, *work = in + n;
    double t0 = cob__wall_s();
    memcpy(r, m->r0_hz, (size_t)n * sizeof *r);
    memcpy(in, m->input, (size_t)n * sizeof *in);
    res->epoch_t_ms[0] = 0.0;
    memcpy(res->epoch_input, in, (size_t)n * sizeof *in);
    int e = 0, i_rec = 0;
    for (int64_t k = 0;; ++k) {
        while (e + 1 < ne && ks[e] <= k) { /* epoch e + 1 starts at step ks[e] */
            memcpy(res->epoch_end_r + (size_t)e * n, r, (size_t)n * sizeof *r);
            for (int s = 0; s < m->n_steps; ++s)
                if (llround(m->steps[s].t_ms / m->dt_ms) == ks[e])
                    in[m->steps[s].pop] += m->steps[s].delta;
            ++e;
            res->epoch_t_ms[e] = ks[e - 1] * m->dt_ms;
            memcpy(res->epoch_input + (size_t)e * n, in, (size_t)n * sizeof *in);
        }
        if (k % rec == 0 && i_rec < n_rec) {
            res->t_ms[i_rec] = k * m->dt_ms;
            memcpy(res->r_hz + (size_t)i_rec * n, r, (size_t)n * sizeof *r);
            memcpy(res->input_ts + (size_t)i_rec * n, in, (size_t)n * sizeof *in);
            ++i_rec;
        }
        if (k == n_total)
            break;
        cob_rate_rk4_step(m, in, r, m->dt_ms, work);
    }
    /* epochs whose step lies past the end: never reached, analysed with their inputs anyway */
    for (int q = e + 1; q < ne; ++q) {
        for (int s = 0; s < m->n_steps; ++s)
            if (llround(m->steps[s].t_ms / m->dt_ms) == ks[q - 1])
                in[m->steps[s].pop] += m->steps[s].delta;
        res->epoch_t_ms[q] = ks[q - 1] * m->dt_ms;
        memcpy(res->epoch_input + (size_t)q * n, in, (size_t)n * sizeof *in);
        memcpy(res->epoch_end_r + (size_t)(q - 1) * n, r, (size_t)n * sizeof *r);
    }
    memcpy(res->epoch_end_r + (size_t)(ne - 1) * n, r, (size_t)n * sizeof *r);
    res->n_rec = i_rec;
    for (int q = 0; q < ne; ++q) analyse_epoch(m, res, q);
    if (m->hopf_pop >= 0 && res->epoch_fp_ok[0]) {
        cob_err herr = {0};
        if (cob_rate_hopf_tau(m, res->epoch_input, res->epoch_fp, m->hopf_pop, m->hopf_lo_ms, m->hopf_hi_ms,
                              &res->hopf_tau_ms, &res->hopf_freq_hz, &herr) != COB_OK)
            res->hopf_tau_ms = res->hopf_freq_hz = NAN;
    }
    if (m->ring.n > 0)
        cob_rate_ring_closed_form(&m->ring, &res->ring);
    res->run_s = cob__wall_s() - t0;
    free(r);
    return COB_OK;
}
