/* Cost of tsr_event_begin/tsr_event_end with collection off and on: a tight loop of pairs on
 * one rank. Prints nanoseconds per begin/end pair; the numbers go into docs/logging.md.
 * usage: bench_events [pairs]   (default 10000000) */
#include <stdio.h>
#include <stdlib.h>

#include "tessera.h"

static double pairs_ns(tsr_events ev, tsr_event id, long pairs) {
  const double t0 = tsr_wtime();
  for (long i = 0; i < pairs; i++) {
    if (tsr_event_begin(ev, id) != TSR_SUCCESS || tsr_event_end(ev, id) != TSR_SUCCESS) exit(1);
  }
  return (tsr_wtime() - t0) / (double)pairs * 1e9;
}

int main(int argc, char **argv) {
  tsr_ctx ctx = NULL;
  if (tsr_ctx_create(NULL, NULL, MPI_COMM_WORLD, &ctx) != TSR_SUCCESS) return 1;
  const long pairs = argc > 1 ? atol(argv[1]) : 10000000L;
  tsr_events ev = tsr_ctx_events(ctx);
  tsr_event id;
  if (tsr_event_register(ev, "bench.pair", TSR_EVENT_COMPUTE, &id) != TSR_SUCCESS) return 1;
  const double off = pairs_ns(ev, id, pairs);
  tsr_events_set_active(ev, true);
  const double on = pairs_ns(ev, id, pairs);
  tsr_events_set_active(ev, false);
  if (tsr_ctx_rank(ctx) == 0)
    printf("begin+end pair: %.2f ns with collection off, %.2f ns on (%ld pairs)\n", off, on, pairs);
  tsr_ctx_destroy(&ctx);
  return 0;
}
