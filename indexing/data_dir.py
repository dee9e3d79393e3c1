"""The data directory (WIKIBOT_DATA_DIR) is private to the account wikibot runs as: it holds
the embedded index (restricted document text), the question log, run records and locks.

* The directory and every directory in it: 0700; every file: no group or other bits
  (0600 for what wikibot writes), whatever the umask and whatever older versions left.
  :func:`secure_data_dir` tightens an existing tree when the index is opened.
* Files wikibot creates are created private: its own writers open them with mode 0600
  (:func:`open_private`), and the `wikibot` command runs with umask 077
  (:func:`private_umask`), so what libraries create there (the embedded Qdrant's
  collections, SQLite journals) is private as well.

Symbolic links are not followed; entries owned by another account are left alone and
named in one WARNING line (chmod would fail on them).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
OTHERS = 0o077  # group and other permission bits


def private_umask() -> None:
    """Files and directories this process creates are its owner's alone (umask 077)."""
    os.umask(OTHERS)


def private_dir(path: Path) -> Path:
    """``path`` created if missing (parents too), and 0700 whatever the umask."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE, [])
    return path


def open_private(path: Path, flags: int) -> int:
    """``os.open`` of a file in the data dir: created 0600, an existing file made 0600."""
    private_dir(path.parent)
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & OTHERS:
            os.fchmod(fd, FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return fd


def secure_data_dir(path: Path, *, create: bool = True) -> None:
    """Make the data dir and everything under it private (see the module's docstring);
    ``create``: make it if missing (else a missing dir is left missing)."""
    if not path.exists():
        if not create:
            return
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    foreign: list[str] = []
    _tighten(path, DIR_MODE, foreign)
    for root, dirs, files in os.walk(path):
        for name in dirs:
            _tighten(Path(root, name), DIR_MODE, foreign)
        for name in files:
            _tighten(Path(root, name), FILE_MODE, foreign)
    if foreign:
        logger.warning(
            "%d entr%s in the data dir %s could not be made private (owned by another "
            "account?), e.g. %s",
            len(foreign),
            "y" if len(foreign) == 1 else "ies",
            path,
            foreign[0],
        )


def _tighten(path: Path, mode: int, foreign: list[str]) -> None:
    """Drop group and other bits (directories become 0700, files 0600 or 0700)."""
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return
        current = stat.S_IMODE(info.st_mode)
        wanted = mode if stat.S_ISDIR(info.st_mode) else (current & ~OTHERS) | (mode & 0o600)
        if current != wanted:
            os.chmod(path, wanted)
    except FileNotFoundError:
        return  # removed meanwhile (a SQLite journal)
    except OSError as exc:
        foreign.append(f"{path.name}: {exc.strerror}")
