#!/usr/bin/env python3
"""Seed 004's single neuron with exponential synapses (Appendix G; docs/validation.md, "Finite
synaptic time constants"): Fig. 14 (K grows, a follows Eq. 14, one column per tau_S) and the
single-neuron part of Fig. 6 (nu_X grows at K = 1000, one curve per tau_S). Runs the shipped
sweeps once per tau_S (cobalt sweep ... --set populations.N.tau_syn_{e,i}_ms=TS), reads every
point file's simulated rate and V statistics and its /theory group (Eq. 10, G9, G10, G11, the
moments; include/cobalt/theory.h), writes one CSV row per point, and plots. `baseline` adds
rows with tau_s_ms = 0: the same neuron with instantaneous synapses (lif_cond, jump exp, the
tau_S -> 0 limit of lif_cond_exp), at dt = 2/K ms and 200 neurons, at a subset of the points
(its cost grows like K): the reference that separates the finite-tau_S effect from the error of
the diffusion approximation itself (at a ~ 0.01 the simulated rate is well above Eq. 10).

  tools/syn_tau_figs.py run fig14 --cobalt build/cobalt --csv docs/figures/fig14_tau_s.csv
  tools/syn_tau_figs.py run fig6 --cobalt build/cobalt --csv docs/figures/fig6_single.csv
  tools/syn_tau_figs.py baseline fig14 --cobalt build/cobalt --csv docs/figures/fig14_tau_s.csv
  tools/syn_tau_figs.py baseline fig6 --cobalt build/cobalt --csv docs/figures/fig6_single.csv
  tools/syn_tau_figs.py plot fig14 --csv docs/figures/fig14_tau_s.csv -o docs/figures/fig14_tau_s.png
  tools/syn_tau_figs.py plot fig6 --csv docs/figures/fig6_single.csv -o docs/figures/fig6_single.png
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

FIGS = {
    "fig14": ("configs/validation/fig14_tau_s.yaml", [0.1, 0.5, 2.0]),
    "fig6": ("configs/validation/fig6_single.yaml", [1.0, 2.0, 5.0, 10.0]),
}
# baseline points: the sweep block of the instantaneous runs (dt = 2/K ms)
BASELINE = {
    "fig14": """sweep:
  k: {values: [1000, 3000, 10000], law: sanzeni}
  set:
    run.dt_ms: [0.002, 0.0007, 0.0002]
    run.t_sim_ms: [2000, 2000, 1000]
  combine: zip
""",
    "fig6": """sweep:
  set:
    populations.XE.rate_hz: [2, 3, 5, 10, 20, 50]
    populations.XI.rate_hz: [3, 4.5, 7.5, 15, 30, 75]
    run.dt_ms: [0.002, 0.002, 0.002, 0.002, 0.002, 0.002]
  combine: zip
""",
}
FIELDS = ["tau_s_ms", "K", "a", "nu_x_hz", "rate_hz", "rate_se_hz", "n", "t_s", "v_mean_mV", "v_sd_mV",
          "eq10_hz", "g9_hz", "g10_hz", "g11_hz", "pick", "tau_eff_ms", "ratio", "mu_mV", "sigma_mV",
          "v_sd_eq17_mV", "v_sd_free_mV", "wall_s", "commit"]


def points(cobalt, config, sets):
    """Index -> dict of the point's overrides, from cobalt sweep --list."""
    p = subprocess.run([cobalt, "sweep", config, "--list"] + sets, capture_output=True, text=True, check=True)
    out = {}
    for line in p.stdout.splitlines():
        idx, _, rest = line.partition("\t")
        kv = dict(re.findall(r"--set (\S+)=(\S+)", rest))
        out[int(idx)] = kv
    return out


def run(x):
    config, taus = FIGS[x.fig]
    new = not os.path.exists(x.csv)
    with open(x.csv, "a", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        if new:
            w.writeheader()
        for ts in taus:
            sets = ["--set", f"populations.N.tau_syn_e_ms={ts}", "--set", f"populations.N.tau_syn_i_ms={ts}"]
            pts = points(x.cobalt, config, sets)
            with tempfile.TemporaryDirectory() as d:
                t0 = time.time()
                p = subprocess.run([x.cobalt, "sweep", config, "--dir", d, "--out", os.path.join(d, "s.h5"),
                                    "--quiet"] + sets, capture_output=True, text=True,
                                   env=dict(os.environ, OMP_NUM_THREADS="1"))
                wall = time.time() - t0
                if p.returncode != 0:
                    sys.exit(f"cobalt sweep: exit {p.returncode}: {p.stderr.strip()}")
                for i, kv in sorted(pts.items()):
                    w.writerow(row(os.path.join(d, f"point_{i}.h5"), ts, kv, wall / len(pts)))
                    f.flush()
            print(f"tau_S = {ts} ms: {len(pts)} points, {wall:.0f} s", file=sys.stderr)


def baseline(x):
    config, _ = FIGS[x.fig]
    text = open(config).read()
    text = text.replace("model: lif_cond_exp", "model: lif_cond, jump: exp")
    text = re.sub(r", tau_syn_e_ms: [0-9.]+, tau_syn_i_ms: [0-9.]+", "", text)
    text = text[: text.index("sweep:")] + BASELINE[x.fig]
    sets = ["--set", "populations.N.size=200", "--set", "stats.v_hist.stride_steps=10"]
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, os.path.basename(config))
        with open(cfg, "w") as f:
            f.write(text)
        pts = points(x.cobalt, cfg, sets)
        t0 = time.time()
        p = subprocess.run([x.cobalt, "sweep", cfg, "--dir", d, "--out", os.path.join(d, "s.h5"), "--quiet"] + sets,
                           capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
        wall = time.time() - t0
        if p.returncode != 0:
            sys.exit(f"cobalt sweep: exit {p.returncode}: {p.stderr.strip()}")
        with open(x.csv, "a", newline="") as f:
            w = csv.DictWriter(f, FIELDS)
            for i, kv in sorted(pts.items()):
                w.writerow(row(os.path.join(d, f"point_{i}.h5"), 0.0, kv, wall / len(pts)))
    print(f"baseline {x.fig}: {len(pts)} points, {wall:.0f} s", file=sys.stderr)


def row(path, ts, kv, wall):
    with h5py.File(path, "r") as h:
        pop = h["populations/N"].attrs
        th = h["theory"].attrs
        n = int(pop["n"])
        t_s = float(h["/"].attrs.get("t_sim_ms", np.nan)) / 1000 if "t_sim_ms" in h["/"].attrs else np.nan
        commit = h["/"].attrs.get("commit", b"")
        commit = commit.decode() if isinstance(commit, bytes) else str(commit)
        return {
            "tau_s_ms": ts, "K": float(kv.get("projections.0.indegree", 1000)),
            "a": float(kv.get("projections.0.weight", pop["chan_weight"][0])),
            "nu_x_hz": float(kv.get("populations.XE.rate_hz", 20.0)),
            "rate_hz": float(pop["mean_rate_hz"]), "rate_se_hz": float(pop["sd_rate_hz"]) / np.sqrt(n),
            "n": n, "t_s": t_s, "v_mean_mV": float(pop["v_pop_mean_mV"]), "v_sd_mV": float(pop["v_pop_sd_mV"]),
            "eq10_hz": float(th["rate_hz"]), "g9_hz": float(th.get("rate_g9_hz", np.nan)),
            "g10_hz": float(th.get("rate_g10_hz", np.nan)),
            "g11_hz": float(th.get("rate_g11_hz", np.nan)), "pick": int(th.get("syn_pick", 0)),
            "tau_eff_ms": float(th["tau_eff_ms"]), "ratio": float(th.get("tau_syn_over_tau_eff", 0.0)),
            "mu_mV": float(th["mu_mV"]),
            "sigma_mV": float(th["sigma_mV"]), "v_sd_eq17_mV": float(th["v_sd_mV"]),
            "v_sd_free_mV": float(th.get("v_sd_free_mV", float(th["sigma_mV"]) / np.sqrt(2))), "wall_s": round(wall, 1), "commit": commit,
        }


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return [{k: (v if k == "commit" else float(v)) for k, v in r.items()} for r in rows]


def plot(x):
    import matplotlib
    import matplotlib.ticker
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = load(x.csv)
    taus = sorted({r["tau_s_ms"] for r in rows if r["tau_s_ms"] > 0})
    base = sorted([r for r in rows if r["tau_s_ms"] == 0], key=lambda r: r["K"] + r["nu_x_hz"])
    xkey, xlabel = ("K", "K") if x.fig == "fig14" else ("nu_x_hz", r"$\nu_X$ (Hz)")
    if x.fig == "fig14":
        fig, ax = plt.subplots(2, len(taus), figsize=(4 * len(taus), 7), squeeze=False)
        for j, ts in enumerate(taus):
            rs = sorted([r for r in rows if r["tau_s_ms"] == ts], key=lambda r: r["K"])
            for i, xk in enumerate([xkey, "ratio"]):
                a = ax[i][j]
                xs = [r[xk] for r in rs]
                pos = [r for r in rs if r["rate_hz"] > 0]
                a.errorbar([r[xk] for r in pos], [r["rate_hz"] for r in pos], yerr=[2 * r["rate_se_hz"] for r in pos],
                           fmt="ko", label="simulation (2 s.e.)")
                zero = [r for r in rs if r["rate_hz"] == 0]
                a.plot([r[xk] for r in zero], [1.5e-4] * len(zero), "kv", mfc="none", label="no spike")
                if i == 0 and base:
                    a.plot([r["K"] for r in base], [r["rate_hz"] for r in base], "s", color="0.6",
                           label=r"simulation, $\tau_S$ = 0")
                for key, c, lab in [("eq10_hz", "g", "Eq. 10"), ("g9_hz", "b", "G9"), ("g11_hz", "r", "G11"),
                                    ("g10_hz", "m", "G10")]:
                    a.plot(xs, [max(r[key], 1e-4) for r in rs], c + "-", label=lab)
                a.set_xscale("log")
                a.set_yscale("log")
                a.set_ylim(1e-4, 300)
                a.set_xlabel(xlabel if i == 0 else r"$\tau_S/\tau_{eff}$")
                a.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
                if j == 0:
                    a.set_ylabel("rate (Hz)")
                if i == 0:
                    a.set_title(rf"$\tau_S$ = {ts:g} ms")
        ax[0][0].legend(fontsize=8)
    else:
        fig, ax = plt.subplots(4, 1, figsize=(6, 12), sharex=True)
        cols = plt.cm.viridis(np.linspace(0, 0.9, len(taus)))
        for ts, c in zip(taus, cols):
            rs = sorted([r for r in rows if r["tau_s_ms"] == ts], key=lambda r: r[xkey])
            xs = [r[xkey] for r in rs]
            ax[0].errorbar(xs, [r["rate_hz"] for r in rs], yerr=[2 * r["rate_se_hz"] for r in rs], fmt="o",
                           color=c, label=rf"$\tau_S$ = {ts:g} ms")
            # the applicable approximation (cob_theory_syn_pick: G9 below tau_S/tau_eff = 1, G11 above)
            ax[0].plot(xs, [r["g9_hz"] if r["pick"] == 1 else r["g11_hz"] for r in rs], "-", color=c, lw=1)
            ax[2].plot(xs, [r["v_mean_mV"] for r in rs], "o", color=c)
            ax[3].plot(xs, [r["v_sd_mV"] for r in rs], "o", color=c)
            ax[3].plot(xs, [r["v_sd_free_mV"] for r in rs], "--", color=c, lw=1)
            ax[1].axhline(ts, color=c, ls=":", lw=1)
        rs = sorted([r for r in rows if r["tau_s_ms"] == taus[0]], key=lambda r: r[xkey])
        xs = [r[xkey] for r in rs]
        ax[0].plot(xs, [r["eq10_hz"] for r in rs], "k-", label="Eq. 10 (instantaneous)")
        if base:
            ax[0].plot([r["nu_x_hz"] for r in base], [r["rate_hz"] for r in base], "ks", mfc="none",
                       label=r"simulation, $\tau_S$ = 0")
        ax[1].plot(xs, [r["tau_eff_ms"] for r in rs], "k-")
        ax[2].plot(xs, [r["mu_mV"] for r in rs], "k-")
        ax[2].axhline(-55, color="k", ls=":")
        ax[3].plot(xs, [r["v_sd_eq17_mV"] for r in rs], "k-")
        ax[0].set_ylabel("rate (Hz)")
        ax[0].set_yscale("log")
        ax[0].set_ylim(1e-3, 300)
        ax[1].set_ylabel(r"$\tau_{eff}$ (ms)")
        ax[1].set_yscale("log")
        ax[2].set_ylabel(r"mean V, $\mu$ (mV)")
        ax[3].set_ylabel(r"$\sigma_V$ (mV)")
        ax[3].set_xscale("log")
        ax[3].set_xlabel(xlabel)
        ax[0].legend(fontsize=7)
        ax[0].set_title("lines: G9 where tau_S/tau_eff < 1, G11 above; dashed: G8's free s.d.", fontsize=8)
    fig.tight_layout()
    fig.savefig(x.o, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ["run", "baseline"]:
        r = sub.add_parser(name)
        r.add_argument("fig", choices=sorted(FIGS))
        r.add_argument("--cobalt", default="build/cobalt")
        r.add_argument("--csv", required=True)
    p = sub.add_parser("plot")
    p.add_argument("fig", choices=sorted(FIGS))
    p.add_argument("--csv", required=True)
    p.add_argument("-o", required=True)
    x = ap.parse_args()
    {"run": run, "baseline": baseline, "plot": plot}[x.cmd](x)


if __name__ == "__main__":
    main()
