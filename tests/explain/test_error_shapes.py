"""Errors that name no exception still get ranked candidates; text without an error still gets none.

Each shape is quoted as the tool prints it (poetry's PubGrub report, conda's classic solver, a
shell's signal line in Chinese or German, TensorFlow's WARNING log line before it raises, a
tuning report's frames without their last line), and each is paired with the text of the same
tool that reports no error: the boundary is what `explain.shapes` reads, not a word list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keras_doctor.explain import clues, explain_text, shapes, text

CORPUS = Path(__file__).parent / "corpus" / "cases.jsonl"

# poetry 1.x resolving a project whose pins conflict (PubGrub's explanation, as printed)
POETRY = (
    "Because apache-airflow (2.5.0) depends on sqlalchemy (>=1.4) and python-projects depends "
    "on sqlalchemy (>=1.3.24,<1.4.0), apache-airflow is forbidden.\nSo, because python-projects "
    "depends on apache-airflow (2.5.0), version solving failed."
)
POETRY_NO_VERSIONS = (
    "Because no versions of tensorflow match >2.11,<3.0\n and tensorflow (2.11.0) depends on "
    "tensorflow-io-gcs-filesystem (>=0.23.1), tensorflow (>=2.11,<3.0) requires "
    "tensorflow-io-gcs-filesystem (>=0.23.1)."
)
# conda's classic solver, as printed before its UnsatisfiableError report
CONDA = (
    "Collecting package metadata (repodata.json): done\nSolving environment: failed with "
    "initial frozen solve. Retrying with flexible solve.\nSolving environment: /\nFound "
    "conflicts! Looking for incompatible packages.\nThis can take several minutes.  Press "
    "CTRL-C to abort."
)
# glibc's and bash's translated crash lines, as a Chinese and a German Linux print them
CHINESE_SEGFAULT = "段错误 (核心已转储)"
CHINESE_ABORT = ("terminate called without an active exception\n已放弃 (核心已转储)")
GERMAN_SEGFAULT = "Speicherzugriffsfehler (Speicherabbild geschrieben)"
CHINESE_SIGILL = "非法指令 (核心已转储)"
# TensorFlow logs OP_REQUIRES failures at WARNING, then raises (here only the log was pasted)
OP_REQUIRES = (
    "2023-03-21 10:12:01.123456: W tensorflow/core/framework/op_kernel.cc:1733] OP_REQUIRES "
    "failed at xla_ops.cc:503 : NOT_FOUND: could not find registered platform with id: "
    "0x104d8f6e0"
)
STARTUP_ONLY = (
    "2020-05-28 11:16:19.791171: I tensorflow/core/platform/cpu_feature_guard.cc:142] Your CPU "
    "supports instructions that this TensorFlow binary was not compiled to use: AVX2 FMA"
)


def _frames_only(case_id: str) -> str:
    """A tuning report's traceback without its header and its exception line: only frames."""
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["id"] == case_id:
            kept = [row for row in case["text"].splitlines()
                    if row.lstrip().startswith(("File ", "from ", "import "))]
            return "\n".join(kept)
    raise AssertionError(case_id)


@pytest.mark.parametrize(("paste", "kind"), [
    (POETRY_NO_VERSIONS, "install"),
    (CONDA, "install"),
    (CHINESE_SEGFAULT, "signal"),
    (CHINESE_ABORT, "signal"),
    (GERMAN_SEGFAULT, "signal"),
    ("Trace/BPT trap: 5", "signal"),
    ("Python quit unexpectedly.", "signal"),
    ("Jupyter kernel dies when importing tensorflow", "signal"),
    ("[I 10:00:00.000 NotebookApp] KernelRestarter: restarting kernel (1/5), keep random ports",
     "signal"),
    ("segfault when importing tensorflow on M1", "signal"),
    ("tf.keras.models.load_model fails in TF 2.16", "exception"),
    ("Keras 3 breaks my model", "exception"),
    ("After upgrading to TensorFlow 2.16 my tf.keras code stopped working", "exception"),
    ("Model trained with keras 2 won't load in keras 3", "exception"),
    ("tensorflow import hangs forever on Apple M1", "exception"),
    ("Python 3.8 on Rosetta: tensorflow doesn't run", "exception"),
    ("tensorflow-macos is not being recognized by pip as tensorflow", "exception"),
    # a failure named in the reporter's language, with no English word for it
    ("在 M1 Mac 上安装 tensorflow-macos 报错", "exception"),
    ("M1 Mac で tensorflow をインポートするとエラーになります", "exception"),
    ("При импорте tensorflow возникает ошибка", "exception"),
    ("Beim Import von tensorflow kommt ein Fehler", "exception"),
])
def test_an_error_in_a_tools_words_or_a_title_is_read_as_one(paste, kind):
    assert clues.error_kind(paste) == kind
    findings = explain_text(paste).findings
    assert findings and all(f.fix for f in findings)
    assert all(f.confidence < 0.9 for f in findings)  # a guess says it is one


@pytest.mark.parametrize("paste", [
    # the same tools reporting success
    "Collecting package metadata (repodata.json): done\nSolving environment: done\n\n"
    "# All requested packages already installed.",
    "Resolving dependencies... (0.4s)\n\nWriting lock file",
    "No broken requirements found.",
    "Requirement already satisfied: tensorflow-macos in ./venv/lib/python3.9/site-packages "
    "(2.9.0)",
    "Successfully installed keras-3.3.3 tensorflow-2.16.1",
    # a notebook's log and a training run with nothing wrong
    "[I 10:00:00.000 NotebookApp] Kernel started: 5d0c-4e2b, name: python3",
    "Epoch 1/10\n1875/1875 [==============================] - 5s 2ms/step - loss: 0.2950",
    "How do I use a pretrained ResNet50 with my own classes?",
    # the same languages saying all is well
    "在 M1 Mac 上安装 tensorflow-macos 成功了，一切正常",
    "M1 Mac で tensorflow が動きました",
    "Beim Import von tensorflow läuft alles",
])
def test_the_same_tools_reporting_no_error_stay_without_one(paste):
    assert clues.error_kind(paste) == ""
    report = explain_text(paste)
    assert report.findings == [] and report.extra.get("no_error")


def test_a_translated_illegal_instruction_is_the_cpu_not_the_numpy_build():
    causes = [f.cause for f in explain_text(CHINESE_SIGILL).findings]
    assert causes[0] == "cpu-lacks-avx" and "rosetta-python" in causes[:3]
    assert explain_text(CHINESE_SEGFAULT).findings[0].cause != "cpu-lacks-avx"


def test_a_solver_failure_is_answered_as_an_install_not_a_download():
    # Poetry names the two ranges that meet head-on: a requirement conflict it states
    assert explain_text(POETRY).findings[0].cause == "requirement-conflict"
    # conda's classic solver prints these lines before either UnsatisfiableError it raises
    # (conda/exceptions.py): "incompatible with each other" (a requirement conflict) or
    # "incompatible with the existing python installation" (no build for this Python); without
    # the report that follows, both are the answer, an install's, never the network's
    causes = [f.cause for f in explain_text(CONDA).findings]
    assert causes[0] in ("requirement-conflict", "no-wheel-for-python")
    assert {"requirement-conflict", "no-wheel-for-python"} <= set(causes[:3])


def test_frames_without_their_exception_line_are_an_error():
    frames = _frames_only("tf-90245-numpy2-windows")
    assert frames.count('File "') >= 4 and "Error" not in frames
    assert shapes.CUT_TRACEBACK.search(frames)
    assert clues.error_kind(frames) == "exception"
    assert explain_text(frames).findings
    # the same frames quoted as code, without CPython's `File "…", line N, in` form, are not
    assert not shapes.CUT_TRACEBACK.search(frames.replace('File "', "file "))


def test_a_failure_tensorflow_logged_as_a_warning_is_the_error_when_nothing_else_is():
    cleaned = text.clean(OP_REQUIRES)
    assert cleaned.text == "" and cleaned.failing_lines  # dropped as a log line, kept aside
    report = explain_text(OP_REQUIRES)
    assert report.findings and not report.extra.get("no_error")
    # a start-up line at the same level names no failure: still "nothing is wrong"
    assert [f.cause for f in explain_text(STARTUP_ONLY).findings] == [
        "informational-message-not-an-error"]


@pytest.mark.parametrize("paste", [
    "$ python -c 'import platform; print(platform.platform())'\nmacOS-12.0.1-x86_64-i386-64bit"
    "\nMacBook Pro M1, tensorflow never finishes importing",
    "$ conda info\n     platform : osx-64\nMacBook Air M1",
    "Collecting tensorflow\n  Downloading tensorflow-2.12.0-cp310-cp310-macosx_10_15_x86_64.whl"
    " (230.1 MB)\nSuccessfully installed tensorflow-2.12.0\n(on an M1 Mac)",
])
def test_an_intel_python_shown_on_apple_silicon_is_rosetta(paste):
    assert explain_text(paste).findings[0].cause == "rosetta-python"
    # the same output from an Intel Mac is no error at all
    intel_mac = paste.replace("M1", "2019 Intel").replace("on an ", "on a ")
    assert not explain_text(intel_mac).findings or (
        explain_text(intel_mac).findings[0].cause != "rosetta-python")
    # an arm64 Python on the same Mac prints arm64 and says nothing
    arm = (paste.replace("x86_64-i386", "arm64-arm").replace("osx-64", "osx-arm64")
           .replace("macosx_10_15_x86_64", "macosx_12_0_arm64"))
    assert not shapes.intel_python(arm)


def test_a_translated_killed_is_the_memory_killer_as_the_english_one_is():
    # a real report: a training run on a Chinese-locale Linux, ended by the OOM killer
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["id"] == "dreamerv3-203-killed-chinese-locale":
            assert explain_text(case["text"]).findings[0].cause == "out-of-memory"
    for killed in ("已杀死", "[1]    4242 Getötet    python train.py", "Terminado (killed)"):
        assert explain_text(killed).findings[0].cause == "out-of-memory"
    # the word inside a sentence is not the shell's line
    assert explain_text("我的程序已杀死了吗").findings[0].cause != "out-of-memory"


def test_poetry_explaining_the_conflict_it_proved_is_recognised_not_guessed():
    """Poetry's PubGrub report names the two ranges that meet head-on ('version solving
    failed'): a requirement conflict it states, not a guess."""
    assert clues.error_kind(POETRY) == "install"
    top = explain_text(POETRY).findings[0]
    # recognised: a signature names it, shown surer than any guess may be (the confidence of
    # a recognised answer is what such answers were right at on reports met fresh)
    from keras_doctor.explain import calibrate, ranker

    assert top.cause == "requirement-conflict" and top.confidence > ranker.MAX_UNRECOGNISED
    assert not calibrate.only_guessed(top.evidence["signatures"])


# -- a package's message retold in prose ----------------------------------------------------------


def test_pips_wheel_refusal_retold_without_the_file_is_still_pips():
    # tensorflow#2430: "you'll fail with the error > not a supported wheel on this platform"
    retold = "on pip install I get the 'not a supported wheel on this platform' message"
    findings = explain_text(retold).findings
    assert [f.cause for f in findings[:2]] == ["no-wheel-for-python", "no-wheel-for-platform"]
    assert "wheel" not in findings[0].evidence
    two_pythons = ("Anaconda uses Python 3.5.\n> not a supported wheel on this platform\n"
                   "presumably because the wheel is made for Python 3.4")
    found = explain_text(two_pythons).findings[0]
    assert found.cause == "no-wheel-for-python"
    assert found.evidence["python_mentioned"] == ["cp34", "cp35"]
    # the Python leads by a little alone, by much beside two Pythons; the platform stays second
    from keras_doctor.explain.engine import hypotheses
    for paste, weights in ((retold, [[0.55], [0.5]]), (two_pythons, [[0.7], [0.4]])):
        ranked = hypotheses(paste)[1][:2]
        assert [(h.cause, h.weights) for h in ranked] == list(zip(
            ["no-wheel-for-python", "no-wheel-for-platform"], weights))


def test_pips_refusal_naming_the_file_still_reads_its_tags():
    named = ("ERROR: tensorflow-2.3.1-cp37-cp37m-macosx_10_9_x86_64.whl is not a supported wheel "
             "on this platform.")
    found = explain_text(named).findings[0]
    assert found.evidence["wheel"] == "tensorflow-2.3.1-cp37-cp37m-macosx_10_9_x86_64.whl"
    assert found.evidence["wheel_tags"]


@pytest.mark.parametrize("retold", [
    "keras requires TensorFlow 2.2 or higher",  # kubeflow/code-intelligence#150's title
    "ImportError: Keras requires TensorFlow 2.2 or higher. Install TensorFlow via "
    "`pip install tensorflow`",
])
def test_keras_24s_own_message_in_any_case_is_the_keras_tensorflow_pair(retold):
    assert explain_text(retold).findings[0].cause == "keras-tf-version-skew"


# -- a failure told in the report's own language ---------------------------------------------------


@pytest.mark.parametrize("words", [
    "m1 환경에서 모듈 불러오기 오류",  # pykospacing#47, Korean "error"
    "安裝完後tensorflow 為 2.16 版，執行出錯",  # ckiptagger#50, Traditional Chinese
    "导入 tensorflow 时报错",
    "tensorflow のインポートでエラーになります",
    "При импорте tensorflow возникает ошибка",
    "Beim Import von tensorflow kommt ein Fehler",
    "l'import de tensorflow échoue",
    "o import do tensorflow não funciona",
    "l'import di tensorflow non funziona",
])
def test_a_failure_in_another_languages_words_is_an_error(words):
    assert clues.error_kind(words) == "exception"
    assert explain_text(words).findings


@pytest.mark.parametrize("words", [
    "tensorflow 설치했습니다",  # Korean "installed"
    "tensorflow 安装成功",  # Chinese "installed successfully"
    "tensorflow をインストールしました",
    "Ich habe tensorflow installiert",
])
def test_the_same_languages_telling_no_failure_stay_without_one(words):
    assert clues.error_kind(words) == ""
