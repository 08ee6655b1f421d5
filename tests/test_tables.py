"""Readable tables: 120 columns, Chinese wrapped by display width, one marker for missing values."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import openpyxl
import pandas as pd

from kjqg_model.cli import main
from kjqg_model.reporting.tables import MISSING, Column, cell_text, render, width, wrap


def run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cell_text_gives_one_marker_and_sensible_precision():
    assert [cell_text(v) for v in (None, np.nan, "nan", "None", "n/a", "")] == [MISSING] * 6
    assert cell_text(4200.0) == "4,200" and cell_text(0.84) == "0.84" and cell_text(1.836) == "1.836"
    assert cell_text(2481.27) == "2,481" and cell_text(True) == "是"
    # rounded to a whole number, a figure keeps its zeros: 26419.7 is 26,420, not 26,42
    assert [cell_text(v) for v in (26419.7, 2500.4, 3000.2, 12999.5, 1199.96)] == [
        "26,420",
        "2,500",
        "3,000",
        "13,000",
        "1,200",
    ]


def test_wrap_counts_chinese_as_two_cells():
    lines = wrap("规模以上工业企业中有研发活动企业占比", 10)
    assert all(width(line) <= 10 for line in lines) and "".join(lines) == "规模以上工业企业中有研发活动企业占比"


def test_render_keeps_every_line_within_the_columns():
    frame = pd.DataFrame({"a": ["技术合同成交额累计总额（按吸纳地域）"], "b": [np.nan]})
    text = render(frame, [Column("a", "名称", 12), Column("b", "值", 6, right=True)])
    assert all(width(line) <= 19 for line in text.splitlines()) and MISSING in text


def test_probability_and_target_tables_fit_120_columns(tmp_path):
    for argv in (("probabilities", "--plan", "guangxi_2021_2023", "--origin", "2020", "--paths", "500"),
                 ("targets", "--plan", "liuzhou_2021_2023")):  # fmt: skip
        code, out, err = run(*argv)
        assert code == 0, err
        table = out.split("\n\n#")[0]
        assert max(width(line) for line in table.splitlines()) <= 120
        assert not re.search(r"\b(nan|NaN|None)\b|\.000000", table)
    xlsx = str(tmp_path / "p.xlsx")
    code, out, err = run(
        "probabilities", "--plan", "guangxi_2021_2023", "--format", "xlsx", "--out", xlsx, "--paths", "500"
    )
    assert code == 0, err
    sheet = openpyxl.load_workbook(tmp_path / "p.xlsx").worksheets[0]
    assert [c.value for c in sheet[1]][:2] == ["plan", "target_id"] and sheet.max_row > 2
    code, _, err = run("targets", "--format", "xlsx")
    assert code == 2 and "--out" in err and "Traceback" not in err
