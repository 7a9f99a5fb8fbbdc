"""Fuzz the metadata and configuration readers: METADATA, WHEEL, RECORD, requires.txt, keras.json,
kernel.json. Whatever the bytes, a reader returns (a distribution, a config, a note), never raises;
and what installers really write is read back exactly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from keras_doctor.checks.registry import run_checks
from keras_doctor.facts import collect, config, distributions, hdf5
from keras_doctor.facts.distributions import Headers

KEYS = ["Name", "Version", "Requires-Dist", "Requires-Python", "Tag", "Metadata-Version",
        "name", "VERSION", "Requires-Dist ", "Summary"]
piece = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
header_line = st.builds(lambda k, sep, v: f"{k}{sep}{v}", st.sampled_from(KEYS),
                        st.sampled_from([": ", ":", " : ", ""]), piece)
line = st.one_of(header_line, piece.map(lambda t: " " + t), st.just(""), piece)
eol = st.sampled_from(["\n", "\r\n", "\r"])
metadata_text = st.builds(lambda lines, end: end.join(lines), st.lists(line, max_size=20), eol)
raw_bytes = st.binary(max_size=600)


@given(metadata_text)
def test_headers_never_raise_and_give_strings(text):
    headers = Headers(text)
    for key in ("name", "version", "requires-dist", "tag", "requires-python"):
        assert all(isinstance(v, str) for v in headers.get_all(key))
        assert headers.get(key) is None or isinstance(headers.get(key), str)


value = st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1,
                max_size=30).map(str.strip).filter(bool)


@given(st.lists(st.tuples(st.sampled_from(["Name", "Requires-Dist", "Tag"]), value),
                max_size=8))
def test_headers_read_back_what_a_metadata_writer_wrote(fields):
    text = "".join(f"{key}: {val}\n" for key, val in fields) + "\nbody: not a header\n"
    headers = Headers(text)
    for key in ("Name", "Requires-Dist", "Tag"):
        assert headers.get_all(key.lower()) == [v for k, v in fields if k == key]
    assert headers.get_all("body") == []


def _dist_folder(root: Path, files: dict) -> Path:
    folder = root / "pkg-1.0.dist-info"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


metadata_bytes = st.one_of(raw_bytes, metadata_text.map(lambda t: t.encode("utf-8", "replace")))


@given(metadata_bytes, metadata_bytes, raw_bytes, raw_bytes)
def test_a_distribution_is_always_read_and_fits_the_schema(metadata, wheel, record, direct_url):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _dist_folder(root, {"METADATA": metadata, "WHEEL": wheel, "RECORD": record,
                            "direct_url.json": direct_url, "INSTALLER": record[:20]})
        notes: list = []
        (dist,), _ = distributions.scan([tmp], notes)
        assert dist.canonical_name and dist.version
        facts = collect.collect_path(tmp, "macos-arm64", "3.11")
        # What the reader produced must survive the strict schema (it is what `facts` saves)...
        again = type(facts).from_dict(json.loads(json.dumps(facts.to_dict())))
        assert again == facts
        # ...and no check may crash on it.
        crashed = [f.title for f in run_checks(facts).findings if f.cause == "check-crashed"]
        assert crashed == []


path_text = st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"],
                                  blacklist_characters="\r\n\x1c\x1d\x1e\x85"),
                    min_size=1, max_size=60)


@given(st.lists(path_text, max_size=12))
def test_record_reads_back_every_path_an_installer_wrote(paths):
    # Installers write RECORD with the csv module: quoting whatever holds a comma or a quote.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for rel in paths:
        writer.writerow([rel, "sha256=abc", "10"])
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "RECORD"
        record.write_text(buffer.getvalue(), encoding="utf-8")
        assert distributions.read_record(str(record)) == [p for p in paths if p]


@given(raw_bytes)
def test_record_of_any_bytes_is_a_list_of_paths(data):
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "RECORD"
        record.write_bytes(data)
        paths = distributions.read_record(str(record), [])
        assert isinstance(paths, list) and all(isinstance(p, str) for p in paths)


@given(st.text(max_size=400))
def test_requires_txt_gives_requirement_strings(text):
    assert all(isinstance(r, str) for r in distributions.requires_from_requires_txt(text))


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10),
                                                                      children, max_size=4),
    max_leaves=30,
)
json_bytes = st.one_of(raw_bytes, json_value.map(lambda v: json.dumps(v).encode()),
                       st.integers(1, 5000).map(lambda n: b"[" * n + b"]" * n))


@given(json_bytes)
def test_keras_json_of_any_bytes_is_content_or_an_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "keras.json").write_bytes(data)
        found = config.read_keras_json(tmp)
        assert found.exists and (found.content is None) != (found.error is None)
        if found.content is not None:
            assert found.content == json.loads(data)


@given(st.dictionaries(st.sampled_from(["backend", "floatx", "epsilon", "image_data_format"]),
                       json_value, max_size=4))
def test_keras_json_objects_are_read_back_whole(content):
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "keras.json").write_text(json.dumps(content))
        assert config.read_keras_json(tmp).content == content


@given(st.lists(json_bytes, min_size=1, max_size=4))
def test_every_kernel_is_either_listed_or_noted(kernel_files):
    with tempfile.TemporaryDirectory() as tmp:
        kernels = Path(tmp, "jupyter", "kernels")
        for index, data in enumerate(kernel_files):
            folder = kernels / f"k{index}"
            folder.mkdir(parents=True)
            (folder / "kernel.json").write_bytes(data)
        notes: list = []
        env = {"HOME": tmp, "JUPYTER_PATH": os.path.join(tmp, "jupyter")}
        specs = config.read_config(env, None, notes).kernel_specs
        assert len(specs) + len(notes) == len(kernel_files)
        assert all(s.argv0 is None or isinstance(s.argv0, str) for s in specs)



@given(st.one_of(raw_bytes, raw_bytes.map(lambda b: hdf5.SIGNATURE + b)))
def test_the_hdf5_superblock_reader_gives_a_length_or_none(header):
    end = hdf5.end_of_file(header[: hdf5.HEADER_BYTES])
    assert end is None or (isinstance(end, int) and end >= 0)
