#!/usr/bin/env bash
# Paired CPU benchmark of two cobalt binaries on one config: ROUNDS rounds, each running A then B
# (or B then A on odd rounds, so neither always runs first) through perf/bench_sim.py, which
# appends one row per run to perf/results/cpu.csv (the commit column tells A from B). Prints the
# median wall seconds per simulated second of each, the ratio of the medians B/A and the spread
# of the per-round ratios. On a shared, noisy machine only such paired, alternating runs give a
# meaningful comparison.
#
#   perf/paired.sh BIN_A BIN_B ROUNDS THREADS CONFIG [--t-sim-ms MS] [--set key=value ...]
set -euo pipefail
if [ $# -lt 5 ]; then
    sed -n '2,9p' "$0" >&2
    exit 1
fi
a=$1 b=$2 rounds=$3 threads=$4 config=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
one() { # BIN LABEL [bench_sim options]: one run; "LABEL ROUND wall-s-per-sim-s" appended to $tmp
    local bin=$1 lab=$2 line
    shift 2
    line=$(python3 "$here/bench_sim.py" "$config" --cobalt "$bin" --threads "$threads" "$@" 2>&1 | tail -1) || {
        echo "$line" >&2
        exit 1
    }
    echo "$lab $round $(echo "$line" | sed -n 's/.*wall_s_per_sim_s=\([0-9.e+-]*\).*/\1/p')" >>"$tmp"
}
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
        one "$a" A "$@"; one "$b" B "$@"
    else
        one "$b" B "$@"; one "$a" A "$@"
    fi
done
python3 - "$tmp" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
val = {(lab, int(r)): float(v) for lab, r, v in rows}
rounds = sorted({r for _, r in val})
a = [val[("A", r)] for r in rounds]
b = [val[("B", r)] for r in rounds]
ratios = [y / x for x, y in zip(a, b)]
ma, mb = statistics.median(a), statistics.median(b)
print(f"A: median {ma:.3f} s per simulated s over {len(a)} runs ({min(a):.3f} .. {max(a):.3f})")
print(f"B: median {mb:.3f} s per simulated s over {len(b)} runs ({min(b):.3f} .. {max(b):.3f})")
print(f"B/A: ratio of medians {mb / ma:.3f}; per-round ratios median {statistics.median(ratios):.3f} "
      f"({min(ratios):.3f} .. {max(ratios):.3f})")
EOF
