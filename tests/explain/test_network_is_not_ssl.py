"""A weights download that cannot reach the host is a network failure, not a certificate one."""

from __future__ import annotations

import pytest

from keras_doctor.explain import explain_text

HEAD = ("Downloading data from https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
        "vgg16_weights_tf_dim_ordering_tf_kernels.h5\nTraceback (most recent call last):\n"
        '  File "/usr/lib/python3.11/urllib/request.py", line 1348, in do_open\n'
        "    h.request(req.get_method(), req.selector, req.data, headers,\n")


@pytest.mark.parametrize("error", [
    "socket.gaierror: [Errno -2] Name or service not known",
    "socket.gaierror: [Errno 8] nodename nor servname provided, or not known",
    "TimeoutError: [Errno 110] Connection timed out",
    "ConnectionRefusedError: [Errno 111] Connection refused",
])
def test_unreachable_host_is_not_reported_as_ssl(error):
    report = explain_text(HEAD + error + "\n")
    assert "weights-download-ssl" not in [f.cause for f in report.findings]


def test_a_certificate_failure_still_is():
    text = HEAD + ("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate "
                   "verify failed: unable to get local issuer certificate (_ssl.c:1006)\n")
    assert explain_text(text).findings[0].cause == "weights-download-ssl"


@pytest.mark.parametrize("paste", [
    # an issue's title in GnuTLS's words (tuning corpus: tensorflow/models#5871)
    "SSL certificate verification failed in mnist.py",
    # GnuTLS through git or curl (lib/errors.c)
    "fatal: unable to access 'https://github.com/fchollet/deep-learning-models/': server "
    "certificate verification failed. CAfile: none CRLfile: none",
])
def test_gnutls_words_for_a_certificate_failure_are_one_too(paste):
    finding = explain_text(paste).findings[0]
    assert finding.cause == "weights-download-ssl"
    assert "ssl-verify" in finding.evidence["signatures"]  # read, not guessed


def test_a_verification_that_did_not_fail_is_none():
    causes = [f.cause for f in explain_text(
        "ValueError: checksum verification failed for model.h5").findings]
    assert "weights-download-ssl" not in causes[:1]
