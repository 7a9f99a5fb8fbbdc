"""Save the Mac suite's states as compact facts, with every answer the resolver gave, for the fast
version of the suite (test_mac_facts.py).

    python tests/mac/save_facts.py      # needs the wheel cache (it builds the trees) and uv

Each state's facts are what `check --path` reads from its real tree (plus the stated interpreter),
trimmed to what the checks read: installed files only where they decide something (a package's
`__init__.py`, console scripts), one binary per (owner, architectures). The script proves the trim
changes no finding before it writes. The resolver's answers are recorded per question, so the fast
test fails when the planner starts asking something else.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

OUT = HERE / "data" / "mac_states.json"
SITE = "/Users/ada/tf/lib/python/site-packages"  # stands for the tree's own folder
NEW_ENV = "/Users/ada/tf-new"


def trimmed(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    for dist in data["distributions"]:
        if dist.get("files") is not None:
            dist["files"] = [f for f in dist["files"]
                             if (f.endswith("/__init__.py") and f.count("/") == 1)
                             or f.startswith(("bin/", "../"))]
    seen = set()
    binaries = []
    for binary in data["binaries"]:
        key = (binary.get("owner"), tuple(binary.get("archs") or ()), binary.get("format"))
        if key not in seen:
            seen.add(key)
            binaries.append(binary)
    data["binaries"] = binaries
    return data


def main() -> None:
    from mac_states import SCENARIOS
    from test_mac_scenarios import KB, facts_of, finder, scenario_pins, serious
    from wheelhouse import BASES, tree

    from keras_doctor.checks.registry import run_checks
    from keras_doctor.facts.model import Facts
    from keras_doctor.plan.build import build_plan
    from keras_doctor.plan.resolve import resolve

    states: list = []
    table: dict = {}
    for s in SCENARIOS:
        base = BASES[s.base]
        facts = facts_of(s, tree(s.name, scenario_pins(s), base["arch"], base["python"]))
        small = trimmed(facts.to_dict())
        report = run_checks(facts, lambda: KB)
        again = run_checks(Facts.from_dict(small), lambda: KB)
        assert serious(report) == serious(again), (s.name, serious(report), serious(again))
        answers: dict = {}
        recording = recorder(resolve, answers)

        build_plan(facts, report, knowledge=KB, resolver=recording,
                   new_venv=NEW_ENV if s.kind == "new-env" else None,
                   interpreter_finder=finder(s.machine_pythons))
        small = json.loads(json.dumps(small).replace(facts.target.path or "", SITE)
                           if s.interpreter is None and s.python is None
                           else json.dumps(small).replace(str(facts.interpreter.site_packages[0]),
                                                          SITE))
        keys = []
        for dist in small.pop("distributions"):
            key = f"{dist['canonical_name']}=={dist['version']}"
            variant = 1
            while table.setdefault(key, dist) != dist:  # another wheel of the same release
                variant += 1
                key = f"{dist['canonical_name']}=={dist['version']}#{variant}"
            keys.append(key)
        states.append({"name": s.name, "facts": small, "distributions": keys,
                       "answers": answers})
        print(s.name, flush=True)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps({"site": SITE, "distributions": table, "states": states},
                              sort_keys=True, indent=0, separators=(",", ":")) + "\n")


def recorder(resolve, answers: dict):
    """A resolver that asks `resolve` and writes each question's answer into `answers`."""
    def recording(requirements, platform, python_version, **options):
        result = resolve(requirements, platform, python_version, **options)
        answers[question(requirements, platform, python_version)] = {
            "ok": result.ok, "pins": result.pins, "error": result.error}
        return result
    return recording


def question(requirements, platform, python_version) -> str:
    return json.dumps([list(requirements), platform, python_version])


if __name__ == "__main__":
    main()
