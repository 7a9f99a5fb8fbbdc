"""`keras-doctor check` on real broken environments: each combination asserts its one cause.

Environments are uv venvs and macOS trees built from real PyPI wheels (tests/envs.py); the names and
specs are the ones other test folders use, so the cache is shared. Where a test claims that a
combination is broken, it also runs the environment's own Python to show the break is real.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import envs
import pytest

pytestmark = pytest.mark.slow

TF215 = ["tensorflow-cpu==2.15.1"]
MAC_ARM64 = "macosx_12_0_arm64"
LINUX_X86 = "manylinux_2_17_x86_64"


def env_python(name, steps):
    return str(envs.venv_python(envs.venv(name, steps)))


def healthy():
    return env_python("healthy-tf", [["tensorflow==2.21.0"], ["pip"]])


def doctor(*args, cwd, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    proc = subprocess.run([sys.executable, "-m", "keras_doctor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)
    return proc


def check(*args, cwd, env_extra=None):
    proc = doctor("check", "--json", *args, cwd=cwd, env_extra=env_extra)
    report = json.loads(proc.stdout)
    # The exit code follows the findings: 1 when one is an error (the default --fail-on).
    assert proc.returncode == (1 if any(f["severity"] == "error" for f in report["findings"])
                               else 0), proc.stderr
    return report


def of(report, cause):
    return [f for f in report["findings"] if f["cause"] == cause]


def imports(python, code, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=300,
                          env=env)


def test_numpy_2_forced_onto_tf_2_15_is_one_numpy_abi_finding(tmp_path):
    py = env_python("tf215-numpy2", [TF215, ["--no-deps", "numpy==2.1.3"]])
    (found,) = of(check("--python", py, cwd=tmp_path), "numpy-abi-mismatch")
    assert found["evidence"]["installed_version"] == "2.1.3"
    assert found["evidence"]["requirement"].startswith("numpy")


def test_numpy_2_with_tf_2_14_is_found_although_tf_2_14_declares_no_cap(tmp_path):
    # Only metadata decides this finding (TensorFlow 2.14's declared requirement, numpy's version)
    # and the knowledge base: the real wheels laid out for Linux, hollow (envs.hollow_tree), so the
    # 2.14 gigabyte is not installed for one finding. That numpy 2 really breaks a NumPy 1.x build
    # of TensorFlow at import is shown on 2.15.1 just below, in a real virtualenv.
    site = envs.target_tree("linux-tf214-numpy2", ["tensorflow-cpu==2.14.0", "numpy==2.1.3"],
                            LINUX_X86, "3.11", hollow="headers")
    report = check("--path", str(site), "--platform", "linux-x86_64", "--python-version", "3.11",
                   cwd=tmp_path)
    (found,) = of(report, "numpy-abi-mismatch")
    assert found["check"] == "numpy-abi"
    assert found["evidence"]["tensorflow_version"] == "2.14.0"
    assert found["evidence"]["declared"] == [">=1.23.5"]
    assert found["evidence"]["runtime"] == "<2"


def test_numpy_2_under_a_numpy_1_build_of_tensorflow_fails_at_import():
    py = env_python("tf215-numpy2", [TF215, ["--no-deps", "numpy==2.1.3"]])
    broken = imports(py, "import tensorflow")
    assert broken.returncode != 0
    assert "NumPy 1.x cannot be run in" in broken.stderr and "_ARRAY_API" in broken.stderr


def test_keras_3_forced_onto_tf_2_15_is_one_skew_finding(tmp_path):
    py = env_python("tf215-keras3", [TF215, ["--no-deps", "keras==3.5.0"]])  # shared spec
    report = check("--python", py, cwd=tmp_path)
    (found,) = of(report, "keras-tf-version-skew")
    assert found["evidence"]["installed_version"] == "3.5.0"
    assert of(report, "keras3-required") == []


def test_protobuf_3_19_with_tf_2_15_is_one_protobuf_finding(tmp_path):
    py = env_python("tf215-protobuf319", [TF215, ["--no-deps", "protobuf==3.19.6"]])
    (found,) = of(check("--python", py, cwd=tmp_path), "protobuf-mismatch")
    assert found["evidence"]["installed_version"] == "3.19.6"
    broken = imports(py, "import tensorflow")
    assert "cannot import name 'builder' from 'google.protobuf.internal'" in broken.stderr


def mac_tree(name, requirements):
    # The Mach-O symbol tests' trees (tests/facts/test_macho_symbols.py), shared with them.
    return envs.target_tree(name, requirements, MAC_ARM64, "3.11", hollow="symbols")


def merged(tmp_path, *trees):
    """One site-packages made of several cached trees (hard links, the way pip would merge them)."""
    site = tmp_path / "site-packages"
    for tree in trees:
        shutil.copytree(tree, site, dirs_exist_ok=True, copy_function=os.link)
    return site


def test_metal_1_1_0_with_tf_2_18_on_a_real_macos_tree(tmp_path):
    site = merged(tmp_path, mac_tree("macos-arm64-tf218", ["tensorflow==2.18.1"]),
                  mac_tree("macos-arm64-metal110", ["tensorflow-metal==1.1.0"]))
    report = check("--path", str(site), "--platform", "macos-arm64", "--python-version", "3.11",
                   cwd=tmp_path)
    (found,) = of(report, "metal-plugin-mismatch")
    assert found["evidence"]["metal_version"] == "1.1.0"
    assert found["evidence"]["tensorflow_version"] == "2.18.1"
    assert found["evidence"]["decided_by"] in ("verdicts", "reports")
    assert found["evidence"]["how"]


def test_a_tree_checked_for_python_3_13_has_no_cp313_tensorflow_wheel(tmp_path):
    site = mac_tree("macos-arm64-tf218", ["tensorflow==2.18.1"])
    report = check("--path", str(site), "--platform", "macos-arm64", "--python-version", "3.13",
                   cwd=tmp_path)
    (found,) = of(report, "no-wheel-for-python")
    assert found["evidence"]["version"] == "2.18.1" and found["evidence"]["python"] == "3.13"
    assert "3.12" in found["evidence"]["pythons_with_wheels_here"]
    assert of(check("--path", str(site), "--platform", "macos-arm64", "--python-version", "3.11",
                    cwd=tmp_path), "no-wheel-for-python") == []


def test_a_cut_off_weights_download_is_reported_and_left_in_place(tmp_path):
    py = healthy()
    home = tmp_path / "home"
    models = home / ".keras" / "models"
    models.mkdir(parents=True)
    good = models / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"
    made = imports(py, f"import h5py, numpy; f = h5py.File({str(good)!r}, 'w'); "
                       "f['w'] = numpy.zeros(1000); f.close()")
    assert made.returncode == 0, made.stderr
    cut = models / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    cut.write_bytes(good.read_bytes()[:5])  # the first bytes of a download, then nothing
    half = models / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    half.write_bytes(good.read_bytes()[: good.stat().st_size // 2])  # signature intact
    page = models / "resnet50_weights_tf_dim_ordering_tf_kernels.h5"
    page.write_bytes(b"<html><body>503 Service Unavailable</body></html>")
    report = check("--python", py, cwd=tmp_path, env_extra={"HOME": str(home)})
    found = {Path(f["evidence"]["path"]).name: f for f in of(report, "weights-cache-corrupt")}
    assert set(found) == {cut.name, half.name, page.name}
    assert found[cut.name]["evidence"]["known_file"] is True
    assert found[cut.name]["fix"][0]["destructive"] is True
    assert found[half.name]["evidence"]["declared_bytes"] == good.stat().st_size
    assert found[half.name]["evidence"]["hdf5_signature"] is True
    assert cut.exists() and half.exists() and page.exists()
    broken = imports(py, f"import h5py; h5py.File({str(half)!r}, 'r')")
    assert broken.returncode != 0 and "truncated file" in broken.stderr


def test_a_legacy_switch_value_tensorflow_ignores(tmp_path):
    py = healthy()
    report = check("--python", py, cwd=tmp_path, env_extra={"TF_USE_LEGACY_KERAS": "yes"})
    (found,) = of(report, "keras3-legacy-code")
    assert found["evidence"]["TF_USE_LEGACY_KERAS"] == "yes"


def test_tensorflow_itself_accepts_only_true_True_and_1():
    """The switch semantics the check relies on, read from the installed TensorFlow's own code."""
    site = Path(imports(healthy(), "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .stdout.strip())
    source = (site / "tensorflow" / "__init__.py").read_text()
    assert '_os.environ.get("TF_USE_LEGACY_KERAS", None) in ("true", "True", "1")' in source


def test_the_healthy_set_passes_every_knowledge_check(tmp_path):
    report = check("--python", healthy(), cwd=tmp_path, env_extra={"HOME": str(tmp_path)})
    assert report["findings"] == []
    passed = {p["check"] for p in report["passed"]}
    assert {"keras-tf-skew", "numpy-abi", "stack-ranges", "legacy-keras", "keras3-required",
            "installed-wheels", "deprecated-distributions", "pip-platform-tags",
            "weights-cache", "weights-download-ssl", "knowledge-age"} <= passed


@pytest.mark.parametrize("libver", ["earliest", "latest"])  # superblock versions 0 and 3
def test_the_superblock_declares_the_length_h5py_wrote(tmp_path, libver):
    from keras_doctor.facts.hdf5 import HEADER_BYTES, end_of_file

    path = tmp_path / "w.h5"
    made = imports(healthy(), f"import h5py, numpy; f = h5py.File({str(path)!r}, 'w', "
                              f"libver={libver!r}); f['w'] = numpy.ones(5000); f.close()")
    assert made.returncode == 0, made.stderr
    data = path.read_bytes()
    assert end_of_file(data[:HEADER_BYTES]) == len(data)
    assert end_of_file(b"<html>" + data[6:HEADER_BYTES]) is None
