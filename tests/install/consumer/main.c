/* A minimal program using an installed Tessera: create a context and a 2-D grid, check that
 * the tiles of all ranks cover the grid, and print one line from rank 0. The install test
 * builds it with CMake and with pkg-config and checks that line. */
#include <stdio.h>

#include "tessera.h"

static tsr_err run(int *argc, char ***argv) {
  tsr_ctx ctx = NULL;
  tsr_grid grid = NULL;
  const tsr_gidx n[2] = {48, 32};
  tsr_grid_info info;

  TSR_CALL(tsr_ctx_create(argc, argv, MPI_COMM_WORLD, &ctx));
  TSR_CALL(tsr_grid_create(ctx, 2, n, &grid));
  TSR_CALL(tsr_grid_setup(grid));
  TSR_CALL(tsr_grid_get_info(grid, &info));

  /* The owned tiles must add up to the whole grid. */
  double owned = (double)tsr_box_volume(&info.owned), total = 0;
  TSR_CALL(tsr_reduce(ctx, TSR_SUM, &owned, &total, 1));
  if (info.rank == 0)
    printf("tessera %s consumer: %d ranks, grid %lldx%lld split %dx%d, %.0f of %lld cells owned\n",
           TSR_VERSION_STRING, info.size, (long long)info.n[0], (long long)info.n[1], info.procs[0],
           info.procs[1], total, (long long)(info.n[0] * info.n[1]));

  TSR_CALL(tsr_grid_destroy(&grid));
  TSR_CALL(tsr_ctx_destroy(&ctx));
  return TSR_SUCCESS;
}

int main(int argc, char **argv) {
  return run(&argc, &argv) == TSR_SUCCESS ? 0 : 1;
}
