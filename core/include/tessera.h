/**
 * @file tessera.h
 * @brief Umbrella header of Tessera's core runtime.
 */
#ifndef TESSERA_H
#define TESSERA_H

#include "tessera/base.h"
#include "tessera/error.h"
#include "tessera/mem.h"
#include "tessera/options.h"
#include "tessera/log.h"
#include "tessera/event.h"
#include "tessera/ctx.h"
#include "tessera/grid.h"
#include "tessera/field.h"
#include "tessera/halo.h"
#include "tessera/reduce.h"
#include "tessera/io.h"
#include "tessera/checkpoint.h"

#endif
