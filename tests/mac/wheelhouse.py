"""Real macOS site-packages trees, composed from one cache of unpacked PyPI wheels by hard links.

Each `name==version` is laid out once per (platform tag, Python) by
`pip install --no-deps --only-binary=:all: --platform TAG --python-version X.Y --implementation cp
--target DIR` into `<test cache>/unpacked/…`; a scenario's tree is the union of the unpacked
folders it names, hard-linked (a TensorFlow tree costs inodes, not another gigabyte). The
dependency set of a scenario is resolved for the Mac by uv (`uv pip compile --python-platform`),
which evaluates markers for the target, once, and cached with the tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Sequence

import envs

UV_TRIPLES = {"arm64": "aarch64-apple-darwin", "x86_64": "x86_64-apple-darwin"}


def platform_tag(arch: str) -> str:
    return "macosx_12_0_arm64" if arch == "arm64" else "macosx_12_0_x86_64"


def unpacked(pin: str, arch: str, python: str) -> Path:
    """One real wheel laid out alone (its site-packages folder), built once and cached."""
    more = ["macosx_11_0_arm64"] if arch == "arm64" else []
    # check --path reads metadata and binary headers only: a hollow wheel (envs.hollow_tree).
    return envs.unpacked_wheel(pin, platform_tag(arch), python, more, hollow="headers")


def resolve(requirements: Sequence[str], arch: str, python: str) -> Dict[str, str]:
    """The full dependency set uv picks for a Mac of `arch` and Python `python`."""
    from keras_doctor.plan.resolve import parse_pins

    argv = [envs.uv_executable(), "pip", "compile", "-", "--python-platform", UV_TRIPLES[arch],
            "--python-version", python, "--no-header", "--no-annotate", "--quiet",
            "--only-binary", ":all:"]
    proc = subprocess.run(argv, input="\n".join(requirements) + "\n", capture_output=True,
                          text=True, env=envs._builder_env(), timeout=600)
    if proc.returncode != 0:
        raise envs.EnvBuildError(f"uv could not resolve {requirements}: {proc.stderr[-2000:]}")
    return parse_pins(proc.stdout.splitlines())


def compose(dest: Path, pins: Iterable[str], arch: str, python: str) -> Path:
    """Hard-link the unpacked trees of `pins` into `dest` (later pins win, as with pip)."""
    dest.mkdir(parents=True, exist_ok=True)
    for pin in pins:
        source = unpacked(pin, arch, python)
        for folder, _dirs, files in os.walk(source):
            rel = os.path.relpath(folder, source)
            target = dest / rel
            target.mkdir(exist_ok=True)
            for name in files:
                link = target / name
                if link.exists() or link.is_symlink():
                    link.unlink()
                os.link(os.path.join(folder, name), link)
    return dest


def tree(name: str, pins: Dict[str, str], arch: str, python: str) -> Path:
    """A cached tree holding exactly `pins` ({name: version})."""
    ordered = [f"{n}=={v}" for n, v in sorted(pins.items())]
    spec = {"pins": ordered, "arch": arch, "python": python, "hollow": "headers"}

    def build(root: Path, log: Path) -> None:
        compose(root / "site-packages", ordered, arch, python)

    return envs._cached("mac-trees", name, spec, build) / "site-packages"


def pins_of(lines: List[str]) -> Dict[str, str]:
    from keras_doctor.plan.resolve import parse_pins

    return parse_pins(lines)


# The base environments of the Mac suite: what a user gets from one `pip install` of these
# requirements on a Mac (resolved for it by uv), before anything is forced on top.
BASES: Dict[str, dict] = {
    "tfm-2.9": {"arch": "arm64", "python": "3.10",
                "requirements": ["tensorflow-macos==2.9.2", "tensorflow-metal==0.5.0"]},
    "tfm-2.12-py310": {"arch": "arm64", "python": "3.10",
                       "requirements": ["tensorflow-macos==2.12.0", "tensorflow-metal==0.8.0"]},
    "tfm-2.12": {"arch": "arm64", "python": "3.11",
                 "requirements": ["tensorflow-macos==2.12.0", "tensorflow-metal==0.8.0"]},
    "tf-2.13": {"arch": "arm64", "python": "3.11",
                "requirements": ["tensorflow==2.13.0", "tensorflow-metal==1.0.0"]},
    "tf-2.15": {"arch": "arm64", "python": "3.11",
                "requirements": ["tensorflow==2.15.0", "tensorflow-metal==1.1.0"]},
    "tf-2.16": {"arch": "arm64", "python": "3.11",
                "requirements": ["tensorflow==2.16.2", "tensorflow-metal==1.1.0"]},
    "tf-2.18": {"arch": "arm64", "python": "3.11",
                "requirements": ["tensorflow==2.18.1", "tensorflow-metal==1.1.0"]},
    "tf-2.16-intel": {"arch": "x86_64", "python": "3.11",
                      "requirements": ["tensorflow==2.16.2"]},
}


def base_pins(key: str) -> Dict[str, str]:
    """The resolved set of a base (resolved once, then read from the cache)."""
    base = BASES[key]
    spec = {"resolve": base["requirements"], "arch": base["arch"], "python": base["python"]}

    def build(root: Path, log: Path) -> None:
        pins = resolve(base["requirements"], base["arch"], base["python"])
        (root / "pins.txt").write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))

    root = envs._cached("mac-resolved", key, spec, build)
    return pins_of((root / "pins.txt").read_text().splitlines())


if __name__ == "__main__":  # warm the cache: python tests/mac/wheelhouse.py [BASE…]
    for key in sys.argv[1:] or list(BASES):
        pins = base_pins(key)
        print(key, tree(key, pins, BASES[key]["arch"], BASES[key]["python"]), flush=True)
