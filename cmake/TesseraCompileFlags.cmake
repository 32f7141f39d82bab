# Warnings, sanitizers and tuning, applied through one interface target that every Tessera
# target links privately (so installed consumers do not inherit our warning flags).
add_library(tessera_build_flags INTERFACE)
target_compile_options(tessera_build_flags INTERFACE -Wall -Wextra -Wshadow -Wstrict-prototypes
                                                     -Wno-unused-parameter)
if(TSR_WERROR)
  target_compile_options(tessera_build_flags INTERFACE -Werror)
endif()
if(TSR_NATIVE)
  target_compile_options(tessera_build_flags INTERFACE -march=native)
endif()
if(TSR_SANITIZE)
  target_compile_options(tessera_build_flags INTERFACE -fsanitize=${TSR_SANITIZE}
                                                       -fno-omit-frame-pointer
                                                       -fno-sanitize-recover=all)
  target_link_options(tessera_build_flags INTERFACE -fsanitize=${TSR_SANITIZE})
endif()
