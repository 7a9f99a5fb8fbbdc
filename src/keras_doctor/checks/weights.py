"""The Keras weights cache and the certificates a download needs.

Keras deletes a cached weights file whose hash does not match and downloads it again, which destroys
the evidence of an interrupted download; so the cache is judged here, from facts read before
anything imports Keras. Files are only ever reported: deleting one is a fix step the user consents
to. Downloads go through Python's `ssl` default context, so the interpreter's own CA paths decide
whether they can succeed (python.org macOS builds have none until "Install Certificates" runs).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional

from keras_doctor.checks.registry import CheckContext, SkipCheck, check, finding
from keras_doctor.checks.stack import installed_version, knowledge_of, python_minor
from keras_doctor.findings import Finding, FixStep, StepKind

_HDF5_SUFFIXES = (".h5", ".hdf5")


@check(name="weights-cache", area="weights", causes=["weights-cache-corrupt"],
       ok="Every cached weights file looks complete")
def weights_cache(ctx: CheckContext) -> Iterator[Finding]:
    caches = ctx.facts.caches
    if caches is None:
        raise SkipCheck("no Keras cache folder for this target")
    if not caches.weights:
        return
    known = _known_files(ctx)
    for wf in caches.weights:
        entry = known(wf.name)
        problem: Optional[str] = None
        evidence = {"path": wf.path, "size_bytes": wf.size_bytes,
                    "hdf5_signature": wf.hdf5_signature, "sha256": wf.sha256,
                    "known_file": entry is not None}
        if wf.name.endswith(_HDF5_SUFFIXES) and not wf.hdf5_signature:
            problem = ("is empty" if wf.size_bytes == 0 else
                       "does not start with the HDF5 signature (an interrupted download, or an "
                       "error page saved in its place)")
        elif wf.hdf5_end is not None and wf.size_bytes < wf.hdf5_end:
            problem = (f"is truncated: {wf.size_bytes} of the {wf.hdf5_end} bytes its HDF5 "
                       "superblock declares (an interrupted download)")
            evidence["declared_bytes"] = wf.hdf5_end
        elif entry is not None and entry.file_hash and wf.sha256 and \
                not _hash_matches(entry.file_hash, wf.sha256):
            problem = "does not match the hash Keras expects (truncated or altered)"
            evidence["expected_hash"] = entry.file_hash
        if problem is None:
            continue
        if entry is not None:
            evidence.update({"application": entry.application, "module": entry.module,
                             "url": entry.url})
        yield finding(
            "weights-cache-corrupt",
            f"{wf.path} {problem}",
            evidence=evidence,
            fix=[FixStep(f"Delete {wf.path}; Keras downloads it again on next use", StepKind.EDIT,
                         ("rm", wf.path), target=wf.path, destructive=True)],
        )


def _known_files(ctx: CheckContext) -> Callable[[str], Any]:
    """A lookup of the knowledge base's weights entries; without the data, nothing is known."""
    try:
        kb = knowledge_of(ctx)
        if kb.has_file("weights.json"):
            lookup: Callable[[str], Any] = kb.weight_file
            return lookup
    except SkipCheck:
        pass
    return lambda name: None


def _hash_matches(expected: str, sha256: str) -> bool:
    """Keras's `file_hash` is sha256 (64 hex digits) or md5 (32); only sha256 is in the facts."""
    if len(expected) != 64:
        return True  # an md5 cannot be compared with the sha256 the facts hold
    return expected.lower() == sha256.lower()


@check(name="weights-download-ssl", area="weights", causes=["weights-download-ssl"],
       ok="The interpreter has a CA bundle for downloading weights")
def weights_download_ssl(ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.facts
    ssl = facts.interpreter.ssl
    if facts.config is None or not ssl or ssl.get("error"):
        raise SkipCheck("the interpreter's SSL paths are not known for this target")
    if installed_version(ctx, "keras") is None and installed_version(ctx, "tf-keras") is None:
        return
    env = facts.config.env
    if ssl.get("cafile_exists") or ssl.get("capath_exists"):
        return
    certifi = installed_version(ctx, "certifi")
    python_org = "python.org" in (facts.interpreter.kind, facts.interpreter.base_kind)
    evidence = {"openssl_cafile": ssl.get("openssl_cafile"),
                "openssl_cafile_exists": ssl.get("openssl_cafile_exists"),
                "openssl_capath": ssl.get("openssl_capath"), "cafile": ssl.get("cafile"),
                "capath": ssl.get("capath"), "SSL_CERT_FILE": env.get("SSL_CERT_FILE"),
                "SSL_CERT_DIR": env.get("SSL_CERT_DIR"), "certifi": str(certifi[1]) if certifi
                else None, "kind": facts.interpreter.kind,
                "base_kind": facts.interpreter.base_kind}
    fix = []
    if python_org and facts.platform.system == "Darwin":
        command = f"/Applications/Python {python_minor(facts)}/Install Certificates.command"
        fix.append(FixStep(f"Run \"{command}\" (installs certifi and links OpenSSL's CA file "
                           "to it)",
                           StepKind.RUN, ("open", command)))
        title = ("This python.org Python has no CA certificates yet (\"Install Certificates\" was "
                 "never run), so weight downloads fail with CERTIFICATE_VERIFY_FAILED")
    else:
        title = ("The interpreter's OpenSSL finds no CA certificates, so weight downloads fail "
                 "with CERTIFICATE_VERIFY_FAILED")
        fix.append(FixStep("Install the operating system's CA certificates (e.g. the "
                           "ca-certificates package)", StepKind.MANUAL))
    if certifi is not None:
        fix.append(FixStep("Or point OpenSSL at certifi's bundle", StepKind.ENV,
                           ("export", f"SSL_CERT_FILE=$({facts.interpreter.executable or 'python'}"
                                      " -m certifi)")))
    yield finding("weights-download-ssl", title, evidence=evidence, fix=fix)



# what the first bytes of a model file are, said of a file that is not the format its name says
_STARTS_WITH = {"hdf5": "an HDF5 signature", "zip": "a zip header",
                "other": "neither an HDF5 signature nor a zip header"}

_NOT_THE_MODEL = {
    "git-lfs-pointer": "is a Git LFS pointer, not the model (the repository was cloned without "
                       "git-lfs)",
    "html": "is an HTML page saved under the model's name (a sharing page or an error page "
            "instead of the file)",
    "empty": "is empty (a download that never started)",
}


@check(name="working-directory-models", area="weights",
       causes=["downloaded-weights-file-corrupt"],
       ok="Every model file in the working directory is the format its name says")
def working_directory_models(ctx: CheckContext) -> Iterator[Finding]:
    """The `.h5` / `.hdf5` / `.keras` files beside the user's scripts, judged by their bytes;
    the files of Keras's own download cache are the `weights-cache` check's."""
    config = ctx.facts.config
    if config is None:
        raise SkipCheck("no working directory for this target")
    for model in config.model_files:
        is_keras = model.path.endswith(".keras")
        expected = "zip" if is_keras else "hdf5"
        problem: Optional[str] = _NOT_THE_MODEL.get(model.content)
        evidence = {"path": model.path, "size_bytes": model.size_bytes, "content": model.content}
        if problem is None and model.content != expected:
            problem = (f"is not {'a zip archive' if is_keras else 'an HDF5 file'} (it starts with "
                       f"{_STARTS_WITH.get(model.content, _STARTS_WITH['other'])})")
        elif problem is None and model.hdf5_end is not None and model.size_bytes < model.hdf5_end:
            problem = (f"is truncated: {model.size_bytes} of the {model.hdf5_end} bytes its HDF5 "
                       "superblock declares (an interrupted download)")
            evidence["declared_bytes"] = model.hdf5_end
        elif problem is None and model.zip_complete is False:
            problem = "is truncated: the zip archive has no end record (an interrupted download)"
        if problem is None:
            continue
        yield finding(
            "downloaded-weights-file-corrupt",
            f"{model.path} {problem}",
            evidence=evidence,
            fix=[FixStep(f"Fetch {model.path} again (`git lfs pull` in the clone, or the direct "
                         "download link) and compare its size with the published one",
                         StepKind.MANUAL)],
        )
