# Context and log, at 1 2 3 4 8 ranks.
tsr_add_mpi_cunit_test(NAME mpi_ctx_log SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_ctx_log.c
                       TIMEOUT 60)

# The context's exit mode seen from outside: exit codes and messages.
add_executable(ctx_probe ${CMAKE_CURRENT_SOURCE_DIR}/mpi/ctx_probe.c)
target_link_libraries(ctx_probe PRIVATE Tessera::tessera tessera_build_flags)
foreach(mode local collective banner)
  foreach(np 1 2 4)
    set(test cli_ctx_${mode}.np${np})
    add_test(NAME ${test} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/mpi/ctx_probe_check.sh ${mode} ${np}
                                  $<TARGET_FILE:ctx_probe>)
    set(env ${TSR_MPI_TEST_ENV})
    if(TSR_SANITIZE)
      list(APPEND env ASAN_OPTIONS=detect_leaks=0)
    endif()
    set_tests_properties(${test} PROPERTIES ENVIRONMENT "${env}" TIMEOUT 90 LABELS cli)
  endforeach()
endforeach()
