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

from keras_doctor.knowledge.build_releases import select_files
from keras_doctor.knowledge.fetch import Fetcher
from keras_doctor.knowledge.lazy_wheel import read_metadata

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
    if deep:
        from keras_doctor.knowledge.metal_verdicts import compute_verdicts

        document["verdicts"] = compute_verdicts(fetcher, pool, files)
    elif previous is not None and previous.exists():
        import json

        old = json.loads(previous.read_text(encoding="utf-8"))
        if "verdicts" in old:  # keep the last --deep result rather than dropping it
            document["verdicts"] = old["verdicts"]
    return document


TRUST_NOTE = (
    "Checks trust `verdicts` (what the binaries show: every undefined symbol of the plugin found "
    "among the exports of the TensorFlow build, every linked library present) over `apple_table` "
    "where they disagree, because a verdict is computed from the exact wheels a user installs, "
    "while the table is prose that has lagged behind releases (its last row pairs TF 2.18 with "
    "metal 1.1.0, which fails to load against TF 2.18). Without a verdict for a pair, checks fall "
    "back to the table."
)


def _arch(platform: str) -> str:
    for arch in ("arm64", "x86_64", "universal2"):
        if platform.endswith(arch):
            return arch
    return platform


def _python_order(tag: str) -> tuple:
    digits = re.sub(r"\D", "", tag)
    return (len(digits), digits)
