"""pip's "Could not install packages due to an OSError: [Errno 13]", read the way pip writes it.

pip (commands/install.py, `create_os_error_message`; `create_env_error_message` before pip 21)
adds "Consider using the `--user` option or check the permissions" to an EACCES only when it runs
outside a virtual environment and not into the user site: the interpreter is a shared one, which
wants a virtual environment. Inside a virtual environment it says only "Check the permissions.",
which tells nothing of the kind, and a Windows "[WinError 5] Access is denied" is as often a file
a running Python holds open. The texts below are pip's own lines, with the paths and localised
error strings users paste.
"""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import hypotheses

SIGNATURE = "pip-install-permission-denied"
USER_HINT = "Consider using the `--user` option or check the permissions.\n"


def signatures(text):
    return [s for h in hypotheses(text)[1] for s in h.signatures]


@pytest.mark.parametrize("text", [
    # pip >= 21.1, a Debian system Python
    "ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: "
    "'/usr/lib/python3/dist-packages/numpy'\n" + USER_HINT,
    # pip < 21: EnvironmentError, and the strerror in the user's language
    "Could not install packages due to an EnvironmentError: [Errno 13] 权限不够: "
    "'/usr/local/lib/python3.5/dist-packages/paho_mqtt-1.4.0.dist-info'\n" + USER_HINT,
    # the paste cut after the first line
    "ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: "
    "'/Library/Python/3.9/site-packages/tensorflow'",
    # with its traceback shown (--verbose) pip leaves the error out of its own line
    "ERROR: Could not install packages due to an OSError.\n" + USER_HINT,
])
def test_pip_refused_a_shared_interpreters_site_packages(text):
    assert SIGNATURE in signatures(text)
    findings = explain_text(text).findings
    assert findings[0].cause == "externally-managed-python"
    assert findings[0].confidence >= 0.5


def test_inside_a_virtual_environment_pip_says_only_check_the_permissions():
    text = ("ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: "
            "'/home/u/venv/lib/python3.10/site-packages/numpy'\nCheck the permissions.\n")
    assert SIGNATURE not in signatures(text)


def test_a_windows_access_denied_is_not_read_as_a_shared_interpreter():
    text = ("ERROR: Could not install packages due to an OSError: [WinError 5] Access is denied: "
            "'C:\\\\Users\\\\a\\\\anaconda3\\\\Lib\\\\site-packages\\\\google\\\\protobuf\\\\"
            "internal\\\\_api_implementation.cp39-win_amd64.pyd'\n" + USER_HINT)
    assert SIGNATURE not in signatures(text)


def test_another_oserror_of_pip_is_not_a_permission_refusal():
    text = ("ERROR: Could not install packages due to an OSError: [Errno 28] No space left on "
            "device\n")
    assert SIGNATURE not in signatures(text)
