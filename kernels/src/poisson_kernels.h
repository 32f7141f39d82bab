/* Node-local kernels of the Poisson solvers (private to libtessera-kernels).
 *
 * The operator is the constant-coefficient 7-point one,
 *
 *     (A u)(i) = diag u(i) - (off[0] (u(i-e0) + u(i+e0)) + off[1] (...) + off[2] (...)),
 *
 * evaluated in exactly this order by every kernel (pk_apply_cell), and the files are built
 * with -ffp-contract=off, so a cell's value never depends on the box, thread or rank that
 * computed it. Ghost cells outside the domain hold 0 (homogeneous Dirichlet values on the
 * vertex-centred grid); the caller fills ghosts between tiles.
 *
 * Sums: kernels that return dot products add one partial per plane k of their box into
 * partial[k * m + c] (local k, m sums per plane, c the sum). A plane's partial is the sum of
 * its row sums in j order; a row sum is the sum of eight lanes (element i goes to lane i % 8,
 * counted from the box's first i) combined in a fixed tree. With rows that start at global
 * i = 0 on every rank, plane partials are therefore identical on any decomposition into
 * slabs and any thread count. The kernels open their own OpenMP region, static over k.
 */
#ifndef TESSERA_POISSON_KERNELS_H
#define TESSERA_POISSON_KERNELS_H

#include "tessera/field.h"

/** Coefficients of the 7-point operator. */
typedef struct {
  double diag;     /**< diagonal */
  double off[3];   /**< coupling to each of the two neighbours along axis a */
  double inv_diag; /**< 1 / diag */
} pk_coef;

/* y = A x over box; pdot (may be NULL) gets x.y; with r given (may be NULL) also r.x and r.r:
 * m = 1 without r, 3 with r (order: x.y, r.x, r.r). */
void pk_apply(const pk_coef *c, const tsr_view *x, const tsr_view *y, const tsr_view *r,
              const tsr_box *box, double *partial);

/* r = b - A x over box; prr (may be NULL) gets r.r (m = 1). */
void pk_residual(const pk_coef *c, const tsr_view *b, const tsr_view *x, const tsr_view *r,
                 const tsr_box *box, double *prr);

/* One smoothing step out = (x + beta (x - xp)) + alpha D^-1 (b - A x) over box. x NULL means
 * x = 0 and xp = 0 (out = alpha D^-1 b); xp NULL means xp = 0. out may be the storage of xp
 * (a cell is read before it is written) but not of x or b. prr (may be NULL) gets
 * |b - A x|^2 (m = 1). */
void pk_smooth(const pk_coef *c, const tsr_view *b, const tsr_view *x, const tsr_view *xp,
               const tsr_view *out, double alpha, double beta, const tsr_box *box, double *prr);

/* Full-weighting restriction: bc(I) = sum over the 27 fine cells around fine 2I+1 with
 * weights (1/4, 1/2, 1/4) per axis, for coarse cells in cbox (local to bc). rf's ghosts must
 * be valid; the fine cells read must lie in rf's owned cells and ghosts. */
void pk_restrict(const tsr_view *rf, const tsr_view *bc, const tsr_box *cbox);

/* Trilinear prolongation added to the fine cells of fbox (local to xf): xf += P xc. xc's
 * ghosts must be valid. */
void pk_prolong_add(const tsr_view *xc, const tsr_view *xf, const tsr_box *fbox);

/* The vector updates of CG (Chronopoulos-Gear) over box:
 *   p = u + beta p; s = w + beta s; x += alpha p; r -= alpha s;
 * then, with inv_diag > 0 (Jacobi), u = inv_diag r and partials r.u, r.r (m = 2); with
 * inv_diag == 0, u is left alone and only r.r is summed (m = 2, r.u slot 0). */
void pk_cg_update(const tsr_view *u, const tsr_view *w, const tsr_view *p, const tsr_view *s,
                  const tsr_view *x, const tsr_view *r, double alpha, double beta, double inv_diag,
                  const tsr_box *box, double *partial);

/* Pipelined CG (Ghysels-Vanroose) updates over box:
 *   z = n + beta z; q = m + beta q; s = w + beta s; p = u + beta p;
 *   x += alpha p; r -= alpha s; u -= alpha q; w -= alpha z;
 * then partials r.u, w.u, r.r (m = 3) of the new vectors. */
void pk_pipecg_update(const tsr_view *v[10], double alpha, double beta, const tsr_box *box,
                      double *partial);

/* Partials r.u, w.u, r.r (m = 3) without updating anything. */
void pk_dots3(const tsr_view *r, const tsr_view *u, const tsr_view *w, const tsr_box *box,
              double *partial);

/* y = a x over box (y may be x). */
void pk_scale(const tsr_view *x, const tsr_view *y, double a, const tsr_box *box);

/* y = x (owned cells of box). */
void pk_copy(const tsr_view *x, const tsr_view *y, const tsr_box *box);

/* y = 0 over box (may include ghosts: box is local and may start at -1). */
void pk_zero(const tsr_view *y, const tsr_box *box);

#endif
