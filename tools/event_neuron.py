#!/usr/bin/env python3
"""Event-driven reference for unconnected lif_cond neurons driven by Poisson input: the same
model as cobalt's (docs/models/lif_cond.md, jump: linear) with no time step. Between input
spikes V decays exactly to E_L; an E spike moves V by a (E_E - V), an I spike by a_I (E_I - V);
a neuron fires when an input leaves V >= theta, is reset to V_r and ignores its input for
tau_rp. Input spikes arrive as one Poisson process of rate R_E + R_I per neuron, each E with
probability R_E / (R_E + R_I). Mean and s.d. of V are exact time averages over the
non-refractory time (what cobalt samples); CV over neurons with >= 2 ISIs, as cobalt's.

It tells the time-stepped simulation's errors (dt, docs/validation.md "Single neuron") apart
from those of the diffusion theory, and is vectorised over neurons (one numpy step per input
spike of each neuron: about 1e6 steps a minute).

  tools/event_neuron.py --k 1000 --a 0.01 [--g 12 --gamma 0.25 --nu-x 25 --eta 1.8
                        --n 200 --t 2 --warmup 0.02 --seed 1]
"""
import argparse

import numpy as np

NEURON = dict(tau_m=0.020, tau_rp=0.002, theta=-55.0, v_r=-65.0, e_l=-80.0, e_e=0.0, e_i=-75.0)


def simulate(k, a, g=12.0, gamma=0.25, nu_x=25.0, eta=1.8, n=200, t=2.0, warmup=0.02, seed=1, p=NEURON):
    """Rate (Hz), mean CV, V mean and s.d. (mV) of n independent neurons over t s after warmup s,
    each with K_E = k inputs at nu_x and K_I = gamma k at eta nu_x, weights a and g a."""
    rng = np.random.default_rng(seed)
    r_e, r_i = k * nu_x, gamma * k * eta * nu_x
    rate, p_e, a_i = r_e + r_i, r_e / (r_e + r_i), g * a
    tau, el, t_end = p["tau_m"], p["e_l"], warmup + t
    v = rng.uniform(p["v_r"], p["theta"], n)
    now = np.zeros(n)
    refr_end = np.full(n, -1.0)
    last = np.full(n, np.nan)
    sums = np.zeros((4, n))   # spikes, ISI sum, ISI^2 sum, ISI count
    sv, sv2, st = 0.0, 0.0, 0.0
    live = np.ones(n, bool)
    while live.any():
        idx = np.nonzero(live)[0]
        t0 = now[idx]
        t1 = np.minimum(t0 + rng.exponential(1.0 / rate, idx.size), t_end)
        # the leak over [max(t0, refractory end, warmup), t1): exact integrals of V and V^2
        start = np.maximum(t0, refr_end[idx])
        v0 = np.where(refr_end[idx] > t0, p["v_r"], v[idx])
        lo = np.maximum(start, warmup)
        d = (v0 - el) * np.exp(-np.clip(lo - start, 0, None) / tau)
        s = np.clip(t1 - lo, 0, None)
        e1 = np.exp(-s / tau)
        sv += np.sum(el * s + d * tau * (1 - e1))
        sv2 += np.sum(el * el * s + 2 * el * d * tau * (1 - e1) + d * d * tau / 2 * (1 - e1 * e1))
        st += np.sum(s)
        vv = el + (v0 - el) * np.exp(-np.clip(t1 - start, 0, None) / tau)
        now[idx] = t1
        done = t1 >= t_end
        active = ~done & (t1 >= refr_end[idx])
        is_e = rng.random(idx.size) < p_e
        vv = np.where(active & is_e, vv + a * (p["e_e"] - vv), vv)
        vv = np.where(active & ~is_e, vv + a_i * (p["e_i"] - vv), vv)
        fire = active & (vv >= p["theta"])
        v[idx] = np.where(fire, p["v_r"], vv)
        fi = idx[fire]
        refr_end[fi] = now[fi] + p["tau_rp"]
        counted = fi[now[fi] >= warmup]
        isi = now[counted] - last[counted]
        ok = ~np.isnan(isi)
        sums[0, counted] += 1
        sums[1, counted[ok]] += isi[ok]
        sums[2, counted[ok]] += isi[ok] ** 2
        sums[3, counted[ok]] += 1
        last[counted] = now[counted]
        live[idx[done]] = False
    m = sums[3] >= 2
    mean_isi = sums[1, m] / sums[3, m]
    cv = np.sqrt(np.maximum(sums[2, m] / sums[3, m] - mean_isi ** 2, 0)) / mean_isi
    v_mean = sv / st
    return dict(rate_hz=sums[0].sum() / (n * t), cv=cv.mean() if cv.size else np.nan, v_mean_mV=v_mean,
                v_sd_mV=np.sqrt(sv2 / st - v_mean ** 2), spikes=int(sums[0].sum()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--k", type=float, required=True)
    ap.add_argument("--a", type=float, required=True)
    ap.add_argument("--g", type=float, default=12.0)
    ap.add_argument("--gamma", type=float, default=0.25)
    ap.add_argument("--nu-x", type=float, default=25.0)
    ap.add_argument("--eta", type=float, default=1.8)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--t", type=float, default=2.0)
    ap.add_argument("--warmup", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=1)
    x = ap.parse_args()
    if not (x.k > 0 and 0 < x.a < 1 and x.g >= 0 and x.gamma >= 0 and x.nu_x > 0 and x.eta >= 0 and x.n > 0
            and x.t > 0 and x.warmup >= 0):
        ap.error("need k > 0, 0 < a < 1, g, gamma, eta >= 0, nu_x > 0, n > 0, t > 0, warmup >= 0")
    r = simulate(x.k, x.a, x.g, x.gamma, x.nu_x, x.eta, x.n, x.t, x.warmup, x.seed)
    print(f"K {x.k:g} a {x.a:g}: rate {r['rate_hz']:.4f} Hz, CV {r['cv']:.4f}, V mean {r['v_mean_mV']:.4f} mV, "
          f"s.d. {r['v_sd_mV']:.4f} mV ({r['spikes']} spikes)")


if __name__ == "__main__":
    main()
