/* Node-local vector kernels: one fused engine (updates, then reductions, row by row) and its
 * reference twin; the named operations of vec.h are thin forms of it.
 *
 * The order of summation is the one vec.h specifies: four interleaved accumulators per row
 * segment, rows added in j order into their plane, units (planes, rows or segments) added in
 * unit order. Units are the unit of work of a thread, so a partial never depends on how many
 * threads share the units. The reference twin sums in the same order with plain loops, after
 * applying the updates one at a time over the whole box: the fused engine must equal that. */
#include <math.h>
#include <string.h>

#include "tessera/kernels/vec.h"
#include "vec_impl.h"

/* Units of a box processed in one parallel batch; their partials live on the stack
 * (VEC_BATCH * TSR_VEC_MAX_REDUCTIONS doubles, 32 KiB). */
enum { VEC_BATCH = 256 };

static ptrdiff_t offset(const tsr_view *v, tsr_gidx i, tsr_gidx j, tsr_gidx k) {
  return (ptrdiff_t)i + (ptrdiff_t)j * v->sj + (ptrdiff_t)k * v->sk;
}

/* ---------------------------------------------------------------------------------------- */
/* Checks                                                                                     */
/* ---------------------------------------------------------------------------------------- */

/* First and one-past-last element the box touches in view @p v, for the overlap check. */
static void view_span(const tsr_view *v, const tsr_box *b, uintptr_t *first, uintptr_t *end) {
  *first = (uintptr_t)(v->data + offset(v, b->lo[0], b->lo[1], b->lo[2]));
  *end = (uintptr_t)(v->data + offset(v, b->hi[0] - 1, b->hi[1] - 1, b->hi[2] - 1) + 1);
}

/* A written view may be the same storage as another view of the call (same data pointer and
 * strides) but may not overlap it otherwise. */
static tsr_err check_alias(const tsr_view *w, const tsr_view *o, const tsr_box *box) {
  if (w->data == o->data) {
    if (w->sj == o->sj && w->sk == o->sk) return TSR_SUCCESS;
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: two views share a first cell but not their strides");
  }
  uintptr_t wf, we, of, oe;
  view_span(w, box, &wf, &we);
  view_span(o, box, &of, &oe);
  if (wf < oe && of < we)
    TSR_ERROR_LOCAL(TSR_ERR_ARG,
                    "vec: a written view overlaps another view of the call without being the "
                    "same storage");
  return TSR_SUCCESS;
}

static tsr_err check_view(const tsr_view *v, const tsr_view *first, const tsr_box *box,
                          const char *what, int index) {
  if (!v) TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: %s %d has a NULL view", what, index);
  if (!v->data)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: %s %d: view without data (field not set up?)", what, index);
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    if (v->n[a] != first->n[a])
      TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: %s %d has %d cells on axis %d, another view %d", what,
                      index, v->n[a], a, first->n[a]);
    if (box->lo[a] < 0 || box->hi[a] > v->n[a])
      TSR_ERROR_LOCAL(TSR_ERR_ARG,
                      "vec: box [%lld, %lld) on axis %d is outside the owned cells [0, %d)",
                      (long long)box->lo[a], (long long)box->hi[a], a, v->n[a]);
  }
  return TSR_SUCCESS;
}

/* The first view of the call, to compare extents against. */
static const tsr_view *first_view(const vec_call *c) {
  if (c->nupd > 0) return c->upd[0].w;
  return c->red[0].x;
}

static tsr_err check_counts(const vec_call *c) {
  if (!c->box) TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: the box is NULL");
  if (c->nupd < 0 || c->nupd > TSR_VEC_MAX_UPDATES)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: %d updates, expected 0 to %d", c->nupd, TSR_VEC_MAX_UPDATES);
  if (c->nred < 0 || c->nred > TSR_VEC_MAX_REDUCTIONS)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: %d reductions, expected 0 to %d", c->nred,
                    TSR_VEC_MAX_REDUCTIONS);
  if (c->nupd > 0 && !c->upd)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: NULL update list for %d updates", c->nupd);
  if (c->nred > 0 && (!c->red || !c->result))
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: NULL reduction list or result for %d reductions", c->nred);
  for (int u = 0; u < c->nupd; u++)
    if (!c->upd[u].w) TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: update %d has a NULL view", u);
  for (int r = 0; r < c->nred; r++) {
    if (c->red[r].kind != TSR_VEC_DOT && c->red[r].kind != TSR_VEC_MAXABS)
      TSR_ERROR_LOCAL(TSR_ERR_ARG,
                      "vec: reduction %d has kind %d, expected TSR_VEC_DOT (0) or "
                      "TSR_VEC_MAXABS (1)",
                      r, (int)c->red[r].kind);
    if (!c->red[r].x) TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: reduction %d has a NULL view", r);
  }
  return TSR_SUCCESS;
}

/* Check every view and the aliasing rule; *empty when there is nothing to do. */
static tsr_err check_call(const vec_call *c, bool *empty) {
  TSR_CALL(check_counts(c));
  *empty = true;
  if (c->nupd == 0 && c->nred == 0) return TSR_SUCCESS;
  const tsr_view *f = first_view(c);
  if (!f) TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: NULL view");
  for (int u = 0; u < c->nupd; u++) {
    const vec_update_ *p = &c->upd[u];
    if (p->form != VEC_SET && !p->x && !p->y)
      TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: update %d has neither x nor y", u);
    TSR_CALL(check_view(p->w, f, c->box, "update", u));
    if (p->x) TSR_CALL(check_view(p->x, f, c->box, "update x of", u));
    if (p->y) TSR_CALL(check_view(p->y, f, c->box, "update y of", u));
  }
  for (int r = 0; r < c->nred; r++) {
    TSR_CALL(check_view(c->red[r].x, f, c->box, "reduction", r));
    if (c->red[r].kind == TSR_VEC_DOT) {
      if (!c->red[r].y) TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: dot %d has a NULL second view", r);
      TSR_CALL(check_view(c->red[r].y, f, c->box, "reduction y of", r));
    }
  }
  *empty = tsr_box_is_empty(c->box);
  if (*empty) return TSR_SUCCESS;
  /* Every written view against every other view of the call. */
  for (int u = 0; u < c->nupd; u++) {
    const tsr_view *w = c->upd[u].w;
    for (int v = 0; v < c->nupd; v++) {
      const vec_update_ *p = &c->upd[v];
      if (v != u) TSR_CALL(check_alias(w, p->w, c->box));
      if (p->x) TSR_CALL(check_alias(w, p->x, c->box));
      if (p->y) TSR_CALL(check_alias(w, p->y, c->box));
    }
    for (int r = 0; r < c->nred; r++) {
      TSR_CALL(check_alias(w, c->red[r].x, c->box));
      if (c->red[r].kind == TSR_VEC_DOT) TSR_CALL(check_alias(w, c->red[r].y, c->box));
    }
  }
  return TSR_SUCCESS;
}

/* The form of a public update, chosen once per call so row loops are branch-free. */
static vec_form update_form(const tsr_vec_update *u) {
  if (u->x && u->y) return u->b == 1.0 ? VEC_AXPY : VEC_AXPBY;
  if (u->x) return VEC_AX;
  return VEC_BY;
}

/* ---------------------------------------------------------------------------------------- */
/* Rows                                                                                       */
/* ---------------------------------------------------------------------------------------- */

/* One update on a row of @p n cells starting at local (i, j, k). a*x + y equals a*x + 1.0*y
 * bit for bit (the product by one is exact), so VEC_AXPY is only a faster VEC_AXPBY. */
static inline void update_row(const vec_update_ *p, tsr_gidx i, tsr_gidx j, tsr_gidx k,
                              ptrdiff_t n) {
  double *w = p->w->data + offset(p->w, i, j, k);
  const double *x = p->x ? p->x->data + offset(p->x, i, j, k) : NULL;
  const double *y = p->y ? p->y->data + offset(p->y, i, j, k) : NULL;
  const double a = p->a, b = p->b;
  switch (p->form) {
  case VEC_AXPBY:
    TSR_OMP(simd)
    for (ptrdiff_t m = 0; m < n; m++)
      w[m] = a * x[m] + b * y[m];
    break;
  case VEC_AXPY:
    TSR_OMP(simd)
    for (ptrdiff_t m = 0; m < n; m++)
      w[m] = a * x[m] + y[m];
    break;
  case VEC_AX:
    TSR_OMP(simd)
    for (ptrdiff_t m = 0; m < n; m++)
      w[m] = a * x[m];
    break;
  case VEC_BY:
    TSR_OMP(simd)
    for (ptrdiff_t m = 0; m < n; m++)
      w[m] = b * y[m];
    break;
  case VEC_SET:
    TSR_OMP(simd)
    for (ptrdiff_t m = 0; m < n; m++)
      w[m] = a;
    break;
  }
}

/* Two doubles as one value: accumulators (s0, s1) and (s2, s3) of a row sum live in vector
 * registers; lane-wise arithmetic rounds exactly like scalars, so the order of vec.h holds. */
typedef double vec2 __attribute__((vector_size(2 * sizeof(double))));

/* Sum of x[m] * y[m] over a row segment in four interleaved accumulators (vec.h). */
static inline double dot_row(const double *x, const double *y, ptrdiff_t n) {
  vec2 lo = {0.0, 0.0}, hi = {0.0, 0.0}, xa, xb, ya, yb;
  ptrdiff_t m = 0;
  for (; m + 4 <= n; m += 4) {
    memcpy(&xa, x + m, sizeof xa); /* rows need not be aligned */
    memcpy(&xb, x + m + 2, sizeof xb);
    memcpy(&ya, y + m, sizeof ya);
    memcpy(&yb, y + m + 2, sizeof yb);
    lo += xa * ya;
    hi += xb * yb;
  }
  double s0 = lo[0], s1 = lo[1], s2 = hi[0], s3 = hi[1];
  if (m < n) s0 += x[m] * y[m];
  if (m + 1 < n) s1 += x[m + 1] * y[m + 1];
  if (m + 2 < n) s2 += x[m + 2] * y[m + 2];
  return (s0 + s1) + (s2 + s3);
}

static inline double maxabs_row(const double *x, ptrdiff_t n) {
  double r = 0.0;
  for (ptrdiff_t m = 0; m < n; m++)
    r = tsr_vec_max_(r, fabs(x[m]));
  return r;
}

static inline double reduce_row(const tsr_vec_reduction *r, tsr_gidx i, tsr_gidx j, tsr_gidx k,
                                ptrdiff_t n) {
  const double *x = r->x->data + offset(r->x, i, j, k);
  if (r->kind == TSR_VEC_MAXABS) return maxabs_row(x, n);
  return dot_row(x, r->y->data + offset(r->y, i, j, k), n);
}

static inline double combine(tsr_vec_reduce_kind kind, double acc, double v) {
  return kind == TSR_VEC_MAXABS ? tsr_vec_max_(acc, v) : acc + v;
}

/* ---------------------------------------------------------------------------------------- */
/* Units                                                                                      */
/* ---------------------------------------------------------------------------------------- */

typedef enum { UNIT_PLANES, UNIT_ROWS, UNIT_SEGMENTS } unit_kind;

typedef struct {
  unit_kind kind;
  int64_t count;
} units;

static units box_units(const tsr_box *b) {
  if (tsr_box_extent(b, 2) > 1) return (units){UNIT_PLANES, tsr_box_extent(b, 2)};
  if (tsr_box_extent(b, 1) > 1) return (units){UNIT_ROWS, tsr_box_extent(b, 1)};
  const int64_t n = tsr_box_extent(b, 0);
  return (units){UNIT_SEGMENTS, (n + TSR_VEC_SEGMENT - 1) / TSR_VEC_SEGMENT};
}

/* The rows of unit @p u: j range [*j0, *j1) at plane *k, cells [*i0, *i0 + *n). */
static void unit_rows(const tsr_box *b, units us, int64_t u, tsr_gidx *k, tsr_gidx *j0,
                      tsr_gidx *j1, tsr_gidx *i0, ptrdiff_t *n) {
  *k = b->lo[2];
  *j0 = b->lo[1];
  *j1 = b->hi[1];
  *i0 = b->lo[0];
  *n = (ptrdiff_t)tsr_box_extent(b, 0);
  if (us.kind == UNIT_PLANES) {
    *k = b->lo[2] + u;
  } else if (us.kind == UNIT_ROWS) {
    *j0 = b->lo[1] + u;
    *j1 = *j0 + 1;
  } else {
    *i0 = b->lo[0] + u * TSR_VEC_SEGMENT;
    const int64_t left = b->hi[0] - *i0;
    *n = (ptrdiff_t)(left < TSR_VEC_SEGMENT ? left : TSR_VEC_SEGMENT);
  }
}

/* Updates then reductions of one unit, row by row; its partials go to @p part. */
static void run_unit(const vec_call *c, units us, int64_t u, double *part) {
  tsr_gidx k, j0, j1, i0;
  ptrdiff_t n;
  unit_rows(c->box, us, u, &k, &j0, &j1, &i0, &n);
  for (int r = 0; r < c->nred; r++)
    part[r] = 0.0;
  for (tsr_gidx j = j0; j < j1; j++) {
    for (int p = 0; p < c->nupd; p++)
      update_row(&c->upd[p], i0, j, k, n);
    for (int r = 0; r < c->nred; r++)
      part[r] = combine(c->red[r].kind, part[r], reduce_row(&c->red[r], i0, j, k, n));
  }
}

/* Batches of units: threads share each batch statically; one thread adds its partials in unit
 * order. One parallel region for the whole box. */
static void run_units(const vec_call *c) {
  const units us = box_units(c->box);
  if (c->nred == 0) {
    TSR_OMP(parallel for schedule(static))
    for (int64_t u = 0; u < us.count; u++)
      run_unit(c, us, u, NULL);
    return;
  }
  double part[VEC_BATCH][TSR_VEC_MAX_REDUCTIONS];
  double *total = c->result;
  for (int r = 0; r < c->nred; r++)
    total[r] = 0.0;
  TSR_OMP(parallel)
  for (int64_t b0 = 0; b0 < us.count; b0 += VEC_BATCH) {
    const int64_t nb = us.count - b0 < VEC_BATCH ? us.count - b0 : VEC_BATCH;
    TSR_OMP(for schedule(static))
    for (int64_t u = 0; u < nb; u++)
      run_unit(c, us, b0 + u, part[u]);
    TSR_OMP(single)
    for (int64_t u = 0; u < nb; u++)
      for (int r = 0; r < c->nred; r++)
        total[r] = combine(c->red[r].kind, total[r], part[u][r]);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Reference: updates one at a time over the box, then each reduction in the defined order    */
/* ---------------------------------------------------------------------------------------- */

static double ref_cell(const vec_update_ *p, tsr_gidx i, tsr_gidx j, tsr_gidx k) {
  const double x = p->x ? p->x->data[offset(p->x, i, j, k)] : 0.0;
  const double y = p->y ? p->y->data[offset(p->y, i, j, k)] : 0.0;
  if (p->form == VEC_SET) return p->a;
  if (p->x && p->y) return p->a * x + p->b * y;
  return p->x ? p->a * x : p->b * y;
}

static void ref_update(const vec_update_ *p, const tsr_box *b) {
  for (tsr_gidx k = b->lo[2]; k < b->hi[2]; k++)
    for (tsr_gidx j = b->lo[1]; j < b->hi[1]; j++)
      for (tsr_gidx i = b->lo[0]; i < b->hi[0]; i++)
        p->w->data[offset(p->w, i, j, k)] = ref_cell(p, i, j, k);
}

static double ref_reduce(const tsr_vec_reduction *r, const tsr_box *b) {
  const units us = box_units(b);
  double total = 0.0;
  for (int64_t u = 0; u < us.count; u++) {
    tsr_gidx k, j0, j1, i0;
    ptrdiff_t n;
    unit_rows(b, us, u, &k, &j0, &j1, &i0, &n);
    double unit = 0.0;
    for (tsr_gidx j = j0; j < j1; j++) {
      double lane[4] = {0.0, 0.0, 0.0, 0.0}, row = 0.0;
      for (ptrdiff_t m = 0; m < n; m++) {
        const double x = r->x->data[offset(r->x, i0 + m, j, k)];
        if (r->kind == TSR_VEC_MAXABS)
          row = tsr_vec_max_(row, fabs(x));
        else
          lane[m % 4] += x * r->y->data[offset(r->y, i0 + m, j, k)];
      }
      if (r->kind == TSR_VEC_DOT) row = (lane[0] + lane[1]) + (lane[2] + lane[3]);
      unit = combine(r->kind, unit, row);
    }
    total = combine(r->kind, total, unit);
  }
  return total;
}

/* ---------------------------------------------------------------------------------------- */
/* Entry points                                                                               */
/* ---------------------------------------------------------------------------------------- */

tsr_err tsr_vec_run_(const vec_call *c, bool reference) {
  bool empty;
  TSR_CALL(check_call(c, &empty));
  if (empty) {
    for (int r = 0; r < c->nred; r++)
      c->result[r] = 0.0;
    return TSR_SUCCESS;
  }
  if (!reference) {
    run_units(c);
    return TSR_SUCCESS;
  }
  for (int p = 0; p < c->nupd; p++)
    ref_update(&c->upd[p], c->box);
  for (int r = 0; r < c->nred; r++)
    c->result[r] = ref_reduce(&c->red[r], c->box);
  return TSR_SUCCESS;
}

static tsr_err fused(int nupd, const tsr_vec_update upd[], int nred, const tsr_vec_reduction red[],
                     const tsr_box *box, double result[], bool reference) {
  vec_update_ u[TSR_VEC_MAX_UPDATES];
  if (nupd < 0 || nupd > TSR_VEC_MAX_UPDATES)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: %d updates, expected 0 to %d", nupd, TSR_VEC_MAX_UPDATES);
  if (nupd > 0 && !upd) TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec: NULL update list for %d updates", nupd);
  for (int p = 0; p < nupd; p++)
    u[p] = (vec_update_){update_form(&upd[p]), upd[p].w, upd[p].a, upd[p].x, upd[p].b, upd[p].y};
  const vec_call c = {nupd, u, nred, red, box, result};
  return tsr_vec_run_(&c, reference);
}

tsr_err tsr_vec_fused(int nupd, const tsr_vec_update upd[], int nred, const tsr_vec_reduction red[],
                      const tsr_box *box, double result[]) {
  TSR_CALL(fused(nupd, upd, nred, red, box, result, false));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_fused_ref(int nupd, const tsr_vec_update upd[], int nred,
                          const tsr_vec_reduction red[], const tsr_box *box, double result[]) {
  TSR_CALL(fused(nupd, upd, nred, red, box, result, true));
  return TSR_SUCCESS;
}

/* The named forms take every operand as given: a NULL x is an error there, not a missing term. */
#define NEED_VIEWS(x, y)                                                                           \
  do {                                                                                             \
    if (!(x) || !(y)) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: NULL view", __func__);                     \
  } while (0)

tsr_err tsr_vec_axpy(double a, const tsr_view *x, const tsr_view *y, const tsr_box *box) {
  NEED_VIEWS(x, y);
  const tsr_vec_update u = {y, a, x, 1.0, y};
  TSR_CALL(tsr_vec_fused(1, &u, 0, NULL, box, NULL));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_axpby(double a, const tsr_view *x, double b, const tsr_view *y,
                      const tsr_box *box) {
  NEED_VIEWS(x, y);
  const tsr_vec_update u = {y, a, x, b, y};
  TSR_CALL(tsr_vec_fused(1, &u, 0, NULL, box, NULL));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_waxpby(const tsr_view *w, double a, const tsr_view *x, double b, const tsr_view *y,
                       const tsr_box *box) {
  NEED_VIEWS(x, y);
  const tsr_vec_update u = {w, a, x, b, y};
  TSR_CALL(tsr_vec_fused(1, &u, 0, NULL, box, NULL));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_scale(double a, const tsr_view *x, const tsr_box *box) {
  NEED_VIEWS(x, x);
  const tsr_vec_update u = {x, a, x, 0.0, NULL};
  TSR_CALL(tsr_vec_fused(1, &u, 0, NULL, box, NULL));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_copy(const tsr_view *x, const tsr_view *y, const tsr_box *box) {
  NEED_VIEWS(x, y);
  const tsr_vec_update u = {y, 1.0, x, 0.0, NULL};
  TSR_CALL(tsr_vec_fused(1, &u, 0, NULL, box, NULL));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_set(double a, const tsr_view *x, const tsr_box *box) {
  const vec_update_ u = {VEC_SET, x, a, NULL, 0.0, NULL};
  const vec_call c = {1, &u, 0, NULL, box, NULL};
  TSR_CALL(tsr_vec_run_(&c, false));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_dot(const tsr_view *x, const tsr_view *y, const tsr_box *box, double *dot) {
  const tsr_vec_reduction r = {TSR_VEC_DOT, x, y};
  TSR_CALL(tsr_vec_fused(0, NULL, 1, &r, box, dot));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_norm2sq(const tsr_view *x, const tsr_box *box, double *sq) {
  const tsr_vec_reduction r = {TSR_VEC_DOT, x, x};
  TSR_CALL(tsr_vec_fused(0, NULL, 1, &r, box, sq));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_norm_max(const tsr_view *x, const tsr_box *box, double *max) {
  const tsr_vec_reduction r = {TSR_VEC_MAXABS, x, NULL};
  TSR_CALL(tsr_vec_fused(0, NULL, 1, &r, box, max));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_mdot(const tsr_view *x, int n, const tsr_view *const y[], const tsr_box *box,
                     double dots[]) {
  if (n < 0 || n > TSR_VEC_MAX_REDUCTIONS)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec mdot: %d vectors, expected 0 to %d", n,
                    TSR_VEC_MAX_REDUCTIONS);
  if (n > 0 && !y) TSR_ERROR_LOCAL(TSR_ERR_ARG, "vec mdot: NULL list of %d vectors", n);
  tsr_vec_reduction r[TSR_VEC_MAX_REDUCTIONS];
  for (int m = 0; m < n; m++)
    r[m] = (tsr_vec_reduction){TSR_VEC_DOT, x, y[m]};
  TSR_CALL(tsr_vec_fused(0, NULL, n, r, box, dots));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_axpy_norm2sq(double a, const tsr_view *x, const tsr_view *y, const tsr_box *box,
                             double *yy) {
  NEED_VIEWS(x, y);
  const tsr_vec_update u = {y, a, x, 1.0, y};
  const tsr_vec_reduction r = {TSR_VEC_DOT, y, y};
  TSR_CALL(tsr_vec_fused(1, &u, 1, &r, box, yy));
  return TSR_SUCCESS;
}

tsr_err tsr_vec_axpy_dot2(double a, const tsr_view *x, const tsr_view *y, const tsr_view *z,
                          const tsr_box *box, double dots[2]) {
  NEED_VIEWS(x, y);
  const tsr_vec_update u = {y, a, x, 1.0, y};
  const tsr_vec_reduction r[2] = {{TSR_VEC_DOT, y, y}, {TSR_VEC_DOT, y, z}};
  TSR_CALL(tsr_vec_fused(1, &u, 2, r, box, dots));
  return TSR_SUCCESS;
}
