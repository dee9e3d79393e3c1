"""The connectors' error tree (the chat side words them for people in bot/errors.py)::

    ConnectorError
     ├── DocumentError           one document is skipped and reported; the others index
     ├── SourceConfigError       a sources file or an access-rules file is wrong
     └── SourceUnavailableError  the source's service cannot be reached or refuses us

Every message is one line an admin can act on, naming the file or service.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of the errors connectors raise on purpose."""


class DocumentError(ConnectorError, ValueError):
    """One document cannot be indexed (unreadable, malformed, empty)."""


class SourceConfigError(ConnectorError, ValueError):
    """A configuration file of a source cannot be used."""


class SourceUnavailableError(ConnectorError, RuntimeError):
    """The source's service cannot be reached, or rejects our credentials."""
