/* Private parts of the vector kernels shared by vec.c (node-local) and vec_field.c (fields). */
#ifndef TESSERA_KERNELS_VEC_IMPL_H
#define TESSERA_KERNELS_VEC_IMPL_H

#include "tessera/kernels/vec.h"

/* Row loop of an update, fixed per call: w = a*x + b*y, a*x + y (b == 1), a*x, b*y, or a. */
typedef enum { VEC_AXPBY, VEC_AXPY, VEC_AX, VEC_BY, VEC_SET } vec_form;

typedef struct {
  vec_form form;
  const tsr_view *w;
  double a;
  const tsr_view *x;
  double b;
  const tsr_view *y;
} vec_update_;

/* One call of the engine: updates, reductions, the box and where the partials go. */
typedef struct {
  int nupd;
  const vec_update_ *upd;
  int nred;
  const tsr_vec_reduction *red;
  const tsr_box *box;
  double *result;
} vec_call;

/* Run a call (checks included): the threaded engine, or the reference when @p reference. */
tsr_err tsr_vec_run_(const vec_call *call, bool reference);

/* max(acc, v) that keeps a NaN once one is seen (a NaN anywhere makes the max NaN). */
static inline double tsr_vec_max_(double acc, double v) {
  return (v > acc || v != v) ? v : acc;
}

#endif
