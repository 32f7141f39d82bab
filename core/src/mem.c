/* Aligned allocation with a small header in front of each block that remembers its size, so
 * that tsr_free() can keep the counters exact without a lookup table. */
#include "tessera/mem.h"

#include <stdlib.h>
#include <string.h>

/* Counters are process-wide statistics, updated atomically because OpenMP threads may
 * allocate (first-touch buffers are allocated outside parallel regions, but tests do both). */
static size_t in_use, peak, live, total;

/* The header occupies one full alignment unit so the user pointer stays aligned. */
typedef struct {
  size_t bytes;
  uint64_t magic;
} block_header;

#define HEADER_BYTES TSR_ALIGN
#define BLOCK_MAGIC 0x7473726d656d626bULL /* "tsrmembk" */

_Static_assert(sizeof(block_header) <= HEADER_BYTES, "header must fit in one alignment unit");

tsr_err tsr_malloc(size_t bytes, void *ptr) {
  void **out = (void **)ptr;
  *out = NULL;
  if (bytes == 0) return TSR_SUCCESS;
  if (bytes > SIZE_MAX - 2 * HEADER_BYTES)
    TSR_ERROR_LOCAL(TSR_ERR_MEM, "cannot allocate %zu bytes: size overflows", bytes);
  size_t total_bytes = (bytes + HEADER_BYTES + TSR_ALIGN - 1) / TSR_ALIGN * TSR_ALIGN;
  char *raw = aligned_alloc(TSR_ALIGN, total_bytes);
  if (!raw) TSR_ERROR_LOCAL(TSR_ERR_MEM, "out of memory allocating %zu bytes", bytes);
  block_header *h = (block_header *)raw;
  h->bytes = bytes;
  h->magic = BLOCK_MAGIC;
  size_t now = __atomic_add_fetch(&in_use, bytes, __ATOMIC_RELAXED);
  __atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&total, 1, __ATOMIC_RELAXED);
  size_t old = __atomic_load_n(&peak, __ATOMIC_RELAXED);
  while (now > old &&
         !__atomic_compare_exchange_n(&peak, &old, now, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
  *out = raw + HEADER_BYTES;
  return TSR_SUCCESS;
}

tsr_err tsr_calloc(size_t count, size_t size, void *ptr) {
  if (size && count > SIZE_MAX / size) {
    *(void **)ptr = NULL;
    TSR_ERROR_LOCAL(TSR_ERR_MEM, "cannot allocate %zu x %zu bytes: size overflows", count, size);
  }
  TSR_CALL(tsr_malloc(count * size, ptr));
  if (count && size) memset(*(void **)ptr, 0, count * size);
  return TSR_SUCCESS;
}

tsr_err tsr_free(void *ptr) {
  void **p = (void **)ptr;
  if (!p || !*p) return TSR_SUCCESS;
  block_header *h = (block_header *)((char *)*p - HEADER_BYTES);
  if (h->magic != BLOCK_MAGIC)
    TSR_ERROR_LOCAL(TSR_ERR_INTERNAL, "tsr_free of a block not allocated by tsr_malloc");
  h->magic = 0;
  __atomic_sub_fetch(&in_use, h->bytes, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
  free(h);
  *p = NULL;
  return TSR_SUCCESS;
}

void tsr_mem_get_stats(tsr_mem_stats *stats) {
  stats->bytes_in_use = __atomic_load_n(&in_use, __ATOMIC_RELAXED);
  stats->bytes_peak = __atomic_load_n(&peak, __ATOMIC_RELAXED);
  stats->live_blocks = __atomic_load_n(&live, __ATOMIC_RELAXED);
  stats->total_allocs = __atomic_load_n(&total, __ATOMIC_RELAXED);
}
