"""Copy the widget states (``data/widget-states/``, drawn by ``make states``) and
``_ext/widget-states.js`` into the site's ``widget-states/`` folder when an HTML build finishes.

Only files that differ are copied, and files no longer stored are removed, so a rebuild of an
installed checkout adds well under a second. The pages load ``widget-states/panels.js`` and
``widget-states/widget-states.js`` after the widget manager (``nb_ipywidgets_js`` in
``_config.yml``); see ``_ext/widget-states.js`` for what they do.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

HERE = Path(__file__).resolve().parent
STATES = HERE.parent / "data" / "widget-states"
SCRIPT = HERE / "widget-states.js"


def wanted() -> dict[str, Path]:
    """Path in the site's ``widget-states/`` -> source file."""
    files = {str(p.relative_to(STATES)): p for p in STATES.rglob("*") if p.is_file() and p.name != "index.json"}
    files["widget-states.js"] = SCRIPT
    return files


def copy_states(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "widget-states"
    files = wanted()
    for rel, source in files.items():
        dest = target / rel
        if dest.is_file() and filecmp.cmp(source, dest, shallow=False):
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    if target.is_dir():
        for old in target.rglob("*"):
            if old.is_file() and str(old.relative_to(target)) not in files:
                old.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", copy_states)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
