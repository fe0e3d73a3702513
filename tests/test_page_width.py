"""The notebooks of the pages that must not scroll sideways keep every line within 77 characters.

At the browser check's 1280 px the theme's code column holds 77 characters of its monospace.
``tests/browser/test_no_scroll.py`` checks the built pages in Chromium; this test checks the
same rule on the notebooks themselves, so that it holds where no browser is installed: every
line of code and every line of stored text output that the page shows (streams, and results
shown as plain text; not figures or widgets, whose text form the page does not show).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 77
SHOWN_AS_SOMETHING_ELSE = ("image/png", "image/svg+xml", "text/html", "application/vnd.jupyter.widget-view+json")


def no_scroll_pages() -> list[str]:
    """``NO_SCROLL_PAGES`` of the browser check, read without importing it (no browser needed)."""
    tree = ast.parse((ROOT / "tests" / "browser" / "test_no_scroll.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "NO_SCROLL_PAGES" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError("tests/browser/test_no_scroll.py defines no NO_SCROLL_PAGES")


def shown_lines(path: Path) -> list[tuple[str, str]]:
    """``(where, line)`` for every line of code and of shown text output of a notebook or page."""
    if path.suffix == ".md":  # a text page: the lines inside its code fences (not directive fences)
        out, fence = [], None
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if fence is None and stripped.startswith("```"):
                info = stripped[3:].strip()
                fence = "code" if not info.startswith("{") or info.startswith("{code-cell") else "directive"
            elif fence is not None and stripped == "```":
                fence = None
            elif fence == "code":
                out.append((f"line {n}", line))
        return out
    out = []
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] != "code":
            continue
        out += [(f"cell {i} code", line) for line in "".join(cell["source"]).splitlines()]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = "".join(output["text"])
            elif output.get("output_type") in ("execute_result", "display_data"):
                data = output.get("data", {})
                if any(kind in data for kind in SHOWN_AS_SOMETHING_ELSE):
                    continue
                text = "".join(data.get("text/plain", ""))
            elif output.get("output_type") == "error":
                text = "\n".join(output.get("traceback", []))
            else:
                continue
            out += [(f"cell {i} output", line) for line in text.splitlines()]
    return out


def source_of(page: str) -> Path:
    stem = ROOT / Path(page).with_suffix("")
    for suffix in (".ipynb", ".md"):
        if stem.with_suffix(suffix).is_file():
            return stem.with_suffix(suffix)
    raise AssertionError(f"no notebook or text source for {page}")


def test_the_list_names_existing_pages():
    pages = no_scroll_pages()
    assert pages and len(set(pages)) == len(pages)
    for page in pages:
        source_of(page)


@pytest.mark.parametrize("page", no_scroll_pages())
def test_every_code_and_output_line_fits_the_code_column(page):
    path = source_of(page)
    long = [(where, len(line), line) for where, line in shown_lines(path) if len(line) > WIDTH]
    assert not long, f"{path.name}: {len(long)} lines longer than {WIDTH} characters, e.g. {long[:3]}"


def test_the_check_sees_long_lines(tmp_path):
    notebook = {"cells": [{"cell_type": "code", "source": ["x = 1\n", "y" * 78],
                           "outputs": [{"output_type": "stream", "name": "stdout", "text": ["z" * 80 + "\n"]},
                                       {"output_type": "display_data",
                                        "data": {"image/png": "", "text/plain": ["<Figure " + "w" * 90 + ">"]}}]}]}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    long = [where for where, line in shown_lines(path) if len(line) > WIDTH]
    assert long == ["cell 0 code", "cell 0 output"]
    page = tmp_path / "p.md"
    page.write_text("```{prf:lemma}\n" + "t" * 90 + "\n```\n\n```python\n" + "c" * 90 + "\n```\n", encoding="utf-8")
    assert [where for where, line in shown_lines(page) if len(line) > WIDTH] == ["line 6"]
