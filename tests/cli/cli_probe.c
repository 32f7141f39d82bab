/* A program using the options the way every Tessera program does, in the context's default
 * (exit) error mode: any option error ends the run with one message from rank 0 and exit
 * code 2; --help lists the options and exits 0. On success rank 0 prints "ok" and the values. */
#include <inttypes.h>
#include <stdio.h>

#include "tessera.h"

int main(int argc, char **argv) {
  tsr_ctx ctx;
  TSR_CALL(tsr_ctx_create(&argc, &argv, MPI_COMM_WORLD, &ctx));
  tsr_options o = tsr_ctx_options(ctx);
  const char *const solvers[] = {"cg", "pcg", "mg"};
  const int64_t grid_def[3] = {64, 64, 1};
  int64_t steps, grid[3];
  double dt;
  int solver, ngrid;
  const char *out;
  TSR_CALL(tsr_options_get_int(o, "steps", "number of time steps", 100, 1, 1000, &steps));
  TSR_CALL(tsr_options_get_real(o, "dt", "time step", 0.1, 0, 1, &dt));
  TSR_CALL(tsr_options_get_ints(o, "grid", "global grid size", grid_def, 3, 3, 1, 1 << 20, grid,
                                &ngrid));
  TSR_CALL(tsr_options_get_enum(o, "solver", "linear solver", solvers, 3, 0, &solver));
  TSR_CALL(tsr_options_get_string(o, "out", "output folder", "results", &out));
  bool stop;
  TSR_CALL(tsr_options_finish(o, &stop));
  if (!stop && tsr_ctx_rank(ctx) == 0) {
    printf("ok steps=%" PRId64 " dt=%g grid=%" PRId64, steps, dt, grid[0]);
    for (int i = 1; i < ngrid; i++)
      printf("x%" PRId64, grid[i]);
    printf(" solver=%s out=%s\n", solvers[solver], out);
  }
  TSR_CALL(tsr_ctx_destroy(&ctx));
  return 0;
}
