# MPI, OpenMP and *parallel* HDF5 are required; CUnit only for the tests.
find_package(MPI REQUIRED COMPONENTS C)
find_package(OpenMP REQUIRED COMPONENTS C)

# Without this preference an installed serial libhdf5-dev wins over the parallel one.
set(HDF5_PREFER_PARALLEL ON)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "Tessera needs a parallel (MPI) HDF5, but the HDF5 found is serial "
    "(HDF5_C_INCLUDE_DIRS=${HDF5_C_INCLUDE_DIRS}). On Debian: apt-get install libhdf5-openmpi-dev; "
    "if this build folder was configured against the serial one before, delete it.")
endif()

if(TSR_BUILD_TESTS)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(CUNIT REQUIRED IMPORTED_TARGET cunit)
endif()
