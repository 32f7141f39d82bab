/**
 * @file krylov.h
 * @brief Matrix-free conjugate gradients on the Poisson operator: CG with one combined
 *        reduction per iteration, and pipelined CG whose reduction overlaps the
 *        preconditioner and the operator.
 *
 * CG is the Chronopoulos-Gear variant: the three sums an iteration needs (r.u, u.Au, r.r with
 * u = M r) are computed in the same pass as w = A u and travel in one reduction; the vector
 * updates (p, s, x, r) are one fused pass. Pipelined CG (Ghysels-Vanroose) starts that
 * reduction (tsr_reduce_begin()) and applies the preconditioner and the operator while it
 * travels; it keeps ten vectors and does more vector work per iteration, so it pays when
 * reductions are slow (many ranks), not on two.
 *
 * Preconditioners: none, Jacobi (the inverse diagonal) or one multigrid cycle (mg.h) with a
 * zero initial guess, which is a fixed symmetric positive definite linear operator.
 *
 * Stopping: |r|_2 <= max(rtol |b|_2, atol) on the recursively updated residual (status
 * TSR_CONVERGED_*); failures are reported in tsr_solve_info::status, never silently:
 * max_it reached, p'Ap <= 0 (indefinite operator), r'Mr <= 0 (indefinite preconditioner),
 * NaN, or growth above dtol. With --monitor (tsr_solve_params::monitor) rank 0 prints the
 * residual history.
 *
 * Lifecycle: create -> set_* -> setup (makes the work vectors; collective) -> solve ... ->
 * destroy. Vectors passed to solve must be made by tsr_poisson_create_vector() on the same
 * operator.
 */
#ifndef TESSERA_KERNELS_KRYLOV_H
#define TESSERA_KERNELS_KRYLOV_H

#include "tessera/kernels/mg.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of a Krylov solver. */
typedef struct tsr_krylov_s *tsr_krylov;

/** The method. */
typedef enum {
  TSR_KRYLOV_CG = 0,    /**< CG, Chronopoulos-Gear: one reduction per iteration */
  TSR_KRYLOV_PIPECG = 1 /**< pipelined CG, Ghysels-Vanroose: the reduction overlaps M and A */
} tsr_krylov_type;

/** The preconditioner. */
typedef enum {
  TSR_PC_NONE = 0,   /**< none */
  TSR_PC_JACOBI = 1, /**< inverse diagonal */
  TSR_PC_MG = 2      /**< one multigrid cycle (tsr_krylov_set_pc() gives the tsr_mg) */
} tsr_pc_type;

/** Create a solver on @p op (set up). Not collective. Errors: TSR_ERR_ARG, TSR_ERR_STATE. */
TSR_EXTERN tsr_err tsr_krylov_create(tsr_poisson op, tsr_krylov *ksp);

/** Destroy the solver and its work vectors (not the operator or the multigrid; destroy the
 * solver before the operator) and set @p *ksp to NULL; accepts NULL. Not collective. */
TSR_EXTERN tsr_err tsr_krylov_destroy(tsr_krylov *ksp);

/** Choose the method (default TSR_KRYLOV_CG). Before setup. Errors: ARG, STATE. */
TSR_EXTERN tsr_err tsr_krylov_set_type(tsr_krylov ksp, tsr_krylov_type type);

/**
 * Choose the preconditioner (default none); @p mg (set up, on the same operator) is required
 * for TSR_PC_MG and ignored otherwise. The solver borrows it. Before setup.
 * Errors: TSR_ERR_ARG (unknown type, TSR_PC_MG without mg or on another operator).
 */
TSR_EXTERN tsr_err tsr_krylov_set_pc(tsr_krylov ksp, tsr_pc_type pc, tsr_mg mg);

/** Set the stopping rules and the monitor (default tsr_solve_params_default()). */
TSR_EXTERN tsr_err tsr_krylov_set_params(tsr_krylov ksp, const tsr_solve_params *params);

/** Make the work vectors. Collective; idempotent. */
TSR_EXTERN tsr_err tsr_krylov_setup(tsr_krylov ksp);

/**
 * Solve A x = b from the initial guess in @p x. @p info receives the status, iterations and
 * norms (equal on every rank). A solve that fails to converge returns TSR_SUCCESS with a
 * negative status: callers must check it. Collective.
 * Errors: TSR_ERR_STATE (not set up), TSR_ERR_ARG (vectors not of the operator, b == x).
 */
TSR_EXTERN tsr_err tsr_krylov_solve(tsr_krylov ksp, tsr_field b, tsr_field x, tsr_solve_info *info);

/** Short names: "cg", "pipecg"; "none", "jacobi", "mg". */
TSR_EXTERN const char *tsr_krylov_type_name(tsr_krylov_type type);
TSR_EXTERN const char *tsr_pc_type_name(tsr_pc_type pc);

#ifdef __cplusplus
}
#endif
#endif
