/* Drives the context's default (exit) error mode from the command line:
 *   --fail-on-rank R   rank R fails a huge allocation (a rank-local error: abort with traceback)
 *   --collective-error a check every rank fails alike (one message, exit 2)
 * Without those it prints "ok" from rank 0 (use --banner to see the start-up banner). */
#include <stdint.h>

#include "tessera.h"

static tsr_err allocate_too_much(void) {
  double *p;
  TSR_CALL(tsr_malloc(SIZE_MAX - 1, &p));
  return TSR_SUCCESS;
}

static tsr_err check_positive(int64_t v) {
  TSR_CHECK(v > 0, TSR_ERR_ARG, "value must be positive, got %lld", (long long)v);
  return TSR_SUCCESS;
}

int main(int argc, char **argv) {
  tsr_ctx ctx;
  TSR_CALL(tsr_ctx_create(&argc, &argv, MPI_COMM_WORLD, &ctx));
  tsr_options o = tsr_ctx_options(ctx);
  int64_t fail_rank;
  bool collective;
  TSR_CALL(tsr_options_get_int(o, "fail-on-rank", "rank that fails an allocation", -1, -1,
                               INT32_MAX, &fail_rank));
  TSR_CALL(tsr_options_get_bool(o, "collective-error", "fail a check on every rank", false,
                                &collective));
  bool stop;
  TSR_CALL(tsr_options_finish(o, &stop));
  if (!stop) {
    if (tsr_ctx_rank(ctx) == fail_rank) TSR_CALL(allocate_too_much());
    if (collective) TSR_CALL(check_positive(-5));
    MPI_Barrier(tsr_ctx_comm(ctx)); /* the others wait here: MPI_Abort must end them */
    TSR_CALL(tsr_log_printf(tsr_ctx_log(ctx), 1, "ok\n"));
  }
  TSR_CALL(tsr_ctx_destroy(&ctx));
  return 0;
}
