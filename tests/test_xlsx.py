"""Analysts' history as real .xlsx files: same columns and validation as CSV, errors name the sheet
and row."""

from __future__ import annotations

import openpyxl
import pytest

from kjqg_model.inputs.errors import InputError
from kjqg_model.inputs.history import load_history

COLUMNS = ["geo", "indicator", "year", "value", "unit", "qualifier", "source", "note"]


def workbook(path, rows, sheet="历史数据"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(COLUMNS)
    for r in rows:
        ws.append(r)
    book.save(path)
    return path


def test_an_xlsx_overlay_is_read_like_a_csv(tmp_path):
    workbook(
        tmp_path / "bureau.xlsx",
        [
            ["百色", "rd_expenditure", 2021, 12.5, "亿元", "=", "百色统计公报", None],
            ["百色", "rd_expenditure", 2022, 138000, "万元", None, "百色统计公报", "万元 as published"],
        ],
    )
    h = load_history([tmp_path])
    s = h.series("百色", "rd_expenditure")
    assert list(s.index) == [2021, 2022] and s.loc[2022, "value"] == pytest.approx(13.8)


def test_a_percent_formatted_cell_reads_as_the_percent_it_shows(tmp_path):
    path = workbook(tmp_path / "bureau.xlsx", [["百色", "rd_intensity", 2021, 0.0042, "%", "=", "百色统计公报", None]])
    book = openpyxl.load_workbook(path)
    book.active["D2"].number_format = "0.00%"  # typed as 0.42% in Excel: the cell holds 0.0042
    book.save(path)
    assert load_history([tmp_path]).series("百色", "rd_intensity").loc[2021, "value"] == pytest.approx(0.42)
    book = openpyxl.load_workbook(path)
    book.active["D2"].value, book.active["D2"].number_format = 0.42, '0.00"%"'  # a literal % sign: no scaling
    book.save(path)
    assert load_history([tmp_path]).series("百色", "rd_intensity").loc[2021, "value"] == pytest.approx(0.42)


def test_a_bad_cell_is_named_by_file_sheet_row_and_column(tmp_path):
    workbook(tmp_path / "bureau.xlsx", [["百色", "rd_expenditure", "2021年", 12.5, "亿元", "=", "src", None]])
    with pytest.raises(InputError, match=r"bureau.xlsx \[sheet 历史数据\], row 2, field 'year'"):
        load_history([tmp_path])


def test_a_corrupt_workbook_is_named_not_ignored(tmp_path):
    (tmp_path / "good.csv").write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(InputError, match=r"broken.xlsx.*does not open as .xlsx"):
        load_history([tmp_path])


def test_a_formula_never_computed_is_named_not_skipped(tmp_path):
    # a workbook written by a program keeps formulas without their values: read as blank, the row
    # would be skipped as a template row left unfilled
    workbook(
        tmp_path / "bureau.xlsx",
        [
            ["百色", "rd_expenditure", 2020, "=10+2.5", "亿元", None, "百色统计公报", None],
            ["百色", "rd_expenditure", 2021, 12.5, "亿元", None, "百色统计公报", None],
        ],
    )
    with pytest.raises(InputError, match=r"\[sheet 历史数据\], row 2, field 'value': found a formula \(=10\+2.5\)"):
        load_history([tmp_path])
