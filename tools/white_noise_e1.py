#!/usr/bin/env python3
"""Seed 001's experiment E1 (docs/validation.md, "White-noise input"): unconnected current-based
LIF neurons (theta = 1 mV, reset 0, no refractory period) under white-noise input of mean mu
(mV/s) and amplitude sigma (mV/sqrt(s)), for (tau, sigma) = (20 ms, 1), (15 ms, 3), (10 ms, 5)
and mu = 0 .. 50 mV/s, against the Siegert rate Phi(mu tau, sigma sqrt(tau)) (the diffusion
process has no other approximation), at several time steps.

  tools/white_noise_e1.py run --cobalt build/cobalt --csv docs/figures/white_noise_e1.csv [--dt-us 10,50]
  tools/white_noise_e1.py plot --csv docs/figures/white_noise_e1.csv -o docs/figures/white_noise_e1.png
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy import integrate, special

CASES = [(20.0, 1.0), (15.0, 3.0), (10.0, 5.0)]  # (tau_ms, sigma mV/sqrt(s))
FIELDS = ["tau_ms", "sigma", "mu", "dt_us", "rate_hz", "cv", "siegert_hz", "n", "t_s", "commit"]

CONFIG = """run: {{dt_ms: {dt_ms}, t_warmup_ms: 100, t_sim_ms: {t_ms}, seed: 1}}
populations:
  - {{name: N, model: lif_curr, size: {n}, e_l_mV: 0, v_th_mV: 1, v_reset_mV: 0, tau_ref_ms: 0,
     tau_m_ms: {tau}, v_init_mV: [0, 1], noise: {{mu_mV_per_s: {mu}, sigma_mV_per_sqrt_s: {sigma}}}}}
stats: {{v_hist: {{min_mV: -2, max_mV: 1}}}}
"""


def siegert(tau_ms, mu_w, sigma_w, theta=1.0, vr=0.0):
    """Rate (Hz) of dV = -V/tau dt + mu_w dt + sigma_w dW with threshold theta, reset vr."""
    tau = tau_ms * 1e-3
    mu, sig = mu_w * tau, sigma_w * np.sqrt(tau)  # mean, and sigma with var(V) = sig^2 / 2
    lo, hi = (vr - mu) / sig, (theta - mu) / sig
    val, _ = integrate.quad(lambda x: special.erfcx(-x), lo, hi, limit=400)
    return 1.0 / (tau * np.sqrt(np.pi) * val)


def run(x):
    new = not os.path.exists(x.csv)
    with open(x.csv, "a", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        if new:
            w.writeheader()
        for tau, sigma in CASES:
            for mu in range(0, 51, 5):
                nu = siegert(tau, mu, sigma)
                # about 4000 expected spikes, within 0.5 .. 5 s
                t_s = float(np.clip(4000.0 / (x.n * max(nu, 1e-3)), 0.5, 5.0))
                for dt in [float(d) for d in x.dt_us.split(",")]:
                    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as c:
                        c.write(CONFIG.format(dt_ms=dt / 1000, t_ms=t_s * 1000, n=x.n, tau=tau, mu=mu, sigma=sigma))
                    p = subprocess.run([x.cobalt, "run", c.name, "--no-out"], capture_output=True, text=True,
                                       env=dict(os.environ, OMP_NUM_THREADS="1"))
                    os.unlink(c.name)
                    if p.returncode != 0:
                        sys.exit(f"cobalt: exit {p.returncode}: {p.stderr.strip()}")
                    j = json.loads(p.stdout.strip().splitlines()[-1])
                    q = j["populations"]["N"]
                    row = dict(tau_ms=tau, sigma=sigma, mu=mu, dt_us=dt, rate_hz=q["rate_hz"], cv=q["cv"],
                               siegert_hz=nu, n=x.n, t_s=t_s, commit=j["commit"])
                    w.writerow(row)
                    f.flush()
                    print(row, flush=True)


def plot(x):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = list(csv.DictReader(open(x.csv)))
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for (tau, sigma), color in zip(CASES, ["C0", "C1", "C2"]):
        mus = np.linspace(0, 50, 101)
        axes[0].plot(mus, [siegert(tau, m, sigma) for m in mus], color=color, lw=1,
                     label=f"Siegert, tau {tau:g} ms, sigma {sigma:g}")
        for dt, marker in (("10.0", "o"), ("50.0", "s"), ("100.0", "^")):
            rs = [r for r in rows if float(r["tau_ms"]) == tau and float(r["sigma"]) == sigma and r["dt_us"] == dt]
            if not rs:
                continue
            mu = [float(r["mu"]) for r in rs]
            axes[0].plot(mu, [float(r["rate_hz"]) for r in rs], marker, color=color, mfc="none", ms=5,
                         label=f"cobalt dt {float(dt):g} us" if tau == CASES[0][0] else None)
            ok = [r for r in rs if float(r["siegert_hz"]) > 0.5]
            axes[1].plot([float(r["mu"]) for r in ok],
                         [float(r["rate_hz"]) / float(r["siegert_hz"]) - 1 for r in ok], marker + "-", color=color,
                         mfc="none", ms=5)
    axes[0].set_xlabel("mu (mV/s)")
    axes[0].set_ylabel("rate (Hz)")
    axes[0].legend(fontsize=7)
    axes[1].axhline(0, color="k", lw=0.5)
    axes[1].set_xlabel("mu (mV/s)")
    axes[1].set_ylabel("rate / Siegert - 1 (rates > 0.5 Hz)")
    fig.tight_layout()
    fig.savefig(x.output, dpi=120)
    print(f"wrote {x.output}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--cobalt", default="build/cobalt")
    r.add_argument("--csv", required=True)
    r.add_argument("--dt-us", default="10,50")
    r.add_argument("--n", type=int, default=500)
    p = sub.add_parser("plot")
    p.add_argument("--csv", required=True)
    p.add_argument("-o", "--output", required=True)
    x = ap.parse_args()
    {"run": run, "plot": plot}[x.cmd](x)


if __name__ == "__main__":
    main()
