/* Hand-made field components for kernel tests (tsr_test_array.h). */
#include "tsr_test_array.h"

#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

tsr_err tsr_test_array_create(int dim, const int n[3], int ghost, int pad, tsr_test_array *a) {
  memset(a, 0, sizeof *a);
  int g[3];
  for (int d = 0; d < 3; d++)
    g[d] = d < dim ? ghost : 0;
  const ptrdiff_t extra = pad > 0 ? pad : 0;
  ptrdiff_t lead = 0, sj = n[0] + 2 * g[0] + extra;
  if (pad < 0) { /* like field.c: a leading pad puts the first owned cell on 64 bytes */
    lead = (8 - g[0] % 8) % 8;
    sj = (lead + sj + 7) / 8 * 8;
  }
  const ptrdiff_t sk = sj * (n[1] + 2 * g[1]) + extra;
  a->len = (size_t)(lead + sk * (n[2] + 2 * g[2]) + extra + (pad < 0 ? 8 : 0));
  TSR_CALL(TSR_MALLOC(a->len, &a->block));
  a->v.data = a->block + lead + g[0] + g[1] * sj + g[2] * sk;
  a->v.sj = sj;
  a->v.sk = sk;
  for (int d = 0; d < 3; d++) {
    a->v.n[d] = n[d];
    a->v.ghost[d] = g[d];
    a->v.box.lo[d] = 0;
    a->v.box.hi[d] = n[d];
  }
  tsr_test_array_reset(a);
  return TSR_SUCCESS;
}

void tsr_test_array_destroy(tsr_test_array *a) {
  tsr_free(&a->block);
}

void tsr_test_array_reset(tsr_test_array *a) {
  for (size_t e = 0; e < a->len; e++)
    a->block[e] = TSR_TEST_SENTINEL;
}

long tsr_test_array_touched_outside(const tsr_test_array *a, const tsr_box *box) {
  const tsr_view *v = &a->v;
  long bad = 0;
  for (int k = -v->ghost[2]; k < v->n[2] + v->ghost[2]; k++)
    for (int j = -v->ghost[1]; j < v->n[1] + v->ghost[1]; j++)
      for (int i = -v->ghost[0]; i < v->n[0] + v->ghost[0]; i++) {
        const tsr_gidx idx[3] = {i, j, k};
        if (!tsr_box_contains(box, idx) && TSR_VIEW_AT(*v, i, j, k) != TSR_TEST_SENTINEL) bad++;
      }
  return bad;
}

uint64_t tsr_test_mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double tsr_test_unit_value(uint64_t x) {
  return (double)(tsr_test_mix64(x) >> 11) * 0x1.0p-52 - 1.0;
}

int tsr_test_boxes(int dim, const int n[3], tsr_box *boxes, int max) {
  int nb = 0;
  const tsr_box whole = {{0, 0, 0}, {n[0], n[1], n[2]}};
  boxes[nb++] = whole;
  tsr_box interior = whole;
  for (int a = 0; a < dim; a++) {
    interior.lo[a] = 1;
    interior.hi[a] = n[a] - 1 > 1 ? n[a] - 1 : 1;
  }
  boxes[nb++] = interior;
  for (int a = 0; a < dim && nb + 2 <= max; a++) {
    tsr_box lo_slab = whole, hi_slab = whole;
    lo_slab.hi[a] = 1;
    hi_slab.lo[a] = n[a] - 1;
    boxes[nb++] = lo_slab;
    boxes[nb++] = hi_slab;
  }
  const tsr_box row = {{0, n[1] / 2, n[2] / 2}, {n[0], n[1] / 2 + 1, n[2] / 2 + 1}};
  if (nb < max) boxes[nb++] = row;
  const tsr_box cell = {{n[0] - 1, 0, n[2] - 1}, {n[0], 1, n[2]}};
  if (nb < max) boxes[nb++] = cell;
  uint64_t seed = 12345;
  while (nb < max) {
    tsr_box b;
    for (int a = 0; a < 3; a++) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      const int x = (int)((seed >> 33) % (uint64_t)n[a]), y = (int)((seed >> 45) % (uint64_t)n[a]);
      b.lo[a] = x < y ? x : y;
      b.hi[a] = (x < y ? y : x) + 1;
    }
    boxes[nb++] = b;
  }
  return nb;
}

void tsr_test_set_threads(int n) {
#ifdef _OPENMP
  omp_set_num_threads(n);
#else
  (void)n;
#endif
}

int tsr_test_threads(void) {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}
