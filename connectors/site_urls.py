"""How a folder source turns a file's path into the address of its page on the docs site.

Static site generators publish ``guide/leave.md`` in different places: GitHub keeps the
extension (``.../blob/main/guide/leave.md``), Docusaurus and GitBook strip it
(``/guide/leave``), MkDocs and Hugo give each page a directory (``/guide/leave/``). A folder
source names its style, or a template such as ``{base}/{path_without_ext}/``; a page's own
``url`` or ``permalink`` front matter always wins.
"""

from __future__ import annotations

import re
import string
from pathlib import PurePosixPath
from typing import Literal

UrlStyle = Literal["keep-extension", "strip-extension", "directory"]
URL_STYLES: tuple[str, ...] = ("keep-extension", "strip-extension", "directory")
TEMPLATE_FIELDS = ("base", "path", "path_without_ext", "dir", "stem")
_DOC_SUFFIXES = re.compile(
    r"(\.html)?\.(md|markdown|mdx|md\.erb|markdown\.erb|html?|txt|text|rst)$", re.IGNORECASE
)
_INDEX_STEMS = {"index", "readme", "_index"}


class UrlTemplateError(ValueError):
    """A url_template with an unknown placeholder or broken braces."""


def check_template(template: str) -> None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise UrlTemplateError(f"broken braces in {template!r}: {exc}") from None
    unknown = [f for f in fields if f not in TEMPLATE_FIELDS]
    if unknown:
        known = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
        raise UrlTemplateError(f"unknown placeholder {{{unknown[0]}}} (known: {known})")


def site_url(
    relative: str, base: str, *, style: UrlStyle = "keep-extension", template: str | None = None
) -> str:
    """The page address of ``relative`` (a path inside the folder) under ``base``."""
    base = base.rstrip("/")
    path = PurePosixPath(relative)
    without_ext = _DOC_SUFFIXES.sub("", relative, count=1)
    stem = PurePosixPath(without_ext).name
    folder = str(path.parent) if str(path.parent) != "." else ""
    if template:
        return template.format(
            base=base, path=relative, path_without_ext=without_ext, dir=folder, stem=stem
        )
    if style == "keep-extension" or without_ext == relative:  # PDFs are served as files
        return f"{base}/{relative}"
    page = f"{folder}/" if stem.lower() in _INDEX_STEMS else without_ext
    page = page.lstrip("/")
    if style == "directory" and page and not page.endswith("/"):
        page += "/"
    return f"{base}/{page}"
