/**
 * @file tessera_kernels.h
 * @brief Umbrella header of Tessera's kernels (node-local numerics built on the core).
 */
#ifndef TESSERA_KERNELS_H
#define TESSERA_KERNELS_H

#include "tessera.h"
#include "tessera/kernels/stencil.h"
#include "tessera/kernels/vec.h"
#include "tessera/kernels/operator.h"
#include "tessera/kernels/krylov.h" /* with mg.h and poisson.h */

#endif
