#!/usr/bin/env bash
# The CPU benchmark suite: whole simulations of the shipped configs, each appended as data rows
# to perf/results/cpu.csv by perf/bench_sim.py. Run on an otherwise idle machine after
# building (cmake --build build). Usage: perf/run_cpu_suite.sh [REPEATS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
rep=${1:-3}
thr=${2:-$(nproc)}
python3 perf/bench_sim.py configs/sanzeni2020_fig4.yaml --t-sim-ms 2000 --t-warmup-ms 200 --repeat "$rep" --threads "$thr"
python3 perf/bench_sim.py configs/sanzeni2020_fig4.yaml --t-sim-ms 2000 --t-warmup-ms 200 --repeat 1 --threads 1
python3 perf/bench_sim.py configs/brunel2000.yaml --t-sim-ms 2000 --t-warmup-ms 200 --repeat "$rep" --threads "$thr"
python3 perf/bench_sim.py configs/quickstart.yaml --t-sim-ms 2000 --t-warmup-ms 200 --repeat "$rep" --threads "$thr"
