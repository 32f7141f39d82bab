/* Private body of tsr_grid, shared by grid.c, field.c and halo.c. */
#ifndef TESSERA_GRID_IMPL_H
#define TESSERA_GRID_IMPL_H

#include "tessera/grid.h"

struct tsr_grid_s {
  tsr_ctx ctx;   /* the context the grid lives in */
  MPI_Comm comm; /* borrowed from the context (never freed here) */
  int rank;      /* this rank in comm */
  int size;      /* ranks in comm */

  /* Settings (create / set_* / set_from_options). */
  int dim;                    /* 1, 2 or 3 */
  tsr_gidx n[TSR_MAX_DIM];    /* global cells per axis; 1 on axes >= dim after setup */
  bool periodic[TSR_MAX_DIM]; /* per axis; forced false on axes >= dim at setup */
  int procs_req[TSR_MAX_DIM]; /* process grid asked for, 0 = choose */
  int ghost_width;            /* widest ghost a field on this grid may use */
  bool is_setup;

  /* Decomposition (valid once is_setup). */
  int procs[TSR_MAX_DIM];         /* process grid, 1 on axes >= dim */
  int coords[TSR_MAX_DIM];        /* this rank's process coordinates */
  tsr_box owned;                  /* this rank's cells, global indices */
  int neighbors[TSR_NUM_DIRS];    /* rank in each direction, -1 outside the domain */
  tsr_gidx tile_min[TSR_MAX_DIM]; /* smallest tile extent per axis */
  tsr_gidx tile_max[TSR_MAX_DIM]; /* largest tile extent per axis */
};

/* First cell of tile @p t when @p n cells are split into @p p tiles, larger tiles first:
 * tile t has n/p cells, plus one for the first n%p tiles. t == p gives n. */
static inline tsr_gidx tsr_grid_tile_start(tsr_gidx n, int p, int t) {
  tsr_gidx q = n / p, r = n % p;
  return (tsr_gidx)t * q + (t < r ? (tsr_gidx)t : r);
}

/* Tile holding cell @p i (0 <= i < n) under the same split; O(1). Needs n >= p. */
static inline int tsr_grid_tile_of(tsr_gidx n, int p, tsr_gidx i) {
  tsr_gidx q = n / p, r = n % p;
  tsr_gidx big = r * (q + 1); /* cells covered by the r larger tiles */
  return (int)(i < big ? i / (q + 1) : r + (i - big) / q);
}

/* Rank at process coordinates @p c (each in [0, procs[a])). */
static inline int tsr_grid_coords_rank(const struct tsr_grid_s *g, const int c[TSR_MAX_DIM]) {
  return c[0] + g->procs[0] * (c[1] + g->procs[1] * c[2]);
}

#endif
