"""Sweeps on executors give the serial result bit for bit; results round-trip through a file."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from lecturelib import Link
from lecturelib.experiments import EscapeSweep, escape_sweep, phase_diagram
from lecturelib.results import load, save

SETTING = dict(eta_scale=0.05, eta_exponent=1.5, horizon_scale=60.0, horizon_exponent=2.0, runs=10, seed=7,
               n_boot=50)
D = (20, 30)


@pytest.fixture(scope="module")
def serial() -> EscapeSweep:
    return escape_sweep(Link.hermite(3), D, **SETTING)


@pytest.fixture(scope="module")
def dask_executor():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                       dashboard_address=":0")
    try:
        client = distributed.Client(cluster)
        try:
            yield client.get_executor()
        finally:
            client.close()
    finally:
        cluster.close()


def test_thread_pool_sweep_equals_serial_bit_for_bit_for_every_block_size(serial):
    with ThreadPoolExecutor(max_workers=3) as pool:
        for block in (1, 3, 10):
            sweep = escape_sweep(Link.hermite(3), D, executor=pool, block=block, **SETTING)
            assert np.array_equal(sweep.times, serial.times, equal_nan=True)
            assert sweep.exponent == serial.exponent


def test_dask_cluster_sweep_equals_serial_and_thread_pool_bit_for_bit(serial, dask_executor):
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = escape_sweep(Link.hermite(3), D, executor=pool, block=4, **SETTING)
    for block in (4, 3):
        on_cluster = escape_sweep(Link.hermite(3), D, executor=dask_executor, block=block, **SETTING)
        assert np.array_equal(on_cluster.times, serial.times, equal_nan=True)
        assert np.array_equal(on_cluster.times, threaded.times, equal_nan=True)
        assert on_cluster.exponent == serial.exponent


def test_lambda_link_is_refused_before_it_is_sent_to_another_process(dask_executor):
    link = Link.from_function(lambda z: z**3 - 3 * z, name="cubic-lambda")
    with pytest.raises(TypeError, match="cannot be sent to another process.*Link.from_hermite_series"):
        escape_sweep(link, D, executor=dask_executor, **SETTING)


def test_executor_must_be_a_concurrent_futures_executor():
    with pytest.raises(TypeError, match="executor must be None or a concurrent.futures.Executor"):
        escape_sweep(Link.hermite(3), D, executor=object(), **SETTING)


def test_saved_sweep_loads_back_exactly(serial, tmp_path):
    path = save(serial, tmp_path / "sweep")
    back = load(path, EscapeSweep)
    assert back.link == serial.link and back.seeds == serial.seeds and back.exponent == serial.exponent
    for name in ("d", "eta", "horizon", "times", "median", "censored_fraction"):
        a, b = getattr(back, name), getattr(serial, name)
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True), name


def test_saved_phase_diagram_with_closed_form_link_loads_back_exactly(tmp_path):
    pd = phase_diagram(Link.named("relu"), 20, (0.2, 0.4), runs=4, points=5, horizon_scale=5.0)
    back = load(save(pd, tmp_path / "pd.npz"))
    assert back.link == pd.link and back.seed == pd.seed and back.horizon == pd.horizon
    assert np.array_equal(back.times, pd.times, equal_nan=True) and np.array_equal(back.probability, pd.probability)


def test_file_of_another_kind_or_version_is_refused(serial, tmp_path, monkeypatch):
    path = save(serial, tmp_path / "sweep.npz")
    with pytest.raises(ValueError, match="holds a EscapeSweep, not a PhaseDiagram"):
        load(path, "PhaseDiagram")
    import lecturelib

    monkeypatch.setattr(lecturelib, "__version__", "0.0.0-other")
    with pytest.raises(ValueError, match="written by lecturelib 0.1.0, this is lecturelib 0.0.0-other"):
        load(path)
    np.savez(tmp_path / "plain.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="not a lecturelib result file"):
        load(tmp_path / "plain.npz")


def test_algorithm_sweep_of_a_variant_loss_on_a_thread_pool_equals_serial():
    from lecturelib.algorithms import algorithm_sweep

    serial = algorithm_sweep("l1", d_values=(16, 24), runs=6, n_boot=20)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pooled = algorithm_sweep("l1", d_values=(16, 24), runs=6, n_boot=20, executor=pool, block=4)
    assert np.array_equal(pooled.sweep.times, serial.sweep.times, equal_nan=True)


def test_success_sweep_on_a_thread_pool_equals_serial():
    from lecturelib.multipass import success_sweep

    args = (Link.hermite(3), (8, 10), (0.5, 2.0))
    serial = success_sweep(*args, runs=4, seed=0, horizon_scale=5.0)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pooled = success_sweep(*args, runs=4, seed=0, horizon_scale=5.0, executor=pool)
    for name in ("n", "success", "online_success", "final_overlap", "train_loss", "population_loss"):
        assert np.array_equal(getattr(pooled, name), getattr(serial, name)), name
