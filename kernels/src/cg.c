/* Krylov solver set-up, preconditioners, and CG in the Chronopoulos-Gear form: one fused
 * pass for the vector updates, one pass for w = A u with the three sums the next iteration
 * needs, one reduction. */
#include "krylov_impl.h"

#include <math.h>

#include "tessera/mem.h"

/* Work vectors: CG uses r u w p s; pipelined CG r u w m n z q s p. */
enum { R = 0, U = 1, W = 2, CG_P = 3, CG_S = 4 };

const char *tsr_krylov_type_name(tsr_krylov_type type) {
  return type == TSR_KRYLOV_CG ? "cg" : type == TSR_KRYLOV_PIPECG ? "pipecg" : "?";
}

const char *tsr_pc_type_name(tsr_pc_type pc) {
  switch (pc) {
  case TSR_PC_NONE:
    return "none";
  case TSR_PC_JACOBI:
    return "jacobi";
  case TSR_PC_MG:
    return "mg";
  }
  return "?";
}

tsr_err tsr_krylov_create(tsr_poisson op, tsr_krylov *ksp) {
  if (!op || !ksp) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_krylov_create: NULL argument");
  if (!op->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_krylov_create: the operator is not set up");
  struct tsr_krylov_s *k;
  TSR_CALL(tsr_calloc(1, sizeof *k, &k));
  k->op = op;
  k->params = tsr_solve_params_default();
  *ksp = k;
  return TSR_SUCCESS;
}

tsr_err tsr_krylov_destroy(tsr_krylov *ksp) {
  if (!ksp || !*ksp) return TSR_SUCCESS;
  for (int i = 0; i < KRYLOV_NVEC; i++)
    TSR_CALL(tsr_poisson_destroy_vector((*ksp)->op, &(*ksp)->v[i]));
  return tsr_free(ksp);
}

tsr_err tsr_krylov_set_type(tsr_krylov ksp, tsr_krylov_type type) {
  if (ksp->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_krylov_set_type: after setup");
  if (type != TSR_KRYLOV_CG && type != TSR_KRYLOV_PIPECG)
    TSR_ERROR(TSR_ERR_ARG, "tsr_krylov_set_type: type %d, expected cg or pipecg", (int)type);
  ksp->type = type;
  return TSR_SUCCESS;
}

tsr_err tsr_krylov_set_pc(tsr_krylov ksp, tsr_pc_type pc, tsr_mg mg) {
  if (ksp->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_krylov_set_pc: after setup");
  if (pc != TSR_PC_NONE && pc != TSR_PC_JACOBI && pc != TSR_PC_MG)
    TSR_ERROR(TSR_ERR_ARG, "tsr_krylov_set_pc: preconditioner %d, expected none, jacobi or mg",
              (int)pc);
  if (pc == TSR_PC_MG && (!mg || tsr_mg_operator(mg) != ksp->op))
    TSR_ERROR(TSR_ERR_ARG, "tsr_krylov_set_pc: the mg preconditioner needs a multigrid on the "
                           "solver's operator");
  ksp->pc = pc;
  ksp->mg = pc == TSR_PC_MG ? mg : NULL;
  return TSR_SUCCESS;
}

tsr_err tsr_krylov_set_params(tsr_krylov ksp, const tsr_solve_params *params) {
  if (!params) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_krylov_set_params: NULL");
  if (!(params->rtol >= 0) || !(params->atol >= 0) || params->max_it < 0 || !(params->dtol > 0))
    TSR_ERROR(TSR_ERR_ARG,
              "krylov: rtol %g, atol %g, dtol %g, max_it %lld: expected rtol, "
              "atol >= 0, dtol > 0, max_it >= 0",
              params->rtol, params->atol, params->dtol, (long long)params->max_it);
  ksp->params = *params;
  return TSR_SUCCESS;
}

tsr_err tsr_krylov_setup(tsr_krylov ksp) {
  if (ksp->is_setup) return TSR_SUCCESS;
  static const char *const cg_names[] = {"cg.r", "cg.u", "cg.w", "cg.p", "cg.s"};
  static const char *const pipe_names[] = {"pcg.r", "pcg.u", "pcg.w", "pcg.m", "pcg.n",
                                           "pcg.z", "pcg.q", "pcg.s", "pcg.p"};
  const bool pipe = ksp->type == TSR_KRYLOV_PIPECG;
  const int n = pipe ? 9 : 5;
  for (int i = 0; i < n; i++) {
    /* the vectors a multigrid cycle writes (u, and m when pipelined) need box halos */
    const bool box = i == U || (pipe && i == 3);
    TSR_CALL(
        tsr_poisson_create_vector(ksp->op, pipe ? pipe_names[i] : cg_names[i], box, &ksp->v[i]));
    TSR_CALL(poisson_vec_get(ksp->op, ksp->v[i], &ksp->rec[i]));
  }
  ksp->is_setup = true;
  return TSR_SUCCESS;
}

tsr_err krylov_pc_apply(tsr_krylov ksp, int r, int u) {
  const tsr_poisson op = ksp->op;
  switch (ksp->pc) {
  case TSR_PC_NONE:
    pk_copy(&ksp->rec[r]->view, &ksp->rec[u]->view, &op->owned);
    break;
  case TSR_PC_JACOBI:
    pk_scale(&ksp->rec[r]->view, &ksp->rec[u]->view, op->coef.inv_diag, &op->owned);
    break;
  case TSR_PC_MG:
    TSR_CALL(tsr_mg_apply(ksp->mg, ksp->v[r], ksp->v[u]));
    break;
  }
  return TSR_SUCCESS;
}

tsr_err krylov_start(tsr_krylov ksp, tsr_field b, tsr_field x, tsr_solve_info *info,
                     poisson_vec **vb, poisson_vec **vx) {
  if (!ksp->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_krylov_solve: before setup");
  if (!info) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_krylov_solve: NULL info");
  TSR_CALL(poisson_vec_get(ksp->op, b, vb));
  TSR_CALL(poisson_vec_get(ksp->op, x, vx));
  for (int i = 0; i < KRYLOV_NVEC; i++)
    if (ksp->v[i] && (ksp->v[i] == b || ksp->v[i] == x))
      TSR_ERROR(TSR_ERR_ARG, "tsr_krylov_solve: b or x is one of the solver's work vectors");
  if (b == x) TSR_ERROR(TSR_ERR_ARG, "tsr_krylov_solve: b and x are the same vector");
  *info = (tsr_solve_info){.status = TSR_SOLVE_ITERATING};
  TSR_CALL(tsr_poisson_dot(ksp->op, b, b, &info->bnorm));
  info->bnorm = sqrt(info->bnorm);
  return tsr_poisson_residual(ksp->op, b, x, ksp->v[R], &info->rnorm0);
}

bool krylov_coefficients_ok(tsr_solve_info *info, double gamma, double denom) {
  if (!isfinite(gamma) || !isfinite(denom))
    info->status = TSR_DIVERGED_NAN;
  else if (!(gamma > 0))
    info->status = TSR_DIVERGED_INDEFINITE_PC;
  else if (!(denom > 0))
    info->status = TSR_DIVERGED_INDEFINITE;
  else
    return true;
  return false;
}

static tsr_err solve_cg(tsr_krylov ksp, tsr_field b, tsr_field x, tsr_solve_info *info) {
  poisson_vec *vb, *vx;
  TSR_CALL(krylov_start(ksp, b, x, info, &vb, &vx));
  const tsr_poisson op = ksp->op;
  const tsr_solve_params *prm = &ksp->params;
  if (prm->monitor) TSR_CALL(poisson_monitor(op, "cg", 0, info->rnorm0, info->bnorm));
  if (poisson_converged(prm, info, 0, info->rnorm0)) return TSR_SUCCESS;
  const tsr_view *r = &ksp->rec[R]->view, *u = &ksp->rec[U]->view, *w = &ksp->rec[W]->view;
  const tsr_view *p = &ksp->rec[CG_P]->view, *s = &ksp->rec[CG_S]->view;
  /* With none or Jacobi, u = M r is fused into the update pass. */
  const double fused_inv = ksp->pc == TSR_PC_NONE     ? 1.0
                           : ksp->pc == TSR_PC_JACOBI ? op->coef.inv_diag
                                                      : 0.0;
  TSR_CALL(krylov_pc_apply(ksp, R, U));
  double gamma = 0, delta = 0, gamma_old = 0, alpha = 0, beta = 0;
  for (int64_t it = 1;; it++) {
    /* w = A u with u.w, r.u and r.r in the same pass, one reduction */
    sweep_args a = {
        .kind = SWEEP_APPLY, .x = u, .y = w, .r = r, .partial = poisson_sum_partials(op, 0, 3)};
    TSR_CALL(poisson_sweep(op, ksp->rec[U]->halo, &a));
    double d[3];
    TSR_CALL(poisson_sum(op, 0, d));
    delta = d[0];
    gamma = d[1];
    if (it > 1) {
      const double rnorm = sqrt(d[2]);
      if (prm->monitor) TSR_CALL(poisson_monitor(op, "cg", it - 1, rnorm, info->bnorm));
      if (poisson_converged(prm, info, it - 1, rnorm)) break;
    }
    beta = it > 1 ? gamma / gamma_old : 0.0;
    const double denom = it > 1 ? delta - beta * gamma / alpha : delta; /* = p'Ap */
    if (!krylov_coefficients_ok(info, gamma, denom)) {
      info->iterations = it - 1;
      break;
    }
    alpha = gamma / denom;
    gamma_old = gamma;
    TSR_CALL(poisson_event_begin(op, PEV_UPDATE));
    pk_cg_update(u, w, p, s, &vx->view, r, alpha, beta, fused_inv, &op->owned, NULL);
    TSR_CALL(poisson_event_end(op, PEV_UPDATE));
    if (ksp->pc == TSR_PC_MG) TSR_CALL(krylov_pc_apply(ksp, R, U));
  }
  return TSR_SUCCESS;
}

tsr_err tsr_krylov_solve(tsr_krylov ksp, tsr_field b, tsr_field x, tsr_solve_info *info) {
  if (ksp->type == TSR_KRYLOV_PIPECG) return krylov_solve_pipecg(ksp, b, x, info);
  return solve_cg(ksp, b, x, info);
}
