"""Throwaway PostgreSQL clusters for the tests and benchmarks: Debian's server binaries,
``initdb`` into a temporary folder, listening on one loopback port only, trust auth for the
local user ``postgres``, stopped and removed at the end.

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` user
that Debian's package creates (the commands run through ``runuser``). A hot standby for
failover tests is a :meth:`Cluster.replica` made with ``pg_basebackup -R``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cluster", "server_binaries"]


def server_binaries() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (the newest installed), if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Cluster:
    """One running server: its folder, port and DSN."""

    folder: Path
    port: int
    binaries: Path

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def start(cls, binaries: Path | None = None, settings: tuple[str, ...] = ()) -> Cluster:
        """A fresh cluster, initialised and started (about a second)."""
        binaries = binaries or server_binaries()
        if binaries is None:
            raise RuntimeError("PostgreSQL's server is not installed (Debian: apt-get install postgresql)")
        folder = Path(tempfile.mkdtemp(prefix="linkscope-pg-"))
        folder.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        subprocess.run(
            _as_owner([str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
                       "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
            check=True, capture_output=True,
        )  # fmt: skip
        cluster = cls(folder, _free_port(), binaries)
        cluster._run(settings)
        return cluster

    def _run(self, settings: tuple[str, ...] = ()) -> None:
        options = " ".join(
            [f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={self.folder}",
             "-c fsync=off", "-c full_page_writes=off", *(f"-c {s}" for s in settings)]
        )  # fmt: skip
        subprocess.run(
            _as_owner([str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
                       str(self.folder / "log"), "-o", options, "-w", "start"]),
            check=True, capture_output=True,
        )  # fmt: skip

    def replica(self) -> Cluster:
        """A hot standby of this cluster, streaming from it, on its own port."""
        folder = Path(tempfile.mkdtemp(prefix="linkscope-pg-replica-"))
        folder.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        subprocess.run(
            _as_owner([str(self.binaries / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port),
                       "-U", "postgres", "-D", str(folder / "data"), "-R", "-X", "stream", "--checkpoint=fast"]),
            check=True, capture_output=True,
        )  # fmt: skip
        standby = Cluster(folder, _free_port(), self.binaries)
        standby._run(("hot_standby=on",))
        return standby

    def stop(self, remove: bool = True) -> None:
        subprocess.run(
            _as_owner([str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"]),
            capture_output=True,
        )  # fmt: skip
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        return (self.folder / "log").read_text(errors="replace") if (self.folder / "log").exists() else ""
