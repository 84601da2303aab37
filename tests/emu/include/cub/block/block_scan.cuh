/* tests/emu/include/cub/block/block_scan.cuh -- emulated CUB for the emulated GPU tier: see ../emu_cub.h. */
#pragma once
#include "../emu_cub.h"
