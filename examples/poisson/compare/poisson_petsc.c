/* The reference Poisson problem with PETSc: a DMDA over all N + 1 nodes per axis (boundary
 * nodes included, so non-periodic coarsening 2M - 1 -> M works down to M = 5), CG
 * preconditioned by one PCMG V-cycle on levels rediscretised from the DMDA hierarchy, 2-norm
 * (unpreconditioned) relative tolerance 1e-8, zero initial guess. Smoothing: Richardson with one
 * local symmetric SOR sweep before and after. PETSc options (-ksp_view, -mg_levels_ksp_type,
 * -pc_mg_levels, ...) override the defaults. Prints the lines cluster/poisson-compare.sh reads. */
#include <petscdmda.h>
#include <petscksp.h>

#include "compare_common.h"

/* Rows scaled by h^3 (the finite-volume scaling): then the rediscretised coarse operator has
 * the scale of the Galerkin one P^T A P for PCMG's restriction P^T (unscaled transpose of the
 * interpolation), so coarse corrections have the right size. Boundary rows are 6h I; interior rows
 * drop their couplings to boundary columns (u = 0 there), keeping A symmetric for CG. */
static PetscErrorCode compute_operator(KSP ksp, Mat A, Mat B, void *ctx) {
  DM da;
  PetscInt M, xs, ys, zs, xm, ym, zm;
  (void)A;
  (void)ctx;
  PetscFunctionBeginUser;
  PetscCall(KSPGetDM(ksp, &da));
  PetscCall(
      DMDAGetInfo(da, NULL, &M, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
  const PetscReal h = 1.0 / (M - 1);
  /* Columns in increasing global order, AIJ's cheapest insertion. */
  const PetscInt off[7][3] = {{0, 0, -1}, {0, -1, 0}, {-1, 0, 0}, {0, 0, 0},
                              {1, 0, 0},  {0, 1, 0},  {0, 0, 1}};
  for (PetscInt k = zs; k < zs + zm; k++)
    for (PetscInt j = ys; j < ys + ym; j++)
      for (PetscInt i = xs; i < xs + xm; i++) {
        MatStencil row = {.k = k, .j = j, .i = i}, col[7];
        PetscScalar v[7];
        PetscInt nc = 0;
        const PetscBool bnd = !i || !j || !k || i == M - 1 || j == M - 1 || k == M - 1;
        for (int e = 0; e < 7; e++) {
          const PetscInt ci = i + off[e][0], cj = j + off[e][1], ck = k + off[e][2];
          const PetscBool centre = e == 3;
          if (!centre && (bnd || !ci || !cj || !ck || ci == M - 1 || cj == M - 1 || ck == M - 1))
            continue;
          col[nc] = (MatStencil){.k = ck, .j = cj, .i = ci};
          v[nc++] = centre ? 6.0 * h : -h;
        }
        PetscCall(MatSetValuesStencil(B, 1, &row, nc, col, v, INSERT_VALUES));
      }
  PetscCall(MatAssemblyBegin(B, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(B, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* Iterations, the true relative residual, the maximum nodal error and the slowest rank's times,
 * in the lines cluster/poisson-compare.sh reads. Collective. */
static PetscErrorCode report(PetscMPIInt rank, int N, DM da, KSP ksp, Vec b, Vec x, double setup,
                             double solve) {
  PC pc;
  PetscFunctionBeginUser;
  PetscCall(KSPGetPC(ksp, &pc));
  PetscInt xs, ys, zs, xm, ym, zm;
  PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscInt its;
  PetscCall(KSPGetIterationNumber(ksp, &its));
  /* The true residual, not the recurrence's. */
  Mat A;
  Vec r;
  PetscReal rnorm, bnorm;
  PetscCall(KSPGetOperators(ksp, &A, NULL));
  PetscCall(VecDuplicate(b, &r));
  PetscCall(MatMult(A, x, r));
  PetscCall(VecAYPX(r, -1.0, b));
  PetscCall(VecNorm(r, NORM_2, &rnorm));
  PetscCall(VecNorm(b, NORM_2, &bnorm));
  const PetscScalar ***xa;
  PetscCall(DMDAVecGetArrayRead(da, x, &xa));
  double err = 0, gerr;
  for (PetscInt k = PetscMax(zs, 1); k < PetscMin(zs + zm, N); k++)
    for (PetscInt j = PetscMax(ys, 1); j < PetscMin(ys + ym, N); j++)
      for (PetscInt i = PetscMax(xs, 1); i < PetscMin(xs + xm, N); i++)
        err = fmax(err, fabs(xa[k][j][i] - cmp_exact(i, j, k, N)));
  PetscCall(DMDAVecRestoreArrayRead(da, x, &xa));
  PetscCallMPI(MPI_Reduce(&err, &gerr, 1, MPI_DOUBLE, MPI_MAX, 0, PETSC_COMM_WORLD));
  double t[2] = {setup, solve}, tmax[2];
  PetscCallMPI(MPI_Reduce(t, tmax, 2, MPI_DOUBLE, MPI_MAX, 0, PETSC_COMM_WORLD));
  /* The name states the cycle actually used, options included. */
  KSP smoother;
  PC spc;
  KSPType stype;
  PCType sptype;
  PetscInt nl, sweeps;
  PetscCall(PCMGGetLevels(pc, &nl));
  PetscCall(PCMGGetSmoother(pc, nl - 1, &smoother));
  PetscCall(KSPGetType(smoother, &stype));
  PetscCall(KSPGetTolerances(smoother, NULL, NULL, NULL, &sweeps));
  PetscCall(KSPGetPC(smoother, &spc));
  PetscCall(PCGetType(spc, &sptype));
  char name[160];
  snprintf(name, sizeof name, "PETSc DMDA CG + PCMG (geometric, %d levels, V(%d,%d), %s/%s)",
           (int)nl, (int)sweeps, (int)sweeps, stype, sptype);
  cmp_report(rank, name, (int)its, rnorm / bnorm, tmax[0], tmax[1], gerr);
  PetscCall(VecDestroy(&r));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscMPIInt rank;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  const int N = cmp_grid(argc, argv);
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  double t0 = MPI_Wtime();
  DM da;
  PetscCall(DMDACreate3d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                         DMDA_STENCIL_STAR, N + 1, N + 1, N + 1, PETSC_DECIDE, PETSC_DECIDE,
                         PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &da));
  PetscCall(DMSetUp(da)); /* no DMSetFromOptions: -da_grid_x would break the N of the RHS */
  /* Coarsen while the coarse grid keeps an even number of intervals, at least 4 of them, and
   * at least one node per process along every axis (DMDA refuses thinner partitions). */
  PetscInt procs[3];
  PetscCall(DMDAGetInfo(da, NULL, NULL, NULL, NULL, &procs[0], &procs[1], &procs[2], NULL, NULL,
                        NULL, NULL, NULL, NULL));
  const PetscInt most = PetscMax(procs[0], PetscMax(procs[1], procs[2]));
  int levels = 1;
  for (int n = N; n % 2 == 0 && n / 2 >= 4 && n / 2 + 1 >= most; n /= 2)
    levels++;
  /* Defaults the command line may override. At N = 128 on 2 ranks, Richardson with one local
   * symmetric SOR sweep (forward + backward) before and after took 1.46 s setup + 0.51 s solve,
   * 7 iterations; two sweeps 1.44 + 0.68 s (6); PCMG's own Chebyshev/SOR 2 + 2 2.24 + 0.86 s
   * (8), its setup ~0.8 s longer for the eigenvalue estimates; Chebyshev/Jacobi 2.04 + 0.52 s
   * (10). */
  char nlev[16];
  snprintf(nlev, sizeof nlev, "%d", levels);
  const char *defaults[][2] = {{"-pc_mg_levels", nlev},
                               {"-mg_levels_ksp_type", "richardson"},
                               {"-mg_levels_pc_type", "sor"},
                               {"-mg_levels_ksp_max_it", "1"}};
  for (size_t d = 0; d < sizeof defaults / sizeof defaults[0]; d++) {
    PetscBool set;
    PetscCall(PetscOptionsHasName(NULL, NULL, defaults[d][0], &set));
    if (!set) PetscCall(PetscOptionsSetValue(NULL, defaults[d][0], defaults[d][1]));
  }
  /* Read by cmp_grid; removed so that -options_left does not list it as unused. */
  PetscCall(PetscOptionsClearValue(NULL, "--grid"));

  /* The right-hand side is filled here rather than by KSPSetComputeRHS, which KSPSolve would
   * call again and so time as part of the solve. */
  Vec b, x;
  PetscCall(DMCreateGlobalVector(da, &b));
  PetscCall(VecDuplicate(b, &x));
  PetscInt xs, ys, zs, xm, ym, zm;
  PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscScalar ***ba;
  PetscCall(DMDAVecGetArray(da, b, &ba));
  const double h3 = 1.0 / ((double)N * N * N);
  for (PetscInt k = zs; k < zs + zm; k++)
    for (PetscInt j = ys; j < ys + ym; j++)
      for (PetscInt i = xs; i < xs + xm; i++) {
        const PetscBool bnd = !i || !j || !k || i == N || j == N || k == N;
        ba[k][j][i] = bnd ? 0.0 : h3 * cmp_rhs(i, j, k, N);
      }
  PetscCall(DMDAVecRestoreArray(da, b, &ba));
  PetscCall(VecSet(x, 0.0));

  KSP ksp;
  PC pc;
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetDM(ksp, da));
  PetscCall(KSPSetComputeOperators(ksp, compute_operator, NULL));
  PetscCall(KSPSetType(ksp, KSPCG));
  PetscCall(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(ksp, 1e-8, 0.0, PETSC_DEFAULT, 1000));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCMG));
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(KSPSetUp(ksp));
  const double setup = MPI_Wtime() - t0;

  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  t0 = MPI_Wtime();
  PetscCall(KSPSolve(ksp, b, x));
  const double solve = MPI_Wtime() - t0;

  KSPConvergedReason reason;
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  int code = 0;
  if (reason < 0) {
    PetscCall(PetscFPrintf(PETSC_COMM_WORLD, stderr, "poisson_petsc: KSP diverged: %s\n",
                           KSPConvergedReasons[reason]));
    code = 1;
  } else {
    PetscCall(report(rank, N, da, ksp, b, x, setup, solve));
  }
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&x));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return code;
}
