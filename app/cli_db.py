"""``linkscope db``: load the graph into PostgreSQL and say what is loaded there.

The DSN comes from ``--dsn`` or ``LINKSCOPE_DATABASE_URL`` (better: it keeps a password out
of the process list).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click
import orjson

from app.cli_inputs import Inputs, data_options, report_inputs
from graph.errors import DatabaseError
from graph.ingest.curated import BUNDLED_DATA
from graph.store.postgres.load import LoadProgress

_DSN = click.option(
    "--dsn",
    envvar="LINKSCOPE_DATABASE_URL",
    required=True,
    metavar="URL",
    help="The database, e.g. postgresql://user@host:5432/linkscope (default: LINKSCOPE_DATABASE_URL).",
)


@click.group()
def db() -> None:
    """Load the graph into PostgreSQL and see what is loaded (serve it with `serve --dsn`)."""


@db.command("load")
@data_options
@_DSN
def load_command(inputs: Inputs, dsn: str) -> None:
    """Validate the data exactly as `serve` does, then load it into a new version of the
    tables and serve that version (servers follow it); a load that fails leaves the
    previous version serving."""
    from graph.store.postgres.load import load_database

    started = time.perf_counter()
    store = inputs.load()
    report_inputs(store)
    read = time.perf_counter()
    paths = [*(inputs.data or (BUNDLED_DATA,)), *inputs.ftm]
    try:
        with _bar(sys.stderr.isatty()) as progress:
            load = load_database(dsn, store, inputs=paths, progress=progress)
    except DatabaseError as err:
        raise click.ClickException(str(err)) from None
    done = time.perf_counter()
    click.echo(
        f"loaded {load.entities:,} entities and {load.relations:,} relations as load {load.id} "
        f"({load.schema}) in {done - started:.1f} s (read and validated in {read - started:.1f} s, "
        f"written in {done - read:.1f} s); it is served now."
    )


@db.command("status")
@_DSN
@click.option("--json", "as_json", is_flag=True, help="Print the loads as JSON.")
def status_command(dsn: str, as_json: bool) -> None:
    """The loads the database holds (newest first): which is served, from which inputs, when."""
    from graph.store.postgres.load import connect, loads
    from graph.store.postgres.migrate import applied, migrations

    try:
        with connect(dsn) as conn:
            found, done = loads(conn), applied(conn)
    except DatabaseError as err:
        raise click.ClickException(str(err)) from None
    pending = [m.version for m in migrations() if m.version not in done]
    if as_json:
        answer = {"migrations": done, "pending_migrations": pending, "loads": [load.as_json() for load in found]}
        click.echo(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
        return
    if not found:
        click.echo("nothing loaded yet: run `linkscope db load --dsn ...`")
    for load in found:
        mark = "served" if load.served else load.status
        when = (load.finished_at or load.started_at).isoformat(timespec="seconds")
        counts = f"{load.entities:,} entities, {load.relations:,} relations" if load.entities is not None else ""
        click.echo(f"load {load.id} [{mark}] {when} {counts}".rstrip())
        for file in load.inputs:
            click.echo(f"  {file['path']}  {file['size']:,} bytes  sha256 {file['sha256'][:16]}")
        if load.error:
            click.echo(f"  failed: {load.error}")
    click.echo(f"schema migrations applied: {done or 'none'}" + (f"; pending: {pending}" if pending else ""))


@contextmanager
def _bar(enabled: bool) -> Iterator[LoadProgress | None]:
    """A progress bar per table on a terminal."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True) as bar:  # fmt: skip
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield report
