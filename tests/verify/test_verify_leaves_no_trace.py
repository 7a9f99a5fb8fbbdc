"""verify only looks: the environment it imports from is as it was, bytecode caches included.

An environment installed without bytecode (uv's default) gains `__pycache__` folders in every
package an import reads, unless the importing interpreter is told not to write them; a fix's
verify step would then leave them behind its rollback, in packages the fix never touched.
"""

from __future__ import annotations

import subprocess
import sys

from keras_doctor.verify import run_verify


def test_verify_writes_no_bytecode_into_the_packages_it_imports(tmp_path, fake_packages,
                                                               monkeypatch):
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    init = fake_packages("numpy/__init__.py", "from numpy import version\n"
                         "__version__ = version.VERSION\n")
    fake_packages("numpy/version.py", "VERSION = '1.26.4'\n")
    packages = init.parent.parent

    report = run_verify(str(env / "bin" / "python"), timeout=60)

    assert report.extra["steps"][0]["name"] == "python"
    assert {s["name"]: s["status"] for s in report.extra["steps"]}["numpy"] == "ok"
    assert sorted(p.relative_to(packages).as_posix() for p in packages.rglob("*")) == [
        "numpy", "numpy/__init__.py", "numpy/version.py"]
