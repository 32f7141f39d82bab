#%Module1.0
# Environment Modules (Tcl) modulefile for Tessera (a template: lines marked CHANGE are
# site-specific). Lmod reads it too. Install Tessera into its own prefix, then:
#   cmake --install build/release --prefix /opt/tessera/0.1.0
#   cp cluster/packaging/tessera.tcl /opt/modulefiles/tessera/0.1.0
#   module use /opt/modulefiles && module load tessera/0.1.0

set version 0.1.0                    ;# CHANGE: the version installed
set root /opt/tessera/$version       ;# CHANGE: the prefix given to cmake --install

proc ModulesHelp { } {
  global version
  puts stderr "Tessera $version: a C11 framework for distributed computing on structured grids"
  puts stderr "(MPI + OpenMP, parallel HDF5). tsr_heat --help lists the example's options;"
  puts stderr "find_package(Tessera) and pkg-config tessera find the library."
}

module-whatis "Name: Tessera"
module-whatis "Version: $version"
module-whatis "Description: distributed structured-grid computing (MPI, OpenMP, parallel HDF5)"

# Only one Tessera at a time.
conflict tessera

# CHANGE: the modules of the MPI and parallel HDF5 that Tessera was built with, under your
# site's names (Debian's system packages need none).
# prereq openmpi/4.1
# prereq hdf5/1.10-mpi

prepend-path PATH $root/bin
prepend-path CMAKE_PREFIX_PATH $root
# GNUInstallDirs picks lib, lib64 or lib/<multiarch> depending on the system and prefix.
foreach dir {lib lib64 lib/x86_64-linux-gnu lib/aarch64-linux-gnu} {
  if {[file isdirectory $root/$dir/pkgconfig]} {
    # Installed programs find libtessera through their RPATH; programs users build need this.
    prepend-path LD_LIBRARY_PATH $root/$dir
    prepend-path PKG_CONFIG_PATH $root/$dir/pkgconfig
  }
}
setenv TESSERA_ROOT $root
setenv TESSERA_VERSION $version
