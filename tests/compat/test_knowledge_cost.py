"""`check` must not pay for knowledge it does not need: a healthy set reads no release table."""

from __future__ import annotations

import time

from compat_facts import facts, real_dist

from keras_doctor.checks.registry import all_checks, run_checks
from keras_doctor.checks.wheels import installed_wheel_fits
from keras_doctor.knowledge import load

KNOWLEDGE_CHECKS = {"keras-tf-skew", "keras3-required", "numpy-abi", "stack-ranges",
                    "knowledge-age", "legacy-keras", "metal-plugin", "installed-wheels",
                    "deprecated-distributions", "pip-platform-tags", "weights-cache",
                    "weights-download-ssl"}


def healthy_linux():
    tag = ["cp311-cp311-manylinux_2_27_x86_64"]
    return facts([real_dist("tensorflow-cpu", "2.21.0", wheel_tags=tag),
                  real_dist("keras", "3.15.1", wheel_tags=["py3-none-any"]),
                  real_dist("numpy", "2.4.6", requires=[], wheel_tags=tag),
                  real_dist("protobuf", "6.31.1", requires=[]),
                  real_dist("ml-dtypes", "0.5.1", requires=[])])


def test_a_healthy_set_reads_the_manifest_and_the_numpy_rules_only():
    kb = load()
    checks = [c for c in all_checks() if c.name in KNOWLEDGE_CHECKS]
    assert {c.name for c in checks} == KNOWLEDGE_CHECKS
    report = run_checks(healthy_linux(), lambda: kb, checks=checks)
    assert report.findings == []
    assert set(kb._files) <= {"numpy_abi.json"}
    assert kb._releases == {} and kb._atlas is None


def test_the_knowledge_checks_on_a_healthy_set_cost_less_than_reading_one_release_table():
    subject = healthy_linux()
    checks = [c for c in all_checks() if c.name in KNOWLEDGE_CHECKS]
    runs, tables = [], []
    for _ in range(5):
        started = time.perf_counter()
        run_checks(subject, load, checks=checks)  # a fresh knowledge base each time, as in `check`
        runs.append(time.perf_counter() - started)
        # The peer, measured in the same run: what they would pay for reading TensorFlow's
        # release table, which a healthy set never needs.
        started = time.perf_counter()
        load().releases("tensorflow")
        tables.append(time.perf_counter() - started)
    assert min(runs) < min(tables), (runs, tables)


def test_the_installed_wheel_tags_answer_without_the_tables():
    assert installed_wheel_fits(["cp311-cp311-manylinux_2_27_x86_64"], "linux-x86_64", "3.11")
    assert installed_wheel_fits(["cp39-abi3-macosx_11_0_arm64"], "macos-arm64", "3.12")
    assert installed_wheel_fits(["py3-none-any"], "windows-amd64", "3.13")
    assert not installed_wheel_fits(["cp311-cp311-manylinux_2_27_x86_64"], "linux-x86_64", "3.13")
    assert not installed_wheel_fits(["cp311-cp311-macosx_12_0_arm64"], "linux-aarch64", "3.11")
    assert not installed_wheel_fits([], "linux-x86_64", "3.11")
