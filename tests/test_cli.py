"""The linkscope command line, run in-process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import yaml
from click.testing import CliRunner

from app.cli import cli
from tests.conftest import WriteData, entity, relation


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_stats_counts_kinds_and_relations(bundled: nx.MultiDiGraph) -> None:
    code, output = run("stats", "--json")
    counts = json.loads(output)
    assert code == 0
    assert counts["relations"]["sanctioned"] == sum(
        1 for *_, d in bundled.edges(data=True) if d["relation"] == "sanctioned"
    )
    assert counts["kinds"]["programme"] == sum(1 for _, d in bundled.nodes(data=True) if d["kind"] == "programme")
    code, text = run("stats")
    assert code == 0 and "sanctioned" in text and f"{len(bundled)} nodes" in text


def test_export_json_to_stdout_reads_back(bundled: nx.MultiDiGraph) -> None:
    code, output = run("export", "--format", "json")
    graph = nx.node_link_graph(json.loads(output), edges="edges")
    assert code == 0 and graph.number_of_nodes() == len(bundled)


def test_export_graphml_to_a_file(tmp_path: Path, bundled: nx.MultiDiGraph) -> None:
    target = tmp_path / "out" / "linkscope.graphml"
    code, _ = run("export", "--format", "graphml", "-o", str(target))
    assert code == 0 and nx.read_graphml(target).number_of_edges() == bundled.number_of_edges()
    assert [p.name for p in target.parent.iterdir()] == ["linkscope.graphml"]  # no temporary file left


def test_export_of_invalid_data_writes_nothing(write_data: WriteData, tmp_path: Path) -> None:
    folder = write_data(entities=[entity("acme", kind="spaceship")])
    target = tmp_path / "never.graphml"
    code, output = run("export", "--format", "graphml", "--data", str(folder), "-o", str(target))
    assert code == 1 and "unknown kind 'spaceship'" in output and not target.exists()


def test_the_console_script_ends_at_once_with_its_output_and_exit_code(write_data: WriteData) -> None:
    """``main()`` ends a finished command with ``os._exit`` (nothing freed): what it printed
    still comes out whole, and a failure still exits 1 with its problems listed."""
    console = [sys.executable, "-c", "from app.cli import main; main()"]
    done = subprocess.run([*console, "stats", "--json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and json.loads(done.stdout)["nodes"] > 0
    folder = write_data(entities=[entity("acme", kind="spaceship")])
    failed = subprocess.run([*console, "validate", str(folder)], capture_output=True, text=True, check=False)
    assert failed.returncode == 1 and "unknown kind 'spaceship'" in failed.stdout + failed.stderr


def test_what_a_command_loaded_is_not_freed_as_it_returns() -> None:
    """Under ``main()`` the store a command loaded lives until ``os._exit``: freed as the
    command returned (a local of it), a 10M-entity graph took 20 s before the exit."""
    watched = (
        "import weakref; from app import cli_inputs; from app.cli import main\n"
        "loading = cli_inputs.Inputs.load\n"
        "def load(inputs):\n"
        "    store = loading(inputs)\n"
        "    weakref.finalize(store, print, 'store freed', flush=True)\n"
        "    return store\n"
        "cli_inputs.Inputs.load = load\n"
        "main()\n"
    )
    command = [sys.executable, "-c", watched, "stats", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "store freed" not in done.stdout
    assert json.loads(done.stdout)["nodes"] > 0


def test_data_option_is_repeatable(write_data: WriteData, tmp_path: Path) -> None:
    first = write_data(entities=[entity("acme"), entity("pk", "country", country="PK")], name="a.yaml")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "b.yaml").write_text(yaml.safe_dump({"relations": [relation("based_in", "acme", "pk")]}), encoding="utf-8")
    code, output = run("stats", "--json", "--data", str(first / "a.yaml"), "--data", str(extra))
    assert code == 0, output
    assert json.loads(output)["relations"] == {"based_in": 1}


def test_schema_command_prints_the_committed_schema() -> None:
    code, output = run("schema")
    assert code == 0 and json.loads(output)["title"] == "Linkscope data file"
