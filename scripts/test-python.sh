#!/usr/bin/env bash
# The Python package's tests (CTest python_pytest): `PYTHON3 -m pytest -q python/tests` with the
# package from this source tree (PYTHONPATH=python) and the library named by COBALT_LIB (CTest
# sets it to the build's libcobalt.so, and COBALT_CLI to its cobalt). The last line printed is
# "[pytest] <pytest's closing line>", which scripts/test.sh shows after the CTest run.
#   scripts/test-python.sh [PYTHON3]   (default: python3 on PATH)
# Exit: pytest's; 77 (skipped) with "[SKIP] python_pytest: ..." when PYTHON3 is missing or lacks
# numpy, h5py or pytest (scripts/setup-deps.sh installs them).
set -uo pipefail
cd "$(dirname "$0")/.."
py=${1:-python3}
if ! command -v "$py" > /dev/null 2>&1; then
    echo "[SKIP] python_pytest: no Python interpreter '$py'"
    exit 77
fi
missing=$("$py" - << 'PYEOF'
import importlib.util
print(" ".join(m for m in ("numpy", "h5py", "pytest") if importlib.util.find_spec(m) is None))
PYEOF
)
if [ -n "$missing" ]; then
    echo "[SKIP] python_pytest: $py lacks $missing (scripts/setup-deps.sh installs python3-$missing)"
    exit 77
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
PYTHONPATH=$PWD/python${PYTHONPATH:+:$PYTHONPATH} COBALT_TOOLS_DIR=$PWD/tools \
    "$py" -m pytest -q -p no:cacheprovider python/tests 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
echo "[pytest] $(grep -v '^\s*$' "$log" | tail -n 1)"
exit "$rc"
