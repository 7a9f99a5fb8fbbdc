"""Apply a plan the way `fix --apply` does, in a process of its own, for tests that stop it.

    python driver.py PLAN.json [VERIFY-CODE]

VERIFY-CODE, when given, is run by the target interpreter after the plan (`python -c`): exit 0
passes verify. Prints the outcome as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Tuple

from keras_doctor.apply.engine import apply_plan
from keras_doctor.plan.model import Plan


def main() -> None:
    with open(sys.argv[1]) as fh:
        plan = Plan.from_dict(json.load(fh))
    code = sys.argv[2] if len(sys.argv) > 2 else None

    def verify(python: str) -> Tuple[bool, str]:
        # -B: keras-doctor's own verify writes no bytecode into the environment either
        proc = subprocess.run([python, "-B", "-c", code or ""], capture_output=True, text=True)
        return proc.returncode == 0, proc.stderr[-300:] or "verify passed"

    outcome = apply_plan(plan, verify=verify if code else None)
    print(json.dumps(outcome.to_dict()), flush=True)


if __name__ == "__main__":
    main()
