"""Snapshots: a validated, built graph and its indexes in one file, to serve again in seconds.

Loading a million OpenSanctions entities means parsing, cleaning and mapping every line,
then building the search, hub and dated indexes: about a minute. A snapshot keeps the
result, so a server starts from it in a few seconds and every worker of every restart
serves the same graph.

**Format (version 1).** A ZIP archive with its members *stored*, not compressed (reading
fast is the point), each checked against its CRC-32 as it is read, so a corrupt or
truncated file is refused before anything is served. ``manifest.json`` names the format
and its version, the Linkscope version that wrote it, and every input file with its size,
modification time and SHA-256. The graph's attributes are stored as columns grouped by
attribute set (the attributes of a million imported records come in a few dozen shapes),
each column JSON (read with orjson) or, when it repeats a few values (a file name, a
dataset, a status), those values once and a numpy array of codes; entity ids are stored
once and referred to by position. Indexes give their state as numpy arrays, bytes and JSON
(:mod:`graph.store.state`). Nothing is pickled: reading a snapshot runs no code from it.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import tempfile
import zipfile
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from graph.errors import DataError, Problem
from graph.ingest.curated import BUNDLED_DATA, data_files
from graph.ingest.ftm import Progress
from graph.ingest.ftm.report import FtmReport
from graph.model.vocabulary import Vocabulary
from graph.store import records
from graph.store.dated import DatedIndex
from graph.store.hubs import HubIndex
from graph.store.search import SearchIndex
from graph.store.state import IndexState, NodeIds
from graph.store.store import GraphStore

__all__ = [
    "FORMAT",
    "VERSION",
    "InputFile",
    "Manifest",
    "changed_inputs",
    "input_files",
    "make_snapshot",
    "read_manifest",
    "read_snapshot",
    "refresh_snapshot",
    "write_snapshot",
]

FORMAT = "linkscope-snapshot"
VERSION = 1


@dataclass(frozen=True)
class InputFile:
    path: str
    size: int
    mtime_ns: int
    sha256: str


@dataclass
class Manifest:
    """What a snapshot holds and what it was made from."""

    format: str
    version: int
    linkscope: str
    created: str
    data: list[str]
    ftm: list[str]
    skip_invalid: bool
    strict: bool
    nodes: int
    edges: int
    inputs: list[InputFile] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Manifest:
        inputs = [InputFile(**item) for item in raw.pop("inputs", [])]
        return cls(**raw, inputs=inputs)


def input_files(paths: Sequence[Path | str]) -> list[InputFile]:
    """Every file under ``paths`` (folders: their data files) with its size, time and SHA-256."""
    found: list[InputFile] = []
    for path in map(Path, paths):
        for file in _files(path):
            stat = file.stat()
            found.append(InputFile(str(file), stat.st_size, stat.st_mtime_ns, _sha256(file)))
    return found


# ---- writing -----------------------------------------------------------------------------


def write_snapshot(
    store: GraphStore,
    path: Path,
    *,
    data: Sequence[Path | str],
    ftm: Sequence[Path | str] = (),
    skip_invalid: bool = False,
    strict: bool = False,
) -> Manifest:
    """Write ``store`` (its indexes built first) to ``path``, which appears only once complete."""
    store.warm()
    graph = store.graph
    manifest = Manifest(
        FORMAT,
        VERSION,
        version("linkscope"),
        datetime.now(UTC).isoformat(timespec="seconds"),
        [str(Path(p).resolve()) for p in data],
        [str(Path(p).resolve()) for p in ftm],
        skip_invalid,
        strict,
        store.nodes,
        store.edges,
        input_files([*data, *ftm]),
    )
    ids = list(records.entities(graph))
    position = {node: i for i, node in enumerate(ids)}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".snapshot-", dir=path.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            put = _Writer(archive, position)
            put.json("manifest.json", asdict(manifest))
            put.json("graph.json", {k: v for k, v in graph.graph.items() if k != "vocabulary"})
            put.json("vocabulary.json", records.vocabulary(graph).dump())
            put.json("stats.json", store.stats)
            if store.ftm_report is not None:
                put.json("report.json", store.ftm_report.dump())
            put.json("ids.json", ids)
            put.records("nodes", [records.entity_attrs(graph, node) for node in ids])
            sources, targets, keys, attrs = records.edge_columns(graph, position)
            put.array("edges/sources.npy", np.asarray(sources, dtype=np.int32))
            put.array("edges/targets.npy", np.asarray(targets, dtype=np.int32))
            put.json("edges/keys.json", keys)
            put.records("edges", attrs)
            for name, index in (("search", store.index), ("hubs", store.hubs), ("dated", store.dated)):
                put.state(name, index.state())
        os.chmod(temporary, 0o666 & ~_umask())  # as any file the user writes (mkstemp made it private)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest


@dataclass
class _Writer:
    archive: zipfile.ZipFile
    position: dict[str, int]

    def json(self, name: str, value: Any) -> None:
        self.archive.writestr(name, orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))

    def array(self, name: str, value: np.ndarray) -> None:
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        self.archive.writestr(name, buffer.getvalue())

    def ids(self, name: str, value: Sequence[str]) -> None:
        self.array(name, np.fromiter((self.position[n] for n in value), dtype=np.int32, count=len(value)))

    def column(self, name: str, values: list[Any]) -> dict[str, Any]:
        """A list of values, kept the quickest way to read back (how, for the reader):
        repetitive ones as their distinct values and a code each, integers as an array,
        strings joined in one UTF-8 text, the rest as JSON."""
        tuples = any(isinstance(v, tuple) for v in values)
        coded = _dictionary(values)
        if coded is not None:
            distinct, codes = coded
            self.json(name + ".json", distinct)
            self.array(name + ".codes.npy", codes)
            return {"encoding": "coded", "tuples": tuples}
        if values and all(type(v) is int for v in values) and min(values) >= -(2**63) and max(values) < 2**63:
            self.array(name + ".npy", np.asarray(values, dtype=np.int64))
            return {"encoding": "integers", "tuples": False}
        if values and all(type(v) is str and _SEPARATOR not in v for v in values):
            self.archive.writestr(name + ".txt", _SEPARATOR.join(values).encode())
            return {"encoding": "texts", "tuples": False}
        self.json(name + ".json", values)
        return {"encoding": "json", "tuples": tuples}

    def records(self, prefix: str, items: list[records.Attrs]) -> None:
        """Attribute dicts as columns, grouped by their keys."""
        shapes: dict[tuple[str, ...], list[int]] = {}
        for i, item in enumerate(items):
            shapes.setdefault(tuple(item), []).append(i)
        groups = []
        for number, (keys, rows) in enumerate(shapes.items()):
            columns = [
                {"key": key, **self.column(f"{prefix}/{number}/{c}", [items[i][key] for i in rows])}
                for c, key in enumerate(keys)
            ]
            self.array(f"{prefix}/{number}/rows.npy", np.asarray(rows, dtype=np.int32))
            groups.append(columns)
        self.json(f"{prefix}/groups.json", {"count": len(items), "groups": groups})

    def state(self, prefix: str, state: IndexState) -> None:
        kinds: dict[str, Any] = {}
        for name, value in state.items():
            if isinstance(value, NodeIds):
                self.ids(f"{prefix}/{name}.ids.npy", value)
                kinds[name] = "ids"
            elif isinstance(value, np.ndarray):
                self.array(f"{prefix}/{name}.npy", value)
                kinds[name] = "array"
            elif isinstance(value, bytes):
                self.archive.writestr(f"{prefix}/{name}.bin", value)
                kinds[name] = "bytes"
            elif isinstance(value, list):
                kinds[name] = self.column(f"{prefix}/{name}", value)
            else:
                self.json(f"{prefix}/{name}.json", value)
                kinds[name] = "json"
        self.json(f"{prefix}/state.json", kinds)


#: Joins a column of strings in one text (a column with a string holding it is kept as JSON).
_SEPARATOR = "\x00"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _dictionary(values: list[Any]) -> tuple[list[Any], np.ndarray] | None:
    """The distinct values and a code per value, when that is at most half as many values."""
    distinct: dict[Any, int] = {}
    try:
        codes = np.fromiter((distinct.setdefault(v, len(distinct)) for v in values), dtype=np.int32, count=len(values))
    except TypeError:  # lists or dicts: not hashable, kept as they are
        return None
    if len(distinct) > len(values) // 2:
        return None
    return list(distinct), codes


# ---- reading ---------------------------------------------------------------------------------


def read_manifest(path: Path) -> Manifest:
    """The manifest, checked: a Linkscope snapshot of the version this Linkscope reads."""
    with _open(path) as archive:
        return _manifest(path, archive)


def read_snapshot(path: Path) -> GraphStore:
    """The store a snapshot holds, with its indexes; :class:`~graph.errors.DataError` (naming
    the file and what is wrong) when it is not a snapshot, another version, truncated or corrupt.

    The collector is off while millions of objects are made (it would walk them again and
    again), and what was read is then frozen out of it (``gc.freeze``): a graph read whole
    holds no garbage, and the first collection after would otherwise walk all of it (a
    second at a million entities). Refcounting still frees it when it is dropped.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        store = _read(path)
        gc.freeze()
    finally:
        if collecting:
            gc.enable()
    return store


def _read(path: Path) -> GraphStore:
    with _open(path) as archive:
        manifest = _manifest(path, archive)
        read = _Reader(archive)
        try:
            ids = read.json("ids.json")
            read.ids_array = np.empty(len(ids), dtype=object)
            read.ids_array[:] = ids
            vocabulary = Vocabulary.load(read.json("vocabulary.json"))
            nodes = read.records("nodes")
            sources = read.ids("edges/sources.npy")
            targets = read.ids("edges/targets.npy")
            graph = records.graph_from_columns(
                {**read.json("graph.json"), "vocabulary": vocabulary},
                ids,
                nodes,
                sources,
                targets,
                keys := read.json("edges/keys.json"),
                read.records("edges"),
            )
            report = FtmReport.load(read.json("report.json")) if "report.json" in read.names else None
            store = GraphStore(graph, [*manifest.data, *manifest.ftm], ftm_report=report, counted=len(keys))
            store.__dict__["stats"] = read.json("stats.json")
            store.__dict__["index"] = SearchIndex.restore(graph, read.state("search"))
            store.__dict__["hubs"] = HubIndex.restore(graph, read.state("hubs"))
            store.__dict__["dated"] = DatedIndex.restore(graph, read.state("dated"))
        except (zipfile.BadZipFile, KeyError, IndexError, ValueError, TypeError) as err:
            raise _refused(path, f"it is damaged ({err}); make it again with `linkscope snapshot`") from None
    if store.nodes != manifest.nodes or store.edges != manifest.edges:
        raise _refused(path, "its graph does not match its manifest; make it again with `linkscope snapshot`")
    store.snapshot = manifest
    return store


@dataclass
class _Reader:
    archive: zipfile.ZipFile
    ids_array: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))

    @property
    def names(self) -> set[str]:
        return set(self.archive.namelist())

    def json(self, name: str) -> Any:
        return orjson.loads(self.archive.read(name))

    def array(self, name: str) -> np.ndarray:
        loaded: np.ndarray = np.load(io.BytesIO(self.archive.read(name)), allow_pickle=False)
        return loaded

    def ids(self, name: str) -> list[str]:
        found: list[str] = self.ids_array[self.array(name)].tolist()
        return found

    def records(self, prefix: str) -> list[records.Attrs]:
        layout = self.json(f"{prefix}/groups.json")
        items = np.empty(layout["count"], dtype=object)
        for number, columns in enumerate(layout["groups"]):
            rows = self.array(f"{prefix}/{number}/rows.npy")
            keys = tuple(column["key"] for column in columns)
            values = [self.column(f"{prefix}/{number}/{c}", column) for c, column in enumerate(columns)]
            # copies of a dict with the group's keys, filled and placed from C (copy, map, update,
            # numpy): half the time of building each dict in a Python loop, at a million
            template = dict.fromkeys(keys)
            built = [template.copy() for _ in range(len(rows))]
            deque(map(dict.update, built, map(zip, repeat(keys), zip(*values, strict=True))), maxlen=0)
            part = np.empty(len(rows), dtype=object)
            part[:] = built
            items[rows] = part
        read: list[records.Attrs] = items.tolist()
        return read

    def column(self, name: str, how: dict[str, Any]) -> list[Any]:
        """The values :meth:`_Writer.column` kept; distinct values shared, not copied."""
        if how["encoding"] == "texts":
            return self.archive.read(name + ".txt").decode().split(_SEPARATOR)
        if how["encoding"] == "integers":
            integers: list[Any] = self.array(name + ".npy").tolist()
            return integers
        values = self.json(name + ".json")
        if how["tuples"]:
            values = [_tuples(v) for v in values]
        if how["encoding"] == "json":
            return list(values)
        distinct = np.empty(len(values), dtype=object)
        for i, value in enumerate(values):
            distinct[i] = value
        decoded: list[Any] = distinct[self.array(name + ".codes.npy")].tolist()
        return decoded

    def state(self, prefix: str) -> IndexState:
        state: IndexState = {}
        for name, kind in self.json(f"{prefix}/state.json").items():
            if kind == "ids":
                state[name] = NodeIds(self.ids(f"{prefix}/{name}.ids.npy"))
            elif kind == "array":
                state[name] = self.array(f"{prefix}/{name}.npy")
            elif kind == "bytes":
                state[name] = self.archive.read(f"{prefix}/{name}.bin")
            elif kind == "json":
                state[name] = self.json(f"{prefix}/{name}.json")
            else:
                state[name] = self.column(f"{prefix}/{name}", kind)
        return state


def _tuples(value: Any) -> Any:
    """JSON arrays back into the tuples they were written from (nested ones too)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


class _open:
    """The archive, or a DataError saying why the file is not one."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> zipfile.ZipFile:
        try:
            self.archive = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise _refused(self.path, "the file does not exist") from None
        except (zipfile.BadZipFile, OSError) as err:
            raise _refused(self.path, f"it is not a complete snapshot ({err}); it may be truncated") from None
        return self.archive

    def __exit__(self, *_: object) -> None:
        self.archive.close()


def _manifest(path: Path, archive: zipfile.ZipFile) -> Manifest:
    try:
        raw = orjson.loads(archive.read("manifest.json"))
    except (KeyError, orjson.JSONDecodeError, zipfile.BadZipFile) as err:
        raise _refused(path, f"it has no readable manifest ({err}): not a Linkscope snapshot") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _refused(path, "it is not a Linkscope snapshot")
    if raw.get("version") != VERSION:
        raise _refused(
            path,
            f"it is a snapshot of format version {raw.get('version')}; this Linkscope reads version {VERSION}: "
            "make it again with `linkscope snapshot`",
        )
    return Manifest.from_json(raw)


def _refused(path: Path, why: str) -> DataError:
    return DataError([Problem(str(path), None, "", f"snapshot refused: {why}")])


def changed_inputs(manifest: Manifest) -> list[tuple[str, str]]:
    """The inputs that differ from what the snapshot was made from, each with ``changed``,
    ``new`` or ``removed`` (a file added to or taken from a data folder), or ``missing`` (an
    input the snapshot names is not there: a snapshot copied to another machine). Files whose
    size and modification time match are taken as unchanged; the others are compared by content."""
    recorded = {item.path: item for item in manifest.inputs}
    found: list[tuple[str, str]] = []
    current: set[str] = set()
    for path in map(Path, [*manifest.data, *manifest.ftm]):
        if not path.exists():
            found += [(name, "missing") for name in recorded if Path(name) == path or path in Path(name).parents]
            continue
        for file in _files(path):
            name = str(file)
            current.add(name)
            before = recorded.get(name)
            if before is None:
                found.append((name, "new"))
                continue
            stat = file.stat()
            if (stat.st_size, stat.st_mtime_ns) != (before.size, before.mtime_ns) and _sha256(file) != before.sha256:
                found.append((name, "changed"))
    listed = {name for name, _ in found}
    found += [(name, "removed") for name in recorded if name not in current and name not in listed]
    return found


def make_snapshot(
    path: Path,
    data: Sequence[Path | str] | None = None,
    *,
    ftm: Sequence[Path | str] = (),
    skip_invalid: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
) -> GraphStore:
    """Load and validate the inputs as the server does (DataError, and nothing written, when
    they do not validate), build the indexes, and write the snapshot; the store it holds."""
    chosen = [Path(p) for p in data] if data else [BUNDLED_DATA]
    store = GraphStore.load(chosen, ftm=ftm, skip_invalid=skip_invalid, strict=strict, progress=progress)
    store.snapshot = write_snapshot(store, path, data=chosen, ftm=ftm, skip_invalid=skip_invalid, strict=strict)
    return store


def refresh_snapshot(path: Path, progress: Progress | None = None) -> GraphStore:
    """The store of the snapshot at ``path``, made again from its recorded inputs first when
    they changed (and are all there): what ``serve --watch`` does when the data changes.

    Inputs that do not validate raise DataError and leave the snapshot as it was.
    """
    manifest = read_manifest(path)
    changes = changed_inputs(manifest)
    if changes and not any(how == "missing" for _, how in changes):
        return make_snapshot(
            path,
            manifest.data,
            ftm=manifest.ftm,
            skip_invalid=manifest.skip_invalid,
            strict=manifest.strict,
            progress=progress,
        )
    return read_snapshot(path)


def _files(path: Path) -> list[Path]:
    """The files an input stands for: itself, or a folder's data files (as the loader finds them)."""
    return [file.resolve() for file in data_files([path])[0]] if path.is_dir() else [path.resolve()]


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
