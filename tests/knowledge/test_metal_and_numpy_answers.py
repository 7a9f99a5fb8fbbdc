"""What the checks and recommend share: which tensorflow-metal loads, which numpy is declared.

Both sides of each edge of Apple's table: the plugin it names loads, an older one does not, a newer
one is not covered (no source says); a TensorFlow the table does not reach has no answer at all.
"""

from __future__ import annotations

import pytest

from keras_doctor.knowledge import load
from keras_doctor.knowledge.metal_pairs import loading_metals, metal_verdict

KB = load()


@pytest.mark.parametrize("metal, loads", [("0.7.0", True), ("0.1.0", False), ("0.7.1", None)])
def test_apple_table_decides_around_the_plugin_it_names(metal, loads):
    verdict = metal_verdict(KB, "2.11.1", metal)
    assert verdict.loads is loads
    assert verdict.basis == "apple_table"
    assert verdict.detail == "|v2.11|v0.7.0|12.1+||"


def test_a_tensorflow_no_source_covers_has_no_verdict():
    verdict = metal_verdict(KB, "1.0.0", "0.1.0")
    assert verdict.loads is None and verdict.basis == "none" and verdict.detail is None


def test_loading_metals_skips_releases_without_a_wheel_for_the_python_and_goes_on():
    # The newest plugins have no Python 3.8 wheel; the one for TensorFlow 2.11 has.
    assert loading_metals(KB, "2.11.1", "cp38") == ["0.7.0"]
    assert "cp38" not in KB.metal_release(max(KB.file("metal.json")["releases"],
                                              key=lambda v: tuple(map(int, v.split(".")))))[
        "pythons"]


@pytest.mark.parametrize("tf, built_against, declared_ceiling", [("2.15.1", 1, "<2.0.0"),
                                                                  ("2.18.0", 2, "<2.1.0")])
def test_the_numpy_tensorflow_declares_is_its_numpy_requirement(tf, built_against,
                                                                 declared_ceiling):
    abi = KB.tf_numpy_abi(tf)
    assert abi.built_against == built_against
    assert abi.declared.replace(" ", "").startswith("numpy")
    assert declared_ceiling in abi.declared


class _WithoutVerdicts:
    """A knowledge base built without the binaries' verdicts (no `--deep`): only Apple's table."""

    def __init__(self, table_metal):
        self.table_metal = table_metal

    def metal_for_tf(self, tf_version):
        from keras_doctor.knowledge.queries import MetalPairing

        row = f"|v{tf_version}|v{self.table_metal}|" if self.table_metal else None
        return MetalPairing(tf_version, self.table_metal, row, (), (), self.table_metal,
                            "apple_table" if self.table_metal else "none")


def test_public_reports_overrule_apples_table_where_the_binaries_were_not_read():
    # Apple's table pairs TensorFlow 2.18 with metal 1.1.0, which users report cannot load
    kb = _WithoutVerdicts("1.1.0")
    broken = metal_verdict(kb, "2.18.0", "1.1.0")
    assert (broken.loads, broken.basis) == (False, "reports")
    assert "Symbol not found" in broken.detail
    assert any("issues/81987" in source for source in broken.sources)
    works = metal_verdict(kb, "2.19.0", "1.2.0")
    assert (works.loads, works.basis) == (True, "reports")
    # outside every report's range the table decides again, on both sides of its pick
    assert metal_verdict(kb, "2.17.0", "1.1.0").basis == "apple_table"
    assert metal_verdict(kb, "2.17.0", "1.1.0").loads is True
    assert metal_verdict(kb, "2.17.0", "1.0.0").loads is False
    assert metal_verdict(_WithoutVerdicts(None), "2.17.0", "1.1.0").basis == "none"
