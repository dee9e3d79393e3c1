"""What parsing Office files in a separate process costs, per file and once.

    python -m bench.office_parsing [--files 200]

Parses the test suite's Word, PowerPoint and OpenDocument files ``--files`` times each, in
this process (``read_office``: bounded, not isolated) and through the parsing process
(``IsolatedOfficeParser``: what indexing uses), and reports the median per file of each,
the difference, and the parsing process's start (first file) and memory.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from connectors.parsing.isolated import IsolatedOfficeParser
from connectors.parsing.office import read_office
from connectors.parsing.office_limits import OfficeLimits
from tests.support.office_files import make_docx, make_odt, make_pptx


def _median_ms(parse: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        parse()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    limits = OfficeLimits()
    isolated = IsolatedOfficeParser(limits)
    files = {".docx": make_docx(), ".pptx": make_pptx(), ".odt": make_odt()}
    start = time.perf_counter()
    isolated.parse(".odt", files[".odt"])
    first = (time.perf_counter() - start) * 1000
    print(f"parsing process start + first .odt: {first:.0f} ms")
    print("| file | bytes | in process ms | isolated ms | overhead ms |")
    print("|---|---|---|---|---|")
    for suffix, data in files.items():
        here = _median_ms(lambda s=suffix, d=data: read_office(s, d, limits), args.files)
        there = _median_ms(lambda s=suffix, d=data: isolated.parse(s, d), args.files)
        print(f"| {suffix} | {len(data):,} | {here:.1f} | {there:.1f} | {there - here:.1f} |")
    child = isolated._child
    if child is not None:
        with open(f"/proc/{child.pid}/status") as status:
            peak = [line for line in status if line.startswith("VmHWM")]
        print(f"parsing process peak RSS: {peak[0].split(':')[1].strip()}")
    isolated.close()


if __name__ == "__main__":
    main()
