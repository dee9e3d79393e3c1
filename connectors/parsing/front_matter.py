"""Front matter: the metadata block at the top of a text document (Markdown, plain text,
HTML), read where site generators read it, refused wherever it cannot be trusted.

Read, from the very first line (after a byte-order mark): YAML between ``---`` lines (closed
by ``---`` or ``...``; Jekyll, GOV.UK tech docs), TOML between ``+++`` lines and a JSON object
(Hugo). What was read must be a mapping, give no key twice and carry no restriction-like key
other than a top-level ``access:`` (``connectors/parsing/metadata.py``).

Metadata-looking text we do not read fails the document too (:class:`FrontMatterError`):
a ``key: value`` block fenced by ``----`` or ``+++`` lines or starting below the first line
(after blank lines, a space, a comment, or after the front matter itself), a JSON object
below the first line, and ``key: value`` lines with a restriction-like key at the top of
the text or in a leading HTML comment. Ordinary text is not mistaken for metadata: a fenced
block counts only when every line in it reads as ``key: value`` (or a list item or an
indented continuation), so a page opening with a horizontal rule, a table or a sentence
with a colon reads as it always did.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import yaml

from connectors.parsing.metadata import MetadataError, check_metadata, restriction_like

_YAML = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_YAML_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_TOML = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n(.*?)\r?\n\+\+\+[ \t]*(?:\r?\n|\Z)", re.S)
_TOML_OPEN = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n")
_JSON_OPEN = re.compile(r'\A\ufeff?\{\s*"')
_LINE_END = re.compile(r"[ \t]*(?:\r?\n|\Z)")
_FENCE_LIKE = re.compile(r"^[\s\ufeff]*(-{3,}|\+{3,})[ \t]*$")
# ``key: value`` (YAML) or ``key = value`` (TOML); in a fenced block a key may have spaces
_KEY_LINE = re.compile(r"""^\s{0,3}["']?([A-Za-z_][\w.:-]*)["']?\s*[:=](?:\s|$)""")
_SPACED_KEY_LINE = re.compile(
    r"""^\s{0,3}["']?([A-Za-z_][\w.-]*(?: [A-Za-z_][\w.-]*){0,3})["']?\s*[:=](?:\s|$)"""
)
_LIST_OR_MORE = re.compile(r"^(?:\s*-\s|\s*-$|\s+\S|\s*#|\s*\[[\w.\" -]+\]\s*$)")
_FIRST_WORD = re.compile(r"^[\s>*+-]*[\"']?([A-Za-z_][\w-]*)")
_SCAN_LINES, _SCAN_CHARS = 400, 65_536


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
                if not _metadata_like(block):
                    return None
                raise
            if data is not None and not isinstance(data, dict) and not _metadata_like(block):
                return None
            return data, match.end()
        if _YAML_OPEN.match(text):
            if _metadata_like(_leading_paragraph(text[:_SCAN_CHARS].splitlines()[1:_SCAN_LINES])):
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
    return data, body


def _metadata_like(lines: list[str]) -> bool:
    """Lines that read as metadata: every one ``key: value`` (or a list item, an indented
    continuation, a comment, a TOML table) with a ``key: value`` line first, or any line
    opening with a restriction-like word (``- access: [execs]``, ``access execs``)."""
    content = [line for line in lines if line.strip()]
    if not content:
        return False
    if _key_line(content[0]) and all(_key_line(x) or _LIST_OR_MORE.match(x) for x in content):
        return True
    return any(
        (word := _FIRST_WORD.match(line)) is not None and restriction_like(word.group(1))
        for line in content
    )


def _key_line(line: str) -> bool:
    return bool(_KEY_LINE.match(line) or _SPACED_KEY_LINE.match(line))


def _leading_paragraph(lines: list[str]) -> list[str]:
    """The first run of non-blank lines (blank lines before it skipped)."""
    start = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    end = next((n for n in range(start, len(lines)) if not lines[n].strip()), len(lines))
    return lines[start:end]


def _restriction_keys(lines: list[str], *, leading_only: bool) -> list[str]:
    """The restriction-like keys of ``key: value`` lines: only those that open ``lines``
    (``leading_only``), or any line's."""
    keys = []
    for line in lines:
        match = _KEY_LINE.match(line)
        if match:
            keys.append(match.group(1))
        elif leading_only:
            break
    return [key for key in keys if restriction_like(key)]


def unread_metadata(text: str, *, first_line: int = 1, after: bool = False) -> str | None:
    """Why the top of ``text`` is metadata we do not read, or None. ``first_line`` is the
    file's line number of the text's first line; ``after`` says front matter came before."""
    lines = text[:_SCAN_CHARS].splitlines()[:_SCAN_LINES]
    i, below = 0, "the front matter" if after else ""
    while i < len(lines):
        stripped = lines[i].strip().lstrip("\ufeff").strip()
        if not stripped:
            below = below or "blank lines"
            i += 1
        elif stripped.startswith("<!--"):
            end = next((j for j in range(i, len(lines)) if "-->" in lines[j]), len(lines) - 1)
            inside = "\n".join(lines[i : end + 1]).split("<!--", 1)[1].split("-->", 1)[0]
            keys = _restriction_keys(inside.splitlines(), leading_only=False)
            if keys:
                return (
                    f"an HTML comment at line {first_line + i} holds {keys[0]!r}: metadata "
                    "in comments is not read; write it as front matter (--- on the first "
                    "line) or a .wikibot-acl.yaml rule"
                )
            below, i = "an HTML comment", end + 1
        else:
            break
    if i >= len(lines):
        return None
    line_no, fence = first_line + i, _FENCE_LIKE.match(lines[i])
    if fence:
        close = next(
            (j for j in range(i + 1, len(lines)) if _FENCE_LIKE.match(lines[j])), len(lines)
        )
        block = lines[i + 1 : close]
        if close == len(lines):  # never closed: its first paragraph decides
            block = _leading_paragraph(block)
        if not _metadata_like(block):
            return None
        marker = fence.group(1)
        if below:
            shape = f"starts at line {line_no}, below {below}"
        elif marker not in ("---", "+++"):
            shape = f"is fenced by {marker!r} lines"
        else:
            shape = "does not start at the beginning of the first line"
        return (
            f"a metadata block ({marker} ... key: value) {shape}; it is not read as front "
            "matter: front matter starts on the very first line with exactly --- (YAML) or "
            "+++ (TOML)"
        )
    if _JSON_OPEN.match(lines[i].lstrip()) or (
        lines[i].strip() == "{" and i + 1 < len(lines) and lines[i + 1].lstrip().startswith('"')
    ):
        return (
            f"a JSON object starts at line {line_no}, below {below or 'a space'}; it is not "
            "read as front matter: JSON front matter starts at the very first character"
        )
    paragraph = lines[i : next((j for j in range(i, len(lines)) if not lines[j].strip()), None)]
    keys = _restriction_keys(paragraph, leading_only=True)
    if keys:
        return (
            f"line {line_no} reads as metadata with the key {keys[0]!r}, which is not read "
            "outside front matter; skipped so that its restriction is not lost (put it in "
            "front matter: --- on the first line, access: [group, ...], ---)"
        )
    return None
