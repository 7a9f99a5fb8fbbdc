"""Both sides of the lines the wheel decision draws, on pip's own words and the release tables.

- A pin with nothing else shown: for a project built for every mainstream platform the usual
  prior stands (no decision), unless pip words its search empty (`from versions: none`); for one
  built for Macs alone the Macs are the candidates.
- The examined system names the platform when the paste does not.
- "Not yet published": a pin uploaded within NOT_YET_DAYS of the newest release pip listed may
  have come out while pip looked (not judged); one uploaded months later had not.
Each case checks the table fact it rests on, so a regenerated table changes the expectation with it.
"""

from __future__ import annotations

from datetime import date

from keras_doctor.explain import wheels


def pip_error(requirement: str, offered: str = "none") -> str:
    return (f"ERROR: Could not find a version that satisfies the requirement {requirement} "
            f"(from versions: {offered})\nERROR: No matching distribution found for {requirement}")


def uploaded(project: str, version: str) -> date:
    return date.fromisoformat(wheels.table(project)[version][1][:10])


def test_a_pin_and_nothing_else_leaves_the_prior_for_a_project_built_everywhere():
    shipped = {plat for tags, _ in wheels.table("tensorflow").values()
               for plat, _ in wheels.wheel_pairs(tags)}
    assert shipped >= set(wheels.MAINSTREAM)
    bare = ("ERROR: Could not find a version that satisfies the requirement tensorflow==2.16.1\n"
            "ERROR: No matching distribution found for tensorflow==2.16.1")
    assert wheels.decide(bare) is None


def test_an_empty_search_for_a_project_built_everywhere_is_a_python_newer_than_its_wheels():
    """`(from versions: none)`: no release at all has a wheel for the interpreter. Within a year
    of 2.16.1 every mainstream platform had TensorFlow wheels for some Python, and none for 3.13
    (released 2024-10-07): on a mainstream machine only the Python explains it."""
    releases = wheels.table("tensorflow")
    window = [tags for tags, when in releases.values() if when and when[:10] <= "2025-03-12"]
    pairs = {pair for tags in window for pair in wheels.wheel_pairs(tags)}
    assert {plat for plat, _ in pairs} >= set(wheels.MAINSTREAM)
    assert not any(python == "3.13" for _, python in pairs)
    assert wheels.decide(pip_error("tensorflow==2.16.1"))[:2] == ("no-wheel-for-python", 1.0)


def test_a_pin_and_nothing_else_of_a_project_built_for_macs_alone_is_decided_among_macs():
    shipped = {plat for tags, _ in wheels.table("tensorflow-macos").values()
               for plat, _ in wheels.wheel_pairs(tags)}
    assert shipped and all(plat.startswith("macos") for plat in shipped)
    decision = wheels.decide(pip_error("tensorflow-macos==2.9.0"))
    assert decision is not None
    assert decision[2]["requirement"] == "tensorflow-macos==2.9.0"


def test_the_examined_system_names_the_platform_the_paste_does_not():
    paste = pip_error("tensorflow==2.16.1")
    assert wheels.read_machine(paste) == list(wheels.PLATFORMS)
    assert wheels.read_machine(paste, platform="windows") == ["windows-amd64"]
    assert wheels.read_machine(paste, platform="linux") == ["linux-x86_64"]
    assert wheels.read_machine(paste, platform="macos") == ["macos-arm64", "macos-x86_64"]
    assert wheels.read_machine(paste, "arm64", "macos") == ["macos-arm64"]


LINUX_PIP = "/home/ada/venv/lib/python3.11/site-packages\n"
OFFERED = "2.15.0, 2.15.1, 2.16.1, 2.16.2"


def test_a_pin_released_days_after_the_newest_listed_may_have_been_there_when_pip_looked():
    gap = (uploaded("tensorflow", "2.17.0") - uploaded("tensorflow", "2.16.2")).days
    assert 0 < gap < wheels.NOT_YET_DAYS
    assert wheels.unpublished(LINUX_PIP + pip_error("tensorflow==2.17.0", OFFERED)) is None


def test_a_pin_released_months_after_the_newest_listed_was_not_published_yet():
    gap = (uploaded("tensorflow", "2.18.0") - uploaded("tensorflow", "2.16.2")).days
    assert gap > wheels.NOT_YET_DAYS
    found = wheels.unpublished(LINUX_PIP + pip_error("tensorflow==2.18.0", OFFERED))
    assert found is not None
    assert found["requirement"] == "tensorflow==2.18.0"
    assert found["published_later"] == str(uploaded("tensorflow", "2.18.0"))
    assert found["offered"] == "2.15.0 … 2.16.2"


def test_a_pin_pip_itself_listed_is_no_question_of_publication():
    assert wheels.unpublished(LINUX_PIP + pip_error("tensorflow==2.16.2", OFFERED)) is None


def test_a_pin_newer_than_the_table_that_pip_listed_is_no_question_of_publication():
    """The table is older than the index: pip's own list wins, whatever the table lacks."""
    from packaging.version import Version

    newest = max(Version(v) for v in wheels.table("tensorflow"))
    later = f"{newest.major}.{newest.minor + 1}.0"
    assert later not in wheels.table("tensorflow")
    listed = f"{newest}, {later}"
    assert wheels.unpublished(LINUX_PIP + pip_error(f"tensorflow=={later}", listed)) is None
    # the other side: pip did not list it, and the table has never seen it
    found = wheels.unpublished(LINUX_PIP + pip_error(f"tensorflow=={later}", str(newest)))
    assert found is not None and str(newest) in found["nearest_published"]
