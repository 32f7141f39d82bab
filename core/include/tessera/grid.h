/**
 * @file grid.h
 * @brief Cartesian decomposition of a global structured grid over the ranks of a context.
 *
 * A grid of n[0] x n[1] x n[2] cells (64-bit sizes; a 2-D grid has n[2] = 1, a 1-D grid
 * n[1] = n[2] = 1) is split over a process grid p[0] x p[1] x p[2] whose product is the number
 * of ranks. Along each axis the n cells are split into p tiles of n/p or n/p + 1 cells, the
 * larger ones first. Rank r sits at process coordinates c with
 * r = c[0] + p[0] * (c[1] + p[1] * c[2]) (axis 0 fastest, like the cell layout).
 *
 * Lifecycle: create -> set_* / set_from_options -> setup -> queries -> destroy.
 */
#ifndef TESSERA_GRID_H
#define TESSERA_GRID_H

#include "tessera/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of a distributed grid. */
typedef struct tsr_grid_s *tsr_grid;

/** Everything a program usually wants to know about a set-up grid, in one plain struct. */
typedef struct {
  int dim;                        /**< 1, 2 or 3 */
  tsr_gidx n[TSR_MAX_DIM];        /**< global cells per axis (1 on unused axes) */
  bool periodic[TSR_MAX_DIM];     /**< periodicity per axis */
  int procs[TSR_MAX_DIM];         /**< process grid (1 on unused axes) */
  int coords[TSR_MAX_DIM];        /**< this rank's process coordinates */
  int rank;                       /**< this rank */
  int size;                       /**< number of ranks */
  int ghost_width;                /**< largest ghost width fields on this grid may use */
  tsr_box owned;                  /**< cells this rank owns, in global indices */
  tsr_gidx tile_min[TSR_MAX_DIM]; /**< smallest tile extent per axis over all ranks */
  tsr_gidx tile_max[TSR_MAX_DIM]; /**< largest tile extent per axis over all ranks */
} tsr_grid_info;

/**
 * Create a grid of @p dim dimensions with @p n cells per axis (entries beyond @p dim are
 * ignored and taken as 1). Not collective until setup.
 * Errors: TSR_ERR_ARG for dim outside 1..3 or a size below 1.
 */
TSR_EXTERN tsr_err tsr_grid_create(tsr_ctx ctx, int dim, const tsr_gidx n[], tsr_grid *grid);

/** Destroy the grid and set @p *grid to NULL; accepts NULL. Not collective (frees memory only). */
TSR_EXTERN tsr_err tsr_grid_destroy(tsr_grid *grid);

/** Set periodicity per axis (default: none). */
TSR_EXTERN tsr_err tsr_grid_set_periodic(tsr_grid grid, const bool periodic[]);

/**
 * Set the process grid (0 on an axis means "choose"); default all 0. The chosen process grid
 * minimises the total tile surface (the bytes a halo exchange moves) over all factorisations
 * of the rank count, splitting only axes below dim. Factorisations whose tiles are all at
 * least as wide as the ghost width come first, then those with no empty tile; ties go to more
 * tiles on the outer axes (axis 2, then 1), which keeps rows long. Entries on axes at or
 * beyond dim must be 0 or 1 (checked at setup). Errors: TSR_ERR_ARG for a negative entry,
 * TSR_ERR_STATE after setup (likewise for the other setters).
 */
TSR_EXTERN tsr_err tsr_grid_set_procs(tsr_grid grid, const int procs[]);

/**
 * Set the largest ghost width fields on this grid will use (default 1). Setup refuses a
 * decomposition where a tile is thinner than this on any axis below dim.
 */
TSR_EXTERN tsr_err tsr_grid_set_ghost_width(tsr_grid grid, int width);

/**
 * Read `--grid NxMxK` (size; its count of numbers sets dim unless `--dim` is given; one
 * number with a larger `--dim` means a cube), `--dim D`, `--procs PxQxR` (missing entries
 * are 0, "choose") and `--periodic V` (V a bool for all axes such as true/false, or a list
 * of 0/1 flags like 1,0,1; a value is required) from the context's options, overriding what
 * was set before. Not collective.
 * Errors: TSR_ERR_OPTION for malformed values or a `--grid` count that matches neither 1 nor
 * `--dim`.
 */
TSR_EXTERN tsr_err tsr_grid_set_from_options(tsr_grid grid);

/**
 * Decompose. Collective (but communicates nothing: every rank computes the same answer);
 * idempotent.
 * Errors (collective, TSR_ERR_DECOMP), each naming the offending numbers: a process grid
 * whose product is not the rank count (or whose fixed entries do not divide it), a process
 * grid larger than the cells on an axis (a tile with no cells), a tile thinner than the ghost
 * width. TSR_ERR_ARG: process grid entries other than 0 or 1 on axes at or beyond dim.
 */
TSR_EXTERN tsr_err tsr_grid_setup(tsr_grid grid);

/** Fill @p info. Not collective. Errors: TSR_ERR_STATE before setup. */
TSR_EXTERN tsr_err tsr_grid_get_info(tsr_grid grid, tsr_grid_info *info);

/** The context the grid lives in. */
TSR_EXTERN tsr_ctx tsr_grid_ctx(tsr_grid grid);

/**
 * Box owned by rank @p rank (any rank, computed locally). Not collective.
 * Errors: TSR_ERR_STATE before setup; TSR_ERR_ARG (rank-local) for a rank out of range.
 */
TSR_EXTERN tsr_err tsr_grid_rank_box(tsr_grid grid, int rank, tsr_box *box);

/** Process coordinates of rank @p rank. Not collective. */
TSR_EXTERN tsr_err tsr_grid_rank_coords(tsr_grid grid, int rank, int coords[TSR_MAX_DIM]);

/**
 * Neighbour rank in direction @p dir (see tsr_dir_index() in base.h), following periodic
 * wrap-around; -1 where the domain ends. The neighbour may be this rank itself (periodic axis
 * with one tile). Not collective.
 */
TSR_EXTERN tsr_err tsr_grid_neighbor(tsr_grid grid, int dir, int *rank);

/**
 * Rank owning global cell @p idx (each entry in [0, n[a])), by arithmetic (O(1)). Not
 * collective. Errors: TSR_ERR_ARG (rank-local) when @p idx lies outside the grid.
 */
TSR_EXTERN tsr_err tsr_grid_owner(tsr_grid grid, const tsr_gidx idx[TSR_MAX_DIM], int *rank);

#ifdef __cplusplus
}
#endif
#endif
