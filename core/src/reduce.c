/* Global reductions of several doubles at once on the context's communicator: blocking
 * (MPI_Allreduce) or split-phase (MPI_Iallreduce). In-place when in == out. */
#include "tessera/reduce.h"

static tsr_err mpi_op(tsr_reduce_op op, const char *func, MPI_Op *out) {
  switch (op) {
  case TSR_SUM:
    *out = MPI_SUM;
    return TSR_SUCCESS;
  case TSR_MIN:
    *out = MPI_MIN;
    return TSR_SUCCESS;
  case TSR_MAX:
    *out = MPI_MAX;
    return TSR_SUCCESS;
  }
  TSR_ERROR(TSR_ERR_ARG, "%s: reduction op %d is not TSR_SUM (0), TSR_MIN (1) or TSR_MAX (2)", func,
            (int)op);
}

/* Checks shared by the blocking and split-phase forms; every rank sees the same arguments. */
static tsr_err check_args(tsr_ctx ctx, tsr_reduce_op op, const double *in, const double *out, int n,
                          const char *func, MPI_Op *mop) {
  TSR_CHECK(ctx, TSR_ERR_ARG, "%s: the context is NULL", func);
  TSR_CHECK(n >= 0, TSR_ERR_ARG, "%s: count %d is negative; expected n >= 0", func, n);
  TSR_CHECK(n == 0 || (in && out), TSR_ERR_ARG, "%s: NULL %s buffer for %d values", func,
            in ? "output" : "input", n);
  TSR_CALL(mpi_op(op, func, mop));
  return TSR_SUCCESS;
}

tsr_err tsr_reduce(tsr_ctx ctx, tsr_reduce_op op, const double *in, double *out, int n) {
  MPI_Op mop;
  TSR_CALL(check_args(ctx, op, in, out, n, __func__, &mop));
  if (n == 0) return TSR_SUCCESS; /* every rank passes the same n: nothing to agree on */
  const void *send = in == out ? MPI_IN_PLACE : (const void *)in;
  tsr_events ev = tsr_ctx_events(ctx);
  TSR_CALL(tsr_event_begin(ev, TSR_EV_REDUCE));
  TSR_CALL_MPI(MPI_Allreduce(send, out, n, MPI_DOUBLE, mop, tsr_ctx_comm(ctx)));
  TSR_CALL(tsr_event_add_messages(ev, TSR_EV_REDUCE, 1, (int64_t)n * (int64_t)sizeof(double)));
  TSR_CALL(tsr_event_end(ev, TSR_EV_REDUCE));
  return TSR_SUCCESS;
}

tsr_err tsr_reduce_begin(tsr_ctx ctx, tsr_reduce_op op, const double *in, double *out, int n,
                         tsr_reduce_req *req) {
  TSR_CHECK(req, TSR_ERR_ARG, "tsr_reduce_begin: the request pointer is NULL");
  req->request = MPI_REQUEST_NULL;
  req->events = NULL;
  MPI_Op mop;
  TSR_CALL(check_args(ctx, op, in, out, n, __func__, &mop));
  if (n == 0) return TSR_SUCCESS; /* tsr_reduce_end() then waits on MPI_REQUEST_NULL */
  const void *send = in == out ? MPI_IN_PLACE : (const void *)in;
  tsr_events ev = tsr_ctx_events(ctx);
  TSR_CALL(tsr_event_begin(ev, TSR_EV_REDUCE_BEGIN));
  TSR_CALL_MPI(MPI_Iallreduce(send, out, n, MPI_DOUBLE, mop, tsr_ctx_comm(ctx), &req->request));
  TSR_CALL(
      tsr_event_add_messages(ev, TSR_EV_REDUCE_BEGIN, 1, (int64_t)n * (int64_t)sizeof(double)));
  TSR_CALL(tsr_event_end(ev, TSR_EV_REDUCE_BEGIN));
  req->events = ev;
  return TSR_SUCCESS;
}

tsr_err tsr_reduce_end(tsr_reduce_req *req) {
  TSR_CHECK(req, TSR_ERR_ARG, "tsr_reduce_end: the request pointer is NULL");
  if (!req->events) { /* an idle request (n == 0, or never started): nothing to record */
    TSR_CALL_MPI(MPI_Wait(&req->request, MPI_STATUS_IGNORE));
    return TSR_SUCCESS;
  }
  TSR_CALL(tsr_event_begin(req->events, TSR_EV_REDUCE_WAIT));
  TSR_CALL_MPI(MPI_Wait(&req->request, MPI_STATUS_IGNORE));
  TSR_CALL(tsr_event_end(req->events, TSR_EV_REDUCE_WAIT));
  req->events = NULL;
  return TSR_SUCCESS;
}
