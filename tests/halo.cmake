# Halo exchange: exhaustive ghost checks over dimensions, periodicity, widths, shapes and
# strategies, at 1 2 3 4 8 ranks and 1 and 2 threads (packing is threaded).
tsr_add_mpi_cunit_test(NAME mpi_halo SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_halo.c
                       THREADS 1 2 TIMEOUT 120)
# Up to 16 threads share 2 cores here: OpenMP workers that spin between parallel regions
# starve the MPI ranks they wait for (measured: minutes instead of seconds at 8 ranks x 2).
foreach(np 1 2 3 4 8)
  foreach(nt 1 2)
    set_property(TEST mpi_halo.np${np}.nt${nt} APPEND PROPERTY ENVIRONMENT OMP_WAIT_POLICY=passive)
  endforeach()
endforeach()
