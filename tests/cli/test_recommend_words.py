"""`recommend` explains each pin in words a person understands, never an internal key."""

from __future__ import annotations

import sys

from ptyterm import run_on_terminal

DOCTOR = [sys.executable, "-m", "keras_doctor"]


def test_recommend_says_in_words_what_decided_the_metal_pairing():
    code, screen = run_on_terminal([*DOCTOR, "recommend", "--platform", "macos-arm64",
                                    "--python-version", "3.12"], columns=100)
    assert code == 0, screen
    flat = " ".join(screen.split())
    assert "(decided by" not in flat and "verdicts" not in flat  # an internal key, not words
    metal = flat.split("tensorflow-metal==")[1].split(" keras==")[0]
    # tensorflow 2.19.1 + tensorflow-metal 1.2.0 is decided by the binaries' static verdict
    assert "loads with tensorflow 2.19.1 (known from the plugin's binaries, checked against what " \
           "this TensorFlow build exports)" in metal, screen
