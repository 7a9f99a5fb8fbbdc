"""TensorFlow 1 code under TensorFlow 2: decided by what the wheels' public API holds.

A name only TensorFlow 1.x exposes (`tf.placeholder`, `tf.train.AdamOptimizer`,
`keras.backend.get_session`, the `tensorflow.contrib` package) is `tf1-api-under-tf2`; a name
TensorFlow 2 still has, or one no TensorFlow ever had, is something else. Both sides are tested,
on the generated table, on real reports and with facts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
import corpus
from factories import dist, mac_facts

from keras_doctor.explain import explain_text, tf1
from keras_doctor.explain.engine import hypotheses
from keras_doctor.knowledge.build.tf_api import bound_names

CAUSE = "tf1-api-under-tf2"


def causes_of(text: str) -> list:
    return [h.cause for h in hypotheses(text)[1]]


def attribute_error(module: str, name: str) -> str:
    return (
        "Traceback (most recent call last):\n"
        '  File "/home/ada/project/train.py", line 12, in <module>\n'
        f"    x = {module}.{name}\n"
        f"AttributeError: module '{module}' has no attribute '{name}'"
    )


# -- the generated table -------------------------------------------------------------------------


def test_the_table_is_read_from_tf1_and_tf2_wheels():
    data = tf1.load()
    assert data["sampled"]["1.x"][-1] == "1.15.5" and data["sampled"]["2.x"][0] == "2.0.0"
    assert all(v.startswith("2.") for v in data["sampled"]["2.x"])
    assert all(f"tensorflow-{v}-" in data["wheels"][v] for v in data["wheels"])
    top = data["namespaces"]["tensorflow"]
    for name in ("placeholder", "Session", "get_default_graph", "ConfigProto", "contrib",
                 "variable_scope", "global_variables_initializer", "app", "logging"):
        assert name in top["tf1_only"], name
    for name in ("keras", "function", "compat", "random", "Variable", "constant"):
        assert name in top["tf2"] and name not in top["tf1_only"], name
    assert data["namespaces"]["tensorflow.keras.backend"]["tf1_only"] == ["get_session",
                                                                          "set_session"]
    assert "AdamOptimizer" in data["namespaces"]["tensorflow.train"]["tf1_only"]
    assert "tensorflow.contrib" in data["tf1_only_packages"]
    assert data["sources"]


def test_static_reading_binds_imports_assignments_setattr_and_forgets_deletions():
    source = (b"from tensorflow.python.ops.array_ops import placeholder\n"
              b"from tensorflow._api.v1 import app as app\n"
              b"import os as _os\n"
              b"contrib = LazyLoader('contrib', globals(), 'tensorflow.contrib')\n"
              b"setattr(_current_module, 'flags', flags)\n"
              b"try:\n  from tensorflow.python import keras\nexcept ImportError:\n  pass\n"
              b"python = 1\ndel python\n")
    assert bound_names(source) == {"placeholder", "app", "contrib", "flags", "keras"}


@pytest.mark.parametrize("module, expected", [
    ("tensorflow", "tensorflow"), ("tf", "tensorflow"), ("tensorflow_core", "tensorflow"),
    ("tensorflow._api.v2.train", "tensorflow.train"),
    ("tensorflow_core._api.v2.train", "tensorflow.train"),
    ("keras.backend", "tensorflow.keras.backend"),
    ("tensorflow.keras.backend", "tensorflow.keras.backend"),
    ("tensorflow.contrib.slim", "tensorflow.contrib.slim"),
])
def test_the_module_an_error_names_maps_to_the_table_namespace(module, expected):
    assert tf1.namespace_of(module) == expected


# -- both sides of the decision, for every name the table holds -----------------------------------


def test_every_tf1_only_top_level_name_is_tf1_code_first():
    names = tf1.load()["namespaces"]["tensorflow"]["tf1_only"]
    wrong = [n for n in names if causes_of(attribute_error("tensorflow", n))[:1] != [CAUSE]]
    assert len(names) > 300 and wrong == []


def test_no_name_tensorflow_2_has_is_blamed_on_tf1_code():
    names = tf1.load()["namespaces"]["tensorflow"]["tf2"]
    wrong = [n for n in names if CAUSE in causes_of(attribute_error("tensorflow", n))]
    assert len(names) > 250 and wrong == []
    assert {tf1.attribute("tensorflow", n) for n in names} == {"tf2"}


@pytest.mark.parametrize("name", ["placeholders", "Sesion", "get_default_graphs"])
def test_a_name_no_tensorflow_has_is_not_tf1_code(name):
    assert tf1.attribute("tensorflow", name) == "neither"
    assert CAUSE not in causes_of(attribute_error("tensorflow", name))


def test_a_tf1_answer_names_the_releases_that_have_the_name():
    """A real report: the evidence says which TensorFlow releases have the name (those the table
    was read from) and what TensorFlow 2 calls it."""
    report = explain_text(corpus.case("tf-30978-get-default-graph-tf20")["text"])
    first, last = tf1.load()["sampled"]["1.x"][0], tf1.load()["sampled"]["1.x"][-1]
    evidence = report.findings[0].evidence
    assert report.findings[0].cause == CAUSE
    assert evidence["only_in"] == f"tensorflow {first} … {last} (sampled), no 2.x"
    assert evidence["replacement"] == "tf.compat.v1.get_default_graph"


@pytest.mark.parametrize("module, name, tf1_code", [
    ("tensorflow._api.v2.train", "AdamOptimizer", True),
    ("tensorflow._api.v2.train", "Checkpoint", False),
    ("tensorflow._api.v2.summary", "FileWriter", True),
    ("tensorflow._api.v2.summary", "scalar", False),
    ("tensorflow._api.v2.nn", "dynamic_rnn", True),
    ("tensorflow._api.v2.nn", "relu", False),
])
def test_tf1_names_of_submodules(module, name, tf1_code):
    assert (causes_of(attribute_error(module, name))[:1] == [CAUSE]) == tf1_code


@pytest.mark.parametrize("module, name, tf1_code", [
    ("keras.backend", "get_session", True),
    ("tensorflow.keras.backend", "set_session", True),
    ("keras.backend", "clear_session", False),
])
def test_keras_backend_sessions(module, name, tf1_code):
    assert (causes_of(attribute_error(module, name))[:1] == [CAUSE]) == tf1_code


@pytest.mark.parametrize("module, tf1_code", [
    ("tensorflow.contrib", True), ("tensorflow.contrib.slim", True),
    ("tensorflow.examples.tutorials.mnist", True), ("tensorflow.keras", False),
])
def test_packages_only_tensorflow_1_ships(module, tf1_code):
    text = f"ModuleNotFoundError: No module named '{module}'"
    assert (causes_of(text)[:1] == [CAUSE]) == tf1_code


def test_old_standalone_keras_calling_tf1_names_is_a_keras_too_old_for_tf2():
    """Keras <= 2.3 itself calls the TF1 API: the installed pair is the problem, TF1 code second."""
    text = (
        '  File "/usr/local/lib/python3.6/dist-packages/keras/backend/tensorflow_backend.py", '
        "line 190, in get_session\n    default_session = tf.get_default_session()\n"
        "AttributeError: module 'tensorflow' has no attribute 'get_default_session'"
    )
    assert causes_of(text)[:2] == ["keras-tf-version-skew", CAUSE]


def test_the_fix_names_the_compat_v1_replacement_and_the_python_tf1_needs():
    finding = explain_text(attribute_error("tensorflow", "placeholder")).findings[0]
    steps = " ".join(step.description for step in finding.fix)
    assert "tf.compat.v1.placeholder" in steps and "disable_v2_behavior" in steps
    assert "3.6 and 3.7" in steps
    contrib_error = "ModuleNotFoundError: No module named 'tensorflow.contrib'"
    contrib = explain_text(contrib_error).findings[0]
    assert "no TensorFlow 2 copy" in contrib.fix[0].description


# -- real reports ----------------------------------------------------------------------------------


# Reports added after these rules were written that they did not name first when added (measured,
# not tuned): a TF1 call named in prose. Each must leave once named first (the error quoted with a
# stray Markdown backtick, pu-gan-30, left when CPython's message was read through it).
# (the sixth collection pass's `tf.Session` report, whose title retells the error without
# CPython's quotes, left when that wording was read)
# The seventh pass added one, measured as it came; the eleventh four (one whose text holds no
# error at all, its `tf.contrib` error in the title alone); the twelfth two; the eighteenth one;
# the twenty-first two (Colab refusing `%tensorflow_version 1.x`, in its own words; they and
# stylegan2-ada-31 left when Colab's message was read from its source). Colab's template saying
# in words that tensorflow.contrib does not exist left when a TensorFlow 1 module named in a
# failure told in words was read as TensorFlow 1 code.
NOT_YET_NAMED_FIRST = frozenset({"deepface-143-api-get-default-graph-tf22",
                                 "semantic-embeddings-7-tf18-keras-model-under-tf2",
                                 "gain-pr24-tf2-no-placeholder",
                                 "imageai-373-session-graph-empty-tf2",
                                 "deepchem-1790-colab-tf2-update-newcheckpointreader",
                                 "tslearn-251-tf1-shapelets-under-tf21",
                                 "tensorflow-yolo-v3-97-tf-contrib-tf2",
                                 "deepchem-1880-dc230-under-tf2-newcheckpointreader",
                                 "kashgari-355-colab-tf2-no-get-file",
                                 "rtensorflow-369-use-session-with-seed-tf2",
                                 "tf-hub-471-colab-tf21-elmo-hub-module-eager"})


def test_real_reports_of_tf1_code_under_tf2_are_named_first():
    cases = [c for c in corpus.load() if c["cause"] == CAUSE]
    assert len(cases) >= 10
    wrong = {c["id"] for c in cases if causes_of(c["text"])[:1] != [CAUSE]}
    assert wrong == NOT_YET_NAMED_FIRST, "named first now? remove it from NOT_YET_NAMED_FIRST"


# -- with the environment --------------------------------------------------------------------


@pytest.mark.parametrize("installed, confirmed", [("2.16.2", True), ("1.15.5", False)])
def test_the_installed_tensorflow_confirms_or_rules_out_tf1_code(installed, confirmed):
    facts = mac_facts(distributions=[dist("tensorflow", installed)])
    text = attribute_error("tensorflow", "Session")
    alone = next(f for f in explain_text(text).findings if f.cause == CAUSE)
    refined = [f for f in explain_text(text, facts).findings if f.cause == CAUSE]
    if confirmed:
        assert refined[0].confidence > alone.confidence
        assert explain_text(text, facts).findings[0].cause == CAUSE
        assert refined[0].evidence["installed_here"] == f"tensorflow {installed}"
    else:
        assert not refined or refined[0].confidence < alone.confidence


@pytest.mark.parametrize("installed", ["2.16.2", "1.15.5"])
def test_only_a_tf1_name_the_text_read_is_confirmed_or_ruled_out_by_the_installed_tensorflow(
        installed):
    """The ranker may guess TensorFlow 1 code from the kind of error alone (`No module named
    'tensorflow.python'`, a name every TensorFlow has): every environment with a TensorFlow 2
    would 'confirm' it. Only a candidate the text tied to a TensorFlow 1 name is."""
    from keras_doctor.explain import calibrate, refine
    from keras_doctor.explain.hypothesis import Hypothesis

    facts = mac_facts(distributions=[dist("tensorflow", installed)])
    guessed = Hypothesis(CAUSE, weights=[0.3], signatures=[calibrate.LEARNED])
    assert refine.tensorflow_generation([(guessed, 0.01)], facts) == [(guessed, 0.01)]
    (_, read), *_ = [(h, s) for h, s in refine.tensorflow_generation(
        [(Hypothesis(CAUSE, weights=[0.3], signatures=[calibrate.LEARNED],
                     evidence={"name": "Session"}), 0.3)], facts) if h.cause == CAUSE]
    assert read > 0.3 if installed.startswith("2") else read < 0.3
    text = attribute_error("tensorflow", "Session")
    top = next(f for f in explain_text(text, facts).findings if f.cause == CAUSE)
    assert top.evidence.get("installed_here" if installed.startswith("2") else
                            "contradicted_by")


def test_corpus_reports_of_this_cause_cite_their_threads():
    for case in corpus.load():
        if case["cause"] == CAUSE:
            assert case["source_url"].startswith("https://github.com/"), case["id"]
            assert json.dumps(case["notes"]).strip('"'), case["id"]


@pytest.mark.parametrize("text", [
    "RuntimeError: tf.placeholder() is not compatible with eager execution.",
    "RuntimeError: `get_session` is not available when using TensorFlow 2.0.",
    "RuntimeError: The Session graph is empty. Add operations to the graph before calling run().",
])
def test_graph_code_meeting_eager_execution_is_tf1_code(text):
    finding = explain_text(text).findings[0]
    assert finding.cause == CAUSE
    assert "disable_eager_execution" in finding.fix[0].description


@pytest.mark.parametrize("module", ["tensorflow.compat.v1", "tensorflow_core.compat.v1"])
def test_contrib_missing_from_compat_v1_has_no_compat_copy_to_offer(module):
    finding = explain_text(f"AttributeError: module '{module}' has no attribute "
                           "'contrib'").findings[0]
    assert finding.cause == CAUSE and "no TensorFlow 2 copy" in finding.fix[0].description
    other = causes_of(f"AttributeError: module '{module}' has no attribute 'placeholders'")
    assert CAUSE not in other[:1]


def test_a_name_every_tensorflow_has_missing_means_the_module_is_not_tensorflow():
    """The third side: tf.reshape is in every release from 1.13 to today, so a module without it
    is a local tensorflow.py or a half-removed install, not TF1 code nor an old release."""
    every = tf1.load()["namespaces"]["tensorflow"]["every_release"]
    assert {"reshape", "Variable", "GradientTape", "constant"} <= set(every)
    assert not set(every) & set(tf1.load()["namespaces"]["tensorflow"]["tf1_only"])
    wrong = [n for n in every
             if causes_of(attribute_error("tensorflow", n))[:1] != ["shadowed-module"]
             and n != "keras"]  # tf.keras keeps its own reading (TensorFlow before 1.4)
    assert len(every) > 200 and wrong == []


def test_tf1_code_failing_beside_an_installed_tf1_points_at_another_interpreter_then_a_shadow():
    # TensorFlow 1.15 has tf.Session: the code did not run with it, or imported a local copy
    facts = mac_facts(distributions=[dist("tensorflow", "1.15.5")])
    text = attribute_error("tensorflow", "Session")
    alone = next(f for f in explain_text(text).findings if f.cause == CAUSE)
    findings = explain_text(text, facts).findings
    causes = [f.cause for f in findings]
    assert len(causes) == len(set(causes))
    assert causes.index("wrong-interpreter") < causes.index("shadowed-module")
    confidence = {f.cause: f.confidence for f in findings}
    # each is a lead the ruled-out text gives, never surer than the text was of its own cause
    assert confidence["shadowed-module"] < confidence["wrong-interpreter"] < alone.confidence
    interpreter = next(f for f in findings if f.cause == "wrong-interpreter")
    assert interpreter.evidence["installed_here"] == "tensorflow 1.15.5"


TF1_CODE = ('Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n'
            "    sess = tf.Session()\nAttributeError: module 'tensorflow' has no attribute "
            "'Session'\n")


def pip_failed(requirement: str) -> str:
    return (f"$ pip install {requirement}\nERROR: Could not find a version that satisfies the "
            f"requirement {requirement} (from versions: 2.12.0, 2.13.0)\n"
            f"ERROR: No matching distribution found for {requirement}\n")


@pytest.mark.parametrize("requirement, blocked", [
    ("tensorflow==1.15", True),
    ("tensorflow<2", True),
    ("tensorflow-gpu==1.14.0", True),  # any TensorFlow build
    ("tensorflow_gpu==1.14.0", True),
    ("tensorflow==2.1.0", False),  # a TensorFlow 2: the code still needs changing
    ("tensorflow>=1.0", False),  # allows a TensorFlow 2 as well
    ("tensorflow", False),
    ("keras==1.2.2", False),  # not TensorFlow
])
def test_tf1_code_whose_tf1_install_failed_is_blocked_by_the_wheel(requirement, blocked):
    by_cause = {h.cause: h for h in hypotheses(TF1_CODE + pip_failed(requirement))[1]}
    tf1 = by_cause[CAUSE]
    if blocked:
        assert tf1.score <= 0.6 < max(by_cause[c].score for c in ("no-wheel-for-python",
                                                                   "no-wheel-for-platform"))
        assert tf1.against == [f"pip could not install {requirement}, the TensorFlow 1 release "
                               "the code needs: the missing wheel is what blocks it now"]
    else:
        assert tf1.score > 0.6 and tf1.against == []


# -- tf.compat.v1 lost the estimator with the dependency that served it ---------------------------


def test_the_estimator_under_compat_v1_went_with_tensorflow_estimator():
    """TensorFlow 2.15.1 requires tensorflow-estimator and 2.16.1 does not (the release table):
    the estimator it served as tf.compat.v1.estimator went too, a removed API, not a skew."""
    text = next(c for c in corpus.load()
                if c["id"] == "tf-models-11252-compat-v1-estimator-tf216")["text"]
    (first, *_) = hypotheses(text)[1]
    assert first.cause == "code-uses-removed-tensorflow-api"
    assert first.evidence["gone_in"] == "tensorflow 2.16.1"
    assert first.evidence["pin"] == "tensorflow<=2.15.1"


def test_the_release_table_shows_the_estimator_dependency_dropped_in_2_16():
    data = Path(tf1.__file__).resolve().parent.parent / "knowledge" / "data"
    table = json.loads((data / "releases" / "tensorflow.json").read_text())["releases"]

    def requires(version):
        return " ".join(" ".join(r["requires_dist"]) for r in table[version]["requires"])

    assert "tensorflow-estimator" in requires("2.15.1")
    assert "tensorflow-estimator" not in requires("2.16.1")


@pytest.mark.parametrize("text", [
    # tf.compat.v2 is TensorFlow 2's own top level: Keras 2.9+ importing dtensor from an older one
    "ImportError: cannot import name 'dtensor' from 'tensorflow.compat.v2.experimental'",
    # a name tf.compat.v1 keeps in every TensorFlow 2 (no dependency served it)
    "ImportError: cannot import name 'get_default_graph' from 'tensorflow.compat.v1'",
])
def test_other_compat_names_are_no_removed_api(text):
    assert hypotheses(text)[1][0].cause != "code-uses-removed-tensorflow-api"


def test_a_markdown_backtick_inside_the_message_still_names_the_module():
    """Pasted into Markdown the message gains an inline-code backtick (`module \\`'tensorflow' has
    no attribute 'contrib'`): still CPython's message about the module `tensorflow`."""
    text = next(c for c in corpus.load() if c["id"] == "pu-gan-30-tf21-no-contrib")["text"]
    (first, *_) = hypotheses(text)[1]
    assert first.cause == "tf1-api-under-tf2"
    assert first.evidence["module"] == "tensorflow"


@pytest.mark.parametrize("table", [{}, {"sampled": {}}, {"sampled": {"1.x": []}}])
def test_a_table_without_tensorflow_1_releases_vouches_for_no_oldest_one(monkeypatch, table):
    monkeypatch.setattr(tf1, "load", lambda: table)
    assert tf1.earliest_sampled() is None


def test_the_oldest_release_the_table_read_is_its_first_tensorflow_1():
    assert tf1.earliest_sampled() == tf1.load()["sampled"]["1.x"][0] == "1.13.1"


CORE_RNN_CELL = ("Using tensorflow {named}:\n"
                 "Traceback (most recent call last):\n"
                 "  File \"model.py\", line 4, in <module>\n"
                 "    from tensorflow.contrib.rnn.python.ops.core_rnn_cell import BasicLSTMCell\n"
                 "ImportError: No module named 'tensorflow.contrib.rnn.python.ops.core_rnn_cell'")


@pytest.mark.parametrize(("named", "first", "second"), [
    # openai/universe-starter-agent#43 (tuning corpus): 0.12.1, the module came with 1.0
    ("0.12.1", "package-too-old-for-api", "dependency-too-new"),
    ("1.13.0", "package-too-old-for-api", "dependency-too-new"),
    # from the first release the table read on, code for an earlier 1.x is likelier
    ("1.13.1", "dependency-too-new", "package-too-old-for-api"),
    ("1.15.5", "dependency-too-new", "package-too-old-for-api"),
])
def test_a_tf1_package_module_missing_under_a_named_tensorflow_1_is_not_tensorflow_2(
        named, first, second):
    ranked = [h for h in hypotheses(CORE_RNN_CELL.format(named=named))[1]]
    assert [h.cause for h in ranked[:2]] == [first, second]
    assert ranked[0].evidence["tensorflow_named"] == named
    assert ranked[0].evidence["package"] == "tensorflow.contrib"
    assert ranked[0].evidence["module"] == "tensorflow.contrib.rnn.python.ops.core_rnn_cell"
    assert ranked[0].evidence["source"] == tf1.source()
    assert "tf1-api-under-tf2" not in [h.cause for h in ranked]


def test_every_tensorflow_1_the_paste_names_is_in_the_evidence():
    first = hypotheses(CORE_RNN_CELL.format(named="0.12.1, then tensorflow 1.0.0"))[1][0]
    assert first.cause == "package-too-old-for-api"
    assert first.evidence["tensorflow_named"] == "0.12.1, 1.0.0"


@pytest.mark.parametrize("text", [
    CORE_RNN_CELL.format(named="2.0.0"),
    CORE_RNN_CELL.format(named="1.14, then tensorflow 2.3"),  # a TensorFlow 2 among them
    CORE_RNN_CELL.replace("Using tensorflow {named}:\n", ""),
    # the package itself missing is a TensorFlow without it, whatever release the prose names
    "ModuleNotFoundError: No module named 'tensorflow.contrib'\n"
    "I read that TF 1.14 moved contrib, and I just installed the most recent version.",
])
def test_a_tf1_package_module_missing_otherwise_is_tensorflow_2(text):
    assert hypotheses(text)[1][0].cause == "tf1-api-under-tf2"


FLAGS = ("Ubuntu 16\nPython 3.5\nTF {named}\n"
         "AttributeError: module 'tensorflow.python.platform.flags' has no attribute "
         "'mark_flag_as_required'")


def test_a_tensorflow_modules_name_missing_under_a_tensorflow_older_than_the_table_is_too_old():
    # google-research/bert#455 (tuning corpus): BERT's flags call under TensorFlow 0.12.0rc0
    first = hypotheses(FLAGS.format(named="0.12.0rc0"))[1][0]
    assert first.cause == "package-too-old-for-api"
    assert first.evidence["name"] == "tf.python.platform.flags.mark_flag_as_required"
    assert first.evidence["first_release"] == "tensorflow 1.13.1 at the latest"
    # a TensorFlow 1 name, too: under 0.11 it is a release before the name, not TensorFlow 2
    session = hypotheses("tensorflow 0.11\nAttributeError: module 'tensorflow' has no attribute "
                         "'global_variables_initializer'")[1][0]
    assert session.cause == "package-too-old-for-api"
    assert session.evidence["name"] == "tf.global_variables_initializer"


@pytest.mark.parametrize("named", ["1.13.1", "1.15.0", "2.4.0"])
def test_from_the_first_release_the_table_read_a_missing_name_is_no_release_too_old(named):
    ranked = [h.cause for h in hypotheses(FLAGS.format(named=named))[1]]
    assert "package-too-old-for-api" not in ranked[:1], ranked
    tf1_name = [h.cause for h in hypotheses(
        f"tensorflow {named}\nAttributeError: module 'tensorflow' has no attribute "
        "'global_variables_initializer'")[1]]
    assert tf1_name[0] == "tf1-api-under-tf2"


def test_a_module_outside_tensorflow_is_not_dated_by_tensorflow():
    text = "TF 0.12.0\nAttributeError: module 'tensorflow_hub' has no attribute 'KerasLayer'"
    assert all(h.evidence.get("first_release") != "tensorflow 1.13.1 at the latest"
               for h in hypotheses(text)[1])


# -- Python 2's relative module name -------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "I'm getting this error\nImportError: No module named contrib.slim",  # darkflow#1101
    "ImportError: No module named contrib",
    'Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n'
    "    import tensorflow.contrib.slim as slim\nImportError: No module named contrib.slim",
    'Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n'
    "    from tensorflow.contrib import rnn\nImportError: No module named contrib",
])
def test_python_2_names_a_missing_tf1_package_from_below_tensorflow(text):
    """Python 2 names `import tensorflow.contrib.slim` failing as "contrib.slim": still
    TensorFlow 1's package, not a project called contrib too old for `.slim`."""
    assert causes_of(text)[0] == CAUSE


@pytest.mark.parametrize("text", [
    "ModuleNotFoundError: No module named 'contrib.slim'",  # Python 3 quotes the full name
    "ImportError: No module named contrib_slim",
    'Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n'
    "    import mylib.contrib.slim\nImportError: No module named contrib.slim",
])
def test_a_name_python_2_did_not_shorten_from_tensorflow_is_no_tf1_package(text):
    assert CAUSE not in causes_of(text)[:1]


@pytest.mark.parametrize("module, source_line, expected", [
    ("contrib.slim", "import tensorflow.contrib.slim as slim", "tensorflow.contrib.slim"),
    ("theano_utils", "from keras.utils.theano_utils import shared_zeros",
     "keras.utils.theano_utils"),
    ("applications", "from keras.applications import vgg16", "keras.applications"),
    ("vgg16", "from keras.applications import vgg16", "keras.applications.vgg16"),
    ("contrib.slim", "import mylib.contrib.slim", "mylib.contrib.slim"),
    ("keras", "import keras", "keras"),  # nothing shortened: the name is the import
    ("slim", "import tensorflow.contrib.slim_extra", "slim"),  # a suffix, not a module below
])
def test_the_full_name_is_the_import_the_traceback_shows(module, source_line, expected):
    from keras_doctor.explain.resolve_imports import absolute_name
    text = (f'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\n'
            f"    {source_line}\nImportError: No module named {module}")
    assert absolute_name(module, SimpleNamespace(text=text)) == expected
    quoted = text.replace(f"named {module}", f"named '{module}'")
    assert absolute_name(module, SimpleNamespace(text=quoted)) == module


# -- Colab's TensorFlow 1 magic (colabtools google/colab/_tensorflow_magics.py) -----------------

COLAB_TF1 = (
    "----> 1 get_ipython().run_line_magic('tensorflow_version', '1.x')\n"
    "ValueError: Tensorflow 1 is unsupported in Colab.\n\n"
    "Your notebook should be updated to use Tensorflow 2.\n")


@pytest.mark.parametrize("paste", [COLAB_TF1, "Tensorflow 1 is unsupported in Colab."])
def test_colabs_tensorflow_1_magic_is_tf1_code_whose_magic_line_goes(paste):
    """Colab's magic raises this since Colab dropped TensorFlow 1 (a title retells it alone): the
    fix deletes the magic line before anything about the code."""
    (first, *_) = explain_text(paste).findings
    assert first.cause == "tf1-api-under-tf2" and first.confidence >= 0.8
    assert "%tensorflow_version 1.x" in first.fix[0].description


def test_the_same_code_without_colabs_magic_keeps_the_tf1_fix():
    (first, *_) = explain_text(
        "AttributeError: module 'tensorflow' has no attribute 'placeholder'").findings
    assert first.cause == "tf1-api-under-tf2"
    assert "%tensorflow_version" not in " ".join(step.description for step in first.fix)
