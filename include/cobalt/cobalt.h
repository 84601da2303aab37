/* include/cobalt/cobalt.h -- umbrella header of the cobalt C API. */
#ifndef COBALT_H
#define COBALT_H

#include "status.h"
#include "config.h"
#include "models.h"
#include "net.h"
#include "plan.h"
#include "estimate.h"
#include "cuda.h"
#include "stats.h"
#include "sim.h"
#include "output.h"
#include "theory.h"
#include "rate.h"

#endif
