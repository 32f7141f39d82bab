/* Private body of an operator, shared by operator.c (lifecycle, settings, split, report) and
 * operator_apply.c (exchange plans and the overlapped application). */
#ifndef TESSERA_KERNELS_OPERATOR_IMPL_H
#define TESSERA_KERNELS_OPERATOR_IMPL_H

#include "tessera/kernels/operator.h"

/* Longest operator name: events are "<name>.interior" etc. within TSR_EVENT_NAME_MAX. */
#define OP_NAME_MAX 38

/* Most interior chunks (progress calls between them). */
#define OP_MAX_CHUNKS 64

/* The exchange plan of one input field, with the kernel's input views (x's components, then
 * the coefficients'), taken once: field storage never moves after setup. */
typedef struct {
  tsr_field x;
  tsr_halo halo;
  tsr_view *in;
  int nin;
} op_plan;

struct tsr_op_s {
  tsr_grid grid;
  tsr_ctx ctx;
  tsr_events events;

  /* Settings (frozen at setup). */
  tsr_op_kernel_fn fn;
  void *user;
  char name[OP_NAME_MAX + 1];
  int radius;
  tsr_halo_shape shape;
  tsr_field *coefs;
  int ncoefs;
  bool overlap;
  int chunks;
  int calibrate_every;
  double flops_per_cell, bytes_per_cell;
  tsr_halo_strategy strategy; /* for box shapes; `--halo-box`, read with the op's options */

  /* Valid after setup. */
  bool is_setup;
  int dim;
  tsr_op_split split;
  tsr_box chunk[OP_MAX_CHUNKS]; /* the interior cut into nchunk boxes */
  int nchunk;
  tsr_event ev_interior, ev_shell, ev_progress;

  /* Plans, one per input field, built at first use. */
  op_plan *plans;
  int nplans;
  tsr_view *out; /* the output's component views, refreshed per application */
  int out_cap;

  /* Measurements on this rank. */
  int64_t applies, calibrations, overlapped;
  double exchange_sum; /* bare exchange seconds over calibrations */
  double exposed_sum;  /* exposed exchange seconds over overlapped applications */
  double interior_time, shell_time;
};

/* Free the plans (operator_apply.c). */
tsr_err tsr_op_free_plans_(tsr_op op);

#endif
