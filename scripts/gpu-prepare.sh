#!/usr/bin/env bash
# Prepare a GPU check on a machine that cannot install packages (the lent device machine: CUDA
# and CMake, but no libyaml, HDF5 or Criterion, and no network). Run HERE, on the development
# machine: builds build-gpu/ (Release, CUDA for sm_90 = H100/H200, libcobalt shared so the test
# binaries stay small) and copies the shared libraries it needs, except glibc's own, into
# build-gpu/deps/. Then carry build-gpu to the device and run scripts/gpu-check.sh there.
# The device's glibc must be at least this machine's (binaries built here need no newer one).
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${CUDA_ARCH:-90}
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DCMAKE_CUDA_ARCHITECTURES="$arch"
cmake --build build-gpu -j"$(nproc)"
build-gpu/cobalt info | grep -q '^cuda backend: built' || {
    echo "gpu-prepare: the CUDA backend was not built (nvcc missing?)" >&2; exit 1; }
mkdir -p build-gpu/deps
skip='^(libc|libm|libdl|libpthread|librt|libresolv|ld-linux-x86-64|linux-vdso|libcuda|libcobalt|libstdc\+\+|libgcc_s)\.so'
find build-gpu -maxdepth 2 -type f -perm -u+x \( -name cobalt -o -name 'test_*' \) -print0 |
    xargs -0 ldd 2>/dev/null | awk '/=> \// { print $1, $3 }' | sort -u |
    while read -r name path; do
        if [[ ! $name =~ $skip ]]; then cp -L "$path" build-gpu/deps/"$name"; fi
    done
find build-gpu -name '*.o' -delete # not needed to run; keeps what is carried small
# the source path the tests were built with (they find configs/ and the CLI by absolute path)
pwd > build-gpu/source_dir
du -sh build-gpu/deps build-gpu | sed 's/^/gpu-prepare: /'
echo "gpu-prepare: now run on the device, carrying build-gpu:  scripts/gpu-check.sh"
