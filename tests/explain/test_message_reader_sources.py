"""The message reader on real source files: each file under tests/data/sources is a member of a real
wheel, copied byte for byte (its name says which release and which member), so each test shows a
message the package really prints being read, and a look-alike the reader must leave alone.

Expected messages are written out by hand from the source text, not produced by the reader.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from keras_doctor.knowledge.build.messages import HOLE, Package, messages_of

SOURCES = Path(__file__).parent.parent / "data" / "sources"
DEMO = Package("demo", ("demo",), ("1.0",))
H = HOLE


def read(name: str, member: str) -> set:
    """(kind, message) pairs the reader finds in a real file, read as wheel member `member`."""
    return set(messages_of(member, (SOURCES / name).read_bytes(), DEMO))


def read_text(source: str) -> set:
    return set(messages_of("demo/x.py", textwrap.dedent(source).encode(), DEMO))


def test_a_message_bound_at_module_level_is_read_where_a_function_raises_it():
    """keras-2.15.0-py3-none-any.whl, keras/src/engine/functional_utils.py (its first 50 lines):
    `_KERAS_TENSOR_TYPE_CHECK_ERROR_MSG = (…)` at the top, `.format(tensor)`'d in a raise."""
    found = read("keras-2.15.0-functional_utils-lines-1-50.py",
                 "keras/src/engine/functional_utils.py")
    assert found == {("ValueError",
                      "Found unexpected instance while processing input tensors for keras "
                      "functional model. Expecting KerasTensor which is from tf.keras.Input() or "
                      f"output from keras layer call(). Got: {H}")}


def test_a_parameter_hides_the_module_name_it_shadows():
    found = read_text('''
        MSG = "The module level message that is never raised here"
        def f(MSG):
            raise ValueError(MSG)
        def g():
            raise ValueError(MSG)
    ''')
    assert found == {("ValueError", "The module level message that is never raised here")}
    assert read_text('''
        MSG = "The module level message that is never raised here"
        def f(MSG):
            raise ValueError(MSG)
    ''') == set()


def test_an_exception_class_s_str_and_its_base_init_carry_its_message():
    """numpy-2.4.6 wheel, numpy/_core/_exceptions.py: the ufunc and memory errors say their
    message in `__str__`; the base `__init__(ufunc)` is handed no text."""
    found = read("numpy-2.4.6-_exceptions.py", "numpy/_core/_exceptions.py")
    assert found == {
        ("_UFuncNoLoopError",
         f"ufunc {H} did not contain a loop with signature matching types {H} -> {H}"),
        ("_UFuncBinaryResolutionError", f"ufunc {H} cannot use operands with types {H} and {H}"),
        ("_UFuncInputCastingError",
         f"Cannot cast ufunc {H} input {H}from {H} to {H} with casting rule {H}"),
        ("_UFuncOutputCastingError",
         f"Cannot cast ufunc {H} output {H}from {H} to {H} with casting rule {H}"),
        ("_ArrayMemoryError",
         f"Unable to allocate {H} for an array with shape {H} and data type {H}"),
    }


def test_a_str_outside_an_exception_class_is_not_a_message():
    assert read_text('''
        class Shape:
            def __str__(self):
                return f"a shape with {self.rank} dimensions and no known size"
        class Odd(Shape):
            def __init__(self, text):
                super().__init__("this call hands text to a base that is no exception")
    ''') == set()


def test_pip_s_diagnostic_errors_lose_rich_s_markup_and_keep_their_keyword_message():
    """pip-26.3-py3-none-any.whl, pip/_internal/exceptions/build.py: `super().__init__(message=…)`
    and `DiagnosticPipError.__init__(self, message=…)`; `[green]…[/]` is console markup the
    terminal never shows (rich's `Text.from_markup`)."""
    found = read("pip-26.3-exceptions-build.py", "pip/_internal/exceptions/build.py")
    assert {m for m in found if m[0] != "InstallationSubprocessError"} == {
        ("VenvImportError", "Cannot import the 'venv' module of the Python standard library"),
        ("VenvCreationError", "Cannot create a virtual environment"),
        ("BackendUnavailableError", f"Cannot import build backend {H}."),
    }
    assert {m for _, m in found if "did not run" in m} == {
        f"{H} did not run successfully.", f"{H} did not run successfully. exit code: {H}"}
    assert not any("[" in m for _, m in found)


def test_brackets_that_are_not_console_markup_stay():
    assert read_text('''
        def f(x):
            raise ValueError("Expected input of shape [batch, features] but got [red] values")
    ''') == {("ValueError", "Expected input of shape [batch, features] but got values")}


def test_a_reporter_s_callers_fill_in_its_message():
    """protobuf-5.29.5 wheel, google/protobuf/runtime_version.py: `_ReportVersionError(msg)` raises
    `VersionError(msg)`; each caller's f-string is the message (with `error_prompt`, a text bound
    once in the function, read in)."""
    found = read("protobuf-5.29.5-runtime_version.py", "google/protobuf/runtime_version.py")
    prompt = ("See Protobuf version guarantees at "
              "https://protobuf.dev/support/cross-version-runtime-guarantee.")
    v = f"{H}.{H}.{H}"
    assert {m for k, m in found if k == "VersionError"} == {
        f"Invalid gencode version: {v}",
        f"Detected mismatched Protobuf Gencode/Runtime domains when loading {H}: gencode {H} "
        f"runtime {H}. Cross-domain usage of Protobuf is not supported.",
        f"Detected mismatched Protobuf Gencode/Runtime major versions when loading {H}: gencode "
        f"{v} runtime {v}. Same major version is required. {prompt}",
        f"Detected incompatible Protobuf Gencode/Runtime versions when loading {H}: gencode {v} "
        f"runtime {v}. Runtime version cannot be older than the linked gencode version. {prompt}",
        f"Detected mismatched Protobuf Gencode/Runtime version suffixes when loading {H}: "
        f"gencode {v} runtime {v}. Version suffixes must be the same. {prompt}",
    }


def test_a_reporter_is_not_filled_by_a_look_alike_call_or_an_unknown_text():
    found = read_text('''
        def report(msg):
            raise VersionError(msg)
        def caller(thing, text):
            report(f"Detected a broken gencode while loading {thing} here")
            report(text)
            thing.report("An unrelated call of another class's method")
        class A:
            def fail(self, msg):
                raise LoadError(msg)
            def go(self, other):
                self.fail("The file could not be opened for reading")
                other.fail("Another object's method of the same name")
    ''')
    assert found == {("VersionError", f"Detected a broken gencode while loading {H} here"),
                     ("LoadError", "The file could not be opened for reading")}


def test_warn_imported_under_another_name_prints_a_warning():
    """h5py-3.16.0 wheel, h5py/__init__.py: `from warnings import warn as _warn`, then HDF5's
    version skew warning."""
    found = read("h5py-3.16.0-__init__.py", "h5py/__init__.py")
    assert ("warning", f"h5py is running against HDF5 {H} when it was built against {H}, this may "
                       "cause problems") in found
    assert read_text('''
        from mylib import warn as _warn
        _warn("a function of that name from another module prints nothing we know")
    ''') == set()


def test_sys_exit_with_a_text_prints_it():
    """pip-26.3-py3-none-any.whl, pip/_internal/locations/base.py."""
    found = read("pip-26.3-locations-base.py", "pip/_internal/locations/base.py")
    assert ("SystemExit", "The folder you are executing pip from can no longer be found.") in found
    assert read_text('''
        import sys
        def main():
            sys.exit(1)
            sys.exit(run("a call whose result is the status, not a message"))
            exit(2)
    ''') == set()


def test_a_name_bound_once_is_read_into_an_f_string_and_one_bound_twice_stays_a_hole():
    found = read_text('''
        def f(kind, padding):
            hint = "Upgrade the package to the newest release."
            if kind:
                padding = "VALID"
            raise ValueError(f"The layer cannot use padding {padding}. {hint}")
    ''')
    assert found == {("ValueError",
                      f"The layer cannot use padding {H}. Upgrade the package to the newest "
                      "release.")}
    assert read_text('''
        def f(kind):
            hint = "Upgrade the package to the newest release."
            if kind:
                hint = "Downgrade the package to the older release."
            raise ValueError(f"The layer cannot be built here. {hint}")
    ''') == {("ValueError", f"The layer cannot be built here. {H}")}


def test_a_logger_got_by_get_logger_logs_a_message():
    found = read_text('''
        import logging
        def f(x):
            logging.getLogger(__name__).warning("The plugin could not be loaded from the path")
            make(__name__).warning("Something that no logger prints to the user here")
    ''')
    assert found == {("log", "The plugin could not be loaded from the path")}
