# Checkpoint, restart and signals, as a user of tsr_heat meets them (scripts in tests/restart/,
# each described at its top), and the snapshot writer continuing a restarted run's series.
# Every script prints one line per check; ctest shows them with --output-on-failure.

# The sanitizer pass runs a reduced set (marked "sanitizer:" below): the same code paths, fewer
# repeats.

# The writer's series after a restart (tsr_io_writer_set_first_step), at 1 to 3 ranks
# (sanitizer: 1 and 3).
set(restart_dir ${CMAKE_CURRENT_BINARY_DIR}/restart-test)
add_test(NAME restart.clean COMMAND ${CMAKE_COMMAND} -E rm -rf ${restart_dir}/writer)
set_tests_properties(restart.clean PROPERTIES FIXTURES_SETUP restart_clean LABELS restart)
set(writer_ranks 1 2 3)
if(TSR_SANITIZE)
  set(writer_ranks 1 3)
endif()
tsr_add_mpi_cunit_test(NAME restart_writer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/restart/test_writer_restart.c
                       RANKS ${writer_ranks} TIMEOUT 90)
foreach(np IN LISTS writer_ranks)
  set_tests_properties(restart_writer.np${np}.nt1 PROPERTIES FIXTURES_REQUIRED restart_clean)
  set_property(TEST restart_writer.np${np}.nt1 APPEND PROPERTY ENVIRONMENT
               TSR_RESTART_TEST_DIR=${restart_dir}/writer)
endforeach()
tsr_use_io_lsan(restart_writer ${writer_ranks})

if(NOT TARGET tsr_heat)
  return()
endif()
set(restart_env ${TSR_MPI_TEST_ENV})
if(TSR_SANITIZE)
  list(APPEND restart_env ASAN_OPTIONS=detect_leaks=0) # Open MPI's own leaks at exit
endif()
set(restart_scripts ${CMAKE_CURRENT_SOURCE_DIR}/restart)
set(restart_run ${MPIEXEC_EXECUTABLE} $<TARGET_FILE:tsr_heat>)
find_program(TSR_SYSTEM_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH) # Debian's h5py
find_program(TSR_H5DUMP h5dump)
# The SIGKILL rounds' moments and rank counts come from this seed (printed by the test).
set(TSR_RESTART_SEED 4242 CACHE STRING "seed of the random kill moments of restart.kill")

# restart_test(NAME PROCESSORS SCRIPT ARGS...): one script run in its own work folder.
function(restart_test name processors script)
  add_test(NAME restart.${name}
           COMMAND bash ${restart_scripts}/${script} ${restart_run} ${restart_dir}/${name} ${ARGN})
  set_tests_properties(restart.${name} PROPERTIES ENVIRONMENT "${restart_env}" TIMEOUT 180
                       PROCESSORS ${processors} LABELS "mpi;restart")
endfunction()

# N steps straight vs N/2 + checkpoint + the rest on another rank count, process grid or
# thread count. N/2 is odd, so the state sits in heat's second buffer at the checkpoint (heat
# points the checkpoint at it) and the restart reads it into the first.
# The first 2-D pair also writes snapshots every 3 steps (each copies the state into the first
# buffer), which must change nothing. Sanitizer: that pair alone.
set(snapshots "--out restart-test/pairs.2d/out --output-every 3")
if(TSR_SANITIZE)
  restart_test(pairs.2d 2 restart_pairs.sh "--grid 45x37 --periodic 1,0" 22 "1 1"
               "2 1 ${snapshots} / 3 1 ${snapshots}")
else()
  restart_test(pairs.2d 2 restart_pairs.sh "--grid 45x37 --periodic 1,0" 22 "1 1"
               "2 1 ${snapshots} / 3 1 ${snapshots}" "4 1 --procs 1x4 / 1 2")
  restart_test(pairs.3d 2 restart_pairs.sh "--grid 19x17x13 --ic hash" 14 "2 1"
               "3 1 / 8 1 --procs 2x2x2" "4 2 --procs 1x1x4 / 1 1")
endif()

# SIGKILL of the whole job inside a checkpoint write and at a seeded random moment, then
# --restart latest on another rank count; signals to mpirun and to the ranks. These mostly wait (on checkpoint
# writes slowed by TSR_CHECKPOINT_TEST_DELAY_MS), so each counts as one processor.
# Sanitizer: one kill round, and the two-signal case.
if(TSR_SANITIZE)
  restart_test(kill 1 restart_kill.sh ${TSR_RESTART_SEED} 1)
  restart_test(signal 1 restart_signal.sh twice)
else()
  restart_test(kill 1 restart_kill.sh ${TSR_RESTART_SEED} 2)
  restart_test(signal 1 restart_signal.sh)
endif()

# Bad input and unusable folders: exit 2, one message, checkpoints untouched.
if(TSR_SYSTEM_PYTHON)
  restart_test(errors 1 restart_errors.sh ${TSR_SYSTEM_PYTHON})
endif()

# Snapshots, XDMF, index and checkpoint through h5py, XML and h5dump, across two restarts.
# (Not in the sanitizer pass: restart_writer covers the index rebuild there.)
if(TSR_SYSTEM_PYTHON AND TSR_H5DUMP AND NOT TSR_SANITIZE)
  restart_test(files 2 restart_files.sh ${TSR_SYSTEM_PYTHON} ${TSR_H5DUMP})
endif()
