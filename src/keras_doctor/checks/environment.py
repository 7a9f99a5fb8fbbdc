"""Environment checks: shadowing files, the Keras backend, PEP 668 Pythons, mixed-up interpreters.

These are about how the environment is *used* (the working directory, variables, the shell's PATH,
Jupyter kernels), so they need live facts; for a folder checked with `--path` they are skipped.
"""

from __future__ import annotations

import ntpath
import posixpath
from types import ModuleType
from typing import Iterator, Optional, Tuple

from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.facts.model import Facts
from keras_doctor.findings import Finding, FixStep, Severity, StepKind
from keras_doctor.knowledge.compat_rules import TF_FAMILY
from keras_doctor.remedies import install

# Which distributions provide each watched import name.
PROVIDERS = {
    "keras": ("keras",), "tensorflow": tuple(TF_FAMILY), "tf_keras": ("tf-keras",),
    "numpy": ("numpy",), "h5py": ("h5py",), "google": ("protobuf",), "ml_dtypes": ("ml-dtypes",),
    "jax": ("jax",), "jaxlib": ("jaxlib",), "torch": ("torch",), "scipy": ("scipy",),
    "absl": ("absl-py",), "tensorboard": ("tensorboard",), "optree": ("optree",),
    "keras_hub": ("keras-hub",), "keras_cv": ("keras-cv",), "keras_nlp": ("keras-nlp",),
    "tensorflow_hub": ("tensorflow-hub",), "tensorflow_datasets": ("tensorflow-datasets",),
    "grpc": ("grpcio",), "wrapt": ("wrapt",), "opt_einsum": ("opt-einsum",),
    "flatbuffers": ("flatbuffers",),
}

# What to install for each backend (CPU builds; GPU builds are platform-specific choices).
BACKEND_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch", "numpy": "numpy",
                    "openvino": "openvino"}

# Keras 3 backends and the distributions each needs.
BACKENDS = {
    "tensorflow": tuple(TF_FAMILY), "jax": ("jax",), "torch": ("torch",), "numpy": ("numpy",),
    "openvino": ("openvino",),
}


@check(name="shadowing", area="environment", causes=["shadowed-module"],
       ok="No local file hides an installed package")
def shadowing(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.facts.config is None:
        raise SkipCheck("no working directory or sys.path for this target")
    for shadow in ctx.facts.shadows:
        provider = next((ctx.installed.get(n) for n in PROVIDERS.get(shadow.name, ())
                         if ctx.installed.get(n)), None)
        where = "the working directory" if shadow.sys_path_entry == "" else shadow.sys_path_entry
        hidden = f"the installed {provider.name} {provider.version}" if provider else \
            f"the real `{shadow.name}` package"
        paths = target_paths(ctx.facts)
        # The name fix's rename step gives it: kept, no longer importable, plainly labelled.
        renamed = f"{shadow.path.rstrip(paths.sep)}.shadowing-{shadow.name}"
        yield finding(
            "shadowed-module",
            f"{shadow.path} hides {hidden}: `import {shadow.name}` loads this file instead",
            evidence={"name": shadow.name, "path": shadow.path,
                      "sys_path_entry": shadow.sys_path_entry, "position": shadow.position,
                      "found_in": where,
                      "hidden_distribution": provider.name if provider else None},
            fix=[FixStep(f"Rename {shadow.path}, which hides the real `{shadow.name}`, to "
                         f"{paths.basename(renamed)}",
                         StepKind.EDIT, ("mv", shadow.path, renamed), target=shadow.path,
                         destructive=True),
                 FixStep(f"Delete the compiled copies in "
                         f"{paths.join(paths.dirname(shadow.path), '__pycache__')} named "
                         f"{shadow.name}.*.pyc", StepKind.EDIT, destructive=True)],
            severity=None if provider else Severity.WARNING,
        )


def configured_backend(ctx: CheckContext) -> Optional[Tuple[str, str]]:
    """(backend, where it was set) when the user set one: `KERAS_BACKEND`, else keras.json."""
    config = ctx.facts.config
    if config is None:
        return None
    if config.env.get("KERAS_BACKEND"):
        return config.env["KERAS_BACKEND"], "KERAS_BACKEND"
    keras_json = config.keras_json
    content = keras_json.content if keras_json else None
    if keras_json and content and isinstance(content.get("backend"), str):
        return content["backend"], keras_json.path
    return None


def chosen_backend(ctx: CheckContext) -> Tuple[str, str]:
    """(backend, where it was set) the way Keras 3 decides it: as configured, else TensorFlow."""
    return configured_backend(ctx) or ("tensorflow", "the default")


@check(name="keras-backend", area="keras",
       causes=["keras-backend-unavailable", "keras-config-invalid"],
       ok="Keras's backend is installed and keras.json is valid")
def keras_backend(ctx: CheckContext) -> Iterator[Finding]:
    config = ctx.facts.config
    if config is None:
        raise SkipCheck("no environment variables or keras.json for this target")
    if config.keras_json and config.keras_json.error:
        yield finding(
            "keras-config-invalid",
            f"{config.keras_json.path} is {config.keras_json.error}",
            evidence={"path": config.keras_json.path, "error": config.keras_json.error},
            fix=[FixStep(f"Fix the JSON in {config.keras_json.path}, or delete it so Keras writes "
                         "a fresh one", StepKind.EDIT, target=config.keras_json.path)],
        )
    keras = ctx.installed.version("keras")
    if keras is None or keras.major < 3:
        return
    backend, source = chosen_backend(ctx)
    evidence = {"backend": backend, "set_by": source, "keras_version": str(keras)}
    if backend not in BACKENDS:
        yield finding(
            "keras-backend-unavailable",
            f"Keras backend {backend!r} (from {source}) is not one Keras knows",
            evidence=evidence,
            fix=[_backend_step(source, "tensorflow")],
        )
        return
    providers = [n for n in BACKENDS[backend] if ctx.installed.get(n)]
    if providers:
        return
    installed_backends = [b for b, names in BACKENDS.items()
                          if b != "numpy" and any(ctx.installed.get(n) for n in names)]
    fix = [install(ctx.facts, [BACKEND_PACKAGES[backend]],
                   description=f"{'Or install' if installed_backends else 'Install'} the "
                               f"{backend} backend in this environment")]
    if installed_backends:
        fix.insert(0, _backend_step(source, installed_backends[0]))
    yield finding(
        "keras-backend-unavailable",
        f"Keras {keras} is set to the {backend} backend (by {source}), but {backend} is not "
        "installed",
        evidence={**evidence, "installed_backends": installed_backends},
        fix=fix,
    )


def _backend_step(source: str, backend: str) -> FixStep:
    if source == "KERAS_BACKEND":
        return FixStep(f"Use the installed {backend} backend", StepKind.ENV,
                       ("export", f"KERAS_BACKEND={backend}"))
    return FixStep(f'Set "backend": "{backend}" in {source}', StepKind.EDIT, target=source)


@check(name="externally-managed", area="environment", causes=["externally-managed-python"],
       ok="Installs into this interpreter are allowed (not a PEP 668 system Python)")
def externally_managed(ctx: CheckContext) -> Iterator[Finding]:
    marker = ctx.facts.interpreter.externally_managed
    if ctx.facts.config is None:
        raise SkipCheck("no interpreter for this target")
    if not marker:
        return
    exe = ctx.facts.interpreter.executable or "python3"
    venv = target_paths(ctx.facts).join("~", ".venvs", "keras")
    yield finding(
        "externally-managed-python",
        f"{exe} is managed by the operating system; pip refuses to install into it",
        evidence={"executable": exe, "marker": marker},
        fix=[FixStep("Create a virtual environment", StepKind.RUN, (exe, "-m", "venv", venv)),
             FixStep("Install and run everything with that environment's Python",
                     StepKind.MANUAL)],
    )


def target_paths(facts: Facts) -> ModuleType:
    """The path rules of the diagnosed machine (`ntpath` for Windows), never of the machine that
    reads the facts: saved facts give the same paths and commands wherever they are diagnosed."""
    return ntpath if facts.platform.system == "Windows" else posixpath


def _is_python(path: Optional[str]) -> bool:
    return path is not None and ntpath.basename(path).lower().startswith("python")


@check(name="interpreters", area="environment", causes=["wrong-interpreter"],
       ok="python, pip and the Jupyter kernels point at the same environment")
def interpreters(ctx: CheckContext) -> Iterator[Finding]:
    config = ctx.facts.config
    if config is None:
        raise SkipCheck("no shell PATH for this target")
    tools = {t.name: t for t in config.path_tools}
    python = tools.get("python3") or tools.get("python")
    pip = tools.get("pip") or tools.get("pip3")
    target = ctx.facts.interpreter.environment
    if (python and pip and _is_python(pip.interpreter) and pip.environment and python.environment
            and pip.environment != python.environment):
        yield finding(
            "wrong-interpreter",
            f"`pip` on PATH installs for {pip.interpreter}, but `python` on PATH is "
            f"{python.path}",
            evidence={"pip": pip.path, "pip_interpreter": pip.interpreter,
                      "python": python.path, "target": ctx.facts.interpreter.executable},
            fix=[FixStep("Install with the interpreter that runs your code: "
                         "`python -m pip install …`", StepKind.MANUAL)],
        )
    for spec in config.kernel_specs:
        if spec.argv0 and spec.argv0_exists is False:
            yield finding(
                "wrong-interpreter",
                f"Jupyter kernel {spec.name!r} starts {spec.argv0}, which no longer exists",
                evidence={"kernel": spec.name, "kernel_json": spec.path, "argv0": spec.argv0},
                fix=[FixStep(f"Remove the dead kernel: jupyter kernelspec remove {spec.name}",
                             StepKind.RUN, ("jupyter", "kernelspec", "remove", "-y", spec.name),
                             destructive=True)],
            )
    if (ctx.facts.target.mode == "running" and python and target and _is_python(python.path)
            and python.environment and python.environment != target
            and ".pyenv/shims" not in python.path):
        yield finding(
            "wrong-interpreter",
            f"keras-doctor runs in {ctx.facts.interpreter.executable}, but `python` in your "
            f"shell is {python.path}",
            evidence={"doctor_interpreter": ctx.facts.interpreter.executable,
                      "python_on_path": python.path},
            fix=[FixStep(f"Check the interpreter that runs your code: keras-doctor check "
                         f"--python {python.path}", StepKind.RUN,
                         ("keras-doctor", "check", "--python", python.path))],
            severity=Severity.INFO,
        )

