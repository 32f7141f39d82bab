# Fields: layout, views, fill/copy, boundary fill and fingerprint at 1 2 3 4 8 ranks, 1 and 2
# threads.
tsr_add_mpi_cunit_test(NAME mpi_field SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_field.c
                       THREADS 1 2 TIMEOUT 120)
