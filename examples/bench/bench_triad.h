/* The STREAM triad a = b + s c, the bandwidth reference of the stencil benchmark.
 *
 * Three arrays of n doubles per rank, allocated through Tessera (64-byte aligned) and first
 * touched with the same `parallel for schedule(static)` as the triad loop, so each thread's
 * pages are local to it. Counted as STREAM counts it: 24 bytes per iteration (read b, read c,
 * write a), ignoring the write-allocate read of a that ordinary stores cause. The second
 * variant writes a with non-temporal (streaming) stores, which skip that read. */
#ifndef TSR_BENCH_TRIAD_H
#define TSR_BENCH_TRIAD_H

#include "bench_util.h"

typedef struct {
  double *a, *b, *c;
  int64_t n;        /**< elements per array on this rank */
  double scalar;    /**< s */
  bool nontemporal; /**< run with streaming stores */
} bench_triad;

/** Whether this build has a non-temporal store variant (x86-64 SSE2). */
bool bench_triad_has_nontemporal(void);

/** Allocate and first-touch three arrays of @p n doubles (b = 1, c = 2, a = 0). */
tsr_err bench_triad_setup(int64_t n, bench_triad *t);

/** One triad sweep (bench_work signature; the argument is a bench_triad). Threaded. */
tsr_err bench_triad_run(void *arg);

/** Number of elements of a that differ from b + s c (checks the last sweep). Threaded. */
int64_t bench_triad_errors(const bench_triad *t);

/** Free the arrays. */
tsr_err bench_triad_free(bench_triad *t);

#endif
