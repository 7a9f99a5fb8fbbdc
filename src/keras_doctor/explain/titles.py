"""Finding titles: the cause's summary plus the one detail that identifies this occurrence."""

from __future__ import annotations

from keras_doctor.explain.fixkit import Evidence, one, shadow_path


def title(cause: str, evidence: Evidence) -> str:
    from keras_doctor import causes

    summary = causes.CATALOG[cause].summary
    detail = _detail(cause, evidence)
    return f"{summary} ({detail})" if detail else summary


def _detail(cause: str, e: Evidence) -> str:
    if cause == "mixed-arch-binary" and e.get("have"):
        return f"have {one(e, 'have')}, need {one(e, 'need')}"
    if cause in (
        "keras3-removed-api",
        "keras-api-moved",
        "package-too-old-for-api",
        "keras3-legacy-code",
    ) and e.get("name"):
        return f"`{one(e, 'name')}` from `{one(e, 'module')}`"
    if cause == "numpy-abi-mismatch" and e.get("numpy_version"):
        return f"NumPy {one(e, 'numpy_version')}"
    if cause == "shadowed-module" and e.get("module"):
        return shadow_path(e) or one(e, "module")
    if cause == "missing-dependency" and e.get("module"):
        return one(e, "path") or one(e, "module")
    if cause == "keras-backend-unavailable" and e.get("backend"):
        return f"backend {one(e, 'backend')}"
    if cause == "macos-too-old" and e.get("symbol"):
        return f"symbol {one(e, 'symbol')}"
    if cause == "pinned-release-unavailable" and e.get("requirement"):
        later = one(e, "published_later")
        return f"{one(e, 'requirement')}{', published only on ' + later if later else ''}"
    if cause == "network-unreachable" and e.get("reason"):
        where = one(e, "host") or one(e, "url") or one(e, "download")
        return f"{one(e, 'reason')}{' on ' + where if where else ''}"
    return ""
