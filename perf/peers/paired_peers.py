#!/usr/bin/env python3
"""Paired timing of cobalt against a peer simulator on the same network: cobalt (A) and the peer
(B) in alternation for N rounds (A B, B A, A B, ...), same threads, same simulated time (warm-up
+ measured), each run's wall time of its step loop per simulated second with the warm-up
INCLUDED on both sides (cobalt: run_s / (t_warmup + t_sim), as perf/bench_sim.py; peers: see
their docstrings). Prints every run, the medians, the ratio of the medians peer/cobalt and the
spread of the per-round ratios; appends one row per run to perf/results/peers.csv (date = the run's
start) and one row per comparison to perf/results/peers_summary.csv. Python standard library only.

  perf/peers/paired_peers.py --peer brian2 --rounds 3 --threads 2 --cobalt build/cobalt
  perf/peers/paired_peers.py --peer nest --nest-python /tmp/nestvenv/bin/python

Peers: brian2 = perf/peers/brian2_fig4.py against configs/sanzeni2020_fig4.yaml (run with
--brian-python, default /usr/bin/python3 with Debian's python3-brian); nest =
perf/peers/nest_brunel.py against configs/brunel2000.yaml (--nest-python, a Python with NEST 3.10).
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from benchlib import COBALT, ROOT, append_rows, cpu_model, parse_summary, run_cobalt, utc_now  # noqa: E402

PEERS = {
    "brian2": ("brian2_fig4.py", "configs/sanzeni2020_fig4.yaml", "sanzeni2020_fig4"),
    "nest": ("nest_brunel.py", "configs/brunel2000.yaml", "brunel2000"),
}
RUN_FIELDS = ["date", "commit", "host", "cpu", "threads", "simulator", "network", "t_sim_s", "build_s",
              "sim_s_per_sim_s", "rate_E_hz", "cv_E", "rate_I_hz", "cv_I", "round", "warmup_s"]
SUM_FIELDS = ["date", "commit", "host", "cpu", "threads", "peer", "network", "t_sim_s", "rounds",
              "median_cobalt_s_per_sim_s", "median_peer_s_per_sim_s", "ratio_peer_cobalt", "ratio_min",
              "ratio_max", "median_cobalt_build_s", "median_peer_build_s", "cobalt_rate_E_hz", "peer_rate_E_hz",
              "cobalt_cv_E", "peer_cv_E"]


def repo_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_cobalt_once(a, config, env):
    rc, j, err = run_cobalt(a.cobalt, os.path.join(ROOT, config), "cpu", a.t_sim_ms, a.t_warmup_ms,
                            [f"run.seed={a.seed}"], env=env, timeout=a.timeout_s)
    if rc != 0 or j is None:
        sys.exit(f"cobalt failed (exit {rc}):\n{err}")
    pops = j.get("populations", {})
    e, i = pops.get("E", {}), pops.get("I", {})
    return {"simulator": f"cobalt cpu {j.get('commit', '')}", "commit": j.get("commit", ""),
            "build_s": round(j["build_s"], 3),
            "sim_s_per_sim_s": round(j["run_s"] / ((a.t_sim_ms + a.t_warmup_ms) / 1000.0), 4),
            "rate_E_hz": r4(e.get("rate_hz")), "cv_E": r4(e.get("cv")), "rate_I_hz": r4(i.get("rate_hz")),
            "cv_I": r4(i.get("cv"))}


def r4(v):
    return round(v, 4) if isinstance(v, (int, float)) else v


def run_peer_once(a, script, env):
    py = a.brian_python if a.peer == "brian2" else a.nest_python
    cmd = [py, os.path.join(HERE, script), "--threads", str(a.threads), "--t-sim-ms", f"{a.t_sim_ms:g}",
           "--t-warmup-ms", f"{a.t_warmup_ms:g}", "--seed", str(a.seed)]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=a.timeout_s)
    except subprocess.TimeoutExpired:
        sys.exit(f"{a.peer} timed out after {a.timeout_s} s: {' '.join(cmd)}")
    j = parse_summary(res.stdout)
    if res.returncode != 0 or j is None:
        sys.exit(f"{a.peer} failed (exit {res.returncode}): {' '.join(cmd)}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
    return {k: j.get(k) for k in ("simulator", "build_s", "sim_s_per_sim_s", "rate_E_hz", "cv_E", "rate_I_hz", "cv_I")}


def fmt(r):
    return (f"{r['simulator']:<40} {r['sim_s_per_sim_s']:>9.3f} s/s  build {r['build_s']:>7.2f} s  "
            f"E {r['rate_E_hz']:.2f} Hz CV {r['cv_E']:.3f}  I {r['rate_I_hz']:.2f} Hz CV {r['cv_I']:.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer", choices=sorted(PEERS), required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--t-sim-ms", type=float, default=1000.0)
    ap.add_argument("--t-warmup-ms", type=float, default=200.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cobalt", default=COBALT)
    ap.add_argument("--brian-python", default="/usr/bin/python3")
    ap.add_argument("--nest-python", default="/tmp/nestvenv/bin/python")
    ap.add_argument("--timeout-s", type=float, default=3600.0, help="per run")
    ap.add_argument("--csv", default=os.path.join(ROOT, "perf", "results", "peers.csv"), help="'-': no rows")
    ap.add_argument("--summary-csv", default=os.path.join(ROOT, "perf", "results", "peers_summary.csv"))
    a = ap.parse_args()
    if a.rounds < 1 or a.threads < 1:
        ap.error("--rounds and --threads must be >= 1")
    script, config, network = PEERS[a.peer]
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
    base = {"host": socket.gethostname(), "cpu": cpu_model(), "threads": a.threads, "network": network,
            "t_sim_s": (a.t_sim_ms + a.t_warmup_ms) / 1000.0, "warmup_s": a.t_warmup_ms / 1000.0}
    commit = repo_commit()
    runs = {"cobalt": [], "peer": []}
    for rnd in range(a.rounds):
        order = ("cobalt", "peer") if rnd % 2 == 0 else ("peer", "cobalt")
        for side in order:
            start = utc_now()
            r = run_cobalt_once(a, config, env) if side == "cobalt" else run_peer_once(a, script, env)
            r = dict(base, **r, date=start, round=rnd + 1)
            r["commit"] = r.get("commit") or commit
            runs[side].append(r)
            print(f"round {rnd + 1} {side:<6} {fmt(r)}", flush=True)
            if a.csv != "-":
                append_rows(a.csv, RUN_FIELDS, [r])
    med = {s: statistics.median(r["sim_s_per_sim_s"] for r in runs[s]) for s in runs}
    ratios = [p["sim_s_per_sim_s"] / c["sim_s_per_sim_s"] for p, c in zip(runs["peer"], runs["cobalt"])]
    mb = {s: statistics.median(r["build_s"] for r in runs[s]) for s in runs}
    summ = dict(base, date=utc_now(), commit=commit, peer=runs["peer"][0]["simulator"], rounds=a.rounds,
                median_cobalt_s_per_sim_s=round(med["cobalt"], 4), median_peer_s_per_sim_s=round(med["peer"], 4),
                ratio_peer_cobalt=round(med["peer"] / med["cobalt"], 3), ratio_min=round(min(ratios), 3),
                ratio_max=round(max(ratios), 3), median_cobalt_build_s=round(mb["cobalt"], 3),
                median_peer_build_s=round(mb["peer"], 3),
                cobalt_rate_E_hz=runs["cobalt"][-1]["rate_E_hz"], peer_rate_E_hz=runs["peer"][-1]["rate_E_hz"],
                cobalt_cv_E=runs["cobalt"][-1]["cv_E"], peer_cv_E=runs["peer"][-1]["cv_E"])
    print(f"\n{network}, {a.threads} threads, {base['t_sim_s']:g} simulated s per run "
          f"({a.t_warmup_ms:g} ms warm-up included), {a.rounds} rounds")
    print(f"median s per simulated s: cobalt {med['cobalt']:.3f}, {a.peer} {med['peer']:.3f}; "
          f"ratio of medians {a.peer}/cobalt {summ['ratio_peer_cobalt']:.2f} "
          f"(per round {summ['ratio_min']:.2f} .. {summ['ratio_max']:.2f})")
    print(f"median build s: cobalt {mb['cobalt']:.2f}, {a.peer} {mb['peer']:.2f}")
    for s in runs:
        r = runs[s][-1]
        print(f"last {s}: E {r['rate_E_hz']:.2f} Hz CV {r['cv_E']:.3f}, I {r['rate_I_hz']:.2f} Hz CV {r['cv_I']:.3f}")
    if a.csv != "-":
        append_rows(a.summary_csv, SUM_FIELDS, [summ])


if __name__ == "__main__":
    main()
