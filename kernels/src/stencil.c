/* The explicit heat update, optimised and reference.
 *
 * Both versions evaluate, for each cell, u + c[0] d0 + c[1] d1 + c[2] d2 left to right with
 * d_a = (u(x - e_a) - 2 u(x)) + u(x + e_a): the same operations in the same order, so the
 * results agree bit for bit (and so a cell's value never depends on which box, thread or
 * vector lane computed it, which keeps runs decomposition-independent). For the same reason
 * kernels/CMakeLists.txt builds this file with -ffp-contract=off: no fused multiply-adds. */
#include "tessera/kernels/stencil.h"

#include "stencil_sweep.h"

static const char who[] = "heat kernel";

/* Check the arguments shared by both versions; *empty is set when there is nothing to do. */
static tsr_err check_args(const tsr_view *u, const tsr_view *out, const tsr_heat_coef *coef,
                          const tsr_box *box, bool *empty) {
  if (!u || !out || !coef || !box)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "heat kernel: NULL argument (u %p, out %p, coef %p, box %p)",
                    (const void *)u, (const void *)out, (const void *)coef, (const void *)box);
  if (coef->dim < 1 || coef->dim > TSR_MAX_DIM)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "heat kernel: dim %d, expected 1, 2 or 3", coef->dim);
  TSR_CALL(tsr_k_check_out(who, out, box, empty));
  if (*empty) return TSR_SUCCESS;
  const int reach[TSR_MAX_DIM] = {1, coef->dim > 1, coef->dim > 2};
  TSR_CALL(tsr_k_check_in(who, "u", u, out, reach, box));
  return TSR_SUCCESS;
}

/* One row of @p n cells along axis 0 starting at u into o. The dimension is chosen once per
 * row, so each loop is branch-free and vectorises. */
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

typedef struct {
  const tsr_view *u;
  const tsr_heat_coef *coef;
} heat_ctx;

TSR_K_CLONES static void heat_rows(const void *ctx, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k,
                                   ptrdiff_t len, double *dst) {
  const heat_ctx *h = ctx;
  const tsr_view *u = h->u;
  heat_row(h->coef->dim, u->data + tsr_k_offset(u, i0, j, k), dst, len, u->sj, u->sk, h->coef->c);
}

/* Direct streaming rows: the same update with explicit vectors whose results are stored
 * non-temporally straight into the output row; the cells before the first VEC-aligned output
 * address and the tail go through heat_row() itself. Lane for lane the operations and their
 * order are heat_row()'s, so the bits are too. */
#if defined(TSR_K_HAVE_NT_ROWS)
#include <immintrin.h>

#define NT_HEAT(SFX, ATTR, VT, W, SET1, LOADU, MUL, ADD, SUB, STREAM)                              \
  static inline __attribute__((always_inline))                                                     \
  ATTR VT heat_diff##SFX(const double *u, VT uc, VT two, ptrdiff_t s) {                            \
    return ADD(SUB(LOADU(u - s), MUL(two, uc)), LOADU(u + s));                                     \
  }                                                                                                \
  ATTR static void heat_rows_nt##SFX(const void *ctx, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k,      \
                                     ptrdiff_t len, double *dst) {                                 \
    const heat_ctx *h = ctx;                                                                       \
    const int dim = h->coef->dim;                                                                  \
    const double *u = h->u->data + tsr_k_offset(h->u, i0, j, k);                                   \
    const ptrdiff_t sj = h->u->sj, sk = h->u->sk;                                                  \
    ptrdiff_t head = 0;                                                                            \
    while (head < len && ((uintptr_t)(dst + head) & (W * 8 - 1)) != 0)                             \
      head++;                                                                                      \
    heat_row(dim, u, dst, head, sj, sk, h->coef->c);                                               \
    const VT two = SET1(2.0), c0 = SET1(h->coef->c[0]), c1 = SET1(h->coef->c[1]),                  \
             c2 = SET1(h->coef->c[2]);                                                             \
    ptrdiff_t i = head;                                                                            \
    if (dim == 3)                                                                                  \
      for (; i + W <= len; i += W) {                                                               \
        const VT uc = LOADU(u + i);                                                                \
        VT acc = ADD(uc, MUL(c0, heat_diff##SFX(u + i, uc, two, 1)));                              \
        acc = ADD(acc, MUL(c1, heat_diff##SFX(u + i, uc, two, sj)));                               \
        STREAM(dst + i, ADD(acc, MUL(c2, heat_diff##SFX(u + i, uc, two, sk))));                    \
      }                                                                                            \
    else if (dim == 2)                                                                             \
      for (; i + W <= len; i += W) {                                                               \
        const VT uc = LOADU(u + i);                                                                \
        const VT acc = ADD(uc, MUL(c0, heat_diff##SFX(u + i, uc, two, 1)));                        \
        STREAM(dst + i, ADD(acc, MUL(c1, heat_diff##SFX(u + i, uc, two, sj))));                    \
      }                                                                                            \
    else                                                                                           \
      for (; i + W <= len; i += W) {                                                               \
        const VT uc = LOADU(u + i);                                                                \
        STREAM(dst + i, ADD(uc, MUL(c0, heat_diff##SFX(u + i, uc, two, 1))));                      \
      }                                                                                            \
    heat_row(dim, u + i, dst + i, len - i, sj, sk, h->coef->c);                                    \
  }
NT_HEAT(512, TSR_K_AVX512, __m512d, 8, _mm512_set1_pd, _mm512_loadu_pd, _mm512_mul_pd,
        _mm512_add_pd, _mm512_sub_pd, _mm512_stream_pd)
NT_HEAT(256, TSR_K_AVX2, __m256d, 4, _mm256_set1_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_add_pd,
        _mm256_sub_pd, _mm256_stream_pd)
#endif

/* heat_rows' direct streaming twin for this CPU (NULL: stream through the driver's buffer). */
static tsr_k_row_fn heat_rows_nt(void) {
#if defined(TSR_K_HAVE_NT_ROWS)
  const int width = tsr_k_nt_width();
  if (width == 512) return heat_rows_nt512;
  if (width == 256) return heat_rows_nt256;
#endif
  return NULL;
}

tsr_err tsr_stencil_heat(const tsr_view *u, const tsr_view *out, const tsr_heat_coef *coef,
                         const tsr_box *box) {
  bool empty;
  TSR_CALL(check_args(u, out, coef, box, &empty));
  if (empty) return TSR_SUCCESS;
  const heat_ctx ctx = {u, coef};
  const tsr_k_sweep sweep = {
      .box = *box,
      .out = out,
      .stream = coef->stream,
      .in_row_bytes = (size_t)(box->hi[0] - box->lo[0] + 2) * sizeof(double),
      .reach = {1, coef->dim > 1, coef->dim > 2},
      .row = heat_rows,
      .row_nt = heat_rows_nt(),
      .ctx = &ctx,
  };
  tsr_k_sweep_run(&sweep);
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
        const double *p = u->data + tsr_k_offset(u, i, j, k);
        double acc = p[0];
        for (int a = 0; a < coef->dim; a++)
          acc += coef->c[a] * ((p[-stride[a]] - 2.0 * p[0]) + p[stride[a]]);
        out->data[tsr_k_offset(out, i, j, k)] = acc;
      }
  return TSR_SUCCESS;
}
