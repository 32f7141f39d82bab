# Smoke tests of the benchmark programs (examples/bench): each runs on a tiny problem with one
# or two repeats and writes JSON, which examples/bench/bench_smoke.cmake checks for well-formed,
# complete fields, consistent statistics (min <= median <= max) and verified results (the
# triad's values, both halo exchanges' ghosts, the PRK norm). No timing is ever judged.
if(TARGET tsr_bench_stencil AND TARGET tsr_bench_halo)
  set(bench_smoke ${PROJECT_SOURCE_DIR}/examples/bench/bench_smoke.cmake)

  # bench_smoke_test(NAME EXE "ARGS|..." "CHECKS" "NP NT"...)
  function(bench_smoke_test name exe args checks)
    foreach(config IN LISTS ARGN)
      separate_arguments(config)
      list(GET config 0 np)
      list(GET config 1 nt)
      if(TSR_SANITIZE AND np GREATER 2)
        continue() # the ASan pass stays cheap: 1 and 2 ranks
      endif()
      set(test bench.${name}.np${np}.nt${nt})
      add_test(NAME ${test}
               COMMAND ${CMAKE_COMMAND} -DMPIEXEC=${MPIEXEC_EXECUTABLE} -DNP=${np}
                       -DEXE=$<TARGET_FILE:${exe}> "-DARGS=${args}"
                       -DJSON=${CMAKE_CURRENT_BINARY_DIR}/${test}.json "-DCHECK=${checks}"
                       -P ${bench_smoke})
      set(env ${TSR_MPI_TEST_ENV} OMP_NUM_THREADS=${nt})
      if(TSR_SANITIZE)
        list(APPEND env ASAN_OPTIONS=detect_leaks=0) # Open MPI's own leaks at exit
      endif()
      math(EXPR procs "${np} * ${nt}")
      set_tests_properties(${test} PROPERTIES ENVIRONMENT "${env}" TIMEOUT 120
                           PROCESSORS ${procs} LABELS "mpi;bench")
    endforeach()
  endfunction()

  bench_smoke_test(stencil tsr_bench_stencil
    "--triad-n|100000|--grid3d|12|--grid2d|40|--repeat|2|--op-applies|3"
    "triad:elements,gbs_med,time_ms_med|kernel:points,mpts_med,gbs_med,ratio_triad,gflops_med,intensity|op:time_ms_med,gbs_med,exchange_ms,exposed_ms,hidden_share"
    "1 1" "2 1" "1 2")
  bench_smoke_test(prk tsr_bench_stencil
    "--prk|--prk-n|40|--prk-iterations|4|--repeat|1"
    "prk:flops_per_iter,mflops_med,iter_ms_med,norm,reference_norm"
    "1 1" "2 2" "3 1" "4 1" "8 1")
  bench_smoke_test(halo tsr_bench_halo
    "--sizes|6,8|--widths|1,2|--repeat|2|--inner|2"
    "halo:bytes,tessera_us_med,hand_us_med,ratio,ratio_of_min,pair_ratio_med"
    "1 1" "2 2" "3 1" "8 1")
endif()
