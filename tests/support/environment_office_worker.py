"""A stand-in for connectors/parsing/office_worker.py that answers every request with the
names of its environment variables as the title (what a subverted parser could read):
``python -m tests.support.environment_office_worker MEMORY_BYTES``."""

from __future__ import annotations

import json
import os
import sys

from connectors.parsing.office_worker import read_frame, write_frame

if __name__ == "__main__":
    while read_frame(sys.stdin.buffer) is not None and read_frame(sys.stdin.buffer) is not None:
        reply = {"title": " ".join(sorted(os.environ)), "sections": [{"text": "seen"}]}
        write_frame(sys.stdout.buffer, json.dumps(reply).encode())
