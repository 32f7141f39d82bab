/* Vector operations on whole fields: the node-local engine of vec.c on each component's
 * owned cells, then one global reduction for the dots and one for the max-norms. This is the
 * solver layer, so it may call core's reduce. */
#include <math.h>

#include "vec_impl.h"

/* The fields of one field-level call, checked: same grid, same component count. */
typedef struct {
  tsr_grid grid;
  int ncomp;
} fvec_shape;

static tsr_err check_field(tsr_field f, const char *what, int index, fvec_shape *s) {
  TSR_CHECK(f, TSR_ERR_ARG, "fvec: %s %d has a NULL field", what, index);
  if (!s->grid) {
    s->grid = tsr_field_grid(f);
    s->ncomp = tsr_field_num_components(f);
    return TSR_SUCCESS;
  }
  TSR_CHECK(tsr_field_grid(f) == s->grid, TSR_ERR_ARG,
            "fvec: field '%s' (%s %d) lives on another grid than the call's other fields",
            tsr_field_name(f), what, index);
  TSR_CHECK(tsr_field_num_components(f) == s->ncomp, TSR_ERR_ARG,
            "fvec: field '%s' (%s %d) has %d components, the call's other fields %d",
            tsr_field_name(f), what, index, tsr_field_num_components(f), s->ncomp);
  return TSR_SUCCESS;
}

static tsr_err check_fields(int nupd, const tsr_fvec_update upd[], int nred,
                            const tsr_fvec_reduction red[], fvec_shape *s) {
  TSR_CHECK(nupd >= 0 && nupd <= TSR_VEC_MAX_UPDATES, TSR_ERR_ARG,
            "fvec: %d updates, expected 0 to %d", nupd, TSR_VEC_MAX_UPDATES);
  TSR_CHECK(nred >= 0 && nred <= TSR_VEC_MAX_REDUCTIONS, TSR_ERR_ARG,
            "fvec: %d reductions, expected 0 to %d", nred, TSR_VEC_MAX_REDUCTIONS);
  TSR_CHECK(nupd == 0 || upd, TSR_ERR_ARG, "fvec: NULL update list for %d updates", nupd);
  TSR_CHECK(nred == 0 || red, TSR_ERR_ARG, "fvec: NULL reduction list for %d reductions", nred);
  *s = (fvec_shape){NULL, 0};
  for (int u = 0; u < nupd; u++) {
    TSR_CALL(check_field(upd[u].w, "update", u, s));
    TSR_CHECK(upd[u].x || upd[u].y, TSR_ERR_ARG, "fvec: update %d has neither x nor y", u);
    if (upd[u].x) TSR_CALL(check_field(upd[u].x, "update x of", u, s));
    if (upd[u].y) TSR_CALL(check_field(upd[u].y, "update y of", u, s));
  }
  for (int r = 0; r < nred; r++) {
    TSR_CHECK(red[r].kind == TSR_VEC_DOT || red[r].kind == TSR_VEC_MAXABS, TSR_ERR_ARG,
              "fvec: reduction %d has kind %d, expected TSR_VEC_DOT (0) or TSR_VEC_MAXABS (1)", r,
              (int)red[r].kind);
    TSR_CALL(check_field(red[r].x, "reduction", r, s));
    if (red[r].kind == TSR_VEC_DOT) TSR_CALL(check_field(red[r].y, "reduction y of", r, s));
  }
  return TSR_SUCCESS;
}

static tsr_err get_view(tsr_field f, int comp, tsr_view *v) {
  if (!f) {
    *v = (tsr_view){0};
    return TSR_SUCCESS;
  }
  TSR_CALL(tsr_field_get_view(f, comp, v));
  return TSR_SUCCESS;
}

/* Component @p comp of the call as a node-local call on the owned cells; the partials of
 * reductions go to @p part. Views live in @p views (3 per update, 2 per reduction). */
static tsr_err run_component(int nupd, const tsr_fvec_update upd[], int nred,
                             const tsr_fvec_reduction red[], int comp, double part[]) {
  tsr_view views[3 * TSR_VEC_MAX_UPDATES + 2 * TSR_VEC_MAX_REDUCTIONS];
  tsr_vec_update u[TSR_VEC_MAX_UPDATES];
  tsr_vec_reduction r[TSR_VEC_MAX_REDUCTIONS];
  tsr_view *v = views;
  for (int p = 0; p < nupd; p++, v += 3) {
    TSR_CALL(get_view(upd[p].w, comp, &v[0]));
    TSR_CALL(get_view(upd[p].x, comp, &v[1]));
    TSR_CALL(get_view(upd[p].y, comp, &v[2]));
    u[p] = (tsr_vec_update){&v[0], upd[p].a, upd[p].x ? &v[1] : NULL, upd[p].b,
                            upd[p].y ? &v[2] : NULL};
  }
  for (int q = 0; q < nred; q++, v += 2) {
    TSR_CALL(get_view(red[q].x, comp, &v[0]));
    TSR_CALL(get_view(red[q].kind == TSR_VEC_DOT ? red[q].y : NULL, comp, &v[1]));
    r[q] = (tsr_vec_reduction){red[q].kind, &v[0], red[q].kind == TSR_VEC_DOT ? &v[1] : NULL};
  }
  const tsr_view *first = nupd > 0 ? u[0].w : r[0].x;
  const tsr_box owned = {{0, 0, 0}, {first->n[0], first->n[1], first->n[2]}};
  TSR_CALL(tsr_vec_fused(nupd, u, nred, r, &owned, part));
  return TSR_SUCCESS;
}

/* The local partials over all components, added in component order. */
static tsr_err local_partials(int nupd, const tsr_fvec_update upd[], int nred,
                              const tsr_fvec_reduction red[], int ncomp, double total[]) {
  for (int q = 0; q < nred; q++)
    total[q] = 0.0;
  for (int c = 0; c < ncomp; c++) {
    double part[TSR_VEC_MAX_REDUCTIONS];
    TSR_CALL(run_component(nupd, upd, nred, red, c, part));
    for (int q = 0; q < nred; q++)
      total[q] =
          red[q].kind == TSR_VEC_MAXABS ? tsr_vec_max_(total[q], part[q]) : total[q] + part[q];
  }
  return TSR_SUCCESS;
}

/* Sort the partials into the request's two buffers. MPI_MAX may drop a NaN, so each max-norm
 * travels as (value with NaN as +inf, NaN flag) and end() turns a raised flag back into NaN. */
static int pack_request(tsr_fvec_req *req, int nred, const tsr_fvec_reduction red[],
                        const double local[], int *nmax) {
  int nsum = 0;
  *nmax = 0;
  req->nred = nred;
  for (int q = 0; q < nred; q++) {
    req->kind[q] = red[q].kind;
    if (red[q].kind == TSR_VEC_DOT) {
      req->sums[nsum++] = local[q];
    } else {
      const bool nan = isnan(local[q]);
      req->maxes[(*nmax)++] = nan ? INFINITY : local[q];
      req->maxes[(*nmax)++] = nan ? 1.0 : 0.0;
    }
  }
  return nsum;
}

tsr_err tsr_fvec_begin(int nupd, const tsr_fvec_update upd[], int nred,
                       const tsr_fvec_reduction red[], tsr_fvec_req *req) {
  TSR_CHECK(req, TSR_ERR_ARG, "tsr_fvec_begin: the request pointer is NULL");
  TSR_CHECK(!req->active, TSR_ERR_STATE,
            "tsr_fvec_begin: the request is already active; call tsr_fvec_end() first");
  req->sum_req = (tsr_reduce_req){MPI_REQUEST_NULL, NULL};
  req->max_req = (tsr_reduce_req){MPI_REQUEST_NULL, NULL};
  req->nred = 0;
  fvec_shape s;
  TSR_CALL(check_fields(nupd, upd, nred, red, &s));
  if (!s.grid) return TSR_SUCCESS; /* nothing to do; the request stays idle */
  double local[TSR_VEC_MAX_REDUCTIONS];
  TSR_CALL(local_partials(nupd, upd, nred, red, s.ncomp, local));
  if (nred == 0) return TSR_SUCCESS;
  int nmax;
  const int nsum = pack_request(req, nred, red, local, &nmax);
  tsr_ctx ctx = tsr_grid_ctx(s.grid);
  TSR_CALL(tsr_reduce_begin(ctx, TSR_SUM, req->sums, req->sums, nsum, &req->sum_req));
  req->active = true; /* from here on end() must complete the started reduction */
  TSR_CALL(tsr_reduce_begin(ctx, TSR_MAX, req->maxes, req->maxes, nmax, &req->max_req));
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_end(tsr_fvec_req *req, double result[]) {
  TSR_CHECK(req, TSR_ERR_ARG, "tsr_fvec_end: the request pointer is NULL");
  TSR_CHECK(req->active, TSR_ERR_STATE,
            "tsr_fvec_end: the request is not active; call tsr_fvec_begin() first");
  req->active = false;
  TSR_CALL(tsr_reduce_end(&req->sum_req));
  TSR_CALL(tsr_reduce_end(&req->max_req));
  TSR_CHECK(result, TSR_ERR_ARG, "tsr_fvec_end: the result pointer is NULL");
  int nsum = 0, nmax = 0;
  for (int q = 0; q < req->nred; q++) {
    if (req->kind[q] == TSR_VEC_DOT) {
      result[q] = req->sums[nsum++];
    } else {
      const double value = req->maxes[nmax++], nan_flag = req->maxes[nmax++];
      result[q] = nan_flag > 0.0 ? NAN : value;
    }
  }
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_fused(int nupd, const tsr_fvec_update upd[], int nred,
                       const tsr_fvec_reduction red[], double result[]) {
  tsr_fvec_req req = {0};
  TSR_CALL(tsr_fvec_begin(nupd, upd, nred, red, &req));
  if (req.active) TSR_CALL(tsr_fvec_end(&req, result));
  return TSR_SUCCESS;
}

/* The named forms take every operand as given: a NULL x is an error there, not a missing term. */
#define NEED_FIELDS(x, y) TSR_CHECK((x) && (y), TSR_ERR_ARG, "%s: NULL field", __func__)

tsr_err tsr_fvec_axpy(double a, tsr_field x, tsr_field y) {
  NEED_FIELDS(x, y);
  const tsr_fvec_update u = {y, a, x, 1.0, y};
  TSR_CALL(tsr_fvec_fused(1, &u, 0, NULL, NULL));
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_axpby(double a, tsr_field x, double b, tsr_field y) {
  NEED_FIELDS(x, y);
  const tsr_fvec_update u = {y, a, x, b, y};
  TSR_CALL(tsr_fvec_fused(1, &u, 0, NULL, NULL));
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_waxpby(tsr_field w, double a, tsr_field x, double b, tsr_field y) {
  NEED_FIELDS(x, y);
  const tsr_fvec_update u = {w, a, x, b, y};
  TSR_CALL(tsr_fvec_fused(1, &u, 0, NULL, NULL));
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_scale(double a, tsr_field x) {
  NEED_FIELDS(x, x);
  const tsr_fvec_update u = {x, a, x, 0.0, NULL};
  TSR_CALL(tsr_fvec_fused(1, &u, 0, NULL, NULL));
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_copy(tsr_field x, tsr_field y) {
  NEED_FIELDS(x, y);
  const tsr_fvec_update u = {y, 1.0, x, 0.0, NULL};
  TSR_CALL(tsr_fvec_fused(1, &u, 0, NULL, NULL));
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_set(double a, tsr_field x) {
  TSR_CHECK(x, TSR_ERR_ARG, "tsr_fvec_set: the field is NULL");
  for (int c = 0; c < tsr_field_num_components(x); c++) {
    tsr_view v;
    TSR_CALL(tsr_field_get_view(x, c, &v));
    const tsr_box owned = {{0, 0, 0}, {v.n[0], v.n[1], v.n[2]}};
    TSR_CALL(tsr_vec_set(a, &v, &owned));
  }
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_dot(tsr_field x, tsr_field y, double *dot) {
  const tsr_fvec_reduction r = {TSR_VEC_DOT, x, y};
  TSR_CHECK(dot, TSR_ERR_ARG, "tsr_fvec_dot: the result pointer is NULL");
  TSR_CALL(tsr_fvec_fused(0, NULL, 1, &r, dot));
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_norm2(tsr_field x, double *norm) {
  const tsr_fvec_reduction r = {TSR_VEC_DOT, x, x};
  TSR_CHECK(norm, TSR_ERR_ARG, "tsr_fvec_norm2: the result pointer is NULL");
  double sq;
  TSR_CALL(tsr_fvec_fused(0, NULL, 1, &r, &sq));
  *norm = sqrt(sq);
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_norm_max(tsr_field x, double *max) {
  const tsr_fvec_reduction r = {TSR_VEC_MAXABS, x, NULL};
  TSR_CHECK(max, TSR_ERR_ARG, "tsr_fvec_norm_max: the result pointer is NULL");
  TSR_CALL(tsr_fvec_fused(0, NULL, 1, &r, max));
  return TSR_SUCCESS;
}

tsr_err tsr_fvec_mdot(tsr_field x, int n, const tsr_field y[], double dots[]) {
  TSR_CHECK(n >= 0 && n <= TSR_VEC_MAX_REDUCTIONS, TSR_ERR_ARG,
            "tsr_fvec_mdot: %d vectors, expected 0 to %d", n, TSR_VEC_MAX_REDUCTIONS);
  TSR_CHECK(n == 0 || (y && dots), TSR_ERR_ARG, "tsr_fvec_mdot: NULL list or result for %d", n);
  tsr_fvec_reduction r[TSR_VEC_MAX_REDUCTIONS];
  for (int m = 0; m < n; m++)
    r[m] = (tsr_fvec_reduction){TSR_VEC_DOT, x, y[m]};
  TSR_CALL(tsr_fvec_fused(0, NULL, n, r, dots));
  return TSR_SUCCESS;
}
