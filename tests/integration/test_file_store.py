"""Files on local disk or in an S3-compatible bucket, behind one interface; S3 tested against a real S3 server.

The S3-compatible server is moto's standalone server (a pinned dev dependency), started by the test as a
subprocess on a free port, the way stripe-mock stands in for Stripe.
"""

import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from services.core.files import FileMissing, LocalDiskStore, S3Store
from tests.factories import create_listing, create_org, create_user, publish_listing
from tests.integration.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Api,
    Processes,
    drop_private_stack,
    private_env,
    private_stack,
)

pytestmark = pytest.mark.integration

KEY_ID, SECRET, REGION = "tm-test-key", "tm-test-secret", "us-east-1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real S3-compatible HTTP server on a free port for this module; its URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("s3") / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/moto-api/", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"S3 server did not start: {log.read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _bucket(url: str) -> tuple[str, Any]:
    name = f"tm-files-{os.urandom(4).hex()}"
    client = boto3.client(
        "s3", endpoint_url=url, region_name=REGION, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET
    )
    client.create_bucket(Bucket=name)
    return name, client


def _store(url: str, bucket: str) -> S3Store:
    return S3Store(
        bucket=bucket, endpoint_url=url, region=REGION, access_key_id=KEY_ID, secret_access_key=SECRET
    )


async def test_the_s3_store_keeps_exactly_the_bytes_it_was_given(s3_server: str) -> None:
    bucket, client = _bucket(s3_server)
    store = _store(s3_server, bucket)
    big = os.urandom(6 * 2**20)
    for key, data in (("test-reports/1/a.pdf", PDF), ("service-orders/2/b", big), ("empty", b"")):
        digest = await store.put(key, data)
        assert digest == hashlib.sha256(data).hexdigest()
        assert await store.get(key) == data
        # it really is in the bucket, under our key, byte for byte
        assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == data
    # a second put under the same key replaces the object whole
    await store.put("test-reports/1/a.pdf", b"%PDF-1.7 replaced")
    assert await store.get("test-reports/1/a.pdf") == b"%PDF-1.7 replaced"


async def test_both_stores_refuse_missing_keys_and_paths_that_escape(s3_server: str, tmp_path: Path) -> None:
    bucket, client = _bucket(s3_server)
    for store in (_store(s3_server, bucket), LocalDiskStore(tmp_path / "files")):
        with pytest.raises(FileMissing):
            await store.get("test-reports/404/none.pdf")
        for bad in ("../outside", "a/../../etc/passwd"):
            with pytest.raises(ValueError, match="escapes"):
                await store.put(bad, b"x")
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    assert not (tmp_path / "outside").exists()


async def test_the_s3_store_fails_loudly_when_the_service_is_down(tmp_path: Path) -> None:
    # a closed port: the SDK's retries end in an error, never a silently lost file
    store = _store(f"http://127.0.0.1:{_free_port()}", "tm-files")
    with pytest.raises(Exception, match=r"(?i)connect"):
        await store.put("test-reports/1/a.pdf", PDF)


@pytest.fixture(scope="module")
def s3_stack(s3_server: str) -> Iterator[tuple[Processes, str, Any]]:
    bucket, client = _bucket(s3_server)
    env = private_env(
        "_s3files",
        FILES_BACKEND="s3",
        FILES_DIR="/nonexistent/never-written",
        S3_ENDPOINT_URL=s3_server,
        S3_BUCKET=bucket,
        S3_REGION=REGION,
        S3_ACCESS_KEY_ID=KEY_ID,
        S3_SECRET_ACCESS_KEY=SECRET,
    )
    processes = private_stack(env, "-s3files")
    yield processes, bucket, client
    drop_private_stack(processes)


async def test_a_test_report_goes_to_the_bucket_when_the_store_is_s3(s3_stack: Any) -> None:
    processes, bucket, client = s3_stack
    async with httpx.AsyncClient(base_url=processes.base, timeout=60) as http:
        api = Api(http)
        admin = await api.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        agency_org = await create_org(api, admin, kind="agency")
        ent = await create_org(api, admin, kind="enterprise")
        _, lab = await create_user(api, admin, org_id=agency_org["id"], role="provider")
        _, buyer = await create_user(api, admin, org_id=ent["id"], role="enterprise")
        agency = await create_listing(api, lab, "agency", qualifications=["CMA"])
        await publish_listing(api, lab, admin, "agency", agency["id"])
        body = {
            "listing_id": agency["id"],
            "samples": [{"name": "样品", "quantity": 1}],
            "items": [{"method": "拉伸强度", "standard": "ISO 6892-1:2019"}],
            "turnaround_days": 5,
        }
        made = await api.json("POST", "/api/v1/test-requests", token=buyer, json=body, expect=201)
        rid = made["id"]
        quote = {"lines": [{"name": "拉伸强度", "amount_fen": 45_000}]}
        await api.json("POST", f"/api/v1/test-requests/{rid}/quote", token=lab, json=quote)
        await api.json("POST", f"/api/v1/test-requests/{rid}/accept", token=buyer)
        await api.json("POST", f"/api/v1/test-requests/{rid}/samples-received", token=lab)
        files = {"file": ("r.pdf", PDF, "application/pdf")}
        await api.json("POST", f"/api/v1/test-requests/{rid}/report", token=lab, files=files)

        # the report is an object in the bucket, and the download reads it back from there
        listed = client.list_objects_v2(Bucket=bucket, Prefix=f"test-reports/{rid}/")
        assert listed["KeyCount"] == 1
        key = listed["Contents"][0]["Key"]
        assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == PDF
        downloaded = await api.call("GET", f"/api/v1/test-requests/{rid}/report", token=buyer, expect=200)
        assert downloaded.content == PDF
