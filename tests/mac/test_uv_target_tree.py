"""`uv pip install --target` records console scripts as `bin/x`, not `../../bin/x`.

TensorFlow 2.15 (tensorflow-macos) and tensorboard both install a `tensorboard` script that runs the
same code; pip records it outside site-packages, uv's --target inside the folder. Neither is two
distributions overwriting each other's packages.
"""

from __future__ import annotations

from pathlib import Path

import envs
import pytest

from keras_doctor.checks.registry import run_checks
from keras_doctor.facts.collect import collect_path
from keras_doctor.knowledge import load

pytestmark = pytest.mark.slow


def uv_target_tree() -> Path:
    pins = ["tensorflow-macos==2.15.0", "tensorboard==2.15.2"]
    spec = {"uv-target": pins, "platform": "aarch64-apple-darwin", "python": "3.11",
            "hollow": "headers"}

    def build(root: Path, log: Path) -> None:
        # Only RECORDs and binary headers are read: uv installs from a throw-away cache (nothing of
        # TensorFlow's gigabyte stays in uv's own) and the tree is hollowed (envs.hollow_tree).
        envs._run([envs.uv_executable(), "pip", "install", "-q", "--no-cache", "--link-mode",
                   "copy", "--target", str(root / "site-packages"), "--python-platform",
                   "aarch64-apple-darwin", "--python-version", "3.11", "--no-deps", *pins], log)
        envs.hollow_tree(root / "site-packages", symbols=False)

    return envs._cached("uv-target-trees", "tfm-2.15-tensorboard", spec, build) / "site-packages"


def test_scripts_recorded_inside_a_uv_target_folder_are_not_a_tensorflow_overlap():
    site = uv_target_tree()
    records = [p.read_text() for p in site.glob("*.dist-info/RECORD")]
    # Both distributions record the same script, inside the folder.
    assert sum(any(line.startswith("bin/tensorboard,") for line in r.splitlines())
               for r in records) == 2
    report = run_checks(collect_path(str(site), "macos-arm64", "3.11"), load)
    assert "tf-distributions-overlap" not in {f.cause for f in report.findings}
