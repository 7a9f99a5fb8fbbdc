"""conda's HDF5 under packages built for another HDF5, read from conda-meta records.

The records are written as conda writes them (`<name>-<version>-<build>.json` with `name`,
`version`, `build`, `depends`), with the `hdf5` match specs conda-forge builds pin: a range
(`hdf5 >=1.14.3,<1.14.4.0a0`) and the older `hdf5 1.10.6.*` form. Both sides of each range.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from factories import mac_facts

from keras_doctor.checks.registry import run_checks
from keras_doctor.facts import conda


def record(prefix, name, version, build, depends=()):
    meta = prefix / "conda-meta"
    meta.mkdir(exist_ok=True)
    (meta / f"{name}-{version}-{build}.json").write_text(json.dumps({
        "name": name, "version": version, "build": build, "depends": list(depends),
        "files": [], "channel": "https://conda.anaconda.org/conda-forge/osx-arm64",
    }))


def mismatches(prefix):
    facts = mac_facts()
    facts = replace(facts, config=replace(facts.config,
                                          conda_hdf5=conda.hdf5_records(str(prefix))))
    return [f for f in run_checks(facts).findings if f.cause == "hdf5-library-mismatch"]


H5PY_DEPENDS = ["cached-property", "hdf5 >=1.14.3,<1.14.4.0a0", "numpy >=1.19,<3",
                "python >=3.11,<3.12.0a0", "python_abi 3.11.* *_cp311"]


@pytest.mark.parametrize(("hdf5", "found"), [("1.14.3", 0), ("1.14.4", 1), ("1.14.2", 1)])
def test_h5py_built_for_a_range_of_hdf5(tmp_path, hdf5, found):
    record(tmp_path, "h5py", "3.11.0", "nompi_py311h5d2f83d_102", H5PY_DEPENDS)
    record(tmp_path, "hdf5", hdf5, "nompi_h5a3b1d2_101")
    record(tmp_path, "numpy", "1.26.4", "py311h7125741_0")  # not an HDF5 user: not read
    assert {(r.name, r.build) for r in conda.hdf5_records(str(tmp_path))} == {
        ("h5py", "nompi_py311h5d2f83d_102"), ("hdf5", "nompi_h5a3b1d2_101")}
    assert len(mismatches(tmp_path)) == found


def test_the_finding_names_the_package_and_both_releases(tmp_path):
    record(tmp_path, "pytables", "3.6.1", "py38h9f153d1_1", ["hdf5 1.10.6.*", "python >=3.8"])
    record(tmp_path, "hdf5", "1.10.7", "nompi_h2b45a8b_102")
    (found,) = mismatches(tmp_path)
    assert found.evidence["depends"] == "hdf5 1.10.6.*"
    assert found.evidence["hdf5"].startswith("1.10.7")
    assert "conda install -c conda-forge pytables hdf5" in found.fix[0].description


@pytest.mark.parametrize(("hdf5", "found"), [("1.12.2", 0), ("1.14.3", 0), ("1.14.4", 1),
                                            ("1.10.6", 1)])
def test_alternatives_in_a_spec_any_may_hold(tmp_path, hdf5, found):
    record(tmp_path, "netcdf4", "1.6.5", "nompi_py311h", ["hdf5 1.12.2.*|1.14.3.*"])
    record(tmp_path, "hdf5", hdf5, "nompi_h")
    assert len(mismatches(tmp_path)) == found


def test_no_conda_environment_no_records(tmp_path):
    assert conda.hdf5_records(str(tmp_path)) == []
    assert conda.hdf5_records(None) == []
    assert mismatches(tmp_path) == []


def test_an_unreadable_record_is_a_note_not_a_crash(tmp_path):
    (tmp_path / "conda-meta").mkdir()
    (tmp_path / "conda-meta" / "h5py-3.11.0-py311_0.json").write_text("{not json")
    notes = []
    assert conda.hdf5_records(str(tmp_path), notes) == []
    assert notes and "h5py-3.11.0" in notes[0]


def test_the_configuration_facts_of_a_conda_environment_hold_its_hdf5_records(tmp_path):
    from keras_doctor.facts.config import read_config

    record(tmp_path, "hdf5", "1.14.3", "nompi_h5a3b1d2_101")
    facts = read_config({"HOME": str(tmp_path / "home")}, str(tmp_path))
    assert [(r.name, r.version) for r in facts.conda_hdf5] == [("hdf5", "1.14.3")]
