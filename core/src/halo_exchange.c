/* The hot path of a halo exchange: start and finish a round. Nothing here allocates or creates
 * requests. Packing, unpacking and local copies share rows of boxes among the OpenMP threads;
 * every MPI call stays outside the parallel regions (MPI_THREAD_FUNNELED). */
#include "halo_impl.h"

/* The row of box @p b at (j, k) offsets from its corner: a pointer to its first cell. */
static inline double *row_at(const tsr_view *v, const tsr_box *b, int64_t j, int64_t k) {
  return v->data + b->lo[0] + (b->lo[1] + j) * v->sj + (b->lo[2] + k) * v->sk;
}

/*
 * The three box loops below are orphaned worksharing loops: called inside a parallel region
 * the threads split the rows (k outermost, collapsed with j so 2-D boxes also spread);
 * `nowait` because every box of a round writes cells no other box of the round touches.
 */
static void pack_box(const tsr_view *v, const tsr_box *b, double *buf) {
  const int64_t nx = tsr_box_extent(b, 0), ny = tsr_box_extent(b, 1), nz = tsr_box_extent(b, 2);
  TSR_OMP(for collapse(2) schedule(static) nowait)
  for (int64_t k = 0; k < nz; k++)
    for (int64_t j = 0; j < ny; j++) {
      const double *src = row_at(v, b, j, k);
      double *dst = buf + (k * ny + j) * nx;
      for (int64_t i = 0; i < nx; i++)
        dst[i] = src[i];
    }
}

static void unpack_box(const tsr_view *v, const tsr_box *b, const double *buf) {
  const int64_t nx = tsr_box_extent(b, 0), ny = tsr_box_extent(b, 1), nz = tsr_box_extent(b, 2);
  TSR_OMP(for collapse(2) schedule(static) nowait)
  for (int64_t k = 0; k < nz; k++)
    for (int64_t j = 0; j < ny; j++) {
      const double *src = buf + (k * ny + j) * nx;
      double *dst = row_at(v, b, j, k);
      for (int64_t i = 0; i < nx; i++)
        dst[i] = src[i];
    }
}

/* Copy box @p from to box @p to (same extents) inside one view: a periodic self-neighbour. */
static void copy_box(const tsr_view *v, const tsr_box *from, const tsr_box *to) {
  const int64_t nx = tsr_box_extent(to, 0), ny = tsr_box_extent(to, 1), nz = tsr_box_extent(to, 2);
  TSR_OMP(for collapse(2) schedule(static) nowait)
  for (int64_t k = 0; k < nz; k++)
    for (int64_t j = 0; j < ny; j++) {
      const double *src = row_at(v, from, j, k);
      double *dst = row_at(v, to, j, k);
      for (int64_t i = 0; i < nx; i++)
        dst[i] = src[i];
    }
}

/*
 * Smaller rounds are packed, unpacked and copied by the calling thread alone. Opening a
 * parallel region costs a wake-up of the other threads (tens of microseconds when they sit on
 * a busy core), more than copying a few tens of KiB: tsr_bench_halo at 1 rank x 2 threads
 * measured Tessera 1.7-2.7x slower than a hand-written exchange for 16^3-64^3 tiles with
 * threaded packing (2026-11-25, loaded 2-core Zen 5). 256 KiB per round (a 128^3 tile's
 * width-2 faces, or 64^3 at width 4) is where copying takes long enough for a second thread
 * to pay off.
 */
static const int64_t par_min_bytes = (int64_t)256 << 10;

/* Whether a round moving @p cells cells per view is worth a parallel region. */
static bool round_parallel(const tsr_halo h, int64_t cells) {
  return h->nthreads > 1 && cells * h->nviews * (int64_t)sizeof(double) >= par_min_bytes;
}

/* Cells of links [first, first + n) of a round. */
static int64_t round_cells(const halo_round *r, int first, int n) {
  int64_t cells = 0;
  for (int c = first; c < first + n; c++)
    cells += r->links[c].cells;
  return cells;
}

static void pack_round(const tsr_halo h, const halo_round *r) {
  const bool par = round_parallel(h, round_cells(r, 0, r->nmsg));
  TSR_OMP(parallel num_threads(h->nthreads) if (par))
  for (int m = 0; m < r->nmsg; m++) {
    const halo_link *l = &r->links[m];
    for (int v = 0; v < h->nviews; v++)
      pack_box(&h->views[v], &l->send, l->sendbuf + v * l->cells);
  }
}

static void unpack_round(const tsr_halo h, const halo_round *r) {
  const bool par = round_parallel(h, round_cells(r, 0, r->nmsg));
  TSR_OMP(parallel num_threads(h->nthreads) if (par))
  for (int m = 0; m < r->nmsg; m++) {
    const halo_link *l = &r->links[m];
    for (int v = 0; v < h->nviews; v++)
      unpack_box(&h->views[v], &l->recv, l->recvbuf + v * l->cells);
  }
}

static void copy_round(const tsr_halo h, const halo_round *r) {
  const bool par = round_parallel(h, round_cells(r, r->nmsg, r->ncopy));
  TSR_OMP(parallel num_threads(h->nthreads) if (par))
  for (int c = r->nmsg; c < r->nmsg + r->ncopy; c++) {
    const halo_link *l = &r->links[c];
    for (int v = 0; v < h->nviews; v++)
      copy_box(&h->views[v], &l->send, &l->recv);
  }
}

/*
 * Events (event.h): halo.post covers the whole start of a round and counts its messages and
 * bytes; halo.pack nests inside it (so post's self time is the MPI start calls alone). The
 * finish is three flat events: halo.copy, halo.wait, halo.unpack. Rounds without messages
 * (or copies) record nothing.
 */
tsr_err tsr_halo_round_start_(tsr_halo h, int r) {
  halo_round *round = &h->rounds[r];
  if (round->nmsg == 0) return TSR_SUCCESS;
  TSR_CALL(tsr_event_begin(h->events, TSR_EV_HALO_POST));
  /* Receives first, so a fast neighbour's message lands straight in our buffer. */
  TSR_CALL_MPI(MPI_Startall(round->nmsg, round->reqs));
  TSR_CALL(tsr_event_begin(h->events, TSR_EV_HALO_PACK));
  pack_round(h, round);
  TSR_CALL(tsr_event_end(h->events, TSR_EV_HALO_PACK));
  TSR_CALL_MPI(MPI_Startall(round->nmsg, round->reqs + round->nmsg));
  TSR_CALL(tsr_event_add_messages(h->events, TSR_EV_HALO_POST, round->nmsg, round->send_bytes));
  TSR_CALL(tsr_event_end(h->events, TSR_EV_HALO_POST));
  return TSR_SUCCESS;
}

tsr_err tsr_halo_round_finish_(tsr_halo h, int r) {
  halo_round *round = &h->rounds[r];
  /* Local copies touch neither buffers nor the boxes being received: do them while the
   * messages travel. */
  if (round->ncopy) {
    TSR_CALL(tsr_event_begin(h->events, TSR_EV_HALO_COPY));
    copy_round(h, round);
    TSR_CALL(tsr_event_end(h->events, TSR_EV_HALO_COPY));
  }
  if (round->nmsg == 0) return TSR_SUCCESS;
  TSR_CALL(tsr_event_begin(h->events, TSR_EV_HALO_WAIT));
  TSR_CALL_MPI(MPI_Waitall(2 * round->nmsg, round->reqs, MPI_STATUSES_IGNORE));
  TSR_CALL(tsr_event_end(h->events, TSR_EV_HALO_WAIT));
  TSR_CALL(tsr_event_begin(h->events, TSR_EV_HALO_UNPACK));
  unpack_round(h, round);
  TSR_CALL(tsr_event_end(h->events, TSR_EV_HALO_UNPACK));
  return TSR_SUCCESS;
}

/* Testing the requests drives MPI's progress engine: without it a rendezvous message may only
 * move once the receiver waits. Completed persistent requests become inactive, and the wait in
 * tsr_halo_round_finish_() returns at once for them. */
tsr_err tsr_halo_progress(tsr_halo halo, bool *done) {
  TSR_CHECK(halo, TSR_ERR_ARG, "tsr_halo_progress: the halo plan is NULL");
  TSR_CHECK(halo->in_flight, TSR_ERR_STATE,
            "tsr_halo_progress: no exchange is in flight; call tsr_halo_begin() first");
  halo_round *round = &halo->rounds[0];
  int flag = 1;
  if (round->nmsg)
    TSR_CALL_MPI(MPI_Testall(2 * round->nmsg, round->reqs, &flag, MPI_STATUSES_IGNORE));
  if (done) *done = flag != 0;
  return TSR_SUCCESS;
}
