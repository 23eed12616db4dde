"""Backup and restore: pg_dump/pg_restore of the system of record; the search index is rebuilt from it.

The engine holds nothing that PostgreSQL does not (documents are derived from rows), so a backup is the
database alone, and a restore ends with a reindex from the restored rows.
"""

import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def _libpq_url(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password (kept out of the process list) and an environment carrying it."""
    parts = urlsplit(database_url.replace("postgres://", "postgresql://", 1))
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    user = parts.username or ""
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user}@{host}" if user else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), env


def dump(*, database_url: str, target: Path) -> int:
    """Write a compressed custom-format dump; returns its size in bytes."""
    url, env = _libpq_url(database_url)
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", url],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return target.stat().st_size


def restore(*, database_url: str, source: Path) -> None:
    """Replace the database's objects with those of the dump (one transaction: all or nothing)."""
    url, env = _libpq_url(database_url)
    subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(source),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
