"""Release tables: every wheel of the TensorFlow stack with its tags and per-wheel requirements.

Requires-Dist is read from each wheel's own METADATA (by range requests, see `lazy_wheel`), because
one release's wheels disagree: the `tensorflow` 2.13–2.15 macOS arm64 wheel is a shim that requires
`tensorflow-macos`, the Windows one requires `tensorflow-intel`. Wheels of a release that share a
requirement set are stored once, as a group of wheel indexes.

Beside the TensorFlow stack come the projects installed with it whose wheels reached Apple Silicon
late or not at all (tensorflow-addons, tensorflow-io and its gcs-filesystem, tensorflow-text,
mediapipe), or some other platform never (tensorflow-gpu on a Mac after 1.1, dm-reverb anywhere
but Linux): `explain` tells "no wheel for this Mac" from "no wheel for this Python" by their
tables. Each has a few hundred wheels, read in seconds, and its table stays near 20-30 kB, so they
are built the same way, Requires-Dist included.
"""

from __future__ import annotations

import email.parser
import email.policy
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Tuple

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from keras_doctor.knowledge.build.fetch import Fetcher
from keras_doctor.knowledge.build.lazy_wheel import read_metadata

PROJECTS = (
    "tensorflow",
    "tensorflow-cpu",
    "tensorflow-macos",
    "tensorflow-intel",
    "tensorflow-cpu-aws",
    "tensorflow-metal",
    "keras",
    "tf-keras",
    "numpy",
    "protobuf",
    "ml-dtypes",
    "h5py",
    # Projects users install beside TensorFlow whose wheels reached Apple Silicon Macs late or
    # never: pip's "(from versions: none)" for them on an M1 is the platform, not the Python.
    "tensorflow-addons",
    "tensorflow-io",
    "tensorflow-io-gcs-filesystem",
    "tensorflow-text",
    "mediapipe",
    # TensorFlow's own add-ons published for fewer platforms than TensorFlow: TensorFlow Lite's
    # interpreter alone (Linux wheels from 2.7 on, macOS and Windows for 2.5 only) and TensorFlow
    # Decision Forests (Linux first, macOS from 0.2.3, Windows never). (tflite-micro publishes
    # only nightly dev releases, which the tables leave out.)
    "tflite-runtime",
    "tensorflow-decision-forests",
    # Native projects of the same stack with platform gaps of their own: the CUDA-era
    # `tensorflow-gpu` (Linux and Windows only after 1.1, then an installer that fails on
    # purpose), Apple's `jax-metal` (Keras 3's JAX backend on a Mac's GPU), DeepMind's
    # `dm-reverb` (TF-Agents' replay buffer, Linux only) and `tensorflow-quantum`. Not `jaxlib`
    # nor `tensorflow-rocm`: the index no longer holds many of their old releases (jaxlib's
    # before 0.4.13, tensorflow-rocm's 2.1.0), so their tables would describe an index older
    # pastes never met and call releases those pastes installed unpublished.
    "tensorflow-gpu",
    "jax-metal",
    "dm-reverb",
    "tensorflow-quantum",
)
# Long-lived projects whose old releases predate every TensorFlow that matters here.
SINCE = {"numpy": "2019-01-01", "protobuf": "2019-01-01", "h5py": "2019-01-01"}

POLICY = (
    "Final releases only (pre-releases and dev releases are left out). Releases whose first file "
    "was uploaded before `since` are left out. Tags and Requires-Dist come from wheels; `sdist` "
    "says whether the release also has a source distribution. Requires-Dist and Requires-Python "
    "are read from each wheel's METADATA."
)

WheelFile = Dict[str, Any]


def select_files(index: Dict[str, Any], since: Optional[str]) -> Dict[Version, List[WheelFile]]:
    """The index's files grouped by final release, with the `since` cut applied."""
    by_version: Dict[Version, List[WheelFile]] = {}
    for entry in index["files"]:
        version = _version_of(entry["filename"])
        if version is None or version.is_prerelease or version.is_devrelease:
            continue
        by_version.setdefault(version, []).append(entry)
    if since:
        by_version = {
            v: files
            for v, files in by_version.items()
            if min(f.get("upload-time") or "9999" for f in files) >= since
        }
    return dict(sorted(by_version.items()))


def linux_x86_64(files: List[WheelFile]) -> List[WheelFile]:
    """A release's wheels built for Linux x86_64, the platform every release of TensorFlow and
    of its add-ons publishes (their Python code is the same in each platform's wheel)."""
    return [f for f in files if f["filename"].endswith(".whl") and "linux" in f["filename"]
            and "x86_64" in f["filename"]]


def build_project(
    fetcher: Fetcher,
    pool: ThreadPoolExecutor,
    project: str,
    previous: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """The release table of `project`; wheels already described in `previous` are not read again."""
    index = fetcher.simple_index(project)
    files = select_files(index, SINCE.get(project))
    known = _known_requirements(previous)
    wheels = [f for group in files.values() for f in group if f["filename"].endswith(".whl")]
    missing = [w for w in wheels if (_version_of(w["filename"]), _tag_of(w)) not in known]
    fetcher.progress(
        f"{project}: {len(files)} releases, {len(wheels)} wheels, "
        f"{len(missing)} not in the previous data: reading their METADATA"
    )
    metadata = {
        w["url"]: known[(_version_of(w["filename"]), _tag_of(w))]
        for w in wheels
        if w not in missing
    }
    metadata.update(
        zip((w["url"] for w in missing), pool.map(lambda w: _requirements(fetcher, w), missing))
    )
    releases = {str(v): _release(group, metadata) for v, group in files.items()}
    return {
        "project": project,
        "since": SINCE.get(project),
        "policy": POLICY,
        "sources": [
            f"https://pypi.org/simple/{project}/ (PEP 691 JSON)",
            "each wheel's *.dist-info/METADATA, read by HTTP range requests",
        ],
        "releases": releases,
    }


def _known_requirements(
    previous: Optional[Dict[str, Any]],
) -> Dict[Tuple[Optional[Version], str], Tuple[Optional[str], List[str]]]:
    """(version, wheel tag) → (Requires-Python, Requires-Dist) from an earlier table."""
    known: Dict[Tuple[Optional[Version], str], Tuple[Optional[str], List[str]]] = {}
    for version, record in (previous or {}).get("releases", {}).items():
        odd = record.get("requires_python_by_wheel", {})
        requires = {i: g["requires_dist"] for g in record.get("requires", ()) for i in g["wheels"]}
        for i, tag in enumerate(record.get("wheels", ())):
            python = odd.get(str(i), record.get("requires_python"))
            known[(Version(version), tag)] = (python, list(requires.get(i, [])))
    return known


def _release(
    files: List[WheelFile], metadata: Dict[str, Tuple[Optional[str], List[str]]]
) -> Dict[str, Any]:
    wheels = sorted((f for f in files if f["filename"].endswith(".whl")), key=lambda f: _tag_of(f))
    record: Dict[str, Any] = {
        "uploaded": min(f.get("upload-time") or "" for f in files)[:10] or None,
        "sdist": any(not f["filename"].endswith(".whl") for f in files),
        "wheels": [_tag_of(f) for f in wheels],
    }
    yanked = [i for i, f in enumerate(wheels) if f.get("yanked")]
    if files and all(f.get("yanked") for f in files):
        reason = next((f["yanked"] for f in files if isinstance(f["yanked"], str)), "")
        record["yanked"] = reason or True
    elif yanked:
        record["yanked_wheels"] = yanked
    pythons = [metadata[f["url"]][0] for f in wheels]
    common = max(set(pythons), key=pythons.count) if pythons else None
    record["requires_python"] = common
    odd = {str(i): p for i, p in enumerate(pythons) if p != common}
    if odd:
        record["requires_python_by_wheel"] = odd
    groups: Dict[Tuple[str, ...], List[int]] = {}
    for i, f in enumerate(wheels):
        groups.setdefault(tuple(metadata[f["url"]][1]), []).append(i)
    record["requires"] = [
        {"wheels": idx, "requires_dist": list(reqs)} for reqs, idx in groups.items()
    ]
    return record


def _requirements(fetcher: Fetcher, wheel: WheelFile) -> Tuple[Optional[str], List[str]]:
    raw = read_metadata(fetcher, wheel["url"], int(wheel["size"]))
    headers = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
        raw, headersonly=True
    )
    requires_python = headers.get("Requires-Python")
    requires = [" ".join(r.split()) for r in headers.get_all("Requires-Dist") or []]
    return (requires_python.strip() if requires_python else None), requires


def _tag_of(entry: WheelFile) -> str:
    """`cp311-cp311-macosx_12_0_arm64`: the file name's python, abi and platform tags."""
    return "-".join(entry["filename"][: -len(".whl")].split("-")[-3:])


def _version_of(filename: str) -> Optional[Version]:
    if filename.endswith(".whl"):
        try:
            return parse_wheel_filename(filename)[1]
        except InvalidWheelFilename:
            return None
    for ext in (".tar.gz", ".zip", ".tar.bz2"):
        if filename.endswith(ext):
            try:
                return Version(filename[: -len(ext)].rsplit("-", 1)[-1])
            except InvalidVersion:
                return None
    return None
