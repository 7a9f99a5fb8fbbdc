"""Causes that print the same words: when the text names one, the others stay among the first three.

Some pairs of causes cannot be told apart from the error text, because the same program prints
the same message for both:

- CPython's `No module named 'X'` is printed alike when X is not installed anywhere
  (`missing-dependency`), when it is installed for another interpreter than the one that ran the
  code (`wrong-interpreter`), and when it was installed under a notebook kernel that started
  before the install (`kernel-not-restarted`): the importer only says it did not find X on the
  running interpreter's `sys.path`.
- `cannot import name 'N' from 'keras…'` / `module 'keras…' has no attribute 'N'` is printed
  alike when the code imports N from where another Keras release keeps it (`keras-api-moved`),
  when the installed Keras is not the one the installed TensorFlow was released with
  (`keras-tf-version-skew`: the module exists, laid out as another release lays it out), and when
  the installed Keras is older than the name (`package-too-old-for-api`).
- pip's `Could not find a version that satisfies the requirement X (from versions: none)` is
  printed alike when no release of X has a wheel for this Python (`no-wheel-for-python`) and
  when none has one for this operating system or machine (`no-wheel-for-platform`); pip reads the
  tags of every wheel and keeps those this interpreter accepts, and names neither.
- The kernel's SIGILL (`Illegal instruction`, `illegal hardware instruction`, exit code 132) is
  the same whether the CPU lacks AVX (`cpu-lacks-avx`) or an x86_64 Python runs under Rosetta 2
  on an Apple Silicon Mac, which does not translate AVX (`rosetta-python`).

- A process that dies without a word of its own (`Segmentation fault: 11`, `Abort trap: 6`, a
  dead kernel) says nothing of why: every cause whose native code dies that way on that system
  prints the same line. `fallback` names them by the signal and the system (`CRASH_PRIOR`); they
  stay together in the first three whatever the learned ranker makes of the rest.

The learned ranker orders the candidates by what such texts most often meant; this module makes
sure the look-alikes of its first answer are listed right after it (never pushed out of the first
three by a cause the text does not name), and says for each what tells them apart: the one
command whose output decides, which `keras-doctor check` runs on the environment at hand.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from keras_doctor.explain import lazyre
from keras_doctor.explain.clues import excluded_on

# The first answer's look-alikes, most often the right one first (out-of-repository confusions
# of the tuning corpus); one the paste's platform excludes (`clues.excluded_on`) is left out.
LOOK_ALIKES: Dict[str, Tuple[str, ...]] = {
    "missing-dependency": ("wrong-interpreter", "kernel-not-restarted"),
    "wrong-interpreter": ("missing-dependency", "kernel-not-restarted"),
    "kernel-not-restarted": ("wrong-interpreter", "missing-dependency"),
    "keras-api-moved": ("keras-tf-version-skew", "package-too-old-for-api"),
    "keras-tf-version-skew": ("keras-api-moved",),
    "package-too-old-for-api": ("keras-api-moved", "keras-tf-version-skew"),
    "no-wheel-for-python": ("no-wheel-for-platform",),
    "no-wheel-for-platform": ("no-wheel-for-python",),
    "cpu-lacks-avx": ("rosetta-python",),
    "rosetta-python": ("cpu-lacks-avx",),
}

# What tells each group apart: the command whose output decides between its causes.
_TELL_APART = {
    "import": (
        "The same 'No module named' is printed whether the package is missing everywhere, "
        "installed for another interpreter, or installed under a notebook kernel started before "
        "the install. Compare `import sys; print(sys.executable)` run where the error happened "
        "with `python -m pip show PACKAGE` in the shell you installed from: another path means "
        "another interpreter; the same path with the package shown means restart the kernel; "
        "not shown means install it."
    ),
    "keras": (
        "The same import error is printed whether the name moved in another Keras release, the "
        "installed Keras does not match the installed TensorFlow, or the installed Keras is "
        "older than the name. `python -m pip show keras tensorflow` (or `python -c \"import "
        "keras, tensorflow as tf; print(keras.__version__, tf.__version__)\"`) decides: "
        "versions of one release line (Keras 2.N with TensorFlow 2.N) mean the name moved; "
        "mismatched lines mean the versions skew; a Keras older than the name's release means "
        "upgrade it."
    ),
    "wheel": (
        "pip prints the same 'from versions: none' whether no release has a wheel for this "
        "Python or none has one for this system and machine. `python -c \"import sys, "
        "platform; print(sys.version, platform.system(), platform.machine())\"` and `python -m "
        "pip debug --verbose` (the tags this pip accepts) against the release's wheel names "
        "decide which."
    ),
    "sigill": (
        "An illegal instruction is the same signal whether the CPU lacks AVX or an x86_64 Python "
        "runs under Rosetta on an Apple Silicon Mac. `python -c \"import platform; "
        "print(platform.machine())\"` printing x86_64 on a Mac with `sysctl -n "
        "hw.optional.arm64` = 1 means Rosetta; elsewhere, the CPU's flags (`grep -o avx "
        "/proc/cpuinfo`) decide."
    ),
}
_GROUP = {
    "missing-dependency": "import", "wrong-interpreter": "import",
    "kernel-not-restarted": "import",
    "keras-api-moved": "keras", "keras-tf-version-skew": "keras",
    "package-too-old-for-api": "keras",
    "no-wheel-for-python": "wheel", "no-wheel-for-platform": "wheel",
    "cpu-lacks-avx": "sigill", "rosetta-python": "sigill",
}
# The words a group's causes print alike, each of which the text must hold. An answer of the
# group reached from other words (an add-on's op not registered is `missing-dependency` too, a
# top-level TensorFlow name missing is `package-too-old-for-api`) is not told apart by them: the
# command would answer a question the text does not raise. The SIGILL group has none: its causes
# are told apart whatever the crash printed, a dead kernel included.
_PRINTED = {
    "import": (lazyre.compile(r"No module named", re.IGNORECASE),),
    "keras": (lazyre.compile(r"cannot import name|has no attribute|No module named|ImportError",
                             re.IGNORECASE), lazyre.compile(r"keras", re.IGNORECASE)),
    "wheel": (lazyre.compile(r"from versions|No matching distribution|satisfies the requirement",
                             re.IGNORECASE),),
}
SHOWN = 3  # the look-alikes are kept within the first three answers
# The least confidence a look-alike is shown at: out of repository on the tuning corpus, when the
# first answer had look-alikes (147 reports), one of them was the right cause in 11 (7.5 %).
SHOWN_AT_LEAST = 0.05


# The signature a crash's causes carry when `fallback` read them off the signal and the system
CRASH_PRIOR = "fallback:signal"


def crash_causes(ranked: Sequence[Any]) -> List[str]:
    """The causes of a crash with no message of its own, as `fallback` read them off the signal
    and the system (hypotheses nothing but that reading proposed), most likely first."""
    return [h.cause for h in ranked if list(h.signatures) == [CRASH_PRIOR]]


def with_look_alikes(order: Sequence[Tuple[str, float]], platform: str = "",
                     probabilities: Optional[Dict[str, float]] = None,
                     together: Sequence[str] = ()) -> List[Tuple[str, float]]:
    """`order` with the first answer's look-alikes moved up to follow it, within the first
    three; the rest keep their order. A look-alike the paste's platform excludes is not moved.
    `together` are causes the message itself stands for (`crash_causes`), all moved up the same
    way, in the order `order` gives them (a first answer the engine then rules out leaves them
    the first three)."""
    order = list(order)
    if not order:
        return order
    first = order[0][0]
    position = {cause: i for i, (cause, _) in enumerate(order)}
    alike = sorted((c for c in together if c != first and not excluded_on(c, platform)),
                   key=lambda c: position.get(c, len(position)))
    moving = list(dict.fromkeys([*alike, *wanted(first, platform)]))
    if not moving:
        return order
    head = [order[0]]
    for cause in moving[: max(SHOWN - 1, len(alike))]:
        head.append(order[position[cause]] if cause in position
                    else (cause, (probabilities or {}).get(cause, 0.0)))
    # a candidate already in the first three that is no look-alike keeps its place before the
    # rest when there is room left
    moved = {cause for cause, _ in head}
    rest = [pair for pair in order[1:] if pair[0] not in moved]
    return head + rest


def wanted(first: str, platform: str = "") -> List[str]:
    """The look-alikes of `first` the paste's platform allows."""
    return [c for c in LOOK_ALIKES.get(first, ()) if not excluded_on(c, platform)]


def told_apart_by(cause: str, shown: Sequence[str], text: Optional[str] = None) -> str:
    """What tells `cause` from the look-alikes shown with it; '' when none is shown, or when
    `text` is given and does not hold the words the group prints alike."""
    group = _GROUP.get(cause)
    if not group or not any(_GROUP.get(other) == group for other in shown if other != cause):
        return ""
    if text is not None and not all(words.search(text) for words in _PRINTED.get(group, ())):
        return ""
    return _TELL_APART[group]


def is_look_alike(cause: str, first: str) -> bool:
    return cause in LOOK_ALIKES.get(first, ())


def names(causes: Sequence[str]) -> str:
    return " or ".join(f"`{c}`" for c in causes)
