"""The static site's widget states (lecturelib/widgets/_states.py, data/widget-states/).

Every panel's stored states are fresh (their fingerprint matches the sources, versions, grid
and encoding; otherwise the test says to run ``make states``), complete (every state of the
grid stored, no file extra) and within budget; two states per panel, redrawn here with the
panel's own draw and seeds, match the stored image. Tolerance: at most 0.01 % of the pixels may
differ (about 80 pixels of a 1 MP figure), so a moved or changed curve, which changes thousands,
fails; on this machine the images are equal.
"""

from __future__ import annotations

import hashlib
import io
import json

import numpy as np
import pytest
from PIL import Image

from lecturelib.widgets import _states
from lecturelib.widgets._states import PANELS, StaleStates, check_fresh, spec

PIXEL_TOLERANCE = 1e-4
"""Largest fraction of pixels that may differ between a redrawn state and the stored one."""


def test_the_grids_fit_the_budget():
    counts = {name: len(spec(name).states()[1]) for name in PANELS}
    assert all(2 <= n <= _states.MAX_STATES_PER_PANEL for n in counts.values()), counts
    assert sum(counts.values()) <= _states.MAX_STATES, counts


def test_the_stored_states_fit_the_size_budget():
    size = sum(f.stat().st_size for f in _states.STATES_DIR.rglob("*") if f.is_file())
    assert size <= _states.MAX_BYTES, f"{size / 2**20:.1f} MiB"


@pytest.mark.parametrize("name", list(PANELS))
def test_states_are_fresh_and_complete(name):
    index = check_fresh(name)  # StaleStates: "run `make states`"
    s = spec(name)
    keys, drawn = s.states()
    assert index["keys"] == keys, f"{name}: the stored keys are not the grid's"
    assert [st["settings"] for st in index["states"]] == json.loads(json.dumps(drawn))
    folder = _states.panel_dir(name)
    stored = {p.name for p in folder.glob("*.webp")}
    referenced = {st["file"] for st in index["states"]}
    assert referenced <= stored, f"{name}: missing images {sorted(referenced - stored)[:5]}"
    assert stored <= referenced, f"{name}: images no state refers to {sorted(stored - referenced)[:5]}"
    for st in index["states"]:
        data = (folder / st["file"]).read_bytes()
        assert st["file"] == hashlib.sha256(data).hexdigest()[:16] + ".webp"
        assert st["alt"].strip() and st["width"] > 0 and st["height"] > 0
    # Every control of the panel varies on the site, except the free-text ones (fixed at their default).
    assert {c.name for c in s.controls} == set(s.defaults)
    assert all(len(c.values) >= 2 for c in s.varying)


def test_the_site_files_are_generated_from_the_indexes():
    for path, data in _states.site_files().items():
        assert path.is_file() and path.read_bytes() == data, f"{path} is not what make states writes: run it"


def _sample(name: str) -> list[dict]:
    """The default setting and its neighbour along the last control of the grid."""
    s = spec(name)
    keys, drawn = s.states()
    index = {tuple(sorted(d.items())): i for i, d in enumerate(drawn)}
    default = s.drawn(s.defaults)
    last = s.varying[-1]
    at = last.values.index(default[last.name]) if default[last.name] in last.values else 0
    other = s.drawn({**s.defaults, last.name: last.values[(at + 1) % len(last.values)]})
    return [drawn[index[tuple(sorted(default.items()))]], drawn[index[tuple(sorted(other.items()))]]]


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


@pytest.mark.parametrize("name", list(PANELS))
def test_two_states_redrawn_match_the_stored_images(name):
    index = check_fresh(name)
    by_setting = {json.dumps(st["settings"], sort_keys=True): st for st in index["states"]}
    for setting in _sample(name):
        stored = by_setting[json.dumps(json.loads(json.dumps(setting)), sort_keys=True)]
        data, alt, width, height = _states.render(name, setting)
        assert alt == stored["alt"]
        assert (width, height) == (stored["width"], stored["height"])
        new, old = _pixels(data), _pixels((_states.panel_dir(name) / stored["file"]).read_bytes())
        assert new.shape == old.shape, f"{name} {setting}: size {new.shape} against {old.shape}"
        differ = np.any(new != old, axis=-1).mean()
        assert differ <= PIXEL_TOLERANCE, f"{name} {setting}: {differ:.4%} of the pixels differ from {stored['file']}"


def test_a_changed_source_makes_the_panel_stale_with_the_command_to_run(monkeypatch):
    name = "hermite_explorer"
    real = _states.dependencies

    def edited(module):
        found = real(module)
        found["lecturelib.plotting.hermite"] = "0" * 64
        return found

    monkeypatch.setattr(_states, "dependencies", edited)
    with pytest.raises(StaleStates, match=r"run `make states`.*") as caught:
        check_fresh(name)
    assert "lecturelib.plotting.hermite" in str(caught.value)


def test_the_fingerprint_follows_what_a_panel_imports_and_no_more():
    hermite = _states.dependencies("lecturelib.widgets.hermite")
    sgd = _states.dependencies("lecturelib.widgets.sgd")
    assert {"lecturelib.plotting.hermite", "lecturelib.hermite", "lecturelib.widgets._panel"} <= set(hermite)
    assert "lecturelib.sgd" not in hermite and "lecturelib.plotting.sgd" not in hermite
    assert {"lecturelib.sgd", "lecturelib._kernels", "lecturelib.plotting.sgd"} <= set(sgd)


def test_encoding_is_deterministic():
    from matplotlib.figure import Figure

    def figure():
        fig = Figure(figsize=(3, 2))
        ax = fig.subplots()
        ax.plot(np.linspace(0, 1, 50) ** 2, label="x²")
        ax.set_title("a curve")
        ax.legend()
        return fig

    assert _states.encode(figure()) == _states.encode(figure())
