/* The 7-point Poisson operator: set-up, vectors, overlapped sweeps and reproducible sums. */
#include "poisson_impl.h"

#include <math.h>
#include <string.h>

#include "tessera/mem.h"

tsr_solve_params tsr_solve_params_default(void) {
  return (tsr_solve_params){.rtol = 1e-8, .atol = 0.0, .dtol = 1e5, .max_it = 10000};
}

const char *tsr_solve_status_name(tsr_solve_status status) {
  switch (status) {
  case TSR_SOLVE_ITERATING:
    return "iterating";
  case TSR_CONVERGED_RTOL:
    return "converged (relative tolerance)";
  case TSR_CONVERGED_ATOL:
    return "converged (absolute tolerance)";
  case TSR_DIVERGED_MAX_IT:
    return "not converged (maximum iterations reached)";
  case TSR_DIVERGED_INDEFINITE:
    return "breakdown (operator not positive definite: p'Ap <= 0)";
  case TSR_DIVERGED_INDEFINITE_PC:
    return "breakdown (preconditioner not positive definite: r'Mr <= 0)";
  case TSR_DIVERGED_NAN:
    return "diverged (NaN or infinite residual)";
  case TSR_DIVERGED_DTOL:
    return "diverged (residual grew above dtol times the initial one)";
  }
  return "unknown status";
}

tsr_err tsr_poisson_grid_create(tsr_ctx ctx, const tsr_gidx n[3], const int *procs,
                                tsr_grid *grid) {
  /* slabs (whole planes per rank: reproducible sums) when there are enough planes */
  const int slabs[TSR_MAX_DIM] = {1, 1, 0}, any[TSR_MAX_DIM] = {0, 0, 0};
  const int *def = n[2] >= tsr_ctx_size(ctx) ? slabs : any;
  TSR_CALL(tsr_grid_create(ctx, 3, n, grid));
  tsr_err err = tsr_grid_set_procs(*grid, procs ? procs : def);
  if (!err) err = tsr_grid_set_ghost_width(*grid, 1);
  if (!err) err = tsr_grid_setup(*grid);
  if (err) { /* leave no half-made grid behind */
    tsr_grid_destroy(grid);
    TSR_CALL(err);
  }
  return TSR_SUCCESS;
}

tsr_err tsr_poisson_create(tsr_grid grid, tsr_poisson *op) {
  if (!grid || !op) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_poisson_create: NULL argument");
  tsr_grid_info info;
  TSR_CALL(tsr_grid_get_info(grid, &info));
  if (info.dim != 3)
    TSR_ERROR(TSR_ERR_ARG, "tsr_poisson_create: the grid is %d-D, expected 3-D", info.dim);
  if (info.ghost_width < 1)
    TSR_ERROR(TSR_ERR_ARG, "tsr_poisson_create: the grid's ghost width is 0, expected 1 or more");
  struct tsr_poisson_s *p;
  TSR_CALL(tsr_calloc(1, sizeof *p, &p));
  p->grid = grid;
  p->ctx = tsr_grid_ctx(grid);
  p->info = info;
  for (int s = 0; s < 2; s++)
    p->sums[s].req.request = MPI_REQUEST_NULL;
  *op = p;
  return TSR_SUCCESS;
}

tsr_err tsr_poisson_set_spacing(tsr_poisson op, const double h[3]) {
  if (op->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_poisson_set_spacing: after setup");
  for (int a = 0; a < 3; a++)
    if (!(h[a] > 0) || !isfinite(h[a]))
      TSR_ERROR(TSR_ERR_ARG, "poisson: spacing %g on axis %d, expected a positive number", h[a], a);
  memcpy(op->h, h, sizeof op->h);
  op->h_set = true;
  return TSR_SUCCESS;
}

tsr_err tsr_poisson_set_shift(tsr_poisson op, double shift) {
  if (op->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_poisson_set_shift: after setup");
  if (!isfinite(shift))
    TSR_ERROR(TSR_ERR_ARG, "poisson: shift %g, expected a finite number", shift);
  op->shift = shift;
  return TSR_SUCCESS;
}

/* Split the tile into the interior and slabs on the sides that have a neighbour rank (the
 * other ghosts are the domain's zeros and always valid). In slab decompositions every box is
 * made of whole planes, which keeps the plane partials reproducible. */
static tsr_err split_tile(tsr_poisson op) {
  tsr_box rest = op->owned;
  op->nshell = 0;
  for (int a = 0; a < 3; a++)
    for (int side = 0; side < 2; side++) {
      int d[3] = {0, 0, 0}, nb;
      d[a] = side ? 1 : -1;
      TSR_CALL(tsr_grid_neighbor(op->grid, tsr_dir_index(d[0], d[1], d[2]), &nb));
      if (nb < 0 || tsr_box_is_empty(&rest)) continue;
      tsr_box slab = rest;
      if (side == 0) {
        slab.hi[a] = rest.lo[a] + 1;
        rest.lo[a]++;
      } else {
        slab.lo[a] = rest.hi[a] - 1;
        rest.hi[a]--;
      }
      if (rest.hi[a] < rest.lo[a]) rest.hi[a] = rest.lo[a];
      op->shell[op->nshell++] = slab;
    }
  op->interior = rest;
  return TSR_SUCCESS;
}

tsr_err tsr_poisson_setup(tsr_poisson op) {
  if (op->is_setup) return TSR_SUCCESS;
  const tsr_grid_info *g = &op->info;
  if (!op->h_set)
    for (int a = 0; a < 3; a++)
      op->h[a] = 1.0 / (double)(g->n[a] + 1);
  double diag = 0;
  for (int a = 0; a < 3; a++) {
    op->coef.off[a] = 1.0 / (op->h[a] * op->h[a]);
    diag += 2.0 * op->coef.off[a];
  }
  op->coef.diag = diag - op->shift;
  op->coef.inv_diag = op->coef.diag != 0 ? 1.0 / op->coef.diag : 0.0;
  for (int a = 0; a < 3; a++) {
    op->owned.lo[a] = 0;
    op->owned.hi[a] = tsr_box_extent(&g->owned, a);
  }
  TSR_CALL(split_tile(op));
  static const char *const names[PEV_COUNT] = {"poisson.apply", "poisson.residual", "mg.smooth",
                                               "mg.restrict",   "mg.prolong",       "mg.gather",
                                               "krylov.update"};
  op->events = tsr_ctx_events(op->ctx);
  for (int e = 0; e < PEV_COUNT; e++)
    TSR_CALL(tsr_event_register(op->events, names[e],
                                e == PEV_GATHER ? TSR_EVENT_COMM : TSR_EVENT_COMPUTE, &op->ev[e]));
  op->reproducible = g->procs[0] == 1 && g->procs[1] == 1;
  op->nplanes = op->reproducible ? g->n[2] : op->owned.hi[2];
  op->k0 = op->reproducible ? g->owned.lo[2] : 0;
  for (int s = 0; s < 2; s++)
    TSR_CALL(TSR_MALLOC(op->nplanes * POISSON_MAX_SUMS, &op->sums[s].buf));
  op->is_setup = true;
  return TSR_SUCCESS;
}

tsr_err tsr_poisson_destroy(tsr_poisson *op) {
  if (!op || !*op) return TSR_SUCCESS;
  tsr_poisson p = *op;
  for (int v = 0; v < p->nvec; v++) {
    TSR_CALL(tsr_halo_destroy(&p->vec[v].halo));
    TSR_CALL(tsr_field_destroy(&p->vec[v].field));
  }
  for (int s = 0; s < 2; s++)
    TSR_CALL(tsr_free(&p->sums[s].buf));
  TSR_CALL(tsr_free(op));
  return TSR_SUCCESS;
}

tsr_err tsr_poisson_create_vector(tsr_poisson op, const char *name, bool box_halo, tsr_field *v) {
  if (!op->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_poisson_create_vector: before setup");
  int slot = 0; /* a free slot (records never move: solvers keep pointers to them) */
  while (slot < op->nvec && op->vec[slot].field)
    slot++;
  if (slot >= POISSON_MAX_VEC)
    TSR_ERROR(TSR_ERR_SIZE,
              "poisson: vector '%s' is one too many (at most %d live vectors per operator)", name,
              POISSON_MAX_VEC);
  poisson_vec *rec = &op->vec[slot];
  TSR_CALL(tsr_field_create(op->grid, name, 1, 1, &rec->field));
  if (slot == op->nvec) op->nvec++; /* destroyed with the operator from here on */
  TSR_CALL(tsr_field_setup(rec->field));
  TSR_CALL(tsr_field_get_view(rec->field, 0, &rec->view));
  TSR_CALL(tsr_halo_create(op->grid, &rec->halo));
  TSR_CALL(tsr_halo_add_field(rec->halo, rec->field));
  TSR_CALL(tsr_halo_set_shape(rec->halo, box_halo ? TSR_SHAPE_BOX : TSR_SHAPE_STAR));
  TSR_CALL(tsr_halo_setup(rec->halo));
  *v = rec->field;
  return TSR_SUCCESS;
}

tsr_err tsr_poisson_destroy_vector(tsr_poisson op, tsr_field *v) {
  if (!op || !v || !*v) return TSR_SUCCESS;
  poisson_vec *rec;
  TSR_CALL(poisson_vec_get(op, *v, &rec));
  TSR_CALL(tsr_halo_destroy(&rec->halo));
  TSR_CALL(tsr_field_destroy(&rec->field));
  *v = NULL;
  return TSR_SUCCESS;
}

tsr_err poisson_vec_get(tsr_poisson op, tsr_field v, poisson_vec **rec) {
  for (int i = 0; i < op->nvec; i++)
    if (v && op->vec[i].field == v) {
      *rec = &op->vec[i];
      return TSR_SUCCESS;
    }
  TSR_ERROR(TSR_ERR_ARG, "poisson: field '%s' was not made by tsr_poisson_create_vector()",
            v ? tsr_field_name(v) : "(null)");
}

double *poisson_sum_partials(tsr_poisson op, int slot, int m) {
  poisson_sumbuf *s = &op->sums[slot];
  s->m = m;
  memset(s->buf, 0, (size_t)(op->nplanes * m) * sizeof(double));
  return s->buf + op->k0 * m;
}

tsr_err poisson_sum_begin(tsr_poisson op, int slot) {
  poisson_sumbuf *s = &op->sums[slot];
  if (op->reproducible) {
    /* Each plane's partial comes from its one owner, the others add exact zeros. */
    int n;
    TSR_CALL(tsr_cast_int(op->nplanes * s->m, "poisson plane partials", &n));
    TSR_CALL(tsr_reduce_begin(op->ctx, TSR_SUM, s->buf, s->buf, n, &s->req));
  } else {
    for (int c = 0; c < s->m; c++) {
      s->local[c] = 0.0;
      for (tsr_gidx k = 0; k < op->nplanes; k++)
        s->local[c] += s->buf[k * s->m + c];
    }
    TSR_CALL(tsr_reduce_begin(op->ctx, TSR_SUM, s->local, s->local, s->m, &s->req));
  }
  s->active = true;
  return TSR_SUCCESS;
}

tsr_err poisson_sum_end(tsr_poisson op, int slot, double *out) {
  poisson_sumbuf *s = &op->sums[slot];
  TSR_CALL(tsr_reduce_end(&s->req));
  s->active = false;
  for (int c = 0; c < s->m; c++) {
    if (!op->reproducible) {
      out[c] = s->local[c];
      continue;
    }
    double t = 0.0; /* planes in global order */
    for (tsr_gidx k = 0; k < op->nplanes; k++)
      t += s->buf[k * s->m + c];
    out[c] = t;
  }
  return TSR_SUCCESS;
}

tsr_err poisson_sum(tsr_poisson op, int slot, double *out) {
  TSR_CALL(poisson_sum_begin(op, slot));
  return poisson_sum_end(op, slot, out);
}

static void sweep_box(const pk_coef *c, const sweep_args *a, const tsr_box *box) {
  switch (a->kind) {
  case SWEEP_APPLY:
    pk_apply(c, a->x, a->y, a->r, box, a->partial);
    break;
  case SWEEP_RESIDUAL:
    pk_residual(c, a->b, a->x, a->y, box, a->partial);
    break;
  case SWEEP_SMOOTH:
    pk_smooth(c, a->b, a->x, a->xp, a->y, a->alpha, a->beta, box, a->partial);
    break;
  }
}

tsr_err poisson_sweep(tsr_poisson op, tsr_halo halo, const sweep_args *a) {
  const tsr_event ev = op->ev[a->kind == SWEEP_APPLY      ? PEV_APPLY
                              : a->kind == SWEEP_RESIDUAL ? PEV_RESIDUAL
                                                          : PEV_SMOOTH];
  if (!halo) {
    TSR_CALL(tsr_event_begin(op->events, ev));
    sweep_box(&op->coef, a, &op->owned);
    return tsr_event_end(op->events, ev);
  }
  TSR_CALL(tsr_halo_begin(halo));
  TSR_CALL(tsr_event_begin(op->events, ev));
  sweep_box(&op->coef, a, &op->interior);
  TSR_CALL(tsr_event_end(op->events, ev));
  TSR_CALL(tsr_halo_end(halo));
  TSR_CALL(tsr_event_begin(op->events, ev));
  for (int s = 0; s < op->nshell; s++)
    sweep_box(&op->coef, a, &op->shell[s]);
  return tsr_event_end(op->events, ev);
}

tsr_err poisson_event_begin(tsr_poisson op, poisson_event e) {
  return tsr_event_begin(op->events, op->ev[e]);
}

tsr_err poisson_event_end(tsr_poisson op, poisson_event e) {
  return tsr_event_end(op->events, op->ev[e]);
}

tsr_err tsr_poisson_exchange(tsr_poisson op, tsr_field v) {
  poisson_vec *rec;
  TSR_CALL(poisson_vec_get(op, v, &rec));
  return tsr_halo_exchange(rec->halo);
}

tsr_err tsr_poisson_apply(tsr_poisson op, tsr_field x, tsr_field y) {
  poisson_vec *vx, *vy;
  TSR_CALL(poisson_vec_get(op, x, &vx));
  TSR_CALL(poisson_vec_get(op, y, &vy));
  if (x == y) TSR_ERROR(TSR_ERR_ARG, "tsr_poisson_apply: x and y are the same field");
  const sweep_args a = {.kind = SWEEP_APPLY, .x = &vx->view, .y = &vy->view};
  return poisson_sweep(op, vx->halo, &a);
}

tsr_err tsr_poisson_residual(tsr_poisson op, tsr_field b, tsr_field x, tsr_field r, double *rnorm) {
  poisson_vec *vb, *vx, *vr;
  TSR_CALL(poisson_vec_get(op, b, &vb));
  TSR_CALL(poisson_vec_get(op, x, &vx));
  TSR_CALL(poisson_vec_get(op, r, &vr));
  if (r == x || r == b) TSR_ERROR(TSR_ERR_ARG, "tsr_poisson_residual: r must differ from b and x");
  const sweep_args a = {.kind = SWEEP_RESIDUAL,
                        .x = &vx->view,
                        .y = &vr->view,
                        .b = &vb->view,
                        .partial = rnorm ? poisson_sum_partials(op, 0, 1) : NULL};
  TSR_CALL(poisson_sweep(op, vx->halo, &a));
  if (rnorm) {
    double rr;
    TSR_CALL(poisson_sum(op, 0, &rr));
    *rnorm = sqrt(rr);
  }
  return TSR_SUCCESS;
}

/* x.y with the same lanes and plane order as the fused kernels (pk_dots3 with u = y). */
tsr_err tsr_poisson_dot(tsr_poisson op, tsr_field x, tsr_field y, double *dot) {
  poisson_vec *vx, *vy;
  TSR_CALL(poisson_vec_get(op, x, &vx));
  TSR_CALL(poisson_vec_get(op, y, &vy));
  double *partial = poisson_sum_partials(op, 0, 3);
  pk_dots3(&vx->view, &vy->view, &vy->view, &op->owned, partial);
  double out[3];
  TSR_CALL(poisson_sum(op, 0, out));
  *dot = out[0];
  return TSR_SUCCESS;
}

bool tsr_poisson_reproducible(tsr_poisson op) {
  return op->reproducible;
}

tsr_grid tsr_poisson_grid(tsr_poisson op) {
  return op->grid;
}

tsr_err tsr_poisson_get_spacing(tsr_poisson op, double h[3]) {
  if (!op->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_poisson_get_spacing: before setup");
  memcpy(h, op->h, sizeof op->h);
  return TSR_SUCCESS;
}

tsr_err poisson_monitor(tsr_poisson op, const char *who, int64_t it, double rnorm, double bnorm) {
  return tsr_log_printf(tsr_ctx_log(op->ctx), 0, "%s %4lld |r| %.6e |r|/|b| %.6e\n", who,
                        (long long)it, rnorm, bnorm > 0 ? rnorm / bnorm : rnorm);
}

bool poisson_converged(const tsr_solve_params *p, tsr_solve_info *info, int64_t it, double rnorm) {
  info->rnorm = rnorm;
  info->iterations = it;
  if (!isfinite(rnorm))
    info->status = TSR_DIVERGED_NAN;
  else if (rnorm <= p->rtol * info->bnorm)
    info->status = TSR_CONVERGED_RTOL;
  else if (rnorm <= p->atol)
    info->status = TSR_CONVERGED_ATOL;
  else if (rnorm > p->dtol * info->rnorm0 && it > 0)
    info->status = TSR_DIVERGED_DTOL;
  else if (it >= p->max_it)
    info->status = TSR_DIVERGED_MAX_IT;
  else
    return false;
  return true;
}
