#!/usr/bin/env python3
"""tests/emu/cuda_to_cpp.py -- turn one kernels/*.cu into C++ for the emulated GPU tier.

Usage: cuda_to_cpp.py IN.cu OUT.cpp   (run by tests/CMakeLists.txt at build time)

Only the two constructs that no header can express are rewritten; everything else
(__global__, threadIdx, atomics, CUB, ...) is handled by tests/emu/include/:
  name<<<grid, block[, shmem[, stream]]>>>(args)  ->  EMU_LAUNCH(name, grid, block[, ...])(args)
  extern __shared__ T name[];                     ->  T *name = (T *)emu::dyn_shared();
A #line directive keeps compiler messages pointing at the .cu file. The script fails (exit 1)
when the source holds a launch or dynamic shared array it cannot rewrite, so a new construct in
kernels/ breaks the build loudly instead of being mistranslated."""
import os
import re
import sys

LAUNCH = re.compile(r"([A-Za-z_]\w*(?:\s*<[^<>;]*>)?)\s*<<<(.*?)>>>\s*\(", re.S)
SHARED = re.compile(r"extern\s+__shared__\s+([A-Za-z_][\w\s]*?)\s+([A-Za-z_]\w*)\s*\[\s*\]\s*;")


def convert(src):
    out = LAUNCH.sub(lambda m: "EMU_LAUNCH(%s, %s)(" % (m.group(1), m.group(2).strip()), src)
    out = SHARED.sub(lambda m: "%s *%s = (%s *)emu::dyn_shared();" % (m.group(1), m.group(2), m.group(1)), out)
    for bad in ("<<<", ">>>", "extern __shared__"):
        if bad in out:
            line = out[: out.index(bad)].count("\n") + 1
            raise SystemExit("cuda_to_cpp.py: cannot convert '%s' (line %d)" % (bad, line))
    return out


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        src = f.read()
    text = '#line 1 "%s"\n' % sys.argv[1].replace("\\", "/") + convert(src)
    os.makedirs(os.path.dirname(os.path.abspath(sys.argv[2])), exist_ok=True)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
