"""A stand-in for connectors/parsing/office_worker.py that takes requests and never answers
(a parser stuck in a loop): ``python -m tests.support.hanging_office_worker MEMORY_BYTES``."""

from __future__ import annotations

import time

if __name__ == "__main__":
    while True:
        time.sleep(60)
