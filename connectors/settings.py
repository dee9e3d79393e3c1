"""The connectors' own small settings models (bot/config.py composes them), importable
without the parsers."""

from __future__ import annotations

from pydantic import BaseModel, Field

# repository files that are not pages: licences, changelogs, conduct codes
REPOSITORY_FILES = ["LICENSE*", "LICENCE*", "COPYING*", "SOURCE*", "CHANGELOG*", "CODE_OF_CONDUCT*"]


class FolderLimits(BaseModel):
    """Size limits (larger files are skipped and reported) and file names not indexed
    (matched case-insensitively against the file name; ``[]`` indexes them all)."""

    max_text_bytes: int = 2 * 1024 * 1024
    max_pdf_bytes: int = 25 * 1024 * 1024
    skip_files: list[str] = Field(default_factory=lambda: list(REPOSITORY_FILES))
