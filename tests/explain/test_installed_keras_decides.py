"""With facts, the Keras the environment has decides a name error: a Keras older than the name is
too old, one that has the name elsewhere means the import path moved. Judged against the atlas
entry of the installed version, which the answer names."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
from factories import dist, mac_facts

from keras_doctor.explain import explain_text

ADAMW = ("Traceback (most recent call last):\n  File \"train.py\", line 1, in <module>\n"
         "    from keras.optimizers import AdamW\n"
         "ImportError: cannot import name 'AdamW' from 'keras.optimizers' "
         "(/Users/ada/venv/lib/python3.11/site-packages/keras/optimizers/__init__.py)")


@pytest.mark.parametrize("keras, tensorflow, cause", [
    ("2.10.0", "2.10.0", "package-too-old-for-api"),  # AdamW is not in keras 2.10 at all
    ("2.15.0", "2.15.0", "keras-api-moved"),  # 2.15 has it, under keras.optimizers.experimental
    ("3.3.3", "2.16.2", "keras-api-moved"),
])
def test_the_installed_keras_decides_between_too_old_and_moved(keras, tensorflow, cause):
    facts = mac_facts(distributions=[dist("tensorflow", tensorflow), dist("keras", keras)])
    first = explain_text(ADAMW, facts).findings[0]
    assert first.cause == cause
    assert first.evidence["keras_version"] == keras
    assert first.evidence["atlas"]["checked_against"] == f"keras {keras}"


TOPOLOGY = ("Traceback (most recent call last):\n  File \"train.py\", line 1, in <module>\n"
            "    from keras.engine.topology import Layer\n"
            "ModuleNotFoundError: No module named 'keras.engine.topology'")


@pytest.mark.parametrize("keras, tensorflow, cause", [
    ("3.3.3", "2.16.2", "keras3-removed-api"),  # Keras 3 has no keras.engine at all
    ("2.15.0", "2.15.0", "keras-api-moved"),  # a private path a Keras 2 release moved
    ("3.0.0", "2.16.1", "keras3-removed-api"),  # the first Keras 3
    ("2.15.1", "2.15.0", "keras-api-moved"),
])
def test_the_installed_keras_generation_decides_what_a_private_path_error_means(
        keras, tensorflow, cause):
    # nothing in the paste says which Keras ran: its frames are the user's own
    facts = mac_facts(distributions=[dist("tensorflow", tensorflow), dist("keras", keras)])
    assert explain_text(TOPOLOGY, facts).findings[0].cause == cause


def test_a_signature_explains_its_own_cause_in_its_words_and_a_resolved_one_in_the_steps():
    from keras_doctor.explain import catalog
    from keras_doctor.explain.engine import RESOLVED_MECHANISM

    by_id = {s.id: s for s in catalog.load().signatures}
    missing = explain_text("ModuleNotFoundError: No module named 'h5py'").findings[0]
    (signature,) = missing.evidence["signatures"]
    assert missing.cause == by_id[signature].cause == "missing-dependency"
    assert missing.explanation == by_id[signature].mechanism
    # the same kind of message, which the installed Keras 3 turns into another cause
    facts = mac_facts(distributions=[dist("tensorflow", "2.16.2"), dist("keras", "3.3.3")])
    removed = explain_text(TOPOLOGY, facts).findings[0]
    assert removed.cause == "keras3-removed-api"
    assert all(by_id[s].cause != removed.cause for s in removed.evidence["signatures"])
    assert removed.explanation == RESOLVED_MECHANISM["keras3-removed-api"]
