"""The README's example outputs, produced by real runs on the test suite's real environments.

Each example in README.md sits in a ```text block right after a `<!-- example: NAME -->` marker;
its first line is the command as a person types it, the rest is what keras-doctor printed on a
100-column terminal (a real pty; standard output only, so fix's spinner is not in it).
`tests/test_docs.py` checks every example against a fresh run; when the renderer or the knowledge
changes what a person sees, regenerate them all with

    python tests/readme_examples.py          # rewrites README.md in place

The runs happen in a folder whose path is as long as `/home/ada` (`/tmp/` and four characters),
reached through symlinks (`tf`, `tf215`, `.local` → the environments and keras-doctor's own), so
the one edit made afterwards — that folder's path becomes `/home/ada` — moves no line break.

Two installations are shown, as users have them: keras-doctor with its `[uv]` extra (uv beside it,
so `check` prints the plan `fix` runs, through uv), and keras-doctor installed with plain pip (no
uv anywhere: `check` shows each finding's own commands and `fix` resolves with pip). The pip one
is a real separate virtualenv holding keras-doctor, its two dependencies and pip, run with a PATH
that holds no uv; its targets are virtualenvs with pip in them, as `python -m venv` makes them.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "cli"))

import envs  # noqa: E402
from ptyterm import run_on_terminal  # noqa: E402

TF = "2.21.0"
HOME = "/home/ada"
MARKER = re.compile(r"<!-- example: ([a-z0-9-]+) -->\n```text\n(.*?)```", re.S)


class Workspace:
    """`/tmp/XXXX`, as long as /home/ada; removed on exit (its links, never what they point at)."""

    def __enter__(self) -> Workspace:
        while True:
            folder = Path("/tmp") / secrets.token_hex(2)
            try:
                folder.mkdir()
                break
            except FileExistsError:
                continue
        assert len(str(folder)) == len(HOME)
        self.path = folder
        self.pip_bin: Optional[Path] = None
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def link(self, name: str, to: Path) -> Path:
        link = self.path / name
        if link.is_symlink():
            link.unlink()
        link.symlink_to(to)
        return link

    def pip_installed_doctor(self) -> Path:
        """keras-doctor installed without its uv extra into its own virtualenv (pip, packaging,
        rich and keras-doctor itself from this checkout): its `bin` folder."""
        if self.pip_bin is None:
            folder = self.path / "kd-pip"
            uv = envs.uv_executable()
            subprocess.run([uv, "venv", "-q", "--seed", "--python", "3.11", str(folder)],
                           check=True)
            subprocess.run([uv, "pip", "install", "-q", "--python", str(folder / "bin" / "python"),
                            str(ROOT)], check=True)
            envs.install_instrumented_runtime(folder / "bin" / "python")
            assert not (folder / "bin" / "uv").exists()
            self.pip_bin = folder / "bin"
        return self.pip_bin

    def doctor(self, pip: bool) -> List[str]:
        """keras-doctor as the example's user has it: the pip installation, or this checkout's
        environment (with uv beside it) reached as ~/.local."""
        if pip:
            return [str(self.pip_installed_doctor() / "keras-doctor")]
        own = Path(sys.prefix)
        assert (own / "bin" / "uv").exists(), f"no uv beside {sys.executable}: install '.[uv]'"
        return [str(self.link(".local", own) / "bin" / "python"), "-m", "keras_doctor"]

    def environment(self, pip: bool, **extra: str) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "KERAS_BACKEND", "FORCE_COLOR")}
        env.update(NO_COLOR="1", **extra)
        if pip:
            env["PATH"] = os.pathsep.join([str(self.pip_installed_doctor()), "/usr/bin", "/bin"])
            assert shutil.which("uv", path=env["PATH"]) is None, "uv is on the plain PATH"
        return env

    def run(self, argv: List[str], *, pip: bool, cwd: Optional[Path] = None, **extra: str) -> str:
        _, screen = run_on_terminal([*self.doctor(pip), *argv], columns=100, rows=50,
                                    env=self.environment(pip, **extra),
                                    cwd=str(cwd or self.path), stderr_tty=False, timeout=900)
        return screen.replace(str(self.path), HOME)


def _tf_and_tf_cpu(pip: bool) -> Path:
    # check reads tensorflow-cpu's files but never imports them, so that second gigabyte is laid
    # over hollow, as the checks' own scenario does (without pip, the very same environment)
    return envs.venv("tf-and-tf-cpu-pip" if pip else "tf-and-tf-cpu", [[f"tensorflow=={TF}"]],
                     seed=pip, hollow_over=[f"tensorflow-cpu=={TF}"])


def _tf215_numpy2(pip: bool) -> Path:
    steps = [["tensorflow-cpu==2.15.1"], ["--no-deps", "numpy==2.1.3"]]
    return envs.venv("numpy2-over-tf215-pip" if pip else "numpy2-over-tf215", steps, seed=pip)


def example_check(ws: Workspace, pip: bool) -> str:
    """`check` in an activated virtualenv holding tensorflow and tensorflow-cpu, with
    KERAS_BACKEND=jax exported and a keras.py in the working directory."""
    env_dir = ws.link("tf", _tf_and_tf_cpu(pip))
    project = ws.path / "project"
    project.mkdir(exist_ok=True)
    (project / "keras.py").write_text("# my experiments\n")
    out = ws.run(["check"], pip=pip, cwd=project, VIRTUAL_ENV=str(env_dir), KERAS_BACKEND="jax")
    return "$ source ~/tf/bin/activate; export KERAS_BACKEND=jax; keras-doctor check\n" + out


def example_explain(ws: Workspace) -> str:
    python = envs.venv_python(ws.link("tf215", _tf215_numpy2(pip=False)))
    error = subprocess.run([str(python), "-c", "import tensorflow"], capture_output=True,
                           text=True, timeout=300).stderr
    (ws.path / "error.txt").write_text(error)
    out = ws.run(["explain", "--python", str(python), "error.txt"], pip=False)
    return ('$ ~/tf215/bin/python -c "import tensorflow" 2> error.txt; '
            "keras-doctor explain --python ~/tf215/bin/python error.txt\n" + out)


def example_fix(ws: Workspace, pip: bool) -> str:
    ws.link("tf215", _tf215_numpy2(pip))
    out = ws.run(["fix", "--python", "./tf215/bin/python"], pip=pip)
    return "$ keras-doctor fix --python ./tf215/bin/python\n" + out


def example_recommend(ws: Workspace) -> str:
    argv = ["recommend", "--platform", "macos-arm64", "--python-version", "3.12"]
    return "$ keras-doctor " + " ".join(argv) + "\n" + ws.run(argv, pip=False)


def examples(ws: Workspace) -> Dict[str, Callable[[], str]]:
    """Each README example by name, as a function producing it from a real run."""
    return {
        "check-uv": lambda: example_check(ws, pip=False),
        "check-pip": lambda: example_check(ws, pip=True),
        "explain": lambda: example_explain(ws),
        "fix-uv": lambda: example_fix(ws, pip=False),
        "fix-pip": lambda: example_fix(ws, pip=True),
        "recommend": lambda: example_recommend(ws),
    }


def in_readme(readme: str) -> Dict[str, str]:
    return dict(MARKER.findall(readme))


def comparable(text: str) -> List[str]:
    """What must match, line for line: the Python patch version and trailing blanks let go."""
    text = re.sub(r"Python 3\.\d+\.\d+", "Python 3.X", text)
    return [line.rstrip() for line in text.strip().splitlines()]


def main() -> None:
    readme_path = ROOT / "README.md"
    readme = readme_path.read_text()
    with Workspace() as ws:
        produced = {name: make().rstrip() for name, make in examples(ws).items()}
    missing = set(produced) - set(in_readme(readme))
    if missing:
        raise SystemExit(f"README.md has no marker for: {', '.join(sorted(missing))}")
    readme = MARKER.sub(lambda m: f"<!-- example: {m.group(1)} -->\n```text\n"
                        f"{produced.get(m.group(1), m.group(2).rstrip())}\n```", readme)
    readme_path.write_text(readme)
    print(f"rewrote {len(produced)} examples in {readme_path}")


if __name__ == "__main__":
    main()
