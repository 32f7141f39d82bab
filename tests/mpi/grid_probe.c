/* Sets up a grid from the command line in the context's default (exit) error mode and prints
 * what it got from rank 0:
 *   grid dim=D n=NxMxK procs=PxQxR periodic=a,b,c ghost=G
 * Options: those of tsr_grid_set_from_options() (default grid 16x16) and --ghost G. A refused
 * grid ends the run with exit code 2 and one message from rank 0. */
#include "tessera.h"

static tsr_err run(tsr_ctx ctx) {
  tsr_options o = tsr_ctx_options(ctx);
  int64_t ghost;
  TSR_CALL(tsr_options_get_int(o, "ghost", "ghost width of the grid", 1, 0, 64, &ghost));
  const tsr_gidx n[3] = {16, 16, 1};
  tsr_grid grid;
  TSR_CALL(tsr_grid_create(ctx, 2, n, &grid));
  TSR_CALL(tsr_grid_set_ghost_width(grid, (int)ghost));
  TSR_CALL(tsr_grid_set_from_options(grid));
  bool stop;
  TSR_CALL(tsr_options_finish(o, &stop));
  if (!stop) {
    TSR_CALL(tsr_grid_setup(grid));
    tsr_grid_info g;
    TSR_CALL(tsr_grid_get_info(grid, &g));
    TSR_CALL(tsr_log_printf(tsr_ctx_log(ctx), 1,
                            "grid dim=%d n=%lldx%lldx%lld procs=%dx%dx%d periodic=%d,%d,%d "
                            "ghost=%d\n",
                            g.dim, (long long)g.n[0], (long long)g.n[1], (long long)g.n[2],
                            g.procs[0], g.procs[1], g.procs[2], g.periodic[0], g.periodic[1],
                            g.periodic[2], g.ghost_width));
  }
  TSR_CALL(tsr_grid_destroy(&grid));
  return TSR_SUCCESS;
}

int main(int argc, char **argv) {
  tsr_ctx ctx;
  if (tsr_ctx_create(&argc, &argv, MPI_COMM_WORLD, &ctx) != TSR_SUCCESS) return 1;
  tsr_err e = run(ctx); /* errors end the run inside the handler (exit mode) */
  tsr_ctx_destroy(&ctx);
  return e == TSR_SUCCESS ? 0 : 1;
}
