"""Reading parameter files: encoding, emptiness and syntax errors become InputError, never a
traceback from the parser."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import yaml

from .errors import InputError, Problem


def read_text(path: Path) -> str:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            [Problem(str(path), "", "", f"an unreadable file ({exc.strerror})", "a readable file")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        found = "bytes that are not UTF-8"
        try:
            raw.decode("gb18030")
            found += " (the file looks GBK/GB18030-encoded)"
        except UnicodeDecodeError:
            pass
        raise InputError(
            [Problem(str(path), f"line {line}", "", found, "UTF-8 text (re-save the file as UTF-8)")]
        ) from None
    if not text.strip():
        raise InputError([Problem(str(path), "", "", "an empty file", "a header and at least one row")])
    return text


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser where libyaml is present


def read_yaml(path: Path) -> object:
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError([Problem(str(path), where, "", f"malformed YAML ({what})", "valid YAML")]) from None


def read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of every non-blank row; broken quoting is an error.
    Rows are not checked against the header here, so a caller can first report a bad header."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = [h.strip() for h in next(reader)]
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise InputError(
            [Problem(str(path), f"line {reader.line_num}", "", f"malformed CSV ({exc})", "valid CSV")]
        ) from None
    return header, rows


def read_table(path: Path) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """(place name, header, rows) of a .csv file or of an .xlsx file's first sheet; in a sheet the
    row numbers are Excel's and the place is named "file [sheet S]"."""
    if Path(path).suffix.lower() != ".xlsx":
        return (str(path), *read_csv(path))
    return read_xlsx(path)


def read_xlsx(path: Path) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(
            [
                Problem(
                    str(path), "", "", f"a file that does not open as .xlsx ({type(exc).__name__})", "an Excel workbook"
                )
            ]
        ) from None
    sheet = book.worksheets[0]
    place = f"{path} [sheet {sheet.title}]"
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        cells = [_cell_text(c.value, getattr(c, "number_format", "")) for c in row]
        if number == 1:
            header = [c.strip() for c in cells]
            while header and not header[-1]:
                header.pop()
        elif any(c.strip() for c in cells):
            rows.append((number, cells[: len(header)] + [c for c in cells[len(header) :] if c.strip()]))
    book.close()
    uncomputed = _uncomputed_formulas(path, place, header) if any("" in cells for _, cells in rows) else []
    if uncomputed:
        raise InputError(uncomputed)
    return place, header, rows


def _uncomputed_formulas(path: Path, place: str, header: list[str]) -> list[Problem]:
    """Formulas whose value was never computed (a workbook written by a program and never opened in
    Excel): read as blank, their rows would be skipped without a word."""
    import openpyxl

    books = [openpyxl.load_workbook(path, read_only=True, data_only=d) for d in (False, True)]
    formulas, values = (b.worksheets[0].iter_rows(min_row=2, values_only=True) for b in books)
    problems = [
        Problem(
            place,
            f"row {number}",
            header[col] if col < len(header) else f"column {col + 1}",
            f"a formula ({formula[:40]}) with no computed value",
            "a number: open and save the file in Excel or LibreOffice so its formulas are computed, or type the value",
        )
        for number, (row_f, row_v) in enumerate(zip(formulas, values, strict=False), start=2)
        for col, (formula, value) in enumerate(zip(row_f, row_v, strict=False))
        if isinstance(formula, str) and formula.startswith("=") and value is None
    ]
    for b in books:
        b.close()
    return problems


_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # 0.00"%" and 0.00\% print a % sign, they do not scale


def _cell_text(value, number_format: str = "") -> str:
    """A cell as it reads on screen, as a CSV would have it: whole numbers without '.0', empty cells
    as '', and a number in a percent format as the percent shown (20 % is stored as 0.2)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in _LITERALS.sub("", number_format or ""):
        value = round(value * 100, 12)  # 0.07 * 100 is 7.000000000000001
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def ragged_rows(
    path: Path | str, header: list[str], rows: list[tuple[int, list[str]]], row_word: str = "line"
) -> list[Problem]:
    return [
        Problem(
            str(path), f"{row_word} {line}", "", f"{len(cells)} cells", f"{len(header)} cells, one per header column"
        )
        for line, cells in rows
        if len(cells) != len(header)
    ]
