"""Sources by name: what `wikibot index PATH` calls a folder, `wikibot sources` and
`wikibot remove`.

A source's name scopes its documents: indexing a folder removes the documents of the source
with that name that the folder does not hold. So two folders must never share a name
silently (``/a/docs`` and ``/b/docs`` were once one source, and the second run deleted the
first's pages). A folder is named after itself unless ``--name`` says otherwise, and a name
already used by another folder or a configured source is refused with both locations named.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import SourceError
from bot.state.locks import holding
from connectors.folder import name_for_folder
from indexing.errors import StoreBusyError
from indexing.lock import IndexLock
from indexing.source_reads import source_counts, source_documents

if TYPE_CHECKING:
    from bot.index_admin.parts import IndexParts

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def folder_names(app: IndexParts, paths: list[Path], name: str | None) -> list[tuple[Path, str]]:
    """Each folder with the source name it is indexed under; raises SourceError on a clash
    (two folders of this command, or a folder against a source indexed from elsewhere)."""
    if name is not None and len(paths) > 1:
        raise SourceError("--name names one folder: index the folders one at a time")
    if name is not None and not _NAME.match(name):
        raise SourceError(f"--name {name!r}: use letters, digits and ._- (up to 64)")
    named = [(path.resolve(), name or name_for_folder(path)) for path in paths]
    first: dict[str, Path] = {}
    for path, source in named:
        if source in first and first[source] != path:
            raise SourceError(
                f'{first[source]} and {path} would both be the source "{source}" (a source is '
                "named after its folder); index them one at a time with --name, e.g. "
                f"`wikibot index {path} --name {path.parent.name or 'other'}-{source}`"
            )
        first[source] = path
    try:
        pairs = named_locations(app)
    except StoreBusyError:
        # another process has the embedded index open: this run cannot start either, and
        # the index lock says who holds it better than the store can
        return named
    known = dict(pairs)  # configured sources win over recorded runs
    for path, source in named:
        where = known.get(source)
        if where and where != str(path):
            raise SourceError(
                f'the source "{source}" already reads {where}; {path} is another folder. '
                f"Give it its own name (`wikibot index {path} --name NAME`), or remove the "
                f"old one first (`wikibot remove {source}`)"
            )
    refuse_second_names(pairs, [(str(path), source) for path, source in named])
    return named


def refuse_second_names(known: list[tuple[str, str]], folders: list[tuple[str, str]]) -> None:
    """SourceError when one of ``folders`` ((location, name) pairs) is already indexed or
    configured under another name (``known``: (name, location) pairs): the same pages
    would be indexed twice, and answers would cite each page twice."""
    names: dict[str, set[str]] = {}
    for name, location in known:
        names.setdefault(location, set()).add(name)
    for location, source in folders:
        others = sorted(names.get(location, set()) - {source})
        if others:
            other = others[0]
            raise SourceError(
                f'{location} is already the source "{other}"; indexing it again as "{source}" '
                "would index every page twice. Keep one name: index it as "
                f"`wikibot index {location} --name {other}`, or remove the other first "
                f"(`wikibot remove {other}`)"
            )


def named_locations(app: IndexParts) -> list[tuple[str, str]]:
    """(source name, what it reads): recorded runs first, then configured sources."""
    pairs = [(s.name, s.location) for s in app.sync_states.all() if s.location]
    pairs += [(source.name, configured_location(source)) for source in app.sources.indexed]
    return pairs


def configured_location(source: object) -> str:
    """A configured source's folder, wiki URL or SharePoint sites, as a line."""
    path = getattr(source, "path", None)
    if path is not None:
        return str(path)
    return str(getattr(source, "url", "") or ", ".join(getattr(source, "sites", [])))


@dataclass
class SourceRow:
    name: str
    kind: str
    location: str
    documents: int
    chunks: int
    last_run: str  # "2026-12-01 10:00 UTC ok" / "never" / "FAILED: ..."
    configured: bool

    def as_json(self) -> dict[str, object]:
        return self.__dict__.copy()


def source_rows(app: IndexParts) -> list[SourceRow]:
    """Every source the index, the run records or the configuration knows, by name."""
    counts = source_counts(app.store)
    states = {s.name: s for s in app.sync_states.all()}
    configured = {s.name: s for s in app.sources.indexed}
    rows = []
    for name in sorted(set(counts) | set(states) | set(configured)):
        state, source = states.get(name), configured.get(name)
        documents, chunks = counts.get(name, (0, 0))
        location = (state.location if state else "") or (
            configured_location(source) if source else ""
        )
        if state is None or state.last_run_at is None:
            last = "never run"
        else:
            when = state.last_run_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            last = f"{when} {state.outcome}" + (f": {state.error}" if state.error else "")
        kind = (source.type if source else "") or (state.kind if state else "") or "?"
        rows.append(SourceRow(name, kind, location, documents, chunks, last, source is not None))
    return rows


@dataclass
class Removal:
    name: str
    documents: list[str]  # the documents' locations, sorted
    chunks: int
    configured: bool


def plan_removal(app: IndexParts, name: str) -> Removal:
    """What `wikibot remove NAME` deletes; SourceError for a name nobody knows."""
    rows = {row.name: row for row in source_rows(app)}
    if name not in rows:
        listed = ", ".join(rows) or "none"
        raise SourceError(f"no source named {name!r}; sources: {listed} (see `wikibot sources`)")
    row = rows[name]
    documents = sorted(source_documents(app.store, name).values())
    return Removal(name, documents, row.chunks, row.configured)


async def remove_source(app: IndexParts, name: str, by: str) -> Removal:
    """Delete one source's chunks and its run record, under the same locks as a reindex (so
    no run writes the source back halfway)."""
    removal = plan_removal(app, name)
    lock = app.state.reindex_lock
    async with holding(lock, by, extend_every_s=app.settings.redis.reindex_lock_ttl_s / 3):
        removal.chunks = await asyncio.to_thread(_delete, app, name)
    return removal


def _delete(app: IndexParts, name: str) -> int:
    with IndexLock(app.settings.index_lock_path, purpose=f"remove {name}"):
        chunks = app.store.delete_source(name)
        app.sync_states.delete(name)
    return chunks
