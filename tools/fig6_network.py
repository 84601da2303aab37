#!/usr/bin/env python3
"""Seed 004 Fig. 6, network part (docs/validation.md, "Fig. 6, network"): the Fig. 4 network
(configs/sanzeni2020_fig4.yaml: K = 1000, a = 1.6e-3, g = 20) with exponential conductances
(lif_cond_exp, tau_S the same for E and I) against the instantaneous model (tau_S = 0: lif_cond),
swept over nu_X. Per point: the simulated E rate, CV, V mean and s.d., the effective membrane time
constant tau_eff = tau_L / (1 + g_E + g_I + g_X) from the sampled neurons' mean conductances
(stats.balance_neurons, docs/results.md "Input balance"), and the theory: the instantaneous mean
field (Eq. 19 with Eq. 10: /theory in the result file) and the network re-solved with G9 and G11
(`cobalt theory`, "self-consistent with Appendix G's transfer functions").

  tools/fig6_network.py run --cobalt build/cobalt --csv docs/figures/fig6_network.csv
  tools/fig6_network.py plot --csv docs/figures/fig6_network.csv -o docs/figures/fig6_network.png
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONFIG = os.path.join(ROOT, "configs", "sanzeni2020_fig4.yaml")
TAU_L_MS = 20.0
FIELDS = ["tau_s_ms", "nu_x_hz", "rate_hz", "cv", "v_mean_mV", "v_sd_mV", "tau_eff_sim_ms", "mf_rate_hz",
          "mf_tau_eff_ms", "mf_mu_mV", "mf_sigma_mV", "mf_v_sd_free_mV", "g9_sc_hz", "g11_sc_hz", "run_s", "commit"]


def point_sets(ts, nu):
    s = [f"populations.X.rate_hz={nu:g}", "run.t_warmup_ms=300", "run.t_sim_ms=1000", "stats.balance_neurons=200",
         "stats.v_neurons=200"]
    if ts > 0:
        for p in ("E", "I"):
            s += [f"populations.{p}.model=lif_cond_exp", f"populations.{p}.tau_syn_e_ms={ts:g}",
                  f"populations.{p}.tau_syn_i_ms={ts:g}"]
    return s


def sc_rates(cobalt, sets):
    """Self-consistent G9 and G11 rates (the stable ones, highest first) from `cobalt theory`."""
    args = [cobalt, "theory", CONFIG]
    for s in sets:
        args += ["--set", s]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    if "self-consistent with Appendix G" not in out:
        return float("nan"), float("nan")
    block = out.split("self-consistent with Appendix G", 1)[1]
    res = []
    for tag in ("G9", "G11"):
        m = re.search(r"^\s*" + tag + r" \(.*$", block, re.M)
        rates = [float(x) for x in re.findall(r"([0-9.eE+-]+) Hz \(stable", m.group(0))] if m else []
        res.append(max(rates) if rates else float("nan"))
    return res[0], res[1]


def run(a):
    with tempfile.TemporaryDirectory() as tmp:
        for ts in [float(x) for x in a.tau_s.split(",")]:
            for nu in [float(x) for x in a.nu_x.split(",")]:
                sets = point_sets(ts, nu)
                out = os.path.join(tmp, "p.h5")
                args = [a.cobalt, "run", CONFIG, "--out", out]
                for s in sets:
                    args += ["--set", s]
                t0 = time.time()
                p = subprocess.run(args, capture_output=True, text=True,
                                   env=dict(os.environ, OMP_NUM_THREADS=str(a.threads)))
                if p.returncode != 0:
                    sys.exit(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
                j = json.loads(p.stdout.strip().splitlines()[-1])
                with h5py.File(out, "r") as f:
                    g = f["populations/E"]
                    gsum = g["balance_g_e"][:] + g["balance_g_i"][:] + g["balance_g_ext"][:]
                    th = f["theory"].attrs if "theory" in f else {}
                    row = dict(tau_s_ms=ts, nu_x_hz=nu, rate_hz=j["populations"]["E"]["rate_hz"],
                               cv=j["populations"]["E"]["cv"], v_mean_mV=j["populations"]["E"]["v_mean_mV"],
                               v_sd_mV=j["populations"]["E"]["v_sd_mV"],
                               tau_eff_sim_ms=TAU_L_MS / (1.0 + float(np.mean(gsum))),
                               mf_rate_hz=float(th.get("rate_hz", np.nan)),
                               mf_tau_eff_ms=float(th.get("tau_eff_ms", np.nan)),
                               mf_mu_mV=float(th.get("mu_mV", np.nan)), mf_sigma_mV=float(th.get("sigma_mV", np.nan)),
                               mf_v_sd_free_mV=float(th.get("v_sd_free_mV", np.nan)),
                               run_s=round(time.time() - t0, 1), commit=j["commit"])
                row["g9_sc_hz"], row["g11_sc_hz"] = sc_rates(a.cobalt, sets) if ts > 0 else (np.nan, np.nan)
                new = not os.path.exists(a.csv)
                with open(a.csv, "a", newline="") as fh:
                    w = csv.DictWriter(fh, FIELDS)
                    if new:
                        w.writeheader()
                    w.writerow(row)
                print(row, flush=True)


def plot(a):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = list(csv.DictReader(open(a.csv)))
    taus = sorted({float(r["tau_s_ms"]) for r in rows})
    fig, ax = plt.subplots(1, 3, figsize=(13, 3.8))
    for k, ts in enumerate(taus):
        rr = sorted([r for r in rows if float(r["tau_s_ms"]) == ts], key=lambda r: float(r["nu_x_hz"]))
        nu = [float(r["nu_x_hz"]) for r in rr]
        col = f"C{k}"
        lab = "instantaneous (lif_cond)" if ts == 0 else f"tau_S = {ts:g} ms"
        ax[0].plot(nu, [float(r["rate_hz"]) for r in rr], "o-", color=col, label=lab)
        if ts > 0:
            ax[0].plot(nu, [float(r["g11_sc_hz"]) for r in rr], ":", color=col)
        ax[1].plot(nu, [float(r["tau_eff_sim_ms"]) for r in rr], "o-", color=col)
        ax[2].plot(nu, [float(r["v_sd_mV"]) for r in rr], "o-", color=col)
    r0 = sorted([r for r in rows if float(r["tau_s_ms"]) == taus[0]], key=lambda r: float(r["nu_x_hz"]))
    nu0 = [float(r["nu_x_hz"]) for r in r0]
    ax[0].plot(nu0, [float(r["mf_rate_hz"]) for r in r0], "k--", label="mean field, instantaneous (Eq. 19)")
    ax[1].plot(nu0, [float(r["mf_tau_eff_ms"]) for r in r0], "k--")
    ax[0].set_ylabel("E rate (Hz)")
    ax[1].set_ylabel("tau_eff (ms): tau_L / (1 + sum g); dashed: theory")
    ax[2].set_ylabel("s.d. of V (mV)")
    for x in ax:
        x.set_xlabel("nu_X (Hz)")
    ax[0].legend(fontsize=7)
    fig.suptitle("Fig. 4 network with exponential conductances (dotted: network re-solved with G11)", fontsize=9)
    fig.tight_layout()
    fig.savefig(a.o, dpi=110)
    print(f"wrote {a.o}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--cobalt", default=os.path.join(ROOT, "build", "cobalt"))
    r.add_argument("--csv", required=True)
    r.add_argument("--tau-s", default="0,1,2,5,10")
    r.add_argument("--nu-x", default="10,25,50")
    r.add_argument("--threads", type=int, default=2)
    p = sub.add_parser("plot")
    p.add_argument("--csv", required=True)
    p.add_argument("-o", required=True)
    a = ap.parse_args()
    run(a) if a.cmd == "run" else plot(a)


if __name__ == "__main__":
    main()
