"""Evidence as `key: value` lines: compact for the shapes checks record, cut where it runs long."""

from __future__ import annotations

from keras_doctor.render.evidence import MAX_STRING, evidence_lines


def shown(evidence: dict) -> list:
    return ["  " * level + text for level, text in evidence_lines(evidence)]


def test_binaries_list_reads_like_yaml():
    evidence = {
        "binaries": [
            {"path": "/site/numpy/_core/_multiarray_umath.cpython-311-darwin.so",
             "archs": ["x86_64"], "owner": "numpy"},
            {"path": "/site/PIL/_imaging.cpython-311-darwin.so", "archs": ["x86_64", "i386"],
             "owner": "pillow"},
        ],
        "interpreter_arch": "arm64",
    }
    assert shown(evidence) == [
        "binaries:",
        "  - path: /site/numpy/_core/_multiarray_umath.cpython-311-darwin.so",
        "    archs: x86_64",
        "    owner: numpy",
        "  - path: /site/PIL/_imaging.cpython-311-darwin.so",
        "    archs: x86_64, i386",
        "    owner: pillow",
        "interpreter_arch: arm64",
    ]


def test_lines_of_text_are_never_joined_with_commas():
    evidence = {
        "traceback": ["Traceback (most recent call last):", '  File "x.py", line 3',
                      "ValueError: boom"],
        "stderr": "first line\nsecond line\n",
    }
    assert shown(evidence) == [
        "traceback:",
        "  - Traceback (most recent call last):",
        '  -   File "x.py", line 3',
        "  - ValueError: boom",
        "stderr:",
        "  first line",
        "  second line",
    ]


def test_scalars_nesting_and_limits():
    evidence = {
        "flag": True, "missing": None, "ratio": 0.5, "empty": [], "config": {},
        "deep": {"a": {"b": {"c": {"d": 1}}}},
        "long": "x" * (MAX_STRING + 50),
        "owners": {"tensorflow-macos", "tensorflow"},
    }
    assert shown(evidence) == [
        "flag: yes",
        "missing: none",
        "ratio: 0.5",
        "empty: (none)",
        "config: {}",
        "deep:",
        "  a:",
        "    b:",
        '      c: {"d": 1}',
        f"long: {'x' * MAX_STRING}… ({MAX_STRING + 50} characters)",
        "owners: tensorflow, tensorflow-macos",
    ]


def test_a_long_list_shows_its_first_items_and_a_count():
    lines = shown({"files": [f"tensorflow/f{n}.py" for n in range(9)]})
    assert lines == [
        "files (9):",
        *[f"  - tensorflow/f{n}.py" for n in range(6)],
        "  … and 3 more",
    ]
