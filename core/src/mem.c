/* Aligned allocation with a small header in front of each block that remembers its size, so
 * that tsr_free() can keep the counters exact without a lookup table. */
#include "tessera/mem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Counters are process-wide statistics, updated atomically because OpenMP threads may
 * allocate (first-touch buffers are allocated outside parallel regions, but tests do both). */
static size_t in_use, peak, live, total;

/* Large blocks (fields, pack buffers of big tiles) get their own mapping whose data starts on a
 * 2 MiB boundary, advised to the kernel as transparent huge pages. Their first touch then
 * faults 2 MiB at a time instead of 4 KiB: on the virtual machines Tessera is tested on a 4 KiB
 * first touch ran at 0.3-0.4 GB/s, so creating the vectors of a 256^3 solve cost about as much
 * as the solve itself; the heat operator also ran 12 % faster (fewer TLB misses). Their own
 * mapping, not the C heap, so the advice ends with the block (munmap) and never spreads to
 * small allocations that later reuse heap memory. Off in AddressSanitizer builds, which check
 * heap blocks only. tsr_mem_set_huge_pages() switches it (the context's --huge-pages). */
#if defined(__SANITIZE_ADDRESS__)
#define TSR_MEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TSR_MEM_ASAN 1
#endif
#endif
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS) && !defined(TSR_MEM_ASAN)
#define TSR_MEM_HUGE 1
#else
#define TSR_MEM_HUGE 0
#endif
#define HUGE_PAGE_BYTES ((size_t)2 << 20)
#define HUGE_BLOCK_MIN ((size_t)4 << 20)
#define SMALL_PAGE_BYTES ((size_t)4096)
static int huge_pages = TSR_MEM_HUGE;

/* The header occupies one full alignment unit just before the user pointer. */
typedef struct {
  size_t bytes;
  uint64_t magic;
  char *map;      /* the block's own mapping, or NULL for a heap block */
  size_t map_len; /* its length */
} block_header;

#define HEADER_BYTES TSR_ALIGN
#define BLOCK_MAGIC 0x7473726d656d626bULL /* "tsrmembk" */

_Static_assert(sizeof(block_header) <= HEADER_BYTES, "header must fit in one alignment unit");

/* Largest request either path can round up without overflow. */
#define MAX_BYTES (SIZE_MAX - HUGE_PAGE_BYTES - 2 * SMALL_PAGE_BYTES)

#if TSR_MEM_HUGE
/* A mapping of one small page (header) + the data rounded to small pages, placed so the data
 * starts on a 2 MiB boundary: map 2 MiB more, then unmap the slack on both sides. Only whole
 * 2 MiB ranges can become huge pages; the data's tail stays on small pages. */
static char *map_huge(size_t bytes, char **map, size_t *map_len) {
  const size_t data = (bytes + SMALL_PAGE_BYTES - 1) / SMALL_PAGE_BYTES * SMALL_PAGE_BYTES;
  const size_t len = SMALL_PAGE_BYTES + data, span = len + HUGE_PAGE_BYTES;
  char *base = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return NULL;
  const uintptr_t first = (uintptr_t)base + SMALL_PAGE_BYTES;
  char *user =
      base + ((first + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES - (uintptr_t)base);
  char *start = user - SMALL_PAGE_BYTES;
  if (start > base) munmap(base, (size_t)(start - base));
  if (start + len < base + span) munmap(start + len, (size_t)(base + span - (start + len)));
  (void)madvise(user, data, MADV_HUGEPAGE); /* advice only: failure is harmless */
  *map = start;
  *map_len = len;
  return user;
}
#endif

tsr_err tsr_malloc(size_t bytes, void *ptr) {
  void **out = (void **)ptr;
  *out = NULL;
  if (bytes == 0) return TSR_SUCCESS;
  if (bytes > MAX_BYTES)
    TSR_ERROR_LOCAL(TSR_ERR_MEM, "cannot allocate %zu bytes: size overflows", bytes);
  char *user = NULL, *map = NULL;
  size_t map_len = 0;
#if TSR_MEM_HUGE
  /* The layout assumes 4 KiB pages (x86-64; arm64 and ppc64 kernels with 16 or 64 KiB pages
   * have other huge-page sizes too): elsewhere large blocks stay on the heap. */
  if (bytes >= HUGE_BLOCK_MIN && __atomic_load_n(&huge_pages, __ATOMIC_RELAXED) &&
      sysconf(_SC_PAGESIZE) == (long)SMALL_PAGE_BYTES)
    user = map_huge(bytes, &map, &map_len);
#endif
  if (!user) { /* a small block, huge pages off, or the mapping failed: the C heap */
    char *raw =
        aligned_alloc(TSR_ALIGN, (bytes + HEADER_BYTES + TSR_ALIGN - 1) / TSR_ALIGN * TSR_ALIGN);
    if (!raw) TSR_ERROR_LOCAL(TSR_ERR_MEM, "out of memory allocating %zu bytes", bytes);
    user = raw + HEADER_BYTES;
  }
  block_header *h = (block_header *)(user - HEADER_BYTES);
  h->bytes = bytes;
  h->magic = BLOCK_MAGIC;
  h->map = map;
  h->map_len = map_len;
  size_t now = __atomic_add_fetch(&in_use, bytes, __ATOMIC_RELAXED);
  __atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&total, 1, __ATOMIC_RELAXED);
  size_t old = __atomic_load_n(&peak, __ATOMIC_RELAXED);
  while (now > old &&
         !__atomic_compare_exchange_n(&peak, &old, now, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
  *out = user;
  return TSR_SUCCESS;
}

tsr_err tsr_calloc(size_t count, size_t size, void *ptr) {
  if (size && count > SIZE_MAX / size) {
    *(void **)ptr = NULL;
    TSR_ERROR_LOCAL(TSR_ERR_MEM, "cannot allocate %zu x %zu bytes: size overflows", count, size);
  }
  TSR_CALL(tsr_malloc(count * size, ptr));
  char *p = *(char **)ptr;
  /* A fresh mapping is zero already; not writing it leaves its first touch to the threads
   * that will use it. */
  if (p && !((const block_header *)(p - HEADER_BYTES))->map) memset(p, 0, count * size);
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
  if (h->map)
    munmap(h->map, h->map_len);
  else
    free(h);
  *p = NULL;
  return TSR_SUCCESS;
}

void tsr_mem_set_huge_pages(bool on) {
  __atomic_store_n(&huge_pages, on && TSR_MEM_HUGE ? 1 : 0, __ATOMIC_RELAXED);
}

bool tsr_mem_get_huge_pages(void) {
  return __atomic_load_n(&huge_pages, __ATOMIC_RELAXED) != 0;
}

void tsr_mem_get_stats(tsr_mem_stats *stats) {
  stats->bytes_in_use = __atomic_load_n(&in_use, __ATOMIC_RELAXED);
  stats->bytes_peak = __atomic_load_n(&peak, __ATOMIC_RELAXED);
  stats->live_blocks = __atomic_load_n(&live, __ATOMIC_RELAXED);
  stats->total_allocs = __atomic_load_n(&total, __ATOMIC_RELAXED);
}
