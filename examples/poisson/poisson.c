/* tsr_poisson: -Laplacian(u) = f on the unit cube with u = 0 on the boundary, the reference
 * problem of the solver benchmarks (docs/performance.md, "Poisson solvers").
 *
 * Vertex-centred 7-point finite differences with N intervals per axis ((N-1)^3 unknowns), the
 * manufactured solution u = q(x) q(y) q(z), q(t) = t (1 - t) e^t, a zero initial guess, and
 * the stop |b - Ax| / |b| < 1e-8. By default multigrid F-cycles with Chebyshev smoothing
 * (2 + 2 steps) as the solver, the fastest combination measured (docs/performance.md): it
 * needs three fine-grid vectors and one reduction per cycle. It prints the iterations, the
 * residual reduction, setup and solve times, the maximum nodal error and the fingerprint of
 * the solution, the same on any rank and thread count.
 *
 * e.g. `mpirun -n 2 tsr_poisson --grid 256`, `tsr_poisson --solver cg --pc mg`,
 * `tsr_poisson --solver pipecg --pc jacobi --monitor`; `tsr_poisson --help` lists the options.
 */
#include "poisson_problem.h"

#include <math.h>

typedef struct {
  tsr_grid grid;
  tsr_poisson op;
  tsr_mg mg;
  tsr_krylov ksp;
  tsr_field b, x;
} poisson_solver_set;

static tsr_err build(tsr_ctx ctx, poisson_problem *pp, poisson_solver_set *s) {
  const tsr_gidx n[3] = {pp->N[0] - 1, pp->N[1] - 1, pp->N[2] - 1};
  TSR_CALL(tsr_poisson_grid_create(ctx, n, pp->procs, &s->grid));
  TSR_CALL(tsr_poisson_create(s->grid, &s->op));
  TSR_CALL(tsr_poisson_setup(s->op));
  TSR_CALL(tsr_poisson_create_vector(s->op, "b", false, &s->b));
  TSR_CALL(tsr_poisson_create_vector(s->op, "u", true, &s->x));
  TSR_CALL(tsr_field_fill(s->b, poisson_rhs_value, pp));
  if (pp->solver == SOLVER_MG || pp->pc == TSR_PC_MG) {
    TSR_CALL(tsr_mg_create(s->op, &s->mg));
    TSR_CALL(tsr_mg_set_cycle(s->mg, pp->cycle));
    TSR_CALL(tsr_mg_set_smoother(s->mg, pp->smoother, pp->pre, pp->post));
    TSR_CALL(tsr_mg_set_levels(s->mg, pp->levels));
    TSR_CALL(tsr_mg_set_gather_size(s->mg, pp->gather));
    TSR_CALL(tsr_mg_set_params(s->mg, &pp->params));
    TSR_CALL(tsr_mg_setup(s->mg));
  }
  if (pp->solver != SOLVER_MG) {
    TSR_CALL(tsr_krylov_create(s->op, &s->ksp));
    TSR_CALL(tsr_krylov_set_type(s->ksp,
                                 pp->solver == SOLVER_PIPECG ? TSR_KRYLOV_PIPECG : TSR_KRYLOV_CG));
    TSR_CALL(tsr_krylov_set_pc(s->ksp, pp->pc, s->mg));
    TSR_CALL(tsr_krylov_set_params(s->ksp, &pp->params));
    TSR_CALL(tsr_krylov_setup(s->ksp));
  }
  return TSR_SUCCESS;
}

static tsr_err print_setup(tsr_ctx ctx, const poisson_problem *pp, const poisson_solver_set *s) {
  tsr_grid_info g;
  TSR_CALL(tsr_grid_get_info(s->grid, &g));
  tsr_log log = tsr_ctx_log(ctx);
  TSR_CALL(tsr_log_printf(log, 1,
                          "poisson: grid %lldx%lldx%lld unknowns (N = %lld, h = 1/N), %d ranks as "
                          "%dx%dx%d, %d threads per rank, sums %s\n",
                          (long long)g.n[0], (long long)g.n[1], (long long)g.n[2],
                          (long long)pp->N[0], g.size, g.procs[0], g.procs[1], g.procs[2],
                          tsr_ctx_num_threads(ctx),
                          tsr_poisson_reproducible(s->op) ? "reproducible (whole planes per rank)"
                                                          : "in rank order (not reproducible)"));
  const char *method = pp->solver == SOLVER_MG       ? "mg"
                       : pp->solver == SOLVER_PIPECG ? "pipecg"
                                                     : "cg";
  if (!s->mg) {
    TSR_CALL(
        tsr_log_printf(log, 1, "poisson: solver %s, pc %s\n", method, tsr_pc_type_name(pp->pc)));
    return TSR_SUCCESS;
  }
  tsr_mg_level_info lv[24];
  int nl;
  TSR_CALL(tsr_mg_get_levels(s->mg, lv, 24, &nl));
  char levels[256];
  int len = 0;
  for (int l = 0; l < nl && len < (int)sizeof levels - 16; l++)
    len += snprintf(levels + len, sizeof levels - (size_t)len, " %lld%s", (long long)lv[l].n,
                    lv[l].distributed ? "" : "*");
  TSR_CALL(tsr_log_printf(log, 1,
                          "poisson: solver %s, pc %s; multigrid %s-cycle, %s %d+%d, %d levels "
                          "(cells per axis;%s; * = gathered onto every rank)\n",
                          method, pp->solver == SOLVER_MG ? "-" : tsr_pc_type_name(pp->pc),
                          tsr_mg_cycle_name(pp->cycle), tsr_mg_smoother_name(pp->smoother), pp->pre,
                          pp->post, nl, levels));
  return TSR_SUCCESS;
}

static tsr_err report(tsr_ctx ctx, const poisson_problem *pp, poisson_solver_set *s,
                      const tsr_solve_info *info, const double times[2]) {
  tsr_field r;
  double rnorm, err, t[2];
  uint64_t fp;
  TSR_CALL(tsr_poisson_create_vector(s->op, "r", false, &r));
  TSR_CALL(tsr_poisson_residual(s->op, s->b, s->x, r, &rnorm));
  TSR_CALL(poisson_max_error(ctx, pp, s->x, &err));
  TSR_CALL(tsr_field_fingerprint(s->x, &fp));
  TSR_CALL(tsr_reduce(ctx, TSR_MAX, times, t, 2)); /* the slowest rank's */
  tsr_log log = tsr_ctx_log(ctx);
  TSR_CALL(tsr_log_printf(log, 0, "poisson: status %s\n", tsr_solve_status_name(info->status)));
  TSR_CALL(tsr_log_printf(log, 0,
                          "poisson: iterations %lld, residual reduction %.3e (true |b-Ax|/|b| "
                          "%.3e)\n",
                          (long long)info->iterations, info->rnorm / info->bnorm,
                          rnorm / info->bnorm));
  TSR_CALL(tsr_log_printf(log, 0, "poisson: setup %.4f s, solve %.4f s, total %.4f s\n", t[0], t[1],
                          t[0] + t[1]));
  TSR_CALL(tsr_log_printf(log, 0, "poisson: max error %.6e\n", err));
  TSR_CALL(tsr_log_printf(log, 0, "poisson: fingerprint 0x%016llx\n", (unsigned long long)fp));
  return TSR_SUCCESS;
}

/* A barrier through the library's communicator, so timings start together. */
static tsr_err sync_ranks(tsr_ctx ctx) {
  double one = 1.0, sum;
  return tsr_reduce(ctx, TSR_SUM, &one, &sum, 1);
}

static tsr_err run(tsr_ctx ctx, int *exit_code) {
  poisson_problem pp;
  bool stop;
  TSR_CALL(poisson_read_options(ctx, &pp, &stop));
  if (stop) return TSR_SUCCESS;
  TSR_CALL(poisson_tables(&pp));
  poisson_solver_set s = {0};
  double times[2];
  TSR_CALL(sync_ranks(ctx));
  double t0 = tsr_wtime();
  TSR_CALL(build(ctx, &pp, &s));
  times[0] = tsr_wtime() - t0;
  TSR_CALL(print_setup(ctx, &pp, &s));
  tsr_solve_info info;
  TSR_CALL(sync_ranks(ctx));
  t0 = tsr_wtime();
  if (s.ksp)
    TSR_CALL(tsr_krylov_solve(s.ksp, s.b, s.x, &info));
  else
    TSR_CALL(tsr_mg_solve(s.mg, s.b, s.x, &info));
  times[1] = tsr_wtime() - t0;
  TSR_CALL(report(ctx, &pp, &s, &info, times));
  if (info.status < 0) {
    TSR_CALL(tsr_log_printf(tsr_ctx_log(ctx), 0, "poisson: error: the solve failed: %s\n",
                            tsr_solve_status_name(info.status)));
    *exit_code = 3;
  }
  TSR_CALL(tsr_krylov_destroy(&s.ksp));
  TSR_CALL(tsr_mg_destroy(&s.mg));
  TSR_CALL(tsr_poisson_destroy(&s.op));
  TSR_CALL(tsr_grid_destroy(&s.grid));
  poisson_tables_free(&pp);
  return TSR_SUCCESS;
}

int main(int argc, char **argv) {
  tsr_ctx ctx = NULL;
  if (tsr_ctx_create(&argc, &argv, MPI_COMM_WORLD, &ctx) != TSR_SUCCESS) return 1;
  int code = 0;
  tsr_err err = run(ctx, &code); /* errors end the run in the context's handler */
  tsr_ctx_destroy(&ctx);
  return err != TSR_SUCCESS ? 1 : code;
}
