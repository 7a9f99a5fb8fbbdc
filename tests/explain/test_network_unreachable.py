"""An unreachable index or download host is its own cause: not a certificate, not a missing wheel.

pip words a network failure as retries and then "Could not find a version that satisfies the
requirement … (from versions: none)", the same words it uses when no wheel fits; Keras's get_file
wraps the socket error in "URL fetch failure". The resolver's and the socket layer's own words
decide, and a certificate failure keeps its own cause.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
from factories import mac_facts

from keras_doctor.checks.network import INDEX_SCHEMES, PROXY_SCHEMES, unusable_url
from keras_doctor.checks.registry import run_checks
from keras_doctor.explain import explain_text
from keras_doctor.facts.config import config_env, without_credentials

PIP_RETRY = ("WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, "
             "status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3."
             "connection.HTTPSConnection object at 0x7f0>: Failed to establish a new connection: "
             "{reason}')': /simple/tensorflow/\n")
NO_VERSION = ("ERROR: Could not find a version that satisfies the requirement tensorflow "
              "(from versions: none)\nERROR: No matching distribution found for tensorflow\n")


@pytest.mark.parametrize("reason", [
    "[Errno -3] Temporary failure in name resolution",
    "[Errno 8] nodename nor servname provided, or not known",
    "[Errno 110] Connection timed out",
    "[Errno 101] Network is unreachable",
    "[WinError 10060] A connection attempt failed",
])
def test_pip_that_cannot_reach_the_index_is_network_unreachable(reason):
    report = explain_text(PIP_RETRY.format(reason=reason) + NO_VERSION)
    assert report.findings[0].cause == "network-unreachable"


def test_the_same_no_version_line_without_retries_stays_a_wheel_question():
    causes = [f.cause for f in explain_text(NO_VERSION).findings]
    assert "network-unreachable" not in causes
    assert causes[0] in ("no-wheel-for-python", "no-wheel-for-platform")


@pytest.mark.parametrize("reason", [
    "[Errno -2] Name or service not known", "[Errno 11002] getaddrinfo failed",
    "[Errno 110] Connection timed out", "[Errno 111] Connection refused"])
def test_keras_get_file_that_cannot_connect_is_network_unreachable(reason):
    text = ("Downloading data from https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
            "mnist.npz\nException: URL fetch failure on https://storage.googleapis.com/tensorflow/"
            f"tf-keras-datasets/mnist.npz: None -- {reason}\n")
    finding = explain_text(text).findings[0]
    assert finding.cause == "network-unreachable"
    assert finding.evidence["url"].endswith("mnist.npz")
    assert any(step.command and "mnist.npz" in step.command[-1] for step in finding.fix)


def test_a_certificate_failure_in_the_same_download_is_not_network_unreachable():
    text = ("Downloading data from https://storage.googleapis.com/x.h5\nException: URL fetch "
            "failure on https://storage.googleapis.com/x.h5: None -- [SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer "
            "certificate (_ssl.c:1129)\n")
    causes = [f.cause for f in explain_text(text).findings]
    assert causes[0] == "weights-download-ssl"
    assert "network-unreachable" not in causes


# pip (tuning corpus: brain-score/vision#211) reading a wheel's body when the connection stalls:
# CPython's ssl module raises socket.timeout with its own words (Modules/_ssl.c) inside urllib3's
# response reader
PIP_READ_TIMEOUT = (
    "Collecting tensorflow==1.15\n  Downloading tensorflow-1.15.0-cp36-cp36m-manylinux2010_x86_64"
    ".whl (412.3 MB)\nERROR: Exception:\nTraceback (most recent call last):\n  File \"/om2/group/"
    "jenkins/miniconda3/envs/score/lib/python3.6/site-packages/pip/_vendor/urllib3/response.py\","
    " line 425, in _error_catcher\n    yield\n  File \"/om2/group/jenkins/miniconda3/envs/score/"
    "lib/python3.6/site-packages/pip/_vendor/urllib3/response.py\", line 507, in read\n    data "
    "= self._fp.read(amt) if not fp_closed else b\"\"\n")


def test_a_download_that_stalls_while_pip_reads_it_is_network_unreachable():
    text = PIP_READ_TIMEOUT + "socket.timeout: The read operation timed out\n"
    finding = explain_text(text).findings[0]
    assert finding.cause == "network-unreachable"
    assert "host-unreachable" in finding.evidence["signatures"]  # read, not guessed


def test_the_same_timeout_outside_any_download_is_not_network_unreachable():
    text = ("Traceback (most recent call last):\n  File \"client.py\", line 8, in <module>\n"
            "    conn.recv(1024)\nsocket.timeout: The read operation timed out\n")
    assert "network-unreachable" not in [f.cause for f in explain_text(text).findings]


def test_a_refused_connection_outside_any_download_is_not_network_unreachable():
    text = ("Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n"
            "    server.start()\nConnectionRefusedError: [Errno 111] Connection refused\n")
    assert "network-unreachable" not in [f.cause for f in explain_text(text).findings]


# -- the settings the environment shows -----------------------------------------------------------


@pytest.mark.parametrize("value", ["http://proxy.corp:8080", "proxy.corp:3128",
                                   "socks5h://127.0.0.1:1080", "https://***@proxy.corp", "",
                                   "http://proxy.corp:1", "proxy.corp:65535"])
def test_usable_proxy_urls_pass(value):
    assert unusable_url(value, frozenset({"http", "https", "socks5h"})) is None


@pytest.mark.parametrize(("value", "problem"), [
    ("htp://proxy.corp:8080", "its scheme 'htp' is not one of http, https, socks4, socks4a, "
                              "socks5, socks5h"),
    ("http://proxy.corp:80800", "its port is not a number from 1 to 65535 (Port "),
    ("http://proxy.corp:port", "its port is not a number from 1 to 65535 (Port "),
    ("http://:8080", "it names no host"),
    ("http://proxy.corp:0", "its port is 0"),
])
def test_unusable_proxy_urls_are_named_with_what_is_wrong(value, problem):
    found = unusable_url(value, PROXY_SCHEMES)
    # urllib's own words on a bad port follow in brackets
    assert found == problem if not problem.endswith("(Port ") else found.startswith(problem)


def test_check_names_a_malformed_proxy_variable_and_only_it():
    bad = mac_facts(env={"HTTPS_PROXY": "htp://proxy.corp:8080", "NO_PROXY": "localhost"})
    found = [f for f in run_checks(bad).findings if f.cause == "network-unreachable"]
    assert [f.evidence["variable"] for f in found] == ["HTTPS_PROXY"]
    assert found[0].title == (
        "HTTPS_PROXY=htp://proxy.corp:8080 cannot be used: its scheme 'htp' is not one of http, "
        "https, socks4, socks4a, socks5, socks5h; pip and Keras downloads through it fail as if "
        "the network were down")
    assert found[0].fix[0].command == ("unset", "HTTPS_PROXY")
    good = mac_facts(env={"HTTPS_PROXY": "http://proxy.corp:8080"})
    assert not [f for f in run_checks(good).findings if f.cause == "network-unreachable"]


def test_facts_never_keep_proxy_credentials():
    env = config_env({"HTTPS_PROXY": "http://ada:s3cret@proxy.corp:8080", "HOME": "/h",
                      "PIP_INDEX_URL": "https://token@pypi.corp/simple"})
    assert "s3cret" not in str(env) and "token" not in str(env)
    assert env["HTTPS_PROXY"] == "http://***@proxy.corp:8080"
    assert "HOME" not in env
    assert without_credentials("proxy.corp:3128") == "proxy.corp:3128"


def test_facts_do_not_contradict_a_network_failure():
    text = ("Exception: URL fetch failure on https://storage.googleapis.com/x.h5: None -- "
            "[Errno -2] Name or service not known\n")
    report = explain_text(text, facts=mac_facts())
    assert report.findings[0].cause == "network-unreachable"
    assert report.findings[0].confidence >= explain_text(text).findings[0].confidence - 1e-9


def test_a_local_folder_is_a_usable_index_but_not_a_proxy():
    assert unusable_url("file:///srv/wheels", INDEX_SCHEMES) is None
    assert unusable_url("file:///srv/wheels", PROXY_SCHEMES).startswith("its scheme 'file'")
    assert unusable_url("https:///simple", INDEX_SCHEMES) == "it names no host"
