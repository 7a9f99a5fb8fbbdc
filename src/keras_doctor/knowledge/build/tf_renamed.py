"""Build the table of TensorFlow names 1.0 took away: 0.x code meeting any later TensorFlow.

    python -m keras_doctor.knowledge.build.tf_renamed [--older WHEEL --newer WHEEL]

`module 'tensorflow' has no attribute 'pack'` is code written for TensorFlow 0.x running under
1.0 or later, which renamed `tf.pack` to `tf.stack`: the TensorFlow is newer than the code, not
older. The API table (`tf_api`) starts at 1.13.1, the first release whose top level is a
generated file; before it, `tensorflow/python/__init__.py` star-imports its modules and
`remove_undocumented` keeps only the names a module's docstring documents with an `@@name` marker
or the file's `_allowed_symbols` lists. This reads both, statically, from two real wheels (never
importing them):

- a release's public names are those a module under `tensorflow/python/` defines at its top level
  (a `def`, a `class` or an assignment) and that a docstring documents or `_allowed_symbols`
  lists (1.0.0 still lists `mul` "for compatibility", but defines it nowhere: gone);
- a name public in the older release and not in the newer one was taken away; its replacement is
  the one its `@deprecated` decorator names in the older release ("Please switch to
  tf.summary.histogram"), else the one TensorFlow 1.0.0's release notes name (`NOTES`, quoted
  from RELEASE.md), kept only where the newer release has it public. A name no source gives a
  replacement for is left out.

Without wheels given, the two releases' cp35 manylinux1 wheels are downloaded into the builder's
cache (`KERAS_DOCTOR_BUILD_CACHE`). Output: `data/tf_renamed.json`.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Set, Tuple

from keras_doctor.knowledge import paths
from keras_doctor.knowledge.build import syntax
from keras_doctor.knowledge.build.output import write_json

NOTES_URL = "https://github.com/tensorflow/tensorflow/blob/v1.0.0/RELEASE.md#breaking-changes-to-the-api"
# "Breaking Changes to the API" of Release 1.0.0, as worded there: "`tf.mul`, `tf.sub` and
# `tf.neg` are deprecated in favor of `tf.multiply`, `tf.subtract` and `tf.negative`", "`tf.pack`
# and `tf.unpack` are deprecated in favor of `tf.stack` and `tf.unstack`", "`tf.listdiff` has been
# renamed to `tf.setdiff1d`", "`tf.inv` has been renamed to be `tf.reciprocal`", "`tf.complex_abs`
# has been removed from the Python interface. `tf.abs` supports complex tensors", "Replace
# tf.train.SummaryWriter and tf.train.SummaryWriterCache with tf.summary.FileWriter and
# tf.summary.FileWriterCache"
NOTES: Tuple[Tuple[str, str], ...] = (
    ("mul", "multiply"), ("sub", "subtract"), ("neg", "negative"), ("pack", "stack"),
    ("unpack", "unstack"), ("listdiff", "setdiff1d"), ("inv", "reciprocal"),
    ("complex_abs", "abs"), ("SummaryWriter", "summary.FileWriter"),
    ("SummaryWriterCache", "summary.FileWriterCache"),
)
_DEPRECATED = re.compile(
    r"@deprecated\(\s*['\"][\d-]+['\"],\s*(?P<message>(?:['\"][^'\"]*['\"]\s*)+)\)\s*\n"
    r"(?:@[^\n]*\n)*def (?P<name>\w+)\(")
_SWITCH_TO = re.compile(r"(?:switch to|use) `?tf\.(?P<replacement>\w+(?:\.\w+)*)", re.IGNORECASE)
_DOCUMENTED = re.compile(r"@@(\w+)")
# the last release before the change and the first after it, in the build most releases of both
# eras shipped
RELEASES = ("0.12.1", "1.0.0")
_WHEEL_TAG = "-cp35-cp35m-manylinux1_x86_64.whl"


def _python_sources(wheel: Path) -> Dict[str, str]:
    """`tensorflow/python/…` path → source, of a wheel's pure-Python files (tests left out)."""
    out: Dict[str, str] = {}
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            path = member.split("purelib/", 1)[-1]  # 0.x/1.0 wheels keep them under .data/
            if (path.startswith("tensorflow/python/") and path.endswith(".py")
                    and "/kernel_tests/" not in path and not path.endswith("_test.py")):
                out[path] = archive.read(member).decode("utf-8", "replace")
    return out


def _parsed(source: str) -> Optional[ast.Module]:
    with warnings.catch_warnings():  # 2016's sources hold escapes today's Python warns about
        warnings.simplefilter("ignore", (DeprecationWarning, SyntaxWarning))
        try:
            return syntax.parse(source)
        except SyntaxError:
            return None


def _defined(source: str) -> Set[str]:
    tree = _parsed(source)
    if tree is None:
        return set()
    names: Set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _allowed(source: str) -> Set[str]:
    """The strings `_allowed_symbols = [...]` and `_allowed_symbols.extend([...])` list."""
    names: Set[str] = set()
    tree = _parsed(source)
    for node in ast.walk(tree) if tree is not None else ():
        lists = []
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_allowed_symbols" for t in node.targets):
            lists.append(node.value)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "extend" and isinstance(node.func.value, ast.Name)
              and node.func.value.id == "_allowed_symbols"):
            lists.extend(node.args)
        for value in lists:
            if isinstance(value, (ast.List, ast.Tuple)):
                names.update(e.value for e in value.elts
                             if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return names


def public_names(sources: Dict[str, str]) -> Set[str]:
    """What `remove_undocumented` leaves public: defined, and documented or allowed."""
    defined = set().union(*(_defined(s) for s in sources.values()))
    documented = {m for s in sources.values() for m in _DOCUMENTED.findall(s)}
    allowed = _allowed(sources.get("tensorflow/python/__init__.py", ""))
    return defined & (documented | allowed)


def deprecations(sources: Dict[str, str]) -> Dict[str, str]:
    """name → the replacement its `@deprecated` decorator names ("summary.histogram")."""
    out: Dict[str, str] = {}
    for source in sources.values():
        for match in _DEPRECATED.finditer(source):
            message = " ".join(re.findall(r"['\"]([^'\"]*)['\"]", match.group("message")))
            said = _SWITCH_TO.search(message + " ")
            if said:
                out.setdefault(match.group("name"), said.group("replacement"))
    return out


def build(older: Path, newer: Path) -> Dict[str, Any]:
    old_sources, new_sources = _python_sources(older), _python_sources(newer)
    before, after = public_names(old_sources), public_names(new_sources)
    deprecated = deprecations(old_sources)
    noted = dict(NOTES)
    names: Dict[str, Dict[str, str]] = {}
    for name in sorted(before - after):
        replacement, said_by = deprecated.get(name), "deprecation"
        if replacement is None and name in noted:
            replacement, said_by = noted[name], "release notes"
        if replacement is None or replacement.split(".")[-1] not in after:
            continue
        names[name] = {"replacement": f"tf.{replacement}", "said_by": said_by}
    return {
        "method": (__doc__ or "").split("\n\n")[2].strip(),
        "sources": [older.name, newer.name, NOTES_URL],
        "last_with": _version(older), "gone_in": _version(newer),
        "names": names,
    }


def fetch_wheels(fetcher: Any) -> Tuple[Path, Path]:
    """The older and the newer release's wheel, downloaded once into the builder's cache."""
    from packaging.version import Version

    from keras_doctor.knowledge.build.releases import select_files

    files = select_files(fetcher.simple_index("tensorflow"), None)
    found = []
    for release in RELEASES:
        wheel = next(f for f in files[Version(release)] if f["filename"].endswith(_WHEEL_TAG))
        path = fetcher.download(wheel["url"])
        # the cache keys a download by its URL; the wheel's own name says the release
        named = path.with_name(wheel["filename"])
        if not named.exists():
            named.hardlink_to(path)
        found.append(named)
    return found[0], found[1]


def _version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_doctor.knowledge.build.tf_renamed",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--older", type=Path,
                        help="the last TensorFlow wheel before the change (default: 0.12.1's, "
                             "downloaded)")
    parser.add_argument("--newer", type=Path,
                        help="the first TensorFlow wheel after it (default: 1.0.0's, downloaded)")
    parser.add_argument("--out", type=Path, default=paths.EMBEDDED_DIR)
    args = parser.parse_args(argv)
    if (args.older is None) != (args.newer is None):
        parser.error("give both --older and --newer, or neither")
    if args.older is None:
        from keras_doctor.knowledge.build.fetch import Fetcher

        args.older, args.newer = fetch_wheels(Fetcher(paths.build_cache_dir()))
    for wheel in (args.older, args.newer):
        if not zipfile.is_zipfile(wheel):
            parser.error(f"not a wheel: {wheel}")
    document = build(args.older, args.newer)
    path = write_json(args.out, "tf_renamed.json", document)
    from keras_doctor.knowledge.build import write_manifest

    write_manifest(args.out)
    print(f"wrote {path} ({len(document['names'])} names {document['gone_in']} took away)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
