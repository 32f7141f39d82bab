/* Multigrid cycles: smoothing, residual and restriction (with the gather onto every rank),
 * coarse solve, prolongation; the preconditioner and the solver. */
#include "mg_impl.h"

#include <math.h>

#include "tessera/mem.h"

/* The buffer holding the iterate (cur_q: Q) and the other one. */
static mg_buf *cur_buf(mg_level *L, bool cur_q) {
  return cur_q ? &L->Q : &L->P;
}

tsr_err mg_smooth(tsr_mg mg, int l, const mg_poly *poly, int first, int last, bool zero,
                  bool *cur_q, double *prr) {
  mg_level *L = &mg->level[l];
  for (int s = first; s < last; s++) {
    mg_buf *x = cur_buf(L, *cur_q), *out = cur_buf(L, !*cur_q);
    const bool x_zero = zero && s == first;
    sweep_args a = {.kind = SWEEP_SMOOTH,
                    .x = x_zero ? NULL : &x->view,
                    /* a zero start's x_prev is 0, not the buffer's old contents */
                    .xp = (poly->beta[s] == 0.0 || (zero && s == first + 1)) ? NULL : &out->view,
                    .y = &out->view,
                    .b = &L->B.view,
                    .alpha = poly->alpha[s],
                    .beta = poly->beta[s],
                    .partial = s == first ? prr : NULL};
    if (L->distributed)
      TSR_CALL(poisson_sweep(L->op, x_zero ? NULL : x->halo, &a));
    else {
      TSR_CALL(poisson_event_begin(mg->op, PEV_SMOOTH));
      pk_smooth(&L->coef, a.b, a.x, a.xp, a.y, a.alpha, a.beta, &L->owned, a.partial);
      TSR_CALL(poisson_event_end(mg->op, PEV_SMOOTH));
    }
    *cur_q = !*cur_q;
  }
  return TSR_SUCCESS;
}

/* Gather the coarse right-hand side: this rank restricted into its box of B; share them. */
static tsr_err gather_rhs(tsr_mg mg, mg_level *C) {
  const tsr_view *b = &C->B.view;
  int pos = 0;
  for (tsr_gidx k = C->mine.lo[2]; k < C->mine.hi[2]; k++)
    for (tsr_gidx j = C->mine.lo[1]; j < C->mine.hi[1]; j++)
      for (tsr_gidx i = C->mine.lo[0]; i < C->mine.hi[0]; i++)
        C->sendbuf[pos++] = TSR_VIEW_AT(*b, i, j, k);
  const MPI_Comm comm = tsr_ctx_comm(mg->ctx);
  TSR_CALL(poisson_event_begin(mg->op, PEV_GATHER));
  TSR_CALL_MPI(MPI_Allgatherv(C->sendbuf, pos, MPI_DOUBLE, C->recvbuf, C->counts, C->displs,
                              MPI_DOUBLE, comm));
  TSR_CALL(tsr_event_add_messages(mg->op->events, mg->op->ev[PEV_GATHER], 1, 8 * (int64_t)pos));
  TSR_CALL(poisson_event_end(mg->op, PEV_GATHER));
  for (int r = 0; r < C->nranks; r++) {
    const tsr_box *bx = &C->boxes[r];
    pos = C->displs[r];
    for (tsr_gidx k = bx->lo[2]; k < bx->hi[2]; k++)
      for (tsr_gidx j = bx->lo[1]; j < bx->hi[1]; j++)
        for (tsr_gidx i = bx->lo[0]; i < bx->hi[0]; i++)
          TSR_VIEW_AT(*b, i, j, k) = C->recvbuf[pos++];
  }
  return TSR_SUCCESS;
}

/* B of level l+1 = R (b - A x) of level l; the residual goes into the free buffer. */
static tsr_err restrict_residual(tsr_mg mg, int l, bool cur_q) {
  mg_level *F = &mg->level[l], *C = &mg->level[l + 1];
  mg_buf *x = cur_buf(F, cur_q), *r = cur_buf(F, !cur_q);
  const sweep_args a = {.kind = SWEEP_RESIDUAL, .x = &x->view, .y = &r->view, .b = &F->B.view};
  if (F->distributed) {
    TSR_CALL(poisson_sweep(F->op, x->halo, &a));
    TSR_CALL(tsr_halo_exchange(r->halo));
  } else {
    pk_residual(&F->coef, a.b, a.x, a.y, &F->owned, NULL);
  }
  TSR_CALL(poisson_event_begin(mg->op, PEV_RESTRICT));
  pk_restrict(&r->view, &C->B.view, C->gather ? &C->mine : &C->owned);
  TSR_CALL(poisson_event_end(mg->op, PEV_RESTRICT));
  if (C->gather) TSR_CALL(gather_rhs(mg, C));
  return TSR_SUCCESS;
}

/* x of level l += P x of level l+1 (the coarse result is in its P). */
static tsr_err prolong(tsr_mg mg, int l, bool cur_q) {
  mg_level *F = &mg->level[l], *C = &mg->level[l + 1];
  if (C->distributed) TSR_CALL(tsr_halo_exchange(C->P.halo));
  TSR_CALL(poisson_event_begin(mg->op, PEV_PROLONG));
  pk_prolong_add(&C->P.view, &cur_buf(F, cur_q)->view, &F->owned);
  return poisson_event_end(mg->op, PEV_PROLONG);
}

/* Leave the level's result in P: swap the buffers of a coarse level, copy on level 0 (whose
 * P is the caller's vector). */
static void settle(tsr_mg mg, int l, bool cur_q) {
  if (!cur_q) return;
  mg_level *L = &mg->level[l];
  if (l == 0) {
    pk_copy(&L->Q.view, &L->P.view, &L->owned);
    return;
  }
  const mg_buf t = L->P;
  L->P = L->Q;
  L->Q = t;
}

tsr_err mg_visit(tsr_mg mg, int l, tsr_mg_cycle cycle, bool zero, int pre_done) {
  mg_level *L = &mg->level[l];
  if (l == mg->nlevels - 1) { /* coarsest: the fixed Chebyshev polynomial */
    const int steps = mg->bottom.steps;
    bool cur_q = zero ? steps % 2 == 1 : false; /* ends in P when starting from zero */
    TSR_CALL(mg_smooth(mg, l, &mg->bottom, 0, steps, zero, &cur_q, NULL));
    settle(mg, l, cur_q);
    return TSR_SUCCESS;
  }
  /* From zero, start where the total number of steps ends in P. */
  bool cur_q = pre_done > 0 ? pre_done % 2 == 1 : (zero ? (mg->pre + mg->post) % 2 == 1 : false);
  TSR_CALL(mg_smooth(mg, l, &L->smooth, pre_done, mg->pre, zero && pre_done == 0, &cur_q, NULL));
  const bool any = mg->pre > 0 || !zero;
  if (!any) { /* no pre-smoothing from zero: the iterate is 0, the residual is b */
    /* x = 0 in the current buffer so the residual and prolongation below are right */
    pk_zero(&cur_buf(L, cur_q)->view, &L->owned);
  }
  TSR_CALL(restrict_residual(mg, l, cur_q));
  switch (cycle) {
  case TSR_MG_V:
    TSR_CALL(mg_visit(mg, l + 1, TSR_MG_V, true, 0));
    break;
  case TSR_MG_W:
    TSR_CALL(mg_visit(mg, l + 1, TSR_MG_W, true, 0));
    TSR_CALL(mg_visit(mg, l + 1, TSR_MG_W, false, 0));
    break;
  case TSR_MG_F:
    TSR_CALL(mg_visit(mg, l + 1, TSR_MG_F, true, 0));
    TSR_CALL(mg_visit(mg, l + 1, TSR_MG_V, false, 0));
    break;
  }
  TSR_CALL(prolong(mg, l, cur_q));
  TSR_CALL(mg_smooth(mg, l, &L->smooth, 0, mg->post, false, &cur_q, NULL));
  settle(mg, l, cur_q);
  return TSR_SUCCESS;
}

tsr_err mg_bind_top(tsr_mg mg, tsr_field b, tsr_field x) {
  poisson_vec *vb, *vx;
  TSR_CALL(poisson_vec_get(mg->op, b, &vb));
  TSR_CALL(poisson_vec_get(mg->op, x, &vx));
  if (b == x || x == mg->t0 || b == mg->t0)
    TSR_ERROR(TSR_ERR_ARG, "multigrid: the right-hand side and the solution must be distinct "
                           "vectors of the operator");
  mg_level *L = &mg->level[0];
  L->B.view = vb->view;
  L->B.halo = vb->halo;
  L->P.view = vx->view;
  L->P.halo = vx->halo;
  return TSR_SUCCESS;
}

tsr_err tsr_mg_apply(tsr_mg mg, tsr_field r, tsr_field z) {
  if (!mg->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_mg_apply: before setup");
  TSR_CALL(mg_bind_top(mg, r, z));
  return mg_visit(mg, 0, mg->cycle, true, 0);
}

tsr_err tsr_mg_solve(tsr_mg mg, tsr_field b, tsr_field x, tsr_solve_info *info) {
  if (!mg->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_mg_solve: before setup");
  if (!info) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_mg_solve: NULL info");
  TSR_CALL(mg_bind_top(mg, b, x));
  tsr_poisson op = mg->op;
  mg_level *L = &mg->level[0];
  const tsr_solve_params *p = &mg->params;
  *info = (tsr_solve_info){.status = TSR_SOLVE_ITERATING};
  TSR_CALL(tsr_poisson_dot(op, b, b, &info->bnorm));
  info->bnorm = sqrt(info->bnorm);
  for (int64_t it = 0;; it++) {
    /* The first pre-smoothing step also gives |b - A x| of the current iterate. */
    double rr;
    int done = 0;
    if (mg->pre > 0) {
      bool cur_q = false;
      TSR_CALL(mg_smooth(mg, 0, &L->smooth, 0, 1, false, &cur_q, poisson_sum_partials(op, 0, 1)));
      done = 1;
    } else {
      const sweep_args a = {.kind = SWEEP_RESIDUAL,
                            .x = &L->P.view,
                            .y = &L->Q.view,
                            .b = &L->B.view,
                            .partial = poisson_sum_partials(op, 0, 1)};
      TSR_CALL(poisson_sweep(op, L->P.halo, &a));
    }
    TSR_CALL(poisson_sum(op, 0, &rr));
    const double rnorm = sqrt(rr);
    if (it == 0) info->rnorm0 = rnorm;
    if (p->monitor) TSR_CALL(poisson_monitor(op, "mg", it, rnorm, info->bnorm));
    if (poisson_converged(p, info, it, rnorm)) break; /* x (P) is untouched by that step */
    TSR_CALL(mg_visit(mg, 0, mg->cycle, false, done));
  }
  return TSR_SUCCESS;
}
