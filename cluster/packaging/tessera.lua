-- Lmod modulefile for Tessera (a template: lines marked CHANGE are site-specific).
--
-- Install Tessera into its own prefix, then copy this file into a modulefile tree:
--   cmake --preset release && cmake --build --preset release -j
--   cmake --install build/release --prefix /opt/tessera/0.1.0
--   cp cluster/packaging/tessera.lua /opt/modulefiles/tessera/0.1.0.lua
--   module use /opt/modulefiles && module load tessera/0.1.0
-- Users then get tsr_heat on PATH, and find_package(Tessera) / pkg-config tessera work.

local version = "0.1.0"                          -- CHANGE: the version installed
local root = "/opt/tessera/" .. version          -- CHANGE: the prefix given to cmake --install

help([[
Tessera ]] .. version .. [[: a C11 framework for distributed computing on structured grids
(MPI + OpenMP, parallel HDF5).

  tsr_heat --help                       the heat example's options
  find_package(Tessera)                 in CMake (CMAKE_PREFIX_PATH is set)
  pkg-config --cflags --libs tessera    elsewhere (PKG_CONFIG_PATH is set)

Batch templates for Slurm and a scaling study: cluster/ in the Tessera sources,
documented in docs/cluster.md.
]])

whatis("Name: Tessera")
whatis("Version: " .. version)
whatis("Category: library, numerical")
whatis("Description: distributed structured-grid computing (MPI, OpenMP, parallel HDF5)")

-- Only one Tessera at a time.
family("tessera")

-- CHANGE: the modules of the MPI and parallel HDF5 that Tessera was built with, under your
-- site's names; Lmod loads them with this module (Debian's system packages need none).
-- depends_on("openmpi/4.1")
-- depends_on("hdf5/1.10-mpi")

prepend_path("PATH", pathJoin(root, "bin"))
prepend_path("CMAKE_PREFIX_PATH", root)
-- GNUInstallDirs picks lib, lib64 or lib/<multiarch> depending on the system and prefix.
for _, dir in ipairs({"lib", "lib64", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu"}) do
  local libdir = pathJoin(root, dir)
  if isDir(pathJoin(libdir, "pkgconfig")) then
    -- Installed programs find libtessera through their RPATH; programs users build need this.
    prepend_path("LD_LIBRARY_PATH", libdir)
    prepend_path("PKG_CONFIG_PATH", pathJoin(libdir, "pkgconfig"))
  end
end
setenv("TESSERA_ROOT", root)
setenv("TESSERA_VERSION", version)
