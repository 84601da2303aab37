#!/usr/bin/env python3
"""Seed 001 (Ekelmans, Kraynyukova & Tchumatchenko 2023, PLoS Comput Biol 19:e1011097): the
spiking experiments of issue 13, with the SSN and Phi_sc theory of `cobalt theory` beside them.

  tools/ekelmans2023.py configs            write configs/ekelmans2023/*.yaml (the shipped configs)
  tools/ekelmans2023.py run [NAME ...]     run them (all by default) into --dir (default
                                           build/ekelmans2023), two single-thread runs at a time
  tools/ekelmans2023.py figs               figures into docs/figures/ekelmans_*.png and the
                                           numbers into docs/figures/ekelmans_summary.json

The networks (current-based LIF, theta 1 mV, reset 0, no refractory period, tau_E 20 ms,
tau_I 10 ms, N_E = 3000, N_I = 1000, fixed in-degree, white noise sigma = 3 mV/sqrt(s) on every
neuron, J_XY = K_XY j_XY) were recovered from the authors' parameter files (issue 13). The
configs are generated here so that the size-scaled and tau_E variants stay consistent; each
shipped file says what it is.  Uses numpy, h5py and matplotlib only.
"""
import argparse
import json
import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CFG_DIR = os.path.join(ROOT, "configs", "ekelmans2023")
FIG_DIR = os.path.join(ROOT, "docs", "figures")

# (j in mV, K) per projection X <- Y, N = 4000 (N_E 3000, N_I 1000). Signs: I weights negative.
NETS = {
    "supersaturating": {
        "EE": (0.01026, 195), "EI": (-0.06, 200), "IE": (0.007273, 825), "II": (-0.01, 100),
        "exp": False,
    },
    "bistable": {
        "EE": (0.025641, 195), "EI": (-0.05, 200), "IE": (0.008485, 825), "II": (-0.11, 100),
        "exp": True,  # E<-E and I<-I exponential (tau_s 10 ms, delays U[0, 100] ms)
    },
    "detj_negative": {  # J = (1.25, -1; 1, -1.25): det J < 0; in-degrees of the other two
        "EE": (1.25 / 195, 195), "EI": (-1.0 / 200, 200), "IE": (1.0 / 825, 825), "II": (-1.25 / 100, 100),
        "exp": True,
    },
}
SIGMA = 3.0  # mV/sqrt(s)


def _fmt(x):
    return f"{x:.6g}"


def _sched(points):
    if isinstance(points, (int, float)):
        return _fmt(points)
    return "[" + ", ".join(f"[{_fmt(t)}, {_fmt(v)}]" for t, v in points) + "]"


def config_text(net, header, mu_e, mu_i, t_sim_ms, t_warmup_ms=0, n=4000, tau_e_ms=20.0, dt_ms=0.1,
                protocol=None, stats=None, seed=1, j_scale=(1.0, 1.0, 1.0, 1.0)):
    """The YAML of one experiment. mu_e, mu_i: numbers or schedules [(t_ms, mV/s)]. n: total
    neurons (N_E = 3n/4); in-degrees scale with n (fixed connection probabilities) and the
    weights by sqrt(4000/n) (the balanced-state convention of the paper's Fig. 6).
    j_scale multiplies j_EE, j_EI, j_IE, j_II (Fig. 2B)."""
    p = NETS[net]
    ne, ni = 3 * n // 4, n // 4
    s = math.sqrt(4000.0 / n)
    exp = p["exp"]
    model = "lif_curr_exp" if exp else "lif_curr"
    lines = ["# " + h if h else "#" for h in header.strip("\n").split("\n")]
    lines += [
        "run:",
        f"  dt_ms: {_fmt(dt_ms)}",
        f"  t_warmup_ms: {_fmt(t_warmup_ms)}",
        f"  t_sim_ms: {_fmt(t_sim_ms)}",
        f"  seed: {seed}",
        "populations:",
    ]
    for name, size, tau, mu, syn in (("E", ne, tau_e_ms, mu_e, ("10", "0")), ("I", ni, 10.0, mu_i, ("0", "10"))):
        lines += [
            f"  - name: {name}",
            f"    model: {model}",
            f"    size: {size}",
            f"    tau_m_ms: {_fmt(tau)}",
            "    tau_ref_ms: 0",
            "    v_th_mV: 1",
            "    v_reset_mV: 0",
            "    e_l_mV: 0",
            "    v_init_mV: [0, 1]",
        ]
        if exp:
            lines += [f"    tau_syn_e_ms: {syn[0]}", f"    tau_syn_i_ms: {syn[1]}"]
        lines.append(f"    noise: {{mu_mV_per_s: {_sched(mu)}, sigma_mV_per_sqrt_s: {_fmt(SIGMA)}}}")
    lines.append("projections:")
    for k, (post, pre) in enumerate((("E", "E"), ("E", "I"), ("I", "E"), ("I", "I"))):
        j, kk = p[post + pre]
        kk = kk * n / 4000.0
        w = abs(j) * s * j_scale[k]
        rec = "E" if pre == "E" else "I"
        delay = ", delay_ms: [0, 100]" if exp and pre == post else ""
        lines.append(f"  - {{pre: {pre}, post: {post}, receptor: {rec}, indegree: {_fmt(round(kk))}, "
                     f"weight: {_fmt(w)}{delay}}}")
    if protocol:
        lines.append("protocol:")
        lines += ["  " + x for x in protocol]
    lines.append("stats:")
    lines.append("  pop_rate_bin_ms: 10")
    for k, v in (stats or {}).items():
        lines.append(f"  {k}: {v}")
    return "\n".join(lines) + "\n"


def scaled(n):
    return math.sqrt(n / 4000.0)


# ---- the experiments -------------------------------------------------------------------------

def experiments():
    """name -> (config text, what figs() needs to know)."""
    ex = {}
    # Fig. 2A: supersaturation ramp, 0 -> 50 mV/s over 50 s, r = 1.
    ex["ss_ramp"] = config_text(
        "supersaturating",
        """Seed 001, Fig. 2A: the supersaturating network (J_EE 2.0, J_EI -12, J_IE 6.0, J_II -1.0 mV;
delta synapses with the shortest delay cobalt has, one step) under a slow ramp of the external
mean input mu_ext 0 -> 50 mV/s over 50 s, the same for E and I (r = 1). The E rate rises,
peaks near mu = 19 mV/s and declines while the I rate keeps rising (supersaturation).
Generated by tools/ekelmans2023.py configs; figure and discussion in docs/validation.md.""",
        [(0, 0), (50000, 50)], [(0, 0), (50000, 50)], 50000)
    # Fig. 2B: peak height control: J_EI x f, J_IE / f, r / f.
    for f, tag in ((1.25, "125"), (1.5, "150")):
        ex[f"ss_ramp_f{tag}"] = config_text(
            "supersaturating",
            f"""Seed 001, Fig. 2B: the supersaturating ramp of ss_ramp.yaml with the peak moved by f = {f}:
J_EI x f, J_IE / f and r = mu_I / mu_E = 1 / f (the I input ramps to {50 / f:g} mV/s).
Generated by tools/ekelmans2023.py configs.""",
            [(0, 0), (50000, 50)], [(0, 0), (50000, 50 / f)], 50000, j_scale=(1.0, f, 1.0 / f, 1.0))
    # Fig. 2C/D: at the peak, constant mu = 19 mV/s.
    ex["ss_peak"] = config_text(
        "supersaturating",
        """Seed 001, Fig. 2C/D: the supersaturating network held at the E peak, mu_ext = 19 mV/s for
E and I, 20 s after a 1 s warm-up (the paper: 50 s): rate and CV-of-ISI distributions and the
balance factor BF = -I_I / (I_E + I_ext) of 200 E and 200 I neurons.
Generated by tools/ekelmans2023.py configs.""",
        19, 19, 20000, t_warmup_ms=1000, stats={"balance_neurons": 200})
    # Fig. 2E/F: dynamic targeting. The inputs come from the SSN inversion of `cobalt theory
    # --target` on the shipped trajectory (needs the built cobalt).
    traj = os.path.join(CFG_DIR, "target_trajectory.csv")
    if os.path.exists(traj):
        p = subprocess.run([_cobalt(), "theory", os.path.join(CFG_DIR, "ss_ramp.yaml"), "--target", traj],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"cobalt theory --target: {p.stderr.strip()}")
        mus = [json.loads(x.split("mu_mV_per_s:", 1)[1].split("], sigma", 1)[0].strip() + "]")
               for x in p.stdout.splitlines() if "mu_mV_per_s" in x]
        ex["ss_target"] = config_text(
            "supersaturating",
            """Seed 001, Fig. 2E/F: dynamic targeting. The supersaturating network driven by the inputs
mu_E(t), mu_I(t) that make the SSN follow the target trajectory of target_trajectory.csv
(nu_E = 1.5 + 0.7 sin(2 pi t / 5 s) + 0.3 sin(2 pi t / 1.7 s), nu_I = 1 + 0.6 sin(2 pi t / 3.3 s + 1),
20 s): mu_X = f_X^-1(nu_X + tau_X dnu_X/dt) - sum_Y J_XY nu_Y, computed by
`cobalt theory ss_ramp.yaml --target target_trajectory.csv` (docs/theory.md), 100 ms apart.
Generated by tools/ekelmans2023.py configs.""",
            [tuple(x) for x in mus[0]], [tuple(x) for x in mus[1]], 20000)
    # Fig. 3B variant: the paradoxical effect in the bistable network's (only) state at mu_E = 10.
    ex["isn_paradox"] = config_text(
        "bistable",
        """Seed 001, Fig. 3B variant (issue 13): inhibition stabilisation and the paradoxical effect.
The bistable network (J_EE 5.0, J_EI -10, J_IE 7.0, J_II -11 mV; E<-E and I<-I exponential
synapses, tau_s 10 ms, delays U[0, 100] ms) at mu_E = mu_I = 10 mV/s, where it has one state
(nu_E about 9 Hz, in the ISN: the SSN's ISN threshold is nu_E = 1.6 Hz). After 5 s the input
to I alone ramps 10 -> 60 mV/s over 50 s: in the ISN the I rate falls as its input grows (the
paradoxical effect); it turns up again where nu_E crosses the ISN threshold.
Generated by tools/ekelmans2023.py configs.""",
        10, [(0, 10), (5000, 10), (55000, 60)], 55000)
    # Fig. 4A/B: hysteresis at tau_E = 18, 20, 22 ms.
    for tau in (18, 20, 22):
        ex[f"bistable_loop_tau{tau}"] = config_text(
            "bistable",
            f"""Seed 001, Fig. 4A/B: the bistable network at tau_E = {tau} ms under an up-then-down ramp of
mu_ext (E and I, r = 1): 0 -> 10 mV/s over 100 s, then 10 -> 0 over 100 s (the paper: 1000 s
in all; here 5x faster, so the loop is slightly wider than at the paper's speed). The
rate against mu on the way up and on the way down encloses the bistability window.
Generated by tools/ekelmans2023.py configs.""",
            [(0, 0), (100000, 10), (200000, 0)], [(0, 0), (100000, 10), (200000, 0)], 200000,
            tau_e_ms=tau)
    # Fig. 4C/D: persistent activity at tau_E = 22 ms: a kick at mu = 0 switches the network up.
    ex["bistable_kick"] = config_text(
        "bistable",
        """Seed 001, Fig. 4C/D: persistent activity. The bistable network at tau_E = 22 ms, whose
bistability window reaches mu_ext = 0: from the low state at mu = 0, a 300 ms kick of
+10 mV/s to E and I switches it to the up state, which persists after the kick. Windows:
"down" before the kick, "up" from 1 s after it; the balance factor is sampled after the run
from the whole measurement.
Generated by tools/ekelmans2023.py configs.""",
        0, 0, 25000, tau_e_ms=22, t_warmup_ms=0,
        protocol=["windows:",
                  "  - {name: down, start_ms: 1000, end_ms: 5000}",
                  "  - {name: kick, start_ms: 5000, end_ms: 5300}",
                  "  - {name: up, start_ms: 6300, end_ms: 25000}",
                  "perturbations:",
                  "  - {window: kick, population: E, key: noise.mu_mV_per_s, step: 10}",
                  "  - {window: kick, population: I, key: noise.mu_mV_per_s, step: 10}"],
        stats={"balance_neurons": 200})
    # Fig. 5B / 6E: the det J < 0 network at r = 3 (supersaturating at N = 4000).
    ex["detj_ramp"] = config_text(
        "detj_negative",
        """Seed 001, Figs. 5B and 6E at N = 4000: the network with det J < 0 (J_EE 1.25, J_EI -1, J_IE 1,
J_II -1.25 mV; in-degrees as in the other networks, j = J / K; E<-E and I<-I exponential
synapses, tau_s 10 ms, delays U[0, 100] ms, as the paper simulates it) under a ramp of mu_ext,E
0 -> 40 mV/s over 40 s with r = mu_I / mu_E = 3: the E rate peaks (SSN: mu = 20.9 mV/s,
3.2 Hz) and declines. Its balanced limit exists but is unstable.
Generated by tools/ekelmans2023.py configs.""",
        [(0, 0), (40000, 40)], [(0, 0), (40000, 120)], 40000)
    # Fig. 6: size scaling of the supersaturating network (j x sqrt(4000/N), K ~ N, mu x sqrt(N/4000)).
    for n in (4000, 10000, 20000, 40000):
        m = 50 * scaled(n)
        ex[f"ss_size_{n}"] = config_text(
            "supersaturating",
            f"""Seed 001, Fig. 6A/B: the supersaturating network at N = {n} (N_E {3 * n // 4}, N_I {n // 4}):
fixed connection probabilities (in-degrees x N/4000), j x sqrt(4000/N), and the ramp of mu_ext
x sqrt(N/4000): 0 -> {m:.4g} mV/s over 10 s, r = 1 (a 5x faster ramp than Fig. 2A, still slow
against the network's 20 ms time scale).
Generated by tools/ekelmans2023.py configs.""",
            [(0, 0), (10000, m)], [(0, 0), (10000, m)], 10000, n=n)
    return ex


# Fig. 5: regime maps, one `cobalt sweep` over (mu, r) cells per network. Cells chosen from the
# SSN's map (`cobalt theory CFG --regime-map`) so that every regime the network has appears.
REGIME_CELLS = {
    "bistable": [(mu, r) for r in (0.5, 1.0, 2.0, 3.0) for mu in (1.0, 3.4, 10.0, 20.0)],
    "detj_negative": [(mu, r) for r in (0.5, 2.25, 3.0) for mu in (10.0, 20.0, 25.0, 35.0)],
}
REGIME_STEP = 3.0  # mV/s on E (and r x on I) for the finite differences


def regime_sweep_text(net):
    """A sweep over cells; each point holds (mu, r mu) and has windows: base; both inputs
    +REGIME_STEP (x r on I): supersaturation if nu_E falls; I alone +r REGIME_STEP: the
    paradoxical effect (ISN) if nu_I falls; a kick of +20 mV/s to E for 300 ms, then the base
    again: bistable if nu_E stays up."""
    cells = REGIME_CELLS[net]
    mus = ", ".join(_fmt(m) for m, r in cells)
    mui = ", ".join(_fmt(m * r) for m, r in cells)
    st = ", ".join(_fmt(REGIME_STEP * r) for m, r in cells)
    d = REGIME_STEP
    txt = config_text(
        net,
        f"""Seed 001, Fig. 5{'A' if net == 'bistable' else 'B'}: regime map of the {net} network over (mu, r) cells,
a `cobalt sweep` (combine: zip, one point per cell; tools/ekelmans2023.py run regime_{net}
runs the points, figs classifies them: docs/validation.md). After a 3 s warm-up (this network
takes 2-3 s to settle from its initial state), 1.5 s windows 0.3 s apart: base at (mu, r mu);
both inputs +{d:g} mV/s (x r on I): supersaturating if nu_E falls; I alone +{d:g} r: ISN
(paradoxical) if nu_I falls; a +20 mV/s kick to E for 300 ms, then 2 s later the base: bistable
if nu_E stays up; rates beyond 100 Hz: no steady state (of the SSN: in the LIF network a
high-rate state that only the saturation of Phi bounds).
Generated by tools/ekelmans2023.py configs.""",
        cells[0][0], cells[0][0] * cells[0][1], 11400, t_warmup_ms=3000,
        protocol=["windows:",
                  "  - {name: base, start_ms: 3000, end_ms: 4500}",
                  "  - {name: both, start_ms: 4800, end_ms: 6300}",
                  "  - {name: inh, start_ms: 6600, end_ms: 8100}",
                  "  - {name: kick, start_ms: 8100, end_ms: 8400}",
                  "  - {name: after, start_ms: 10400, end_ms: 11400}",
                  "perturbations:",
                  f"  - {{window: both, population: E, key: noise.mu_mV_per_s, step: {d:g}}}",
                  f"  - {{window: both, population: I, key: noise.mu_mV_per_s, step: {d * cells[0][1]:g}}}",
                  f"  - {{window: inh, population: I, key: noise.mu_mV_per_s, step: {d * cells[0][1]:g}}}",
                  "  - {window: kick, population: E, key: noise.mu_mV_per_s, step: 20}"])
    txt += ("sweep:\n  set:\n"
            f"    populations.E.noise.mu_mV_per_s: [{mus}]\n"
            f"    populations.I.noise.mu_mV_per_s: [{mui}]\n"
            f"    protocol.perturbations.1.step: [{st}]\n"
            f"    protocol.perturbations.2.step: [{st}]\n"
            "  combine: zip\n")
    return txt


def cmd_configs(args):
    os.makedirs(CFG_DIR, exist_ok=True)
    ex = experiments()
    for net in REGIME_CELLS:
        ex["regime_" + net] = regime_sweep_text(net)
    for name, text in ex.items():
        with open(os.path.join(CFG_DIR, name + ".yaml"), "w") as f:
            f.write(text)
    print(f"wrote {len(ex)} configs to {os.path.relpath(CFG_DIR, ROOT)}")


def _cobalt():
    for c in (os.environ.get("COBALT"), os.path.join(ROOT, "build", "cobalt")):
        if c and os.path.exists(c):
            return c
    return "cobalt"


def _run_one(cfg_path, out, log, point, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    if point is None:
        cmd = [_cobalt(), "run", cfg_path, "--out", out, "--quiet"]
    else:  # one cell of a regime-map sweep: DIR/point_<i>.h5
        cmd = [_cobalt(), "sweep", cfg_path, "--point", str(point), "--dir", os.path.dirname(out), "--quiet"]
    with open(log, "w") as lf:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=lf, env=env, text=True)
    if p.returncode != 0:
        return cfg_path, None, p.returncode
    try:
        summary = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        summary = {"run_s": float("nan")}
    with open(out + ".json", "w") as f:
        json.dump(summary, f)
    return cfg_path, summary, 0


def cmd_run(args):
    os.makedirs(args.dir, exist_ok=True)
    jobs = []
    names = args.names or sorted(experiments()) + ["regime_" + n for n in REGIME_CELLS]
    for name in names:
        if name.startswith("regime_"):
            net = name[len("regime_"):]
            pdir = os.path.join(args.dir, name)
            os.makedirs(pdir, exist_ok=True)
            for i in range(len(REGIME_CELLS[net])):
                jobs.append((os.path.join(CFG_DIR, name + ".yaml"), os.path.join(pdir, f"point_{i}.h5"),
                             os.path.join(pdir, f"point_{i}.log"), i))
            continue
        cfg = os.path.join(CFG_DIR, name + ".yaml")
        stem = os.path.join(args.dir, name)
        jobs.append((cfg, stem + ".h5", stem + ".log", None))
    jobs = [j for j in jobs if args.force or not os.path.exists(j[1] + ".json")]
    print(f"{len(jobs)} runs, {args.jobs} at a time", flush=True)
    with ThreadPoolExecutor(args.jobs) as ex:
        for cfg, summary, rc in ex.map(lambda j: _run_one(*j, args.threads), jobs):
            msg = f"{summary.get('run_s', summary.get('wall_s', float('nan'))):.1f} s" if summary else f"FAILED rc {rc}"
            print(f"{os.path.relpath(cfg, ROOT)}: {msg}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("configs")
    r = sub.add_parser("run")
    r.add_argument("names", nargs="*")
    r.add_argument("--dir", default=os.path.join(ROOT, "build", "ekelmans2023"))
    r.add_argument("--jobs", type=int, default=2)
    r.add_argument("--threads", type=int, default=1)
    r.add_argument("--force", action="store_true")
    f = sub.add_parser("figs")
    f.add_argument("--dir", default=os.path.join(ROOT, "build", "ekelmans2023"))
    args = ap.parse_args()
    if args.cmd == "configs":
        cmd_configs(args)
    elif args.cmd == "run":
        cmd_run(args)
    else:
        cmd_figs(args)


# ---- figures ---------------------------------------------------------------------------------

def theory_scan(cfg, lo, hi, n, sets=(), ratio=None, scan=None):
    """`cobalt theory CFG --mu-scan lo:hi:n`: rows {method, mu_E, mu_I, branch, r_E, r_I, stable, isn}.
    scan="I": the I input alone is scanned, E's held at the config's value (--scan-pop I)."""
    args = [_cobalt(), "theory", cfg, "--mu-scan", f"{lo:g}:{hi:g}:{n}"]
    if scan:
        args += ["--scan-pop", scan]
    if ratio is not None:
        args += ["--ratio", f"{ratio:g}"]
    for s in sets:
        args += ["--set", s]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: {p.stderr.strip()}")
    lines = [x for x in p.stdout.splitlines() if x.strip()]
    head = lines[0].split(",")
    rows = []
    for x in lines[1:]:
        d = dict(zip(head, x.split(",")))
        for k in ("mu_E", "mu_I", "r_E", "r_I"):
            d[k] = float(d[k])
        for k in ("branch", "stable", "isn"):
            d[k] = int(d[k])
        rows.append(d)
    return rows


def load(path):
    """Population rate series and summary of one run: {pop: {t_s, rate}} plus the JSON summary."""
    import h5py
    import numpy as np
    out = {}
    with h5py.File(path, "r") as f:
        t0 = float(f["/run"].attrs.get("t_warmup_ms", 0.0)) if "/run" in f else 0.0
        for name in ("E", "I"):
            g = f["/populations/" + name]
            c = g["rate_ts_counts"][:].astype(float)
            bin_ms = float(g.attrs["bin_ms"])
            n = float(g.attrs["n"])
            t = (t0 + (np.arange(len(c)) + 0.5) * bin_ms) / 1000.0
            out[name] = {"t_s": t, "rate": c / (n * bin_ms / 1000.0), "group": {k: g[k][:] for k in g.keys()
                                                                                  if k in ("rate_hz", "cv_isi",
                                                                                           "balance_factor")}}
    with open(path + ".json") as f:
        out["summary"] = json.load(f)
    return out


def stable_peak(rows, method):
    """(mu_E, r_E) of the highest stable E rate of one method's scan rows."""
    st = [x for x in rows if x["method"] == method and x["stable"]]
    k = max(range(len(st)), key=lambda i: st[i]["r_E"])
    return st[k]["mu_E"], st[k]["r_E"]


def smooth(t, y, width_s):
    import numpy as np
    k = max(1, int(round(width_s / (t[1] - t[0]))))
    m = len(y) // k
    return t[:m * k].reshape(m, k).mean(1), y[:m * k].reshape(m, k).mean(1)


def plot_theory(ax, rows, method, pop, color, x="mu_E", label=None):
    """SSN (or Phi_sc) branches: stable solid, unstable dashed."""
    import numpy as np
    rows = [r for r in rows if r["method"] == method]
    for b in sorted(set(r["branch"] for r in rows)):
        br = [r for r in rows if r["branch"] == b]
        xs = np.array([r[x] for r in br])
        ys = np.array([r["r_" + pop] for r in br])
        st = np.array([r["stable"] for r in br], bool)
        for mask, ls in ((st, "-" if method == "ssn" else ":"), (~st, "--")):
            yy = np.where(mask, ys, np.nan)
            ax.plot(xs, yy, ls, color=color, lw=1.4 if method == "ssn" else 1.0, label=label if mask is st else None)
            label = None


def cmd_figs(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    d = args.dir
    summary = {}
    have = lambda name: os.path.exists(os.path.join(d, name + ".h5.json"))  # noqa: E731
    cfg = lambda name: os.path.join(CFG_DIR, name + ".yaml")  # noqa: E731
    run = lambda name: load(os.path.join(d, name + ".h5"))  # noqa: E731
    col = {"E": "tab:blue", "I": "tab:red"}

    def save(fig, name):
        fig.tight_layout()
        fig.savefig(os.path.join(FIG_DIR, name), dpi=110)
        plt.close(fig)

    # Fig. 2A/B: supersaturation ramps.
    if have("ss_ramp"):
        fig, axs = plt.subplots(1, 2, figsize=(11, 4))
        ax = axs[0]
        r = run("ss_ramp")
        rows = theory_scan(cfg("ss_ramp"), 0, 50, 201)
        s2a = {}
        for p in ("E", "I"):
            mu = 50.0 * r[p]["t_s"] / 50.0
            ax.plot(mu, r[p]["rate"], color=col[p], alpha=0.15, lw=0.5)
            ts, ys = smooth(r[p]["t_s"], r[p]["rate"], 0.5)
            ax.plot(ts, ys, color=col[p], lw=1.5, label=f"nu_{p} (LIF, 0.5 s means)")
            plot_theory(ax, rows, "ssn", p, "k", label="SSN" if p == "E" else None)
            plot_theory(ax, rows, "phi_sc", p, "0.4", label="Phi_sc" if p == "E" else None)
            k = int(np.argmax(ys)) if p == "E" else None
            if p == "E":
                s2a["sim_peak_mu"], s2a["sim_peak_hz"] = float(ts[k]), float(ys[k])
                s2a["sim_E_at_50"] = float(ys[-1])
        for m in ("ssn", "phi_sc"):
            s2a[m + "_peak_mu"], s2a[m + "_peak_hz"] = stable_peak(rows, m)
        summary["fig2a"] = s2a
        ax.set_xlabel("mu_ext (mV/s), r = 1")
        ax.set_ylabel("rate (Hz)")
        ax.set_ylim(0, 6)
        ax.set_title("Fig. 2A: supersaturation (N = 4000)")
        ax.legend(fontsize=7)
        ax = axs[1]
        s2b = {}
        for name, f, c in (("ss_ramp", 1.0, "tab:blue"), ("ss_ramp_f125", 1.25, "tab:green"),
                           ("ss_ramp_f150", 1.5, "tab:purple")):
            if not have(name):
                continue
            r = run(name)
            ts, ys = smooth(r["E"]["t_s"], r["E"]["rate"], 0.5)
            ax.plot(ts, ys, color=c, lw=1.5, label=f"f = {f:g}")
            rows = theory_scan(cfg(name), 0, 50, 201)
            plot_theory(ax, rows, "ssn", "E", c)
            j = int(np.argmax(ys))
            pm, ph = stable_peak(rows, "ssn")
            s2b[f"f{f:g}"] = {"sim_peak_mu": float(ts[j]), "sim_peak_hz": float(ys[j]), "ssn_peak_mu": pm,
                              "ssn_peak_hz": ph}
        summary["fig2b"] = s2b
        ax.set_xlabel("mu_ext,E (mV/s)")
        ax.set_ylabel("nu_E (Hz)")
        ax.set_title("Fig. 2B: J_EI x f, J_IE / f, r / f (lines: SSN)")
        ax.legend(fontsize=7)
        save(fig, "ekelmans_fig2ab.png")

    # Figs. 5B / 6E at N = 4000: the det J < 0 network at r = 3.
    if have("detj_ramp"):
        r = run("detj_ramp")
        fig, ax = plt.subplots(figsize=(5.5, 4))
        rows = theory_scan(cfg("detj_ramp"), 0, 40, 161)
        sd = {}
        for p in ("E", "I"):
            ts, ys = smooth(r[p]["t_s"], r[p]["rate"], 0.5)
            ax.plot(ts, ys, color=col[p], lw=1.5, label=f"nu_{p} (LIF, 0.5 s means)")
            plot_theory(ax, rows, "ssn", p, "k", label="SSN" if p == "E" else None)
            plot_theory(ax, rows, "phi_sc", p, "0.4", label="Phi_sc" if p == "E" else None)
            if p == "E":
                j = int(np.argmax(ys))
                sd["sim_peak_mu"], sd["sim_peak_hz"], sd["sim_E_at_40"] = float(ts[j]), float(ys[j]), float(ys[-1])
        for m in ("ssn", "phi_sc"):
            sd[m + "_peak_mu"], sd[m + "_peak_hz"] = stable_peak(rows, m)
        ax.set_xlabel("mu_ext,E (mV/s), r = 3")
        ax.set_ylabel("rate (Hz)")
        ax.set_ylim(0, 8)
        ax.set_title("det J < 0 network, N = 4000 (Figs. 5B, 6E)", fontsize=9)
        ax.legend(fontsize=7)
        save(fig, "ekelmans_detj.png")
        summary["detj"] = sd

    # Fig. 2C/D: at the peak.
    if have("ss_peak"):
        r = run("ss_peak")
        fig, axs = plt.subplots(1, 3, figsize=(12, 3.6))
        bf = [r[p]["group"]["balance_factor"] for p in ("E", "I")]
        axs[0].boxplot([b[np.isfinite(b)] for b in bf])
        axs[0].set_xticks([1, 2], ["E", "I"])
        axs[0].set_ylabel("balance factor -I_I / (I_E + I_ext)")
        axs[0].set_title("Fig. 2C: BF at the E peak (mu = 19)")
        for p in ("E", "I"):
            cv = r[p]["group"]["cv_isi"]
            cv = cv[np.isfinite(cv)]
            axs[1].hist(cv, bins=40, range=(0, 2), histtype="step", color=col[p], label=f"{p}: median {np.median(cv):.2f}")
            axs[2].hist(r[p]["group"]["rate_hz"], bins=50, range=(0, 10), histtype="step", color=col[p],
                        label=f"{p}: mean {r[p]['group']['rate_hz'].mean():.2f} Hz")
        axs[1].set_xlabel("CV of ISI")
        axs[1].legend(fontsize=7)
        axs[1].set_title("Fig. 2D: irregularity")
        axs[2].set_xlabel("rate (Hz)")
        axs[2].legend(fontsize=7)
        save(fig, "ekelmans_fig2cd.png")
        summary["fig2cd"] = {p: {"rate_hz": float(r[p]["group"]["rate_hz"].mean()),
                                 "cv_median": float(np.nanmedian(r[p]["group"]["cv_isi"])),
                                 "bf_mean": float(np.nanmean(r[p]["group"]["balance_factor"])),
                                 "bf_sd": float(np.nanstd(r[p]["group"]["balance_factor"]))} for p in ("E", "I")}

    # Fig. 2E/F: targeting.
    if have("ss_target"):
        r = run("ss_target")
        tr = np.loadtxt(os.path.join(CFG_DIR, "target_trajectory.csv"), delimiter=",", skiprows=1)
        fig, axs = plt.subplots(1, 2, figsize=(11, 4))
        sm = {p: smooth(r[p]["t_s"], r[p]["rate"], 0.1) for p in ("E", "I")}
        axs[0].plot(tr[:, 1], tr[:, 2], "k", lw=1.5, label="target")
        ph = {p: smooth(r[p]["t_s"], r[p]["rate"], 0.25) for p in ("E", "I")}
        keep = ph["E"][0] > 0.5
        axs[0].plot(ph["E"][1][keep], ph["I"][1][keep], color="tab:blue", lw=0.8, alpha=0.8,
                    label="LIF network (0.25 s means, after 0.5 s)")
        axs[0].set_xlabel("nu_E (Hz)")
        axs[0].set_ylabel("nu_I (Hz)")
        axs[0].set_title("Fig. 2E: the network follows a target trajectory")
        axs[0].legend(fontsize=7)
        st = {}
        for p, k in (("E", 1), ("I", 2)):
            axs[1].plot(tr[:, 0] / 1000, tr[:, k], color="k", lw=1)
            axs[1].plot(sm[p][0], sm[p][1], color=col[p], lw=1, label=f"nu_{p}")
            want = np.interp(sm[p][0], tr[:, 0] / 1000, tr[:, k])
            keep = sm[p][0] > 0.5
            err = sm[p][1][keep] - want[keep]
            st[p] = {"rms_hz": float(np.sqrt(np.mean(err ** 2))), "mean_err_hz": float(err.mean()),
                     "target_sd_hz": float(want[keep].std())}
        axs[1].set_xlabel("t (s)")
        axs[1].set_ylabel("rate (Hz); black: target")
        axs[1].set_title("Fig. 2F: rates against the target")
        axs[1].legend(fontsize=7)
        save(fig, "ekelmans_fig2ef.png")
        summary["fig2ef"] = st

    # Fig. 3B variant: the paradoxical effect.
    if have("isn_paradox"):
        r = run("isn_paradox")
        fig, axs = plt.subplots(1, 2, figsize=(11, 4))
        rows = theory_scan(cfg("isn_paradox"), 10, 60, 201, scan="I")
        sp = {}
        for k, p in enumerate(("E", "I")):
            ax = axs[k]
            t = r[p]["t_s"]
            keep = t > 5.0
            mu_i = 10 + 50 * (t[keep] - 5.0) / 50.0
            ax.plot(mu_i, r[p]["rate"][keep], color=col[p], alpha=0.15, lw=0.5)
            ts, ys = smooth(t[keep], r[p]["rate"][keep], 1.0)
            xs = 10 + 50 * (ts - 5.0) / 50.0
            ax.plot(xs, ys, color=col[p], lw=1.5, label=f"nu_{p} (LIF, 1 s means)")
            plot_theory(ax, rows, "ssn", p, "k", x="mu_I", label="SSN")
            plot_theory(ax, rows, "phi_sc", p, "0.4", x="mu_I", label="Phi_sc")
            if p == "I":
                j = int(np.argmin(ys))
                sp["sim_min_I_mu_I"], sp["sim_min_I_hz"] = float(xs[j]), float(ys[j])
                st = [x for x in rows if x["method"] == "ssn" and x["stable"]]
                j = int(np.argmin([x["r_I"] for x in st]))
                sp["ssn_min_I_mu_I"], sp["ssn_min_I_hz"], sp["ssn_E_at_min"] = st[j]["mu_I"], st[j]["r_I"], st[j]["r_E"]
                isn = [x for x in st if not x["isn"]]
                sp["ssn_isn_ends_mu_I"] = min(x["mu_I"] for x in isn) if isn else None
                if sp["ssn_isn_ends_mu_I"] is not None:
                    for a in axs:
                        a.axvline(sp["ssn_isn_ends_mu_I"], color="0.5", ls=":", lw=1)
            ax.set_xlabel("mu_ext,I (mV/s); mu_ext,E = 10 mV/s")
            ax.set_ylabel(f"nu_{p} (Hz)")
            ax.legend(fontsize=7)
        axs[0].set_title("E rate; dotted: SSN's ISN threshold crossing")
        axs[1].set_title("paradoxical effect: nu_I falls as mu_I grows")
        save(fig, "ekelmans_isn.png")
        summary["isn"] = sp

    # Fig. 4A/B: hysteresis loops.
    loops = [t for t in (18, 20, 22) if have(f"bistable_loop_tau{t}")]
    if loops:
        fig, axs = plt.subplots(1, len(loops), figsize=(4.2 * len(loops), 3.8), squeeze=False)
        s4 = {}
        for ax, tau in zip(axs[0], loops):
            name = f"bistable_loop_tau{tau}"
            r = run(name)
            t = r["E"]["t_s"]
            ts, ys = smooth(t, r["E"]["rate"], 0.5)
            mu = np.where(ts <= 100, ts / 10.0, (200 - ts) / 10.0)
            up, down = ts <= 100, ts > 100
            ax.plot(mu[up], ys[up], color="tab:orange", lw=1.2, label="ramp up")
            ax.plot(mu[down], ys[down], color="tab:cyan", lw=1.2, label="ramp down")
            rows = theory_scan(cfg(name), -2, 10, 241)
            plot_theory(ax, rows, "ssn", "E", "k", label="SSN")
            plot_theory(ax, rows, "phi_sc", "E", "0.4", label="Phi_sc")
            thr = 0.5 * (np.nanmin(ys) + np.nanmax(ys))
            jump_up = mu[up][np.argmax(ys[up] > thr)] if np.any(ys[up] > thr) else None
            jump_dn = mu[down][np.argmax(ys[down] < thr)] if np.any(ys[down] < thr) else None
            win = {}
            for m in ("ssn", "phi_sc"):
                counts = {}
                for x in rows:
                    if x["method"] == m and x["stable"]:
                        counts[x["mu_E"]] = counts.get(x["mu_E"], 0) + 1
                bi = sorted(mu for mu, c in counts.items() if c >= 2)
                win[m + "_window"] = [bi[0], bi[-1]] if bi else None
            up_hi = ys[up][mu[up] > 8].mean() if np.any(mu[up] > 8) else None
            s4[f"tau{tau}"] = dict(win, sim_up_jump_mu=float(jump_up) if jump_up is not None else None,
                                   sim_down_jump_mu=float(jump_dn) if jump_dn is not None else None,
                                   sim_E_mu_8_10=float(up_hi) if up_hi is not None else None)
            ax.set_title(f"tau_E = {tau} ms")
            ax.set_xlabel("mu_ext (mV/s), r = 1")
            ax.set_ylabel("nu_E (Hz)")
            ax.set_xlim(-2, 10)
            ax.legend(fontsize=7)
        fig.suptitle("Fig. 4A/B: bistability, up-then-down ramps (0.5 s means)")
        save(fig, "ekelmans_fig4ab.png")
        summary["fig4ab"] = s4

    # Fig. 4C/D: persistent activity after a kick at mu = 0.
    if have("bistable_kick"):
        r = run("bistable_kick")
        w = r["summary"]["populations"]
        fig, axs = plt.subplots(1, 2, figsize=(11, 3.6))
        for p in ("E", "I"):
            ts, ys = smooth(r[p]["t_s"], r[p]["rate"], 0.1)
            axs[0].plot(ts, ys, color=col[p], lw=1, label=f"nu_{p} (0.1 s means)")
        axs[0].axvspan(5.0, 5.3, color="0.85")
        axs[0].set_xlabel("t (s); grey: the kick")
        axs[0].set_ylabel("rate (Hz)")
        axs[0].set_title("Fig. 4C: persistent activity at mu = 0, tau_E = 22 ms")
        axs[0].legend(fontsize=7)
        # Population balance factor in the up state from the window rates (mean inputs):
        # BF_X = -J_XI nu_I / (J_XE nu_E + mu_ext), mu_ext = 0 here.
        nu = {p: w[p]["windows"]["up"]["rate_hz"] for p in ("E", "I")}
        net = NETS["bistable"]
        bf = {X: abs(net[X + "I"][0] * net[X + "I"][1]) * nu["I"] / (net[X + "E"][0] * net[X + "E"][1] * nu["E"])
              for X in ("E", "I")}
        for p in ("E", "I"):
            cv = r[p]["group"]["cv_isi"]
            cv = cv[np.isfinite(cv)]
            axs[1].hist(cv, bins=40, range=(0, 2.5), histtype="step", color=col[p],
                        label=f"{p}: median {np.median(cv):.2f}")
        axs[1].set_xlabel("CV of ISI (whole run, up state 75% of it)")
        axs[1].legend(fontsize=7)
        save(fig, "ekelmans_fig4cd.png")
        summary["fig4cd"] = {"windows": {p: w[p]["windows"] for p in ("E", "I")}, "bf_up_from_rates": bf,
                             "bf_sampled_whole_run": {p: w[p].get("balance_factor_mean") for p in ("E", "I")}}

    # Fig. 6A/B: size scaling of the supersaturating network.
    sizes = [n for n in (4000, 10000, 20000, 40000) if have(f"ss_size_{n}")]
    if sizes:
        fig, axs = plt.subplots(1, 2, figsize=(11, 4))
        cm = plt.get_cmap("viridis")
        s6 = {}
        for k, n in enumerate(sizes):
            name = f"ss_size_{n}"
            r = run(name)
            c = cm(k / max(1, len(sizes) - 1))
            m = 50 * scaled(n)
            ts, ys = smooth(r["E"]["t_s"], r["E"]["rate"], 0.2)
            mu = m * ts / 10.0
            rows = theory_scan(cfg(name), 0, m, 201)
            for ax, x in ((axs[0], mu), (axs[1], mu / scaled(n))):
                ax.plot(x, ys, color=c, lw=1.2, label=f"N = {n}")
            ssn = [x for x in rows if x["method"] == "ssn" and x["stable"]]
            axs[0].plot([x["mu_E"] for x in ssn], [x["r_E"] for x in ssn], "--", color=c, lw=1)
            axs[1].plot([x["mu_E"] / scaled(n) for x in ssn], [x["r_E"] for x in ssn], "--", color=c, lw=1)
            j = int(np.argmax(ys))
            kk = int(np.argmax([x["r_E"] for x in ssn]))
            s6[str(n)] = {"sim_peak_hz": float(ys[j]), "sim_peak_mu": float(mu[j]), "ssn_peak_hz": ssn[kk]["r_E"],
                          "ssn_peak_mu": ssn[kk]["mu_E"], "run_s": r["summary"]["run_s"],
                          "synapses": r["summary"]["synapses"], "peak_rss_bytes": r["summary"]["peak_rss_bytes"]}
        axs[0].set_xlabel("mu_ext after scaling (mV/s)")
        axs[1].set_xlabel("mu_ext / sqrt(N / 4000) (before scaling)")
        for ax in axs:
            ax.set_ylabel("nu_E (Hz); dashed: SSN")
            ax.legend(fontsize=7)
        axs[0].set_title("Fig. 6A: supersaturating network against N")
        axs[1].set_title("Fig. 6B: the E peak shrinks with N (no balanced limit)")
        save(fig, "ekelmans_fig6.png")
        summary["fig6"] = s6

    # Fig. 5: regime maps (simulated cells over the SSN's map).
    s5 = {}
    for net in REGIME_CELLS:
        name = "regime_" + net
        pdir = os.path.join(d, name)
        cells = REGIME_CELLS[net]
        if not all(os.path.exists(os.path.join(pdir, f"point_{i}.h5")) for i in range(len(cells))):
            continue
        import h5py
        mus = sorted(set(m for m, r in cells))
        rs = sorted(set(r for m, r in cells))
        grid = subprocess.run([_cobalt(), "theory", cfg(name), "--regime-map",
                               f"0:{1.25 * max(mus):g}:121,0:{1.1 * max(rs):g}:111"], capture_output=True, text=True)
        th = [x.split(",") for x in grid.stdout.splitlines()[1:] if x]
        names = ["stable", "isn", "supersaturating", "supersaturating+isn", "bistable", "none"]
        colors = ["#dddddd", "#6fa8dc", "#e06666", "#b4a7d6", "#93c47d", "#444444"]
        code = {n: k for k, n in enumerate(names)}
        tm = sorted(set(float(x[0]) for x in th))
        tr = sorted(set(float(x[1]) for x in th))
        img = np.zeros((len(tr), len(tm)))
        for x in th:
            img[tr.index(float(x[1])), tm.index(float(x[0]))] = code[x[2]]
        fig, ax = plt.subplots(figsize=(6.5, 4.8))
        from matplotlib.colors import ListedColormap
        ax.imshow(img, origin="lower", aspect="auto", extent=(tm[0], tm[-1], tr[0], tr[-1]),
                  cmap=ListedColormap(colors), vmin=-0.5, vmax=5.5, alpha=0.55)
        agree = 0
        rows = []
        for i, (mu, r) in enumerate(cells):
            with h5py.File(os.path.join(pdir, f"point_{i}.h5"), "r") as f:
                wn = [x.decode() if isinstance(x, bytes) else str(x) for x in f["/protocol/window_names"][:]]
                w = {p: dict(zip(wn, f[f"/populations/{p}/window_rate_hz"][:])) for p in ("E", "I")}
            base_e, base_i = w["E"]["base"], w["I"]["base"]
            # Sampling error of a 1 s window: sqrt(n_spikes) / (N T); 3 of them as the threshold.
            se = lambda nu, n: 3 * math.sqrt(max(nu, 1e-3) / n) + 0.02 * nu  # noqa: E731
            if max(w["E"].values()) > 100 or max(w["I"].values()) > 100:
                sim = "none"
            elif w["E"]["after"] > base_e + max(1.0, 3 * se(base_e, 3000)) and w["E"]["after"] > 2 * base_e:
                sim = "bistable"
            else:
                ss = w["E"]["both"] < base_e - se(base_e, 3000)
                isn = w["I"]["inh"] < base_i - se(base_i, 1000)
                sim = "supersaturating+isn" if ss and isn else "supersaturating" if ss else "isn" if isn else "stable"
            thc = subprocess.run([_cobalt(), "theory", cfg(name), "--regime-map", f"{mu:g}:{mu:g}:1,{r:g}:{r:g}:1"],
                                 capture_output=True, text=True).stdout.splitlines()[1].split(",")[2]
            agree += sim == thc
            rows.append({"mu": mu, "r": r, "sim": sim, "ssn": thc, "rates": {p: {k: float(v) for k, v in w[p].items()}
                                                                             for p in ("E", "I")}})
            ax.scatter([mu], [r], s=160, color=colors[code[sim]], edgecolor="k", zorder=3)
            if sim != thc:
                ax.scatter([mu], [r], s=260, facecolor="none", edgecolor="red", lw=1.5, zorder=4)
        for k, n in enumerate(names):
            ax.scatter([], [], s=60, color=colors[k], edgecolor="k", label=n)
        ax.set_xlabel("mu_ext,E (mV/s)")
        ax.set_ylabel("r = mu_I / mu_E")
        ax.set_title(f"Fig. 5{'A' if net == 'bistable' else 'B'}: {net} network; background SSN, dots LIF"
                     f" ({agree}/{len(cells)} agree; red rings: disagree)", fontsize=8)
        ax.legend(fontsize=6, loc="upper left", framealpha=0.8)
        save(fig, f"ekelmans_fig5_{net}.png")
        s5[net] = {"agree": agree, "cells": len(cells), "rows": rows}
    if s5:
        summary["fig5"] = s5

    with open(os.path.join(FIG_DIR, "ekelmans_summary.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    print(json.dumps(summary, indent=1, sort_keys=True))


if __name__ == "__main__":
    sys.exit(main())
