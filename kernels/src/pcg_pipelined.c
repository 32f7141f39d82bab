/* Pipelined preconditioned CG (Ghysels and Vanroose 2014): the reduction of r.u, w.u and r.r
 * travels (tsr_reduce_begin) while m = M w and n = A m are computed; the eight vector updates
 * and the next iteration's sums are one fused pass. */
#include "krylov_impl.h"

#include <math.h>

/* Work vectors, in the order pk_pipecg_update() takes them after x. */
enum { R = 0, U = 1, W = 2, M = 3, N = 4, Z = 5, Q = 6, S = 7, P = 8 };

tsr_err krylov_solve_pipecg(tsr_krylov ksp, tsr_field b, tsr_field x, tsr_solve_info *info) {
  poisson_vec *vb, *vx;
  TSR_CALL(krylov_start(ksp, b, x, info, &vb, &vx));
  const tsr_poisson op = ksp->op;
  const tsr_solve_params *prm = &ksp->params;
  poisson_vec *const *v = ksp->rec;
  const tsr_view *views[10] = {&vx->view,   &v[R]->view, &v[U]->view, &v[W]->view, &v[M]->view,
                               &v[N]->view, &v[Z]->view, &v[Q]->view, &v[S]->view, &v[P]->view};
  /* u = M r, w = A u, and the first sums */
  TSR_CALL(krylov_pc_apply(ksp, R, U));
  TSR_CALL(tsr_poisson_apply(op, ksp->v[U], ksp->v[W]));
  pk_dots3(views[1], views[2], views[3], &op->owned, poisson_sum_partials(op, 0, 3));
  double gamma_old = 0, alpha = 0;
  for (int64_t it = 0;; it++) {
    TSR_CALL(poisson_sum_begin(op, 0));
    /* while the sums travel: m = M w, n = A m */
    TSR_CALL(krylov_pc_apply(ksp, W, M));
    TSR_CALL(tsr_poisson_apply(op, ksp->v[M], ksp->v[N]));
    double d[3];
    TSR_CALL(poisson_sum_end(op, 0, d));
    const double gamma = d[0], delta = d[1], rnorm = sqrt(d[2]);
    if (prm->monitor) TSR_CALL(poisson_monitor(op, "pipecg", it, rnorm, info->bnorm));
    if (poisson_converged(prm, info, it, rnorm)) break;
    const double beta = it > 0 ? gamma / gamma_old : 0.0;
    const double denom = it > 0 ? delta - beta * gamma / alpha : delta; /* = p'Ap */
    if (!krylov_coefficients_ok(info, gamma, denom)) {
      info->iterations = it;
      break;
    }
    alpha = gamma / denom;
    gamma_old = gamma;
    TSR_CALL(poisson_event_begin(op, PEV_UPDATE));
    pk_pipecg_update(views, alpha, beta, &op->owned, poisson_sum_partials(op, 0, 3));
    TSR_CALL(poisson_event_end(op, PEV_UPDATE));
  }
  return TSR_SUCCESS;
}
