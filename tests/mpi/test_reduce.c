/* Reductions of several values: sums, minima and maxima, blocking and split phase, in place,
 * empty, and the argument errors. Every expected value is a closed form in the rank count. */
#include <string.h>

#include "tsr_test.h"

enum { NVAL = 4 };

/* Each rank contributes {r, -r, r*r + 0.5, 1}. */
static void contribution(double v[NVAL]) {
  double r = tsr_test_rank();
  v[0] = r;
  v[1] = -r;
  v[2] = r * r + 0.5;
  v[3] = 1.0;
}

static void expected(tsr_reduce_op op, double want[NVAL]) {
  double P = tsr_test_size();
  switch (op) {
  case TSR_SUM: /* sum of r = P(P-1)/2, of r^2 = (P-1)P(2P-1)/6 */
    want[0] = P * (P - 1) / 2;
    want[1] = -P * (P - 1) / 2;
    want[2] = (P - 1) * P * (2 * P - 1) / 6 + 0.5 * P;
    want[3] = P;
    break;
  case TSR_MIN:
    want[0] = 0;
    want[1] = -(P - 1);
    want[2] = 0.5;
    want[3] = 1;
    break;
  case TSR_MAX:
    want[0] = P - 1;
    want[1] = 0;
    want[2] = (P - 1) * (P - 1) + 0.5;
    want[3] = 1;
    break;
  }
}

static const tsr_reduce_op ops[] = {TSR_SUM, TSR_MIN, TSR_MAX};

static void assert_values(const double *got, const double *want, int n) {
  for (int i = 0; i < n; i++)
    CU_ASSERT_EQUAL(got[i], want[i]);
}

static void test_blocking(void) {
  for (int o = 0; o < 3; o++) {
    double in[NVAL], copy[NVAL], out[NVAL] = {0}, want[NVAL];
    contribution(in);
    memcpy(copy, in, sizeof in);
    expected(ops[o], want);
    TSR_ASSERT_OK(tsr_reduce(tsr_test_ctx(), ops[o], in, out, NVAL));
    assert_values(out, want, NVAL);
    assert_values(in, copy, NVAL); /* the input is left alone */
  }
}

static void test_blocking_in_place(void) {
  for (int o = 0; o < 3; o++) {
    double v[NVAL], want[NVAL];
    contribution(v);
    expected(ops[o], want);
    TSR_ASSERT_OK(tsr_reduce(tsr_test_ctx(), ops[o], v, v, NVAL));
    assert_values(v, want, NVAL);
  }
}

/* All three reductions in flight at once (one of them in place), ended in reverse order,
 * with a blocking reduction in between. */
static void test_split_phase(void) {
  double in[NVAL], out[3][NVAL], want[NVAL];
  tsr_reduce_req req[3];
  contribution(in);
  for (int o = 0; o < 3; o++) {
    if (o == 1) {
      contribution(out[o]);
      TSR_ASSERT_OK(tsr_reduce_begin(tsr_test_ctx(), ops[o], out[o], out[o], NVAL, &req[o]));
    } else {
      TSR_ASSERT_OK(tsr_reduce_begin(tsr_test_ctx(), ops[o], in, out[o], NVAL, &req[o]));
    }
  }
  double one = 1.0, ranks = 0;
  TSR_ASSERT_OK(tsr_reduce(tsr_test_ctx(), TSR_SUM, &one, &ranks, 1));
  CU_ASSERT_EQUAL(ranks, tsr_test_size());
  for (int o = 2; o >= 0; o--) {
    TSR_ASSERT_OK(tsr_reduce_end(&req[o]));
    CU_ASSERT(req[o].request == MPI_REQUEST_NULL);
    expected(ops[o], want);
    assert_values(out[o], want, NVAL);
  }
}

/* Many values in one message: value i of rank r is i * (r + 1), summing to i P(P+1)/2. */
static void test_many_values(void) {
  enum { N = 1000 };
  static double in[N], out[N];
  double P = tsr_test_size();
  for (int i = 0; i < N; i++)
    in[i] = i * (tsr_test_rank() + 1.0);
  tsr_reduce_req req;
  TSR_ASSERT_OK(tsr_reduce_begin(tsr_test_ctx(), TSR_SUM, in, out, N, &req));
  TSR_ASSERT_OK(tsr_reduce_end(&req));
  int wrong = 0;
  for (int i = 0; i < N; i++)
    wrong += out[i] != i * P * (P + 1) / 2;
  CU_ASSERT_EQUAL(wrong, 0);
  TSR_ASSERT_OK(tsr_reduce(tsr_test_ctx(), TSR_MAX, in, out, N));
  wrong = 0;
  for (int i = 0; i < N; i++)
    wrong += out[i] != i * P;
  CU_ASSERT_EQUAL(wrong, 0);
}

/* n == 0 is a no-op (NULL buffers allowed); the request is idle and end returns at once. */
static void test_empty(void) {
  double v = 42;
  TSR_ASSERT_OK(tsr_reduce(tsr_test_ctx(), TSR_SUM, NULL, NULL, 0));
  TSR_ASSERT_OK(tsr_reduce(tsr_test_ctx(), TSR_MAX, &v, &v, 0));
  CU_ASSERT_EQUAL(v, 42);
  tsr_reduce_req req;
  TSR_ASSERT_OK(tsr_reduce_begin(tsr_test_ctx(), TSR_MIN, NULL, NULL, 0, &req));
  CU_ASSERT(req.request == MPI_REQUEST_NULL);
  TSR_ASSERT_OK(tsr_reduce_end(&req));
}

static void test_errors(void) {
  tsr_ctx ctx = tsr_test_ctx();
  double in[2] = {1, 2}, out[2];
  tsr_reduce_req req;
  TSR_ASSERT_ERR(tsr_reduce(ctx, TSR_SUM, in, out, -1), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_reduce(ctx, (tsr_reduce_op)3, in, out, 2), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_reduce(ctx, TSR_SUM, NULL, out, 2), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_reduce(ctx, TSR_SUM, in, NULL, 2), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_reduce(NULL, TSR_SUM, in, out, 2), TSR_ERR_ARG);
  tsr_err e = tsr_reduce_begin(ctx, TSR_MAX, in, out, -3, &req);
  CU_ASSERT_EQUAL(e, TSR_ERR_ARG);
  CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), "-3"));
  tsr_error_clear();
  CU_ASSERT(req.request == MPI_REQUEST_NULL); /* a failed begin leaves nothing to wait for */
  TSR_ASSERT_ERR(tsr_reduce_begin(ctx, TSR_SUM, in, out, 2, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_reduce_end(NULL), TSR_ERR_ARG);
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {{"blocking", test_blocking},
                                        {"blocking_in_place", test_blocking_in_place},
                                        {"split_phase", test_split_phase},
                                        {"many_values", test_many_values},
                                        {"empty", test_empty},
                                        {"errors", test_errors},
                                        TSR_TEST_END};
  return tsr_test_main(argc, argv, "reduce", cases);
}
