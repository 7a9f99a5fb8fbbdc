"""The names that identify the person running keras-doctor: what a shared report must not show.

The home folder (and where it really is), the account name and the host name, read here in facts/
because reading them is reading the machine; `render.bundle.scrub` replaces them.
"""

from __future__ import annotations

import getpass
import os
import socket
from typing import Dict, Mapping

# Account names that identify nobody and are also words ("the root cause"): left as they are.
GENERIC_USERS = frozenset({"root", "admin", "user", "runner", "ubuntu", "vscode", "jovyan"})


def private_words(environ: Mapping[str, str] = os.environ) -> Dict[str, str]:
    """What to replace and with what, longest first: the home folder, the user and host names."""
    words: Dict[str, str] = {}
    home = environ.get("HOME") or os.path.expanduser("~")
    for path in {os.path.normpath(home), os.path.realpath(home)}:  # HOME=/Users/ana/ is common
        if path != os.path.dirname(path):  # the root folder hides nothing
            words[path] = "~"
    try:
        user = getpass.getuser()
    except Exception:  # no user name known: nothing to hide
        user = ""
    for name in {user, environ.get("USER", ""), environ.get("USERNAME", "")}:
        if len(name) >= 2 and name not in GENERIC_USERS:
            words[name] = "<user>"
    try:
        host = socket.gethostname()
    except OSError:
        host = ""
    for name in {host, host.split(".")[0]}:
        if len(name) >= 2 and name != "localhost":
            words[name] = "<host>"
    return dict(sorted(words.items(), key=lambda item: -len(item[0])))
