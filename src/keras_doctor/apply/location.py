"""Where transactions live, answered with `os` alone.

Every keras-doctor command asks whether an interrupted fix is waiting; almost always the answer is
"no transactions folder" or "every folder is marked finished", which costs a stat or two. Only then
is the journal machinery (`apply.store`) imported.
"""

from __future__ import annotations

import os

FINISHED_FILE = "finished"  # written after a journal's final record


def data_dir() -> str:
    explicit = os.environ.get("KERAS_DOCTOR_DATA_DIR")
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        return os.path.join(xdg, "keras-doctor")
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return os.path.join(os.environ["LOCALAPPDATA"], "keras-doctor")
    return os.path.join(os.path.expanduser("~"), ".local", "share", "keras-doctor")


def transactions_dir() -> str:
    return os.path.join(data_dir(), "transactions")


def may_have_pending() -> bool:
    """False when no transaction can be unfinished; True means "read the journals to know"."""
    try:
        entries = list(os.scandir(transactions_dir()))
    except OSError:
        return False
    return any(e.is_dir() and not os.path.exists(os.path.join(e.path, FINISHED_FILE))
               for e in entries)
