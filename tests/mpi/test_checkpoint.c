/* The checkpoint module: atomic writes, keep-K, restart with fallback over damaged files,
 * mismatches as errors, a full disk, and stops on signals and the wall-time limit.
 *
 * Modes (environment variable TSR_CKPT_TEST_MODE; TSR_CKPT_TEST_DIR is the shared folder):
 *   suite  (default) every case below; also writes a checkpoint named by its rank count into
 *          the shared folder for the cross mode;
 *   cross  restart from the checkpoints of all five rank counts (1 2 3 4 8), which must exist;
 *   bench  time writing and restarting a 256^3 field (TSR_CKPT_BENCH_N to change the size)
 *          and the cost of one tsr_checkpoint_step() without a checkpoint.
 * TSR_CKPT_TEST_ONLY=<case> runs one case of the suite.
 * Every cell value is a function of the global index and a tag, so reads compare exactly. */
#define _GNU_SOURCE /* nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <hdf5.h> /* only to find data bytes to damage */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tsr_test.h"

enum { PATH_LEN = 4096 };
static const int rank_counts[] = {1, 2, 3, 4, 8};
#define NUM_COUNTS 5

/* ---- helpers ------------------------------------------------------------------------------ */

static MPI_Comm comm(void) {
  return tsr_ctx_comm(tsr_test_ctx());
}

static bool is_root(void) {
  return tsr_test_rank() == 0;
}

static const char *test_dir(void) {
  const char *d = getenv("TSR_CKPT_TEST_DIR");
  return d && d[0] ? d : "checkpoint-test";
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st, (void)type, (void)ftw;
  return remove(path);
}

/* mkdir -p */
static void make_dirs(const char *dir) {
  char path[PATH_LEN];
  snprintf(path, sizeof path, "%s", dir);
  for (char *p = path + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      mkdir(path, 0777);
      *p = '/';
    }
  mkdir(path, 0777);
}

/* A fresh folder <shared>/np<P>/<name> (emptied by rank 0), its path in @p buf. */
static void fresh_dir(const char *name, char *buf, size_t size) {
  snprintf(buf, size, "%s/np%d/%s", test_dir(), tsr_test_size(), name);
  if (is_root()) {
    nftw(buf, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    make_dirs(buf);
  }
  MPI_Barrier(comm());
}

static void ckpt_file(const char *dir, int64_t step, bool tmp, char *buf, size_t size) {
  snprintf(buf, size, tmp ? "%s/.ckpt_%09lld.h5.tmp" : "%s/ckpt_%09lld.h5", dir, (long long)step);
}

/* Rank 0's answer, shared (files seen alike on every rank). */
static bool exists_on_root(const char *path) {
  struct stat st;
  int yes = is_root() && stat(path, &st) == 0;
  MPI_Bcast(&yes, 1, MPI_INT, 0, comm());
  return yes;
}

/* Rank 0: number of entries of @p dir (besides . and ..), shared. */
static int count_entries(const char *dir) {
  int n = -1;
  DIR *d = is_root() ? opendir(dir) : NULL;
  if (d) {
    n = 0;
    for (struct dirent *e; (e = readdir(d));)
      n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
  }
  MPI_Bcast(&n, 1, MPI_INT, 0, comm());
  return n;
}

static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

typedef struct {
  int id;
  int64_t tag;
} fill_key;

static double cell_value(const tsr_gidx g[3], int comp, const fill_key *key) {
  uint64_t h = mix((uint64_t)g[0] + 7919u * (uint64_t)g[1] + 104729u * (uint64_t)g[2] +
                   ((uint64_t)comp << 40) + ((uint64_t)key->id << 48) + (uint64_t)key->tag * 31u);
  return ((double)(h >> 11) * 0x1p-53 - 0.5) * 1e3;
}

static double init_fn(const tsr_gidx idx[3], int comp, void *user) {
  return cell_value(idx, comp, user);
}

static tsr_grid make_grid(const tsr_gidx n[3]) {
  tsr_grid grid = NULL;
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), 3, n, &grid));
  TSR_ASSERT_OK(tsr_grid_setup(grid));
  return grid;
}

/* The state: "u" (1 component) and "vel" (x, y, z). */
#define NF 2
static void make_fields(tsr_grid grid, tsr_field f[NF]) {
  static const char *const xyz[] = {"x", "y", "z"};
  f[0] = f[1] = NULL;
  TSR_ASSERT_OK(tsr_field_create(grid, "u", 1, 1, &f[0]));
  TSR_ASSERT_OK(tsr_field_setup(f[0]));
  TSR_ASSERT_OK(tsr_field_create(grid, "vel", 3, 1, &f[1]));
  for (int c = 0; c < 3; c++)
    TSR_ASSERT_OK(tsr_field_set_component_name(f[1], c, xyz[c]));
  TSR_ASSERT_OK(tsr_field_setup(f[1]));
}

static void destroy_fields(tsr_field *f, int n) {
  for (int i = 0; i < n; i++)
    TSR_ASSERT_OK(tsr_field_destroy(&f[i]));
}

static void fill(tsr_field *f, int n, int64_t tag) {
  for (int i = 0; i < n; i++) {
    fill_key key = {i, tag};
    TSR_ASSERT_OK(tsr_field_fill(f[i], init_fn, &key));
  }
}

/* Values no checkpoint holds. */
static void poison(tsr_field *f, int n) {
  for (int i = 0; i < n; i++) {
    fill_key key = {99, -1};
    TSR_ASSERT_OK(tsr_field_fill(f[i], init_fn, &key));
  }
}

/* Owned cells (over all ranks) that differ in any bit from the fill of tag @p tag. */
static long count_bad(tsr_field *f, int n, int64_t tag) {
  long bad = 0, total;
  for (int i = 0; i < n; i++) {
    fill_key key = {i, tag};
    for (int c = 0; c < tsr_field_num_components(f[i]); c++) {
      tsr_view v;
      TSR_ASSERT_OK(tsr_field_get_view(f[i], c, &v));
      for (int k = 0; k < v.n[2]; k++)
        for (int j = 0; j < v.n[1]; j++)
          for (int i0 = 0; i0 < v.n[0]; i0++) {
            tsr_gidx g[3] = {v.box.lo[0] + i0, v.box.lo[1] + j, v.box.lo[2] + k};
            double want = cell_value(g, c, &key), got = TSR_VIEW_AT(v, i0, j, k);
            bad += memcmp(&want, &got, sizeof got) != 0;
          }
    }
  }
  MPI_Allreduce(&bad, &total, 1, MPI_LONG, MPI_SUM, comm());
  return total;
}

/* A checkpointing of @p f (NF fields unless @p nf says otherwise) in @p dir with the scalars
 * "dt" (real) and "count" (integer); set up. */
typedef struct {
  double dt;
  int64_t count;
} scalars;

static tsr_checkpoint make_ckpt(tsr_grid grid, tsr_field *f, int nf, const char *dir, scalars *s,
                                const char *restart) {
  tsr_checkpoint c = NULL;
  TSR_ASSERT_OK(tsr_checkpoint_create(grid, &c));
  for (int i = 0; i < nf; i++)
    TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[i]));
  if (s) TSR_ASSERT_OK(tsr_checkpoint_add_real(c, "dt", &s->dt));
  if (s) TSR_ASSERT_OK(tsr_checkpoint_add_int(c, "count", &s->count));
  TSR_ASSERT_OK(tsr_checkpoint_set_dir(c, dir));
  TSR_ASSERT_OK(tsr_checkpoint_set_restart(c, restart));
  TSR_ASSERT_OK(tsr_checkpoint_setup(c));
  return c;
}

/* Write checkpoints of @p nsteps steps, the fields filled with tag = step. */
static void write_steps(tsr_grid grid, const char *dir, const int64_t *steps, int nsteps,
                        int keep) {
  tsr_field f[NF];
  make_fields(grid, f);
  scalars s = {0.25, 0};
  tsr_checkpoint c = NULL;
  TSR_ASSERT_OK(tsr_checkpoint_create(grid, &c));
  for (int i = 0; i < NF; i++)
    TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[i]));
  TSR_ASSERT_OK(tsr_checkpoint_add_real(c, "dt", &s.dt));
  TSR_ASSERT_OK(tsr_checkpoint_add_int(c, "count", &s.count));
  TSR_ASSERT_OK(tsr_checkpoint_set_dir(c, dir));
  TSR_ASSERT_OK(tsr_checkpoint_set_keep(c, keep));
  TSR_ASSERT_OK(tsr_checkpoint_setup(c));
  for (int i = 0; i < nsteps; i++) {
    fill(f, NF, steps[i]);
    s.count = steps[i] * 10;
    TSR_ASSERT_OK(tsr_checkpoint_write(c, steps[i], 0.5 * (double)steps[i]));
  }
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  destroy_fields(f, NF);
}

/* Restart from @p restart in @p dir; return the error; message in @p msg (same on every rank:
 * asserted). */
static tsr_err try_restart(tsr_grid grid, tsr_field *f, int nf, const char *dir, scalars *s,
                           const char *restart, tsr_restart_info *info, char *msg, size_t size) {
  tsr_checkpoint c = make_ckpt(grid, f, nf, dir, s, restart);
  tsr_err e = tsr_checkpoint_restart(c, info);
  snprintf(msg, size, "%s", e ? tsr_error_message() : "");
  tsr_error_clear();
  char root[1024];
  snprintf(root, sizeof root, "%s", msg);
  MPI_Bcast(root, sizeof root, MPI_CHAR, 0, comm());
  CU_ASSERT_STRING_EQUAL(root, msg);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  return e;
}

static bool has_all(const char *msg, const char *const *needles) {
  bool ok = true;
  for (const char *const *s = needles; *s; s++)
    ok = ok && strstr(msg, *s);
  if (!ok && is_root()) fprintf(stderr, "message lacks a needle: '%s'\n", msg);
  return ok;
}
#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Rank 0: the file's bytes (malloc'ed), its size in @p n. */
static char *slurp(const char *path, long *n) {
  *n = file_size(path);
  FILE *f = fopen(path, "rb");
  char *buf = *n >= 0 ? malloc((size_t)*n + 1) : NULL;
  if (f && buf && fread(buf, 1, (size_t)*n, f) != (size_t)*n) *n = -1;
  if (buf && *n >= 0) buf[*n] = '\0';
  if (f) fclose(f);
  return buf;
}

static void truncate_half(const char *path) {
  CU_ASSERT(truncate(path, file_size(path) / 2) == 0);
}

/* Flip one byte of the data of field "u" (found through HDF5): only the fingerprint shows. */
static void flip_data(const char *path) {
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT),
        d = H5Dopen2(file, "fields/u/0", H5P_DEFAULT);
  long at = (long)H5Dget_offset(d) + 8 * 5 + 3;
  H5Dclose(d), H5Fclose(file);
  FILE *f = fopen(path, "r+b");
  CU_ASSERT(f != NULL);
  if (!f) return;
  fseek(f, at, SEEK_SET);
  int c = fgetc(f);
  fseek(f, at, SEEK_SET);
  fputc(c ^ 0x5A, f);
  fclose(f);
}

/* Rank 0's stderr goes to @p path between capture_begin and capture_end. */
static int saved_stderr = -1;
static void capture_begin(const char *path) {
  if (!is_root()) return;
  fflush(stderr);
  saved_stderr = dup(2);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(fd, 2);
  close(fd);
}
static void capture_end(void) {
  if (!is_root()) return;
  fflush(stderr);
  dup2(saved_stderr, 2);
  close(saved_stderr);
}

static const tsr_gidx small[3] = {12, 10, 8};

/* ---- write and restart -------------------------------------------------------------------- */

/* Two fields and two scalars come back exactly; the file is named by its step, no temporary
 * file is left, and restart says what it loaded. */
static void test_roundtrip(void) {
  char dir[PATH_LEN], path[PATH_LEN + 64];
  fresh_dir("roundtrip", dir, sizeof dir);
  tsr_grid grid = make_grid(small);
  tsr_field f[NF];
  make_fields(grid, f);
  scalars s = {0.125, 42};
  tsr_checkpoint c = make_ckpt(grid, f, NF, dir, &s, NULL);
  CU_ASSERT_STRING_EQUAL(tsr_checkpoint_last_path(c), "");
  fill(f, NF, 5);
  TSR_ASSERT_OK(tsr_checkpoint_write(c, 5, 0.5));
  ckpt_file(dir, 5, false, path, sizeof path);
  CU_ASSERT(exists_on_root(path));
  CU_ASSERT_STRING_EQUAL(tsr_checkpoint_last_path(c), path);
  CU_ASSERT_EQUAL(count_entries(dir), 1); /* no temporary or probe file left */
  tsr_restart_info info;
  TSR_ASSERT_OK(tsr_checkpoint_restart(c, &info)); /* no --restart: nothing loaded */
  CU_ASSERT(!info.restarted);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));

  poison(f, NF);
  s = (scalars){-1, -1};
  c = make_ckpt(grid, f, NF, dir, &s, "latest");
  TSR_ASSERT_OK(tsr_checkpoint_restart(c, &info));
  CU_ASSERT(info.restarted);
  CU_ASSERT_EQUAL(info.step, 5);
  CU_ASSERT_EQUAL(info.time, 0.5);
  CU_ASSERT_EQUAL(info.skipped, 0);
  CU_ASSERT_STRING_EQUAL(info.path, path);
  CU_ASSERT_STRING_EQUAL(tsr_checkpoint_last_path(c), path);
  CU_ASSERT_EQUAL(s.dt, 0.125);
  CU_ASSERT_EQUAL(s.count, 42);
  CU_ASSERT_EQUAL(count_bad(f, NF, 5), 0);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));

  /* --restart PATH loads exactly that file. */
  poison(f, NF);
  c = make_ckpt(grid, f, NF, dir, &s, path);
  TSR_ASSERT_OK(tsr_checkpoint_restart(c, &info));
  CU_ASSERT(info.restarted && info.step == 5);
  CU_ASSERT_EQUAL(count_bad(f, NF, 5), 0);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* Checkpoints by steps (every 3) through tsr_checkpoint_step; keep 2 removes the oldest. */
static void test_cadence_keep(void) {
  char dir[PATH_LEN], path[PATH_LEN + 64];
  fresh_dir("cadence", dir, sizeof dir);
  tsr_grid grid = make_grid(small);
  tsr_field f[NF];
  make_fields(grid, f);
  tsr_checkpoint c = NULL;
  TSR_ASSERT_OK(tsr_checkpoint_create(grid, &c));
  TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[0]));
  TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[1]));
  TSR_ASSERT_OK(tsr_checkpoint_set_dir(c, dir));
  TSR_ASSERT_OK(tsr_checkpoint_set_every(c, 3));
  TSR_ASSERT_OK(tsr_checkpoint_set_keep(c, 2));
  TSR_ASSERT_ERR(tsr_checkpoint_set_keep(c, 0), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_checkpoint_setup(c));
  TSR_ASSERT_ERR(tsr_checkpoint_set_every(c, 1), TSR_ERR_STATE);
  int stops = 0;
  for (int64_t step = 1; step <= 10; step++) {
    fill(f, NF, step);
    tsr_stop_reason why = TSR_STOP_SIGNAL;
    TSR_ASSERT_OK(tsr_checkpoint_step(c, step, 0.1 * (double)step, &why));
    stops += why != TSR_STOP_NONE;
    if (step == 3) {
      ckpt_file(dir, 3, false, path, sizeof path);
      CU_ASSERT(exists_on_root(path));
    }
  }
  CU_ASSERT_EQUAL(stops, 0);
  for (int64_t step = 1; step <= 10; step++) {
    ckpt_file(dir, step, false, path, sizeof path);
    CU_ASSERT_EQUAL(exists_on_root(path), step == 6 || step == 9);
  }
  CU_ASSERT_EQUAL(count_entries(dir), 2);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  /* Restarted from step 6, a run that writes step 7 keeps 6 and 7 and sets 9 aside. */
  char p6[PATH_LEN + 64], aside[PATH_LEN + 96];
  ckpt_file(dir, 6, false, p6, sizeof p6);
  ckpt_file(dir, 9, false, path, sizeof path);
  snprintf(aside, sizeof aside, "%s.superseded", path);
  c = make_ckpt(grid, f, NF, dir, NULL, p6);
  tsr_restart_info info;
  TSR_ASSERT_OK(tsr_checkpoint_restart(c, &info));
  CU_ASSERT_EQUAL(info.step, 6);
  TSR_ASSERT_OK(tsr_checkpoint_write(c, 7, 0.7));
  CU_ASSERT(exists_on_root(p6) && exists_on_root(aside) && !exists_on_root(path));
  CU_ASSERT_EQUAL(count_entries(dir), 3);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* A rank-local failure in what only rank 0 does (listing the folder) must reach every rank
 * as the same error, or as a warning where it is harmless, never leave the others waiting in a
 * broadcast (the test's timeout would catch the hang). */
static void test_root_failure(void) {
  char dir[PATH_LEN];
  fresh_dir("rootfail", dir, sizeof dir);
  tsr_grid grid = make_grid(small);
  tsr_field f[NF];
  make_fields(grid, f);
  tsr_checkpoint c = make_ckpt(grid, f, NF, dir, NULL, NULL);
  fill(f, NF, 1);
  TSR_ASSERT_OK(tsr_checkpoint_write(c, 1, 0.1));
  int rank;
  MPI_Comm_rank(comm(), &rank);
  if (rank == 0) setenv("TSR_CHECKPOINT_TEST_FAIL_LIST", "1", 1);
  /* After the commit only the removal of old ones lists the folder: a warning, not an error. */
  TSR_ASSERT_OK(tsr_checkpoint_write(c, 2, 0.2));
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  c = make_ckpt(grid, f, NF, dir, NULL, "latest");
  tsr_restart_info info;
  CU_ASSERT_EQUAL(tsr_checkpoint_restart(c, &info), TSR_ERR_MEM);
  CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), "test hook")); /* rank 0's message */
  tsr_error_clear();
  if (rank == 0) unsetenv("TSR_CHECKPOINT_TEST_FAIL_LIST");
  poison(f, NF);
  TSR_ASSERT_OK(tsr_checkpoint_restart(c, &info));
  CU_ASSERT_EQUAL(info.step, 2);
  CU_ASSERT_EQUAL(count_bad(f, NF, 1), 0); /* step 2 was written with the fields of step 1 */
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* The newest truncated and the next with a flipped data byte: restart warns about each (rank
 * 0, naming the file and the reason), loads the third and sets the two aside (.damaged). */
static void test_fallback(void) {
  char dir[PATH_LEN], p[3][PATH_LEN + 64], log[PATH_LEN + 64], msg[1024];
  fresh_dir("fallback", dir, sizeof dir);
  snprintf(log, sizeof log, "%s/../fallback.log", dir);
  tsr_grid grid = make_grid(small);
  write_steps(grid, dir, (const int64_t[]){10, 20, 30}, 3, 3);
  for (int i = 0; i < 3; i++)
    ckpt_file(dir, 10 * (i + 1), false, p[i], sizeof p[i]);
  if (is_root()) {
    truncate_half(p[2]);
    flip_data(p[1]);
  }
  MPI_Barrier(comm());
  tsr_field f[NF];
  make_fields(grid, f);
  poison(f, NF);
  scalars s = {0, 0};
  tsr_restart_info info;
  capture_begin(log);
  tsr_err e = try_restart(grid, f, NF, dir, &s, "latest", &info, msg, sizeof msg);
  capture_end();
  CU_ASSERT_EQUAL(e, TSR_SUCCESS);
  CU_ASSERT_EQUAL(info.step, 10);
  CU_ASSERT_EQUAL(info.skipped, 2);
  CU_ASSERT_STRING_EQUAL(info.path, p[0]);
  CU_ASSERT_EQUAL(s.count, 100);
  CU_ASSERT_EQUAL(count_bad(f, NF, 10), 0);
  if (is_root()) {
    long n;
    char *text = slurp(log, &n);
    CU_ASSERT(text && has_all(text, NEEDLES("warning", "skipping damaged checkpoint", p[2],
                                            "truncated", p[1], "fingerprint")));
    free(text);
  }
  /* The damaged ones were set aside; put them back for the cases below. */
  for (int i = 1; i < 3 && is_root(); i++) {
    char aside[PATH_LEN + 80];
    snprintf(aside, sizeof aside, "%s.damaged", p[i]);
    CU_ASSERT(access(p[i], F_OK) != 0 && rename(aside, p[i]) == 0);
  }
  MPI_Barrier(comm());
  /* --restart PATH of a damaged file: an error, no fallback. */
  capture_begin(log); /* the warnings below are expected: keep the test output clean */
  e = try_restart(grid, f, NF, dir, &s, p[1], &info, msg, sizeof msg);
  CU_ASSERT(e == TSR_ERR_CORRUPT && has_all(msg, NEEDLES(p[1], "fingerprint")));
  /* Every candidate damaged: an error naming the folder and the newest's problem. */
  if (is_root()) truncate_half(p[0]);
  MPI_Barrier(comm());
  e = try_restart(grid, f, NF, dir, &s, "latest", &info, msg, sizeof msg);
  capture_end();
  CU_ASSERT(e == TSR_ERR_CORRUPT && has_all(msg, NEEDLES(dir, "all 3 are damaged", p[2])));
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* Intact checkpoints of another set-up are errors, never a fall back to an older one. */
static void test_mismatch(void) {
  char dir[PATH_LEN], p20[PATH_LEN + 64], msg[1024];
  fresh_dir("mismatch", dir, sizeof dir);
  tsr_grid grid = make_grid(small);
  write_steps(grid, dir, (const int64_t[]){10, 20}, 2, 2);
  ckpt_file(dir, 20, false, p20, sizeof p20);
  tsr_restart_info info;
  scalars s = {0, 0};
  /* Another grid size: both sizes named, the newest file named. */
  tsr_grid other = make_grid((const tsr_gidx[]){12, 11, 8});
  tsr_field g[NF];
  make_fields(other, g);
  tsr_err e = try_restart(other, g, NF, dir, &s, "latest", &info, msg, sizeof msg);
  CU_ASSERT(e == TSR_ERR_FILE && has_all(msg, NEEDLES(p20, "12x10x8", "12x11x8")));
  destroy_fields(g, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&other));
  /* The same size, another periodicity: both named, for "latest" and for the file itself. */
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), 3, small, &other));
  TSR_ASSERT_OK(tsr_grid_set_periodic(other, (const bool[]){false, true, false}));
  TSR_ASSERT_OK(tsr_grid_setup(other));
  make_fields(other, g);
  e = try_restart(other, g, NF, dir, &s, "latest", &info, msg, sizeof msg);
  CU_ASSERT(e == TSR_ERR_FILE && has_all(msg, NEEDLES(p20, "periodic axes 0,0,0", "axes 0,1,0")));
  e = try_restart(other, g, NF, dir, &s, p20, &info, msg, sizeof msg);
  CU_ASSERT(e == TSR_ERR_FILE && has_all(msg, NEEDLES(p20, "periodic axes 0,0,0", "axes 0,1,0")));
  destroy_fields(g, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&other));

  tsr_field f[NF + 1];
  make_fields(grid, f);
  f[NF] = NULL;
  TSR_ASSERT_OK(tsr_field_create(grid, "w", 1, 0, &f[NF]));
  TSR_ASSERT_OK(tsr_field_setup(f[NF]));
  /* A field the file lacks, and a file with a field the run lacks. */
  e = try_restart(grid, f, NF + 1, dir, &s, "latest", &info, msg, sizeof msg);
  CU_ASSERT(e == TSR_ERR_FILE && has_all(msg, NEEDLES(p20, "no field 'w'")));
  e = try_restart(grid, f, 1, dir, &s, "latest", &info, msg, sizeof msg);
  CU_ASSERT(e == TSR_ERR_FILE && has_all(msg, NEEDLES(p20, "holds 2 fields", "checkpoints 1")));
  /* A scalar the file lacks, and one of another type. */
  tsr_checkpoint c = NULL;
  double extra = 0, count_as_real = 0;
  for (int variant = 0; variant < 2; variant++) {
    TSR_ASSERT_OK(tsr_checkpoint_create(grid, &c));
    TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[0]));
    TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[1]));
    TSR_ASSERT_OK(tsr_checkpoint_add_real(c, "dt", &s.dt));
    if (variant == 0) TSR_ASSERT_OK(tsr_checkpoint_add_int(c, "count", &s.count));
    if (variant == 0) TSR_ASSERT_OK(tsr_checkpoint_add_real(c, "extra", &extra));
    if (variant == 1) TSR_ASSERT_OK(tsr_checkpoint_add_real(c, "count", &count_as_real));
    TSR_ASSERT_ERR(tsr_checkpoint_add_real(c, "dt", &extra), TSR_ERR_ARG); /* duplicate */
    TSR_ASSERT_OK(tsr_checkpoint_set_dir(c, dir));
    TSR_ASSERT_OK(tsr_checkpoint_set_restart(c, "latest"));
    TSR_ASSERT_OK(tsr_checkpoint_setup(c));
    e = tsr_checkpoint_restart(c, &info);
    CU_ASSERT(e == TSR_ERR_FILE &&
              strstr(tsr_error_message(),
                     variant == 0 ? "lacks scalar 'extra'" : "holds scalar 'count' as an integer"));
    tsr_error_clear();
    TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  }
  /* A missing file, and an empty folder. */
  e = try_restart(grid, f, NF, dir, &s, "no/such/file.h5", &info, msg, sizeof msg);
  CU_ASSERT(e == TSR_ERR_FILE && has_all(msg, NEEDLES("no/such/file.h5")));
  char empty[PATH_LEN];
  fresh_dir("empty", empty, sizeof empty);
  e = try_restart(grid, f, NF, empty, &s, "latest", &info, msg, sizeof msg);
  CU_ASSERT(e == TSR_ERR_FILE && has_all(msg, NEEDLES(empty, "no checkpoint")));
  destroy_fields(f, NF + 1);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* ---- two buffers of one field ------------------------------------------------------------- */

/* A program alternating buffers: the checkpoint saves whichever handle it was last pointed at,
 * under the registered name, and restart reads into the handle current then. */
static void test_set_field(void) {
  char dir[PATH_LEN], path[PATH_LEN + 64];
  fresh_dir("set_field", dir, sizeof dir);
  tsr_grid grid = make_grid(small);
  tsr_field a[NF], b[NF], r[NF]; /* registered, the second buffer, the restart's target */
  make_fields(grid, a);
  make_fields(grid, b);
  make_fields(grid, r);
  tsr_checkpoint c = make_ckpt(grid, a, NF, dir, NULL, NULL);
  fill(a, NF, 1);
  fill(b, NF, 2);
  for (int i = 0; i < NF; i++) /* after setup, every "step": a swap there and back */
    for (int k = 0; k < 3; k++)
      TSR_ASSERT_OK(tsr_checkpoint_set_field(c, i, k % 2 ? a[i] : b[i]));
  TSR_ASSERT_OK(tsr_checkpoint_write(c, 4, 1.0));
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  ckpt_file(dir, 4, false, path, sizeof path);
  poison(r, NF);
  c = make_ckpt(grid, a, NF, dir, NULL, path);
  for (int i = 0; i < NF; i++)
    TSR_ASSERT_OK(tsr_checkpoint_set_field(c, i, r[i]));
  tsr_restart_info info;
  TSR_ASSERT_OK(tsr_checkpoint_restart(c, &info));
  CU_ASSERT(info.restarted && info.step == 4);
  CU_ASSERT_EQUAL(count_bad(r, NF, 2), 0); /* b's data, read into r */
  CU_ASSERT_EQUAL(count_bad(a, NF, 1), 0); /* the registered handle untouched */
  if (is_root()) {                         /* stored under the registered names only */
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    H5G_info_t gi;
    CU_ASSERT(H5Gget_info_by_name(file, "fields", &gi, H5P_DEFAULT) >= 0 && gi.nlinks == NF);
    CU_ASSERT(H5Lexists(file, "fields/u", H5P_DEFAULT) > 0);
    CU_ASSERT(H5Lexists(file, "fields/vel", H5P_DEFAULT) > 0);
    H5Fclose(file);
  }
  for (int i = 0; i < NF; i++) /* back to a before r goes */
    TSR_ASSERT_OK(tsr_checkpoint_set_field(c, i, a[i]));
  destroy_fields(r, NF);
  destroy_fields(b, NF);

  /* Refused: each names the bad value and what was expected; the registration stays. */
  tsr_grid other = make_grid((const tsr_gidx[]){12, 10, 9});
  tsr_field w[5] = {NULL, NULL, NULL, NULL, NULL};
  TSR_ASSERT_OK(tsr_field_create(other, "u", 1, 1, &w[0])); /* another grid */
  TSR_ASSERT_OK(tsr_field_setup(w[0]));
  TSR_ASSERT_OK(tsr_field_create(grid, "u", 2, 1, &w[1])); /* 2 components, not 1 */
  TSR_ASSERT_OK(tsr_field_setup(w[1]));
  TSR_ASSERT_OK(tsr_field_create(grid, "u_next", 1, 1, &w[2])); /* another name */
  TSR_ASSERT_OK(tsr_field_setup(w[2]));
  TSR_ASSERT_OK(tsr_field_create(grid, "vel", 3, 1, &w[3])); /* component names 0 1 2 */
  TSR_ASSERT_OK(tsr_field_setup(w[3]));
  TSR_ASSERT_OK(tsr_field_create(grid, "u", 1, 1, &w[4])); /* not set up */
  struct {
    int index;
    tsr_field f;
    tsr_err code;
    const char *const *needles;
  } bad[] = {{0, w[0], TSR_ERR_ARG, NEEDLES("'u'", "not on the checkpoint's grid")},
             {0, w[1], TSR_ERR_ARG, NEEDLES("'u' has 2 components", "('u') has 1")},
             {0, w[2], TSR_ERR_ARG, NEEDLES("'u_next'", "('u')", "the name 'u'")},
             {1, w[3], TSR_ERR_ARG, NEEDLES("component 0", "'0'", "'x'")},
             {0, w[4], TSR_ERR_STATE, NEEDLES("set up")},
             {NF, a[0], TSR_ERR_ARG, NEEDLES("index 2", "0 to 1")},
             {-1, a[0], TSR_ERR_ARG, NEEDLES("index -1", "0 to 1")},
             {0, NULL, TSR_ERR_ARG, NEEDLES("NULL")}};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    tsr_err e = tsr_checkpoint_set_field(c, bad[k].index, bad[k].f);
    CU_ASSERT_EQUAL(e, bad[k].code);
    CU_ASSERT(has_all(tsr_error_message(), bad[k].needles));
    tsr_error_clear();
  }
  TSR_ASSERT_ERR(tsr_checkpoint_set_field(NULL, 0, a[0]), TSR_ERR_ARG);
  /* The refusals left the registration alone: the next checkpoint holds a's data. */
  TSR_ASSERT_OK(tsr_checkpoint_write(c, 5, 1.25));
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  make_fields(grid, r);
  poison(r, NF);
  ckpt_file(dir, 5, false, path, sizeof path);
  c = make_ckpt(grid, r, NF, dir, NULL, path);
  TSR_ASSERT_OK(tsr_checkpoint_restart(c, &info));
  CU_ASSERT_EQUAL(count_bad(r, NF, 1), 0);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  destroy_fields(r, NF);
  destroy_fields(w, 5);
  destroy_fields(a, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&other));
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* ---- failures of the folder and the disk -------------------------------------------------- */

/* A folder that cannot be created fails at setup, before any step. */
static void test_unwritable(void) {
  char dir[PATH_LEN], bad[PATH_LEN + 64];
  fresh_dir("unwritable", dir, sizeof dir);
  snprintf(bad, sizeof bad, "%s/regular_file", dir);
  if (is_root()) fclose(fopen(bad, "w"));
  MPI_Barrier(comm());
  snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "/ckpt");
  tsr_grid grid = make_grid(small);
  tsr_field f[NF];
  make_fields(grid, f);
  tsr_checkpoint c = NULL;
  TSR_ASSERT_OK(tsr_checkpoint_create(grid, &c));
  TSR_ASSERT_ERR(tsr_checkpoint_setup(c), TSR_ERR_ARG); /* no field */
  TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[0]));
  TSR_ASSERT_OK(tsr_checkpoint_set_dir(c, bad));
  tsr_err e = tsr_checkpoint_setup(c);
  CU_ASSERT(e == TSR_ERR_FILE && strstr(tsr_error_message(), bad) &&
            strstr(tsr_error_message(), "Not a directory"));
  tsr_error_clear();
  tsr_stop_reason why;
  TSR_ASSERT_ERR(tsr_checkpoint_step(c, 1, 0.0, &why), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_checkpoint_write(c, 1, 0.0), TSR_ERR_STATE);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c)); /* NULL is fine */
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* A full disk (here: a file size limit, SIGXFSZ ignored) gives a clean collective error naming
 * the file and the reason; the previous checkpoint keeps its bytes; no temporary file stays. */
static void test_full_disk(void) {
  char dir[PATH_LEN], p1[PATH_LEN + 64], p2[PATH_LEN + 64], t2[PATH_LEN + 64];
  fresh_dir("full", dir, sizeof dir);
  const tsr_gidx n[3] = {32, 32, 16}; /* 128 KiB per component */
  tsr_grid grid = make_grid(n);
  tsr_field f[NF];
  make_fields(grid, f);
  tsr_checkpoint c = make_ckpt(grid, f, NF, dir, NULL, NULL);
  fill(f, NF, 1);
  TSR_ASSERT_OK(tsr_checkpoint_write(c, 1, 0.0));
  ckpt_file(dir, 1, false, p1, sizeof p1);
  ckpt_file(dir, 2, false, p2, sizeof p2);
  ckpt_file(dir, 2, true, t2, sizeof t2);
  long n1 = 0, n1_after = 0;
  char *before = is_root() ? slurp(p1, &n1) : NULL;

  struct rlimit old, lim;
  getrlimit(RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 200 * 1024; /* the file holds 512 KiB of data */
  void (*old_xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
  CU_ASSERT(setrlimit(RLIMIT_FSIZE, &lim) == 0);
  fill(f, NF, 2);
  tsr_err e = tsr_checkpoint_write(c, 2, 0.0);
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", tsr_error_message());
  tsr_error_clear();
  CU_ASSERT(setrlimit(RLIMIT_FSIZE, &old) == 0);
  signal(SIGXFSZ, old_xfsz);

  CU_ASSERT_EQUAL(e, TSR_ERR_FILE);
  CU_ASSERT(has_all(msg, NEEDLES("step 2", "untouched", t2, strerror(EFBIG))));
  CU_ASSERT(!exists_on_root(t2));
  CU_ASSERT(!exists_on_root(p2));
  CU_ASSERT_STRING_EQUAL(tsr_checkpoint_last_path(c), p1);
  if (is_root()) {
    char *after = slurp(p1, &n1_after);
    CU_ASSERT(before && after && n1 == n1_after && memcmp(before, after, (size_t)n1) == 0);
    free(after);
    free(before);
  }
  /* The run can go on: the next write works and restart finds it. */
  TSR_ASSERT_OK(tsr_checkpoint_write(c, 3, 0.0));
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* ---- stops -------------------------------------------------------------------------------- */

static int stop_step_agreed(int64_t stop_step) {
  int64_t lo, hi;
  MPI_Allreduce(&stop_step, &lo, 1, MPI_INT64_T, MPI_MIN, comm());
  MPI_Allreduce(&stop_step, &hi, 1, MPI_INT64_T, MPI_MAX, comm());
  return lo == hi;
}

/* Step until a stop (at most @p max steps, sleeping @p sleep_ms each); the stop step or -1. */
static int64_t run_until_stop(tsr_checkpoint c, int64_t max, int raise_at, long sleep_ms,
                              tsr_stop_reason *why) {
  *why = TSR_STOP_NONE;
  for (int64_t step = 1; step <= max; step++) {
    if (step == raise_at && tsr_test_rank() == tsr_test_size() - 1) raise(SIGUSR1);
    if (sleep_ms) nanosleep(&(struct timespec){0, sleep_ms * 1000000L}, NULL);
    TSR_ASSERT_OK(tsr_checkpoint_step(c, step, (double)step, why));
    if (*why != TSR_STOP_NONE) return step;
  }
  return -1;
}

static void dummy_handler(int sig) {
  (void)sig;
}

/* SIGUSR1 on the last rank only: every rank stops at that step, with a checkpoint of it. The
 * handler that was there before comes back at destroy when no stop was decided; after a stop
 * the counting handler stays, so a late duplicate signal cannot kill the finished process. */
static void test_signal(void) {
  char dir[PATH_LEN], path[PATH_LEN + 64];
  fresh_dir("signal", dir, sizeof dir);
  struct sigaction mine = {.sa_handler = dummy_handler}, seen;
  sigaction(SIGUSR1, &mine, NULL);
  tsr_grid grid = make_grid(small);
  tsr_field f[NF];
  make_fields(grid, f);
  tsr_checkpoint c = make_ckpt(grid, f, NF, dir, NULL, NULL);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c)); /* no stop: the previous handler is back */
  sigaction(SIGUSR1, NULL, &seen);
  CU_ASSERT(seen.sa_handler == dummy_handler);
  c = make_ckpt(grid, f, NF, dir, NULL, NULL);
  tsr_stop_reason why;
  int64_t at = run_until_stop(c, 10, 4, 0, &why);
  CU_ASSERT_EQUAL(at, 4);
  CU_ASSERT_EQUAL(why, TSR_STOP_SIGNAL);
  CU_ASSERT(stop_step_agreed(at));
  ckpt_file(dir, 4, false, path, sizeof path);
  CU_ASSERT(exists_on_root(path));
  CU_ASSERT_STRING_EQUAL(tsr_checkpoint_last_path(c), path);
  CU_ASSERT_EQUAL(tsr_checkpoint_exit_code(c, why), 0);
  CU_ASSERT_EQUAL(tsr_checkpoint_exit_code(c, TSR_STOP_NONE), 0);
  CU_ASSERT_STRING_EQUAL(tsr_stop_reason_name(why), "signal");
  /* The signal was acted on: the run may go on without stopping again. */
  at = run_until_stop(c, 3, 0, 0, &why);
  CU_ASSERT_EQUAL(at, -1);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  sigaction(SIGUSR1, NULL, &seen);
  CU_ASSERT(seen.sa_handler != dummy_handler && seen.sa_handler != SIG_DFL);
  raise(SIGUSR1); /* only counted: this process lives on */
  signal(SIGUSR1, SIG_DFL);
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* A signal that arrives during a checkpoint write (a timer on the last rank, inside the test
 * delay of the write): the run stops right after that checkpoint, without writing another. */
static void test_signal_during_write(void) {
  char dir[PATH_LEN], path[PATH_LEN + 64];
  fresh_dir("signal_write", dir, sizeof dir);
  tsr_grid grid = make_grid(small);
  tsr_field f[NF];
  make_fields(grid, f);
  tsr_checkpoint c = NULL;
  TSR_ASSERT_OK(tsr_checkpoint_create(grid, &c));
  TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[0]));
  TSR_ASSERT_OK(tsr_checkpoint_set_dir(c, dir));
  TSR_ASSERT_OK(tsr_checkpoint_set_every(c, 2));
  TSR_ASSERT_OK(tsr_checkpoint_setup(c));
  tsr_stop_reason why;
  TSR_ASSERT_OK(tsr_checkpoint_step(c, 1, 0.0, &why));
  CU_ASSERT_EQUAL(why, TSR_STOP_NONE);
  setenv("TSR_CHECKPOINT_TEST_DELAY_MS", "300", 1);
  timer_t timer;
  struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
  bool last = tsr_test_rank() == tsr_test_size() - 1;
  if (last) {
    CU_ASSERT(timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0);
    struct itimerspec its = {.it_value = {0, 100 * 1000000L}};
    CU_ASSERT(timer_settime(timer, 0, &its, NULL) == 0);
  }
  TSR_ASSERT_OK(tsr_checkpoint_step(c, 2, 0.0, &why)); /* writes; the timer fires inside */
  unsetenv("TSR_CHECKPOINT_TEST_DELAY_MS");
  if (last) timer_delete(timer);
  CU_ASSERT_EQUAL(why, TSR_STOP_SIGNAL);
  CU_ASSERT(stop_step_agreed(why == TSR_STOP_SIGNAL ? 2 : -1));
  ckpt_file(dir, 2, false, path, sizeof path);
  CU_ASSERT(exists_on_root(path));
  CU_ASSERT_EQUAL(count_entries(dir), 1);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* A limit 0.1 s away (no margin): every rank stops at the same step soon after, with a
 * checkpoint. */
static void test_walltime(void) {
  char dir[PATH_LEN], path[PATH_LEN + 64];
  fresh_dir("walltime", dir, sizeof dir);
  tsr_grid grid = make_grid(small);
  tsr_field f[NF];
  make_fields(grid, f);
  tsr_checkpoint c = NULL;
  TSR_ASSERT_OK(tsr_checkpoint_create(grid, &c));
  TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[0]));
  TSR_ASSERT_OK(tsr_checkpoint_set_dir(c, dir));
  TSR_ASSERT_ERR(tsr_checkpoint_set_walltime(c, -1, 0), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_checkpoint_set_walltime(c, 0.1, 0));
  TSR_ASSERT_OK(tsr_checkpoint_setup(c));
  double t0 = MPI_Wtime();
  tsr_stop_reason why;
  int64_t at = run_until_stop(c, 200, 0, 10, &why);
  double took = MPI_Wtime() - t0;
  CU_ASSERT_EQUAL(why, TSR_STOP_WALLTIME);
  CU_ASSERT(at > 1 && stop_step_agreed(at));
  CU_ASSERT(!is_root() || took > 0.05); /* rank 0's clock decides; setup took a little */
  ckpt_file(dir, at, false, path, sizeof path);
  CU_ASSERT(exists_on_root(path));
  CU_ASSERT_STRING_EQUAL(tsr_stop_reason_name(why), "walltime");
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* The options: Slurm time formats (each limit minus its margin is 0.1 s), a malformed one,
 * and the stopped-exit-code. Runs last among the cases that read options. */
static void test_options(void) {
  char dir[PATH_LEN];
  fresh_dir("options", dir, sizeof dir);
  tsr_options o = tsr_ctx_options(tsr_test_ctx());
  tsr_grid grid = make_grid(small);
  tsr_field f[NF];
  make_fields(grid, f);
  TSR_ASSERT_OK(tsr_options_set_default(o, "checkpoint-dir", dir));
  TSR_ASSERT_OK(tsr_options_set_default(o, "stopped-exit-code", "3"));
  static const char *const bad[] = {"1:2:3:4", "12:ab", "-5", "1-", "abc"};
  for (int i = 0; i < 5; i++) {
    tsr_checkpoint c = NULL;
    TSR_ASSERT_OK(tsr_checkpoint_create(grid, &c));
    TSR_ASSERT_OK(tsr_options_set_default(o, "walltime", bad[i]));
    tsr_err e = tsr_checkpoint_set_from_options(c);
    CU_ASSERT(e == TSR_ERR_OPTION && strstr(tsr_error_message(), bad[i]));
    tsr_error_clear();
    TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  }
  static const char *const good[][2] = {
      {"00:01:00", "59.9"}, {"1-00:00:00", "86399.9"}, {"01:30", "89.9"}, {"0.1", "0"}};
  for (int i = 0; i < 4; i++) {
    tsr_checkpoint c = NULL;
    TSR_ASSERT_OK(tsr_checkpoint_create(grid, &c));
    TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[0]));
    TSR_ASSERT_OK(tsr_options_set_default(o, "walltime", good[i][0]));
    TSR_ASSERT_OK(tsr_options_set_default(o, "walltime-margin", good[i][1]));
    TSR_ASSERT_OK(tsr_checkpoint_set_from_options(c));
    TSR_ASSERT_OK(tsr_checkpoint_setup(c));
    double t0 = MPI_Wtime();
    tsr_stop_reason why;
    int64_t at = run_until_stop(c, 300, 0, 10, &why);
    double took = MPI_Wtime() - t0;
    CU_ASSERT(why == TSR_STOP_WALLTIME && stop_step_agreed(at));
    CU_ASSERT(!is_root() || took > 0.05); /* parsed right: not at once, and not never */
    if (is_root() && took <= 0.05)
      fprintf(stderr, "walltime %s margin %s: stopped after %.3f s\n", good[i][0], good[i][1],
              took);
    CU_ASSERT_EQUAL(tsr_checkpoint_exit_code(c, why), 3);
    TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  }
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* Under Slurm without --walltime, the job's end time is the limit (SLURM_JOB_END_TIME here,
 * 60 s ahead, with a margin of 59.5 s); a job id that cannot be looked up means no limit. */
static void test_slurm(void) {
  char dir[PATH_LEN], end[32];
  fresh_dir("slurm", dir, sizeof dir);
  tsr_grid grid = make_grid(small);
  tsr_field f[NF];
  make_fields(grid, f);
  for (int found = 0; found < 2; found++) {
    setenv("SLURM_JOB_ID", found ? "4242" : "not-a-job", 1);
    snprintf(end, sizeof end, "%lld", (long long)time(NULL) + 60);
    if (found) setenv("SLURM_JOB_END_TIME", end, 1);
    tsr_checkpoint c = NULL;
    TSR_ASSERT_OK(tsr_checkpoint_create(grid, &c));
    TSR_ASSERT_OK(tsr_checkpoint_add_field(c, f[0]));
    TSR_ASSERT_OK(tsr_checkpoint_set_dir(c, dir));
    TSR_ASSERT_OK(tsr_checkpoint_set_walltime(c, 0, 59.5));
    TSR_ASSERT_OK(tsr_checkpoint_setup(c));
    tsr_stop_reason why;
    int64_t at = run_until_stop(c, found ? 300 : 20, 0, found ? 10 : 0, &why);
    CU_ASSERT_EQUAL(why, found ? TSR_STOP_WALLTIME : TSR_STOP_NONE);
    CU_ASSERT(found ? stop_step_agreed(at) : at == -1);
    TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
    unsetenv("SLURM_JOB_ID");
    unsetenv("SLURM_JOB_END_TIME");
  }
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* ---- across rank counts ------------------------------------------------------------------- */

static const tsr_gidx xsize[3] = {13, 11, 9};

static void xrank_dir(int np, char *buf, size_t size) {
  snprintf(buf, size, "%s/xrank/np%d", test_dir(), np);
}

/* Write this rank count's checkpoint (tag and scalar: the rank count). */
static void test_write_xrank(void) {
  char dir[PATH_LEN];
  xrank_dir(tsr_test_size(), dir, sizeof dir);
  tsr_grid grid = make_grid(xsize);
  tsr_field f[NF];
  make_fields(grid, f);
  scalars s = {0.5, tsr_test_size()};
  tsr_checkpoint c = make_ckpt(grid, f, NF, dir, &s, NULL);
  fill(f, NF, 1000 + tsr_test_size());
  TSR_ASSERT_OK(tsr_checkpoint_write(c, 7, 0.7));
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* Restart from the checkpoint of every rank count (or of those listed, comma-separated, in
 * TSR_CKPT_CROSS_COUNTS): exact values, scalars and step. */
static void test_read_xrank(void) {
  tsr_grid grid = make_grid(xsize);
  tsr_field f[NF];
  make_fields(grid, f);
  const char *only = getenv("TSR_CKPT_CROSS_COUNTS");
  for (int i = 0; i < NUM_COUNTS; i++) {
    char dir[PATH_LEN], msg[1024], name[16];
    snprintf(name, sizeof name, "%d", rank_counts[i]);
    if (only && !strstr(only, name)) continue;
    xrank_dir(rank_counts[i], dir, sizeof dir);
    poison(f, NF);
    scalars s = {0, 0};
    tsr_restart_info info;
    tsr_err e = try_restart(grid, f, NF, dir, &s, "latest", &info, msg, sizeof msg);
    CU_ASSERT_EQUAL(e, TSR_SUCCESS);
    if (e) fprintf(stderr, "restart of np%d: %s\n", rank_counts[i], msg);
    CU_ASSERT(info.step == 7 && s.count == rank_counts[i] && s.dt == 0.5);
    CU_ASSERT_EQUAL(count_bad(f, NF, 1000 + rank_counts[i]), 0);
  }
  destroy_fields(f, NF);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* ---- bench -------------------------------------------------------------------------------- */

static void test_bench(void) {
  const char *env = getenv("TSR_CKPT_BENCH_N");
  tsr_gidx n = env ? atoll(env) : 256;
  char dir[PATH_LEN];
  fresh_dir("bench", dir, sizeof dir);
  tsr_grid grid = make_grid((const tsr_gidx[]){n, n, n});
  tsr_field f = NULL;
  TSR_ASSERT_OK(tsr_field_create(grid, "u", 1, 1, &f));
  TSR_ASSERT_OK(tsr_field_setup(f));
  fill(&f, 1, 1);
  tsr_checkpoint c = make_ckpt(grid, &f, 1, dir, NULL, NULL);
  /* The step decision alone (no cadence, no limit, no signal), and for scale the bare
   * allreduce of three ints it is made of: the best of 10 batches, as other jobs share the
   * cores. */
  enum { BATCHES = 10, CALLS = 2000 };
  tsr_stop_reason why;
  double per_step = 1e30, per_allreduce = 1e30;
  int in[3] = {0, 0, 0}, out[3];
  for (int b = 0; b < BATCHES; b++) {
    MPI_Barrier(comm());
    double t0 = MPI_Wtime();
    for (int i = 0; i < CALLS; i++)
      tsr_checkpoint_step(c, b * CALLS + i + 1, 0.0, &why);
    double t1 = MPI_Wtime();
    for (int i = 0; i < CALLS; i++)
      MPI_Allreduce(in, out, 3, MPI_INT, MPI_MAX, comm());
    double t2 = MPI_Wtime();
    per_step = fmin(per_step, (t1 - t0) / CALLS);
    per_allreduce = fmin(per_allreduce, (t2 - t1) / CALLS);
  }
  double best[2] = {1e30, 1e30};
  char path[PATH_LEN + 64];
  ckpt_file(dir, 1, false, path, sizeof path);
  for (int rep = 0; rep < 3; rep++) {
    MPI_Barrier(comm());
    double t0 = MPI_Wtime();
    TSR_ASSERT_OK(tsr_checkpoint_write(c, 1, 0.0));
    MPI_Barrier(comm());
    double t1 = MPI_Wtime();
    tsr_checkpoint r = make_ckpt(grid, &f, 1, dir, NULL, path);
    TSR_ASSERT_OK(tsr_checkpoint_restart(r, NULL));
    TSR_ASSERT_OK(tsr_checkpoint_destroy(&r));
    MPI_Barrier(comm());
    double t2 = MPI_Wtime();
    best[0] = fmin(best[0], t1 - t0);
    best[1] = fmin(best[1], t2 - t1);
  }
  CU_ASSERT_EQUAL(count_bad(&f, 1, 1), 0);
  double mib = (double)(n * n * n) * 8.0 / (1024.0 * 1024.0);
  if (is_root())
    printf("\ncheckpoint bench on %d ranks: step decision %.2f us/call (bare allreduce %.2f us); "
           "%lld^3 field (%.0f MiB): write %.3f s (%.0f MiB/s), restart %.3f s (%.0f MiB/s)\n",
           tsr_test_size(), per_step * 1e6, per_allreduce * 1e6, (long long)n, mib, best[0],
           mib / best[0], best[1], mib / best[1]);
  TSR_ASSERT_OK(tsr_checkpoint_destroy(&c));
  if (is_root()) remove(path);
  TSR_ASSERT_OK(tsr_field_destroy(&f));
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

int main(int argc, char **argv) {
  static const tsr_test_case suite[] = {{"roundtrip", test_roundtrip},
                                        {"cadence_keep", test_cadence_keep},
                                        {"root_failure", test_root_failure},
                                        {"fallback", test_fallback},
                                        {"mismatch", test_mismatch},
                                        {"set_field", test_set_field},
                                        {"unwritable", test_unwritable},
                                        {"full_disk", test_full_disk},
                                        {"signal", test_signal},
                                        {"signal_during_write", test_signal_during_write},
                                        {"walltime", test_walltime},
                                        {"options", test_options},
                                        {"slurm", test_slurm},
                                        {"write_xrank", test_write_xrank},
                                        TSR_TEST_END};
  static const tsr_test_case cross[] = {{"read_xrank", test_read_xrank}, TSR_TEST_END};
  static const tsr_test_case bench[] = {{"bench", test_bench}, TSR_TEST_END};
  const char *mode = getenv("TSR_CKPT_TEST_MODE"), *only = getenv("TSR_CKPT_TEST_ONLY");
  static tsr_test_case one[2] = {TSR_TEST_END, TSR_TEST_END};
  for (const tsr_test_case *c = suite; only && c->name; c++)
    if (strcmp(c->name, only) == 0) one[0] = *c;
  if (one[0].name) return tsr_test_main(argc, argv, "checkpoint", one);
  if (mode && strcmp(mode, "cross") == 0)
    return tsr_test_main(argc, argv, "checkpoint_cross", cross);
  if (mode && strcmp(mode, "bench") == 0)
    return tsr_test_main(argc, argv, "checkpoint_bench", bench);
  return tsr_test_main(argc, argv, "checkpoint", suite);
}
