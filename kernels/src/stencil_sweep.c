/* The sweep driver shared by the stencil kernels, and their common argument checks.
 *
 * Threads: one parallel region per sweep. In 3-D (the box has more than one plane) each
 * thread owns a static share of the k planes, the same share tsr_field_setup() first-touched
 * for it, so it reads and writes pages near it. When the (2 reach_k + 1) input planes a thread
 * keeps live while sweeping k overflow its cache budget, the j range is cut into blocks and
 * the k sweep repeated per block; the `omp for schedule(static) nowait` of each block hands
 * every thread the same k share, so placement is unchanged and no barrier is needed.
 *
 * Streaming: when chosen, a kernel that supplies row_nt writes each computed vector straight
 * to the output with non-temporal stores (AVX-512 / AVX2, aligned body, scalar head and
 * tail); other kernels compute rows in pieces into a per-thread buffer in L1 that is copied
 * out with non-temporal stores. Either way a fence ends each thread's share and the output
 * lines are never read for ownership. The arithmetic is the same, so the bits are too.
 * AUTO still means plain stores: on the loaded 2-core test machine (2026-11-25) the direct
 * path measured 0-15% better on some runs and no better on others, within the run-to-run
 * noise, so there is no honest case for making it the default yet. */
#include "stencil_sweep.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define TSR_K_HAVE_STREAM 1
#endif

/* Cells per piece of a streamed row (the per-thread buffer: 4 KiB, stays in L1). */
enum { STREAM_PIECE = 512 };

/* Bytes of input rows a thread may keep live in cache while sweeping k (about half of a
 * 1 MiB private L2, leaving room for the output stream and the other input's lines). */
static const size_t plane_budget = (size_t)512 << 10;

bool tsr_k_sweep_streams(tsr_stream_mode mode, const tsr_box *box) {
#if defined(TSR_K_HAVE_STREAM)
  /* AUTO: plain stores, measured faster on the development machine (see stencil.h). */
  (void)box;
  return mode == TSR_STREAM_ON;
#else
  (void)mode;
  (void)box;
  return false;
#endif
}

/* Copies a streamed row piece out of the per-thread buffer (NULL: no streaming). */
typedef void (*stream_copy_fn)(double *restrict, const double *restrict, ptrdiff_t);

/* Copy n doubles from the buffer b to o with non-temporal stores where o is aligned to VEC
 * bytes, plain stores for the head and tail. One copy per vector width: the widest full-line
 * stores drain the write-combining buffers best; picked at run time (baseline builds have no
 * AVX at compile time). */
#if defined(TSR_K_HAVE_STREAM)
#define STREAM_COPY(name, attr, VEC, STORE)                                                        \
  attr static void name(double *restrict o, const double *restrict b, ptrdiff_t n) {               \
    ptrdiff_t i = 0;                                                                               \
    for (; i < n && ((uintptr_t)(o + i) & (VEC - 1)) != 0; i++)                                    \
      o[i] = b[i];                                                                                 \
    for (; i + VEC / 8 <= n; i += VEC / 8)                                                         \
      STORE;                                                                                       \
    for (; i < n; i++)                                                                             \
      o[i] = b[i];                                                                                 \
  }
STREAM_COPY(stream_copy_128, , 16, _mm_stream_pd(o + i, _mm_loadu_pd(b + i)))
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#include <immintrin.h>
#define TSR_K_WIDE_STREAM 1
STREAM_COPY(stream_copy_256, __attribute__((target("avx"))), 32,
            _mm256_stream_pd(o + i, _mm256_loadu_pd(b + i)))
STREAM_COPY(stream_copy_512, __attribute__((target("avx512f"))), 64,
            _mm512_stream_pd(o + i, _mm512_loadu_pd(b + i)))
#endif

static stream_copy_fn pick_stream_copy(void) {
#if defined(TSR_K_WIDE_STREAM)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return stream_copy_512;
  if (__builtin_cpu_supports("avx")) return stream_copy_256;
#endif
  return stream_copy_128;
}
#endif

int tsr_k_nt_width(void) {
#if defined(TSR_K_HAVE_NT_ROWS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 512;
  if (__builtin_cpu_supports("avx2")) return 256;
#endif
  return 0;
}

/* Order the streaming stores of this thread before whatever follows the sweep. */
static void stream_fence(void) {
#if defined(TSR_K_HAVE_STREAM)
  _mm_sfence();
#endif
}

/* Compute cells [i0, i0 + n) of row (j, k), straight into the output or via the buffer. */
static inline void do_row(const tsr_k_sweep *s, ptrdiff_t i0, ptrdiff_t n, ptrdiff_t j, ptrdiff_t k,
                          stream_copy_fn stream, double *buf) {
  double *o = s->out->data + tsr_k_offset(s->out, i0, j, k);
  if (stream && s->row_nt) {
    s->row_nt(s->ctx, i0, j, k, n, o);
    return;
  }
  if (!stream) {
    s->row(s->ctx, i0, j, k, n, o);
    return;
  }
  for (ptrdiff_t p = 0; p < n; p += STREAM_PIECE) {
    const ptrdiff_t len = n - p < STREAM_PIECE ? n - p : STREAM_PIECE;
    s->row(s->ctx, i0 + p, j, k, len, buf);
    stream(o + p, buf, len);
  }
}

/* Rows per j block so that the live input planes fit the budget (all rows when they do). */
static ptrdiff_t j_block(const tsr_k_sweep *s, ptrdiff_t nj) {
  if (s->reach[2] == 0) return nj; /* no plane is reused: nothing to keep */
  const size_t planes = 2 * (size_t)s->reach[2] + 1;
  const size_t per_row = planes * (s->in_row_bytes ? s->in_row_bytes : 1);
  const size_t halo = 2 * (size_t)s->reach[1];
  if ((size_t)nj + halo <= plane_budget / per_row) return nj;
  const size_t fit = plane_budget / per_row;
  ptrdiff_t jb = fit > halo + 8 ? (ptrdiff_t)(fit - halo) : 8; /* at least a few rows */
  /* Even blocks: a short last block would reuse little. */
  const ptrdiff_t nblocks = (nj + jb - 1) / jb;
  return (nj + nblocks - 1) / nblocks;
}

/* 3-D: static over k inside j blocks. */
static void sweep_planes(const tsr_k_sweep *s, stream_copy_fn stream) {
  const tsr_gidx *lo = s->box.lo, *hi = s->box.hi;
  const ptrdiff_t ni = (ptrdiff_t)(hi[0] - lo[0]), nj = (ptrdiff_t)(hi[1] - lo[1]);
  const ptrdiff_t jb = j_block(s, nj);
  TSR_OMP(parallel) {
    _Alignas(TSR_ALIGN) double buf[STREAM_PIECE];
    for (ptrdiff_t j0 = (ptrdiff_t)lo[1]; j0 < (ptrdiff_t)hi[1]; j0 += jb) {
      const ptrdiff_t j1 = j0 + jb < (ptrdiff_t)hi[1] ? j0 + jb : (ptrdiff_t)hi[1];
      TSR_OMP(for schedule(static) nowait)
      for (ptrdiff_t k = (ptrdiff_t)lo[2]; k < (ptrdiff_t)hi[2]; k++)
        for (ptrdiff_t j = j0; j < j1; j++)
          do_row(s, (ptrdiff_t)lo[0], ni, j, k, stream, buf);
    }
    if (stream) stream_fence();
  }
}

/* 2-D (one plane): static over j. */
static void sweep_rows(const tsr_k_sweep *s, stream_copy_fn stream) {
  const tsr_gidx *lo = s->box.lo, *hi = s->box.hi;
  const ptrdiff_t ni = (ptrdiff_t)(hi[0] - lo[0]), k = (ptrdiff_t)lo[2];
  TSR_OMP(parallel) {
    _Alignas(TSR_ALIGN) double buf[STREAM_PIECE];
    TSR_OMP(for schedule(static) nowait)
    for (ptrdiff_t j = (ptrdiff_t)lo[1]; j < (ptrdiff_t)hi[1]; j++)
      do_row(s, (ptrdiff_t)lo[0], ni, j, k, stream, buf);
    if (stream) stream_fence();
  }
}

/* A box of a single row is cut into chunks of this many cells, shared out statically. */
enum { ROW_CHUNK = 1024 };

/* 1-D (one row): static over chunks of the row. */
static void sweep_chunks(const tsr_k_sweep *s, stream_copy_fn stream) {
  const tsr_gidx *lo = s->box.lo, *hi = s->box.hi;
  const ptrdiff_t ni = (ptrdiff_t)(hi[0] - lo[0]);
  const ptrdiff_t nchunks = (ni + ROW_CHUNK - 1) / ROW_CHUNK;
  TSR_OMP(parallel) {
    _Alignas(TSR_ALIGN) double buf[STREAM_PIECE];
    TSR_OMP(for schedule(static) nowait)
    for (ptrdiff_t c = 0; c < nchunks; c++) {
      const ptrdiff_t first = c * ROW_CHUNK;
      const ptrdiff_t len = ni - first < ROW_CHUNK ? ni - first : ROW_CHUNK;
      do_row(s, (ptrdiff_t)lo[0] + first, len, (ptrdiff_t)lo[1], (ptrdiff_t)lo[2], stream, buf);
    }
    if (stream) stream_fence();
  }
}

void tsr_k_sweep_run(const tsr_k_sweep *s) {
  stream_copy_fn stream = NULL;
#if defined(TSR_K_HAVE_STREAM)
  if (tsr_k_sweep_streams(s->stream, &s->box)) stream = pick_stream_copy();
#endif
  if (s->box.hi[2] - s->box.lo[2] > 1)
    sweep_planes(s, stream);
  else if (s->box.hi[1] - s->box.lo[1] > 1)
    sweep_rows(s, stream);
  else
    sweep_chunks(s, stream);
}

tsr_err tsr_k_check_out(const char *who, const tsr_view *out, const tsr_box *box, bool *empty) {
  if (!out || !box)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: NULL argument (out %p, box %p)", who, (const void *)out,
                    (const void *)box);
  *empty = tsr_box_is_empty(box);
  if (*empty) return TSR_SUCCESS;
  if (!out->data) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: output view without data", who);
  for (int a = 0; a < TSR_MAX_DIM; a++)
    if (box->lo[a] < 0 || box->hi[a] > out->n[a])
      TSR_ERROR_LOCAL(TSR_ERR_ARG,
                      "%s: box [%lld, %lld) on axis %d is outside the owned cells [0, %d)", who,
                      (long long)box->lo[a], (long long)box->hi[a], a, out->n[a]);
  return TSR_SUCCESS;
}

/* First and one-past-last byte addresses of the cells of @p v over @p box grown by @p w. */
static void byte_range(const tsr_view *v, const tsr_box *box, const int w[TSR_MAX_DIM],
                       uintptr_t *first, uintptr_t *end) {
  const double *p0 =
      v->data + tsr_k_offset(v, (ptrdiff_t)box->lo[0] - w[0], (ptrdiff_t)box->lo[1] - w[1],
                             (ptrdiff_t)box->lo[2] - w[2]);
  const double *p1 =
      v->data + tsr_k_offset(v, (ptrdiff_t)box->hi[0] - 1 + w[0], (ptrdiff_t)box->hi[1] - 1 + w[1],
                             (ptrdiff_t)box->hi[2] - 1 + w[2]);
  *first = (uintptr_t)p0;
  *end = (uintptr_t)(p1 + 1);
}

static bool views_overlap(const tsr_view *in, const int reach[TSR_MAX_DIM], const tsr_view *out,
                          const tsr_box *box) {
  static const int none[TSR_MAX_DIM] = {0, 0, 0};
  uintptr_t in0, in1, out0, out1;
  byte_range(in, box, reach, &in0, &in1);
  byte_range(out, box, none, &out0, &out1);
  return in0 < out1 && out0 < in1;
}

static tsr_err check_extents(const char *who, const char *name, const tsr_view *in,
                             const tsr_view *out) {
  if (!in) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: NULL view %s", who, name);
  if (!in->data) TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: view %s without data", who, name);
  for (int a = 0; a < TSR_MAX_DIM; a++)
    if (in->n[a] != out->n[a])
      TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: %s has %d cells on axis %d but the output has %d", who,
                      name, in->n[a], a, out->n[a]);
  return TSR_SUCCESS;
}

tsr_err tsr_k_check_in(const char *who, const char *name, const tsr_view *in, const tsr_view *out,
                       const int reach[TSR_MAX_DIM], const tsr_box *box) {
  TSR_CALL(check_extents(who, name, in, out));
  for (int a = 0; a < TSR_MAX_DIM; a++)
    if (in->ghost[a] < reach[a])
      TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: %s has ghost width %d on axis %d, the stencil needs %d",
                      who, name, in->ghost[a], a, reach[a]);
  if (views_overlap(in, reach, out, box))
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: %s and the output share storage; they must not overlap", who,
                    name);
  return TSR_SUCCESS;
}

tsr_err tsr_k_check_pointwise_in(const char *who, const char *name, const tsr_view *in,
                                 const tsr_view *out, const tsr_box *box) {
  static const int none[TSR_MAX_DIM] = {0, 0, 0};
  TSR_CALL(check_extents(who, name, in, out));
  const bool same = in->data == out->data && in->sj == out->sj && in->sk == out->sk;
  if (!same && views_overlap(in, none, out, box))
    TSR_ERROR_LOCAL(TSR_ERR_ARG,
                    "%s: %s overlaps the output without being the same view; it must be "
                    "the output itself or separate",
                    who, name);
  return TSR_SUCCESS;
}
