"""The package's own error for bad input: every problem names its place, what was found and
what was expected, and all problems of a file are reported together."""

from __future__ import annotations

import numbers
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    where: str  # "line 12", "target rd_intensity_2023", "scenario fiscal-7", or "" for the file
    field: str
    found: str
    expected: str

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.file, self.where, f"field '{self.field}'" if self.field else "") if p)
        return f"{place}: found {self.found}; expected {self.expected}"


class InputError(ValueError):
    """Bad parameter or history input. `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in the input:" if len(self.problems) > 1 else ""
        body = "\n".join(f"  - {p}" if head else str(p) for p in self.problems)
        super().__init__(f"{head}\n{body}" if head else body)

    def __reduce__(self):  # rebuilt from its problems when it crosses processes (the backtest's workers)
        return type(self), (self.problems,)

    @classmethod
    def single(cls, field: str, found: str, expected: str, file: str = "", where: str = "") -> InputError:
        return cls([Problem(file, where, field, found, expected)])


def is_whole(x) -> bool:
    """A whole number given as one (a Python or numpy integer; True is not one, nor 3.0 or "3")."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def shorten(text: object, limit: int = 60) -> str:
    """Quote a found value for a message, cut to a readable length."""
    s = repr(text)
    return s if len(s) <= limit else s[: limit - 4] + "...'"
