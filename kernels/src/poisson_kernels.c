/* Node-local kernels of the Poisson solvers: operator, residual, smoother, transfers and the
 * fused vector updates of CG, each with per-plane partial sums in a fixed order (see
 * poisson_kernels.h). Built with -ffp-contract=off (kernels/CMakeLists.txt). */
#include "poisson_kernels.h"

enum {
  LANES = 8,  /* partial sums per row: element i goes to lane i % LANES */
  CHUNK = 256 /* cells per row chunk held in a stack buffer (a multiple of LANES) */
};

/* Pointer to local cell (i, j, k) of a view. */
#define PK_AT(v, i, j, k) ((v)->data + (i) + (ptrdiff_t)(j) * (v)->sj + (ptrdiff_t)(k) * (v)->sk)

/* (A x)(i) in the one order every kernel uses. */
static inline double apply_cell(double diag, double o0, double o1, double o2,
                                const double *restrict x, ptrdiff_t i, ptrdiff_t sj, ptrdiff_t sk) {
  double t = o0 * (x[i - 1] + x[i + 1]);
  t += o1 * (x[i - sj] + x[i + sj]);
  t += o2 * (x[i - sk] + x[i + sk]);
  return diag * x[i] - t;
}

/* Add a[i] b[i] into lane i % LANES for i < n; a and b start at a multiple of LANES from the
 * row's first cell. */
static inline void lanes_dot(double s[LANES], const double *restrict a, const double *restrict b,
                             ptrdiff_t n) {
  ptrdiff_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int l = 0; l < LANES; l++)
      s[l] += a[i + l] * b[i + l];
  for (int l = 0; i + l < n; l++)
    s[l] += a[i + l] * b[i + l];
}

/* The row sum: the lanes combined in a fixed tree. */
static inline double lanes_total(const double s[LANES]) {
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static inline void lanes_clear(double s[][LANES], int m) {
  for (int c = 0; c < m; c++)
    for (int l = 0; l < LANES; l++)
      s[c][l] = 0.0;
}

/* The loop nest every kernel shares: planes over threads, rows in j order. ROW is run for
 * each row with j, k and the row's first local i (i0) and length (ni) in scope; it adds into
 * the lanes s[m][LANES]; the plane partials collect the row totals in j order. The row body
 * is the variadic tail, so it may hold commas. */
#define PK_FOR_ROWS(box, m, partial, ...)                                                          \
  do {                                                                                             \
    const int pk_i0 = (int)(box)->lo[0];                                                           \
    const ptrdiff_t pk_ni = (ptrdiff_t)((box)->hi[0] - (box)->lo[0]);                              \
    const int pk_j0 = (int)(box)->lo[1], pk_j1 = (int)(box)->hi[1];                                \
    const int pk_k0 = (int)(box)->lo[2], pk_k1 = (int)(box)->hi[2];                                \
    if (pk_ni <= 0 || pk_j1 <= pk_j0 || pk_k1 <= pk_k0) break;                                     \
    TSR_OMP(parallel for schedule(static))                                                         \
    for (int k = pk_k0; k < pk_k1; k++) {                                                          \
      double plane[4] = {0.0, 0.0, 0.0, 0.0};                                                      \
      for (int j = pk_j0; j < pk_j1; j++) {                                                        \
        double s[4][LANES];                                                                        \
        lanes_clear(s, (m));                                                                       \
        const int i0 = pk_i0;                                                                      \
        const ptrdiff_t ni = pk_ni;                                                                \
        __VA_ARGS__;                                                                               \
        for (int pk_c = 0; pk_c < (m); pk_c++)                                                     \
          plane[pk_c] += lanes_total(s[pk_c]);                                                     \
      }                                                                                            \
      if (partial)                                                                                 \
        for (int pk_c = 0; pk_c < (m); pk_c++)                                                     \
          (partial)[(ptrdiff_t)k * (m) + pk_c] += plane[pk_c];                                     \
    }                                                                                              \
  } while (0)

/* The same loop nest without sums. */
#define PK_FOR_ROWS_NOSUM(box, ...)                                                                \
  do {                                                                                             \
    const int i0 = (int)(box)->lo[0];                                                              \
    const ptrdiff_t ni = (ptrdiff_t)((box)->hi[0] - (box)->lo[0]);                                 \
    const int pk_j0 = (int)(box)->lo[1], pk_j1 = (int)(box)->hi[1];                                \
    const int pk_k0 = (int)(box)->lo[2], pk_k1 = (int)(box)->hi[2];                                \
    if (ni <= 0 || pk_j1 <= pk_j0 || pk_k1 <= pk_k0) break;                                        \
    TSR_OMP(parallel for schedule(static))                                                         \
    for (int k = pk_k0; k < pk_k1; k++)                                                            \
      for (int j = pk_j0; j < pk_j1; j++) {                                                        \
        __VA_ARGS__;                                                                               \
      }                                                                                            \
  } while (0)

void pk_apply(const pk_coef *c, const tsr_view *x, const tsr_view *y, const tsr_view *r,
              const tsr_box *box, double *partial) {
  const double dg = c->diag, o0 = c->off[0], o1 = c->off[1], o2 = c->off[2];
  const ptrdiff_t sj = x->sj, sk = x->sk;
  const int m = r ? 3 : 1;
  PK_FOR_ROWS(box, m, partial, {
    const double *restrict xr = PK_AT(x, i0, j, k);
    double *restrict yr = PK_AT(y, i0, j, k);
    for (ptrdiff_t i = 0; i < ni; i++)
      yr[i] = apply_cell(dg, o0, o1, o2, xr, i, sj, sk);
    if (partial) {
      lanes_dot(s[0], xr, yr, ni);
      if (r) {
        const double *restrict rr = PK_AT(r, i0, j, k);
        lanes_dot(s[1], rr, xr, ni);
        lanes_dot(s[2], rr, rr, ni);
      }
    }
  });
}

void pk_residual(const pk_coef *c, const tsr_view *b, const tsr_view *x, const tsr_view *r,
                 const tsr_box *box, double *prr) {
  const double dg = c->diag, o0 = c->off[0], o1 = c->off[1], o2 = c->off[2];
  const ptrdiff_t sj = x->sj, sk = x->sk;
  PK_FOR_ROWS(box, 1, prr, {
    const double *restrict xr = PK_AT(x, i0, j, k);
    const double *restrict br = PK_AT(b, i0, j, k);
    double *restrict rr = PK_AT(r, i0, j, k);
    for (ptrdiff_t i = 0; i < ni; i++)
      rr[i] = br[i] - apply_cell(dg, o0, o1, o2, xr, i, sj, sk);
    if (prr) lanes_dot(s[0], rr, rr, ni);
  });
}

/* One row of the smoother in chunks, keeping the residual of a chunk for its norm. */
static inline void smooth_row(double dg, double o0, double o1, double o2, double a, double beta,
                              const double *restrict br, const double *restrict xr,
                              const double *xpr, double *outr, ptrdiff_t ni, ptrdiff_t sj,
                              ptrdiff_t sk, double *lanes) {
  double res[CHUNK];
  for (ptrdiff_t c0 = 0; c0 < ni; c0 += CHUNK) {
    const ptrdiff_t n = ni - c0 < CHUNK ? ni - c0 : CHUNK;
    const double *restrict xc = xr + c0;
    const double *restrict bc = br + c0;
    for (ptrdiff_t i = 0; i < n; i++)
      res[i] = bc[i] - apply_cell(dg, o0, o1, o2, xc, i, sj, sk);
    if (xpr) {
      for (ptrdiff_t i = 0; i < n; i++) {
        const double xi = xc[i];
        outr[c0 + i] = (xi + beta * (xi - xpr[c0 + i])) + a * res[i];
      }
    } else { /* x_prev = 0: the same arithmetic, with xi - 0.0 == xi */
      for (ptrdiff_t i = 0; i < n; i++) {
        const double xi = xc[i];
        outr[c0 + i] = (xi + beta * xi) + a * res[i];
      }
    }
    if (lanes) lanes_dot(lanes, res, res, n);
  }
}

void pk_smooth(const pk_coef *c, const tsr_view *b, const tsr_view *x, const tsr_view *xp,
               const tsr_view *out, double alpha, double beta, const tsr_box *box, double *prr) {
  const double dg = c->diag, o0 = c->off[0], o1 = c->off[1], o2 = c->off[2];
  const double a = alpha * c->inv_diag;
  if (!x) { /* zero initial guess: out = a b, and |b - A 0|^2 = |b|^2 */
    PK_FOR_ROWS(box, 1, prr, {
      const double *restrict br = PK_AT(b, i0, j, k);
      double *restrict outr = PK_AT(out, i0, j, k);
      for (ptrdiff_t i = 0; i < ni; i++)
        outr[i] = a * br[i];
      if (prr) lanes_dot(s[0], br, br, ni);
    });
    return;
  }
  const ptrdiff_t sj = x->sj, sk = x->sk;
  PK_FOR_ROWS(box, 1, prr, {
    smooth_row(dg, o0, o1, o2, a, beta, PK_AT(b, i0, j, k), PK_AT(x, i0, j, k),
               xp ? PK_AT(xp, i0, j, k) : NULL, PK_AT(out, i0, j, k), ni, sj, sk,
               prr ? s[0] : NULL);
  });
}

/* Weights of fine offset d in {-1, 0, 1} around a coarse point, per axis. */
static const double fw[3] = {0.25, 0.5, 0.25};

void pk_restrict(const tsr_view *rf, const tsr_view *bc, const tsr_box *cbox) {
  const ptrdiff_t sj = rf->sj, sk = rf->sk;
  /* fine local index of coarse local index I along axis a: 2 (lo_c + I) + 1 - lo_f */
  tsr_gidx off[3];
  for (int a = 0; a < 3; a++)
    off[a] = 2 * bc->box.lo[a] + 1 - rf->box.lo[a];
  const int ci0 = (int)cbox->lo[0], ci1 = (int)cbox->hi[0];
  const int cj0 = (int)cbox->lo[1], cj1 = (int)cbox->hi[1];
  const int ck0 = (int)cbox->lo[2], ck1 = (int)cbox->hi[2];
  if (ci1 <= ci0 || cj1 <= cj0 || ck1 <= ck0) return;
  TSR_OMP(parallel for schedule(static))
  for (int K = ck0; K < ck1; K++)
    for (int J = cj0; J < cj1; J++) {
      double sum[2 * CHUNK + 1];
      const ptrdiff_t fk = 2 * (ptrdiff_t)K + off[2], fj = 2 * (ptrdiff_t)J + off[1];
      double *restrict out = PK_AT(bc, 0, J, K);
      for (int I0 = ci0; I0 < ci1; I0 += CHUNK) {
        const int nI = ci1 - I0 < CHUNK ? ci1 - I0 : CHUNK;
        const ptrdiff_t fi0 = 2 * (ptrdiff_t)I0 + off[0] - 1; /* first fine cell read */
        const ptrdiff_t nf = 2 * (ptrdiff_t)nI + 1;
        /* sum(i) = the 9 fine rows around (fj, fk) weighted, in a fixed order */
        for (ptrdiff_t i = 0; i < nf; i++)
          sum[i] = 0.0;
        for (int dk = -1; dk <= 1; dk++)
          for (int dj = -1; dj <= 1; dj++) {
            const double w = fw[dk + 1] * fw[dj + 1];
            const double *restrict row = rf->data + fi0 + (fj + dj) * sj + (fk + dk) * sk;
            for (ptrdiff_t i = 0; i < nf; i++)
              sum[i] += w * row[i];
          }
        for (int I = 0; I < nI; I++)
          out[I0 + I] = (0.25 * sum[2 * I] + 0.5 * sum[2 * I + 1]) + 0.25 * sum[2 * I + 2];
      }
    }
}

/* Coarse cells (c[0], c[1]) and weights (w[0], w[1]) of fine global index g along an axis:
 * odd g sits on coarse (g-1)/2; even g halfway between g/2-1 and g/2. */
static inline int prolong_stencil(tsr_gidx g, tsr_gidx c[2], double w[2]) {
  if (g & 1) {
    c[0] = (g - 1) / 2;
    w[0] = 1.0;
    return 1;
  }
  c[0] = g / 2 - 1;
  c[1] = g / 2;
  w[0] = w[1] = 0.5;
  return 2;
}

void pk_prolong_add(const tsr_view *xc, const tsr_view *xf, const tsr_box *fbox) {
  const int i0 = (int)fbox->lo[0], i1 = (int)fbox->hi[0];
  const int j0 = (int)fbox->lo[1], j1 = (int)fbox->hi[1];
  const int k0 = (int)fbox->lo[2], k1 = (int)fbox->hi[2];
  if (i1 <= i0 || j1 <= j0 || k1 <= k0) return;
  TSR_OMP(parallel for schedule(static))
  for (int k = k0; k < k1; k++)
    for (int j = j0; j < j1; j++) {
      tsr_gidx cj[2], ck[2];
      double wj[2], wk[2];
      const int nj = prolong_stencil(xf->box.lo[1] + j, cj, wj);
      const int nk = prolong_stencil(xf->box.lo[2] + k, ck, wk);
      double line[CHUNK + 2];
      double *restrict out = PK_AT(xf, 0, j, k);
      for (int c0 = i0; c0 < i1; c0 += 2 * CHUNK) {
        const int c1 = i1 - c0 < 2 * CHUNK ? i1 : c0 + 2 * CHUNK;
        /* coarse global cells touched by fine global [g0, g1): floor((g0-1)/2) .. */
        const tsr_gidx g0 = xf->box.lo[0] + c0, g1 = xf->box.lo[0] + c1;
        const tsr_gidx cg0 = (g0 - 1 - ((g0 - 1) < 0)) / 2; /* floor((g0 - 1) / 2) */
        const tsr_gidx cg1 = g1 / 2;                        /* last coarse cell read */
        const ptrdiff_t nl = (ptrdiff_t)(cg1 - cg0 + 1);
        for (ptrdiff_t I = 0; I < nl; I++)
          line[I] = 0.0;
        for (int b = 0; b < nk; b++)
          for (int a = 0; a < nj; a++) {
            const double w = wk[b] * wj[a];
            const double *restrict row =
                PK_AT(xc, cg0 - xc->box.lo[0], cj[a] - xc->box.lo[1], ck[b] - xc->box.lo[2]);
            for (ptrdiff_t I = 0; I < nl; I++)
              line[I] += w * row[I];
          }
        for (int i = c0; i < c1; i++) {
          const tsr_gidx g = xf->box.lo[0] + i;
          const ptrdiff_t I = (ptrdiff_t)((g - 1 - ((g - 1) < 0)) / 2 - cg0);
          out[i] += (g & 1) ? line[I] : 0.5 * line[I] + 0.5 * line[I + 1];
        }
      }
    }
}

void pk_cg_update(const tsr_view *u, const tsr_view *w, const tsr_view *p, const tsr_view *s_,
                  const tsr_view *x, const tsr_view *r, double alpha, double beta, double inv_diag,
                  const tsr_box *box, double *partial) {
  PK_FOR_ROWS(box, 2, partial, {
    double *restrict ur = PK_AT(u, i0, j, k);
    const double *restrict wr = PK_AT(w, i0, j, k);
    double *restrict pr = PK_AT(p, i0, j, k);
    double *restrict sr = PK_AT(s_, i0, j, k);
    double *restrict xr = PK_AT(x, i0, j, k);
    double *restrict rr = PK_AT(r, i0, j, k);
    for (ptrdiff_t i = 0; i < ni; i++) {
      const double pi = ur[i] + beta * pr[i];
      const double si = wr[i] + beta * sr[i];
      pr[i] = pi;
      sr[i] = si;
      xr[i] += alpha * pi;
      rr[i] -= alpha * si;
    }
    if (inv_diag > 0) {
      for (ptrdiff_t i = 0; i < ni; i++)
        ur[i] = inv_diag * rr[i];
      if (partial) lanes_dot(s[0], rr, ur, ni);
    }
    if (partial) lanes_dot(s[1], rr, rr, ni);
  });
}

void pk_pipecg_update(const tsr_view *v[10], double alpha, double beta, const tsr_box *box,
                      double *partial) {
  /* v: x r u w m n z q s p */
  PK_FOR_ROWS(box, 3, partial, {
    double *restrict x = PK_AT(v[0], i0, j, k), *restrict r = PK_AT(v[1], i0, j, k);
    double *restrict u = PK_AT(v[2], i0, j, k), *restrict w = PK_AT(v[3], i0, j, k);
    const double *restrict mm = PK_AT(v[4], i0, j, k), *restrict nn = PK_AT(v[5], i0, j, k);
    double *restrict z = PK_AT(v[6], i0, j, k), *restrict q = PK_AT(v[7], i0, j, k);
    double *restrict sv = PK_AT(v[8], i0, j, k), *restrict p = PK_AT(v[9], i0, j, k);
    for (ptrdiff_t i = 0; i < ni; i++) {
      const double zi = nn[i] + beta * z[i], qi = mm[i] + beta * q[i];
      const double si = w[i] + beta * sv[i], pi = u[i] + beta * p[i];
      z[i] = zi;
      q[i] = qi;
      sv[i] = si;
      p[i] = pi;
      x[i] += alpha * pi;
      r[i] -= alpha * si;
      u[i] -= alpha * qi;
      w[i] -= alpha * zi;
    }
    lanes_dot(s[0], r, u, ni);
    lanes_dot(s[1], w, u, ni);
    lanes_dot(s[2], r, r, ni);
  });
}

void pk_dots3(const tsr_view *r, const tsr_view *u, const tsr_view *w, const tsr_box *box,
              double *partial) {
  PK_FOR_ROWS(box, 3, partial, {
    const double *restrict rr = PK_AT(r, i0, j, k), *restrict ur = PK_AT(u, i0, j, k);
    const double *restrict wr = PK_AT(w, i0, j, k);
    lanes_dot(s[0], rr, ur, ni);
    lanes_dot(s[1], wr, ur, ni);
    lanes_dot(s[2], rr, rr, ni);
  });
}

void pk_scale(const tsr_view *x, const tsr_view *y, double a, const tsr_box *box) {
  PK_FOR_ROWS_NOSUM(box, {
    const double *xr = PK_AT(x, i0, j, k);
    double *yr = PK_AT(y, i0, j, k);
    for (ptrdiff_t i = 0; i < ni; i++)
      yr[i] = a * xr[i];
  });
}

void pk_copy(const tsr_view *x, const tsr_view *y, const tsr_box *box) {
  PK_FOR_ROWS_NOSUM(box, {
    const double *restrict xr = PK_AT(x, i0, j, k);
    double *restrict yr = PK_AT(y, i0, j, k);
    for (ptrdiff_t i = 0; i < ni; i++)
      yr[i] = xr[i];
  });
}

void pk_zero(const tsr_view *y, const tsr_box *box) {
  PK_FOR_ROWS_NOSUM(box, {
    double *restrict yr = PK_AT(y, i0, j, k);
    for (ptrdiff_t i = 0; i < ni; i++)
      yr[i] = 0.0;
  });
}
