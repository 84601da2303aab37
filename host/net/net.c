/* host/net/net.c -- building a network on the host: population layout, input channels,
 * propagators, and per projection the synapses (fixed or heterogeneous in-degree, partners
 * without replacement, delays), stored as CSR by presynaptic neuron. The draws are those of
 * include/cobalt/hd/connect.h, the contract the CUDA builder follows. Targets are generated in
 * parallel (OpenMP) per target neuron; the result does not depend on the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "cobalt/net.h"
#include "cobalt/hd/connect.h"
#include "cobalt/ring.h"
#include "models/models.h"
#include "config/config_keys.h"

#define COB__RING_CELL_MAX 65535 /* arrivals one uint16 delay-ring cell holds */

int64_t cob_net_n_synapses(const cob_net *net)
{
    int64_t n = 0;
    int p;
    for (p = 0; p < net->n_projs; ++p) n += net->proj[p].n_syn;
    return n;
}


/* Presynaptic candidates available to one target of projection p. */
static int64_t n_available(const cob_config *c, const cob_proj_spec *ps)
{
    int64_t n = c->pops[ps->pre].size;
    if (ps->pre == ps->post && !ps->allow_autapses)
        n -= 1;
    return n;
}

static uint16_t delay_steps(double d_ms, double dt_ms)
{
    long long s = llround(d_ms / dt_ms);
    if (s < 1)
        s = 1;
    if (s > 65534)
        s = 65534;
    return (uint16_t)s;
}

/* Delays of projection p in steps. The grid step: the range's ends rounded to whole steps (at
 * least 1), a whole number per synapse. The ordered step: continuous delays (hd/connect.h): a
 * range [a, b] wider than a step is uniform on [round(a/dt), round(b/dt)) steps (whole part
 * drawn, fraction hashed); a fixed delay (or a range narrower than a step: its midpoint) is d/dt
 * to 1/256 of a step. */
static void delay_layout(cob_proj *pr, const cob_proj_spec *ps, const cob_config *c, int p)
{
    const double dt = c->run.dt_ms, lo = ps->delay_min_ms / dt, hi = ps->delay_max_ms / dt;
    long long a = llround(lo), b = llround(hi), q;
    pr->dfrac_mode = COB_DFRAC_NONE;
    pr->dfrac_key = pr->dfrac_const = 0;
    if (c->run.integrator != COB_INTEGRATOR_ORDERED) {
        pr->min_delay = delay_steps(ps->delay_min_ms, dt);
        pr->max_delay = delay_steps(ps->delay_max_ms, dt);
        return;
    }
    if (b - a >= 1) {
        if (b > 65534)
            b = 65534;
        pr->min_delay = (uint16_t)(a < b - 1 ? a : b - 1);
        pr->max_delay = (uint16_t)(b - 1);
        pr->dfrac_mode = COB_DFRAC_HASH;
        pr->dfrac_key = cob_delay_frac_key(c->run.seed, (uint32_t)p);
        return;
    }
    q = llround(0.5 * (lo + hi) * 256.0);
    if (q > 65534LL * 256)
        q = 65534LL * 256;
    pr->min_delay = pr->max_delay = (uint16_t)(q >> 8);
    if (q & 255) {
        pr->dfrac_mode = COB_DFRAC_CONST;
        pr->dfrac_const = (uint32_t)(q & 255);
    } else if (pr->min_delay < 1) {
        pr->min_delay = pr->max_delay = 1;
    }
}

int32_t cob_proj_spec_ring_slots(const cob_config *c, int p)
{
    cob_proj pr;
    memset(&pr, 0, sizeof pr);
    delay_layout(&pr, &c->projs[p], c, p);
    return cob_proj_max_arrival(&pr) + 1;
}

int32_t cob_proj_spec_min_arrival(const cob_config *c, int p)
{
    cob_proj pr;
    memset(&pr, 0, sizeof pr);
    delay_layout(&pr, &c->projs[p], c, p);
    return pr.min_delay < 1 ? 1 : pr.min_delay;
}

/* Channel of (post, receptor, weight), E channels first (the order of the jumps in a step). */
static void assign_channels(cob_net *net, const cob_config *c, int *proj_channel)
{
    int pop, rec, p, k, n;
    for (pop = 0; pop < c->n_pops; ++pop) {
        n = 0;
        for (rec = COB_RECEPTOR_E; rec <= COB_RECEPTOR_I; ++rec)
            for (p = 0; p < c->n_projs; ++p) {
                const cob_proj_spec *ps = &c->projs[p];
                if (ps->post != pop || (int)ps->receptor != rec)
                    continue;
                for (k = 0; k < n; ++k)
                    if (net->chan_receptor[pop][k] == rec && net->chan_weight[pop][k] == ps->weight)
                        break;
                if (k == n && n < COB_MAX_CHANNELS) {
                    net->chan_receptor[pop][n] = rec;
                    net->chan_weight[pop][n] = ps->weight;
                    n += 1;
                }
                proj_channel[p] = k;
            }
        net->pop_channels[pop] = n;
        if (n > net->n_channels_max)
            net->n_channels_max = n;
    }
}

/* Propagators of every neuron population, from its model's registry entry. COB_ERR_INVALID for
 * a model id that is neither a registered neuron model nor a source (a broken registry). */
static cob_status make_props(cob_net *net, const cob_config *c, cob_err *err)
{
    int pop;
    for (pop = 0; pop < c->n_pops; ++pop) {
        const cob_pop_spec *ps = &c->pops[pop];
        const cob__model_host *mh = cob__model_host_of(ps->model);
        int32_t refr;
        if (!mh && ps->model == COB_MODEL_POISSON)
            continue; /* sources have no neuron state */
        if (!mh)
            return cob_err_set(err, COB_ERR_INVALID,
                               "internal: population %s has model %d, which has no host "
                               "entry in the model registry",
                               ps->name, (int)ps->model);
        mh->prop_make(&net->prop[pop], &ps->lif, c->run.dt_ms, c->run.integrator, net->pop_channels[pop],
                      net->chan_receptor[pop], net->chan_weight[pop]);
        refr = mh->refr_steps(&net->prop[pop]);
        if (refr > net->refr_steps_max)
            net->refr_steps_max = refr;
        if (cob_model_state_f32(ps->model) > net->n_state_f32)
            net->n_state_f32 = cob_model_state_f32(ps->model);
        if (cob_model_state_i32(ps->model) > net->n_state_i32)
            net->n_state_i32 = cob_model_state_i32(ps->model);
    }
    return COB_OK;
}

static void layout(cob_net *net, const cob_config *c)
{
    int pop;
    net->n_pops = c->n_pops;
    net->n_projs = c->n_projs;
    net->dt_ms = c->run.dt_ms;
    net->seed = c->run.seed;
    net->n_neurons = 0;
    for (pop = 0; pop < c->n_pops; ++pop) {
        net->pop_size[pop] = c->pops[pop].size;
        net->pop_model[pop] = (int32_t)c->pops[pop].model;
        if (cob_model_is_neuron(c->pops[pop].model)) {
            net->pop_offset[pop] = net->n_neurons;
            net->n_neurons += c->pops[pop].size;
        } else {
            net->pop_offset[pop] = -1;
        }
    }
}

/* Partners of one target, sorted ascending, into out[0..k). marks has n_avail bytes, all 0 on
 * entry and on return. Floyd's algorithm: exactly k draws, a uniform k-subset. */
static void draw_partners(cob_rng_lane *l, int64_t n_avail, int32_t k, int multapses, uint8_t *marks, int32_t *out)
{
    int32_t m, j;
    if (multapses) {
        for (m = 0; m < k; ++m) out[m] = (int32_t)cob_rng_lane_below(l, (uint32_t)n_avail);
    } else {
        m = 0;
        for (j = (int32_t)(n_avail - k); j < n_avail; ++j) {
            int32_t t = (int32_t)cob_rng_lane_below(l, (uint32_t)j + 1u);
            if (marks[t])
                t = j;
            marks[t] = 1;
            out[m++] = t;
        }
        for (m = 0; m < k; ++m) marks[out[m]] = 0;
    }
}

/* Nested draw (connect.h): the first k distinct values of the lane; marks as draw_partners. */
static void draw_partners_nested(cob_rng_lane *l, int64_t n_avail, int32_t k, int multapses, uint8_t *marks,
                                 int32_t *out)
{
    int32_t m = 0;
    if (multapses) {
        draw_partners(l, n_avail, k, 1, marks, out);
        return;
    }
    while (m < k) {
        int32_t t = (int32_t)cob_rng_lane_below(l, (uint32_t)n_avail);
        if (marks[t])
            continue;
        marks[t] = 1;
        out[m++] = t;
    }
    for (m = 0; m < k; ++m) marks[out[m]] = 0;
}

/* Ring kernel draw (hd/ring.h): accepted candidates, repeats skipped unless multapses, in draw
 * order; marks as draw_partners. */
static void draw_partners_ring(cob_rng_lane *l, const cob_ring_kern *rk, int64_t n_avail, int skip_self, int64_t i,
                               int32_t k, int multapses, uint8_t *marks, int32_t *out)
{
    int32_t m = 0, c;
    while (m < k) {
        if (!cob_ring_candidate(l, rk, n_avail, skip_self, i, &c))
            continue;
        if (!multapses) {
            if (marks[c])
                continue;
            marks[c] = 1;
        }
        out[m++] = c;
    }
    if (!multapses)
        for (m = 0; m < k; ++m) marks[out[m]] = 0;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Ascending sort of k partners drawn uniformly from [0, n_avail): a counting pass into k
 * buckets by value (about one value per bucket) and an insertion sort of the nearly sorted
 * result; O(k) expected. tmp and cnt hold k and k + 1 entries. */
static void sort_uniform(int32_t *a, int32_t k, int64_t n_avail, int32_t *tmp, int32_t *cnt)
{
    int32_t i;
    memset(cnt, 0, ((size_t)k + 1) * sizeof *cnt);
    for (i = 0; i < k; ++i) cnt[(int64_t)a[i] * k / n_avail + 1] += 1;
    for (i = 0; i < k; ++i) cnt[i + 1] += cnt[i];
    for (i = 0; i < k; ++i) tmp[cnt[(int64_t)a[i] * k / n_avail]++] = a[i];
    for (i = 0; i < k; ++i) {
        int32_t v = tmp[i], j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            --j;
        }
        a[j] = v;
    }
}

/* Sort one target's partners: a scan of the marks when dense, a bucket sort when sparse and
 * uniform, qsort when sparse and clustered (a ring kernel). */
static void sort_partners(int32_t *out, int32_t k, int64_t n_avail, uint8_t *marks, int multapses, int ring,
                          int32_t *tmp, int32_t *cnt)
{
    int64_t c;
    int32_t m = 0;
    if (ring && (multapses || (int64_t)k * 16 < n_avail)) {
        qsort(out, (size_t)k, sizeof *out, cmp_i32);
        return;
    }
    if (multapses || (int64_t)k * 16 < n_avail) {
        sort_uniform(out, k, n_avail, tmp, cnt);
        return;
    }
    for (m = 0; m < k; ++m) marks[out[m]] = 1;
    m = 0;
    for (c = 0; c < n_avail && m < k; ++c)
        if (marks[c]) {
            marks[c] = 0;
            out[m++] = (int32_t)c;
        }
}

void cob_net_partners(const cob_net *net, int p, int64_t i, uint8_t *marks, int32_t *out)
{
    const cob_proj *pr = &net->proj[p];
    cob_rng_lane lp;
    int32_t k = pr->indegree[i], m;
    cob_rng_lane_init(&lp, net->seed, COB_STREAM(COB_STREAM_PARTNERS, p), (uint32_t)i);
    if (pr->ring.shape != COB_RING_NONE)
        draw_partners_ring(&lp, &pr->ring, pr->n_avail, pr->skip_self, i, k, pr->multapses, marks, out);
    else if (pr->nested)
        draw_partners_nested(&lp, pr->n_avail, k, pr->multapses, marks, out);
    else
        draw_partners(&lp, pr->n_avail, k, pr->multapses, marks, out);
    if (pr->skip_self)
        for (m = 0; m < k; ++m) out[m] = cob_skip_self(out[m], (int32_t)i);
}

/* Partners and delays of every target, post-major, into pre_of[post_ptr[i] ..] / del_of[..]. */
static int draw_targets(const cob_net *net, const cob_config *c, int p, const int64_t *post_ptr, int32_t *pre_of,
                        uint16_t *del_of)
{
    const cob_proj_spec *ps = &c->projs[p];
    const cob_proj *pr = &net->proj[p];
    int64_t n_avail = pr->n_avail;
    int skip_self = pr->skip_self;
    int failed = 0;
    int32_t k_max = pr->k_max > 1 ? pr->k_max : 1;
#pragma omp parallel reduction(| : failed)
    {
        uint8_t *marks = calloc((size_t)(n_avail > 0 ? n_avail : 1), 1);
        int32_t *tmp = malloc((size_t)k_max * sizeof *tmp), *cnt = malloc(((size_t)k_max + 1) * sizeof *cnt);
        int64_t i;
        if (!marks || !tmp || !cnt)
            failed = 1;
#pragma omp for schedule(dynamic, 256)
        for (i = 0; i < pr->n_post; ++i) {
            cob_rng_lane lp, ld;
            int32_t *out = pre_of + post_ptr[i];
            int32_t k = pr->indegree[i], m;
            if (failed)
                continue;
            cob_rng_lane_init(&lp, net->seed, COB_STREAM(COB_STREAM_PARTNERS, p), (uint32_t)i);
            cob_rng_lane_init(&ld, net->seed, COB_STREAM(COB_STREAM_DELAYS, p), (uint32_t)i);
            if (pr->ring.shape != COB_RING_NONE) {
                draw_partners_ring(&lp, &pr->ring, n_avail, skip_self, i, k, ps->allow_multapses, marks, out);
                if (!ps->nested)
                    sort_partners(out, k, n_avail, marks, ps->allow_multapses, 1, tmp, cnt);
            } else if (ps->nested) { /* draw order kept: the delays follow it (to_pre_csr sorts by target) */
                draw_partners_nested(&lp, n_avail, k, ps->allow_multapses, marks, out);
            } else {
                draw_partners(&lp, n_avail, k, ps->allow_multapses, marks, out);
                sort_partners(out, k, n_avail, marks, ps->allow_multapses, 0, tmp, cnt);
            }
            for (m = 0; m < k; ++m) {
                if (skip_self)
                    out[m] = cob_skip_self(out[m], (int32_t)i);
                del_of[post_ptr[i] + m] = cob_delay_draw(&ld, pr->min_delay, pr->max_delay);
            }
        }
        free(marks);
        free(tmp);
        free(cnt);
    }
    return failed;
}

/* Transpose post-major lists into CSR by presynaptic neuron, grouped by delay within a row;
 * filling in target order leaves each delay group sorted by target. 0 when out of memory. */
static int to_pre_csr(cob_proj *pr, const int64_t *post_ptr, const int32_t *pre_of, const uint16_t *del_of)
{
    int64_t stride = pr->n_dgrp + 1, i, j, s, k;
    uint32_t *off = pr->dgrp_off, *cur;
    memset(off, 0, (size_t)(pr->n_pre * stride) * sizeof *off);
    for (s = 0; s < pr->n_syn; ++s) off[pre_of[s] * stride + (del_of[s] - pr->min_delay) + 1] += 1;
    pr->row_ptr[0] = 0;
    for (j = 0; j < pr->n_pre; ++j) {
        for (k = 0; k < pr->n_dgrp; ++k) off[j * stride + k + 1] += off[j * stride + k];
        pr->row_ptr[j + 1] = pr->row_ptr[j] + off[j * stride + pr->n_dgrp];
    }
    cur = malloc((size_t)(pr->n_pre * stride) * sizeof *cur);
    if (!cur)
        return 0;
    memcpy(cur, off, (size_t)(pr->n_pre * stride) * sizeof *cur);
    for (i = 0; i < pr->n_post; ++i)
        for (s = post_ptr[i]; s < post_ptr[i + 1]; ++s) {
            int64_t g = pre_of[s] * stride + (del_of[s] - pr->min_delay);
            int64_t at = pr->row_ptr[pre_of[s]] + cur[g]++;
            pr->target[at] = (int32_t)i;
            pr->delay_steps[at] = del_of[s];
        }
    free(cur);
    return 1;
}

static cob_status draw_indegrees(cob_net *net, const cob_config *c, int p, int64_t *post_ptr)
{
    const cob_proj_spec *ps = &c->projs[p];
    cob_proj *pr = &net->proj[p];
    /* independent inputs draw no partners: their in-degree is not bounded by the pre size */
    int64_t n_max = pr->independent ? INT32_MAX : ps->allow_multapses ? 65535 : n_available(c, ps), i;
    /* a ring kernel: no more than its draw reaches at the acceptance bound (ring.h) */
    if (pr->ring.shape != COB_RING_NONE)
        n_max = cob_ring_k_cap(&pr->ring, pr->n_avail, pr->multapses, n_max, NULL);
#pragma omp parallel for schedule(static)
    for (i = 0; i < pr->n_post; ++i)
        pr->indegree[i] = cob_indegree_draw(net->seed, (uint32_t)p, (uint32_t)i, ps->indegree, ps->cv_indegree, n_max);
    pr->k_max = 0;
    for (i = 0; i < pr->n_post; ++i)
        if (pr->indegree[i] > pr->k_max)
            pr->k_max = pr->indegree[i];
    cob_proj_post_ptr(pr, post_ptr);
    pr->n_syn = pr->independent ? 0 : post_ptr[pr->n_post];
    return COB_OK;
}

void cob_proj_post_ptr(const cob_proj *pr, int64_t *post_ptr)
{
    int64_t i;
    post_ptr[0] = 0;
    for (i = 0; i < pr->n_post; ++i) post_ptr[i + 1] = post_ptr[i] + pr->indegree[i];
}

static cob_status build_proj(cob_net *net, const cob_config *c, int p, int channel, int synapses, cob_err *err)
{
    const cob_proj_spec *ps = &c->projs[p];
    cob_proj *pr = &net->proj[p];
    int64_t *post_ptr = NULL;
    int32_t *pre_of = NULL;
    uint16_t *del_of = NULL;
    cob_status st = COB_OK;
    pr->pre = ps->pre;
    pr->post = ps->post;
    pr->channel = channel;
    pr->independent = cob_pop_is_independent(&c->pops[ps->pre]);
    pr->n_pre = c->pops[ps->pre].size;
    pr->n_post = c->pops[ps->post].size;
    pr->n_avail = n_available(c, ps);
    pr->skip_self = ps->pre == ps->post && !ps->allow_autapses;
    pr->multapses = ps->allow_multapses;
    pr->nested = ps->nested;
    pr->ring = cob_ring_kern_of(c, p);
    delay_layout(pr, ps, c, p);
    if (pr->independent) {
        pr->min_delay = pr->max_delay = 0;
        pr->dfrac_mode = COB_DFRAC_NONE;
    }
    pr->indegree = malloc((size_t)pr->n_post * sizeof *pr->indegree);
    post_ptr = malloc((size_t)(pr->n_post + 1) * sizeof *post_ptr);
    if (!pr->indegree || !post_ptr) {
        st = COB_ERR_NOMEM;
        goto done;
    }
    draw_indegrees(net, c, p, post_ptr);
    if (pr->independent)
        goto done;
    pr->n_dgrp = pr->max_delay - pr->min_delay + 1;
    if (!synapses)
        goto done;
    pr->row_ptr = malloc((size_t)(pr->n_pre + 1) * sizeof *pr->row_ptr);
    pr->dgrp_off = malloc((size_t)(pr->n_pre * (pr->n_dgrp + 1)) * sizeof *pr->dgrp_off);
    pr->target = malloc((size_t)(pr->n_syn ? pr->n_syn : 1) * sizeof *pr->target);
    pr->delay_steps = malloc((size_t)(pr->n_syn ? pr->n_syn : 1) * sizeof *pr->delay_steps);
    pre_of = malloc((size_t)(pr->n_syn ? pr->n_syn : 1) * sizeof *pre_of);
    del_of = malloc((size_t)(pr->n_syn ? pr->n_syn : 1) * sizeof *del_of);
    if (!pr->row_ptr || !pr->dgrp_off || !pr->target || !pr->delay_steps || !pre_of || !del_of ||
        draw_targets(net, c, p, post_ptr, pre_of, del_of) || !to_pre_csr(pr, post_ptr, pre_of, del_of))
        st = COB_ERR_NOMEM;
done:
    if (st == COB_ERR_NOMEM)
        cob_err_set(err, st, "projection %d (%s -> %s): out of host memory for %lld synapses", p, c->pops[ps->pre].name,
                    c->pops[ps->post].name, (long long)pr->n_syn);
    free(post_ptr);
    free(pre_of);
    free(del_of);
    return st;
}

/* A neuron whose stored in-degree onto one channel exceeds the ring's cell: a config error that
 * names the largest projection onto that channel and lists the others. */
static cob_status fail_ring_bound(const cob_net *net, const cob_config *c, int pop, int ch, int64_t i, int64_t k,
                                  cob_err *err)
{
    cob__src src = {c->path[0] ? c->path : "config", NULL, NULL, 0, c};
    char path[64], list[256] = "";
    size_t used = 0;
    int p, top = -1;
    for (p = 0; p < c->n_projs; ++p) {
        const cob_proj *pr = &net->proj[p];
        if (pr->post != pop || pr->channel != ch || pr->independent)
            continue;
        if (top < 0 || pr->indegree[i] > net->proj[top].indegree[i])
            top = p;
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%d", used ? ", " : "", p);
    }
    snprintf(path, sizeof path, "projections[%d].indegree", top);
    return cob__fail_path(&src, err, path,
                          "population \"%s\" neuron %lld would get %lld stored synapses on one input channel "
                          "(receptor %s, weight %g: projections %s; this one gives %lld) (allowed: at most %d per "
                          "neuron and channel, the 16-bit cell of the delay ring; lower the in-degrees)",
                          c->pops[pop].name, (long long)i, (long long)k,
                          net->chan_receptor[pop][ch] == COB_RECEPTOR_E ? "E" : "I", net->chan_weight[pop][ch], list,
                          (long long)net->proj[top].indegree[i], COB__RING_CELL_MAX);
}

/* A delay-ring cell is 16 bits: refuse networks whose static in-degree onto one channel of one
 * neuron could exceed it (independent Poisson counts are checked on the fly and counted). The
 * in-degrees are drawn (cv_indegree), so this is checked on the built layout, not in
 * cob_config_check; it is still a config error (COB_ERR_CONFIG), found before anything runs. */
static cob_status check_ring_bound(const cob_net *net, const cob_config *c, cob_err *err)
{
    int pop, ch, p;
    int64_t i;
    for (pop = 0; pop < c->n_pops; ++pop)
        for (ch = 0; ch < net->pop_channels[pop]; ++ch)
            for (i = 0; i < c->pops[pop].size; ++i) {
                int64_t k = 0;
                for (p = 0; p < c->n_projs; ++p)
                    if (net->proj[p].post == pop && net->proj[p].channel == ch && !net->proj[p].independent)
                        k += net->proj[p].indegree[i];
                if (k > COB__RING_CELL_MAX)
                    return fail_ring_bound(net, c, pop, ch, i, k, err);
            }
    return COB_OK;
}

/* Give the pages of the projection's freed build buffers back to the system. glibc raises its
 * mmap threshold to the size of the last mmap'ed block freed (up to 32 MB), so once the first
 * large projection's buffers are freed the next projections' arrays and buffers come from the
 * heap, and the freed buffers would stay resident as holes below the arrays that follow them:
 * for the whole run of configs/brunel2000.yaml the heap held 58 MB for 34 MB of arrays, outside
 * the memory estimate (host/net/estimate.c). */
static void release_freed(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

static cob_status net_build(cob_net *net, const cob_config *c, int synapses, cob_err *err)
{
    int proj_channel[COB_MAX_PROJS];
    int p;
    cob_status st;
    memset(net, 0, sizeof *net);
    st = cob_config_check(c, err);
    if (st != COB_OK)
        return st;
    layout(net, c);
    assign_channels(net, c, proj_channel);
    st = make_props(net, c, err);
    if (st != COB_OK)
        return st;
    net->ring_slots = 2;
    for (p = 0; p < c->n_projs; ++p) {
        st = build_proj(net, c, p, proj_channel[p], synapses, err);
        if (st != COB_OK) {
            cob_net_free(net);
            return st;
        }
        release_freed();
        if (cob_proj_max_arrival(&net->proj[p]) + 1 > net->ring_slots)
            net->ring_slots = cob_proj_max_arrival(&net->proj[p]) + 1;
        if (net->proj[p].dfrac_mode != COB_DFRAC_NONE)
            net->dfrac_any = 1;
    }
    st = check_ring_bound(net, c, err);
    if (st != COB_OK)
        cob_net_free(net);
    return st;
}

cob_status cob_net_build(cob_net *net, const cob_config *c, cob_err *err)
{
    return net_build(net, c, 1, err);
}

cob_status cob_net_layout(cob_net *net, const cob_config *c, cob_err *err)
{
    return net_build(net, c, 0, err);
}

void cob_net_free(cob_net *net)
{
    int p;
    for (p = 0; p < COB_MAX_PROJS; ++p) {
        free(net->proj[p].row_ptr);
        free(net->proj[p].target);
        free(net->proj[p].delay_steps);
        free(net->proj[p].dgrp_off);
        free(net->proj[p].indegree);
    }
    memset(net, 0, sizeof *net);
}

/* One row: delay groups monotone and matching delay_steps, targets in range and ascending
 * within a group, no duplicate target in the row (marks: n_post bytes, zero on entry and exit). */
static cob_status csr_row_ok(const cob_proj *pr, int i_proj, int64_t j, int skip_self, int multapses, uint8_t *marks,
                             cob_err *err)
{
    const uint32_t *off = pr->dgrp_off + j * (pr->n_dgrp + 1);
    int64_t r0 = pr->row_ptr[j], s, k, bad = -1;
    cob_status st = COB_OK;
    if (off[0] != 0 || r0 + off[pr->n_dgrp] != pr->row_ptr[j + 1])
        return cob_err_set(err, COB_ERR_INVALID, "projection %d: row %lld delay groups do not cover the row", i_proj,
                           (long long)j);
    for (k = 0; k < pr->n_dgrp && st == COB_OK; ++k) {
        if (off[k + 1] < off[k])
            st = cob_err_set(err, COB_ERR_INVALID, "projection %d: row %lld delay groups decrease", i_proj,
                             (long long)j);
        for (s = r0 + off[k]; s < r0 + off[k + 1] && st == COB_OK; ++s) {
            int32_t t = pr->target[s];
            if (t < 0 || t >= pr->n_post)
                st = cob_err_set(err, COB_ERR_INVALID, "projection %d: synapse %lld target %d out of [0, %lld)", i_proj,
                                 (long long)s, t, (long long)pr->n_post);
            else if (s > r0 + off[k] && t < pr->target[s - 1])
                st = cob_err_set(err, COB_ERR_INVALID,
                                 "projection %d: row %lld delay group %lld not ascending at synapse %lld", i_proj,
                                 (long long)j, (long long)k, (long long)s);
            else if (!multapses && marks[t])
                st = cob_err_set(err, COB_ERR_INVALID, "projection %d: duplicate synapse %lld -> %d", i_proj,
                                 (long long)j, t);
            else if (skip_self && t == j)
                st = cob_err_set(err, COB_ERR_INVALID, "projection %d: autapse at neuron %lld", i_proj, (long long)j);
            else if (pr->delay_steps[s] != pr->min_delay + k ||
                     (pr->delay_steps[s] < 1 && pr->dfrac_mode == COB_DFRAC_NONE))
                st = cob_err_set(err, COB_ERR_INVALID, "projection %d: synapse %lld delay %u, its group says %lld",
                                 i_proj, (long long)s, pr->delay_steps[s], (long long)(pr->min_delay + k));
            if (st == COB_OK) {
                marks[t] = 1;
                bad = s;
            }
        }
    }
    for (s = r0; s <= bad; ++s) marks[pr->target[s]] = 0;
    return st;
}

static cob_status csr_rows_ok(const cob_proj *pr, int i_proj, int skip_self, int multapses, cob_err *err)
{
    uint8_t *marks;
    int64_t j;
    cob_status st = COB_OK;
    if (pr->row_ptr[0] != 0 || pr->row_ptr[pr->n_pre] != pr->n_syn)
        return cob_err_set(err, COB_ERR_INVALID, "projection %d: row_ptr runs %lld..%lld, expected 0..%lld", i_proj,
                           (long long)pr->row_ptr[0], (long long)pr->row_ptr[pr->n_pre], (long long)pr->n_syn);
    marks = calloc((size_t)(pr->n_post > 0 ? pr->n_post : 1), 1);
    if (!marks)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory validating projection %d", i_proj);
    for (j = 0; j < pr->n_pre && st == COB_OK; ++j) {
        if (pr->row_ptr[j + 1] < pr->row_ptr[j])
            st = cob_err_set(err, COB_ERR_INVALID, "projection %d: row_ptr decreases at row %lld", i_proj,
                             (long long)j);
        else
            st = csr_row_ok(pr, i_proj, j, skip_self, multapses, marks, err);
    }
    free(marks);
    return st;
}

cob_status cob_csr_validate(const cob_net *net, int i_proj, const cob_config *c, cob_err *err)
{
    const cob_proj *pr;
    const cob_proj_spec *ps;
    int64_t i, total = 0;
    if (i_proj < 0 || i_proj >= net->n_projs)
        return cob_err_set(err, COB_ERR_INVALID, "projection index %d out of [0, %d)", i_proj, net->n_projs);
    pr = &net->proj[i_proj];
    ps = &c->projs[i_proj];
    for (i = 0; i < pr->n_post; ++i) total += pr->indegree[i];
    if (pr->independent)
        return pr->n_syn == 0
                   ? COB_OK
                   : cob_err_set(err, COB_ERR_INVALID, "projection %d: independent input stores synapses", i_proj);
    if (total != pr->n_syn)
        return cob_err_set(err, COB_ERR_INVALID, "projection %d: in-degrees sum to %lld, CSR holds %lld", i_proj,
                           (long long)total, (long long)pr->n_syn);
    if (cob_proj_max_arrival(pr) >= net->ring_slots)
        return cob_err_set(err, COB_ERR_INVALID, "projection %d: arrivals up to %d steps do not fit a ring of %d slots",
                           i_proj, cob_proj_max_arrival(pr), net->ring_slots);
    return csr_rows_ok(pr, i_proj, ps->pre == ps->post && !ps->allow_autapses, ps->allow_multapses, err);
}
