# Halo exchange: exhaustive ghost checks over dimensions, periodicity, widths, shapes and
# strategies, at 1 2 3 4 8 ranks and 1 and 2 threads (packing is threaded).
tsr_add_mpi_cunit_test(NAME mpi_halo SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_halo.c
                       THREADS 1 2 TIMEOUT 120)
