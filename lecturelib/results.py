"""Sweep results that outlive the session: one ``.npz`` file, arrays plus a JSON header.

:func:`save` writes a result dataclass of lecturelib (an
:class:`~lecturelib.experiments.EscapeSweep`, :class:`~lecturelib.experiments.TheoremTable`,
:class:`~lecturelib.experiments.EscapeProbability`, :class:`~lecturelib.experiments.PhaseDiagram`,
:class:`~lecturelib.sgd.SGDResult`, ...): every array as an entry of the archive (no pickle),
every other field (numbers, strings, tuples, nested results) in a JSON header together with
the kind of result, lecturelib's version and the seed. Floats go through JSON as their
shortest round-trip representation, so :func:`load` gives back the same result exactly
(every array equal bit for bit, dtype and shape included). A link is stored by its
definition (Hermite series or catalogue kind); a link built from a Python function cannot be
stored and is refused.

:func:`load` refuses a file of another format, of another lecturelib version, or of another
kind than the one asked for, with a message that says which.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["save", "load", "FORMAT"]

FORMAT = "lecturelib-result/1"
"""Format tag written in every header."""
_HEADER = "__header__"


def _version() -> str:
    from . import __version__

    return __version__


def _encode(value: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    from .links import Link

    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError(f"{where}: arrays of Python objects cannot be saved")
        key = f"a{len(arrays)}"
        arrays[key] = value
        return {"__array__": key}
    if isinstance(value, Link):
        if value.kind == "callable":
            raise TypeError(
                f"{where}: link {value.name!r} was built from a Python function and cannot be stored; "
                "use a Hermite series (Link.from_hermite_series) or a catalogue link (Link.named)"
            )
        return {"__link__": {"name": value.name, "kind": value.kind, "series": value.series and list(value.series),
                             "breakpoints": value.breakpoints and list(value.breakpoints), "kmax": value.kmax}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not cls.__module__.startswith("lecturelib."):
            raise TypeError(f"{where}: only lecturelib's result classes can be saved, got {cls.__qualname__}")
        return {"__dataclass__": f"{cls.__module__}:{cls.__qualname__}",
                "fields": {f.name: _encode(getattr(value, f.name), arrays, f"{where}.{f.name}")
                           for f in dataclasses.fields(value)}}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"{where}: only dicts with string keys can be saved")
        return {"__dict__": {k: _encode(v, arrays, f"{where}[{k!r}]") for k, v in value.items()}}
    if isinstance(value, (np.bool_, np.integer, np.floating)):
        return {"__scalar__": value.dtype.str, "value": value.item()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{where}: cannot save a value of type {type(value).__name__}")


def _decode(value: Any, arrays: Any) -> Any:
    from .links import Link

    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        a = arrays[value["__array__"]]
        a.setflags(write=False)
        return a
    if "__link__" in value:
        spec = dict(value["__link__"])
        for name in ("series", "breakpoints"):
            spec[name] = None if spec[name] is None else tuple(float(c) for c in spec[name])
        return Link(**spec)
    if "__dataclass__" in value:
        module, _, qualname = value["__dataclass__"].partition(":")
        if not module.startswith("lecturelib."):
            raise ValueError(f"not a lecturelib result class: {value['__dataclass__']!r}")
        cls = getattr(importlib.import_module(module), qualname)
        return cls(**{k: _decode(v, arrays) for k, v in value["fields"].items()})
    if "__tuple__" in value:
        return tuple(_decode(v, arrays) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: _decode(v, arrays) for k, v in value["__dict__"].items()}
    if "__scalar__" in value:
        return np.dtype(value["__scalar__"]).type(value["value"])
    raise ValueError(f"unknown entry in the header: {sorted(value)!r}")


def save(result: object, path: str | os.PathLike) -> Path:
    """Write ``result`` (a lecturelib result dataclass) to ``path`` (``.npz`` is appended if missing).

    The header records ``kind`` (the class name), ``lecturelib`` (the version) and ``seed``
    (the result's ``seed`` field, else ``seeds``, else ``None``). Returns the path written.
    """
    if not (dataclasses.is_dataclass(result) and not isinstance(result, type)):
        raise TypeError(f"result must be a lecturelib result dataclass, got {type(result).__name__}")
    arrays: dict[str, np.ndarray] = {}
    body = _encode(result, arrays, type(result).__name__)
    seed = getattr(result, "seed", getattr(result, "seeds", None))
    header = {"format": FORMAT, "kind": type(result).__name__, "lecturelib": _version(),
              "seed": _encode(seed, {}, "seed") if not isinstance(seed, np.ndarray) else None, "result": body}
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    text = json.dumps(header, allow_nan=True)
    np.savez(path, **{_HEADER: np.array(text)}, **arrays)
    return path


def load(path: str | os.PathLike, kind: type | str | None = None) -> Any:
    """Read a result written by :func:`save`; exactly the saved result.

    Parameters
    ----------
    path : path-like
    kind : class or str, optional
        The expected kind (e.g. ``EscapeSweep`` or ``"EscapeSweep"``): a file holding another
        kind is refused.

    Raises
    ------
    ValueError
        If the file is not a lecturelib result, was written by another version of lecturelib,
        or holds another kind than ``kind``.
    """
    want = kind.__name__ if isinstance(kind, type) else kind
    if want is not None and not isinstance(want, str):
        raise TypeError(f"kind must be None, a class or a class name, got {kind!r}")
    with np.load(Path(path), allow_pickle=False) as archive:
        if _HEADER not in archive.files:
            raise ValueError(f"{path} is not a lecturelib result file (no header); write one with lecturelib.results.save")
        header = json.loads(str(archive[_HEADER][()]))
        if header.get("format") != FORMAT:
            raise ValueError(f"{path} has format {header.get('format')!r}; this lecturelib reads {FORMAT!r}")
        if header["lecturelib"] != _version():
            raise ValueError(
                f"{path} was written by lecturelib {header['lecturelib']}, this is lecturelib {_version()}: "
                "results of another version may differ; recompute it with this version (same seed: "
                f"{header['seed']!r}) or load it with lecturelib {header['lecturelib']}"
            )
        if want is not None and header["kind"] != want:
            raise ValueError(f"{path} holds a {header['kind']}, not a {want}")
        arrays = {k: archive[k] for k in archive.files if k != _HEADER}
        return _decode(header["result"], arrays)
