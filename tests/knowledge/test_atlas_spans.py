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
