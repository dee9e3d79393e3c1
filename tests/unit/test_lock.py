import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

from indexing.lock import IndexLock, IndexLockedError


def _hold(path: str, ready: Any, release: Any) -> None:
    with IndexLock(Path(path)):
        ready.set()
        release.wait(10)


def _start_holder(path: Path) -> tuple[Any, Any]:
    """A child process that holds the lock until ``release`` is set."""
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(path), ready, release))
    holder.start()
    assert ready.wait(10)
    return holder, release


def test_second_holder_gets_a_clear_message_and_lock_frees_on_exit(tmp_path: Path) -> None:
    path = tmp_path / "index.lock"
    holder, release = _start_holder(path)
    try:
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
    holder, _ = _start_holder(path)
    holder.kill()
    holder.join(10)
    with IndexLock(path):
        pass
