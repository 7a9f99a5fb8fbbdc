"""Shapes of a site-packages that restore must bring back exactly, on a tiny real environment.

Distributions own more than one package folder: a module file at the top of site-packages, a link
there (a library's `.so` alias), a console script in bin/, files in <prefix>/share. An installer
that fails half-way may remove, replace or add any of them; rollback puts back the first three
and removes what a new distribution added, folders included. Refusals come before anything is
changed: a package folder this user cannot write could not be restored.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import tiny

from keras_doctor.apply import engine, journal, pending_transactions, snapshot, store
from keras_doctor.apply.environment import read_target
from keras_doctor.plan.model import Plan, PlannedStep, PlanTarget, StepKind

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX virtualenv layout")


def plan_of(env: Path, code: str, *args: str) -> Plan:
    """One step, a Python script standing in for an installer: it does what we say, then fails."""
    step = PlannedStep(StepKind.INSTALL, "test step",
                       argv=[sys.executable, "-c", code + "\nraise SystemExit(1)\n", *args],
                       names=[tiny.NAME])
    return Plan(target=PlanTarget(python=str(tiny.python_of(env)), platform="linux-x86_64",
                                  python_version="3.11"), steps=[step])


def own(site: Path, *relative: str) -> None:
    """Add paths to tinypkg's RECORD, as if its wheel had installed them."""
    record = site / f"{tiny.NAME}-1.0.dist-info" / "RECORD"
    tiny.rewrite(record, record.read_text() + "".join(f"{rel},,\n" for rel in relative))


def test_a_top_level_link_of_a_touched_distribution_comes_back(tiny_env):
    site = tiny.site_packages(tiny_env)
    (site / "tinypkg_alias.py").symlink_to("tinypkg/__init__.py")
    own(site, "tinypkg_alias.py")
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, "import os, sys; os.remove(sys.argv[1])",
                                        str(site / "tinypkg_alias.py")))

    assert outcome.status == "rolled-back", outcome.message
    assert os.readlink(site / "tinypkg_alias.py") == "tinypkg/__init__.py"
    assert tiny.tree_state(tiny_env) == before


def test_a_top_level_link_the_failed_installer_left_alone_stays(tiny_env):
    site = tiny.site_packages(tiny_env)
    (site / "tinypkg_alias.py").symlink_to("tinypkg/__init__.py")
    own(site, "tinypkg_alias.py")
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, "pass"))

    assert outcome.status == "rolled-back", outcome.message
    assert os.readlink(site / "tinypkg_alias.py") == "tinypkg/__init__.py"
    assert tiny.tree_state(tiny_env) == before


def test_a_top_level_module_replaced_by_a_folder_comes_back_as_the_file(tiny_env):
    site = tiny.site_packages(tiny_env)
    (site / "tinyextra.py").write_text("EXTRA = 1\n")
    own(site, "tinyextra.py")
    before = tiny.tree_state(tiny_env)
    code = ("import os, sys; os.remove(sys.argv[1]); os.mkdir(sys.argv[1]); "
            "open(os.path.join(sys.argv[1], 'x'), 'w').write('x')")

    outcome = engine.apply_plan(plan_of(tiny_env, code, str(site / "tinyextra.py")))

    assert outcome.status == "rolled-back", outcome.message
    assert (site / "tinyextra.py").read_text() == "EXTRA = 1\n"
    assert tiny.tree_state(tiny_env) == before


def test_a_console_script_removed_by_a_failed_uninstall_comes_back(tiny_env):
    script = tiny_env / "bin" / "tiny-cli"
    content = script.read_bytes()
    mode = script.stat().st_mode & 0o7777
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, "import os, sys; os.remove(sys.argv[1])",
                                        str(script)))

    assert outcome.status == "rolled-back", outcome.message
    assert script.read_bytes() == content and script.stat().st_mode & 0o7777 == mode
    assert tiny.tree_state(tiny_env) == before


NEW_DISTRIBUTION = r"""
import os, sys
site, prefix = sys.argv[1:]
share = os.path.join(prefix, "share", "newdep")
os.makedirs(os.path.join(share, "tools", "__pycache__"))  # left empty: byte-compiling failed
open(os.path.join(share, "tools", "run.py"), "w").write("print(1)\n")
os.makedirs(os.path.join(site, "newdep-1.0.dist-info"))
open(os.path.join(site, "newdep-1.0.dist-info", "METADATA"), "w").write(
    "Metadata-Version: 2.1\nName: newdep\nVersion: 1.0\n")
rel = os.path.relpath(os.path.join(share, "tools", "run.py"), site)
open(os.path.join(site, "newdep-1.0.dist-info", "RECORD"), "w").write(
    rel + ",,\nnewdep-1.0.dist-info/METADATA,,\nnewdep-1.0.dist-info/RECORD,,\n")
"""


def test_folders_a_new_distribution_made_outside_site_packages_are_removed(tiny_env):
    site = tiny.site_packages(tiny_env)
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, NEW_DISTRIBUTION, str(site), str(tiny_env)))

    assert outcome.status == "rolled-back", outcome.message
    assert not (tiny_env / "share" / "newdep").exists()
    assert tiny.tree_state(tiny_env) == before


def test_a_new_plugin_for_a_touched_package_goes_with_every_file_of_its_distribution(tiny_env):
    """A new distribution that drops a plugin into tinypkg's folder (restored with that folder)
    and lists it first: its files elsewhere are removed all the same."""
    site = tiny.site_packages(tiny_env)
    before = tiny.tree_state(tiny_env)
    plugin = ("open(os.path.join(site, 'tinypkg', 'newdep_plugin.py'), 'w').write('P = 1')\n"
              "record = os.path.join(site, 'newdep-1.0.dist-info', 'RECORD')\n"
              "listed = open(record).read()\n"
              "open(record, 'w').write('tinypkg/newdep_plugin.py,,\\n' + listed)\n")

    outcome = engine.apply_plan(plan_of(tiny_env, NEW_DISTRIBUTION + plugin, str(site),
                                        str(tiny_env)))

    assert outcome.status == "rolled-back", outcome.message
    assert not (tiny_env / "share" / "newdep").exists()
    assert tiny.tree_state(tiny_env) == before


def test_a_package_folder_that_cannot_be_listed_is_refused_before_anything(tiny_env,
                                                                           monkeypatch):
    unlisted = str(tiny.site_packages(tiny_env) / tiny.NAME / "sub1")
    real_scandir = os.scandir

    def scandir(path="."):  # as a failing disk or a stale network mount answers
        if str(path) == unlisted:
            raise OSError(5, "Input/output error")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, "pass"))

    assert outcome.status == "refused"
    assert outcome.message == f"nothing was changed: cannot read {unlisted}: Input/output error"
    assert tiny.tree_state(tiny_env) == before and pending_transactions() == []


def test_a_package_folder_this_user_cannot_write_is_refused_before_anything(tiny_env,
                                                                             monkeypatch):
    site = tiny.site_packages(tiny_env)
    read_only = str(site / tiny.NAME / "sub1")  # e.g. left by `sudo pip install`
    real_access = os.access
    # Denied as it would be for a normal user (these tests may run as root, whom nothing stops).
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if str(path) == read_only
                        and mode & os.W_OK else real_access(path, mode, **kw))
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, "import shutil, sys; shutil.rmtree(sys.argv[1])",
                                        read_only))

    assert outcome.status == "refused" and read_only in outcome.message, outcome.message
    assert tiny.tree_state(tiny_env) == before
    assert pending_transactions() == []


def test_a_folder_restore_cannot_list_is_reported_not_a_crash(tiny_env, tmp_path, monkeypatch):
    site = tiny.site_packages(tiny_env)
    folder = tmp_path / "transaction"
    folder.mkdir()
    manifest = snapshot.take(snapshot.survey(read_target(str(tiny.python_of(tiny_env))),
                                             [tiny.NAME]), folder)
    real_listdir = os.listdir

    def listdir(path="."):
        if str(path) == str(site):
            raise PermissionError(13, "Permission denied")
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)

    problems = snapshot.restore(manifest, folder)

    assert any(f"cannot list {site}" in problem for problem in problems), problems


def test_restore_never_removes_a_relative_path_from_the_folder_fix_runs_in(tmp_path, monkeypatch):
    """A removal path that lost its environment folder must not delete from the working folder."""
    from keras_doctor.apply import snapshot

    monkeypatch.chdir(tmp_path)
    (tmp_path / "keras").mkdir()
    (tmp_path / "keras" / "train.py").write_text("user code")
    (tmp_path / "notes.txt").write_text("user notes")
    problems: list = []
    snapshot._remove("keras", problems)
    snapshot._remove("notes.txt", problems)
    assert (tmp_path / "keras" / "train.py").read_text() == "user code"
    assert (tmp_path / "notes.txt").read_text() == "user notes"
    assert problems == ["refused to remove keras: not an absolute path",
                        "refused to remove notes.txt: not an absolute path"]
    absolute = tmp_path / "notes.txt"
    snapshot._remove(str(absolute), problems)
    assert not absolute.exists() and len(problems) == 2


def test_a_package_folder_deleted_by_hand_is_absent_again_after_a_failed_reinstall(tiny_env):
    """A common broken state: tinypkg's dist-info is there, its folder was deleted by hand. The
    failed reinstall wrote part of the folder; rollback takes it away again, as it was."""
    site = tiny.site_packages(tiny_env)
    for path in sorted((site / tiny.NAME).rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (site / tiny.NAME).rmdir()
    before = tiny.tree_state(tiny_env)
    code = ("import os, sys; os.makedirs(os.path.join(sys.argv[1], 'sub0')); "
            "open(os.path.join(sys.argv[1], '__init__.py'), 'w').write('half')")

    outcome = engine.apply_plan(plan_of(tiny_env, code, str(site / tiny.NAME)))

    assert outcome.status == "rolled-back", outcome.message
    assert not (site / tiny.NAME).exists()
    assert tiny.tree_state(tiny_env) == before


def test_an_inexact_restore_names_each_distribution_left_at_another_version(tiny_env, tmp_path):
    """The stashed copy of tinypkg's METADATA is lost while 2.0's METADATA sits in its place:
    restore says which file it could not bring back, and which version that leaves installed."""
    metadata = tiny.site_packages(tiny_env) / f"{tiny.NAME}-1.0.dist-info" / "METADATA"
    other = tiny.site_packages(tiny_env) / "other-1.0.dist-info"  # one the restore left alone
    other.mkdir()
    (other / "METADATA").write_text("Metadata-Version: 2.1\nName: other\nVersion: 1.0\n")
    (other / "RECORD").write_text("other-1.0.dist-info/METADATA,,\n")
    folder = tmp_path / "transaction"
    folder.mkdir()
    manifest = snapshot.take(snapshot.survey(read_target(str(tiny.python_of(tiny_env))),
                                             [tiny.NAME]), folder)
    newer = metadata.read_text().replace("Version: 1.0", "Version: 2.0")
    metadata.unlink()  # an installer replaces files, never writes into the stashed inode
    metadata.write_text(newer)
    (folder / snapshot.STASH / manifest["files"][str(metadata)]["stash"]).unlink()

    problems = snapshot.restore(manifest, folder)

    assert problems == [f"{metadata}: its stashed copy is missing",
                        "distributions differ from the snapshot after restore: "
                        f"{tiny.NAME} 1.0 -> 2.0"]


def test_a_new_distribution_that_cannot_be_removed_is_reported_as_left_installed(tiny_env,
                                                                                 monkeypatch):
    import shutil

    site = tiny.site_packages(tiny_env)
    dist_info = site / "newdep-1.0.dist-info"
    immutable = {str(dist_info), str(dist_info / "METADATA")}

    def refused(real):
        def remove(path, *args, **kwargs):
            if str(path) in immutable:
                raise PermissionError(1, "Operation not permitted")
            return real(path, *args, **kwargs)
        return remove

    monkeypatch.setattr(shutil, "rmtree", refused(shutil.rmtree))
    monkeypatch.setattr(os, "unlink", refused(os.unlink))

    outcome = engine.apply_plan(plan_of(tiny_env, NEW_DISTRIBUTION, str(site), str(tiny_env)))

    assert outcome.status == "rollback-failed"
    assert outcome.problems == [f"cannot remove {dist_info}: Operation not permitted",
                                f"cannot remove {dist_info / 'METADATA'}: Operation not permitted",
                                "distributions differ from the snapshot after restore: "
                                "newdep none -> 1.0"]


def test_files_come_back_as_copies_where_the_stash_cannot_hard_link(tiny_env, monkeypatch):
    """The data folder on another file system than the environment: no hard links, so the
    snapshot copies each file and rollback copies it back, content and mode."""
    import errno

    def across_file_systems(*args, **kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", across_file_systems)
    script = tiny_env / "bin" / "tiny-cli"
    module = tiny.site_packages(tiny_env) / tiny.NAME / "__init__.py"
    mode = script.stat().st_mode & 0o7777
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, "import os, sys; [os.remove(p) for p in "
                                        "sys.argv[1:]]", str(script), str(module)))

    assert outcome.status == "rolled-back", outcome.message
    assert tiny.tree_state(tiny_env) == before and script.stat().st_mode & 0o7777 == mode


def test_a_file_this_user_cannot_read_is_refused_before_anything_naming_it(tiny_env, monkeypatch):
    # Permission bits do not bind for root, so the OS's answer is given here.
    unreadable = tiny.site_packages(tiny_env) / tiny.NAME / "data" / "table.txt"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
        not (mode & os.R_OK) if str(path) == str(unreadable) else real_access(path, mode, **kw)))
    before = tiny.tree_state(tiny_env)

    outcome = engine.apply_plan(plan_of(tiny_env, "pass"))

    assert outcome.status == "refused"
    assert outcome.message == (f"nothing was changed: {unreadable} cannot be read by this user, "
                               "so it could not be restored")
    assert tiny.tree_state(tiny_env) == before and pending_transactions() == []


def test_a_folder_this_user_cannot_change_is_refused_before_anything_naming_it(tiny_env,
                                                                              monkeypatch):
    locked = tiny.site_packages(tiny_env) / tiny.NAME / "sub1"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
        False if str(path) == str(locked) else real_access(path, mode, **kw)))

    outcome = engine.apply_plan(plan_of(tiny_env, "pass"))

    assert outcome.status == "refused"
    assert outcome.message == (f"nothing was changed: {locked} cannot be read or changed by this "
                               "user (left by `sudo pip`?), so it could not be restored: fix its "
                               "permissions first")


def test_a_rollback_that_cannot_restore_exactly_journals_each_problem(tiny_env):
    """An installer that writes into a file instead of replacing it changes the stashed copy too
    (a hard link): restore cannot bring the content back, says so, and the journal keeps it."""
    module = tiny.site_packages(tiny_env) / tiny.NAME / "__init__.py"
    tiny.rewrite(module, module.read_text())  # this test's own inode, not the shared cached one

    outcome = engine.apply_plan(plan_of(tiny_env, "open(__import__('sys').argv[1], 'a')"
                                        ".write('# edited in place')", str(module)))

    assert outcome.status == "rollback-failed"
    assert outcome.problems == [f"{module}: content differs from the snapshot (sha256)"]
    folder = store.transactions_dir() / str(outcome.transaction)
    (ended,) = [r for r in journal.read_records(folder / store.JOURNAL_FILE)
                if r["event"] == journal.ROLLED_BACK]
    assert ended["ok"] is False and ended["problems"] == outcome.problems
    assert [p.id for p in pending_transactions()] == [outcome.transaction]  # still to finish


def test_a_file_the_failed_installer_added_that_cannot_be_removed_is_reported(tiny_env,
                                                                             monkeypatch):
    added = tiny.site_packages(tiny_env) / tiny.NAME / "sub0" / "added.py"
    real_unlink = os.unlink

    def unlink(path, *args, **kwargs):
        if str(path) == str(added):
            raise PermissionError(1, "Operation not permitted")  # an immutable file, say
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", unlink)

    outcome = engine.apply_plan(plan_of(tiny_env, "open(__import__('sys').argv[1], 'w')",
                                        str(added)))

    assert outcome.status == "rollback-failed"
    assert outcome.problems == [f"cannot remove {added}: Operation not permitted"]
