"""`keras-doctor explain`: from a pasted error to its cause, the evidence and the fix.

    from keras_doctor.explain import explain_text
    report = explain_text(traceback_text)            # text only
    report = explain_text(traceback_text, facts)     # refined with an environment snapshot

The signatures are data (`knowledge/signatures.json`, each tied to a cause and to the public reports
it was learned from); this package cleans the text, matches them, resolves what they extracted
(Keras names against the knowledge base when it is available) and ranks the causes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from keras_doctor.facts.model import Facts
    from keras_doctor.findings import Report


def explain_text(text: str, facts: Optional[Facts] = None, knowledge: Any = None) -> Report:
    """Explain an error text; findings are ranked most likely first, each with a `confidence`."""
    from keras_doctor.explain.engine import explain

    return explain(text, facts=facts, knowledge=knowledge)


__all__ = ["explain_text"]
