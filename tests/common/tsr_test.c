#include "tsr_test.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

static tsr_ctx test_ctx;
static int world_rank, world_size;

tsr_ctx tsr_test_ctx(void) {
  return test_ctx;
}

int tsr_test_rank(void) {
  return world_rank;
}

int tsr_test_size(void) {
  return world_size;
}

void tsr_test_report_error(const char *expr, tsr_err e, const char *file, int line) {
  fprintf(stderr, "[rank %d] %s:%d: %s returned %s: %s\n%s", world_rank, file, line, expr,
          tsr_error_name(e), tsr_error_message(), tsr_error_traceback());
}

/* Ranks other than 0 run silently; report their failure records themselves. */
static void print_own_failures(void) {
  for (CU_pFailureRecord f = CU_get_failure_list(); f; f = f->pNext)
    fprintf(stderr, "[rank %d] FAILED %s:%u: %s (test %s)\n", world_rank, f->strFileName,
            f->uiLineNumber, f->strCondition, f->pTest ? f->pTest->pName : "?");
}

int tsr_test_main(int argc, char **argv, const char *suite_name, const tsr_test_case *cases) {
  int provided;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);

  if (tsr_ctx_create(&argc, &argv, MPI_COMM_WORLD, &test_ctx) != TSR_SUCCESS) {
    fprintf(stderr, "[rank %d] cannot create the test context: %s\n", world_rank,
            tsr_error_message());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  tsr_ctx_set_error_mode(test_ctx, TSR_ERRMODE_RETURN);

  unsigned local_failures = 0;
  int setup_ok = CU_initialize_registry() == CUE_SUCCESS;
  CU_pSuite suite = setup_ok ? CU_add_suite(suite_name, NULL, NULL) : NULL;
  for (const tsr_test_case *c = cases; suite && c->name; c++)
    if (!CU_add_test(suite, c->name, c->fn)) setup_ok = 0;
  if (!setup_ok || !suite) {
    fprintf(stderr, "[rank %d] CUnit set-up failed: %s\n", world_rank, CU_get_error_msg());
    local_failures = 1;
  } else if (world_rank == 0) {
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    local_failures = CU_get_number_of_failures();
  } else {
    CU_run_all_tests();
    local_failures = CU_get_number_of_failures();
    print_own_failures();
  }
  /* The verdict is the failures of all ranks (CU_basic_run_tests returns success anyway). */
  unsigned global_failures = 0;
  MPI_Allreduce(&local_failures, &global_failures, 1, MPI_UNSIGNED, MPI_SUM, MPI_COMM_WORLD);
  int ntests = suite ? (int)suite->uiNumberOfTests : 0;
  if (world_rank == 0)
    printf("\n%s: %d tests on %d ranks: %s (%u failed assertions over all ranks)\n", suite_name,
           ntests, world_size, global_failures ? "FAILED" : "PASSED", global_failures);
  CU_cleanup_registry();
  tsr_ctx_destroy(&test_ctx);
  MPI_Finalize();
  return global_failures ? 1 : 0;
}
