/**
 * @file poisson.h
 * @brief The matrix-free 7-point Poisson operator on a Tessera grid, its vectors, reproducible
 *        global sums, and the status types shared by the solvers (krylov.h, mg.h).
 *
 * The operator is -Laplacian discretised with the 7-point stencil on a vertex-centred grid:
 * the grid's cells are the unknowns (interior nodes), and the nodes on the boundary of the
 * domain hold u = 0, so ghost cells outside the grid are 0:
 *
 *     (A u)(i) = diag u(i) - sum_a (u(i - e_a) + u(i + e_a)) / h_a^2,
 *     diag = sum_a 2 / h_a^2 - shift.
 *
 * With n cells per axis the default spacing is h_a = 1 / (n_a + 1) (the unit cube with N =
 * n + 1 intervals). The shift (default 0) makes A - shift I: indefinite for a large shift,
 * which tests use to check that solvers report breakdown.
 *
 * Vectors are fields with one component and ghost width 1 made by tsr_poisson_create_vector(),
 * which also builds their exchange plan (tsr_poisson_destroy_vector() or the operator's destroy
frees them); their ghosts outside the grid are never written, so
 * they stay 0. Only such vectors may be passed to the operator and the solvers.
 *
 * Reproducible sums: when every rank owns whole planes (process grid 1 x 1 x P, as
 * tsr_poisson_grid_create() makes), dot products are summed per plane in a fixed order and
 * the plane partials are added in global plane order, so every sum (and every solver built on
 * them) gives the same bits on any rank and thread count. With other process grids sums are
 * rank-order dependent (the usual last-bit differences); tsr_poisson_reproducible() tells.
 */
#ifndef TESSERA_KERNELS_POISSON_H
#define TESSERA_KERNELS_POISSON_H

#include "tessera/halo.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of a Poisson operator. */
typedef struct tsr_poisson_s *tsr_poisson;

/** Why an iterative solve stopped. Positive: converged; negative: failed. */
typedef enum {
  TSR_SOLVE_ITERATING = 0,         /**< not finished (never returned) */
  TSR_CONVERGED_RTOL = 1,          /**< |r| <= rtol |b| */
  TSR_CONVERGED_ATOL = 2,          /**< |r| <= atol */
  TSR_DIVERGED_MAX_IT = -1,        /**< max_it iterations without convergence */
  TSR_DIVERGED_INDEFINITE = -2,    /**< p^T A p <= 0: the operator is not positive definite */
  TSR_DIVERGED_INDEFINITE_PC = -3, /**< r^T M r <= 0: the preconditioner is not SPD */
  TSR_DIVERGED_NAN = -4,           /**< a NaN or infinity appeared */
  TSR_DIVERGED_DTOL = -5           /**< |r| grew above dtol |r0| */
} tsr_solve_status;

/** Short name of a status, e.g. "converged (rtol)", "diverged (indefinite operator)". */
TSR_EXTERN const char *tsr_solve_status_name(tsr_solve_status status);

/** Stopping rules and reporting of a solve. */
typedef struct {
  double rtol;    /**< stop when |r|_2 <= rtol |b|_2 (default 1e-8) */
  double atol;    /**< or when |r|_2 <= atol (default 0) */
  double dtol;    /**< fail when |r|_2 > dtol |r0|_2 (default 1e5) */
  int64_t max_it; /**< fail after this many iterations (default 10000) */
  bool monitor;   /**< rank 0 prints "it |r| |r|/|b|" at every iteration */
} tsr_solve_params;

/** The defaults above. */
TSR_EXTERN tsr_solve_params tsr_solve_params_default(void);

/** What a solve did. Every rank holds the same values. */
typedef struct {
  tsr_solve_status status; /**< why it stopped */
  int64_t iterations;      /**< iterations (cycles for multigrid) done */
  double bnorm;            /**< |b|_2 */
  double rnorm0;           /**< |b - A x0|_2 */
  double rnorm;            /**< the last residual norm the method computed */
} tsr_solve_info;

/**
 * Make the grid the solvers want for an n[0] x n[1] x n[2] vertex-centred problem: 3-D, ghost
 * width 1, process grid 1 x 1 x P (or, with fewer planes than ranks, one chosen freely)
 * unless @p procs (may be NULL; entries 0 = choose) says otherwise, set up. Collective.
 * Errors: as tsr_grid_create() and tsr_grid_setup().
 */
TSR_EXTERN tsr_err tsr_poisson_grid_create(tsr_ctx ctx, const tsr_gidx n[3], const int *procs,
                                           tsr_grid *grid);

/**
 * Create the operator on @p grid (3-D, set up, ghost width >= 1). Not collective.
 * Errors: TSR_ERR_ARG (NULL, grid not 3-D), TSR_ERR_STATE (grid not set up).
 */
TSR_EXTERN tsr_err tsr_poisson_create(tsr_grid grid, tsr_poisson *op);

/** Set the spacing per axis (default 1 / (n_a + 1)). Errors: TSR_ERR_ARG (h <= 0), STATE. */
TSR_EXTERN tsr_err tsr_poisson_set_spacing(tsr_poisson op, const double h[3]);

/** Set the shift (A - shift I; default 0). Before setup. Errors: TSR_ERR_STATE. */
TSR_EXTERN tsr_err tsr_poisson_set_shift(tsr_poisson op, double shift);

/** Compute coefficients and the interior/shell split; allocate sum buffers. Idempotent.
 * Not collective. */
TSR_EXTERN tsr_err tsr_poisson_setup(tsr_poisson op);

/** Destroy the operator and the vectors it made; set @p *op to NULL; accepts NULL. */
TSR_EXTERN tsr_err tsr_poisson_destroy(tsr_poisson *op);

/**
 * Create a vector (field "name", 1 component, ghost width 1, zeros) and its exchange plan
 * (box-shaped when @p box_halo, as multigrid transfers need; star otherwise). The operator
 * owns it: tsr_poisson_destroy() destroys it. At most 32 live vectors per operator. Collective
 * (the plan's setup).
 */
TSR_EXTERN tsr_err tsr_poisson_create_vector(tsr_poisson op, const char *name, bool box_halo,
                                             tsr_field *v);

/**
 * Destroy a vector made by tsr_poisson_create_vector() and set @p *v to NULL (accepts NULL).
 * Not collective. Errors: TSR_ERR_ARG (not a vector of @p op).
 */
TSR_EXTERN tsr_err tsr_poisson_destroy_vector(tsr_poisson op, tsr_field *v);

/** y = A x; x's ghosts are exchanged (overlapped with the interior). Collective. */
TSR_EXTERN tsr_err tsr_poisson_apply(tsr_poisson op, tsr_field x, tsr_field y);

/**
 * r = b - A x and |r|_2 into @p rnorm (may be NULL). Collective.
 */
TSR_EXTERN tsr_err tsr_poisson_residual(tsr_poisson op, tsr_field b, tsr_field x, tsr_field r,
                                        double *rnorm);

/** x . y over the grid (reproducible, see above). Collective. */
TSR_EXTERN tsr_err tsr_poisson_dot(tsr_poisson op, tsr_field x, tsr_field y, double *dot);

/** Exchange the ghosts of vector @p v. Collective. */
TSR_EXTERN tsr_err tsr_poisson_exchange(tsr_poisson op, tsr_field v);

/** True when sums are decomposition-independent (whole planes on every rank). */
TSR_EXTERN bool tsr_poisson_reproducible(tsr_poisson op);

/** The grid and spacing of the operator. */
TSR_EXTERN tsr_grid tsr_poisson_grid(tsr_poisson op);
TSR_EXTERN tsr_err tsr_poisson_get_spacing(tsr_poisson op, double h[3]);

#ifdef __cplusplus
}
#endif
#endif
