"""The quick start as a Jupyter notebook (docs/quickstart.ipynb), executed as a user would
run it: a real IPython kernel (ipykernel) driven by nbclient, cell by cell. The outputs the
cells produce are checked against plain-Python references.

The notebook is generated from docs/quickstart.md, so the two cannot drift: its code cells
are the page's python blocks (with ``pyflink`` imports as ``fluvial`` ones, since a kernel
has no ``fluvial run``), plus a last cell that turns the results into a pandas DataFrame.
After changing the page, regenerate it with

    PYTHONPATH=python .venv/bin/python tests/python/test_notebook.py > docs/quickstart.ipynb
"""

import os
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "quickstart.md"
NOTEBOOK = ROOT / "docs" / "quickstart.ipynb"

ORDERS = [("alice", 12.5), ("bob", 7.25), ("alice", 3.0), ("carol", 100.0), ("bob", 1.0)]

DATAFRAME_CELL = """\
import pandas as pd

totals = orders.filter(lambda order: order[1] >= 2.0) \\
    .key_by(lambda order: order[0]) \\
    .reduce(lambda total, order: (total[0], total[1] + order[1]))
with totals.execute_and_collect() as results:
    frame = pd.DataFrame(list(results), columns=["user", "total"])
frame.groupby("user")["total"].last()
"""


def page_blocks() -> list[str]:
    """The runnable python blocks of the quick start page (not the example includes)."""
    blocks, block, inside = [], [], False
    for line in PAGE.read_text().splitlines():
        if line.strip() == "```python":
            inside, block = True, []
        elif inside and line.strip() == "```":
            inside = False
            if not block[0].startswith("--8<--"):
                blocks.append("\n".join(block) + "\n")
        elif inside:
            block.append(line)
    return blocks


def build_notebook() -> nbformat.NotebookNode:
    job, collect = page_blocks()
    job = job.replace("from pyflink.", "from fluvial.").rstrip("\n")
    if job.splitlines()[-1].startswith("env.execute("):
        job += ";"  # IPython shows no JobExecutionResult after a trailing semicolon
    cells = [
        nbformat.v4.new_markdown_cell(
            "# Fluvial quick start\n\n"
            "The [quick start](quickstart.md) as a notebook: a streaming job that runs in the "
            "kernel's own process, with no cluster, no JVM and no Kafka. It needs a kernel whose "
            "Python has Fluvial [installed](installation.md). In a notebook, import from "
            "`fluvial` (outside one, `fluvial run job.py` also runs the same job written with "
            "`pyflink` imports).\n\n"
            "## 1. A job: running totals per user\n\n"
            "`print()` prints one running total per order that passes the filter."),
        nbformat.v4.new_code_cell(job),
        nbformat.v4.new_markdown_cell(
            "## 2. Results back into Python\n\n"
            "`execute_and_collect()` runs the job and hands its records to the program."),
        nbformat.v4.new_code_cell(collect.rstrip("\n")),
        nbformat.v4.new_markdown_cell(
            "## 3. Into pandas\n\n"
            "Collected records make a DataFrame; here the last running total of each user, the "
            "user's total. `orders` is the stream of the first cell: a job can run again."),
        nbformat.v4.new_code_cell(DATAFRAME_CELL.rstrip("\n")),
        nbformat.v4.new_markdown_cell(
            "Next: [Concepts](concepts.md), the [DataStream guide](datastream.md) and the "
            "[tutorials](tutorials/index.md)."),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"  # stable ids, so regenerating changes nothing
    return notebook


def render() -> str:
    return nbformat.writes(build_notebook()) + "\n"


def test_the_notebook_is_generated_from_the_quick_start():
    assert NOTEBOOK.read_text() == render(), (
        "docs/quickstart.ipynb differs from docs/quickstart.md; regenerate it:\n"
        "  PYTHONPATH=python .venv/bin/python tests/python/test_notebook.py > docs/quickstart.ipynb")
    nbformat.validate(nbformat.reads(NOTEBOOK.read_text(), as_version=4))


def reference_running_totals():
    """Plain Python: filter, then the running total per user, in input order."""
    totals, lines = {}, []
    for user, amount in ORDERS:
        if amount >= 2.0:
            totals[user] = totals.get(user, 0.0) + amount
            lines.append(f"({user},{totals[user]})")
    return lines, totals


def text_of(cell, output_type: str) -> str:
    parts = []
    for output in cell.outputs:
        assert output.output_type != "error", "\n".join(output.traceback)
        if output.output_type == output_type == "stream":
            parts.append(output.text)
        elif output.output_type == output_type == "execute_result":
            parts.append(output.data["text/plain"])
    return "".join(parts)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    notebook = nbformat.reads(NOTEBOOK.read_text(), as_version=4)
    workdir = tmp_path_factory.mktemp("notebook")
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT / "python"), os.environ.get("PYTHONPATH", "")]))
    previous = os.environ.copy()
    os.environ.update(environment)  # the kernel process inherits it
    try:
        client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(workdir)}})
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(previous)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_job_prints_running_totals(executed):
    lines, _ = reference_running_totals()
    assert text_of(executed[0], "stream").splitlines() == lines


def test_collect_returns_the_words(executed):
    expected = sorted(word for line in ["to be or not to be"] for word in line.split())
    assert text_of(executed[1], "stream") == f"{expected}\n"


def test_the_dataframe_holds_each_users_total(executed):
    _, totals = reference_running_totals()
    expected = pd.Series(totals, name="total").rename_axis("user").sort_index()
    assert text_of(executed[2], "execute_result") == repr(expected)


if __name__ == "__main__":
    sys.stdout.write(render())
