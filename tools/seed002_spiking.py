#!/usr/bin/env python3
"""Seed 002 (E/PV/SOM) in spiking networks at the rate model's operating points.

For each rate-model config of configs/rate/seed002_*.yaml this tool
  1. runs `cobalt rate` and reads the weights W (row = post), the target rates, the gains
     b_X = f'(x_X) and the fixed points before and after the SOM step;
  2. maps the rate model onto a current-based LIF network with white-noise input
     (docs/validation.md, "Seed 002: spiking E/PV/SOM"): fixed in-degrees K_XY, weights J_XY
     chosen so that the spiking network's linearised coupling dnu_X/dnu_Y (Siegert rate,
     mean and variance terms) equals the rate model's b_X W_XY at the target rates, and noise
     means that put every population at its target rate;
  3. writes configs/seed002/<case>.yaml (`--configs`), runs them (`--run`) and writes
     docs/figures/seed002_spiking.{csv,md,png} from the runs' response reports.

Usage: tools/seed002_spiking.py [--configs] [--run] [--cases a,b] [--cobalt build/cobalt]
Only numpy, h5py and matplotlib.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 (Debian 12) has only trapz

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Neuron (lif_curr, relative to E_L = -70 mV): theta = 20 mV, V_r = 10 mV, tau_m 20 ms, tau_rp 2 ms.
TAU_S, TAU_RP_S, THETA, VR, EL = 0.020, 0.002, 20.0, 10.0, -70.0
SIGMA_EXT = 30.0  # mV/sqrt(s) of external white noise for every population
SIZE = {"E": 2000, "PV": 500, "SOM": 500}
K = {"E": 200, "PV": 100, "SOM": 100}  # in-degree from each presynaptic population
DT_MS = 0.1

# Fig. 1D cases: (rate config stem, label, Fig. 1D's sign of the E response)
FIG1D = [("fig1d_case1_inhibition", "1 inhibitory motif", -1),
         ("fig1d_case1_disinhibition", "1 disinhibitory motif", +1),
         ("fig1d_case2_strong_pp", "2 strong PV->PV", -1),
         ("fig1d_case2_weak_pp", "2 weak PV->PV", +1),
         ("fig1d_case3_low_pv", "3 low PV rate", -1),
         ("fig1d_case3_high_pv", "3 high PV rate", +1)]
FIG2 = [("fig2ab", "2A/B"), ("fig2cd", "2C/D")]

# Protocol timings (ms of the run clock)
T_WARM = 300.0
WIN_MS = 4000.0  # measured part of each window (E s.e. about 0.25 Hz, docs/validation.md)
SETTLE_MS = 200.0  # after a step, before its window is measured
PV_STEP_UNITS = 0.5  # the PV input step of the paradoxical test, rate-model input units


def erfcx_neg(u):
    """exp(u^2) erfc(-u) for an array u (finite for u > -26)."""
    return np.array([math.exp(x * x) * math.erfc(-x) for x in np.atleast_1d(u)])


def siegert(mu, sigma):
    """Rate (Hz) of the LIF neuron under diffusive input of mean mu and sigma (mV; free V has
    mean mu and variance sigma^2 / 2 above E_L)."""
    lo, hi = (VR - mu) / sigma, (THETA - mu) / sigma
    u = np.linspace(lo, hi, 801)
    val = _trapezoid(erfcx_neg(u), u)
    return 1.0 / (TAU_RP_S + TAU_S * math.sqrt(math.pi) * val)


def mu_for_rate(nu, sigma):
    lo, hi = -60.0, 80.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if siegert(mid, sigma) < nu else (lo, mid)
    return 0.5 * (lo + hi)


def rate_model(stem, cobalt, sets=()):
    """W, names, targets, gains, fixed points and L per epoch of configs/rate/seed002_<stem>.yaml
    (with overrides sets: "key=value")."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.h5")
        cmd = [cobalt, "rate", os.path.join(ROOT, "configs/rate", f"seed002_{stem}.yaml"), "--out", out]
        for kv in sets:
            cmd += ["--set", kv]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with h5py.File(out, "r") as f:
            names = sorted(f["populations"], key=lambda n: int(f["populations"][n].attrs["index"]))
            ep = sorted(f["epochs"], key=int)
            return dict(names=names, W=f["W"][:], target=np.array([f["populations"][n].attrs["target_hz"] for n in names]),
                        gain=f["epochs"][ep[0]]["gain"][:],
                        fp=[f["epochs"][e]["fixed_point_hz"][:] for e in ep], L=[f["epochs"][e]["L"][:] for e in ep])


def spiking_map(rm):
    """J (mV, row = post), mu_ext (mV/s), sigma (total, mV), Siegert slope g (Hz/mV) per population."""
    names, W, nu, b = rm["names"], rm["W"], rm["target"], rm["gain"]
    n = len(names)
    k = np.array([K[p] for p in names], float)
    J = np.abs(W) * 0.5  # start
    for _ in range(40):
        sig2 = TAU_S * (SIGMA_EXT ** 2 + (k[None, :] * J ** 2 * nu[None, :]).sum(1))
        sig = np.sqrt(sig2)
        mu = np.array([mu_for_rate(nu[x], sig[x]) for x in range(n)])
        h = 0.05
        g = np.array([(siegert(mu[x] + h, sig[x]) - siegert(mu[x] - h, sig[x])) / (2 * h) for x in range(n)])
        gv = np.array([(siegert(mu[x], math.sqrt(sig2[x] + h)) - siegert(mu[x], math.sqrt(sig2[x] - h))) / (2 * h)
                       for x in range(n)])  # d nu / d sigma^2
        Jn = np.zeros_like(J)
        for x in range(n):
            for y in range(n):
                m = b[x] * W[x, y]
                if m == 0.0:
                    continue
                s = 1.0 if W[x, y] > 0 else -1.0
                d, a = g[x] * TAU_S * k[y], gv[x] * TAU_S * k[y]
                # a J^2 + s d J = m: the coupling's mean and variance terms together
                # (for inhibition, the smaller root; none when the variance term outweighs: then the
                # J of the strongest net inhibition, d / 2a)
                disc = d * d + 4 * a * m
                if a <= 1e-12:
                    Jn[x, y] = m / (s * d)
                else:
                    Jn[x, y] = s * (math.sqrt(disc) - d) / (2 * a) if disc >= 0 else d / (2 * a)
        J = 0.5 * J + 0.5 * Jn
    sign = np.sign(W)
    mu_rec = TAU_S * (sign * k[None, :] * J * nu[None, :]).sum(1)
    mu_ext = (mu - mu_rec) / TAU_S  # mV/s
    return dict(J=J, mu=mu, sig=sig, g=g, gv=gv, mu_ext=mu_ext, k=k)


def write_config(path, stem, label, rm, sm, windows, perts, seed=1):
    names, W = rm["names"], rm["W"]
    lines = [f"# Seed 002 spiking E/PV/SOM, {label}: the rate model configs/rate/seed002_{stem}.yaml mapped",
             "# onto current-based LIF populations by tools/seed002_spiking.py (generated; docs/validation.md,",
             "# \"Seed 002: spiking E/PV/SOM\"): J_XY matches the linearised coupling b_X W_XY at the target",
             "# rates " + ", ".join(f"{p} {v:g} Hz" for p, v in zip(names, rm["target"])) + "; noise means put each",
             "# population there (Siegert). Protocol: a baseline window, then the perturbations.",
             f"run: {{dt_ms: {DT_MS}, t_warmup_ms: {T_WARM:g}, t_sim_ms: {windows[-1][2] - T_WARM:g}, seed: {seed}}}",
             "populations:"]
    for x, p in enumerate(names):
        lines.append(f"  - {{name: {p}, model: lif_curr, size: {SIZE[p]}, tau_m_ms: {TAU_S * 1e3:g}, "
                     f"tau_ref_ms: {TAU_RP_S * 1e3:g}, e_l_mV: {EL:g}, v_th_mV: {EL + THETA:g}, v_reset_mV: {EL + VR:g},")
        lines.append(f"     noise: {{mu_mV_per_s: {sm['mu_ext'][x]:.2f}, sigma_mV_per_sqrt_s: {SIGMA_EXT:g}}}}}")
    lines.append("projections:")
    for x, post in enumerate(names):
        for y, pre in enumerate(names):
            if W[x, y] != 0.0:
                rec = "E" if W[x, y] > 0 else "I"
                lines.append(f"  - {{pre: {pre}, post: {post}, receptor: {rec}, indegree: {K[pre]}, "
                             f"weight: {sm['J'][x, y]:.4f}, delay_ms: [0.5, 1.5]}}  # w = {abs(W[x, y]):g}")
    lines.append("stats: {pop_rate_bin_ms: 50, v_neurons: 0, v_hist: {bins: 1}}")
    lines.append("protocol:")
    lines.append("  windows:")
    for name, a, e in windows:
        lines.append(f"    - {{name: {name}, start_ms: {a:g}, end_ms: {e:g}}}")
    lines.append("  perturbations:")
    for win, pop, step in perts:
        lines.append(f"    - {{window: {win}, population: {pop}, key: noise.mu_mV_per_s, step: {step:.2f}}}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def som_step(rm, sm, delta_rate):
    """Noise-mean step (mV/s) that moves SOM (with its recurrent input held) to rate r + delta."""
    s = rm["names"].index("SOM")
    nu1 = rm["target"][s] + delta_rate
    return (mu_for_rate(nu1, sm["sig"][s]) - sm["mu"][s]) / TAU_S


def stim_step(rm, sm, pop, units):
    """Noise-mean step (mV/s) of a stimulus of `units` rate-model input units to pop: the linear
    map of the operating point, units b_X / g_X mV of mean drive."""
    x = rm["names"].index(pop)
    return units * rm["gain"][x] / sm["g"][x] / TAU_S


def fig1d_protocol(rm, sm):
    """base; SOM step (settle, measured); PV step (settle, measured): the Fig. 1D response and the
    paradoxical test of PV."""
    d_som = rm["fp"][1][rm["names"].index("SOM")] - rm["target"][rm["names"].index("SOM")]
    step, pv = som_step(rm, sm, d_som), stim_step(rm, sm, "PV", PV_STEP_UNITS)
    t, win, perts = T_WARM, [("base", T_WARM, T_WARM + WIN_MS)], []
    t += WIN_MS
    for name, pop, v in (("som", "SOM", step), ("pv", "PV", pv)):
        win += [(name + "_settle", t, t + SETTLE_MS), (name, t + SETTLE_MS, t + SETTLE_MS + WIN_MS)]
        perts += [(name + "_settle", pop, v), (name, pop, v)]
        t += SETTLE_MS + WIN_MS
    return win, perts


def fig2_protocol(rm, sm, s_units=0.3):
    names = rm["names"]
    d_som = rm["fp"][1][names.index("SOM")] - rm["target"][names.index("SOM")]
    m = som_step(rm, sm, d_som)
    stim = {p: stim_step(rm, sm, p, s_units) for p in ("E", "PV")}
    t, win, perts = T_WARM, [], []
    for name, ps in (("base", []), ("stim", [("E", stim["E"]), ("PV", stim["PV"])]), ("som", [("SOM", m)]),
                     ("somstim", [("SOM", m), ("E", stim["E"]), ("PV", stim["PV"])])):
        if ps:
            win.append((name + "_settle", t, t + SETTLE_MS))
            perts += [(name + "_settle", p, v) for p, v in ps]
            t += SETTLE_MS
        win.append((name, t, t + WIN_MS))
        perts += [(name, p, v) for p, v in ps]
        t += WIN_MS + (SETTLE_MS if name == "stim" else 0.0)  # a gap lets the stimulus decay
    return win, perts


def run(cobalt, cfg, out):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    p = subprocess.run([cobalt, "run", cfg, "--out", out], check=True, capture_output=True, text=True, env=env)
    return json.loads(p.stdout)


def resp(js, window):
    for r in js["response"]:
        if r["window"] == window:
            return r
    raise KeyError(window)


def main():
    global WIN_MS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cobalt", default=os.path.join(ROOT, "build", "cobalt"))
    ap.add_argument("--configs", action="store_true", help="write configs/seed002/*.yaml")
    ap.add_argument("--run", action="store_true", help="run them and write docs/figures/seed002_spiking.*")
    ap.add_argument("--cases", default="", help="comma-separated stems (default: all)")
    ap.add_argument("--fig2", action="store_true", help="also the Fig. 2 gain change")
    ap.add_argument("--win-ms", type=float, default=WIN_MS,
                    help="measured window length (ms); other than the default, the configs are written to a "
                         "temporary folder and the outputs are named seed002_spiking_win<ms>.*")
    ap.add_argument("--tables", action="store_true",
                    help="remake the table and figure from docs/figures/seed002_spiking.csv (no simulation)")
    a = ap.parse_args()
    long_win, WIN_MS = a.win_ms != WIN_MS, a.win_ms
    stem_out = f"seed002_spiking_win{a.win_ms:g}" if long_win else "seed002_spiking"
    if a.tables:
        return remake_tables(a.cobalt, os.path.join(ROOT, "docs", "figures"))
    cfg_dir, fig_dir = os.path.join(ROOT, "configs", "seed002"), os.path.join(ROOT, "docs", "figures")
    if long_win:
        cfg_dir, a.configs = tempfile.mkdtemp(prefix="seed002_"), True
    os.makedirs(cfg_dir, exist_ok=True)
    cases = [c for c in FIG1D if not a.cases or c[0] in a.cases.split(",")]
    f2 = [c for c in FIG2 if a.fig2 and (not a.cases or c[0] in a.cases.split(","))]
    rows = []
    for stem, label, sign in cases + [(s, l, 0) for s, l in f2]:
        rm = rate_model(stem, a.cobalt)
        sm = spiking_map(rm)
        win, perts = (fig2_protocol if stem.startswith("fig2") else fig1d_protocol)(rm, sm)
        cfg = os.path.join(cfg_dir, f"{stem}.yaml")
        if a.configs:
            write_config(cfg, stem, label, rm, sm, win, perts)
        names = rm["names"]
        row = dict(case=label, stem=stem, **{f"J_{x}{y}": round(sm["J"][i, j], 4) for i, x in enumerate(names)
                                              for j, y in enumerate(names) if rm["W"][i, j] != 0})
        if not a.run:
            print(stem, {k: v for k, v in row.items() if k.startswith("J_")}, "mu_ext", np.round(sm["mu_ext"], 1))
            continue
        with tempfile.TemporaryDirectory() as d:
            js = run(a.cobalt, cfg, os.path.join(d, "s.h5"))
        iE, iS = names.index("E"), names.index("SOM")
        base = {p: js["populations"][p]["windows"]["base"]["rate_hz"] for p in names}
        row.update({f"rate_{p}_target": rm["target"][i] for i, p in enumerate(names)})
        row.update({f"rate_{p}_base": round(base[p], 3) for p in names})
        if stem.startswith("fig1d"):
            r = resp(js, "som")
            row.update(rate_dE=round(rm["fp"][1][iE] - rm["fp"][0][iE], 4),
                       rate_dPV=round(rm["fp"][1][names.index("PV")] - rm["fp"][0][names.index("PV")], 4), rate_dSOM=round(rm["fp"][1][iS] - rm["fp"][0][iS], 4),
                       spk_dE=round(r["populations"]["E"]["dr_hz"], 4), spk_dE_se=round(r["populations"]["E"]["se_hz"], 4),
                       spk_dPV=round(r["populations"]["PV"]["dr_hz"], 4), spk_dSOM=round(r["populations"]["SOM"]["dr_hz"], 4),
                       fig1d_sign=sign)
            rp = rate_model(stem, a.cobalt, [f"rate.steps=[{{t_ms: 50, pop: PV, delta: {PV_STEP_UNITS}}}]"])
            iP, q = names.index("PV"), resp(js, "pv")["populations"]["PV"]
            row.update(rate_dPV_pvstep=round(rp["fp"][1][iP] - rp["fp"][0][iP], 4), rate_LPP=round(rm["L"][0][iP, iP], 4),
                       spk_dPV_pvstep=round(q["dr_hz"], 4), spk_dPV_pvstep_se=round(q["se_hz"], 4),
                       spk_PV_paradoxical=int(q["paradoxical"]),
                       spk_dE_pvstep=round(resp(js, "pv")["populations"]["E"]["dr_hz"], 4))
        else:
            L0, L1 = rm["L"][0], rm["L"][1]
            iP = names.index("PV")
            g0 = [resp(js, "stim")["populations"]["E"], resp(js, "somstim")["populations"]["E"]]
            row.update(rate_g_without=round(0.3 * (L0[iE, iE] + L0[iE, iP]), 4), rate_g_with=round(0.3 * (L1[iE, iE] + L1[iE, iP]), 4),
                       spk_g_without=round(g0[0]["dr_hz"], 4), spk_g_with=round(g0[1]["dr_hz"], 4),
                       spk_g_se=round(math.hypot(g0[0]["se_hz"], g0[1]["se_hz"]), 4),
                       spk_som_dE=round(resp(js, "som")["populations"]["E"]["dr_hz"], 4))
        rows.append(row)
        print(json.dumps(row), flush=True)
    if a.run and rows:
        write_outputs(rows, fig_dir, stem_out)


def remake_tables(cobalt, fig_dir):
    """The table and figure again from the CSV; rate-model columns added since are recomputed."""
    with open(os.path.join(fig_dir, "seed002_spiking.csv")) as f:
        rows = [{k: (v if k in ("case", "stem") else float(v)) for k, v in r.items() if v != ""} for r in csv.DictReader(f)]
    for r in rows:
        if r["stem"].startswith("fig1d") and "rate_dPV" not in r:
            rm = rate_model(r["stem"], cobalt)
            iP = rm["names"].index("PV")
            r["rate_dPV"] = round(rm["fp"][1][iP] - rm["fp"][0][iP], 4)
    write_outputs(rows, fig_dir)


def write_outputs(rows, fig_dir, stem_out="seed002_spiking"):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    keys = sorted({k for r in rows for k in r}, key=lambda k: (k not in ("case", "stem"), k))
    with open(os.path.join(fig_dir, stem_out + ".csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    d1 = [r for r in rows if "spk_dE" in r]
    d2 = [r for r in rows if "spk_g_with" in r]
    md = [] if not d1 else ["| case | spiking base rates E, PV, SOM (Hz; target) | rate model dE (Hz) | spiking dE (Hz) +- s.e. | "
          "dPV rate / spiking | dSOM rate / spiking | sign rate / spiking / Fig. 1D |",
          "|---|---|---|---|---|---|---|"]
    sg = lambda v: "+" if v > 0 else "-"
    for r in d1:
        md.append(f"| {r['case']} | {r['rate_E_base']:.2f}, {r['rate_PV_base']:.2f}, {r['rate_SOM_base']:.2f} "
                  f"({r['rate_E_target']:g}, {r['rate_PV_target']:g}, {r['rate_SOM_target']:g}) | "
                  f"{r['rate_dE']:+.3f} | {r['spk_dE']:+.3f} +- {r['spk_dE_se']:.3f} | {r['rate_dPV']:+.3f} / {r['spk_dPV']:+.3f} | "
                  f"{r['rate_dSOM']:.2f} / {r['spk_dSOM']:.2f} | {sg(r['rate_dE'])} / {sg(r['spk_dE'])} / {sg(r['fig1d_sign'])} |")
    if d1:
        md += ["", "| case | PV step: rate model dPV (Hz), L_PP | spiking dPV +- s.e. | paradoxical: rate / spiking |",
               "|---|---|---|---|"]
    for r in d1:
        md.append(f"| {r['case']} | {r['rate_dPV_pvstep']:+.3f}, {r['rate_LPP']:+.3f} | {r['spk_dPV_pvstep']:+.3f} +- "
                  f"{r['spk_dPV_pvstep_se']:.3f} | {'yes' if r['rate_dPV_pvstep'] < 0 else 'no'} / "
                  f"{'yes' if r['spk_PV_paradoxical'] else 'no'} |")
    if d2:
        md += ["" if md else None, "| panel | rate g without / with | spiking g without / with (+- s.e. of the change) | Delta g rate / spiking |",
               "|---|---|---|---|"]
        for r in d2:
            md.append(f"| {r['case']} | {r['rate_g_without']:.3f} / {r['rate_g_with']:.3f} | {r['spk_g_without']:.3f} / "
                      f"{r['spk_g_with']:.3f} (+- {r['spk_g_se']:.3f}) | {r['rate_g_with'] - r['rate_g_without']:+.3f} / "
                      f"{r['spk_g_with'] - r['spk_g_without']:+.3f} |")
    with open(os.path.join(fig_dir, stem_out + ".md"), "w") as f:
        f.write("\n".join(x for x in md if x is not None) + "\n")
    if not d1:
        return  # the figure's first panel is Fig. 1D
    fig, ax = plt.subplots(1, 2 if d2 else 1, figsize=(11 if d2 else 6, 4), squeeze=False)
    x = np.arange(len(d1))
    ax[0, 0].bar(x - 0.2, [r["rate_dE"] for r in d1], 0.4, label="rate model (fixed point)")
    ax[0, 0].bar(x + 0.2, [r["spk_dE"] for r in d1], 0.4, yerr=[2 * r["spk_dE_se"] for r in d1], label="spiking (+- 2 s.e.)")
    ax[0, 0].axhline(0, color="k", lw=0.5)
    ax[0, 0].set_xticks(x, [r["case"].replace(" ", "\n") for r in d1], fontsize=7)
    ax[0, 0].set_ylabel("E response to the SOM step (Hz)")
    ax[0, 0].set_title("Fig. 1D: sign of the E response")
    ax[0, 0].legend(fontsize=8)
    if d2:
        x = np.arange(len(d2))
        for k, (key, lab) in enumerate((("rate_g", "rate"), ("spk_g", "spiking"))):
            ax[0, 1].plot(x + 0.1 * k, [r[key + "_without"] for r in d2], "o", color=f"C{k}", label=f"{lab}, without")
            ax[0, 1].plot(x + 0.1 * k, [r[key + "_with"] for r in d2], "s", color=f"C{k}", mfc="none", label=f"{lab}, with")
        ax[0, 1].set_xticks(x, [r["case"] for r in d2])
        ax[0, 1].set_ylabel("E response to stimulus 0.3 to E and PV (Hz)")
        ax[0, 1].set_title(f"Fig. 2: gain without / with SOM modulation\n(s.e. of the spiking change: "
                           + ", ".join(f"{r['case']} {r['spk_g_se']:.2f}" for r in d2) + ")", fontsize=9)
        ax[0, 1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(fig_dir, stem_out + ".png"), dpi=110)


if __name__ == "__main__":
    sys.exit(main())
