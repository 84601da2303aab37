/* host/net/ring.c -- host side of the ring kernels (include/cobalt/ring.h): the kernel of a
 * projection from its config and the in-degree bound that keeps the rejection draw of
 * include/cobalt/hd/ring.h at O(K) candidates per target. Pairs with tests/test_ring.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cobalt/ring.h"

#define COB__RING_GRID 65536

cob_ring_kern cob_ring_kern_of(const cob_config *c, int p)
{
    const cob_proj_spec *q = &c->projs[p];
    const cob_ring_kernel_spec *rk = &q->ring_kernel;
    cob_ring_kern k;
    k.shape = rk->shape;
    k.n_pre = c->pops[q->pre].size;
    k.n_post = c->pops[q->post].size;
    k.c0 = 1.0;
    k.c1 = 0.0;
    switch (rk->shape) {
    case COB_RING_COSINE:
        k.c0 = 1.0 / (1.0 + fabs(rk->p_c));
        k.c1 = rk->p_c / (1.0 + fabs(rk->p_c));
        break;
    case COB_RING_VON_MISES: k.c1 = rk->kappa; break;
    case COB_RING_WRAPPED_EXP: k.c1 = c->pops[q->pre].ring_period_deg / rk->lambda_deg; break;
    default: k.shape = COB_RING_NONE; break;
    }
    return k;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Most partners r of g grid points that can be taken (the r largest acceptances) with the rest
 * still holding a mean acceptance >= COB_RING_ACCEPT_MIN; -1 when not even r = 0. */
static int64_t r_max_at(const cob_ring_kern *k, int64_t g, double off, double *v, double *mean)
{
    int64_t j, r;
    double sum = 0.0;
    for (j = 0; j < g; ++j) {
        double x = ((double)j + off) / (double)g;
        v[j] = cob_ring_accept(k, x > 0.5 ? x - 1.0 : x);
    }
    qsort(v, (size_t)g, sizeof *v, cmp_double);
    for (j = 0; j < g; ++j) sum += v[j];
    if (mean)
        *mean = sum / (double)g;
    if (sum < COB_RING_ACCEPT_MIN * (double)g)
        return -1;
    /* remove the largest one by one while what is left keeps the bound */
    for (r = 0; r < g - 1; ++r) {
        double left = sum - v[g - 1 - r];
        if (left < COB_RING_ACCEPT_MIN * (double)g)
            break;
        sum = left;
    }
    return r;
}

int64_t cob_ring_k_cap(const cob_ring_kern *k, int64_t n_avail, int multapses, int64_t n_max, double *mean_accept)
{
    int64_t g = k->n_pre < COB__RING_GRID ? k->n_pre : COB__RING_GRID, r0, r1, r, cap;
    double *v, mean = 1.0, mean1 = 1.0;
    if (mean_accept)
        *mean_accept = 1.0;
    if (k->shape == COB_RING_NONE || n_avail <= 0)
        return n_max;
    v = malloc((size_t)g * sizeof *v);
    if (!v)
        return 0;
    r0 = r_max_at(k, g, 0.0, v, &mean);
    r1 = r_max_at(k, g, 0.5, v, &mean1);
    free(v);
    if (mean_accept)
        *mean_accept = mean < mean1 ? mean : mean1;
    if (r0 < 0 || r1 < 0)
        return 0;
    if (multapses)
        return n_max;
    r = r0 < r1 ? r0 : r1;
    /* the K-th partner is drawn with K - 1 taken: a fraction (K - 1) / n_avail of the ring, i.e.
     * ceil((K - 1) g / n_avail) grid points, which must be <= r */
    cap = (int64_t)floor((double)r * (double)n_avail / (double)g) + 1;
    if (cap > n_avail)
        cap = n_avail;
    return cap < n_max ? cap : n_max;
}

double cob_bessel_i0e(double x)
{
    /* I0(x) = sum_k (x/2)^(2k) / (k!)^2; the terms peak near k = x/2 and fall off beyond */
    double sum = 0.0, lx = x > 0.0 ? log(0.5 * x) : 0.0;
    int k;
    if (!(x > 0.0))
        return 1.0;
    for (k = 0; k < 2000; ++k) {
        double term = exp(2.0 * k * lx - 2.0 * lgamma(k + 1.0) - x);
        sum += term;
        if (k > x && term < 1e-18 * sum)
            break;
    }
    return sum;
}

cob_tuning cob_tuning_of(const cob_config *c, int pop, int ring_pop)
{
    const cob_tuning_spec *ts = &c->pops[pop].tuning;
    const double period = c->pops[ring_pop].ring_period_deg;
    cob_tuning tu;
    memset(&tu, 0, sizeof tu);
    if (ts->shape == COB_TUNE_NONE || !(period > 0.0))
        return tu;
    tu.shape = ts->shape;
    tu.n = c->pops[ring_pop].size;
    tu.x0 = ts->theta_deg / period;
    if (ts->shape == COB_TUNE_COSINE) {
        tu.c0 = 1.0;
        tu.c1 = ts->mu_c;
    } else {
        tu.c0 = 1.0 / cob_bessel_i0e(ts->kappa_mu); /* e^kappa / I0(kappa) */
        tu.c1 = ts->kappa_mu;
    }
    return tu;
}

double cob_tuning_gain_max(const cob_tuning *tu)
{
    if (tu->shape == COB_TUNE_COSINE)
        return 1.0 + fabs(tu->c1);
    if (tu->shape == COB_TUNE_VON_MISES)
        return tu->c0;
    return 1.0;
}
