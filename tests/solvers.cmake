# Poisson solvers: CG, pipelined CG and multigrid (kernels/src/cg.c, pcg_pipelined.c, mg_*.c)
# and the tsr_poisson example.
# Under the sanitizers: 1 and 3 ranks (an uneven split that gathers early) and smaller grids.
if(TSR_SANITIZE)
  set(solver_ranks 1 3)
else()
  set(solver_ranks 1 2 3 4 8)
endif()
tsr_add_mpi_cunit_test(NAME mpi_solver SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_solver.c
                       RANKS ${solver_ranks} TIMEOUT 120)
target_link_libraries(mpi_solver PRIVATE m)
if(TSR_SANITIZE)
  target_compile_definitions(mpi_solver PRIVATE TSR_SOLVER_QUICK)
endif()

if(TARGET tsr_poisson)
  set(poisson_env ${TSR_MPI_TEST_ENV}) # includes OMP_WAIT_POLICY=passive
  if(TSR_SANITIZE)
    list(APPEND poisson_env ASAN_OPTIONS=detect_leaks=0) # Open MPI's own leaks at exit
  endif()
  set(poisson_fp ${CMAKE_CURRENT_SOURCE_DIR}/regression/fingerprint_runs.sh)
  set(poisson_mpi ${MPIEXEC_EXECUTABLE} $<TARGET_FILE:tsr_poisson>)

  # poisson_fingerprint_test(NAME "COMMON ARGS" "NP NT [ARGS]"...): every configuration must
  # converge to the same bits.
  function(poisson_fingerprint_test name common)
    add_test(NAME poisson.fingerprint.${name} COMMAND sh ${poisson_fp} ${poisson_mpi} "${common}"
                                                      ${ARGN})
    set_tests_properties(poisson.fingerprint.${name} PROPERTIES ENVIRONMENT "${poisson_env}"
                         TIMEOUT 120 PROCESSORS 2 LABELS "mpi;regression")
  endfunction()

  # Decomposition-independent by construction: pointwise kernels, reproducible sums, gathered
  # coarse levels computed alike wherever the gathering happens (3 ranks gather earlier). The
  # default solver runs at every rank count and 2 threads; the others at a few each. Under
  # the sanitizers, two runs each.
  if(TSR_SANITIZE)
    poisson_fingerprint_test(default "--grid 32" "1 1" "3 2")
    poisson_fingerprint_test(mg.w.jacobi "--grid 16 --solver mg --mg-cycle w --mg-smoother jacobi"
                             "2 1" "4 1")
  else()
    # the last run gathers no level: the same bits
    poisson_fingerprint_test(default "--grid 32" "1 1" "2 1" "3 1" "4 1" "8 1" "2 2"
                             "4 1 --mg-gather 0")
    poisson_fingerprint_test(cg.mg.v "--grid 32 --solver cg --pc mg --mg-cycle v" "1 1" "3 1")
    poisson_fingerprint_test(pipecg.jacobi "--grid 16 --solver pipecg --pc jacobi" "1 1" "3 1"
                             "2 2")
    poisson_fingerprint_test(mg.w.jacobi "--grid 32 --solver mg --mg-cycle w --mg-smoother jacobi"
                             "1 1" "3 2")
  endif()

  # Order of accuracy, the N = 128 reference error and the failure exit: release pass only
  # (the sanitizer pass runs the same code paths in the fingerprint tests above).
  if(NOT TSR_SANITIZE)
    add_test(NAME poisson.order COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/regression/poisson_order.sh
                                        ${poisson_mpi} 2 1)
    set_tests_properties(poisson.order PROPERTIES ENVIRONMENT "${poisson_env}" TIMEOUT 180
                         PROCESSORS 2 LABELS "mpi;regression")
    # The comparison script's table (with hypre's and PETSc's rows when their drivers exist).
    add_test(NAME poisson.compare
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/regression/poisson_compare_check.sh
                     ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
    set_tests_properties(poisson.compare PROPERTIES ENVIRONMENT "${poisson_env}" TIMEOUT 120
                         PROCESSORS 2 LABELS "mpi;regression")
  endif()
endif()
