/* Hand-made field components for kernel tests (tsr_test_array.h). */
#include "tsr_test_array.h"

#include <string.h>

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
