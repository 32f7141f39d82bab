# Real Slurm jobs: the batch templates of cluster/slurm run tsr_heat on a private one-machine
# Slurm (cluster/slurm-local.sh), started once by slurm.setup and stopped by slurm.cleanup.
# A machine where that Slurm cannot run (not root, slurm-wlm/munge missing) reports the tests
# as skipped (exit 77), never as passed. Release pass only: the jobs run the optimised
# program and take wall time (Slurm's own signal timing), which a sanitizer pass would add
# nothing to; so do the scaling smoke test and the packaging checks at the end (no C code).
set(slurm_local ${PROJECT_SOURCE_DIR}/cluster/slurm-local.sh)

if(TARGET tsr_heat AND NOT TSR_SANITIZE)
  set(slurm_dir ${CMAKE_CURRENT_BINARY_DIR}/slurm-local)
  # The local Slurm does not bind ranks (TaskPlugin=task/none), so the templates must not
  # pin threads either (every rank would start on core 0), and ranks started by srun do not
  # know the node is shared with other tests: yield the core while waiting for messages.
  set(slurm_env ${TSR_MPI_TEST_ENV} OMP_NUM_THREADS=1 TSR_OMP_PROC_BIND=false
      OMPI_MCA_mpi_yield_when_idle=1)

  # Stop a Slurm left by an interrupted earlier run, then start a fresh one.
  add_test(NAME slurm.setup
           COMMAND sh -c "'${slurm_local}' stop '${slurm_dir}' >/dev/null 2>&1; exec '${slurm_local}' start '${slurm_dir}'")
  set_tests_properties(slurm.setup PROPERTIES FIXTURES_SETUP slurm SKIP_RETURN_CODE 77
                       TIMEOUT 60 LABELS "slurm" RESOURCE_LOCK slurm-daemons)
  add_test(NAME slurm.cleanup COMMAND ${slurm_local} stop ${slurm_dir})
  set_tests_properties(slurm.cleanup PROPERTIES FIXTURES_CLEANUP slurm TIMEOUT 60
                       LABELS "slurm" RESOURCE_LOCK slurm-daemons)

  # slurm_job_test(CASE PROCESSORS TIMEOUT): one case of tests/slurm/slurm_job.sh.
  function(slurm_job_test case procs timeout)
    add_test(NAME slurm.${case}
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm/slurm_job.sh ${case} ${slurm_dir}
                     $<TARGET_FILE:tsr_heat> ${PROJECT_SOURCE_DIR}/cluster
                     ${CMAKE_CURRENT_BINARY_DIR}/slurm-jobs/${case} ${MPIEXEC_EXECUTABLE})
    set_tests_properties(slurm.${case} PROPERTIES FIXTURES_REQUIRED slurm SKIP_RETURN_CODE 77
                         ENVIRONMENT "${slurm_env}" PROCESSORS ${procs} TIMEOUT ${timeout}
                         LABELS "slurm;mpi")
  endfunction()
  slurm_job_test(finish-srun 1 90)
  slurm_job_test(finish-mpirun 1 90)
  slurm_job_test(signal-srun 1 150)
  slurm_job_test(signal-mpirun 1 120)
  slurm_job_test(requeue-srun 1 150)
  slurm_job_test(limit-walltime 1 120)
  slurm_job_test(limit-signal 1 120)

  # The scaling study as a Slurm job array plus the dependent report job.
  add_test(NAME slurm.scaling-array
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm/scaling_check.sh slurm
                   $<TARGET_FILE:tsr_heat> ${PROJECT_SOURCE_DIR}/cluster
                   ${CMAKE_CURRENT_BINARY_DIR}/slurm-jobs/scaling-array ${slurm_dir})
  set_tests_properties(slurm.scaling-array PROPERTIES FIXTURES_REQUIRED slurm
                       SKIP_RETURN_CODE 77 ENVIRONMENT "${slurm_env}" PROCESSORS 2 TIMEOUT 150
                       LABELS "slurm;mpi")

  # The same study run here with mpirun (tiny sizes): the CSV, JSON and plots appear.
  add_test(NAME scaling.local-smoke
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm/scaling_check.sh local
                   $<TARGET_FILE:tsr_heat> ${PROJECT_SOURCE_DIR}/cluster
                   ${CMAKE_CURRENT_BINARY_DIR}/scaling-smoke)
  set_tests_properties(scaling.local-smoke PROPERTIES ENVIRONMENT "${TSR_MPI_TEST_ENV}"
                       PROCESSORS 2 TIMEOUT 120 LABELS "mpi;scaling")

  # cluster/mpirun-hostfile.sh: a stopped run is restarted from its checkpoint and finishes.
  add_test(NAME cluster.mpirun-hostfile-restart
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm/hostfile_check.sh
                   $<TARGET_FILE:tsr_heat> ${PROJECT_SOURCE_DIR}/cluster
                   ${CMAKE_CURRENT_BINARY_DIR}/hostfile-restart ${MPIEXEC_EXECUTABLE})
  set_tests_properties(cluster.mpirun-hostfile-restart PROPERTIES
                       ENVIRONMENT "${TSR_MPI_TEST_ENV};OMPI_MCA_mpi_yield_when_idle=1"
                       PROCESSORS 2 TIMEOUT 150 LABELS "mpi;cluster")

  # Packaging templates, evaluated against stubs of their tools (and loaded by Lmod when it
  # is installed): what the names say, not a real Spack build.
  foreach(kind lua tcl)
    add_test(NAME packaging.modulefile-${kind}-stub-eval
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm/check_modulefile.sh ${kind}
                     ${PROJECT_SOURCE_DIR}/cluster/packaging/tessera.${kind}
                     ${CMAKE_CURRENT_BINARY_DIR}/packaging-${kind})
    set_tests_properties(packaging.modulefile-${kind}-stub-eval PROPERTIES SKIP_RETURN_CODE 77
                         TIMEOUT 30 LABELS packaging)
  endforeach()
  add_test(NAME packaging.spack-recipe-stub-eval
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/slurm/check_spack_recipe.py
                   ${PROJECT_SOURCE_DIR}/cluster/packaging/spack/package.py)
  set_tests_properties(packaging.spack-recipe-stub-eval PROPERTIES TIMEOUT 30 LABELS packaging)
endif()
