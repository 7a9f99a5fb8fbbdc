"""The Mac scenario suite's states, each with its truth and the evidence for it.

A state is a base environment (wheelhouse.BASES: what one `pip install` gives on that Mac) with
distributions forced on top the way users break environments (`pip install --no-deps X==V`, an
upgrade of one package), laid out from the real macOS wheels. Interpreter situations no folder can
show (Rosetta, a universal2 interpreter started as x86_64, an interpreter upgraded in place) are
stated in the facts, as `keras-doctor facts` on that Mac would report them.

`causes` are the findings at warning or error the state must produce (nothing else at those
levels); `changes` is exactly what the plan may change: {name: new version, or None to remove};
a version of "*" accepts whatever the resolver picks, when the evidence fixes only the name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

# Keras 3's own dependencies beyond TensorFlow 2.15's, at the versions uv resolves for TF 2.16:
# `pip install keras==3.5.0` over TensorFlow 2.15 brings them.
KERAS3_DEPS = {"namex": "0.1.0", "optree": "0.20.0", "rich": "15.0.0",
               "markdown-it-py": "4.3.0", "mdurl": "0.1.2", "pygments": "2.21.0"}


@dataclass(frozen=True)
class Scenario:
    name: str
    base: str
    causes: Tuple[str, ...]
    changes: Dict[str, Optional[str]]
    evidence: str
    forced: Dict[str, str] = field(default_factory=dict)
    removed: Tuple[str, ...] = ()
    interpreter: Optional[str] = None  # see test_mac_scenarios.INTERPRETERS
    python: Optional[str] = None  # the interpreter's Python when it differs from the tree's
    machine_pythons: Tuple[str, ...] = ()  # native interpreters a new environment may use
    kind: str = "in-place"  # "in-place" | "advice" | "new-env"


SCENARIOS = [
    # -- tensorflow-macos 2.9-2.12 + metal 0.5-0.8: the era of the classic M1 advice ------------
    Scenario("tfm-2.9-as-resolved-numpy-2", "tfm-2.9", ("numpy-abi-mismatch",),
             {"numpy": "*"},
             "tensorflow-macos 2.9.2 declares no numpy cap, so uv resolves numpy 2.2.6 for it; it "
             "is a NumPy 1 build (numpy_abi.json), so `import tensorflow` fails. Only numpy "
             "moves; metal 0.5.0 is Apple's pairing for 2.9 and stays."),
    Scenario("tfm-2.12-healthy", "tfm-2.12", (), {},
             "tensorflow-macos 2.12.0 + tensorflow-metal 0.8.0 + keras 2.12.0: Apple's pairing for "
             "TF 2.12, as uv resolves it. tensorflow has no macOS arm64 wheel before 2.13, so the "
             "plan must keep tensorflow-macos (it used to map it to tensorflow==2.12.0: "
             "unresolvable)."),
    Scenario("tfm-2.12-metal-0.5", "tfm-2.12-py310", ("metal-plugin-mismatch",),
             {"tensorflow-metal": "0.8.0"},
             "metal 0.5.0 fails to link against tensorflow-macos 2.12.0 (verdicts from the "
             "binaries). 0.8.0 is Apple's pairing and links too; 1.2.0 also links but only a "
             "static check says so: Apple's pairing is preferred. (`pip install "
             "tensorflow-metal==0.5.0` also takes six down to 1.15, which 0.5.0 pins.)",
             forced={"tensorflow-metal": "0.5.0", "six": "1.15.0"}),
    Scenario("tfm-2.12-keras-2.13", "tfm-2.12", ("keras-tf-version-skew",), {"keras": "2.12.0"},
             "tensorflow-macos 2.12.0 requires keras<2.13,>=2.12.0; keras 2.13.1 is newer: keras "
             "moves down to 2.12 (it was labelled keras3-required).",
             forced={"keras": "2.13.1"}),
    Scenario("tfm-2.12-numpy-2", "tfm-2.12", ("numpy-abi-mismatch",), {"numpy": "1.23.5"},
             "tensorflow-macos 2.12.0 requires numpy<1.24,>=1.22; numpy 2.1.3 forced with "
             "--no-deps. The installed 1.23.5 comes back; metal and keras stay.",
             forced={"numpy": "2.1.3"}),
    # -- 2.13-2.15: the `tensorflow` shim that pulls in tensorflow-macos ------------------------
    Scenario("tf-2.13-shim-healthy", "tf-2.13", (), {},
             "tensorflow 2.13.0's arm64 wheel is a shim requiring tensorflow-macos 2.13.0; metal "
             "1.0.0 is Apple's pairing. tensorflow-macos is installed on purpose here: no "
             "deprecation finding, nothing to change."),
    Scenario("tf-2.13-keras-2.15", "tf-2.13", ("keras-tf-version-skew",), {"keras": "2.13.1"},
             "TF 2.13 requires keras<2.14,>=2.13.1; keras 2.15.0 fails at import "
             "(SymbolAlreadyExposedError). Keras moves down; it was labelled keras3-required.",
             forced={"keras": "2.15.0"}),
    Scenario("tf-2.15-shim-healthy", "tf-2.15", (), {},
             "tensorflow 2.15.0 (shim) + tensorflow-macos 2.15.0 + metal 1.1.0 + keras 2.15.0."),
    Scenario("tf-2.15-keras-3", "tf-2.15", ("keras-tf-version-skew",), {"keras": "2.15.0"},
             "Keras 3.5 over TF 2.15 imports, builds and runs models (Keras 3 supports TF 2.15 "
             "as its backend) against TF's declared keras<2.16: a warning naming the conflict; "
             "the plan restores keras 2.15.0.",
             forced={"keras": "3.5.0", **KERAS3_DEPS}),
    Scenario("tfm-2.15.1-installs-nothing", "tf-2.15", ("deprecated-distribution",),
             {"tensorflow-macos": None, "tensorflow": "2.15.1", "ml-dtypes": "*"},
             "`pip install -U tensorflow-macos` over 2.15.0 installs tensorflow-macos 2.15.1, "
             "which is metadata only and requires itself: no TensorFlow code is left. The "
             "replacement is tensorflow 2.15.1, the first real arm64 `tensorflow` build; it "
             "requires ml-dtypes~=0.3.1 where 2.15.0 had ~=0.2.0, so ml-dtypes moves too.",
             forced={"tensorflow-macos": "2.15.1"}, removed=("tensorflow",)),
    # -- 2.16+: tensorflow + tensorflow-metal 1.x, Keras 3 ----------------------------------------
    Scenario("tf-2.16-healthy", "tf-2.16", (), {},
             "tensorflow 2.16.2 + metal 1.1.0 (Apple's row for 2.14-2.18, links) + keras 3."),
    Scenario("tf-2.16-metal-1.2", "tf-2.16", (), {},
             "metal 1.2.0 links against TF 2.16.2 too (verdicts): a working plugin stays even "
             "though Apple's table names 1.1.0.",
             forced={"tensorflow-metal": "1.2.0"}),
    Scenario("tfm-2.16-shim", "tf-2.16", ("deprecated-distribution",),
             {"tensorflow-macos": None},
             "tensorflow-macos 2.16.2 is a shim that pulls in tensorflow 2.16.2: only the shim "
             "goes; TensorFlow, metal and Keras stay.",
             forced={"tensorflow-macos": "2.16.2"}),
    Scenario("tf-2.16-numpy-2", "tf-2.16", ("numpy-abi-mismatch",), {"numpy": "1.26.4"},
             "TF 2.16.2 requires numpy<2.0.0,>=1.23.5; numpy 2.1.3 forced. The fix must not "
             "touch the working metal 1.1.0 (it used to swap it for 1.2.0).",
             forced={"numpy": "2.1.3"}),
    Scenario("tf-2.16-keras-2", "tf-2.16", ("keras3-required",), {"keras": "*"},
             "TF 2.16 requires keras>=3.0.0 (tf.keras is Keras 3); keras 2.15.0 forced.",
             forced={"keras": "2.15.0"}),
    Scenario("tf-2.16-tf-keras-2.17", "tf-2.16", ("keras-tf-version-skew",),
             {"tf-keras": "2.16.0"},
             "tf-keras 2.17.0 requires tensorflow<2.18,>=2.17; TF 2.16 imports and runs (tf.keras "
             "is Keras 3 until TF_USE_LEGACY_KERAS is set): a warning whose fix is the matching "
             "tf-keras, not another TensorFlow.",
             forced={"tf-keras": "2.17.0"}),
    Scenario("tf-2.18-metal-1.1", "tf-2.18", ("metal-plugin-mismatch",),
             {"tensorflow-metal": "1.2.0"},
             "metal 1.1.0 with TF 2.18 fails at import (Symbol not found: "
             "__ZN3tsl8internal10LogMessageC1EPKcii; verdicts and public reports) although "
             "Apple's table pairs them; 1.2.0 links."),
    Scenario("metal-without-tensorflow", "tf-2.16", ("metal-plugin-mismatch",),
             {"tensorflow": "2.17.1", "tensorboard": "2.17.1"},
             "`pip uninstall tensorflow` left tensorflow-metal 1.1.0, which nothing loads. Its "
             "finding asks for a TensorFlow: the newest it loads with is 2.17.1 (verdicts; 2.18 "
             "fails to link); only tensorboard moves with it, and Keras 3 stays.",
             removed=("tensorflow",)),
    # -- Intel Macs --------------------------------------------------------------------------------
    Scenario("intel-tf-2.16-healthy", "tf-2.16-intel", (), {},
             "TF 2.16.2 is the last release with Intel-Mac wheels; an x86_64 Mac with AVX."),
    Scenario("intel-tf-2.16-numpy-2", "tf-2.16-intel", ("numpy-abi-mismatch",),
             {"numpy": "1.26.4"}, "numpy 2.1.3 forced onto the Intel build.",
             forced={"numpy": "2.1.3"}),
    # -- Interpreters (stated in the facts) -------------------------------------------------------
    Scenario("universal2-started-under-rosetta", "tf-2.16", ("rosetta-python",), {},
             "A universal2 python.org interpreter started as x86_64 (a Rosetta terminal) over a "
             "correct arm64 environment: one finding whose step is `arch -arm64`; judged as "
             "x86_64 it used to get 16 reinstall errors that would break it.",
             interpreter="universal2-translated", kind="advice"),
    Scenario("x86-python-under-rosetta-arm64-tf", "tf-2.16",
             ("rosetta-python", "mixed-arch-binary", "no-wheel-for-platform",
              "wheel-tag-mismatch"), {},
             "An x86_64-only interpreter (Intel Homebrew) under Rosetta with an arm64 TF tree: "
             "the arm64 binaries and wheels cannot load in it, and tensorflow-metal 1.1.0 has no "
             "x86_64 build. No cpu-lacks-avx: TF here is not an x86_64 build. A new arm64 "
             "environment is the fix (nothing in place can help).",
             interpreter="x86-translated", machine_pythons=("3.11",), kind="new-env"),
    Scenario("x86-python-under-rosetta-intel-tf", "tf-2.16-intel",
             ("rosetta-python", "cpu-lacks-avx"), {},
             "An Intel environment under Rosetta on macOS 14 (no AVX emulated): the x86_64 TF "
             "needs AVX. A new arm64 environment keeps TF 2.16.2.",
             interpreter="x86-translated", machine_pythons=("3.11",), kind="new-env"),
    Scenario("metal-env-on-python-3.13", "tf-2.16",
             ("no-wheel-for-python", "wheel-tag-mismatch"), {},
             "The venv's interpreter was upgraded in place to 3.13: every cp311 wheel in it is "
             "unusable, and neither TF 2.16.2 nor any tensorflow-metal has a 3.13 wheel. Of "
             "Pythons 3.13 and 3.11 on the machine the new environment must use 3.11 (it used to "
             "advise 3.13, which has no metal).",
             python="3.13", machine_pythons=("3.13", "3.11"), kind="new-env"),
]
