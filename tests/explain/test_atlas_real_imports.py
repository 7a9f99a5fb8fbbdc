"""The symbol atlas, built statically from wheels, checked against real imports.

One real environment per Keras generation (Keras 2 in its source layout, Keras 2 with generated
API modules, Keras 3): every claim the atlas makes about the public modules people import from is
compared with what `from module import name` and `import keras; keras.name` really do there.
A static reader that misses a binding (keras.initializers' globals().update, Keras 2.6-2.12's
unimported subpackages) fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
import envs

from keras_doctor import knowledge
from keras_doctor.explain import catalog

pytestmark = pytest.mark.slow

MODULES = ("keras", "keras.layers", "keras.initializers", "keras.applications", "keras.optimizers",
           "keras.models", "keras.callbacks", "keras.losses", "keras.utils", "keras.regularizers",
           "keras.activations")

PROBE = r"""
import importlib, json, sys, os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow, keras
wanted = json.loads(sys.argv[1])
out = {"version": keras.__version__, "modules": {}}
for module, names in wanted.items():
    try:
        m = importlib.import_module(module)
    except Exception as exc:
        out["modules"][module] = None
        continue
    found = []
    for name in names:
        try:
            exec(f"from {module} import {name}", {})
            found.append(name)
        except Exception:
            pass
    out["modules"][module] = found
print(json.dumps(out))
"""

ENVIRONMENTS = {
    "keras 2.12 (source layout, TensorFlow 2.12)": [["tensorflow-cpu==2.12.0"]],
    "keras 2.15 (generated API, TensorFlow 2.15)": [["tensorflow-cpu==2.15.1"],
                                                    ["--no-deps",
                                                     "opencv-python-headless==4.12.0.88"]],
    "keras 3 (TensorFlow 2.21)": [["tensorflow==2.21.0"], ["pip"]],
}


@pytest.mark.parametrize("label", list(ENVIRONMENTS))
def test_atlas_claims_match_real_imports(label):
    steps = ENVIRONMENTS[label]
    env = envs.venv(f"atlas-real-{label.split(' (')[0].replace(' ', '-')}", steps) \
        if "2.12" in label else envs.venv(_existing_name(label), steps)
    python = str(envs.venv_python(env))
    atlas = knowledge.load().atlas
    every_name = {m: sorted({n for v in atlas.sampled("keras") for n in (atlas.names(m, v) or ())})
                  for m in MODULES}
    proc = subprocess.run([python, "-c", PROBE, json.dumps(every_name)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    real = json.loads(proc.stdout.strip().splitlines()[-1])
    version = real["version"]
    wrong = []
    for module, names in every_name.items():
        importable = real["modules"].get(module)
        for name in names:
            claim = atlas.lookup(module, name, version)
            if claim is None or importable is None:
                continue
            if claim != (name in importable):
                wrong.append(f"{module}.{name}: atlas {claim}, real import {not claim}")
    assert wrong == [], f"keras {version}: {len(wrong)} wrong claims, e.g. {wrong[:10]}"
    if version.startswith("2.12"):  # the subpackages a bare `import keras` leaves unbound
        table = catalog.load().keras_names["not_bound_by_import"]
        names = [*table["names"], "layers", "models", "utils", "Sequential"]
        probe = f"import json, keras; print(json.dumps([n for n in {names!r} "\
                "if not hasattr(keras, n)]))"
        proc = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=300)
        unbound = set(json.loads(proc.stdout.strip().splitlines()[-1]))
        assert unbound == set(table["names"]) & unbound and "applications" in unbound
        assert not unbound & {"layers", "models", "utils", "Sequential"}


def _existing_name(label: str) -> str:
    return "tf215-opencv" if "2.15" in label else "healthy-tf"
