#!/usr/bin/env bash
# Set up, build and run the demo network (configs/quickstart.yaml) on the GPU when the CUDA
# backend and a device are there, otherwise on the CPU. Extra arguments go to `cobalt run`.
# Needs only what building and plotting need (scripts/setup-deps.sh --demo): not Criterion or
# Slurm, which only the tests use (scripts/test.sh), so the build here has no tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh --demo
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCOBALT_TESTS=OFF
cmake --build build -j"$(nproc)"
mkdir -p results
./build/cobalt run configs/quickstart.yaml --backend auto --out results/quickstart.h5 "$@"
cat << EOF

The demo ran. cobalt is $(pwd)/build/cobalt; its result is results/quickstart.h5.
Next:
  build/cobalt plot results/quickstart.h5     # figures of the run, written beside it (docs/plots.md)
  build/cobalt info                           # version, commit, backends, CUDA devices
  build/cobalt run configs/brunel2000.yaml    # another network (configs/, docs/config.md)
  cmake --install build --prefix ~/.local     # bin/cobalt, libcobalt, headers, cobalt.pc, tools, configs
  ./scripts/test.sh                           # pass the tests (installs Criterion and Slurm for them)
EOF
