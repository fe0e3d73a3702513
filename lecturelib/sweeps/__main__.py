"""``python -m lecturelib.sweeps``: compute the stored sweeps on a Dask cluster (``make sweeps``).

By default a ``LocalCluster`` with one single-threaded worker per usable core; with
``DASK_SCHEDULER=tcp://host:8786`` (or ``--scheduler``) the sweeps run on that cluster, whose
workers must have this checkout's ``lecturelib`` importable. Every declared sweep whose stored
file is missing or stale is computed; fresh ones are skipped (``--force`` recomputes them).
``--sweep NAME`` (``make sweeps SWEEP=NAME``) limits the run to one sweep; ``--list`` prints
the state of each.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from . import describe_all, registry, run, status


def _client(address: str | None):
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the Makefile installs the cluster extra
        sys.exit("make sweeps needs dask.distributed: pip install 'dask[distributed]' (the [cluster] extra)")
    if address:
        client = Client(address)
        workers = len(client.scheduler_info()["workers"])
        return client, None, workers, address
    from ..sgd import _available_cores

    cores = _available_cores()
    cluster = LocalCluster(n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=":0")
    return Client(cluster), cluster, cores, f"LocalCluster({cores} workers)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lecturelib.sweeps", description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", help="compute only this sweep")
    parser.add_argument("--scheduler", default=os.environ.get("DASK_SCHEDULER") or None,
                        help="address of a running Dask scheduler (default: $DASK_SCHEDULER, else a LocalCluster)")
    parser.add_argument("--force", action="store_true", help="recompute even a fresh stored sweep")
    parser.add_argument("--list", action="store_true", help="print each sweep's state and exit")
    args = parser.parse_args(argv)
    sweeps = registry()
    if args.list:
        print("\n".join(describe_all()))
        return 0
    names = sorted(sweeps) if args.sweep is None else [args.sweep]
    for name in names:
        if name not in sweeps:
            print(f"no sweep named {name!r}; declared: {', '.join(sorted(sweeps))}", file=sys.stderr)
            return 2
    todo = []
    for name in names:
        state, why = status(name)
        if state == "fresh" and not args.force:
            print(f"{name}: fresh, not recomputed ({why})")
        else:
            print(f"{name}: {state} ({why}): computing")
            todo.append(name)
    if not todo:
        return 0
    client, cluster, workers, scheduler = _client(args.scheduler)
    print(f"Dask: {scheduler}; dashboard {client.dashboard_link}")
    try:
        executor = client.get_executor()
        for name in todo:
            start = time.perf_counter()
            stored = run(name, executor=executor, progress=True, workers=workers, scheduler=scheduler)
            print(f"{name}: stored in {time.perf_counter() - start:.0f} s wall, "
                  f"{stored.provenance['cpu_seconds'] / 60:.1f} CPU min -> data/sweeps/{name}.npz")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
