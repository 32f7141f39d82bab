# tsr_add_mpi_test(NAME <name> COMMAND <exe> [args...]
#                  [RANKS 1 2 3 4 8] [THREADS 1] [TIMEOUT 60] [LABELS ...]
#                  [PASS_REGULAR_EXPRESSION re] [FAIL_REGULAR_EXPRESSION re])
# Registers <name>.np<P>.nt<T> for every rank count P and thread count T, run through mpirun
# with oversubscription, root permission and no binding (so threads are free to spread).
set(TSR_MPI_TEST_ENV
  OMPI_ALLOW_RUN_AS_ROOT=1
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  OMPI_MCA_rmaps_base_oversubscribe=1
  OMPI_MCA_hwloc_base_binding_policy=none
  OMP_PROC_BIND=false
  # Oversubscribed ranks x threads on few cores: spinning OpenMP threads at barriers steal the
  # cores other ranks need and slow tests by 5-300x; sleeping waiters keep them fast.
  OMP_WAIT_POLICY=passive)
if(TSR_SANITIZE)
  # Open MPI leaks at exit: multi-rank tests skip leak detection; see tests/asan_mpi.supp.
  list(APPEND TSR_MPI_TEST_ENV
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1)
endif()
# LeakSanitizer flags after the suppressions file.
set(TSR_LSAN_FLAGS fast_unwind_on_malloc=0:print_suppressions=0)
# Tests that go through MPI-IO (io, checkpoint) also skip scanning TLS (use_tls=0): there gcc
# 12's LeakSanitizer with Debian 12's glibc reads a garbage dynamic-TLS range of a module Open
# MPI loads, and its tracer dies with SIGSEGV at exit ("Tracer caught signal 11", io.np1 under
# ctest on every run). Tessera keeps no heap pointers in TLS; libgomp's per-thread state, which
# it reaches only from TLS, is suppressed in those tests' own suppression files.
set(TSR_LSAN_IO_FLAGS ${TSR_LSAN_FLAGS}:use_tls=0)
if(TSR_SANITIZE)
  # Their suppressions: Open MPI's, plus HDF5 1.10.8's leak of an object header whose checksum
  # fails as it is loaded (H5O_protect; the damaged-file tests provoke it), plus libgomp.
  set(TSR_LSAN_IO_SUPP ${CMAKE_BINARY_DIR}/lsan_io.supp)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${PROJECT_SOURCE_DIR}/tests/asan_mpi.supp)
  file(READ ${PROJECT_SOURCE_DIR}/tests/asan_mpi.supp tsr_supp)
  file(WRITE ${TSR_LSAN_IO_SUPP} "${tsr_supp}\nleak:H5O_protect\nleak:libgomp.so\n")
endif()

# tsr_use_io_lsan(<name> <rank counts>...): the leak-checked runs (at most 2 ranks) of MPI test
# <name> use the MPI-IO LeakSanitizer settings above. No-op without sanitizers.
function(tsr_use_io_lsan name)
  if(NOT TSR_SANITIZE)
    return()
  endif()
  foreach(np IN LISTS ARGN)
    if(np LESS_EQUAL 2)
      set_property(TEST ${name}.np${np}.nt1 APPEND PROPERTY ENVIRONMENT
                   "LSAN_OPTIONS=suppressions=${TSR_LSAN_IO_SUPP}:${TSR_LSAN_IO_FLAGS}")
    endif()
  endforeach()
endfunction()

function(tsr_add_mpi_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT;PASS_REGULAR_EXPRESSION;FAIL_REGULAR_EXPRESSION"
                        "COMMAND;RANKS;THREADS;LABELS" ${ARGN})
  if(NOT T_RANKS)
    set(T_RANKS 1 2 3 4 8)
  endif()
  if(NOT T_THREADS)
    set(T_THREADS 1)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  foreach(np IN LISTS T_RANKS)
    foreach(nt IN LISTS T_THREADS)
      set(test ${T_NAME}.np${np}.nt${nt})
      add_test(NAME ${test}
               COMMAND ${MPIEXEC_EXECUTABLE} -q ${MPIEXEC_NUMPROC_FLAG} ${np}
                       ${MPIEXEC_PREFLAGS} ${T_COMMAND})
      set(env ${TSR_MPI_TEST_ENV} OMP_NUM_THREADS=${nt})
      if(TSR_SANITIZE)
        if(np LESS_EQUAL 2)
          list(APPEND env
            "ASAN_OPTIONS=detect_leaks=1"
            "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/asan_mpi.supp:${TSR_LSAN_FLAGS}")
        else()
          list(APPEND env ASAN_OPTIONS=detect_leaks=0)
        endif()
      endif()
      math(EXPR procs "${np} * ${nt}")
      set_tests_properties(${test} PROPERTIES ENVIRONMENT "${env}" TIMEOUT ${T_TIMEOUT}
                           PROCESSORS ${procs} LABELS "mpi;${T_LABELS}")
      if(T_PASS_REGULAR_EXPRESSION)
        set_tests_properties(${test} PROPERTIES
                             PASS_REGULAR_EXPRESSION "${T_PASS_REGULAR_EXPRESSION}")
      endif()
      if(T_FAIL_REGULAR_EXPRESSION)
        set_tests_properties(${test} PROPERTIES
                             FAIL_REGULAR_EXPRESSION "${T_FAIL_REGULAR_EXPRESSION}")
      endif()
    endforeach()
  endforeach()
endfunction()

# tsr_add_unit_test(NAME <name> SOURCES ...): a serial CUnit program, run without mpirun.
function(tsr_add_unit_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE Tessera::tessera PkgConfig::CUNIT tessera_build_flags)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT 60 LABELS unit)
endfunction()

# tsr_add_mpi_cunit_test(NAME <name> SOURCES ... [RANKS ...] [THREADS ...] [TIMEOUT s]):
# a CUnit program built with the MPI driver of tests/common, registered at each rank count.
function(tsr_add_mpi_cunit_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;RANKS;THREADS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE tsr_test_driver)
  set(extra)
  if(T_RANKS)
    list(APPEND extra RANKS ${T_RANKS})
  endif()
  if(T_THREADS)
    list(APPEND extra THREADS ${T_THREADS})
  endif()
  if(T_TIMEOUT)
    list(APPEND extra TIMEOUT ${T_TIMEOUT})
  endif()
  tsr_add_mpi_test(NAME ${T_NAME} COMMAND $<TARGET_FILE:${T_NAME}> ${extra})
endfunction()
