"""The atlas stores "in which sampled versions" as spans ("0-3,7"): the generator writes them with
`format_spans` and explain reads them with `parse_spans`, so the two must agree on every shape."""

from __future__ import annotations

import pytest

from keras_doctor.knowledge.atlas import format_spans, parse_spans


@pytest.mark.parametrize("indexes, text", [
    ([], ""),
    ([4], "4"),
    ([0, 1], "0-1"),  # two neighbours are a run, not two singles
    ([0, 1, 2, 3, 7], "0-3,7"),
    ([7, 0, 2, 1, 3], "0-3,7"),  # any order
    ([0, 2, 4], "0,2,4"),  # no run at all
    ([1, 1, 2, 9, 10, 11, 12], "1-2,9-12"),  # repeats count once; a run at the end is closed
    ([5, 6, 8], "5-6,8"),
])
def test_spans_written_by_the_generator_read_back_as_the_same_versions(indexes, text):
    assert format_spans(indexes) == text
    assert parse_spans(text) == sorted(set(indexes))


def test_an_empty_part_in_stored_spans_is_ignored():
    assert parse_spans("0-2,,5,") == [0, 1, 2, 5]


def test_a_name_no_release_of_a_known_module_exports_is_absent_not_unknown():
    from keras_doctor.knowledge import load

    atlas = load().atlas
    assert atlas.lookup("keras.applications", "VGG16", "3.3.3") is True
    assert atlas.lookup("keras.applications", "VGG61", "3.3.3") is False


# -- a version between the sampled ones -----------------------------------------------------------
# Sampled: 2.2.0, 2.2.4, 2.3.1. `Old` is in 2.2.x only; `Last` only in the newest sample.
def _small_atlas():
    from keras_doctor.knowledge.atlas import Atlas

    return Atlas({"versions": {"keras": ["2.2.0", "2.2.4", "2.3.1"]},
                  "names": ["Old", "Last"],
                  "modules": {"keras": {"in": "0-2", "names": [[0, "0-1"], [1, "2"]]}}})


@pytest.mark.parametrize("version, old, last", [
    ("2.2.2", True, False),  # between two 2.2 samples that agree: their answer
    ("2.2.5", None, None),  # between 2.2.4 and 2.3.1, which disagree: unknown
    ("2.3.2", False, True),  # past the last sample, same minor: the last sample's answer
    ("2.1.0", None, None),  # before the first, another minor: unknown
    ("2.2.4", True, False),  # a sampled version: its own answer
])
def test_a_version_between_samples_is_answered_by_its_neighbours_of_the_same_minor(
        version, old, last):
    atlas = _small_atlas()
    assert (atlas.lookup("keras", "Old", version), atlas.lookup("keras", "Last", version)) == (
        old, last)
