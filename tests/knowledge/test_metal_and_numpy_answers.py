"""What the checks and recommend share: which tensorflow-metal loads, which numpy is declared.

Both sides of each edge of Apple's table: the plugin it names loads, an older one does not, a newer
one is not covered (no source says); a TensorFlow the table does not reach has no answer at all.
"""

from __future__ import annotations

import pytest
from packaging.version import Version

from keras_doctor.knowledge import load
from keras_doctor.knowledge.compat_rules import FIRST_NUMPY2_TF
from keras_doctor.knowledge.metal_pairs import (
    loading_metals,
    metal_verdict,
    preferred_metals,
    tensorflow_for_metal,
)

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


# Both sides of each edge where the binaries' verdicts change which plugin loads: TensorFlow 2.11
# needs metal 0.7, TensorFlow 2.18 needs 1.2 (Apple's table says 1.1), and 1.2 stops at 2.19.
@pytest.mark.parametrize("tf, metal, loads", [
    ("2.10.0", "0.6.0", True), ("2.10.0", "0.7.0", False),
    ("2.11.0", "0.6.0", False), ("2.11.0", "0.7.0", True),
    ("2.17.1", "1.1.0", True), ("2.18.0", "1.1.0", False), ("2.18.0", "1.2.0", True),
    ("2.19.1", "1.2.0", True), ("2.20.0", "1.2.0", False),
])
def test_the_binaries_decide_which_plugin_loads_on_both_sides_of_each_edge(tf, metal, loads):
    verdict = metal_verdict(KB, tf, metal)
    assert (verdict.loads, verdict.basis) == (loads, "verdicts")


@pytest.mark.parametrize("metal, python, newest", [
    ("0.7.0", "3.10", "2.17.1"),  # 0.7 links against everything from 2.11 to 2.17
    ("1.0.0", "3.10", "2.13.1"),  # 1.0 only against 2.12 and 2.13
    ("1.1.0", "3.12", "2.17.1"),  # the last TensorFlow before 2.18 broke 1.1
    ("1.2.0", "3.12", "2.19.1"),  # the last before 2.20 broke 1.2
])
def test_the_newest_tensorflow_a_plugin_loads_with(metal, python, newest):
    assert tensorflow_for_metal(KB, metal, "macos-arm64", python) == ("tensorflow",
                                                                       Version(newest))


def test_a_plugin_only_older_tensorflow_macos_builds_load_with_is_paired_with_them():
    # metal 0.5 loads with TensorFlow 2.5-2.10, which had no `tensorflow` arm64 wheel
    assert tensorflow_for_metal(KB, "0.5.0", "macos-arm64", "3.10") is None
    assert tensorflow_for_metal(KB, "0.5.0", "macos-arm64", "3.10",
                                ("tensorflow-macos", "tensorflow")) == ("tensorflow-macos",
                                                                        Version("2.10.0"))


@pytest.mark.parametrize("builds", [("tensorflow", "tensorflow-macos"),
                                    ("tensorflow-macos", "tensorflow")])
def test_on_equal_versions_the_build_listed_later_wins(builds):
    # TensorFlow 2.13.1 exists as both `tensorflow` and `tensorflow-macos` for arm64
    assert tensorflow_for_metal(KB, "1.0.0", "macos-arm64", "3.10", builds) == (
        builds[-1], Version("2.13.1"))


def test_a_fix_keeps_a_working_plugin_then_prefers_apples_pick_then_the_newest():
    assert loading_metals(KB, "2.16.2") == ["1.2.0", "1.1.0", "0.7.1", "0.7.0"]
    assert loading_metals(KB, "2.16.2", "cp311") == ["1.2.0", "1.1.0"]  # 0.7 has no cp311
    assert preferred_metals(KB, "2.16.2", "cp311") == ["1.1.0", "1.2.0"]  # Apple's pick first
    assert preferred_metals(KB, "2.16.2", "cp311", keep="1.2.0") == ["1.2.0", "1.1.0"]
    # an installed plugin that does not load is not kept
    assert preferred_metals(KB, "2.16.2", "cp310", keep="0.8.0") == ["1.1.0", "1.2.0", "0.7.1",
                                                                       "0.7.0"]
    # where Apple's pick does not load (2.18 with 1.1), it is not preferred either
    assert preferred_metals(KB, "2.18.0", "cp311") == ["1.2.0"]


def test_a_plugin_without_an_arm64_build_is_never_offered():
    class IntelOnly:
        def file(self, name):
            return {"releases": {"9.0.0": {"pythons": ["cp311"], "archs": ["x86_64"]},
                                 "8.0.0": {"pythons": ["cp311"]}}}

        def metal_for_tf(self, tf_version):
            from keras_doctor.knowledge.queries import MetalPairing

            return MetalPairing(tf_version, None, None, ("8.0.0", "9.0.0"), (), "9.0.0",
                                "verdicts")

    assert loading_metals(IntelOnly(), "2.16.2", "cp311") == ["8.0.0"]


@pytest.mark.parametrize("tf, built_against, refuses_numpy_2", [
    ("2.17.1", 1, True),  # the last NumPy 1 build
    ("2.18.0", 2, False),  # the first NumPy 2 build
])
def test_the_first_numpy_2_tensorflow_on_both_sides(tf, built_against, refuses_numpy_2):
    for project in ("tensorflow", "tensorflow_macos", "TensorFlow-CPU"):
        abi = KB.tf_numpy_abi(tf, project)
        assert abi.built_against == built_against
        assert abi.allows("2.0.0") is not refuses_numpy_2
        assert abi.allows("1.26.4") is True
    # one boundary: the data and the constant recommend reads agree
    assert (Version(tf) >= Version(FIRST_NUMPY2_TF)) is (built_against == 2)


def test_a_numpy_2_tensorflow_still_needs_a_recent_numpy_1():
    abi = KB.tf_numpy_abi("2.18.0")
    assert abi.allows("1.26.0") is True and abi.allows("1.25.2") is False


def test_numpy_facts_only_for_the_builds_the_rules_name():
    assert KB.tf_numpy_abi("2.16.1", "jax") is None
    keras = KB.tf_numpy_abi("2.16.0", "tf-keras")
    assert keras.allows("2.0.0") is None and keras.built_against is None
    assert KB.tf_numpy_abi("2.18.0").declared is not None
    # a release the tables do not have states no requirement to quote
    assert KB.tf_numpy_abi("9.0.0").declared is None
