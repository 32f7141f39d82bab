# Spack recipe for Tessera (a template: lines marked CHANGE are site- or release-specific).
#
# Use it from a Spack repository of your own:
#   spack repo create ~/spack-repo mysite && spack repo add ~/spack-repo
#   mkdir -p ~/spack-repo/packages/tessera
#   cp cluster/packaging/spack/package.py ~/spack-repo/packages/tessera/
#   spack install tessera +native ^openmpi ^hdf5+mpi      (or ^mpich, ^intel-oneapi-mpi ...)
#   spack load tessera       (or: spack module lmod refresh tessera; module load tessera)
#
# `spack install --test=root tessera` also builds the test suite (needs CUnit) and runs ctest.
from spack.package import *  # noqa: F401,F403 (Spack's recipe API: CMakePackage, variant, ...)


class Tessera(CMakePackage):
    """Tessera: a C11 framework for distributed scientific computing on structured grids,
    with MPI, OpenMP and parallel HDF5 (checkpoint/restart, halo exchange, event logging)."""

    homepage = "https://example.org/tessera"  # CHANGE: the project's page
    git = "https://example.org/tessera.git"  # CHANGE: the repository to clone

    maintainers("tessera-developers")  # CHANGE: GitHub handles of the maintainers

    version("main", branch="main")
    # CHANGE: add each release, e.g. version("0.1.0", tag="v0.1.0", commit="<40 hex digits>")
    version("0.1.0", tag="v0.1.0")

    variant("native", default=False,
            description="Tune for the build machine's CPU (-march=native): only for builds "
                        "that run on the same kind of node")
    variant("sanitize", default=False,
            description="Build with AddressSanitizer and UndefinedBehaviorSanitizer (debugging)")
    variant("examples", default=True, description="Build and install tsr_heat")

    depends_on("cmake@3.19:", type="build")
    depends_on("pkgconfig", type="build")  # finds CUnit for the tests
    depends_on("mpi")
    depends_on("hdf5@1.10:+mpi")  # parallel HDF5: the collective I/O needs it
    depends_on("cunit", type="test")

    # The sanitizers need GCC's or Clang's runtime; OpenMP comes with the compiler.
    conflicts("+sanitize", when="%intel", msg="the sanitizers need GCC or Clang")

    def cmake_args(self):
        spec = self.spec
        return [
            self.define_from_variant("TSR_NATIVE", "native"),
            self.define("TSR_SANITIZE", "address,undefined" if spec.satisfies("+sanitize") else ""),
            self.define_from_variant("TSR_BUILD_EXAMPLES", "examples"),
            # The tests (and CUnit) only when Spack is asked to run them.
            self.define("TSR_BUILD_TESTS", self.run_tests),
            # The MPI Spack chose, also for the tests' mpiexec.
            self.define("MPI_C_COMPILER", spec["mpi"].mpicc),
            self.define("HDF5_PREFER_PARALLEL", True),
        ]
