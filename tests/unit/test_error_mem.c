/* Serial tests of the error records and the counted aligned allocator. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tessera.h"

static int handler_calls;
static tsr_error_kind handler_kind;

static void counting_handler(tsr_err code, tsr_error_kind kind, const char *msg, void *user) {
  handler_calls++;
  handler_kind = kind;
  *(tsr_err *)user = code;
}

static tsr_err leaf(int x) {
  TSR_CHECK(x > 0, TSR_ERR_ARG, "x must be positive, got %d", x);
  return TSR_SUCCESS;
}

static tsr_err middle(int x) {
  TSR_CALL(leaf(x));
  return TSR_SUCCESS;
}

static tsr_err top(int x) {
  TSR_CALL(middle(x));
  return TSR_SUCCESS;
}

static tsr_err local_failure(void) {
  TSR_ERROR_LOCAL(TSR_ERR_MEM, "rank-local failure %d", 7);
}

static void test_raise_and_traceback(void) {
  tsr_error_clear();
  CU_ASSERT_EQUAL(top(3), TSR_SUCCESS);
  CU_ASSERT_EQUAL(tsr_error_last(), TSR_SUCCESS);
  CU_ASSERT_EQUAL(top(-2), TSR_ERR_ARG);
  CU_ASSERT_EQUAL(tsr_error_last(), TSR_ERR_ARG);
  CU_ASSERT_STRING_EQUAL(tsr_error_message(), "x must be positive, got -2");
  /* One frame per level, innermost first. */
  const char *tb = tsr_error_traceback();
  const char *l = strstr(tb, "at leaf ("), *m = strstr(tb, "at middle ("),
             *t = strstr(tb, "at top (");
  CU_ASSERT_PTR_NOT_NULL(l);
  CU_ASSERT_PTR_NOT_NULL(m);
  CU_ASSERT_PTR_NOT_NULL(t);
  CU_ASSERT(l && m && t && l < m && m < t);
  CU_ASSERT_PTR_NOT_NULL(strstr(tb, "test_error_mem.c:"));
  tsr_error_clear();
  CU_ASSERT_EQUAL(tsr_error_last(), TSR_SUCCESS);
  CU_ASSERT_STRING_EQUAL(tsr_error_message(), "");
  CU_ASSERT_STRING_EQUAL(tsr_error_traceback(), "");
}

static void test_handler_called_once_per_error(void) {
  tsr_err seen = TSR_SUCCESS;
  tsr_error_handler old;
  void *old_user;
  handler_calls = 0;
  tsr_error_set_handler(counting_handler, &seen, &old, &old_user);
  CU_ASSERT_EQUAL(top(0), TSR_ERR_ARG);
  CU_ASSERT_EQUAL(handler_calls, 1); /* raised once, propagated twice without new calls */
  CU_ASSERT_EQUAL(seen, TSR_ERR_ARG);
  CU_ASSERT_EQUAL(handler_kind, TSR_ERROR_COLLECTIVE);
  CU_ASSERT_EQUAL(local_failure(), TSR_ERR_MEM);
  CU_ASSERT_EQUAL(handler_calls, 2);
  CU_ASSERT_EQUAL(handler_kind, TSR_ERROR_RANK_LOCAL);
  CU_ASSERT_STRING_EQUAL(tsr_error_message(), "rank-local failure 7");
  tsr_error_set_handler(old, old_user, NULL, NULL);
  tsr_error_clear();
}

static void test_error_names_and_casts(void) {
  CU_ASSERT_STRING_EQUAL(tsr_error_name(TSR_SUCCESS), "TSR_SUCCESS");
  CU_ASSERT_STRING_EQUAL(tsr_error_name(TSR_ERR_OPTION), "TSR_ERR_OPTION");
  CU_ASSERT_STRING_EQUAL(tsr_error_name(TSR_ERR_INTERNAL), "TSR_ERR_INTERNAL");
  CU_ASSERT_STRING_EQUAL(tsr_error_name((tsr_err)999), "TSR_ERR_UNKNOWN");
  int v = 0;
  CU_ASSERT_EQUAL(tsr_cast_int(INT32_MAX, "n", &v), TSR_SUCCESS);
  CU_ASSERT_EQUAL(v, INT32_MAX);
  CU_ASSERT_EQUAL(tsr_cast_int(INT32_MIN, "n", &v), TSR_SUCCESS);
  CU_ASSERT_EQUAL(v, INT32_MIN);
  CU_ASSERT_EQUAL(tsr_cast_int((int64_t)INT32_MAX + 1, "message count", &v), TSR_ERR_SIZE);
  CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), "message count = 2147483648"));
  CU_ASSERT_EQUAL(v, INT32_MIN); /* untouched on error */
  tsr_error_clear();
}

static void test_malloc_alignment_and_counts(void) {
  tsr_mem_stats before, during, after;
  tsr_mem_get_stats(&before);
  double *blocks[40];
  size_t bytes = 0;
  for (int i = 0; i < 40; i++) {
    size_t n = (size_t)(1 + 37 * i);
    CU_ASSERT_EQUAL(TSR_MALLOC(n, &blocks[i]), TSR_SUCCESS);
    CU_ASSERT_PTR_NOT_NULL(blocks[i]);
    CU_ASSERT_EQUAL((uintptr_t)blocks[i] % TSR_ALIGN, 0);
    for (size_t k = 0; k < n; k++)
      blocks[i][k] = (double)k; /* whole block writable */
    bytes += n * sizeof(double);
  }
  tsr_mem_get_stats(&during);
  CU_ASSERT_EQUAL(during.bytes_in_use - before.bytes_in_use, bytes);
  CU_ASSERT_EQUAL(during.live_blocks - before.live_blocks, 40);
  CU_ASSERT(during.bytes_peak >= during.bytes_in_use);
  for (int i = 0; i < 40; i++) {
    CU_ASSERT_EQUAL(tsr_free(&blocks[i]), TSR_SUCCESS);
    CU_ASSERT_PTR_NULL(blocks[i]);
  }
  tsr_mem_get_stats(&after);
  CU_ASSERT_EQUAL(after.bytes_in_use, before.bytes_in_use);
  CU_ASSERT_EQUAL(after.live_blocks, before.live_blocks);
  CU_ASSERT(after.bytes_peak >= before.bytes_in_use + bytes);
  CU_ASSERT_EQUAL(after.total_allocs - before.total_allocs, 40);
}

static void test_calloc_zero_and_overflow(void) {
  int *p = (int *)1;
  CU_ASSERT_EQUAL(TSR_CALLOC(1000, &p), TSR_SUCCESS);
  int nonzero = 0;
  for (int i = 0; i < 1000; i++)
    nonzero += p[i] != 0;
  CU_ASSERT_EQUAL(nonzero, 0);
  CU_ASSERT_EQUAL(tsr_free(&p), TSR_SUCCESS);
  CU_ASSERT_EQUAL(tsr_malloc(0, &p), TSR_SUCCESS);
  CU_ASSERT_PTR_NULL(p);
  CU_ASSERT_EQUAL(tsr_free(&p), TSR_SUCCESS); /* freeing NULL is fine */
  CU_ASSERT_EQUAL(tsr_free(NULL), TSR_SUCCESS);
  CU_ASSERT_EQUAL(tsr_calloc(SIZE_MAX / 2, 4, &p), TSR_ERR_MEM);
  CU_ASSERT_PTR_NULL(p);
  CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), "overflows"));
  CU_ASSERT_EQUAL(tsr_malloc(SIZE_MAX - 8, &p), TSR_ERR_MEM);
  CU_ASSERT_PTR_NULL(p);
  tsr_error_clear();
}

/* Huge pages are available in this build unless AddressSanitizer is on (mem.c turns them off
 * there, since its checks cover heap blocks only). */
#if defined(__SANITIZE_ADDRESS__)
#define BUILD_HAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUILD_HAS_ASAN 1
#endif
#endif
#ifdef BUILD_HAS_ASAN
static const bool huge_expected = false;
#else
static const bool huge_expected = true;
#endif

/* True when the mapping containing p carries the huge-page advice ("hg" in its VmFlags line
 * of /proc/self/smaps); whether the kernel found free huge pages is its own business. */
static bool advised_huge(const void *p) {
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f) return false;
  char line[512];
  bool inside = false, advised = false;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
      inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
    else if (inside && !strncmp(line, "VmFlags:", 8)) {
      advised = strstr(line, " hg") != NULL;
      break;
    }
  }
  fclose(f);
  return advised;
}

static void test_large_blocks_use_huge_pages(void) {
  const size_t mib = (size_t)1 << 20, bytes = 8 * mib + 3;
  CU_ASSERT_EQUAL(tsr_mem_get_huge_pages(), huge_expected);
  tsr_mem_stats before, during;
  tsr_mem_get_stats(&before);
  char *p = NULL;
  CU_ASSERT_EQUAL_FATAL(tsr_malloc(bytes, &p), TSR_SUCCESS);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL((uintptr_t)p % TSR_ALIGN, 0);
  memset(p, 1, bytes);
  tsr_mem_get_stats(&during);
  CU_ASSERT_EQUAL(during.bytes_in_use - before.bytes_in_use, bytes);
  /* mem.c maps large blocks itself only on 4 KiB pages; the kernel accepts the advice only
   * when it has transparent huge pages at all. */
  if (huge_expected && sysconf(_SC_PAGESIZE) == 4096) {
    CU_ASSERT_EQUAL((uintptr_t)p % (2 * mib), 0);
    if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0)
      CU_ASSERT(advised_huge(p + 4 * mib));
  }
  CU_ASSERT(p[bytes - 1] == 1 && p[0] == 1);
  CU_ASSERT_EQUAL(tsr_free(&p), TSR_SUCCESS);
  CU_ASSERT_PTR_NULL(p);
  /* Switched off: a large block is a plain heap block, not advised, still counted exactly. */
  tsr_mem_set_huge_pages(false);
  CU_ASSERT(!tsr_mem_get_huge_pages());
  CU_ASSERT_EQUAL_FATAL(tsr_malloc(bytes, &p), TSR_SUCCESS);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL((uintptr_t)p % TSR_ALIGN, 0);
  CU_ASSERT(!advised_huge(p + 4 * mib));
  tsr_mem_get_stats(&during);
  CU_ASSERT_EQUAL(during.bytes_in_use - before.bytes_in_use, bytes);
  CU_ASSERT_EQUAL(tsr_free(&p), TSR_SUCCESS);
  tsr_mem_set_huge_pages(true);
  CU_ASSERT_EQUAL(tsr_mem_get_huge_pages(), huge_expected);
  tsr_mem_get_stats(&during);
  CU_ASSERT_EQUAL(during.bytes_in_use, before.bytes_in_use);
  CU_ASSERT_EQUAL(during.live_blocks, before.live_blocks);
}

/* Sizes near SIZE_MAX (a negative count converted to size_t) must fail, never wrap around
 * to a small block. */
static void test_malloc_sizes_that_would_wrap(void) {
  tsr_mem_stats before, after;
  tsr_mem_get_stats(&before);
  const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 63, SIZE_MAX - ((size_t)1 << 20),
                          SIZE_MAX - ((size_t)2 << 20) - 100, (size_t)-1000 * sizeof(double)};
  static char dummy;
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    char *p = &dummy; /* must come back NULL */
    tsr_error_clear();
    CU_ASSERT_EQUAL(tsr_malloc(sizes[i], &p), TSR_ERR_MEM);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), "overflows"));
  }
  double *d = NULL;
  CU_ASSERT_EQUAL(TSR_MALLOC(-1000, &d), TSR_ERR_MEM);
  CU_ASSERT_PTR_NULL(d);
  tsr_error_clear();
  tsr_mem_get_stats(&after);
  CU_ASSERT_EQUAL(after.bytes_in_use, before.bytes_in_use);
  CU_ASSERT_EQUAL(after.live_blocks, before.live_blocks);
}

static void test_box_helpers(void) {
  tsr_box a = {{0, 0, 0}, {10, 7, 5}}, b = {{8, -2, 4}, {12, 3, 9}};
  CU_ASSERT_EQUAL(tsr_box_volume(&a), 350);
  tsr_box c = tsr_box_intersect(&a, &b);
  CU_ASSERT_EQUAL(tsr_box_volume(&c), 2 * 3 * 1);
  tsr_box far = {{20, 0, 0}, {30, 1, 1}};
  tsr_box e = tsr_box_intersect(&a, &far);
  CU_ASSERT(tsr_box_is_empty(&e));
  tsr_gidx in[3] = {9, 6, 4}, out[3] = {10, 6, 4};
  CU_ASSERT(tsr_box_contains(&a, in));
  CU_ASSERT(!tsr_box_contains(&a, out));
  int w[3] = {1, 2, 0};
  tsr_box g = tsr_box_grow(&a, w);
  CU_ASSERT_EQUAL(tsr_box_volume(&g), 12 * 11 * 5);
  tsr_gidx s[3] = {1, 1, 1};
  tsr_box sh = tsr_box_shift(&a, s);
  CU_ASSERT(sh.lo[2] == 1 && sh.hi[0] == 11 && !tsr_box_equal(&sh, &a));
  for (int d = 0; d < TSR_NUM_DIRS; d++) {
    int dx = tsr_dir_offset(d, 0), dy = tsr_dir_offset(d, 1), dz = tsr_dir_offset(d, 2);
    CU_ASSERT_EQUAL(tsr_dir_index(dx, dy, dz), d);
    int o = tsr_dir_opposite(d);
    CU_ASSERT(tsr_dir_offset(o, 0) == -dx && tsr_dir_offset(o, 1) == -dy &&
              tsr_dir_offset(o, 2) == -dz);
    CU_ASSERT_EQUAL(tsr_dir_order(d), (dx != 0) + (dy != 0) + (dz != 0));
  }
  CU_ASSERT_EQUAL(tsr_dir_order(TSR_DIR_SELF), 0);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("error_mem", NULL, NULL);
  CU_add_test(s, "raise and traceback", test_raise_and_traceback);
  CU_add_test(s, "handler called once per error", test_handler_called_once_per_error);
  CU_add_test(s, "error names and int casts", test_error_names_and_casts);
  CU_add_test(s, "malloc alignment and counters", test_malloc_alignment_and_counts);
  CU_add_test(s, "calloc zero fill and overflow", test_calloc_zero_and_overflow);
  CU_add_test(s, "large blocks on huge pages", test_large_blocks_use_huge_pages);
  CU_add_test(s, "sizes that would wrap fail", test_malloc_sizes_that_would_wrap);
  CU_add_test(s, "box and direction helpers", test_box_helpers);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
