"""The least a static check can do, as a yardstick: no structure, no findings, no output format.

Imports argparse and packaging (which keras-doctor must use for requirements), reads every
METADATA header block and RECORD, parses every Requires-Dist, and reads the first bytes of every
native binary. Whatever keras-doctor costs above this is its own overhead; this script's own
ratio to pip check is the best any tool built this way can reach on the machine.

    python floor_scan.py SITE_PACKAGES
"""

import argparse
import json
import os
import sys

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    site = parser.parse_args().site
    found = {}
    for name in os.listdir(site):
        if not name.endswith(".dist-info"):
            continue
        folder = os.path.join(site, name)
        with open(os.path.join(folder, "METADATA"), encoding="utf-8") as handle:
            head = handle.read().partition("\n\n")[0].splitlines()
        fields = {}
        for line in head:
            key, _, value = line.partition(": ")
            fields.setdefault(key, []).append(value)
        with open(os.path.join(folder, "RECORD"), encoding="utf-8") as handle:
            files = [line.rsplit(",", 2)[0] for line in handle.read().splitlines() if line]
        requires = [Requirement(r) for r in fields.get("Requires-Dist", [])]
        for rel in files:
            if rel.endswith(".so"):
                with open(os.path.join(site, rel), "rb") as binary:
                    binary.read(64)
        found[canonicalize_name(fields["Name"][0])] = (fields["Version"][0], len(requires))
    json.dump({"distributions": len(found)}, sys.stdout)


if __name__ == "__main__":
    main()
