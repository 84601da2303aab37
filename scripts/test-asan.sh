#!/usr/bin/env bash
# The CPU test tier under AddressSanitizer and UndefinedBehaviorSanitizer (.ci/run runs it after
# scripts/test.sh): a separate build in build-asan/ (cmake -DCOBALT_SANITIZE=ON: -fsanitize=
# address,undefined -fno-sanitize-recover=all on every C object and link; no CUDA backend, no
# emulated tier), then ctest. An ASan report, a leak (LeakSanitizer) or any UBSan report fails the
# test that hit it, in the test binary or in a `cobalt` it ran. The tests that set an
# address-space limit (ulimit -v, RLIMIT_AS) skip themselves there (TEST_UNDER_ASAN in
# tests/test_util.h): ASan's shadow memory needs terabytes of address space.
# Excluded here, and why:
#   install  builds a plain C program against the installed (instrumented) libcobalt; it tests
#            packaging, which the uninstrumented build in scripts/test.sh covers.
#   _emu     the emulated GPU tier is not built with the sanitizers (C++ emulation, slow).
# About 4.5 minutes on 2 cores, measured from scratch: build 150 s, tests 124 s (273 s in all).
#   scripts/test-asan.sh [BUILD_DIR]   (default build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOBALT_SANITIZE=ON -DCOBALT_CUDA=OFF -DCOBALT_EMU=OFF \
    -DCOBALT_TESTS=ON
cmake --build "$build" -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$build" --output-on-failure -j2 -E '^install$|_emu$'
