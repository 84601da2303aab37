#!/usr/bin/env bash
# Set up, build and pass the tests on a fresh Debian machine (no GPU needed: the GPU tier skips,
# and what it skipped is listed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
# COBALT_TESTS=ON: the demo (scripts/demo.sh) configures the same build without the tests.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCOBALT_TESTS=ON
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j2
# the Python package's pytest run: its closing line ("N passed in S s"), counted with the rest
grep -h '^\[pytest\]' build/Testing/Temporary/LastTest.log 2>/dev/null | sort -u || true
skipped=$(grep -h '^\[SKIP\]' build/Testing/Temporary/LastTest.log 2>/dev/null | sort -u || true)
if [ -n "$skipped" ]; then
    echo "Skipped (reason given by each test):"
    echo "$skipped"
fi
