"""The shapes of an error that name no exception: what tools print when they fail, and how people
title a failure they did not paste.

`clues.error_kind` reads Python's own grammar (`Traceback …`, `NameError: …`), pip's `ERROR:`
lines and the English crash lines of shells. Real reports also come as:

- a crash in the words of the tool that saw it: Jupyter's restarter and dialogs, macOS's crash
  reporter, a shell's signal name in the system's language (glibc and bash are translated: a
  Chinese or German Linux prints its own words for "Segmentation fault (core dumped)");
- a solver's failure: poetry's PubGrub explanation ("So, because … version solving failed."),
  conda's classic solver ("Found conflicts! Looking for incompatible packages.");
- a traceback cut before its exception line (only frames were pasted);
- a title: "load_model fails in TF 2.16", "Keras 3 breaks my model", "segfault on import".

Each pattern below is the tool's own wording (its source is cited beside it) or, for titles, the
verbs of failure themselves; none names a cause. They decide only *that* the text shows an error,
so that it gets ranked candidates (from `fallback`, at a guess's confidence) instead of silence;
a text without any of them still gets the one line saying that no error is shown.
"""

from __future__ import annotations

from keras_doctor.explain import lazyre

# glibc's "Illegal instruction" in its translations (glibc po/*.po: de, es, fr, ja, pt_BR, ru,
# zh_CN): the CPU (or Rosetta) lacks an instruction. One of the crash lines below.
ILLEGAL_INSTRUCTION = lazyre.compile(
    r"Ungültiger Maschinenbefehl|Instrucción (?:ilegal|no válida)|"
    r"Instruction (?:illégale|non permise)|不正な命令|Instrução ilegal|"
    r"Недопустимая инструкция|非法指令"
)
# A crash told by the program that saw the process die.
CRASH = lazyre.compile(
    # jupyter_client/restarter.py: "KernelRestarter: restarting kernel (%i/%i), …"; Notebook 6's
    # dialog (notebook/static/notebook/js/kernel.js): "Dead kernel", "The kernel has died, and
    # the automatic restart has failed."; VS Code's Jupyter extension when the kernel dies under
    # a running cell: "Canceled future for execute_request message before replies were done"
    r"KernelRestarter: restarting kernel|\bDead kernel\b|The kernel has died|"
    r"Canceled future for execute_request|"
    # how people say the same: "the kernel dies / keeps dying / crashes / restarts"
    r"(?i:\bkernel (?:dies|dying|keeps dying|crash(?:es|ing)?|keeps restarting|restarts)\b)|"
    # macOS's crash reporter dialog: "Python quit unexpectedly."
    r"(?i:\bquit unexpectedly\b)|"
    # SIGTRAP as macOS's strsignal names it ("Trace/BPT trap: 5") and zsh ("trace trap")
    r"Trace/BPT trap|(?i:\bsegfault(?:s|ed|ing)?\b|\bseg fault\b)|"
    # glibc's strsignal ("Segmentation fault", "Illegal instruction", "Aborted", "Bus error",
    # "Killed") and bash's "(core dumped)" in their translations (glibc po/*.po, bash po/*.po):
    # de, es, fr, ja, pt_BR, ru, zh_CN, zh_TW
    r"Speicherzugriffsfehler|Speicherab(?:zug|bild) geschrieben|"
    r"Getötet|Violación de segmento|Fallo de segmentación|"
    r"`core' generado|Terminado \(killed\)|"
    r"Erreur de segmentation|"
    r"セグメンテーション違反|コアダンプ|"
    r"Falha de segmentação|"
    r"Ошибка сегментирования|стек памяти сброшен|"
    r"段错误|核心已转储|已放弃 \(|已杀死|記憶體區段錯誤|核心已傾印|"
    + ILLEGAL_INSTRUCTION.pattern
)
# A solver that found no installable set.
SOLVER = lazyre.compile(
    # poetry's PubGrub (poetry/mixology/failure.py): "So, because app depends on both X and Y,
    # version solving failed."; the exception poetry names above it (poetry/puzzle/
    # exceptions.py) and its installer's (poetry/installation/chooser.py)
    r"version solving failed|\bSolverProblemError\b|Unable to find installation candidates|"
    # conda's classic solver (conda/resolve.py, conda/cli/install.py)
    r"Found conflicts! Looking for incompatible packages|Solving environment: failed|"
    r"\bResolvePackageNotFound\b|"
    # libmamba's problem report: "nothing provides requested X", "nothing provides X needed by Y"
    r"nothing provides (?:requested )?\S+|Encountered problems while solving|"
    # PubGrub's terms, in poetry's and uv's words: "Because no versions of X match Y, X is
    # forbidden.", "Because there are no versions of X that satisfy Y …"
    r"\bno versions? of \S+ (?:match(?:es)?|that satisf(?:y|ies))\b|, \S+ is forbidden\b"
)
# Only frames of a traceback (CPython's `File "…", line N, in f`; faulthandler's without the
# comma): an exception propagated, its line was not pasted.
CUT_TRACEBACK = lazyre.compile(r'(?m)^[ \t]*File "[^"\n]{1,500}", line \d+,? in ')
# A failure named in a title or a sentence, in the words people use for it. pip's success line
# "No broken requirements found." (pip/_internal/commands/check.py) is not one.
TITLED = lazyre.compile(
    r"(?i)\bfail(?:s|ing)?\b|(?<!No )\bbr(?:eaks?|oke|oken|eaking)\b|"
    r"\bstop(?:s|ped)? working\b|\bno longer (?:works?|working|runs?|loads?|imports?)\b|"
    r"\b(?:won'?t|wouldn'?t|doesn'?t|does not|can'?t|cannot|couldn'?t|isn'?t|is not|not) "
    r"(?:be |being |getting )?(?:run|running|load(?:ing|ed)?|import(?:ing|ed)?|"
    r"install(?:ing|ed)?|start(?:ing)?|recogni[sz](?:e|ed|ing)|detect(?:ed|ing)?|open|build|compile|find)\b|"
    r"\b(?:hangs?|hanging|freez(?:es|ing)|froze|stuck)\b|\bconflict(?:s|ing)?\b|"
    r"\bmismatch(?:ed|es)?\b|\b(?:is|are) missing\b|\bis gone\b|"
    # CPython's unmarshaller refusing a .pyc or pickled code (Python/marshal.c), quoted in a title
    r"\bbad marshal data\b|"
    # "error", "failed" and "does not work" in the languages reports come in besides English
    # (zh: 报错 "reports an error", 出错, 错误, 失败, 无法 "cannot", and the traditional 報錯,
    # 出錯, 錯誤, 無法; ja: エラー, 失敗, できません; ko: 오류, 에러, 실패, 안 됩니다; ru: ошибка
    # in any case, не работает, не удалось; de: Fehler, fehlgeschlagen, funktioniert nicht; fr:
    # erreur, échec, échoue, ne fonctionne pas; es/pt: falla, falha, erro, não funciona; it:
    # errore, non funziona)
    r"报错|出错|错误|失败|无法|報錯|出錯|錯誤|無法|エラー|失敗|できません|"
    r"오류|에러|실패|안 ?됩니다|"
    r"(?i:ошибк[аиуео]\w*|не работает|не удалось)|\bFehler\b|fehlgeschlagen|"
    r"(?i:\berreur\b|\béchec\b|\béchoue\b|\bfalla\b|\bfalha\b|\berro\b|\berrore\b|"
    r"funktioniert nicht|ne fonctionne pas|n[ãa]o funciona|non funziona)"
)


# What an x86_64 Python prints about itself: `platform.platform()` (CPython Lib/platform.py:
# "macOS-12.0.1-x86_64-i386-64bit", before 3.8 "Darwin-…"), `conda info` ("platform : osx-64"),
# file(1) on the interpreter ("Mach-O 64-bit executable x86_64"), `sysctl sysctl.proc_translated`
# (1 under Rosetta), and pip choosing a macOS x86_64 wheel, which it does only for an x86_64
# interpreter (packaging/tags.py, `_mac_binary_formats`: an arm64 one takes arm64 and universal2).
INTEL_PYTHON = lazyre.compile(
    r"(?:macOS|Darwin)-\d[\d.]*-x86_64-i386-64bit|\bplatform : osx-64\b|"
    r"Mach-O 64-bit executable x86_64|sysctl\.proc_translated:? 1\b|"
    r"(?:Downloading|Using cached) \S+-macosx_\d+_\d+_x86_64\.whl"
)  # each names macOS: a bare `platform.machine()` 'x86_64' may be Linux in an amd64 container


# TensorFlow's CPU notice (tensorflow/core/platform/cpu_feature_guard.cc) names the x86
# instruction sets the CPU has and the build left out of most operations (SSE4.1 … AVX512F, FMA);
# cpu_info.cc reports those features only in x86 builds, so the notice naming one is printed by
# an x86_64 TensorFlow, which on an Apple Silicon Mac runs only under Rosetta 2.
X86_TENSORFLOW = lazyre.compile(
    r"(?:This TensorFlow binary is optimized|To enable the following instructions:|"
    r"Your CPU supports instructions that this TensorFlow binary was not compiled to use)"
    r"[^\n]*?\b(?:SSE[34][\w.]*|AVX\w*|FMA)\b"
)


def intel_python(text: str) -> str:
    """The line by which the paste shows an x86_64 Python on a Mac, '' when it shows none: a
    tool's report of the interpreter, or TensorFlow's CPU notice of an x86 build (the caller
    knows the Mac is an Apple Silicon one)."""
    found = INTEL_PYTHON.search(text) or X86_TENSORFLOW.search(text)
    return found.group(0) if found else ""


def kind(text: str) -> str:
    """'signal', 'install' or 'exception' for a text in one of these shapes, '' otherwise."""
    if CRASH.search(text):
        return "signal"
    if SOLVER.search(text):
        return "install"
    if CUT_TRACEBACK.search(text) or TITLED.search(text):
        return "exception"
    return ""
