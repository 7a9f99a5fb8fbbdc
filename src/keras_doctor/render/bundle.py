"""The bug-report bundle: everything a maintainer needs in one GitHub comment, and nothing private.

`keras-doctor report` gathers the versions that matter (the Python, the platform, every package of
the TensorFlow/Keras stack, keras-doctor and its knowledge base), the findings of `check` and the
steps of a short `verify`, as Markdown that fits a GitHub comment (65,536 characters; the bundle
stays under `LIMIT`). Before anyone sees it, the home folder, the user name and the host name are
replaced (`scrub`, with the names `facts.identity` reads), so it can be pasted into a public issue
as it stands.
"""

from __future__ import annotations

import re
from typing import Any, List, Mapping, Optional, Sequence

from keras_doctor.findings import Report

LIMIT = 60_000
RELEVANT = (
    "tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-metal", "tensorflow-intel",
    "tensorflow-gpu", "tensorflow-aarch64", "tf-nightly", "tensorflow-io-gcs-filesystem",
    "tensorflow-estimator", "tensorflow-hub", "tensorflow-probability", "tensorboard", "keras",
    "tf-keras", "keras-nightly", "keras-hub", "keras-nlp", "keras-cv", "numpy", "protobuf",
    "ml-dtypes", "h5py", "jax", "jaxlib", "torch", "scipy", "opencv-python",
    "opencv-python-headless", "optree", "namex", "rich", "pip", "uv", "setuptools", "wheel",
)


def scrub(text: str, words: Mapping[str, str]) -> str:
    """The text with the home folder, user name and host name replaced (`words`: what to replace
    and with what, longest first, as `facts.identity.private_words` reads them)."""
    for secret, stand_in in words.items():
        if stand_in == "~":
            text = text.replace(secret, stand_in)
        else:
            text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(secret)}(?![A-Za-z0-9_])", stand_in,
                          text)
    return text


def versions_table(facts: Any) -> List[str]:
    from packaging.utils import canonicalize_name

    installed = {str(canonicalize_name(d.name)): d.version for d in facts.distributions}
    rows = [(name, installed[name]) for name in RELEVANT if name in installed]
    others = len(installed) - len(rows)
    out = ["| package | version |", "|---|---|"]
    out += [f"| {name} | {version} |" for name, version in rows] or ["| (none of the stack) | |"]
    if others > 0:
        out.append(f"\n{others} other distributions installed (`keras-doctor facts` lists all).")
    return out


def environment_lines(facts: Any, knowledge: Optional[Mapping[str, Any]]) -> List[str]:
    from keras_doctor.version import __version__

    platform = facts.platform
    interp = facts.interpreter
    system = platform.system + (f" {platform.os_version}" if platform.os_version else "")
    translated = " (under Rosetta 2)" if platform.rosetta_translated else ""
    lines = [
        f"- **keras-doctor:** {__version__}",
        f"- **knowledge base:** {knowledge.get('generated_at', '?')} "
        f"({knowledge.get('origin', '?')} copy)" if knowledge else
        "- **knowledge base:** not loaded",
        f"- **platform:** {facts.target.platform} — {system}, {platform.machine}{translated}",
        f"- **Python:** {interp.version} ({interp.implementation}) at "
        f"`{interp.executable or facts.target.path}`",
    ]
    if interp.kind:
        base = f", made from a {interp.base_kind} Python" if interp.base_kind else ""
        lines.append(f"- **environment:** {interp.kind}{base}")
    installers = ", ".join(f"{k} {v}" for k, v in sorted(interp.installers.items()))
    if installers:
        lines.append(f"- **installers:** {installers}")
    if platform.cpu_brand:
        lines.append(f"- **CPU:** {platform.cpu_brand}")
    return lines


def bundle(check: Report, facts: Any, verify: Optional[Report],
           knowledge: Optional[Mapping[str, Any]], *, limit: int = LIMIT,
           words: Mapping[str, str]) -> str:
    """The whole bug report as Markdown, scrubbed and within `limit` characters."""
    for detail in ("full", "no-evidence", "short"):
        text = scrub(_assemble(check, facts, verify, knowledge, detail), words)
        if len(text) <= limit:
            return text
    note = "\n\n*(cut to fit a GitHub comment: run `keras-doctor report -o FILE` for all)*\n"
    return text[: limit - len(note)] + note


def _assemble(check: Report, facts: Any, verify: Optional[Report],
              knowledge: Optional[Mapping[str, Any]], detail: str) -> str:
    from keras_doctor.render.markdown import to_markdown

    out = ["# keras-doctor report", "",
           "*Home folder, user and host names are replaced by `~`, `<user>` and `<host>`.*", "",
           "## Environment", "", *environment_lines(facts, knowledge), "",
           "## Packages", "", *versions_table(facts), ""]
    diagnosis = to_markdown(check, verbose=False)
    if detail != "full":
        diagnosis = _without_details(diagnosis, keep_checks=detail == "no-evidence")
    out += [_demote(diagnosis), ""]
    if verify is not None:
        out += [_demote(to_markdown(verify, verbose=False)), ""]
    else:
        out += ["*verify was not run (`keras-doctor report` without `--no-verify` runs it).*", ""]
    return "\n".join(out).rstrip() + "\n"


def _demote(markdown: str) -> str:
    """Headings one level down: the bundle has its own `#` title."""
    return re.sub(r"^(#+) ", lambda m: "#" + m.group(1) + " ", markdown, flags=re.M)


def _without_details(markdown: str, keep_checks: bool) -> str:
    """Drop the folded evidence blocks (and, shorter still, the passed/skipped lists)."""
    blocks = re.split(r"(<details>.*?</details>\n?)", markdown, flags=re.S)
    kept: Sequence[str] = [b for b in blocks if not b.startswith("<details>") or (
        keep_checks and ("Passed checks" in b or "Skipped checks" in b))]
    return "".join(kept)
