#!/usr/bin/env bash
# Dry run of scripts/gpu-check.sh without a GPU (CTest gpu_check_dry_run): a fake nvidia-smi that
# lists a GPU, a fake compute-sanitizer that runs its program plainly, and a build here whose CUDA
# backend finds no device (or was not built), so every GPU test skips. gpu-check.sh --dry-run
# must run every step end to end in under 60 s, write every file of OUTDIR, say in SUMMARY that
# the GPU steps did not run (no device), and exit 3; without --dry-run it must run no network at
# all (SKIP, exit 3). Temporary files only.
#   scripts/test-gpu-check.sh BUILD_DIR   (the build with cobalt and tests/test_cuda, test_digest)
# Exit 0 when every check passes, 1 when one fails, 77 (skipped) without python3, numpy, h5py.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
build=${1:?usage: scripts/test-gpu-check.sh BUILD_DIR}
if ! python3 -c 'import numpy, h5py' 2> /dev/null; then
    echo "test-gpu-check: skipped: no python3 with numpy and h5py (tools/compare_results.py)"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-gpu-check.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
cat > "$tmp/bin/nvidia-smi" << 'EOF'
#!/bin/sh
# fake nvidia-smi (scripts/test-gpu-check.sh)
case "$*" in
  *-L*) echo "GPU 0: NVIDIA H200 (UUID: GPU-fake)";;
  *--query-gpu*) echo "NVIDIA H200, 580.00.00, 143771 MiB";;
  *) echo "fake nvidia-smi";;
esac
EOF
cat > "$tmp/bin/compute-sanitizer" << 'EOF'
#!/bin/sh
# fake compute-sanitizer (scripts/test-gpu-check.sh): drops its options, runs the program
while [ $# -gt 0 ]; do
  case "$1" in --tool|--target-processes|--error-exitcode|--print-limit) shift 2;; *) break;; esac
done
echo "========= COMPUTE-SANITIZER (fake)"
"$@"; rc=$?
echo "========= ERROR SUMMARY: 0 errors"
exit $rc
EOF
# python3 that records the LD_LIBRARY_PATH it was started with
printf '#!/bin/sh\necho "LD_LIBRARY_PATH=${LD_LIBRARY_PATH-}" >> "%s"\nexec "%s" "$@"\n' \
    "$tmp/python_env" "$(command -v python3)" > "$tmp/bin/python3"
chmod +x "$tmp/bin/"*
fail=0
check() { # DESCRIPTION COMMAND...
    if "${@:2}"; then echo "ok: $1"; else echo "FAILED: $1"; fail=1; fi
}
t0=$SECONDS
PATH="$tmp/bin:$PATH" LD_LIBRARY_PATH='' scripts/gpu-check.sh "$tmp/out" --build "$build" --dry-run --deadline-s 120 \
    > "$tmp/stdout" 2>&1
rc=$?
dt=$((SECONDS - t0))
cat "$tmp/stdout"
echo "---- checks (gpu-check.sh exit $rc in $dt s)"
s=$tmp/out/SUMMARY
check "exit 3 (no device)" [ "$rc" = 3 ]
check "under 60 s" [ "$dt" -lt 60 ]
for f in SUMMARY device.txt tier.log compare.log sanitizer.log perf.log gpu_rows.csv; do
    check "$f written" [ -f "$tmp/out/$f" ]
done
check "7 files, nothing else" [ "$(ls "$tmp/out" | wc -l)" = 7 ]
check "device FAIL, no usable device" grep -q '^device *FAIL no usable CUDA device' "$s"
for step in tier fig4 scale memcheck racecheck synccheck perf; do
    check "$step: one SKIP line" [ "$(grep -c "^$step  *SKIP " "$s")" = 1 ]
done
check "tier skipped for want of a device" grep -q '^tier .*no usable CUDA device' "$s"
check "fig4 and scale: CPU against CPU, said so" [ "$(grep -c 'CPU against CPU, not a GPU check' "$s")" = 2 ]
check "fig4 and scale: the comparison ran" [ "$(grep -c 'identical$' "$s")" = 2 ]
check "test_cuda ran (its tests skipped)" grep -q 'skipped for want of a device' "$tmp/out/tier.log"
check "sanitizer command ran" grep -q 'dry run: the command ran' "$s"
check "perf: SKIP (build without CUDA) or runs listed" grep -Eq '^perf .*(runs listed, none run|no CUDA backend)' "$s"
check "no PASS line" bash -c "! grep -q '^[a-z0-9]*  *PASS ' '$s'"
check "exit line" grep -q '^exit 3 after' "$s"
# python3 must not see the carried libraries: the wrapper alone sets LD_LIBRARY_PATH
# (twice for the comparisons, and bench_gpu.py once unless the build has no CUDA backend: perf SKIP)
want_py=3
grep -Eq '^perf .*no CUDA backend' "$s" && want_py=2
check "python3 ran (compare_results.py, bench_gpu.py)" [ "$(grep -c . "$tmp/python_env")" -ge $want_py ]
check "python3 never saw LD_LIBRARY_PATH" bash -c "! grep -v '^LD_LIBRARY_PATH=\$' '$tmp/python_env'"
# without --dry-run and without a device: nothing runs on the CPU in place of the GPU
PATH="$tmp/bin:$PATH" scripts/gpu-check.sh "$tmp/out2" --build "$build" --deadline-s 60 > "$tmp/stdout2" 2>&1
rc=$?
s=$tmp/out2/SUMMARY
check "no --dry-run: exit 3" [ "$rc" = 3 ]
for step in fig4 scale perf; do
    check "no --dry-run: $step SKIP, no usable device" grep -q "^$step  *SKIP no usable CUDA device" "$s"
done
check "no --dry-run: nothing compared" bash -c "! grep -q identical '$s'"
check "no --dry-run: 7 files" [ "$(ls "$tmp/out2" | wc -l)" = 7 ]
exit $fail
