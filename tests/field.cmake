# Fields: layout, views, fill/copy, boundary fill and fingerprint at 1 2 3 4 8 ranks, 1 and 2
# threads.
tsr_add_mpi_cunit_test(NAME mpi_field SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_field.c
                       THREADS 1 2 TIMEOUT 120)
# Oversubscribed (8 ranks x 2 threads on 2 cores), spinning OpenMP threads starve the ranks
# they wait for; passive waiting keeps the run at a few seconds.
foreach(np 1 2 3 4 8)
  foreach(nt 1 2)
    set_property(TEST mpi_field.np${np}.nt${nt} APPEND PROPERTY ENVIRONMENT OMP_WAIT_POLICY=passive)
  endforeach()
endforeach()
