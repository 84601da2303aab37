#!/usr/bin/env bash
# Prepare a GPU check on a machine that cannot install packages (the lent device machine: CUDA
# and CMake, but no libyaml, HDF5 or Criterion, and no network). Run HERE, on the development
# machine: builds build-gpu/ (Release, CUDA for sm_90 = H100/H200, libcobalt shared so the test
# binaries stay small) and copies the shared libraries it needs, except glibc's own, into
# build-gpu/deps/. Fails when build-gpu and the working tree that travels with it reach the
# 64 MiB the device tool carries. Then carry build-gpu to the device and run
# scripts/gpu-check.sh $OUT/gpu there (perf/README.md, "GPU check").
# The device's glibc must be at least this machine's (binaries built here need no newer one).
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${CUDA_ARCH:-90}
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DCMAKE_CUDA_ARCHITECTURES="$arch"
cmake --build build-gpu -j"$(nproc)"
build-gpu/cobalt info | grep -q '^cuda backend: built' || {
    echo "gpu-prepare: the CUDA backend was not built (nvcc missing?)" >&2; exit 1; }
# not needed to run, and kept out of what is carried: objects, and the emulated tier (CPU only,
# CI runs it)
find build-gpu -name '*.o' -delete
rm -rf build-gpu/tests/emu build-gpu/tests/test_*_emu build-gpu/tests/cobalt_emu_cli build-gpu/tests/libcobalt_emu.a
mkdir -p build-gpu/deps
skip='^(libc|libm|libdl|libpthread|librt|libresolv|ld-linux-x86-64|linux-vdso|libcuda|libcobalt|libstdc\+\+|libgcc_s)\.so'
find build-gpu -maxdepth 2 -type f -perm -u+x \( -name cobalt -o -name 'test_*' \) -print0 |
    xargs -0 ldd 2>/dev/null | awk '/=> \// { print $1, $3 }' | sort -u |
    while read -r name path; do
        if [[ ! $name =~ $skip ]]; then cp -L "$path" build-gpu/deps/"$name"; fi
    done
# the source path the tests were built with (they find configs/ and the CLI by absolute path)
pwd > build-gpu/source_dir
# The device tool carries at most 64 MiB: build-gpu and the working tree that travels with it
# (tracked files and untracked ones git does not ignore).
limit=$((64 * 1024 * 1024))
prepared=$(du -sb build-gpu | cut -f1)
tree=$({ git ls-files -z; git ls-files -z --others --exclude-standard; } | { xargs -0 stat -c %s 2> /dev/null || true; } |
    awk '{ s += $1 } END { print s + 0 }')
du -sh build-gpu/deps build-gpu | sed 's/^/gpu-prepare: /'
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "gpu-prepare: build-gpu $(mib "$prepared") ($prepared bytes) + working tree $(mib "$tree") = $(mib $((prepared + tree))) of 64 MiB"
if [ $((prepared + tree)) -ge $limit ]; then
    echo "gpu-prepare: ERROR: build-gpu and the working tree come to $(mib $((prepared + tree))), over the 64 MiB" \
        "the device machine accepts: nothing would travel. Largest files:" >&2
    find build-gpu -type f -printf '%s %p\n' | sort -rn | head -10 >&2
    exit 1
fi
echo "gpu-prepare: now, on the device, carrying build-gpu:  scripts/gpu-check.sh \$OUT/gpu"
