/* Private body of tsr_krylov, shared by cg.c (set-up and CG) and pcg_pipelined.c. */
#ifndef TESSERA_KRYLOV_IMPL_H
#define TESSERA_KRYLOV_IMPL_H

#include "tessera/kernels/krylov.h"

#include "poisson_impl.h"

enum { KRYLOV_NVEC = 9 };

struct tsr_krylov_s {
  tsr_poisson op;
  tsr_krylov_type type;
  tsr_pc_type pc;
  tsr_mg mg;
  tsr_solve_params params;
  bool is_setup;
  tsr_field v[KRYLOV_NVEC];
  poisson_vec *rec[KRYLOV_NVEC];
};

/* u = M r (the preconditioner; u made with a box halo). */
tsr_err krylov_pc_apply(tsr_krylov ksp, int r, int u);

/* Start a solve: check vectors, |b|, and r = b - A x into vector 0; sets info->bnorm. */
tsr_err krylov_start(tsr_krylov ksp, tsr_field b, tsr_field x, tsr_solve_info *info,
                     poisson_vec **vb, poisson_vec **vx);

/* Check the CG coefficients: gamma = r'Mr and the denominator p'Ap; false (and status set)
 * on breakdown. */
bool krylov_coefficients_ok(tsr_solve_info *info, double gamma, double denom);

tsr_err krylov_solve_pipecg(tsr_krylov ksp, tsr_field b, tsr_field x, tsr_solve_info *info);

#endif
