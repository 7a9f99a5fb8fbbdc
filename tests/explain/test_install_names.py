"""A missing module is installed by its distribution's name, which is not always the import name:
`pip install cv2` or `pip install sklearn` fails or installs the wrong thing."""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text


def _install_command(module: str) -> str:
    report = explain_text(f"ModuleNotFoundError: No module named '{module}'")
    missing = next(f for f in report.findings if f.cause == "missing-dependency")
    return " ".join(" ".join(step.command) for step in missing.fix if step.command)


@pytest.mark.parametrize("module, distribution", [
    ("cv2", "opencv-python"),  # opencv-python-headless installs cv2 too: the first is the usual
    ("sklearn", "scikit-learn"),
    ("yaml", "pyyaml"),
    ("PIL", "pillow"),
    ("google.protobuf", "protobuf"),
    ("opt_einsum", "opt-einsum"),
])
def test_a_module_is_installed_by_its_distribution_name(module, distribution):
    command = _install_command(module)
    assert command.endswith(f"pip install {distribution}"), command


@pytest.mark.parametrize("module", ["tensorflow", "keras", "h5py"])
def test_a_module_named_like_its_distribution_is_installed_by_that_name(module):
    assert _install_command(module).endswith(f"pip install {module}")
