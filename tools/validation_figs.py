#!/usr/bin/env python3
"""Figures of docs/validation.md from cobalt sweep files (configs/validation/*.yaml).

  tools/validation_figs.py --laws none=A.h5 sqrt=B.h5 log=C.h5 matched=D.h5 \
      --curr E.h5 --cvk F.h5 --single none=G.h5 sqrt=H.h5 sanzeni=I.h5 matched=J.h5 \
      [--cobalt build/cobalt] [--exact] --out docs/figures

Each figure puts the simulation (markers) beside the mean-field prediction that the sweep file
stores for every point (/summary/*_theory_*, from include/cobalt/theory.h). The single-neuron
figure (configs/validation/single_neuron_k.yaml) adds dense theory curves of a(K), rate and CV
from `cobalt theory CONFIG --k ... --law ...` run on the config stored in the sweep file, and
with --exact the event-driven reference of the same model (tools/event_neuron.py, no time
step; a few minutes) at every point, printed as a table too.
"""
import argparse
import os
import subprocess
import tempfile

import h5py
import matplotlib
import yaml

import event_neuron

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def summary(path):
    with h5py.File(path, "r") as f:
        return {k: f["summary"][k][()] for k in f["summary"]}


def fig_laws(laws, out):
    fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
    for i, (law, path) in enumerate(laws):
        s = summary(path)
        c = f"C{i}"
        ax[0].plot(s["K"], s["weight_E"], "o-", color=c, label=law)
        ax[1].plot(s["K"], s["E_rate_hz"], "o", color=c, label=f"{law} (sim.)")
        ax[1].plot(s["K"], s["E_theory_rate_hz"], "--", color=c)
        ax[2].plot(s["K"], s["E_cv"], "o", color=c)
        ax[2].plot(s["K"], s["E_theory_cv"], "--", color=c)
    ax[0].set(xscale="log", yscale="log", xlabel="K", ylabel="a", title="weight a(K) by law")
    ax[1].set_yscale("symlog", linthresh=0.1)
    ax[1].set(xscale="log", ylim=(0, 800), xlabel="K", ylabel="rate (Hz)",
              title="E rate: simulation (o), mean field (--)")
    ax[2].set(xscale="log", xlabel="K", ylabel="CV of ISI", title="CV of ISI")
    ax[0].legend(fontsize=8)
    ax[1].legend(fontsize=8)
    fig.suptitle("conductance-based network, nu_X = 25 Hz, anchor (K0, a0) = (400, 2.5e-3)")
    fig.tight_layout()
    return save(fig, out, "k_laws_cond.png")


def fig_contrast(cond, curr, out):
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for a, path, title in ((ax[0], cond, "conductance-based, a ~ 1/sqrt(K)"),
                           (ax[1], curr, "current-based (Brunel), J ~ 1/sqrt(K)")):
        s = summary(path)
        a.plot(s["K"], s["E_rate_hz"], "o", label="simulation")
        a.plot(s["K"], s["E_theory_rate_hz"], "--", label="mean field")
        a.set(xscale="log", xlabel="K", ylabel="E rate (Hz)", title=title)
        a.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, out, "k_sqrt_contrast.png")


def fig_cvk(path, out):
    fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
    cvk, dnu, quiet = [], [], []
    with h5py.File(path, "r") as f:
        cols = {k: f["summary"][k][()] for k in f["summary"]}
        for i in range(int(f.attrs["n_points"])):
            g = f[f"points/{i}/populations/E"]
            r = g["rate_hz"][()]
            cv = g["cv_isi"][()]
            label = f"CV_K = {cols['cv_k'][i]:g}"
            bins = np.logspace(-1, np.log10(max(r.max(), 1) * 1.1), 40)
            pos = r[r > 0]
            ax[0].hist(pos, bins=bins, histtype="step", weights=np.full(pos.size, 1.0 / r.size), label=label)
            ax[1].hist(cv[np.isfinite(cv)], bins=np.linspace(0, 2, 41), histtype="step", density=True)
            cvk.append(cols["cv_k"][i])
            dnu.append(r.std() / r.mean())
            quiet.append(g.attrs["frac_quiescent"])
    ax[0].set(xscale="log", xlabel="rate (Hz)", ylabel="fraction of neurons per log bin",
              title="rates (E; silent cells not shown)")
    ax[0].legend(fontsize=7)
    ax[1].set(xlabel="CV of ISI", ylabel="density", title="CV of ISI (E, >= 2 ISIs)")
    ax[2].plot(cvk, dnu, "o-", color="C2", label="Delta nu / nu")
    ax[2].set(xlabel="CV_K", ylabel="Delta nu / nu")
    q = ax[2].twinx()
    q.plot(cvk, quiet, "s-", color="C5", label="quiescent fraction")
    q.set_ylabel("fraction without a spike (3 s)")
    ax[2].legend(loc="upper left", fontsize=8)
    q.legend(loc="lower right", fontsize=8)
    fig.suptitle("Fig. 4 network of seed 004 (K = 1000, a = 1.6e-3, g = 20), heterogeneous in-degree")
    fig.tight_layout()
    return save(fig, out, "cv_k_fig4.png")


def theory_table(cobalt, config_text, ks, laws):
    """Rows of `cobalt theory --k ks --law laws` (the C library): {law: arrays K, a, rate, cv, mu,
    sigma} (mu, sigma in mV: Eq. 5)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as t:
        t.write(config_text)
    try:
        cmd = [cobalt, "theory", t.name, "--k", ",".join(f"{k:.6g}" for k in ks), "--law", ",".join(laws)]
        text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        err = getattr(e, "stderr", None) or str(e)
        raise SystemExit(f"validation_figs.py: `{cobalt} theory` failed (--cobalt names the binary): {err.strip()}")
    finally:
        os.unlink(t.name)
    rows = {law: [] for law in laws}
    for line in text.splitlines():
        w = line.split()
        if len(w) == 9 and w[0] in rows:   # law K a nu CV mu sigma tau states
            rows[w[0]].append([float(x) for x in w[1:7]])
    return {law: dict(zip(("K", "a", "rate", "cv", "mu", "sigma"), np.array(r).T)) for law, r in rows.items() if r}


def single_inputs(cfg):
    """K, gamma, g, nu_x, eta of the unconnected population of a config text, as the theory
    library maps it (docs/theory.md, single neuron): K the first E input's in-degree."""
    c = yaml.safe_load(cfg)
    rate = {p["name"]: p.get("rate_hz", 0.0) for p in c["populations"]}
    e = [q for q in c["projections"] if q["receptor"] == "E"]
    i = [q for q in c["projections"] if q["receptor"] == "I"]
    k = float(e[0]["indegree"])
    nu_x = sum(q["indegree"] * rate[q["pre"]] for q in e) / k
    k_i = sum(q["indegree"] for q in i)
    eta = sum(q["indegree"] * rate[q["pre"]] for q in i) / (k_i * nu_x) if k_i else 0.0
    return dict(k=k, gamma=k_i / k, g=i[0]["weight"] / e[0]["weight"] if i else 0.0, nu_x=nu_x, eta=eta)


def exact_points(path, cfg, cache):
    """The event-driven reference at every point of a single-neuron sweep file (same K, a, n,
    durations); cache: {(K, a, t): result} shared between laws (the anchor is common)."""
    p = single_inputs(cfg)
    res = []
    with h5py.File(path, "r") as f:
        s = f["summary"]
        for i in range(int(f.attrs["n_points"])):
            pt = f[f"points/{i}"]
            key = (float(s["K"][i]), float(s["weight_E"][i]), float(pt.attrs["t_sim_ms"]))
            if key not in cache:
                cache[key] = event_neuron.simulate(
                    key[0], key[1], p["g"], p["gamma"], p["nu_x"], p["eta"],
                    n=int(pt["populations/N/spike_count"].shape[0]), t=key[2] / 1e3,
                    warmup=float(pt.attrs["t_warmup_ms"]) / 1e3, seed=7)
            res.append(cache[key])
    return {q: np.array([r[q] for r in res]) for q in ("rate_hz", "cv", "v_mean_mV", "v_sd_mV")}


def fig_single(laws, cobalt, out, exact=False):
    """Seed 004's Fig. 1D / 2 for the single neuron: a(K) by law, and rate, CV, V mean and s.d.
    of the simulated neurons (markers) against the Siegert theory at fixed input rates (lines);
    with exact, the event-driven reference of the same model (crosses)."""
    fig, ax = plt.subplots(2, 3, figsize=(15, 8.4))
    ax = ax.ravel()
    with h5py.File(laws[0][1], "r") as f:
        cfg = f["config"][()]
        cfg = cfg.decode() if isinstance(cfg, bytes) else str(cfg)
    dense = theory_table(cobalt, cfg, np.logspace(2, 5, 31), [law for law, _ in laws])
    theta = next(p.get("v_th_mV", -55.0) for p in yaml.safe_load(cfg)["populations"] if p["model"] != "poisson")
    cache = {}
    floor = 2e-5   # silent points (no spike in the run) are drawn here
    for i, (law, path) in enumerate(laws):
        s = summary(path)
        c = f"C{i}"
        k, th = s["K"], dense.get(law)
        if th is not None:
            ax[0].plot(th["K"], th["a"], "-", color=c, lw=1)
            ax[1].plot(th["K"], np.maximum(th["rate"], floor / 10), "-", color=c, lw=1)
            ax[2].plot(th["K"], th["cv"], "-", color=c, lw=1)
        ax[0].plot(k, s["weight_E"], "o", color=c, label=law)
        r = s["N_rate_hz"]
        ax[1].plot(k[r > 0], r[r > 0], "o", color=c, label=f"{law} (sim.)")
        ax[1].plot(k[r == 0], np.full((r == 0).sum(), floor), "v", color=c, ms=8)
        ax[2].plot(k, s["N_cv"], "o", color=c)
        ax[3].plot(k, s["N_v_mean_mV"], "o", color=c)
        ax[3].plot(k, s["N_theory_v_mean_mV"], "--", color=c)
        ax[4].plot(k, s["N_v_sd_mV"], "o", color=c)
        ax[4].plot(k, s["N_theory_v_sd_mV"], "--", color=c)
        pts = theory_table(cobalt, cfg, k, [law])[law]   # mu, sigma at the sweep's points
        vmax2 = ((theta - pts["mu"]) / pts["sigma"]) ** 2
        ok = (r > 0) & (s["N_theory_rate_hz"] > 1e-3)
        ax[5].plot(vmax2[ok], r[ok] / s["N_theory_rate_hz"][ok], "o", color=c, label=law)
        if exact:
            x = exact_points(path, cfg, cache)
            xr = x["rate_hz"]
            ax[1].plot(k[xr > 0], xr[xr > 0], "x", color="k", ms=7, label="event-driven" if i == 0 else None)
            ax[2].plot(k, x["cv"], "x", color="k", ms=7)
            ax[3].plot(k, x["v_mean_mV"], "x", color="k", ms=7)
            ax[4].plot(k, x["v_sd_mV"], "x", color="k", ms=7)
            print(f"{law}: K, a, rate sim / event-driven / Siegert (Hz), CV sim / event / Eq. 15")
            for j in range(len(k)):
                print(f"  {k[j]:7g} {s['weight_E'][j]:.4g}  {r[j]:8.4g} {xr[j]:8.4g} {s['N_theory_rate_hz'][j]:9.4g}"
                      f"  {s['N_cv'][j]:.3f} {x['cv'][j]:.3f} {s['N_theory_cv'][j]:.3f}"
                      f"  V {s['N_v_mean_mV'][j]:.2f} {x['v_mean_mV'][j]:.2f} {s['N_theory_v_mean_mV'][j]:.2f}"
                      f"  sd {s['N_v_sd_mV'][j]:.3f} {x['v_sd_mV'][j]:.3f} {s['N_theory_v_sd_mV'][j]:.3f}")
    ax[0].set(xscale="log", yscale="log", xlabel="K", ylabel="a",
              title="a(K) (Fig. 2A): Eq. 14 = sanzeni; lines: cobalt theory")
    ax[1].set(xscale="log", yscale="log", ylim=(floor / 2, 1e3), xlabel="K", ylabel="rate (Hz)",
              title="rate: cobalt (o; v = no spike), Siegert (lines)" + (", event-driven (x)" if exact else ""))
    ax[2].set(xscale="log", ylim=(0, 1.1), xlabel="K", ylabel="CV of ISI", title="CV of ISI (neurons with >= 2 ISIs)")
    ax[3].set(xscale="log", xlabel="K", ylabel="mV", title="mean V (non-refractory); Eq. 17 (--)")
    ax[4].set(xscale="log", xlabel="K", ylabel="mV", title="s.d. of V; Eq. 17 (--)")
    ax[5].axhline(1, color="k", lw=0.5)
    ax[5].set(yscale="log", xlabel="v_max^2 = ((theta - mu) / sigma)^2 (Eqs. 5, 11)",
              ylabel="cobalt / Siegert rate", title="excess over the diffusion theory (theory > 1e-3 Hz)")
    ax[5].legend(fontsize=8)
    ax[0].legend(fontsize=8)
    ax[1].legend(fontsize=8, loc="lower left")
    with h5py.File(laws[0][1], "r") as f:
        n = f["points/0/populations/N/spike_count"].shape[0]
    fig.suptitle(f"single conductance-based neuron ({n} unconnected cells), nu_X = 25 Hz, eta = 1.8, g = 12, "
                 "gamma = 1/4; anchor (K0, a0) = (1000, 0.01)")
    fig.tight_layout()
    return save(fig, out, "single_neuron_k.png")


def save(fig, out, name):
    path = os.path.join(out, name)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print(path)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--laws", nargs="*", default=[], help="LAW=sweep.h5 for the K-law figure")
    ap.add_argument("--curr", help="current-based sqrt sweep (k_sqrt_curr)")
    ap.add_argument("--cvk", help="CV_K sweep of the Fig. 4 network")
    ap.add_argument("--single", nargs="*", default=[], help="LAW=sweep.h5 of configs/validation/single_neuron_k.yaml")
    ap.add_argument("--cobalt", default="cobalt", help="the cobalt binary (for `cobalt theory`)")
    ap.add_argument("--exact", action="store_true", help="add the event-driven reference to the single-neuron figure")
    ap.add_argument("--out", default=".")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    laws = [tuple(x.split("=", 1)) for x in a.laws]
    if laws:
        fig_laws(laws, a.out)
    if a.curr and laws:
        fig_contrast(dict(laws)["sqrt"], a.curr, a.out)
    if a.cvk:
        fig_cvk(a.cvk, a.out)
    if a.single:
        single = [tuple(x.split("=", 1)) for x in a.single]
        bad = [x for x, p in zip(a.single, single) if len(p) != 2 or not os.path.isfile(p[1])]
        if bad:
            ap.error(f"--single: expected LAW=FILE with an existing sweep file, got {', '.join(bad)}")
        fig_single(single, a.cobalt, a.out, a.exact)


if __name__ == "__main__":
    main()
