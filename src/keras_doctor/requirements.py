"""Which declared requirements apply to a target, and what a TensorFlow wheel really requires.

Requires-Dist strings are read in many places (the requirements check, the knowledge checks,
`recommend`, the fix planner), always the same way: parsed by `packaging`, unparseable ones
skipped, markers evaluated for the *target's* marker environment with no extra selected. A few
TensorFlow wheels are shims (macOS arm64 2.13-2.15.0 pulls in tensorflow-macos, Windows pulls in
tensorflow-intel, Linux aarch64 tensorflow-cpu-aws) whose real requirements are the build's they
install, so that step is followed here once too.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from keras_doctor.knowledge.compat_rules import TF_SHIM_TARGETS

_LEADING_NAME = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*")

SHIM_TARGETS = TF_SHIM_TARGETS  # the distributions a TensorFlow shim wheel installs in its place


def target_environment(markers: Mapping[str, str]) -> Dict[str, str]:
    """A marker environment for evaluating base requirements: the target's values, no extra."""
    environment = dict(markers)
    environment["extra"] = ""
    return environment


def applicable(
    texts: Iterable[str], environment: Mapping[str, str], only: Optional[str] = None,
) -> Iterator[Requirement]:
    """The requirements among `texts` whose markers hold for `environment`.

    `only` keeps requirements on one project, and skips parsing the others (parsing every
    requirement of TensorFlow is a noticeable part of `check`). An environment without marker
    values (facts that do not know them) accepts every marker rather than failing on it.
    """
    wanted = canonicalize_name(only) if only else None
    evaluate = bool(environment.get("python_version"))
    for text in texts:
        if wanted is not None:
            leading = _LEADING_NAME.match(text)
            if leading is None or canonicalize_name(leading.group(0)) != wanted:
                continue
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if wanted is not None and canonicalize_name(req.name) != wanted:
            continue
        if req.marker is not None and evaluate and not req.marker.evaluate(dict(environment)):
            continue
        yield req


def wheel_requirements(
    kb: Any, project: str, version: str, platform: str, python: str,
    environment: Mapping[str, str],
) -> List[Tuple[str, Requirement]]:
    """(declaring project, requirement) for the wheel an installer picks, through one shim."""
    found: List[Tuple[str, Requirement]] = []
    for _ in range(2):  # the wheel itself, then the build a shim pulls in
        if project not in kb.projects():
            break
        shim: Optional[str] = None
        for req in applicable(kb.requires_for(project, version, platform, python) or (),
                              environment):
            found.append((project, req))
            name = canonicalize_name(req.name)
            if name in SHIM_TARGETS and name != project:
                shim = name
        if shim is None:
            break
        project = shim
    return found
