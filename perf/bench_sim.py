#!/usr/bin/env python3
"""Whole-simulation CPU benchmark: runs `cobalt run CONFIG --backend cpu` for a fixed simulated
time and appends one data row to perf/results/cpu.csv (date, commit, host, config, neurons,
synapses, steps, build s, wall s per simulated s, neuron updates/s, synaptic events/s, peak
memory). Python standard library only.

  perf/bench_sim.py configs/sanzeni2020_fig4.yaml --t-sim-ms 2000 --t-warmup-ms 200
"""
import argparse
import csv
import datetime
import json
import os
import platform
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIELDS = ["date", "commit", "host", "cpu", "threads", "config", "t_sim_s", "neurons", "synapses", "steps",
          "build_s", "wall_s_per_sim_s", "neuron_updates_per_s", "syn_events_per_s", "peak_mem_mb",
          "mean_rate_hz"]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("config")
    ap.add_argument("--t-sim-ms", type=float, default=2000.0)
    ap.add_argument("--t-warmup-ms", type=float, default=200.0)
    ap.add_argument("--cobalt", default=os.path.join(ROOT, "build", "cobalt"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--out", default=os.path.join(HERE, "results", "cpu.csv"))
    ap.add_argument("--set", action="append", default=[], help="extra --set key=value for cobalt")
    ap.add_argument("--repeat", type=int, default=1, help="runs, one row each (the VM's timings vary)")
    a = ap.parse_args()
    for _ in range(a.repeat):
        bench_once(a)


def bench_once(a):
    cmd = [a.cobalt, "run", a.config, "--backend", "cpu", "--no-out", "--quiet",
           "--set", f"run.t_sim_ms={a.t_sim_ms}", "--set", f"run.t_warmup_ms={a.t_warmup_ms}"]
    for s in a.set:
        cmd += ["--set", s]
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        sys.exit(res.returncode)
    j = json.loads(res.stdout.strip().splitlines()[-1])
    sim_s = (a.t_sim_ms + a.t_warmup_ms) / 1000.0
    rates = [p["rate_hz"] for p in j["populations"].values() if p["rate_hz"] is not None]
    row = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": j["commit"], "host": socket.gethostname(), "cpu": cpu_model(), "threads": a.threads,
        "config": os.path.relpath(os.path.abspath(a.config), ROOT) + "".join(" --set " + s for s in a.set),
        "t_sim_s": sim_s, "neurons": j["neurons"], "synapses": j["synapses"], "steps": j["steps"],
        "build_s": round(j["build_s"], 3), "wall_s_per_sim_s": round(j["run_s"] / sim_s, 3),
        "neuron_updates_per_s": f"{j['neurons'] * j['steps'] / j['run_s']:.3e}",
        "syn_events_per_s": f"{j['syn_events'] / j['run_s']:.3e}",
        "peak_mem_mb": round(j["peak_rss_bytes"] / 2 ** 20, 1),
        "mean_rate_hz": round(sum(rates) / len(rates), 3) if rates else "",
    }
    new = not os.path.exists(a.out)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            w.writeheader()
        w.writerow(row)
    print(", ".join(f"{k}={row[k]}" for k in FIELDS))


if __name__ == "__main__":
    main()
