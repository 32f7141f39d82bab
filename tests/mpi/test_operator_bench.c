/* How much of the halo exchange an operator hides: the explicit heat update (7-point in 3-D)
 * applied through tsr_op_apply() for a number of steps, then the operator's summary (bare vs
 * exposed exchange time, share hidden, averaged over ranks) and its time per step.
 *
 *   mpirun -n 2 test_operator_bench --grid 256 --dim 3 --steps 60 [--op-chunks 4]
 *          [--op-calibrate 10] [--op-overlap false] [--log-view]
 *
 * Registered as a quick smoke test on a small grid; the figure in the report comes from the
 * command above on a release build. */
#include "tessera_kernels.h"

typedef struct {
  tsr_heat_coef coef;
} heat_user;

static tsr_err heat_kernel(const tsr_op_views *v, const tsr_box *box, void *user) {
  const heat_user *h = user;
  return tsr_stencil_heat(&v->in[0], &v->out[0], &h->coef, box);
}

static double hash_init(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  (void)comp, (void)user;
  uint64_t x = (uint64_t)idx[0] + 7919u * ((uint64_t)idx[1] + 7919u * (uint64_t)idx[2]);
  x = (x ^ (x >> 31)) * 0x7fb5d329728ea185ULL;
  return (double)(x >> 11) * 0x1.0p-53;
}

static tsr_err make_field(tsr_grid grid, const char *name, tsr_field *f) {
  TSR_CALL(tsr_field_create(grid, name, 1, 1, f));
  for (int face = 0; face < 2 * TSR_MAX_DIM; face++)
    TSR_CALL(tsr_field_set_boundary(*f, face, TSR_BC_DIRICHLET, 0.0, NULL, NULL));
  TSR_CALL(tsr_field_setup(*f));
  return TSR_SUCCESS;
}

static tsr_err run(tsr_ctx ctx) {
  const tsr_gidx n[TSR_MAX_DIM] = {256, 256, 256};
  tsr_grid grid;
  TSR_CALL(tsr_grid_create(ctx, 3, n, &grid));
  TSR_CALL(tsr_grid_set_from_options(grid));
  int64_t steps;
  TSR_CALL(tsr_options_get_int(tsr_ctx_options(ctx), "steps", "operator applications to time", 60,
                               1, 1000000, &steps));
  tsr_op op;
  TSR_CALL(tsr_op_create(grid, &op));
  TSR_CALL(tsr_op_set_calibration(op, 10)); /* a default the options may override */
  TSR_CALL(tsr_op_set_from_options(op));
  bool stop;
  TSR_CALL(tsr_options_finish(tsr_ctx_options(ctx), &stop));
  if (stop) {
    TSR_CALL(tsr_op_destroy(&op));
    return tsr_grid_destroy(&grid);
  }
  TSR_CALL(tsr_grid_setup(grid));
  tsr_grid_info g;
  TSR_CALL(tsr_grid_get_info(grid, &g));

  tsr_field u[2];
  TSR_CALL(make_field(grid, "u", &u[0]));
  TSR_CALL(make_field(grid, "u_next", &u[1]));
  TSR_CALL(tsr_field_fill(u[0], hash_init, NULL));
  heat_user hu = {.coef = {.dim = g.dim, .c = {0.1, 0.1, 0.1}}};
  TSR_CALL(tsr_op_set_name(op, "heat"));
  TSR_CALL(tsr_op_set_kernel(op, heat_kernel, &hu));
  TSR_CALL(tsr_op_set_work(op, 5.0 * g.dim, 16.0));
  TSR_CALL(tsr_op_setup(op));

  int old = 0;
  const double t0 = tsr_wtime();
  for (int64_t s = 0; s < steps; s++) {
    TSR_CALL(tsr_op_apply(op, u[old], u[1 - old]));
    old = 1 - old;
  }
  double wall = tsr_wtime() - t0, slowest;
  TSR_CALL(tsr_reduce(ctx, TSR_MAX, &wall, &slowest, 1));
  tsr_op_info info;
  TSR_CALL(tsr_op_get_info(op, &info));
  uint64_t fp;
  TSR_CALL(tsr_field_fingerprint(u[old], &fp));
  tsr_log log = tsr_ctx_log(ctx);
  TSR_CALL(tsr_log_printf(log, 0,
                          "bench: %d-D grid %lldx%lldx%lld on %d ranks (%dx%dx%d), %d threads, "
                          "%lld steps, %d interior chunks\n",
                          g.dim, (long long)g.n[0], (long long)g.n[1], (long long)g.n[2], g.size,
                          g.procs[0], g.procs[1], g.procs[2], tsr_ctx_num_threads(ctx),
                          (long long)steps, info.chunks));
  TSR_CALL(tsr_log_printf(log, 0, "bench: time per step %.4e s, fingerprint 0x%016llx\n",
                          slowest / (double)steps, (unsigned long long)fp));
  TSR_CALL(tsr_op_print_summary(op, 0));
  TSR_CALL(tsr_op_destroy(&op));
  TSR_CALL(tsr_field_destroy(&u[0]));
  TSR_CALL(tsr_field_destroy(&u[1]));
  return tsr_grid_destroy(&grid);
}

int main(int argc, char **argv) {
  tsr_ctx ctx = NULL;
  if (tsr_ctx_create(&argc, &argv, MPI_COMM_WORLD, &ctx) != TSR_SUCCESS) return 1;
  tsr_err err = run(ctx);
  tsr_ctx_destroy(&ctx);
  return err == TSR_SUCCESS ? 0 : 1;
}
