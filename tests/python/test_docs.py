"""The documentation site: every ```python block of every page runs, and the site builds
with `mkdocs build --strict` (no warnings, no broken links; about 5 s, so not marked slow).

A block runs as a user would run it: through `fluvial run` when it imports pyflink, else
with python, in an empty temporary directory. An HTML comment on the line before a block
changes what is expected of it:

- ``<!-- docs-test: fragment -->``: a deliberate fragment (a method, a line of a job) that
  cannot run alone; it is not run. Keep these few.
- ``<!-- docs-test: raises NAME -->``: the block must fail, and NAME (an exception class)
  must appear in its standard error: the troubleshooting pages show real errors.

A block made only of ``--8<--`` lines includes part of an example (pymdownx.snippets); the
examples run in test_examples.py, so here only the included files are checked to exist.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MARKER = re.compile(r"<!--\s*docs-test:\s*(fragment|raises\s+(\w+))\s*-->")
SNIPPET = re.compile(r'^--8<--\s+"([^":]+)(?::[^"]*)?"$')


def python_blocks(text: str):
    """(line number, marker line or "", code) for each ```python block of a page."""
    lines = text.splitlines()
    blocks, index = [], 0
    while index < len(lines):
        if lines[index].strip() == "```python":
            start = index
            index += 1
            body = []
            while index < len(lines) and lines[index].strip() != "```":
                body.append(lines[index])
                index += 1
            before = lines[start - 1].strip() if start > 0 else ""
            blocks.append((start + 1, before, "\n".join(body) + "\n"))
        index += 1
    return blocks


def all_blocks():
    for page in sorted(DOCS.rglob("*.md")):
        for line, before, code in python_blocks(page.read_text()):
            name = f"{page.relative_to(DOCS)}:{line}"
            yield pytest.param(before, code, id=name)


BLOCKS = list(all_blocks())


def test_the_docs_have_runnable_blocks():
    runnable = [b for b in BLOCKS if "fragment" not in b.values[0]
                and not SNIPPET.match(b.values[1].strip().splitlines()[0])]
    fragments = [b for b in BLOCKS if "docs-test: fragment" in b.values[0]]
    assert len(runnable) >= 10, "the guides show jobs that run"
    assert len(fragments) <= len(runnable) // 2, "fragments are the exception, not the rule"


@pytest.mark.parametrize("before, code", BLOCKS)
def test_python_block(before, code, tmp_path):
    marker = MARKER.search(before)
    if marker and marker.group(1) == "fragment":
        return
    lines = [line for line in code.strip().splitlines() if line.strip()]
    includes = [SNIPPET.match(line.strip()) for line in lines]
    if all(includes):
        for include in includes:
            assert (ROOT / include.group(1)).is_file(), f"included file missing: {include.group(1)}"
        return
    assert not any(includes), "a block either includes an example or is code, not both"
    job = tmp_path / "block.py"
    job.write_text(code)
    runner = ["-m", "fluvial", "run"] if re.search(r"^\s*(from|import) pyflink", code, re.M) else []
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    completed = subprocess.run([sys.executable, *runner, str(job)], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=120)
    if marker:  # raises NAME
        expected = marker.group(2)
        assert completed.returncode != 0, f"the block should fail with {expected}, but it ran"
        assert expected in completed.stderr, f"expected {expected}, got:\n{completed.stderr}"
    else:
        assert completed.returncode == 0, f"the block failed:\n{completed.stderr}"


def test_site_builds_strict(tmp_path):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    for page in ("index.html", "quickstart/index.html", "reference/datastream/index.html",
                 "troubleshooting/index.html"):
        assert (tmp_path / "site" / page).is_file(), page
