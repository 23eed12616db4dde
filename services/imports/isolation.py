"""Parse an uploaded spreadsheet in a child process with a memory and a time limit.

A hostile or broken file must never take the worker down with it: the child gets an address-space limit
(RLIMIT_AS) and a deadline, and a child that blows either is killed and reported as a file error. The worker's
event loop only waits on a pipe, so indexing carries on meanwhile.
"""

import asyncio
import multiprocessing
import resource
from multiprocessing.connection import Connection
from typing import Any

from services.core.logging import get_logger
from services.imports.bulk import RowError
from services.imports.parsing import ImportFileError, ParsedSheet, parse_file
from services.reference.vocabulary import ListingType

PARSE_SECONDS = 120
PARSE_MEMORY_MB = 2048
log = get_logger("imports.isolation")


def _child(pipe: Connection, listing_type: str, content: bytes, filename: str, memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result: tuple[str, Any]
    try:
        result = ("ok", parse_file(ListingType(listing_type), content, filename=filename))
    except ImportFileError as exc:
        result = ("file_error", exc.errors)
    except MemoryError:
        result = ("file_error", [_too_big()])
    pipe.send(result)
    pipe.close()


def _too_big() -> RowError:
    return RowError(
        0, "*", "文件解析所需内存超过上限，请拆分文件", "parsing the file needs too much memory; split it"
    )


async def parse_file_isolated(
    listing_type: ListingType,
    content: bytes,
    *,
    filename: str = "",
    seconds: float = PARSE_SECONDS,
    memory_mb: int = PARSE_MEMORY_MB,
) -> ParsedSheet:
    """parse_file in a fresh child process; ImportFileError when the file is refused or breaks a limit."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited loop or connections
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, listing_type.value, content, filename, memory_mb), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not await asyncio.to_thread(receiver.poll, seconds):
            log.warning("import.parse_timeout", seconds=seconds)
            raise ImportFileError(
                [
                    RowError(
                        0,
                        "*",
                        f"文件解析超过 {int(seconds)} 秒上限",
                        f"parsing took longer than {int(seconds)} s",
                    )
                ]
            )
        try:
            kind, value = await asyncio.to_thread(receiver.recv)
        except EOFError as exc:  # the child died: the memory limit or a crash in the reader
            log.warning("import.parse_died", exitcode=child.exitcode)
            raise ImportFileError([_too_big()]) from exc
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        await asyncio.to_thread(child.join, 10)
    if kind != "ok":
        raise ImportFileError(list(value))
    sheet: ParsedSheet = value
    return sheet
