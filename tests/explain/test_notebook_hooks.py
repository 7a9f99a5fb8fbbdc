"""`%load_ext keras_doctor` in a real IPython shell, and `import keras_doctor.hook` in a script."""

from __future__ import annotations

import subprocess
import sys

import pytest

REMOVED = (
    "raise ImportError(\"cannot import name 'ImageDataGenerator' from "
    "'keras.preprocessing.image' (/v/site-packages/keras/api/preprocessing/image/__init__.py)\")"
)


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no history database in the temporary HOME
    ip = InteractiveShell.instance(config=config)
    yield ip
    ip.run_line_magic("unload_ext", "keras_doctor")
    InteractiveShell.clear_instance()


def test_extension_is_importable_from_the_package():
    import keras_doctor

    assert callable(keras_doctor.load_ipython_extension)


def test_terminal_ipython_summarises_then_shows_the_traceback_then_the_diagnosis(shell, capsys):
    shell.run_line_magic("load_ext", "keras_doctor")
    shell.run_cell(REMOVED)
    out = capsys.readouterr().out
    assert out.startswith("keras-doctor: most likely keras3-removed-api")
    assert out.index("Traceback") < out.index("keras3-removed-api:")


def test_unrelated_errors_are_left_alone(shell, capsys):
    shell.run_line_magic("load_ext", "keras_doctor")
    shell.run_cell("raise ValueError('my own bug')")
    out = capsys.readouterr().out
    assert "my own bug" in out and "keras-doctor" not in out


@pytest.mark.parametrize("folder, diagnosed", [
    ("keras-env/lib/python3.11/site-packages/mylib", False),  # a project named for Keras
    ("keras_project", False),
    ("env/lib/python3.11/site-packages/keras/src", True),  # Keras's own code raised it
])
def test_a_frame_is_judged_by_its_package_folder_not_its_path(shell, capsys, tmp_path,
                                                               monkeypatch, folder, diagnosed):
    code = tmp_path / folder
    code.mkdir(parents=True)
    (code / "layer_utils.py").write_text("def check():\n    raise ValueError('my own bug')\n")
    monkeypatch.syspath_prepend(str(code))
    monkeypatch.delitem(sys.modules, "layer_utils", raising=False)
    shell.run_line_magic("load_ext", "keras_doctor")
    shell.run_cell("import layer_utils\nlayer_utils.check()")
    out = capsys.readouterr().out
    assert "my own bug" in out and ("keras-doctor" in out) is diagnosed


def test_notebook_gets_html(shell, monkeypatch):
    from keras_doctor import ipython

    shown = []
    monkeypatch.setattr(ipython, "_in_notebook", lambda _shell: True)
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append(obj))
    shell.run_line_magic("load_ext", "keras_doctor")
    shell.run_cell(REMOVED)
    assert shown and "keras3-removed-api" in shown[0]["text/html"]
    assert "keras3-removed-api" in shown[0]["text/plain"]  # text frontends get the diagnosis


def test_script_hook_summarises_then_explains_after_the_traceback(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import keras_doctor.hook\nraise ImportError('numpy.core.multiarray failed to import')\n"
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.startswith("keras-doctor: most likely numpy-abi-mismatch")
    assert result.stderr.index("Traceback") < result.stderr.index("numpy-abi-mismatch:")
