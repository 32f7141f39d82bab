#!/usr/bin/python3
"""Check cluster/packaging/spack/package.py without Spack: compile it, import it against
the stub in tests/slurm/spack_stub (spack.package), and check the directives it declares and
the CMake arguments cmake_args() gives for each variant. This proves the recipe is valid
Python that uses Spack's documented recipe API as the stub models it, not that Spack builds it.

    check_spack_recipe.py RECIPE
"""
import importlib.util
import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
recipe = sys.argv[1]
with open(recipe, encoding="utf-8") as f:
    compile(f.read(), recipe, "exec")  # a syntax error fails here, naming the line
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "spack_stub"))
import spack.package as sp  # noqa: E402 (the stub, after the path change)

spec = importlib.util.spec_from_file_location("tessera_recipe", recipe)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += 0 if ok else 1


def directives(name):
    return [(a, k) for n, a, k in sp.DIRECTIVES if n == name]


cls = getattr(mod, "Tessera", None)
check(cls is not None and issubclass(cls, sp.CMakePackage), "class Tessera(CMakePackage)")
deps = {a[0]: k for a, k in directives("depends_on")}
check("mpi" in deps and deps["mpi"].get("type") is None, "depends_on('mpi') for build and run")
check(any(d.startswith("hdf5") and "+mpi" in d for d in deps), "depends_on hdf5 +mpi")
check(deps.get("cunit", {}).get("type") == "test", "depends_on('cunit', type='test')")
check(any(d.startswith("cmake") and deps[d].get("type") == "build" for d in deps),
      "depends_on cmake, type='build'")
variants = {a[0]: k for a, k in directives("variant")}
for v in ("native", "sanitize"):
    check(v in variants and variants[v].get("default") is False and variants[v].get("description"),
          "variant '%s', off by default, described" % v)
check(len(directives("version")) >= 1, "at least one version")

if cls is not None:
    base = cls().cmake_args()
    check("-DTSR_NATIVE:BOOL=OFF" in base, "default: TSR_NATIVE off")
    check("-DTSR_SANITIZE:STRING=" in base, "default: TSR_SANITIZE empty")
    check("-DTSR_BUILD_TESTS:BOOL=OFF" in base, "tests off unless Spack runs them")
    native = cls(enabled={"native"}).cmake_args()
    check("-DTSR_NATIVE:BOOL=ON" in native, "+native: TSR_NATIVE on")
    san = cls(enabled={"sanitize"}).cmake_args()
    check("-DTSR_SANITIZE:STRING=address,undefined" in san, "+sanitize: ASan + UBSan")
    tested = cls(run_tests=True).cmake_args()
    check("-DTSR_BUILD_TESTS:BOOL=ON" in tested, "--test: TSR_BUILD_TESTS on")

sys.exit(1 if failures else 0)
