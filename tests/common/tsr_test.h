/* MPI-aware CUnit driver.
 *
 * Every rank runs every suite. Rank 0 runs CUnit's basic runner (verbose); the other ranks run
 * silently and print their own failures (rank, file, line, condition) to stderr. The failure
 * counts are summed over ranks, rank 0 prints one verdict line, and every rank exits with the
 * global verdict (0 pass, 1 fail).
 *
 * Tests with collectives must use non-fatal CU_ASSERT*: a fatal assert (or an early return)
 * on one rank skips a collective the others enter and hangs the run.
 */
#ifndef TSR_TEST_H
#define TSR_TEST_H

#include <CUnit/CUnit.h>

#include "tessera.h"

typedef struct {
  const char *name;
  void (*fn)(void);
} tsr_test_case;

/* Terminates a case list. */
#define TSR_TEST_END                                                                               \
  { NULL, NULL }

/* Initialise MPI (FUNNELED) and a context in "return" error mode, run @p cases as one suite
 * named @p suite, finalize, and return the process exit code. */
int tsr_test_main(int argc, char **argv, const char *suite, const tsr_test_case *cases);

/* The context of the test run (error mode: return). */
tsr_ctx tsr_test_ctx(void);

/* MPI_COMM_WORLD rank and size, for tests. */
int tsr_test_rank(void);
int tsr_test_size(void);

/* Assert that @p expr returns @p code; clears the recorded error afterwards. */
#define TSR_ASSERT_ERR(expr, code)                                                                 \
  do {                                                                                             \
    tsr_err tsr_test_e_ = (expr);                                                                  \
    CU_ASSERT_EQUAL(tsr_test_e_, (code));                                                          \
    tsr_error_clear();                                                                             \
  } while (0)

/* Assert that @p expr succeeds; on failure print the recorded message and traceback. */
#define TSR_ASSERT_OK(expr)                                                                        \
  do {                                                                                             \
    tsr_err tsr_test_e_ = (expr);                                                                  \
    if (tsr_test_e_ != TSR_SUCCESS) tsr_test_report_error(#expr, tsr_test_e_, __FILE__, __LINE__); \
    CU_ASSERT_EQUAL(tsr_test_e_, TSR_SUCCESS);                                                     \
  } while (0)

void tsr_test_report_error(const char *expr, tsr_err e, const char *file, int line);

#endif
