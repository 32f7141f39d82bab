/* Hand-made field components for kernel tests: a padded block of doubles and a tsr_view into
 * it, so tests control strides, padding and alignment, and can see writes outside a box. */
#ifndef TSR_TEST_ARRAY_H
#define TSR_TEST_ARRAY_H

#include <stdint.h>

#include "tessera.h"

/* Value every element holds after tsr_test_array_create() and tsr_test_array_reset(). */
#define TSR_TEST_SENTINEL (-1234.5)

typedef struct {
  double *block; /* the whole allocation, padding included */
  size_t len;    /* doubles in block */
  tsr_view v;    /* owned cells at 0 .. n-1, ghosts around them */
} tsr_test_array;

/* A block for @p n owned cells with @p ghost ghosts on axes below @p dim, every element set to
 * the sentinel. pad >= 0: that many extra doubles per row and per plane (odd pads misalign
 * rows); pad < 0: rows aligned like a field's (first owned cell of each row on 64 bytes). */
tsr_err tsr_test_array_create(int dim, const int n[3], int ghost, int pad, tsr_test_array *a);

/* Free the block (accepts a zeroed array). */
void tsr_test_array_destroy(tsr_test_array *a);

/* Set every element of the block, padding included, to the sentinel. */
void tsr_test_array_reset(tsr_test_array *a);

/* Cells of @p a (owned and ghost) outside @p box that no longer hold the sentinel. */
long tsr_test_array_touched_outside(const tsr_test_array *a, const tsr_box *box);

/* splitmix64: a well-mixed 64-bit hash, for deterministic test data. */
uint64_t tsr_test_mix64(uint64_t x);

/* A deterministic value in [-1, 1) from @p x. */
double tsr_test_unit_value(uint64_t x);

/* Up to @p max boxes (at least 2) of local cells inside an owned extent @p n: the whole tile,
 * its interior, each face slab, a row, a cell, then pseudo-random sub-boxes (a fixed seed).
 * Returns the count. */
int tsr_test_boxes(int dim, const int n[3], tsr_box *boxes, int max);

/* Set the OpenMP threads of later parallel regions (no-op without OpenMP). */
void tsr_test_set_threads(int n);

/* The threads later parallel regions get (1 without OpenMP). */
int tsr_test_threads(void);

#endif
