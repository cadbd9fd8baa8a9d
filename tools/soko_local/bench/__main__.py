"""``python -m soko_local.bench [--only 2,8]``: measure the sections (all by default) and print them
in their numbers' order. See ``soko_local/bench/__init__.py``."""

from __future__ import annotations

import argparse
import functools
import logging
import signal
import sys
import time

from soko_local.bench import sections
from soko_local.bench.core import Section, failed, guarded, progress, render, running_runtime


def _allow_ctrl_c_in_children() -> None:
    """A background shell starts us with SIGINT ignored, and children inherit that; restore the
    default so SIGINT stops `soko_local dev` the way Ctrl-C does."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def measure(only: set[int]) -> list[Section]:
    """The chosen sections, in print order; a section (or the runtime) that fails says so."""
    results: dict[int, Section] = {}
    for entry in sections.STANDALONE:
        if entry.number in only:
            results[entry.number] = guarded(entry.title, entry.measure)
    in_runtime = [step for step in sections.IN_RUNTIME if step.number in only]
    if in_runtime:
        try:
            with running_runtime() as bench:
                for step in in_runtime:
                    results[step.number] = guarded(step.title, functools.partial(step.measure, bench))
        except Exception as err:  # the runtime itself: one section says so, in the first one's place
            chosen = sorted(step.number for step in in_runtime)
            title = "./".join(map(str, chosen)) + ". The in-process runtime"
            results = {n: s for n, s in results.items() if n not in chosen} | {chosen[0]: failed(title, err)}
    return [results[number] for number in sorted(results)]


def _numbers(text: str) -> set[int]:
    chosen = {int(part) for part in text.split(",") if part.strip()}
    if not chosen <= set(sections.numbers()):
        raise argparse.ArgumentTypeError(f"sections are {sections.numbers()}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m soko_local.bench", description=__doc__)
    parser.add_argument("--only", type=_numbers, help="comma-separated section numbers (default: all)")
    args = parser.parse_args(argv)
    _allow_ctrl_c_in_children()
    # aws-sam-translator warns "There are unpublished metrics" when its Metrics object is collected
    logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)
    began = time.perf_counter()
    progress("measuring (a few minutes) ...")
    measured = measure(args.only or set(sections.numbers()))
    print(render(measured, time.perf_counter() - began))
    return 0


if __name__ == "__main__":
    sys.exit(main())
