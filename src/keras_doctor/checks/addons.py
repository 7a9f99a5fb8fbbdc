"""Native pieces TensorFlow needs beside itself: compiled add-ons and the CUDA libraries.

TensorFlow has no stable C++ ABI, so an add-on's op library (tensorflow-text, tensorflow-addons,
tensorflow-io, decision forests) works only with the TensorFlow release it was built for; each
says which in its own metadata: tensorflow-text and decision forests pin TensorFlow's minor in
their base requirements (the `requirements` check reports those, as this cause), tensorflow-addons
declares its supported range only under its `tensorflow` extra (`tensorflow<2.16.0,>=2.13.0` in
0.23.0, the same bounds `tensorflow_addons/version.py` warns with at import), so it is read here.
And TensorFlow's Linux GPU build opens the CUDA libraries at start-up: `tensorflow[and-cuda]`
pins the NVIDIA wheels it was built with, and one of them missing or of another release means the
loader cannot open it and the GPU is silently unused.
"""

from __future__ import annotations

from typing import Iterator, List

from packaging.utils import canonicalize_name

from keras_doctor.checks.installed import parse_version
from keras_doctor.checks.registry import CheckContext, check, finding
from keras_doctor.findings import Finding
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.remedies import install
from keras_doctor.requirements import applicable, target_environment

# Add-ons whose supported TensorFlow range is declared only under an extra of their own.
EXTRA_DECLARED_RANGE = {"tensorflow-addons": "tensorflow"}


@check(name="tensorflow-add-ons", area="packages",
       causes=["extension-built-against-another-tensorflow"],
       ok="Every TensorFlow add-on supports the installed TensorFlow")
def add_on_range(ctx: CheckContext) -> Iterator[Finding]:
    inst = ctx.installed
    tensorflow = next(iter(inst.tensorflow()), None)
    tf_version = parse_version(tensorflow.version) if tensorflow is not None else None
    if tensorflow is None or tf_version is None:
        return
    environment = target_environment(ctx.facts.interpreter.marker_environment)
    for add_on, extra in EXTRA_DECLARED_RANGE.items():
        dist = inst.get(add_on)
        if dist is None:
            continue
        ranges = [r for r in applicable(dist.requires_dist, {**environment, "extra": extra})
                  if canonicalize_name(r.name) == "tensorflow" and r.marker is not None]
        if not ranges or ranges[0].specifier.contains(tf_version, prereleases=True):
            continue
        declared = ranges[0].specifier
        yield finding(
            "extension-built-against-another-tensorflow",
            f"{dist.name} {dist.version} supports TensorFlow {declared}, but {tensorflow.name} "
            f"{tensorflow.version} is installed: its custom ops may fail to load",
            evidence={"add_on": dist.name, "add_on_version": dist.version,
                      "supported_tensorflow": str(declared), "tensorflow": tensorflow.version,
                      "declared_in": f"{dist.metadata_dir} (extra '{extra}')"},
            fix=[install(ctx.facts, [f"tensorflow{declared}"],
                         description=f"Install the TensorFlow {dist.name} {dist.version} "
                                     "supports (or the add-on release built for the installed "
                                     "TensorFlow)")],
        )


@check(name="cuda-libraries", area="platform", causes=["native-runtime-library-missing"],
       ok="TensorFlow's CUDA libraries are complete, or none were installed")
def cuda_libraries(ctx: CheckContext) -> Iterator[Finding]:
    """Only an environment that chose the CUDA wheels (one of them is installed) is judged: a
    CPU-only TensorFlow has none, and needs none."""
    inst = ctx.installed
    environment = target_environment(ctx.facts.interpreter.marker_environment)
    for tensorflow in inst.tensorflow():
        if canonicalize_name(tensorflow.name) not in TF_FAMILY:
            continue
        base = {str(r) for r in applicable(tensorflow.requires_dist, environment)}
        wanted = [r for r in applicable(tensorflow.requires_dist,
                                        {**environment, "extra": "and-cuda"})
                  if str(r) not in base]
        if not wanted:
            continue
        installed = {canonicalize_name(r.name): inst.get(r.name) for r in wanted}
        if not any(installed.values()):
            continue
        problems: List[str] = []
        for req in wanted:
            have = installed[canonicalize_name(req.name)]
            version = parse_version(have.version) if have is not None else None
            if have is None:
                problems.append(f"{req.name} is missing")
            elif req.specifier and (version is None or not req.specifier.contains(
                    version, prereleases=True)):
                problems.append(f"{req.name} {have.version} (TensorFlow wants {req.specifier})")
        if not problems:
            continue
        yield finding(
            "native-runtime-library-missing",
            f"{tensorflow.name} {tensorflow.version}'s CUDA libraries are incomplete: "
            f"{'; '.join(problems[:4])}{' …' if len(problems) > 4 else ''} — TensorFlow cannot "
            "open them and runs without the GPU",
            evidence={"tensorflow": f"{tensorflow.name} {tensorflow.version}",
                      "cuda_requirements": [str(r) for r in wanted], "problems": problems},
            fix=[install(ctx.facts, [f"{tensorflow.name}[and-cuda]=={tensorflow.version}"],
                         description="Install the CUDA libraries this TensorFlow was built with")],
        )
