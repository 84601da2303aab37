/* include/cobalt/hd/lif.h -- what every leaky integrate-and-fire model shares, written once: the
 * state of one neuron, the propagators (made once per run on the host in double, host/models/lif.c),
 * the refractory head of a step and its tail (exact leak, threshold, reset). A LIF model's step
 * (hd/lif_cond.h, hd/lif_curr.h, ...) is head, the model's own input handling, tail. Neuron state
 * lives in per-variable arrays (cob_state_arrays, SoA); cob_lif_load / cob_lif_store move one
 * neuron between them and registers. Float operations only, so CPU and GPU agree bit for bit. */
#ifndef COBALT_HD_LIF_H
#define COBALT_HD_LIF_H

#include "arrivals.h"
#include "hd.h"
#include "ieee_math.h"
#include "philox.h"
#include "input.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_POW_TABLE 32 /* f_c^n tabulated for n < COB_POW_TABLE (made with cob_powi) */

/* Flags a model's step returns. */
#define COB_STEP_FIRED 1      /* the neuron spiked in this step */
#define COB_STEP_REFRACTORY 2 /* it was refractory (inputs discarded; V not sampled) */
#define COB_STEP_BAD_MODEL 4  /* the dispatcher met a model id no registry entry has */
/* Ordered step only: the offset of the step's (first) spike within the step, in 1/256 of the step
 * (bits COB_STEP_TICK_SHIFT .. +7: cob_step_tick), which continuous delays carry to the arrival
 * (hd/connect.h, cob_arrival_steps); spikes beyond the first in one step (tau_ref < dt) are
 * counted in the bits from COB_STEP_MERGED_SHIFT up (at most COB_STEP_MERGED_MAX per neuron and
 * step, a count no input can reach: it needs more arrivals than a 16-bit ring cell holds); one
 * spike is delivered and recorded, the backends count the rest as merged (reported by the run,
 * never dropped silently). */
#define COB_STEP_TICK_SHIFT 8
#define COB_STEP_MERGED_SHIFT 16
#define COB_STEP_MERGED_MAX 0x7FFF
#define cob_step_tick(flags) ((uint32_t)((flags) >> COB_STEP_TICK_SHIFT) & 255u)

/* Integrators (run.integrator). grid: all arrivals of a step composed at its start, then the
 * leak, one threshold test; ordered: arrivals at their offsets within the step in time order,
 * exact leak between them, threshold after each (hd/arrivals.h). */
#define COB_INTEGRATOR_GRID 0
#define COB_INTEGRATOR_ORDERED 1

/* Neuron state arrays of a backend: f[k][i], i[k][i] for the global neuron index i. A model's
 * state uses f[0 .. n_f32) and i[0 .. n_i32) (its registry entry's counts); f[0] is always the
 * membrane potential in mV, which the statistics and traces read. */
#define COB_STATE_F_MAX 4
#define COB_STATE_I_MAX 2
typedef struct {
    float *f[COB_STATE_F_MAX];
    int32_t *i[COB_STATE_I_MAX];
} cob_state_arrays;

typedef struct {
    float v_mV;
    int32_t refr_steps;
} cob_lif_state;
enum { COB_LIF_STATE_F32 = 1, COB_LIF_STATE_I32 = 1 };

typedef struct {
    float leak_decay; /* exp(-dt / tau_m) */
    float v_leak_mV;  /* value V relaxes to without input (E_L, or E_L + mu for lif_curr) */
    float v_th_mV, v_reset_mV;
    int32_t refr_steps; /* round(tau_ref / dt) */
    int32_t n_channels;
    float chan_factor[COB_MAX_CHANNELS];             /* lif_cond: f_c; lif_curr: jump in mV per spike */
    float chan_rev_mV[COB_MAX_CHANNELS];             /* lif_cond: reversal E_c; unused by lif_curr */
    float chan_pow[COB_MAX_CHANNELS][COB_POW_TABLE]; /* lif_cond: cob_powi(f_c, n) */
    /* ordered integrator: state i[0] counts refractory time in ticks (1/COB_TICKS of dt), not steps */
    int32_t integrator;  /* COB_INTEGRATOR_* */
    int32_t refr_ticks;  /* round(tau_ref / dt * COB_TICKS) */
    float decay_hi[257]; /* exp(-(256 j) ticks / tau_m), j = 0 .. 256; decay_hi[256] = leak_decay */
    float decay_lo[256]; /* exp(-k ticks / tau_m), k = 0 .. 255 */
} cob_lif_prop;

COB_INLINE void cob_lif_load(cob_lif_state *n, const cob_state_arrays *a, int64_t i)
{
    n->v_mV = a->f[0][i];
    n->refr_steps = a->i[0][i];
}

COB_INLINE void cob_lif_store(const cob_lif_state *n, const cob_state_arrays *a, int64_t i)
{
    a->f[0][i] = n->v_mV;
    a->i[0][i] = n->refr_steps;
}

/* Fewest steps from one recorded spike of a neuron to its next (the CUDA backend sizes its spike
 * history by it, kernels/step.cu). Grid step: a spike sets the counter to refr_steps, the next
 * refr_steps steps are refractory, so the next spike comes refr_steps + 1 steps later at the
 * earliest. Ordered step: refractory for refr_ticks from the spike's tick a (0 .. COB_TICKS - 1);
 * a next spike at tick b of a later step s needs s COB_TICKS + b >= a + refr_ticks, so s >=
 * (refr_ticks - (COB_TICKS - 1)) / COB_TICKS rounded up = refr_ticks / COB_TICKS rounded down;
 * spikes of one step are merged into one (at least 1). */
COB_INLINE int32_t cob_lif_min_gap(const cob_lif_prop *p)
{
    if (p->integrator == COB_INTEGRATOR_ORDERED)
        return p->refr_ticks / (int32_t)COB_TICKS > 1 ? p->refr_ticks / (int32_t)COB_TICKS : 1;
    return p->refr_steps + 1;
}

/* Head of a step: a refractory neuron stays at V_r, its inputs are discarded and its counter
 * goes down by one. Returns 1 if so (the step ends there). */
COB_INLINE int cob_lif_refractory(cob_lif_state *n, const cob_lif_prop *p)
{
    if (n->refr_steps > 0) {
        n->refr_steps -= 1;
        n->v_mV = p->v_reset_mV;
        return 1;
    }
    return 0;
}

/* A crossing of the threshold between two tested points of a noise-driven step: V went from va to
 * vb (both below theta) under a white-noise increment of variance in->bridge_var; as a Brownian
 * bridge it touched theta with probability exp(-2 (theta - va)(theta - vb) / var), decided by a
 * uniform from Philox (stream COB_STREAM_CROSS, the global neuron, the step). Removes the
 * sqrt(dt) bias of testing the threshold only on the grid. 0 when bridge_var is 0. */
COB_NOINLINE int cob_lif_bridge_draw(const cob_input *in, float x)
{
    cob_u32x4 b = cob_philox(in->seed, COB_STREAM(COB_STREAM_CROSS, 0), in->neuron, in->t);
    return ((float)(b.v[0] >> 8) + 0.5f) * (1.0f / 16777216.0f) < cob_exp2f(x * 1.44269504f);
}

COB_INLINE int cob_lif_bridge_crossed(const cob_lif_prop *p, float va, float vb, const cob_input *in)
{
    float da, db, x;
    if (!(in->bridge_var > 0.0f))
        return 0;
    da = p->v_th_mV - va;
    db = p->v_th_mV - vb;
    if (!(da > 0.0f) || !(db > 0.0f))
        return 0;
    x = -2.0f * da * db / in->bridge_var;             /* ln P */
    return x >= -40.0f && cob_lif_bridge_draw(in, x); /* below: P < 5e-18 */
}

/* The threshold rule at the end of a step that went from va to vb: vb >= theta, or (with white
 * noise) a crossing on the way (cob_lif_bridge_crossed). Used by every LIF step's tail. */
COB_INLINE int cob_lif_crossed(const cob_lif_prop *p, float va, float vb, const cob_input *in)
{
    return vb >= p->v_th_mV || cob_lif_bridge_crossed(p, va, vb, in);
}

/* Tail of a step, from V after the inputs: exact leak over dt towards v_leak, the step's
 * continuous drive (cob_input.drive_mV: the exact integral of the continuous inputs over the
 * step, hd/noise.h), then threshold: V >= theta, or a crossing within the step
 * (cob_lif_bridge_crossed) -> spike, V = V_r, refractory for refr_steps further steps. Returns
 * the step flags. */
COB_INLINE int cob_lif_leak_fire(cob_lif_state *n, const cob_lif_prop *p, float v, const cob_input *in)
{
    const float va = v;
    v = p->v_leak_mV + (v - p->v_leak_mV) * p->leak_decay;
    v += in->drive_mV;
    if (cob_lif_crossed(p, va, v, in)) {
        n->v_mV = p->v_reset_mV;
        n->refr_steps = p->refr_steps;
        return COB_STEP_FIRED;
    }
    n->v_mV = v;
    return 0;
}

/* ---- the ordered step's shared parts (a model's ordered step: begin, its jumps, end) ---- */

/* Leak factor over k ticks, 0 <= k <= COB_TICKS: exp(-k dt / (COB_TICKS tau_m)) as a product of
 * two tabulated floats (no libm in the step; the same bits on every backend). */
COB_INLINE float cob_lif_decay_ticks(const cob_lif_prop *p, uint32_t k)
{
    return p->decay_hi[k >> 8] * p->decay_lo[k & 255u];
}

/* One neuron within an ordered step: V at tick t (the time it was last brought up to date). */
typedef struct {
    float v;
    uint32_t t;        /* ticks; arrivals before t are discarded (refractory) */
    int32_t n_fired;   /* spikes in this step */
    uint32_t tick0;    /* tick of the first of them */
    int32_t done;      /* refractory past the end of the step: every later arrival is discarded */
    int32_t refr_left; /* when done: refractory ticks left at the end of the step */
} cob_lif_sub;

/* Start an ordered step. A neuron refractory for the whole step stays at V_r, its counter goes
 * down by one step, and 1 is returned (nothing else to do). Otherwise the neuron is free from tick
 * n->refr_steps (0 if it was not refractory; at V_r from then if it was), and a's arrivals are
 * set up from in. */
COB_INLINE int cob_lif_sub_begin(cob_lif_sub *s, cob_lif_state *n, const cob_lif_prop *p, const cob_input *in,
                                 int32_t n_channels, cob_arrivals *a)
{
    int32_t r = n->refr_steps;
    if (r >= (int32_t)COB_TICKS) {
        n->refr_steps = r - (int32_t)COB_TICKS;
        n->v_mV = p->v_reset_mV;
        return 1;
    }
    s->v = r > 0 ? p->v_reset_mV : n->v_mV;
    s->t = (uint32_t)r;
    s->n_fired = 0;
    s->tick0 = 0;
    s->done = 0;
    s->refr_left = 0;
    cob_arrivals_begin(a, in->seed, in->neuron, in->t, in, n_channels);
    return 0;
}

/* Bring V up to tick (exact leak from s->t). Returns 0 if the neuron is refractory then (the
 * arrival is discarded), 1 if the arrival's jump is to be applied. */
COB_INLINE int cob_lif_sub_to(cob_lif_sub *s, const cob_lif_prop *p, uint32_t tick)
{
    if (s->done || tick < s->t)
        return 0;
    s->v = p->v_leak_mV + (s->v - p->v_leak_mV) * cob_lif_decay_ticks(p, tick - s->t);
    s->t = tick;
    return 1;
}

/* Threshold after a jump at tick: a spike resets V and makes the neuron refractory until
 * tick + refr_ticks (possibly within this step). Returns 1 when no further arrival of this step
 * can count (refractory past its end). */
COB_INLINE int cob_lif_sub_fire(cob_lif_sub *s, const cob_lif_prop *p, uint32_t tick)
{
    uint32_t free_at;
    if (!(s->v >= p->v_th_mV))
        return 0;
    if (s->n_fired == 0)
        s->tick0 = tick;
    s->n_fired += 1;
    s->v = p->v_reset_mV;
    free_at = tick + (uint32_t)p->refr_ticks;
    if (free_at >= COB_TICKS) {
        s->done = 1;
        s->refr_left = (int32_t)(free_at - COB_TICKS);
        return 1;
    }
    s->t = free_at;
    return 0;
}

/* End of an ordered step: the leak to the end of the step, the step's continuous drive, the
 * threshold once more (and a crossing since the last arrival, cob_lif_bridge_crossed): a spike
 * there is a spike at the end of the step (tick COB_TICKS - 1), refractory for refr_ticks from it. Stores the state and returns the COB_STEP_* flags: FIRED if it spiked in
 * the step (extra spikes counted from COB_STEP_MERGED_SHIFT), REFRACTORY if it is refractory at
 * the end of the step (V is held at V_r, not a sample of the free membrane). */
COB_INLINE int cob_lif_sub_end(cob_lif_sub *s, cob_lif_state *n, const cob_lif_prop *p, const cob_input *in)
{
    int flags;
    if (s->done) {
        n->v_mV = p->v_reset_mV;
        n->refr_steps = s->refr_left;
    } else {
        float v = p->v_leak_mV + (s->v - p->v_leak_mV) * cob_lif_decay_ticks(p, COB_TICKS - s->t);
        v += in->drive_mV;
        if (cob_lif_crossed(p, s->v, v, in)) {
            if (s->n_fired == 0)
                s->tick0 = COB_TICKS - 1;
            s->n_fired += 1;
            n->v_mV = p->v_reset_mV;
            n->refr_steps = p->refr_ticks;
        } else {
            n->v_mV = v;
            n->refr_steps = 0;
        }
    }
    if (s->n_fired == 0)
        return n->refr_steps > 0 ? COB_STEP_REFRACTORY : 0;
    flags = COB_STEP_FIRED | (int)((s->tick0 >> 8) << COB_STEP_TICK_SHIFT) |
            ((s->n_fired - 1 < COB_STEP_MERGED_MAX ? s->n_fired - 1 : COB_STEP_MERGED_MAX) << COB_STEP_MERGED_SHIFT);
    return flags;
}

/* The ordered step of an instantaneous-synapse LIF model, whose one jump per arrival on channel
 * c is, by `jump` (a constant at every call, so the other form folds away):
 *   COB_LIF_JUMP_CONDUCTANCE  V <- E_c + (V - E_c) f_c  (chan_rev_mV, chan_factor: lif_cond),
 *   COB_LIF_JUMP_CURRENT      V <- V + J_c              (chan_factor: lif_curr).
 * Begin (refractory time in ticks), the arrivals in time order with the exact leak up to each
 * and the threshold after it, end (hd/arrivals.h). */
#define COB_LIF_JUMP_CONDUCTANCE 0
#define COB_LIF_JUMP_CURRENT 1
COB_FORCE_INLINE int cob_lif_ordered(cob_lif_state *n, const cob_lif_prop *p, const cob_input *in, int32_t n_channels,
                                     const int jump)
{
    cob_lif_sub s;
    cob_arrivals a;
    uint32_t tick;
    int32_t c;
    if (cob_lif_sub_begin(&s, n, p, in, n_channels, &a))
        return COB_STEP_REFRACTORY;
    while (cob_arrivals_next(&a, &tick, &c)) {
        if (!cob_lif_sub_to(&s, p, tick))
            continue;
        if (jump == COB_LIF_JUMP_CONDUCTANCE)
            s.v = p->chan_rev_mV[c] + (s.v - p->chan_rev_mV[c]) * p->chan_factor[c];
        else
            s.v += p->chan_factor[c];
        if (cob_lif_sub_fire(&s, p, tick))
            break;
    }
    return cob_lif_sub_end(&s, n, p, in);
}

#ifdef __cplusplus
}
#endif
#endif
