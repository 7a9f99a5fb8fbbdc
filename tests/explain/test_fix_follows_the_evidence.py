"""The fix follows what the message says, on real reports: both sides of each line.

- NumPy's ABI: a module built against a newer NumPy than the one installed asks to upgrade numpy;
  a module built against NumPy 1 under NumPy 2 asks for numpy<2 (or a TensorFlow built for 2).
- glibc: the fix names the glibc symbol version the binary needs.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain import explain_text


def first(case_id: str):
    report = explain_text(corpus.case(case_id)["text"])
    return report.findings[0]


def test_a_module_built_against_a_newer_numpy_asks_to_upgrade_numpy():
    # magenta/magenta#2033: "compiled against API version 0xf but this version of numpy is 0xe"
    found = first("magenta-2033-m1-numpy-api-0xf-0xe")
    assert found.cause == "numpy-abi-mismatch"
    assert found.evidence["numpy_is_newer"] is False
    assert "Upgrade numpy" in found.fix[0].description
    assert "--upgrade" in (found.fix[0].command or ())
    assert all("numpy<2" not in (step.command or ()) for step in found.fix)


def test_a_numpy_1_module_under_numpy_2_asks_for_numpy_1():
    # afterglowpy#8: NumPy's own banner, "compiled using NumPy 1.x cannot be run in NumPy 2.2.3"
    found = first("afterglowpy-8-numpy223")
    assert found.cause == "numpy-abi-mismatch"
    assert found.evidence["numpy_is_newer"] is True
    assert "NumPy 1.x" in found.fix[0].description
    assert "numpy<2" in (found.fix[0].command or ())


def test_the_glibc_fix_names_the_version_the_binary_needs():
    # tensorflow/tensorflow#3285: "version `GLIBC_2.17' not found,required by _pywrap_tensorflow.so"
    found = first("tf-3285-glibc-217-on-212")
    assert found.cause == "glibc-too-old"
    assert found.evidence["needs"] == "GLIBC_2.17"
    assert "needs GLIBC_2.17" in found.fix[0].description



def test_a_cause_proposed_without_evidence_gets_a_fix_without_holes():
    """A cause proposed by reports like the paste (the learned ranker) carries no name: its fix
    must not print an empty one ("Upgrade tensorflow to a release that has `` (first: )")."""
    import re

    from keras_doctor import causes
    from keras_doctor.explain import fixes

    holes = {cause: [step.description for step in fixes.steps(cause, {})
                     if re.search(r"``|\(first: \)|\bNone\b|`\s*`", step.description)]
             for cause in causes.CATALOG}
    assert {cause: found for cause, found in holes.items() if found} == {}
    assert all(fixes.steps(cause, {}) for cause in ("package-too-old-for-api",
                                                      "keras3-removed-api"))
