"""Front matter: the metadata block at the top of a text document (Markdown, plain text,
HTML), read where site generators read it, refused wherever it cannot be trusted.

Read, from the very first line (after a byte-order mark): YAML between ``---`` lines (closed
by ``---`` or ``...``; Jekyll, GOV.UK tech docs), TOML between ``+++`` lines and a JSON object
(Hugo). What was read must be a mapping, give no key twice and carry no restriction-like key
other than a top-level ``access:`` (``connectors/parsing/metadata.py``).

Metadata-looking text we do not read fails the document too (:class:`FrontMatterError`):
the shapes are in ``unread_metadata.py`` (a ``key: value`` block below line 1 or fenced by
``----``, restriction-like keys in leading lines or comments, a restriction-like ``<meta>``).
A page opening with a horizontal rule, a table or a sentence reads as it always did.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import yaml

from connectors.parsing.metadata import MetadataError, check_metadata, meta_tag_reason
from connectors.parsing.unread_metadata import (
    SCAN_CHARS,
    SCAN_LINES,
    leading_paragraph,
    metadata_like,
    restriction_meta_tag,
    unread_metadata,
)

_YAML = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_YAML_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_TOML = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n(.*?)\r?\n\+\+\+[ \t]*(?:\r?\n|\Z)", re.S)
_TOML_OPEN = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n")
_JSON_OPEN = re.compile(r'\A\ufeff?\{\s*"')
_LINE_END = re.compile(r"[ \t]*(?:\r?\n|\Z)")


class FrontMatterError(MetadataError):
    """Front matter that cannot be read, or metadata-looking text we do not read. The
    document is skipped (reported), never indexed without it: the front matter may be what
    restricts who may read the document."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML that refuses a key given twice (``access: [execs]`` then ``access: public``)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    for key in keys:
        if keys.count(key) > 1:
            raise FrontMatterError(f"front matter gives the key {key!r} twice")
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise FrontMatterError(f"front matter gives the key {key!r} twice")
    return dict(pairs)


def _read_block(text: str) -> tuple[Any, int] | None:
    """(data, end offset) of a YAML, TOML or JSON block starting on the first line; None
    when the text does not start with one (a ``---`` horizontal rule above ordinary text is
    not front matter: only a block that looks like metadata is read, or refused)."""
    try:
        if match := _YAML.match(text):
            block = match.group(1).splitlines()
            try:
                data = yaml.load(match.group(1), Loader=_UniqueKeyLoader)
            except yaml.YAMLError:
                if not metadata_like(block):
                    return None
                raise
            if data is not None and not isinstance(data, dict) and not metadata_like(block):
                return None
            return data, match.end()
        if _YAML_OPEN.match(text):
            opening = leading_paragraph(text[:SCAN_CHARS].splitlines()[1:SCAN_LINES])
            if metadata_like(opening, unclosed=True):
                raise FrontMatterError("front matter opens with --- but has no closing --- line")
            return None
        if match := _TOML.match(text):
            return tomllib.loads(match.group(1)), match.end()
        if _TOML_OPEN.match(text):
            raise FrontMatterError("TOML front matter opens with +++ but has no closing +++ line")
        if _JSON_OPEN.match(text):
            start = 1 if text.startswith("\ufeff") else 0
            data, end = json.JSONDecoder(object_pairs_hook=_unique_pairs).raw_decode(text, start)
            line_end = _LINE_END.match(text, end)
            if line_end is None:
                raise FrontMatterError("JSON front matter is not followed by a line break")
            return data, line_end.end()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise FrontMatterError(f"front matter is not valid YAML{where} ({problem})") from None
    except tomllib.TOMLDecodeError as exc:
        raise FrontMatterError(f"front matter is not valid TOML ({exc})") from None
    except json.JSONDecodeError as exc:
        raise FrontMatterError(
            f"front matter starts like JSON but is not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    except RecursionError:
        raise FrontMatterError("front matter is nested too deeply to read") from None
    return None


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter, body); raise :class:`FrontMatterError` (fail closed) for front
    matter that cannot be read or metadata we do not read (see the module docstring)."""
    block = _read_block(text)
    data, end = block if block is not None else ({}, 0)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            f"front matter is a {type(data).__name__}, not a mapping of keys to values"
        )
    try:
        check_metadata(data)
    except MetadataError as exc:
        raise FrontMatterError(str(exc)) from None
    body = text[end:]
    reason = unread_metadata(body, first_line=text.count("\n", 0, end) + 1, after=bool(block))
    if reason:
        raise FrontMatterError(reason)
    meta = restriction_meta_tag(body)
    if meta:
        raise FrontMatterError(meta_tag_reason(meta))
    return data, body
