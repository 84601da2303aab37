#!/usr/bin/env bash
# perf/shared_cores.sh -- how much a run slows down when another busy process shares the cores.
#
#   perf/shared_cores.sh [--cobalt BIN] [--rounds R] [--threads N|auto] [--busy K] CONFIG [--set k=v ...]
#
# Runs CONFIG (cobalt run --backend cpu --no-out, plus any --set) R times alone and R times beside
# K busy processes (a shell busy loop each, pinned nowhere), in alternation (alone, busy, busy,
# alone, ...), and prints per run the wall seconds of the run phase (run_s) and its CPU seconds
# (run_cpu_s), then the medians and the ratio busy / alone. --threads auto leaves OMP_NUM_THREADS
# unset (the CLI's own choice); N sets it. One CSV row per run goes to perf/results/shared.csv
# (--csv FILE elsewhere, --csv - nowhere): date, commit, host, cpu, cores, threads, busy, config,
# run_s, run_cpu_s, realtime_factor.
#
# Exit: 0 done, 1 a run failed, 2 usage.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin="$root/build/cobalt"
rounds=5
threads=2
busy=1
csv="$root/perf/results/shared.csv"
sets=()
config=""
while [ $# -gt 0 ]; do
    case "$1" in
    --cobalt) bin=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --busy) busy=$2; shift 2 ;;
    --csv) csv=$2; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    -h | --help) sed -n 2,14p "$0"; exit 0 ;;
    -*) echo "shared_cores.sh: unknown option $1" >&2; exit 2 ;;
    *) [ -z "$config" ] || { echo "shared_cores.sh: one config only" >&2; exit 2; }; config=$1; shift ;;
    esac
done
[ -n "$config" ] && [ -x "$bin" ] || { echo "usage: perf/shared_cores.sh [--cobalt BIN] [--rounds R] [--threads N|auto] [--busy K] CONFIG [--set k=v ...]" >&2; exit 2; }
case "$rounds$busy" in *[!0-9]*) echo "shared_cores.sh: --rounds and --busy take integers" >&2; exit 2 ;; esac

commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
host=$(hostname -s 2>/dev/null || echo unknown)
cpu=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null | tr ',' ' ')
cores=$(nproc)
if [ "$csv" != "-" ] && [ ! -s "$csv" ]; then
    echo "date,commit,host,cpu,cores,threads,busy,config,run_s,run_cpu_s,realtime_factor" >"$csv"
fi

pids=()
start_busy() {
    local k
    for ((k = 0; k < busy; ++k)); do
        bash -c 'while :; do :; done' &
        pids+=($!)
    done
    sleep 0.5
}
stop_busy() {
    [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null
    wait "${pids[@]}" 2>/dev/null
    pids=()
}
trap stop_busy EXIT INT TERM

alone=()
shared=()
one_run() { # $1 = 0 alone, 1 busy; prints "run_s run_cpu_s rtf"
    local env_threads=() out
    [ "$threads" = auto ] || env_threads=(env OMP_NUM_THREADS="$threads")
    [ "$threads" = auto ] && env_threads=(env -u OMP_NUM_THREADS)
    [ "$1" = 1 ] && start_busy
    out=$("${env_threads[@]}" "$bin" run "$config" --backend cpu --no-out --quiet "${sets[@]}") || { stop_busy; return 1; }
    [ "$1" = 1 ] && stop_busy
    python3 -c 'import json,sys; j=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(j["run_s"], j.get("run_cpu_s", 0), j["realtime_factor"], j.get("threads", 0))' <<<"$out"
}

for ((r = 0; r < rounds; ++r)); do
    if [ $((r % 2)) -eq 0 ]; then order="0 1"; else order="1 0"; fi
    for b in $order; do
        res=$(one_run "$b") || { echo "shared_cores.sh: run failed" >&2; exit 1; }
        read -r rs rc rtf nt <<<"$res"
        printf '%-5s threads %s  run_s %8.3f  run_cpu_s %8.3f\n' "$([ "$b" = 1 ] && echo busy || echo alone)" "$nt" "$rs" "$rc"
        if [ "$b" = 1 ]; then shared+=("$rs"); else alone+=("$rs"); fi
        [ "$csv" = "-" ] || echo "$(date -u +%Y-%m-%dT%H:%M:%SZ),$commit,$host,$cpu,$cores,$nt,$([ "$b" = 1 ] && echo "$busy" || echo 0),$config ${sets[*]},$rs,$rc,$rtf" >>"$csv"
    done
done
python3 - "${alone[*]}" "${shared[*]}" <<'EOF'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]
b = [float(x) for x in sys.argv[2].split()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"alone: median run_s {ma:.3f} ({min(a):.3f} .. {max(a):.3f}); busy: median {mb:.3f} ({min(b):.3f} .. {max(b):.3f}); busy/alone {mb / ma:.2f}")
EOF
