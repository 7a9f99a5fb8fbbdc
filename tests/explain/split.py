"""Which error reports may tune explain, and which only measure it: a split by source repository.

Accuracy measured on reports from the repositories the signatures were written from measures
memory, not generalisation. So the split is by repository, decided by a rule fixed before any
tuning against it: a report is **held out** when its thread lives in a GitHub repository that no
tuning report and no signature source had cited when the rule was written (`SEEN_AT_SPLIT`), and
whose name hashes even. Held-out reports live in `tests/explain/heldout/` and are read only by the
scorer, which prints aggregate figures and cause-level confusion counts, never a report.

Everything else (the repositories below, odd-hashing ones, sources outside GitHub) may tune.
"""

from __future__ import annotations

import hashlib
import re
from typing import Optional

SEEN_AT_SPLIT = frozenset({
    "aimacode/aima-python",
    "amansavaria1402/tablenet",
    "apple/tensorflow_macos",
    "cameronbodine/pingmapper",
    "cbrnr/sleepecg",
    "chaquo/chaquopy",
    "datacanvasio/deeptables",
    "datlife/jetson-car",
    "decryptr/decryptr",
    "divamgupta/image-segmentation-keras",
    "entbappy/generative-ai-mastery-resources",
    "f0cal/google-coral",
    "fastai/courses",
    "geekcomputers/python",
    "googlecolab/colabtools",
    "googlecreativelab/teachablemachine-community",
    "ibm/deep-learning-language-model",
    "kellylab/viral-protein-function-plm",
    "keras-team/autokeras",
    "keras-team/keras",
    "keras-team/keras-applications",
    "keras-team/keras-core",
    "keras-team/keras-hub",
    "kichangkim/deepdanbooru",
    "kr-colab/diploshic",
    "liangyu-xidian/epsol",
    "lukas/ml-class",
    "markus-perl/ffmpeg-build-script",
    "mattdesl/canvas-sketch",
    "matterport/mask_rcnn",
    "microsoftdocs/windows-ai-docs",
    "neuralnetworkverification/verix",
    "nicgian/sentita",
    "nicknochnack/tfodcourse",
    "nv-tlabs/vipe",
    "onnx/ir-py",
    "onnx/tensorflow-onnx",
    "protocolbuffers/protobuf",
    "rstudio/keras3",
    "rstudio/tensorflow",
    "sixfab/sixfab_ppp_installer",
    "ta-lib/ta-lib-python",
    "tensorflow/hub",
    "tensorflow/models",
    "tensorflow/tensorflow",
    "tensorflow/tfjs",
    "trailbehind/deeposm",
    "unicode-org/lstm_word_segmentation",
    "zepen/predict_lottery_ticket",
    "zeta36/tensorflow-tex-wavenet",
    "zfturbo/classification_models_3d",
})

_GITHUB = re.compile(r"https?://github\.com/([^/]+/[^/#?]+)", re.IGNORECASE)


def repository(source_url: str) -> Optional[str]:
    """`owner/name` of a GitHub thread, lower-cased; None for any other source."""
    match = _GITHUB.match(source_url)
    return match.group(1).lower().removesuffix(".git") if match else None


def is_held_out_repository(repo: Optional[str]) -> bool:
    if repo is None or repo in SEEN_AT_SPLIT:
        return False
    return int(hashlib.sha1(repo.encode()).hexdigest(), 16) % 2 == 0


def is_held_out(source_url: str) -> bool:
    return is_held_out_repository(repository(source_url))
