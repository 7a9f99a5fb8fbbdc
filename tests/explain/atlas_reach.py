"""How far the message atlas reaches on real reports, on its own (no signature, no ranker).

    python tests/explain/atlas_reach.py [--atlas PATH] [--misses]

The atlas is built from the packages' wheels, never from a report, so what it recognises in the
tuning corpus is a fair guess of what it recognises in reports never seen. Printed: how many
reports hold a line some package prints, how many of those the curated map turns into a cause,
and how often that cause (the first, or any) is the report's confirmed one.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

from keras_doctor.explain import messages


def reach(cases: List[Dict[str, str]], atlas_path: Optional[str] = None) -> Dict[str, object]:
    atlas = messages.load(atlas_path) if atlas_path else messages.load()
    printed = mapped = first_right = any_right = 0
    wrong: Counter = Counter()
    for row in cases:
        found = messages.find(row["text"], atlas)
        if not found:
            continue
        printed += 1
        causes = []
        for message, _line in found:
            rule = messages._deciding_rule(message)
            if rule is not None and rule.cause is not None:
                causes.append(rule.cause)
        if not causes:
            continue
        mapped += 1
        first_right += causes[0] == row["cause"]
        any_right += row["cause"] in causes
        if causes[0] != row["cause"]:
            wrong[f"{row['cause']} -> {causes[0]}"] += 1
    return {"reports": len(cases), "printed": printed, "mapped": mapped,
            "first_right": first_right, "any_right": any_right, "wrong": wrong}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--atlas", help="a messages.json other than the shipped one")
    parser.add_argument("--misses", action="store_true", help="list first-cause confusions")
    args = parser.parse_args(argv)
    figures = reach(corpus.load(), args.atlas)
    print(f"reports {figures['reports']}: a package prints a line of {figures['printed']}; "
          f"mapped to a cause {figures['mapped']}; first cause right {figures['first_right']}, "
          f"any cause right {figures['any_right']}")
    if args.misses:
        wrong = figures["wrong"]
        assert isinstance(wrong, Counter)
        for pair, count in wrong.most_common():
            print(f"  {count:3d}  {pair}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
