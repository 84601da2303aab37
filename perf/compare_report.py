#!/usr/bin/env python3
"""Helpers of perf/compare.sh (two builds of cobalt compared on the benchmark configs). Python
standard library only.

  compare_report.py same BIN_A BIN_B THREADS CONFIG T_SIM_MS T_WARMUP_MS [--set k=v ...]
      Runs both binaries once (`cobalt run --no-out`; results do not depend on the thread count,
      tests/test_determinism.c) and compares what their JSON
      summaries say about the simulation (neurons, synapses, steps, synaptic events, every
      population's figures); timings, commit and memory are left out. Exit 0 identical, 1
      different (the differences printed), 2 when a run failed.

  compare_report.py report ROWS_CSV REPEATS MARGIN_PCT OUT_CSV LABEL_A LABEL_B CONFIG_LABEL THREADS IDENTICAL
      Reads the bench_sim.py rows that perf/paired.sh wrote (rounds in the order A B, B A, A B,
      ...), appends one row to OUT_CSV (date, host, cpu, threads, commits, config, medians of A
      and B in wall s per simulated s, ratio of the medians B/A, min, quartiles and max of the
      per-round ratios, margin, verdict, identical), prints it, and exits 1 when B is slower
      than A beyond the margin (ratio of the medians > 1 + MARGIN_PCT/100), else 0. OUT_CSV "-":
      print only. IDENTICAL (yes, no, not checked) is copied into the row.
"""
import csv
import os
import socket
import statistics
import sys

from benchlib import append_rows, cpu_model, run_cobalt, utc_now

SAME_KEYS = ("neurons", "synapses", "steps", "syn_events", "populations")
FIELDS = ["date", "host", "cpu", "threads", "commit_a", "commit_b", "config", "t_sim_s", "rounds",
          "median_a_s_per_sim_s", "median_b_s_per_sim_s", "ratio_b_a", "ratio_min", "ratio_q1",
          "ratio_q3", "ratio_max", "margin_pct", "verdict", "identical"]


def strip_timing(v):
    """v without the entries that are timings (names ending in _s) or memory (they differ by run)."""
    if isinstance(v, dict):
        return {k: strip_timing(x) for k, x in v.items() if not (k.endswith("_s") or "rss" in k or "bytes" in k)}
    if isinstance(v, list):
        return [strip_timing(x) for x in v]
    return v


def diff(a, b, path=""):
    """The paths where a and b differ, as text lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += diff(a.get(k), b.get(k), f"{path}.{k}" if path else k)
        return out
    return [] if a == b else [f"{path}: A {a!r}, B {b!r}"]


def same(args):
    bin_a, bin_b, threads, config, t_sim, t_warm = args[:6]
    rest = args[6:]
    sets = [rest[i + 1] for i in range(0, len(rest) - 1, 2) if rest[i] == "--set"]
    env = dict(os.environ, OMP_NUM_THREADS=threads)
    out = []
    for b in (bin_a, bin_b):
        rc, j, err = run_cobalt(b, config, "cpu", float(t_sim), float(t_warm), sets, env=env)
        if rc != 0 or j is None:
            sys.stderr.write(f"compare: {b} {config}: exit {rc}\n{err}")
            return 2
        out.append({k: strip_timing(j.get(k)) for k in SAME_KEYS})
    d = diff(out[0], out[1])
    for line in d[:20]:
        print(f"  differs: {line}")
    return 1 if d else 0


def quartiles(x):
    if len(x) < 2:
        return x[0], x[0]
    q = statistics.quantiles(x, n=4, method="inclusive")
    return q[0], q[2]


def report(args):
    rows_csv, repeats, margin, out_csv, lab_a, lab_b, config, threads, identical = args[:9]
    with open(rows_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    repeats, margin = int(repeats), float(margin)
    if len(rows) != 2 * repeats:
        sys.stderr.write(f"compare: {len(rows)} rows for {repeats} rounds in {rows_csv}\n")
        return 2
    a, b, com = [], [], {"A": "", "B": ""}
    for r in range(repeats):  # paired.sh: odd rounds (1-based) A then B, even rounds B then A
        first, second = rows[2 * r], rows[2 * r + 1]
        ra, rb = (first, second) if r % 2 == 0 else (second, first)
        a.append(float(ra["wall_s_per_sim_s"]))
        b.append(float(rb["wall_s_per_sim_s"]))
        com["A"], com["B"] = ra["commit"], rb["commit"]
    ratios = [y / x for x, y in zip(a, b)]
    ma, mb = statistics.median(a), statistics.median(b)
    ratio = mb / ma
    q1, q3 = quartiles(ratios)
    slower = ratio > 1.0 + margin / 100.0
    row = {"date": utc_now(), "host": socket.gethostname(), "cpu": cpu_model(), "threads": threads,
           "commit_a": f"{lab_a}:{com['A']}" if lab_a != com["A"] else com["A"],
           "commit_b": f"{lab_b}:{com['B']}" if lab_b != com["B"] else com["B"],
           "config": config, "t_sim_s": rows[0]["t_sim_s"], "rounds": repeats,
           "median_a_s_per_sim_s": f"{ma:.4g}", "median_b_s_per_sim_s": f"{mb:.4g}",
           "ratio_b_a": f"{ratio:.4f}", "ratio_min": f"{min(ratios):.4f}", "ratio_q1": f"{q1:.4f}",
           "ratio_q3": f"{q3:.4f}", "ratio_max": f"{max(ratios):.4f}", "margin_pct": f"{margin:g}",
           "verdict": "slower" if slower else ("faster" if ratio < 1.0 - margin / 100.0 else "same"),
           "identical": identical}
    if out_csv != "-":
        append_rows(out_csv, FIELDS, [row])
    print(f"{config}: A {ma:.4g} s/s, B {mb:.4g} s/s, B/A {ratio:.3f} (per-round {min(ratios):.3f} .. "
          f"{max(ratios):.3f}, quartiles {q1:.3f} .. {q3:.3f}; {repeats} rounds): {row['verdict']}"
          f" (margin {margin:g}%)")
    return 1 if slower else 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("same", "report"):
        sys.stderr.write(__doc__)
        return 2
    return same(sys.argv[2:]) if sys.argv[1] == "same" else report(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
