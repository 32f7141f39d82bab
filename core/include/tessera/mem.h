/**
 * @file mem.h
 * @brief Aligned, counted allocation.
 *
 * Every Tessera array is allocated here: aligned to TSR_ALIGN bytes and counted, so that the
 * end-of-run report can show the peak and a debug build can report leaks at finalize.
 * Allocation failure is a rank-local error (TSR_ERR_MEM) naming the size asked for.
 *
 * Blocks of 4 MiB and more get a mapping of their own whose data starts on a 2 MiB boundary
 * and is advised to the kernel as transparent huge pages (Linux `madvise(MADV_HUGEPAGE)`; it
 * takes effect when /sys/kernel/mm/transparent_hugepage/enabled is `always` or `madvise`, the
 * usual settings). Their first touch then costs one fault per 2 MiB instead of one per 4 KiB,
 * which on virtual machines makes creating large fields several times faster
 * (docs/performance.md). Callers may rely on TSR_ALIGN alignment only. The counters of
 * tsr_mem_get_stats() count the bytes asked for, not the padding to pages.
 */
#ifndef TESSERA_MEM_H
#define TESSERA_MEM_H

#include "tessera/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Allocation statistics of this process. */
typedef struct {
  size_t bytes_in_use; /**< bytes currently allocated through tsr_malloc() */
  size_t bytes_peak;   /**< highest value bytes_in_use has reached */
  size_t live_blocks;  /**< blocks allocated and not yet freed */
  size_t total_allocs; /**< number of allocations since start */
} tsr_mem_stats;

/**
 * Allocate @p bytes aligned to TSR_ALIGN; @p *ptr receives the block (NULL for 0 bytes).
 * Not collective. Errors: TSR_ERR_MEM (rank-local).
 */
TSR_EXTERN tsr_err tsr_malloc(size_t bytes, void *ptr);

/** As tsr_malloc() for @p count elements of @p size bytes, zero-filled, overflow-checked. */
TSR_EXTERN tsr_err tsr_calloc(size_t count, size_t size, void *ptr);

/** Free a block from tsr_malloc()/tsr_calloc() held in @p *ptr and set @p *ptr to NULL. */
TSR_EXTERN tsr_err tsr_free(void *ptr);

/**
 * Turn the huge-page advice for large blocks on (the default) or off for blocks allocated
 * from now on. A process-wide setting, not collective: every context created sets it from its
 * `--huge-pages` option, so the last one wins. Where huge pages are unavailable (no
 * MADV_HUGEPAGE, or an AddressSanitizer build, whose checks cover heap blocks only) it stays off.
 */
TSR_EXTERN void tsr_mem_set_huge_pages(bool on);

/** True when blocks of 4 MiB and more allocated now get huge-page advice. */
TSR_EXTERN bool tsr_mem_get_huge_pages(void);

/** Copy this process's allocation statistics into @p stats. */
TSR_EXTERN void tsr_mem_get_stats(tsr_mem_stats *stats);

/** Allocate an array of @p n elements of the pointee type of @p p (uninitialised). */
#define TSR_MALLOC(n, p) tsr_malloc((size_t)(n) * sizeof(**(p)), (p))
/** Allocate a zeroed array of @p n elements of the pointee type of @p p. */
#define TSR_CALLOC(n, p) tsr_calloc((size_t)(n), sizeof(**(p)), (p))

#ifdef __cplusplus
}
#endif
#endif
