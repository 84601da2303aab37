/* tests/emu/include/cub/device/device_radix_sort.cuh -- emulated CUB for the emulated GPU tier: see ../emu_cub.h. */
#pragma once
#include "../emu_cub.h"
