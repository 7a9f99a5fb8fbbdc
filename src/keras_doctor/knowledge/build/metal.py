"""tensorflow-metal ↔ TensorFlow: Apple's table, the wheels per release, and (--deep) load verdicts.

tensorflow-metal declares no dependency on TensorFlow, so no resolver keeps the pair consistent.
Apple publishes the pairing only as a Markdown table in the long description of the plugin's
METADATA; this module parses it from the tensorflow-metal 1.2.0 wheel (read by range requests) and
keeps each row verbatim beside its parsed form. `--deep` adds what the binaries themselves say (see
`metal_verdicts`).
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional

from packaging.utils import parse_wheel_filename

from keras_doctor.knowledge.build.fetch import Fetcher
from keras_doctor.knowledge.build.lazy_wheel import read_metadata
from keras_doctor.knowledge.build.releases import select_files

TABLE_RELEASE = "1.2.0"
_ROW = re.compile(
    r"^\|\s*v?(?P<tf>[0-9.]+(?:\s*-\s*v?[0-9.]+)?)\s*\|\s*v?(?P<metal>[0-9.]+)\s*\|"
    r"\s*(?P<macos>[^|]*)\|\s*(?P<features>[^|]*)\|"
)


def parse_apple_table(description: str) -> List[Dict[str, Any]]:
    """Rows of the `|tensorflow|tensorflow-metal|MacOs|features|` table, verbatim and parsed."""
    rows = []
    for line in description.splitlines():
        match = _ROW.match(line.strip())
        if not match:
            continue
        first, _, last = (p.strip().lstrip("v") for p in match["tf"].partition("-"))
        rows.append(
            {
                "row": line.strip(),
                "tensorflow_minors": _minors(first, last or first),
                "metal": match["metal"],
                "macos": match["macos"].strip() or None,
                "features": match["features"].strip() or None,
            }
        )
    return rows


def _minors(first: str, last: str) -> List[str]:
    (major, lo), (_, hi) = (tuple(int(x) for x in v.split(".")[:2]) for v in (first, last))
    return [f"{major}.{minor}" for minor in range(lo, hi + 1)]


def build_metal(
    fetcher: Fetcher, pool: ThreadPoolExecutor, deep: bool = False, previous: Optional[Path] = None
) -> Dict[str, Any]:
    files = select_files(fetcher.simple_index("tensorflow-metal"), None)
    releases: Dict[str, Any] = {}
    description = ""
    for version, group in files.items():
        wheels = [f for f in group if f["filename"].endswith(".whl")]
        tags = [t for f in wheels for t in parse_wheel_filename(f["filename"])[3]]
        releases[str(version)] = {
            "uploaded": min(f.get("upload-time") or "" for f in group)[:10] or None,
            "pythons": sorted({t.interpreter for t in tags}, key=_python_order),
            "platforms": sorted({t.platform for t in tags}),
            "archs": sorted({_arch(t.platform) for t in tags}),
        }
        if str(version) == TABLE_RELEASE:
            wheel = wheels[0]
            raw = read_metadata(fetcher, wheel["url"], int(wheel["size"]))
            message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
            payload = message.get_payload()
            description = payload if isinstance(payload, str) else ""
            table_wheel = wheel["filename"]
    rows = parse_apple_table(description)
    if not rows:
        raise RuntimeError(f"no version table found in tensorflow-metal {TABLE_RELEASE} METADATA")
    document: Dict[str, Any] = {
        "sources": [
            f"long description (METADATA) of {table_wheel}, read by HTTP range requests",
            "https://pypi.org/simple/tensorflow-metal/ (PEP 691 JSON): wheel tags per release",
            "https://developer.apple.com/metal/tensorflow-plugin/",
        ],
        "apple_table": rows,
        "releases": releases,
        "trust": TRUST_NOTE,
    }
    old = _read(previous)
    if deep:
        from keras_doctor.knowledge.build.metal_verdicts import compute_verdicts

        document["verdicts"] = compute_verdicts(fetcher, pool, files, old.get("verdicts"))
    elif "verdicts" in old:  # keep the last --deep result rather than dropping it
        document["verdicts"] = old["verdicts"]
    if "verdicts" in document:
        document["disagreements"] = disagreements(rows, document["verdicts"]["pairs"])
    return document


def _read(path: Optional[Path]) -> Dict[str, Any]:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}


def disagreements(rows: List[Dict[str, Any]], pairs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Where Apple's table and the binaries differ: a paired build that cannot load its table's
    plugin, or a TF minor the table has no row for although some plugin loads."""
    out = []
    for pair in pairs:
        minor = ".".join(pair["tensorflow_version"].split(".")[:2])
        table = [r["metal"] for r in rows if minor in r["tensorflow_minors"]]
        if pair["metal"] in table and not pair["loads"]:
            out.append({"kind": "table pairing does not load", **pair,
                        "table_rows": [r["row"] for r in rows if minor in r["tensorflow_minors"]]})
    covered = {m for r in rows for m in r["tensorflow_minors"]}
    for pair in pairs:
        minor = ".".join(pair["tensorflow_version"].split(".")[:2])
        if minor not in covered and pair["loads"]:
            out.append({"kind": "loads but the table has no row for this TensorFlow", **pair})
    return out


TRUST_NOTE = (
    "Checks trust `verdicts` (what the binaries show: every @rpath library the plugin links is "
    "found, every symbol it binds is exported by the TensorFlow build) over `apple_table` where "
    "they disagree (listed in `disagreements`), because a verdict is computed from the exact "
    "wheels users install, while the table is prose written once per plugin release and not "
    "kept up with TensorFlow. A verdict that the pair links does not prove it runs (C++ ABI, "
    "kernels), so for a TensorFlow minor the table covers, checks prefer the table's plugin when "
    "it links. Without a verdict, checks fall back to the table."
)


def _arch(platform: str) -> str:
    for arch in ("arm64", "x86_64", "universal2"):
        if platform.endswith(arch):
            return arch
    return platform


def _python_order(tag: str) -> tuple:
    digits = re.sub(r"\D", "", tag)
    return (len(digits), digits)
