"""The connectors' own small settings models (bot/config.py composes them), importable
without the parsers."""

from __future__ import annotations

from pydantic import BaseModel


class FolderLimits(BaseModel):
    """Size limits: larger files are skipped and reported."""

    max_text_bytes: int = 2 * 1024 * 1024
    max_pdf_bytes: int = 25 * 1024 * 1024
