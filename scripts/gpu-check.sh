#!/usr/bin/env bash
# The GPU check in one command, on the device machine, over a working tree that carries
# build-gpu/ from scripts/gpu-prepare.sh:
#   1. the whole test suite (GPU tier included) with the carried libraries;
#   2. configs/sanzeni2020_fig4.yaml on both backends: spike counts must be identical
#      (tools/compare_results.py), unless --no-fig4;
#   3. with --perf, the GPU perf suite (perf/run_gpu_suite.sh --no-build; it needs most of a
#      10-minute call by itself, so run it as a second call: perf/run_gpu_suite.sh --no-build
#      with COBALT=build-gpu/cobalt and LD_LIBRARY_PATH=build-gpu/deps:build-gpu).
# Logs, result files and CSV rows go to $OUT (or results/gpu-check). Exit status: non-zero
# when any step failed (the later steps still run).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-results/gpu-check}
fig4=1 perf=0
for a in "$@"; do
    case "$a" in
        --no-fig4) fig4=0 ;;
        --perf) perf=1 ;;
        *) echo "gpu-check: unknown option $a" >&2; exit 1 ;;
    esac
done
mkdir -p "$out"
[ -x build-gpu/cobalt ] || { echo "gpu-check: build-gpu/cobalt missing: run scripts/gpu-prepare.sh here first and carry build-gpu" >&2; exit 2; }
src=$(cat build-gpu/source_dir)
if [ "$src" != "$PWD" ] && [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"; fi
fail=0
# the carried libraries only for cobalt and the tests (the device's Python keeps its own)
libs="$PWD/build-gpu/deps:$PWD/build-gpu"
withlibs() { LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"; }
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
withlibs build-gpu/cobalt info | tee -a "$out/gpu.txt"
# without a usable device every GPU test skips and the suite still "passes": refuse that here
# (a CUDA 13 runtime needs driver R580 or newer)
grep -q '^cuda devices: [1-9]' "$out/gpu.txt" || {
    echo "gpu-check: no usable CUDA device for this build (driver older than the CUDA runtime built here?)" >&2
    fail=1
}
echo "== tests"
(cd "$src/build-gpu" && withlibs ctest --output-on-failure -j4 2>&1) | tee "$out/ctest.log" | grep -v '^\[SKIP\]' | tail -40
grep -q '100% tests passed' "$out/ctest.log" || fail=1
if [ $fig4 = 1 ]; then
    echo "== Fig. 4 network, CPU and CUDA"
    t0=$SECONDS
    withlibs build-gpu/cobalt run configs/sanzeni2020_fig4.yaml --backend cuda --quiet --out "$out/fig4_cuda.h5" > "$out/fig4_cuda.json" || fail=1
    echo "cuda: $((SECONDS - t0)) s"; t0=$SECONDS
    withlibs build-gpu/cobalt run configs/sanzeni2020_fig4.yaml --backend cpu --quiet --out "$out/fig4_cpu.h5" > "$out/fig4_cpu.json" || fail=1
    echo "cpu ($(nproc) threads): $((SECONDS - t0)) s"
    cat "$out/fig4_cuda.json"
    python3 tools/compare_results.py "$out/fig4_cpu.h5" "$out/fig4_cuda.h5" | tee "$out/fig4_compare.txt" || fail=1
    rm -f "$out"/fig4_*.h5 # large; the comparison and the JSON summaries come back
fi
if [ $perf = 1 ]; then
    echo "== perf suite"
    COBALT="$PWD/build-gpu/cobalt" withlibs perf/run_gpu_suite.sh --no-build --csv "$out/gpu_rows.csv" || fail=1
fi
exit $fail
