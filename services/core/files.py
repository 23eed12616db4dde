"""Stored files (test reports) behind one interface: a local-disk store now, an S3-compatible one later."""

import asyncio
import hashlib
from pathlib import Path
from typing import Protocol

from services.core.settings import get_settings


class FileStore(Protocol):
    """Put and get immutable files by key; keys are ours (never user-supplied paths)."""

    async def put(self, key: str, data: bytes) -> str: ...

    async def get(self, key: str) -> bytes: ...


class LocalDiskStore:
    """Files under one directory, written atomically (temp file + rename)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"key escapes the store: {key}")
        return path

    async def put(self, key: str, data: bytes) -> str:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(path.suffix + ".part")
            temporary.write_bytes(data)
            temporary.replace(path)

        await asyncio.to_thread(write)
        return hashlib.sha256(data).hexdigest()

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)


def file_store() -> FileStore:
    """The configured store (local disk under FILES_DIR)."""
    return LocalDiskStore(get_settings().files_dir)
