/* The Parallel Research Kernels' 2-D star stencil (PRK "Stencil", MPI1 version), on Tessera.
 *
 * The PRK rules, re-implemented from their description: an n x n grid, in(i, j) = i + j and
 * out = 0 initially; each iteration exchanges the ghosts of `in` (width r, faces only), adds
 * the star stencil of radius r to `out` on the points at least r from the grid's edge
 * (out += sum of w * in, with weights +-1/(2 d r) at offsets +-d along each axis and 0 in the
 * centre), then adds 1 to every point of `in`. Iteration 0 is a warm-up; the timer covers
 * iterations 1..N (the slowest rank's time). Rate: (2 (4r + 1) + 1) (n - 2r)^2 flops per
 * iteration over the mean iteration time, in MFlop/s. Check: the mean |out| over the active
 * points must be (N + 1) (cx + cy) = 2 (N + 1) within 1e-8 (each application adds exactly
 * 1 per axis to out, since in is linear with unit slopes).
 *
 * Tessera's pieces: a grid with Tessera's decomposition, a star halo plan of width r, and the
 * stencil kernel tsr_stencil_residual() computing out = out - (-A) in in place. */
#ifndef TSR_BENCH_PRK_H
#define TSR_BENCH_PRK_H

#include "bench_util.h"

typedef struct {
  int64_t n;          /**< --prk-n: grid edge (default 8000) */
  int64_t iterations; /**< --prk-iterations: timed iterations (default 100) */
  int64_t radius;     /**< --prk-radius: star radius (default 2) */
} bench_prk_options;

/** Register and read the --prk-* options. */
tsr_err bench_prk_read_options(tsr_options opts, bench_prk_options *o);

/** Run the PRK stencil --repeat times; one "prk" row in @p rep and a table. Collective. */
tsr_err bench_prk_run(tsr_ctx ctx, const bench_common *common, const bench_prk_options *o,
                      bench_report *rep);

#endif
