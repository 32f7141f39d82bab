/* Serial tests of the options database: every parser path and every error path, with code and
 * message. Runs on MPI_COMM_SELF without a context, so raised errors just return (and a
 * recording handler checks that they are raised as collective errors). */
#include <CUnit/Basic.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tessera.h"

/* ------------------------------------------------------------------ helpers */

enum { MAX_WORDS = 32 };

/* The kind of the last raised error, recorded by a handler installed for the whole run. */
static tsr_error_kind last_kind;

static void record_kind(tsr_err code, tsr_error_kind kind, const char *message, void *user) {
  last_kind = kind;
}

/* Create a database from the NULL-terminated words that follow (argv[0] is added). */
static tsr_err create_words(tsr_options *o, ...) {
  char *argv[MAX_WORDS + 1] = {"prog"};
  int argc = 1;
  va_list ap;
  va_start(ap, o);
  for (char *w; argc < MAX_WORDS && (w = va_arg(ap, char *));)
    argv[argc++] = w;
  va_end(ap);
  argv[argc] = NULL;
  return tsr_options_create(MPI_COMM_SELF, argc, argv, o);
}

/* Write @p text into a fresh temporary file; its name goes into @p path. */
static void write_temp(const char *text, char *path, size_t size) {
  snprintf(path, size, "%s/tsr_opt_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  size_t len = strlen(text);
  CU_ASSERT_FATAL(write(fd, text, len) == (ssize_t)len);
  close(fd);
}

/* Assert that @p err is @p code, raised as a collective error, and that the message holds every
 * NULL-terminated substring that follows. Clears the error. */
static void expect_error(tsr_err err, tsr_err code, ...) {
  CU_ASSERT_EQUAL(err, code);
  CU_ASSERT_EQUAL(tsr_error_last(), code);
  CU_ASSERT_EQUAL(last_kind, TSR_ERROR_COLLECTIVE);
  const char *msg = tsr_error_message();
  va_list ap;
  va_start(ap, code);
  for (const char *part; (part = va_arg(ap, const char *));) {
    if (!strstr(msg, part)) {
      fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", msg, part);
      CU_FAIL("error message lacks an expected part");
    }
  }
  va_end(ap);
  tsr_error_clear();
  last_kind = TSR_ERROR_RANK_LOCAL;
}

static void expect_ok(tsr_err err) {
  if (err) fprintf(stderr, "\n  unexpected error: %s\n", tsr_error_message());
  CU_ASSERT_EQUAL(err, TSR_SUCCESS);
}

/* Create @p o from the words that follow, which must succeed (else the test stops). */
#define CREATE_OK(o, ...)                                                                          \
  do {                                                                                             \
    expect_ok(create_words(&(o), __VA_ARGS__));                                                    \
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);                                                               \
  } while (0)

/* Live allocation count, to check that every path (error paths too) frees what it took. */
static size_t live_blocks(void) {
  tsr_mem_stats s;
  tsr_mem_get_stats(&s);
  return s.live_blocks;
}

/* Run tsr_options_finish with stdout captured into @p out (for --help output). */
static tsr_err finish_captured(tsr_options o, bool *stop, char *out, size_t size) {
  char path[256];
  write_temp("", path, sizeof path);
  fflush(stdout);
  int saved = dup(STDOUT_FILENO);
  FILE *f = fopen(path, "w+");
  dup2(fileno(f), STDOUT_FILENO);
  tsr_err err = tsr_options_finish(o, stop);
  fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  rewind(f);
  size_t n = fread(out, 1, size - 1, f);
  out[n] = '\0';
  fclose(f);
  unlink(path);
  return err;
}

static int count_lines_starting(const char *text, const char *prefix) {
  int n = 0;
  size_t len = strlen(prefix);
  for (const char *line = text; line && *line;
       line = strchr(line, '\n'), line = line ? line + 1 : NULL)
    n += strncmp(line, prefix, len) == 0;
  return n;
}

/* ------------------------------------------------------------------ parsing */

static void test_space_and_equals_forms(void) {
  tsr_options o;
  CREATE_OK(o, "--steps", "10", "--dt=0.25", "--name", "run-A", NULL);
  int64_t steps = 0;
  double dt = 0;
  const char *name = NULL;
  expect_ok(tsr_options_get_int(o, "steps", "steps", 1, 0, 100, &steps));
  expect_ok(tsr_options_get_real(o, "dt", "time step", 1, 0, 1, &dt));
  expect_ok(tsr_options_get_string(o, "name", "run name", "x", &name));
  CU_ASSERT_EQUAL(steps, 10);
  CU_ASSERT_DOUBLE_EQUAL(dt, 0.25, 0);
  CU_ASSERT_STRING_EQUAL(name, "run-A");
  bool stop = true;
  expect_ok(tsr_options_finish(o, &stop));
  CU_ASSERT_FALSE(stop);
  tsr_options_destroy(&o);
  CU_ASSERT_PTR_NULL(o);
}

static void test_defaults_when_absent(void) {
  tsr_options o;
  CREATE_OK(o, NULL);
  int64_t i = 0;
  double r = 0;
  bool b = false;
  const char *s = "unset", *none = "unset";
  int e = -1, count = -1;
  int64_t grid[3] = {0};
  const int64_t def_grid[2] = {64, 32};
  const char *const choices[] = {"cg", "pcg", "mg"};
  expect_ok(tsr_options_get_int(o, "steps", "", -7, -10, 10, &i));
  expect_ok(tsr_options_get_real(o, "dt", "", 0.125, 0, 1, &r));
  expect_ok(tsr_options_get_bool(o, "flag", "", true, &b));
  expect_ok(tsr_options_get_string(o, "out", "", "results", &s));
  expect_ok(tsr_options_get_string(o, "log-json", "", NULL, &none));
  expect_ok(tsr_options_get_enum(o, "solver", "", choices, 3, 2, &e));
  expect_ok(tsr_options_get_ints(o, "grid", "", def_grid, 2, 3, 1, 1000, grid, &count));
  CU_ASSERT_EQUAL(i, -7);
  CU_ASSERT_DOUBLE_EQUAL(r, 0.125, 0);
  CU_ASSERT_TRUE(b);
  CU_ASSERT_STRING_EQUAL(s, "results");
  CU_ASSERT_PTR_NULL(none);
  CU_ASSERT_EQUAL(e, 2);
  CU_ASSERT_EQUAL(count, 2);
  CU_ASSERT_EQUAL(grid[0], 64);
  CU_ASSERT_EQUAL(grid[1], 32);
  CU_ASSERT_FALSE(tsr_options_has(o, "steps"));
  tsr_options_destroy(&o);
}

static void test_negative_numbers_are_values(void) {
  tsr_options o;
  expect_ok(
      create_words(&o, "--shift", "-3", "--x0", "-0.5", "--y0", "-.25", "--grid", "-2x-4", NULL));
  int64_t shift = 0, grid[2];
  double x0 = 0, y0 = 0;
  int n = 0;
  expect_ok(tsr_options_get_int(o, "shift", "", 0, -10, 10, &shift));
  expect_ok(tsr_options_get_real(o, "x0", "", 0, -1, 1, &x0));
  expect_ok(tsr_options_get_real(o, "y0", "", 0, -1, 1, &y0));
  expect_ok(tsr_options_get_ints(o, "grid", "", NULL, 0, 2, -10, 10, grid, &n));
  CU_ASSERT_EQUAL(shift, -3);
  CU_ASSERT_DOUBLE_EQUAL(x0, -0.5, 0);
  CU_ASSERT_DOUBLE_EQUAL(y0, -0.25, 0);
  CU_ASSERT_EQUAL(n, 2);
  CU_ASSERT_EQUAL(grid[0], -2);
  CU_ASSERT_EQUAL(grid[1], -4);
  tsr_options_destroy(&o);
}

static void test_integer_forms(void) {
  tsr_options o;
  CREATE_OK(o, "--a", "+5", "--b", "-9223372036854775808", "--c", "9223372036854775807", "--d",
            "007", NULL);
  int64_t a, b, c, d;
  expect_ok(tsr_options_get_int(o, "a", "", 0, INT64_MIN, INT64_MAX, &a));
  expect_ok(tsr_options_get_int(o, "b", "", 0, INT64_MIN, INT64_MAX, &b));
  expect_ok(tsr_options_get_int(o, "c", "", 0, INT64_MIN, INT64_MAX, &c));
  expect_ok(tsr_options_get_int(o, "d", "", 0, INT64_MIN, INT64_MAX, &d));
  CU_ASSERT_EQUAL(a, 5);
  CU_ASSERT_EQUAL(b, INT64_MIN);
  CU_ASSERT_EQUAL(c, INT64_MAX);
  CU_ASSERT_EQUAL(d, 7);
  tsr_options_destroy(&o);
}

static void test_bool_forms(void) {
  static const char *const truths[] = {"true", "YES", "on", "1", "True"};
  static const char *const lies[] = {"false", "no", "OFF", "0", "No"};
  for (int i = 0; i < 5; i++) {
    tsr_options o;
    char a[32], b[32];
    snprintf(a, sizeof a, "--a=%s", truths[i]);
    snprintf(b, sizeof b, "--b=%s", lies[i]);
    CREATE_OK(o, a, b, "--c", (char *)truths[i], "--d", (char *)lies[i], NULL);
    bool va = false, vb = true, vc = false, vd = true;
    expect_ok(tsr_options_get_bool(o, "a", "", false, &va));
    expect_ok(tsr_options_get_bool(o, "b", "", true, &vb));
    expect_ok(tsr_options_get_bool(o, "c", "", false, &vc));
    expect_ok(tsr_options_get_bool(o, "d", "", true, &vd));
    CU_ASSERT_TRUE(va && vc);
    CU_ASSERT_FALSE(vb || vd);
    tsr_options_destroy(&o);
  }
}

static void test_bool_alone_is_true(void) {
  tsr_options o;
  /* A flag followed by another option, and a flag at the end. */
  CREATE_OK(o, "--banner", "--steps", "3", "--log-view", NULL);
  bool banner = false, view = false;
  int64_t steps = 0;
  expect_ok(tsr_options_get_bool(o, "banner", "", false, &banner));
  expect_ok(tsr_options_get_bool(o, "log-view", "", false, &view));
  expect_ok(tsr_options_get_int(o, "steps", "", 0, 0, 10, &steps));
  CU_ASSERT_TRUE(banner);
  CU_ASSERT_TRUE(view);
  CU_ASSERT_EQUAL(steps, 3);
  tsr_options_destroy(&o);
}

static void test_enum_choice(void) {
  const char *const choices[] = {"cg", "pcg", "mg"};
  tsr_options o;
  CREATE_OK(o, "--solver", "pcg", NULL);
  int v = -1;
  expect_ok(tsr_options_get_enum(o, "solver", "", choices, 3, 0, &v));
  CU_ASSERT_EQUAL(v, 1);
  tsr_options_destroy(&o);
}

static void test_int_lists(void) {
  tsr_options o;
  CREATE_OK(o, "--grid", "256x128x64", "--procs", "4,2", "--one", "7", "--mix", "1x2,3", NULL);
  int64_t g[3] = {0}, p[3] = {0}, one[3] = {0}, mix[3] = {0};
  int ng = 0, np = 0, none = 0, nmix = 0;
  expect_ok(tsr_options_get_ints(o, "grid", "", NULL, 0, 3, 1, 4096, g, &ng));
  expect_ok(tsr_options_get_ints(o, "procs", "", NULL, 0, 3, 1, 4096, p, &np));
  expect_ok(tsr_options_get_ints(o, "one", "", NULL, 0, 3, 1, 4096, one, &none));
  expect_ok(tsr_options_get_ints(o, "mix", "", NULL, 0, 3, 1, 4096, mix, &nmix));
  CU_ASSERT(ng == 3 && g[0] == 256 && g[1] == 128 && g[2] == 64);
  CU_ASSERT(np == 2 && p[0] == 4 && p[1] == 2);
  CU_ASSERT(none == 1 && one[0] == 7);
  CU_ASSERT(nmix == 3 && mix[0] == 1 && mix[1] == 2 && mix[2] == 3);
  tsr_options_destroy(&o);
}

static void test_repeated_option_last_wins(void) {
  tsr_options o;
  CREATE_OK(o, "--steps", "1", "--steps=2", "--steps", "3", NULL);
  int64_t steps = 0;
  expect_ok(tsr_options_get_int(o, "steps", "", 0, 0, 10, &steps));
  CU_ASSERT_EQUAL(steps, 3);
  tsr_options_destroy(&o);
}

static void test_string_value_stays_valid(void) {
  tsr_options o;
  CREATE_OK(o, NULL);
  expect_ok(tsr_options_set_default(o, "out", "first"));
  const char *a = NULL, *b = NULL;
  expect_ok(tsr_options_get_string(o, "out", "", NULL, &a));
  expect_ok(tsr_options_set_default(o, "out", "second"));
  expect_ok(tsr_options_get_string(o, "out", "", NULL, &b));
  CU_ASSERT_STRING_EQUAL(a, "first");
  CU_ASSERT_STRING_EQUAL(b, "second");
  tsr_options_destroy(&o);
}

static void test_has_registers(void) {
  tsr_options o;
  CREATE_OK(o, "--restart", NULL);
  CU_ASSERT_TRUE(tsr_options_has(o, "restart"));
  CU_ASSERT_FALSE(tsr_options_has(o, "other"));
  CU_ASSERT_FALSE(tsr_options_has(NULL, "restart"));
  CU_ASSERT_FALSE(tsr_options_has(o, "--bad"));
  bool stop = true;
  expect_ok(tsr_options_finish(o, &stop)); /* restart is known now */
  /* A typed getter after has() is fine; a later has() of a typed option too. */
  bool v = false;
  expect_ok(tsr_options_get_bool(o, "restart", "", false, &v));
  CU_ASSERT_TRUE(v);
  CU_ASSERT_TRUE(tsr_options_has(o, "restart"));
  tsr_options_destroy(&o);
  /* Help shows the type a getter gave after has(), and a has()-only option without one. */
  CREATE_OK(o, "-h", NULL);
  CU_ASSERT_FALSE(tsr_options_has(o, "restart"));
  CU_ASSERT_FALSE(tsr_options_has(o, "plain"));
  expect_ok(tsr_options_get_bool(o, "restart", "restart from a checkpoint", false, &v));
  CU_ASSERT_FALSE(tsr_options_has(o, "restart"));
  char out[2048];
  expect_ok(finish_captured(o, &stop, out, sizeof out));
  CU_ASSERT_TRUE(stop);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "  --restart [<bool>]  default: false\n"
                                     "      restart from a checkpoint\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "  --plain\n      (no description)\n"));
  tsr_options_destroy(&o);
}

static void test_register_twice(void) {
  tsr_options o;
  CREATE_OK(o, "--steps", "4", NULL);
  int64_t a = 0, b = 0;
  double r;
  expect_ok(tsr_options_get_int(o, "steps", "", 0, 0, 10, &a));
  expect_ok(tsr_options_get_int(o, "steps", "", 1, 0, 10, &b));
  CU_ASSERT(a == 4 && b == 4);
  expect_error(tsr_options_get_real(o, "steps", "", 0, 0, 10, &r), TSR_ERR_ARG, "--steps", "int",
               "real", NULL);
  bool flag;
  expect_error(tsr_options_get_int(o, "help", "", 0, 0, 1, &a), TSR_ERR_ARG, "--help", "bool",
               NULL);
  expect_error(tsr_options_get_bool(o, "config", "", false, &flag), TSR_ERR_ARG, "--config", NULL);
  tsr_options_destroy(&o);
}

static void test_bad_registration_arguments(void) {
  tsr_options o;
  CREATE_OK(o, NULL);
  int64_t i, v[2];
  double r;
  int e, n;
  const char *s;
  const char *const choices[] = {"a", "b"};
  const char *const empty_choice[] = {"a", ""};
  const int64_t def[3] = {1, 2, 3};
  expect_error(tsr_options_get_int(o, "x", "", 5, 0, 1, &i), TSR_ERR_ARG, "--x", "default 5",
               "[0, 1]", NULL);
  expect_error(tsr_options_get_int(o, "x", "", 0, 1, 0, &i), TSR_ERR_ARG, "--x", NULL);
  expect_error(tsr_options_get_real(o, "y", "", 2, 0, 1, &r), TSR_ERR_ARG, "--y", NULL);
  expect_error(tsr_options_get_real(o, "y", "", NAN, 0, 1, &r), TSR_ERR_ARG, "--y", NULL);
  expect_error(tsr_options_get_int(o, "2x", "", 0, 0, 1, &i), TSR_ERR_ARG, "'2x'", NULL);
  expect_error(tsr_options_get_int(o, "--x", "", 0, 0, 1, &i), TSR_ERR_ARG, "'--x'", NULL);
  expect_error(tsr_options_get_int(o, NULL, "", 0, 0, 1, &i), TSR_ERR_ARG, NULL);
  expect_error(tsr_options_get_int(o, "x", "", 0, 0, 1, NULL), TSR_ERR_ARG, "--x", NULL);
  expect_error(tsr_options_get_string(NULL, "s", "", NULL, &s), TSR_ERR_ARG, NULL);
  expect_error(tsr_options_get_enum(o, "e", "", choices, 2, 2, &e), TSR_ERR_ARG, "--e", NULL);
  expect_error(tsr_options_get_enum(o, "e", "", choices, 0, 0, &e), TSR_ERR_ARG, "--e", NULL);
  expect_error(tsr_options_get_enum(o, "e", "", empty_choice, 2, 0, &e), TSR_ERR_ARG, "--e",
               "choice 1", NULL);
  expect_error(tsr_options_get_ints(o, "g", "", def, 3, 2, 0, 9, v, &n), TSR_ERR_ARG, "--g", NULL);
  expect_error(tsr_options_get_ints(o, "g", "", def, 2, 2, 2, 9, v, &n), TSR_ERR_ARG, "--g",
               "default 1", NULL);
  expect_error(tsr_options_get_ints(o, "g", "", NULL, 1, 2, 0, 9, v, &n), TSR_ERR_ARG, "--g", NULL);
  expect_error(tsr_options_set_default(o, "bad name", "1"), TSR_ERR_ARG, "'bad name'", NULL);
  expect_error(tsr_options_set_default(o, "x", ""), TSR_ERR_ARG, "--x", NULL);
  expect_error(tsr_options_set_default(o, "x", "a\nb"), TSR_ERR_ARG, "--x", NULL);
  expect_error(tsr_options_set_default(o, "config", "f.cfg"), TSR_ERR_ARG, "--config", NULL);
  expect_error(tsr_options_set_default(o, "help", NULL), TSR_ERR_ARG, "--help", NULL);
  expect_error(tsr_options_finish(o, NULL), TSR_ERR_ARG, NULL);
  tsr_options_destroy(&o);
  tsr_options_destroy(&o); /* NULL is accepted */
  tsr_options_destroy(NULL);
  expect_error(tsr_options_create(MPI_COMM_NULL, 0, NULL, &o), TSR_ERR_ARG, NULL);
  CU_ASSERT_PTR_NULL(o);
}

/* ------------------------------------------------------------------ value errors */

/* Get --NAME as an int in [1, 1000] from the words given; expect an option error naming the
 * parts that follow. */
static void int_error(const char *word, const char *value, ...) {
  tsr_options o;
  CREATE_OK(o, (char *)word, (char *)value, NULL);
  int64_t v = -1;
  tsr_err err = tsr_options_get_int(o, "steps", "", 10, 1, 1000, &v);
  CU_ASSERT_EQUAL(err, TSR_ERR_OPTION);
  const char *msg = tsr_error_message();
  va_list ap;
  va_start(ap, value);
  for (const char *part; (part = va_arg(ap, const char *));)
    if (!strstr(msg, part)) {
      fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", msg, part);
      CU_FAIL("error message lacks an expected part");
    }
  va_end(ap);
  CU_ASSERT_EQUAL(last_kind, TSR_ERROR_COLLECTIVE);
  tsr_error_clear();
  tsr_options_destroy(&o);
}

static void test_int_value_errors(void) {
  int_error("--steps", "abc", "--steps abc", "expected an integer", NULL);
  int_error("--steps", "10x", "--steps 10x", "expected an integer", NULL);
  int_error("--steps", "1.5", "--steps 1.5", "expected an integer", NULL);
  int_error("--steps", "0x10", "--steps 0x10", "expected an integer", NULL);
  int_error("--steps", "99999999999999999999", "--steps 99999999999999999999", "64-bit", NULL);
  int_error("--steps", "-99999999999999999999", "64-bit", NULL);
  int_error("--steps", "5000", "--steps 5000", "5000 is out of range [1, 1000]", NULL);
  int_error("--steps", "0", "0 is out of range [1, 1000]", NULL);
  int_error("--steps=+", NULL, "--steps +", "expected an integer", NULL);
  int_error("--steps", NULL, "--steps without a value", "expected an integer", NULL);
}

static void real_error(const char *value, ...) {
  tsr_options o;
  CREATE_OK(o, "--dt", (char *)value, NULL);
  double v = -1;
  tsr_err err = tsr_options_get_real(o, "dt", "", 0.5, 0, 1, &v);
  CU_ASSERT_EQUAL(err, TSR_ERR_OPTION);
  const char *msg = tsr_error_message();
  va_list ap;
  va_start(ap, value);
  for (const char *part; (part = va_arg(ap, const char *));)
    if (!strstr(msg, part)) {
      fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", msg, part);
      CU_FAIL("error message lacks an expected part");
    }
  va_end(ap);
  tsr_error_clear();
  tsr_options_destroy(&o);
}

static void test_real_value_errors(void) {
  real_error("nan", "--dt nan", "finite", NULL);
  real_error("inf", "--dt inf", "finite", NULL);
  real_error("-inf", "--dt -inf", "finite", NULL);
  real_error("1e999", "--dt 1e999", "finite", NULL);
  real_error("0.5abc", "--dt 0.5abc", "expected a real number", NULL);
  real_error("abc", "--dt abc", "expected a real number", NULL);
  real_error("1.5", "--dt 1.5", "1.5 is out of range [0, 1]", NULL);
  real_error("-0.1", "-0.1 is out of range [0, 1]", NULL);
}

static void test_other_value_errors(void) {
  const char *const choices[] = {"cg", "pcg", "mg"};
  tsr_options o;
  CREATE_OK(o, "--solver", "pcq", "--flag", "maybe", "--grid", "4x0", "--g2", "1x2x3x4", "--g3",
            "4x", "--g4", "4xq", "--g5", "1x99999999999999999999", "--out", NULL);
  int e = -1, n = -1;
  bool b = true;
  int64_t g[3] = {0};
  const int64_t def[1] = {9};
  const char *s = "unset";
  expect_error(tsr_options_get_enum(o, "solver", "", choices, 3, 0, &e), TSR_ERR_OPTION,
               "--solver pcq", "cg, pcg, mg", "did you mean pcg?", NULL);
  CU_ASSERT_EQUAL(e, 0);
  expect_error(tsr_options_get_bool(o, "flag", "", false, &b), TSR_ERR_OPTION, "--flag maybe",
               "expected a boolean", NULL);
  expect_error(tsr_options_get_ints(o, "grid", "", def, 1, 3, 1, 100, g, &n), TSR_ERR_OPTION,
               "--grid 4x0", "0 is out of range [1, 100]", NULL);
  CU_ASSERT(n == 1 && g[0] == 9); /* the default, not a half-parsed list */
  expect_error(tsr_options_get_ints(o, "g2", "", def, 1, 3, 1, 100, g, &n), TSR_ERR_OPTION,
               "--g2 1x2x3x4", "1 to 3 integers", NULL);
  expect_error(tsr_options_get_ints(o, "g3", "", def, 1, 3, 1, 100, g, &n), TSR_ERR_OPTION,
               "--g3 4x", "1 to 3 integers", NULL);
  expect_error(tsr_options_get_ints(o, "g4", "", def, 1, 3, 1, 100, g, &n), TSR_ERR_OPTION,
               "--g4 4xq", "'q' is not an integer", NULL);
  expect_error(tsr_options_get_ints(o, "g5", "", def, 1, 3, 1, 100, g, &n), TSR_ERR_OPTION,
               "--g5 1x99999999999999999999", "99999999999999999999 does not fit", NULL);
  expect_error(tsr_options_get_string(o, "out", "", "x", &s), TSR_ERR_OPTION,
               "--out without a value", "expected a string", NULL);
  tsr_options_destroy(&o);
}

/* ------------------------------------------------------------------ command-line errors */

static void create_error(const char *w1, const char *w2, const char *w3, tsr_err code, ...) {
  size_t before = live_blocks();
  tsr_options sentinel = (tsr_options)&before, o = sentinel; /* must come back NULL */
  tsr_err err = create_words(&o, (char *)w1, (char *)w2, (char *)w3, NULL);
  CU_ASSERT_EQUAL(err, code);
  CU_ASSERT_PTR_NULL(o);
  if (o == sentinel) o = NULL;
  CU_ASSERT_EQUAL(live_blocks(), before);
  CU_ASSERT_EQUAL(last_kind, TSR_ERROR_COLLECTIVE);
  const char *msg = tsr_error_message();
  va_list ap;
  va_start(ap, code);
  for (const char *part; (part = va_arg(ap, const char *));)
    if (!strstr(msg, part)) {
      fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", msg, part);
      CU_FAIL("error message lacks an expected part");
    }
  va_end(ap);
  tsr_error_clear();
  tsr_options_destroy(&o);
}

static void test_command_line_errors(void) {
  create_error("foo", NULL, NULL, TSR_ERR_OPTION, "unexpected argument 'foo'", NULL);
  create_error("--steps", "10", "20", TSR_ERR_OPTION, "unexpected argument '20'", "--steps 10",
               NULL);
  create_error("--steps=10", "20", NULL, TSR_ERR_OPTION, "unexpected argument '20'", "--steps 10",
               NULL);
  create_error("-steps", "10", NULL, TSR_ERR_OPTION, "'-steps'", "two dashes (--steps)", NULL);
  create_error("--", NULL, NULL, TSR_ERR_OPTION, "malformed option '--'", NULL);
  create_error("--=5", NULL, NULL, TSR_ERR_OPTION, "malformed option '--=5'", NULL);
  create_error("--3d", NULL, NULL, TSR_ERR_OPTION, "malformed option '--3d'", NULL);
  create_error("--a b", NULL, NULL, TSR_ERR_OPTION, "malformed option '--a b'", NULL);
  create_error("--steps=", NULL, NULL, TSR_ERR_OPTION, "empty value for --steps", NULL);
  create_error("--steps", "", NULL, TSR_ERR_OPTION, "empty value for --steps", NULL);
  create_error("--title", "a\nb", NULL, TSR_ERR_OPTION, "--title", "line break", NULL);
  create_error("--config", NULL, NULL, TSR_ERR_OPTION, "--config needs a file name", NULL);
  create_error("--config", "--steps", "3", TSR_ERR_OPTION, "--config needs a file name", NULL);
  create_error("--help=maybe", NULL, NULL, TSR_ERR_OPTION, "--help maybe", "boolean", NULL);
}

static void test_unknown_option_suggests(void) {
  tsr_options o;
  CREATE_OK(o, "--stesp", "5", "--gird", "4", NULL);
  int64_t steps;
  int64_t g[3];
  int n;
  expect_ok(tsr_options_get_int(o, "steps", "", 1, 0, 10, &steps));
  expect_ok(tsr_options_get_ints(o, "grid", "", NULL, 0, 3, 1, 9, g, &n));
  expect_ok(tsr_options_get_int(o, "stages", "", 1, 0, 10, &steps));
  bool stop = true;
  expect_error(tsr_options_finish(o, &stop), TSR_ERR_OPTION, "unknown option --stesp",
               "did you mean --steps?", "1 more", NULL);
  CU_ASSERT_FALSE(stop);
  tsr_options_destroy(&o);
}

static void test_unknown_option_from_program(void) {
  tsr_options o;
  CREATE_OK(o, NULL);
  expect_ok(tsr_options_set_default(o, "verbos", "2"));
  int64_t v;
  expect_ok(tsr_options_get_int(o, "verbose", "", 1, 0, 10, &v));
  bool stop;
  expect_error(tsr_options_finish(o, &stop), TSR_ERR_OPTION, "unknown option --verbos",
               "set by the program", "did you mean --verbose?", NULL);
  tsr_options_destroy(&o);
}

/* ------------------------------------------------------------------ config files */

static void test_config_file_syntax(void) {
  char path[256];
  write_temp("# a comment line\n"
             "\n"
             "steps 12\n"
             "dt = 0.5   # trailing comment\n"
             "--solver mg\n"
             "  --grid=8x4  \r\n"
             "title  a run with#hash and spaces\n"
             "banner\n"
             "   # indented comment\n"
             "last=1",
             path, sizeof path);
  tsr_options o;
  CREATE_OK(o, "--config", path, NULL);
  int64_t steps = 0, last = 0, g[3];
  double dt = 0;
  int solver = -1, n = 0;
  bool banner = false;
  const char *title = NULL;
  const char *const choices[] = {"cg", "mg"};
  expect_ok(tsr_options_get_int(o, "steps", "", 1, 0, 100, &steps));
  expect_ok(tsr_options_get_real(o, "dt", "", 1, 0, 1, &dt));
  expect_ok(tsr_options_get_enum(o, "solver", "", choices, 2, 0, &solver));
  expect_ok(tsr_options_get_ints(o, "grid", "", NULL, 0, 3, 1, 100, g, &n));
  expect_ok(tsr_options_get_string(o, "title", "", NULL, &title));
  expect_ok(tsr_options_get_bool(o, "banner", "", false, &banner));
  expect_ok(tsr_options_get_int(o, "last", "", 0, 0, 9, &last));
  CU_ASSERT_EQUAL(steps, 12);
  CU_ASSERT_DOUBLE_EQUAL(dt, 0.5, 0);
  CU_ASSERT_EQUAL(solver, 1);
  CU_ASSERT(n == 2 && g[0] == 8 && g[1] == 4);
  CU_ASSERT_STRING_EQUAL(title, "a run with#hash and spaces");
  CU_ASSERT_TRUE(banner);
  CU_ASSERT_EQUAL(last, 1);
  CU_ASSERT_TRUE(tsr_options_has(o, "config"));
  bool stop = true;
  expect_ok(tsr_options_finish(o, &stop));
  tsr_options_destroy(&o);
  unlink(path);
}

static void test_precedence(void) {
  char first[256], second[256];
  write_temp("a 1\nb 1\nc 1\nd 1\n", first, sizeof first);
  write_temp("b 2\nc 2\nd 2\n", second, sizeof second);
  tsr_options o;
  /* argv > set_default > later file > earlier file > getter default */
  CREATE_OK(o, "--d", "4", "--config", first, "--config", second, NULL);
  expect_ok(tsr_options_set_default(o, "c", "3"));
  expect_ok(tsr_options_set_default(o, "d", "3"));
  expect_ok(tsr_options_set_default(o, "e", "3"));
  int64_t a, b, c, d, e, f;
  expect_ok(tsr_options_get_int(o, "a", "", 0, 0, 9, &a));
  expect_ok(tsr_options_get_int(o, "b", "", 0, 0, 9, &b));
  expect_ok(tsr_options_get_int(o, "c", "", 0, 0, 9, &c));
  expect_ok(tsr_options_get_int(o, "d", "", 0, 0, 9, &d));
  expect_ok(tsr_options_get_int(o, "e", "", 0, 0, 9, &e));
  expect_ok(tsr_options_get_int(o, "f", "", 5, 0, 9, &f));
  CU_ASSERT_EQUAL(a, 1);
  CU_ASSERT_EQUAL(b, 2);
  CU_ASSERT_EQUAL(c, 3);
  CU_ASSERT_EQUAL(d, 4);
  CU_ASSERT_EQUAL(e, 3);
  CU_ASSERT_EQUAL(f, 5);
  tsr_options_destroy(&o);
  unlink(first);
  unlink(second);
}

static void config_error(const char *text, tsr_err code, int line, const char *part) {
  char path[256], where[300];
  write_temp(text, path, sizeof path);
  snprintf(where, sizeof where, "%s:%d", path, line);
  size_t before = live_blocks();
  tsr_options o;
  expect_error(create_words(&o, "--config", path, NULL), code, where, part, NULL);
  CU_ASSERT_PTR_NULL(o);
  CU_ASSERT_EQUAL(live_blocks(), before);
  unlink(path);
}

static void test_config_file_errors(void) {
  config_error("steps 1\n\n10 steps\n", TSR_ERR_OPTION, 3, "malformed line '10 steps'");
  config_error("# c\n= 5\n", TSR_ERR_OPTION, 2, "malformed line '= 5'");
  config_error("-steps 5\n", TSR_ERR_OPTION, 1, "malformed line '-steps 5'");
  config_error("a 1\nst*eps 5\n", TSR_ERR_OPTION, 2, "malformed line");
  config_error("a 1\nb 2\nsteps =\n", TSR_ERR_OPTION, 3, "empty value for steps");
  config_error("steps = # nothing\n", TSR_ERR_OPTION, 1, "empty value for steps");
  config_error("config other.cfg\n", TSR_ERR_OPTION, 1, "cannot read another");
}

static void test_config_value_error_names_file_line(void) {
  char path[256], where[300];
  write_temp("dt 0.1\nsteps abc\nstesp 4\n", path, sizeof path);
  snprintf(where, sizeof where, "(%s:2)", path);
  tsr_options o;
  CREATE_OK(o, "--config", path, NULL);
  int64_t steps;
  double dt;
  expect_ok(tsr_options_get_real(o, "dt", "", 1, 0, 1, &dt));
  expect_error(tsr_options_get_int(o, "steps", "", 1, 0, 100, &steps), TSR_ERR_OPTION,
               "--steps abc", where, "expected an integer", NULL);
  snprintf(where, sizeof where, "(%s:3)", path);
  bool stop;
  expect_error(tsr_options_finish(o, &stop), TSR_ERR_OPTION, "unknown option --stesp", where,
               "did you mean --steps?", NULL);
  tsr_options_destroy(&o);
  unlink(path);
}

static void test_unreadable_config(void) {
  size_t before = live_blocks();
  tsr_options o;
  expect_error(create_words(&o, "--config", "/nonexistent/tsr/run.cfg", NULL), TSR_ERR_FILE,
               "'/nonexistent/tsr/run.cfg'", strerror(ENOENT), NULL);
  CU_ASSERT_PTR_NULL(o);
  const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  expect_error(create_words(&o, "--config", (char *)dir, NULL), TSR_ERR_FILE, dir, strerror(EISDIR),
               NULL);
  char path[256];
  write_temp("steps 1\n", path, sizeof path);
  FILE *f = fopen(path, "ab");
  fputc('\0', f);
  fclose(f);
  expect_error(create_words(&o, "--config", path, NULL), TSR_ERR_FILE, path, "NUL", NULL);
  unlink(path);
  CU_ASSERT_EQUAL(live_blocks(), before);
}

static void test_large_config_file(void) {
  /* Many lines cross the reader's buffer growth and the arena's block size. */
  enum { LINES = 3000 };
  size_t cap = LINES * 40;
  char *text = malloc(cap), path[256];
  size_t used = 0;
  for (int i = 0; i < LINES; i++)
    used += (size_t)snprintf(text + used, cap - used, "opt%d = %d\n", i, 3 * i);
  write_temp(text, path, sizeof path);
  free(text);
  tsr_options o;
  CREATE_OK(o, "--config", path, NULL);
  int bad = 0;
  for (int i = 0; i < LINES; i++) {
    char name[32];
    int64_t v = -1;
    snprintf(name, sizeof name, "opt%d", i);
    bad += tsr_options_get_int(o, name, "", 0, 0, 1 << 20, &v) != TSR_SUCCESS || v != 3 * i;
  }
  CU_ASSERT_EQUAL(bad, 0);
  bool stop;
  expect_ok(tsr_options_finish(o, &stop));
  tsr_options_destroy(&o);
  unlink(path);
}

/* ------------------------------------------------------------------ help and dump */

/* Register one option of each type; returns how many getters failed. */
static int register_sample(tsr_options o) {
  int64_t i, g[3];
  double r;
  bool b;
  const char *s;
  int e, n;
  const char *const choices[] = {"cg", "pcg", "mg"};
  const int64_t def[3] = {64, 32, 16};
  int bad = 0;
  bad += tsr_options_get_int(o, "steps", "number of time steps", 100, 1, 1000, &i) != 0;
  bad += tsr_options_get_real(o, "dt", "time step", 0.1, 0, 1, &r) != 0;
  bad += tsr_options_get_bool(o, "banner", "print a banner", false, &b) != 0;
  bad += tsr_options_get_string(o, "out", "output folder", "results", &s) != 0;
  bad += tsr_options_get_enum(o, "solver", "linear solver", choices, 3, 1, &e) != 0;
  bad += tsr_options_get_ints(o, "grid", "global grid size", def, 3, 3, 1, 4096, g, &n) != 0;
  bad += tsr_options_get_int(o, "steps", "registered again", 100, 1, 1000, &i) != 0;
  /* Under --help a bad value gives the default. */
  bad += i != 100 || g[0] != 64 || n != 3;
  return bad;
}

static void check_help(const char *w1, const char *w2) {
  tsr_options o;
  CREATE_OK(o, (char *)w1, (char *)w2, NULL);
  CU_ASSERT_EQUAL(register_sample(o), 0);
  bool stop = false;
  char out[8192];
  expect_ok(finish_captured(o, &stop, out, sizeof out));
  CU_ASSERT_TRUE(stop);
  const char *names[] = {"  --help, -h\n",      "  --config <string>\n", "  --steps <int>",
                         "  --dt <real>",       "  --banner [<bool>]",   "  --out <string>",
                         "  --solver <choice>", "  --grid <ints>"};
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    if (count_lines_starting(out, names[k]) != 1) fprintf(stderr, "\n  help:\n%s", out);
    CU_ASSERT_EQUAL(count_lines_starting(out, names[k]), 1);
  }
  CU_ASSERT_EQUAL(count_lines_starting(out, "  --"), 8);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "  --steps <int>  default: 100; range: [1, 1000]\n"
                                     "      number of time steps\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "  --dt <real>  default: 0.1; range: [0, 1]\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "  --banner [<bool>]  default: false\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "  --out <string>  default: results\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "  --solver <choice>  default: pcg; choices: cg, pcg, mg\n"));
  CU_ASSERT_PTR_NOT_NULL(
      strstr(out, "  --grid <ints>  default: 64x32x16; values: 1 to 3, each in [1, 4096]\n"));
  CU_ASSERT_PTR_NULL(strstr(out, "registered again"));
  tsr_options_destroy(&o);
}

static void test_help(void) {
  check_help("--help", NULL);
  check_help("-h", NULL);
  check_help("--help=yes", NULL);
  /* Under --help, bad values and unknown options do not stop the help from printing. */
  check_help("--steps=abc", "-h");
  check_help("--unknown-thing", "--help");
  check_help("--grid", "-h");
}

static void test_help_off(void) {
  tsr_options o;
  CREATE_OK(o, "--help", "--help=no", NULL);
  CU_ASSERT_EQUAL(register_sample(o), 0);
  bool stop = true;
  char out[256];
  expect_ok(finish_captured(o, &stop, out, sizeof out));
  CU_ASSERT_FALSE(stop);
  CU_ASSERT_STRING_EQUAL(out, "");
  tsr_options_destroy(&o);
}

static void test_dump(void) {
  char path[256];
  write_temp("steps 5\ndt 0.5\nbanner\n", path, sizeof path);
  tsr_options o;
  CREATE_OK(o, "--config", path, "--steps", "7", "--out=a b", NULL);
  expect_ok(tsr_options_set_default(o, "solver", "mg"));
  char buf[256];
  expect_ok(tsr_options_dump(o, buf, sizeof buf));
  /* Each option once with its winning value, in the order first seen: command line, files,
   * program; --config itself is left out. */
  CU_ASSERT_STRING_EQUAL(buf, "steps 7\nout a b\ndt 0.5\nbanner\nsolver mg\n");
  size_t need = strlen(buf) + 1;
  expect_ok(tsr_options_dump(o, buf, need));
  char small[8] = "garbage";
  expect_error(tsr_options_dump(o, small, sizeof small), TSR_ERR_SIZE, "needs a buffer of", NULL);
  expect_error(tsr_options_dump(o, buf, need - 1), TSR_ERR_SIZE, "needs a buffer of", NULL);
  CU_ASSERT_STRING_EQUAL(small, "");
  expect_error(tsr_options_dump(o, NULL, 10), TSR_ERR_ARG, NULL);
  tsr_options_destroy(&o);
  unlink(path);
}

static void test_dump_round_trip(void) {
  tsr_options o, back;
  CREATE_OK(o, "--steps", "7", "--dt=0.25", "--banner", "--grid", "4x2", "--title", "two words",
            NULL);
  char buf[512], again[512], path[256];
  expect_ok(tsr_options_dump(o, buf, sizeof buf));
  write_temp(buf, path, sizeof path);
  CREATE_OK(back, "--config", path, NULL);
  expect_ok(tsr_options_dump(back, again, sizeof again));
  CU_ASSERT_STRING_EQUAL(buf, again);
  int64_t steps;
  bool banner = false;
  expect_ok(tsr_options_get_int(back, "steps", "", 0, 0, 9, &steps));
  expect_ok(tsr_options_get_bool(back, "banner", "", false, &banner));
  CU_ASSERT_EQUAL(steps, 7);
  CU_ASSERT_TRUE(banner);
  tsr_options_destroy(&o);
  tsr_options_destroy(&back);
  unlink(path);
}

static void test_no_leaks(void) {
  size_t before = live_blocks();
  tsr_options o;
  CREATE_OK(o, "--out", "x", "--flag", NULL);
  CU_ASSERT_EQUAL(register_sample(o), 0);
  bool stop;
  CU_ASSERT_EQUAL(tsr_options_finish(o, &stop), TSR_ERR_OPTION); /* --flag is unknown */
  tsr_error_clear();
  tsr_options_destroy(&o);
  CU_ASSERT_EQUAL(live_blocks(), before);
}

/* ------------------------------------------------------------------ driver */

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  tsr_error_set_handler(record_kind, NULL, NULL, NULL);
  static const struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
      {"space and equals forms", test_space_and_equals_forms},
      {"defaults when absent", test_defaults_when_absent},
      {"negative numbers are values", test_negative_numbers_are_values},
      {"integer forms", test_integer_forms},
      {"bool forms", test_bool_forms},
      {"bool alone is true", test_bool_alone_is_true},
      {"enum choice", test_enum_choice},
      {"int lists", test_int_lists},
      {"repeated option: last wins", test_repeated_option_last_wins},
      {"string value stays valid", test_string_value_stays_valid},
      {"has registers", test_has_registers},
      {"register twice", test_register_twice},
      {"bad registration arguments", test_bad_registration_arguments},
      {"int value errors", test_int_value_errors},
      {"real value errors", test_real_value_errors},
      {"other value errors", test_other_value_errors},
      {"command-line errors", test_command_line_errors},
      {"unknown option suggests", test_unknown_option_suggests},
      {"unknown option from program", test_unknown_option_from_program},
      {"config file syntax", test_config_file_syntax},
      {"precedence", test_precedence},
      {"config file errors", test_config_file_errors},
      {"config value error names file:line", test_config_value_error_names_file_line},
      {"unreadable config", test_unreadable_config},
      {"large config file", test_large_config_file},
      {"help", test_help},
      {"help off", test_help_off},
      {"dump", test_dump},
      {"dump round trip", test_dump_round_trip},
      {"no leaks", test_no_leaks},
  };
  unsigned failures = 1;
  if (CU_initialize_registry() == CUE_SUCCESS) {
    CU_pSuite suite = CU_add_suite("options", NULL, NULL);
    int ok = suite != NULL;
    for (size_t i = 0; ok && i < sizeof tests / sizeof tests[0]; i++)
      ok = CU_add_test(suite, tests[i].name, tests[i].fn) != NULL;
    if (ok) {
      CU_basic_set_mode(CU_BRM_VERBOSE);
      CU_basic_run_tests();
      failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    }
    CU_cleanup_registry();
  }
  tsr_error_set_handler(NULL, NULL, NULL, NULL);
  MPI_Finalize();
  return failures ? 1 : 0;
}
