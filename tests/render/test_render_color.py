"""When the terminal report is coloured: a terminal yes, a pipe or NO_COLOR no, `color=` decides."""

from __future__ import annotations

import builtins
import io
import os
import re
import threading

import pytest
import render_samples as samples

from keras_doctor.render import render, render_to_string

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def rendered(file: io.StringIO, color=None) -> str:
    render(samples.check_report(), "terminal", file=file, color=color, width=100)
    return file.getvalue()


@pytest.fixture(autouse=True)
def colour_capable_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def test_a_terminal_gets_colour():
    assert ANSI.search(rendered(FakeTerminal()))


def test_a_pipe_or_file_gets_none():
    assert not ANSI.search(rendered(io.StringIO()))


@pytest.mark.parametrize("value", ["1", "", "false"])
def test_no_color_with_any_value_turns_it_off(monkeypatch, value):
    monkeypatch.setenv("NO_COLOR", value)
    assert not ANSI.search(rendered(FakeTerminal()))


def test_a_dumb_terminal_gets_none(monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    assert not ANSI.search(rendered(FakeTerminal()))


def test_color_true_forces_it_even_into_a_pipe_with_no_color_set(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    assert ANSI.search(rendered(io.StringIO(), color=True))


def test_force_color_colours_a_pipe_but_no_color_wins(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ANSI.search(rendered(io.StringIO()))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not ANSI.search(rendered(io.StringIO()))
    monkeypatch.setenv("FORCE_COLOR", "")
    monkeypatch.delenv("NO_COLOR")
    assert not ANSI.search(rendered(io.StringIO()))


def test_render_to_string_is_plain_unless_asked(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not ANSI.search(render_to_string(samples.check_report(), "terminal"))
    assert ANSI.search(render_to_string(samples.check_report(), "terminal", color=True))


def test_color_false_forbids_it_on_a_terminal():
    assert not ANSI.search(rendered(FakeTerminal(), color=False))


def test_coloured_text_is_the_plain_text_plus_colour_codes():
    plain = render_to_string(samples.check_report(), "terminal", verbose=True, width=90)
    coloured = render_to_string(
        samples.check_report(), "terminal", verbose=True, width=90, color=True
    )
    assert coloured != plain
    assert ANSI.sub("", coloured) == plain


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_real_pseudo_terminal_gets_colour():
    leader, follower = os.openpty()
    tty = os.fdopen(follower, "w", encoding="utf-8")

    def write_and_close() -> None:
        with tty:
            render(samples.check_report(), "terminal", file=tty)

    writer = threading.Thread(target=write_and_close)  # a pty buffer is small: read meanwhile
    writer.start()
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # Linux reports EIO once the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
        if not writer.is_alive() and b"for details" in b"".join(chunks):
            break
    writer.join()
    os.close(leader)
    output = b"".join(chunks).decode("utf-8")
    assert ANSI.search(output)
    assert "mixed-arch-binary" in output


class ZMQInteractiveShell:
    """What rich looks for to decide it runs in a Jupyter kernel."""


def test_a_notebook_does_not_divert_the_output(monkeypatch):
    """rich sends output to IPython's display in a notebook; the report must reach its file."""
    monkeypatch.setattr(builtins, "get_ipython", ZMQInteractiveShell, raising=False)
    out = FakeTerminal()
    rendered(out, color=True)
    assert "keras-doctor check" in out.getvalue()
    assert ANSI.search(out.getvalue())
