/* The reference Poisson problem with hypre's Struct interface: PCG preconditioned by one PFMG
 * V-cycle (symmetric red-black Gauss-Seidel, 1 + 1 sweeps), 2-norm relative tolerance 1e-8,
 * zero initial guess, slabs along z. Prints the lines cluster/poisson-compare.sh reads. */
#include <HYPRE_struct_ls.h>

#include "compare_common.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int N = cmp_grid(argc, argv), n = N - 1;
  const double h2 = 1.0 / ((double)N * N);
  int klo, khi;
  cmp_slab(n, rank, size, &klo, &khi);
  int lower[3] = {0, 0, klo}, upper[3] = {n - 1, n - 1, khi - 1};
  const size_t cells = (size_t)n * n * (size_t)(khi - klo);

  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime();
  HYPRE_StructGrid grid;
  HYPRE_StructGridCreate(MPI_COMM_WORLD, 3, &grid);
  HYPRE_StructGridSetExtents(grid, lower, upper);
  HYPRE_StructGridAssemble(grid);
  HYPRE_StructStencil stencil;
  int offsets[7][3] = {{0, 0, 0}, {-1, 0, 0}, {1, 0, 0}, {0, -1, 0},
                       {0, 1, 0}, {0, 0, -1}, {0, 0, 1}};
  HYPRE_StructStencilCreate(3, 7, &stencil);
  for (int e = 0; e < 7; e++)
    HYPRE_StructStencilSetElement(stencil, e, offsets[e]);
  HYPRE_StructMatrix A;
  HYPRE_StructMatrixCreate(MPI_COMM_WORLD, grid, stencil, &A);
  HYPRE_StructMatrixInitialize(A);
  double *values = malloc(7 * cells * sizeof(double));
  for (size_t c = 0; c < cells; c++) {
    values[7 * c] = 6.0 / h2;
    for (int e = 1; e < 7; e++)
      values[7 * c + e] = -1.0 / h2;
  }
  int entries[7] = {0, 1, 2, 3, 4, 5, 6};
  HYPRE_StructMatrixSetBoxValues(A, lower, upper, 7, entries, values);
  /* Couplings to the boundary nodes (u = 0) are removed face by face. */
  for (int e = 1; e < 7; e++) {
    const int a = (e - 1) / 2, high = (e - 1) % 2;
    int blo[3] = {lower[0], lower[1], lower[2]}, bhi[3] = {upper[0], upper[1], upper[2]};
    const int face = high ? n - 1 : 0;
    if (face < blo[a] || face > bhi[a]) continue;
    blo[a] = bhi[a] = face;
    const size_t fc = (size_t)(bhi[0] - blo[0] + 1) * (bhi[1] - blo[1] + 1) * (bhi[2] - blo[2] + 1);
    double *zeros = calloc(fc, sizeof(double));
    HYPRE_StructMatrixSetBoxValues(A, blo, bhi, 1, &entries[e], zeros);
    free(zeros);
  }
  HYPRE_StructMatrixAssemble(A);
  HYPRE_StructVector b, x;
  HYPRE_StructVectorCreate(MPI_COMM_WORLD, grid, &b);
  HYPRE_StructVectorCreate(MPI_COMM_WORLD, grid, &x);
  HYPRE_StructVectorInitialize(b);
  HYPRE_StructVectorInitialize(x);
  size_t c = 0;
  for (int k = klo; k < khi; k++)
    for (int j = 0; j < n; j++)
      for (int i = 0; i < n; i++)
        values[c++] = cmp_rhs(i + 1, j + 1, k + 1, N);
  HYPRE_StructVectorSetBoxValues(b, lower, upper, values);
  for (c = 0; c < cells; c++)
    values[c] = 0.0;
  HYPRE_StructVectorSetBoxValues(x, lower, upper, values);
  HYPRE_StructVectorAssemble(b);
  HYPRE_StructVectorAssemble(x);
  HYPRE_StructSolver solver, pc;
  HYPRE_StructPCGCreate(MPI_COMM_WORLD, &solver);
  HYPRE_StructPCGSetTol(solver, 1e-8);
  HYPRE_StructPCGSetTwoNorm(solver, 1);
  HYPRE_StructPCGSetMaxIter(solver, 1000);
  HYPRE_StructPFMGCreate(MPI_COMM_WORLD, &pc);
  HYPRE_StructPFMGSetMaxIter(pc, 1);
  HYPRE_StructPFMGSetTol(pc, 0.0);
  HYPRE_StructPFMGSetZeroGuess(pc);
  HYPRE_StructPFMGSetRelaxType(pc, 2); /* symmetric red-black Gauss-Seidel */
  HYPRE_StructPFMGSetNumPreRelax(pc, 1);
  HYPRE_StructPFMGSetNumPostRelax(pc, 1);
  HYPRE_StructPCGSetPrecond(solver, HYPRE_StructPFMGSolve, HYPRE_StructPFMGSetup, pc);
  HYPRE_StructPCGSetup(solver, A, b, x);
  const double setup = MPI_Wtime() - t0;

  MPI_Barrier(MPI_COMM_WORLD);
  t0 = MPI_Wtime();
  HYPRE_StructPCGSolve(solver, A, b, x);
  const double solve = MPI_Wtime() - t0;

  int its;
  double rel;
  HYPRE_StructPCGGetNumIterations(solver, &its);
  HYPRE_StructPCGGetFinalRelativeResidualNorm(solver, &rel);
  HYPRE_StructVectorGetBoxValues(x, lower, upper, values);
  double err = 0, gerr;
  c = 0;
  for (int k = klo; k < khi; k++)
    for (int j = 0; j < n; j++)
      for (int i = 0; i < n; i++)
        err = fmax(err, fabs(values[c++] - cmp_exact(i + 1, j + 1, k + 1, N)));
  MPI_Reduce(&err, &gerr, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  double t[2] = {setup, solve}, tmax[2];
  MPI_Reduce(t, tmax, 2, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  cmp_report(rank, "hypre Struct PCG + PFMG (RB Gauss-Seidel 1+1)", its, rel, tmax[0], tmax[1],
             gerr);
  free(values);
  HYPRE_StructPCGDestroy(solver);
  HYPRE_StructPFMGDestroy(pc);
  HYPRE_StructVectorDestroy(b);
  HYPRE_StructVectorDestroy(x);
  HYPRE_StructMatrixDestroy(A);
  HYPRE_StructStencilDestroy(stencil);
  HYPRE_StructGridDestroy(grid);
  MPI_Finalize();
  return 0;
}
