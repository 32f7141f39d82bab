/* The options database across ranks: rank 0 reads config files and its words are what every
 * rank parses, so values are identical everywhere and every option error is raised on every
 * rank alike (same code, same message, collective kind) without any rank hanging.
 *
 * To prove that the ranks do not read their own argv or files, ranks other than 0 are handed
 * different words (a missing file, other values): the outcome must still be rank 0's. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tsr_test.h"

enum { PATH_MAX_ = 256, MSG_MAX = 1024, MAX_WORDS = 8 };

static MPI_Comm comm(void) {
  return tsr_ctx_comm(tsr_test_ctx());
}

/* The kind of the last raised error, recorded by a handler swapped in around each case. */
static tsr_error_kind last_kind;
static int raised;

static void record_kind(tsr_err code, tsr_error_kind kind, const char *message, void *user) {
  last_kind = kind;
  raised++;
}

/* Rank 0 writes @p text into a temporary file; every rank receives its name. */
static void shared_temp_file(const char *text, char path[PATH_MAX_]) {
  memset(path, 0, PATH_MAX_);
  if (tsr_test_rank() == 0) {
    snprintf(path, PATH_MAX_, "%s/tsr_optmpi_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    CU_ASSERT(fd >= 0);
    if (fd >= 0) {
      size_t len = strlen(text);
      CU_ASSERT(write(fd, text, len) == (ssize_t)len);
      close(fd);
    }
  }
  MPI_Bcast(path, PATH_MAX_, MPI_CHAR, 0, comm());
}

static void remove_shared_file(const char *path) {
  MPI_Barrier(comm());
  if (tsr_test_rank() == 0) unlink(path);
}

/* True when @p text is the same on every rank as on rank 0. */
static bool same_on_all_ranks(const char *text) {
  char root[MSG_MAX];
  snprintf(root, sizeof root, "%s", text);
  MPI_Bcast(root, MSG_MAX, MPI_CHAR, 0, comm());
  int same = strncmp(root, text, MSG_MAX - 1) == 0, all = 0;
  MPI_Allreduce(&same, &all, 1, MPI_INT, MPI_LAND, comm());
  return all;
}

/* Create from the NULL-terminated words that follow (argv[0] added). Collective. */
static tsr_err create_from(tsr_options *o, const char *const *words) {
  char *argv[MAX_WORDS + 2] = {"prog"};
  int argc = 1;
  for (; argc <= MAX_WORDS && words[argc - 1]; argc++)
    argv[argc] = (char *)words[argc - 1];
  argv[argc] = NULL;
  return tsr_options_create(comm(), argc, argv, o);
}

static void test_config_broadcast(void) {
  char path[PATH_MAX_];
  shared_temp_file("# shared by rank 0\nsteps 42\ndt = 0.25\nname run-A\n", path);
  const char *const root_words[] = {"--config", path, "--dt", "0.5", NULL};
  const char *const other_words[] = {"--config", "/nonexistent/ignored.cfg", "--steps", "7", NULL};
  tsr_options o = NULL;
  TSR_ASSERT_OK(create_from(&o, tsr_test_rank() == 0 ? root_words : other_words));
  remove_shared_file(path); /* create has read it: nobody needs it any more */
  int64_t steps = -1;
  double dt = -1;
  const char *name = "";
  bool stop = true;
  char dump[MSG_MAX] = "";
  if (o) {
    TSR_ASSERT_OK(tsr_options_get_int(o, "steps", "", 1, 0, 100, &steps));
    TSR_ASSERT_OK(tsr_options_get_real(o, "dt", "", 1, 0, 1, &dt));
    TSR_ASSERT_OK(tsr_options_get_string(o, "name", "", "none", &name));
    TSR_ASSERT_OK(tsr_options_finish(o, &stop));
    TSR_ASSERT_OK(tsr_options_dump(o, dump, sizeof dump));
  }
  CU_ASSERT_EQUAL(steps, 42);
  CU_ASSERT_DOUBLE_EQUAL(dt, 0.5, 0);
  CU_ASSERT_STRING_EQUAL(name, "run-A");
  CU_ASSERT_FALSE(stop);
  CU_ASSERT_STRING_EQUAL(dump, "dt 0.5\nsteps 42\nname run-A\n");
  CU_ASSERT_TRUE(same_on_all_ranks(dump));
  tsr_options_destroy(&o);
}

/* One error case: rank 0's words, the other ranks' (ignored) words, what must be raised. */
typedef struct {
  const char *label;
  const char *root[MAX_WORDS];
  const char *other[MAX_WORDS];
  tsr_err code;
  const char *part1, *part2;
} error_case;

/* Create, get --steps in [1, 100], finish; return the first error and copy its message. */
static tsr_err run_program(const char *const *words, char msg[MSG_MAX]) {
  tsr_options o = NULL;
  int64_t steps;
  bool stop;
  tsr_err err = create_from(&o, words);
  if (!err) err = tsr_options_get_int(o, "steps", "time steps", 10, 1, 100, &steps);
  if (!err) err = tsr_options_finish(o, &stop);
  snprintf(msg, MSG_MAX, "%s", err ? tsr_error_message() : "");
  tsr_error_clear();
  tsr_options_destroy(&o);
  return err;
}

static void check_error_case(const error_case *c) {
  tsr_error_handler old;
  void *old_user;
  last_kind = TSR_ERROR_RANK_LOCAL;
  raised = 0;
  tsr_error_set_handler(record_kind, NULL, &old, &old_user);
  char msg[MSG_MAX];
  tsr_err err = run_program(tsr_test_rank() == 0 ? c->root : c->other, msg);
  tsr_error_set_handler(old, old_user, NULL, NULL);
  bool raised_once = c->code ? raised == 1 && last_kind == TSR_ERROR_COLLECTIVE : raised == 0;
  bool ok = err == c->code && raised_once && strstr(msg, c->part1) && strstr(msg, c->part2);
  if (!ok)
    fprintf(stderr, "[rank %d] case %s: got %s (%d raised, kind %d): %s\n", tsr_test_rank(),
            c->label, tsr_error_name(err), raised, (int)last_kind, msg);
  CU_ASSERT_TRUE(ok);
  CU_ASSERT_TRUE(same_on_all_ranks(msg));
}

static void test_errors_raised_alike(void) {
  char good[PATH_MAX_], bad[PATH_MAX_], line3[PATH_MAX_ + 8];
  shared_temp_file("steps 5\n", good);
  shared_temp_file("steps 5\n# fine\n10 steps\n", bad);
  snprintf(line3, sizeof line3, "%s:3", bad);
  const char *missing = "/nonexistent/tsr/run.cfg";
  const error_case cases[] = {
      {"unknown",
       {"--stesp", "5"},
       {NULL},
       TSR_ERR_OPTION,
       "unknown option --stesp",
       "did you mean --steps?"},
      {"not a number",
       {"--steps", "abc"},
       {"--steps", "5"},
       TSR_ERR_OPTION,
       "--steps abc",
       "expected an integer"},
      {"out of range",
       {"--steps", "500"},
       {NULL},
       TSR_ERR_OPTION,
       "--steps 500",
       "out of range [1, 100]"},
      {"bare word",
       {"--steps", "5", "oops"},
       {"--steps", "5"},
       TSR_ERR_OPTION,
       "unexpected argument 'oops'",
       "--steps 5"},
      {"unreadable config",
       {"--config", missing},
       {"--config", good},
       TSR_ERR_FILE,
       missing,
       "No such file or directory"},
      {"malformed config line",
       {"--config", bad},
       {"--config", missing},
       TSR_ERR_OPTION,
       line3,
       "malformed line '10 steps'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_error_case(&cases[i]);
  /* And the words that work on rank 0 work everywhere, whatever the others were given. */
  const error_case fine = {"fine", {"--config", good}, {"--config", missing}, TSR_SUCCESS, "", ""};
  check_error_case(&fine);
  remove_shared_file(good);
  remove_shared_file(bad);
}

/* Run finish with this rank's stdout captured; return how many bytes it printed. */
static long finish_output_bytes(tsr_options o, bool *stop) {
  char path[PATH_MAX_];
  snprintf(path, sizeof path, "%s/tsr_optout_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  int fd = mkstemp(path);
  CU_ASSERT(fd >= 0);
  if (fd < 0) return -1;
  fflush(stdout);
  int saved = dup(STDOUT_FILENO);
  dup2(fd, STDOUT_FILENO);
  TSR_ASSERT_OK(tsr_options_finish(o, stop));
  fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  long bytes = (long)lseek(fd, 0, SEEK_END);
  close(fd);
  unlink(path);
  return bytes;
}

static void test_help_from_rank0(void) {
  const char *const root_words[] = {"--help", "--steps", "abc", NULL};
  const char *const other_words[] = {"--steps", "5", NULL};
  tsr_options o = NULL;
  TSR_ASSERT_OK(create_from(&o, tsr_test_rank() == 0 ? root_words : other_words));
  int64_t steps = -1;
  bool stop = false;
  long bytes = -1;
  if (o) {
    TSR_ASSERT_OK(tsr_options_get_int(o, "steps", "time steps", 10, 1, 100, &steps));
    bytes = finish_output_bytes(o, &stop);
  }
  CU_ASSERT_EQUAL(steps, 10); /* under --help a bad value gives the default */
  CU_ASSERT_TRUE(stop);
  if (tsr_test_rank() == 0) {
    CU_ASSERT(bytes > 0);
  } else {
    CU_ASSERT_EQUAL(bytes, 0);
  }
  tsr_options_destroy(&o);
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {
      {"config file broadcast, rank 0's words", test_config_broadcast},
      {"errors raised alike on every rank", test_errors_raised_alike},
      {"help printed by rank 0 only", test_help_from_rank0},
      TSR_TEST_END,
  };
  return tsr_test_main(argc, argv, "options_mpi", cases);
}
