#!/usr/bin/env bash
# Test of tools/ring_analysis.py (CTest ring_analysis): its self-test on synthetic profiles (Fourier
# modes, binned profile, OSI, --set lines of the stored config) and tools/seed000_ring.py's (its
# balance and mean-field predictions on closed forms), then the whole path on two short
# runs of configs/examples/ring.yaml (shrunk; independent input tuned to the targets' angles,
# cosine mu_c 0.5, stimulus at 30 and 120 degrees of the 180-degree ring): the first Fourier mode
# of E's rates must peak within 10 degrees of each stimulus angle (its spread from the finite
# network is a few degrees), and the OSI over the two runs must be defined for the neurons.
#   scripts/test-ring-analysis.sh BUILD_DIR PYTHON3
# Exit 0 when every check passes, 1 when one fails, 77 (skipped) without numpy, h5py and PyYAML.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
build=${1:?usage: scripts/test-ring-analysis.sh BUILD_DIR PYTHON3}
py=${2:-python3}
"$py" -c "import numpy, h5py, yaml" 2> /dev/null || { echo "test-ring-analysis: skipped: no numpy/h5py/yaml"; exit 77; }
"$py" tools/ring_analysis.py --self-test || exit 1
"$py" tools/seed000_ring.py --self-test || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-ring.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
for th in 30 120; do
    "$build/cobalt" run configs/examples/ring.yaml --out "$tmp/th$th.h5" --set populations.E.size=800 \
        --set populations.I.size=200 --set run.t_warmup_ms=100 --set run.t_sim_ms=300 \
        --set populations.X.input=independent \
        --set "populations.X.tuning={shape: cosine, mu_c: 0.5, theta_deg: $th}" \
        --set projections.0.indegree=80 --set projections.1.indegree=80 --set projections.2.indegree=20 \
        --set projections.3.indegree=20 > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
    "$py" tools/ring_analysis.py "$tmp/th$th.h5" > "$tmp/th$th.json" || exit 1
    "$py" - "$tmp/th$th.json" "$th" << 'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
m1 = d["populations"]["E"]["modes"][1]
err = (m1["phase_deg"] - float(sys.argv[2]) + 90) % 180 - 90
print(f"stimulus {sys.argv[2]} deg: E's first mode {m1['amplitude_hz']:.1f} Hz at {m1['phase_deg']:.1f} deg")
sys.exit(0 if abs(err) < 10 and m1["amplitude_hz"] > 1 else 1)
PY
done
"$py" tools/ring_analysis.py "$tmp/th30.h5" "$tmp/th120.h5" --stim X > "$tmp/osi.json" || exit 1
"$py" -c "
import json, sys
d = json.load(open('$tmp/osi.json'))
e = d['populations']['E']
assert d['stimulus_deg'] == [30.0, 120.0], d['stimulus_deg']
assert e['osi_mean'] is not None and 0 < e['osi_mean'] <= 1, e['osi_mean']
print('OSI of E over two stimuli: mean %.2f' % e['osi_mean'])
" || exit 1
echo "test-ring-analysis: ok"
