"""Fixtures for the browser check of the built site: a local HTTP server and Chromium.

The site is served from 127.0.0.1 and every request to any other host is aborted, so a
page that needs the network (a CDN for MathJax or the widget manager, a web font) fails.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator

import pytest

from _site import SITE, chromium
from _site import unavailable as _unavailable  # `make test`: a missing site or browser fails


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    if not (SITE / "index.html").is_file():
        _unavailable(f"no built site at {SITE}: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    """Print every axe violation found (minor ones included) and keep them in a JSON report."""
    import json
    import sys

    module = sys.modules.get("test_accessibility")
    results = getattr(module, "AXE_RESULTS", None)
    if not results:
        return
    from _site import AXE_REPORT

    AXE_REPORT.parent.mkdir(parents=True, exist_ok=True)
    AXE_REPORT.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    terminalreporter.section("axe-core violations (WCAG 2.0/2.1 A and AA), per page and rule")
    for page, violations in sorted(results.items()):
        for v in violations:
            terminalreporter.write_line(f"{page}: {v['impact']:>8} {v['id']} x{v['count']}  {v['help']}")
    if not any(results.values()):
        terminalreporter.write_line(f"none on {len(results)} pages")
    terminalreporter.write_line(f"(full list in {AXE_REPORT})")
