"""Fuzz what reaches the checks from outside: facts files, probe answers, error text for explain.

A facts document is either refused with FactsFormatError (exit 2 in the CLI) or accepted, and an
accepted one never makes a check crash; a probe answer is either refused with a reason or becomes
interpreter facts; any text given to explain gives a report.
"""

from __future__ import annotations

import functools
import json

from hypothesis import given
from hypothesis import strategies as st

from keras_doctor.checks.registry import run_checks
from keras_doctor.explain import explain_text
from keras_doctor.facts import collect, interpreter
from keras_doctor.facts.model import (
    Binary,
    Distribution,
    Facts,
    FactsFormatError,
)
from keras_doctor.facts.probe import probe

scalar = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
          | st.floats(allow_nan=False) | st.text(max_size=20))
json_value = st.recursive(
    scalar,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8),
                                                                      children, max_size=3),
    max_leaves=12,
)
version_like = st.one_of(st.from_regex(r"[0-9]{1,3}(\.[0-9x]{1,3}){0,3}([ab.+-][a-z0-9]{0,4})?",
                                       fullmatch=True), st.text(max_size=8))


@functools.cache
def base_document() -> str:
    """A real snapshot (this interpreter) with the packages and binaries checks look at most."""
    facts = collect.collect_running()
    site = facts.interpreter.site_packages[0] if facts.interpreter.site_packages else "/site"

    def dist(name, version, requires=()):
        return Distribution(name=name, canonical_name=name, version=version, location=site,
                            metadata_dir=f"{site}/{name}-{version}.dist-info",
                            requires_dist=list(requires), files=[f"{name}/__init__.py"],
                            wheel_tags=["cp311-cp311-macosx_12_0_arm64"])

    facts.distributions += [
        dist("tensorflow", "2.15.1", ["numpy<2.0.0,>=1.23.5", "keras<2.16,>=2.15.0",
                                      "protobuf>=3.20.3"]),
        dist("numpy", "2.1.3"), dist("keras", "3.5.0"), dist("tensorflow-metal", "1.1.0"),
        dist("protobuf", "5.28.0"), dist("tf-keras", "2.15.0"),
    ]
    facts.binaries.append(Binary(path=f"{site}/numpy/core.so", location=site, format="mach-o",
                                 archs=["x86_64"], min_macos={"x86_64": "10.9"}, owner="numpy"))
    return json.dumps(facts.to_dict())


@st.composite
def mutated_document(draw):
    document = json.loads(base_document())
    node = document
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            node = child
            continue
        replacement = version_like if isinstance(child, str) and draw(st.booleans()) else json_value
        node[key] = draw(replacement)
        break
    return document


def _accepted_facts_never_crash_a_check(document) -> None:
    try:
        facts = Facts.from_dict(document)
    except FactsFormatError:
        return
    report = run_checks(facts)
    crashed = [f.title for f in report.findings if f.cause == "check-crashed"]
    assert crashed == []


def test_the_base_document_is_accepted_and_diagnosed():
    facts = Facts.from_dict(json.loads(base_document()))
    causes = {f.cause for f in run_checks(facts).findings}
    assert "numpy-abi-mismatch" in causes


@given(mutated_document())
def test_a_mutated_facts_document_is_refused_or_diagnosed(document):
    _accepted_facts_never_crash_a_check(document)


@given(st.dictionaries(st.sampled_from(["schema_version", "target", "platform", "interpreter",
                                        "distributions", "binaries", "config", "caches",
                                        "errors", "leftovers", "shadows"]),
                       json_value, max_size=8).map(lambda d: {**d, "schema_version": 1}))
def test_any_json_is_refused_or_diagnosed(document):
    _accepted_facts_never_crash_a_check(document)


@given(st.one_of(st.binary(max_size=300), json_value.map(lambda v: json.dumps(v).encode()),
                 mutated_document().map(lambda d: json.dumps(d).encode())))
def test_load_facts_refuses_with_one_target_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("facts") / "facts.json"
    path.write_bytes(data)
    try:
        collect.load_facts(str(path))
    except collect.TargetError as exc:
        assert str(exc) and "\n" not in str(exc).strip()


@functools.cache
def real_probe_answer() -> str:
    return json.dumps(probe())


@st.composite
def mutated_probe_answer(draw):
    answer = json.loads(real_probe_answer())
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(sorted(answer)))
        answer[key] = draw(json_value)
    if draw(st.booleans()):
        del answer[draw(st.sampled_from(sorted(answer)))]
    return answer


@given(st.one_of(json_value, mutated_probe_answer()))
def test_a_probe_answer_is_refused_with_a_reason_or_read(answer):
    problem = collect.probe_answer_problem(answer)
    if problem is None:
        facts = interpreter.from_probe(answer, {})
        assert isinstance(facts.version, str)
    else:
        assert isinstance(problem, str) and problem


ERROR_WORDS = ["Traceback (most recent call last):", "ImportError", "ModuleNotFoundError",
               "No module named", "'tensorflow'", "numpy", "keras", "illegal hardware instruction",
               "mach-o file, but is an incompatible architecture", "(have 'x86_64', need 'arm64')",
               "AttributeError: module 'keras' has no attribute", "2.15.1", "\n", "  File \"",
               "\", line 12, in <module>", "_ARRAY_API not found", "Symbol not found: ",
               "protobuf", "Descriptors cannot be created directly", "\x1b[31m", "\r\n", "\t"]
error_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(ERROR_WORDS), st.text(max_size=12)), max_size=40)
    .map("".join),
)


@given(error_text)
def test_explain_gives_a_report_for_any_text(text):
    report = explain_text(text)
    assert all(f.cause for f in report.findings)

