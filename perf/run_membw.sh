#!/usr/bin/env bash
# perf/run_membw.sh -- the CPU bandwidth floor: builds perf/membw.c into build/membw and runs it
# with 1 and 2 threads (or the thread counts given), printing its JSON lines and appending one row
# per measurement to perf/results/membw.csv (date, commit, host, cpu, threads, bench, bytes per
# thread, GB/s, increments/s, ns per increment per thread).
#
#   perf/run_membw.sh [THREADS ...]        # default: 1 2
#   MEMBW_ARGS="--reps 3 --incs 16777216" perf/run_membw.sh 2
#
# The build is one line, usable by hand: cc -O3 -fopenmp -o build/membw perf/membw.c
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/build/membw"
csv="${MEMBW_CSV:-$root/perf/results/membw.csv}"
mkdir -p "$root/build"
"${CC:-cc}" -O3 -fopenmp -o "$bin" "$root/perf/membw.c"
[ $# -gt 0 ] || set -- 1 2
commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/,/ /g')
host=$(hostname)
for t in "$@"; do
    # shellcheck disable=SC2086
    OMP_NUM_THREADS=$t "$bin" --threads "$t" ${MEMBW_ARGS:-} | while IFS= read -r line; do
        echo "$line"
        python3 - "$line" "$csv" "$commit" "$host" "$cpu" <<'EOF'
import csv, datetime, json, os, sys
j, path, commit, host, cpu = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
fields = ["date", "commit", "host", "cpu", "threads", "bench", "bytes_per_thread", "gb_s",
          "increments_per_s", "ns_per_increment_per_thread"]
row = dict(j, date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           commit=commit, host=host, cpu=cpu)
if "increments_per_s" in j:
    row["increments_per_s"] = "%.4e" % j["increments_per_s"]
new = not os.path.exists(path) or os.path.getsize(path) == 0
with open(path, "a", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
    if new:
        w.writeheader()
    w.writerow(row)
EOF
    done
done
