/* Building a halo plan: which directions each round talks to, the send and receive boxes of
 * each, one send and one receive block holding every buffer, and the persistent requests.
 * Everything here runs once, at setup. */
#include "halo_impl.h"

#include "tessera/mem.h"

/* Doubles per buffer are rounded up to this so every buffer starts on a cache line. */
enum { BUF_ALIGN_DOUBLES = TSR_ALIGN / sizeof(double) };

/* Geometry every box computation needs. */
typedef struct {
  int dim;
  int rank; /* this rank, as tsr_grid_neighbor() numbers ranks */
  int width;
  tsr_gidx n[TSR_MAX_DIM];    /* owned cells per axis on this rank */
  bool has_low[TSR_MAX_DIM];  /* a neighbour (possibly this rank) exists below on the axis */
  bool has_high[TSR_MAX_DIM]; /* ... and above */
} plan_geom;

static tsr_err neighbor_exists(tsr_grid grid, int dir, bool *exists) {
  int rank;
  TSR_CALL(tsr_grid_neighbor(grid, dir, &rank));
  *exists = rank >= 0;
  return TSR_SUCCESS;
}

static tsr_err make_geom(tsr_halo h, plan_geom *geo) {
  tsr_grid_info g;
  TSR_CALL(tsr_grid_get_info(h->grid, &g));
  geo->dim = g.dim;
  geo->rank = g.rank;
  geo->width = h->width;
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    geo->n[a] = tsr_box_extent(&g.owned, a);
    geo->has_low[a] = geo->has_high[a] = false;
    if (a >= g.dim) continue;
    int lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
    lo[a] = -1;
    hi[a] = 1;
    TSR_CALL(neighbor_exists(h->grid, tsr_dir_index(lo[0], lo[1], lo[2]), &geo->has_low[a]));
    TSR_CALL(neighbor_exists(h->grid, tsr_dir_index(hi[0], hi[1], hi[2]), &geo->has_high[a]));
  }
  return TSR_SUCCESS;
}

/*
 * Local index range along axis @p a of the box for a message in direction @p dir: the ghost
 * slab beyond the owned cells (receive) or the owned slab next to it (send) where the
 * direction points along the axis, the owned range elsewhere. In round @p round_axis of a
 * ROUNDS plan, axes below it also cover the ghost slabs earlier rounds filled (only on sides
 * that have a neighbour: ghosts at a non-periodic domain edge are never carried along).
 */
static void axis_range(const plan_geom *geo, int dir, int a, bool send, int round_axis,
                       tsr_gidx *lo, tsr_gidx *hi) {
  tsr_gidx n = geo->n[a], w = geo->width;
  int o = a < geo->dim ? tsr_dir_offset(dir, a) : 0;
  if (o < 0) {
    *lo = send ? 0 : -w;
    *hi = send ? w : 0;
  } else if (o > 0) {
    *lo = send ? n - w : n;
    *hi = send ? n : n + w;
  } else {
    *lo = 0;
    *hi = n;
    if (a < round_axis) {
      *lo -= geo->has_low[a] ? w : 0;
      *hi += geo->has_high[a] ? w : 0;
    }
  }
}

static tsr_box link_box(const plan_geom *geo, int dir, bool send, int round_axis) {
  tsr_box b;
  for (int a = 0; a < TSR_MAX_DIM; a++)
    axis_range(geo, dir, a, send, round_axis, &b.lo[a], &b.hi[a]);
  return b;
}

/* Whether direction @p dir belongs to round @p round_axis (-1: the single direct round). */
static bool round_wants(const tsr_halo h, const plan_geom *geo, int round_axis, int dir) {
  if (dir == TSR_DIR_SELF) return false;
  for (int a = geo->dim; a < TSR_MAX_DIM; a++)
    if (tsr_dir_offset(dir, a) != 0) return false; /* axes beyond dim carry no ghosts */
  if (round_axis >= 0) return tsr_dir_order(dir) == 1 && tsr_dir_offset(dir, round_axis) != 0;
  return h->shape == TSR_SHAPE_BOX || tsr_dir_order(dir) == 1;
}

/* Fill one link. A local copy's source is what the peer would have sent: the slab this rank
 * sends in the opposite direction. */
static void make_link(const plan_geom *geo, int dir, int peer, bool local, int round_axis,
                      halo_link *l) {
  l->dir = dir;
  l->peer = peer;
  l->recv = link_box(geo, dir, false, round_axis);
  l->send = link_box(geo, local ? tsr_dir_opposite(dir) : dir, true, round_axis);
  l->cells = tsr_box_volume(&l->recv);
  l->sendbuf = l->recvbuf = NULL;
}

/* The links of one round: MPI messages first, then local copies (peer == this rank). */
static tsr_err build_round(tsr_halo h, const plan_geom *geo, int round_axis, halo_round *r) {
  int dirs[TSR_NUM_DIRS], peers[TSR_NUM_DIRS], count = 0;
  for (int dir = 0; dir < TSR_NUM_DIRS; dir++) {
    if (!round_wants(h, geo, round_axis, dir)) continue;
    int peer;
    TSR_CALL(tsr_grid_neighbor(h->grid, dir, &peer));
    if (peer < 0) continue; /* non-periodic domain edge: ghosts are not ours to write */
    dirs[count] = dir;
    peers[count++] = peer;
  }
  r->nmsg = r->ncopy = 0;
  if (count == 0) return TSR_SUCCESS;
  TSR_CALL(TSR_MALLOC(count, &r->links));
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < count; i++) {
      bool local = peers[i] == geo->rank;
      if (local != (pass == 1)) continue;
      make_link(geo, dirs[i], peers[i], local, round_axis, &r->links[r->nmsg + r->ncopy]);
      if (local)
        r->ncopy++;
      else
        r->nmsg++;
    }
  return TSR_SUCCESS;
}

static int64_t buffer_doubles(const halo_link *l, int nviews) {
  int64_t n = l->cells * nviews;
  return (n + BUF_ALIGN_DOUBLES - 1) / BUF_ALIGN_DOUBLES * BUF_ALIGN_DOUBLES;
}

/* One send and one receive block for all messages of all rounds, carved into buffers. */
static tsr_err allocate_buffers(tsr_halo h) {
  int64_t total = 0;
  for (int r = 0; r < h->nrounds; r++)
    for (int m = 0; m < h->rounds[r].nmsg; m++)
      total += buffer_doubles(&h->rounds[r].links[m], h->nviews);
  TSR_CALL(TSR_MALLOC(total, &h->sendblock));
  TSR_CALL(TSR_MALLOC(total, &h->recvblock));
  int64_t offset = 0;
  for (int r = 0; r < h->nrounds; r++)
    for (int m = 0; m < h->rounds[r].nmsg; m++) {
      halo_link *l = &h->rounds[r].links[m];
      l->sendbuf = h->sendblock + offset;
      l->recvbuf = h->recvblock + offset;
      offset += buffer_doubles(l, h->nviews);
    }
  return TSR_SUCCESS;
}

/*
 * Persistent requests. Each round owns 27 tags; a message carries the tag of the direction
 * in which its sender sends, so the receiver of the ghosts in direction d expects the tag of
 * the opposite direction. The same peer may sit in several directions (a periodic axis with
 * two tiles), and the tags keep those messages apart.
 */
static tsr_err create_requests(tsr_halo h, int tag_base) {
  for (int r = 0; r < h->nrounds; r++) {
    halo_round *round = &h->rounds[r];
    if (round->nmsg == 0) continue;
    TSR_CALL(TSR_MALLOC(2 * round->nmsg, &round->reqs));
    for (int m = 0; m < 2 * round->nmsg; m++)
      round->reqs[m] = MPI_REQUEST_NULL;
    for (int m = 0; m < round->nmsg; m++) {
      const halo_link *l = &round->links[m];
      int count, base = tag_base + TSR_NUM_DIRS * r;
      TSR_CALL(tsr_cast_int(l->cells * h->nviews, "halo message size (doubles)", &count));
      TSR_CALL_MPI(MPI_Recv_init(l->recvbuf, count, MPI_DOUBLE, l->peer,
                                 base + tsr_dir_opposite(l->dir), h->comm, &round->reqs[m]));
      TSR_CALL_MPI(MPI_Send_init(l->sendbuf, count, MPI_DOUBLE, l->peer, base + l->dir, h->comm,
                                 &round->reqs[round->nmsg + m]));
    }
  }
  return TSR_SUCCESS;
}

static void fill_info(tsr_halo h) {
  tsr_halo_info *info = &h->info;
  info->strategy = h->strategy;
  info->width = h->width;
  info->messages = info->local_copies = 0;
  info->bytes = 0;
  for (int r = 0; r < h->nrounds; r++) {
    info->messages += h->rounds[r].nmsg;
    info->local_copies += h->rounds[r].ncopy;
    for (int m = 0; m < h->rounds[r].nmsg; m++)
      info->bytes += h->rounds[r].links[m].cells * h->nviews * (int64_t)sizeof(double);
  }
}

tsr_err tsr_halo_build_plan_(tsr_halo h) {
  plan_geom geo;
  TSR_CALL(make_geom(h, &geo));
  h->nrounds = h->strategy == TSR_HALO_ROUNDS ? geo.dim : 1;
  for (int r = 0; r < h->nrounds; r++)
    TSR_CALL(build_round(h, &geo, h->strategy == TSR_HALO_ROUNDS ? r : -1, &h->rounds[r]));
  TSR_CALL(allocate_buffers(h));
  /* Every rank reserves the same count in the same order (nrounds depends on dim only). */
  int tag_base;
  TSR_CALL(tsr_ctx_reserve_tags(h->ctx, TSR_NUM_DIRS * h->nrounds, &tag_base));
  TSR_CALL(create_requests(h, tag_base));
  fill_info(h);
  return TSR_SUCCESS;
}

tsr_err tsr_halo_free_plan_(tsr_halo h) {
  for (int r = 0; r < TSR_MAX_DIM; r++) {
    halo_round *round = &h->rounds[r];
    for (int m = 0; round->reqs && m < 2 * round->nmsg; m++)
      if (round->reqs[m] != MPI_REQUEST_NULL) TSR_CALL_MPI(MPI_Request_free(&round->reqs[m]));
    TSR_CALL(tsr_free(&round->reqs));
    TSR_CALL(tsr_free(&round->links));
    round->nmsg = round->ncopy = 0;
  }
  h->nrounds = 0;
  TSR_CALL(tsr_free(&h->sendblock));
  TSR_CALL(tsr_free(&h->recvblock));
  TSR_CALL(tsr_free(&h->views));
  h->nviews = 0;
  return TSR_SUCCESS;
}
