# The heat kernel and the heat example.

# The heat kernel's own test (test_stencil) is registered in kernels.cmake.

if(TARGET tsr_heat)
  set(heat_env ${TSR_MPI_TEST_ENV}) # includes OMP_WAIT_POLICY=passive
  if(TSR_SANITIZE)
    list(APPEND heat_env ASAN_OPTIONS=detect_leaks=0) # Open MPI's own leaks at exit
  endif()
  set(heat_fp ${CMAKE_CURRENT_SOURCE_DIR}/regression/fingerprint_runs.sh)
  set(heat_mpi ${MPIEXEC_EXECUTABLE} $<TARGET_FILE:tsr_heat>)

  # heat_fingerprint_test(NAME "COMMON ARGS" "NP NT [ARGS]"...): one test running every
  # configuration in turn; they must all print the same fingerprint.
  function(heat_fingerprint_test name common)
    add_test(NAME heat.fingerprint.${name} COMMAND sh ${heat_fp} ${heat_mpi} "${common}" ${ARGN})
    set_tests_properties(heat.fingerprint.${name} PROPERTIES ENVIRONMENT "${heat_env}"
                         TIMEOUT 120 PROCESSORS 2 LABELS "mpi;regression")
  endfunction()

  # "NP NT": 1, 2, 3, 4 and 8 ranks of 1 thread, 1 and 2 ranks of 2 threads; then user grids.
  set(every_count "1 1" "2 1" "3 1" "4 1" "8 1" "1 2" "2 2")
  heat_fingerprint_test(2d "--grid 45x37 --steps 20 --ic hash" ${every_count}
                        "4 1 --procs 1x4" "6 1 --procs 3x2")
  heat_fingerprint_test(2d.periodic "--grid 45x37 --steps 20 --ic hash --periodic true"
                        ${every_count} "4 2 --procs 4x1" "8 1 --procs 8x1")
  heat_fingerprint_test(3d "--grid 19x17x13 --steps 10 --ic hash" ${every_count}
                        "4 1 --procs 1x1x4" "6 1 --procs 3x1x2")
  heat_fingerprint_test(3d.periodic "--grid 19x17x13 --steps 10 --ic gauss --periodic 1,0,1"
                        ${every_count} "4 1 --procs 1x4x1" "8 1 --procs 2x2x2")
  # Tiles one and two cells thick: the interior is empty and the shell is the whole tile.
  heat_fingerprint_test(thin "--grid 8x6x4 --steps 7 --ic hash --periodic 1,0,0"
                        "1 1" "8 1 --procs 8x1x1" "3 1 --procs 1x3x1" "4 2 --procs 1x1x4"
                        "8 1 --procs 2x1x4")

  add_test(NAME heat.sine COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/regression/heat_sine.sh
                                  ${heat_mpi} 2)
  set_tests_properties(heat.sine PROPERTIES ENVIRONMENT "${heat_env}" TIMEOUT 120 PROCESSORS 2
                       LABELS "mpi;regression")
endif()
