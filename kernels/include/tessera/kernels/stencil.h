/**
 * @file stencil.h
 * @brief Node-local stencil kernels: constant-coefficient stencils (Laplacians, star stencils
 *        of any radius, general offset/weight tables), the variable-coefficient diffusion
 *        operator -div(k grad u), and the explicit heat (diffusion) update.
 *
 * Kernels never communicate and hold no handles: they read and write tsr_view windows of
 * fields over a box of local cell indices. The caller fills the ghosts first (halo exchange,
 * tsr_field_fill_boundary()), or restricts the box to cells whose stencil needs no ghost.
 *
 * Every optimised kernel has a `_ref` twin written with plain loops. Both evaluate the same
 * arithmetic in the same order, so they agree bit for bit on any box and thread count; the
 * test suite checks that they do. (The kernels library is built with -ffp-contract=off, so
 * no fused multiply-add changes a rounding.)
 *
 * Common rules for every kernel below:
 * - @p box is in local indices and must lie inside the owned cells of the output view; the
 *   cells it reads (box grown by the stencil's reach) must lie inside the input views' owned
 *   cells and ghosts and hold valid values. An empty box does nothing (and writes nothing).
 * - Input and output views must have the same owned extents n[]; strides may differ. The
 *   output must not overlap the memory read through an input (TSR_ERR_ARG), except where a
 *   function says otherwise.
 * - Threads: each call opens ONE OpenMP parallel region (call it outside one) with a static
 *   schedule over the outermost axis along which the box has more than one cell (the order in
 *   which tsr_field_setup() first touches storage), blocked along axis 1 when the planes a
 *   thread sweeps do not fit in cache, with branch-free vectorised loops along axis 0. Output
 *   is written with non-temporal (streaming) stores on request (tsr_stream_mode).
 *   Not collective; no MPI.
 * - Errors are rank-local, TSR_ERR_ARG: NULL arguments, a malformed stencil, a box outside
 *   the owned cells, an input whose ghost width is narrower than the stencil's reach on an
 *   axis, mismatched extents, overlapping input and output storage.
 */
#ifndef TESSERA_KERNELS_STENCIL_H
#define TESSERA_KERNELS_STENCIL_H

#include "tessera/field.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Whether a kernel writes its output with non-temporal (streaming, cache-bypassing) stores.
 * They save the read-for-ownership of output lines when the output will not be read again
 * from cache, and hurt when it would. Results are the same bits either way.
 *
 * TSR_STREAM_AUTO currently means plain stores: on the development machine (AMD EPYC, Zen 5,
 * 2-core VM) streaming measured 25-40% slower than plain stores for these sweeps even on
 * outputs far larger than cache (256^3, 8192^2), while a bare streaming copy gained ~10%.
 * Ask for TSR_STREAM_ON where it pays (measure with examples/bench).
 */
typedef enum {
  TSR_STREAM_AUTO = 0, /**< the kernel's choice (today: plain stores, see above) */
  TSR_STREAM_ON = 1,   /**< always stream (where the CPU has streaming stores) */
  TSR_STREAM_OFF = 2   /**< never stream */
} tsr_stream_mode;

/* ---------------------------------------------------------------------------------------- */
/* Explicit heat update                                                                      */
/* ---------------------------------------------------------------------------------------- */

/**
 * Coefficients of the explicit heat update along each axis: for diffusivity kappa, time step
 * dt and cell width h[a], c[a] = kappa * dt / h[a]^2.
 */
typedef struct {
  int dim;                /**< axes 0 .. dim-1 get a second difference (1, 2 or 3) */
  double c[TSR_MAX_DIM];  /**< coefficient of the second difference along each axis */
  tsr_stream_mode stream; /**< streaming stores for the output (zero-initialised: automatic) */
} tsr_heat_coef;

/**
 * One forward-Euler step of u_t = kappa Laplacian(u) on the cells of @p box:
 *
 *     out(x) = u(x) + sum over a < dim of c[a] * ((u(x - e_a) - 2 u(x)) + u(x + e_a)),
 *
 * summed left to right from a = 0: the 3-point stencil in 1-D, 5-point in 2-D, 7-point in
 * 3-D. Reach (ghosts needed in @p u): 1 on each axis below dim. @p u and @p out must not
 * share storage. Threads and errors: see the file comment (also: dim outside 1..3).
 */
TSR_EXTERN tsr_err tsr_stencil_heat(const tsr_view *u, const tsr_view *out,
                                    const tsr_heat_coef *coef, const tsr_box *box);

/**
 * Reference twin of tsr_stencil_heat(): plain serial loops, a loop over axes in the cell
 * update. Same arguments, same results bit for bit, same errors.
 */
TSR_EXTERN tsr_err tsr_stencil_heat_ref(const tsr_view *u, const tsr_view *out,
                                        const tsr_heat_coef *coef, const tsr_box *box);

/* ---------------------------------------------------------------------------------------- */
/* Constant-coefficient stencils                                                             */
/* ---------------------------------------------------------------------------------------- */

/** Most points a tsr_stencil table holds (a full 5x5x5 box fits). */
#define TSR_STENCIL_MAX_POINTS 125

/** Largest offset along any axis a tsr_stencil may have (star radius up to this). */
#define TSR_STENCIL_MAX_RADIUS 8

/**
 * A constant-coefficient stencil: a table of (offset, weight) points. Applied at cell x it
 * gives
 *
 *     (A u)(x) = (...((w[0] u(x + o[0]) + w[1] u(x + o[1])) + w[2] u(x + o[2])) + ...)
 *
 * summed in table order, left to right (this order defines the bits of every result; the
 * optimised kernels keep it). A plain struct with no allocation: build it with
 * tsr_stencil_init() or a named constructor, copy it freely, then optionally change
 * `stream`. Fields other than `stream` are set by the constructors; do not edit them by hand
 * (the kernels re-check them and refuse an inconsistent table).
 */
typedef struct {
  int dim;                                         /**< 1, 2 or 3; offsets on axes >= dim are 0 */
  int npoints;                                     /**< table length, 1..TSR_STENCIL_MAX_POINTS */
  int offset[TSR_STENCIL_MAX_POINTS][TSR_MAX_DIM]; /**< cell offsets (i, j, k) of each point */
  double weight[TSR_STENCIL_MAX_POINTS];           /**< weight of each point */
  int reach[TSR_MAX_DIM]; /**< ghosts needed per axis: largest |offset| along it */
  tsr_stream_mode stream; /**< streaming stores for the output (default automatic) */
} tsr_stencil;

/**
 * Build a stencil from a table of @p npoints offsets (@p offsets[p][a], |offset| at most
 * TSR_STENCIL_MAX_RADIUS, 0 on axes >= dim) and @p weights, kept in the given order.
 * Errors: TSR_ERR_ARG (NULL, dim outside 1..3, npoints outside 1..TSR_STENCIL_MAX_POINTS,
 * an offset out of range or on an axis >= dim). Duplicated offsets are allowed.
 */
TSR_EXTERN tsr_err tsr_stencil_init(int dim, int npoints, const int offsets[][TSR_MAX_DIM],
                                    const double *weights, tsr_stencil *s);

/**
 * The standard second-order Laplacian on a grid of cell widths @p h[0..dim-1]:
 * dim 1 with @p npoints 3, dim 2 with 5 or 9, dim 3 with 7 or 27.
 *
 * - 3, 5, 7 points: sum over a < dim of (u(x - e_a) - 2 u(x) + u(x + e_a)) / h[a]^2. Table
 *   order: centre (weight -2 sum 1/h[a]^2), then for a = 0, 1, 2 the points -e_a and +e_a.
 * - 9 points (2-D compact, "Mehrstellen"): D0 (x) M1 + D1 (x) M0, where D_a is the 1-D second
 *   difference [1 -2 1] / h[a]^2 along a and M_b the average [1 10 1] / 12 along b; for
 *   h[0] = h[1] = h the weights are [1 4 1; 4 -20 4; 1 4 1] / (6 h^2).
 * - 27 points (3-D compact): D0 (x) M1 (x) M2 + M0 (x) D1 (x) M2 + M0 (x) M1 (x) D2.
 * - 9 and 27 points: table order k, j, i ascending (offset -1 first), i fastest.
 *
 * All are exact (up to rounding) on quadratic polynomials. The result is the Laplacian (a
 * negative semi-definite operator); for the positive operator -Laplacian, call
 * tsr_stencil_scale(s, -1.0). Errors: TSR_ERR_ARG (NULL, other dim/npoints pairs, h <= 0).
 */
TSR_EXTERN tsr_err tsr_stencil_laplacian(int dim, int npoints, const double h[], tsr_stencil *s);

/**
 * The star Laplacian of radius @p radius (1..TSR_STENCIL_MAX_RADIUS), of order 2 radius:
 * along each axis a < dim the central second difference of order 2r,
 *
 *     c_0 = -2 sum_{d=1..r} c_d,  c_d = 2 (-1)^(d+1) (r!)^2 / (d^2 (r-d)! (r+d)!),
 *
 * divided by h[a]^2 (r = 1: [1 -2 1]; r = 2: [-1/12 4/3 -5/2 4/3 -1/12]; ...). It reproduces
 * the Laplacian of a polynomial of degree up to 2r+1 (up to rounding). Reach r on axes < dim.
 * Table order: centre, then for a = 0..dim-1 and d = 1..r the points -d e_a and +d e_a.
 * Errors: TSR_ERR_ARG (NULL, dim outside 1..3, radius out of range, h <= 0).
 */
TSR_EXTERN tsr_err tsr_stencil_laplacian_star(int dim, int radius, const double h[],
                                              tsr_stencil *s);

/**
 * A general star stencil of radius @p radius: along each axis a < dim, weights
 * @p w[a * (2 radius + 1) + m] for offset (m - radius) e_a, m = 0..2 radius. The centre
 * point gets the sum of the dim centre entries (added from a = 0 up). Table order as for
 * tsr_stencil_laplacian_star(). Errors: TSR_ERR_ARG (NULL, dim or radius out of range).
 */
TSR_EXTERN tsr_err tsr_stencil_star(int dim, int radius, const double *w, tsr_stencil *s);

/** Multiply every weight of @p s by @p alpha (e.g. -1 for -Laplacian). Errors: NULL. */
TSR_EXTERN tsr_err tsr_stencil_scale(tsr_stencil *s, double alpha);

/**
 * Operator application y = A x on the cells of @p box: out(x) = (A in)(x) as defined for
 * tsr_stencil. Reach: s->reach[a] ghosts of @p in on each axis. Fast paths (chosen at run
 * time from the table length; all keep the table's order) unroll tables of 3, 5, 7, 9, 13,
 * 17, 19, 25 and 27 points; other lengths use a row-accumulating vectorised loop.
 * Threads and errors: see the file comment.
 */
TSR_EXTERN tsr_err tsr_stencil_apply(const tsr_stencil *s, const tsr_view *in, const tsr_view *out,
                                     const tsr_box *box);

/**
 * Update form for explicit time stepping: out(x) = in(x) + scale * (A in)(x), with (A in)(x)
 * rounded as in tsr_stencil_apply() before the product. @p in and @p out must not overlap.
 */
TSR_EXTERN tsr_err tsr_stencil_update(const tsr_stencil *s, double scale, const tsr_view *in,
                                      const tsr_view *out, const tsr_box *box);

/**
 * Residual form for solvers: r(x) = b(x) - (A x)(x). @p b needs no ghosts; @p r may be the
 * very same view as @p b (same data and strides: computed in place), but must not overlap
 * @p x.
 */
TSR_EXTERN tsr_err tsr_stencil_residual(const tsr_stencil *s, const tsr_view *b, const tsr_view *x,
                                        const tsr_view *r, const tsr_box *box);

/** Reference twins: plain serial loops, same arguments, same bits, same errors. */
TSR_EXTERN tsr_err tsr_stencil_apply_ref(const tsr_stencil *s, const tsr_view *in,
                                         const tsr_view *out, const tsr_box *box);
/** Reference twin of tsr_stencil_update(). */
TSR_EXTERN tsr_err tsr_stencil_update_ref(const tsr_stencil *s, double scale, const tsr_view *in,
                                          const tsr_view *out, const tsr_box *box);
/** Reference twin of tsr_stencil_residual(). */
TSR_EXTERN tsr_err tsr_stencil_residual_ref(const tsr_stencil *s, const tsr_view *b,
                                            const tsr_view *x, const tsr_view *r,
                                            const tsr_box *box);

/* ---------------------------------------------------------------------------------------- */
/* Variable-coefficient diffusion -div(k grad u)                                             */
/* ---------------------------------------------------------------------------------------- */

/** Parameters of the variable-coefficient diffusion operator. */
typedef struct {
  int dim;                /**< 2 (5-point) or 3 (7-point); 1 (3-point) also works */
  double h[TSR_MAX_DIM];  /**< cell widths along axes 0..dim-1, > 0 */
  tsr_stream_mode stream; /**< streaming stores for the output (zero-initialised: automatic) */
} tsr_diffusion;

/**
 * The cell-centred finite-volume operator A u = -div(k grad u) with a cell coefficient k > 0:
 *
 *     (A u)(x) = sum over a < dim of  ( kf(x, x-e_a) (u(x) - u(x-e_a))
 *                                     + kf(x, x+e_a) (u(x) - u(x+e_a)) ) * (1 / h[a]^2),
 *
 * with the HARMONIC mean face coefficient kf(x, y) = (2 k(x) k(y)) / (k(x) + k(y)) (the
 * exact flux for a coefficient jumping at the face; symmetric, so A is symmetric positive
 * semi-definite). Evaluation order: the parentheses above, axes from a = 0, the first
 * axis's term is the initial value of the sum. Reach 1: @p k and @p in need 1 ghost on each
 * axis below dim (fill k's ghosts like any field; at a physical boundary a Neumann-0 mirror
 * of k gives kf = k on the boundary face). k must be positive where it is read (k = 0 on
 * both sides of a face gives NaN).
 */
TSR_EXTERN tsr_err tsr_diffusion_apply(const tsr_diffusion *d, const tsr_view *k,
                                       const tsr_view *in, const tsr_view *out, const tsr_box *box);

/** Residual form r = b - A x of tsr_diffusion_apply(); @p r may be the same view as @p b. */
TSR_EXTERN tsr_err tsr_diffusion_residual(const tsr_diffusion *d, const tsr_view *k,
                                          const tsr_view *b, const tsr_view *x, const tsr_view *r,
                                          const tsr_box *box);

/** Reference twin of tsr_diffusion_apply(). */
TSR_EXTERN tsr_err tsr_diffusion_apply_ref(const tsr_diffusion *d, const tsr_view *k,
                                           const tsr_view *in, const tsr_view *out,
                                           const tsr_box *box);
/** Reference twin of tsr_diffusion_residual(). */
TSR_EXTERN tsr_err tsr_diffusion_residual_ref(const tsr_diffusion *d, const tsr_view *k,
                                              const tsr_view *b, const tsr_view *x,
                                              const tsr_view *r, const tsr_box *box);

#ifdef __cplusplus
}
#endif
#endif
