# Checkpoints (tests/mpi/test_checkpoint.c; its modes are described at the top of that file).
set(ckpt_dir ${CMAKE_CURRENT_BINARY_DIR}/checkpoint-test)
add_executable(test_checkpoint ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_checkpoint.c)
# HDF5 directly too: the test damages data bytes on purpose.
target_link_libraries(test_checkpoint PRIVATE tsr_test_driver HDF5::HDF5)

# A clean shared folder first, so no checkpoint of an older build is read.
add_test(NAME checkpoint.clean COMMAND ${CMAKE_COMMAND} -E rm -rf ${ckpt_dir})
set_tests_properties(checkpoint.clean PROPERTIES FIXTURES_SETUP ckpt_clean LABELS checkpoint)

# The suite at 1 2 3 4 8 ranks (1 2 in sanitizer builds, to keep that pass cheap); each run
# also writes a checkpoint named by its rank count.
if(TSR_SANITIZE)
  set(ckpt_counts 1 2)
  set(cross_counts 1)
else()
  set(ckpt_counts 1 2 3 4 8)
  set(cross_counts 1 3 8)
endif()
string(REPLACE ";" "," ckpt_written "${ckpt_counts}")
tsr_add_mpi_test(NAME checkpoint COMMAND $<TARGET_FILE:test_checkpoint> RANKS ${ckpt_counts}
                 TIMEOUT 120 LABELS checkpoint)
foreach(np IN LISTS ckpt_counts)
  set_tests_properties(checkpoint.np${np}.nt1 PROPERTIES FIXTURES_REQUIRED ckpt_clean
                       FIXTURES_SETUP ckpt_files)
  set_property(TEST checkpoint.np${np}.nt1 APPEND PROPERTY ENVIRONMENT
               TSR_CKPT_TEST_DIR=${ckpt_dir})
endforeach()
tsr_use_io_lsan(checkpoint ${ckpt_counts}) # HDF5's H5O_protect leak, see tests/io.cmake

# Then restart from the checkpoints of every rank count written: written on P ranks, read on P'.
tsr_add_mpi_test(NAME checkpoint_cross COMMAND $<TARGET_FILE:test_checkpoint>
                 RANKS ${cross_counts} TIMEOUT 120 LABELS checkpoint)
foreach(np IN LISTS cross_counts)
  set_tests_properties(checkpoint_cross.np${np}.nt1 PROPERTIES
                       FIXTURES_REQUIRED "ckpt_clean;ckpt_files")
  set_property(TEST checkpoint_cross.np${np}.nt1 APPEND PROPERTY ENVIRONMENT
               TSR_CKPT_TEST_DIR=${ckpt_dir} TSR_CKPT_TEST_MODE=cross
               TSR_CKPT_CROSS_COUNTS=${ckpt_written})
endforeach()
tsr_use_io_lsan(checkpoint_cross ${cross_counts})

# tsr_io_write_fields() meeting a full disk at every stage of a write (tests/mpi/
# test_io_write_failure.c): a collective error, no HDF5 object left open, a clean finalize.
if(TSR_SANITIZE)
  set(io_fail_ranks 1 2)
else()
  set(io_fail_ranks 1 2 3 4 8)
endif()
tsr_add_mpi_cunit_test(NAME io_write_failure SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_io_write_failure.c
                       RANKS ${io_fail_ranks} TIMEOUT 60)
tsr_use_io_lsan(io_write_failure ${io_fail_ranks})
target_link_libraries(io_write_failure PRIVATE HDF5::HDF5)
