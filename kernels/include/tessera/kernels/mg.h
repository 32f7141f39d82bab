/**
 * @file mg.h
 * @brief Geometric multigrid for the vertex-centred Poisson operator: V, F and W cycles,
 *        weighted Jacobi or Chebyshev smoothing, full-weighting restriction, trilinear
 *        prolongation, coarse levels gathered onto every rank, usable as a solver or as a
 *        CG preconditioner (krylov.h).
 *
 * Hierarchy: level 0 has n cells per axis (N = n + 1 intervals); level l + 1 has N/2 - 1 cells
 * per axis and twice the spacing, as long as N is even at level l, the coarse grid has a cell,
 * and the level count stays within tsr_mg_set_levels(). The coarse operator is the same
 * 7-point operator rediscretised (with the restriction's weights summing to 1 this equals the
 * Galerkin operator up to the stencil's shape, and keeps every level matrix-free).
 *
 * Distribution: a coarse level lives on its own Tessera grid with the fine grid's process
 * grid while that grid nests in the fine one (each rank's coarse cells are exactly those whose
 * fine node 2I+1 it owns: true for power-of-two N and process grids), its tiles have at least
 * 2 cells per axis and it has more than tsr_mg_set_gather_size() cells per axis. Below that,
 * the level's right-hand side is gathered onto every rank (MPI_Allgatherv) and the rest of the
 * cycle runs redundantly on every rank with the same kernels, so no scatter is needed: each
 * rank prolongates from its own full copy. The coarsest level is solved by Chebyshev
 * iteration over its exact eigenvalue interval to a 1e-10 reduction (one Jacobi step when it
 * has one cell), a fixed polynomial, so the cycle stays a fixed symmetric linear operator.
 *
 * Determinism: smoothing, residuals and transfers are pointwise with a fixed evaluation order,
 * and the gathered levels repeat the same arithmetic, so a cycle gives the same bits on any
 * rank count, process grid and thread count, wherever the gathering happens. The solver's
 * residual norms use the operator's sums (reproducible on slab decompositions, poisson.h).
 *
 * Smoothers (with D the diagonal; eigenvalues of D^-1 A are known exactly on every level):
 *  - weighted Jacobi x += omega D^-1 (b - A x), omega = 6/7 (best for the 7-point stencil);
 *  - Chebyshev of the given degree over [lmax / 8, lmax] (covering the high-frequency part
 *    of the spectrum of D^-1 A), a three-term recurrence on the two smoothing buffers.
 * The first step of a zero initial guess reads only b. When multigrid is the solver, the
 * residual norm of each cycle's input comes out of its first smoothing step (no extra pass).
 */
#ifndef TESSERA_KERNELS_MG_H
#define TESSERA_KERNELS_MG_H

#include "tessera/kernels/poisson.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of a multigrid hierarchy. */
typedef struct tsr_mg_s *tsr_mg;

/** Cycle shape. */
typedef enum {
  TSR_MG_V = 0, /**< V-cycle: one coarse visit per level */
  TSR_MG_F = 1, /**< F-cycle: an F-cycle then a V-cycle on the coarse level */
  TSR_MG_W = 2  /**< W-cycle: two coarse visits per level */
} tsr_mg_cycle;

/** Smoother. */
typedef enum {
  TSR_MG_JACOBI = 0,   /**< weighted Jacobi, omega = 6/7 */
  TSR_MG_CHEBYSHEV = 1 /**< Chebyshev over [lmax/8, lmax] of D^-1 A */
} tsr_mg_smoother;

/** One level, for reports and tests. */
typedef struct {
  tsr_gidx n;       /**< cells per axis */
  bool distributed; /**< on a Tessera grid over the ranks (else gathered onto every rank) */
} tsr_mg_level_info;

/** Create a hierarchy on @p op (set up; level 0). Not collective. */
TSR_EXTERN tsr_err tsr_mg_create(tsr_poisson op, tsr_mg *mg);

/** Destroy the hierarchy (not @p op, which must still exist) and set @p *mg to NULL; accepts
 * NULL. Not collective. */
TSR_EXTERN tsr_err tsr_mg_destroy(tsr_mg *mg);

/** Cycle (default V). Before setup. Errors: TSR_ERR_ARG, TSR_ERR_STATE. */
TSR_EXTERN tsr_err tsr_mg_set_cycle(tsr_mg mg, tsr_mg_cycle cycle);

/**
 * Smoother and its steps before and after the coarse correction (default Chebyshev, 2 and 2;
 * each 0..20, pre + post >= 1). Before setup. Errors: TSR_ERR_ARG, TSR_ERR_STATE.
 */
TSR_EXTERN tsr_err tsr_mg_set_smoother(tsr_mg mg, tsr_mg_smoother smoother, int pre, int post);

/** Most levels (default 0: as many as the grid allows; 1 = smoother only). Before setup. */
TSR_EXTERN tsr_err tsr_mg_set_levels(tsr_mg mg, int max_levels);

/**
 * Gather levels with at most @p n cells per axis onto every rank (default 15). Levels whose
 * grids would not nest or would have tiles thinner than 2 cells are gathered regardless.
 * Before setup. Errors: TSR_ERR_ARG (n < 0), TSR_ERR_STATE.
 */
TSR_EXTERN tsr_err tsr_mg_set_gather_size(tsr_mg mg, tsr_gidx n);

/** Stopping rules and monitor when multigrid is the solver (tsr_mg_solve()). */
TSR_EXTERN tsr_err tsr_mg_set_params(tsr_mg mg, const tsr_solve_params *params);

/** Build the levels, grids, vectors and gather plans. Collective; idempotent. */
TSR_EXTERN tsr_err tsr_mg_setup(tsr_mg mg);

/**
 * One cycle with a zero initial guess: z = M r (the preconditioner). @p r and @p z are vectors
 * of the fine operator (z made with a box halo), distinct. Collective.
 */
TSR_EXTERN tsr_err tsr_mg_apply(tsr_mg mg, tsr_field r, tsr_field z);

/**
 * Solve A x = b by cycles from the initial guess in @p x (a vector of the fine operator made
 * with a box halo); @p info as for tsr_krylov_solve() (iterations are cycles). Collective.
 */
TSR_EXTERN tsr_err tsr_mg_solve(tsr_mg mg, tsr_field b, tsr_field x, tsr_solve_info *info);

/** Number of levels and, in @p levels (up to @p max entries; may be NULL), each level. */
TSR_EXTERN tsr_err tsr_mg_get_levels(tsr_mg mg, tsr_mg_level_info *levels, int max, int *nlevels);

/** The fine operator. */
TSR_EXTERN tsr_poisson tsr_mg_operator(tsr_mg mg);

/** Short names: "v", "f", "w"; "jacobi", "chebyshev". */
TSR_EXTERN const char *tsr_mg_cycle_name(tsr_mg_cycle cycle);
TSR_EXTERN const char *tsr_mg_smoother_name(tsr_mg_smoother smoother);

#ifdef __cplusplus
}
#endif
#endif
