/* Applying an operator: the exchange plan of each input field (built at first use), and the
 * overlapped application with its timing:
 *
 *   begin -> interior chunks, halo progress between them -> end -> boundary fill -> shell.
 *
 * A calibration application does the same work in another order (begin, end, fill, interior,
 * shell): every cell is still computed once, by the same kernel from the same values, so the
 * result does not change, and begin + end is then the bare cost of the exchange. */
#include "operator_impl.h"
#include "tessera/mem.h"

/* ---------------------------------------------------------------------------------------- */
/* Plans                                                                                      */
/* ---------------------------------------------------------------------------------------- */

tsr_err tsr_op_free_plans_(tsr_op op) {
  for (int p = 0; p < op->nplans; p++) {
    TSR_CALL(tsr_halo_destroy(&op->plans[p].halo));
    TSR_CALL(tsr_free(&op->plans[p].in));
  }
  TSR_CALL(tsr_free(&op->plans));
  op->nplans = 0;
  return TSR_SUCCESS;
}

/* The kernel's input views: x's components, then each coefficient field's. */
static tsr_err collect_inputs(tsr_op op, tsr_field x, op_plan *plan) {
  int n = tsr_field_num_components(x);
  for (int c = 0; c < op->ncoefs; c++)
    n += tsr_field_num_components(op->coefs[c]);
  TSR_CALL(TSR_MALLOC(n, &plan->in));
  plan->nin = 0;
  for (int c = 0; c < tsr_field_num_components(x); c++)
    TSR_CALL(tsr_field_get_view(x, c, &plan->in[plan->nin++]));
  for (int f = 0; f < op->ncoefs; f++)
    for (int c = 0; c < tsr_field_num_components(op->coefs[f]); c++)
      TSR_CALL(tsr_field_get_view(op->coefs[f], c, &plan->in[plan->nin++]));
  return TSR_SUCCESS;
}

/* Build the plan of a new input field (collective: every rank meets x for the first time in
 * the same application). */
static tsr_err build_plan(tsr_op op, tsr_field x, op_plan **out) {
  op_plan *grown;
  TSR_CALL(TSR_CALLOC(op->nplans + 1, &grown));
  for (int p = 0; p < op->nplans; p++)
    grown[p] = op->plans[p];
  TSR_CALL(tsr_free(&op->plans));
  op->plans = grown;
  op_plan *plan = &op->plans[op->nplans++]; /* counted now so destroy frees a partial plan */
  plan->x = x;
  TSR_CALL(collect_inputs(op, x, plan));
  TSR_CALL(tsr_halo_create(op->grid, &plan->halo));
  TSR_CALL(tsr_halo_add_field(plan->halo, x));
  TSR_CALL(tsr_halo_set_shape(plan->halo, op->shape));
  TSR_CALL(tsr_halo_set_width(plan->halo, op->radius));
  TSR_CALL(tsr_halo_set_strategy(plan->halo, op->strategy));
  TSR_CALL(tsr_halo_setup(plan->halo));
  *out = plan;
  return TSR_SUCCESS;
}

static tsr_err find_plan(tsr_op op, tsr_field x, op_plan **plan) {
  for (int p = 0; p < op->nplans; p++)
    if (op->plans[p].x == x) {
      *plan = &op->plans[p];
      return TSR_SUCCESS;
    }
  TSR_CALL(build_plan(op, x, plan));
  return TSR_SUCCESS;
}

/* The output's component views (the array grows only when a wider output comes along). */
static tsr_err collect_outputs(tsr_op op, tsr_field y, tsr_op_views *views) {
  const int n = tsr_field_num_components(y);
  if (n > op->out_cap) {
    TSR_CALL(tsr_free(&op->out));
    TSR_CALL(TSR_MALLOC(n, &op->out));
    op->out_cap = n;
  }
  for (int c = 0; c < n; c++)
    TSR_CALL(tsr_field_get_view(y, c, &op->out[c]));
  views->out = op->out;
  views->nout = n;
  return TSR_SUCCESS;
}

static tsr_err check_apply(tsr_op op, tsr_field x, tsr_field y) {
  TSR_CHECK(op, TSR_ERR_ARG, "tsr_op_apply: the operator is NULL");
  TSR_CHECK(op->is_setup, TSR_ERR_STATE,
            "tsr_op_apply: operator '%s' is not set up; call tsr_op_setup() first", op->name);
  TSR_CHECK(x && y, TSR_ERR_ARG, "tsr_op_apply: operator '%s': NULL %s field", op->name,
            x ? "output" : "input");
  TSR_CHECK(x != y, TSR_ERR_ARG,
            "tsr_op_apply: operator '%s': input and output are the same field '%s'; the "
            "stencil reads neighbours the update would already have overwritten",
            op->name, tsr_field_name(x));
  TSR_CHECK(tsr_field_grid(x) == op->grid && tsr_field_grid(y) == op->grid, TSR_ERR_ARG,
            "tsr_op_apply: operator '%s': field '%s' lives on another grid", op->name,
            tsr_field_name(tsr_field_grid(x) == op->grid ? y : x));
  TSR_CHECK(tsr_field_ghost_width(x) >= op->radius, TSR_ERR_ARG,
            "tsr_op_apply: operator '%s' has radius %d but input '%s' has ghost width %d", op->name,
            op->radius, tsr_field_name(x), tsr_field_ghost_width(x));
  return TSR_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Pieces of an application                                                                   */
/* ---------------------------------------------------------------------------------------- */

/* The boundary fill (with a field @p fill) and the kernel on @p nbox boxes; *cells counts the
 * cells computed. */
static tsr_err run_kernel(tsr_op op, tsr_field fill, const tsr_op_views *views,
                          const tsr_box *boxes, int nbox, double *cells) {
  if (fill) TSR_CALL(tsr_field_fill_boundary(fill));
  for (int b = 0; b < nbox; b++) {
    TSR_CALL(op->fn(views, &boxes[b], op->user));
    *cells += (double)tsr_box_volume(&boxes[b]);
  }
  return TSR_SUCCESS;
}

/* Run the kernel on @p nbox boxes inside event @p ev, adding their time to @p *time; with a
 * field @p fill, first fill its physical boundary ghosts (the shell reads them). The event is
 * closed even when the kernel fails, so the event stack stays balanced. */
static tsr_err run_boxes(tsr_op op, tsr_event ev, tsr_field fill, const tsr_op_views *views,
                         const tsr_box *boxes, int nbox, double *time) {
  const double t0 = tsr_wtime();
  TSR_CALL(tsr_event_begin(op->events, ev));
  double cells = 0;
  const tsr_err err = run_kernel(op, fill, views, boxes, nbox, &cells);
  if (err != TSR_SUCCESS) {
    (void)tsr_event_end(op->events, ev);
    return tsr_error_frame(err, __FILE__, __LINE__, __func__);
  }
  if (op->flops_per_cell > 0)
    TSR_CALL(tsr_event_add_flops(op->events, ev, op->flops_per_cell * cells));
  if (op->bytes_per_cell > 0)
    TSR_CALL(tsr_event_add_bytes_moved(op->events, ev, op->bytes_per_cell * cells));
  TSR_CALL(tsr_event_end(op->events, ev));
  *time += tsr_wtime() - t0;
  return TSR_SUCCESS;
}

/* Boundary fill of the input's physical faces, then the shell. */
static tsr_err run_shell(tsr_op op, tsr_field x, const tsr_op_views *views) {
  TSR_CALL(
      run_boxes(op, op->ev_shell, x, views, op->split.shell, op->split.nshell, &op->shell_time));
  return TSR_SUCCESS;
}

/* The interior chunk by chunk, letting the exchange progress between chunks; the progress
 * calls' time is exposed exchange time. */
static tsr_err interior_with_progress(tsr_op op, tsr_halo halo, const tsr_op_views *views,
                                      double *exposed) {
  bool done = false;
  for (int c = 0; c < op->nchunk; c++) {
    TSR_CALL(run_boxes(op, op->ev_interior, NULL, views, &op->chunk[c], 1, &op->interior_time));
    if (c + 1 == op->nchunk || done) continue;
    const double t0 = tsr_wtime();
    TSR_CALL(tsr_event_begin(op->events, op->ev_progress));
    TSR_CALL(tsr_halo_progress(halo, &done));
    TSR_CALL(tsr_event_end(op->events, op->ev_progress));
    *exposed += tsr_wtime() - t0;
  }
  return TSR_SUCCESS;
}

static tsr_err apply_overlapped(tsr_op op, const op_plan *plan, const tsr_op_views *views) {
  double t0 = tsr_wtime();
  TSR_CALL(tsr_halo_begin(plan->halo));
  double exposed = tsr_wtime() - t0;
  tsr_err err = interior_with_progress(op, plan->halo, views, &exposed);
  if (err != TSR_SUCCESS) {
    (void)tsr_halo_end(plan->halo); /* leave no exchange in flight; the kernel's error wins */
    return tsr_error_frame(err, __FILE__, __LINE__, __func__);
  }
  t0 = tsr_wtime();
  TSR_CALL(tsr_halo_end(plan->halo));
  exposed += tsr_wtime() - t0;
  op->exposed_sum += exposed;
  op->overlapped++;
  TSR_CALL(run_shell(op, plan->x, views));
  return TSR_SUCCESS;
}

static tsr_err apply_calibration(tsr_op op, const op_plan *plan, const tsr_op_views *views) {
  const double t0 = tsr_wtime();
  TSR_CALL(tsr_halo_begin(plan->halo));
  TSR_CALL(tsr_halo_end(plan->halo));
  op->exchange_sum += tsr_wtime() - t0;
  op->calibrations++;
  TSR_CALL(run_boxes(op, op->ev_interior, NULL, views, op->chunk, op->nchunk, &op->interior_time));
  TSR_CALL(run_shell(op, plan->x, views));
  return TSR_SUCCESS;
}

/* Application number @p count (from 1) calibrates: every one without overlap, else numbers
 * 2, 2 + every, 2 + 2 every, ... */
static bool calibrates(const tsr_op op, int64_t count) {
  if (!op->overlap) return true;
  if (op->calibrate_every <= 0 || count < 2) return false;
  return (count - 2) % op->calibrate_every == 0;
}

tsr_err tsr_op_apply(tsr_op op, tsr_field x, tsr_field y) {
  TSR_CALL(check_apply(op, x, y));
  op_plan *plan;
  TSR_CALL(find_plan(op, x, &plan));
  tsr_op_views views = {plan->in, plan->nin, NULL, 0};
  TSR_CALL(collect_outputs(op, y, &views));
  if (calibrates(op, op->applies + 1))
    TSR_CALL(apply_calibration(op, plan, &views));
  else
    TSR_CALL(apply_overlapped(op, plan, &views));
  op->applies++;
  return TSR_SUCCESS;
}
