# Stencil kernels (kernels/include/tessera/kernels/stencil.h). Kernels are node-local (no MPI),
# so one rank; each test also sweeps thread counts (1 to 3, resp. 1 and 2) itself.

# The heat update against its reference, bit for bit, and exact arithmetic.
tsr_add_mpi_cunit_test(NAME test_stencil SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_stencil.c
                       RANKS 1 THREADS 1 TIMEOUT 60)

# Constant-coefficient stencils and the variable-coefficient diffusion operator: optimised vs
# reference (bit for bit, streaming on and off), exactness, error paths.
tsr_add_mpi_cunit_test(NAME test_stencil_ops
                       SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_stencil_ops.c
                       RANKS 1 THREADS 1 TIMEOUT 60)
target_link_libraries(test_stencil_ops PRIVATE m)
