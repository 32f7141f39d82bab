"""Stub of `spack.package`: the directives record their arguments on the class being defined
(DIRECTIVES), and CMakePackage has define()/define_from_variant() formatted as Spack does."""
DIRECTIVES = []


def _directive(name):
    def record(*args, **kwargs):
        DIRECTIVES.append((name, args, kwargs))
    return record


version = _directive("version")
variant = _directive("variant")
depends_on = _directive("depends_on")
conflicts = _directive("conflicts")
maintainers = _directive("maintainers")
license = _directive("license")  # noqa: A001 (Spack's name)
requires = _directive("requires")


class FakeMpi:
    mpicc = "/fake/mpi/bin/mpicc"


class FakeSpec:
    """spec.satisfies('+name') / ('~name') against a set of enabled variants."""

    def __init__(self, enabled):
        self.enabled = set(enabled)

    def satisfies(self, constraint):
        if constraint.startswith("+"):
            return constraint[1:] in self.enabled
        if constraint.startswith("~"):
            return constraint[1:] not in self.enabled
        raise ValueError("stub supports only +variant/~variant, got " + constraint)

    def __getitem__(self, name):
        if name == "mpi":
            return FakeMpi()
        raise KeyError(name)


class CMakePackage:
    def __init__(self, enabled=(), run_tests=False):
        self.spec = FakeSpec(enabled)
        self.run_tests = run_tests

    @staticmethod
    def define(name, value):
        if isinstance(value, bool):
            return "-D{0}:BOOL={1}".format(name, "ON" if value else "OFF")
        if isinstance(value, (list, tuple)):
            value = ";".join(str(v) for v in value)
        return "-D{0}:STRING={1}".format(name, value)

    def define_from_variant(self, name, variant):
        return self.define(name, self.spec.satisfies("+" + variant))
