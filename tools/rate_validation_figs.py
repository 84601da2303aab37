"""Validation of `cobalt rate` (docs/validation.md, "Rate models"): runs the shipped configs in
configs/rate/ (with --set variations) through the cobalt binary, reads its HDF5 files and JSON
lines, and writes docs/figures/rate_*.png plus the numbers the page quotes (markdown tables on
stdout, docs/figures/rate_validation.csv).

    python3 tools/rate_validation_figs.py [--cobalt build/cobalt] [--out docs/figures]

Seed 003: the E-I model's fixed point, Hopf point in tau_I and frequency (closed forms against
the tool, and the frequency of simulated oscillations near the Hopf point); the ring's
amplification (1 - J0)/(1 - J1/2) and bump profiles. Seed 002: the six cases of Fig. 1D (sign of
the E response to the SOM step) and Fig. 2's gain and stability changes, both exactly (new fixed
point) and as the paper's code computes them (modulated state predicted linearly).
Limits: needs numpy, h5py, matplotlib; about a minute on one core.
"""
import argparse
import json
import math
import os
import subprocess
import tempfile

import h5py
import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSV = []


def run(cobalt, config, out=None, sets=()):
    """Run cobalt rate; returns (json summary, path of the HDF5 file or None)."""
    cmd = [cobalt, "rate", os.path.join(ROOT, config)]
    cmd += ["--out", out] if out else ["--no-out"]
    for s in sets:
        cmd += ["--set", s]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout), out


def record(name, value, reference=""):
    CSV.append((name, value, reference))


def osc_freq(t_ms, x, t_from, centre):
    """Frequency (Hz) of x after t_from from its upward crossings of centre (the fixed point:
    the mean of a decaying or growing spiral is biased)."""
    sel = t_ms >= t_from
    t, y = t_ms[sel], x[sel] - centre
    up = np.where((y[:-1] < 0) & (y[1:] >= 0))[0]
    tc = t[up] - y[up] * (t[up + 1] - t[up]) / (y[up + 1] - y[up])  # linear interpolation
    return 1000.0 / np.mean(np.diff(tc)) if len(tc) > 2 else float("nan")


def seed003_ei(cobalt, tmp, out_dir):
    cfg = "configs/rate/seed003_ei.yaml"
    j, _ = run(cobalt, cfg)
    fp = j["epochs"][0]["fixed_point_hz"]
    f_hopf = math.sqrt(0.75 / 400.0) * 1000 / (2 * math.pi)
    print("### Seed 003, E-I model\n")
    print("| quantity | cobalt rate | closed form |\n|---|---|---|")
    print(f"| fixed point nu_E, nu_I (Hz) | {fp[0]:.10g}, {fp[1]:.10g} | 80/3 = 26.66666667, 50/3 = 16.66666667 |")
    print(f"| Hopf tau_I (ms) | {j['hopf']['tau_ms']:.10g} | 40 (trace (M_EE - 1)/tau_E + (M_II - 1)/tau_I = 0) |")
    print(f"| frequency at the Hopf point (Hz) | {j['hopf']['freq_hz']:.10g} | sqrt(0.75 / (10 x 40)) / 2 pi x 1000 = {f_hopf:.10g} |")
    record("seed003_ei_fixed_point_E_hz", fp[0], 80 / 3)
    record("seed003_ei_fixed_point_I_hz", fp[1], 50 / 3)
    record("seed003_ei_hopf_tau_I_ms", j["hopf"]["tau_ms"], 40)
    record("seed003_ei_hopf_freq_hz", j["hopf"]["freq_hz"], f_hopf)
    # leading eigenvalue against tau_I; b and Delta of the tutorial at 30, 40, 50 ms
    taus = np.linspace(20, 60, 41)
    lre, lim = [], []
    for tau in taus:
        jj, _ = run(cobalt, cfg, sets=[f"rate.populations.I.tau_ms={tau:g}", "rate.t_ms=30"])
        lre.append(jj["epochs"][0]["max_re_per_ms"])
        lim.append(jj["epochs"][0]["lead_freq_hz"])
    print("\n| tau_I (ms) | trace b (1/ms), tool | tutorial | stable |\n|---|---|---|---|")
    for tau, b_tut in ((30, -0.008), (40, 0.0), (50, 0.005)):
        jj, _ = run(cobalt, cfg, sets=[f"rate.populations.I.tau_ms={tau}", "rate.t_ms=30"])
        print(f"| {tau} | {2 * jj['epochs'][0]['max_re_per_ms']:+.5f} | {b_tut:+.3f} | {jj['epochs'][0]['stable']} |")
    # simulated oscillations: just above the Hopf point (nearly linear) and well above it
    sims = {}
    print("\n| tau_I (ms) | simulated frequency (Hz) | linear Im / 2 pi (Hz) | peak-to-peak E (Hz) |\n|---|---|---|---|")
    for tau in (30.0, 40.2, 50.0):
        path = os.path.join(tmp, f"ei_{tau}.h5")
        jj, _ = run(cobalt, cfg, path, [f"rate.populations.I.tau_ms={tau:g}", "rate.t_ms=3000", "rate.record_ms=0.5"])
        with h5py.File(path, "r") as f:
            t = f["time_ms"][:]
            rE = f["populations/E/rate_ts_hz"][:]
            rI = f["populations/I/rate_ts_hz"][:]
        sims[tau] = (t, rE, rI)
        c = jj["epochs"][1]["fixed_point_hz"][0]
        fr = osc_freq(t, rE, 2000.0, c) if tau > 40 else osc_freq(t[t < 400], rE[t < 400], 20.0, c)
        lin = jj["epochs"][0]["lead_freq_hz"]
        ptp = np.ptp(rE[t >= 2000])
        print(f"| {tau:g} | {fr:.4f} | {lin:.4f} | {ptp:.3g} |")
        record(f"seed003_ei_tauI{tau:g}_sim_freq_hz", fr, lin)
    fig, ax = plt.subplots(1, 3, figsize=(14, 3.8))
    ax[0].plot(taus, lre, "k-")
    ax[0].axhline(0, color="0.6", lw=0.8)
    ax[0].axvline(j["hopf"]["tau_ms"], color="r", ls=":", label=f"Hopf {j['hopf']['tau_ms']:.6g} ms")
    ax[0].set_xlabel("tau_I (ms)")
    ax[0].set_ylabel("max Re eig of T^-1(BW - 1) (1/ms)")
    a2 = ax[0].twinx()
    a2.plot(taus, lim, "b--")
    a2.set_ylabel("Im / 2 pi (Hz)", color="b")
    ax[0].legend(fontsize=8, loc="lower right")
    for k, tau in enumerate((30.0, 50.0)):
        t, rE, rI = sims[tau]
        sel = t <= 600
        ax[k + 1].plot(t[sel], rE[sel], "r", label="E")
        ax[k + 1].plot(t[sel], rI[sel], "b", label="I")
        ax[k + 1].axhline(fp[0], color="r", ls="--", lw=0.7)
        ax[k + 1].axhline(fp[1], color="b", ls="--", lw=0.7)
        ax[k + 1].set_title(f"tau_I = {tau:g} ms ({'stable focus' if tau < 40 else 'limit cycle'})", fontsize=9)
        ax[k + 1].set_xlabel("time (ms)")
        ax[k + 1].set_ylabel("rate (Hz)")
        ax[k + 1].legend(fontsize=8)
    fig.suptitle("Seed 003, E-I rate model: fixed point (dashed), Hopf point in tau_I", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "rate_seed003_ei.png"), dpi=110)
    plt.close(fig)


def fourier(r):
    n = len(r)
    th = 2 * np.pi * np.arange(n) / n
    return r.mean(), 2 * np.mean(r * np.cos(th - np.pi))  # theta0 = 180 deg in the shipped configs


def seed003_ring(cobalt, tmp, out_dir):
    print("\n### Seed 003, ring\n")
    print("| J1 | m1/m0 / (I1/I0), last sample | fixed point | (1 - J0)/(1 - J1/2) |\n|---|---|---|---|")
    j1s = [0.0, 0.5, 1.0, 1.5, 1.8, 1.9]
    amp_sim, amp_fp, amp_th = [], [], []
    for j1 in j1s:
        path = os.path.join(tmp, f"ring_{j1}.h5")
        jj, _ = run(cobalt, "configs/rate/seed003_ring_tuned.yaml", path,
                    [f"rate.ring.J1={j1}", "rate.ring.n=64", "rate.ring.I1=0.01", "rate.t_ms=4000", "rate.dt_ms=0.1", "rate.record_ms=10"])
        with h5py.File(path, "r") as f:
            m0, m1 = fourier(f["ring/rate_ts_hz"][-1])
            f0, f1 = fourier(f["epochs/0/fixed_point_hz"][:])
            i1_i0 = f["ring"].attrs["I1"] / f["ring"].attrs["I0"]
        amp_sim.append(m1 / m0 / i1_i0)
        amp_fp.append(f1 / f0 / i1_i0)
        amp_th.append(jj["ring"]["amplification"])
        print(f"| {j1:g} | {amp_sim[-1]:.8g} | {amp_fp[-1]:.10g} | {amp_th[-1]:.10g} |")
        record(f"ring_amplification_J1_{j1:g}", amp_sim[-1], amp_th[-1])
    print("\n| J1 | theta_c (deg) | peak (Hz), closed form | max abs(units - closed form) / peak, N = 128 |\n|---|---|---|---|")
    bumps = []
    for j1 in (2.5, 3.0, 4.0):
        path = os.path.join(tmp, f"bump_{j1}.h5")
        jj, _ = run(cobalt, "configs/rate/seed003_ring_bump.yaml", path, [f"rate.ring.J1={j1}", "rate.t_ms=1000"])
        with h5py.File(path, "r") as f:
            th = np.degrees(f["ring/theta_rad"][:])
            last = f["ring/rate_ts_hz"][-1]
            prof = f["ring/profile_theory_hz"][:]
        peak = prof.max()
        err = np.max(np.abs(last - prof)) / peak
        bumps.append((j1, th, last, prof))
        print(f"| {j1:g} | {math.degrees(jj['ring']['theta_c_rad']):.3f} | {peak:.6g} | {err:.2e} |")
        record(f"ring_bump_J1_{j1:g}_rel_err", err, 0.0)
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    ax[0].plot(j1s, amp_th, "k-", label="(1 - J0)/(1 - J1/2)")
    ax[0].plot(j1s, amp_sim, "o", label="simulated (N = 64)")
    ax[0].set_xlabel("J1")
    ax[0].set_ylabel("amplification (m1/m0)/(I1/I0)")
    ax[0].set_title("J0 = -2, I1/I0 = 0.01", fontsize=9)
    ax[0].legend(fontsize=8)
    for j1, th, last, prof in bumps:
        line, = ax[1].plot(th, last, "o", ms=2.5, label=f"J1 = {j1:g}")
        ax[1].plot(th, prof, "-", color=line.get_color(), lw=0.9)
    ax[1].set_xlabel("preferred angle (deg)")
    ax[1].set_ylabel("rate (Hz)")
    ax[1].set_title("bumps (J0 = -1, I0 = 1, I1 = 0.05): units (dots), closed form (lines)", fontsize=9)
    ax[1].legend(fontsize=8)
    fig.suptitle("Seed 003, ring rate model", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "rate_ring.png"), dpi=110)
    plt.close(fig)


FIG1D = [("case1_inhibition", "1 inhibition", -1), ("case1_disinhibition", "1 disinhibition", +1),
         ("case2_strong_pp", "2 strong PV->PV", -1), ("case2_weak_pp", "2 weak PV->PV", +1),
         ("case3_low_pv", "3 low PV rate", -1), ("case3_high_pv", "3 high PV rate", +1)]


def seed002_fig1d(cobalt, tmp, out_dir):
    print("\n### Seed 002, Fig. 1D (SOM input +1 at 50 ms)\n")
    print("| case | E before (Hz) | E after: fixed point | E at 350 ms | L_ES | sign | paper |\n|---|---|---|---|---|---|---|")
    fig, axs = plt.subplots(3, 2, figsize=(10, 8), sharex=True)
    for k, (name, label, paper_sign) in enumerate(FIG1D):
        path = os.path.join(tmp, f"{name}.h5")
        jj, _ = run(cobalt, f"configs/rate/seed002_fig1d_{name}.yaml", path)
        e0, e1 = jj["epochs"]
        with h5py.File(path, "r") as f:
            t = f["time_ms"][:]
            rs = {p: f[f"populations/{p}/rate_ts_hz"][:] for p in ("E", "PV", "SOM")}
        dE = e1["fixed_point_hz"][0] - e0["fixed_point_hz"][0]
        sign = "+" if dE > 0 else "-"
        ok = (dE > 0) == (paper_sign > 0)
        print(f"| {label} | {e0['fixed_point_hz'][0]:.4g} | {e1['fixed_point_hz'][0]:.4f} | {rs['E'][-1]:.4f} | "
              f"{e0['L'][0][2]:+.4f} | {sign} | {'+' if paper_sign > 0 else '-'} {'(agrees)' if ok else '(DIFFERS)'} |")
        record(f"fig1d_{name}_dE_hz", dE, paper_sign)
        ax = axs[k // 2][k % 2]
        for p, c in (("E", "r"), ("PV", "b"), ("SOM", "g")):
            ax.plot(t, rs[p], c, label=p)
        ax.axvline(50, color="0.5", ls=":")
        ax.set_ylim(0, 7)
        ax.set_title(f"case {label}: E {sign}", fontsize=9)
        ax.set_ylabel("rate (Hz)")
    axs[0][0].legend(fontsize=8)
    for ax in axs[2]:
        ax.set_xlabel("time (ms)")
    fig.suptitle("Seed 002, Fig. 1D: positive SOM modulation lowers (left) or raises (right) E", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "rate_seed002_fig1d.png"), dpi=110)
    plt.close(fig)


def paper_way(path):
    """Gain and stability after the modulation as the paper's code (Fig_2.m) computes them: the
    modulated state predicted by the linear response of the unmodulated one."""
    with h5py.File(path, "r") as f:
        W = f["W"][:]
        e0 = f["epochs/0"]
        r0, in0, L0 = e0["fixed_point_hz"][:], e0["input"][:], e0["L"][:]
        dI = f["epochs/1/input"][:] - in0
        k, n = f["populations/E"].attrs["f_k"], f["populations/E"].attrs["f_n"]
    rmod = r0 + L0 @ dI

    def lin(r):
        b = k * n * np.maximum(W @ r + in0, 0) ** (n - 1)
        L = np.linalg.inv(np.diag(1 / b) - W)
        return 0.3 * (L[0, 0] + L[0, 1]), np.linalg.eigvals(W - np.diag(1 / b)).real.max()
    return lin(r0), lin(rmod)


def seed002_fig2(cobalt, tmp, out_dir):
    print("\n### Seed 002, Fig. 2 (per 0.3 units of stimulus to E and PV)\n")
    print("| panel | g without / with modulation | Delta g | paper's code | paper text | lambda_max without / with | "
          "Delta lambda = lambda0 - lambda1 | paper's code | paper text | true Jacobian max Re (1/ms) without / with |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    fig, axs = plt.subplots(1, 2, figsize=(12, 4))
    text = {"ab": (0.12, -0.03), "cd": (0.35, 0.04)}
    for k, name in enumerate(("ab", "cd")):
        path = os.path.join(tmp, f"fig2{name}.h5")
        jj, _ = run(cobalt, f"configs/rate/seed002_fig2{name}.yaml", path)
        e0, e1 = jj["epochs"][0], jj["epochs"][1]
        g0 = 0.3 * (e0["L"][0][0] + e0["L"][0][1])
        g1 = 0.3 * (e1["L"][0][0] + e1["L"][0][1])
        l0, l1 = e0["paper_measure"], e1["paper_measure"]
        (pg0, pl0), (pg1, pl1) = paper_way(path)
        print(f"| 2{name.upper()} | {g0:.4f} / {g1:.4f} | {g1 - g0:+.4f} | {pg1 - pg0:+.4f} | {text[name][0]:+.2f} | "
              f"{l0:.4f} / {l1:.4f} | {l0 - l1:+.4f} | {pl0 - pl1:+.4f} | {text[name][1]:+.2f} | "
              f"{e0['max_re_per_ms']:.4f} / {e1['max_re_per_ms']:.4f} |")
        record(f"fig2{name}_delta_g", g1 - g0, text[name][0])
        record(f"fig2{name}_delta_g_paper_code", pg1 - pg0, text[name][0])
        record(f"fig2{name}_delta_lambda", l0 - l1, text[name][1])
        record(f"fig2{name}_delta_lambda_paper_code", pl0 - pl1, text[name][1])
        with h5py.File(path, "r") as f:
            t = f["time_ms"][:]
            for p, c in (("E", "r"), ("PV", "b"), ("SOM", "g")):
                axs[k].plot(t, f[f"populations/{p}/rate_ts_hz"][:], c, label=p)
                for e in ("0", "1", "2"):
                    g = f[f"epochs/{e}"]
                    t0 = g.attrs["t_ms"]
                    t1 = {"0": 50, "1": 350, "2": 750}[e]
                    idx = int(f[f"populations/{p}"].attrs["index"])
                    axs[k].plot([t0, t1], [g["fixed_point_hz"][idx]] * 2, c, ls="--", lw=0.7)
        for tv in (50, 350):
            axs[k].axvline(tv, color="0.5", ls=":")
        axs[k].set_title(f"Fig. 2{'A' if name == 'ab' else 'C'}: Delta g = {g1 - g0:+.3f}, "
                         f"Delta lambda = {l0 - l1:+.3f}", fontsize=9)
        axs[k].set_xlabel("time (ms)")
        axs[k].set_ylabel("rate (Hz)")
        axs[k].set_ylim(0, 8)
        axs[k].legend(fontsize=8)
    fig.suptitle("Seed 002, Fig. 2: SOM modulation at 50 ms, stimulus (+0.3 to E and PV) at 350 ms; "
                 "fixed points dashed", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "rate_seed002_fig2.png"), dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cobalt", default=os.path.join(ROOT, "build", "cobalt"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "figures"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        seed003_ei(a.cobalt, tmp, a.out)
        seed003_ring(a.cobalt, tmp, a.out)
        seed002_fig1d(a.cobalt, tmp, a.out)
        seed002_fig2(a.cobalt, tmp, a.out)
    with open(os.path.join(a.out, "rate_validation.csv"), "w") as f:
        f.write("quantity,value,reference\n")
        for name, v, ref in CSV:
            f.write(f"{name},{v:.10g},{ref}\n")


if __name__ == "__main__":
    main()
