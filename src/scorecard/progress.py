"""Named steps of a job with their durations, handed to the caller as each ends: the library times, the CLI prints."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class StepDone:
    """One finished step: its name, wall-clock seconds and a short note (rows, features kept, ...)."""

    name: str
    seconds: float = 0.0
    detail: str = ""


Report = Callable[[StepDone], None]


class Steps:
    """Times the steps of a job and reports each to ``report`` when it ends (silently when ``report`` is None)."""

    def __init__(self, report: Report | None = None) -> None:
        self.report = report
        self.done: list[StepDone] = []

    @contextmanager
    def step(self, name: str) -> Iterator[StepDone]:
        """Time the block; set ``.detail`` on the yielded record to say what it did. Failed steps are not reported."""
        record = StepDone(name)
        start = time.perf_counter()
        yield record
        record.seconds = time.perf_counter() - start
        self.add(record)

    def add(self, record: StepDone) -> None:
        """Report a step timed elsewhere."""
        self.done.append(record)
        if self.report is not None:
            self.report(record)
