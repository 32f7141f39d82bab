/* The explicit heat update, optimised and reference.
 *
 * Both versions evaluate, for each cell, u + c[0] d0 + c[1] d1 + c[2] d2 left to right with
 * d_a = (u(x - e_a) - 2 u(x)) + u(x + e_a): the same operations in the same order, so the
 * results agree bit for bit (and so a cell's value never depends on which box, thread or
 * vector lane computed it, which keeps runs decomposition-independent). For the same reason
 * kernels/CMakeLists.txt builds this file with -ffp-contract=off: no fused multiply-adds. */
#include "tessera/kernels/stencil.h"

/* Cells are addressed with ptrdiff_t offsets; local indices always fit. */
static ptrdiff_t offset(const tsr_view *v, tsr_gidx i, tsr_gidx j, tsr_gidx k) {
  return (ptrdiff_t)i + (ptrdiff_t)j * v->sj + (ptrdiff_t)k * v->sk;
}

/* Check the arguments shared by both versions; *empty is set when there is nothing to do. */
static tsr_err check_args(const tsr_view *u, const tsr_view *out, const tsr_heat_coef *coef,
                          const tsr_box *box, bool *empty) {
  if (!u || !out || !coef || !box)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "heat kernel: NULL argument (u %p, out %p, coef %p, box %p)",
                    (const void *)u, (const void *)out, (const void *)coef, (const void *)box);
  if (coef->dim < 1 || coef->dim > TSR_MAX_DIM)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "heat kernel: dim %d, expected 1, 2 or 3", coef->dim);
  *empty = tsr_box_is_empty(box);
  if (*empty) return TSR_SUCCESS;
  if (!u->data || !out->data)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "heat kernel: view without data (field not set up?)");
  if (u->data == out->data)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "heat kernel: u and out share storage; the update needs two");
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    if (u->n[a] != out->n[a])
      TSR_ERROR_LOCAL(TSR_ERR_ARG, "heat kernel: u has %d cells on axis %d but out has %d", u->n[a],
                      a, out->n[a]);
    if (box->lo[a] < 0 || box->hi[a] > out->n[a])
      TSR_ERROR_LOCAL(TSR_ERR_ARG,
                      "heat kernel: box [%lld, %lld) on axis %d is outside the owned cells "
                      "[0, %d)",
                      (long long)box->lo[a], (long long)box->hi[a], a, out->n[a]);
    if (a < coef->dim && u->ghost[a] < 1)
      TSR_ERROR_LOCAL(TSR_ERR_ARG,
                      "heat kernel: u has ghost width %d on axis %d, the stencil needs 1",
                      u->ghost[a], a);
  }
  return TSR_SUCCESS;
}

/* One row of @p n cells along axis 0 starting at u / o. The dimension is chosen once per row,
 * so each loop is branch-free and vectorises. */
static inline void heat_row(int dim, const double *restrict u, double *restrict o, ptrdiff_t n,
                            ptrdiff_t sj, ptrdiff_t sk, const double c[TSR_MAX_DIM]) {
  const double c0 = c[0], c1 = c[1], c2 = c[2];
  if (dim == 1) {
    TSR_OMP(simd)
    for (ptrdiff_t i = 0; i < n; i++) {
      const double uc = u[i];
      o[i] = uc + c0 * ((u[i - 1] - 2.0 * uc) + u[i + 1]);
    }
  } else if (dim == 2) {
    TSR_OMP(simd)
    for (ptrdiff_t i = 0; i < n; i++) {
      const double uc = u[i];
      o[i] =
          uc + c0 * ((u[i - 1] - 2.0 * uc) + u[i + 1]) + c1 * ((u[i - sj] - 2.0 * uc) + u[i + sj]);
    }
  } else {
    TSR_OMP(simd)
    for (ptrdiff_t i = 0; i < n; i++) {
      const double uc = u[i];
      o[i] = uc + c0 * ((u[i - 1] - 2.0 * uc) + u[i + 1]) +
             c1 * ((u[i - sj] - 2.0 * uc) + u[i + sj]) + c2 * ((u[i - sk] - 2.0 * uc) + u[i + sk]);
    }
  }
}

/* A box of a single row is cut into chunks of this many cells, shared out statically. */
enum { ROW_CHUNK = 1024 };

tsr_err tsr_stencil_heat(const tsr_view *u, const tsr_view *out, const tsr_heat_coef *coef,
                         const tsr_box *box) {
  bool empty;
  TSR_CALL(check_args(u, out, coef, box, &empty));
  if (empty) return TSR_SUCCESS;
  const int dim = coef->dim;
  const tsr_gidx *lo = box->lo, *hi = box->hi;
  const ptrdiff_t ni = (ptrdiff_t)(hi[0] - lo[0]);
  const ptrdiff_t sj = u->sj, sk = u->sk;

  /* Threads split the outermost axis with more than one cell, as field storage is first
   * touched, so each thread mostly reads and writes pages it placed. */
  if (hi[2] - lo[2] > 1) {
    TSR_OMP(parallel for schedule(static))
    for (tsr_gidx k = lo[2]; k < hi[2]; k++)
      for (tsr_gidx j = lo[1]; j < hi[1]; j++)
        heat_row(dim, u->data + offset(u, lo[0], j, k), out->data + offset(out, lo[0], j, k), ni,
                 sj, sk, coef->c);
  } else if (hi[1] - lo[1] > 1) {
    const tsr_gidx k = lo[2];
    TSR_OMP(parallel for schedule(static))
    for (tsr_gidx j = lo[1]; j < hi[1]; j++)
      heat_row(dim, u->data + offset(u, lo[0], j, k), out->data + offset(out, lo[0], j, k), ni, sj,
               sk, coef->c);
  } else {
    const double *urow = u->data + offset(u, lo[0], lo[1], lo[2]);
    double *orow = out->data + offset(out, lo[0], lo[1], lo[2]);
    const ptrdiff_t nchunks = (ni + ROW_CHUNK - 1) / ROW_CHUNK;
    TSR_OMP(parallel for schedule(static))
    for (ptrdiff_t b = 0; b < nchunks; b++) {
      const ptrdiff_t first = b * ROW_CHUNK;
      const ptrdiff_t len = ni - first < ROW_CHUNK ? ni - first : ROW_CHUNK;
      heat_row(dim, urow + first, orow + first, len, sj, sk, coef->c);
    }
  }
  return TSR_SUCCESS;
}

tsr_err tsr_stencil_heat_ref(const tsr_view *u, const tsr_view *out, const tsr_heat_coef *coef,
                             const tsr_box *box) {
  bool empty;
  TSR_CALL(check_args(u, out, coef, box, &empty));
  if (empty) return TSR_SUCCESS;
  const ptrdiff_t stride[TSR_MAX_DIM] = {1, u->sj, u->sk};
  for (tsr_gidx k = box->lo[2]; k < box->hi[2]; k++)
    for (tsr_gidx j = box->lo[1]; j < box->hi[1]; j++)
      for (tsr_gidx i = box->lo[0]; i < box->hi[0]; i++) {
        const double *p = u->data + offset(u, i, j, k);
        double acc = p[0];
        for (int a = 0; a < coef->dim; a++)
          acc += coef->c[a] * ((p[-stride[a]] - 2.0 * p[0]) + p[stride[a]]);
        out->data[offset(out, i, j, k)] = acc;
      }
  return TSR_SUCCESS;
}
