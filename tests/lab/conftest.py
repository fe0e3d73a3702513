"""Fixtures for the JupyterLab check: one throwaway server and one headless Chromium.

The check runs only when asked for (``COURSE_LAB_CHECK=1``, set by ``make lab-check``), so
that ``pytest tests`` does not start a server and a browser on its own.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/_chromium.py
from _chromium import chromium  # noqa: E402

from _lab import LECTURES, SCREENSHOTS, TIMINGS, LabServer, lab_server, lecture_notebooks  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("COURSE_LAB_CHECK") == "1":
        return
    skip = pytest.mark.skip(reason="the JupyterLab check runs with `make lab-check`")
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def lab() -> Iterator[LabServer]:
    names = lecture_notebooks()
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # only this run's screenshots remain
    SCREENSHOTS.mkdir(parents=True)
    before = {n: (LECTURES / n).read_bytes() for n in names}
    with lab_server(names) as server:
        yield server
        # Autosave is off and the check never saves: the served copies must be untouched.
        changed = [n for n in names if (server.root / n).read_bytes() != before[n]]
        assert not changed, f"the JupyterLab check wrote into the notebooks {changed}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    if not TIMINGS:
        return
    lines = [
        "notebook                       kernel idle   run all   control -> new figure (s)",
    ]
    for t in TIMINGS:
        redraws = ", ".join(f"{r:.1f}" for r in t["redraws"]) or "-"
        lines.append(f"{t['notebook']:<30} {t['idle']:>9.1f} s {t['run_all']:>7.1f} s   {redraws}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "timings.txt").write_text("\n".join(lines) + "\n")
    terminalreporter.section("JupyterLab: times per notebook (wall clock, this machine)")
    for line in lines:
        terminalreporter.write_line(line)
