"""What a Python process started by a slow test does at startup during a whole-suite mutation run.

mutmut switches a mutant on, and records which functions run, inside the test process only; many
slow tests reach keras-doctor only in processes of their own (the command line end to end, `fix`
killed and rolled back, the copies of this checkout installed into other environments). This file
reaches those processes through a one-line `.pth` file (`PTH_LINE`, installed by
`tests/mutation_sample.py --whole` into its own interpreter's site-packages, and by
`tests/envs.py` into an environment that runs the instrumented copy) that runs it only when
`KERAS_DOCTOR_MUTATION_HOOK` names it; without that variable the line does nothing. Then:

- `KERAS_DOCTOR_MUTANTS_SRC` / `KERAS_DOCTOR_CHECKOUT_SRC`: the checkout's `src` folder on
  `sys.path` (the editable install) becomes the instrumented copy's, so `python -m keras_doctor`
  runs the copy whose mutant `MUTANT_UNDER_TEST` (inherited from the test) switches on;
- `KERAS_DOCTOR_MUTATION_CALLS`: every instrumented function the process calls is appended, once,
  to that file (one name a line, written as it happens, so a process killed mid-way has recorded
  what it ran). mutmut's own recording would look for a mutmut configuration in the process's
  folder and fail, so its recorder is replaced in the trampoline module when that is imported.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HOOK = "KERAS_DOCTOR_MUTATION_HOOK"
MUTANTS_SRC = "KERAS_DOCTOR_MUTANTS_SRC"
CHECKOUT_SRC = "KERAS_DOCTOR_CHECKOUT_SRC"
CALLS = "KERAS_DOCTOR_MUTATION_CALLS"
PTH_NAME = "keras_doctor_mutation_children.pth"  # sorts after the editable install's `_…` file
PTH_LINE = (f"import os; os.environ.get('{HOOK}') and "
            f"__import__('runpy').run_path(os.environ['{HOOK}'], run_name='{HOOK.lower()}')\n")
TRAMPOLINE = "mutmut.mutation.trampoline"


def install_pth(site_packages: str) -> None:
    """Put the startup line into an interpreter's site-packages (inert without `HOOK`)."""
    path = Path(site_packages, PTH_NAME)
    if not path.exists() or path.read_text() != PTH_LINE:
        temporary = path.with_name(f"{PTH_NAME}.{os.getpid()}")
        temporary.write_text(PTH_LINE)
        temporary.replace(path)


def _route_to_instrumented_copy() -> None:
    mutants_src, checkout_src = os.environ.get(MUTANTS_SRC), os.environ.get(CHECKOUT_SRC)
    if not mutants_src or not checkout_src:
        return
    checkout = os.path.realpath(checkout_src)
    sys.path[:] = [mutants_src if entry and os.path.realpath(entry) == checkout else entry
                   for entry in sys.path]


def _record_calls(calls_file: str) -> None:
    import importlib.abc
    import importlib.util

    recorded: set = set()

    def record(name: str, caller: object = None) -> None:
        if name in recorded:
            return
        recorded.add(name)
        fd = os.open(calls_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{name}\n".encode())
        finally:
            os.close(fd)

    class AfterTrampolineLoads(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
            if name != TRAMPOLINE:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.loader is not None:
                load = spec.loader.exec_module

                def exec_module(module):  # type: ignore[no-untyped-def]
                    load(module)
                    module.record_trampoline_hit = record
                    module.get_mutant_under_test = lambda: "stats"

                spec.loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, AfterTrampolineLoads())


def start() -> None:
    _route_to_instrumented_copy()
    calls_file = os.environ.get(CALLS)
    if calls_file and TRAMPOLINE not in sys.modules:
        _record_calls(calls_file)


if __name__ == HOOK.lower():
    start()
