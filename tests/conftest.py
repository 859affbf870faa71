"""Shared fixtures.

Fixture strategy: tests about the curated dataset use ``bundled`` (loaded once per
session). Tests about one behaviour build the smallest dataset that shows it inline with
``write_data``, which falls back to the bundled vocabulary unless the test writes its own.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.ingest.curated import load_dataset
from graph.ingest.dataset import Dataset
from graph.store import GraphStore
from graph.store.build import build_graph
from tests.pg_cluster import Cluster, server_binaries

_DATABASES = itertools.count()
SHARED = Path(__file__).resolve().parents[2] / "shared"
GRAPHML_XSD = SHARED / "graphml-xsd" / "graphml.xsd"

SOURCE = {
    "id": "src",
    "url": "https://example.org/report",
    "type": "press",
    "publisher": "Example Publisher",
    "published": "2024-09-13",
}


def entity(id: str, kind: str = "firm", **extra: Any) -> dict[str, Any]:
    """A minimal valid entity."""
    return {"id": id, "label": id.title(), "kind": kind, "sources": ["src"], "confidence": "press", **extra}


def relation(type: str, source: str, target: str, **extra: Any) -> dict[str, Any]:
    """A minimal valid relation (type-specific attributes go in ``extra``)."""
    return {
        "type": type,
        "source": source,
        "target": target,
        "status": "reported",
        "confidence": "press",
        "sources": ["src"],
        **extra,
    }


@pytest.fixture(scope="session")
def bundled_dataset() -> Dataset:
    return load_dataset()


@pytest.fixture(scope="session")
def bundled(bundled_dataset: Dataset) -> nx.MultiDiGraph:
    """The graph of the bundled data. Do not mutate it."""
    return build_graph(bundled_dataset)


@pytest.fixture(scope="module")
def client(bundled: nx.MultiDiGraph) -> Iterator[TestClient]:
    """The app serving the bundled data, in process."""
    with TestClient(create_app(Settings(), store=GraphStore.from_graph(bundled))) as c:
        yield c


WriteData = Callable[..., Path]


@pytest.fixture
def write_data(tmp_path: Path) -> WriteData:
    """Write one YAML data file (sources default to SOURCE) and return its folder."""

    def write(
        entities: list[dict[str, Any]] | None = None,
        relations: list[dict[str, Any]] | None = None,
        sources: list[dict[str, Any]] | None = None,
        name: str = "data.yaml",
        text: str | None = None,
    ) -> Path:
        body = text
        if body is None:
            content: dict[str, Any] = {"sources": [SOURCE] if sources is None else sources}
            if entities is not None:
                content["entities"] = entities
            if relations is not None:
                content["relations"] = relations
            body = yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
        return tmp_path

    return write


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster (Debian's server, loopback only), for the whole run."""
    if server_binaries() is None:
        pytest.fail(
            "PostgreSQL's server is not installed: `make test` installs it (Debian: apt-get install postgresql)"
        )
    cluster = Cluster.start()
    yield cluster
    cluster.stop()


DatabaseFactory = Callable[[], str]


@pytest.fixture(scope="module")
def new_database(postgres: Cluster) -> Iterator[DatabaseFactory]:
    """Makes empty databases in the cluster (each its own DSN), dropped when the module ends."""
    import psycopg

    made: list[str] = []

    def make() -> str:
        name = f"linkscope_test_{len(made)}_{os.getpid()}_{next(_DATABASES)}"
        with psycopg.connect(postgres.dsn, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}".encode())
        made.append(name)
        return postgres.dsn.rsplit("/", 1)[0] + "/" + name

    yield make
    with psycopg.connect(postgres.dsn, autocommit=True) as conn:
        for name in made:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)".encode())


@pytest.fixture
def dsn(new_database: DatabaseFactory) -> str:
    """A new empty database of the test cluster."""
    return new_database()


def schemas(dsn: str) -> set[str]:
    """The schemas of Linkscope (its own, and one per load) in a database."""
    from graph.store.postgres.load import connect

    with connect(dsn) as conn:
        return {row[0] for row in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'linkscope%'")}
