"""The indexing side's error tree (the chat side words them for people in bot/errors.py)::

    IndexingError
     ├── IndexLockedError        another index run holds the data directory's lock
     ├── StoreBusyError          the embedded index is open in another process
     ├── EmbedderMismatchError   the index was built with another embedding model
     └── IndexRequestError       a run that cannot be done as asked (two sources share a
                                 name; a sync before anything is indexed)

Every message is one line an admin can act on.
"""

from __future__ import annotations


class IndexingError(RuntimeError):
    """Base of the errors the indexing side raises on purpose."""


class IndexLockedError(IndexingError):
    """Another index run holds the lock."""


class StoreBusyError(IndexingError):
    """The embedded (local-mode) index is open in another process."""


class EmbedderMismatchError(IndexingError):
    """The index was built with another embedding model or dimension."""


class IndexRequestError(IndexingError, ValueError):
    """A run that cannot be done as asked."""
