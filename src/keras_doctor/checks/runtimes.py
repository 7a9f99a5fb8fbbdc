"""Native runtimes that fight inside one process, and dependencies too new for the code using them.

Two packages that each bring their own OpenMP runtime (`libiomp5` from Intel/MKL builds, `libomp`
from LLVM builds) abort the process when both load: `OMP: Error #15`. And old releases that did not
cap a dependency break when pip installs today's version of it: Keras <= 2.4 calls `.decode()` on
h5py 3's `str` attributes while loading a model. Both are visible in the installed files and
versions before anything runs.
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, List

from packaging.specifiers import SpecifierSet

from keras_doctor.checks.registry import CheckContext, check, finding
from keras_doctor.findings import Finding, FixStep, Severity, StepKind
from keras_doctor.remedies import install

# The runtimes that refuse a second copy (LLVM's libomp is derived from Intel's and shares the
# check); GNU's libgomp is a separate runtime and coexists.
_OPENMP = re.compile(r"(?:^|[/\\])(?:lib)?(?P<runtime>iomp5(?:md)?|omp)(?:[.\-][\w.\-]*)?\."
                     r"(?:dylib|so|dll)(?:\.\d+)*$")

# (package, its releases, dependency, the releases too new for them, why, source)
TOO_NEW = (
    ("keras", "<2.5", "h5py", ">=3", "Keras <= 2.4 calls .decode('utf8') on HDF5 string "
     "attributes, which h5py 3 returns as str: loading any .h5 model fails",
     "https://docs.h5py.org/en/stable/whatsnew/3.0.html"),
    ("tensorflow", ">=1.13,<1.15", "gast", ">=0.3", "TensorFlow 1.13–1.14's autograph uses "
     "gast.Num/Str, which gast 0.3 removed (TensorFlow 1.15 pins gast==0.2.2)",
     "https://pypi.org/project/tensorflow/1.15.0/"),
)


@check(name="openmp-runtimes", area="platform", causes=["openmp-duplicate-runtime"],
       ok="At most one Intel/LLVM OpenMP runtime is installed")
def openmp_runtimes(ctx: CheckContext) -> Iterator[Finding]:
    copies: Dict[str, List[str]] = {}
    for binary in ctx.facts.binaries:
        if _OPENMP.search(binary.path):
            copies.setdefault(binary.owner or "(no distribution)", []).append(binary.path)
    if len(copies) < 2:
        return
    owners = sorted(copies)
    yield finding(
        "openmp-duplicate-runtime",
        f"{len(owners)} distributions each bring an OpenMP runtime ({', '.join(owners[:4])}): "
        "loading two of them into one process aborts it with OMP Error #15",
        evidence={"runtimes": {owner: paths[:3] for owner, paths in copies.items()}},
        fix=[FixStep("Install these packages from one channel so they share one runtime (all "
                     "conda-forge, or all pip in a fresh virtualenv)", StepKind.MANUAL),
             FixStep("Only as a stopgap: export KMP_DUPLICATE_LIB_OK=TRUE (results may be "
                     "wrong)", StepKind.MANUAL)],
        severity=Severity.WARNING,  # harmful only when both are loaded together
    )


@check(name="dependency-ceilings", area="packages", causes=["dependency-too-new"],
       ok="No dependency is newer than the old releases that use it can handle")
def dependency_ceilings(ctx: CheckContext) -> Iterator[Finding]:
    for package, releases, dependency, too_new, why, source in TOO_NEW:
        user, dep = ctx.installed.version(package), ctx.installed.version(dependency)
        if user is None or dep is None:
            continue
        if user not in SpecifierSet(releases) or dep not in SpecifierSet(too_new):
            continue
        ceiling = too_new.replace(">=", "<")
        yield finding(
            "dependency-too-new",
            f"{dependency} {dep} is too new for {package} {user}",
            evidence={"package": package, "version": str(user), "dependency": dependency,
                      "dependency_version": str(dep), "why": why, "source": source},
            fix=[install(ctx.facts, [f"{dependency}{ceiling}"],
                         description=f"Install {dependency}{ceiling}, the releases "
                                     f"{package} {user} works with")],
        )
