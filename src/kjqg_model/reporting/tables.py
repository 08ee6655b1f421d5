"""Tables for people: a terminal table that fits 120 columns with Chinese wrapped by display width,
one marker for a missing value and sensible precision; the same table as an .xlsx sheet."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .outputs import atomic_write

MISSING = "—"


@dataclass(frozen=True)
class Column:
    source: str  # the frame's column
    title: str
    width: int  # display cells (a Chinese character takes two)
    right: bool = False  # numbers align right


def cell_text(value) -> str:
    """A value as a reader wants it: '—' for anything missing, 4,200 not 4200.000000, 0.93 not 0.930000."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return MISSING
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float) and not isinstance(value, bool):
        v = float(value)
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        text = f"{v:,.{max(0, 3 - math.floor(math.log10(abs(v))))}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text  # 26,420 keeps its zero (26419.7)
    text = str(value).strip()
    return text if text and text.lower() not in ("nan", "none", "n/a", "<na>") else MISSING


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, cells: int) -> list[str]:
    """Break text into lines of at most `cells` display cells (Chinese and ASCII alike)."""
    lines, line = [], ""
    for ch in text:
        if width(line + ch) > cells:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line or not lines else lines


def render(frame: pd.DataFrame, columns: list[Column]) -> str:
    """A fixed-layout text table; each cell wraps inside its column's width."""

    def pad(text: str, col: Column) -> str:
        gap = " " * max(col.width - width(text), 0)
        return gap + text if col.right else text + gap

    out = [" ".join(pad(c.title, c) for c in columns).rstrip(), " ".join("-" * c.width for c in columns)]
    for _, row in frame.iterrows():
        cells = [wrap(cell_text(row[c.source]), c.width) for c in columns]
        for i in range(max(map(len, cells))):
            out.append(
                " ".join(
                    pad(lines[i] if i < len(lines) else "", c) for lines, c in zip(cells, columns, strict=True)
                ).rstrip()
            )
    return "\n".join(out)


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str = "kjqg") -> Path:
    """The full frame as one Excel sheet, written atomically, with columns wide enough to read."""

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            frame.to_excel(xl, sheet_name=sheet, index=False)
            for i, name in enumerate(frame.columns):
                longest = max([width(str(name)), *(width(cell_text(v)) for v in frame[name].head(200))])
                xl.sheets[sheet].column_dimensions[_letter(i)].width = min(max(longest + 2, 8), 60)

    return atomic_write(Path(path), write)


def _letter(i: int) -> str:
    return _letter(i // 26 - 1) + chr(65 + i % 26) if i >= 26 else chr(65 + i)
