#!/usr/bin/env bash
# Checks that C and CUDA sources are formatted as the repository's .clang-format asks, without
# changing them (clang-format --dry-run --Werror). Usage:
#   scripts/check-format.sh [FILE ...]
# With no FILE: every tracked *.c *.h *.cu *.cuh under host/ include/ kernels/ tests/ perf/,
# except tests/emu/include/ (stand-ins for CUDA headers, kept close to the originals).
# Exit 0 when every file is formatted; 1 listing the files that are not; 2 when clang-format is
# missing or a FILE does not exist. CLANG_FORMAT picks the binary (default clang-format; the
# style was tuned with version 14, and other major versions may format a few constructs
# differently). Fix a file with: clang-format -i FILE
set -euo pipefail

cf=${CLANG_FORMAT:-clang-format}
if ! command -v "$cf" >/dev/null 2>&1; then
    echo "check-format: $cf not found (scripts/setup-deps.sh installs clang-format)" >&2
    exit 2
fi
version=$("$cf" --version | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p')
if [ "$version" != "14" ]; then
    echo "check-format: note: $cf is version ${version:-unknown}; the style was tuned with 14" >&2
fi

if [ $# -gt 0 ]; then
    files=("$@")
else
    cd "$(dirname "$0")/.."
    mapfile -t files < <(git ls-files -- host include kernels tests perf |
                         grep -E '\.(c|h|cu|cuh)$' | grep -v '^tests/emu/include/')
fi

bad=()
for f in "${files[@]}"; do
    if [ ! -f "$f" ]; then
        echo "check-format: $f: no such file" >&2
        exit 2
    fi
    if ! "$cf" --dry-run --Werror "$f" >/dev/null 2>&1; then
        bad+=("$f")
    fi
done

if [ ${#bad[@]} -gt 0 ]; then
    echo "check-format: ${#bad[@]} of ${#files[@]} files are not formatted as .clang-format asks:"
    printf '  %s\n' "${bad[@]}"
    echo "(see where: $cf --dry-run FILE; fix: $cf -i FILE)"
    exit 1
fi
echo "check-format: ${#files[@]} files formatted"
