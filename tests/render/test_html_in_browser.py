"""The HTML page as a person sees it: rendered by a real browser (headless Chromium).

Served without a charset header (as a file server or an issue attachment does), the page must keep
its ✓ and — (its own `<meta charset>`), wrap commands only at spaces, and follow a dark system
theme. Screenshots are kept in build/test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
import render_samples as samples

from keras_doctor.render import render_to_string

ARTIFACTS = Path(__file__).parents[2] / "build" / "test-artifacts"
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which(
    "google-chrome")
if not BROWSER and os.environ.get("KERAS_DOCTOR_REQUIRE_BROWSER") == "1":
    raise RuntimeError("Chromium is required here (.ci/run installs it) but was not found")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not BROWSER, reason="Chromium is not installed "
                                                     "(apt-get install chromium)")]

# Test-only: measures where each command wrapped and what the page's colours are, and writes the
# answer into the DOM for --dump-dom. The page itself never carries a script.
PROBE = """<script>
addEventListener('load', () => {
  const breaks = [];
  for (const pre of document.querySelectorAll('pre.command')) {
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    let lastTop = null, previous = '';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (let i = 0; i < text.length; i++) {
        const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
        const rect = r.getClientRects()[0];
        if (rect && lastTop !== null && rect.top > lastTop + 2)
          breaks.push({before: previous, at: pre.textContent.slice(0, 40)});
        if (rect) lastTop = rect.top;
        previous = text[i];
      }
    }
  }
  const style = getComputedStyle(document.body);
  const out = document.createElement('pre'); out.id = 'probe';
  out.textContent = JSON.stringify({breaks, background: style.backgroundColor,
                                    color: style.color, width: document.body.scrollWidth,
                                    viewport: innerWidth});
  document.documentElement.appendChild(out);
});
</script>"""


def _serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _chromium(*args: str, dark: bool = False, width: int = 700) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="kd-chromium-")
    try:
        argv = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", f"--window-size={width},1400",
                "--virtual-time-budget=3000", *( ["--force-dark-mode"] if dark else []), *args]
        return subprocess.run(argv, capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _png_size(path: Path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def served(tmp_path):
    page = render_to_string(samples.check_report(), "html", verbose=True)
    (tmp_path / "report.html").write_text(page, encoding="utf-8")
    (tmp_path / "probe.html").write_text(page.replace("</body>", PROBE + "</body>"),
                                         encoding="utf-8")
    httpd = _serve(tmp_path)
    yield f"http://127.0.0.1:{httpd.server_address[1]}", page
    httpd.shutdown()


def _probe(base: str, **options) -> dict:
    out = _chromium("--dump-dom", f"{base}/probe.html", **options)
    found = re.search(r'<pre id="probe">(.*?)</pre>', out.stdout, re.S)
    assert found, out.stderr[-2000:]
    import html

    return json.loads(html.unescape(found.group(1)))


def test_served_without_a_charset_the_glyphs_survive(served):
    base, _ = served
    dom = _chromium("--dump-dom", f"{base}/report.html").stdout
    assert "✓" in dom and "—" in dom and "✗" in dom
    assert "âœ" not in dom and "â€" not in dom  # what a page without <meta charset> shows
    assert "<code>keras-doctor causes" in dom or "<code>keras-doctor fix" in dom


def test_commands_wrap_only_at_spaces_and_the_page_does_not_scroll_sideways(served):
    base, _ = served
    found = _probe(base, width=560)
    assert found["breaks"], "a narrow window must wrap the long commands"
    inside_words = [b for b in found["breaks"] if b["before"] != " "]
    assert not inside_words, inside_words
    assert found["width"] <= found["viewport"]


def test_light_and_dark_follow_the_system_and_screenshots_are_kept(served):
    base, _ = served
    light, dark = _probe(base), _probe(base, dark=True)
    assert light["background"] != dark["background"]
    assert dark["background"] in ("rgb(30, 30, 30)",) and light["background"] == \
        "rgb(255, 255, 255)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, dark_mode in (("report-light.png", False), ("report-dark.png", True)):
        shot = ARTIFACTS / name
        if shot.exists():
            shot.unlink()
        _chromium(f"--screenshot={shot}", f"{base}/report.html", dark=dark_mode, width=1000)
        assert shot.exists() and _png_size(shot) == (1000, 1400)
        assert shot.stat().st_size > 20_000  # text was drawn, not a blank page
    assert (ARTIFACTS / "report-light.png").read_bytes() != \
        (ARTIFACTS / "report-dark.png").read_bytes()


def test_a_block_shows_the_worst_it_holds_and_its_consequences_on_one_line(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "checks"))
    from factories import dist, mac_facts

    from keras_doctor.checks.registry import run_checks

    report = run_checks(mac_facts(distributions=[
        dist("tensorflow", "2.15.1", requires=["keras<2.16,>=2.15.0"]),
        dist("keras", "3.5.0", requires=["rich", "namex", "optree"])]))
    (tmp_path / "skew.html").write_text(render_to_string(report, "html"), encoding="utf-8")
    httpd = _serve(tmp_path)
    try:
        dom = _chromium("--dump-dom",
                        f"http://127.0.0.1:{httpd.server_address[1]}/skew.html").stdout
    finally:
        httpd.shutdown()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", dom))
    assert "1 error (and 3 consequences folded under it) in " in text
    assert 'class="finding error"' in dom and 'class="finding warning"' not in dom
    assert "✗ keras 3.5.0 is newer than tensorflow 2.15.1 supports" in text  # the root
    assert dom.count("<li>and ") == 1 and "missing-dependency" not in dom
    assert "and 3 dependencies keras needs are absent (rich, namex, optree)" in text
