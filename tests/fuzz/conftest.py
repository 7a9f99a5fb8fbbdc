"""Fuzzing profiles: a bounded one in the fast suite, a deep one on request.

The fast profile is derandomized (the same examples on every run, so a failure reproduces) and
small enough that the whole folder costs seconds. `KERAS_DOCTOR_FUZZ=deep pytest tests/fuzz` runs
thousands of fresh examples per parser. Every test also runs under an alarm: a parser that hangs
fails its test instead of stopping the suite.
"""

from __future__ import annotations

import os
import signal

import pytest
from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("fast", max_examples=30, deadline=None, derandomize=True,
                          database=None, suppress_health_check=_QUIET)
settings.register_profile("deep", max_examples=3000, deadline=None, database=None,
                          suppress_health_check=_QUIET)
PROFILE = os.environ.get("KERAS_DOCTOR_FUZZ", "fast")
settings.load_profile(PROFILE)
ALARM_SECONDS = 60 if PROFILE == "fast" else 3600


@pytest.fixture(autouse=True)
def no_hang():
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def hung(signum, frame):
        raise TimeoutError(f"a fuzz test ran past {ALARM_SECONDS} s: a parser hangs")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(ALARM_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
