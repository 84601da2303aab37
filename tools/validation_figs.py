#!/usr/bin/env python3
"""Figures of docs/validation.md from cobalt sweep files (configs/validation/*.yaml).

  tools/validation_figs.py --laws none=A.h5 sqrt=B.h5 log=C.h5 matched=D.h5 \
      --curr E.h5 --cvk F.h5 --out docs/figures

Each figure puts the simulation (markers) beside the mean-field prediction that the sweep file
stores for every point (/summary/*_theory_*, from include/cobalt/theory.h).
"""
import argparse
import os

import h5py
import matplotlib

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


if __name__ == "__main__":
    main()
