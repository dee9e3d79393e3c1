import multiprocessing
import os
from pathlib import Path

import pytest

from indexing.lock import IndexLock, IndexLockedError


def _hold(path: str, ready, release) -> None:  # type: ignore[no-untyped-def]
    with IndexLock(Path(path)):
        ready.set()
        release.wait(10)


def test_second_holder_gets_a_clear_message_and_lock_frees_on_exit(tmp_path: Path) -> None:
    path = tmp_path / "index.lock"
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(path), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with (
            pytest.raises(IndexLockedError, match=rf"pid {holder.pid} on .*started"),
            IndexLock(path),
        ):
            pass
    finally:
        release.set()
        holder.join(10)
    with IndexLock(path):  # free again
        assert os.path.exists(path)


def test_lock_is_released_when_the_holder_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "index.lock"
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(path), ready, release))
    holder.start()
    assert ready.wait(10)
    holder.kill()
    holder.join(10)
    with IndexLock(path):
        pass
