#!/usr/bin/env bash
# The GPU benchmark suite in one command, on a machine with an NVIDIA GPU:
#   1. refuses clearly when no GPU is present (nvidia-smi),
#   2. builds cobalt (cmake, Release, CUDA on) unless --no-build, and checks it has the CUDA backend,
#   3. builds and runs the bandwidth micro-benchmark perf/bandwidth.cu (nvcc -> build/bandwidth;
#      falls back to the nominal bandwidth of the GPU model when it cannot run), and the random
#      atomicAdd micro-benchmark perf/atomics.cu (build/atomics.txt),
#   4. runs the suite with perf/bench_gpu.py --suite: one row per run appended to
#      perf/results/gpu.csv, then a table with the targets and the total wall time.
# Exits non-zero when the build or any run fails (the remaining runs still go ahead; the failed
# ones are listed at the end).
#
# Usage: perf/run_gpu_suite.sh [--no-build] [--csv FILE] [--print-rows] [--budget-s S] [-- BENCH_GPU_OPTIONS...]
#   --csv FILE     rows go to FILE instead of perf/results/gpu.csv (e.g. a folder that comes back
#                  from a remote machine; append its rows to perf/results/gpu.csv afterwards)
#   --print-rows   also print the appended CSV rows (long lines) before the total
#   --budget-s S   time budget of the whole command, build included (default 540): runs that
#                  would start after it are skipped (and count as failed), and a run's timeout is
#                  cut to what is left
#   after --        options for perf/bench_gpu.py (e.g. --only 'cond', --timeout-s 120)
# Environment: COBALT (default build/cobalt), NVCC (default nvcc).
set -uo pipefail
cd "$(dirname "$0")/.."
t_start=$SECONDS
build=1
print_rows=0
csv=perf/results/gpu.csv
budget=540
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --print-rows) print_rows=1 ;;
        --csv) csv=$2; shift ;;
        --budget-s) budget=$2; shift ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "run_gpu_suite.sh: unknown option $1 (--help)" >&2; exit 1 ;;
    esac
    shift
done
cobalt=${COBALT:-build/cobalt}
nvcc=${NVCC:-nvcc}

say() { printf '== %s\n' "$*"; }

# 1. A GPU, or a clear refusal.
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    cat >&2 <<'EOF'
run_gpu_suite.sh: no NVIDIA GPU here (nvidia-smi is missing or lists no device).
The GPU suite needs a CUDA device; nothing was run. To test the harness without a GPU:
  python3 perf/bench_gpu.py --suite --backend cpu --only 'N=1e4' --t-sim-ms 100 --out /tmp/gpu_test.csv
EOF
    exit 2
fi
say "GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -n 1)"

# 2. Build (incremental when build/ exists).
if [ "$build" = 1 ]; then
    t0=$SECONDS
    if [ ! -f build/CMakeCache.txt ]; then
        cmake -S . -B build -DCMAKE_BUILD_TYPE=Release || { echo "run_gpu_suite.sh: cmake configure failed" >&2; exit 3; }
    fi
    cmake --build build -j "$(nproc)" || { echo "run_gpu_suite.sh: build failed" >&2; exit 3; }
    say "build: $((SECONDS - t0)) s"
fi
if [ ! -x "$cobalt" ]; then
    echo "run_gpu_suite.sh: $cobalt not found (build first, or drop --no-build)" >&2
    exit 3
fi
info=$("$cobalt" info 2>&1)
printf '%s\n' "$info"
if printf '%s\n' "$info" | grep -qi '^cuda backend:.*not built'; then
    echo "run_gpu_suite.sh: $cobalt was built without the CUDA backend (was nvcc on PATH at configure time? rm -rf build and rerun)" >&2
    exit 3
fi

# A micro-benchmark perf/NAME.cu built into build/NAME (for this GPU, else sm_80/sm_90) and run
# into build/NAME.txt. 0 when it ran; a warning and 1 when nvcc is missing or it failed.
micro() {
    local name=$1
    if ! command -v "$nvcc" >/dev/null 2>&1 ||
       ! { "$nvcc" -O3 -arch=native -o "build/$name" "perf/$name.cu" 2>/dev/null ||
           "$nvcc" -O3 -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
                   -gencode arch=compute_90,code=compute_90 -o "build/$name" "perf/$name.cu"; }; then
        echo "run_gpu_suite.sh: warning: cannot build perf/$name.cu with $nvcc" >&2
        return 1
    fi
    if ! "build/$name" > "build/$name.txt"; then
        echo "run_gpu_suite.sh: warning: build/$name failed" >&2
        return 1
    fi
    cat "build/$name.txt"
}

# 3. Peak bandwidth (without it, % of floor uses the nominal bandwidth of the GPU model).
bw_args=()
t0=$SECONDS
mkdir -p build
if micro bandwidth; then
    bw_args=(--bandwidth-json build/bandwidth.txt)
else
    echo "run_gpu_suite.sh: % of floor uses the nominal bandwidth of the GPU model" >&2
fi
say "bandwidth benchmark: $((SECONDS - t0)) s"

# 3b. Random 32-bit atomicAdd throughput from L2-sized to DRAM-sized arrays (perf/atomics.cu):
# what spike delivery costs per event with its accumulator inside and outside L2. Printed and
# kept in build/atomics.txt beside the rows; a failure here does not stop the suite.
t0=$SECONDS
micro atomics || true
say "atomics benchmark: $((SECONDS - t0)) s"

# 4. The suite.
before=0
[ -f "$csv" ] && before=$(wc -l < "$csv")
left=$((budget - (SECONDS - t_start)))
[ "$left" -lt 1 ] && left=1
python3 perf/bench_gpu.py --suite --cobalt "$cobalt" --out "$csv" --budget-s "$left" "${bw_args[@]}" "${extra[@]}"
rc=$?
after=0
[ -f "$csv" ] && after=$(wc -l < "$csv")
if [ "$print_rows" = 1 ] && [ "$after" -gt "$before" ]; then
    say "rows appended to $csv (header, then the new rows):"
    head -n 1 "$csv"
    tail -n "+$((before + 1))" "$csv" | grep -v '^date,' || true
fi
say "$((after > before ? after - before : 0)) lines appended to $csv"
say "total wall time: $((SECONDS - t_start)) s"
if [ "$rc" -ne 0 ]; then
    echo "run_gpu_suite.sh: FAILED (perf/bench_gpu.py exit $rc; failed runs listed above)" >&2
    exit 1
fi
say "all runs ok"
