/* tsr_io_write_fields() on a disk too full for the file (here: a file size limit, SIGXFSZ
 * ignored) that would stop it at any stage: the superblock, the metadata, the data, the last
 * flush at close. Each attempt must end in the same collective TSR_ERR_FILE naming the file
 * and the system's reason, must leave no HDF5 object of the file open (a file whose close
 * failed stayed registered and made MPI_Finalize crash in HDF5's clean-up), and the next write
 * without the limit must work. The program's clean exit through MPI_Finalize is part of the
 * test. */
#include <errno.h>
#include <hdf5.h> /* to count the file objects left open */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tsr_test.h"

static MPI_Comm comm(void) {
  return tsr_ctx_comm(tsr_test_ctx());
}

static double value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  (void)user;
  return (double)(idx[0] + 31 * idx[1] + 977 * idx[2]) + 0.25 * comp;
}

/* HDF5 files (and objects of files) open in this process. */
static long open_files(void) {
  return (long)H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
}

static void test_file_size_limit(void) {
  const tsr_gidx n[3] = {24, 20, 16}; /* 60 KiB per component */
  tsr_grid grid = NULL;
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), 3, n, &grid));
  TSR_ASSERT_OK(tsr_grid_setup(grid));
  tsr_field f[2] = {NULL, NULL};
  TSR_ASSERT_OK(tsr_field_create(grid, "u", 1, 1, &f[0]));
  TSR_ASSERT_OK(tsr_field_create(grid, "v", 3, 0, &f[1]));
  for (int i = 0; i < 2; i++) {
    TSR_ASSERT_OK(tsr_field_setup(f[i]));
    TSR_ASSERT_OK(tsr_field_fill(f[i], value, NULL));
  }
  char dir[256], path[320];
  snprintf(dir, sizeof dir, "io-write-failure-np%d", tsr_test_size());
  snprintf(path, sizeof path, "%s/f.h5", dir);
  if (tsr_test_rank() == 0) mkdir(dir, 0777);
  MPI_Barrier(comm());

  /* The whole file: its size without a limit. */
  TSR_ASSERT_OK(tsr_io_write_fields(path, f, 2, NULL));
  struct stat st;
  long full = stat(path, &st) == 0 ? (long)st.st_size : 0;
  MPI_Bcast(&full, 1, MPI_LONG, 0, comm());
  CU_ASSERT(full > 4 * 60 * 1024);
  CU_ASSERT_EQUAL(open_files(), 0);

  /* Limits from a few bytes to just short of the whole file: each stage fails somewhere. */
  struct rlimit old, lim;
  CU_ASSERT(getrlimit(RLIMIT_FSIZE, &old) == 0);
  void (*old_xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
  const long limits[] = {512, 4096, full / 3, full - 2048, full - 1};
  for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
    lim = old;
    lim.rlim_cur = (rlim_t)limits[k];
    CU_ASSERT(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    tsr_err e = tsr_io_write_fields(path, f, 2, NULL);
    char msg[1024], root[1024];
    snprintf(msg, sizeof msg, "%s", tsr_error_message());
    tsr_error_clear();
    CU_ASSERT(setrlimit(RLIMIT_FSIZE, &old) == 0);
    CU_ASSERT_EQUAL(e, TSR_ERR_FILE);
    CU_ASSERT(strstr(msg, path) != NULL && strstr(msg, strerror(EFBIG)) != NULL);
    snprintf(root, sizeof root, "%s", msg); /* the same message on every rank */
    MPI_Bcast(root, sizeof root, MPI_CHAR, 0, comm());
    CU_ASSERT_STRING_EQUAL(root, msg);
    CU_ASSERT_EQUAL(open_files(), 0);
    if (e != TSR_ERR_FILE || open_files() != 0)
      fprintf(stderr, "limit %ld of %ld bytes: error %d, %ld objects open: %s\n", limits[k], full,
              (int)e, open_files(), msg);
  }
  signal(SIGXFSZ, old_xfsz);

  /* The run goes on: the next write works and reads back. */
  TSR_ASSERT_OK(tsr_io_write_fields(path, f, 2, NULL));
  tsr_field g = NULL;
  TSR_ASSERT_OK(tsr_field_create(grid, "u", 1, 1, &g));
  TSR_ASSERT_OK(tsr_field_setup(g));
  TSR_ASSERT_OK(tsr_io_read_fields(path, &g, 1, NULL));
  uint64_t a = 0, b = 1;
  TSR_ASSERT_OK(tsr_field_fingerprint(f[0], &a));
  TSR_ASSERT_OK(tsr_field_fingerprint(g, &b));
  CU_ASSERT_EQUAL(a, b);
  CU_ASSERT_EQUAL(open_files(), 0);
  TSR_ASSERT_OK(tsr_field_destroy(&g));
  for (int i = 0; i < 2; i++)
    TSR_ASSERT_OK(tsr_field_destroy(&f[i]));
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  MPI_Barrier(comm());
  if (tsr_test_rank() == 0) {
    remove(path);
    rmdir(dir);
  }
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {{"file_size_limit", test_file_size_limit}, TSR_TEST_END};
  return tsr_test_main(argc, argv, "io_write_failure", cases);
}
