# Vector kernels and the operator layer (kernels/include/tessera/kernels/{vec,operator}.h).
# Under sanitizers, to keep the ASan pass cheap: the operator runs at 1 rank (with the leak
# check: operators allocate plans) and 4 ranks; the vector tests, whose code allocates
# nothing, skip the slow leak check (4 ranks for the field level); the benchmark run is
# left out.
if(TSR_SANITIZE)
  set(op_ranks RANKS 1 4)
  set(vec_field_ranks RANKS 4)
else()
  set(op_ranks)
  set(vec_field_ranks)
endif()

# Node-local vector kernels against their reference twin; the test sweeps 1 to 3 threads
# itself, so one rank and one thread count suffice.
tsr_add_mpi_cunit_test(NAME test_vec SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_vec.c
                       RANKS 1 THREADS 1 TIMEOUT 60)
target_link_libraries(test_vec PRIVATE m)
if(TSR_SANITIZE) # a later ASAN_OPTIONS entry overrides the harness's detect_leaks=1
  set_property(TEST test_vec.np1.nt1 APPEND PROPERTY ENVIRONMENT ASAN_OPTIONS=detect_leaks=0)
endif()

# Field-level operations: global reductions at every rank count.
tsr_add_mpi_cunit_test(NAME test_vec_field
                       SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_vec_field.c
                       ${vec_field_ranks} TIMEOUT 60)
target_link_libraries(test_vec_field PRIVATE m)

# The operator layer: overlapped application equal to exchange-then-apply at every rank
# count (the heat case switches between 1 and 2 kernel threads itself), plus split, halo
# progress, events and error paths.
tsr_add_mpi_cunit_test(NAME test_operator SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_operator.c
                       ${op_ranks} TIMEOUT 120)

# The overlap benchmark (tests/mpi/test_operator_bench.c), run here as a smoke test on a
# small grid; the report's figures come from a 256^3 run (see the file's header).
add_executable(test_operator_bench ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_operator_bench.c)
target_link_libraries(test_operator_bench PRIVATE Tessera::tessera tessera_build_flags)
if(NOT TSR_SANITIZE)
  tsr_add_mpi_test(NAME test_operator_bench
                   COMMAND $<TARGET_FILE:test_operator_bench> --grid 24x20x16 --steps 12
                           --op-calibrate 3
                   RANKS 2 TIMEOUT 60 PASS_REGULAR_EXPRESSION "hidden [0-9.]+ %")
endif()
