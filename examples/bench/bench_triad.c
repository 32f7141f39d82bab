/* The STREAM triad, with ordinary and with non-temporal stores. */
#include "bench_triad.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define BENCH_HAVE_NT 1
#else
#define BENCH_HAVE_NT 0
#endif

bool bench_triad_has_nontemporal(void) {
  return BENCH_HAVE_NT;
}

tsr_err bench_triad_setup(int64_t n, bench_triad *t) {
  *t = (bench_triad){.n = n, .scalar = 3.0};
  TSR_CALL(TSR_MALLOC(n, &t->a));
  TSR_CALL(TSR_MALLOC(n, &t->b));
  TSR_CALL(TSR_MALLOC(n, &t->c));
  double *a = t->a, *b = t->b, *c = t->c;
  TSR_OMP(parallel for schedule(static))
  for (int64_t i = 0; i < n; i++) {
    a[i] = 0.0;
    b[i] = 1.0;
    c[i] = 2.0;
  }
  return TSR_SUCCESS;
}

static void triad_plain(int64_t n, double *restrict a, const double *restrict b,
                        const double *restrict c, double s) {
  TSR_OMP(parallel for schedule(static))
  for (int64_t i = 0; i < n; i++)
    a[i] = b[i] + s * c[i];
}

#if BENCH_HAVE_NT
/* Streaming stores go straight to memory, so a is not read first. The loop runs over pairs
 * (one 16-byte store each) with the same static schedule as the first touch; the arrays are
 * 64-byte aligned, so every pair is aligned; a fence makes each thread's stores visible. */
static void triad_nontemporal(int64_t n, double *restrict a, const double *restrict b,
                              const double *restrict c, double s) {
  const int64_t pairs = n / 2;
  TSR_OMP(parallel) {
    const __m128d vs = _mm_set1_pd(s);
    TSR_OMP(for schedule(static))
    for (int64_t p = 0; p < pairs; p++) {
      const __m128d v = _mm_add_pd(_mm_load_pd(b + 2 * p), _mm_mul_pd(vs, _mm_load_pd(c + 2 * p)));
      _mm_stream_pd(a + 2 * p, v);
    }
    _mm_sfence();
  }
  if (n % 2) a[n - 1] = b[n - 1] + s * c[n - 1];
}
#endif

tsr_err bench_triad_run(void *arg) {
  bench_triad *t = arg;
#if BENCH_HAVE_NT
  if (t->nontemporal) {
    triad_nontemporal(t->n, t->a, t->b, t->c, t->scalar);
    return TSR_SUCCESS;
  }
#endif
  triad_plain(t->n, t->a, t->b, t->c, t->scalar);
  return TSR_SUCCESS;
}

int64_t bench_triad_errors(const bench_triad *t) {
  int64_t bad = 0;
  const double *a = t->a, *b = t->b, *c = t->c;
  const double s = t->scalar;
  TSR_OMP(parallel for schedule(static) reduction(+ : bad))
  for (int64_t i = 0; i < t->n; i++)
    bad += a[i] != b[i] + s * c[i];
  return bad;
}

tsr_err bench_triad_free(bench_triad *t) {
  TSR_CALL(tsr_free(&t->a));
  TSR_CALL(tsr_free(&t->b));
  TSR_CALL(tsr_free(&t->c));
  return TSR_SUCCESS;
}
