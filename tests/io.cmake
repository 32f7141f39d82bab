# Parallel HDF5 io (tests/mpi/test_io.c; its modes are described at the top of that file).
set(io_dir ${CMAKE_CURRENT_BINARY_DIR}/io-test)
add_executable(test_io ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_io.c)
# HDF5 directly too: the test damages files on purpose.
target_link_libraries(test_io PRIVATE tsr_test_driver HDF5::HDF5)

# A clean shared folder first, so no file of an older build is read.
add_test(NAME io.clean COMMAND ${CMAKE_COMMAND} -E rm -rf ${io_dir})
set_tests_properties(io.clean PROPERTIES FIXTURES_SETUP io_clean LABELS io)

# The suite at 1 2 3 4 8 ranks. Each run also writes files named by its rank count into the
# shared folder and reads those other rank counts have written already.
tsr_add_mpi_test(NAME io COMMAND $<TARGET_FILE:test_io> TIMEOUT 120 LABELS io)
foreach(np 1 2 3 4 8)
  set_tests_properties(io.np${np}.nt1 PROPERTIES FIXTURES_REQUIRED io_clean
                       FIXTURES_SETUP io_files)
  set_property(TEST io.np${np}.nt1 APPEND PROPERTY ENVIRONMENT TSR_IO_TEST_DIR=${io_dir})
endforeach()

# HDF5 1.10.8 leaks the object header whose checksum fails as it is loaded (in H5O_protect): the
# damaged-file test provokes exactly that. test_io turns HDF5's free lists off, so the leak is
# reported there; the MPI-IO suppressions (cmake/TesseraTesting.cmake) cover it.
tsr_use_io_lsan(io 1 2 3 4 8)

# Then every rank count reads the files of all five: written on P ranks, read on P'.
tsr_add_mpi_test(NAME io_cross COMMAND $<TARGET_FILE:test_io> TIMEOUT 90 LABELS io)
foreach(np 1 2 3 4 8)
  set_tests_properties(io_cross.np${np}.nt1 PROPERTIES FIXTURES_REQUIRED "io_clean;io_files")
  set_property(TEST io_cross.np${np}.nt1 APPEND PROPERTY ENVIRONMENT
               TSR_IO_TEST_DIR=${io_dir} TSR_IO_TEST_MODE=cross)
endforeach()
tsr_use_io_lsan(io_cross 1 2 3 4 8)

# The files as other tools see them: a sample written on 3 ranks, then h5dump and h5py.
tsr_add_mpi_test(NAME io_sample COMMAND $<TARGET_FILE:test_io> RANKS 3 TIMEOUT 60 LABELS io)
set_tests_properties(io_sample.np3.nt1 PROPERTIES FIXTURES_REQUIRED io_clean
                     FIXTURES_SETUP io_sample)
set_property(TEST io_sample.np3.nt1 APPEND PROPERTY ENVIRONMENT
             TSR_IO_TEST_DIR=${io_dir} TSR_IO_TEST_MODE=sample)

find_program(TSR_H5DUMP h5dump)
if(TSR_H5DUMP)
  add_test(NAME io.h5dump COMMAND ${TSR_H5DUMP} -A ${io_dir}/sample/cube_000002.h5)
  set_tests_properties(io.h5dump PROPERTIES FIXTURES_REQUIRED io_sample TIMEOUT 30 LABELS io
    PASS_REGULAR_EXPRESSION "DATASET \"z\".*H5T_IEEE_F64LE.*SIMPLE { \\( 8, 10, 12 \\)"
    FAIL_REGULAR_EXPRESSION "error|Error")
endif()

# Debian's h5py lives in the system interpreter; another python3 may come first on PATH.
find_program(TSR_SYSTEM_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(TSR_SYSTEM_PYTHON)
  add_test(NAME io.h5py COMMAND ${TSR_SYSTEM_PYTHON}
           ${CMAKE_CURRENT_SOURCE_DIR}/regression/io_check.py ${io_dir}/sample)
  set_tests_properties(io.h5py PROPERTIES FIXTURES_REQUIRED io_sample TIMEOUT 60 LABELS io)
endif()
