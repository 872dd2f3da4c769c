"""`queries.load_all`: what `DataLoader.load_many` answers, without `asyncio.gather`."""

import asyncio
import gc
from typing import Any

from strawberry.dataloader import DataLoader

from resolvers.requests.queries import load_all


async def test_it_answers_each_key_in_order_from_one_batch_and_the_cache() -> None:
    batches: list[list[int]] = []

    async def fetch(keys: list[int]) -> list[int]:
        batches.append(list(keys))
        return [key * 10 for key in keys]

    loader = DataLoader(load_fn=fetch)
    assert await load_all(loader, [3, 1, 2]) == await loader.load_many([3, 1, 2]) == [30, 10, 20]
    assert await load_all(loader, [2, 4]) == [20, 40]
    assert batches == [[3, 1, 2], [4]]


async def test_a_failed_batch_raises_its_error_once_and_leaves_none_unretrieved() -> None:
    async def fetch(keys: list[int]) -> list[int]:
        raise RuntimeError("base de datos caída")

    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    raised: list[str] = []
    try:
        loader = DataLoader(load_fn=fetch)
        try:
            await load_all(loader, [1, 2, 3])
        except RuntimeError as error:  # not kept: its traceback would keep the futures alive
            raised.append(str(error))
        del loader
        await asyncio.sleep(0)  # the batch's task let go (not a wait: one turn of the loop)
        gc.collect()
    finally:
        loop.set_exception_handler(previous)
    assert raised == ["base de datos caída"]
    assert reported == []  # no "Future exception was never retrieved"
