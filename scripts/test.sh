#!/usr/bin/env bash
# Set up, build and pass the tests on a fresh Debian machine (no GPU needed: the GPU tier skips).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j2
