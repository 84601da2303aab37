#!/usr/bin/env python3
"""Whole-simulation CPU benchmark: runs `cobalt run CONFIG --backend cpu` for a fixed simulated
time and appends one data row to perf/results/cpu.csv (date, commit, host, config, neurons,
synapses, steps, build s, wall s per simulated s, neuron updates/s, synaptic events/s, peak
memory). Python standard library only.

  perf/bench_sim.py configs/sanzeni2020_fig4.yaml --t-sim-ms 2000 --t-warmup-ms 200
"""
import argparse
import os
import socket
import sys

from benchlib import COBALT, HERE, ROOT, append_rows, config_label, cpu_model, mean_rate, run_cobalt, utc_now

FIELDS = ["date", "commit", "host", "cpu", "threads", "config", "t_sim_s", "neurons", "synapses", "steps",
          "build_s", "wall_s_per_sim_s", "neuron_updates_per_s", "syn_events_per_s", "peak_mem_mb",
          "mean_rate_hz"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("config")
    ap.add_argument("--t-sim-ms", type=float, default=2000.0)
    ap.add_argument("--t-warmup-ms", type=float, default=200.0)
    ap.add_argument("--cobalt", default=COBALT)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--out", default=os.path.join(HERE, "results", "cpu.csv"))
    ap.add_argument("--set", action="append", default=[], help="extra --set key=value for cobalt")
    ap.add_argument("--repeat", type=int, default=1, help="runs, one row each (the VM's timings vary)")
    a = ap.parse_args()
    for _ in range(a.repeat):
        bench_once(a)


def bench_once(a):
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
    rc, j, err = run_cobalt(a.cobalt, a.config, "cpu", a.t_sim_ms, a.t_warmup_ms, a.set, env=env)
    if rc != 0 or j is None:
        sys.stderr.write(err)
        sys.exit(rc or 7)
    sim_s = (a.t_sim_ms + a.t_warmup_ms) / 1000.0
    rate = mean_rate(j)
    row = {
        "date": utc_now(), "commit": j["commit"], "host": socket.gethostname(), "cpu": cpu_model(),
        "threads": a.threads, "config": config_label(a.config, a.set),
        "t_sim_s": sim_s, "neurons": j["neurons"], "synapses": j["synapses"], "steps": j["steps"],
        "build_s": round(j["build_s"], 3), "wall_s_per_sim_s": round(j["run_s"] / sim_s, 3),
        "neuron_updates_per_s": f"{j['neurons'] * j['steps'] / j['run_s']:.3e}",
        "syn_events_per_s": f"{j['syn_events'] / j['run_s']:.3e}",
        "peak_mem_mb": round(j["peak_rss_bytes"] / 2 ** 20, 1),
        "mean_rate_hz": round(rate, 3) if rate is not None else "",
    }
    append_rows(a.out, FIELDS, [row])
    print(", ".join(f"{k}={row[k]}" for k in FIELDS))


if __name__ == "__main__":
    main()
