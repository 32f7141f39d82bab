/* The context (communicators, tags, error mode) and the log (rank-0, all-rank, progress). */
#include <stdlib.h>
#include <string.h>

#include "tsr_test.h"

static void test_communicators(void) {
  tsr_ctx ctx = tsr_test_ctx();
  int cmp;
  MPI_Comm_compare(tsr_ctx_comm(ctx), MPI_COMM_WORLD, &cmp);
  CU_ASSERT_EQUAL(cmp, MPI_CONGRUENT); /* a duplicate, not the world itself */
  CU_ASSERT_EQUAL(tsr_ctx_rank(ctx), tsr_test_rank());
  CU_ASSERT_EQUAL(tsr_ctx_size(ctx), tsr_test_size());
  int node_size;
  MPI_Comm_size(tsr_ctx_node_comm(ctx), &node_size);
  CU_ASSERT(node_size >= 1 && node_size <= tsr_test_size());
  CU_ASSERT(tsr_ctx_thread_level(ctx) >= MPI_THREAD_FUNNELED);
  CU_ASSERT(tsr_ctx_num_threads(ctx) >= 1);
  const char *omp = getenv("OMP_NUM_THREADS"); /* the harness sets it: it must be obeyed */
  if (omp) CU_ASSERT_EQUAL(tsr_ctx_num_threads(ctx), atoi(omp));
  CU_ASSERT_PTR_NOT_NULL(tsr_ctx_options(ctx));
  CU_ASSERT_PTR_NOT_NULL(tsr_ctx_log(ctx));
}

static void test_tags_are_distinct_and_agree(void) {
  tsr_ctx ctx = tsr_test_ctx();
  int a, b, c;
  TSR_ASSERT_OK(tsr_ctx_reserve_tags(ctx, 27, &a));
  TSR_ASSERT_OK(tsr_ctx_reserve_tags(ctx, 1, &b));
  TSR_ASSERT_OK(tsr_ctx_reserve_tags(ctx, 5, &c));
  CU_ASSERT(a >= 0 && b >= a + 27 && c >= b + 1);
  int mine[3] = {a, b, c}, lo[3], hi[3];
  MPI_Allreduce(mine, lo, 3, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(mine, hi, 3, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  CU_ASSERT(memcmp(lo, hi, sizeof lo) == 0); /* every rank got the same tags */
  TSR_ASSERT_ERR(tsr_ctx_reserve_tags(ctx, 0, &a), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_ctx_reserve_tags(ctx, INT32_MAX, &a), TSR_ERR_SIZE);
}

static void test_error_mode_return(void) {
  tsr_ctx ctx = tsr_test_ctx();
  TSR_ASSERT_ERR(tsr_ctx_set_error_mode(ctx, (tsr_error_mode)7), TSR_ERR_ARG);
  double *p;
  /* In return mode a rank-local failure comes back as a code, it does not abort. */
  TSR_ASSERT_ERR(tsr_malloc(SIZE_MAX - 1, &p), TSR_ERR_MEM);
}

static void test_mpi_error_wrapper(void) {
  CU_ASSERT_EQUAL(tsr_error_raise_mpi(MPI_ERR_COUNT, "MPI_Send(...)", "f.c", 1, "fn"), TSR_ERR_MPI);
  CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), "MPI call MPI_Send(...) failed: "));
  CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_traceback(), "at fn (f.c:1)"));
  tsr_error_clear();
}

/* Read back everything written to @p f. */
static char *slurp(FILE *f) {
  long n = ftell(f);
  char *s = calloc((size_t)n + 1, 1);
  rewind(f);
  if (fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = '\0';
  return s;
}

static void test_printf_levels_and_all_ranks(void) {
  FILE *f = tmpfile();
  tsr_log log;
  TSR_ASSERT_OK(tsr_log_create(tsr_ctx_comm(tsr_test_ctx()), 1, f, &log));
  CU_ASSERT_EQUAL(tsr_log_verbosity(log), 1);
  TSR_ASSERT_OK(tsr_log_printf(log, 1, "shown %d\n", 1));
  TSR_ASSERT_OK(tsr_log_printf(log, 2, "hidden %d\n", 2));
  TSR_ASSERT_OK(tsr_log_printf_all(log, 1, "rank says %d\nsecond line", tsr_test_rank()));
  char *text = slurp(f);
  if (tsr_test_rank() == 0) {
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "shown 1\n"));
    CU_ASSERT_PTR_NULL(strstr(text, "hidden"));
    /* Every rank's lines appear, prefixed, in rank order. */
    const char *prev = text;
    for (int r = 0; r < tsr_test_size(); r++) {
      char want[64];
      snprintf(want, sizeof want, "[%d] rank says %d\n[%d] second line\n", r, r, r);
      const char *at = strstr(text, want);
      CU_ASSERT_PTR_NOT_NULL(at);
      CU_ASSERT(at >= prev);
      if (at) prev = at;
    }
  } else {
    CU_ASSERT_STRING_EQUAL(text, ""); /* only rank 0 prints */
  }
  free(text);
  TSR_ASSERT_OK(tsr_log_destroy(&log));
  CU_ASSERT_PTR_NULL(log);
  TSR_ASSERT_OK(tsr_log_destroy(&log));
  fclose(f);
}

static void test_progress_lines(void) {
  FILE *f = tmpfile();
  tsr_log log;
  tsr_progress p;
  TSR_ASSERT_OK(tsr_log_create(tsr_ctx_comm(tsr_test_ctx()), 1, f, &log));
  TSR_ASSERT_OK(tsr_progress_create(log, 0, 10, &p));
  TSR_ASSERT_OK(tsr_progress_set_plain(p, true));
  TSR_ASSERT_OK(tsr_progress_set_interval(p, 1000.0)); /* only the last step may print */
  for (int s = 1; s <= 10; s++)
    TSR_ASSERT_OK(tsr_progress_update(p, s, 0.5 * s));
  TSR_ASSERT_OK(tsr_progress_set_interval(p, 0.0));
  TSR_ASSERT_ERR(tsr_progress_set_interval(p, -1.0), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_progress_destroy(&p));
  char *text = slurp(f);
  if (tsr_test_rank() == 0) {
    CU_ASSERT_PTR_NULL(strstr(text, "step 5/10"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "step 10/10 (100.0%)  t = 5"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "steps/s"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "ETA"));
    CU_ASSERT_PTR_NULL(strchr(text, '\r')); /* plain lines for batch logs */
  } else {
    CU_ASSERT_STRING_EQUAL(text, "");
  }
  free(text);
  /* With interval 0 every update prints a line. */
  rewind(f);
  TSR_ASSERT_OK(tsr_progress_create(log, 4, 8, &p));
  TSR_ASSERT_OK(tsr_progress_set_plain(p, true));
  TSR_ASSERT_OK(tsr_progress_set_interval(p, 0.0));
  for (int s = 5; s <= 8; s++)
    TSR_ASSERT_OK(tsr_progress_update(p, s, 0));
  TSR_ASSERT_OK(tsr_progress_destroy(&p));
  fflush(f);
  text = slurp(f);
  int lines = 0;
  for (char *c = text; *c; c++)
    lines += *c == '\n';
  CU_ASSERT_EQUAL(lines, tsr_test_rank() == 0 ? 4 : 0);
  free(text);
  TSR_ASSERT_OK(tsr_log_destroy(&log));
  fclose(f);
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {
      {"communicators", test_communicators},
      {"tags distinct and equal on all ranks", test_tags_are_distinct_and_agree},
      {"error mode return", test_error_mode_return},
      {"MPI error wrapper", test_mpi_error_wrapper},
      {"printf levels and all-rank printing", test_printf_levels_and_all_ranks},
      {"progress lines", test_progress_lines},
      TSR_TEST_END};
  return tsr_test_main(argc, argv, "ctx_log", cases);
}
