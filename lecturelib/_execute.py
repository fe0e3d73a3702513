"""Execute course notebooks in place, top to bottom, with widget state stored.

Usage::

    python -m lecturelib._execute lectures/01-hermite.ipynb [more.ipynb ...]

The stored widget state lets the static site show each widget's controls and its default
figure without a kernel; the stored outputs are what ``pytest --nbval`` compares against.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 600


def execute_notebook(path: str | Path, *, timeout: int = CELL_TIMEOUT_S) -> float:
    """Run the notebook at ``path`` in place and return the wall time in seconds.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    nbclient.exceptions.CellExecutionError
        If a cell raises; the notebook is then left unchanged on disk.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"notebook path={str(path)!r} does not exist")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for nb in args.notebooks:
        print(f"executing {nb} ...", flush=True)
        print(f"  {nb}: {execute_notebook(nb):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
