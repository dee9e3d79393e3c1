"""The argument parsers of the indexing and learning commands (kept apart from the commands
themselves, so `wikibot --help` loads nothing heavy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def add_index_parsers(sub: Any) -> None:
    index = sub.add_parser("index", help="index folders or the configured sources (incremental)")
    index.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="folders of Markdown, HTML, text, PDF, Word, PowerPoint and OpenDocument files; "
        "none: the configured sources",
    )
    index.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="only this configured source (repeatable)",
    )
    index.add_argument(
        "--name",
        metavar="NAME",
        help="the source name for this folder (default: the folder's own name)",
    )
    index.add_argument(
        "--base-url",
        metavar="URL",
        help="the folder's docs site: citations link there instead of to file:// paths",
    )
    index.add_argument(
        "--url-style",
        choices=["keep-extension", "strip-extension", "directory"],
        default="keep-extension",
        help="how a file path becomes a page URL under --base-url: guide/leave.md -> "
        "guide/leave.md (GitHub), guide/leave (Docusaurus, GitBook), guide/leave/ (MkDocs)",
    )
    index.add_argument(
        "--full",
        action="store_true",
        help="rebuild into a new collection; the old one serves until it is done",
    )
    sync = sub.add_parser(
        "sync", help="apply what changed in the configured sources since their last run"
    )
    sync.add_argument("--source", action="append", default=[], metavar="NAME")
    sub.add_parser("status", help="what is indexed, and each source's last run")
    sources = sub.add_parser("sources", help="the sources by name: kind, location, documents")
    sources.add_argument("--json", action="store_true", help="one JSON object per source")
    remove = sub.add_parser("remove", help="delete one source's documents from the index")
    remove.add_argument("name", metavar="SOURCE", help="the source's name (`wikibot sources`)")
    remove.add_argument(
        "--dry-run", action="store_true", help="list what would be deleted; delete nothing"
    )


def add_learning_parsers(sub: Any) -> None:
    feedback = sub.add_parser("feedback", help="the feedback and question log")
    feedback_sub = feedback.add_subparsers(dest="action", required=True)
    export = feedback_sub.add_parser(
        "export", help="👎 and not-found questions as qa.jsonl evaluation candidates"
    )
    export.add_argument("--out", type=Path, help="write here instead of stdout")
    export.add_argument(
        "--all", action="store_true", help="the whole question log (users hashed) as JSONL"
    )
    report = sub.add_parser("report", help="content gaps and answer quality for document owners")
    report.add_argument("--html", type=Path, metavar="FILE", help="a self-contained HTML page")
    finetune = sub.add_parser("finetune", help="fine-tuning data from liked answers")
    finetune_sub = finetune.add_subparsers(dest="action", required=True)
    ft = finetune_sub.add_parser("export", help="train/validation JSONL in a chat format")
    ft.add_argument("--format", choices=["openai-chat"], default="openai-chat")
    ft.add_argument("--raft", action="store_true", help="cited chunks + distractors in the prompt")
    ft.add_argument("--out-dir", type=Path, default=Path("finetune"), metavar="DIR")
