/* The variable-coefficient diffusion operator A u = -div(k grad u), cell-centred, with
 * harmonic-mean face coefficients; optimised and reference.
 *
 * Both versions evaluate, for each cell and axis a from 0,
 *     kf(x, y) = ((2 k(x)) k(y)) / (k(x) + k(y)),
 *     t_a = ((kf(x, x-e_a) (u(x) - u(x-e_a))) + (kf(x, x+e_a) (u(x) - u(x+e_a)))) * ih2[a],
 * with acc = t_0, then acc += t_1, acc += t_2, and the epilogue (apply: acc; residual: b - acc).
 * (2 k(x)) k(y) and (2 k(y)) k(x) are both the exact double of the rounded k(x) k(y), so
 * kf is the same bits seen from either side of a face and the matrix is exactly symmetric. */
#include "stencil_sweep.h"

static const char who[] = "diffusion kernel";

typedef enum { MODE_APPLY, MODE_RESIDUAL } mode;

static inline double face(double kx, double ky) {
  return 2.0 * kx * ky / (kx + ky);
}

static tsr_err check_args(const tsr_diffusion *d, const tsr_view *k, const tsr_view *b,
                          const tsr_view *in, const tsr_view *out, const tsr_box *box, mode m,
                          bool *empty) {
  if (!d || !k || !in) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: NULL argument", who);
  if (d->dim < 1 || d->dim > TSR_MAX_DIM)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: dim %d, expected 1, 2 or 3", who, d->dim);
  for (int a = 0; a < d->dim; a++)
    if (!(d->h[a] > 0.0))
      TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: h[%d] = %g, expected > 0", who, a, d->h[a]);
  if (m == MODE_RESIDUAL && !b) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: NULL right-hand side b", who);
  TSR_CALL(tsr_k_check_out(who, out, box, empty));
  if (*empty) return TSR_SUCCESS;
  const int reach[TSR_MAX_DIM] = {1, d->dim > 1, d->dim > 2};
  TSR_CALL(tsr_k_check_in(who, "the input", in, out, reach, box));
  TSR_CALL(tsr_k_check_in(who, "the coefficient k", k, out, reach, box));
  if (m == MODE_RESIDUAL) TSR_CALL(tsr_k_check_pointwise_in(who, "b", b, out, box));
  return TSR_SUCCESS;
}

/* ---- Optimised ------------------------------------------------------------------------- */

typedef struct {
  const tsr_view *k, *in, *b;
  double ih2[TSR_MAX_DIM];
} diff_ctx;

/* One row piece in dim D with epilogue M (both compile-time constants after inlining). */
static inline __attribute__((always_inline)) void diff_row(const diff_ctx *c, ptrdiff_t i0,
                                                           ptrdiff_t j, ptrdiff_t k, ptrdiff_t len,
                                                           double *dst, const int D, const mode M) {
  const double *restrict u = c->in->data + tsr_k_offset(c->in, i0, j, k);
  const double *restrict kc = c->k->data + tsr_k_offset(c->k, i0, j, k);
  const double *bp = M == MODE_RESIDUAL ? c->b->data + tsr_k_offset(c->b, i0, j, k) : NULL;
  const ptrdiff_t usj = c->in->sj, usk = c->in->sk, ksj = c->k->sj, ksk = c->k->sk;
  const double ih0 = c->ih2[0], ih1 = c->ih2[1], ih2 = c->ih2[2];
  TSR_OMP(simd)
  for (ptrdiff_t i = 0; i < len; i++) {
    const double u0 = u[i], k0 = kc[i];
    double acc =
        (face(k0, kc[i - 1]) * (u0 - u[i - 1]) + face(k0, kc[i + 1]) * (u0 - u[i + 1])) * ih0;
    if (D > 1)
      acc +=
          (face(k0, kc[i - ksj]) * (u0 - u[i - usj]) + face(k0, kc[i + ksj]) * (u0 - u[i + usj])) *
          ih1;
    if (D > 2)
      acc +=
          (face(k0, kc[i - ksk]) * (u0 - u[i - usk]) + face(k0, kc[i + ksk]) * (u0 - u[i + usk])) *
          ih2;
    dst[i] = M == MODE_APPLY ? acc : bp[i] - acc;
  }
}

#define DIFF_ROWS(D)                                                                               \
  TSR_K_CLONES static void row_apply_##D(const void *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k,    \
                                         ptrdiff_t n, double *dst) {                               \
    diff_row(c, i0, j, k, n, dst, D, MODE_APPLY);                                                  \
  }                                                                                                \
  TSR_K_CLONES static void row_residual_##D(const void *c, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k, \
                                            ptrdiff_t n, double *dst) {                            \
    diff_row(c, i0, j, k, n, dst, D, MODE_RESIDUAL);                                               \
  }
DIFF_ROWS(1)
DIFF_ROWS(2)
DIFF_ROWS(3)

static const tsr_k_row_fn rows[2][3] = {{row_apply_1, row_apply_2, row_apply_3},
                                        {row_residual_1, row_residual_2, row_residual_3}};

static tsr_err run(const tsr_diffusion *d, const tsr_view *k, const tsr_view *b, const tsr_view *in,
                   const tsr_view *out, const tsr_box *box, mode m) {
  bool empty;
  TSR_CALL(check_args(d, k, b, in, out, box, m, &empty));
  if (empty) return TSR_SUCCESS;
  diff_ctx ctx = {.k = k, .in = in, .b = b, .ih2 = {0.0, 0.0, 0.0}};
  for (int a = 0; a < d->dim; a++)
    ctx.ih2[a] = 1.0 / (d->h[a] * d->h[a]);
  const ptrdiff_t ni = (ptrdiff_t)(box->hi[0] - box->lo[0]);
  const tsr_k_sweep sweep = {
      .box = *box,
      .out = out,
      .stream = d->stream,
      .in_row_bytes = (size_t)(ni + 2) * sizeof(double) * (m == MODE_RESIDUAL ? 3 : 2),
      .reach = {1, d->dim > 1, d->dim > 2},
      .row = rows[m][d->dim - 1],
      .ctx = &ctx,
  };
  tsr_k_sweep_run(&sweep);
  return TSR_SUCCESS;
}

tsr_err tsr_diffusion_apply(const tsr_diffusion *d, const tsr_view *k, const tsr_view *in,
                            const tsr_view *out, const tsr_box *box) {
  TSR_CALL(run(d, k, NULL, in, out, box, MODE_APPLY));
  return TSR_SUCCESS;
}

tsr_err tsr_diffusion_residual(const tsr_diffusion *d, const tsr_view *k, const tsr_view *b,
                               const tsr_view *x, const tsr_view *r, const tsr_box *box) {
  TSR_CALL(run(d, k, b, x, r, box, MODE_RESIDUAL));
  return TSR_SUCCESS;
}

/* ---- Reference ------------------------------------------------------------------------- */

static tsr_err run_ref(const tsr_diffusion *d, const tsr_view *kv, const tsr_view *b,
                       const tsr_view *in, const tsr_view *out, const tsr_box *box, mode m) {
  bool empty;
  TSR_CALL(check_args(d, kv, b, in, out, box, m, &empty));
  if (empty) return TSR_SUCCESS;
  double ih2[TSR_MAX_DIM];
  for (int a = 0; a < d->dim; a++)
    ih2[a] = 1.0 / (d->h[a] * d->h[a]);
  for (ptrdiff_t k = (ptrdiff_t)box->lo[2]; k < (ptrdiff_t)box->hi[2]; k++)
    for (ptrdiff_t j = (ptrdiff_t)box->lo[1]; j < (ptrdiff_t)box->hi[1]; j++)
      for (ptrdiff_t i = (ptrdiff_t)box->lo[0]; i < (ptrdiff_t)box->hi[0]; i++) {
        const double u0 = TSR_VIEW_AT(*in, i, j, k), k0 = TSR_VIEW_AT(*kv, i, j, k);
        double acc = 0.0;
        for (int a = 0; a < d->dim; a++) {
          const ptrdiff_t e[TSR_MAX_DIM] = {a == 0, a == 1, a == 2};
          const double km = TSR_VIEW_AT(*kv, i - e[0], j - e[1], k - e[2]);
          const double kp = TSR_VIEW_AT(*kv, i + e[0], j + e[1], k + e[2]);
          const double um = TSR_VIEW_AT(*in, i - e[0], j - e[1], k - e[2]);
          const double up = TSR_VIEW_AT(*in, i + e[0], j + e[1], k + e[2]);
          const double t = (face(k0, km) * (u0 - um) + face(k0, kp) * (u0 - up)) * ih2[a];
          acc = a == 0 ? t : acc + t;
        }
        double *y = &TSR_VIEW_AT(*out, i, j, k);
        *y = m == MODE_APPLY ? acc : TSR_VIEW_AT(*b, i, j, k) - acc;
      }
  return TSR_SUCCESS;
}

tsr_err tsr_diffusion_apply_ref(const tsr_diffusion *d, const tsr_view *k, const tsr_view *in,
                                const tsr_view *out, const tsr_box *box) {
  TSR_CALL(run_ref(d, k, NULL, in, out, box, MODE_APPLY));
  return TSR_SUCCESS;
}

tsr_err tsr_diffusion_residual_ref(const tsr_diffusion *d, const tsr_view *k, const tsr_view *b,
                                   const tsr_view *x, const tsr_view *r, const tsr_box *box) {
  TSR_CALL(run_ref(d, k, b, x, r, box, MODE_RESIDUAL));
  return TSR_SUCCESS;
}
