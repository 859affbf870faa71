"""The ``linkscope`` command line: validate, snapshot, stats, export, xref, changes, report, serve, schema.

Each command parses its options, makes one call into :mod:`graph`, and prints.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import click
import orjson

from app import cli_inputs
from app.cli_db import db
from app.cli_inputs import Inputs, data_options, inputs_options, report_inputs
from graph.errors import BadQuery, DatabaseError, DataError, UnknownEntity
from graph.exports import EXPORT_FORMATS, FormatName, export
from graph.ingest.curated import BUNDLED_DATA
from graph.ingest.json_schema import data_file_schema_text
from graph.limits import MAX_DEPTH, MAX_HOPS, MAX_NODES, MAX_PATHS
from graph.queries.selection import Neighbourhood, Paths, Query, SupplyChainOf, WholeGraph, select
from graph.store import GraphStore
from graph.store.records import Direction
from graph.xref.score import DEFAULT_THRESHOLD


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="linkscope")
def cli() -> None:
    """Linkscope: explore who supplies, sanctions and answers whom, with the evidence."""


cli.add_command(db)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_options
def validate(paths: tuple[Path, ...], inputs: Inputs) -> None:
    """Check data files (and FtM files); exit 1 listing every problem (file, line, entry, reason)."""
    store = replace(inputs, data=(*paths, *inputs.data)).load()
    report_inputs(store, err=False)
    dataset = store.dataset
    assert dataset is not None
    click.echo(
        f"OK: {len(dataset.entities)} entities, {len(dataset.relations)} relations and "
        f"{len(dataset.sources)} sources; a graph of {store.nodes} nodes and {store.edges} edges."
    )


@cli.command("snapshot")
@data_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The snapshot file to write (it appears only once complete).",
)
def snapshot_command(inputs: Inputs, output: Path) -> None:
    """Load and validate the data, build its indexes, and write them all to one file that
    `serve --snapshot` (and stats, export, changes, report) start from in seconds."""
    from graph.store.snapshot import write_snapshot

    started = time.perf_counter()
    store = inputs.load()
    report_inputs(store)
    write_snapshot(
        store,
        output,
        data=list(inputs.data) or [BUNDLED_DATA],
        ftm=list(inputs.ftm),
        skip_invalid=inputs.skip_invalid,
        strict=inputs.strict,
    )
    click.echo(
        f"wrote {output}: {store.nodes:,} entities and {store.edges:,} relations with their indexes, "
        f"{output.stat().st_size / 2**20:,.1f} MiB in {time.perf_counter() - started:.1f} s. "
        f"Serve it with: linkscope serve --snapshot {output}"
    )


@cli.command()
@inputs_options
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(inputs: Inputs, as_json: bool) -> None:
    """Counts of nodes by kind and edges by relation type."""
    store = inputs.load()
    counts = store.stats
    report = store.ftm_report
    if as_json:
        extra = {"ftm": report.as_dict()} if report is not None else {}
        click.echo(orjson.dumps({**counts, **extra}, option=orjson.OPT_INDENT_2).decode())
        return
    report_inputs(store)
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
@inputs_options
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
    inputs: Inputs,
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
    store = inputs.load()
    report_inputs(store)
    try:
        selection = select(store, query)
    except (UnknownEntity, BadQuery) as err:
        raise click.UsageError(str(err)) from None
    _write(export(selection.source, selection, fmt), output)


@cli.command()
@data_options
@click.option("--id", "ids", multiple=True, metavar="ID", help="Only this curated entity (repeatable). Default: all.")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Lowest score listed (and written).",
)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="Candidates per entity.")
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
@click.option(
    "--write",
    is_flag=True,
    help="Add the matches to the curated entities' same_as, in their YAML files (a diff to review and commit); "
    "a list entry matching several curated entities is left out and reported.",
)
def xref(inputs: Inputs, ids: tuple[str, ...], threshold: float, limit: int, as_json: bool, write: bool) -> None:
    """Which loaded list entries (FtM) are the curated entities: candidates ranked by score, with reasons."""
    from graph.xref import xref as cross_reference

    if not inputs.ftm:
        raise click.UsageError(
            "give the list data to cross-reference with --ftm FILE (e.g. OpenSanctions' entities.ftm.json)"
        )
    store = inputs.load()
    report_inputs(store)
    try:
        subjects = [store.require(i) for i in ids] or None
        results = cross_reference(store.graph, subjects, threshold=threshold, limit=limit, index=store.xref_index())
    except (UnknownEntity, BadQuery) as err:
        raise click.UsageError(str(err)) from None
    if as_json:
        click.echo(orjson.dumps(results, option=orjson.OPT_INDENT_2).decode())
    else:
        for result in results:
            if result["candidates"]:
                click.echo(f"{result['label']} ({result['id']})")
                for candidate in result["candidates"]:
                    click.echo(f"  {candidate['score']:.2f}  {candidate['label']} ({candidate['ftm_id']})")
                    for reason in candidate["reasons"]:
                        click.echo(f"          {reason}")
        matched = sum(1 for r in results if r["candidates"])
        click.echo(
            f"{matched} of {len(results)} curated entities have a candidate at {threshold:.2f} or above.", err=True
        )
    if write:
        _write_same_as(store, list(inputs.data) or [BUNDLED_DATA], results)


def _write_same_as(store: GraphStore, data_paths: list[Path], results: list[Any]) -> None:
    """Record the matches as same_as in the curated files: a reviewable diff, printed on stderr."""
    from graph.ingest.same_as import add_same_as

    claims: dict[str, list[str]] = {}
    for result in results:
        for candidate in result["candidates"]:
            claims.setdefault(
                str(store.graph.nodes[candidate["ftm_id"]].get("ftm_id", candidate["ftm_id"])), []
            ).append(result["id"])
    accepted: dict[str, list[str]] = {}
    for ftm_id, entities in claims.items():
        if len(entities) == 1:
            accepted.setdefault(entities[0], []).append(ftm_id)
        else:
            click.echo(f"left out: {ftm_id} matches {', '.join(entities)}; decide by hand", err=True)
    assert store.dataset is not None
    try:
        diff = add_same_as(store.dataset, data_paths, accepted)
    except DataError as err:
        click.echo(f"not written, the edited data would not validate:\n{err}", err=True)
        raise SystemExit(1) from None
    click.echo(diff or "same_as already lists every match: nothing written.", err=True)


@cli.command()
@inputs_options
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="The earlier date (excluded).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="The later date (included).")
@click.option("--center", multiple=True, help="Only relations around this id (repeatable).")
@click.option("--depth", type=click.IntRange(0, MAX_DEPTH), default=1, show_default=True, help="Hops from the centres.")
@click.option("--relations", multiple=True, help="Only these relation types (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer of /api/changes as JSON.")
def changes(
    inputs: Inputs,
    start: datetime,
    end: datetime,
    center: tuple[str, ...],
    depth: int,
    relations: tuple[str, ...],
    as_json: bool,
) -> None:
    """What began or ended after --from and up to --to, by round, with the first source of each relation."""
    from graph.queries.changes import changes as changes_between

    if end <= start:
        raise click.UsageError(f"--to ({end.date()}) must be after --from ({start.date()})")
    store = inputs.load()
    report_inputs(store)
    try:
        found = changes_between(
            store.graph,
            start.date(),
            end.date(),
            centers=[store.require(c) for c in center],
            depth=depth,
            relations=store.known("relations", relations),
            index=store.dated,
        )
    except (UnknownEntity, BadQuery) as err:
        raise click.UsageError(str(err)) from None
    if as_json:
        click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(f"From {found['from']} (excluded) to {found['to']}: {found['began']} began, {found['ended']} ended.")
    for round_ in found["rounds"]:
        click.echo(f"\n{round_['date']}  {round_['explanation']}")
        for edge in round_["edges"]:
            facts: dict[str, Any] = dict(edge)
            claim = ", ".join(str(facts[k]) for k in ("measure", "status", "confidence") if facts.get(k))
            cited = "; ".join(f"{c.get('publisher', '')} {c.get('url', '')}" for c in edge.get("sources", [])[:2])
            click.echo(f"  {store.graph.nodes[edge['target']].get('label', edge['target'])}: {claim}")
            click.echo(f"      {cited or 'no source'}")
        if round_["count"] > len(round_["edges"]):
            click.echo(f"  ... and {round_['count'] - len(round_['edges'])} more")
    if found["truncated"]:
        click.echo(f"\nTruncated ({found['truncated_reason']}).", err=True)


@cli.command()
@inputs_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="brief.html (the page), brief.pdf (printed by Chromium) or figure.svg (the figure alone).",
)
@click.option("--center", multiple=True, help="The neighbourhood of this id (repeatable).")
@click.option("--depth", type=click.IntRange(1, MAX_DEPTH), default=2, show_default=True, help="Hops from the centres.")
@click.option("--supply-chain", "chain_of", metavar="ID", help="The supply chain of this programme or recipient.")
@click.option("--path-from", metavar="ID", help="The paths from this id ...")
@click.option("--path-to", metavar="ID", help="... to this id.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Relations and measures in force this day.")
@click.option("--kinds", multiple=True, help="Only entities of these kinds (repeatable).")
@click.option("--relations", multiple=True, help="Only relations of these types (repeatable).")
@click.option(
    "--hide", multiple=True, type=click.Choice(["inferred", "weak"]), help="Leave out inferred or weak-only facts."
)
@click.option("--via-shared", is_flag=True, help="Let paths and neighbourhoods pass through shared hubs.")
@click.option("--max-nodes", type=click.IntRange(1, MAX_NODES), default=500, show_default=True)
def report(
    inputs: Inputs,
    output: Path,
    center: tuple[str, ...],
    depth: int,
    chain_of: str | None,
    path_from: str | None,
    path_to: str | None,
    as_of: datetime | None,
    kinds: tuple[str, ...],
    relations: tuple[str, ...],
    hide: tuple[str, ...],
    via_shared: bool,
    max_nodes: int,
) -> None:
    """A sourced brief of a view (as /report serves it): figure, summary, relations, citations."""
    from app.explorer_page import ExplorerView
    from app.report_page import PdfUnavailable, build_report, html_to_pdf

    suffix = output.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf", ".svg"):
        raise click.UsageError("--output must end in .html, .pdf or .svg")
    if bool(path_from) != bool(path_to):
        raise click.UsageError("give both --path-from and --path-to")
    centres = [chain_of] if chain_of else list(center) or [c for c in (path_from,) if c]
    if not centres:
        raise click.UsageError("say what the brief is of: --center ID, --supply-chain ID or --path-from/--path-to")
    view = ExplorerView(
        view="supply-chain" if chain_of else "subgraph",
        center=centres,
        depth=depth,
        kinds=list(kinds),
        relations=list(relations),
        as_of=as_of.date() if as_of else None,
        path_from=path_from,
        path_to=path_to,
        hide=[h for h in ("inferred", "weak") if h in hide],
        via="shared" if via_shared else "connections",
    )
    store = inputs.load()
    report_inputs(store)
    try:
        built = build_report(store, view, max_nodes)
    except (UnknownEntity, BadQuery) as err:
        raise click.UsageError(str(err)) from None
    if suffix == ".svg":
        output.write_text(built.svg, encoding="utf-8")
    elif suffix == ".pdf":
        try:
            html_to_pdf(built.html(), output)
        except PdfUnavailable as err:
            click.echo(f"no PDF written: {err}", err=True)
            raise SystemExit(1) from None
    else:
        output.write_text(built.html(), encoding="utf-8")
    text = built.brief
    statements = sum(len(s["statements"]) for s in text["sections"])
    click.echo(f"{output}: {text['title']}: {statements} relations, {len(text['citations'])} sources", err=True)


@cli.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file (default: stdout).")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a data file (the committed copy is docs/schema/data-file.schema.json)."""
    _write(iter([data_file_schema_text().encode()]), output)


@cli.command()
@inputs_options
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1, loopback only).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.option("--watch", is_flag=True, default=None, help="Reload the data when its files change.")
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Worker processes, forked from the loaded graph and sharing it (default: one per core, at most 4).",
)
@click.option(
    "--dsn",
    metavar="URL",
    help="Serve what `linkscope db load` loaded into this PostgreSQL database instead of loading files "
    "(better given as LINKSCOPE_DATABASE_URL, out of the process list; replicas: LINKSCOPE_DATABASE_REPLICA_URLS).",
)
def serve(
    inputs: Inputs,
    host: str | None,
    port: int | None,
    watch: bool | None,
    workers: int | None,
    dsn: str | None,
) -> None:
    """Serve the API and the explorer with uvicorn (settings also from LINKSCOPE_* variables).

    The admin reload endpoint is enabled by LINKSCOPE_ADMIN_TOKEN only, never by an option,
    so the token does not show in the process list.
    """
    from pydantic import ValidationError

    from app.serving import serve as run_server
    from app.settings import Settings

    given = {
        **inputs.environment(),
        "host": host,
        "port": port,
        "watch": "true" if watch else None,
        "workers": workers,
        "database_url": dsn,
    }
    for name, value in given.items():  # the environment, so that the settings read them like the server's own
        if value is not None:
            os.environ[f"LINKSCOPE_{name.upper()}"] = str(value)
    try:
        settings = Settings()
    except ValidationError as err:
        raise click.UsageError("; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())) from None
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        run_server(settings)
    except (DataError, DatabaseError):
        raise SystemExit(1) from None


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


#: Commands that run to an end (all but ``serve``, whose workers and reloads end their own way).
_SERVING = "serve"


def main() -> None:
    """Console-script entry point.

    A command that has finished ends the process at once (``os._exit``, once its output and
    logs are flushed) instead of freeing what it loaded object by object: a million-entity
    graph is millions of objects, seconds of freeing that nobody waits for (mypy ends the
    same way). What a command loads is kept until then (``KEPT_UNTIL_EXIT``), or it would be
    freed as the command returns. ``serve`` exits the ordinary way, and so does the command
    group as tests run it.
    """
    command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    if command != _SERVING:  # a server replaces its store as it reloads: nothing is kept
        cli_inputs.KEPT_UNTIL_EXIT = []
    try:
        cli()
    except SystemExit as end:
        if command == _SERVING or not isinstance(end.code, int | None):
            raise
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(end.code or 0)
