#!/usr/bin/env bash
# Performance comparison of two git revisions of cobalt on this machine: builds each (Release,
# CPU backend only, in a detached git worktree under the build folder, reused when the commit's
# build is already there), checks that both give identical results on every config (the JSON
# summary's figures: neurons, synapses, steps, synaptic events, every population's rates and
# statistics), then times them in alternation with perf/paired.sh (A B, B A, A B, ...) and reports
# per config the medians of A and B (wall s per simulated s), the ratio of the medians B/A and the
# spread of the per-round ratios; one row per config in perf/results/compare.csv.
#
#   perf/compare.sh [options] REV_A REV_B          # e.g. perf/compare.sh main HEAD
#   perf/compare.sh [options] --bin-a A --bin-b B  # two cobalt binaries, no build
#
# Options (defaults in brackets):
#   --configs LIST      comma-separated configs [perf/configs/ei_cond.yaml,perf/configs/ei_curr.yaml]
#   --repeats N         rounds per config, one run of each binary per round [5]
#   --threads N         OpenMP threads per run [2]
#   --t-sim-ms MS       simulated time after warm-up per run [100]
#   --t-warmup-ms MS    warm-up per run [50]
#   --set k=v           override for every config (repeatable)
#   --margin PCT        noise margin: B is a regression when median B / median A > 1 + PCT/100 [5]
#   --allow-different   time even when the results differ (reported, exit status unchanged)
#   --build-dir DIR     where the worktrees and builds go [build-compare]
#   --jobs N            parallel build jobs [nproc]
#   --csv FILE          rows go here instead of perf/results/compare.csv ("-": no rows)
# Exit status: 0 no regression; 1 B slower than A beyond the margin on some config; 2 usage;
# 3 a build or a run failed; 4 the results differ (without --allow-different; nothing is timed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

configs="perf/configs/ei_cond.yaml,perf/configs/ei_curr.yaml"
repeats=5 threads=2 t_sim=100 t_warm=50 margin=5 allow_diff=0 build_dir="$root/build-compare"
jobs=$(nproc 2>/dev/null || echo 2) csv="$here/results/compare.csv" bin_a="" bin_b=""
sets=() revs=()
while [ $# -gt 0 ]; do
    case "$1" in
        --configs) configs=${2:?}; shift 2 ;;
        --repeats) repeats=${2:?}; shift 2 ;;
        --threads) threads=${2:?}; shift 2 ;;
        --t-sim-ms) t_sim=${2:?}; shift 2 ;;
        --t-warmup-ms) t_warm=${2:?}; shift 2 ;;
        --set) sets+=(--set "${2:?}"); shift 2 ;;
        --margin) margin=${2:?}; shift 2 ;;
        --allow-different) allow_diff=1; shift ;;
        --build-dir) build_dir=${2:?}; shift 2 ;;
        --jobs) jobs=${2:?}; shift 2 ;;
        --csv) csv=${2:?}; shift 2 ;;
        --bin-a) bin_a=${2:?}; shift 2 ;;
        --bin-b) bin_b=${2:?}; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "compare: unknown option $1" >&2; usage ;;
        *) revs+=("$1"); shift ;;
    esac
done
for n in "$repeats" "$threads" "$jobs"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "compare: '$n' is not a positive integer" >&2; exit 2; }
done
[[ $margin =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "compare: --margin '$margin' is not a percentage" >&2; exit 2; }
if [ -n "$bin_a$bin_b" ]; then
    [ -n "$bin_a" ] && [ -n "$bin_b" ] && [ ${#revs[@]} -eq 0 ] ||
        { echo "compare: give --bin-a and --bin-b together, without revisions" >&2; exit 2; }
elif [ ${#revs[@]} -ne 2 ]; then
    echo "compare: give two revisions (or --bin-a and --bin-b)" >&2
    usage
fi
[ "$csv" = "-" ] || case "$csv" in /*) ;; *) csv="$PWD/$csv" ;; esac

# build REV: prints the path of cobalt built from REV (a worktree and a build per commit).
build() {
    local sha src b
    sha=$(git -C "$root" rev-parse --verify --quiet "$1^{commit}") ||
        { echo "compare: '$1' is not a commit of $root" >&2; return 3; }
    src="$build_dir/src-${sha:0:12}" b="$build_dir/build-${sha:0:12}"
    mkdir -p "$build_dir"
    if [ ! -d "$src" ]; then
        git -C "$root" worktree add --detach --quiet "$src" "$sha" >&2 || return 3
    fi
    if [ ! -x "$b/cobalt" ]; then
        echo "compare: building $1 (${sha:0:12}) in $b" >&2
        { cmake -S "$src" -B "$b" -DCMAKE_BUILD_TYPE=Release -DCOBALT_CUDA=OFF -DCOBALT_TESTS=OFF &&
          cmake --build "$b" -j "$jobs" --target cobalt_cli; } > "$b.log" 2>&1 ||
            { echo "compare: the build of $1 failed; its log: $b.log" >&2; tail -20 "$b.log" >&2; return 3; }
    fi
    echo "$b/cobalt"
}
if [ -z "$bin_a" ]; then
    bin_a=$(build "${revs[0]}") || exit 3
    bin_b=$(build "${revs[1]}") || exit 3
    lab_a=${revs[0]} lab_b=${revs[1]}
else
    lab_a=A lab_b=B
fi
for b in "$bin_a" "$bin_b"; do
    [ -x "$b" ] || { echo "compare: $b is not an executable" >&2; exit 3; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cobalt-compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0 report=()
IFS=, read -r -a cfg_list <<< "$configs"
cd "$root"
for cfg in "${cfg_list[@]}"; do
    [ -f "$cfg" ] || { echo "compare: no config $cfg" >&2; exit 2; }
    label="$cfg${sets[*]:+ ${sets[*]}}"
    echo "== $label: results of A and B"
    identical=yes
    rc=0
    python3 "$here/compare_report.py" same "$bin_a" "$bin_b" "$threads" "$cfg" "$t_sim" "$t_warm" "${sets[@]}" || rc=$?
    if [ $rc -ne 0 ]; then
        [ $rc -eq 1 ] || exit 3
        identical=no
        if [ $allow_diff -eq 0 ]; then
            echo "compare: $cfg: A and B give different results (--allow-different to time them anyway)" >&2
            exit 4
        fi
        echo "compare: $cfg: A and B give different results (timed anyway: --allow-different)"
    fi
    echo "== $label: $repeats rounds, $threads threads"
    rm -f "$tmp/rows.csv"
    "$here/paired.sh" "$bin_a" "$bin_b" "$repeats" "$threads" "$cfg" --t-sim-ms "$t_sim" \
        --t-warmup-ms "$t_warm" --out "$tmp/rows.csv" "${sets[@]}" || exit 3
    rc=0
    line=$(python3 "$here/compare_report.py" report "$tmp/rows.csv" "$repeats" "$margin" "$csv" "$lab_a" \
        "$lab_b" "$label" "$threads" "$identical") || rc=$?
    case $rc in 0) ;; 1) status=1 ;; *) exit 3 ;; esac
    report+=("$line")
done
echo "== A: $lab_a ($bin_a)"
echo "== B: $lab_b ($bin_b)"
printf '%s\n' "${report[@]}"
[ "$csv" = "-" ] || echo "rows appended to $csv"
if [ $status -ne 0 ]; then
    echo "compare: B is slower than A beyond the ${margin}% margin" >&2
fi
exit $status
