"""Which add-on registers a TensorFlow op that an error says this process lacks.

`Op type not registered 'CaseFoldUTF8' in binary running on …` names an op no library loaded so
far has registered. TensorFlow's own register as it starts; an add-on's (tensorflow-text's
`CaseFoldUTF8`, TensorFlow Addons' `Addons>…`, Decision Forests' `SimpleML…`) only once its
package is imported. `knowledge/data/custom_ops.json` (built from the add-ons' wheels by
`knowledge.build.custom_ops`) says which add-on registers which op. Read directly, like the TF1 API
table, because the knowledge package costs more to import than an explanation.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from keras_doctor.explain import datafiles

DATA = datafiles.DATA / "custom_ops.json"


def load() -> Dict[str, Any]:
    return datafiles.read(DATA)


def registered_by(op: str) -> Optional[Dict[str, str]]:
    """{"distribution", "module", "releases"} of the add-on whose wheels register `op` (the first
    by name when several do), None when no add-on read registers it."""
    table = load()
    owners = table.get("ops", {}).get(op)
    if not owners:
        return None
    distribution = sorted(owners)[0]
    releases = owners[distribution]
    return {"distribution": distribution,
            "module": table["add_ons"][distribution]["import"],
            "releases": releases[0] if len(releases) == 1 else f"{releases[0]} … {releases[-1]}"}


def source() -> str:
    return datafiles.first_source(load(), DATA)
