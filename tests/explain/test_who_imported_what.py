"""Who imported what: a library's own "requires the X package", and a submodule of a package
that is installed.

- keras-nlp (utils/tensor_utils.py, `assert_tf_text_installed`) imports tensorflow_text inside a
  try and raises "WordPieceTokenizer requires the `tensorflow-text` package" when it failed;
  transformers (file_utils.py, `requires_pytorch` / `requires_tf`) raises "X requires the PyTorch
  library but it was not found in your environment". The library ran here, so the package is
  missing from this interpreter: not another interpreter's install. Two look-alikes keep their
  own answer: transformers' TensorFlow not found on a Mac where `import tensorflow` works (its
  older releases looked TensorFlow up by distribution names without tensorflow-macos), and a
  torch transformers disabled for being older than it supports ("Disabling PyTorch because
  PyTorch >= 2.4 is required but found 2.3.0").
- CPython imports a dotted module's parent first and names the parent when that is what is
  missing (importlib/_bootstrap.py, `_find_and_load_unlocked`): `No module named 'a.b'` says `a`
  is installed and its release lacks `a.b`, which no install of `a` fixes. A namespace parent
  (`google`, shared by protobuf and google-auth) and an undotted module keep missing-dependency.
- Apple's tensorflow-deps exists only for osx-arm64: `conda env create` not finding it
  (ResolvePackageNotFound) says the conda that ran solves for another platform, as conda
  install's PackagesNotFoundError already did: an Intel conda, or another conda first on PATH.
"""

from __future__ import annotations

import corpus

from keras_doctor.explain import explain_text


def _causes(text: str) -> list:
    return [f.cause for f in explain_text(text).findings[:3]]


def test_keras_nlp_asking_for_tensorflow_text_is_a_missing_dependency():
    text = corpus.case("keras-hub-1417-wordpiece-needs-tf-text-hub-missing-tf-keras")["text"]
    finding = explain_text(text).findings[0]
    assert finding.cause == "missing-dependency"
    assert finding.evidence["module"] == "tensorflow-text"
    assert finding.evidence["required_by"] == "WordPieceTokenizer"


def test_transformers_without_pytorch_is_a_missing_dependency():
    text = corpus.case("chatting-transformer-14-no-torch-nor-tf")["text"]
    finding = explain_text(text).findings[0]
    assert finding.cause == "missing-dependency"
    assert finding.evidence["module"] == "torch"


TF_NOT_FOUND = (
    "Traceback (most recent call last):\n"
    '  File "{root}/site-packages/transformers/utils/dummy_tf_objects.py", line 351, in '
    "from_pretrained\n"
    '    requires_backends(self, ["tf"])\n'
    '  File "{root}/site-packages/transformers/utils/import_utils.py", line 1012, in '
    "requires_backends\n"
    '    raise ImportError("".join(failed))\n'
    "ImportError:\n"
    "TFBertModel requires the TensorFlow library but it was not found in your environment. "
    "Checkout the instructions on the\n"
    "installation page: https://www.tensorflow.org/install and follow the ones that match your "
    "environment.\n")


def test_transformers_without_tensorflow_on_linux_is_a_missing_dependency():
    text = TF_NOT_FOUND.format(root="/home/me/venv/lib/python3.10")
    assert _causes(text)[0] == "missing-dependency"


def test_transformers_not_finding_tensorflow_on_a_mac_is_the_fork_not_recognised():
    text = corpus.case("tensorflow-macos-144-transformers-cannot-find-tf")["text"]
    assert _causes(text)[:2] == ["tensorflow-macos-fork-not-recognised", "missing-dependency"]


def test_transformers_disabling_an_old_pytorch_is_a_requirement_conflict():
    text = ("Disabling PyTorch because PyTorch >= 2.4 is required but found 2.3.0\n"
            "ImportError: AutoModelForCausalLM requires the PyTorch library but it was not found "
            "in your environment.\n")
    finding = explain_text(text).findings[0]
    assert finding.cause == "requirement-conflict"
    assert finding.evidence["requirement"] == "torch>=2.4"
    assert finding.evidence["installed"] == "torch 2.3.0"


def test_a_package_importing_a_tensorflow_module_every_release_has_needs_a_newer_tensorflow():
    text = corpus.case("tf-agents-133-tfp-needs-tf-compat-v2")["text"]
    finding = explain_text(text).findings[0]
    assert finding.cause == "requirement-conflict"
    assert finding.evidence["imported_by"] == "tensorflow_probability"
    assert finding.evidence["in_every_release_since"] == "tensorflow 1.13.1"


SKLEARN_JOBLIB = (
    "Traceback (most recent call last):\n"
    '  File "fit.py", line 1, in <module>\n'
    "    import pyLDAvis.sklearn\n"
    '  File "/home/me/venv/lib/python3.9/site-packages/pyLDAvis/sklearn.py", line 9, in '
    "<module>\n"
    "    from sklearn.externals.joblib import Parallel\n"
    "ModuleNotFoundError: No module named 'sklearn.externals.joblib'\n")


def test_a_package_importing_a_module_its_dependency_lacks_is_a_version_disagreement():
    # scikit-learn 0.23 removed sklearn.externals.joblib; a package written before imports it
    assert _causes(SKLEARN_JOBLIB)[:2] == ["requirement-conflict", "dependency-too-new"]


def test_tensorflow_python_missing_under_a_package_stays_missing_dependency():
    # every TensorFlow has tensorflow/python: missing, the folder is one left without its package
    text = SKLEARN_JOBLIB.replace("pyLDAvis/sklearn.py", "tf_keras/__init__.py").replace(
        "sklearn.externals.joblib", "tensorflow.python")
    assert _causes(text)[0] == "missing-dependency"


def test_user_code_importing_a_submodule_the_installed_release_lacks():
    text = corpus.case("keras-tuner-20-pypi-kerastuner-lacks-hyperband")["text"]
    finding = explain_text(text).findings[0]
    assert finding.cause == "package-too-old-for-api"
    assert finding.fix[-1].command == ("python", "-m", "pip", "install", "--upgrade", "kerastuner")


RLLIB_FRAMES = (
    "Traceback (most recent call last):\n"
    '  File "C:\\envs\\rl\\lib\\site-packages\\ray\\rllib\\algorithms\\bandit\\'
    'bandit_tf_model.py", line 3, in <module>\n'
    "    import {module}\n"
    "ModuleNotFoundError: No module named '{module}'\n")


def test_an_undotted_module_a_package_imports_stays_a_missing_dependency():
    text = RLLIB_FRAMES.format(module="tensorflow_probability")
    assert _causes(text)[0] == "missing-dependency"


def test_a_namespace_parent_does_not_make_its_child_installed():
    # google-cloud-storage installs under the `google` namespace that protobuf also fills
    text = RLLIB_FRAMES.replace("import {module}", "from google.cloud import storage").format(
        module="google.cloud")
    assert _causes(text)[0] == "missing-dependency"


# conda env create's own words (conda/exceptions.py, ResolvePackageNotFound: "  - <spec>" a line)
CONDA_ENV_CREATE = ("Collecting package metadata (repodata.json): done\n"
                    "Solving environment: failed\n\n"
                    "ResolvePackageNotFound: \n"
                    "  - {spec}\n")


def test_conda_env_create_not_finding_apples_tensorflow_deps_is_a_conda_not_for_arm64():
    text = corpus.case("t81-558-116-tensorflow-deps-not-miniforge-conda")["text"]
    assert _causes(text)[:2] == ["rosetta-python", "wrong-interpreter"]
    assert _causes(CONDA_ENV_CREATE.format(spec="tensorflow-deps"))[:2] == [
        "rosetta-python", "wrong-interpreter"]


def test_conda_env_create_not_finding_another_package_is_not_the_arm64_conda():
    causes = _causes(CONDA_ENV_CREATE.format(spec="tensorflow==1.15"))
    assert "rosetta-python" not in causes
