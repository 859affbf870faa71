"""The ``linkscope`` command line: validate, stats, export, schema.

Each command parses its options, makes one call into :mod:`graph`, and prints.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import click
import networkx as nx
import orjson

from graph.build import build_graph
from graph.dataset import Dataset
from graph.errors import DataError
from graph.exports.graphml import generate_graphml
from graph.exports.node_link import generate_node_link
from graph.load import BUNDLED_DATA, load_dataset
from graph.schema import data_file_schema_text
from graph.stats import graph_stats

EXPORTERS = {"graphml": generate_graphml, "json": generate_node_link}

data_option = click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help=f"Data file or folder (repeatable). Default: the bundled data, {BUNDLED_DATA}.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="linkscope")
def cli() -> None:
    """Linkscope: explore who supplies, sanctions and answers whom, with the evidence."""


def _load(paths: Iterable[Path]) -> tuple[Dataset, nx.MultiDiGraph]:
    """Load and build, or print every data problem and exit 1."""
    try:
        dataset = load_dataset(list(paths) or None)
    except DataError as err:
        click.echo(str(err), err=True)
        raise SystemExit(1) from None
    return dataset, build_graph(dataset)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_option
def validate(paths: tuple[Path, ...], data: tuple[Path, ...]) -> None:
    """Check data files; exit 1 listing every problem (file, line, entry, reason)."""
    dataset, graph = _load([*paths, *data])
    click.echo(
        f"OK: {len(dataset.entities)} entities, {len(dataset.relations)} relations and "
        f"{len(dataset.sources)} sources; a graph of {graph.number_of_nodes()} nodes and "
        f"{graph.number_of_edges()} edges."
    )


@cli.command()
@data_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(data: tuple[Path, ...], as_json: bool) -> None:
    """Counts of nodes by kind and edges by relation type."""
    _, graph = _load(data)
    counts = graph_stats(graph)
    if as_json:
        click.echo(orjson.dumps(counts, option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(
        f"{counts['nodes']} nodes, {counts['edges']} edges, dated {counts['first_date']} to {counts['last_date']}"
    )
    for title in ("kinds", "relations", "statuses"):
        click.echo(f"\n{title}:")
        for name, count in counts[title].items():
            click.echo(f"  {name:<16} {count:>6}")


@cli.command()
@data_option
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORTERS)), required=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file (default: stdout).")
def export(data: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Export the whole graph as GraphML or node-link JSON."""
    _, graph = _load(data)
    _write(EXPORTERS[fmt](graph), output)


@cli.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file (default: stdout).")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a data file (the committed copy is docs/schema/data-file.schema.json)."""
    _write(iter([data_file_schema_text().encode()]), output)


@cli.command()
@data_option
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1, loopback only).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
def serve(data: tuple[Path, ...], host: str | None, port: int | None) -> None:
    """Serve the API and the explorer with uvicorn (settings also from LINKSCOPE_* variables)."""
    import uvicorn

    from app.main import create_app
    from app.settings import Settings

    overrides = {k: v for k, v in {"data": list(data) or None, "host": host, "port": port}.items() if v}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
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
