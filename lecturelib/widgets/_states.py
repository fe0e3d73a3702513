r"""The static website's widget states: every panel's figure precomputed on a grid of its controls.

On the static site no Python runs, so a panel's controls cannot redraw its figure. Every panel
is a pure, seeded function of its controls (``draw(**values) -> Figure``), so its figures can be
drawn in advance: each panel module declares ``STATIC_GRID`` next to its controls (the values of
every slider and dropdown to precompute; a free-text control such as the seed is left out and
stays at its default, disabled on the site) and, when two settings draw the same figure,
``STATIC_SAME(values) -> values`` (the setting whose figure is drawn, e.g. ``k`` is ignored unless
the link is ``He_k``). ``make states`` (``python -m lecturelib.widgets._states``) draws every
state with the panel's own ``draw`` and seeds, on every core, and stores them in
``data/widget-states/<panel>/``:

- ``<sha256[:16]>.webp``: one file per distinct figure, named by its content (an unchanged
  figure keeps its bytes and its name, so a regeneration commits only what changed);
- ``index.json``: the fingerprint and its parts, the grid, every state's settings, file,
  alternative text and size (the truth that the tests read);
- ``index.js``: the same keys and states for the site, loaded by a ``<script>`` tag (works from
  ``file://``: no fetch); and ``data/widget-states/panels.js``: the grids of all panels, read by
  ``_ext/widget-states.js`` before the widget manager renders (see there).

**Fingerprint.** A panel's states are fresh when the SHA-256 of what its figures depend on is
the one stored: the source of every lecturelib module its module imports, transitively (a
package's ``__init__`` counts by its source, and only the imports that bind what is imported
from it are followed), the numpy, numba, matplotlib and Pillow/libwebp versions, the grid and
the encoding. :func:`check_fresh` refuses stale states with the command to run (``make states``).

**Encoding** (chosen by measurement, see the README): the figure rendered at 1.5x its
notebook resolution (for high-density screens), quantized to 256 colours (median cut, no
dither) and stored as lossless WebP; Pillow writes no timestamp, so the bytes depend only on
the pixels. At 1.5x this is about 20 % smaller than an optimized 256-colour PNG and close to a
64-colour PNG, whose antialiased edges band visibly.
"""

from __future__ import annotations

import argparse
import ast
import functools
import hashlib
import importlib
import importlib.util
import io
import itertools
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PANELS", "ENCODING", "StaleStates", "PanelSpec", "spec", "fingerprint", "status", "check_fresh",
           "load_index", "render", "encode", "main"]

PANELS: dict[str, str] = {
    "hermite_explorer": "lecturelib.widgets.hermite",
    "landscape_explorer": "lecturelib.widgets.landscape",
    "flow_explorer": "lecturelib.widgets.flow",
    "sgd_explorer": "lecturelib.widgets.sgd",
    "proof_explorer": "lecturelib.widgets.proof",
    "concentration_explorer": "lecturelib.widgets.concentration",
    "algorithm_comparison": "lecturelib.widgets.algorithms",
}
"""Every panel of the course: its factory's name -> the module that defines it and its grid."""

ENCODING: dict[str, Any] = {"format": "webp", "lossless": True, "scale": 1.5, "colors": 256,
                            "quantize": "mediancut", "dither": "none"}
MAX_STATES_PER_PANEL = 250
MAX_STATES = 1000
MAX_BYTES = 60 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]
STATES_DIR = Path(os.environ.get("COURSE_STATES", ROOT / "data" / "widget-states"))
JS_GLOBAL = "courseWidgetStates"


class StaleStates(RuntimeError):
    """A panel's stored states are missing or do not match its fingerprint."""


# --- the grid of a panel ------------------------------------------------------------------


@dataclass(frozen=True)
class Control:
    """One control of a panel as the site sees it: ``kind`` is "dropdown", "slider" or "fixed"."""

    name: str
    description: str
    kind: str
    values: tuple[Any, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class PanelSpec:
    """A panel's grid: its controls as the site sees them, the fixed values, ``STATIC_SAME``."""

    name: str
    module: str
    title: str
    controls: tuple[Control, ...]
    fixed: dict[str, Any]
    defaults: dict[str, Any]
    same: Callable[[dict[str, Any]], dict[str, Any]] | None

    @property
    def varying(self) -> tuple[Control, ...]:
        return tuple(c for c in self.controls if c.kind != "fixed")

    def settings(self) -> list[tuple[str, dict[str, Any]]]:
        """Every grid point, as (key, values): the key is the grid indices joined by dots."""
        varying = self.varying
        out = []
        for idx in itertools.product(*(range(len(c.values)) for c in varying)):
            values = {c.name: c.values[i] for c, i in zip(varying, idx)}
            out.append((".".join(map(str, idx)), {**values, **self.fixed}))
        return out

    def drawn(self, values: dict[str, Any]) -> dict[str, Any]:
        """The setting whose figure is shown for ``values`` (``STATIC_SAME``), with every control."""
        same = dict(self.same(dict(values))) if self.same else dict(values)
        if set(same) != set(values):
            raise ValueError(f"{self.name}: STATIC_SAME must keep every control, got {sorted(same)}")
        return same

    def states(self) -> tuple[dict[str, int], list[dict[str, Any]]]:
        """(key -> state number, the distinct settings drawn, in grid order)."""
        keys: dict[str, int] = {}
        found: dict[str, int] = {}
        drawn: list[dict[str, Any]] = []
        for key, values in self.settings():
            setting = self.drawn(values)
            ident = json.dumps(setting, sort_keys=True)
            if ident not in found:
                found[ident] = len(drawn)
                drawn.append(setting)
            keys[key] = found[ident]
        return keys, drawn


def _label(control: Any, value: Any) -> str:
    import ipywidgets as W

    if isinstance(control, W.widgets.widget_selection._Selection):
        return control._options_labels[list(control.options).index(value)] if control.options and \
            isinstance(control.options[0], tuple) else str(value)
    fmt = getattr(control, "readout_format", "") or ""
    if isinstance(control, (W.FloatSlider, W.FloatLogSlider)) and fmt:
        label = format(value, fmt)
        return format(value, "g") if "e" in label else label  # 1000, not 1e+03
    return str(value)


def _options(control: Any) -> tuple[Any, ...]:
    return tuple(o[1] if isinstance(o, tuple) else o for o in control.options)


def _check_value(name: str, control: Any, value: Any) -> None:
    import ipywidgets as W

    if isinstance(control, W.widgets.widget_selection._Selection):
        ok = value in _options(control)
    elif isinstance(control, W.FloatLogSlider):
        # A log slider's ends are powers such as 10^-2.3 = 0.00501: its round neighbour is allowed.
        ok = control.base ** control.min <= value * 1.01 and value <= control.base ** control.max * 1.01
    else:
        ok = control.min <= value <= control.max
    if not ok or isinstance(value, bool):
        raise ValueError(f"STATIC_GRID[{name!r}] holds {value!r}, which the control does not offer")


@functools.lru_cache(maxsize=None)
def _panel(name: str) -> Any:
    """The panel built by its factory with its defaults (draws the default figure once)."""
    module = importlib.import_module(PANELS[name])
    return getattr(module, name)()


@functools.lru_cache(maxsize=None)
def spec(name: str) -> PanelSpec:
    """The grid of panel ``name``, checked against its controls (see the module's docstring)."""
    import ipywidgets as W

    if name not in PANELS:
        raise KeyError(f"unknown panel {name!r}; the panels are {sorted(PANELS)}")
    module = importlib.import_module(PANELS[name])
    grid = getattr(module, "STATIC_GRID", None)
    if not isinstance(grid, Mapping):
        raise ValueError(f"{module.__name__} declares no STATIC_GRID (a dict: control -> values to precompute)")
    panel = _panel(name)
    extra = set(grid) - set(panel.controls)
    if extra:
        raise ValueError(f"{module.__name__}.STATIC_GRID names controls the panel does not have: {sorted(extra)}")
    controls, fixed = [], {}
    for cname, control in panel.controls.items():
        desc = str(control.description)
        default = control.value
        is_choice = isinstance(control, W.widgets.widget_selection._Selection) and not isinstance(
            control, W.SelectionSlider)
        is_slider = isinstance(control, (W.IntSlider, W.FloatSlider, W.FloatLogSlider, W.SelectionSlider))
        if cname not in grid:
            if is_choice or is_slider:
                raise ValueError(f"{module.__name__}.STATIC_GRID must give the values of {cname!r} "
                                 "(every slider and dropdown responds on the site)")
            controls.append(Control(cname, desc, "fixed", (default,), (str(default),)))
            fixed[cname] = default
            continue
        values = tuple(grid[cname])
        if is_choice and values != _options(control):
            raise ValueError(f"{module.__name__}.STATIC_GRID[{cname!r}] must list every entry of the dropdown, in order")
        if not (is_choice or is_slider):
            raise ValueError(f"{cname!r} is a free-text control: it stays fixed on the site, leave it out of STATIC_GRID")
        if len(values) < 2 or len(set(values)) != len(values) or list(values) != sorted(values, key=list(
                _options(control)).index if isinstance(control, W.SelectionSlider) or is_choice else float):
            raise ValueError(f"{module.__name__}.STATIC_GRID[{cname!r}] must hold at least two distinct values "
                             f"in the control's order, got {values!r}")
        if not any(v == default or (isinstance(v, float) and math.isclose(v, default, rel_tol=1e-12)) for v in values):
            raise ValueError(f"{module.__name__}.STATIC_GRID[{cname!r}] must include the default {default!r}")
        for v in values:
            _check_value(cname, control, v)
        labels = tuple(_label(control, v) for v in values)
        controls.append(Control(cname, desc, "dropdown" if is_choice else "slider", values, labels))
    same = getattr(module, "STATIC_SAME", None)
    result = PanelSpec(name, module.__name__, panel._title, tuple(controls), fixed, panel.values, same)
    n = len(result.states()[1])
    if n > MAX_STATES_PER_PANEL:
        raise ValueError(f"{name}: {n} states, more than {MAX_STATES_PER_PANEL}: reduce STATIC_GRID")
    return result


# --- the fingerprint ------------------------------------------------------------------------


def _source(module: str) -> tuple[Path, str] | None:
    found = importlib.util.find_spec(module)
    if found is None or not found.origin or not found.origin.endswith(".py"):
        return None
    path = Path(found.origin)
    return path, path.read_text(encoding="utf-8")


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _imports(tree: ast.AST, module: str, is_package: bool):
    """(imported module, names or None for all) for every lecturelib import in ``tree``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "lecturelib":
                    yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else (node.module or "")
            if base.split(".")[0] != "lecturelib":
                continue
            for alias in node.names:
                if _is_module(f"{base}.{alias.name}"):
                    yield f"{base}.{alias.name}", None
                    yield base, ()  # the package's __init__ runs: its source counts
                else:
                    yield base, (alias.name,)


def dependencies(module: str) -> dict[str, str]:
    """lecturelib module -> SHA-256 of its source, for ``module`` and what it imports, transitively.

    A package reached only as the parent of a submodule counts by its source, without its own
    imports (a package ``__init__`` that imports all its submodules does not make every panel
    depend on all of them); a name imported from a package follows the import that binds it.
    """
    hashes: dict[str, str] = {}
    done: set[tuple[str, tuple[str, ...] | None]] = set()
    todo: list[tuple[str, tuple[str, ...] | None]] = [(module, None)]
    while todo:
        name, names = todo.pop()
        if (name, names) in done:
            continue
        done.add((name, names))
        found = _source(name)
        if found is None:
            continue
        path, text = found
        hashes[name] = hashlib.sha256(text.encode()).hexdigest()
        parts = name.split(".")
        for i in range(1, len(parts)):
            todo.append((".".join(parts[:i]), ()))
        if names == ():
            continue
        tree = ast.parse(text)
        is_package = path.name == "__init__.py"
        if names is None:
            todo.extend(_imports(tree, name, is_package))
            continue
        # Only the top-level imports that bind one of ``names``; a name defined here: all of them.
        bound: set[str] = set()
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                binds = {(a.asname or a.name).split(".")[0] for a in node.names}
                if binds & set(names):
                    bound |= binds & set(names)
                    todo.extend(_imports(ast.Module(body=[node], type_ignores=[]), name, is_package))
        if set(names) - bound:
            todo.extend(_imports(tree, name, is_package))
    return dict(sorted(hashes.items()))


def versions() -> dict[str, str]:
    import matplotlib
    import numba
    import numpy
    import PIL
    from PIL import features

    return {"numpy": numpy.__version__, "numba": numba.__version__, "matplotlib": matplotlib.__version__,
            "pillow": PIL.__version__, "libwebp": str(features.version("webp"))}


def _grid_description(s: PanelSpec) -> dict[str, Any]:
    return {"controls": [{"name": c.name, "description": c.description, "kind": c.kind, "values": list(c.values),
                          "labels": list(c.labels)} for c in s.controls],
            "drawn": s.states()[1]}


def fingerprint(name: str) -> tuple[str, dict[str, Any]]:
    """(SHA-256, its parts) of what panel ``name``'s figures depend on."""
    s = spec(name)
    parts = {"sources": dependencies(s.module), "versions": versions(), "encoding": ENCODING,
             "grid": _grid_description(s)}
    blob = json.dumps(parts, sort_keys=True, default=repr).encode()
    return hashlib.sha256(blob).hexdigest(), parts


# --- drawing and encoding -------------------------------------------------------------------


def encode(figure: Any) -> tuple[bytes, int, int]:
    """(WebP bytes, CSS width, CSS height) of ``figure`` as stored (see the module's docstring)."""
    from PIL import Image

    scale = ENCODING["scale"]
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi * scale, bbox_inches="tight")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    image = image.quantize(colors=ENCODING["colors"], method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="WEBP", lossless=True, method=6)
    return out.getvalue(), round(image.width / scale), round(image.height / scale)


def render(name: str, values: dict[str, Any]) -> tuple[bytes, str, int, int]:
    """(image bytes, alternative text, CSS width, height) of panel ``name`` at ``values``.

    The panel's own ``draw`` and alternative text (:meth:`Panel._alt_text`), as in Python.
    """
    panel = _panel(name)
    figure = panel._draw(**values)
    data, width, height = encode(figure)
    alt = panel._alt_text(figure, values)
    return data, alt, width, height


def _render_task(name: str, values_json: str) -> tuple[bytes, str, int, int, float]:
    start = time.process_time()
    out = render(name, json.loads(values_json))
    return (*out, time.process_time() - start)


# --- the stored index -----------------------------------------------------------------------


def panel_dir(name: str) -> Path:
    return STATES_DIR / name


def load_index(name: str) -> dict[str, Any] | None:
    path = panel_dir(name) / "index.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def status(name: str) -> str:
    """"fresh", "missing", or "stale: <what changed>"."""
    index = load_index(name)
    if index is None:
        return "missing"
    digest, parts = fingerprint(name)
    if index.get("fingerprint") == digest:
        return "fresh"
    old = index.get("parts", {})
    changed = [m for m in sorted(set(parts["sources"]) | set(old.get("sources", {})))
               if parts["sources"].get(m) != old.get("sources", {}).get(m)]
    reasons = []
    if changed:
        reasons.append("source of " + ", ".join(changed))
    for key in ("versions", "encoding", "grid"):
        if json.dumps(parts[key], sort_keys=True, default=repr) != json.dumps(old.get(key), sort_keys=True,
                                                                              default=repr):
            reasons.append(key)
    return "stale: " + ("; ".join(reasons) or "fingerprint")


def check_fresh(name: str) -> dict[str, Any]:
    """The stored index of panel ``name``; StaleStates (saying to run ``make states``) if not fresh."""
    state = status(name)
    if state != "fresh":
        raise StaleStates(f"the static-site states of {name} are {state}: run `make states` "
                          f"(python -m lecturelib.widgets._states --panel {name}) and commit data/widget-states/")
    return load_index(name)  # type: ignore[return-value]


def _json(value: Any, **kw: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, **kw)


def _site_index(index: dict[str, Any]) -> str:
    data = {"keys": index["keys"], "states": [[s["file"], s["alt"], s["width"], s["height"]] for s in index["states"]]}
    return (f"/* {index['panel']}: generated by `make states` from index.json; do not edit. */\n"
            f"window.{JS_GLOBAL}.add({_json(index['panel'])}, {_json(data, separators=(',', ':'))});\n")


def _site_manifest(indexes: Sequence[dict[str, Any]]) -> str:
    panels = {}
    for index in indexes:
        panels[index["panel"]] = {
            "title": index["title"], "states": len(index["states"]),
            "controls": [{"name": c["name"], "description": c["description"], "kind": c["kind"],
                          "labels": c["labels"], "values": c["values"]} for c in index["parts"]["grid"]["controls"]],
        }
    return ("/* The static site's widget grids: generated by `make states`; do not edit. */\n"
            f"window.{JS_GLOBAL} = window.{JS_GLOBAL} || {{}};\n"
            f"window.{JS_GLOBAL}.panels = {_json(panels, separators=(',', ':'))};\n")


def write_site_files() -> None:
    """Regenerate every ``index.js`` and ``panels.js`` from the stored ``index.json`` files."""
    indexes = [i for i in (load_index(n) for n in PANELS) if i is not None]
    for index in indexes:
        _write_if_changed(panel_dir(index["panel"]) / "index.js", _site_index(index).encode())
    _write_if_changed(STATES_DIR / "panels.js", _site_manifest(indexes).encode())


def site_files() -> dict[Path, bytes]:
    """What :func:`write_site_files` would write (the tests compare it with the stored files)."""
    indexes = [i for i in (load_index(n) for n in PANELS) if i is not None]
    out = {panel_dir(i["panel"]) / "index.js": _site_index(i).encode() for i in indexes}
    out[STATES_DIR / "panels.js"] = _site_manifest(indexes).encode()
    return out


def _write_if_changed(path: Path, data: bytes) -> None:
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def store(name: str, drawn: list[dict[str, Any]], results: list[tuple[bytes, str, int, int]]) -> dict[str, Any]:
    """Write panel ``name``'s images and ``index.json``; remove images no longer referenced."""
    s = spec(name)
    keys, settings = s.states()
    assert settings == drawn
    digest, parts = fingerprint(name)
    folder = panel_dir(name)
    folder.mkdir(parents=True, exist_ok=True)
    states = []
    for setting, (data, alt, width, height) in zip(settings, results):
        file = hashlib.sha256(data).hexdigest()[:16] + ".webp"
        _write_if_changed(folder / file, data)
        states.append({"settings": setting, "file": file, "alt": alt, "width": width, "height": height,
                       "bytes": len(data)})
    used = {st["file"] for st in states}
    for old in folder.glob("*.webp"):
        if old.name not in used:
            old.unlink()
    index = {"panel": name, "module": s.module, "title": s.title, "fingerprint": digest, "parts": parts,
             "fixed": s.fixed, "keys": keys, "states": states}
    _write_if_changed(folder / "index.json", (_json(index, indent=1) + "\n").encode())
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lecturelib.widgets._states",
                                     description="Draw the static site's widget states (make states).")
    parser.add_argument("--panel", action="append", help="only this panel (repeatable)")
    parser.add_argument("--force", action="store_true", help="redraw even fresh panels")
    parser.add_argument("--list", action="store_true", help="print each panel's state and exit")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    names = args.panel or list(PANELS)
    for n in names:
        if n not in PANELS:
            parser.error(f"unknown panel {n!r}; the panels are {', '.join(PANELS)}")
    if args.list:
        for n in names:
            print(f"{n:24s} {len(spec(n).states()[1]):4d} states  {status(n)}")
        return 0
    todo = [n for n in names if args.force or status(n) != "fresh"]
    for n in names:
        if n not in todo:
            print(f"{n}: fresh, {len(spec(n).states()[1])} states")
    total = sum(len(spec(n).states()[1]) for n in PANELS)
    if total > MAX_STATES:
        raise SystemExit(f"{total} states in all, more than {MAX_STATES}: reduce the grids")
    if todo:
        from concurrent.futures import ProcessPoolExecutor

        from ..parallel import map_ordered
        from ..sgd import _available_cores

        workers = args.workers or _available_cores()
        print(f"drawing {sum(len(spec(n).states()[1]) for n in todo)} states of {', '.join(todo)} "
              f"on {workers} processes")
        start = time.perf_counter()
        cpu_all = 0.0
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for n in todo:  # one panel at a time, stored as soon as it is drawn
                drawn = spec(n).states()[1]
                chunk = map_ordered(_render_task, [(n, _json(v)) for v in drawn], executor=pool, progress=True,
                                    desc=n)
                index = store(n, drawn, [r[:4] for r in chunk])
                write_site_files()
                size = sum(s["bytes"] for s in index["states"])
                cpu = sum(r[4] for r in chunk)
                cpu_all += cpu
                print(f"{n}: {len(drawn)} states, {size / 2**20:.1f} MiB ({size / len(drawn) / 1024:.0f} KiB each), "
                      f"{cpu:.0f} s CPU ({cpu / len(drawn):.2f} s each), {time.perf_counter() - start:.0f} s so far",
                      flush=True)
        wall = time.perf_counter() - start
        print(f"wall {wall:.0f} s, CPU {cpu_all:.0f} s in the workers")
    write_site_files()
    size = sum(f.stat().st_size for f in STATES_DIR.rglob("*") if f.is_file())
    count = sum(len(load_index(n)["states"]) for n in PANELS if load_index(n))
    print(f"data/widget-states: {count} states, {size / 2**20:.1f} MiB in all")
    if size > MAX_BYTES:
        raise SystemExit(f"the states take {size / 2**20:.1f} MiB, more than {MAX_BYTES / 2**20:.0f}: reduce the grids")
    return 0


if __name__ == "__main__":
    # Through the imported module, so that the worker processes find the task function by name.
    from lecturelib.widgets import _states

    sys.exit(_states.main())
