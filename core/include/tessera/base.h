/**
 * @file base.h
 * @brief Index types, boxes and portability macros shared by every Tessera module.
 *
 * Nothing here knows about MPI. A box is a half-open range of cells [lo, hi) along each of
 * three axes; 2-D problems use axis 2 with one cell (lo = 0, hi = 1), 1-D problems axes 1 and 2.
 */
#ifndef TESSERA_BASE_H
#define TESSERA_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Mark a symbol as part of the public ABI (the libraries build with hidden visibility). */
#if defined(__GNUC__)
#define TSR_EXTERN __attribute__((visibility("default")))
#else
#define TSR_EXTERN
#endif

/** Expand to an OpenMP pragma when OpenMP is on, to nothing otherwise. */
#if defined(_OPENMP)
#define TSR_PRAGMA(x) _Pragma(#x)
#define TSR_OMP(x) TSR_PRAGMA(omp x)
#else
#define TSR_OMP(x)
#endif

/** Global (grid-wide) cell index or count: always 64-bit. */
typedef int64_t tsr_gidx;

/** Maximum number of spatial dimensions. */
#define TSR_MAX_DIM 3

/** Alignment in bytes of all Tessera-allocated arrays (one cache line, one AVX-512 vector). */
#define TSR_ALIGN 64

/** A half-open box of cells: lo[a] <= i[a] < hi[a] on each axis a. */
typedef struct {
  tsr_gidx lo[TSR_MAX_DIM]; /**< first cell on each axis */
  tsr_gidx hi[TSR_MAX_DIM]; /**< one past the last cell on each axis */
} tsr_box;

/** Number of cells of box @p b along axis @p a (0 when empty). */
static inline tsr_gidx tsr_box_extent(const tsr_box *b, int a) {
  return b->hi[a] > b->lo[a] ? b->hi[a] - b->lo[a] : 0;
}

/** Number of cells in box @p b (0 when empty on any axis). */
static inline tsr_gidx tsr_box_volume(const tsr_box *b) {
  return tsr_box_extent(b, 0) * tsr_box_extent(b, 1) * tsr_box_extent(b, 2);
}

/** True when box @p b holds no cell. */
static inline bool tsr_box_is_empty(const tsr_box *b) {
  return tsr_box_volume(b) == 0;
}

/** The intersection of boxes @p a and @p b (possibly empty). */
static inline tsr_box tsr_box_intersect(const tsr_box *a, const tsr_box *b) {
  tsr_box r;
  for (int d = 0; d < TSR_MAX_DIM; d++) {
    r.lo[d] = a->lo[d] > b->lo[d] ? a->lo[d] : b->lo[d];
    r.hi[d] = a->hi[d] < b->hi[d] ? a->hi[d] : b->hi[d];
    if (r.hi[d] < r.lo[d]) r.hi[d] = r.lo[d];
  }
  return r;
}

/** True when cell @p i lies in box @p b. */
static inline bool tsr_box_contains(const tsr_box *b, const tsr_gidx i[TSR_MAX_DIM]) {
  for (int d = 0; d < TSR_MAX_DIM; d++)
    if (i[d] < b->lo[d] || i[d] >= b->hi[d]) return false;
  return true;
}

/** Box @p b moved by @p shift cells along each axis. */
static inline tsr_box tsr_box_shift(const tsr_box *b, const tsr_gidx shift[TSR_MAX_DIM]) {
  tsr_box r = *b;
  for (int d = 0; d < TSR_MAX_DIM; d++) {
    r.lo[d] += shift[d];
    r.hi[d] += shift[d];
  }
  return r;
}

/** Box @p b grown by @p w[a] cells on both sides of each axis a (shrunk when negative). */
static inline tsr_box tsr_box_grow(const tsr_box *b, const int w[TSR_MAX_DIM]) {
  tsr_box r = *b;
  for (int d = 0; d < TSR_MAX_DIM; d++) {
    r.lo[d] -= w[d];
    r.hi[d] += w[d];
    if (r.hi[d] < r.lo[d]) r.hi[d] = r.lo[d];
  }
  return r;
}

/** True when the two boxes hold the same cells (all empty boxes are equal). */
static inline bool tsr_box_equal(const tsr_box *a, const tsr_box *b) {
  if (tsr_box_is_empty(a) || tsr_box_is_empty(b)) return tsr_box_is_empty(a) == tsr_box_is_empty(b);
  for (int d = 0; d < TSR_MAX_DIM; d++)
    if (a->lo[d] != b->lo[d] || a->hi[d] != b->hi[d]) return false;
  return true;
}

/**
 * The 27 directions of a 3-D neighbourhood, numbered dir = (dx+1) + 3*(dy+1) + 9*(dz+1)
 * with dx, dy, dz in {-1, 0, 1}; direction 13 (0,0,0) is the cell itself.
 */
#define TSR_NUM_DIRS 27
#define TSR_DIR_SELF 13

/** Direction number of offset (dx, dy, dz), each in {-1, 0, 1}. */
static inline int tsr_dir_index(int dx, int dy, int dz) {
  return (dx + 1) + 3 * (dy + 1) + 9 * (dz + 1);
}

/** Offset of direction @p dir along axis @p a, in {-1, 0, 1}. */
static inline int tsr_dir_offset(int dir, int a) {
  static const int div[3] = {1, 3, 9};
  return (dir / div[a]) % 3 - 1;
}

/** Direction opposite to @p dir. */
static inline int tsr_dir_opposite(int dir) {
  return TSR_NUM_DIRS - 1 - dir;
}

/** Number of non-zero offsets of @p dir: 1 face, 2 edge, 3 corner, 0 self. */
static inline int tsr_dir_order(int dir) {
  int n = 0;
  for (int a = 0; a < 3; a++)
    n += tsr_dir_offset(dir, a) != 0;
  return n;
}

/** Tessera version, as numbers and as a string. */
#define TSR_VERSION_MAJOR 0
#define TSR_VERSION_MINOR 1
#define TSR_VERSION_PATCH 0
#define TSR_VERSION_STRING "0.1.0"

#ifdef __cplusplus
}
#endif
#endif
