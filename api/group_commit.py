"""Group commit: ballots sent at the same moment share one transaction.

A database pays for every transaction (SQLite takes its one write lock, PostgreSQL flushes
its log), so at a hundred ballots a second one commit each is most of the cost. Callers hand
their ballots in and wait; while one transaction is being written, the next callers' ballots
gather, and go together in the next one. Nothing waits on a timer: a lone ballot is written
at once. Each caller is answered only once the transaction holding its ballots committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Write = Callable[[str, Sequence[Item]], Awaitable[list[Result]]]

MAX_ITEMS = 500  # per transaction: bounded statements, bounded work lost to one failure


class GroupCommit(Generic[Item, Result]):
    def __init__(self, write: Write[Item, Result]) -> None:
        """`write(slug, items)` stores items in one transaction: one result per item."""
        self._write = write
        self._waiting: list[tuple[str, Sequence[Item], asyncio.Future[list[Result]]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, slug: str, items: Sequence[Item]) -> list[Result]:
        future: asyncio.Future[list[Result]] = asyncio.get_running_loop().create_future()
        self._waiting.append((slug, items, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        return await future

    async def _write_all(self) -> None:
        while self._waiting:
            slug = self._waiting[0][0]
            group, rest, size = [], [], 0
            for entry in self._waiting:
                if entry[0] == slug and (not group or size + len(entry[1]) <= MAX_ITEMS):
                    group.append(entry)
                    size += len(entry[1])
                else:
                    rest.append(entry)
            self._waiting = rest
            await self._commit(slug, group)

    async def _commit(self, slug: str, group: list) -> None:
        try:
            results = await self._write(slug, [item for _, items, _ in group for item in items])
        except Exception as error:
            if len(group) == 1:
                _settle(group[0][2], error=error)
                return
            # One caller's bad item must not fail the others: each goes again on its own.
            for entry in group:
                await self._commit(slug, [entry])
            return
        start = 0
        for _, items, future in group:
            _settle(future, results[start : start + len(items)])
            start += len(items)


def _settle(future: asyncio.Future, result: object = None, error: Exception | None = None) -> None:
    if future.done():  # the caller went away (its request was cancelled)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
