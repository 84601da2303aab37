#!/usr/bin/env python3
"""Seed 000 (issue 14): balanced spiking rings with cosine and von Mises connectivity.

For the sweeps configs/seed000/ring_{cosine,von_mises,contrast}.yaml this tool
  1. runs their points (`--run`: `cobalt sweep CONFIG --point I --dir DIR/<name>`, one core) or
     reads the point files already in DIR;
  2. takes each population's rate profile and Fourier modes with tools/ring_analysis.py
     (amplitudes A_n: r(phi) ~ A_0 + sum_n A_n cos(2 pi n (phi - psi_n) / period));
  3. predicts the modes two ways:
     - the balance condition (leading order in K): the mean input vanishes mode by mode,
           sum_b W_ab,n r_b,n + I_a,n = 0,   W_ab,n = tau J_ab K_ab p_hat_ab,n,
           I_a,n = tau J_aX K_aX nu_X g_n,
       with the kernel's normalised Fourier coefficients p_hat_n (cosine: p_hat_1 = p_c / 2,
       p_hat_n>=2 = 0; von Mises: I_n(kappa_p) / I_0(kappa_p)) and the input's amplitudes
       g_n (cosine: g_1 = mu_c; von Mises: 2 I_n(kappa_mu) / I_0(kappa_mu)), so r_n = -W_n^-1 I_n
       (2x2 per mode; where p_hat_n = 0 the mode is not fixed at leading order);
     - the ring mean field at the simulated K (finite-K, rectifying): per angle the Siegert rate
       of a current-based LIF with delta synapses, mean tau sum J K (p * r) and variance
       tau sum J^2 K (p * r) (convolutions on the ring), solved by damped iteration;
  4. writes docs/figures/seed000_ring.{png,csv,md} (with each point's ISI CV and population-rate
     CV against the Poisson floor, a check of asynchrony) and seed000_ring_mf_k.csv (the mean
     field's approach to the balance limit as K grows).

Usage: tools/seed000_ring.py [--run] [--dir DIR] [--cobalt build/cobalt] [--sweeps cosine,...]
       tools/seed000_ring.py --self-test      (the closed forms; no runs)
Needs numpy, h5py, matplotlib (and PyYAML through ring_analysis). docs/validation.md, "Seed 000".
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys

import numpy as np

_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 (Debian 12) has only trapz

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import ring_analysis as ra  # noqa: E402

SWEEPS = ["cosine", "von_mises", "contrast", "k"]
POPS = ["E", "I"]
N_MODES = 3


# ---- kernels and inputs -------------------------------------------------------------------------


def bessel_i(n, x):
    """Modified Bessel function I_n(x), n >= 0, x >= 0, by its power series (x <= ~20 here)."""
    if x == 0:
        return 1.0 if n == 0 else 0.0
    lx = math.log(x / 2)
    return sum(math.exp((2 * m + n) * lx - math.lgamma(m + 1) - math.lgamma(m + n + 1)) for m in range(80))


def kernel_hat(kern, n):
    """Normalised n-th Fourier coefficient of a ring kernel (p_hat_0 = 1), K << N_pre."""
    if not kern or kern.get("shape", "none") == "none":
        return 1.0 if n == 0 else 0.0
    if kern["shape"] == "cosine":
        return {0: 1.0, 1: float(kern.get("p_c", 0)) / 2}.get(n, 0.0)
    if kern["shape"] == "von_mises":
        k = float(kern.get("kappa", 0))
        return bessel_i(n, k) / bessel_i(0, k)
    raise ValueError(f"kernel {kern['shape']} not handled")


_DRAWN = {}


def kernel_hats(kern, n_max, k=0.0, n_pre=0):
    """p_hat_0 .. p_hat_n_max of the kernel as drawn: K partners of n_pre by successive sampling
    proportional to the kernel (docs/config.md, "Rings"), whose inclusion probabilities are
    1 - exp(-lambda k(delta)) with mean K / n_pre (Rosen's approximation; within 0.5% of the
    exact sampling's p_hat_1 at K / N = 0.1 and 0.4). k = 0: the nominal kernel (K << N)."""
    if not k or not kern or kern.get("shape", "none") == "none":
        return np.array([kernel_hat(kern, n) for n in range(n_max + 1)])
    key = (json.dumps(kern, sort_keys=True), n_max, k, n_pre)
    if key not in _DRAWN:
        x = np.arange(n_pre) / n_pre
        c = np.cos(2 * np.pi * x)
        if kern["shape"] == "cosine":
            w = 1 + float(kern.get("p_c", 0)) * c
        else:
            w = np.exp(float(kern.get("kappa", 0)) * (c - 1))
        lo, hi = 0.0, 1.0
        while np.mean(1 - np.exp(-hi * w)) < k / n_pre:
            hi *= 2
        for _ in range(100):
            lam = (lo + hi) / 2
            lo, hi = (lam, hi) if np.mean(1 - np.exp(-lam * w)) < k / n_pre else (lo, lam)
        f = np.fft.rfft(1 - np.exp(-lam * w))
        hats = np.zeros(n_max + 1)
        m = min(n_max + 1, len(f))
        hats[:m] = f.real[:m] / f.real[0]
        _DRAWN[key] = hats
    return _DRAWN[key]


def input_amp(tun, n):
    """Amplitude g_n of the input gain's n-th cosine term (g_0 = 1)."""
    if n == 0:
        return 1.0
    if not tun or tun.get("shape", "none") == "none":
        return 0.0
    if tun["shape"] == "cosine":
        return float(tun.get("mu_c", 0)) if n == 1 else 0.0
    k = float(tun.get("kappa_mu", 0))
    return 2 * bessel_i(n, k) / bessel_i(0, k)


def network(tree):
    """Weights, in-degrees and kernels of the E/I ring and its one Poisson input."""
    pops = {p["name"]: p for p in tree["populations"]}
    x = next(p for p in tree["populations"] if p["model"] == "poisson")
    net = {"tau_s": float(pops["E"]["tau_m_ms"]) * 1e-3, "nu_x": float(x["rate_hz"]),
           "tuning": x.get("tuning"), "rec": {}, "ext": {}}
    for pr in tree["projections"]:
        sign = 1.0 if pr["receptor"] == "E" else -1.0
        if pr["pre"] == x["name"]:
            net["ext"][pr["post"]] = (float(pr["weight"]), float(pr["indegree"]))
        else:
            net["rec"][(pr["post"], pr["pre"])] = (sign * float(pr["weight"]), float(pr["indegree"]),
                                                    pr.get("ring_kernel"), int(pops[pr["pre"]]["size"]))
    n = pops["E"]
    net["neuron"] = {k: float(n[k]) for k in ("tau_ref_ms", "v_th_mV", "v_reset_mV", "e_l_mV")}
    return net


def balance_modes(net, n_max=N_MODES - 1, drawn=True):
    """{n: {pop: rate amplitude}} of the balance condition; None where W_n is singular.
    drawn: the kernels as drawn at the network's K / N (else nominal, K / N -> 0)."""
    out = {}
    rec = net["rec"]
    hats = {ab: kernel_hats(v[2], n_max, v[1] if drawn else 0, v[3]) for ab, v in rec.items()}
    for n in range(n_max + 1):
        w = np.array([[net["tau_s"] * rec[(a, b)][0] * rec[(a, b)][1] * hats[(a, b)][n]
                       for b in POPS] for a in POPS])
        i_ext = np.array([net["tau_s"] * net["ext"][a][0] * net["ext"][a][1] * net["nu_x"]
                          * input_amp(net["tuning"], n) for a in POPS])
        if abs(np.linalg.det(w)) < 1e-12 * max(1.0, np.abs(w).max() ** 2):
            out[n] = None
        else:
            r = -np.linalg.solve(w, i_ext)
            out[n] = dict(zip(POPS, r))
    return out


# ---- ring mean field (finite K) -----------------------------------------------------------------


def erfcx(y):
    """exp(y^2) erfc(y), vectorised; Numerical Recipes' erfcc (relative error < 1.2e-7)."""
    y = np.asarray(y, dtype=float)
    a = np.abs(y)
    t = 1.0 / (1.0 + 0.5 * a)
    pos = t * np.exp(-1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277)))))))))
    neg = 2.0 * np.exp(np.minimum(a * a, 700.0)) - pos
    return np.where(y >= 0, pos, neg)


_GL_X, _GL_W = np.polynomial.legendre.leggauss(64)


def siegert(mu, sigma, nrn, tau_s):
    """Stationary rate (Hz) of a LIF with white-noise input of mean mu, sd sigma (mV)."""
    lo = (nrn["v_reset_mV"] - mu) / sigma
    hi = (nrn["v_th_mV"] - mu) / sigma
    half, mid = (hi - lo) / 2, (hi + lo) / 2
    x = mid[..., None] + half[..., None] * _GL_X
    with np.errstate(over="ignore"):
        integral = half * np.sum(_GL_W * erfcx(-x), axis=-1)
        return 1.0 / (nrn["tau_ref_ms"] * 1e-3 + tau_s * math.sqrt(math.pi) * integral)


def ring_meanfield(net, n_grid=180, iters=4000, step=0.05, drawn=True):
    """Rates r_a(phi) on n_grid angles of the self-consistent ring mean field (damped iteration;
    retried with a 5 times smaller step where it does not converge, as at large K)."""
    for _ in range(3):
        phi, r, diff = _ring_meanfield(net, n_grid, iters, step, drawn)
        if diff < 1e-6:
            break
        iters, step = iters * 5, step / 5
    return phi, r, diff


def _ring_meanfield(net, n_grid, iters, step, drawn):
    phi = np.arange(n_grid) / n_grid  # in periods
    tun = net["tuning"] or {}
    th = float(tun.get("theta_deg", 0)) / 180.0
    if tun.get("shape") == "cosine":
        g = 1 + float(tun.get("mu_c", 0)) * np.cos(2 * np.pi * (phi - th))
    elif tun.get("shape") == "von_mises":
        k = float(tun.get("kappa_mu", 0))
        g = np.exp(k * np.cos(2 * np.pi * (phi - th))) / bessel_i(0, k)
    else:
        g = np.ones(n_grid)
    nf = n_grid // 2 + 1
    mult = {ab: kernel_hats(v[2], nf - 1, v[1] if drawn else 0, v[3]) for ab, v in net["rec"].items()}
    tau = net["tau_s"]
    el = net["neuron"]["e_l_mV"]
    r = {a: np.full(n_grid, 10.0) for a in POPS}
    for it in range(iters):
        rf = {b: np.fft.rfft(r[b]) for b in POPS}
        new = {}
        for a in POPS:
            jx, kx = net["ext"][a]
            mu = el + tau * jx * kx * net["nu_x"] * g
            var = tau * jx * jx * kx * net["nu_x"] * g
            for b in POPS:
                j, k = net["rec"][(a, b)][:2]
                conv = np.fft.irfft(rf[b] * mult[(a, b)], n_grid)
                mu = mu + tau * j * k * conv
                var = var + tau * j * j * k * np.maximum(conv, 0)
            new[a] = siegert(mu, np.sqrt(np.maximum(var, 1e-6)), net["neuron"], tau)
        diff = max(np.abs(new[a] - r[a]).max() for a in POPS)
        for a in POPS:
            r[a] = (1 - step) * r[a] + step * new[a]
        if diff < 1e-6:
            break
    return phi * 180.0, r, diff


def scaled(net, k):
    """The network at in-degree scale k / K_EE with J ~ 1/sqrt(K) (the sweep's law sqrt)."""
    f = k / net["rec"][("E", "E")][1]
    out = dict(net)
    out["rec"] = {ab: (j / math.sqrt(f), kk * f, ker, n) for ab, (j, kk, ker, n) in net["rec"].items()}
    out["ext"] = {a: (j / math.sqrt(f), kk * f) for a, (j, kk) in net["ext"].items()}
    return out


def mf_k_curve(net, ks):
    """Rows [E A1/A0, I A1/A0, E A2/A0, I A2/A0, E r0, I r0] of the ring mean field at the
    in-degrees ks (J ~ 1/sqrt(K)), with the nominal kernels (N -> infinity, K / N -> 0)."""
    out = []
    for k in ks:
        _, mf, _ = ring_meanfield(scaled(net, k), drawn=False)
        m = {a: [x["amplitude_hz"] for x in ra.modes(mf[a], 180.0, 2)] for a in POPS}
        out.append([m[a][n] / m[a][0] for n in (1, 2) for a in POPS] + [m[a][0] for a in POPS])
    return np.array(out)


# ---- widths -------------------------------------------------------------------------------------


def hwhh(rates, period=180.0, n_grid=720):
    """Half-width at half-height (degrees) of the mode-fitted profile (modes 0..6): half the
    extent of angles where r >= r_max / 2 (90: everywhere above half the peak)."""
    m = ra.modes(np.asarray(rates), period, 6)
    phi = np.arange(n_grid) * period / n_grid
    prof = sum(x["amplitude_hz"] * np.cos(2 * np.pi * x["n"] * (phi - x["phase_deg"]) / period)
               for x in m)
    return 0.5 * period * np.mean(prof >= prof.max() / 2)


def hwhh_grid(prof, period=180.0):
    return 0.5 * period * np.mean(prof >= prof.max() / 2)


# ---- runs ---------------------------------------------------------------------------------------


def point_files(cobalt, name, ddir, run):
    cfg = os.path.join(ROOT, "configs", "seed000", f"ring_{name}.yaml")
    n = int(subprocess.run([cobalt, "sweep", cfg, "--count"], capture_output=True, text=True,
                           check=True).stdout.split()[0])
    pdir = os.path.join(ddir, name)
    files = []
    for i in range(n):
        if run:
            env = dict(os.environ, OMP_NUM_THREADS="1")
            subprocess.run([cobalt, "sweep", cfg, "--point", str(i), "--dir", pdir, "--quiet"],
                           check=True, env=env)
        f = os.path.join(pdir, f"point_{i}.h5")
        files.append(f if os.path.exists(f) else None)
    return files


def analyse_point(path):
    import h5py

    tree, rates = ra.read_run(path)
    net = network(tree)
    with h5py.File(path, "r") as f:
        attrs = {a: dict(f["populations"][a].attrs) for a in POPS}
    bal = balance_modes(net)
    nom = balance_modes(net, drawn=False)
    _, mf, resid = ring_meanfield(net)
    row = {"file": os.path.relpath(path, ROOT) if path.startswith(ROOT) else path,
           "nu_x": net["nu_x"], "mf_resid": resid, "net": net}
    k0 = net["rec"][("E", "E")][2] or {}
    row["K"] = net["rec"][("E", "E")][1]
    row["p_c"] = k0.get("p_c", "")
    row["kappa_p"] = k0.get("kappa", "")
    tun = net["tuning"] or {}
    row["mu_c"] = tun.get("mu_c", "")
    row["kappa_mu"] = tun.get("kappa_mu", "")
    for a in POPS:
        m = ra.modes(rates[a], 180.0, N_MODES - 1)
        amp = [x["amplitude_hz"] for x in m]
        mfm = ra.modes(mf[a], 180.0, N_MODES - 1)
        mfa = [x["amplitude_hz"] for x in mfm]
        row[f"{a}_r0"] = amp[0]
        row[f"{a}_mf_r0"] = mfa[0]
        row[f"{a}_bal_r0"] = bal[0][a]
        for n in range(1, N_MODES):
            row[f"{a}_sim_{n}"] = amp[n] / amp[0]
            row[f"{a}_mf_{n}"] = mfa[n] / mfa[0]
            row[f"{a}_bal_{n}"] = (bal[n][a] / bal[0][a]) if bal[n] is not None else float("nan")
            row[f"{a}_nom_{n}"] = (nom[n][a] / nom[0][a]) if nom[n] is not None else float("nan")
        row[f"{a}_hwhh"] = hwhh(rates[a])
        row[f"{a}_mf_hwhh"] = hwhh_grid(mf[a])
        row[f"{a}_frac_silent"] = float(np.mean(rates[a] == 0))
        # irregularity and synchrony: mean CV of the ISIs; CV of the population rate in its bins
        # against the Poisson floor 1 / sqrt(N r bin) of independent neurons
        at = attrs[a]
        row[f"{a}_cv"] = float(at["mean_cv"])
        row[f"{a}_pop_cv"] = float(at["pop_rate_cv"])
        row[f"{a}_pop_cv_poisson"] = 1.0 / math.sqrt(len(rates[a]) * amp[0] * float(at["bin_ms"]) * 1e-3)
        centres, prof = ra.profile(rates[a], 180.0, 36)
        row[f"{a}_profile"] = prof
        row[f"{a}_mf_profile"] = mf[a]
        # the balance profile from modes 0..2 (positive?)
        phi = np.arange(720) * 0.25
        if all(bal[n] is not None for n in range(N_MODES)):
            bp = sum(bal[n][a] * np.cos(2 * np.pi * n * (phi - 90) / 180) for n in range(N_MODES))
        else:
            bp = bal[0][a] + bal[1][a] * np.cos(2 * np.pi * (phi - 90) / 180)
        row[f"{a}_bal_min"] = float(bp.min())
    return row


COLS = ["sweep", "K", "p_c", "kappa_p", "mu_c", "kappa_mu", "nu_x"] + [
    f"{a}_{k}" for a in POPS for k in ("r0", "mf_r0", "bal_r0", "sim_1", "mf_1", "bal_1", "nom_1",
                                       "sim_2", "mf_2", "bal_2", "nom_2", "hwhh", "mf_hwhh",
                                       "frac_silent", "bal_min", "cv", "pop_cv", "pop_cv_poisson")]


def fmt(v):
    if isinstance(v, float):
        return "–" if math.isnan(v) else f"{v:.3g}"
    return str(v)


def write_tables(rows, base):
    with open(base + ".csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLS)
        for r in rows:
            w.writerow([r.get(c, "") for c in COLS])
    with open(base + ".md", "w") as f:
        f.write("Seed 000 balanced rings (tools/seed000_ring.py): per point the E and I mean rate "
                "r_0 (sim / ring mean field / balance), the mode ratios A_n/A_0 (sim / mean field / "
                "balance, with the kernels as drawn at K / N; in brackets the nominal kernel's balance, "
                "K / N -> 0), the half-width at half-height (deg; sim from modes 0..6 / mean field) "
                "the fraction of silent neurons, the mean ISI CV and the population-rate CV in 1-ms bins "
                "(Poisson floor of independent neurons in brackets).\n\n")
        f.write("| sweep | K | p_c | kappa_p | input | nu_X | pop | r_0 Hz sim / MF / bal | A1/A0 sim / MF / bal "
                "| A2/A0 sim / MF / bal | HWHH sim / MF | silent | CV | pop CV |\n")
        f.write("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            inp = f"mu_c {r['mu_c']}" if r["mu_c"] != "" else f"kappa_mu {r['kappa_mu']}"
            for a in POPS:
                f.write(f"| {r['sweep']} | {r['K']:g} | {r['p_c']} | {r['kappa_p']} | {inp} | {r['nu_x']:g} | {a} | "
                        f"{r[a + '_r0']:.1f} / {r[a + '_mf_r0']:.1f} / {r[a + '_bal_r0']:.1f} | "
                        f"{fmt(r[a + '_sim_1'])} / {fmt(r[a + '_mf_1'])} / {fmt(r[a + '_bal_1'])} "
                        f"({fmt(r[a + '_nom_1'])}) | "
                        f"{fmt(r[a + '_sim_2'])} / {fmt(r[a + '_mf_2'])} / {fmt(r[a + '_bal_2'])} "
                        f"({fmt(r[a + '_nom_2'])}) | "
                        f"{r[a + '_hwhh']:.0f} / {r[a + '_mf_hwhh']:.0f} | {r[a + '_frac_silent']:.2f} | "
                        f"{r[a + '_cv']:.2f} | {r[a + '_pop_cv']:.2f} ({r[a + '_pop_cv_poisson']:.2f}) |\n")


def plot(rows, path, kcurve):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(2, 4, figsize=(19, 8.5))
    centres = (np.arange(36) + 0.5) * 5.0
    grid = np.arange(180) * 1.0
    cos = [r for r in rows if r["sweep"] == "cosine"]
    vm = [r for r in rows if r["sweep"] == "von_mises"]
    con = [r for r in rows if r["sweep"] == "contrast"]
    kk = [r for r in rows if r["sweep"] == "k"]
    for axis, pts, key, lab in ((ax[0, 0], cos, "p_c", "p_c"), (ax[1, 0], vm, "kappa_p", "kappa_p")):
        cols = plt.cm.viridis(np.linspace(0, 0.9, max(len(pts), 1)))
        for c, r in zip(cols, pts):
            axis.plot(centres, r["E_profile"], "o", ms=3, color=c)
            axis.plot(grid, r["E_mf_profile"], "-", color=c, label=f"{lab} {r[key]}")
        axis.set(xlabel="preferred angle (deg)", ylabel="E rate (Hz)")
        if pts:
            axis.legend(fontsize=7)
    ax[0, 0].set_title("cosine, mu_c = 0.2 (dots sim, lines ring MF)", fontsize=9)
    ax[1, 0].set_title("von Mises, kappa_mu = 0.5 (dots sim, lines ring MF)", fontsize=9)
    # cosine: A1/A0 and width against p_c
    pc = [float(r["p_c"]) for r in cos]
    for a, mk, c in (("E", "o", "C0"), ("I", "s", "C1")):
        ax[0, 1].plot(pc, [r[f"{a}_sim_1"] for r in cos], mk, color=c, label=f"{a} sim")
        ax[0, 1].plot(pc, [r[f"{a}_mf_1"] for r in cos], "--", color=c, label=f"{a} ring MF (K = 800)")
        ax[0, 2].plot(pc, [r[f"{a}_hwhh"] for r in cos], mk, color=c, label=f"{a} sim")
        ax[0, 2].plot(pc, [r[f"{a}_mf_hwhh"] for r in cos], "--", color=c, label=f"{a} ring MF")
    pp = np.linspace(0.2, 0.95, 100)
    ax[0, 1].plot(pp, 0.4 / pp, "k-", label="balance 2 mu_c / p_c")
    ax[0, 1].plot(pc, [r["E_bal_1"] for r in cos], "k+", label="balance, kernel as drawn (K/N 0.1)")
    ax[0, 1].axvline(0.4, color="gray", lw=0.5)
    ax[0, 1].set(xlabel="p_c", ylabel="A1/A0", ylim=(0, 2.1))
    ax[0, 1].set_title("cosine: mode ratio (gray: balanced profile touches 0)", fontsize=9)
    ax[0, 2].set(xlabel="p_c", ylabel="HWHH (deg)")
    ax[0, 2].set_title("cosine: half-width at half-height", fontsize=9)
    # K dependence
    if kcurve is not None:
        ks, curve = kcurve
        ax[0, 3].plot(ks, curve[:, 0], "C0--", label="E ring MF (K/N -> 0)")
        ax[0, 3].plot(ks, curve[:, 1], "C1--", label="I ring MF (K/N -> 0)")
    sims = sorted(kk + [r for r in cos if float(r["p_c"]) == 0.6], key=lambda r: r["K"])
    ax[0, 3].plot([r["K"] for r in sims], [r["E_sim_1"] for r in sims], "C0o", label="E sim")
    ax[0, 3].plot([r["K"] for r in sims], [r["I_sim_1"] for r in sims], "C1s", label="I sim")
    ax[0, 3].plot([r["K"] for r in sims], [r["E_mf_1"] for r in sims], "C0x", label="E ring MF, drawn kernel (N_E 8000)")
    ax[0, 3].plot([r["K"] for r in sims], [r["E_bal_1"] for r in sims], "k+", label="balance, drawn kernel")
    ax[0, 3].axhline(0.4 / 0.6, color="k", label="balance (K -> inf)")
    ax[0, 3].set(xscale="log", xlabel="K_E (J ~ 1/sqrt K)", ylabel="A1/A0")
    ax[0, 3].set_title("cosine p_c = 0.6: approach to balance", fontsize=9)
    ax[0, 3].legend(fontsize=7)
    # von Mises: modes and width against kappa_p
    kp = [float(r["kappa_p"]) for r in vm]
    for n, c in ((1, "C0"), (2, "C1")):
        for a, mk in (("E", "o"), ("I", "s")):
            ax[1, 1].plot(kp, [r[f"{a}_sim_{n}"] for r in vm], mk, color=c, label=f"{a} A{n}/A0 sim")
        ax[1, 1].plot(kp, [r[f"E_mf_{n}"] for r in vm], "--", color=c, label=f"E A{n}/A0 ring MF")
        ax[1, 1].plot(kp, [r[f"E_bal_{n}"] for r in vm], "-", color=c, label=f"A{n}/A0 balance")
    ax[1, 1].set(xlabel="kappa_p (kappa_mu = 0.5)", ylabel="A_n/A0", xscale="log")
    ax[1, 1].set_title("von Mises: mode ratios", fontsize=9)
    for a, mk, c in (("E", "o", "C0"), ("I", "s", "C1")):
        ax[1, 2].plot(kp, [r[f"{a}_hwhh"] for r in vm], mk, color=c, label=f"{a} sim")
        ax[1, 2].plot(kp, [r[f"{a}_mf_hwhh"] for r in vm], "--", color=c, label=f"{a} ring MF")
    ax[1, 2].set(xlabel="kappa_p", ylabel="HWHH (deg)", xscale="log")
    ax[1, 2].set_title("von Mises: half-width at half-height", fontsize=9)
    for axis in (ax[0, 1], ax[0, 2], ax[1, 1], ax[1, 2]):
        axis.legend(fontsize=6)
    # contrast: normalised profiles
    for r in sorted(con + [x for x in cos if float(x["p_c"]) in (0.6, 0.1)],
                    key=lambda r: (-float(r["p_c"]), r["nu_x"])):
        ls = "-" if float(r["p_c"]) == 0.6 else "--"
        ax[1, 3].plot(centres, r["E_profile"] / np.nanmax(r["E_profile"]), ls,
                      label=f"p_c {r['p_c']}, nu_X {r['nu_x']:g}: r0 {r['E_r0']:.0f} Hz, HWHH {r['E_hwhh']:.0f}")
    ax[1, 3].set(xlabel="preferred angle (deg)", ylabel="r / r_max")
    ax[1, 3].set_title("contrast: E profile / peak", fontsize=9)
    ax[1, 3].legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def self_test():
    """Closed forms of the predictions on a synthetic network (no runs)."""
    for y in (-3.0, -0.5, 0.0, 0.7, 4.0):
        assert abs(erfcx(y) / (math.exp(y * y) * math.erfc(y)) - 1) < 2e-7, y
    assert abs(bessel_i(1, 1.0) - 0.5651591040) < 1e-9 and abs(bessel_i(2, 4.0) - 6.4221893753) < 1e-8
    # Siegert at mu = theta, sigma = 5 mV against a direct quadrature
    nrn = {"tau_ref_ms": 2.0, "v_th_mV": 20.0, "v_reset_mV": 10.0, "e_l_mV": 0.0}
    x = np.linspace(-2.0, 0.0, 200001)
    ref = 1 / (2e-3 + 0.02 * math.sqrt(math.pi) * _trapezoid([math.exp(t * t) * math.erfc(-t) for t in x[::100]], x[::100]))
    got = float(siegert(np.array([20.0]), np.array([5.0]), nrn, 0.02)[0])
    assert abs(got / ref - 1) < 1e-4, (got, ref)
    net = {"tau_s": 0.02, "nu_x": 25.0, "tuning": {"shape": "cosine", "mu_c": 0.2}, "neuron": nrn,
           "rec": {}, "ext": {"E": (0.25, 800.0), "I": (0.2, 800.0)}}
    for (a, b), j, k in ((("E", "E"), 0.25, 800), (("I", "E"), 0.25, 800), (("E", "I"), -2.0, 200),
                         (("I", "I"), -1.75, 200)):
        net["rec"][(a, b)] = (j, float(k), {"shape": "cosine", "p_c": 0.6}, 8000 if b == "E" else 2000)
    bal = balance_modes(net, drawn=False)
    assert abs(bal[0]["E"] - 15) < 1e-9 and abs(bal[0]["I"] - 20) < 1e-9, bal
    assert abs(bal[1]["E"] / bal[0]["E"] - 2 * 0.2 / 0.6) < 1e-12 and bal[2] is None
    h = kernel_hats({"shape": "cosine", "p_c": 0.6}, 2, 0.8, 8000)  # K/N 1e-4: nominal
    assert abs(h[1] - 0.3) < 1e-4, h
    h = kernel_hats({"shape": "cosine", "p_c": 0.6}, 2, 3200, 8000)  # exact sampling: 0.2375
    assert abs(h[1] - 0.2384) < 1e-3, h
    net["tuning"] = {"shape": "von_mises", "kappa_mu": 0.5}
    for ab in net["rec"]:
        net["rec"][ab] = net["rec"][ab][:2] + ({"shape": "von_mises", "kappa": 1.0},) + net["rec"][ab][3:]
    bal = balance_modes(net, drawn=False)
    for n in (1, 2):
        want = 2 * bessel_i(n, 0.5) * bessel_i(0, 1.0) / (bessel_i(0, 0.5) * bessel_i(n, 1.0))
        assert abs(bal[n]["I"] / bal[0]["I"] - want) < 1e-12
    print("seed000_ring self-test: ok")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", action="store_true", help="run the sweep points first (15-32 s each)")
    ap.add_argument("--dir", default=os.path.join(ROOT, "build", "seed000"), help="point files (per sweep a subfolder)")
    ap.add_argument("--cobalt", default=os.path.join(ROOT, "build", "cobalt"))
    ap.add_argument("--sweeps", default=",".join(SWEEPS))
    ap.add_argument("--self-test", action="store_true", help="check the predictions' closed forms and exit")
    a = ap.parse_args(argv)
    if a.self_test:
        self_test()
        return 0
    rows = []
    for name in a.sweeps.split(","):
        for path in point_files(a.cobalt, name, a.dir, a.run):
            if path is None:
                sys.stderr.write(f"seed000_ring: {name}: a point file is missing (run with --run)\n")
                continue
            row = analyse_point(path)
            row["sweep"] = name
            rows.append(row)
    fig_dir = os.path.join(ROOT, "docs", "figures")
    write_tables(rows, os.path.join(fig_dir, "seed000_ring"))
    kcurve = None
    ks = np.array([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200], dtype=float)
    bases = [("cosine p_c 0.6", [r for r in rows if r["sweep"] == "cosine" and float(r["p_c"]) == 0.6]),
             ("von_mises kappa_p 1", [r for r in rows if r["sweep"] == "von_mises" and float(r["kappa_p"]) == 1])]
    with open(os.path.join(fig_dir, "seed000_ring_mf_k.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["case", "K", "E_mf_1", "I_mf_1", "E_mf_2", "I_mf_2", "E_mf_r0", "I_mf_r0",
                    "E_bal_1", "E_bal_2"])
        for case, base in bases:
            if not base:
                continue
            curve = mf_k_curve(base[0]["net"], ks)
            if case.startswith("cosine"):
                kcurve = (ks, curve)
            for k, row in zip(ks, curve):
                w.writerow([case, f"{k:g}"] + [f"{x:.4f}" for x in row]
                           + [f"{base[0]['E_bal_1']:.4f}", f"{base[0]['E_bal_2']:.4f}"])
    plot(rows, os.path.join(fig_dir, "seed000_ring.png"), kcurve)
    print(open(os.path.join(fig_dir, "seed000_ring.md")).read())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
