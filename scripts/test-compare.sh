#!/usr/bin/env bash
# Test of perf/compare.sh without building (CTest perf_compare): the timing, the identity check
# and the report on copies of one built cobalt, a tiny network (quickstart at 50 neurons, 20 ms)
# and 2 rounds. Checks: two copies of one binary give identical results and exit 0 with a row
# per config in the CSV; a B whose summaries report 100 times the run time is a regression (exit 1,
# verdict "slower"); a B that simulates another seed differs (exit 4, nothing timed) unless
# --allow-different; usage errors exit 2. Temporary files only (the CSV included).
#   scripts/test-compare.sh BUILD_DIR
# Exit 0 when every check passes, 1 when one fails, 77 (skipped) without python3.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
build=${1:?usage: scripts/test-compare.sh BUILD_DIR}
command -v python3 > /dev/null || { echo "test-compare: skipped: no python3"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-compare.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cp "$build/cobalt" "$tmp/a" && cp "$build/cobalt" "$tmp/b" || exit 1
# B 100 times slower: the real cobalt, with run_s x 100 in its JSON summary
cat > "$tmp/slow" << EOF
#!/usr/bin/env python3
import json, subprocess, sys
r = subprocess.run(["$tmp/b"] + sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(r.stderr)
for line in r.stdout.splitlines():
    if line.startswith("{"):
        j = json.loads(line)
        j["run_s"] *= 100
        line = json.dumps(j)
    print(line)
sys.exit(r.returncode)
EOF
# B on another seed: different spikes
cat > "$tmp/other" << EOF
#!/bin/sh
exec "$tmp/b" "\$@" --set run.seed=12345
EOF
chmod +x "$tmp/slow" "$tmp/other"
tiny=(--configs configs/quickstart.yaml --repeats 2 --threads 1 --t-sim-ms 20 --t-warmup-ms 0
      --set populations.0.size=40 --set populations.1.size=10 --set populations.2.size=40
      --set projections.0.indegree=10 --set projections.1.indegree=10 --set projections.2.indegree=5
      --set projections.3.indegree=5 --set projections.4.indegree=10 --set projections.5.indegree=10)
fail=0
check() { # NAME EXPECTED_EXIT ARGS...: run compare.sh, its output in $tmp/NAME.log
    local name=$1 want=$2 rc
    shift 2
    perf/compare.sh "$@" > "$tmp/$name.log" 2>&1
    rc=$?
    if [ $rc -ne "$want" ]; then
        echo "FAIL $name: exit $rc, expected $want"
        cat "$tmp/$name.log"
        fail=1
    else
        echo "ok   $name (exit $rc)"
    fi
}
# Runs of a few milliseconds: under load one run can take 10x another, so the checks that are not
# about timing use a margin no noise reaches, and the fake slower B is 100x slower.
check same 0 --bin-a "$tmp/a" --bin-b "$tmp/b" "${tiny[@]}" --csv "$tmp/rows.csv" --margin 1000000
if [ "$(wc -l < "$tmp/rows.csv" 2> /dev/null)" != 2 ] || ! grep -q ',same,yes' "$tmp/rows.csv"; then
    echo "FAIL same: expected a header and one row ending in same,yes in the CSV:"
    cat "$tmp/rows.csv" 2> /dev/null
    fail=1
fi
check slower 1 --bin-a "$tmp/a" --bin-b "$tmp/slow" "${tiny[@]}" --csv "$tmp/rows.csv"
grep -q ',slower,yes' "$tmp/rows.csv" || { echo "FAIL slower: no 'slower' row"; cat "$tmp/rows.csv"; fail=1; }
check faster 0 --bin-a "$tmp/slow" --bin-b "$tmp/a" "${tiny[@]}" --csv -
check different 4 --bin-a "$tmp/a" --bin-b "$tmp/other" "${tiny[@]}" --csv -
grep -q 'differs: ' "$tmp/different.log" || { echo "FAIL different: no difference listed"; fail=1; }
check allowed 0 --bin-a "$tmp/a" --bin-b "$tmp/other" "${tiny[@]}" --csv - --allow-different --margin 1000000
check usage_one_bin 2 --bin-a "$tmp/a"
check usage_margin 2 --bin-a "$tmp/a" --bin-b "$tmp/b" --margin fast
check usage_no_revs 2
check bad_rev 3 no-such-revision-xyz HEAD --build-dir "$tmp/builds"
exit $fail
