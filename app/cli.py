"""The ``linkscope`` command line: validate, stats, export, serve, schema.

Each command parses its options, makes one call into :mod:`graph`, and prints.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import click
import orjson

from app.progress import rich_progress
from graph.errors import BadQuery, DataError, UnknownEntity
from graph.exports import EXPORT_FORMATS, FormatName, export
from graph.ingest.curated import BUNDLED_DATA
from graph.ingest.json_schema import data_file_schema_text
from graph.limits import MAX_DEPTH, MAX_HOPS, MAX_NODES, MAX_PATHS
from graph.queries.selection import Neighbourhood, Paths, Query, SupplyChainOf, WholeGraph, select
from graph.store import GraphStore
from graph.store.records import Direction

data_option = click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help=f"Data file or folder (repeatable). Default: the bundled data, {BUNDLED_DATA}.",
)


ftm_option = click.option(
    "--ftm",
    "ftm",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="FollowTheMoney JSON-lines file to load beside the data (repeatable), e.g. OpenSanctions' entities.ftm.json.",
)
skip_option = click.option(
    "--skip-invalid",
    is_flag=True,
    help="Skip bad FtM lines and count them by reason, instead of refusing to load any of the data.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="linkscope")
def cli() -> None:
    """Linkscope: explore who supplies, sanctions and answers whom, with the evidence."""


def _load(paths: Iterable[Path], ftm: Iterable[Path] = (), skip_invalid: bool = False) -> GraphStore:
    """Load like the server does (curated data, then FtM files, with a progress bar on a
    terminal), or print every data problem and exit 1."""
    try:
        with rich_progress(sys.stderr.isatty() and bool(ftm)) as progress:
            return GraphStore.load(list(paths) or None, ftm=list(ftm), skip_invalid=skip_invalid, progress=progress)
    except DataError as err:
        click.echo(str(err), err=True)
        raise SystemExit(1) from None


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_option
@ftm_option
@skip_option
def validate(paths: tuple[Path, ...], data: tuple[Path, ...], ftm: tuple[Path, ...], skip_invalid: bool) -> None:
    """Check data files (and FtM files); exit 1 listing every problem (file, line, entry, reason)."""
    store = _load([*paths, *data], ftm, skip_invalid)
    if store.ftm_report is not None:
        click.echo(store.ftm_report.summary())
    dataset = store.dataset
    assert dataset is not None
    click.echo(
        f"OK: {len(dataset.entities)} entities, {len(dataset.relations)} relations and "
        f"{len(dataset.sources)} sources; a graph of {store.nodes} nodes and {store.edges} edges."
    )


@cli.command()
@data_option
@ftm_option
@skip_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(data: tuple[Path, ...], ftm: tuple[Path, ...], skip_invalid: bool, as_json: bool) -> None:
    """Counts of nodes by kind and edges by relation type."""
    store = _load(data, ftm, skip_invalid)
    counts = store.stats
    report = store.ftm_report
    if as_json:
        extra = {"ftm": report.as_dict()} if report is not None else {}
        click.echo(orjson.dumps({**counts, **extra}, option=orjson.OPT_INDENT_2).decode())
        return
    if report is not None:
        click.echo(report.summary(), err=True)
    click.echo(
        f"{counts['nodes']} nodes, {counts['edges']} edges, dated {counts['first_date']} to {counts['last_date']}"
    )
    for title, table in (
        ("kinds", counts["kinds"]),
        ("relations", counts["relations"]),
        ("statuses", counts["statuses"]),
    ):
        click.echo(f"\n{title}:")
        for name, count in table.items():
            click.echo(f"  {name:<16} {count:>6}")


@cli.command("export")
@data_option
@ftm_option
@skip_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS)),
    required=True,
    help="; ".join(f"{f.name}: {f.description}" for f in EXPORT_FORMATS.values()),
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file (default: stdout).")
@click.option("--center", multiple=True, help="Export the neighbourhood of this id (repeatable).")
@click.option("--depth", type=click.IntRange(0, MAX_DEPTH), default=1, show_default=True, help="Hops from the centres.")
@click.option("--direction", type=click.Choice(["out", "in", "both"]), default="both", show_default=True)
@click.option("--kinds", multiple=True, help="Only reach entities of these kinds (repeatable).")
@click.option("--relations", multiple=True, help="Only follow these relation types (repeatable).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Only relations in force on this day.")
@click.option("--max-nodes", type=click.IntRange(1, MAX_NODES), default=MAX_NODES, show_default=True)
@click.option(
    "--supply-chain", "chain_of", metavar="ID", help="Export the supply chain of this programme or recipient."
)
@click.option("--path-from", metavar="ID", help="Export the paths from this id ...")
@click.option("--path-to", metavar="ID", help="... to this id.")
@click.option("--max-hops", type=click.IntRange(1, MAX_HOPS), default=4, show_default=True)
def export_command(
    data: tuple[Path, ...],
    ftm: tuple[Path, ...],
    skip_invalid: bool,
    fmt: FormatName,
    output: Path | None,
    center: tuple[str, ...],
    depth: int,
    direction: Direction,
    kinds: tuple[str, ...],
    relations: tuple[str, ...],
    as_of: datetime | None,
    max_nodes: int,
    chain_of: str | None,
    path_from: str | None,
    path_to: str | None,
    max_hops: int,
) -> None:
    """Export the whole graph, or a neighbourhood, a supply chain or the paths between two ids."""
    day = as_of.date() if as_of else None
    query: Query
    if chain_of:
        query = SupplyChainOf(chain_of, day)
    elif path_from or path_to:
        if not (path_from and path_to):
            raise click.UsageError("give both --path-from and --path-to")
        query = Paths(path_from, path_to, max_hops=max_hops, relations=relations, as_of=day, limit=MAX_PATHS)
    elif center:
        query = Neighbourhood(center, depth, direction, kinds, relations, day, max_nodes)
    else:
        query = WholeGraph()
    store = _load(data, ftm, skip_invalid)
    if store.ftm_report is not None:
        click.echo(store.ftm_report.summary(), err=True)
    try:
        selection = select(store, query)
    except (UnknownEntity, BadQuery) as err:
        raise click.UsageError(str(err)) from None
    _write(export(store.graph, selection, fmt), output)


@cli.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file (default: stdout).")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a data file (the committed copy is docs/schema/data-file.schema.json)."""
    _write(iter([data_file_schema_text().encode()]), output)


@cli.command()
@data_option
@ftm_option
@skip_option
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1, loopback only).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.option("--watch", is_flag=True, default=None, help="Reload the data when its files change.")
@click.option(
    "--workers", default=None, type=click.IntRange(1, 64), help="Worker processes (each loads its own graph)."
)
def serve(
    data: tuple[Path, ...],
    ftm: tuple[Path, ...],
    skip_invalid: bool,
    host: str | None,
    port: int | None,
    watch: bool | None,
    workers: int | None,
) -> None:
    """Serve the API and the explorer with uvicorn (settings also from LINKSCOPE_* variables).

    The admin reload endpoint is enabled by LINKSCOPE_ADMIN_TOKEN only, never by an option,
    so the token does not show in the process list.
    """
    import uvicorn

    from app.main import create_app
    from app.settings import Settings

    given = {
        "data": os.pathsep.join(map(str, data)) or None,
        "ftm": os.pathsep.join(map(str, ftm)) or None,
        "skip_invalid": "true" if skip_invalid else None,
        "host": host,
        "port": port,
        "watch": "true" if watch else None,
        "workers": workers,
    }
    for name, value in given.items():  # the environment, so that every worker process reads the same settings
        if value is not None:
            os.environ[f"LINKSCOPE_{name.upper()}"] = str(value)
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.workers > 1:
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level=settings.log_level,
        )
    else:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)


def _write(chunks: Iterator[bytes], output: Path | None) -> None:
    """Stream chunks to stdout, or to a file that appears only once it is complete."""
    if output is None:
        _copy(chunks, sys.stdout.buffer)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            _copy(chunks, fh)
        os.replace(tmp, output)
    except BaseException:
        os.unlink(tmp)
        raise


def _copy(chunks: Iterator[bytes], fh: BinaryIO) -> None:
    for chunk in chunks:
        fh.write(chunk)
    fh.flush()


def main() -> None:
    """Console-script entry point."""
    cli()
