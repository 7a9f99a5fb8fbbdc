"""Two decisions the paste's own words settle: which interpreter ran, and which CPU it ran on.

An import that works in a terminal and fails in a notebook or IDE is another interpreter, not a
missing package; a plain "No module named" is still a missing package. An illegal instruction on a
Mac is an Intel Python under Rosetta (surer when the paths show an Intel Python: /usr/local,
the x86 Anaconda); on Linux it is a CPU without AVX.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from keras_doctor.explain import explain_text
from keras_doctor.explain.engine import hypotheses


def ranked(text: str, without_sources: frozenset = frozenset()) -> list:
    return [h.cause for h in hypotheses(text, without_sources=without_sources)[1]]


@pytest.mark.parametrize("text", [
    "Unable to import tensorflow in jupyter (yet able to import tensorflow in python and ipython)",
    "tensorflow is getting imported on my python3 on cmd but not in Jupyter.",
    "Though I work well with python3 in terminal, but get\n"
    "`ImportError: no module named 'tensorflow'`\nin jupyter notebook.",
    "import keras works in the terminal, but in PyCharm I get ModuleNotFoundError: No module "
    "named 'keras'",
])
def test_works_in_one_place_fails_in_the_notebook_is_another_interpreter(text):
    assert ranked(text)[0] == "wrong-interpreter"


@pytest.mark.parametrize("text", [
    "ModuleNotFoundError: No module named 'h5py'",
    "ImportError: no module named 'h5py'",
    "I restarted the notebook kernel but training still fails:\n"
    "ValueError: Shapes (None, 1) and (None, 10) are incompatible",
])
def test_without_two_places_it_is_not_another_interpreter(text):
    assert "wrong-interpreter" not in ranked(text)[:1]


def test_lowercase_no_module_named_is_recognised():
    assert ranked("ImportError: no module named 'h5py'")[0] == "missing-dependency"


@pytest.mark.parametrize("text", [
    "[1]    4242 illegal hardware instruction  /usr/local/bin/python3 train.py",
    '  File "/Users/ada/anaconda3/lib/python3.9/site-packages/tensorflow/__init__.py", line 41\n'
    "Process finished with exit code 132 (interrupted by signal 4: SIGILL)",
])
def test_an_illegal_instruction_from_an_intel_python_on_a_mac_is_rosetta(text):
    found = hypotheses(text)[1]
    assert found[0].cause == "rosetta-python" and "intel_python" in found[0].evidence
    assert found[0].score > next(h.score for h in found if h.cause == "cpu-lacks-avx") + 0.4


def test_an_illegal_instruction_from_an_arm64_python_on_a_mac_is_still_rosetta_but_less_sure():
    arm = hypotheses("zsh: illegal hardware instruction  /opt/homebrew/bin/python3 train.py")[1]
    intel = hypotheses("zsh: illegal hardware instruction  /usr/local/bin/python3 train.py")[1]
    assert arm[0].cause == intel[0].cause == "rosetta-python"
    assert arm[0].score < intel[0].score


@pytest.mark.parametrize("text", [
    "Illegal instruction (core dumped)",
    "Process finished with exit code 132 (interrupted by signal 4: SIGILL)",
    '  File "/home/ada/venv/lib/python3.10/site-packages/tensorflow/__init__.py", line 41\n'
    "Illegal instruction (core dumped)",
])
def test_an_illegal_instruction_elsewhere_is_a_cpu_without_avx(text):
    assert ranked(text)[0] == "cpu-lacks-avx"


def test_pip_saying_the_missing_package_is_installed_is_another_interpreter():
    paste = ("$ pip install tensorflow\nRequirement already satisfied: tensorflow in "
             "/usr/local/lib/python3.9/site-packages (2.13.0)\n$ python3 train.py\n"
             "ModuleNotFoundError: No module named 'tensorflow'")
    assert ranked(paste)[0] == "wrong-interpreter"
    hub = ("!pip install tensorflow_hub\nRequirement already satisfied: tensorflow-hub in "
           "/usr/local/lib/python3.10/dist-packages (0.16.1)\n"
           "ModuleNotFoundError: No module named 'tensorflow_hub'")
    assert ranked(hub)[:2] == ["wrong-interpreter", "kernel-not-restarted"]


def test_pip_saying_another_package_is_installed_leaves_the_missing_one_missing():
    paste = ("Requirement already satisfied: numpy in ./venv/lib/python3.11/site-packages "
             "(1.26.4)\nModuleNotFoundError: No module named 'h5py'")
    assert ranked(paste)[0] == "missing-dependency"


def test_the_machine_examined_is_the_one_the_interpreter_runs_as():
    """What explain takes from the environment for the wheel decisions: the interpreter's running
    architecture (an Intel Python under Rosetta on an Apple Silicon Mac is an x86_64 machine to
    pip), else the platform's, else nothing rather than a guess."""
    from dataclasses import replace

    from keras_doctor.explain.engine import examined

    sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
    from factories import mac_facts

    rosetta = mac_facts(machine="arm64")
    rosetta.interpreter.running_arch = "x86_64"
    assert examined(rosetta).machine == "x86_64"
    assert (examined(rosetta).python, examined(rosetta).platform) == ("3.11", "macos")
    unknown_arch = mac_facts(machine="arm64")
    unknown_arch.interpreter.running_arch = None
    assert examined(unknown_arch).machine == "arm64"
    unknown_arch.platform.machine = ""
    assert examined(unknown_arch).machine == ""  # not "x86_64" by default
    linux_arm = mac_facts(machine="aarch64")
    linux_arm.platform = replace(linux_arm.platform, system="Linux")
    assert (examined(linux_arm).platform, examined(linux_arm).machine) == ("linux", "aarch64")
    linux_arm.interpreter.running_arch = "x86_64"
    assert examined(linux_arm).machine == ""  # an ordinary Linux PC: pip's default platform


# -- which system the crash happened on: what the interpreter and the kernel say decide ---------

# CPython's interactive banner (Ubuntu 22.04's python3), then zsh's report of the signal: zsh
# says "illegal hardware instruction" on Linux as on a Mac, and appends "(core dumped)" when the
# kernel wrote a core (zsh's Src/jobs.c)
LINUX_BANNER = ("Python 3.10.12 (main, Nov 20 2023, 15:14:05) [GCC 11.4.0] on linux\n"
                'Type "help", "copyright", "credits" or "license" for more information.\n'
                ">>> import tensorflow\n")


@pytest.mark.parametrize("text", [
    LINUX_BANNER + "zsh: illegal hardware instruction  python3",
    "(base) me@ubuntu:~/proj$ python train.py\n"
    "zsh: illegal hardware instruction (core dumped)  python train.py",
    # Debian's pip writes /usr/local/lib/pythonX.Y/dist-packages: a Linux path
    '  File "/usr/local/lib/python3.8/dist-packages/tensorflow/__init__.py", line 41\n'
    "zsh: illegal hardware instruction  python3 train.py",
])
def test_zsh_on_linux_is_a_cpu_without_avx(text):
    assert ranked(text)[0] == "cpu-lacks-avx"


# 13o-bbr-bbq/machine_learning_security#13: zsh's report and the system only by its name
KALI = ("[1]    4567 illegal hardware instruction  python DeepExploit.py -t 192.168.1.254\n\n"
        "It is a Kali-rolling machine running on VMWare ESXI 6.5")


def test_zsh_beside_a_linux_named_and_no_word_of_a_mac_is_linux():
    assert ranked(KALI)[0] == "cpu-lacks-avx"
    assert ranked(KALI.replace("Kali-rolling", "Ubuntu"))[0] == "cpu-lacks-avx"


@pytest.mark.parametrize("words", [
    "On my MacBook Air; the same script works on my Ubuntu box",  # an Apple Silicon model
    "On macOS 12; the same script works on my Ubuntu box",  # a Mac of no stated kind
    "On my iMac; the same script works on my Ubuntu box",  # a word the platform reader skips
])
def test_a_linux_named_beside_a_word_of_a_mac_leaves_the_mac(words):
    # "works on my Ubuntu box" from a Mac: the Mac's own words still decide
    mac = KALI.replace("It is a Kali-rolling machine running on VMWare ESXI 6.5", words)
    assert ranked(mac)[0] == "rosetta-python"


@pytest.mark.parametrize("item", [
    # "[Clang 10.0.0 ] :: Anaconda, Inc. on darwin"
    "case:tf-45645-m1-anaconda-x86-illegal-instruction",
    "case:tf-44999-m1-zsh-illegal",  # zsh alone, no core: macOS's default shell
    "case:tf-47041-rosetta-python-sigill",  # fish, "on darwin"
])
def test_zsh_or_a_darwin_banner_on_a_mac_stays_rosetta(item):
    text, own = _case(item)
    assert ranked(text, own)[0] == "rosetta-python"


def test_the_banner_names_the_platform_over_the_paths():
    from keras_doctor.explain.clues import banner_platform

    text, _ = _case("case:tf-62342-celeron-no-avx")
    assert banner_platform(text) == "linux"
    assert banner_platform(_case("case:tf-45645-m1-anaconda-x86-illegal-instruction")[0]) == "macos"
    assert banner_platform("Python 2.7.12 (default, Nov 19 2016, 06:48:10)\n"
                           "[GCC 5.4.0 20160609] on linux2") == "linux"
    assert banner_platform("Python 3.11.4 (tags/v3.11.4:d2340ef, Jun  7 2023, 05:45:37) "
                           "[MSC v.1934 64 bit (AMD64)] on win32") == "windows"
    assert banner_platform("I run tensorflow on linux") == ""


def test_intel_homebrew_site_packages_with_macos_signal_words_is_rosetta():
    """/usr/local/lib/pythonX.Y/site-packages is Intel Homebrew's on a Mac (and a Docker image's
    on Linux): it says nothing of Linux, and macOS's "Illegal instruction: 4" says Mac."""
    text = ('  File "/usr/local/lib/python3.9/site-packages/tensorflow/__init__.py", line 41, in '
            "<module>\n    from tensorflow.python.tools import module_util as _module_util\n"
            "Illegal instruction: 4")
    found = hypotheses(text)[1]
    assert found[0].cause == "rosetta-python" and not found[0].against
    assert "intel_python" in found[0].evidence


def _case(item: str) -> tuple:
    sys.path.insert(0, str(Path(__file__).parent))
    import corpus

    case = next(c for c in corpus.load() if c["id"] == item[len("case:"):])
    return case["text"], frozenset({case["source_url"]})


# -- which interpreter: two of them shown in one paste ----------------------------------------

PYTHON_310_NO_CV2 = (
    "Python 3.10.12 (main, Nov 20 2023, 15:14:05) [GCC 11.4.0] on linux\n"
    'Type "help", "copyright", "credits" or "license" for more information.\n'
    ">>> import cv2\nTraceback (most recent call last):\n"
    '  File "<stdin>", line 1, in <module>\n'
    "ModuleNotFoundError: No module named 'cv2'\n>>> exit()\n$ pip --version\n"
)


def test_pip_of_another_python_than_the_one_that_raised_is_another_interpreter():
    # pip's --version line names its own Python (pip/_internal/utils/misc.py, get_pip_version)
    other = PYTHON_310_NO_CV2 + "pip 23.0.1 from /home/me/.local/lib/python3.8/site-packages/pip " \
                                "(python 3.8)"
    same = PYTHON_310_NO_CV2 + "pip 22.0.2 from /usr/lib/python3/dist-packages/pip (python 3.10)"
    assert ranked(other)[0] == "wrong-interpreter"
    assert hypotheses(other)[1][0].evidence["interpreters_shown"] == ["Python 3.10", "Python 3.8"]
    assert ranked(same)[0] == "missing-dependency"



def test_the_pythons_a_paste_shows_are_read_by_one_reader():
    # the wheel decision (the Python the paste shows) and the two-interpreter reading (the
    # Pythons that ran or installed) read the same forms: pip's version line, the banner, an
    # interpreter's folders, and python.org's 32-bit Windows folder (Python38-32) among them
    from keras_doctor.explain.resolve_imports import interpreters_shown
    from keras_doctor.explain.wheels import python_mentions, read_python

    banner = PYTHON_310_NO_CV2.splitlines()[0]
    pip_38 = "pip 23.0.1 from /home/me/.local/lib/python3.8/site-packages/pip (python 3.8)"
    assert python_mentions(banner) == [("banner", "3.10")]
    assert python_mentions(pip_38) == [("pip", "3.8")]
    assert read_python(banner) == "3.10" and read_python(pip_38) == "3.8"
    store_32 = "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python38-32\\Scripts\\pip.exe"
    assert read_python(store_32) == "3.8"
    # a stdlib frame (`python -m` runs through runpy) is the interpreter's folder as much as
    # its site-packages: another Python than pip's
    frames = ["/usr/lib/python3.10/runpy.py", "/home/me/proj/detect.py"]
    assert interpreters_shown(pip_38, frames) == ["Python 3.10", "Python 3.8"]
    assert interpreters_shown(pip_38.replace("3.8", "3.10"), frames) == []
    # a Python a report only states (an issue template) is no interpreter seen running
    assert interpreters_shown("Python version: 3.8\n" + banner, []) == []


def test_an_install_in_one_conda_environment_and_a_run_in_another():
    run = ("(base) C:\\Users\\me\\proj>python detect.py\nTraceback (most recent call last):\n"
           '  File "C:\\Users\\me\\proj\\detect.py", line 2, in <module>\n    import cv2\n'
           "ModuleNotFoundError: No module named 'cv2'")
    other = hypotheses("(tf) C:\\Users\\me\\proj>pip install opencv-python\n" + run)[1][0]
    assert (other.cause, other.evidence["interpreters_shown"]) == (
        "wrong-interpreter", ["installed in (tf)", "run in (base)"])
    # the same environment installs and runs: the prompts show one interpreter (what pip
    # installed then decides, below), and with no install nothing says cv2 is anywhere
    same = hypotheses("(base) C:\\Users\\me\\proj>pip install opencv-python\n" + run)[1][0]
    assert "interpreters_shown" not in same.evidence
    assert ranked(run)[0] == "missing-dependency"


def test_two_sys_executables_are_two_interpreters():
    text, _ = _case("case:jupyter-notebook-5054-kernel-base-python")
    from keras_doctor.explain.resolve_imports import interpreters_shown

    assert len(interpreters_shown(text, [])) == 2
    two = ("$ python -c 'import sys; print(sys.executable)'\n/usr/bin/python3\n"
           ">>> sys.executable\n'/home/me/miniforge3/envs/cv/bin/python'\n"
           "ModuleNotFoundError: No module named 'cv2'")
    assert ranked(two)[0] == "wrong-interpreter"
    one = two.replace("/usr/bin/python3", "/home/me/miniforge3/envs/cv/bin/python")
    assert interpreters_shown(one, []) == []
    assert ranked(one)[0] == "missing-dependency"


# -- the kernel's own pip installed it: the kernel is older than the install --------------------

SATISFIED_HUB = ("Requirement already satisfied: tensorflow-hub in "
                 "/usr/local/lib/python3.10/dist-packages (0.16.1)\n"
                 "ModuleNotFoundError: No module named 'tensorflow_hub'")


def test_the_kernels_own_pip_is_a_kernel_not_restarted():
    # IPython's %pip runs `sys.executable -m pip` (IPython/core/magics/packaging.py)
    assert ranked("%pip install tensorflow_hub\n" + SATISFIED_HUB)[:2] == [
        "kernel-not-restarted", "wrong-interpreter"]
    # Colab has one Python: its `!pip` is the kernel's
    colab = "!pip install tensorflow_hub\n" + SATISFIED_HUB + "\n/content/drive/MyDrive/a.ipynb"
    assert ranked(colab)[0] == "kernel-not-restarted"
    # elsewhere `!pip` is whichever pip the shell finds first
    assert ranked("!pip install tensorflow_hub\n" + SATISFIED_HUB)[0] == "wrong-interpreter"
    # the magic installed another package: nothing says which pip installed this one
    assert ranked("%pip install numpy\n" + SATISFIED_HUB)[0] == "wrong-interpreter"


@pytest.mark.parametrize("line", [
    "%pip install tensorflow_hub", "%conda install tensorflow_hub", "%mamba install tensorflow_hub",
    "%micromamba install tensorflow_hub", "%uv pip install tensorflow_hub",
])
def test_each_of_ipythons_packaging_magics_is_the_kernels_own_install(line):
    # IPython/core/magics/packaging.py: pip, conda, mamba, micromamba and uv, each for the
    # kernel's own interpreter; the same reader decides for the text and for the facts
    from keras_doctor.explain.resolve_imports import installed_under_the_kernel, kernels_own_install

    assert kernels_own_install(line, "tensorflow_hub") and installed_under_the_kernel(line)
    assert ranked(line + "\n" + SATISFIED_HUB)[0] == "kernel-not-restarted"


def test_a_zsh_prompt_before_pip_is_no_magic():
    # IPython takes the magic's name right after the `%` (inputtransformer2._tr_magic), so
    # `% pip install` is zsh's prompt: whichever pip PATH finds, not the kernel's
    from keras_doctor.explain.resolve_imports import installed_under_the_kernel, kernels_own_install

    line = "% pip install tensorflow_hub"
    assert not kernels_own_install(line, "tensorflow_hub")
    assert not installed_under_the_kernel(line)
    assert ranked(line + "\n" + SATISFIED_HUB)[0] == "wrong-interpreter"
    # what IPython's magics print after an install is the kernel's install all the same
    assert installed_under_the_kernel(
        "Note: you may need to restart the kernel to use updated packages.")


# -- a traceback through a local folder named like the package -------------------------------

SHADOW_FOLDER = (
    "Traceback (most recent call last):\n"
    '  File "{root}proj{s}train.py", line 1, in <module>\n    import tensorflow as tf\n'
    '  File "{root}{package}{s}tensorflow{s}__init__.py", line 1, in <module>\n'
    "    from tensorflow.python import keras\n"
    "ModuleNotFoundError: No module named 'tensorflow.python'"
)


@pytest.mark.parametrize(("root", "s"), [("/home/me/", "/"), ("C:\\Users\\me\\", "\\")])
def test_a_package_run_from_a_local_folder_is_shadowed(root, s):
    local = SHADOW_FOLDER.format(root=root, s=s, package=f"proj{s}")
    found = hypotheses("Requirement already satisfied: tensorflow in /home/me/venv/lib/"
                       "python3.10/site-packages (2.15.0)\n" + local)[1]
    assert found[0].cause == "shadowed-module", [h.cause for h in found]
    assert found[0].evidence["path"].endswith("__init__.py")
    assert "wrong-interpreter" not in [h.cause for h in found]
    installed = SHADOW_FOLDER.format(root=root, s=s,
                                     package=f"venv{s}lib{s}python3.10{s}site-packages{s}")
    assert ranked(installed)[0] != "shadowed-module"


# -- an Intel Python on an Apple Silicon Mac, said by the machine it reports -------------------

@pytest.mark.parametrize("text", [
    # platform.machine() in a Python Rosetta translates (Apple: "About the Rosetta translation
    # environment"), with no error printed at all
    "On my MacBook Air M1:\n>>> import platform\n>>> platform.machine()\n'x86_64'",
    "Apple M2 Pro\n$ uname -m\nx86_64\n$ python -c 'import tensorflow'",
    "$ sysctl sysctl.proc_translated\nsysctl.proc_translated: 1",
])
def test_an_x86_64_machine_on_apple_silicon_is_rosetta(text):
    assert ranked(text)[:1] == ["rosetta-python"]


@pytest.mark.parametrize("text", [
    # an Intel Mac reports x86_64 natively; Docker's amd64 images are x86_64 by request
    "MacBook Pro 2019, Intel Core i9\n>>> platform.machine()\n'x86_64'",
    "On my M1 Mac: docker run --platform linux/amd64 python:3.11\n>>> platform.machine()\n"
    "'x86_64'",
    "$ sysctl sysctl.proc_translated\nsysctl.proc_translated: 0",
])
def test_x86_64_without_apple_silicon_is_not_rosetta(text):
    assert "rosetta-python" not in ranked(text)[:1]


# -- an install the paste shows, then the import of what it installed -------------------------

DETECT_NO_CV2 = ("$ python detect.py\nTraceback (most recent call last):\n"
                 '  File "/home/me/proj/detect.py", line 2, in <module>\n    import cv2\n'
                 "ModuleNotFoundError: No module named 'cv2'")
# pip's resolver when no wheel fits (pip/_internal/resolution/resolvelib/factory.py)
PIP_NO_MATCH_CV = ("ERROR: Could not find a version that satisfies the requirement opencv-python "
                   "(from versions: none)\n"
                   "ERROR: No matching distribution found for opencv-python\n")


def test_the_modules_own_distribution_installed_is_another_interpreter():
    # opencv-python installs cv2: the install named the module's distribution
    shown = "$ pip install opencv-python\n" + DETECT_NO_CV2
    assert ranked(shown)[0] == "wrong-interpreter"
    assert hypotheses(shown)[1][0].evidence["installed_with"] == "$ pip install opencv-python"
    # the install failed, or installed something else: nothing says cv2 is anywhere
    assert ranked("$ pip install opencv-python\n" + PIP_NO_MATCH_CV + DETECT_NO_CV2)[0] != (
        "wrong-interpreter")
    assert ranked("$ pip install pillow\n" + DETECT_NO_CV2)[0] == "missing-dependency"
    # the kernel's own pip (IPython's %pip magic) installed it: the kernel is older
    assert ranked("%pip install opencv-python\nModuleNotFoundError: No module named 'cv2'")[
        :2] == ["kernel-not-restarted", "wrong-interpreter"]


# IPython 8's traceback of a cell importing a submodule
COMPAT_CELL = ("ModuleNotFoundError                       Traceback (most recent call last)\n"
               "Cell In[4], line 1\n----> 1 from tensorflow.compat import v1\n"
               "ModuleNotFoundError: No module named 'tensorflow.compat'")


def test_a_submodule_missing_after_the_notebook_installed_its_package_is_the_kernel():
    assert ranked("!pip install tensorflow==2.15.0\n" + COMPAT_CELL)[0] == "kernel-not-restarted"
    assert ranked("!pip install numpy==1.26.4\n" + COMPAT_CELL)[0] != "kernel-not-restarted"
    assert ranked(COMPAT_CELL)[0] != "kernel-not-restarted"


def test_a_local_copy_stays_first_when_the_environment_has_the_package_installed():
    """The installed package is what the shadow hides: the facts finding it installed must not
    turn the local folder into another interpreter."""
    from keras_doctor.explain import explain_text

    sys.path.insert(0, str(Path(__file__).parent.parent / "checks"))
    from factories import dist, mac_facts

    text = SHADOW_FOLDER.format(root="/Users/me/", s="/", package="proj/")
    facts = mac_facts(distributions=[dist(
        "tensorflow", "2.15.0", files=["tensorflow/__init__.py", "tensorflow/python/__init__.py"])])
    found = [f.cause for f in explain_text(text, facts).findings]
    assert found[0] == "shadowed-module", found
    assert "wrong-interpreter" not in found


# The system by its other names: `uname -s` prints Darwin, OS X, python.org's framework build,
# and macOS releases by name from Big Sur on (the first to run on Apple Silicon); the releases
# before it only ran on Intel Macs.
@pytest.mark.parametrize(("before", "first"), [
    ("$ uname -s\nDarwin\n", "rosetta-python"),
    ("OS X Big Sur 11.2, tensorflow 2.4\n", "rosetta-python"),
    ("Monterey 12.1\n", "rosetta-python"),
    ("/Library/Frameworks/Python.framework/Versions/3.8/bin/python3 -c 'import tensorflow'\n",
     "rosetta-python"),
    ("macOS Catalina 10.15.7\n", "cpu-lacks-avx"),
    ("$ uname -s\nLinux\n", "cpu-lacks-avx"),
])
def test_an_illegal_instruction_on_a_mac_named_any_way_is_rosetta(before, first):
    assert ranked(before + "Illegal instruction")[0] == first


# tensorflow/tensorflow#52972 and google-research/kubric#288: x86-64 TensorFlow in Docker on an
# Apple Silicon Mac, run by QEMU's user-mode emulation, which says so in its own words
_AVX_ABORT = ("The TensorFlow library was compiled to use AVX instructions, but these aren't "
              "available on your machine.\n")
_QEMU = "qemu: uncaught target signal 6 (Aborted) - core dumped\nAborted\n"


@pytest.mark.parametrize("emulated", [
    "Cannot run TensorFlow 2.7 in Docker on M1 (Apple Silicon)\n> docker run -it "
    "tensorflow/tensorflow /bin/bash\n> python -c \"import tensorflow\"\n" + _AVX_ABORT + _QEMU,
    "Running docker image on Mac M2\n" + _AVX_ABORT + _QEMU,
    "On my M1 MacBook: docker run --platform linux/amd64 python:3.8-buster\n"
    "> python -c \"import tensorflow\"\nIllegal instruction (core dumped)\n",
    "Docker Desktop with Rosetta on an M2 Mac\nrosetta error: failed to open elf at "
    "/lib64/ld-linux-x86-64.so.2\n" + _AVX_ABORT,
    # replicate/cog#958: Docker's warning for an amd64 image on an arm64 host, no emulator line
    "On a Mac M1 Pro\nWARNING: The requested image's platform (linux/amd64) does not match the "
    "detected host platform (linux/arm64/v8) and no specific platform was requested\n"
    + _AVX_ABORT,
])
def test_an_emulated_linux_container_on_apple_silicon_lacks_avx_not_a_mac_python(emulated):
    found = hypotheses(emulated)[1]
    assert found[0].cause == "cpu-lacks-avx"
    assert found[0].evidence["emulator_says"]
    assert "rosetta-python" not in [h.cause for h in found]


@pytest.mark.parametrize("native", [
    "Running on Mac M2\n" + _AVX_ABORT,
    "On my M1 MacBook\n> python -c \"import tensorflow\"\n"
    "zsh: illegal hardware instruction  python",
])
def test_the_same_crash_on_the_mac_itself_stays_rosetta(native):
    found = hypotheses(native)[1]
    assert found[0].cause == "rosetta-python"
    assert "emulator_says" not in next(h for h in found if h.cause == "cpu-lacks-avx").evidence


# tilt-dev/pixeltilt#44, paulpierre/RasaGPT#15: TensorFlow's AVX line on a Mac whose report says
# the program ran in a container, with no emulator line
@pytest.mark.parametrize("paste", [
    "M1 compatibility: building the docker image locally, then on the object-detector service\n"
    "> F tensorflow/core/platform/cpu_feature_guard.cc:37] " + _AVX_ABORT,
    "I have Mac os with 13.2.1 and build the containers using `make install`\n" + _AVX_ABORT,
])
def test_a_macs_avx_crash_in_a_container_is_the_container_not_a_mac_python(paste):
    found = hypotheses(paste)[1]
    assert [h.cause for h in found[:2]] == ["cpu-lacks-avx", "rosetta-python"]
    assert found[0].evidence["container_says"]


def test_the_same_words_of_a_containers_host_without_a_mac_change_nothing():
    # on Linux the AVX line is the CPU's (or a VM's) whatever runs it: no container evidence
    found = hypotheses("docker run my-image\n" + _AVX_ABORT + "Aborted (core dumped)\n")[1]
    assert found[0].cause == "cpu-lacks-avx"
    assert "container_says" not in found[0].evidence
    assert "rosetta-python" not in [h.cause for h in found]


@pytest.mark.parametrize("paste", [
    "Running docker image on Mac M2\n" + _AVX_ABORT + _QEMU,
    "I have Mac os with 13.2.1 and build the containers using `make install`\n" + _AVX_ABORT,
])
def test_an_emulated_container_is_fixed_with_an_arm64_image(paste):
    from keras_doctor.explain.engine import explain

    first = explain(paste).findings[0]
    assert first.cause == "cpu-lacks-avx"
    # the arm64 image first: the Mac's own `platform.machine()` check would mislead in a container
    assert "--platform linux/arm64" in first.fix[0].description
    assert len(first.fix) == 1


def test_a_plain_illegal_instruction_is_not_fixed_with_a_container():
    from keras_doctor.explain.engine import explain

    plain = explain("Illegal instruction (core dumped)\n").findings[0]
    assert plain.cause == "cpu-lacks-avx"
    assert "linux/arm64" not in " ".join(step.description for step in plain.fix)


# tensorflow/tensorflow#56131: `from tensorflow import keras` run in the folder a source build
# left its package tree in; CPython names the file it imported from
_IMPORTED_FROM = ("ImportError: cannot import name 'build_info' from 'tensorflow.python.platform' "
                  "({path})")


@pytest.mark.parametrize("path", [
    "/Users/andyueng/samba/workspace_TensorFlow2/tensorflow-2.9.0_pip_package/tensorflow/python/"
    "platform/__init__.py",
    "C:\\Users\\me\\src\\tensorflow\\python\\platform\\__init__.py",
])
def test_a_name_imported_from_a_local_package_tree_is_shadowed(path):
    found = hypotheses(_IMPORTED_FROM.format(path=path))[1]
    assert found[0].cause == "shadowed-module"
    assert found[0].evidence["path"] == path


@pytest.mark.parametrize("path", [
    "/Users/me/venv/lib/python3.9/site-packages/tensorflow/python/platform/__init__.py",
    "/usr/lib/python3/dist-packages/tensorflow/python/platform/__init__.py",
    "C:\\Users\\me\\AppData\\Local\\Temp\\_MEI52402\\tensorflow\\python\\platform\\__init__.py",
    "/Applications/Tool.app/Contents/Resources/lib/tensorflow/python/platform/__init__.py",
    "/Users/me/src/tensorflow_models/python/platform/__init__.py",
])
def test_a_name_imported_from_an_installed_or_bundled_package_is_not_shadowed(path):
    found = hypotheses(_IMPORTED_FROM.format(path=path))[1]
    assert "shadowed-module" not in [h.cause for h in found][:1]


# googlecolab/colabtools#503: a cell installs TensorFlow 2.0.0-alpha0 after TensorFlow was imported,
# and the session goes on reporting the release it imported first
_INSTALLED_IN_A_CELL = "!pip install -q tensorflow==2.0.0-alpha0\nimport tensorflow as tf\n"


@pytest.mark.parametrize("reported", [
    "print(tf.__version__)\n1.13.1\n",
    "when I run print(tf.__version__) it shows 1.13.1\n",
])
def test_a_session_reporting_another_release_than_its_cell_installed_is_the_kernel(reported):
    found = hypotheses(_INSTALLED_IN_A_CELL + reported)[1]
    assert found[0].cause == "kernel-not-restarted"
    assert (found[0].evidence["installed"], found[0].evidence["running"]) == ("2.0.0a0", "1.13.1")


@pytest.mark.parametrize("paste", [
    _INSTALLED_IN_A_CELL + "print(tf.__version__)\n2.0.0-alpha0\n",  # the release installed
    "$ pip install tensorflow==2.0.0-alpha0\n>>> print(tf.__version__)\n1.13.1\n",  # no cell
    "!pip install tensorflow==2.0.0-alpha0 keras==2.2.4\nprint(tf.__version__)\n1.13.1\n",  # whose?
    _INSTALLED_IN_A_CELL + "print(tf.__version__)\n",  # nothing reported
])
def test_the_same_release_or_no_cell_install_is_no_stale_kernel(paste):
    assert "kernel-not-restarted" not in [h.cause for h in hypotheses(paste)[1]][:1]


def _incompatible(have: str, need: str) -> str:
    # numpy/numpy#26918 (an M3, a venv made by an x86_64 Python): dyld's refusal of numpy's arm64
    # extension, quoted as dyld prints it
    return ("ImportError: dlopen(/Users/nicholas/venv/lib/python3.12/site-packages/numpy/_core/"
            "_multiarray_umath.cpython-312-darwin.so, 0x0002): tried: '/Users/nicholas/venv/lib/"
            "python3.12/site-packages/numpy/_core/_multiarray_umath.cpython-312-darwin.so' "
            f"(mach-o file, but is an incompatible architecture (have '{have}', need '{need}'))\n")


def test_an_arm64_binary_an_x86_64_python_refuses_names_rosetta_as_the_runner_up():
    """dyld says which side is which: a binary that has arm64 where the process needs x86_64 is
    an Intel Python (Rosetta 2) loading an Apple Silicon build; the reverse is no Rosetta."""
    ranked = hypotheses(_incompatible("arm64", "x86_64"))[1]
    assert ranked[0].cause == "mixed-arch-binary"
    rosetta = [h for h in ranked if h.cause == "rosetta-python"]
    assert rosetta and rosetta[0].evidence["interpreter_arch"] == "x86_64"
    reverse = [h.cause for h in hypotheses(_incompatible("x86_64", "arm64"))[1]]
    assert reverse[0] == "mixed-arch-binary" and "rosetta-python" not in reverse


# -- `python -m X`: runpy's message names the interpreter that looked ----------------------------


@pytest.mark.parametrize("line", [
    "/usr/bin/python: No module named tf2onnx",
    '"/usr/bin/python: No module named tf2onnx"',  # tf2onnx#1471 quotes it in prose
    "$ /home/ada/venv/bin/python3.10: No module named tf2onnx",
    "C:\\Python39\\python.exe: No module named tf2onnx",
])
def test_python_dash_m_without_the_module_is_this_interpreter_lacking_it(line):
    found = hypotheses(line)[1]
    assert [h.cause for h in found[:2]] == ["missing-dependency", "wrong-interpreter"]
    assert found[0].evidence["interpreter"].endswith(("python", "python3.10", "python.exe"))


def test_python_dash_m_after_installing_the_module_is_another_interpreter():
    text = ("I installed the latest tf2onnx with pip, then ran python -m tf2onnx.convert:\n"
            "/usr/bin/python: No module named tf2onnx")
    assert ranked(text)[:2] == ["wrong-interpreter", "missing-dependency"]


@pytest.mark.parametrize("text", [
    # a submodule: its package imported, so this interpreter has it
    "/usr/bin/python: No module named tf2onnx.convert_v2",
    "ModuleNotFoundError: No module named 'tf2onnx'",  # an import, not `python -m`
])
def test_only_runpys_own_line_names_the_interpreter(text):
    found = hypotheses(text)[1]
    assert all("interpreter" not in h.evidence for h in found)



# -- Apple's tensorflow-macos not found: an Intel Mac has no Rosetta -------------------------------

MACOS_WHEEL_NOT_FOUND = (
    "Python 3.9 on {mac}, no GPU\n"
    "ERROR: Could not find a version that satisfies the requirement {name}>=2.7.0 "
    "(from versions: none)\n"
    "ERROR: No matching distribution found for {name}>=2.7.0\n")


@pytest.mark.parametrize("mac, name", [
    ("a 2017 MacBook Pro with macOS Ventura 13.3, Intel CPU", "tensorflow-macos"),
    ("an Intel Mac", "tensorflow-macos"),
    ("an Intel Mac", "Tensorflow-Metal"),  # pip echoes the requirement as it was typed
])
def test_apples_wheels_not_found_on_an_intel_mac_are_the_platform_not_rosetta(mac, name):
    findings = explain_text(MACOS_WHEEL_NOT_FOUND.format(mac=mac, name=name)).findings
    found = [f.cause for f in findings]
    assert found[0] in ("no-wheel-for-platform", "no-wheel-for-python")  # the tables decide
    assert "rosetta-python" not in found
    assert "Intel" in findings[0].evidence["intel_mac"]  # what made it the Intel Mac's


def test_apples_wheels_not_found_on_a_mac_of_no_known_chip_may_be_rosetta():
    found = [f.cause for f in explain_text(MACOS_WHEEL_NOT_FOUND.format(
        mac="a MacBook Pro with macOS Ventura 13.3", name="tensorflow-macos")).findings]
    assert found[0] == "rosetta-python"


class _AppleWheelMissing:
    """What the no-wheel signature read: the requirement pip could not satisfy."""

    def __init__(self, requirement: str) -> None:
        self.requirement = requirement

    def first(self, group: str) -> str:
        return self.requirement if group == "requirement" else ""


@pytest.mark.parametrize("text, intel", [
    ("Python 3.9 on an Intel Mac", True),  # a Mac that cannot run Rosetta
    ("Ubuntu 22.04, Python 3.10", False),  # no Mac at all: Apple's wheels are macOS-only
])
def test_apples_wheels_missing_off_apple_silicon_put_the_platform_well_above_the_python(text,
                                                                                      intel):
    """The weights the wheel tables start from, where no table decides (an unlisted release)."""
    from types import SimpleNamespace

    from keras_doctor.explain import resolve

    outcomes = resolve._no_wheel(_AppleWheelMissing("tensorflow-metal==9.9"),
                                 SimpleNamespace(text=text))
    assert [cause for cause, _, _ in outcomes] == ["no-wheel-for-platform", "no-wheel-for-python"]
    (platform, python) = [weight for _, weight, _ in outcomes]
    assert 1 >= platform > python > 0
    assert ("intel_mac" in outcomes[0][2]) is intel
