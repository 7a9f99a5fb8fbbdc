"""A package that checks for a dependency before it runs, and names the missing one.

deepface and retinaface (serengil/deepface, serengil/retinaface: commons/package_utils.py,
`validate_for_keras3`) try `import tf_keras` when TensorFlow is 2.16 or newer and raise
`ValueError: You have tensorflow X and this requires tf-keras package` when it is not there. The
message is a ValueError with no `No module named` in it: without its own signature explain fell
back to what bare ValueErrors most often meant and told the user to install an unrelated package.
"""

from __future__ import annotations

from keras_doctor.explain import explain_text
import corpus


def test_deepface_check_names_tf_keras_as_the_missing_distribution():
    text = corpus.case("heygenclone-26-tf216-needs-tf-keras")["text"]
    finding = explain_text(text).findings[0]
    assert finding.cause == "missing-dependency"
    assert finding.evidence["module"] == "tf-keras"
    assert finding.confidence >= 0.5
    commands = " ".join(" ".join(step.command or ()) for step in finding.fix)
    assert "tf-keras" in commands and "h5py" not in commands


def test_transformers_keras3_refusal_stays_legacy_code():
    # transformers says the installed Keras 3 is not supported (modeling_tf_utils.py): the code
    # is Keras 2 code meeting Keras 3, named by the same package, tf-keras, as the way out
    text = ("ValueError: Your currently installed version of Keras is Keras 3, but this is not yet "
            "supported in Transformers. Please install the backwards-compatible tf-keras package "
            "with `pip install tf-keras`.")
    assert explain_text(text).findings[0].cause == "keras3-legacy-code"
