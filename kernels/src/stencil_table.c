/* Constant-coefficient stencils given as (offset, weight) tables: constructors, the
 * optimised apply / update / residual kernels and their reference twins.
 *
 * Every version evaluates acc = w[0] u(x + o[0]), then acc += w[p] u(x + o[p]) for p = 1, 2,
 * ... in table order, then the epilogue (apply: acc; update: in(x) + scale * acc; residual:
 * b(x) - acc). The fast paths fully unroll the point loop for common table lengths (so
 * offsets and weights sit in registers and the cell loop vectorises); other lengths
 * accumulate a row piece point by point in a small buffer. Both keep the order, and the
 * library is built with -ffp-contract=off, so every path gives the reference's bits. */
#include <stdlib.h>
#include <string.h>

#include "stencil_sweep.h"

static const char who[] = "stencil kernel";

/* ---- Constructors ---------------------------------------------------------------------- */

tsr_err tsr_stencil_init(int dim, int npoints, const int offsets[][TSR_MAX_DIM],
                         const double *weights, tsr_stencil *s) {
  if (!offsets || !weights || !s) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_init: NULL argument");
  if (dim < 1 || dim > TSR_MAX_DIM)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_init: dim %d, expected 1, 2 or 3", dim);
  if (npoints < 1 || npoints > TSR_STENCIL_MAX_POINTS)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_init: %d points, expected 1 to %d", npoints,
                    TSR_STENCIL_MAX_POINTS);
  tsr_stencil t;
  memset(&t, 0, sizeof t);
  t.dim = dim;
  t.npoints = npoints;
  for (int p = 0; p < npoints; p++) {
    for (int a = 0; a < TSR_MAX_DIM; a++) {
      const int o = offsets[p][a], limit = a < dim ? TSR_STENCIL_MAX_RADIUS : 0;
      if (o < -limit || o > limit)
        TSR_ERROR_LOCAL(TSR_ERR_ARG,
                        "tsr_stencil_init: point %d has offset %d on axis %d, expected |offset| "
                        "<= %d for a %d-D stencil",
                        p, o, a, limit, dim);
      t.offset[p][a] = o;
      if (abs(o) > t.reach[a]) t.reach[a] = abs(o);
    }
    t.weight[p] = weights[p];
  }
  *s = t;
  return TSR_SUCCESS;
}

static tsr_err check_h(const char *fn, int dim, const double h[]) {
  if (!h) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: NULL cell widths", fn);
  for (int a = 0; a < dim; a++)
    if (!(h[a] > 0.0)) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: h[%d] = %g, expected > 0", fn, a, h[a]);
  return TSR_SUCCESS;
}

/* A table being built point by point. */
typedef struct {
  int n;
  int off[TSR_STENCIL_MAX_POINTS][TSR_MAX_DIM];
  double w[TSR_STENCIL_MAX_POINTS];
} table;

static void table_add(table *t, int i, int j, int k, double w) {
  t->off[t->n][0] = i;
  t->off[t->n][1] = j;
  t->off[t->n][2] = k;
  t->w[t->n++] = w;
}

tsr_err tsr_stencil_star(int dim, int radius, const double *w, tsr_stencil *s) {
  if (!w || !s) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_star: NULL argument");
  if (dim < 1 || dim > TSR_MAX_DIM)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_star: dim %d, expected 1, 2 or 3", dim);
  if (radius < 1 || radius > TSR_STENCIL_MAX_RADIUS)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_star: radius %d, expected 1 to %d", radius,
                    TSR_STENCIL_MAX_RADIUS);
  const int width = 2 * radius + 1;
  table t = {0};
  double centre = w[radius];
  for (int a = 1; a < dim; a++)
    centre += w[a * width + radius];
  table_add(&t, 0, 0, 0, centre);
  for (int a = 0; a < dim; a++)
    for (int d = 1; d <= radius; d++) {
      int o[TSR_MAX_DIM] = {0, 0, 0};
      o[a] = -d;
      table_add(&t, o[0], o[1], o[2], w[a * width + radius - d]);
      o[a] = d;
      table_add(&t, o[0], o[1], o[2], w[a * width + radius + d]);
    }
  TSR_CALL(tsr_stencil_init(dim, t.n, (const int(*)[TSR_MAX_DIM])t.off, t.w, s));
  return TSR_SUCCESS;
}

/* Weights c_0..c_r of the central second difference of order 2r (unit spacing). */
static void second_difference(int r, double c[TSR_STENCIL_MAX_RADIUS + 1]) {
  double sum = 0.0;
  for (int d = 1; d <= r; d++) {
    /* (r!)^2 / ((r-d)! (r+d)!) = prod_{m=1..d} (r - m + 1) / (r + m) */
    double ratio = 1.0;
    for (int m = 1; m <= d; m++)
      ratio *= (double)(r - m + 1) / (double)(r + m);
    c[d] = (d % 2 ? 2.0 : -2.0) * ratio / ((double)d * d);
    sum += c[d];
  }
  c[0] = -2.0 * sum;
}

tsr_err tsr_stencil_laplacian_star(int dim, int radius, const double h[], tsr_stencil *s) {
  if (!s) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_laplacian_star: NULL stencil");
  if (dim < 1 || dim > TSR_MAX_DIM)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_laplacian_star: dim %d, expected 1, 2 or 3", dim);
  if (radius < 1 || radius > TSR_STENCIL_MAX_RADIUS)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_laplacian_star: radius %d, expected 1 to %d", radius,
                    TSR_STENCIL_MAX_RADIUS);
  TSR_CALL(check_h("tsr_stencil_laplacian_star", dim, h));
  double c[TSR_STENCIL_MAX_RADIUS + 1];
  second_difference(radius, c);
  const int width = 2 * radius + 1;
  double w[TSR_MAX_DIM * (2 * TSR_STENCIL_MAX_RADIUS + 1)];
  for (int a = 0; a < dim; a++) {
    const double ih2 = 1.0 / (h[a] * h[a]);
    for (int m = 0; m < width; m++)
      w[a * width + m] = c[abs(m - radius)] * ih2;
  }
  TSR_CALL(tsr_stencil_star(dim, radius, w, s));
  return TSR_SUCCESS;
}

/* The 9- and 27-point compact Laplacians: sum over a of D_a (x) M_b (x) ..., D_a = [1 -2 1] /
 * h_a^2, M = [1 10 1] / 12, over the 3^dim box in k, j, i order. */
static void compact_laplacian(int dim, const double h[], table *t) {
  static const double m[3] = {1.0 / 12.0, 10.0 / 12.0, 1.0 / 12.0};
  static const double d[3] = {1.0, -2.0, 1.0};
  const int kr = dim > 2;
  for (int k = -kr; k <= kr; k++)
    for (int j = -1; j <= 1; j++)
      for (int i = -1; i <= 1; i++) {
        const int o[3] = {i, j, k};
        double w = 0.0;
        for (int a = 0; a < dim; a++) {
          double term = d[o[a] + 1] / (h[a] * h[a]);
          for (int b = 0; b < dim; b++)
            if (b != a) term *= m[o[b] + 1];
          w += term;
        }
        table_add(t, i, j, k, w);
      }
}

tsr_err tsr_stencil_laplacian(int dim, int npoints, const double h[], tsr_stencil *s) {
  if (!s) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_laplacian: NULL stencil");
  const bool star =
      (dim == 1 && npoints == 3) || (dim == 2 && npoints == 5) || (dim == 3 && npoints == 7);
  const bool compact = (dim == 2 && npoints == 9) || (dim == 3 && npoints == 27);
  if (!star && !compact)
    TSR_ERROR_LOCAL(TSR_ERR_ARG,
                    "tsr_stencil_laplacian: %d points in %d-D, expected 3 (1-D), 5 or 9 (2-D), "
                    "7 or 27 (3-D)",
                    npoints, dim);
  if (star) {
    TSR_CALL(tsr_stencil_laplacian_star(dim, 1, h, s));
    return TSR_SUCCESS;
  }
  TSR_CALL(check_h("tsr_stencil_laplacian", dim, h));
  table t = {0};
  compact_laplacian(dim, h, &t);
  TSR_CALL(tsr_stencil_init(dim, t.n, (const int(*)[TSR_MAX_DIM])t.off, t.w, s));
  return TSR_SUCCESS;
}

tsr_err tsr_stencil_scale(tsr_stencil *s, double alpha) {
  if (!s) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_stencil_scale: NULL stencil");
  for (int p = 0; p < s->npoints && p < TSR_STENCIL_MAX_POINTS; p++)
    s->weight[p] *= alpha;
  return TSR_SUCCESS;
}

/* ---- Checks ---------------------------------------------------------------------------- */

typedef enum { MODE_APPLY, MODE_UPDATE, MODE_RESIDUAL } mode;

/* The stencil must be what tsr_stencil_init() would have made of its own table. */
static tsr_err check_stencil(const tsr_stencil *s) {
  if (!s) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: NULL stencil", who);
  if (s->dim < 1 || s->dim > TSR_MAX_DIM || s->npoints < 1 || s->npoints > TSR_STENCIL_MAX_POINTS)
    TSR_ERROR_LOCAL(TSR_ERR_ARG,
                    "%s: malformed stencil (dim %d, %d points); build it with "
                    "tsr_stencil_init()",
                    who, s->dim, s->npoints);
  int reach[TSR_MAX_DIM] = {0, 0, 0};
  for (int p = 0; p < s->npoints; p++)
    for (int a = 0; a < TSR_MAX_DIM; a++) {
      const int o = abs(s->offset[p][a]);
      if (o > (a < s->dim ? TSR_STENCIL_MAX_RADIUS : 0))
        TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: point %d has offset %d on axis %d of a %d-D stencil", who,
                        p, s->offset[p][a], a, s->dim);
      if (o > reach[a]) reach[a] = o;
    }
  for (int a = 0; a < TSR_MAX_DIM; a++)
    if (reach[a] != s->reach[a])
      TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: stencil reach %d on axis %d but its offsets reach %d", who,
                      s->reach[a], a, reach[a]);
  return TSR_SUCCESS;
}

/* All arguments of one call; b is the residual's right-hand side (NULL otherwise). */
static tsr_err check_args(const tsr_stencil *s, const tsr_view *b, const tsr_view *in,
                          const tsr_view *out, const tsr_box *box, mode m, bool *empty) {
  TSR_CALL(check_stencil(s));
  TSR_CALL(tsr_k_check_out(who, out, box, empty));
  if (!in) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: NULL input view", who);
  if (m == MODE_RESIDUAL && !b) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: NULL right-hand side b", who);
  if (*empty) return TSR_SUCCESS;
  TSR_CALL(tsr_k_check_in(who, "the input", in, out, s->reach, box));
  if (m == MODE_RESIDUAL) TSR_CALL(tsr_k_check_pointwise_in(who, "b", b, out, box));
  return TSR_SUCCESS;
}

/* ---- Optimised kernels ----------------------------------------------------------------- */

/* What a row function needs: point offsets in doubles along in's strides, and weights. */
typedef struct {
  const tsr_view *in, *b;
  double scale;
  int npoints;
  ptrdiff_t off[TSR_STENCIL_MAX_POINTS];
  double w[TSR_STENCIL_MAX_POINTS];
} table_ctx;

/* One row piece with N points (a compile-time constant after inlining) and epilogue M. */
static inline __attribute__((always_inline)) void fixed_row(const table_ctx *c, ptrdiff_t i0,
                                                            ptrdiff_t j, ptrdiff_t k, ptrdiff_t len,
                                                            double *dst, const int N,
                                                            const mode M) {
  const double *restrict u = c->in->data + tsr_k_offset(c->in, i0, j, k);
  const double *bp = M == MODE_RESIDUAL ? c->b->data + tsr_k_offset(c->b, i0, j, k) : NULL;
  const double scale = c->scale;
  enum { MAX_FIXED = 27 }; /* the longest fast path */
  ptrdiff_t o[MAX_FIXED];
  double w[MAX_FIXED];
  for (int p = 0; p < N; p++) {
    o[p] = c->off[p];
    w[p] = c->w[p];
  }
  TSR_OMP(simd)
  for (ptrdiff_t i = 0; i < len; i++) {
    double acc = w[0] * u[i + o[0]];
#pragma GCC unroll 32
    for (int p = 1; p < N; p++)
      acc += w[p] * u[i + o[p]];
    if (M == MODE_APPLY)
      dst[i] = acc;
    else if (M == MODE_UPDATE)
      dst[i] = u[i] + scale * acc;
    else
      dst[i] = bp[i] - acc;
  }
}

/* Any number of points: accumulate pieces of the row point by point in a local buffer (one
 * vectorised pass per point, the same order per cell), then apply the epilogue. */
enum { ACC_PIECE = 256 };

static inline __attribute__((always_inline)) void any_row(const table_ctx *c, ptrdiff_t i0,
                                                          ptrdiff_t j, ptrdiff_t k, ptrdiff_t len,
                                                          double *dst, const mode M) {
  _Alignas(TSR_ALIGN) double acc[ACC_PIECE];
  for (ptrdiff_t p0 = 0; p0 < len; p0 += ACC_PIECE) {
    const ptrdiff_t n = len - p0 < ACC_PIECE ? len - p0 : ACC_PIECE;
    const double *restrict u = c->in->data + tsr_k_offset(c->in, i0 + p0, j, k);
    {
      const double *restrict up = u + c->off[0];
      const double w = c->w[0];
      TSR_OMP(simd)
      for (ptrdiff_t i = 0; i < n; i++)
        acc[i] = w * up[i];
    }
    for (int p = 1; p < c->npoints; p++) {
      const double *restrict up = u + c->off[p];
      const double w = c->w[p];
      TSR_OMP(simd)
      for (ptrdiff_t i = 0; i < n; i++)
        acc[i] += w * up[i];
    }
    double *o = dst + p0;
    if (M == MODE_APPLY) {
      TSR_OMP(simd)
      for (ptrdiff_t i = 0; i < n; i++)
        o[i] = acc[i];
    } else if (M == MODE_UPDATE) {
      const double scale = c->scale;
      TSR_OMP(simd)
      for (ptrdiff_t i = 0; i < n; i++)
        o[i] = u[i] + scale * acc[i];
    } else {
      const double *bp = c->b->data + tsr_k_offset(c->b, i0 + p0, j, k);
      TSR_OMP(simd)
      for (ptrdiff_t i = 0; i < n; i++)
        o[i] = bp[i] - acc[i];
    }
  }
}

/* Row functions for each (table length, epilogue) pair with a fast path. */
#define FIXED_ROWS(N)                                                                              \
  TSR_K_CLONES static void row_apply_##N(const void *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k,    \
                                         ptrdiff_t n, double *dst) {                               \
    fixed_row(c, i0, j, k, n, dst, N, MODE_APPLY);                                                 \
  }                                                                                                \
  TSR_K_CLONES static void row_update_##N(const void *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k,   \
                                          ptrdiff_t n, double *dst) {                              \
    fixed_row(c, i0, j, k, n, dst, N, MODE_UPDATE);                                                \
  }                                                                                                \
  TSR_K_CLONES static void row_residual_##N(const void *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k, \
                                            ptrdiff_t n, double *dst) {                            \
    fixed_row(c, i0, j, k, n, dst, N, MODE_RESIDUAL);                                              \
  }
FIXED_ROWS(3)
FIXED_ROWS(5)
FIXED_ROWS(7)
FIXED_ROWS(9)
FIXED_ROWS(13)
FIXED_ROWS(17)
FIXED_ROWS(19)
FIXED_ROWS(25)
FIXED_ROWS(27)

TSR_K_CLONES static void row_apply_any(const void *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k,
                                       ptrdiff_t n, double *dst) {
  any_row(c, i0, j, k, n, dst, MODE_APPLY);
}
TSR_K_CLONES static void row_update_any(const void *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k,
                                        ptrdiff_t n, double *dst) {
  any_row(c, i0, j, k, n, dst, MODE_UPDATE);
}
TSR_K_CLONES static void row_residual_any(const void *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k,
                                          ptrdiff_t n, double *dst) {
  any_row(c, i0, j, k, n, dst, MODE_RESIDUAL);
}

/* ---- Direct streaming rows -------------------------------------------------------------
 * The fast paths again, with explicit vectors so that each computed vector is stored
 * non-temporally straight into the output row (no buffer, no second pass): cells up to the
 * first VEC-aligned output address and the tail go through the scalar fixed_cell(), the body
 * through VEC-wide loads, multiplies and adds in the table order. Lane for lane these are the
 * scalar operations (the file is built with -ffp-contract=off), so the bits are the same. */
#if defined(TSR_K_HAVE_NT_ROWS)
#include <immintrin.h>

static inline __attribute__((always_inline)) double fixed_cell(const double *u, const double *bp,
                                                               const ptrdiff_t *o, const double *w,
                                                               double scale, ptrdiff_t i,
                                                               const int N, const mode M) {
  double acc = w[0] * u[i + o[0]];
  for (int p = 1; p < N; p++)
    acc += w[p] * u[i + o[p]];
  if (M == MODE_APPLY) return acc;
  if (M == MODE_UPDATE) return u[i] + scale * acc;
  return bp[i] - acc;
}

#define NT_FIXED(SFX, ATTR, VT, W, SET1, LOADU, MUL, ADD, SUB, STREAM)                             \
  static inline __attribute__((always_inline))                                                     \
  ATTR void fixed_row_nt##SFX(const table_ctx *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k,          \
                              ptrdiff_t len, double *dst, const int N, const mode M) {             \
    const double *u = c->in->data + tsr_k_offset(c->in, i0, j, k);                                 \
    const double *bp = M == MODE_RESIDUAL ? c->b->data + tsr_k_offset(c->b, i0, j, k) : NULL;      \
    const double scale = c->scale;                                                                 \
    ptrdiff_t o[27];                                                                               \
    double w[27];                                                                                  \
    VT wv[27];                                                                                     \
    for (int p = 0; p < N; p++) {                                                                  \
      o[p] = c->off[p];                                                                            \
      w[p] = c->w[p];                                                                              \
      wv[p] = SET1(w[p]);                                                                          \
    }                                                                                              \
    const VT sv = SET1(scale);                                                                     \
    ptrdiff_t i = 0;                                                                               \
    for (; i < len && ((uintptr_t)(dst + i) & (W * 8 - 1)) != 0; i++)                              \
      dst[i] = fixed_cell(u, bp, o, w, scale, i, N, M);                                            \
    for (; i + W <= len; i += W) {                                                                 \
      VT acc = MUL(wv[0], LOADU(u + i + o[0]));                                                    \
      _Pragma("GCC unroll 32") for (int p = 1; p < N; p++) acc =                                   \
          ADD(acc, MUL(wv[p], LOADU(u + i + o[p])));                                               \
      if (M == MODE_UPDATE)                                                                        \
        acc = ADD(LOADU(u + i), MUL(sv, acc));                                                     \
      else if (M == MODE_RESIDUAL)                                                                 \
        acc = SUB(LOADU(bp + i), acc);                                                             \
      STREAM(dst + i, acc);                                                                        \
    }                                                                                              \
    for (; i < len; i++)                                                                           \
      dst[i] = fixed_cell(u, bp, o, w, scale, i, N, M);                                            \
  }
NT_FIXED(512, TSR_K_AVX512, __m512d, 8, _mm512_set1_pd, _mm512_loadu_pd, _mm512_mul_pd,
         _mm512_add_pd, _mm512_sub_pd, _mm512_stream_pd)
NT_FIXED(256, TSR_K_AVX2, __m256d, 4, _mm256_set1_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_add_pd,
         _mm256_sub_pd, _mm256_stream_pd)

#define NT_ROWS_W(N, SFX, ATTR)                                                                    \
  ATTR static void row_apply_##N##_nt##SFX(const void *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k,  \
                                           ptrdiff_t n, double *dst) {                             \
    fixed_row_nt##SFX(c, i0, j, k, n, dst, N, MODE_APPLY);                                         \
  }                                                                                                \
  ATTR static void row_update_##N##_nt##SFX(const void *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k, \
                                            ptrdiff_t n, double *dst) {                            \
    fixed_row_nt##SFX(c, i0, j, k, n, dst, N, MODE_UPDATE);                                        \
  }                                                                                                \
  ATTR static void row_residual_##N##_nt##SFX(const void *c, ptrdiff_t i0, ptrdiff_t j,            \
                                              ptrdiff_t k, ptrdiff_t n, double *dst) {             \
    fixed_row_nt##SFX(c, i0, j, k, n, dst, N, MODE_RESIDUAL);                                      \
  }
#define NT_ROWS(N) NT_ROWS_W(N, 512, TSR_K_AVX512) NT_ROWS_W(N, 256, TSR_K_AVX2)
NT_ROWS(3)
NT_ROWS(5)
NT_ROWS(7)
NT_ROWS(9)
NT_ROWS(13)
NT_ROWS(17)
NT_ROWS(19)
NT_ROWS(25)
NT_ROWS(27)
#define NT_ENTRY(N)                                                                                \
  {row_apply_##N##_nt512, row_update_##N##_nt512, row_residual_##N##_nt512}, {                     \
    row_apply_##N##_nt256, row_update_##N##_nt256, row_residual_##N##_nt256                        \
  }
#else
#define NT_ENTRY(N)                                                                                \
  {NULL, NULL, NULL}, {                                                                            \
    NULL, NULL, NULL                                                                               \
  }
#endif

/* The fast paths, by table length. */
static const struct {
  int npoints;
  tsr_k_row_fn row[3];   /* by mode */
  tsr_k_row_fn nt512[3]; /* direct streaming, AVX-512 */
  tsr_k_row_fn nt256[3]; /* direct streaming, AVX2 */
} fast_paths[] = {
    {3, {row_apply_3, row_update_3, row_residual_3}, NT_ENTRY(3)},
    {5, {row_apply_5, row_update_5, row_residual_5}, NT_ENTRY(5)},
    {7, {row_apply_7, row_update_7, row_residual_7}, NT_ENTRY(7)},
    {9, {row_apply_9, row_update_9, row_residual_9}, NT_ENTRY(9)},
    {13, {row_apply_13, row_update_13, row_residual_13}, NT_ENTRY(13)},
    {17, {row_apply_17, row_update_17, row_residual_17}, NT_ENTRY(17)},
    {19, {row_apply_19, row_update_19, row_residual_19}, NT_ENTRY(19)},
    {25, {row_apply_25, row_update_25, row_residual_25}, NT_ENTRY(25)},
    {27, {row_apply_27, row_update_27, row_residual_27}, NT_ENTRY(27)},
};

/* The row function for this table length and mode, and its direct streaming twin (NULL when
 * there is none: streaming then goes through the driver's buffer). */
static tsr_k_row_fn choose_row(int npoints, mode m, tsr_k_row_fn *nt) {
  const int width = tsr_k_nt_width();
  for (size_t f = 0; f < sizeof fast_paths / sizeof fast_paths[0]; f++)
    if (fast_paths[f].npoints == npoints) {
      *nt = width == 512 ? fast_paths[f].nt512[m] : width == 256 ? fast_paths[f].nt256[m] : NULL;
      return fast_paths[f].row[m];
    }
  static const tsr_k_row_fn any[3] = {row_apply_any, row_update_any, row_residual_any};
  *nt = NULL;
  return any[m];
}

static tsr_err run(const tsr_stencil *s, double scale, const tsr_view *b, const tsr_view *in,
                   const tsr_view *out, const tsr_box *box, mode m) {
  bool empty;
  TSR_CALL(check_args(s, b, in, out, box, m, &empty));
  if (empty) return TSR_SUCCESS;
  table_ctx ctx = {.in = in, .b = b, .scale = scale, .npoints = s->npoints};
  for (int p = 0; p < s->npoints; p++) {
    ctx.off[p] = tsr_k_offset(in, s->offset[p][0], s->offset[p][1], s->offset[p][2]);
    ctx.w[p] = s->weight[p];
  }
  const ptrdiff_t ni = (ptrdiff_t)(box->hi[0] - box->lo[0]);
  tsr_k_row_fn row_nt;
  const tsr_k_row_fn row = choose_row(s->npoints, m, &row_nt);
  const tsr_k_sweep sweep = {
      .box = *box,
      .out = out,
      .stream = s->stream,
      .in_row_bytes =
          (size_t)(ni + 2 * s->reach[0]) * sizeof(double) * (m == MODE_RESIDUAL ? 2 : 1),
      .reach = {s->reach[0], s->reach[1], s->reach[2]},
      .row = row,
      .row_nt = row_nt,
      .ctx = &ctx,
  };
  tsr_k_sweep_run(&sweep);
  return TSR_SUCCESS;
}

tsr_err tsr_stencil_apply(const tsr_stencil *s, const tsr_view *in, const tsr_view *out,
                          const tsr_box *box) {
  TSR_CALL(run(s, 0.0, NULL, in, out, box, MODE_APPLY));
  return TSR_SUCCESS;
}

tsr_err tsr_stencil_update(const tsr_stencil *s, double scale, const tsr_view *in,
                           const tsr_view *out, const tsr_box *box) {
  TSR_CALL(run(s, scale, NULL, in, out, box, MODE_UPDATE));
  return TSR_SUCCESS;
}

tsr_err tsr_stencil_residual(const tsr_stencil *s, const tsr_view *b, const tsr_view *x,
                             const tsr_view *r, const tsr_box *box) {
  TSR_CALL(run(s, 0.0, b, x, r, box, MODE_RESIDUAL));
  return TSR_SUCCESS;
}

/* ---- Reference kernels ------------------------------------------------------------------ */

static tsr_err run_ref(const tsr_stencil *s, double scale, const tsr_view *b, const tsr_view *in,
                       const tsr_view *out, const tsr_box *box, mode m) {
  bool empty;
  TSR_CALL(check_args(s, b, in, out, box, m, &empty));
  if (empty) return TSR_SUCCESS;
  for (ptrdiff_t k = (ptrdiff_t)box->lo[2]; k < (ptrdiff_t)box->hi[2]; k++)
    for (ptrdiff_t j = (ptrdiff_t)box->lo[1]; j < (ptrdiff_t)box->hi[1]; j++)
      for (ptrdiff_t i = (ptrdiff_t)box->lo[0]; i < (ptrdiff_t)box->hi[0]; i++) {
        double acc = 0.0;
        for (int p = 0; p < s->npoints; p++) {
          const int *o = s->offset[p];
          const double term = s->weight[p] * TSR_VIEW_AT(*in, i + o[0], j + o[1], k + o[2]);
          acc = p == 0 ? term : acc + term;
        }
        double *y = &TSR_VIEW_AT(*out, i, j, k);
        if (m == MODE_APPLY)
          *y = acc;
        else if (m == MODE_UPDATE)
          *y = TSR_VIEW_AT(*in, i, j, k) + scale * acc;
        else
          *y = TSR_VIEW_AT(*b, i, j, k) - acc;
      }
  return TSR_SUCCESS;
}

tsr_err tsr_stencil_apply_ref(const tsr_stencil *s, const tsr_view *in, const tsr_view *out,
                              const tsr_box *box) {
  TSR_CALL(run_ref(s, 0.0, NULL, in, out, box, MODE_APPLY));
  return TSR_SUCCESS;
}

tsr_err tsr_stencil_update_ref(const tsr_stencil *s, double scale, const tsr_view *in,
                               const tsr_view *out, const tsr_box *box) {
  TSR_CALL(run_ref(s, scale, NULL, in, out, box, MODE_UPDATE));
  return TSR_SUCCESS;
}

tsr_err tsr_stencil_residual_ref(const tsr_stencil *s, const tsr_view *b, const tsr_view *x,
                                 const tsr_view *r, const tsr_box *box) {
  TSR_CALL(run_ref(s, 0.0, b, x, r, box, MODE_RESIDUAL));
  return TSR_SUCCESS;
}
