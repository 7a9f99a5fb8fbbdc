"""Facts for tuning reports from the environment their threads state (`corpus/environments.jsonl`).

A thread says which Python, platform and package versions the failing code ran with (sometimes
the OS release, or an Apple Silicon Mac running an Intel interpreter under Rosetta); nothing
else about the machine is known, so the facts hold only that: the stated interpreter and the
stated distributions with the requirements their wheels declare (from the release metadata in
`knowledge/`), with no installed-files list (no RECORD was seen). Where the thread says so, also
whether the CPU has AVX (`cpu_avx`: a CPU model the thread names as lacking it) and the files of
the working directory named like a module (`local_files`: "the script was named
tensorflow.py"). The interpreter runs as the stated platform's machine: an Intel interpreter on
an Apple Silicon Mac is stated as `macos-x86_64` with `apple_silicon`. Explaining a report with
and without these facts measures what the environment adds to the text, the way held-out reports
with facts documents are measured.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

from packaging.utils import canonicalize_name

from keras_doctor.facts.collect import stated_marker_environment
from keras_doctor.facts.model import (
    ConfigFacts,
    Distribution,
    Facts,
    InterpreterFacts,
    PlatformFacts,
    Shadow,
    Target,
)
from keras_doctor.facts.platforms import PLATFORMS

ENVIRONMENTS = Path(__file__).parent / "corpus" / "environments.jsonl"


@lru_cache(maxsize=1)
def _knowledge():
    from keras_doctor import knowledge

    return knowledge.load()


def _declared(name: str, version: str, platform: str, python: str) -> List[str]:
    """Requires-Dist of the wheel an installer picks there, from the release metadata; none for
    a project the knowledge does not track."""
    from keras_doctor.knowledge import KnowledgeError

    try:
        return _knowledge().requires_for(name, version, platform, python) or []
    except KnowledgeError:
        return []


def load_environments(path: Path = ENVIRONMENTS) -> List[Dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def build(environment: Dict) -> Facts:
    system, machine = PLATFORMS[environment["platform"]]
    python = environment["python"]
    if system == "Windows":
        site = "C:\\Users\\user\\env\\Lib\\site-packages"
        executable = "C:\\Users\\user\\env\\Scripts\\python.exe"
    else:
        home = "/Users/user" if system == "Darwin" else "/home/user"
        site = f"{home}/env/lib/python{python}/site-packages"
        executable = f"{home}/env/bin/python"
    distributions = [
        Distribution(name=name, canonical_name=canonicalize_name(name), version=version,
                     location=site, metadata_dir=f"{site}/{name.replace('-', '_')}-{version}"
                     ".dist-info", files=None,
                     # what the wheel an installer picks there declares (real wheel metadata)
                     requires_dist=_declared(name, version, environment["platform"], python))
        for name, version in environment["installed"].items()
    ]
    avx = environment.get("cpu_avx")
    cwd = executable.rsplit("env", 1)[0] + "project"
    separator = "\\" if system == "Windows" else "/"
    local_files = environment.get("local_files") or []
    return Facts(
        target=Target(mode="facts", platform=environment["platform"], python_version=python),
        # the OS release and an Apple Silicon Mac running the interpreter under Rosetta, only
        # where the thread says so (unknown otherwise)
        platform=PlatformFacts(system=system, machine=machine,
                               os_version=environment.get("os_version"),
                               apple_silicon=environment.get("apple_silicon"),
                               rosetta_translated=environment.get("rosetta_translated"),
                               cpu_flags=None if avx is None else (["avx"] if avx else [])),
        interpreter=InterpreterFacts(
            version=python, executable=executable, site_packages=[site], sys_path=["", site],
            running_arch="x86_64" if machine == "x86_64" else "arm64",
            marker_environment=stated_marker_environment(system, machine, python)),
        distributions=distributions,
        # a working directory is known only where the thread names a file in it
        config=ConfigFacts() if local_files else None,
        shadows=[Shadow(name=name.rsplit(".", 1)[0], path=f"{cwd}{separator}{name}",
                        sys_path_entry="", position=0) for name in local_files],
    )


def answers_with_and_without_facts(repo: Path, leave_repository_out: bool = True):
    """(environment, report, causes from the text alone, causes with its facts) for every tuning
    report whose thread states its environment; with `leave_repository_out`, both without the
    signatures the report's fold of repositories taught, the protocol of the tuning figures."""
    from keras_doctor.explain import train_calibration as tc
    from keras_doctor.explain.engine import explain

    split = tc.split_module(repo)
    reports = {r["id"]: r for r in tc.tuning_reports(repo)}
    sources = tc.signature_sources()
    fold_groups: Dict[int, set] = {}
    for report in reports.values():
        group = tc.group_of(report["source"], split)
        fold_groups.setdefault(tc.fold_of(group), set()).add(group)
    for environment in load_environments():
        report = reports[environment["id"]]
        without: frozenset = frozenset()
        if leave_repository_out:
            groups = fold_groups[tc.fold_of(tc.group_of(report["source"], split))]
            without = frozenset(s for s in sources if tc.is_thread(s)
                                and tc.group_of(s, split) in groups)
        if without:
            text_only = [f.cause for f in explain(report["text"], without_sources=without).findings]
            with_facts = [f.cause for f in explain(report["text"], build(environment),
                                                   without_sources=without).findings]
        else:
            text_only, with_facts = (list(found) for found in answers(report["text"], environment))
        yield environment, report, text_only, with_facts


def answers(text: str, environment: Dict) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """The causes explain gives `text` from the text alone and with the facts of `environment`,
    on the shipped knowledge. Several tests judge these same answers for every stated
    environment; each pair is computed once per run (tuples: no test can alter another's)."""
    return _answers(text, json.dumps(environment, sort_keys=True))


@cache
def _answers(text: str, environment: str) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    from keras_doctor.explain.engine import explain

    return (tuple(f.cause for f in explain(text).findings),
            tuple(f.cause for f in explain(text, build(json.loads(environment))).findings))
