/* Private to the stencil kernels: argument checks shared by every kernel and the sweep
 * driver that owns threading, cache blocking and streaming stores.
 *
 * A kernel supplies a row function that computes cells [i0, i0 + len) of row (j, k) into
 * dst (either the output row itself or a small per-thread buffer that the driver then copies
 * out with streaming stores); the driver decides who computes which row and in what order.
 * So every kernel gets the same OpenMP layout (consistent with field first touch) and the
 * same streaming logic, and a cell's bits never depend on that layout. */
#ifndef TSR_KERNELS_STENCIL_SWEEP_H
#define TSR_KERNELS_STENCIL_SWEEP_H

#include "tessera/kernels/stencil.h"

/* Cells are addressed with ptrdiff_t offsets; local indices always fit. */
static inline ptrdiff_t tsr_k_offset(const tsr_view *v, ptrdiff_t i, ptrdiff_t j, ptrdiff_t k) {
  return i + j * v->sj + k * v->sk;
}

/* Row functions are compiled for several x86 vector widths and picked once at load time
 * (ifunc), since the default build targets baseline x86-64 (SSE2) and a 2-wide loop cannot
 * keep up with memory on the 7-point stencil. Lanes compute exactly the scalar operations
 * (no FMA contraction: -ffp-contract=off), so every clone gives the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__AVX2__) &&       \
    !defined(TSR_K_NO_CLONES)
#define TSR_K_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TSR_K_CLONES
#endif

/* Compute cells [i0, i0 + len) of row (j, k) into dst[0 .. len). */
typedef void (*tsr_k_row_fn)(const void *ctx, ptrdiff_t i0, ptrdiff_t j, ptrdiff_t k, ptrdiff_t len,
                             double *dst);

/* What the driver needs to know about one sweep. */
typedef struct {
  tsr_box box;            /* cells to compute (checked, not empty) */
  const tsr_view *out;    /* where they go */
  tsr_stream_mode stream; /* the caller's streaming choice */
  size_t in_row_bytes;    /* bytes read per row of the box, all inputs, ghosts included */
  int reach[TSR_MAX_DIM]; /* the stencil's reach (for the cache-blocking estimate) */
  tsr_k_row_fn row;       /* the kernel */
  tsr_k_row_fn row_nt;    /* optional: the same cells, written straight to the output row with
                             non-temporal stores (NULL: streaming goes through a buffer) */
  const void *ctx;        /* its arguments */
} tsr_k_sweep;

/* Direct streaming row functions: explicit AVX-512 / AVX2 bodies whose vector stores are
 * non-temporal (`_mm512_stream_pd` / `_mm256_stream_pd`) on aligned output addresses, with
 * scalar head and tail; built only where GCC can target those ISAs. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(TSR_K_NO_CLONES)
#define TSR_K_HAVE_NT_ROWS 1
#define TSR_K_AVX512 __attribute__((target("avx512f")))
#define TSR_K_AVX2 __attribute__((target("avx2")))
#endif

/* The widest direct-streaming vector the CPU runs: 512, 256, or 0 (none: use the buffer). */
int tsr_k_nt_width(void);

/* Run the sweep: one OpenMP parallel region, static schedule over the outermost axis with
 * more than one cell, blocked along j when the planes a thread keeps live overflow cache. */
void tsr_k_sweep_run(const tsr_k_sweep *s);

/* Whether this sweep would use streaming stores (exposed for the timing harness). */
bool tsr_k_sweep_streams(tsr_stream_mode mode, const tsr_box *box);

/* Check @p out and @p box (NULL, box inside the owned cells); *empty when nothing to do.
 * @p who names the kernel in messages. */
tsr_err tsr_k_check_out(const char *who, const tsr_view *out, const tsr_box *box, bool *empty);

/* Check an input view @p in (named @p name) read over @p box grown by @p reach: data, owned
 * extents equal to @p out's, ghosts at least @p reach, and no overlap between the memory read
 * and the memory @p out writes over @p box. Call after tsr_k_check_out() on a non-empty box. */
tsr_err tsr_k_check_in(const char *who, const char *name, const tsr_view *in, const tsr_view *out,
                       const int reach[TSR_MAX_DIM], const tsr_box *box);

/* Same for an input read only at the cells of @p box that may also be @p out itself (same
 * data and strides), as the residual's right-hand side may. */
tsr_err tsr_k_check_pointwise_in(const char *who, const char *name, const tsr_view *in,
                                 const tsr_view *out, const tsr_box *box);

#endif
