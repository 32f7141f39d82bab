/* The heat kernel against its reference twin (bit for bit) and against exact arithmetic.
 *
 * Views are built by hand over padded blocks (odd strides, so rows are not aligned; u and out
 * with different strides), on odd sizes, ghost widths 1 to 3, 1-D to 3-D, many boxes, and
 * 1, 2 and 3 threads, streaming stores on and off. Kernels are node-local, so one rank
 * suffices. */
#include <math.h>
#include <string.h>

#include "tessera_kernels.h"
#include "tsr_test.h"
#include "tsr_test_array.h"

static void array_fill(tsr_test_array *a, double (*f)(int, int, int)) {
  const tsr_view *v = &a->v;
  for (int k = -v->ghost[2]; k < v->n[2] + v->ghost[2]; k++)
    for (int j = -v->ghost[1]; j < v->n[1] + v->ghost[1]; j++)
      for (int i = -v->ghost[0]; i < v->n[0] + v->ghost[0]; i++)
        TSR_VIEW_AT(*v, i, j, k) = f(i, j, k);
}

static double random_cell(int i, int j, int k) {
  return tsr_test_unit_value((uint64_t)(i + 8) +
                             4096 * ((uint64_t)(j + 8) + 4096 * (uint64_t)(k + 8)));
}

/* Coefficients that are not powers of two, so rounding differences would show. */
static tsr_heat_coef coefficients(int dim) {
  tsr_heat_coef c = {.dim = dim, .c = {0.1, 0.07, 0.0333}};
  return c;
}

/* Run both versions on every box and thread count for one shape; count mismatches. */
static void check_shape(int dim, const int n[3], int ghost) {
  tsr_test_array u, ref, opt;
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, ghost, 3, &u));
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, ghost, 5, &ref)); /* other strides than u */
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, ghost, 5, &opt));
  if (!u.block || !ref.block || !opt.block) goto done;
  array_fill(&u, random_cell);
  double *u_copy = NULL;
  TSR_ASSERT_OK(TSR_MALLOC(u.len, &u_copy));
  memcpy(u_copy, u.block, u.len * sizeof(double));

  tsr_heat_coef coef = coefficients(dim);
  tsr_box boxes[24];
  int nb = tsr_test_boxes(dim, n, boxes, 24);
  const int saved_threads = tsr_test_threads();
  for (int b = 0; b < nb; b++) {
    tsr_test_array_reset(&ref);
    TSR_ASSERT_OK(tsr_stencil_heat_ref(&u.v, &ref.v, &coef, &boxes[b]));
    CU_ASSERT_EQUAL(tsr_test_array_touched_outside(&ref, &boxes[b]), 0);
    for (int nt = 1; nt <= 3; nt++)
      for (int sm = TSR_STREAM_ON; sm <= TSR_STREAM_OFF; sm++) { /* streaming on and off */
        tsr_test_set_threads(nt);
        coef.stream = (tsr_stream_mode)sm;
        tsr_test_array_reset(&opt);
        TSR_ASSERT_OK(tsr_stencil_heat(&u.v, &opt.v, &coef, &boxes[b]));
        /* Whole blocks, padding included: equal bits inside the box, untouched outside. */
        int same = memcmp(opt.block, ref.block, opt.len * sizeof(double)) == 0;
        if (!same)
          fprintf(stderr,
                  "heat kernel differs from ref: dim %d n %dx%dx%d ghost %d box %d threads %d "
                  "stream %d\n",
                  dim, n[0], n[1], n[2], ghost, b, nt, sm);
        CU_ASSERT_TRUE(same);
      }
    tsr_test_set_threads(saved_threads);
  }
  CU_ASSERT_EQUAL(memcmp(u_copy, u.block, u.len * sizeof(double)), 0); /* u is read only */
  tsr_free(&u_copy);
done:
  tsr_test_array_destroy(&u);
  tsr_test_array_destroy(&ref);
  tsr_test_array_destroy(&opt);
}

static void test_opt_equals_ref(void) {
  static const struct {
    int dim;
    int n[3];
  } shapes[] = {
      {1, {7, 1, 1}}, {1, {2501, 1, 1}}, /* several row chunks */
      {2, {5, 3, 1}}, {2, {37, 11, 1}},  {2, {3, 41, 1}},
      {3, {3, 3, 3}}, {3, {19, 7, 5}},   {3, {9, 13, 11}},
  };
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (int ghost = 1; ghost <= 3; ghost++)
      check_shape(shapes[s].dim, shapes[s].n, ghost);
}

/* u = i^2 + 2 j^2 + 3 k^2 (exact small integers) has second differences 2, 4 and 6, so with
 * power-of-two coefficients every result is exact: out = u + 2 c0 + 4 c1 + 6 c2. */
static double quadratic_cell(int i, int j, int k) {
  return (double)i * i + 2.0 * j * j + 3.0 * k * k;
}

static void check_quadratic(int dim, tsr_err (*kernel)(const tsr_view *, const tsr_view *,
                                                       const tsr_heat_coef *, const tsr_box *)) {
  const int n[3] = {11, dim > 1 ? 7 : 1, dim > 2 ? 5 : 1};
  tsr_test_array u, out;
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, 1, &u));
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, 1, &out));
  if (!u.block || !out.block) goto done;
  array_fill(&u, quadratic_cell);
  tsr_test_array_reset(&out);
  tsr_heat_coef coef = {.dim = dim, .c = {0.25, 0.125, 0.0625}};
  const tsr_box whole = {{0, 0, 0}, {n[0], n[1], n[2]}};
  TSR_ASSERT_OK(kernel(&u.v, &out.v, &coef, &whole));
  long wrong = 0;
  for (int k = 0; k < n[2]; k++)
    for (int j = 0; j < n[1]; j++)
      for (int i = 0; i < n[0]; i++) {
        double expect = quadratic_cell(i, j, k);
        for (int a = 0; a < dim; a++)
          expect += 2.0 * (a + 1) * coef.c[a];
        if (TSR_VIEW_AT(out.v, i, j, k) != expect) wrong++;
      }
  CU_ASSERT_EQUAL(wrong, 0);
done:
  tsr_test_array_destroy(&u);
  tsr_test_array_destroy(&out);
}

static void test_exact_on_quadratic(void) {
  for (int dim = 1; dim <= 3; dim++) {
    check_quadratic(dim, tsr_stencil_heat);
    check_quadratic(dim, tsr_stencil_heat_ref);
  }
}

/* Bad arguments are refused with TSR_ERR_ARG by both versions, and an empty box is a no-op. */
static void check_errors(tsr_err (*kernel)(const tsr_view *, const tsr_view *,
                                           const tsr_heat_coef *, const tsr_box *)) {
  const int n[3] = {5, 4, 1};
  tsr_test_array u, out, flat;
  TSR_ASSERT_OK(tsr_test_array_create(2, n, 1, 0, &u));
  TSR_ASSERT_OK(tsr_test_array_create(2, n, 1, 0, &out));
  TSR_ASSERT_OK(tsr_test_array_create(2, n, 0, 0, &flat)); /* no ghosts */
  if (!u.block || !out.block || !flat.block) goto done;
  array_fill(&u, random_cell);
  tsr_test_array_reset(&out);
  tsr_heat_coef coef = coefficients(2);
  const tsr_box whole = {{0, 0, 0}, {5, 4, 1}};
  TSR_ASSERT_ERR(kernel(NULL, &out.v, &coef, &whole), TSR_ERR_ARG);
  TSR_ASSERT_ERR(kernel(&u.v, &out.v, NULL, &whole), TSR_ERR_ARG);
  TSR_ASSERT_ERR(kernel(&u.v, &u.v, &coef, &whole), TSR_ERR_ARG); /* in place */
  TSR_ASSERT_ERR(kernel(&flat.v, &out.v, &coef, &whole), TSR_ERR_ARG);
  tsr_heat_coef bad_dim = {.dim = 4, .c = {0.1, 0.1, 0.1}};
  TSR_ASSERT_ERR(kernel(&u.v, &out.v, &bad_dim, &whole), TSR_ERR_ARG);
  const tsr_box too_far = {{0, 0, 0}, {6, 4, 1}}, negative = {{0, -1, 0}, {5, 4, 1}};
  TSR_ASSERT_ERR(kernel(&u.v, &out.v, &coef, &too_far), TSR_ERR_ARG);
  TSR_ASSERT_ERR(kernel(&u.v, &out.v, &coef, &negative), TSR_ERR_ARG);
  tsr_view other = out.v;
  other.n[0] = 4;
  TSR_ASSERT_ERR(kernel(&u.v, &other, &coef, &whole), TSR_ERR_ARG);
  const tsr_box empty = {{2, 0, 0}, {2, 4, 1}};
  TSR_ASSERT_OK(kernel(&u.v, &out.v, &coef, &empty));
  CU_ASSERT_EQUAL(tsr_test_array_touched_outside(&out, &empty), 0);
done:
  tsr_test_array_destroy(&u);
  tsr_test_array_destroy(&out);
  tsr_test_array_destroy(&flat);
}

static void test_bad_arguments(void) {
  check_errors(tsr_stencil_heat);
  check_errors(tsr_stencil_heat_ref);
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {
      {"optimised heat kernel equals the reference bit for bit", test_opt_equals_ref},
      {"heat kernel is exact on a quadratic", test_exact_on_quadratic},
      {"heat kernel refuses bad arguments", test_bad_arguments},
      TSR_TEST_END,
  };
  return tsr_test_main(argc, argv, "stencil", cases);
}
