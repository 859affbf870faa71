"""Writing accepted cross-references back into the curated files, as ``same_as`` entries.

A curated entity lists the FollowTheMoney ids it stands for in ``same_as`` (the FtM loader
then merges those entities into it). ``linkscope xref --write`` records the matches it
accepts there, in the curated YAML file the entity is written in, so the change is a diff a
curator reviews and commits like any other: nothing is merged silently. Files are edited with
ruamel.yaml's round-trip mode, so comments, quoting and layout stay as the curator wrote them,
and the whole dataset is validated again before the edited files replace the originals.
"""

from __future__ import annotations

import difflib
import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graph.errors import DataError
from graph.ingest.curated import load_dataset
from graph.ingest.dataset import Dataset

__all__ = ["add_same_as"]


def add_same_as(
    dataset: Dataset, data_paths: Sequence[Path | str], accepted: Mapping[str, Sequence[str]], *, write: bool = True
) -> str:
    """Add the FtM ids in ``accepted`` (curated id -> ids) to each entity's ``same_as``.

    Returns the unified diff of the change (empty when every id was already listed). With
    ``write``, the files are replaced only if the edited dataset still validates; otherwise
    :class:`~graph.errors.DataError` is raised and no file changes.
    """
    from ruamel.yaml import YAML  # only this command edits YAML

    yaml = YAML()  # round-trip: keeps comments, quotes and block scalars
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    by_file: dict[str, dict[str, list[str]]] = {}
    for entity_id, ids in accepted.items():
        origin = dataset.origins[("entity", entity_id)]
        by_file.setdefault(origin.file, {})[entity_id] = list(ids)
    edited: dict[Path, tuple[str, str]] = {}
    for file, wanted in by_file.items():
        path = Path(file)
        before = path.read_text(encoding="utf-8")
        document = yaml.load(before)
        if _add(document, wanted):
            buffer = io.StringIO()
            yaml.dump(document, buffer)
            edited[path] = (before, buffer.getvalue())
    diff = "".join(
        "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}"))
        for path, (old, new) in edited.items()
    )
    if write and edited:
        _replace_if_valid(edited, data_paths)
    return diff


def _add(document: Any, wanted: Mapping[str, list[str]]) -> bool:
    """Append the ids each entity does not list yet; whether anything changed."""
    from ruamel.yaml.comments import CommentedSeq

    changed = False
    for entry in document.get("entities") or ():
        ids = wanted.get(str(entry.get("id")))
        if not ids:
            continue
        listed = entry.get("same_as")
        if listed is None:
            listed = CommentedSeq()
            listed.fa.set_flow_style()
            keys = list(entry)
            if "confidence" in keys[:-1]:  # beside the confidence, before a note's block text
                entry.insert(keys.index("confidence") + 1, "same_as", listed)
            else:
                spacing = entry.ca.items.pop(keys[-1], None)  # the blank line after the entry follows the new key
                entry["same_as"] = listed
                if spacing is not None:
                    entry.ca.items["same_as"] = spacing
        for ftm_id in ids:
            if ftm_id not in listed:
                listed.append(ftm_id)
                changed = True
    return changed


def _replace_if_valid(edited: Mapping[Path, tuple[str, str]], data_paths: Sequence[Path | str]) -> None:
    """Write the edited files aside, validate the whole dataset against them, then swap them in."""
    with tempfile.TemporaryDirectory() as scratch:
        mapping: dict[Path, Path] = {}
        for path in edited:
            copy = Path(scratch) / f"{len(mapping)}-{path.name}"
            mapping[path.resolve()] = copy
            copy.write_text(edited[path][1], encoding="utf-8")
        try:
            load_dataset(_with_copies(data_paths, mapping))
        except DataError as err:
            raise DataError(err.problems) from None
    for path, (_, new) in edited.items():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new)
        os.replace(tmp, path)


def _with_copies(data_paths: Sequence[Path | str], copies: Mapping[Path, Path]) -> list[Path]:
    """The data files, with each edited one replaced by its edited copy."""
    from graph.ingest.curated import data_files

    files, _ = data_files(Path(p) for p in data_paths)
    return [copies.get(f.resolve(), f) for f in files]
