/**
 * @file vec.h
 * @brief Vector operations on fields: updates, dots and norms, and fused sweeps that compute
 *        dots and norms in the same pass as the updates before them.
 *
 * Two levels:
 *  - `tsr_vec_*`: node-local kernels on tsr_view windows over a box of local cells. They never
 *    communicate; reductions return this rank's partial. Each has a `_ref` twin (plain serial
 *    loops) giving the same bits.
 *  - `tsr_fvec_*`: the same on whole fields (every component, all owned cells); the ones that
 *    reduce are collective and return global values (blocking, or split phase with
 *    tsr_fvec_begin() / tsr_fvec_end()). This is the layer solvers use.
 *
 * Updates are pointwise: `w = a x + b y` evaluated per cell as `a*x + b*y` (two products, one
 * sum; a missing term is left out, so `w = a*x` or `w = b*y`). kernels/ builds with
 * -ffp-contract=off, so no fused multiply-add changes the rounding anywhere.
 *
 * Order of summation (exact, so partial sums are reproducible): a row segment (consecutive
 * cells along axis 0) is summed in four interleaved accumulators, cell m of the segment into
 * accumulator m mod 4, each starting at 0.0, combined as (a0 + a1) + (a2 + a3). The box is cut
 * into units: its k-planes when it has more than one cell along axis 2, else its rows when it
 * has more than one cell along axis 1, else segments of TSR_VEC_SEGMENT cells along axis 0. A
 * plane's sum is its rows' sums added in j order (starting at 0.0); the partial is the units'
 * sums added in unit order (starting at 0.0). Threads share whole units with a static schedule
 * (the field's first-touch schedule when the box is the owned tile), so a partial does not
 * depend on the thread count, and equals the `_ref` twin's bit for bit. It does depend on the
 * box (a sub-box sums in another order), and a global sum over ranks depends on the
 * decomposition, like any floating-point sum.
 *
 * Maximum norms take the largest |x|; a NaN anywhere gives NaN.
 *
 * Aliasing: a view written by an update may be the very same storage as a view it reads (same
 * data pointer and strides: y = a x + b y) but must not otherwise overlap another view of the
 * call. Updates of one fused call run in order per cell, so a later update or a reduction sees
 * the values an earlier update wrote: a fused call equals the separate calls made one after
 * another over the whole box.
 *
 * Threads: each kernel opens one OpenMP parallel region (call it outside one) with a static
 * schedule over units and vectorised loops along axis 0.
 */
#ifndef TESSERA_KERNELS_VEC_H
#define TESSERA_KERNELS_VEC_H

#include "tessera/field.h"
#include "tessera/reduce.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most updates in one fused call. */
#define TSR_VEC_MAX_UPDATES 16

/** Most reductions (dots, norms) in one fused call or multi-dot. */
#define TSR_VEC_MAX_REDUCTIONS 16

/** Cells per unit of a box that is a single row (see the order of summation above). */
#define TSR_VEC_SEGMENT 1024

/* ------------------------------------------------------------------------------------------ */
/* Node-local kernels on views                                                                  */
/* ------------------------------------------------------------------------------------------ */

/**
 * One pointwise update of a fused sweep: w = a x + b y over the box.
 * @p x or @p y may be NULL (that term is left out; both NULL is an error). @p w may be the
 * same view storage as @p x or @p y.
 */
typedef struct {
  const tsr_view *w; /**< written */
  double a;          /**< coefficient of x */
  const tsr_view *x; /**< first operand, or NULL */
  double b;          /**< coefficient of y */
  const tsr_view *y; /**< second operand, or NULL */
} tsr_vec_update;

/** What a reduction computes. */
typedef enum {
  TSR_VEC_DOT = 0,   /**< sum over cells of x * y (y == x: squared 2-norm); summed globally */
  TSR_VEC_MAXABS = 1 /**< max over cells of |x| (y unused); maximised globally */
} tsr_vec_reduce_kind;

/** One reduction of a fused sweep, taken after all the sweep's updates. */
typedef struct {
  tsr_vec_reduce_kind kind; /**< dot or max-abs */
  const tsr_view *x;        /**< first operand */
  const tsr_view *y;        /**< second operand of a dot (ignored by TSR_VEC_MAXABS) */
} tsr_vec_reduction;

/**
 * The fused sweep: apply @p nupd updates in order, then compute @p nred reductions, in one
 * pass over @p box (row by row, so each value is loaded from memory once). @p result receives
 * the @p nred local partials. Every view must have the same owned extents, and @p box (local
 * indices) must lie inside the owned cells. An empty box does nothing and gives partials 0.0.
 * Not collective.
 *
 * Errors (rank-local, TSR_ERR_ARG): NULL arguments, counts outside 0..TSR_VEC_MAX_UPDATES or
 * 0..TSR_VEC_MAX_REDUCTIONS (result may be NULL when nred is 0), an update without operands,
 * an unknown kind, a box outside the owned cells, mismatched extents, views without data,
 * overlapping storage other than the allowed w == x or w == y.
 */
TSR_EXTERN tsr_err tsr_vec_fused(int nupd, const tsr_vec_update upd[], int nred,
                                 const tsr_vec_reduction red[], const tsr_box *box,
                                 double result[]);

/** Reference twin of tsr_vec_fused(): serial loops, same bits, same errors. */
TSR_EXTERN tsr_err tsr_vec_fused_ref(int nupd, const tsr_vec_update upd[], int nred,
                                     const tsr_vec_reduction red[], const tsr_box *box,
                                     double result[]);

/** y = a x + y (evaluated as a*x + y). Not collective. Errors as tsr_vec_fused(). */
TSR_EXTERN tsr_err tsr_vec_axpy(double a, const tsr_view *x, const tsr_view *y, const tsr_box *box);

/** y = a x + b y. Not collective. Errors as tsr_vec_fused(). */
TSR_EXTERN tsr_err tsr_vec_axpby(double a, const tsr_view *x, double b, const tsr_view *y,
                                 const tsr_box *box);

/** w = a x + b y (w may be x or y). Not collective. Errors as tsr_vec_fused(). */
TSR_EXTERN tsr_err tsr_vec_waxpby(const tsr_view *w, double a, const tsr_view *x, double b,
                                  const tsr_view *y, const tsr_box *box);

/** x = a x. Not collective. Errors as tsr_vec_fused(). */
TSR_EXTERN tsr_err tsr_vec_scale(double a, const tsr_view *x, const tsr_box *box);

/** y = x. Not collective. Errors as tsr_vec_fused(). */
TSR_EXTERN tsr_err tsr_vec_copy(const tsr_view *x, const tsr_view *y, const tsr_box *box);

/** x = a on every cell of the box. Not collective. Errors as tsr_vec_fused(). */
TSR_EXTERN tsr_err tsr_vec_set(double a, const tsr_view *x, const tsr_box *box);

/** Local partial of <x, y>. Not collective. Errors as tsr_vec_fused(). */
TSR_EXTERN tsr_err tsr_vec_dot(const tsr_view *x, const tsr_view *y, const tsr_box *box,
                               double *dot);

/** Local partial of the squared 2-norm <x, x>. Not collective. */
TSR_EXTERN tsr_err tsr_vec_norm2sq(const tsr_view *x, const tsr_box *box, double *sq);

/** Local max of |x| (0.0 on an empty box). Not collective. */
TSR_EXTERN tsr_err tsr_vec_norm_max(const tsr_view *x, const tsr_box *box, double *max);

/**
 * Multi-dot: dots[m] = <x, y[m]> for m < @p n (at most TSR_VEC_MAX_REDUCTIONS), reading x
 * once. Not collective. Errors as tsr_vec_fused().
 */
TSR_EXTERN tsr_err tsr_vec_mdot(const tsr_view *x, int n, const tsr_view *const y[],
                                const tsr_box *box, double dots[]);

/** Fused: y = a x + y, then *yy = <y, y> (local partial). Not collective. */
TSR_EXTERN tsr_err tsr_vec_axpy_norm2sq(double a, const tsr_view *x, const tsr_view *y,
                                        const tsr_box *box, double *yy);

/**
 * Fused: y = a x + y, then dots[0] = <y, y> and dots[1] = <y, z> (local partials): the
 * residual update of (preconditioned) CG, r = r - alpha q with <r, r> and <r, z>.
 * Not collective.
 */
TSR_EXTERN tsr_err tsr_vec_axpy_dot2(double a, const tsr_view *x, const tsr_view *y,
                                     const tsr_view *z, const tsr_box *box, double dots[2]);

/* ------------------------------------------------------------------------------------------ */
/* Whole fields (all components, all owned cells)                                               */
/* ------------------------------------------------------------------------------------------ */

/**
 * One update of a field-level fused sweep: w = a x + b y on every component (x or y may be
 * NULL as in tsr_vec_update).
 */
typedef struct {
  tsr_field w; /**< written */
  double a;    /**< coefficient of x */
  tsr_field x; /**< first operand, or NULL */
  double b;    /**< coefficient of y */
  tsr_field y; /**< second operand, or NULL */
} tsr_fvec_update;

/** One reduction of a field-level fused sweep (over every component). */
typedef struct {
  tsr_vec_reduce_kind kind; /**< dot or max-abs */
  tsr_field x;              /**< first operand */
  tsr_field y;              /**< second operand of a dot (ignored by TSR_VEC_MAXABS) */
} tsr_fvec_reduction;

/**
 * A field-level reduction in flight (plain struct, may live on the stack, but must not be
 * moved or copied while active: MPI writes into it). Zero-initialise it before its first
 * use; it is idle again after tsr_fvec_end() or a failed tsr_fvec_begin().
 */
typedef struct {
  tsr_reduce_req sum_req;                           /**< the dots' reduction */
  tsr_reduce_req max_req;                           /**< the max-norms' reduction */
  double sums[TSR_VEC_MAX_REDUCTIONS];              /**< dots, reduced in place */
  double maxes[2 * TSR_VEC_MAX_REDUCTIONS];         /**< max-norms and NaN flags, in place */
  int nred;                                         /**< reductions in flight */
  tsr_vec_reduce_kind kind[TSR_VEC_MAX_REDUCTIONS]; /**< kind of each */
  bool active;                                      /**< between begin and end */
} tsr_fvec_req;

/**
 * Field-level fused sweep, started: the updates and the local partials are done (component by
 * component: the partial of a field is its components' partials added in component order),
 * and the global reductions (sums for dots, maxima for max-norms) are started. Collective
 * (every rank calls it with the same counts); the values come from tsr_fvec_end(). Every field
 * must live on the same grid with the same number of components.
 *
 * Errors: TSR_ERR_ARG (as tsr_vec_fused(), plus NULL fields, fields on other grids or with
 * other component counts), TSR_ERR_STATE (@p req already active), TSR_ERR_MPI.
 */
TSR_EXTERN tsr_err tsr_fvec_begin(int nupd, const tsr_fvec_update upd[], int nred,
                                  const tsr_fvec_reduction red[], tsr_fvec_req *req);

/**
 * Finish the reductions of tsr_fvec_begin(): @p result[m] is the global value of reduction m.
 * Collective. Errors: TSR_ERR_ARG (NULL), TSR_ERR_STATE (not active), TSR_ERR_MPI.
 */
TSR_EXTERN tsr_err tsr_fvec_end(tsr_fvec_req *req, double result[]);

/** tsr_fvec_begin() then tsr_fvec_end(). Collective when @p nred > 0. */
TSR_EXTERN tsr_err tsr_fvec_fused(int nupd, const tsr_fvec_update upd[], int nred,
                                  const tsr_fvec_reduction red[], double result[]);

/** y = a x + y on all components. Not collective. */
TSR_EXTERN tsr_err tsr_fvec_axpy(double a, tsr_field x, tsr_field y);

/** y = a x + b y. Not collective. */
TSR_EXTERN tsr_err tsr_fvec_axpby(double a, tsr_field x, double b, tsr_field y);

/** w = a x + b y. Not collective. */
TSR_EXTERN tsr_err tsr_fvec_waxpby(tsr_field w, double a, tsr_field x, double b, tsr_field y);

/** x = a x. Not collective. */
TSR_EXTERN tsr_err tsr_fvec_scale(double a, tsr_field x);

/** y = x (owned cells). Not collective. */
TSR_EXTERN tsr_err tsr_fvec_copy(tsr_field x, tsr_field y);

/** x = a on every owned cell. Not collective. */
TSR_EXTERN tsr_err tsr_fvec_set(double a, tsr_field x);

/** Global <x, y>. Collective. */
TSR_EXTERN tsr_err tsr_fvec_dot(tsr_field x, tsr_field y, double *dot);

/** Global 2-norm sqrt(<x, x>). Collective. */
TSR_EXTERN tsr_err tsr_fvec_norm2(tsr_field x, double *norm);

/** Global max of |x| (NaN when any rank holds a NaN). Collective. */
TSR_EXTERN tsr_err tsr_fvec_norm_max(tsr_field x, double *max);

/** Global dots[m] = <x, y[m]>, m < @p n, in one pass and one reduction. Collective. */
TSR_EXTERN tsr_err tsr_fvec_mdot(tsr_field x, int n, const tsr_field y[], double dots[]);

#ifdef __cplusplus
}
#endif
#endif
