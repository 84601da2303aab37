#!/usr/bin/env python3
"""Synthetic cobalt result and sweep files, for testing the plotting tools without running
the engine (tests/test_plot.c). The numbers are made up (gamma-distributed rates, normal
voltages, a smooth fake "theory"); only the layout is cobalt's (docs/results.md, and the
sweep layout described in cobalt_plot_sweep.py).

  tools/synth_results.py run OUT.h5 [--theory]
  tools/synth_results.py sweep OUT.h5 [--swept K|nu_x|K,nu_x] [--points N] [--law sqrt]

Pairs with cobalt_plot.py. Deliberate limits: a run holds populations E and I with 200
neurons each, a short raster and two traces; no physics.
"""
import argparse

import numpy as np

POPS = ("E", "I")
CONFIG = """run: {dt_ms: 0.1, t_warmup_ms: 100, t_sim_ms: 1000, seed: 1}
populations:
  - {name: E, model: lif_cond, size: 200}
  - {name: I, model: lif_cond, size: 200}
  - {name: X, model: poisson, size: 200, rate_hz: 25, input: pool}
# synthetic file (tools/synth_results.py): the numbers do not come from this config
"""


def _hist(values, edges):
    """Histogram with cobalt's clamping: below the first edge into bin 0, above the last into
    the last bin."""
    v = np.clip(values, edges[0], np.nextafter(edges[-1], -np.inf))
    return np.histogram(v, edges)[0].astype(np.uint64)


def write_population(g, rng, index, n, rate_hz, v_mean, v_sd, t_s):
    """Fill group g with the datasets and attributes of one lif_cond population."""
    rate = rng.gamma(4.0, rate_hz / 4.0, n)
    count = np.round(rate * t_s).astype(np.uint32)
    rate = count / t_s
    cv = np.where(count >= 3, rng.normal(0.8, 0.15, n), np.nan)
    v = rng.normal(v_mean, v_sd, 20000)
    v = v[v < -55.0]
    re, ce, ve = np.geomspace(0.01, 500, 61), np.linspace(0, 3, 51), np.linspace(-80, -50, 201)
    ts = rng.poisson(n * rate_hz * 1e-3, int(t_s * 1000)).astype(np.uint32)
    ds = {"spike_count": count, "rate_hz": rate, "n_isi": np.maximum(count.astype(np.int64) - 1, 0).astype(np.uint32),
          "cv_isi": cv, "rate_hist": _hist(rate, re), "rate_edges": re,
          "cv_hist": _hist(cv[np.isfinite(cv)], ce), "cv_edges": ce, "v_hist": _hist(v, ve), "v_edges": ve,
          "v_mean_mV": np.full(20, v.mean()), "v_sd_mV": np.full(20, v.std()), "rate_ts_counts": ts}
    for k, val in ds.items():
        g[k] = val
    ok = np.isfinite(cv)
    attrs = {"n": np.int64(n), "index": np.int64(index), "model": "lif_cond",
             "mean_rate_hz": rate.mean(), "sd_rate_hz": rate.std(), "mean_cv": cv[ok].mean(),
             "sd_cv": cv[ok].std(), "n_cv": np.int64(ok.sum()), "frac_quiescent": float(np.mean(count == 0)),
             "v_below": np.uint64(0), "v_above": np.uint64(0), "v_pop_mean_mV": v.mean(),
             "v_pop_sd_mV": v.std(), "bin_ms": 1.0, "pop_rate_cv": ts.std() / max(ts.mean(), 1e-12)}
    g.attrs.update(attrs)


def fake_theory(K, nu_x):
    """A smooth made-up (rate Hz, CV, mean V mV, s.d. V mV) for a point."""
    rate = 0.6 * nu_x * (1 + 30 / np.sqrt(K))
    return rate, 0.9 - 0.1 * np.log10(K) / 3, -59.0 - 0.3 * np.log10(K), 3.0 / np.log10(K)


def write_run(root, rng, K=400.0, nu_x=25.0, with_theory=False):
    """Write a whole synthetic run into root (a file or a group)."""
    rate, cv, vm, vs = fake_theory(K, nu_x)
    t_s = 1.0
    root.attrs.update({"cobalt_version": "0.0.0", "commit": "synthetic", "backend": "cpu", "device": "none",
                       "seed": np.uint64(1), "config_path": "", "created": "1970-01-01T00:00:00Z",
                       "dt_ms": 0.1, "t_sim_ms": 1000.0, "t_warmup_ms": 100.0, "t_measured_s": t_s,
                       "n_steps_measured": np.int64(10000)})
    root["config"] = CONFIG
    for i, name in enumerate(POPS):
        write_population(root.create_group(f"populations/{name}"), rng, i, 200,
                         rate * 0.9, vm + 0.3, vs * 0.9, t_s)
    step = np.sort(rng.integers(1000, 11000, 400))
    root["raster/step"] = step.astype(np.int64)
    root["raster/pop"] = rng.integers(0, 2, 400).astype(np.int32)
    root["raster/neuron"] = rng.integers(0, 10, 400).astype(np.int32)
    root["traces/pop"] = np.array([0, 1], np.int32)
    root["traces/neuron"] = np.array([0, 0], np.int32)
    root["traces/v_mV"] = rng.normal(vm, vs, (2, 1000)).astype(np.float32)
    root["traces"].attrs["stride_steps"] = np.int64(10)
    if with_theory:
        v = np.linspace(-75, -55, 300)
        p = np.exp(-0.5 * ((v - vm) / vs) ** 2)
        for name in POPS:
            g = root.create_group(f"theory/{name}")
            g["v_mV"], g["p_v"] = v, p / (p.sum() * (v[1] - v[0]))
            g.attrs.update({"rate_hz": rate, "cv": cv, "mu_mV": vm + 1.0, "sigma_mV": vs * 1.4})


def sweep_grid(swept, n):
    """The (K, nu_x) of every point for the swept names."""
    ks = np.round(np.geomspace(100, 10000, n))
    nus = np.linspace(5, 40, n)
    if swept == ["K"]:
        return [(k, 25.0) for k in ks]
    if swept == ["nu_x"]:
        return [(1000.0, nu) for nu in nus]
    return [(k, nu) for k in ks[::2] for nu in nus[::2]]


def write_sweep(path, swept, n, law, points=True, seed=1):
    """Write a synthetic sweep file to path."""
    import h5py
    rng = np.random.default_rng(seed)
    grid = sweep_grid(swept, n)
    cols = {c: [] for c in ("point", "K", "weight_E", "nu_x")}
    with h5py.File(path, "w") as f:
        f.attrs.update({"n_points": np.int64(len(grid)), "swept": ",".join(swept), "law": law})
        for i, (K, nu_x) in enumerate(grid):
            th = fake_theory(K, nu_x)
            sim = (th[0] * rng.normal(0.9, 0.03), th[1] * rng.normal(0.95, 0.02), th[2] + 0.3, th[3] * 0.95)
            for c, v in zip(("point", "K", "weight_E", "nu_x"), (i, K, 2.5e-3 * np.sqrt(400 / K), nu_x)):
                cols[c].append(v)
            for p in POPS:
                for q, s, t in zip(("rate_hz", "cv", "v_mean_mV", "v_sd_mV"), sim, th):
                    cols.setdefault(f"{p}_{q}", []).append(s)
                    cols.setdefault(f"{p}_theory_{q}", []).append(t)
            if points:
                write_run(f.create_group(f"points/{i}"), rng, K, nu_x)
        for c, v in cols.items():
            if c in ("K", "weight_E", "point") or c in swept or c.startswith(POPS):
                f[f"summary/{c}"] = np.asarray(v, np.int64 if c == "point" else np.float64)


def main():
    """Command line: write the synthetic file asked for."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=("run", "sweep"))
    ap.add_argument("out", help="file to write")
    ap.add_argument("--theory", action="store_true", help="run: add a /theory group")
    ap.add_argument("--swept", default="K", help="sweep: K, nu_x or K,nu_x (K)")
    ap.add_argument("--points", type=int, default=6, help="sweep: points per swept column (6)")
    ap.add_argument("--law", default="sqrt", help="sweep: the root attribute law (sqrt)")
    ap.add_argument("--no-point-groups", action="store_true", help="sweep: no /points groups")
    a = ap.parse_args()
    if a.kind == "run":
        import h5py
        with h5py.File(a.out, "w") as f:
            write_run(f, np.random.default_rng(1), with_theory=a.theory)
    else:
        swept = [s.strip() for s in a.swept.split(",")]
        if any(s not in ("K", "nu_x") for s in swept):
            ap.error("--swept takes K, nu_x or K,nu_x")
        write_sweep(a.out, swept, a.points, a.law, not a.no_point_groups)


if __name__ == "__main__":
    main()
