# Installs the CMake package (find_package(Tessera) -> Tessera::tessera) and tessera.pc.
include(CMakePackageConfigHelpers)
set(TSR_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Tessera)

# Installed libraries find each other in their own folder, and installed programs (examples)
# find the libraries from theirs, wherever the prefix is.
set_target_properties(tessera-core tessera-kernels PROPERTIES INSTALL_RPATH "$ORIGIN")
function(tsr_set_program_rpath dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE")
      file(RELATIVE_PATH rel "/p/${CMAKE_INSTALL_BINDIR}" "/p/${CMAKE_INSTALL_LIBDIR}")
      set_target_properties(${t} PROPERTIES INSTALL_RPATH "$ORIGIN/${rel}")
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    tsr_set_program_rpath(${sub})
  endforeach()
endfunction()
if(TSR_BUILD_EXAMPLES)
  tsr_set_program_rpath(${PROJECT_SOURCE_DIR}/examples)
endif()
install(TARGETS tessera EXPORT TesseraTargets)
install(EXPORT TesseraTargets NAMESPACE Tessera:: DESTINATION ${TSR_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/TesseraConfig.cmake.in
  ${PROJECT_BINARY_DIR}/TesseraConfig.cmake INSTALL_DESTINATION ${TSR_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/TesseraConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/TesseraConfig.cmake
              ${PROJECT_BINARY_DIR}/TesseraConfigVersion.cmake
        DESTINATION ${TSR_CMAKE_DIR})

# tessera.pc finds the prefix relative to its own folder, so an installed tree can be moved
# (and `cmake --install --prefix` works): <libdir>/pkgconfig -> prefix.
file(RELATIVE_PATH TSR_PC_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
string(REGEX REPLACE "/$" "" TSR_PC_PREFIX "${TSR_PC_PREFIX}")
set(TSR_PC_PREFIX "\${pcfiledir}/${TSR_PC_PREFIX}")
set(TSR_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
set(TSR_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  # Absolute install folders were asked for: the file cannot be relocatable.
  set(TSR_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(TSR_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(TSR_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
endif()
# Only a static libtessera-core needs HDF5 at the consumer's link.
set(TSR_PC_REQUIRES_PRIVATE "")
if(NOT BUILD_SHARED_LIBS)
  set(TSR_PC_REQUIRES_PRIVATE "hdf5-mpi")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/tessera.pc.in ${PROJECT_BINARY_DIR}/tessera.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tessera.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
