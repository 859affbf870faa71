"""Find, read and check data files; return a :class:`Dataset` only if all of it validates.

Nothing is half-loaded: every problem in every file is collected, and any problem means
:class:`~graph.errors.DataError` with the whole list (file, line, entry path, reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from graph.errors import DataError, Problem
from graph.ingest.dataset import Dataset, Origin
from graph.ingest.validate import check_dataset
from graph.ingest.yamlfile import YamlDocument, format_path, read_yaml
from graph.model.datafile import (
    DataFile,
    Defaults,
    Entity,
    KindSpec,
    LevelSpec,
    MeasureSpec,
    Relation,
    RelationType,
    Slug,
    Source,
    SourceTypeSpec,
    StatusSpec,
)

__all__ = ["BUNDLED_DATA", "BUNDLED_VOCABULARY", "data_files", "load_dataset"]

#: The curated dataset shipped with Linkscope (the repository's ``data/`` folder).
BUNDLED_DATA = Path(__file__).resolve().parents[2] / "data"
#: The vocabulary used for whatever the given files do not declare themselves (see :func:`load_dataset`).
BUNDLED_VOCABULARY = BUNDLED_DATA / "vocabulary.yaml"
#: Vocabulary sections taken from the bundled vocabulary when no given file declares them.
_VOCABULARY_SECTIONS = ("statuses", "confidence", "source_types", "measures", "defaults")

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

    Files that declare neither kinds nor relation types use the whole bundled vocabulary;
    files that declare their own kinds and relation types still take the statuses,
    confidence levels and defaults they do not declare from it. Raises
    :class:`~graph.errors.DataError` listing every problem if anything is invalid.

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
    if BUNDLED_VOCABULARY.is_file() and BUNDLED_VOCABULARY.resolve() not in {f.resolve() for f in files}:
        _add_bundled_vocabulary(dataset, problems, broken)
    problems.extend(check_dataset(dataset, broken))
    if problems:
        raise DataError(problems)
    return dataset


def _add_bundled_vocabulary(dataset: Dataset, problems: list[Problem], broken: set[str]) -> None:
    """Fill in what the given files leave out of the vocabulary (see :func:`load_dataset`)."""
    whole = not dataset.kinds and not dataset.relation_types
    missing = [s for s in _VOCABULARY_SECTIONS if not getattr(dataset, s)]
    if not whole and not missing:
        return
    vocabulary = read_yaml(BUNDLED_VOCABULARY)
    if vocabulary.problems:
        problems.extend(vocabulary.problems)
        return
    bundled = Dataset()
    problems.extend(_collect(vocabulary, bundled, broken))
    for section in ("kinds", "relation_types", *_VOCABULARY_SECTIONS) if whole else missing:
        setattr(dataset, section, getattr(bundled, section))
    dataset.origins.update({k: v for k, v in bundled.origins.items() if k[0] != "relation"})


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
    for section, what, model in (
        ("kinds", "kind", KindSpec),
        ("relation_types", "relation_type", RelationType),
        ("statuses", "status", StatusSpec),
        ("confidence", "confidence level", LevelSpec),
        ("source_types", "source type", SourceTypeSpec),
        ("measures", "measure", MeasureSpec),
    ):
        table = getattr(dataset, section)
        for name, spec in _mapping(doc, section, problems):
            entry = _validated(model, spec, doc, (section, name), problems, broken)
            if entry is not None and _slug_ok(name, doc, (section, name), problems):
                _add(table, dataset, what, name, entry, doc, (section, name), problems)
    if doc.data.get("defaults") is not None:
        defaults = _validated(Defaults, doc.data["defaults"], doc, ("defaults",), problems, broken)
        if defaults is not None:
            if dataset.defaults is not None:
                first = dataset.origins[("defaults", "")]
                problems.append(doc.problem(("defaults",), f"'defaults' are declared twice (first at {first})"))
            else:
                dataset.defaults = defaults
                dataset.origins[("defaults", "")] = Origin(str(doc.path), doc.line_of(("defaults",)), "defaults")
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
        named = f"{what} id" if what in ("entity", "source") else what.replace("_", " ")
        problems.append(doc.problem(path, f"duplicate {named} {name!r} (first defined at {first})"))
        return
    table[name] = item
    dataset.origins[(what, name)] = origin
