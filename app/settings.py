"""Server settings, read from ``LINKSCOPE_*`` environment variables (documented in the README)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from graph.ingest.curated import BUNDLED_DATA

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything the server can be told; every field is one ``LINKSCOPE_<NAME>`` variable."""

    model_config = SettingsConfigDict(env_prefix="LINKSCOPE_", extra="ignore")

    data: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [BUNDLED_DATA],
        description="Data files or folders to serve, separated by the OS path separator (':' on Linux). "
        "Default: the bundled data.",
    )
    ftm: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="FollowTheMoney JSON-lines files (e.g. OpenSanctions' entities.ftm.json) to load beside the "
        "data, separated by the OS path separator.",
    )
    skip_invalid: bool = Field(False, description="Skip bad FtM lines (and report them) instead of refusing to start.")
    strict: bool = Field(
        False,
        description="Refuse FtM files that refer to entities no loaded file holds; by default such references are "
        "kept on the referring entity and reported.",
    )
    snapshot: Path | None = Field(
        None,
        description="Serve the graph a snapshot file holds (made by `linkscope snapshot`): a million entities "
        "start in seconds. Not together with data or ftm, which the snapshot records; with watch, the snapshot "
        "is made again when those inputs change.",
    )
    database_url: SecretStr | None = Field(
        None,
        description="Serve the graph loaded into this PostgreSQL database (`linkscope db load`), e.g. "
        "postgresql://user@host/db: no graph is held in memory and every server and worker shares it; follows "
        "new loads as they are served. Not together with data, ftm or snapshot.",
    )
    database_replica_urls: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Read replicas of database_url, separated by commas: reads go to them in turn, and to the "
        "primary while none answers.",
    )
    host: str = Field("127.0.0.1", description="Address to bind. Loopback by default; set 0.0.0.0 to expose.")
    port: int = Field(8000, ge=1, le=65535, description="TCP port to listen on.")
    query_timeout: float = Field(
        2.0, gt=0, le=60, description="Time budget of one query in seconds; past it, results come back truncated."
    )
    max_nodes: int = Field(
        500, ge=1, le=10_000, description="Default max_nodes of a subgraph or explorer view when none is asked for."
    )
    admin_token: SecretStr | None = Field(
        None,
        description="Enables POST /api/admin/reload for requests with 'Authorization: Bearer <token>'. "
        "Unset (the default): no admin endpoint exists.",
    )
    watch: bool = Field(False, description="Reload the data when its files change (checked every watch_interval).")
    watch_interval: float = Field(2.0, gt=0, le=3600, description="Seconds between two looks at the data files.")
    workers: int = Field(
        default_factory=lambda: min(os.cpu_count() or 1, 4),
        ge=1,
        le=64,
        description="Worker processes serving requests, forked from the main process once it has loaded the "
        "data, so they share one copy of the graph. Default: one per core, at most 4.",
    )
    malloc_arenas: int = Field(
        2,
        ge=0,
        le=64,
        description="Memory arenas of the allocator (glibc's malloc) in each serving process: each thread that "
        "allocates otherwise gets its own, up to 8 per core, and keeps its highest use. 0: glibc's default.",
    )
    log_level: str = Field("info", description="Log level of the server: debug, info, warning or error.")

    @model_validator(mode="after")
    def _one_source(self) -> Settings:
        given = [name for name in ("data", "ftm", "skip_invalid", "strict") if name in self.model_fields_set]
        if self.database_url is not None and (given or self.snapshot is not None):
            raise ValueError(
                "database_url serves what `linkscope db load` loaded into the database; "
                f"{', '.join(given or ['snapshot'])} cannot be given with it (load those with `linkscope db load`)"
            )
        if self.snapshot is not None and given:
            raise ValueError(
                f"snapshot serves the inputs it was made from; {', '.join(given)} cannot be given with it "
                "(make the snapshot again with `linkscope snapshot` to change them)"
            )
        return self

    @field_validator("database_replica_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("data", "ftm", mode="before")
    @classmethod
    def _split_paths(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [Path(part) for part in value.split(os.pathsep) if part]
        return value
