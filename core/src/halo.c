/* Halo plan lifecycle: create, configure, validate, set up, report, destroy. Building the
 * messages lives in halo_plan.c, the exchange itself in halo_exchange.c. */
#include "halo_impl.h"

#include "tessera/mem.h"

static const char *const strategy_names[] = {"auto", "direct", "rounds"};

const char *tsr_halo_strategy_name(tsr_halo_strategy strategy) {
  if ((int)strategy < 0 || (int)strategy > TSR_HALO_ROUNDS) return "unknown";
  return strategy_names[strategy];
}

tsr_err tsr_halo_create(tsr_grid grid, tsr_halo *halo) {
  TSR_CHECK(halo, TSR_ERR_ARG, "tsr_halo_create: the output handle pointer is NULL");
  *halo = NULL;
  TSR_CHECK(grid, TSR_ERR_ARG, "tsr_halo_create: the grid is NULL");
  tsr_halo h;
  TSR_CALL(TSR_CALLOC(1, &h));
  h->grid = grid;
  h->ctx = tsr_grid_ctx(grid);
  h->shape = TSR_SHAPE_STAR;
  h->strategy = TSR_HALO_AUTO;
  *halo = h;
  return TSR_SUCCESS;
}

tsr_err tsr_halo_destroy(tsr_halo *halo) {
  if (!halo || !*halo) return TSR_SUCCESS;
  tsr_halo h = *halo;
  /* An exchange in flight still owns the buffers: complete it before freeing them. */
  if (h->in_flight) {
    halo_round *r = &h->rounds[0];
    if (r->nmsg) TSR_CALL_MPI(MPI_Waitall(2 * r->nmsg, r->reqs, MPI_STATUSES_IGNORE));
    h->in_flight = false;
  }
  TSR_CALL(tsr_halo_free_plan_(h));
  TSR_CALL(tsr_free(&h->fields));
  TSR_CALL(tsr_free(&h));
  *halo = NULL;
  return TSR_SUCCESS;
}

/* Every set_* call is refused once the plan is built: the plan would silently not match. */
static tsr_err check_not_setup(tsr_halo h, const char *func) {
  TSR_CHECK(h, TSR_ERR_ARG, "%s: the halo plan is NULL", func);
  TSR_CHECK(!h->is_setup, TSR_ERR_STATE,
            "%s: the halo plan is already set up; configure it before tsr_halo_setup()", func);
  return TSR_SUCCESS;
}

tsr_err tsr_halo_add_field(tsr_halo halo, tsr_field field) {
  TSR_CALL(check_not_setup(halo, __func__));
  TSR_CHECK(field, TSR_ERR_ARG, "tsr_halo_add_field: the field is NULL");
  TSR_CHECK(tsr_field_grid(field) == halo->grid, TSR_ERR_ARG,
            "tsr_halo_add_field: field '%s' lives on another grid than the halo plan",
            tsr_field_name(field));
  for (int i = 0; i < halo->nfields; i++)
    TSR_CHECK(halo->fields[i] != field, TSR_ERR_ARG,
              "tsr_halo_add_field: field '%s' is already in the halo plan", tsr_field_name(field));
  if (halo->nfields == halo->fields_cap) {
    int cap = halo->fields_cap ? 2 * halo->fields_cap : 4;
    tsr_field *grown;
    TSR_CALL(TSR_MALLOC(cap, &grown));
    for (int i = 0; i < halo->nfields; i++)
      grown[i] = halo->fields[i];
    TSR_CALL(tsr_free(&halo->fields));
    halo->fields = grown;
    halo->fields_cap = cap;
  }
  halo->fields[halo->nfields++] = field;
  return TSR_SUCCESS;
}

tsr_err tsr_halo_set_shape(tsr_halo halo, tsr_halo_shape shape) {
  TSR_CALL(check_not_setup(halo, __func__));
  TSR_CHECK(shape == TSR_SHAPE_STAR || shape == TSR_SHAPE_BOX, TSR_ERR_ARG,
            "tsr_halo_set_shape: shape %d is neither TSR_SHAPE_STAR (0) nor TSR_SHAPE_BOX (1)",
            (int)shape);
  halo->shape = shape;
  return TSR_SUCCESS;
}

tsr_err tsr_halo_set_width(tsr_halo halo, int width) {
  TSR_CALL(check_not_setup(halo, __func__));
  TSR_CHECK(width >= 1, TSR_ERR_ARG, "tsr_halo_set_width: width %d must be at least 1", width);
  halo->width = width;
  return TSR_SUCCESS;
}

tsr_err tsr_halo_set_strategy(tsr_halo halo, tsr_halo_strategy strategy) {
  TSR_CALL(check_not_setup(halo, __func__));
  TSR_CHECK((int)strategy >= TSR_HALO_AUTO && (int)strategy <= TSR_HALO_ROUNDS, TSR_ERR_ARG,
            "tsr_halo_set_strategy: strategy %d is not AUTO (0), DIRECT (1) or ROUNDS (2)",
            (int)strategy);
  halo->strategy = strategy;
  return TSR_SUCCESS;
}

tsr_err tsr_halo_set_from_options(tsr_halo halo) {
  TSR_CALL(check_not_setup(halo, __func__));
  int choice = (int)halo->strategy;
  TSR_CALL(tsr_options_get_enum(tsr_ctx_options(halo->ctx), "halo-box",
                                "how box-shaped halo exchanges travel: auto (rounds in 3-D, "
                                "direct otherwise), direct (one message per neighbour) or rounds "
                                "(three dimension-ordered rounds of face messages)",
                                strategy_names, 3, choice, &choice));
  halo->strategy = (tsr_halo_strategy)choice;
  return TSR_SUCCESS;
}

/* Default the width and check it against every field's ghost width. */
static tsr_err resolve_width(tsr_halo h) {
  TSR_CHECK(h->nfields > 0, TSR_ERR_ARG,
            "tsr_halo_setup: the halo plan has no fields; add some with tsr_halo_add_field()");
  int smallest = tsr_field_ghost_width(h->fields[0]);
  for (int i = 1; i < h->nfields; i++)
    if (tsr_field_ghost_width(h->fields[i]) < smallest)
      smallest = tsr_field_ghost_width(h->fields[i]);
  if (h->width == 0) {
    TSR_CHECK(smallest >= 1, TSR_ERR_ARG,
              "tsr_halo_setup: no halo width was set and a field has ghost width 0, so there "
              "is nothing to exchange");
    h->width = smallest;
  }
  for (int i = 0; i < h->nfields; i++)
    TSR_CHECK(h->width <= tsr_field_ghost_width(h->fields[i]), TSR_ERR_ARG,
              "tsr_halo_setup: halo width %d exceeds the ghost width %d of field '%s'", h->width,
              tsr_field_ghost_width(h->fields[i]), tsr_field_name(h->fields[i]));
  return TSR_SUCCESS;
}

/* The AUTO rule of halo.h: box shapes in 3-D go in rounds (26 messages, 20 of them small edge
 * and corner ones, become 6); everything else goes direct. Star shapes only need faces, so
 * they always travel in one direct round whatever was asked. */
static tsr_halo_strategy resolve_strategy(tsr_halo h, int dim) {
  if (h->shape == TSR_SHAPE_STAR) return TSR_HALO_DIRECT;
  if (h->strategy != TSR_HALO_AUTO) return h->strategy;
  return dim == 3 ? TSR_HALO_ROUNDS : TSR_HALO_DIRECT;
}

/* Cache one view per component of every field: the packing loops read only these. */
static tsr_err collect_views(tsr_halo h) {
  int n = 0;
  for (int i = 0; i < h->nfields; i++)
    n += tsr_field_num_components(h->fields[i]);
  TSR_CALL(TSR_MALLOC(n, &h->views));
  h->nviews = 0;
  for (int i = 0; i < h->nfields; i++)
    for (int c = 0; c < tsr_field_num_components(h->fields[i]); c++)
      TSR_CALL(tsr_field_get_view(h->fields[i], c, &h->views[h->nviews++]));
  return TSR_SUCCESS;
}

/* Bytes each round's messages carry, so the exchange counts them without a loop. */
static void count_round_bytes(tsr_halo h) {
  for (int r = 0; r < h->nrounds; r++) {
    halo_round *round = &h->rounds[r];
    round->send_bytes = 0;
    for (int m = 0; m < round->nmsg; m++)
      round->send_bytes += round->links[m].cells * h->nviews * (int64_t)sizeof(double);
  }
}

tsr_err tsr_halo_setup(tsr_halo halo) {
  TSR_CHECK(halo, TSR_ERR_ARG, "tsr_halo_setup: the halo plan is NULL");
  if (halo->is_setup) return TSR_SUCCESS;
  TSR_CALL(tsr_halo_free_plan_(halo)); /* leftovers of an earlier setup that failed */
  tsr_grid_info g;
  TSR_CALL(tsr_grid_get_info(halo->grid, &g));
  TSR_CALL(resolve_width(halo));
  for (int a = 0; a < g.dim; a++)
    TSR_CHECK(g.tile_min[a] >= halo->width, TSR_ERR_DECOMP,
              "tsr_halo_setup: halo width %d exceeds the thinnest tile (%lld cells on axis %d)",
              halo->width, (long long)g.tile_min[a], a);
  halo->strategy = resolve_strategy(halo, g.dim);
  halo->comm = tsr_ctx_comm(halo->ctx);
  halo->nthreads = tsr_ctx_num_threads(halo->ctx);
  if (halo->nthreads < 1) halo->nthreads = 1;
  TSR_CALL(collect_views(halo));
  TSR_CALL(tsr_halo_build_plan_(halo));
  count_round_bytes(halo);
  halo->events = tsr_ctx_events(halo->ctx);
  halo->is_setup = true;
  return TSR_SUCCESS;
}

tsr_err tsr_halo_get_info(tsr_halo halo, tsr_halo_info *info) {
  TSR_CHECK(halo && info, TSR_ERR_ARG, "tsr_halo_get_info: NULL plan or info pointer");
  TSR_CHECK(halo->is_setup, TSR_ERR_STATE,
            "tsr_halo_get_info: the halo plan is not set up; call tsr_halo_setup() first");
  *info = halo->info;
  return TSR_SUCCESS;
}

tsr_err tsr_halo_begin(tsr_halo halo) {
  TSR_CHECK(halo, TSR_ERR_ARG, "tsr_halo_begin: the halo plan is NULL");
  TSR_CHECK(halo->is_setup, TSR_ERR_STATE,
            "tsr_halo_begin: the halo plan is not set up; call tsr_halo_setup() first");
  TSR_CHECK(!halo->in_flight, TSR_ERR_STATE,
            "tsr_halo_begin: an exchange is already in flight; call tsr_halo_end() first");
  /* In flight from the first started receive on, so that a failure part-way still lets end or
   * destroy complete the requests before their buffers go. */
  halo->in_flight = true;
  TSR_CALL(tsr_halo_round_start_(halo, 0));
  return TSR_SUCCESS;
}

tsr_err tsr_halo_end(tsr_halo halo) {
  TSR_CHECK(halo, TSR_ERR_ARG, "tsr_halo_end: the halo plan is NULL");
  TSR_CHECK(halo->in_flight, TSR_ERR_STATE,
            "tsr_halo_end: no exchange is in flight; call tsr_halo_begin() first");
  TSR_CALL(tsr_halo_round_finish_(halo, 0));
  halo->in_flight = false; /* only once the first round's requests are complete */
  /* Later rounds carry ghosts filled by earlier ones, so they run one after another here. */
  for (int r = 1; r < halo->nrounds; r++) {
    TSR_CALL(tsr_halo_round_start_(halo, r));
    TSR_CALL(tsr_halo_round_finish_(halo, r));
  }
  return TSR_SUCCESS;
}

tsr_err tsr_halo_exchange(tsr_halo halo) {
  TSR_CALL(tsr_halo_begin(halo));
  TSR_CALL(tsr_halo_end(halo));
  return TSR_SUCCESS;
}
