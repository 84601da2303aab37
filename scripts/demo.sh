#!/usr/bin/env bash
# Set up, build and run the demo network (configs/quickstart.yaml) on the GPU when the CUDA
# backend and a device are there, otherwise on the CPU. Extra arguments go to `cobalt run`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
mkdir -p results
./build/cobalt run configs/quickstart.yaml --backend auto --out results/quickstart.h5 "$@"
