#!/usr/bin/env bash
# The GPU check in one device call (perf/README.md, "GPU check"), on the lent device machine, over
# a working tree that carries the build of scripts/gpu-prepare.sh (build-gpu/). Steps, in order
# of value, under one deadline (each step's timeout is cut to what is left of it):
#   device     nvidia-smi and `cobalt info`: is there a usable CUDA device for this build
#   tier       the GPU tier run directly: tests/test_cuda (4 jobs of 4 OpenMP threads), then
#              test_digest's CUDA case; a test skipped with a device present is a failure
#   fig4       configs/sanzeni2020_fig4.yaml on CUDA, then on the CPU (all cores), compared array
#              by array by tools/compare_results.py ("identical"); cut to 1 + 2 simulated s when
#              less than 330 s are left (the log and SUMMARY say so)
#   scale      perf/configs/check_scale.yaml likewise: many tiles of delivery segments, the
#              builder's batches of targets, 64-bit sort keys (COBALT_CUDA_KEYS=64), rows of
#              10^5 synapses;
#              the CPU side runs here too (not carried from the development machine: its libm may
#              round a propagator differently, and 16 cores make it a few seconds)
#   memcheck, racecheck, synccheck
#              compute-sanitizer (PATH, $CUDA_HOME/bin, /usr/local/cuda*/bin) on three short GPU
#              tests (SAN_TESTS); SKIP with the reason when it is not found
#   perf       perf/run_gpu_suite.sh --no-build with what is left (--budget-s), rows to gpu_rows.csv
# Files in OUTDIR (7, each cut to under 16 MB): SUMMARY (one PASS/FAIL/SKIP line per step, then
# the exit code), device.txt, tier.log, compare.log, sanitizer.log, perf.log, gpu_rows.csv.
# Result files go to a temporary folder, removed at the end.
#
# Usage: scripts/gpu-check.sh OUTDIR [--build DIR] [--deadline-s S] [--skip STEP,...] [--dry-run]
#   --build DIR     the prepared build (default build-gpu)
#   --deadline-s S  the whole check's wall-time limit in seconds (default 480)
#   --skip LIST     steps not to run (names above, comma-separated; SKIP lines in SUMMARY)
#   --dry-run       test this script without a GPU (CTest gpu_check_dry_run): networks shrunk and
#                   cut to a few ms, the CPU backend on both sides when there is no device, the
#                   perf suite listing its runs (bench_gpu.py --list) without building or running
# Exit: 0 every step passed or was skipped by --skip; 1 a step failed; 2 usage, or no prepared
# build; 3 no usable CUDA device (the GPU steps did not run: SKIP lines) and nothing else failed.
# The carried libraries (DIR/deps, DIR) are on LD_LIBRARY_PATH only for cobalt and the test
# binaries (through a wrapper), never for python3: the device's Python keeps its own libraries.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
out='' build=build-gpu deadline=480 skip=, dry=0
while [ $# -gt 0 ]; do
    case "$1" in
        --build) build=${2%/}; shift ;;
        --deadline-s) deadline=$2; shift ;;
        --skip) skip=",$2,"; shift ;;
        --dry-run) dry=1 ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "gpu-check: unknown option $1 (--help)" >&2; exit 2 ;;
        *) [ -z "$out" ] && out=$1 || { echo "gpu-check: one OUTDIR only (--help)" >&2; exit 2; } ;;
    esac
    shift
done
[ -n "$out" ] || { echo "gpu-check: OUTDIR missing (--help)" >&2; exit 2; }
[ -x "$build/cobalt" ] || {
    echo "gpu-check: $build/cobalt missing: run scripts/gpu-prepare.sh here first and carry build-gpu" >&2
    exit 2
}
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
rm -f "$out"/{SUMMARY,device.txt,tier.log,compare.log,sanitizer.log,perf.log,gpu_rows.csv}
# the tests find configs/ and the CLI by the absolute source path they were built with
src=$PWD
[ -f "$build/source_dir" ] && src=$(cat "$build/source_dir")
if [ "$src" != "$PWD" ] && [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"; fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export PYTHONUNBUFFERED=1

# wrapper: the carried libraries for one command (cobalt, a test binary) and its children only
libs="$PWD/$build/deps:$PWD/$build"
[ "${build#/}" != "$build" ] && libs="$build/deps:$build"
printf '#!/bin/sh\nLD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$@"\n' "$libs" > "$tmp/withlibs"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$tmp/withlibs" "$(cd "$build" && pwd)/cobalt" > "$tmp/cobalt"
chmod +x "$tmp/withlibs" "$tmp/cobalt"
W=$tmp/withlibs COB=$tmp/cobalt

t_start=$SECONDS
left() { echo $((deadline - (SECONDS - t_start))); }
# timeout of a step: CAP seconds, cut to what is left minus 5 s (0: nothing left)
tmo() {
    local l=$(($(left) - 5))
    [ "$l" -lt 0 ] && l=0
    echo $(($1 < l ? $1 : l))
}
run_t() { # SECONDS COMMAND...: the command under timeout (exit 124 when it ran out)
    local t=$1
    shift
    timeout -k 5 "$t" "$@"
}
any_fail=0
result() { # STEP STATUS DETAIL
    printf '%-10s %-4s %s\n' "$1" "$2" "$3" | tee -a "$out/SUMMARY"
    [ "$2" = FAIL ] && [ "$1" != device ] && any_fail=1
    return 0
}
skipped() { [[ $skip == *",$1,"* ]]; }
say() { printf '== %s (%d s left)\n' "$*" "$(left)"; }

{
    echo "gpu-check $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short=12 HEAD 2>/dev/null || echo '?')" \
        "host $(hostname) deadline ${deadline}s build $build$([ $dry = 1 ] && echo ' DRY RUN')"
} > "$out/SUMMARY"

# ---- device -------------------------------------------------------------------------------
say device
dev=0
{
    run_t 30 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    run_t 30 nvidia-smi
    run_t 30 "$COB" info
    echo "nproc: $(nproc)"
} > "$out/device.txt" 2>&1
grep -E '^cuda|^backends|NVIDIA|^no CUDA' "$out/device.txt" | head -8
if grep -q '^cuda devices: [1-9]' "$out/device.txt"; then
    dev=1
    result device PASS "$(grep -m1 '^cuda devices' "$out/device.txt")"
else
    # a CUDA 13 runtime needs driver R580 or newer; without a device every GPU test would skip
    why=$(grep -m1 '^no CUDA' "$out/device.txt" || grep -m1 '^cuda backend' "$out/device.txt" || echo "cobalt info failed")
    result device FAIL "no usable CUDA device for this build: $why"
fi
nodev="no usable CUDA device (device step)"

# ---- tier ---------------------------------------------------------------------------------
criterion() { # LABEL TIMEOUT BINARY ARGS...: appends to tier.log; sets c_status, c_detail
    local label=$1 t=$2 rc syn nskip
    shift 2
    echo "-- $label: $* (timeout ${t}s)" >> "$out/tier.log"
    local t0=$SECONDS
    OMP_WAIT_POLICY=passive OMP_NUM_THREADS=4 run_t "$t" "$W" "$@" --verbose > "$tmp/c.log" 2>&1
    rc=$?
    cat "$tmp/c.log" >> "$out/tier.log"
    syn=$(grep -m1 -o 'Tested: .*' "$tmp/c.log" | sed 's/ *$//')
    nskip=$(grep -c '^\[SKIP\].*no CUDA device' "$tmp/c.log")
    echo "-- $label: exit $rc in $((SECONDS - t0)) s; $syn; $nskip skipped for want of a device" >> "$out/tier.log"
    c_detail="$label: ${syn:-no synthesis}, $nskip skipped (no device), $((SECONDS - t0)) s"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        c_status=FAIL c_detail="$label: timeout after ${t}s"
    elif [ "$rc" != 0 ]; then
        c_status=FAIL c_detail="$label: exit $rc; $c_detail"
    elif [ "$nskip" != 0 ] || [ -z "$syn" ]; then
        c_status=SKIP
        [ $dev = 1 ] && c_status=FAIL c_detail="$c_detail: a device is present, yet tests skipped"
    else
        c_status=PASS
    fi
}
: > "$out/tier.log"
if skipped tier; then
    result tier SKIP "--skip"
else
    say "tier: test_cuda, test_digest (CUDA case)"
    st=PASS det=
    for spec in "test_cuda 200" "test_digest 90"; do
        set -- $spec
        t=$(tmo "$2")
        if [ "$t" -lt 5 ]; then
            st=FAIL det="$det; $1: deadline reached"
            continue
        fi
        if [ "$1" = test_cuda ]; then
            criterion "$1" "$t" "$build/tests/test_cuda" --jobs 4
        else
            criterion "$1" "$t" "$build/tests/test_digest" --filter 'digest/cuda_backend_matches_recorded'
        fi
        det="$det; $c_detail"
        case "$c_status/$st" in FAIL/*) st=FAIL ;; SKIP/PASS) st=SKIP ;; esac
    done
    [ $dev = 0 ] && [ $st = SKIP ] && det="; $nodev$det"
    result tier "$st" "${det#; }"
fi
grep -E '^\[(FAIL|----)\]|^-- ' "$out/tier.log" | tail -30

# ---- fig4, scale: CPU against CUDA ----------------------------------------------------------
# compare NAME CONFIG CAP_S SETS...: CUDA run, CPU run, compare; appends to compare.log
compare() {
    local name=$1 cfg=$2 cap=$3 side t t0 rc j status=PASS note=
    shift 3
    local a=cuda
    if [ $dev = 0 ]; then
        if [ $dry = 0 ]; then
            result "$name" SKIP "$nodev"
            return
        fi
        a=cpu note="dry run without a device: CPU against CPU, not a GPU check"
    fi
    {
        echo "== $name: $cfg $*"
        [ -n "$note" ] && echo "$note"
    } >> "$out/compare.log"
    for side in 1_$a 2_cpu; do
        t=$(tmo "$cap")
        if [ "$t" -lt 5 ]; then
            echo "${side#?_}: not run, deadline" >> "$out/compare.log"
            result "$name" FAIL "deadline reached before the ${side#?_} run"
            return
        fi
        t0=$SECONDS
        run_t "$t" "$COB" run "$cfg" --backend "${side#?_}" --quiet --out "$tmp/${name}_$side.h5" "$@" \
            > "$tmp/$name.json" 2> "$tmp/$name.err"
        rc=$?
        {
            echo "${side#?_}: exit $rc in $((SECONDS - t0)) s (timeout ${t}s)"
            cat "$tmp/$name.json"
            tail -c 4000 "$tmp/$name.err"
        } >> "$out/compare.log"
        if [ $rc != 0 ]; then
            j="${side#?_} run: exit $rc"
            [ $rc = 124 ] || [ $rc = 137 ] && j="${side#?_} run: timeout after ${t}s"
            result "$name" FAIL "$j"
            return
        fi
    done
    t=$(tmo 60)
    run_t $((t < 5 ? 5 : t)) python3 tools/compare_results.py "$tmp/${name}_2_cpu.h5" "$tmp/${name}_1_$a.h5" \
        > "$tmp/$name.cmp" 2>&1
    rc=$?
    head -c 200000 "$tmp/$name.cmp" >> "$out/compare.log"
    rm -f "$tmp/${name}"_*.h5
    j=$(tail -n 1 "$tmp/$name.cmp")
    [ $rc = 0 ] || status=FAIL
    [ -n "$note" ] && [ $status = PASS ] && status=SKIP
    result "$name" "$status" "${note:+$note; }$j"
}
: > "$out/compare.log"
if skipped fig4; then
    result fig4 SKIP "--skip"
else
    say "fig4: CPU against CUDA"
    sets=()
    if [ $dry = 1 ]; then
        sets=(--set run.t_warmup_ms=5 --set run.t_sim_ms=10)
    elif [ "$(left)" -lt 330 ]; then
        sets=(--set run.t_warmup_ms=1000 --set run.t_sim_ms=2000)
        echo "fig4: SHORTENED to 1 + 2 simulated s ($(left) s left, under 330)" | tee -a "$out/compare.log"
    fi
    compare fig4 configs/sanzeni2020_fig4.yaml 150 "${sets[@]}"
fi
if skipped scale; then
    result scale SKIP "--skip"
else
    say "scale: CPU against CUDA"
    sets=()
    [ $dry = 1 ] && sets=(--set run.t_warmup_ms=2 --set run.t_sim_ms=20 --set populations.E.size=2000
        --set populations.X.size=4000)
    COBALT_CUDA_KEYS=64 compare scale perf/configs/check_scale.yaml 120 "${sets[@]}"
fi
grep -E '^== |identical|differ|exit [1-9]|SHORTENED|^(cuda|cpu): exit' "$out/compare.log"

# ---- compute-sanitizer --------------------------------------------------------------------
san=$(command -v compute-sanitizer 2> /dev/null)
if [ -z "$san" ]; then
    for d in "${CUDA_HOME:-}" "${CUDA_PATH:-}" "$(dirname "$(command -v nvcc 2> /dev/null || echo /x/x)")/.." \
        /usr/local/cuda /usr/local/cuda-*; do
        [ -n "$d" ] && [ -x "$d/bin/compute-sanitizer" ] && san=$d/bin/compute-sanitizer && break
    done
fi
# short tests: delivery with a small grid, the build of wide rows, a whole small run with a pool
SAN_TESTS=${SAN_TESTS:-'cuda/@(deliver_matches_host|net_build_wide_rows_and_nested|run_lif_cond_pool)'}
: > "$out/sanitizer.log"
for tool in memcheck racecheck synccheck; do
    if skipped "$tool"; then
        result "$tool" SKIP "--skip"
        continue
    fi
    if [ -z "$san" ]; then
        result "$tool" SKIP "compute-sanitizer not found (PATH, CUDA_HOME, CUDA_PATH, nvcc's folder, /usr/local/cuda*)"
        continue
    fi
    if [ $dev = 0 ] && [ $dry = 0 ]; then
        result "$tool" SKIP "$nodev"
        continue
    fi
    t=$(tmo 75)
    if [ "$t" -lt 10 ]; then
        result "$tool" FAIL "deadline reached"
        continue
    fi
    say "$tool"
    echo "== $tool: $san on $SAN_TESTS (timeout ${t}s)" >> "$out/sanitizer.log"
    t0=$SECONDS
    run_t "$t" "$san" --tool "$tool" --target-processes all --error-exitcode 99 --print-limit 20 \
        "$W" "$build/tests/test_cuda" --jobs 1 --verbose --filter "$SAN_TESTS" > "$tmp/san.log" 2>&1
    rc=$?
    tail -c 2000000 "$tmp/san.log" >> "$out/sanitizer.log"
    es=$(grep -hoE '(ERROR|RACECHECK) SUMMARY: .*' "$tmp/san.log" | sort | uniq -c | sed 's/^ *\([0-9]*\) /\1x /' | paste -sd ';' -)
    syn=$(grep -m1 -o 'Tested: [0-9]* | Passing: [0-9]*' "$tmp/san.log")
    det="exit $rc in $((SECONDS - t0)) s; ${syn:-no synthesis}; ${es:-no sanitizer summary}"
    echo "== $tool: $det" >> "$out/sanitizer.log"
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        result "$tool" FAIL "timeout after ${t}s; $det"
    elif [ $rc != 0 ]; then
        result "$tool" FAIL "$det"
    elif [ $dev = 0 ]; then
        result "$tool" SKIP "$nodev (dry run: the command ran); $det"
    else
        result "$tool" PASS "$det"
    fi
done

# ---- perf suite ---------------------------------------------------------------------------
: > "$out/perf.log"
if skipped perf; then
    result perf SKIP "--skip"
elif [ $dev = 0 ] && [ $dry = 0 ]; then
    result perf SKIP "$nodev"
elif ! grep -q '^cuda backend: built' "$out/device.txt"; then
    result perf SKIP "$build/cobalt has no CUDA backend (run_gpu_suite.sh would refuse it)"
else
    b=$(($(left) - 15))
    if [ "$b" -lt 60 ]; then
        result perf SKIP "deadline: $(left) s left (needs 75)"
    else
        say "perf suite, budget $b s"
        extra=()
        [ $dry = 1 ] && extra=(-- --list)
        t0=$SECONDS
        # python3 (bench_gpu.py) without the carried libraries: COBALT is the wrapper
        COBALT=$COB NVCC=$([ $dry = 1 ] && echo false || echo "${NVCC:-nvcc}") \
            run_t $((b + 10)) perf/run_gpu_suite.sh --no-build --csv "$out/gpu_rows.csv" --budget-s "$b" \
            "${extra[@]}" > "$out/perf.log" 2>&1
        rc=$?
        rows=0
        [ -f "$out/gpu_rows.csv" ] && rows=$(($(wc -l < "$out/gpu_rows.csv") - 1))
        det="exit $rc in $((SECONDS - t0)) s; $((rows > 0 ? rows : 0)) rows in gpu_rows.csv"
        if [ $rc != 0 ]; then
            result perf FAIL "$det$([ $rc = 124 ] && echo ', timeout')"
        elif [ $dry = 1 ]; then
            result perf SKIP "dry run: $(grep -c -- ' --backend cuda ' "$out/perf.log") runs listed, none run; $det"
        else
            result perf PASS "$det"
        fi
        tail -n 30 "$out/perf.log"
    fi
fi
[ -f "$out/gpu_rows.csv" ] || : > "$out/gpu_rows.csv"

# ---- files under 16 MB, exit code ---------------------------------------------------------
for f in "$out"/*; do
    if [ "$(stat -c %s "$f")" -gt 15000000 ]; then
        { head -c 7000000 "$f"; printf '\n[... cut by gpu-check: over 15 MB ...]\n'; tail -c 7000000 "$f"; } > "$tmp/cut"
        mv "$tmp/cut" "$f"
        echo "note: $(basename "$f") cut to its first and last 7 MB" >> "$out/SUMMARY"
    fi
done
rc=0
[ $dev = 0 ] && rc=3
[ $any_fail = 1 ] && rc=1
echo "exit $rc after $((SECONDS - t_start)) s" | tee -a "$out/SUMMARY"
echo "== SUMMARY"
cat "$out/SUMMARY"
exit $rc
