/**
 * @file stencil.h
 * @brief Node-local stencil kernels: the explicit heat (diffusion) update.
 *
 * Kernels never communicate and hold no handles: they read and write tsr_view windows of
 * fields over a box of local cell indices. The caller fills the ghosts first (halo exchange,
 * tsr_field_fill_boundary()), or restricts the box to cells whose stencil needs no ghost.
 *
 * Every optimised kernel has a `_ref` twin written with plain loops. Both evaluate the same
 * arithmetic in the same order, so they agree bit for bit on any box and thread count; the
 * test suite checks that they do.
 */
#ifndef TESSERA_KERNELS_STENCIL_H
#define TESSERA_KERNELS_STENCIL_H

#include "tessera/field.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Coefficients of the explicit heat update along each axis: for diffusivity kappa, time step
 * dt and cell width h[a], c[a] = kappa * dt / h[a]^2.
 */
typedef struct {
  int dim;               /**< axes 0 .. dim-1 get a second difference (1, 2 or 3) */
  double c[TSR_MAX_DIM]; /**< coefficient of the second difference along each axis */
} tsr_heat_coef;

/**
 * One forward-Euler step of u_t = kappa Laplacian(u) on the cells of @p box:
 *
 *     out(x) = u(x) + sum over a < dim of c[a] * ((u(x - e_a) - 2 u(x)) + u(x + e_a)),
 *
 * summed left to right from a = 0: the 3-point stencil in 1-D, 5-point in 2-D, 7-point in
 * 3-D. @p box is in local indices and must lie inside the owned cells of @p out; the cells it
 * reads (box grown by one along each axis below dim) must lie inside @p u's owned cells and
 * ghosts and hold valid values. @p u and @p out must have the same owned extents and must not
 * share storage; their strides may differ. An empty box does nothing.
 *
 * Threads: opens its own OpenMP parallel region (call it outside one), with a static schedule
 * over the outermost axis along which the box has more than one cell (the order in which
 * field storage is first touched) and a vectorised loop along axis 0. Not collective.
 *
 * Errors (rank-local, TSR_ERR_ARG): NULL arguments, dim outside 1..3, a box outside the owned
 * cells, u without a ghost layer on an axis below dim, mismatched extents, aliased storage.
 */
TSR_EXTERN tsr_err tsr_stencil_heat(const tsr_view *u, const tsr_view *out,
                                    const tsr_heat_coef *coef, const tsr_box *box);

/**
 * Reference twin of tsr_stencil_heat(): plain serial loops, a loop over axes in the cell
 * update. Same arguments, same results bit for bit, same errors.
 */
TSR_EXTERN tsr_err tsr_stencil_heat_ref(const tsr_view *u, const tsr_view *out,
                                        const tsr_heat_coef *coef, const tsr_box *box);

#ifdef __cplusplus
}
#endif
#endif
