# Events and the end-of-run report: timing, nesting, halo and reduction counts checked against
# hand counts, the report once from rank 0 with valid JSON, at 1 2 3 4 8 ranks.
tsr_add_mpi_cunit_test(NAME mpi_events SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_events.c
                       TIMEOUT 60)

# tsr_heat --log-view --log-json: halo messages and bytes per rank against the decomposition,
# reductions counted, JSON parsed by python's json.tool and compared with the table.
if(TARGET tsr_heat)
  set(heat_log_env ${TSR_MPI_TEST_ENV} OMP_NUM_THREADS=1)
  if(TSR_SANITIZE)
    list(APPEND heat_log_env ASAN_OPTIONS=detect_leaks=0) # Open MPI's own leaks at exit
  endif()
  foreach(run "1 1x1" "2 2x1" "3 1x3" "4 2x2" "8 4x2")
    separate_arguments(run)
    list(GET run 0 np)
    list(GET run 1 procs)
    add_test(NAME heat.log_view.np${np}
             COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/regression/heat_log_view.py
                     ${MPIEXEC_EXECUTABLE} $<TARGET_FILE:tsr_heat> ${np} ${procs})
    set_tests_properties(heat.log_view.np${np} PROPERTIES ENVIRONMENT "${heat_log_env}"
                         TIMEOUT 60 LABELS "mpi;regression")
  endforeach()
endif()

# The cost of begin/end, off and on (docs/logging.md quotes it); run by hand:
#   mpirun -n 1 tests/bench_events
add_executable(bench_events ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench_events.c)
target_link_libraries(bench_events PRIVATE Tessera::tessera tessera_build_flags)
