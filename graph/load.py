"""Find, read and check data files; return a :class:`Dataset` only if all of it validates.

Nothing is half-loaded: every problem in every file is collected, and any problem means
:class:`~graph.errors.DataError` with the whole list (file, line, entry path, reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from graph.dataset import Dataset, Origin
from graph.errors import DataError, Problem
from graph.models import DataFile, Entity, KindSpec, Relation, RelationType, Slug, Source
from graph.validate import check_dataset
from graph.yamlfile import YamlDocument, format_path, read_yaml

__all__ = ["BUNDLED_DATA", "BUNDLED_VOCABULARY", "data_files", "load_dataset"]

#: The curated dataset shipped with Linkscope (the repository's ``data/`` folder).
BUNDLED_DATA = Path(__file__).resolve().parent.parent / "data"
#: Kinds and relation types, used when the given files declare no vocabulary of their own.
BUNDLED_VOCABULARY = BUNDLED_DATA / "vocabulary.yaml"

_SUFFIXES = (".yaml", ".yml")
_SLUG: TypeAdapter[str] = TypeAdapter(Slug)
_M = TypeVar("_M", bound=BaseModel)
_SECTIONS = tuple(DataFile.model_fields)


def data_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand files and folders (recursively, ``*.yaml``/``*.yml``, sorted) into data files."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
            if not found:
                problems.append(Problem(str(path), None, "", "folder holds no .yaml or .yml file"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), None, "", "no such file or folder"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return [_display(p) for p in unique], problems


def load_dataset(paths: Sequence[Path | str] | None = None) -> Dataset:
    """Load and validate the data at ``paths`` (default: the bundled ``data/``).

    Raises :class:`~graph.errors.DataError` listing every problem if anything is invalid.

    >>> ds = load_dataset()
    >>> ds.entities["xian-longde"].aliases[0]
    'Lontek'
    """
    files, problems = data_files(Path(p) for p in (paths or [BUNDLED_DATA]))
    dataset = Dataset()
    broken: set[str] = set()  # ids of entries that failed on their own: not "unknown" elsewhere
    for doc in (read_yaml(f) for f in files):
        problems.extend(doc.problems)
        if doc.data is not None and not doc.problems:
            problems.extend(_collect(doc, dataset, broken))
    if not dataset.kinds and not dataset.relation_types and BUNDLED_VOCABULARY.is_file():
        vocabulary = read_yaml(BUNDLED_VOCABULARY)
        problems.extend(vocabulary.problems or _collect(vocabulary, dataset, broken))
    problems.extend(check_dataset(dataset, broken))
    if problems:
        raise DataError(problems)
    return dataset


def _display(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _collect(doc: YamlDocument, dataset: Dataset, broken: set[str]) -> list[Problem]:
    """Check one file's entries on their own and add the valid ones to ``dataset``."""
    if not isinstance(doc.data, dict):
        return [doc.problem((), "a data file must be a mapping with sections " + ", ".join(_SECTIONS))]
    problems = [
        doc.problem((key,), f"unknown section {key!r}; expected one of {', '.join(_SECTIONS)}")
        for key in doc.data
        if key not in _SECTIONS
    ]
    for name, spec in _mapping(doc, "kinds", problems):
        kind = _validated(KindSpec, spec, doc, ("kinds", name), problems, broken)
        if kind is not None and _slug_ok(name, doc, ("kinds", name), problems):
            _add(dataset.kinds, dataset, "kind", name, kind, doc, ("kinds", name), problems)
    for name, spec in _mapping(doc, "relation_types", problems):
        rtype = _validated(RelationType, spec, doc, ("relation_types", name), problems, broken)
        if rtype is not None and _slug_ok(name, doc, ("relation_types", name), problems):
            _add(dataset.relation_types, dataset, "relation_type", name, rtype, doc, ("relation_types", name), problems)
    for i, raw in _sequence(doc, "sources", problems):
        source = _validated(Source, raw, doc, ("sources", i), problems, broken)
        if source is not None:
            _add(dataset.sources, dataset, "source", source.id, source, doc, ("sources", i), problems)
    for i, raw in _sequence(doc, "entities", problems):
        entity = _validated(Entity, raw, doc, ("entities", i), problems, broken)
        if entity is not None:
            _add(dataset.entities, dataset, "entity", entity.id, entity, doc, ("entities", i), problems)
    for i, raw in _sequence(doc, "relations", problems):
        relation = _validated(Relation, raw, doc, ("relations", i), problems, broken)
        if relation is not None:
            origin = Origin(str(doc.path), doc.line_of(("relations", i)), format_path(("relations", i)))
            dataset.origins[("relation", len(dataset.relations))] = origin
            dataset.relations.append(relation)
    return problems


def _mapping(doc: YamlDocument, section: str, problems: list[Problem]) -> list[tuple[str, Any]]:
    value = doc.data.get(section)
    if value is None:
        return []
    if not isinstance(value, dict):
        problems.append(doc.problem((section,), f"'{section}' must be a mapping of name to definition"))
        return []
    return [(str(k), v) for k, v in value.items()]


def _sequence(doc: YamlDocument, section: str, problems: list[Problem]) -> list[tuple[int, Any]]:
    value = doc.data.get(section)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(doc.problem((section,), f"'{section}' must be a list of entries"))
        return []
    return list(enumerate(value))


def _slug_ok(name: str, doc: YamlDocument, path: tuple[Any, ...], problems: list[Problem]) -> bool:
    try:
        _SLUG.validate_python(name)
    except ValidationError:
        problems.append(doc.problem(path, f"name {name!r} is not a lowercase slug (a-z, 0-9, '-', '_', '.')"))
        return False
    return True


def _validated(
    model: type[_M],
    raw: Any,
    doc: YamlDocument,
    path: tuple[Any, ...],
    problems: list[Problem],
    broken: set[str],
) -> _M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            broken.add(raw["id"])
        elif isinstance(path[-1], str):
            broken.add(path[-1])
        for error in err.errors():
            loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
            problems.append(doc.problem((*path, *loc), _message(error, loc)))
        return None


def _message(error: Any, loc: tuple[Any, ...]) -> str:
    field = loc[-1] if loc else None
    kind = error["type"]
    if kind == "missing":
        return f"missing required field '{field}'"
    if kind == "extra_forbidden":
        return f"unknown field '{field}'"
    if kind == "model_type" and not loc:
        return "an entry must be a mapping of field: value"
    message: str = error["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch" and field in ("id", "source", "target", "type", "key", "ref", "kind"):
        return f"{field} {error['input']!r} is not a lowercase slug (a-z, 0-9, '-', '_', '.')"
    return f"{field}: {message}" if isinstance(field, str) else message


def _add(
    table: dict[str, Any],
    dataset: Dataset,
    what: str,
    name: str,
    item: Any,
    doc: YamlDocument,
    path: tuple[Any, ...],
    problems: list[Problem],
) -> None:
    origin = Origin(str(doc.path), doc.line_of(path), format_path(path))
    if name in table:
        first = dataset.origins[(what, name)]
        problems.append(doc.problem(path, f"duplicate {what.replace('_', ' ')} id {name!r} (first defined at {first})"))
        return
    table[name] = item
    dataset.origins[(what, name)] = origin
