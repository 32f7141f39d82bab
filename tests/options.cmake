# The options database.
# Serial: every parser and error path, on MPI_COMM_SELF without a context. It initialises MPI
# itself (a singleton, no mpirun), so under the sanitizers it needs the Open MPI leak
# suppressions like the 1-rank MPI tests.
tsr_add_unit_test(NAME unit_options SOURCES ${CMAKE_CURRENT_LIST_DIR}/unit/test_options.c)
if(TSR_SANITIZE)
  set_tests_properties(unit_options PROPERTIES ENVIRONMENT
    "ASAN_OPTIONS=detect_leaks=1;LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/asan_mpi.supp:${TSR_LSAN_FLAGS};UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1")
endif()

# Across ranks: config file broadcast, rank 0's words, errors raised alike, help on rank 0.
tsr_add_mpi_cunit_test(NAME mpi_options SOURCES ${CMAKE_CURRENT_LIST_DIR}/mpi/test_options_mpi.c
                       TIMEOUT 60)
