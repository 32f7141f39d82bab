# Global reductions, blocking and split phase, at 1 2 3 4 8 ranks.
tsr_add_mpi_cunit_test(NAME mpi_reduce SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_reduce.c
                       TIMEOUT 60)
