"""Stored sweeps: declared once, computed on any executor bit for bit, stored with provenance,
refused when stale, found from any working folder, and verified by recomputing a sample.

The second half checks every sweep the course stores in data/sweeps/: it must match its
declaration (else: run `make sweeps SWEEP=name`), and a deterministic sample of its runs
recomputed here must equal the stored ones (bit for bit on the CPU model that computed it).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from lecturelib import sweeps
from lecturelib.results import save
from lecturelib.sweeps.lecture04 import escape_cell

REPO = Path(__file__).resolve().parents[1]
TOY_CELLS = [{"k": 3, "d": 20, "eta": 0.05 * 20**-1.5, "horizon": 8000, "level": 0.5, "_cost": 1.0},
             {"k": 2, "d": 30, "eta": 0.1 / 30, "horizon": 3000, "level": 0.5, "_cost": 2.0}]


@pytest.fixture
def toy(tmp_path):
    """A small sweep declared for the test (removed from the registry afterwards)."""
    name = f"toy-{os.getpid()}-{len(sweeps._REGISTRY)}"
    sweep = sweeps.declare(name, lecture="test", description="toy", function=escape_cell, cells=TOY_CELLS,
                           runs=10, seed=3, sources=("lecturelib.sgd:online_sgd",), block=4)
    try:
        yield sweep, tmp_path
    finally:
        sweeps._REGISTRY.pop(name, None)


def test_stored_arrays_equal_one_call_of_the_cell_function_whatever_the_executor(toy):
    sweep, folder = toy
    serial = sweeps.run(sweep.name, folder=folder, progress=False)
    for i, cell in enumerate(TOY_CELLS):
        args = {k: v for k, v in cell.items() if not k.startswith("_")}
        direct = escape_cell(0, 10, seed=serial.cell_seeds[i], **args)["escape"]
        np.testing.assert_array_equal(serial.arrays[i]["escape"], direct)
        assert np.isfinite(direct).sum() >= 5  # escapes happen: the comparison is not vacuous
    with ThreadPoolExecutor(max_workers=3) as pool:
        threaded = sweeps.run(sweep.name, folder=folder, executor=pool, progress=False, workers=3)
    for a, b in zip(serial.arrays, threaded.arrays):
        np.testing.assert_array_equal(a["escape"], b["escape"])


def test_dask_local_cluster_gives_the_serial_arrays(toy):
    distributed = pytest.importorskip("distributed")
    sweep, folder = toy
    serial = sweeps.run(sweep.name, folder=folder, progress=False)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        remote = sweeps.run(sweep.name, folder=folder, executor=client.get_executor(), progress=False, workers=2)
    for a, b in zip(serial.arrays, remote.arrays):
        np.testing.assert_array_equal(a["escape"], b["escape"])
    assert remote.provenance["workers"] == 2


def test_provenance_and_one_line_origin(toy, capsys):
    sweep, folder = toy
    sweeps.run(sweep.name, folder=folder, progress=False)
    stored = sweeps.load(sweep.name, folder=folder)
    line = capsys.readouterr().out.strip()
    assert "\n" not in line and "10 runs" in line and "seed 3" in line and f"make sweeps SWEEP={sweep.name}" in line
    p = stored.provenance
    for key in ("source_hash", "sources", "numpy", "numba", "cpu", "workers", "wall_seconds", "cpu_seconds",
                "created"):
        assert key in p, key
    assert p["source_hash"] == sweeps.source_hash(sweep)
    assert "lecturelib.sweeps.lecture04:escape_cell" in p["sources"] and "lecturelib.sgd:online_sgd" in p["sources"]
    assert stored.cells == tuple(TOY_CELLS) and stored.runs == 10 and stored.seed == 3


def test_missing_and_stale_files_are_refused_with_the_command_to_run(toy):
    sweep, folder = toy
    with pytest.raises(sweeps.StaleSweepError, match=f"missing.*make sweeps SWEEP={sweep.name}"):
        sweeps.load(sweep.name, folder=folder)
    stored = sweeps.run(sweep.name, folder=folder, progress=False)
    assert sweeps.status(sweep.name, folder)[0] == "fresh"
    import dataclasses

    for change, why in [({"provenance": {**stored.provenance, "source_hash": "0" * 64}}, "code it ran has changed"),
                        ({"seed": 4}, "seed"), ({"runs": 9}, "runs"),
                        ({"cells": (TOY_CELLS[0], {**TOY_CELLS[1], "d": 31})}, "parameters")]:
        save(dataclasses.replace(stored, **change), sweeps.path_of(sweep.name, folder))
        state, message = sweeps.status(sweep.name, folder)
        assert state == "stale" and why in message
        with pytest.raises(sweeps.StaleSweepError, match=f"stale.*make sweeps SWEEP={sweep.name}"):
            sweeps.load(sweep.name, folder=folder)


def test_verify_recomputes_a_sample_and_catches_a_changed_value(toy):
    sweep, folder = toy
    stored = sweeps.run(sweep.name, folder=folder, progress=False)
    report = sweeps.verify(sweep.name, folder=folder)
    assert report["mode"] == "exact" and len(report["checked"]) >= 4
    cells = {i for i, _ in report["checked"]}
    assert cells == {0, 1}
    i, r = report["checked"][0]
    arrays = [dict(a) for a in stored.arrays]
    bad = arrays[i]["escape"].copy()
    bad[r] = 12345.0 if np.isnan(bad[r]) else bad[r] + 1
    arrays[i]["escape"] = bad
    import dataclasses

    save(dataclasses.replace(stored, arrays=tuple(arrays)), sweeps.path_of(sweep.name, folder))
    with pytest.raises(AssertionError, match="bit for bit"):
        sweeps.verify(sweep.name, folder=folder)


def test_data_folder_is_found_from_the_lectures_a_copy_and_a_temporary_folder(tmp_path, monkeypatch):
    expected = REPO / "data" / "sweeps"
    for where in (REPO / "lectures", REPO, tmp_path):
        monkeypatch.chdir(where)
        assert sweeps.data_folder() == expected
    monkeypatch.setenv("COURSE_DATA", str(tmp_path))
    assert sweeps.data_folder() == tmp_path


def test_declare_refuses_bad_declarations(toy):
    sweep, _ = toy
    with pytest.raises(ValueError, match="already declared"):
        sweeps.declare(sweep.name, lecture="t", description="t", function=escape_cell, cells=TOY_CELLS, runs=1,
                       seed=0)
    with pytest.raises(TypeError, match="module-level"):
        sweeps.declare("lambda-sweep", lecture="t", description="t", function=lambda a, b, seed: {}, cells=TOY_CELLS,
                       runs=1, seed=0)
    with pytest.raises(ValueError, match="name"):
        sweeps.declare("a/b", lecture="t", description="t", function=escape_cell, cells=TOY_CELLS, runs=1, seed=0)
    with pytest.raises(ValueError, match="at least one cell"):
        sweeps.declare("empty", lecture="t", description="t", function=escape_cell, cells=[], runs=1, seed=0)
    with pytest.raises(ValueError, match="no sweep named"):
        sweeps.get("no-such-sweep")


def test_source_hash_follows_the_code_not_the_module():
    sweep = sweeps.get("theorem-table")
    assert sweeps.source_hash(sweep) == sweeps.source_hash(sweep)
    assert "lecturelib._kernels:overlap_chain" in sweep.all_sources()
    text = sweeps._source_text("lecturelib._kernels:overlap_chain")
    assert text.lstrip().startswith("@njit") and "def overlap_chain" in text


# --------------------------------------------------------------------------- the course's stored sweeps


@pytest.mark.parametrize("name", sorted(sweeps.registry()))
def test_stored_sweep_matches_its_declaration(name):
    state, why = sweeps.status(name)
    assert state == "fresh", f"{why}: run `make sweeps SWEEP={name}` and commit data/sweeps/{name}.npz"


@pytest.mark.parametrize("name", sorted(sweeps.registry()))
def test_stored_sweep_sample_recomputes(name):
    """Three runs at each of the two cheapest settings and one at the largest setting under 10 s a run."""
    report = sweeps.verify(name)
    assert len(report["checked"]) >= 4
    if report["same_cpu"]:
        assert report["mode"] == "exact"


def test_source_text_reads_the_file_not_stale_line_numbers(tmp_path, monkeypatch):
    """A module edited after import (lines shifted above a function) is hashed from the file as it is."""
    module = tmp_path / "shifting_module.py"
    module.write_text("def cell(first, stop, *, seed):\n    return {}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    importlib.import_module("shifting_module")
    before = sweeps._source_text("shifting_module:cell")
    module.write_text('"""A docstring added above."""\n\n\ndef cell(first, stop, *, seed):\n    return {}\n')
    assert sweeps._source_text("shifting_module:cell") == before == "def cell(first, stop, *, seed):\n    return {}\n"
