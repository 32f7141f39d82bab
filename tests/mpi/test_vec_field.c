/* Field-level vector operations (tsr_fvec_*, vec.h) at every rank count: global dots and norms
 * equal exact sums over the whole grid (integer data, so any order gives the same bits), the
 * split-phase form with dots and max-norms mixed, NaN reaching every rank, updates on every
 * component, and error paths. */
#include <math.h>
#include <string.h>

#include "tessera_kernels.h"
#include "tsr_test.h"

static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* Small integers in [-4, 4] from the global index, component and a salt. */
static double int_value(const tsr_gidx idx[TSR_MAX_DIM], int comp, uint64_t salt) {
  const uint64_t key = (uint64_t)idx[0] + 4096 * ((uint64_t)idx[1] + 4096 * (uint64_t)idx[2]);
  return (double)(int)(mix(key * 31 + (uint64_t)comp * 7 + salt * 0x1000001ULL) % 9) - 4.0;
}

static double init_fn(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  return int_value(idx, comp, *(const uint64_t *)user);
}

typedef struct {
  tsr_grid grid;
  tsr_gidx n[3];
  int ncomp;
  tsr_field x, y, z, w;
  uint64_t salt[4];
} fixture;

static tsr_err fixture_setup(int dim, const tsr_gidx n[3], int ncomp, fixture *f) {
  memset(f, 0, sizeof *f);
  memcpy(f->n, n, sizeof f->n);
  f->ncomp = ncomp;
  TSR_CALL(tsr_grid_create(tsr_test_ctx(), dim, n, &f->grid));
  TSR_CALL(tsr_grid_set_ghost_width(f->grid, 2));
  TSR_CALL(tsr_grid_setup(f->grid));
  tsr_field *fields[4] = {&f->x, &f->y, &f->z, &f->w};
  static const char *names[4] = {"x", "y", "z", "w"};
  for (int v = 0; v < 4; v++) {
    f->salt[v] = (uint64_t)v + 1;
    TSR_CALL(tsr_field_create(f->grid, names[v], ncomp, v % 3, fields[v])); /* ghosts differ */
    TSR_CALL(tsr_field_setup(*fields[v]));
    TSR_CALL(tsr_field_fill(*fields[v], init_fn, &f->salt[v]));
  }
  return TSR_SUCCESS;
}

static void fixture_destroy(fixture *f) {
  tsr_field_destroy(&f->x);
  tsr_field_destroy(&f->y);
  tsr_field_destroy(&f->z);
  tsr_field_destroy(&f->w);
  tsr_grid_destroy(&f->grid);
}

/* Exact global sum of g(a, b) over every cell and component of the grid, computed on every
 * rank from the initial values (salts @p sa, @p sb). */
static double global_dot(const fixture *f, uint64_t sa, uint64_t sb) {
  double s = 0;
  tsr_gidx idx[3];
  for (int c = 0; c < f->ncomp; c++)
    for (idx[2] = 0; idx[2] < f->n[2]; idx[2]++)
      for (idx[1] = 0; idx[1] < f->n[1]; idx[1]++)
        for (idx[0] = 0; idx[0] < f->n[0]; idx[0]++)
          s += int_value(idx, c, sa) * int_value(idx, c, sb);
  return s;
}

static double global_max(const fixture *f, uint64_t sa) {
  double m = 0;
  tsr_gidx idx[3];
  for (int c = 0; c < f->ncomp; c++)
    for (idx[2] = 0; idx[2] < f->n[2]; idx[2]++)
      for (idx[1] = 0; idx[1] < f->n[1]; idx[1]++)
        for (idx[0] = 0; idx[0] < f->n[0]; idx[0]++)
          m = fmax(m, fabs(int_value(idx, c, sa)));
  return m;
}

static void test_global_reductions(void) {
  static const struct {
    int dim;
    tsr_gidx n[3];
    int ncomp;
  } shapes[] = {{2, {21, 13, 1}, 2}, {3, {9, 8, 7}, 1}, {1, {50, 1, 1}, 3}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    fixture f;
    TSR_ASSERT_OK(fixture_setup(shapes[s].dim, shapes[s].n, shapes[s].ncomp, &f));
    double v = -1, dots[3] = {-1, -1, -1};
    TSR_ASSERT_OK(tsr_fvec_dot(f.x, f.y, &v));
    CU_ASSERT_EQUAL(v, global_dot(&f, 1, 2));
    TSR_ASSERT_OK(tsr_fvec_norm2(f.z, &v));
    CU_ASSERT_EQUAL(v, sqrt(global_dot(&f, 3, 3)));
    TSR_ASSERT_OK(tsr_fvec_norm_max(f.w, &v));
    CU_ASSERT_EQUAL(v, global_max(&f, 4));
    const tsr_field ys[3] = {f.y, f.z, f.w};
    TSR_ASSERT_OK(tsr_fvec_mdot(f.x, 3, ys, dots));
    for (int m = 0; m < 3; m++)
      CU_ASSERT_EQUAL(dots[m], global_dot(&f, 1, (uint64_t)m + 2));
    fixture_destroy(&f);
  }
}

/* Split phase, dots and max-norms mixed, after a fused update: y = 2 x + y, then
 * <y, y>, max |y|, <y, z>, max |x|. Checked against separate blocking calls. */
static void test_split_phase_fused(void) {
  const tsr_gidx n[3] = {17, 11, 5};
  fixture f;
  TSR_ASSERT_OK(fixture_setup(3, n, 2, &f));
  const tsr_fvec_update u = {f.y, 2.0, f.x, 1.0, f.y};
  const tsr_fvec_reduction r[4] = {{TSR_VEC_DOT, f.y, f.y},
                                   {TSR_VEC_MAXABS, f.y, NULL},
                                   {TSR_VEC_DOT, f.y, f.z},
                                   {TSR_VEC_MAXABS, f.x, NULL}};
  tsr_fvec_req req = {0};
  double got[4] = {-1, -1, -1, -1}, want[4];
  TSR_ASSERT_OK(tsr_fvec_begin(1, &u, 4, r, &req));
  CU_ASSERT_TRUE(req.active);
  TSR_ASSERT_ERR(tsr_fvec_begin(1, &u, 4, r, &req), TSR_ERR_STATE); /* still active */
  TSR_ASSERT_OK(tsr_fvec_end(&req, got));
  CU_ASSERT_FALSE(req.active);
  TSR_ASSERT_ERR(tsr_fvec_end(&req, got), TSR_ERR_STATE);
  TSR_ASSERT_OK(tsr_fvec_dot(f.y, f.y, &want[0]));
  TSR_ASSERT_OK(tsr_fvec_norm_max(f.y, &want[1]));
  TSR_ASSERT_OK(tsr_fvec_dot(f.y, f.z, &want[2]));
  TSR_ASSERT_OK(tsr_fvec_norm_max(f.x, &want[3]));
  for (int q = 0; q < 4; q++)
    CU_ASSERT_EQUAL(got[q], want[q]);
  /* y really is 2 x + y: <y - 2 x, z> equals the initial <y, z>. */
  TSR_ASSERT_OK(tsr_fvec_axpy(-2.0, f.x, f.y));
  TSR_ASSERT_OK(tsr_fvec_dot(f.y, f.z, &want[0]));
  CU_ASSERT_EQUAL(want[0], global_dot(&f, 2, 3));
  fixture_destroy(&f);
}

/* Updates on every component, checked cell by cell against the formula. */
static long count_wrong(tsr_field out, const fixture *f, double (*fn)(const tsr_gidx *, int)) {
  long bad = 0;
  for (int c = 0; c < f->ncomp; c++) {
    tsr_view v;
    if (tsr_field_get_view(out, c, &v)) return -1;
    for (int k = 0; k < v.n[2]; k++)
      for (int j = 0; j < v.n[1]; j++)
        for (int i = 0; i < v.n[0]; i++) {
          const tsr_gidx idx[3] = {v.box.lo[0] + i, v.box.lo[1] + j, v.box.lo[2] + k};
          if (TSR_VIEW_AT(v, i, j, k) != fn(idx, c)) bad++;
        }
  }
  return bad;
}

static double after_waxpby(const tsr_gidx *idx, int c) {
  return 3.0 * int_value(idx, c, 1) + -0.5 * int_value(idx, c, 2);
}
static double after_axpby(const tsr_gidx *idx, int c) {
  return 0.25 * int_value(idx, c, 1) + 2.0 * int_value(idx, c, 3);
}
static double after_scale(const tsr_gidx *idx, int c) {
  return -2.0 * int_value(idx, c, 1);
}
static double after_copy(const tsr_gidx *idx, int c) {
  return int_value(idx, c, 2);
}
static double after_set(const tsr_gidx *idx, int c) {
  (void)idx, (void)c;
  return -6.5;
}

static void test_updates(void) {
  const tsr_gidx n[3] = {19, 10, 1};
  fixture f;
  TSR_ASSERT_OK(fixture_setup(2, n, 2, &f));
  TSR_ASSERT_OK(tsr_fvec_waxpby(f.w, 3.0, f.x, -0.5, f.y));
  CU_ASSERT_EQUAL(count_wrong(f.w, &f, after_waxpby), 0);
  TSR_ASSERT_OK(tsr_fvec_axpby(0.25, f.x, 2.0, f.z));
  CU_ASSERT_EQUAL(count_wrong(f.z, &f, after_axpby), 0);
  TSR_ASSERT_OK(tsr_fvec_copy(f.y, f.w));
  CU_ASSERT_EQUAL(count_wrong(f.w, &f, after_copy), 0);
  TSR_ASSERT_OK(tsr_fvec_scale(-2.0, f.x));
  CU_ASSERT_EQUAL(count_wrong(f.x, &f, after_scale), 0);
  TSR_ASSERT_OK(tsr_fvec_set(-6.5, f.z));
  CU_ASSERT_EQUAL(count_wrong(f.z, &f, after_set), 0);
  /* Updates alone communicate nothing: a fused call with no reduction leaves req idle. */
  tsr_fvec_req req = {0};
  const tsr_fvec_update u = {f.x, 1.0, f.y, 0.0, NULL};
  TSR_ASSERT_OK(tsr_fvec_begin(1, &u, 0, NULL, &req));
  CU_ASSERT_FALSE(req.active);
  CU_ASSERT_EQUAL(count_wrong(f.x, &f, after_copy), 0);
  fixture_destroy(&f);
}

/* A NaN on one rank reaches every rank: through the sum of a dot and through the max-norm,
 * whose MPI_MAX would not be trusted with a NaN. */
static void test_nan_everywhere(void) {
  const tsr_gidx n[3] = {16, 9, 1};
  fixture f;
  TSR_ASSERT_OK(fixture_setup(2, n, 1, &f));
  const int last = tsr_test_size() - 1;
  if (tsr_test_rank() == last) {
    tsr_view v;
    TSR_ASSERT_OK(tsr_field_get_view(f.x, 0, &v));
    TSR_VIEW_AT(v, v.n[0] - 1, 0, 0) = NAN;
  }
  double m = 0, d = 0, other = -1;
  TSR_ASSERT_OK(tsr_fvec_norm_max(f.x, &m));
  TSR_ASSERT_OK(tsr_fvec_dot(f.x, f.y, &d));
  TSR_ASSERT_OK(tsr_fvec_norm_max(f.y, &other));
  CU_ASSERT_TRUE(isnan(m));
  CU_ASSERT_TRUE(isnan(d));
  CU_ASSERT_EQUAL(other, global_max(&f, 2)); /* other reductions are unaffected */
  fixture_destroy(&f);
}

static void test_errors(void) {
  const tsr_gidx n[3] = {12, 8, 1}, m[3] = {12, 9, 1};
  fixture f, g;
  TSR_ASSERT_OK(fixture_setup(2, n, 1, &f));
  TSR_ASSERT_OK(fixture_setup(2, m, 1, &g));
  tsr_field two = NULL;
  TSR_ASSERT_OK(tsr_field_create(f.grid, "two", 2, 1, &two));
  TSR_ASSERT_OK(tsr_field_setup(two));
  double v;
  TSR_ASSERT_ERR(tsr_fvec_dot(f.x, g.y, &v), TSR_ERR_ARG); /* another grid */
  TSR_ASSERT_ERR(tsr_fvec_dot(f.x, two, &v), TSR_ERR_ARG); /* components */
  TSR_ASSERT_ERR(tsr_fvec_dot(f.x, NULL, &v), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_fvec_dot(f.x, f.y, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_fvec_axpy(1.0, NULL, f.y), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_fvec_copy(f.x, two), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_fvec_set(1.0, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_fvec_mdot(f.x, TSR_VEC_MAX_REDUCTIONS + 1, NULL, NULL), TSR_ERR_ARG);
  const tsr_fvec_update none = {f.x, 1.0, NULL, 1.0, NULL};
  TSR_ASSERT_ERR(tsr_fvec_fused(1, &none, 0, NULL, NULL), TSR_ERR_ARG);
  const tsr_fvec_reduction bad_kind = {(tsr_vec_reduce_kind)3, f.x, f.y};
  TSR_ASSERT_ERR(tsr_fvec_fused(0, NULL, 1, &bad_kind, &v), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_fvec_begin(0, NULL, 0, NULL, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_fvec_end(NULL, &v), TSR_ERR_ARG);
  tsr_fvec_req idle = {0};
  TSR_ASSERT_ERR(tsr_fvec_end(&idle, &v), TSR_ERR_STATE);
  /* Nothing broke: a correct call still works on every rank. */
  TSR_ASSERT_OK(tsr_fvec_dot(f.x, f.y, &v));
  CU_ASSERT_EQUAL(v, global_dot(&f, 1, 2));
  tsr_field_destroy(&two);
  fixture_destroy(&f);
  fixture_destroy(&g);
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {
      {"global dots and norms equal exact sums", test_global_reductions},
      {"split-phase fused update with dots and max-norms", test_split_phase_fused},
      {"field updates on every component", test_updates},
      {"a NaN on one rank reaches every rank", test_nan_everywhere},
      {"field-level errors", test_errors},
      TSR_TEST_END,
  };
  return tsr_test_main(argc, argv, "vec_field", cases);
}
