/* Node-local vector kernels (vec.h): the fused engine against its reference twin bit for bit,
 * on odd sizes, sub-boxes, padded views with different strides and 1 to 3 threads; partial
 * sums independent of the thread count; exact results on integer data; NaN handling; the
 * aliasing rule and bad arguments. Kernels are node-local, so one rank suffices. */
#include <math.h>
#include <string.h>

#include "tessera_kernels.h"
#include "tsr_test.h"
#include "tsr_test_array.h"

/* Values in [-1, 1) scaled by 2^-20 .. 2^19: sums of these depend on the order of addition. */
static double wide_value(uint64_t seed) {
  const uint64_t h = tsr_test_mix64(seed);
  return ldexp((double)(h >> 11) * 0x1.0p-52 - 1.0, (int)(h % 40) - 20);
}

/* Small integers in [-3, 3]: every sum and product below is exact, in any order. */
static double small_int(uint64_t seed) {
  return (double)(int)(tsr_test_mix64(seed) % 7) - 3.0;
}

/* Fill the whole block (ghosts and padding too) from @p f with a per-array @p salt. */
static void array_fill(tsr_test_array *a, double (*f)(uint64_t), uint64_t salt) {
  for (size_t e = 0; e < a->len; e++)
    a->block[e] = f(salt * 1000003u + e);
}

static bool same_bits(double a, double b) {
  return memcmp(&a, &b, sizeof a) == 0;
}

/* Boxes on an owned extent n: whole, single row, single plane, one cell, and pseudo-random
 * sub-boxes, up to @p max. */
static int make_boxes(const int n[3], tsr_box *boxes, int max) {
  int nb = 0;
  boxes[nb++] = (tsr_box){{0, 0, 0}, {n[0], n[1], n[2]}};
  if (nb < max)
    boxes[nb++] = (tsr_box){{1, n[1] / 2, n[2] / 2}, {n[0], n[1] / 2 + 1, n[2] / 2 + 1}};
  if (nb < max) boxes[nb++] = (tsr_box){{0, 0, n[2] - 1}, {n[0], n[1], n[2]}};
  if (nb < max) boxes[nb++] = (tsr_box){{n[0] - 1, 0, 0}, {n[0], 1, 1}};
  uint64_t seed = 12345;
  while (nb < max) {
    tsr_box b;
    for (int a = 0; a < 3; a++) {
      seed = tsr_test_mix64(seed);
      const int x = (int)(seed % (uint64_t)n[a]), y = (int)((seed >> 32) % (uint64_t)n[a]);
      b.lo[a] = x < y ? x : y;
      b.hi[a] = (x < y ? y : x) + 1;
    }
    boxes[nb++] = b;
  }
  return nb;
}

/* ------------------------------------------------------------------------------------------ */
/* Fused engine against the reference                                                          */
/* ------------------------------------------------------------------------------------------ */

enum { NARR = 6 };

/* A fused call on arrays A..F: updates and reductions, as indices into the arrays. */
typedef struct {
  const char *name;
  int nupd;
  struct {
    int w;
    double a;
    int x; /* -1: none */
    double b;
    int y; /* -1: none */
  } upd[3];
  int nred;
  struct {
    tsr_vec_reduce_kind kind;
    int x, y;
  } red[4];
} scenario;

static const scenario scenarios[] = {
    {"dot", 0, {{0}}, 1, {{TSR_VEC_DOT, 0, 1}}},
    {"norms", 0, {{0}}, 2, {{TSR_VEC_DOT, 0, 0}, {TSR_VEC_MAXABS, 1, -1}}},
    {"axpby + 2 dots", 1, {{1, 0.3, 0, 0.7, 1}}, 2, {{TSR_VEC_DOT, 1, 1}, {TSR_VEC_DOT, 1, 2}}},
    {"cg update",
     2,
     {{2, 0.37, 0, 1.0, 2}, {3, -0.37, 1, 1.0, 3}},
     2,
     {{TSR_VEC_DOT, 3, 3}, {TSR_VEC_MAXABS, 3, -1}}},
    {"waxpby, scale-copy, multi-dot",
     2,
     {{4, 1.3, 0, -0.2, 1}, {5, 0, -1, 2.5, 4}},
     3,
     {{TSR_VEC_DOT, 4, 0}, {TSR_VEC_DOT, 4, 1}, {TSR_VEC_DOT, 5, 2}}},
    {"in place x and chain",
     3,
     {{0, 1.5, 0, 0.25, 1}, {0, 3.0, 0, 0, -1}, {1, 1.0, 0, 1.0, 1}},
     4,
     {{TSR_VEC_DOT, 0, 1}, {TSR_VEC_MAXABS, 0, -1}, {TSR_VEC_DOT, 1, 1}, {TSR_VEC_DOT, 2, 3}}},
};

static void build_call(const scenario *s, tsr_test_array arr[NARR], tsr_vec_update *u,
                       tsr_vec_reduction *r) {
  for (int p = 0; p < s->nupd; p++)
    u[p] = (tsr_vec_update){&arr[s->upd[p].w].v, s->upd[p].a,
                            s->upd[p].x >= 0 ? &arr[s->upd[p].x].v : NULL, s->upd[p].b,
                            s->upd[p].y >= 0 ? &arr[s->upd[p].y].v : NULL};
  for (int q = 0; q < s->nred; q++)
    r[q] = (tsr_vec_reduction){s->red[q].kind, &arr[s->red[q].x].v,
                               s->red[q].y >= 0 ? &arr[s->red[q].y].v : NULL};
}

static void restore(tsr_test_array arr[NARR], double *const saved[NARR]) {
  for (int a = 0; a < NARR; a++)
    memcpy(arr[a].block, saved[a], arr[a].len * sizeof(double));
}

/* One scenario on one box: the reference once, then the engine at 1, 2 and 3 threads. */
static long check_scenario(const scenario *s, tsr_test_array arr[NARR], double *const init[NARR],
                           double *const expect[NARR], const tsr_box *box) {
  tsr_vec_update u[3];
  tsr_vec_reduction r[4];
  build_call(s, arr, u, r);
  double want[4], got[4];
  restore(arr, init);
  TSR_ASSERT_OK(tsr_vec_fused_ref(s->nupd, u, s->nred, r, box, want));
  for (int a = 0; a < NARR; a++)
    memcpy(expect[a], arr[a].block, arr[a].len * sizeof(double));
  long bad = 0;
  const int saved_threads = tsr_test_threads();
  for (int nt = 1; nt <= 3; nt++) {
    tsr_test_set_threads(nt);
    restore(arr, init);
    TSR_ASSERT_OK(tsr_vec_fused(s->nupd, u, s->nred, r, box, got));
    for (int q = 0; q < s->nred; q++)
      if (!same_bits(got[q], want[q])) bad++;
    for (int a = 0; a < NARR; a++) /* whole blocks: same bits inside, untouched outside */
      if (memcmp(arr[a].block, expect[a], arr[a].len * sizeof(double)) != 0) bad++;
  }
  tsr_test_set_threads(saved_threads);
  if (bad)
    fprintf(stderr, "fused '%s' differs from ref on box [%lld %lld %lld]-[%lld %lld %lld]\n",
            s->name, (long long)box->lo[0], (long long)box->lo[1], (long long)box->lo[2],
            (long long)box->hi[0], (long long)box->hi[1], (long long)box->hi[2]);
  return bad;
}

static void check_shape(int dim, const int n[3], int max_boxes) {
  tsr_test_array arr[NARR];
  double *init[NARR] = {0}, *expect[NARR] = {0};
  bool ok = true;
  for (int a = 0; a < NARR; a++) {
    /* ghost widths 0..2 and pads 0..5: every array has its own strides */
    TSR_ASSERT_OK(tsr_test_array_create(dim, n, a % 3, a, &arr[a]));
    TSR_ASSERT_OK(TSR_MALLOC(arr[a].len, &init[a]));
    TSR_ASSERT_OK(TSR_MALLOC(arr[a].len, &expect[a]));
    ok = ok && arr[a].block && init[a] && expect[a];
    if (arr[a].block) array_fill(&arr[a], wide_value, (uint64_t)a + 1);
    if (init[a]) memcpy(init[a], arr[a].block, arr[a].len * sizeof(double));
  }
  if (ok) {
    tsr_box boxes[12];
    const int nb = make_boxes(n, boxes, max_boxes);
    long bad = 0;
    for (size_t s = 0; s < sizeof scenarios / sizeof scenarios[0]; s++)
      for (int b = 0; b < nb; b++)
        bad += check_scenario(&scenarios[s], arr, init, expect, &boxes[b]);
    CU_ASSERT_EQUAL(bad, 0);
  }
  for (int a = 0; a < NARR; a++) {
    tsr_test_array_destroy(&arr[a]);
    tsr_free(&init[a]);
    tsr_free(&expect[a]);
  }
}

static void test_fused_equals_ref(void) {
  static const struct {
    int dim, n[3], boxes;
  } shapes[] = {
      {1, {7, 1, 1}, 6},    {1, {2501, 1, 1}, 8},                      /* several segments */
      {2, {37, 11, 1}, 10}, {2, {3, 41, 1}, 8},   {2, {5, 300, 1}, 4}, /* two batches */
      {3, {19, 7, 5}, 12},  {3, {9, 13, 11}, 10}, {3, {3, 2, 300}, 4}, /* two batches */
  };
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    check_shape(shapes[s].dim, shapes[s].n, shapes[s].boxes);
}

/* ------------------------------------------------------------------------------------------ */
/* Thread-count independence, stated directly                                                   */
/* ------------------------------------------------------------------------------------------ */

static void test_threads_same_bits(void) {
  const int n[3] = {23, 17, 29};
  tsr_test_array x, y;
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 3, &x));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 2, 1, &y));
  if (!x.block || !y.block) goto done;
  array_fill(&x, wide_value, 7);
  array_fill(&y, wide_value, 8);
  const tsr_box whole = {{0, 0, 0}, {n[0], n[1], n[2]}};
  double dot[3], sq[3];
  const int saved = tsr_test_threads();
  for (int nt = 1; nt <= 3; nt++) {
    tsr_test_set_threads(nt);
    TSR_ASSERT_OK(tsr_vec_dot(&x.v, &y.v, &whole, &dot[nt - 1]));
    TSR_ASSERT_OK(tsr_vec_norm2sq(&x.v, &whole, &sq[nt - 1]));
  }
  tsr_test_set_threads(saved);
  CU_ASSERT_TRUE(same_bits(dot[0], dot[1]) && same_bits(dot[0], dot[2]));
  CU_ASSERT_TRUE(same_bits(sq[0], sq[1]) && same_bits(sq[0], sq[2]));
  /* The data are order-sensitive: a plain left-to-right sum gives other bits, so equal bits
   * above mean the order really is fixed, not that any order would do. */
  double naive = 0;
  for (int k = 0; k < n[2]; k++)
    for (int j = 0; j < n[1]; j++)
      for (int i = 0; i < n[0]; i++)
        naive += TSR_VIEW_AT(x.v, i, j, k) * TSR_VIEW_AT(y.v, i, j, k);
  CU_ASSERT_FALSE(same_bits(naive, dot[0]));
  CU_ASSERT_TRUE(fabs(naive - dot[0]) <= 1e-9 * fabs(naive) + 1e-9);
done:
  tsr_test_array_destroy(&x);
  tsr_test_array_destroy(&y);
}

/* ------------------------------------------------------------------------------------------ */
/* Exact results of the named operations on integer data                                       */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  tsr_test_array x, y, z, w;
  int n[3];
  tsr_box box;
} int_data;

static bool int_data_create(int_data *d) {
  const int n[3] = {13, 6, 5};
  memcpy(d->n, n, sizeof n);
  d->box = (tsr_box){{1, 0, 1}, {12, 6, 4}}; /* a sub-box: cells outside must not change */
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 2, &d->x));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 2, 0, &d->y));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 0, 1, &d->z));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 3, &d->w));
  if (!d->x.block || !d->y.block || !d->z.block || !d->w.block) return false;
  array_fill(&d->x, small_int, 1);
  array_fill(&d->y, small_int, 2);
  array_fill(&d->z, small_int, 3);
  array_fill(&d->w, small_int, 4);
  return true;
}

static void int_data_destroy(int_data *d) {
  tsr_test_array_destroy(&d->x);
  tsr_test_array_destroy(&d->y);
  tsr_test_array_destroy(&d->z);
  tsr_test_array_destroy(&d->w);
}

static bool in_box(const tsr_box *b, int i, int j, int k) {
  const tsr_gidx idx[3] = {i, j, k};
  return tsr_box_contains(b, idx);
}

/* A copy of an array's block, read through the array's view layout. */
static double saved_at(const double *saved, const tsr_test_array *a, int i, int j, int k) {
  return saved[(a->v.data - a->block) + i + j * a->v.sj + k * a->v.sk];
}

/* Expected new value of the output cell from the old x, y and output values. */
typedef double (*cell_fn)(double x, double y, double out);

static double f_axpy(double x, double y, double out) {
  (void)out;
  return 2.0 * x + y;
}
static double f_axpby(double x, double y, double out) {
  (void)out;
  return -3.0 * x + 0.5 * y;
}
static double f_waxpby(double x, double y, double out) {
  (void)out;
  return 1.25 * x + -2.0 * y;
}
static double f_scale(double x, double y, double out) {
  (void)x, (void)y;
  return -4.0 * out;
}
static double f_copy(double x, double y, double out) {
  (void)y, (void)out;
  return x;
}
static double f_set(double x, double y, double out) {
  (void)x, (void)y, (void)out;
  return 7.5;
}

/* Run named update @p which on fresh data; count output cells that differ from the formula
 * inside the box or changed outside it, and inputs that changed. */
static long check_update(int which) {
  int_data d;
  long bad = 0;
  double *x0 = NULL, *y0 = NULL, *w0 = NULL;
  if (!int_data_create(&d)) goto done;
  TSR_ASSERT_OK(TSR_MALLOC(d.x.len, &x0));
  TSR_ASSERT_OK(TSR_MALLOC(d.y.len, &y0));
  TSR_ASSERT_OK(TSR_MALLOC(d.w.len, &w0));
  if (!x0 || !y0 || !w0) goto done;
  memcpy(x0, d.x.block, d.x.len * sizeof(double));
  memcpy(y0, d.y.block, d.y.len * sizeof(double));
  memcpy(w0, d.w.block, d.w.len * sizeof(double));
  static const cell_fn fns[6] = {f_axpy, f_axpby, f_waxpby, f_scale, f_copy, f_set};
  switch (which) {
  case 0:
    TSR_ASSERT_OK(tsr_vec_axpy(2.0, &d.x.v, &d.y.v, &d.box));
    break;
  case 1:
    TSR_ASSERT_OK(tsr_vec_axpby(-3.0, &d.x.v, 0.5, &d.y.v, &d.box));
    break;
  case 2:
    TSR_ASSERT_OK(tsr_vec_waxpby(&d.w.v, 1.25, &d.x.v, -2.0, &d.y.v, &d.box));
    break;
  case 3:
    TSR_ASSERT_OK(tsr_vec_scale(-4.0, &d.w.v, &d.box));
    break;
  case 4:
    TSR_ASSERT_OK(tsr_vec_copy(&d.x.v, &d.w.v, &d.box));
    break;
  default:
    TSR_ASSERT_OK(tsr_vec_set(7.5, &d.w.v, &d.box));
    break;
  }
  const bool y_out = which <= 1;
  const tsr_test_array *out = y_out ? &d.y : &d.w;
  const double *out0 = y_out ? y0 : w0;
  for (int k = 0; k < d.n[2]; k++)
    for (int j = 0; j < d.n[1]; j++)
      for (int i = 0; i < d.n[0]; i++) {
        const double old = saved_at(out0, out, i, j, k);
        const double want = in_box(&d.box, i, j, k) ? fns[which](saved_at(x0, &d.x, i, j, k),
                                                                 saved_at(y0, &d.y, i, j, k), old)
                                                    : old;
        if (!same_bits(TSR_VIEW_AT(out->v, i, j, k), want)) bad++;
      }
  /* inputs are untouched (ghosts and padding are checked by the comparison with the
   * reference, which compares whole blocks) */
  if (memcmp(d.x.block, x0, d.x.len * sizeof(double)) != 0) bad++;
  if (!y_out && memcmp(d.y.block, y0, d.y.len * sizeof(double)) != 0) bad++;
done:
  tsr_free(&x0);
  tsr_free(&y0);
  tsr_free(&w0);
  int_data_destroy(&d);
  return bad;
}

static void test_named_updates_exact(void) {
  for (int which = 0; which < 6; which++) {
    const long bad = check_update(which);
    if (bad) fprintf(stderr, "named update %d: %ld wrong cells\n", which, bad);
    CU_ASSERT_EQUAL(bad, 0);
  }
}

/* Exact sums over the box of f(x, y, z) computed here cell by cell. */
static double exact_sum(const int_data *d, const tsr_test_array *a, const tsr_test_array *b) {
  double s = 0;
  for (int k = (int)d->box.lo[2]; k < d->box.hi[2]; k++)
    for (int j = (int)d->box.lo[1]; j < d->box.hi[1]; j++)
      for (int i = (int)d->box.lo[0]; i < d->box.hi[0]; i++)
        s += TSR_VIEW_AT(a->v, i, j, k) * TSR_VIEW_AT(b->v, i, j, k);
  return s;
}

static double exact_max(const int_data *d, const tsr_test_array *a) {
  double m = 0;
  for (int k = (int)d->box.lo[2]; k < d->box.hi[2]; k++)
    for (int j = (int)d->box.lo[1]; j < d->box.hi[1]; j++)
      for (int i = (int)d->box.lo[0]; i < d->box.hi[0]; i++)
        m = fmax(m, fabs(TSR_VIEW_AT(a->v, i, j, k)));
  return m;
}

static void test_named_reductions_exact(void) {
  int_data d;
  if (!int_data_create(&d)) goto done;
  double v, dots[3];
  TSR_ASSERT_OK(tsr_vec_dot(&d.x.v, &d.y.v, &d.box, &v));
  CU_ASSERT_EQUAL(v, exact_sum(&d, &d.x, &d.y));
  TSR_ASSERT_OK(tsr_vec_norm2sq(&d.z.v, &d.box, &v));
  CU_ASSERT_EQUAL(v, exact_sum(&d, &d.z, &d.z));
  TSR_ASSERT_OK(tsr_vec_norm_max(&d.w.v, &d.box, &v));
  CU_ASSERT_EQUAL(v, exact_max(&d, &d.w));
  CU_ASSERT_TRUE(v > 0);
  const tsr_view *ys[3] = {&d.y.v, &d.z.v, &d.x.v};
  TSR_ASSERT_OK(tsr_vec_mdot(&d.x.v, 3, ys, &d.box, dots));
  CU_ASSERT_EQUAL(dots[0], exact_sum(&d, &d.x, &d.y));
  CU_ASSERT_EQUAL(dots[1], exact_sum(&d, &d.x, &d.z));
  CU_ASSERT_EQUAL(dots[2], exact_sum(&d, &d.x, &d.x));
  /* Fused: z = 2 x + z, then <z, z> and <z, w>; compare with separate calls on a copy. */
  tsr_test_array z2;
  TSR_ASSERT_OK(tsr_test_array_create(3, d.n, 0, 1, &z2));
  if (z2.block) {
    memcpy(z2.block, d.z.block, z2.len * sizeof(double));
    TSR_ASSERT_OK(tsr_vec_axpy_dot2(2.0, &d.x.v, &d.z.v, &d.w.v, &d.box, dots));
    TSR_ASSERT_OK(tsr_vec_axpy(2.0, &d.x.v, &z2.v, &d.box));
    CU_ASSERT_EQUAL(memcmp(z2.block, d.z.block, z2.len * sizeof(double)), 0);
    CU_ASSERT_EQUAL(dots[0], exact_sum(&d, &z2, &z2));
    CU_ASSERT_EQUAL(dots[1], exact_sum(&d, &z2, &d.w));
    TSR_ASSERT_OK(tsr_vec_axpy_norm2sq(-1.0, &d.x.v, &d.z.v, &d.box, &v));
    TSR_ASSERT_OK(tsr_vec_axpy(-1.0, &d.x.v, &z2.v, &d.box));
    CU_ASSERT_EQUAL(v, exact_sum(&d, &z2, &z2));
  }
  tsr_test_array_destroy(&z2);
done:
  int_data_destroy(&d);
}

/* ------------------------------------------------------------------------------------------ */
/* NaN, empty boxes, aliasing, bad arguments                                                   */
/* ------------------------------------------------------------------------------------------ */

static void test_nan_and_empty(void) {
  const int n[3] = {9, 5, 4};
  tsr_test_array x;
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 1, &x));
  if (!x.block) return;
  array_fill(&x, small_int, 5);
  const tsr_box whole = {{0, 0, 0}, {n[0], n[1], n[2]}};
  const int where[3][3] = {{0, 0, 0}, {4, 2, 1}, {8, 4, 3}};
  for (int p = 0; p < 3; p++) {
    double *cell = &TSR_VIEW_AT(x.v, where[p][0], where[p][1], where[p][2]);
    const double keep = *cell;
    *cell = NAN;
    double m = 0, m_ref = 0, s = 0;
    const tsr_vec_reduction r = {TSR_VEC_MAXABS, &x.v, NULL};
    TSR_ASSERT_OK(tsr_vec_norm_max(&x.v, &whole, &m));
    TSR_ASSERT_OK(tsr_vec_fused_ref(0, NULL, 1, &r, &whole, &m_ref));
    TSR_ASSERT_OK(tsr_vec_norm2sq(&x.v, &whole, &s));
    CU_ASSERT_TRUE(isnan(m) && isnan(m_ref) && isnan(s));
    *cell = keep;
  }
  /* An empty box gives zero partials and writes nothing. */
  const tsr_box empty = {{3, 0, 0}, {3, 5, 4}};
  double *copy = NULL;
  TSR_ASSERT_OK(TSR_MALLOC(x.len, &copy));
  if (copy) {
    memcpy(copy, x.block, x.len * sizeof(double));
    double d = -1, m = -1;
    TSR_ASSERT_OK(tsr_vec_axpy_norm2sq(2.0, &x.v, &x.v, &empty, &d));
    TSR_ASSERT_OK(tsr_vec_norm_max(&x.v, &empty, &m));
    CU_ASSERT_TRUE(same_bits(d, 0.0) && same_bits(m, 0.0));
    CU_ASSERT_EQUAL(memcmp(copy, x.block, x.len * sizeof(double)), 0);
  }
  tsr_free(&copy);
  tsr_test_array_destroy(&x);
}

static void test_bad_arguments(void) {
  const int n[3] = {6, 5, 1};
  tsr_test_array x, y, other;
  TSR_ASSERT_OK(tsr_test_array_create(2, n, 1, 0, &x));
  TSR_ASSERT_OK(tsr_test_array_create(2, n, 1, 0, &y));
  const int m[3] = {5, 5, 1};
  TSR_ASSERT_OK(tsr_test_array_create(2, m, 1, 0, &other));
  if (!x.block || !y.block || !other.block) goto done;
  const tsr_box whole = {{0, 0, 0}, {6, 5, 1}};
  double r[2];
  TSR_ASSERT_ERR(tsr_vec_axpy(1.0, NULL, &y.v, &whole), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_vec_axpy(1.0, &x.v, &y.v, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_vec_dot(&x.v, &y.v, &whole, NULL), TSR_ERR_ARG);
  const tsr_box outside = {{0, 0, 0}, {7, 5, 1}}, negative = {{-1, 0, 0}, {6, 5, 1}};
  TSR_ASSERT_ERR(tsr_vec_axpy(1.0, &x.v, &y.v, &outside), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_vec_dot(&x.v, &y.v, &negative, r), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_vec_axpy(1.0, &other.v, &y.v, &whole), TSR_ERR_ARG); /* extents */
  tsr_view nodata = x.v;
  nodata.data = NULL;
  TSR_ASSERT_ERR(tsr_vec_norm2sq(&nodata, &whole, r), TSR_ERR_ARG);
  /* A written view overlapping another one (shifted by one cell) is refused; the very same
   * storage is allowed. */
  tsr_view shifted = x.v;
  shifted.data += 1;
  const tsr_box inner = {{0, 0, 0}, {5, 5, 1}};
  TSR_ASSERT_ERR(tsr_vec_axpy(1.0, &x.v, &shifted, &inner), TSR_ERR_ARG);
  tsr_view strided = x.v;
  strided.sj += 1;
  TSR_ASSERT_ERR(tsr_vec_copy(&x.v, &strided, &inner), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_vec_axpby(1.0, &x.v, 2.0, &x.v, &whole));
  /* Counts, kinds and operands. */
  tsr_vec_update u = {&y.v, 1.0, NULL, 1.0, NULL};
  TSR_ASSERT_ERR(tsr_vec_fused(1, &u, 0, NULL, &whole, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_vec_fused(-1, NULL, 0, NULL, &whole, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_vec_fused(TSR_VEC_MAX_UPDATES + 1, &u, 0, NULL, &whole, NULL), TSR_ERR_ARG);
  tsr_vec_reduction bad_kind = {(tsr_vec_reduce_kind)7, &x.v, &y.v};
  TSR_ASSERT_ERR(tsr_vec_fused(0, NULL, 1, &bad_kind, &whole, r), TSR_ERR_ARG);
  tsr_vec_reduction no_y = {TSR_VEC_DOT, &x.v, NULL};
  TSR_ASSERT_ERR(tsr_vec_fused_ref(0, NULL, 1, &no_y, &whole, r), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_vec_fused(0, NULL, TSR_VEC_MAX_REDUCTIONS + 1, &no_y, &whole, r), TSR_ERR_ARG);
  const tsr_view *ys[1] = {&y.v};
  TSR_ASSERT_ERR(tsr_vec_mdot(&x.v, -1, ys, &whole, r), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_vec_mdot(&x.v, TSR_VEC_MAX_REDUCTIONS + 1, ys, &whole, r), TSR_ERR_ARG);
  /* A message names the bad value. */
  TSR_ASSERT_ERR(tsr_vec_fused(0, NULL, TSR_VEC_MAX_REDUCTIONS + 1, &no_y, &whole, r), TSR_ERR_ARG);
  CU_ASSERT_EQUAL(tsr_vec_fused(TSR_VEC_MAX_UPDATES + 3, &u, 0, NULL, &whole, NULL), TSR_ERR_ARG);
  CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), "19 updates"));
  tsr_error_clear();
done:
  tsr_test_array_destroy(&x);
  tsr_test_array_destroy(&y);
  tsr_test_array_destroy(&other);
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {
      {"fused engine equals the reference bit for bit (1-3 threads, sub-boxes)",
       test_fused_equals_ref},
      {"dot and norm partials have the same bits at 1, 2 and 3 threads", test_threads_same_bits},
      {"named updates are exact on integer data and stay inside the box", test_named_updates_exact},
      {"dots, norms, multi-dot and fused forms are exact on integer data",
       test_named_reductions_exact},
      {"NaN reaches max-norm and dot; empty boxes do nothing", test_nan_and_empty},
      {"bad arguments and overlapping views are refused", test_bad_arguments},
      TSR_TEST_END,
  };
  return tsr_test_main(argc, argv, "vec", cases);
}
