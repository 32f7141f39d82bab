/* Options, manufactured solution and error of tsr_poisson. */
#include "poisson_problem.h"

#include <math.h>

static const char *const solver_names[] = {"cg", "pipecg", "mg"};
static const char *const pc_names[] = {"none", "jacobi", "mg"};
static const char *const cycle_names[] = {"v", "f", "w"};
static const char *const smoother_names[] = {"jacobi", "chebyshev"};

static tsr_err read_solver_options(tsr_options o, poisson_problem *pp) {
  int e;
  TSR_CALL(tsr_options_get_enum(o, "solver",
                                "cg (one reduction per iteration), pipecg (pipelined CG: the "
                                "reduction overlaps the preconditioner and operator) or mg "
                                "(multigrid cycles as the solver)",
                                solver_names, 3, SOLVER_MG, &e));
  pp->solver = (poisson_solver)e;
  TSR_CALL(tsr_options_get_enum(o, "pc", "preconditioner of cg/pipecg: none, jacobi or mg",
                                pc_names, 3, TSR_PC_MG, &e));
  pp->pc = (tsr_pc_type)e;
  TSR_CALL(tsr_options_get_real(o, "rtol", "stop when |b - Ax| <= rtol |b|", 1e-8, 0, 1,
                                &pp->params.rtol));
  TSR_CALL(
      tsr_options_get_real(o, "atol", "or when |b - Ax| <= atol", 0, 0, 1e300, &pp->params.atol));
  TSR_CALL(tsr_options_get_int(o, "max-it", "most iterations (cycles for --solver mg)", 10000, 0,
                               INT64_MAX, &pp->params.max_it));
  TSR_CALL(tsr_options_get_bool(o, "monitor", "print the residual at every iteration", false,
                                &pp->params.monitor));
  return TSR_SUCCESS;
}

static tsr_err read_mg_options(tsr_options o, poisson_problem *pp) {
  int e;
  int64_t v;
  TSR_CALL(tsr_options_get_enum(o, "mg-cycle", "multigrid cycle: v, f or w", cycle_names, 3,
                                TSR_MG_F, &e));
  pp->cycle = (tsr_mg_cycle)e;
  TSR_CALL(tsr_options_get_enum(o, "mg-smoother", "smoother: jacobi (omega 6/7) or chebyshev",
                                smoother_names, 2, TSR_MG_CHEBYSHEV, &e));
  pp->smoother = (tsr_mg_smoother)e;
  TSR_CALL(tsr_options_get_int(o, "mg-pre", "smoothing steps before the coarse correction", 2, 0,
                               20, &v));
  pp->pre = (int)v;
  TSR_CALL(tsr_options_get_int(o, "mg-post", "smoothing steps after the coarse correction", 2, 0,
                               20, &v));
  pp->post = (int)v;
  TSR_CALL(tsr_options_get_int(o, "mg-levels", "most multigrid levels (0: all the grid allows)", 0,
                               0, 24, &v));
  pp->levels = (int)v;
  TSR_CALL(tsr_options_get_int(o, "mg-gather",
                               "gather levels with at most this many cells per axis onto every "
                               "rank",
                               15, 0, INT64_MAX, &pp->gather));
  return TSR_SUCCESS;
}

tsr_err poisson_read_options(tsr_ctx ctx, poisson_problem *pp, bool *stop) {
  tsr_options o = tsr_ctx_options(ctx);
  const int64_t def_grid[1] = {128}, def_procs[3] = {1, 1, 0};
  int64_t grid[3], procs[3];
  int ng, np;
  *pp = (poisson_problem){.params = tsr_solve_params_default()};
  TSR_CALL(tsr_options_get_ints(o, "grid",
                                "intervals per axis N (h = 1/N, N - 1 unknowns), one number for "
                                "a cube or NxNxN",
                                def_grid, 1, 3, 2, INT32_MAX, grid, &ng));
  TSR_CALL(tsr_options_get_ints(o, "procs",
                                "process grid PxQxR (0: choose; default 1x1xP, "
                                "whole planes per rank: reproducible sums)",
                                def_procs, 3, 3, 0, INT32_MAX, procs, &np));
  if (ng != 1 && ng != 3)
    TSR_ERROR(TSR_ERR_OPTION, "--grid takes one number or three (NxNxN), got %d numbers", ng);
  for (int a = 0; a < 3; a++) {
    pp->N[a] = ng == 1 ? grid[0] : grid[a];
    pp->procs[a] = a < np ? (int)procs[a] : 0;
  }
  TSR_CALL(read_solver_options(o, pp));
  TSR_CALL(read_mg_options(o, pp));
  return tsr_options_finish(o, stop);
}

static double q_of(double t) {
  return t * (1.0 - t) * exp(t);
}

static double q2_of(double t) { /* q'' = -t (t + 3) e^t */
  return -t * (t + 3.0) * exp(t);
}

tsr_err poisson_tables(poisson_problem *pp) {
  for (int a = 0; a < 3; a++) {
    const tsr_gidx n = pp->N[a] - 1;
    TSR_CALL(TSR_MALLOC(n, &pp->q[a]));
    TSR_CALL(TSR_MALLOC(n, &pp->q2[a]));
    for (tsr_gidx i = 0; i < n; i++) {
      const double t = (double)(i + 1) / (double)pp->N[a];
      pp->q[a][i] = q_of(t);
      pp->q2[a][i] = q2_of(t);
    }
  }
  return TSR_SUCCESS;
}

void poisson_tables_free(poisson_problem *pp) {
  for (int a = 0; a < 3; a++) {
    tsr_free(&pp->q[a]);
    tsr_free(&pp->q2[a]);
  }
}

double poisson_rhs_value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  const poisson_problem *pp = user;
  const tsr_gidx i = idx[0], j = idx[1], k = idx[2];
  (void)comp;
  const double qx = pp->q[0][i], qy = pp->q[1][j], qz = pp->q[2][k];
  return -((pp->q2[0][i] * qy * qz + qx * pp->q2[1][j] * qz) + qx * qy * pp->q2[2][k]);
}

tsr_err poisson_max_error(tsr_ctx ctx, const poisson_problem *pp, tsr_field x, double *err) {
  tsr_view v;
  TSR_CALL(tsr_field_get_view(x, 0, &v));
  double local = 0.0;
  for (int k = 0; k < v.n[2]; k++)
    for (int j = 0; j < v.n[1]; j++) {
      const double qyz = pp->q[1][v.box.lo[1] + j] * pp->q[2][v.box.lo[2] + k];
      for (int i = 0; i < v.n[0]; i++) {
        const double d = fabs(TSR_VIEW_AT(v, i, j, k) - pp->q[0][v.box.lo[0] + i] * qyz);
        if (d > local || d != d) local = d;
      }
    }
  return tsr_reduce(ctx, TSR_MAX, &local, err, 1);
}
