"""A throwaway JupyterLab server for the check of the notebooks as a student runs them.

:func:`lab_server` copies the lecture notebooks into a temporary folder (so nothing the
browser does can touch the tracked files), trusts the copies in the same
``JUPYTER_DATA_DIR`` the server then uses, and starts JupyterLab on 127.0.0.1 with a random
token, autosave off and its own runtime, config, data, settings and workspace folders. On
exit it shuts down exactly that server (its REST API first, then the process it started),
whatever happened in between.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LECTURES = ROOT / "lectures"
SCREENSHOTS = ROOT / "_build" / "screenshots" / "lab"
START_TIMEOUT_S = 90.0
# Filled by the check, one entry per notebook; printed at the end of the session.
TIMINGS: list[dict[str, object]] = []

# JupyterLab user settings for the check: no autosave (nothing is written back), every cell
# attached to the page (so every rendered block can be read), no calls for news or updates.
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def lecture_notebooks() -> list[str]:
    """Every notebook of the course (``lectures/*.ipynb``), discovered, sorted by name."""
    return sorted(p.name for p in LECTURES.glob("*.ipynb"))


@dataclass(frozen=True)
class LabServer:
    """A running server: its base URL, its token, and the folder it serves."""

    url: str
    token: str
    root: Path
    log: Path

    def notebook_url(self, name: str) -> str:
        """The notebook alone in a fresh workspace of its own (no tab from an earlier page)."""
        workspace = Path(name).stem
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?reset&token={self.token}"

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.pop("MPLBACKEND", None)  # the kernel's own default (inline), as for a student
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_DATA_DIR=str(tmp / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def _write_settings(folder: Path) -> None:
    for name, values in SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _stop(server: LabServer | None, process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None and server is not None:
        try:
            server.api("/api/shutdown", method="POST")  # also shuts down its kernels
        except (OSError, urllib.error.URLError):
            pass
    for signal_process in (None, process.terminate, process.kill):
        if signal_process is not None and process.poll() is None:
            signal_process()
        try:
            process.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def lab_server(notebooks: list[str]) -> Iterator[LabServer]:
    """Copy ``notebooks`` (names in ``lectures/``), trust them, serve them; stop on exit."""
    tmp = Path(tempfile.mkdtemp(prefix="course-lab-"))
    root = tmp / "notebooks"
    root.mkdir()
    for name in notebooks:
        shutil.copy2(LECTURES / name, root / name)
    env = _environment(tmp)
    _write_settings(tmp / "settings")
    trust = [sys.executable, "-m", "nbformat.sign", *(str(root / n) for n in notebooks)]
    subprocess.run(trust, env=env, check=True, capture_output=True)
    token = secrets.token_hex(24)
    port = _free_port()
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True", "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = tmp / "server.log"
    server = LabServer(url=f"http://127.0.0.1:{port}", token=token, root=root, log=log)
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{log.read_text()}")
            try:
                server.api("/api/status")
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer in {START_TIMEOUT_S} s:\n{log.read_text()}")
                time.sleep(0.5)
        yield server
    finally:
        _stop(server, process)
        shutil.rmtree(tmp, ignore_errors=True)
