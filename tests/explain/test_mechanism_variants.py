"""Other wordings of the same mechanisms: what each loader, library or tool prints, not one report.

The corpus measures real reports; `mechanism_variants.json` holds the messages the mechanisms
themselves produce (NumPy 2's removed aliases, Keras 3's rejected Keras 2 arguments, uv's tag
errors, Keras's hash check, dyld's @rpath failure of a plugin…), so a signature must catch each
family of wordings, not one thread's sentence.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keras_doctor.explain import explain_text

VARIANTS = json.loads((Path(__file__).parent / "mechanism_variants.json").read_text("utf-8"))


@pytest.mark.parametrize(
    ("cause", "text"), [(cause, text) for cause, texts in VARIANTS.items() for text in texts]
)
def test_each_wording_names_its_cause(cause, text):
    report = explain_text(text)
    assert report.findings, text
    assert report.findings[0].cause == cause, [(f.cause, f.confidence) for f in report.findings]
