"""The conda records of HDF5 and the packages built against it, from `<prefix>/conda-meta/`.

HDF5 aborts a process whose library is another release than the headers a package was compiled
with; in a conda environment each package's record says which HDF5 its build accepts (h5py's
`depends`: `hdf5 >=1.14.3,<1.14.4.0a0`), and the `hdf5` record says which one is installed, so a
mismatch is visible before anything loads. Only these records are kept (a record per file, at
most CONFIG_LIMIT bytes each): the rest of conda-meta says nothing a check needs.
"""

from __future__ import annotations

import os
from typing import List, Optional

from keras_doctor.facts.bounded_read import CONFIG_LIMIT, loads_json, read_regular_file
from keras_doctor.facts.model import CondaRecord

# HDF5 and the packages that link it (conda-forge and defaults names)
HDF5_PACKAGES = frozenset({"hdf5", "h5py", "pytables", "tables", "netcdf4", "libnetcdf",
                           "h5netcdf", "hdf5plugin"})


def hdf5_records(prefix: Optional[str], notes: Optional[List[str]] = None) -> List[CondaRecord]:
    folder = os.path.join(prefix, "conda-meta") if prefix else ""
    try:
        names = sorted(os.listdir(folder)) if folder else []
    except OSError:
        return []
    records: List[CondaRecord] = []
    for name in names:
        # a record is <name>-<version>-<build>.json; names may hold dashes, versions never do
        parts = name[:-5].rsplit("-", 2) if name.endswith(".json") else []
        if len(parts) != 3 or parts[0] not in HDF5_PACKAGES:
            continue
        path = os.path.join(folder, name)
        try:
            data = loads_json(read_regular_file(path, CONFIG_LIMIT).decode("utf-8"))
            depends = [d for d in data.get("depends", []) if isinstance(d, str)]
            # conda names the file from the record's own name, version and build
            records.append(CondaRecord(name=parts[0], version=parts[1], build=parts[2],
                                       depends=depends, path=path))
        except (OSError, ValueError, UnicodeDecodeError, AttributeError) as exc:
            if notes is not None:
                notes.append(f"could not read {path}: {exc}")
    return records
