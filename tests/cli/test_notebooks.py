"""Notebooks executed for real (nbconvert, ipykernel): what a person sees under a failing cell."""

from __future__ import annotations

import importlib.util

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbconvert")
if importlib.util.find_spec("ipykernel") is None:  # found, not imported: importing it here
    pytest.skip("ipykernel is not installed", allow_module_level=True)  # changes other tests

from nbconvert.preprocessors import ExecutePreprocessor  # noqa: E402

NUMPY2 = ("raise ImportError('A module that was compiled using NumPy 1.x cannot be run in NumPy "
          "2.1.3 as it may crash. ... numpy.core.multiarray failed to import')")


def execute(*cells: str):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    ExecutePreprocessor(timeout=180, kernel_name="python3", allow_errors=True).preprocess(
        notebook, {"metadata": {"path": "."}})
    return notebook


@pytest.mark.slow
def test_a_failing_cell_shows_the_diagnosis_first_with_notebook_fixes():
    notebook = execute("%load_ext keras_doctor", "import keras", NUMPY2, "1 / 0")
    missing, numpy2, unrelated = notebook.cells[1:]
    for cell in (missing, numpy2):
        kinds = [output["output_type"] for output in cell.outputs]
        assert kinds[0] == "display_data", kinds  # the diagnosis comes first
        assert kinds[-1] == "error"  # the cell still fails, with its own error
        error = cell.outputs[-1]
        assert len(error["traceback"]) <= 2, error["traceback"]  # one line, not four screens
        data = cell.outputs[0]["data"]
        assert data["text/plain"].startswith("keras-doctor: most likely ")
        assert "IPython.core.display" not in data["text/plain"]
        assert "<details>" in data["text/html"] and "Traceback" in data["text/html"]
    html = numpy2.outputs[0]["data"]["text/html"]
    assert "numpy-abi-mismatch" in html
    assert "%pip install" in html and "-m pip" not in html and "--python" not in html
    assert "Restart the kernel" in html and "Restart the kernel" in \
        numpy2.outputs[0]["data"]["text/plain"]
    # an error of the user's own code is left exactly as Jupyter shows it
    assert [o["output_type"] for o in unrelated.outputs] == ["error"]
    assert len(unrelated.outputs[0]["traceback"]) > 2
