# Optional comparison drivers (cluster/poisson-compare.sh): built only when hypre or PETSc is
# installed (apt-get install libhypre-dev petsc-dev); CI does not need them.
find_path(TSR_HYPRE_INCLUDE HYPRE_struct_ls.h PATH_SUFFIXES hypre)
find_library(TSR_HYPRE_LIB NAMES HYPRE)
if(TSR_HYPRE_INCLUDE AND TSR_HYPRE_LIB)
  add_executable(tsr_poisson_hypre ${CMAKE_CURRENT_LIST_DIR}/poisson_hypre.c)
  target_include_directories(tsr_poisson_hypre PRIVATE ${TSR_HYPRE_INCLUDE})
  target_link_libraries(tsr_poisson_hypre PRIVATE ${TSR_HYPRE_LIB} MPI::MPI_C m)
  set_target_properties(tsr_poisson_hypre PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${CMAKE_CURRENT_BINARY_DIR}/compare)
endif()
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(TSR_PETSC QUIET IMPORTED_TARGET PETSc)
endif()
if(TSR_PETSC_FOUND AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/poisson_petsc.c)
  add_executable(tsr_poisson_petsc ${CMAKE_CURRENT_LIST_DIR}/poisson_petsc.c)
  target_link_libraries(tsr_poisson_petsc PRIVATE PkgConfig::TSR_PETSC MPI::MPI_C m)
  set_target_properties(tsr_poisson_petsc PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${CMAKE_CURRENT_BINARY_DIR}/compare)
endif()
