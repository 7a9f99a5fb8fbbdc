"""Real tuning reports of the decisions the knowledge now makes, each named first.

Regression guards, not a measure (the knowledge was tuned on them; the held-out benchmark
measures): for each decision, reports on both of its sides, by id in tests/explain/corpus/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus

from keras_doctor.explain.engine import hypotheses

DECISIONS = {
    "wheel: platform": ["tf-60256-m1-only-213-on-pypi",
                        "brain-encoding-6-m1-tf262-from-versions-none",
                        "samformer-2-tensorflow-macos-from-versions-none",
                        "facial-animation-4-tensorflow-cpu-m1"],
    "wheel: python": ["open-eye-detector-15-tf1131-on-py39", "tf-79349-windows-py313-no-tensorflow",
                      "aging-time-lapse-3-tf213-only-220-available",
                      "tf-115652-colab-py312-tf213"],
    "another interpreter": ["jupyter-notebook-3451-two-pythons",
                            "jupyter-notebook-2120-kernel-other-python",
                            "jupyter-359-anaconda-kernel-vs-python-org"],
    "missing package": ["helioml-35-binder-no-tensorflow", "jetson-car-5-no-h5py"],
    "rosetta": ["tf-45323-m1-tf22", "tf-46178-m1-illegal-hardware-instruction-pip",
                "tf-45645-m1-anaconda-x86-illegal-instruction"],
    "no avx": ["tf-62342-celeron-no-avx", "tf-46496-q9650-no-avx"],
    "moved by keras 2": ["traffic-surveillance-10-no-module-keras-layers-merge",
                         "keras-yolo2-27-adam-keras27"],
    "removed by keras 3": ["diploshic-55-imagedatagenerator", "genai-mastery-4-preprocessing-text"],
    "keras 2 too old": ["keras-tuner-448-preprocessing-randomrotation"],
    "numpy newer than the code": ["goes-3-np-object-numpy-1244", "mbllen-13-h5py3-decode"],
}


@pytest.mark.parametrize("case_id", [i for ids in DECISIONS.values() for i in ids])
def test_the_report_is_answered_with_its_confirmed_cause(case_id):
    case = next(c for c in corpus.load() if c["id"] == case_id)
    assert [h.cause for h in hypotheses(case["text"])[1]][:1] == [case["cause"]]
