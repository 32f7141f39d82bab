# Grid decomposition properties at 1 2 3 4 8 ranks.
tsr_add_mpi_cunit_test(NAME mpi_grid SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mpi/test_grid.c
                       TIMEOUT 90)

# The grid from the command line in the context's exit mode: options that work print the grid;
# refusals end the run with exit code 2 and one message from rank 0.
add_executable(grid_probe ${CMAKE_CURRENT_SOURCE_DIR}/mpi/grid_probe.c)
target_link_libraries(grid_probe PRIVATE Tessera::tessera tessera_build_flags)

# tsr_grid_cli(<name> <ranks> <exit code> <regex matching exactly one line> <probe args>...)
function(tsr_grid_cli name np code regex)
  set(test cli_grid_${name}.np${np})
  add_test(NAME ${test}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/mpi/expect_exit_grid.sh ${np} ${code} "${regex}"
                   $<TARGET_FILE:grid_probe> ${ARGN})
  set(env ${TSR_MPI_TEST_ENV})
  if(TSR_SANITIZE)
    list(APPEND env ASAN_OPTIONS=detect_leaks=0)
  endif()
  set_tests_properties(${test} PROPERTIES ENVIRONMENT "${env}" TIMEOUT 90 PROCESSORS ${np}
                       LABELS "cli;mpi")
endfunction()

set(err "^tessera: error: ")
# Refusals of the decomposition (collective, TSR_ERR_DECOMP / TSR_ERR_ARG).
foreach(np 1 2 4)
  tsr_grid_cli(procs_product ${np} 2
               "${err}process grid 3x1x1 has 3 tiles but the run has ${np} ranks"
               --procs 3x1x1)
  tsr_grid_cli(thin_tile ${np} 2
               "${err}process grid ${np}x1x1 gives tiles of 1 cells on axis 0 [(]${np} cells over ${np} tiles[)], thinner than the ghost width 2"
               --grid ${np}x4 --procs ${np}x1 --ghost 2)
  tsr_grid_cli(user_procs ${np} 0 "^grid dim=2 n=20x10x1 procs=1x${np}x1 periodic=0,0,0"
               --grid 20x10 --procs 1x${np} --periodic=false)
endforeach()
foreach(np 2 4)
  math(EXPR half "${np} / 2")
  tsr_grid_cli(empty_tile ${np} 2
               "${err}process grid ${np}x1x1 puts ${np} tiles on the ${half} cells of axis 0: some tiles would have no cells"
               --grid ${half}x2 --procs ${np}x1)
  tsr_grid_cli(split_missing_axis ${np} 2
               "${err}process grid 1x1x${np} splits axis 2 of a 2-D grid"
               --grid 8x8 --procs 1x1x${np})
endforeach()
# Option parsing: what set_from_options reads, and malformed values (TSR_ERR_OPTION).
tsr_grid_cli(defaults 4 0 "^grid dim=2 n=16x16x1 procs=2x2x1 periodic=0,0,0 ghost=1")
tsr_grid_cli(size_3d 2 0 "^grid dim=3 n=12x8x4 procs=2x1x1 periodic=1,0,1 ghost=1"
             --grid 12x8x4 --periodic 1,0,1)
tsr_grid_cli(cube 2 0 "^grid dim=3 n=6x6x6 procs=1x1x2 periodic=1,1,1 ghost=2"
             --grid 6 --dim 3 --periodic=yes --ghost 2)
tsr_grid_cli(grid_dim_mismatch 2 2 "${err}--grid gives 2 sizes but --dim is 3" --grid 8x8 --dim 3)
tsr_grid_cli(bad_periodic 2 2 "${err}--periodic 1,2 is invalid" --periodic 1,2)
