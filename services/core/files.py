"""Stored files (test reports, deliverables) behind one interface: local disk or an S3-compatible bucket."""

import asyncio
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from services.core.settings import get_settings


class FileStore(Protocol):
    """Put and get immutable files by key; keys are ours (never user-supplied paths)."""

    async def put(self, key: str, data: bytes) -> str: ...

    async def get(self, key: str) -> bytes: ...


class FileMissing(LookupError):
    """No file under the key (never written, or removed behind our back)."""


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
        path = self._path(key)
        if not path.is_file():
            raise FileMissing(key)
        return await asyncio.to_thread(path.read_bytes)


class S3Store:
    """Objects in one bucket of an S3-compatible service; the SDK's blocking calls run in a worker thread.

    A PUT is atomic in S3 (an object is whole or absent), and the content's SHA-256 is sent with it so the
    service refuses a body damaged on the way.
    """

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            config=Config(
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
                s3={"addressing_style": "path"},
            ),
        )

    def _check_key(self, key: str) -> None:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"key escapes the store: {key}")

    async def put(self, key: str, data: bytes) -> str:
        self._check_key(key)
        digest = hashlib.sha256(data)
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ChecksumAlgorithm="SHA256",
        )
        return digest.hexdigest()

    async def get(self, key: str) -> bytes:
        self._check_key(key)

        def read() -> bytes:
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=key)
            except self.client.exceptions.NoSuchKey as exc:
                raise FileMissing(key) from exc
            return bytes(answer["Body"].read())

        return await asyncio.to_thread(read)


@lru_cache(maxsize=1)
def _s3_store(bucket: str, endpoint_url: str, region: str, access_key_id: str, secret: str) -> S3Store:
    return S3Store(
        bucket=bucket,
        endpoint_url=endpoint_url,
        region=region,
        access_key_id=access_key_id,
        secret_access_key=secret,
    )


def file_store() -> FileStore:
    """The configured store: local disk under FILES_DIR, or the S3 bucket when FILES_BACKEND=s3."""
    settings = get_settings()
    if settings.files_backend == "s3":
        # One client per process (it holds a connection pool); the settings are its cache key.
        return _s3_store(
            settings.s3_bucket,
            settings.s3_endpoint_url,
            settings.s3_region,
            settings.s3_access_key_id,
            settings.s3_secret_access_key,
        )
    return LocalDiskStore(settings.files_dir)
