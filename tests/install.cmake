# Install tests: `cmake --install` this build tree into a temporary prefix (then move it, to
# prove the installed files relocatable), and build tests/install/consumer against it twice,
# with find_package(Tessera) and with pkg-config, each run on 2 ranks.
#
# Not in sanitizer builds: the installed libraries carry the ASan runtime, so a consumer built
# like a user's program (no -fsanitize) fails at start ("ASan runtime does not come first"),
# and giving the consumer sanitizer flags would no longer test what users do. The release
# build (cluster/test.sh, preset ci-release) runs them on every change.
if(TSR_SANITIZE)
  return()
endif()

set(tsr_install_script ${CMAKE_CURRENT_SOURCE_DIR}/install/check-install.sh)
set(tsr_install_work ${CMAKE_CURRENT_BINARY_DIR}/install-test)

add_test(NAME install.prefix
         COMMAND bash ${tsr_install_script} install ${PROJECT_BINARY_DIR} ${tsr_install_work})
set_tests_properties(install.prefix PROPERTIES FIXTURES_SETUP tsr_installed TIMEOUT 120
                     LABELS install)

foreach(kind cmake pkgconfig)
  add_test(NAME install.${kind}_consumer
           COMMAND bash ${tsr_install_script} ${kind} ${tsr_install_work} ${CMAKE_INSTALL_LIBDIR}
                   ${CMAKE_C_COMPILER} ${MPIEXEC_EXECUTABLE} ${PROJECT_VERSION})
  set_tests_properties(install.${kind}_consumer PROPERTIES
                       FIXTURES_REQUIRED tsr_installed
                       ENVIRONMENT "${TSR_MPI_TEST_ENV}" TIMEOUT 180 PROCESSORS 2
                       LABELS "install;mpi")
endforeach()
