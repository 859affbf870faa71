"""What commands load: the ``--data``/``--ftm``/``--snapshot`` options, loading as the server
does (a progress bar on a terminal, every data problem printed), and the FtM report."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from app.progress import rich_progress
from graph.errors import DataError
from graph.ingest.curated import BUNDLED_DATA
from graph.store import GraphStore, Store

__all__ = ["Inputs", "data_options", "inputs_options", "report_inputs"]


#: What commands loaded, kept until the process ends, when :func:`app.cli.main` runs them
#: (it ends the process with ``os._exit``); None when commands run otherwise (tests). A store
#: that is a command's local is freed as the command returns, object by object: 20 s of a
#: 10M-entity ``db load``, before ``os._exit`` could spare them.
KEPT_UNTIL_EXIT: list[object] | None = None


@dataclass(frozen=True)
class Inputs:
    """What a command loads: curated data and FtM files (and how strictly), or a snapshot."""

    data: tuple[Path, ...] = ()
    ftm: tuple[Path, ...] = ()
    skip_invalid: bool = False
    strict: bool = False
    snapshot: Path | None = None

    def load(self) -> GraphStore:
        """Load like the server does (curated data, then FtM files, with a progress bar on a
        terminal; or the snapshot), or print every data problem and exit 1."""
        try:
            if self.snapshot is not None:
                store = GraphStore.from_snapshot(self.snapshot)
            else:
                with rich_progress(sys.stderr.isatty() and bool(self.ftm)) as progress:
                    store = GraphStore.load(
                        list(self.data) or None,
                        ftm=list(self.ftm),
                        skip_invalid=self.skip_invalid,
                        strict=self.strict,
                        progress=progress,
                    )
        except DataError as err:
            click.echo(str(err), err=True)
            raise SystemExit(1) from None
        if KEPT_UNTIL_EXIT is not None:
            KEPT_UNTIL_EXIT.append(store)
        return store

    def environment(self) -> dict[str, str | None]:
        """The settings these inputs stand for, as LINKSCOPE_* values (None: not given)."""
        return {
            "data": os.pathsep.join(map(str, self.data)) or None,
            "ftm": os.pathsep.join(map(str, self.ftm)) or None,
            "skip_invalid": "true" if self.skip_invalid else None,
            "strict": "true" if self.strict else None,
            "snapshot": str(self.snapshot) if self.snapshot is not None else None,
        }


_INPUT_OPTIONS = (
    click.option(
        "--data",
        "data",
        multiple=True,
        type=click.Path(path_type=Path),
        help=f"Data file or folder (repeatable). Default: the bundled data, {BUNDLED_DATA}.",
    ),
    click.option(
        "--ftm",
        "ftm",
        multiple=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help="FollowTheMoney JSON-lines file to load beside the data (repeatable), e.g. OpenSanctions' "
        "entities.ftm.json.",
    ),
    click.option(
        "--skip-invalid",
        is_flag=True,
        help="Skip bad FtM lines and count them by reason, instead of refusing to load any of the data.",
    ),
    click.option(
        "--strict",
        is_flag=True,
        help="Refuse FtM files that refer to entities no loaded file holds (by default such references "
        "are kept on the referring entity and reported).",
    ),
)

_SNAPSHOT_OPTION = click.option(
    "--snapshot",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the graph from this snapshot (made by `linkscope snapshot`) instead of loading data files.",
)


def inputs_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add --data, --ftm, --skip-invalid, --strict and --snapshot to a command, passed on as ``inputs``."""
    return _with_inputs(command, snapshot=True)


def data_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add --data, --ftm, --skip-invalid and --strict (not --snapshot) to a command, passed on as ``inputs``."""
    return _with_inputs(command, snapshot=False)


def _with_inputs(command: Callable[..., None], snapshot: bool) -> Callable[..., None]:
    @functools.wraps(command)
    def with_inputs(*args: Any, data: tuple[Path, ...], ftm: tuple[Path, ...], skip_invalid: bool, strict: bool,
                    **kwargs: Any) -> None:  # fmt: skip
        inputs = Inputs(data, ftm, skip_invalid, strict, kwargs.pop("snapshot", None))
        if inputs.snapshot is not None and (data or ftm or skip_invalid or strict):
            raise click.UsageError(
                "--snapshot reads the graph a snapshot holds, made from the inputs it records; "
                "--data, --ftm, --skip-invalid and --strict cannot be given with it"
            )
        command(*args, inputs=inputs, **kwargs)

    for option in reversed((*_INPUT_OPTIONS, _SNAPSHOT_OPTION) if snapshot else _INPUT_OPTIONS):
        with_inputs = option(with_inputs)
    return with_inputs


def report_inputs(store: Store, err: bool = True) -> None:
    """What the FtM files added, skipped and left unresolved, if any were loaded."""
    report = store.ftm_report
    if report is None:
        return
    click.echo(report.summary(), err=err)
    for line in report.unresolved_lines():
        click.echo(f"  not loaded: {line}", err=err)
