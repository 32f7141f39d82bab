/* The snapshot writer continuing an earlier run's series (tsr_io_writer_set_first_step) and its
 * cadence query (tsr_io_writer_is_due).
 *
 * A first writer writes snapshots 0, 2, ..., 10 of field "u"; a second one, continuing from
 * step 6 as a restarted run does, must rebuild the index from the files with step <= 6 only,
 * leaving out later steps, damaged files and files that are not this series' snapshots, and
 * then append what it writes. A writer without a first step starts its index empty.
 * TSR_RESTART_TEST_DIR is the folder (one subfolder per rank count). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tsr_test.h"

enum { PATH_LEN = 4096 };

static void own_dir(char *buf, size_t size) {
  const char *d = getenv("TSR_RESTART_TEST_DIR");
  snprintf(buf, size, "%s/np%d", d && d[0] ? d : "restart-test", tsr_test_size());
  if (tsr_test_rank() == 0) {
    mkdir(d && d[0] ? d : "restart-test", 0777);
    mkdir(buf, 0777);
  }
  MPI_Barrier(tsr_ctx_comm(tsr_test_ctx()));
}

/* Occurrences of @p needle in file @p path (rank 0), -1 when unreadable. */
static int count_substr(const char *path, const char *needle) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  static char buf[1 << 16];
  size_t len = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[len] = '\0';
  int n = 0;
  for (const char *p = buf; (p = strstr(p, needle)); p++)
    n++;
  return n;
}

static void put_file(const char *dir, const char *name, const char *text) {
  char path[PATH_LEN + 64];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL(f);
  if (!f) return;
  fputs(text, f);
  fclose(f);
}

static double value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  (void)comp;
  return (double)(idx[0] + 100 * idx[1]) + *(const double *)user;
}

/* A writer of @p u into @p dir every 2 steps, continuing from @p first (-1: fresh), set up. */
static tsr_io_writer make_writer(tsr_field u, const char *dir, int64_t first) {
  tsr_io_writer w = NULL;
  TSR_ASSERT_OK(tsr_io_writer_create(tsr_field_grid(u), "snap", &w));
  TSR_ASSERT_OK(tsr_io_writer_set_dir(w, dir));
  TSR_ASSERT_OK(tsr_io_writer_set_every(w, 2));
  TSR_ASSERT_OK(tsr_io_writer_add_field(w, u));
  if (first != -2) TSR_ASSERT_OK(tsr_io_writer_set_first_step(w, first));
  TSR_ASSERT_OK(tsr_io_writer_setup(w));
  return w;
}

/* On rank 0: whether the index lists snapshot @p step. */
static int listed(const char *index, int64_t step) {
  char needle[64];
  snprintf(needle, sizeof needle, "<Grid Name=\"snap_%06lld\"", (long long)step);
  return count_substr(index, needle);
}

static void test_continue_series(void) {
  char dir[PATH_LEN], index[PATH_LEN + 32];
  own_dir(dir, sizeof dir);
  snprintf(index, sizeof index, "%s/snap.xmf", dir);
  tsr_grid grid = NULL;
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), 2, (const tsr_gidx[]){12, 10, 1}, &grid));
  TSR_ASSERT_OK(tsr_grid_setup(grid));
  tsr_field u = NULL;
  TSR_ASSERT_OK(tsr_field_create(grid, "u", 1, 1, &u));
  TSR_ASSERT_OK(tsr_field_setup(u));

  /* The first run: snapshots 0, 2, ..., 10 at time step / 2. */
  tsr_io_writer w = make_writer(u, dir, -2);
  for (int64_t step = 0; step <= 10; step++) {
    double offset = (double)step;
    TSR_ASSERT_OK(tsr_field_fill(u, value, &offset));
    TSR_ASSERT_OK(tsr_io_writer_maybe_write(w, step, 0.5 * (double)step, NULL));
  }
  TSR_ASSERT_OK(tsr_io_writer_destroy(&w));
  if (tsr_test_rank() == 0) {
    CU_ASSERT_EQUAL(count_substr(index, "GridType=\"Uniform\""), 6);
    /* Files that are not snapshots of this series, or are damaged, named like them. */
    put_file(dir, "snap_000003.h5", "not HDF5: a damaged snapshot\n");
    put_file(dir, "snap_0000001.h5", "a name snapshot_name() would not write\n");
    put_file(dir, "snap_000001.h5.tmp", "a temporary file\n");
    put_file(dir, "snapx_000001.h5", "another series\n");
  }
  MPI_Barrier(tsr_ctx_comm(tsr_test_ctx()));

  /* The restarted run continues from step 6: its index lists 0, 2, 4, 6 at once (times as
   * written), not 8 and 10, nor the decoys. */
  w = make_writer(u, dir, 6);
  if (tsr_test_rank() == 0) {
    CU_ASSERT_EQUAL(count_substr(index, "GridType=\"Uniform\""), 4);
    for (int64_t step = 0; step <= 10; step++)
      CU_ASSERT_EQUAL(listed(index, step), step % 2 == 0 && step <= 6);
    CU_ASSERT_EQUAL(count_substr(index, "<Time Value=\"3\"/>"), 1);
    CU_ASSERT_EQUAL(count_substr(index, "snap_000004.h5:/fields/u/0"), 1);
  }
  /* ...then appends what it writes (a new time for step 8: the file is rewritten). */
  TSR_ASSERT_OK(tsr_io_writer_write(w, 8, 4.25));
  if (tsr_test_rank() == 0) {
    CU_ASSERT_EQUAL(count_substr(index, "GridType=\"Uniform\""), 5);
    CU_ASSERT_EQUAL(listed(index, 8), 1);
    CU_ASSERT_EQUAL(listed(index, 10), 0);
    CU_ASSERT_EQUAL(count_substr(index, "<Time Value=\"4.25\"/>"), 1);
  }
  TSR_ASSERT_OK(tsr_io_writer_destroy(&w));

  /* Continuing from step 0 keeps snapshot 0 alone. */
  w = make_writer(u, dir, 0);
  if (tsr_test_rank() == 0) CU_ASSERT_EQUAL(count_substr(index, "GridType=\"Uniform\""), 1);
  TSR_ASSERT_OK(tsr_io_writer_destroy(&w));

  /* A fresh writer (-1, the default) leaves the index alone until it writes, then lists only
   * its own snapshots. */
  w = make_writer(u, dir, -1);
  if (tsr_test_rank() == 0) CU_ASSERT_EQUAL(count_substr(index, "GridType=\"Uniform\""), 1);
  TSR_ASSERT_OK(tsr_io_writer_write(w, 2, 1.0));
  if (tsr_test_rank() == 0) {
    CU_ASSERT_EQUAL(count_substr(index, "GridType=\"Uniform\""), 1);
    CU_ASSERT_EQUAL(listed(index, 2), 1);
  }
  TSR_ASSERT_OK(tsr_io_writer_destroy(&w));
  TSR_ASSERT_OK(tsr_field_destroy(&u));
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

static void test_arguments(void) {
  tsr_grid grid = NULL;
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), 2, (const tsr_gidx[]){8, 8, 1}, &grid));
  TSR_ASSERT_OK(tsr_grid_setup(grid));
  tsr_io_writer w = NULL;
  TSR_ASSERT_OK(tsr_io_writer_create(grid, "args", &w));
  TSR_ASSERT_ERR(tsr_io_writer_set_first_step(w, -2), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_io_writer_set_first_step(NULL, 3), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_io_writer_set_every(w, 3));
  bool due = false;
  for (int64_t step = 0; step <= 7; step++) {
    TSR_ASSERT_OK(tsr_io_writer_is_due(w, step, &due));
    CU_ASSERT_EQUAL(due, step % 3 == 0);
  }
  TSR_ASSERT_ERR(tsr_io_writer_is_due(w, 0, NULL), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_io_writer_set_every(w, 0));
  TSR_ASSERT_OK(tsr_io_writer_is_due(w, 0, &due));
  CU_ASSERT(!due); /* never */
  tsr_field f = NULL;
  TSR_ASSERT_OK(tsr_field_create(grid, "f", 1, 1, &f));
  TSR_ASSERT_OK(tsr_field_setup(f));
  TSR_ASSERT_OK(tsr_io_writer_add_field(w, f));
  char dir[PATH_LEN];
  own_dir(dir, sizeof dir);
  TSR_ASSERT_OK(tsr_io_writer_set_dir(w, dir));
  TSR_ASSERT_OK(tsr_io_writer_setup(w));
  TSR_ASSERT_ERR(tsr_io_writer_set_first_step(w, 3), TSR_ERR_STATE);
  TSR_ASSERT_OK(tsr_io_writer_destroy(&w));
  TSR_ASSERT_OK(tsr_field_destroy(&f));
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

int main(int argc, char **argv) {
  const tsr_test_case cases[] = {{"continue a series from a step", test_continue_series},
                                 {"arguments and the cadence query", test_arguments},
                                 TSR_TEST_END};
  return tsr_test_main(argc, argv, "io_writer_restart", cases);
}
