"""Crash consistency, proven: kill a real `fix --apply` at every journal boundary and at many
points inside the installer's run (pip and uv), then `--rollback` must restore the environment
exactly and `--resume` must converge to the planned one. The harness is in chaos.py.

The fast test does this on a tiny real environment at every journal boundary, in seconds, so that
every change to apply/ is protected; the slow test does it on a real broken environment (numpy 2
forced under a package built for numpy 1), with pip and with uv, at 30+ points inside each.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import List

import chaos
import envs
import pytest
import tiny


def converge_at(points: List[chaos.KillPoint], scenario: chaos.Scenario, tmp_path: Path,
                monkeypatch, resume_every: int = 1, changes: bool = True) -> dict:
    """Kill at each point, finish with rollback and (every `resume_every`-th point) on a second
    copy with resume, and check that each converged. `changes`: whether an uninterrupted run
    changes the environment (False when its verify fails and it rolls itself back)."""
    probe = tiny.copy_env(scenario.cached, tmp_path / "probe-env")
    before = tiny.tree_state(probe)
    assert tiny.record_violations(tiny.site_packages(probe), bytecode=False) == []
    untouched = chaos.site_state(probe)
    monkeypatch.setenv("KERAS_DOCTOR_DATA_DIR", str(tmp_path / "data-reference"))
    reference = chaos.run_and_kill(scenario, probe, chaos.KillPoint("never"),
                                   tmp_path / "data-reference")
    assert reference == "finished"
    after = chaos.site_state(probe)
    assert (after != untouched) is changes
    assert after[2] == [], after[2]
    tally: dict = {"killed": 0, "finished first": 0}
    for index, point in enumerate(points):
        finishes = ("rollback", "resume") if index % resume_every == 0 else ("rollback",)
        for finish in finishes:
            data = tmp_path / f"data-{index}-{finish}"
            env = tiny.copy_env(scenario.cached, tmp_path / f"env-{index}-{finish}")
            monkeypatch.setenv("KERAS_DOCTOR_DATA_DIR", str(data))
            ended = chaos.run_and_kill(scenario, env, point, data)
            tally["killed" if ended == "killed" else "finished first"] += 1
            try:
                if finish == "rollback":
                    how = chaos.finish_with_rollback(env, before)
                else:
                    how = chaos.finish_with_resume(env, scenario, before, after)
                if how == "nothing pending":
                    how = "ended " + chaos.ended_state(env, before, after)
            except AssertionError as exc:
                raise AssertionError(f"kill point {point.label} ({finish}): {exc}") from exc
            tally[how] = tally.get(how, 0) + 1
            subprocess.run(["rm", "-rf", str(env), str(data)], check=True)
    return tally


def tiny_scenario(cached: Path, wheels: Path, verify_code: str,
                  installer: str = "uv") -> chaos.Scenario:
    return chaos.Scenario(
        cached=cached,
        installer_argv=lambda env: tiny.install_argv(installer, env, wheels, "2.0"),
        names=[tiny.NAME],
        verify_code=verify_code)


def test_a_fix_killed_at_any_journal_boundary_rolls_back_or_resumes_exactly(
        tiny_cached, tiny_wheels, tmp_path, monkeypatch):
    passes = tiny_scenario(tiny_cached, tiny_wheels,
                           "import tinypkg; assert tinypkg.__version__ == '2.0'")
    # begin, snapshot, step-start, step-process, step-done, verify-start, verify, committed
    points = [chaos.KillPoint(f"after record {k}", journal=f"after:{k}") for k in range(1, 9)]
    tally = converge_at(points, passes, tmp_path / "passes", monkeypatch, resume_every=2)

    # Ctrl-C and SIGTERM to the fix alone (not its group) at the boundaries around the installer
    signals = [chaos.KillPoint(f"SIG{name} after record {k}", journal=f"after:{k}",
                               signal_name=name) for name in ("INT", "TERM") for k in (3, 4, 6)]
    tally_signals = converge_at(signals, passes, tmp_path / "signals", monkeypatch,
                                resume_every=3)

    fails = tiny_scenario(tiny_cached, tiny_wheels, "raise SystemExit(1)")
    # ... verify (failed), rollback-start, rolled-back: killed during the automatic rollback
    during_rollback = [chaos.KillPoint("after rollback-start", journal="after:8"),
                       chaos.KillPoint("before rolled-back", journal="before:9")]
    tally_rollback = converge_at(during_rollback, fails, tmp_path / "fails", monkeypatch,
                                 changes=False)

    print(f"\n{len(points) + len(during_rollback) + len(signals)} journal kill points: {tally} "
          f"{tally_rollback}, signals: {tally_signals}")
    assert tally["killed"] == 12 and tally_rollback["killed"] == 4
    assert tally_signals["killed"] == 8
    assert tally["rolled back"] >= 6 and tally["resumed"] >= 2


# -- the slow, full version -----------------------------------------------------------------------

NUMPY_OLD = "numpy==1.26.4"
BROKEN = [["contourpy==1.2.0", "numpy==1.26.4"], ["--no-deps", "numpy==2.1.3"]]
VERIFY_NUMPY = ("import numpy, contourpy; assert numpy.__version__ == '1.26.4'; "
                "contourpy.contour_generator(z=numpy.zeros((3, 3)))")


def wheelhouse() -> Path:
    """numpy 1.26.4's wheel, downloaded once, so every kill point installs offline. It is built
    through envs' locked cache: two pytest-xdist workers must not read a half-written wheel."""
    pip_env = envs.venv("chaos-numpy2-contourpy", BROKEN, seed=True)

    def download(root: Path, log: Path) -> None:
        envs._run([str(envs.venv_python(pip_env)), "-m", "pip", "download", "-q", "--no-deps",
                   "--only-binary", ":all:", "-d", str(root), NUMPY_OLD], log)

    return envs._cached("wheelhouse", "numpy-1.26.4", {"download": NUMPY_OLD}, download)


def numpy_scenario(installer: str) -> chaos.Scenario:
    cached = envs.venv("chaos-numpy2-contourpy", BROKEN, seed=installer == "pip")
    wheels = str(wheelhouse())

    def argv(env: Path) -> List[str]:
        python = str(tiny.python_of(env))
        if installer == "uv":
            from keras_doctor.plan.installers import find_uv

            return [str(find_uv()), "pip", "install", "--python", python, "--no-index",
                    "--find-links", wheels, "--no-deps", NUMPY_OLD]
        return [python, "-m", "pip", "install", "--no-index", "--find-links", wheels,
                "--no-deps", "--disable-pip-version-check", NUMPY_OLD]

    return chaos.Scenario(cached=cached, installer_argv=argv, names=["numpy"],
                          verify_code=VERIFY_NUMPY)


# Per installer: which file-changing syscalls to stop it at, and at how many of their calls.
INSIDE = {
    # uv: unlink (uninstall), linkat (install from its cache), the rest around them
    "uv": {"unlink": 8, "unlinkat": 6, "rmdir": 3, "mkdir": 4, "linkat": 10, "rename": 2,
           "renameat2": 2},
    # pip: rename (the uninstall stash ~umpy), openat (unpacking), unlinkat (removing the stash)
    "pip": {"rename": 10, "openat": 12, "mkdir": 4, "unlinkat": 8, "rmdir": 3},
}

@pytest.mark.slow
@pytest.mark.skipif(chaos.STRACE is None, reason="strace is needed to stop the installer")
@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_a_real_fix_killed_anywhere_rolls_back_or_resumes_exactly(installer, tmp_path,
                                                                  monkeypatch):
    scenario = numpy_scenario(installer)
    counts = chaos.count_syscalls(scenario, tmp_path, list(INSIDE[installer]))
    inside = [chaos.KillPoint(f"{installer} {name} #{n}", syscall=name, nth=n)
              for name, wanted in INSIDE[installer].items()
              for n in chaos.spread(counts[name], wanted)]
    boundaries = [chaos.KillPoint(f"{moment} record {k}", journal=f"{moment}:{k}")
                  for k in range(1, 9) for moment in ("before", "after")]
    # Ctrl-C and SIGTERM to the fix alone, while its installer is stopped mid-way or at boundaries
    stopped = [p for p in inside if p.syscall in ("unlink", "rename", "linkat", "openat")]
    signals = [chaos.KillPoint(f"SIG{name} at {p.label}", syscall=p.syscall, nth=p.nth,
                               signal_name=name)
               for name in ("INT", "TERM") for p in stopped[len(stopped) // 3::len(stopped) // 3]]
    signals += [chaos.KillPoint(f"SIG{name} after record {k}", journal=f"after:{k}",
                                signal_name=name) for name in ("INT", "TERM") for k in (4, 6)]

    tally = converge_at(inside + boundaries + signals, scenario, tmp_path, monkeypatch,
                        resume_every=2)

    print(f"\n{installer}: {len(inside)} kill points inside the installer "
          f"({dict(counts)} calls), {len(boundaries)} at journal boundaries, {len(signals)} "
          f"with SIGINT or SIGTERM: {tally}")
    assert len(inside) >= 30
    assert tally["killed"] >= 30 + len(boundaries) + len(signals)


@pytest.mark.slow
def test_the_fix_command_killed_at_journal_boundaries_on_a_real_tensorflow_env_rolls_back(
        tmp_path, monkeypatch):
    """The whole command, as users run it: `keras-doctor fix --apply --yes` (check, the resolved
    plan, the snapshot, uv, the real verify importing TensorFlow), its process group killed after
    a journal record, then `keras-doctor fix --rollback` in a new process."""
    import os
    import sys

    cached = envs.venv("fix-numpy2-tf215", [["tensorflow-cpu==2.15.1"],
                                            ["--no-deps", "numpy==2.1.3"]])
    numpy_entries = ("numpy", "numpy.libs", "numpy-")

    def numpy_state(env: Path) -> dict:
        site = tiny.site_packages(env)
        state = {name: "" for name in os.listdir(site)}
        for entry in site.iterdir():
            if entry.name.startswith(numpy_entries):
                state.update({f"{entry.name}/{k}": v for k, v in tiny.tree_state(entry).items()})
        return state

    def doctor(*args: str, data: Path, kill: str = "") -> int:
        env = dict(os.environ, KERAS_DOCTOR_DATA_DIR=str(data))
        env.pop("KERAS_DOCTOR_TEST_KILL", None)
        if kill:
            env["KERAS_DOCTOR_TEST_KILL"] = kill
        return subprocess.run([sys.executable, "-m", "keras_doctor", *args], env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=600).returncode

    # begin, snapshot, step-start, installer started, step done, verify start, verify, committed
    points = ["after:2", "after:4", "after:5", "after:6", "after:8"]
    tally = {}
    for index, point in enumerate(points):
        env = envs.copy_tree(cached, tmp_path / f"env-{index}")
        before = numpy_state(env)
        data = tmp_path / f"data-{index}"
        python = str(envs.venv_python(env))
        code = doctor("fix", "--python", python, "--apply", "--yes", "--models", "", data=data,
                      kill=point)
        assert code == -9, f"{point}: the fix was not killed ({code})"
        rolled = doctor("fix", "--rollback", data=data)
        if point == "after:8":  # committed before the kill: nothing to roll back
            assert rolled == 2
            assert numpy_state(env) != before
            assert tiny.record_violations(tiny.site_packages(env), bytecode=False) == []
        else:
            assert rolled == 0, f"{point}: rollback exited {rolled}"
            assert numpy_state(env) == before, f"{point}: not restored exactly"
        tally[point] = "rolled back" if rolled == 0 else "committed"
        subprocess.run(["rm", "-rf", str(env), str(data)], check=True)
    print(f"\n`fix --apply` killed at {len(points)} journal boundaries: {tally}")
