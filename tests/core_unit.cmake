# Serial unit tests of the base, error and mem modules.
tsr_add_unit_test(NAME unit_error_mem SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_error_mem.c)
