#!/usr/bin/env python3
"""Rates against the time step (docs/validation.md, "Rates against the time step"): runs a
shipped config with cobalt at several dt and both integrators (run.integrator grid / ordered)
and appends one CSV row per run; `plot` draws rate against dt per case.

  tools/dt_convergence.py run CASE --cobalt build/cobalt --csv docs/figures/dt_convergence.csv
                               [--dt-us 100,50,25,10,5] [--integrators grid,ordered] [--seeds 1]
  tools/dt_convergence.py event --csv ...     (the event-driven single neuron, tools/event_neuron.py)
  tools/dt_convergence.py plot --csv ... -o docs/figures/dt_convergence.png

CASE: single (the seed-004 anchor neuron: K = 1000, a = 0.01, g = 12, eta = 1.8; 1000 neurons,
2 s), fig4 (configs/sanzeni2020_fig4.yaml, 0.3 s warm-up, 1 s measured), fig4_k2000 (the same
network at K = 2000, a = 9.88e-4, K_I = 500: the issue's variant), brunel (configs/brunel2000.yaml,
0.3 s + 1 s).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CASES = {
    "single": ("configs/validation/single_neuron_k.yaml",
               ["populations.N.size=1000", "stats.v_neurons=1000", "run.t_warmup_ms=20", "run.t_sim_ms=2000"],
               "N", 1),
    "fig4": ("configs/sanzeni2020_fig4.yaml", ["run.t_warmup_ms=300", "run.t_sim_ms=1000"], "E", 2),
    "fig4_k2000": ("configs/sanzeni2020_fig4.yaml",
                   ["run.t_warmup_ms=300", "run.t_sim_ms=1000"]
                   + [f"projections.{p}.indegree=2000" for p in (0, 1, 4, 5)]
                   + [f"projections.{p}.weight=9.88e-4" for p in (0, 1, 4, 5)]
                   + [f"projections.{p}.indegree=500" for p in (2, 3)]
                   + [f"projections.{p}.weight=0.01976" for p in (2, 3)], "E", 2),
    "brunel": ("configs/brunel2000.yaml", ["run.t_warmup_ms=300", "run.t_sim_ms=1000"], "E", 2),
}
FIELDS = ["case", "integrator", "dt_us", "seed", "pop", "rate_hz", "cv", "v_mean_mV", "v_sd_mV", "run_s", "commit"]


def append(path, row):
    new = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        if new:
            w.writeheader()
        w.writerow(row)


def run_case(x):
    cfg, sets, pop, threads = CASES[x.case]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    for seed in [int(s) for s in x.seeds.split(",")]:
        for dt in [float(d) for d in x.dt_us.split(",")]:
            for integ in x.integrators.split(","):
                # V sampled about every 50 us whatever the step
                stride = max(1, int(round(50.0 / dt)))
                args = [x.cobalt, "run", os.path.join(ROOT, cfg), "--no-out", "--set", f"run.dt_ms={dt / 1000:g}",
                        "--set", f"run.integrator={integ}", "--set", f"run.seed={seed}",
                        "--set", f"stats.v_hist.stride_steps={stride}"]
                for s in sets:
                    args += ["--set", s]
                t0 = time.time()
                p = subprocess.run(args, capture_output=True, text=True, env=env)
                if p.returncode not in (0,):
                    sys.exit(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
                j = json.loads(p.stdout.strip().splitlines()[-1])
                q = j["populations"][pop]
                row = dict(case=x.case, integrator=integ, dt_us=dt, seed=seed, pop=pop, rate_hz=q["rate_hz"],
                           cv=q["cv"], v_mean_mV=q["v_mean_mV"], v_sd_mV=q["v_sd_mV"], run_s=round(time.time() - t0, 2),
                           commit=j["commit"])
                append(x.csv, row)
                print(row, flush=True)


def event(x):
    sys.path.insert(0, HERE)
    import event_neuron
    for seed in [int(s) for s in x.seeds.split(",")]:
        t0 = time.time()
        r = event_neuron.simulate(1000, 0.01, g=12.0, gamma=0.25, nu_x=25.0, eta=1.8, n=2000, t=2.0, warmup=0.02,
                                  seed=seed)
        row = dict(case="single", integrator="event", dt_us=0, seed=seed, pop="N", rate_hz=r["rate_hz"], cv=r["cv"],
                   v_mean_mV=r["v_mean_mV"], v_sd_mV=r["v_sd_mV"], run_s=round(time.time() - t0, 2), commit="")
        append(x.csv, row)
        print(row, flush=True)


def plot(x):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    rows = list(csv.DictReader(open(x.csv)))
    cases = [c for c in CASES if any(r["case"] == c for r in rows)]
    fig, axes = plt.subplots(1, len(cases), figsize=(4.2 * len(cases), 3.6), squeeze=False)
    for ax, case in zip(axes[0], cases):
        for integ, style in (("grid", "o-"), ("ordered", "s-"), ("nest_ps", "^-"), ("nest", "v--")):
            rs = [r for r in rows if r["case"] == case and r["integrator"] == integ]
            if not rs:
                continue
            dts = sorted({float(r["dt_us"]) for r in rs})
            mean = [np.mean([float(r["rate_hz"]) for r in rs if float(r["dt_us"]) == d]) for d in dts]
            ax.plot(dts, mean, style, label={"nest_ps": "NEST iaf_psc_delta_ps", "nest": "NEST iaf_psc_delta"}.get(
                integ, f"cobalt {integ}"))
        ev = [float(r["rate_hz"]) for r in rows if r["case"] == case and r["integrator"] == "event"]
        if ev:
            ax.axhline(np.mean(ev), color="k", ls=":", label="event-driven")
        ax.set_xscale("log")
        ax.set_xlabel("dt (us)")
        ax.set_ylabel("rate (Hz)")
        ax.set_title(case)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(x.output, dpi=120)
    print(f"wrote {x.output}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("case", choices=sorted(CASES))
    r.add_argument("--cobalt", default=os.path.join(ROOT, "build", "cobalt"))
    r.add_argument("--csv", required=True)
    r.add_argument("--dt-us", default="100,50,25,10,5")
    r.add_argument("--integrators", default="grid,ordered")
    r.add_argument("--seeds", default="1")
    e = sub.add_parser("event")
    e.add_argument("--csv", required=True)
    e.add_argument("--seeds", default="1")
    p = sub.add_parser("plot")
    p.add_argument("--csv", required=True)
    p.add_argument("-o", "--output", required=True)
    x = ap.parse_args()
    {"run": run_case, "event": event, "plot": plot}[x.cmd](x)


if __name__ == "__main__":
    main()
