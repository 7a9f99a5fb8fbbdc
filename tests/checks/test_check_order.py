"""A report lists its checks in one order, whichever command imported a check module first.

Checks register when their module is imported; `explain` imports one area before the others, so
the registration order depends on the command. The report must not: the same facts give the same
report, line for line (tests/mac/test_check_words.py compares reports as text).
"""

from __future__ import annotations

from keras_doctor.checks import AREA_MODULES, registry
from keras_doctor.checks.registry import all_checks


def test_checks_run_in_area_order_then_as_each_module_defines_them():
    checks = all_checks()
    areas = [AREA_MODULES.index(chk.function.__module__.rsplit(".", 1)[-1]) for chk in checks]
    assert areas == sorted(areas)
    assert len({chk.name for chk in checks}) == len(checks)


def test_the_order_does_not_depend_on_which_module_registered_first(monkeypatch):
    expected = [chk.name for chk in all_checks()]
    late = [chk for chk in registry.REGISTRY if chk.function.__module__.endswith(".wheels")]
    assert late, "the wheels area registers checks"
    imported_first = late + [chk for chk in registry.REGISTRY if chk not in late]
    monkeypatch.setattr(registry, "REGISTRY", imported_first)
    assert [chk.name for chk in all_checks()] == expected


def test_a_report_lists_the_most_severe_findings_first():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "compat"))
    from compat_facts import KB, facts, real_dist

    from keras_doctor.checks.registry import run_checks

    def bare(name, version):
        return real_dist(name, version, "macos-arm64", requires=[])

    # tensorflow-macos 2.12 is obsolete (a note), its numpy 2 cannot load (an error).
    f = facts([bare("tensorflow-macos", "2.12.0"), bare("numpy", "2.1.3")],
              platform="macos-arm64", os_version="14.4")
    findings = run_checks(f, lambda: KB).findings
    assert [(x.cause, x.severity.value) for x in findings] == [
        ("numpy-abi-mismatch", "error"), ("deprecated-distribution", "info")]
